/* cmd-check.c - nicfix check: is every NIC of a bridge covered, and live */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-format.h"
#include "cli.h"

#define MAX_HANGS 64

/* The NICs that hung in @d, with the bridge the live system puts them in. */
static size_t collect_hangs(struct cli *cli, struct nfx_diag *d, bool live_ok,
			    struct nfx_check_hang *h)
{
	struct nfx_live *live = NULL;
	size_t i, n = 0;

	if (live_ok && nfx_live_open(&live, cli->live_flags, NULL) < 0)
		live = NULL;
	for (i = 0; i < nfx_diag_count(d) && n < MAX_HANGS; i++) {
		const struct nfx_diag_event *ev = nfx_diag_event(d, i);
		struct nfx_diag_live dl;

		if (!nfx_diag_is_hang(ev) || !ev->ifname[0])
			continue;
		memset(&h[n], 0, sizeof(h[n]));
		snprintf(h[n].ifname, sizeof(h[n].ifname), "%s", ev->ifname);
		h[n].reports = ev->reports ? ev->reports : 1;
		if (live && nfx_diag_live_get(live, ev, &dl, NULL) == 0)
			memcpy(h[n].bridge, dl.bridge, sizeof(h[n].bridge));
		n++;
	}
	nfx_live_close(live);
	return n;
}

/* This boot's hangs: from --input FILE, or the host's log when live. */
static int read_hangs(struct cli *cli, const char *input, bool live_ok,
		      struct nfx_check_hang *h, size_t *ret_n)
{
	struct nfx_klog_opts ko;
	struct nfx_klog *kl = NULL;
	struct nfx_diag *d = NULL;
	struct nfx_err err = { 0 };
	unsigned long lines = 0;
	const char *src = NULL;
	int fd = -1, rc, status = EXIT_OK;

	*ret_n = 0;
	if (!input && !live_ok)
		return EXIT_OK;
	nfx_diag_clocks(&ko, !input);
	if (nfx_diag_new(NULL, &d, &err) < 0)
		return cli_error(cli, EXIT_SYSTEM, "%s", err.msg);
	if (input) {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			status = cli_error(cli, EXIT_USAGE, "--input: %s: %s", input,
					   strerror(errno));
			goto out_free;
		}
		rc = nfx_klog_open_fd(fd, &ko, &kl, &err);
		if (rc == 0)
			rc = nfx_diag_feed(d, kl, &lines, &err);
		nfx_klog_close(kl, NULL);
		close(fd);
		if (rc < 0) {
			status = cli_error(cli, rc == -EINVAL ? EXIT_USAGE : EXIT_SYSTEM,
					   "%s:%lu: %s", input, lines + 1, err.msg);
			goto out_free;
		}
	} else if (nfx_diag_read_host(d, NULL, &ko, &src, &lines, &err) < 0) {
		/* no log is no reason to give up on the configuration */
		cli_warn(cli, "this boot's hangs not known: %s", err.msg);
		goto out_free;
	}
	nfx_diag_finish(d);
	*ret_n = collect_hangs(cli, d, live_ok, h);
out_free:
	nfx_diag_free(d);
	return status;
}

/*
 * Renamed NICs (Proxmox VE 9 pinning): stale lines and missing NICs get
 * their new name; a line of the running file whose NIC is renamed at the
 * next boot is a warning (the pinning tool's interfaces.new names the NIC
 * anew, and persist rewrites its line there).
 */
static int check_renames(struct cli *cli, struct nfx_check *c,
			 struct nfx_live *live)
{
	struct nfx_pins *pins = NULL;
	struct nfx_err err = { 0 };
	struct nfx_rename rn;
	char why[400];
	size_t i, k;
	int rc;

