/* kscan.c - find the lines a signature can start at, a vector at a time */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog.h"

/* ---- the anchor scan ---------------------------------------------------- */

/*
 * Every line a signature can start at holds one of these.  Each is looked
 * for on two of its bytes at once (Mula's SIMD-friendly substring search):
 * the first, and one @off bytes on chosen so the pair is rare in logs.
 */
static const struct anchor {
	const char *s;
	size_t len;
	unsigned char off;
} anchors[] = {
	{ "Unit Hang", 9, 5 },	     /* 'U' ... 'H' */
	{ "NETDEV WATCHDOG", 15, 7 }, /* 'N' ... 'W' */
	{ "Reset adapter", 13, 6 },  /* 'R' ... 'a' */
	{ "Link is ", 8, 6 },	     /* 'L' ... 's' */
};

#define N_ANCHORS (sizeof(anchors) / sizeof(anchors[0]))
#define MAX_OFF 7

/* 32 bytes a vector: one AVX2 register where the CPU has AVX2 (see
 * nfx_klog_find()), two SSE2 ones elsewhere
 */
#define VW 32
typedef signed char vec __attribute__((vector_size(VW)));
/* the same, for a load from any address (no alignment, any type) */
typedef signed char uvec __attribute__((vector_size(VW), aligned(1), may_alias));

/* Macros, not functions: a 32-byte vector passed or returned by a
 * function compiled without AVX is an ABI both compilers warn about.
 */
#define LOADV(p) (*(const uvec *)(const void *)(p))
#define SPLAT(c) ((vec){ 0 } + (signed char)(c))

static bool anchor_at(const char *buf, size_t p, size_t to)
{
	size_t k;

	for (k = 0; k < N_ANCHORS; k++)
		if (p + anchors[k].len <= to &&
		    !memcmp(buf + p, anchors[k].s, anchors[k].len))
			return true;
	return false;
}

static unsigned long count_nl(const char *buf, size_t from, size_t to)
{
	unsigned long nl = 0;
	const char *p = buf + from, *e = buf + to;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p)))) {
		nl++;
		p++;
	}
	return nl;
}

static unsigned long hsum(const vec *acc)
{
	unsigned char b[VW];
	unsigned long s = 0;
	int k;

	memcpy(b, acc, sizeof(b));
	for (k = 0; k < VW; k++)
		s += b[k];
	return s;
}

/* The start of the line around @p, which lies in [@from, @p]. */
static size_t line_start(const char *buf, size_t from, size_t p)
{
	const char *nl = memrchr(buf + from, '\n', p - from);

	return nl ? (size_t)(nl - buf) + 1 : from;
}

/* The scan, compiled twice below: for AVX2 and for the baseline. */
static inline __attribute__((always_inline)) size_t
find(const char *buf, size_t from, size_t to, unsigned long *ret_nl)
{
	vec first[N_ANCHORS], other[N_ANCHORS], nlv = SPLAT('\n');
	vec acc = SPLAT(0);
	unsigned long nl = 0;
	unsigned int rounds = 0;
	size_t i = from, k, best, ls;

	for (k = 0; k < N_ANCHORS; k++) {
		first[k] = SPLAT(anchors[k].s[0]);
		other[k] = SPLAT(anchors[k].s[anchors[k].off]);
	}
	for (; i + 4 * VW + MAX_OFF + VW <= to; i += 4 * VW) {
		vec a0 = LOADV(buf + i), a1 = LOADV(buf + i + VW);
		vec a2 = LOADV(buf + i + 2 * VW), a3 = LOADV(buf + i + 3 * VW);
		vec m0 = SPLAT(0), m1 = SPLAT(0), m2 = SPLAT(0), m3 = SPLAT(0);
		uint64_t w[VW / 8];
		int q;

		for (k = 0; k < N_ANCHORS; k++) {
			const char *b = buf + i + anchors[k].off;

			m0 |= (a0 == first[k]) & (LOADV(b) == other[k]);
			m1 |= (a1 == first[k]) & (LOADV(b + VW) == other[k]);
			m2 |= (a2 == first[k]) & (LOADV(b + 2 * VW) == other[k]);
			m3 |= (a3 == first[k]) & (LOADV(b + 3 * VW) == other[k]);
		}
		/* a true lane is -1: subtracting counts the newlines */
		acc -= (a0 == nlv) + (a1 == nlv) + (a2 == nlv) + (a3 == nlv);
		if (++rounds == 63) {
			/* 63 * 4 fits in a byte lane */
			nl += hsum(&acc);
			acc = SPLAT(0);
			rounds = 0;
		}
		{
			vec m = m0 | m1 | m2 | m3;
			uint64_t any = 0;

			memcpy(w, &m, sizeof(w));
			for (q = 0; q < VW / 8; q++)
				any |= w[q];
			if (__builtin_expect(!any, 1))
				continue;
		}
		for (q = 0; q < 4; q++) {
			vec m = q == 0 ? m0 : q == 1 ? m1 : q == 2 ? m2 : m3;
			int h;

			memcpy(w, &m, sizeof(w));
			for (h = 0; h < VW / 8; h++) {
				while (w[h]) {
					int bit = __builtin_ctzll(w[h]) & ~7;
					size_t p = i + q * VW + h * 8 + bit / 8;

					w[h] &= ~(0xffULL << bit);
					if (!anchor_at(buf, p, to))
						continue;
					/* the newlines of this whole chunk
					 * are counted: take back those from
					 * the line's start on */
					ls = line_start(buf, from, p);
					nl += hsum(&acc) -
					      count_nl(buf, ls, i + 4 * VW);
					*ret_nl += nl;
					return ls;
				}
			}
		}
	}
	nl += hsum(&acc);
	/* the tail, shorter than a round */
	best = to;
	for (k = 0; k < N_ANCHORS; k++) {
		const char *p = memmem(buf + i, to - i, anchors[k].s,
				       anchors[k].len);

		if (p && (size_t)(p - buf) < best)
			best = (size_t)(p - buf);
	}
	if (best == to) {
		*ret_nl += nl + count_nl(buf, i, to);
		return to;
	}
	ls = line_start(buf, from, best);
	if (ls > i)
		nl += count_nl(buf, i, ls);
	*ret_nl += nl;
	return ls;
}

__attribute__((target("avx2"))) static size_t
find_avx2(const char *buf, size_t from, size_t to, unsigned long *ret_nl)
{
	return find(buf, from, to, ret_nl);
}

static size_t find_base(const char *buf, size_t from, size_t to,
			unsigned long *ret_nl)
{
	return find(buf, from, to, ret_nl);
}

static bool have_avx2(void)
{
	static int avx2 = -1;

	if (avx2 < 0) {
		__builtin_cpu_init();
		avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	}
	return avx2;
}

size_t nfx_klog_find_isa(const char *buf, size_t from, size_t to,
			 unsigned long *ret_nl, bool avx2)
{
	return avx2 && have_avx2() ? find_avx2(buf, from, to, ret_nl)
				   : find_base(buf, from, to, ret_nl);
}

size_t nfx_klog_find(const char *buf, size_t from, size_t to,
		     unsigned long *ret_nl)
{
	return nfx_klog_find_isa(buf, from, to, ret_nl, true);
}

/* ---- joined messages -------------------------------------------------- */

size_t nfx_klog_split(const char *text, size_t len, bool kmsg)
{
	const char *p = memmem(text, len, kmsg ? "\\x0a" : "#012", 4);

	return p ? (size_t)(p - text) : len;
}

