#!/bin/bash
# run.sh IMAGE SCRIPT [options] - boot a tests/vm image, run SCRIPT in it
#
# IMAGE is a directory printed by tests/vm/mkimage.sh.  The guest boots
# the image's own kernel and initrd under qemu-system-x86_64 (KVM when a
# probe shows it works, else TCG) on a copy-on-write overlay of its disk,
# with NICs of the real e1000e model on user-mode networks that reach
# nothing outside (restrict=on).  A second disk (/dev/vdb, mounted at
# /nfxrun in the guest) carries driver.sh, lib.sh, SCRIPT (as test.sh),
# the .debs and files given below; the image's nicfix-vm.service runs
# driver.sh after boot, which runs test.sh with bash and powers off.
#
# SCRIPT is bash, run as root in the booted guest after `. lib.sh` (see
# tests/vm/lib.sh for ok/not_ok/check/note/vm_reboot/vm_nic/...).  It
# prints TAP lines ("ok - what", "not ok - what", "# note"); anything else
# it prints becomes a "# " line.  It runs once per boot with VM_PHASE set
# (1, 2, ...): calling vm_reboot ends this phase and reboots the guest:
# a clean shutdown, then the runner boots it again on the same disks (a
# new qemu: every boot is a cold one), and SCRIPT runs again with VM_PHASE
# one higher.  Returning without vm_reboot ends the run.
#
# The runner prints the guest's TAP lines and a plan, then exits
# 0 when the guest finished and said no "not ok" (but for TAP's "not ok
# - what # TODO why", an expected failure), 1 when it said one,
# 3 when it did not finish (time-out, qemu failure, a guest that hung or
# died): then it prints the tail of the serial console.
#
# Options:
#   --deb FILE      copy FILE to /nfxrun/debs/ (lib.sh: vm_install_debs)
#   --file SRC      copy SRC to /nfxrun/files/ (repeatable)
#   --env NAME=VAL  exported to SCRIPT (repeatable)
#   --nics N        N e1000e NICs (default 1); NIC i (0-based) has MAC
#                   52:54:00:12:34:1i and PCI slot 3+i, so the guest
#                   names them ens3, ens4, ... unless a .link renames them
#   --nic MODEL     one more NIC of another qemu model (virtio-net-pci,
#                   e1000, igb...), after the e1000e ones (repeatable)
#   --accel A       kvm or tcg (default: kvm if a probe boots, else tcg)
#   --timeout S     kill qemu after S seconds (default 300 KVM, 900 TCG)
#   --keep DIR      keep the run's files (console log, disks) in DIR
# NICFIX_VM_ACCEL (kvm or tcg) stands for --accel; `run.sh --probe IMAGE`
# prints what the probe chose (tests/vm.bats probes once per file).
#
# Example, from the top of the tree:
#   img=$(bash tests/vm/mkimage.sh bookworm libmnl0 libaugeas0)
#   bash tests/vm/run.sh "$img" my-test.sh --deb build/deb/nicfix_*.deb --nics 2
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)

usage() {
	echo "usage: run.sh IMAGE SCRIPT [--deb FILE] [--file SRC] [--env N=V] [--nics N] [--nic MODEL] [--accel kvm|tcg] [--timeout S] [--keep DIR]" >&2
	exit 2
}

probe=0
if [ "${1:-}" = --probe ] && [ "$#" -eq 2 ]; then
	# run.sh --probe IMAGE: print the accelerator a run would use
	probe=1 image=$2
	set -- "$image" /dev/null
fi
[ "$#" -ge 2 ] || usage
image=$1 script=$2
shift 2
debs=() files=() envs=() models=() nics=1 accel="" timeout="" keep=""
while [ "$#" -gt 0 ]; do
	[ "$#" -ge 2 ] || usage
	case "$1" in
	--deb) debs+=("$2") ;;
	--file) files+=("$2") ;;
	--env) envs+=("$2") ;;
	--nics) nics=$2 ;;
	--nic) models+=("$2") ;;
	--accel) accel=$2 ;;
	--timeout) timeout=$2 ;;
	--keep) keep=$2 ;;
	*) usage ;;
	esac
	shift 2
done
for f in "$image/disk.raw" "$image/vmlinuz" "$image/initrd.img" "$script" "${debs[@]}" "${files[@]}"; do
	[ -f "$f" ] || [ "$f" = /dev/null ] || { echo "vm: $f: no such file" >&2; exit 2; }
done
[[ "$nics" =~ ^[0-9]$ ]] || { echo "vm: --nics: 0 to 9" >&2; exit 2; }
for e in "${envs[@]}"; do
	[[ "$e" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || { echo "vm: --env $e: not NAME=VALUE" >&2; exit 2; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "vm: qemu-system-x86_64 not found (make deps)" >&2; exit 3; }

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	run=$(cd "$keep" && pwd)
else
	run=$(mktemp -d "${TMPDIR:-/tmp}/nicfix-vm.XXXXXX")
	trap 'rm -rf "$run"' EXIT
fi

# probe_kvm: /dev/kvm is there and the image's kernel gets as far as
# its first line under it.  Not only that qemu starts: on some nested
# hosts KVM runs a BIOS but the kernel's decompressor never finishes.
probe_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local log="$run/kvm-probe" pid
	: >"$log"
	qemu-system-x86_64 -accel kvm -cpu host -m 256 -display none -nodefaults \
		-monitor none -no-user-config -no-reboot -kernel "$image/vmlinuz" \
		-append "console=ttyS0 earlyprintk=serial,ttyS0 panic=-1" \
		-serial "file:$log" </dev/null >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q 'Linux version' "$log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -q 'Linux version' "$log"
}

accel=${accel:-${NICFIX_VM_ACCEL:-}}
if [ -z "$accel" ]; then
	if probe_kvm; then accel=kvm; else accel=tcg; fi
fi
if [ "$probe" = 1 ]; then
	echo "$accel"
	exit 0
fi
case "$accel" in
kvm) cpu=host timeout=${timeout:-300} ;;
tcg) cpu=max timeout=${timeout:-900} ;;
*) usage ;;
esac

