/*
 * churn_out.c — the reports of a churn model's evaluation as output tables
 * (src/io/table.c): the cross-validation of a customer table (summary,
 * folds, calibration deciles) and the time-split evaluation on a store's
 * history (train and eval cutoffs, calibration). In table format the parts
 * follow each other with a title line; in JSON they are members of one
 * object; in CSV one long table whose "part" column says which is which.
 * Also the predictions with their reasons as one table. Probabilities and
 * metrics have 6 fraction digits; an undefined metric (AUC with one
 * class) is an empty cell.
 */
#include "io/table.h"

#include "base/alloc.h"

#include <math.h>
#include <stdio.h>

static const char *const bin_cols[] = {
    "decile", "n", "p_min", "p_max", "mean_predicted", "observed_rate"};

static int cell_num(xs_table *t, double v)
{
    if (isnan(v)) return xs_table_cell(t, NULL);
    return xs_table_cellf(t, "%.6f", v);
}

static int empty(xs_table *t, int n)
{
    for (int i = 0; i < n; i++)
        if (xs_table_cell(t, NULL)) return -1;
    return 0;
}

static int columns(xs_table *t, const char *const *names, size_t n, unsigned text_mask)
{
    for (size_t i = 0; i < n; i++)
        if (xs_table_column(t, names[i], (text_mask >> i) & 1 ? XS_COL_TEXT : XS_COL_NUM))
            return -1;
    return 0;
}

/* The cells p_min .. observed_rate of one decile. */
static int bin_cells(xs_table *t, const xs_churn_bin *b)
{
    return cell_num(t, b->p_min) || cell_num(t, b->p_max) || cell_num(t, b->mean_pred) ||
           cell_num(t, b->observed);
}

/* The calibration deciles as a table. */
static int bins_table(const xs_churn_bin *bins, xs_table *c)
{
    if (columns(c, bin_cols, 6, 0)) return -1;
    for (size_t i = 0; i < XS_CHURN_BINS; i++)
        if (xs_table_row(c) || xs_table_cellf(c, "%zu", i + 1) ||
            xs_table_cellf(c, "%zu", bins[i].n) || bin_cells(c, &bins[i]))
            return -1;
    return 0;
}

/* Writes s, then the tables parts[] with their JSON member names and, in
 * table format, their title lines (NULL: a blank line). */
static int write_parts(const xs_table *s, const xs_table *const *parts,
                       const char *const *names, const char *const *titles, size_t n,
                       FILE *out, xs_format fmt)
{
    int w = fmt == XS_FORMAT_TABLE ? xs_table_write(s, out, fmt)
                                   : xs_table_write_object_open(s, out);
    for (size_t i = 0; i < n && !w; i++) {
        if (fmt == XS_FORMAT_TABLE)
            fputs(titles[i] ? titles[i] : "\n", out);
        else
            fprintf(out, ", \"%s\": ", names[i]);
        w = xs_table_write(parts[i], out, fmt);
    }
    if (!w && fmt == XS_FORMAT_JSON) fputs("}\n", out);
    if (!w && ferror(out)) w = XS_EIO;
    return w;
}

/* ---------------------------------------------------------------------- */
/* Cross-validation                                                        */
/* ---------------------------------------------------------------------- */

/* CSV: one long table, part = overall | fold | decile. */
static int cv_csv(const xs_churn_cv *r, xs_table *t)
{
    static const char *const cols[] = {
        "part",     "index", "n",     "n_positive",     "auc",
        "log_loss", "p_min", "p_max", "mean_predicted", "observed_rate"};
    if (columns(t, cols, 10, 1) || xs_table_row(t) || xs_table_cell(t, "overall") ||
        xs_table_cell(t, NULL) || xs_table_cellf(t, "%zu", r->n) ||
        xs_table_cellf(t, "%zu", r->n_pos) || cell_num(t, r->auc) ||
        cell_num(t, r->log_loss) || empty(t, 4))
        return -1;
    for (size_t i = 0; i < r->n_folds; i++) {
        const xs_churn_fold *fo = &r->folds[i];
        if (xs_table_row(t) || xs_table_cell(t, "fold") ||
            xs_table_cellf(t, "%zu", i + 1) || xs_table_cellf(t, "%zu", fo->n) ||
            xs_table_cellf(t, "%zu", fo->n_pos) || cell_num(t, fo->auc) ||
            cell_num(t, fo->log_loss) || empty(t, 4))
            return -1;
    }
    for (size_t i = 0; i < XS_CHURN_BINS; i++) {
        const xs_churn_bin *b = &r->bins[i];
        if (xs_table_row(t) || xs_table_cell(t, "decile") ||
            xs_table_cellf(t, "%zu", i + 1) || xs_table_cellf(t, "%zu", b->n) ||
            empty(t, 3) || bin_cells(t, b))
            return -1;
    }
    return 0;
}

