/* cmd-diagnose.c - nicfix diagnose: find the hang in the kernel log */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/**
 * struct source - where the log comes from
 * @name: for messages: the file, "-" for standard input, or the source
 * @file: @name is a file, so errors are "FILE:LINE: reason"
 * @lines: how many lines were read
 */
struct source {
	const char *name;
	bool file;
	unsigned long lines;
};

/* Feed every record of @kl to @d.  Return: exit status. */
static int scan(struct cli *cli, struct nfx_klog *kl, struct nfx_diag *d,
		struct source *src)
{
	struct nfx_err err = { 0 };
	int ret = nfx_diag_feed(d, kl, &src->lines, &err);

	if (ret == 0)
		return EXIT_OK;
	if (ret == -EINVAL && src->file)
		return cli_error(cli, EXIT_USAGE, "%s:%lu: %s", src->name,
				 src->lines + 1, err.msg);
	if (ret == -EINVAL)
		return cli_error(cli, EXIT_USAGE, "%s: %s", src->name, err.msg);
	return cli_error(cli, ret == -EISDIR ? EXIT_USAGE : EXIT_SYSTEM,
			 "%s: %s", src->name, err.msg);
}

static int read_input(struct cli *cli, const char *path,
		      const struct nfx_klog_opts *ko, struct nfx_diag *d,
		      struct source *src)
{
	struct nfx_klog *kl = NULL;
	struct nfx_err err = { 0 };
	int fd = 0, ret, status;

	src->name = path;
	src->file = true;
	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			status = cli_error(cli, cli_status(ret), "%s: %s", path,
					   strerror(-ret));
			snprintf(cli->error_file, sizeof(cli->error_file), "%s",
				 path);
			return status;
		}
	} else {
		src->name = "(stdin)";
	}
	ret = nfx_klog_open_fd(fd, ko, &kl, &err);
	if (ret < 0)
		status = cli_error(cli, EXIT_SYSTEM, "%s", err.msg);
	else
		status = scan(cli, kl, d, src);
	nfx_klog_close(kl, NULL);
	if (fd > 0)
		close(fd);
	return status;
}

static int read_host(struct cli *cli, const char *since,
		     const struct nfx_klog_opts *ko, struct nfx_diag *d,
		     struct source *src)
{
	struct nfx_err err = { 0 };
	int ret;

	src->file = false;
	src->name = "the kernel log";
	ret = nfx_diag_read_host(d, since, ko, &src->name, &src->lines, &err);
	if (ret == 0)
		return EXIT_OK;
	if (ret == -EINVAL)
		return cli_error(cli, EXIT_USAGE, "%s: %s", src->name, err.msg);
	return cli_error(cli, EXIT_SYSTEM, "%s", err.msg);
}

/**
 * struct facts - what this host says of one event's interface
 * @live: for nfx_diag_advise()
 * @why: why there are none ("" when there are)
 */
struct facts {
	struct nfx_diag_live live;
	char why[600];
	struct nfx_features *feat;
};

/* Does the interfaces file turn off every feature of @ev on its NIC? */
static bool persisted(struct cli *cli, const struct nfx_diag_event *ev)
{
	const char *p = ev->features;
	struct nfx_featreq *req = NULL;
	struct nfx_check_hang h = { .reports = 1 };
	struct nfx_check_opts co = { 0 };
	struct nfx_check c = { 0 };
	bool ok = false;
	size_t i;

	if (!p[0] || nfx_featreq_parse(p, &req, NULL) < 0)
		return false;
	snprintf(h.ifname, sizeof(h.ifname), "%s", ev->ifname);
	co.req = req;
	co.hangs = &h;
	co.nhangs = 1;
	if (nfx_check_config(&cli->cfg, &co, &c, NULL) == 0)
		for (i = 0; i < c.nports; i++)
			if (!strcmp(c.ports[i].name, ev->ifname))
				ok = !c.ports[i].missing;
	nfx_check_done(&c);
	nfx_featreq_free(req);
	return ok;
}

