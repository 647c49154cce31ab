#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# nicfix diagnose on kernel logs in every format: the events, their counts,
# the interface, the PCI address, the classification and the advice.

load lib/common

FIX=$TOP/tests/fixtures/klog
CORPUS=${CORPUS_DIR:-$TOP/../shared/corpus/kernel-logs}

# diag FIXTURE [ARGS...]: diagnose a fixture, as JSON, exit status kept
diag() {
	local f=$1
	shift
	run --separate-stderr "$NICFIX" --json diagnose --input "$FIX/$f" "$@"
}

# ev JQ: a jq test on the first event of the last JSON output
ev() {
	echo "$output" | jq -e ".events[0] | $1"
}

setup() {
	# never the host's /etc/network/interfaces ("persisted")
	export NICFIX_INTERFACES=$BATS_TEST_TMPDIR/none
}

teardown() {
	ns_teardown
}

@test "journalctl short: a frozen e1000e hang is strong, with its advice" {
	run -1 "$NICFIX" diagnose --input "$FIX/e1000e-journal.log"
	[[ "$output" == *"eno1: e1000e-hardware-unit-hang: Detected Hardware Unit Hang"* ]]
	[[ "$output" == *"eno1: driver e1000e"* ]]
	[[ "$output" == *"eno1: pci 0000:00:1f.6"* ]]
	[[ "$output" == *"eno1: reports 5"$'\n'* ]]
	[[ "$output" == *"eno1: interval 2.0 s"* ]]
	[[ "$output" == *"eno1: ring TDH f6, TDT 1a, next_to_use 1a, next_to_clean f6, next_to_watch.status 0"* ]]
	[[ "$output" == *"eno1: ring frozen yes, TDH == next_to_clean yes, next_to_watch.status 0 yes"* ]]
	[[ "$output" == *"eno1: after the first hang: resets 1, link down 0, link up 1"* ]]
	[[ "$output" == *"eno1: match strong:"* ]]
	[[ "$output" == *"eno1: run: nicfix persist BRIDGE eno1"* ]]
	[[ "$output" == *"eno1: now: nicfix apply eno1"* ]]
	[[ "$output" == *"does not cure every I219"* ]]
	[ "${lines[-1]}" = "verdict: hang found" ]
}

@test "--json parses and carries the event" {
	diag e1000e-journal.log
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.command == "diagnose" and .hang == true and .exit == 1'
	echo "$output" | jq -e '.events | length == 1'
	ev '.interface == "eno1" and .pci == "0000:00:1f.6" and .driver == "e1000e"'
	ev '.kind == "e1000e-hardware-unit-hang" and .match == "strong" and .hang'
	ev '.reports == 5 and .partial == 0 and .interval == 2'
	ev '.first == "2026-04-16 06:10:00" and .last == "2026-04-16 06:10:08" and .clock == "wall"'
	ev '.ring_last.tdh == "f6" and .ring_last.next_to_clean == "f6" and .ring_last.status == "0"'
	ev '.frozen and .tdh_is_next_to_clean and .status_zero'
	ev '.resets == 1 and .after_first_hang.resets == 1 and .link_up == 2'
	ev '.advice == ["nicfix persist BRIDGE eno1", "nicfix apply eno1"]'
	ev '.bridge == null and .live == null and .persisted == false and .features == ["tso", "gso", "gro"]'
}

# every format the same hang can come in: FIXTURE IFACE REPORTS
@test "every log format gives the same e1000e verdict" {
	local row f ifc n
	for row in \
		"e1000e-journal-unindented.log eno1 3" \
		"e1000e-dmesg.log enp0s31f6 4" \
		"e1000e-dmesg-T.log nic0 3" \
		"e1000e-short-iso.log _p2cf05d501bfb 3" \
		"e1000e-short-monotonic.log eno1 3" \
		"e1000e-kernlog.log eno1 3" \
		"e1000e-rsyslog.log eno1 3" \
		"e1000e-logread.log eno1 3" \
		"e1000e-collapsed.log eno1 3" \
		"kmsg.log eno1 3"; do
		read -r f ifc n <<<"$row"
		diag "$f"
		[ "$status" -eq 1 ] || { echo "$f: exit $status"; return 1; }
		ev ".interface == \"$ifc\" and .pci == \"0000:00:1f.6\" and .reports == $n" ||
			{ echo "$f: $output"; return 1; }
		ev '.kind == "e1000e-hardware-unit-hang" and .match == "strong" and .partial == 0' ||
			{ echo "$f: $output"; return 1; }
		ev ".advice[-1] == \"nicfix apply $ifc\"" || return 1
	done
}

