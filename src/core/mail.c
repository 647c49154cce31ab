/* mail.c - tell the admin through the system's sendmail (on Proxmox VE
 * that reaches the notification targets; Postfix queues the mail while
 * the link is down)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nicfix.h"
#include "safefile.h"
#include "spawn.h"

const char *nfx_mail_find(const char *path, char *buf, size_t size)
{
	const char *p = path;

	while (p && *p) {
		size_t n = strcspn(p, ":");

		if (n && p[0] == '/' &&
		    snprintf(buf, size, "%.*s/sendmail", (int)n, p) <
			    (int)size &&
		    access(buf, X_OK) == 0)
			return buf;
		p += n + (p[n] == ':');
	}
	if (access("/usr/sbin/sendmail", X_OK) == 0) {
		snprintf(buf, size, "/usr/sbin/sendmail");
		return buf;
	}
	return NULL;
}

int nfx_mail_send(const char *sendmail, const char *to, const char *subject,
		  const char *body, int *ret_pid, struct nfx_err *err)
{
	static char *const envp[] = { "LC_ALL=C",
				      "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				      NULL };
	char *msg = NULL;
	int fd, ret, len;
	pid_t pid;

	len = asprintf(&msg,
		       "To: %s\nSubject: %s\nAuto-Submitted: auto-generated\n"
		       "Content-Type: text/plain; charset=UTF-8\n\n%s",
		       to, subject, body);
	if (len < 0)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	ret = nfx_spawn_piped((char *const[]){ (char *)sendmail, "-oi", "--",
					       (char *)to, NULL },
			      envp, 0, &fd, &pid, err);
	if (ret < 0) {
		free(msg);
		return ret;
	}
	/* a mail is far smaller than a pipe holds: this does not block
	 * on a live sendmail, and one that died gives EPIPE */
	{
		struct sigaction sa = { .sa_handler = SIG_IGN }, old;

		sigaction(SIGPIPE, &sa, &old);
		ret = nfx_write_all(fd, msg, (size_t)len);
		sigaction(SIGPIPE, &old, NULL);
	}
	close(fd);
	free(msg);
	*ret_pid = pid;
	if (ret < 0)
		return nfx_err_set(err, ret, "%s: %s", sendmail,
				   strerror(-ret));
	return 0;
}
