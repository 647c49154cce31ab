/* ifports.c - the ports behind a bridge, as the configuration says */
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
		add(p->phys, &p->nphys, name, strlen(name));
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
