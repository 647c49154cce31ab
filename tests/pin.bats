#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# Proxmox VE 9's pinned NIC names: the installer's default file (nic0, no
# auto), a node pinned by pve-network-interface-pinning (.link files by
# MAC, an interfaces.new whose post-up line still names eno1), a two-port
# bond under a VLAN-aware bridge with nicN names.  persist, check and the
# hook on each, live in namespaces with veth NICs named nic0/nic1; the
# .link files and udev's records are in the test's --root tree, never the
# host's.

load lib/common
load lib/config
load lib/syslog

HOOK=${HOOK:-$TOP/build/asan/nicfix-hook}
MAC0=52:54:00:9e:10:01
MAC1=52:54:00:9e:10:02
LINKS=/usr/local/lib/systemd/network
LINE0="post-up ethtool -K nic0 tso off gso off gro off || true"
STALE="post-up ethtool -K eno1 tso off gso off gro off || true"

setup() {
	config_setup
	cp -a "$TOP/tests/fixtures/pve9-root/." "$T/"
	mkdir -p "$T/etc/systemd/network" "$T/run/systemd/network"
	export NICFIX_INTERFACES="$IF" NICFIX_HOOK_STDERR=1
	unset NICFIX_STRICT
}

teardown() {
	syslog_stop
	ns_teardown
}

# pve9_ns NAME=MAC...: a namespace with vmbr0 and these veth NICs in it
pve9_ns() {
	need_root
	NS="nfx-$$-${BATS_TEST_NUMBER}"
	ip netns add "$NS"
	ns ip link set lo up
	ns ip link add vmbr0 type bridge
	local p
	for p in "$@"; do
		ns ip link add "${p%%=*}" address "${p#*=}" type veth peer name "${p%%=*}p"
		ns ip link set "${p%%=*}" master vmbr0
		ns ip link set "${p%%=*}" up
		ns ip link set "${p%%=*}p" up
	done
	ns ip link set vmbr0 up
}

# reboot OLD NEW: the NIC comes back under its pinned name
reboot() {
	ns ip link set "$1" down
	ns ip link set "$1" name "$2"
	ns ip link set "$2" up
}

# udev_record NAME [NAME_GIVEN] KEY=VALUE...: udev's database record of
# NIC NAME (/run/udev/data/n<IFINDEX>) in the test's root, as udev writes
# it: the ID_NET_NAME_* names net_id found, and ID_NET_NAME, the name udev
# gave it (NAME unless told)
udev_record() {
	local name=$1 given=$1 idx kv
	shift
	if [[ "${1:-}" != *=* ]] && [ -n "${1:-}" ]; then
		given=$1
		shift
	fi
	idx=$(ns cat "/sys/class/net/$name/ifindex")
	mkdir -p "$T/run/udev/data"
	{
		echo "I:5402718"
		for kv in "$@"; do
			echo "E:$kv"
		done
		echo "E:ID_NET_LINK_FILE=$LINKS/50-pmx-$given.link"
		echo "E:ID_NET_NAME=$given"
		echo "G:systemd"
	} >"$T/run/udev/data/n$idx"
}

# tgg_on_dev DEV / tgg_dev DEV STATE: tso, gso and gro of DEV
tgg_on_dev() {
	features_on "$1" tx-tcp-segmentation tx-generic-segmentation rx-gro
	[ "$(feature "$1" tcp-segmentation-offload)" = on ]
}

tgg_dev() {
	[ "$(feature "$1" tcp-segmentation-offload)" = "$2" ]
	[ "$(feature "$1" generic-segmentation-offload)" = "$2" ]
	[ "$(feature "$1" generic-receive-offload)" = "$2" ]
}

# hook IFACE: the hook as ifupdown runs it, in the namespace
hook() {
	ns env IFACE="$1" PHASE=post-up MODE=start ADDRFAM=inet "$HOOK"
}

# the offload lines of FILE (default: the interfaces file), trimmed
lines_of() {
	sed -n 's/^[[:space:]]*\(post-up ethtool .*\)$/\1/p' "${1:-$IF}"
}

