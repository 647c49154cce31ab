# shellcheck shell=bash
# Set-up for the configuration suites: a private tree per test, the
# project lens from the source tree, backups kept in the test's folder.

FIXTURES="$TOP/tests/fixtures/interfaces"
CORPUS_DIR=${CORPUS_DIR:-$TOP/../shared/corpus/interfaces}

config_setup() {
	T="$BATS_TEST_TMPDIR/root"
	mkdir -p "$T/etc/network"
	export NICFIX_ROOT="$T"
	export NICFIX_LENS_DIR="${NICFIX_LENS_DIR:-$TOP/lenses}"
	export NICFIX_BACKUP_DIR="$BATS_TEST_TMPDIR/backups"
	export NICFIX_LOCK_TIMEOUT=${NICFIX_LOCK_TIMEOUT:-20000}
	IF="$T/etc/network/interfaces"
}

# use_fixture NAME: the fixture becomes this test's interfaces file
use_fixture() {
	cp "$FIXTURES/$1" "$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
}

# unchanged: the file is byte for byte what use_fixture put there
unchanged() {
	cmp "$IF" "$BATS_TEST_TMPDIR/orig"
}

# aug_parses FILE: the whole file parses with the project lens
aug_parses() {
	local out
	out=$(augtool --noautoload -I "$NICFIX_LENS_DIR" -r / 2>&1 <<-EOF
		set /augeas/load/N/lens Nicfix_interfaces.lns
		set /augeas/load/N/incl $1
		load
		match /augeas//error
	EOF
	)
	if [[ "$out" == *error* ]]; then
		echo "$out" >&2
		return 1
	fi
	[ -n "$(augtool --noautoload -I "$NICFIX_LENS_DIR" -r / 2>&1 <<-EOF
		set /augeas/load/N/lens Nicfix_interfaces.lns
		set /augeas/load/N/incl $1
		load
		match /files$1/*
	EOF
	)" ]
}
