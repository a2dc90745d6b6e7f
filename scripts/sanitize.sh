#!/usr/bin/env bash
# The checking build: clang 14 with AddressSanitizer + UndefinedBehaviorSanitizer (any undefined
# behaviour fatal, LeakSanitizer on), in build-asan/. Installs what is missing (apt-get), builds,
# runs every ctest test under the sanitizers (the doctest suite, the command-line tests, the
# crash check, and a replay of each fuzz target's committed corpus), then runs each libFuzzer
# target of tests/fuzz for a bounded time and prints its executions. Fails on any test failure,
# sanitizer report, leak, crash, timeout or out-of-memory. Called by test.sh (CI).
#
#   scripts/sanitize.sh                       # everything; each fuzz target for 60 s
#   TELECOMPLY_FUZZ_SECONDS=300 scripts/sanitize.sh        # a longer campaign
#   TELECOMPLY_FUZZ_TARGETS="cel_eval ruleset" scripts/sanitize.sh   # some targets only
#   TELECOMPLY_FUZZ_SECONDS=0 scripts/sanitize.sh          # the tests only, no fuzzing
#
# Time on the 2-core machine from an empty build-asan/, measured one job at a time
# (TELECOMPLY_JOBS=1, other work on the machine): build 14.2 min, ctest 1.5 min, fuzzing 7 x 60 s
# 7.2 min: 23 min. With both cores (TELECOMPLY_JOBS=2, the default, as in CI): build ~7 min,
# ctest ~1 min, fuzzing two at a time ~3.6 min: ~12 min. test.sh before this step: ~8.5 min.
#
# New inputs the fuzzers find go to build-asan/fuzz/corpus/<target>/ (not into the repository);
# a crashing input goes to build-asan/fuzz/artifacts/<target>/ and the log names it. Make it a
# regression test (docs/testing.md) before committing a fix.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TELECOMPLY_ASAN_BUILD_DIR:-$ROOT/build-asan}
JOBS=${TELECOMPLY_JOBS:-$(nproc)}
FUZZ_SECONDS=${TELECOMPLY_FUZZ_SECONDS:-60}
SECONDS=0
took() { echo "   ($1: $((SECONDS / 60)) min $((SECONDS % 60)) s since the start)"; }

source "$ROOT/scripts/packages.sh"
ensure_deb_packages "${TELECOMPLY_DEB_PACKAGES[@]}" "${TELECOMPLY_CLANG_PACKAGES[@]}"

echo "== building with clang 14, ASan + UBSan, in $BUILD"
# Debug keeps assertions; -O1 keeps the fuzzers fast enough. No Python module (it would need a
# sanitized interpreter), no benchmarks, and no tcmalloc (CMakeLists.txt leaves it out).
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DTELECOMPLY_SANITIZE=ON -DTELECOMPLY_FUZZ=ON \
  -DTELECOMPLY_BUILD_PYTHON=OFF -DTELECOMPLY_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD" -j "$JOBS"
took "built"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-14 || true)}

echo "== tests under ASan + UBSan (ctest)"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"
took "tested"

if [[ $FUZZ_SECONDS -le 0 ]]; then
  echo "== sanitizer tests passed (fuzzing skipped: TELECOMPLY_FUZZ_SECONDS=$FUZZ_SECONDS)"
  exit 0
fi

# One target: fresh inputs into the work corpus, the committed corpus read too.
fuzz_one() {
  local t=$1 work=$BUILD/fuzz/corpus/$1 artifacts=$BUILD/fuzz/artifacts/$1/
  local dict=$ROOT/tests/fuzz/$t.dict args=()
  mkdir -p "$work" "$artifacts"
  [[ -f $dict ]] && args+=("-dict=$dict")
  local status=0
  # scratch files (rulesets folders, calendars) of the targets: under the build, not /tmp
  TMPDIR=$BUILD/fuzz/tmp "$BUILD/tests/fuzz/fuzz_$t" "${args[@]}" \
    -max_total_time="$FUZZ_SECONDS" -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$work" "$ROOT/tests/fuzz/corpus/$t" \
    >"$BUILD/fuzz/$t.log" 2>&1 || status=$?
  echo "$status" >"$BUILD/fuzz/$t.status"
}

targets=${TELECOMPLY_FUZZ_TARGETS:-$(ls "$ROOT"/tests/fuzz/fuzz_*.cpp | sed 's|.*/fuzz_||; s|\.cpp$||')}
mkdir -p "$BUILD/fuzz/tmp"
echo "== fuzzing each target for $FUZZ_SECONDS s, $JOBS at a time: $(echo $targets)"
for t in $targets; do
  rm -f "$BUILD/fuzz/$t.status"
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
  fuzz_one "$t" &
done
wait

took "fuzzed"
failed=()
for t in $targets; do
  status=$(cat "$BUILD/fuzz/$t.status" 2>/dev/null || echo "?")
  log=$BUILD/fuzz/$t.log
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(ls "$BUILD/fuzz/corpus/$t" | wc -l)
  if [[ $status == 0 ]]; then
    printf '   fuzz_%-12s %10s executions in %s s (work corpus: %s inputs)\n' "$t" "${runs:-?}" \
      "$FUZZ_SECONDS" "$corpus"
  else
    printf '   fuzz_%-12s FAILED (exit %s) after %s executions: %s\n' "$t" "$status" \
      "${runs:-?}" "$log"
    grep -E "ERROR: |runtime error|SUMMARY|Test unit written|fuzz_[a-z_]+: " "$log" | head -20 | sed 's/^/      /'
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "== fuzzing found a problem in: ${failed[*]} (inputs in $BUILD/fuzz/artifacts/)"
  exit 1
fi
echo "== sanitizer tests and fuzzing passed"
