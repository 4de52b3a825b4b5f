/*
 * cmd_churn_predict.c — `xsell churn predict`: scores the customers of a
 * table (--input) or those active in a store (--db) with a saved model and
 * prints each one's probability with the columns that push it most.
 */
#include "cli/churn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = XS_CLI_CHURN;

int xs_cli_churn_predict(int argc, char **argv)
{
    xs_cli_churn_args a;
    xs_churn_data *d = NULL;
    xs_churn_model *m = NULL;
    xs_table *t = NULL;
    xs_churn_pred p;
    memset(&p, 0, sizeof p);
    xs_snapshot *snap = NULL;
    int rc = xs_cli_churn_parse(argc, argv, &a);
    if (rc >= 0) goto cleanup;
    rc = 0;
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
        if ((rc = xs_cli_load_snapshot(CMD, a.db, &snap))) goto cleanup;
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
        xs_cli_churn_notes(d, a.input);
        if (a.threads_set) xs_churn_model_set_threads(m, a.p.nthread);
        if (xs_churn_predict(m, d, contribs, &p, &e) < 0) {
            rc = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
    }
    t = xs_table_new();
    if (!t || xs_churn_pred_table(&p, d, a.id, (size_t)a.top, t) < 0)
        rc = xs_cli_nomem(CMD);
    else
        rc = xs_table_write(t, stdout, a.fmt) < 0 ? XS_EXIT_FAIL : xs_cli_flush(CMD);
cleanup:
    xs_table_free(t);
    xs_churn_pred_free(&p);
    xs_churn_model_free(m);
    xs_churn_data_free(d);
    xs_snapshot_free(snap);
    xs_cli_churn_args_free(&a);
    return rc;
}
