#!/usr/bin/env bash
# The Debian packages the project builds with, and ensure_deb_packages, which installs those of
# its arguments that are missing (apt-get; sudo when not root). Sourced by setup.sh and
# sanitize.sh.

# the regular build (GCC), its tests and the Python module
TELECOMPLY_DEB_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-graph-dev nlohmann-json3-dev doctest-dev libre2-dev libcli11-dev libsqlite3-dev
  libssl-dev libvalijson-dev libhowardhinnant-date-dev libsimdjson-dev libgoogle-perftools-dev libcsv-dev tzdata
  python3 python3-venv python3-dev
  openjdk-17-jre-headless  # Spark's runtime: telecomply.spark and tests/python/test_spark.py
  chromium  # the browser Playwright drives in tests/python/test_server_browser.py (none downloaded)
)
# the sanitizer and fuzzing build: clang 14, its runtimes (ASan, UBSan, libFuzzer:
# libclang_rt.fuzzer-x86_64.a is in libclang-rt-14-dev) and llvm-symbolizer for stack traces
TELECOMPLY_CLANG_PACKAGES=(clang-14 libclang-rt-14-dev llvm-14)

ensure_deb_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "== installing Debian packages: ${missing[*]}"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}
