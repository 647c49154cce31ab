/* coverlive.c - check: the live state of every checked NIC, and --apply */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cover.h"
#include "feat.h"
#include "offline.h"

/* the request bits that are on now (changeable ones only) */
static int read_on(const struct nfx_check *c, struct nfx_live *live,
		   const char *port, unsigned int *ret_on, struct nfx_err *err)
{
	struct nfx_features *feat = NULL;
	unsigned int on = 0;
	size_t i;
	int rc;

	rc = nfx_features_get(live, port, &feat, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < nfx_featreq_count(c->req) && i < 32; i++) {
		bool fixed = false;
		enum nfx_state st = nfx_features_state(feat, nfx_featreq_name(c->req, i),
						       &fixed);

		/* a bit the device cannot change is no drift to re-apply */
		if ((st == NFX_STATE_ON || st == NFX_STATE_PARTIAL) && !fixed)
			on |= 1u << i;
	}
	nfx_features_free(feat);
	*ret_on = on;
	return 0;
}

static int reapply(const struct nfx_check *c, struct nfx_live *live,
		   struct nfx_check_port *p, struct nfx_err *err)
{
	struct nfx_featreq *req = NULL;
	struct nfx_report r = { 0 };
	unsigned int on = 0;
	size_t i;
	int rc;

	rc = nfx_featreq_new(&req, err);
	for (i = 0; rc == 0 && i < nfx_featreq_count(c->req) && i < 32; i++)
		if (p->drift & (1u << i))
			rc = nfx_featreq_add(req, nfx_featreq_name(c->req, i), err);
	if (rc == 0)
		rc = nfx_apply(live, p->name, req, 0, &r, err);
	nfx_report_done(&r);
	nfx_featreq_free(req);
	if (rc == 0)
		rc = read_on(c, live, p->name, &on, err);
	if (rc < 0)
		return rc;
	p->reapplied = p->drift & ~on;
	p->drift &= on;
	p->on = on;
	return 0;
}

static const struct nfx_check_bridge *unit_of(const struct nfx_check *c,
					      const struct nfx_check_port *p)
{
	size_t i;

	for (i = 0; i < c->nbridges; i++)
		if (!strcmp(c->bridges[i].name, p->bridge))
			return &c->bridges[i];
	return NULL;
}

/* a NIC that hung and has a missing feature on is critical; off, not */
static void rejudge_missing(struct nfx_check *c, const struct nfx_check_port *p)
{
	size_t i;

	for (i = 0; i < c->nfindings; i++) {
		struct nfx_check_finding *f = &c->findings[i];
		size_t len = strlen(f->message);

		if (f->kind != NFX_FIND_MISSING || strcmp(f->port, p->name) ||
		    strcmp(f->bridge, p->bridge))
			continue;
		f->critical = p->hangs && (p->missing & p->on);
		if (!(p->missing & p->on))
			snprintf(f->message + len, sizeof(f->message) - len,
				 " (off live now, until the next boot or driver reset)");
	}
}

/* The live link kind says @p is no NIC (a VXLAN, a bond, a tunnel, a
 * macvlan): it has no offloads that hang, so nothing is missing.  A veth
 * or a dummy counts as a NIC: they stand in for one in test beds. */
static bool live_virtual(struct nfx_check *c, struct nfx_live *live,
			 struct nfx_check_port *p)
{
	struct nfx_link link;
	size_t i, k;

	if (nfx_link_get(live, p->name, &link, NULL) < 0 ||
	    (link.kind == NFX_LINK_PORT && strcmp(link.kind_name, "macvlan")))
		return false;
	p->missing = 0;
	snprintf(p->not_nic, sizeof(p->not_nic), "%s",
		 link.kind_name[0] ? link.kind_name : nfx_link_kind_name(link.kind));
	for (i = k = 0; i < c->nfindings; i++)
		if (c->findings[i].kind != NFX_FIND_MISSING ||
		    strcmp(c->findings[i].port, p->name))
			c->findings[k++] = c->findings[i];
	c->nfindings = k;
	return true;
}

int nfx_check_live(struct nfx_check *c, struct nfx_live *live, bool apply,
		   struct nfx_err *err)
{
	size_t i, n = c->nports;
	int rc;

	(void)err;
	for (i = 0; i < n; i++) {
		struct nfx_check_port *p = &c->ports[i];
		const struct nfx_check_bridge *u = unit_of(c, p);
		struct nfx_check_finding *f;
		struct nfx_err e = { 0 };
		char names[NFX_CHECK_NAMES];
		size_t k;

		if (live_virtual(c, live, p))
			continue;
		rc = read_on(c, live, p->name, &p->on, &e);
		if (rc == -ENODEV) {
			p->absent = true;
			f = nfx_check_add(c, NFX_FIND_NO_DEVICE, p->bridge, p->name,
					  u ? u->file : NULL, u ? u->line : 0);
			if (!f)
				return -ENOMEM;
			snprintf(f->message, sizeof(f->message),
				 "no such interface on this host");
			continue;
		}
		if (rc < 0) {
			f = nfx_check_add(c, NFX_FIND_LIVE_ERROR, p->bridge, p->name,
					  NULL, 0);
			if (!f)
				return -ENOMEM;
			snprintf(f->message, sizeof(f->message),
				 "live state unknown: %.400s", e.msg);
			continue;
		}
		p->live = true;
		p->drift = p->on & p->covered;
		if (apply && p->drift) {
			rc = reapply(c, live, p, &e);
			if (rc < 0) {
				f = nfx_check_add(c, NFX_FIND_LIVE_ERROR, p->bridge,
						  p->name, NULL, 0);
				if (!f)
					return -ENOMEM;
				snprintf(f->message, sizeof(f->message),
					 "cannot re-apply: %.400s", e.msg);
			}
		}
		rejudge_missing(c, p);
		if (!p->drift)
			continue;
		f = nfx_check_add(c, NFX_FIND_DRIFT, p->bridge, p->name, NULL, 0);
		if (!f)
			return -ENOMEM;
		nfx_check_names(c, p->drift, names, sizeof(names));
		snprintf(f->features, sizeof(f->features), "%s", names);
		f->hangs = p->hangs;
		f->critical = p->hangs > 0;
		snprintf(f->message, sizeof(f->message),
			 "drift: %s still on, although the lines turn %s off",
			 names, strchr(names, ' ') ? "them" : "it");
		for (k = 0; names[k]; k++)
			if (names[k] == ' ')
				names[k] = ',';
		snprintf(f->fix, sizeof(f->fix), "nicfix apply %s -f %s", p->name,
			 names);
	}
	return 0;
}
