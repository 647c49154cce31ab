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

/* @dev: the line's port, or the name a rename gave it */
static int check_live(struct cli *cli, struct nfx_live *live,
		      const struct nfx_offload *o, const char *dev, bool apply,
		      struct live_result *lr)
{
	struct nfx_report r = { 0 };
	struct nfx_err err = { 0 };
	int ret, status = EXIT_OK;

	ret = nfx_apply(live, dev, o->off, NFX_APPLY_VERIFY, &r, &err);
	if (ret == -ENODEV) {
		lr->state = "missing";
		return cli_error(cli, EXIT_FINDING, "%s:%u: %s: %s: no such interface",
				 o->file, o->lineno, o->bridge, dev);
	}
	if (ret < 0) {
		lr->state = "error";
		return cli_error(cli, cli_status(ret), "%s:%u: %s: %s: %s", o->file,
				 o->lineno, o->bridge, dev, err.msg);
	}
	if (nfx_report_ok(&r)) {
		lr->state = "ok";
		goto out;
	}
	if (apply) {
		nfx_report_done(&r);
		ret = nfx_apply(live, dev, o->off, 0, &r, &err);
		if (ret < 0) {
			lr->state = "error";
			status = cli_error(cli, cli_status(ret), "%s: %s", dev,
					   err.msg);
			goto out;
		}
		lr->applied = true;
		if (nfx_report_ok(&r)) {
			lr->state = "ok";
			if (!cli->quiet && !cli->json)
				printf("%s:%u: %s: %s: drift re-applied\n", o->file,
				       o->lineno, o->bridge, dev);
			goto out;
		}
	}
	nfx_report_names(&r, NFX_PICK_ON, lr->drift, sizeof(lr->drift));
	lr->state = "drift";
	status = cli_error(cli, EXIT_FINDING, "%s:%u: %s: %s: still on: %s",
			   o->file, o->lineno, o->bridge, dev, lr->drift);
out:
	nfx_report_done(&r);
	return status;
}

static void json_line(struct json *j, const struct nfx_offload *o,
		      const struct live_result *lr, const struct nfx_rename *rn)
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
	if (rn->how != NFX_RENAME_NONE) {
		json_obj_begin(j, "renamed");
		json_str(j, "name", rn->name);
		json_str(j, "how", nfx_rename_how_name(rn->how));
		json_str(j, "mac", rn->mac[0] ? rn->mac : NULL);
		json_str(j, "source", rn->source[0] ? rn->source : NULL);
		json_str(j, "property", rn->property[0] ? rn->property : NULL);
		json_obj_end(j);
	} else {
		json_null(j, "renamed");
	}
	json_obj_end(j);
}

/*
 * Is the line's NIC renamed by pinning (Proxmox VE 9's .link files)?  Only
 * a certain answer counts: before the reboot its MAC against the .link
 * files, after it udev's record of the NIC.  Without the live state there
 * is neither.
 */
static void check_renamed(struct cli *cli, struct nfx_live *live,
			  struct nfx_pins **pins, const struct nfx_offload *o,
			  struct nfx_rename *rn)
{
	struct nfx_err err = { 0 };

	memset(rn, 0, sizeof(*rn));
	if (!live)
		return;
	if (!*pins && nfx_pins_load(cli->cfg.root, pins, &err) < 0) {
		cli_warn(cli, "cannot read the .link files: %s", err.msg);
		return;
	}
	if (*pins && nfx_pins_follow(*pins, live, o->port, rn, &err) < 0) {
		cli_warn(cli, "%s: %s", o->port, err.msg);
		memset(rn, 0, sizeof(*rn));
	}
}

