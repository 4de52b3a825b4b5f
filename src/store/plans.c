/*
 * plans.c — the stored global plan (schema version 9, tables plans and
 * plan_assignments; docs/plan.md): `xsell build --capacity` writes the
 * latest plan in one transaction (replacing the previous one), and GET
 * /v1/plan reads its summary and one customer's assignment. The store
 * keeps the JSON text it is given; it knows nothing of how a plan is made.
 */
#include "store/store_int.h"
#include "base/alloc.h"

#include <stdio.h>
#include <string.h>

/* Runs one statement with no parameters. */
static int exec(xs_store *st, const char *sql, xs_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return xs__store_dberr(st, "storing the plan", err);
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_store_plan_put(xs_store *st, const char *built_at, const char *as_of,
                      const char *capacity, const char *summary,
                      const xs_plan_stored_row *rows, size_t n, xs_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    if ((rc = exec(st, "DELETE FROM plans", err)) < 0 ||
        (rc = exec(st, "DELETE FROM plan_assignments", err)) < 0)
        goto cleanup;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO plans(built_at, as_of, capacity, summary)"
                           " VALUES(?, ?, ?, ?)",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = xs__store_dberr(st, "storing the plan", err);
        goto cleanup;
    }
    sqlite3_bind_text(q, 1, built_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, as_of, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, capacity, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, summary, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = xs__store_dberr(st, "storing the plan", err);
        goto cleanup;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO plan_assignments(customer_id, assignment)"
                           " VALUES(?, ?)",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = xs__store_dberr(st, "storing the plan", err);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_text(q, 1, rows[i].customer_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, rows[i].assignment, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) {
            rc = xs__store_dberr(st, "storing the plan", err);
            goto cleanup;
        }
        sqlite3_reset(q);
    }
    rc = xs__store_commit(st, err);
cleanup:
    sqlite3_finalize(q);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Copies a text column (NULL -> ""). */
static char *dup_col(sqlite3_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    return xs__strdup(t ? (const char *)t : "");
}

/* Contract in xsell.h. */
int xs_store_plan_get(xs_store *st, char built_at[21], char as_of[11], char **capacity,
                      char **summary, xs_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc = 0;
    *capacity = *summary = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT built_at, as_of, capacity, summary FROM plans"
                           " ORDER BY plan_id DESC LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return xs__store_dberr(st, "reading the plan", err);
    int s = sqlite3_step(q);
    if (s == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_text(q, 0),
                            *a = sqlite3_column_text(q, 1);
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
    } else if (s != SQLITE_DONE)
        rc = xs__store_dberr(st, "reading the plan", err);
    sqlite3_finalize(q);
    return rc;
}

/* Contract in xsell.h. */
int xs_store_plan_customer(xs_store *st, const char *customer_id, char **assignment,
                           xs_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc = 0;
    *assignment = NULL;
    if (sqlite3_prepare_v2(
            st->db, "SELECT assignment FROM plan_assignments WHERE customer_id = ?", -1,
            &q, NULL) != SQLITE_OK)
        return xs__store_dberr(st, "reading the plan", err);
    sqlite3_bind_text(q, 1, customer_id, -1, SQLITE_STATIC);
    int s = sqlite3_step(q);
    if (s == SQLITE_ROW) {
        *assignment = dup_col(q, 0);
        rc = *assignment ? 1 : XS_ENOMEM;
    } else if (s != SQLITE_DONE)
        rc = xs__store_dberr(st, "reading the plan", err);
    sqlite3_finalize(q);
    return rc;
}

/* Contract in xsell.h. */
void xs_store_plan_free(char *s)
{
    xs__free(s);
}
