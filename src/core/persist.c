/* persist.c - add or remove the offload lines of a bridge stanza
 *
 * One edit is worked out on the reader's view of a file (which stanza,
 * which option, nfx_place_*()), carried out on the stanza's text through
 * Augeas and the project lens, and spliced back: every byte outside the
 * stanzas touched stays as it was.  With Proxmox VE's pending GUI changes
 * (interfaces.new) the same edit is worked out on that file too.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cover.h"
#include "diff.h"
#include "ifcfg.h"
#include "ifports.h"
#include "ifread.h"
#include "offline.h"
#include "path.h"
#include "place.h"
#include "safefile.h"
#include "undo.h"

const char *nfx_action_name(enum nfx_action action)
{
	static const char *const names[] = {
		[NFX_ACT_ADDED] = "added",
		[NFX_ACT_COMPLETED] = "completed",
		[NFX_ACT_UNCHANGED] = "unchanged",
		[NFX_ACT_REMOVED] = "removed",
		[NFX_ACT_ABSENT] = "absent",
		[NFX_ACT_RENAMED] = "renamed",
	};

	return names[action];
}

void nfx_persist_done(struct nfx_persist *p)
{
	size_t i;

	if (!p)
		return;
	free(p->file);
	free(p->ports);
	free(p->diff);
	for (i = 0; i < p->nfiles; i++) {
		free(p->files[i].path);
		free(p->files[i].diff);
		free(p->files[i].backup);
	}
	/* @backup is files[0]'s */
	memset(p, 0, sizeof(*p));
}

enum op_kind {
	OP_SET,	   /* give option @opt the value @val */
	OP_REMOVE, /* remove option @opt */
	OP_ADD,	   /* add a post-up @val after option @opt (-1: the head) */
};

struct op {
	size_t ref; /* the stanza, in the conf's refs */
	long opt;
	enum op_kind kind;
	char val[512];
};

/* The state of one file's edit, so that one cleanup path frees it all. */
struct edit {
	const struct nfx_cfgopts *o;
	unsigned int flags;
	const struct nfx_featreq *req;
	struct nfx_ifconf *conf;
	const char *iface;
	long chosen;	       /* the stanza that gets new lines */
	bool own;	       /* a NIC in no bridge: its own stanza */
	struct nfx_iffile *file; /* the file holding the stanzas */
	struct op *ops;
	size_t nops;
	char *text; /* the file's new text, @len */
	size_t len;
	struct nfx_pins *pins; /* for renamed NICs, read on first need */
	struct nfx_live *live;
	struct ren *ren; /* lines naming a port by its old name */
	size_t nren;
};

/* a line of stanza @ref, option @opt, naming @port by its old name @from */
struct ren {
	size_t ref;
	size_t opt;
	char port[NFX_IFNAMSIZ];
	char from[NFX_IFNAMSIZ];
	char val[512]; /* the line naming @port */
};

static void edit_done(struct edit *e)
{
	free(e->ren);
	nfx_pins_free(e->pins);
	nfx_live_close(e->live);
	free(e->ops);
	free(e->text);
	nfx_ifconf_free(e->conf);
	memset(e, 0, sizeof(*e));
}

static int push_op(struct edit *e, size_t ref, long opt, enum op_kind kind,
		   const char *val, struct nfx_err *err)
{
	struct op *v = realloc(e->ops, (e->nops + 1) * sizeof(*v));

	if (!v)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	e->ops = v;
	v += e->nops++;
	v->ref = ref;
	v->opt = opt;
	v->kind = kind;
	snprintf(v->val, sizeof(v->val), "%s", val ? val : "");
	return 0;
}

static bool name_is(const struct nfx_ifstanza *st, const char *name)
{
	return nfx_ifstanza_is(st, name);
}

/* an offload line of @port in stanza @ref, option @i: parsed into @line */
static bool port_line(const struct edit *e, size_t ref, size_t i,
		      const char *port, struct nfx_offline *line, char *val,
		      size_t vlen)
{
	const struct nfx_ifref *r = &e->conf->refs[ref];
	const struct nfx_ifopt *op = &r->file->opts[r->st->opt + i];
	const char *dev;
	size_t k;

	if (!nfx_ifopt_is(op, "post-up") && !nfx_ifopt_is(op, "up"))
		return false;
	if (op->vallen >= vlen)
		return false;
	memcpy(val, op->val, op->vallen);
	val[op->vallen] = '\0';
	if (nfx_offline_parse(val, line, NULL) < 0)
		return false;
	dev = line->dev;
	/* $IFACE in a stanza is that stanza's interface */
	if (!strcmp(dev, "$IFACE") || !strcmp(dev, "${IFACE}"))
		return name_is(r->st, port);
	if (!strcmp(dev, port))
		return true;
	/* a line naming the port by the name it had before pinning: the
	 * port's, as rewritten */
	for (k = 0; k < e->nren; k++)
		if (e->ren[k].ref == ref && e->ren[k].opt == i &&
		    !strcmp(e->ren[k].port, port) && strlen(e->ren[k].val) < vlen) {
			strcpy(val, e->ren[k].val);
			return nfx_offline_parse(val, line, NULL) == 0;
		}
	return false;
}

/*
 * Proxmox VE 9's pinning renames a NIC (eno1 -> nic0) in bridge-ports but
 * not inside post-up commands: a line naming a NIC that is not behind the
 * bridge, and that nfx_pins_follow() says is certainly one of @ports under
 * its new name, is rewritten to name it.  Nothing on a guess.
 */
