/* fuzz_ifread.c - libFuzzer target: the interfaces reader
 *
 * The input is parsed twice:
 * - whole, in memory, by nfx_iffile_parse() (NUL bytes and all);
 * - split on its NUL bytes into up to four files, "interfaces", "a",
 *   "d/b" and "d/c", written to a directory of this process under
 *   /dev/shm, and loaded with nfx_ifconf_load() with that directory as
 *   the root, so "source" and "source-directory" lines (relative,
 *   absolute, globs, cycles) have files to find.  An input that names
 *   ".." is not loaded: it could reach outside the directory.
 *
 * Besides the sanitizers, it checks what ifread.h promises: every stanza,
 * option and include lies inside its file's bytes, in file order, each
 * option inside its stanza; every stanza of every file is in @refs once;
 * and nfx_ifconf_load_only() of one interface succeeds or fails as
 * nfx_ifconf_load() does, keeping exactly that interface's stanzas;
 * nfx_ifports_behind() of that interface ends, with bounded, terminated
 * names.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ifports.h"
#include "ifread.h"

#define FUZZ_NAME "fuzz_ifread"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *const names[] = { "interfaces", "a", "d/b", "d/c" };
#define NFILES (sizeof(names) / sizeof(names[0]))

static char root[64];
static char paths[NFILES][96];

/* remove the directory of process @pid (the files this target writes) */
static void remove_dir(long pid)
{
	char p[128];
	size_t i;

	for (i = 0; i < NFILES; i++) {
		snprintf(p, sizeof(p), "/dev/shm/nicfix-fuzz-%ld/%s", pid,
			 names[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "/dev/shm/nicfix-fuzz-%ld/d", pid);
	rmdir(p);
	snprintf(p, sizeof(p), "/dev/shm/nicfix-fuzz-%ld", pid);
	rmdir(p);
}

static void cleanup(void)
{
	remove_dir((long)getpid());
}

/* A run that crashed, or a -minimize_crash child, had no atexit(): take
 * away the directories of those of our processes that are gone. */
static void remove_stale(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *de;
	long pid;
	char *end;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "nicfix-fuzz-", 12))
			continue;
		pid = strtol(de->d_name + 12, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			remove_dir(pid);
	}
	closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char d[96];
	size_t i;

	(void)argc;
	(void)argv;
	remove_stale();
	snprintf(root, sizeof(root), "/dev/shm/nicfix-fuzz-%ld", (long)getpid());
	snprintf(d, sizeof(d), "%s/d", root);
	if ((mkdir(root, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(d, 0700) < 0 && errno != EEXIST)) {
		perror(root);
		abort();
	}
	for (i = 0; i < NFILES; i++)
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", root, names[i]);
	atexit(cleanup);
	return 0;
}

static bool inside(const char *p, size_t n, const char *lo, const char *hi)
{
	return p >= lo && p <= hi && n <= (size_t)(hi - p);
}

/* the layout ifread.h describes, for one parsed file */
static void check_file(const struct nfx_iffile *f)
{
	const char *buf = f->buf, *end = f->buf + f->len;
	size_t i, k, prev_end = 0, opt_next = 0;

	if (buf[f->len] != '\0')
		FAIL("%s: buffer not NUL-terminated", f->path);
	for (i = 0; i < f->nst; i++) {
		const struct nfx_ifstanza *st = &f->st[i];
		const char *lo = buf + st->start, *hi = buf + st->end;

		if (st->start >= st->end || st->end > f->len ||
		    st->start < prev_end)
			FAIL("%s: stanza %zu at [%zu, %zu) after %zu", f->path,
			     i, st->start, st->end, prev_end);
		prev_end = st->end;
		if (!st->namelen || !inside(st->name, st->namelen, lo, hi))
			FAIL("%s: stanza %zu: name outside it", f->path, i);
		if (st->family && !inside(st->family, st->familylen, lo, hi))
			FAIL("%s: stanza %zu: family outside it", f->path, i);
		if (st->kind != NFX_ST_IFACE && st->kind != NFX_ST_MAPPING)
			FAIL("%s: stanza %zu: kind %d", f->path, i, st->kind);
		if (st->lineno < 1 || (i && st->lineno <= f->st[i - 1].lineno))
			FAIL("%s: stanza %zu: line %u", f->path, i, st->lineno);
		if (st->opt != opt_next || st->opt + st->nopt > f->nopts)
			FAIL("%s: stanza %zu: options [%zu, +%zu) of %zu",
			     f->path, i, st->opt, st->nopt, f->nopts);
		opt_next = st->opt + st->nopt;
		for (k = st->opt; k < st->opt + st->nopt; k++) {
			const struct nfx_ifopt *o = &f->opts[k];

			if (o->start < st->start || o->end > st->end ||
			    o->start >= o->end ||
			    (k > st->opt && o->start < f->opts[k - 1].end))
				FAIL("%s: option %zu at [%zu, %zu) in [%zu, %zu)",
				     f->path, k, o->start, o->end, st->start,
				     st->end);
			if (!o->keylen ||
			    !inside(o->key, o->keylen, buf + o->start,
				    buf + o->end) ||
			    !inside(o->val, o->vallen, o->key + o->keylen,
				    buf + o->end))
				FAIL("%s: option %zu: key or value outside it",
				     f->path, k);
			if (o->lineno < st->lineno)
				FAIL("%s: option %zu: line %u before %u", f->path,
				     k, o->lineno, st->lineno);
		}
	}
	if (opt_next != f->nopts)
		FAIL("%s: %zu options, %zu in stanzas", f->path, f->nopts,
		     opt_next);
	for (i = 0; i < f->ninc; i++) {
		const struct nfx_ifinc *inc = &f->inc[i];

		if (!inc->arglen || !inside(inc->arg, inc->arglen, buf, end) ||
		    inc->before > f->nst ||
		    (i && inc->before < f->inc[i - 1].before))
			FAIL("%s: include %zu out of place", f->path, i);
	}
}

static void check_conf(const struct nfx_ifconf *c)
{
	size_t i, k, r = 0;

	if (c->nfiles < 1)
		FAIL("no file loaded");
	for (i = 0; i < c->nfiles; i++) {
		check_file(c->files[i]);
		r += c->files[i]->nst;
	}
	if (r != c->nrefs)
		FAIL("%zu refs for %zu stanzas", c->nrefs, r);
	for (i = 0; i < c->nrefs; i++) {
		const struct nfx_iffile *f = c->refs[i].file;

		for (k = 0; k < c->nfiles && c->files[k] != f; k++)
			;
		if (k == c->nfiles || c->refs[i].st < f->st ||
		    c->refs[i].st >= f->st + f->nst)
			FAIL("ref %zu: not a stanza of a loaded file", i);
		for (k = 0; k < i; k++)
			if (c->refs[k].st == c->refs[i].st)
				FAIL("refs %zu and %zu: the same stanza", k, i);
	}
}

static bool same_stanza(const struct nfx_ifref *a, const struct nfx_ifref *b)
{
	const struct nfx_ifstanza *x = a->st, *y = b->st;
	size_t k;

	if (strcmp(a->file->path, b->file->path) || x->kind != y->kind ||
	    x->start != y->start || x->end != y->end || x->nopt != y->nopt ||
	    x->lineno != y->lineno)
		return false;
	for (k = 0; k < x->nopt; k++) {
		const struct nfx_ifopt *p = &a->file->opts[x->opt + k];
		const struct nfx_ifopt *q = &b->file->opts[y->opt + k];

		if (p->start != q->start || p->end != q->end ||
		    p->keylen != q->keylen || p->vallen != q->vallen ||
		    p->val - a->file->buf != q->val - b->file->buf)
			return false;
	}
	return true;
}

/* nfx_ifconf_load_only(@name) against the full load @full (ret @ret) */
static void check_only(const char *name, const struct nfx_ifconf *full,
		       int ret)
{
	struct nfx_ifconf *only = NULL;
	size_t i, k = 0;
	int ret_only;

	ret_only = nfx_ifconf_load_only(root, paths[0], name, &only, NULL);
	if (ret_only != ret)
		FAIL("load_only '%s' returned %d, load %d", name, ret_only, ret);
	if (ret < 0)
		return;
	if (only->nfiles != full->nfiles)
		FAIL("load_only '%s' read %zu files, load %zu", name,
		     only->nfiles, full->nfiles);
	for (i = 0; i < full->nrefs; i++) {
		const struct nfx_ifstanza *st = full->refs[i].st;

		if (st->namelen != strlen(name) ||
		    memcmp(st->name, name, st->namelen))
			continue;
		if (k >= only->nrefs || !same_stanza(&full->refs[i], &only->refs[k]))
			FAIL("load_only '%s': stanza %zu of the full load "
			     "differs or is missing", name, i);
		k++;
	}
	if (k != only->nrefs)
		FAIL("load_only '%s' kept %zu stanzas, %zu expected", name,
		     only->nrefs, k);
	nfx_ifconf_free(only);
}

static void check_ports(const struct nfx_ifconf *conf, const char *name)
{
	struct nfx_ports ports;
	size_t i;

	nfx_ifports_behind(conf, name, &ports);
	if (ports.nall > NFX_MAX_PORTS || ports.nphys > NFX_MAX_PORTS)
		FAIL("ports of '%s': %zu, %zu physical", name, ports.nall,
		     ports.nphys);
	for (i = 0; i < ports.nall; i++)
		if (!memchr(ports.all[i], '\0', sizeof(ports.all[i])) ||
		    !ports.all[i][0])
			FAIL("ports of '%s': port %zu not a name", name, i);
	/* every leaf is a member too, unless the members filled up */
	for (i = 0; ports.nall < NFX_MAX_PORTS && i < ports.nphys; i++)
		if (!nfx_ifports_has(&ports, ports.phys[i]))
			FAIL("ports of '%s': physical port %s not a port",
			     name, ports.phys[i]);
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd) < 0) {
		perror(path);
		abort();
	}
}

