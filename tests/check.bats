#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# check: every NIC of each checked bridge is covered by a line that runs,
# no line is at risk, and, in a private namespace, the live state matches.

load lib/common
load lib/config

KLOG="$TOP/tests/fixtures/klog"

setup() {
	config_setup
	use_fixture pve8.interfaces
}

teardown() {
	ns_teardown
}

# add LINE to vmbr0's stanza, after bridge-fd
add_line() {
	sed -i "0,/^\tbridge-fd 0\$/s##\tbridge-fd 0\n\t$1#" "$IF"
}

# installed PKG: the root's ifup is PKG's, as each package installs it
# (ifupdown2: a link into /usr/share/ifupdown2; ifupdown: a binary)
installed() {
	mkdir -p "$T/usr/sbin"
	rm -f "$T/usr/sbin/ifup"
	if [ "$1" = ifupdown2 ]; then
		ln -s /usr/share/ifupdown2/ifupdown2 "$T/usr/sbin/ifup"
	else
		: >"$T/usr/sbin/ifup"
	fi
}

# finding KIND: the JSON of the last run has one finding of KIND
finding() {
	echo "$output" | jq -e --arg k "$1" '[.findings[] | select(.kind == $k)] | length == 1'
}

@test "check --no-live: a persisted line covers the NIC: ok" {
	"$NICFIX" -q -i "$IF" persist vmbr0
	run -0 --separate-stderr "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "vmbr0: eno1: ok: tso gso gro off (config only)" ]
	[ "${lines[1]}" = "verdict: ok" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr "$NICFIX" --json -i "$IF" check --no-live
	echo "$output" | jq -e '.ok == true and .exit == 0 and .findings == [] and
		.bridges[0].name == "vmbr0" and .bridges[0].ports[0].name == "eno1" and
		.bridges[0].ports[0].covered == ["tso","gso","gro"] and
		.bridges[0].ports[0].missing == [] and
		.lines[0].line == 15 and .lines[0].port == "eno1" and .lines[0].bridge == "vmbr0" and
		.lines[0].features == ["tso","gso","gro"]'
}

@test "a line turning off tso only is an incomplete fix: exit 1, never ok" {
	add_line "post-up ethtool -K eno1 tso off || true"
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "$IF:9: vmbr0: eno1: incomplete fix: gso gro stay on (the lines that run turn off only tso); run: nicfix persist vmbr0 eno1" ]
	[ "${lines[1]}" = "verdict: 1 finding" ]
	run -1 --separate-stderr "$NICFIX" --json -i "$IF" check --no-live
	echo "$output" | jq -e '.ok == false and .exit == 1 and
		.bridges[0].ports[0].covered == ["tso"] and
		.bridges[0].ports[0].missing == ["gso","gro"] and
		.findings[0].kind == "missing" and .findings[0].severity == "warning" and
		.findings[0].features == ["gso","gro"] and
		.findings[0].fix == "nicfix persist vmbr0 eno1"'
	# the fix it names completes the line, and then all is well
	"$NICFIX" -q -i "$IF" persist vmbr0 eno1
	run -0 "$NICFIX" -i "$IF" check --no-live
}

@test "-f changes what must be covered, and the fix says so" {
	add_line "post-up ethtool -K eno1 tso off gso off gro off || true"
	run -1 "$NICFIX" -i "$IF" check --no-live -f tso -f lro
	[ "${lines[0]}" = "$IF:9: vmbr0: eno1: incomplete fix: lro stays on (the lines that run turn off only tso); run: nicfix persist vmbr0 eno1 -f tso,lro" ]
	run -0 "$NICFIX" -i "$IF" check --no-live -f tso,gro
}

@test "a bridge with no line at all is a missing fix: exit 1" {
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "$IF:9: vmbr0: eno1: no fix: no line that runs turns off tso gso gro; run: nicfix persist vmbr0 eno1" ]
	run -1 "$NICFIX" --json -i "$IF" check --no-live
	finding missing
	echo "$output" | jq -e '.findings[0].features == ["tso","gso","gro"] and .bridges[0].ports[0].covered == []'
	# named, too
	run -1 "$NICFIX" -i "$IF" check --no-live vmbr0
	[ "${lines[0]}" = "$IF:9: vmbr0: eno1: no fix: no line that runs turns off tso gso gro; run: nicfix persist vmbr0 eno1" ]
}

