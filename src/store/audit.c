/*
 * audit.c — the store's audit log (schema version 11, table audit_log):
 * appending one row per action taken through the HTTP API that writes, and
 * reading the rows back newest first (GET /v1/audit; docs/api.md "Audit
 * log"). A row is who (the API key's key_id), what (the action), when (UTC
 * timestamp), the target and the state before and after as JSON text.
 *
 * A row is appended by one INSERT on its own, outside any transaction of
 * the action: it does not go through xs__store_commit, so it does not count
 * as a change of the data (meta data_version) and a model file built before
 * stays current. The server writes it on the connection that made the
 * change, right after the change committed.
 */
#include "base/error.h"
#include "base/date.h"
#include "store/db.h"
#include "store/store_int.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

/* Contract in xsell.h. */
int xs_store_audit_add(xs_store *st, const xs_audit_entry *a, xs_error *err)
{
    char now[32];
    if (!a || !a->action || !*a->action)
        return xs__error_param(err, XS_EINVAL, NULL, "action",
                               "an audit row needs an action");
    const char *at = a->at;
    if (!at) {
        xs__utc_now(now);
        at = now;
    }
    xs__store_stmt *q = NULL;
    if (xs__store_db_prepare(
            st,
            "INSERT INTO audit_log(at, key_id, action, target, before, after)"
            " VALUES(?, ?, ?, ?, ?, ?)",
            -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, "writing the audit log", err);
    const char *v[6] = {at, a->key_id, a->action, a->target, a->before, a->after};
    for (int i = 0; i < 6; i++) {
        if (v[i])
            xs__store_db_bind_text(q, i + 1, v[i], -1);
        else
            xs__store_db_bind_null(q, i + 1);
    }
    int rc = xs__store_db_step(q) == XS__DB_DONE
                 ? XS_OK
                 : xs__store_dberr(st, "writing the audit log", err);
    xs__store_db_finalize(q);
    return rc;
}

/* Column i as text, NULL when NULL. */
static const char *text(xs__store_stmt *q, int i)
{
    return xs__store_db_column_type(q, i) == XS__DB_NULL
               ? NULL
               : (const char *)xs__store_db_column_text(q, i);
}

/* Contract in xsell.h. */
long xs_store_audit_list(xs_store *st, size_t limit, size_t offset,
                         int (*fn)(void *ctx, const xs_audit_entry *a), void *ctx,
                         long long *total, xs_error *err)
{
    xs__store_stmt *q = NULL;
    long n = 0;
    if (total) {
        if (xs__store_db_prepare(st, "SELECT count(*) FROM audit_log", -1, &q) !=
            XS__DB_OK)
            return xs__store_dberr(st, "reading the audit log", err);
        if (xs__store_db_step(q) != XS__DB_ROW) {
            n = xs__store_dberr(st, "reading the audit log", err);
            xs__store_db_finalize(q);
            return n;
        }
        *total = xs__store_db_column_int64(q, 0);
        xs__store_db_finalize(q);
        q = NULL;
    }
    if (xs__store_db_prepare(st,
                             "SELECT audit_id, at, key_id, action, target, before, after"
                             " FROM audit_log ORDER BY audit_id DESC LIMIT ? OFFSET ?",
                             -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the audit log", err);
    /* not -1 for "all": PostgreSQL refuses a negative LIMIT */
    xs__store_db_bind_int64(q, 1, limit ? (int64_t)limit : INT64_MAX);
    xs__store_db_bind_int64(q, 2, (int64_t)offset);
    int s;
    while ((s = xs__store_db_step(q)) == XS__DB_ROW) {
        xs_audit_entry a = {xs__store_db_column_int64(q, 0),
                            text(q, 1),
                            text(q, 2),
                            text(q, 3),
                            text(q, 4),
                            text(q, 5),
                            text(q, 6)};
        if (!a.at) a.at = "";
        if (!a.action) a.action = "";
        n++;
        int rc = fn(ctx, &a);
        if (rc < 0) {
            xs__store_db_finalize(q);
            return rc;
        }
    }
    if (s != XS__DB_DONE) n = xs__store_dberr(st, "reading the audit log", err);
    xs__store_db_finalize(q);
    return n;
}
