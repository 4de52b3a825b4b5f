/*
 * handlers_actions.c — what a CS team does from the dashboard besides
 * recording outcomes (handlers_offers.c), and the record of it
 * (docs/api.md "Experiments" and "Audit log"):
 *   POST /v1/experiments              start one (write scope): the fields of
 *                                     `xsell experiment start`, checked by the
 *                                     same library call (xs_experiment_define)
 *   POST /v1/experiments/{name}/stop  end one (write scope), {"end"} optional
 *   GET  /v1/audit                    the audit log, newest first (admin)
 *   GET  /v1/key                      the presented key's id and scope (read):
 *                                     the dashboard shows its buttons by it
 * and xs__serve_audit(), which every handler that writes calls once its change
 * has committed. Writes go through store_access.c (bounded lock wait, 503
 * busy).
 */
#include "serve/serve_int.h"
#include "base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------------- */
/* The audit row                                                          */
/* ---------------------------------------------------------------------- */

/* Contract in serve_int.h. */
void xs__serve_audit(xs__serve_req *r, xs_store *st, const char *action,
                     const char *target, json_t *before, json_t *after)
{
    char *b = before ? json_dumps(before, JSON_COMPACT) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT) : NULL;
    json_decref(before);
    json_decref(after);
    xs_audit_entry en = {0, NULL, r->key_id[0] ? r->key_id : NULL, action, target, b, a};
    xs_error e = {0};
    xs_store *own = NULL;
    int rc = XS_OK;
    if ((before && !b) || (after && !a)) {
        rc = XS_ENOMEM;
        snprintf(e.message, sizeof e.message, "out of memory");
    } else if (!st) {
        rc = xs_store_open(&own, xs__serve_server_db(r->srv), &e);
        if (rc == XS_OK)
            xs_store_set_busy_timeout(own, xs__serve_server_lock_timeout_ms(r->srv));
        st = own;
    }
    if (rc == XS_OK) rc = xs_store_audit_add(st, &en, &e);
    if (rc < 0) {
        char msg[1024];
        fprintf(stderr, "xsell serve: audit log: %s %s: %s\n", action,
                target ? target : "", xs_error_format(&e, msg, sizeof msg));
    }
    xs_store_close(own);
    free(b);
    free(a);
}

/* ---------------------------------------------------------------------- */
/* Experiments                                                            */
/* ---------------------------------------------------------------------- */

/* body[key]: NULL when absent or null, else it must be a string (else a
 * 400 is set and *bad is 1). */
static const char *str_field(xs__serve_req *r, const char *key, int *bad)
{
    json_t *v = json_object_get(r->body, key);
    if (!v || json_is_null(v) || *bad) return NULL;
    if (json_is_string(v)) return json_string_value(v);
    xs__serve_error(r, 400, "bad_request", "%s: expected a string", key);
    *bad = 1;
    return NULL;
}

/* An experiment as the routes answer it. */
static json_t *experiment_json(const xs_experiment *x)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s?}", "name", x->name, "kind",
                     xs_offer_kind_key(x->kind), "split", x->split, "start", x->start,
                     "end", x->end[0] ? x->end : NULL);
}

/* Contract in serve_int.h. Body {"name", "kind", "split"?, "start"?,
 * "end"?}: 201 with the experiment; 400 a bad field (the CLI's message,
 * named by the JSON field); 409 the name exists or another experiment of
 * the kind overlaps its days. */
int xs__serve_h_experiment_start(xs__serve_req *r)
{
    int bad = 0;
    const char *name = str_field(r, "name", &bad), *kind = str_field(r, "kind", &bad),
               *split = str_field(r, "split", &bad), *start = str_field(r, "start", &bad),
               *end = str_field(r, "end", &bad);
    if (bad) return r->status;
    if (!name) return xs__serve_error(r, 400, "bad_request", "name: required");
    if (!kind) return xs__serve_error(r, 400, "bad_request", "kind: required");
    xs_experiment x;
    xs_error e = {0};
    int rc = xs_experiment_define(&x, name, kind, split, start, end, &e);
    if (rc < 0) return xs__serve_fail(r, rc, &e);
    xs_store *st = NULL;
    int status = xs__serve_store_for_write(r, &st);
    if (status) return status;
    rc = xs_store_experiment_add(st, &x, &e);
    if (rc == XS_OK)
        xs__serve_audit(r, st, "experiment.start", x.name, NULL, experiment_json(&x));
    xs_store_close(st);
    if (rc < 0) return xs__serve_fail(r, rc, &e);
    xs__serve_model_experiments_forget(r->model);
    return xs__serve_reply(r, 201, experiment_json(&x));
}

