#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# nicfix check --format nagios|checkmk, for each state, against the real
# kernel in a private namespace (bridge vmbr0, veth port eno1; live state
# read back with ethtool -k): the plugin line, its perfdata and exit code,
# and Checkmk's local-check lines.

load lib/common

setup() {
	ns_setup
	D=$BATS_TEST_TMPDIR
	cat >"$D/persisted" <<-EOF
		auto vmbr0
		iface vmbr0 inet manual
			bridge-ports eno1
			post-up ethtool -K eno1 tso off gso off gro off || true
	EOF
	cat >"$D/bare" <<-EOF
		auto vmbr0
		iface vmbr0 inet manual
			bridge-ports eno1
	EOF
	HANG=$TOP/tests/fixtures/klog/e1000e-journal.log
}

teardown() {
	ns_teardown
}

# chk FILE ARGS...: check in the namespace, stdout only
chk() {
	local f=$1
	shift
	run --separate-stderr ns "$NICFIX" -i "$D/$f" check "$@"
}

# perf NAME: the value of one perfdata label of the plugin line
perf() {
	tr ' ' '\n' <<<"${output##*| }" | awk -F'[=;]' -v n="$1" '$1 == n { print $2 }'
}

@test "nagios OK: covered and off live, exit 0, one line with perfdata" {
	ns ethtool -K eno1 tso off gso off gro off
	chk persisted --format nagios
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "NICFIX OK - 1 NIC covered, offloads off live in 1 bridge | "* ]]
	[ "$(perf nics)" = 1 ]
	[ "$(perf covered)" = 1 ]
	[ "$(perf missing)" = 0 ]
	[ "$(perf findings)" = 0 ]
	# Nagios' grammar: 'label'=value[UOM];warn;crit;min;max, blank-separated
	tr ' ' '\n' <<<"${output##*| }" |
		grep -qvE "^[a-z_]+=[0-9]+;[0-9]*;[0-9]*;[0-9]*;?[0-9]*$" && return 1
	[ "$(grep -o '|' <<<"$output" | wc -l)" -eq 1 ]
}

@test "nagios WARNING: drift, exit 1, the finding and its fix in the text" {
	features_on eno1 tx-tcp-segmentation tx-generic-segmentation rx-gro
	chk persisted --format nagios
	[ "$status" -eq 1 ]
	[[ "$output" == "NICFIX WARNING - vmbr0: eno1: drift: "*"run: nicfix apply eno1"*" | "* ]]
	[ "$(perf drift)" = 1 ]
	[ "$(perf critical)" = 0 ]
	chk bare --format nagios --no-live
	[ "$status" -eq 1 ]
	[[ "$output" == "NICFIX WARNING - vmbr0: eno1: "*"run: nicfix persist vmbr0 eno1 | "* ]]
	[ "$(perf missing)" = 1 ]
}

@test "nagios CRITICAL: a hang this boot with the offloads still on, exit 2" {
	features_on eno1 tx-tcp-segmentation tx-generic-segmentation rx-gro
	chk persisted --format nagios --input "$HANG"
	[ "$status" -eq 2 ]
	[[ "$output" == "NICFIX CRITICAL - vmbr0: eno1: "* ]]
	[ "$(perf critical)" -ge 1 ]
	[ "$(perf hangs)" -ge 1 ]
	# the same hang with the offloads off is no longer critical
	ns ethtool -K eno1 tso off gso off gro off
	chk persisted --format nagios --input "$HANG"
	[ "$status" -eq 0 ]
	[[ "$output" == "NICFIX OK - "* ]]
}

@test "nagios UNKNOWN: check cannot run, exit 3, still one line on stdout" {
	chk none --format nagios
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "NICFIX UNKNOWN - check could not run: $D/none: No such file or directory" ]]
	[[ "$stderr" == *"No such file or directory"* ]]
}

@test "checkmk: one service per NIC with its metrics, and each state" {
	ns ethtool -K eno1 tso off gso off gro off
	chk persisted --format checkmk
	[ "$status" -eq 0 ]
	[ "$output" = '0 "nicfix eno1" missing=0;1|drift=0;1|hangs=0 vmbr0: tso gso gro off' ]
	features_on eno1 rx-gro
	chk persisted --format checkmk
	[ "$status" -eq 1 ]
	[[ "$output" == '1 "nicfix eno1" missing=0;1|drift=1;1|hangs=0 vmbr0: eno1: drift: '* ]]
	chk persisted --format checkmk --input "$HANG"
	[[ "$output" == '2 "nicfix eno1" '*'hangs='[1-9]* ]]
	chk none --format checkmk
	[ "$output" = "3 \"nicfix\" - check could not run: $D/none: No such file or directory" ]
}

@test "checkmk: two bridges, a service for each NIC; every line is STATUS \"NAME\" METRICS TEXT" {
	add_port eno2
	ns ip link add vmbr1 type bridge
	ns ip link set eno2 master vmbr1
	cat >>"$D/persisted" <<-EOF

		auto vmbr1
		iface vmbr1 inet manual
			bridge-ports eno2
	EOF
	ns ethtool -K eno1 tso off gso off gro off
	chk persisted --format checkmk vmbr0 vmbr1
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == '0 "nicfix eno1" '* ]]
	[[ "${lines[1]}" == '1 "nicfix eno2" missing=3;1|'* ]]
	local l
	for l in "${lines[@]}"; do
		grep -qE '^[0-3] "nicfix [^"]+" ([a-z_]+=[0-9]+(;[0-9]*)*(\|[a-z_]+=[0-9]+(;[0-9]*)*)*|-) .+$' <<<"$l"
	done
}

@test "--format: an unknown one, or with --json, is a usage error" {
	chk persisted --format html
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--format: text, nagios or checkmk"* ]]
	run --separate-stderr ns "$NICFIX" --json -i "$D/persisted" check --format nagios
	[ "$status" -eq 2 ]
	echo "$output" | jq -e '.exit == 2'
}
