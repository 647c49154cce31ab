#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, lines, status
# shellcheck disable=SC2089,SC2090 # JSON text in $output, never shell words
# The --json contract: one object on stdout for every invocation, valid
# against schema/nicfix.schema.json (every --json call of every suite is
# checked by tests/lib/nicfix-checked; here the refusals, on purpose),
# the global options after the command name, and a schema broken on
# purpose that must turn the check red.

load lib/common

SCHEMA=$TOP/schema/nicfix.schema.json
CHECK=$TOP/tests/lib/jsoncheck.py

setup() {
	T=$BATS_TEST_TMPDIR
	printf 'not a log\0\1\2 binary\n' >"$T/binary"
	printf 'auto lo\niface lo inet loopback\n' >"$T/interfaces"
}

teardown() {
	ns_teardown
}

# valid [SCHEMA]: $output is one object valid against SCHEMA (the
# shipped one), its "exit" the exit status $status
valid() {
	printf '%s\n' "$output" | /usr/bin/python3 "$CHECK" "${1:-$SCHEMA}" "$status"
}

# refused EXIT COMMAND WORDS ARGS...: nicfix ARGS exits EXIT and prints one
# valid object for COMMAND ("null" when none could be read) whose error
# message holds WORDS, the same line as on stderr
refused() {
	local want=$1 cmd=$2 words=$3
	shift 3
	run --separate-stderr "$NICFIX" "$@"
	[ "$status" -eq "$want" ] || { echo "nicfix $*: exit $status, not $want" >&2; return 1; }
	# one line, valid (tests/lib/nicfix-checked saw to that: exit 98 if not)
	[ "${#lines[@]}" -eq 1 ] || { echo "nicfix $*: ${#lines[@]} lines on stdout" >&2; return 1; }
	printf '%s\n' "$output" | jq -e --arg c "$cmd" --arg w "$words" '
		(if $c == "null" then .command == null else .command == $c end) and
		.ok == false and (.error.message | contains($w))' >/dev/null ||
		{ echo "nicfix $*: $output" >&2; return 1; }
	# the message is the line on stderr, without "nicfix: "
	local msg
	msg=$(printf '%s\n' "$output" | jq -r .error.message)
	[[ "$stderr" == *"nicfix: $msg"* ]] || { echo "nicfix $*: stderr: $stderr" >&2; return 1; }
}

@test "the schema is a valid draft 2020-12 schema, and Debian's validator knows that draft" {
	# shellcheck disable=SC2016 # python's text, not the shell's
	run -0 /usr/bin/python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema", s["$schema"]
cls = jsonschema.validators.validator_for(s)
assert cls is jsonschema.Draft202012Validator, cls
cls.check_schema(s)
print(cls.__name__)' "$SCHEMA"
	[ "$output" = Draft202012Validator ]
}

@test "every error invocation prints one valid object with its error, also with --json after the command" {
	refused 2 null "no command given" --json
	refused 2 null "unknown command 'bogus'" --json bogus
	refused 2 null "unknown command 'bogus'" bogus --json
	refused 2 null "invalid option -- 'x'" --json -x status
	refused 2 null "unrecognized option '--frob'" --json --frob status
	refused 2 null "option '--root' requires an argument" --json --root
	refused 2 status "invalid option -- 'x'" status --json -x
	refused 2 status "unrecognized option '--frob'" status --frob --json
	refused 2 status "option '--driver' requires an argument" status --json --driver
	refused 2 status "invalid interface name" status --json 'eno1;x'
	refused 2 apply "apply: no port given" --json apply
	refused 2 apply "invalid interface name" apply 'eno1;x' --json
	refused 2 apply "unknown feature 'tso;x'" --json apply -f 'tso;x' eno1
	refused 2 apply "invalid feature list" --json apply -f 'tso,,gro' eno1
	refused 2 apply "option '--features' requires an argument" --json apply eno1 --features
	refused 2 diagnose "diagnose: unexpected argument 'extra'" --json diagnose --input "$T/binary" extra
	refused 2 diagnose "--since:" --json diagnose --input "$T/binary" --since 'not a time'
	refused 2 diagnose "$T/none: No such file or directory" --json diagnose --input "$T/none"
	refused 2 diagnose "$T" diagnose --input "$T" --json
	refused 2 help "help: unknown command 'bogus'" --json help bogus
	refused 2 persist "persist: no bridge given" --json -i "$T/interfaces" persist
	refused 2 unpersist "unpersist takes no --apply" --json -i "$T/interfaces" unpersist --apply vmbr0
	refused 2 undo "undo: unexpected argument 'vmbr0'" undo vmbr0 --json
	refused 2 metrics "metrics has no --json output" metrics --json
	refused 2 watch "watch has no --json output" --json watch --once
	refused 2 check "check: --apply needs the live state" check --json --no-live --apply
}

