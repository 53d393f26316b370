# Every C++ file of the project follows the committed .clang-format (run by ctest as
# check_format): cmake -DROOT=<repo> -DCLANG_FORMAT=<clang-format> -P tests/check_format.cmake
# Lists the files clang-format would change and fails if there is any; fix them with
#   clang-format -i <files>
if(NOT ROOT OR NOT CLANG_FORMAT)
  message(FATAL_ERROR "usage: cmake -DROOT=<repo> -DCLANG_FORMAT=<clang-format> -P tests/check_format.cmake")
endif()
set(files)
foreach(dir include src apps tests)
  file(GLOB_RECURSE found "${ROOT}/${dir}/*.hpp" "${ROOT}/${dir}/*.cpp" "${ROOT}/${dir}/*.inc")
  list(APPEND files ${found})
endforeach()
list(FILTER files EXCLUDE REGEX "/tests/fuzz/(corpus|regressions)/")
set(unformatted)
foreach(f IN LISTS files)
  execute_process(COMMAND "${CLANG_FORMAT}" --dry-run --Werror "--style=file:${ROOT}/.clang-format" "${f}"
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    file(RELATIVE_PATH rel "${ROOT}" "${f}")
    list(APPEND unformatted "${rel}")
  endif()
endforeach()
list(LENGTH files checked)
if(unformatted)
  list(JOIN unformatted "\n  " text)
  message(FATAL_ERROR "check_format: these files do not follow .clang-format:\n  ${text}\n"
                      "fix: clang-format -i <file>")
endif()
message(STATUS "check_format: ${checked} files follow .clang-format")
