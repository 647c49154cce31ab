#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# The udev rule, read by the real udev from Debian's archive (in the
# cached root of $SUITE of tests/lib/mkroot.sh; tests/trixie-udev.bats is
# this suite on trixie): `udevadm test` of an "add"
# of a test port parses every rule, matches ours and prints the command it
# would run and the environment it would give it.  The test then runs
# exactly that, in the root, and reads the features back.

load lib/common
load lib/config

# the plain build: the root has no sanitizer runtime
HOOK_BIN=${HOOK_BIN:-$TOP/build/nicfix-hook}
OFF_LINE="post-up ethtool -K eno1 tso off gso off gro off || true"

setup_file() {
	hooks_root_setup
}

setup() {
	ns_setup
	UP="$BATS_TEST_TMPDIR/upper"
	mkdir -p "$UP/usr/lib/udev/rules.d" "$UP/usr/libexec/nicfix" "$UP/etc/network"
	install -m 0644 "$TOP/hooks/85-nicfix.rules" "$UP/usr/lib/udev/rules.d/"
	install -m 0755 "$HOOK_BIN" "$UP/usr/libexec/nicfix/nicfix-hook"
	printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports eno1\n\t%s\n' \
		"$OFF_LINE" >"$UP/etc/network/interfaces"
}

teardown() {
	ns_teardown
}

in_root() {
	ns bash "$TOP/tests/lib/inroot.sh" "$ROOT" "$UP" "$@"
}

# udev_test PORT: udevadm test of an add of PORT; sets RUN_CMD and RUN_ENV
# (the command and the environment udev would run our rule's RUN with).
# After its notice udev 252 (bookworm) prints KEY=value lines, then
# "run: 'CMD'"; udev 257 (trixie) "Properties:" with indented KEY=value
# lines, then "Queued commands:" with "RUN{program} : CMD".
udev_test() {
	run -0 in_root udevadm test --action=add "/sys/class/net/$1"
	UDEV_OUT=$output
	local hook=/usr/libexec/nicfix/nicfix-hook
	RUN_CMD=$(sed -nE -e "s|^run: '($hook .*)'\$|\1|p" \
		-e "s|^[[:space:]]+RUN\{program\} : ($hook .*)\$|\1|p" <<<"$output")
	mapfile -t RUN_ENV < <(sed -n '/^This program is for debugging only/,$p' <<<"$output" |
		sed -nE 's/^[[:space:]]*([A-Z_]+=)/\1/p')
}

@test "$SUITE: udev reads the rule without a complaint and matches a net add" {
	udev_test eno1
	[[ "$UDEV_OUT" == *"85-nicfix.rules:"*" RUN '/usr/libexec/nicfix/nicfix-hook --port \$name'"* ]]
	# udev read our file, and said nothing else about it than that match
	# (a syntax problem would be a line naming the file and its line)
	[[ "$UDEV_OUT" == *"Reading rules file: /usr/lib/udev/rules.d/85-nicfix.rules"* ]]
	[ "$(grep '85-nicfix\.rules' <<<"$UDEV_OUT" | grep -vc '^Reading rules file: ')" -eq 1 ]
	[ "$RUN_CMD" = "/usr/libexec/nicfix/nicfix-hook --port eno1" ]
	# lo is not a NIC: no hook for it
	run -0 in_root udevadm test --action=add /sys/class/net/lo
	[[ "$output" != *nicfix-hook* ]]
}

@test "$SUITE: the command udev runs, with udev's environment, re-applies on a re-added port" {
	udev_test eno1
	[ "${#RUN_ENV[@]}" -ge 3 ]
	[[ " ${RUN_ENV[*]} " == *" ACTION=add "* ]]
	features_on eno1 tx-tcp-segmentation tx-generic-segmentation rx-gro
	[ "$(feature eno1 tcp-segmentation-offload)" = on ]
	# shellcheck disable=SC2086 # RUN_CMD is a command line, as udev splits it
	run -0 in_root env -i "${RUN_ENV[@]}" $RUN_CMD
	[ "$(feature eno1 tcp-segmentation-offload)" = off ]
	[ "$(feature eno1 generic-segmentation-offload)" = off ]
	[ "$(feature eno1 generic-receive-offload)" = off ]
}

@test "$SUITE: a port no line names: the command exits 0 and leaves it alone" {
	add_port eno2
	features_on eno2 tx-tcp-segmentation
	udev_test eno2
	[ "$RUN_CMD" = "/usr/libexec/nicfix/nicfix-hook --port eno2" ]
	# shellcheck disable=SC2086 # RUN_CMD is a command line, as udev splits it
	run -0 in_root env -i "${RUN_ENV[@]}" $RUN_CMD
	[ -z "$output" ]
	[ "$(feature eno2 tcp-segmentation-offload)" = on ]
}
