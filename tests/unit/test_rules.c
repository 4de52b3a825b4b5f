/*
 * test_rules.c — association rules: every measure against hand-computed
 * values, the generator against a brute-force rule enumerator on random
 * datasets (thresholds, --rhs, redundancy pruning), the bounded top-N heap
 * against a full sort, and the deterministic output order.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/rng.h"
#include "mine/baskets.h"
#include "mine/itemsets.h"
#include "mine/rules.h"
#include "xsell.h"

static const char *NAMES[] = {"10", "9", "apple", "Banana", "2", "b", "a b", "x,y", "100", "07"};
#define MAX_ITEMS 10

typedef struct dataset {
    size_t n_tx, n_items;
    uint32_t mask[64];
    xs_baskets *b;
    uint32_t id_of[MAX_ITEMS]; /* NAMES index -> basket id (UINT32_MAX: absent) */
} dataset;

static void make_dataset(dataset *d, xs__rng *r)
{
    memset(d, 0, sizeof *d);
    d->n_items = 2 + xs__rng_below(r, MAX_ITEMS - 1);
    d->n_tx = 1 + xs__rng_below(r, 40);
    double p = 0.15 + 0.7 * xs__rng_uniform(r);
    d->b = xs_baskets_new();
    for (size_t t = 0; t < d->n_tx; t++) {
        uint32_t m = 0;
        for (size_t i = 0; i < d->n_items; i++)
            if (xs__rng_uniform(r) < p) m |= 1u << i;
        if (xs__rng_uniform(r) < 0.05) m = 0;
        d->mask[t] = m;
        for (size_t i = d->n_items; i-- > 0;)
            if (m >> i & 1) {
                xs_baskets_add(d->b, NAMES[i]);
                if (xs__rng_uniform(r) < 0.1) xs_baskets_add(d->b, NAMES[i]);
            }
        xs_baskets_end(d->b);
    }
    for (size_t i = 0; i < MAX_ITEMS; i++)
        if (xs_baskets_find_item(d->b, NAMES[i], &d->id_of[i]) < 0) d->id_of[i] = UINT32_MAX;
}

static uint32_t cnt(const dataset *d, uint32_t s)
{
    uint32_t c = 0;
    for (size_t t = 0; t < d->n_tx; t++)
        if ((d->mask[t] & s) == s) c++;
    return c;
}

static int popcount(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

static uint32_t ids_mask(const dataset *d, const uint32_t *ids, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < MAX_ITEMS; k++)
            if (d->id_of[k] == ids[i]) m |= 1u << k;
    return m;
}

static int passes(const dataset *d, const xs_rule_opts *o, uint64_t minc, uint32_t lhs,
                  uint32_t rhs)
{
    uint32_t z = lhs | rhs;
    uint32_t cz = cnt(d, z), ca = cnt(d, lhs), cc = cnt(d, rhs);
    if (cz < minc) return 0;
    if (o->mine.max_len && (size_t)popcount(z) > o->mine.max_len) return 0;
    double n = (double)d->n_tx;
    double conf = (double)cz / ca, lift = ((double)cz * n) / ((double)ca * cc);
    double lev = ((double)cz * n - (double)ca * cc) / (n * n);
    double conv = cz == ca ? INFINITY : ((n - cc) * ca) / (n * ((double)ca - cz));
    double cov = (double)ca / n;
    if (!(conf >= o->min_confidence && lift >= o->min_lift && lev >= o->min_leverage &&
          conv >= o->min_conviction && cov >= o->min_coverage))
        return 0;
    if (o->rhs) { /* every consequent item among o->rhs */
        for (int c = 0; c < MAX_ITEMS; c++) {
            if (!(rhs >> c & 1)) continue;
            int ok = 0;
            for (size_t i = 0; i < o->n_rhs; i++)
                if (o->rhs[i] == d->id_of[c]) ok = 1;
            if (!ok) return 0;
        }
    }
    if (o->no_redundant) { /* any nonempty proper subset with conf' >= conf */
        for (uint32_t s = (lhs - 1) & lhs; s; s = (s - 1) & lhs) {
            uint32_t cz1 = cnt(d, s | rhs), ca1 = cnt(d, s);
            if ((uint64_t)cz1 * ca >= (uint64_t)cz * ca1) return 0;
        }
    }
    return 1;
}

