# shellcheck shell=bash
# The real e1000e driver, one NIC (tests/vm.bats, "e1000e").
#  boot 1: the driver's own feature list, nicfix status/apply/check on it,
#          a bridge vmbr0 over it and `nicfix persist vmbr0`, then reboot
#  boot 2: networking.service (ifupdown) and the hook turned the features
#          off; re-probes (module reload, PCI remove/rescan) and the udev
#          rule; then the ethtool binary moved away and the udev rule
#          masked, and reboot
#  boot 3: the if-up.d hook alone turned them off
# shellcheck source=SCRIPTDIR/../lib.sh
. /nfxrun/lib.sh

# moved here in boot 2, so the persisted ethtool lines cannot run; this
# copy reads back
ET=/root/ethtool.moved
et() {
	if [ -x "$ET" ]; then "$ET" "$@"; else ethtool "$@"; fi
}
# tgg IFACE: tso gso gro as ethtool reads them back, "on on on"
tgg() {
	et -k "$1" | awk '$1 == "tcp-segmentation-offload:" { t = $2 }
		$1 == "generic-segmentation-offload:" { g = $2 }
		$1 == "generic-receive-offload:" { r = $2 }
		END { print t, g, r }'
}
kbit() {
	et -k "$1" | awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }'
}
# hook_lines: this boot's lines of the hook (syslog identifier nicfix)
# the hook's lines ("BRIDGE: PORT: tso gso gro off (turned off: ...)");
# the watch daemon logs under the same identifier
hook_lines() {
	journalctl -b -t nicfix -o cat --no-pager 2>/dev/null |
		grep -E '^[^ :]+: [^ :]+: .*\((turned off|already off|fixed|failed)'
}
# col IFACE N: column N of IFACE's row in nicfix status's table
# (NAME KIND DRIVER LINK BRIDGE TSO GSO GRO PORTS)
col() {
	nicfix status "$1" 2>/dev/null | awk -v n="$1" -v c="$2" '$1 == n { print $c }'
}
gone() { [ ! -e "/sys/class/net/$1" ]; }
here() { [ -e "/sys/class/net/$1" ]; }
# reprobe_wait NIC: the NIC is back, udev has run its rules for it
reprobe_wait() {
	wait_for here "$1"
	udevadm settle -t 30
}

n=$(vm_nic 0)

