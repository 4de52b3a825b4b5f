/*
 * model.c — the server's model: one read of the store turned into everything
 * the read routes answer from (snapshot, frequently-bought-together model,
 * association rules, customer scores, offer engine, target list), built once
 * and never changed afterwards. POST /v1/build builds a new one on a
 * background thread and server.c swaps the pointer; requests that hold the
 * old one keep it until they complete (reference counting), so a swap never
 * makes a request fail or wait.
 */
#include "base/alloc.h"
#include "base/error.h"
#include "serve/serve_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TOGETHER_TOP_K 50
#define MAX_RULES 2000

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Names of a list of items as a JSON array. */
static json_t *item_names(const xs_baskets *b, const uint32_t *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(xs_baskets_item_name(b, items[i]))) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* Mines the rules over the order baskets and renders them as JSON. */
static int build_rules(xs__model *m, xs_error *err)
{
    xs_rule_opts o;
    xs_rule_opts_init(&o);
    size_t n_tx = xs_baskets_n_tx(m->baskets);
    o.mine.min_count = xs_min_count(0.001, n_tx);
    if (o.mine.min_count < 2) o.mine.min_count = 2;
    o.mine.max_len = 3;
    o.min_confidence = 0.05;
    o.max_rules = MAX_RULES;
    int rc = xs_rules_mine(&m->rules, m->baskets, &o, err);
    if (rc < 0) return rc;
    m->rules_json = json_array();
    if (!m->rules_json) goto nomem;
    for (size_t i = 0; i < xs_rules_n(m->rules); i++) {
        xs_rule x;
        xs_rules_get(m->rules, i, &x);
        json_t *lhs = item_names(m->baskets, x.lhs, x.n_lhs);
        json_t *rhs = item_names(m->baskets, x.rhs, x.n_rhs);
        json_t *o1 = json_pack("{s:o?,s:o?,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "lhs", lhs, "rhs",
                               rhs, "count", (json_int_t)x.count, "support",
                               xs__num(x.support), "confidence", xs__num(x.confidence),
                               "coverage", xs__num(x.coverage), "lift", xs__num(x.lift),
                               "leverage", xs__num(x.leverage), "conviction",
                               xs__num(x.conviction));
        if (!o1 || json_array_append_new(m->rules_json, o1) < 0) goto nomem;
    }
    return XS_OK;
nomem:
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* The offer engine: the store's build (xs_offer_engine_open: its stored
 * propensity model when it is of the same day, and the store's holdout
 * experiments), or, for a store never built, one fitted here with the
 * experiments set. */
static int open_engine(xs__model *m, xs_store *st, const xs_experiment *exp, size_t n_exp,
                       xs_error *e)
{
    char day[11], built[21];
    char *text = NULL;
    int rc = xs_store_build_get(st, day, built, &text, e);
    xs_store_build_free(text);
    if (rc < 0) return rc;
    if (rc == 1) return xs_offer_engine_open(st, m->snap, NULL, NULL, &m->offers, e);
    rc = xs_offer_engine_new(m->snap, NULL, NULL, &m->offers, e);
    if (rc == XS_OK) rc = xs_offer_engine_set_experiments(m->offers, exp, n_exp, e);
    return rc;
}

/* Scores, offer engine, targets, guardrail totals and experiment reports:
 * each may fail on its own (an empty store has no customers to score)
 * without failing the model. */
static void build_customers(xs__model *m, xs_store *st)
{
    xs_error e = {0};
    char msg[1024];
    xs_health_config c;
    xs_health_config_init(&c);
    if (xs_customer_scores_compute(m->snap, &c, NULL, &m->cs, &e) < 0) {
        m->cs = NULL;
        snprintf(m->cs_error, sizeof m->cs_error, "%s", xs_error_format(&e, msg, sizeof msg));
    }
    memset(&e, 0, sizeof e);
    xs_experiment *exp = NULL;
    long n_exp = xs_store_experiments(st, &exp, &e);
    if (n_exp >= 0) m->experiments = xs__experiments_json(m->snap, exp, (size_t)n_exp);
    if (n_exp < 0 || open_engine(m, st, exp, (size_t)n_exp, &e) < 0) {
        xs_store_experiments_free(exp);
        xs_offer_engine_free(m->offers);
        m->offers = NULL;
        snprintf(m->offers_error, sizeof m->offers_error, "%s",
                 xs_error_format(&e, msg, sizeof msg));
        return;
    }
    xs_store_experiments_free(exp);
    /* one pass over every customer gives the target list and the totals */
    xs_table *t = xs_table_new();
    if (t && xs_offer_targets(m->offers, 2, 0, t, &m->summary) == XS_OK) {
        m->has_summary = 1;
        m->targets = xs__table_json(t);
    }
    xs_table_free(t);
    if (!m->targets)
        snprintf(m->offers_error, sizeof m->offers_error, "target list: out of memory");
}

/* Contract in serve_int.h. */
int xs__model_build(const char *db, unsigned long generation, xs__model **out,
                    xs_error *err)
{
    double t0 = now_wall();
    xs_store *st = NULL;
    xs__model *m = xs__calloc(1, sizeof *m);
    int rc;
    if (!m) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    atomic_init(&m->refs, 1);
    m->generation = generation;
    if ((rc = xs_store_open(&st, db, err)) < 0) goto cleanup;
    if ((rc = xs_snapshot_load(st, &m->snap, err)) < 0) goto cleanup;
    if ((rc = xs_baskets_from_store(st, XS_SOURCE_ORDERS, &m->baskets, err)) < 0)
        goto cleanup;
    xs_together_opts to = {.measure = XS_SIM_COSINE, .top_k = TOGETHER_TOP_K};
    if ((rc = xs_together_build(m->baskets, &to, &m->tog, err)) < 0) goto cleanup;
    if ((rc = build_rules(m, err)) < 0) goto cleanup;
    build_customers(m, st);
    xs_store_close(st);
    st = NULL;
    m->built_at = now_wall();
    m->build_seconds = m->built_at - t0;
    *out = m;
    return XS_OK;
cleanup:
    xs_store_close(st);
    xs__model_release(m);
    return rc;
}

/* Contract in serve_int.h. */
void xs__model_retain(xs__model *m)
{
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
}

/* Contract in serve_int.h. */
void xs__model_release(xs__model *m)
{
    if (!m || atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) != 1) return;
    json_decref(m->targets);
    json_decref(m->experiments);
    xs_offer_engine_free(m->offers);
    xs_customer_scores_free(m->cs);
    json_decref(m->rules_json);
    xs_rules_free(m->rules);
    xs_together_free(m->tog);
    xs_baskets_free(m->baskets);
    xs_snapshot_free(m->snap);
    xs__free(m);
}