# nic0_settled: the line names nic0 now: the hook turns its features off
# with nothing to follow, and check finds it all in place
nic0_settled() {
	tgg_on_dev nic0
	run -0 --separate-stderr hook vmbr0
	[[ "$stderr" == "nicfix: vmbr0: nic0: tso gso gro off (turned off: "* ]]
	[[ "$stderr" != *rename* ]]
	tgg_dev nic0 off
	run -0 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"vmbr0: nic0: ok: tso gso gro off"* ]]
	[ -z "$stderr" ]
}

@test "installer default (nic0, no auto, bridge-ports nic0): persist, check, hook; nothing renamed" {
	use_fixture pve9-default.interfaces
	pve9_ns "nic0=$MAC0"
	run -0 --separate-stderr ns "$NICFIX" persist vmbr0
	[[ "$output" == *"vmbr0: nic0: added: $LINE0"* ]]
	[ -z "$stderr" ]
	[ "$(lines_of)" = "${LINE0}" ]
	# in the bridge's stanza, after its last option, before the blank line
	grep -A1 -F $'\tbridge-fd 0' "$IF" | tail -1 | grep -qxF $'\t'"$LINE0"
	aug_parses "$IF"

	tgg_on_dev nic0
	run -1 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"vmbr0: nic0: drift: tso gso"* ]]
	run -0 --separate-stderr hook vmbr0
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "nicfix: vmbr0: nic0: tso gso gro off (turned off: "*"gro)"  ]]
	[[ "$stderr" != *rename* ]]
	tgg_dev nic0 off
	# the .link file names nic0 what it is already called: no rename
	run -0 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"vmbr0: nic0: ok: tso gso gro off"* ]]
	[ -z "$stderr" ]
	run -0 ns "$NICFIX" --json check
	[[ "$output" == *'"findings":[]'* ]]
	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"interfaces: unchanged" ]]
}

@test "pinned node before the reboot: eno1's MAC is in 50-pmx-nic0.link; interfaces.new's eno1 line is stale, persist makes it nic0" {
	use_fixture pve9-pinned.interfaces
	cp "$FIXTURES/pve9-pinned-new.interfaces" "$IF.new"
	pve9_ns "eno1=$MAC0"
	# the file the pinning tool wrote: bridge-ports nic0, the line eno1
	run -1 --separate-stderr ns "$NICFIX" -i "$IF.new" check
	[[ "$output" == *"interfaces.new:13: vmbr0: eno1: stale: eno1 becomes nic0 at the next boot ($LINKS/50-pmx-nic0.link matches its MAC $MAC0); run: nicfix persist vmbr0"* ]]
	run -1 ns "$NICFIX" -i "$IF.new" --json check
	[[ "$output" == *'"kind":"stale"'*'"port":"eno1"'*'"fix":"nicfix persist vmbr0","new_name":"nic0"'* ]]
	# the running file is right until the reboot: a warning, exit 0
	ns "$NICFIX" -q apply eno1
	run -0 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"vmbr0: eno1: ok: tso gso gro off"* ]]
	[[ "$stderr" == *"warning: $IF:16: vmbr0: eno1 becomes nic0 at the next boot ($LINKS/50-pmx-nic0.link matches its MAC $MAC0), and this file still names eno1" ]]

	# persist edits both files alike: the stale line of interfaces.new
	# is made to name nic0; the running file's line, right until the
	# reboot, stays
	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"vmbr0: eno1: unchanged: "* ]]
	[[ "$output" == *"interfaces.new: changed (pending Proxmox VE changes, edited alike)"* ]]
	[ "$(lines_of "$IF.new")" = "$LINE0" ]
	aug_parses "$IF.new"
	unchanged
	run -0 ns "$NICFIX" -i "$IF.new" check --no-live
	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"interfaces.new: unchanged"* ]]

	# the reboot: pvenetcommit moves interfaces.new into place, udev names
	# the NIC nic0; the hook then has nothing to follow
	mv "$IF.new" "$IF"
	reboot eno1 nic0
	udev_record nic0 ID_NET_NAME_MAC=enx5254009e1001 ID_NET_NAME_ONBOARD=eno1 \
		ID_NET_NAME_PATH=enp0s31f6
	nic0_settled
}

