#!/bin/bash
# debroot.sh SUITE DIR [CMD...] - the package on another Debian release
#
# With no CMD: builds the package from the source copy in DIR/src (`make
# deb DEB_SUITE=SUITE` makes it) inside a cached minimal root of SUITE
# (tests/lib/mkroot.sh) holding the Build-Depends of debian/control and
# lintian, so the release's own compiler, debhelper and dpkg-dev build
# it; the .deb, .changes and .buildinfo land in DIR, as dpkg-buildpackage
# on the host leaves them in build/deb.
#
# With CMD: runs CMD in that root, in /build, where DIR's .deb, .changes
# and .buildinfo are (tests/deb.bats runs the release's lintian so).
#
# As root (mmdebstrap, an overlay in a mount namespace); the root is never
# written, each run gets a throwaway upper layer under DIR.
set -euo pipefail

[ "$#" -ge 2 ] || { echo "usage: debroot.sh SUITE DIR [CMD...]" >&2; exit 2; }
suite=$1 dir=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)

# Build-Depends, one name a line: versions, alternatives and arch
# qualifiers dropped; debhelper-compat is debhelper's virtual package
mapfile -t bdeps < <(sed -n '/^Build-Depends:/,/^[^[:space:]B]/p' "$top/debian/control" |
	sed -E '1s/^Build-Depends://; /^[^[:space:]]/d' | tr ',' '\n' |
	sed -E 's/[(|[<].*//; s/[[:space:]]//g; s/^debhelper-compat$/debhelper/' |
	grep . | sort -u)
root=$(NICFIX_ROOT_SUITE=$suite bash "$top/tests/lib/mkroot.sh" debbuild \
	build-essential lintian "${bdeps[@]}")

upper=$(mktemp -d "$dir/.upper.XXXXXX")
trap 'rm -rf "$upper" "$upper.work" "$upper.merged"' EXIT
mkdir -p "$upper/build"
if [ "$#" -eq 0 ]; then
	mv "$dir/src" "$upper/build/src"
	rc=0
	bash "$top/tests/lib/inroot.sh" "$root" "$upper" \
		sh -c 'cd /build/src && dpkg-buildpackage -us -uc -b' || rc=$?
	mv "$upper/build/src" "$dir/src"
	find "$upper/build" -maxdepth 1 -type f -exec mv -t "$dir" {} +
	exit "$rc"
fi
find "$dir" -maxdepth 1 -type f \( -name '*.deb' -o -name '*.changes' \
	-o -name '*.buildinfo' \) -exec cp -t "$upper/build" {} +
bash "$top/tests/lib/inroot.sh" "$root" "$upper" sh -c 'cd /build && exec "$@"' sh "$@"
