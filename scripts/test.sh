#!/usr/bin/env bash
# The README's second command: installs what is missing, builds with warnings as errors and the
# interruption tests' fault points (TRAINSCAPE_FAULT_INJECTION), and runs the whole test suite
# through ctest (which fails if no test was found).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh --tests
scripts/build.sh -DTRAINSCAPE_WARNINGS_AS_ERRORS=ON -DTRAINSCAPE_FAULT_INJECTION=ON
ctest --test-dir build --output-on-failure --no-tests=error -j"$(nproc)"
