#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# nicfix-hook: run directly with the environment ifupdown gives, in udev's
# port mode, and under the real ifupdown with a private /etc/network in a
# private mount and network namespace.

load lib/common
load lib/config
load lib/syslog

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
	[[ "$stderr" == "nicfix: vmbr0: eno1: turned off: "*tx-tcp-segmentation*"; already off: "* ]]
	[[ "$stderr" == *rx-gro* ]]
	run -0 --separate-stderr hook vmbr0
	[[ "$stderr" == "nicfix: vmbr0: eno1: turned off: none; already off: "*tx-tcp-segmentation* ]]
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
	[[ "$stderr" == *"nicfix: vmbr0: eno1: turned off: "* ]]
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
	[[ "$stderr" == "nicfix: vmbr0: eno1: turned off: "* ]]
	tgg_are off
	add_port eno2
	run -0 --separate-stderr ns env ACTION=add INTERFACE=eno2 "$HOOK" --port eno2
	[ -z "$stderr" ]
}

# ---- the real ifupdown, in a private mount and network namespace --------

teardown() {
	syslog_stop
	ns_teardown
}

# ifupdown_setup: a private /etc/network with the hook installed as the
# package installs it (a symlink in if-up.d and if-post-up.d)
ifupdown_setup() {
	ns_setup
	syslog_start
	E="$BATS_TEST_TMPDIR/etc-network"
	STATE="$BATS_TEST_TMPDIR/run-network"
	mkdir -p "$E"/if-{pre-up,up,post-up,down,post-down}.d "$E/interfaces.d" "$STATE"
	ln -s "$HOOK" "$E/if-up.d/nicfix"
	ln -s "$HOOK" "$E/if-post-up.d/nicfix"
	cat >"$E/interfaces" <<-EOF
		auto lo
		iface lo inet loopback

		auto vmbr0
		iface vmbr0 inet manual
		bridge-ports eno1
	EOF
	unset NICFIX_INTERFACES
}

# mnt CMD...: run CMD in a private mount namespace where the private
# /etc/network is bound over the real one, /dev is a small tmpfs whose
# /dev/log is the test's syslog, and, with MASK_ETHTOOL=1, ethtool fails
mnt() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	ns unshare -m --propagation private sh -c '
		mount --bind "$1" /etc/network || exit 99
		mount -t tmpfs nicfix-dev /dev || exit 99
		mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
			mknod -m 666 /dev/urandom c 1 9 && ln -s "$2" /dev/log ||
			exit 99
		if [ "$3" = 1 ]; then
			mount --bind /bin/false "$(command -v ethtool)" || exit 99
		fi
		shift 3
		exec "$@"' mnt "$E" "$SOCK" "${MASK_ETHTOOL:-0}" "$@"
}

@test "ifupdown: ifup vmbr0 runs the hook after post-up; it alone turns the features off" {
	ifupdown_setup
	NICFIX_INTERFACES="$E/interfaces" "$NICFIX" -q persist vmbr0 eno1
	grep -qF "$OFF_LINE" "$E/interfaces"
	tgg_on
	run -0 mnt ifup --state-dir "$STATE" vmbr0
	tgg_are off
	# exactly once per bridge up, and after the post-up line, which
	# already turned everything off (under ifupdown if-up.d is post-up)
	[ "$(logged 'vmbr0: eno1: ')" -eq 1 ]
	[ "$(logged 'vmbr0: eno1: turned off: none; already off: ')" -eq 1 ]

	run -0 mnt ifdown --state-dir "$STATE" vmbr0
	tgg_on
	MASK_ETHTOOL=1 run -1 mnt ethtool -k eno1
	[ -z "$output" ]
	MASK_ETHTOOL=1 run -0 mnt ifup --state-dir "$STATE" vmbr0
	tgg_are off
	[ "$(logged 'vmbr0: eno1: turned off: [^;]*tx-tcp-segmentation')" -eq 1 ]
	[ "$(grep -c 'nicfix' "$SYSLOG")" -eq 2 ]
}

@test "ifupdown: a missing port, an unreadable file, ifup -a: ifup still succeeds" {
	ifupdown_setup
	printf '\tpost-up ethtool -K eno7 tso off || true\n' >>"$E/interfaces"
	run -0 mnt ifup --state-dir "$STATE" vmbr0
	[ "$(logged 'vmbr0: eno7: no such interface')" -eq 1 ]
	run -0 mnt ifdown --state-dir "$STATE" vmbr0
	# IFACE=--all and lo are skipped: still one line per bridge up
	run -0 mnt ifup --state-dir "$STATE" -a
	[ "$(logged 'vmbr0: eno7: no such interface')" -eq 2 ]
	run -0 mnt ifdown --state-dir "$STATE" -a
	# ifup reads another file than the hook, which cannot parse its own
	mv "$E/interfaces" "$E/ifup.conf"
	printf '\tbridge-ports eno1\n' >"$E/interfaces"
	run -0 mnt ifup -i /etc/network/ifup.conf --state-dir "$STATE" vmbr0
	[ "$(logged "vmbr0: /etc/network/interfaces:1: option 'bridge-ports' outside")" -eq 1 ]
	ns ip -o link show vmbr0 | grep -q '[<,]UP[,>]'
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
	[[ "$stderr" == *"vmbr0: enp0s31f6: turned off:"*"tx-tcp-segmentation"* ]]
	[ "$(feature enp0s31f6 tx-tcp-segmentation)" = off ]
	# ifupdown2: every family in one run
	features_on enp0s31f6 tx-tcp-segmentation
	run -0 --separate-stderr ns env IFACE=vmbr0 PHASE=post-up MODE=start \
		ADDRFAM=inet,inet6 "$HOOK"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$(feature enp0s31f6 tx-tcp-segmentation)" = off ]
}
