# shellcheck shell=bash
# shellcheck disable=SC2016 # the inner shell expands its own arguments
# placed_right FILE BRIDGE PORT: the offload line of PORT is in BRIDGE's
# stanza for all three readers that matter:
#   - a model of Proxmox VE's parser and writer (tests/lib/pvemodel.py:
#     a stanza ends at a blank line, the last stanza of a family wins, an
#     inet6 stanza without an address is dropped by a GUI edit);
#   - ifupdown's own ifquery (when ifupdown can read the file at all);
#   - the project's reader (build/asan/ifdump).
# PLACED_LOOSE_OK=1: an older line of the port may be loose (test 8);
# PLACED_IFQUERY_MUST=1: ifupdown must be able to read the file.
# ifquery follows absolute "source" lines: it runs with an empty
# /etc/network of its own, so that it never reads the host's.

placed_right() {
	local file=$1 bridge=$2 port=$3 model q
	model=$(python3 "$TOP/tests/lib/pvemodel.py" "$file")
	if ! grep -q "^$bridge [^	]*	\(post-\)\?up .*ethtool .*-K $port " <<<"$model"; then
		echo "pvemodel: no line for $port kept in $bridge of $file:" >&2
		grep -F "ethtool" <<<"$model" >&2 || true
		return 1
	fi
	if [ -z "${PLACED_LOOSE_OK:-}" ] && grep -q "^-	.*ethtool .*-K $port " <<<"$model"; then
		echo "pvemodel: a line for $port is outside any stanza in $file" >&2
		return 1
	fi
	if q=$(unshare -m sh -c 'mount -t tmpfs none /etc/network &&
		mkdir -p /run/network && mount -t tmpfs none /run/network &&
		exec ifquery -i "$1" "$2"' sh "$file" "$bridge" 2>/dev/null); then
		if ! grep -q "^\(post-\)\?up: .*ethtool .*-K $port " <<<"$q"; then
			echo "ifquery: no line for $port in $bridge of $file:" >&2
			echo "$q" >&2
			return 1
		fi
	elif [ -n "${PLACED_IFQUERY_MUST:-}" ]; then
		echo "ifquery cannot read $file" >&2
		return 1
	fi
	"$TOP/build/asan/ifdump" "$file" | awk -v b="$bridge" -v p="$port" '
		$1 == "iface" { st = $2 }
		($1 == "post-up" || $1 == "up") && index($0, "-K " p " ") && st == b { ok = 1 }
		END { if (!ok) { print "ifdump: no line for " p " in " b > "/dev/stderr"; exit 1 } }'
}
