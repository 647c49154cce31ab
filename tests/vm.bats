#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, status, lines
# The VM tier: the nicfix package in a booted Debian guest under QEMU
# with emulated Intel 82574L NICs, which the real e1000e driver drives:
# a real boot and reboot (systemd, networking.service, ifupdown, the
# hook, the udev rule), a real module reload and PCI rescan, real bonds
# and VLANs.  Each test is one guest run of a script in tests/vm/guest/
# (tests/vm/run.sh; several checks per boot, TAP lines back over a serial
# port); the test asserts that the run finished with no failure and that
# the checks it depends on were made.  The guest's networks reach
# nothing (user-mode, restrict=on).  Each run's TAP output is kept in
# build/vm/NAME.tap (the feature lists before and after are there).
#
# As root this tier never skips: a machine where QEMU cannot run fails.

load lib/common

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	cd "$TOP" || return 1
	deb_build
	DEPS=$(deb_depends)
	export DEPS
	# shellcheck disable=SC2086 # one package name a word
	IMAGE=$(bash "$TOP/tests/vm/mkimage.sh" "${NICFIX_VM_RELEASE:-bookworm}" $DEPS)
	export IMAGE
	# the ifupdown2 image is built (when not cached) while the first
	# scenarios boot: its test's own mkimage.sh waits on the image lock
	# for it, and rebuilds it if this build failed (log in build/vm)
	mkdir -p "$TOP/build/vm"
	# shellcheck disable=SC2086 # one package name a word
	NICFIX_VM_IFUPDOWN=ifupdown2 bash "$TOP/tests/vm/mkimage.sh" \
		"${NICFIX_VM_RELEASE:-bookworm}" $DEPS >/dev/null \
		2>"$TOP/build/vm/mkimage-ifupdown2.log" 3>&- 4>&- &
	IFUPDOWN2_BUILD=$!
	# one probe per file, not per run
	NICFIX_VM_ACCEL=$(bash "$TOP/tests/vm/run.sh" --probe "$IMAGE")
	export NICFIX_VM_ACCEL
}

teardown_file() {
	# a run of some scenarios only (bats -f) leaves no build behind
	[ -z "${IFUPDOWN2_BUILD:-}" ] || wait "$IFUPDOWN2_BUILD" || true
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (qemu, image build)"
	[ -n "${IMAGE:-}" ] || {
		echo "# no VM image: setup_file failed" >&3
		return 1
	}
}

# vm NAME [run.sh options]: run tests/vm/guest/NAME.sh in the guest
# ($IMAGE, or $VM_IMAGE when set); the TAP output in $output and
# build/vm/NAME.tap
vm() {
	local name=$1
	shift
	run bash "$TOP/tests/vm/run.sh" "${VM_IMAGE:-$IMAGE}" \
		"$TOP/tests/vm/guest/$name.sh" --deb "$DEB" "$@"
	printf '%s\n' "$output" >"$TOP/build/vm/$name.tap"
	printf '%s\n' "$output"
}

# has TEXT...: the guest said "ok - TEXT" for each
has() {
	local t
	for t in "$@"; do
		grep -qxF "ok - $t" <<<"$output" || {
			echo "# missing: ok - $t"
			return 1
		}
	done
}

@test "e1000e: status/apply/check on the real driver, a reboot, module reload, PCI rescan, the hook without ethtool" {
	vm e1000e
	[ "$status" -eq 0 ]
	has "ethtool -i: driver e1000e" \
		"driver default: tso gso gro on" \
		"driver: tx-tcp-ecn-segmentation off [fixed]" \
		"status: tso not off before apply" \
		"apply: tx-tcp-ecn-segmentation fixed (off)" \
		"ethtool -k after apply: tso gso gro off" \
		"check vmbr0 before persist: a finding (exit 1)" \
		"check before persist: ens3 has no fix" \
		"persist wrote the line for ens3" \
		"check vmbr0 now: ok (exit 0)" \
		"after reboot: tso gso gro off" \
		"journal: the hook's line for vmbr0: ens3" \
		"re-probe, rule masked: the driver's defaults, tso gso gro on" \
		"re-probe: the udev rule turned tso gso gro off" \
		"re-probe: no ifup ran (ens3 is in no bridge)" \
		"PCI rescan: the udev rule turned tso gso gro off" \
		"no ethtool binary in PATH" \
		"without ethtool and the udev rule, the hook alone: tso gso gro off" \
		"journal: the if-up.d hook turned them off for vmbr0: ens3"
}

