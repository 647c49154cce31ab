#!/bin/sh
# .shellcheckrc says bash for every file; this one is POSIX sh
# shellcheck shell=sh
# nicfix's ifupdown and ifupdown2 hook, installed as
# /etc/network/if-up.d/nicfix and /etc/network/if-post-up.d/nicfix.
#
# A file in /etc rather than a symlink to the binary: ifupdown2 fails an
# interface's up on a hook it cannot run, and then makes no bridge at
# boot; a symlink dangles once the binary is gone (deleted by hand, or an
# /etc/network restored onto a node without nicfix).  This file is a
# conffile and exists as long as anything here does (a removed, not
# purged, package leaves it): without the binary it does nothing and
# exits 0.  The binary does the work (lintian forbids an ELF file in
# /etc); its exit status is the hook's.
hook=/usr/libexec/nicfix/nicfix-hook
[ -x "$hook" ] || exit 0
exec "$hook"