/* The summary and the folds tables. */
static int cv_tables(const xs_churn_cv *r, xs_table *s, xs_table *f)
{
    static const char *const sc[] = {"n",      "n_positive", "n_folds", "auc",
                                     "auc_sd", "auc_pooled", "log_loss"};
    static const char *const fc[] = {"fold", "n", "n_positive", "auc", "log_loss"};
    if (columns(s, sc, 7, 0) || columns(f, fc, 5, 0) || xs_table_row(s) ||
        xs_table_cellf(s, "%zu", r->n) || xs_table_cellf(s, "%zu", r->n_pos) ||
        xs_table_cellf(s, "%zu", r->n_folds) || cell_num(s, r->auc) ||
        cell_num(s, r->auc_sd) || cell_num(s, r->auc_pooled) || cell_num(s, r->log_loss))
        return -1;
    for (size_t i = 0; i < r->n_folds; i++) {
        const xs_churn_fold *fo = &r->folds[i];
        if (xs_table_row(f) || xs_table_cellf(f, "%zu", i + 1) ||
            xs_table_cellf(f, "%zu", fo->n) || xs_table_cellf(f, "%zu", fo->n_pos) ||
            cell_num(f, fo->auc) || cell_num(f, fo->log_loss))
            return -1;
    }
    return 0;
}

