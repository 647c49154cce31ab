/* klog.c - the log sources: memory, a descriptor, /dev/kmsg, journalctl, dmesg */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klog.h"
#include "spawn.h"

#define BUF_SIZE (1u << 20)
/* a /dev/kmsg read needs room for a whole record */
#define KMSG_ROOM 8192
/* how much of the start of the input the binary check looks at */
#define SNIFF 4096

enum src_kind { SRC_MEM, SRC_FD, SRC_KMSG, SRC_CMD };

/**
 * struct nfx_klog - a reader
 * @kind: where the text comes from
 * @fd: the descriptor (-1 for memory); owned unless SRC_FD
 * @pid: the command's process, 0 when none
 * @cmd: the command's name, for errors
 * @buf: the text; [@pos, @end) are whole lines not yet read, [@end, @len)
 *	the start of a line still being read
 * @own: @buf was allocated here
 * @cut: the rest of an overlong line is still to be dropped
 * @eof: nothing more to read
 * @sniffed: the start of the input was checked for binary data
 * @line: lines consumed before @pos
 * @st: parser state
 * @sub, @sub_len: the rest of a joined message still to hand out
 * @rec: the record @sub belongs to
 */
struct nfx_klog {
	enum src_kind kind;
	int fd;
	pid_t pid;
	const char *cmd;
	char *buf;
	size_t cap, len, pos, end;
	bool own;
	bool cut;
	bool eof;
	bool sniffed;
	unsigned long line;
	struct nfx_klog_state st;
	const char *sub;
	size_t sub_len;
	struct nfx_klog_rec rec;
};


/* ---- readers ---------------------------------------------------------- */

static int klog_new(enum src_kind kind, const struct nfx_klog_opts *o,
		    struct nfx_klog **ret_kl, struct nfx_err *err)
{
	struct nfx_klog *kl = calloc(1, sizeof(*kl));

	if (!kl)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	kl->kind = kind;
	kl->fd = -1;
	nfx_klog_state_init(&kl->st, o);
	if (kind != SRC_MEM) {
		kl->buf = malloc(BUF_SIZE);
		if (!kl->buf) {
			free(kl);
			return nfx_err_set(err, -ENOMEM, "out of memory");
		}
		kl->cap = BUF_SIZE;
		kl->own = true;
	}
	*ret_kl = kl;
	return 0;
}

int nfx_klog_open_fd(int fd, const struct nfx_klog_opts *o,
		     struct nfx_klog **ret_kl, struct nfx_err *err)
{
	int ret = klog_new(SRC_FD, o, ret_kl, err);

	if (ret == 0)
		(*ret_kl)->fd = fd;
	return ret;
}

int nfx_klog_open_mem(const char *buf, size_t len,
		      const struct nfx_klog_opts *o, struct nfx_klog **ret_kl,
		      struct nfx_err *err)
{
	struct nfx_klog *kl = NULL;
	int ret = klog_new(SRC_MEM, o, &kl, err);

	if (ret < 0)
		return ret;
	kl->buf = (char *)buf;
	kl->cap = kl->len = kl->end = len;
	kl->eof = true;
	*ret_kl = kl;
	return 0;
}

static const char *const journalctl_paths[] = { "/usr/bin/journalctl",
						"/bin/journalctl", NULL };
static const char *const dmesg_paths[] = { "/usr/bin/dmesg", "/bin/dmesg",
					   NULL };

static const char *find_exe(const char *const *paths)
{
	for (; *paths; paths++)
		if (access(*paths, X_OK) == 0)
			return *paths;
	return NULL;
}

/* fork and exec @argv with its standard output into a pipe */
static int spawn(struct nfx_klog *kl, char *const argv[], struct nfx_err *err)
{
	static char *const envp[] = { "LC_ALL=C", NULL };
	pid_t pid;
	int ret;

	ret = nfx_spawn_piped(argv, envp, 1, &kl->fd, &pid, err);
	if (ret == 0)
		kl->pid = pid;
	return ret;
}

const char *nfx_klog_src_name(enum nfx_klog_src src)
{
	switch (src) {
	case NFX_KLOG_JOURNAL:
		return "journalctl -k -b";
	case NFX_KLOG_KMSG:
		return "/dev/kmsg";
	case NFX_KLOG_DMESG:
		return "dmesg";
	}
	return "?";
}

int nfx_klog_open_src(enum nfx_klog_src src, const char *since,
		      const struct nfx_klog_opts *o, struct nfx_klog **ret_kl,
		      struct nfx_err *err)
{
	struct nfx_klog *kl = NULL;
	char since_arg[128];
	char *argv[12];
	const char *exe;
	int ret, n = 0;

