/* cover.h - what the modules of check share */
#ifndef NICFIX_COVER_H
#define NICFIX_COVER_H

#include "nicfix.h"

/**
 * nfx_check_grow() - one more zeroed element at the end of the array *@vp
 * @vp: the address of the array pointer (realloc'd)
 * @n: its length, incremented
 * @size: the size of an element
 * Return: the new element, or NULL when out of memory (nothing changed).
 */
void *nfx_check_grow(void *vp, size_t *n, size_t size);

/**
 * nfx_check_add() - a new finding in @c, zeroed but for the arguments
 * @file: borrowed from @c->files, or NULL
 * Return: the finding (owned by @c), or NULL when out of memory.
 */
struct nfx_check_finding *nfx_check_add(struct nfx_check *c,
					enum nfx_find_kind kind,
					const char *bridge, const char *port,
					const char *file, unsigned int line);

/**
 * nfx_check_fopt() - " -f tso,gso" when the request is not the default
 *	tso,gso,gro, else ""
 * Return: 0.
 */
int nfx_check_fopt(const struct nfx_check *c, char *buf, size_t len);

/**
 * nfx_cover_elsewhere() - is @port covered by lines outside @iface's stanzas?
 * @o: the configuration
 * @req: the features
 * @iface: the bridge (or NIC) persist is about to write a line for
 * @port: its NIC
 * @text: receives the first such line's text (key and value), @len bytes
 * @ret_line: its line number
 *
 * For persist: a NIC behind several bridges, or with its line (or
 * ifupdown2's options) in its own stanza where that runs, needs no second
 * line.  Return: 1 when every feature of @req is covered so, 0 otherwise
 * (also when the configuration cannot be read).
 */
int nfx_cover_elsewhere(const struct nfx_cfgopts *o,
			const struct nfx_featreq *req, const char *iface,
			const char *port, char *text, size_t len,
			unsigned int *ret_line);

#endif
