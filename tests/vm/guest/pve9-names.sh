# shellcheck shell=bash
# Proxmox VE 9 pinned names (tests/vm.bats, "pve9-names"): a .link file in
# /usr/local/lib/systemd/network pins the e1000e NIC as nic0 by its MAC,
# as PVE 9's pinning tool writes it; the tool renames the port in
# bridge-ports but leaves the old name inside the post-up line.
#  boot 1: the NIC is ens3; udev's view of it; the .link file and the
#          file as the tool leaves it, then reboot
#  boot 2: the NIC is nic0 in vmbr0; udev's view of it; what nicfix makes
#          of the stale line
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
	out=$(nicfix check vmbr0 2>&1)
	is "check vmbr0: the stale ens3 line is a finding (exit 1)" "$?" 1
	printf '%s\n' "$out" | sed 's/^/# check: /'
	# DESIGN.md: the hook follows a renamed port to its new name, and
	# check names the new name; not built yet (TAP TODO: an expected
	# failure, reported, not counted)
	state=$(tgg nic0)
	note "nic0 after the boot: tso gso gro $state"
	if [ "$state" = "off off off" ]; then
		ok "the hook followed ens3 to nic0: tso gso gro off # TODO rename following"
	else
		not_ok "the hook followed ens3 to nic0: tso gso gro off # TODO nicfix does not read .link files yet"
	fi
	if grep -q nic0 <<<"$out"; then
		ok "check names nic0 as ens3's new name # TODO rename following"
	else
		not_ok "check names nic0 as ens3's new name # TODO nicfix does not read .link files yet"
	fi
	;;
esac
