/* cmd-persist.c - nicfix persist / unpersist: edit the bridge stanza */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *file_of(const struct nfx_persist *p,
			   const struct nfx_persist_port *pp)
{
	return pp->file < p->nfiles ? p->files[pp->file].path : p->file;
}

static void print_text(struct cli *cli, const char *iface,
		       const struct nfx_persist *p, bool dry_run)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct nfx_persist_port *pp = &p->ports[i];

		/* a line of this port that the Proxmox GUI would lose */
		if (pp->risk_line)
			cli_warn(cli, "%s:%u: %s: an offload line of %s is left where it is at risk: %s",
				 p->file, pp->risk_line, iface, pp->port, pp->risk);
	}
	if (cli->quiet)
		return;
	if (dry_run && p->changed) {
		fputs(p->diff, stdout);
		return;
	}
	for (i = 0; i < p->n; i++) {
		const struct nfx_persist_port *pp = &p->ports[i];
		unsigned int line = pp->lineno ? pp->lineno : p->lineno;

		if (pp->action == NFX_ACT_ABSENT)
			printf("%s:%u: %s: %s: no offload line to remove: unchanged\n",
			       p->file, p->lineno, iface, pp->port);
		else if (pp->action == NFX_ACT_UNCHANGED)
			printf("%s:%u: %s: %s: unchanged: %s\n", file_of(p, pp),
			       line, iface, pp->port, pp->line);
		else if (pp->action == NFX_ACT_RENAMED)
			printf("%s:%u: %s: %s: renamed from %s: post-up %s\n",
			       file_of(p, pp), line, iface, pp->port, pp->from,
			       pp->line);
		else
			printf("%s:%u: %s: %s: %s: post-up %s\n", file_of(p, pp),
			       line, iface, pp->port, nfx_action_name(pp->action),
			       pp->line);
	}
	for (i = 0; i < p->nfiles; i++) {
		printf("%s: %s%s\n", p->files[i].path,
		       p->files[i].changed ? "changed" : "unchanged",
		       p->files[i].pending ? " (pending Proxmox VE changes, edited alike)" : "");
		if (p->files[i].backup && cli->verbose)
			printf("%s: backup in %s\n", p->files[i].path,
			       p->files[i].backup);
	}
	if (dry_run)
		printf("dry run: nothing to do\n");
}

