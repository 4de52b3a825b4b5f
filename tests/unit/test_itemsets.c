/*
 * test_itemsets.c — the frequent-itemset miner against a brute-force
 * enumerator on hundreds of random small datasets (all, closed, maximal;
 * sorted, counted and streamed; max-len; thresholds at exact boundaries;
 * both algorithms — occurrence delivery and bit vectors — and the choice),
 * the support-threshold arithmetic, and the published retail.dat figure.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/rng.h"
#include "mine/baskets.h"
#include "mine/itemsets.h"
#include "io/baskets_read.h"
#include "xsell.h"

/* Item names: numbers (compared numerically), words, a comma, a space. */
static const char *NAMES[] = {"10", "9", "apple", "Banana", "2",  "b",  "a b",
                              "x,y", "100", "07", "z",      "mm", "7", "0"};
#define MAX_ITEMS 14

typedef struct dataset {
    size_t n_tx, n_items;
    uint32_t mask[64]; /* items of each basket (by NAMES index) */
    xs_baskets *b;
} dataset;

/* Random baskets; items added in random order with random repeats. */
static void make_dataset(dataset *d, xs__rng *r, int kind)
{
    memset(d, 0, sizeof *d);
    d->n_items = 1 + xs__rng_below(r, MAX_ITEMS);
    d->n_tx = xs__rng_below(r, 41);
    if (kind == 1) d->n_tx = 1;
    double p = 0.05 + 0.9 * xs__rng_uniform(r);
    d->b = xs_baskets_new();
    uint32_t same = 0;
    for (size_t t = 0; t < d->n_tx; t++) {
        uint32_t m = 0;
        if (kind == 2 && t > 0) m = same; /* all identical */
        else
            for (size_t i = 0; i < d->n_items; i++)
                if (xs__rng_uniform(r) < p) m |= 1u << i;
        if (xs__rng_uniform(r) < 0.08) m = 0; /* empty basket */
        if (t == 0) same = m;
        d->mask[t] = m;
        /* add in a random order, some twice */
        size_t order[MAX_ITEMS * 2], n = 0;
        for (size_t i = 0; i < d->n_items; i++)
            if (m >> i & 1) {
                order[n++] = i;
                if (xs__rng_uniform(r) < 0.2) order[n++] = i;
            }
        for (size_t i = n; i > 1; i--) {
            size_t j = xs__rng_below(r, i);
            size_t x = order[i - 1];
            order[i - 1] = order[j];
            order[j] = x;
        }
        for (size_t i = 0; i < n; i++) xs_baskets_add(d->b, NAMES[order[i]]);
        xs_baskets_end(d->b);
    }
}

static uint32_t count_mask(const dataset *d, uint32_t s)
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

/* Expected: 1 when itemset s is reported for target/minc/max_len. */
static int brute_reported(const dataset *d, uint32_t s, uint64_t minc, size_t max_len,
                          xs_itemset_target target)
{
    if (!s) return 0;
    uint32_t c = count_mask(d, s);
    if (c < minc || (max_len && (size_t)popcount(s) > max_len)) return 0;
    if (target == XS_ITEMSETS_ALL) return 1;
    if (max_len && (size_t)popcount(s) == max_len) return 1;
    for (size_t j = 0; j < d->n_items; j++) {
        if (s >> j & 1) continue;
        uint32_t cj = count_mask(d, s | 1u << j);
        if (target == XS_ITEMSETS_CLOSED && cj == c) return 0;
        if (target == XS_ITEMSETS_MAXIMAL && cj >= minc) return 0;
    }
    return 1;
}

static uint32_t ids_to_mask(const xs_baskets *b, const uint32_t *ids, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = xs_baskets_item_name(b, ids[i]);
        for (size_t k = 0; k < MAX_ITEMS; k++)
            if (!strcmp(name, NAMES[k])) m |= 1u << k;
    }
    return m;
}

typedef struct seen {
    const dataset *d;
    uint32_t *counts; /* per mask: count + 1 when reported, 0 otherwise */
    long n, bad;
} seen;

static int seen_emit(void *ctx, const uint32_t *items, size_t n, uint64_t count)
{
    seen *s = ctx;
    for (size_t i = 1; i < n; i++)
        if (xs__mine_item_name_cmp(xs_baskets_item_name(s->d->b, items[i - 1]),
                                   xs_baskets_item_name(s->d->b, items[i])) >= 0)
            s->bad++;
    uint32_t m = ids_to_mask(s->d->b, items, n);
    if (s->counts[m]) s->bad++;
    s->counts[m] = (uint32_t)count + 1;
    s->n++;
    return 0;
}