static void get_facts(struct cli *cli, struct nfx_live **live, bool *tried,
		      const struct nfx_diag_event *ev, struct facts *f)
{
	struct nfx_err err = { 0 };

	memset(f, 0, sizeof(*f));
	if (ev->ifname[0])
		f->live.persisted = persisted(cli, ev);
	if (!ev->ifname[0]) {
		snprintf(f->why, sizeof(f->why), "the log names no interface");
		return;
	}
	if (!*tried) {
		*tried = true;
		if (nfx_live_open(live, cli->live_flags, &err) < 0)
			cli_warn(cli, "live facts skipped: %s", err.msg);
	}
	if (!*live) {
		snprintf(f->why, sizeof(f->why), "live facts skipped");
		return;
	}
	bool p = f->live.persisted;

	if (nfx_diag_live_get(*live, ev, &f->live, &err) < 0) {
		snprintf(f->why, sizeof(f->why), "%s",
			 err.code == -ENODEV ? "not on this host: live facts "
					       "skipped" : err.msg);
		f->live.persisted = p;
		return;
	}
	f->live.persisted = p;
	/* the kernel bits behind each name, for --json's STATE list */
	if (cli->json && f->live.features &&
	    nfx_features_get(*live, ev->ifname, &f->feat, &err) < 0)
		f->feat = NULL;
}

/* the fields of a report: as the log names them, and as JSON keys a jq
 * path takes without quotes */
static const struct {
	const char *text, *key;
} ring_names[NFX_RING_MAX] = {
	[NFX_RING_TDH] = { "TDH", "tdh" },
	[NFX_RING_TDT] = { "TDT", "tdt" },
	[NFX_RING_NTU] = { "next_to_use", "next_to_use" },
	[NFX_RING_NTC] = { "next_to_clean", "next_to_clean" },
	[NFX_RING_NTW] = { "next_to_watch", "next_to_watch" },
	[NFX_RING_STATUS] = { "next_to_watch.status", "status" },
	[NFX_RING_JIFFIES] = { "jiffies", "jiffies" },
	[NFX_RING_QUEUE] = { "Tx Queue", "queue" },
};

/* The fields that tell the race, in the log's order. */
static const int ring_shown[] = { NFX_RING_TDH, NFX_RING_TDT, NFX_RING_NTU,
				  NFX_RING_NTC, NFX_RING_STATUS };

