#!/bin/bash
# inroot.sh LOWER UPPER CMD... - run CMD chrooted in a throwaway overlay
#
# LOWER is a cached root from mkroot.sh and is never written: every write
# lands in UPPER, a directory the test owns (it may pre-populate it with
# files such as etc/network/interfaces or the hook binary, which then
# shadow LOWER's).  Runs in a private mount namespace, so the overlay and
# the /proc, /sys and /dev mounts vanish with CMD.  Run it under
# `ip netns exec NS` to give CMD the test's own network namespace: that
# remounts /sys for the namespace before we bind it in.
set -euo pipefail

[ "$#" -ge 3 ] || { echo "usage: inroot.sh LOWER UPPER CMD..." >&2; exit 2; }

if [ "${NICFIX_INROOT_INNER:-}" != 1 ]; then
	NICFIX_INROOT_INNER=1 exec unshare -m --propagation private bash "$0" "$@"
fi
unset NICFIX_INROOT_INNER

lower=$1 upper=$2
shift 2
work="$upper.work" merged="$upper.merged"
mkdir -p "$upper" "$work" "$merged"
mount -t overlay overlay \
	-o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$merged"
mount -t proc proc "$merged/proc"
mount --rbind /sys "$merged/sys"
# /dev is a small tmpfs, not the host's: a test may put its own /dev/log
# there (NICFIX_INROOT_LOG, a socket path) without touching the host
mount -t tmpfs -o mode=0755 nicfix-dev "$merged/dev"
for node in null:1:3 zero:1:5 random:1:8 urandom:1:9 tty:5:0; do
	IFS=: read -r n major minor <<<"$node"
	mknod -m 666 "$merged/dev/$n" c "$major" "$minor"
done
if [ -n "${NICFIX_INROOT_LOG:-}" ]; then
	touch "$merged/dev/log"
	mount --bind "$NICFIX_INROOT_LOG" "$merged/dev/log"
fi
# a fresh /run as at boot, with the lock directory tmpfiles.d makes
mount -t tmpfs tmpfs "$merged/run"
mkdir -p "$merged/run/lock"
mount -t tmpfs tmpfs "$merged/tmp"
exec chroot "$merged" "$@"
