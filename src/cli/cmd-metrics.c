/* cmd-metrics.c - nicfix metrics: Prometheus text on stdout, the same the
 * watch daemon writes for node_exporter's textfile collector
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_metrics(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = "/run/nicfix";
	struct nfx_metric_dev *devs = NULL;
	struct nfx_wstate *st = NULL;
	struct nfx_live *live = NULL;
	struct nfx_err err = { 0 };
	char path[PATH_MAX];
	size_t n = 0, len = 0;
	char *text = NULL;
	int opt, ret, status = EXIT_OK;

	while ((opt = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (opt) {
		case 's':
			dir = optarg;
			break;
		case 'h':
			return cli_usage(cli, false);
		default:
			return cli_usage(cli, true);
		}
	}
	if (cli_operands_left(cli, argc, argv))
		return EXIT_USAGE;
	st = malloc(sizeof(*st));
	if (!st)
		return cli_error(cli, EXIT_SYSTEM, "out of memory");
	snprintf(path, sizeof(path), "%s/watch.state", dir);
	ret = nfx_wstate_load(st, path, &err);
	if (ret == -EINVAL)
		cli_warn(cli, "%s", err.msg);
	if (ret < 0) {
		/* no daemon ran this boot: the live facts alone */
		free(st);
		st = NULL;
	}
	status = cli_live_open(cli, &live);
	if (status)
		goto out;
	ret = nfx_metrics_gather(live, &cli->cfg, st, "tso,gso,gro", &devs, &n,
				 &err);
	if (ret < 0) {
		status = cli_error(cli, EXIT_SYSTEM, "%s", err.msg);
		goto out;
	}
	text = nfx_metrics_render(devs, n, st, &len);
	if (!text) {
		status = cli_error(cli, EXIT_SYSTEM, "out of memory");
		goto out;
	}
	if (cli->json) {
		cli_json_begin(cli);
		json_bool(&cli->j, "ok", true);
		json_strn(&cli->j, "text", text, len);
		cli_json_end(cli, status);
	} else {
		fwrite(text, 1, len, stdout);
	}
out:
	free(text);
	free(devs);
	free(st);
	nfx_live_close(live);
	return status;
}
