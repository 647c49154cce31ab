/* spawn.c - run a helper program on a pipe, with nothing else of ours */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

int nfx_spawn_piped(char *const argv[], char *const envp[], int child_fd,
		    int *ret_fd, pid_t *ret_pid, struct nfx_err *err)
{
	int fds[2], ret, theirs, ours;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		ret = -errno;
		return nfx_err_set(err, ret, "pipe: %s", strerror(-ret));
	}
	/* fds[0] is the read end: the child's stdin, or ours */
	theirs = child_fd == 0 ? fds[0] : fds[1];
	ours = child_fd == 0 ? fds[1] : fds[0];
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return nfx_err_set(err, ret, "fork: %s", strerror(-ret));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR), fd;
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* a caller without a standard descriptor got it as /dev/null:
		 * moved up, the dup2() below cannot overwrite it */
		if (null >= 0 && null <= 2)
			null = fcntl(null, F_DUPFD, 3);
		if (null < 0 || dup2(theirs, child_fd) < 0)
			_exit(127);
		for (fd = 0; fd <= 2; fd++)
			if (fd != child_fd && dup2(null, fd) < 0)
				_exit(127);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(theirs);
	*ret_fd = ours;
	*ret_pid = pid;
	return 0;
}
