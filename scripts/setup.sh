#!/usr/bin/env bash
# Installs what is missing and builds. Sourced by demo.sh and test.sh; safe to run again.
#   Debian packages (apt-get; sudo when not root), a Python virtual environment in .venv with
#   the build and test requirements, then a CMake build in build/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TELECOMPLY_BUILD_DIR:-$ROOT/build}
VENV=${TELECOMPLY_VENV:-$ROOT/.venv}

source "$ROOT/scripts/packages.sh"
ensure_deb_packages "${TELECOMPLY_DEB_PACKAGES[@]}"

if [[ ! -x $VENV/bin/python ]]; then
  echo "== creating the virtual environment $VENV"
  python3 -m venv "$VENV"
fi
stamp=$VENV/.requirements-installed
if [[ ! -f $stamp || $ROOT/requirements-dev.txt -nt $stamp ]]; then
  echo "== installing Python requirements"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements-dev.txt"
  touch "$stamp"
fi

JOBS=${TELECOMPLY_JOBS:-$(nproc)}
echo "== building in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTELECOMPLY_BUILD_PYTHON=ON -DPython_EXECUTABLE="$VENV/bin/python" >/dev/null
cmake --build "$BUILD" -j "$JOBS"
