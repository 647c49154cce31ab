/* check-format.c - nicfix check --format nagios|checkmk: the check's
 * results (struct nfx_check, data first) as a Nagios/Icinga plugin line and
 * as Checkmk local-check lines, so existing monitoring needs no glue
 *
 * Nagios: one line "NICFIX STATE - text | 'label'=value;warn;crit;min;max"
 * and the plugin exit codes 0 OK, 1 WARNING, 2 CRITICAL (a NIC that hung
 * this boot with its offloads still on), 3 UNKNOWN (check could not run).
 * Checkmk: "STATUS "Service name" metrics text", one service per NIC, and
 * one for what concerns no NIC.
 */
#include <stdio.h>
#include <string.h>

#include "check-format.h"

static const char *const nagios_state[] = { "OK", "WARNING", "CRITICAL",
					    "UNKNOWN" };

int check_format_parse(const char *name)
{
	if (!strcmp(name, "text"))
		return CHECK_FORMAT_TEXT;
	if (!strcmp(name, "nagios"))
		return CHECK_FORMAT_NAGIOS;
	if (!strcmp(name, "checkmk"))
		return CHECK_FORMAT_CHECKMK;
	return -1;
}

/* the number of features in @mask */
static unsigned int bits(unsigned int mask)
{
	return (unsigned int)__builtin_popcount(mask);
}

/* 2 critical, 1 warning, 0 none: the findings that concern @port ("":
 * those that concern no NIC) */
static int port_state(const struct nfx_check *c, const char *port,
		      const struct nfx_check_finding **ret_first,
		      size_t *ret_n)
{
	int state = 0;
	size_t i;

	*ret_first = NULL;
	*ret_n = 0;
	for (i = 0; i < c->nfindings; i++) {
		const struct nfx_check_finding *f = &c->findings[i];
		int s = f->critical ? 2 : 1;

		if (strcmp(f->port, port))
			continue;
		if (!*ret_first || s > state)
			*ret_first = f;
		if (s > state)
			state = s;
		(*ret_n)++;
	}
	return state;
}

/* one finding as a line of text: "vmbr0: eno1: what (file:line); run: fix" */
static void finding_text(char *buf, size_t size,
			 const struct nfx_check_finding *f)
{
	size_t n = 0;

	buf[0] = '\0';
	if (f->bridge[0])
		n += (size_t)snprintf(buf + n, size - n, "%s: ", f->bridge);
	if (n < size && f->port[0] && strcmp(f->port, f->bridge))
		n += (size_t)snprintf(buf + n, size - n, "%s: ", f->port);
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, "%s", f->message);
	if (n < size && f->file)
		n += (size_t)snprintf(buf + n, size - n, " (%s:%u)", f->file,
				      f->line);
	if (n < size && f->fix[0])
		snprintf(buf + n, size - n, "; run: %s", f->fix);
}

/* the plugin output may not hold '|' outside the perfdata */
static void no_pipes(char *s)
{
	for (; *s; s++)
		if (*s == '|')
			*s = '/';
}

struct totals {
	unsigned int nics, covered, missing, drift, reapplied;
	unsigned long hangs;
	size_t critical;
};

static void count(const struct nfx_check *c, struct totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < c->nports; i++) {
		const struct nfx_check_port *p = &c->ports[i];

		if (p->not_nic[0])
			continue;
		t->nics++;
		if (!p->missing)
			t->covered++;
		t->missing += p->missing != 0;
		t->drift += p->drift != 0;
		t->reapplied += p->reapplied != 0;
		t->hangs += p->hangs;
	}
	for (i = 0; i < c->nfindings; i++)
		t->critical += c->findings[i].critical;
}

