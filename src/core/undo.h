/* undo.h - the record of nicfix's last edit, and putting it back */
#ifndef NICFIX_UNDO_H
#define NICFIX_UNDO_H

#include <stddef.h>

#include "nicfix.h"

/**
 * struct nfx_undo_rec - one file of an edit
 * @path: the file written
 * @data: the version written, @len bytes
 * @backup: the backup of the version before it
 */
struct nfx_undo_rec {
	const char *path;
	const char *data;
	size_t len;
	const char *backup;
};

/**
 * nfx_undo_record() - note an edit in @backup_dir/.last-edit
 *
 * For each file its path, the size and SHA-256 of the version written
 * and its backup, replacing the record of the edit before: undo restores
 * the last edit only, and only while the files are unchanged since.
 *
 * Return: 0 or -errno.
 */
int nfx_undo_record(const char *backup_dir, const struct nfx_undo_rec *rec,
		    size_t n, struct nfx_err *err);

/**
 * nfx_sha256_hex() - the SHA-256 of @data, as 64 hex digits and a NUL
 */
void nfx_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
