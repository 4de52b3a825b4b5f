/*
 * test_engine_io.c — the engine files (src/offer/engine_io.c, rank_io.c,
 * src/score/scores_io.c, src/mine/mine_io.c, rank_io.c): on a store
 * generated here (3,000 customers with orders, subscriptions, usage,
 * events, offers and a 60-day holdout experiment per offer kind) the offer
 * engine (propensity model, experiments and uplift predictions, the
 * store-history churn model, given churn risks for part of the customers,
 * the personal ranking), the customer scores (with CLV and churn risk),
 * the order baskets, the frequently-bought-together model and the rules
 * are saved into one model file and mapped back. Checked: every
 * customer's decision rendered field by field with its explanations (en,
 * ja) and evidence, logged decisions, cart decisions, the target list and
 * guardrail totals, the uplift table, every customer's score row and the
 * scores table, every together neighbour list and cart query, every rule,
 * the baskets byte for byte; a mapped engine taking new experiments. The
 * same round trip on the hand-made stores of the offer tests (with and
 * without orders, subscriptions, usage), with a churn model attached to
 * the build, and for the personal ranking alone (with and without its item
 * model). The exact errors of a model without these sections
 * (XS_ENOTFOUND), of a section of the wrong size (XS_EPARSE, named), of a
 * ranking mapped on another snapshot; every allocation of a save and a map
 * failed in turn (XS_ENOMEM, nothing leaked).
 */
#include "xsell.h"

#include "base/alloc.h"
#include "base/mfile.h"
#include "mine/baskets.h"
#include "mine/mine_io.h"
#include "offer/engine_io.h"
#include "offer/offer_int.h"
#include "score/scores_io.h"
#include "snapshot/snapshot.h"
#include "store_fixture.h"
#include "test.h"

#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>

#define N_CUST 3000
#define HOLDOUT_DAYS 60

static char dir[64];
static xs_snapshot *snap;
static xs_experiment exps[XS_OFFER_N_KINDS];

/* ---------------------------------------------------------------------- */
/* The generated store                                                    */
/* ---------------------------------------------------------------------- */

static void fail(const char *what, const xs_error *e)
{
    char msg[1024];
    fprintf(stderr, "%s: %s\n", what, xs_error_format(e, msg, sizeof msg));
    exit(1);
}

/* Generates the company, imports it, loads the snapshot, and registers the
 * planted holdouts as running experiments (as `xsell demo` does). */
static xs_store *load(void)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    snprintf(dir, sizeof dir, "/tmp/xs_engine_io_XXXXXX");
    if (!mkdtemp(dir)) abort();
    xs_gen_options g;
    xs_gen_options_init(&g);
    g.n_customers = N_CUST;
    g.holdout_days = HOLDOUT_DAYS;
    char db[128];
    snprintf(db, sizeof db, "%s/x.db", dir);
    xs_store *st = NULL;
    if (xs_store_open(&st, db, &e) < 0) fail("store", &e);
    xs_fixture_gen_import(dir, &g, st);
    if (xs_snapshot_load(st, &snap, &e) < 0) fail("snapshot", &e);
    for (int k = 0; k < XS_OFFER_N_KINDS; k++) {
        xs_experiment *x = &exps[k];
        memset(x, 0, sizeof *x);
        x->kind = (xs_offer_kind)k;
        snprintf(x->name, sizeof x->name, "%s", xs_offer_kind_key(x->kind));
        snprintf(x->split, sizeof x->split, "%s", XS_GEN_HOLDOUT_SPLIT);
        snprintf(x->start, sizeof x->start, "2026-08-01"); /* 60 days before as_of */
    }
    return st;
}

