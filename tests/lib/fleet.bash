# shellcheck shell=bash
# A three-node cluster on one machine for tests/fleet.bats: each node is a
# network namespace with a bridge and veth ports, and a private
# /etc/network (bind-mounted in a private mount namespace, only in the
# processes of that node's sshd: the host's /etc/network is never
# touched).  Ansible reaches each node over real ssh without IP traffic:
# the ProxyCommand runs `sshd -i` (inetd mode) inside the namespace, with
# a host key and an authorized key made for this run.

FLEET_NODES="node1 node2 node3"
# the binary under test: the plain build, as an installed nicfix would be
FLEET_NICFIX=${FLEET_NICFIX:-$TOP/build/nicfix}

# fleet_ns NODE: the node's network namespace
fleet_ns() {
	echo "nfxfleet-$FLEET_RUN-${1#node}"
}

# on NODE CMD...: run CMD inside NODE's network namespace
on() {
	local node=$1
	shift
	ip netns exec "$(fleet_ns "$node")" "$@"
}

# fleet_ports NODE: the physical ports nicfix must cover on NODE
fleet_ports() {
	case $1 in
	node1) echo eno1 ;;
	node2) echo enp1s0 enp2s0 ;;
	node3) echo nic0 ;;
	esac
}

# fleet_feature NODE PORT NAME: "on" or "off" as ethtool -k reads it
fleet_feature() {
	on "$1" ethtool -k "$2" | awk -v f="$3:" '$1 == f { print $2 }'
}

# fleet_tgg NODE: "PORT tso gso gro" for every port of NODE, as ethtool reads them
fleet_tgg() {
	local p
	for p in $(fleet_ports "$1"); do
		echo "$p $(fleet_feature "$1" "$p" tcp-segmentation-offload)" \
			"$(fleet_feature "$1" "$p" generic-segmentation-offload)" \
			"$(fleet_feature "$1" "$p" generic-receive-offload)"
	done
}

# fleet_sums [NODE...]: sha256 of the nodes' interfaces files (default: all)
fleet_sums() {
	local n nodes
	read -r -a nodes <<<"${*:-$FLEET_NODES}"
	for n in "${nodes[@]}"; do
		(cd "$FLEET" && find "$n/etc-network" -type f ! -name '.*' |
			LC_ALL=C sort | xargs sha256sum)
	done
}

# fleet_has_bond: whether this kernel can make a bond
fleet_has_bond() {
	local ns="nfxfleet-$FLEET_RUN-probe" ok=1
	ip netns add "$ns"
	if ip netns exec "$ns" ip link add nfxprobe0 type bond 2>/dev/null; then
		ok=0
	fi
	ip netns del "$ns"
	return "$ok"
}

# fleet_veth NODE NAME [MASTER]: a veth NAME (peer NAMEp), up, tso/gso/gro on
fleet_veth() {
	on "$1" ip link add "$2" type veth peer name "${2}p"
	if [ -n "${3:-}" ]; then
		on "$1" ip link set "$2" master "$3"
	fi
	on "$1" ip link set "$2" up
	on "$1" ip link set "${2}p" up
	on "$1" ethtool -K "$2" tso on gso on gro on
}

# fleet_node NODE: its namespace, links and private /etc/network
fleet_node() {
	local node=$1 dir=$FLEET/$1
	ip netns add "$(fleet_ns "$node")"
	on "$node" ip link set lo up
	on "$node" ip link add vmbr0 type bridge
	case $node in
	node1)
		fleet_veth node1 eno1 vmbr0
		;;
	node2)
		if [ "$FLEET_BOND" = real ]; then
			on node2 ip link add bond0 type bond mode active-backup
			fleet_veth node2 enp1s0
			fleet_veth node2 enp2s0
			on node2 ip link set enp1s0 down
			on node2 ip link set enp1s0 master bond0
			on node2 ip link set enp2s0 down
			on node2 ip link set enp2s0 master bond0
			on node2 ip link set bond0 master vmbr0
			on node2 ip link set bond0 up
		else
			# no bonding in this kernel: bond0 exists in the file
			# only, where nicfix resolves it to its slaves
			fleet_veth node2 enp1s0
			fleet_veth node2 enp2s0
		fi
		;;
	node3)
		fleet_veth node3 nic0 vmbr0
		;;
	esac
	on "$node" ip link set vmbr0 up

	mkdir -p "$dir/etc-network/interfaces.d" "$dir/backups"
	cp -a "$TOP/tests/fixtures/fleet/$node/." "$dir/etc-network/"
	sed "s/enp0s31f6/$(fleet_ports "$node" | cut -d' ' -f1)/g" \
		"$TOP/tests/fixtures/klog/$(fleet_klog "$node")" >"$dir/kern.log"
	cat >"$dir/sshd_config" <<-EOF
		HostKey $FLEET/ssh/host_ed25519
		AuthorizedKeysFile $FLEET/ssh/authorized_keys
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		PidFile none
		LogLevel ERROR
		Subsystem sftp /usr/lib/openssh/sftp-server
		SetEnv NICFIX_BACKUP_DIR=$dir/backups
	EOF
	cat >>"$FLEET/ssh_config" <<-EOF
		Host $node
		  User root
		  ProxyCommand ip netns exec $(fleet_ns "$node") unshare -m sh -c 'mount --bind $dir/etc-network /etc/network && exec /usr/sbin/sshd -i -f $dir/sshd_config'
	EOF
	echo "$node $(cat "$FLEET/ssh/host_ed25519.pub")" >>"$FLEET/ssh/known_hosts"
}

