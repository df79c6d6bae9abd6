#!/bin/sh
# shellcheck disable=SC2016 # backquotes are Markdown in this file
# selftest.sh: the kernel matrix's test of itself. Runs kmatrix/run.sh on
# the oldest and the newest kernel with only the selftest package
# (kmatrix/selftest, whose TestDeliberateFailureBefore6 fails on kernels
# older than 6.0 without detecting anything) and requires that
#   - run.sh exits non-zero,
#   - the table shows that package failing on 5.10 and not on 7,
#   - the failures name that test on 5.10 and nothing else,
#   - the deliberate skip is listed with its reason on both kernels.
# Run as root: sh kmatrix/selftest.sh [OUTDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$(mktemp -d "${TMPDIR:-/tmp}/nlkit-kmatrix-selftest.XXXXXX")}
fail() {
	printf 'kmatrix-selftest: FAIL: %s\n' "$*" >&2
	exit 1
}

status=0
NLKIT_MATRIX_SELFTEST=1 sh "$here/run.sh" -k 5.10,7 -p none -o "$out" >"$out.log" 2>&1 || status=$?
report="$out/KERNEL-MATRIX.md"
[ -f "$report" ] || { cat "$out.log" >&2; fail "no report"; }
sed -n '/^## Kernels/,/^## Modules/p' "$report"
[ "$status" != 0 ] || fail "run.sh exited 0 although a test failed on 5.10"

# Both kernels ran to their end.
[ "$(grep -c '| ran to the end |' "$report")" = 2 ] || fail "not both kernels ran to their end"
# The table: columns 5.10 then 7.
row=$(grep -m 1 '^| kmatrix/selftest |' "$report") || fail "no table row for kmatrix/selftest"
case $row in
'| kmatrix/selftest | **1 / 1 / 1** | 2 / 0 / 1 |') ;;
*) fail "table row is '$row', want '| kmatrix/selftest | **1 / 1 / 1** | 2 / 0 / 1 |'" ;;
esac
# The failures: exactly the deliberate one, on 5.10.
fails=$(sed -n '/^## Failures/,/^## Skips/p' "$report" | grep '^- ' || true)
[ "$(printf '%s\n' "$fails" | grep -c .)" = 1 ] || fail "want exactly one failure, got: $fails"
case $fails in
'- **5.10** kmatrix/selftest `TestDeliberateFailureBefore6`') ;;
*) fail "the failure is '$fails'" ;;
esac
sed -n '/^## Failures/,/^## Skips/p' "$report" | grep -q 'older than 6.0 (a deliberate failure' ||
	fail "the failure's message is not in the report"
# The skip, with its reason, on both kernels.
grep -q '^- kmatrix/selftest `TestSkipIsReported` \[5.10, 7\]: kernel feature absent: the matrix selftest' "$report" ||
	fail "the deliberate skip is not listed with its reason for both kernels"
echo "kmatrix-selftest: PASS: the deliberate failure shows on 5.10 only (report: $report)"