/* ---------------------------------------------------------------------- */
/* Rendering: every field, exactly                                        */
/* ---------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) abort();
        if (b->p && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        b->cap = (b->cap + (size_t)k + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
        if (b->n == 0) b->p[0] = '\0';
    }
}

/* Every field of the offers (doubles as %a: bit-exact) and their texts. */
static void render_offers(sbuf *b, const xs_offer_engine *en, const xs_offer *o, int n)
{
    static char t[8192];
    put(b, "n=%d\n", n);
    for (int i = 0; i < n; i++) {
        const xs_offer *x = &o[i];
        put(b,
            "%u k%d t%d %d>%d q%u>%u term%u>%u ch%d at%d p%a prior%a churn%a rev%a "
            "val%a stake%a ev%a g%d r%d used%a lim%a met%d sup%a conf%a lift%a from%d "
            "lag%d days%d rel%a share%u/%u band%a subst%d also%d,%d disc%a psrc%d "
            "pk%u/%u ret%u/%u,%u/%u retn%d prop%a basis%d upl%a\n",
            x->customer, (int)x->kind, (int)x->trigger, x->from_product, x->to_product,
            x->qty_from, x->qty_to, x->term_from, x->term_to, x->channel, x->timing,
            x->p_accept, x->p_prior, x->p_churn, x->revenue_delta, x->value, x->at_stake,
            x->ev, (int)x->guard, x->rank, x->used, x->limit, x->metric, x->support,
            x->confidence, x->lift, x->rule_from, x->lag_days, x->days, x->relevance,
            x->share_n, x->base_n, x->band_hi, x->subst_of, x->also[0], x->also[1],
            x->discount, x->prior_src, x->prior_k, x->prior_n, x->churn_with, x->n_with,
            x->churn_without, x->n_without, x->retention, x->propensity, x->value_basis,
            x->uplift);
        put(b, "en: %s\n", xs_offer_explain(en, x, "en", t, sizeof t));
        put(b, "ja: %s\n", xs_offer_explain(en, x, "ja", t, sizeof t));
        put(b, "ev: %s\n", xs_offer_evidence(en, x, t, sizeof t));
    }
}

/* A table as CSV text (caller frees). */
static char *table_text(const xs_table *t)
{
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    if (!f) abort();
    xs_table_write(t, f, XS_FORMAT_CSV);
    fclose(f);
    return p;
}

/* Every customer's decision, every customer's logged decision for a
 * sample, carts for a sample. */
static char *decisions_text(const xs_offer_engine *en)
{
    sbuf b = {0};
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    size_t nc = xs_offer_engine_n_customers(en), np = snap->prod.n;
    for (uint32_t c = 0; c < nc; c++) {
        int n = xs_offer_decide(en, c, o, XS_OFFER_MAX_CANDIDATES);
        put(&b, "customer %u\n", c);
        render_offers(&b, en, o, n);
    }
    for (uint32_t c = 0; c < nc; c += 97) {
        xs_decision d[8];
        size_t n_dec = 0;
        int n = xs_offer_decide_logged(en, c, o, d, 8, &n_dec);
        put(&b, "logged %u: %zu decisions\n", c, n_dec);
        render_offers(&b, en, o, n);
        for (size_t k = 0; k < n_dec; k++) {
            xs_decision_record r;
            if (xs_decision_fill(en, o, &d[k], "test", &r) < 0) abort();
            put(&b, "%s %d %s %d %a %s\n", r.decided_at, r.slot, r.how, r.chosen,
                r.propensity, r.candidates);
            xs_decision_record_clear(&r);
        }
    }
    for (uint32_t c = 0; c < nc && np; c += 211) {
        uint32_t cart[3] = {c % (uint32_t)np, (c * 7 + 3) % (uint32_t)np,
                            (c * 13 + 5) % (uint32_t)np};
        int n = xs_offer_decide_cart(en, c, cart, 3, o, XS_OFFER_MAX_CANDIDATES);
        put(&b, "cart %u\n", c);
        render_offers(&b, en, o, n);
    }
    /* the target list and the guardrail totals of everyone */
    xs_table *t = xs_table_new(), *ts = xs_table_new(), *tu = xs_table_new();
    xs_offer_summary sum;
    if (!t || !ts || !tu || xs_offer_targets(en, 2, 0, t, &sum) < 0 ||
        xs_offer_summary_table(&sum, ts) < 0 || xs_offer_uplift_table(en, tu) < 0)
        abort();
    char *a = table_text(t), *s = table_text(ts), *u = table_text(tu);
    put(&b, "targets\n%s\nsummary\n%s\nuplift\n%s\n", a, s, u);
    free(a);
    free(s);
    free(u);
    xs_table_free(t);
    xs_table_free(ts);
    xs_table_free(tu);
    return b.p;
}

