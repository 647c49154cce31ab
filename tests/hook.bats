#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# nicfix-hook: run directly with the environment ifupdown gives, and in
# udev's port mode (the real ifupdown runs it in tests/ifupdown.bats).

load lib/common
load lib/config

HOOK=${HOOK:-$TOP/build/asan/nicfix-hook}
OFF_LINE="post-up ethtool -K eno1 tso off gso off gro off || true"

setup() {
	config_setup
	use_fixture pve8.interfaces
	export NICFIX_INTERFACES="$IF" NICFIX_HOOK_STDERR=1
	unset NICFIX_STRICT
}

# hook IFACE [PHASE [MODE]]: run the hook as ifupdown does, in the namespace
hook() {
	ns env IFACE="$1" PHASE="${2:-post-up}" MODE="${3:-start}" ADDRFAM=inet \
		"$HOOK"
}

@test "the hook links libmnl and not Augeas" {
	run -0 ldd "$TOP/build/nicfix-hook"
	[[ "$output" == *libmnl* ]]
	[[ "$output" != *augeas* ]]
}

@test "MODE=start PHASE=post-up: the features go off, one INFO line per port, exit 0" {
	ns_setup
	"$NICFIX" -q -i "$IF" persist vmbr0
	tgg_on
	run -0 --separate-stderr hook vmbr0
	tgg_are off
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "nicfix: vmbr0: eno1: tso gso gro off (turned off: tso gso gro)" ]
	run -0 --separate-stderr hook vmbr0
	[ "$stderr" = "nicfix: vmbr0: eno1: tso gso gro off (already off)" ]
}

@test "MODE=stop, lo, --all, PHASE=up, a bridge without lines: exit 0, nothing touched" {
	ns_setup
	"$NICFIX" -q -i "$IF" persist vmbr0
	tgg_on
	run -0 --separate-stderr hook vmbr0 post-up stop
	run -0 --separate-stderr hook lo
	[ -z "$stderr" ]
	run -0 --separate-stderr hook --all
	[ -z "$stderr" ]
	run -0 --separate-stderr hook vmbr0 up
	[ -z "$stderr" ]
	run -0 --separate-stderr hook vmbr1
	[ -z "$stderr" ]
	run -0 --separate-stderr hook eno1
	[ -z "$stderr" ]
	[ "$(feature eno1 tx-tcp-segmentation)" = on ]
	[ "$(feature eno1 generic-receive-offload)" = on ]
}

@test "faults: missing port, broken file, missing file warn and exit 0; no stanza is silent" {
	ns_setup
	sed -i "s/^\tbridge-fd 0\$/\tbridge-fd 0\n\t${OFF_LINE//eno1/eno7}/" "$IF"
	run -0 --separate-stderr hook vmbr0
	[[ "$stderr" == "nicfix: warning: vmbr0: eno7: no such interface"* ]]
	NICFIX_STRICT=1 run -1 hook vmbr0

	printf '\tbridge-ports eno1\niface vmbr0 inet manual\n' >"$IF"
	run -0 --separate-stderr hook vmbr0
	[[ "$stderr" == "nicfix: warning: vmbr0: $IF:1: option 'bridge-ports' outside of a stanza" ]]
	NICFIX_STRICT=1 run -2 hook vmbr0

	NICFIX_INTERFACES="$T/none" run -0 --separate-stderr hook vmbr0
	[[ "$stderr" == "nicfix: warning: vmbr0: "*"No such file or directory"* ]]
	NICFIX_INTERFACES="$T/none" NICFIX_STRICT=1 run -3 hook vmbr0

	# no stanza: nothing to do (ifupdown2 runs the hooks for the ports
	# it brings up, which have none), even under NICFIX_STRICT=1
	use_fixture pve8.interfaces
	NICFIX_STRICT=1 run -0 --separate-stderr hook vmbr9
	[ -z "$stderr" ]
}

