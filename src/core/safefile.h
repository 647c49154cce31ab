/* safefile.h - lock, back up and atomically replace a configuration file */
#ifndef NICFIX_SAFEFILE_H
#define NICFIX_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "nicfix.h"

/**
 * nfx_write_all() - write all @len bytes of @data to @fd: short writes
 * continued, EINTR retried.  Return: 0 or -errno.
 */
int nfx_write_all(int fd, const char *data, size_t len);

/**
 * struct nfx_lock - the locks held while editing
 * @dirfd: the configuration directory, flock()ed: its inode does not
 *	change when a file in it is replaced, and no lock file is left in
 *	a directory that ifupdown may source
 * @pvefd: Proxmox's .pve-interfaces.lock in that directory, when it exists
 */
struct nfx_lock {
	int dirfd;
	int pvefd;
};

/* backups kept per file (DESIGN.md) */
#define NFX_BACKUPS_KEPT 10

/**
 * nfx_lock_take() - take the configuration lock for @dir
 * @create_pve: create Proxmox VE's lock file if missing (pending GUI
 *	changes: the file is Proxmox's); else it is taken when it exists
 * @timeout_ms: how long to wait for another writer
 * Return: 0, -ETIMEDOUT naming the lock file held and the waiting time,
 * or -errno.
 */
int nfx_lock_take(struct nfx_lock *lock, const char *dir, bool create_pve,
		  int timeout_ms, struct nfx_err *err);

/** nfx_lock_release() - release both locks; a zeroed-out lock is fine */
void nfx_lock_release(struct nfx_lock *lock);

/**
 * nfx_safefile_replace() - replace @path with @data, atomically
 * @path: the file; a symlink is followed and its target replaced
 * @backup_dir: the previous version is copied there first (created if
 *	missing); never beside the file, where "source dir/ *" would read it
 * @ret_backup: if not NULL, receives the backup's path (malloc'd)
 *
 * A temporary file in the target's directory (anonymous, O_TMPFILE, where
 * the file system allows; else dot-named: no run-parts or glob pattern
 * matches it) gets the data, the owner and the mode of the original, is
 * fsync()ed, named and renamed over it, and the directory is fsync()ed.
 * On any failure the original is untouched and the temporary file
 * removed.  The caller holds the lock: temporary files of killed writers
 * found beside the target are removed first.  The backup, too, is
 * written whole before it gets its name; of the backups of one file, the
 * newest NFX_BACKUPS_KEPT are kept.
 *
 * Return: 0 or -errno.
 */
int nfx_safefile_replace(const char *path, const char *data, size_t len,
			 const char *backup_dir, char **ret_backup,
			 struct nfx_err *err);

#endif