static int find_renames(struct edit *e, const struct nfx_ports *pp,
			const char *const *ports, size_t nports,
			struct nfx_err *err)
{
	size_t r, i, k;
	int rc;

	for (r = 0; r < e->conf->nrefs; r++) {
		const struct nfx_ifref *ref = &e->conf->refs[r];

		if (!name_is(ref->st, e->iface))
			continue;
		for (i = 0; i < ref->st->nopt; i++) {
			const struct nfx_ifopt *op = &ref->file->opts[ref->st->opt + i];
			struct nfx_offline line;
			struct nfx_rename rn;
			struct ren *v;
			char val[512];

			if ((!nfx_ifopt_is(op, "post-up") && !nfx_ifopt_is(op, "up")) ||
			    op->vallen >= sizeof(val))
				continue;
			memcpy(val, op->val, op->vallen);
			val[op->vallen] = '\0';
			if (nfx_offline_parse(val, &line, NULL) < 0 ||
			    line.dev[0] == '$' || nfx_ifports_has(pp, line.dev))
				continue;
			for (k = 0; k < nports && strcmp(ports[k], line.dev); k++)
				;
			if (k < nports)
				continue;
			if (!e->pins) {
				rc = nfx_pins_load(e->o->root, &e->pins, err);
				if (rc == 0 && !e->live)
					rc = nfx_live_open(&e->live, 0, err);
				if (rc < 0)
					return rc;
			}
			rc = nfx_pins_follow(e->pins, e->live, line.dev, &rn, err);
			if (rc < 0)
				return rc;
			for (k = 0; rc && k < nports && strcmp(ports[k], rn.name); k++)
				;
			if (!rc || k == nports)
				continue;
			v = realloc(e->ren, (e->nren + 1) * sizeof(*v));
			if (!v)
				return nfx_err_set(err, -ENOMEM, "out of memory");
			e->ren = v;
			v += e->nren;
			v->ref = r;
			v->opt = i;
			memcpy(v->port, rn.name, sizeof(v->port));
			memcpy(v->from, line.dev, sizeof(v->from));
			rc = nfx_offline_rename(val, &line, rn.name, v->val,
						sizeof(v->val));
			if (rc == 0)
				rc = push_op(e, r, (long)i, OP_SET, v->val, err);
			if (rc < 0)
				return rc == -ENAMETOOLONG ?
					       nfx_err_set(err, rc, "%s:%u: offload line too long",
							   ref->file->path, op->lineno) :
					       rc;
			e->nren++;
		}
	}
	return 0;
}

/* Is @name among the request's features (by their short form)? */
static bool requested(const struct nfx_featreq *req, const char *name)
{
	size_t k;

	for (k = 0; k < nfx_featreq_count(req); k++)
		if (!strcmp(nfx_offline_feat_norm(nfx_featreq_name(req, k)), name))
			return true;
	return false;
}

/* a blank between words: also a backslash-newline (a continuation) */
static size_t sep_len(const char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		return 1;
	if (p[0] == '\\' && p[1] == '\n')
		return 2;
	if (p[0] == '\\' && p[1] == '\r' && p[2] == '\n')
		return 3;
	return 0;
}

/*
 * strip() - @cmd without its "NAME off" pairs of requested features
 * @buf: receives the command, every other byte as it was
 * Return: the number of feature pairs left, or -ENAMETOOLONG.
 *
 * The words are those nfx_offline_parse() read: the program, the option,
 * the device, then NAME on|off pairs up to "||", a redirection or the
 * end.  A pair goes with the blanks before it.
 */
static int strip(const char *cmd, const struct nfx_featreq *req, char *buf,
		 size_t len)
{
	struct {
		size_t s, e;
	} t[100];
	size_t n = 0, i, out = 0, from = 0, l;
	const char *p = cmd;
	int left = 0;

	while (*p && n < 100) {
		while (*p && (l = sep_len(p)))
			p += l;
		if (!*p)
			break;
		t[n].s = (size_t)(p - cmd);
		while (*p && !sep_len(p))
			p++;
		t[n].e = (size_t)(p - cmd);
		n++;
	}
	for (i = 3; i + 1 < n; i += 2) {
		const char *w = cmd + t[i].s, *st = cmd + t[i + 1].s;
		size_t wl = t[i].e - t[i].s, sl = t[i + 1].e - t[i + 1].s;
		char name[32];

		if ((wl == 2 && !memcmp(w, "||", 2)) || memchr(w, '>', wl) ||
		    wl >= sizeof(name))
			break;
		memcpy(name, w, wl);
		name[wl] = '\0';
		if (!(sl == 3 && !memcmp(st, "off", 3) &&
		      requested(req, nfx_offline_feat_norm(name)))) {
			left++;
			continue;
		}
		/* copy up to the end of the word before the pair */
		l = t[i - 1].e - from;
		if (out + l >= len)
			return -ENAMETOOLONG;
		memcpy(buf + out, cmd + from, l);
		out += l;
		from = t[i + 1].e;
	}
	l = strlen(cmd + from);
	if (out + l >= len)
		return -ENAMETOOLONG;
	memcpy(buf + out, cmd + from, l + 1);
	return left;
}

