/* persist.c - add or remove the offload lines of a bridge stanza */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "ifcfg.h"
#include "ifports.h"
#include "ifread.h"
#include "offline.h"
#include "path.h"
#include "safefile.h"

const char *nfx_action_name(enum nfx_action action)
{
	static const char *const names[] = {
		[NFX_ACT_ADDED] = "added",
		[NFX_ACT_COMPLETED] = "completed",
		[NFX_ACT_UNCHANGED] = "unchanged",
		[NFX_ACT_REMOVED] = "removed",
		[NFX_ACT_ABSENT] = "absent",
		[NFX_ACT_RENAMED] = "renamed",
	};

	return names[action];
}

void nfx_persist_done(struct nfx_persist *p)
{
	if (!p)
		return;
	free(p->file);
	free(p->ports);
	free(p->diff);
	free(p->backup);
	memset(p, 0, sizeof(*p));
}

/* The state of one edit, so that one cleanup path frees it all. */
struct edit {
	const struct nfx_cfgopts *o;
	unsigned int flags;
	const struct nfx_featreq *req;
	struct nfx_ifconf *conf;
	struct nfx_ifref ref;
	struct nfx_ifcfg *aug;
	char indent[64];
	bool crlf;
	char **added; /* values of the lines added, for their indentation */
	size_t nadded;
	const struct nfx_ports *behind;
	struct nfx_pins *pins; /* for renamed NICs, read on first need */
	struct nfx_live *live;
	char from[NFX_MAX_PORTS][NFX_IFNAMSIZ]; /* the old name of list[i] */
};

static bool is_offload_key(const char *label)
{
	return label && (!strcmp(label, "post-up") || !strcmp(label, "up"));
}

/* the line in the stanza whose value is @val, for messages */
static unsigned int line_of(const struct edit *e, const char *val)
{
	const struct nfx_ifstanza *st = e->ref.st;
	size_t i;

	for (i = 0; i < st->nopt; i++) {
		const struct nfx_ifopt *op = &e->ref.file->opts[st->opt + i];

		if (op->vallen == strlen(val) && !memcmp(op->val, val, op->vallen))
			return op->lineno;
	}
	return st->lineno;
}

/* Indentation and line ending of the stanza, for the lines we add. */
static void stanza_style(struct edit *e)
{
	const struct nfx_iffile *f = e->ref.file;
	const struct nfx_ifstanza *st = e->ref.st;
	const char *eol = memchr(f->buf + st->start, '\n', f->len - st->start);
	size_t len;

	e->crlf = eol && eol > f->buf && eol[-1] == '\r';
	strcpy(e->indent, "\t"); /* Proxmox VE's, for a stanza with no option */
	if (!st->nopt)
		return;
	len = (size_t)(f->opts[st->opt].key - (f->buf + f->opts[st->opt].start));
	if (len < sizeof(e->indent)) {
		memcpy(e->indent, f->buf + f->opts[st->opt].start, len);
		e->indent[len] = '\0';
	}
}

static int add_line(struct edit *e, const char *port,
		    struct nfx_persist_port *pp, struct nfx_err *err)
{
	char **paths = NULL, **grown;
	int n, ret;

	ret = nfx_offline_format(port, e->req, pp->line, sizeof(pp->line));
	if (ret < 0)
		return nfx_err_set(err, ret, "%s: offload line too long", port);
	n = nfx_ifcfg_options(e->aug, &paths);
	if (n < 0)
		return nfx_err_set(err, -EIO, "augeas: cannot list options");
	/* right after the stanza's last option, with the stanza's style */
	ret = nfx_ifcfg_add(e->aug, n ? paths[n - 1] : NULL, "post-up",
			    pp->line, err);
	nfx_ifcfg_free_paths(paths, n);
	if (ret < 0)
		return ret;
	grown = realloc(e->added, (e->nadded + 1) * sizeof(*e->added));
	if (!grown)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	e->added = grown;
	e->added[e->nadded] = strdup(pp->line);
	if (!e->added[e->nadded])
		return nfx_err_set(err, -ENOMEM, "out of memory");
	e->nadded++;
	pp->action = NFX_ACT_ADDED;
	return 0;
}

