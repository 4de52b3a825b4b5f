/*
 * churn.h — what the files of `xsell churn` share (cmd_churn*.c): the
 * parsed options, the help text and the loading of the customer table.
 */
#ifndef XS_CLI_CHURN_H
#define XS_CLI_CHURN_H

#include "cli/cli.h"

#define XS_CLI_CHURN "churn"

typedef struct xs_cli_churn_args {
    const char *input, *id, *label, *positive, *model;
    const char *db, *cutoff, *as_of;
    long horizon, max_train;
    int horizon_set;
    const char **drop; /* caller frees (xs_cli_churn_args_free) */
    size_t n_drop;
    xs_churn_params p;
    long top;
    int approx, threads_set;
    char delim;
    xs_format fmt;
} xs_cli_churn_args;

/* The one option table of the three subcommands (cmd_churn_args.c). */
extern const xs_cli_spec xs_cli_churn_spec;

/* Parses the options of a subcommand (argv[0] is its name) by that table.
 * Returns -1 to go on, else the exit code (help or error printed); free
 * *a with xs_cli_churn_args_free() in every case. */
int xs_cli_churn_parse(int argc, char **argv, xs_cli_churn_args *a);
void xs_cli_churn_args_free(xs_cli_churn_args *a);
/* The history options of the command line (cmd_churn_args.c). */
void xs_cli_churn_history_opts(const xs_cli_churn_args *a, xs_churn_history_opts *o);
/* Blank and unseen values of the table read from path, one note per column. */
void xs_cli_churn_notes(const xs_churn_data *d, const char *path);
/* Reads the training table (--input, --id, --label required). Returns 0,
 * or the exit code after printing the error. */
int xs_cli_churn_load_train(const xs_cli_churn_args *a, xs_churn_data **d);

/* The subcommands (cmd_churn_eval.c, cmd_churn_train.c, cmd_churn_predict.c). */
int xs_cli_churn_eval(int argc, char **argv);
int xs_cli_churn_train(int argc, char **argv);
int xs_cli_churn_predict(int argc, char **argv);

#endif
