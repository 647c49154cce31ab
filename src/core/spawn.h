/* spawn.h - run a helper program (journalctl, dmesg, sendmail) on a pipe */
#ifndef NICFIX_SPAWN_H
#define NICFIX_SPAWN_H

#include <sys/types.h>

#include "nicfix.h"

/**
 * nfx_spawn_piped() - fork and exec @argv with one end of a pipe as its
 * standard input or output
 * @child_fd: 0, the child reads the pipe; 1, it writes it.  Its other
 *	standard descriptors are /dev/null, its signal mask is empty (the
 *	watch daemon blocks the signals it reads through a signalfd).
 * @envp: its whole environment
 * @ret_fd: receives our end of the pipe (close-on-exec)
 * @ret_pid: receives the child; the caller reaps it
 * Return: 0, or -errno of pipe or fork.  A failed exec is the child's
 * exit status 127.
 */
int nfx_spawn_piped(char *const argv[], char *const envp[], int child_fd,
		    int *ret_fd, pid_t *ret_pid, struct nfx_err *err);

#endif
