/*
 * cmd_churn.c — `xsell churn eval|train|predict`: churn-risk models on a
 * customer-level table the user already has (one row per customer). eval
 * cross-validates (AUC, log loss, calibration deciles, per-fold AUCs),
 * train saves a model, predict scores customers with the columns that push
 * their risk most. With --db instead of --input the table comes from a
 * store's own history (src/score/churn_history.c): features at a cutoff,
 * labels from the horizon after it, a time-split evaluation. The work is in
 * libxsell (src/score/churn.c, features_table.c, churn_history.c, auc.c);
 * this file parses options and writes tables.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *CMD = "churn";

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: xsell churn eval --input FILE --id COLUMN --label COLUMN [OPTIONS]\n"
        "       xsell churn train --input FILE --id COLUMN --label COLUMN --model "
        "OUT.json\n"
        "                         [OPTIONS]\n"
        "       xsell churn predict --model FILE --input FILE --id COLUMN\n"
        "                           [--top-features K] [--approx] [--threads N]\n"
        "                           [--format F]\n"
        "       xsell churn eval --db FILE [--horizon DAYS] [--cutoff DATE] [OPTIONS]\n"
        "       xsell churn train --db FILE --model OUT.json [--horizon DAYS]\n"
        "                         [--cutoff DATE] [OPTIONS]\n"
        "       xsell churn predict --db FILE --model FILE [--as-of DATE]\n"
        "                           [--top-features K] [OPTIONS]\n"
        "\n"
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
        "\n");
    fprintf(
        out,
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
        "last day).\n"
        "\n"
        "  --input FILE          customer table (CSV with a header row)\n"
        "  --db FILE             store: build the table from its history\n"
        "  --horizon DAYS        --db: churn horizon (default 90, 1..3650)\n"
        "  --cutoff DATE         --db: training cutoff T1 (YYYY-MM-DD)\n"
        "  --as-of DATE          --db: the current date (YYYY-MM-DD)\n"
        "  --max-train N         --db train/eval: train on a stratified sample of N\n"
        "                        customers when more are active at T1 (default: all;\n"
        "                        customer scores and 'xsell build' use 200000)\n"
        "  --id COLUMN           customer id column (not a feature)\n"
        "  --label COLUMN        label column (not a feature)\n"
        "  --positive VALUE      label value meaning churned; default: the value among\n"
        "                        1, Yes, yes, YES, true, True, TRUE\n"
        "  --drop COLUMN         exclude a further column (repeatable)\n"
        "  --folds K             cross-validation folds (default 5)\n"
        "  --seed S              seed of the folds and of XGBoost (default 42)\n"
        "  --rounds N            boosting rounds (default 200)\n"
        "  --max-depth D         tree depth (default 3)\n"
        "  --eta E               learning rate (default 0.05)\n"
        "  --threads N           XGBoost threads (default 1; results depend on it)\n"
        "  --model FILE          model file to write (train) or read (predict)\n"
        "  --top-features K      reasons per customer (predict, default 3, 0: none)\n"
        "  --approx              predict: approximate contributions (Saabas: each\n"
        "                        split's change of the node mean goes to its feature;\n"
        "                        about 10x faster than TreeSHAP, less consistent)\n"
        "  --delimiter C         CSV delimiter (default ',')\n"
        "  --format F            table (default), json or csv\n"
        "  --help                this text\n"
        "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

typedef struct args {
    const char *input, *id, *label, *positive, *model;
    const char *db, *cutoff, *as_of;
    long horizon, max_train;
    int horizon_set;
    const char **drop;
    size_t n_drop;
    xs_churn_params p;
    long top;
    int approx, threads_set;
    char delim;
    xs_format fmt;
} args;

enum {
    O_INPUT = 256,
    O_ID,
    O_LABEL,
    O_POSITIVE,
    O_DROP,
    O_FOLDS,
    O_SEED,
    O_ROUNDS,
    O_DEPTH,
    O_ETA,
    O_THREADS,
    O_MODEL,
    O_TOP,
    O_DELIM,
    O_FORMAT,
    O_APPROX,
    O_DB,
    O_HORIZON,
    O_CUTOFF,
    O_AS_OF,
    O_MAX_TRAIN,
    O_HELP
};

/* Returns 0, -1 for --help (printed), or an exit code. */
static int parse_args(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"input", required_argument, NULL, O_INPUT},
        {"id", required_argument, NULL, O_ID},
        {"label", required_argument, NULL, O_LABEL},
        {"positive", required_argument, NULL, O_POSITIVE},
        {"drop", required_argument, NULL, O_DROP},
        {"folds", required_argument, NULL, O_FOLDS},
        {"seed", required_argument, NULL, O_SEED},
        {"rounds", required_argument, NULL, O_ROUNDS},
        {"max-depth", required_argument, NULL, O_DEPTH},
        {"eta", required_argument, NULL, O_ETA},
        {"threads", required_argument, NULL, O_THREADS},
        {"model", required_argument, NULL, O_MODEL},
        {"top-features", required_argument, NULL, O_TOP},
        {"delimiter", required_argument, NULL, O_DELIM},
        {"format", required_argument, NULL, O_FORMAT},
        {"approx", no_argument, NULL, O_APPROX},
        {"db", required_argument, NULL, O_DB},
        {"horizon", required_argument, NULL, O_HORIZON},
        {"cutoff", required_argument, NULL, O_CUTOFF},
        {"as-of", required_argument, NULL, O_AS_OF},
        {"max-train", required_argument, NULL, O_MAX_TRAIN},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    xs_churn_params_init(&a->p);
    a->top = 3;
    a->horizon = 90;
    a->delim = ',';
    a->drop = malloc((size_t)argc * sizeof *a->drop);
    if (!a->drop) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        return XS_EXIT_FAIL;
    }
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
        case O_ID:
            a->id = optarg;
            break;
        case O_LABEL:
            a->label = optarg;
            break;
        case O_POSITIVE:
            a->positive = optarg;
            break;
        case O_DROP:
            a->drop[a->n_drop++] = optarg;
            break;
        case O_FOLDS:
            if ((rc = xs_cli_long(CMD, "--folds", optarg, 0, 1000000000L, &v))) return rc;
            a->p.folds = (size_t)v;
            break;
        case O_SEED:
            if ((rc = xs_cli_long(CMD, "--seed", optarg, 0, 2147483647L, &v))) return rc;
            a->p.seed = (uint64_t)v;
            break;
        case O_ROUNDS:
            if ((rc = xs_cli_long(CMD, "--rounds", optarg, 1, 100000, &v))) return rc;
            a->p.rounds = (int)v;
            break;
        case O_DEPTH:
            if ((rc = xs_cli_long(CMD, "--max-depth", optarg, 1, 30, &v))) return rc;
            a->p.max_depth = (int)v;
            break;
        case O_ETA:
            if ((rc = xs_cli_double(CMD, "--eta", optarg, 1e-6, 1, &dv))) return rc;
            a->p.eta = dv;
            break;
        case O_THREADS:
            if ((rc = xs_cli_long(CMD, "--threads", optarg, 1, 256, &v))) return rc;
            a->p.nthread = (int)v;
            a->threads_set = 1;
            break;
        case O_APPROX:
            a->approx = 1;
            break;
        case O_DB:
            a->db = optarg;
            break;
        case O_HORIZON:
            if ((rc = xs_cli_long(CMD, "--horizon", optarg, 1, 3650, &a->horizon)))
                return rc;
            a->horizon_set = 1;
            break;
        case O_CUTOFF:
            a->cutoff = optarg;
            break;
        case O_AS_OF:
            a->as_of = optarg;
            break;
        case O_MAX_TRAIN:
            if ((rc = xs_cli_long(CMD, "--max-train", optarg, 2, 1000000000L, &a->max_train)))
                return rc;
            break;
        case O_MODEL:
            a->model = optarg;
            break;
        case O_TOP:
            if ((rc = xs_cli_long(CMD, "--top-features", optarg, 0, 1000, &a->top)))
                return rc;
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

