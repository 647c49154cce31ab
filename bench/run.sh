#!/bin/bash
# run.sh - every benchmark, then one summary table (what "make bench" runs)
#
# Runs bench/hook.sh, bench/persist.sh, bench/diagnose.sh and bench/watch.sh with their
# default sizes (a few minutes on two cores), prints each one's report as
# it goes and then a Markdown table of the figures, ready for the README.
# Each figure is a median of repeated runs, set against a reference
# measured in the same run.  Missing a target is reported, never a
# failure: the exit status is non-zero only when a benchmark could not
# run.  BENCH_FULL=1 also runs augtool on the 20,000-stanza file (~212 s).
#
# usage: bench/run.sh   (root: the hook needs a network namespace)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_need_root run.sh
bench_need "$NICFIX" "$NICFIX_HOOK"

BENCH_SUMMARY=$(mktemp)
export BENCH_SUMMARY
trap 'rm -f "$BENCH_SUMMARY"' EXIT

# The machine, so that figures from different runs can be told apart.
echo "nicfix $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$(uname -r), $(nproc) CPUs: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

failed=()
for b in hook persist diagnose watch; do
	echo
	echo "== $b"
	t0=$SECONDS
	bash "$TOP/bench/$b.sh" || failed+=("$b")
	echo "($((SECONDS - t0)) s)"
done

echo
echo "== summary"
echo "| benchmark | nicfix | reference | ratio | target | peak RSS |"
echo "|---|---|---|---|---|---|"
while IFS='|' read -r what fig ref rat target rss; do
	echo "| $what | $fig | $ref | $rat | $target | $rss |"
done <"$BENCH_SUMMARY"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${#failed[@]}" -gt 0 ]; then
	echo "bench: could not run: ${failed[*]}" >&2
	exit 1
fi
