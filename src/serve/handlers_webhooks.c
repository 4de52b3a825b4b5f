/*
 * handlers_webhooks.c — the webhooks over the API, admin scope (the same
 * store functions as `xsell webhook`; docs/webhooks.md):
 *   GET    /v1/webhooks                      the webhooks, never secrets
 *   POST   /v1/webhooks                      {"url", "events", "secret"?}
 *                                            -> 201 {"webhook_id", "secret"}
 *   DELETE /v1/webhooks/{id}                 stop one (its log stays)
 *   GET    /v1/webhooks/{id}/deliveries      its delivery log (?status, ?limit)
 * Each opens the store on its own connection with the bounded lock wait of
 * the write routes (store_access.c).
 */
#include "serve/serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The {id} path parameter as a positive integer, or 0 (and a 404 set). */
static long long webhook_id(xs__serve_req *r)
{
    char *end;
    long long id = strtoll(r->params[0], &end, 10);
    if (!r->params[0][0] || *end || id <= 0) {
        char q[96];
        xs__serve_quote(q, sizeof q, r->params[0], strlen(r->params[0]));
        xs__serve_error(r, 404, "not_found", "no such webhook: %s", q);
        return 0;
    }
    return id;
}

/* Answers a table from fill() as {"<key>": [rows]}. */
static int reply_table(xs__serve_req *r, xs_store *st, const char *key, int rc,
                       xs_table *t, const xs_error *e)
{
    xs_store_close(st);
    if (rc < 0) {
        xs_table_free(t);
        return xs__serve_fail(r, rc, e);
    }
    json_t *rows = xs__serve_table_json(t);
    xs_table_free(t);
    return xs__serve_reply(r, 200, rows ? json_pack("{s:o}", key, rows) : NULL);
}

/* Contract in serve_int.h. */
int xs__serve_h_webhooks(xs__serve_req *r)
{
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    int status = xs__serve_store_for_write(r, &st);
    if (status) return status;
    xs_table *t = xs_table_new();
    int rc = t ? xs_webhook_list(st, t, &e) : XS_ENOMEM;
    return reply_table(r, st, "webhooks", rc, t, &e);
}

/* Contract in serve_int.h. */
int xs__serve_h_webhook_deliveries(xs__serve_req *r)
{
    long long id = webhook_id(r);
    if (!id) return r->status;
    long limit;
    if (xs__serve_query_long(r, "limit", 100, 1, 10000, &limit) < 0) return r->status;
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    int status = xs__serve_store_for_write(r, &st);
    if (status) return status;
    xs_table *t = xs_table_new();
    int rc = t ? xs_webhook_log(st, id, xs__serve_query(r, "status"), limit, t, &e)
               : XS_ENOMEM;
    return reply_table(r, st, "deliveries", rc, t, &e);
}

/* events: a JSON array of names or one comma list, joined into buf. */
static const char *events_arg(json_t *je, char *buf, size_t n)
{
    if (json_is_string(je)) return json_string_value(je);
    if (!json_is_array(je) || !json_array_size(je)) return NULL;
    size_t used = 0, i;
    json_t *v;
    buf[0] = 0;
    json_array_foreach(je, i, v)
    {
        if (!json_is_string(v)) return NULL;
        int k =
            snprintf(buf + used, n - used, "%s%s", i ? "," : "", json_string_value(v));
        if (k < 0 || (size_t)k >= n - used) return NULL;
        used += (size_t)k;
    }
    return buf;
}

/* Contract in serve_int.h. */
int xs__serve_h_webhook_add(xs__serve_req *r)
{
    json_t *ju = json_object_get(r->body, "url"),
           *js = json_object_get(r->body, "secret");
    char evbuf[256];
    const char *events =
        events_arg(json_object_get(r->body, "events"), evbuf, sizeof evbuf);
    if (!json_is_string(ju))
        return xs__serve_error(r, 400, "bad_request", "url: expected a string");
    if (!events)
        return xs__serve_error(r, 400, "bad_request",
                               "events: expected a non-empty array of event names");
    if (js && !json_is_null(js) && !json_is_string(js))
        return xs__serve_error(r, 400, "bad_request", "secret: expected a string");
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    int status = xs__serve_store_for_write(r, &st);
    if (status) return status;
    long long id;
    char secret[XS_WEBHOOK_SECRET_MAX];
    int rc = xs_webhook_add(st, json_string_value(ju), events,
                            json_is_string(js) ? json_string_value(js) : NULL, &id,
                            secret, sizeof secret, &e);
    if (rc == XS_OK) { /* never the secret */
        char target[32];
        snprintf(target, sizeof target, "%lld", id);
        xs__serve_audit(
            r, st, "webhook.add", target, NULL,
            json_pack("{s:s,s:s}", "url", json_string_value(ju), "events", events));
    }
    xs_store_close(st);
    if (rc < 0) return xs__serve_fail(r, rc, &e);
    json_t *out = json_pack("{s:I, s:s}", "webhook_id", (json_int_t)id, "secret", secret);
    memset(secret, 0, sizeof secret);
    return xs__serve_reply(r, 201, out);
}

/* Contract in serve_int.h. */
int xs__serve_h_webhook_remove(xs__serve_req *r)
{
    long long id = webhook_id(r);
    if (!id) return r->status;
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    int status = xs__serve_store_for_write(r, &st);
    if (status) return status;
    int rc = xs_webhook_remove(st, id, &e);
    if (rc == XS_OK) {
        char target[32];
        snprintf(target, sizeof target, "%lld", id);
        xs__serve_audit(r, st, "webhook.remove", target, json_pack("{s:b}", "removed", 0),
                        json_pack("{s:b}", "removed", 1));
    }
    xs_store_close(st);
    if (rc == XS_EBUSY) return xs__serve_store_busy(r);
    if (rc == XS_ENOTFOUND) return xs__serve_error(r, 404, "not_found", "%s", e.message);
    if (rc < 0) return xs__serve_error(r, 503, "not_available", "store: %s", e.message);
    return xs__serve_reply(
        r, 200, json_pack("{s:I, s:b}", "webhook_id", (json_int_t)id, "removed", 1));
}