/* Opens --db and loads its snapshot; prints the error and returns an exit
 * code, 0 on success. */
static int load_store(const char *db, xs_snapshot **snap)
{
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    *snap = NULL;
    if (!xs_store_exists(db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }
    int rc = 0;
    if (xs_store_open_readonly(&st, db, &e) < 0 || xs_snapshot_load(st, snap, &e) < 0)
        rc = xs_cli_fail(CMD, &e);
    xs_store_close(st);
    return rc;
}

/* The history options of the command line. */
static void history_opts(const args *a, xs_churn_history_opts *o)
{
    xs_churn_history_opts_init(o);
    o->horizon = (int)a->horizon;
    o->cutoff = a->cutoff;
    o->as_of = a->as_of;
    o->params = a->p;
    o->max_train = (size_t)a->max_train;
}

static int nomem(void)
{
    fprintf(stderr, "xsell %s: out of memory\n", CMD);
    return XS_EXIT_FAIL;
}

/* Blank and unseen values, one note per column on stderr. */
static void notes(const xs_churn_data *d, const char *path)
{
    for (size_t c = 0; c < xs_churn_data_n_columns(d); c++) {
        const xs_churn_column *col = xs_churn_data_column(d, c);
        if (col->n_blank)
            fprintf(stderr, "xsell %s: %s: %s: %zu blank value%s treated as missing\n",
                    CMD, path, col->name, col->n_blank, col->n_blank == 1 ? "" : "s");
        if (col->n_unseen)
            fprintf(stderr,
                    "xsell %s: %s: %s: %zu value%s not seen in training treated as "
                    "missing\n",
                    CMD, path, col->name, col->n_unseen, col->n_unseen == 1 ? "" : "s");
    }
}

/* Reads the training table; prints the error and returns an exit code. */
static int load_train(const args *a, xs_churn_data **d)
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
    notes(*d, a->input);
    return 0;
}

