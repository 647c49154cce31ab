/* diag.h - the pure pieces of diag.c, for the unit tests */
#ifndef NICFIX_DIAG_H
#define NICFIX_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "nicfix.h"

/**
 * struct nfx_diag_dev - who logged a kernel message, and what it says
 * @driver: "e1000e" ("" when the message does not say); @driver_len
 * @pci: "0000:00:1f.6" or ""; @pci_len
 * @ifname: "eno1" or ""; @ifname_len
 * @body: the message behind them; @body_len
 *
 * Every pointer points into the text given to nfx_diag_parse_dev().
 */
struct nfx_diag_dev {
	const char *driver;
	size_t driver_len;
	const char *pci;
	size_t pci_len;
	const char *ifname;
	size_t ifname_len;
	const char *body;
	size_t body_len;
};

/**
 * nfx_diag_parse_dev() - take the device prefix off a kernel message
 * @text: the message; @len: its length
 * @ret: the parts
 *
 * Knows netdev_*() "e1000e 0000:00:1f.6 eno1: ", dev_*() "igb
 * 0000:01:00.0: ", the old pr_info() "e1000e: eth0 NIC Link is ...", a
 * driver's own "igb: eno1 " after the netdev prefix, and both forms of
 * "NETDEV WATCHDOG: eth0 (r8169): " (the new one, "NETDEV WATCHDOG: CPU:
 * 3: ", comes behind the netdev prefix), and the old kernels' "0000:00:19.0:
 * eth0: " with no driver name.  Runs of blanks count as one; a bus address
 * a paste cut or obfuscated still marks the prefix but is not kept.
 */
void nfx_diag_parse_dev(const char *text, size_t len,
			struct nfx_diag_dev *ret);

/**
 * nfx_diag_parse_msg() - nfx_diag_parse_dev() wherever the message stands
 *	in the text: after a prefix no log reader knows (mail quoting, line
 *	numbers, another tool's header), the first place a message of
 *	nfx_diag_what() starts
 * @text: the text; @len: its length
 * @ret: the parts (those at the start of @text when no place is found)
 */
void nfx_diag_parse_msg(const char *text, size_t len,
			struct nfx_diag_dev *ret);

enum nfx_diag_what {
	NFX_WHAT_OTHER,
	NFX_WHAT_HW_HANG,  /* "Detected Hardware Unit Hang" */
	NFX_WHAT_TX_HANG,  /* "Detected Tx Unit Hang" */
	NFX_WHAT_TIMEOUT,  /* "NETDEV WATCHDOG ... timed out" */
	NFX_WHAT_RESET,	   /* "Reset adapter [unexpectedly]" */
	NFX_WHAT_DOWN,	   /* "[NIC ]Link is Down" */
	NFX_WHAT_UP,	   /* "[NIC ]Link is Up" */
};

/**
 * nfx_diag_what() - what a message body (behind its device prefix) says
 * @body: see struct nfx_diag_dev; @len: its length
 */
enum nfx_diag_what nfx_diag_what(const char *body, size_t len);

/* what a field line tells of the block it is in */
enum {
	NFX_FIELD_PHY = 1 << 0,	   /* PHY and MAC status: e1000e */
	NFX_FIELD_DESC = 1 << 1,   /* desc.status: igb */
	NFX_FIELD_PAIR = 1 << 2,   /* "TDH, TDT": ixgbe */
	NFX_FIELD_SUBHEAD = 1 << 3, /* "buffer_info[next_to_clean]:" */
};

/**
 * nfx_diag_parse_field() - read one line of a hang report
 * @text: e.g. "  TDH                  <f6>" (any spacing)
 * @len: its length
 * @ring: the report's ring, updated
 * @ret_flags: NFX_FIELD_* of the line, or-ed in
 * Return: true when @text is a line of a hang report.
 */
bool nfx_diag_parse_field(const char *text, size_t len,
			  struct nfx_diag_ring *ring, unsigned int *ret_flags);

/**
 * nfx_diag_parse_fields() - nfx_diag_parse_field() of every field on a
 *	line: fields a paste ran together ("TDH <f6> TDT <2a> ...")
 * Return: true when one of them is a field of a hang report.
 */
bool nfx_diag_parse_fields(const char *text, size_t len,
			   struct nfx_diag_ring *ring, unsigned int *ret_flags);

#endif
