#!/bin/bash
# mkroot.sh NAME [PKG...] - a cached minimal bookworm root for tests
#
# Prints the path of a directory holding a minbase Debian 12 root with
# PKG... installed, made with mmdebstrap from the host's apt sources the
# first time and reused afterwards: a root costs ~40 s and ~250 MB, a
# test run should not pay that twice on one machine.  The cache key is
# NAME plus a hash of the package list, so changing the list makes a new
# root.  Concurrent callers wait on one lock instead of racing.
#
# Tests must never write to the printed directory: mount it as the lower
# layer of an overlay (tests/lib/inroot.sh does).
#
# NICFIX_ROOT_CACHE overrides the cache directory.
set -euo pipefail

[ "$#" -ge 1 ] || { echo "usage: mkroot.sh NAME [PKG...]" >&2; exit 2; }
name=$1
shift
cache=${NICFIX_ROOT_CACHE:-/var/cache/nicfix-test}
key=$(printf '%s\n' "$@" | sort | sha256sum | cut -c1-12)
root="$cache/$name-$key"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$root/.nicfix-complete" ]; then
	rm -rf "$root" "$root.tmp"
	inc=()
	[ "$#" -gt 0 ] && inc=("--include=$(
		IFS=,
		echo "$*"
	)")
	# The host's own sources (the CI machine reaches only the Debian
	# archive); its snapshot may be older than Valid-Until allows.
	# shellcheck disable=SC2016 # apt-get expands $(...) in --format
	fmt='$(REPO_URI) $(RELEASE) $(TARGET_OF)'
	sources=$(apt-get indextargets --format "$fmt" 2>/dev/null |
		awk '$3 == "deb" && $2 ~ /^bookworm/ { print "deb " $1 " " $2 " main" }' |
		sort -u)
	[ -n "$sources" ] || sources="deb http://deb.debian.org/debian bookworm main"
	mmdebstrap --quiet --variant=minbase "${inc[@]}" \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		bookworm "$root.tmp" - <<<"$sources" >&2
	touch "$root.tmp/.nicfix-complete"
	mv "$root.tmp" "$root"
fi
echo "$root"
