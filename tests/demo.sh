#!/bin/bash
# make demo: the main job end to end in a throwaway network namespace.
# A bridge vmbr0 with a veth port named eno1 stands in for a Proxmox
# node's NIC; nothing outside the namespace is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
NICFIX=${NICFIX:-$PWD/build/nicfix}

if [ "${1:-}" != --inside ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "demo: needs root for a private network namespace" >&2
		exit 3
	fi
	exec unshare --mount --net --propagation private "$0" --inside
fi

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() {
	say "$*"
	"$@" || echo "(exit status $?)"
}

ip link set lo up
ip link add vmbr0 type bridge
ip link add eno1 type veth peer name eno1-peer
ip link set eno1 master vmbr0
ip link set eno1 up
ip link set eno1-peer up
ip link set vmbr0 up
# a NIC as the driver leaves it: every offload on
ethtool -K eno1 gro on

echo "A private namespace: bridge vmbr0, port eno1 (a veth standing in for"
echo "an e1000e NIC), with TCP segmentation and receive offloads on."
echo
echo "First, what the node's kernel log says (a sample journal of a Proxmox"
echo "host whose eno1 hung every 2 s):"

run "$NICFIX" diagnose --input tests/fixtures/klog/demo-pve.log
echo
echo "diagnose advises 'nicfix apply eno1' now and 'nicfix persist vmbr0 eno1'"
echo "for the next boot; the demo follows that advice."

run "$NICFIX" status eno1
run "$NICFIX" apply eno1
run "$NICFIX" status eno1
say "ethtool -k eno1 | grep -E 'segmentation-offload|receive-offload'"
ethtool -k eno1 | grep -E 'segmentation-offload|receive-offload'
run "$NICFIX" apply eno1

# persist: a private copy of a typical Proxmox VE file, never /etc/network
conf=$(mktemp -d /tmp/nicfix-demo.XXXXXX)
trap 'rm -rf "$conf"' EXIT
mkdir -p "$conf/etc/network"
cp tests/fixtures/interfaces/pve8.interfaces "$conf/etc/network/interfaces"
export NICFIX_ROOT=$conf
export NICFIX_LENS_DIR=${NICFIX_LENS_DIR:-$PWD/lenses}
export NICFIX_BACKUP_DIR=$conf/backups
ethtool -K eno1 tso on gso on gro on
echo
echo "A private copy of a Proxmox VE 8 interfaces file in $conf; the"
echo "offloads are back on, as after a reboot without the fix."
IF=$conf/etc/network/interfaces
run "$NICFIX" -i "$IF" persist --dry-run vmbr0
run "$NICFIX" -i "$IF" persist vmbr0 eno1
run "$NICFIX" -i "$IF" persist vmbr0 eno1
run "$NICFIX" -i "$IF" check
run "$NICFIX" -i "$IF" check --apply
run "$NICFIX" -i "$IF" check
run "$NICFIX" diagnose --input tests/fixtures/klog/demo-pve.log

# Next boot: the real ifup of vmbr0 with the hook installed as the package
# installs it, in a mount namespace of its own where the private copy is
# /etc/network, /dev/log is a stand-in syslog, and ethtool fails, so the
# post-up line cannot do the work and the hook alone must.
HOOK=${HOOK:-$PWD/build/nicfix-hook}
E=$conf/etc/network
mkdir -p "$E"/if-{pre-up,up,post-up,down,post-down}.d "$conf/state"
for d in if-up.d if-post-up.d; do
	sed "s|/usr/libexec/nicfix/nicfix-hook|$HOOK|" hooks/ifupdown-hook.sh >"$E/$d/nicfix"
	chmod 0755 "$E/$d/nicfix"
done
# shellcheck source=tests/lib/syslog.bash
. tests/lib/syslog.bash
syslog_start "$conf"
trap 'syslog_stop; rm -rf "$conf"' EXIT
ethtool -K eno1 tso on gso on gro on
echo
echo "Next boot: the offloads are on again, and this time ethtool itself is"
echo "broken, so the persisted post-up line cannot help; the hook"
echo "(/etc/network/if-up.d/nicfix and if-post-up.d/nicfix) runs at ifup."
say "ifup vmbr0    # the real ifupdown, /etc/network = the private copy"
# shellcheck disable=SC2016 # expanded by the inner shell
unshare --mount --propagation private sh -c '
	mount --bind "$1/etc/network" /etc/network &&
	mount -t tmpfs nicfix-dev /dev &&
	mknod -m 666 /dev/null c 1 3 && ln -s "$2" /dev/log &&
	mount --bind /bin/false "$(command -v ethtool)" &&
	ifup --state-dir "$1/state" vmbr0' demo "$conf" "$SOCK" ||
	echo "(exit status $?)"
say "syslog"
sed "s/^<[0-9]*>//" "$SYSLOG"
say "ethtool -k eno1 | grep -E 'segmentation-offload|receive-offload'"
ethtool -k eno1 | grep -E 'segmentation-offload|receive-offload'
