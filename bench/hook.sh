#!/bin/bash
# hook.sh - whole-process time of nicfix-hook against one ethtool -K
#
# In a private network namespace: bridge vmbr0 with four veth ports
# eno1..eno4, a generated interfaces file of 2,000 stanzas whose vmbr0
# stanza persists "tso off gso off gro off" for the four ports.  Times
# RUNS runs of the hook (IFACE=vmbr0 MODE=start PHASE=post-up) and RUNS
# runs of "ethtool -K eno1 tso off gso off gro off", each with the
# features turned back on before it (outside the timing), as at boot.
# Prints the medians and their ratio; the target is at most 0.9.
#
# usage: bench/hook.sh [RUNS]   (root; default 200, build/nicfix-hook)
set -euo pipefail

RUNS=${1:-200}
TOP=$(cd "$(dirname "$0")/.." && pwd)
HOOK=${HOOK:-$TOP/build/nicfix-hook}
PORTS=(eno1 eno2 eno3 eno4)

if [ "${NICFIX_BENCH_INNER:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "hook.sh: needs root" >&2; exit 2; }
	[ -x "$HOOK" ] || { echo "hook.sh: build $HOOK first (make all)" >&2; exit 2; }
	NS="nfx-bench-$$"
	DIR=$(mktemp -d)
	trap 'ip netns del "$NS" 2>/dev/null || true; rm -rf "$DIR"' EXIT
	ip netns add "$NS"
	ip -n "$NS" link add vmbr0 type bridge
	for p in "${PORTS[@]}"; do
		ip -n "$NS" link add "$p" type veth peer name "${p}p"
		ip -n "$NS" link set "$p" master vmbr0 up
	done
	ip -n "$NS" link set vmbr0 up
	{
		echo "auto lo"
		echo "iface lo inet loopback"
		for i in $(seq 1 1996); do
			printf '\niface vm%d inet manual\n\tbridge-ports none\n\tbridge-stp off\n\tbridge-fd 0\n' "$i"
		done
		printf '\nauto vmbr0\niface vmbr0 inet manual\n\tbridge-ports %s\n\tbridge-stp off\n\tbridge-fd 0\n' "${PORTS[*]}"
		for p in "${PORTS[@]}"; do
			printf '\tpost-up ethtool -K %s tso off gso off gro off || true\n' "$p"
		done
		for i in 1 2; do
			printf '\niface vmbr%d inet manual\n\tbridge-ports none\n' "$i"
		done
	} >"$DIR/interfaces"
	echo "interfaces: $(grep -c '^iface' "$DIR/interfaces") stanzas, $(wc -c <"$DIR/interfaces") bytes"
	NICFIX_BENCH_INNER=1 ip netns exec "$NS" "$0" "$RUNS" "$DIR/interfaces"
	exit
fi

IFILE=$2

features_on() {
	local p
	for p in "$@"; do
		ethtool -K "$p" tso on gso on gro on 2>/dev/null || true
	done
}

# median FILE: the median of the numbers in FILE, one a line
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# timed OUT CMD...: append CMD's whole-process wall time in microseconds
timed() {
	local out=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1
	t1=$EPOCHREALTIME
	echo $((${t1/./} - ${t0/./})) >>"$out"
}

TH=$(mktemp) TE=$(mktemp)
trap 'rm -f "$TH" "$TE"' EXIT
export NICFIX_INTERFACES="$IFILE" IFACE=vmbr0 MODE=start PHASE=post-up ADDRFAM=inet

# a warm-up of each, so that both start with the page cache filled
"$HOOK"
ethtool -K eno1 tso off gso off gro off
features_on eno1
"$HOOK"
[ "$(ethtool -k eno1 | awk '$1 == "tcp-segmentation-offload:" { print $2 }')" = off ] ||
	{ echo "hook.sh: the hook did not turn tso off" >&2; exit 1; }

for _ in $(seq "$RUNS"); do
	features_on "${PORTS[@]}"
	timed "$TH" "$HOOK"
	features_on eno1
	timed "$TE" ethtool -K eno1 tso off gso off gro off
done
mh=$(median "$TH")
me=$(median "$TE")
echo "nicfix-hook (4 ports, 2,000 stanzas): median ${mh} us over $RUNS runs"
echo "ethtool -K eno1 tso off gso off gro off: median ${me} us over $RUNS runs"
awk -v h="$mh" -v e="$me" 'BEGIN { printf "ratio hook/ethtool: %.2f (target <= 0.90)\n", h / e }'
