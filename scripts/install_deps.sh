#!/usr/bin/env bash
# Installs the Debian 12 packages trainscape needs to build and test, skipping any already there.
# Needs root (or sudo) only when something is missing. Usage: scripts/install_deps.sh [--tests]
# (--tests: also what only the test suite needs: clang-format for the format check, NumPy for
# tests/numpy_optimizers.py, and for the viewer's browser test Debian's chromium, node and npm,
# then `npm ci` in tests/browser, which installs playwright-core from the npm registry at the
# version package-lock.json pins; it never downloads a browser).
set -euo pipefail

packages=(g++ make cmake pkg-config git
          libeigen3-dev libcli11-dev libhdf5-dev hdf5-tools catch2 libstb-dev libyaml-cpp-dev libqd-dev
          ffmpeg  # trainscape movie encodes with the ffmpeg binary
          openmpi-bin libopenmpi-dev openssh-client)  # MPI: mpirun -n R trainscape zoom (its launcher wants ssh)

if [ "${1:-}" = "--tests" ]; then
  packages+=(clang-format python3-numpy chromium)
  # Debian's node and npm, unless a node with its npm is already there (e.g. from NodeSource,
  # whose nodejs package bundles npm and conflicts with Debian's).
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

install_browser_test_packages() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
  if [ ! -d "$dir/node_modules/playwright-core" ]; then
    echo "trainscape: npm ci in tests/browser (playwright-core)" >&2
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  if [ "${1:-}" = "--tests" ]; then install_browser_test_packages; fi
  exit 0
fi

echo "trainscape: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "trainscape: missing packages (${missing[*]}) and not root; install them and rerun" >&2
  exit 1
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ "${1:-}" = "--tests" ]; then install_browser_test_packages; fi
