#!/usr/bin/env bash
# Installs missing packages, then configures and builds trainscape (Release) in ./build.
# `--target NAME` (repeatable) builds only those targets (default: everything, tests included);
# every other argument goes to the CMake configure step, e.g. -DTRAINSCAPE_NATIVE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
configure_args=()
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) targets+=(--target "${2:?--target needs a target name}"); shift 2 ;;
    --target=*) targets+=(--target "${1#--target=}"); shift ;;
    *) configure_args+=("$1"); shift ;;
  esac
done
scripts/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${configure_args[@]}" >/dev/null
cmake --build build -j"$(nproc)" "${targets[@]}"
