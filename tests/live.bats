#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# apply and status against the real kernel, in a private namespace:
# bridge vmbr0 with veth ports; every result is read back with ethtool -k.

load lib/common

setup() {
	ns_setup
}

teardown() {
	ns_teardown
}

@test "apply turns tso, gso and gro off, as ethtool -k reads back" {
	features_on eno1 rx-gro
	[ "$(feature eno1 tcp-segmentation-offload)" = on ]
	[ "$(feature eno1 generic-segmentation-offload)" = on ]
	[ "$(feature eno1 generic-receive-offload)" = on ]
	run -0 ns "$NICFIX" apply eno1
	# one line, in the names an admin uses
	[ "$output" = "eno1: tso gso gro off (turned off: tso gso gro)" ]
	[ "$(feature eno1 tcp-segmentation-offload)" = off ]
	[ "$(feature eno1 tx-tcp-segmentation)" = off ]
	[ "$(feature eno1 tx-tcp6-segmentation)" = off ]
	[ "$(feature eno1 generic-segmentation-offload)" = off ]
	[ "$(feature eno1 generic-receive-offload)" = off ]
}

@test "tso means every tx-tcp*-segmentation bit this kernel has" {
	local want got
	want=$(ns ethtool -k eno1 | awk '$1 ~ /^tx-tcp.*-segmentation:$/ { sub(":", "", $1); print $1 }' | sort)
	[ -n "$want" ]
	run -0 ns "$NICFIX" apply -v -f tso eno1
	[ "${lines[0]}" = "eno1: tso off (turned off: tso)" ]
	got=$(printf '%s\n' "${lines[@]:1}" | awk -F': ' '{ print $2 }' | sort)
	[ "$got" = "$want" ]
	while read -r f; do
		[ "$(feature eno1 "$f")" = off ]
	done <<<"$want"
}

@test "a second apply says already off and exits 0" {
	run -0 ns "$NICFIX" apply eno1
	run -0 ns "$NICFIX" apply eno1
	[ "$output" = "eno1: tso gso gro off (already off)" ]
	run -0 ns "$NICFIX" -v apply eno1
	[[ "$output" == *"eno1: tx-tcp-segmentation: already off"* ]]
	[[ "$output" != *"turned off"* ]]
	# what was off already is named apart from what nicfix turned off
	features_on eno1 rx-gro
	run -0 ns "$NICFIX" apply eno1
	[ "$output" = "eno1: tso gso gro off (turned off: gro)" ]
}

@test "apply only touches the features it was asked for" {
	[ "$(feature eno1 tx-gre-segmentation)" = on ]
	[ "$(feature eno1 scatter-gather)" = on ]
	run -0 ns "$NICFIX" apply eno1
	[ "$(feature eno1 tx-gre-segmentation)" = on ]
	[ "$(feature eno1 scatter-gather)" = on ]
	[ "$(feature eno1 rx-checksumming)" = on ]
}

@test "apply takes kernel names as they are" {
	run -0 ns "$NICFIX" apply -f tx-tcp6-segmentation eno1
	[ "$(feature eno1 tx-tcp6-segmentation)" = off ]
	[ "$(feature eno1 tx-tcp-segmentation)" = on ]
	[ "$output" = "eno1: tx-tcp6-segmentation off (turned off: tx-tcp6-segmentation)" ]
}

@test "a feature the device cannot change is reported as fixed" {
	run -0 ns "$NICFIX" apply -f lro eno1
	[ "$output" = "eno1: lro off (fixed: lro)" ]
	run -0 ns "$NICFIX" apply -v -f lro eno1
	[ "${lines[1]}" = "eno1: rx-lro: fixed (off)" ]
	[[ "$(ns ethtool -k eno1 | grep large-receive-offload)" == *"[fixed]"* ]]
}

