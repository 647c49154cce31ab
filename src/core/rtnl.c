/* rtnl.c - RTM_GETLINK: names, indexes, kinds, masters, VLAN parents;
 * RTM_NEWLINK for a link down/up
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "live.h"

static const struct {
	const char *kind;
	enum nfx_link_kind nfx;
} kinds[] = {
	{ "bridge", NFX_LINK_BRIDGE },
	{ "bond", NFX_LINK_BOND },
	{ "team", NFX_LINK_BOND },
	{ "vlan", NFX_LINK_VLAN },
	/* stand-ins for a NIC: the test suite and containers use them */
	{ "veth", NFX_LINK_PORT },
	{ "dummy", NFX_LINK_PORT },
	{ "macvlan", NFX_LINK_PORT },
};

const char *nfx_link_kind_name(enum nfx_link_kind kind)
{
	switch (kind) {
	case NFX_LINK_PORT:
		return "port";
	case NFX_LINK_BRIDGE:
		return "bridge";
	case NFX_LINK_BOND:
		return "bond";
	case NFX_LINK_VLAN:
		return "vlan";
	default:
		return "other";
	}
}

static enum nfx_link_kind classify(const char *kind_name, bool loopback)
{
	size_t i;

	if (loopback)
		return NFX_LINK_OTHER;
	if (!kind_name[0])
		return NFX_LINK_PORT; /* hardware has no IFLA_INFO_KIND */
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind_name, kinds[i].kind))
			return kinds[i].nfx;
	return NFX_LINK_OTHER;
}

/* a 6-byte address attribute that is not all zeros, into @mac */
static bool get_mac(const struct nlattr *a, unsigned char *mac)
{
	static const unsigned char zero[6];

	if (!a || mnl_attr_get_payload_len(a) != 6 ||
	    !memcmp(mnl_attr_get_payload(a), zero, 6))
		return false;
	memcpy(mac, mnl_attr_get_payload(a), 6);
	return true;
}

/*
 * The address a .link file's MACAddress= meets at boot: the NIC's own.
 * A bond slave's IFLA_ADDRESS is the bond's; the bond keeps the slave's
 * own in IFLA_BOND_SLAVE_PERM_HWADDR.
 */
static void link_mac(const struct nlattr *const *tb, const struct nlattr *const *info,
		     struct nfx_link *l)
{
	const struct nlattr *slave[IFLA_BOND_SLAVE_MAX + 1];
	bool bond_slave = false;

	if (info && info[IFLA_INFO_SLAVE_KIND] &&
	    mnl_attr_validate(info[IFLA_INFO_SLAVE_KIND], MNL_TYPE_STRING) == 0 &&
	    !strncmp(mnl_attr_get_str(info[IFLA_INFO_SLAVE_KIND]), "bond",
		     mnl_attr_get_payload_len(info[IFLA_INFO_SLAVE_KIND])))
		bond_slave = true;
	if (get_mac(tb[IFLA_PERM_ADDRESS], l->mac)) {
		l->has_mac = true;
		return;
	}
	if (bond_slave) {
		if (info[IFLA_INFO_SLAVE_DATA] &&
		    nfx_nl_parse_nested(info[IFLA_INFO_SLAVE_DATA], slave,
					IFLA_BOND_SLAVE_MAX) == 0)
			l->has_mac = get_mac(slave[IFLA_BOND_SLAVE_PERM_HWADDR],
					     l->mac);
		return;
	}
	l->has_mac = get_mac(tb[IFLA_ADDRESS], l->mac);
}

/* A decoded link plus the indexes that still need a name. */
struct raw_link {
	struct nfx_link link;
	int master_index;
	int parent_index;
};

struct collect {
	struct raw_link *v;
	size_t n, cap;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct nlattr *info[IFLA_INFO_MAX + 1];
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct collect *c = data;
	struct raw_link *r;
	bool have_info = false;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (nfx_nl_parse(nlh, sizeof(*ifi), tb, IFLA_MAX) < 0 ||
	    !tb[IFLA_IFNAME] ||
	    mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct raw_link *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		c->v = v;
		c->cap = cap;
	}
	r = &c->v[c->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->link.name, sizeof(r->link.name), "%s",
		 mnl_attr_get_str(tb[IFLA_IFNAME]));
	r->link.ifindex = ifi->ifi_index;
	r->link.up = ifi->ifi_flags & IFF_UP;
	r->link.loopback = ifi->ifi_flags & IFF_LOOPBACK;
	if (tb[IFLA_MASTER] &&
	    mnl_attr_validate(tb[IFLA_MASTER], MNL_TYPE_U32) == 0)
		r->master_index = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK] && mnl_attr_validate(tb[IFLA_LINK], MNL_TYPE_U32) == 0)
		r->parent_index = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINKINFO] &&
	    nfx_nl_parse_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX) == 0)
		have_info = true;
	link_mac(tb, have_info ? info : NULL, &r->link);
	if (have_info) {
		if (info[IFLA_INFO_KIND] &&
		    mnl_attr_validate(info[IFLA_INFO_KIND], MNL_TYPE_STRING) == 0)
			snprintf(r->link.kind_name, sizeof(r->link.kind_name),
				 "%.*s",
				 (int)mnl_attr_get_payload_len(info[IFLA_INFO_KIND]),
				 mnl_attr_get_str(info[IFLA_INFO_KIND]));
	}
	r->link.kind = classify(r->link.kind_name, r->link.loopback);
	return MNL_CB_OK;
}

