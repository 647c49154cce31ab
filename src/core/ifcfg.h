/* ifcfg.h - edit interfaces text through Augeas and the project lens */
#ifndef NICFIX_IFCFG_H
#define NICFIX_IFCFG_H

#include <stddef.h>

#include "nicfix.h"

struct nfx_ifcfg;

/**
 * nfx_ifcfg_open() - an Augeas handle that knows only the project lens
 * @lensdir: directory of nicfix_interfaces.aug
 * Return: 0, or -errno with Augeas's reason in @err.
 */
int nfx_ifcfg_open(const char *lensdir, struct nfx_ifcfg **ret,
		   struct nfx_err *err);

/** nfx_ifcfg_close() - NULL is fine */
void nfx_ifcfg_close(struct nfx_ifcfg *c);

/**
 * nfx_ifcfg_store() - parse @text with the lens, replacing the tree
 * @path, @lineno: where @text comes from, for "PATH:LINE: reason"
 * Return: 0, or -EINVAL when the lens cannot parse it.
 */
int nfx_ifcfg_store(struct nfx_ifcfg *c, const char *path,
		    unsigned int lineno, const char *text, struct nfx_err *err);

/**
 * nfx_ifcfg_options() - the option nodes of the first stanza, in order
 * @ret_paths: array of Augeas paths, free with nfx_ifcfg_free_paths()
 * Return: their number, or -errno.
 */
int nfx_ifcfg_options(struct nfx_ifcfg *c, char ***ret_paths);
void nfx_ifcfg_free_paths(char **paths, int n);

/**
 * nfx_ifcfg_label() / nfx_ifcfg_value() - of the node at @path;
 *	owned by Augeas, valid until the tree changes
 */
const char *nfx_ifcfg_label(struct nfx_ifcfg *c, const char *path);
const char *nfx_ifcfg_value(struct nfx_ifcfg *c, const char *path);

/** nfx_ifcfg_set() - set the value of an existing node */
int nfx_ifcfg_set(struct nfx_ifcfg *c, const char *path, const char *value,
		  struct nfx_err *err);

/**
 * nfx_ifcfg_add() - add option @label = @value to the first stanza
 * @after: the node to insert after, or NULL for right after the iface
 *	line (before every option, blank line and comment)
 */
int nfx_ifcfg_add(struct nfx_ifcfg *c, const char *after, const char *label,
		  const char *value, struct nfx_err *err);

/** nfx_ifcfg_remove() - remove the node at @path */
int nfx_ifcfg_remove(struct nfx_ifcfg *c, const char *path,
		     struct nfx_err *err);

/**
 * nfx_ifcfg_retrieve() - the text of the tree, written by the lens
 * @ret_text: malloc'd, NUL-terminated
 */
int nfx_ifcfg_retrieve(struct nfx_ifcfg *c, char **ret_text,
		       struct nfx_err *err);

#endif
