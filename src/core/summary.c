/* summary.c - one port's apply report in the names an admin asked for
 *
 * nfx_apply() reports kernel bits (tx-tcp-segmentation, tx-tcp6-...); the
 * admin asked for tso, gso, gro.  The CLI's apply line and the hook's
 * journal line both say what became of each requested name, so both are
 * made here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nicfix.h"

void nfx_summarize(const struct nfx_report *r, const struct nfx_featreq *req,
		   struct nfx_summary *s)
{
	size_t i, k, count = nfx_featreq_count(req);

	memset(s, 0, sizeof(*s));
	for (i = 0; i < count && s->n < NFX_SUMMARY_MAX; i++) {
		const char *name = nfx_featreq_name(req, i);
		bool any = false, on = false, turned = false, failed = false;
		bool all_fixed = true;

		for (k = 0; k < r->n; k++) {
			const struct nfx_item *it = &r->items[k];

			if (!nfx_feat_covers(name, it->name))
				continue;
			any = true;
			on |= it->on;
			turned |= it->result == NFX_RES_OFF;
			failed |= it->on && it->result != NFX_RES_FIXED;
			all_fixed &= it->result == NFX_RES_FIXED;
		}
		s->name[s->n] = nfx_feat_shown(name);
		s->on[s->n] = on;
		if (!any)
			s->out[s->n] = NFX_OUT_NONE;
		else if (failed)
			s->out[s->n] = NFX_OUT_FAILED;
		else if (on || all_fixed)
			s->out[s->n] = NFX_OUT_FIXED;
		else if (turned)
			s->out[s->n] = NFX_OUT_TURNED_OFF;
		else
			s->out[s->n] = NFX_OUT_ALREADY_OFF;
		s->n++;
	}
}

bool nfx_summary_on(const struct nfx_summary *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->out[i] != NFX_OUT_NONE && s->on[i])
			return true;
	return false;
}

/* "tso gso" of the names with @out (or, @out == NFX_OUT_MAX, with @on) */
static void join(const struct nfx_summary *s, enum nfx_outcome out, bool on,
		 char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < s->n; i++) {
		if (s->out[i] == NFX_OUT_NONE)
			continue;
		if (out == NFX_OUT_MAX ? s->on[i] != on : s->out[i] != out)
			continue;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? " " : "", s->name[i]);
	}
}

__attribute__((format(printf, 4, 5)))
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

void nfx_summary_text(const struct nfx_summary *s, char *buf, size_t len)
{
	static const char *const text[NFX_OUT_MAX] = {
		[NFX_OUT_TURNED_OFF] = "turned off",
		[NFX_OUT_FIXED] = "fixed",
		[NFX_OUT_FAILED] = "failed",
	};
	char off[512], on[512], names[512];
	bool paren = false;
	size_t pos = 0;
	int o;

	if (!len)
		return;
	buf[0] = '\0';
	join(s, NFX_OUT_MAX, false, off, sizeof(off));
	join(s, NFX_OUT_MAX, true, on, sizeof(on));
	if (off[0])
		put(buf, len, &pos, "%s off%s", off, on[0] ? "," : "");
	if (on[0])
		put(buf, len, &pos, "%s%s still on", pos ? " " : "", on);
	for (o = NFX_OUT_TURNED_OFF; o < NFX_OUT_MAX; o++) {
		if (!text[o])
			continue;
		join(s, o, false, names, sizeof(names));
		if (!names[0])
			continue;
		put(buf, len, &pos, "%s%s: %s", paren ? "; " : " (", text[o], names);
		paren = true;
	}
	if (!paren && off[0])
		put(buf, len, &pos, " (already off)");
	else if (!paren && !on[0])
		put(buf, len, &pos, "(none of these features on this device)");
	else if (paren)
		put(buf, len, &pos, ")");
}
