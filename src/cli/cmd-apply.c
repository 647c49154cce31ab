/* cmd-apply.c - nicfix apply: turn features off now and read them back */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const outcome_key[NFX_OUT_MAX] = {
	[NFX_OUT_TURNED_OFF] = "turned_off",
	[NFX_OUT_ALREADY_OFF] = "already_off",
	[NFX_OUT_FIXED] = "fixed",
	[NFX_OUT_FAILED] = "failed",
};

/* -v: one line per kernel bit */
static void print_item(const char *ifname, const struct nfx_item *it)
{
	switch (it->result) {
	case NFX_RES_OFF:
		printf("%s: %s: turned off\n", ifname, it->name);
		break;
	case NFX_RES_FIXED:
		printf("%s: %s: fixed (%s)\n", ifname, it->name,
		       it->on ? "on" : "off");
		break;
	case NFX_RES_FAILED:
		printf("%s: %s: failed (still on)\n", ifname, it->name);
		break;
	default:
		printf("%s: %s: %s\n", ifname, it->name,
		       nfx_result_name(it->result));
	}
}

static void json_state(struct json *j, const struct nfx_report *r,
		       const struct nfx_featreq *req)
{
	size_t i, k, count = nfx_featreq_count(req);

	json_arr_begin(j, "features");
	for (i = 0; i < count; i++) {
		const char *name = nfx_featreq_name(req, i);
		size_t on = 0, off = 0, fixed = 0;

		for (k = 0; k < r->n; k++) {
			if (!nfx_feat_covers(name, r->items[k].name))
				continue;
			if (r->items[k].on)
				on++;
			else
				off++;
			fixed += r->items[k].result == NFX_RES_FIXED;
		}
		if (!on && !off)
			continue;
		json_obj_begin(j, NULL);
		json_str(j, "name", nfx_feat_shown(name));
		json_str(j, "state", on && off ? "partial" : on ? "on" : "off");
		json_bool(j, "fixed", fixed == on + off);
		json_arr_begin(j, "bits");
		for (k = 0; k < r->n; k++) {
			if (!nfx_feat_covers(name, r->items[k].name))
				continue;
			json_obj_begin(j, NULL);
			json_str(j, "name", r->items[k].name);
			json_str(j, "state", r->items[k].on ? "on" : "off");
			json_bool(j, "fixed", r->items[k].result == NFX_RES_FIXED);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_report(struct cli *cli, const struct nfx_report *r,
			const struct nfx_featreq *req, const char *via)
{
	struct json *j = &cli->j;
	struct nfx_summary s;
	size_t i;
	int o;

	nfx_summarize(r, req, &s);
	json_obj_begin(j, NULL);
	json_str(j, "name", r->ifname);
	json_str(j, "via", via);
	json_bool(j, "ok", nfx_report_ok(r));
	json_bool(j, "changed", nfx_report_changed(r));
	for (o = NFX_OUT_TURNED_OFF; o < NFX_OUT_NONE; o++) {
		json_arr_begin(j, outcome_key[o]);
		for (i = 0; i < s.n; i++)
			if (s.out[i] == (enum nfx_outcome)o)
				json_str(j, NULL, s.name[i]);
		json_arr_end(j);
	}
	json_state(j, r, req);
	json_obj_end(j);
}

/* Say what stayed on; Return: true when everything is off. */
static bool verify(struct cli *cli, const struct nfx_report *r,
		   const struct nfx_featreq *req)
{
	struct nfx_summary s;
	bool ok = true;
	size_t i;

	nfx_summarize(r, req, &s);
	for (i = 0; i < s.n; i++) {
		if (!s.on[i])
			continue;
		ok = false;
		cli->error_on_finding = true;
		cli_error(cli, EXIT_FINDING, "%s: %s is still on%s", r->ifname,
			  s.name[i], s.out[i] == NFX_OUT_FIXED ?
				  " (fixed: the device cannot change it)" : "");
	}
	return ok;
}

/* the bridge or bond each port was named through, NULL when itself */
static int apply_ports(struct cli *cli, struct nfx_live *live,
		       char *const *ports, const char *const *via, int n,
		       const struct nfx_featreq *req, unsigned int flags,
		       const char *key)
{
	struct nfx_report *reports;
	struct nfx_err err = { 0 };
	int i, ret, done = 0, status = EXIT_OK;

	reports = calloc(n ? n : 1, sizeof(*reports));
	if (!reports)
		return cli_error(cli, EXIT_SYSTEM, "out of memory");
	for (i = 0; i < n; i++, done++) {
		struct nfx_summary s;
		size_t k;

		ret = nfx_apply(live, ports[i], req, flags, &reports[i], &err);
		if (ret < 0) {
			status = cli_error(cli, cli_status(ret), "%s: %s",
					   ports[i], err.msg);
			break;
		}
		if (!cli->json && !cli->quiet) {
			char text[1024];

			nfx_summarize(&reports[i], req, &s);
			nfx_summary_text(&s, text, sizeof(text));
			printf("%s: %s\n", ports[i], text);
			for (k = 0; cli->verbose && k < reports[i].n; k++)
				print_item(ports[i], &reports[i].items[k]);
		}
		if (!verify(cli, &reports[i], req))
			status = EXIT_FINDING;
	}
	if (cli->json) {
		json_arr_begin(&cli->j, key);
		for (i = 0; i < done; i++)
			json_report(cli, &reports[i], req, via ? via[i] : NULL);
		json_arr_end(&cli->j);
	}
	for (i = 0; i < n; i++)
		nfx_report_done(&reports[i]);
	free(reports);
	return status;
}

int cli_apply_ports_key(struct cli *cli, struct nfx_live *live,
			char *const *ports, int n,
			const struct nfx_featreq *req, unsigned int flags,
			const char *key)
{
	return apply_ports(cli, live, ports, NULL, n, req, flags, key);
}

int cli_apply_ports_as(struct cli *cli, const char *key, struct nfx_live *live,
		       char *const *ports, int n, const struct nfx_featreq *req,
		       unsigned int flags)
{
	return apply_ports(cli, live, ports, NULL, n, req, flags, key);
}

int cli_apply_ports(struct cli *cli, struct nfx_live *live, char *const *ports,
		    int n, const struct nfx_featreq *req, unsigned int flags)
{
	return apply_ports(cli, live, ports, NULL, n, req, flags, "interfaces");
}

/**
 * struct targets - the ports to apply to, a bridge or bond resolved
 * @port: the names (borrowed from argv or from @links)
 * @via: the bridge or bond each was named through, or NULL
 * @n: how many
 */
struct targets {
	char **port;
	const char **via;
	int n;
};

static bool has_port(const struct targets *t, const char *name)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->port[i], name))
			return true;
	return false;
}

