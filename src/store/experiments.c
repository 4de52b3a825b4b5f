/*
 * experiments.c — the store's experiments table (schema version 4): adding a
 * holdout experiment, ending one, and listing them. What an experiment means
 * (the arms, the holdout guard, the report) is docs/experiments.md; the
 * checks of a definition are xs_experiment_check() (src/measure/holdout.c),
 * called here again so nothing unchecked is ever stored, and
 * xs_experiment_define() (the fields of `xsell experiment start` and of POST
 * /v1/experiments into a definition, with the same messages). Each call is one
 * transaction with prepared statements: an error changes nothing.
 */
#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "store/db.h"
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The experiments of `kind` (NULL: all) whose days overlap [start, end]
 * (end "" = open), other than `name`: the first one's name into clash.
 * Returns 1 (clash), 0, or XS_EDB / XS_ENOMEM. */
static int overlapping(xs_store *st, const xs_experiment *x, char clash[XS_EXP_NAME_MAX],
                       xs_error *err)
{
    xs_experiment *all = NULL;
    long n = xs_store_experiments(st, &all, err);
    if (n < 0) return (int)n;
    int found = 0;
    for (long i = 0; i < n && !found; i++) {
        const xs_experiment *y = &all[i];
        if (y->kind != x->kind || !strcmp(y->name, x->name)) continue;
        /* [a1, a2] and [b1, b2] overlap when a1 <= b2 and b1 <= a2 */
        int a_before_b_ends = !y->end[0] || strcmp(x->start, y->end) <= 0;
        int b_before_a_ends = !x->end[0] || strcmp(y->start, x->end) <= 0;
        if (a_before_b_ends && b_before_a_ends) {
            snprintf(clash, XS_EXP_NAME_MAX, "%s", y->name);
            found = 1;
        }
    }
    xs_store_experiments_free(all);
    return found;
}

/* Contract in xsell.h. */
int xs_experiment_define(xs_experiment *x, const char *name, const char *kind,
                         const char *split, const char *start, const char *end,
                         xs_error *err)
{
    memset(x, 0, sizeof *x);
    if (!kind || xs_offer_kind_parse(kind, &x->kind) < 0)
        return xs__error_param(err, XS_EINVAL, NULL, "kind",
                               "expected upsell, cross_sell or downsell, got \"%s\"",
                               kind ? kind : "");
    /* values too long for the fields: the messages of xs_experiment_check */
    if (!name || strlen(name) >= sizeof x->name)
        return xs__error_param(err, XS_EINVAL, NULL, "name",
                               "must be 1 to %zu characters", sizeof x->name - 1);
    if (split && strlen(split) >= sizeof x->split)
        return xs__error_param(err, XS_EINVAL, NULL, "split",
                               "longer than %zu characters", sizeof x->split - 1);
    if (start && strlen(start) >= sizeof x->start)
        return xs__error_param(err, XS_EINVAL, NULL, "start",
                               "not a date (YYYY-MM-DD): \"%s\"", start);
    if (end && strlen(end) >= sizeof x->end)
        return xs__error_param(err, XS_EINVAL, NULL, "end",
                               "not a date (YYYY-MM-DD): \"%s\"", end);
    snprintf(x->name, sizeof x->name, "%s", name);
    snprintf(x->split, sizeof x->split, "%s", split ? split : "treatment:90,holdout:10");
    if (start) {
        snprintf(x->start, sizeof x->start, "%s", start);
    } else {
        xs__utc_today(x->start);
    }
    snprintf(x->end, sizeof x->end, "%s", end ? end : "");
    return xs_experiment_check(x, err);
}

/* Contract in xsell.h. */
int xs_store_experiment_add(xs_store *st, const xs_experiment *x, xs_error *err)
{
    xs__store_stmt *q = NULL;
    int rc = xs_experiment_check(x, err);
    if (rc < 0) return rc;
    if ((rc = xs__store_begin(st, err)) < 0) return rc;
    char clash[XS_EXP_NAME_MAX];
    rc = overlapping(st, x, clash, err);
    if (rc < 0) goto cleanup;
    if (rc == 1) {
        rc = xs__error_param(
            err, XS_ECONFLICT, NULL, "kind",
            "an experiment of kind %s overlapping these days exists: \"%s\"",
            xs_offer_kind_key(x->kind), clash);
        goto cleanup;
    }
    char created[21];
    xs__utc_now(created);
    if (xs__store_db_prepare(st,
                             "INSERT INTO experiments(name, kind, split, start_date,"
                             " end_date, created_at) VALUES(?, ?, ?, ?, ?, ?)"
                             " ON CONFLICT(name) DO NOTHING",
                             -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "storing the experiment", err);
        goto cleanup;
    }
    xs__store_db_bind_text(q, 1, x->name, -1);
    xs__store_db_bind_text(q, 2, xs_offer_kind_key(x->kind), -1);
    xs__store_db_bind_text(q, 3, x->split, -1);
    xs__store_db_bind_text(q, 4, x->start, -1);
    if (x->end[0])
        xs__store_db_bind_text(q, 5, x->end, -1);
    else
        xs__store_db_bind_null(q, 5);
    xs__store_db_bind_text(q, 6, created, -1);
    if (xs__store_db_step(q) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "storing the experiment", err);
        goto cleanup;
    }
    if (xs__store_db_changes(st) == 0) {
        rc = xs__error_param(err, XS_ECONFLICT, NULL, "name",
                             "an experiment of this name exists: \"%s\"", x->name);
        goto cleanup;
    }
    rc = xs__store_commit(st, err);