/* Every customer's score row (doubles as %a) and the scores table. */
static char *scores_text(const xs_customer_scores *cs)
{
    sbuf b = {0};
    for (size_t i = 0; i < xs_customer_scores_n(cs); i++) {
        xs_customer_row r;
        memset(&r, 0, sizeof r);
        xs_customer_scores_get(cs, i, &r);
        put(&b,
            "%s h%a cov%u seg%d %d%d%d rfm%d%d%d rec%a f%a m%a mrr%a aov%a opy%a ltv%a "
            "%a %a clv%a alive%a churn%a",
            r.id, r.health, r.coverage, (int)r.segment, r.open_critical, r.cancel_request,
            r.active, r.rfm_r, r.rfm_f, r.rfm_m, r.recency_days, r.frequency, r.monetary,
            r.mrr, r.aov, r.orders_per_year, r.ltv, r.ltv_subscription, r.ltv_orders,
            r.clv, r.p_alive, r.churn_risk);
        for (int k = 0; k < XS_HEALTH_N_PARTS; k++)
            put(&b, " [%a %a %a %a]", r.raw[k], r.raw2[k], r.score[k], r.weight[k]);
        put(&b, "\n");
    }
    char msg[600], day[11];
    int st = xs_customer_scores_clv_status(cs, msg, sizeof msg);
    put(&b, "clv %d %s\n", st, st == XS_OK ? "" : msg);
    st = xs_customer_scores_churn_status(cs, msg, sizeof msg);
    put(&b, "churn %d %s as of %s\n", st, st == XS_OK ? "" : msg,
        xs_customer_scores_as_of(cs, day));
    xs_table *t = xs_table_new();
    if (!t || xs_customer_scores_table(cs, XS_SEG_N, XS_CUST_SORT_CHURN, 0, t) < 0)
        abort();
    char *a = table_text(t);
    put(&b, "%s", a);
    free(a);
    xs_table_free(t);
    return b.p;
}

/* Every item's neighbours, cart queries (top-k and exact). */
static char *together_text(const xs_together *m)
{
    sbuf b = {0};
    xs_together_hit h[64];
    xs_together_query *q = NULL;
    size_t ni = xs_together_n_items(m);
    if (xs_together_query_new(m, &q) < 0) abort();
    for (uint32_t i = 0; i < ni; i++) {
        int n = xs_together_item(m, i, h, 64);
        put(&b, "%s:", xs_together_item_name(m, i));
        for (int k = 0; k < n; k++)
            put(&b, " %u/%a/%a", h[k].item, h[k].score, h[k].count);
        put(&b, "\n");
    }
    for (uint32_t i = 0; i + 2 < ni; i += 3) {
        uint32_t cart[3] = {i, i + 1, (i * 5) % (uint32_t)ni};
        int n = xs_together_cart(m, q, cart, 3, h, 64);
        int x = xs_together_cart_exact(m, q, cart, 3, h + 32, 32);
        put(&b, "cart %u: %d %d", i, n, x);
        for (int k = 0; k < n; k++)
            put(&b, " %u/%a/%a", h[k].item, h[k].score, h[k].count);
        put(&b, "\n");
    }
    uint32_t id;
    if (ni && xs_together_find(m, xs_together_item_name(m, ni / 2), &id) == XS_OK)
        put(&b, "find %u\n", id);
    xs_together_query_free(q);
    return b.p;
}

static char *rules_text(const xs_rules *r)
{
    sbuf b = {0};
    put(&b, "%zu of %llu\n", xs_rules_n(r), (unsigned long long)xs_rules_total(r));
    for (size_t i = 0; i < xs_rules_n(r); i++) {
        xs_rule x;
        xs_rules_get(r, i, &x);
        for (size_t k = 0; k < x.n_lhs; k++)
            put(&b, "%u ", x.lhs[k]);
        put(&b, "->");
        for (size_t k = 0; k < x.n_rhs; k++)
            put(&b, " %u", x.rhs[k]);
        put(&b, " %llu %llu %llu %llu %a %a %a %a %a %a\n", (unsigned long long)x.count,
            (unsigned long long)x.lhs_count, (unsigned long long)x.rhs_count,
            (unsigned long long)x.n_tx, x.support, x.confidence, x.coverage, x.lift,
            x.leverage, x.conviction);
    }
    return b.p;
}

/* ---------------------------------------------------------------------- */
/* Building, saving, mapping                                              */
/* ---------------------------------------------------------------------- */

typedef struct bundle {
    xs_baskets *b;
    xs_together *tog;
    xs_rules *rules;
    xs_customer_scores *cs;
    xs_offer_engine *en, *en2; /* en2: given churn risks, no ranking */
} bundle;

static double given[N_CUST];

