# shellcheck shell=bash
# nicfix watch as installed, under the guest's systemd, over the real
# e1000e driver (tests/vm/run.sh IMAGE tests/vm/guest/watch.sh --deb ...).
# The hang records are written to the GUEST's /dev/kmsg: they land in its
# log as the user facility, which the daemon takes only with the test-only
# switch, and which diagnose never reports.
#  boot 1: the package enables and starts nicfix-watch.service; without
#          the switch an injected hang is ignored, and diagnose does not
#          report it; with it: the features off (ethtool -k), the syslog
#          line, the metrics, the mail, the rate limit, "hang despite the
#          fix", a restart keeping the counters, and EPIPE (the daemon
#          stopped while the kernel's ring overflows) counted as lost
#  boot 2: the unit is started at boot, ready, its counters new (/run)
# shellcheck source=SCRIPTDIR/../lib.sh
. /nfxrun/lib.sh

n=$(vm_nic 0)
pci=$(basename "$(readlink -f "/sys/class/net/$n/device")")
PROM=/var/lib/prometheus/node-exporter/nicfix.prom
MAILDIR=/var/lib/nicfix-test

tgg() {
	ethtool -k "$1" | awk '$1 == "tcp-segmentation-offload:" { t = $2 }
		$1 == "generic-segmentation-offload:" { g = $2 }
		$1 == "generic-receive-offload:" { r = $2 }
		END { print t, g, r }'
}
tgg_is() { [ "$(tgg "$n")" = "$1" ]; }
# hang: one e1000e report, in one write, to the guest's /dev/kmsg
hang() {
	printf '<3>e1000e %s %s: Detected Hardware Unit Hang:\n  TDH                  <f6>\n  TDT                  <2a>\n  next_to_use          <2a>\n  next_to_clean        <f6>\n  next_to_watch.status <0>\n' \
		"$pci" "$n" >/dev/kmsg
}
metric() {
	awk -v k="$1{device=\"$n\"}" '$1 == k || $1 == "'"$1"'" { print $2 }' "$PROM" 2>/dev/null
}
metric_is() { [ "$(metric "$1")" = "$2" ]; }
journal_has() { journalctl -b -t nicfix-watch -o cat --no-pager | grep -q -- "$1"; }
status_text() { systemctl show -p StatusText --value nicfix-watch; }

