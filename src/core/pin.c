/* pin.c - NIC names pinned by systemd .link files, and renames followed
 *
 * Proxmox VE 9 pins NIC names (nic0, nic1, ...) with .link files that
 * match the MAC address; offload lines written before name the old NIC.
 * A rename is followed only on a certain match: before the reboot, the old
 * name's address against the first .link file that applies; after it,
 * udev's record of the NIC that now has the old name's identity.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pin.h"

#define LINKFILE_MAX (64 * 1024) /* more than any .link file needs */

/* systemd's search path for .link files, earliest first */
static const char *const link_dirs[] = {
	"/etc/systemd/network",
	"/run/systemd/network",
	"/usr/local/lib/systemd/network",
	"/usr/lib/systemd/network",
};

/* the ID_NET_NAME_* properties of udev's net_id builtin */
static const char *const udev_names[] = {
	"ID_NET_NAME_ONBOARD",
	"ID_NET_NAME_SLOT",
	"ID_NET_NAME_PATH",
	"ID_NET_NAME_MAC",
};

struct nfx_pins {
	char root[PATH_MAX];
	struct nfx_linkfile *v;
	size_t n;
};

const char *nfx_rename_how_name(enum nfx_rename_how how)
{
	switch (how) {
	case NFX_RENAME_PENDING:
		return "pending";
	case NFX_RENAME_DONE:
		return "done";
	default:
		return "none";
	}
}

/* ---- pure parts: addresses, the .link syntax, the order --------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int nfx_mac_parse(const char *s, size_t len, unsigned char *ret)
{
	unsigned char mac[6];
	size_t i = 0, k, digits;
	char sep;

	if (len == 14 && s[4] == '.' && s[9] == '.') {
		/* xxxx.xxxx.xxxx */
		for (k = 0; k < 6; k++) {
			size_t at = k / 2 * 5 + k % 2 * 2;
			int hi = hexval(s[at]), lo = hexval(s[at + 1]);

			if (hi < 0 || lo < 0)
				return -EINVAL;
			mac[k] = (unsigned char)(hi << 4 | lo);
		}
		memcpy(ret, mac, 6);
		return 0;
	}
	sep = len > 2 ? (s[1] == ':' || s[1] == '-' ? s[1] : s[2]) : 0;
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (k = 0; k < 6; k++) {
		unsigned int v = 0;

		for (digits = 0; i < len && hexval(s[i]) >= 0 && digits < 2; digits++)
			v = v << 4 | (unsigned int)hexval(s[i++]);
		if (!digits)
			return -EINVAL;
		mac[k] = (unsigned char)v;
		if (k < 5) {
			if (i >= len || s[i] != sep)
				return -EINVAL;
			i++;
		}
	}
	if (i != len)
		return -EINVAL;
	memcpy(ret, mac, 6);
	return 0;
}

