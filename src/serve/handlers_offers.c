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
 * again. The writer below prints the very same bytes in one pass: jansson's
 * compact separators, its string escaping and its reals (the table's
 * "%.2f" / "%.4f" text read back as a double and printed with "%.17g").
 * tests/unit/test_serve_http.c compares the result with
 * `xsell recommend --format json`. */

typedef struct {
    char *b;
    size_t n, cap;
    int oom;
    int bad_utf8; /* a string jansson would have refused: the old path's 500 */
} obuf;

/* Length of the valid UTF-8 sequence at p (as jansson accepts it: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Makes room for `more` bytes (plus a NUL). Returns 0 or -1 (oom set). */
static int reserve(obuf *o, size_t more)
{
    if (o->oom) return -1;
    if (o->n + more + 1 <= o->cap) return 0;
    if (xs__grow(&o->b, &o->cap, o->n + more + 1, 1) < 0) {
        o->oom = 1;
        return -1;
    }
    return 0;
}

static void put_mem(obuf *o, const char *s, size_t n)
{
    if (reserve(o, n) < 0) return;
    memcpy(o->b + o->n, s, n);
    o->n += n;
}

static void put_str(obuf *o, const char *s) { put_mem(o, s, strlen(s)); }

/* A JSON string as jansson dumps it (no JSON_ENSURE_ASCII, no slash
 * escaping; other control characters as \uXXXX, upper-case hex). */
static void put_json_str(obuf *o, const char *s)
{
    size_t len = strlen(s);
    if (reserve(o, len * 6 + 2) < 0) return;
    char *w = o->b + o->n;
    *w++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char ch = *p;
        if (ch >= 0x80) {
            size_t k = utf8_len(p);
            if (!k) {
                o->bad_utf8 = 1;
                k = 1;
            }
            memcpy(w, p, k);
            w += k;
            p += k - 1;
            continue;
        }
        if (ch >= 0x20 && ch != '"' && ch != '\\') {
            *w++ = (char)ch;
            continue;
        }
        *w++ = '\\';
        switch (ch) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '\b': *w++ = 'b'; break;
        case '\f': *w++ = 'f'; break;
        case '\n': *w++ = 'n'; break;
        case '\r': *w++ = 'r'; break;
        case '\t': *w++ = 't'; break;
        default: {
            static const char hex[] = "0123456789ABCDEF";
            *w++ = 'u';
            *w++ = '0';
            *w++ = '0';
            *w++ = hex[ch >> 4];
            *w++ = hex[ch & 15];
        }
        }
    }
    *w++ = '"';
    o->n = (size_t)(w - o->b);
}

/* A JSON string or null. */
static void put_json_str_or_null(obuf *o, const char *s)
{
    if (s) put_json_str(o, s);
    else put_mem(o, "null", 4);
}

/* A number cell: the table's text "%.<decimals>f" of v, read back by jansson as a real
 * and dumped by it ("%.17g", ".0" when it would read as an integer, no '+'
 * nor leading zeros in the exponent). Returns 0, or -1 when the table text
 * would not have been valid JSON (NaN, infinities). */
static int put_real(obuf *o, int decimals, double v)
{
    char t[512], d[64];
    if (!isfinite(v)) return -1;
    snprintf(t, sizeof t, "%.*f", decimals, v);
    int n = snprintf(d, sizeof d - 2, "%.17g", strtod(t, NULL));
    if (n < 0 || (size_t)n >= sizeof d - 2) return -1;
    char *e = strchr(d, 'e');
    if (!e && !strchr(d, '.')) {
        memcpy(d + n, ".0", 3);
        n += 2;
    } else if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-') start++;
        while (*end == '0') end++;
        if (end != start) {
            memmove(start, end, strlen(end) + 1);
            n = (int)strlen(d);
        }
    }
    put_mem(o, d, (size_t)n);
    return 0;
}

