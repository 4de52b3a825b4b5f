/*
 * handlers_offers.c — the routes that lean on other modules' newer parts:
 * a customer's next best offers (a thin adapter over the "Offer engine"
 * section of xsell.h: decide, keep the offered ones, render them byte for
 * byte as xs_offer_table through the JSON writer and jansson would, so the
 * API and `xsell recommend --format json` agree, without the per-cell
 * allocations),
 * POST /v1/build (a background rebuild, swapped in by server.c), POST
 * /v1/offers/{id}/outcome (the store write path of `xsell outcome`,
 * xs_store_offer_outcome).
 */
#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "offer/offer_int.h"
#include "serve/serve_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------------- */
/* The offers response, written straight into one buffer                 */
/* ---------------------------------------------------------------------- */

/* The response used to be built as an xs_table (one allocation per cell),
 * written as JSON, parsed back by jansson, wrapped in an object and dumped
 * again. render_offers() writes the very same bytes in one pass into an
 * xs__buf (base/buf.h): the table's numbers are "%.2f" / "%.4f" text read
 * back as a real (xs__buf_json_fixed). tests/unit/test_serve_http.c
 * compares the result with `xsell recommend --format json`. */

/* Product column of xs_offer_table(), from the offer module's own text. */
static void put_product(xs__buf *o, const xs_offer_engine *en, const xs_offer *x)
{
    char b[512];
    xs__buf_json_cstr(o, xs__offer_product_text(en, x, b, sizeof b));
}

/* Writes the whole offers body (with the final newline) into o. Returns
 * XS_OK or XS_EINVAL (a number JSON cannot hold); o->err on no memory. */
static int render_offers(xs__buf *o, const xs_offer_engine *en, const char *cust,
                         const xs_offer *off, size_t n, const char *lang,
                         const xs_offer_record *ids)
{
    char as_of[11], day[11], text[1024], ev[1024];
    xs__buf_adds(o, "{\"customer_id\":");
    xs__buf_json_cstr(o, cust);
    xs__buf_adds(o, ",\"as_of\":");
    xs__buf_json_cstr(o, xs_offer_engine_as_of(en, as_of));
    xs__buf_adds(o, ",\"lang\":");
    xs__buf_json_cstr(o, lang);
    xs__buf_adds(o, ",\"offers\":[");
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        const xs_offer *x = &off[i];
        if (x->guard != XS_GUARD_NONE) continue; /* as xs_offer_table(.., 0, ..) */
        if (x->timing > en->as_of)
            xs__date_format(x->timing, day);
        else
            strcpy(day, "now");
        xs__buf_adds(o, first ? "{\"customer_id\":" : ",{\"customer_id\":");
        first = 0;
        xs__buf_json_cstr(o, xs__intern_str(&en->s->cust.ids, x->customer));
        xs__buf_adds(o, ",\"rank\":");
        if (x->rank) {
            xs__buf_int(o, x->rank);
        } else {
            xs__buf_adds(o, "null");
        }
        xs__buf_adds(o, ",\"kind\":");
        xs__buf_json_cstr(o, xs_offer_kind_name(x->kind));
        xs__buf_adds(o, ",\"trigger\":");
        xs__buf_json_cstr(o, xs_offer_trigger_name(x->trigger));
        xs__buf_adds(o, ",\"product\":");
        put_product(o, en, x);
        xs__buf_adds(o, ",\"product_name\":"); /* the same by name, in lang */
        xs__buf_json_cstr(o, xs__offer_product_label(en, x, lang, text, sizeof text));
        xs__buf_adds(o, ",\"expected_value\":");
        if (xs__buf_json_fixed(o, 2, x->ev) < 0) return XS_EINVAL;
        xs__buf_adds(o, ",\"probability\":");
        if (xs__buf_json_fixed(o, 4, x->p_accept) < 0) return XS_EINVAL;
        /* what expected_value is based on (docs/offers.md "Uplift") */
        xs__buf_adds(o, ",\"value_basis\":");
        xs__buf_json_cstr(o, xs_offer_value_basis_name(x->value_basis));
        xs__buf_adds(o, ",\"uplift\":");
        if (x->value_basis != XS_VALUE_UPLIFT)
            xs__buf_adds(o, "null");
        else if (xs__buf_json_fixed(o, 4, x->uplift) < 0)
            return XS_EINVAL;
        xs__buf_adds(o, ",\"revenue_delta\":");
        if (xs__buf_json_fixed(o, 2, x->revenue_delta) < 0) return XS_EINVAL;
        xs__buf_adds(o, ",\"channel\":");
        xs__buf_json_cstr(o, x->channel >= 0 ? xs_offer_channel_name(x->channel) : NULL);
        xs__buf_adds(o, ",\"timing\":");
        xs__buf_json_cstr(o, day);
        xs__buf_adds(o, ",\"explanation\":");
        xs__buf_json_cstr(o, xs_offer_explain(en, x, lang, text, sizeof text));
        xs__buf_adds(o, ",\"evidence\":");
        xs__buf_json_cstr(o, xs_offer_evidence(en, x, ev, sizeof ev));
        xs__buf_adds(o, ",\"suppressed_by\":");
        xs__buf_json_cstr(o, x->guard ? xs_offer_guard_name(x->guard) : NULL);
        if (ids) { /* log=1: the logged offer's id and its propensity */
            xs__buf_adds(o, ",\"offer_id\":");
            xs__buf_json_cstr(o, ids[x->rank - 1].offer_id);
            xs__buf_adds(o, ",\"propensity\":");
            if (xs__buf_json_fixed(o, 4, x->propensity) < 0) return XS_EINVAL;
        }
        xs__buf_adds(o, "}");
    }
    xs__buf_adds(o, "]}\n");
    return XS_OK;
}

