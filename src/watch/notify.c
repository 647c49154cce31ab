/* notify.c - systemd's notify protocol, by hand (it is stable: no
 * libsystemd is needed): datagrams to the socket in $NOTIFY_SOCKET
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "watch.h"

int notify_open(struct notify *n)
{
	const char *path = getenv("NOTIFY_SOCKET");
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int ret;

	n->fd = -1;
	n->watchdog_ms = 0;
	/* the watchdog is ours when no other process is named */
	if (usec && *usec && (!pid || !*pid || atol(pid) == (long)getpid()))
		n->watchdog_ms = atoll(usec) / 2000;
	if (!path || !*path)
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, len);
	/* "@name": an abstract socket, its name behind a NUL */
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0)
		return -errno;
	if (connect(n->fd, (struct sockaddr *)&sa,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) <
	    0) {
		ret = -errno;
		close(n->fd);
		n->fd = -1;
		return ret;
	}
	return 0;
}

int notify_send(struct notify *n, const char *msg)
{
	if (n->fd < 0)
		return 0;
	if (send(n->fd, msg, strlen(msg), MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

void notify_close(struct notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
