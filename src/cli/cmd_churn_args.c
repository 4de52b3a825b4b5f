/*
 * cmd_churn_args.c — the options of `xsell churn eval|train|predict`
 * (one set for all three; each subcommand checks what it needs) and the
 * reading of the customer table they share.
 */
#include "cli/churn.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = XS_CLI_CHURN;

enum {
    O_STR = 256, /* a plain string option: its field in str_field() */
    O_DROP,
    O_FOLDS,
    O_SEED,
    O_TOP,
    O_DELIM,
    O_FORMAT,
    O_APPROX,
    O_HORIZON,
    O_MAX_TRAIN,
    O_HELP
};

static const struct option opts[] = {
    {"input", required_argument, NULL, O_STR},
    {"id", required_argument, NULL, O_STR},
    {"label", required_argument, NULL, O_STR},
    {"positive", required_argument, NULL, O_STR},
    {"model", required_argument, NULL, O_STR},
    {"db", required_argument, NULL, O_STR},
    {"cutoff", required_argument, NULL, O_STR},
    {"as-of", required_argument, NULL, O_STR},
    {"drop", required_argument, NULL, O_DROP},
    {"folds", required_argument, NULL, O_FOLDS},
    {"seed", required_argument, NULL, O_SEED},
    XS_CLI_XGB_OPTIONS,
    {"top-features", required_argument, NULL, O_TOP},
    {"delimiter", required_argument, NULL, O_DELIM},
    {"format", required_argument, NULL, O_FORMAT},
    {"approx", no_argument, NULL, O_APPROX},
    {"horizon", required_argument, NULL, O_HORIZON},
    {"max-train", required_argument, NULL, O_MAX_TRAIN},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0}};

/* The field of the string option opts[i] (the first eight, in order). */
static const char **str_field(xs_cli_churn_args *a, int i)
{
    const char **f[] = {&a->input, &a->id,  &a->label,  &a->positive,
                        &a->model, &a->db, &a->cutoff, &a->as_of};
    return f[i];
}

/* One option other than --help; returns 0 or an exit code. */
static int option(xs_cli_churn_args *a, int c, int li)
{
    long v;
    switch (c) {
    case O_STR:
        *str_field(a, li) = optarg;
        return 0;
    case 'X':
        return xs_cli_xgb_opt(CMD, opts[li].name, optarg, &a->p, &a->threads_set);
    case O_DROP:
        a->drop[a->n_drop++] = optarg;
        return 0;
    case O_FOLDS:
        if (xs_cli_long(CMD, "--folds", optarg, 0, 1000000000L, &v)) return XS_EXIT_USAGE;
        a->p.folds = (size_t)v;
        return 0;
    case O_SEED:
        if (xs_cli_long(CMD, "--seed", optarg, 0, 2147483647L, &v)) return XS_EXIT_USAGE;
        a->p.seed = (uint64_t)v;
        return 0;
    case O_APPROX:
        a->approx = 1;
        return 0;
    case O_HORIZON:
        a->horizon_set = 1;
        return xs_cli_long(CMD, "--horizon", optarg, 1, 3650, &a->horizon);
    case O_MAX_TRAIN:
        return xs_cli_long(CMD, "--max-train", optarg, 2, 1000000000L, &a->max_train);
    case O_TOP:
        return xs_cli_long(CMD, "--top-features", optarg, 0, 1000, &a->top);
    case O_DELIM:
        return xs_cli_delimiter(CMD, optarg, &a->delim);
    case O_FORMAT:
        return xs_cli_format(CMD, optarg, &a->fmt);
    default:
        return 0;
    }
}

int xs_cli_churn_parse(int argc, char **argv, xs_cli_churn_args *a)
{
    memset(a, 0, sizeof *a);
    xs_churn_params_init(&a->p);
    a->top = 3;
    a->horizon = 90;
    a->delim = ',';
    a->drop = malloc((size_t)argc * sizeof *a->drop);
    if (!a->drop) return xs_cli_nomem(CMD);
    int c, li = -1, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, &li)) != -1) {
        if (c == O_HELP) {
            xs_cli_churn_usage(stdout);
            return -1;
        }
        if (c == ':' || c == '?') return xs_cli_bad_option(CMD, c, argv);
        if ((rc = option(a, c, li))) return rc;
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (a->db && a->input)
        return xs_cli_usage_error(CMD, "--db and --input cannot be used together");
    if (!a->db && (a->horizon_set || a->cutoff || a->as_of || a->max_train))
        return xs_cli_usage_error(CMD, "%s needs --db",
                                  a->horizon_set ? "--horizon"
                                  : a->cutoff    ? "--cutoff"
                                  : a->as_of     ? "--as-of"
                                                 : "--max-train");
    return 0;
}

void xs_cli_churn_args_free(xs_cli_churn_args *a)
{
    free(a->drop);
    a->drop = NULL;
}

void xs_cli_churn_history_opts(const xs_cli_churn_args *a, xs_churn_history_opts *o)
{
    xs_churn_history_opts_init(o);
    o->horizon = (int)a->horizon;
    o->cutoff = a->cutoff;
    o->as_of = a->as_of;
    o->params = a->p;
    o->max_train = (size_t)a->max_train;
}

void xs_cli_churn_notes(const xs_churn_data *d, const char *path)
{
    for (size_t c = 0; c < xs_churn_data_n_columns(d); c++)
        xs_cli_column_notes(CMD, path, xs_churn_data_column(d, c),
                            "not seen in training treated as missing");
}

int xs_cli_churn_load_train(const xs_cli_churn_args *a, xs_churn_data **d)
{
    if (!a->input) return xs_cli_usage_error(CMD, "--input is required");
    if (!a->id) return xs_cli_usage_error(CMD, "--id is required");
    if (!a->label) return xs_cli_usage_error(CMD, "--label is required");
    xs_churn_read_opts o;
    memset(&o, 0, sizeof o);
    o.id = a->id;
    o.label = a->label;
    o.positive = a->positive;
    o.drop = a->drop;
    o.n_drop = a->n_drop;
    o.delimiter = a->delim;
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_churn_data_read(a->input, &o, d, &e) < 0) return xs_cli_fail(CMD, &e);
    xs_cli_churn_notes(*d, a->input);
    return 0;
}
