/*
 * handlers_offers.c — the routes that lean on other modules' newer parts:
 * a customer's next best offers (a thin adapter over the "Offer engine"
 * section of xsell.h: decide, keep the offered ones, render them with
 * xs_offer_table so the API and `xsell recommend --format json` agree),
 * POST /v1/build (a background rebuild, swapped in by server.c), and the
 * write routes whose store write paths do not exist yet (501).
 */
#include "base/error.h"
#include "serve/serve_int.h"

#include <string.h>

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
    if (rc == 1)
        return xs__error(r, 409, "build_running", "a build is already running");
    if (rc < 0) return xs__error(r, 500, "internal", "cannot start a build thread");
    return xs__reply(r, 202,
                     json_pack("{s:s,s:I}", "status", "building", "generation",
                               (json_int_t)r->model->generation + 1));
}

/* Contract in serve_int.h. */
int xs__h_not_implemented(xs__req *r)
{
    return xs__error(r, 501, "not_implemented",
                     "%s %s needs a store write path that does not exist yet", r->method,
                     r->path);
}