	rc = nfx_pins_load(cli->cfg.root, &pins, &err);
	if (rc == 0)
		rc = nfx_check_renames(c, pins, live, &err);
	for (i = 0; rc == 0 && i < c->nlines; i++) {
		const struct nfx_check_line *l = &c->lines[i];

		for (k = 0; k < c->nfindings; k++)
			if (c->findings[k].file == l->file &&
			    c->findings[k].line == l->line &&
			    c->findings[k].new_name[0])
				break;
		if (l->native || !l->port[0] || k < c->nfindings ||
		    nfx_pins_follow(pins, live, l->port, &rn, NULL) != 1 ||
		    rn.how != NFX_RENAME_PENDING)
			continue;
		nfx_rename_why(&rn, why, sizeof(why));
		cli_warn(cli, "%s:%u: %s: %s, and this file still names %s",
			 l->file, l->line, l->stanza, why, l->port);
	}
	nfx_pins_free(pins);
	if (rc < 0)
		return cli_error(cli, cli_status(rc), "%s", err.msg);
	return EXIT_OK;
}

static bool port_has_findings(const struct nfx_check *c,
			      const struct nfx_check_port *p)
{
	size_t i;

	for (i = 0; i < c->nfindings; i++)
		if (!strcmp(c->findings[i].port, p->name) &&
		    !strcmp(c->findings[i].bridge, p->bridge))
			return true;
	return false;
}

static void render_text(struct cli *cli, const struct nfx_check *c, bool live)
{
	char names[NFX_CHECK_NAMES];
	size_t i, k, crit = 0;

	if (cli->verbose)
		printf("rules: %s%s\n", nfx_ifupdown_name(c->ifupdown),
		       c->ifupdown_found ? "" : " (none found: ifupdown's rules)");
	for (i = 0; i < c->nbridges; i++) {
		const struct nfx_check_bridge *b = &c->bridges[i];

		for (k = b->port; k < b->port + b->nports; k++) {
			const struct nfx_check_port *p = &c->ports[k];

			if (p->reapplied)
				printf("%s: %s: drift re-applied: %s\n", b->name, p->name,
				       nfx_check_names(c, p->reapplied, names,
						       sizeof(names)));
			if (port_has_findings(c, p))
				continue;
			if (p->not_nic[0]) {
				printf("%s: %s: not a NIC (live kind %s): nothing to fix\n",
				       b->name, p->name, p->not_nic);
				continue;
			}
			printf("%s: %s: ok: %s off%s\n", b->name, p->name,
			       nfx_check_names(c, p->covered, names, sizeof(names)),
			       live ? "" : " (config only)");
		}
		if (!b->nports)
			printf("%s: no NIC behind it\n", b->name);
	}
	for (i = 0; i < c->nfindings; i++) {
		const struct nfx_check_finding *f = &c->findings[i];

		crit += f->critical;
		if (f->file)
			printf("%s:%u: ", f->file, f->line);
		if (f->bridge[0])
			printf("%s: ", f->bridge);
		if (f->port[0] && strcmp(f->port, f->bridge))
			printf("%s: ", f->port);
		printf("%s%s%s\n", f->message, f->fix[0] ? "; run: " : "", f->fix);
	}
	if (!c->nbridges)
		printf("%s: nothing to check: no offload line, no bridge with a NIC, no hang\n",
		       cli->cfg.path);
	if (c->nfindings)
		printf("verdict: %zu finding%s%s\n", c->nfindings,
		       c->nfindings == 1 ? "" : "s", crit ? ", critical" : "");
	else
		printf("verdict: ok\n");
}

/* a space-separated list as a JSON array */
static void json_names(struct json *j, const char *key, const char *list)
{
	const char *p = list;

	json_arr_begin(j, key);
	while (*p) {
		size_t n = strcspn(p, " ");

		if (n)
			json_strn(j, NULL, p, n);
		p += n + (p[n] == ' ');
	}
	json_arr_end(j);
}

static void json_mask(struct json *j, const struct nfx_check *c, const char *key,
		      unsigned int mask)
{
	char names[NFX_CHECK_NAMES];

	json_names(j, key, nfx_check_names(c, mask, names, sizeof(names)));
}

