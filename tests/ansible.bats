#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # bats runs each test in a subshell; helpers read its run output
# The nicfix.nicfix collection's own tests, as Debian's ansible-core runs
# them offline: ansible-test units, integration (local, inside a network
# namespace holding vmbr0 and port eno1) and sanity (every test it lists,
# in groups; tests/lib/ansible-sanity.sh makes the virtualenvs it would
# download into).  The modules run the real build/nicfix.

load lib/common

COLL=$TOP/ansible/ansible_collections/nicfix/nicfix
PY=/usr/bin/python3
ANSIBLE_NICFIX=${FLEET_NICFIX:-$TOP/build/nicfix}

setup_file() {
	# ansible-test passes no environment through: the targets find the
	# binary and the fixtures through this file (not tracked)
	printf 'nicfix_exe: %s\nnicfix_top: %s\n' "$ANSIBLE_NICFIX" "$TOP" \
		>"$COLL/tests/integration/integration_config.yml"
}

teardown_file() {
	rm -f "$COLL/tests/integration/integration_config.yml"
}

setup() {
	[ -x "$ANSIBLE_NICFIX" ] || {
		echo "no $ANSIBLE_NICFIX: run make all" >&2
		return 1
	}
}

teardown() {
	ns_teardown
}

# in_coll CMD...: run CMD in the collection's root, as ansible-test wants
in_coll() {
	(cd "$COLL" && "$@")
}

# passed_count: the sum of pytest's "N passed" lines in $output
passed_count() {
	sed -nE 's/^=+ ([0-9]+) passed.*/\1/p' <<<"$output" | awk '{ s += $1 } END { print s + 0 }'
}

@test "ansible-test units: the JSON reading and the module on the real nicfix" {
	run in_coll ansible-test units --local --python-interpreter "$PY" --color no
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(passed_count)" -ge 35 ]
	run ! grep -Eq '[0-9]+ (failed|error)' <<<"$output"
}

# integration TARGET: one ansible-test integration target, in a namespace
integration() {
	ns_setup
	ns ip link set eno1p up
	run ns sh -c "cd '$COLL' && ansible-test integration --local \
		--python-interpreter '$PY' --color no --allow-root --allow-destructive $1"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eq '^testhost +: ok=[1-9][0-9]* .* failed=0 ' <<<"$output"
}

@test "ansible-test integration offload: check, diff, run, rerun, drift, absent, refusals" {
	integration offload
	# every assert task ran and passed
	[ "$(grep -c '"msg": "All assertions passed"' <<<"$output")" -ge 12 ]
}

@test "ansible-test integration nicfix_info: diagnose, status, check; changes nothing" {
	integration nicfix_info
	[ "$(grep -c '"msg": "All assertions passed"' <<<"$output")" -ge 7 ]
}

# sanity TEST...: these sanity tests all run and pass
sanity() {
	run bash "$TOP/tests/lib/ansible-sanity.sh" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "sanity: $# passed, 0 failed" <<<"$output"
}

SANITY_DOCS="validate-modules ansible-doc yamllint runtime-metadata action-plugin-docs"
SANITY_PYTHON="pylint pep8 compile import"
SANITY_STYLE="future-import-boilerplate metaclass-boilerplate empty-init no-assert
no-basestring no-dict-iteritems no-dict-iterkeys no-dict-itervalues no-get-exception
no-main-display no-unicode-literals replace-urlopen use-argspec-type-path use-compat-six
shebang line-endings symlinks no-illegal-filenames no-smart-quotes ignores"
# these have nothing to look at in this collection (no PowerShell, no
# changelogs/, no shell scripts): they run and find no target
SANITY_EMPTY="pslint changelog shellcheck"

@test "ansible-test sanity lists no test that this suite does not run" {
	run in_coll ansible-test sanity --list-tests
	[ "$status" -eq 0 ]
	local t all
	all=" $(tr '\n' ' ' <<<"$SANITY_DOCS $SANITY_PYTHON $SANITY_STYLE $SANITY_EMPTY") "
	while read -r t; do
		[[ "$t" == WARNING* || "$all" == *" $t "* ]] || {
			echo "sanity test $t is not run by tests/ansible.bats" >&2
			return 1
		}
	done <<<"$output"
}

@test "ansible-test sanity: documentation and metadata" {
	# shellcheck disable=SC2086 # word lists
	sanity $SANITY_DOCS
}

@test "ansible-test sanity: pylint, pep8, compile, import" {
	# shellcheck disable=SC2086
	sanity $SANITY_PYTHON
}

@test "ansible-test sanity: boilerplate and style" {
	# shellcheck disable=SC2086
	sanity $SANITY_STYLE
}

@test "ansible-test sanity: the tests with no target here" {
	# shellcheck disable=SC2086
	sanity $SANITY_EMPTY
}
