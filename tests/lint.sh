#!/bin/bash
# Run shellcheck over every shell file in the repository: *.sh, *.bash,
# *.bats, the maintainer scripts, and anything with a shell shebang.
# Prints one TAP-like line per file and a final "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 3

list_shell_files() {
	git ls-files --cached --others --exclude-standard 2>/dev/null ||
		find . -path ./build -prune -o -path ./.git -prune -o -type f -print
}

is_shell() {
	case "$1" in
	*.sh | *.bash | *.bats) return 0 ;;
	debian/*.postinst | debian/*.postrm | debian/*.preinst | debian/*.prerm) return 0 ;;
	esac
	head -n1 "$1" 2>/dev/null | grep -Eq '^#!.*(/|env )(ba|da)?sh\b'
}

passed=0 failed=0
while IFS= read -r f; do
	f=${f#./}
	[ -f "$f" ] || continue
	is_shell "$f" || continue
	if out=$(shellcheck -x "$f" 2>&1); then
		passed=$((passed + 1))
		echo "ok shellcheck $f"
	else
		failed=$((failed + 1))
		echo "not ok shellcheck $f"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done < <(list_shell_files | sort -u)
echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
