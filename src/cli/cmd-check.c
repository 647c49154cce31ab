/* cmd-check.c - nicfix check: the offload lines and the live state */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* What the live side found for one line. */
struct live_result {
	const char *state; /* "ok", "drift", "fixed", "missing", "error", NULL */
	char drift[512];   /* kernel names still on, space separated */
	bool applied;
};

static int check_live(struct cli *cli, struct nfx_live *live,
		      const struct nfx_offload *o, bool apply,
		      struct live_result *lr)
{
	struct nfx_report r = { 0 };
	struct nfx_err err = { 0 };
	int ret, status = EXIT_OK;

	ret = nfx_apply(live, o->port, o->off, NFX_APPLY_VERIFY, &r, &err);
	if (ret == -ENODEV) {
		lr->state = "missing";
		return cli_error(cli, EXIT_FINDING, "%s:%u: %s: %s: no such interface",
				 o->file, o->lineno, o->bridge, o->port);
	}
	if (ret < 0) {
		lr->state = "error";
		return cli_error(cli, cli_status(ret), "%s:%u: %s: %s: %s", o->file,
				 o->lineno, o->bridge, o->port, err.msg);
	}
	if (nfx_report_ok(&r)) {
		lr->state = "ok";
		goto out;
	}
	if (apply) {
		nfx_report_done(&r);
		ret = nfx_apply(live, o->port, o->off, 0, &r, &err);
		if (ret < 0) {
			lr->state = "error";
			status = cli_error(cli, cli_status(ret), "%s: %s", o->port,
					   err.msg);
			goto out;
		}
		lr->applied = true;
		if (nfx_report_ok(&r)) {
			lr->state = "ok";
			if (!cli->quiet && !cli->json)
				printf("%s:%u: %s: %s: drift re-applied\n", o->file,
				       o->lineno, o->bridge, o->port);
			goto out;
		}
	}
	nfx_report_names(&r, NFX_PICK_ON, lr->drift, sizeof(lr->drift));
	lr->state = "drift";
	status = cli_error(cli, EXIT_FINDING, "%s:%u: %s: %s: still on: %s",
			   o->file, o->lineno, o->bridge, o->port, lr->drift);
out:
	nfx_report_done(&r);
	return status;
}

static void json_line(struct json *j, const struct nfx_offload *o,
		      const struct live_result *lr)
{
	json_obj_begin(j, NULL);
	json_str(j, "bridge", o->bridge);
	json_str(j, "port", o->port[0] ? o->port : NULL);
	json_str(j, "file", o->file);
	json_int(j, "line", o->lineno);
	json_str(j, "command", o->cmd);
	json_bool(j, "guarded", o->guarded);
	json_bool(j, "behind_bridge", o->behind);
	json_str(j, "problem", o->problem[0] ? o->problem : NULL);
	json_str(j, "live", lr->state);
	json_str(j, "drift", lr->drift[0] ? lr->drift : NULL);
	json_bool(j, "applied", lr->applied);
	json_obj_end(j);
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-live", no_argument, NULL, 'L' },
		{ "apply", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct live_result *lr = NULL;
	struct nfx_offload *v = NULL;
	struct nfx_live *live = NULL;
	struct nfx_err err = { 0 };
	bool no_live = false, apply = false;
	int opt, n = 0, i, status = EXIT_OK, s;

	while ((opt = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (opt) {
		case 'L':
			no_live = true;
			break;
		case 'a':
			apply = true;
			break;
		case 'h':
			return cli_usage(cli, false);
		default:
			return cli_usage(cli, true);
		}
	}
	if (no_live && apply) {
		cli_error(cli, EXIT_USAGE, "check: --apply needs the live state");
		return cli_usage(cli, true);
	}
	argc -= optind;
	argv += optind;
	status = cli_check_ifnames(cli, argc, argv);
	if (status)
		return status;
	n = nfx_offloads_read(&cli->cfg, (const char *const *)argv, (size_t)argc,
			      &v, &err);
	if (n < 0)
		return cli_error(cli, cli_status(n), "%s", err.msg);
	lr = calloc(n ? n : 1, sizeof(*lr));
	if (!lr) {
		status = cli_error(cli, EXIT_SYSTEM, "out of memory");
		goto out_free;
	}
	if (!no_live && n) {
		status = cli_live_open(cli, &live);
		if (status)
			goto out_free;
	}
	for (i = 0; i < n; i++) {
		const struct nfx_offload *o = &v[i];

		if (o->problem[0]) {
			status = cli_error(cli, EXIT_FINDING, "%s:%u: %s: %s",
					   o->file, o->lineno, o->bridge, o->problem);
			continue;
		}
		if (!o->behind)
			status = cli_error(cli, EXIT_FINDING,
					   "%s:%u: %s: %s is not behind the bridge",
					   o->file, o->lineno, o->bridge, o->port);
		if (!o->guarded)
			cli_warn(cli, "%s:%u: %s: '%s' fails ifup of %s when it fails; add '|| true'",
				 o->file, o->lineno, o->bridge, o->cmd, o->bridge);
		if (live) {
			s = check_live(cli, live, o, apply, &lr[i]);
			if (s > status)
				status = s;
		}
		if (!cli->quiet && !cli->json && (!lr[i].state || !strcmp(lr[i].state, "ok")))
			printf("%s:%u: %s: %s: ok%s\n", o->file, o->lineno, o->bridge,
			       o->port, live ? "" : " (config only)");
	}
	if (!n && !cli->quiet && !cli->json)
		printf("%s: no offload lines\n", cli->cfg.path);
	if (cli->json) {
		cli_json_begin(cli);
		json_bool(&cli->j, "live", !no_live);
		json_arr_begin(&cli->j, "lines");
		for (i = 0; i < n; i++)
			json_line(&cli->j, &v[i], &lr[i]);
		json_arr_end(&cli->j);
		cli_json_end(cli, status);
	}
out_free:
	free(lr);
	nfx_live_close(live);
	nfx_offloads_free(v, n);
	return status;
}