static void print_json(struct cli *cli, const char *iface,
		       const struct nfx_persist *p,
		       const struct nfx_featreq *req, bool dry_run)
{
	struct json *j = &cli->j;
	size_t i, k;

	json_str(j, "bridge", iface);
	json_bool(j, "dry_run", dry_run);
	json_bool(j, "changed", p->changed);
	json_arr_begin(j, "files");
	for (i = 0; i < p->nfiles; i++) {
		json_obj_begin(j, NULL);
		json_str(j, "path", p->files[i].path);
		json_bool(j, "pending", p->files[i].pending);
		json_bool(j, "changed", p->files[i].changed);
		json_str(j, "backup", p->files[i].backup);
		json_str(j, "diff", p->files[i].diff);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr_begin(j, "ports");
	for (i = 0; i < p->n; i++) {
		const struct nfx_persist_port *pp = &p->ports[i];

		json_obj_begin(j, NULL);
		json_str(j, "port", pp->port);
		json_str(j, "action", nfx_action_name(pp->action));
		json_str(j, "from", pp->from[0] ? pp->from : NULL);
		json_str(j, "file", pp->action == NFX_ACT_ABSENT ? NULL : file_of(p, pp));
		if (pp->lineno)
			json_int(j, "line", pp->lineno);
		else
			json_null(j, "line");
		json_str(j, "text", pp->line[0] ? pp->line : NULL);
		json_arr_begin(j, "features");
		for (k = 0; k < nfx_featreq_count(req); k++)
			json_str(j, NULL, nfx_featreq_name(req, k));
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* A kernel feature name is checked against the running kernel's list:
 * offline, "bogus" looks as valid as "tx-udp_tnl-segmentation", and the
 * line would make ethtool fail at every ifup, hidden by "|| true".
 */
static int check_features(struct cli *cli, const struct nfx_featreq *req)
{
	struct nfx_live *live = NULL;
	struct nfx_err err = { 0 };
	size_t i;
	int ret, status = 0;

	for (i = 0; i < nfx_featreq_count(req); i++) {
		const char *name = nfx_featreq_name(req, i);

		if (nfx_feat_is_short(name))
			continue;
		if (!live) {
			status = cli_live_open(cli, &live);
			if (status)
				break;
		}
		ret = nfx_live_feature_known(live, name, &err);
		if (ret == -EOPNOTSUPP)
			break; /* no list without a device: as ethtool would */
		if (ret < 0) {
			status = cli_error(cli, EXIT_SYSTEM, "%s", err.msg);
			break;
		}
		if (!ret) {
			status = cli_error(cli, EXIT_USAGE,
					   "unknown feature '%s' (valid short names: %s; or a kernel name such as tx-tcp-segmentation)",
					   name, nfx_feat_short_names());
			break;
		}
	}
	nfx_live_close(live);
	return status;
}

/*
 * add_features() - append the -f list @arg to @list: repeated -f add up,
 * and blanks around the commas are dropped ("tso, gso")
 * Return: 0, or -ENOMEM.
 */
static int add_features(char **list, const char *arg)
{
	size_t old = *list ? strlen(*list) : 0;
	char *grown = realloc(*list, old + strlen(arg) + 2), *out;
	const char *p;

	if (!grown)
		return -ENOMEM;
	*list = grown;
	out = grown + old;
	if (old)
		*out++ = ',';
	for (p = arg; *p; p++) {
		if ((*p == ' ' || *p == '\t') &&
		    (out == grown || out[-1] == ',' || p[strspn(p, " \t")] == ',' ||
		     !p[strspn(p, " \t")]))
			continue;
		*out++ = *p;
	}
	*out = '\0';
	return 0;
}

int cmd_persist(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "features", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "apply", no_argument, NULL, 'a' },
		{ "allow-conflict", no_argument, NULL, 'C' },
		{ "allow-not-behind", no_argument, NULL, 'B' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool remove = !strcmp(cli->cmd, "unpersist");
	struct nfx_persist res = { 0 };
	struct nfx_featreq *req = NULL;
	struct nfx_err err = { 0 };
	char *features = NULL;
	unsigned int flags = 0;
	bool apply = false, dry_run;
	int opt, n, ret, status;

	while ((opt = cli_getopt(cli, argc, argv, "f:nh", opts)) != -1) {
		switch (opt) {
		case 'f':
			if (add_features(&features, optarg) < 0) {
				free(features);
				return cli_error(cli, EXIT_SYSTEM, "out of memory");
			}
			break;
		case 'n':
			flags |= NFX_PERSIST_DRY_RUN;
			break;
		case 'a':
			apply = true;
			break;
		case 'C':
			flags |= NFX_PERSIST_ALLOW_CONFLICT;
			break;
		case 'B':
			flags |= NFX_PERSIST_ALLOW_NOT_BEHIND;
			break;
		case 'F':
			free(features);
			cli_error(cli, EXIT_USAGE,
				  "--force is gone: each refusal names its own override (--allow-conflict, --allow-not-behind)");
			return cli_usage(cli, true);
		case 'h':
			free(features);
			return cli_usage(cli, false);
		default:
			free(features);
			return cli_usage(cli, true);
		}
	}
	dry_run = flags & NFX_PERSIST_DRY_RUN;
	if (remove && (apply || (flags & NFX_PERSIST_ALLOW_CONFLICT))) {
		free(features);
		cli_error(cli, EXIT_USAGE, "unpersist takes no --apply or --allow-conflict");
		return cli_usage(cli, true);
	}
	n = argc - optind;
	if (n < 1) {
		free(features);
		cli_error(cli, EXIT_USAGE, "%s: no bridge given", cli->cmd);
		return cli_usage(cli, true);
	}
	argv += optind;
	status = cli_check_ifnames(cli, n, argv);
	if (status) {
		free(features);
		return status;
	}
	if (remove)
		flags |= NFX_PERSIST_REMOVE;
	ret = features ? nfx_featreq_parse(features, &req, &err) :
			 nfx_featreq_default(&req, &err);
	free(features);
	if (ret < 0)
		return cli_error(cli, cli_status(ret), "%s", err.msg);
	status = check_features(cli, req);
	if (status)
		goto out_free;
	ret = nfx_persist(&cli->cfg, argv[0], (const char *const *)argv + 1,
			  (size_t)n - 1, req, flags, &res, &err);
	if (ret < 0) {
		status = cli_error(cli, cli_status(ret), "%s", err.msg);
		goto out_free;
	}
	if (cli->json) {
		cli_json_begin(cli);
		print_json(cli, argv[0], &res, req, dry_run);
	} else {
		print_text(cli, argv[0], &res, dry_run);
	}
	if (apply && dry_run) {
		/* a dry run changes nothing live either */
		size_t i;

		if (cli->json)
			json_null(&cli->j, "live");
		else if (!cli->quiet)
			for (i = 0; i < res.n; i++)
				printf("dry run: would turn off the features of %s now\n",
				       res.ports[i].port);
	} else if (apply) {
		struct nfx_live *live = NULL;
		char **ports = calloc(res.n ? res.n : 1, sizeof(*ports));
		size_t i;

		status = ports ? cli_live_open(cli, &live) :
				 cli_error(cli, EXIT_SYSTEM, "out of memory");
		for (i = 0; ports && i < res.n; i++)
			ports[i] = res.ports[i].port;
		if (!status)
			status = cli_apply_ports_key(cli, live, ports, (int)res.n,
						     req, 0, "live");
		nfx_live_close(live);
		free(ports);
		/* the file is written: a live failure is a target not
		 * reached (1), never "refused, nothing written" (2)
		 */
		if (status) {
			cli_error(cli, EXIT_FINDING,
				  "%s: %s, but applying live failed: the features are off at the next ifup of %s",
				  res.file, res.changed ? "written" : "already persisted",
				  argv[0]);
			/* exit 1 of a change that failed: the envelope's error */
			cli->error_on_finding = true;
			status = EXIT_FINDING;
		}
	} else if (cli->json) {
		json_null(&cli->j, "live");
	}
	if (cli->json)
		cli_json_end(cli, status);
out_free:
	nfx_persist_done(&res);
	nfx_featreq_free(req);
	return status;
}
