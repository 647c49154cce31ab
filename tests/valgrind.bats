#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, stderr_lines, status
# The plain build (what `make` installs) under valgrind memcheck: no
# invalid access, no uninitialised use, and no leak of any kind, still
# reachable included, on success and on error paths alike.  One
# suppression file for every run, tests/valgrind-dlopen.supp: what the
# dynamic loader keeps for libaugeas, which nicfix opens on first use and
# keeps to the end (still reachable, below _dl_open, nothing else);
# Augeas itself is closed with aug_close, which frees its tree and lenses.

load lib/common
load lib/config

PLAIN="$TOP/build/nicfix"
PLAIN_HOOK="$TOP/build/nicfix-hook"

setup() {
	[ -x "$PLAIN" ] && [ -x "$PLAIN_HOOK" ]
	config_setup
	use_fixture pve8.interfaces
	VG=(valgrind -q --tool=memcheck --leak-check=full --show-leak-kinds=all
		--errors-for-leak-kinds=all --error-exitcode=99
		--suppressions="$TOP/tests/valgrind-dlopen.supp"
		--log-file="$BATS_TEST_TMPDIR/vg.log")
}

teardown() {
	ns_teardown
}

# vg CMD...: CMD under memcheck; any error or leak is exit 99, and the
# report goes to $BATS_TEST_TMPDIR/vg.log (shown when a test fails)
vg() {
	"${VG[@]}" "$@"
}

# clean: the last vg run reported nothing
clean() {
	if [ -s "$BATS_TEST_TMPDIR/vg.log" ]; then
		cat "$BATS_TEST_TMPDIR/vg.log" >&2
		return 1
	fi
	[ "$status" -ne 99 ]
}

@test "valgrind: persist, persist again, --dry-run, unpersist" {
	run -0 vg "$PLAIN" -i "$IF" persist vmbr0
	clean
	[[ "$output" == *"eno1: added"* ]]
	run -0 vg "$PLAIN" -i "$IF" persist vmbr0
	clean
	[[ "$output" == *": unchanged" ]]
	run -0 vg "$PLAIN" --json -i "$IF" persist --dry-run -f tso,gso,gro,lro,rx-gro vmbr0
	clean
	[[ "$output" == *'"dry_run":true'* ]]
	run -0 vg "$PLAIN" -v -i "$IF" unpersist vmbr0
	clean
	unchanged
}

@test "valgrind: check, config only and live in a namespace" {
	need_root
	"$PLAIN" -q -i "$IF" persist vmbr0
	run -0 vg "$PLAIN" -i "$IF" check --no-live
	clean
	[[ "$output" == *"vmbr0: eno1: ok: tso gso gro off (config only)"* ]]
	ns_setup
	# the features are on: drift, exit 1, through netlink
	run -1 ns "${VG[@]}" "$PLAIN" -i "$IF" check
	clean
	[[ "$output" == *"vmbr0: eno1: drift: "*" still on, although the lines turn them off"* ]]
	run -0 ns "${VG[@]}" "$PLAIN" --json -i "$IF" check --apply
	clean
}

@test "valgrind: the hook in a namespace, MODE=start PHASE=post-up, a persisted stanza" {
	ns_setup
	"$PLAIN" -q -i "$IF" persist vmbr0
	[ "$(feature eno1 tcp-segmentation-offload)" = on ]
	run -0 --separate-stderr ns env IFACE=vmbr0 MODE=start PHASE=post-up ADDRFAM=inet \
		NICFIX_INTERFACES="$IF" NICFIX_HOOK_STDERR=1 "${VG[@]}" "$PLAIN_HOOK"
	clean
	[[ "$stderr" == "nicfix: vmbr0: eno1: tso gso gro off (turned off: "* ]]
	[ "$(feature eno1 tcp-segmentation-offload)" = off ]
	# and --all, a bridge without lines, and udev's port mode
	run -0 ns env IFACE=--all MODE=start PHASE=post-up NICFIX_INTERFACES="$IF" \
		NICFIX_HOOK_STDERR=1 "${VG[@]}" "$PLAIN_HOOK"
	clean
	run -0 ns env IFACE=vmbr1 MODE=start PHASE=post-up NICFIX_INTERFACES="$IF" \
		NICFIX_HOOK_STDERR=1 "${VG[@]}" "$PLAIN_HOOK"
	clean
}

