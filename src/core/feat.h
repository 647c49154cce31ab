/* feat.h - feature names: ethtool's legacy aliases and their expansion */
#ifndef NICFIX_FEAT_H
#define NICFIX_FEAT_H

#include <stdint.h>

#include "nicfix.h"

/**
 * nfx_featreq_new() - an empty request, to fill with nfx_featreq_add()
 * nfx_featreq_add() - add @name to @req (once), as nfx_featreq_parse()
 *	adds each name of its list: -EINVAL for an invalid one
 */
int nfx_featreq_new(struct nfx_featreq **ret_req, struct nfx_err *err);
int nfx_featreq_add(struct nfx_featreq *req, const char *name,
		    struct nfx_err *err);

/**
 * nfx_feat_expand() - turn a request into kernel feature bits
 * @req: the request
 * @names: the kernel's ETH_SS_FEATURES names, index = bit
 * @count: number of @names
 * @ret_bits: NFX_BITS_WORDS(@count) words, zeroed by the caller; the bits
 *	of every feature behind @req are set
 * @err: may be NULL
 *
 * A legacy name expands by pattern over @names exactly as "ethtool -K"
 * does, so "tso" is every tx-tcp*-segmentation bit this kernel has.
 *
 * Return: 0, or -EINVAL naming the first unknown feature.
 */
int nfx_feat_expand(const struct nfx_featreq *req, const char *const *names,
		    unsigned int count, uint32_t *ret_bits, struct nfx_err *err);

/**
 * nfx_feat_match() - does kernel feature @kname belong to @name?
 * @name: a legacy or a kernel name
 */
bool nfx_feat_match(const char *name, const char *kname);

/**
 * nfx_feat_name_valid() - could @name be a feature name at all?
 */
bool nfx_feat_name_valid(const char *name);

#endif