static int cmp_names(const xs_baskets *b, const uint32_t *x, size_t nx, const uint32_t *y,
                     size_t ny)
{
    for (size_t i = 0; i < nx && i < ny; i++) {
        int c = xs__mine_item_name_cmp(xs_baskets_item_name(b, x[i]),
                                       xs_baskets_item_name(b, y[i]));
        if (c) return c;
    }
    return (nx > ny) - (nx < ny);
}

/* Runs every entry point on d and compares with brute force. */
static void check_one(const dataset *d, uint64_t minc, double support, size_t max_len,
                      xs_itemset_target target)
{
    xs_mine_opts o = {support, minc, max_len, target};
    uint64_t want_minc = minc ? minc : xs_min_count(support, d->n_tx);
    uint32_t full = 1u << d->n_items;
    size_t want_n = 0;
    for (uint32_t s = 1; s < full; s++)
        want_n += (size_t)brute_reported(d, s, want_minc, max_len, target);

    /* stored and sorted */
    xs_itemsets *res = NULL;
    CHECK_INT(xs_itemsets_mine(&res, d->b, &o, NULL), XS_OK);
    if (!res) return;
    CHECK_INT(xs_itemsets_n(res), want_n);
    CHECK_INT(xs_itemsets_n_tx(res), d->n_tx);
    const uint32_t *prev = NULL;
    size_t prev_n = 0;
    uint64_t prev_c = 0;
    for (size_t i = 0; i < xs_itemsets_n(res); i++) {
        const uint32_t *it;
        uint64_t c;
        size_t n = xs_itemsets_get(res, i, &it, &c);
        uint32_t m = ids_to_mask(d->b, it, n);
        CHECK_INT(popcount(m), n);
        CHECK(brute_reported(d, m, want_minc, max_len, target));
        CHECK_INT(c, count_mask(d, m));
        for (size_t k = 1; k < n; k++)
            CHECK(xs__mine_item_name_cmp(xs_baskets_item_name(d->b, it[k - 1]),
                                         xs_baskets_item_name(d->b, it[k])) < 0);
        if (prev) { /* size asc, count desc, names */
            int ok = prev_n < n ||
                     (prev_n == n && (prev_c > c ||
                                      (prev_c == c && cmp_names(d->b, prev, prev_n, it, n) < 0)));
            CHECK(ok);
        }
        prev = it;
        prev_n = n;
        prev_c = c;
    }
    xs_itemsets_free(res);

    /* counted */
    uint64_t n_count = 0;
    CHECK_INT(xs_itemsets_count(d->b, &o, &n_count, NULL), XS_OK);
    CHECK_INT(n_count, want_n);

    /* streamed */
    seen s = {d, xs__calloc(full, sizeof(uint32_t)), 0, 0};
    CHECK_INT(xs_itemsets_each(d->b, &o, seen_emit, &s, NULL), XS_OK);
    CHECK_INT(s.n, want_n);
    CHECK_INT(s.bad, 0);
    for (uint32_t m = 1; m < full; m++) {
        int want = brute_reported(d, m, want_minc, max_len, target);
        CHECK_INT(s.counts[m] != 0, want);
        if (want) CHECK_INT(s.counts[m], count_mask(d, m) + 1);
    }
    xs__free(s.counts);
}

static void test_random_vs_brute(void)
{
    xs__rng r;
    xs__rng_seed(&r, 20261122);
    long before = xs_test_failures;
    for (int round = 0; round < 450 && xs_test_failures == before; round++) {
        dataset d;
        make_dataset(&d, &r, round % 10 == 3 ? 1 : round % 10 == 7 ? 2 : 0);
        /* thresholds: absolute, and a fraction at an exact boundary */
        uint64_t minc = 1 + xs__rng_below(&r, d.n_tx ? d.n_tx : 1);
        size_t max_len = xs__rng_below(&r, 3) == 0 ? 1 + xs__rng_below(&r, 4) : 0;
        /* every path: automatic choice, occurrence delivery, bit vectors */
        xs__mine_itemsets_force_algo(round % 3);
        for (int t = 0; t < 3; t++) {
            check_one(&d, minc, 0, max_len, (xs_itemset_target)t);
            if (d.n_tx) {
                double s = (double)minc / (double)d.n_tx;
                check_one(&d, 0, s, max_len, (xs_itemset_target)t);
                check_one(&d, 0, nextafter(s, 2.0), max_len, (xs_itemset_target)t);
            }
        }
        if (xs_test_failures != before) fprintf(stderr, "round %d (algorithm %d)\n", round, round % 3);
        xs_baskets_free(d.b);
    }
    xs__mine_itemsets_force_algo(0);
}

