#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# nicfix watch against the real kernel, in a private namespace (bridge
# vmbr0, veth port eno1 with its offloads turned on by the real ethtool),
# fed through a FIFO standing in for /dev/kmsg (--kmsg): the test writes
# whole records into it, never into the host's /dev/kmsg.  The results
# are read back with ethtool -k, from the test's syslog socket, the
# metrics file (promtool check metrics), a fake sendmail on PATH and a
# notify socket standing in for systemd's.

load lib/common
load lib/syslog

PCI=0000:00:1f.6
# logged PATTERN counts the daemon's lines (the hook's are "nicfix")
export LOG_IDENT=nicfix-watch

setup() {
	ns_setup
	tgg_on
	D=$BATS_TEST_TMPDIR
	mkfifo "$D/kmsg"
	mkdir -p "$D/bin" "$D/prom" "$D/sysfs/bus/pci/devices/$PCI/net/eno1"
	# the fake sendmail: its arguments and the mail it was handed
	cat >"$D/bin/sendmail" <<-EOF
		#!/bin/sh
		n=\$(ls "$D" | grep -c '^mail\.[0-9]*\$')
		printf '%s\n' "\$*" >"$D/args.\$n"
		cat >"$D/mail.\$n"
	EOF
	chmod +x "$D/bin/sendmail"
	cat >"$D/interfaces" <<-EOF
		auto vmbr0
		iface vmbr0 inet manual
			bridge-ports eno1
	EOF
	: >"$D/nicfix.conf"
	syslog_start "$D"
	notify_start
}

teardown() {
	stop_watch || true
	if [ -n "${NOTIFY_PID:-}" ]; then
		kill "$NOTIFY_PID" 2>/dev/null || true
	fi
	syslog_stop
	ns_teardown
}

# notify_start: a stand-in for systemd's notify socket, each datagram a
# line of $D/notify.log
notify_start() {
	: >"$D/notify.log"
	/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(4096).replace(b"\n", b" ") + b"\n")
' "$D/notify.sock" "$D/notify.log" 3>&- &
	NOTIFY_PID=$!
	wait_for test -S "$D/notify.sock"
}

# wait_for CMD...: until CMD succeeds, for at most 10 s (a bound on a
# wait, not a measured time)
wait_for() {
	local _
	for _ in $(seq 200); do
		"$@" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "gave up waiting for: $*" >&2
	return 1
}

# start_watch [ARGS...]: the daemon in the namespace, ready (READY=1)
start_watch() {
	: >"$D/notify.log"
	# not through ns(): $! must be the daemon itself, not a subshell
	ip netns exec "$NS" env PATH="$D/bin:$PATH" NOTIFY_SOCKET="$D/notify.sock" \
		WATCHDOG_USEC=2000000 \
		"$NICFIX" -i "$D/interfaces" watch --config "$D/nicfix.conf" \
		--kmsg "${KMSG:-$D/kmsg}" --state "$D/run" \
		--metrics "$D/prom/nicfix.prom" --sysfs "$D/sysfs" \
		--log-socket "$SOCK" "$@" 3>&- 2>>"$D/watch.err" &
	WPID=$!
	wait_for grep -q '^READY=1' "$D/notify.log"
}

# stop_watch: SIGTERM, and the daemon's exit status must be 0
stop_watch() {
	[ -n "${WPID:-}" ] || return 0
	kill -TERM "$WPID" 2>/dev/null || true
	local rc=0
	wait "$WPID" || rc=$?
	WPID=
	return "$rc"
}

# hang SEQ [IFNAME] [PRI] [SECONDS]: one e1000e report as /dev/kmsg gives
# it, logged SECONDS (default: SEQ) after boot by the kernel's clock
hang() {
	printf '%s,%s,%s000000,-;e1000e %s %s: Detected Hardware Unit Hang:\\x0a  TDH                  <f6>\\x0a  TDT                  <2a>\\x0a  next_to_use          <2a>\\x0a  next_to_clean        <f6>\\x0abuffer_info[next_to_clean]:\\x0a  time_stamp           <1000c8a2b>\\x0a  next_to_watch        <f7>\\x0a  jiffies              <1000c8e40>\\x0a  next_to_watch.status <0>\n SUBSYSTEM=pci\n DEVICE=+pci:%s\n' \
		"${3:-3}" "$1" "${4:-$1}" "$PCI" "${2:-eno1}" "$PCI"
}