/* Expected rules by (lhs mask, rhs mask): 1 expected, 2 seen. */
static uint8_t expect[1 << MAX_ITEMS][1 << MAX_ITEMS];

/* Compares xs_rules_mine with brute force on d under o. */
static void check_rules(const dataset *d, const xs_rule_opts *o)
{
    uint64_t minc = o->mine.min_count ? o->mine.min_count
                                      : xs_min_count(o->mine.min_support, d->n_tx);
    uint32_t full = 1u << d->n_items;
    size_t want = 0;
    for (uint32_t lhs = 0; lhs < full; lhs++) memset(expect[lhs], 0, full);
    for (uint32_t lhs = 1; lhs < full; lhs++)
        for (uint32_t rhs = 1; rhs < full; rhs++) {
            if (lhs & rhs) continue;
            if (!o->multi_rhs && popcount(rhs) != 1) continue;
            if (passes(d, o, minc, lhs, rhs)) {
                expect[lhs][rhs] = 1;
                want++;
            }
        }
    xs_rules *r = NULL;
    CHECK_INT(xs_rules_mine(&r, d->b, o, NULL), XS_OK);
    if (!r) return;
    CHECK_INT(xs_rules_total(r), want);
    size_t n = xs_rules_n(r);
    CHECK_INT(n, o->count_only ? 0 : o->max_rules && o->max_rules < want ? o->max_rules : want);
    for (size_t i = 0; i < n; i++) {
        xs_rule x;
        xs_rules_get(r, i, &x);
        uint32_t lhs = ids_mask(d, x.lhs, x.n_lhs), rhs = ids_mask(d, x.rhs, x.n_rhs);
        CHECK_INT(popcount(lhs), x.n_lhs);
        CHECK_INT(popcount(rhs), x.n_rhs);
        CHECK(x.n_rhs == 1 || o->multi_rhs);
        CHECK(expect[lhs][rhs] == 1);
        expect[lhs][rhs] = 2; /* seen */
        for (size_t k = 1; k < x.n_lhs; k++)
            CHECK(xs__mine_item_name_cmp(xs_baskets_item_name(d->b, x.lhs[k - 1]),
                                         xs_baskets_item_name(d->b, x.lhs[k])) < 0);
        for (size_t k = 1; k < x.n_rhs; k++)
            CHECK(xs__mine_item_name_cmp(xs_baskets_item_name(d->b, x.rhs[k - 1]),
                                         xs_baskets_item_name(d->b, x.rhs[k])) < 0);
        CHECK_INT(x.count, cnt(d, lhs | rhs));
        CHECK_INT(x.lhs_count, cnt(d, lhs));
        CHECK_INT(x.rhs_count, cnt(d, rhs));
        CHECK_INT(x.n_tx, d->n_tx);
        /* every measure from the brute-force counts, by its definition */
        double n_ = (double)d->n_tx, cz = (double)x.count, ca = (double)x.lhs_count,
               cc = (double)x.rhs_count;
        CHECK_NEAR(x.support, cz / n_, 1e-12);
        CHECK_NEAR(x.confidence, cz / ca, 1e-12);
        CHECK_NEAR(x.coverage, ca / n_, 1e-12);
        CHECK_NEAR(x.lift, (cz / ca) / (cc / n_), 1e-9);
        CHECK_NEAR(x.leverage, cz / n_ - (ca / n_) * (cc / n_), 1e-12);
        if (x.count == x.lhs_count) CHECK(isinf(x.conviction));
        else CHECK_NEAR(x.conviction, (1 - cc / n_) / (1 - cz / ca), 1e-9);
    }
    xs_rules_free(r);
}