@test "pinned node after the reboot, line not rewritten: the hook follows eno1 to nic0 by udev's record and logs it; check and persist" {
	use_fixture pve9-pinned-new.interfaces
	pve9_ns "nic0=$MAC0"
	udev_record nic0 ID_NET_NAME_MAC=enx5254009e1001 ID_NET_NAME_ONBOARD=eno1 \
		ID_NET_NAME_PATH=enp0s31f6
	tgg_on_dev nic0
	run -0 --separate-stderr hook vmbr0
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "nicfix: vmbr0: nic0: tso gso gro off (turned off: "*"; followed the rename eno1 -> nic0 (udev's ID_NET_NAME_ONBOARD of nic0): $IF:13 still names eno1, run 'nicfix persist vmbr0'" ]]
	tgg_dev nic0 off
	NICFIX_STRICT=1 run -0 hook vmbr0

	run -1 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"$IF:13: vmbr0: eno1: stale: eno1 is nic0 now (udev's ID_NET_NAME_ONBOARD of nic0); run: nicfix persist vmbr0"* ]]
	[[ "$output" == *"verdict: 2 findings" ]]
	run -1 ns "$NICFIX" --json check
	[[ "$output" == *'"kind":"stale"'*'"port":"eno1"'*'"fix":"nicfix persist vmbr0","new_name":"nic0"'* ]]

	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"vmbr0: nic0: renamed from eno1: $LINE0"* ]]
	[ "$(lines_of)" = "$LINE0" ]
	aug_parses "$IF"
	run -0 ns "$NICFIX" --json persist vmbr0
	[[ "$output" == *'"changed":false'* ]]
	nic0_settled
}

@test "nothing renamed on a guess: no record, a record of another name, two NICs claiming eno1, a .link file nicfix cannot judge" {
	use_fixture pve9-pinned-new.interfaces
	pve9_ns "nic0=$MAC0" "nic1=$MAC1"
	tgg_on_dev nic0
	# no udev record: eno1 is simply gone
	run -0 --separate-stderr hook vmbr0
	[[ "$stderr" == "nicfix: warning: vmbr0: eno1: no such interface"* ]]
	[[ "$stderr" != *followed* ]]
	NICFIX_STRICT=1 run -1 hook vmbr0
	run -1 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"vmbr0: eno1: stale: eno1 is not behind vmbr0"* ]]
	[[ "$output" != *" now ("* ]]
	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"vmbr0: nic0: added: "* ]]
	grep -qF "$STALE" "$IF"
	use_fixture pve9-pinned-new.interfaces
	# a record that is not of the NIC by its name now (another
	# namespace's index, or a stale one): ID_NET_NAME says eth7
	udev_record nic0 eth7 ID_NET_NAME_ONBOARD=eno1
	run -0 --separate-stderr hook vmbr0
	[[ "$stderr" == "nicfix: warning: vmbr0: eno1: no such interface"* ]]
	# two NICs whose records both name eno1
	udev_record nic0 ID_NET_NAME_ONBOARD=eno1
	udev_record nic1 ID_NET_NAME_PATH=eno1
	run -0 --separate-stderr hook vmbr0
	[[ "$stderr" == "nicfix: warning: vmbr0: eno1: no such interface; not followed: udev's records of nic0 and nic1 both name eno1" ]]
	tgg_dev nic0 on
	run -1 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"vmbr0: eno1: stale: eno1 is not behind vmbr0"* ]]
	[[ "$output" != *" now ("* ]]

	# before the reboot: a .link file it cannot judge (Driver=) sorts
	# before the pinning file, so the rename is not certain
	rm -r "$T/run/udev"
	reboot nic0 eno1
	run -1 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"eno1: stale: eno1 becomes nic0 at the next boot"* ]]
	printf '[Match]\nDriver=e1000e\n\n[Link]\nName=lan9\n' >"$T/run/systemd/network/10-e1000e.link"
	run -1 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"vmbr0: eno1: stale: eno1 is not behind vmbr0"* ]]
	[[ "$output" != *becomes* ]]
	run -1 ns "$NICFIX" --json check
	[[ "$output" != *'"new_name":"'* ]]
	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"vmbr0: nic0: added: "* ]]
	grep -qF "$STALE" "$IF"
}

