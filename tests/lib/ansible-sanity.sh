#!/bin/bash
# ansible-test sanity on the nicfix.nicfix collection, offline: each test
# on its own; where ansible-test wants a virtualenv with pip (which it would
# download), the virtualenv is made at the path it names from Debian's own
# packages (python3 -m venv --system-site-packages: pylint, yamllint,
# pycodestyle, voluptuous, jinja2, yaml) and marked ready, as ansible-test
# marks the ones it makes.  Prints "ok"/"not ok" per test and a final
# "sanity: N passed, N failed"; a test that cannot run offline is named
# and counted as failed, never silently dropped.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
COLL=$TOP/ansible/ansible_collections/nicfix/nicfix
PY=${ANSIBLE_TEST_PYTHON:-/usr/bin/python3}
TOOLS=$($PY -c 'import ansible_test, os; print(os.path.join(os.path.dirname(ansible_test.__file__), "_util/target/tools"))')

# make_venv DIR: a virtualenv ansible-test will take as made
make_venv() {
	rm -rf "$1"
	$PY -m venv --system-site-packages --without-pip "$1" || return 1
	"$1/bin/python" "$TOOLS/yamlcheck.py" |
		$PY -c 'import json, sys; r = json.load(sys.stdin); print(json.dumps(r["cloader"] if r["yaml"] else None))' \
			>"$1/meta.yaml.json"
	echo '[]' >"$1/meta.install.json"
	touch "$1/marker.txt"
}

# sanity TEST: run one sanity test; $out holds what it printed
sanity() {
	local try venv rc=1
	for try in 1 2 3 4; do
		out=$(cd "$COLL" && ansible-test sanity --local --python-interpreter "$PY" \
			--color no --test "$1" 2>&1)
		rc=$?
		venv=$(sed -nE 's/^FATAL: Python [0-9.]+ at "(.*)\/bin\/python" does not have pip available\.$/\1/p' <<<"$out")
		[ -n "$venv" ] || break
		make_venv "$venv" || break
		: "$try"
	done
	return "$rc"
}

tests=${*:-$(cd "$COLL" && ansible-test sanity --list-tests 2>/dev/null)}
passed=0 failed=0
for t in $tests; do
	if sanity "$t" && ! grep -q "^WARNING: Skipping sanity test '$t'" <<<"$out"; then
		passed=$((passed + 1))
		echo "ok sanity $t"
	else
		failed=$((failed + 1))
		echo "not ok sanity $t"
		printf '%s\n' "$out" | grep -v 'Using locale' | sed 's/^/# /'
	fi
done
echo "sanity: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
