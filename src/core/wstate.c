/* wstate.c - the daemon's state: its ports and counters, kept in a file
 * under /run/nicfix so that a restart keeps them (a reboot starts afresh)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nicfix.h"
#include "path.h"

#define STATE_MAGIC "nicfix-watch-state 1\n"
#define STATE_MAX (1u << 20)

static void set_str(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s);
}

struct nfx_wport *nfx_wstate_port(struct nfx_wstate *st, const char *name,
				  const char *pci)
{
	struct nfx_wport *p = NULL;
	size_t i;

	if (!name[0] && !pci[0])
		return NULL;
	/* the bus address first: a renamed NIC is still the same port */
	for (i = 0; pci[0] && i < st->n && !p; i++)
		if (!strcmp(st->port[i].pci, pci))
			p = &st->port[i];
	/* by name a port whose address is not known, or not given */
	for (i = 0; name[0] && i < st->n && !p; i++)
		if (!strcmp(st->port[i].name, name) &&
		    (!pci[0] || !st->port[i].pci[0]))
			p = &st->port[i];
	if (!p) {
		if (st->n == NFX_WSTATE_PORTS)
			return NULL;
		p = &st->port[st->n++];
		memset(p, 0, sizeof(*p));
	}
	if (name[0])
		set_str(p->name, sizeof(p->name), name);
	if (pci[0] && !p->pci[0])
		set_str(p->pci, sizeof(p->pci), pci);
	return p;
}

/* ---- writing files whole ---------------------------------------------- */

int nfx_file_replace(const char *path, const char *data, size_t len,
		     unsigned int mode, struct nfx_err *err)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 32];
	const char *base = strrchr(path, '/');
	size_t off = 0;
	int fd, ret;

	base = base ? base + 1 : path;
	nfx_path_dir(path, dir, sizeof(dir));
	/* dot-named, so that node_exporter's "*.prom" does not match it */
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >=
	    (int)sizeof(tmp))
		return nfx_err_set(err, -ENAMETOOLONG, "%s: name too long",
				   path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return nfx_err_set(err, ret, "%s: %s", dir, strerror(-ret));
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			ret = -errno;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, (mode_t)mode) < 0) {
		ret = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		ret = -errno;
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return nfx_err_set(err, ret, "%s: %s", path, strerror(-ret));
}

/* ---- the state file ---------------------------------------------------- */

static void put_hist(FILE *f, const char *key, const long long *h)
{
	size_t k;

	fprintf(f, " %s=", key);
	for (k = 0; k < NFX_RATE_HIST && h[k]; k++)
		fprintf(f, "%s%lld", k ? "," : "", h[k]);
	if (!k)
		fputc('-', f);
}

int nfx_wstate_save(const struct nfx_wstate *st, const char *path,
		    struct nfx_err *err)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	fputs(STATE_MAGIC, f);
	fprintf(f, "daemon seq=%llu seq_known=%d records=%llu lost=%llu "
		   "updated=%lld started=%lld\n",
		st->seq, st->seq_known, st->records, st->lost, st->updated,
		st->started);
	for (i = 0; i < st->n; i++) {
		const struct nfx_wport *p = &st->port[i];

		fprintf(f, "port name=%s pci=%s hangs=%llu resets=%llu "
			   "fixes=%llu despite=%llu limited=%llu mails=%llu "
			   "last_hang=%lld",
			p->name[0] ? p->name : "-", p->pci[0] ? p->pci : "-",
			p->hangs, p->resets, p->fixes, p->despite, p->limited,
			p->mails, p->last_hang);
		put_hist(f, "acts", p->acts);
		put_hist(f, "reports", p->reports);
		fprintf(f, " escalations=%llu", p->escalations);
		put_hist(f, "bounces", p->bounces);
		fprintf(f, " last_report_us=%llu off_since_us=%llu",
			p->last_report_us, p->off_since_us);
		fputc('\n', f);
	}
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return nfx_err_set(err, -ENOMEM, "out of memory");
	}
	ret = nfx_file_replace(path, buf, len, 0644, err);
	free(buf);
	return ret;
}

static bool get_ull(const char *tok, const char *key, unsigned long long *v)
{
	size_t kl = strlen(key);
	char *end;

	if (strncmp(tok, key, kl) || tok[kl] != '=')
		return false;
	errno = 0;
	*v = strtoull(tok + kl + 1, &end, 10);
	return !errno && !*end && tok[kl + 1] != '-';
}

