/* ifread.h - fast read-only reader of interfaces files */
#ifndef NICFIX_IFREAD_H
#define NICFIX_IFREAD_H

#include <stddef.h>

#include "nicfix.h"

/**
 * struct nfx_ifopt - one option line of a stanza
 * @key: the option name as written (not NUL-terminated), @keylen bytes
 * @val: its value without the separator, the trailing comment, trailing
 *	blanks or "\r" (not NUL-terminated; continuations stay verbatim)
 * @start: offset of the line's first byte (its indentation)
 * @end: offset just past its line break (past the last continuation)
 * @lineno: 1-based line of @start
 */
struct nfx_ifopt {
	const char *key;
	size_t keylen;
	const char *val;
	size_t vallen;
	size_t start;
	size_t end;
	unsigned int lineno;
};

enum nfx_ifstanza_kind {
	NFX_ST_IFACE,
	NFX_ST_MAPPING,
};

/**
 * struct nfx_ifstanza - an iface or mapping stanza
 * @kind: which
 * @name: interface name (not NUL-terminated), @namelen bytes
 * @family: "inet", "inet6", ... or NULL; @familylen
 * @start: offset of the iface line
 * @end: offset just past the last option line (or the iface line): the
 *	comments and blank lines after the last option are not the stanza's
 * @lineno: line of the iface line
 * @opt: index of the first option in the file's @opts; @nopt options
 */
struct nfx_ifstanza {
	enum nfx_ifstanza_kind kind;
	const char *name;
	size_t namelen;
	const char *family;
	size_t familylen;
	size_t start;
	size_t end;
	unsigned int lineno;
	size_t opt;
	size_t nopt;
};

/**
 * struct nfx_ifinc - a source or source-directory line
 * @dir: 1 for source-directory
 * @arg: its argument (not NUL-terminated), @arglen bytes
 * @before: number of the file's stanzas that come before it
 * @lineno: its line
 */
struct nfx_ifinc {
	int dir;
	const char *arg;
	size_t arglen;
	size_t before;
	unsigned int lineno;
};

/**
 * struct nfx_iffile - one file of the configuration
 * @path: where it was read (under the root)
 * @real: its realpath(), to read a file sourced twice only once (or NULL)
 * @buf: its bytes, NUL-terminated, @len long (owned: mapped read-only
 *	when @maplen is not 0, else malloc'd)
 * @st: its stanzas, @nst; @opts: their options, @nopts;
 * @inc: its include lines, @ninc
 */
struct nfx_iffile {
	char *path;
	char *real;
	char *buf;
	size_t len;
	size_t maplen;
	struct nfx_ifstanza *st;
	size_t nst;
	struct nfx_ifopt *opts;
	size_t nopts;
	struct nfx_ifinc *inc;
	size_t ninc;
};

/** struct nfx_ifref - a stanza, in the order ifupdown reads them */
struct nfx_ifref {
	struct nfx_iffile *file;
	struct nfx_ifstanza *st;
};

/**
 * struct nfx_ifconf - an interfaces file and everything it includes
 * @files: in the order they were read; @files[0] is the main file
 * @refs: every stanza, in reading order
 */
struct nfx_ifconf {
	struct nfx_iffile **files;
	size_t nfiles;
	struct nfx_ifref *refs;
	size_t nrefs;
};

/**
 * nfx_ifconf_load() - read @path and follow its includes
 * @root: absolute include paths are read under it ("/" for the system)
 * @path: the main file
 * @ret_conf: to free with nfx_ifconf_free()
 * @err: may be NULL; parse errors read "FILE:LINE: reason"
 *
 * "source" takes shell globs, "source-directory" every file whose name
 * is made of letters, digits, '_' and '-' (run-parts), both in sorted
 * order; relative paths are relative to the including file's directory.
 * A file included twice (a cycle) is read once.
 *
 * Return: 0, -ENOENT for a missing main file, -EINVAL for a parse error,
 * -EFBIG, -ELOOP (includes nested too deep), or -errno.
 */
int nfx_ifconf_load(const char *root, const char *path,
		    struct nfx_ifconf **ret_conf, struct nfx_err *err);

/**
 * nfx_ifconf_load_only() - nfx_ifconf_load() keeping only the stanzas of
 *	interface @only (NULL: all); the others are still checked
 */
int nfx_ifconf_load_only(const char *root, const char *path,
			 const char *only, struct nfx_ifconf **ret_conf,
			 struct nfx_err *err);

/** nfx_ifconf_free() - NULL is fine */
void nfx_ifconf_free(struct nfx_ifconf *conf);

/**
 * nfx_iffile_parse() - parse one interfaces file, without its includes
 * @file: @buf (NUL-terminated), @len and @path set by the caller; the
 *	stanza, option and include arrays are filled here (owned by @file)
 * Return: 0, -ENOMEM, or -EINVAL with "PATH:LINE: reason" in @err.
 */
int nfx_iffile_parse(struct nfx_iffile *file, struct nfx_err *err);

/** nfx_iffile_done() - free what @file owns; NULL is fine */
void nfx_iffile_done(struct nfx_iffile *file);

/**
 * nfx_ifopt_is() - is @opt's key @key?
 */
int nfx_ifopt_is(const struct nfx_ifopt *opt, const char *key);

/**
 * nfx_ifstanza_is() - is @st an iface stanza named @name?
 */
int nfx_ifstanza_is(const struct nfx_ifstanza *st, const char *name);

/**
 * nfx_ifconf_find() - the next iface stanza named @name
 * @from: index into @conf->refs to start at
 * Return: the index in @conf->refs, or -1.
 */
long nfx_ifconf_find(const struct nfx_ifconf *conf, const char *name,
		     size_t from);

/**
 * nfx_ifword_next() - iterate over the words of a value
 * @p: in: where to continue; out: past the word
 * @end: end of the value
 * @ret_len: the word's length
 * Return: the word, or NULL when there is none left.
 */
const char *nfx_ifword_next(const char **p, const char *end, size_t *ret_len);

#endif
