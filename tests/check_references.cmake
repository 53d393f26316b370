# Checks that references to Markdown files and repository paths resolve.
#
#   cmake -DROOT=<repository root> -P tests/check_references.cmake [-DREPORT=<file>]
#
# Scans README.md, CMakeLists.txt, docs/**.md and the text files (.md .hpp .cpp .inc .h .sh .py
# .yaml .yml .cmake .txt .sbatch, CMakeLists.txt) under include/, src/, apps/, tests/, scripts/ and
# configs/, and fails, listing every file:line, when
#
#  1. a Markdown reference does not resolve. A reference is a token like `<name>.md` or
#     `<dir>/<name>.md`, optionally followed by `#anchor`. A bare name may live at the repository
#     root, in docs/ or next to the referring file; a path starting with `./` or `../` is relative
#     to the referring file; a path whose first component is docs, scripts, configs, include, src,
#     apps or tests is relative to the root. Other paths with a directory (`runs/...`, URLs,
#     `out/table.md`) are not repository references and are ignored. A resolved target must lie
#     inside the repository.
#  2. a `#anchor` is not the GitHub-style slug of a heading (or an `<a id=...>` / `<a name=...>`)
#     of the target file;
#  3. a Markdown reference is followed by a numbered section (`<page>.md section 4`,
#     `<page>.md §4`, `<page>.md's section 2.3`): section numbers cannot be checked and break when
#     a page is reorganised; point to a `#anchor` instead;
#  4. a repository path (a token starting with docs/, scripts/, configs/, include/, src/, apps/
#     or tests/, or in a Markdown file any `./` or `../` path) names nothing that exists. Outside
#     Markdown files only comments are searched for paths (`//` and `/* */` in C and C++ files,
#     `#` in the others), since string literals in code and scripts often name paths relative to
#     a scratch directory (a test script's own `configs/<name>.yaml`);
#  5. a file mentions the notes folder outside the repository (see `forbidden` below): the
#     repository must stand alone.
#
# Tokens holding a glob or a placeholder (`*`, `<`, `{`, `}`, `$`, `NNN`, `TTT`) are skipped.
# With -DREPORT=<file> the failures are also written to that file, one per line.
cmake_minimum_required(VERSION 3.16)

