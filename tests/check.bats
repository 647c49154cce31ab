#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# check: the offload lines of the configuration and, in a private
# namespace, the live state of the ports they name.

load lib/common
load lib/config

setup() {
	config_setup
	use_fixture pve8.interfaces
}

teardown() {
	ns_teardown
}

# add LINE to vmbr0's stanza, after bridge-fd
add_line() {
	sed -i "0,/^\tbridge-fd 0\$/s##\tbridge-fd 0\n\t$1#" "$IF"
}

@test "check --no-live: a persisted line is well formed" {
	"$NICFIX" -q -i "$IF" persist vmbr0
	run -0 --separate-stderr "$NICFIX" -i "$IF" check --no-live
	[ "$output" = "$IF:15: vmbr0: eno1: ok (config only)" ]
	[ -z "$stderr" ]
}

@test "check with no offload lines says so and exits 0" {
	run -0 "$NICFIX" -i "$IF" check --no-live
	[ "$output" = "$IF: no offload lines" ]
}

@test "an unguarded line is a warning: it can fail ifup of the bridge" {
	add_line "post-up ethtool -K eno1 tso off gso off gro off"
	run -0 --separate-stderr "$NICFIX" -i "$IF" check --no-live
	[[ "$stderr" == *"$IF:15: vmbr0: 'ethtool -K eno1 tso off gso off gro off' fails ifup of vmbr0 when it fails; add '|| true'"* ]]
}

@test "conflicting, malformed, duplicate and stray lines are problems: exit 1" {
	add_line "post-up ethtool -K eno1 tso on || true"
	run -1 --separate-stderr "$NICFIX" -i "$IF" check --no-live
	[[ "$stderr" == *"$IF:15: vmbr0: turns tso on"* ]]
	use_fixture pve8.interfaces
	add_line "post-up ethtool -K eno1 tso"
	run -1 --separate-stderr "$NICFIX" -i "$IF" check --no-live
	[[ "$stderr" == *"without on or off"* ]]
	use_fixture pve8.interfaces
	add_line "post-up ethtool -K eno1 tso off || true"
	add_line "post-up ethtool -K eno1 gro off || true"
	run -1 --separate-stderr "$NICFIX" -i "$IF" check --no-live
	[[ "$stderr" == *"duplicate of line 15"* ]]
	use_fixture pve8.interfaces
	add_line "post-up ethtool -K eno2 tso off || true"
	run -1 --separate-stderr "$NICFIX" -i "$IF" check --no-live
	[[ "$stderr" == *"eno2 is not behind the bridge"* ]]
}

@test "check of an unknown bridge is exit 2" {
	run -2 --separate-stderr "$NICFIX" -i "$IF" check vmbr9
	[[ "$stderr" == *"no stanza for bridge 'vmbr9'"* ]]
}

@test "check --json parses" {
	"$NICFIX" -q -i "$IF" persist vmbr0
	run -0 --separate-stderr "$NICFIX" --json -i "$IF" check --no-live
	echo "$output" | jq -e '.ok == true and .lines[0].port == "eno1" and .lines[0].guarded == true and .lines[0].line == 15'
}

@test "live: drift is reported per port and feature; --apply fixes it without a bounce" {
	ns_setup
	"$NICFIX" -q -i "$IF" persist vmbr0
	run -1 --separate-stderr ns "$NICFIX" -i "$IF" check
	[[ "$stderr" == *"$IF:15: vmbr0: eno1: still on: tx-generic-segmentation"*"tx-tcp-segmentation"* ]]
	[ "$(feature eno1 tx-tcp-segmentation)" = on ]
	local carrier
	carrier=$(ns cat /sys/class/net/vmbr0/carrier_changes)
	run -0 ns "$NICFIX" -i "$IF" check --apply
	[[ "$output" == *"eno1: drift re-applied"* ]]
	[ "$(feature eno1 tx-tcp-segmentation)" = off ]
	[ "$(feature eno1 generic-segmentation-offload)" = off ]
	[ "$(ns cat /sys/class/net/vmbr0/carrier_changes)" = "$carrier" ]
	run -0 ns "$NICFIX" -i "$IF" check
	[ "$output" = "$IF:15: vmbr0: eno1: ok" ]
	run -0 --separate-stderr ns "$NICFIX" --json -i "$IF" check
	echo "$output" | jq -e '.lines[0].live == "ok"'
}

@test "live: a port that does not exist is a finding" {
	ns_setup
	ns ip link del eno1
	"$NICFIX" -q -i "$IF" persist vmbr0
	run -1 --separate-stderr ns "$NICFIX" -i "$IF" check
	[[ "$stderr" == *"vmbr0: eno1: no such interface"* ]]
}

@test "persist --apply writes the line and turns the features off now" {
	ns_setup
	run -0 ns "$NICFIX" -i "$IF" persist --apply vmbr0
	[[ "$output" == *"added"* ]]
	[[ "$output" == *"eno1: tso gso gro off (turned off: tso gso)"* ]]
	[ "$(feature eno1 tx-tcp-segmentation)" = off ]
}

@test "the reader parses every corpus file" {
	[ -d "$CORPUS_DIR" ] || skip "no corpus at $CORPUS_DIR"
	local f n=0
	for f in "$CORPUS_DIR"/*.interfaces; do
		run "$NICFIX" -i "$f" check --no-live
		if [ "$status" -eq 2 ] || [ "$status" -eq 3 ]; then
			echo "$f: $output" >&2
			return 1
		fi
		n=$((n + 1))
	done
	[ "$n" -eq 59 ]
}
