#!/usr/bin/env bash
# Builds the whole project and test suite with AddressSanitizer + UndefinedBehaviorSanitizer in
# ./build-sanitize (with the fault points the interruption tests need) and runs every test under
# them. Any report fails the run (halt_on_error), and so does any failing test (ctest's status).
# Part of CI (.ci/run). Usage: scripts/sanitize.sh [ctest arguments, e.g. -R config]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh  # g++ brings libasan and libubsan
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRAINSCAPE_FAULT_INJECTION=ON \
      -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
      -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build build-sanitize -j"$(nproc)"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
ctest --test-dir build-sanitize --output-on-failure --no-tests=error -j"$(nproc)" "$@"