case "$VM_PHASE" in
1)
	# the injections must all reach the log: no rate limit on user writes
	sysctl -qw kernel.printk_devkmsg=on
	mkdir -p "$(dirname "$PROM")" "$MAILDIR"
	vm_install_debs
	is "the unit is enabled on install" "$(systemctl is-enabled nicfix-watch)" enabled
	wait_for systemctl is-active -q nicfix-watch
	is "the unit is active" "$(systemctl is-active nicfix-watch)" active
	check "Type=notify: STATUS= says it follows /dev/kmsg" \
		bash -c "systemctl show -p StatusText --value nicfix-watch | grep -q 'following /dev/kmsg'"
	is "capabilities: CAP_NET_ADMIN CAP_SYSLOG only" \
		"$(systemctl show -p CapabilityBoundingSet --value nicfix-watch | tr ' ' '\n' | sort | paste -sd' ')" \
		"cap_net_admin cap_syslog"
	# the metrics directory exists now: a restart writes the file
	systemctl restart nicfix-watch
	wait_for test -s "$PROM"
	check "the metrics file is written" test -s "$PROM"

	ip link add vmbr0 type bridge
	ip link set "$n" master vmbr0
	ip link set vmbr0 up
	ethtool -K "$n" tso on gso on gro on
	is "driver default: tso gso gro on" "$(tgg "$n")" "on on on"

	# --- without the switch: an injected (user-facility) hang is nothing
	hang
	sleep 2
	is "a user-facility hang is ignored by default" "$(tgg "$n")" "on on on"
	check "no fix logged" bash -c "! journalctl -b -t nicfix-watch -o cat | grep -q turned"
	rc=0
	out=$(nicfix diagnose 2>&1) || rc=$?
	is "diagnose does not report the injected hang (exit 0)" "$rc" 0
	printf '%s\n' "$out" | sed 's/^/# diagnose: /'
	check "the injected record is in the journal, as the user facility" \
		bash -c "journalctl -b -o verbose --no-pager | grep -q 'SYSLOG_FACILITY=1'"
	check "dmesg shows it, dmesg --facility=kern does not" \
		bash -c "dmesg | grep -q 'Detected Hardware Unit Hang' && ! dmesg --facility=kern | grep -q 'Detected Hardware Unit Hang'"

	# --- the test-only switch, and a fake sendmail that keeps the mail
	cat >/usr/local/sbin/sendmail <<-EOF
		#!/bin/sh
		cat >"$MAILDIR/mail.\$\$"
	EOF
	chmod +x /usr/local/sbin/sendmail
	cat >/etc/default/nicfix <<-EOF
		WATCH_TEST_ACCEPT_USER_FACILITY=yes
		WATCH_SENDMAIL=/usr/local/sbin/sendmail
	EOF
	systemctl restart nicfix-watch
	wait_for systemctl is-active -q nicfix-watch
	sleep 1
	is "the record read before the restart is not acted on again" "$(tgg "$n")" "on on on"

	hang
	if wait_for tgg_is "off off off"; then
		ok "a hang with the offloads on: off within the wait (ethtool -k)"
	else
		not_ok "a hang with the offloads on: off within the wait (got $(tgg "$n"))"
	fi
	check "the syslog line, with the persist command" \
		journal_has "$n: e1000e-hardware-unit-hang (pci $pci): turned tso,gso,gro off, read back off; not persisted: run nicfix persist vmbr0 $n"
	wait_for metric_is nicfix_fixes_applied_total 1
	is "metrics: fixes applied" "$(metric nicfix_fixes_applied_total)" 1
	is "metrics: hangs" "$(metric nicfix_hangs_total)" 1
	is "metrics: offloads on" "$(metric nicfix_offloads_on)" 0
	check "metrics: no sample timestamps" bash -c "! awk '!/^#/ && NF != 2' $PROM | grep -q ."
	check "a mail with the persist command" \
		bash -c "grep -l '^    nicfix persist vmbr0 $n\$' $MAILDIR/mail.* >/dev/null"
	sed 's/^/# mail: /' "$MAILDIR"/mail.* | head -n 20

	# --- rate limit: on again (a driver reset), a hang within the minute
	ethtool -K "$n" tso on gso on gro on
	hang
	wait_for metric_is nicfix_actions_rate_limited_total 1
	is "rate limit: the next apply is held back" "$(metric nicfix_actions_rate_limited_total)" 1
	is "rate limit: the offloads stay on" "$(tgg "$n")" "on on on"

	# --- hang despite the fix
	ethtool -K "$n" tso off gso off gro off
	hang
	wait_for metric_is nicfix_hangs_despite_fix_total 1
	is "hang despite the fix: reported" "$(metric nicfix_hangs_despite_fix_total)" 1
	is "hang despite the fix: not acted on again" "$(metric nicfix_fixes_applied_total)" 1
	check "hang despite the fix: logged" journal_has "hang despite the fix"

	# --- a restart keeps the counters
	systemctl restart nicfix-watch
	wait_for systemctl is-active -q nicfix-watch
	sleep 1
	is "restart: hangs kept" "$(metric nicfix_hangs_total)" 3
	is "restart: fixes kept" "$(metric nicfix_fixes_applied_total)" 1

	# --- EPIPE: the daemon stopped while the ring buffer overflows
	lost0=$(metric nicfix_watch_records_lost_total)
	restarts0=$(systemctl show -p NRestarts --value nicfix-watch)
	systemctl kill -s STOP nicfix-watch
	# one open of /dev/kmsg, one write a record: quick enough, even under
	# TCG, to stay far inside WatchdogSec (a watchdog restart would open
	# the log afresh at its oldest record and see no EPIPE at all)
	for i in $(seq 30000); do
		echo "<6>nicfix-vm-test: filler record $i of a ring overflow"
	done >/dev/kmsg
	systemctl kill -s CONT nicfix-watch
	is "EPIPE: the stopped daemon was not restarted by the watchdog" \
		"$(systemctl show -p NRestarts --value nicfix-watch)" "$restarts0"
	if wait_for bash -c "[ \"\$(awk '\$1 == \"nicfix_watch_records_lost_total\" { print \$2 }' $PROM)\" -gt ${lost0:-0} ]"; then
		ok "EPIPE: the overwritten records are counted as lost ($(metric nicfix_watch_records_lost_total))"
	else
		not_ok "EPIPE: no lost records counted ($(metric nicfix_watch_records_lost_total))"
	fi
	is "EPIPE: the daemon reads on" "$(systemctl is-active nicfix-watch)" active
	note "status: $(status_text)"
	vm_reboot
	;;
2)
	wait_for systemctl is-active -q nicfix-watch
	is "boot: the unit is started" "$(systemctl is-active nicfix-watch)" active
	check "boot: READY, following /dev/kmsg" \
		bash -c "systemctl show -p StatusText --value nicfix-watch | grep -q 'following /dev/kmsg'"
	wait_for test -s "$PROM"
	is "boot: counters start afresh (/run)" "$(metric nicfix_fixes_applied_total)" ""
	is "boot: this boot's log has no hang to act on" "$(journalctl -b -t nicfix-watch -o cat | grep -c turned)" 0
	;;
esac