static void ring_text(const struct nfx_diag_ring *r, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(ring_shown) / sizeof(ring_shown[0]); i++) {
		int k = ring_shown[i];

		if (!(r->mask & (1u << k)) || len >= size)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s %llx",
					len ? ", " : "", ring_names[k].text, r->v[k]);
	}
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static void print_event(const struct nfx_diag_event *ev, const struct facts *f,
			const struct nfx_diag_advice *adv)
{
	const char *n = ev->ifname[0] ? ev->ifname :
			ev->pci[0]    ? ev->pci :
					"unknown";
	char t[48], ring[256], name[32];
	size_t i;

	printf("%s: %s: %s\n", n, nfx_diag_kind_name(ev->kind), ev->symptom);
	if (ev->driver[0])
		printf("%s: driver %s\n", n, ev->driver);
	if (ev->pci[0])
		printf("%s: pci %s\n", n, ev->pci);
	if (ev->reports) {
		printf("%s: reports %lu", n, ev->reports);
		if (ev->partial)
			printf(" (%lu partial)", ev->partial);
		putchar('\n');
	}
	if (ev->first != NFX_TIME_NONE) {
		printf("%s: first seen %s", n,
		       nfx_klog_time_str(ev->first, ev->clock, t, sizeof(t)));
		if (ev->first_line)
			printf(" (line %lu)", ev->first_line);
		putchar('\n');
		printf("%s: last seen %s\n", n,
		       nfx_klog_time_str(ev->last, ev->clock, t, sizeof(t)));
	} else if (ev->first_line) {
		printf("%s: first seen at line %lu\n", n, ev->first_line);
	}
	if (ev->interval != NFX_TIME_NONE)
		printf("%s: interval %lld.%lld s\n", n, ev->interval / 1000,
		       ev->interval % 1000 / 100);
	if (ev->reports && ev->ring_first.mask) {
		ring_text(&ev->ring_last, ring, sizeof(ring));
		printf("%s: ring %s\n", n, ring);
		printf("%s: ring frozen %s, TDH == next_to_clean %s, "
		       "next_to_watch.status 0 %s\n",
		       n, ev->reports < 2 ? "unknown (one report)" : yes(ev->frozen),
		       yes(ev->stuck), yes(ev->status_zero));
	}
	if (ev->timeouts)
		printf("%s: transmit timeouts %lu\n", n, ev->timeouts);
	if (ev->resets || ev->link_down || ev->link_up)
		printf("%s: resets %lu, link down %lu, link up %lu\n", n,
		       ev->resets, ev->link_down, ev->link_up);
	if (ev->reports && (ev->resets_after || ev->down_after || ev->up_after))
		printf("%s: after the first hang: resets %lu, link down %lu, "
		       "link up %lu\n",
		       n, ev->resets_after, ev->down_after, ev->up_after);
	if (!nfx_diag_is_hang(ev)) {
		printf("%s: no hang: %s\n", n, ev->why);
		if (ev->note[0])
			printf("%s: note: %s\n", n, ev->note);
		return;
	}
	printf("%s: match %s: %s\n", n, nfx_diag_match_name(ev->match), ev->why);
	if (f->why[0])
		printf("%s: %s\n", n, f->why);
	if (f->live.present) {
		printf("%s: bridge %s\n", n,
		       f->live.bridge[0] ? f->live.bridge : "none");
		if (f->live.driver[0] && ev->driver[0] &&
		    strcmp(f->live.driver, ev->driver))
			printf("%s: live driver %s, not %s: is this the host "
			       "the log is from?\n",
			       n, f->live.driver, ev->driver);
	}
	if (f->live.features) {
		const char *p = ev->features;

		printf("%s: live", n);
		for (i = 0; i < 8 && nfx_diag_feature_next(&p, name, sizeof(name)); i++)
			printf("%s %s %s", i ? "," : "", name,
			       nfx_state_name(f->live.state[i]));
		putchar('\n');
	}
	if (adv->off) {
		printf("%s: %s already off: the offloads are not what keeps "
		       "this NIC hanging if the hangs came after they went off\n",
		       n, ev->features);
		if (ev->reports_after_up)
			printf("%s: %lu hang reports came after the first link "
			       "up (%s), when a persisted fix takes effect\n",
			       n, ev->reports_after_up,
			       nfx_klog_time_str(ev->first_up, ev->clock, t,
						 sizeof(t)));
	}
	if (adv->persisted)
		printf("%s: persisted: the interfaces file turns %s off at ifup\n",
		       n, ev->features);
	if (adv->persist[0])
		printf("%s: run: %s%s\n", n, adv->persist,
		       adv->bridge_known ? "" : " (BRIDGE: the bridge the port "
						"is in, on the host the log is from)");
	else if (adv->apply[0] && f->live.present && !adv->persisted)
		printf("%s: not in a bridge: nicfix persist needs one\n", n);
	if (adv->apply[0])
		printf("%s: now: %s\n", n, adv->apply);
	if (ev->note[0])
		printf("%s: note: %s\n", n, ev->note);
}

static void json_ring(struct json *j, const char *key,
		      const struct nfx_diag_ring *r)
{
	char v[24];
	int k;

	json_obj_begin(j, key);
	for (k = 0; k < NFX_RING_MAX; k++) {
		if (!(r->mask & (1u << k)))
			continue;
		snprintf(v, sizeof(v), "%llx", r->v[k]);
		json_str(j, ring_names[k].key, v);
	}
	json_obj_end(j);
}

static void json_time(struct json *j, const char *key, long long t,
		      enum nfx_clock c)
{
	char buf[48];