static void render_json(struct cli *cli, const struct nfx_check *c, bool live,
			int status)
{
	struct json *j = &cli->j;
	size_t i, k;

	cli_json_begin(cli);
	json_bool(j, "live", live);
	json_str(j, "ifupdown", nfx_ifupdown_name(c->ifupdown));
	json_bool(j, "critical", nfx_check_critical(c));
	json_arr_begin(j, "bridges");
	for (i = 0; i < c->nbridges; i++) {
		const struct nfx_check_bridge *b = &c->bridges[i];

		json_obj_begin(j, NULL);
		json_str(j, "name", b->name);
		json_arr_begin(j, "ports");
		for (k = b->port; k < b->port + b->nports; k++) {
			const struct nfx_check_port *p = &c->ports[k];

			json_obj_begin(j, NULL);
			json_str(j, "name", p->name);
			json_mask(j, c, "covered", p->covered);
			json_mask(j, c, "missing", p->missing);
			json_mask(j, c, "drift", p->drift);
			json_mask(j, c, "reapplied", p->reapplied);
			json_int(j, "hangs", (long long)p->hangs);
			json_str(j, "not_nic", p->not_nic[0] ? p->not_nic : NULL);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr_begin(j, "findings");
	for (i = 0; i < c->nfindings; i++) {
		const struct nfx_check_finding *f = &c->findings[i];

		json_obj_begin(j, NULL);
		json_str(j, "kind", nfx_find_kind_name(f->kind));
		json_str(j, "severity", f->critical ? "critical" : "warning");
		json_str(j, "bridge", f->bridge[0] ? f->bridge : NULL);
		json_str(j, "port", f->port[0] ? f->port : NULL);
		json_names(j, "features", f->features);
		json_str(j, "file", f->file);
		if (f->file)
			json_int(j, "line", f->line);
		else
			json_null(j, "line");
		json_str(j, "message", f->message);
		json_str(j, "fix", f->fix[0] ? f->fix : NULL);
		json_str(j, "new_name", f->new_name[0] ? f->new_name : NULL);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr_begin(j, "lines");
	for (i = 0; i < c->nlines; i++) {
		const struct nfx_check_line *l = &c->lines[i];

		json_obj_begin(j, NULL);
		json_str(j, "file", l->file);
		json_int(j, "line", l->line);
		json_str(j, "bridge", l->stanza);
		json_str(j, "port", l->port[0] ? l->port : NULL);
		json_str(j, "text", l->text);
		json_names(j, "features", l->features);
		json_obj_end(j);
	}
	json_arr_end(j);
	cli_json_end(cli, status);
}

static int add_features(struct cli *cli, struct nfx_featreq **req,
			const char *list)
{
	struct nfx_featreq *more = NULL;
	struct nfx_err err = { 0 };
	size_t i;

	if (nfx_featreq_parse(list, &more, &err) < 0)
		return cli_error(cli, EXIT_USAGE, "-f: %s", err.msg);
	if (!*req) {
		*req = more;
		return EXIT_OK;
	}
	/* -f repeats and adds up: the new names after the old ones */
	for (i = 0; i < nfx_featreq_count(more); i++) {
		char buf[512];
		struct nfx_featreq *sum = NULL;
		size_t k, pos = 0;

		for (k = 0; k < nfx_featreq_count(*req) && pos < sizeof(buf); k++)
			pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%s,",
						nfx_featreq_name(*req, k));
		snprintf(buf + pos, sizeof(buf) - pos, "%s", nfx_featreq_name(more, i));
		if (nfx_featreq_parse(buf, &sum, &err) < 0) {
			nfx_featreq_free(more);
			return cli_error(cli, EXIT_USAGE, "-f: %s", err.msg);
		}
		nfx_featreq_free(*req);
		*req = sum;
	}
	nfx_featreq_free(more);
	return EXIT_OK;
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-live", no_argument, NULL, 'L' },
		{ "apply", no_argument, NULL, 'a' },
		{ "features", required_argument, NULL, 'f' },
		{ "input", required_argument, NULL, 'I' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int format = CHECK_FORMAT_TEXT;
	bool rendered = false;
	struct nfx_check_hang hangs[MAX_HANGS];
	struct nfx_check_opts co = { 0 };
	struct nfx_featreq *req = NULL;
	struct nfx_check c = { 0 };
	struct nfx_live *live = NULL;
	struct nfx_err err = { 0 };
	const char *input = NULL;
	bool no_live = false, apply = false;
	int opt, rc, status = EXIT_OK;

	while ((opt = cli_getopt(cli, argc, argv, "hf:", opts)) != -1) {
		switch (opt) {
		case 'L':
			no_live = true;
			break;
		case 'a':
			apply = true;
			break;
		case 'f':
			status = add_features(cli, &req, optarg);
			if (status)
				goto out_free;
			break;
		case 'I':
			input = optarg;
			break;
		case 'F':
			format = check_format_parse(optarg);
			if (format < 0 || (cli->json && format != CHECK_FORMAT_TEXT)) {
				cli_error(cli, EXIT_USAGE, format < 0 ?
					  "check: --format: text, nagios or checkmk" :
					  "check: --format and --json: choose one");
				format = CHECK_FORMAT_TEXT;
				status = cli_usage(cli, true);
				goto out_free;
			}
			break;
		case 'h':
			return cli_usage(cli, false);
		default:
			status = cli_usage(cli, true);
			goto out_free;
		}
	}
	if (no_live && apply) {
		cli_error(cli, EXIT_USAGE, "check: --apply needs the live state");
		status = cli_usage(cli, true);
		goto out_free;
	}
	argc -= optind;
	argv += optind;
	status = cli_check_ifnames(cli, argc, argv);
	if (status)
		goto out_free;
	if (!req && nfx_featreq_default(&req, &err) < 0) {
		status = cli_error(cli, EXIT_SYSTEM, "%s", err.msg);
		goto out_free;
	}
	co.bridges = (const char *const *)argv;
	co.nbridges = (size_t)argc;
	co.req = req;
	co.hangs = hangs;
	status = read_hangs(cli, input, !no_live, hangs, &co.nhangs);
	if (status)
		goto out_free;
	rc = nfx_check_config(&cli->cfg, &co, &c, &err);
	if (rc < 0) {
		status = cli_error(cli, cli_status(rc), "%s", err.msg);
		goto out_free;
	}
	if (!no_live && c.nports) {
		status = cli_live_open(cli, &live);
		if (status)
			goto out_free;
		rc = nfx_check_live(&c, live, apply, &err);
		if (rc < 0) {
			status = cli_error(cli, cli_status(rc), "%s", err.msg);
			goto out_free;
		}
	}
	if (live) {
		status = check_renames(cli, &c, live);
		if (status)
			goto out_free;
	}
	status = c.nfindings ? EXIT_FINDING : EXIT_OK;
	rendered = true;
	if (format == CHECK_FORMAT_NAGIOS)
		status = check_render_nagios(stdout, &c, !no_live, NULL);
	else if (format == CHECK_FORMAT_CHECKMK)
		check_render_checkmk(stdout, &c, !no_live, NULL);
	else if (cli->json)
		render_json(cli, &c, !no_live, status);
	else if (!cli->quiet || c.nfindings)
		render_text(cli, &c, !no_live);
out_free:
	/* a monitoring system reads stdout: it says UNKNOWN, not nothing */
	if (!rendered && format == CHECK_FORMAT_NAGIOS)
		status = check_render_nagios(stdout, NULL, false, cli->error);
	else if (!rendered && format == CHECK_FORMAT_CHECKMK)
		check_render_checkmk(stdout, NULL, false, cli->error);
	nfx_live_close(live);
	nfx_check_done(&c);
	nfx_featreq_free(req);
	return status;
}
