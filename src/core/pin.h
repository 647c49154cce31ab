/* pin.h - systemd .link files that pin NIC names, for the unit tests */
#ifndef NICFIX_PIN_H
#define NICFIX_PIN_H

#include <stdbool.h>
#include <stddef.h>

#include "nicfix.h"

#define NFX_LINK_MAX_MAC 32 /* MACAddress= entries kept per file */
#define NFX_LINK_MAX_FILES 1024

/* how a .link file's [Match] section can be judged */
enum nfx_linkmatch {
	NFX_LM_IGNORED, /* no [Match] setting: systemd ignores the file */
	NFX_LM_MAC,	/* MACAddress= only, with Type=ether at most */
	NFX_LM_OTHER,	/* a condition nicfix cannot evaluate */
};

/**
 * struct nfx_linkfile - what one .link file says
 * @path: the file, as seen on the system (without the --root prefix)
 * @match: NFX_LM_*
 * @nmac: number of @mac entries (MACAddress=, merged, reset by "")
 * @mac: the addresses it matches, any of them
 * @name: [Link] Name=, "" when not set (or not a valid name)
 * @policy: [Link] NamePolicy= is set: a name it yields wins over @name
 * @why: for NFX_LM_OTHER, the setting that made it so (static or @path's)
 */
struct nfx_linkfile {
	char path[256];
	enum nfx_linkmatch match;
	size_t nmac;
	unsigned char mac[NFX_LINK_MAX_MAC][6];
	char name[NFX_IFNAMSIZ];
	bool policy;
	char why[64];
};

/**
 * nfx_mac_parse() - a 6-byte hardware address as systemd writes it
 * @s: "00:1b:21:aa:bb:cc", "00-1b-21-aa-bb-cc" or "001b.21aa.bbcc"
 *	(hex digits in either case; one digit per byte is fine with ':'
 *	and '-'); @len bytes of it
 * @ret: the six bytes
 * Return: 0 or -EINVAL.
 */
int nfx_mac_parse(const char *s, size_t len, unsigned char *ret);

/**
 * nfx_mac_format() - "00:1b:21:aa:bb:cc" into @buf (18 bytes)
 * Return: @buf.
 */
char *nfx_mac_format(const unsigned char *mac, char *buf);

/**
 * nfx_linkfile_parse() - read the text of one .link file
 * @text: the file (need not be NUL-terminated), @len bytes
 * @ret: filled; @ret->path is left as the caller set it
 *
 * The systemd unit-file syntax: [Section] headers, KEY=VALUE, '#' and ';'
 * comments, a trailing backslash continues a line.  Pure: no I/O.
 */
void nfx_linkfile_parse(const char *text, size_t len, struct nfx_linkfile *ret);

/**
 * struct nfx_linkent - a .link file found in one of the search directories
 * @name: its file name
 * @dir: the directory's rank (0 = /etc/systemd/network, the first)
 */
struct nfx_linkent {
	char name[256];
	unsigned int dir;
};

/**
 * nfx_linkents_order() - the files that apply, in the order udev reads them
 * @v: the files of every directory, any order; sorted in place
 * @n: how many
 *
 * By file name; of one name, the file of the earliest directory masks the
 * others (systemd's conf_files_list()).
 *
 * Return: the number of entries kept at the front of @v.
 */
size_t nfx_linkents_order(struct nfx_linkent *v, size_t n);

/**
 * nfx_linkfiles_first() - the .link file that applies to the NIC with @mac
 * @v: the files, in order (nfx_linkents_order()); @n of them
 * @mac: the NIC's address
 * @ret_i: the file found: the match, or the one that leaves it unknown
 *
 * Only the first matching file applies.  A file whose MACAddress= list
 * lacks @mac does not match, whatever its other conditions; one that
 * depends on anything else (OriginalName=, Path=, Driver=, ...) before the
 * match leaves the answer unknown.
 *
 * Return: 1 matched, 0 no file matches, -EAGAIN unknown.
 */
int nfx_linkfiles_first(const struct nfx_linkfile *v, size_t n,
			const unsigned char *mac, size_t *ret_i);

/**
 * nfx_udev_prop() - the value of property @key in the text of a udev
 *	database record ("E:KEY=VALUE" lines)
 * @text: the record, NUL-terminated
 * @buf: receives the value, cut to @len
 * Return: true when found.
 */
bool nfx_udev_prop(const char *text, const char *key, char *buf, size_t len);

#endif
