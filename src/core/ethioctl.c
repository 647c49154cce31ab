/* ethioctl.c - the SIOCETHTOOL ioctl, for kernels without ethtool netlink */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/netlink.h>
#include <linux/sockios.h>

#include "bits.h"
#include "live.h"

int nfx_ethioctl_fd(struct nfx_live *live, struct nfx_err *err)
{
	if (live->iofd >= 0)
		return live->iofd;
	live->iofd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* a kernel built without IPv4 still answers on a netlink socket */
	if (live->iofd < 0)
		live->iofd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				    NETLINK_GENERIC);
	if (live->iofd < 0)
		return nfx_err_set(err, -errno, "cannot open ioctl socket: %s",
				   strerror(errno));
	return live->iofd;
}

static int ethtool_ioctl(struct nfx_live *live, const char *ifname,
			 void *cmd, struct nfx_err *err)
{
	struct ifreq ifr;
	int fd = nfx_ethioctl_fd(live, err);

	if (fd < 0)
		return fd;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = cmd;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return nfx_err_set(err, -errno, "%s", strerror(errno));
	return 0;
}

int nfx_ethioctl_names(struct nfx_live *live, const char *ifname,
		       struct nfx_err *err)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t len;
	} info;
	struct ethtool_gstrings *gs;
	uint32_t i, count;
	int ret;

	memset(&info, 0, sizeof(info));
	info.hdr.cmd = ETHTOOL_GSSET_INFO;
	info.hdr.sset_mask = 1ULL << ETH_SS_FEATURES;
	ret = ethtool_ioctl(live, ifname, &info, err);
	if (ret < 0)
		return ret;
	if (!(info.hdr.sset_mask & (1ULL << ETH_SS_FEATURES)) ||
	    info.len == 0 || info.len > 4096)
		return nfx_err_set(err, -EOPNOTSUPP, "no feature names");
	count = info.len;
	gs = calloc(1, sizeof(*gs) + (size_t)count * ETH_GSTRING_LEN);
	if (!gs)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = count;
	ret = ethtool_ioctl(live, ifname, gs, err);
	if (ret < 0)
		goto out_free;
	live->fnames = calloc(count, sizeof(*live->fnames));
	if (!live->fnames) {
		ret = nfx_err_set(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	live->nfeat = count;
	for (i = 0; i < count; i++) {
		live->fnames[i] = strndup((char *)gs->data + i * ETH_GSTRING_LEN,
					  ETH_GSTRING_LEN);
		if (!live->fnames[i]) {
			ret = nfx_err_set(err, -ENOMEM, "out of memory");
			goto out_free;
		}
	}
	ret = 0;
out_free:
	free(gs);
	return ret;
}

int nfx_ethioctl_get(struct nfx_live *live, const char *ifname,
		     struct nfx_features *feat, struct nfx_err *err)
{
	unsigned int words = NFX_BITS_WORDS(feat->count), i;
	struct ethtool_gfeatures *gf;
	int ret;

	gf = calloc(1, sizeof(*gf) + words * sizeof(gf->features[0]));
	if (!gf)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = words;
	ret = ethtool_ioctl(live, ifname, gf, err);
	if (ret < 0)
		goto out_free;
	for (i = 0; i < words; i++) {
		feat->hw[i] = gf->features[i].available;
		feat->wanted[i] = gf->features[i].requested;
		feat->active[i] = gf->features[i].active;
		feat->nochange[i] = gf->features[i].never_changed;
	}
out_free:
	free(gf);
	return ret;
}

int nfx_ethioctl_clear(struct nfx_live *live, const char *ifname,
		       const uint32_t *bits, struct nfx_err *err)
{
	unsigned int words = NFX_BITS_WORDS(live->nfeat), i;
	struct ethtool_sfeatures *sf;
	int ret;

	sf = calloc(1, sizeof(*sf) + words * sizeof(sf->features[0]));
	if (!sf)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	sf->cmd = ETHTOOL_SFEATURES;
	sf->size = words;
	for (i = 0; i < words; i++) {
		sf->features[i].valid = bits[i];
		sf->features[i].requested = 0;
	}
	/* a positive ETHTOOL_F_* answer only says not all took effect:
	 * the caller reads back and reports per feature anyway
	 */
	ret = ethtool_ioctl(live, ifname, sf, err);
	free(sf);
	return ret;
}

int nfx_ethioctl_driver(struct nfx_live *live, const char *ifname, char *buf,
			size_t len)
{
	struct ethtool_drvinfo info;
	int ret;

	memset(&info, 0, sizeof(info));
	info.cmd = ETHTOOL_GDRVINFO;
	ret = ethtool_ioctl(live, ifname, &info, NULL);
	if (ret < 0)
		return ret;
	snprintf(buf, len, "%.*s", (int)sizeof(info.driver), info.driver);
	return 0;
}
