/* cmd-undo.c - nicfix undo: put back the files of nicfix's last edit */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int cmd_undo(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nfx_undo res = { 0 };
	struct nfx_err err = { 0 };
	unsigned int flags = 0;
	int opt, ret, status = EXIT_OK;
	size_t i;

	while ((opt = cli_getopt(cli, argc, argv, "nh", opts)) != -1) {
		switch (opt) {
		case 'n':
			flags |= NFX_PERSIST_DRY_RUN;
			break;
		case 'h':
			return cli_usage(cli, false);
		default:
			return cli_usage(cli, true);
		}
	}
	if (cli_operands_left(cli, argc, argv))
		return EXIT_USAGE;
	ret = nfx_undo(&cli->cfg, flags, &res, &err);
	if (ret < 0)
		return cli_error(cli, cli_status(ret), "%s", err.msg);
	if (res.refused)
		status = cli_error(cli, EXIT_USAGE,
				   "%s changed since nicfix's last edit: not undone (the diff below is what undo would revert; restore by hand from the backup)",
				   res.nfiles ? res.files[0].path : "the file");
	if (cli->json) {
		/* a refusal is the envelope's "error" (exit 2) */
		cli_json_begin(cli);
		json_bool(&cli->j, "dry_run", flags & NFX_PERSIST_DRY_RUN);
		json_bool(&cli->j, "changed", res.changed && !res.refused);
		json_arr_begin(&cli->j, "files");
		for (i = 0; i < res.nfiles; i++) {
			json_obj_begin(&cli->j, NULL);
			json_str(&cli->j, "path", res.files[i].path);
			json_bool(&cli->j, "pending", res.files[i].pending);
			json_bool(&cli->j, "changed", res.files[i].changed && !res.refused);
			json_str(&cli->j, "backup", res.files[i].backup);
			json_str(&cli->j, "diff", res.files[i].diff);
			json_obj_end(&cli->j);
		}
		json_arr_end(&cli->j);
		cli_json_end(cli, status);
	} else if (!cli->quiet) {
		if (res.nothing)
			printf("nothing to undo: no edit of nicfix's on record\n");
		if (res.refused || (flags & NFX_PERSIST_DRY_RUN))
			fputs(res.diff, res.refused ? stderr : stdout);
		else
			for (i = 0; i < res.nfiles; i++)
				printf("%s: %s\n", res.files[i].path,
				       res.files[i].changed ? "restored" : "unchanged");
	}
	nfx_undo_done(&res);
	return status;
}
