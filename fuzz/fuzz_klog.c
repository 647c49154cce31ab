/* fuzz_klog.c - libFuzzer target: the kernel-log parser and the diagnosis
 *
 * The input is a kernel log.  Its length picks the reader's options (a
 * "now" for syslog dates, a boot time, a --since), so every seed runs
 * under each of them as the fuzzer changes its length.  Besides the
 * sanitizers, it checks what klog.h and diag.h promise:
 * - nfx_klog_parse() reads no byte past @len: each line gets a heap block
 *   of exactly its length, so ASan sees one byte too far; its record and
 *   the parts nfx_diag_parse_dev() finds lie within the line;
 * - nfx_klog_find() returns the start of the first line that holds an
 *   anchor (or the end), having counted the newlines before it;
 * - nfx_klog_next() hands out records inside the input, with line numbers
 *   that never go back, and nfx_diag_add(), nfx_diag_finish() and the
 *   events' accessors run on whatever it hands out;
 * - the same text read from a file descriptor (a memfd, through the
 *   buffer and refill()) gives the same records as from memory (for one
 *   input length in 32: the reader's 1 MiB buffer is slow under ASan).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "klog.h"
#include "nicfix.h"

#define FUZZ_NAME "fuzz_klog"
#include "fuzz.h"

static const char *const anchors[] = { "Unit Hang", "NETDEV WATCHDOG",
				       "Reset adapter", "Link is " };

static bool within(const char *p, size_t n, const char *base, size_t len)
{
	return p >= base && n <= len && (size_t)(p - base) <= len - n;
}

/* every part the device parser found lies in [@base, @base + @len) */
static bool dev_within(const struct nfx_diag_dev *dv, const char *base,
		       size_t len)
{
	return (!dv->driver_len || within(dv->driver, dv->driver_len, base, len)) &&
	       (!dv->body_len || within(dv->body, dv->body_len, base, len)) &&
	       (!dv->pci_len || within(dv->pci, dv->pci_len, base, len)) &&
	       (!dv->ifname_len || within(dv->ifname, dv->ifname_len, base, len));
}

static bool has_anchor(const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < sizeof(anchors) / sizeof(anchors[0]); k++)
		if (memmem(s, n, anchors[k], strlen(anchors[k])))
			return true;
	return false;
}

/* Each line alone, in a block of its own size. */
static void parse_lines(const char *buf, size_t size,
			const struct nfx_klog_opts *o)
{
	struct nfx_klog_state st;
	const char *p = buf, *end = buf + size;

	nfx_klog_state_init(&st, o);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = malloc(n ? n : 1);
		struct nfx_klog_rec rec;
		struct nfx_diag_dev dv;
		struct nfx_diag_ring ring = { 0 };
		unsigned int flags = 0;
		int ret;

		if (!line)
			abort();
		memcpy(line, p, n);
		ret = nfx_klog_parse(&st, line, n, &rec);
		if (ret != 0 && ret != 1)
			FAIL("parse returned %d", ret);
		if (ret == 1) {
			if (!within(rec.text, rec.len, line, n))
				FAIL("record outside its line");
			if (rec.repeat < 1)
				FAIL("repeat %u", rec.repeat);
			nfx_diag_parse_dev(rec.text, rec.len, &dv);
			if (!dev_within(&dv, line, n))
				FAIL("device parts outside the line");
			nfx_diag_what(dv.body, dv.body_len);
			nfx_diag_parse_field(rec.text, rec.len, &ring, &flags);
			/* the message wherever it stands in the line */
			nfx_diag_parse_msg(rec.text, rec.len, &dv);
			if (!dev_within(&dv, line, n))
				FAIL("message parts outside the line");
			nfx_diag_parse_fields(rec.text, rec.len, &ring, &flags);
			if (nfx_klog_split(rec.text, rec.len, st.kmsg) > rec.len)
				FAIL("split past the message");
		}
		/* the same line as a /dev/kmsg record, as the daemon reads it */
		{
			struct nfx_kmsg_rec kr;
			struct nfx_wsig sg;

			if (nfx_kmsg_parse(line, n, &kr) == 0) {
				if (!within(kr.text, kr.len, line, n))
					FAIL("kmsg text outside the record");
				nfx_wsig_read(&kr, &sg);
				if (strlen(sg.pci) >= sizeof(sg.pci) ||
				    strlen(sg.ifname) >= sizeof(sg.ifname))
					FAIL("wsig strings unterminated");
			}
		}
		free(line);
		p = nl ? nl + 1 : end;
	}
}

/* nfx_klog_find() from every line start, against a plain search */
static void check_find(const char *buf, size_t size)
{
	size_t from = 0, at, eol, k;
	unsigned long nl;

	while (from < size) {
		nl = 0;
		at = nfx_klog_find(buf, from, size, &nl);
		if (at < from || at > size)
			FAIL("find returned %zu for [%zu, %zu)", at, from, size);
		if (at > from && at < size && buf[at - 1] != '\n')
			FAIL("find returned %zu, not a line start", at);
		for (k = from; k < at; k++)
			nl -= buf[k] == '\n';
		if (nl)
			FAIL("find miscounted the newlines by %ld", (long)nl);
		if (has_anchor(buf + from, at - from))
			FAIL("find skipped an anchor in [%zu, %zu)", from, at);
		if (at == size)
			return;
		eol = at;
		while (eol < size && buf[eol] != '\n')
			eol++;
		if (!has_anchor(buf + at, eol - at))
			FAIL("find stopped at %zu, a line with no anchor", at);
		from = eol + 1;
	}
}

