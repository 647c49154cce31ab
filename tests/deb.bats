#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# shellcheck disable=SC2016 # single-quoted $ is for the inner shell or dpkg
# The Debian package: `make deb`, lintian, and the package
# installed, reconfigured, removed and purged in a fresh root of $SUITE
# (tests/lib/mkroot.sh) chrooted through an overlay, inside the test's own
# network namespace and with its own /etc/network in the overlay's upper
# dir: the postinst never sees the host's interfaces or files.  On the
# host's own release the package is the host's `make deb`; on another
# (tests/trixie-deb.bats) it is built, and linted, inside a root of that
# release (`make deb DEB_SUITE=trixie`, tests/lib/debroot.sh).

load lib/common

OFF_LINE="post-up ethtool -K eno1 tso off gso off gro off || true"

# The .deb is built once per run of this file, and not at all when no
# tracked or new file is newer than the one in build/deb (build/deb-SUITE).
setup_file() {
	cd "$TOP" || return 1
	local make_args=()
	DEB_DIR=build/deb
	if [ "$SUITE" != "$HOST_SUITE" ]; then
		DEB_DIR=build/deb-$SUITE
		make_args=("DEB_SUITE=$SUITE")
	fi
	export DEB_DIR
	local stale=1 f debs=("$DEB_DIR"/nicfix_*.deb)
	local deb=${debs[0]}
	if [ -e "$deb" ]; then
		stale=0
		while IFS= read -r f; do
			if [ -e "$f" ] && [ "$f" -nt "$deb" ]; then
				stale=1
				break
			fi
		done < <(git ls-files --cached --others --exclude-standard)
	fi
	if [ "$stale" -eq 1 ]; then
		make deb "${make_args[@]}" >"$BATS_FILE_TMPDIR/make-deb.log" 2>&1 || {
			tail -n 40 "$BATS_FILE_TMPDIR/make-deb.log" >&3
			return 1
		}
	fi
	debs=("$TOP/$DEB_DIR"/nicfix_*.deb)
	export DEB=${debs[0]}
	# the root holds the package's own Depends, read from the .deb, so
	# it installs without a network and the cache key follows them, and
	# the ifupdown2 it recommends (Proxmox VE's ifupdown)
	local deps
	deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' |
		sed -E 's/\(.*\)//; s/\|.*//; s/[[:space:]]//g' | grep . | sort -u)
	# shellcheck disable=SC2086 # one package name a word
	LOWER=$(bash "$TOP/tests/lib/mkroot.sh" deb $deps ifupdown2)
	export LOWER
}

setup() {
	U="$BATS_TEST_TMPDIR/upper"
	mkdir -p "$U/var/tmp" "$U/etc/network"
	cp "$DEB" "$U/var/tmp/"
	cat >"$U/etc/network/interfaces" <<-EOF
		auto lo
		iface lo inet loopback

		iface eno1 inet manual

		auto vmbr0
		iface vmbr0 inet static
		 	address 192.0.2.5/24
		 	bridge-ports eno1
		 	bridge-stp off
		 	bridge-fd 0
		 	$OFF_LINE
	EOF
	sed -i 's/^ \t/\t/' "$U/etc/network/interfaces"
	cp "$U/etc/network/interfaces" "$BATS_TEST_TMPDIR/interfaces.orig"
	root_upper "$LOWER" "$U"
}

teardown() {
	ns_teardown
}

# booted CMD...: CMD in the root, in the test's namespace, in a PID
# namespace of its own as on a booted system (ischroot says no)
booted() {
	ip netns exec "$NS" unshare --pid --fork \
		bash "$TOP/tests/lib/inroot.sh" "$LOWER" "$U" "$@"
}

# chrooted CMD...: CMD in the root as a plain chroot (ischroot says yes)
chrooted() {
	ip netns exec "$NS" bash "$TOP/tests/lib/inroot.sh" "$LOWER" "$U" "$@"
}

install_deb() {
	booted apt-get install -y -q --no-install-recommends "/var/tmp/${DEB##*/}"
}

