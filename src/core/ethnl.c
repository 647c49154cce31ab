/* ethnl.c - the "ethtool" generic netlink family: names, get, set */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>

#include "bits.h"
#include "live.h"

static int parse_genl(const struct nlmsghdr *nlh, const struct nlattr **tb,
		      unsigned int max)
{
	return nfx_nl_parse(nlh, sizeof(struct genlmsghdr), tb, max);
}

static struct nlmsghdr *genl_put(struct nfx_nl *nl, uint16_t family,
				 uint8_t cmd)
{
	struct nlmsghdr *nlh = nfx_nl_put(nl, family, 0);
	struct genlmsghdr *g;

	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = family == GENL_ID_CTRL ? 1 : ETHTOOL_GENL_VERSION;
	return nlh;
}

static void put_header(struct nlmsghdr *nlh, unsigned int type,
		       const char *ifname, uint32_t flags)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	if (ifname)
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, ifname);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_FLAGS, flags);
	mnl_attr_nest_end(nlh, nest);
}

/* ---- family ---------------------------------------------------------- */

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	uint16_t *family = data;

	parse_genl(nlh, tb, CTRL_ATTR_MAX);
	if (tb[CTRL_ATTR_FAMILY_ID] &&
	    mnl_attr_validate(tb[CTRL_ATTR_FAMILY_ID], MNL_TYPE_U16) == 0)
		*family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return MNL_CB_OK;
}