/* Contract in serve_int.h. Body {} or {"end": "YYYY-MM-DD"} (default
 * today, UTC): 200 {"name", "end"}; 404 no such experiment; 409 it has
 * ended already; 400 a bad end. */
int xs__serve_h_experiment_stop(xs__serve_req *r)
{
    int bad = 0;
    const char *end = str_field(r, "end", &bad);
    if (bad) return r->status;
    char today[11];
    if (!end) {
        xs__utc_today(today);
        end = today;
    }
    xs_store *st = NULL;
    xs_error e = {0};
    int status = xs__serve_store_for_write(r, &st);
    if (status) return status;
    int rc = xs_store_experiment_stop(st, r->params[0], end, &e);
    if (rc == XS_OK)
        xs__serve_audit(r, st, "experiment.stop", r->params[0], json_pack("{s:n}", "end"),
                        json_pack("{s:s}", "end", end));
    xs_store_close(st);
    if (rc < 0) return xs__serve_fail(r, rc, &e);
    xs__serve_model_experiments_forget(r->model);
    return xs__serve_reply(r, 200,
                           json_pack("{s:s,s:s}", "name", r->params[0], "end", end));
}

/* ---------------------------------------------------------------------- */
/* Reading the audit log, the key                                         */
/* ---------------------------------------------------------------------- */

/* JSON text of a before/after column as a value (null when absent; a
 * string when it is not JSON, which xsell never writes). */
static json_t *json_col(const char *s)
{
    if (!s) return json_null();
    json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(s);
}

static int add_entry(void *ctx, const xs_audit_entry *a)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s?,s:s,s:s?,s:o,s:o}", "audit_id", (json_int_t)a->audit_id,
                  "at", a->at, "key_id", a->key_id, "action", a->action, "target",
                  a->target, "before", json_col(a->before), "after", json_col(a->after));
    if (!o || json_array_append_new(ctx, o) < 0) return XS_ENOMEM;
    return 0;
}

/* Contract in serve_int.h. GET /v1/audit?limit=N (1..1000, default 100)
 * &offset=K (default 0): {"total", "limit", "offset", "entries"}, newest
 * first. */
int xs__serve_h_audit(xs__serve_req *r)
{
    long limit, offset;
    if (xs__serve_query_long(r, "limit", 100, 1, 1000, &limit) < 0 ||
        xs__serve_query_long(r, "offset", 0, 0, 1000000000L, &offset) < 0)
        return r->status;
    xs_store *st = NULL;
    xs_error e = {0};
    if (xs_store_open_readonly(&st, xs__serve_server_db(r->srv), &e) < 0)
        return xs__serve_error(r, 503, "not_available", "store: %s", e.message);
    json_t *rows = json_array();
    long long total = 0;
    long n = rows ? xs_store_audit_list(st, (size_t)limit, (size_t)offset, add_entry,
                                        rows, &total, &e)
                  : XS_ENOMEM;
    xs_store_close(st);
    if (n < 0) {
        json_decref(rows);
        return xs__serve_error(r, 503, "not_available", "reading the audit log: %s",
                               n == XS_ENOMEM ? "out of memory" : e.message);
    }
    return xs__serve_reply(r, 200,
                           json_pack("{s:I,s:i,s:i,s:o}", "total", (json_int_t)total,
                                     "limit", (int)limit, "offset", (int)offset,
                                     "entries", rows));
}

/* Contract in serve_int.h. GET /v1/key: {"key_id", "scope"}. */
int xs__serve_h_key(xs__serve_req *r)
{
    return xs__serve_reply(r, 200,
                           json_pack("{s:s,s:s}", "key_id", r->key_id, "scope",
                                     xs_apikey_scope_name(r->scope)));
}