int check_render_nagios(FILE *out, const struct nfx_check *c, bool live,
			const char *error)
{
	const struct nfx_check_finding *first = NULL;
	char text[1024];
	struct totals t;
	int state = 0;
	size_t i;

	if (error) {
		snprintf(text, sizeof(text), "%s", error);
		no_pipes(text);
		fprintf(out, "NICFIX UNKNOWN - check could not run: %s\n", text);
		return 3;
	}
	count(c, &t);
	for (i = 0; i < c->nfindings; i++) {
		const struct nfx_check_finding *f = &c->findings[i];
		int s = f->critical ? 2 : 1;

		if (s > state || !first)
			first = s >= state ? f : first;
		if (s > state)
			state = s;
	}
	if (first) {
		finding_text(text, sizeof(text), first);
		if (c->nfindings > 1) {
			size_t l = strlen(text);

			snprintf(text + l, sizeof(text) - l, " (and %zu more finding%s)",
				 c->nfindings - 1, c->nfindings == 2 ? "" : "s");
		}
	} else if (!c->nbridges) {
		snprintf(text, sizeof(text),
			 "nothing to check: no offload line, no bridge with a NIC, "
			 "no hang");
	} else {
		snprintf(text, sizeof(text), "%u NIC%s covered%s in %zu bridge%s",
			 t.nics, t.nics == 1 ? "" : "s",
			 live ? ", offloads off live" : " (config only)",
			 c->nbridges, c->nbridges == 1 ? "" : "s");
	}
	no_pipes(text);
	fprintf(out,
		"NICFIX %s - %s | nics=%u;;;0 covered=%u;;;0 missing=%u;1;;0 "
		"drift=%u;1;;0 findings=%zu;1;;0 critical=%zu;;1;0 hangs=%lu;;;0\n",
		nagios_state[state], text, t.nics, t.covered, t.missing, t.drift,
		c->nfindings, t.critical, t.hangs);
	return state;
}

/* Checkmk's service names: no blanks needed, but no quote either */
static void service(FILE *out, int state, const char *name,
		    const struct nfx_check *c, const struct nfx_check_port *p,
		    const char *text)
{
	char clean[1024];
	size_t k;

	snprintf(clean, sizeof(clean), "%s", text);
	for (k = 0; clean[k]; k++)
		if (clean[k] == '\n')
			clean[k] = ' ';
	fprintf(out, "%d \"nicfix %s\" ", state, name);
	if (p)
		fprintf(out, "missing=%u;1|drift=%u;1|hangs=%lu", bits(p->missing),
			bits(p->drift), p->hangs);
	else
		fprintf(out, "findings=%zu;1", c->nfindings);
	fprintf(out, " %s\n", clean);
}

int check_render_checkmk(FILE *out, const struct nfx_check *c, bool live,
			 const char *error)
{
	const struct nfx_check_finding *f;
	char text[1024], names[NFX_CHECK_NAMES];
	size_t i, n, k;
	int state, worst = 0;

	if (error) {
		fprintf(out, "3 \"nicfix\" - check could not run: %s\n", error);
		return 3;
	}
	for (i = 0; i < c->nbridges; i++) {
		const struct nfx_check_bridge *b = &c->bridges[i];

		for (k = b->port; k < b->port + b->nports; k++) {
			const struct nfx_check_port *p = &c->ports[k];

			state = port_state(c, p->name, &f, &n);
			if (f) {
				finding_text(text, sizeof(text), f);
				if (n > 1) {
					size_t l = strlen(text);

					snprintf(text + l, sizeof(text) - l,
						 " (and %zu more)", n - 1);
				}
			} else if (p->not_nic[0]) {
				snprintf(text, sizeof(text), "%s: a %s, no NIC: "
					 "nothing to turn off", b->name, p->not_nic);
			} else {
				snprintf(text, sizeof(text), "%s: %s off%s%s",
					 b->name,
					 nfx_check_names(c, p->covered, names,
							 sizeof(names)),
					 live ? "" : " (config only)",
					 p->hangs ? ", hung this boot" : "");
			}
			service(out, state, p->name, c, p, text);
			if (state > worst)
				worst = state;
		}
	}
	/* what concerns no NIC: a stanza, a malformed line */
	state = port_state(c, "", &f, &n);
	if (f || !c->nports) {
		if (f)
			finding_text(text, sizeof(text), f);
		else
			snprintf(text, sizeof(text),
				 "nothing to check: no offload line, no bridge "
				 "with a NIC, no hang");
		service(out, state, "config", c, NULL, text);
		if (state > worst)
			worst = state;
	}
	return worst;
}