# hangs SEQ SECONDS...: one report of eno1 at each of the kernel's times,
# with sequence numbers from SEQ on, in one write
hangs() {
	local seq=$1 t
	shift
	for t in "$@"; do
		hang "$seq" eno1 3 "$t"
		seq=$((seq + 1))
	done
}

# carrier_downs: how many times eno1's carrier went down (the kernel's
# count: a link down/up adds one)
carrier_downs() {
	ns cat /sys/class/net/eno1/carrier_down_count
}

# link_up: eno1 is administratively up, its carrier too
link_up() {
	ns ip -o link show eno1 | grep -q '<[^>]*,UP,LOWER_UP>.* state UP '
}

# metric_is NAME VALUE, feature_is IFACE NAME STATE, logged_once PATTERN:
# for wait_for, which runs them again until they hold
metric_is() {
	[ "$(metric "$1")" = "$2" ]
}

feature_is() {
	[ "$(feature "$1" "$2")" = "$3" ]
}

logged_once() {
	[ "$(logged "$1")" = 1 ]
}

# metric NAME: the value of NAME{device="eno1"} (or of NAME alone)
metric() {
	awk -v n="$1" '$1 == n "{device=\"eno1\"}" || $1 == n { print $2 }' \
		"$D/prom/nicfix.prom"
}

@test "a hang on a port with its offloads on: off within the wait (ethtool -k), one syslog line, metrics, a mail with the persist command" {
	start_watch
	grep -q 'STATUS=following' "$D/notify.log"
	hang 100 >"$D/kmsg"
	wait_for tgg_are off
	wait_for metric_is nicfix_fixes_applied_total 1
	[ "$(metric nicfix_hangs_total)" = 1 ]
	[ "$(metric nicfix_offloads_on)" = 0 ]
	[ "$(metric nicfix_fix_persisted)" = 0 ]
	[ "$(metric nicfix_watch_records_total)" = 1 ]
	[ "$(metric nicfix_watch_records_lost_total)" = 0 ]
	[ -n "$(metric nicfix_last_hang_timestamp_seconds)" ]
	run -0 promtool check metrics <"$D/prom/nicfix.prom"
	# no sample timestamps: two fields a sample line
	run awk '!/^#/ && NF != 2' "$D/prom/nicfix.prom"
	[ -z "$output" ]
	[ "$(logged 'eno1: e1000e-hardware-unit-hang (pci 0000:00:1f.6): turned tso,gso,gro off, read back off; not persisted: run nicfix persist vmbr0 eno1')" = 1 ]
	wait_for test -s "$D/mail.0"
	grep -q '^To: root$' "$D/mail.0"
	grep -q '^Subject: nicfix: eno1 on .* hung: offloads turned off$' "$D/mail.0"
	grep -q '^    nicfix persist vmbr0 eno1$' "$D/mail.0"
	[ "$(cat "$D/args.0")" = "-oi -- root" ]
	stop_watch
	grep -q '^STOPPING=1' "$D/notify.log"
}

@test "systemd's notify protocol: READY=1 with a STATUS, WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1" {
	start_watch
	grep -q '^READY=1 STATUS=following .*kmsg: 0 records, 0 hangs, 0 fixes applied, 0 lost$' "$D/notify.log"
	# WATCHDOG_USEC is 2 s: a ping a second
	wait_for grep -q '^WATCHDOG=1$' "$D/notify.log"
	hang 100 >"$D/kmsg"
	wait_for grep -q '^STATUS=following .*: 1 records, 1 hangs, 1 fixes applied, 0 lost$' "$D/notify.log"
	stop_watch
	grep -q '^STOPPING=1$' "$D/notify.log"
}

@test "a persisted port: its line's features are applied, the mail says it is persisted" {
	cat >"$D/interfaces" <<-EOF
		auto vmbr0
		iface vmbr0 inet manual
			bridge-ports eno1
			post-up ethtool -K eno1 tso off gro off || true
	EOF
	start_watch
	hang 100 >"$D/kmsg"
	wait_for feature_is eno1 generic-receive-offload off
	wait_for metric_is nicfix_fixes_applied_total 1
	[ "$(feature eno1 tcp-segmentation-offload)" = off ]
	# gso is not in the line: left as it was
	[ "$(feature eno1 generic-segmentation-offload)" = on ]
	[ "$(metric nicfix_fix_persisted)" = 1 ]
	[ "$(logged 'eno1: .*turned tso,gro off, read back off; persisted')" = 1 ]
	wait_for test -s "$D/mail.0"
	grep -q 'persisted in the interfaces file' "$D/mail.0"
	run ! grep -q 'nicfix persist' "$D/mail.0"
}

