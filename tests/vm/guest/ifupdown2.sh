# shellcheck shell=bash
# Reboot survival under ifupdown2 (tests/vm.bats, "ifupdown2"; the image
# made with NICFIX_VM_IFUPDOWN=ifupdown2), one e1000e NIC.
#  boot 1: vmbr0 over the NIC, `nicfix persist vmbr0`; the ethtool binary
#          moved away and the udev rule masked, then reboot
#  boot 2: ifupdown2's networking.service brought vmbr0 up, and the hook
#          (if-post-up.d, PHASE=post-up) alone turned the features off
# shellcheck source=SCRIPTDIR/../lib.sh
. /nfxrun/lib.sh

ET=/root/ethtool.moved
tgg() {
	"$ET" -k "$1" | awk '$1 == "tcp-segmentation-offload:" { t = $2 }
		$1 == "generic-segmentation-offload:" { g = $2 }
		$1 == "generic-receive-offload:" { r = $2 }
		END { print t, g, r }'
}
# hook_lines: this boot's lines of the hook ("BRIDGE: PORT: tso gso gro
# off (turned off: ...)")
hook_lines() {
	journalctl -b -t nicfix -o cat --no-pager 2>/dev/null |
		grep -E '^[^ :]+: [^ :]+: .*\((turned off|already off|fixed|failed)'
}

n=$(vm_nic 0)

case "$VM_PHASE" in
1)
	check "ifupdown2 is the ifupdown here" dpkg-query -W ifupdown2
	is "ethtool -i: driver e1000e" "$(ethtool -i "$n" | awk '$1 == "driver:" { print $2 }')" e1000e
	vm_install_debs
	check "the hook is installed as if-post-up.d/nicfix" test -x /etc/network/if-post-up.d/nicfix
	bridge_over "$n"
	persist_bridge vmbr0
	check "persist wrote the line for $n" grep -qxF "	post-up ethtool -K $n tso off gso off gro off || true" /etc/network/interfaces
	mv "$(command -v ethtool)" "$ET"
	ln -s /dev/null /etc/udev/rules.d/85-nicfix.rules
	vm_reboot
	;;
2)
	# the image orders networking.service after udev has settled and
	# the driver after networking.service (tests/vm/mkimage.sh)
	is "after the reboot: networking.service (ifupdown2) active" "$(systemctl is-active networking.service)" active
	check "networking.service is ifupdown2's" grep -q ifupdown2 /lib/systemd/system/networking.service
	check "no ethtool binary in PATH" test -z "$(command -v ethtool)"
	is "after the reboot: $n is a port of vmbr0" "$(basename "$(readlink "/sys/class/net/$n/master")")" vmbr0
	is "ifupdown2, no ethtool, no udev rule: tso gso gro off" "$(tgg "$n")" "off off off"
	journalctl -b -t nicfix -o cat --no-pager | sed 's/^/# journal -t nicfix: /'
	check "journal: the hook turned them off for vmbr0: $n" grep -q "vmbr0: $n: tso gso gro off (turned off: tso gso gro)" <<<"$(hook_lines)"
	is "journal: one hook line (the udev rule masked)" "$(hook_lines | wc -l)" 1
	is "check vmbr0 after the reboot: exit 0" "$(nicfix check vmbr0 >/dev/null 2>&1; echo $?)" 0
	mv "$ET" /usr/sbin/ethtool
	rm /etc/udev/rules.d/85-nicfix.rules
	;;
esac
