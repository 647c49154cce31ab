#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# shellcheck disable=SC2016 # awk programs and inner shells are single-quoted on purpose
# Edits an admin can trust (issue 12): unpersist keeps the admin's words,
# lines go where ifupdown and Proxmox VE's writer both keep them, pending
# GUI changes get the same edit, each refusal has its own override,
# --root, --dry-run, undo, backups.  Real files, real Augeas, real
# ifquery; the live cases in real namespaces.

load lib/common
load lib/config
load lib/place

setup() {
	config_setup
}

teardown() {
	ns_teardown
}

# ---- unpersist keeps what nicfix did not write -----------------------

@test "unpersist leaves the admin's own offload lines alone" {
	use_fixture edits/admin-lines.interfaces
	run -0 "$NICFIX" -i "$IF" unpersist --dry-run vmbr0
	[[ "$output" == *"no offload line to remove: unchanged"* ]]
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	unchanged
	# persist adds its own line beside them; unpersist takes only that
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[[ "$output" == *"eno1: added"* ]]
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	unchanged
}

@test "unpersist removes only the requested features from a line, and the line only when none is left" {
	use_fixture edits/admin-lines.interfaces
	sed -i 's/^\tpost-up ethtool -K eno1 lro off$/&\n\tpost-up \/sbin\/ethtool -K eno1 tso off gso off gro off sg off tx off/' "$IF"
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	grep -qxF $'\tpost-up /sbin/ethtool -K eno1 sg off tx off' "$IF"
	grep -qxF $'\tpost-up ethtool -K eno1 rx off tx off sg off || true' "$IF"
	grep -qxF $'\tpost-up ethtool -K eno1 lro off' "$IF"
	# -f: only what is named
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0 -f sg
	grep -qxF $'\tpost-up /sbin/ethtool -K eno1 tx off' "$IF"
	grep -qxF $'\tpost-up ethtool -K eno1 rx off tx off || true' "$IF"
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0 -f tx,rx
	# both lines had nothing else: gone; lro stays
	[ "$(grep -c 'ethtool' "$IF")" -eq 1 ]
	grep -qxF $'\tpost-up ethtool -K eno1 lro off' "$IF"
}

@test "unpersist of a line persist completed leaves the admin's other words" {
	use_fixture pve8.interfaces
	sed -i '0,/^\tbridge-fd 0$/s||\tbridge-fd 0\n\tpost-up /sbin/ethtool --offload eno1 sg off tso off|' "$IF"
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[[ "$output" == *"completed"* ]]
	grep -qxF $'\tpost-up /sbin/ethtool --offload eno1 sg off tso off gso off gro off || true' "$IF"
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	grep -qxF $'\tpost-up /sbin/ethtool --offload eno1 sg off || true' "$IF"
	[ "$(grep -c ethtool "$IF")" -eq 1 ]
}

@test "a stale port (no longer behind the bridge) can be unpersisted without an override" {
	use_fixture pve8.interfaces
	sed -i '0,/^\tbridge-fd 0$/s||\tbridge-fd 0\n\tpost-up ethtool -K eno7 tso off gso off gro off \|\| true|' "$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/stale"
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0 eno7
	[[ "$output" == *"eno7: removed"* ]]
	run ! grep -q eno7 "$IF"
	cmp "$IF" "$BATS_TEST_TMPDIR/orig"
	# a name with no line and not behind the bridge is still an error
	run -2 --separate-stderr "$NICFIX" -i "$IF" unpersist vmbr0 eno8
	[ "$stderr" = "nicfix: eno8: no such port behind vmbr0 (its ports: eno1; --allow-not-behind writes it anyway)" ]
}

# ---- placement: where ifupdown and Proxmox VE both keep the line -----

@test "dhcp above static: the line goes into the static stanza, with the bridge-ports" {
	use_fixture edits/dhcp-static.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	run -0 awk '/^iface/ { st = $0 } /ethtool/ { print st }' "$IF"
	[ "$output" = "iface vmbr0 inet static" ]
	PLACED_IFQUERY_MUST=1 placed_right "$IF" vmbr0 enp3s0
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	unchanged
}

@test "a blank line inside the stanza: the line goes before it" {
	use_fixture edits/blank-inside.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	run -1 diff "$BATS_TEST_TMPDIR/orig" "$IF"
	[ "${lines[0]}" = "10a11" ]
	[ "${lines[1]}" = $'> \tpost-up ethtool -K eno1 tso off gso off gro off || true' ]
	PLACED_IFQUERY_MUST=1 placed_right "$IF" vmbr0 eno1
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[[ "$output" == *"unchanged"* ]]
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	unchanged
}