@test "a hang despite the fix: reported once per rate limit, never acted on again" {
	run -0 ns "$NICFIX" apply eno1
	tgg_are off
	start_watch
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_hangs_despite_fix_total 1
	hang 101 >"$D/kmsg"
	wait_for metric_is nicfix_hangs_despite_fix_total 2
	[ "$(metric nicfix_fixes_applied_total)" = 0 ]
	[ "$(metric nicfix_hangs_total)" = 2 ]
	[ "$(logged 'eno1: e1000e-hardware-unit-hang: hang despite the fix: tso,gso,gro already off; not acted on again')" = 1 ]
	wait_for test -s "$D/mail.0"
	grep -q '^Subject: nicfix: eno1 on .* hangs despite the fix$' "$D/mail.0"
	grep -q 'does not act on it again' "$D/mail.0"
	[ ! -e "$D/mail.1" ]
}

@test "rate limit: offloads on again within the minute, the next apply is held back" {
	start_watch
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 1
	tgg_are off
	# a driver reset turns them on again
	tgg_on
	hang 101 >"$D/kmsg"
	wait_for metric_is nicfix_actions_rate_limited_total 1
	tgg_are on
	hang 102 >"$D/kmsg"
	wait_for metric_is nicfix_actions_rate_limited_total 2
	tgg_are on
	[ "$(metric nicfix_fixes_applied_total)" = 1 ]
	# the held-back apply is logged once, not at every report
	[ "$(logged 'eno1: e1000e-hardware-unit-hang: offloads on, but the rate limit holds the next apply back')" = 1 ]
}

@test "rate limits are data from /etc/default/nicfix: 2/min lets a second apply through" {
	echo 'WATCH_RATE="2/min, 5/hour"' >"$D/nicfix.conf"
	start_watch
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 1
	tgg_on
	hang 101 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 2
	tgg_are off
	tgg_on
	hang 102 >"$D/kmsg"
	wait_for metric_is nicfix_actions_rate_limited_total 1
	tgg_are on
}

@test "a restart keeps the counters (state in --state DIR) and the rate limit" {
	start_watch
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 1
	stop_watch
	grep -q '^port name=eno1 pci=0000:00:1f.6 hangs=1 ' "$D/run/watch.state"
	tgg_on
	start_watch
	[ "$(metric nicfix_hangs_total)" = 1 ]
	[ "$(metric nicfix_fixes_applied_total)" = 1 ]
	hang 101 >"$D/kmsg"
	wait_for metric_is nicfix_hangs_total 2
	# the apply a minute ago counts across the restart
	wait_for metric_is nicfix_actions_rate_limited_total 1
	tgg_are on
}

@test "the backlog: read first, acted on under the same rule, never counted twice" {
	KMSG=$D/backlog
	{
		printf '6,10,1000000,-;e1000e %s eno1: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None\n SUBSYSTEM=pci\n DEVICE=+pci:%s\n' "$PCI" "$PCI"
		hang 11
		hang 12
	} >"$KMSG"
	run -0 ns "$NICFIX" -i "$D/interfaces" watch --config "$D/nicfix.conf" \
		--kmsg "$KMSG" --state "$D/run" --metrics "$D/prom/nicfix.prom" \
		--sysfs "$D/sysfs" --log-socket "$SOCK" --sendmail "$D/bin/sendmail" --once
	tgg_are off
	[ "$(metric nicfix_hangs_total)" = 2 ]
	[ "$(metric nicfix_fixes_applied_total)" = 1 ]
	[ "$(metric nicfix_hangs_despite_fix_total)" = 1 ]
	[ "$(metric nicfix_watch_records_total)" = 3 ]
	# again, as after a restart: the same records are not counted again
	run -0 ns "$NICFIX" -i "$D/interfaces" watch --config "$D/nicfix.conf" \
		--kmsg "$KMSG" --state "$D/run" --metrics "$D/prom/nicfix.prom" \
		--sysfs "$D/sysfs" --log-socket "$SOCK" --no-mail --once
	[ "$(metric nicfix_hangs_total)" = 2 ]
	[ "$(metric nicfix_watch_records_total)" = 3 ]
	# --tail starts after the last record: none of them is read
	rm -r "$D/run"
	tgg_on
	run -0 ns "$NICFIX" -i "$D/interfaces" watch --config "$D/nicfix.conf" \
		--kmsg "$KMSG" --state "$D/run" --metrics "$D/prom/nicfix.prom" \
		--sysfs "$D/sysfs" --log-socket "$SOCK" --no-mail --once --tail
	[ "$(metric nicfix_watch_records_total)" = 0 ]
	tgg_are on
}

