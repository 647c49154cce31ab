#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, stderr_lines, status
# shellcheck disable=SC2016 # '$(id)' and the like are meant literally
# Hostile input: interface names a shell would interpret, control and
# non-UTF-8 bytes, unknown features, a 100 MB file, deep or cyclic
# includes, thousands of included files.  Each is refused with exit 2
# and one printable line on stderr, with nothing written, or handled.

load lib/common
load lib/config
load lib/harden

setup() {
	san_setup
	config_setup
	use_fixture pve8.interfaces
	DIR="$T/etc/network"
}

teardown() {
	san_check
}

# refused: exit 2, one "nicfix: " line of printable ASCII, nothing written
refused() {
	if [ "$status" -ne 2 ]; then
		echo "exit $status, not 2: $stderr" >&2
		return 1
	fi
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr_lines[0]}" == "nicfix: "* ]]
	# no escape sequence or stray byte reaches the terminal
	if LC_ALL=C grep -q '[^[:print:]]' <<<"$stderr"; then
		echo "unprintable bytes on stderr: $(od -c <<<"$stderr")" >&2
		return 1
	fi
	unchanged
	[ "$(listing "$DIR")" = "interfaces " ]
	[ ! -e "$NICFIX_BACKUP_DIR" ]
}

# the names: shell metacharacters, a newline, 16 bytes, non-UTF-8,
# a terminal escape, and the kernel's own refusals
HOSTILE=('eno1;reboot' 'a$(id)' '`id`' 'a|b' 'a&' "a'b" $'a\nb' 'eno1234567890123'
	"$(printf 'x%.0s' {1..300})" $'\xff\xfe' $'eno\xc3' $'\e]0;owned\a' 'a b' 'a/b' 'a:b'
	'..' '-x' '')

@test "hostile names as the bridge: exit 2, one printable line, nothing written" {
	local name
	for name in "${HOSTILE[@]}"; do
		run --separate-stderr "$NICFIX" -i "$IF" persist -- "$name"
		refused
		[[ "$stderr" == *"invalid interface name"* ]]
		run --separate-stderr "$NICFIX" -i "$IF" unpersist -- "$name"
		refused
		run --separate-stderr "$NICFIX" -i "$IF" persist --dry-run -- "$name"
		refused
		[ -z "$output" ]
		run --separate-stderr "$NICFIX" -i "$IF" check --no-live -- "$name"
		refused
	done
}

@test "hostile names as the port, even with every override: exit 2, nothing written" {
	local name
	for name in "${HOSTILE[@]}"; do
		run --separate-stderr "$NICFIX" -i "$IF" persist --allow-not-behind --allow-conflict vmbr0 -- "$name"
		refused
		[[ "$stderr" == *"invalid interface name"* ]]
		run --separate-stderr "$NICFIX" -i "$IF" unpersist vmbr0 -- "$name"
		refused
	done
}

@test "the error names the byte, and a printable name, but never echoes a raw one" {
	run --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 'eno1;reboot'
	[ "$stderr" = "nicfix: eno1;reboot: invalid interface name: ';' is a shell metacharacter" ]
	run --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 $'\e]0;owned\a'
	[ "$stderr" = "nicfix: invalid interface name: white space, control or non-ASCII byte 0x1b" ]
	run --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 $'\xff\xfe'
	[ "$stderr" = "nicfix: invalid interface name: white space, control or non-ASCII byte 0xff" ]
	run --separate-stderr "$NICFIX" -i "$IF" persist vmbr0 eno1234567890123
	[ "$stderr" = "nicfix: eno1234567890123: invalid interface name: 16 bytes, the kernel allows at most 15" ]
}

@test "hostile port names in the file's bridge-ports are not written into a post-up line" {
	local bad
	for bad in 'eno1;reboot' 'a$(id)' '`id`' 'a|b' $'eno\xff\xfe' $'a\eb'; do
		printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports eno1 %s\n\tbridge-fd 0\n' "$bad" >"$IF"
		cp "$IF" "$BATS_TEST_TMPDIR/orig"
		run --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
		refused
		[[ "$stderr" == "nicfix: $IF:2: bridge vmbr0: port "*"invalid interface name"* ]]
		run --separate-stderr "$NICFIX" -i "$IF" persist --dry-run vmbr0
		refused
		[ -z "$output" ]
	done
	# the clean port alone is fine
	run -0 "$NICFIX" -i "$IF" persist vmbr0 eno1
	grep -qxF $'\tpost-up ethtool -K eno1 tso off gso off gro off || true' "$IF"
	[ "$(grep -c ethtool "$IF")" -eq 1 ]
}