case "$VM_PHASE" in
1)
	is "the e1000e NIC is ens3 (PCI slot 3)" "$n" ens3
	is "ethtool -i: driver e1000e" "$(ethtool -i "$n" | awk '$1 == "driver:" { print $2 }')" e1000e
	note "ethtool -k $n, the driver's defaults, before nicfix:"
	features "$n"
	is "driver default: tso gso gro on" "$(tgg "$n")" "on on on"
	is "driver: tx-tcp-ecn-segmentation off [fixed]" "$(kbit "$n" tx-tcp-ecn-segmentation)" "off [fixed]"
	vm_install_debs
	check "the hook is installed as if-up.d/nicfix" test -x /etc/network/if-up.d/nicfix
	check "the udev rule is installed" test -e /usr/lib/udev/rules.d/85-nicfix.rules -o -e /lib/udev/rules.d/85-nicfix.rules

	out=$(nicfix status -v "$n" 2>&1)
	printf '%s\n' "$out" | sed 's/^/# status before: /'
	is "status: driver e1000e" "$(col "$n" 3)" e1000e
	# the real driver: tso is "partial" to nicfix, "on" to ethtool: of
	# its bits ecn is off [fixed] and mangleid off by default
	check "status: tso not off before apply" grep -qxE 'on|partial' <<<"$(col "$n" 6)"
	is "status: gso on before apply" "$(col "$n" 7)" on

	out=$(nicfix apply -v "$n" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# apply: /'
	is "apply exits 0" "$rc" 0
	check "apply: tso gso gro off, in short names" grep -qE "^$n: tso gso gro off \(turned off: " <<<"$out"
	check "apply: tx-tcp-segmentation off" grep -qx "$n: tx-tcp-segmentation: turned off" <<<"$out"
	check "apply: tx-tcp-ecn-segmentation fixed (off)" grep -qx "$n: tx-tcp-ecn-segmentation: fixed (off)" <<<"$out"
	check "apply: rx-gro off" grep -qx "$n: rx-gro: turned off" <<<"$out"
	note "ethtool -k $n after nicfix apply:"
	features "$n"
	is "ethtool -k after apply: tso gso gro off" "$(tgg "$n")" "off off off"
	is "ethtool -k after apply: ecn still off [fixed]" "$(kbit "$n" tx-tcp-ecn-segmentation)" "off [fixed]"
	is "ethtool -k after apply: sg untouched, on" "$(feature "$n" scatter-gather)" on
	is "status: tso off after apply" "$(col "$n" 6)" off
	is "status: gro off after apply" "$(col "$n" 8)" off

	# the driver's defaults back, a bridge over the NIC, then persist
	ethtool -K "$n" tso on gso on gro on >/dev/null
	bridge_over "$n"
	check "ifup vmbr0 (real ifupdown, bridge-utils)" ifup vmbr0
	is "$n is a port of vmbr0" "$(basename "$(readlink "/sys/class/net/$n/master")")" vmbr0
	# DESIGN.md: a named bridge's uncovered port is a finding, never "ok"
	nicfix check vmbr0 >/tmp/check.out 2>&1
	is "check vmbr0 before persist: a finding (exit 1)" "$?" 1
	check "check before persist: $n has no fix" grep -q "vmbr0: $n: no fix:" /tmp/check.out
	sed 's/^/# check before persist: /' /tmp/check.out
	persist_bridge vmbr0
	check "persist wrote the line for $n" grep -qxF "	post-up ethtool -K $n tso off gso off gro off || true" /etc/network/interfaces
	nicfix check vmbr0 >/tmp/check.out 2>&1
	is "check vmbr0 after persist, live on: drift (exit 1)" "$?" 1
	sed 's/^/# check drift: /' /tmp/check.out
	nicfix check --apply vmbr0 >/tmp/check.out 2>&1
	is "check --apply vmbr0 exits 0" "$?" 0
	sed 's/^/# check --apply: /' /tmp/check.out
	is "after check --apply: tso gso gro off" "$(tgg "$n")" "off off off"
	is "check vmbr0 now: ok (exit 0)" "$(nicfix check vmbr0 >/dev/null 2>&1; echo $?)" 0
	vm_reboot
	;;
2)
	note "after reboot 1: networking.service $(systemctl is-active networking.service)"
	is "after reboot: $n is a port of vmbr0" "$(basename "$(readlink "/sys/class/net/$n/master")")" vmbr0
	note "ethtool -k $n after the boot:"
	features "$n"
	is "after reboot: tso gso gro off" "$(tgg "$n")" "off off off"
	hook_lines | sed 's/^/# journal -t nicfix: /'
	check "journal: the hook's line for vmbr0: $n" grep -q "vmbr0: $n:" <<<"$(hook_lines)"
	is "check vmbr0 after reboot: exit 0" "$(nicfix check vmbr0 >/dev/null 2>&1; echo $?)" 0

	# re-probe without nicfix's rule: the driver's defaults come back
	ln -s /dev/null /etc/udev/rules.d/85-nicfix.rules
	udevadm control --reload
	modprobe -r e1000e
	check "modprobe -r e1000e: $n gone" wait_for gone "$n"
	modprobe e1000e
	check "modprobe e1000e: $n back" reprobe_wait "$n"
	is "re-probe, rule masked: the driver's defaults, tso gso gro on" "$(tgg "$n")" "on on on"

	# with the rule: off again, and nobody ran ifup
	rm /etc/udev/rules.d/85-nicfix.rules
	udevadm control --reload
	before=$(hook_lines | wc -l)
	modprobe -r e1000e
	wait_for gone "$n"
	modprobe e1000e
	check "modprobe e1000e again: $n back" reprobe_wait "$n"
	is "re-probe: the udev rule turned tso gso gro off" "$(tgg "$n")" "off off off"
	is "re-probe: no ifup ran ($n is in no bridge)" "$(readlink "/sys/class/net/$n/master")" ""
	check "re-probe: the hook logged a line for $n" grep -q "$n" <<<"$(hook_lines | tail -n +$((before + 1)))"
	hook_lines | tail -n +$((before + 1)) | sed 's/^/# journal after re-probe: /'

	addr=$(basename "$(readlink "/sys/class/net/$n/device")")
	note "PCI remove/rescan of $addr"
	echo 1 >"/sys/bus/pci/devices/$addr/remove"
	check "PCI remove: $n gone" wait_for gone "$n"
	echo 1 >/sys/bus/pci/rescan
	check "PCI rescan: $n back" reprobe_wait "$n"
	is "PCI rescan: the udev rule turned tso gso gro off" "$(tgg "$n")" "off off off"

	# next boot without the ethtool binary (the post-up lines fail,
	# || true) and without the udev rule (at boot it turns the features
	# off before networking.service): only the if-up.d hook can
	mv "$(command -v ethtool)" "$ET"
	check "ethtool binary moved away" test ! -e /usr/sbin/ethtool -a ! -e /sbin/ethtool
	ln -s /dev/null /etc/udev/rules.d/85-nicfix.rules
	vm_reboot
	;;
3)
	check "no ethtool binary in PATH" test -z "$(command -v ethtool)"
	is "after reboot 2: $n is a port of vmbr0" "$(basename "$(readlink "/sys/class/net/$n/master")")" vmbr0
	is "without ethtool and the udev rule, the hook alone: tso gso gro off" "$(tgg "$n")" "off off off"
	hook_lines | sed 's/^/# journal -t nicfix: /'
	check "journal: the if-up.d hook turned them off for vmbr0: $n" grep -q "vmbr0: $n: tso gso gro off (turned off: tso gso gro)" <<<"$(hook_lines)"
	is "journal: one hook line (the udev rule masked)" "$(hook_lines | wc -l)" 1
	mv "$ET" /usr/sbin/ethtool
	rm /etc/udev/rules.d/85-nicfix.rules
	;;
esac
