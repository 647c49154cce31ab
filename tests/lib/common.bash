# shellcheck shell=bash
# Shared set-up for the bats suites: the binary under test, and private
# network namespaces holding a bridge and veth stand-ins for NICs.  Tests
# only ever touch interfaces they made in namespaces they made.

bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# the sanitizer build unless told otherwise: every test is an ASan run
if [ -z "${NICFIX_BIN:-}" ]; then
	NICFIX_BIN=${NICFIX:-$TOP/build/asan/nicfix}
fi
export NICFIX_BIN
# every test runs it through tests/lib/nicfix-checked: each call with
# --json must print one object valid against the schema, or the test
# fails (and tests/setup_suite.bash fails the run); $NICFIX_BIN is the
# binary itself, for what needs one (a copy, strace)
export NICFIX_SCHEMA=${NICFIX_SCHEMA:-$TOP/schema/nicfix.schema.json}
export NICFIX_JSON_LOG=${NICFIX_JSON_LOG:-${BATS_RUN_TMPDIR:-/tmp}/nicfix-json-invalid.log}
NICFIX=$TOP/tests/lib/nicfix-checked
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "needs root (network namespaces)"
	fi
}

# ns CMD...: run CMD inside this test's namespace
ns() {
	ip netns exec "$NS" "$@"
}

# ns_setup: a namespace with bridge vmbr0 and port eno1 (a veth) in it
ns_setup() {
	need_root
	NS="nfx-$$-${BATS_TEST_NUMBER}"
	ip netns add "$NS"
	ns ip link set lo up
	ns ip link add vmbr0 type bridge
	add_port eno1 vmbr0
	ns ip link set vmbr0 up
}

ns_teardown() {
	if [ -n "${NS:-}" ]; then
		ip netns del "$NS" 2>/dev/null || true
	fi
}

# add_port NAME [BRIDGE]: a veth NAME (peer NAMEp), up, enslaved to BRIDGE
add_port() {
	ns ip link add "$1" type veth peer name "${1}p"
	if [ -n "${2:-}" ]; then
		ns ip link set "$1" master "$2"
	fi
	ns ip link set "$1" up
	ns ip link set "${1}p" up
}

# feature IFACE NAME: "on" or "off" as ethtool -k reads it back
feature() {
	ns ethtool -k "$1" | awk -v f="$2:" '$1 == f { print $2 }'
}

# features_on IFACE NAME...: turn kernel features on with the real ethtool
features_on() {
	local dev=$1
	shift
	local f args=()
	for f in "$@"; do
		args+=("$f" on)
	done
	ns ethtool -K "$dev" "${args[@]}"
}

# The three offloads of the default line (tso gso gro), on eno1.
# tgg_on: turn them on with the real ethtool, as a driver reset leaves them
tgg_on() {
	features_on eno1 tx-tcp-segmentation tx-generic-segmentation rx-gro
	[ "$(feature eno1 tcp-segmentation-offload)" = on ]
}

# tgg_are STATE: all three read back as STATE ("on" or "off")
tgg_are() {
	[ "$(feature eno1 tcp-segmentation-offload)" = "$1" ]
	[ "$(feature eno1 generic-segmentation-offload)" = "$1" ]
	[ "$(feature eno1 generic-receive-offload)" = "$1" ]
}

# hook_scripts ETC_NETWORK [BINARY]: the ifupdown hook as the package
# installs it, in ETC_NETWORK/if-up.d and if-post-up.d: the script of
# hooks/ifupdown-hook.sh, running BINARY (the installed path by default)
hook_scripts() {
	local d bin=${2:-/usr/libexec/nicfix/nicfix-hook}
	for d in if-up.d if-post-up.d; do
		mkdir -p "$1/$d"
		sed "s|/usr/libexec/nicfix/nicfix-hook|$bin|" \
			"$TOP/hooks/ifupdown-hook.sh" >"$1/$d/nicfix"
		chmod 0755 "$1/$d/nicfix"
	done
}

# root_hook UPPER: the hook as the package installs it, in the upper layer
# of a root: the plain build (a root has no sanitizer runtime), HOOK_BIN
# if set, and the scripts
root_hook() {
	mkdir -p "$1/usr/libexec/nicfix"
	install -m 0755 "${HOOK_BIN:-$TOP/build/nicfix-hook}" \
		"$1/usr/libexec/nicfix/nicfix-hook"
	hook_scripts "$1/etc/network"
}

# SUITE: the Debian release of the roots a suite runs in (mkroot.sh):
# bookworm, or NICFIX_ROOT_SUITE.  tests/trixie-FOO.bats, a link to
# FOO.bats, runs the same suite on trixie; its test names start with the
# release, so the two runs stay apart in the counts.
case ${BATS_TEST_FILENAME##*/} in
trixie-*) NICFIX_ROOT_SUITE=trixie ;;
esac
SUITE=${NICFIX_ROOT_SUITE:-bookworm}
export NICFIX_ROOT_SUITE=$SUITE
# the host's own release: a suite runs there on the host's programs
# shellcheck source=/dev/null
HOST_SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
export HOST_SUITE

# hooks_root_setup: for setup_file, $ROOT = the cached root of $SUITE
# (tests/lib/mkroot.sh) where the hook meets the real ifupdown2 and the
# real udev: one package list for both suites, so a fresh machine builds
# it once.  As root only: without root, ns_setup skips first.
hooks_root_setup() {
	if [ "$(id -u)" -eq 0 ]; then
		ROOT=$(bash "$TOP/tests/lib/mkroot.sh" hooks \
			ifupdown2 ethtool iproute2 libmnl0 udev)
		export ROOT
	fi
}

# deb_build: for setup_file, $DEB = build/deb/nicfix_*.deb, made with
# `make deb` when missing or older than a tracked or new file (so once
# per change, whichever suite needs it first: deb.bats, vm.bats)
deb_build() {
	local stale=1 f debs=("$TOP"/build/deb/nicfix_*.deb)
	local deb=${debs[0]}
	if [ -e "$deb" ]; then
		stale=0
		while IFS= read -r f; do
			if [ -e "$TOP/$f" ] && [ "$TOP/$f" -nt "$deb" ]; then
				stale=1
				break
			fi
		done < <(cd "$TOP" && git ls-files --cached --others --exclude-standard)
	fi
	if [ "$stale" -eq 1 ]; then
		make -C "$TOP" deb >"$BATS_FILE_TMPDIR/make-deb.log" 2>&1 || {
			tail -n 40 "$BATS_FILE_TMPDIR/make-deb.log" >&3
			return 1
		}
	fi
	debs=("$TOP"/build/deb/nicfix_*.deb)
	export DEB=${debs[0]}
}

# deb_depends: the package's own Depends, one name a line, read from $DEB
deb_depends() {
	dpkg-deb -f "$DEB" Depends | tr ',' '\n' |
		sed -E 's/\(.*\)//; s/\|.*//; s/[[:space:]]//g' | grep . | sort -u
}

# root_upper LOWER UPPER: what a node has and a minimal root of the
# release lacks, put in a test's upper layer.  Trixie's iproute2 ships no
# /etc/iproute2, where ifupdown2's vrf addon writes its map: without it
# every ifup and ifreload fails there, hook or not (FIELD-NOTES).
root_upper() {
	if [ ! -d "$1/etc/iproute2/rt_tables.d" ]; then
		mkdir -p "$2/etc/iproute2/rt_tables.d"
	fi
}
