# shellcheck shell=bash
# Around every bats run of tests/: the --json calls of all the files are
# checked by tests/lib/nicfix-checked, which logs each invalid object to
# $NICFIX_JSON_LOG; a run with one is a failed run, even where the test
# that made the call did not look at its exit status.

setup_suite() {
	export NICFIX_JSON_LOG="$BATS_RUN_TMPDIR/nicfix-json-invalid.log"
	: >"$NICFIX_JSON_LOG"
}

teardown_suite() {
	if [ -s "$NICFIX_JSON_LOG" ]; then
		echo "# --json output invalid against schema/nicfix.schema.json:" >&3
		sed 's/^/# /' "$NICFIX_JSON_LOG" >&3
		return 1
	fi
}