/* what says a NIC is renamed, for people */
static const char *rename_why(const struct nfx_rename *rn, char *buf, size_t len)
{
	if (rn->how == NFX_RENAME_DONE)
		snprintf(buf, len, "udev's %s of %s", rn->property, rn->name);
	else
		snprintf(buf, len, "%s matches its MAC %s", rn->source, rn->mac);
	return buf;
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
	struct nfx_rename *rn = NULL;
	struct nfx_pins *pins = NULL;
	struct nfx_offload *v = NULL;
	struct nfx_live *live = NULL;
	struct nfx_err err = { 0 };
	bool no_live = false, apply = false;
	int opt, n = 0, i, status = EXIT_OK, s;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
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
	rn = calloc(n ? n : 1, sizeof(*rn));
	if (!lr || !rn) {
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
		const char *dev = o->port;
		char why[400];

		if (o->problem[0]) {
			status = cli_error(cli, EXIT_FINDING, "%s:%u: %s: %s",
					   o->file, o->lineno, o->bridge, o->problem);
			continue;
		}
		check_renamed(cli, live, &pins, o, &rn[i]);
		if (rn[i].how == NFX_RENAME_DONE)
			dev = rn[i].name; /* where the hook applies it */
		if (!o->behind && rn[i].how != NFX_RENAME_NONE)
			status = cli_error(cli, EXIT_FINDING,
					   "%s:%u: %s: %s is stale: %s %s %s%s (%s); run: nicfix persist %s",
					   o->file, o->lineno, o->bridge, o->port, o->port,
					   rn[i].how == NFX_RENAME_DONE ? "is" : "becomes",
					   rn[i].name,
					   rn[i].how == NFX_RENAME_DONE ? " now" : " at the next boot",
					   rename_why(&rn[i], why, sizeof(why)), o->bridge);
		else if (!o->behind)
			status = cli_error(cli, EXIT_FINDING,
					   "%s:%u: %s: %s is not behind the bridge",
					   o->file, o->lineno, o->bridge, o->port);
		else if (rn[i].how == NFX_RENAME_DONE)
			status = cli_error(cli, EXIT_FINDING,
					   "%s:%u: %s: %s is %s now (%s), and the file still names %s: rename it in the file",
					   o->file, o->lineno, o->bridge, o->port,
					   rn[i].name, rename_why(&rn[i], why, sizeof(why)),
					   o->port);
		else if (rn[i].how == NFX_RENAME_PENDING)
			cli_warn(cli, "%s:%u: %s: %s becomes %s at the next boot (%s), and this file still names %s",
				 o->file, o->lineno, o->bridge, o->port, rn[i].name,
				 rename_why(&rn[i], why, sizeof(why)), o->port);
		if (!o->guarded)
			cli_warn(cli, "%s:%u: %s: '%s' fails ifup of %s when it fails; add '|| true'",
				 o->file, o->lineno, o->bridge, o->cmd, o->bridge);
		if (live) {
			s = check_live(cli, live, o, dev, apply, &lr[i]);
			if (s > status)
				status = s;
		}
		if (!cli->quiet && !cli->json && (!lr[i].state || !strcmp(lr[i].state, "ok")) &&
		    o->behind && rn[i].how != NFX_RENAME_DONE)
			printf("%s:%u: %s: %s: ok%s\n", o->file, o->lineno, o->bridge,
			       o->port, live ? "" : " (config only)");
	}
	if (!n && !cli->quiet && !cli->json)
		printf("%s: no offload lines\n", cli->cfg.path);
	if (cli->json) {
		cli_json_begin(cli);
		json_bool(&cli->j, "ok", status == EXIT_OK);
		json_bool(&cli->j, "live", !no_live);
		json_arr_begin(&cli->j, "lines");
		for (i = 0; i < n; i++)
			json_line(&cli->j, &v[i], &lr[i], &rn[i]);
		json_arr_end(&cli->j);
		cli_json_end(cli, status);
	}
out_free:
	free(lr);
	free(rn);
	nfx_pins_free(pins);
	nfx_live_close(live);
	nfx_offloads_free(v, n);
	return status;
}
