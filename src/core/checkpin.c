/* checkpin.c - check's stale lines and missing NICs, through pinning renames
 *
 * Proxmox VE 9's pinning renames eno1 to nic0 in bridge-ports but not in
 * post-up lines: check's "stale" line and its "no such interface" NIC are
 * then the same NIC under its old name.  Say so, with the new name, when
 * nfx_pins_follow() is certain.
 */
#include <stdio.h>
#include <string.h>

#include "cover.h"

/* is @name a NIC of bridge @bridge in @c? */
static bool checked_port(const struct nfx_check *c, const char *bridge,
			 const char *name)
{
	size_t i;

	for (i = 0; i < c->nports; i++)
		if (!strcmp(c->ports[i].bridge, bridge) &&
		    !strcmp(c->ports[i].name, name))
			return true;
	return false;
}

void nfx_rename_why(const struct nfx_rename *rn, char *buf, size_t len)
{
	if (rn->how == NFX_RENAME_DONE)
		snprintf(buf, len, "%s is %s now (udev's %s of %s)", rn->old,
			 rn->name, rn->property, rn->name);
	else
		snprintf(buf, len,
			 "%s becomes %s at the next boot (%.200s matches its MAC %s)",
			 rn->old, rn->name, rn->source, rn->mac);
}

int nfx_check_renames(struct nfx_check *c, const struct nfx_pins *pins,
		      struct nfx_live *live, struct nfx_err *err)
{
	char why[400], fopt[NFX_CHECK_NAMES];
	struct nfx_rename rn;
	size_t i;
	int rc;

	nfx_check_fopt(c, fopt, sizeof(fopt));
	for (i = 0; i < c->nfindings; i++) {
		struct nfx_check_finding *f = &c->findings[i];

		if ((f->kind != NFX_FIND_STALE && f->kind != NFX_FIND_NO_DEVICE) ||
		    !f->port[0])
			continue;
		rc = nfx_pins_follow(pins, live, f->port, &rn, err);
		if (rc < 0)
			return rc;
		if (!rc || (f->kind == NFX_FIND_NO_DEVICE && rn.how != NFX_RENAME_DONE))
			continue;
		memcpy(f->new_name, rn.name, sizeof(f->new_name));
		nfx_rename_why(&rn, why, sizeof(why));
		if (f->kind == NFX_FIND_NO_DEVICE) {
			snprintf(f->message, sizeof(f->message),
				 "no such interface: %s, and the file still names %s: rename it there",
				 why, f->port);
			f->fix[0] = '\0';
		} else if (checked_port(c, f->bridge, rn.name)) {
			/* persist rewrites the line to the new name */
			snprintf(f->message, sizeof(f->message), "stale: %s", why);
			snprintf(f->fix, sizeof(f->fix), "nicfix persist %s%s",
				 f->bridge, fopt);
		} else {
			snprintf(f->message, sizeof(f->message),
				 "stale: %s, which is not behind %s either", why,
				 f->bridge);
		}
	}
	return 0;
}
