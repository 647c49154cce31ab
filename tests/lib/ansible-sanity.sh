#!/bin/bash
# ansible-test sanity on the nicfix.nicfix collection, offline: each test
# on its own; where ansible-test wants a virtualenv with pip (which it would
# download), the virtualenv is made at the path it names from Debian's own
# packages (python3 -m venv --system-site-packages: pylint, yamllint,
# pycodestyle, voluptuous, jinja2, yaml) and marked ready, as ansible-test
# marks the ones it makes.  The tests named (default: every test it lists)
# run in one ansible-test; prints "ok"/"not ok" per test and a final
# "sanity: N passed, N failed"; a test that did not run (skipped, or
# unable to run offline) counts as failed, never silently dropped.
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

# sanity TEST...: run these sanity tests in one ansible-test; $out holds
# what they printed.  When ansible-test stops for a virtualenv it wants,
# the virtualenv is made and the tests it had not finished run again.
sanity() {
	local try venv rc=1 t todo=("$@") args last chunk
	out=
	for try in $(seq 1 12); do
		args=()
		for t in "${todo[@]}"; do
			args+=(--test "$t")
		done
		chunk=$(cd "$COLL" && ansible-test sanity --local --python-interpreter "$PY" \
			--color no "${args[@]}" 2>&1)
		rc=$?
		venv=$(sed -nE 's/^FATAL: Python [0-9.]+ at "(.*)\/bin\/python" does not have pip available\.$/\1/p' <<<"$chunk")
		if [ -z "$venv" ]; then
			out+=$chunk$'\n'
			break
		fi
		# keep what the finished tests printed; run the rest again
		last=$(sed -nE 's/^Running sanity test "([^"]+)".*/\1/p' <<<"$chunk" | tail -n1)
		out+=$(sed '/^Running sanity test "'"$last"'"/,$d' <<<"$chunk")$'\n'
		while [ "${#todo[@]}" -gt 0 ] && [ "${todo[0]}" != "$last" ]; do
			todo=("${todo[@]:1}")
		done
		make_venv "$venv" || break
		: "$try"
	done
	return "$rc"
}

# failed_tests: the tests whose part of $out has an ERROR or FATAL line,
# and those ansible-test lists as failed at the end
failed_tests() {
	awk '/^Running sanity test "/ { split($0, a, "\""); t = a[2]; next }
	/^FATAL: The [0-9]+ sanity test\(s\) listed below/ { list = 1; next }
	list { print; next }
	/^(ERROR|FATAL):/ && t != "" { print t }' <<<"$out" | sort -u
}

read -r -a tests <<<"${*:-$(cd "$COLL" && ansible-test sanity --list-tests 2>/dev/null | tr '\n' ' ')}"
sanity "${tests[@]}"
rc=$?
failed_list=" $(failed_tests | tr '\n' ' ') "
passed=0 failed=0
for t in "${tests[@]}"; do
	if [[ "$failed_list" == *" $t "* ]] || grep -q "^WARNING: Skipping sanity test '$t'" <<<"$out" ||
		! grep -q "^Running sanity test \"$t\"" <<<"$out"; then
		failed=$((failed + 1))
		echo "not ok sanity $t"
	else
		passed=$((passed + 1))
		echo "ok sanity $t"
	fi
done
if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then
	printf '%s\n' "$out" | grep -v 'Using locale' | sed 's/^/# /'
fi
[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "sanity: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
