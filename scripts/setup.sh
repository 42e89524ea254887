#!/usr/bin/env bash
# Installs every Debian 12 package aec needs to build, test and run its demo.
# Idempotent: runs `apt-get update` once, and only when something is missing.
# Works as root, or as a user with sudo.
set -euo pipefail

PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libomp-22-dev zlib1g-dev
  libfmt-dev libgtest-dev libpng-dev libeigen3-dev
  cmake ninja-build g++
)
# Tools that may come from elsewhere than Debian (e.g. Node.js's own npm):
# the package is installed only when the command is missing.
COMMANDS=(
  "npm:npm"
  "python3:python3"
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
for entry in "${COMMANDS[@]}"; do
  if ! command -v "${entry%%:*}" >/dev/null 2>&1; then
    missing+=("${entry#*:}")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "setup: error: missing packages (${missing[*]}) and not root; no sudo" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
