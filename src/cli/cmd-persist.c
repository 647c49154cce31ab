/* cmd-persist.c - nicfix persist / unpersist: edit the bridge stanza */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_text(struct cli *cli, const char *bridge,
		       const struct nfx_persist *p, bool dry_run)
{
	size_t i;

	if (cli->quiet)
		return;
	if (dry_run) {
		fputs(p->diff, stdout);
		return;
	}
	for (i = 0; i < p->n; i++) {
		const struct nfx_persist_port *pp = &p->ports[i];

		if (pp->action == NFX_ACT_ABSENT)
			printf("%s:%u: %s: %s: no offload line: unchanged\n",
			       p->file, p->lineno, bridge, pp->port);
		else if (pp->action == NFX_ACT_UNCHANGED)
			printf("%s:%u: %s: %s: unchanged: %s\n", p->file,
			       p->lineno, bridge, pp->port, pp->line);
		else
			printf("%s:%u: %s: %s: %s: post-up %s\n", p->file,
			       p->lineno, bridge, pp->port,
			       nfx_action_name(pp->action), pp->line);
	}
	printf("%s: %s\n", p->file, p->changed ? "changed" : "unchanged");
	if (p->backup && cli->verbose)
		printf("%s: backup in %s\n", p->file, p->backup);
}

static void print_json(struct cli *cli, const char *bridge,
		       const struct nfx_persist *p, bool dry_run)
{
	struct json *j = &cli->j;
	size_t i;

	json_str(j, "bridge", bridge);
	json_str(j, "file", p->file);
	json_int(j, "line", p->lineno);
	json_bool(j, "changed", p->changed);
	json_bool(j, "dry_run", dry_run);
	json_str(j, "backup", p->backup);
	json_str(j, "diff", p->diff);
	json_arr_begin(j, "ports");
	for (i = 0; i < p->n; i++) {
		json_obj_begin(j, NULL);
		json_str(j, "port", p->ports[i].port);
		json_str(j, "action", nfx_action_name(p->ports[i].action));
		json_str(j, "line", p->ports[i].line[0] ? p->ports[i].line : NULL);
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

int cmd_persist(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "features", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "apply", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool remove = !strcmp(cli->cmd, "unpersist");
	struct nfx_persist res = { 0 };
	struct nfx_featreq *req = NULL;
	struct nfx_err err = { 0 };
	const char *features = NULL;
	unsigned int flags = 0;
	bool apply = false;
	int opt, n, ret, status;

	while ((opt = cli_getopt(cli, argc, argv, "f:nh", opts)) != -1) {
		switch (opt) {
		case 'f':
			features = optarg;
			break;
		case 'n':
			flags |= NFX_PERSIST_DRY_RUN;
			break;
		case 'a':
			apply = true;
			break;
		case 'F':
			flags |= NFX_PERSIST_FORCE;
			break;
		case 'h':
			return cli_usage(cli, false);
		default:
			return cli_usage(cli, true);
		}
	}
	if (remove && (features || apply)) {
		cli_error(cli, EXIT_USAGE, "unpersist takes no -f or --apply");
		return cli_usage(cli, true);
	}
	n = argc - optind;
	if (n < 1) {
		cli_error(cli, EXIT_USAGE, "%s: no bridge given", cli->cmd);
		return cli_usage(cli, true);
	}
	argv += optind;
	status = cli_check_ifnames(cli, n, argv);
	if (status)
		return status;
	if (remove)
		flags |= NFX_PERSIST_REMOVE;
	ret = features ? nfx_featreq_parse(features, &req, &err) :
			 nfx_featreq_default(&req, &err);
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
		print_json(cli, argv[0], &res, flags & NFX_PERSIST_DRY_RUN);
	} else {
		print_text(cli, argv[0], &res, flags & NFX_PERSIST_DRY_RUN);
	}
	if (apply) {
		struct nfx_live *live = NULL;
		char **ports = calloc(res.n ? res.n : 1, sizeof(*ports));
		size_t i;

		status = ports ? cli_live_open(cli, &live) :
				 cli_error(cli, EXIT_SYSTEM, "out of memory");
		for (i = 0; ports && i < res.n; i++)
			ports[i] = res.ports[i].port;
		if (!status)
			status = cli_apply_ports(cli, live, ports, (int)res.n, req, 0);
		nfx_live_close(live);
		free(ports);
	}
	if (cli->json)
		cli_json_end(cli, status);
out_free:
	nfx_persist_done(&res);
	nfx_featreq_free(req);
	return status;
}
