/* cover.c - check: is every NIC of a bridge covered by a line that runs */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cover.h"
#include "feat.h"
#include "ifports.h"
#include "ifread.h"
#include "offline.h"
#include "place.h"

/* ifupdown2's ethtool addon options, and the feature each one sets */
static const struct {
	const char *key, *feat;
} native_opts[] = {
	{ "tso-offload", "tso" }, { "gso-offload", "gso" },
	{ "gro-offload", "gro" }, { "lro-offload", "lro" },
	{ "ufo-offload", "ufo" }, { "tx-offload", "tx" },
	{ "rx-offload", "rx" },
};

/* one offload line of the configuration, as check judges it */
struct lrec {
	size_t ref;
	size_t opt;   /* its index among the stanza's options */
	int prc;
	char why[512];
	struct nfx_offline p;
	long br;      /* its stanza's index in ctx.br, -1: not a bridge */
	unsigned int off, on; /* request bits it turns off, on */
	bool native;
	bool runs;
	bool counts;  /* it covers its device for the bridges it serves */
	char more[128]; /* the other commands after it */
};

struct br {
	char name[NFX_IFNAMSIZ];
	size_t ref;
	struct nfx_ports ports;
};

struct ctx {
	const struct nfx_ifconf *conf;
	const struct nfx_check_opts *co;
	struct nfx_check *c;
	struct lrec *l;
	size_t nl;
	struct br *b;
	size_t nb;
	char (*up)[NFX_IFNAMSIZ];
	size_t nup;
	unsigned int all; /* every bit of the request */
};

static void name_of(const struct nfx_ifstanza *st, char *buf)
{
	size_t n = st->namelen < NFX_IFNAMSIZ ? st->namelen : NFX_IFNAMSIZ - 1;

	memcpy(buf, st->name, n);
	buf[n] = '\0';
}

static unsigned int req_bit(const struct ctx *x, const char *name)
{
	const char *norm = nfx_offline_feat_norm(name);
	size_t i;

	for (i = 0; i < nfx_featreq_count(x->co->req) && i < 32; i++)
		if (!strcmp(nfx_offline_feat_norm(nfx_featreq_name(x->co->req, i)),
			    norm))
			return 1u << i;
	return 0;
}

static const char *file_of(const struct ctx *x, const struct nfx_iffile *f)
{
	size_t i;

	for (i = 0; i < x->conf->nfiles; i++)
		if (x->conf->files[i] == f)
			return x->c->files[i];
	return NULL;
}

static long br_find(const struct ctx *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nb; i++)
		if (!strcmp(x->b[i].name, name))
			return (long)i;
	return -1;
}

static bool is_up(const struct ctx *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nup; i++)
		if (!strcmp(x->up[i], name))
			return true;
	return false;
}

/* the names of "auto" and "allow-*" lines: what ifupdown brings up */
static int scan_up(struct ctx *x)
{
	size_t f;

	for (f = 0; f < x->conf->nfiles; f++) {
		const char *p = x->conf->files[f]->buf;
		const char *end = p + x->conf->files[f]->len;

		while (p < end) {
			const char *eol = memchr(p, '\n', (size_t)(end - p));
			const char *w;
			size_t wl;

			if (!eol)
				eol = end;
			w = nfx_ifword_next(&p, eol, &wl);
			if (w && ((wl == 4 && !memcmp(w, "auto", 4)) ||
				  (wl > 6 && !memcmp(w, "allow-", 6))))
				while ((w = nfx_ifword_next(&p, eol, &wl)) && *w != '#') {
					char(*up)[NFX_IFNAMSIZ];

					if (wl >= NFX_IFNAMSIZ)
						continue;
					up = nfx_check_grow(&x->up, &x->nup,
							    sizeof(*up));
					if (!up)
						return -ENOMEM;
					memcpy(*up, w, wl);
					(*up)[wl] = '\0';
				}
			p = eol + 1;
		}
	}
	return 0;
}

static int add_line(struct ctx *x, size_t r, const struct nfx_ifopt *op,
		    struct lrec **ret)
{
	const struct nfx_ifref *ref = &x->conf->refs[r];
	struct nfx_check_line *cl;
	struct lrec *l;

