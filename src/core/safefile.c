/* safefile.c - lock, back up and atomically replace a configuration file */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "path.h"
#include "safefile.h"

static int flock_wait(int fd, int timeout_ms)
{
	const struct timespec step = { 0, 20 * 1000 * 1000 };
	int waited = 0;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		nanosleep(&step, NULL);
		waited += 20;
	}
}

int nfx_lock_take(struct nfx_lock *lock, const char *dir, bool create_pve,
		  int timeout_ms, struct nfx_err *err)
{
	char pve[PATH_MAX + 32], abs[PATH_MAX];
	const char *held;
	int ret;

	lock->dirfd = lock->pvefd = -1;
	if (!realpath(dir, abs))
		snprintf(abs, sizeof(abs), "%s", dir);
	held = abs;
	lock->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock->dirfd < 0)
		return nfx_err_set(err, -errno, "%s: %s", abs, strerror(errno));
	ret = flock_wait(lock->dirfd, timeout_ms);
	if (ret < 0)
		goto out_fail;
	/* pve-common's lock for the same file: the GUI and pvesh hold it;
	 * with pending GUI changes it is taken even when it is not there
	 * yet, as pve-common creates it (opened for append)
	 */
	snprintf(pve, sizeof(pve), "%s/.pve-interfaces.lock", abs);
	lock->pvefd = open(pve, O_RDWR | O_CLOEXEC | O_NOFOLLOW |
				(create_pve ? O_CREAT | O_APPEND : 0), 0644);
	if (lock->pvefd >= 0) {
		held = pve;
		ret = flock_wait(lock->pvefd, timeout_ms);
		if (ret < 0)
			goto out_fail;
	} else if (create_pve) {
		ret = -errno;
		held = pve;
		goto out_fail;
	}
	return 0;

out_fail:
	nfx_lock_release(lock);
	if (ret == -ETIMEDOUT)
		return nfx_err_set(err, ret,
				   "%s: another process holds the lock (waited %d ms)%s",
				   held, timeout_ms,
				   held == abs ? "" : " (Proxmox VE's lock)");
	return nfx_err_set(err, ret, "%s: cannot lock: %s", held, strerror(-ret));
}

void nfx_lock_release(struct nfx_lock *lock)
{
	if (lock->pvefd >= 0)
		close(lock->pvefd);
	if (lock->dirfd >= 0)
		close(lock->dirfd);
	lock->pvefd = lock->dirfd = -1;
}

int nfx_write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new file in @dir for data that must appear whole or not at all:
 * anonymous (O_TMPFILE) when the file system allows, else named
 * "DIR/.BASE.nicfix-XXXXXX" in @tmp.  A writer killed before it gives
 * an anonymous file a name leaves nothing behind.
 */
static int tmp_open(const char *dir, const char *base, char *tmp, size_t len,
		    bool *anon)
{
	int fd = -1;

	/* naming it later goes through /proc */
	if (access("/proc/self/fd", X_OK) == 0)
		fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	*anon = fd >= 0;
	if (fd >= 0)
		return fd;
	snprintf(tmp, len, "%s/.%s.nicfix-XXXXXX", dir, base);
	fd = mkostemp(tmp, O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Give the file of tmp_open() the name @dst; never replaces a file. */
static int tmp_link(int fd, bool anon, const char *tmp, const char *dst)
{
	char proc[64];

	if (!anon)
		return link(tmp, dst) < 0 ? -errno : 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, dst, AT_SYMLINK_FOLLOW) < 0 ?
		       -errno : 0;
}

/* Remove the temporary files of writers that were killed: only a writer
 * holding the lock creates one, so any found by the lock holder is stale.
 */
static void remove_stale(const char *dir, const char *base)
{
	char prefix[NAME_MAX + 16];
	struct dirent *de;
	size_t n;
	DIR *d;

	n = (size_t)snprintf(prefix, sizeof(prefix), ".%s.nicfix-", base);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, n))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* Copy @src into @out. */
static int copy_fd(const char *src, int out)
{
	char buf[65536];
	int in, ret = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		ret = nfx_write_all(out, buf, (size_t)n);
		if (ret < 0)
			break;
	}
	if (!ret && fsync(out) < 0)
		ret = -errno;
	close(in);
	return ret;
}

/* mkdir -p: /var/backups/nicfix under --root DIR may lack its parents */
static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX], *p;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* "NAME.YYYYmmddTHHMMSS.N": the stamp and N of a backup of NAME */
static bool backup_key(const char *ent, const char *name, char *stamp,
		       unsigned long *seq)
{
	size_t nlen = strlen(name);
	const char *p = ent + nlen + 1;
	char *end;

	if (strncmp(ent, name, nlen) || ent[nlen] != '.' || strlen(p) < 17 ||
	    p[8] != 'T' || p[15] != '.' || !p[16])
		return false;
	memcpy(stamp, p, 15);
	stamp[15] = '\0';
	*seq = strtoul(p + 16, &end, 10);
	return !*end && strspn(stamp, "0123456789T") == 15;
}