@test "ifupdown: a line in the port's own stanza without auto never runs" {
	installed ifupdown
	use_fixture port-stanza.interfaces
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "$IF:8: vmbr0: eno1: no fix: no line that runs turns off tso gso gro; run: nicfix persist vmbr0 eno1" ]
	[ "${lines[1]}" = "$IF:5: vmbr0: eno1: never runs: ifupdown brings up iface eno1 only with 'auto eno1' or 'allow-hotplug eno1'; the fix belongs in the bridge's stanza" ]
	run -1 "$NICFIX" --json -i "$IF" check --no-live
	finding not-run
	finding missing
	# with auto it runs
	sed -i 's/^iface eno1 inet manual$/auto eno1\niface eno1 inet manual/' "$IF"
	run -0 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "vmbr0: eno1: ok: tso gso gro off (config only)" ]
}

@test "ifupdown2: the port's own stanza always runs; persist adds none beside it, a second line is a duplicate" {
	installed ifupdown2
	use_fixture port-stanza.interfaces
	run -0 "$NICFIX" -v -i "$IF" check --no-live
	[ "${lines[0]}" = "rules: ifupdown2" ]
	[ "${lines[1]}" = "vmbr0: eno1: ok: tso gso gro off (config only)" ]
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[ "${lines[0]}" = "$IF:5: vmbr0: eno1: unchanged: post-up ethtool -K eno1 tso off gso off gro off || true" ]
	unchanged
	# under ifupdown that line never runs: persist adds the one that does
	installed ifupdown
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[[ "${lines[0]}" == *"vmbr0: eno1: added: post-up ethtool -K eno1 tso off gso off gro off || true" ]]
	installed ifupdown2
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "$IF:14: vmbr0: eno1: duplicate: turns off tso gso gro of eno1 again, as $IF:5 does; remove one of them" ]
	run -1 "$NICFIX" --json -i "$IF" check --no-live
	finding duplicate
	echo "$output" | jq -e '.ifupdown == "ifupdown2" and .findings[0].line == 14 and .findings[0].fix == null'
}

@test "ifupdown2's tso-offload/gso-offload/gro-offload options cover the NIC under ifupdown2 only" {
	installed ifupdown2
	use_fixture native.interfaces
	run -0 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "vmbr0: eno1: ok: tso gso gro off (config only)" ]
	run -0 "$NICFIX" --json -i "$IF" check --no-live
	echo "$output" | jq -e '.lines | length == 3 and .[0].text == "tso-offload off" and .[0].port == "eno1"'
	installed ifupdown
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "$IF:10: vmbr0: eno1: no fix: no line that runs turns off tso gso gro; run: nicfix persist vmbr0 eno1" ]
	[ "${lines[1]}" = "$IF:5: vmbr0: eno1: never runs: 'tso-offload off' is ifupdown2's option, and ifupdown, installed here, ignores it; run: nicfix persist vmbr0 eno1" ]
}

@test "a line left behind after bridge-ports changed is stale, on stdout with the rest" {
	add_line "post-up ethtool -K eno1 tso off gso off gro off || true"
	sed -i 's/bridge-ports eno1$/bridge-ports eno2/' "$IF"
	run -1 --separate-stderr "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "$IF:9: vmbr0: eno2: no fix: no line that runs turns off tso gso gro; run: nicfix persist vmbr0 eno2" ]
	[ "${lines[1]}" = "$IF:15: vmbr0: eno1: stale: eno1 is not behind vmbr0 (its NICs: eno2); run: nicfix unpersist vmbr0 eno1" ]
	[ -z "$stderr" ]
	[[ "$output" != *": ok"* ]]
	run -1 "$NICFIX" --json -i "$IF" check --no-live
	finding stale
	echo "$output" | jq -e '.findings[1].fix == "nicfix unpersist vmbr0 eno1" and .findings[1].line == 15'
}