@test "apply over several ports, then --json parses and says what changed" {
	add_port eno2 vmbr0
	features_on eno1 rx-gro
	run -0 --separate-stderr ns "$NICFIX" --json apply eno1 eno2
	echo "$output" | jq -e '.ok == true and .exit == 0 and .error == null and (.interfaces | length) == 2'
	echo "$output" | jq -e '.interfaces[0] | .changed == true and .via == null'
	echo "$output" | jq -e '.interfaces[0] | .turned_off == ["tso", "gso", "gro"] and .already_off == [] and .fixed == [] and .failed == []'
	echo "$output" | jq -e '.interfaces[1] | .turned_off == ["tso", "gso"] and .already_off == ["gro"]'
	echo "$output" | jq -e '[.interfaces[].features[]] | all(.state == "off") and (map(.name) | unique) == ["gro", "gso", "tso"]'
	echo "$output" | jq -e '[.interfaces[].features[].bits[] | select(.name == "tx-tcp-segmentation")] | length == 2 and all(.state == "off" and .fixed == false)'
	[ "$(feature eno2 tx-tcp-segmentation)" = off ]
	run -0 --separate-stderr ns "$NICFIX" apply eno1 --json
	echo "$output" | jq -e '.interfaces[0] | .changed == false and .already_off == ["tso", "gso", "gro"]'
}

@test "apply to a bridge means the ports behind it, each saying via which" {
	add_port eno2 vmbr0
	add_port eno3
	run -0 --separate-stderr ns "$NICFIX" --json apply vmbr0
	echo "$output" | jq -e '.via == {"bridge": "vmbr0"}'
	echo "$output" | jq -e '[.interfaces[] | .name + " via " + .via] == ["eno1 via vmbr0", "eno2 via vmbr0"]'
	[ "$(feature eno2 tx-tcp-segmentation)" = off ]
	[ "$(feature eno3 tx-tcp-segmentation)" = on ]
	# a port also named is applied once
	run -0 ns "$NICFIX" apply eno2 vmbr0
	[ "${lines[0]}" = "vmbr0: bridge: its physical ports: eno1 eno2" ]
	[ "${lines[1]}" = "eno2: tso gso gro off (already off)" ]
	[ "${lines[2]}" = "eno1: tso gso gro off (already off)" ]
	[ "${#lines[@]}" -eq 3 ]
	run -0 --separate-stderr ns "$NICFIX" --json apply eno3
	echo "$output" | jq -e '.via == null and .interfaces[0].via == null'
	ns ip link add vmbr9 type bridge
	run -2 --separate-stderr ns "$NICFIX" apply vmbr9
	[ "$stderr" = "nicfix: vmbr9 is a bridge with no physical port: nothing to apply" ]
}

@test "an unknown interface is exit 2: no such interface" {
	run -2 --separate-stderr ns "$NICFIX" apply eno9
	[ "$stderr" = "nicfix: eno9: no such interface" ]
}

@test "an unknown port among good ones changes nothing at all" {
	run -2 ns "$NICFIX" apply eno1 eno9
	[ "$(feature eno1 tx-tcp-segmentation)" = on ]
}

@test "an unknown feature is exit 2 listing the short names, nothing changed" {
	run -2 --separate-stderr ns "$NICFIX" apply -f tso,bogus eno1
	[[ "$stderr" == *"unknown feature 'bogus'"* ]]
	[[ "$stderr" == *"rx, tx, sg, tso"* ]]
	[ "$(feature eno1 tx-tcp-segmentation)" = on ]
}

@test "without CAP_NET_ADMIN apply is exit 3 with a clear message" {
	local dir
	dir=$(mktemp -d /tmp/nicfix-bin.XXXXXX)
	cp "$NICFIX_BIN" "$dir/nicfix"
	chmod 755 "$dir" "$dir/nicfix"
	run -3 --separate-stderr ns setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all --bounding-set=-all \
		"$dir/nicfix" apply eno1
	rm -rf "$dir"
	[[ "$stderr" == *"eno1: permission denied"*"CAP_NET_ADMIN"* ]]
	[ "$(feature eno1 tx-tcp-segmentation)" = on ]
}

