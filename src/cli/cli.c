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

/* @path of the system under @root ("/" or "" : @path itself) */
static const char *under_root(const char *root, const char *path, char *buf,
			      size_t len)
{
	size_t n = strlen(root);

	while (n && root[n - 1] == '/')
		n--;
	snprintf(buf, len, "%.*s%s", (int)n, root, path);
	return buf;
}

static const struct cli_cmd commands[] = {
	{ "diagnose", cmd_diagnose, "diagnose [--input FILE|-] [--since WHEN]",
	  "Find NIC hangs in the kernel log (this boot's, or FILE in any\n"
	  "format: dmesg, journalctl, syslog), group them per interface and\n"
	  "say what to run. Exit 1 when a hang is found, 0 when none." },
	{ "status", cmd_status, "status [IFACE...]",
	  "Show driver, bridge or bond membership and the live offload\n"
	  "features of each interface (all of them when none is named)." },
	{ "apply", cmd_apply, "apply IFACE... [-f FEATURES]",
	  "Turn the features off now, over ethtool netlink, and read them\n"
	  "back; a bridge or bond means its physical ports. FEATURES is a\n"
	  "comma list of short names (tso,gso,gro,...) or kernel names; the\n"
	  "default is tso,gso,gro." },
	{ "persist", cmd_persist,
	  "persist IFACE [PORT...] [-f FEATURES] [-n|--dry-run] [--apply] [--allow-conflict] [--allow-not-behind]",
	  "Add 'post-up ethtool -K PORT ... off || true' to the stanza of the\n"
	  "bridge IFACE that ifupdown and Proxmox VE both keep (the last inet\n"
	  "one, before any blank line in it), one line per port; without PORT,\n"
	  "the physical ports behind the bridge. A NIC in no bridge gets the\n"
	  "line in its own stanza, when auto or allow-hotplug brings it up.\n"
	  "With pending Proxmox VE changes, interfaces.new is edited alike.\n"
	  "Idempotent, atomic, with a backup (the last 10 kept).\n"
	  "-f may repeat; --dry-run prints the diff(s) and changes nothing,\n"
	  "--apply also turns the features off now.\n"
	  "Overrides, each for its own refusal only:\n"
	  "  --allow-conflict    a line turns a requested feature on: turn it off\n"
	  "  --allow-not-behind  a PORT that is not behind the bridge" },
	{ "unpersist", cmd_persist,
	  "unpersist IFACE [PORT...] [-f FEATURES] [-n|--dry-run] [--allow-not-behind]",
	  "Remove the requested features (default tso,gso,gro) from the offload\n"
	  "lines of those ports, and a line left with no feature; every other\n"
	  "word and line is kept. A stale port (no longer behind the bridge)\n"
	  "may be named." },
	{ "undo", cmd_undo, "undo [-n|--dry-run]",
	  "Restore the file (and interfaces.new) as they were before nicfix's\n"
	  "last edit, when they are unchanged since; else refuse and show the\n"
	  "diff." },
	{ "check", cmd_check, "check [BRIDGE...] [--no-live] [--apply] [-f FEATURES] [--input FILE] [--format text|nagios|checkmk]",
	  "Verify that every NIC of each bridge is covered by a line that runs,\n"
	  "that no line is at risk and, unless --no-live,\n"
	  "that the live state matches; --apply re-applies what drifted.\n"
	  "--format nagios: one plugin line with perfdata, exit 0 OK, 1 WARNING,\n"
	  "2 CRITICAL (a hang this boot, offloads on), 3 UNKNOWN; --format\n"
	  "checkmk: Checkmk local-check lines, one service per NIC." },
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
	fprintf(f, "\nnicfix help [COMMAND] | --help | --version | COMMAND --help\n"
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
	static char if_path[4096], backup_path[4096];
	struct cli cli = { 0 };
	const struct cli_cmd *c;
	const char *env;
	int opt, status;

	cli.interfaces = getenv("NICFIX_INTERFACES");
	if (cli.interfaces && !*cli.interfaces)
		cli.interfaces = NULL;
	cli.cfg.root = env_or("NICFIX_ROOT", "/");
	cli.cfg.lensdir = env_or("NICFIX_LENS_DIR", NICFIX_LENSPATH);
	cli.cfg.backup_dir = env_or("NICFIX_BACKUP_DIR", NULL);
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
	/* "nicfix help [COMMAND]" */
	if (!strcmp(argv[optind], "help")) {
		c = optind + 1 < argc ? find_cmd(argv[optind + 1]) : NULL;
		if (!c) {
			usage(stdout);
			return optind + 1 < argc ? EXIT_USAGE : EXIT_OK;
		}
		cli.cmd = c->name;
		return cli_usage(&cli, false);
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		fprintf(stderr, "nicfix: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	cli.cmd = c->name;
	/* --root: the default paths are the system's under DIR */
	if (!cli.interfaces)
		cli.interfaces = under_root(cli.cfg.root, "/etc/network/interfaces",
					    if_path, sizeof(if_path));
	if (!cli.cfg.backup_dir)
		cli.cfg.backup_dir = under_root(cli.cfg.root, "/var/backups/nicfix",
						backup_path, sizeof(backup_path));
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