	l = nfx_check_grow(&x->l, &x->nl, sizeof(*l));
	if (!l)
		return -ENOMEM;
	cl = nfx_check_grow(&x->c->lines, &x->c->nlines, sizeof(*cl));
	if (!cl) {
		x->nl--;
		return -ENOMEM;
	}
	l->ref = r;
	l->opt = (size_t)(op - &ref->file->opts[ref->st->opt]);
	cl->file = file_of(x, ref->file);
	cl->line = op->lineno;
	name_of(ref->st, cl->stanza);
	l->br = br_find(x, cl->stanza);
	cl->text = strndup(op->key, (size_t)(op->val + op->vallen - op->key));
	if (!cl->text)
		return -ENOMEM;
	*ret = l;
	return 0;
}

/* the request bits a parsed line turns off and on, its names off */
static void judge_feats(struct ctx *x, struct lrec *l, struct nfx_check_line *cl)
{
	size_t k, pos = 0;

	for (k = 0; k < l->p.n; k++) {
		unsigned int bit = req_bit(x, l->p.feat[k].name);

		/* the last word wins, as in ethtool */
		if (l->p.feat[k].on) {
			l->on |= bit;
			l->off &= ~bit;
			continue;
		}
		l->off |= bit;
		l->on &= ~bit;
		if (pos < sizeof(cl->features))
			pos += (size_t)snprintf(cl->features + pos,
						sizeof(cl->features) - pos, "%s%s",
						pos ? " " : "", l->p.feat[k].name);
	}
}

static long native_key(const struct nfx_ifopt *op)
{
	size_t k;

	for (k = 0; k < sizeof(native_opts) / sizeof(native_opts[0]); k++)
		if (nfx_ifopt_is(op, native_opts[k].key))
			return (long)k;
	return -1;
}

/* one option: an offload line, ifupdown2's option, or nothing (0) */
static int scan_opt(struct ctx *x, size_t r, const struct nfx_ifopt *op)
{
	const struct nfx_ifref *ref = &x->conf->refs[r];
	struct nfx_err lerr = { 0 };
	struct nfx_check_line *cl;
	struct nfx_offline p;
	struct lrec *l;
	long nk = native_key(op);
	char *cmd = NULL;
	int rc;

	if (nk < 0) {
		if (!nfx_ifopt_is(op, "post-up") && !nfx_ifopt_is(op, "up"))
			return 0;
		cmd = strndup(op->val, op->vallen);
		if (!cmd)
			return -ENOMEM;
		if (nfx_offline_parse(cmd, &p, NULL) == -ENOENT) {
			free(cmd);
			return 0;
		}
	}
	rc = add_line(x, r, op, &l);
	if (rc < 0)
		goto out_free;
	cl = &x->c->lines[x->c->nlines - 1];
	if (nk >= 0) {
		l->native = cl->native = true;
		name_of(ref->st, l->p.dev);
		l->p.n = 1;
		snprintf(l->p.feat[0].name, sizeof(l->p.feat[0].name), "%s",
			 native_opts[nk].feat);
		l->p.feat[0].on = !(op->vallen == 3 && !memcmp(op->val, "off", 3)) &&
				  !(op->vallen == 2 && !memcmp(op->val, "no", 2));
		l->p.guarded = true;
	} else {
		l->prc = nfx_offline_parse(cmd, &l->p, &lerr);
		if (l->prc < 0) {
			snprintf(l->why, sizeof(l->why), "%s", lerr.msg);
			/* the device as written, when there is one */
			if (sscanf(cmd, "%*s %*s %15[^ \t;|&]", l->p.dev) != 1)
				l->p.dev[0] = '\0';
		} else if (l->p.more) {
			snprintf(l->more, sizeof(l->more), "%s", cmd + l->p.more);
		}
	}
	if (!strcmp(l->p.dev, "$IFACE") || !strcmp(l->p.dev, "${IFACE}"))
		name_of(ref->st, l->p.dev);
	snprintf(cl->port, sizeof(cl->port), "%s", l->p.dev);
	if (l->prc == 0)
		judge_feats(x, l, cl);
	if (l->native)
		l->runs = x->c->ifupdown == NFX_IFUPDOWN_2;
	else
		l->runs = l->br >= 0 || is_up(x, cl->stanza) ||
			  x->c->ifupdown == NFX_IFUPDOWN_2;
	cl->runs = l->runs;
	if (l->prc == 0 && l->runs && l->p.dev[0]) {
		char why[48];

		if (l->br >= 0)
			l->counts = nfx_ifports_phys(&x->b[l->br].ports, l->p.dev);
		else
			l->counts = !nfx_ifports_virtual(x->conf, l->p.dev, why,
							 sizeof(why));
	}
	rc = 0;
out_free:
	free(cmd);
	return rc;
}

