/*
 * cmd_uplift_eval.c — `xsell uplift eval`: measures one learner or both on
 * held-out rows (a stratified split or k folds): Qini, AUUC and uplift@k
 * with bootstrap intervals, and the random baseline, one row per metric.
 */
#include "cli/uplift.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *CMD = XS_CLI_UPLIFT;

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

int xs_cli_uplift_eval(int argc, char **argv)
{
    xs_cli_uplift_args a;
    xs_uplift_data *d = NULL;
    xs_table *t = NULL;
    int rc = xs_cli_uplift_parse(argc, argv, &a);
    if (rc >= 0) goto cleanup;
    rc = 0;
    if (a.model) {
        rc = xs_cli_usage_error(CMD, "eval takes no --model");
        goto cleanup;
    }
    if ((rc = xs_cli_uplift_load_train(&a, &d))) goto cleanup;
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
    rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : xs_cli_flush(CMD);
    goto cleanup;
oom:
    rc = xs_cli_nomem(CMD);
cleanup:
    xs_table_free(t);
    xs_uplift_data_free(d);
    xs_cli_uplift_args_free(&a);
    return rc;
}
