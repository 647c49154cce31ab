#!/bin/bash
# hook.sh - whole-process time and peak RSS of nicfix-hook
#
# In a private network namespace: bridge vmbr0 with four veth ports
# eno1..eno4, an empty bridge vmbr1, and a generated interfaces file of
# 2,000 stanzas whose vmbr0 stanza persists "tso off gso off gro off" for
# the four ports and whose vmbr1 stanza has no offload line.  Interleaves
# RUNS runs of four commands, each timed from fork to wait:
#   - the hook for vmbr0 (IFACE=vmbr0 MODE=start PHASE=post-up), with the
#     four ports' features turned back on before it, as at boot;
#   - its reference, one "ethtool -K eno1 tso off gso off gro off", with
#     eno1's features turned back on before it (target: hook <= 0.9x);
#   - the no-op hook, IFACE=vmbr1, what every other interface's ifup costs;
#   - its reference, /bin/true (target: indistinguishable).
# Prints medians, quartiles, ratios and peak RSS.  Not a test: it reports.
#
# usage: bench/hook.sh [RUNS]   (root; default 200; HOOK=path overrides)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-200}
HOOK=${HOOK:-$NICFIX_HOOK}
PORTS=(eno1 eno2 eno3 eno4)

if [ "${NICFIX_BENCH_INNER:-}" != 1 ]; then
	bench_need_root hook.sh
	bench_need "$HOOK"
	NS="nfx-bench-$$"
	DIR=$(mktemp -d)
	trap 'ip netns del "$NS" 2>/dev/null || true; rm -rf "$DIR"' EXIT
	ip netns add "$NS"
	ip -n "$NS" link add vmbr0 type bridge
	ip -n "$NS" link add vmbr1 type bridge
	for p in "${PORTS[@]}"; do
		ip -n "$NS" link add "$p" type veth peer name "${p}p"
		ip -n "$NS" link set "$p" master vmbr0 up
	done
	ip -n "$NS" link set vmbr0 up
	ip -n "$NS" link set vmbr1 up
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
	# Without a syslog socket the hook's log line is a failed connect()
	# instead of a write to journald: say which one was measured.
	if [ -S /dev/log ]; then
		echo "syslog: /dev/log present, the hook's log lines are sent"
	else
		echo "syslog: no /dev/log here, the hook's log lines go nowhere (cheaper than journald)"
	fi
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

tso_of() {
	ethtool -k "$1" | awk '$1 == "tcp-segmentation-offload:" { print $2 }'
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export NICFIX_INTERFACES="$IFILE" MODE=start PHASE=post-up ADDRFAM=inet
# run_hook IFACE OUT: the hook, timed, for IFACE (not through env(1),
# whose own exec would be timed with it)
run_hook() {
	local IFACE=$1
	export IFACE
	timed "$2" "$HOOK"
}

# Check that each case does what it is timed for, and fill the page cache.
features_on "${PORTS[@]}"
IFACE=vmbr0 "$HOOK"
for p in "${PORTS[@]}"; do
	[ "$(tso_of "$p")" = off ] ||
		{ echo "hook.sh: the hook did not turn tso off on $p" >&2; exit 1; }
done
features_on "${PORTS[@]}"
out=$(IFACE=vmbr1 NICFIX_HOOK_STDERR=1 "$HOOK" 2>&1)
if [ -n "$out" ] || [ "$(tso_of eno1)" != on ]; then
	echo "hook.sh: the no-op hook did something: $out" >&2
	exit 1
fi
ethtool -K eno1 tso off gso off gro off
/bin/true

for _ in $(seq "$RUNS"); do
	features_on "${PORTS[@]}"
	run_hook vmbr0 "$TMP/hook"
	features_on eno1
	timed "$TMP/ethtool" ethtool -K eno1 tso off gso off gro off
	run_hook vmbr1 "$TMP/noop"
	timed "$TMP/true" /bin/true
done

report "nicfix-hook vmbr0 (4 ports, 2,000 stanzas)" "$TMP/hook"
report "ethtool -K eno1 tso off gso off gro off" "$TMP/ethtool"
r1=$(ratio "$(median "$TMP/hook")" "$(median "$TMP/ethtool")")
c1=$(cpu_ratio "$TMP/hook" "$TMP/ethtool")
echo "ratio hook/ethtool: $r1 (target <= 0.90); of CPU time: $c1"
report "nicfix-hook vmbr1 (no offload lines)" "$TMP/noop"
report "/bin/true" "$TMP/true"
r2=$(ratio "$(median "$TMP/noop")" "$(median "$TMP/true")")
c2=$(cpu_ratio "$TMP/noop" "$TMP/true")
echo "ratio no-op hook/true: $r2 (target: indistinguishable, ~1.00); of CPU time: $c2"

summary "hook: vmbr0, 4 ports, 2,000 stanzas" "$(fmt_us "$(median "$TMP/hook")")" \
	"one ethtool -K, $(fmt_us "$(median "$TMP/ethtool")")" "$r1 (cpu $c1)" "<= 0.90" \
	"$(fmt_kb "$(maximum "$TMP/hook" 2)") (ethtool $(fmt_kb "$(maximum "$TMP/ethtool" 2)"))"
summary "hook: no-op (iface without offload lines)" "$(fmt_us "$(median "$TMP/noop")")" \
	"/bin/true, $(fmt_us "$(median "$TMP/true")")" "$r2 (cpu $c2)" "~1.00" \
	"$(fmt_kb "$(maximum "$TMP/noop" 2)") (true $(fmt_kb "$(maximum "$TMP/true" 2)"))"
