# shellcheck shell=bash
# lib.sh - helpers for the guest-side test scripts of tests/vm/run.sh
#
# A test script starts with `. /nfxrun/lib.sh` and prints TAP through
# these; the driver turns anything else it prints into "# " comments.
#   ok TEXT / not_ok TEXT      a result line
#   check TEXT CMD...          runs CMD: ok when it exits 0, else not ok
#                              with its output as comments
#   is TEXT GOT WANT           ok when GOT = WANT, else not ok saying both
#   note TEXT...               a comment line
#   vm_reboot                  end this phase and reboot (the next boot
#                              runs the script again, VM_PHASE + 1)
#   vm_nic I                   the current name of e1000e NIC I (0-based;
#                              found by its own MAC, 52:54:00:12:34:1I,
#                              also when it is a bond's slave)
#   vm_install_debs            dpkg -i every --deb the runner was given
#   feature IFACE NAME         "on"/"off" as `ethtool -k IFACE` reads NAME
#   features IFACE             `ethtool -k IFACE` as comment lines
#   wait_for CMD...            retries CMD for up to 30 s
# VM_PHASE is the boot number (1, 2, ...); /nfxrun/files holds --file's.

VM_RUN=/nfxrun

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
note() { echo "# $*"; }

check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		not_ok "$what (exit $?: $*)"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	fi
	return 0
}

is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (got '$2', want '$3')"
	fi
}

vm_reboot() {
	: >"$VM_RUN/reboot"
	exit 0
}

vm_nic() {
	local mac="52:54:00:12:34:1$1" d a
	for d in /sys/class/net/*; do
		# a NIC, not a bond or bridge that took its address; a bond's
		# slave has the bond's, and its own as perm_hwaddr
		[ -e "$d/device" ] || continue
		a=$(cat "$d/bonding_slave/perm_hwaddr" 2>/dev/null ||
			cat "$d/address" 2>/dev/null)
		if [ "$a" = "$mac" ]; then
			echo "${d##*/}"
			return 0
		fi
	done
	return 1
}

vm_install_debs() {
	local debs=("$VM_RUN"/debs/*.deb)
	[ -e "${debs[0]}" ] || { not_ok "vm_install_debs: no --deb given"; return 1; }
	check "dpkg -i ${debs[*]##*/}" env DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[@]}"
}

# bridge_over NIC: /etc/network/interfaces with vmbr0 over NIC alone, as
# a Proxmox VE node has it
bridge_over() {
	cat >/etc/network/interfaces <<-EOF
		auto lo
		iface lo inet loopback

		iface $1 inet manual

		auto vmbr0
		iface vmbr0 inet static
		 	address 192.0.2.10/24
		 	bridge-ports $1
		 	bridge-stp off
		 	bridge-fd 0
	EOF
	sed -i 's/^ \t/\t/' /etc/network/interfaces
}

# persist_bridge BRIDGE: `nicfix persist BRIDGE` exits 0; its output as notes
persist_bridge() {
	local out rc=0
	out=$(nicfix persist "$1" 2>&1) || rc=$?
	is "persist $1 exits 0" "$rc" 0
	printf '%s\n' "$out" | sed "s/^/# persist $1: /"
}

feature() {
	ethtool -k "$1" | awk -v f="$2:" '$1 == f { print $2 }'
}

features() {
	ethtool -k "$1" | sed "s/^/# $1: /"
}

wait_for() {
	for _ in $(seq 60); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}
