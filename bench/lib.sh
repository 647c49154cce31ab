# shellcheck shell=bash
# lib.sh - what every benchmark shares: the timing helper, medians, ratios,
# and the summary lines bench/run.sh turns into a table.
#
# Sourced by bench/*.sh.  Sets TOP (the source tree), BUILD, NICFIX,
# NICFIX_HOOK and RUSAGE (build/bench-rusage, compiled here from
# bench/rusage.c when missing or older than its source).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
NICFIX=${NICFIX:-$BUILD/nicfix}
NICFIX_HOOK=${NICFIX_HOOK:-$BUILD/nicfix-hook}
RUSAGE=$BUILD/bench-rusage

# bench_need_root NAME: every benchmark but the page-cache ones needs root;
# all of them are run as root by "make bench", so ask for it up front.
bench_need_root() {
	[ "$(id -u)" -eq 0 ] || { echo "$1: needs root" >&2; exit 2; }
}

# bench_need PROGRAM...: the built programs, or a hint to build them
bench_need() {
	local p
	for p in "$@"; do
		[ -x "$p" ] || { echo "bench: build $p first (make all)" >&2; exit 2; }
	done
}

# The helper is tiny and plain C: compiling it here keeps "bash bench/X.sh"
# usable on its own, without a Makefile rule for a build-only tool.
if [ ! -x "$RUSAGE" ] || [ "$TOP/bench/rusage.c" -nt "$RUSAGE" ]; then
	mkdir -p "$BUILD"
	"${CC:-cc}" -O2 -Wall -Wextra -Werror -o "$RUSAGE" "$TOP/bench/rusage.c" ||
		{ echo "bench: cannot build $RUSAGE" >&2; exit 3; }
fi

# timed OUT CMD...: run CMD once, output discarded, and append
# "MICROSECONDS MAXRSS_KB STATUS USER_US SYS_US" to OUT.
timed() {
	local out=$1
	shift
	"$RUSAGE" "$out" "$@" </dev/null >/dev/null 2>&1 ||
		{ echo "bench: cannot run $1" >&2; exit 3; }
}

# median OUT [COLUMN]: the median of a column of OUT (1: time, 2: RSS,
# 4: user CPU, 5: system CPU),
# the mean of the two middle values for an even count.
median() {
	awk -v c="${2:-1}" '{ print $c }' "$1" | sort -n |
		awk '{ v[NR] = $1 } END {
			if (NR == 0) exit 1
			m = int((NR + 1) / 2)
			if (NR % 2) print v[m]; else printf "%.0f\n", (v[m] + v[m + 1]) / 2 }'
}

# quartile OUT Q [COLUMN]: the Q-th quartile (1 or 3) of a column, nearest
# rank: the spread to hold a difference between two medians against
quartile() {
	awk -v c="${3:-1}" '{ print $c }' "$1" | sort -n |
		awk -v q="$2" '{ v[NR] = $1 } END {
			if (NR == 0) exit 1
			i = int(NR * q / 4 + 0.5); if (i < 1) i = 1
			print v[i] }'
}

# maximum OUT [COLUMN]: the largest value of a column (peak RSS over runs)
maximum() {
	awk -v c="${2:-1}" 'NR == 1 || $c > m { m = $c } END { print m }' "$1"
}

# count OUT: how many runs OUT holds
count() {
	wc -l <"$1" | tr -d ' '
}

# statuses OUT: the distinct exit statuses seen, for the record
statuses() {
	awk '{ print $3 }' "$1" | sort -nu | paste -sd, -
}

# fmt_us MICROSECONDS: "812 us", "5.42 ms" or "1.23 s"
fmt_us() {
	awk -v t="$1" 'BEGIN {
		a = t < 0 ? -t : t
		if (a < 1000) printf "%d us\n", t
		else if (a < 1000000) printf "%.2f ms\n", t / 1000
		else printf "%.2f s\n", t / 1000000 }'
}

# fmt_kb KILOBYTES: "5.4 MB"
fmt_kb() {
	awk -v k="$1" 'BEGIN { printf "%.1f MB\n", k / 1024 }'
}

# ratio A B: A / B to two decimals, three below 0.1
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (b == 0) print "inf"
		else if (a / b < 0.1) printf "%.3f\n", a / b
		else printf "%.2f\n", a / b }'
}

# cpu OUT: the median CPU time (user + system) of the runs, microseconds:
# against the wall time, how much of it was waiting for a busy machine
cpu() {
	median <(awk '{ print $4 + $5 }' "$1")
}

# report NAME OUT [NOTE]: one line of median wall time, quartiles, CPU time,
# peak RSS (the largest over the runs) and the number of runs
report() {
	printf '%-44s median %9s  (q1 %s, q3 %s)  cpu %s  peak RSS %s  [%s runs]%s\n' \
		"$1" "$(fmt_us "$(median "$2")")" "$(fmt_us "$(quartile "$2" 1)")" \
		"$(fmt_us "$(quartile "$2" 3)")" "$(fmt_us "$(cpu "$2")")" \
		"$(fmt_kb "$(maximum "$2" 2)")" "$(count "$2")" "${3:+  $3}"
}

# cpu_ratio A B: the same ratio of the median CPU times of two OUT files,
# the steadier figure when other jobs share the machine
cpu_ratio() {
	ratio "$(cpu "$1")" "$(cpu "$2")"
}

# summary BENCH FIGURE REFERENCE RATIO TARGET RSS: one row of the table
# bench/run.sh prints at the end (BENCH_SUMMARY names its file); a script
# run on its own prints only its own report.
summary() {
	[ -n "${BENCH_SUMMARY:-}" ] || return 0
	local IFS='|'
	echo "$*" >>"$BENCH_SUMMARY"
}
