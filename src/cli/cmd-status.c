/* cmd-status.c - nicfix status: membership and live offload state */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The features an admin looks at, in "ethtool -k" order: -v and JSON. */
static const char *const shown[] = { "rx", "tx", "sg", "tso", "gso", "gro",
				     "lro" };
#define N_SHOWN (sizeof(shown) / sizeof(shown[0]))

/* The table's columns: the ones nicfix turns off. */
static const char *const columns[] = { "tso", "gso", "gro" };
#define N_COLUMNS (sizeof(columns) / sizeof(columns[0]))

/**
 * struct row - one interface as status shows it
 * @l: what rtnetlink says
 * @bridge: the bridge it ends up in; @bond: the bond in between ("")
 * @members: a bridge's ports or a bond's slaves, space separated
 * @f: its features, NULL when they could not be read (@ferr says why)
 */
struct row {
	const struct nfx_link *l;
	char bridge[NFX_IFNAMSIZ];
	char bond[NFX_IFNAMSIZ];
	char members[512];
	struct nfx_features *f;
	char ferr[512];
};

/* "nic" for hardware; what the kernel calls a virtual link otherwise */
static const char *kind(const struct nfx_link *l, bool json)
{
	if (l->loopback)
		return "loopback";
	switch (l->kind) {
	case NFX_LINK_BRIDGE:
	case NFX_LINK_BOND:
	case NFX_LINK_VLAN:
		return nfx_link_kind_name(l->kind);
	default:
		if (!l->kind_name[0])
			return "nic";
		return json ? "virtual" : l->kind_name;
	}
}

/* Shown without -a: the hardware NICs, the bonds and the bridges. */
static bool physical(const struct nfx_link *l)
{
	if (l->loopback)
		return false;
	if (l->kind == NFX_LINK_BRIDGE || l->kind == NFX_LINK_BOND)
		return true;
	return l->kind == NFX_LINK_PORT && !l->kind_name[0];
}

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

/* A table cell: "on", "off", "partial", "-"; "*" when fixed. */
static void cell(const struct row *r, const char *name, char *buf, size_t size)
{
	bool fixed;
	enum nfx_state s;

	if (!r->f) {
		snprintf(buf, size, "?");
		return;
	}
	s = nfx_features_state(r->f, name, &fixed);
	if (s == NFX_STATE_NONE)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s%s", nfx_state_name(s), fixed ? "*" : "");
}

static void bridge_cell(const struct row *r, char *buf, size_t size)
{
	if (r->bond[0])
		snprintf(buf, size, "%s (%s)", r->bridge[0] ? r->bridge : "-",
			 r->bond);
	else if (r->bridge[0])
		snprintf(buf, size, "%s", r->bridge);
	else if (r->l->master[0])
		snprintf(buf, size, "%s", r->l->master);
	else
		snprintf(buf, size, "-");
}

static void print_table(const struct row *rows, size_t n, bool all_shown)
{
	int wname = 4, wkind = 4, wdrv = 6, wbr = 6, wcol[N_COLUMNS];
	char buf[64], br[64];
	bool any_fixed = false;
	size_t i, c;

	for (c = 0; c < N_COLUMNS; c++) {
		wcol[c] = 3;
		for (i = 0; i < n; i++) {
			cell(&rows[i], columns[c], buf, sizeof(buf));
			if ((int)strlen(buf) > wcol[c])
				wcol[c] = (int)strlen(buf);
		}
	}

	for (i = 0; i < n; i++) {
		const struct nfx_link *l = rows[i].l;
		int w;

		w = (int)strlen(l->name);
		wname = w > wname ? w : wname;
		w = (int)strlen(kind(l, false));
		wkind = w > wkind ? w : wkind;
		w = (int)strlen(l->driver[0] ? l->driver : "-");
		wdrv = w > wdrv ? w : wdrv;
		bridge_cell(&rows[i], br, sizeof(br));
		w = (int)strlen(br);
		wbr = w > wbr ? w : wbr;
	}
	printf("%-*s  %-*s  %-*s  %-4s  %-*s", wname, "NAME", wkind, "KIND",
	       wdrv, "DRIVER", "LINK", wbr, "BRIDGE");
	for (c = 0; c < N_COLUMNS; c++)
		printf("  %-*s", wcol[c], c == 0 ? "TSO" : c == 1 ? "GSO" : "GRO");
	printf("  PORTS\n");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		bridge_cell(r, br, sizeof(br));
		printf("%-*s  %-*s  %-*s  %-4s  %-*s", wname, r->l->name,
		       wkind, kind(r->l, false), wdrv,
		       r->l->driver[0] ? r->l->driver : "-",
		       r->l->up ? "up" : "down", wbr, br);
		for (c = 0; c < N_COLUMNS; c++) {
			cell(r, columns[c], buf, sizeof(buf));
			any_fixed |= strchr(buf, '*') != NULL;
			printf("  %-*s", wcol[c], buf);
		}
		printf("  %s\n", r->members[0] ? r->members : "-");
	}
	if (!n && !all_shown)
		printf("(no physical NIC, bond or bridge here: -a shows every link)\n");
	if (any_fixed)
		printf("* fixed: the device cannot change it\n");
}