/* Product column of xs_offer_table(), from the offer module's own text. */
static void put_product(obuf *o, const xs_offer_engine *en, const xs_offer *x)
{
    char b[512];
    put_json_str(o, xs__offer_product_text(en, x, b, sizeof b));
}

/* Writes the whole offers body (with the final newline) into o. Returns
 * XS_OK or XS_EINVAL (a number JSON cannot hold); o->oom on no memory. */
static int render_offers(obuf *o, const xs_offer_engine *en, const char *cust,
                         const xs_offer *off, size_t n, const char *lang,
                         const xs_offer_record *ids)
{
    char as_of[11], day[11], num[16], text[1024], ev[1024];
    put_str(o, "{\"customer_id\":");
    put_json_str(o, cust);
    put_str(o, ",\"as_of\":");
    put_json_str(o, xs_offer_engine_as_of(en, as_of));
    put_str(o, ",\"lang\":");
    put_json_str(o, lang);
    put_str(o, ",\"offers\":[");
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        const xs_offer *x = &off[i];
        if (x->guard != XS_GUARD_NONE) continue; /* as xs_offer_table(.., 0, ..) */
        if (x->timing > en->as_of)
            xs__date_format(x->timing, day);
        else
            strcpy(day, "now");
        put_str(o, first ? "{\"customer_id\":" : ",{\"customer_id\":");
        first = 0;
        put_json_str(o, xs__intern_str(&en->s->cust.ids, x->customer));
        put_str(o, ",\"rank\":");
        if (x->rank) {
            snprintf(num, sizeof num, "%d", x->rank);
            put_str(o, num);
        } else {
            put_str(o, "null");
        }
        put_str(o, ",\"kind\":");
        put_json_str(o, xs_offer_kind_name(x->kind));
        put_str(o, ",\"trigger\":");
        put_json_str(o, xs_offer_trigger_name(x->trigger));
        put_str(o, ",\"product\":");
        put_product(o, en, x);
        put_str(o, ",\"product_name\":"); /* the same by name, in lang */
        put_json_str(o, xs__offer_product_label(en, x, lang, text, sizeof text));
        put_str(o, ",\"expected_value\":");
        if (put_real(o, 2, x->ev) < 0) return XS_EINVAL;
        put_str(o, ",\"probability\":");
        if (put_real(o, 4, x->p_accept) < 0) return XS_EINVAL;
        /* what expected_value is based on (docs/offers.md "Uplift") */
        put_str(o, ",\"value_basis\":");
        put_json_str(o, xs_offer_value_basis_name(x->value_basis));
        put_str(o, ",\"uplift\":");
        if (x->value_basis != XS_VALUE_UPLIFT)
            put_str(o, "null");
        else if (put_real(o, 4, x->uplift) < 0)
            return XS_EINVAL;
        put_str(o, ",\"revenue_delta\":");
        if (put_real(o, 2, x->revenue_delta) < 0) return XS_EINVAL;
        put_str(o, ",\"channel\":");
        put_json_str_or_null(o, x->channel >= 0 ? xs_offer_channel_name(x->channel) : NULL);
        put_str(o, ",\"timing\":");
        put_json_str(o, day);
        put_str(o, ",\"explanation\":");
        put_json_str_or_null(o, xs_offer_explain(en, x, lang, text, sizeof text));
        put_str(o, ",\"evidence\":");
        put_json_str_or_null(o, xs_offer_evidence(en, x, ev, sizeof ev));
        put_str(o, ",\"suppressed_by\":");
        put_json_str_or_null(o, x->guard ? xs_offer_guard_name(x->guard) : NULL);
        if (ids) { /* log=1: the logged offer's id and its propensity */
            put_str(o, ",\"offer_id\":");
            put_json_str(o, ids[x->rank - 1].offer_id);
            put_str(o, ",\"propensity\":");
            if (put_real(o, 4, x->propensity) < 0) return XS_EINVAL;
        }
        put_str(o, "}");
    }
    put_str(o, "]}\n");
    return XS_OK;
}

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
        xs__quote(q, sizeof q, lang, strlen(lang));
        return xs__error(r, 400, "bad_request", "lang: expected en or ja, got %s", q);
    }
    long log; /* log=1: a logged decision (docs/replay.md), write scope */
    if (xs__query_long(r, "log", 0, 0, 1, &log) < 0) return r->status;
    if (log && r->scope < XS_SCOPE_WRITE)
        return xs__error(r, 403, "forbidden",
                         "log=1 writes the decision to the store: it needs a key with scope"
                         " write (key has %s)",
                         xs_apikey_scope_name(r->scope));
    if (!m->offers)
        return xs__error(r, 503, "not_available", "offer engine: %s", m->offers_error);
    long c = xs_offer_engine_find(m->offers, r->params[0]);
    if (c < 0) {
        xs__quote(q, sizeof q, r->params[0], strlen(r->params[0]));
        return xs__error(r, 404, "not_found", "unknown customer %s", q);
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
        int status = xs__decisions_log(r, m->offers, o, d, n_dec < n_off ? n_dec : n_off, ids);
        if (status) return status;
    }
    obuf out = {NULL, 0, 0, 0, 0};
    reserve(&out, 4096);
    int rc = render_offers(&out, m->offers, r->params[0], o, n_off, lang, log ? ids : NULL);
    if (rc < 0 || out.oom || out.bad_utf8) {
        xs__free(out.b);
        return xs__error(r, 500, "internal", "cannot render the offers");
    }
    xs__metrics *mt = xs__server_metrics(r->srv);
    for (size_t i = 0; i < n_off; i++)
        if ((unsigned)o[i].kind < XS_OFFER_N_KINDS)
            atomic_fetch_add_explicit(&mt->offers[o[i].kind], 1, memory_order_relaxed);
    json_decref(r->out);
    r->out = NULL;
    xs__free(r->text);
    r->text = out.b;
    r->n_text = out.n;
    r->text_type = "application/json";
    r->status = 200;
    return 200;
}

