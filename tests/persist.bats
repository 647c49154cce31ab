#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# shellcheck disable=SC2016 # awk programs and inner shells are single-quoted on purpose
# persist / unpersist on fixture files: real Augeas, the project lens,
# byte-for-byte comparisons.  No root needed.

load lib/common
load lib/config
load lib/place

setup() {
	config_setup
}

# round_trip FIXTURE BRIDGE INDENT: persist, persist again, unpersist
round_trip() {
	use_fixture "$1"
	run -0 "$NICFIX" -i "$IF" persist "$2"
	[[ "$output" == *"added"* ]]
	[[ "$output" == *"changed"* ]]
	aug_parses "$IF"
	grep -qF "${3}post-up ethtool -K" "$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/persisted"
	run -0 "$NICFIX" -i "$IF" persist "$2"
	[[ "$output" == *": unchanged"* ]]
	cmp "$IF" "$BATS_TEST_TMPDIR/persisted"
	run -0 "$NICFIX" -i "$IF" unpersist "$2"
	unchanged
}

@test "Proxmox VE 8 file: the line lands after the last option, tab indented" {
	round_trip pve8.interfaces vmbr0 $'\t'
	use_fixture pve8.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	run -1 diff "$BATS_TEST_TMPDIR/orig" "$IF"
	[ "${lines[0]}" = "14a15" ]
	[ "${lines[1]}" = $'> \tpost-up ethtool -K eno1 tso off gso off gro off || true' ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "VLAN-aware bridge over an LACP bond: one line per bond slave" {
	round_trip vlan-aware-bond.interfaces vmbr0 $'\t'
	use_fixture vlan-aware-bond.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	grep -qxF $'\tpost-up ethtool -K eno1 tso off gso off gro off || true' "$IF"
	grep -qxF $'\tpost-up ethtool -K eno2 tso off gso off gro off || true' "$IF"
	[ "$(grep -c 'ethtool -K' "$IF")" -eq 2 ]
	# inside the vmbr0 stanza, after bridge-vids
	run -0 awk '/bridge-vids/ { getline; print }' "$IF"
	[[ "$output" == *"ethtool -K eno1"* ]]
}

@test "CRLF file with spaces: the new line has the stanza's indentation and CRLF" {
	round_trip crlf-spaces.interfaces vmbr0 "    "
	use_fixture crlf-spaces.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	grep -qF $'    post-up ethtool -K enp1s0 tso off gso off gro off || true\r' "$IF"
	[ "$(grep -c $'\r$' "$IF")" -eq "$(wc -l <"$IF")" ]
}

@test "a file without a final newline keeps none" {
	round_trip no-final-newline.interfaces vmbr0 "  "
	use_fixture no-final-newline.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[ "$(tail -c1 "$IF" | od -An -c | tr -d ' ')" = "e" ]
}

@test "vmbr0 in inet and inet6 stanzas: only the first gets the line" {
	round_trip dual-stack.interfaces vmbr0 "        "
	use_fixture dual-stack.interfaces
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[ "$(grep -c 'ethtool -K enp0s31f6' "$IF")" -eq 1 ]
	run -0 awk '/inet6/ { exit } /ethtool/ { print NR }' "$IF"
	[ -n "$output" ]
}

@test "every fixture with a bridge: persist, parse back, placed right, unchanged twice, unpersist byte-identical" {
	local f b n=0
	for f in "$FIXTURES"/*.interfaces "$FIXTURES"/edits/*.interfaces "$FIXTURES"/sdn/interfaces.d/sdn; do
		while read -r b; do
			cp "$f" "$IF"
			run -0 --separate-stderr "$NICFIX" --json -i "$IF" persist "$b"
			aug_parses "$IF"
			while read -r port; do
				placed_right "$IF" "$b" "$port"
			done < <(jq -r '.ports[] | select(.action == "added") | .port' <<<"$output")
			cp "$IF" "$BATS_TEST_TMPDIR/p"
			run -0 "$NICFIX" -i "$IF" persist "$b"
			[[ "$output" == *"unchanged"* ]]
			cmp "$IF" "$BATS_TEST_TMPDIR/p"
			run -0 "$NICFIX" -i "$IF" unpersist "$b"
			# a file that came with its lines (Proxmox VE 9's pinned
			# node) loses them: byte-identical only without
			if ! grep -q 'ethtool -K' "$f"; then
				cmp "$IF" "$f"
			fi
			n=$((n + 1))
		done < <(awk '
			{ sub(/\r$/, "") }
			$1 == "iface" { name = $2 }
			($1 == "bridge-ports" || $1 == "bridge_ports") && $2 != "none" { print name }
		' "$f" | sort -u)
	done
	[ "$n" -ge 9 ]
}

@test "SDN fragment in interfaces.d: the fragment is edited, nothing left beside it" {
	mkdir -p "$T/etc/network/interfaces.d"
	cp "$FIXTURES/sdn/interfaces" "$IF"
	cp "$FIXTURES/sdn/interfaces.d/sdn" "$T/etc/network/interfaces.d/sdn"
	run -0 "$NICFIX" -i "$IF" persist vlan100
	[[ "$output" == *"interfaces.d/sdn:10: vlan100: eno2: added"* ]]
	grep -qxF $'\tpost-up ethtool -K eno2 tso off gso off gro off || true' "$T/etc/network/interfaces.d/sdn"
	cmp "$IF" "$FIXTURES/sdn/interfaces"
	[ "$(ls -A "$T/etc/network/interfaces.d")" = sdn ]
	run -0 "$NICFIX" -i "$IF" unpersist vlan100
	cmp "$T/etc/network/interfaces.d/sdn" "$FIXTURES/sdn/interfaces.d/sdn"
}

@test "--dry-run prints a unified diff that patch applies, and writes nothing" {
	use_fixture pve8.interfaces
	run -0 "$NICFIX" -i "$IF" persist --dry-run vmbr0
	unchanged
	[[ "${lines[0]}" == "--- $IF" ]]
	[[ "$output" == *$'\n+\tpost-up ethtool -K eno1 tso off gso off gro off || true'* ]]
	cp "$IF" "$BATS_TEST_TMPDIR/patched"
	printf '%s\n' "$output" | patch -s "$BATS_TEST_TMPDIR/patched"
	"$NICFIX" -i "$IF" persist vmbr0
	cmp "$IF" "$BATS_TEST_TMPDIR/patched"
}

@test "--json reports changed, then unchanged" {
	use_fixture pve8.interfaces
	run -0 --separate-stderr "$NICFIX" --json -i "$IF" persist vmbr0
	echo "$output" | jq -e '.changed == true and .ports[0].port == "eno1" and .ports[0].action == "added"'
	run -0 --separate-stderr "$NICFIX" --json -i "$IF" persist vmbr0
	echo "$output" | jq -e '.changed == false and .ports[0].action == "unchanged" and .exit == 0'
}

@test "equivalent existing lines are recognised" {
	local line
	for line in "post-up /sbin/ethtool -K eno1 tso off gso off gro off" \
		"up ethtool --offload eno1 gro off gso off tso off || true" \
		"post-up /usr/sbin/ethtool --features eno1 tcp-segmentation-offload off generic-segmentation-offload off generic-receive-offload off"; do
		use_fixture pve8.interfaces
		sed -i "0,/^\tbridge-fd 0\$/s##\tbridge-fd 0\n\t$line#" "$IF"
		cp "$IF" "$BATS_TEST_TMPDIR/orig"
		run -0 "$NICFIX" -i "$IF" persist vmbr0 eno1
		[[ "$output" == *"unchanged"* ]]
		unchanged
	done
}

@test "a partial line is completed in place" {
	use_fixture pve8.interfaces
	sed -i '0,/^\tbridge-fd 0$/s||\tbridge-fd 0\n\tpost-up /sbin/ethtool -K eno1 tso off\n\tpost-up echo done|' "$IF"
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[[ "$output" == *"completed"* ]]
	grep -qxF $'\tpost-up /sbin/ethtool -K eno1 tso off gso off gro off || true' "$IF"
	grep -qxF $'\tpost-up echo done' "$IF"
	[ "$(grep -c ethtool "$IF")" -eq 1 ]
}

@test "a line turning a feature on is a conflict: refused, nothing written; --allow-conflict fixes it" {
	use_fixture pve8.interfaces
	sed -i '0,/^\tbridge-fd 0$/s||\tbridge-fd 0\n\tpost-up ethtool -K eno1 tso on|' "$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[[ "$stderr" == "nicfix: $IF:15: 'ethtool -K eno1 tso on' turns on a feature to turn off; --allow-conflict turns it off in that line" ]]
	unchanged
	# the old catch-all is gone, and says what replaced it
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist --force vmbr0
	[[ "$stderr" == *"--allow-conflict"* ]]
	unchanged
	run -0 "$NICFIX" -i "$IF" persist --allow-conflict vmbr0
	grep -qxF $'\tpost-up ethtool -K eno1 tso off gso off gro off || true' "$IF"
}

@test "refusals leave the file byte-identical" {
	use_fixture pve8.interfaces
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr9
	[[ "$stderr" == *"no stanza for 'vmbr9'"* ]]
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 eno9
	[[ "$stderr" == "nicfix: eno9: no such port behind vmbr0 (its ports: eno1; --allow-not-behind writes it anyway)" ]]
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 'eno1;reboot'
	[[ "$stderr" == *"invalid interface name"* ]]
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 -f 'tso,x y'
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr1
	[[ "$stderr" == *"bridge vmbr1 has no ports"* ]]
	run -2 --separate-stderr "$NICFIX" -i "$BATS_TEST_TMPDIR/missing" persist vmbr0
	unchanged
	[ ! -e "$NICFIX_BACKUP_DIR" ]
}

@test "--allow-not-behind persists a port that is not behind the bridge, into the bridge's stanza" {
	use_fixture pve8.interfaces
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 eno9
	unchanged
	run -0 "$NICFIX" -i "$IF" persist --allow-not-behind vmbr0 eno9
	# shellcheck disable=SC2016 # awk's fields, not the shell's
	run -0 awk '/^iface/ { st = $2 } /ethtool -K eno9/ { print st }' "$IF"
	[ "$output" = vmbr0 ]
}

@test "an unparsable stanza is refused naming file and line" {
	use_fixture pve8.interfaces
	printf 'iface\n' >>"$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[[ "$stderr" == "nicfix: $IF:24: "* ]]
	unchanged
}

@test "a bridge defined in two files is an error naming both" {
	mkdir -p "$T/etc/network/interfaces.d"
	use_fixture pve8.interfaces
	printf 'iface vmbr0 inet6 manual\n' >"$T/etc/network/interfaces.d/extra"
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[[ "$stderr" == *"'vmbr0' is defined in two files: $IF:9 and $T/etc/network/interfaces.d/extra:1"* ]]
	unchanged
}

@test "owner and mode are kept; a symlinked file is edited at its target" {
	use_fixture pve8.interfaces
	chmod 0640 "$IF"
	chown 65534:65534 "$IF" 2>/dev/null || true
	local owner
	owner=$(stat -c %u:%g "$IF")
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[ "$(stat -c %a "$IF")" = 640 ]
	[ "$(stat -c %u:%g "$IF")" = "$owner" ]
	mv "$IF" "$T/real-interfaces"
	ln -s "$T/real-interfaces" "$IF"
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	[ -L "$IF" ]
	cmp "$T/real-interfaces" "$BATS_TEST_TMPDIR/orig"
}

@test "a backup of the previous version is kept outside the configuration" {
	use_fixture pve8.interfaces
	run -0 "$NICFIX" -v -i "$IF" persist vmbr0
	[[ "$output" == *"backup in $NICFIX_BACKUP_DIR/"* ]]
	cmp "$NICFIX_BACKUP_DIR"/*interfaces.* "$BATS_TEST_TMPDIR/orig"
	[ "$(ls -A "$T/etc/network")" = interfaces ]
}

@test "30 persists in parallel leave a valid file with each line exactly once" {
	local i ports=""
	for i in $(seq 1 30); do ports+=" p$i"; done
	printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports%s\n\tbridge-fd 0\n\n# end\n' "$ports" >"$IF"
	# 30 sanitizer builds queue on one lock: on a loaded 2-core machine
	# the last waits far longer than a person would (the point here is
	# the result, not the wait)
	for i in $(seq 1 30); do
		NICFIX_LOCK_TIMEOUT=180000 "$NICFIX" -q -i "$IF" persist vmbr0 "p$i" &
	done
	wait
	aug_parses "$IF"
	for i in $(seq 1 30); do
		[ "$(grep -cxF $'\tpost-up ethtool -K p'"$i"' tso off gso off gro off || true' "$IF")" -eq 1 ]
	done
	[ "$(grep -c ethtool "$IF")" -eq 30 ]
	[ "$(tail -n1 "$IF")" = "# end" ]
}

@test "corpus: persist and unpersist round-trip every file with a bridge with ports" {
	[ -d "$CORPUS_DIR" ] || skip "no corpus at $CORPUS_DIR"
	local f b port n=0 placed=0
	for f in "$CORPUS_DIR"/*.interfaces; do
		# the bridges whose ports are not "none"
		while read -r b; do
			cp "$f" "$IF"
			run --separate-stderr "$NICFIX" --json -i "$IF" persist "$b"
			# a bridge of VXLANs, veths or VLANs of another bridge
			# (Proxmox SDN) has no NIC to fix: refused, nothing written
			if [ "$status" -eq 2 ] && [[ "$stderr" == *": bridge $b has no NIC: "* ]]; then
				cmp "$IF" "$f"
				continue
			fi
			if [ "$status" -ne 0 ]; then
				echo "persist $b failed on $f: $output $stderr" >&2
				return 1
			fi
			# parse back; the line is where Proxmox VE's rules,
			# ifupdown's ifquery and the project's reader all put it
			aug_parses "$IF"
			while read -r port; do
				if ! placed_right "$IF" "$b" "$port"; then
					echo "misplaced: $b $port in $f" >&2
					return 1
				fi
				placed=$((placed + 1))
			done < <(jq -r '.ports[] | select(.action == "added" or .action == "completed") | .port' <<<"$output")
			cp "$IF" "$BATS_TEST_TMPDIR/p"
			"$NICFIX" -q -i "$IF" persist "$b"
			cmp "$IF" "$BATS_TEST_TMPDIR/p"
			"$NICFIX" -q -i "$IF" unpersist "$b"
			if ! cmp "$IF" "$f"; then
				echo "unpersist $b did not restore $f" >&2
				return 1
			fi
			n=$((n + 1))
		done < <(awk '
			{ sub(/\r$/, "") }
			$1 == "iface" { name = $2 }
			($1 == "bridge-ports" || $1 == "bridge_ports") && $2 != "none" { print name }
		' "$f" | sort -u)
	done
	echo "round-tripped $n bridges, $placed lines placed right" >&3
	[ "$n" -ge 30 ]
	[ "$placed" -ge "$n" ]
}

@test "a held lock (ours or Proxmox's) is a clear error after a bounded wait" {
	use_fixture pve8.interfaces
	: >"$T/etc/network/.pve-interfaces.lock"
	flock "$T/etc/network/.pve-interfaces.lock" sleep 5 &
	sleep 0.3
	NICFIX_LOCK_TIMEOUT=300 run -3 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[[ "$stderr" == *"another process holds the lock (waited 300 ms)"* ]]
	unchanged
	flock "$T/etc/network" sleep 5 &
	sleep 0.3
	rm "$T/etc/network/.pve-interfaces.lock"
	NICFIX_LOCK_TIMEOUT=300 run -3 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[[ "$stderr" == *"another process holds the lock"* ]]
	unchanged
	kill %1 %2 2>/dev/null || true
	wait || true
}
