/* wrate.c - per-port rate limits as data: the times of past actions, and
 * limits like "one a minute, five an hour" checked against them; and how
 * long a port has stayed hung, from the kernel's times of its reports
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nicfix.h"

static const struct {
	const char *name;
	unsigned int seconds;
} units[] = {
	{ "s", 1 },	   { "sec", 1 },       { "second", 1 },
	{ "m", 60 },	   { "min", 60 },      { "minute", 60 },
	{ "h", 3600 },	   { "hour", 3600 },   { "d", 86400 },
	{ "day", 86400 },
};

/* "60", "min", "10min", "hour": a span in seconds */
static int span(const char *s, size_t n, unsigned int *ret)
{
	unsigned long v = 0;
	size_t i = 0, k;

	while (i < n && s[i] >= '0' && s[i] <= '9' && v < 10000000)
		v = v * 10 + (unsigned long)(s[i++] - '0');
	if (i == n) {
		if (!i || !v)
			return -EINVAL;
		*ret = (unsigned int)v;
		return 0;
	}
	if (!i)
		v = 1;
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (strlen(units[k].name) == n - i &&
		    !memcmp(units[k].name, s + i, n - i) && v) {
			*ret = (unsigned int)v * units[k].seconds;
			return 0;
		}
	return -EINVAL;
}

int nfx_rate_parse(const char *s, struct nfx_rate *ret, size_t *ret_n,
		   struct nfx_err *err)
{
	struct nfx_rate lim[NFX_RATE_MAX];
	const char *p = s;
	size_t n = 0;

	while (*p) {
		size_t len = strcspn(p, ", \t");
		const char *slash = memchr(p, '/', len);
		unsigned long count = 0;
		const char *q;

		if (len) {
			if (!slash || slash == p || n == NFX_RATE_MAX)
				goto bad;
			for (q = p; q < slash; q++) {
				if (*q < '0' || *q > '9' || count > NFX_RATE_HIST)
					goto bad;
				count = count * 10 + (unsigned long)(*q - '0');
			}
			if (!count || count > NFX_RATE_HIST ||
			    span(slash + 1, len - (size_t)(slash + 1 - p),
				 &lim[n].seconds) < 0)
				goto bad;
			lim[n++].count = (unsigned int)count;
		}
		p += len;
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
	}
	if (!n)
		goto bad;
	memcpy(ret, lim, n * sizeof(*lim));
	*ret_n = n;
	return 0;
bad:
	return nfx_err_set(err, -EINVAL,
			   "invalid rate limit '%s' (try \"1/min,5/hour\": at "
			   "most %d actions per span, up to %d limits)",
			   s, NFX_RATE_HIST, NFX_RATE_MAX);
}

bool nfx_rate_allow(const struct nfx_rate *lim, size_t n,
		    const long long *hist, long long now)
{
	size_t i, k, within;

	for (i = 0; i < n; i++) {
		within = 0;
		for (k = 0; k < NFX_RATE_HIST && hist[k]; k++)
			if (now - hist[k] < (long long)lim[i].seconds)
				within++;
		if (within >= lim[i].count)
			return false;
	}
	return true;
}

void nfx_rate_note(long long *hist, long long now)
{
	memmove(hist + 1, hist, (NFX_RATE_HIST - 1) * sizeof(*hist));
	/* 0 means "none": an action at time 0 is kept as 1 */
	hist[0] = now ? now : 1;
}

int nfx_span_parse(const char *s, unsigned int *ret_seconds,
		   struct nfx_err *err)
{
	unsigned int v;

	if (span(s, strlen(s), &v) < 0)
		return nfx_err_set(err, -EINVAL,
				   "invalid span '%s' (try \"10min\": a number "
				   "and s, min, hour or day)",
				   s);
	*ret_seconds = v;
	return 0;
}

unsigned long long nfx_wport_hung_for(struct nfx_wport *p,
				      unsigned long long usec, bool off)
{
	/* the kernel's times: a restart or a backlog gives the same answer */
	bool gap = p->last_report_us &&
		   (usec < p->last_report_us ||
		    usec - p->last_report_us > NFX_HANG_GAP_S * 1000000ULL);

	p->last_report_us = usec ? usec : 1;
	if (!off || gap)
		p->off_since_us = 0;
	if (!off)
		return 0;
	if (!p->off_since_us)
		p->off_since_us = p->last_report_us;
	return (p->last_report_us - p->off_since_us) / 1000000;
}
