#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# The command line: usage, versions and refusals that need no kernel.

load lib/common

@test "--help lists every command and the exit codes" {
	run -0 "$NICFIX" --help
	[[ "$output" == *"status [IFACE...]"* ]]
	[[ "$output" == *"apply IFACE... [-f FEATURES]"* ]]
	[[ "$output" == *"3 system error"* ]]
}

@test "--version prints the package version" {
	run -0 "$NICFIX" --version
	[[ "$output" =~ ^nicfix\ [0-9]+\.[0-9]+ ]]
}

@test "COMMAND --help prints that command's usage" {
	run -0 "$NICFIX" apply --help
	[[ "${lines[0]}" == "usage: nicfix apply IFACE... [-f FEATURES]" ]]
}

@test "no command is a usage error" {
	run -2 --separate-stderr "$NICFIX"
	[[ "$stderr" == *"usage: nicfix"* ]]
}

@test "an unknown command is a usage error naming it" {
	run -2 --separate-stderr "$NICFIX" aply eno1
	[[ "$stderr" == *"unknown command 'aply'"* ]]
}

@test "commands match exactly, never by prefix" {
	run -2 "$NICFIX" stat
}

@test "apply without a port is a usage error" {
	run -2 --separate-stderr "$NICFIX" apply
	[[ "$stderr" == *"no port given"* ]]
}

@test "an unknown option is a usage error" {
	run -2 "$NICFIX" apply --frobnicate eno1
}

@test "invalid interface names are refused before the kernel is asked" {
	local name
	# shellcheck disable=SC2016 # the names are literal on purpose
	for name in "" "abcdefghijklmnop" "eno/1" "eno1:0" "eno 1" \
		"eno1;reboot" '$(reboot)' '`id`' "eno1|x" "-eno1" "." ".."; do
		run -2 --separate-stderr "$NICFIX" apply -- "$name"
		[[ "$stderr" == *"invalid interface name"* ]]
		[ -z "$output" ]
	done
	# and the refusal comes before any socket is opened
	ASAN_OPTIONS=detect_leaks=0 run -2 strace -f -e trace=socket -o "$BATS_TEST_TMPDIR/trace" \
		"$NICFIX_BIN" apply 'eno1;reboot'
	grep -q 'exited with 2' "$BATS_TEST_TMPDIR/trace"
	run -1 grep 'socket(' "$BATS_TEST_TMPDIR/trace"
}

@test "a newline in an interface name is refused without echoing it" {
	run -2 --separate-stderr "$NICFIX" apply $'eno1\nreboot'
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "nicfix: invalid interface name: white space"* ]]
}

@test "a malformed feature list is refused with the valid short names" {
	run -2 --separate-stderr "$NICFIX" apply -f 'tso;reboot' eno1
	[[ "$stderr" == *"unknown feature 'tso;reboot'"* ]]
	[[ "$stderr" == *"tso, ufo, gso, gro, lro"* ]]
	run -2 --separate-stderr "$NICFIX" apply -f 'tso,,gro' eno1
	[[ "$stderr" == *"invalid feature list"* ]]
}

@test "--json error output is one JSON object with the exit status" {
	run -2 --separate-stderr "$NICFIX" --json apply 'eno1;x'
	echo "$output" | jq -e '.schema == 1 and .command == "apply" and .ok == false and .exit == 2'
	echo "$output" | jq -e '.error.message | test("invalid interface name")'
}

@test "the build tree's binary finds the tree's own lens, with no environment" {
	cp "$TOP/tests/fixtures/interfaces/pve8.interfaces" "$BATS_TEST_TMPDIR/if"
	for bin in "$TOP/build/nicfix" "$TOP/build/asan/nicfix"; do
		run --separate-stderr env -u NICFIX_LENS_DIR "$bin" \
			-i "$BATS_TEST_TMPDIR/if" persist -n vmbr0
		[ "$status" -eq 0 ]
		[[ "$output" == *"+"*"post-up ethtool -K "*" tso off gso off gro off || true"* ]]
	done
}

@test "no lens anywhere: the error names every directory tried and NICFIX_LENS_DIR" {
	cp "$TOP/tests/fixtures/interfaces/pve8.interfaces" "$BATS_TEST_TMPDIR/if"
	NICFIX_LENS_DIR="$BATS_TEST_TMPDIR/a:$BATS_TEST_TMPDIR/b" \
		run -2 --separate-stderr "$NICFIX" -i "$BATS_TEST_TMPDIR/if" persist -n vmbr0
	[[ "$stderr" == *"nicfix_interfaces.aug is in none of: $BATS_TEST_TMPDIR/a, $BATS_TEST_TMPDIR/b (NICFIX_LENS_DIR"* ]]
}