@test "time stamps: wall clock, dmesg -T and boot-relative" {
	diag e1000e-dmesg-T.log
	ev '.first == "2026-04-16 06:10:00" and .interval == 2'
	diag e1000e-dmesg.log
	ev '.first == "1000.004 s after boot" and .clock == "boot" and .first_line == 3'
	ev '.interval == 2 and .after_first_hang.resets == 1'
	diag e1000e-short-iso.log
	ev '.first == "2026-04-16 06:10:00" and .last == "2026-04-16 06:10:04"'
}

@test "rsyslog: #012-joined reports logged twice count once" {
	diag e1000e-rsyslog.log
	ev '.reports == 3 and .resets == 1'
	# "message repeated 2 times: [ ... NIC Link is Down]"
	ev '.link_down == 2'
}

@test "a log that starts inside a report counts it, marked partial" {
	diag e1000e-partial.log
	[ "$status" -eq 1 ]
	ev '.reports == 3 and .partial == 1 and .match == "strong"'
	ev '.first_line == 1 and .interface == "eno1"'
}

@test "a log cut inside a report: the cut report is partial, no crash" {
	diag e1000e-truncated.log
	[ "$status" -eq 1 ]
	ev '.reports == 2 and .partial == 1'
	ev '.ring_last.tdh == "f6" and .ring_last.status == "0"'
}

@test "ring pointers that move: still an e1000e hang, only likely" {
	diag e1000e-moving.log
	[ "$status" -eq 1 ]
	ev '.match == "likely" and .frozen == false and .status_zero == false'
	ev '.reports == 3 and .advice[-1] == "nicfix apply eno1"'
}

@test "e1000 (not e1000e) Tx Unit Hang is named and a weaker match" {
	diag e1000-tx-hang.log
	[ "$status" -eq 1 ]
	ev '.kind == "e1000-tx-unit-hang" and .driver == "e1000" and .match == "weak"'
	ev '.interface == "ens33" and .pci == "0000:02:01.0" and .reports == 3'
	# its block has next_to_watch.status <0> too: not the e1000e race
	ev '.status_zero and .kind != "e1000e-hardware-unit-hang"'
	run -1 "$NICFIX" diagnose --input "$FIX/e1000-tx-hang.log"
	[[ "$output" == *"ens33: match weak: e1000 (not e1000e)"* ]]
	[[ "$output" == *"virtio-net"* ]]
}

@test "igb Tx Unit Hang: dev_err names no interface, the link lines do" {
	diag igb-tx-hang.log
	[ "$status" -eq 1 ]
	ev '.kind == "igb-tx-unit-hang" and .driver == "igb" and .match == "weak"'
	ev '.interface == "eno2" and .pci == "0000:01:00.0" and .reports == 3'
	ev '.ring_last.queue == "2" and .resets == 1 and .after_first_hang.link_up == 1'
}

@test "ixgbe Tx Unit Hang in two messages is one report each" {
	diag ixgbe-tx-hang.log
	[ "$status" -eq 1 ]
	ev '.kind == "ixgbe-tx-unit-hang" and .interface == "eth2" and .pci == "0000:03:00.0"'
	ev '.reports == 2 and .partial == 0 and .ring_last.tdh == "1d0" and .ring_last.tdt == "1e4"'
	ev '.ring_last.jiffies == "1000a2ef4" and .link_down == 1'
}

@test "NETDEV WATCHDOG, old format: r8169 transmit timeouts" {
	diag watchdog-old-r8169.log
	[ "$status" -eq 1 ]
	ev '.kind == "tx-timeout" and .driver == "r8169" and .interface == "enp2s0"'
	ev '.timeouts == 2 and .match == "weak" and .link_down == 1 and .link_up == 1'
	ev '.advice[-1] == "nicfix apply enp2s0 -f tso,gso" and .features == ["tso", "gso"]'
}

@test "NETDEV WATCHDOG, new CPU: N: ... ms format behind the netdev prefix" {
	diag watchdog-new-r8169.log
	[ "$status" -eq 1 ]
	ev '.kind == "tx-timeout" and .driver == "r8169" and .pci == "0000:02:00.0"'
	ev '.interface == "enp2s0" and .timeouts == 2'
	run -1 "$NICFIX" diagnose --input "$FIX/watchdog-new-r8169.log"
	[[ "$output" == *"enp2s0: transmit timeouts 2"* ]]
	[[ "$output" == *"ASPM"* ]]
}

