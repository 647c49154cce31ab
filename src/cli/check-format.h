/* check-format.h - check's results for monitoring systems (check-format.c) */
#ifndef NICFIX_CHECK_FORMAT_H
#define NICFIX_CHECK_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "nicfix.h"

enum {
	CHECK_FORMAT_TEXT,
	CHECK_FORMAT_NAGIOS,  /* a Nagios/Icinga plugin line */
	CHECK_FORMAT_CHECKMK, /* Checkmk local-check lines */
};

/**
 * check_format_parse() - "text", "nagios" or "checkmk"
 * Return: CHECK_FORMAT_*, or -1 for another name.
 */
int check_format_parse(const char *name);

/**
 * check_render_nagios() - one plugin line with perfdata
 * @out: where to print
 * @c: the results (ignored with @error)
 * @live: the live state was read
 * @error: why check could not run, or NULL
 * Return: the plugin's exit code: 0 OK (no finding), 1 WARNING (a
 *	finding), 2 CRITICAL (a NIC that hung this boot with its offloads
 *	still on), 3 UNKNOWN (@error).
 */
int check_render_nagios(FILE *out, const struct nfx_check *c, bool live,
			const char *error);

/**
 * check_render_checkmk() - Checkmk local-check lines: one service
 *	"nicfix PORT" per NIC, "nicfix config" for findings of no NIC
 * Return: the worst service state (0-3), as for check_render_nagios().
 */
int check_render_checkmk(FILE *out, const struct nfx_check *c, bool live,
			 const char *error);

#endif