/* Contract in xsell.h. */
int xs_churn_cv_write(const xs_churn_cv *r, FILE *out, xs_format fmt)
{
    xs_table *s = xs_table_new(), *f = xs_table_new(), *c = xs_table_new();
    int rc = XS_ENOMEM;
    if (!s || !f || !c) goto cleanup;
    if (fmt == XS_FORMAT_CSV) {
        rc = cv_csv(r, s) ? XS_ENOMEM : xs_table_write(s, out, fmt);
        goto cleanup;
    }
    if (cv_tables(r, s, f) || bins_table(r->bins, c)) goto cleanup;
    const xs_table *parts[] = {f, c};
    static const char *const names[] = {"folds", "calibration"};
    static const char *const titles[] = {
        NULL, "\ncalibration (deciles of out-of-fold predictions)\n"};
    rc = write_parts(s, parts, names, titles, 2, out, fmt);
cleanup:
    xs_table_free(s);
    xs_table_free(f);
    xs_table_free(c);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Time-split evaluation on a store's history                              */
/* ---------------------------------------------------------------------- */

/* CSV: one long table, part = train | eval | decile. */
static int history_csv(const xs_churn_history_eval_result *r, xs_table *s)
{
    static const char *const cols[] = {
        "part",         "index",    "cutoff", "n",     "n_positive",
        "auc",          "log_loss", "p_min",  "p_max", "mean_predicted",
        "observed_rate"};
    if (columns(s, cols, 11, 1u | 4u) || xs_table_row(s) || xs_table_cell(s, "train") ||
        xs_table_cell(s, NULL) || xs_table_cell(s, r->train_cutoff) ||
        xs_table_cellf(s, "%zu", r->n_train) ||
        xs_table_cellf(s, "%zu", r->n_train_pos) || empty(s, 6) || xs_table_row(s) ||
        xs_table_cell(s, "eval") || xs_table_cell(s, NULL) ||
        xs_table_cell(s, r->eval_cutoff) || xs_table_cellf(s, "%zu", r->n) ||
        xs_table_cellf(s, "%zu", r->n_pos) || cell_num(s, r->auc) ||
        cell_num(s, r->log_loss) || empty(s, 4))
        return -1;
    for (size_t i = 0; i < XS_CHURN_BINS; i++) {
        const xs_churn_bin *b = &r->bins[i];
        if (xs_table_row(s) || xs_table_cell(s, "decile") ||
            xs_table_cellf(s, "%zu", i + 1) || xs_table_cell(s, r->eval_cutoff) ||
            xs_table_cellf(s, "%zu", b->n) || empty(s, 3) || bin_cells(s, b))
            return -1;
    }
    return 0;
}

/* The one-row summary table. */
static int history_summary(const xs_churn_history_eval_result *r, xs_table *s)
{
    static const char *const sc[] = {
        "train_cutoff", "eval_cutoff", "horizon", "n_train", "n_train_positive", "n",
        "n_positive",   "auc",         "log_loss"};
    return columns(s, sc, 9, 3u) || xs_table_row(s) ||
           xs_table_cell(s, r->train_cutoff) || xs_table_cell(s, r->eval_cutoff) ||
           xs_table_cellf(s, "%d", r->horizon) || xs_table_cellf(s, "%zu", r->n_train) ||
           xs_table_cellf(s, "%zu", r->n_train_pos) || xs_table_cellf(s, "%zu", r->n) ||
           xs_table_cellf(s, "%zu", r->n_pos) || cell_num(s, r->auc) ||
           cell_num(s, r->log_loss);
}

/* Contract in xsell.h. */
int xs_churn_history_eval_write(const xs_churn_history_eval_result *r, FILE *out,
                                xs_format fmt)
{
    xs_table *s = xs_table_new(), *c = xs_table_new();
    int rc = XS_ENOMEM;
    if (!s || !c) goto cleanup;
    if (fmt == XS_FORMAT_CSV) {
        rc = history_csv(r, s) ? XS_ENOMEM : xs_table_write(s, out, fmt);
        goto cleanup;
    }
    if (history_summary(r, s) || bins_table(r->bins, c)) goto cleanup;
    char title[96];
    snprintf(title, sizeof title, "\ncalibration (deciles of the predictions at %s)\n",
             r->eval_cutoff);
    const xs_table *parts[] = {c};
    const char *names[] = {"calibration"}, *titles[] = {title};
    rc = write_parts(s, parts, names, titles, 1, out, fmt);
cleanup:
    xs_table_free(s);
    xs_table_free(c);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Predictions                                                             */
/* ---------------------------------------------------------------------- */

/* The columns: the id, the probability and k feature/contribution pairs. */
static int pred_columns(xs_table *t, const char *id_column, size_t k)
{
    if (xs_table_column(t, id_column, XS_COL_TEXT) ||
        xs_table_column(t, "probability", XS_COL_NUM))
        return -1;
    for (size_t j = 0; j < k; j++) {
        char name[48];
        snprintf(name, sizeof name, "feature_%zu", j + 1);
        if (xs_table_column(t, name, XS_COL_TEXT)) return -1;
        snprintf(name, sizeof name, "contribution_%zu", j + 1);
        if (xs_table_column(t, name, XS_COL_NUM)) return -1;
    }
    return 0;
}

/* Contract in xsell.h. */
int xs_churn_pred_table(const xs_churn_pred *p, const xs_churn_data *d,
                        const char *id_column, size_t k, xs_table *t)
{
    xs_churn_reason *rs = k ? xs__calloc(k, sizeof *rs) : NULL;
    int rc = XS_ENOMEM;
    if ((k && !rs) || pred_columns(t, id_column, k)) goto cleanup;
    for (size_t i = 0; i < p->n; i++) {
        if (xs_table_row(t) || xs_table_cell(t, xs_churn_data_id(d, i)) ||
            xs_table_cellf(t, "%.6f", p->prob[i]))
            goto cleanup;
        size_t got = xs_churn_reasons(p, d, i, rs, k);
        for (size_t j = 0; j < k; j++)
            if (j < got ? (xs_table_cell(t, rs[j].name) ||
                           xs_table_cellf(t, "%.6f", rs[j].contribution))
                        : (xs_table_cell(t, NULL) || xs_table_cell(t, NULL)))
                goto cleanup;
    }
    rc = XS_OK;
cleanup:
    xs__free(rs);
    return rc;
}
