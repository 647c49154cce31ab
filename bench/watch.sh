#!/bin/bash
# watch.sh - the watch daemon: reaction time, idle cost, and a flood
#
# In a private network namespace (veth eno1, features turned on with
# ethtool -K), nicfix watch follows a FIFO standing in for /dev/kmsg:
#   - reaction: from a hang record written into the FIFO to the daemon's
#     syslog line, which it sends once the features read back off (and
#     ethtool -k agrees), median and worst over EVENTS events (target:
#     <= 20 ms median);
#   - idle: wake-ups (context switches) and CPU time of the daemon over
#     IDLE seconds with the unit's watchdog (WatchdogSec=60: a ping each
#     30 s), and its resident memory (targets: nothing beyond the pings,
#     <= 4 MB);
#   - flood: RATE records a second for FLOOD seconds, one sequence number
#     in 1,000 skipped as records the kernel dropped: all read, the gaps
#     counted as lost, CPU as a share of one core (target: < 10 %).
# Prints the figures and adds them to bench/run.sh's summary.  Not a test:
# it reports, it never fails on a missed target.
#
# usage: bench/watch.sh [EVENTS] [IDLE] [RATE] [FLOOD]
#        (root; defaults 100 events, 60 s, 10000/s, 10 s)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
EVENTS=${1:-100}
IDLE=${2:-60}
RATE=${3:-10000}
FLOOD=${4:-10}
bench_need_root watch.sh
bench_need "$NICFIX"

NS="nfx-bench-watch-$$"
DIR=$(mktemp -d)
DPID=
cleanup() {
	if [ -n "$DPID" ]; then
		kill -TERM "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link add vmbr0 type bridge
ip -n "$NS" link add eno1 type veth peer name eno1p
ip -n "$NS" link set eno1 master vmbr0 up
ip -n "$NS" link set vmbr0 up
printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports eno1\n' >"$DIR/interfaces"
mkfifo "$DIR/kmsg"
# every event acted on: the rate limit out of the way
printf 'WATCH_RATE=16/1s\nWATCH_MAIL=no\n' >"$DIR/nicfix.conf"

# start_daemon [ENV...]: the daemon on the FIFO, in the namespace
start_daemon() {
	rm -rf "$DIR/run"
	ip netns exec "$NS" env "$@" "$NICFIX" -i "$DIR/interfaces" watch \
		--config "$DIR/nicfix.conf" --kmsg "$DIR/kmsg" --state "$DIR/run" \
		--metrics "$DIR/nicfix.prom" --log-socket "$DIR/log.sock" \
		2>/dev/null &
	DPID=$!
	local _
	for _ in $(seq 100); do
		[ -e "$DIR/nicfix.prom" ] && return 0
		sleep 0.05
	done
	echo "watch.sh: the daemon did not start" >&2
	exit 3
}

stop_daemon() {
	kill -TERM "$DPID"
	wait "$DPID" || true
	DPID=
	rm -f "$DIR/log.sock" "$DIR/nicfix.prom"
}

# proc_cpu PID: user + system time in clock ticks; proc_ctx PID: context
# switches (each one a wake-up of a single-threaded daemon)
proc_cpu() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
proc_ctx() {
	awk '/^(voluntary|nonvoluntary)_ctxt_switches/ { n += $2 } END { print n }' \
		"/proc/$1/status"
}
proc_kb() {
	awk -v k="$2" '$1 == k ":" { print $2 }' "/proc/$1/status"
}
TICK=$(getconf CLK_TCK)

# ---- reaction ------------------------------------------------------------
start_daemon
python3 "$TOP/bench/watchload.py" reaction "$DIR/kmsg" "$DIR/log.sock" \
	"$NS" eno1 "$EVENTS" >"$DIR/reaction"
med=$(sort -n "$DIR/reaction" | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); print v[m] }')
worst=$(sort -n "$DIR/reaction" | tail -n1)
p95=$(sort -n "$DIR/reaction" | awk '{ v[NR] = $1 } END { i = int(NR * 0.95 + 0.5); print v[i < 1 ? 1 : i] }')
n=$(wc -l <"$DIR/reaction" | tr -d ' ')
fixes=$(awk '$1 ~ /^nicfix_fixes_applied_total/ { print $2 }' "$DIR/nicfix.prom")
printf '%-44s median %9s  p95 %s  worst %s  [%s events, %s fixes applied, each read back off]\n' \
	"reaction: record written -> read back off" "$(fmt_us "$med")" \
	"$(fmt_us "$p95")" "$(fmt_us "$worst")" "$n" "$fixes"
