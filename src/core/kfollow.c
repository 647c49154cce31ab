/* kfollow.c - follow /dev/kmsg as util-linux dmesg --follow does
 *
 * The kernel's /dev/kmsg gives one record per read(): "PRI,SEQ,USEC,FLAGS;
 * message" and then " KEY=value" lines.  EPIPE means the reader fell
 * behind and records were overwritten: the position has moved on to the
 * oldest record left, so read on and count the gap.  A stand-in (a FIFO
 * or a file a test writes records into) is a stream instead: a read may
 * return several records, which are split here on their header lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nicfix.h"

/* more than the kernel's longest record (CONSOLE_EXT_LOG_MAX, 8 KiB) */
#define KF_BUF 16384

/**
 * struct nfx_kfollow - a follower
 * @fd: the descriptor (-1 with @fn, and once a file ended)
 * @fn, @ctx: the reader of the unit tests
 * @stream: split the data into records (a FIFO, a file, a test stream)
 * @file: a regular file: its end is the end
 * @eof: the file ended
 * @paused: the last read found nothing more: a record at the end of the
 *	buffer is whole
 * @buf: [@pos, @len) is read but not yet handed out; @out: the record
 *	handed out last, copied for its caller
 * @last_seq, @seq_known: the last record's sequence number
 * @epipe_seen: an EPIPE came since the last record
 * @lost, @epipe: counters
 */
struct nfx_kfollow {
	int fd;
	nfx_kfollow_read_fn fn;
	void *ctx;
	bool stream;
	bool file;
	bool eof;
	bool paused;
	size_t pos, len;
	unsigned long long last_seq;
	bool seq_known;
	bool epipe_seen;
	unsigned long long lost;
	unsigned long epipe;
	char buf[KF_BUF];
	char out[KF_BUF];
};

/* ---- one record ------------------------------------------------------- */

static bool num(const char *s, size_t n, size_t *i, unsigned long long *ret)
{
	size_t j = *i;
	unsigned long long v = 0;

	while (j < n && s[j] >= '0' && s[j] <= '9' && j - *i < 20)
		v = v * 10 + (unsigned long long)(s[j++] - '0');
	if (j == *i)
		return false;
	*ret = v;
	*i = j;
	return true;
}

static void dict_value(const char *s, size_t n, const char *key, char *dst,
		       size_t size)
{
	size_t kl = strlen(key);

	if (n > kl && !memcmp(s, key, kl)) {
		size_t vl = n - kl < size - 1 ? n - kl : size - 1;

		memcpy(dst, s + kl, vl);
		dst[vl] = '\0';
	}
}

int nfx_kmsg_parse(const char *buf, size_t len, struct nfx_kmsg_rec *r)
{
	unsigned long long pri, seq, usec;
	const char *nl, *p, *end = buf + len;
	size_t i = 0, hl;

	memset(r, 0, sizeof(*r));
	nl = memchr(buf, '\n', len);
	hl = nl ? (size_t)(nl - buf) : len;
	if (!num(buf, hl, &i, &pri) || i >= hl || buf[i++] != ',' ||
	    !num(buf, hl, &i, &seq) || i >= hl || buf[i++] != ',' ||
	    !num(buf, hl, &i, &usec) || i >= hl || buf[i] != ',')
		return -EINVAL;
	/* the flags, and fields a newer kernel may add, up to ';' */
	p = memchr(buf + i, ';', hl - i);
	if (!p || pri > 0xffffffULL)
		return -EINVAL;
	r->facility = (unsigned int)(pri >> 3);
	r->level = (unsigned int)(pri & 7);
	r->seq = seq;
	r->usec = usec;
	r->line = buf;
	r->line_len = hl;
	r->text = p + 1;
	r->len = (size_t)(buf + hl - (p + 1));
	/* the dictionary: " KEY=value" lines */
	for (p = nl ? nl + 1 : end; p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t l = e ? (size_t)(e - p) : (size_t)(end - p);

		if (l > 1 && p[0] == ' ') {
			dict_value(p + 1, l - 1, "DEVICE=", r->device,
				   sizeof(r->device));
			dict_value(p + 1, l - 1, "SUBSYSTEM=", r->subsystem,
				   sizeof(r->subsystem));
		}
		p = e ? e + 1 : end;
	}
	return 0;
}

