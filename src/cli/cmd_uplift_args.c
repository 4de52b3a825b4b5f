/*
 * cmd_uplift_args.c — the options of `xsell uplift train|predict|eval`:
 * uplift models on the table of a randomised experiment (one row per
 * unit, a treatment column, a 0/1 outcome, features). train saves a
 * model, predict writes one uplift per input row in input order, eval
 * measures a learner on held-out rows
 * (Qini, AUUC, uplift@k by scikit-uplift's conventions, with bootstrap
 * intervals). The work is in libxsell (src/score/uplift*.c,
 * src/measure/uplift_eval*.c); this file holds the options (one table for
 * the three) and the reading of the table; the subcommands are in
 * cmd_uplift_model.c (train, predict) and cmd_uplift_eval.c, and
 * cmd_uplift.c picks one.
 */
#include "cli/uplift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD XS_CLI_UPLIFT

typedef xs_cli_uplift_args args;

/* The options that are not a plain value. */
static int special(const char *cmd, const xs_opt *o, const char *v, void *opts)
{
    args *a = opts;
    xs_churn_params *p = &a->eo.params.xgb;
    long n;
    if (!strcmp(o->name, "features"))
        return xs_cli_code_list(cmd, "--features", (char *)v, &a->features,
                                &a->n_features);
    if (!strcmp(o->name, "learner")) {
        if (xs_uplift_learner_parse(v, &a->eo.params.learner) < 0)
            return xs_cli_usage_error(
                cmd, "--learner: expected two_model or class_transform, got \"%s\"", v);
        a->learner_set = 1;
        return 0;
    }
    if (!strcmp(o->name, "delimiter")) return xs_cli_delimiter(cmd, v, &a->delim);
    if (!strcmp(o->name, "split")) {
        a->split_set = 1;
        return xs_cli_double(cmd, "--split", v, 0.01, 0.99, &a->eo.test_frac);
    }
    if (!strcmp(o->name, "folds")) {
        if (xs_cli_long(cmd, "--folds", v, 2, 1000, &n)) return XS_EXIT_USAGE;
        a->eo.folds = (size_t)n;
        a->folds_set = 1;
        return 0;
    }
    if (!strcmp(o->name, "bootstrap")) {
        if (xs_cli_long(cmd, "--bootstrap", v, 0, 100000, &n)) return XS_EXIT_USAGE;
        a->eo.n_boot = (size_t)n;
        return 0;
    }
    if (xs_cli_long(cmd, "--seed", v, 0, 2147483647L, &n)) return XS_EXIT_USAGE;
    a->eo.seed = p->seed = (uint64_t)n;
    return 0;
}

#define OFF(f) offsetof(args, f)
#define SPECIAL(name, value, text)                                                       \
    {                                                                                    \
        name, 0, value, XS_OPT_CALL, .call = special, .help = text                       \
    }
#define STR(name, value, field, text)                                                    \
    {                                                                                    \
        name, 0, value, XS_OPT_STR, .off = OFF(field), .help = text                      \
    }
static const xs_opt opts[] = {
    STR("input", "FILE", input, "the table (CSV with a header row)"),
    STR("treatment-col", "COL", ro.treatment_col, "the column naming each row's arm"),
    STR("treatment", "VALUE", ro.treatment, "its value for treated rows"),
    STR("control", "VALUE", ro.control, "its value for control rows"),
    STR("outcome", "COL", ro.outcome, "the outcome column: 0 or 1"),
    STR("positive", "VALUE", ro.positive,
        "outcome value meaning 1 (any other non-blank value is 0)"),
    SPECIAL("features", "A,B,...", "feature columns (repeatable; default: all others)"),
    SPECIAL("learner", "L",
            "two_model (default for train) or class_transform;\n"
            "eval: both unless given"),
    {.ref = &xs_cli_opt_model, .help = "model file to write (train) or read (predict)"},
    SPECIAL("folds", "K", "eval: k-fold cross-validation instead of one split"),
    SPECIAL("split", "FRACTION", "eval: share of the rows held out (default 0.5)"),
    {"k", 0, "FRACTION", XS_OPT_DOUBLE, .off = OFF(eo.k), .lo = 0.001, .hi = 0.999,
     .help = "eval: uplift@k share (default 0.3)"},
    SPECIAL("bootstrap", "B", "eval: bootstrap resamples (default 200, 0: none)"),
    SPECIAL("seed", "S", "seed of the split, the bootstrap and XGBoost (default 42)"),
    {"rounds", 0, "N", XS_OPT_INT, .off = OFF(eo.params.xgb.rounds), .lo = 1,
     .hi = 100000, .help = "boosting rounds (default 50)"},
    {"max-depth", 0, "D", XS_OPT_INT, .off = OFF(eo.params.xgb.max_depth), .lo = 1,
     .hi = 30, .help = "tree depth (default 2)"},
    {"eta", 0, "E", XS_OPT_DOUBLE, .off = OFF(eo.params.xgb.eta), .lo = 1e-6, .hi = 1,
     .help = "learning rate (default 0.1)"},
    {"min-child-weight", 0, "W", XS_OPT_DOUBLE,
     .off = OFF(eo.params.xgb.min_child_weight), .lo = 0, .hi = 1e9,
     .help = "smallest hessian sum of a leaf (default 20)"},
    {.ref = &xs_cli_opt_threads,
     .hi = 256,
     .help = "XGBoost threads (default 2; results depend on it)"},
    SPECIAL("delimiter", "C", "CSV delimiter (default ',')"),
    {.ref = &xs_cli_opt_format},
    {0},
};