	if (t == NFX_TIME_NONE)
		json_null(j, key);
	else
		json_str(j, key, nfx_klog_time_str(t, c, buf, sizeof(buf)));
}

static const char *clock_name(enum nfx_clock c)
{
	switch (c) {
	case NFX_CLOCK_WALL:
		return "wall";
	case NFX_CLOCK_BOOT:
		return "boot";
	default:
		return "none";
	}
}

static void json_event(struct cli *cli, const struct nfx_diag_event *ev,
		       const struct facts *f, const struct nfx_diag_advice *adv)
{
	struct json *j = &cli->j;
	const char *names[8];
	char buf[8][32];
	size_t i, n = 0;
	const char *p = ev->features;

	while (n < 8 && nfx_diag_feature_next(&p, buf[n], sizeof(buf[n]))) {
		names[n] = buf[n];
		n++;
	}
	json_obj_begin(j, NULL);
	json_str(j, "interface", ev->ifname[0] ? ev->ifname : NULL);
	json_str(j, "pci", ev->pci[0] ? ev->pci : NULL);
	json_str(j, "driver", ev->driver[0] ? ev->driver : NULL);
	json_str(j, "kind", nfx_diag_kind_name(ev->kind));
	json_bool(j, "hang", nfx_diag_is_hang(ev));
	json_str(j, "match", nfx_diag_match_name(ev->match));
	json_str(j, "symptom", ev->symptom);
	json_int(j, "reports", (long long)ev->reports);
	json_int(j, "partial", (long long)ev->partial);
	json_int(j, "timeouts", (long long)ev->timeouts);
	json_int(j, "resets", (long long)ev->resets);
	json_int(j, "link_down", (long long)ev->link_down);
	json_int(j, "link_up", (long long)ev->link_up);
	json_obj_begin(j, "after_first_hang");
	json_int(j, "resets", (long long)ev->resets_after);
	json_int(j, "link_down", (long long)ev->down_after);
	json_int(j, "link_up", (long long)ev->up_after);
	json_obj_end(j);
	json_str(j, "clock", clock_name(ev->clock));
	json_time(j, "first", ev->first, ev->clock);
	json_time(j, "last", ev->last, ev->clock);
	if (ev->first_line)
		json_int(j, "first_line", (long long)ev->first_line);
	else
		json_null(j, "first_line");
	if (ev->interval == NFX_TIME_NONE) {
		json_null(j, "interval");
	} else {
		char v[32];

		snprintf(v, sizeof(v), "%lld.%03lld", ev->interval / 1000,
			 ev->interval % 1000);
		json_raw(j, "interval", v);
	}
	if (ev->reports) {
		json_ring(j, "ring_first", &ev->ring_first);
		json_ring(j, "ring_last", &ev->ring_last);
	} else {
		json_null(j, "ring_first");
		json_null(j, "ring_last");
	}
	json_bool(j, "frozen", ev->frozen);
	json_bool(j, "tdh_is_next_to_clean", ev->stuck);
	json_bool(j, "status_zero", ev->status_zero);
	json_int(j, "reports_after_first_link_up", (long long)ev->reports_after_up);
	cli_json_names(cli, "features", names, n);
	json_str(j, "why", ev->why);
	json_str(j, "note", ev->note[0] ? ev->note : NULL);
	json_str(j, "bridge", f->live.present && f->live.bridge[0] ?
				      f->live.bridge : NULL);
	if (f->feat) {
		cli_json_features(cli, "live", f->feat, names, n);
	} else if (f->live.features) {
		/* the states without their bits: read before, not now */
		json_arr_begin(j, "live");
		for (i = 0; i < n; i++) {
			if (f->live.state[i] == NFX_STATE_NONE)
				continue;
			json_obj_begin(j, NULL);
			json_str(j, "name", names[i]);
			json_str(j, "state", nfx_state_name(f->live.state[i]));
			json_bool(j, "fixed", false);
			json_arr_begin(j, "bits");
			json_arr_end(j);
			json_obj_end(j);
		}
		json_arr_end(j);
	} else {
		json_null(j, "live");
	}
	json_str(j, "live_driver", f->live.present && f->live.driver[0] ?
					   f->live.driver : NULL);
	json_str(j, "live_skipped", f->why[0] ? f->why : NULL);
	json_bool(j, "persisted", adv->persisted);
	json_bool(j, "offloads_off", adv->off);
	json_arr_begin(j, "advice");
	if (adv->persist[0])
		json_str(j, NULL, adv->persist);
	if (adv->apply[0])
		json_str(j, NULL, adv->apply);
	json_arr_end(j);
	json_obj_end(j);
}