static void build(xs_store *st, bundle *m)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    memset(m, 0, sizeof *m);
    if (xs_baskets_from_store(st, XS_SOURCE_ORDERS, &m->b, &e) < 0) fail("baskets", &e);
    xs_together_opts to = {.measure = XS_SIM_COSINE, .top_k = 50, .keep_counts = 1};
    if (xs_together_build(m->b, &to, &m->tog, &e) < 0) fail("together", &e);
    xs_rule_opts ro;
    xs_rule_opts_init(&ro);
    ro.mine.min_count = 3;
    ro.mine.max_len = 3;
    ro.min_confidence = 0.05;
    ro.max_rules = 2000;
    if (xs_rules_mine(&m->rules, m->b, &ro, &e) < 0) fail("rules", &e);
    xs_health_config hc;
    xs_health_config_init(&hc);
    hc.clv = 1;
    hc.churn = 1;
    if (xs_customer_scores_compute(snap, &hc, NULL, &m->cs, &e) < 0) fail("scores", &e);
    xs_offer_config c;
    xs_offer_config_init(&c);
    c.uplift_min_n = 50; /* the 10 % holdouts of 3,000 customers qualify */
    c.churn_model = 1;   /* the store-history churn model */
    if (xs_offer_engine_new(snap, &c, NULL, &m->en, &e) < 0) fail("engine", &e);
    if (xs_offer_engine_set_experiments(m->en, exps, XS_OFFER_N_KINDS, &e) < 0)
        fail("experiments", &e);
    /* given churn risks for every third customer, no ranking, epsilon */
    size_t n = snap->cust.n;
    for (size_t i = 0; i < n && i < N_CUST; i++)
        given[i] = i % 3 ? NAN : (double)(i % 100) / 100;
    xs_offer_config_init(&c);
    c.churn_p = given;
    c.rank_order = 0;
    c.epsilon_cross_sell = 0.3;
    if (xs_offer_engine_new(snap, &c, NULL, &m->en2, &e) < 0) fail("engine 2", &e);
    xs_offer_engine_set_logged(m->en2, 1);
}

static void bundle_free(bundle *m)
{
    xs_offer_engine_free(m->en);
    xs_offer_engine_free(m->en2);
    xs_customer_scores_free(m->cs);
    xs_rules_free(m->rules);
    xs_together_free(m->tog);
    xs_baskets_free(m->b);
}

static xs__mfile_meta meta_of(void)
{
    xs__mfile_meta meta;
    memset(&meta, 0, sizeof meta);
    snprintf(meta.store_id, sizeof meta.store_id, "test");
    snprintf(meta.as_of, sizeof meta.as_of, "2026-09-30");
    return meta;
}

/* Saves en as "engine." and en2 through a second file. */
static void save(const bundle *m, const char *path, const char *path2)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    xs__mfile_writer *w = NULL;
    xs__mfile_meta meta = meta_of();
    if (xs__mfile_create(&w, path, &e) < 0) fail("create", &e);
    if (xs__mine_baskets_save(m->b, w, &e) < 0 ||
        xs__mine_together_save(m->tog, w, &e) < 0 ||
        xs__mine_rules_save(m->rules, w, &e) < 0 ||
        xs__score_customer_scores_save(m->cs, w, &e) < 0 ||
        xs__offer_engine_save(m->en, w, &e) < 0)
        fail("save", &e);
    if (xs__mfile_commit(w, &meta, &e) < 0) fail("commit", &e);
    if (xs__mfile_create(&w, path2, &e) < 0) fail("create", &e);
    if (xs__offer_engine_save(m->en2, w, &e) < 0) fail("save 2", &e);
    if (xs__mfile_commit(w, &meta, &e) < 0) fail("commit 2", &e);
}

static void map(const xs__mfile *f, const xs__mfile *f2, bundle *m)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    memset(m, 0, sizeof *m);
    if (xs__mine_baskets_map(f, &m->b, &e) < 0 ||
        xs__mine_together_map(f, m->b, &m->tog, &e) < 0 ||
        xs__mine_rules_map(f, m->b, &m->rules, &e) < 0 ||
        xs__score_customer_scores_map(f, snap, &m->cs, &e) < 0 ||
        xs__offer_engine_map(f, snap, &m->en, &e) < 0 ||
        xs__offer_engine_map(f2, snap, &m->en2, &e) < 0)
        fail("map", &e);
}

/* ---------------------------------------------------------------------- */
/* Tests                                                                  */
/* ---------------------------------------------------------------------- */

static xs_store *store;