/* the interfaces bridge-ports (or bond-slaves) of some bridge name @iface */
static int bridge_of(const struct nfx_ifconf *conf, const char *iface,
		     char *ret, size_t len)
{
	size_t r, i;

	for (r = 0; r < conf->nrefs; r++) {
		const struct nfx_ifref *ref = &conf->refs[r];
		char name[NFX_IFNAMSIZ];
		struct nfx_ports pp;

		if (ref->st->kind != NFX_ST_IFACE || ref->st->namelen >= sizeof(name))
			continue;
		for (i = 0; i < ref->st->nopt; i++) {
			const struct nfx_ifopt *op = &ref->file->opts[ref->st->opt + i];

			if (nfx_ifopt_is(op, "bridge-ports") ||
			    nfx_ifopt_is(op, "bridge_ports"))
				break;
		}
		if (i == ref->st->nopt)
			continue;
		memcpy(name, ref->st->name, ref->st->namelen);
		name[ref->st->namelen] = '\0';
		if (!strcmp(name, iface))
			continue;
		nfx_ifports_behind(conf, name, &pp);
		if (nfx_ifports_has(&pp, iface)) {
			snprintf(ret, len, "%s", name);
			return 1;
		}
	}
	return 0;
}

static bool stanza_has(const struct nfx_ifref *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->st->nopt; i++)
		if (nfx_ifopt_is(&r->file->opts[r->st->opt + i], key))
			return true;
	return false;
}

static bool is_bridge(const struct nfx_ifconf *conf, const char *iface)
{
	size_t r;

	for (r = 0; r < conf->nrefs; r++)
		if (name_is(conf->refs[r].st, iface) &&
		    (stanza_has(&conf->refs[r], "bridge-ports") ||
		     stanza_has(&conf->refs[r], "bridge_ports")))
			return true;
	return false;
}

static bool method_is(const struct nfx_ifconf *conf, const char *iface,
		      const char *method)
{
	size_t r;

	for (r = 0; r < conf->nrefs; r++) {
		const struct nfx_ifref *ref = &conf->refs[r];
		const char *p, *w, *end;
		size_t len;

		if (!name_is(ref->st, iface))
			continue;
		p = ref->file->buf + ref->st->start;
		end = memchr(p, '\n', ref->file->len - ref->st->start);
		if (!end)
			end = ref->file->buf + ref->file->len;
		/* iface NAME FAMILY METHOD */
		for (size_t k = 0; (w = nfx_ifword_next(&p, end, &len)); k++)
			if (k == 3 && len == strlen(method) && !memcmp(w, method, len))
				return true;
	}
	return false;
}

static int no_such_port(struct edit *e, const char *port,
			const struct nfx_ports *pp, struct nfx_err *err)
{
	char list[256] = "", other[NFX_IFNAMSIZ];
	size_t i, used = 0;

	for (i = 0; i < pp->nall && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
					 i ? " " : "", pp->all[i]);
	if (bridge_of(e->conf, port, other, sizeof(other)))
		return nfx_err_set(err, -EINVAL,
				   "%s is a port of %s, not of %s: run nicfix persist %s %s (or --allow-not-behind to write it under %s)",
				   port, other, e->iface, other, port, e->iface);
	return nfx_err_set(err, -EINVAL,
			   "%s: no such port behind %s (its ports: %s; --allow-not-behind writes it anyway)",
			   port, e->iface, pp->nall ? list : "none");
}

/* Say what is there rather than add a line beside it (issue 13): a line
 * of @port that ethtool would not take, or a second line of @port that
 * turns off a requested feature an earlier one does (@seen: those, as
 * bits of the request). */
static int refuse_beside(const struct edit *e, size_t ref, size_t i,
			 const char *port, unsigned int *seen, struct nfx_err *err)
{
	const struct nfx_ifref *r = &e->conf->refs[ref];
	const struct nfx_ifopt *op = &r->file->opts[r->st->opt + i];
	struct nfx_err why = { 0 };
	struct nfx_offline line;
	char val[512], dev[NFX_IFNAMSIZ];
	int rc;

	if ((!nfx_ifopt_is(op, "post-up") && !nfx_ifopt_is(op, "up")) ||
	    op->vallen >= sizeof(val))
		return 0;
	memcpy(val, op->val, op->vallen);
	val[op->vallen] = '\0';
	rc = nfx_offline_parse(val, &line, &why);
	if (rc == -EINVAL && sscanf(val, "%*s %*s %15[^ \t;|&]", dev) == 1 &&
	    !strcmp(dev, port))
		return nfx_err_set(err, -EINVAL,
				   "%s:%u: '%s' is malformed (%s): correct or remove it first",
				   r->file->path, op->lineno, val, why.msg);
	if (rc == 0 && port_line(e, ref, i, port, &line, val, sizeof(val))) {
		unsigned int mask = 0;
		size_t k;

		for (k = 0; k < nfx_featreq_count(e->req) && k < 32; k++)
			if (nfx_offline_state(&line, nfx_featreq_name(e->req, k)) == 0)
				mask |= 1u << k;
		if (mask & *seen)
			return nfx_err_set(err, -EINVAL,
					   "%s:%u: '%s' turns off again what another line of %s does: remove one of them first",
					   r->file->path, op->lineno, val, port);
		*seen |= mask;
	}
	return 0;
}

