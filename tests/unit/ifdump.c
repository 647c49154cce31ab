/* ifdump.c - print the fast reader's view of an interfaces file
 *
 * usage: ifdump FILE         the iface stanzas of FILE (not of its
 *                            includes: Augeas loads each file on its own)
 *                            as "iface NAME FAMILY" and "  KEY VALUE"
 *                            lines, blanks and continuations in values
 *                            collapsed to one space, as tests/reader.bats
 *                            prints the Augeas tree of the same file
 *        ifdump --only FILE  for every interface of FILE, compare the
 *                            hook's boot path (nfx_ifconf_load_only) with
 *                            the full read; print what differs, exit 1
 * Absolute includes are read under $NICFIX_ROOT ("/" if unset).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifread.h"

/* @n bytes of @s, every run of blanks and backslash-newlines as one space */
static void put_collapsed(FILE *out, const char *s, size_t n)
{
	bool gap = false;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < n && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
			gap = true;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			gap = true;
			continue;
		}
		if (gap)
			fputc(' ', out);
		gap = false;
		fputc(c, out);
	}
}

static void dump_stanza(FILE *out, const struct nfx_iffile *f,
			const struct nfx_ifstanza *st)
{
	size_t i;

	fprintf(out, "iface %.*s %.*s\n", (int)st->namelen, st->name,
		(int)st->familylen, st->family ? st->family : "");
	for (i = 0; i < st->nopt; i++) {
		const struct nfx_ifopt *o = &f->opts[st->opt + i];

		fprintf(out, "  %.*s ", (int)o->keylen, o->key);
		put_collapsed(out, o->val, o->vallen);
		fputc('\n', out);
	}
}

/* every iface stanza of the main file named @name (all when NULL) */
static void dump(FILE *out, const struct nfx_ifconf *c, const char *name)
{
	const struct nfx_iffile *f = c->files[0];
	size_t i;

	for (i = 0; i < f->nst; i++)
		if (f->st[i].kind == NFX_ST_IFACE &&
		    (!name || nfx_ifstanza_is(&f->st[i], name)))
			dump_stanza(out, f, &f->st[i]);
}

static char *dump_str(const struct nfx_ifconf *c, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		abort();
	dump(out, c, name);
	fclose(out);
	return buf;
}

static int load(const char *path, const char *only, struct nfx_ifconf **c)
{
	const char *root = getenv("NICFIX_ROOT");
	struct nfx_err err = { 0 };

	if (nfx_ifconf_load_only(root ? root : "/", path, only, c, &err) < 0) {
		fprintf(stderr, "ifdump: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* the boot path against the full read, for every interface of the file */
static int compare_only(const char *path)
{
	struct nfx_ifconf *full, *one;
	const struct nfx_iffile *f;
	int bad = 0;
	size_t i;

	if (load(path, NULL, &full) < 0)
		return 2;
	f = full->files[0];
	for (i = 0; i < f->nst; i++) {
		char name[64], *a, *b;

		if (f->st[i].kind != NFX_ST_IFACE || f->st[i].namelen >= sizeof(name))
			continue;
		memcpy(name, f->st[i].name, f->st[i].namelen);
		name[f->st[i].namelen] = '\0';
		if (load(path, name, &one) < 0) {
			nfx_ifconf_free(full);
			return 2;
		}
		a = dump_str(full, name);
		b = dump_str(one, name);
		if (strcmp(a, b)) {
			printf("%s: %s: full read:\n%sboot path:\n%s", path, name, a, b);
			bad = 1;
		}
		free(a);
		free(b);
		nfx_ifconf_free(one);
	}
	nfx_ifconf_free(full);
	return bad;
}

int main(int argc, char **argv)
{
	struct nfx_ifconf *c;

	if (argc == 3 && !strcmp(argv[1], "--only"))
		return compare_only(argv[2]);
	if (argc != 2) {
		fputs("usage: ifdump [--only] FILE\n", stderr);
		return 2;
	}
	if (load(argv[1], NULL, &c) < 0)
		return 2;
	dump(stdout, c, NULL);
	nfx_ifconf_free(c);
	return 0;
}
