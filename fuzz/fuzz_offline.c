/* fuzz_offline.c - libFuzzer target: the post-up line recogniser
 *
 * The input is the command of an up/post-up option; what follows its first
 * NUL byte, if any, is the feature list to complete it with (the default
 * "tso,gso,gro" when that does not parse).  Besides the sanitizers, it
 * checks what offline.h promises:
 * - nfx_offline_parse() returns 0, -ENOENT or -EINVAL, and a line it
 *   accepts has a valid device and 1..NFX_OFFLINE_MAX_FEAT valid,
 *   normalised features, with @feat_end inside the command;
 * - recognise -> write (nfx_offline_format) -> recognise gives the same
 *   device and feature set, all off, guarded;
 * - nfx_offline_complete() gives a line that is recognised again, for the
 *   same device, guarded, with every requested feature off and every other
 *   feature as it was, or refuses one that would be too many words;
 * - an accepted line followed by " &&" is malformed: nothing the parser
 *   does not look at may follow the features;
 * - neither writer overruns a buffer of any size (each buffer is an exact
 *   heap allocation, so ASan sees one byte too far).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feat.h"
#include "offline.h"

#define FUZZ_NAME "fuzz_offline"
#include "fuzz.h"

static char *dup_n(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static bool is_dev(const char *dev)
{
	return !strcmp(dev, "$IFACE") || !strcmp(dev, "${IFACE}") ||
	       nfx_ifname_check(dev, NULL) == 0;
}

/* the line's feature names as a comma list, for nfx_featreq_parse() */
static void join_names(const struct nfx_offline *l, char *buf, size_t len)
{
	size_t i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s",
					i ? "," : "", l->feat[i].name);
}

/* is @name among the normalised names of @req? */
static bool in_req(const struct nfx_featreq *req, const char *name)
{
	size_t i;

	for (i = 0; i < nfx_featreq_count(req); i++)
		if (!strcmp(nfx_offline_feat_norm(nfx_featreq_name(req, i)),
			    name))
			return true;
	return false;
}

static void check_line(const char *cmd, const struct nfx_offline *l)
{
	size_t i;

	if (l->n < 1 || l->n > NFX_OFFLINE_MAX_FEAT)
		FAIL("accepted with %zu features: '%s'", l->n, cmd);
	if (!is_dev(l->dev))
		FAIL("accepted invalid device '%s': '%s'", l->dev, cmd);
	if (l->feat_end > strlen(cmd))
		FAIL("feat_end %zu past the command: '%s'", l->feat_end, cmd);
	for (i = 0; i < l->n; i++) {
		if (!nfx_feat_name_valid(l->feat[i].name))
			FAIL("invalid feature '%s': '%s'", l->feat[i].name, cmd);
		if (strcmp(nfx_offline_feat_norm(l->feat[i].name),
			   l->feat[i].name))
			FAIL("feature '%s' not normalised: '%s'",
			     l->feat[i].name, cmd);
	}
}

/* nfx_offline_format() of the line's own features, then parse it back */
static void check_format(const char *cmd, const struct nfx_offline *l)
{
	char list[NFX_OFFLINE_MAX_FEAT * 33];
	struct nfx_featreq *req = NULL;
	struct nfx_offline back;
	size_t i, len, need;
	char *buf;
	int ret;

	join_names(l, list, sizeof(list));
	if (nfx_featreq_parse(list, &req, NULL) < 0)
		FAIL("its own features '%s' do not parse: '%s'", list, cmd);
	buf = malloc(4096);
	if (!buf)
		abort();
	if (nfx_offline_format(l->dev, req, buf, 4096) < 0)
		FAIL("format failed: '%s'", cmd);
	need = strlen(buf) + 1;
	ret = nfx_offline_parse(buf, &back, NULL);
	if (ret < 0)
		FAIL("written line '%s' not recognised (%d), from '%s'", buf,
		     ret, cmd);
	if (strcmp(back.dev, l->dev) || !back.guarded ||
	    back.n != nfx_featreq_count(req))
		FAIL("written line '%s' differs from '%s'", buf, cmd);
	for (i = 0; i < l->n; i++)
		if (nfx_offline_state(&back, l->feat[i].name) != 0)
			FAIL("'%s' not off in '%s', from '%s'", l->feat[i].name,
			     buf, cmd);
	free(buf);
	/* every shorter buffer: an error, and nothing written past it */
	for (len = need > 8 ? need - 8 : 0; len < need; len++) {
		buf = malloc(len ? len : 1);
		if (!buf)
			abort();
		if (nfx_offline_format(l->dev, req, buf, len) != -ENAMETOOLONG)
			FAIL("format fit %zu bytes for a %zu byte line", len,
			     need);
		free(buf);
	}
	nfx_featreq_free(req);
}

