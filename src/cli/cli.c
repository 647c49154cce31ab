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
	{ "status", cmd_status, "status [IFACE...] [-a|--all] [--driver NAME]",
	  "A table of the physical NICs, bonds and bridges: driver, link,\n"
	  "bridge and the live state of tso, gso and gro. -a adds every\n"
	  "other link (veth peers, taps, VLANs); --driver NAME shows only\n"
	  "that driver's links; named interfaces are always shown. -v shows\n"
	  "each interface in full, with the kernel bits behind each name." },
	{ "apply", cmd_apply, "apply IFACE... [-f FEATURES]",
	  "Turn the features off now, over ethtool netlink, and read them\n"
	  "back; one line per port in short names, -v adds the kernel bits.\n"
	  "A bridge or bond means its physical ports. FEATURES is a comma\n"
	  "list of short names (tso,gso,gro,...) or kernel names; the\n"
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
	{ "help", cmd_help, "help [COMMAND]",
	  "Print the usage of nicfix, or of COMMAND." },
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

static const char global_usage[] =
	"usage: nicfix [-i FILE] [--root DIR] [--json] [-q] [-v] COMMAND [ARGS]";

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "%s\n\nCommands:\n", global_usage);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fprintf(f, "\nnicfix help [COMMAND] | --help | --version | COMMAND --help\n"
		   "The global options may also follow the command.\n"
		   "Exit status: 0 ok, 1 problem found, 2 usage or invalid input, "
		   "3 system error.\n");
}

/* --help and help under --json: the usage as data */
static void usage_json(struct cli *cli, const struct cli_cmd *only)
{
	size_t i;

	cli->cmd = "help";
	cli_json_begin(cli);
	json_str(&cli->j, "usage", global_usage + strlen("usage: "));
	json_arr_begin(&cli->j, "commands");
	for (i = 0; i < N_COMMANDS; i++) {
		if (only && only != &commands[i])
			continue;
		json_obj_begin(&cli->j, NULL);
		json_str(&cli->j, "name", commands[i].name);
		json_str(&cli->j, "synopsis", commands[i].synopsis);
		json_str(&cli->j, "help", commands[i].help);
		json_obj_end(&cli->j);
	}
	json_arr_end(&cli->j);
	cli_json_end(cli, EXIT_OK);
}

int cli_usage(struct cli *cli, bool usage_error)
{
	const struct cli_cmd *c = find_cmd(cli->cmd);

	if (usage_error) {
		fprintf(stderr, "usage: nicfix %s\n", c->synopsis);
		if (!cli->error[0])
			snprintf(cli->error, sizeof(cli->error),
				 "usage: nicfix %s", c->synopsis);
		return EXIT_USAGE;
	}
	if (cli->json)
		usage_json(cli, c);
	else
		printf("usage: nicfix %s\n\n%s\n", c->synopsis, c->help);
	return EXIT_OK;
}

int cmd_help(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_cmd *c = NULL;
	int opt;

	while ((opt = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (opt != 'h')
			return cli_usage(cli, true);
	}
	if (argc - optind > 1) {
		cli_error(cli, EXIT_USAGE, "help: more than one command named");
		return cli_usage(cli, true);
	}
	if (optind < argc) {
		c = find_cmd(argv[optind]);
		if (!c)
			return cli_error(cli, EXIT_USAGE,
					 "help: unknown command '%s'",
					 argv[optind]);
	}
	if (cli->json) {
		usage_json(cli, c);
	} else if (c) {
		cli->cmd = c->name;
		return cli_usage(cli, false);
	} else {
		usage(stdout);
	}
	return EXIT_OK;
}

/* Keep "FILE:LINE: " of a message apart for the JSON error object. */
static void error_location(struct cli *cli)
{
	const char *m = cli->error, *colon, *p;
	size_t len;

	cli->error_file[0] = '\0';
	cli->error_line = 0;
	colon = strchr(m, ':');
	if (!colon || colon == m)
		return;
	for (p = m; p < colon; p++)
		if (*p == ' ')
			return; /* "invalid interface name: ..." */
	for (p = colon + 1; *p >= '0' && *p <= '9'; p++)
		;
	if (p == colon + 1 || colon[1] == '0' || strncmp(p, ": ", 2))
		return;
	len = (size_t)(colon - m);
	if (len >= sizeof(cli->error_file))
		return;
	memcpy(cli->error_file, m, len);
	cli->error_file[len] = '\0';
	cli->error_line = strtoul(colon + 1, NULL, 10);
}

int cli_error(struct cli *cli, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cli->error, sizeof(cli->error), fmt, ap);
	va_end(ap);
	error_location(cli);
	fprintf(stderr, "nicfix: %s\n", cli->error);
	return status;
}