# the run disk: what the guest runs, written by mkfs.ext4 -d
stage="$run/stage"
mkdir -p "$stage/debs" "$stage/files"
cp "$here/driver.sh" "$here/lib.sh" "$stage/"
cp "$script" "$stage/test.sh"
for f in "${debs[@]}"; do cp "$f" "$stage/debs/"; done
for f in "${files[@]}"; do cp "$f" "$stage/files/"; done
for e in "${envs[@]}"; do
	printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
done >"$stage/env"
echo 1 >"$stage/phase"
mb=$(du -sm "$stage" | cut -f1)
mkfs.ext4 -q -F -L nfxrun -d "$stage" "$run/run.img" "$((mb + 64))M" >/dev/null ||
	{ echo "vm: mkfs.ext4 of the run disk failed" >&2; exit 3; }
qemu-img create -q -f qcow2 -b "$(realpath "$image/disk.raw")" -F raw "$run/root.qcow2" ||
	{ echo "vm: qemu-img create failed" >&2; exit 3; }

# shellcheck disable=SC2054 # commas inside qemu's option values
args=(-accel "$accel" -cpu "$cpu" -m 1024 -smp 1 -nodefaults -display none
	-monitor none -no-user-config
	-kernel "$image/vmlinuz" -initrd "$image/initrd.img"
	-append "root=/dev/vda rw console=ttyS0 panic=-1 mitigations=off systemd.show_status=1"
	-drive "file=$run/root.qcow2,format=qcow2,if=none,id=root,discard=unmap"
	-device virtio-blk-pci,drive=root,addr=0x10
	-drive "file=$run/run.img,format=raw,if=none,id=run"
	-device virtio-blk-pci,drive=run,addr=0x11
	-no-reboot)
slot=3
for ((i = 0; i < nics; i++)); do
	args+=(-netdev "user,id=n$i,restrict=on"
		-device "e1000e,netdev=n$i,mac=52:54:00:12:34:1$i,addr=$(printf '0x%x' "$slot")")
	slot=$((slot + 1))
done
i=$nics
for m in "${models[@]}"; do
	args+=(-netdev "user,id=n$i,restrict=on"
		-device "$m,netdev=n$i,mac=52:54:00:12:34:2$((i - nics)),addr=$(printf '0x%x' "$slot")")
	slot=$((slot + 1)) i=$((i + 1))
done

echo "# vm: $(cat "$image/release" 2>/dev/null || echo '?') image $image, accel $accel, $nics e1000e NIC(s)${models[*]:+, ${models[*]}}, timeout ${timeout} s"

# One qemu per boot: the guest asks for a reboot by powering off after
# "# vm: rebooting" (driver.sh), and the next boot starts on the same
# disks.  A cold reboot, not a reset of the same qemu: after a warm
# reset a TCG guest was seen spending minutes in clear_page.
start=$SECONDS
: >"$run/tap.txt"
: >"$run/console.log"
boot=1 rc=0 how=""
while :; do
	left=$((timeout - (SECONDS - start)))
	if [ "$left" -le 0 ]; then
		rc=124
		break
	fi
	bstart=$SECONDS
	timeout --kill-after=10 "$left" qemu-system-x86_64 "${args[@]}" \
		-serial "file:$run/console-$boot.log" -serial "file:$run/tap-$boot.log" \
		</dev/null >"$run/qemu.log" 2>&1
	rc=$?
	tr -d '\r' <"$run/tap-$boot.log" >>"$run/tap.txt"
	tr -d '\r' <"$run/console-$boot.log" >>"$run/console.log"
	echo "# vm: boot $boot: qemu ran $((SECONDS - bstart)) s, exit $rc" >>"$run/tap.txt"
	[ "$rc" -eq 0 ] || break
	how=$(grep -E '^# vm: (rebooting|finished)$' "$run/tap-$boot.log" | tail -n 1)
	[ "$how" = "# vm: rebooting" ] || break
	boot=$((boot + 1))
done
took=$((SECONDS - start))

plan=0 bad=0
while IFS= read -r line; do
	case "$line" in
	"ok "* | "ok") plan=$((plan + 1)) ;;
	# a TODO is an expected failure (TAP): reported, not counted
	"not ok"*"# TODO"*) plan=$((plan + 1)) ;;
	"not ok"*) plan=$((plan + 1)) bad=$((bad + 1)) ;;
	esac
	printf '%s\n' "$line"
done <"$run/tap.txt"
echo "1..$plan"
echo "# vm: $boot boot(s), $took s in all (accel $accel)"

fail_tail() {
	echo "# vm: $1; the serial console's last lines:"
	tail -n 40 "$run/console.log" | sed 's/^/#   /'
	sed 's/^/# qemu: /' "$run/qemu.log"
}
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	fail_tail "TIMED OUT after $timeout s, qemu killed"
	exit 3
fi
if [ "$how" != "# vm: finished" ]; then
	fail_tail "the guest did not finish (qemu exit $rc)"
	exit 3
fi
if [ "$plan" -eq 0 ]; then
	fail_tail "the guest reported no test"
	exit 3
fi
[ "$bad" -eq 0 ] || exit 1
exit 0
