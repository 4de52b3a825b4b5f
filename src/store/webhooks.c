/*
 * webhooks.c — the store's side of webhooks (schema version 10): adding,
 * listing and removing subscriptions, the delivery rows that the writes of
 * offers, outcomes and builds add in their own transaction (the outbox), and
 * the queries the sender (src/serve/webhook_send.c) works them off with.
 *
 * Because a delivery row commits or rolls back with the change it reports,
 * every committed change is delivered at least once and nothing is
 * delivered for a change that did not happen. A payload is the JSON object
 * {"id", "event", "created_at", "data"} built with jansson; "id" is one
 * random event id shared by the deliveries of one event to several
 * webhooks, so receivers can drop a repeat.
 */
#include "base/alloc.h"
#include "base/date.h"
#include "base/crypto.h"
#include "base/error.h"
#include "store/db.h"
#include "store/hooks.h"
#include "store/store_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const event_names[] = {"offer.issued", "offer.outcome", "build.done"};
#define N_EVENTS (sizeof event_names / sizeof event_names[0])
#define SECRET_BYTES 32

/* Parses "a,b,c" into a bit mask over event_names and writes the events in
 * their canonical order into canon. */
static int parse_events(const char *list, unsigned *mask, char *canon, size_t cap,
                        xs_error *err)
{
    char q[96];
    *mask = 0;
    const char *p = list ? list : "";
    while (1) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        size_t k = 0;
        while (k < N_EVENTS &&
               !(strlen(event_names[k]) == n && !memcmp(p, event_names[k], n)))
            k++;
        if (k == N_EVENTS) {
            xs__error_quote(q, sizeof q, p, n);
            return xs__error_param(
                err, XS_EINVAL, NULL, "events",
                "unknown event %s: expected offer.issued, offer.outcome"
                " or build.done",
                q);
        }
        *mask |= 1u << k;
        if (!end) break;
        p = end + 1;
    }
    canon[0] = 0;
    for (size_t k = 0; k < N_EVENTS; k++)
        if (*mask & (1u << k)) {
            size_t l = strlen(canon);
            snprintf(canon + l, cap - l, "%s%s", l ? "," : "", event_names[k]);
        }
    return XS_OK;
}

/* An http:// or https:// URL with a host, in printable ASCII (a URL's
 * other characters are percent-encoded). */
static int check_url(const char *url, xs_error *err)
{
    char q[160];
    size_t n = url ? strlen(url) : 0;
    const char *host = NULL;
    if (n > 7 && !strncmp(url, "http://", 7)) host = url + 7;
    if (n > 8 && !strncmp(url, "https://", 8)) host = url + 8;
    int bad = !host || !*host || *host == '/' || n > 2000;
    for (size_t i = 0; !bad && i < n; i++)
        if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f) bad = 1;
    if (!bad) return XS_OK;
    xs__error_quote(q, sizeof q, url ? url : "", n);
    return xs__error_param(err, XS_EINVAL, NULL, "url",
                           "expected an http:// or https:// URL, got %s", q);
}

/* Contract in xsell.h. */
int xs_webhook_add(xs_store *st, const char *url, const char *events, const char *secret,
                   long long *id, char *secret_out, size_t cap, xs_error *err)
{
    unsigned mask;
    char canon[64], when[32], made[2 * SECRET_BYTES + 1];
    int rc;
    if ((rc = check_url(url, err)) < 0) return rc;
    if ((rc = parse_events(events, &mask, canon, sizeof canon, err)) < 0) return rc;
    if (secret && (strlen(secret) < 16 || strlen(secret) > 256))
        return xs__error_param(err, XS_EINVAL, NULL, "secret",
                               "expected 16 to 256 characters, got %zu", strlen(secret));
    for (const char *p = secret; p && *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
            return xs__error_param(err, XS_EINVAL, NULL, "secret",
                                   "expected printable ASCII without spaces");
    if (!secret) {
        unsigned char rnd[SECRET_BYTES];
        if ((rc = xs__random_bytes(rnd, sizeof rnd, err)) < 0) return rc;
        xs__hex(rnd, sizeof rnd, made);
        secret = made;
    }
    if (secret_out && cap <= strlen(secret))
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "secret buffer too small");
    xs__utc_now(when);
    xs__store_stmt *q = NULL;
    if ((rc = xs__store_begin(st, err)) < 0) return rc;
    if (xs__store_db_prepare(st, "SELECT count(*) FROM webhooks WHERE removed_at IS NULL",
                             -1, &q) != XS__DB_OK ||
        xs__store_db_step(q) != XS__DB_ROW) {
        rc = xs__store_dberr(st, "adding a webhook", err);
        goto cleanup;
    }
    if (xs__store_db_column_int64(q, 0) >= XS_WEBHOOK_MAX) {
        rc = xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                           "a store holds at most %d webhooks: remove one first",
                           XS_WEBHOOK_MAX);
        goto cleanup;
    }
    xs__store_db_finalize(q);
    q = NULL;
    if (xs__store_db_prepare(st,
                             "INSERT INTO webhooks(url, events, secret, created_at)"
                             " VALUES(?, ?, ?, ?) RETURNING webhook_id",
                             -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "adding a webhook", err);
        goto cleanup;
    }
    xs__store_db_bind_text(q, 1, url, -1);
    xs__store_db_bind_text(q, 2, canon, -1);
    xs__store_db_bind_text(q, 3, secret, -1);
    xs__store_db_bind_text(q, 4, when, -1);
    if (xs__store_db_step(q) != XS__DB_ROW) {
        rc = xs__store_dberr(st, "adding a webhook", err);
        goto cleanup;
    }
    *id = xs__store_db_column_int64(q, 0);
    xs__store_db_finalize(q);
    q = NULL;
    if ((rc = xs__store_commit(st, err)) < 0) goto cleanup;
    if (secret_out) snprintf(secret_out, cap, "%s", secret);
