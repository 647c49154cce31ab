/* diff.c - a unified diff of two texts that differ in one region */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

#define CONTEXT 3

struct lines {
	const char **s;
	size_t *len; /* with the newline, when there is one */
	size_t n;
};

static int split(const char *t, size_t tlen, struct lines *l)
{
	size_t i, n = 0, start = 0;

	for (i = 0; i < tlen; i++)
		if (t[i] == '\n')
			n++;
	n += tlen && t[tlen - 1] != '\n';
	l->s = calloc(n + 1, sizeof(*l->s));
	l->len = calloc(n + 1, sizeof(*l->len));
	if (!l->s || !l->len)
		return -1;
	l->n = 0;
	for (i = 0; i < tlen; i++) {
		if (t[i] == '\n' || i + 1 == tlen) {
			l->s[l->n] = t + start;
			l->len[l->n] = i + 1 - start;
			l->n++;
			start = i + 1;
		}
	}
	return 0;
}

static bool same(const struct lines *a, size_t i, const struct lines *b,
		 size_t k)
{
	return a->len[i] == b->len[k] && !memcmp(a->s[i], b->s[k], a->len[i]);
}

static void put(FILE *f, char tag, const char *s, size_t len)
{
	fputc(tag, f);
	fwrite(s, 1, len, f);
	if (!len || s[len - 1] != '\n')
		fputs("\n\\ No newline at end of file\n", f);
}

char *nfx_diff_unified(const char *name, const char *a, size_t alen,
		       const char *b, size_t blen)
{
	struct lines la = { 0 }, lb = { 0 };
	size_t pre = 0, suf = 0, from, ato, bto, i, size = 0;
	char *out = NULL;
	FILE *f;

	if (alen == blen && !memcmp(a, b, alen))
		return strdup("");
	if (split(a, alen, &la) < 0 || split(b, blen, &lb) < 0)
		goto out_free;
	while (pre < la.n && pre < lb.n && same(&la, pre, &lb, pre))
		pre++;
	while (suf < la.n - pre && suf < lb.n - pre &&
	       same(&la, la.n - 1 - suf, &lb, lb.n - 1 - suf))
		suf++;
	from = pre > CONTEXT ? pre - CONTEXT : 0;
	ato = la.n - suf + (suf > CONTEXT ? CONTEXT : suf);
	bto = lb.n - suf + (suf > CONTEXT ? CONTEXT : suf);
	f = open_memstream(&out, &size);
	if (!f)
		goto out_free;
	fprintf(f, "--- %s\n+++ %s\n", name, name);
	/* an empty range names the line before it, as diff does */
	fprintf(f, "@@ -%zu,%zu +%zu,%zu @@\n",
		ato > from ? from + 1 : from, ato - from,
		bto > from ? from + 1 : from, bto - from);
	for (i = from; i < pre; i++)
		put(f, ' ', la.s[i], la.len[i]);
	for (i = pre; i < la.n - suf; i++)
		put(f, '-', la.s[i], la.len[i]);
	for (i = pre; i < lb.n - suf; i++)
		put(f, '+', lb.s[i], lb.len[i]);
	for (i = la.n - suf; i < ato; i++)
		put(f, ' ', la.s[i], la.len[i]);
	fclose(f);
out_free:
	free(la.s);
	free(la.len);
	free(lb.s);
	free(lb.len);
	return out;
}
