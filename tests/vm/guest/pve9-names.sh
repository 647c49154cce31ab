# shellcheck shell=bash
# Proxmox VE 9 pinned names (tests/vm.bats, "pve9-names"): a .link file in
# /usr/local/lib/systemd/network pins the e1000e NIC as nic0 by its MAC,
# as PVE 9's pinning tool writes it; the tool renames the port in
# bridge-ports but leaves the old name inside the post-up line.
#  boot 1: the NIC is ens3; udev's view of it; the .link file and the
#          file as the tool leaves it; nicfix's udev rule masked (at boot
#          it would follow the rename before networking.service), reboot
#  boot 2: the NIC is nic0 in vmbr0; udev's view of it; the if-up.d hook
#          followed the stale ens3 line to nic0; check names nic0 as
#          ens3's new name; a module reload with the rule back: the rule
#          follows it too; persist rewrites the line to nic0, check ok
# shellcheck source=SCRIPTDIR/../lib.sh
. /nfxrun/lib.sh

LINK=/usr/local/lib/systemd/network/50-pmx-nic0.link
MAC=52:54:00:12:34:10

tgg() {
	ethtool -k "$1" | awk '$1 == "tcp-segmentation-offload:" { t = $2 }
		$1 == "generic-segmentation-offload:" { g = $2 }
		$1 == "generic-receive-offload:" { r = $2 }
		END { print t, g, r }'
}
# props NIC: udev's naming properties of NIC, as comment lines
props() {
	udevadm info "/sys/class/net/$1" |
		grep -E 'ID_NET_NAME|ID_NET_LINK_FILE|ID_PATH=|INTERFACE=|ID_NET_DRIVER' |
		sed "s/^/# udevadm info $1: /"
}
prop() {
	udevadm info -q property "/sys/class/net/$1" | sed -n "s/^$2=//p"
}
# hook_lines: this boot's lines of the hook ("BRIDGE: PORT: tso gso gro
# off (turned off: ...)")
hook_lines() {
	journalctl -b -t nicfix -o cat --no-pager 2>/dev/null |
		grep -E '^[^ :]+: [^ :]+: .*\((turned off|already off|fixed|failed)'
}
# followed N: at least N hook lines turned features of nic0 off, following
# the ens3 line
followed() {
	[ "$(hook_lines | grep -c '^vmbr0: nic0: tso gso gro off (turned off: tso gso gro); followed the rename ens3 -> nic0')" -ge "$1" ]
}
gone() { [ ! -e "/sys/class/net/$1" ]; }
here() { [ -e "/sys/class/net/$1" ]; }

n=$(vm_nic 0)

case "$VM_PHASE" in
1)
	is "before pinning: the NIC is ens3" "$n" ens3
	props "$n"
	is "udev: ID_NET_NAME_SLOT=ens3" "$(prop "$n" ID_NET_NAME_SLOT)" ens3
	is "udev: ID_NET_NAME_PATH=enp0s3" "$(prop "$n" ID_NET_NAME_PATH)" enp0s3
	vm_install_debs
	mkdir -p "${LINK%/*}"
	cat >"$LINK" <<-EOF
		[Match]
		MACAddress=$MAC
		Type=ether

		[Link]
		Name=nic0
	EOF
	cat >/etc/network/interfaces <<-EOF
		auto lo
		iface lo inet loopback

		iface nic0 inet manual

		auto vmbr0
		iface vmbr0 inet static
		 	address 192.0.2.10/24
		 	bridge-ports nic0
		 	bridge-stp off
		 	bridge-fd 0
		 	post-up ethtool -K $n tso off gso off gro off || true
	EOF
	sed -i 's/^ \t/\t/' /etc/network/interfaces
	# the ens3 line cannot run (no ens3 after the boot, || true): only
	# the hook, following the rename, can turn nic0's features off
	ln -s /dev/null /etc/udev/rules.d/85-nicfix.rules
	vm_reboot
	;;
2)
	is "after the reboot: the NIC is nic0" "$n" nic0
	props "$n"
	is "udev: ID_NET_LINK_FILE is the pinning file" "$(prop "$n" ID_NET_LINK_FILE)" "$LINK"
	is "udev: ID_NET_NAME_SLOT still ens3" "$(prop "$n" ID_NET_NAME_SLOT)" ens3
	is "udev: ID_NET_NAME_PATH still enp0s3" "$(prop "$n" ID_NET_NAME_PATH)" enp0s3
	is "nic0 is a port of vmbr0" "$(basename "$(readlink /sys/class/net/nic0/master)")" vmbr0
	check "ens3 no longer exists" test ! -e /sys/class/net/ens3
	journalctl -b -t nicfix -o cat --no-pager | sed 's/^/# journal -t nicfix: /'
	# DESIGN.md, "Renamed NICs": the hook follows a renamed port to its
	# new name (the .link file, udev's record of the NIC), and check
	# names the new name
	is "the hook followed ens3 to nic0: tso gso gro off" "$(tgg nic0)" "off off off"
	check "journal: the hook's line says it followed ens3 -> nic0" followed 1
	is "journal: one hook line (the udev rule masked)" "$(hook_lines | wc -l)" 1
	out=$(nicfix check vmbr0 2>&1)
	is "check vmbr0: the stale ens3 line is a finding (exit 1)" "$?" 1
	printf '%s\n' "$out" | sed 's/^/# check: /'
	check "check names nic0 as ens3's new name" \
		grep -q "vmbr0: ens3: stale: ens3 is nic0 now" <<<"$out"
	out=$(nicfix check --json vmbr0 2>&1)
	printf '%s\n' "$out" | grep -o '{[^{}]*"stale"[^{}]*}' | sed 's/^/# check --json: /'
	check "check --json: the stale finding's new_name is nic0" \
		grep -qE '"new_name": ?"nic0"' <<<"$out"

	# the udev rule back, a module reload: the NIC comes back as nic0
	# with the driver's defaults, in no bridge, and the rule (nicfix-hook
	# --port nic0) follows the ens3 line to it, with no ifup
	rm /etc/udev/rules.d/85-nicfix.rules
	udevadm control --reload
	modprobe -r e1000e
	check "modprobe -r e1000e: nic0 gone" wait_for gone nic0
	modprobe e1000e
	check "modprobe e1000e: nic0 back" wait_for here nic0
	udevadm settle -t 30
	is "re-probe: the udev rule followed ens3 to nic0: tso gso gro off" "$(tgg nic0)" "off off off"
	is "re-probe: no ifup ran (nic0 is in no bridge)" "$(readlink /sys/class/net/nic0/master)" ""
	check "journal: the rule's line says it followed ens3 -> nic0" wait_for followed 2
	hook_lines | tail -n +2 | sed 's/^/# journal after re-probe: /'
	ip link set nic0 master vmbr0

	# persist rewrites the stale line to the new name
	persist_bridge vmbr0
	check "persist: the line names nic0" grep -qxF "	post-up ethtool -K nic0 tso off gso off gro off || true" /etc/network/interfaces
	check "persist: no line names ens3" sh -c '! grep -q ens3 /etc/network/interfaces'
	out=$(nicfix check vmbr0 2>&1)
	is "check vmbr0 after persist: ok (exit 0)" "$?" 0
	printf '%s\n' "$out" | sed 's/^/# check after persist: /'
	;;
esac
