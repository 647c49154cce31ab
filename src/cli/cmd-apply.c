/* cmd-apply.c - nicfix apply: turn features off now and read them back */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_item(struct cli *cli, const char *ifname,
		       const struct nfx_item *it)
{
	if (cli->quiet)
		return;
	if (it->result == NFX_RES_FIXED)
		printf("%s: %s: fixed (%s)\n", ifname, it->name,
		       it->on ? "on" : "off");
	else
		printf("%s: %s: %s\n", ifname, it->name,
		       nfx_result_name(it->result));
}

static void json_report(struct json *j, const struct nfx_report *r)
{
	size_t i;

	json_obj_begin(j, NULL);
	json_str(j, "name", r->ifname);
	json_bool(j, "ok", nfx_report_ok(r));
	json_bool(j, "changed", nfx_report_changed(r));
	json_arr_begin(j, "features");
	for (i = 0; i < r->n; i++) {
		json_obj_begin(j, NULL);
		json_str(j, "name", r->items[i].name);
		json_str(j, "result", nfx_result_name(r->items[i].result));
		json_bool(j, "active", r->items[i].on);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* Report what stayed on; Return: true when everything is off. */
static bool verify(struct cli *cli, const struct nfx_report *r)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (!r->items[i].on)
			continue;
		ok = false;
		cli_error(cli, EXIT_FINDING, "%s: %s is still on%s", r->ifname,
			  r->items[i].name,
			  r->items[i].result == NFX_RES_FIXED ?
				  " (fixed: the device cannot change it)" : "");
	}
	return ok;
}

int cli_apply_ports(struct cli *cli, struct nfx_live *live, char *const *ports,
		    int n, const struct nfx_featreq *req, unsigned int flags)
{
	return cli_apply_ports_as(cli, "interfaces", live, ports, n, req, flags);
}

int cli_apply_ports_as(struct cli *cli, const char *key, struct nfx_live *live,
		       char *const *ports, int n, const struct nfx_featreq *req,
		       unsigned int flags)
{
	struct nfx_report *reports;
	struct nfx_err err = { 0 };
	int i, ret, done = 0, status = EXIT_OK;

	reports = calloc(n ? n : 1, sizeof(*reports));
	if (!reports)
		return cli_error(cli, EXIT_SYSTEM, "out of memory");
	for (i = 0; i < n; i++, done++) {
		size_t k;

		ret = nfx_apply(live, ports[i], req, flags, &reports[i], &err);
		if (ret < 0) {
			status = cli_error(cli, cli_status(ret), "%s: %s",
					   ports[i], err.msg);
			break;
		}
		for (k = 0; k < reports[i].n; k++)
			if (!cli->json)
				print_item(cli, ports[i], &reports[i].items[k]);
		if (!verify(cli, &reports[i]))
			status = EXIT_FINDING;
	}
	if (cli->json) {
		json_arr_begin(&cli->j, key);
		for (i = 0; i < done; i++)
			json_report(&cli->j, &reports[i]);
		json_arr_end(&cli->j);
	}
	for (i = 0; i < n; i++)
		nfx_report_done(&reports[i]);
	free(reports);
	return status;
}

#define MAX_PORTS 64

struct portlist {
	char name[MAX_PORTS][NFX_IFNAMSIZ];
	int n;
};

static void add_port(struct portlist *pl, const char *name)
{
	int i;

	for (i = 0; i < pl->n; i++)
		if (!strcmp(pl->name[i], name))
			return;
	if (pl->n < MAX_PORTS)
		snprintf(pl->name[pl->n++], NFX_IFNAMSIZ, "%s", name);
}

