#!/bin/bash
# driver.sh - the guest side of tests/vm/run.sh, run by nicfix-vm.service
#
# Runs /nfxrun/test.sh once per boot with VM_PHASE from /nfxrun/phase and
# sends its output, as TAP, to the second serial port (/dev/ttyS1, the
# runner's tap.log) and to /nfxrun/tap.log.  When the script asked for a
# reboot (lib.sh's vm_reboot leaves /nfxrun/reboot) it says "# vm:
# rebooting" and powers off, and the runner boots it again for the next
# phase; otherwise it prints "# vm: finished" and powers
# off.  Lives on the per-run disk, not in the image.
set -u
cd /nfxrun || exit 3

tap=/dev/ttyS1
# clocal: an open of a serial port waits for carrier without it
stty -F "$tap" raw -echo clocal 2>/dev/null
phase=$(cat phase 2>/dev/null || echo 1)
[[ "$phase" =~ ^[0-9]+$ ]] || phase=1

# emit: each line of stdin to the TAP port and the log; a line that is
# not TAP becomes a comment
emit() {
	local line
	while IFS= read -r line; do
		case "$line" in
		"ok" | "ok "* | "not ok"* | "#"*) ;;
		*) line="# $line" ;;
		esac
		printf '%s\n' "$line" >>"$tap"
		printf '%s\n' "$line" >>tap.log
	done
}

up=$(cut -d' ' -f1 /proc/uptime)
echo "# vm: phase $phase: test driver started ${up%.*} s after the kernel ($(uname -r))" | emit

rm -f reboot
if [ "$phase" -gt 9 ]; then
	echo "not ok - vm: phase $phase: more than 9 boots, a reboot loop" | emit
	rc=1
else
	(
		# shellcheck disable=SC1091 # the runner's --env lines
		. ./env
		export VM_PHASE=$phase
		exec bash ./test.sh
	) 2>&1 | emit
	rc=${PIPESTATUS[0]}
fi

if [ -e reboot ]; then
	echo $((phase + 1)) >phase
	# the runner boots the next phase (run.sh: one qemu per boot)
	echo "# vm: rebooting" | emit
	sync
	systemctl poweroff --no-block
	exit 0
fi
if [ "$rc" -ne 0 ]; then
	echo "not ok - vm: phase $phase: test.sh exited $rc" | emit
fi
echo "# vm: finished" | emit
sync
systemctl poweroff --no-block
