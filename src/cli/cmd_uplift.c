/*
 * cmd_uplift.c — `xsell uplift train|predict|eval`: uplift models on the
 * table of a randomised experiment (one row per unit, a treatment column, a
 * 0/1 outcome, features). train saves a model, predict writes one uplift
 * per input row in input order, eval measures a learner on held-out rows
 * (Qini, AUUC, uplift@k by scikit-uplift's conventions, with bootstrap
 * intervals). The work is in libxsell (src/score/uplift*.c,
 * src/measure/uplift_eval*.c); this file holds the help text, the options
 * and the reading of the table; the subcommands are in cmd_uplift_model.c
 * (train, predict) and cmd_uplift_eval.c.
 */
#include "cli/uplift.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = XS_CLI_UPLIFT;

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: xsell uplift train --input FILE --treatment-col COL --treatment VALUE\n"
        "                          --control VALUE --outcome COL [--features A,B,...]\n"
        "                          --model OUT.json [OPTIONS]\n"
        "       xsell uplift predict --input FILE --model FILE [--threads N] [--format "
        "F]\n"
        "       xsell uplift eval --input FILE --treatment-col COL --treatment VALUE\n"
        "                         --control VALUE --outcome COL [--features A,B,...]\n"
        "                         [--folds K | --split FRACTION] [OPTIONS]\n"
        "\n"
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
        "scikit-uplift, each with a 95%% bootstrap interval, and the random baseline\n"
        "(treated rate minus control rate of the test rows). docs/uplift.md.\n"
        "\n");
    fprintf(out,
            "  --input FILE          the table (CSV with a header row)\n"
            "  --treatment-col COL   the column naming each row's arm\n"
            "  --treatment VALUE     its value for treated rows\n"
            "  --control VALUE       its value for control rows\n"
            "  --outcome COL         the outcome column: 0 or 1\n"
            "  --positive VALUE      outcome value meaning 1 (any other non-blank value "
            "is 0)\n"
            "  --features A,B,...    feature columns (repeatable; default: all others)\n"
            "  --learner L           two_model (default for train) or class_transform;\n"
            "                        eval: both unless given\n"
            "  --model FILE          model file to write (train) or read (predict)\n"
            "  --folds K             eval: k-fold cross-validation instead of one split\n"
            "  --split FRACTION      eval: share of the rows held out (default 0.5)\n"
            "  --k FRACTION          eval: uplift@k share (default 0.3)\n"
            "  --bootstrap B         eval: bootstrap resamples (default 200, 0: none)\n"
            "  --seed S              seed of the split, the bootstrap and XGBoost "
            "(default 42)\n"
            "  --rounds N            boosting rounds (default 50)\n"
            "  --max-depth D         tree depth (default 2)\n"
            "  --eta E               learning rate (default 0.1)\n"
            "  --min-child-weight W  smallest hessian sum of a leaf (default 20)\n"
            "  --threads N           XGBoost threads (default 2; results depend on it)\n"
            "  --delimiter C         CSV delimiter (default ',')\n"
            "  --format F            table (default), json or csv\n"
            "  --help                this text\n"
            "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

enum {
    O_STR = 256, /* a plain string option: its field in str_field() */
    O_FEATURES,
    O_LEARNER,
    O_FOLDS,
    O_SPLIT,
    O_K,
    O_BOOT,
    O_SEED,
    O_MCW,
    O_DELIM,
    O_FORMAT,
    O_HELP
};

static const struct option opts[] = {
    {"input", required_argument, NULL, O_STR},
    {"treatment-col", required_argument, NULL, O_STR},
    {"treatment", required_argument, NULL, O_STR},
    {"control", required_argument, NULL, O_STR},
    {"outcome", required_argument, NULL, O_STR},
    {"positive", required_argument, NULL, O_STR},
    {"model", required_argument, NULL, O_STR},
    {"features", required_argument, NULL, O_FEATURES},
    {"learner", required_argument, NULL, O_LEARNER},
    {"folds", required_argument, NULL, O_FOLDS},
    {"split", required_argument, NULL, O_SPLIT},
    {"k", required_argument, NULL, O_K},
    {"bootstrap", required_argument, NULL, O_BOOT},
    {"seed", required_argument, NULL, O_SEED},
    XS_CLI_XGB_OPTIONS,
    {"min-child-weight", required_argument, NULL, O_MCW},
    {"delimiter", required_argument, NULL, O_DELIM},
    {"format", required_argument, NULL, O_FORMAT},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0}};