int nfx_ethnl_family(struct nfx_live *live, struct nfx_err *err)
{
	struct nlmsghdr *nlh;
	uint16_t family = 0;
	int ret;

	nlh = genl_put(&live->genl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	ret = nfx_nl_talk(&live->genl, nlh, family_cb, &family, err);
	if (ret < 0)
		return ret;
	if (!family)
		return nfx_err_set(err, -ENOENT, "no ethtool netlink family");
	live->family = family;
	return 0;
}

/* ---- string set ------------------------------------------------------ */

static int store_string(struct nfx_live *live, const struct nlattr *nest)
{
	const struct nlattr *tb[ETHTOOL_A_STRING_MAX + 1];
	uint32_t idx;

	if (nfx_nl_parse_nested(nest, tb, ETHTOOL_A_STRING_MAX) < 0)
		return -EINVAL;
	if (!tb[ETHTOOL_A_STRING_INDEX] || !tb[ETHTOOL_A_STRING_VALUE] ||
	    mnl_attr_validate(tb[ETHTOOL_A_STRING_INDEX], MNL_TYPE_U32) < 0 ||
	    mnl_attr_validate(tb[ETHTOOL_A_STRING_VALUE], MNL_TYPE_NUL_STRING) < 0)
		return 0;
	idx = mnl_attr_get_u32(tb[ETHTOOL_A_STRING_INDEX]);
	if (idx >= live->nfeat || live->fnames[idx])
		return 0;
	live->fnames[idx] = strdup(mnl_attr_get_str(tb[ETHTOOL_A_STRING_VALUE]));
	return live->fnames[idx] ? 0 : -ENOMEM;
}

static int store_stringset(struct nfx_live *live, const struct nlattr *nest)
{
	const struct nlattr *tb[ETHTOOL_A_STRINGSET_MAX + 1];
	const struct nlattr *s;
	uint32_t count;
	int ret;

	if (nfx_nl_parse_nested(nest, tb, ETHTOOL_A_STRINGSET_MAX) < 0)
		return -EINVAL;
	if (!tb[ETHTOOL_A_STRINGSET_ID] || !tb[ETHTOOL_A_STRINGSET_COUNT] ||
	    mnl_attr_validate(tb[ETHTOOL_A_STRINGSET_ID], MNL_TYPE_U32) < 0 ||
	    mnl_attr_validate(tb[ETHTOOL_A_STRINGSET_COUNT], MNL_TYPE_U32) < 0 ||
	    mnl_attr_get_u32(tb[ETHTOOL_A_STRINGSET_ID]) != ETH_SS_FEATURES)
		return 0;
	count = mnl_attr_get_u32(tb[ETHTOOL_A_STRINGSET_COUNT]);
	if (live->fnames || count == 0 || count > 4096)
		return -EINVAL;
	live->fnames = calloc(count, sizeof(*live->fnames));
	if (!live->fnames)
		return -ENOMEM;
	live->nfeat = count;
	if (!tb[ETHTOOL_A_STRINGSET_STRINGS])
		return 0;
	mnl_attr_for_each_nested(s, tb[ETHTOOL_A_STRINGSET_STRINGS]) {
		if (mnl_attr_get_type(s) != ETHTOOL_A_STRINGS_STRING)
			continue;
		ret = store_string(live, s);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int strset_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETHTOOL_A_STRSET_MAX + 1];
	struct nfx_live *live = data;
	const struct nlattr *s;
	int ret;

	parse_genl(nlh, tb, ETHTOOL_A_STRSET_MAX);
	if (!tb[ETHTOOL_A_STRSET_STRINGSETS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(s, tb[ETHTOOL_A_STRSET_STRINGSETS]) {
		if (mnl_attr_get_type(s) != ETHTOOL_A_STRINGSETS_STRINGSET)
			continue;
		ret = store_stringset(live, s);
		if (ret < 0) {
			errno = -ret;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_OK;
}

int nfx_ethnl_names(struct nfx_live *live, struct nfx_err *err)
{
	struct nlattr *sets, *set;
	struct nlmsghdr *nlh;
	int ret;

	nlh = genl_put(&live->genl, live->family, ETHTOOL_MSG_STRSET_GET);
	put_header(nlh, ETHTOOL_A_STRSET_HEADER, NULL, 0);
	sets = mnl_attr_nest_start(nlh, ETHTOOL_A_STRSET_STRINGSETS);
	set = mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGSETS_STRINGSET);
	mnl_attr_put_u32(nlh, ETHTOOL_A_STRINGSET_ID, ETH_SS_FEATURES);
	mnl_attr_nest_end(nlh, set);
	mnl_attr_nest_end(nlh, sets);
	ret = nfx_nl_talk(&live->genl, nlh, strset_cb, live, err);
	if (ret < 0)
		return ret;
	if (!live->fnames)
		return nfx_err_set(err, -EPROTO,
				   "the kernel sent no feature names");
	return 0;
}

/* ---- FEATURES_GET ---------------------------------------------------- */

/* Decode a bitset, compact or verbose, into @map of @count bits. */
static int bitset_decode(const struct nlattr *nest, uint32_t *map,
			 unsigned int count)
{
	const struct nlattr *tb[ETHTOOL_A_BITSET_MAX + 1];
	const struct nlattr *bit;

	if (nfx_nl_parse_nested(nest, tb, ETHTOOL_A_BITSET_MAX) < 0)
		return -EINVAL;
	if (tb[ETHTOOL_A_BITSET_VALUE]) {
		const uint8_t *v = mnl_attr_get_payload(tb[ETHTOOL_A_BITSET_VALUE]);
		size_t len = mnl_attr_get_payload_len(tb[ETHTOOL_A_BITSET_VALUE]);
		size_t words = NFX_BITS_WORDS(count);

		if (len > words * 4)
			len = words * 4;
		memcpy(map, v, len);
		return 0;
	}
	if (!tb[ETHTOOL_A_BITSET_BITS])
		return 0;
	mnl_attr_for_each_nested(bit, tb[ETHTOOL_A_BITSET_BITS]) {
		const struct nlattr *bt[ETHTOOL_A_BITSET_BIT_MAX + 1];
		uint32_t idx;

		if (nfx_nl_parse_nested(bit, bt, ETHTOOL_A_BITSET_BIT_MAX) < 0 ||
		    !bt[ETHTOOL_A_BITSET_BIT_INDEX] ||
		    mnl_attr_validate(bt[ETHTOOL_A_BITSET_BIT_INDEX], MNL_TYPE_U32) < 0)
			continue;
		idx = mnl_attr_get_u32(bt[ETHTOOL_A_BITSET_BIT_INDEX]);
		if (idx < count && bt[ETHTOOL_A_BITSET_BIT_VALUE])
			nfx_bit_set(map, idx);
	}
	return 0;
}

static int features_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETHTOOL_A_FEATURES_MAX + 1];
	struct nfx_features *f = data;
	const struct {
		unsigned int attr;
		uint32_t *map;
	} sets[] = {
		{ ETHTOOL_A_FEATURES_HW, f->hw },
		{ ETHTOOL_A_FEATURES_WANTED, f->wanted },
		{ ETHTOOL_A_FEATURES_ACTIVE, f->active },
		{ ETHTOOL_A_FEATURES_NOCHANGE, f->nochange },
	};
	size_t i;

	parse_genl(nlh, tb, ETHTOOL_A_FEATURES_MAX);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if (!tb[sets[i].attr]) {
			errno = EPROTO;
			return MNL_CB_ERROR;
		}
		if (bitset_decode(tb[sets[i].attr], sets[i].map, f->count) < 0) {
			errno = EPROTO;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_OK;
}

int nfx_ethnl_get(struct nfx_live *live, const char *ifname,
		  struct nfx_features *feat, struct nfx_err *err)
{
	struct nlmsghdr *nlh;

	nlh = genl_put(&live->genl, live->family, ETHTOOL_MSG_FEATURES_GET);
	put_header(nlh, ETHTOOL_A_FEATURES_HEADER, ifname,
		   ETHTOOL_FLAG_COMPACT_BITSETS);
	return nfx_nl_talk(&live->genl, nlh, features_cb, feat, err);
}

/* ---- FEATURES_SET ---------------------------------------------------- */

/* Features are set by name: bit numbers are the kernel's business.  A
 * bit listed without ETHTOOL_A_BITSET_BIT_VALUE, in a bitset without
 * ETHTOOL_A_BITSET_NOMASK, means "this bit, off".
 */
int nfx_ethnl_clear(struct nfx_live *live, const char *ifname,
		    const uint32_t *bits, struct nfx_err *err)
{
	struct nlattr *wanted, *list, *bit;
	struct nlmsghdr *nlh;
	unsigned int i;

	nlh = genl_put(&live->genl, live->family, ETHTOOL_MSG_FEATURES_SET);
	put_header(nlh, ETHTOOL_A_FEATURES_HEADER, ifname,
		   ETHTOOL_FLAG_OMIT_REPLY);
	wanted = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_WANTED);
	list = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS);
	for (i = 0; i < live->nfeat; i++) {
		if (!nfx_bit_test(bits, i) || !live->fnames[i])
			continue;
		bit = mnl_attr_nest_start_check(nlh, NFX_NL_RCVBUF,
						ETHTOOL_A_BITSET_BITS_BIT);
		if (!bit ||
		    !mnl_attr_put_strz_check(nlh, NFX_NL_RCVBUF,
					     ETHTOOL_A_BITSET_BIT_NAME,
					     live->fnames[i])) {
			if (bit)
				mnl_attr_nest_cancel(nlh, bit);
			mnl_attr_nest_cancel(nlh, list);
			mnl_attr_nest_cancel(nlh, wanted);
			return nfx_err_set(err, -EMSGSIZE,
					   "feature request too large");
		}
		mnl_attr_nest_end(nlh, bit);
	}
	mnl_attr_nest_end(nlh, list);
	mnl_attr_nest_end(nlh, wanted);
	return nfx_nl_talk(&live->genl, nlh, NULL, NULL, err);
}