@test "the .link files under --root: /etc masks /usr/local/lib by name, a /dev/null link masks, the first match applies" {
	use_fixture pve9-pinned-new.interfaces
	pve9_ns "eno1=$MAC0"
	stale_as() {
		run -1 --separate-stderr ns "$NICFIX" check
		[[ "$output" == *"eno1: stale: eno1 becomes $1 at the next boot ($2 matches its MAC $MAC0)"* ]]
	}
	not_renamed() {
		run -1 --separate-stderr ns "$NICFIX" check
		[[ "$output" == *"vmbr0: eno1: stale: eno1 is not behind vmbr0"* ]]
		[[ "$output" != *becomes* ]]
	}
	stale_as nic0 "$LINKS/50-pmx-nic0.link"
	# a file of the same name in /etc masks the installer's
	printf '[Match]\nMACAddress=%s\n[Link]\nName=lan0\n' "$MAC0" \
		>"$T/etc/systemd/network/50-pmx-nic0.link"
	stale_as lan0 /etc/systemd/network/50-pmx-nic0.link
	# a link to an absolute path is followed under the root
	mkdir -p "$T/opt/links"
	printf '[Match]\nMACAddress=%s\n[Link]\nName=lan3\n' "$MAC0" >"$T/opt/links/lan3.link"
	ln -sf /opt/links/lan3.link "$T/etc/systemd/network/50-pmx-nic0.link"
	stale_as lan3 /etc/systemd/network/50-pmx-nic0.link
	rm "$T/etc/systemd/network/50-pmx-nic0.link"
	printf '[Match]\nMACAddress=%s\n[Link]\nName=lan0\n' "$MAC0" \
		>"$T/etc/systemd/network/50-pmx-nic0.link"
	# lan0 is not behind vmbr0: persist does not rewrite the line to it
	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"vmbr0: nic0: added: "* ]]
	grep -qF "$STALE" "$IF"
	use_fixture pve9-pinned-new.interfaces
	# masked by a link to /dev/null: 50-pmx-nic1 does not match, and
	# 73-usb-net-by-mac's Property= leaves the answer open: no rename
	ln -sf /dev/null "$T/etc/systemd/network/50-pmx-nic0.link"
	not_renamed
	# an empty file masks too
	: >"$T/etc/systemd/network/50-pmx-nic0.link"
	not_renamed
	rm "$T/etc/systemd/network/50-pmx-nic0.link"
	# /run before /usr/local/lib, and only the first matching file counts:
	# 40-two lists the MAC among others and sorts before 50-pmx-nic0
	printf '[Match]\nMACAddress=%s %s\nType=ether\n[Link]\nName=nic0\n' "$MAC1" "$MAC0" \
		>"$T/run/systemd/network/40-two.link"
	stale_as nic0 /run/systemd/network/40-two.link
	printf '[Match]\nMACAddress=%s\n[Link]\nName=nic0\nNamePolicy=path\n' "$MAC0" \
		>"$T/run/systemd/network/40-two.link"
	not_renamed
	# a drop-in may change anything
	rm "$T/run/systemd/network/40-two.link"
	mkdir "$T/etc/systemd/network/50-pmx-nic0.link.d"
	not_renamed
	rmdir "$T/etc/systemd/network/50-pmx-nic0.link.d"
	stale_as nic0 "$LINKS/50-pmx-nic0.link"
	# the host's own .link files are never read: an empty root renames nothing
	NICFIX_ROOT="$BATS_TEST_TMPDIR/empty" run -1 --separate-stderr ns "$NICFIX" -i "$IF" check
	[[ "$output" == *"eno1: stale: eno1 is not behind vmbr0"* ]]
	[[ "$output" != *becomes* ]]
}