@test "a bad line warns and the good ones still apply" {
	ns_setup
	add_port eno2 vmbr0
	sed -i "s/^\tbridge-ports eno1\$/\tbridge-ports eno1 eno2/" "$IF"
	sed -i "s/^\tbridge-fd 0\$/\tbridge-fd 0\n\tpost-up ethtool -K eno2 tso || true\n\t$OFF_LINE/" "$IF"
	tgg_on
	run -0 --separate-stderr hook vmbr0
	[[ "$stderr" == *"warning: $IF:15: vmbr0: "*"without on or off"* ]]
	[[ "$stderr" == *"nicfix: vmbr0: eno1: tso gso gro off (turned off: "* ]]
	tgg_are off
	NICFIX_STRICT=1 run -2 hook vmbr0
}

@test "usage errors of the command line are exit 2" {
	run -2 "$HOOK" --port
	run -2 "$HOOK" --port 'a b'
	run -2 "$HOOK" extra
}

# the command the udev rule runs, with $name replaced by NAME
udev_cmd() {
	sed -nE 's/^ACTION=="add", SUBSYSTEM=="net".*RUN\+="([^"]*)".*/\1/p' \
		"$TOP/hooks/85-nicfix.rules" | sed "s/\\\$name/$1/"
}

@test "the udev rule: one add rule for net devices, running the port mode" {
	run -0 udev_cmd eno1
	[ "$output" = "/usr/libexec/nicfix/nicfix-hook --port eno1" ]
	# every non-comment line is a well-formed KEY op "VALUE" list
	run -0 grep -vcE '^(#.*)?$' "$TOP/hooks/85-nicfix.rules"
	[ "$output" = 1 ]
	run -1 grep -vE '^(#.*)?$|^([A-Z]+(\{[a-z_]+\})?(==|!=|\+=|=)"[^"]*"(, |$))+$' \
		"$TOP/hooks/85-nicfix.rules"
}

@test "udev port mode re-applies on a re-added port, and ignores others" {
	ns_setup
	"$NICFIX" -q -i "$IF" persist vmbr0
	ns ip link del eno1
	add_port eno1 vmbr0
	tgg_on
	local cmd
	read -ra cmd <<<"$(udev_cmd eno1)"
	cmd[0]=$HOOK
	run -0 --separate-stderr ns env -i NICFIX_INTERFACES="$IF" NICFIX_HOOK_STDERR=1 \
		ASAN_OPTIONS="$ASAN_OPTIONS" ACTION=add SUBSYSTEM=net INTERFACE=eno1 \
		"${cmd[@]}"
	[[ "$stderr" == "nicfix: vmbr0: eno1: tso gso gro off (turned off: "* ]]
	tgg_are off
	add_port eno2
	run -0 --separate-stderr ns env ACTION=add INTERFACE=eno2 "$HOOK" --port eno2
	[ -z "$stderr" ]
}

teardown() {
	ns_teardown
}

@test "a bridge with inet and inet6 stanzas is handled once per bridge up" {
	ns_setup
	use_fixture dual-stack.interfaces
	ns ip link set eno1 name enp0s31f6
	"$NICFIX" -q -i "$IF" persist vmbr0
	features_on enp0s31f6 tx-tcp-segmentation
	# ifupdown: one run per family; only the inet one (the stanza with
	# the line) acts
	run -0 --separate-stderr ns env IFACE=vmbr0 PHASE=post-up MODE=start \
		ADDRFAM=inet6 "$HOOK"
	[ -z "$stderr" ]
	[ "$(feature enp0s31f6 tx-tcp-segmentation)" = on ]
	run -0 --separate-stderr ns env IFACE=vmbr0 PHASE=post-up MODE=start \
		ADDRFAM=inet "$HOOK"
	[[ "$stderr" == *"vmbr0: enp0s31f6: tso gso gro off (turned off: tso"* ]]
	[ "$(feature enp0s31f6 tx-tcp-segmentation)" = off ]
	# ifupdown2: every family in one run
	features_on enp0s31f6 tx-tcp-segmentation
	run -0 --separate-stderr ns env IFACE=vmbr0 PHASE=post-up MODE=start \
		ADDRFAM=inet,inet6 "$HOOK"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$(feature enp0s31f6 tx-tcp-segmentation)" = off ]
}
