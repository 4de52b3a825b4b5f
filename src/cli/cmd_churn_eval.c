/*
 * cmd_churn_eval.c — `xsell churn eval`: cross-validation of the churn
 * model on a customer table (--input), or with --db the time-split
 * evaluation on a store's history. The reports are written by libxsell
 * (xs_churn_cv_write, xs_churn_history_eval_write; src/score/churn_out.c).
 */
#include "cli/churn.h"

#include <string.h>

static const char *CMD = XS_CLI_CHURN;

/* eval --db: the time-split evaluation. */
static int history_eval(const xs_cli_churn_args *a)
{
    xs_snapshot *snap = NULL;
    xs_churn_history_opts o;
    xs_churn_history_eval_result r;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = xs_cli_load_snapshot(CMD, a->db, &snap);
    if (rc) goto cleanup;
    xs_cli_churn_history_opts(a, &o);
    if (xs_churn_history_eval(snap, &o, &r, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    int w = xs_churn_history_eval_write(&r, stdout, a->fmt);
    rc = w < 0 ? xs_cli_write_failed(CMD, w) : xs_cli_flush(CMD);
cleanup:
    xs_snapshot_free(snap);
    return rc;
}

int xs_cli_churn_eval(int argc, char **argv)
{
    xs_cli_churn_args a;
    xs_churn_data *d = NULL;
    xs_churn_cv r;
    memset(&r, 0, sizeof r);
    int rc = xs_cli_churn_parse(argc, argv, &a);
    if (rc >= 0) goto cleanup;
    rc = 0;
    if (a.db) {
        rc = history_eval(&a);
        goto cleanup;
    }
    if ((rc = xs_cli_churn_load_train(&a, &d))) goto cleanup;
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_churn_cv_run(d, &a.p, &r, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    int w = xs_churn_cv_write(&r, stdout, a.fmt);
    rc = w < 0 ? xs_cli_write_failed(CMD, w) : xs_cli_flush(CMD);
cleanup:
    xs_churn_cv_free(&r);
    xs_churn_data_free(d);
    xs_cli_churn_args_free(&a);
    return rc;
}
