#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# The hook under the real ifupdown, with the hook scripts in a private
# /etc/network, in the test's network namespace.  On the host's own
# release, the host's ifupdown with that /etc/network bound over the real
# one in a private mount namespace, and the sanitizer build of the hook;
# on another (tests/trixie-ifupdown.bats), that release's ifupdown in a
# cached root of it (tests/lib/mkroot.sh) whose throwaway upper layer
# holds /etc/network and the plain build (the root has no sanitizer
# runtime).

load lib/common
load lib/config
load lib/syslog

OFF_LINE="post-up ethtool -K eno1 tso off gso off gro off || true"

setup_file() {
	if [ "$SUITE" != "$HOST_SUITE" ] && [ "$(id -u)" -eq 0 ]; then
		ROOT=$(bash "$TOP/tests/lib/mkroot.sh" ifupdown \
			ifupdown ethtool iproute2 libmnl0)
		export ROOT
	fi
}

teardown() {
	syslog_stop
	ns_teardown
}

# ifupdown_setup: the test's /etc/network ($E) with the hook installed as
# the package installs it, and the state directory ($STATE) of ifupdown
ifupdown_setup() {
	ns_setup
	syslog_start
	unset NICFIX_INTERFACES
	if [ -z "${ROOT:-}" ]; then
		E="$BATS_TEST_TMPDIR/etc-network"
		STATE="$BATS_TEST_TMPDIR/run-network"
		mkdir -p "$STATE"
		hook_scripts "$E" "${HOOK:-$TOP/build/asan/nicfix-hook}"
	else
		UP="$BATS_TEST_TMPDIR/upper"
		E="$UP/etc/network"
		STATE=/var/tmp/run-network
		mkdir -p "$UP$STATE"
		root_hook "$UP"
	fi
	mkdir -p "$E"/if-{pre-up,up,post-up,down,post-down}.d "$E/interfaces.d"
	cat >"$E/interfaces" <<-EOF
		auto lo
		iface lo inet loopback

		auto vmbr0
		iface vmbr0 inet manual
		bridge-ports eno1
	EOF
}

# mnt CMD...: run CMD where $E is /etc/network (bound over the host's in a
# private mount namespace, or in the root), /dev is a small tmpfs whose
# /dev/log is the test's syslog, and, with MASK_ETHTOOL=1, ethtool fails
mnt() {
	if [ -n "${ROOT:-}" ]; then
		# shellcheck disable=SC2016 # expanded by the inner shell
		ns env NICFIX_INROOT_LOG="$SOCK" bash "$TOP/tests/lib/inroot.sh" \
			"$ROOT" "$UP" sh -c '
			if [ "$1" = 1 ]; then
				mount --bind /bin/false "$(command -v ethtool)" || exit 99
			fi
			shift
			exec "$@"' mnt "${MASK_ETHTOOL:-0}" "$@"
		return
	fi
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

@test "$SUITE: ifupdown: ifup vmbr0 runs the hook after post-up; it alone turns the features off" {
	ifupdown_setup
	NICFIX_INTERFACES="$E/interfaces" "$NICFIX" -q persist vmbr0 eno1
	grep -qF "$OFF_LINE" "$E/interfaces"
	tgg_on
	run -0 mnt ifup --state-dir "$STATE" vmbr0
	tgg_are off
	# exactly once per bridge up, and after the post-up line, which
	# already turned everything off (under ifupdown if-up.d is post-up)
	[ "$(logged 'vmbr0: eno1: ')" -eq 1 ]
	[ "$(logged 'vmbr0: eno1: tso gso gro off (already off)$')" -eq 1 ]

	run -0 mnt ifdown --state-dir "$STATE" vmbr0
	tgg_on
	MASK_ETHTOOL=1 run -1 mnt ethtool -k eno1
	[ -z "$output" ]
	MASK_ETHTOOL=1 run -0 mnt ifup --state-dir "$STATE" vmbr0
	tgg_are off
	[ "$(logged 'vmbr0: eno1: tso gso gro off (turned off: tso gso gro)$')" -eq 1 ]
	[ "$(grep -c 'nicfix' "$SYSLOG")" -eq 2 ]
}

@test "$SUITE: ifupdown: a missing port, an unreadable file, ifup -a: ifup still succeeds" {
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
