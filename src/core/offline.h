/* offline.h - recognise and write ethtool offload command lines */
#ifndef NICFIX_OFFLINE_H
#define NICFIX_OFFLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "nicfix.h"

#define NFX_OFFLINE_MAX_FEAT 32
/* words of a line that nfx_offline_parse() reads; a longer one is refused */
#define NFX_OFFLINE_MAX_WORDS 96

/**
 * struct nfx_offline - an "ethtool -K DEV feature on|off ..." command
 * @dev: the device it changes
 * @n: number of @feat
 * @feat: the features in the order written; @name as written, long
 *	legacy names folded to their short form ("tso")
 * @guarded: ends in "|| true" (or "|| :"), so it can never fail ifup
 * @more: 0, or the offset in the command of other commands that follow
 *	the offload one after a ';' or '&&' ("; ethtool -s eno1 wol d"):
 *	they run too, and the line's exit status is theirs
 * @feat_end: offset in the command just after the last "on|off" word,
 *	where missing features are inserted when completing the line
 * @dev_off: offset of the device word in the command
 */
struct nfx_offline {
	char dev[NFX_IFNAMSIZ];
	size_t n;
	struct {
		char name[32];
		bool on;
	} feat[NFX_OFFLINE_MAX_FEAT];
	bool guarded;
	size_t more;
	size_t feat_end;
	size_t dev_off;
};

/**
 * nfx_offline_parse() - is @cmd an offload command line?
 * @cmd: the value of an up/post-up option
 * @ret: filled when @cmd is one
 * @err: may be NULL; the reason a would-be offload line is malformed
 *
 * Accepts what an admin writes: ethtool, /sbin/ethtool or
 * /usr/sbin/ethtool; -K, --offload or --features; then the device and
 * feature/state pairs; optionally "|| true", "|| :" or "|| /bin/true".
 *
 * Other commands may follow after ';' or '&&' (see @more).
 *
 * Return: 0 for an offload line, -ENOENT for a command that is not an
 * "ethtool -K" line at all, -EINVAL for a malformed one, with the exact
 * reason in @err ("ethtool -K eno1 tso: 'of' is not on or off").
 */
int nfx_offline_parse(const char *cmd, struct nfx_offline *ret,
		      struct nfx_err *err);

/**
 * nfx_offline_state() - what @line says of feature @name
 * Return: 1 on, 0 off, -1 not mentioned.
 */
int nfx_offline_state(const struct nfx_offline *line, const char *name);

/**
 * nfx_offline_format() - the canonical line for @dev and @req
 * @buf: receives "ethtool -K eno1 tso off gso off gro off || true"
 * Return: 0, or -ENAMETOOLONG when @len is too small.
 */
int nfx_offline_format(const char *dev, const struct nfx_featreq *req,
		       char *buf, size_t len);

/**
 * nfx_offline_complete() - @cmd with every feature of @req turned off
 * @cmd: an offload line that nfx_offline_parse() accepted as @line
 * @buf: receives the line with the missing "NAME off" pairs inserted
 *	after the last pair, conflicting "NAME on" turned to "off", and a
 *	"|| true" guard added when it had none
 * Return: 0, or -ENAMETOOLONG: it does not fit @buf, or it would have
 *	more words than nfx_offline_parse() reads.
 */
int nfx_offline_complete(const char *cmd, const struct nfx_offline *line,
			 const struct nfx_featreq *req, char *buf, size_t len);

/**
 * nfx_offline_rename() - @cmd with its device word replaced by @dev
 * @cmd: an offload line that nfx_offline_parse() accepted as @line
 * @buf: receives it, every other byte as it was
 * Return: 0, or -ENAMETOOLONG.
 */
int nfx_offline_rename(const char *cmd, const struct nfx_offline *line,
		       const char *dev, char *buf, size_t len);

/**
 * nfx_offline_feat_norm() - the short legacy form of @name when it is a
 *	long legacy name ("tcp-segmentation-offload" -> "tso"), else @name
 */
const char *nfx_offline_feat_norm(const char *name);

#endif
