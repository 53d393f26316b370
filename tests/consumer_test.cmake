# ctest consumer_from_install (cmake -P): the installed package, used from outside the tree.
#
#   1. `cmake --install BUILD_DIR --prefix <fresh temporary prefix>`, and checks that the package
#      files are there and the internal headers are not;
#   2. configures tests/consumer against the prefix, passing CMAKE_PREFIX_PATH and nothing else
#      that says where anything is (only the build's toolchain: compiler, build type and global
#      flags, so that e.g. the sanitizer build links), and checks that trainscape came from the
#      prefix; builds it (which also compiles every installed header);
#   3. runs it and REFERENCE (the same source built against the in-tree targets) and requires the
#      same output line.
# Any failure fails the test. The prefix and the consumer's build are removed on success and kept
# for inspection on failure.
#
# Variables: BUILD_DIR, CONSUMER_SOURCE_DIR, WORK_DIR, REFERENCE, BUILD_TYPE, C_COMPILER,
# CXX_COMPILER, C_FLAGS, CXX_FLAGS, EXE_LINKER_FLAGS.
cmake_minimum_required(VERSION 3.25)

foreach(v BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR REFERENCE)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "consumer_test.cmake: ${v} is not set")
  endif()
endforeach()

string(RANDOM LENGTH 8 ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789" _id)
set(scratch "${WORK_DIR}/${_id}")
set(prefix "${scratch}/prefix")
set(consumer_build "${scratch}/build")
file(REMOVE_RECURSE "${scratch}")
file(MAKE_DIRECTORY "${scratch}")

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer_test: ${what} failed (${rc}); files kept in ${scratch}\n"
                        "--- stdout ---\n${out}\n--- stderr ---\n${err}")
  endif()
  set(step_out "${out}" PARENT_SCOPE)
endfunction()

# ---- 1. install ------------------------------------------------------------------------------
run_step("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")
file(GLOB_RECURSE _config LIST_DIRECTORIES false "${prefix}/*/trainscapeConfig.cmake")
if(NOT _config)
  message(FATAL_ERROR "consumer_test: the install has no trainscapeConfig.cmake (in ${prefix})")
endif()
get_filename_component(_cmakedir "${_config}" DIRECTORY)
foreach(f trainscapeConfigVersion.cmake trainscapeTargets.cmake)
  if(NOT EXISTS "${_cmakedir}/${f}")
    message(FATAL_ERROR "consumer_test: the install has no ${f} next to ${_config}")
  endif()
endforeach()
foreach(h trainscape/io/fault.hpp trainscape/detail/simd.hpp)
  if(EXISTS "${prefix}/include/${h}")
    message(FATAL_ERROR "consumer_test: the internal header ${h} was installed")
  endif()
endforeach()

# ---- 2. configure and build the consumer against the prefix -----------------------------------
set(toolchain)
foreach(pair "CMAKE_BUILD_TYPE=BUILD_TYPE" "CMAKE_C_COMPILER=C_COMPILER" "CMAKE_CXX_COMPILER=CXX_COMPILER"
             "CMAKE_C_FLAGS=C_FLAGS" "CMAKE_CXX_FLAGS=CXX_FLAGS" "CMAKE_EXE_LINKER_FLAGS=EXE_LINKER_FLAGS")
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 cache_name)
  list(GET pair 1 var)
  if(DEFINED ${var} AND NOT "${${var}}" STREQUAL "")
    list(APPEND toolchain "-D${cache_name}=${${var}}")
  endif()
endforeach()
run_step("configuring tests/consumer against the install"
         "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}"
         "-DCMAKE_PREFIX_PATH=${prefix}" ${toolchain})
file(STRINGS "${consumer_build}/CMakeCache.txt" _dir_line REGEX "^trainscape_DIR:")
string(REGEX REPLACE "^trainscape_DIR:[A-Z]+=" "" _found_dir "${_dir_line}")
file(REAL_PATH "${_cmakedir}" _expected_dir)
if(NOT EXISTS "${_found_dir}")
  message(FATAL_ERROR "consumer_test: the consumer's trainscape_DIR '${_found_dir}' does not exist")
endif()
file(REAL_PATH "${_found_dir}" _found_dir)
if(NOT _found_dir STREQUAL _expected_dir)
  message(FATAL_ERROR "consumer_test: the consumer found trainscape in ${_found_dir}, not in the install ${_expected_dir}")
endif()
run_step("building tests/consumer" "${CMAKE_COMMAND}" --build "${consumer_build}")

# ---- 3. run both and compare ------------------------------------------------------------------
file(GLOB_RECURSE _exe LIST_DIRECTORIES false "${consumer_build}/trainscape_consumer")
if(NOT _exe)
  message(FATAL_ERROR "consumer_test: no trainscape_consumer was built in ${consumer_build}")
endif()
list(GET _exe 0 _exe)
run_step("running the consumer" "${_exe}" "${scratch}/consumer.h5")
set(installed "${step_out}")
run_step("running the in-tree reference" "${REFERENCE}" "${scratch}/reference.h5")
set(in_tree "${step_out}")
message(STATUS "installed: ${installed}")
message(STATUS "in tree:   ${in_tree}")
if(NOT installed MATCHES "^trainscape [0-9.]+: pixels=256 converged=[0-9]+ measure_fnv1a=[0-9a-f]+ ")
  message(FATAL_ERROR "consumer_test: unexpected consumer output; files kept in ${scratch}")
endif()
if(NOT installed STREQUAL in_tree)
  message(FATAL_ERROR "consumer_test: the installed library and the in-tree one give different results; "
                      "files kept in ${scratch}")
endif()
file(REMOVE_RECURSE "${scratch}")
message(STATUS "consumer_test: the consumer built against the install gives the in-tree result")