@test "udev port mode: nicfix-hook --port nic0 applies the line naming eno1, from the event's names or udev's record" {
	use_fixture pve9-pinned-new.interfaces
	pve9_ns "nic0=$MAC0"
	udev_hook() {
		ns env -i NICFIX_INTERFACES="$IF" NICFIX_ROOT="$T" NICFIX_HOOK_STDERR=1 \
			ASAN_OPTIONS="$ASAN_OPTIONS" ACTION=add SUBSYSTEM=net "$@"
	}
	tgg_on_dev nic0
	# the event's own properties, as udev passes them to RUN
	run -0 --separate-stderr udev_hook INTERFACE=nic0 ID_NET_NAME_MAC=enx5254009e1001 \
		ID_NET_NAME_ONBOARD=eno1 ID_NET_NAME_PATH=enp0s31f6 "$HOOK" --port nic0
	[[ "$stderr" == "nicfix: vmbr0: nic0: tso gso gro off (turned off: "*"; followed the rename eno1 -> nic0 (udev's ID_NET_NAME_ONBOARD of nic0): "* ]]
	tgg_dev nic0 off
	# without them (the hook run by hand): udev's record
	tgg_on_dev nic0
	run -0 --separate-stderr udev_hook INTERFACE=nic0 "$HOOK" --port nic0
	[ -z "$stderr" ]
	tgg_dev nic0 on
	udev_record nic0 ID_NET_NAME_PATH=enp0s31f6 ID_NET_NAME_ONBOARD=eno1
	run -0 --separate-stderr udev_hook INTERFACE=nic0 "$HOOK" --port nic0
	[[ "$stderr" == "nicfix: vmbr0: nic0: tso gso gro off (turned off: "*"; followed the rename eno1 -> nic0 (udev's ID_NET_NAME_ONBOARD of nic0): "* ]]
	tgg_dev nic0 off
	# another NIC added, whose old name no line has: nothing
	ns ip link add nic1 address "$MAC1" type veth peer name nic1p
	run -0 --separate-stderr udev_hook INTERFACE=nic1 ID_NET_NAME_ONBOARD=eno2 "$HOOK" --port nic1
	[ -z "$stderr" ]
	# the event's names count only for the NIC the event is about
	rm -r "$T/run/udev"
	tgg_on_dev nic0
	run -0 --separate-stderr udev_hook INTERFACE=nic1 ID_NET_NAME_ONBOARD=eno1 "$HOOK" --port nic0
	[[ "$stderr" != *followed* ]]
	tgg_dev nic0 on
}

@test "two-port bond under a VLAN-aware bridge, nicN names: both lines, both applied; stale path names followed and rewritten" {
	use_fixture pve9-bond.interfaces
	# the NICs stand in the bridge themselves: the bond is configuration
	pve9_ns "nic0=$MAC0" "nic1=$MAC1"
	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"vmbr0: nic0: added: $LINE0"* ]]
	[[ "$output" == *"vmbr0: nic1: added: ${LINE0//nic0/nic1}"* ]]
	[ "$(lines_of | wc -l)" -eq 2 ]
	aug_parses "$IF"
	tgg_on_dev nic0
	tgg_on_dev nic1
	run -0 --separate-stderr hook vmbr0
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ "$stderr" != *rename* ]]
	tgg_dev nic0 off
	tgg_dev nic1 off
	run -0 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"vmbr0: nic0: ok: tso gso gro off"*"vmbr0: nic1: ok: tso gso gro off"* ]]
	[ -z "$stderr" ]

	# lines written before the pinning name the NICs' path names
	sed -i 's/-K nic0 /-K enp1s0f0 /; s/-K nic1 /-K enp1s0f1 /' "$IF"
	udev_record nic0 ID_NET_NAME_MAC=enx5254009e1001 ID_NET_NAME_PATH=enp1s0f0
	udev_record nic1 ID_NET_NAME_MAC=enx5254009e1002 ID_NET_NAME_SLOT=ens1f1 \
		ID_NET_NAME_PATH=enp1s0f1
	tgg_on_dev nic0
	tgg_on_dev nic1
	run -0 --separate-stderr hook vmbr0
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ "${stderr_lines[0]}" == "nicfix: vmbr0: nic0: tso gso gro off (turned off: "*"followed the rename enp1s0f0 -> nic0 (udev's ID_NET_NAME_PATH of nic0)"* ]]
	[[ "${stderr_lines[1]}" == "nicfix: vmbr0: nic1: tso gso gro off (turned off: "*"followed the rename enp1s0f1 -> nic1 (udev's ID_NET_NAME_PATH of nic1)"* ]]
	tgg_dev nic0 off
	tgg_dev nic1 off
	run -1 --separate-stderr ns "$NICFIX" check
	[[ "$output" == *"vmbr0: enp1s0f0: stale: enp1s0f0 is nic0 now (udev's ID_NET_NAME_PATH of nic0); run: nicfix persist vmbr0"* ]]
	[[ "$output" == *"vmbr0: enp1s0f1: stale: enp1s0f1 is nic1 now (udev's ID_NET_NAME_PATH of nic1); run: nicfix persist vmbr0"* ]]
	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"vmbr0: nic0: renamed from enp1s0f0: $LINE0"* ]]
	[[ "$output" == *"vmbr0: nic1: renamed from enp1s0f1: ${LINE0//nic0/nic1}"* ]]
	[ "$(lines_of)" = "$LINE0"$'\n'"${LINE0//nic0/nic1}" ]
	run -0 --separate-stderr ns "$NICFIX" check
	[ -z "$stderr" ]
	run -0 ns "$NICFIX" persist vmbr0
	[[ "$output" == *"interfaces: unchanged" ]]
}