static void test_random_vs_brute(void)
{
    xs__rng r;
    xs__rng_seed(&r, 99);
    long before = xs_test_failures;
    for (int round = 0; round < 180 && xs_test_failures == before; round++) {
        dataset d;
        make_dataset(&d, &r);
        xs__mine_itemsets_force_algo(round % 3); /* auto, occurrences, bit vectors */
        xs_rule_opts o;
        xs_rule_opts_init(&o);
        o.mine.min_count = 1 + xs__rng_below(&r, 1 + d.n_tx / 3);
        o.min_confidence = xs__rng_uniform(&r) < 0.3 ? 0 : xs__rng_uniform(&r);
        if (xs__rng_below(&r, 4) == 0) o.mine.max_len = 2 + xs__rng_below(&r, 3);
        if (xs__rng_below(&r, 4) == 0) o.min_lift = 0.5 + xs__rng_uniform(&r);
        if (xs__rng_below(&r, 5) == 0) o.min_leverage = 0.02 * xs__rng_uniform(&r);
        if (xs__rng_below(&r, 5) == 0) o.min_conviction = 1 + xs__rng_uniform(&r);
        if (xs__rng_below(&r, 6) == 0) o.min_coverage = 0.3 * xs__rng_uniform(&r);
        check_rules(&d, &o);
        /* --no-redundant */
        o.no_redundant = 1;
        check_rules(&d, &o);
        o.no_redundant = 0;
        /* --rhs: one or two consequents */
        uint32_t rhs[2];
        size_t n_rhs = 0;
        for (int k = 0; k < 2; k++) {
            int i = (int)xs__rng_below(&r, d.n_items);
            if (d.id_of[i] != UINT32_MAX) rhs[n_rhs++] = d.id_of[i];
            if (xs__rng_below(&r, 2)) break;
        }
        if (n_rhs) {
            o.rhs = rhs;
            o.n_rhs = n_rhs;
            check_rules(&d, &o);
            o.no_redundant = 1;
            check_rules(&d, &o);
            o.no_redundant = 0;
            o.rhs = NULL;
            o.n_rhs = 0;
        }
        /* --multi-rhs, alone, with redundancy pruning and with --rhs */
        o.multi_rhs = 1;
        check_rules(&d, &o);
        o.no_redundant = 1;
        check_rules(&d, &o);
        o.no_redundant = 0;
        if (n_rhs) {
            o.rhs = rhs;
            o.n_rhs = n_rhs;
            check_rules(&d, &o);
            o.rhs = NULL;
            o.n_rhs = 0;
        }
        o.multi_rhs = 0;
        /* --count-only */
        o.count_only = 1;
        check_rules(&d, &o);
        if (xs_test_failures != before) fprintf(stderr, "round %d\n", round);
        xs_baskets_free(d.b);
    }
    xs__mine_itemsets_force_algo(0);
}

/* Is rule a strictly before rule b in the documented order? */
static int before(const xs_baskets *bs, xs_rule_key k, const xs_rule *a, const xs_rule *b)
{
    double ka, kb;
    switch (k) {
    case XS_RULE_LIFT: ka = a->lift, kb = b->lift; break;
    case XS_RULE_SUPPORT: ka = a->support, kb = b->support; break;
    case XS_RULE_LEVERAGE: ka = a->leverage, kb = b->leverage; break;
    case XS_RULE_CONVICTION: ka = a->conviction, kb = b->conviction; break;
    case XS_RULE_COVERAGE: ka = a->coverage, kb = b->coverage; break;
    default: ka = a->confidence, kb = b->confidence;
    }
    if (ka != kb) return ka > kb;
    if (a->count != b->count) return a->count > b->count;
    if (a->n_lhs != b->n_lhs) return a->n_lhs < b->n_lhs;
    for (size_t i = 0; i < a->n_lhs; i++) {
        int c = xs__mine_item_name_cmp(xs_baskets_item_name(bs, a->lhs[i]),
                                       xs_baskets_item_name(bs, b->lhs[i]));
        if (c) return c < 0;
    }
    if (a->n_rhs != b->n_rhs) return a->n_rhs < b->n_rhs;
    for (size_t i = 0; i < a->n_rhs; i++) {
        int c = xs__mine_item_name_cmp(xs_baskets_item_name(bs, a->rhs[i]),
                                       xs_baskets_item_name(bs, b->rhs[i]));
        if (c) return c < 0;
    }
    return 0;
}

/* Top-N through the heap equals the first N of the full sorted list, for
 * every sort key; the full list is in the documented order. */
