/* watch.h - what the files of the watch daemon share */
#ifndef NICFIX_WATCH_H
#define NICFIX_WATCH_H

#include <stdbool.h>
#include <stddef.h>

/**
 * struct notify - systemd's notify protocol, by hand: datagrams to
 *	$NOTIFY_SOCKET ("READY=1", "WATCHDOG=1", "STATUS=...")
 * @fd: the socket, -1 when not run by systemd
 * @watchdog_ms: how often to send WATCHDOG=1 (half of $WATCHDOG_USEC),
 *	0 when there is no watchdog
 */
struct notify {
	int fd;
	long long watchdog_ms;
};

/**
 * notify_open() - read $NOTIFY_SOCKET, $WATCHDOG_USEC, $WATCHDOG_PID
 * Return: 0, or -errno when the socket is named but cannot be used.
 */
int notify_open(struct notify *n);

/** notify_send() - send one datagram ("READY=1\nSTATUS=..."); 0 or -errno */
int notify_send(struct notify *n, const char *msg);

/** notify_close() - a zeroed-out or closed one is fine */
void notify_close(struct notify *n);

/* the daemon's syslog identifier (the hook's is "nicfix") */
#define WLOG_IDENT "nicfix-watch"

/**
 * struct wlog - one line a event to syslog, and to stderr when that is not
 *	the journal already
 * @sock: the syslog socket path ("/dev/log")
 * @fd: its socket, -1 until the first line
 * @to_stderr: also print the line on stderr
 */
struct wlog {
	const char *sock;
	int fd;
	bool to_stderr;
};

/** wlog_line() - log one line at syslog priority @prio */
void wlog_line(struct wlog *l, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** wlog_close() - close the socket */
void wlog_close(struct wlog *l);

#endif
