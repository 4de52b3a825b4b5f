/*
 * experiment_out.c — an experiment's analysis as output tables
 * (src/io/table.c): the groups with their shares, the sample-ratio line and
 * the lift of every metric and group, and for a holdout experiment of the
 * store its definition and arms before that. In table format the parts
 * follow each other; in JSON they are members of one object; CSV holds the
 * results table alone. Numbers have 6 significant digits; what is not
 * finite (a relative lift over a control mean of 0) is an empty cell.
 */
#include "io/table.h"

#include <math.h>
#include <stdio.h>

/* A number cell with 6 significant digits; empty (null) when not finite. */
static int num_cell(xs_table *t, double v)
{
    if (!isfinite(v)) return xs_table_cell(t, NULL);
    if (v == 0) v = 0; /* no "-0" */
    return xs_table_cellf(t, "%.6g", v);
}

static int groups_table(const xs_exp_result *r, xs_table *t)
{
    if (xs_table_column(t, "group", XS_COL_TEXT) < 0 ||
        xs_table_column(t, "n", XS_COL_NUM) < 0 ||
        xs_table_column(t, "share", XS_COL_NUM) < 0 ||
        xs_table_column(t, "expected_share", XS_COL_NUM) < 0)
        return -1;
    for (size_t i = 0; i < xs_exp_result_n_groups(r); i++) {
        const xs_exp_group *g = xs_exp_result_group(r, i);
        if (xs_table_row(t) < 0 || xs_table_cell(t, g->label) < 0 ||
            xs_table_cellf(t, "%zu", g->n) < 0 || num_cell(t, g->share) < 0 ||
            num_cell(t, g->expected) < 0)
            return -1;
    }
    return 0;
}

static int num_cells(xs_table *t, const double *v, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (num_cell(t, v[j]) < 0) return -1;
    return 0;
}

static int results_columns(xs_table *t, int cuped)
{
    static const char *base_cols[] = {
        "metric",  "group",   "n",        "mean",   "sd",     "method", "lift",
        "lift_lo", "lift_hi", "rel_lift", "rel_lo", "rel_hi", "p_value"};
    static const char *cuped_cols[] = {"theta",        "var_reduction", "cuped_lift",
                                       "cuped_lo",     "cuped_hi",      "cuped_rel_lift",
                                       "cuped_rel_lo", "cuped_rel_hi",  "cuped_p_value"};
    for (size_t i = 0; i < sizeof base_cols / sizeof *base_cols; i++)
        if (xs_table_column(t, base_cols[i], i < 2 || i == 5 ? XS_COL_TEXT : XS_COL_NUM) <
            0)
            return -1;
    for (size_t i = 0; cuped && i < sizeof cuped_cols / sizeof *cuped_cols; i++)
        if (xs_table_column(t, cuped_cols[i], XS_COL_NUM) < 0) return -1;
    return 0;
}

static int results_table(const xs_exp_result *r, xs_table *t)
{
    int cuped = xs_exp_result_has_cuped(r);
    if (results_columns(t, cuped) < 0) return -1;
    for (size_t i = 0; i < xs_exp_result_n_rows(r); i++) {
        const xs_exp_row *w = xs_exp_result_row(r, i);
        double v[] = {w->lift,   w->lift_lo, w->lift_hi, w->rel,
                      w->rel_lo, w->rel_hi,  w->p};
        double cv[] = {w->theta,        w->var_reduction, w->cuped_lift,
                       w->cuped_lo,     w->cuped_hi,      w->cuped_rel,
                       w->cuped_rel_lo, w->cuped_rel_hi,  w->cuped_p};
        if (xs_table_row(t) < 0 || xs_table_cell(t, w->metric) < 0 ||
            xs_table_cell(t, w->group) < 0 || xs_table_cellf(t, "%zu", w->n) < 0 ||
            num_cell(t, w->mean) < 0 || num_cell(t, w->sd) < 0 ||
            xs_table_cell(t, w->is_control ? "control" : xs_exp_method_name(w->method)) <
                0 ||
            num_cells(t, v, 7) < 0 || (cuped && num_cells(t, cv, 9) < 0))
            return -1;
    }
    return 0;
}

static void srm_line(FILE *out, const xs_exp_srm *s)
{
    fprintf(out, "sample ratio: chi2 = %.6g, df = %d, p = %.6g: ", s->chi2, s->df, s->p);
    if (s->flagged)
        fprintf(out,
                "SAMPLE RATIO MISMATCH (p < 0.001): group sizes differ from the planned "
                "split; the lifts below may be biased\n");
    else
        fprintf(out, "no mismatch with the planned split\n");
}

/* The analysis after head (written by the caller: in table format anything,
 * in JSON object members each followed by ", " after the opening brace). */
