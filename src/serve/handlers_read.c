/*
 * handlers_read.c — the read routes: health, metrics, the OpenAPI document,
 * frequently bought together for an item and for a cart, association rules,
 * KPIs, one customer's scores and a page of the target list. Every handler
 * reads the request's model (immutable, see model.c) and answers JSON
 * through xs__serve_reply / xs__serve_error; nothing is rendered ahead: rules and
 * target rows are rendered per request from the model's arrays (the cart
 * and targets routes render through a table freed before they answer).
 */
#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "serve/admit.h"
#include "serve/serve_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_LIMIT 1000
#define MAX_CART 256

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void quote(char *q, size_t n, const char *s)
{
    xs__serve_quote(q, n, s, strlen(s));
}

/* Contract in serve_int.h. */
int xs__serve_h_healthz(xs__serve_req *r)
{
    const xs__serve_model *m = r->model;
    char built[32], berr[512];
    xs__utc_stamp(m->built_at, built);
    xs__serve_server_build_error(r->srv, berr, sizeof berr);
    json_t *model = json_pack(
        "{s:I,s:s,s:o,s:o,s:b,s:I,s:I,s:I,s:I,s:I}", "generation",
        (json_int_t)m->generation, "built_at", built, "age_seconds",
        xs__serve_num(now_wall() - m->built_at), "build_seconds",
        xs__serve_num(m->build_seconds), "building", xs__serve_server_building(r->srv),
        "customers",
        (json_int_t)(m->snap ? xs_snapshot_count(m->snap, XS_SNAP_CUSTOMERS) : 0),
        "products",
        (json_int_t)(m->snap ? xs_snapshot_count(m->snap, XS_SNAP_PRODUCTS) : 0),
        "orders", (json_int_t)(m->snap ? xs_snapshot_count(m->snap, XS_SNAP_ORDERS) : 0),
        "items", (json_int_t)(m->tog ? xs_together_n_items(m->tog) : 0), "rules",
        (json_int_t)(m->rules ? xs_rules_n(m->rules) : 0));
    if (model) {
        /* where the model comes from: a mapped file (its name, not its
         * path: this route needs no key, and its size) or a build in memory */
        const char *file = m->info->path ? strrchr(m->info->path, '/') : NULL;
        file = file ? file + 1 : m->info->path;
        json_object_set_new(model, "as_of",
                            m->info->as_of[0] ? json_string(m->info->as_of) : json_null());
        json_object_set_new(model, "mapped", json_boolean(m->info->mapped));
        json_object_set_new(model, "file",
                            file && xs__serve_utf8_valid(file, strlen(file))
                                ? json_string(file)
                                : json_null());
        json_object_set_new(model, "file_bytes", json_integer((json_int_t)m->info->bytes));
        json_object_set_new(model, "last_build_error", *berr ? json_string(berr) : json_null());
        json_object_set_new(model, "scores_error",
                            m->cs ? json_null() : json_string(m->cs_error));
        json_object_set_new(model, "offers_error",
                            m->offers && m->targets ? json_null() : json_string(m->offers_error));
    }
    return xs__serve_reply(r, 200,
                           json_pack("{s:s,s:s,s:o?}", "status", "ok", "version",
                                     xs_version(), "model", model));
}

/* Contract in serve_int.h. */
int xs__serve_h_metrics(xs__serve_req *r)
{
    size_t n = 0;
    const xs__serve_model *m = r->model;
    xs__serve_admit_stats adm;
    int has_adm = xs__serve_server_admit_stats(r->srv, &adm);
    char *t = xs__serve_metrics_render(
        xs__serve_server_metrics(r->srv), now_wall() - m->built_at, m->generation,
        xs__serve_server_in_flight(r->srv), has_adm ? &adm : NULL, &n);
    if (!t) return xs__serve_error(r, 500, "internal", "out of memory");
    r->text = t;
    r->n_text = n;
    r->text_type = "text/plain; version=0.0.4; charset=utf-8";
    r->status = 200;
    return 200;
}

/* Contract in serve_int.h. */
int xs__serve_h_openapi(xs__serve_req *r)
{
    r->text = xs__malloc(xs__serve_openapi_json_len ? xs__serve_openapi_json_len : 1);
    if (!r->text) return xs__serve_error(r, 500, "internal", "out of memory");
    memcpy(r->text, xs__serve_openapi_json, xs__serve_openapi_json_len);
    r->n_text = xs__serve_openapi_json_len;
    r->text_type = "application/json";
    r->status = 200;
    return 200;
}

