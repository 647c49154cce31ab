/* checkres.c - check's results as data: findings, names, which ifupdown */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cover.h"
#include "feat.h"
#include "ifports.h"
#include "offline.h"

const char *nfx_find_kind_name(enum nfx_find_kind kind)
{
	static const char *const names[] = {
		[NFX_FIND_MISSING] = "missing",
		[NFX_FIND_NOT_RUN] = "not-run",
		[NFX_FIND_STALE] = "stale",
		[NFX_FIND_NOT_NIC] = "not-nic",
		[NFX_FIND_DUPLICATE] = "duplicate",
		[NFX_FIND_CONFLICT] = "conflict",
		[NFX_FIND_MALFORMED] = "malformed",
		[NFX_FIND_UNGUARDED] = "unguarded",
		[NFX_FIND_PLACEMENT] = "placement",
		[NFX_FIND_DRIFT] = "drift",
		[NFX_FIND_NO_DEVICE] = "no-device",
		[NFX_FIND_LIVE_ERROR] = "live-error",
	};

	return (unsigned int)kind < sizeof(names) / sizeof(names[0]) ?
		       names[kind] : "?";
}

const char *nfx_ifupdown_name(enum nfx_ifupdown which)
{
	return which == NFX_IFUPDOWN_2 ? "ifupdown2" :
	       which == NFX_IFUPDOWN_1 ? "ifupdown" :
					 "unknown";
}

/*
 * What ROOT's ifup is: ifupdown2's is a symlink into /usr/share/ifupdown2,
 * ifupdown's a binary.  Read from the file itself, not from dpkg's
 * database (Debian policy: that is dpkg's own).  usr/sbin first: on a
 * merged-/usr root sbin may be an absolute link that would lead out of
 * ROOT.
 */
enum nfx_ifupdown nfx_ifupdown_detect(const char *root)
{
	static const char *const ifups[] = { "/usr/sbin/ifup", "/sbin/ifup" };
	const char *r = strcmp(root, "/") ? root : "";
	char path[4096], target[4096];
	struct stat st;
	ssize_t n;
	size_t i;

	for (i = 0; i < sizeof(ifups) / sizeof(ifups[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", r, ifups[i]);
		if (lstat(path, &st) < 0)
			continue;
		if (!S_ISLNK(st.st_mode))
			return S_ISREG(st.st_mode) ? NFX_IFUPDOWN_1 :
						     NFX_IFUPDOWN_UNKNOWN;
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		return strstr(target, "ifupdown2") ? NFX_IFUPDOWN_2 :
						     NFX_IFUPDOWN_1;
	}
	return NFX_IFUPDOWN_UNKNOWN;
}

char *nfx_check_names(const struct nfx_check *c, unsigned int mask, char *buf,
		      size_t len)
{
	size_t i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < nfx_featreq_count(c->req) && i < 32; i++) {
		if (!(mask & (1u << i)) || pos >= len)
			continue;
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? " " : "",
					nfx_offline_feat_norm(nfx_featreq_name(c->req, i)));
	}
	return buf;
}

bool nfx_check_critical(const struct nfx_check *c)
{
	size_t i;

	for (i = 0; i < c->nfindings; i++)
		if (c->findings[i].critical)
			return true;
	return false;
}

void nfx_check_done(struct nfx_check *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nlines; i++)
		free(c->lines[i].text);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->lines);
	free(c->files);
	free(c->findings);
	free(c->ports);
	free(c->bridges);
	memset(c, 0, sizeof(*c));
}

void *nfx_check_grow(void *vp, size_t *n, size_t size)
{
	void **v = vp;
	void *nv;

	/* the capacity doubles at each power of two */
	if (*n == 0 || (*n >= 4 && (*n & (*n - 1)) == 0)) {
		nv = realloc(*v, (*n ? *n * 2 : 4) * size);
		if (!nv)
			return NULL;
		*v = nv;
	}
	memset((char *)*v + *n * size, 0, size);
	return (char *)*v + (*n)++ * size;
}

struct nfx_check_finding *nfx_check_add(struct nfx_check *c,
					enum nfx_find_kind kind,
					const char *bridge, const char *port,
					const char *file, unsigned int line)
{
	struct nfx_check_finding *f = nfx_check_grow(&c->findings, &c->nfindings,
					    sizeof(*f));

	if (!f)
		return NULL;
	f->kind = kind;
	snprintf(f->bridge, sizeof(f->bridge), "%s", bridge ? bridge : "");
	snprintf(f->port, sizeof(f->port), "%s", port ? port : "");
	f->file = file;
	f->line = file ? line : 0;
	return f;
}

int nfx_check_fopt(const struct nfx_check *c, char *buf, size_t len)
{
	char names[NFX_CHECK_NAMES];
	size_t i, n = nfx_featreq_count(c->req);
	bool dflt = n == 3;

	for (i = 0; dflt && i < n; i++)
		dflt = !strcmp(nfx_offline_feat_norm(nfx_featreq_name(c->req, i)),
			       i == 0 ? "tso" : i == 1 ? "gso" : "gro");
	buf[0] = '\0';
	if (dflt)
		return 0;
	nfx_check_names(c, ~0u, names, sizeof(names));
	for (i = 0; names[i]; i++)
		if (names[i] == ' ')
			names[i] = ',';
	snprintf(buf, len, " -f %s", names);
	return 0;
}
