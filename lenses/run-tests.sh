#!/bin/bash
# run-tests.sh - test the Nicfix_interfaces lens
#
# 1. augparse runs lenses/tests/test_nicfix_interfaces.aug (get and put
#    cases; augparse also typechecks the lens, which takes a few seconds).
# 2. Every corpus file and every fixture must parse and come back byte for
#    byte from an untouched tree, both as aug_text_store sees it (the bytes
#    as they are) and as aug_load sees it (a newline appended if missing).
#
# Prints one line per failure and a final "N passed, N failed".
# CORPUS_DIR overrides ../shared/corpus/interfaces (relative to the repo
# root); the corpus is third-party data and stays outside the repository.
set -uo pipefail

lensdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$lensdir")
corpus=${CORPUS_DIR:-$root/../shared/corpus/interfaces}

# Only our lens directories: no stock lens, no $AUGEAS_LENS_LIB, can shadow
# or feed what is tested.  The lens imports no stock module (Util, Sep,
# Rx), so augparse needs no -I /usr/share/augeas/lenses/dist.
unset AUGEAS_LENS_LIB AUGEAS_ROOT

passed=0
failed=0

fail() {
	echo "FAIL $*"
	failed=$((failed + 1))
}

tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT

# Augeas offers no way to read a file into a node's value, so this
# throwaway lens does it: "all" holds the text as aug_load sees it, "strip"
# drops the newline aug_load appended to a text that had none.
cat >"$tmp/nfx_raw.aug" <<'EOF'
module Nfx_raw =
let all   = [ label "text" . store /([^\n]|\n)+/ ]
let strip = [ label "text" . store /([^\n]|\n)*[^\n]/ ] . del /\n/ "\n"
EOF

# augtool's "get" prints "/out = VALUE" and a newline; compare VALUE with
# the file EXPECTED, byte for byte.
roundtrip() {
	local file=$1 raw=$2 expected=$3 what=$4
	local dir name out value line msg where

	dir=$(dirname "$file")
	name=$(basename "$file")
	out="$tmp/out"
	augtool --nostdinc --noautoload -I "$lensdir" -I "$tmp" -r "$dir" \
		>"$out" 2>&1 <<EOF
set /augeas/load/Raw/lens Nfx_raw.$raw
set /augeas/load/Raw/incl /$name
load
print /augeas//error
store Nicfix_interfaces.lns /files/$name/text /t
print /augeas//error
retrieve Nicfix_interfaces.lns /files/$name/text /t /out
get /out
EOF
	if grep -q '^/augeas/' "$out"; then
		line=$(sed -n 's|^/augeas/.*/error/line = "\(.*\)"$|\1|p' "$out")
		msg=$(sed -n 's|^/augeas/.*/error/message = "\(.*\)"$|\1|p' "$out")
		fail "$file:${line:-?}: $what: ${msg:-$(head -n 1 "$out")}"
		return 1
	fi
	value="$tmp/value"
	tail -c +8 "$out" | head -c -1 >"$value"
	if ! where=$(cmp "$expected" "$value" 2>&1); then
		fail "$file: $what: written back differently (${where#* differ: })"
		return 1
	fi
	return 0
}

check_file() {
	local file=$1 ok=0

	cp -- "$file" "$tmp/expected"
	if [ -n "$(tail -c 1 -- "$file")" ]; then
		# no final newline: exact bytes via text_store, and the
		# appended newline aug_load adds
		roundtrip "$file" strip "$tmp/expected" "text_store" || ok=1
		printf '\n' >>"$tmp/expected"
	fi
	roundtrip "$file" all "$tmp/expected" "aug_load" || ok=1
	[ "$ok" -eq 0 ] && passed=$((passed + 1))
}

# 1. augparse
if out=$(cd "$root" && augparse --nostdinc -I lenses \
	lenses/tests/test_nicfix_interfaces.aug 2>&1); then
	passed=$((passed + 1))
else
	fail "lenses/tests/test_nicfix_interfaces.aug: augparse failed:"
	printf '%s\n' "$out" | sed 's/^/    /'
fi

# 2. corpus and fixtures
files=()
if [ -d "$corpus" ]; then
	files+=("$corpus"/*.interfaces)
	[ -e "${files[0]}" ] || { files=(); fail "$corpus: no *.interfaces"; }
else
	fail "$corpus: corpus not found (set CORPUS_DIR)"
fi
files+=("$lensdir"/tests/fixtures/*.interfaces)

for f in "${files[@]}"; do
	[ -f "$f" ] || { fail "$f: not a file"; continue; }
	check_file "$f"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
