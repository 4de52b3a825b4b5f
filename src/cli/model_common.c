/*
 * model_common.c — what the commands that read tables and fit models
 * (churn, uplift, clv, experiment, the offer commands) share: --set of
 * the offer settings, the notes on blank and unseen values, the store's
 * snapshot, and the reports of running out of memory or failing to write
 * the output.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int xs_cli_nomem(const char *cmd)
{
    fprintf(stderr, "xsell %s: out of memory\n", cmd);
    return XS_EXIT_FAIL;
}

int xs_cli_flush(const char *cmd)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", cmd);
        return XS_EXIT_FAIL;
    }
    return XS_EXIT_OK;
}

int xs_cli_write_failed(const char *cmd, int code)
{
    if (code == XS_ENOMEM) return xs_cli_nomem(cmd);
    fprintf(stderr, "xsell %s: cannot write the output\n", cmd);
    return XS_EXIT_FAIL;
}

int xs_cli_load_snapshot(const char *cmd, const char *db, xs_snapshot **snap)
{
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    *snap = NULL;
    if (!xs_store_exists(db)) { /* say so before SQLite does */
        fprintf(stderr, "xsell %s: %s: no such store\n", cmd, db);
        return XS_EXIT_USAGE;
    }
    int rc = 0;
    if (xs_store_open_readonly(&st, db, &e) < 0 || xs_snapshot_load(st, snap, &e) < 0)
        rc = xs_cli_fail(cmd, &e);
    xs_store_close(st);
    return rc;
}

void xs_cli_column_notes(const char *cmd, const char *path, const xs_churn_column *col,
                         const char *unseen)
{
    if (col->n_blank)
        fprintf(stderr, "xsell %s: %s: %s: %zu blank value%s treated as missing\n", cmd,
                path, col->name, col->n_blank, col->n_blank == 1 ? "" : "s");
    if (col->n_unseen)
        fprintf(stderr, "xsell %s: %s: %s: %zu value%s %s\n", cmd, path, col->name,
                col->n_unseen, col->n_unseen == 1 ? "" : "s", unseen);
}

int xs_cli_offer_set(const char *cmd, xs_offer_config *cfg, const char *value)
{
    xs_error e;
    char buf[1200];
    if (xs_offer_config_set(cfg, value, "--set", &e) < 0)
        return xs_cli_usage_error(cmd, "%s", xs_cli_error_format(&e, buf, sizeof buf));
    return 0;
}
