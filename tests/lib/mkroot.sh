#!/bin/bash
# mkroot.sh NAME [PKG...] - a cached minimal Debian root for tests
#
# Prints the path of a directory holding a minbase Debian root (bookworm,
# or the suite in NICFIX_ROOT_SUITE, e.g. trixie) with PKG... installed,
# made with mmdebstrap from the host's apt mirror the first time and
# reused afterwards: a root costs ~40 s and ~250 MB, a test run should not
# pay that twice on one machine.  The cache key is NAME, the suite and a
# hash of the package list, so changing the list makes a new root.
# Concurrent callers wait on one lock instead of racing.
#
# Tests must never write to the printed directory: mount it as the lower
# layer of an overlay (tests/lib/inroot.sh does).
#
# NICFIX_ROOT_CACHE overrides the cache directory (.ci/run points it at an
# empty one, so CI always builds every root afresh); NICFIX_MMDEBSTRAP the
# program run in mmdebstrap's place (tests/mkroot.bats).
set -euo pipefail

[ "$#" -ge 1 ] || { echo "usage: mkroot.sh NAME [PKG...]" >&2; exit 2; }
name=$1
shift
suite=${NICFIX_ROOT_SUITE:-bookworm}
cache=${NICFIX_ROOT_CACHE:-/var/cache/nicfix-test}
key=$(printf '%s\n' "$suite" "$@" | sort | sha256sum | cut -c1-12)
root="$cache/$name-$suite-$key"

# host_sources, closed_run (shared with tests/vm/mkimage.sh)
# shellcheck source=SCRIPTDIR/mmdebstrap.sh
. "$(dirname "${BASH_SOURCE[0]}")/mmdebstrap.sh"

mkdir -p "$cache"
exec {lock}>"$cache/.lock"
flock "$lock"
if [ ! -f "$root/.nicfix-complete" ]; then
	rm -rf "$root" "$root.tmp"
	inc=()
	[ "$#" -gt 0 ] && inc=("--include=$(
		IFS=,
		echo "$*"
	)")
	# the host's own sources, read as the suite asked; its snapshot may
	# be older than Valid-Until allows
	sources=$(host_sources "$suite")
	closed_run "${NICFIX_MMDEBSTRAP:-mmdebstrap}" --quiet --variant=minbase \
		"${inc[@]}" --aptopt='Acquire::Check-Valid-Until "false"' \
		"$suite" "$root.tmp" - <<<"$sources" >&2
	touch "$root.tmp/.nicfix-complete"
	mv "$root.tmp" "$root"
fi
echo "$root"