char *nfx_mac_format(const unsigned char *mac, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

enum section { SEC_NONE, SEC_MATCH, SEC_LINK, SEC_OTHER };

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* the next blank-separated word of [*p, end), or false */
static bool next_word(const char **p, const char *end, const char **ret,
		      size_t *ret_len)
{
	const char *s = *p;

	while (s < end && is_space(*s))
		s++;
	if (s == end)
		return false;
	*ret = s;
	while (s < end && !is_space(*s))
		s++;
	*ret_len = (size_t)(s - *ret);
	*p = s;
	return true;
}

struct parse {
	struct nfx_linkfile *f;
	bool any_match; /* a [Match] setting systemd counts */
	bool other;
};

static void other(struct parse *ps, const char *key)
{
	if (!ps->other)
		snprintf(ps->f->why, sizeof(ps->f->why), "[Match] %.40s=", key);
	ps->other = true;
}

static void match_key(struct parse *ps, const char *key, const char *val,
		      size_t vlen)
{
	struct nfx_linkfile *f = ps->f;
	const char *end = val + vlen, *w;
	size_t wl;

	if (!strcmp(key, "MACAddress")) {
		if (!vlen) {
			f->nmac = 0; /* an empty assignment resets the list */
			return;
		}
		while (next_word(&val, end, &w, &wl)) {
			/* udev ignores an invalid entry, and so do we */
			if (f->nmac < NFX_LINK_MAX_MAC &&
			    nfx_mac_parse(w, wl, f->mac[f->nmac]) == 0)
				f->nmac++;
			else if (f->nmac == NFX_LINK_MAX_MAC)
				other(ps, "MACAddress"); /* more than we keep */
			ps->any_match = true;
		}
		return;
	}
	if (!vlen)
		return;
	ps->any_match = true;
	if (!strcmp(key, "Type")) {
		/* a NIC is "ether"; another type (or a negation) we cannot
		 * tell without the device */
		while (next_word(&val, end, &w, &wl))
			if (wl != 5 || memcmp(w, "ether", 5))
				other(ps, key);
		return;
	}
	/* OriginalName=, Path=, Driver=, Kind=, Property=, Host=, ... */
	other(ps, key);
}

static void link_key(struct nfx_linkfile *f, const char *key, const char *val,
		     size_t vlen)
{
	if (!strcmp(key, "Name")) {
		f->name[0] = '\0';
		if (vlen && vlen < sizeof(f->name)) {
			memcpy(f->name, val, vlen);
			f->name[vlen] = '\0';
			if (nfx_ifname_check(f->name, NULL) < 0)
				f->name[0] = '\0';
		}
	} else if (!strcmp(key, "NamePolicy")) {
		f->policy = vlen > 0;
	}
}

/* one logical line, blanks around it already gone */
static void parse_line(struct parse *ps, enum section *sec, const char *s,
		       size_t len)
{
	const char *eq, *v, *ke;
	char key[64];
	size_t klen, vlen;

	if (!len || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		if (len == 7 && !memcmp(s, "[Match]", 7))
			*sec = SEC_MATCH;
		else if (len == 6 && !memcmp(s, "[Link]", 6))
			*sec = SEC_LINK;
		else
			*sec = SEC_OTHER;
		return;
	}
	eq = memchr(s, '=', len);
	if (!eq)
		return; /* "Missing '='", udev ignores the line */
	for (ke = eq; ke > s && is_space(ke[-1]); ke--)
		;
	klen = (size_t)(ke - s);
	if (!klen || klen >= sizeof(key))
		return;
	memcpy(key, s, klen);
	key[klen] = '\0';
	for (v = eq + 1; v < s + len && is_space(*v); v++)
		;
	vlen = (size_t)(s + len - v);
	if (*sec == SEC_MATCH)
		match_key(ps, key, v, vlen);
	else if (*sec == SEC_LINK)
		link_key(ps->f, key, v, vlen);
}

void nfx_linkfile_parse(const char *text, size_t len, struct nfx_linkfile *ret)
{
	struct parse ps = { .f = ret };
	enum section sec = SEC_NONE;
	const char *p = text, *end = text + len;
	char line[4096];
	size_t ll = 0;

	ret->match = NFX_LM_IGNORED;
	ret->nmac = 0;
	ret->name[0] = '\0';
	ret->policy = false;
	ret->why[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *s = p;
		bool cont;

		p = nl ? nl + 1 : end;
		while (s < le && is_space(*s))
			s++;
		while (le > s && is_space(le[-1]))
			le--;
		/* a comment line inside a continued line is skipped */
		if (ll && s < le && (*s == '#' || *s == ';'))
			continue;
		cont = le > s && le[-1] == '\\';
		if (cont)
			le--;
		if ((size_t)(le - s) < sizeof(line) - ll - 1) {
			memcpy(line + ll, s, (size_t)(le - s));
			ll += (size_t)(le - s);
		}
		if (cont && p < end) {
			line[ll++] = ' '; /* the backslash becomes a blank */
			continue;
		}
		while (ll && is_space(line[ll - 1]))
			ll--;
		parse_line(&ps, &sec, line, ll);
		ll = 0;
	}
	if (!ps.any_match)
		ret->match = NFX_LM_IGNORED;
	else if (ps.other || !ret->nmac)
		ret->match = NFX_LM_OTHER;
	else
		ret->match = NFX_LM_MAC;
	if (ret->match == NFX_LM_OTHER && !ret->why[0])
		snprintf(ret->why, sizeof(ret->why), "[Match] without MACAddress=");
}

static int cmp_ent(const void *a, const void *b)
{
	const struct nfx_linkent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->dir < y->dir ? -1 : x->dir > y->dir;
}

size_t nfx_linkents_order(struct nfx_linkent *v, size_t n)
{
	size_t i, k = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_ent);
	for (i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1].name, v[i].name))
			v[k++] = v[i];
	return k;
}