/* Edit the tree for one port. */
static int edit_port(struct edit *e, const char *port,
		     struct nfx_persist_port *pp, struct nfx_err *err)
{
	char **paths = NULL;
	int n, i, ret = 0, first = -1, covered = -1;
	size_t k;

	snprintf(pp->port, sizeof(pp->port), "%s", port);
	n = nfx_ifcfg_options(e->aug, &paths);
	if (n < 0)
		return nfx_err_set(err, -EIO, "augeas: cannot list options");
	/* backwards: removing a node renumbers the ones after it */
	for (i = n - 1; i >= 0; i--) {
		const char *val = nfx_ifcfg_value(e->aug, paths[i]);
		struct nfx_offline line;
		bool all_off = true;

		if (!is_offload_key(nfx_ifcfg_label(e->aug, paths[i])) || !val ||
		    nfx_offline_parse(val, &line, NULL) < 0 ||
		    strcmp(line.dev, port))
			continue;
		if (e->flags & NFX_PERSIST_REMOVE) {
			snprintf(pp->line, sizeof(pp->line), "%s", val);
			ret = nfx_ifcfg_remove(e->aug, paths[i], err);
			if (ret < 0)
				goto out_free;
			pp->action = NFX_ACT_REMOVED;
			continue;
		}
		for (k = 0; k < nfx_featreq_count(e->req); k++) {
			int s = nfx_offline_state(&line, nfx_featreq_name(e->req, k));

			if (s == 1 && !(e->flags & NFX_PERSIST_FORCE)) {
				ret = nfx_err_set(err, -EINVAL,
						  "%s:%u: '%s' turns %s on, which conflicts; use --force to turn it off",
						  e->ref.file->path, line_of(e, val),
						  val, nfx_featreq_name(e->req, k));
				goto out_free;
			}
			all_off &= s == 0;
		}
		first = i;
		if (all_off)
			covered = i;
	}
	if (e->flags & NFX_PERSIST_REMOVE) {
		if (pp->action != NFX_ACT_REMOVED)
			pp->action = NFX_ACT_ABSENT;
	} else if (covered >= 0) {
		pp->action = NFX_ACT_UNCHANGED;
		snprintf(pp->line, sizeof(pp->line), "%s",
			 nfx_ifcfg_value(e->aug, paths[covered]));
	} else if (first >= 0) {
		const char *val = nfx_ifcfg_value(e->aug, paths[first]);
		struct nfx_offline line;

		nfx_offline_parse(val, &line, NULL);
		ret = nfx_offline_complete(val, &line, e->req, pp->line,
					   sizeof(pp->line));
		if (ret < 0) {
			ret = nfx_err_set(err, ret, "%s: offload line too long", port);
			goto out_free;
		}
		ret = nfx_ifcfg_set(e->aug, paths[first], pp->line, err);
		pp->action = NFX_ACT_COMPLETED;
	} else {
		ret = add_line(e, port, pp, err);
	}
out_free:
	nfx_ifcfg_free_paths(paths, n);
	return ret;
}

/* is @name among @list? at which index */
static long index_of(const char *const *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return (long)i;
	return -1;
}

/*
 * Proxmox VE 9's pinning renames the NIC (eno1 -> nic0) in bridge-ports but
 * not inside post-up commands: a line naming a NIC that is not behind the
 * bridge, and that is certainly one of @list under its new name, is made
 * to name it.  Nothing on a guess (nfx_pins_follow()).
 */
static int rename_stale(struct edit *e, const char *const *list, size_t n,
			struct nfx_err *err)
{
	char **paths = NULL, buf[512];
	int np, i, ret = 0;

