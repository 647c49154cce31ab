/* ifread.c - fast read-only reader of interfaces files
 *
 * The hook reads the configuration at every ifup, where loading Augeas
 * would cost tens of milliseconds; this reader is a single pass over the
 * bytes.  It must agree with lenses/nicfix_interfaces.aug on what is a
 * stanza, an option, a value and a comment: tests compare both on every
 * fixture and every corpus file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ifread.h"
#include "path.h"

#define MAX_FILE_SIZE (64u << 20)
#define MAX_DEPTH 16

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A backslash-newline joins two lines: skip it like a blank. */
static size_t cont_len(const char *p, const char *end)
{
	if (p < end && p[0] == '\\') {
		if (p + 1 < end && p[1] == '\n')
			return 2;
		if (p + 2 < end && p[1] == '\r' && p[2] == '\n')
			return 3;
	}
	return 0;
}

static const char *skip_sep(const char *p, const char *end)
{
	size_t c;

	for (;;) {
		if (p < end && blank(*p))
			p++;
		else if ((c = cont_len(p, end)))
			p += c;
		else
			return p;
	}
}

const char *nfx_ifword_next(const char **p, const char *end, size_t *ret_len)
{
	const char *w = skip_sep(*p, end), *q;

	/* a stray '\r' separates words too (ifupdown splits on isspace());
	 * an empty word would leave *p where it was, and callers loop */
	while (w < end && (*w == '\r' || *w == '\n'))
		w = skip_sep(w + 1, end);
	if (w >= end)
		return NULL;
	q = w;
	/* a backslash is rare: test for it only where one is */
	while (q < end && !blank(*q) && *q != '\r' && *q != '\n' &&
	       (*q != '\\' || !cont_len(q, end)))
		q++;
	*ret_len = (size_t)(q - w);
	*p = q;
	return w;
}

/* Where the value ends: before a comment that follows a blank (the first
 * character of a value may itself be a '#'), then before trailing blanks.
 */
static const char *value_end(const char *val, const char *end)
{
	const char *p;

	for (p = val; p < end; p++) {
		if (*p == '\\' && p + 1 < end) {
			p++;
			continue;
		}
		if (*p == '#' && p > val && blank(p[-1])) {
			end = p;
			break;
		}
	}
	while (end > val && (blank(end[-1]) || end[-1] == '\r'))
		end--;
	return end;
}

static bool word_is(const char *w, size_t len, const char *s)
{
	return len == strlen(s) && !memcmp(w, s, len);
}

/* the same against a literal, without a strlen() per line */
#define WORD_IS(w, len, lit) \
	((len) == sizeof(lit) - 1 && !memcmp((w), (lit), sizeof(lit) - 1))

static bool top_keyword(const char *w, size_t len)
{
	return WORD_IS(w, len, "auto") || WORD_IS(w, len, "source") ||
	       WORD_IS(w, len, "source-directory") ||
	       WORD_IS(w, len, "no-scripts") ||
	       WORD_IS(w, len, "no-auto-down") || WORD_IS(w, len, "rename") ||
	       (len > 6 && !memcmp(w, "allow-", 6));
}

/* Could a line starting with @c start a stanza or be a top-level
 * keyword (iface mapping vlan template auto allow-* source* no-* rename)?
 */