static bool has_mac(const struct nfx_linkfile *f, const unsigned char *mac)
{
	size_t i;

	for (i = 0; i < f->nmac; i++)
		if (!memcmp(f->mac[i], mac, 6))
			return true;
	return false;
}

int nfx_linkfiles_first(const struct nfx_linkfile *v, size_t n,
			const unsigned char *mac, size_t *ret_i)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].match == NFX_LM_IGNORED)
			continue;
		/* conditions are and-ed: the wrong address rules it out */
		if (v[i].nmac && !has_mac(&v[i], mac))
			continue;
		*ret_i = i;
		return v[i].match == NFX_LM_MAC ? 1 : -EAGAIN;
	}
	return 0;
}

bool nfx_udev_prop(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);

		if (ll > klen + 2 && p[0] == 'E' && p[1] == ':' &&
		    !memcmp(p + 2, key, klen) && p[2 + klen] == '=') {
			snprintf(buf, len, "%.*s", (int)(ll - klen - 3),
				 p + klen + 3);
			return true;
		}
		p = eol ? eol + 1 : NULL;
	}
	return false;
}

/* ---- reading the files under the root --------------------------------- */

static int join(const struct nfx_pins *pins, const char *path, char *buf,
		size_t len)
{
	int n = snprintf(buf, len, "%s%s",
			 strcmp(pins->root, "/") ? pins->root : "", path);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * Open @path (absolute, as on the system) inside the root: a symbolic
 * link to an absolute path (an admin's "ln -s /usr/local/... /etc/...")
 * is followed under the root, not out of it.
 */
static int open_in_root(const struct nfx_pins *pins, const char *path)
{
	char cur[PATH_MAX], full[PATH_MAX], target[PATH_MAX], dir[PATH_MAX];
	int hops, fd;
	ssize_t n;

	snprintf(cur, sizeof(cur), "%s", path);
	for (hops = 0; hops < 8; hops++) {
		if (join(pins, cur, full, sizeof(full)) < 0)
			return -ENAMETOOLONG;
		n = readlink(full, target, sizeof(target) - 1);
		if (n < 0)
			break; /* not a link (or not there): open it */
		target[n] = '\0';
		if (target[0] == '/') {
			snprintf(cur, sizeof(cur), "%s", target);
			continue;
		}
		snprintf(dir, sizeof(dir), "%s", cur);
		*strrchr(dir, '/') = '\0';
		if (snprintf(cur, sizeof(cur), "%s/%s", dir, target) >= (int)sizeof(cur))
			return -ENAMETOOLONG;
	}
	if (hops == 8)
		return -ELOOP;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* up to @max - 1 bytes of @path, NUL-terminated, into a malloc'd buffer */
static int read_text(const struct nfx_pins *pins, const char *path, size_t max,
		     char **ret, size_t *ret_len)
{
	size_t got = 0;
	ssize_t r;
	char *buf;
	int fd;

	fd = open_in_root(pins, path);
	if (fd < 0)
		return fd;
	buf = malloc(max);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < max - 1 && (r = read(fd, buf + got, max - 1 - got)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			close(fd);
			return (int)r;
		}
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*ret = buf;
	*ret_len = got;
	return 0;
}

static bool dev_null(const struct nfx_pins *pins, const char *path)
{
	char full[PATH_MAX], target[16];
	ssize_t n;

	if (join(pins, path, full, sizeof(full)) < 0)
		return false;
	n = readlink(full, target, sizeof(target));
	return n == 9 && !memcmp(target, "/dev/null", 9);
}

struct found {
	struct nfx_linkent *v;
	size_t n, cap;
	struct nfx_linkent *dropins;
	size_t nd, capd;
};

static int push_ent(struct nfx_linkent **v, size_t *n, size_t *cap,
		    const char *name, unsigned int dir)
{
	if (*n == NFX_LINK_MAX_FILES)
		return 0;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct nfx_linkent *g = realloc(*v, c * sizeof(*g));

		if (!g)
			return -ENOMEM;
		*v = g;
		*cap = c;
	}
	snprintf((*v)[*n].name, sizeof((*v)[*n].name), "%s", name);
	(*v)[(*n)++].dir = dir;
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);

	return l > k && !strcmp(s + l - k, suffix);
}

static int scan_dir(struct nfx_pins *pins, unsigned int d, struct found *fo,
		    struct nfx_err *err)
{
	char full[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	if (join(pins, link_dirs[d], full, sizeof(full)) < 0)
		return nfx_err_set(err, -ENAMETOOLONG, "%s: name too long",
				   pins->root);
	dir = opendir(full);
	if (!dir) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return nfx_err_set(err, -errno, "%s: %s", full, strerror(errno));
	}
	while (ret == 0 && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= 200)
			continue;
		if (ends_with(de->d_name, ".link"))
			ret = push_ent(&fo->v, &fo->n, &fo->cap, de->d_name, d);
		else if (ends_with(de->d_name, ".link.d"))
			ret = push_ent(&fo->dropins, &fo->nd, &fo->capd,
				       de->d_name, d);
	}
	closedir(dir);
	if (ret < 0)
		return nfx_err_set(err, ret, "out of memory");
	return 0;
}

