/*
 * cmd_uplift.c — `xsell uplift train|predict|eval`: uplift models on the
 * table of a randomised experiment (one row per unit, a treatment column, a
 * 0/1 outcome, features). train saves a model, predict writes one uplift
 * per input row in input order, eval measures a learner on held-out rows
 * (Qini, AUUC, uplift@k by scikit-uplift's conventions, with bootstrap
 * intervals). The work is in libxsell (src/score/uplift*.c,
 * src/measure/uplift_eval*.c); this file parses options and writes tables.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = "uplift";

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

typedef struct args {
    xs_uplift_read_opts ro;
    const char **features;
    size_t n_features;
    const char *input, *model;
    xs_uplift_eval_opts eo;
    int learner_set, threads_set, folds_set, split_set;
    char delim;
    xs_format fmt;
} args;

enum {
    O_INPUT = 256,
    O_TCOL,
    O_TREAT,
    O_CONTROL,
    O_OUTCOME,
    O_POSITIVE,
    O_FEATURES,
    O_LEARNER,
    O_MODEL,
    O_FOLDS,
    O_SPLIT,
    O_K,
    O_BOOT,
    O_SEED,
    O_ROUNDS,
    O_DEPTH,
    O_ETA,
    O_MCW,
    O_THREADS,
    O_DELIM,
    O_FORMAT,
    O_HELP
};

/* Returns 0, -1 for --help (printed), or an exit code. */
static int parse_args(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"input", required_argument, NULL, O_INPUT},
        {"treatment-col", required_argument, NULL, O_TCOL},
        {"treatment", required_argument, NULL, O_TREAT},
        {"control", required_argument, NULL, O_CONTROL},
        {"outcome", required_argument, NULL, O_OUTCOME},
        {"positive", required_argument, NULL, O_POSITIVE},
        {"features", required_argument, NULL, O_FEATURES},
        {"learner", required_argument, NULL, O_LEARNER},
        {"model", required_argument, NULL, O_MODEL},
        {"folds", required_argument, NULL, O_FOLDS},
        {"split", required_argument, NULL, O_SPLIT},
        {"k", required_argument, NULL, O_K},
        {"bootstrap", required_argument, NULL, O_BOOT},
        {"seed", required_argument, NULL, O_SEED},
        {"rounds", required_argument, NULL, O_ROUNDS},
        {"max-depth", required_argument, NULL, O_DEPTH},
        {"eta", required_argument, NULL, O_ETA},
        {"min-child-weight", required_argument, NULL, O_MCW},
        {"threads", required_argument, NULL, O_THREADS},
        {"delimiter", required_argument, NULL, O_DELIM},
        {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    xs_uplift_eval_opts_init(&a->eo);
    a->delim = ',';
    xs_churn_params *p = &a->eo.params.xgb;
    long v;
    double dv;
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case O_INPUT:
            a->input = optarg;
            break;
        case O_TCOL:
            a->ro.treatment_col = optarg;
            break;
        case O_TREAT:
            a->ro.treatment = optarg;
            break;
        case O_CONTROL:
            a->ro.control = optarg;
            break;
        case O_OUTCOME:
            a->ro.outcome = optarg;
            break;
        case O_POSITIVE:
            a->ro.positive = optarg;
            break;
        case O_FEATURES:
            if ((rc = xs_cli_code_list(CMD, "--features", optarg, &a->features,
                                       &a->n_features)))
                return rc;
            break;
        case O_LEARNER:
            if (xs_uplift_learner_parse(optarg, &a->eo.params.learner) < 0)
                return xs_cli_usage_error(
                    CMD, "--learner: expected two_model or class_transform, got \"%s\"",
                    optarg);
            a->learner_set = 1;
            break;
        case O_MODEL:
            a->model = optarg;
            break;
        case O_FOLDS:
            if ((rc = xs_cli_long(CMD, "--folds", optarg, 2, 1000, &v))) return rc;
            a->eo.folds = (size_t)v;
            a->folds_set = 1;
            break;
        case O_SPLIT:
            if ((rc = xs_cli_double(CMD, "--split", optarg, 0.01, 0.99, &dv))) return rc;
            a->eo.test_frac = dv;
            a->split_set = 1;
            break;
        case O_K:
            if ((rc = xs_cli_double(CMD, "--k", optarg, 0.001, 0.999, &dv))) return rc;
            a->eo.k = dv;
            break;
        case O_BOOT:
            if ((rc = xs_cli_long(CMD, "--bootstrap", optarg, 0, 100000, &v))) return rc;
            a->eo.n_boot = (size_t)v;
            break;
        case O_SEED:
            if ((rc = xs_cli_long(CMD, "--seed", optarg, 0, 2147483647L, &v))) return rc;
            a->eo.seed = p->seed = (uint64_t)v;
            break;
        case O_ROUNDS:
            if ((rc = xs_cli_long(CMD, "--rounds", optarg, 1, 100000, &v))) return rc;
            p->rounds = (int)v;
            break;
        case O_DEPTH:
            if ((rc = xs_cli_long(CMD, "--max-depth", optarg, 1, 30, &v))) return rc;
            p->max_depth = (int)v;
            break;
        case O_ETA:
            if ((rc = xs_cli_double(CMD, "--eta", optarg, 1e-6, 1, &dv))) return rc;
            p->eta = dv;
            break;
        case O_MCW:
            if ((rc = xs_cli_double(CMD, "--min-child-weight", optarg, 0, 1e9, &dv)))
                return rc;
            p->min_child_weight = dv;
            break;
        case O_THREADS:
            if ((rc = xs_cli_long(CMD, "--threads", optarg, 1, 256, &v))) return rc;
            p->nthread = (int)v;
            a->threads_set = 1;
            break;
        case O_DELIM:
            if ((rc = xs_cli_delimiter(CMD, optarg, &a->delim))) return rc;
            break;
        case O_FORMAT:
            if ((rc = xs_cli_format(CMD, optarg, &a->fmt))) return rc;
            break;
        case O_HELP:
            usage(stdout);
            return -1;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
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

static int nomem(void)
{
    fprintf(stderr, "xsell %s: out of memory\n", CMD);
    return XS_EXIT_FAIL;
}

static int write_out(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        return XS_EXIT_FAIL;
    }
    return XS_EXIT_OK;
}

