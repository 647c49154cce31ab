/* live.c - the live kernel handle: open, names, read features */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bits.h"
#include "feat.h"
#include "live.h"

int nfx_live_open(struct nfx_live **ret_live, unsigned int flags,
		  struct nfx_err *err)
{
	struct nfx_live *live;
	int ret;

	live = calloc(1, sizeof(*live));
	if (!live)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	live->iofd = -1;
	live->use_ioctl = flags & NFX_LIVE_IOCTL;
	if (!live->use_ioctl) {
		ret = nfx_nl_open(&live->genl, NETLINK_GENERIC, err);
		if (ret < 0)
			goto out_free;
		ret = nfx_ethnl_family(live, err);
		if (ret == -ENOENT) {
			/* a kernel before 5.6: the ioctl does the same job */
			nfx_nl_close(&live->genl);
			live->use_ioctl = true;
		} else if (ret < 0) {
			goto out_free;
		}
	}
	*ret_live = live;
	return 0;

out_free:
	nfx_live_close(live);
	return ret;
}

void nfx_live_close(struct nfx_live *live)
{
	unsigned int i;

	if (!live)
		return;
	nfx_nl_close(&live->genl);
	nfx_nl_close(&live->rtnl);
	if (live->iofd >= 0)
		close(live->iofd);
	for (i = 0; i < live->nfeat; i++)
		free(live->fnames[i]);
	free(live->fnames);
	free(live);
}

const char *nfx_live_backend(const struct nfx_live *live)
{
	return live->use_ioctl ? "ioctl" : "netlink";
}

int nfx_live_names(struct nfx_live *live, const char *ifname,
		   struct nfx_err *err)
{
	if (live->fnames)
		return 0;
	if (live->use_ioctl)
		return nfx_ethioctl_names(live, ifname, err);
	return nfx_ethnl_names(live, err);
}

int nfx_live_feature_known(struct nfx_live *live, const char *name,
			   struct nfx_err *err)
{
	unsigned int i;
	int ret;

	if (live->use_ioctl)
		return -EOPNOTSUPP;
	ret = nfx_live_names(live, NULL, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < live->nfeat; i++)
		if (live->fnames[i] && !strcmp(live->fnames[i], name))
			return 1;
	return 0;
}

struct nfx_features *nfx_features_new(const struct nfx_live *live)
{
	size_t words = NFX_BITS_WORDS(live->nfeat);
	struct nfx_features *f;

	/* one block: the struct, then the four bitmaps */
	f = calloc(1, sizeof(*f) + 4 * words * sizeof(uint32_t));
	if (!f)
		return NULL;
	f->live = live;
	f->count = live->nfeat;
	f->hw = (uint32_t *)(f + 1);
	f->wanted = f->hw + words;
	f->active = f->wanted + words;
	f->nochange = f->active + words;
	return f;
}

void nfx_features_free(struct nfx_features *feat)
{
	free(feat);
}

int nfx_features_get(struct nfx_live *live, const char *ifname,
		     struct nfx_features **ret_feat, struct nfx_err *err)
{
	struct nfx_features *f;
	int ret;

	ret = nfx_live_names(live, ifname, err);
	if (ret < 0)
		goto out_err;
	f = nfx_features_new(live);
	if (!f)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	if (live->use_ioctl)
		ret = nfx_ethioctl_get(live, ifname, f, err);
	else
		ret = nfx_ethnl_get(live, ifname, f, err);
	if (ret < 0) {
		nfx_features_free(f);
		goto out_err;
	}
	*ret_feat = f;
	return 0;

out_err:
	if (ret == -ENODEV)
		return nfx_err_set(err, -ENODEV, "no such interface");
	return ret;
}

enum nfx_state nfx_features_state(const struct nfx_features *feat,
				  const char *name, bool *fixed)
{
	unsigned int i, on = 0, off = 0, changeable = 0;
	const struct nfx_live *live = feat->live;

	for (i = 0; i < feat->count; i++) {
		if (!live->fnames[i] || !nfx_feat_match(name, live->fnames[i]))
			continue;
		if (nfx_bit_test(feat->active, i))
			on++;
		else
			off++;
		if (nfx_bit_test(feat->hw, i) && !nfx_bit_test(feat->nochange, i))
			changeable++;
	}
	if (fixed)
		*fixed = (on || off) && !changeable;
	if (!on && !off)
		return NFX_STATE_NONE;
	if (on && off)
		return NFX_STATE_PARTIAL;
	return on ? NFX_STATE_ON : NFX_STATE_OFF;
}

const char *nfx_features_bit(const struct nfx_features *feat, const char *name,
			     size_t i, bool *ret_on, bool *ret_fixed)
{
	const struct nfx_live *live = feat->live;
	unsigned int b;

	for (b = 0; b < feat->count; b++) {
		if (!live->fnames[b] || !nfx_feat_match(name, live->fnames[b]))
			continue;
		if (i--)
			continue;
		if (ret_on)
			*ret_on = nfx_bit_test(feat->active, b);
		if (ret_fixed)
			*ret_fixed = !nfx_bit_test(feat->hw, b) ||
				     nfx_bit_test(feat->nochange, b);
		return live->fnames[b];
	}
	return NULL;
}

const char *nfx_state_name(enum nfx_state state)
{
	static const char *const names[] = {
		[NFX_STATE_OFF] = "off",
		[NFX_STATE_ON] = "on",
		[NFX_STATE_PARTIAL] = "partial",
		[NFX_STATE_NONE] = "none",
	};

	return names[state];
}