@test "features that do not exist, or are not features: exit 2, nothing written" {
	local f many
	many=$(printf 'f%d,' $(seq 1 70))
	for f in tso,bogus bogus tx-bogus-offload '' ',' 'tso,,gso' 'tso off' 'tso;reboot' \
		'$(id)' $'tso\ngso' $'g\xffro' TSO "${many%,}" \
		"$(printf 'a%.0s' {1..40})"; do
		run --separate-stderr "$NICFIX" -i "$IF" persist -f "$f" vmbr0
		refused
		[[ "$stderr" == *"feature"* ]]
	done
	run --separate-stderr "$NICFIX" -i "$IF" persist -f tso,bogus vmbr0
	[[ "$stderr" == "nicfix: unknown feature 'bogus' (valid short names: "* ]]
	# unpersist takes the same features, checked alike
	run --separate-stderr "$NICFIX" -i "$IF" unpersist -f tso,bogus vmbr0
	[ "$status" -eq 2 ]
	run -0 "$NICFIX" -i "$IF" unpersist -f tso vmbr0
	unchanged
}

@test "kernel feature names the kernel has are accepted" {
	run -0 "$NICFIX" -i "$IF" persist -f rx-gro,tx-udp_tnl-segmentation,generic-segmentation-offload vmbr0
	grep -qxF $'\tpost-up ethtool -K eno1 rx-gro off tx-udp_tnl-segmentation off gso off || true' "$IF"
}

@test "a NUL byte in the stanza is refused (it would cut the stanza short); elsewhere it is kept" {
	printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports eno1\n\tup echo a\0b\n\tbridge-fd 0\n# end\n' >"$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	refused
	[ "$stderr" = "nicfix: $IF:4: a NUL byte in the stanza" ]
	printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports eno1\n\tbridge-fd 0\n# a\0b\n' >"$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	cmp <(tr -d '\0' <"$IF") <(printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports eno1\n\tbridge-fd 0\n\tpost-up ethtool -K eno1 tso off gso off gro off || true\n# ab\n')
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	unchanged
}

@test "non-UTF-8 bytes and CRLF in comments and values survive a round trip byte for byte" {
	printf 'auto vmbr0\r\niface vmbr0 inet manual # \xff\xfe\r\n\tbridge-ports eno1\r\n\tup echo \xe9t\xe9\r\n\tbridge-fd 0\r\n# \xc3\x28 \x80\r\n' >"$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	grep -qaxF $'\tpost-up ethtool -K eno1 tso off gso off gro off || true\r' "$IF"
	[ "$(wc -l <"$IF")" -eq 7 ]
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	unchanged
}

# big_file BYTES: the fixture followed by comment lines up to BYTES
big_file() {
	awk -v n="$1" 'BEGIN { line = "# padding: a long comment block that makes the file big, line"
		while (size < n) { s = sprintf("%s %09d", line, ++i); print s; size += length(s) + 1 } }' \
		>>"$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
}

@test "a 100 MB interfaces file: a clear error (too large), nothing written" {
	big_file 100000000
	[ "$(stat -c %s "$IF")" -gt 100000000 ]
	local t0 t1
	t0=$(date +%s%N)
	run --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	t1=$(date +%s%N)
	refused
	[[ "$stderr" == "nicfix: $IF: too large ("*" bytes)" ]]
	echo "# 100 MB: refused in $(((t1 - t0) / 1000000)) ms" >&3
}

@test "a 60 MB interfaces file (under the limit): persisted exactly, in bounded time" {
	big_file 60000000
	awk -v l=$'\tpost-up ethtool -K eno1 tso off gso off gro off || true' \
		'{ print } NR == 14 { print l }' "$IF" >"$BATS_TEST_TMPDIR/persisted"
	local t0 t1 rss
	t0=$(date +%s%N)
	run -0 /usr/bin/time -f 'maxrss %M' "$NICFIX" -q -i "$IF" persist vmbr0
	t1=$(date +%s%N)
	rss=$(sed -n 's/^maxrss //p' <<<"$output")
	cmp "$IF" "$BATS_TEST_TMPDIR/persisted"
	[ "$(listing "$DIR")" = "interfaces " ]
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[[ "$output" == *"$IF: unchanged" ]]
	echo "# 60 MB: persisted in $(((t1 - t0) / 1000000)) ms, max RSS ${rss} KB (ASan build)" >&3
	# not a benchmark: a hang or a quadratic blow-up would be minutes
	[ $(((t1 - t0) / 1000000)) -lt 60000 ]
}