@test "another line of the same NIC is not a duplicate; the same features twice are" {
	add_line "post-up ethtool -K eno1 tso off gso off gro off || true"
	add_line "post-up ethtool -K eno1 rx off || true"
	run -0 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "vmbr0: eno1: ok: tso gso gro off (config only)" ]
	add_line "post-up ethtool -K eno1 gro off || true"
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "$IF:17: vmbr0: eno1: duplicate: turns off gro of eno1 again, as $IF:15 does; remove one of them" ]
	# persist says so rather than add a third
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[ "$stderr" = "nicfix: $IF:17: 'ethtool -K eno1 tso off gso off gro off || true' turns off again what another line of eno1 does: remove one of them first" ]
	unchanged
}

@test "malformed lines give the exact reason, and persist does not add beside them" {
	add_line "post-up ethtool -K eno1 tso of"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[1]}" = "$IF:15: vmbr0: eno1: malformed: ethtool -K eno1 tso: 'of' is not on or off; the line that works: 'post-up ethtool -K eno1 tso off gso off gro off || true'" ]
	run -1 "$NICFIX" --json -i "$IF" check --no-live
	finding malformed
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[ "$stderr" = "nicfix: $IF:15: 'ethtool -K eno1 tso of' is malformed (ethtool -K eno1 tso: 'of' is not on or off): correct or remove it first" ]
	unchanged
}

@test "a second command after ';' is understood: covered, and it can fail ifup" {
	add_line "post-up ethtool -K eno1 tso off gso off gro off; /sbin/ethtool -s eno1 wol d"
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "$IF:15: vmbr0: eno1: can fail ifup of vmbr0: the line's status is that of '/sbin/ethtool -s eno1 wol d', and no '|| true' ends it" ]
	run -1 "$NICFIX" --json -i "$IF" check --no-live
	finding unguarded
	echo "$output" | jq -e '.bridges[0].ports[0].missing == []'
}

@test "conflicting and unguarded lines are findings with their fix" {
	add_line "post-up ethtool -K eno1 tso on gso off gro off || true"
	run -1 "$NICFIX" -i "$IF" check --no-live
	[[ "$output" == *"$IF:15: vmbr0: eno1: conflict: turns tso on, which the fix needs off; run: nicfix persist --allow-conflict vmbr0 eno1"* ]]
	use_fixture pve8.interfaces
	add_line "post-up ethtool -K eno1 tso off gso off gro off"
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "$IF:15: vmbr0: eno1: can fail ifup of vmbr0 when ethtool fails: no '|| true' ends it" ]
}

@test "a line after a blank line inside the stanza is at risk from the Proxmox GUI" {
	add_line "post-up ethtool -K eno1 tso off gso off gro off || true"
	sed -i '15s/^/\n/' "$IF"
	run -1 "$NICFIX" -i "$IF" check --no-live
	[[ "${lines[0]}" == "$IF:16: vmbr0: eno1: at risk from the Proxmox VE GUI: it follows a blank line inside its stanza"* ]]
	run -1 "$NICFIX" --json -i "$IF" check --no-live
	finding placement
}

@test "VXLAN ports are no NICs: persist writes none, check wants none, a line for one is a finding" {
	use_fixture vxlan.interfaces
	run -0 "$NICFIX" -i "$IF" persist -n vmbr0
	[[ "$output" == *"+	post-up ethtool -K eno1 tso off gso off gro off || true"* ]]
	[[ "$output" != *"ethtool -K vxlan100"* ]]
	"$NICFIX" -q -i "$IF" persist vmbr0
	run -0 "$NICFIX" --json -i "$IF" check --no-live
	echo "$output" | jq -e '[.bridges[0].ports[].name] == ["eno1"]'
	sed -i 's/^\tbridge-fd 0$/\tbridge-fd 0\n\tpost-up ethtool -K vxlan100 tso off || true/' "$IF"
	run -1 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[1]}" = "$IF:18: vmbr0: vxlan100: not a NIC: vxlan100 is vxlan-id, with no NIC offloads to hang; run: nicfix unpersist vmbr0 vxlan100" ]
}

