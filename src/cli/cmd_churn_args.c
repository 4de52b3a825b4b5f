/*
 * cmd_churn_args.c — what `xsell churn eval|train|predict` share: the one
 * option table of the three and its parse, the history options, the notes
 * on the table read and the reading of the training table. The command
 * itself (cmd_churn.c) only picks the subcommand.
 */
#include "cli/churn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD XS_CLI_CHURN
typedef xs_cli_churn_args args;

/* The options that are not a plain value: repeatable, or not an int. */
static int special(const char *cmd, const xs_opt *o, const char *v, void *opts)
{
    args *a = opts;
    long n;
    if (!strcmp(o->name, "drop")) {
        a->drop[a->n_drop++] = v;
        return 0;
    }
    if (!strcmp(o->name, "delimiter")) return xs_cli_delimiter(cmd, v, &a->delim);
    if (!strcmp(o->name, "folds")) {
        if (xs_cli_long(cmd, "--folds", v, 0, 1000000000L, &n)) return XS_EXIT_USAGE;
        a->p.folds = (size_t)n;
        return 0;
    }
    if (xs_cli_long(cmd, "--seed", v, 0, 2147483647L, &n)) return XS_EXIT_USAGE;
    a->p.seed = (uint64_t)n;
    return 0;
}

#define OFF(f) offsetof(args, f)
#define SPECIAL(name, value, text)                                                       \
    {                                                                                    \
        name, 0, value, XS_OPT_CALL, .call = special, .help = text                       \
    }
static const xs_opt opts[] = {
    {"input", 0, "FILE", XS_OPT_STR, .off = OFF(input),
     .help = "customer table (CSV with a header row)"},
    {.ref = &xs_cli_opt_db, .help = "store: build the table from its history"},
    {"horizon", 0, "DAYS", XS_OPT_LONG, .off = OFF(horizon), .lo = 1, .hi = 3650,
     .help = "--db: churn horizon (default 90, 1..3650)"},
    {"cutoff", 0, "DATE", XS_OPT_STR, .off = OFF(cutoff),
     .help = "--db: training cutoff T1 (YYYY-MM-DD)"},
    {.ref = &xs_cli_opt_as_of, .help = "--db: the current date (YYYY-MM-DD)"},
    {"max-train", 0, "N", XS_OPT_LONG, .off = OFF(max_train), .lo = 2, .hi = 1000000000L,
     .help = "--db train/eval: train on a stratified sample of N\n"
             "customers when more are active at T1 (default: all;\n"
             "customer scores and 'xsell build' use 100000)"},
    {"id", 0, "COLUMN", XS_OPT_STR, .off = OFF(id),
     .help = "customer id column (not a feature)"},
    {"label", 0, "COLUMN", XS_OPT_STR, .off = OFF(label),
     .help = "label column (not a feature)"},
    {"positive", 0, "VALUE", XS_OPT_STR, .off = OFF(positive),
     .help = "label value meaning churned; default: the value among\n"
             "1, Yes, yes, YES, true, True, TRUE"},
    SPECIAL("drop", "COLUMN", "exclude a further column (repeatable)"),
    SPECIAL("folds", "K", "cross-validation folds (default 5)"),
    SPECIAL("seed", "S", "seed of the folds and of XGBoost (default 42)"),
    {"rounds", 0, "N", XS_OPT_INT, .off = OFF(p.rounds), .lo = 1, .hi = 100000,
     .help = "boosting rounds (default 200)"},
    {"max-depth", 0, "D", XS_OPT_INT, .off = OFF(p.max_depth), .lo = 1, .hi = 30,
     .help = "tree depth (default 3)"},
    {"eta", 0, "E", XS_OPT_DOUBLE, .off = OFF(p.eta), .lo = 1e-6, .hi = 1,
     .help = "learning rate (default 0.05)"},
    {.ref = &xs_cli_opt_threads,
     .hi = 256,
     .help = "XGBoost threads (default 1; results depend on it)"},
    {.ref = &xs_cli_opt_model, .help = "model file to write (train) or read (predict)"},
    {"top-features", 0, "K", XS_OPT_LONG, .off = OFF(top), .lo = 0, .hi = 1000,
     .help = "reasons per customer (predict, default 3, 0: none)"},
    {"approx", 0, NULL, XS_OPT_FLAG, .off = OFF(approx),
     .help = "predict: approximate contributions (Saabas: each\n"
             "split's change of the node mean goes to its feature;\n"
             "about 10x faster than TreeSHAP, less consistent)"},
    SPECIAL("delimiter", "C", "CSV delimiter (default ',')"),
    {.ref = &xs_cli_opt_format},
    {0},
};