static int write_analysis(const xs_exp_result *r, FILE *out, xs_format fmt,
                          int (*head)(const void *, FILE *, xs_format), const void *ctx)
{
    xs_table *g = xs_table_new(), *t = xs_table_new();
    int rc = XS_ENOMEM;
    const xs_exp_srm *s = xs_exp_result_srm(r);
    if (!g || !t || groups_table(r, g) < 0 || results_table(r, t) < 0) goto cleanup;
    if (fmt == XS_FORMAT_TABLE) {
        if ((head && (rc = head(ctx, out, fmt)) < 0) ||
            (rc = xs_table_write(g, out, fmt)) < 0)
            goto cleanup;
        srm_line(out, s);
        fputc('\n', out);
        rc = xs_table_write(t, out, fmt);
    } else if (fmt == XS_FORMAT_JSON) {
        fputc('{', out);
        if ((head && (rc = head(ctx, out, fmt)) < 0)) goto cleanup;
        fputs("\"groups\": ", out);
        if ((rc = xs_table_write(g, out, fmt)) < 0) goto cleanup;
        fprintf(out,
                ", \"srm\": {\"chi2\": %.6g, \"df\": %d, \"p_value\": %.6g, \"flagged\": "
                "%s}, "
                "\"results\": ",
                s->chi2, s->df, s->p, s->flagged ? "true" : "false");
        if ((rc = xs_table_write(t, out, fmt)) < 0) goto cleanup;
        fputs("}\n", out);
    } else {
        rc = xs_table_write(t, out, fmt);
    }
cleanup:
    xs_table_free(g);
    xs_table_free(t);
    return rc < 0 ? rc : XS_OK;
}

/* Contract in xsell.h. */
int xs_exp_result_write(const xs_exp_result *r, FILE *out, xs_format fmt)
{
    return write_analysis(r, out, fmt, NULL, NULL);
}

/* ---------------------------------------------------------------------- */
/* A holdout experiment of the store                                       */
/* ---------------------------------------------------------------------- */

typedef struct report_head {
    const xs_experiment *x;
    const xs_exp_report_result *r;
} report_head;

static int arms_table(const xs_exp_report_result *r, xs_table *t)
{
    if (xs_table_column(t, "arm", XS_COL_TEXT) < 0 ||
        xs_table_column(t, "customers", XS_COL_NUM) < 0 ||
        xs_table_column(t, "offers", XS_COL_NUM) < 0 ||
        xs_table_column(t, "accepted", XS_COL_NUM) < 0)
        return -1;
    for (size_t i = 0; i < xs_exp_report_n_arms(r); i++) {
        const xs_exp_arm *m = xs_exp_report_arm(r, i);
        if (xs_table_row(t) < 0 || xs_table_cell(t, m->name) < 0 ||
            xs_table_cellf(t, "%zu", m->customers) < 0 ||
            xs_table_cellf(t, "%zu", m->offers) < 0 ||
            xs_table_cellf(t, "%zu", m->accepted) < 0)
            return -1;
    }
    return 0;
}

/* The experiment as one JSON object: name, kind, split, start, end, until. */
static int experiment_object(const xs_experiment *x, const char *until, FILE *out)
{
    static const char *const cols[] = {"name", "kind", "split", "start", "end", "until"};
    const char *v[] = {x->name,  xs_offer_kind_key(x->kind), x->split,
                       x->start, x->end[0] ? x->end : NULL,  until};
    xs_table *t = xs_table_new();
    int rc = t ? XS_OK : XS_ENOMEM;
    for (size_t i = 0; i < 6 && rc >= 0; i++)
        rc = xs_table_column(t, cols[i], XS_COL_TEXT);
    if (rc >= 0) rc = xs_table_row(t);
    for (size_t i = 0; i < 6 && rc >= 0; i++)
        rc = xs_table_cell(t, v[i]);
    if (rc >= 0) rc = xs_table_write_object_open(t, out);
    if (rc >= 0) fputc('}', out);
    xs_table_free(t);
    return rc;
}

/* What the report writes before the analysis. */
static int write_head(const void *ctx, FILE *out, xs_format fmt)
{
    const report_head *h = ctx;
    char until[11];
    xs_exp_report_until(h->r, until);
    xs_table *t = xs_table_new();
    int rc = t && arms_table(h->r, t) == 0 ? XS_OK : XS_ENOMEM;
    if (rc == 0 && fmt == XS_FORMAT_TABLE) {
        fprintf(out, "experiment %s: %s, split %s, %s to %s%s\n\n", h->x->name,
                xs_offer_kind_key(h->x->kind), h->x->split, h->x->start, until,
                h->x->end[0] ? "" : " (running)");
        rc = xs_table_write(t, out, fmt);
        fputc('\n', out);
    } else if (rc == 0) {
        fputs("\"experiment\": ", out);
        rc = experiment_object(h->x, until, out);
        if (rc == 0) fputs(", \"arms\": ", out);
        if (rc == 0) rc = xs_table_write(t, out, fmt);
        fputs(", ", out);
    }
    xs_table_free(t);
    return rc;
}

/* Contract in xsell.h. */
int xs_exp_report_write(const xs_exp_report_result *r, const xs_experiment *x, FILE *out,
                        xs_format fmt)
{
    report_head h = {x, r};
    return write_analysis(xs_exp_report_analysis(r), out, fmt,
                          fmt == XS_FORMAT_CSV ? NULL : write_head, &h);
}
