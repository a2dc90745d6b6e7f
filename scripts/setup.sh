#!/usr/bin/env bash
# Installs what is missing and builds. Sourced by demo.sh and test.sh; safe to run again.
#   Debian packages (apt-get; sudo when not root), a Python virtual environment in .venv with
#   the build and test requirements, then a CMake build in build/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TELECOMPLY_BUILD_DIR:-$ROOT/build}
VENV=${TELECOMPLY_VENV:-$ROOT/.venv}

DEB_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-graph-dev nlohmann-json3-dev doctest-dev libre2-dev libcli11-dev libsqlite3-dev
  libssl-dev libvalijson-dev libhowardhinnant-date-dev libsimdjson-dev libgoogle-perftools-dev tzdata
  python3 python3-venv python3-dev
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

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
