/* path.h - file name helpers the core shares */
#ifndef NICFIX_PATH_H
#define NICFIX_PATH_H

#include <stddef.h>

/**
 * nfx_path_dir() - the directory part of @path, as dirname(3) without
 *	modifying its argument: "a/b" -> "a", "/b" -> "/", "b" -> "."
 * @buf: receives it, @len bytes (PATH_MAX is always enough for a path)
 * Return: @buf.
 */
char *nfx_path_dir(const char *path, char *buf, size_t len);

#endif