@test "an error in a file names the file, and the line when there is one" {
	refused 2 diagnose "$T/none" --json diagnose --input "$T/none"
	printf '%s\n' "$output" | jq -e --arg f "$T/none" '.error.file == $f and .error.line == null'
	refused 2 diagnose "not a text log" --json diagnose --input "$T/binary"
	printf '%s\n' "$output" | jq -e --arg f "$T/binary" '.error.file == $f and .error.line == 1'
	[[ "$stderr" == "nicfix: $T/binary:1: "* ]]
}

@test "help, --help, COMMAND --help and --version under --json are objects too" {
	run -0 "$NICFIX" --json help
	valid
	echo "$output" | jq -e '.command == "help" and .ok and .error == null'
	echo "$output" | jq -e '[.commands[].name] == ["diagnose","status","apply","persist","unpersist","undo","check","watch","metrics","help"]'
	run -0 "$NICFIX" --help --json
	valid
	echo "$output" | jq -e '.command == "help" and (.commands | length) == 10'
	run -0 "$NICFIX" apply --help --json
	valid
	echo "$output" | jq -e '.command == "help" and .commands[0].synopsis == "apply IFACE... [-f FEATURES]"'
	run -0 "$NICFIX" --json --version
	valid
	echo "$output" | jq -e '.command == "version" and (.version | test("^[0-9]+\\.[0-9]+"))'
	# and without --json, help is text
	run -0 "$NICFIX" help
	[[ "${lines[0]}" == "usage: nicfix "* ]]
	run -0 "$NICFIX" help status
	[ "${lines[0]}" = "usage: nicfix status [IFACE...] [-a|--all] [--driver NAME]" ]
}

@test "global options after the command name: --json, -i, -q, -v; never after --" {
	run -1 --separate-stderr "$NICFIX" diagnose --input "$TOP/tests/fixtures/klog/e1000e-journal.log" --json
	valid
	echo "$output" | jq -e '.command == "diagnose" and .hang'
	run -2 --separate-stderr "$NICFIX" persist -n vmbr0 -i "$T/interfaces"
	[[ "$stderr" == *"$T/interfaces"* ]]
	run -1 --separate-stderr "$NICFIX" diagnose -q --input "$TOP/tests/fixtures/klog/e1000e-journal.log"
	[ -z "$output" ]
	# after "--" a word is an argument, even one spelled like an option
	run -2 --separate-stderr "$NICFIX" apply -- --json
	[[ "$stderr" == "nicfix: --json: invalid interface name"* ]]
	[ -z "$output" ]
	# an option's value is not taken for a global option
	run -2 --separate-stderr "$NICFIX" diagnose --input -q
	[[ "$stderr" == "nicfix: -q: No such file or directory" ]]
}