	switch (src) {
	case NFX_KLOG_JOURNAL:
		exe = find_exe(journalctl_paths);
		/* journald runs where its socket is */
		if (!exe || access("/run/systemd/journal/socket", F_OK) < 0)
			return nfx_err_set(err, -ENOENT, "no journald");
		ret = klog_new(SRC_CMD, o, &kl, err);
		if (ret < 0)
			return ret;
		argv[n++] = (char *)exe;
		argv[n++] = "-k";
		argv[n++] = "-b";
		argv[n++] = "-q";
		argv[n++] = "--no-pager";
		argv[n++] = "-o";
		argv[n++] = "short-iso-precise";
		/* the kernel's own records only: what user space wrote to
		 * /dev/kmsg (LOG_USER) is no report */
		argv[n++] = "SYSLOG_FACILITY=0";
		if (since) {
			snprintf(since_arg, sizeof(since_arg), "--since=%s",
				 since);
			argv[n++] = since_arg;
		}
		argv[n] = NULL;
		/* its dates have their year: no need to guess one */
		kl->cmd = "journalctl";
		ret = spawn(kl, argv, err);
		break;
	case NFX_KLOG_KMSG:
		ret = klog_new(SRC_KMSG, o, &kl, err);
		if (ret < 0)
			return ret;
		kl->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		ret = kl->fd < 0 ? -errno : 0;
		if (ret < 0)
			nfx_err_set(err, ret, "/dev/kmsg: %s", strerror(-ret));
		break;
	case NFX_KLOG_DMESG:
		exe = find_exe(dmesg_paths);
		if (!exe)
			return nfx_err_set(err, -ENOENT, "no dmesg");
		ret = klog_new(SRC_CMD, o, &kl, err);
		if (ret < 0)
			return ret;
		argv[0] = (char *)exe;
		argv[1] = "--facility=kern";
		argv[2] = NULL;
		kl->cmd = "dmesg";
		ret = spawn(kl, argv, err);
		break;
	default:
		return nfx_err_set(err, -EINVAL, "unknown source");
	}
	if (ret < 0) {
		nfx_klog_close(kl, NULL);
		return ret;
	}
	*ret_kl = kl;
	return 0;
}

unsigned long nfx_klog_lines(const struct nfx_klog *kl)
{
	return kl->line;
}

int nfx_klog_close(struct nfx_klog *kl, struct nfx_err *err)
{
	int ret = 0, status;

	if (!kl)
		return 0;
	if (kl->fd >= 0 && kl->kind != SRC_FD)
		close(kl->fd);
	if (kl->pid > 0) {
		while (waitpid(kl->pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			if (WIFEXITED(status))
				ret = nfx_err_set(err, -EIO,
						  "%s failed (exit status %d)",
						  kl->cmd, WEXITSTATUS(status));
			else
				ret = nfx_err_set(err, -EIO,
						  "%s failed (signal %d)",
						  kl->cmd, WTERMSIG(status));
		}
	}
	if (kl->own)
		free(kl->buf);
	free(kl);
	return ret;
}

/* Refuse what is not a text log, naming what it is when that is known. */
static int sniff(const char *s, size_t n, struct nfx_err *err)
{
	size_t k, bad = 0;

	if (n >= 8 && !memcmp(s, "LPKSHHRH", 8))
		return nfx_err_set(err, -EINVAL,
				   "a binary journal file: read it with "
				   "journalctl --file FILE -k | nicfix "
				   "diagnose --input -");
	if ((n >= 2 && !memcmp(s, "\x1f\x8b", 2)) ||
	    (n >= 6 && !memcmp(s, "\xfd" "7zXZ", 6)) ||
	    (n >= 4 && !memcmp(s, "\x28\xb5\x2f\xfd", 4)) ||
	    (n >= 3 && !memcmp(s, "BZh", 3) && n > 3 && s[3] >= '1' &&
	     s[3] <= '9'))
		return nfx_err_set(err, -EINVAL,
				   "compressed data: decompress it first "
				   "(zcat FILE | nicfix diagnose --input -)");
	for (k = 0; k < n && k < SNIFF; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == 0)
			return nfx_err_set(err, -EINVAL,
					   "binary data, not a text log");
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' &&
		    c != 0x1b)
			bad++;
	}
	if (bad * 8 > (n < SNIFF ? n : SNIFF))
		return nfx_err_set(err, -EINVAL, "binary data, not a text log");
	return 0;
}