static void load_one(const struct nfx_pins *pins, const struct nfx_linkent *e,
		     const struct found *fo, struct nfx_linkfile *f)
{
	char *text = NULL;
	size_t len, i;
	int ret;

	snprintf(f->path, sizeof(f->path), "%.40s/%.200s", link_dirs[e->dir],
		 e->name);
	if (dev_null(pins, f->path)) {
		f->match = NFX_LM_IGNORED; /* masked */
		return;
	}
	ret = read_text(pins, f->path, LINKFILE_MAX, &text, &len);
	if (ret < 0) {
		/* a file udev may read and we cannot: no certainty after it */
		f->match = NFX_LM_OTHER;
		snprintf(f->why, sizeof(f->why), "unreadable: %s",
			 strerror(-ret));
		return;
	}
	nfx_linkfile_parse(text, len, f);
	free(text);
	for (i = 0; i < fo->nd; i++)
		if (!strncmp(fo->dropins[i].name, e->name, strlen(e->name)) &&
		    !strcmp(fo->dropins[i].name + strlen(e->name), ".d") &&
		    f->match != NFX_LM_IGNORED) {
			/* drop-ins may change any of it */
			f->match = NFX_LM_OTHER;
			snprintf(f->why, sizeof(f->why), "drop-in directory %.40s",
				 fo->dropins[i].name);
		}
}

int nfx_pins_load(const char *root, struct nfx_pins **ret_pins,
		  struct nfx_err *err)
{
	struct found fo = { 0 };
	struct nfx_pins *pins;
	unsigned int d;
	size_t i;
	int ret = 0;