static void test_round_trip(void)
{
    bundle a, b;
    char path[128], path2[128];
    snprintf(path, sizeof path, "%s/model.xsm", dir);
    snprintf(path2, sizeof path2, "%s/model2.xsm", dir);
    build(store, &a);
    save(&a, path, path2);
    xs__mfile *f = NULL, *f2 = NULL;
    xs_error e;
    if (xs__mfile_open(&f, path, &e) < 0 || xs__mfile_open(&f2, path2, &e) < 0)
        fail("open", &e);
    map(f, f2, &b);

    /* what the store holds makes every part of the engine matter */
    xs_offer_uplift_info ui;
    int n_uplift = 0;
    for (int k = 0; k < XS_OFFER_N_KINDS; k++) {
        CHECK_INT(xs_offer_engine_uplift(a.en, (xs_offer_kind)k, &ui), XS_OK);
        n_uplift += ui.on;
    }
    CHECK(n_uplift >= 1);
    CHECK(xs_baskets_n_tx(a.b) > 1000);
    CHECK(xs_rules_n(a.rules) > 10);

    /* baskets byte for byte, names in id order */
    CHECK_INT(b.b->n_tx, a.b->n_tx);
    CHECK_INT(b.b->n_items_total, a.b->n_items_total);
    CHECK(!memcmp(a.b->off, b.b->off, (a.b->n_tx + 1) * sizeof *a.b->off));
    CHECK(!memcmp(a.b->items, b.b->items, a.b->n_items_total * sizeof *a.b->items));
    CHECK_INT(xs_baskets_n_items(b.b), xs_baskets_n_items(a.b));
    int names_ok = 1;
    for (uint32_t i = 0; i < xs_baskets_n_items(a.b); i++)
        names_ok &= !strcmp(xs_baskets_item_name(a.b, i), xs_baskets_item_name(b.b, i));
    CHECK(names_ok);
    /* a mapped set of baskets is read-only */
    CHECK_INT(xs_baskets_add(b.b, "x"), XS_EINVAL);

    char *x, *y;
    x = together_text(a.tog), y = together_text(b.tog);
    CHECK(x && y && !strcmp(x, y));
    free(x), free(y);
    x = rules_text(a.rules), y = rules_text(b.rules);
    CHECK(x && y && !strcmp(x, y));
    free(x), free(y);
    x = scores_text(a.cs), y = scores_text(b.cs);
    CHECK(x && y && !strcmp(x, y));
    free(x), free(y);
    x = decisions_text(a.en), y = decisions_text(b.en);
    CHECK(x && y && strlen(x) > 100000 && !strcmp(x, y));
    free(x), free(y);
    x = decisions_text(a.en2), y = decisions_text(b.en2);
    CHECK(x && y && !strcmp(x, y));
    free(x), free(y);

    /* a mapped engine takes other experiments (its own uplift arrays): the
     * same decisions as the built engine given the same */
    CHECK_INT(xs_offer_engine_set_experiments(a.en, exps, 1, &e), XS_OK);
    CHECK_INT(xs_offer_engine_set_experiments(b.en, exps, 1, &e), XS_OK);
    x = decisions_text(a.en), y = decisions_text(b.en);
    CHECK(x && y && !strcmp(x, y));
    free(x), free(y);
    CHECK_INT(xs_offer_engine_set_experiments(b.en, NULL, 0, &e), XS_OK);
    bundle_free(&b);
    xs__mfile_close(f);
    xs__mfile_close(f2);
    bundle_free(&a);
}

/* A model file with none of these sections, and one whose sections have
 * the wrong size. */
static void test_errors(void)
{
    char path[128], bad[128], msg[512];
    snprintf(path, sizeof path, "%s/empty.xsm", dir);
    snprintf(bad, sizeof bad, "%s/bad.xsm", dir);
    xs_error e;
    memset(&e, 0, sizeof e);
    xs__mfile_writer *w = NULL;
    xs__mfile_meta meta = meta_of();
    if (xs__mfile_create(&w, path, &e) < 0 ||
        xs__mfile_put(w, "x.hdr", "abc", 3, &e) < 0 || xs__mfile_commit(w, &meta, &e) < 0)
        fail("empty", &e);
    xs__mfile *f = NULL;
    if (xs__mfile_open(&f, path, &e) < 0) fail("open", &e);
    bundle m;
    memset(&m, 0, sizeof m);
    char want[256];
#define MISSING(call, sec, what)                                                         \
    do {                                                                                 \
        memset(&e, 0, sizeof e);                                                         \
        CHECK_INT(call, XS_ENOTFOUND);                                                   \
        snprintf(want, sizeof want,                                                      \
                 "%s: no section " sec " (" what " not in the model)", path);            \
        CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);                           \
    } while (0)
    MISSING(xs__offer_engine_map(f, snap, &m.en, &e), "engine.hdr", "offer engine");
    MISSING(xs__score_customer_scores_map(f, snap, &m.cs, &e), "scores.hdr",
            "customer scores");
    MISSING(xs__mine_baskets_map(f, &m.b, &e), "bask.hdr", "baskets");