static void test_min_count(void)
{
    CHECK_INT(xs_min_count(0.001, 88162), 89);
    CHECK_INT(xs_min_count(0.5, 10), 5);
    CHECK_INT(xs_min_count(0.3, 10), 3);
    CHECK_INT(xs_min_count(0.30000000000000004, 10), 4);
    CHECK_INT(xs_min_count(1.0, 10), 10);
    CHECK_INT(xs_min_count(0.0, 10), 1);
    CHECK_INT(xs_min_count(0.1, 0), 1);
    CHECK_INT(xs_min_count(1e-9, 10), 1);
    /* every exact fraction c/n and the next double above it */
    for (size_t n = 1; n <= 600; n += 7)
        for (size_t c = 1; c <= n; c++) {
            double s = (double)c / (double)n;
            uint64_t k = xs_min_count(s, n);
            CHECK_INT(k, c);
            CHECK((double)k / (double)n >= s);
            CHECK((double)(k - 1) / (double)n < s);
            uint64_t k2 = xs_min_count(nextafter(s, 2.0), n);
            CHECK_INT(k2, c + 1);
        }
}

/* Hand-checked example: 5 baskets
 *   {a,b,c} {a,b} {a,c} {a} {}        N = 5
 * counts: a 4, b 2, c 2, ab 2, ac 2, bc 1, abc 1.
 * min count 2 -> a(4) b(2) c(2) ab(2) ac(2): 5 itemsets, sorted
 *   {a} 4, {b} 2, {c} 2, {a,b} 2, {a,c} 2.
 * closed (no superset with the same count): a 4, ab 2, ac 2 (b 2 = ab 2: no).
 * maximal: ab, ac. */
static void test_hand(void)
{
    xs_baskets *b = xs_baskets_new();
    const char *tx[][3] = {{"a", "b", "c"}, {"b", "a", NULL}, {"c", "a", NULL}, {"a", NULL, NULL},
                           {NULL, NULL, NULL}};
    for (int t = 0; t < 5; t++) {
        for (int i = 0; i < 3 && tx[t][i]; i++) xs_baskets_add(b, tx[t][i]);
        xs_baskets_end(b);
    }
    CHECK_INT(xs_baskets_n_tx(b), 5);
    const char *want_all[] = {"a:4", "b:2", "c:2", "a,b:2", "a,c:2"};
    const char *want_closed[] = {"a:4", "a,b:2", "a,c:2"};
    const char *want_max[] = {"a,b:2", "a,c:2"};
    const char **want[] = {want_all, want_closed, want_max};
    size_t n_want[] = {5, 3, 2};
    for (int t = 0; t < 3; t++) {
        xs_mine_opts o = {0, 2, 0, (xs_itemset_target)t};
        xs_itemsets *s;
        CHECK_INT(xs_itemsets_mine(&s, b, &o, NULL), XS_OK);
        CHECK_INT(xs_itemsets_n(s), n_want[t]);
        for (size_t i = 0; i < xs_itemsets_n(s) && i < n_want[t]; i++) {
            const uint32_t *it;
            uint64_t c;
            size_t n = xs_itemsets_get(s, i, &it, &c);
            char buf[64] = "";
            for (size_t k = 0; k < n; k++) {
                if (k) strcat(buf, ",");
                strcat(buf, xs_baskets_item_name(b, it[k]));
            }
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ":%llu",
                     (unsigned long long)c);
            CHECK_STR(buf, want[t][i]);
        }
        xs_itemsets_free(s);
    }
    /* min support 0.4 = 2/5 exactly: the same 5 itemsets */
    xs_mine_opts o = {0.4, 0, 0, XS_ITEMSETS_ALL};
    uint64_t n;
    CHECK_INT(xs_itemsets_count(b, &o, &n, NULL), XS_OK);
    CHECK_INT(n, 5);
    o.min_support = 0.41;
    CHECK_INT(xs_itemsets_count(b, &o, &n, NULL), XS_OK);
    CHECK_INT(n, 1);
    xs_baskets_free(b);
}