/* Work out the edit for one port. */
static int plan_port(struct edit *e, const char *port,
		     struct nfx_persist_port *pp, struct nfx_err *err)
{
	const struct nfx_ifref *cr = &e->conf->refs[e->chosen];
	long covered = -1, partial = -1, fixed = -1;
	char fixed_text[512] = "";
	size_t r, i, k;
	bool any = false;
	unsigned int seen = 0;
	int rc;

	snprintf(pp->port, sizeof(pp->port), "%s", port);
	pp->action = e->flags & NFX_PERSIST_REMOVE ? NFX_ACT_ABSENT : NFX_ACT_ADDED;
	for (r = 0; r < e->conf->nrefs; r++) {
		const struct nfx_ifref *ref = &e->conf->refs[r];

		if (!name_is(ref->st, e->iface))
			continue;
		for (i = 0; i < ref->st->nopt; i++) {
			struct nfx_offline line;
			char val[512], buf[512];
			bool safe, conflict = false;
			int left;

			if (!(e->flags & NFX_PERSIST_REMOVE)) {
				rc = refuse_beside(e, r, i, port, &seen, err);
				if (rc < 0)
					return rc;
			}
			if (!port_line(e, r, i, port, &line, val, sizeof(val)))
				continue;
			any = true;
			if (e->flags & NFX_PERSIST_REMOVE) {
				rc = strip(val, e->req, buf, sizeof(buf));
				if (rc < 0)
					return nfx_err_set(err, rc, "%s:%u: offload line too long",
							   ref->file->path,
							   ref->file->opts[ref->st->opt + i].lineno);
				if (!strcmp(buf, val))
					continue;
				left = rc;
				rc = push_op(e, r, (long)i, left ? OP_SET : OP_REMOVE,
					     buf, err);
				if (rc < 0)
					return rc;
				pp->action = NFX_ACT_REMOVED;
				snprintf(pp->line, sizeof(pp->line), "%s", left ? buf : val);
				pp->lineno = ref->file->opts[ref->st->opt + i].lineno;
				continue;
			}
			for (k = 0; k < nfx_featreq_count(e->req); k++)
				conflict |= nfx_offline_state(&line,
							      nfx_featreq_name(e->req, k)) == 1;
			if (conflict && !(e->flags & NFX_PERSIST_ALLOW_CONFLICT))
				return nfx_err_set(err, -EINVAL,
						   "%s:%u: '%s' turns on a feature to turn off; --allow-conflict turns it off in that line",
						   ref->file->path,
						   ref->file->opts[ref->st->opt + i].lineno, val);
			safe = r == (size_t)e->chosen &&
			       !nfx_place_blank_before(ref->file, ref->st, i);
			if (conflict) {
				/* turned off where it stands: left on, it would
				 * undo the new line whichever runs last
				 */
				rc = nfx_offline_complete(val, &line, e->req, buf,
							  sizeof(buf));
				if (rc < 0)
					return nfx_err_set(err, rc,
							   "%s:%u: offload line too long to turn its features off",
							   ref->file->path,
							   ref->file->opts[ref->st->opt + i].lineno);
				rc = push_op(e, r, (long)i, OP_SET, buf, err);
				if (rc < 0)
					return rc;
				if (safe && fixed < 0) {
					fixed = (long)i;
					snprintf(fixed_text, sizeof(fixed_text), "%s", buf);
				}
			} else if (safe) {
				bool all_off = true, some_off = false;

				for (k = 0; k < nfx_featreq_count(e->req); k++) {
					int st = nfx_offline_state(&line,
								   nfx_featreq_name(e->req, k));

					all_off &= st == 0;
					some_off |= st == 0;
				}
				/* a line of other features (rx, lro) is the
				 * admin's own: not one to complete
				 */
				if (all_off && covered < 0)
					covered = (long)i;
				else if (!all_off && some_off && partial < 0)
					partial = (long)i;
			}
			if (!safe && !pp->risk_line) {
				pp->risk_line = ref->file->opts[ref->st->opt + i].lineno;
				pp->risk = nfx_place_reason(
					nfx_place_risk(e->conf, r, i, NULL));
				if (!*pp->risk)
					pp->risk = nfx_place_reason(NFX_RISK_EARLIER);
			}
		}
	}
	if (e->flags & NFX_PERSIST_REMOVE)
		return 0;
	if (covered >= 0 || fixed >= 0) {
		const struct nfx_ifopt *op =
			&cr->file->opts[cr->st->opt + (size_t)(covered >= 0 ? covered : fixed)];

		pp->action = covered >= 0 && fixed < 0 ? NFX_ACT_UNCHANGED :
							  NFX_ACT_COMPLETED;
		if (fixed >= 0)
			snprintf(pp->line, sizeof(pp->line), "%s", fixed_text);
		else
			snprintf(pp->line, sizeof(pp->line), "%.*s",
				 (int)op->vallen, op->val);
		pp->lineno = op->lineno;
		return 0;
	}
	if (partial >= 0) {
		struct nfx_offline line;
		char val[512];

		port_line(e, (size_t)e->chosen, (size_t)partial, port, &line, val,
			  sizeof(val));
		rc = nfx_offline_complete(val, &line, e->req, pp->line,
					  sizeof(pp->line));
		if (rc < 0)
			return nfx_err_set(err, rc, "%s: offload line too long", port);
		pp->action = NFX_ACT_COMPLETED;
		return push_op(e, (size_t)e->chosen, partial, OP_SET, pp->line, err);
	}
	/* one line is enough: the NIC's own stanza where it runs, or another
	 * bridge the NIC is behind (issue 13) */
	if (!any && nfx_cover_elsewhere(e->o, e->req, e->iface, port, pp->line,
					sizeof(pp->line), &pp->lineno)) {
		pp->action = NFX_ACT_UNCHANGED;
		return 0;
	}
	rc = nfx_offline_format(port, e->req, pp->line, sizeof(pp->line));
	if (rc < 0)
		return nfx_err_set(err, rc, "%s: offload line too long", port);
	return push_op(e, (size_t)e->chosen,
		       nfx_place_after(cr->file, cr->st), OP_ADD, pp->line, err);
}