/* The field of the string option opts[i] (the first seven, in order). */
static const char **str_field(xs_cli_uplift_args *a, int i)
{
    const char **f[] = {&a->input,      &a->ro.treatment_col, &a->ro.treatment, &a->ro.control,
                        &a->ro.outcome, &a->ro.positive,      &a->model};
    return f[i];
}

/* One option other than --help; returns 0 or an exit code. */
static int option(xs_cli_uplift_args *a, int c, int li)
{
    xs_churn_params *p = &a->eo.params.xgb;
    long v;
    double dv;
    switch (c) {
    case O_STR:
        *str_field(a, li) = optarg;
        return 0;
    case 'X':
        return xs_cli_xgb_opt(CMD, opts[li].name, optarg, p, &a->threads_set);
    case O_FEATURES:
        return xs_cli_code_list(CMD, "--features", optarg, &a->features, &a->n_features);
    case O_LEARNER:
        if (xs_uplift_learner_parse(optarg, &a->eo.params.learner) < 0)
            return xs_cli_usage_error(
                CMD, "--learner: expected two_model or class_transform, got \"%s\"", optarg);
        a->learner_set = 1;
        return 0;
    case O_FOLDS:
        if (xs_cli_long(CMD, "--folds", optarg, 2, 1000, &v)) return XS_EXIT_USAGE;
        a->eo.folds = (size_t)v;
        a->folds_set = 1;
        return 0;
    case O_SPLIT:
        a->split_set = 1;
        return xs_cli_double(CMD, "--split", optarg, 0.01, 0.99, &a->eo.test_frac);
    case O_K:
        return xs_cli_double(CMD, "--k", optarg, 0.001, 0.999, &a->eo.k);
    case O_BOOT:
        if (xs_cli_long(CMD, "--bootstrap", optarg, 0, 100000, &v)) return XS_EXIT_USAGE;
        a->eo.n_boot = (size_t)v;
        return 0;
    case O_SEED:
        if (xs_cli_long(CMD, "--seed", optarg, 0, 2147483647L, &v)) return XS_EXIT_USAGE;
        a->eo.seed = p->seed = (uint64_t)v;
        return 0;
    case O_MCW:
        if (xs_cli_double(CMD, "--min-child-weight", optarg, 0, 1e9, &dv)) return XS_EXIT_USAGE;
        p->min_child_weight = dv;
        return 0;
    case O_DELIM:
        return xs_cli_delimiter(CMD, optarg, &a->delim);
    case O_FORMAT:
        return xs_cli_format(CMD, optarg, &a->fmt);
    default:
        return 0;
    }
}

int xs_cli_uplift_parse(int argc, char **argv, xs_cli_uplift_args *a)
{
    memset(a, 0, sizeof *a);
    xs_uplift_eval_opts_init(&a->eo);
    a->delim = ',';
    int c, li = -1, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, &li)) != -1) {
        if (c == O_HELP) {
            usage(stdout);
            return -1;
        }
        if (c == ':' || c == '?') return xs_cli_bad_option(CMD, c, argv);
        if ((rc = option(a, c, li))) return rc;
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (a->folds_set && a->split_set)
        return xs_cli_usage_error(CMD, "--folds and --split cannot be used together");
    a->ro.features = a->features;
    a->ro.n_features = a->n_features;
    a->ro.delimiter = a->delim;
    return 0;
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

int xs_cmd_uplift(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return XS_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        usage(stdout);
        return XS_EXIT_OK;
    }
    if (!strcmp(sub, "train")) return xs_cli_uplift_train(argc - 1, argv + 1);
    if (!strcmp(sub, "predict")) return xs_cli_uplift_predict(argc - 1, argv + 1);
    if (!strcmp(sub, "eval")) return xs_cli_uplift_eval(argc - 1, argv + 1);
    return xs_cli_usage_error(CMD, "unknown subcommand \"%s\" (train, predict or eval)",
                              sub);
}
