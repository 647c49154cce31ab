/* undo.c - the record of nicfix's last edit, and putting it back */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diff.h"
#include "path.h"
#include "safefile.h"
#include "undo.h"

/* a dot name: the folder holds versions of files, and this is none */
#define RECORD ".last-edit"
#define MAGIC "nicfix-last-edit 1\n"

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------- */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
		     K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void nfx_sha256_hex(const void *data, size_t len, char hex[65])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char tail[128] = { 0 };
	uint64_t bits = (uint64_t)len * 8;
	size_t rest = len % 64, i, tl;

	for (i = 0; i + 64 <= len; i += 64)
		block(h, p + i);
	memcpy(tail, p + len - rest, rest);
	tail[rest] = 0x80;
	tl = rest < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
	block(h, tail);
	if (tl == 128)
		block(h, tail + 64);
	for (i = 0; i < 8; i++)
		snprintf(hex + 8 * i, 9, "%08x", h[i]);
}

/* ---- the record ------------------------------------------------------ */

int nfx_undo_record(const char *backup_dir, const struct nfx_undo_rec *rec,
		    size_t n, struct nfx_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16], hex[65], abs[PATH_MAX];
	size_t i;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/" RECORD, backup_dir);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", backup_dir, RECORD);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return nfx_err_set(err, -errno, "%s: %s", tmp, strerror(errno));
	}
	fputs(MAGIC, f);
	for (i = 0; i < n; i++) {
		/* one field a tab, one file a line */
		if (strpbrk(rec[i].path, "\t\n") || !rec[i].backup ||
		    strpbrk(rec[i].backup, "\t\n"))
			continue;
		/* absolute: undo may run from another directory */
		if (!realpath(rec[i].path, abs))
			snprintf(abs, sizeof(abs), "%s", rec[i].path);
		nfx_sha256_hex(rec[i].data, rec[i].len, hex);
		fprintf(f, "%s\t%zu\t%s\t%s\n", abs, rec[i].len, hex,
			rec[i].backup);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		fclose(f);
		unlink(tmp);
		return nfx_err_set(err, -EIO, "%s: cannot write", tmp);
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return nfx_err_set(err, -errno, "%s: %s", path, strerror(errno));
	}
	return 0;
}

static int slurp(const char *path, char **ret, size_t *ret_len)
{
	char *buf = NULL, *grown;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (64u << 20)) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = grown;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			free(buf);
			close(fd);
			return -errno;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

void nfx_undo_done(struct nfx_undo *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->nfiles; i++) {
		free(u->files[i].path);
		free(u->files[i].diff);
		free(u->files[i].backup);
	}
	free(u->diff);
	memset(u, 0, sizeof(*u));
}

struct entry {
	char path[PATH_MAX];
	size_t size;
	char hex[65];
	char backup[PATH_MAX];
	char *now, *then; /* the file now, and its backup */
	size_t now_len, then_len;
};

static int read_record(const char *backup_dir, struct entry *v, size_t max,
		       size_t *ret_n, struct nfx_err *err)
{
	char path[PATH_MAX], *text, *line, *save = NULL;
	size_t len, n = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/" RECORD, backup_dir);
	rc = slurp(path, &text, &len);
	if (rc == -ENOENT) {
		*ret_n = 0;
		return 0;
	}
	if (rc < 0)
		return nfx_err_set(err, rc, "%s: %s", path, strerror(-rc));
	if (strncmp(text, MAGIC, strlen(MAGIC))) {
		free(text);
		return nfx_err_set(err, -EINVAL, "%s: not a record of nicfix's", path);
	}
	for (line = strtok_r(text + strlen(MAGIC), "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *s2 = NULL;
		int k;

		f[0] = strtok_r(line, "\t", &s2);
		for (k = 1; k < 4; k++)
			f[k] = f[k - 1] ? strtok_r(NULL, "\t", &s2) : NULL;
		if (!f[3] || strlen(f[2]) != 64)
			continue;
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].path, sizeof(v[n].path), "%s", f[0]);
		v[n].size = strtoul(f[1], NULL, 10);
		snprintf(v[n].hex, sizeof(v[n].hex), "%s", f[2]);
		snprintf(v[n].backup, sizeof(v[n].backup), "%s", f[3]);
		n++;
	}
	free(text);
	*ret_n = n;
	return 0;
}

