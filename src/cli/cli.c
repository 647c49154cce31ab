/* cli.c - main() for nicfix: global options, command table, exit status */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef NICFIX_VERSION
#define NICFIX_VERSION "0.0"
#endif

#ifndef NICFIX_LENSDIR
#define NICFIX_LENSDIR "/usr/share/nicfix/lenses"
#endif
/* a binary built in a tree (not installed) prefers that tree's lens */
#ifdef NICFIX_LENSDIR_BUILD
#define NICFIX_LENSPATH NICFIX_LENSDIR_BUILD ":" NICFIX_LENSDIR
#else
#define NICFIX_LENSPATH NICFIX_LENSDIR
#endif

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

static const struct cli_cmd commands[] = {
	{ "diagnose", cmd_diagnose, "diagnose [--input FILE|-] [--since WHEN]",
	  "Find NIC hangs in the kernel log (this boot's, or FILE in any\n"
	  "format: dmesg, journalctl, syslog), group them per interface and\n"
	  "say what to run. Exit 1 when a hang is found, 0 when none." },
	{ "status", cmd_status, "status [IFACE...]",
	  "Show driver, bridge or bond membership and the live offload\n"
	  "features of each interface (all of them when none is named)." },
	{ "apply", cmd_apply, "apply PORT... [-f FEATURES]",
	  "Turn the features off now, over ethtool netlink, and read them\n"
	  "back. FEATURES is a comma list of short names (tso,gso,gro,...)\n"
	  "or kernel names; the default is tso,gso,gro." },
	{ "persist", cmd_persist,
	  "persist BRIDGE [PORT...] [-f FEATURES] [-n|--dry-run] [--apply] [--force]",
	  "Add 'post-up ethtool -K PORT ... off || true' to the first stanza\n"
	  "of BRIDGE (through Augeas), one line per port; without PORT, the\n"
	  "physical ports behind the bridge. Idempotent, atomic, with a backup.\n"
	  "--dry-run prints the diff, --apply also turns the features off now." },
	{ "unpersist", cmd_persist, "unpersist BRIDGE [PORT...] [-n|--dry-run]",
	  "Remove the offload lines of those ports from BRIDGE's stanza." },
	{ "check", cmd_check, "check [BRIDGE...] [--no-live] [--apply]",
	  "Validate the offload lines of each bridge and, unless --no-live,\n"
	  "that the live state matches; --apply re-applies what drifted." },
	{ "watch", cmd_watch,
	  "watch [--config FILE] [--kmsg PATH] [--state DIR] [--metrics PATH] [--sendmail PATH] [--tail] [--once]",
	  "The daemon behind nicfix-watch.service: follow /dev/kmsg (kernel\n"
	  "records only) and, the first time a hang appears on a port whose\n"
	  "offloads are on, turn them off, read them back, log one line,\n"
	  "write the metrics and mail root. Options in /etc/default/nicfix;\n"
	  "every path is a flag: also --sysfs DIR, --log-socket PATH;\n"
	  "--no-metrics, --no-mail; --test-accept-user-facility (tests only:\n"
	  "it lets anyone who can write to /dev/kmsg forge a hang)." },
	{ "metrics", cmd_metrics, "metrics [--state DIR]",
	  "Print Prometheus text: per device the offload state, whether the\n"
	  "fix is persisted, and the watch daemon's counters (from DIR,\n"
	  "default /run/nicfix)." },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find_cmd(const char *name)
{
	size_t i;

	/* exact names only: prefix matching makes scripts fragile */
	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: nicfix [-i FILE] [--root DIR] [--json] [-q] [-v] COMMAND [ARGS]\n\n"
		   "Commands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fprintf(f, "\nnicfix --help | --version | COMMAND --help\n"
		   "Exit status: 0 ok, 1 problem found, 2 usage or invalid input, "
		   "3 system error.\n");
}

int cli_usage(struct cli *cli, bool usage_error)
{
	const struct cli_cmd *c = find_cmd(cli->cmd);
	FILE *f = usage_error ? stderr : stdout;

	fprintf(f, "usage: nicfix %s\n", c->synopsis);
	if (!usage_error)
		fprintf(f, "\n%s\n", c->help);
	return usage_error ? EXIT_USAGE : EXIT_OK;
}

