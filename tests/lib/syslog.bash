# shellcheck shell=bash
# A /dev/log stand-in for the tests and the demo that run the real
# ifupdown or ifupdown2: they keep none of their caller's environment for
# the hooks, so the hook's lines are read from syslog, and the VM has no
# syslog daemon.

# syslog_start [DIR]: listen on $SOCK and append every message to $SYSLOG,
# both in DIR (the test's own directory by default); syslog_stop ends it
syslog_start() {
	local dir=${1:-$BATS_TEST_TMPDIR}
	SOCK="$dir/log.sock"
	SYSLOG="$dir/syslog"
	: >"$SYSLOG"
	/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(4096).rstrip(b"\0\n") + b"\n")
' "$SOCK" "$SYSLOG" 3>&- &
	SYSLOG_PID=$!
	local tries=50
	while [ ! -S "$SOCK" ]; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# logged PATTERN: how many syslog lines of nicfix match PATTERN: of the
# identifier $LOG_IDENT, "nicfix" (the hook's) unless set ("nicfix-watch",
# the daemon's)
logged() {
	grep -c "${LOG_IDENT:-nicfix}\[[0-9]*\]: $1" "$SYSLOG" || true
}

# syslog_stop: end the listener, if syslog_start made one
syslog_stop() {
	if [ -n "${SYSLOG_PID:-}" ]; then
		kill "$SYSLOG_PID" 2>/dev/null || true
	fi
}