static int cell_num(xs_table *t, const char *fmt, double v)
{
    if (isnan(v)) return xs_table_cell(t, NULL);
    return xs_table_cellf(t, fmt, v);
}

static int write_out(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        return XS_EXIT_FAIL;
    }
    return XS_EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* eval                                                                    */
/* ---------------------------------------------------------------------- */

/* Writes a one-row table as the start of a JSON object (without "}"). */
static int json_head(const xs_table *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return -1;
    int w = xs_table_write(t, m, XS_FORMAT_JSON);
    fclose(m);
    int rc = -1;
    /* "[\n {...}\n]\n" -> "{..." */
    if (w == 0 && len > 6 && !strncmp(buf, "[\n ", 3)) {
        fwrite(buf + 3, 1, len - 3 - 4, stdout);
        rc = 0;
    }
    free(buf); /* from open_memstream(3) */
    return rc;
}

static int eval_tables(const xs_churn_cv *r, xs_table **sum, xs_table **folds,
                       xs_table **cal)
{
    static const char *const sc[] = {"n",      "n_positive", "n_folds", "auc",
                                     "auc_sd", "auc_pooled", "log_loss"};
    static const char *const fc[] = {"fold", "n", "n_positive", "auc", "log_loss"};
    static const char *const cc[] = {
        "decile", "n", "p_min", "p_max", "mean_predicted", "observed_rate"};
    xs_table *s = xs_table_new(), *f = xs_table_new(), *c = xs_table_new();
    *sum = s;
    *folds = f;
    *cal = c;
    if (!s || !f || !c) return -1;
    for (size_t i = 0; i < sizeof sc / sizeof *sc; i++)
        if (xs_table_column(s, sc[i], XS_COL_NUM)) return -1;
    for (size_t i = 0; i < sizeof fc / sizeof *fc; i++)
        if (xs_table_column(f, fc[i], XS_COL_NUM)) return -1;
    for (size_t i = 0; i < sizeof cc / sizeof *cc; i++)
        if (xs_table_column(c, cc[i], XS_COL_NUM)) return -1;
    if (xs_table_row(s) || xs_table_cellf(s, "%zu", r->n) ||
        xs_table_cellf(s, "%zu", r->n_pos) || xs_table_cellf(s, "%zu", r->n_folds) ||
        cell_num(s, "%.6f", r->auc) || cell_num(s, "%.6f", r->auc_sd) ||
        cell_num(s, "%.6f", r->auc_pooled) || cell_num(s, "%.6f", r->log_loss))
        return -1;
    for (size_t i = 0; i < r->n_folds; i++) {
        const xs_churn_fold *fo = &r->folds[i];
        if (xs_table_row(f) || xs_table_cellf(f, "%zu", i + 1) ||
            xs_table_cellf(f, "%zu", fo->n) || xs_table_cellf(f, "%zu", fo->n_pos) ||
            cell_num(f, "%.6f", fo->auc) || cell_num(f, "%.6f", fo->log_loss))
            return -1;
    }
    for (size_t i = 0; i < XS_CHURN_BINS; i++) {
        const xs_churn_bin *b = &r->bins[i];
        if (xs_table_row(c) || xs_table_cellf(c, "%zu", i + 1) ||
            xs_table_cellf(c, "%zu", b->n) || cell_num(c, "%.6f", b->p_min) ||
            cell_num(c, "%.6f", b->p_max) || cell_num(c, "%.6f", b->mean_pred) ||
            cell_num(c, "%.6f", b->observed))
            return -1;
    }
    return 0;
}