@test "Reset adapter unexpectedly alone is a finding" {
	diag reset-only.log
	[ "$status" -eq 1 ]
	ev '.kind == "adapter-reset" and .resets == 2 and .match == "likely"'
	ev '.symptom == "Reset adapter unexpectedly"'
}

@test "link flaps alone are reported, and are no hang: exit 0" {
	diag link-flaps.log
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.hang == false and .exit == 0'
	ev '.kind == "link-flap" and .hang == false and .link_down == 3 and .link_up == 3'
	ev '.advice == [] and .ring_first == null and .interval == null'
	run -0 "$NICFIX" diagnose --input "$FIX/link-flaps.log"
	[[ "$output" == *"eno1: no hang: link down/up only"* ]]
}

@test "a hang on one port and ordinary link flaps on another" {
	diag mixed-ports.log
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.events | length == 2'
	echo "$output" | jq -e '.events[0] | .interface == "eno1" and .hang and .reports == 4'
	echo "$output" | jq -e '.events[1] | .interface == "eno2" and .hang == false'
	echo "$output" | jq -e '.events[1] | .kind == "link-flap" and .link_down == 2 and .driver == "igb"'
	echo "$output" | jq -e '.events[0].link_down == 0'
}

@test "a clean log: nothing found, exit 0" {
	run -0 "$NICFIX" diagnose --input "$FIX/clean.log"
	[ "$output" = "verdict: no hang found (13 lines of $FIX/clean.log)" ]
	diag clean.log
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.events == [] and .hang == false and .lines == 13'
}

@test "binary input is refused with FILE:LINE, never a crash" {
	run -2 --separate-stderr "$NICFIX" diagnose --input "$FIX/binary.log"
	[ "$stderr" = "nicfix: $FIX/binary.log:1: binary data, not a text log" ]
	local tmp
	tmp=$(mktemp)
	printf 'LPKSHHRH\0\0\0\0' >"$tmp"
	run -2 --separate-stderr "$NICFIX" diagnose --input "$tmp"
	[[ "$stderr" == *"a binary journal file"* ]]
	gzip -c "$FIX/clean.log" >"$tmp"
	run -2 --separate-stderr "$NICFIX" diagnose --input "$tmp"
	[[ "$stderr" == *"compressed data"* ]]
	head -c 65536 /dev/urandom >"$tmp"
	run -2 --separate-stderr "$NICFIX" diagnose --input "$tmp"
	rm -f "$tmp"
}

@test "garbage after a good start is skipped, not fatal" {
	local tmp
	tmp=$(mktemp)
	{
		cat "$FIX/e1000e-journal.log"
		head -c 20000 /dev/urandom
		printf '\n'
		cat "$FIX/link-flaps.log"
	} >"$tmp"
	run --separate-stderr "$NICFIX" --json diagnose --input "$tmp"
	rm -f "$tmp"
	[ "$status" -eq 1 ]
	ev '.interface == "eno1" and .reports == 5'
}

@test "standard input, and formats mixed in one input" {
	run --separate-stderr "$NICFIX" --json diagnose --input - \
		< <(cat "$FIX/e1000e-dmesg.log" "$FIX/igb-tx-hang.log" "$FIX/watchdog-new-r8169.log")
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.source == "(stdin)" and (.events | length) == 3'
	echo "$output" | jq -e '[.events[].interface] | sort == ["eno2", "enp0s31f6", "enp2s0"]'
	echo "$output" | jq -e '.events[0].kind == "e1000e-hardware-unit-hang"'
}

@test "an overlong line is cut, not a crash" {
	local tmp
	tmp=$(mktemp)
	{
		printf 'Apr 16 06:00:00 pve01 kernel: '
		head -c 3000000 /dev/zero | tr '\0' x
		printf '\n'
		cat "$FIX/e1000e-journal.log"
	} >"$tmp"
	run --separate-stderr "$NICFIX" --json diagnose --input "$tmp"
	rm -f "$tmp"
	[ "$status" -eq 1 ]
	ev '.reports == 5 and .first_line == 5'
}

@test "--since leaves out what came before" {
	diag demo-pve.log --since "2026-04-16 06:10:20"
	[ "$status" -eq 1 ]
	ev '.reports == 8 and .first == "2026-04-16 06:10:20"'
	# only the link up at 06:10:40 is left: no news
	diag demo-pve.log --since "2026-04-16 06:10:37"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.events == []'
	diag e1000e-dmesg.log --since 2026-04-16
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.undated > 0'
	run -2 --separate-stderr "$NICFIX" diagnose --input "$FIX/clean.log" --since tomorrowish
	[[ "$stderr" == *"--since: invalid time 'tomorrowish'"* ]]
}