# ---- udev itself: bookworm's (252) and trixie's (257) ---------------------

# udev_says ROOT: "FILE NAME", the .link file udev's net_setup_link applies
# to eno1 and the name it gives, run in ROOT (a cached Debian root) over
# the test root's .link directories
udev_says() {
	local up="$BATS_TEST_TMPDIR/up.$RANDOM" out file name
	mkdir -p "$up/etc/systemd" "$up/usr/local/lib/systemd" "$up/usr/lib/systemd"
	cp -a "$T/etc/systemd/network" "$up/etc/systemd/"
	cp -a "$T$LINKS" "$up/usr/local/lib/systemd/"
	cp -a "$T/usr/lib/systemd/network" "$up/usr/lib/systemd/"
	out=$(ns bash "$TOP/tests/lib/inroot.sh" "$1" "$up" \
		udevadm test-builtin net_setup_link /sys/class/net/eno1 2>&1)
	file=$(sed -n 's/^eno1: Config file \(.*\) is applied$/\1/p' <<<"$out")
	name=$(sed -n 's/^ID_NET_NAME=//p' <<<"$out")
	echo "$file $name"
}

# nicfix_says: "NAME FILE" of the rename check finds for eno1, or "none"
nicfix_says() {
	local out
	out=$(ns "$NICFIX" check 2>/dev/null || true)
	out=$(sed -nE 's/.*: eno1: stale: eno1 becomes ([^ ]*) at the next boot \(([^ ]*) matches its MAC.*/\1 \2/p' <<<"$out")
	echo "${out:-none}"
}