@test "inet6 auto first: the line goes into the inet stanza" {
	use_fixture edits/inet6-auto-first.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	run -0 awk '/^iface/ { st = $0 } /ethtool/ { print st }' "$IF"
	[ "$output" = "iface vmbr0 inet static" ]
	PLACED_IFQUERY_MUST=1 placed_right "$IF" vmbr0 eno1
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	unchanged
}

@test "an existing line where Proxmox VE loses it is left, said, and the fix written where it is kept" {
	use_fixture edits/blank-inside.interfaces
	printf '\tpost-up ethtool -K eno1 tso off gso off gro off || true\n' >>"$IF"
	run -0 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[[ "$stderr" == *"$IF:14: vmbr0: an offload line of eno1 is left where it is at risk: it follows a blank line"* ]]
	[[ "$output" == *"eno1: added"* ]]
	# the new one is kept in vmbr0 (the old one stays loose, as said)
	PLACED_LOOSE_OK=1 placed_right "$IF" vmbr0 eno1
	run -0 awk '/ethtool/ { print NR }' "$IF"
	[ "${lines[0]}" = 11 ]
}

@test "the model of Proxmox VE's rules sees the old failures (it can fail)" {
	# a line in the dhcp stanza, after a blank, in inet6 auto: all lost
	printf 'iface vmbr0 inet dhcp\n\tpost-up ethtool -K eno1 tso off\niface vmbr0 inet static\n\tbridge-ports eno1\n' >"$IF"
	run ! placed_right "$IF" vmbr0 eno1
	printf 'iface vmbr0 inet static\n\tbridge-ports eno1\n\n\tpost-up ethtool -K eno1 tso off\n' >"$IF"
	run ! placed_right "$IF" vmbr0 eno1
	printf 'iface vmbr0 inet6 auto\n\tpost-up ethtool -K eno1 tso off\n\niface vmbr0 inet static\n\tbridge-ports eno1\n' >"$IF"
	run ! placed_right "$IF" vmbr0 eno1
	printf 'iface vmbr0 inet static\n\tbridge-ports eno1\n\tpost-up ethtool -K eno1 tso off\n' >"$IF"
	placed_right "$IF" vmbr0 eno1
}

# ---- pending GUI changes: interfaces.new edited alike -----------------

@test "pending interfaces.new: the same edit to both, each shown by --dry-run, kept by Apply" {
	use_fixture pve8.interfaces
	local new="$T/etc/network/interfaces.new"
	# the pending change: an MTU the GUI set on vmbr0
	sed '0,/^\tbridge-fd 0$/s||\tbridge-fd 0\n\tmtu 9000|' "$IF" >"$new"
	cp "$new" "$BATS_TEST_TMPDIR/new.orig"
	run -0 "$NICFIX" -i "$IF" persist --dry-run vmbr0
	[[ "$output" == *"--- $IF"$'\n'* ]]
	[[ "$output" == *"--- $new"$'\n'* ]]
	unchanged
	cmp "$new" "$BATS_TEST_TMPDIR/new.orig"
	run -0 --separate-stderr "$NICFIX" --json -i "$IF" persist vmbr0
	echo "$output" | jq -e --arg a "$IF" --arg b "$new" '
		.changed and (.files | length == 2) and .files[0].path == $a and
		.files[1].path == $b and .files[1].changed and .files[1].pending and
		(.files[1].backup | type == "string") and .dry_run == false'
	grep -qxF $'\tpost-up ethtool -K eno1 tso off gso off gro off || true' "$IF"
	grep -qxF $'\tpost-up ethtool -K eno1 tso off gso off gro off || true' "$new"
	grep -qxF $'\tmtu 9000' "$new"
	# taken under Proxmox VE's lock, which pve-common creates on first use
	[ -f "$T/etc/network/.pve-interfaces.lock" ]
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[[ "$output" == *"$IF: unchanged"* ]]
	[[ "$output" == *"$new: unchanged"* ]]
	# "Apply Configuration": .new renamed over the file; the fix stays
	mv "$new" "$IF"
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[[ "$output" == *"unchanged"* ]]
	placed_right "$IF" vmbr0 eno1
	# and unpersist restores the applied file as the GUI wrote it
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	cmp "$IF" "$BATS_TEST_TMPDIR/new.orig"
}