@test "usage: a missing file, an unknown option, a stray argument" {
	run -2 --separate-stderr "$NICFIX" diagnose --input /nonexistent/kern.log
	[ "$stderr" = "nicfix: /nonexistent/kern.log: No such file or directory" ]
	run -2 "$NICFIX" diagnose --frobnicate
	run -2 --separate-stderr "$NICFIX" diagnose eno1
	[[ "$stderr" == *"unexpected argument 'eno1'"* ]]
	run -0 "$NICFIX" diagnose --help
	[ "${lines[0]}" = "usage: nicfix diagnose [--input FILE|-] [--since WHEN]" ]
	run -0 "$NICFIX" --help
	[[ "${lines[2]}" == *"diagnose [--input FILE|-] [--since WHEN]"* ]]
}

@test "the real excerpts: a PVE e1000e hang, and a flap that is no hang" {
	[ -d "$CORPUS" ] || skip "no corpus at $CORPUS"
	run --separate-stderr "$NICFIX" --json diagnose \
		--input "$CORPUS/08-majabojarska-pve-e1000e-hang-journalctl-indented.log"
	[ "$status" -eq 1 ]
	ev '.interface == "eno1" and .pci == "0000:00:19.0" and .driver == "e1000e"'
	ev '.kind == "e1000e-hardware-unit-hang" and .reports == 1 and .partial == 0'
	ev '.ring_last.tdh == "61" and .ring_last.next_to_clean == "60" and .status_zero'
	# one report: frozen cannot be told, and TDH != next_to_clean
	ev '.match == "likely" and .frozen == false and .tdh_is_next_to_clean == false'
	run --separate-stderr "$NICFIX" --json diagnose \
		--input "$CORPUS/15-alboletono-e1000e-link-flap-networkmanager-no-prefix.log"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.hang == false and (.events | length) == 1'
	ev '.interface == "eth0" and .kind == "link-flap" and .link_down == 1 and .link_up == 1'
}

@test "live: the bridge the port is in, and the exact persist command" {
	ns_setup
	run -1 ns "$NICFIX" diagnose --input "$FIX/demo-pve.log"
	[[ "$output" == *"eno1: bridge vmbr0"* ]]
	[[ "$output" == *"eno1: run: nicfix persist vmbr0 eno1"$'\n'* ]]
	[[ "$output" == *"eno1: now: nicfix apply eno1"* ]]
	[[ "$output" == *"eno1: live driver veth, not e1000e"* ]]
	run -1 --separate-stderr ns "$NICFIX" --json diagnose --input "$FIX/demo-pve.log"
	ev '.bridge == "vmbr0" and .live_driver == "veth" and .live_skipped == null'
	ev '.advice[0] == "nicfix persist vmbr0 eno1" and .offloads_off == false and .persisted == false'
	ev '[.live[] | .name + " " + .state] == ["tso on", "gso on", "gro off"]'
	ev '.live[0].bits | map(.name) | index("tx-tcp6-segmentation") != null'
	# persisted: the bridge's stanza has the port's line
	printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports eno1\n\tpost-up ethtool -K eno1 tso off gso off gro off || true\n' >"$BATS_TEST_TMPDIR/if"
	run -1 --separate-stderr ns "$NICFIX" --json -i "$BATS_TEST_TMPDIR/if" diagnose --input "$FIX/demo-pve.log"
	ev '.persisted == true'
	printf 'iface vmbr0 inet manual\n\tbridge-ports eno1\n' >"$BATS_TEST_TMPDIR/if"
	run -1 --separate-stderr ns "$NICFIX" --json diagnose --input "$FIX/demo-pve.log" -i "$BATS_TEST_TMPDIR/if"
	ev '.persisted == false'
	ev '.reports == 12 and .after_first_hang.resets == 1 and .after_first_hang.link_down == 1'
}

@test "live: offloads already off, and hangs after the first link up" {
	ns_setup
	ns ethtool -K eno1 tso off gso off gro off
	run -1 ns "$NICFIX" diagnose --input "$FIX/demo-pve.log"
	[[ "$output" == *"eno1: live tso off, gso off, gro off"* ]]
	[[ "$output" == *"eno1: tso,gso,gro already off"* ]]
	[[ "$output" == *"eno1: 12 hang reports came after the first link up (2026-04-16 06:00:07)"* ]]
	run -1 --separate-stderr ns "$NICFIX" --json diagnose --input "$FIX/demo-pve.log"
	ev '.offloads_off and .reports_after_first_link_up == 12'
	ev '[.live[].state] == ["off", "off", "off"]'
}