@test "valgrind: error paths free what they took (exit 2 and 3)" {
	# no such bridge, a port not behind it, an unknown feature (the
	# kernel's list is read), a hostile port in the file
	run -2 vg "$PLAIN" -i "$IF" persist vmbr9
	clean
	run -2 vg "$PLAIN" -i "$IF" persist vmbr0 eno2
	clean
	run -2 vg "$PLAIN" -i "$IF" persist -f tso,bogus vmbr0
	clean
	run -2 vg "$PLAIN" -i "$IF" persist 'eno1;reboot'
	clean
	# a stanza Augeas cannot parse, after the lock and the read
	sed -i 's/^\tbridge-fd 0$/\tbridge-fd 0\n\t= broken/' "$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run -2 vg "$PLAIN" -i "$IF" persist vmbr0
	clean
	unchanged
	use_fixture pve8.interfaces
	# the lens missing (an installation problem, caught before Augeas)
	NICFIX_LENS_DIR="$BATS_TEST_TMPDIR/nolens" run -2 vg "$PLAIN" -i "$IF" persist vmbr0
	clean
	[[ "$output" == *"nicfix_interfaces.aug is in none of: $BATS_TEST_TMPDIR/nolens"* ]]
	# the lock held: exit 3 after the wait
	local fd
	exec {fd}<"$T/etc/network"
	flock -x "$fd"
	NICFIX_LOCK_TIMEOUT=200 run -3 vg "$PLAIN" -i "$IF" persist vmbr0
	exec {fd}<&-
	clean
	# the write failing: a file where the backup folder should be
	: >"$BATS_TEST_TMPDIR/bkfile"
	NICFIX_BACKUP_DIR="$BATS_TEST_TMPDIR/bkfile" run -3 vg "$PLAIN" -i "$IF" persist vmbr0
	clean
	unchanged
	# includes nested too deep
	local i
	printf 'source inc1\n' >>"$IF"
	for i in $(seq 1 20); do
		printf 'source inc%d\n' $((i + 1)) >"$T/etc/network/inc$i"
	done
	run -2 vg "$PLAIN" -i "$IF" persist vmbr0
	clean
}

@test "valgrind: a broken lens (exit 3); only Augeas's own parser leaks, suppressed for this run" {
	mkdir "$BATS_TEST_TMPDIR/lens"
	printf 'module Nicfix_interfaces =\nlet lns = (\n' >"$BATS_TEST_TMPDIR/lens/nicfix_interfaces.aug"
	export NICFIX_LENS_DIR="$BATS_TEST_TMPDIR/lens"
	# without the suppression: the leak is seen, and it is all libaugeas
	run vg "$PLAIN" -i "$IF" persist vmbr0
	[ "$status" -eq 99 ]
	# each lost block: malloc, by strndup, called from inside libaugeas
	run -0 awk '/definitely lost in loss record/ { n = 4 } n && !--n { print }' \
		"$BATS_TEST_TMPDIR/vg.log"
	[ "${#lines[@]}" -ge 1 ]
	local l
	for l in "${lines[@]}"; do
		[[ "$l" == *libaugeas.so* ]]
	done
	run -1 grep -E 'still reachable|indirectly lost|possibly lost|Invalid|uninitialised' "$BATS_TEST_TMPDIR/vg.log"
	run -3 vg --suppressions="$TOP/tests/valgrind.supp" "$PLAIN" -i "$IF" persist vmbr0
	clean
	unchanged
}

@test "valgrind catches a leak: the test can fail" {
	# a leak-only program, to prove the options turn a leak into exit 99
	cat >"$BATS_TEST_TMPDIR/leak.c" <<-'EOF'
		#include <stdlib.h>
		#include <string.h>
		static void *keep;
		int main(void) { keep = malloc(16); memset(keep, 0, 16); keep = 0; return 0; }
	EOF
	cc -O0 -o "$BATS_TEST_TMPDIR/leak" "$BATS_TEST_TMPDIR/leak.c"
	run vg "$BATS_TEST_TMPDIR/leak"
	[ "$status" -eq 99 ]
	grep -q "definitely lost" "$BATS_TEST_TMPDIR/vg.log"
}

@test "valgrind: a renamed NIC (Proxmox VE 9 pinning): check, the hook following it, persist rewriting the line" {
	need_root
	NS="nfx-$$-${BATS_TEST_NUMBER}"
	ip netns add "$NS"
	ns ip link add vmbr0 type bridge
	ns ip link add nic0 address 52:54:00:9e:10:01 type veth peer name nic0p
	ns ip link set nic0 master vmbr0
	ns ip link set nic0 up
	cp -a "$TOP/tests/fixtures/pve9-root/." "$T/"
	use_fixture pve9-pinned-new.interfaces
	mkdir -p "$T/run/udev/data"
	printf 'E:ID_NET_NAME_ONBOARD=eno1\nE:ID_NET_NAME=nic0\n' \
		>"$T/run/udev/data/n$(ns cat /sys/class/net/nic0/ifindex)"
	run -1 ns "${VG[@]}" "$PLAIN" -i "$IF" check
	clean
	[[ "$output" == *"eno1: stale: eno1 is nic0 now"* ]]
	run -0 --separate-stderr ns env IFACE=vmbr0 MODE=start PHASE=post-up \
		NICFIX_INTERFACES="$IF" NICFIX_HOOK_STDERR=1 "${VG[@]}" "$PLAIN_HOOK"
	clean
	[[ "$stderr" == *"followed the rename eno1 -> nic0"* ]]
	run -0 ns "${VG[@]}" "$PLAIN" -i "$IF" persist vmbr0
	clean
	[[ "$output" == *"nic0: renamed from eno1"* ]]
	# before the reboot: the .link files matched by MAC
	ns ip link set nic0 down
	ns ip link set nic0 name eno1
	use_fixture pve9-pinned-new.interfaces
	run -1 ns "${VG[@]}" "$PLAIN" -i "$IF" check
	clean
	[[ "$output" == *"eno1 becomes nic0 at the next boot"* ]]
}