@test "$SUITE: make deb: the files of DESIGN.md, the version of debian/changelog, Depends on ethtool" {
	run -0 dpkg-deb -c "$DEB"
	local f
	for f in ./usr/sbin/nicfix ./usr/libexec/nicfix/nicfix-hook \
		./usr/lib/udev/rules.d/85-nicfix.rules \
		./usr/share/nicfix/lenses/nicfix_interfaces.aug \
		./usr/share/nicfix/nicfix.schema.json \
		./usr/share/man/man8/nicfix.8.gz \
		./usr/share/bash-completion/completions/nicfix \
		./usr/share/doc/nicfix/copyright ./etc/default/nicfix; do
		grep -q " $f\$" <<<"$output" || { echo "missing $f" >&2; return 1; }
	done
	# the ifupdown hook: two copies of one script; with /etc/default/nicfix
	# (the watch daemon's options) the only conffiles; nothing else in /etc
	grep -q '^-rwxr-xr-x .* ./etc/network/if-up.d/nicfix$' <<<"$output"
	grep -q '^-rwxr-xr-x .* ./etc/network/if-post-up.d/nicfix$' <<<"$output"
	[ "$(grep -c ' ./etc/.*[^/]$' <<<"$output")" -eq 3 ]
	# the watch daemon's unit, enabled on install (deb-systemd-helper)
	grep -Eq ' ./(usr/)?lib/systemd/system/nicfix-watch.service$' <<<"$output"
	run -0 dpkg-deb -I "$DEB" conffiles
	[ "$(sort <<<"$output")" = "$(printf '%s\n' /etc/default/nicfix \
		/etc/network/if-post-up.d/nicfix /etc/network/if-up.d/nicfix)" ]
	run -0 bash -c 'dpkg-deb --ctrl-tarfile "$1" | tar -xOf - ./postinst' _ "$DEB"
	[[ "$output" == *"deb-systemd-helper enable 'nicfix-watch.service'"* ]]
	# built on the release it is tested on: the build's base-files is
	# the one of the root's release
	grep -q "^ base-files (= $(cut -d. -f1 "$LOWER/etc/debian_version")\." \
		"${DEB%.deb}.buildinfo"
	run -0 dpkg-deb -f "$DEB" Version
	[ "$output" = "$(awk -F'[()]' 'NR == 1 { print $2 }' "$TOP/debian/changelog")" ]
	run -0 dpkg-deb -f "$DEB" Depends
	[[ "$output" == *ethtool* && "$output" == *libmnl0* && "$output" == *libaugeas0* ]]
	# built out of tree: no dpkg-buildpackage output beside the checkout
	run ls "$TOP"/../nicfix_*
	[ "$status" -ne 0 ]
}