/* Indentation and line ending of a stanza, for the lines added to it. */
static void stanza_style(const struct nfx_iffile *f,
			 const struct nfx_ifstanza *st, char *indent,
			 size_t size, bool *crlf)
{
	const char *eol = memchr(f->buf + st->start, '\n', f->len - st->start);
	size_t len;

	*crlf = eol && eol > f->buf && eol[-1] == '\r';
	snprintf(indent, size, "\t"); /* Proxmox VE's, for a stanza with no option */
	if (!st->nopt)
		return;
	len = (size_t)(f->opts[st->opt].key - (f->buf + f->opts[st->opt].start));
	if (len < size) {
		memcpy(indent, f->buf + f->opts[st->opt].start, len);
		indent[len] = '\0';
	}
}

/* The lens writes an added option with its default indentation and a
 * "\n"; give the line the stanza's own indentation and line ending.
 */
static char *restyle(const char *indent, bool crlf, const char *added,
		     char *text)
{
	char needle[600];
	char *hit, *ls, *le = NULL, *out;
	size_t pre, len = strlen(text);
	int n;

	n = snprintf(needle, sizeof(needle), "\tpost-up %s", added);
	if (n < 0 || (size_t)n >= sizeof(needle))
		return text;
	for (hit = strstr(text, needle); hit; hit = strstr(hit + 1, needle)) {
		le = hit + n;
		/* a new node: "\n" (an old CRLF line ends in "\r") at the
		 * start of a line
		 */
		if ((*le == '\n' || *le == '\0') && (hit == text || hit[-1] == '\n'))
			break;
	}
	if (!hit)
		return text;
	ls = hit;
	pre = (size_t)(ls - text);
	out = malloc(len + strlen(indent) + 2);
	if (!out)
		return text;
	sprintf(out, "%.*s%s%.*s%s%s", (int)pre, text, indent,
		(int)(le - hit - 1), hit + 1,
		*le == '\n' ? (crlf ? "\r\n" : "\n") : "",
		*le == '\n' ? le + 1 : le);
	free(text);
	return out;
}

/* Carry out the ops of stanza @ref; Return: its new text (malloc'd). */
static int run_stanza(struct edit *e, size_t ref, char **ret_text,
		      struct nfx_err *err)
{
	const struct nfx_ifref *r = &e->conf->refs[ref];
	const struct nfx_iffile *f = r->file;
	const struct nfx_ifstanza *st = r->st;
	size_t len = st->end - st->start, i, nadd = 0;
	bool no_eol = !len || f->buf[st->end - 1] != '\n', crlf;
	const char *nul = memchr(f->buf + st->start, '\0', len), *p;
	unsigned int lineno = st->lineno;
	struct nfx_ifcfg *aug = NULL;
	char **paths = NULL, *text, *out = NULL, indent[64];
	int n = 0, rc;
	long k;

	/* Augeas takes a C string: a NUL would cut the stanza short, and
	 * the lines after it would be lost in the file written back
	 */
	if (nul) {
		for (p = f->buf + st->start; p < nul; p++)
			lineno += *p == '\n';
		return nfx_err_set(err, -EINVAL, "%s:%u: a NUL byte in the stanza",
				   f->path, lineno);
	}
	/* hand Augeas the stanza alone, ended by a newline */
	text = malloc(len + 2);
	if (!text)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	memcpy(text, f->buf + st->start, len);
	strcpy(text + len, no_eol ? "\n" : "");
	rc = nfx_ifcfg_open(e->o->lensdir, &aug, err);
	if (rc == 0)
		rc = nfx_ifcfg_store(aug, f->path, st->lineno, text, err);
	free(text);
	if (rc < 0)
		goto out;
	n = nfx_ifcfg_options(aug, &paths);
	if (n < 0 || (size_t)n != st->nopt) {
		rc = nfx_err_set(err, -EIO,
				 "%s:%u: the lens and the reader see %d and %zu options",
				 f->path, st->lineno, n, st->nopt);
		goto out;
	}
	for (i = 0; i < e->nops; i++)
		if (e->ops[i].ref == ref && e->ops[i].kind == OP_SET) {
			rc = nfx_ifcfg_set(aug, paths[e->ops[i].opt], e->ops[i].val, err);
			if (rc < 0)
				goto out;
		}
	/* backwards: removing a node renumbers the ones after it */
	for (k = n - 1; k >= 0; k--)
		for (i = 0; i < e->nops; i++)
			if (e->ops[i].ref == ref && e->ops[i].kind == OP_REMOVE &&
			    e->ops[i].opt == k) {
				rc = nfx_ifcfg_remove(aug, paths[k], err);
				if (rc < 0)
					goto out;
				break;
			}
	for (i = 0; i < e->nops; i++) {
		char **now = NULL;
		int m;
		long after;

		if (e->ops[i].ref != ref || e->ops[i].kind != OP_ADD)
			continue;
		/* in port order: each after the one added before it */
		after = e->ops[i].opt + (long)nadd;
		m = nfx_ifcfg_options(aug, &now);
		if (m < 0 || after >= m) {
			nfx_ifcfg_free_paths(now, m);
			rc = nfx_err_set(err, -EIO, "augeas: cannot list options");
			goto out;
		}
		rc = nfx_ifcfg_add(aug, after >= 0 ? now[after] : NULL, "post-up",
				   e->ops[i].val, err);
		nfx_ifcfg_free_paths(now, m);
		if (rc < 0)
			goto out;
		nadd++;
	}
	rc = nfx_ifcfg_retrieve(aug, &out, err);
	if (rc < 0)
		goto out;
	stanza_style(f, st, indent, sizeof(indent), &crlf);
	for (i = 0; i < e->nops; i++)
		if (e->ops[i].ref == ref && e->ops[i].kind == OP_ADD)
			out = restyle(indent, crlf, e->ops[i].val, out);
	len = strlen(out);
	if (no_eol && len && out[len - 1] == '\n')
		out[--len] = '\0';
	*ret_text = out;
	out = NULL;
out:
	free(out);
	nfx_ifcfg_free_paths(paths, n);
	nfx_ifcfg_close(aug);
	return rc;
}