#undef MISSING
    CHECK(!m.en && !m.cs && !m.b);
    xs__mfile_close(f);

    /* the real engine's header, then a health column one customer short */
    bundle a;
    char good[128], good2[128];
    snprintf(good, sizeof good, "%s/good.xsm", dir);
    snprintf(good2, sizeof good2, "%s/good2.xsm", dir);
    build(store, &a);
    save(&a, good, good2);
    xs__mfile *g = NULL;
    if (xs__mfile_open(&g, good, &e) < 0) fail("open", &e);
    size_t n_hdr = 0, n_health = 0, n_scores = 0;
    const void *hdr = xs__mfile_get(g, "engine.hdr", 1, &n_hdr);
    const void *health = xs__mfile_get(g, "engine.health", 1, &n_health);
    const void *shdr = xs__mfile_get(g, "scores.hdr", 1, &n_scores);
    CHECK(hdr && health && shdr);
    CHECK_INT(n_health, snap->cust.n * sizeof(float));
    if (xs__mfile_create(&w, bad, &e) < 0 ||
        xs__mfile_put(w, "engine.hdr", hdr, n_hdr, &e) ||
        xs__mfile_put(w, "engine.health", health, n_health - 4, &e) < 0 ||
        xs__mfile_put(w, "scores.hdr", shdr, n_scores - 8, &e) < 0 ||
        xs__mfile_commit(w, &meta, &e) < 0)
        fail("bad", &e);
    xs__mfile_close(g);
    if (xs__mfile_open(&f, bad, &e) < 0) fail("open", &e);
    memset(&e, 0, sizeof e);
    CHECK_INT(xs__offer_engine_map(f, snap, &m.en, &e), XS_EPARSE);
    snprintf(want, sizeof want, "%s: section engine.health: %zu bytes, expected %zu", bad,
             n_health - 4, n_health);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    memset(&e, 0, sizeof e);
    CHECK_INT(xs__score_customer_scores_map(f, snap, &m.cs, &e), XS_EPARSE);
    snprintf(want, sizeof want, "%s: section scores.hdr: %zu bytes, expected %zu", bad,
             n_scores - 8, n_scores);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    CHECK(!m.en && !m.cs);
    xs__mfile_close(f);
    bundle_free(&a);
}

/* Saves en and cs into path and maps them back on s (caller frees). */
static void round_trip(const char *path, const xs_offer_engine *en,
                       const xs_customer_scores *cs, xs__mfile **f, xs_offer_engine **men,
                       xs_customer_scores **mcs)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    xs__mfile_writer *w = NULL;
    xs__mfile_meta meta = meta_of();
    if (xs__mfile_create(&w, path, &e) < 0 || xs__offer_engine_save(en, w, &e) < 0 ||
        xs__score_customer_scores_save(cs, w, &e) < 0 ||
        xs__mfile_commit(w, &meta, &e) < 0)
        fail("save", &e);
    if (xs__mfile_open(f, path, &e) < 0 || xs__offer_engine_map(*f, snap, men, &e) < 0 ||
        xs__score_customer_scores_map(*f, snap, mcs, &e) < 0)
        fail("map", &e);
}

/* The hand-made stores of the offer tests (some without orders: no
 * ranking, no order rules; some without subscriptions or usage): every
 * decision and score identical after a round trip. */
static void test_small_stores(void)
{
    static const char *const dirs[] = {
        "churn-sources", "offer", "relevance",   "retention-offers", "cart",
        "health",        "rank",  "offer-terms", "together",         "kpi-terms"};
    xs_snapshot *keep = snap;
    for (size_t i = 0; i < XS_N(dirs); i++) {
        xs_error e;
        memset(&e, 0, sizeof e);
        snap = xs_fixture_snapshot("engine-io", dirs[i], NULL);
        xs_offer_engine *en = NULL, *men = NULL;
        xs_customer_scores *cs = NULL, *mcs = NULL;
        xs__mfile *f = NULL;
        xs_health_config hc;
        xs_health_config_init(&hc);
        hc.churn = 1;
        if (xs_offer_engine_new(snap, NULL, NULL, &en, &e) < 0 ||
            xs_customer_scores_compute(snap, &hc, NULL, &cs, &e) < 0)
            fail(dirs[i], &e);
        char path[128];
        snprintf(path, sizeof path, "%s/small.xsm", dir);
        round_trip(path, en, cs, &f, &men, &mcs);
        char *x = decisions_text(en), *y = decisions_text(men);
        if (!x || !y || strcmp(x, y)) printf("decisions differ: %s\n", dirs[i]);
        CHECK(x && y && !strcmp(x, y));
        free(x), free(y);
        x = scores_text(cs), y = scores_text(mcs);
        if (!x || !y || strcmp(x, y)) printf("scores differ: %s\n", dirs[i]);
        CHECK(x && y && !strcmp(x, y));
        free(x), free(y);
        xs_offer_engine_free(men);
        xs_customer_scores_free(mcs);
        xs__mfile_close(f);
        xs_offer_engine_free(en);
        xs_customer_scores_free(cs);
        xs_snapshot_free(snap);
    }
    snap = keep;
}