/* ?lang= of the routes that name products: "en" (default) or "ja" into
 * *lang. Returns 0, or the 400 set on r. */
static int query_lang(xs__serve_req *r, const char **lang)
{
    *lang = xs__serve_query(r, "lang");
    if (!*lang) *lang = "en";
    if (strcmp(*lang, "en") && strcmp(*lang, "ja")) {
        char q[64];
        xs__serve_quote(q, sizeof q, *lang, strlen(*lang));
        return xs__serve_error(r, 400, "bad_request", "lang: expected en or ja, got %s",
                               q);
    }
    return 0;
}

/* The catalog's name of the product with this id in lang (the Japanese
 * name when the catalog has one), as the explanations name it; the id
 * itself for an item the catalog does not know. Borrowed from the model. */
static const char *product_name(const xs__serve_model *m, const char *id,
                                const char *lang)
{
    long p = m->offers ? xs_offer_engine_find_product(m->offers, id) : -1;
    return p >= 0 ? xs_offer_product_name(m->offers, (int32_t)p, lang) : id;
}

/* Contract in serve_int.h. Written through jsonw.c (the bytes jansson
 * would dump for {"item", "name", "measure", "items": [{"item", "name",
 * "score", "count"}]}). */
int xs__serve_h_together(xs__serve_req *r)
{
    const xs__serve_model *m = r->model;
    long limit;
    const char *lang;
    if (xs__serve_query_long(r, "limit", 10, 1, 100, &limit) < 0) return r->status;
    if (query_lang(r, &lang)) return r->status;
    uint32_t id;
    char q[300];
    if (!m->tog)
        return xs__serve_error(r, 503, "not_available",
                               "frequently bought together: not in the model");
    if (xs_together_find(m->tog, r->params[0], &id) != XS_OK) {
        quote(q, sizeof q, r->params[0]);
        return xs__serve_error(r, 404, "not_found", "unknown item %s", q);
    }
    xs_together_hit hits[100];
    int n = xs_together_item(m->tog, id, hits, (size_t)limit);
    xs__buf o = {.check_utf8 = 1};
    xs__buf_reserve(&o, 1024);
    xs__buf_adds(&o, "{\"item\":");
    xs__buf_json_cstr(&o, r->params[0]);
    xs__buf_adds(&o, ",\"name\":");
    xs__buf_json_cstr(&o, product_name(m, r->params[0], lang));
    xs__buf_adds(&o, ",\"measure\":");
    xs__buf_json_cstr(&o, xs_together_measure_name(XS_SIM_COSINE));
    xs__buf_adds(&o, ",\"items\":[");
    for (int i = 0; i < n; i++) {
        const char *item = xs_together_item_name(m->tog, hits[i].item);
        xs__buf_adds(&o, i ? ",{\"item\":" : "{\"item\":");
        xs__buf_json_cstr(&o, item);
        xs__buf_adds(&o, ",\"name\":");
        xs__buf_json_cstr(&o, product_name(m, item, lang));
        xs__buf_adds(&o, ",\"score\":");
        xs__buf_json_num(&o, hits[i].score);
        xs__buf_adds(&o, ",\"count\":");
        xs__buf_json_num(&o, hits[i].count);
        xs__buf_adds(&o, "}");
    }
    xs__buf_adds(&o, "]}\n");
    return xs__serve_jw_reply(r, &o, "the items");
}

/* Contract in serve_int.h. The cart answer of the offer engine
 * (xs_offer_cart), rendered as the rows of `xsell recommend --cart --format
 * json`: an unknown or missing customer_id is an anonymous shopper (200,
 * "anonymous": true), never a 404. */