@test "bond-vlan: a bond under a VLAN-aware bridge and a bridge on a VLAN: persist finds the NICs, all off after a boot" {
	vm bond-vlan --nics 3
	[ "$status" -eq 0 ]
	has "persist: a line for ens3" "persist: a line for ens4" \
		"persist: a line for ens5" "persist: no line for bond0" \
		"bond0's slaves" "vmbr0 is VLAN-aware (vlan_filtering)" \
		"ens5.100 is a port of vmbr1" \
		"after the reboot: ens3 tso gso gro off" \
		"after the reboot: ens4 tso gso gro off" \
		"after the reboot: ens5 tso gso gro off" \
		"check (every bridge) exits 0"
}

@test "pve9-names: a .link file pins the NIC as nic0 across a reboot; the hook and the udev rule follow the stale line, check names nic0, persist rewrites it" {
	vm pve9-names
	[ "$status" -eq 0 ]
	has "before pinning: the NIC is ens3" \
		"after the reboot: the NIC is nic0" \
		"udev: ID_NET_LINK_FILE is the pinning file" \
		"nic0 is a port of vmbr0" \
		"check vmbr0: the stale ens3 line is a finding (exit 1)" \
		"the hook followed ens3 to nic0: tso gso gro off" \
		"journal: the hook's line says it followed ens3 -> nic0" \
		"journal: one hook line (the udev rule masked)" \
		"check names nic0 as ens3's new name" \
		"check --json: the stale finding's new_name is nic0" \
		"re-probe: the udev rule followed ens3 to nic0: tso gso gro off" \
		"re-probe: no ifup ran (nic0 is in no bridge)" \
		"journal: the rule's line says it followed ens3 -> nic0" \
		"persist: the line names nic0" \
		"persist: no line names ens3" \
		"check vmbr0 after persist: ok (exit 0)"
}

@test "ifupdown2: persist vmbr0, reboot: ifupdown2's networking.service and the hook alone (no ethtool, no udev rule) turn the features off" {
	local img
	# shellcheck disable=SC2086 # one package name a word
	img=$(NICFIX_VM_IFUPDOWN=ifupdown2 bash "$TOP/tests/vm/mkimage.sh" \
		"${NICFIX_VM_RELEASE:-bookworm}" $DEPS)
	VM_IMAGE=$img vm ifupdown2
	[ "$status" -eq 0 ]
	has "ifupdown2 is the ifupdown here" \
		"ethtool -i: driver e1000e" \
		"the hook is installed as if-post-up.d/nicfix" \
		"persist vmbr0 exits 0" \
		"persist wrote the line for ens3" \
		"after the reboot: networking.service (ifupdown2) active" \
		"no ethtool binary in PATH" \
		"after the reboot: ens3 is a port of vmbr0" \
		"ifupdown2, no ethtool, no udev rule: tso gso gro off" \
		"journal: the hook turned them off for vmbr0: ens3" \
		"journal: one hook line (the udev rule masked)" \
		"check vmbr0 after the reboot: exit 0"
}

@test "watch: the installed daemon under systemd, hangs written to the guest's /dev/kmsg, features off, the line, metrics, mail, rate limit, restart, EPIPE" {
	vm watch --timeout 1800
	[ "$status" -eq 0 ]
	has "the unit is enabled on install" \
		"the unit is active" \
		"Type=notify: STATUS= says it follows /dev/kmsg" \
		"capabilities: CAP_NET_ADMIN CAP_SYSLOG only" \
		"a user-facility hang is ignored by default" \
		"diagnose does not report the injected hang (exit 0)" \
		"dmesg shows it, dmesg --facility=kern does not" \
		"a hang with the offloads on: off within the wait (ethtool -k)" \
		"the syslog line, with the persist command" \
		"metrics: fixes applied" \
		"metrics: no sample timestamps" \
		"a mail with the persist command" \
		"rate limit: the next apply is held back" \
		"hang despite the fix: reported" \
		"restart: hangs kept" \
		"EPIPE: the stopped daemon was not restarted by the watchdog" \
		"EPIPE: the daemon reads on" \
		"boot: the unit is started" \
		"boot: counters start afresh (/run)"
}