int cli_getopt(struct cli *cli, int argc, char **argv, const char *optstring,
	       const struct option *longopts)
{
	char spec[64];
	int opt, idx = optind ? optind : 1;

	/* ':' first: a missing argument is told apart from an unknown option */
	snprintf(spec, sizeof(spec), ":%s", optstring);
	opterr = 0;
	opt = getopt_long(argc, argv, spec, longopts, NULL);
	if (opt == '?') {
		if (optopt)
			cli_error(cli, EXIT_USAGE, "invalid option -- '%c'", optopt);
		else
			cli_error(cli, EXIT_USAGE, "unrecognized option '%s'",
				  argv[optind - 1 >= idx ? optind - 1 : idx]);
	} else if (opt == ':') {
		if (optopt && optind - 1 < argc && strncmp(argv[optind - 1], "--", 2))
			cli_error(cli, EXIT_USAGE,
				  "option requires an argument -- '%c'", optopt);
		else
			cli_error(cli, EXIT_USAGE,
				  "option '%s' requires an argument",
				  argv[optind - 1]);
		opt = '?';
	}
	return opt;
}

bool cli_operands_left(struct cli *cli, int argc, char **argv)
{
	if (optind >= argc)
		return false;
	cli_error(cli, EXIT_USAGE, "%s: unexpected argument '%s'", cli->cmd,
		  argv[optind]);
	cli_usage(cli, true);
	return true;
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
	json_int(&cli->j, "schema", CLI_JSON_SCHEMA);
	json_str(&cli->j, "command", cli->cmd);
}

void cli_json_end(struct cli *cli, int status)
{
	struct json *j = &cli->j;

	json_bool(j, "ok", status == EXIT_OK);
	json_int(j, "exit", status);
	if (status >= EXIT_USAGE ||
	    (status == EXIT_FINDING && cli->error_on_finding)) {
		json_obj_begin(j, "error");
		json_str(j, "message", cli->error[0] ? cli->error :
				       status == EXIT_USAGE ? "usage error" :
				       status == EXIT_FINDING ? "verification failed" :
							      "system error");
		json_str(j, "file", cli->error_file[0] ? cli->error_file : NULL);
		if (cli->error_line)
			json_int(j, "line", (long long)cli->error_line);
		else
			json_null(j, "line");
		json_obj_end(j);
	} else {
		json_null(j, "error");
	}
	json_obj_end(j);
	json_finish(j);
	cli->json_done = true;
}

void cli_json_names(struct cli *cli, const char *key, const char *const *names,
		    size_t n)
{
	size_t i;

	json_arr_begin(&cli->j, key);
	for (i = 0; i < n; i++)
		json_str(&cli->j, NULL, names[i]);
	json_arr_end(&cli->j);
}

void cli_json_features(struct cli *cli, const char *key,
		       const struct nfx_features *f, const char *const *names,
		       size_t n)
{
	struct json *j = &cli->j;
	size_t i, b;

	json_arr_begin(j, key);
	for (i = 0; f && i < n; i++) {
		const char *bit;
		bool fixed, on;
		enum nfx_state s = nfx_features_state(f, names[i], &fixed);

		if (s == NFX_STATE_NONE)
			continue;
		json_obj_begin(j, NULL);
		json_str(j, "name", names[i]);
		json_str(j, "state", nfx_state_name(s));
		json_bool(j, "fixed", fixed);
		json_arr_begin(j, "bits");
		for (b = 0; (bit = nfx_features_bit(f, names[i], b, &on, &fixed)); b++) {
			json_obj_begin(j, NULL);
			json_str(j, "name", bit);
			json_str(j, "state", on ? "on" : "off");
			json_bool(j, "fixed", fixed);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
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

/* The global options, also after the command name ("nicfix status
 * --json"): a subcommand never sees them.
 */
static const struct option global_opts[] = {
	{ "interfaces", required_argument, NULL, 'i' },
	{ "root", required_argument, NULL, 'r' },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

/* the subcommands' options that take a separate value, which may look
 * like a global option ("-f -v" is not meant, but "--input -q" may be)
 */
static bool takes_value(const char *arg)
{
	static const char *const v[] = { "-f", "--features", "--input",
					 "--since", "--driver" };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!strcmp(arg, v[i]))
			return true;
	return false;
}

/* Take one global option at argv[*i] after the command; Return: true if
 * it was one (and *i moved past its value).
 */
static bool global_after(struct cli *cli, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
		cli->json = true;
	} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
		cli->quiet = true;
	} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
		cli->verbose = true;
	} else if (!strncmp(a, "--interfaces=", 13)) {
		cli->interfaces = a + 13;
	} else if (!strncmp(a, "--root=", 7)) {
		cli->cfg.root = a + 7;
	} else if (!strcmp(a, "-i") || !strcmp(a, "--interfaces") ||
		   !strcmp(a, "--root")) {
		if (*i + 1 >= argc)
			return false; /* the command's getopt says so */
		if (a[1] == 'i' || a[2] == 'i')
			cli->interfaces = argv[*i + 1];
		else
			cli->cfg.root = argv[*i + 1];
		(*i)++;
	} else if (!strncmp(a, "-i", 2)) {
		cli->interfaces = a + 2;
	} else {
		return false;
	}
	return true;
}