/* Read more: keep [@pos, @len), make [@pos, @end) whole lines.
 * Return: 1 when there are lines to look at, 0 at the end, -errno. */
static int refill(struct nfx_klog *kl, struct nfx_err *err)
{
	ssize_t got;
	char *nl;

	if (kl->pos) {
		memmove(kl->buf, kl->buf + kl->pos, kl->len - kl->pos);
		kl->len -= kl->pos;
		kl->end = kl->end > kl->pos ? kl->end - kl->pos : 0;
		kl->pos = 0;
	}
	for (;;) {
		if (kl->eof) {
			/* the last line may have no newline */
			kl->end = kl->len;
			return kl->len > kl->pos;
		}
		/* one line fills the buffer (or leaves no room for a
		 * /dev/kmsg record): cut it there */
		if (kl->len == kl->cap ||
		    (kl->kind == SRC_KMSG && kl->cap - kl->len < KMSG_ROOM)) {
			kl->end = kl->len;
			kl->cut = true;
			return 1;
		}
		got = read(kl->fd, kl->buf + kl->len, kl->cap - kl->len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			/* records were overwritten while we read */
			if (kl->kind == SRC_KMSG && errno == EPIPE)
				continue;
			if (kl->kind == SRC_KMSG && errno == EAGAIN) {
				kl->eof = true;
				continue;
			}
			return nfx_err_set(err, -errno, "read: %s",
					   strerror(errno));
		}
		if (got == 0) {
			kl->eof = true;
			continue;
		}
		if (kl->cut) {
			/* drop the rest of a line that was cut */
			nl = memchr(kl->buf + kl->len, '\n', (size_t)got);
			if (!nl)
				continue;
			memmove(kl->buf + kl->len, nl + 1,
				(size_t)got - (size_t)(nl + 1 - (kl->buf + kl->len)));
			got -= nl + 1 - (kl->buf + kl->len);
			kl->cut = false;
		}
		kl->len += (size_t)got;
		nl = memrchr(kl->buf + kl->end, '\n', kl->len - kl->end);
		if (nl) {
			kl->end = (size_t)(nl - kl->buf) + 1;
			return 1;
		}
	}
}

/* Hand out the next piece of a joined message. */
static void next_piece(struct nfx_klog *kl, struct nfx_klog_rec *rec,
		       bool first)
{
	size_t sep = NFX_KLOG_SEP_LEN;
	size_t n = nfx_klog_split(kl->sub, kl->sub_len, kl->st.kmsg);

	*rec = kl->rec;
	rec->text = kl->sub;
	rec->len = n;
	if (!first) {
		rec->cont = true;
		/* the message's own indentation */
		while (rec->len && (*rec->text == ' ' || *rec->text == '\t'))
			rec->text++, rec->len--;
	}
	if (n < kl->sub_len) {
		kl->sub += n + sep;
		kl->sub_len -= n + sep;
	} else {
		kl->sub = NULL;
		kl->sub_len = 0;
	}
}

int nfx_klog_next(struct nfx_klog *kl, bool all, struct nfx_klog_rec *rec,
		  struct nfx_err *err)
{
	size_t start, lend, next;
	const char *eol;
	int ret;

	if (kl->sub) {
		next_piece(kl, rec, false);
		return 1;
	}
	for (;;) {
		if (kl->pos >= kl->end) {
			if (kl->kind == SRC_MEM)
				return 0;
			ret = refill(kl, err);
			if (ret <= 0)
				return ret;
		}
		if (!kl->sniffed) {
			kl->sniffed = true;
			ret = sniff(kl->buf + kl->pos, kl->len - kl->pos, err);
			if (ret < 0)
				return ret;
		}
		start = kl->pos;
		if (!all) {
			unsigned long nl = 0;

			start = nfx_klog_find(kl->buf, kl->pos, kl->end, &nl);
			kl->line += nl;
			if (start >= kl->end) {
				kl->pos = kl->end;
				continue;
			}
		}
		eol = memchr(kl->buf + start, '\n', kl->end - start);
		lend = eol ? (size_t)(eol - kl->buf) : kl->end;
		next = eol ? lend + 1 : kl->end;
		kl->pos = next;
		kl->line++;
		if (!nfx_klog_parse(&kl->st, kl->buf + start, lend - start,
				    &kl->rec))
			continue;
		kl->rec.line = kl->line;
		kl->sub = kl->rec.text;
		kl->sub_len = kl->rec.len;
		next_piece(kl, rec, true);
		return 1;
	}
}

