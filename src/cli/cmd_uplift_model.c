/*
 * cmd_uplift_model.c — `xsell uplift train` (fits a learner on the
 * experiment table and saves the model) and `xsell uplift predict` (one
 * uplift per row of a table, in input order, from a saved model).
 */
#include "cli/uplift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = XS_CLI_UPLIFT;

int xs_cli_uplift_train(int argc, char **argv)
{
    xs_cli_uplift_args a;
    xs_uplift_data *d = NULL;
    xs_uplift_model *m = NULL;
    xs_table *t = NULL;
    int rc = xs_cli_uplift_parse(argc, argv, &a);
    if (rc >= 0) goto cleanup;
    rc = 0;
    if (!a.model) {
        rc = xs_cli_usage_error(CMD, "--model is required");
        goto cleanup;
    }
    if ((rc = xs_cli_uplift_load_train(&a, &d))) goto cleanup;
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
        rc = xs_cli_nomem(CMD);
        goto cleanup;
    }
    rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : xs_cli_flush(CMD);
cleanup:
    xs_table_free(t);
    xs_uplift_model_free(m);
    xs_uplift_data_free(d);
    xs_cli_uplift_args_free(&a);
    return rc;
}

int xs_cli_uplift_predict(int argc, char **argv)
{
    xs_cli_uplift_args a;
    xs_uplift_data *d = NULL;
    xs_uplift_model *m = NULL;
    xs_table *t = NULL;
    double *u = NULL;
    int rc = xs_cli_uplift_parse(argc, argv, &a);
    if (rc >= 0) goto cleanup;
    rc = 0;
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
    xs_cli_uplift_notes(d, a.input);
    if (a.threads_set) xs_uplift_model_set_threads(m, a.eo.params.xgb.nthread);
    size_t n = xs_uplift_data_counts(d)->n;
    if (!(u = malloc((n ? n : 1) * sizeof *u))) {
        rc = xs_cli_nomem(CMD);
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
    rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : xs_cli_flush(CMD);
    goto cleanup;
oom:
    rc = xs_cli_nomem(CMD);
cleanup:
    free(u);
    xs_table_free(t);
    xs_uplift_model_free(m);
    xs_uplift_data_free(d);
    xs_cli_uplift_args_free(&a);
    return rc;
}
