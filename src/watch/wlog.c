/* wlog.c - the daemon's lines to syslog: a datagram to /dev/log (or the
 * socket --log-socket names, for the tests), identifier "nicfix-watch":
 * the hook logs as "nicfix", and an admin (or a test) tells them apart
 * with journalctl -t
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "watch.h"

static void wlog_connect(struct wlog *l)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (l->fd >= 0 || strlen(l->sock) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, l->sock);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l->fd >= 0 &&
	    connect(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(l->fd);
		l->fd = -1;
	}
}

void wlog_line(struct wlog *l, int prio, const char *fmt, ...)
{
	char line[1024], msg[1200], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (l->to_stderr)
		fprintf(stderr, "nicfix: %s%s\n",
			prio <= LOG_WARNING ? "warning: " : "", line);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(msg, sizeof(msg), "<%d>%s %s[%d]: %s", LOG_DAEMON | prio,
		     stamp, WLOG_IDENT, (int)getpid(), line);
	if (n < 0)
		return;
	if (n >= (int)sizeof(msg))
		n = sizeof(msg) - 1;
	wlog_connect(l);
	/* syslogd restarted: connect again, once */
	if (l->fd >= 0 && send(l->fd, msg, (size_t)n, MSG_NOSIGNAL) < 0) {
		close(l->fd);
		l->fd = -1;
		wlog_connect(l);
		if (l->fd >= 0)
			send(l->fd, msg, (size_t)n, MSG_NOSIGNAL);
	}
}

void wlog_close(struct wlog *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