@test "pending interfaces.new: a lock held by the GUI is waited for, and named" {
	use_fixture pve8.interfaces
	cp "$IF" "$T/etc/network/interfaces.new"
	: >"$T/etc/network/.pve-interfaces.lock"
	flock "$T/etc/network/.pve-interfaces.lock" sleep 5 &
	sleep 0.3
	NICFIX_LOCK_TIMEOUT=300 run -3 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[ "$stderr" = "nicfix: $T/etc/network/.pve-interfaces.lock: another process holds the lock (waited 300 ms) (Proxmox VE's lock)" ]
	unchanged
	# a dry run is never refused
	run -0 "$NICFIX" -i "$IF" persist --dry-run vmbr0
	kill %1 2>/dev/null || true
	wait || true
}

# ---- overrides, and the errors that say what to do --------------------

@test "refusals name what to do; --force is gone; each override unlocks only its own" {
	use_fixture pve8.interfaces
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist eno1 eno1
	[ "$stderr" = "nicfix: eno1 is a port of vmbr0: run nicfix persist vmbr0" ]
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist --allow-not-behind eno1 eno1
	[ "$stderr" = "nicfix: eno1 is a port of vmbr0: run nicfix persist vmbr0" ]
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 eno9
	[ "$stderr" = "nicfix: eno9: no such port behind vmbr0 (its ports: eno1; --allow-not-behind writes it anyway)" ]
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist --allow-not-behind lo lo
	[[ "$stderr" == *"lo is the loopback interface"* ]]
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist --allow-conflict vmbr0 eno9
	[[ "$stderr" == *"eno9: no such port behind vmbr0"* ]]
	# a NIC without "auto": a line in its stanza would never run
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist eno2
	[[ "$stderr" == *"eno2 is in no bridge and no 'auto eno2' or 'allow-hotplug eno2' line brings its stanza up"* ]]
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist --allow-not-behind --allow-conflict eno2
	unchanged
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist --force vmbr0
	[[ "$stderr" == *"--force is gone"* ]]
	unchanged
	run -0 "$NICFIX" persist --help
	[[ "$output" == *"--allow-conflict"* ]]
	[[ "$output" == *"--allow-not-behind"* ]]
	grep -qF 'allow\-conflict' "$TOP/man/nicfix.8"
	grep -qF 'allow\-not\-behind' "$TOP/man/nicfix.8"
}

@test "a port of another bridge: the error names that bridge" {
	use_fixture pve8.interfaces
	sed -i 's/^\(iface vmbr1 inet manual\)$/\1\n\tbridge-ports eno2/' "$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 eno2
	[[ "$stderr" == "nicfix: eno2 is a port of vmbr1, not of vmbr0: run nicfix persist vmbr1 eno2"* ]]
	unchanged
}

@test "a plain Debian server: a NIC in no bridge, brought up by allow-hotplug, without an override" {
	use_fixture edits/plain-debian.interfaces
	run -0 "$NICFIX" -i "$IF" persist eno2
	[[ "$output" == *"eno2: eno2: added"* ]]
	run -0 awk '/^iface/ { st = $2 } /ethtool/ { print st ": " $0 }' "$IF"
	[ "$output" = $'eno2: \tpost-up ethtool -K eno2 tso off gso off gro off || true' ]
	PLACED_IFQUERY_MUST=1 placed_right "$IF" eno2 eno2
	run -0 "$NICFIX" -i "$IF" persist eno2
	[[ "$output" == *"unchanged"* ]]
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist eno3
	[[ "$stderr" == *"no 'auto eno3'"* ]]
	run -0 "$NICFIX" -i "$IF" unpersist eno2
	unchanged
}

# ---- --root, --dry-run, exit codes ------------------------------------