@test "system errors: exit 3 with an error object" {
	ns_setup
	local dir
	dir=$(mktemp -d /tmp/nicfix-bin.XXXXXX)
	cp "$NICFIX_BIN" "$dir/nicfix"
	chmod 755 "$dir" "$dir/nicfix"
	run -3 --separate-stderr ns setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all --bounding-set=-all \
		"$dir/nicfix" apply --json eno1
	rm -rf "$dir"
	valid
	echo "$output" | jq -e '.command == "apply" and .exit == 3 and (.error.message | test("permission denied"))'
	echo "$output" | jq -e '.interfaces == [] and .error.file == null'
}

@test "no such interface: exit 2 with an error object, for status and apply" {
	ns_setup
	run -2 --separate-stderr ns "$NICFIX" --json status eno9
	echo "$output" | jq -e '.error.message == "eno9: no such interface"'

	[[ "$output" != *interfaces* ]]
	run -2 --separate-stderr ns "$NICFIX" apply eno1 eno9 --json
	echo "$output" | jq -e '.error.message == "eno9: no such interface"'
	[ "$(feature eno1 tx-tcp-segmentation)" = on ]
}

@test "a schema broken on purpose turns the check red: the checker is no rubber stamp" {
	local broken=$T/broken.schema.json
	# one field's type changed: the error message becomes an integer
	jq '."$defs".error.properties.message.type = "integer"' "$SCHEMA" >"$broken"
	run -2 --separate-stderr "$NICFIX" --json bogus
	valid
	valid "$broken" && return 1
	# through the wrapper every suite uses: exit 98, the reason on stderr,
	# and a line in the log the run's teardown_suite fails on
	NICFIX_SCHEMA=$broken NICFIX_JSON_LOG=$T/log run -98 --separate-stderr "$NICFIX" --json bogus
	[[ "$stderr" == *"INVALID --json output (exit 2) of: nicfix --json bogus"* ]]
	[[ "$stderr" == *"is not of type 'integer'"* ]]
	grep -q 'INVALID' "$T/log"
	# a status field of another type: up as a string
	jq '."$defs".status_interface.properties.up = {"type": "string"}' "$SCHEMA" >"$broken"
	ns_setup
	NICFIX_SCHEMA=$broken NICFIX_JSON_LOG=$T/log run -98 --separate-stderr ns "$NICFIX" status -a --json
	[[ "$stderr" == *"is not of type 'string'"* ]]
	NICFIX_JSON_LOG=$T/log run -0 --separate-stderr ns "$NICFIX" status -a --json
	# an exit status the object does not say, and a second object
	output='{"schema":1,"command":null,"ok":false,"exit":2,"error":{"message":"x","file":null,"line":null}}'
	status=3
	valid && return 1
	status=2
	valid
	output="$output"$'\n'"$output"
	valid && return 1
	# a member the schema does not know
	output='{"schema":1,"command":null,"ok":false,"exit":2,"error":{"message":"x","file":null,"line":null},"extra":1}'
	valid && return 1
	true
}

@test "persist --apply --json: the apply's interfaces under live; undo: its files" {
	ns_setup
	export NICFIX_BACKUP_DIR=$T/backups
	printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports eno1\n' >"$T/if"
	run -0 --separate-stderr ns "$NICFIX" -i "$T/if" persist vmbr0 --apply --json
	echo "$output" | jq -e '.command == "persist" and .changed and .dry_run == false'
	echo "$output" | jq -e '.ports[0] | .port == "eno1" and .action == "added" and .line == 4 and .features == ["tso", "gso", "gro"]'
	echo "$output" | jq -e '.live[0] | .name == "eno1" and .ok and (.turned_off | length) > 0'
	echo "$output" | jq -e '.files[0].changed and (.files[0].diff | test("^---"))'
	run -0 --separate-stderr "$NICFIX" -i "$T/if" persist vmbr0 --json
	echo "$output" | jq -e '.changed == false and .live == null and .ports[0].action == "unchanged"'
	run -0 --separate-stderr "$NICFIX" --json -i "$T/if" undo
	echo "$output" | jq -e '.command == "undo" and .changed and (.files | length) == 1'
}