const xs_cli_spec xs_cli_churn_spec = {
    CMD,
    "xsell churn eval --input FILE --id COLUMN --label COLUMN [OPTIONS]\n"
    "xsell churn train --input FILE --id COLUMN --label COLUMN --model OUT.json\n"
    "                  [OPTIONS]\n"
    "xsell churn predict --model FILE --input FILE --id COLUMN\n"
    "                    [--top-features K] [--approx] [--threads N]\n"
    "                    [--format F]\n"
    "xsell churn eval --db FILE [--horizon DAYS] [--cutoff DATE] [OPTIONS]\n"
    "xsell churn train --db FILE --model OUT.json [--horizon DAYS]\n"
    "                  [--cutoff DATE] [OPTIONS]\n"
    "xsell churn predict --db FILE --model FILE [--as-of DATE]\n"
    "                    [--top-features K] [OPTIONS]",
    .about =
        "A customer-level table: one row per customer, an id column, a label column\n"
        "with two values, and feature columns; ids must be unique and non-blank.\n"
        "A column is numeric when every non-blank\n"
        "value parses as a number (blank: empty or only spaces; blanks are missing\n"
        "values and reported on standard error), otherwise categorical and one-hot\n"
        "encoded as \"column=value\" features. The model is XGBoost (binary:logistic,\n"
        "tree_method hist, fixed seed and thread count: reproducible to the bit).\n"
        "\n"
        "eval: stratified k-fold cross-validation; prints the AUC (mean of the fold\n"
        "AUCs, their sd, and the AUC of all out-of-fold predictions pooled), the log\n"
        "loss of the out-of-fold predictions, the per-fold results and a calibration\n"
        "table: out-of-fold predictions sorted and cut into 10 equal-count deciles\n"
        "with count, mean predicted probability and observed rate.\n"
        "train: trains on all rows and writes one JSON file holding our feature\n"
        "encoding (\"xsell_churn\") and XGBoost's JSON model (\"xgboost\").\n"
        "predict: probability of the positive label per customer and the K columns\n"
        "whose contributions (TreeSHAP, in log-odds; one-hot features summed back into\n"
        "their column, named column=value) move it most, by absolute size.\n"
        "\n"
        "With --db the table is built from the store's history (features of the\n"
        "customers active on a cutoff date from data dated on or before it: tenure,\n"
        "MRR and its 90/180-day change, subscriptions, plan tier, billing term, days\n"
        "to renewal, utilisation of plan limits, logins, NPS, tickets, payment\n"
        "failures, cancel requests, declined offers, orders, segment, industry,\n"
        "size; label: no subscription active HORIZON days later).\n"
        "eval --db: trains at cutoff T1 (default: the data's last day - 2 x horizon)\n"
        "and scores the customers active at T2 = T1 + horizon against what they did\n"
        "in the next horizon: AUC, log loss, calibration deciles.\n"
        "train --db: trains at T1 (the model eval --db measures).\n"
        "predict --db: scores every customer active on --as-of (default: the data's\n"
        "last day).",
    .opts = opts,
};

/* Contract in churn.h. */
int xs_cli_churn_parse(int argc, char **argv, args *a)
{
    xs_cli_args g = {0};
    memset(a, 0, sizeof *a);
    xs_churn_params_init(&a->p);
    a->top = 3;
    a->delim = ',';
    if (!(a->drop = malloc((size_t)argc * sizeof *a->drop))) return xs_cli_nomem(CMD);
    int rc = xs_cli_parse(&xs_cli_churn_spec, argc, argv, &g, a);
    if (rc >= 0) return rc;
    a->db = g.db;
    a->model = g.model;
    a->as_of = g.as_of;
    a->fmt = g.format;
    if (g.threads) {
        a->p.nthread = g.threads;
        a->threads_set = 1;
    }
    a->horizon_set = a->horizon != 0;
    if (!a->horizon) a->horizon = 90;
    if (a->db && a->input)
        return xs_cli_usage_error(CMD, "--db and --input cannot be used together");
    if (!a->db && (a->horizon_set || a->cutoff || a->as_of || a->max_train))
        return xs_cli_usage_error(CMD, "%s needs --db",
                                  a->horizon_set ? "--horizon"
                                  : a->cutoff    ? "--cutoff"
                                  : a->as_of     ? "--as-of"
                                                 : "--max-train");
    return -1;
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
