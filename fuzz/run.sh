#!/bin/bash
# fuzz/run.sh TARGET... - run each libFuzzer target for FUZZ_TIME seconds,
# one after the other, and print its executions and crashes.
#
# Each run starts from the committed seeds (fuzz/corpus/TARGET), the
# shared real-world corpus when it is there (read, never copied: it is
# third-party data), and what earlier runs found (build/fuzz/corpus/TARGET,
# where new inputs go).  One process per target: the machine is shared.
# Crashes are saved as build/fuzz/artifacts/TARGET-crash-*; the exit
# status is 1 when there was any.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 3

time=${FUZZ_TIME:-120}
shared=$(cd .. && pwd)/shared/corpus
total=0
crashes=0

# extra_seeds TARGET: the shared corpus directory for TARGET, if any
extra_seeds() {
	case "$1" in
	ifread) [ -d "$shared/interfaces" ] && echo "$shared/interfaces" ;;
	klog) [ -d "$shared/kernel-logs" ] && echo "$shared/kernel-logs" ;;
	esac
	return 0
}

for t in "$@"; do
	bin=build/fuzz/fuzz_$t
	scratch=build/fuzz/corpus/$t
	art=build/fuzz/artifacts
	log=build/fuzz/$t.log
	mkdir -p "$scratch" "$art"
	before=$(find "$art" -name "$t-*" | wc -l)
	seeds=(fuzz/corpus/"$t")
	extra=$(extra_seeds "$t")
	[ -n "$extra" ] && seeds+=("$extra")
	echo "== fuzz_$t: ${time}s from ${seeds[*]} and $scratch"
	"$bin" -max_total_time="$time" -max_len=4096 -timeout=10 \
		-rss_limit_mb=2048 -dict="fuzz/$t.dict" -print_final_stats=1 \
		-artifact_prefix="$art/$t-" "$scratch" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -n1)
	found=$(($(find "$art" -name "$t-*" | wc -l) - before))
	# a run that died without a saved input is a crash all the same
	[ "$rc" -ne 0 ] && [ "$found" -eq 0 ] && found=1
	echo "fuzz_$t: ${execs:-0} executions, $found crashes (log: $log)"
	[ "$found" -gt 0 ] && grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_|.*runtime error)' "$log" | head -n5
	total=$((total + ${execs:-0}))
	crashes=$((crashes + found))
done
echo "fuzz: $total executions, $crashes crashes"
[ "$crashes" -eq 0 ]