/* Contract in serve_int.h. */
int xs__serve_h_offers(xs__serve_req *r)
{
    const xs__serve_model *m = r->model;
    long limit;
    char q[300];
    if (xs__serve_query_long(r, "limit", 10, 1, XS_OFFER_MAX_CANDIDATES, &limit) < 0)
        return r->status;
    const char *lang = xs__serve_query(r, "lang");
    if (!lang) lang = "en";
    if (strcmp(lang, "en") && strcmp(lang, "ja")) {
        xs__serve_quote(q, sizeof q, lang, strlen(lang));
        return xs__serve_error(r, 400, "bad_request", "lang: expected en or ja, got %s",
                               q);
    }
    long log; /* log=1: a logged decision (docs/replay.md), write scope */
    if (xs__serve_query_long(r, "log", 0, 0, 1, &log) < 0) return r->status;
    if (log && r->scope < XS_SCOPE_WRITE)
        return xs__serve_error(
            r, 403, "forbidden",
            "log=1 writes the decision to the store: it needs a key with scope"
            " write (key has %s)",
            xs_apikey_scope_name(r->scope));
    if (!m->offers)
        return xs__serve_error(r, 503, "not_available", "offer engine: %s",
                               m->offers_error);
    long c = xs_offer_engine_find(m->offers, r->params[0]);
    if (c < 0) {
        xs__serve_quote(q, sizeof q, r->params[0], strlen(r->params[0]));
        return xs__serve_error(r, 404, "not_found", "unknown customer %s", q);
    }
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    xs_decision d[XS_OFFER_MAX_CANDIDATES];
    xs_offer_record ids[XS_OFFER_MAX_CANDIDATES];
    size_t n_dec = 0;
    int n = log ? xs_offer_decide_logged(m->offers, (uint32_t)c, o, d, XS_OFFER_MAX_CANDIDATES,
                                         &n_dec)
                : xs_offer_decide(m->offers, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
    size_t n_off = 0;
    while (n_off < (size_t)(n > 0 ? n : 0) && n_off < (size_t)limit && o[n_off].rank > 0)
        n_off++;
    if (log) { /* the slots shown (limit may cut them): those are the contacts */
        int status = xs__serve_decisions_log(r, m->offers, o, d,
                                             n_dec < n_off ? n_dec : n_off, ids);
        if (status) return status;
    }
    xs__buf out = {.check_utf8 = 1};
    xs__buf_reserve(&out, 4096);
    int rc = render_offers(&out, m->offers, r->params[0], o, n_off, lang, log ? ids : NULL);
    if (rc < 0) out.err = XS_EINVAL; /* a number JSON cannot hold: answered 500 */
    xs__serve_metrics *mt = xs__serve_server_metrics(r->srv);
    for (size_t i = 0; i < n_off && !out.err && !out.bad_utf8; i++)
        if ((unsigned)o[i].kind < XS_OFFER_N_KINDS)
            atomic_fetch_add_explicit(&mt->offers[o[i].kind], 1, memory_order_relaxed);
    return xs__serve_jw_reply(r, &out, "the offers");
}

/* Contract in serve_int.h. */
int xs__serve_h_build(xs__serve_req *r)
{
    int rc = xs__serve_server_start_build(r->srv);
    if (rc == 1)
        return xs__serve_error(r, 409, "build_running", "a build is already running");
    if (rc < 0) return xs__serve_error(r, 500, "internal", "cannot start a build thread");
    xs__serve_audit(r, NULL, "build", NULL,
                    json_pack("{s:I}", "generation", (json_int_t)r->model->generation),
                    json_pack("{s:s,s:I}", "status", "building", "generation",
                              (json_int_t)r->model->generation + 1));
    return xs__serve_reply(r, 202,
                           json_pack("{s:s,s:I}", "status", "building", "generation",
                                     (json_int_t)r->model->generation + 1));
}

/* Contract in serve_int.h. Body {"outcome": "accepted|declined|ignored",
 * "at": "YYYY-MM-DD" (optional, default today UTC), "revenue_delta": number
 * or decimal string (optional)}. 200 with the recorded values; 400 bad
 * field, 404 unknown offer, 409 the offer already has its final outcome. */
int xs__serve_h_outcome(xs__serve_req *r)
{
    json_t *jo = json_object_get(r->body, "outcome");
    json_t *ja = json_object_get(r->body, "at");
    json_t *jr = json_object_get(r->body, "revenue_delta");
    char today[11], amount[64];
    const char *at = NULL, *delta = NULL;
    if (!json_is_string(jo))
        return xs__serve_error(r, 400, "bad_request",
                               "outcome: expected accepted, declined or ignored");
    if (ja && !json_is_null(ja)) {
        if (!json_is_string(ja))
            return xs__serve_error(r, 400, "bad_request",
                                   "at: expected a date YYYY-MM-DD");
        at = json_string_value(ja);
    } else {
        xs__utc_today(today);
        at = today;
    }
    if (jr && !json_is_null(jr)) {
        if (json_is_string(jr))
            delta = json_string_value(jr);
        else if (json_is_number(jr)) {
            snprintf(amount, sizeof amount, "%.10g", json_number_value(jr));
            delta = amount;
        } else
            return xs__serve_error(r, 400, "bad_request",
                                   "revenue_delta: expected an amount");
    }
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    int status = xs__serve_store_for_write(r, &st);
    if (status) return status;
    int rc =
        xs_store_offer_outcome(st, r->params[0], json_string_value(jo), at, delta, &e);
    if (rc == XS_OK) /* only a pending offer takes an outcome */
        xs__serve_audit(r, st, "offer.outcome", r->params[0],
                        json_pack("{s:s}", "outcome", "pending"),
                        json_pack("{s:s,s:s,s:s?}", "outcome", json_string_value(jo),
                                  "outcome_at", at, "revenue_delta", delta));
    xs_store_close(st);
    /* a conflict here has its own documented code (docs/api.md) */
    if (rc == XS_ECONFLICT)
        return xs__serve_error(r, 409, "outcome_final", "%s", e.message);
    if (rc == XS_EDB)
        return xs__serve_error(r, 500, "internal", "recording the outcome failed");
    if (rc < 0) return xs__serve_fail(r, rc, &e);
    json_t *out = json_pack("{s:s,s:s,s:s}", "offer_id", r->params[0], "outcome",
                            json_string_value(jo), "outcome_at", at);
    if (out && delta) json_object_set_new(out, "revenue_delta", json_string(delta));
    return xs__serve_reply(r, 200, out);
}