static bool get_ll(const char *tok, const char *key, long long *v)
{
	size_t kl = strlen(key);
	char *end;

	if (strncmp(tok, key, kl) || tok[kl] != '=')
		return false;
	errno = 0;
	*v = strtoll(tok + kl + 1, &end, 10);
	return !errno && !*end;
}

static bool get_str(const char *tok, const char *key, char *dst,
		    size_t size)
{
	size_t kl = strlen(key);
	const char *v = tok + kl + 1;

	if (strncmp(tok, key, kl) || tok[kl] != '=')
		return false;
	if (strlen(v) >= size)
		return false;
	set_str(dst, size, strcmp(v, "-") ? v : "");
	return true;
}

static bool get_hist(const char *tok, const char *key, long long *h)
{
	size_t kl = strlen(key), k = 0;
	const char *v = tok + kl + 1;
	char *end;

	if (strncmp(tok, key, kl) || tok[kl] != '=')
		return false;
	if (!strcmp(v, "-"))
		return true;
	while (*v && k < NFX_RATE_HIST) {
		h[k++] = strtoll(v, &end, 10);
		if (end == v || (*end && *end != ','))
			return false;
		v = *end ? end + 1 : end;
	}
	return true;
}

static bool port_tok(struct nfx_wport *p, const char *t)
{
	return get_str(t, "name", p->name, sizeof(p->name)) ||
	       get_str(t, "pci", p->pci, sizeof(p->pci)) ||
	       get_ull(t, "hangs", &p->hangs) ||
	       get_ull(t, "resets", &p->resets) ||
	       get_ull(t, "fixes", &p->fixes) ||
	       get_ull(t, "despite", &p->despite) ||
	       get_ull(t, "limited", &p->limited) ||
	       get_ull(t, "mails", &p->mails) ||
	       get_ll(t, "last_hang", &p->last_hang) ||
	       get_hist(t, "acts", p->acts) ||
	       get_hist(t, "reports", p->reports) ||
	       get_ull(t, "escalations", &p->escalations) ||
	       get_hist(t, "bounces", p->bounces) ||
	       get_ull(t, "last_report_us", &p->last_report_us) ||
	       get_ull(t, "off_since_us", &p->off_since_us);
}

static bool daemon_tok(struct nfx_wstate *st, const char *t)
{
	unsigned long long known;

	if (get_ull(t, "seq_known", &known)) {
		st->seq_known = known != 0;
		return true;
	}
	return get_ull(t, "seq", &st->seq) ||
	       get_ull(t, "records", &st->records) ||
	       get_ull(t, "lost", &st->lost) ||
	       get_ll(t, "updated", &st->updated) ||
	       get_ll(t, "started", &st->started);
}

static int parse(struct nfx_wstate *st, char *buf)
{
	char *line, *save = NULL, *tok, *save2;

	if (strncmp(buf, STATE_MAGIC, strlen(STATE_MAGIC)))
		return -EINVAL;
	for (line = strtok_r(buf + strlen(STATE_MAGIC), "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		bool port = !strncmp(line, "port ", 5);
		struct nfx_wport *p = NULL;

		if (!port && strncmp(line, "daemon ", 7))
			return -EINVAL;
		if (port) {
			if (st->n == NFX_WSTATE_PORTS)
				return -EINVAL;
			p = &st->port[st->n++];
		}
		tok = strtok_r(line, " ", &save2);
		while ((tok = strtok_r(NULL, " ", &save2)))
			if (port ? !port_tok(p, tok) : !daemon_tok(st, tok))
				return -EINVAL;
	}
	return 0;
}

int nfx_wstate_load(struct nfx_wstate *st, const char *path,
		    struct nfx_err *err)
{
	char *buf;
	ssize_t got;
	size_t len = 0;
	int fd, ret;

	memset(st, 0, sizeof(*st));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return nfx_err_set(err, ret, "%s: %s", path, strerror(-ret));
	}
	buf = malloc(STATE_MAX + 1);
	if (!buf) {
		close(fd);
		return nfx_err_set(err, -ENOMEM, "out of memory");
	}
	while (len < STATE_MAX &&
	       (got = read(fd, buf + len, STATE_MAX - len)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			close(fd);
			free(buf);
			return nfx_err_set(err, ret, "%s: %s", path,
					   strerror(-ret));
		}
		len += (size_t)got;
	}
	close(fd);
	buf[len] = '\0';
	ret = memchr(buf, '\0', len) ? -EINVAL : parse(st, buf);
	free(buf);
	if (ret < 0) {
		memset(st, 0, sizeof(*st));
		return nfx_err_set(err, ret, "%s: not a nicfix state file",
				   path);
	}
	return 0;
}