@test "one NIC behind two bridges (eno1.10, eno1.20) needs one line" {
	use_fixture vlan-two-bridges.interfaces
	"$NICFIX" -q -i "$IF" persist vmbr10
	run -0 "$NICFIX" -i "$IF" check --no-live
	[ "${lines[0]}" = "vmbr10: eno1: ok: tso gso gro off (config only)" ]
	[ "${lines[1]}" = "vmbr20: eno1: ok: tso gso gro off (config only)" ]
	run -0 "$NICFIX" -i "$IF" check --no-live vmbr20
	[ "${lines[0]}" = "vmbr20: eno1: ok: tso gso gro off (config only)" ]
	# and persist does not write it twice
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run -0 "$NICFIX" -i "$IF" persist vmbr20
	[ "${lines[0]}" = "$IF:18: vmbr20: eno1: unchanged: post-up ethtool -K eno1 tso off gso off gro off || true" ]
	unchanged
}

@test "a NIC that hung this boot with no fix is critical: exit 1" {
	run -1 "$NICFIX" -i "$IF" check --no-live --input "$KLOG/e1000e-eno1-12.log"
	[ "${lines[0]}" = "$IF:9: vmbr0: eno1: hung 12 times this boot, and no fix: no line that runs turns off tso gso gro; run: nicfix persist vmbr0 eno1" ]
	[ "${lines[1]}" = "verdict: 1 finding, critical" ]
	run -1 "$NICFIX" --json -i "$IF" check --no-live --input "$KLOG/e1000e-eno1-12.log"
	echo "$output" | jq -e '.critical == true and .findings[0].severity == "critical" and
		.bridges[0].ports[0].hangs == 12'
	# even when another bridge has lines, the hung one is checked
	sed -i '0,/^\tbridge-fd 0$/!s/^\tbridge-fd 0$/\tbridge-fd 0\n\tpost-up ethtool -K eno2 tso off gso off gro off || true/' "$IF"
	sed -i 's/bridge-ports none/bridge-ports eno2/' "$IF"
	run -1 "$NICFIX" -i "$IF" check --no-live --input "$KLOG/e1000e-eno1-12.log"
	[[ "$output" == *"vmbr0: eno1: hung 12 times this boot, and no fix"* ]]
	run -0 "$NICFIX" -i "$IF" check --no-live --input "$KLOG/clean.log"
	run -2 "$NICFIX" -i "$IF" check --no-live --input "$BATS_TEST_TMPDIR/none.log"
}

@test "check of an unknown bridge is exit 2" {
	run -2 --separate-stderr "$NICFIX" -i "$IF" check vmbr9
	[[ "$stderr" == *"no stanza for bridge 'vmbr9'"* ]]
	run -2 --separate-stderr "$NICFIX" --json -i "$IF" check vmbr9
	echo "$output" | jq -e '.exit == 2'
}

@test "live: drift is reported per port and feature; --apply fixes it without a bounce" {
	ns_setup
	"$NICFIX" -q -i "$IF" persist vmbr0
	tgg_on
	run -1 ns "$NICFIX" -i "$IF" check --input "$KLOG/clean.log"
	[ "${lines[0]}" = "vmbr0: eno1: drift: tso gso gro still on, although the lines turn them off; run: nicfix apply eno1 -f tso,gso,gro" ]
	tgg_are on
	local carrier
	carrier=$(ns cat /sys/class/net/vmbr0/carrier_changes)
	run -0 ns "$NICFIX" -i "$IF" check --apply --input "$KLOG/clean.log"
	[ "${lines[0]}" = "vmbr0: eno1: drift re-applied: tso gso gro" ]
	tgg_are off
	[ "$(ns cat /sys/class/net/vmbr0/carrier_changes)" = "$carrier" ]
	run -0 ns "$NICFIX" -i "$IF" check --input "$KLOG/clean.log"
	[ "${lines[0]}" = "vmbr0: eno1: ok: tso gso gro off" ]
	run -0 --separate-stderr ns "$NICFIX" --json -i "$IF" check --input "$KLOG/clean.log"
	echo "$output" | jq -e '.live == true and .bridges[0].ports[0].drift == []'
}