static bool keyword_initial(char c)
{
	return c == 'i' || c == 'm' || c == 'v' || c == 't' || c == 'a' ||
	       c == 's' || c == 'n' || c == 'r';
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

int nfx_ifopt_is(const struct nfx_ifopt *opt, const char *key)
{
	return word_is(opt->key, opt->keylen, key);
}

int nfx_ifstanza_is(const struct nfx_ifstanza *st, const char *name)
{
	return st->kind == NFX_ST_IFACE && word_is(st->name, st->namelen, name);
}

void nfx_iffile_done(struct nfx_iffile *file)
{
	if (!file)
		return;
	free(file->st);
	free(file->opts);
	free(file->inc);
	file->st = NULL;
	file->opts = NULL;
	file->inc = NULL;
}

/* Does the physical line ending at @nl go on on the next one? */
static bool continued(const char *line, const char *nl)
{
	size_t nb = 0;

	if (nl > line && nl[-1] == '\r')
		nl--;
	/* an even number of backslashes escape each other */
	while (nl > line && nl[-1] == '\\') {
		nl--;
		nb++;
	}
	return nb % 2;
}

/*
 * The fast path of the boot path, inside a stanza that is not kept: step
 * over one plain line that neither starts another stanza nor is a
 * top-level keyword, nor starts the stanza of @only, without splitting it
 * into words; a large file is mostly such lines.  Anything else (a
 * continuation, a keyword, the last line) is left to the general path.
 */
static bool skip_line(const char **line, const char *end, const char *only,
		      size_t olen)
{
	const char *p = *line, *nl, *name;

	/* as in the general path, a CR before the first word is a blank */
	while (p < end && (blank(*p) || *p == '\r'))
		p++;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || continued(*line, nl))
		return false;
	if (keyword_initial(*p)) {
		/* "iface OTHER ...": still not ours */
		if (nl - p < 7 || memcmp(p, "iface", 5) || !blank(p[5]))
			return false;
		for (name = p + 6; name < nl && blank(*name); name++)
			;
		/* a stray CR before the name separates words too */
		if (name == nl || *name == '#' || *name == '\r')
			return false;
		/* the line has no continuation: the name ends at a blank
		 * or at the end of the line
		 */
		if ((size_t)(nl - name) >= olen && !memcmp(name, only, olen) &&
		    (blank(name[olen]) || name[olen] == '\r' ||
		     name[olen] == '\n'))
			return false;
	}
	*line = nl + 1;
	return true;
}

/* @only: when not NULL, the stanzas of other interfaces are checked but
 * not stored: the hook's boot path needs one stanza of a large file, and
 * storing every option costs page faults it cannot afford
 */
static int parse_file(struct nfx_iffile *f, const char *only,
		      struct nfx_err *err)
{
	bool skipping = false;

	size_t cap_st = 0, cap_opts = 0, cap_inc = 0;
	const char *buf = f->buf, *end = f->buf + f->len;
	const char *line = buf;
	struct nfx_ifstanza *cur = NULL;
	unsigned int lineno = 1;
	size_t olen = only ? strlen(only) : 0;

