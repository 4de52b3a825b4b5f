/*
 * clv.h — what the files of `xsell clv` share (cmd_clv*.c): the parsed
 * options and the reading of the orders.
 */
#ifndef XS_CLI_CLV_H
#define XS_CLI_CLV_H

#include "cli/cli.h"

#define XS_CLI_CLV "clv"

typedef struct xs_cli_clv_args {
    int predict; /* set before parsing: the options of predict */
    const char *input, *db, *model, *cal_end;
    const char *file_opt; /* an option that only applies to --input */
    xs_clv_read_opts ro;
    long horizon;
    double discount;
    xs_format fmt;
} xs_cli_clv_args;

/* The one option table of the subcommands (cmd_clv_args.c). */
extern const xs_cli_spec xs_cli_clv_spec;

/* Parses fit's or predict's options (argv[0] is the subcommand). Returns
 * -1 to go on, else the exit code (help or error printed). (cmd_clv.c) */
int xs_cli_clv_parse(int argc, char **argv, xs_cli_clv_args *a);
/* Reads the per-customer summaries (--input or --db) and reports the
 * customers dropped. Returns 0 or the exit code (message printed). */
int xs_cli_clv_load(const xs_cli_clv_args *a, xs_clv_data **d);

/* The subcommands (cmd_clv_fit.c). */
int xs_cli_clv_fit(int argc, char **argv);
int xs_cli_clv_predict(int argc, char **argv);

#endif
