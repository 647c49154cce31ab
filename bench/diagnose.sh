#!/bin/bash
# diagnose.sh - throughput of nicfix diagnose against grep -c on a big log
#
# Generates a Proxmox VE journal of MB megabytes (bench/genlog.py: ordinary
# host noise with HANGS e1000e "Detected Hardware Unit Hang" blocks) in a
# temporary directory, deleted on exit; the generation is not timed.  With
# the page cache warm, alternates RUNS runs of
#   - nicfix -q diagnose --input FILE (exit 1: a hang found, as expected)
#   - the reference, grep -c 'Hardware Unit Hang' FILE
# both under LC_ALL=C, grep's fastest locale.  Checks first that both find
# every hang block, then prints median times, MB/s, the throughput ratio
# nicfix/grep (target >= 1.0) and peak RSS.  Not a test: it reports.
#
# usage: bench/diagnose.sh [RUNS [MB]]   (default 7 and 500; TMPDIR is used)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-7}
MB=${2:-500}
HANGS=16
bench_need "$NICFIX"
export LC_ALL=C

DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
LOG=$DIR/journal.log
made=$(python3 "$TOP/bench/genlog.py" "$LOG" "$MB" "$HANGS")
bytes=$(stat -c %s "$LOG")
echo "log: $bytes bytes, $(wc -l <"$LOG") lines, $made hang blocks"

# Both must see every hang, or the race is not the same race.  This also
# reads the file into the page cache, twice over.
n=$(grep -c 'Hardware Unit Hang' "$LOG")
[ "$n" = "$HANGS" ] || { echo "diagnose.sh: grep counted $n hangs, not $HANGS" >&2; exit 1; }
n=$("$NICFIX" --json diagnose --input "$LOG" | jq '[.events[].reports] | add' || true)
[ "$n" = "$HANGS" ] || { echo "diagnose.sh: nicfix reported $n hangs, not $HANGS" >&2; exit 1; }

for _ in $(seq "$RUNS"); do
	timed "$DIR/nicfix" "$NICFIX" -q diagnose --input "$LOG"
	timed "$DIR/grep" grep -c 'Hardware Unit Hang' "$LOG"
done
[ "$(statuses "$DIR/nicfix")" = 1 ] ||
	{ echo "diagnose.sh: nicfix exit statuses $(statuses "$DIR/nicfix"), expected 1 (hang found)" >&2; exit 1; }

# mbs OUT: throughput at the median time, in MB/s (10^6 bytes)
mbs() {
	awk -v b="$bytes" -v t="$(median "$1")" 'BEGIN { printf "%.0f\n", b / t }'
}

report "nicfix -q diagnose --input FILE" "$DIR/nicfix" "$(mbs "$DIR/nicfix") MB/s"
report "grep -c 'Hardware Unit Hang' FILE" "$DIR/grep" "$(mbs "$DIR/grep") MB/s"
r=$(ratio "$(median "$DIR/grep")" "$(median "$DIR/nicfix")")
c=$(cpu_ratio "$DIR/grep" "$DIR/nicfix")
echo "throughput ratio nicfix/grep: $r (target >= 1.00); of CPU time: $c"
summary "diagnose: $((bytes / 1000000)) MB journal" \
	"$(fmt_us "$(median "$DIR/nicfix")"), $(mbs "$DIR/nicfix") MB/s" \
	"grep -c, $(fmt_us "$(median "$DIR/grep")"), $(mbs "$DIR/grep") MB/s" \
	"$r (throughput; cpu $c)" ">= 1.00" \
	"$(fmt_kb "$(maximum "$DIR/nicfix" 2)") (grep $(fmt_kb "$(maximum "$DIR/grep" 2)"))"
