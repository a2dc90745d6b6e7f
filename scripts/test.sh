#!/usr/bin/env bash
# Every test: builds (installing what is missing), runs the C++ tests, the ruleset test cases and
# the examples (ctest), then builds the wheel, installs it into a fresh virtual environment and
# runs the Python tests against the installed package; then the sanitizer and fuzzing step
# (scripts/sanitize.sh: clang, ASan + UBSan, each fuzz target for TELECOMPLY_FUZZ_SECONDS;
# TELECOMPLY_SKIP_SANITIZE=1 leaves it out).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/setup.sh"

echo "== C++ tests, ruleset cases and examples (ctest)"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"

echo "== wheel: build, install into a fresh environment, run the Python tests against it"
WHEEL_DIR=$BUILD/wheel
rm -rf "$WHEEL_DIR" "$BUILD/venv-test"
"$VENV/bin/python" -m pip wheel -q --no-deps --no-build-isolation -w "$WHEEL_DIR" "$ROOT" \
  --config-settings=build-dir="$BUILD/skbuild"
"$VENV/bin/python" -m venv "$BUILD/venv-test"
wheel=$(ls "$WHEEL_DIR"/telecomply-*.whl)
"$BUILD/venv-test/bin/python" -m pip install -q "${wheel}[test]"
# run from outside the source tree so that the installed package, not the sources, is imported
(cd "$BUILD" && "$BUILD/venv-test/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/python")

if [[ ${TELECOMPLY_SKIP_SANITIZE:-0} == 1 ]]; then
  echo "== sanitizers and fuzzing skipped (TELECOMPLY_SKIP_SANITIZE=1)"
else
  echo "== sanitizers and fuzzing (scripts/sanitize.sh)"
  "$ROOT/scripts/sanitize.sh"
fi
echo "== all tests passed"
