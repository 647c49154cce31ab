/* ifcfg.c - edit interfaces text through Augeas and the project lens
 *
 * Augeas is given one stanza's text at a time (aug_text_store), never the
 * whole file: its put grows quadratically with the tree, and the caller
 * splices the result back so every byte outside the stanza stays as it
 * was.
 *
 * libaugeas is loaded on first use (dlopen), not at every start of the
 * program: with libxml2, ICU and libstdc++ behind it, it is 2.7 MB of the
 * resident memory of a process that never edits a file, such as the watch
 * daemon (whose persisted lines come from the fast reader, as the hook's).
 */
#include <augeas.h>
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ifcfg.h"

#define LENS "Nicfix_interfaces.lns"
#define IN "/nicfix/in"
#define OUT "/nicfix/out"
#define TREE "/nicfix/tree"
#define STANZA TREE "/*[label() = 'iface' or label() = 'mapping'][1]"

/* the stock modules our lens builds on (Util, Sep, Rx) */
#ifndef NICFIX_AUG_DIST
#define NICFIX_AUG_DIST "/usr/share/augeas/lenses/dist"
#endif

/* the soname the package depends on (debian/control: libaugeas0) */
#ifndef NICFIX_AUGEAS_SONAME
#define NICFIX_AUGEAS_SONAME "libaugeas.so.0"
#endif

struct nfx_ifcfg {
	augeas *aug;
};

/* the functions of libaugeas used here, typed by its own header */
static struct {
	__typeof__(&aug_init) init;
	__typeof__(&aug_close) close;
	__typeof__(&aug_error) error;
	__typeof__(&aug_error_message) error_message;
	__typeof__(&aug_error_minor_message) error_minor_message;
	__typeof__(&aug_error_details) error_details;
	__typeof__(&aug_get) get;
	__typeof__(&aug_set) set;
	__typeof__(&aug_rm) rm;
	__typeof__(&aug_insert) insert;
	__typeof__(&aug_label) label;
	__typeof__(&aug_match) match;
	__typeof__(&aug_text_store) text_store;
	__typeof__(&aug_text_retrieve) text_retrieve;
} lib;

#define SYM(name) { "aug_" #name, offsetof(__typeof__(lib), name) }
static const struct {
	const char *name;
	size_t off;
} syms[] = {
	SYM(init),	    SYM(close),		      SYM(error),
	SYM(error_message), SYM(error_minor_message), SYM(error_details),
	SYM(get),	    SYM(set),		      SYM(rm),
	SYM(insert),	    SYM(label),		      SYM(match),
	SYM(text_store),    SYM(text_retrieve),
};
#undef SYM

static void *handle;

/* Load libaugeas once; it stays loaded until the program exits. */
static int load(struct nfx_err *err)
{
	size_t i;
	void *h;

	if (handle)
		return 0;
	h = dlopen(NICFIX_AUGEAS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return nfx_err_set(err, -ENOENT,
				   "augeas: cannot load %s: %s (the package "
				   "libaugeas0 has it)",
				   NICFIX_AUGEAS_SONAME, dlerror());
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(h, syms[i].name);

		if (!f) {
			dlclose(h);
			return nfx_err_set(err, -ENOENT, "augeas: %s has no %s",
					   NICFIX_AUGEAS_SONAME, syms[i].name);
		}
		/* a function pointer from dlsym(), as POSIX allows */
		memcpy((char *)&lib + syms[i].off, &f, sizeof(f));
	}
	handle = h;
	return 0;
}

/* at exit: the loader's tables of it freed, as if it had been linked */
__attribute__((destructor)) static void unload(void)
{
	if (handle)
		dlclose(handle);
	handle = NULL;
}

static int aug_fail(struct nfx_ifcfg *c, struct nfx_err *err,
		    const char *what)
{
	const char *minor = lib.error_minor_message(c->aug);
	const char *details = lib.error_details(c->aug);

	return nfx_err_set(err, -EIO, "augeas: %s: %s%s%s%s%s", what,
			   lib.error_message(c->aug), minor ? ": " : "",
			   minor ? minor : "", details ? ": " : "",
			   details ? details : "");
}

/*
 * find_lens() - the first directory of the ':'-list @dirs that holds the
 * lens; an empty element is skipped
 */
static int find_lens(const char *dirs, char *ret_dir, size_t size,
		     struct nfx_err *err)
{
	char file[4096], tried[1024] = "";
	const char *p = dirs, *end;
	size_t len, used = 0;

	for (; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		len = (size_t)(end - p);
		if (!len || len >= size)
			continue;
		snprintf(file, sizeof(file), "%.*s/nicfix_interfaces.aug",
			 (int)len, p);
		if (access(file, R_OK) == 0) {
			memcpy(ret_dir, p, len);
			ret_dir[len] = '\0';
			return 0;
		}
		if (used < sizeof(tried))
			used += (size_t)snprintf(tried + used, sizeof(tried) - used,
						 "%s%.*s", used ? ", " : "",
						 (int)len, p);
	}
	return nfx_err_set(err, -ENOENT,
			   "the nicfix lens nicfix_interfaces.aug is in none of: %s "
			   "(NICFIX_LENS_DIR names its directory)",
			   used ? tried : "(no directory)");
}

int nfx_ifcfg_open(const char *lensdir, struct nfx_ifcfg **ret,
		   struct nfx_err *err)
{
	struct nfx_ifcfg *c;
	char loadpath[4096], dir[2048];
	int ret_code;