/* Every allocation failure unwinds cleanly (ASan checks for leaks). */
static void test_alloc_failures(void)
{
    xs__rng r;
    xs__rng_seed(&r, 7);
    dataset d;
    make_dataset(&d, &r, 0);
    while (d.n_tx < 10) {
        xs_baskets_free(d.b);
        make_dataset(&d, &r, 0);
    }
    for (int algo = 1; algo <= 2; algo++) {
        xs__mine_itemsets_force_algo(algo);
        for (int t = 0; t < 3; t++) {
            xs_mine_opts o = {0, 1, 0, (xs_itemset_target)t};
            xs_itemsets *s = NULL;
            xs__alloc_fail_after(1000000);
            CHECK_INT(xs_itemsets_mine(&s, d.b, &o, NULL), XS_OK);
            long n_allocs = xs__alloc_fail_after(-1);
            xs_itemsets_free(s);
            for (long k = 0; k < n_allocs; k++) {
                xs_error e;
                xs__alloc_fail_after(k);
                int rc = xs_itemsets_mine(&s, d.b, &o, &e);
                xs__alloc_fail_after(-1);
                CHECK_INT(rc, XS_ENOMEM);
                CHECK(s == NULL);
            }
        }
    }
    xs__mine_itemsets_force_algo(0);
    /* the streaming path (closed / maximal checks in the recursion) */
    for (int t = 0; t < 3; t++) {
        xs_mine_opts o = {0, 1, 0, (xs_itemset_target)t};
        uint32_t seen_counts[1 << MAX_ITEMS];
        seen sn = {&d, seen_counts, 0, 0};
        memset(seen_counts, 0, sizeof seen_counts);
        xs__alloc_fail_after(1000000);
        CHECK_INT(xs_itemsets_each(d.b, &o, seen_emit, &sn, NULL), XS_OK);
        long n_allocs = xs__alloc_fail_after(-1);
        for (long k = 0; k < n_allocs; k++) {
            memset(seen_counts, 0, sizeof seen_counts);
            xs__alloc_fail_after(k);
            int rc = xs_itemsets_each(d.b, &o, seen_emit, &sn, NULL);
            xs__alloc_fail_after(-1);
            CHECK_INT(rc, XS_ENOMEM);
        }
    }
    xs_baskets_free(d.b);
}

static void test_empty(void)
{
    xs_baskets *b = xs_baskets_new();
    xs_mine_opts o = {0.1, 0, 0, XS_ITEMSETS_ALL};
    uint64_t n = 99;
    CHECK_INT(xs_itemsets_count(b, &o, &n, NULL), XS_OK);
    CHECK_INT(n, 0);
    xs_baskets_end(b);
    xs_baskets_end(b);
    CHECK_INT(xs_itemsets_count(b, &o, &n, NULL), XS_OK);
    CHECK_INT(n, 0);
    xs_baskets_free(b);
}

/* Published figure (FIMI repository / Borgelt): retail.dat at an absolute
 * minimum support of 89 has 7,589 frequent itemsets. */
static void test_retail(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/../shared/data/fimi/retail.dat", src ? src : ".");
    FILE *f = fopen(path, "r");
    if (!f) {
        xs_test_skip_absent(path);
        return;
    }
    fclose(f);
    xs_baskets *b;
    xs_error e;
    CHECK_INT(xs_baskets_read(&b, path, XS_BASKETS_FIMI, &e), XS_OK);
    CHECK_INT(xs_baskets_n_tx(b), 88162);
    CHECK_INT(xs_baskets_n_items(b), 16470);
    xs_mine_opts o = {0, 89, 0, XS_ITEMSETS_ALL};
    uint64_t n = 0;
    CHECK_INT(xs_itemsets_count(b, &o, &n, NULL), XS_OK);
    CHECK_INT(n, 7589);
    o.min_count = 0;
    o.min_support = 0.001;
    CHECK_INT(xs_itemsets_count(b, &o, &n, NULL), XS_OK);
    CHECK_INT(n, 7589);
    xs_baskets_free(b);
}

int main(void)
{
    static const xs_test tests[] = {
        {"min_count", test_min_count},
        {"hand", test_hand},
        {"empty", test_empty},
        {"random_vs_brute", test_random_vs_brute},
        {"alloc_failures", test_alloc_failures},
        {"data:retail", test_retail},
    };
    return xs_test_run(tests, XS_N(tests));
}
