/* cli.h - what the nicfix subcommands share: options, errors, exit codes */
#ifndef NICFIX_CLI_H
#define NICFIX_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "nicfix.h"
#include "output.h"

/* exit statuses, DESIGN.md */
enum {
	EXIT_OK = 0,
	EXIT_FINDING = 1, /* drift, hang, verification failed */
	EXIT_USAGE = 2,	  /* usage error or invalid input */
	EXIT_SYSTEM = 3,  /* I/O, netlink, permission, lock */
};

/**
 * struct cli - global options and output state
 * @interfaces: -i FILE or $NICFIX_INTERFACES
 * @cfg: where the configuration lives: --root (or $NICFIX_ROOT),
 *	$NICFIX_LENS_DIR, $NICFIX_BACKUP_DIR, $NICFIX_LOCK_TIMEOUT (ms)
 * @json: --json; @quiet: -q; @verbose: -v
 * @live_flags: NFX_LIVE_* (NICFIX_FORCE_IOCTL=1 sets NFX_LIVE_IOCTL)
 * @cmd: name of the running subcommand (NULL before one is known)
 * @j: the JSON writer on stdout
 * @json_done: the subcommand printed its JSON object
 * @error: the last error line, as on stderr without "nicfix: ", for the
 *	JSON "error" object ("" when none)
 * @error_file: the file the error is in ("" when none) and
 * @error_line: its 1-based line (0 when none): taken from a leading
 *	"FILE:LINE: " of @error
 * @error_on_finding: exit 1 is an error here (a change failed to
 *	verify), not a finding: the JSON object then carries @error
 */
struct cli {
	const char *interfaces;
	struct nfx_cfgopts cfg;
	bool json;
	bool quiet;
	bool verbose;
	unsigned int live_flags;
	const char *cmd;
	struct json j;
	bool json_done;
	char error[640];
	char error_file[512];
	unsigned long error_line;
	bool error_on_finding;
};

/* the version of the JSON objects' shape, schema/nicfix.schema.json */
#define CLI_JSON_SCHEMA 1

struct cli_cmd {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *synopsis;
	const char *help;
};

/**
 * cli_error() - print "nicfix: <msg>" on stderr, keep it for --json
 * Return: @status.
 */
int cli_error(struct cli *cli, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * cli_getopt() - getopt_long() for a subcommand, with nicfix's messages
 *
 * Prints "nicfix: unrecognized option '--x'" (never the command's name as
 * a program name) and keeps it for --json.  Return: as getopt_long(),
 * '?' for every error.
 */
int cli_getopt(struct cli *cli, int argc, char **argv, const char *optstring,
	       const struct option *longopts);

/**
 * cli_operands_left() - after cli_getopt() of a command that takes none:
 * the usage error for a word left over
 * Return: true when there was one (its status is EXIT_USAGE).
 */
bool cli_operands_left(struct cli *cli, int argc, char **argv);

/** cli_warn() - print "nicfix: warning: <msg>" on stderr */
void cli_warn(struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** cli_status() - exit status for a core -errno */
int cli_status(int code);

/**
 * cli_help() - handle -h/--help and print usage errors for a command
 * @cli: state
 * @usage_error: true: print the synopsis on stderr, return EXIT_USAGE
 */
int cli_usage(struct cli *cli, bool usage_error);

/**
 * cli_json_begin() - open the top-level object: "schema", "command"
 */
void cli_json_begin(struct cli *cli);
/**
 * cli_json_end() - close it with "ok", "exit" and "error", mark it printed
 * @status: the exit status; "error" is an object for 2 and 3, and for 1
 *	when @cli->error_on_finding; null otherwise
 */
void cli_json_end(struct cli *cli, int status);

/**
 * cli_json_features() - a STATE list: "features":[{"name","state","fixed",
 *	"bits":[{"name","state","fixed"}]}] of @names on this device
 * @key: the member name ("features")
 * @f: the device's features
 * @names: short or kernel names; those the device has none of are left out
 * @n: how many
 */
void cli_json_features(struct cli *cli, const char *key,
		       const struct nfx_features *f, const char *const *names,
		       size_t n);

/** cli_json_names() - an array of strings, "key":["tso","gso"] */
void cli_json_names(struct cli *cli, const char *key, const char *const *names,
		    size_t n);

/** cli_live_open() - nfx_live_open() with the error printed */
int cli_live_open(struct cli *cli, struct nfx_live **ret_live);

/** cli_check_ifnames() - validate names; print the first bad one */
int cli_check_ifnames(struct cli *cli, int n, char **names);

/**
 * cli_apply_ports() - nfx_apply() each port, print the reports
 * @flags: NFX_APPLY_*
 * Return: exit status.
 */
int cli_apply_ports(struct cli *cli, struct nfx_live *live, char *const *ports,
		    int n, const struct nfx_featreq *req, unsigned int flags);

/**
 * cli_apply_ports_key() - cli_apply_ports(), the JSON array under @key
 *	(cli_apply_ports() uses "interfaces"; persist --apply "live")
 */
int cli_apply_ports_key(struct cli *cli, struct nfx_live *live,
			char *const *ports, int n,
			const struct nfx_featreq *req, unsigned int flags,
			const char *key);
/** cli_apply_ports_as() - the same, @key first (edits' spelling) */
int cli_apply_ports_as(struct cli *cli, const char *key, struct nfx_live *live,
		       char *const *ports, int n, const struct nfx_featreq *req,
		       unsigned int flags);

int cmd_diagnose(struct cli *cli, int argc, char **argv);
int cmd_apply(struct cli *cli, int argc, char **argv);
int cmd_persist(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_undo(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_watch(struct cli *cli, int argc, char **argv);	/* src/watch/ */
int cmd_metrics(struct cli *cli, int argc, char **argv);
int cmd_help(struct cli *cli, int argc, char **argv);

#endif