	ret_code = find_lens(lensdir, dir, sizeof(dir), err);
	if (ret_code < 0)
		return ret_code;
	ret_code = load(err);
	if (ret_code < 0)
		return ret_code;
	c = calloc(1, sizeof(*c));
	if (!c)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	snprintf(loadpath, sizeof(loadpath), "%s:%s", dir, NICFIX_AUG_DIST);
	/* no autoload of Augeas's ~230 lenses, no file loading: only the
	 * text we hand it, parsed by our own lens
	 */
	c->aug = lib.init("/", loadpath,
			  AUG_NO_MODL_AUTOLOAD | AUG_NO_ERR_CLOSE | AUG_NO_LOAD |
				  AUG_NO_STDINC);
	if (!c->aug) {
		free(c);
		return nfx_err_set(err, -ENOMEM, "augeas: cannot initialise");
	}
	if (lib.error(c->aug) != AUG_NOERROR) {
		ret_code = aug_fail(c, err, "init");
		nfx_ifcfg_close(c);
		return ret_code;
	}
	*ret = c;
	return 0;
}

void nfx_ifcfg_close(struct nfx_ifcfg *c)
{
	if (!c)
		return;
	lib.close(c->aug);
	free(c);
}

static const char *get(struct nfx_ifcfg *c, const char *path)
{
	const char *v = NULL;

	if (lib.get(c->aug, path, &v) != 1)
		return NULL;
	return v;
}

int nfx_ifcfg_store(struct nfx_ifcfg *c, const char *path,
		    unsigned int lineno, const char *text, struct nfx_err *err)
{
	const char *line, *msg;

	lib.rm(c->aug, "/nicfix");
	lib.rm(c->aug, "/augeas/text" TREE);
	if (lib.set(c->aug, IN, text) < 0)
		return aug_fail(c, err, "set");
	if (lib.text_store(c->aug, LENS, IN, TREE) == 0)
		return 0;
	line = get(c, "/augeas/text" TREE "/error/line");
	msg = get(c, "/augeas/text" TREE "/error/message");
	if (!line) {
		/* not a parse error: the lens itself did not load */
		return aug_fail(c, err, "cannot parse with " LENS);
	}
	return nfx_err_set(err, -EINVAL, "%s:%lu: cannot parse: %s", path,
			   lineno - 1 + strtoul(line, NULL, 10),
			   msg ? msg : "parse failed");
}

int nfx_ifcfg_options(struct nfx_ifcfg *c, char ***ret_paths)
{
	int n = lib.match(c->aug,
			  STANZA "/*[label() != '#comment' and label() != 'family'"
				 " and label() != 'method' and label() != 'inherits']",
			  ret_paths);

	return n < 0 ? -EIO : n;
}

void nfx_ifcfg_free_paths(char **paths, int n)
{
	int i;

	for (i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

const char *nfx_ifcfg_label(struct nfx_ifcfg *c, const char *path)
{
	const char *l = NULL;

	if (lib.label(c->aug, path, &l) != 1)
		return NULL;
	return l;
}

const char *nfx_ifcfg_value(struct nfx_ifcfg *c, const char *path)
{
	return get(c, path);
}

int nfx_ifcfg_set(struct nfx_ifcfg *c, const char *path, const char *value,
		  struct nfx_err *err)
{
	if (lib.set(c->aug, path, value) < 0)
		return aug_fail(c, err, "set");
	return 0;
}

int nfx_ifcfg_add(struct nfx_ifcfg *c, const char *after, const char *label,
		  const char *value, struct nfx_err *err)
{
	char path[700], hp[512];

	if (!after) {
		char **head = NULL;
		int n;

		/* right after the iface line: after its last head node
		 * (family, method, inherits), before the first option and
		 * any blank line or comment
		 */
		n = lib.match(c->aug, STANZA "/*[label() = 'family' or label() = 'method'"
					  " or label() = 'inherits'][last()]", &head);
		if (n == 1) {
			snprintf(hp, sizeof(hp), "%s", head[0]);
			nfx_ifcfg_free_paths(head, n);
			after = hp;
		} else {
			nfx_ifcfg_free_paths(head, n);
			if (lib.match(c->aug, STANZA "/*[1]", NULL) == 1) {
				if (lib.insert(c->aug, STANZA "/*[1]", label, 1) < 0)
					return aug_fail(c, err, "insert");
				snprintf(path, sizeof(path), STANZA "/%s[1]", label);
				return nfx_ifcfg_set(c, path, value, err);
			}
			snprintf(path, sizeof(path), STANZA "/%s[last()+1]", label);
			return nfx_ifcfg_set(c, path, value, err);
		}
	}
	{
		char at[512];

		snprintf(at, sizeof(at), "%s", after);
		if (lib.insert(c->aug, at, label, 0) < 0)
			return aug_fail(c, err, "insert");
		/* the node just inserted is the one right after @after */
		snprintf(path, sizeof(path), "%s/following-sibling::*[1]", at);
		return nfx_ifcfg_set(c, path, value, err);
	}
}

int nfx_ifcfg_remove(struct nfx_ifcfg *c, const char *path,
		     struct nfx_err *err)
{
	if (lib.rm(c->aug, path) < 0)
		return aug_fail(c, err, "remove");
	return 0;
}

int nfx_ifcfg_retrieve(struct nfx_ifcfg *c, char **ret_text,
		       struct nfx_err *err)
{
	const char *text;
	char *dup;

	if (lib.text_retrieve(c->aug, LENS, IN, TREE, OUT) < 0)
		return aug_fail(c, err, "retrieve");
	text = get(c, OUT);
	dup = strdup(text ? text : "");
	if (!dup)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	*ret_text = dup;
	return 0;
}