/* Splice the new stanzas into the file's text: e->text, e->len. */
static int run_ops(struct edit *e, struct nfx_err *err)
{
	const struct nfx_iffile *f = e->file;
	size_t pos = 0, r, i, cap = f->len + 1, used = 0;
	char *whole = malloc(cap);
	int rc = 0;

	if (!whole)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	/* the stanzas are in file order in refs */
	for (r = 0; r < e->conf->nrefs; r++) {
		const struct nfx_ifref *ref = &e->conf->refs[r];
		char *st_text = NULL, *grown;
		size_t slen;

		for (i = 0; i < e->nops && e->ops[i].ref != r; i++)
			;
		if (i == e->nops || ref->file != f)
			continue;
		rc = run_stanza(e, r, &st_text, err);
		if (rc < 0)
			goto out_fail;
		slen = strlen(st_text);
		cap += slen;
		grown = realloc(whole, cap);
		if (!grown) {
			free(st_text);
			rc = nfx_err_set(err, -ENOMEM, "out of memory");
			goto out_fail;
		}
		whole = grown;
		memcpy(whole + used, f->buf + pos, ref->st->start - pos);
		used += ref->st->start - pos;
		memcpy(whole + used, st_text, slen);
		used += slen;
		pos = ref->st->end;
		free(st_text);
	}
	memcpy(whole + used, f->buf + pos, f->len - pos);
	used += f->len - pos;
	whole[used] = '\0';
	e->text = whole;
	e->len = used;
	return 0;
out_fail:
	free(whole);
	return rc;
}

/* Check the interface and pick its stanza and ports; plan every port. */
static int plan(struct edit *e, const char *const *ports, size_t nports,
		struct nfx_persist *res, struct nfx_err *err)
{
	const char *phys[NFX_MAX_PORTS];
	char other[NFX_IFNAMSIZ];
	struct nfx_ports pp;
	const struct nfx_ifref *cr;
	size_t i, r;
	int rc;

