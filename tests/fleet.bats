#!/usr/bin/env bats
# A three-node cluster on one machine, driven by a real ansible-playbook
# over real ssh (tests/lib/fleet.bash): the nicfix.nicfix collection's
# check mode, diff, idempotence, drift, state absent, a failing node and
# nicfix_info.  The tests are steps of one rollout, in order.
#   node1: the bridge's stanza in interfaces.d/, port eno1
#   node2: vmbr0 on bond0 of enp1s0 and enp2s0 (a real bond where the
#          kernel has bonding; else the bond is in the file only)
#   node3: Proxmox VE 9 names, port nic0

load lib/common
load lib/fleet

setup_file() {
	if [ "$(id -u)" -ne 0 ]; then
		return 0
	fi
	fleet_setup
	echo "# node2's bond: $FLEET_BOND" >&3
}

teardown_file() {
	if [ "$(id -u)" -eq 0 ]; then
		fleet_teardown
	fi
}

setup() {
	need_root
	[ -x "$FLEET_NICFIX" ] || {
		echo "no $FLEET_NICFIX: run make all" >&2
		return 1
	}
}

# every port of every node has tso, gso and gro STATE
all_tgg() {
	local n p st
	for n in $FLEET_NODES; do
		while read -r p st; do
			if [ "$st" != "$1 $1 $1" ]; then
				echo "$n: $p: tso gso gro $st, expected $1" >&2
				return 1
			fi
		done < <(fleet_tgg "$n")
	done
}

@test "fleet: ssh reaches each node inside its own namespace and /etc/network" {
	local n
	for n in $FLEET_NODES; do
		run ssh -F "$FLEET/ssh_config" "$n" \
			'ip -o link show vmbr0 && head -n1 /etc/network/interfaces'
		[ "$status" -eq 0 ]
		[[ "$output" == *"vmbr0"* ]]
		[[ "$output" == *"$(head -n1 "$TOP/tests/fixtures/fleet/$n/interfaces")"* ]]
	done
	# and the host's own /etc/network is not theirs
	run ! grep -q 'node[123]' /etc/network/interfaces
	all_tgg on
}

@test "fleet: --check --diff shows every node's diff and changes nothing" {
	fleet_play offload.yml --check --diff
	[ "$status" -eq 0 ]
	recap_is node1 1 0
	recap_is node2 1 0
	recap_is node3 1 0
	# nicfix's unified diff, for each node's file and ports
	[[ "$output" == *"+++ /etc/network/interfaces.d/vmbr0"* ]]
	grep -qF $'+\tpost-up ethtool -K eno1 tso off gso off gro off || true' <<<"$output"
	grep -qF '+    post-up ethtool -K enp1s0 tso off gso off gro off || true' <<<"$output"
	grep -qF '+    post-up ethtool -K enp2s0 tso off gso off gro off || true' <<<"$output"
	grep -qF $'+\tpost-up ethtool -K nic0 tso off gso off gro off || true' <<<"$output"
	[ "$(grep -c '^+++ /etc/network/interfaces' <<<"$output")" -eq 3 ]
	# nothing changed: files byte for byte, features as they were
	[ "$(fleet_sums)" = "$FLEET_SUMS0" ]
	all_tgg on
}

@test "fleet: the real run changes all three nodes, files and live" {
	fleet_play offload.yml
	[ "$status" -eq 0 ]
	recap_is node1 1 0
	recap_is node2 1 0
	recap_is node3 1 0
	all_tgg off
	grep -qx $'\tpost-up ethtool -K eno1 tso off gso off gro off || true' \
		"$FLEET/node1/etc-network/interfaces.d/vmbr0"
	[ "$(grep -c 'post-up ethtool -K enp[12]s0 tso off gso off gro off || true' \
		"$FLEET/node2/etc-network/interfaces")" -eq 2 ]
	grep -qx $'\tpost-up ethtool -K nic0 tso off gso off gro off || true' \
		"$FLEET/node3/etc-network/interfaces"
	[ "$(fleet_sums)" != "$FLEET_SUMS0" ]
	fleet_sums >"$FLEET/sums1"
	# nicfix's backups went where the node's sshd said, not to the host's
	local n
	for n in $FLEET_NODES; do
		[ -n "$(ls -A "$FLEET/$n/backups")" ]
	done
}