	np = nfx_ifcfg_options(e->aug, &paths);
	if (np < 0)
		return nfx_err_set(err, -EIO, "augeas: cannot list options");
	for (i = 0; i < np; i++) {
		const char *val = nfx_ifcfg_value(e->aug, paths[i]);
		struct nfx_offline line;
		struct nfx_rename rn;
		long k;

		if (!is_offload_key(nfx_ifcfg_label(e->aug, paths[i])) || !val ||
		    nfx_offline_parse(val, &line, NULL) < 0 || line.dev[0] == '$' ||
		    nfx_ifports_has(e->behind, line.dev) ||
		    index_of(list, n, line.dev) >= 0)
			continue;
		if (!e->pins) {
			ret = nfx_pins_load(e->o->root, &e->pins, err);
			if (ret == 0 && !e->live)
				ret = nfx_live_open(&e->live, 0, err);
			if (ret < 0)
				goto out_free;
		}
		ret = nfx_pins_follow(e->pins, e->live, line.dev, &rn, err);
		if (ret < 0)
			goto out_free;
		k = ret ? index_of(list, n, rn.name) : -1;
		if (k < 0 || e->from[k][0])
			continue;
		ret = nfx_offline_rename(val, &line, rn.name, buf, sizeof(buf));
		if (ret == 0)
			ret = nfx_ifcfg_set(e->aug, paths[i], buf, err);
		if (ret < 0)
			goto out_free;
		memcpy(e->from[k], line.dev, NFX_IFNAMSIZ);
	}
	ret = 0;
out_free:
	nfx_ifcfg_free_paths(paths, np);
	return ret;
}

/* The lens writes an added option with its default indentation and a
 * "\n"; give the line the stanza's own indentation and line ending.
 */
static char *restyle(const struct edit *e, char *text)
{
	size_t i;

	for (i = 0; i < e->nadded; i++) {
		char needle[600];
		char *hit, *ls, *le, *out;
		size_t pre, len = strlen(text);
		int n;

		n = snprintf(needle, sizeof(needle), "post-up %s", e->added[i]);
		if (n < 0 || (size_t)n >= sizeof(needle))
			continue;
		for (hit = strstr(text, needle); hit; hit = strstr(hit + 1, needle)) {
			le = hit + n;
			if (*le == '\n' || *le == '\0')
				break;
		}
		if (!hit)
			continue;
		ls = hit;
		while (ls > text && ls[-1] != '\n')
			ls--;
		pre = (size_t)(ls - text);
		out = malloc(len + strlen(e->indent) + 2);
		if (!out)
			return text;
		sprintf(out, "%.*s%s%.*s%s%s", (int)pre, text, e->indent,
			(int)(le - hit), hit,
			*le == '\n' ? (e->crlf ? "\r\n" : "\n") : "",
			*le == '\n' ? le + 1 : le);
		free(text);
		text = out;
	}
	return text;
}

static int pending_gui_changes(const char *path, struct nfx_err *err)
{
	char dir[PATH_MAX], pending[PATH_MAX + 32];

	snprintf(pending, sizeof(pending), "%s/interfaces.new",
		 nfx_path_dir(path, dir, sizeof(dir)));
	if (access(pending, F_OK) == 0)
		return nfx_err_set(err, -EEXIST,
				   "%s: pending Proxmox VE network changes; apply or revert them first (or use --force)",
				   pending);
	return 0;
}

static int find_bridge(struct edit *e, const char *bridge, struct nfx_err *err)
{
	long i = nfx_ifconf_find(e->conf, bridge, 0), j;

	if (i < 0)
		return nfx_err_set(err, -EINVAL, "%s: no stanza for bridge '%s'",
				   e->o->path, bridge);
	e->ref = e->conf->refs[i];
	for (j = i; (j = nfx_ifconf_find(e->conf, bridge, j + 1)) >= 0;) {
		const struct nfx_ifref *o = &e->conf->refs[j];

		if (o->file != e->ref.file)
			return nfx_err_set(err, -EINVAL,
					   "'%s' is defined in two files: %s:%u and %s:%u",
					   bridge, e->ref.file->path, e->ref.st->lineno,
					   o->file->path, o->st->lineno);
	}
	return 0;
}

