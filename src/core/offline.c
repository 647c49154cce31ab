/* offline.c - recognise and write ethtool offload command lines */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "feat.h"
#include "offline.h"

#define MAX_TOKENS NFX_OFFLINE_MAX_WORDS

struct tok {
	const char *s;
	size_t len;
	size_t off; /* offset in the command */
};

static bool is_blank(const char *p)
{
	return *p == ' ' || *p == '\t' || *p == '\r' ||
	       (p[0] == '\\' && (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n')));
}

/* Split on blanks; a backslash-newline is a blank too (continuation). */
static size_t tokenize(const char *cmd, struct tok *t, size_t max)
{
	const char *p = cmd;
	size_t n = 0;

	for (;;) {
		while (*p && (is_blank(p) || *p == '\n'))
			p += p[0] == '\\' ? (p[1] == '\r' ? 3 : 2) : 1;
		if (!*p || n == max)
			return n;
		t[n].s = p;
		t[n].off = (size_t)(p - cmd);
		/* a ';' ends a command whatever touches it: "gro off;" */
		if (*p == ';')
			p++;
		else
			while (*p && !is_blank(p) && *p != '\n' && *p != ';')
				p++;
		t[n].len = (size_t)(p - t[n].s);
		n++;
	}
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

static bool tok_in(const struct tok *t, const char *const *set)
{
	for (; *set; set++)
		if (tok_is(t, *set))
			return true;
	return false;
}

static const char *const programs[] = {
	"ethtool", "/sbin/ethtool", "/usr/sbin/ethtool", "/bin/ethtool",
	"/usr/bin/ethtool", NULL,
};
static const char *const offload_opts[] = { "-K", "--offload", "--features",
					    NULL };
static const char *const guards[] = { "true", ":", "/bin/true",
				      "/usr/bin/true", NULL };
/* output that an admin silences; harmless before the guard */
static const char *const redirs[] = { "2>/dev/null", ">/dev/null", "&>/dev/null",
				      "2>&1", ">/dev/null", NULL };

const char *nfx_offline_feat_norm(const char *name)
{
	return nfx_feat_shown(name);
}

static bool tok_ends(const struct tok *t)
{
	return tok_is(t, "||") || tok_is(t, ";") || tok_is(t, "&&") ||
	       tok_is(t, "|") ||
	       tok_in(t, redirs);
}

int nfx_offline_parse(const char *cmd, struct nfx_offline *ret,
		      struct nfx_err *err)
{
	struct tok t[MAX_TOKENS + 1];
	struct nfx_offline line;
	size_t n, i;

	/* one token more than is kept: a longer line must not be cut */
	n = tokenize(cmd, t, MAX_TOKENS + 1);
	if (n < 2 || !tok_in(&t[0], programs) || !tok_in(&t[1], offload_opts))
		return -ENOENT;
	if (n > MAX_TOKENS)
		return nfx_err_set(err, -EINVAL, "ethtool -K: too many words");
	memset(&line, 0, sizeof(line));
	if (n < 3 || tok_ends(&t[2]))
		return nfx_err_set(err, -EINVAL, "ethtool -K without a device");
	if (t[2].len >= sizeof(line.dev))
		return nfx_err_set(err, -EINVAL,
				   "ethtool -K: '%.*s' is too long for a device name",
				   (int)t[2].len, t[2].s);
	memcpy(line.dev, t[2].s, t[2].len);
	line.dev_off = t[2].off;
	/* $IFACE is what a line in the port's own stanza says */
	if (strcmp(line.dev, "$IFACE") && strcmp(line.dev, "${IFACE}") &&
	    nfx_ifname_check(line.dev, NULL) < 0)
		return nfx_err_set(err, -EINVAL,
				   "ethtool -K: invalid device '%s'", line.dev);
	for (i = 3; i < n; i += 2) {
		char name[32];

		if (tok_ends(&t[i]))
			break;
		if (tok_is(&t[i], "on") || tok_is(&t[i], "off"))
			return nfx_err_set(err, -EINVAL,
					   "ethtool -K %s: '%.*s' where a feature name belongs",
					   line.dev, (int)t[i].len, t[i].s);
		if (t[i].len >= sizeof(name))
			return nfx_err_set(err, -EINVAL,
					   "ethtool -K %s: '%.*s' is not a feature name",
					   line.dev, (int)t[i].len, t[i].s);
		memcpy(name, t[i].s, t[i].len);
		name[t[i].len] = '\0';
		if (!nfx_feat_name_valid(name))
			return nfx_err_set(err, -EINVAL,
					   "ethtool -K %s: invalid feature '%s'",
					   line.dev, name);
		if (i + 1 >= n || tok_ends(&t[i + 1]))
			return nfx_err_set(err, -EINVAL,
					   "ethtool -K %s: %s without on or off",
					   line.dev, name);
		if (!(tok_is(&t[i + 1], "on") || tok_is(&t[i + 1], "off")))
			return nfx_err_set(err, -EINVAL,
					   "ethtool -K %s %s: '%.*s' is not on or off",
					   line.dev, name, (int)t[i + 1].len,
					   t[i + 1].s);
		if (line.n == NFX_OFFLINE_MAX_FEAT)
			return nfx_err_set(err, -EINVAL,
					   "ethtool -K %s: too many features",
					   line.dev);
		snprintf(line.feat[line.n].name, sizeof(line.feat[0].name), "%s",
			 nfx_offline_feat_norm(name));
		line.feat[line.n].on = tok_is(&t[i + 1], "on");
		line.n++;
		line.feat_end = t[i + 1].off + t[i + 1].len;
	}
	if (line.n == 0)
		return nfx_err_set(err, -EINVAL, "ethtool -K %s without features",
				   line.dev);
	while (i < n && tok_in(&t[i], redirs))
		i++;
	if (i + 1 < n && tok_is(&t[i], "||") && tok_in(&t[i + 1], guards))
		i += 2;
	if (i < n && (tok_is(&t[i], ";") || tok_is(&t[i], "&&"))) {
		/* other commands follow: they run too, and the line's status
		 * is theirs */
		size_t k = i + 1;

		while (k < n && tok_is(&t[k], ";") && tok_is(&t[i], ";"))
			k++;
		/* a command must follow "&&", and none starts with an
		 * operator: sh refuses such a line, and so ifup fails */
		if ((k == n && tok_is(&t[i], "&&")) ||
		    (k < n && (tok_is(&t[k], "&&") || tok_is(&t[k], "||") ||
			       tok_is(&t[k], ";"))))
			return nfx_err_set(err, -EINVAL,
					   "ethtool -K %s: '%.*s' with no command after it",
					   line.dev, (int)t[i].len, t[i].s);
		if (k < n)
			line.more = t[k].off;
		i = n;
	} else if (i < n && !(i + 2 == n && tok_is(&t[i], "||") &&
			      tok_in(&t[i + 1], guards))) {
		return nfx_err_set(err, -EINVAL,
				   "ethtool -K %s: unexpected '%.*s' after the features",
				   line.dev, (int)t[i].len, t[i].s);
	}
	/* "|| true" at the very end: the line as a whole cannot fail */
	line.guarded = n >= 2 && tok_is(&t[n - 2], "||") && tok_in(&t[n - 1], guards);
	*ret = line;
	return 0;
}

int nfx_offline_state(const struct nfx_offline *line, const char *name)
{
	const char *norm = nfx_offline_feat_norm(name);
	int state = -1;
	size_t i;

	/* the last word wins, as in ethtool's own parsing */
	for (i = 0; i < line->n; i++)
		if (!strcmp(line->feat[i].name, norm))
			state = line->feat[i].on;
	return state;
}

/* Append @s to @buf at *@pos; Return: false when it does not fit. */
static bool append(char *buf, size_t len, size_t *pos, const char *s, size_t n)
{
	if (*pos + n >= len)
		return false;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
	return true;
}

static bool append_str(char *buf, size_t len, size_t *pos, const char *s)
{
	return append(buf, len, pos, s, strlen(s));
}

int nfx_offline_format(const char *dev, const struct nfx_featreq *req,
		       char *buf, size_t len)
{
	size_t pos = 0, i;
	bool ok;

	if (!len)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	ok = append_str(buf, len, &pos, "ethtool -K ") &&
	     append_str(buf, len, &pos, dev);
	for (i = 0; ok && i < nfx_featreq_count(req); i++)
		ok = append_str(buf, len, &pos, " ") &&
		     append_str(buf, len, &pos,
				nfx_offline_feat_norm(nfx_featreq_name(req, i))) &&
		     append_str(buf, len, &pos, " off");
	ok = ok && append_str(buf, len, &pos, " || true");
	return ok ? 0 : -ENAMETOOLONG;
}

static bool requested(const struct nfx_featreq *req, const char *name)
{
	size_t i;

	for (i = 0; i < nfx_featreq_count(req); i++)
		if (!strcmp(nfx_offline_feat_norm(nfx_featreq_name(req, i)), name))
			return true;
	return false;
}

/* @s's first @n bytes less one trailing blank, ';' or continuation
 * (what tokenize() skips or splits off); @n when nothing is left to strip
 * or the byte is escaped */
static size_t strip_end(const char *s, size_t n)
{
	if (n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\\')
		return n - 2;
	if (n >= 3 && s[n - 1] == '\n' && s[n - 2] == '\r' && s[n - 3] == '\\')
		return n - 3;
	if (!n || !strchr(" \t\r\n;", s[n - 1]) || (n >= 2 && s[n - 2] == '\\'))
		return n;
	return n - 1;
}

int nfx_offline_complete(const char *cmd, const struct nfx_offline *line,
			 const struct nfx_featreq *req, char *buf, size_t len)
{
	struct tok t[MAX_TOKENS + 1];
	size_t n, i, pos = 0, from = 0, tail;
	bool ok = len > 0;

	if (ok)
		buf[0] = '\0';
	n = tokenize(cmd, t, MAX_TOKENS);
	/* turn requested features that the line switches on to off */
	for (i = 3; ok && i + 1 < n && t[i + 1].off < line->feat_end; i += 2) {
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)t[i].len, t[i].s);
		if (!tok_is(&t[i + 1], "on") ||
		    !requested(req, nfx_offline_feat_norm(name)))
			continue;
		ok = append(buf, len, &pos, cmd + from, t[i + 1].off - from) &&
		     append_str(buf, len, &pos, "off");
		from = t[i + 1].off + t[i + 1].len;
	}
	ok = ok && append(buf, len, &pos, cmd + from, line->feat_end - from);
	for (i = 0; ok && i < nfx_featreq_count(req); i++) {
		const char *name = nfx_offline_feat_norm(nfx_featreq_name(req, i));

		if (nfx_offline_state(line, name) >= 0)
			continue;
		ok = append_str(buf, len, &pos, " ") &&
		     append_str(buf, len, &pos, name) &&
		     append_str(buf, len, &pos, " off");
	}
	tail = strlen(cmd + line->feat_end);
	/* "|| true" after a final ';' would be a line sh refuses */
	for (size_t was = tail + 1; !line->guarded && tail < was;) {
		was = tail;
		tail = strip_end(cmd + line->feat_end, tail);
	}
	ok = ok && append(buf, len, &pos, cmd + line->feat_end, tail);
	if (ok && !line->guarded)
		ok = append_str(buf, len, &pos, " || true");
	/* the pairs and the guard are words too: a line nfx_offline_parse()
	 * would refuse as too many words must not be written */
	if (ok && tokenize(buf, t, MAX_TOKENS + 1) > MAX_TOKENS)
		ok = false;
	return ok ? 0 : -ENAMETOOLONG;
}

int nfx_offline_rename(const char *cmd, const struct nfx_offline *line,
		       const char *dev, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%.*s%s%s", (int)line->dev_off, cmd, dev,
			 cmd + line->dev_off + strlen(line->dev));

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
