/* rusage.c - run one command, append its wall time and peak RSS to a file
 *
 * usage: bench-rusage OUT CMD [ARG...]
 *
 * Appends "MICROSECONDS MAXRSS_KB STATUS USER_US SYS_US" to OUT.  The
 * time runs from just before fork() to the return of wait4(), on
 * CLOCK_MONOTONIC: the whole process, start-up and exit included, without
 * the shell's own fork and bookkeeping around it.  The peak RSS is the
 * child's ru_maxrss from wait4(), which GNU time would give but which
 * Debian does not install by default; the CPU times tell waiting (on a
 * loaded machine) from work.  The exit status is recorded, never judged:
 * diagnose exits 1 when it finds a hang, and that is the expected answer.
 * Built by bench/lib.sh into build/ on first use.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long tv_us(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	long long t0, t1;
	int status, code;
	FILE *out;
	pid_t pid;

	if (argc < 3) {
		fputs("usage: bench-rusage OUT CMD [ARG...]\n", stderr);
		return 2;
	}
	out = fopen(argv[1], "a");
	if (!out) {
		perror(argv[1]);
		return 3;
	}
	t0 = now_us();
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 3;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return 3;
	}
	t1 = now_us();
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(out, "%lld %ld %d %lld %lld\n", t1 - t0, ru.ru_maxrss, code,
		tv_us(ru.ru_utime), tv_us(ru.ru_stime));
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 3;
	}
	/* 127: the command could not be started, which no benchmark expects */
	return code == 127 ? 127 : 0;
}
