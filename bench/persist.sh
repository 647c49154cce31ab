#!/bin/bash
# persist.sh - nicfix persist against augtool on growing interfaces files
#
# For each size (stanzas: a loopback one, then "auto vmbrN / iface vmbrN
# inet manual / bridge-ports enoN / bridge-stp off / bridge-fd 0", 6 lines
# each) persists the middle bridge's port on a fresh copy of the file:
#   - nicfix -q -i FILE persist vmbrK enoK
#   - the reference: augtool with only the stock Interfaces lens loaded
#     (--noautoload, -r on a scratch root), setting one post-up line under
#     vmbrK and saving: the least Augeas itself can do for the same edit.
# Each run is checked (the post-up line is in the stanza), runs alternate,
# and the copy is made outside the timing.  augtool is quadratic: about
# 212 s at 20,000 stanzas, so it runs there only with BENCH_FULL=1.
# Then the growth exponent of nicfix: the least-squares slope of log(time)
# against log(stanzas) over 200..20,000, flattened by the fixed cost
# (mostly compiling the lens); and the same slope for the increments over
# a 20-stanza file, on the sizes where they stand clear of the noise plus
# a 200,000-stanza file (nicfix only).  Not a test: it reports.
#
# usage: bench/persist.sh [RUNS [AUG_RUNS]]   (default 11 and 5)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-11}
AUG_RUNS=${2:-5}
SIZES=(200 2000 20000)
BASE=20      # the "fixed cost" size
EXTRA=200000 # nicfix only: a fourth point to fit the increments on
bench_need "$NICFIX"
export NICFIX_LENS_DIR=${NICFIX_LENS_DIR:-$TOP/lenses}
command -v augtool >/dev/null || { echo "persist.sh: augtool missing (make deps)" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# gen N: an interfaces file of N stanzas
gen() {
	awk -v n="$1" 'BEGIN {
		printf "auto lo\niface lo inet loopback\n\n"
		for (i = 1; i < n; i++)
			printf "auto vmbr%d\niface vmbr%d inet manual\n\tbridge-ports eno%d\n\tbridge-stp off\n\tbridge-fd 0\n\n", i, i, i
	}'
}

# persisted FILE K: whether vmbrK's stanza now has its post-up line
persisted() {
	awk -v k="$2" '
		$1 == "iface" { in_k = ($2 == "vmbr" k) }
		in_k && $1 == "post-up" && $0 ~ ("ethtool -K eno" k " .*tso off") { found = 1 }
		END { exit !found }' "$1"
}

# run_nicfix N K OUT: one timed persist on a fresh copy
run_nicfix() {
	cp "$TMP/src-$1" "$TMP/work"
	timed "$3" "$NICFIX" -q -i "$TMP/work" persist "vmbr$2" "eno$2"
	persisted "$TMP/work" "$2" || { echo "persist.sh: nicfix did not persist vmbr$2" >&2; exit 1; }
}

# run_augtool N K OUT: one timed augtool edit on a fresh scratch root
run_augtool() {
	mkdir -p "$TMP/root/etc/network"
	cp "$TMP/src-$1" "$TMP/root/etc/network/interfaces"
	cat >"$TMP/aug-cmds" <<-EOF
		set /augeas/load/Interfaces/lens Interfaces.lns
		set /augeas/load/Interfaces/incl /etc/network/interfaces
		load
		set /files/etc/network/interfaces/iface[. = 'vmbr$2']/post-up[last()+1] 'ethtool -K eno$2 tso off gso off gro off || true'
		save
	EOF
	timed "$3" augtool --noautoload -r "$TMP/root" -f "$TMP/aug-cmds"
	persisted "$TMP/root/etc/network/interfaces" "$2" ||
		{ echo "persist.sh: augtool did not save vmbr$2" >&2; exit 1; }
}