	e->chosen = nfx_place_stanza(e->conf, e->iface);
	if (e->chosen < 0)
		return nfx_err_set(err, -EINVAL, "%s: no stanza for '%s'",
				   e->conf->files[0]->path, e->iface);
	cr = &e->conf->refs[e->chosen];
	e->file = cr->file;
	for (r = 0; r < e->conf->nrefs; r++) {
		const struct nfx_ifref *o = &e->conf->refs[r];

		if (name_is(o->st, e->iface) && o->file != cr->file)
			return nfx_err_set(err, -EINVAL,
					   "'%s' is defined in two files: %s:%u and %s:%u",
					   e->iface, cr->file->path, cr->st->lineno,
					   o->file->path, o->st->lineno);
	}
	nfx_ifports_behind(e->conf, e->iface, &pp);
	if (!strcmp(e->iface, "lo") || method_is(e->conf, e->iface, "loopback"))
		return nfx_err_set(err, -EINVAL,
				   "%s:%u: %s is the loopback interface: it has no NIC to fix",
				   cr->file->path, cr->st->lineno, e->iface);
	if (!is_bridge(e->conf, e->iface)) {
		if (bridge_of(e->conf, e->iface, other, sizeof(other)))
			return nfx_err_set(err, -EINVAL,
					   "%s is a port of %s: run nicfix persist %s",
					   e->iface, other, other);
		/* a NIC in no bridge: its own stanza, if it runs */
		e->own = true;
		for (i = 0; i < nports; i++)
			if (strcmp(ports[i], e->iface))
				return nfx_err_set(err, -EINVAL,
						   "%s is in no bridge: its own stanza holds its own line only (run nicfix %s %s)",
						   e->iface,
						   e->flags & NFX_PERSIST_REMOVE ? "unpersist" : "persist",
						   e->iface);
		if (!(e->flags & NFX_PERSIST_REMOVE) &&
		    !nfx_place_brought_up(e->conf, e->iface))
			return nfx_err_set(err, -EINVAL,
					   "%s:%u: %s is in no bridge and no 'auto %s' or 'allow-hotplug %s' line brings its stanza up: a line there would never run",
					   cr->file->path, cr->st->lineno, e->iface,
					   e->iface, e->iface);
		phys[0] = e->iface;
		ports = phys;
		nports = 1;
	} else if (nports) {
		for (i = 0; i < nports; i++) {
			bool has_line = false;
			size_t k;

			if (nfx_ifports_has(&pp, ports[i]) ||
			    (e->flags & NFX_PERSIST_ALLOW_NOT_BEHIND))
				continue;
			/* unpersist: a stale line (its port left the bridge) */
			for (r = 0; (e->flags & NFX_PERSIST_REMOVE) &&
				    r < e->conf->nrefs; r++)
				for (k = 0; name_is(e->conf->refs[r].st, e->iface) &&
					    k < e->conf->refs[r].st->nopt; k++) {
					struct nfx_offline line;
					char val[512];

					has_line |= port_line(e, r, k, ports[i], &line,
							      val, sizeof(val));
				}
			if (!has_line)
				return no_such_port(e, ports[i], &pp, err);
		}
	} else {
		if (!pp.nphys && pp.nvirt)
			return nfx_err_set(err, -EINVAL,
					   "%s:%u: bridge %s has no NIC: %s is %s, with no NIC offloads to hang",
					   cr->file->path, cr->st->lineno, e->iface,
					   pp.virt[0], pp.why[0]);
		if (!pp.nphys)
			return nfx_err_set(err, -EINVAL,
					   "%s:%u: bridge %s has no ports; name them",
					   cr->file->path, cr->st->lineno, e->iface);
		/* names from the file go into a line /bin/sh runs at ifup:
		 * one like "eno1;reboot" must not become "ethtool -K
		 * eno1;reboot ..."
		 */
		for (i = 0; i < pp.nphys; i++) {
			struct nfx_err why = { 0 };
			const char *c = pp.phys[i];

			if (nfx_ifname_check(c, &why) == 0) {
				phys[i] = pp.phys[i];
				continue;
			}
			/* the name itself only when it is safe to print */
			while (*c > ' ' && *c < 0x7f)
				c++;
			return nfx_err_set(err, -EINVAL,
					   "%s:%u: bridge %s: port %s%s%s: %s",
					   cr->file->path, cr->st->lineno, e->iface,
					   *c ? "" : "'", *c ? "of bridge-ports" : pp.phys[i],
					   *c ? "" : "'", why.msg);
		}
		ports = phys;
		nports = pp.nphys;
	}
	if (res) {
		res->ports = calloc(nports, sizeof(*res->ports));
		if (!res->ports)
			return nfx_err_set(err, -ENOMEM, "out of memory");
	}
	if (!e->own && !(e->flags & NFX_PERSIST_REMOVE)) {
		rc = find_renames(e, &pp, ports, nports, err);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < nports; i++) {
		struct nfx_persist_port scratch, *pr = res ? &res->ports[i] : &scratch;
		size_t k;

		rc = plan_port(e, ports[i], pr, err);
		if (rc < 0)
			return rc;
		for (k = 0; k < e->nren; k++)
			if (!strcmp(e->ren[k].port, ports[i]) &&
			    (pr->action == NFX_ACT_UNCHANGED ||
			     pr->action == NFX_ACT_COMPLETED)) {
				if (pr->action == NFX_ACT_UNCHANGED)
					snprintf(pr->line, sizeof(pr->line), "%s",
						 e->ren[k].val);
				pr->action = NFX_ACT_RENAMED;
				memcpy(pr->from, e->ren[k].from, sizeof(pr->from));
				break;
			}
		if (res)
			res->n++;
	}
	return 0;
}

/* The line now holding each port's line, in the new text. */
static void locate(const struct edit *e, struct nfx_persist *res)
{
	struct nfx_iffile f = { 0 };
	size_t i, s, k;
	unsigned int was;

	f.path = e->file->path;
	f.buf = e->text;
	f.len = e->len;
	if (nfx_iffile_parse(&f, NULL) < 0)
		return;
	for (i = 0; i < res->n; i++) {
		struct nfx_persist_port *pp = &res->ports[i];

		if (pp->action == NFX_ACT_REMOVED || pp->action == NFX_ACT_ABSENT)
			continue;
		was = pp->lineno;
		pp->lineno = 0;
		for (s = 0; s < f.nst && !pp->lineno; s++) {
			if (!nfx_ifstanza_is(&f.st[s], e->iface))
				continue;
			for (k = 0; k < f.st[s].nopt; k++) {
				const struct nfx_ifopt *op = &f.opts[f.st[s].opt + k];

				if (op->vallen == strlen(pp->line) &&
				    !memcmp(op->val, pp->line, op->vallen)) {
					pp->lineno = op->lineno;
					if (e->chosen >= 0 && s == (size_t)(e->conf->refs[e->chosen].st - e->file->st))
						break;
				}
			}
		}
		/* a line outside the stanza (nfx_cover_elsewhere()) keeps its own */
		if (!pp->lineno)
			pp->lineno = was;
	}
	nfx_iffile_done(&f);
}