@test "udev (bookworm's and trixie's) applies the .link file nicfix reads and gives the name nicfix says; where nicfix cannot judge it claims nothing" {
	use_fixture pve9-pinned-new.interfaces
	pve9_ns "eno1=$MAC0"
	local roots=() root e=/etc/systemd/network
	roots+=("$(NICFIX_ROOT_SUITE=bookworm bash "$TOP/tests/lib/mkroot.sh" hooks \
		ifupdown2 ethtool iproute2 libmnl0 udev)")
	roots+=("$(NICFIX_ROOT_SUITE=trixie bash "$TOP/tests/lib/mkroot.sh" hooks \
		ifupdown2 ethtool iproute2 libmnl0 udev)")
	[ -x "${roots[0]}/usr/bin/udevadm" ] && [ -x "${roots[1]}/usr/bin/udevadm" ]
	agree() {
		local got
		got=$(nicfix_says)
		echo "nicfix: $got (want $2)" >&2
		[ "$got" = "$2" ]
		for root in "${roots[@]}"; do
			got=$(udev_says "$root")
			echo "udev in ${root##*/}: $got (want $1)" >&2
			[ "$got" = "$1" ]
		done
	}
	# the installer's files
	agree "$LINKS/50-pmx-nic0.link nic0" "nic0 $LINKS/50-pmx-nic0.link"
	# /etc masks the same name
	printf '[Match]\nMACAddress=%s\n[Link]\nName=lan0\n' "$MAC0" >"$T$e/50-pmx-nic0.link"
	agree "$e/50-pmx-nic0.link lan0" "lan0 $e/50-pmx-nic0.link"
	# masked by /dev/null: udev falls through to 99-default and keeps eno1
	ln -sf /dev/null "$T$e/50-pmx-nic0.link"
	agree "/usr/lib/systemd/network/99-default.link eno1" none
	rm "$T$e/50-pmx-nic0.link"
	# the first match, by file name across directories; other spellings
	printf '[Match]\nMACAddress=%s %s\n[Link]\nName=nic7\n' "$MAC1" "$MAC0" >"$T$e/40-two.link"
	agree "$e/40-two.link nic7" "nic7 $e/40-two.link"
	printf '[Match]\nMACAddress=52-54-00-9E-10-01\nType=ether\n[Link]\nName=nic8\n' >"$T$e/40-two.link"
	agree "$e/40-two.link nic8" "nic8 $e/40-two.link"
	# an empty file is ignored by both
	: >"$T$e/40-two.link"
	agree "$LINKS/50-pmx-nic0.link nic0" "nic0 $LINKS/50-pmx-nic0.link"
	# Driver=: nicfix cannot judge it, and says nothing; udev's own answer
	# differs by release (252 takes the veth driver, 257 finds none here)
	printf '[Match]\nMACAddress=%s\nDriver=veth\n[Link]\nName=nic9\n' "$MAC0" >"$T$e/40-two.link"
	[ "$(nicfix_says)" = none ]
	for root in "${roots[@]}"; do
		[[ "$(udev_says "$root")" == @("$e/40-two.link nic9"|"$LINKS/50-pmx-nic0.link nic0") ]]
	done
	# NamePolicy= decides before Name=: nicfix says nothing
	printf '[Match]\nMACAddress=%s\n[Link]\nNamePolicy=path\nName=nic6\n' "$MAC0" >"$T$e/40-two.link"
	agree "$e/40-two.link nic6" none
}

# ---- the real ifupdown, after the reboot ---------------------------------

# mnt_run CMD...: CMD in a private mount namespace where /etc/network is
# the test's, /run a tmpfs holding the test root's udev records and
# /dev/log the test's syslog
mnt_run() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	ns unshare -m --propagation private sh -c '
		mount --bind "$1" /etc/network || exit 99
		mount -t tmpfs nicfix-run /run || exit 99
		mkdir -p /run/udev && cp -a "$2/run/udev/." /run/udev/ || exit 99
		mount -t tmpfs nicfix-dev /dev || exit 99
		mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
			mknod -m 666 /dev/urandom c 1 9 && ln -s "$3" /dev/log ||
			exit 99
		shift 3
		exec "$@"' mnt "$T/etc/network" "$T" "$SOCK" "$@"
}

@test "ifupdown after the reboot: the stale post-up line does nothing, the hook follows eno1 to nic0" {
	use_fixture pve9-pinned-new.interfaces
	pve9_ns "nic0=$MAC0"
	syslog_start
	E="$T/etc/network"
	mkdir -p "$E"/if-{pre-up,up,post-up,down,post-down}.d "$E/interfaces.d" \
		"$BATS_TEST_TMPDIR/state"
	ln -s "$HOOK" "$E/if-up.d/nicfix"
	ln -s "$HOOK" "$E/if-post-up.d/nicfix"
	sed -i 's/^iface vmbr0 inet static$/iface vmbr0 inet manual/; /^\taddress /d; /^\tgateway /d' "$IF"
	udev_record nic0 ID_NET_NAME_ONBOARD=eno1 ID_NET_NAME_PATH=enp0s31f6
	tgg_on_dev nic0
	run -0 mnt_run ifup --state-dir "$BATS_TEST_TMPDIR/state" vmbr0
	ns ip -o link show nic0 | grep -q 'master vmbr0'
	tgg_dev nic0 off
	[ "$(logged "vmbr0: nic0: tso gso gro off (turned off: .*followed the rename eno1 -> nic0 (udev's ID_NET_NAME_ONBOARD of nic0)")" -eq 1 ]
	[ "$(grep -c nicfix "$SYSLOG")" -eq 1 ]
	run -0 mnt_run ifdown --state-dir "$BATS_TEST_TMPDIR/state" vmbr0
}