@test "user-facility records (what user space can write to /dev/kmsg) are ignored unless the test-only switch is given" {
	start_watch
	hang 100 eno1 11 >"$D/kmsg"
	printf '6,101,1000,-;noise\n' >"$D/kmsg"
	wait_for metric_is nicfix_watch_records_total 2
	tgg_are on
	[ -z "$(metric nicfix_hangs_total)" ] || [ "$(metric nicfix_hangs_total)" = 0 ]
	stop_watch
	start_watch --test-accept-user-facility
	hang 102 eno1 11 >"$D/kmsg"
	wait_for tgg_are off
	[ "$(metric nicfix_hangs_total)" = 1 ]
}

@test "the switch in /etc/default/nicfix is off by default and documented as tests only" {
	grep -q '^#WATCH_TEST_ACCEPT_USER_FACILITY=no$' "$TOP/debian/nicfix.default"
	grep -B3 '^#WATCH_TEST_ACCEPT_USER_FACILITY' "$TOP/debian/nicfix.default" | grep -q 'FOR TESTS ONLY'
	echo 'WATCH_TEST_ACCEPT_USER_FACILITY=yes' >"$D/nicfix.conf"
	start_watch
	hang 100 eno1 11 >"$D/kmsg"
	wait_for tgg_are off
}

@test "a renamed NIC is the same port: matched on the bus address (DEVICE=+pci:...), acted on under its name now" {
	start_watch
	# the log still says eth0; sysfs says the address is eno1 now
	hang 100 eth0 >"$D/kmsg"
	wait_for tgg_are off
	wait_for metric_is nicfix_fixes_applied_total 1
	grep -q '^port name=eno1 pci=0000:00:1f.6 ' "$D/run/watch.state"
	# a reset that names only the address counts for the same port
	printf '3,101,1000,-;e1000e %s: Reset adapter unexpectedly\n SUBSYSTEM=pci\n DEVICE=+pci:%s\n' "$PCI" "$PCI" >"$D/kmsg"
	wait_for metric_is nicfix_resets_total 1
	[ "$(grep -c '^port ' "$D/run/watch.state")" = 1 ]
}

@test "several records in one write are split on their header lines; a gap in the sequence counts as lost" {
	start_watch
	{
		printf '6,100,1000,-;e1000e %s eno1: NIC Link is Down\n SUBSYSTEM=pci\n DEVICE=+pci:%s\n' "$PCI" "$PCI"
		printf '6,101,1001,-;a record without a dictionary\n'
		hang 102
		printf '6,107,1003,-;after a gap of four\n'
	} >"$D/kmsg"
	wait_for tgg_are off
	wait_for metric_is nicfix_watch_records_total 4
	wait_for metric_is nicfix_watch_records_lost_total 4
	[ "$(metric nicfix_hangs_total)" = 1 ]
}

@test "no sendmail anywhere: a warning, the fix is still applied; --no-mail sends none" {
	rm "$D/bin/sendmail"
	start_watch --sendmail "$D/bin/none"
	hang 100 >"$D/kmsg"
	wait_for tgg_are off
	wait_for logged_once 'no mail sent: .*none'
	stop_watch
	ns ethtool -K eno1 tso on gso on gro on
	rm -r "$D/run"
	printf '#!/bin/sh\ncat >"%s/mail.x"\n' "$D" >"$D/bin/sendmail"
	chmod +x "$D/bin/sendmail"
	start_watch --no-mail
	hang 101 >"$D/kmsg"
	wait_for tgg_are off
	wait_for metric_is nicfix_fixes_applied_total 1
	[ ! -e "$D/mail.x" ]
}