int xs__serve_h_cart(xs__serve_req *r)
{
    const xs__serve_model *m = r->model;
    json_t *items = json_object_get(r->body, "items");
    json_t *cust = json_object_get(r->body, "customer_id");
    json_t *jl = json_object_get(r->body, "limit");
    json_t *jlang = json_object_get(r->body, "lang");
    char as_of[11];
    if (!json_is_array(items))
        return xs__serve_error(r, 400, "bad_request",
                               "items: expected an array of item ids");
    if (json_array_size(items) == 0 || json_array_size(items) > MAX_CART)
        return xs__serve_error(r, 400, "bad_request",
                               "items: expected 1 to %d item ids, got %zu", MAX_CART,
                               json_array_size(items));
    if (cust && !json_is_string(cust) && !json_is_null(cust))
        return xs__serve_error(r, 400, "bad_request", "customer_id: expected a string");
    long limit = 10;
    if (jl) {
        if (!json_is_integer(jl) || json_integer_value(jl) < 1 || json_integer_value(jl) > 100)
            return xs__serve_error(r, 400, "bad_request",
                                   "limit: expected an integer in [1, 100]");
        limit = (long)json_integer_value(jl);
    }
    const char *lang = "en";
    if (jlang && !json_is_null(jlang)) {
        if (!json_is_string(jlang) ||
            (strcmp(json_string_value(jlang), "en") && strcmp(json_string_value(jlang), "ja")))
            return xs__serve_error(r, 400, "bad_request", "lang: expected en or ja");
        lang = json_string_value(jlang);
    }
    for (size_t i = 0; i < json_array_size(items); i++)
        if (!json_is_string(json_array_get(items, i)))
            return xs__serve_error(r, 400, "bad_request", "items[%zu]: expected a string",
                                   i);
    if (!m->offers)
        return xs__serve_error(r, 503, "not_available", "offer engine: %s",
                               m->offers_error);
    uint32_t cart[MAX_CART];
    size_t n_cart = 0;
    json_t *unknown = json_array();
    if (!unknown) return xs__serve_error(r, 500, "internal", "out of memory");
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        long p = xs_offer_engine_find_product(m->offers, json_string_value(it));
        if (p >= 0)
            cart[n_cart++] = (uint32_t)p;
        else
            json_array_append(unknown, it);
    }
    const char *cid = json_is_string(cust) ? json_string_value(cust) : NULL;
    int anonymous = !cid || xs_offer_engine_find(m->offers, cid) < 0;
    xs_offer o[100];
    int n = xs_offer_cart(m->offers, cid, cart, n_cart, o, (size_t)limit);
    xs_table *t = xs_table_new();
    json_t *rows = NULL;
    if (n >= 0 && t && xs_offer_cart_table_columns(t) == XS_OK &&
        xs_offer_cart_table(m->offers, o, (size_t)n, lang, t) == XS_OK)
        rows = xs__serve_table_json(t);
    xs_table_free(t);
    if (!rows) {
        json_decref(unknown);
        return xs__serve_error(r, 500, "internal", "cannot render the cart answer");
    }
    return xs__serve_reply(r, 200,
                           json_pack("{s:O?,s:b,s:s,s:o,s:o}", "customer_id",
                                     cid ? cust : NULL, "anonymous", anonymous, "as_of",
                                     xs_offer_engine_as_of(m->offers, as_of), "items",
                                     rows, "unknown_items", unknown));
}

/* 1 when one of the n items is named s. */
static int has_name(const xs_baskets *b, const uint32_t *items, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(xs_baskets_item_name(b, items[i]), s)) return 1;
    return 0;
}

/* Names of a list of items as a JSON array: their ids, or with lang the
 * catalog's names (product_name). */