static void test_top_n_vs_sort(void)
{
    xs__rng r;
    xs__rng_seed(&r, 5);
    for (int round = 0; round < 40; round++) {
        dataset d;
        make_dataset(&d, &r);
        xs__mine_itemsets_force_algo(1 + round % 2);
        xs_rule_opts o;
        xs_rule_opts_init(&o);
        o.mine.min_count = 1;
        o.min_confidence = 0;
        o.multi_rhs = round % 2 ? 0 : 1;
        for (int k = 0; k < 6; k++) {
            o.sort_by = (xs_rule_key)k;
            o.max_rules = 0;
            xs_rules *all = NULL, *top = NULL;
            CHECK_INT(xs_rules_mine(&all, d.b, &o, NULL), XS_OK);
            size_t n = xs_rules_n(all);
            for (size_t i = 1; i < n; i++) {
                xs_rule a, b;
                xs_rules_get(all, i - 1, &a);
                xs_rules_get(all, i, &b);
                CHECK(before(d.b, o.sort_by, &a, &b));
            }
            o.max_rules = 1 + xs__rng_below(&r, n + 3);
            CHECK_INT(xs_rules_mine(&top, d.b, &o, NULL), XS_OK);
            size_t nt = xs_rules_n(top);
            CHECK_INT(nt, o.max_rules < n ? o.max_rules : n);
            CHECK_INT(xs_rules_total(top), n);
            for (size_t i = 0; i < nt; i++) {
                xs_rule a, b;
                xs_rules_get(all, i, &a);
                xs_rules_get(top, i, &b);
                CHECK_INT(a.n_rhs, b.n_rhs);
                CHECK_INT(a.n_lhs, b.n_lhs);
                CHECK_INT(a.count, b.count);
                for (size_t j = 0; j < a.n_lhs && j < b.n_lhs; j++) CHECK_INT(a.lhs[j], b.lhs[j]);
                for (size_t j = 0; j < a.n_rhs && j < b.n_rhs; j++) CHECK_INT(a.rhs[j], b.rhs[j]);
            }
            xs_rules_free(all);
            xs_rules_free(top);
        }
        xs_baskets_free(d.b);
    }
    xs__mine_itemsets_force_algo(0);
}

/*
 * Hand computation. Baskets (N = 10):
 *   5 x {bread, milk}, 2 x {bread}, 1 x {milk}, 1 x {bread, milk, jam}, 1 x {}
 * counts: bread 8, milk 7, jam 1, bread+milk 6, jam+bread 1, jam+milk 1, all 1.
 * Rule {bread} => {milk}: count 6, lhs 8, rhs 7
 *   support    = 6/10 = 0.6
 *   confidence = 6/8 = 0.75
 *   coverage   = 8/10 = 0.8
 *   lift       = 0.75 / 0.7 = 1.0714285714285714...
 *   leverage   = 0.6 - 0.8*0.7 = 0.04
 *   conviction = (1 - 0.7) / (1 - 0.75) = 1.2
 * Rule {milk} => {bread}: confidence 6/7, lift (6/7)/0.8 = 1.0714..., conviction
 *   (1-0.8)/(1-6/7) = 0.2*7 = 1.4
 * Rule {jam} => {bread}: confidence 1/1 = 1, conviction inf, lift 1/0.8 = 1.25,
 *   leverage 0.1 - 0.1*0.8 = 0.02.
 */