@test "nicfix metrics prints the daemon's counters with the live state; promtool check metrics passes" {
	start_watch
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 1
	run -0 --separate-stderr ns "$NICFIX" -i "$D/interfaces" metrics --state "$D/run"
	printf '%s\n' "$output" >"$D/out.prom"
	run -0 promtool check metrics <"$D/out.prom"
	grep -qx 'nicfix_hangs_total{device="eno1"} 1' "$D/out.prom"
	grep -qx 'nicfix_offload_enabled{device="eno1",feature="gro"} 0' "$D/out.prom"
	grep -qx 'nicfix_fix_persisted{device="eno1"} 0' "$D/out.prom"
	grep -q '^nicfix_watch_records_total 1$' "$D/out.prom"
	# without a daemon's state: the live facts of the persisted ports
	cat >"$D/interfaces" <<-EOF
		auto vmbr0
		iface vmbr0 inet manual
			bridge-ports eno1
			post-up ethtool -K eno1 tso off gso off gro off || true
	EOF
	tgg_on
	run -0 ns "$NICFIX" -i "$D/interfaces" metrics --state "$D/none"
	[[ "$output" == *'nicfix_offloads_on{device="eno1"} 1'* ]]
	[[ "$output" == *'nicfix_fix_persisted{device="eno1"} 1'* ]]
	[[ "$output" != *nicfix_watch_* ]]
}

@test "the metrics file is replaced whole: no temporary file is left beside it" {
	start_watch
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 1
	for s in 101 102 103; do
		hang "$s" >"$D/kmsg"
	done
	wait_for metric_is nicfix_hangs_total 4
	[ "$(ls -A "$D/prom")" = nicfix.prom ]
	[ "$(ls -A "$D/run")" = watch.state ]
}

@test "/etc/default/nicfix: read without a shell; a bad line is a usage error naming the file and the line" {
	# shellcheck disable=SC2016 # the $( is what the file holds
	printf '# comment\nWATCH_MAIL=no\nWATCH_RATE=$(reboot)\n' >"$D/nicfix.conf"
	run -2 --separate-stderr ns "$NICFIX" watch --config "$D/nicfix.conf" --kmsg "$D/kmsg" --once
	[[ "$stderr" == *"$D/nicfix.conf:3: shell syntax in an unquoted value"* ]]
	printf 'WATCH_RATE=often\n' >"$D/nicfix.conf"
	run -2 --separate-stderr ns "$NICFIX" watch --config "$D/nicfix.conf" --kmsg "$D/kmsg" --once
	[[ "$stderr" == *"invalid rate limit 'often'"* ]]
	printf 'WATCH_ESCALATE=soon\n' >"$D/nicfix.conf"
	run -2 --separate-stderr ns "$NICFIX" watch --config "$D/nicfix.conf" --kmsg "$D/kmsg" --once
	[[ "$stderr" == *"$D/nicfix.conf:1: invalid span 'soon'"* ]]
	printf 'WATCH_SIGNATURES=e1000e-hardware-unit-hang,bogus\n' >"$D/nicfix.conf"
	run -2 --separate-stderr ns "$NICFIX" watch --config "$D/nicfix.conf" --kmsg "$D/kmsg" --once
	[[ "$stderr" == *"unknown hang kind 'bogus'"* ]]
	run -2 --separate-stderr ns "$NICFIX" watch --config "$D/missing.conf" --kmsg "$D/kmsg" --once
	# the package's file parses as it ships
	run -0 ns "$NICFIX" -i "$D/interfaces" watch --config "$TOP/debian/nicfix.default" \
		--kmsg "$D/kmsg" --state "$D/run" --no-metrics --log-socket "$SOCK" --once
}

@test "a missing --kmsg is a system error (exit 3): systemd restarts the unit" {
	run -3 --separate-stderr ns "$NICFIX" watch --config "$D/nicfix.conf" --kmsg "$D/none" --state "$D/run" --log-socket "$SOCK"
	[[ "$stderr" == *"$D/none: No such file or directory"* ]]
}

