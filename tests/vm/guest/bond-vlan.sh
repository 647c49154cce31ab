# shellcheck shell=bash
# Live bonds and VLANs, three e1000e NICs (tests/vm.bats, "bond-vlan"):
# ens3 and ens4 in bond0 (bond-slaves) under the VLAN-aware bridge vmbr0,
# and vmbr1 on the VLAN sub-interface ens5.100.
#  boot 1: the file written, `nicfix persist` of both bridges resolves to
#          the physical NICs, then reboot
#  boot 2: ifupdown made the bond, the VLAN device and the bridges, and
#          every slave and the VLAN's parent has its features off
# shellcheck source=SCRIPTDIR/../lib.sh
. /nfxrun/lib.sh

tgg() {
	ethtool -k "$1" | awk '$1 == "tcp-segmentation-offload:" { t = $2 }
		$1 == "generic-segmentation-offload:" { g = $2 }
		$1 == "generic-receive-offload:" { r = $2 }
		END { print t, g, r }'
}
master() { basename "$(readlink "/sys/class/net/$1/master")"; }

a=$(vm_nic 0) b=$(vm_nic 1) c=$(vm_nic 2)

case "$VM_PHASE" in
1)
	is "three e1000e NICs: ens3 ens4 ens5" "$a $b $c" "ens3 ens4 ens5"
	is "ethtool -i ens4: driver e1000e" "$(ethtool -i "$b" | awk '$1 == "driver:" { print $2 }')" e1000e
	vm_install_debs
	cat >/etc/network/interfaces <<-EOF
		auto lo
		iface lo inet loopback

		iface $a inet manual
		iface $b inet manual

		auto bond0
		iface bond0 inet manual
		 	bond-slaves $a $b
		 	bond-miimon 100
		 	bond-mode active-backup

		auto vmbr0
		iface vmbr0 inet static
		 	address 192.0.2.10/24
		 	bridge-ports bond0
		 	bridge-stp off
		 	bridge-fd 0
		 	bridge-vlan-aware yes
		 	bridge-vids 2-4094

		iface $c inet manual

		auto $c.100
		iface $c.100 inet manual

		auto vmbr1
		iface vmbr1 inet static
		 	address 198.51.100.10/24
		 	bridge-ports $c.100
		 	bridge-stp off
		 	bridge-fd 0
	EOF
	sed -i 's/^ \t/\t/' /etc/network/interfaces
	persist_bridge vmbr0
	persist_bridge vmbr1
	for p in "$a" "$b" "$c"; do
		check "persist: a line for $p" grep -qxF "	post-up ethtool -K $p tso off gso off gro off || true" /etc/network/interfaces
	done
	check "persist: no line for bond0" test -z "$(grep -F 'ethtool -K bond0' /etc/network/interfaces)"
	check "persist: no line for $c.100" test -z "$(grep -F "ethtool -K $c.100" /etc/network/interfaces)"
	sed 's/^/# interfaces: /' /etc/network/interfaces
	vm_reboot
	;;
2)
	note "after the reboot: networking.service $(systemctl is-active networking.service)"
	is "after the reboot: the NICs are ens3 ens4 ens5" "$a $b $c" "ens3 ens4 ens5"
	is "bond0's slaves" "$(cat /sys/class/net/bond0/bonding/slaves 2>/dev/null)" "$a $b"
	is "bond0 is a port of vmbr0" "$(master bond0)" vmbr0
	is "vmbr0 is VLAN-aware (vlan_filtering)" "$(cat /sys/class/net/vmbr0/bridge/vlan_filtering 2>/dev/null)" 1
	is "$c.100 is a VLAN of $c" "$(ip -d -o link show "$c.100" 2>/dev/null | grep -o 'vlan protocol 802.1Q id 100')" "vlan protocol 802.1Q id 100"
	is "$c.100 is a port of vmbr1" "$(master "$c.100")" vmbr1
	for p in "$a" "$b" "$c"; do
		is "after the reboot: $p tso gso gro off" "$(tgg "$p")" "off off off"
	done
	for p in "$a" "$b" "$c"; do
		note "ethtool -k $p:"
		features "$p" | grep -E 'segmentation-offload|receive-offload'
	done
	journalctl -b -t nicfix -o cat --no-pager | sed 's/^/# journal -t nicfix: /'
	out=$(nicfix check 2>&1)
	is "check (every bridge) exits 0" "$?" 0
	printf '%s\n' "$out" | sed 's/^/# check: /'
	out=$(nicfix status 2>&1)
	printf '%s\n' "$out" | sed 's/^/# status: /'
	# the table's BRIDGE column names the bond in between: "vmbr0 (bond0)"
	check "status: $a is in bond0" grep -qE "^$a .* \(bond0\) " <<<"$out"
	;;
esac