/* CSV: one long table, part = overall | fold | decile. */
static int eval_csv(const xs_churn_cv *r)
{
    static const char *const cols[] = {
        "part",     "index", "n",     "n_positive",     "auc",
        "log_loss", "p_min", "p_max", "mean_predicted", "observed_rate"};
    xs_table *t = xs_table_new();
    int rc = -1;
    if (!t) return -1;
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        if (xs_table_column(t, cols[i], i ? XS_COL_NUM : XS_COL_TEXT)) goto cleanup;
    if (xs_table_row(t) || xs_table_cell(t, "overall") || xs_table_cell(t, NULL) ||
        xs_table_cellf(t, "%zu", r->n) || xs_table_cellf(t, "%zu", r->n_pos) ||
        cell_num(t, "%.6f", r->auc) || cell_num(t, "%.6f", r->log_loss) ||
        xs_table_cell(t, NULL) || xs_table_cell(t, NULL) || xs_table_cell(t, NULL) ||
        xs_table_cell(t, NULL))
        goto cleanup;
    for (size_t i = 0; i < r->n_folds; i++) {
        const xs_churn_fold *fo = &r->folds[i];
        if (xs_table_row(t) || xs_table_cell(t, "fold") ||
            xs_table_cellf(t, "%zu", i + 1) || xs_table_cellf(t, "%zu", fo->n) ||
            xs_table_cellf(t, "%zu", fo->n_pos) || cell_num(t, "%.6f", fo->auc) ||
            cell_num(t, "%.6f", fo->log_loss) || xs_table_cell(t, NULL) ||
            xs_table_cell(t, NULL) || xs_table_cell(t, NULL) || xs_table_cell(t, NULL))
            goto cleanup;
    }
    for (size_t i = 0; i < XS_CHURN_BINS; i++) {
        const xs_churn_bin *b = &r->bins[i];
        if (xs_table_row(t) || xs_table_cell(t, "decile") ||
            xs_table_cellf(t, "%zu", i + 1) || xs_table_cellf(t, "%zu", b->n) ||
            xs_table_cell(t, NULL) || xs_table_cell(t, NULL) || xs_table_cell(t, NULL) ||
            cell_num(t, "%.6f", b->p_min) || cell_num(t, "%.6f", b->p_max) ||
            cell_num(t, "%.6f", b->mean_pred) || cell_num(t, "%.6f", b->observed))
            goto cleanup;
    }
    rc = xs_table_write(t, stdout, XS_FORMAT_CSV);
cleanup:
    xs_table_free(t);
    return rc;
}

