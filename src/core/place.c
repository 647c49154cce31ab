/* place.c - where an offload line goes, and where Proxmox VE loses one */
#include <string.h>

#include "place.h"

static bool fam_is(const struct nfx_ifstanza *st, const char *fam)
{
	return st->family && st->familylen == strlen(fam) &&
	       !memcmp(st->family, fam, st->familylen);
}

static bool same_family(const struct nfx_ifstanza *a,
			const struct nfx_ifstanza *b)
{
	if (!a->family || !b->family)
		return !a->family && !b->family;
	return a->familylen == b->familylen &&
	       !memcmp(a->family, b->family, a->familylen);
}

static bool has_option(const struct nfx_iffile *f,
		       const struct nfx_ifstanza *st, const char *key)
{
	size_t i;

	for (i = 0; i < st->nopt; i++)
		if (nfx_ifopt_is(&f->opts[st->opt + i], key))
			return true;
	return false;
}

/* lower is better: inet, then typeless or another family, then inet6
 * (Proxmox keeps the last stanza of a family, whatever it holds)
 */
static int rank(const struct nfx_ifstanza *st)
{
	if (fam_is(st, "inet"))
		return 0;
	return fam_is(st, "inet6") ? 2 : 1;
}

long nfx_place_stanza(const struct nfx_ifconf *conf, const char *name)
{
	long best = -1;
	int best_rank = 4;
	size_t i;

	for (i = 0; i < conf->nrefs; i++) {
		const struct nfx_ifref *r = &conf->refs[i];
		int k;

		if (!nfx_ifstanza_is(r->st, name))
			continue;
		k = rank(r->st);
		/* "<=": of one rank, the last */
		if (k <= best_rank) {
			best = (long)i;
			best_rank = k;
		}
	}
	return best;
}

/* offset just past the logical line starting at @pos (continuations
 * joined, as ifupdown reads them)
 */
static size_t line_end(const struct nfx_iffile *f, size_t pos)
{
	const char *buf = f->buf, *nl;

	for (;;) {
		size_t nb = 0;
		const char *q;

		nl = memchr(buf + pos, '\n', f->len - pos);
		if (!nl)
			return f->len;
		q = nl;
		if (q > buf + pos && q[-1] == '\r')
			q--;
		while (q > buf + pos && q[-1] == '\\') {
			q--;
			nb++;
		}
		pos = (size_t)(nl - buf) + 1;
		if (!(nb % 2))
			return pos;
	}
}

/* Does [from, to) hold a line of blanks only (Proxmox's /^\s*$/)? */
static bool blank_between(const struct nfx_iffile *f, size_t from, size_t to)
{
	size_t p = from;

	while (p < to) {
		bool blank = true;

		for (; p < to && f->buf[p] != '\n'; p++)
			if (f->buf[p] != ' ' && f->buf[p] != '\t' && f->buf[p] != '\r')
				blank = false;
		if (p < to && blank)
			return true;
		p++;
	}
	return false;
}

bool nfx_place_blank_before(const struct nfx_iffile *f,
			    const struct nfx_ifstanza *st, size_t opt)
{
	size_t from = line_end(f, st->start);

	if (opt >= st->nopt)
		return false;
	return blank_between(f, from, f->opts[st->opt + opt].start);
}

long nfx_place_after(const struct nfx_iffile *f, const struct nfx_ifstanza *st)
{
	size_t from = line_end(f, st->start), i;
	long after = -1;

	for (i = 0; i < st->nopt; i++) {
		const struct nfx_ifopt *op = &f->opts[st->opt + i];

		if (blank_between(f, from, op->start))
			break;
		after = (long)i;
		from = op->end;
	}
	return after;
}

enum nfx_risk nfx_place_risk(const struct nfx_ifconf *conf, size_t ref,
			     size_t opt, const char **ret_reason)
{
	const struct nfx_ifref *r = &conf->refs[ref];
	enum nfx_risk risk = NFX_RISK_NONE;
	size_t i;

	if (!conf->nfiles || r->file != conf->files[0] ||
	    r->st->kind != NFX_ST_IFACE)
		goto out;
	if (nfx_place_blank_before(r->file, r->st, opt)) {
		risk = NFX_RISK_BLANK;
		goto out;
	}
	for (i = ref + 1; i < conf->nrefs; i++) {
		const struct nfx_ifref *o = &conf->refs[i];

		if (o->file == r->file && o->st->kind == NFX_ST_IFACE &&
		    o->st->namelen == r->st->namelen &&
		    !memcmp(o->st->name, r->st->name, r->st->namelen) &&
		    same_family(o->st, r->st)) {
			risk = NFX_RISK_EARLIER;
			goto out;
		}
	}
	if (fam_is(r->st, "inet6") && !has_option(r->file, r->st, "address"))
		risk = NFX_RISK_INET6;
out:
	if (ret_reason)
		*ret_reason = nfx_place_reason(risk);
	return risk;
}

const char *nfx_place_reason(enum nfx_risk risk)
{
	switch (risk) {
	case NFX_RISK_BLANK:
		return "it follows a blank line inside its stanza: Proxmox VE's parser ends the stanza there and its writer moves the line, possibly into another stanza";
	case NFX_RISK_EARLIER:
		return "a later stanza of the same family follows for this interface: Proxmox VE merges them and keeps only the last one's options";
	case NFX_RISK_INET6:
		return "its stanza is inet6 without an address: a Proxmox VE GUI edit drops the stanza and its options";
	case NFX_RISK_NONE:
		break;
	}
	return "";
}

bool nfx_place_brought_up(const struct nfx_ifconf *conf, const char *name)
{
	size_t f, nlen = strlen(name);

	for (f = 0; f < conf->nfiles; f++) {
		const char *p = conf->files[f]->buf;
		const char *end = p + conf->files[f]->len;

		while (p < end) {
			const char *eol = memchr(p, '\n', (size_t)(end - p)), *w;
			size_t len;
			bool up;

			if (!eol)
				eol = end;
			w = nfx_ifword_next(&p, eol, &len);
			up = w && ((len == 4 && !memcmp(w, "auto", 4)) ||
				   (len == 13 && !memcmp(w, "allow-hotplug", 13)) ||
				   (len == 10 && !memcmp(w, "allow-auto", 10)));
			while (up && (w = nfx_ifword_next(&p, eol, &len)) && *w != '#')
				if (len == nlen && !memcmp(w, name, len))
					return true;
			p = eol < end ? eol + 1 : end;
		}
	}
	return false;
}