int cli_error(struct cli *cli, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cli->error, sizeof(cli->error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "nicfix: %s\n", cli->error);
	return status;
}

void cli_warn(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	(void)cli;
	fputs("nicfix: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_status(int code)
{
	switch (code) {
	case -EINVAL:
	case -ENODEV:
	case -ENOENT:
	case -ELOOP:
	case -ENAMETOOLONG:
	case -EEXIST:
	case -EISDIR:
	case -EFBIG:
		return EXIT_USAGE;
	default:
		return EXIT_SYSTEM;
	}
}

void cli_json_begin(struct cli *cli)
{
	json_init(&cli->j, stdout);
	json_obj_begin(&cli->j, NULL);
	json_str(&cli->j, "command", cli->cmd);
}

void cli_json_end(struct cli *cli, int status)
{
	json_int(&cli->j, "exit", status);
	json_obj_end(&cli->j);
	json_finish(&cli->j);
	cli->json_done = true;
}

int cli_live_open(struct cli *cli, struct nfx_live **ret_live)
{
	struct nfx_err err = { 0 };
	int ret;

	ret = nfx_live_open(ret_live, cli->live_flags, &err);
	if (ret < 0)
		return cli_error(cli, EXIT_SYSTEM, "%s", err.msg);
	return 0;
}

int cli_check_ifnames(struct cli *cli, int n, char **names)
{
	struct nfx_err err = { 0 };
	int i;

	for (i = 0; i < n; i++) {
		if (nfx_ifname_check(names[i], &err) < 0) {
			const char *c = names[i];

			/* the name itself may be what is unprintable: a
			 * control or non-ASCII byte is not echoed (an
			 * escape sequence would reach the terminal)
			 */
			while (*c >= ' ' && *c < 0x7f)
				c++;
			if (strlen(names[i]) < 64 && !*c)
				return cli_error(cli, EXIT_USAGE, "%s: %s",
						 names[i], err.msg);
			return cli_error(cli, EXIT_USAGE, "%s", err.msg);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interfaces", required_argument, NULL, 'i' },
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct cli cli = { 0 };
	const struct cli_cmd *c;
	const char *env;
	int opt, status;

	cli.interfaces = getenv("NICFIX_INTERFACES");
	if (!cli.interfaces || !*cli.interfaces)
		cli.interfaces = "/etc/network/interfaces";
	cli.cfg.root = env_or("NICFIX_ROOT", "/");
	cli.cfg.lensdir = env_or("NICFIX_LENS_DIR", NICFIX_LENSPATH);
	cli.cfg.backup_dir = env_or("NICFIX_BACKUP_DIR", "/var/backups/nicfix");
	cli.cfg.lock_timeout_ms = atoi(env_or("NICFIX_LOCK_TIMEOUT", "10000"));
	env = getenv("NICFIX_FORCE_IOCTL");
	if (env && !strcmp(env, "1"))
		cli.live_flags |= NFX_LIVE_IOCTL;

	/* '+': global options stop at the command name */
	while ((opt = getopt_long(argc, argv, "+i:jqvhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			cli.interfaces = optarg;
			break;
		case 'r':
			cli.cfg.root = optarg;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'q':
			cli.quiet = true;
			break;
		case 'v':
			cli.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("nicfix %s\n", NICFIX_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		fprintf(stderr, "nicfix: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	cli.cmd = c->name;
	cli.cfg.path = cli.interfaces;
	argc -= optind;
	argv += optind;
	optind = 0; /* restart getopt for the subcommand, argv[0] = name */
	status = c->fn(&cli, argc, argv);
	if (cli.json && !cli.json_done) {
		cli_json_begin(&cli);
		if (cli.error[0])
			json_str(&cli.j, "error", cli.error);
		cli_json_end(&cli, status);
	}
	if (fflush(stdout) == EOF && status == EXIT_OK)
		status = EXIT_SYSTEM;
	return status;
}