/* ---- the follower ----------------------------------------------------- */

static int kf_new(struct nfx_kfollow **ret_kf, struct nfx_err *err)
{
	struct nfx_kfollow *kf = calloc(1, sizeof(*kf));

	if (!kf)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	kf->fd = -1;
	*ret_kf = kf;
	return 0;
}

int nfx_kfollow_open(const char *path, unsigned int flags,
		     struct nfx_kfollow **ret_kf, struct nfx_err *err)
{
	struct nfx_kfollow *kf = NULL;
	struct stat sb;
	int ret, fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return nfx_err_set(err, ret, "%s: %s", path, strerror(-ret));
	}
	if (fstat(fd, &sb) < 0) {
		ret = -errno;
		close(fd);
		return nfx_err_set(err, ret, "%s: %s", path, strerror(-ret));
	}
	if (S_ISFIFO(sb.st_mode)) {
		/* a writer closing it must not end it: hold it open for
		 * writing too */
		close(fd);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			return nfx_err_set(err, ret, "%s: %s", path,
					   strerror(-ret));
		}
	}
	ret = kf_new(&kf, err);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	kf->fd = fd;
	kf->stream = !S_ISCHR(sb.st_mode);
	kf->file = S_ISREG(sb.st_mode);
	if ((flags & NFX_KF_TAIL) && !S_ISFIFO(sb.st_mode) &&
	    lseek(fd, 0, SEEK_END) < 0) {
		ret = -errno;
		nfx_kfollow_close(kf);
		return nfx_err_set(err, ret, "%s: seek to the end: %s", path,
				   strerror(-ret));
	}
	*ret_kf = kf;
	return 0;
}

int nfx_kfollow_open_fn(nfx_kfollow_read_fn fn, void *ctx, bool stream,
			struct nfx_kfollow **ret_kf, struct nfx_err *err)
{
	int ret = kf_new(ret_kf, err);

	if (ret < 0)
		return ret;
	(*ret_kf)->fn = fn;
	(*ret_kf)->ctx = ctx;
	(*ret_kf)->stream = stream;
	return 0;
}

int nfx_kfollow_fd(const struct nfx_kfollow *kf)
{
	return kf->fd;
}

unsigned long long nfx_kfollow_lost(const struct nfx_kfollow *kf)
{
	return kf->lost;
}

unsigned long nfx_kfollow_epipe(const struct nfx_kfollow *kf)
{
	return kf->epipe;
}

void nfx_kfollow_close(struct nfx_kfollow *kf)
{
	if (!kf)
		return;
	if (kf->fd >= 0)
		close(kf->fd);
	free(kf);
}

static long kf_read(struct nfx_kfollow *kf, void *buf, size_t len)
{
	if (kf->fn)
		return kf->fn(kf->ctx, buf, len);
	return (long)read(kf->fd, buf, len);
}

/*
 * kf_read() as every reader here wants it: EINTR retried; EPIPE (records
 * overwritten before we read them: the position has moved on) counted and
 * read on.  Return: the bytes read, -EAGAIN, or -errno with @err set.
 */
static long read_on(struct nfx_kfollow *kf, void *buf, size_t len,
		    struct nfx_err *err)
{
	for (;;) {
		long got = kf_read(kf, buf, len);

		if (got >= 0)
			return got;
		if (errno == EINTR)
			continue;
		if (errno == EPIPE) {
			kf->epipe++;
			kf->epipe_seen = true;
			continue;
		}
		if (errno == EAGAIN)
			return -EAGAIN;
		return nfx_err_set(err, -errno, "read: %s", strerror(errno));
	}
}

