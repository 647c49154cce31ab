/* ifports.c - the ports behind a bridge, as the configuration says */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ifports.h"

#define MAX_DEPTH 8

static bool in(const char (*v)[NFX_IFNAMSIZ], size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

bool nfx_ifports_phys(const struct nfx_ports *p, const char *name)
{
	return in(p->phys, p->nphys, name);
}

bool nfx_ifports_has(const struct nfx_ports *p, const char *name)
{
	return in(p->all, p->nall, name);
}

static void add(char (*v)[NFX_IFNAMSIZ], size_t *n, const char *w, size_t len)
{
	if (len == 0 || len >= NFX_IFNAMSIZ || *n == NFX_MAX_PORTS)
		return;
	memcpy(v[*n], w, len);
	v[*n][len] = '\0';
	if (in(v, *n, v[*n]))
		return;
	(*n)++;
}

/* Call @fn for every word of every @key option in stanzas of @name. */
static void each_word(const struct nfx_ifconf *c, const char *name,
		      const char *const *keys,
		      void (*fn)(void *data, const char *w, size_t len),
		      void *data)
{
	size_t r, i;

	for (r = 0; r < c->nrefs; r++) {
		const struct nfx_ifref *ref = &c->refs[r];

		if (!nfx_ifstanza_is(ref->st, name))
			continue;
		for (i = 0; i < ref->st->nopt; i++) {
			const struct nfx_ifopt *o = &ref->file->opts[ref->st->opt + i];
			const char *const *k;

			for (k = keys; *k; k++) {
				const char *p = o->val, *w;
				size_t len;

				if (!nfx_ifopt_is(o, *k))
					continue;
				while ((w = nfx_ifword_next(&p, o->val + o->vallen, &len)))
					if (!(len == 4 && !memcmp(w, "none", 4)))
						fn(data, w, len);
			}
		}
	}
}

struct collect {
	char v[NFX_MAX_PORTS][NFX_IFNAMSIZ];
	size_t n;
};

static void collect_cb(void *data, const char *w, size_t len)
{
	struct collect *c = data;

	add(c->v, &c->n, w, len);
}

static const char *const bridge_keys[] = { "bridge-ports", "bridge_ports", NULL };
static const char *const slave_keys[] = { "bond-slaves", "bond_slaves", "slaves",
					  NULL };
static const char *const master_keys[] = { "bond-master", "bond_master", NULL };
static const char *const raw_keys[] = { "vlan-raw-device", "vlan_raw_device",
					NULL };

/* stanzas that say "bond-master BOND": one pass over the stanzas */
static void slaves_by_master(const struct nfx_ifconf *c, const char *bond,
			     struct collect *out)
{
	size_t r, i, blen = strlen(bond);
	const char *const *k;

	for (r = 0; r < c->nrefs; r++) {
		const struct nfx_ifref *ref = &c->refs[r];
		const struct nfx_ifstanza *st = ref->st;

		if (st->kind != NFX_ST_IFACE)
			continue;
		for (i = 0; i < st->nopt; i++) {
			const struct nfx_ifopt *o = &ref->file->opts[st->opt + i];

			for (k = master_keys; *k; k++)
				if (nfx_ifopt_is(o, *k) && o->vallen == blen &&
				    !memcmp(o->val, bond, blen))
					add(out->v, &out->n, st->name, st->namelen);
		}
	}
}


/* names that only devices without a NIC of their own have */
static const char *const virt_prefixes[] = {
	"vmbr", "vxlan", "vni", "veth", "tap", "tun", "fwpr", "fwln", "fwbr",
	"dummy", "macvlan", "macvtap", "ipvlan", "gre", "ip6gre", "ipip",
	"ip6tnl", "sit", "wg", "vrf", "virbr", "vnet", "docker", "ovs-",
	NULL,
};
static const char *const virt_methods[] = { "tunnel", "v4tunnel", "6to4",
					    "ppp", "wvdial", "loopback", NULL };

static bool key_prefix(const struct nfx_ifopt *o, const char *prefix)
{
	size_t n = strlen(prefix);

	return o->keylen > n && !memcmp(o->key, prefix, n);
}

static bool val_has(const struct nfx_ifopt *o, const char *s)
{
	return memmem(o->val, o->vallen, s, strlen(s)) != NULL;
}

/* the word after "iface NAME FAMILY" */
static void stanza_method(const struct nfx_ifstanza *st, const char *buf,
			  char *out, size_t len)
{
	const char *p, *end, *w;
	size_t wl;

	out[0] = '\0';
	if (!st->family)
		return;
	p = st->family + st->familylen;
	end = strchr(p, '\n');
	if (!end)
		end = buf + strlen(buf);
	w = nfx_ifword_next(&p, end, &wl);
	if (w && wl < len && *w != '#') {
		memcpy(out, w, wl);
		out[wl] = '\0';
	}
}

/* why the stanza options say @st is no NIC, or false */
static bool stanza_virtual(const struct nfx_iffile *f,
			   const struct nfx_ifstanza *st, const char *name,
			   char *why, size_t len)
{
	char method[24];
	size_t i;

	stanza_method(st, f->buf, method, sizeof(method));
	for (i = 0; virt_methods[i]; i++)
		if (!strcmp(method, virt_methods[i])) {
			snprintf(why, len, "method %s", method);
			return true;
		}
	for (i = 0; i < st->nopt; i++) {
		const struct nfx_ifopt *o = &f->opts[st->opt + i];
		int vl = (int)(o->vallen > 20 ? 20 : o->vallen);

		if (nfx_ifopt_is(o, "bridge-ports") || nfx_ifopt_is(o, "bridge_ports")) {
			snprintf(why, len, "a bridge");
			return true;
		}
		if (key_prefix(o, "vxlan-") || key_prefix(o, "vxlan_") ||
		    key_prefix(o, "tunnel-") || nfx_ifopt_is(o, "vrf-table") ||
		    nfx_ifopt_is(o, "veth-peer-name")) {
			snprintf(why, len, "%.*s", (int)o->keylen, o->key);
			return true;
		}
		if (nfx_ifopt_is(o, "link-type")) {
			snprintf(why, len, "link-type %.*s", vl, o->val);
			return true;
		}
		if ((nfx_ifopt_is(o, "ovs_type") || nfx_ifopt_is(o, "ovs-type")) &&
		    !(o->vallen == 7 && !memcmp(o->val, "OVSPort", 7))) {
			snprintf(why, len, "ovs_type %.*s", vl, o->val);
			return true;
		}
		/* "pre-up ip link add link vmbr0 name mgmt type macvlan" */
		if ((nfx_ifopt_is(o, "pre-up") || nfx_ifopt_is(o, "up")) &&
		    val_has(o, "ip link add") && val_has(o, name) &&
		    val_has(o, " type ")) {
			const char *t = memmem(o->val, o->vallen, " type ", 6) + 6;
			size_t tl = 0;

			while (t + tl < o->val + o->vallen && t[tl] > ' ')
				tl++;
			snprintf(why, len, "ip link add ... type %.*s",
				 (int)(tl > 16 ? 16 : tl), t);
			return true;
		}
	}
	return false;
}

bool nfx_ifports_virtual(const struct nfx_ifconf *conf, const char *name,
			 char *why, size_t len)
{
	size_t r, i, n = strlen(name);

	for (r = 0; r < conf->nrefs; r++)
		if (nfx_ifstanza_is(conf->refs[r].st, name) &&
		    stanza_virtual(conf->refs[r].file, conf->refs[r].st, name,
				   why, len))
			return true;
	if (!strcmp(name, "lo")) {
		snprintf(why, len, "the loopback");
		return true;
	}
	for (i = 0; virt_prefixes[i]; i++) {
		size_t pl = strlen(virt_prefixes[i]);

		if (n >= pl && !memcmp(name, virt_prefixes[i], pl)) {
			snprintf(why, len, "the name %s*", virt_prefixes[i]);
			return true;
		}
	}
	/* "enx" and a MAC address; "enxXXXXXXXXXXXX" is a placeholder */
	if (n == 15 && !memcmp(name, "enx", 3)) {
		for (i = 3; i < n && isxdigit((unsigned char)name[i]); i++)
			;
		if (i < n) {
			snprintf(why, len, "a placeholder, not a MAC address");
			return true;
		}
	}
	return false;
}

static void walk(const struct nfx_ifconf *c, const char *name, int depth,
		 struct nfx_ports *p)
{
	struct collect lower = { 0 };
	const char *dot;
	size_t i;

	/* each interface once: a file where many stanzas name the same
	 * lower devices would otherwise be walked once per path to them,
	 * exponentially in the depth */
	if (depth > MAX_DEPTH || in(p->all, p->nall, name))
		return;
	add(p->all, &p->nall, name, strlen(name));
	each_word(c, name, slave_keys, collect_cb, &lower);
	if (!lower.n)
		slaves_by_master(c, name, &lower);
	if (!lower.n)
		each_word(c, name, raw_keys, collect_cb, &lower);
	dot = strrchr(name, '.');
	if (!lower.n && dot && dot != name && dot[1])
		add(lower.v, &lower.n, name, (size_t)(dot - name));
	if (!lower.n) {
		char why[48];

		if (!nfx_ifports_virtual(c, name, why, sizeof(why))) {
			add(p->phys, &p->nphys, name, strlen(name));
		} else if (p->nvirt < NFX_MAX_PORTS &&
			   !in(p->virt, p->nvirt, name)) {
			snprintf(p->virt[p->nvirt], NFX_IFNAMSIZ, "%s", name);
			snprintf(p->why[p->nvirt], sizeof(p->why[0]), "%s", why);
			p->nvirt++;
		}
		return;
	}
	for (i = 0; i < lower.n; i++)
		walk(c, lower.v[i], depth + 1, p);
}

void nfx_ifports_behind(const struct nfx_ifconf *conf, const char *bridge,
			struct nfx_ports *ret)
{
	struct collect members = { 0 };
	size_t i;

	memset(ret, 0, sizeof(*ret));
	each_word(conf, bridge, bridge_keys, collect_cb, &members);
	for (i = 0; i < members.n; i++)
		walk(conf, members.v[i], 0, ret);
}
