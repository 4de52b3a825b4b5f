/*
 * handlers_offers.c — the routes that lean on other modules' newer parts:
 * a customer's next best offers (a thin adapter over the "Offer engine"
 * section of xsell.h: decide, keep the offered ones, render them with
 * xs_offer_table so the API and `xsell recommend --format json` agree),
 * POST /v1/build (a background rebuild, swapped in by server.c), POST
 * /v1/offers/{id}/outcome (the store write path of `xsell outcome`,
 * xs_store_offer_outcome).
 */
#include "base/error.h"
#include "serve/serve_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Contract in serve_int.h. */
int xs__h_offers(xs__req *r)
{
    const xs__model *m = r->model;
    long limit;
    char q[300];
    if (xs__query_long(r, "limit", 10, 1, XS_OFFER_MAX_CANDIDATES, &limit) < 0)
        return r->status;
    const char *lang = xs__query(r, "lang");
    if (!lang) lang = "en";
    if (strcmp(lang, "en") && strcmp(lang, "ja")) {
        xs__error_quote(q, sizeof q, lang, strlen(lang));
        return xs__error(r, 400, "bad_request", "lang: expected en or ja, got %s", q);
    }
    if (!m->offers)
        return xs__error(r, 503, "not_available", "offer engine: %s", m->offers_error);
    long c = xs_offer_engine_find(m->offers, r->params[0]);
    if (c < 0) {
        xs__error_quote(q, sizeof q, r->params[0], strlen(r->params[0]));
        return xs__error(r, 404, "not_found", "unknown customer %s", q);
    }
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    int n = xs_offer_decide(m->offers, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
    size_t n_off = 0;
    while (n_off < (size_t)(n > 0 ? n : 0) && n_off < (size_t)limit && o[n_off].rank > 0)
        n_off++;
    xs_table *t = xs_table_new();
    json_t *rows = NULL;
    if (t && xs_offer_table_columns(t) == XS_OK &&
        xs_offer_table(m->offers, o, n_off, lang, 0, t) == XS_OK)
        rows = xs__table_json(t);
    xs_table_free(t);
    if (!rows) return xs__error(r, 500, "internal", "cannot render the offers");
    xs__metrics *mt = xs__server_metrics(r->srv);
    for (size_t i = 0; i < n_off; i++)
        if ((unsigned)o[i].kind < XS_OFFER_N_KINDS)
            atomic_fetch_add_explicit(&mt->offers[o[i].kind], 1, memory_order_relaxed);
    char as_of[11];
    return xs__reply(r, 200,
                     json_pack("{s:s,s:s,s:s,s:o}", "customer_id", r->params[0], "as_of",
                               xs_offer_engine_as_of(m->offers, as_of), "lang", lang,
                               "offers", rows));
}

/* Contract in serve_int.h. */
int xs__h_build(xs__req *r)
{
    int rc = xs__server_start_build(r->srv);
    if (rc == 1) return xs__error(r, 409, "build_running", "a build is already running");
    if (rc < 0) return xs__error(r, 500, "internal", "cannot start a build thread");
    return xs__reply(r, 202,
                     json_pack("{s:s,s:I}", "status", "building", "generation",
                               (json_int_t)r->model->generation + 1));
}

/* Contract in serve_int.h. Body {"outcome": "accepted|declined|ignored",
 * "at": "YYYY-MM-DD" (optional, default today UTC), "revenue_delta": number
 * or decimal string (optional)}. 200 with the recorded values; 400 bad
 * field, 404 unknown offer, 409 the offer already has its final outcome. */
int xs__h_outcome(xs__req *r)
{
    json_t *jo = json_object_get(r->body, "outcome");
    json_t *ja = json_object_get(r->body, "at");
    json_t *jr = json_object_get(r->body, "revenue_delta");
    char today[11], amount[64];
    const char *at = NULL, *delta = NULL;
    if (!json_is_string(jo))
        return xs__error(r, 400, "bad_request",
                         "outcome: expected accepted, declined or ignored");
    if (ja && !json_is_null(ja)) {
        if (!json_is_string(ja))
            return xs__error(r, 400, "bad_request", "at: expected a date YYYY-MM-DD");
        at = json_string_value(ja);
    } else {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        at = today;
    }
    if (jr && !json_is_null(jr)) {
        if (json_is_string(jr))
            delta = json_string_value(jr);
        else if (json_is_number(jr)) {
            snprintf(amount, sizeof amount, "%.10g", json_number_value(jr));
            delta = amount;
        } else
            return xs__error(r, 400, "bad_request", "revenue_delta: expected an amount");
    }
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = xs_store_open(&st, xs__server_db(r->srv), &e);
    if (rc == XS_OK)
        rc = xs_store_offer_outcome(st, r->params[0], json_string_value(jo), at, delta,
                                    &e);
    xs_store_close(st);
    if (rc == XS_ENOTFOUND) return xs__error(r, 404, "not_found", "%s", e.message);
    if (rc == XS_EINVAL && !strcmp(e.column, "--offer"))
        return xs__error(r, 409, "outcome_final", "%s", e.message);
    if (rc == XS_EINVAL) {
        /* name the JSON field, not the CLI option */
        const char *f = !strcmp(e.column, "--at")              ? "at"
                        : !strcmp(e.column, "--revenue-delta") ? "revenue_delta"
                                                               : e.column;
        return xs__error(r, 400, "bad_request", "%s: %s", f, e.message);
    }
    if (rc < 0) return xs__error(r, 500, "internal", "recording the outcome failed");
    json_t *out = json_pack("{s:s,s:s,s:s}", "offer_id", r->params[0], "outcome",
                            json_string_value(jo), "outcome_at", at);
    if (out && delta) json_object_set_new(out, "revenue_delta", json_string(delta));
    return xs__reply(r, 200, out);
}