static int add_file(struct nfx_persist *res, const struct edit *e,
		    bool pending, struct nfx_err *err)
{
	struct nfx_persist_file *pf = &res->files[res->nfiles];
	const struct nfx_iffile *f = e->file;

	pf->path = strdup(f->path);
	pf->pending = pending;
	pf->changed = e->len != f->len || memcmp(e->text, f->buf, e->len);
	pf->diff = nfx_diff_unified(f->path, f->buf, f->len, e->text, e->len);
	if (!pf->path || !pf->diff) {
		free(pf->path);
		free(pf->diff);
		memset(pf, 0, sizeof(*pf));
		return nfx_err_set(err, -ENOMEM, "out of memory");
	}
	res->nfiles++;
	res->changed |= pf->changed;
	return 0;
}

static int diff_all(struct nfx_persist *res, struct nfx_err *err)
{
	size_t i, len = 1;

	for (i = 0; i < res->nfiles; i++)
		len += strlen(res->files[i].diff);
	res->diff = malloc(len);
	if (!res->diff)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	res->diff[0] = '\0';
	for (i = 0; i < res->nfiles; i++)
		strcat(res->diff, res->files[i].diff);
	return 0;
}

int nfx_persist(const struct nfx_cfgopts *o, const char *iface,
		const char *const *ports, size_t nports,
		const struct nfx_featreq *req, unsigned int flags,
		struct nfx_persist *ret, struct nfx_err *err)
{
	struct edit e = { .o = o, .flags = flags, .req = req, .iface = iface };
	struct edit en = { .o = o, .flags = flags, .req = req, .iface = iface };
	struct nfx_persist res = { 0 };
	struct nfx_lock lock = { -1, -1 };
	char dir[PATH_MAX], pending[PATH_MAX + 8];
	bool have_new, same_file = false;
	size_t i;
	int rc;

	rc = nfx_ifname_check(iface, err);
	for (i = 0; rc == 0 && i < nports; i++)
		rc = nfx_ifname_check(ports[i], err);
	if (rc < 0)
		return rc;
	snprintf(pending, sizeof(pending), "%s.new", o->path);
	nfx_path_dir(o->path, dir, sizeof(dir));
	/* a dry run changes nothing and waits for no one */
	if (!(flags & NFX_PERSIST_DRY_RUN)) {
		rc = nfx_lock_take(&lock, dir, access(pending, F_OK) == 0,
				   o->lock_timeout_ms, err);
		if (rc < 0)
			return rc;
	}
	/* read under the lock: another writer may just have changed it */
	rc = nfx_ifconf_load(o->root, o->path, &e.conf, err);
	if (rc < 0)
		goto out_free;
	rc = plan(&e, ports, nports, &res, err);
	if (rc < 0)
		goto out_free;
	rc = run_ops(&e, err);
	if (rc < 0)
		goto out_free;
	locate(&e, &res);
	for (i = 0; i < res.n; i++)
		res.ports[i].file = 0;
	rc = add_file(&res, &e, false, err);
	if (rc < 0)
		goto out_free;
	/* Proxmox VE's pending GUI changes: "Apply Configuration" renames
	 * interfaces.new over the file, so it gets the same edit
	 */
	have_new = access(pending, F_OK) == 0;
	if (have_new) {
		rc = nfx_ifconf_load(o->root, pending, &en.conf, err);
		if (rc < 0)
			goto out_free;
		rc = plan(&en, ports, nports, NULL, err);
		if (rc < 0) {
			/* the error is the pending file's: say so */
			if (!strstr(err ? err->msg : "", "interfaces.new"))
				nfx_err_set(err, rc, "%s (in %s, the pending Proxmox VE changes)",
					    err ? err->msg : "", pending);
			goto out_free;
		}
		same_file = en.file != en.conf->files[0] && e.file != e.conf->files[0] &&
			    e.file->real && en.file->real &&
			    !strcmp(e.file->real, en.file->real);
		if (!same_file) {
			rc = run_ops(&en, err);
			if (rc < 0)
				goto out_free;
			rc = add_file(&res, &en, true, err);
			if (rc < 0)
				goto out_free;
		}
	}
	rc = diff_all(&res, err);
	if (rc < 0)
		goto out_free;
	res.file = strdup(e.file->path);
	res.lineno = e.conf->refs[e.chosen].st->lineno;
	if (!res.file) {
		rc = nfx_err_set(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	if (res.changed && !(flags & NFX_PERSIST_DRY_RUN)) {
		struct nfx_undo_rec rec[2];
		size_t nrec = 0;

		/* each file atomically; interfaces.new first, so that an
		 * Apply between the two renames keeps the fix
		 */
		for (i = res.nfiles; i-- > 0;) {
			struct nfx_persist_file *pf = &res.files[i];
			const struct edit *w = i ? &en : &e;

			if (!pf->changed)
				continue;
			rc = nfx_safefile_replace(pf->path, w->text, w->len,
						  o->backup_dir, &pf->backup, err);
			if (rc < 0)
				goto out_free;
			rec[nrec].path = pf->path;
			rec[nrec].data = w->text;
			rec[nrec].len = w->len;
			rec[nrec].backup = pf->backup;
			nrec++;
		}
		res.backup = res.files[0].backup;
		/* the record undo needs; the edit itself is done */
		nfx_undo_record(o->backup_dir, rec, nrec, NULL);
	}
	*ret = res;
	memset(&res, 0, sizeof(res));
out_free:
	nfx_persist_done(&res);
	edit_done(&e);
	edit_done(&en);
	nfx_lock_release(&lock);
	return rc;
}
