#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# The hook under the real ifupdown2 from Debian's archive.  ifupdown2
# conflicts with ifupdown as a package, so it runs chrooted in a cached
# minimal root of $SUITE (tests/lib/mkroot.sh; tests/trixie-ifupdown2.bats
# is this suite on trixie), through a throwaway overlay whose upper layer
# holds this test's /etc/network and the hook installed as the package
# installs it, in this test's network namespace.

load lib/common
load lib/config
load lib/syslog

setup_file() {
	hooks_root_setup
}

setup() {
	ns_setup
	syslog_start
	UP="$BATS_TEST_TMPDIR/upper"
	E="$UP/etc/network"
	root_hook "$UP"
	cat >"$E/interfaces" <<-EOF
		auto lo
		iface lo inet loopback

		auto vmbr0
		iface vmbr0 inet manual
		 bridge-ports eno1
		 bridge-stp off
		 bridge-fd 0
	EOF
	root_upper "$ROOT" "$UP"
	export NICFIX_LENS_DIR="$TOP/lenses" NICFIX_BACKUP_DIR="$BATS_TEST_TMPDIR/bak"
}

teardown() {
	syslog_stop
	ns_teardown
}

# in_root CMD...: run CMD in the ifupdown2 root, in this test's namespace,
# with /dev/log going to the test's syslog.  /run is fresh each time, as
# after a boot, so make the directory networking.service would.
in_root() {
	ns env NICFIX_INROOT_LOG="$SOCK" bash "$TOP/tests/lib/inroot.sh" \
		"$ROOT" "$UP" sh -c 'mkdir -p /run/network && exec "$@"' sh "$@"
}

@test "$SUITE: ifupdown2: persist, then ifup vmbr0: features off, verified once, after post-up" {
	"$NICFIX" -q -i "$E/interfaces" persist vmbr0 eno1
	grep -qF "post-up ethtool -K eno1 tso off gso off gro off || true" "$E/interfaces"
	tgg_on
	tgg_are on
	run -0 in_root ifup -d vmbr0
	# ifupdown2 ran the hook twice for vmbr0: if-up.d (PHASE=up, before
	# the post-up line) and if-post-up.d (PHASE=post-up, after it)
	[[ "$output" == *"vmbr0: up : running script /etc/network/if-up.d/nicfix"* ]]
	[[ "$output" == *"vmbr0: post-up : running script /etc/network/if-post-up.d/nicfix"* ]]
	tgg_are off
	# only the run after post-up acts: it finds the line's work done
	[ "$(logged 'vmbr0: eno1: ')" -eq 1 ]
	[ "$(logged 'vmbr0: eno1: tso gso gro off (already off)$')" -eq 1 ]
}

@test "$SUITE: ifupdown2: with ethtool failing, the hook alone turns the features off" {
	"$NICFIX" -q -i "$E/interfaces" persist vmbr0 eno1
	run -0 in_root ifup vmbr0
	run -0 in_root ifdown vmbr0
	# the root's ethtool now fails, as on a node where it is missing
	mkdir -p "$UP/usr/sbin"
	install -m 0755 /bin/false "$UP/usr/sbin/ethtool"
	run -1 in_root ethtool -k eno1
	tgg_on
	tgg_are on
	: >"$SYSLOG"
	run -0 in_root ifup vmbr0
	tgg_are off
	[ "$(logged 'vmbr0: eno1: tso gso gro off (turned off: tso gso gro)$')" -eq 1 ]
	[ "$(grep -c 'nicfix' "$SYSLOG")" -eq 1 ]
}

@test "$SUITE: ifupdown2: a missing port and an unparsable file never fail ifup" {
	printf ' post-up ethtool -K eno7 tso off || true\n' >>"$E/interfaces"
	run -0 in_root ifup vmbr0
	[ "$(logged 'vmbr0: eno7: no such interface')" -eq 1 ]
	run -0 in_root ifdown vmbr0
	# ifup -a: the hook skips lo and IFACE=--all, acts once for vmbr0
	run -0 in_root ifup -a
	[ "$(logged 'vmbr0: eno7: no such interface')" -eq 2 ]
	run -0 in_root ifdown -a
	# ifupdown2 reads another file than the hook, which cannot parse its own
	mv "$E/interfaces" "$E/ifup.conf"
	printf ' bridge-ports eno1\n' >"$E/interfaces"
	run -0 in_root ifup -i /etc/network/ifup.conf vmbr0
	[ "$(logged "vmbr0: /etc/network/interfaces:1: option 'bridge-ports' outside")" -eq 1 ]
	ns ip -o link show vmbr0 | grep -q '[<,]UP[,>]'
}