	f->nst = f->nopts = f->ninc = 0;
	while (line < end) {
		const char *eol = line, *next, *p, *w;
		unsigned int start_lineno = lineno;
		size_t wlen;

		if (skipping && skip_line(&line, end, only, olen)) {
			lineno++;
			continue;
		}

		/* the logical line: up to a newline not escaped by an odd
		 * number of backslashes
		 */
		for (;;) {
			eol = memchr(eol, '\n', (size_t)(end - eol));
			if (!eol) {
				eol = end;
				break;
			}
			if (!continued(line, eol))
				break;
			lineno++;
			eol++;
		}
		next = eol < end ? eol + 1 : end;
		lineno++;
		p = line;
		while (p < eol && (blank(*p) || *p == '\r'))
			p++;
		/* an option of a stanza we do not keep: nothing to look at
		 * (a backslash-newline may hide a keyword: look at those) */
		if (p == eol || *p == '#' ||
		    (skipping && *p != '\\' && !keyword_initial(*p))) {
			line = next;
			continue;
		}
		w = nfx_ifword_next(&p, eol, &wlen);
		/* blanks and a backslash-newline only: a blank line too */
		if (!w) {
			line = next;
			continue;
		}
		if (WORD_IS(w, wlen, "iface") || WORD_IS(w, wlen, "mapping") ||
		    WORD_IS(w, wlen, "vlan") || WORD_IS(w, wlen, "template")) {
			struct nfx_ifstanza *st;
			const char *name, *fam = NULL;
			size_t nlen, flen = 0;

			name = nfx_ifword_next(&p, eol, &nlen);
			if (!name || *name == '#')
				return nfx_err_set(err, -EINVAL,
						   "%s:%u: %.*s without an interface name",
						   f->path, start_lineno, (int)wlen, w);
			skipping = only && !word_is(name, nlen, only);
			if (skipping) {
				cur = NULL;
				line = next;
				continue;
			}
			if (*w == 'i') {
				fam = nfx_ifword_next(&p, eol, &flen);
				/* "iface NAME inherits OTHER" has no family */
				if (fam && (*fam == '#' || WORD_IS(fam, flen, "inherits")))
					fam = NULL;
			}
			if (grow((void **)&f->st, &cap_st, f->nst, sizeof(*f->st)))
				return nfx_err_set(err, -ENOMEM, "out of memory");
			st = &f->st[f->nst++];
			memset(st, 0, sizeof(*st));
			/* ifupdown2's vlan and template stanzas hold options
			 * too, like mapping; none of them is an interface
			 */
			st->kind = *w == 'i' ? NFX_ST_IFACE : NFX_ST_MAPPING;
			st->name = name;
			st->namelen = nlen;
			st->family = fam;
			st->familylen = fam ? flen : 0;
			st->start = (size_t)(line - buf);
			st->end = (size_t)(next - buf);
			st->lineno = start_lineno;
			st->opt = f->nopts;
			cur = st;
		} else if (top_keyword(w, wlen)) {
			cur = NULL;
			skipping = false;
			if (WORD_IS(w, wlen, "source") ||
			    WORD_IS(w, wlen, "source-directory")) {
				struct nfx_ifinc *inc;
				const char *vend;

				p = skip_sep(p, eol);
				vend = value_end(p, eol);
				if (vend == p)
					return nfx_err_set(err, -EINVAL,
							   "%s:%u: %.*s without a path",
							   f->path, start_lineno,
							   (int)wlen, w);
				if (grow((void **)&f->inc, &cap_inc, f->ninc,
					 sizeof(*f->inc)))
					return nfx_err_set(err, -ENOMEM,
							   "out of memory");
				inc = &f->inc[f->ninc++];
				inc->dir = wlen > 6;
				inc->arg = p;
				inc->arglen = (size_t)(vend - p);
				inc->before = f->nst;
				inc->lineno = start_lineno;
			}
		} else {
			struct nfx_ifopt *o;

			if (skipping) {
				line = next;
				continue;
			}
			if (!cur)
				return nfx_err_set(err, -EINVAL,
						   "%s:%u: option '%.*s' outside of a stanza",
						   f->path, start_lineno, (int)wlen, w);
			if (grow((void **)&f->opts, &cap_opts, f->nopts,
				 sizeof(*f->opts)))
				return nfx_err_set(err, -ENOMEM, "out of memory");
			o = &f->opts[f->nopts++];
			o->key = w;
			o->keylen = wlen;
			o->val = skip_sep(p, eol);
			o->vallen = (size_t)(value_end(o->val, eol) - o->val);
			o->start = (size_t)(line - buf);
			o->end = (size_t)(next - buf);
			o->lineno = start_lineno;
			cur->nopt++;
			cur->end = o->end;
		}
		line = next;
	}
	return 0;
}

int nfx_iffile_parse(struct nfx_iffile *f, struct nfx_err *err)
{
	return parse_file(f, NULL, err);
}

/* ---- loading, with includes ------------------------------------------ */

struct loader {
	const char *root;
	const char *only;
	struct nfx_ifconf *conf;
	size_t cap_files, cap_refs;
	struct nfx_err *err;
};

/*
 * Map @fd when that gives the NUL terminator for free: the kernel fills
 * the rest of the last page with zeros.  Copying the file instead costs
 * one page fault per 4 KiB of fresh heap, which on a virtual machine
 * dominates the hook's time on a large file; mapping the page cache
 * costs neither the faults nor the copy.  An exact multiple of the page
 * size has no room for the NUL, and the caller reads it instead.
 */