stop_daemon

# ---- idle ----------------------------------------------------------------
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    s.recv(4096)
' "$DIR/notify.sock" &
NPID=$!
sleep 0.3
start_daemon NOTIFY_SOCKET="$DIR/notify.sock" WATCHDOG_USEC=60000000
sleep 1
c0=$(proc_cpu "$DPID")
x0=$(proc_ctx "$DPID")
sleep "$IDLE"
c1=$(proc_cpu "$DPID")
x1=$(proc_ctx "$DPID")
rss=$(proc_kb "$DPID" VmRSS)
hwm=$(proc_kb "$DPID" VmHWM)
kill "$NPID" 2>/dev/null || true
pings=$((IDLE / 30))
idle_wake=$((x1 - x0))
idle_cpu=$(((c1 - c0) * 1000 / TICK))
printf '%-44s %s wake-ups (watchdog pings due: %s), cpu %s ms, RSS %s (peak %s)\n' \
	"idle for $IDLE s" "$idle_wake" "$pings" "$idle_cpu" \
	"$(fmt_kb "$rss")" "$(fmt_kb "$hwm")"
stop_daemon

# ---- flood ---------------------------------------------------------------
start_daemon
c0=$(proc_cpu "$DPID")
out=$(python3 "$TOP/bench/watchload.py" flood "$DIR/kmsg" "$RATE" "$FLOOD" 1000)
sent=$(awk '{ print $2 }' <<<"$out")
gaps=$(awk '{ print $4 }' <<<"$out")
elapsed=$(awk '{ print $6 }' <<<"$out")
# the daemon flushes its counters at most once a second
for _ in $(seq 50); do
	got=$(awk '$1 == "nicfix_watch_records_total" { print $2 }' "$DIR/nicfix.prom")
	[ "${got:-0}" -ge "$sent" ] && break
	sleep 0.1
done
c1=$(proc_cpu "$DPID")
lost=$(awk '$1 == "nicfix_watch_records_lost_total" { print $2 }' "$DIR/nicfix.prom")
hwm=$(proc_kb "$DPID" VmHWM)
cpu_ms=$(((c1 - c0) * 1000 / TICK))
share=$(awk -v c="$cpu_ms" -v t="$elapsed" 'BEGIN { printf "%.1f", 100 * c / t }')
printf '%-44s read %s of %s, lost %s of %s skipped, cpu %s ms in %s ms = %s %% of a core, peak RSS %s\n' \
	"flood: $RATE records/s for $FLOOD s" "$got" "$sent" "$lost" "$gaps" \
	"$cpu_ms" "$elapsed" "$share" "$(fmt_kb "$hwm")"
stop_daemon

if [ -n "${BENCH_SUMMARY:-}" ]; then
	{
		echo "watch reaction (median, worst of $n)|$(fmt_us "$med") / $(fmt_us "$worst")|-|-|<= 20 ms median|-"
		echo "watch idle $IDLE s (wake-ups, cpu)|$idle_wake wake-ups, $idle_cpu ms|$pings pings|-|pings only|$(fmt_kb "$rss")"
		echo "watch flood $RATE/s x $FLOOD s|$share % of a core, $got read, $lost lost|$gaps dropped|-|< 10 %|$(fmt_kb "$hwm")"
	} >>"$BENCH_SUMMARY"
fi
