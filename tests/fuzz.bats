#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, status
# A short smoke run of each libFuzzer target (`make fuzz` runs them long):
# every committed seed, the regressions among them, then fresh inputs for
# a few seconds, with ASan and UBSan.  New inputs go to a temporary
# directory, never to the committed seeds.

load lib/common

# smoke TARGET: build it, run it over its seeds and fuzz for a while
smoke() {
	local t=$1 runs
	make -s -C "$TOP" "build/fuzz/fuzz_$t" >/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/new"
	run "$TOP/build/fuzz/fuzz_$t" -runs=20000 -max_total_time=8 -seed=1 \
		-max_len=4096 -timeout=10 -dict="$TOP/fuzz/$t.dict" \
		-artifact_prefix="$BATS_TEST_TMPDIR/" \
		"$BATS_TEST_TMPDIR/new" "$TOP/fuzz/corpus/$t"
	printf '%s\n' "$output" | grep -E 'ERROR|runtime error|fuzz_|Done' || true
	[ "$status" -eq 0 ]
	# it did run: every seed, and fresh inputs after them
	runs=$(printf '%s\n' "$output" | sed -nE 's/^Done ([0-9]+) runs.*/\1/p')
	[ -n "$runs" ]
	[ "$runs" -ge 1000 ]
	[[ "$output" == *"INITED"* ]]
}

@test "fuzz_ifread: the seeds and a smoke run, no sanitizer report" {
	smoke ifread
}

@test "fuzz_offline: the seeds and a smoke run, no sanitizer report" {
	smoke offline
}

@test "fuzz_klog: the seeds and a smoke run, no sanitizer report" {
	smoke klog
}

@test "fuzz: the committed seeds are named ones, under 1 MB in all" {
	local bytes
	bytes=$(du -sb "$TOP/fuzz/corpus" | cut -f1)
	[ "$bytes" -lt 1048576 ]
	# libFuzzer names what it writes by SHA-1: none of that belongs here
	# (it writes to the first directory it is given)
	[ -z "$(find "$TOP/fuzz/corpus" -type f -regextype posix-extended \
		-regex '.*/[0-9a-f]{40}')" ]
}