static json_t *item_names(const xs__serve_model *m, const uint32_t *items, size_t n,
                          const char *lang)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        const char *id = xs_baskets_item_name(m->baskets, items[i]);
        if (json_array_append_new(a, json_string(lang ? product_name(m, id, lang) : id)) <
            0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* One rule as a JSON object, its items by id and by name in lang; NULL
 * when out of memory. */
static json_t *rule_json(const xs__serve_model *m, const xs_rule *x, const char *lang)
{
    json_t *lhs = item_names(m, x->lhs, x->n_lhs, NULL);
    json_t *rhs = item_names(m, x->rhs, x->n_rhs, NULL);
    json_t *lhs_n = item_names(m, x->lhs, x->n_lhs, lang);
    json_t *rhs_n = item_names(m, x->rhs, x->n_rhs, lang);
    return json_pack(
        "{s:o?,s:o?,s:o?,s:o?,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "lhs", lhs, "rhs", rhs,
        "lhs_names", lhs_n, "rhs_names", rhs_n, "count", (json_int_t)x->count, "support",
        xs__serve_num(x->support), "confidence", xs__serve_num(x->confidence), "coverage",
        xs__serve_num(x->coverage), "lift", xs__serve_num(x->lift), "leverage",
        xs__serve_num(x->leverage), "conviction", xs__serve_num(x->conviction));
}

/* Contract in serve_int.h. The model's rules in their order, filtered by
 * item names, rendered per request (at most the model's rules, 2000). */
int xs__serve_h_rules(xs__serve_req *r)
{
    const xs__serve_model *m = r->model;
    long limit;
    if (xs__serve_query_long(r, "limit", 20, 1, MAX_LIMIT, &limit) < 0) return r->status;
    const char *lang;
    if (query_lang(r, &lang)) return r->status;
    const char *rhs = xs__serve_query(r, "rhs");
    const char *lhs = xs__serve_query(r, "lhs");
    if (!m->rules || !m->baskets)
        return xs__serve_error(r, 503, "not_available", "rules: not in the model");
    json_t *out = json_array();
    if (!out) return xs__serve_error(r, 500, "internal", "out of memory");
    size_t n = xs_rules_n(m->rules);
    for (size_t i = 0; i < n && json_array_size(out) < (size_t)limit; i++) {
        xs_rule x;
        xs_rules_get(m->rules, i, &x);
        if (rhs && !has_name(m->baskets, x.rhs, x.n_rhs, rhs)) continue;
        if (lhs && !has_name(m->baskets, x.lhs, x.n_lhs, lhs)) continue;
        if (json_array_append_new(out, rule_json(m, &x, lang)) < 0) {
            json_decref(out);
            return xs__serve_error(r, 500, "internal", "out of memory");
        }
    }
    return xs__serve_reply(r, 200,
                           json_pack("{s:I,s:I,s:o}", "baskets",
                                     (json_int_t)xs_baskets_n_tx(m->baskets), "total",
                                     (json_int_t)n, "rules", out));
}

/* Contract in serve_int.h. */
int xs__serve_h_kpi(xs__serve_req *r)
{
    const xs__serve_model *m = r->model;
    xs_kpi_opts o = {0};
    const char *period = xs__serve_query(r, "period"), *by = xs__serve_query(r, "by");
    char q[128];
    if (period && xs_kpi_period_parse(period, &o.period) < 0) {
        quote(q, sizeof q, period);
        return xs__serve_error(r, 400, "bad_request",
                               "period: expected month, quarter or year, got %s", q);
    }
    if (by && xs_kpi_by_parse(by, &o.by) < 0) {
        quote(q, sizeof q, by);
        return xs__serve_error(
            r, 400, "bad_request",
            "by: expected segment, industry, size, channel, kind or product,"
            " got %s",
            q);
    }
    o.from = xs__serve_query(r, "from");
    o.to = xs__serve_query(r, "to");
    xs_kpi_result *res = NULL;
    xs_error e = {0};
    int rc = xs_kpi_compute(m->snap, &o, &res, &e);
    if (rc < 0) {
        /* ERANGE too (more periods than a report holds) is the client's */
        return xs__serve_fail(r, rc, &e);
    }
    xs_table *t = xs_table_new();
    json_t *rows = NULL;
    if (t && xs_kpi_result_table(res, t) == XS_OK) rows = xs__serve_table_json(t);
    xs_table_free(t);
    xs_kpi_result_free(res);
    if (!rows) return xs__serve_error(r, 500, "internal", "cannot render the KPI table");
    return xs__serve_reply(r, 200,
                           json_pack("{s:s,s:s?,s:o}", "period",
                                     o.period == XS_KPI_MONTH     ? "month"
                                     : o.period == XS_KPI_QUARTER ? "quarter"
                                                                  : "year",
                                     "by", o.by ? xs_kpi_by_name(o.by) : NULL, "rows",
                                     rows));
}

/* Contract in serve_int.h. */
int xs__serve_h_customer(xs__serve_req *r)
{
    const xs__serve_model *m = r->model;
    char q[300], as_of[11];
    if (!m->cs)
        return xs__serve_error(r, 503, "not_available", "customer scores: %s",
                               m->cs_error);
    long i = xs_customer_scores_find(m->cs, r->params[0]);
    if (i < 0) {
        quote(q, sizeof q, r->params[0]);
        return xs__serve_error(r, 404, "not_found", "unknown customer %s", q);
    }
    xs_customer_row c;
    xs_customer_scores_get(m->cs, (size_t)i, &c);
    /* written through jsonw.c, in the order the jansson tree of earlier
     * versions had: the fields, then segment, then uplift */
    xs__buf o = {.check_utf8 = 1};
    xs__buf_reserve(&o, 2048);
    xs__buf_adds(&o, "{\"customer_id\":");
    xs__buf_json_cstr(&o, c.id);
    xs__buf_adds(&o, ",\"as_of\":");
    xs__buf_json_cstr(&o, xs_customer_scores_as_of(m->cs, as_of));
    xs__buf_adds(&o, ",\"health\":");
    xs__buf_json_num(&o, c.health);
    xs__buf_adds(&o, ",\"components\":{");
    for (int p = 0; p < XS_HEALTH_N_PARTS; p++) {
        if (p) xs__buf_adds(&o, ",");
        xs__buf_json_cstr(&o, xs_health_part_name((xs_health_part)p));
        xs__buf_adds(&o, ":{\"raw\":");
        xs__buf_json_num(&o, c.raw[p]);
        xs__buf_adds(&o, ",\"score\":");
        xs__buf_json_num(&o, c.score[p]);
        xs__buf_adds(&o, ",\"weight\":");
        xs__buf_json_num(&o, c.weight[p]);
        xs__buf_adds(&o, "}");
    }
    xs__buf_adds(&o, c.open_critical ? "},\"open_critical\":true"
                                     : "},\"open_critical\":false");
    xs__buf_adds(&o, c.cancel_request ? ",\"cancel_request\":true"
                                      : ",\"cancel_request\":false");
    xs__buf_adds(&o, c.active ? ",\"active\":true" : ",\"active\":false");
    xs__buf_adds(&o, ",\"rfm\":{\"r\":");
    xs__buf_int(&o, c.rfm_r);
    xs__buf_adds(&o, ",\"f\":");
    xs__buf_int(&o, c.rfm_f);
    xs__buf_adds(&o, ",\"m\":");
    xs__buf_int(&o, c.rfm_m);
    static const char *const names[] = {"recency_days", "frequency", "monetary", "mrr", "ltv",
                                        "clv",          "p_alive",   "churn_risk", "aov"};
    const double vals[] = {c.recency_days, c.frequency, c.monetary, c.mrr,       c.ltv,
                           c.clv,          c.p_alive,   c.churn_risk, c.aov};
    xs__buf_adds(&o, "}");
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        xs__buf_adds(&o, ",\"");
        xs__buf_adds(&o, names[k]);
        xs__buf_adds(&o, "\":");
        xs__buf_json_num(&o, vals[k]);
    }
    xs__buf_adds(&o, ",\"segment\":");
    xs__buf_json_cstr(&o, xs_segment_name(c.segment));
    /* the predicted uplift per offer kind (docs/offers.md "Uplift"): null
     * where the kind is valued by P(accept) */
    long ci = m->offers ? xs_offer_engine_find(m->offers, c.id) : -1;
    xs__buf_adds(&o, ",\"uplift\":{");
    for (int k = 0; k < XS_OFFER_N_KINDS; k++) {
        double v = ci < 0 ? NAN
                          : xs_offer_engine_customer_uplift(m->offers, (uint32_t)ci,
                                                            (xs_offer_kind)k,
                                                            k == XS_OFFER_DOWNSELL);
        if (k) xs__buf_adds(&o, ",");
        xs__buf_json_cstr(&o, xs_offer_kind_key((xs_offer_kind)k));
        xs__buf_adds(&o, ":");
        xs__buf_json_num(&o, v);
    }
    xs__buf_adds(&o, "}}\n");
    return xs__serve_jw_reply(r, &o, "the customer");
}