static void add_target(struct targets *t, char *name, const char *via)
{
	if (has_port(t, name))
		return;
	t->port[t->n] = name;
	t->via[t->n] = via;
	t->n++;
}

/* A port below @l: itself, a bond's slaves, a VLAN's parent. */
static bool below(const struct nfx_link *all, size_t nall,
		  const struct nfx_link *top, const struct nfx_link *l, int depth)
{
	size_t i;

	if (!strcmp(l->master, top->name))
		return true;
	if (depth > 4)
		return false;
	for (i = 0; i < nall; i++) {
		const struct nfx_link *m = &all[i];

		/* l is a bond's slave, or the parent of a VLAN device,
		 * and that bond or VLAN is below the top
		 */
		if ((!strcmp(l->master, m->name) && m->kind == NFX_LINK_BOND) ||
		    (m->kind == NFX_LINK_VLAN && !strcmp(m->parent, l->name)))
			if (below(all, nall, top, m, depth + 1))
				return true;
	}
	return false;
}

/* The physical ports behind bridge or bond @top: hardware NICs, or when
 * there is none (a test namespace, a container) their veth or dummy
 * stand-ins.  Taps and veths of guests are never hardware.
 */
static int resolve(struct cli *cli, const struct nfx_link *all, size_t nall,
		   const struct nfx_link *top, struct targets *t)
{
	int pass, found = 0;
	size_t i;

	for (pass = 0; pass < 2 && !found; pass++) {
		for (i = 0; i < nall; i++) {
			const struct nfx_link *l = &all[i];

			if (l->kind != NFX_LINK_PORT || (!pass && l->kind_name[0]))
				continue;
			if (!below(all, nall, top, l, 0))
				continue;
			if (!found++ && !cli->quiet && !cli->json)
				printf("%s: %s: its physical ports:", top->name,
				       nfx_link_kind_name(top->kind));
			if (!cli->quiet && !cli->json)
				printf(" %s", l->name);
			add_target(t, (char *)l->name, top->name);
		}
	}
	if (!found)
		return cli_error(cli, EXIT_USAGE,
				 "%s is a %s with no physical port: nothing to apply",
				 top->name, nfx_link_kind_name(top->kind));
	if (!cli->quiet && !cli->json)
		putchar('\n');
	return 0;
}

int cmd_apply(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "features", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct targets t = { 0 };
	struct nfx_featreq *req = NULL;
	struct nfx_live *live = NULL;
	struct nfx_link *all = NULL;
	const struct nfx_link *via = NULL;
	struct nfx_err err = { 0 };
	const char *features = NULL;
	size_t nall = 0;
	int opt, i, n, ret, status = EXIT_OK;

	while ((opt = cli_getopt(cli, argc, argv, "f:h", opts)) != -1) {
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

		ret = nfx_link_get(live, argv[i], &link, &err);
		if (ret < 0) {
			status = cli_error(cli, cli_status(ret), "%s: %s",
					   argv[i], err.msg);
			goto out_free;
		}
		if ((link.kind == NFX_LINK_BRIDGE || link.kind == NFX_LINK_BOND) &&
		    !all) {
			ret = nfx_link_list(live, &all, &nall, &err);
			if (ret < 0) {
				status = cli_error(cli, cli_status(ret), "%s", err.msg);
				goto out_free;
			}
		}
	}
	t.port = calloc((size_t)n + nall, sizeof(*t.port));
	t.via = calloc((size_t)n + nall, sizeof(*t.via));
	if (!t.port || !t.via) {
		status = cli_error(cli, EXIT_SYSTEM, "out of memory");
		goto out_free;
	}
	for (i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < nall; k++)
			if (!strcmp(all[k].name, argv[i]))
				break;
		if (k < nall && (all[k].kind == NFX_LINK_BRIDGE ||
				 all[k].kind == NFX_LINK_BOND)) {
			status = resolve(cli, all, nall, &all[k], &t);
			if (status)
				goto out_free;
			via = &all[k];
		} else {
			add_target(&t, argv[i], NULL);
		}
	}
	if (cli->json) {
		cli_json_begin(cli);
		/* the (last) bridge or bond named; each port says its own */
		if (via) {
			json_obj_begin(&cli->j, "via");
			json_str(&cli->j, via->kind == NFX_LINK_BOND ? "bond" : "bridge",
				 via->name);
			json_obj_end(&cli->j);
		} else {
			json_null(&cli->j, "via");
		}
	}
	status = apply_ports(cli, live, t.port, t.via, t.n, req, 0, "interfaces");
	if (cli->json)
		cli_json_end(cli, status);
out_free:
	free(t.port);
	free(t.via);
	free(all);
	nfx_live_close(live);
	nfx_featreq_free(req);
	return status;
}