@test "the unit: Type=notify, the two capabilities only, /dev/kmsg not hidden; systemd-analyze verify passes" {
	local u=$TOP/debian/nicfix.nicfix-watch.service
	grep -qx 'Type=notify' "$u"
	grep -qx 'Restart=on-failure' "$u"
	grep -q '^StartLimitBurst=' "$u"
	grep -q '^WatchdogSec=' "$u"
	grep -qx 'RuntimeDirectory=nicfix' "$u"
	grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_SYSLOG' "$u"
	grep -qx 'AmbientCapabilities=CAP_NET_ADMIN CAP_SYSLOG' "$u"
	run ! grep -Eq '^(ProtectKernelLogs|PrivateDevices)=' "$u"
	# verified as installed: the binary under test at the ExecStart path's
	# place, the man page of Documentation= on MANPATH
	mkdir -p "$D/unit" "$D/man/man8"
	sed "s|^ExecStart=/usr/sbin/nicfix|ExecStart=$NICFIX|" "$u" >"$D/unit/nicfix-watch.service"
	cp "$TOP/man/nicfix.8" "$D/man/man8/"
	run -0 env MANPATH="$D/man" systemd-analyze verify "$D/unit/nicfix-watch.service"
	[ -z "$output" ]
}

# The optional escalation: times are the kernel's record times (the test
# writes them), so "stays hung for a minute" needs no waiting; the 30 min
# bound is the daemon's own clock, which the test never reaches.

@test "escalation is off by default: a hang that goes on for minutes with the offloads off gets no link down/up" {
	start_watch
	c0=$(carrier_downs)
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 1
	hangs 101 110 130 150 170 190 210 230 250 270 290 310 330 350 370 390 >"$D/kmsg"
	wait_for metric_is nicfix_hangs_despite_fix_total 15
	[ "$(carrier_downs)" = "$c0" ]
	[ "$(metric nicfix_escalations_total)" = 0 ]
	[ "$(logged 'eno1: .*took the link down')" = 0 ]
	link_up
	# the package's file says it is off, and how to turn it on
	grep -q '^#WATCH_ESCALATE=no$' "$TOP/debian/nicfix.default"
}

@test "escalation on (WATCH_ESCALATE=1min): one link down/up after a minute of hang with the offloads off, logged, counted, mailed; a second within 30 min is held back" {
	echo 'WATCH_ESCALATE=1min' >"$D/nicfix.conf"
	start_watch
	c0=$(carrier_downs)
	# offloads on: the fix, no escalation
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 1
	tgg_are off
	# the hang goes on with the offloads off, a report every 20 s: 40 s
	# is not yet a minute
	hangs 101 110 130 150 >"$D/kmsg"
	wait_for metric_is nicfix_hangs_despite_fix_total 3
	[ "$(carrier_downs)" = "$c0" ]
	[ "$(metric nicfix_escalations_total)" = 0 ]
	# 60 s since the first report with the offloads off
	hang 104 eno1 3 170 >"$D/kmsg"
	wait_for metric_is nicfix_escalations_total 1
	[ "$(carrier_downs)" = $((c0 + 1)) ]
	link_up
	tgg_are off
	[ "$(metric nicfix_fixes_applied_total)" = 1 ]
	[ "$(logged 'eno1: e1000e-hardware-unit-hang: hung for 60 s with tso,gso,gro off: took the link down and up (WATCH_ESCALATE=60s; at most one in 30 min)')" = 1 ]
	wait_for grep -lq '^Subject: nicfix: eno1 on .* still hangs: link taken down and up$' "$D"/mail.*
	grep -l 'still hangs' "$D"/mail.* | xargs grep -q 'never reboots'
	run -0 promtool check metrics <"$D/prom/nicfix.prom"
	grep -q ' escalations=1 bounces=[0-9]' "$D/run/watch.state"
	# another minute of it: held back (at most one in 30 min), once logged
	hangs 105 190 210 230 250 270 >"$D/kmsg"
	wait_for metric_is nicfix_actions_rate_limited_total 2
	[ "$(carrier_downs)" = $((c0 + 1)) ]
	[ "$(metric nicfix_escalations_total)" = 1 ]
	[ "$(logged 'eno1: e1000e-hardware-unit-hang: hung for [0-9]* s with tso,gso,gro off; the link down/up is held back (at most one in 30 min)')" = 1 ]
	# a restart keeps the bound: the state has the time of the bounce
	stop_watch
	start_watch
	hang 111 eno1 3 290 >"$D/kmsg"
	wait_for metric_is nicfix_actions_rate_limited_total 3
	[ "$(carrier_downs)" = $((c0 + 1)) ]
}

