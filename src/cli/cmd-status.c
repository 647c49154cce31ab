/* cmd-status.c - nicfix status: membership and live offload state */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The features an admin looks at first, in "ethtool -k" order. */
static const char *const shown[] = { "rx", "tx", "sg", "tso", "gso", "gro",
				     "lro" };

#define N_SHOWN (sizeof(shown) / sizeof(shown[0]))

/* The members of a bridge or bond: the links whose master it is. */
static void members(const struct nfx_link *all, size_t n,
		    const struct nfx_link *l, char *buf, size_t len)
{
	size_t i, pos = 0;

	buf[0] = '\0';
	if (l->kind != NFX_LINK_BRIDGE && l->kind != NFX_LINK_BOND)
		return;
	for (i = 0; i < n; i++) {
		int w;

		if (strcmp(all[i].master, l->name))
			continue;
		w = snprintf(buf + pos, len - pos, "%s%s", pos ? " " : "",
			     all[i].name);
		if (w < 0 || (size_t)w >= len - pos)
			break;
		pos += (size_t)w;
	}
}

static void show_text(struct cli *cli, const struct nfx_link *l,
		      const char *bridge, const char *bond, const char *ports,
		      const struct nfx_features *f)
{
	const char *n = l->name;
	size_t i;

	printf("%s: kind %s%s%s%s\n", n, nfx_link_kind_name(l->kind),
	       l->kind_name[0] ? " (" : "", l->kind_name,
	       l->kind_name[0] ? ")" : "");
	printf("%s: driver %s\n", n, l->driver[0] ? l->driver : "unknown");
	printf("%s: link %s\n", n, l->up ? "up" : "down");
	if (bond[0])
		printf("%s: bond %s\n", n, bond);
	if (bridge[0])
		printf("%s: bridge %s\n", n, bridge);
	if (l->parent[0])
		printf("%s: parent %s\n", n, l->parent);
	if (ports[0])
		printf("%s: %s %s\n", n,
		       l->kind == NFX_LINK_BOND ? "slaves" : "ports", ports);
	if (!f)
		return;
	for (i = 0; i < N_SHOWN; i++) {
		bool fixed;
		enum nfx_state s = nfx_features_state(f, shown[i], &fixed);

		if (s == NFX_STATE_NONE)
			continue;
		printf("%s: %s %s%s\n", n, shown[i], nfx_state_name(s),
		       fixed ? " [fixed]" : "");
	}
	(void)cli;
}

static void show_json(struct cli *cli, const struct nfx_link *l,
		      const char *bridge, const char *bond, const char *ports,
		      const struct nfx_features *f, const char *error)
{
	struct json *j = &cli->j;
	size_t i;

	json_obj_begin(j, NULL);
	json_str(j, "name", l->name);
	json_int(j, "ifindex", l->ifindex);
	json_str(j, "kind", nfx_link_kind_name(l->kind));
	json_str(j, "link_kind", l->kind_name[0] ? l->kind_name : NULL);
	json_str(j, "driver", l->driver[0] ? l->driver : NULL);
	json_bool(j, "up", l->up);
	json_str(j, "master", l->master[0] ? l->master : NULL);
	json_str(j, "bond", bond[0] ? bond : NULL);
	json_str(j, "bridge", bridge[0] ? bridge : NULL);
	json_str(j, "parent", l->parent[0] ? l->parent : NULL);
	json_str(j, "members", ports[0] ? ports : NULL);
	if (error)
		json_str(j, "error", error);
	json_obj_begin(j, "features");
	for (i = 0; f && i < N_SHOWN; i++) {
		bool fixed;
		enum nfx_state s = nfx_features_state(f, shown[i], &fixed);

		if (s == NFX_STATE_NONE)
			continue;
		json_obj_begin(j, shown[i]);
		json_str(j, "state", nfx_state_name(s));
		json_bool(j, "fixed", fixed);
		json_obj_end(j);
	}
	json_obj_end(j);
	json_obj_end(j);
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nfx_link *links = NULL, *all = NULL;
	struct nfx_live *live = NULL;
	struct nfx_err err = { 0 };
	size_t n = 0, nall = 0, i;
	int opt, ret, status;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			return cli_usage(cli, false);
		return cli_usage(cli, true);
	}
	argc -= optind;
	argv += optind;
	status = cli_check_ifnames(cli, argc, argv);
	if (status)
		return status;
	status = cli_live_open(cli, &live);
	if (status)
		return status;
	if (argc) {
		links = calloc(argc, sizeof(*links));
		if (!links) {
			status = cli_error(cli, EXIT_SYSTEM, "out of memory");
			goto out_free;
		}
		for (n = 0; n < (size_t)argc; n++) {
			ret = nfx_link_get(live, argv[n], &links[n], &err);
			if (ret < 0) {
				status = cli_error(cli, cli_status(ret), "%s: %s",
						   argv[n], err.msg);
				goto out_free;
			}
		}
	} else {
		ret = nfx_link_list(live, &links, &n, &err);
		if (ret < 0) {
			status = cli_error(cli, cli_status(ret), "%s", err.msg);
			goto out_free;
		}
	}
	/* every link, to name each bridge's and bond's members */
	ret = nfx_link_list(live, &all, &nall, &err);
	if (ret < 0) {
		status = cli_error(cli, cli_status(ret), "%s", err.msg);
		goto out_free;
	}
	if (cli->json) {
		cli_json_begin(cli);
		json_str(&cli->j, "backend", nfx_live_backend(live));
		json_arr_begin(&cli->j, "interfaces");
	}
	for (i = 0; i < n; i++) {
		struct nfx_features *f = NULL;
		char bridge[NFX_IFNAMSIZ], bond[NFX_IFNAMSIZ], ports[512];
		const char *ferr = NULL;

		/* "all interfaces" means the ones that carry traffic */
		if (!argc && links[i].loopback)
			continue;
		nfx_link_bridge(live, &links[i], bridge, bond);
		members(all, nall, &links[i], ports, sizeof(ports));
		ret = nfx_features_get(live, links[i].name, &f, &err);
		if (ret < 0) {
			ferr = err.msg;
			cli_warn(cli, "%s: cannot read features: %s",
				 links[i].name, err.msg);
		}
		if (cli->json)
			show_json(cli, &links[i], bridge, bond, ports, f, ferr);
		else if (!cli->quiet)
			show_text(cli, &links[i], bridge, bond, ports, f);
		nfx_features_free(f);
	}
	if (cli->json) {
		json_arr_end(&cli->j);
		cli_json_end(cli, EXIT_OK);
	}
out_free:
	free(all);
	free(links);
	nfx_live_close(live);
	return status;
}