/* Contract in serve_int.h. */
int xs__h_build(xs__req *r)
{
    int rc = xs__server_start_build(r->srv);
    if (rc == 1) return xs__error(r, 409, "build_running", "a build is already running");
    if (rc < 0) return xs__error(r, 500, "internal", "cannot start a build thread");
    xs__audit(r, NULL, "build", NULL,
              json_pack("{s:I}", "generation", (json_int_t)r->model->generation),
              json_pack("{s:s,s:I}", "status", "building", "generation",
                        (json_int_t)r->model->generation + 1));
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
            return xs__error(r, 400, "bad_request", "revenue_delta: expected an amount");
    }
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    int status = xs__store_for_write(r, &st);
    if (status) return status;
    int rc =
        xs_store_offer_outcome(st, r->params[0], json_string_value(jo), at, delta, &e);
    if (rc == XS_OK) /* only a pending offer takes an outcome */
        xs__audit(r, st, "offer.outcome", r->params[0],
                  json_pack("{s:s}", "outcome", "pending"),
                  json_pack("{s:s,s:s,s:s?}", "outcome", json_string_value(jo),
                            "outcome_at", at, "revenue_delta", delta));
    xs_store_close(st);
    /* a conflict here has its own documented code (docs/api.md) */
    if (rc == XS_ECONFLICT) return xs__error(r, 409, "outcome_final", "%s", e.message);
    if (rc == XS_EDB)
        return xs__error(r, 500, "internal", "recording the outcome failed");
    if (rc < 0) return xs__serve_fail(r, rc, &e);
    json_t *out = json_pack("{s:s,s:s,s:s}", "offer_id", r->params[0], "outcome",
                            json_string_value(jo), "outcome_at", at);
    if (out && delta) json_object_set_new(out, "revenue_delta", json_string(delta));
    return xs__reply(r, 200, out);
}