@test "the ioctl fallback gives the same answers as netlink" {
	add_port eno2 vmbr0
	local nl io
	run -0 ns "$NICFIX" apply -f tso,gso,gro,lro eno1
	nl=${output//eno1/PORT}
	NICFIX_FORCE_IOCTL=1 run -0 ns "$NICFIX" apply -f tso,gso,gro,lro eno2
	io=${output//eno2/PORT}
	[ "$nl" = "$io" ]
	[ "$(feature eno2 tx-tcp-segmentation)" = off ]
	NICFIX_FORCE_IOCTL=1 run -0 ns "$NICFIX" apply eno2
	[[ "$output" == *"already off"* ]]
	NICFIX_FORCE_IOCTL=1 run -0 ns "$NICFIX" --json status eno2
	echo "$output" | jq -e '.backend == "ioctl" and (.interfaces[0].features[] | select(.name == "tso") | .state) == "off"'
}

@test "status: one table row per interface: driver, link, bridge, tso gso gro" {
	run -0 ns "$NICFIX" status eno1
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^NAME\ +KIND\ +DRIVER\ +LINK\ +BRIDGE\ +TSO\ +GSO\ +GRO\ +PORTS$ ]]
	[[ "${lines[1]}" =~ ^eno1\ +veth\ +veth\ +up\ +vmbr0\ +on\ +on\ +off\ +-$ ]]
	ns ethtool -K eno1 tso off
	run -0 ns "$NICFIX" status eno1
	[[ "${lines[1]}" =~ ^eno1\ +veth\ +veth\ +up\ +vmbr0\ +off\ +on\ +off ]]
	# -v: every feature an admin looks at, and the kernel bits behind it
	run -0 ns "$NICFIX" status -v eno1
	[[ "$output" == *"eno1: tso off: tx-tcp-segmentation off, "*"tx-tcp6-segmentation off"* ]]
	[[ "$output" == *"eno1: lro off [fixed]: rx-lro off [fixed]"* ]]
	[[ "$output" == *"eno1: gro off: rx-gro off"* ]]
}

@test "status without names: physical NICs, bonds and bridges; -a adds veth peers; --driver filters" {
	add_port eno2
	run -0 ns "$NICFIX" status
	# a namespace has no hardware NIC: the bridge alone
	[[ "$output" =~ (^|$'\n')vmbr0\ +bridge\ +bridge\ +up\ +-\ +.*\ eno1$ ]]
	[[ "$output" != *"eno1p"* && "$output" != *"eno2"* ]]
	run -0 ns "$NICFIX" status -a
	[[ "$output" == *$'\n'"eno1p "* && "$output" == *$'\n'"eno2 "* && "$output" == *$'\n'"eno2p "* ]]
	[[ "$output" != *$'\n'"lo "* ]]
	run -0 ns "$NICFIX" status --all --json
	echo "$output" | jq -e '[.interfaces[].name] | sort == ["eno1", "eno1p", "eno2", "eno2p", "vmbr0"]'
	run -0 ns "$NICFIX" status --driver bridge
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == "vmbr0 "* ]]
	run -0 ns "$NICFIX" --json status --driver veth
	echo "$output" | jq -e '[.interfaces[].name] | sort == ["eno1", "eno1p", "eno2", "eno2p"]'
	echo "$output" | jq -e '.interfaces | all(.kind == "virtual" and .link_kind == "veth")'
	run -0 ns "$NICFIX" status --driver e1000e
	[ "${#lines[@]}" -eq 1 ]
}

@test "status --json parses and names the bridge" {
	add_port eno2 vmbr0
	run -0 --separate-stderr ns "$NICFIX" status eno1 vmbr0 --json
	echo "$output" | jq -e '.interfaces[0].bridge == "vmbr0" and .interfaces[0].driver == "veth"'
	echo "$output" | jq -e '.interfaces[1].members == ["eno1", "eno2"] and .interfaces[0].members == null'
	echo "$output" | jq -e '.interfaces[1].kind == "bridge" and (.interfaces[0].features[] | select(.name == "gso") | .state) == "on"'
	echo "$output" | jq -e '.interfaces[0].features | map(.name) == ["rx", "tx", "sg", "tso", "gso", "gro", "lro"]'
	echo "$output" | jq -e '.interfaces[0].features[] | select(.name == "lro") | .fixed and .bits == [{"name": "rx-lro", "state": "off", "fixed": true}]'
	run -0 ns "$NICFIX" status vmbr0
	[[ "${lines[1]}" == *" eno1 eno2" ]]
}

@test "status of an unknown interface is exit 2" {
	run -2 --separate-stderr ns "$NICFIX" status eno9
	[ "$stderr" = "nicfix: eno9: no such interface" ]
}
