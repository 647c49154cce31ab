/* wconf.c - read /etc/default/nicfix: KEY=value lines, no shell */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nicfix.h"

#define CONF_VAL 1024

static bool key_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* The value of one line from @s (at the '=' + 1) to @e. */
static int value(const char *s, const char *e, char *out, const char **why)
{
	size_t o = 0;
	char q = 0;

	for (; s < e; s++) {
		char c = *s;

		if (o >= CONF_VAL - 1) {
			*why = "value too long";
			return -EINVAL;
		}
		if (q == '\'') {
			if (c == '\'')
				q = 0;
			else
				out[o++] = c;
		} else if (q == '"') {
			if (c == '"') {
				q = 0;
			} else if (c == '\\' && s + 1 < e &&
				   strchr("\"\\$`", s[1])) {
				out[o++] = *++s;
			} else if (c == '$' || c == '`') {
				*why = "no expansion ($, `) is done here";
				return -EINVAL;
			} else {
				out[o++] = c;
			}
		} else if (c == '\'' || c == '"') {
			q = c;
		} else if (c == ' ' || c == '\t') {
			/* the rest must be a comment */
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			if (s < e && *s != '#') {
				*why = "blank in an unquoted value";
				return -EINVAL;
			}
			break;
		} else if (strchr("$`\\;&|<>(){}", c)) {
			*why = "shell syntax in an unquoted value (quote it)";
			return -EINVAL;
		} else {
			out[o++] = c;
		}
	}
	if (q) {
		*why = "unterminated quote";
		return -EINVAL;
	}
	out[o] = '\0';
	return 0;
}

int nfx_conf_parse(const char *text, size_t len, nfx_conf_fn fn, void *ctx,
		   struct nfx_err *err)
{
	const char *p = text, *end = text + len;
	char key[64], *val;
	unsigned int line = 0;
	int ret = 0;

	val = malloc(CONF_VAL);
	if (!val)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *k, *why = "not KEY=value";

		if (!e)
			e = end;
		p = e + 1;
		line++;
		if (e > s && e[-1] == '\r')
			e--;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e || *s == '#')
			continue;
		if (e - s > 7 && !memcmp(s, "export ", 7))
			s += 7;
		for (k = s; k < e && key_char(*k, k == s); k++)
			;
		if (k == s || k == e || *k != '=' ||
		    (size_t)(k - s) >= sizeof(key))
			goto bad;
		memcpy(key, s, (size_t)(k - s));
		key[k - s] = '\0';
		if (value(k + 1, e, val, &why) < 0)
			goto bad;
		ret = fn(ctx, key, val, line, err);
		if (ret < 0)
			goto out;
		continue;
bad:
		ret = nfx_err_set(err, -EINVAL, "%u: %s", line, why);
		goto out;
	}
out:
	free(val);
	return ret;
}

int nfx_conf_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -EINVAL;
}
