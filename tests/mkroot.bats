#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# tests/lib/mkroot.sh must not depend on which descriptors its caller has
# open: mmdebstrap's apt runs `cat >&N` through dash, which fails on a
# two-digit N, so a build started from inside bats (fds 3 and 4) failed on
# a fresh machine while a cached root hid it.  A stand-in for mmdebstrap
# records what it inherits; the real build runs in the suites that need a
# root, into an empty cache in CI.

load lib/common

setup() {
	PROBE="$BATS_TEST_TMPDIR/mmdebstrap"
	FDS="$BATS_TEST_TMPDIR/fds"
	# list the descriptors this shell inherited (ls, a child, reads them,
	# with no pipe open in this shell meanwhile; 255 is bash's own hold on
	# the script), keep stdin, and make the target as mmdebstrap would
	cat >"$PROBE" <<-'SH'
		#!/bin/bash
		ls /proc/$$/fd >"$PROBE_OUT.all"
		grep -vx 255 "$PROBE_OUT.all" >"$PROBE_OUT"
		cat >"$PROBE_OUT.stdin"
		mkdir -p "${@: -2:1}"
	SH
	chmod +x "$PROBE"
	export NICFIX_MMDEBSTRAP=$PROBE PROBE_OUT=$FDS
	export NICFIX_ROOT_CACHE=$BATS_TEST_TMPDIR/cache
}

# mkroot: run mkroot.sh with descriptors 3 to 13 open, as a busy caller has
mkroot() {
	bash "$TOP/tests/lib/mkroot.sh" "$@" 5</dev/null 6</dev/null 7</dev/null \
		8</dev/null 9</dev/null 10</dev/null 11</dev/null 12</dev/null \
		13</dev/null
}

@test "mkroot: mmdebstrap inherits only stdin, stdout and stderr" {
	run --separate-stderr mkroot fdtest ifupdown2
	[ "$status" -eq 0 ]
	[ -f "$output/.nicfix-complete" ]
	fds=$(sort -n "$FDS" | tr '\n' ' ')
	echo "inherited: $fds"
	[ "$fds" = "0 1 2 " ]
	grep -q ' bookworm main$' "$FDS.stdin"
}

@test "mkroot: the suite is part of the key and of the sources" {
	run --separate-stderr env NICFIX_ROOT_SUITE=trixie bash "$TOP/tests/lib/mkroot.sh" suite
	[ "$status" -eq 0 ]
	[[ "$output" == */suite-trixie-* ]]
	grep -q ' trixie main$' "$FDS.stdin"
	run ! grep -q bookworm "$FDS.stdin"
	run --separate-stderr bash "$TOP/tests/lib/mkroot.sh" suite
	[[ "$output" == */suite-bookworm-* ]]
}

@test "mkroot: a cached root is reused, not rebuilt" {
	run --separate-stderr mkroot again
	[ "$status" -eq 0 ]
	first=$output
	rm -f "$FDS"
	run --separate-stderr mkroot again
	[ "$output" = "$first" ]
	[ ! -e "$FDS" ]
}
