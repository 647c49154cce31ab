#!/bin/bash
# mkimage.sh RELEASE [PKG...] - a cached bootable Debian VM image for tests/vm
#
# Prints the path of a directory holding
#   disk.raw    an ext4 file system (no partition table) with a Debian
#               RELEASE (bookworm, trixie) root: systemd, udev, the real
#               kernel (linux-image-amd64) and ifupdown, plus PKG...
#   vmlinuz, initrd.img   that root's own kernel and initrd, copied out so
#               qemu boots them with -kernel/-initrd (no boot loader)
#   release, packages     what went in, for the runner's messages
# The image never holds nicfix itself: tests/vm/run.sh copies the .deb and
# the test script in per run (a second disk), so the image does not go
# stale with the code.  The runner boots a copy-on-write overlay of
# disk.raw; nothing ever writes to the cached file.
#
# Made with mmdebstrap from the host's apt sources (as tests/lib/mkroot.sh
# does) and `mkfs.ext4 -d` (no loop mount), the first time, and reused
# afterwards.  The cache key is the release, the package list and a hash
# of this script (a change to the image's set-up makes a new image).
# Concurrent callers wait on one lock; an image is built under a
# temporary name and renamed when complete.
#
# NICFIX_ROOT_CACHE: the cache directory (default /var/cache/nicfix-test;
# CI points it at an empty one); images are its vm-* entries.
# NICFIX_VM_IFUPDOWN=ifupdown2 makes the image with ifupdown2 in place of
# ifupdown (another key, another image).
set -euo pipefail

# The guest side that is baked in: a unit that mounts the per-run disk
# (/dev/vdb, made by run.sh) and runs its driver.sh.  Everything else the
# guest runs comes from that disk.
customize() {
	local r=$1 ifupdown=$2
	echo nicfix-vm >"$r/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tnicfix-vm\n' >"$r/etc/hosts"
	cat >"$r/etc/fstab" <<-'EOF'
		/dev/vda	/	ext4	rw,errors=remount-ro	0	1
		/dev/vdb	/nfxrun	ext4	rw,x-systemd.device-timeout=infinity	0	0
	EOF
	mkdir -p "$r/nfxrun"
	cat >"$r/etc/network/interfaces" <<-'EOF'
		# tests/vm: the driver's test scripts write their own
		auto lo
		iface lo inet loopback
	EOF
	cat >"$r/etc/systemd/system/nicfix-vm.service" <<-'EOF'
		[Unit]
		Description=nicfix VM test driver (tests/vm)
		After=multi-user.target networking.service
		RequiresMountsFor=/nfxrun
		ConditionPathExists=/nfxrun/driver.sh

		[Service]
		Type=oneshot
		ExecStart=/bin/bash /nfxrun/driver.sh
		StandardOutput=journal+console
		StandardError=journal+console
		TimeoutStartSec=infinity

		[Install]
		WantedBy=multi-user.target
	EOF
	ln -sf /etc/systemd/system/nicfix-vm.service \
		"$r/etc/systemd/system/multi-user.target.wants/nicfix-vm.service"
	# Debian's ifupdown2 (3.0.0) networking.service has no ordering at
	# all (DefaultDependencies=no): its ifup -a races udev's probe and
	# rename of the NICs (the image's initrd has no NIC driver), and only
	# its slow start-up under TCG wins that race.  Ordered as ifupdown's
	# unit is (its ifupdown-pre.service runs udevadm settle): after udev
	# has settled.  The driver's unit runs after networking.service under
	# both (neither unit orders itself before multi-user.target).
	if [ "$ifupdown" = ifupdown2 ]; then
		mkdir -p "$r/etc/systemd/system/networking.service.d"
		cat >"$r/etc/systemd/system/networking.service.d/nicfix-vm.conf" <<-'EOF'
			[Unit]
			Wants=systemd-udev-settle.service
			After=systemd-udev-settle.service
		EOF
	fi
	# nothing that waits for a network or a clock the guest does not have
	local u
	for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
		e2scrub_reap.service fstrim.timer getty@tty1.service \
		systemd-networkd-wait-online.service; do
		ln -sf /dev/null "$r/etc/systemd/system/$u"
	done
	# modules udev would load for devices the tests do not use: each
	# costs seconds under TCG (signature check, probing)
	printf 'blacklist %s\n' kvm kvm_amd kvm_intel powernow_k8 ata_piix \
		ata_generic pata_acpi floppy pcspkr serio_raw joydev psmouse \
		i2c_piix4 bochs drm qemu_fw_cfg sg sr_mod intel_rapl_msr \
		intel_rapl_common intel_pmc_core evdev button \
		>"$r/etc/modprobe.d/nicfix-vm.conf"
	# a journal that survives the reboots of a scenario
	mkdir -p "$r/var/log/journal"
	# no first-boot work at every boot of a fresh overlay: a machine id
	# (no preset-all), the hwdb built, /etc and /var up to date for
	# ConditionNeedsUpdate (no hwdb rebuild, no ldconfig): minutes
	# under TCG otherwise
	chroot "$r" systemd-machine-id-setup >/dev/null
	chroot "$r" systemd-hwdb update
	touch "$r/etc/.updated" "$r/var/.updated"
	# a small initrd: the modules to mount a virtio ext4 root, not "most"
	sed -i 's/^MODULES=.*/MODULES=list/' "$r/etc/initramfs-tools/initramfs.conf"
	printf '%s\n' virtio_pci virtio_blk ext4 >>"$r/etc/initramfs-tools/modules"
	chroot "$r" update-initramfs -u -k all >/dev/null
}