/* Keep the newest NFX_BACKUPS_KEPT backups of NAME; best effort. */
static void prune(const char *backup_dir, const char *name)
{
	struct {
		char stamp[16];
		unsigned long seq;
		char ent[NAME_MAX + 1];
	} *v = NULL, *grown, tmp;
	size_t n = 0, i, j;
	struct dirent *d;
	DIR *dp = opendir(backup_dir);

	if (!dp)
		return;
	while ((d = readdir(dp))) {
		char stamp[16];
		unsigned long seq;

		if (!backup_key(d->d_name, name, stamp, &seq))
			continue;
		grown = realloc(v, (n + 1) * sizeof(*v));
		if (!grown)
			break;
		v = grown;
		memcpy(v[n].stamp, stamp, sizeof(stamp));
		v[n].seq = seq;
		snprintf(v[n].ent, sizeof(v[n].ent), "%s", d->d_name);
		n++;
	}
	closedir(dp);
	/* oldest first: by stamp, then by sequence (not as text: 10 > 9) */
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			int c = strcmp(v[j - 1].stamp, v[j].stamp);

			if (c < 0 || (c == 0 && v[j - 1].seq <= v[j].seq))
				break;
			tmp = v[j - 1];
			v[j - 1] = v[j];
			v[j] = tmp;
		}
	for (i = 0; i + NFX_BACKUPS_KEPT < n; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", backup_dir, v[i].ent);
		unlink(path);
	}
	free(v);
}

static int backup(const char *target, const char *backup_dir,
		  char **ret_backup, struct nfx_err *err)
{
	char name[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	bool anon;
	size_t i;
	int fd, ret;

	if (mkdir_p(backup_dir) < 0)
		return nfx_err_set(err, -errno, "%s: cannot create: %s",
				   backup_dir, strerror(errno));
	/* /etc/network/interfaces -> etc_network_interfaces */
	snprintf(name, sizeof(name), "%s", target[0] == '/' ? target + 1 : target);
	for (i = 0; name[i]; i++)
		if (name[i] == '/')
			name[i] = '_';
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	/* written whole, then named: a killed writer leaves no partial
	 * backup that someone could later restore
	 */
	fd = tmp_open(backup_dir, name, tmp, sizeof(tmp), &anon);
	ret = fd < 0 ? fd : copy_fd(target, fd);
	for (i = 0; !ret && i < 100; i++) {
		int n = snprintf(path, sizeof(path), "%s/%s.%s.%zu", backup_dir,
				 name, stamp, i);

		if (n < 0 || (size_t)n >= sizeof(path)) {
			ret = -ENAMETOOLONG;
			break;
		}
		ret = tmp_link(fd, anon, tmp, path);
		if (ret != -EEXIST)
			break;
		ret = i == 99 ? -EEXIST : 0;
	}
	if (fd >= 0) {
		close(fd);
		if (!anon)
			unlink(tmp);
	}
	if (ret < 0)
		return nfx_err_set(err, ret, "%s: cannot back up to %s: %s",
				   target, backup_dir, strerror(-ret));
	prune(backup_dir, name);
	if (ret_backup) {
		*ret_backup = strdup(path);
		if (!*ret_backup)
			return nfx_err_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

int nfx_safefile_replace(const char *path, const char *data, size_t len,
			 const char *backup_dir, char **ret_backup,
			 struct nfx_err *err)
{
	char target[PATH_MAX], tmp[PATH_MAX + 32], dir[PATH_MAX];
	const char *base;
	struct stat sb;
	bool anon, named;
	int fd, dfd, ret;

	if (!realpath(path, target))
		return nfx_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (stat(target, &sb) < 0)
		return nfx_err_set(err, -errno, "%s: %s", target, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return nfx_err_set(err, -EINVAL, "%s: not a regular file", target);
	/* realpath() made it absolute: there is a slash */
	nfx_path_dir(target, dir, sizeof(dir));
	base = strrchr(target, '/') + 1;
	if (backup_dir) {
		ret = backup(target, backup_dir, ret_backup, err);
		if (ret < 0)
			return ret;
	}
	remove_stale(dir, base);
	/* a dot name: neither "source dir/ *" nor source-directory reads it */
	fd = tmp_open(dir, base, tmp, sizeof(tmp), &anon);
	if (fd < 0)
		return nfx_err_set(err, fd, "%s: cannot write: a temporary file in %s: %s",
				   target, dir, strerror(-fd));
	named = !anon;
	ret = nfx_write_all(fd, data, len);
	if (!ret && fchown(fd, sb.st_uid, sb.st_gid) < 0)
		ret = -errno;
	if (!ret && fchmod(fd, sb.st_mode & 07777) < 0)
		ret = -errno;
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (!ret && anon) {
		/* the name rename() needs; one killed here is stale for
		 * the next writer's remove_stale()
		 */
		snprintf(tmp, sizeof(tmp), "%s/.%s.nicfix-%ld", dir, base,
			 (long)getpid());
		ret = tmp_link(fd, anon, NULL, tmp);
		named = !ret;
	}
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, target) < 0)
		ret = -errno;
	if (ret < 0) {
		if (named)
			unlink(tmp);
		return nfx_err_set(err, ret, "%s: cannot write: %s", target,
				   strerror(-ret));
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