# chain N: interfaces sources inc1, inc1 sources inc2, ... incN
chain() {
	local i
	printf 'source inc1\n' >>"$IF"
	for i in $(seq 1 "$1"); do
		if [ "$i" -lt "$1" ]; then
			printf 'source inc%d\n' $((i + 1)) >"$DIR/inc$i"
		else
			printf 'iface deep inet manual\n' >"$DIR/inc$i"
		fi
	done
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
}

@test "source nested 100 deep: a clear error, nothing written" {
	chain 100
	run --separate-stderr timeout 60 "$NICFIX" -i "$IF" persist vmbr0
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "nicfix: $DIR/inc17: includes nested more than 16 deep" ]]
	unchanged
	[ ! -e "$NICFIX_BACKUP_DIR" ]
}

@test "source nested 16 deep (the limit) is followed" {
	chain 16
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	grep -qF 'ethtool -K eno1' "$IF"
}

@test "cyclic source includes (a sources b sources a, and itself): read once, the bridge edited" {
	printf 'source b\nsource interfaces\n' >>"$IF"
	printf 'source interfaces\nsource b\n\niface vmbr5 inet manual\n\tbridge-ports eno5\n' >"$DIR/b"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	cp "$DIR/b" "$BATS_TEST_TMPDIR/b"
	run -0 timeout 60 "$NICFIX" -i "$IF" persist vmbr5
	unchanged
	grep -qxF $'\tpost-up ethtool -K eno5 tso off gso off gro off || true' "$DIR/b"
	run -0 timeout 60 "$NICFIX" -i "$IF" persist vmbr0
	run -0 timeout 60 "$NICFIX" -i "$IF" unpersist vmbr5
	cmp "$DIR/b" "$BATS_TEST_TMPDIR/b"
	# a cycle through source-directory too
	mkdir "$DIR/d"
	printf 'source-directory %s\n' "$DIR/d" >"$DIR/d/c"
	printf 'source-directory d\n' >>"$IF"
	run -0 timeout 60 "$NICFIX" -i "$IF" check --no-live
}

@test "source-directory with 5,000 files: handled, the right file edited" {
	mkdir "$DIR/many"
	local i t0 t1
	for i in $(seq 1 5000); do
		printf 'iface veth%d inet manual\n' "$i" >"$DIR/many/port$i"
	done
	printf 'auto vmbr7\niface vmbr7 inet manual\n\tbridge-ports eno7\n' >"$DIR/many/zz-bridge"
	# a dotted name is skipped, as run-parts does
	printf 'iface vmbr7 inet6 manual\n' >"$DIR/many/skip.me"
	printf 'source-directory many\n' >>"$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	t0=$(date +%s%N)
	run -0 timeout 120 "$NICFIX" -i "$IF" persist vmbr7
	t1=$(date +%s%N)
	[[ "$output" == *"$DIR/many/zz-bridge:4: vmbr7: eno7: added"* ]]
	unchanged
	[ "$(tail -n1 "$DIR/many/zz-bridge")" = $'\tpost-up ethtool -K eno7 tso off gso off gro off || true' ]
	[ "$(find "$DIR/many" -type f | wc -l)" -eq 5002 ]
	echo "# source-directory of 5002 files: persisted in $(((t1 - t0) / 1000000)) ms" >&3
	# and the same 5,000 files through a glob (which takes any name)
	rm "$DIR/many/skip.me"
	sed -i 's/^source-directory many$/source many\/*/' "$IF"
	run -0 timeout 120 "$NICFIX" -i "$IF" unpersist vmbr7
	[ "$(grep -c ethtool "$DIR/many/zz-bridge")" -eq 0 ]
}

@test "eight levels of bonds, eight slaves each, all naming the same lower ones: answered at once" {
	local l x y
	{
		printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports b0a b0b b0c b0d b0e b0f b0g b0h\n'
		for l in 0 1 2 3 4 5 6 7; do
			for x in a b c d e f g h; do
				printf '\niface b%s%s inet manual\n\tbond-slaves' "$l" "$x"
				for y in a b c d e f g h; do printf ' b%s%s' "$((l + 1))" "$y"; done
				printf '\n'
			done
		done
	} >"$IF"
	cp "$IF" "$T/orig"
	# 8^8 paths to the same 72 interfaces: walked once each, not per path
	# (the bound only tells "hung" from "done"; it took minutes before)
	run timeout 60 "$NICFIX" -i "$IF" persist --dry-run vmbr0
	[ "$status" -eq 0 ]
	# the eight NICs at the bottom, one line each
	[ "$(grep -c '^+.*post-up ethtool -K b8[a-h] tso off gso off gro off || true$' <<<"$output")" -eq 8 ]
	cmp "$IF" "$T/orig"
}