cleanup:
    xs__store_db_finalize(q);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Contract in xsell.h. */
int xs_store_experiment_stop(xs_store *st, const char *name, const char *end,
                             xs_error *err)
{
    xs_experiment *all = NULL;
    xs__store_stmt *q = NULL;
    int32_t day;
    if (!end || strlen(end) != 10 || xs__date_parse(end, 10, &day) < 0)
        return xs__error_param(err, XS_EINVAL, NULL, "end",
                               "not a date (YYYY-MM-DD): \"%s\"", end ? end : "");
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    long n = xs_store_experiments(st, &all, err);
    if (n < 0) {
        rc = (int)n;
        goto cleanup;
    }
    const xs_experiment *x = NULL;
    for (long i = 0; i < n; i++)
        if (!strcmp(all[i].name, name)) x = &all[i];
    if (!x) {
        rc = xs__error_param(err, XS_ENOTFOUND, NULL, "name",
                             "no experiment of this name: \"%s\"", name);
        goto cleanup;
    }
    if (x->end[0]) {
        rc = xs__error_set(err, XS_ECONFLICT, NULL, 0, NULL,
                           "experiment \"%s\" already ended on %s", name, x->end);
        goto cleanup;
    }
    if (strcmp(end, x->start) < 0) {
        rc = xs__error_param(err, XS_EINVAL, NULL, "end",
                             "before the experiment's start %s: \"%s\"", x->start, end);
        goto cleanup;
    }
    if (xs__store_db_prepare(st, "UPDATE experiments SET end_date = ? WHERE name = ?", -1,
                             &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "ending the experiment", err);
        goto cleanup;
    }
    xs__store_db_bind_text(q, 1, end, -1);
    xs__store_db_bind_text(q, 2, name, -1);
    if (xs__store_db_step(q) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "ending the experiment", err);
        goto cleanup;
    }
    rc = xs__store_commit(st, err);
cleanup:
    xs__store_db_finalize(q);
    xs_store_experiments_free(all);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Copies column i of q into a fixed buffer ("" for NULL). */
static void col(xs__store_stmt *q, int i, char *out, size_t cap)
{
    const char *v = (const char *)xs__store_db_column_text(q, i);
    snprintf(out, cap, "%s", v ? v : "");
}

/* Contract in xsell.h. */
long xs_store_experiments(xs_store *st, xs_experiment **out, xs_error *err)
{
    xs__store_stmt *q = NULL;
    xs_experiment *a = NULL;
    size_t n = 0, cap = 0;
    long rc;
    *out = NULL;
    if (xs__store_db_prepare(st,
                             "SELECT name, kind, split, start_date, end_date, created_at"
                             " FROM experiments ORDER BY start_date, name",
                             -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the experiments", err);
    int s;
    while ((s = xs__store_db_step(q)) == XS__DB_ROW) {
        if (n == cap && xs__grow(&a, &cap, n + 1, sizeof *a) < 0) {
            rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
            goto fail;
        }
        xs_experiment *x = &a[n++];
        memset(x, 0, sizeof *x);
        char kind[32];
        col(q, 0, x->name, sizeof x->name);
        col(q, 1, kind, sizeof kind);
        col(q, 2, x->split, sizeof x->split);
        col(q, 3, x->start, sizeof x->start);
        col(q, 4, x->end, sizeof x->end);
        col(q, 5, x->created_at, sizeof x->created_at);
        if (xs_offer_kind_parse(kind, &x->kind) < 0) {
            rc = xs__error_set(err, XS_EDB, NULL, 0, "experiments.kind",
                               "damaged store: unknown kind \"%s\"", kind);
            goto fail;
        }
    }
    if (s != XS__DB_DONE) {
        rc = xs__store_dberr(st, "reading the experiments", err);
        goto fail;
    }
    xs__store_db_finalize(q);
    *out = a;
    return (long)n;
fail:
    xs__store_db_finalize(q);
    xs__free(a);
    return rc;
}

/* Contract in xsell.h. */
void xs_store_experiments_free(xs_experiment *x)
{
    xs__free(x);
}
