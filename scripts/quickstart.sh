#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the trainscape command (only it,
# not the tests), and renders the bundled quickstart zoom into runs/quickstart (replacing an
# earlier quickstart run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh --target trainscape
build/trainscape zoom configs/quickstart.yaml --overwrite "$@"
