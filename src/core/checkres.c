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

/* "Package: NAME" followed, in its paragraph, by an installed Status */
static bool dpkg_installed(const char *status, const char *name)
{
	size_t n = strlen(name);
	const char *p = status;

	while ((p = strstr(p, "Package: "))) {
		const char *q = p + 9, *end;

		p = q;
		if (strncmp(q, name, n) || (q[n] != '\n' && q[n] != '\r'))
			continue;
		end = strstr(q, "\n\n");
		if (!end)
			end = q + strlen(q);
		for (; q && q < end; q = strchr(q, '\n'), q = q ? q + 1 : NULL)
			if (!strncmp(q, "Status: ", 8))
				return !strncmp(q + 8, "install ok installed", 20);
	}
	return false;
}

static bool exists_under(const char *root, const char *path)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", strcmp(root, "/") ? root : "", path);
	return stat(p, &st) == 0;
}

enum nfx_ifupdown nfx_ifupdown_detect(const char *root)
{
	char path[4096], *buf;
	struct stat st;
	enum nfx_ifupdown which = NFX_IFUPDOWN_UNKNOWN;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/var/lib/dpkg/status",
		 strcmp(root, "/") ? root : "");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 &&
	    st.st_size < (64 << 20) && (buf = malloc((size_t)st.st_size + 1))) {
		n = read(fd, buf, (size_t)st.st_size);
		buf[n > 0 ? n : 0] = '\0';
		if (dpkg_installed(buf, "ifupdown2"))
			which = NFX_IFUPDOWN_2;
		else if (dpkg_installed(buf, "ifupdown"))
			which = NFX_IFUPDOWN_1;
		free(buf);
		close(fd);
		return which;
	}
	if (fd >= 0)
		close(fd);
	if (exists_under(root, "/usr/share/ifupdown2"))
		return NFX_IFUPDOWN_2;
	if (exists_under(root, "/sbin/ifup"))
		return NFX_IFUPDOWN_1;
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