# fleet_klog NODE: the fixture kernel log of NODE (only node1 hung)
fleet_klog() {
	case $1 in
	node1) echo e1000e-dmesg.log ;;
	*) echo clean.log ;;
	esac
}

# fleet_setup: for setup_file; the three nodes, ssh and Ansible's config
fleet_setup() {
	FLEET=$BATS_FILE_TMPDIR
	FLEET_RUN=$$
	export FLEET FLEET_RUN
	if fleet_has_bond; then
		FLEET_BOND=real
	else
		FLEET_BOND="file"
	fi
	export FLEET_BOND
	# sshd's privilege separation directory, as its package makes it at boot
	[ -d /run/sshd ] || install -d -m 0755 /run/sshd
	mkdir -p "$FLEET/ssh" "$FLEET/tmp"
	ssh-keygen -q -t ed25519 -N '' -C fleet-host -f "$FLEET/ssh/host_ed25519"
	ssh-keygen -q -t ed25519 -N '' -C fleet-client -f "$FLEET/ssh/client_ed25519"
	cp "$FLEET/ssh/client_ed25519.pub" "$FLEET/ssh/authorized_keys"
	cat >"$FLEET/ssh_config" <<-EOF
		Host *
		  IdentityFile $FLEET/ssh/client_ed25519
		  IdentitiesOnly yes
		  UserKnownHostsFile $FLEET/ssh/known_hosts
		  StrictHostKeyChecking yes
		  BatchMode yes
		  ControlMaster no
	EOF
	: >"$FLEET/ssh/known_hosts"
	local n
	for n in $FLEET_NODES; do
		fleet_node "$n"
	done
	{
		echo "all:"
		echo "  vars:"
		echo "    ansible_python_interpreter: /usr/bin/python3"
		echo "    nicfix_exe: $FLEET_NICFIX"
		echo "  hosts:"
		for n in $FLEET_NODES; do
			echo "    $n:"
			echo "      klog: $FLEET/$n/kern.log"
		done
	} >"$FLEET/inventory.yml"
	cat >"$FLEET/ansible.cfg" <<-EOF
		[defaults]
		inventory = $FLEET/inventory.yml
		remote_tmp = $FLEET/tmp/remote
		local_tmp = $FLEET/tmp/local
		host_key_checking = True
		forks = 3
		retry_files_enabled = False
		[ssh_connection]
		ssh_args = -F $FLEET/ssh_config
		pipelining = True
	EOF
	FLEET_SUMS0=$(fleet_sums "$FLEET_NODES")
	export FLEET_SUMS0
}

fleet_teardown() {
	local n
	for n in $FLEET_NODES; do
		ip netns del "$(fleet_ns "$n")" 2>/dev/null || true
	done
}

# fleet_play PLAYBOOK ARGS...: ansible-playbook over ssh; $output, and
# $recap holding the PLAY RECAP lines (also shown in the TAP output)
fleet_play() {
	local book=$1
	shift
	run env ANSIBLE_CONFIG="$FLEET/ansible.cfg" ANSIBLE_HOME="$FLEET/tmp/home" \
		ANSIBLE_COLLECTIONS_PATH="$TOP/ansible" ANSIBLE_NOCOLOR=1 \
		ANSIBLE_FORCE_COLOR=0 \
		ansible-playbook "$TOP/tests/fleet/$book" "$@"
	# shellcheck disable=SC2154 # bats' run sets $output
	recap=$(printf '%s\n' "$output" | sed -n '/^PLAY RECAP/,$p' |
		grep -E '^node[0-9] +: ok=' | sed 's/ *$//')
	printf '%s\n' "ansible-playbook $book $*" "$recap" | sed 's/^/# /' >&3
	if [ -n "${FLEET_RECAP_LOG:-}" ]; then
		printf '%s\n' "== $BATS_TEST_DESCRIPTION" "ansible-playbook $book $*" "$recap" >>"$FLEET_RECAP_LOG"
	fi
}

# recap_of NODE KEY: KEY's count (changed, failed, ...) in NODE's recap line
recap_of() {
	printf '%s\n' "$recap" | awk -v n="$1" -v k="$2=" '$1 == n {
		for (i = 3; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }'
}

# recap_is NODE CHANGED FAILED: the node's recap says so
recap_is() {
	local c f
	c=$(recap_of "$1" changed)
	f=$(recap_of "$1" failed)
	if [ "$c" != "$2" ] || [ "$f" != "$3" ] || [ "$(recap_of "$1" unreachable)" != 0 ]; then
		echo "$1: changed=$c failed=$f, expected changed=$2 failed=$3" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}