static int report(struct cli *cli, struct nfx_diag *d, const struct source *src,
		  unsigned long lines)
{
	struct nfx_live *live = NULL;
	bool tried = false, hang = false;
	size_t i, n = nfx_diag_count(d);
	int status;

	for (i = 0; i < n; i++)
		hang |= nfx_diag_is_hang(nfx_diag_event(d, i));
	status = hang ? EXIT_FINDING : EXIT_OK;
	if (cli->json) {
		cli_json_begin(cli);
		json_str(&cli->j, "source", src->name);
		json_int(&cli->j, "lines", (long long)lines);
		json_bool(&cli->j, "hang", hang);
		json_int(&cli->j, "undated", (long long)nfx_diag_undated(d));
		json_arr_begin(&cli->j, "events");
	}
	for (i = 0; i < n; i++) {
		const struct nfx_diag_event *ev = nfx_diag_event(d, i);
		struct nfx_diag_advice adv;
		struct facts f;

		memset(&f, 0, sizeof(f));
		if (nfx_diag_is_hang(ev))
			get_facts(cli, &live, &tried, ev, &f);
		nfx_diag_advise(ev, &f.live, &adv);
		if (cli->json)
			json_event(cli, ev, &f, &adv);
		else if (!cli->quiet)
			print_event(ev, &f, &adv);
		nfx_features_free(f.feat);
	}
	nfx_live_close(live);
	if (cli->json) {
		json_arr_end(&cli->j);
		cli_json_end(cli, status);
	} else if (!cli->quiet) {
		if (hang)
			printf("verdict: hang found\n");
		else
			printf("verdict: no hang found (%lu lines of %s)\n",
			       lines, src->name);
	}
	return status;
}

int cmd_diagnose(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'I' },
		{ "since", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nfx_diag_opts dopts = { .since = NFX_TIME_NONE };
	struct nfx_klog_opts ko;
	struct nfx_err err = { 0 };
	struct source src = { 0 };
	struct nfx_diag *d = NULL;
	const char *input = NULL, *since = NULL;
	char since_arg[32];
	int opt, status;

	while ((opt = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (opt) {
		case 'I':
			input = optarg;
			break;
		case 's':
			since = optarg;
			break;
		case 'h':
			return cli_usage(cli, false);
		default:
			return cli_usage(cli, true);
		}
	}
	if (cli_operands_left(cli, argc, argv))
		return EXIT_USAGE;
	nfx_diag_clocks(&ko, !input);
	if (since) {
		if (nfx_klog_parse_since(since, ko.now, &dopts.since, &err) < 0)
			return cli_error(cli, EXIT_USAGE, "--since: %s", err.msg);
		/* journalctl gets the time as nicfix read it */
		nfx_klog_time_str(dopts.since, NFX_CLOCK_WALL, since_arg,
				  sizeof(since_arg));
	}
	if (nfx_diag_new(&dopts, &d, &err) < 0)
		return cli_error(cli, EXIT_SYSTEM, "%s", err.msg);
	if (input)
		status = read_input(cli, input, &ko, d, &src);
	else
		status = read_host(cli, since ? since_arg : NULL, &ko, d, &src);
	if (status == EXIT_OK) {
		nfx_diag_finish(d);
		if (since && nfx_diag_undated(d))
			cli_warn(cli, "--since: %lu records have no date and "
				      "were kept", nfx_diag_undated(d));
		status = report(cli, d, &src, src.lines);
	}
	nfx_diag_free(d);
	return status;
}
