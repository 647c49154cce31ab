/* live.h - the live kernel handle shared by the netlink and ioctl code */
#ifndef NICFIX_LIVE_H
#define NICFIX_LIVE_H

#include <stdint.h>

#include "nl.h"

/**
 * struct nfx_live - open kernel interfaces
 * @use_ioctl: SIOCETHTOOL instead of ethtool netlink
 * @genl: generic netlink socket (unused with @use_ioctl)
 * @rtnl: rtnetlink socket, opened on first use
 * @family: id of the "ethtool" genl family
 * @nfeat: number of kernel feature names
 * @fnames: the names, index = bit; loaded on first use
 * @iofd: datagram socket for SIOCETHTOOL, -1 until needed
 */
struct nfx_live {
	bool use_ioctl;
	struct nfx_nl genl;
	struct nfx_nl rtnl;
	uint16_t family;
	unsigned int nfeat;
	char **fnames;
	int iofd;
};

/**
 * struct nfx_features - the four feature bitmaps of one device
 * @live: names come from here (borrowed)
 * @count: number of bits
 * @hw: changeable; @wanted: requested; @active: in effect;
 * @nochange: never changeable
 */
struct nfx_features {
	const struct nfx_live *live;
	unsigned int count;
	uint32_t *hw;
	uint32_t *wanted;
	uint32_t *active;
	uint32_t *nochange;
};

/* the kernel's feature names, loaded once; @ifname is needed by ioctl */
int nfx_live_names(struct nfx_live *live, const char *ifname,
		   struct nfx_err *err);

/* allocate a zeroed struct nfx_features of live->nfeat bits */
struct nfx_features *nfx_features_new(const struct nfx_live *live);

/* the ethtool genl family: ethnl.c */
int nfx_ethnl_family(struct nfx_live *live, struct nfx_err *err);
int nfx_ethnl_names(struct nfx_live *live, struct nfx_err *err);
int nfx_ethnl_get(struct nfx_live *live, const char *ifname,
		  struct nfx_features *feat, struct nfx_err *err);
int nfx_ethnl_clear(struct nfx_live *live, const char *ifname,
		    const uint32_t *bits, struct nfx_err *err);

/* the SIOCETHTOOL ioctl: ethioctl.c */
int nfx_ethioctl_fd(struct nfx_live *live, struct nfx_err *err);
int nfx_ethioctl_names(struct nfx_live *live, const char *ifname,
		       struct nfx_err *err);
int nfx_ethioctl_get(struct nfx_live *live, const char *ifname,
		     struct nfx_features *feat, struct nfx_err *err);
int nfx_ethioctl_clear(struct nfx_live *live, const char *ifname,
		       const uint32_t *bits, struct nfx_err *err);
int nfx_ethioctl_driver(struct nfx_live *live, const char *ifname,
			char *buf, size_t len);

#endif