@test "live: a partial line with tso off but gso and gro on is a finding, and says which are on" {
	ns_setup
	add_line "post-up ethtool -K eno1 tso off || true"
	tgg_on
	ns ethtool -K eno1 tso off
	[ "$(feature eno1 tcp-segmentation-offload)" = off ]
	run -1 ns "$NICFIX" -i "$IF" check --input "$KLOG/clean.log"
	[ "${lines[0]}" = "$IF:9: vmbr0: eno1: incomplete fix: gso gro stay on (the lines that run turn off only tso); run: nicfix persist vmbr0 eno1" ]
	run -1 ns "$NICFIX" --json -i "$IF" check --input "$KLOG/clean.log"
	echo "$output" | jq -e '.bridges[0].ports[0].missing == ["gso","gro"] and .bridges[0].ports[0].drift == []'
	# a hang on it this boot, with gso and gro live on: critical
	run -1 ns "$NICFIX" --json -i "$IF" check --input "$KLOG/e1000e-eno1-12.log"
	echo "$output" | jq -e '.findings[0].severity == "critical"'
}

@test "live: a port the live system says is a VXLAN is no NIC, whatever its name" {
	ns_setup
	ns ip link add vx0 type vxlan id 100 dstport 4789 local 127.0.0.1
	ns ip link set vx0 master vmbr0
	sed -i 's/bridge-ports eno1$/bridge-ports eno1 vx0/' "$IF"
	"$NICFIX" -q -i "$IF" persist vmbr0 eno1
	ns "$NICFIX" -q apply eno1
	run -1 "$NICFIX" -i "$IF" check --no-live
	[[ "$output" == *"vmbr0: vx0: no fix"* ]]
	run -0 ns "$NICFIX" -i "$IF" check --input "$KLOG/clean.log"
	[ "${lines[0]}" = "vmbr0: eno1: ok: tso gso gro off" ]
	[ "${lines[1]}" = "vmbr0: vx0: not a NIC (live kind vxlan): nothing to fix" ]
	run -0 ns "$NICFIX" --json -i "$IF" check --input "$KLOG/clean.log"
	echo "$output" | jq -e '.bridges[0].ports[1].not_nic == "vxlan" and .bridges[0].ports[1].missing == []'
}

@test "live: a port that does not exist is a finding" {
	ns_setup
	ns ip link del eno1
	"$NICFIX" -q -i "$IF" persist vmbr0
	run -1 ns "$NICFIX" -i "$IF" check --input "$KLOG/clean.log"
	[ "${lines[0]}" = "$IF:9: vmbr0: eno1: no such interface on this host" ]
}

@test "persist --apply writes the line and turns the features off now" {
	ns_setup
	run -0 ns "$NICFIX" -i "$IF" persist --apply vmbr0
	[[ "$output" == *"added"* ]]
	[[ "$output" == *"eno1: tso gso gro off (turned off: tso gso)"* ]]
	[ "$(feature eno1 tx-tcp-segmentation)" = off ]
}

@test "diagnose's advice follows the host: nothing to persist when persisted, nothing to apply when off" {
	ns_setup
	sed 's/enp0s31f6/eno1/g' "$KLOG/e1000e-dmesg.log" >"$BATS_TEST_TMPDIR/eno1.log"
	tgg_on
	run -1 ns "$NICFIX" -i "$IF" diagnose --input "$BATS_TEST_TMPDIR/eno1.log"
	[[ "$output" == *"eno1: run: nicfix persist vmbr0 eno1"* ]]
	[[ "$output" == *"eno1: now: nicfix apply eno1"* ]]
	ns "$NICFIX" -q -i "$IF" persist --apply vmbr0
	tgg_are off
	run -1 ns "$NICFIX" -i "$IF" diagnose --input "$BATS_TEST_TMPDIR/eno1.log"
	[[ "$output" == *"eno1: persisted: the interfaces file turns tso,gso,gro off at ifup"* ]]
	[[ "$output" != *"run: nicfix persist"* ]]
	[[ "$output" != *"now: nicfix apply"* ]]
	run -1 ns "$NICFIX" --json -i "$IF" diagnose --input "$BATS_TEST_TMPDIR/eno1.log"
	echo "$output" | jq -e '.events[0] | .advice == [] and .persisted == true and .offloads_off == true'
}

