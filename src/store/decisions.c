/*
 * decisions.c — the store side of decision logs and replays (schema
 * version 8, docs/replay.md): logging the decisions of the offer engine
 * with the offers they chose in one transaction, reading them back over a
 * window of days with each offer's outcome, and keeping the results of
 * `xsell replay --save` for GET /v1/replays.
 *
 * The engine fills the records (src/offer/explore.c); replay
 * (src/measure/replay_run.c) reads them through xs_store_decisions_scan.
 */
#include "base/error.h"
#include "store/db.h"
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Logging                                                                */
/* ---------------------------------------------------------------------- */

/* Contract in xsell.h. */
int xs_store_decisions_begin(xs_store *st, xs_error *err)
{
    return xs__store_begin(st, err);
}

/* Contract in xsell.h. */
int xs_store_decisions_add(xs_store *st, xs_offer_record *offers, size_t n_offers,
                           const xs_decision_record *d, size_t n, xs_error *err)
{
    xs__store_stmt *ins = NULL;
    int rc;
    for (size_t i = 0; i < n; i++)
        if (d[i].offer >= (long)n_offers || !d[i].candidates)
            return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                                 "decision %zu: no such offer or no candidates", i + 1);
    if ((rc = xs__store_offers_insert(st, offers, n_offers, err)) < 0) return rc;
    if (xs__store_db_prepare(
            st,
            "INSERT INTO decisions(customer_id, decided_at, slot, source, how,"
            " chosen, propensity, offer_id, candidates, policy)"
            " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            -1, &ins) != XS__DB_OK)
        return xs__store_dberr(st, "logging the decisions", err);
    for (size_t i = 0; i < n; i++) {
        const xs_decision_record *r = &d[i];
        xs__store_db_reset(ins);
        xs__store_db_bind_text(ins, 1, r->customer_id, -1);
        xs__store_db_bind_text(ins, 2, r->decided_at, -1);
        xs__store_db_bind_int(ins, 3, r->slot);
        xs__store_db_bind_text(ins, 4, r->source, -1);
        xs__store_db_bind_text(ins, 5, r->how, -1);
        xs__store_db_bind_int(ins, 6, r->chosen);
        if (isfinite(r->propensity))
            xs__store_db_bind_double(ins, 7, r->propensity);
        else
            xs__store_db_bind_null(ins, 7);
        if (r->offer >= 0)
            xs__store_db_bind_text(ins, 8, offers[r->offer].offer_id, -1);
        else
            xs__store_db_bind_null(ins, 8);
        xs__store_db_bind_text(ins, 9, r->candidates, -1);
        if (r->policy)
            xs__store_db_bind_text(ins, 10, r->policy, -1);
        else
            xs__store_db_bind_null(ins, 10);
        if (xs__store_db_step(ins) != XS__DB_DONE) {
            rc = xs__store_dberr(st, "logging the decisions", err);
            break;
        }
    }
    xs__store_db_finalize(ins);
    return rc < 0 ? rc : (int)n;
}

/* Contract in xsell.h. */
int xs_store_decisions_commit(xs_store *st, xs_error *err)
{
    int rc = xs__store_commit(st, err);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Contract in xsell.h. */
void xs_store_decisions_abort(xs_store *st)
{
    xs__store_rollback(st);
}

/* Contract in xsell.h. */
int xs_store_decisions_log(xs_store *st, xs_offer_record *offers, size_t n_offers,
                           const xs_decision_record *d, size_t n, xs_error *err)
{
    int rc = xs_store_decisions_begin(st, err);
    if (rc < 0) return rc;
    rc = xs_store_decisions_add(st, offers, n_offers, d, n, err);
    if (rc < 0) {
        xs_store_decisions_abort(st);
        return rc;
    }
    int c = xs_store_decisions_commit(st, err);
    return c < 0 ? c : rc;
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                */
/* ---------------------------------------------------------------------- */

static const char *text(xs__store_stmt *q, int i)
{
    return (const char *)xs__store_db_column_text(q, i);
}

/* Contract in xsell.h. */
long xs_store_decisions_scan(xs_store *st, const char *from, const char *to,
                             xs_decision_fn fn, void *ctx, xs_error *err)
{
    xs__store_stmt *q = NULL;
    long n = 0;
    if (xs__store_db_prepare(
            st,
            "SELECT d.decision_id, d.customer_id, d.decided_at, d.slot, d.how,"
            " d.chosen, d.propensity, d.offer_id, d.candidates, o.outcome,"
            " o.revenue_delta FROM decisions d"
            " LEFT JOIN offers o"
            " ON o.offer_id = d.offer_id AND o.customer_id = d.customer_id"
            /* typed: PostgreSQL cannot infer an unbound ?N */
            " WHERE (CAST(?1 AS TEXT) IS NULL OR d.decided_at >= ?1)"
            " AND (CAST(?2 AS TEXT) IS NULL OR d.decided_at <= ?2)"
            " ORDER BY d.decision_id",
            -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the decisions", err);
    if (from) xs__store_db_bind_text(q, 1, from, -1);
    if (to) xs__store_db_bind_text(q, 2, to, -1);
    double div = pow(10.0, st->money_scale);
    int s;
    while ((s = xs__store_db_step(q)) == XS__DB_ROW) {
        xs_logged_decision d;
        d.decision_id = xs__store_db_column_int64(q, 0);
        d.customer_id = text(q, 1);
        d.decided_at = text(q, 2);
        d.slot = xs__store_db_column_int(q, 3);
        d.how = text(q, 4);
        d.chosen = xs__store_db_column_int(q, 5);
        d.propensity = xs__store_db_column_type(q, 6) == XS__DB_NULL
                           ? NAN
                           : xs__store_db_column_double(q, 6);
        d.offer_id = text(q, 7);
        d.candidates = text(q, 8);
        d.outcome = text(q, 9);
        d.revenue_delta = xs__store_db_column_type(q, 10) == XS__DB_NULL
                              ? NAN
                              : (double)xs__store_db_column_int64(q, 10) / div;
        if (!d.customer_id) d.customer_id = "";
        if (!d.decided_at) d.decided_at = "";
        if (!d.how) d.how = "";
        if (!d.candidates) d.candidates = "";
        n++;
        int rc = fn(ctx, &d);
        if (rc < 0) {
            xs__store_db_finalize(q);
            return rc;
        }
    }
    if (s != XS__DB_DONE) n = xs__store_dberr(st, "reading the decisions", err);
    xs__store_db_finalize(q);
    return n;
}

/* ---------------------------------------------------------------------- */
/* Replays                                                                */
/* ---------------------------------------------------------------------- */

/* Contract in xsell.h. */
int xs_store_replay_save(xs_store *st, const char *ran_at, const char *policy,
                         const char *from, const char *to, const char *result,
                         long long *id, xs_error *err)
{
    xs__store_stmt *q = NULL;
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    if (xs__store_db_prepare(
            st,
            "INSERT INTO replays(ran_at, policy, from_day, to_day, result)"
            " VALUES(?, ?, ?, ?, ?) RETURNING replay_id",
            -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "saving the replay", err);
        goto cleanup;
    }
    xs__store_db_bind_text(q, 1, ran_at, -1);
    xs__store_db_bind_text(q, 2, policy, -1);
    if (from && *from) xs__store_db_bind_text(q, 3, from, -1);
    if (to && *to) xs__store_db_bind_text(q, 4, to, -1);
    xs__store_db_bind_text(q, 5, result, -1);
    if (xs__store_db_step(q) != XS__DB_ROW) {
        rc = xs__store_dberr(st, "saving the replay", err);
        goto cleanup;
    }
    if (id) *id = xs__store_db_column_int64(q, 0);
    xs__store_db_reset(q); /* the INSERT is complete before the commit */
    rc = xs__store_commit(st, err);
cleanup:
    xs__store_db_finalize(q);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Contract in xsell.h. */
long xs_store_replays(xs_store *st, size_t limit,
                      int (*fn)(void *ctx, long long id, const char *ran_at,
                                const char *policy, const char *from, const char *to,
                                const char *result),
                      void *ctx, xs_error *err)
{
    xs__store_stmt *q = NULL;
    long n = 0;
    if (xs__store_db_prepare(st,
                             "SELECT replay_id, ran_at, policy, from_day, to_day, result"
                             " FROM replays ORDER BY replay_id DESC LIMIT ?",
                             -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the replays", err);
    xs__store_db_bind_int64(
        q, 1,
        limit ? (int64_t)limit
              : INT64_MAX); /* not -1: PostgreSQL refuses a negative LIMIT */
    int s;
    while ((s = xs__store_db_step(q)) == XS__DB_ROW) {
        n++;
        int rc = fn(ctx, xs__store_db_column_int64(q, 0), text(q, 1), text(q, 2),
                    text(q, 3), text(q, 4), text(q, 5));
        if (rc < 0) {
            xs__store_db_finalize(q);
            return rc;
        }
    }
    if (s != XS__DB_DONE) n = xs__store_dberr(st, "reading the replays", err);
    xs__store_db_finalize(q);
    return n;
}
