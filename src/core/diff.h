/* diff.h - a unified diff of two texts that differ in one region */
#ifndef NICFIX_DIFF_H
#define NICFIX_DIFF_H

#include <stddef.h>

/**
 * nfx_diff_unified() - "diff -u" of @a and @b, as one hunk
 * @name: the file name shown on the ---/+++ lines
 * Return: malloc'd text, "" when equal, or NULL when out of memory.
 *
 * persist edits one stanza, so the change is one region: the hunk spans
 * from the first to the last differing line with three lines of context.
 */
char *nfx_diff_unified(const char *name, const char *a, size_t alen,
		       const char *b, size_t blen);

#endif