@test "live: a port in no bridge, and a port not on this host" {
	ns_setup
	add_port eno2
	run --separate-stderr ns "$NICFIX" --json diagnose --input "$FIX/mixed-ports.log"
	ev '.interface == "eno1" and .advice[0] == "nicfix persist vmbr0 eno1"'
	sed 's/eno1/eno2/g' "$FIX/e1000e-journal.log" >"$BATS_TEST_TMPDIR/eno2.log"
	run -1 ns "$NICFIX" diagnose --input "$BATS_TEST_TMPDIR/eno2.log"
	[[ "$output" == *"eno2: bridge none"* ]]
	[[ "$output" == *"eno2: not in a bridge: nicfix persist needs one"* ]]
	[[ "$output" == *"eno2: now: nicfix apply eno2"* ]]
	sed 's/eno1/eno7/g' "$FIX/e1000e-journal.log" >"$BATS_TEST_TMPDIR/eno7.log"
	run -1 ns "$NICFIX" diagnose --input "$BATS_TEST_TMPDIR/eno7.log"
	[[ "$output" == *"eno7: not on this host: live facts skipped"* ]]
	[[ "$output" == *"eno7: run: nicfix persist BRIDGE eno7"* ]]
}

@test "this host's own log: a source is found and read, exit 0 or 1" {
	need_root
	run --separate-stderr "$NICFIX" --json diagnose
	[ "$status" -le 1 ]
	echo "$output" | jq -e '.source | test("journalctl|kmsg|dmesg")'
	echo "$output" | jq -e '.lines > 0'
}

@test "pasted logs: mail quoting, numbered lines with another tool's header, fields run together, blanks widened" {
	local f
	for f in pasted-mail-quoted pasted-numbered pasted-run-together; do
		diag "$f.log"
		[ "$status" -eq 1 ] || { echo "$f: exit $status" >&2; return 1; }
		ev '.interface == "eno1" and .pci == "0000:00:1f.6" and .kind == "e1000e-hardware-unit-hang"' ||
			{ echo "$f: $output" >&2; return 1; }
		ev '.partial == 0 and .ring_last.tdh == "f6" and .ring_last.next_to_clean == "f6"'
	done
	diag pasted-mail-quoted.log
	ev '.reports == 2 and .match == "strong" and .resets == 1'
	diag pasted-run-together.log
	ev '.reports == 3 and .match == "strong" and .ring_last.status == "0"'
}

@test "a bus address a paste cut or obfuscated: the report is found, the address is not made up" {
	diag pasted-cut-pci.log
	[ "$status" -eq 1 ]
	ev '.interface == "eno1" and .pci == null and .driver == "e1000e" and .reports == 2'
	ev '.kind == "e1000e-hardware-unit-hang"'
}

@test "old kernels print no driver name: the message names the driver (only e1000e says Hardware Unit Hang)" {
	diag e1000e-old-kernel.log
	[ "$status" -eq 1 ]
	ev '.interface == "eth0" and .pci == "0000:00:19.0" and .reports == 2 and .resets == 1'
	ev '.kind == "e1000e-hardware-unit-hang" and .match == "strong"'
}

@test "records user space wrote to /dev/kmsg (facility LOG_USER) are never a report" {
	# the same three hang reports as kmsg.log, but with PRI 11 (1 << 3 | 3)
	[ "$(grep -c '^11,' "$FIX/kmsg-injected.log")" -eq 3 ]
	diag kmsg.log
	[ "$status" -eq 1 ]
	diag kmsg-injected.log
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq '[.events[] | select(.reports > 0)] | length')" -eq 0 ]
	# the same with dmesg -r's "<PRI>" of a user-space record
	run -0 "$NICFIX" diagnose --input - <<-'EOF'
		<11>e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
		<11>  TDH                  <f6>
		<11>  next_to_clean        <f6>
	EOF
	run -1 "$NICFIX" diagnose --input - <<-'EOF'
		<3>e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
		<3>  TDH                  <f6>
		<3>  next_to_clean        <f6>
	EOF
}

@test "prose that quotes the words is no report" {
	run -0 "$NICFIX" diagnose --input - <<-'EOF'
		Did you ever see the Detected Hardware Unit Hang message on an I219?
		> someone said: Reset adapter unexpectedly happens after it
	EOF
}