cleanup:
    xs__store_db_finalize(q);
    if (rc < 0) xs__store_rollback(st);
    memset(made, 0, sizeof made);
    return rc;
}

/* Contract in xsell.h. */
int xs_webhook_remove(xs_store *st, long long id, xs_error *err)
{
    char when[32];
    xs__utc_now(when);
    xs__store_stmt *q = NULL;
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    if (xs__store_db_prepare(st,
                             "UPDATE webhooks SET removed_at = ? WHERE webhook_id = ?"
                             " AND removed_at IS NULL RETURNING webhook_id",
                             -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "removing a webhook", err);
        goto cleanup;
    }
    xs__store_db_bind_text(q, 1, when, -1);
    xs__store_db_bind_int64(q, 2, id);
    int s = xs__store_db_step(q);
    if (s == XS__DB_DONE) {
        rc = xs__error_set(err, XS_ENOTFOUND, NULL, 0, NULL, "no such webhook: %lld", id);
        goto cleanup;
    }
    if (s != XS__DB_ROW || xs__store_db_step(q) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "removing a webhook", err);
        goto cleanup;
    }
    xs__store_db_finalize(q);
    q = NULL;
    /* what was still to be sent to it will not be */
    if (xs__store_db_prepare(st,
                             "UPDATE webhook_deliveries SET status = 'cancelled'"
                             " WHERE webhook_id = ? AND status = 'pending'",
                             -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "removing a webhook", err);
        goto cleanup;
    }
    xs__store_db_bind_int64(q, 1, id);
    if (xs__store_db_step(q) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "removing a webhook", err);
        goto cleanup;
    }
    rc = xs__store_commit(st, err);
cleanup:
    xs__store_db_finalize(q);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Fills out with the columns and the rows of a query; types[i] 'n' makes
 * column i numeric (bare in JSON), anything else text. */
