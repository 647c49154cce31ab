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
	[[ "$output" == *"eno1: tx-tcp-segmentation: off"* ]]
	[[ "$output" == *"eno1: tx-tcp6-segmentation: off"* ]]
	[[ "$output" == *"eno1: tx-generic-segmentation: off"* ]]
	[[ "$output" == *"eno1: rx-gro: off"* ]]
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
	run -0 ns "$NICFIX" apply -f tso eno1
	got=$(printf '%s\n' "$output" | awk -F': ' '{ print $2 }' | sort)
	[ "$got" = "$want" ]
	while read -r f; do
		[ "$(feature eno1 "$f")" = off ]
	done <<<"$want"
}

@test "a second apply says already off and exits 0" {
	run -0 ns "$NICFIX" apply eno1
	run -0 ns "$NICFIX" apply eno1
	[[ "$output" == *"eno1: tx-tcp-segmentation: already off"* ]]
	[[ "$output" != *": off"* ]]
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
	[ "${#lines[@]}" -eq 1 ]
}

@test "a feature the device cannot change is reported as fixed" {
	run -0 ns "$NICFIX" apply -f lro eno1
	[ "$output" = "eno1: rx-lro: fixed (off)" ]
	[[ "$(ns ethtool -k eno1 | grep large-receive-offload)" == *"[fixed]"* ]]
}

@test "apply over several ports, then --json parses and says what changed" {
	add_port eno2 vmbr0
	run -0 --separate-stderr ns "$NICFIX" --json apply eno1 eno2
	echo "$output" | jq -e '.ok == true and .exit == 0 and (.interfaces | length) == 2'
	echo "$output" | jq -e '.interfaces[0].changed == true'
	echo "$output" | jq -e '[.interfaces[].features[] | select(.name == "tx-tcp-segmentation")] | all(.result == "off" and .active == false)'
	[ "$(feature eno2 tx-tcp-segmentation)" = off ]
	run -0 --separate-stderr ns "$NICFIX" --json apply eno1
	echo "$output" | jq -e '.interfaces[0].changed == false'
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
	cp "$NICFIX" "$dir/nicfix"
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
	echo "$output" | jq -e '.backend == "ioctl" and .interfaces[0].features.tso.state == "off"'
}

@test "status shows driver, bridge and the live offload state" {
	run -0 ns "$NICFIX" status eno1
	[[ "$output" == *"eno1: driver veth"* ]]
	[[ "$output" == *"eno1: bridge vmbr0"* ]]
	[[ "$output" == *"eno1: tso on"* ]]
	[[ "$output" == *"eno1: lro off [fixed]"* ]]
	ns ethtool -K eno1 tso off
	run -0 ns "$NICFIX" status eno1
	[[ "$output" == *"eno1: tso off"* ]]
}

@test "status without names lists every interface but lo" {
	add_port eno2
	run -0 ns "$NICFIX" status
	[[ "$output" == *"vmbr0: kind bridge"* ]]
	[[ "$output" == *"eno2: kind port"* ]]
	[[ "$output" != *"lo: "* ]]
}

@test "status --json parses and names the bridge" {
	add_port eno2 vmbr0
	run -0 --separate-stderr ns "$NICFIX" --json status eno1 vmbr0
	echo "$output" | jq -e '.interfaces[0].bridge == "vmbr0" and .interfaces[0].driver == "veth"'
	echo "$output" | jq -e '.interfaces[1].members == "eno1 eno2"'
	echo "$output" | jq -e '.interfaces[1].kind == "bridge" and .interfaces[0].features.gso.state == "on"'
	run -0 ns "$NICFIX" status vmbr0
	[[ "$output" == *"vmbr0: ports eno1 eno2"* ]]
}

@test "status of an unknown interface is exit 2" {
	run -2 --separate-stderr ns "$NICFIX" status eno9
	[ "$stderr" = "nicfix: eno9: no such interface" ]
}
