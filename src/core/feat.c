/* feat.c - feature names: ethtool's legacy aliases and their expansion */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "feat.h"

/* The legacy names "ethtool -K" accepts, with the kernel feature names
 * they stand for (ethtool's off_flag_def[]).  The patterns are matched
 * against the names the running kernel reports, never against a list
 * compiled in here: new kernels add bits (tx-tcp-accecn-segmentation).
 */
static const struct legacy {
	const char *name;
	const char *long_name;
	const char *pattern;
} legacy[] = {
	{ "rx", "rx-checksumming", "rx-checksum" },
	{ "tx", "tx-checksumming", "tx-checksum-*" },
	{ "sg", "scatter-gather", "tx-scatter-gather*" },
	{ "tso", "tcp-segmentation-offload", "tx-tcp*-segmentation" },
	{ "ufo", "udp-fragmentation-offload", "tx-udp-fragmentation" },
	{ "gso", "generic-segmentation-offload", "tx-generic-segmentation" },
	{ "gro", "generic-receive-offload", "rx-gro" },
	{ "lro", "large-receive-offload", "rx-lro" },
	{ "rxvlan", "rx-vlan-offload", "rx-vlan-hw-parse" },
	{ "txvlan", "tx-vlan-offload", "tx-vlan-hw-insert" },
	{ "ntuple", "ntuple-filters", "rx-ntuple-filter" },
	{ "rxhash", "receive-hashing", "rx-hashing" },
};

#define N_LEGACY (sizeof(legacy) / sizeof(legacy[0]))
#define MAX_TOKENS 64

struct nfx_featreq {
	size_t n;
	char names[MAX_TOKENS][32];
};

/* Kernel feature names are lower-case words joined by '-' or '_'
 * ("tx-udp_tnl-segmentation"); anything else cannot be one.  "on" and
 * "off" are ethtool's values: a line naming them as features is one
 * ethtool and our own recogniser refuse.
 */
static bool token_valid(const char *tok)
{
	const char *p;

	if (!*tok || strlen(tok) >= 32 || !strcmp(tok, "on") ||
	    !strcmp(tok, "off"))
		return false;
	for (p = tok; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return false;
	return true;
}

static const struct legacy *legacy_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_LEGACY; i++)
		if (!strcmp(name, legacy[i].name) ||
		    !strcmp(name, legacy[i].long_name))
			return &legacy[i];
	return NULL;
}

bool nfx_feat_is_short(const char *name)
{
	return legacy_find(name) != NULL;
}

const char *nfx_feat_short(const char *name)
{
	const struct legacy *l = legacy_find(name);

	return l ? l->name : NULL;
}

const char *nfx_feat_shown(const char *name)
{
	const char *s = nfx_feat_short(name);

	return s ? s : name;
}

bool nfx_feat_name_valid(const char *name)
{
	return token_valid(name);
}

const char *nfx_feat_short_names(void)
{
	return "rx, tx, sg, tso, ufo, gso, gro, lro, rxvlan, txvlan, ntuple, rxhash";
}

/* @l: legacy_find(@name), looked up once by a caller matching many */
static bool match(const struct legacy *l, const char *name, const char *kname)
{
	if (l)
		return fnmatch(l->pattern, kname, 0) == 0;
	return strcmp(name, kname) == 0;
}

bool nfx_feat_match(const char *name, const char *kname)
{
	return match(legacy_find(name), name, kname);
}

bool nfx_feat_covers(const char *name, const char *kname)
{
	return nfx_feat_match(name, kname);
}

static int unknown(struct nfx_err *err, const char *tok)
{
	return nfx_err_set(err, -EINVAL,
			   "unknown feature '%s' (valid short names: %s; or a kernel name such as tx-tcp-segmentation)",
			   tok, nfx_feat_short_names());
}

void nfx_featreq_free(struct nfx_featreq *req)
{
	free(req);
}

int nfx_featreq_new(struct nfx_featreq **ret_req, struct nfx_err *err)
{
	*ret_req = calloc(1, sizeof(**ret_req));
	return *ret_req ? 0 : nfx_err_set(err, -ENOMEM, "out of memory");
}

/* @len bytes at @tok: a valid name, added once; @list is for messages */
static int add(struct nfx_featreq *req, const char *tok, size_t len,
	       const char *list, struct nfx_err *err)
{
	char name[sizeof(req->names[0])];
	size_t i;

	if (len == 0 || len >= sizeof(name))
		return nfx_err_set(err, -EINVAL, "invalid feature list '%s'", list);
	memcpy(name, tok, len);
	name[len] = '\0';
	if (!token_valid(name))
		return unknown(err, name);
	for (i = 0; i < req->n; i++)
		if (!strcmp(req->names[i], name))
			return 0;
	if (req->n == MAX_TOKENS)
		return nfx_err_set(err, -EINVAL, "too many features in '%s'", list);
	memcpy(req->names[req->n++], name, len + 1);
	return 0;
}

int nfx_featreq_add(struct nfx_featreq *req, const char *name,
		    struct nfx_err *err)
{
	return add(req, name, strlen(name), name, err);
}

int nfx_featreq_parse(const char *list, struct nfx_featreq **ret_req,
		      struct nfx_err *err)
{
	struct nfx_featreq *req;
	const char *p, *end;
	int ret;

	/* the messages below quote the list: not a byte that would reach
	 * the terminal as a control or a broken character
	 */
	for (end = list; *end; end++)
		if ((unsigned char)*end < ' ' || (unsigned char)*end >= 0x7f)
			return nfx_err_set(err, -EINVAL,
					   "invalid feature list: control or non-ASCII byte 0x%02x",
					   (unsigned char)*end);
	ret = nfx_featreq_new(&req, err);
	if (ret < 0)
		return ret;
	for (p = list;; p = end + 1) {
		end = strchr(p, ',');
		ret = add(req, p, end ? (size_t)(end - p) : strlen(p), list, err);
		if (ret < 0) {
			nfx_featreq_free(req);
			return ret;
		}
		if (!end)
			break;
	}
	*ret_req = req;
	return 0;
}

int nfx_featreq_default(struct nfx_featreq **ret_req, struct nfx_err *err)
{
	return nfx_featreq_parse("tso,gso,gro", ret_req, err);
}

size_t nfx_featreq_count(const struct nfx_featreq *req)
{
	return req->n;
}

const char *nfx_featreq_name(const struct nfx_featreq *req, size_t i)
{
	return i < req->n ? req->names[i] : NULL;
}

int nfx_feat_expand(const struct nfx_featreq *req, const char *const *names,
		    unsigned int count, uint32_t *ret_bits, struct nfx_err *err)
{
	unsigned int bit, found;
	size_t i;

	for (i = 0; i < req->n; i++) {
		const char *tok = req->names[i];
		const struct legacy *l = legacy_find(tok);

		found = 0;
		for (bit = 0; bit < count; bit++) {
			if (names[bit] && match(l, tok, names[bit])) {
				nfx_bit_set(ret_bits, bit);
				found++;
			}
		}
		/* a legacy name may match nothing: no kernel with netlink
		 * supports UFO, yet "ufo off" is still a valid request
		 */
		if (!found && !l)
			return unknown(err, tok);
	}
	return 0;
}
