/*
 * cmd_churn_train.c — `xsell churn train`: trains the churn model on a
 * customer table (--input) or, with --db, on a store's history at a cutoff,
 * saves it to --model and prints what was trained.
 */
#include "cli/churn.h"

#include <string.h>

static const char *CMD = XS_CLI_CHURN;

/* train --db: trains at the cutoff and saves the model. */
static int history_train(const xs_cli_churn_args *a)
{
    xs_snapshot *snap = NULL;
    xs_churn_model *m = NULL;
    xs_table *t = NULL;
    xs_churn_history_opts o;
    xs_churn_history_eval_result info;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = xs_cli_load_snapshot(CMD, a->db, &snap);
    if (rc) goto cleanup;
    xs_cli_churn_history_opts(a, &o);
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
        rc = xs_cli_nomem(CMD);
        goto cleanup;
    }
    rc = xs_table_write(t, stdout, a->fmt) < 0 ? XS_EXIT_FAIL : xs_cli_flush(CMD);
cleanup:
    xs_table_free(t);
    xs_churn_model_free(m);
    xs_snapshot_free(snap);
    return rc;
}

int xs_cli_churn_train(int argc, char **argv)
{
    xs_cli_churn_args a;
    xs_churn_data *d = NULL;
    xs_churn_model *m = NULL;
    xs_table *t = NULL;
    int rc = xs_cli_churn_parse(argc, argv, &a);
    if (rc >= 0) goto cleanup;
    rc = 0;
    if (!a.model) {
        rc = xs_cli_usage_error(CMD, "--model is required");
        goto cleanup;
    }
    if (a.db) {
        rc = history_train(&a);
        goto cleanup;
    }
    if ((rc = xs_cli_churn_load_train(&a, &d))) goto cleanup;
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
        rc = xs_cli_nomem(CMD);
        goto cleanup;
    }
    rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : xs_cli_flush(CMD);
cleanup:
    xs_table_free(t);
    xs_churn_model_free(m);
    xs_churn_data_free(d);
    xs_cli_churn_args_free(&a);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* predict                                                                 */
/* ---------------------------------------------------------------------- */