@test "--root DIR: the default file, interfaces.new, locks and backups are all under DIR" {
	local R="$BATS_TEST_TMPDIR/rescue"
	mkdir -p "$R/etc/network"
	cp "$FIXTURES/pve8.interfaces" "$R/etc/network/interfaces"
	cp "$FIXTURES/pve8.interfaces" "$R/etc/network/interfaces.new"
	cp "$R/etc/network/interfaces" "$BATS_TEST_TMPDIR/r.orig"
	# nothing of the test's own set-up points anywhere
	unset NICFIX_ROOT NICFIX_BACKUP_DIR
	run -0 "$NICFIX" --root "$R" persist -n vmbr0
	[[ "$output" == *"--- $R/etc/network/interfaces"$'\n'* ]]
	[[ "$output" == *"--- $R/etc/network/interfaces.new"$'\n'* ]]
	cmp "$R/etc/network/interfaces" "$BATS_TEST_TMPDIR/r.orig"
	run -0 "$NICFIX" --root "$R" persist vmbr0
	grep -qF 'ethtool -K eno1' "$R/etc/network/interfaces"
	grep -qF 'ethtool -K eno1' "$R/etc/network/interfaces.new"
	[ -f "$R/etc/network/.pve-interfaces.lock" ]
	[ "$(find "$R/var/backups/nicfix" -name '*interfaces.2*' | wc -l)" -eq 1 ]
	[ "$(find "$R/var/backups/nicfix" -name '*interfaces.new.2*' | wc -l)" -eq 1 ]
	NICFIX_ROOT="$R" run -0 "$NICFIX" undo
	cmp "$R/etc/network/interfaces" "$BATS_TEST_TMPDIR/r.orig"
	cmp "$R/etc/network/interfaces.new" "$BATS_TEST_TMPDIR/r.orig"
}

@test "--dry-run --apply changes nothing live (ethtool -k reads back)" {
	ns_setup
	use_fixture pve8.interfaces
	tgg_on
	run -0 ns "$NICFIX" -i "$IF" persist --dry-run --apply vmbr0
	[[ "$output" == *"dry run: would turn off the features of eno1 now"* ]]
	tgg_are on
	unchanged
	run -0 --separate-stderr ns "$NICFIX" --json -i "$IF" persist --dry-run --apply vmbr0
	echo "$output" | jq -e '.dry_run and .live == null and .exit == 0'
	tgg_are on
	unchanged
	# without --dry-run it does change them
	run -0 ns "$NICFIX" -i "$IF" persist --apply vmbr0
	tgg_are off
}

@test "a write followed by a failed live apply says both and exits 1, never 2" {
	ns_setup
	use_fixture pve8.interfaces
	ns ip link del eno1
	run -1 --separate-stderr ns "$NICFIX" -i "$IF" persist --apply vmbr0
	[[ "$output" == *"eno1: added"* ]]
	[[ "$output" == *"$IF: changed"* ]]
	[[ "$stderr" == *"$IF: written, but applying live failed"* ]]
	grep -qF 'ethtool -K eno1' "$IF"
	run -1 --separate-stderr ns "$NICFIX" --json -i "$IF" persist --apply vmbr0
	echo "$output" | jq -e '.exit == 1 and .changed == false and (.live | type == "array")'
}

# ---- undo and backups ---------------------------------------------------

@test "undo restores the version before nicfix's last edit, once" {
	use_fixture pve8.interfaces
	run -0 "$NICFIX" -i "$IF" undo
	[[ "$output" == *"nothing to undo"* ]]
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	run -0 "$NICFIX" -i "$IF" undo --dry-run
	[[ "$output" == *$'\n-\tpost-up ethtool -K eno1 tso off gso off gro off || true'* ]]
	grep -qF 'ethtool -K eno1' "$IF"
	run -0 --separate-stderr "$NICFIX" --json -i "$IF" undo
	echo "$output" | jq -e --arg a "$IF" '.changed and .files[0].path == $a and .exit == 0'
	unchanged
	run -0 "$NICFIX" -i "$IF" undo
	[[ "$output" == *"nothing to undo"* ]]
	unchanged
}

@test "undo refuses, showing the diff, when the file changed since" {
	use_fixture pve8.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	printf '# an admin edit\n' >>"$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/edited"
	run -2 --separate-stderr "$NICFIX" -i "$IF" undo
	[[ "$stderr" == *"$IF changed since nicfix's last edit: not undone"* ]]
	[[ "$stderr" == *"-# an admin edit"* ]]
	cmp "$IF" "$BATS_TEST_TMPDIR/edited"
}

@test "undo after a persist with pending interfaces.new restores both" {
	use_fixture pve8.interfaces
	cp "$IF" "$T/etc/network/interfaces.new"
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	run -0 "$NICFIX" -i "$IF" undo
	unchanged
	cmp "$T/etc/network/interfaces.new" "$BATS_TEST_TMPDIR/orig"
}

