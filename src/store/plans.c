/*
 * plans.c — the stored global plan (schema version 9, tables plans and
 * plan_assignments; docs/plan.md): `xsell build --capacity` writes the
 * latest plan in one transaction (replacing the previous one), and GET
 * /v1/plan reads its summary and one customer's assignment. The store
 * keeps the JSON text it is given; it knows nothing of how a plan is made.
 */
#include "store/db.h"
#include "store/store_int.h"
#include "base/alloc.h"

#include <stdio.h>
#include <string.h>

/* Runs one statement with no parameters. */
static int exec(xs_store *st, const char *sql, xs_error *err)
{
    if (xs__store_db_exec(st, sql) != XS__DB_OK)
        return xs__store_dberr(st, "storing the plan", err);
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_store_plan_put(xs_store *st, const char *built_at, const char *as_of,
                      const char *capacity, const char *summary,
                      const xs_plan_stored_row *rows, size_t n, xs_error *err)
{
    xs__store_stmt *q = NULL;
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    if ((rc = exec(st, "DELETE FROM plans", err)) < 0 ||
        (rc = exec(st, "DELETE FROM plan_assignments", err)) < 0)
        goto cleanup;
    if (xs__store_db_prepare(st,
                             "INSERT INTO plans(built_at, as_of, capacity, summary)"
                             " VALUES(?, ?, ?, ?)",
                             -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "storing the plan", err);
        goto cleanup;
    }
    xs__store_db_bind_text(q, 1, built_at, -1);
    xs__store_db_bind_text(q, 2, as_of, -1);
    xs__store_db_bind_text(q, 3, capacity, -1);
    xs__store_db_bind_text(q, 4, summary, -1);
    if (xs__store_db_step(q) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "storing the plan", err);
        goto cleanup;
    }
    xs__store_db_finalize(q);
    q = NULL;
    if (xs__store_db_prepare(st,
                             "INSERT INTO plan_assignments(customer_id, assignment)"
                             " VALUES(?, ?)",
                             -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "storing the plan", err);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        xs__store_db_bind_text(q, 1, rows[i].customer_id, -1);
        xs__store_db_bind_text(q, 2, rows[i].assignment, -1);
        if (xs__store_db_step(q) != XS__DB_DONE) {
            rc = xs__store_dberr(st, "storing the plan", err);
            goto cleanup;
        }
        xs__store_db_reset(q);
    }
    rc = xs__store_commit(st, err);
cleanup:
    xs__store_db_finalize(q);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Copies a text column (NULL -> ""). */
static char *dup_col(xs__store_stmt *q, int col)
{
    const unsigned char *t = xs__store_db_column_text(q, col);
    return xs__strdup(t ? (const char *)t : "");
}

/* Contract in xsell.h. */
int xs_store_plan_get(xs_store *st, char built_at[21], char as_of[11], char **capacity,
                      char **summary, xs_error *err)
{
    xs__store_stmt *q = NULL;
    int rc = 0;
    *capacity = *summary = NULL;
    if (xs__store_db_prepare(st,
                             "SELECT built_at, as_of, capacity, summary FROM plans"
                             " ORDER BY plan_id DESC LIMIT 1",
                             -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the plan", err);
    int s = xs__store_db_step(q);
    if (s == XS__DB_ROW) {
        const unsigned char *b = xs__store_db_column_text(q, 0),
                            *a = xs__store_db_column_text(q, 1);
        snprintf(built_at, 21, "%s", b ? (const char *)b : "");
        snprintf(as_of, 11, "%s", a ? (const char *)a : "");
        *capacity = dup_col(q, 2);
        *summary = dup_col(q, 3);
        rc = *capacity && *summary ? 1 : XS_ENOMEM;
        if (rc < 0) {
            xs__free(*capacity);
            xs__free(*summary);
            *capacity = *summary = NULL;
        }
    } else if (s != XS__DB_DONE)
        rc = xs__store_dberr(st, "reading the plan", err);
    xs__store_db_finalize(q);
    return rc;
}

/* Contract in xsell.h. */
int xs_store_plan_customer(xs_store *st, const char *customer_id, char **assignment,
                           xs_error *err)
{
    xs__store_stmt *q = NULL;
    int rc = 0;
    *assignment = NULL;
    if (xs__store_db_prepare(
            st, "SELECT assignment FROM plan_assignments WHERE customer_id = ?", -1,
            &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the plan", err);
    xs__store_db_bind_text(q, 1, customer_id, -1);
    int s = xs__store_db_step(q);
    if (s == XS__DB_ROW) {
        *assignment = dup_col(q, 0);
        rc = *assignment ? 1 : XS_ENOMEM;
    } else if (s != XS__DB_DONE)
        rc = xs__store_dberr(st, "reading the plan", err);
    xs__store_db_finalize(q);
    return rc;
}

/* Contract in xsell.h. */
void xs_store_plan_free(char *s)
{
    xs__free(s);
}