/* The churn model attached to a build (churn_src.c), trained on the
 * labelled customer table of tests/data/churn-sources: the customers it
 * scores say "model m.json" in their evidence, before and after. */
static void test_churn_model(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char train[600], path[128], *text = NULL;
    snprintf(train, sizeof train, "%s/tests/data/churn-sources/train.csv",
             src ? src : ".");
    snprintf(path, sizeof path, "%s/m.json", dir);
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_churn_read_opts ro = {.id = "customer_id", .label = "churned"};
    xs_churn_params p;
    xs_churn_params_init(&p);
    p.rounds = 20;
    xs_churn_data *d = NULL;
    xs_churn_model *cm = NULL;
    if (xs_churn_data_read(train, &ro, &d, &e) < 0 ||
        xs_churn_train(d, &p, &cm, &e) < 0 || xs_churn_model_save(cm, path, &e) < 0)
        fail("churn model", &e);
    xs_churn_model_free(cm);
    xs_churn_data_free(d);
    FILE *fp = fopen(path, "rb");
    size_t len = 0;
    if (!fp) abort();
    fseek(fp, 0, SEEK_END);
    len = (size_t)ftell(fp);
    rewind(fp);
    text = malloc(len + 1);
    if (!text || fread(text, 1, len, fp) != len) abort();
    text[len] = '\0';
    fclose(fp);

    xs_snapshot *keep = snap;
    snap = xs_fixture_snapshot("engine-io", "churn-sources", NULL);
    xs__offer_churn_file cf = {"m.json", text, len};
    xs_offer_engine *en = NULL, *men = NULL;
    xs_customer_scores *cs = NULL, *mcs = NULL;
    xs__mfile *f = NULL;
    if (xs__offer_engine_create(snap, NULL, "2026-06-30", 1, &cf, &en, &e) < 0 ||
        xs_customer_scores_compute(snap, NULL, "2026-06-30", &cs, &e) < 0)
        fail("engine with a churn model", &e);
    snprintf(path, sizeof path, "%s/churn.xsm", dir);
    round_trip(path, en, cs, &f, &men, &mcs);
    char *x = decisions_text(en), *y = decisions_text(men);
    CHECK(x && strstr(x, "(model m.json)"));
    CHECK(x && y && !strcmp(x, y));
    free(x), free(y);
    xs_offer_engine_free(men);
    xs_customer_scores_free(mcs);
    xs__mfile_close(f);
    xs_offer_engine_free(en);
    xs_customer_scores_free(cs);
    xs_snapshot_free(snap);
    snap = keep;
    free(text);
}

/* Out of memory at every allocation of a save and of a map: XS_ENOMEM,
 * nothing returned, nothing leaked (the sanitizer build checks); once the
 * allocations suffice, the same decisions. */
static void test_out_of_memory(void)
{
    xs_snapshot *keep = snap;
    snap = xs_fixture_snapshot("engine-io", "relevance", NULL);
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_offer_engine *en = NULL;
    xs_customer_scores *cs = NULL;
    if (xs_offer_engine_new(snap, NULL, NULL, &en, &e) < 0 ||
        xs_customer_scores_compute(snap, NULL, NULL, &cs, &e) < 0)
        fail("relevance", &e);
    char path[128];
    snprintf(path, sizeof path, "%s/oom.xsm", dir);
    xs__mfile_meta meta = meta_of();
    int saved = 0, mapped = 0;
    for (long k = 0; k < 64 && !saved; k++) {
        xs__mfile_writer *w = NULL;
        if (xs__mfile_create(&w, path, &e) < 0) fail("create", &e);
        xs__alloc_fail_after(k);
        int rc = xs__offer_engine_save(en, w, &e);
        if (rc == XS_OK) rc = xs__score_customer_scores_save(cs, w, &e);
        xs__alloc_fail_after(-1);
        if (rc < 0) {
            CHECK_INT(rc, XS_ENOMEM);
            xs__mfile_abort(w);
            continue;
        }
        if (xs__mfile_commit(w, &meta, &e) < 0) fail("commit", &e);
        saved = 1;
    }
    CHECK(saved);
    xs__mfile *f = NULL;
    if (xs__mfile_open(&f, path, &e) < 0) fail("open", &e);
    char *want = decisions_text(en);
    for (long k = 0; k < 64 && !mapped; k++) {
        xs_offer_engine *men = NULL;
        xs_customer_scores *mcs = NULL;
        xs__alloc_fail_after(k);
        int rc = xs__offer_engine_map(f, snap, &men, &e);
        if (rc == XS_OK) rc = xs__score_customer_scores_map(f, snap, &mcs, &e);
        xs__alloc_fail_after(-1);
        if (rc < 0) {
            CHECK_INT(rc, XS_ENOMEM);
            CHECK(!mcs);
            xs_offer_engine_free(men);
            continue;
        }
        char *got = decisions_text(men);
        CHECK(want && got && !strcmp(want, got));
        free(got);
        xs_offer_engine_free(men);
        xs_customer_scores_free(mcs);
        mapped = 1;
    }
    CHECK(mapped);
    free(want);
    xs__mfile_close(f);
    xs_offer_engine_free(en);
    xs_customer_scores_free(cs);
    xs_snapshot_free(snap);
    snap = keep;
}