/* at least as many words as the parser counts: a backslash-newline, a
 * blank to it, is a word here */
static size_t words(const char *s)
{
	size_t n = 0;

	while (*s) {
		if (strchr(" \t\r\n", *s)) {
			s++;
		} else if (*s == ';') {
			n++;
			s++;
		} else {
			n++;
			while (*s && !strchr(" \t\r\n;", *s))
				s++;
		}
	}
	return n;
}

static void check_complete(const char *cmd, const struct nfx_offline *l,
			   const struct nfx_featreq *req, size_t small)
{
	struct nfx_offline back;
	size_t i, missing = 0, len = strlen(cmd) + 64 * 40 + 16;
	char *buf = malloc(len);
	int ret;

	if (!buf)
		abort();
	for (i = 0; i < nfx_featreq_count(req); i++)
		if (nfx_offline_state(l, nfx_featreq_name(req, i)) < 0)
			missing++;
	if (nfx_offline_complete(cmd, l, req, buf, len) < 0) {
		/* refused only where the result would be too many words */
		if (words(cmd) + 2 * missing + 2 <= NFX_OFFLINE_MAX_WORDS)
			FAIL("complete failed with %zu bytes: '%s'", len, cmd);
		free(buf);
		return;
	}
	ret = nfx_offline_parse(buf, &back, NULL);
	/* more than NFX_OFFLINE_MAX_FEAT is refused, and rightly */
	if (l->n + missing > NFX_OFFLINE_MAX_FEAT) {
		free(buf);
		return;
	}
	if (ret < 0)
		FAIL("completed line '%s' not recognised (%d), from '%s'", buf,
		     ret, cmd);
	if (strcmp(back.dev, l->dev) || !back.guarded)
		FAIL("completed line '%s' differs from '%s'", buf, cmd);
	for (i = 0; i < nfx_featreq_count(req); i++)
		if (nfx_offline_state(&back, nfx_featreq_name(req, i)) != 0)
			FAIL("'%s' not off in completed '%s', from '%s'",
			     nfx_featreq_name(req, i), buf, cmd);
	for (i = 0; i < l->n; i++)
		if (!in_req(req, l->feat[i].name) &&
		    nfx_offline_state(&back, l->feat[i].name) !=
			    nfx_offline_state(l, l->feat[i].name))
			FAIL("'%s' changed in completed '%s', from '%s'",
			     l->feat[i].name, buf, cmd);
	free(buf);
	/* a buffer that may be too small: an error or a whole line */
	buf = malloc(small ? small : 1);
	if (!buf)
		abort();
	ret = nfx_offline_complete(cmd, l, req, buf, small);
	if (ret == 0 && strlen(buf) >= small)
		FAIL("complete wrote %zu bytes into %zu", strlen(buf), small);
	if (ret != 0 && ret != -ENAMETOOLONG)
		FAIL("complete returned %d", ret);
	free(buf);
}

/* a command after an accepted line makes it malformed */
static void check_trailing(const char *cmd)
{
	size_t n = strlen(cmd);
	struct nfx_offline l;
	char *more = malloc(n + 4);
	int ret;

	if (!more)
		abort();
	memcpy(more, cmd, n);
	memcpy(more + n, " &&", 4);
	ret = nfx_offline_parse(more, &l, NULL);
	if (ret != -EINVAL)
		FAIL("'%s' accepted, and with ' &&' after it: %d", cmd, ret);
	free(more);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t cmd_len = nul ? (size_t)(nul - data) : size;
	struct nfx_featreq *req = NULL;
	struct nfx_offline l;
	struct nfx_err err;
	char *cmd, *list;
	int ret;

	cmd = dup_n(data, cmd_len);
	ret = nfx_offline_parse(cmd, &l, &err);
	if (ret != 0 && ret != -ENOENT && ret != -EINVAL)
		FAIL("parse returned %d: '%s'", ret, cmd);
	if (ret == -EINVAL && (err.code != -EINVAL || !err.msg[0]))
		FAIL("-EINVAL without a reason: '%s'", cmd);
	if (ret == 0) {
		/* what follows another command is that command's business */
		if (!l.more)
			check_trailing(cmd);
		check_line(cmd, &l);
		check_format(cmd, &l);
		list = nul ? dup_n(nul + 1, size - cmd_len - 1) : NULL;
		if (!list || nfx_featreq_parse(list, &req, NULL) < 0)
			if (nfx_featreq_default(&req, NULL) < 0)
				abort();
		check_complete(cmd, &l, req, size % 97);
		nfx_featreq_free(req);
		free(list);
	}
	free(cmd);
	return 0;
}