static char *map_file(int fd, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (!size || page <= 0 || size % (size_t)page == 0)
		return NULL;
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int read_file(struct nfx_iffile *f, const char *path,
		     struct nfx_err *err)
{
	struct stat sb;
	size_t got = 0;
	char *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nfx_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0) {
		ret = nfx_err_set(err, -errno, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (S_ISDIR(sb.st_mode)) {
		ret = nfx_err_set(err, -EISDIR, "%s: is a directory", path);
		goto out_close;
	}
	if (sb.st_size > (off_t)MAX_FILE_SIZE) {
		ret = nfx_err_set(err, -EFBIG, "%s: too large (%lld bytes)", path,
				  (long long)sb.st_size);
		goto out_close;
	}
	if (S_ISREG(sb.st_mode)) {
		f->buf = map_file(fd, (size_t)sb.st_size);
		if (f->buf) {
			f->len = f->maplen = (size_t)sb.st_size;
			ret = 0;
			goto out_close;
		}
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		ret = nfx_err_set(err, -ENOMEM, "out of memory");
		goto out_close;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = nfx_err_set(err, -errno, "%s: %s", path,
					  strerror(errno));
			free(buf);
			goto out_close;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	f->buf = buf;
	f->len = got;
	ret = 0;
out_close:
	close(fd);
	return ret;
}

/* each file's real path is resolved once, when it is loaded */
static bool already_loaded(const struct nfx_ifconf *conf, const char *real)
{
	size_t i;

	for (i = 0; i < conf->nfiles; i++)
		if (conf->files[i]->real && !strcmp(real, conf->files[i]->real))
			return true;
	return false;
}

static int load_file(struct loader *l, const char *path, int depth);

static int add_ref(struct loader *l, struct nfx_iffile *f, size_t i)
{
	struct nfx_ifconf *c = l->conf;

	if (grow((void **)&c->refs, &l->cap_refs, c->nrefs, sizeof(*c->refs)))
		return nfx_err_set(l->err, -ENOMEM, "out of memory");
	c->refs[c->nrefs].file = f;
	c->refs[c->nrefs].st = &f->st[i];
	c->nrefs++;
	return 0;
}

/* @pattern resolved: absolute under the root, relative to @dir */
static int resolve(const struct loader *l, const char *dir, const char *arg,
		   size_t len, char *out, size_t outlen)
{
	int n;

	if (len && arg[0] == '/')
		n = snprintf(out, outlen, "%s%.*s",
			     strcmp(l->root, "/") ? l->root : "", (int)len, arg);
	else
		n = snprintf(out, outlen, "%s/%.*s", dir, (int)len, arg);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool run_parts_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

static int load_dir(struct loader *l, const char *dirpath, int depth)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(dirpath);
	if (!d)
		return 0; /* ifupdown skips a missing directory, so do we */
	while ((de = readdir(d))) {
		if (!run_parts_name(de->d_name))
			continue;
		if (grow((void **)&names, &cap, n, sizeof(*names)) ||
		    !(names[n] = strdup(de->d_name))) {
			ret = nfx_err_set(l->err, -ENOMEM, "out of memory");
			goto out_free;
		}
		n++;
	}
	if (n) /* qsort(NULL, 0, ...) is undefined */
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && !ret; i++) {
		char path[PATH_MAX];
		struct stat sb;

		int len = snprintf(path, sizeof(path), "%s/%s", dirpath,
				   names[i]);

		if (len > 0 && (size_t)len < sizeof(path) &&
		    stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			ret = load_file(l, path, depth + 1);
	}
out_free:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

static int load_include(struct loader *l, const struct nfx_iffile *f,
			const struct nfx_ifinc *inc, int depth)
{
	char dir[PATH_MAX], pattern[PATH_MAX];
	glob_t g;
	size_t i;
	int ret;

	nfx_path_dir(f->path, dir, sizeof(dir));
	if (resolve(l, dir, inc->arg, inc->arglen, pattern, sizeof(pattern)))
		return nfx_err_set(l->err, -ENAMETOOLONG,
				   "%s:%u: include path too long", f->path,
				   inc->lineno);
	if (inc->dir)
		return load_dir(l, pattern, depth);
	ret = glob(pattern, 0, NULL, &g);
	if (ret == GLOB_NOMATCH)
		return 0;
	if (ret)
		return nfx_err_set(l->err, -ENOMEM, "%s:%u: cannot expand '%s'",
				   f->path, inc->lineno, pattern);
	for (i = 0, ret = 0; i < g.gl_pathc && !ret; i++) {
		struct stat sb;

		if (stat(g.gl_pathv[i], &sb) == 0 && S_ISREG(sb.st_mode))
			ret = load_file(l, g.gl_pathv[i], depth + 1);
	}
	globfree(&g);
	return ret;
}

static int load_file(struct loader *l, const char *path, int depth)
{
	struct nfx_ifconf *c = l->conf;
	char real[PATH_MAX];
	struct nfx_iffile *f;
	bool have_real;
	size_t i, k;
	int ret;

	if (depth > MAX_DEPTH)
		return nfx_err_set(l->err, -ELOOP,
				   "%s: includes nested more than %d deep", path,
				   MAX_DEPTH);
	/* a file sourced twice, or a cycle, is read once */
	have_real = realpath(path, real) != NULL;
	if (depth > 0 && have_real && already_loaded(c, real))
		return 0;
	if (grow((void **)&c->files, &l->cap_files, c->nfiles, sizeof(*c->files)))
		return nfx_err_set(l->err, -ENOMEM, "out of memory");
	f = calloc(1, sizeof(*f));
	if (!f)
		return nfx_err_set(l->err, -ENOMEM, "out of memory");
	c->files[c->nfiles++] = f;
	f->path = strdup(path);
	f->real = have_real ? strdup(real) : NULL;
	if (!f->path || (have_real && !f->real))
		return nfx_err_set(l->err, -ENOMEM, "out of memory");
	ret = read_file(f, path, l->err);
	if (ret < 0)
		return ret;
	ret = parse_file(f, l->only, l->err);
	if (ret < 0)
		return ret;
	/* stanzas and includes in reading order */
	for (i = 0, k = 0; i <= f->nst; i++) {
		for (; k < f->ninc && f->inc[k].before == i; k++) {
			ret = load_include(l, f, &f->inc[k], depth);
			if (ret < 0)
				return ret;
		}
		if (i < f->nst) {
			ret = add_ref(l, f, i);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

int nfx_ifconf_load_only(const char *root, const char *path,
			 const char *only, struct nfx_ifconf **ret_conf,
			 struct nfx_err *err)
{
	struct loader l = { .root = root ? root : "/", .only = only, .err = err };
	int ret;

	l.conf = calloc(1, sizeof(*l.conf));
	if (!l.conf)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	ret = load_file(&l, path, 0);
	if (ret < 0) {
		nfx_ifconf_free(l.conf);
		return ret;
	}
	*ret_conf = l.conf;
	return 0;
}

int nfx_ifconf_load(const char *root, const char *path,
		    struct nfx_ifconf **ret_conf, struct nfx_err *err)
{
	return nfx_ifconf_load_only(root, path, NULL, ret_conf, err);
}

void nfx_ifconf_free(struct nfx_ifconf *conf)
{
	size_t i;

	if (!conf)
		return;
	for (i = 0; i < conf->nfiles; i++) {
		nfx_iffile_done(conf->files[i]);
		if (conf->files[i]->maplen)
			munmap(conf->files[i]->buf, conf->files[i]->maplen);
		else
			free(conf->files[i]->buf);
		free(conf->files[i]->path);
		free(conf->files[i]->real);
		free(conf->files[i]);
	}
	free(conf->files);
	free(conf->refs);
	free(conf);
}

long nfx_ifconf_find(const struct nfx_ifconf *conf, const char *name,
		     size_t from)
{
	size_t i;

	for (i = from; i < conf->nrefs; i++)
		if (nfx_ifstanza_is(conf->refs[i].st, name))
			return (long)i;
	return -1;
}