const xs_cli_spec xs_cli_uplift_spec = {
    CMD,
    "xsell uplift train --input FILE --treatment-col COL --treatment VALUE\n"
    "                   --control VALUE --outcome COL [--features A,B,...]\n"
    "                   --model OUT.json [OPTIONS]\n"
    "xsell uplift predict --input FILE --model FILE [--threads N] [--format F]\n"
    "xsell uplift eval --input FILE --treatment-col COL --treatment VALUE\n"
    "                  --control VALUE --outcome COL [--features A,B,...]\n"
    "                  [--folds K | --split FRACTION] [OPTIONS]",
    .about =
        "The table of a randomised experiment: one row per unit, a treatment column\n"
        "(rows with the --treatment value are treated, rows with the --control value\n"
        "are the control; rows with any other value are left out of training and\n"
        "evaluation, and counted on standard error), a 0/1 outcome and feature\n"
        "columns (default: every other column). A feature column is numeric when\n"
        "every non-blank value parses as a number, otherwise categorical, one-hot\n"
        "encoded from the training file; a category unseen in training sets no\n"
        "indicator (all zeros). Uplift = P(outcome | treated) - P(outcome | control).\n"
        "\n"
        "train: fits the learner on all treated and control rows and writes one JSON\n"
        "file (learner, feature encoding, XGBoost models).\n"
        "predict: one row per data row of FILE, in input order: row (the 1-based data\n"
        "row number) and uplift; FILE needs the model's feature columns only.\n"
        "eval: trains on a stratified split (default: half the rows held out) or on\n"
        "k folds and measures the held-out predictions: qini (qini_auc_score), auuc\n"
        "(uplift_auc_score), uplift@k by the \"overall\" and \"by_group\" strategies of\n"
        "scikit-uplift, each with a 95% bootstrap interval, and the random baseline\n"
        "(treated rate minus control rate of the test rows). docs/uplift.md.",
    .opts = opts,
};

/* Contract in uplift.h. */
int xs_cli_uplift_parse(int argc, char **argv, args *a)
{
    xs_cli_args g = {0};
    memset(a, 0, sizeof *a);
    xs_uplift_eval_opts_init(&a->eo);
    a->delim = ',';
    int rc = xs_cli_parse(&xs_cli_uplift_spec, argc, argv, &g, a);
    if (rc >= 0) return rc;
    a->model = g.model;
    a->fmt = g.format;
    if (g.threads) {
        a->eo.params.xgb.nthread = g.threads;
        a->threads_set = 1;
    }
    if (a->folds_set && a->split_set)
        return xs_cli_usage_error(CMD, "--folds and --split cannot be used together");
    a->ro.features = a->features;
    a->ro.n_features = a->n_features;
    a->ro.delimiter = a->delim;
    return -1;
}

void xs_cli_uplift_args_free(xs_cli_uplift_args *a)
{
    free(a->features);
    a->features = NULL;
}

void xs_cli_uplift_notes(const xs_uplift_data *d, const char *path)
{
    for (size_t c = 0; c < xs_uplift_data_n_columns(d); c++)
        xs_cli_column_notes(CMD, path, xs_uplift_data_column(d, c),
                            "not seen in training: no indicator set");
}

/* Reads the experiment table; prints the error and returns an exit code. */
int xs_cli_uplift_load_train(const xs_cli_uplift_args *a, xs_uplift_data **d)
{
    static const char *const req[] = {"--input", "--treatment-col", "--treatment",
                                      "--control", "--outcome"};
    const char *v[] = {a->input, a->ro.treatment_col, a->ro.treatment, a->ro.control,
                       a->ro.outcome};
    for (size_t i = 0; i < 5; i++)
        if (!v[i]) return xs_cli_usage_error(CMD, "%s is required", req[i]);
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_uplift_data_read(a->input, &a->ro, d, &e) < 0) return xs_cli_fail(CMD, &e);
    const xs_uplift_counts *n = xs_uplift_data_counts(*d);
    if (n->n_other)
        fprintf(stderr,
                "xsell %s: %s: %zu row%s whose %s is neither \"%s\" nor \"%s\" left "
                "out\n",
                CMD, a->input, n->n_other, n->n_other == 1 ? "" : "s",
                a->ro.treatment_col, a->ro.treatment, a->ro.control);
    xs_cli_uplift_notes(*d, a->input);
    return 0;
}