/* -v: every shown feature of every row, with the kernel bits behind it */
static void print_bits(const struct row *r)
{
	const char *n = r->l->name, *bit;
	size_t i, b;

	if (r->l->parent[0])
		printf("%s: parent %s\n", n, r->l->parent);
	if (r->ferr[0]) {
		printf("%s: features unreadable: %s\n", n, r->ferr);
		return;
	}
	for (i = 0; i < N_SHOWN; i++) {
		bool fixed, on;
		enum nfx_state s = nfx_features_state(r->f, shown[i], &fixed);

		if (s == NFX_STATE_NONE)
			continue;
		printf("%s: %s %s%s:", n, shown[i], nfx_state_name(s),
		       fixed ? " [fixed]" : "");
		for (b = 0; (bit = nfx_features_bit(r->f, shown[i], b, &on, &fixed)); b++)
			printf("%s %s %s%s", b ? "," : "", bit, on ? "on" : "off",
			       fixed ? " [fixed]" : "");
		putchar('\n');
	}
}

static void show_json(struct cli *cli, const struct row *r)
{
	struct json *j = &cli->j;
	const struct nfx_link *l = r->l;
	const char *p = r->members;

	json_obj_begin(j, NULL);
	json_str(j, "name", l->name);
	json_int(j, "ifindex", l->ifindex);
	json_str(j, "kind", kind(l, true));
	json_str(j, "link_kind", l->kind_name[0] ? l->kind_name : NULL);
	json_str(j, "driver", l->driver[0] ? l->driver : NULL);
	json_bool(j, "up", l->up);
	json_str(j, "bridge", r->bridge[0] ? r->bridge : NULL);
	json_str(j, "bond", r->bond[0] ? r->bond : NULL);
	json_str(j, "parent", l->parent[0] ? l->parent : NULL);
	if (l->kind == NFX_LINK_BRIDGE || l->kind == NFX_LINK_BOND) {
		json_arr_begin(j, "members");
		while (*p) {
			size_t len = strcspn(p, " ");

			json_strn(j, NULL, p, len);
			p += len + (p[len] == ' ');
		}
		json_arr_end(j);
	} else {
		json_null(j, "members");
	}
	if (r->f)
		cli_json_features(cli, "features", r->f, shown, N_SHOWN);
	else
		json_null(j, "features");
	json_str(j, "features_error", r->ferr[0] ? r->ferr : NULL);
	json_obj_end(j);
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "driver", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nfx_link *links = NULL, *all = NULL;
	struct nfx_live *live = NULL;
	struct nfx_err err = { 0 };
	struct row *rows = NULL;
	const char *driver = NULL;
	size_t n = 0, nall = 0, nrows = 0, i;
	bool every = false;
	int opt, ret, status;

	while ((opt = cli_getopt(cli, argc, argv, "ah", opts)) != -1) {
		switch (opt) {
		case 'a':
			every = true;
			break;
		case 'd':
			driver = optarg;
			break;
		case 'h':
			return cli_usage(cli, false);
		default:
			return cli_usage(cli, true);
		}
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
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		status = cli_error(cli, EXIT_SYSTEM, "out of memory");
		goto out_free;
	}
	for (i = 0; i < n; i++) {
		struct row *r = &rows[nrows];

		/* named links are always shown; a --driver filter applies
		 * to every link, -a to the virtual ones
		 */
		if (driver && strcmp(links[i].driver, driver))
			continue;
		if (!argc && !driver && links[i].loopback)
			continue;
		if (!argc && !driver && !every && !physical(&links[i]))
			continue;
		r->l = &links[i];
		nfx_link_bridge(live, &links[i], r->bridge, r->bond);
		members(all, nall, &links[i], r->members, sizeof(r->members));
		ret = nfx_features_get(live, links[i].name, &r->f, &err);
		if (ret < 0) {
			snprintf(r->ferr, sizeof(r->ferr), "%s", err.msg);
			cli_warn(cli, "%s: cannot read features: %s",
				 links[i].name, err.msg);
		}
		nrows++;
	}
	if (cli->json) {
		cli_json_begin(cli);
		json_str(&cli->j, "backend", nfx_live_backend(live));
		json_arr_begin(&cli->j, "interfaces");
		for (i = 0; i < nrows; i++)
			show_json(cli, &rows[i]);
		json_arr_end(&cli->j);
		cli_json_end(cli, EXIT_OK);
	} else if (!cli->quiet) {
		print_table(rows, nrows, every || argc || driver);
		for (i = 0; cli->verbose && i < nrows; i++)
			print_bits(&rows[i]);
	}
out_free:
	for (i = 0; rows && i < nrows; i++)
		nfx_features_free(rows[i].f);
	free(rows);
	free(all);
	free(links);
	nfx_live_close(live);
	return status;
}