@test "fleet: a second run reports changed=0 on every node" {
	fleet_play offload.yml
	[ "$status" -eq 0 ]
	recap_is node1 0 0
	recap_is node2 0 0
	recap_is node3 0 0
	[ "$(fleet_sums)" = "$(cat "$FLEET/sums1")" ]
	all_tgg off
}

@test "fleet: gro turned back on in one namespace changes only that node" {
	on node3 ethtool -K nic0 gro on
	[ "$(fleet_feature node3 nic0 generic-receive-offload)" = on ]
	fleet_play offload.yml
	[ "$status" -eq 0 ]
	recap_is node1 0 0
	recap_is node2 0 0
	recap_is node3 1 0
	[ "$(fleet_feature node3 nic0 generic-receive-offload)" = off ]
	# live only: no file changed anywhere
	[ "$(fleet_sums)" = "$(cat "$FLEET/sums1")" ]
	all_tgg off
}

@test "fleet: state absent restores every file byte for byte" {
	fleet_play offload.yml -e nicfix_state=absent
	[ "$status" -eq 0 ]
	recap_is node1 1 0
	recap_is node2 1 0
	recap_is node3 1 0
	[ "$(fleet_sums)" = "$FLEET_SUMS0" ]
	run ! grep -rq 'post-up ethtool' "$FLEET"/node1/etc-network \
		"$FLEET"/node2/etc-network "$FLEET"/node3/etc-network
}

@test "fleet: an unknown bridge fails that node with nicfix's message, the others are done" {
	fleet_play offload.yml -e bad_node=node2
	[ "$status" -ne 0 ]
	recap_is node1 1 0
	recap_is node2 0 1
	recap_is node3 1 0
	# nicfix's own message, for node2
	grep -E '^fatal: \[node2\]: FAILED!' <<<"$output" | grep -q "vmbr9"
	# node2's file is as it was, the others hold the fix
	[ "$(fleet_sums node2)" = "$(grep ' node2/' <<<"$FLEET_SUMS0")" ]
	grep -q 'post-up ethtool -K eno1' "$FLEET/node1/etc-network/interfaces.d/vmbr0"
	grep -q 'post-up ethtool -K nic0' "$FLEET/node3/etc-network/interfaces"
	run ! grep -q 'post-up ethtool' "$FLEET/node2/etc-network/interfaces"
}

@test "fleet: nicfix_info reports the one node whose kernel log shows the hang" {
	local before
	before=$(fleet_sums)
	fleet_play info.yml
	[ "$status" -eq 0 ]
	recap_is node1 0 0
	recap_is node2 0 0
	recap_is node3 0 0
	grep -q '"msg": "hang on node1: eno1 in vmbr0"' <<<"$output"
	[ "$(grep -c '"msg": "hang on' <<<"$output")" -eq 1 ]
	[ "$(fleet_sums)" = "$before" ]
}

@test "fleet: the e1000e role, serial 1, fixes only the port that hung and checks it" {
	fleet_play offload.yml -e nicfix_state=absent
	[ "$status" -eq 0 ]
	[ "$(fleet_sums)" = "$FLEET_SUMS0" ]
	on node1 ethtool -K eno1 tso on gso on gro on
	fleet_play role.yml
	[ "$status" -eq 0 ]
	recap_is node1 1 0
	recap_is node2 0 0
	recap_is node3 0 0
	grep -qx $'\tpost-up ethtool -K eno1 tso off gso off gro off || true' \
		"$FLEET/node1/etc-network/interfaces.d/vmbr0"
	[ "$(fleet_sums node2 node3)" = "$(grep -v ' node1/' <<<"$FLEET_SUMS0")" ]
	[ "$(fleet_tgg node1)" = "eno1 off off off" ]
	# one node at a time: three plays of one host each
	[ "$(grep -c '^PLAY \[Fix the e1000e hang where it happened\]' <<<"$output")" -eq 3 ]
}