/* Is --json anywhere (before "--")?  Known before the first error. */
static bool wants_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			return true;
		if (takes_value(argv[i]) || !strcmp(argv[i], "-i") ||
		    !strcmp(argv[i], "--interfaces") || !strcmp(argv[i], "--root"))
			i++;
	}
	return false;
}

static int run(struct cli *cli, int argc, char **argv)
{
	static char if_path[4096], backup_path[4096];
	const struct cli_cmd *c;
	int opt, i, n;

	/* '+': the global options before the command name stop at it */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:i:jqvhV", global_opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			cli->interfaces = optarg;
			break;
		case 'r':
			cli->cfg.root = optarg;
			break;
		case 'j':
			cli->json = true;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'h':
			if (cli->json)
				usage_json(cli, NULL);
			else
				usage(stdout);
			return EXIT_OK;
		case 'V':
			if (cli->json) {
				cli->cmd = "version";
				cli_json_begin(cli);
				json_str(&cli->j, "version", NICFIX_VERSION);
				cli_json_end(cli, EXIT_OK);
			} else {
				printf("nicfix %s\n", NICFIX_VERSION);
			}
			return EXIT_OK;
		case ':':
			cli_error(cli, EXIT_USAGE, "option '%s' requires an argument",
				  argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		default:
			if (optopt)
				cli_error(cli, EXIT_USAGE, "invalid option -- '%c'", optopt);
			else
				cli_error(cli, EXIT_USAGE, "unrecognized option '%s'",
					  argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error(cli, EXIT_USAGE, "no command given");
		usage(stderr);
		return EXIT_USAGE;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		cli_error(cli, EXIT_USAGE, "unknown command '%s'", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	cli->cmd = c->name;
	/* a daemon and Prometheus text have no object to print: refused
	 * under --json rather than text before an object
	 */
	if (cli->json && (c->fn == cmd_watch || c->fn == cmd_metrics))
		return cli_error(cli, EXIT_USAGE, "%s has no --json output", c->name);
	argc -= optind;
	argv += optind;
	/* the global options after the command name leave its argv */
	for (i = n = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (global_after(cli, argc, argv, &i))
			continue;
		argv[n++] = argv[i];
		if (takes_value(argv[i]) && i + 1 < argc)
			argv[n++] = argv[++i];
	}
	argv[n] = NULL;
	/* --root: the default paths are the system's under DIR */
	if (!cli->interfaces)
		cli->interfaces = under_root(cli->cfg.root, "/etc/network/interfaces",
					     if_path, sizeof(if_path));
	if (!cli->cfg.backup_dir)
		cli->cfg.backup_dir = under_root(cli->cfg.root, "/var/backups/nicfix",
						 backup_path, sizeof(backup_path));
	cli->cfg.path = cli->interfaces;
	optind = 0; /* restart getopt for the subcommand, argv[0] = name */
	return c->fn(cli, n, argv);
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const char *env;
	int status;

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
	cli.json = wants_json(argc, argv);

	status = run(&cli, argc, argv);
	/* --json: one object on stdout whatever happened */
	if (cli.json && !cli.json_done) {
		cli_json_begin(&cli);
		cli_json_end(&cli, status);
	}
	if (fflush(stdout) == EOF && status == EXIT_OK)
		status = EXIT_SYSTEM;
	return status;
}