static void parse_memory(const uint8_t *data, size_t size)
{
	struct nfx_iffile f;
	struct nfx_err err;
	int ret;

	memset(&f, 0, sizeof(f));
	f.path = "mem";
	f.buf = malloc(size + 1);
	if (!f.buf)
		abort();
	memcpy(f.buf, data, size);
	f.buf[size] = '\0';
	f.len = size;
	ret = nfx_iffile_parse(&f, &err);
	if (ret == 0)
		check_file(&f);
	else if (ret != -EINVAL || err.code != ret ||
		 strncmp(err.msg, "mem:", 4))
		FAIL("parse returned %d: %s", ret, ret < 0 ? err.msg : "");
	nfx_iffile_done(&f);
	free(f.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfx_ifconf *conf = NULL;
	const uint8_t *p = data, *end = data + size;
	char name[NFX_IFNAMSIZ * 4];
	struct nfx_err err;
	size_t i;
	int ret;

	parse_memory(data, size);
	if (memmem(data, size, "..", 2))
		return 0;
	for (i = 0; i < NFILES; i++) {
		const uint8_t *nul;

		if (!p) {
			unlink(paths[i]);
			continue;
		}
		nul = memchr(p, '\0', (size_t)(end - p));
		write_file(paths[i], p, nul ? (size_t)(nul - p) : (size_t)(end - p));
		p = nul ? nul + 1 : NULL;
	}
	ret = nfx_ifconf_load(root, paths[0], &conf, &err);
	if (ret == 0)
		check_conf(conf);
	else if (ret != -EINVAL && ret != -ELOOP)
		FAIL("load returned %d: %s", ret, err.msg);
	/* the hook's path: one interface, the others only checked */
	name[0] = '\0';
	if (ret == 0 && conf->nrefs) {
		const struct nfx_ifstanza *st = conf->refs[conf->nrefs / 2].st;

		snprintf(name, sizeof(name), "%.*s", (int)st->namelen, st->name);
	}
	if (!name[0] || strlen(name) != (ret == 0 && conf->nrefs ?
					 conf->refs[conf->nrefs / 2].st->namelen : 0))
		snprintf(name, sizeof(name), "eno1");
	check_only(name, conf, ret);
	if (ret == 0)
		check_ports(conf, name);
	nfx_ifconf_free(conf);
	return 0;
}