static void test_hand(void)
{
    xs_rule x;
    xs__mine_rule_measures(&x, 6, 8, 7, 10);
    CHECK_NEAR(x.support, 0.6, 1e-15);
    CHECK_NEAR(x.confidence, 0.75, 1e-15);
    CHECK_NEAR(x.coverage, 0.8, 1e-15);
    CHECK_NEAR(x.lift, 0.75 / 0.7, 1e-15);
    CHECK_NEAR(x.leverage, 0.04, 1e-15);
    CHECK_NEAR(x.conviction, 1.2, 1e-15);
    xs__mine_rule_measures(&x, 6, 7, 8, 10);
    CHECK_NEAR(x.confidence, 6.0 / 7.0, 1e-15);
    CHECK_NEAR(x.conviction, 1.4, 1e-14);
    xs__mine_rule_measures(&x, 1, 1, 8, 10);
    CHECK(isinf(x.conviction));
    CHECK_NEAR(x.lift, 1.25, 1e-15);
    CHECK_NEAR(x.leverage, 0.02, 1e-15);

    xs_baskets *b = xs_baskets_new();
    for (int i = 0; i < 5; i++) {
        xs_baskets_add(b, "bread");
        xs_baskets_add(b, "milk");
        xs_baskets_end(b);
    }
    for (int i = 0; i < 2; i++) {
        xs_baskets_add(b, "bread");
        xs_baskets_end(b);
    }
    xs_baskets_add(b, "milk");
    xs_baskets_end(b);
    xs_baskets_add(b, "jam");
    xs_baskets_add(b, "milk");
    xs_baskets_add(b, "bread");
    xs_baskets_end(b);
    xs_baskets_end(b);
    xs_rule_opts o;
    xs_rule_opts_init(&o);
    o.mine.min_count = 1;
    o.min_confidence = 0.7;
    xs_rules *r;
    CHECK_INT(xs_rules_mine(&r, b, &o, NULL), XS_OK);
    /* conf >= 0.7: jam=>bread 1, jam=>milk 1, bread+jam=>milk 1, jam+milk=>bread 1,
     * milk=>bread 6/7, bread=>milk 0.75; ties at confidence 1 by count, then
     * shorter lhs, then names: {jam}=>{bread}, {jam}=>{milk}, {bread,jam}=>{milk},
     * {jam,milk}=>{bread}. */
    CHECK_INT(xs_rules_n(r), 6);
    const char *want[] = {"jam=>bread", "jam=>milk", "bread,jam=>milk", "jam,milk=>bread",
                          "milk=>bread", "bread=>milk"};
    for (size_t i = 0; i < xs_rules_n(r) && i < 6; i++) {
        xs_rules_get(r, i, &x);
        char buf[64] = "";
        for (size_t k = 0; k < x.n_lhs; k++) {
            if (k) strcat(buf, ",");
            strcat(buf, xs_baskets_item_name(b, x.lhs[k]));
        }
        strcat(buf, "=>");
        strcat(buf, xs_baskets_item_name(b, x.rhs[0]));
        CHECK_STR(buf, want[i]);
    }
    xs_rules_get(r, 5, &x);
    CHECK_INT(x.count, 6);
    CHECK_INT(x.lhs_count, 8);
    CHECK_INT(x.rhs_count, 7);
    CHECK_NEAR(x.conviction, 1.2, 1e-15);
    xs_rules_free(r);
    /* --no-redundant: {bread,jam}=>{milk} (conf 1) has {jam}=>{milk} (conf 1): dropped;
     * {jam,milk}=>{bread} likewise; 4 rules remain. */
    o.no_redundant = 1;
    CHECK_INT(xs_rules_mine(&r, b, &o, NULL), XS_OK);
    CHECK_INT(xs_rules_n(r), 4);
    xs_rules_free(r);
    /* --rhs bread */
    uint32_t id;
    CHECK_INT(xs_baskets_find_item(b, "bread", &id), XS_OK);
    o.no_redundant = 0;
    o.rhs = &id;
    o.n_rhs = 1;
    CHECK_INT(xs_rules_mine(&r, b, &o, NULL), XS_OK);
    CHECK_INT(xs_rules_n(r), 3); /* jam, jam+milk, milk => bread */
    xs_rules_free(r);
    xs_baskets_free(b);
}

static void test_alloc_failures(void)
{
    xs__rng r;
    xs__rng_seed(&r, 3);
    dataset d;
    make_dataset(&d, &r);
    xs_rule_opts o;
    xs_rule_opts_init(&o);
    o.mine.min_count = 1;
    o.min_confidence = 0;
    o.no_redundant = 1;
    uint32_t rhs = d.id_of[0] != UINT32_MAX ? d.id_of[0] : d.id_of[1];
    for (int variant = 0; variant < 3; variant++) {
        /* 0: all rules; 1: --rhs, --multi-rhs; 2: top-N heap */
        o.rhs = variant == 1 && rhs != UINT32_MAX ? &rhs : NULL;
        o.n_rhs = o.rhs ? 1 : 0;
        o.multi_rhs = variant == 1;
        o.max_rules = variant == 2 ? 3 : 0;
        xs_rules *res = NULL;
        xs__alloc_fail_after(1000000);
        CHECK_INT(xs_rules_mine(&res, d.b, &o, NULL), XS_OK);
        long n = xs__alloc_fail_after(-1);
        xs_rules_free(res);
        for (long k = 0; k < n; k++) {
            xs__alloc_fail_after(k);
            int rc = xs_rules_mine(&res, d.b, &o, NULL);
            xs__alloc_fail_after(-1);
            CHECK_INT(rc, XS_ENOMEM);
            CHECK(res == NULL);
        }
    }
    xs_baskets_free(d.b);
}

int main(void)
{
    static const xs_test tests[] = {
        {"hand", test_hand},
        {"random_vs_brute", test_random_vs_brute},
        {"top_n_vs_sort", test_top_n_vs_sort},
        {"alloc_failures", test_alloc_failures},
    };
    return xs_test_run(tests, XS_N(tests));
}
