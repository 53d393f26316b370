#!/usr/bin/env bash
# Installs the Debian 12 packages trainscape needs to build and test, skipping any already there.
# Needs root (or sudo) only when something is missing. Usage: scripts/install_deps.sh [--tests]
# (--tests: also what only the test suite needs: clang-format for the format check, NumPy for
# tests/numpy_optimizers.py).
set -euo pipefail

packages=(g++ make cmake pkg-config git
          libeigen3-dev libcli11-dev libhdf5-dev hdf5-tools catch2 libstb-dev libyaml-cpp-dev
          openmpi-bin libopenmpi-dev openssh-client)  # MPI: mpirun -n R trainscape zoom (its launcher wants ssh)

if [ "${1:-}" = "--tests" ]; then
  packages+=(clang-format python3-numpy)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
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
