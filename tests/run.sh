#!/bin/bash
# The whole test run of `make check`: shellcheck, the C unit tests, the
# lens tests and every bats suite, against the ASan/UBSan build.  Ends
# with one line "N passed, N failed"; exits non-zero on any failure.
# As root (always, in CI) a skipped test counts as a failure: there
# every namespace test can run, so a skip would hide a missing check.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 3

start=$SECONDS
passed=0
failed=0
strict_skips=0
[ "$(id -u)" -eq 0 ] && strict_skips=1

# add_counts OUTPUT: take the "N passed, N failed" line a step printed
add_counts() {
	local line p f
	line=$(printf '%s\n' "$1" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		echo "# step printed no result line: counted as a failure"
		return
	fi
	p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$line")
	passed=$((passed + p))
	failed=$((failed + f))
}

# step NAME CMD...: run a step that prints its own counts
step() {
	local name=$1 out rc
	shift
	echo "== $name"
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	add_counts "$out"
	if [ "$rc" -ne 0 ] && ! grep -Eq '[1-9][0-9]* failed' <<<"$out"; then
		failed=$((failed + 1))
		echo "# $name exited $rc"
	fi
}

step lint bash tests/lint.sh
step unit build/asan/unit
step unit-klog build/asan/unit-klog
step unit-watch build/asan/unit-watch
if [ -f lenses/run-tests.sh ]; then
	step lens bash lenses/run-tests.sh
fi

echo "== bats"
tap=$(bats --formatter tap tests/*.bats 2>&1)
printf '%s\n' "$tap"
ok=$(grep -cE '^ok [0-9]+' <<<"$tap")
skipped=$(grep -cE '^ok [0-9]+ .*# skip' <<<"$tap")
notok=$(grep -cE '^not ok [0-9]+' <<<"$tap")
planned=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' <<<"$tap" | head -n1)
if [ "$strict_skips" -eq 1 ]; then
	ok=$((ok - skipped))
	notok=$((notok + skipped))
	[ "$skipped" -gt 0 ] && echo "# $skipped skipped as root: counted as failures"
fi
passed=$((passed + ok))
failed=$((failed + notok))
if [ -z "$planned" ] || [ "$(grep -cE '^(not )?ok [0-9]+' <<<"$tap")" -lt "$planned" ]; then
	echo "# bats did not run its whole plan"
	failed=$((failed + 1))
fi

echo "# tests took $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