/* Blank and unseen values, one note per column on stderr. */
static void notes(const xs_uplift_data *d, const char *path)
{
    for (size_t c = 0; c < xs_uplift_data_n_columns(d); c++) {
        const xs_churn_column *col = xs_uplift_data_column(d, c);
        if (col->n_blank)
            fprintf(stderr, "xsell %s: %s: %s: %zu blank value%s treated as missing\n",
                    CMD, path, col->name, col->n_blank, col->n_blank == 1 ? "" : "s");
        if (col->n_unseen)
            fprintf(stderr,
                    "xsell %s: %s: %s: %zu value%s not seen in training: no indicator "
                    "set\n",
                    CMD, path, col->name, col->n_unseen, col->n_unseen == 1 ? "" : "s");
    }
}

/* Reads the experiment table; prints the error and returns an exit code. */
static int load_train(const args *a, xs_uplift_data **d)
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
    notes(*d, a->input);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* train                                                                   */
/* ---------------------------------------------------------------------- */

static int cmd_train(int argc, char **argv)
{
    args a;
    xs_uplift_data *d = NULL;
    xs_uplift_model *m = NULL;
    xs_table *t = NULL;
    int rc = parse_args(argc, argv, &a);
    if (rc) goto cleanup;
    if (!a.model) {
        rc = xs_cli_usage_error(CMD, "--model is required");
        goto cleanup;
    }
    if ((rc = load_train(&a, &d))) goto cleanup;
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_uplift_train(d, &a.eo.params, &m, &e) < 0 ||
        xs_uplift_model_save(m, a.model, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    const xs_uplift_counts *n = xs_uplift_data_counts(d);
    t = xs_table_new();
    if (!t || xs_table_column(t, "model", XS_COL_TEXT) ||
        xs_table_column(t, "learner", XS_COL_TEXT) ||
        xs_table_column(t, "n_treatment", XS_COL_NUM) ||
        xs_table_column(t, "n_control", XS_COL_NUM) ||
        xs_table_column(t, "n_left_out", XS_COL_NUM) ||
        xs_table_column(t, "rate_treatment", XS_COL_NUM) ||
        xs_table_column(t, "rate_control", XS_COL_NUM) ||
        xs_table_column(t, "n_features", XS_COL_NUM) ||
        xs_table_column(t, "rounds", XS_COL_NUM) || xs_table_row(t) ||
        xs_table_cell(t, a.model) ||
        xs_table_cell(t, xs_uplift_learner_name(a.eo.params.learner)) ||
        xs_table_cellf(t, "%zu", n->n_treatment) ||
        xs_table_cellf(t, "%zu", n->n_control) || xs_table_cellf(t, "%zu", n->n_other) ||
        xs_table_cellf(t, "%.6f", (double)n->n_treatment_pos / (double)n->n_treatment) ||
        xs_table_cellf(t, "%.6f", (double)n->n_control_pos / (double)n->n_control) ||
        xs_table_cellf(t, "%zu", xs_uplift_model_n_features(m)) ||
        xs_table_cellf(t, "%d", a.eo.params.xgb.rounds)) {
        rc = nomem();
        goto cleanup;
    }
    rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : write_out();
cleanup:
    xs_table_free(t);
    xs_uplift_model_free(m);
    xs_uplift_data_free(d);
    free(a.features);
    return rc < 0 ? XS_EXIT_OK : rc;
}

/* ---------------------------------------------------------------------- */
/* predict                                                                 */
/* ---------------------------------------------------------------------- */

static int cmd_predict(int argc, char **argv)
{
    args a;
    xs_uplift_data *d = NULL;
    xs_uplift_model *m = NULL;
    xs_table *t = NULL;
    double *u = NULL;
    int rc = parse_args(argc, argv, &a);
    if (rc) goto cleanup;
    if (!a.model || !a.input) {
        rc = xs_cli_usage_error(CMD, "%s is required", !a.model ? "--model" : "--input");
        goto cleanup;
    }
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_uplift_model_load(a.model, &m, &e) < 0 ||
        xs_uplift_data_read_for_model(a.input, m, a.delim, &d, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    notes(d, a.input);
    if (a.threads_set) xs_uplift_model_set_threads(m, a.eo.params.xgb.nthread);
    size_t n = xs_uplift_data_counts(d)->n;
    if (!(u = malloc((n ? n : 1) * sizeof *u))) {
        rc = nomem();
        goto cleanup;
    }
    if (xs_uplift_predict(m, d, u, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    t = xs_table_new();
    if (!t || xs_table_column(t, "row", XS_COL_NUM) ||
        xs_table_column(t, "uplift", XS_COL_NUM))
        goto oom;
    for (size_t i = 0; i < n; i++)
        if (xs_table_row(t) || xs_table_cellf(t, "%zu", i + 1) ||
            xs_table_cellf(t, "%.6f", u[i]))
            goto oom;
    rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : write_out();
    goto cleanup;
oom:
    rc = nomem();
cleanup:
    free(u);
    xs_table_free(t);
    xs_uplift_model_free(m);
    xs_uplift_data_free(d);
    free(a.features);
    return rc < 0 ? XS_EXIT_OK : rc;
}

/* ---------------------------------------------------------------------- */
/* eval                                                                    */
/* ---------------------------------------------------------------------- */

static int cell_num(xs_table *t, double v)
{
    if (isnan(v)) return xs_table_cell(t, NULL);
    return xs_table_cellf(t, "%.6f", v);
}

/* One metric row. */
static int metric_row(xs_table *t, const char *learner, const char *metric,
                      const char *strategy, const xs_uplift_metric *m)
{
    return xs_table_row(t) || xs_table_cell(t, learner) || xs_table_cell(t, metric) ||
           xs_table_cell(t, strategy) || cell_num(t, m->value) || cell_num(t, m->lo) ||
           cell_num(t, m->hi);
}

static int cmd_eval(int argc, char **argv)
{
    args a;
    xs_uplift_data *d = NULL;
    xs_table *t = NULL;
    int rc = parse_args(argc, argv, &a);
    if (rc) goto cleanup;
    if (a.model) {
        rc = xs_cli_usage_error(CMD, "eval takes no --model");
        goto cleanup;
    }
    if ((rc = load_train(&a, &d))) goto cleanup;
    xs_uplift_learner learners[2] = {XS_UPLIFT_TWO_MODEL, XS_UPLIFT_CLASS_TRANSFORM};
    size_t n_learners = 2;
    if (a.learner_set) {
        learners[0] = a.eo.params.learner;
        n_learners = 1;
    }
    char at_k[32];
    snprintf(at_k, sizeof at_k, "uplift@%g%%", a.eo.k * 100);
    t = xs_table_new();
    if (!t || xs_table_column(t, "learner", XS_COL_TEXT) ||
        xs_table_column(t, "metric", XS_COL_TEXT) ||
        xs_table_column(t, "strategy", XS_COL_TEXT) ||
        xs_table_column(t, "value", XS_COL_NUM) ||
        xs_table_column(t, "ci_low", XS_COL_NUM) ||
        xs_table_column(t, "ci_high", XS_COL_NUM))
        goto oom;
    xs_uplift_eval_result r;
    memset(&r, 0, sizeof r);
    for (size_t l = 0; l < n_learners; l++) {
        xs_error e;
        memset(&e, 0, sizeof e);
        a.eo.params.learner = learners[l];
        if (xs_uplift_eval(d, &a.eo, &r, &e) < 0) {
            rc = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        const char *ln = xs_uplift_learner_name(learners[l]);
        if (metric_row(t, ln, "qini", NULL, &r.qini) ||
            metric_row(t, ln, "auuc", NULL, &r.auuc) ||
            metric_row(t, ln, at_k, "overall", &r.at_k_overall) ||
            metric_row(t, ln, at_k, "by_group", &r.at_k_by_group))
            goto oom;
    }
    xs_uplift_metric zero = {0, NAN, NAN};
    if (metric_row(t, "random", "qini", NULL, &zero) ||
        metric_row(t, "random", "auuc", NULL, &zero) ||
        metric_row(t, "random", at_k, "overall", &r.random) ||
        metric_row(t, "random", at_k, "by_group", &r.random))
        goto oom;
    if (r.n_parts > 1)
        fprintf(stderr,
                "xsell %s: %zu folds (about %zu training rows each), %zu test rows, %zu "
                "bootstrap resamples\n",
                CMD, r.n_parts, r.n_train, r.n_test, a.eo.n_boot);
    else
        fprintf(stderr,
                "xsell %s: one split: %zu training rows, %zu test rows, %zu bootstrap "
                "resamples\n",
                CMD, r.n_train, r.n_test, a.eo.n_boot);
    rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : write_out();
    goto cleanup;
oom:
    rc = nomem();
cleanup:
    xs_table_free(t);
    xs_uplift_data_free(d);
    free(a.features);
    return rc < 0 ? XS_EXIT_OK : rc;
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
    if (!strcmp(sub, "train")) return cmd_train(argc - 1, argv + 1);
    if (!strcmp(sub, "predict")) return cmd_predict(argc - 1, argv + 1);
    if (!strcmp(sub, "eval")) return cmd_eval(argc - 1, argv + 1);
    return xs_cli_usage_error(CMD, "unknown subcommand \"%s\" (train, predict or eval)",
                              sub);
}