@test "the last 10 backups per file are kept" {
	use_fixture pve8.interfaces
	local _
	for _ in $(seq 1 7); do
		"$NICFIX" -q -i "$IF" persist vmbr0
		"$NICFIX" -q -i "$IF" unpersist vmbr0
	done
	[ "$(find "$NICFIX_BACKUP_DIR" -name '*_interfaces.2*' | wc -l)" -eq 10 ]
	unchanged
	# the one undo would restore is kept: the version before the last edit
	cmp "$(tail -n1 "$NICFIX_BACKUP_DIR/.last-edit" | cut -f4)" \
		<(awk '{ print } NR == 14 { print "\tpost-up ethtool -K eno1 tso off gso off gro off || true" }' "$IF")
}

# ---- small items --------------------------------------------------------

@test "-f adds up, blanks after commas are fine, and a dry run with nothing to do says so" {
	use_fixture pve8.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0 -f tso -f gro
	grep -qxF $'\tpost-up ethtool -K eno1 tso off gro off || true' "$IF"
	run -0 "$NICFIX" -i "$IF" persist vmbr0 -f "tso, gso"
	grep -qxF $'\tpost-up ethtool -K eno1 tso off gro off gso off || true' "$IF"
	run -0 "$NICFIX" -i "$IF" persist --dry-run vmbr0 -f "gso , tso"
	[[ "$output" == *"eno1: unchanged"* ]]
	[[ "$output" == *"dry run: nothing to do"* ]]
}

@test "nicfix help works, with and without a command" {
	run -0 "$NICFIX" help
	[[ "$output" == *"usage: nicfix"* ]]
	[[ "$output" == *"undo [-n|--dry-run]"* ]]
	run -0 "$NICFIX" help persist
	[[ "$output" == *"--allow-not-behind"* ]]
	run -2 "$NICFIX" help nosuch
}

# ---- apply BRIDGE / BOND: its physical ports ---------------------------

@test "apply BRIDGE turns off its physical ports, and says so" {
	# (a bond is walked to its members and a VLAN to its parent too; not
	# tested here: a test kernel may lack the bonding and 8021q modules)
	ns_setup
	tgg_on
	add_port eno2 vmbr0
	features_on eno2 tx-tcp-segmentation tx-generic-segmentation rx-gro
	local br_tso
	br_tso=$(feature vmbr0 tcp-segmentation-offload)
	run -0 ns "$NICFIX" apply vmbr0
	[ "${lines[0]}" = "vmbr0: bridge: its physical ports: eno1 eno2" ]
	tgg_are off
	[ "$(feature eno2 tcp-segmentation-offload)" = off ]
	[ "$(feature eno2 generic-receive-offload)" = off ]
	# the bridge device itself is left as it was
	[ "$(feature vmbr0 tcp-segmentation-offload)" = "$br_tso" ]
	tgg_on
	run -0 --separate-stderr ns "$NICFIX" --json apply vmbr0
	echo "$output" | jq -e '.via.bridge == "vmbr0" and (.interfaces | map(.name) == ["eno1", "eno2"])'
	tgg_are off
	# a bridge with no port is an error, not a silent no-op
	ns ip link add vmbr9 type bridge
	run -2 --separate-stderr ns "$NICFIX" apply vmbr9
	[[ "$stderr" == *"vmbr9 is a bridge with no physical port"* ]]
}

@test "pending interfaces.new and a bridge in an included fragment: the fragment is edited once" {
	mkdir -p "$T/etc/network/interfaces.d"
	cp "$FIXTURES/sdn/interfaces" "$IF"
	cp "$FIXTURES/sdn/interfaces" "$T/etc/network/interfaces.new"
	cp "$FIXTURES/sdn/interfaces.d/sdn" "$T/etc/network/interfaces.d/sdn"
	run -0 --separate-stderr "$NICFIX" --json -i "$IF" persist vlan100
	echo "$output" | jq -e '.files | length == 1 and .[0].changed and (.[0].path | endswith("interfaces.d/sdn"))'
	[ "$(grep -c 'ethtool -K eno2' "$T/etc/network/interfaces.d/sdn")" -eq 1 ]
	cmp "$IF" "$FIXTURES/sdn/interfaces"
	cmp "$T/etc/network/interfaces.new" "$FIXTURES/sdn/interfaces"
	run -0 "$NICFIX" -i "$IF" undo
	cmp "$T/etc/network/interfaces.d/sdn" "$FIXTURES/sdn/interfaces.d/sdn"
}
