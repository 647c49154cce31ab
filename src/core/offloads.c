/* offloads.c - the offload lines of the configuration, for check and hook */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feat.h"
#include "ifports.h"
#include "ifread.h"
#include "offline.h"

void nfx_offloads_free(struct nfx_offload *v, int n)
{
	int i;

	for (i = 0; v && i < n; i++) {
		free(v[i].file);
		free(v[i].cmd);
		nfx_featreq_free(v[i].off);
	}
	free(v);
}

struct list {
	struct nfx_offload *v;
	size_t n, cap;
};

static struct nfx_offload *push(struct list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct nfx_offload *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* "tso off gso off" -> the request for tso and gso */
static int off_request(const struct nfx_offline *line, struct nfx_featreq **ret)
{
	struct nfx_featreq *req;
	size_t i;
	int rc;

	rc = nfx_featreq_new(&req, NULL);
	for (i = 0; rc == 0 && i < line->n; i++)
		if (!line->feat[i].on)
			rc = nfx_featreq_add(req, line->feat[i].name, NULL);
	if (rc == 0 && !nfx_featreq_count(req))
		rc = -EINVAL;
	if (rc < 0) {
		nfx_featreq_free(req);
		return rc;
	}
	*ret = req;
	return 0;
}

static int scan_stanza(const struct nfx_ifconf *conf, const struct nfx_ifref *ref,
		       struct list *l, size_t first, bool named_only)
{
	const struct nfx_ifstanza *st = ref->st;
	char name[NFX_IFNAMSIZ];
	struct nfx_ports ports;
	bool have_ports = false;
	size_t i, k;

	if (st->namelen >= NFX_IFNAMSIZ)
		return 0;
	memcpy(name, st->name, st->namelen);
	name[st->namelen] = '\0';
	for (i = 0; i < st->nopt; i++) {
		const struct nfx_ifopt *op = &ref->file->opts[st->opt + i];
		struct nfx_offline line;
		struct nfx_err lerr = { 0 };
		struct nfx_offload *o;
		char *cmd;
		int rc;

		if (!nfx_ifopt_is(op, "post-up") && !nfx_ifopt_is(op, "up"))
			continue;
		cmd = strndup(op->val, op->vallen);
		if (!cmd)
			return -ENOMEM;
		rc = nfx_offline_parse(cmd, &line, &lerr);
		if (rc == -ENOENT) {
			free(cmd);
			continue;
		}
		o = push(l);
		if (!o) {
			free(cmd);
			return -ENOMEM;
		}
		memcpy(o->bridge, name, sizeof(name));
		if (st->family && st->familylen < sizeof(o->family))
			memcpy(o->family, st->family, st->familylen);
		o->cmd = cmd;
		o->file = strdup(ref->file->path);
		o->lineno = op->lineno;
		if (!o->file)
			return -ENOMEM;
		if (rc < 0) {
			snprintf(o->problem, sizeof(o->problem), "%s", lerr.msg);
			continue;
		}
		/* $IFACE in the port's own stanza is that port */
		snprintf(o->port, sizeof(o->port), "%s",
			 line.dev[0] == '$' ? name : line.dev);
		o->guarded = line.guarded;
		if (!have_ports && !named_only) {
			nfx_ifports_behind(conf, name, &ports);
			have_ports = true;
		}
		o->behind = named_only || !strcmp(o->port, name) ||
			    nfx_ifports_has(&ports, o->port);
		for (k = 0; k < line.n; k++)
			if (line.feat[k].on) {
				snprintf(o->problem, sizeof(o->problem),
					 "turns %s on", line.feat[k].name);
				break;
			}
		if (off_request(&line, &o->off) < 0 && !o->problem[0])
			snprintf(o->problem, sizeof(o->problem),
				 "turns nothing off");
		for (k = first; k + 1 < l->n; k++)
			if (!strcmp(l->v[k].port, o->port) &&
			    !strcmp(l->v[k].bridge, o->bridge) && !o->problem[0]) {
				snprintf(o->problem, sizeof(o->problem),
					 "duplicate of line %u", l->v[k].lineno);
				break;
			}
	}
	return 0;
}

int nfx_offloads_read(const struct nfx_cfgopts *o, const char *const *bridges,
		      size_t nbridges, struct nfx_offload **ret_v,
		      struct nfx_err *err)
{
	struct nfx_ifconf *conf = NULL;
	struct list l = { 0 };
	size_t r, b;
	int rc;

	bool only = o->named_only && nbridges == 1;

	rc = nfx_ifconf_load_only(o->root, o->path, only ? bridges[0] : NULL,
				  &conf, err);
	if (rc < 0)
		return rc;
	for (b = 0; b < nbridges && !o->unknown_ok; b++)
		if (nfx_ifconf_find(conf, bridges[b], 0) < 0) {
			rc = nfx_err_set(err, -EINVAL, "%s: no stanza for bridge '%s'",
					 o->path, bridges[b]);
			goto out_free;
		}
	for (r = 0; r < conf->nrefs; r++) {
		const struct nfx_ifref *ref = &conf->refs[r];
		bool wanted = !nbridges;

		for (b = 0; b < nbridges && !wanted; b++)
			wanted = nfx_ifstanza_is(ref->st, bridges[b]);
		if (!wanted || ref->st->kind != NFX_ST_IFACE)
			continue;
		rc = scan_stanza(conf, ref, &l, l.n, only);
		if (rc < 0) {
			rc = nfx_err_set(err, rc, "out of memory");
			goto out_free;
		}
	}
	*ret_v = l.v;
	l.v = NULL;
	rc = (int)l.n;
out_free:
	nfx_offloads_free(l.v, (int)l.n);
	nfx_ifconf_free(conf);
	return rc;
}