int nfx_undo(const struct nfx_cfgopts *o, unsigned int flags,
	     struct nfx_undo *ret, struct nfx_err *err)
{
	struct nfx_undo res = { 0 };
	struct nfx_lock lock = { -1, -1 };
	struct entry v[2];
	char dir[PATH_MAX], pending[PATH_MAX + 8], hex[65];
	size_t n = 0, i, len;
	int rc;

	snprintf(pending, sizeof(pending), "%s.new", o->path);
	if (!(flags & NFX_PERSIST_DRY_RUN)) {
		rc = nfx_lock_take(&lock, nfx_path_dir(o->path, dir, sizeof(dir)),
				   access(pending, F_OK) == 0, o->lock_timeout_ms, err);
		if (rc < 0)
			return rc;
	}
	rc = read_record(o->backup_dir, v, 2, &n, err);
	if (rc < 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct nfx_persist_file *pf = &res.files[res.nfiles];

		rc = slurp(v[i].path, &v[i].now, &v[i].now_len);
		if (rc == -ENOENT) {
			v[i].now = strdup("");
			v[i].now_len = 0;
			rc = v[i].now ? 0 : -ENOMEM;
		}
		if (rc == 0)
			rc = slurp(v[i].backup, &v[i].then, &v[i].then_len);
		if (rc < 0) {
			rc = nfx_err_set(err, rc, "%s: %s", rc == -ENOENT ? v[i].backup :
					 v[i].path, strerror(-rc));
			goto out;
		}
		nfx_sha256_hex(v[i].now, v[i].now_len, hex);
		if (v[i].now_len != v[i].size || strcmp(hex, v[i].hex))
			res.refused = true;
		pf->path = strdup(v[i].path);
		pf->pending = strlen(v[i].path) > 4 &&
			      !strcmp(v[i].path + strlen(v[i].path) - 4, ".new");
		pf->changed = v[i].now_len != v[i].then_len ||
			      memcmp(v[i].now, v[i].then, v[i].now_len);
		pf->diff = nfx_diff_unified(v[i].path, v[i].now, v[i].now_len,
					    v[i].then, v[i].then_len);
		res.nfiles++;
		if (!pf->path || !pf->diff) {
			rc = nfx_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		res.changed |= pf->changed;
	}
	for (len = 1, i = 0; i < res.nfiles; i++)
		len += strlen(res.files[i].diff);
	res.diff = malloc(len);
	if (!res.diff) {
		rc = nfx_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	res.diff[0] = '\0';
	for (i = 0; i < res.nfiles; i++)
		strcat(res.diff, res.files[i].diff);
	res.nothing = !n;
	if (!n || res.refused || (flags & NFX_PERSIST_DRY_RUN))
		goto done;
	for (i = 0; i < n; i++) {
		if (!res.files[i].changed)
			continue;
		rc = nfx_safefile_replace(v[i].path, v[i].then, v[i].then_len,
					  o->backup_dir, &res.files[i].backup, err);
		if (rc < 0)
			goto out;
	}
	/* done: a second undo has nothing to undo */
	{
		char rec[PATH_MAX];

		snprintf(rec, sizeof(rec), "%s/" RECORD, o->backup_dir);
		unlink(rec);
	}
done:
	*ret = res;
	memset(&res, 0, sizeof(res));
out:
	for (i = 0; i < n; i++) {
		free(v[i].now);
		free(v[i].then);
	}
	nfx_undo_done(&res);
	nfx_lock_release(&lock);
	return rc;
}