@test "the real ifupdown2 root: check reads ifupdown2 from its dpkg status, and ifup runs the port stanza's line" {
	need_root
	hooks_root_setup
	run -0 "$NICFIX" --root "$ROOT" -v -i "$FIXTURES/port-stanza.interfaces" check --no-live
	[ "${lines[0]}" = "rules: ifupdown2" ]
	[ "${lines[1]}" = "vmbr0: eno1: ok: tso gso gro off (config only)" ]
	# and ifupdown2 does run it: at boot (ifup -a) it brings up iface eno1,
	# which has no auto, as a dependent of vmbr0 (a bare "ifup vmbr0" does
	# not: that takes --with-depends)
	ns_setup
	local up="$BATS_TEST_TMPDIR/upper"
	mkdir -p "$up/etc/network"
	sed '/^\taddress /d; /^\tgateway /d; s/inet static/inet manual/' \
		"$FIXTURES/port-stanza.interfaces" >"$up/etc/network/interfaces"
	tgg_on
	ns bash "$TOP/tests/lib/inroot.sh" "$ROOT" "$up" \
		sh -c 'mkdir -p /run/network && exec ifup -a'
	tgg_are off
}

@test "the host's real ifupdown: ifup -a skips a port stanza without auto, as check says" {
	command -v ifup >/dev/null || skip "no ifupdown on this host"
	dpkg-query -W -f '${Status}' ifupdown 2>/dev/null | grep -q 'ok installed' ||
		skip "ifup is not Debian's ifupdown"
	ns_setup
	local e="$BATS_TEST_TMPDIR/etc-network" st="$BATS_TEST_TMPDIR/run-network"
	mkdir -p "$e"/if-{pre-up,up,post-up,down,post-down}.d "$st"
	sed '/^\taddress /d; /^\tgateway /d; s/inet static/inet manual/' \
		"$FIXTURES/port-stanza.interfaces" >"$e/interfaces"
	installed ifupdown
	run -1 "$NICFIX" -i "$e/interfaces" check --no-live
	[[ "$output" == *"vmbr0: eno1: never runs: ifupdown brings up iface eno1 only with 'auto eno1'"* ]]
	# shellcheck disable=SC2016 # expanded by the inner shell
	local inner='mount --bind "$1" /etc/network && exec ifup -a --state-dir "$2"'
	tgg_on
	ns unshare -m --propagation private sh -c "$inner" sh "$e" "$st"
	tgg_are on
	# with auto it runs, and check agrees
	sed -i 's/^iface eno1 inet manual$/auto eno1\niface eno1 inet manual/' "$e/interfaces"
	run -0 "$NICFIX" -i "$e/interfaces" check --no-live
	rm -rf "$st" && mkdir -p "$st"
	ns unshare -m --propagation private sh -c "$inner" sh "$e" "$st"
	tgg_are off
}

@test "the reader parses every corpus file" {
	[ -d "$CORPUS_DIR" ] || skip "no corpus at $CORPUS_DIR"
	local f n=0
	for f in "$CORPUS_DIR"/*.interfaces; do
		run "$NICFIX" -i "$f" check --no-live
		if [ "$status" -eq 2 ] || [ "$status" -eq 3 ]; then
			echo "$f: $output" >&2
			return 1
		fi
		n=$((n + 1))
	done
	[ "$n" -eq 59 ]
}

@test "every corpus bridge persisted by nicfix is check-clean; its line removed, a finding" {
	[ -d "$CORPUS_DIR" ] || skip "no corpus at $CORPUS_DIR"
	installed ifupdown2
	local f b n=0
	for f in "$CORPUS_DIR"/*.interfaces; do
		while read -r b; do
			cp "$f" "$IF"
			# a file that has its fix already (036: in the port's stanza)
			"$NICFIX" -q -i "$IF" check --no-live "$b" >/dev/null && continue
			"$NICFIX" -q -i "$IF" persist "$b" 2>/dev/null || continue
			grep -q 'post-up ethtool -K' "$IF" || continue
			run "$NICFIX" --json -i "$IF" check --no-live "$b"
			if [ "$status" -ne 0 ]; then
				echo "$f $b: $output" >&2
				return 1
			fi
			cp "$f" "$IF"
			run "$NICFIX" -i "$IF" check --no-live "$b"
			if [ "$status" -ne 1 ] || [[ "$output" != *"no fix"* ]]; then
				echo "$f $b (line removed): $status $output" >&2
				return 1
			fi
			n=$((n + 1))
		done < <(awk '/^[ \t]*iface /{i=$2} /^[ \t]*bridge[-_]ports /{if ($2 != "none") print i}' "$f" | sort -u)
	done
	echo "$n bridges" >&3
	[ "$n" -ge 20 ]
}