/* the port list: as given (checked), or the NICs behind the bridge */
static int pick_ports(struct edit *e, const char *bridge,
		      const char *const *ports, size_t nports,
		      struct nfx_ports *pp, struct nfx_err *err)
{
	size_t i;

	nfx_ifports_behind(e->conf, bridge, pp);
	if (nports) {
		for (i = 0; i < nports; i++)
			if (!nfx_ifports_has(pp, ports[i]) &&
			    !(e->flags & NFX_PERSIST_FORCE))
				return nfx_err_set(err, -EINVAL,
						   "%s:%u: %s is not behind bridge %s (use --force)",
						   e->ref.file->path, e->ref.st->lineno,
						   ports[i], bridge);
		return 0;
	}
	if (!pp->nphys)
		return nfx_err_set(err, -EINVAL,
				   "%s:%u: bridge %s has no ports; name them",
				   e->ref.file->path, e->ref.st->lineno, bridge);
	/* names from the file go into a line /bin/sh runs at ifup: one
	 * like "eno1;reboot" must not become "ethtool -K eno1;reboot ..."
	 */
	for (i = 0; i < pp->nphys; i++) {
		struct nfx_err why = { 0 };

		const char *c = pp->phys[i];

		if (nfx_ifname_check(c, &why) == 0)
			continue;
		/* the name itself only when it is safe to print */
		while (*c > ' ' && *c < 0x7f)
			c++;
		return nfx_err_set(err, -EINVAL,
				   "%s:%u: bridge %s: port %s%s%s: %s",
				   e->ref.file->path, e->ref.st->lineno, bridge,
				   *c ? "" : "'", *c ? "of bridge-ports" : pp->phys[i],
				   *c ? "" : "'", why.msg);
	}
	return 0;
}

static int edit_stanza(struct edit *e, const char *const *ports, size_t n,
		       struct nfx_persist *ret, char **ret_text,
		       struct nfx_err *err)
{
	const struct nfx_iffile *f = e->ref.file;
	const struct nfx_ifstanza *st = e->ref.st;
	size_t len = st->end - st->start, i;
	bool no_eol = !len || f->buf[st->end - 1] != '\n';
	const char *nul = memchr(f->buf + st->start, '\0', len), *p;
	unsigned int lineno = st->lineno;
	char *text, *out = NULL;
	int rc;

	/* Augeas takes a C string: a NUL would cut the stanza short, and
	 * the lines after it would be lost in the file written back
	 */
	if (nul) {
		for (p = f->buf + st->start; p < nul; p++)
			lineno += *p == '\n';
		return nfx_err_set(err, -EINVAL, "%s:%u: a NUL byte in the stanza",
				   f->path, lineno);
	}
	/* hand Augeas the stanza alone, ended by a newline */
	text = malloc(len + 2);
	if (!text)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	memcpy(text, f->buf + st->start, len);
	strcpy(text + len, no_eol ? "\n" : "");
	rc = nfx_ifcfg_open(e->o->lensdir, &e->aug, err);
	if (rc == 0)
		rc = nfx_ifcfg_store(e->aug, f->path, st->lineno, text, err);
	free(text);
	if (rc < 0)
		return rc;
	stanza_style(e);
	ret->ports = calloc(n, sizeof(*ret->ports));
	if (!ret->ports)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	if (!(e->flags & NFX_PERSIST_REMOVE) && n <= NFX_MAX_PORTS) {
		rc = rename_stale(e, ports, n, err);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < n; i++, ret->n++) {
		struct nfx_persist_port *pp = &ret->ports[i];

		rc = edit_port(e, ports[i], pp, err);
		if (rc < 0)
			return rc;
		if (i < NFX_MAX_PORTS && e->from[i][0] &&
		    (pp->action == NFX_ACT_UNCHANGED || pp->action == NFX_ACT_COMPLETED)) {
			pp->action = NFX_ACT_RENAMED;
			memcpy(pp->from, e->from[i], sizeof(pp->from));
		}
	}
	rc = nfx_ifcfg_retrieve(e->aug, &out, err);
	if (rc < 0)
		return rc;
	out = restyle(e, out);
	len = strlen(out);
	if (no_eol && len && out[len - 1] == '\n')
		out[--len] = '\0';
	*ret_text = out;
	return 0;
}