static int rtnl_ensure(struct nfx_live *live, struct nfx_err *err)
{
	if (live->rtnl.sk)
		return 0;
	return nfx_nl_open(&live->rtnl, NETLINK_ROUTE, err);
}

static int getlink(struct nfx_live *live, const char *name, int ifindex,
		   struct collect *c, struct nfx_err *err)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int ret;

	ret = rtnl_ensure(live, err);
	if (ret < 0)
		return ret;
	nlh = nfx_nl_put(&live->rtnl, RTM_GETLINK,
			 name || ifindex ? 0 : NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* statistics are large and of no use here */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nfx_nl_talk(&live->rtnl, nlh, link_cb, c, err);
}

static const struct raw_link *find_index(const struct collect *c, int ifindex)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].link.ifindex == ifindex)
			return &c->v[i];
	return NULL;
}

/* Fill the names behind master and parent indexes, from @all when given,
 * else with one more request each.
 */
static void resolve(struct nfx_live *live, struct raw_link *r,
		    const struct collect *all)
{
	const int idx[2] = { r->master_index, r->parent_index };
	int i;

	for (i = 0; i < 2; i++) {
		struct collect one = { 0 };
		const struct raw_link *o = NULL;

		if (!idx[i])
			continue;
		if (all)
			o = find_index(all, idx[i]);
		else if (getlink(live, NULL, idx[i], &one, NULL) == 0 && one.n)
			o = &one.v[0];
		if (o && i == 0) {
			memcpy(r->link.master, o->link.name, NFX_IFNAMSIZ);
			r->link.master_kind = o->link.kind;
		} else if (o && r->link.kind == NFX_LINK_VLAN) {
			memcpy(r->link.parent, o->link.name, NFX_IFNAMSIZ);
		}
		free(one.v);
	}
	nfx_ethioctl_driver(live, r->link.name, r->link.driver,
			    sizeof(r->link.driver));
}

int nfx_link_get(struct nfx_live *live, const char *name,
		 struct nfx_link *ret_link, struct nfx_err *err)
{
	struct collect c = { 0 };
	int ret;

	ret = getlink(live, name, 0, &c, err);
	if (ret == -ENODEV || (ret == 0 && c.n == 0)) {
		ret = nfx_err_set(err, -ENODEV, "no such interface");
		goto out_free;
	}
	if (ret < 0)
		goto out_free;
	resolve(live, &c.v[0], NULL);
	*ret_link = c.v[0].link;
out_free:
	free(c.v);
	return ret;
}

int nfx_link_list(struct nfx_live *live, struct nfx_link **ret_links,
		  size_t *ret_n, struct nfx_err *err)
{
	struct collect c = { 0 };
	struct nfx_link *links;
	size_t i;
	int ret;

	ret = getlink(live, NULL, 0, &c, err);
	if (ret < 0)
		goto out_free;
	links = calloc(c.n ? c.n : 1, sizeof(*links));
	if (!links) {
		ret = nfx_err_set(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	for (i = 0; i < c.n; i++) {
		resolve(live, &c.v[i], &c);
		links[i] = c.v[i].link;
	}
	*ret_links = links;
	*ret_n = c.n;
out_free:
	free(c.v);
	return ret;
}

void nfx_link_bridge(struct nfx_live *live, const struct nfx_link *link,
		     char *ret_bridge, char *ret_bond)
{
	struct nfx_link m;

	ret_bridge[0] = '\0';
	if (ret_bond)
		ret_bond[0] = '\0';
	if (link->master_kind == NFX_LINK_BRIDGE) {
		memcpy(ret_bridge, link->master, NFX_IFNAMSIZ);
		return;
	}
	if (link->master_kind != NFX_LINK_BOND)
		return;
	if (ret_bond)
		memcpy(ret_bond, link->master, NFX_IFNAMSIZ);
	if (nfx_link_get(live, link->master, &m, NULL) == 0 &&
	    m.master_kind == NFX_LINK_BRIDGE)
		memcpy(ret_bridge, m.master, NFX_IFNAMSIZ);
}

int nfx_link_set_up(struct nfx_live *live, const char *name, bool up,
		    struct nfx_err *err)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int ret;

	ret = rtnl_ensure(live, err);
	if (ret < 0)
		return ret;
	nlh = nfx_nl_put(&live->rtnl, RTM_NEWLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* only IFF_UP changes: every other flag is left as it is */
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nfx_nl_talk(&live->rtnl, nlh, NULL, NULL, err);
}
