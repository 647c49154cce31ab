# shellcheck shell=bash
# Helpers of the hardening suites (faults, hostile): file identity, the
# folder's listing, and sanitizer reports that a run in the background
# or a `run` without a status check would otherwise let through.

# sum FILE: its sha256
sum() {
	sha256sum "$1" | cut -d' ' -f1
}

# listing DIR: its entries, hidden ones included, sorted, on one line
listing() {
	find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' '
}

# san_setup: reports go to files as well as making the run exit 99
san_setup() {
	export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$BATS_TEST_TMPDIR/asan"
	export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$BATS_TEST_TMPDIR/ubsan"
}

# san_check: for teardown; fails, showing it, if any report was written
san_check() {
	local f
	for f in "$BATS_TEST_TMPDIR"/asan* "$BATS_TEST_TMPDIR"/ubsan*; do
		[ -e "$f" ] || continue
		cat "$f" >&2
		return 1
	done
}