if(NOT DEFINED ROOT)
  get_filename_component(ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()
get_filename_component(ROOT "${ROOT}" ABSOLUTE)
if(NOT IS_DIRECTORY "${ROOT}")
  message(FATAL_ERROR "check_references: ROOT=${ROOT} is not a directory")
endif()

set(repo_dirs docs scripts configs include src apps tests)
string(JOIN "|" repo_dirs_alt ${repo_dirs})

# Mentions of the notes that live outside the repository. Spelled in pieces so that this file
# does not match itself.
set(_up "..")
set(_sh "shared")
set(forbidden "${_up}/${_sh}" "${_sh}/docs" "${_sh}/tools")

# Characters that would disturb CMake's list handling, replaced by control characters while a
# file is processed (none of them can be part of a reference token).
string(ASCII 1 _bs)
string(ASCII 2 _sc)
string(ASCII 3 _lb)
string(ASCII 4 _rb)

# ---- the files ----------------------------------------------------------------------------------

set(files "")
foreach(top README.md CMakeLists.txt)
  if(EXISTS "${ROOT}/${top}")
    list(APPEND files "${top}")
  endif()
endforeach()
file(GLOB_RECURSE _docs RELATIVE "${ROOT}" "${ROOT}/docs/*.md")
list(APPEND files ${_docs})
foreach(dir include src apps tests scripts configs)
  if(IS_DIRECTORY "${ROOT}/${dir}")
    file(GLOB_RECURSE _found LIST_DIRECTORIES false RELATIVE "${ROOT}" "${ROOT}/${dir}/*")
    # Installed npm packages (the node_modules folder that `npm ci` makes in the browser test) are third-party files, not ours.
    list(FILTER _found EXCLUDE REGEX "(^|/)node_modules/")
    foreach(f IN LISTS _found)
      get_filename_component(_name "${f}" NAME)
      if(_name STREQUAL "CMakeLists.txt" OR
         _name MATCHES "\\.(md|hpp|cpp|inc|h|sh|py|yaml|yml|cmake|txt|sbatch)$")
        list(APPEND files "${f}")
      endif()
    endforeach()
  endif()
endforeach()
list(REMOVE_DUPLICATES files)
list(SORT files)

# ---- helpers ------------------------------------------------------------------------------------

# Splits `content` into a list of lines (escaped as described above) in `out`.
function(split_lines content out)
  string(REPLACE "\\" "${_bs}" content "${content}")
  string(REPLACE ";" "${_sc}" content "${content}")
  string(REPLACE "[" "${_lb}" content "${content}")
  string(REPLACE "]" "${_rb}" content "${content}")
  string(REPLACE "\r" "" content "${content}")
  string(REPLACE "\n" ";" lines "${content}")
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

# GitHub's heading slug: lower case, punctuation removed (letters, digits, spaces, '-' and '_'
# stay), each space a '-'. Link syntax keeps only its text. Non-ASCII characters are removed.
function(heading_slug text out)
  string(REGEX REPLACE "${_lb}([^${_rb}]*)${_rb}\\([^)]*\\)" "\\1" text "${text}")
  string(STRIP "${text}" text)
  string(TOLOWER "${text}" text)
  string(REGEX REPLACE "[^a-z0-9 _-]" "" text "${text}")
  string(REPLACE " " "-" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The anchors of Markdown file `path` (absolute), cached in a global property.
function(markdown_anchors path out)
  string(MAKE_C_IDENTIFIER "anchors_${path}" key)
  get_property(done GLOBAL PROPERTY "${key}_done")
  if(done)
    get_property(anchors GLOBAL PROPERTY "${key}")
    set(${out} "${anchors}" PARENT_SCOPE)
    return()
  endif()
  file(READ "${path}" content)
  split_lines("${content}" lines)
  set(anchors "")
  set(in_fence FALSE)
  foreach(line IN LISTS lines)
    if(line MATCHES "^ ? ? ?(```|~~~)")
      if(in_fence)
        set(in_fence FALSE)
      else()
        set(in_fence TRUE)
      endif()
      continue()
    endif()
    if(in_fence)
      continue()
    endif()
    if(line MATCHES "^ ? ? ?#+[ \t]+(.*)$")
      set(text "${CMAKE_MATCH_1}")
      string(REGEX REPLACE "[ \t]+#+[ \t]*$" "" text "${text}")
      heading_slug("${text}" slug)
      set(candidate "${slug}")
      set(n 0)
      while(candidate IN_LIST anchors)
        math(EXPR n "${n} + 1")
        set(candidate "${slug}-${n}")
      endwhile()
      list(APPEND anchors "${candidate}")
    endif()
    string(REGEX MATCHALL "<a[ \t]+(id|name)=\"[^\"]+\"" html "${line}")
    foreach(h IN LISTS html)
      string(REGEX REPLACE "^.*=\"([^\"]+)\"$" "\\1" h "${h}")
      list(APPEND anchors "${h}")
    endforeach()
  endforeach()
  set_property(GLOBAL PROPERTY "${key}" "${anchors}")
  set_property(GLOBAL PROPERTY "${key}_done" TRUE)
  set(${out} "${anchors}" PARENT_SCOPE)
endfunction()

# Absolute, normalised path of `rel` against directory `base`; empty if it leaves the repository.
function(inside_root base rel out)
  get_filename_component(p "${rel}" ABSOLUTE BASE_DIR "${base}")
  string(LENGTH "${ROOT}/" n)
  string(SUBSTRING "${p}/" 0 ${n} head)
  if(p STREQUAL ROOT OR head STREQUAL "${ROOT}/")
    set(${out} "${p}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# ---- the scan -----------------------------------------------------------------------------------

set(failures "")
set(checked 0)
string(JOIN "|" _forbidden_alt ${forbidden})
string(REPLACE "." "\\." _forbidden_re "${_forbidden_alt}")
set(interesting "\\.md|(^|[^A-Za-z0-9_./-])(${repo_dirs_alt})/|\\.\\./|${_forbidden_re}")

foreach(rel IN LISTS files)
  file(READ "${ROOT}/${rel}" content)
  if(NOT content MATCHES "${interesting}")
    continue()
  endif()
  get_filename_component(dir "${ROOT}/${rel}" DIRECTORY)
  set(is_markdown FALSE)
  set(comment_style hash)
  if(rel MATCHES "\\.md$")
    set(is_markdown TRUE)
    set(comment_style none)
  elseif(rel MATCHES "\\.(hpp|cpp|inc|h)$")
    set(comment_style c)
  endif()
  split_lines("${content}" lines)
  set(number 0)
  set(in_block FALSE)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    # The comment text of the line, where repository paths are looked for (all of it in Markdown).
    set(comment "${line}")
    if(comment_style STREQUAL "c")
      set(comment "")
      set(code "${line}")
      if(in_block)
        string(FIND "${code}" "*/" close)
        if(close LESS 0)
          set(comment "${code}")
          set(code "")
        else()
          string(SUBSTRING "${code}" 0 ${close} comment)
          math(EXPR close "${close} + 2")
          string(SUBSTRING "${code}" ${close} -1 code)
          set(in_block FALSE)
        endif()
      endif()
      string(FIND "${code}" "//" line_comment)
      string(FIND "${code}" "/*" block)
      if(line_comment GREATER -1 AND (block LESS 0 OR line_comment LESS block))
        string(SUBSTRING "${code}" ${line_comment} -1 tail)
        string(APPEND comment " ${tail}")
      elseif(block GREATER -1)
        string(SUBSTRING "${code}" ${block} -1 tail)
        string(FIND "${tail}" "*/" close)
        if(close LESS 0)
          set(in_block TRUE)
        endif()
        string(APPEND comment " ${tail}")
      endif()
    elseif(comment_style STREQUAL "hash")
      if(line MATCHES "(^|[ \t])#(.*)$")
        set(comment "${CMAKE_MATCH_2}")
      else()
        set(comment "")
      endif()
    endif()
    if(NOT line MATCHES "${interesting}")
      continue()
    endif()
    set(where "${rel}:${number}")

    foreach(pattern IN LISTS forbidden)
      string(FIND "${line}" "${pattern}" at)
      if(at GREATER -1)
        list(APPEND failures "${where}: mentions '${pattern}', a folder outside the repository")
      endif()
    endforeach()

    string(REGEX MATCHALL "[A-Za-z0-9_./*<{}$-]+(#[A-Za-z0-9_-]*)?" tokens "${line}")
    set(rest "${line}")
    foreach(token IN LISTS tokens)
      # What follows this occurrence of the token (for numbered section references).
      string(FIND "${rest}" "${token}" at)
      if(at LESS 0)
        set(rest "")
      else()
        string(LENGTH "${token}" len)
        math(EXPR after_at "${at} + ${len}")
        string(SUBSTRING "${rest}" ${after_at} -1 rest)
      endif()

      set(anchor "")
      set(path "${token}")
      string(FIND "${token}" "#" hash)
      if(hash GREATER -1)
        string(SUBSTRING "${token}" 0 ${hash} path)
        math(EXPR anchor_at "${hash} + 1")
        string(SUBSTRING "${token}" ${anchor_at} -1 anchor)
      endif()
      string(REGEX REPLACE "\\.+$" "" path "${path}")
      if(path MATCHES "[*<{}$]|NNN|TTT" OR path STREQUAL "")
        continue()
      endif()

      if(path MATCHES "[A-Za-z0-9_-]\\.md$")
        # ---- a Markdown reference ----
        set(candidates "")
        if(path MATCHES "^\\.\\.?/")
          inside_root("${dir}" "${path}" p)
          list(APPEND candidates "${p}")
        elseif(path MATCHES "^(${repo_dirs_alt})/")
          list(APPEND candidates "${ROOT}/${path}")
        elseif(path MATCHES "/")
          continue()  # not a repository path: runs/..., URLs, output files
        else()
          list(APPEND candidates "${ROOT}/${path}" "${ROOT}/docs/${path}" "${dir}/${path}")
        endif()
        math(EXPR checked "${checked} + 1")
        set(reference "${path}")
        if(NOT anchor STREQUAL "")
          set(reference "${path}#${anchor}")
        endif()
        if(rest MATCHES "^('s)? *(§|[Ss]ections?) *[0-9][0-9.]*( *(-|–|,|and) *(§ *)?[0-9][0-9.]*)*")
          set(section "${CMAKE_MATCH_0}")
          string(REGEX REPLACE "\\.+$" "" section "${section}")
          list(APPEND failures
               "${where}: ${path}${section}: numbered section reference (point to a #anchor of the page instead)")
          continue()
        endif()
        set(target "")
        foreach(c IN LISTS candidates)
          if(NOT c STREQUAL "" AND EXISTS "${c}" AND NOT IS_DIRECTORY "${c}")
            set(target "${c}")
            break()
          endif()
        endforeach()
        if(target STREQUAL "")
          list(APPEND failures "${where}: ${reference}: no such file in the repository")
          continue()
        endif()
        if(NOT anchor STREQUAL "")
          markdown_anchors("${target}" anchors)
          if(NOT anchor IN_LIST anchors)
            file(RELATIVE_PATH shown "${ROOT}" "${target}")
            list(APPEND failures "${where}: ${reference}: no heading with anchor #${anchor} in ${shown}")
          endif()
        endif()
      elseif(path MATCHES "^(\\./)?(${repo_dirs_alt})/")
        # ---- a repository path (in comments and Markdown only) ----
        string(FIND "${comment}" "${path}" in_comment)
        if(in_comment LESS 0)
          continue()
        endif()
        math(EXPR checked "${checked} + 1")
        if(NOT EXISTS "${ROOT}/${path}")
          list(APPEND failures "${where}: ${path}: no such file or directory in the repository")
        endif()
      elseif(is_markdown AND path MATCHES "^\\.\\.?/")
        # ---- a relative link in a Markdown file ----
        math(EXPR checked "${checked} + 1")
        inside_root("${dir}" "${path}" p)
        if(p STREQUAL "" OR NOT EXISTS "${p}")
          list(APPEND failures "${where}: ${path}: no such file or directory in the repository")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()

list(LENGTH files n_files)
list(LENGTH failures n_failures)
if(DEFINED REPORT)
  string(REPLACE ";" "\n" text "${failures}")
  if(n_failures GREATER 0)
    string(APPEND text "\n")
  endif()
  file(WRITE "${REPORT}" "${text}")
endif()
if(n_failures GREATER 0)
  string(REPLACE ";" "\n  " text "${failures}")
  message(FATAL_ERROR
          "check_references: ${n_failures} broken references (${checked} checked in ${n_files} files):\n  ${text}\n")
endif()
message(STATUS "check_references: ${checked} references in ${n_files} files resolve")