@test "$SUITE: lintian -EviIL +pedantic: 0 errors and 0 warnings" {
	local changes=${DEB%.deb}.changes
	local lintian=(lintian -EviIL +pedantic --tag-display-limit 0)
	# the release's own lintian: the host's, or the build root's
	if [ "$DEB_DIR" = build/deb ]; then
		run -0 "${lintian[@]}" "$changes"
	else
		run -0 bash "$TOP/tests/lib/debroot.sh" "$SUITE" "$TOP/$DEB_DIR" \
			"${lintian[@]}" "${changes##*/}"
	fi
	if grep -E '^[EW]: ' <<<"$output"; then
		return 1
	fi
	# an override must say why
	local o
	for o in "$TOP"/debian/*lintian-overrides; do
		[ -e "$o" ] || continue
		awk '!/^#/ && NF && prev !~ /^#/ { bad = 1 } { prev = $0 } END { exit bad }' "$o"
	done
}

@test "$SUITE: install in a fresh root: files, --version, man page; the postinst re-applies drift, quietly once all is well" {
	local ifindex
	ns_setup
	ifindex=$(ns cat /sys/class/net/vmbr0/ifindex)
	tgg_on
	run -0 install_deb
	[[ "$output" == *"Setting up nicfix"* ]]
	# the persisted line re-applied live, without a bridge bounce: the
	# same bridge, still administratively up (its operstate follows the
	# ports' carrier and forwarding state, not what the postinst did)
	[[ "$output" == *"vmbr0: eno1: drift re-applied: tso gso gro"* ]]
	[[ "$output" != *warning* ]]
	tgg_are off
	[ "$(ns cat /sys/class/net/vmbr0/ifindex)" = "$ifindex" ]
	ns ip -o link show vmbr0 | grep -q '[<,]UP[,>]'
	cmp "$U/etc/network/interfaces" "$BATS_TEST_TMPDIR/interfaces.orig"

	run -0 booted nicfix --version
	[ "$output" = "nicfix $(dpkg-deb -f "$DEB" Version)" ]
	run -0 booted /usr/libexec/nicfix/nicfix-hook --port eno1
	[ -x "$U/usr/sbin/nicfix" ]
	cmp "$U/etc/network/if-up.d/nicfix" "$TOP/hooks/ifupdown-hook.sh"
	cmp "$U/etc/network/if-post-up.d/nicfix" "$TOP/hooks/ifupdown-hook.sh"
	[ -f "$U/usr/lib/udev/rules.d/85-nicfix.rules" ]
	[ -f "$U/usr/share/nicfix/lenses/nicfix_interfaces.aug" ]
	# the schema of --json, and the installed binary's objects valid against it
	cmp "$U/usr/share/nicfix/nicfix.schema.json" "$TOP/schema/nicfix.schema.json"
	run -2 --separate-stderr booted nicfix --json bogus
	printf '%s\n' "$output" | /usr/bin/python3 "$TOP/tests/lib/jsoncheck.py" \
		"$U/usr/share/nicfix/nicfix.schema.json" 2
	run -0 --separate-stderr booted nicfix status --json vmbr0
	printf '%s\n' "$output" | /usr/bin/python3 "$TOP/tests/lib/jsoncheck.py" \
		"$U/usr/share/nicfix/nicfix.schema.json" 0
	[ -f "$U/usr/share/bash-completion/completions/nicfix" ]
	# the daemon: enabled by deb-systemd-helper, its options a conffile
	[ -L "$U/etc/systemd/system/multi-user.target.wants/nicfix-watch.service" ]
	[ -f "$U/etc/default/nicfix" ]
	zcat "$U/usr/share/man/man8/nicfix.8.gz" | cmp - "$TOP/man/nicfix.8"
	# the installed lens is the one nicfix finds: persist works in the root
	run -0 booted nicfix persist --dry-run vmbr0 -f tso,gso,gro,sg
	[[ "$output" == *"+"*"post-up ethtool -K eno1 "*"sg off"* ]]

	# all is well now: the postinst prints nothing
	# run as dpkg runs it: deb-systemd-helper refuses anything else
	run -0 --separate-stderr booted env DPKG_MAINTSCRIPT_PACKAGE=nicfix \
		DPKG_MAINTSCRIPT_NAME=postinst /var/lib/dpkg/info/nicfix.postinst configure 0.1.0
	[ -z "$output" ]
	[ -z "$stderr" ] || { echo "stderr: $stderr" >&2; return 1; }
}

@test "$SUITE: remove keeps the admin's lines, and the hook scripts, which then do nothing; purge leaves nothing of the package" {
	ns_setup
	run -0 install_deb
	# a backup made on the admin's behalf, by persist
	run -0 booted nicfix persist vmbr0 -f tso,gso,gro,sg
	[ -n "$(ls "$U/var/backups/nicfix")" ]
	cp "$U/etc/network/interfaces" "$BATS_TEST_TMPDIR/interfaces.admin"

	run -0 booted apt-get remove -y -q nicfix
	[ ! -e "$U/usr/sbin/nicfix" ]
	[ ! -e "$U/usr/libexec/nicfix/nicfix-hook" ]
	[ ! -e "$U/usr/lib/udev/rules.d/85-nicfix.rules" ]
	# conffiles: they stay, and without the binary exit 0, silent
	local h
	for h in if-up.d if-post-up.d; do
		[ -x "$U/etc/network/$h/nicfix" ]
		run -0 --separate-stderr booted env IFACE=vmbr0 MODE=start \
			PHASE=post-up ADDRFAM=inet "/etc/network/$h/nicfix"
		[ -z "$output" ]
		[ -z "$stderr" ]
	done
	cmp "$U/etc/network/interfaces" "$BATS_TEST_TMPDIR/interfaces.admin"
	grep -qF "$OFF_LINE" "$U/etc/network/interfaces" ||
		grep -q 'post-up ethtool -K eno1 .*sg off' "$U/etc/network/interfaces"

	run -0 booted dpkg --purge nicfix
	run -1 booted dpkg-query -W nicfix
	cmp "$U/etc/network/interfaces" "$BATS_TEST_TMPDIR/interfaces.admin"
	# left: the admin's file, the backups of it (kept on purpose, see
	# nicfix(8) FILES), and dpkg's and apt's own logs and records (apt's
	# cache, made while the conffiles kept the package known, until the
	# next apt run)
	rm -f "$U/var/tmp/${DEB##*/}"
	run bash -c 'cd "$1" && find . -path ./var/log -prune -o \
		-path ./var/backups/nicfix -prune -o \
		\( -type f -o -type l \) -print | xargs -r grep -l nicfix --' _ "$U"
	local left
	left=$(grep -v -e '^./etc/network/interfaces$' \
		-e '^./var/lib/dpkg/status' -e '^./var/lib/dpkg/available' \
		-e '^./var/lib/apt/extended_states$' -e '^./var/cache/debconf/' \
		-e '^./var/cache/apt/pkgcache.bin$' \
		<<<"$output" || true)
	[ -z "$left" ] || { echo "left: $left" >&2; return 1; }
	run -0 find "$U" -name '*nicfix*' -not -path "$U/var/backups/nicfix*"
	[ -z "$output" ]
}