static void read_all(const char *buf, size_t size,
		     const struct nfx_klog_opts *o,
		     const struct nfx_diag_opts *dopts)
{
	struct nfx_diag_advice adv;
	struct nfx_diag_live live;
	struct nfx_klog *kl = NULL;
	struct nfx_diag *d = NULL;
	struct nfx_klog_rec rec;
	unsigned long last = 0;
	struct nfx_err err;
	bool want = true;
	char t[64];
	size_t i;
	int ret;

	if (nfx_klog_open_mem(buf, size, o, &kl, NULL) < 0 ||
	    nfx_diag_new(dopts, &d, NULL) < 0)
		abort();
	while ((ret = nfx_klog_next(kl, want, &rec, &err)) > 0) {
		if (!within(rec.text, rec.len, buf, size))
			FAIL("record outside the input");
		if (rec.line < last || rec.line < 1 ||
		    rec.line > nfx_klog_lines(kl))
			FAIL("record of line %lu after line %lu (%lu read)",
			     rec.line, last, nfx_klog_lines(kl));
		last = rec.line;
		nfx_klog_time_str(rec.time, rec.clock, t, sizeof(t));
		want = nfx_diag_add(d, &rec) > 0;
	}
	if (ret < 0 && (ret != -EINVAL || err.code != ret))
		FAIL("next returned %d", ret);
	nfx_klog_close(kl, NULL);
	nfx_diag_finish(d);
	memset(&live, 0, sizeof(live));
	live.present = true;
	live.features = true;
	snprintf(live.bridge, sizeof(live.bridge), "vmbr0");
	for (i = 0; i < nfx_diag_count(d); i++) {
		const struct nfx_diag_event *ev = nfx_diag_event(d, i);

		if (!ev)
			FAIL("no event %zu of %zu", i, nfx_diag_count(d));
		if (strnlen(ev->ifname, sizeof(ev->ifname)) == sizeof(ev->ifname) ||
		    strnlen(ev->pci, sizeof(ev->pci)) == sizeof(ev->pci) ||
		    strnlen(ev->driver, sizeof(ev->driver)) == sizeof(ev->driver))
			FAIL("event %zu: unterminated name", i);
		nfx_klog_time_str(ev->first, ev->clock, t, sizeof(t));
		nfx_klog_time_str(ev->last, ev->clock, t, sizeof(t));
		nfx_diag_kind_name(ev->kind);
		nfx_diag_match_name(ev->match);
		nfx_diag_is_hang(ev);
		nfx_diag_advise(ev, NULL, &adv);
		nfx_diag_advise(ev, &live, &adv);
	}
	nfx_diag_undated(d);
	nfx_diag_free(d);
}

static bool same_rec(const struct nfx_klog_rec *a,
		     const struct nfx_klog_rec *b)
{
	return a->len == b->len && !memcmp(a->text, b->text, a->len) &&
	       a->time == b->time && a->clock == b->clock &&
	       a->line == b->line && a->repeat == b->repeat &&
	       a->cont == b->cont && a->kernel == b->kernel;
}

/* the memory reader against the descriptor reader, every line */
static void fd_vs_mem(const char *buf, size_t size,
		      const struct nfx_klog_opts *o)
{
	struct nfx_klog *km = NULL, *kf = NULL;
	struct nfx_klog_rec rm, rf;
	int fd, ret_m, ret_f;

	fd = memfd_create("fuzz_klog", MFD_CLOEXEC);
	if (fd < 0 || write(fd, buf, size) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	if (nfx_klog_open_mem(buf, size, o, &km, NULL) < 0 ||
	    nfx_klog_open_fd(fd, o, &kf, NULL) < 0)
		abort();
	do {
		ret_m = nfx_klog_next(km, true, &rm, NULL);
		ret_f = nfx_klog_next(kf, true, &rf, NULL);
		if (ret_m != ret_f)
			FAIL("memory reader %d, descriptor reader %d at line %lu",
			     ret_m, ret_f, nfx_klog_lines(km));
		if (ret_m > 0 && !same_rec(&rm, &rf))
			FAIL("the readers differ at line %lu", rm.line);
	} while (ret_m > 0);
	if (nfx_klog_lines(km) != nfx_klog_lines(kf))
		FAIL("memory reader read %lu lines, descriptor reader %lu",
		     nfx_klog_lines(km), nfx_klog_lines(kf));
	nfx_klog_close(km, NULL);
	nfx_klog_close(kf, NULL);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 2026-11-23 12:00:00, as the unit tests have it */
	const long long now = nfx_klog_civil(2026, 11, 23, 12, 0, 0);
	struct nfx_klog_opts o = { NFX_TIME_NONE, NFX_TIME_NONE };
	struct nfx_diag_opts dopts = { NFX_TIME_NONE };
	const char *buf = (const char *)data;
	long long when;

	if (size & 1)
		o.now = now;
	if (size & 2)
		o.boot = now - 86400000LL;
	if (size & 4)
		dopts.since = now - 7 * 86400000LL;
	parse_lines(buf, size, &o);
	check_find(buf, size);
	read_all(buf, size, &o, &dopts);
	/* its 1 MiB buffer costs page faults: one input in 32 */
	if (size % 32 == 7)
		fd_vs_mem(buf, size, &o);
	if (size < 64) {
		char s[64];

		memcpy(s, data, size);
		s[size] = '\0';
		nfx_klog_parse_since(s, now, &when, NULL);
	}
	return 0;
}
