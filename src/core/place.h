/* place.h - where an offload line goes, and where Proxmox VE loses one
 *
 * The rules of DESIGN.md "persist": the stanza ifupdown and Proxmox VE's
 * parser/writer both give the interface, and the place in it that
 * Proxmox's parser still reads as the stanza's (FIELD-NOTES.md).
 */
#ifndef NICFIX_PLACE_H
#define NICFIX_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "ifread.h"

/**
 * enum nfx_risk - why Proxmox VE's writer would drop or move a line
 * @NFX_RISK_NONE: it keeps the line in its stanza
 * @NFX_RISK_BLANK: the line follows a blank line inside its stanza:
 *	Proxmox's parser ends the stanza at the blank, its writer places
 *	what follows by position, possibly in another stanza
 * @NFX_RISK_EARLIER: an earlier stanza of one family of the interface
 *	(a later one follows): Proxmox merges them and keeps only the last
 *	one's options
 * @NFX_RISK_INET6: an inet6 stanza without an address: a GUI edit
 *	rebuilds the families from the addresses and drops it
 */
enum nfx_risk {
	NFX_RISK_NONE = 0,
	NFX_RISK_BLANK,
	NFX_RISK_EARLIER,
	NFX_RISK_INET6,
};

/**
 * nfx_place_stanza() - the stanza of @name that gets its offload lines
 * @conf: the configuration
 * @name: the interface (a bridge, or a NIC in no bridge)
 *
 * Of the interface's iface stanzas: an inet one rather than a typeless
 * or other-family one, rather than an inet6 one; of several of one
 * family, the last (the one whose options Proxmox keeps, and in the
 * usual layouts the one carrying bridge-ports).
 *
 * Return: its index in @conf->refs, or -1 when @name has no stanza.
 */
long nfx_place_stanza(const struct nfx_ifconf *conf, const char *name);

/**
 * nfx_place_after() - the option of @st after which a new line goes
 * @f: the file holding @st
 * @st: the stanza
 *
 * Its last option before any blank line inside the stanza.
 *
 * Return: the index of that option among @st's (0 .. @st->nopt - 1), or
 * -1 to insert right after the iface line (no option before a blank).
 */
long nfx_place_after(const struct nfx_iffile *f, const struct nfx_ifstanza *st);

/**
 * nfx_place_blank_before() - is there a blank line between @st's iface
 *	line and its option @opt (an index among @st's options)?
 */
bool nfx_place_blank_before(const struct nfx_iffile *f,
			    const struct nfx_ifstanza *st, size_t opt);

/**
 * nfx_place_risk() - would Proxmox VE's writer drop or move this option?
 * @conf: the configuration
 * @ref: index in @conf->refs of the stanza
 * @opt: index of the option among that stanza's options
 * @ret_reason: if not NULL, receives nfx_place_reason() of the result
 *
 * Only stanzas of the main file (@conf->files[0]) are at risk: Proxmox
 * reads and writes that file alone, keeping its source lines as they are.
 * Of several reasons, the first of BLANK, EARLIER, INET6.
 *
 * Return: an enum nfx_risk.
 */
enum nfx_risk nfx_place_risk(const struct nfx_ifconf *conf, size_t ref,
			     size_t opt, const char **ret_reason);

/**
 * nfx_place_brought_up() - does an "auto", "allow-hotplug" or "allow-auto"
 *	line of @conf name @name (so that ifupdown brings its stanza up)?
 */
bool nfx_place_brought_up(const struct nfx_ifconf *conf, const char *name);

/**
 * nfx_place_reason() - a sentence for @risk ("" for NFX_RISK_NONE);
 *	static
 */
const char *nfx_place_reason(enum nfx_risk risk);

#endif