static int scan_lines(struct ctx *x)
{
	size_t r, i;
	int rc;

	for (r = 0; r < x->conf->nrefs; r++) {
		const struct nfx_ifref *ref = &x->conf->refs[r];

		if (ref->st->kind != NFX_ST_IFACE)
			continue;
		for (i = 0; i < ref->st->nopt; i++) {
			rc = scan_opt(x, r, &ref->file->opts[ref->st->opt + i]);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int scan_bridges(struct ctx *x)
{
	size_t r, i;

	for (r = 0; r < x->conf->nrefs; r++) {
		const struct nfx_ifref *ref = &x->conf->refs[r];
		char name[NFX_IFNAMSIZ];
		struct br *b;

		if (ref->st->kind != NFX_ST_IFACE)
			continue;
		name_of(ref->st, name);
		for (i = 0; i < ref->st->nopt; i++) {
			const struct nfx_ifopt *op = &ref->file->opts[ref->st->opt + i];

			if (nfx_ifopt_is(op, "bridge-ports") ||
			    nfx_ifopt_is(op, "bridge_ports"))
				break;
		}
		if (i == ref->st->nopt || br_find(x, name) >= 0)
			continue;
		b = nfx_check_grow(&x->b, &x->nb, sizeof(*b));
		if (!b)
			return -ENOMEM;
		memcpy(b->name, name, sizeof(name));
		b->ref = r;
		nfx_ifports_behind(x->conf, name, &b->ports);
	}
	return 0;
}

static unsigned long hangs_of(const struct ctx *x, const char *port)
{
	size_t i;

	for (i = 0; i < x->co->nhangs; i++)
		if (!strcmp(x->co->hangs[i].ifname, port))
			return x->co->hangs[i].reports;
	return 0;
}

/* a checked bridge (or plain NIC); its NICs are added by add_ports() */
static struct nfx_check_bridge *unit(struct ctx *x, const char *name,
				     bool plain, unsigned int by)
{
	struct nfx_check_bridge *u;
	long r;
	size_t i;

	for (i = 0; i < x->c->nbridges; i++)
		if (!strcmp(x->c->bridges[i].name, name)) {
			x->c->bridges[i].by |= by;
			return &x->c->bridges[i];
		}
	u = nfx_check_grow(&x->c->bridges, &x->c->nbridges, sizeof(*u));
	if (!u)
		return NULL;
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->plain = plain;
	u->by = by;
	r = plain ? nfx_ifconf_find(x->conf, name, 0) :
		    (long)x->b[br_find(x, name)].ref;
	if (r >= 0) {
		u->file = file_of(x, x->conf->refs[r].file);
		u->line = x->conf->refs[r].st->lineno;
	}
	return u;
}

/* the units of the NIC @port: the bridges it is behind, else itself */
static int units_of_port(struct ctx *x, const char *port, unsigned int by)
{
	bool any = false;
	size_t i;

	for (i = 0; i < x->nb; i++)
		if (nfx_ifports_phys(&x->b[i].ports, port)) {
			if (!unit(x, x->b[i].name, false, by))
				return -ENOMEM;
			any = true;
		}
	if (!any && !unit(x, port, true, by))
		return -ENOMEM;
	return 0;
}

static int pick_units(struct ctx *x)
{
	const struct nfx_check_opts *co = x->co;
	size_t i;
	int rc;

	for (i = 0; i < co->nbridges; i++) {
		if (br_find(x, co->bridges[i]) >= 0)
			rc = unit(x, co->bridges[i], false, NFX_CHECK_BY_NAME) ? 0 : -ENOMEM;
		else
			rc = units_of_port(x, co->bridges[i], NFX_CHECK_BY_NAME);
		if (rc < 0)
			return rc;
	}
	if (co->nbridges)
		return 0;
	for (i = 0; i < x->nl; i++) {
		const struct lrec *l = &x->l[i];
		const struct nfx_check_line *cl = &x->c->lines[i];

		/* and every bridge its NIC serves: one line covers them all */
		rc = 0;
		if (l->br >= 0 && !unit(x, cl->stanza, false, NFX_CHECK_BY_LINES))
			rc = -ENOMEM;
		else if (l->br >= 0 && l->counts)
			rc = units_of_port(x, l->p.dev, NFX_CHECK_BY_LINES);
		else if (l->br >= 0)
			rc = 0;
		else if (l->p.dev[0] && !l->native)
			rc = units_of_port(x, l->p.dev, NFX_CHECK_BY_LINES);
		else
			rc = units_of_port(x, cl->stanza, NFX_CHECK_BY_LINES);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < co->nhangs; i++) {
		const struct nfx_check_hang *h = &co->hangs[i];
		bool in_conf = false;
		size_t k;

		for (k = 0; k < x->nb; k++)
			in_conf |= nfx_ifports_phys(&x->b[k].ports, h->ifname);
		if (!in_conf && h->bridge[0] && br_find(x, h->bridge) >= 0)
			rc = unit(x, h->bridge, false, NFX_CHECK_BY_HANG) ? 0 : -ENOMEM;
		else
			rc = units_of_port(x, h->ifname, NFX_CHECK_BY_HANG);
		if (rc < 0)
			return rc;
	}
	/* nothing protected anywhere: a lost fix is not "nothing to check" */
	if (!x->nl && !x->c->nbridges)
		for (i = 0; i < x->nb; i++)
			if (x->b[i].ports.nphys &&
			    !unit(x, x->b[i].name, false, NFX_CHECK_BY_NONE))
				return -ENOMEM;
	return 0;
}

static struct nfx_check_port *add_port(struct ctx *x, struct nfx_check_bridge *u,
				       const char *name)
{
	struct nfx_check_port *p;

	p = nfx_check_grow(&x->c->ports, &x->c->nports, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->bridge, sizeof(p->bridge), "%s", u->name);
	p->hangs = hangs_of(x, name);
	u->nports++;
	return p;
}

static void cover_port(struct ctx *x, struct nfx_check_port *p)
{
	unsigned int off = 0, on = 0;
	size_t i;

	for (i = 0; i < x->nl; i++)
		if (x->l[i].counts && !strcmp(x->l[i].p.dev, p->name)) {
			off |= x->l[i].off;
			on |= x->l[i].on;
		}
	p->covered = off & ~on & x->all;
	p->missing = x->all & ~p->covered;
}

static int missing_finding(struct ctx *x, const struct nfx_check_bridge *u,
			   const struct nfx_check_port *p)
{
	char names[NFX_CHECK_NAMES], have[NFX_CHECK_NAMES], fopt[NFX_CHECK_NAMES];
	struct nfx_check_finding *f;
	char hung[64] = "";

	if (!p->missing)
		return 0;
	f = nfx_check_add(x->c, NFX_FIND_MISSING, u->name, p->name, u->file, u->line);
	if (!f)
		return -ENOMEM;
	nfx_check_names(x->c, p->missing, names, sizeof(names));
	snprintf(f->features, sizeof(f->features), "%s", names);
	f->hangs = p->hangs;
	f->critical = p->hangs > 0;
	if (p->hangs)
		snprintf(hung, sizeof(hung), "hung %lu time%s this boot, and ",
			 p->hangs, p->hangs == 1 ? "" : "s");
	if (p->covered)
		snprintf(f->message, sizeof(f->message),
			 "%sincomplete fix: %s stay%s on (the lines that run turn off only %s)",
			 hung, names, strchr(names, ' ') ? "" : "s",
			 nfx_check_names(x->c, p->covered, have, sizeof(have)));
	else
		snprintf(f->message, sizeof(f->message),
			 "%sno fix: no line that runs turns off %s", hung, names);
	nfx_check_fopt(x->c, fopt, sizeof(fopt));
	if (u->plain)
		snprintf(f->fix, sizeof(f->fix), "nicfix persist %s%s", p->name, fopt);
	else
		snprintf(f->fix, sizeof(f->fix), "nicfix persist %s %s%s", u->name,
			 p->name, fopt);
	return 0;
}

static int add_ports(struct ctx *x)
{
	size_t i, k, n = x->c->nbridges;
	int rc;

	for (i = 0; i < n; i++) {
		struct nfx_check_bridge *u = &x->c->bridges[i];
		size_t first = x->c->nports;

		u->port = first;
		if (u->plain) {
			if (!add_port(x, u, u->name))
				return -ENOMEM;
		} else {
			const struct nfx_ports *pp = &x->b[br_find(x, u->name)].ports;

			for (k = 0; k < pp->nphys; k++)
				if (!add_port(x, u, pp->phys[k]))
					return -ENOMEM;
			/* a NIC the live system puts in this bridge */
			for (k = 0; k < x->co->nhangs; k++)
				if (!strcmp(x->co->hangs[k].bridge, u->name) &&
				    !nfx_ifports_phys(pp, x->co->hangs[k].ifname) &&
				    !add_port(x, u, x->co->hangs[k].ifname))
					return -ENOMEM;
		}
		for (k = first; k < x->c->nports; k++) {
			cover_port(x, &x->c->ports[k]);
			rc = missing_finding(x, u, &x->c->ports[k]);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* the bridge a finding about line @i names */
static const char *line_unit(const struct ctx *x, size_t i)
{
	const struct lrec *l = &x->l[i];
	size_t k;

	if (l->br >= 0)
		return x->b[l->br].name;
	for (k = 0; k < x->c->nports; k++)
		if (!strcmp(x->c->ports[k].name, l->p.dev))
			return x->c->ports[k].bridge;
	return x->c->lines[i].stanza;
}

static bool relevant(const struct ctx *x, size_t i)
{
	const char *st = x->c->lines[i].stanza, *dev = x->l[i].p.dev;
	size_t k;

	for (k = 0; k < x->c->nbridges; k++)
		if (!strcmp(x->c->bridges[k].name, st))
			return true;
	for (k = 0; k < x->c->nports; k++)
		if (!strcmp(x->c->ports[k].name, dev) ||
		    !strcmp(x->c->ports[k].name, st))
			return true;
	return false;
}

static void join_phys(const struct nfx_ports *pp, char *buf, size_t len)
{
	size_t k, pos = 0;

	buf[0] = '\0';
	for (k = 0; k < pp->nphys && pos < len; k++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", k ? " " : "",
					pp->phys[k]);
	if (!pp->nphys)
		snprintf(buf, len, "none");
}

static struct nfx_check_finding *line_find(struct ctx *x, size_t i,
					   enum nfx_find_kind kind)
{
	const struct nfx_check_line *cl = &x->c->lines[i];
	struct nfx_check_finding *f;

	f = nfx_check_add(x->c, kind, line_unit(x, i), x->l[i].p.dev, cl->file,
			  cl->line);
	if (f)
		snprintf(f->features, sizeof(f->features), "%s", cl->features);
	return f;
}

/* a line whose own judgement ends with itself: Return 1, or 0 to go on */
static int line_broken(struct ctx *x, size_t i)
{
	const struct lrec *l = &x->l[i];
	const struct nfx_check_line *cl = &x->c->lines[i];
	const struct nfx_ports *pp = l->br >= 0 ? &x->b[l->br].ports : NULL;
	const char *u = line_unit(x, i);
	struct nfx_check_finding *f = NULL;
	char buf[NFX_CHECK_NAMES * 2], fopt[NFX_CHECK_NAMES];
	size_t k;

	nfx_check_fopt(x->c, fopt, sizeof(fopt));
	if (l->prc < 0) {
		f = line_find(x, i, NFX_FIND_MALFORMED);
		if (f)
			snprintf(f->message, sizeof(f->message),
				 "malformed: %.300s; the line that works: 'post-up ethtool -K %s tso off gso off gro off || true'",
				 l->why, l->p.dev[0] ? l->p.dev : "NIC");
	} else if (!l->runs && l->native) {
		f = line_find(x, i, NFX_FIND_NOT_RUN);
		if (f) {
			snprintf(f->message, sizeof(f->message),
				 "never runs: '%.200s' is ifupdown2's option, and %s ignores it",
				 cl->text, x->c->ifupdown_found ?
						   "ifupdown, installed here," :
						   "ifupdown (no ifupdown2 found)");
			if (strcmp(u, l->p.dev))
				snprintf(f->fix, sizeof(f->fix),
					 "nicfix persist %s %s%s", u, l->p.dev, fopt);
		}
	} else if (!l->runs) {
		f = line_find(x, i, NFX_FIND_NOT_RUN);
		if (f)
			snprintf(f->message, sizeof(f->message),
				 "never runs: ifupdown brings up iface %s only with 'auto %s' or 'allow-hotplug %s'; the fix belongs in the bridge's stanza",
				 cl->stanza, cl->stanza, cl->stanza);
	} else if (pp && strcmp(l->p.dev, cl->stanza) &&
		   !nfx_ifports_has(pp, l->p.dev)) {
		f = line_find(x, i, NFX_FIND_STALE);
		if (f) {
			join_phys(pp, buf, sizeof(buf));
			snprintf(f->message, sizeof(f->message),
				 "stale: %s is not behind %s (its NICs: %s)",
				 l->p.dev, cl->stanza, buf);
			snprintf(f->fix, sizeof(f->fix), "nicfix unpersist %s %s",
				 cl->stanza, l->p.dev);
		}
	} else if (pp && !nfx_ifports_phys(pp, l->p.dev)) {
		f = line_find(x, i, NFX_FIND_NOT_NIC);
		for (k = 0; k < pp->nvirt && strcmp(pp->virt[k], l->p.dev); k++)
			;
		join_phys(pp, buf, sizeof(buf));
		if (f && k < pp->nvirt)
			snprintf(f->message, sizeof(f->message),
				 "not a NIC: %s is %.47s, with no NIC offloads to hang",
				 l->p.dev, pp->why[k]);
		else if (f)
			snprintf(f->message, sizeof(f->message),
				 "not a NIC: the offloads that hang are those of the NICs behind %s (%s)",
				 l->p.dev, buf);
		if (f && strcmp(l->p.dev, cl->stanza) && !l->native)
			snprintf(f->fix, sizeof(f->fix), "nicfix unpersist %s %s",
				 cl->stanza, l->p.dev);
	} else {
		return 0;
	}
	return f ? 1 : -ENOMEM;
}

static int line_findings(struct ctx *x, size_t i)
{
	const struct lrec *l = &x->l[i];
	const struct nfx_check_line *cl = &x->c->lines[i];
	const char *u = line_unit(x, i);
	struct nfx_check_finding *f;
	char fopt[NFX_CHECK_NAMES];
	const char *reason = NULL;
	size_t k;
	int rc;

	rc = line_broken(x, i);
	if (rc)
		return rc < 0 ? rc : 0;
	nfx_check_fopt(x->c, fopt, sizeof(fopt));
	if (l->on & x->all) {
		f = line_find(x, i, NFX_FIND_CONFLICT);
		if (!f)
			return -ENOMEM;
		nfx_check_names(x->c, l->on & x->all, f->features, sizeof(f->features));
		snprintf(f->message, sizeof(f->message),
			 "conflict: turns %s on, which the fix needs off", f->features);
		snprintf(f->fix, sizeof(f->fix), "nicfix persist --allow-conflict %s %s%s", u,
			 l->p.dev, fopt);
	}
	for (k = 0; l->counts && k < i; k++) {
		const struct lrec *o = &x->l[k];
		unsigned int both = o->off & l->off;

		if (!o->counts || strcmp(o->p.dev, l->p.dev) ||
		    !(both || (!l->off && !strcmp(cl->features,
						   x->c->lines[k].features))))
			continue;
		f = line_find(x, i, NFX_FIND_DUPLICATE);
		if (!f)
			return -ENOMEM;
		if (both)
			nfx_check_names(x->c, both, f->features, sizeof(f->features));
		snprintf(f->message, sizeof(f->message),
			 "duplicate: turns off %s of %s again, as %s:%u does; remove one of them",
			 f->features, l->p.dev, x->c->lines[k].file,
			 x->c->lines[k].line);
		break;
	}
	if (nfx_place_risk(x->conf, l->ref, l->opt, &reason) != NFX_RISK_NONE) {
		f = line_find(x, i, NFX_FIND_PLACEMENT);
		if (!f)
			return -ENOMEM;
		snprintf(f->message, sizeof(f->message),
			 "at risk from the Proxmox VE GUI: %.300s; move it up among %s's options",
			 reason, cl->stanza);
	}
	if (!l->native && !l->p.guarded) {
		f = line_find(x, i, NFX_FIND_UNGUARDED);
		if (!f)
			return -ENOMEM;
		if (l->more[0])
			snprintf(f->message, sizeof(f->message),
				 "can fail ifup of %s: the line's status is that of '%.127s', and no '|| true' ends it",
				 cl->stanza, l->more);
		else
			snprintf(f->message, sizeof(f->message),
				 "can fail ifup of %s when ethtool fails: no '|| true' ends it",
				 cl->stanza);
	}
	return 0;
}

int nfx_check_config(const struct nfx_cfgopts *o,
		     const struct nfx_check_opts *co, struct nfx_check *ret,
		     struct nfx_err *err)
{
	struct nfx_ifconf *conf = NULL;
	struct ctx x = { 0 };
	size_t i;
	int rc;

	memset(ret, 0, sizeof(*ret));
	ret->req = co->req;
	rc = nfx_ifconf_load(o->root, o->path, &conf, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < co->nbridges; i++)
		if (nfx_ifconf_find(conf, co->bridges[i], 0) < 0) {
			rc = nfx_err_set(err, -EINVAL, "%s: no stanza for bridge '%s'",
					 o->path, co->bridges[i]);
			goto out_free;
		}
	x.conf = conf;
	x.co = co;
	x.c = ret;
	for (i = 0; i < nfx_featreq_count(co->req) && i < 32; i++)
		x.all |= 1u << i;
	ret->ifupdown = co->ifupdown;
	if (ret->ifupdown == NFX_IFUPDOWN_UNKNOWN)
		ret->ifupdown = nfx_ifupdown_detect(o->root);
	ret->ifupdown_found = ret->ifupdown != NFX_IFUPDOWN_UNKNOWN;
	rc = -ENOMEM;
	ret->files = calloc(conf->nfiles ? conf->nfiles : 1, sizeof(*ret->files));
	if (!ret->files)
		goto out_nomem;
	for (i = 0; i < conf->nfiles; i++, ret->nfiles++)
		if (!(ret->files[i] = strdup(conf->files[i]->path)))
			goto out_nomem;
	if (scan_up(&x) < 0 || scan_bridges(&x) < 0 || scan_lines(&x) < 0 ||
	    pick_units(&x) < 0 || add_ports(&x) < 0)
		goto out_nomem;
	for (i = 0; i < x.nl; i++)
		if (relevant(&x, i) && line_findings(&x, i) < 0)
			goto out_nomem;
	rc = 0;
	goto out_free;
out_nomem:
	rc = nfx_err_set(err, -ENOMEM, "out of memory");
out_free:
	free(x.l);
	free(x.b);
	free(x.up);
	nfx_ifconf_free(conf);
	return rc;
}

int nfx_cover_elsewhere(const struct nfx_cfgopts *o,
			const struct nfx_featreq *req, const char *iface,
			const char *port, char *text, size_t len,
			unsigned int *ret_line)
{
	struct nfx_check_opts co = { .req = req };
	struct nfx_check c;
	int covered = 0;
	size_t i;

	co.bridges = &iface;
	co.nbridges = 1;
	if (nfx_check_config(o, &co, &c, NULL) < 0)
		goto out;
	for (i = 0; i < c.nports; i++)
		if (!strcmp(c.ports[i].name, port) && !c.ports[i].missing)
			covered = 1;
	for (i = 0; covered && i < c.nlines; i++) {
		const struct nfx_check_line *l = &c.lines[i];

		if (strcmp(l->port, port) || !l->runs || !strcmp(l->stanza, iface))
			continue;
		snprintf(text, len, "%s", l->text);
		*ret_line = l->line;
		goto out;
	}
	/* covered, but by a line of @iface itself: not "elsewhere" */
	covered = 0;
out:
	nfx_check_done(&c);
	return covered;
}