if [ "${1:-}" = --customize ]; then
	customize "$2" "$3"
	exit 0
fi

[ "$#" -ge 1 ] || { echo "usage: mkimage.sh RELEASE [PKG...]" >&2; exit 2; }
release=$1
shift
cache=${NICFIX_ROOT_CACHE:-/var/cache/nicfix-test}
ifupdown=${NICFIX_VM_IFUPDOWN:-ifupdown}
# ifupdown's bridges and bonds come from bridge-utils' and ifenslave's
# hook scripts; ifupdown2 does both itself (and ifenslave wants ifupdown)
case "$ifupdown" in
ifupdown) ifpkgs=(ifupdown bridge-utils ifenslave) ;;
ifupdown2) ifpkgs=(ifupdown2) ;;
*) echo "mkimage: NICFIX_VM_IFUPDOWN: ifupdown or ifupdown2" >&2; exit 2 ;;
esac
pkgs=(linux-image-amd64 systemd systemd-sysv udev kmod initramfs-tools
	ethtool iproute2 procps "${ifpkgs[@]}" "$@")
self=$(sha256sum "$0" | cut -c1-16)
key=$(printf '%s\n' "$release" "$self" "${pkgs[@]}" | sort -u | sha256sum | cut -c1-12)
img="$cache/vm-$release-$key"

# host_sources, closed_run (shared with tests/lib/mkroot.sh)
# shellcheck source=SCRIPTDIR/../lib/mmdebstrap.sh
. "$(dirname "$(realpath "$0")")/../lib/mmdebstrap.sh"

mkdir -p "$cache"
# images have their own lock: a build (minutes) does not hold up the
# roots of tests/lib/mkroot.sh
exec {lock}>"$cache/.vm-lock"
flock "$lock"
if [ ! -f "$img/.nicfix-complete" ]; then
	tmp="$img.tmp"
	rm -rf "$img" "$tmp"
	mkdir -p "$tmp"
	# the host's own sources, bookworm read as the release asked
	sources=$(host_sources "$release")
	start=$SECONDS
	# shellcheck disable=SC2016 # "$1" is for mmdebstrap's hook shell
	closed_run mmdebstrap --quiet --mode=root --variant=minbase \
		--include="$(
			IFS=,
			echo "${pkgs[*]}"
		)" \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--customize-hook="bash $(printf %q "$(realpath "$0")") --customize \"\$1\" $ifupdown" \
		"$release" "$tmp/root" - <<<"$sources" >&2
	cp "$tmp"/root/boot/vmlinuz-* "$tmp/vmlinuz"
	cp "$tmp"/root/boot/initrd.img-* "$tmp/initrd.img"
	# room for the tests' writes goes to the run's overlay, but the
	# guest's own file system must have some: twice what is there
	mb=$(du -sm "$tmp/root" | cut -f1)
	# stdout is the image's path alone: mkfs.ext4 -d talks there too
	mkfs.ext4 -q -F -L nfxroot -d "$tmp/root" "$tmp/disk.raw" "$((mb * 2 + 512))M" >&2
	rm -rf "$tmp/root"
	chmod 0444 "$tmp/disk.raw"
	echo "$release" >"$tmp/release"
	printf '%s\n' "${pkgs[@]}" >"$tmp/packages"
	echo "mkimage: $release image built in $((SECONDS - start)) s" >&2
	touch "$tmp/.nicfix-complete"
	mv "$tmp" "$img"
fi
echo "$img"