/* The calibration deciles as a table. */
static int bins_table(const xs_churn_bin *bins, xs_table *c)
{
    static const char *const cc[] = {
        "decile", "n", "p_min", "p_max", "mean_predicted", "observed_rate"};
    for (size_t i = 0; i < sizeof cc / sizeof *cc; i++)
        if (xs_table_column(c, cc[i], XS_COL_NUM)) return -1;
    for (size_t i = 0; i < XS_CHURN_BINS; i++) {
        const xs_churn_bin *b = &bins[i];
        if (xs_table_row(c) || xs_table_cellf(c, "%zu", i + 1) ||
            xs_table_cellf(c, "%zu", b->n) || cell_num(c, "%.6f", b->p_min) ||
            cell_num(c, "%.6f", b->p_max) || cell_num(c, "%.6f", b->mean_pred) ||
            cell_num(c, "%.6f", b->observed))
            return -1;
    }
    return 0;
}

/* eval --db: the time-split evaluation. */
static int history_eval(const args *a)
{
    xs_snapshot *snap = NULL;
    xs_table *s = NULL, *c = NULL;
    xs_churn_history_opts o;
    xs_churn_history_eval_result r;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = load_store(a->db, &snap);
    if (rc) goto cleanup;
    history_opts(a, &o);
    if (xs_churn_history_eval(snap, &o, &r, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    s = xs_table_new();
    c = xs_table_new();
    if (!s || !c) goto oom;
    int w = -1;
    if (a->fmt == XS_FORMAT_CSV) {
        static const char *const cols[] = {
            "part",         "index",    "cutoff", "n",     "n_positive",
            "auc",          "log_loss", "p_min",  "p_max", "mean_predicted",
            "observed_rate"};
        for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
            if (xs_table_column(s, cols[i], i == 0 || i == 2 ? XS_COL_TEXT : XS_COL_NUM))
                goto oom;
        if (xs_table_row(s) || xs_table_cell(s, "train") || xs_table_cell(s, NULL) ||
            xs_table_cell(s, r.train_cutoff) || xs_table_cellf(s, "%zu", r.n_train) ||
            xs_table_cellf(s, "%zu", r.n_train_pos))
            goto oom;
        for (int i = 0; i < 6; i++)
            if (xs_table_cell(s, NULL)) goto oom;
        if (xs_table_row(s) || xs_table_cell(s, "eval") || xs_table_cell(s, NULL) ||
            xs_table_cell(s, r.eval_cutoff) || xs_table_cellf(s, "%zu", r.n) ||
            xs_table_cellf(s, "%zu", r.n_pos) || cell_num(s, "%.6f", r.auc) ||
            cell_num(s, "%.6f", r.log_loss))
            goto oom;
        for (int i = 0; i < 4; i++)
            if (xs_table_cell(s, NULL)) goto oom;
        for (size_t i = 0; i < XS_CHURN_BINS; i++) {
            const xs_churn_bin *b = &r.bins[i];
            if (xs_table_row(s) || xs_table_cell(s, "decile") ||
                xs_table_cellf(s, "%zu", i + 1) || xs_table_cell(s, r.eval_cutoff) ||
                xs_table_cellf(s, "%zu", b->n) || xs_table_cell(s, NULL) ||
                xs_table_cell(s, NULL) || xs_table_cell(s, NULL) ||
                cell_num(s, "%.6f", b->p_min) || cell_num(s, "%.6f", b->p_max) ||
                cell_num(s, "%.6f", b->mean_pred) || cell_num(s, "%.6f", b->observed))
                goto oom;
        }
        w = xs_table_write(s, stdout, XS_FORMAT_CSV);
    } else {
        static const char *const sc[] = {
            "train_cutoff", "eval_cutoff", "horizon", "n_train", "n_train_positive", "n",
            "n_positive",   "auc",         "log_loss"};
        for (size_t i = 0; i < sizeof sc / sizeof *sc; i++)
            if (xs_table_column(s, sc[i], i < 2 ? XS_COL_TEXT : XS_COL_NUM)) goto oom;
        if (xs_table_row(s) || xs_table_cell(s, r.train_cutoff) ||
            xs_table_cell(s, r.eval_cutoff) || xs_table_cellf(s, "%d", r.horizon) ||
            xs_table_cellf(s, "%zu", r.n_train) ||
            xs_table_cellf(s, "%zu", r.n_train_pos) || xs_table_cellf(s, "%zu", r.n) ||
            xs_table_cellf(s, "%zu", r.n_pos) || cell_num(s, "%.6f", r.auc) ||
            cell_num(s, "%.6f", r.log_loss) || bins_table(r.bins, c))
            goto oom;
        if (a->fmt == XS_FORMAT_TABLE) {
            w = xs_table_write(s, stdout, a->fmt);
            if (!w)
                fprintf(stdout, "\ncalibration (deciles of the predictions at %s)\n",
                        r.eval_cutoff);
            if (!w) w = xs_table_write(c, stdout, a->fmt);
        } else {
            w = json_head(s);
            if (!w) fputs(", \"calibration\": ", stdout);
            if (!w) w = xs_table_write(c, stdout, a->fmt);
            if (!w) fputs("}\n", stdout);
        }
    }
    if (w < 0) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        rc = XS_EXIT_FAIL;
    } else {
        rc = write_out();
    }
    goto cleanup;
oom:
    rc = nomem();
cleanup:
    xs_table_free(s);
    xs_table_free(c);
    xs_snapshot_free(snap);
    return rc;
}

static int cmd_eval(int argc, char **argv)
{
    args a;
    xs_churn_data *d = NULL;
    xs_table *s = NULL, *f = NULL, *c = NULL;
    xs_churn_cv r;
    memset(&r, 0, sizeof r);
    int rc = parse_args(argc, argv, &a);
    if (rc) goto cleanup;
    if (a.db) {
        rc = history_eval(&a);
        goto cleanup;
    }
    if ((rc = load_train(&a, &d))) goto cleanup;
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_churn_cv_run(d, &a.p, &r, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    int w;
    if (a.fmt == XS_FORMAT_CSV) {
        w = eval_csv(&r);
    } else {
        w = eval_tables(&r, &s, &f, &c);
        if (w < 0) {
            rc = nomem();
            goto cleanup;
        }
        if (a.fmt == XS_FORMAT_TABLE) {
            w = xs_table_write(s, stdout, a.fmt);
            if (!w) fputs("\n", stdout);
            if (!w) w = xs_table_write(f, stdout, a.fmt);
            if (!w) fputs("\ncalibration (deciles of out-of-fold predictions)\n", stdout);
            if (!w) w = xs_table_write(c, stdout, a.fmt);
        } else {
            w = json_head(s);
            if (!w) fputs(", \"folds\": ", stdout);
            if (!w) w = xs_table_write(f, stdout, a.fmt);
            if (!w) fputs(", \"calibration\": ", stdout);
            if (!w) w = xs_table_write(c, stdout, a.fmt);
            if (!w) fputs("}\n", stdout);
        }
    }
    rc = w < 0 ? XS_EXIT_FAIL : write_out();
    if (w < 0) fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
cleanup:
    xs_table_free(s);
    xs_table_free(f);
    xs_table_free(c);
    xs_churn_cv_free(&r);
    xs_churn_data_free(d);
    free(a.drop);
    return rc < 0 ? XS_EXIT_OK : rc;
}

/* ---------------------------------------------------------------------- */
/* train                                                                   */
/* ---------------------------------------------------------------------- */

/* train --db: trains at the cutoff and saves the model. */
static int history_train(const args *a)
{
    xs_snapshot *snap = NULL;
    xs_churn_model *m = NULL;
    xs_table *t = NULL;
    xs_churn_history_opts o;
    xs_churn_history_eval_result info;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = load_store(a->db, &snap);
    if (rc) goto cleanup;
    history_opts(a, &o);
    if (xs_churn_history_train(snap, &o, &m, &info, &e) < 0 ||
        xs_churn_model_save(m, a->model, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    t = xs_table_new();
    if (!t || xs_table_column(t, "model", XS_COL_TEXT) ||
        xs_table_column(t, "cutoff", XS_COL_TEXT) ||
        xs_table_column(t, "horizon", XS_COL_NUM) ||
        xs_table_column(t, "n", XS_COL_NUM) ||
        xs_table_column(t, "n_positive", XS_COL_NUM) ||
        xs_table_column(t, "n_features", XS_COL_NUM) ||
        xs_table_column(t, "rounds", XS_COL_NUM) || xs_table_row(t) ||
        xs_table_cell(t, a->model) || xs_table_cell(t, info.train_cutoff) ||
        xs_table_cellf(t, "%d", info.horizon) || xs_table_cellf(t, "%zu", info.n_train) ||
        xs_table_cellf(t, "%zu", info.n_train_pos) ||
        xs_table_cellf(t, "%zu", xs_churn_model_n_features(m)) ||
        xs_table_cellf(t, "%d", a->p.rounds)) {
        rc = nomem();
        goto cleanup;
    }
    rc = xs_table_write(t, stdout, a->fmt) < 0 ? XS_EXIT_FAIL : write_out();
cleanup:
    xs_table_free(t);
    xs_churn_model_free(m);
    xs_snapshot_free(snap);
    return rc;
}

static int cmd_train(int argc, char **argv)
{
    args a;
    xs_churn_data *d = NULL;
    xs_churn_model *m = NULL;
    xs_table *t = NULL;
    int rc = parse_args(argc, argv, &a);
    if (rc) goto cleanup;
    if (!a.model) {
        rc = xs_cli_usage_error(CMD, "--model is required");
        goto cleanup;
    }
    if (a.db) {
        rc = history_train(&a);
        goto cleanup;
    }
    if ((rc = load_train(&a, &d))) goto cleanup;
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_churn_train(d, &a.p, &m, &e) < 0 || xs_churn_model_save(m, a.model, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    t = xs_table_new();
    if (!t || xs_table_column(t, "model", XS_COL_TEXT) ||
        xs_table_column(t, "n", XS_COL_NUM) ||
        xs_table_column(t, "n_positive", XS_COL_NUM) ||
        xs_table_column(t, "positive", XS_COL_TEXT) ||
        xs_table_column(t, "n_features", XS_COL_NUM) ||
        xs_table_column(t, "rounds", XS_COL_NUM) || xs_table_row(t) ||
        xs_table_cell(t, a.model) || xs_table_cellf(t, "%zu", xs_churn_data_rows(d)) ||
        xs_table_cellf(t, "%zu", xs_churn_data_positives(d)) ||
        xs_table_cell(t, xs_churn_data_positive(d)) ||
        xs_table_cellf(t, "%zu", xs_churn_data_n_features(d)) ||
        xs_table_cellf(t, "%d", a.p.rounds)) {
        rc = nomem();
        goto cleanup;
    }
    rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : write_out();
cleanup:
    xs_table_free(t);
    xs_churn_model_free(m);
    xs_churn_data_free(d);
    free(a.drop);
    return rc < 0 ? XS_EXIT_OK : rc;
}

/* ---------------------------------------------------------------------- */
/* predict                                                                 */
/* ---------------------------------------------------------------------- */

static int cmd_predict(int argc, char **argv)
{
    args a;
    xs_churn_data *d = NULL;
    xs_churn_model *m = NULL;
    xs_table *t = NULL;
    xs_churn_reason *rs = NULL;
    xs_churn_pred p;
    memset(&p, 0, sizeof p);
    xs_snapshot *snap = NULL;
    int rc = parse_args(argc, argv, &a);
    if (rc) goto cleanup;
    if (!a.model || (!a.input && !a.db) || (!a.db && !a.id)) {
        rc = xs_cli_usage_error(CMD, "%s is required",
                                !a.model            ? "--model"
                                : !a.input && !a.db ? "--input or --db"
                                                    : "--id");
        goto cleanup;
    }
    xs_error e;
    memset(&e, 0, sizeof e);
    int contribs = a.top == 0 ? 0
                   : a.approx ? XS_CHURN_CONTRIBS_APPROX
                              : XS_CHURN_CONTRIBS;
    if (a.db) {
        if ((rc = load_store(a.db, &snap))) goto cleanup;
        if (xs_churn_model_load(a.model, &m, &e) < 0) {
            rc = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        if (a.threads_set) xs_churn_model_set_threads(m, a.p.nthread);
        if (xs_churn_history_predict(snap, m, a.as_of, contribs, &d, &p, &e) < 0) {
            rc = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        a.id = "customer_id";
    } else {
        if (xs_churn_model_load(a.model, &m, &e) < 0 ||
            xs_churn_data_read_for_model(a.input, m, a.id, a.delim, &d, &e) < 0) {
            rc = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        notes(d, a.input);
        if (a.threads_set) xs_churn_model_set_threads(m, a.p.nthread);
        if (xs_churn_predict(m, d, contribs, &p, &e) < 0) {
            rc = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
    }
    size_t k = (size_t)a.top;
    if (k && !(rs = calloc(k, sizeof *rs))) {
        rc = nomem();
        goto cleanup;
    }
    t = xs_table_new();
    if (!t || xs_table_column(t, a.id, XS_COL_TEXT) ||
        xs_table_column(t, "probability", XS_COL_NUM))
        goto oom;
    for (size_t j = 0; j < k; j++) {
        char name[48];
        snprintf(name, sizeof name, "feature_%zu", j + 1);
        if (xs_table_column(t, name, XS_COL_TEXT)) goto oom;
        snprintf(name, sizeof name, "contribution_%zu", j + 1);
        if (xs_table_column(t, name, XS_COL_NUM)) goto oom;
    }
    for (size_t i = 0; i < p.n; i++) {
        if (xs_table_row(t) || xs_table_cell(t, xs_churn_data_id(d, i)) ||
            xs_table_cellf(t, "%.6f", p.prob[i]))
            goto oom;
        size_t got = xs_churn_reasons(&p, d, i, rs, k);
        for (size_t j = 0; j < k; j++) {
            if (j < got ? (xs_table_cell(t, rs[j].name) ||
                           xs_table_cellf(t, "%.6f", rs[j].contribution))
                        : (xs_table_cell(t, NULL) || xs_table_cell(t, NULL)))
                goto oom;
        }
    }
    rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : write_out();
    goto cleanup;
oom:
    rc = nomem();
cleanup:
    free(rs);
    xs_table_free(t);
    xs_churn_pred_free(&p);
    xs_churn_model_free(m);
    xs_churn_data_free(d);
    xs_snapshot_free(snap);
    free(a.drop);
    return rc < 0 ? XS_EXIT_OK : rc;
}

int xs_cmd_churn(int argc, char **argv)
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
    if (!strcmp(sub, "eval")) return cmd_eval(argc - 1, argv + 1);
    if (!strcmp(sub, "train")) return cmd_train(argc - 1, argv + 1);
    if (!strcmp(sub, "predict")) return cmd_predict(argc - 1, argv + 1);
    return xs_cli_usage_error(CMD, "unknown subcommand \"%s\" (eval, train or predict)",
                              sub);
}