@test "escalation: nothing of the kind for a port whose hang stopped, nor for a hang of the backlog" {
	echo 'WATCH_ESCALATE=1min' >"$D/nicfix.conf"
	start_watch
	c0=$(carrier_downs)
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 1
	# 30 s of hang, then none for 70 s (it stopped), then 50 s of another:
	# 150 s in all, never a minute on end
	hangs 101 110 130 140 210 230 250 260 >"$D/kmsg"
	wait_for metric_is nicfix_hangs_despite_fix_total 7
	[ "$(carrier_downs)" = "$c0" ]
	[ "$(metric nicfix_escalations_total)" = 0 ]
	[ "$(logged 'eno1: .*link down')" = 0 ]
	stop_watch
	# a backlog with five minutes of hang: read, not acted on (its hang may
	# be long over); only a report read live would be
	rm -r "$D/run"
	KMSG=$D/backlog
	hangs 1 100 120 140 160 180 200 220 240 260 280 300 320 340 360 380 400 >"$KMSG"
	run -0 ns "$NICFIX" -i "$D/interfaces" watch --config "$D/nicfix.conf" \
		--kmsg "$KMSG" --state "$D/run" --metrics "$D/prom/nicfix.prom" \
		--sysfs "$D/sysfs" --log-socket "$SOCK" --no-mail --once
	[ "$(metric nicfix_hangs_despite_fix_total)" = 16 ]
	[ "$(metric nicfix_escalations_total)" = 0 ]
	[ "$(carrier_downs)" = "$c0" ]
}

@test "syslog: the daemon's identifier is nicfix-watch, apart from the hook's nicfix; the unit's stderr is journaled under it too" {
	start_watch
	hang 100 >"$D/kmsg"
	wait_for tgg_are off
	wait_for logged_once 'eno1: e1000e-hardware-unit-hang .*turned tso,gso,gro off'
	grep -q "^<29>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* nicfix-watch\[$WPID\]: eno1: e1000e-hardware-unit-hang" "$SYSLOG"
	# no line under the hook's identifier
	[ "$(LOG_IDENT=nicfix logged '')" = 0 ]
	grep -qx 'SyslogIdentifier=nicfix-watch' "$TOP/debian/nicfix.nicfix-watch.service"
}

@test "no node_exporter directory: metrics off, said once (not at every update), on as soon as the directory appears" {
	start_watch --metrics "$D/node-exporter/nicfix.prom"
	hangs 100 100 110 130 >"$D/kmsg"
	wait_for grep -q ' despite=2 ' "$D/run/watch.state"
	[ "$(logged "metrics off: $D/node-exporter does not exist")" = 1 ]
	[ "$(logged 'metrics not written')" = 0 ]
	[ ! -e "$D/node-exporter" ]
	mkdir "$D/node-exporter"
	hang 104 eno1 3 150 >"$D/kmsg"
	wait_for test -s "$D/node-exporter/nicfix.prom"
	grep -qx 'nicfix_hangs_total{device="eno1"} 4' "$D/node-exporter/nicfix.prom"
	[ "$(logged "metrics on: $D/node-exporter is there now")" = 1 ]
	[ "$(logged 'metrics off')" = 1 ]
	# another failure is still a warning, once
	rm -r "$D/node-exporter"
	touch "$D/node-exporter"
	hang 105 eno1 3 160 >"$D/kmsg"
	wait_for grep -q ' despite=4 ' "$D/run/watch.state"
	wait_for logged_once 'metrics not written: .*node-exporter'
}

@test "the daemon maps no Augeas (nor libxml2, ICU behind it): the commands that edit load it on first use" {
	start_watch
	hang 100 >"$D/kmsg"
	wait_for metric_is nicfix_fixes_applied_total 1
	grep -q 'libmnl' "/proc/$WPID/maps"
	# (libstdc++ is mapped here all the same: the sanitizers' runtime needs it)
	run ! grep -E 'libaugeas|libxml2|libicuuc' "/proc/$WPID/maps"
	# persist still has it
	run -0 ns "$NICFIX" -i "$D/interfaces" persist vmbr0
	grep -q 'post-up ethtool -K eno1 tso off gso off gro off || true' "$D/interfaces"
}