/* Count the records between the last one and @seq as lost. */
static void note_seq(struct nfx_kfollow *kf, unsigned long long seq)
{
	if (kf->seq_known && seq > kf->last_seq + 1)
		kf->lost += seq - kf->last_seq - 1;
	else if (kf->epipe_seen && (!kf->seq_known || seq <= kf->last_seq))
		kf->lost++;
	kf->epipe_seen = false;
	kf->last_seq = seq;
	kf->seq_known = true;
}

/* Hand out @len bytes at @p as a record (copied: @buf moves on). */
static int emit(struct nfx_kfollow *kf, const char *p, size_t len,
		struct nfx_kmsg_rec *ret)
{
	if (len > sizeof(kf->out))
		len = sizeof(kf->out);
	memcpy(kf->out, p, len);
	if (nfx_kmsg_parse(kf->out, len, ret) < 0)
		return 0;
	note_seq(kf, ret->seq);
	return 1;
}

/*
 * The next whole record in [@pos, @len) of a stream: it ends where a line
 * that does not start with a blank begins, or at the end of the data once
 * the stream paused (a writer writes a record in one write(), so a pause
 * falls between records).  Return: its length, 0 when none is whole yet.
 */
static size_t stream_record(struct nfx_kfollow *kf)
{
	const char *s = kf->buf + kf->pos, *end = kf->buf + kf->len, *nl;

	for (nl = memchr(s, '\n', (size_t)(end - s)); nl;
	     nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1))) {
		if (nl + 1 < end && nl[1] != ' ')
			return (size_t)(nl + 1 - s);
		if (nl + 1 == end)
			break;
	}
	/* a pause ends a record only at a line end */
	if (end > s && ((kf->paused && end[-1] == '\n') || kf->eof))
		return (size_t)(end - s);
	return 0;
}

static int next_stream(struct nfx_kfollow *kf, struct nfx_kmsg_rec *ret,
		       struct nfx_err *err)
{
	size_t n;
	long got;

	for (;;) {
		n = stream_record(kf);
		if (n) {
			const char *p = kf->buf + kf->pos;

			kf->pos += n;
			/* a line that is no record (noise) is skipped */
			if (emit(kf, p, n, ret))
				return 1;
			continue;
		}
		if (kf->eof)
			return -ENODATA;
		if (kf->pos) {
			memmove(kf->buf, kf->buf + kf->pos, kf->len - kf->pos);
			kf->len -= kf->pos;
			kf->pos = 0;
		}
		if (kf->len == sizeof(kf->buf)) {
			/* a record longer than any the kernel writes: cut */
			kf->pos = kf->len;
			continue;
		}
		got = read_on(kf, kf->buf + kf->len, sizeof(kf->buf) - kf->len,
			      err);
		if (got == -EAGAIN) {
			if (kf->paused || kf->len == 0)
				return 0;
			kf->paused = true;
			continue;
		}
		if (got < 0)
			return (int)got;
		if (got == 0) {
			if (!kf->file && !kf->fn) {
				/* a FIFO held open for writing never ends */
				kf->paused = true;
				if (!stream_record(kf))
					return 0;
				continue;
			}
			kf->eof = true;
			if (kf->fd >= 0)
				close(kf->fd);
			kf->fd = -1;
			continue;
		}
		kf->paused = false;
		kf->len += (size_t)got;
	}
}

int nfx_kfollow_next(struct nfx_kfollow *kf, struct nfx_kmsg_rec *ret,
		     struct nfx_err *err)
{
	long got;

	if (kf->stream)
		return next_stream(kf, ret, err);
	for (;;) {
		if (kf->eof)
			return -ENODATA;
		/* one record per read, as dmesg --follow reads it */
		got = read_on(kf, kf->buf, sizeof(kf->buf), err);
		if (got == -EAGAIN)
			return 0;
		if (got < 0)
			return (int)got;
		if (got == 0) {
			kf->eof = true;
			continue;
		}
		if (emit(kf, kf->buf, (size_t)got, ret))
			return 1;
	}
}