/* The physical ports below @name: bond members, VLAN parents, in turn. */
static void lower_ports(const struct nfx_link *links, size_t n,
			const char *name, int depth, struct portlist *pl)
{
	size_t i, k;

	if (depth > 8)
		return;
	for (i = 0; i < n; i++) {
		const struct nfx_link *l = &links[i];

		if (strcmp(l->master, name))
			continue;
		if (l->kind == NFX_LINK_BOND) {
			lower_ports(links, n, l->name, depth + 1, pl);
		} else if (l->kind == NFX_LINK_VLAN && l->parent[0]) {
			for (k = 0; k < n; k++)
				if (!strcmp(links[k].name, l->parent) &&
				    links[k].kind == NFX_LINK_BOND)
					break;
			if (k < n)
				lower_ports(links, n, l->parent, depth + 1, pl);
			else
				add_port(pl, l->parent);
		} else if (l->kind == NFX_LINK_PORT) {
			add_port(pl, l->name);
		}
	}
}

int cmd_apply(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "features", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nfx_featreq *req = NULL;
	struct nfx_live *live = NULL;
	struct nfx_err err = { 0 };
	const char *features = NULL;
	static struct portlist pl;
	char *names[MAX_PORTS], via[NFX_IFNAMSIZ] = "";
	enum nfx_link_kind via_kind = NFX_LINK_BRIDGE;
	int opt, i, n, ret, status = EXIT_OK;

	while ((opt = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			features = optarg;
			break;
		case 'h':
			return cli_usage(cli, false);
		default:
			return cli_usage(cli, true);
		}
	}
	n = argc - optind;
	if (n < 1) {
		cli_error(cli, EXIT_USAGE, "apply: no port given");
		return cli_usage(cli, true);
	}
	argv += optind;
	/* every check that can refuse runs before the first change */
	status = cli_check_ifnames(cli, n, argv);
	if (status)
		return status;
	ret = features ? nfx_featreq_parse(features, &req, &err) :
			 nfx_featreq_default(&req, &err);
	if (ret < 0)
		return cli_error(cli, cli_status(ret), "%s", err.msg);
	status = cli_live_open(cli, &live);
	if (status)
		goto out_free;
	for (i = 0; i < n; i++) {
		struct nfx_link link;
		struct nfx_link *links = NULL;
		size_t nlinks = 0;
		int before = pl.n, k;

		ret = nfx_link_get(live, argv[i], &link, &err);
		if (ret < 0) {
			status = cli_error(cli, cli_status(ret), "%s: %s",
					   argv[i], err.msg);
			goto out_free;
		}
		if (link.kind != NFX_LINK_BRIDGE && link.kind != NFX_LINK_BOND) {
			add_port(&pl, argv[i]);
			continue;
		}
		/* a bridge or bond means its physical ports: turning the
		 * features off on the bridge device fixes no NIC
		 */
		ret = nfx_link_list(live, &links, &nlinks, &err);
		if (ret < 0) {
			status = cli_error(cli, cli_status(ret), "%s", err.msg);
			goto out_free;
		}
		lower_ports(links, nlinks, argv[i], 0, &pl);
		free(links);
		if (pl.n == before) {
			status = cli_error(cli, EXIT_USAGE,
					   "%s is a %s with no physical port: nothing to apply",
					   argv[i], nfx_link_kind_name(link.kind));
			goto out_free;
		}
		snprintf(via, sizeof(via), "%s", argv[i]);
		via_kind = link.kind;
		if (!cli->quiet && !cli->json) {
			printf("%s: %s: its physical ports:", argv[i],
			       nfx_link_kind_name(link.kind));
			for (k = before; k < pl.n; k++)
				printf(" %s", pl.name[k]);
			putchar('\n');
		}
	}
	for (i = 0; i < pl.n; i++)
		names[i] = pl.name[i];
	if (cli->json) {
		cli_json_begin(cli);
		if (via[0]) {
			json_obj_begin(&cli->j, "via");
			json_str(&cli->j, via_kind == NFX_LINK_BOND ? "bond" : "bridge", via);
			json_obj_end(&cli->j);
		}
	}
	status = cli_apply_ports(cli, live, names, pl.n, req, 0);
	if (cli->json) {
		json_bool(&cli->j, "ok", status == EXIT_OK);
		if (status != EXIT_OK && cli->error[0])
			json_str(&cli->j, "error", cli->error);
		cli_json_end(cli, status);
	}
out_free:
	nfx_live_close(live);
	nfx_featreq_free(req);
	return status;
}
