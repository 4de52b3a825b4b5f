/*
 * uplift.h — what the files of `xsell uplift` share (cmd_uplift*.c): the
 * parsed options and the loading of the experiment table.
 */
#ifndef XS_CLI_UPLIFT_H
#define XS_CLI_UPLIFT_H

#include "cli/cli.h"

#define XS_CLI_UPLIFT "uplift"

typedef struct xs_cli_uplift_args {
    xs_uplift_read_opts ro;
    const char **features; /* freed by xs_cli_uplift_args_free() */
    size_t n_features;
    const char *input, *model;
    xs_uplift_eval_opts eo;
    int learner_set, threads_set, folds_set, split_set;
    char delim;
    xs_format fmt;
} xs_cli_uplift_args;

/* The one option table of the subcommands (cmd_uplift_args.c). */
extern const xs_cli_spec xs_cli_uplift_spec;

/* Parses the options of a subcommand (argv[0] is its name). Returns -1 to
 * go on, else the exit code (help or error printed); free *a with
 * xs_cli_uplift_args_free() in every case. (cmd_uplift.c) */
int xs_cli_uplift_parse(int argc, char **argv, xs_cli_uplift_args *a);
void xs_cli_uplift_args_free(xs_cli_uplift_args *a);
/* Blank and unseen values of the table read from path, one note per column. */
void xs_cli_uplift_notes(const xs_uplift_data *d, const char *path);
/* Reads the experiment table (--input and the arm and outcome columns
 * required). Returns 0, or the exit code after printing the error. */
int xs_cli_uplift_load_train(const xs_cli_uplift_args *a, xs_uplift_data **d);

/* The subcommands: cmd_uplift_model.c (train, predict), cmd_uplift_eval.c. */
int xs_cli_uplift_train(int argc, char **argv);
int xs_cli_uplift_predict(int argc, char **argv);
int xs_cli_uplift_eval(int argc, char **argv);

#endif
