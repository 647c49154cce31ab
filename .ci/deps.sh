#!/bin/bash
# Install every build and test dependency of nicfix from Debian's archive.
# Idempotent and fast when everything is present: apt is only run for
# what dpkg does not already have.
set -euo pipefail

pkgs=(
	build-essential pkg-config libmnl-dev libaugeas-dev
	augeas-tools augeas-lenses
	ethtool iproute2 util-linux
	bats shellcheck jq strace patch
	ifupdown python3 python3-jsonschema
	mmdebstrap valgrind clang libclang-rt-14-dev
	debian-archive-keyring # mmdebstrap checks the trixie roots against it
	debhelper dpkg-dev fakeroot lintian bash-completion man-db groff-base
	qemu-system-x86 qemu-utils e2fsprogs
	ansible-core openssh-server openssh-client python3-venv
	python3-pytest python3-pytest-xdist python3-pytest-forked python3-pytest-mock
	python3-mock pylint yamllint pycodestyle python3-voluptuous
	prometheus systemd  # promtool and systemd-analyze for tests/watch.bats
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root to install)" >&2
	exit 3
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