# boot_ifup: `ifup -a` under ifupdown2, as networking.service at boot,
# with no bridge yet: it makes vmbr0 with eno1 in it, and says no error
boot_ifup() {
	local out
	if ! out=$(booted sh -c 'mkdir -p /run/network && exec ifup -a' 2>&1) ||
		[[ "$out" == *error* ]]; then
		echo "$out" >&2
		return 1
	fi
	ns ip -o link show eno1 | grep -q ' master vmbr0 '
	ns ip -o link show vmbr0 | grep -q '[<,]UP[,>]'
	ns ip link del vmbr0
}

@test "$SUITE: removed (not purged), or its binary deleted by hand: ifupdown2 still makes the bridge at boot" {
	ns_setup
	ns ip link del vmbr0
	run -0 install_deb
	boot_ifup
	run -0 booted apt-get remove -y -q nicfix
	[ -e "$U/etc/network/if-up.d/nicfix" ]
	boot_ifup
	# a dangling symlink in if-up.d would fail eno1's up, and there
	# would be no vmbr0: the script runs nothing and exits 0
	run -0 install_deb
	rm "$U/usr/libexec/nicfix/nicfix-hook"
	boot_ifup
}

@test "$SUITE: postinst: a hang in this boot's kernel log prints the diagnosis, exit 0" {
	ns_setup
	# journald's socket and a journalctl that gives the incident's log
	mkdir -p "$U/usr/bin"
	cp "$TOP/tests/fixtures/klog/e1000e-journal.log" "$U/var/tmp/klog"
	printf '#!/bin/sh\ncat /var/tmp/klog\n' >"$U/usr/bin/journalctl"
	chmod +x "$U/usr/bin/journalctl"
	# apt-get passes the maintainer scripts' output on its stdout
	run -0 booted sh -c \
		'mkdir -p /run/systemd/journal && : >/run/systemd/journal/socket &&
		 apt-get install -y -q --no-install-recommends "$1"' _ "/var/tmp/${DEB##*/}"
	[[ "$output" == *"nicfix: this boot's kernel log shows a NIC hang:"* ]]
	[[ "$output" == *"eno1: driver e1000e"* ]]
	[[ "$output" == *"eno1: pci 0000:00:1f.6"* ]]
	[[ "$output" == *"eno1: bridge vmbr0"* ]]
	# the root's file already has the line: advice follows the host
	[[ "$output" == *"eno1: persisted: the interfaces file turns tso,gso,gro off at ifup"* ]]
	[[ "$output" != *"run: nicfix persist"* ]]
	[[ "$output" == *"verdict: hang found"* ]]
	run -0 booted dpkg-query -W -f '${Status}' nicfix
	[ "$output" = "install ok installed" ]
}

@test "$SUITE: postinst: a line naming a missing port is a warning, the install succeeds" {
	ns_setup
	sed -i 's/^\tbridge-fd 0$/&\n\tpost-up ethtool -K eno7 tso off gso off gro off || true/' \
		"$U/etc/network/interfaces"
	cp "$U/etc/network/interfaces" "$BATS_TEST_TMPDIR/interfaces.orig"
	tgg_on
	run -0 install_deb
	[[ "$output" == *"/etc/network/interfaces:"*": vmbr0: eno7: stale: eno7 is not behind vmbr0 (its NICs: eno1); run: nicfix unpersist vmbr0 eno7"* ]]
	[[ "$output" == *"nicfix: warning: 'nicfix check --apply' exited 1"* ]]
	# the good line still took effect, and no file was touched
	tgg_are off
	cmp "$U/etc/network/interfaces" "$BATS_TEST_TMPDIR/interfaces.orig"
	run -0 booted dpkg-query -W -f '${Status}' nicfix
	[ "$output" = "install ok installed" ]
}

@test "$SUITE: postinst in a chroot: the lines are checked, the build host's NICs are not touched" {
	ns_setup
	tgg_on
	run -0 chrooted apt-get install -y -q --no-install-recommends \
		"/var/tmp/${DEB##*/}"
	[[ "$output" == *"Setting up nicfix"* ]]
	[[ "$output" != *"re-applied"* && "$output" != *"nicfix: "* ]]
	[ "$(feature eno1 tcp-segmentation-offload)" = on ]
	[ "$(feature eno1 generic-receive-offload)" = on ]
}