static int query_table(xs_store *st, const char *sql, const char *const *cols,
                       const char *types, int n_cols, const int64_t *args, int n_args,
                       int text_param, const char *text_arg, xs_table *out,
                       const char *what, xs_error *err)
{
    for (int i = 0; i < n_cols; i++)
        if (xs_table_column(out, cols[i], types[i] == 'n' ? XS_COL_NUM : XS_COL_TEXT) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__store_stmt *q = NULL;
    if (xs__store_db_prepare(st, sql, -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, what, err);
    for (int i = 0; i < n_args; i++)
        xs__store_db_bind_int64(q, i + 1, args[i]);
    if (text_param && text_arg)
        xs__store_db_bind_text(q, n_args + 1, text_arg, -1);
    else if (text_param)
        xs__store_db_bind_null(q, n_args + 1);
    int n = 0, s;
    while ((s = xs__store_db_step(q)) == XS__DB_ROW) {
        if (xs_table_row(out) < 0) goto nomem;
        for (int c = 0; c < n_cols; c++)
            if (xs_table_cell(out, (const char *)xs__store_db_column_text(q, c)) < 0)
                goto nomem;
        n++;
    }
    xs__store_db_finalize(q);
    return s == XS__DB_DONE ? n : xs__store_dberr(st, what, err);
nomem:
    xs__store_db_finalize(q);
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* Contract in xsell.h. */
int xs_webhook_list(xs_store *st, xs_table *out, xs_error *err)
{
    static const char *const cols[] = {"webhook_id", "url",     "events",    "created_at",
                                       "removed_at", "pending", "delivered", "failed"};
    return query_table(
        st,
        "SELECT w.webhook_id, w.url, w.events, w.created_at, w.removed_at,"
        " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.webhook_id"
        "  AND d.status = 'pending'),"
        " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.webhook_id"
        "  AND d.status = 'delivered'),"
        " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.webhook_id"
        "  AND d.status = 'failed')"
        " FROM webhooks w ORDER BY w.webhook_id",
        cols, "nttttnnn", 8, NULL, 0, 0, NULL, out, "listing webhooks", err);
}

/* Contract in xsell.h. */
int xs_webhook_log(xs_store *st, long long id, const char *status, long limit,
                   xs_table *out, xs_error *err)
{
    static const char *const cols[] = {"delivery_id", "webhook_id", "event",
                                       "created_at",  "status",     "attempts",
                                       "last_at",     "last_code",  "last_error"};
    char q[64];
    if (status && strcmp(status, "pending") && strcmp(status, "delivered") &&
        strcmp(status, "failed") && strcmp(status, "cancelled")) {
        xs__error_quote(q, sizeof q, status, strlen(status));
        return xs__error_param(err, XS_EINVAL, NULL, "status",
                               "expected pending, delivered, failed or cancelled, got %s",
                               q);
    }
    int64_t args[2] = {id, limit > 0 ? limit : 100};
    return query_table(
        st,
        "SELECT delivery_id, webhook_id, event, created_at, status, attempts,"
        " last_at, last_code, last_error FROM webhook_deliveries"
        " WHERE (?1 = 0 OR webhook_id = ?1)"
        " AND (CAST(?3 AS TEXT) IS NULL OR status = CAST(?3 AS TEXT))"
        " ORDER BY delivery_id DESC LIMIT ?2",
        cols, "nntttntnt", 9, args, 2, 1, status, out, "reading the delivery log", err);
}

/* ---------------------------------------------------------------------- */
/* The outbox                                                             */
/* ---------------------------------------------------------------------- */

/* Contract in store_int.h. */
int xs__store_hooks_of(xs_store *st, const char *event, xs__store_hooks *h, xs_error *err)
{
    h->n = 0;
    h->ins = NULL;
    snprintf(h->event, sizeof h->event, "%s", event);
    if (st->schema_version < 10) return XS_OK;
    xs__store_stmt *q = NULL;
    if (xs__store_db_prepare(
            st, "SELECT webhook_id, events FROM webhooks WHERE removed_at IS NULL", -1,
            &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the webhooks", err);
    size_t n_ev = strlen(event);
    int s;
    while ((s = xs__store_db_step(q)) == XS__DB_ROW && h->n < XS_WEBHOOK_MAX) {
        const char *ev = (const char *)xs__store_db_column_text(q, 1);
        /* events is the canonical comma list of xs_webhook_add */
        for (const char *p = ev ? strstr(ev, event) : NULL; p; p = strstr(p + 1, event))
            if ((p == ev || p[-1] == ',') && (p[n_ev] == ',' || !p[n_ev])) {
                h->ids[h->n++] = xs__store_db_column_int64(q, 0);
                break;
            }
    }
    xs__store_db_finalize(q);
    return s == XS__DB_ROW || s == XS__DB_DONE
               ? XS_OK
               : xs__store_dberr(st, "reading the webhooks", err);
}

/* Contract in store_int.h. */
int xs__store_hooks_emit(xs_store *st, xs__store_hooks *h, json_t *data, xs_error *err)
{
    int rc = XS_OK;
    if (!h->n) {
        json_decref(data);
        return XS_OK;
    }
    unsigned char rnd[8];
    char id[24] = "evt_", when[32];
    if ((rc = xs__random_bytes(rnd, sizeof rnd, err)) < 0) {
        json_decref(data);
        return rc;
    }
    xs__hex(rnd, sizeof rnd, id + 4);
    xs__utc_now(when);
    json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "id", id, "event", h->event,
                          "created_at", when, "data", data);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (!h->ins && xs__store_db_prepare(
                       st,
                       "INSERT INTO webhook_deliveries(webhook_id, event, payload,"
                       " created_at, status, next_at) VALUES(?, ?, ?, ?, 'pending', 0)",
                       -1, &h->ins) != XS__DB_OK) {
        free(text);
        return xs__store_dberr(st, "queueing a webhook", err);
    }
    for (size_t i = 0; i < h->n && rc == XS_OK; i++) {
        xs__store_db_reset(h->ins);
        xs__store_db_bind_int64(h->ins, 1, h->ids[i]);
        xs__store_db_bind_text(h->ins, 2, h->event, -1);
        xs__store_db_bind_text(h->ins, 3, text, -1);
        xs__store_db_bind_text(h->ins, 4, when, -1);
        if (xs__store_db_step(h->ins) != XS__DB_DONE)
            rc = xs__store_dberr(st, "queueing a webhook", err);
    }
    free(text);
    return rc;
}

/* Contract in store_int.h. */
void xs__store_hooks_done(xs__store_hooks *h)
{
    xs__store_db_finalize(h->ins);
    h->ins = NULL;
}

/* ---------------------------------------------------------------------- */
/* The sender's side                                                      */
/* ---------------------------------------------------------------------- */

/* Contract in xsell.h. */
int xs_webhook_due(xs_store *st, int64_t now, size_t max, xs_webhook_delivery **out,
                   size_t *n, xs_error *err)
{
    *out = NULL;
    *n = 0;
    if (st->schema_version < 10 || max == 0) return XS_OK;
    xs__store_stmt *q = NULL;
    if (xs__store_db_prepare(
            st,
            "SELECT d.delivery_id, d.webhook_id, d.event, d.payload, d.attempts,"
            " w.url, w.secret FROM webhook_deliveries d"
            " JOIN webhooks w ON w.webhook_id = d.webhook_id"
            " WHERE d.status = 'pending' AND d.next_at <= ?"
            " ORDER BY d.next_at, d.delivery_id LIMIT ?",
            -1, &q) != XS__DB_OK)
        return xs__store_dberr(st, "reading the due webhooks", err);
    xs__store_db_bind_int64(q, 1, now);
    xs__store_db_bind_int64(q, 2, (int64_t)max);
    xs_webhook_delivery *d = xs__calloc(max, sizeof *d);
    int s, rc = XS_OK;
    if (!d) rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    while (rc == XS_OK && (s = xs__store_db_step(q)) == XS__DB_ROW) {
        xs_webhook_delivery *x = &d[*n];
        x->delivery_id = xs__store_db_column_int64(q, 0);
        x->webhook_id = xs__store_db_column_int64(q, 1);
        const char *ev = (const char *)xs__store_db_column_text(q, 2);
        snprintf(x->event, sizeof x->event, "%s", ev ? ev : "");
        x->attempts = xs__store_db_column_int(q, 4);
        x->payload = xs__strdup((const char *)xs__store_db_column_text(q, 3));
        x->url = xs__strdup((const char *)xs__store_db_column_text(q, 5));
        x->secret = xs__strdup((const char *)xs__store_db_column_text(q, 6));
        ++*n;
        if (!x->payload || !x->url || !x->secret)
            rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    if (rc == XS_OK && s != XS__DB_DONE)
        rc = xs__store_dberr(st, "reading the due webhooks", err);
    xs__store_db_finalize(q);
    if (rc < 0) {
        xs_webhook_due_free(d, *n);
        *n = 0;
        return rc;
    }
    *out = d;
    return XS_OK;
}

/* Contract in xsell.h. */
void xs_webhook_due_free(xs_webhook_delivery *d, size_t n)
{
    if (!d) return;
    for (size_t i = 0; i < n; i++) {
        xs__free(d[i].payload);
        xs__free(d[i].url);
        if (d[i].secret) memset(d[i].secret, 0, strlen(d[i].secret));
        xs__free(d[i].secret);
    }
    xs__free(d);
}

/* Contract in xsell.h. */
int xs_webhook_record(xs_store *st, long long delivery_id, const char *status,
                      int64_t next_at, int code, const char *error, xs_error *err)
{
    char when[32];
    xs__utc_now(when);
    xs__store_stmt *q = NULL;
    int rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    /* only a pending row moves: a removal that cancelled it meanwhile wins */
    if (xs__store_db_prepare(
            st,
            "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1,"
            " next_at = ?, last_at = ?, last_code = ?, last_error = ?"
            " WHERE delivery_id = ? AND status = 'pending'",
            -1, &q) != XS__DB_OK) {
        rc = xs__store_dberr(st, "recording a webhook delivery", err);
        goto cleanup;
    }
    xs__store_db_bind_text(q, 1, status, -1);
    xs__store_db_bind_int64(q, 2, next_at);
    xs__store_db_bind_text(q, 3, when, -1);
    if (code)
        xs__store_db_bind_int(q, 4, code);
    else
        xs__store_db_bind_null(q, 4);
    if (error && *error)
        xs__store_db_bind_text(q, 5, error, -1);
    else
        xs__store_db_bind_null(q, 5);
    xs__store_db_bind_int64(q, 6, delivery_id);
    if (xs__store_db_step(q) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "recording a webhook delivery", err);
        goto cleanup;
    }
    rc = xs__store_commit(st, err);
cleanup:
    xs__store_db_finalize(q);
    if (rc < 0) xs__store_rollback(st);
    return rc;
}