/* The personal ranking alone, with the item model (neighbours) and without
 * it (knn_weight 0: no neighbour arrays), every customer's ranking and an
 * anonymous cart identical after a round trip; a ranking saved on this
 * snapshot does not map on another. */
static void test_rank(void)
{
    for (int knn = 0; knn < 2; knn++) {
        xs_error e;
        memset(&e, 0, sizeof e);
        xs_rank_opts o;
        xs_rank_opts_init(&o);
        o.as_of = "2026-10-01";
        if (!knn) o.knn_weight = 0;
        xs_rank *r = NULL, *m = NULL;
        if (xs_rank_build(snap, &o, &r, &e) < 0) fail("rank", &e);
        char path[128];
        snprintf(path, sizeof path, "%s/rank.xsm", dir);
        xs__mfile_writer *w = NULL;
        xs__mfile_meta meta = meta_of();
        xs__mfile *f = NULL;
        if (xs__mfile_create(&w, path, &e) < 0 ||
            xs__offer_rank_save(r, w, "r", &e) < 0 ||
            xs__mfile_commit(w, &meta, &e) < 0 || xs__mfile_open(&f, path, &e) < 0 ||
            xs__offer_rank_map(f, "r", snap, &m, &e) < 0)
            fail("rank round trip", &e);
        xs_rank_scratch *qa = NULL, *qb = NULL;
        if (xs_rank_scratch_new(r, &qa) < 0 || xs_rank_scratch_new(m, &qb) < 0) abort();
        xs_rank_hit ha[20], hb[20];
        int same = 1;
        for (uint32_t c = 0; c <= snap->cust.n; c++) {
            uint32_t cu = c == snap->cust.n ? XS_RANK_NONE : c, cart[1] = {c % 7};
            int na = xs_rank_customer(r, qa, cu, cart, 1, ha, 20);
            int nb = xs_rank_customer(m, qb, cu, cart, 1, hb, 20);
            same &= na == nb;
            for (int k = 0; same && k < na; k++)
                same &= ha[k].product == hb[k].product && ha[k].score == hb[k].score &&
                        ha[k].evidence == hb[k].evidence &&
                        ha[k].evidence_share == hb[k].evidence_share;
        }
        CHECK(same);
        xs_rank_scratch_free(qa);
        xs_rank_scratch_free(qb);
        xs_rank_free(m);
        /* another snapshot: its customers differ */
        xs_snapshot *other = xs_fixture_snapshot("engine-io", "rank", NULL);
        char msg[512], want[512];
        memset(&e, 0, sizeof e);
        CHECK_INT(xs__offer_rank_map(f, "r", other, &m, &e), XS_EPARSE);
        snprintf(
            want, sizeof want,
            "%s: section r.hdr: %zu customers and %zu products, the snapshot has %zu "
            "and %zu",
            path, snap->cust.n, snap->prod.n, other->cust.n, other->prod.n);
        CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
        CHECK(!m);
        xs_snapshot_free(other);
        xs__mfile_close(f);
        xs_rank_free(r);
    }
}

static const xs_test tests[] = {
    {"round_trip", test_round_trip},
    {"small_stores", test_small_stores},
    {"rank", test_rank},
    {"churn_model", test_churn_model},
    {"out_of_memory", test_out_of_memory},
    {"errors", test_errors},
};

int main(void)
{
    store = load();
    int rc = xs_test_run(tests, XS_N(tests));
    xs_store_close(store);
    xs_snapshot_free(snap);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