for n in "$BASE" "${SIZES[@]}" "$EXTRA"; do
	gen "$n" >"$TMP/src-$n"
	k=$((n / 2))
	aug=0
	if [ "$n" != "$BASE" ] && [ "$n" != "$EXTRA" ] &&
		{ [ "$n" -lt 20000 ] || [ "${BENCH_FULL:-}" = 1 ]; }; then
		aug=$AUG_RUNS
		if [ "$n" -ge 20000 ]; then aug=1; fi
	fi
	run_nicfix "$n" "$k" "$TMP/warm" # page cache and lens files
	if [ "$n" = "${SIZES[0]}" ]; then run_augtool "$n" "$k" "$TMP/warm"; fi
	# augtool's fewer runs spread over nicfix's, so that both see the
	# same spells of load from whatever else the machine is doing
	for i in $(seq "$RUNS"); do
		run_nicfix "$n" "$k" "$TMP/nicfix-$n"
		if [ $((i * aug / RUNS)) -gt $(((i - 1) * aug / RUNS)) ]; then
			run_augtool "$n" "$k" "$TMP/aug-$n"
		fi
	done
	[ "$n" = "$BASE" ] && continue
	echo "$n stanzas ($(wc -c <"$TMP/src-$n") bytes), persist vmbr$k eno$k:"
	report "  nicfix -q -i FILE persist vmbr$k eno$k" "$TMP/nicfix-$n"
	rss="$(fmt_kb "$(maximum "$TMP/nicfix-$n" 2)")"
	if [ -s "$TMP/aug-$n" ]; then
		report "  augtool, Interfaces lens, set + save" "$TMP/aug-$n"
		r=$(ratio "$(median "$TMP/nicfix-$n")" "$(median "$TMP/aug-$n")")
		x=$(ratio "$(median "$TMP/aug-$n")" "$(median "$TMP/nicfix-$n")")
		c=$(cpu_ratio "$TMP/nicfix-$n" "$TMP/aug-$n")
		echo "  ratio nicfix/augtool: $r, nicfix ${x}x faster; of CPU time: $c"
		ref="augtool, $(fmt_us "$(median "$TMP/aug-$n")")"
		rat="$r (${x}x faster; cpu $c)"
		rss="$rss (augtool $(fmt_kb "$(maximum "$TMP/aug-$n" 2)"))"
	elif [ "$n" = "$EXTRA" ]; then
		echo "  augtool: not run (an extra size, for the increments)"
		ref="augtool not run (extra size)"
		rat="-"
	else
		echo "  augtool: not run (about 212 s here; BENCH_FULL=1 runs it)"
		ref="augtool not run (BENCH_FULL=1; ~212 s)"
		rat="-"
	fi
	case $n in
	2000) target="<= 0.10 (10x faster)" ;;
	20000) target="<= 1 s" ;;
	*) target="-" ;;
	esac
	summary "persist: $n stanzas" "$(fmt_us "$(median "$TMP/nicfix-$n")")" "$ref" "$rat" "$target" "$rss"
done

# slope "X Y" lines: the least-squares slope of log(Y) against log(X)
slope() {
	awk '$2 > 0 { x = log($1); y = log($2); n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
		END { if (n < 2) print "n/a"; else printf "%.2f\n", (n * sxy - sx * sy) / (n * sxx - sx * sx) }'
}

t0=$(median "$TMP/nicfix-$BASE")
e_all=$(for n in "${SIZES[@]}"; do echo "$n $(median "$TMP/nicfix-$n")"; done | slope)
echo "growth exponent of nicfix persist, log-log slope over ${SIZES[*]} stanzas: $e_all (target <= 1)"
# The increments only mean something when they stand clear of the noise:
# here, when each is at least 5 ms and at least the spread of its runs.
for n in "${SIZES[@]}" "$EXTRA"; do
	d=$(($(median "$TMP/nicfix-$n") - t0))
	iqr=$(($(quartile "$TMP/nicfix-$n" 3) - $(quartile "$TMP/nicfix-$n" 1)))
	if [ "$d" -ge 5000 ] && [ "$d" -ge "$iqr" ]; then
		echo "$n $d"
	fi
done >"$TMP/incs"
echo "fixed cost (a $BASE-stanza file): $(fmt_us "$t0"); increments over it:$(
	for n in "${SIZES[@]}" "$EXTRA"; do printf ' %s: %s' "$n" "$(fmt_us $(($(median "$TMP/nicfix-$n") - t0)))"; done)"
if [ "$(count "$TMP/incs")" -ge 2 ]; then
	e_inc=$(slope <"$TMP/incs")
	echo "growth exponent of the increments over $(awk '{ printf "%s ", $1 }' "$TMP/incs")stanzas: $e_inc"
else
	e_inc="n/a (within noise)"
	echo "growth exponent of the increments: not meaningful, fewer than two stand clear of the noise"
fi
e_aug=$(for n in "${SIZES[@]}"; do
	if [ -s "$TMP/aug-$n" ]; then echo "$n $(median "$TMP/aug-$n")"; fi
done | slope)
echo "growth exponent of augtool over the sizes it ran: $e_aug"
summary "persist: growth exponent" "$e_all (log-log, 200-20,000)" \
	"increments over the fixed cost: $e_inc; augtool: $e_aug" "-" "<= 1" "-"
