/*
 * offers_log.c — the store's write paths for closing the offer loop and for
 * `xsell build`: logging the offers shown (outcome pending) with unique ids,
 * recording an offer's outcome, and keeping the builds (the fitted
 * propensity model and its as-of day, schema version 3).
 *
 * Everything here runs in one transaction per call with prepared
 * statements, so an error leaves the store as it was. Each also queues
 * its webhook event (offer.issued, offer.outcome, build.done; hooks.h) in
 * that transaction. The offer engine
 * (src/offer/model_io.c) produces and reads the model text; the snapshot
 * loader reads the offers table back, so logged offers and their outcomes
 * reach the guardrails and the next build without further work.
 */
#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/money.h"
#include "store/db.h"
#include "store/hooks.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Builds                                                                 */
/* ---------------------------------------------------------------------- */

/* Contract in xsell.h. */
int xs_store_build_get(xs_store *st, char as_of[11], char built_at[21], char **model,
                       xs_error *err)
{
    xs__store_stmt *q = NULL;
    int rc = 0;
    *model = NULL;
    if (xs__store_db_prepare(st,
                             "SELECT as_of, built_at, model FROM builds"
                             " ORDER BY build_id DESC LIMIT 1",
                             -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the latest build", err);
    int s = xs__store_db_step(q);
    if (s == XS__DB_ROW) {
        const char *a = (const char *)xs__store_db_column_text(q, 0);
        const char *b = (const char *)xs__store_db_column_text(q, 1);
        const char *m = (const char *)xs__store_db_column_text(q, 2);
        snprintf(as_of, 11, "%s", a ? a : "");
        snprintf(built_at, 21, "%s", b ? b : "");
        *model = xs__strdup(m ? m : "");
        rc = *model ? 1 : xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    } else if (s != XS__DB_DONE) {
        rc = xs__store_dberr(st, "reading the latest build", err);
    }
    xs__store_db_finalize(q);
    return rc;
}

/* Contract in xsell.h. */
void xs_store_build_free(char *model)
{
    xs__free(model);
}

/* Contract in xsell.h. */
int xs_store_build_put(xs_store *st, const char *as_of, const char *built_at,
                       const char *model, xs_error *err)
{
    xs__store_stmt *q = NULL;
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    if (xs__store_db_prepare(st,
                             "INSERT INTO builds(built_at, as_of, model) VALUES(?, ?, ?)",
                             -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "storing the build", err);
        goto cleanup;
    }
    xs__store_db_bind_text(q, 1, built_at, -1);
    xs__store_db_bind_text(q, 2, as_of, -1);
    xs__store_db_bind_text(q, 3, model, -1);
    if (xs__store_db_step(q) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "storing the build", err);
        goto cleanup;
    }
    xs__store_hooks h;
    if ((rc = xs__store_hooks_of(st, "build.done", &h, err)) < 0) goto cleanup;
    rc = xs__store_hooks_emit(
        st, &h, json_pack("{s:s, s:s}", "as_of", as_of, "built_at", built_at), err);
    xs__store_hooks_done(&h);
    if (rc < 0) goto cleanup;
    /* the churn model attached to the previous build stays attached: a
     * rebuild after new data must not silently change where P(churn)
     * comes from (`xsell build --churn-model none` detaches it) */
    if (xs__store_db_exec(
            st, "UPDATE builds SET (churn_model_name, churn_model_sha256, churn_model)"
                " = (SELECT b.churn_model_name, b.churn_model_sha256, b.churn_model"
                " FROM builds b WHERE b.build_id < builds.build_id"
                " ORDER BY b.build_id DESC LIMIT 1)"
                " WHERE build_id = (SELECT max(build_id) FROM builds)") != XS__DB_OK) {
        rc = xs__store_dberr(st, "storing the build", err);
        goto cleanup;
    }
    rc = xs__store_commit(st, err);
cleanup:
    xs__store_db_finalize(q);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Contract in xsell.h. */
int xs_store_build_churn_put(xs_store *st, const char *name, const char *sha256,
                             const char *model, size_t len, xs_error *err)
{
    xs__store_stmt *q = NULL;
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    if (xs__store_db_prepare(
            st,
            "UPDATE builds SET churn_model_name = ?, churn_model_sha256 = ?,"
            " churn_model = ? WHERE build_id = (SELECT max(build_id)"
            " FROM builds)",
            -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "attaching the churn model", err);
        goto cleanup;
    }
    if (model) {
        xs__store_db_bind_text(q, 1, name, -1);
        xs__store_db_bind_text(q, 2, sha256, -1);
        xs__store_db_bind_text(q, 3, model, (int)len);
    }
    if (len > INT32_MAX) {
        rc = xs__error_param(err, XS_ERANGE, NULL, "churn_model",
                             "model file larger than 2 GiB");
        goto cleanup;
    }
    if (xs__store_db_step(q) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "attaching the churn model", err);
        goto cleanup;
    }
    if (xs__store_db_changes(st) == 0) {
        rc = xs__error_cond(
            err, XS_COND_NOT_BUILT,
            xs__error_set(err, XS_ENOTFOUND, NULL, 0, NULL, "store was never built"));
        goto cleanup;
    }
    rc = xs__store_commit(st, err);
cleanup:
    xs__store_db_finalize(q);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Contract in xsell.h. */
int xs_store_build_churn_get(xs_store *st, char **name, char sha256[65], char **model,
                             size_t *len, xs_error *err)
{
    xs__store_stmt *q = NULL;
    int rc = 0;
    *name = *model = NULL;
    *len = 0;
    sha256[0] = '\0';
    if (xs__store_db_prepare(st,
                             "SELECT churn_model_name, churn_model_sha256, churn_model"
                             " FROM builds ORDER BY build_id DESC LIMIT 1",
                             -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the churn model", err);
    int s = xs__store_db_step(q);
    if (s == XS__DB_ROW && xs__store_db_column_type(q, 2) != XS__DB_NULL) {
        const char *nm = (const char *)xs__store_db_column_text(q, 0);
        const char *sh = (const char *)xs__store_db_column_text(q, 1);
        const char *m = (const char *)xs__store_db_column_text(q, 2);
        size_t n = (size_t)xs__store_db_column_bytes(q, 2);
        snprintf(sha256, 65, "%s", sh ? sh : "");
        *name = xs__strdup(nm ? nm : "");
        *model = xs__malloc(n + 1);
        if (*model) {
            memcpy(*model, m ? m : "", n);
            (*model)[n] = '\0';
            *len = n;
        }
        if (!*name || !*model) {
            xs__free(*name);
            xs__free(*model);
            *name = *model = NULL;
            rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        } else {
            rc = 1;
        }
    } else if (s != XS__DB_ROW && s != XS__DB_DONE) {
        rc = xs__store_dberr(st, "reading the churn model", err);
    }
    xs__store_db_finalize(q);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Logging offers                                                         */
/* ---------------------------------------------------------------------- */

/* The largest sequence number of the ids of day `ymd` ("YYYYMMDD") already
 * in the store, 0 when none. Returns it or XS_EDB. */
static long long last_seq(xs_store *st, xs__store_stmt *q, const char *ymd, xs_error *err)
{
    char lo[16], hi[16]; /* the ids of the day: 'X<ymd>-' <= id < 'X<ymd>.' */
    snprintf(lo, sizeof lo, "X%s-", ymd);
    snprintf(hi, sizeof hi, "X%s.", ymd);
    xs__store_db_reset(q);
    xs__store_db_bind_text(q, 1, lo, -1);
    xs__store_db_bind_text(q, 2, hi, -1);
    if (xs__store_db_step(q) != XS__DB_ROW)
        return xs__store_dberr(st, "numbering the offers", err);
    return xs__store_db_column_int64(q, 0);
}

/* The data of an offer.issued event: the offer as logged with its
 * product's name (null when the catalog has none); attrs (a JSON object of
 * the decision's details) embedded as an object when it parses. */
static json_t *offer_json(const xs_offer_record *r, const char *product_name)
{
    json_t *attrs = r->attrs[0] ? json_loads(r->attrs, 0, NULL) : NULL;
    if (attrs && !json_is_object(attrs)) {
        json_decref(attrs);
        attrs = NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:o?}", "offer_id",
                     r->offer_id, "customer_id", r->customer_id, "product_id",
                     r->product_id, "product_name", product_name, "kind", r->kind,
                     "channel", r->channel, "sent_at", r->sent_at, "attrs", attrs);
}

/* Queues the offer.issued event of an offer just logged; *name is the
 * product name lookup, prepared on the first call. */
static int emit_issued(xs_store *st, xs__store_stmt **name, const xs_offer_record *r,
                       xs__store_hooks *h, xs_error *err)
{
    if (!*name &&
        xs__store_db_prepare(st, "SELECT name FROM products WHERE product_id = ?", -1,
                             name) != XS__DB_OK)
        return xs__store_dberr(st, "queueing a webhook", err);
    xs__store_db_reset(*name);
    xs__store_db_bind_text(*name, 1, r->product_id, -1);
    int s = xs__store_db_step(*name);
    if (s != XS__DB_ROW && s != XS__DB_DONE)
        return xs__store_dberr(st, "queueing a webhook", err);
    const char *pn =
        s == XS__DB_ROW ? (const char *)xs__store_db_column_text(*name, 0) : NULL;
    return xs__store_hooks_emit(st, h, offer_json(r, pn), err);
}

/* Contract in xsell.h. */
int xs_store_offers_log(xs_store *st, xs_offer_record *r, size_t n, xs_error *err)
{
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    rc = xs__store_offers_insert(st, r, n, err);
    if (rc == XS_OK) rc = xs__store_commit(st, err);
    if (rc == XS_OK) rc = (int)n;
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Contract in store_int.h. */
int xs__store_offers_insert(xs_store *st, xs_offer_record *r, size_t n, xs_error *err)
{
    xs__store_stmt *seq = NULL, *ins = NULL;
    xs__store_hooks h = {.n = 0, .ins = NULL};
    xs__store_stmt *name = NULL; /* a product's name, for the offer.issued events */
    int rc = XS_OK;
    if (xs__store_db_prepare(
            st,
            "SELECT coalesce(max(CAST(substr(offer_id, 11) AS INTEGER)), 0)"
            " FROM offers WHERE offer_id >= ? AND offer_id < ?",
            -1, &seq) != XS__DB_OK ||
        xs__store_db_prepare(st,
                             "INSERT INTO offers(offer_id, customer_id, product_id, kind,"
                             " channel, sent_at, outcome, attrs)"
                             " VALUES(?, ?, ?, ?, ?, ?, 'pending', ?)",
                             -1, &ins) != XS__DB_OK) {
        rc = xs__store_dberr(st, "logging the offers", err);
        goto cleanup;
    }
    if ((rc = xs__store_hooks_of(st, "offer.issued", &h, err)) < 0) goto cleanup;
    char day[9] = ""; /* the day of `last`: asked once per day, then counted */
    long long last = 0;
    for (size_t i = 0; i < n; i++) {
        char ymd[9];
        const char *d = r[i].sent_at;
        if (strlen(d) != 10) {
            rc = xs__error_set(err, XS_EINVAL, NULL, 0, "sent_at", "not a date: \"%s\"",
                               d);
            goto cleanup;
        }
        memcpy(ymd, d, 4);
        memcpy(ymd + 4, d + 5, 2);
        memcpy(ymd + 6, d + 8, 2);
        ymd[8] = '\0';
        if (strcmp(day, ymd)) {
            /* the primary key range of the day: no scan of other days */
            last = last_seq(st, seq, ymd, err);
            if (last < 0) {
                rc = (int)last;
                goto cleanup;
            }
            memcpy(day, ymd, sizeof day);
        }
        snprintf(r[i].offer_id, sizeof r[i].offer_id, "X%s-%04lld", ymd, ++last);
        xs__store_db_reset(ins);
        xs__store_db_bind_text(ins, 1, r[i].offer_id, -1);
        xs__store_db_bind_text(ins, 2, r[i].customer_id, -1);
        xs__store_db_bind_text(ins, 3, r[i].product_id, -1);
        xs__store_db_bind_text(ins, 4, r[i].kind, -1);
        xs__store_db_bind_text(ins, 5, r[i].channel, -1);
        xs__store_db_bind_text(ins, 6, r[i].sent_at, -1);
        if (r[i].attrs[0])
            xs__store_db_bind_text(ins, 7, r[i].attrs, -1);
        else
            xs__store_db_bind_null(ins, 7);
        if (xs__store_db_step(ins) != XS__DB_DONE) {
            rc = xs__store_dberr(st, "logging the offers", err);
            goto cleanup;
        }
        if (h.n && (rc = emit_issued(st, &name, &r[i], &h, err)) < 0) goto cleanup;
    }
cleanup:
    xs__store_db_finalize(name);
    xs__store_hooks_done(&h);
    xs__store_db_finalize(seq);
    xs__store_db_finalize(ins);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Outcomes                                                               */
/* ---------------------------------------------------------------------- */

/* Queues the offer.outcome event of an outcome just recorded; get holds
 * the offer's row (sent_at, outcome, customer_id, product_id, kind,
 * channel, the product's name). The revenue delta is given in the currency's units, as
 * text
 * ("120.50"), so no receiver meets a rounded float. */
static int emit_outcome(xs_store *st, xs__store_stmt *get, const char *offer_id,
                        const char *outcome, const char *at, const int64_t *minor,
                        xs_error *err)
{
    xs__store_hooks h;
    int rc = xs__store_hooks_of(st, "offer.outcome", &h, err);
    if (rc < 0 || !h.n) return rc;
    char delta[40] = "";
    if (minor) xs__money_format(*minor, st->money_scale, delta, sizeof delta);
    const char *c[4];
    for (int i = 0; i < 4; i++) {
        c[i] = (const char *)xs__store_db_column_text(get, 2 + i);
        if (!c[i]) c[i] = "";
    }
    json_t *d =
        json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s?, s:s}", "offer_id",
                  offer_id, "customer_id", c[0], "product_id", c[1], "product_name",
                  (const char *)xs__store_db_column_text(get, 6), "kind", c[2], "channel",
                  c[3], "outcome", outcome, "at", at, "revenue_delta",
                  minor ? delta : NULL, "currency", st->currency);
    rc = xs__store_hooks_emit(st, &h, d, err);
    xs__store_hooks_done(&h);
    return rc;
}

/* Contract in xsell.h. */
int xs_store_offer_outcome(xs_store *st, const char *offer_id, const char *outcome,
                           const char *at, const char *revenue_delta, xs_error *err)
{
    char q1[120], q2[120];
    int32_t at_day, sent_day;
    int64_t minor = 0;
    xs__store_stmt *get = NULL, *upd = NULL;
    if (!outcome || (strcmp(outcome, "accepted") && strcmp(outcome, "declined") &&
                     strcmp(outcome, "ignored"))) {
        xs__error_quote(q1, sizeof q1, outcome ? outcome : "",
                        outcome ? strlen(outcome) : 0);
        return xs__error_param(err, XS_EINVAL, NULL, "outcome",
                               "expected accepted, declined or ignored, got %s", q1);
    }
    if (!at || strlen(at) != 10 || xs__date_parse(at, 10, &at_day) < 0) {
        xs__error_quote(q1, sizeof q1, at ? at : "", at ? strlen(at) : 0);
        return xs__error_param(err, XS_EINVAL, NULL, "at",
                               "expected a date YYYY-MM-DD, got %s", q1);
    }
    if (revenue_delta) {
        int m = xs__money_parse(revenue_delta, strlen(revenue_delta), st->money_scale,
                                &minor);
        if (m < 0) {
            xs__error_quote(q1, sizeof q1, revenue_delta, strlen(revenue_delta));
            if (m == -2)
                return xs__error_param(err, XS_EINVAL, NULL, "revenue_delta",
                                       "more than %d fraction digits: %s",
                                       st->money_scale, q1);
            return xs__error_param(err, XS_EINVAL, NULL, "revenue_delta",
                                   "not an amount: %s", q1);
        }
    }
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    if (xs__store_db_prepare(
            st,
            "SELECT o.sent_at, o.outcome, o.customer_id, o.product_id, o.kind,"
            " o.channel, p.name FROM offers o"
            " LEFT JOIN products p ON p.product_id = o.product_id"
            " WHERE o.offer_id = ?",
            -1, &get) != XS__DB_OK ||
        xs__store_db_prepare(st,
                             "UPDATE offers SET outcome = ?, outcome_at = ?,"
                             " revenue_delta = coalesce(?, revenue_delta)"
                             " WHERE offer_id = ?",
                             -1, &upd) != XS__DB_OK) {
        rc = xs__store_dberr(st, "recording the outcome", err);
        goto cleanup;
    }
    xs__store_db_bind_text(get, 1, offer_id, -1);
    int s = xs__store_db_step(get);
    xs__error_quote(q1, sizeof q1, offer_id, strlen(offer_id));
    if (s == XS__DB_DONE) {
        rc = xs__error_param(err, XS_ENOTFOUND, NULL, "offer_id", "unknown offer %s", q1);
        goto cleanup;
    }
    if (s != XS__DB_ROW) {
        rc = xs__store_dberr(st, "recording the outcome", err);
        goto cleanup;
    }
    const char *sent = (const char *)xs__store_db_column_text(get, 0);
    const char *cur = (const char *)xs__store_db_column_text(get, 1);
    if (cur && strcmp(cur, "pending")) {
        xs__error_quote(q2, sizeof q2, cur, strlen(cur));
        rc = xs__error_set(err, XS_ECONFLICT, NULL, 0, NULL,
                           "offer %s already has the final outcome %s", q1, q2);
        goto cleanup;
    }
    if (sent && strlen(sent) >= 10 && xs__date_parse(sent, 10, &sent_day) == 0 &&
        at_day < sent_day) {
        xs__error_quote(q2, sizeof q2, at, strlen(at));
        rc = xs__error_param(err, XS_EINVAL, NULL, "at",
                             "%s is before the offer was sent (%.10s)", q2, sent);
        goto cleanup;
    }
    xs__store_db_bind_text(upd, 1, outcome, -1);
    xs__store_db_bind_text(upd, 2, at, 10);
    if (revenue_delta)
        xs__store_db_bind_int64(upd, 3, minor);
    else
        xs__store_db_bind_null(upd, 3);
    xs__store_db_bind_text(upd, 4, offer_id, -1);
    if (xs__store_db_step(upd) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "recording the outcome", err);
        goto cleanup;
    }
    if ((rc = emit_outcome(st, get, offer_id, outcome, at, revenue_delta ? &minor : NULL,
                           err)) < 0)
        goto cleanup;
    rc = xs__store_commit(st, err);
cleanup:
    xs__store_db_finalize(get);
    xs__store_db_finalize(upd);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}
