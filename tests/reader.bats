#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, status
# The hook reads the configuration with the fast reader (src/ifread.c),
# not with Augeas, and on its boot path keeps only one interface's
# stanzas.  Both must see what Augeas sees with the project's lens: the
# same iface stanzas, families and options, in every fixture and every
# corpus file.  tests/unit/ifdump prints the reader's view; aug_dump
# below prints Augeas's tree of the same file in the same format.

load lib/common
load lib/config

IFDUMP=${IFDUMP:-$TOP/build/asan/ifdump}
HOOK=${HOOK:-$TOP/build/asan/nicfix-hook}
CORPUS_DIR=${CORPUS_DIR:-$TOP/../shared/corpus/interfaces}

teardown() {
	ns_teardown
}

setup() {
	config_setup
	# absolute includes resolve in an empty root, never in the host's
	export NICFIX_ROOT="$T/root"
	mkdir -p "$NICFIX_ROOT"
}

# aug_dump FILE: FILE's iface stanzas as Augeas reads them with our lens,
# "iface NAME FAMILY" then "  KEY VALUE" per option, in file order.  A
# list option (bridge-ports) is its items joined by one space; blanks and
# continuations are collapsed; the method and "inherits" (kept by the
# lens, not by the reader, which has no use for them) are left out, and
# so are comments.
aug_dump() {
	augtool --noautoload -I "$NICFIX_LENS_DIR" -r / <<-EOF |
		set /augeas/load/N/lens Nicfix_interfaces.lns
		set /augeas/load/N/incl $1
		load
		print /files$1
		print /augeas/files$1/error
	EOF
		awk -v pre="/files$1/" -v errpre="/augeas/files$1/error" '
		function flush() {
			if (head != "")
				print head
			if (key != "")
				print "  " key " " val
			head = key = ""
		}
		function collapse(s) {
			gsub(/\\\r?$/, " ", s)
			gsub(/[ \t\r]+/, " ", s)
			sub(/^ /, "", s)
			sub(/ $/, "", s)
			return s
		}
		index($0, errpre) == 1 { print "augeas error: " $0; exit 1 }
		index($0, pre) == 1 {
			rest = substr($0, length(pre) + 1)
			v = ""
			if (match(rest, / = "/)) {
				v = substr(rest, RSTART + 4)
				sub(/"$/, "", v)
				gsub(/\\"/, "\"", v)
				rest = substr(rest, 1, RSTART - 1)
			}
			n = split(rest, part, "/")
			if (part[1] !~ /^iface(\[[0-9]+\])?$/) {
				flush()
				next
			}
			if (n == 1) {
				flush()
				head = "iface " v " "
				next
			}
			k = part[2]
			sub(/\[[0-9]+\]$/, "", k)
			if (n == 2 && k == "family") {
				head = head v
				next
			}
			if (k == "method" || k == "inherits" || k ~ /^#/ || part[n] ~ /^#/)
				next
			if (n == 2) {
				flush()
				key = k
				val = collapse(v)
			} else if (n == 3) {
				val = (val == "" ? "" : val " ") collapse(v)
			}
		}
		END { flush() }'
}

# every fixture and corpus interfaces file, as absolute paths
all_files() {
	local f
	for f in "$TOP"/tests/fixtures/interfaces/*.interfaces \
		"$TOP"/tests/fixtures/interfaces/sdn/interfaces \
		"$CORPUS_DIR"/*.interfaces; do
		[ -f "$f" ] && realpath "$f"
	done
}

@test "the reader and Augeas see the same stanzas and options in every file" {
	local f n=0 bad=0 stanzas=0 a b
	while IFS= read -r f; do
		a=$(aug_dump "$f") || { echo "$f: $a" >&2; bad=1; continue; }
		b=$("$IFDUMP" "$f") || { echo "$f: ifdump failed" >&2; bad=1; continue; }
		stanzas=$((stanzas + $(grep -c '^iface' <<<"$a" || true)))
		if [ "$a" != "$b" ]; then
			echo "$f differs:" >&2
			diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") >&2 || true
			bad=1
		fi
		n=$((n + 1))
	done < <(all_files)
	# 14 fixtures, the sdn main file and the 59 corpus files
	[ "$n" -eq 74 ]
	[ "$stanzas" -eq 323 ]
	[ "$bad" -eq 0 ]
}

@test "the hook's boot path reads every interface as the full read does" {
	local f n=0
	while IFS= read -r f; do
		run "$IFDUMP" --only "$f"
		if [ "$status" -ne 0 ]; then
			echo "$output" >&2
			return 1
		fi
		n=$((n + 1))
	done < <(all_files)
	[ "$n" -eq 74 ]
}

@test "the fast path: a continued line, a longer name, tabs, CRLF, inherits" {
	use_fixture fast-path.interfaces
	run -0 "$IFDUMP" --only "$IF"
	# two stanzas of vmbr0: not vmbr01 (whose continued option line reads
	# like "iface vmbr0"), not vmbr0x, nor vmbr1 that inherits it
	run -0 "$IFDUMP" "$IF"
	[ "$(grep -c '^iface vmbr0 ' <<<"$output")" -eq 2 ]
	[[ "$output" == *"iface vmbr1 "$'\n'"  bridge-ports eno2"* ]]
	# the hook finds the lines of both stanzas (the tab-separated CRLF
	# inet one and the inet6 one) and, once per bridge up, applies them
	# in the run of the first stanza's family
	ns_setup
	add_port eno2 vmbr0
	features_on eno1 tx-tcp-segmentation
	features_on eno2 rx-gro
	run -0 --separate-stderr ns env NICFIX_INTERFACES="$IF" NICFIX_HOOK_STDERR=1 \
		IFACE=vmbr0 MODE=start PHASE=post-up ADDRFAM=inet6 "$HOOK"
	[ -z "$stderr" ]
	run -0 --separate-stderr ns env NICFIX_INTERFACES="$IF" NICFIX_HOOK_STDERR=1 \
		IFACE=vmbr0 MODE=start PHASE=post-up ADDRFAM=inet "$HOOK"
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ "${stderr_lines[0]}" == "nicfix: vmbr0: eno1: tso off (turned off: tso)" ]]
	[[ "${stderr_lines[1]}" == "nicfix: vmbr0: eno2: gro off (turned off: gro)" ]]
	[ "$(feature eno1 tcp-segmentation-offload)" = off ]
	[ "$(feature eno2 generic-receive-offload)" = off ]
}
