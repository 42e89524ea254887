#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the lit suite
# (FileCheck, by pipeline stage, end to end) and the GoogleTest unit tests.
# Exits non-zero on any failure; the last line is "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR

"$ROOT/scripts/setup.sh" || exit 1
"$ROOT/scripts/build.sh" || { echo "test: build failed" >&2; exit 1; }

passed=0
failed=0

# lit: parse its summary counts.
LIT=/usr/lib/llvm-22/bin/lit
lit_out="$(mktemp)"
"$LIT" -v "$BUILD_DIR/test" 2>&1 | tee "$lit_out"
lit_rc=${PIPESTATUS[0]}
# lit's summary lines look like "  Passed: 66 (100.00%)".
lit_count() {
  grep -E "^ *($1) *: *[0-9]+" "$lit_out" | sed -E 's/^[^:]*: *([0-9]+).*/\1/' |
    awk '{s += $1} END {print s + 0}'
}
lit_pass=$(lit_count 'Passed')
lit_fail=$(lit_count 'Failed|Unresolved|Timed Out|Unexpectedly Passed')
passed=$((passed + ${lit_pass:-0}))
failed=$((failed + ${lit_fail:-0}))
if [ "$lit_rc" -ne 0 ] && [ "${lit_fail:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
rm -f "$lit_out"

# GoogleTest through ctest.
ctest_out="$(mktemp)"
(cd "$BUILD_DIR" && ctest --output-on-failure 2>&1) | tee "$ctest_out"
ctest_rc=${PIPESTATUS[0]}
ct_total=$(grep -Eo 'tests passed, [0-9]+ tests failed out of [0-9]+' "$ctest_out" | awk '{print $NF}')
ct_fail=$(grep -Eo '[0-9]+ tests failed out of' "$ctest_out" | awk '{print $1}')
if [ -n "${ct_total:-}" ]; then
  passed=$((passed + ct_total - ct_fail))
  failed=$((failed + ct_fail))
elif [ "$ctest_rc" -ne 0 ]; then
  failed=$((failed + 1))
fi
rm -f "$ctest_out"

echo
echo "lit and unit tests:"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