/* Contract in serve_int.h. A page of the model's ranked target list
 * (?offset=, ?limit=): only its rows are rendered. */
int xs__serve_h_targets(xs__serve_req *r)
{
    const xs__serve_model *m = r->model;
    long limit, offset;
    if (xs__serve_query_long(r, "limit", 50, 1, 100000, &limit) < 0) return r->status;
    if (xs__serve_query_long(r, "offset", 0, 0, 1L << 31, &offset) < 0) return r->status;
    const char *lang;
    if (query_lang(r, &lang)) return r->status;
    if (!m->offers || !m->targets)
        return xs__serve_error(r, 503, "not_available", "target list: %s",
                               m->offers_error);
    size_t n = m->n_targets;
    xs_table *t = xs_table_new();
    json_t *rows = NULL;
    if (t && (size_t)offset >= n)
        rows = json_array();
    else if (t && xs_offer_targets_page(m->offers, m->targets, n, (size_t)offset,
                                        (size_t)limit, t) == XS_OK)
        rows = xs__serve_table_json(t);
    xs_table_free(t);
    if (!rows)
        return xs__serve_error(r, 500, "internal", "cannot render the target list");
    /* the top offer's product by name, in the language asked */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const xs_target *x = &m->targets[(size_t)offset + i];
        json_object_set_new(row, "top_product_name",
                            json_string(xs_offer_product_name(m->offers, x->top_product, lang)));
    }
    return xs__serve_reply(r, 200,
                           json_pack("{s:I,s:I,s:o}", "total", (json_int_t)n, "offset",
                                     (json_int_t)offset, "targets", rows));
}
