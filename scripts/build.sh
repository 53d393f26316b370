#!/usr/bin/env bash
# Installs missing packages, then configures and builds trainscape (Release) in ./build.
# Extra arguments go to the CMake configure step, e.g. -DTRAINSCAPE_NATIVE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"
