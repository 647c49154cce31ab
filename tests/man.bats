#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# shellcheck disable=SC2016 # single-quoted $ is for the inner shell
# The man page: it renders without a warning and names everything the
# programs take.  The same on every release (trixie's groff reads it in
# trixie's lintian, tests/trixie-deb.bats), so it runs once.

load lib/common

@test "the man page renders without warnings and names every command, option, variable and exit code" {
	run -0 env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$TOP/man/nicfix.8"
	[ -n "$output" ]
	run -0 bash -c 'LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$1" 2>&1 >/dev/null' _ "$TOP/man/nicfix.8"
	[ -z "$output" ]
	local text w cmd
	text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -E UTF-8 -l "$TOP/man/nicfix.8" 2>/dev/null)
	# every word of the usage lines: commands and options
	for w in $("$NICFIX" --help | grep -E '^(usage:|  )' | sed 's/^usage://' |
		tr -s ' []|.' '\n' | grep -E '^(-|[a-z]+$)' | sort -u); do
		grep -qw -- "$w" <<<"$text" || { echo "man: no $w" >&2; return 1; }
	done
	for cmd in diagnose status apply persist unpersist check; do
		for w in $("$NICFIX" "$cmd" --help | head -n1 | tr -s ' []|.' '\n' | grep '^-'); do
			grep -q -- "$w" <<<"$text" || { echo "man: $cmd: no $w" >&2; return 1; }
		done
	done
	# every variable the programs read
	for w in $(grep -ohE '"(NICFIX_[A-Z_]+|IFACE|MODE|PHASE|ADDRFAM)"' "$TOP"/src/cli/cli.c "$TOP"/hooks/hook.c | tr -d '"' | sort -u); do
		grep -qw -- "$w" <<<"$text" || { echo "man: no $w" >&2; return 1; }
	done
	[[ "$text" == *"EXIT STATUS"*"0"*"1"*"2"*"3"* ]]
	[[ "$text" == *"--port NAME"* ]]
	# the incident of the examples
	[[ "$text" == *EXAMPLES*"e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang"* ]]
	[[ "$text" == *"next_to_watch.status <0>"* ]]
	[[ "$text" == *"NIC Link is Down"* ]]
	[[ "$text" == *"ethtool -K eno1 tso off gso off gro off"*vmbr0* ]]
	[[ "$text" == *"nicfix persist vmbr0 eno1"* ]]
}