	pins = calloc(1, sizeof(*pins));
	if (!pins)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	snprintf(pins->root, sizeof(pins->root), "%s", root && *root ? root : "/");
	for (d = 0; ret == 0 && d < sizeof(link_dirs) / sizeof(link_dirs[0]); d++)
		ret = scan_dir(pins, d, &fo, err);
	if (ret < 0)
		goto out_free;
	fo.n = nfx_linkents_order(fo.v, fo.n);
	pins->v = calloc(fo.n ? fo.n : 1, sizeof(*pins->v));
	if (!pins->v) {
		ret = nfx_err_set(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	for (i = 0; i < fo.n; i++)
		load_one(pins, &fo.v[i], &fo, &pins->v[pins->n++]);
	*ret_pins = pins;
	pins = NULL;
out_free:
	free(fo.v);
	free(fo.dropins);
	nfx_pins_free(pins);
	return ret;
}

void nfx_pins_free(struct nfx_pins *pins)
{
	if (!pins)
		return;
	free(pins->v);
	free(pins);
}

size_t nfx_pins_count(const struct nfx_pins *pins)
{
	size_t i, n = 0;

	for (i = 0; pins && i < pins->n; i++)
		n += pins->v[i].match != NFX_LM_IGNORED;
	return n;
}

/* ---- following a name ------------------------------------------------- */

/* @old is here: what the first .link file matching its address says */
static int follow_pending(const struct nfx_pins *pins,
			  const struct nfx_link *l, struct nfx_rename *ret)
{
	const struct nfx_linkfile *f;
	size_t i;
	int rc;

	if (!l->has_mac)
		return 0;
	nfx_mac_format(l->mac, ret->mac);
	rc = nfx_linkfiles_first(pins->v, pins->n, l->mac, &i);
	if (rc == 0)
		return 0;
	f = &pins->v[i];
	if (rc < 0) {
		snprintf(ret->why, sizeof(ret->why),
			 "%.200s may apply to %s (%s): %s, which nicfix cannot judge",
			 f->path, ret->old, ret->mac, f->why);
		return 0;
	}
	if (f->policy) {
		snprintf(ret->why, sizeof(ret->why),
			 "%.200s matches %s (%s) but its NamePolicy= decides the name",
			 f->path, ret->old, ret->mac);
		return 0;
	}
	if (!f->name[0] || !strcmp(f->name, l->name))
		return 0;
	ret->how = NFX_RENAME_PENDING;
	memcpy(ret->name, f->name, sizeof(ret->name));
	snprintf(ret->source, sizeof(ret->source), "%s", f->path);
	return 1;
}

/* @old is gone: the NIC whose udev record gives @old as one of its names */
static int follow_done(const struct nfx_pins *pins, struct nfx_live *live,
		       struct nfx_rename *ret, struct nfx_err *err)
{
	struct nfx_link *links = NULL;
	char path[64], val[NFX_IFNAMSIZ + 1], other[NFX_IFNAMSIZ] = "";
	size_t n = 0, i, k, hits = 0;
	int rc;

	rc = nfx_link_list(live, &links, &n, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++) {
		char *text = NULL;
		size_t len;

		if (links[i].loopback)
			continue;
		snprintf(path, sizeof(path), "/run/udev/data/n%d", links[i].ifindex);
		if (read_text(pins, path, LINKFILE_MAX, &text, &len) < 0)
			continue;
		/* the record of this NIC, under the name it has: not that of
		 * an index of another network namespace, nor a stale one */
		if (!nfx_udev_prop(text, "ID_NET_NAME", val, sizeof(val)) ||
		    strcmp(val, links[i].name)) {
			free(text);
			continue;
		}
		for (k = 0; k < sizeof(udev_names) / sizeof(udev_names[0]); k++) {
			if (!nfx_udev_prop(text, udev_names[k], val, sizeof(val)) ||
			    strcmp(val, ret->old))
				continue;
			if (hits++) {
				memcpy(other, links[i].name, sizeof(other));
				break;
			}
			memcpy(ret->name, links[i].name, sizeof(ret->name));
			snprintf(ret->property, sizeof(ret->property), "%s",
				 udev_names[k]);
			if (links[i].has_mac)
				nfx_mac_format(links[i].mac, ret->mac);
			nfx_udev_prop(text, "ID_NET_LINK_FILE", ret->source,
				      sizeof(ret->source));
			break;
		}
		free(text);
	}
	free(links);
	if (hits == 1) {
		ret->how = NFX_RENAME_DONE;
		return 1;
	}
	if (hits > 1)
		snprintf(ret->why, sizeof(ret->why),
			 "udev's records of %s and %s both name %s", ret->name,
			 other, ret->old);
	ret->name[0] = ret->property[0] = ret->mac[0] = ret->source[0] = '\0';
	return 0;
}

int nfx_pins_follow(const struct nfx_pins *pins, struct nfx_live *live,
		    const char *old, struct nfx_rename *ret, struct nfx_err *err)
{
	struct nfx_err lerr = { 0 };
	struct nfx_link l;
	int rc;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->old, sizeof(ret->old), "%s", old);
	rc = nfx_link_get(live, old, &l, &lerr);
	if (rc == 0)
		return follow_pending(pins, &l, ret);
	if (rc != -ENODEV) {
		if (err)
			*err = lerr;
		return rc;
	}
	return follow_done(pins, live, ret, err);
}