int nfx_persist(const struct nfx_cfgopts *o, const char *bridge,
		const char *const *ports, size_t nports,
		const struct nfx_featreq *req, unsigned int flags,
		struct nfx_persist *ret, struct nfx_err *err)
{
	struct edit e = { .o = o, .flags = flags, .req = req };
	struct nfx_persist res = { 0 };
	struct nfx_lock lock = { -1, -1 };
	const char *const *list = ports;
	char dir[PATH_MAX], *stanza = NULL, *whole = NULL;
	const char *phys[NFX_MAX_PORTS];
	struct nfx_ports pp;
	size_t i, n = nports, newlen;
	int rc;

	rc = nfx_ifname_check(bridge, err);
	for (i = 0; rc == 0 && i < nports; i++)
		rc = nfx_ifname_check(ports[i], err);
	if (rc < 0)
		return rc;
	if (!(flags & NFX_PERSIST_FORCE)) {
		rc = pending_gui_changes(o->path, err);
		if (rc < 0)
			return rc;
	}
	rc = nfx_lock_take(&lock, nfx_path_dir(o->path, dir, sizeof(dir)),
			   o->lock_timeout_ms, err);
	if (rc < 0)
		return rc;
	/* read under the lock: another writer may just have changed it */
	rc = nfx_ifconf_load(o->root, o->path, &e.conf, err);
	if (rc < 0)
		goto out_free;
	rc = find_bridge(&e, bridge, err);
	if (rc < 0)
		goto out_free;
	rc = pick_ports(&e, bridge, ports, nports, &pp, err);
	if (rc < 0)
		goto out_free;
	e.behind = &pp;
	if (!nports) {
		for (i = 0; i < pp.nphys; i++)
			phys[i] = pp.phys[i];
		list = phys;
		n = pp.nphys;
	}
	rc = edit_stanza(&e, list, n, &res, &stanza, err);
	if (rc < 0)
		goto out_free;
	res.file = strdup(e.ref.file->path);
	res.lineno = e.ref.st->lineno;
	newlen = e.ref.st->start + strlen(stanza) +
		 (e.ref.file->len - e.ref.st->end);
	whole = malloc(newlen + 1);
	if (!whole || !res.file) {
		rc = nfx_err_set(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	/* every byte outside the stanza stays as it was */
	memcpy(whole, e.ref.file->buf, e.ref.st->start);
	strcpy(whole + e.ref.st->start, stanza);
	memcpy(whole + e.ref.st->start + strlen(stanza),
	       e.ref.file->buf + e.ref.st->end, e.ref.file->len - e.ref.st->end);
	whole[newlen] = '\0';
	res.changed = newlen != e.ref.file->len ||
		      memcmp(whole, e.ref.file->buf, newlen);
	res.diff = nfx_diff_unified(res.file, e.ref.file->buf, e.ref.file->len,
				    whole, newlen);
	if (!res.diff) {
		rc = nfx_err_set(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	if (res.changed && !(flags & NFX_PERSIST_DRY_RUN)) {
		rc = nfx_safefile_replace(res.file, whole, newlen, o->backup_dir,
					  &res.backup, err);
		if (rc < 0)
			goto out_free;
	}
	*ret = res;
	memset(&res, 0, sizeof(res));
out_free:
	nfx_persist_done(&res);
	free(whole);
	free(stanza);
	for (i = 0; i < e.nadded; i++)
		free(e.added[i]);
	free(e.added);
	nfx_ifcfg_close(e.aug);
	nfx_ifconf_free(e.conf);
	nfx_pins_free(e.pins);
	nfx_live_close(e.live);
	nfx_lock_release(&lock);
	return rc;
}
