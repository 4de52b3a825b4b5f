/*
 * relevance.c — the rules that keep shop offers relevant, as a
 * merchandiser would hold them (docs/offers.md, "Relevance"): one function
 * per rule, read by candidates.c (which flags the candidates), guardrails.c
 * (which suppresses and orders them) and explain.c (which quotes them).
 *
 *   substitute   a shop product is not offered as a complement of a product
 *                of the same family or category, at a similar price, whose
 *                buyers it does not share more than chance allows for
 *                (xs__offer_is_substitute);
 *   price band   a shop cross-sell far above the largest order line the
 *                customer ever had needs strong evidence (xs__offer_out_of_band);
 *   evidence     the base counts that let an explanation say "12 of 40
 *                customers (30%)" (buyers, orders_of, holders);
 *   ladder       the next tier of a shop product's family (up_tier);
 *   bundles      frequent itemsets of 2 or 3 shop products over the order
 *                baskets whose every item goes with the rest.
 *
 * Everything is built once per engine (xs__offer_relevance_build); a
 * decision reads it and the customer's shop history, gathered on the stack
 * (xs__offer_shop_gather), without allocating.
 *
 * Why a "volume-adjusted" lift for substitutes. Customers differ hugely in
 * how much they buy: one who buys forty products has bought almost
 * everything, so over customers every pair of products looks associated
 * (on the demo company every same-category pair has a plain lift of 1.3 to
 * 2.2, desktop and laptop included). The expected number of customers who
 * bought both a and b is instead taken from each customer's own number of
 * distinct products k_c: P(c bought a) = min(1, k_c q_a) with q_a = n_a /
 * sum k, and E[n_ab] = sum_c P(c bought a) P(c bought b) (a histogram of
 * k_c makes that a short sum). n_ab / E[n_ab] is about 1 for products
 * bought independently of each other, well above 1 for real complements
 * (printer and toner 1.6, desk and chair 2.0 on the demo), below 1 for
 * products bought instead of each other.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bundles kept per product (the most frequent): a customer's decision
 * visits the bundles of each recent purchase. */
#define BUNDLES_PER_ITEM 16

/* ---------------------------------------------------------------------- */
/* Pair map                                                               */
/* ---------------------------------------------------------------------- */

static uint64_t pair_key(uint32_t a, uint32_t b)
{
    return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

/* Slot of key k in m (where it is, or the empty slot it would go to). */
static size_t pair_slot(const xs__offer_pairs *m, uint64_t k)
{
    size_t i = (size_t)xs__mix64(k) & (m->cap - 1);
    while (m->key[i] != UINT64_MAX && m->key[i] != k)
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* Adds 1 to the count of k (counts live in cnt, parallel to key). XS_OK or
 * XS_ENOMEM. */
static int pair_add(xs__offer_pairs *m, uint32_t **cnt, uint64_t k, uint32_t by)
{
    if (2 * (m->n + 1) > m->cap) {
        size_t nc = m->cap ? 2 * m->cap : 1024;
        uint64_t *nk = xs__malloc(nc * sizeof *nk);
        uint32_t *nn = xs__calloc(nc, sizeof *nn);
        if (!nk || !nn) {
            xs__free(nk);
            xs__free(nn);
            return XS_ENOMEM;
        }
        for (size_t i = 0; i < nc; i++)
            nk[i] = UINT64_MAX;
        xs__offer_pairs g = {nk, NULL, nc, m->n};
        for (size_t i = 0; i < m->cap; i++) {
            if (m->key[i] == UINT64_MAX) continue;
            size_t j = pair_slot(&g, m->key[i]);
            nk[j] = m->key[i];
            nn[j] = (*cnt)[i];
        }
        xs__free(m->key);
        xs__free(*cnt);
        m->key = nk;
        *cnt = nn;
        m->cap = nc;
    }
    size_t i = pair_slot(m, k);
    if (m->key[i] == UINT64_MAX) m->key[i] = k, m->n++;
    (*cnt)[i] += by;
    return XS_OK;
}

/* Value index of k in m, or SIZE_MAX. */
static size_t pair_find(const xs__offer_pairs *m, uint64_t k)
{
    if (!m->cap) return SIZE_MAX;
    size_t i = pair_slot(m, k);
    return m->key[i] == k ? i : SIZE_MAX;
}

/* ---------------------------------------------------------------------- */
/* Substitutes                                                            */
/* ---------------------------------------------------------------------- */

/* The structural half of the substitute rule: same family or category, at
 * a similar price (two tiers of one family: any price). */
static int same_group(const xs_offer_engine *en, uint32_t a, uint32_t b)
{
    const struct xs_snapshot *s = en->s;
    if (a == b || s->prod.kind[a] != XS_SNAP_KIND_PRODUCT ||
        s->prod.kind[b] != XS_SNAP_KIND_PRODUCT)
        return 0;
    uint16_t fa = s->prod.family[a], ca = s->prod.category[a];
    int fam = fa != XS_SNAP_NONE16 && fa == s->prod.family[b];
    int cat = ca != XS_SNAP_NONE16 && ca == s->prod.category[b];
    if (!fam && !cat) return 0;
    if (fam && s->prod.tier[a] > 0 && s->prod.tier[b] > 0) return 1;
    double pa = (double)s->prod.price[a], pb = (double)s->prod.price[b];
    double lo = pa < pb ? pa : pb, hi = pa < pb ? pb : pa;
    return lo > 0 && hi <= en->cfg.subst_price_ratio * lo;
}

/* Contract in offer_int.h. */
int xs__offer_is_substitute(const xs_offer_engine *en, uint32_t a, uint32_t b,
                            double *lift)
{
    double l = 0;
    if (lift) *lift = 0;
    if (!same_group(en, a, b)) return 0;
    size_t i = pair_find(&en->subst, pair_key(a, b));
    if (i != SIZE_MAX) l = en->subst.lift[i];
    if (lift) *lift = l;
    return l < en->cfg.subst_lift;
}

/* ---------------------------------------------------------------------- */
/* Building                                                               */
/* ---------------------------------------------------------------------- */

/* A product as the substitute pairs are counted: by group, then price. */
typedef struct gp {
    uint16_t g;
    int64_t price;
    uint32_t p;
} gp;

static int cmp_gp(const void *pa, const void *pb)
{
    const gp *a = pa, *b = pb;
    if (a->g != b->g) return a->g < b->g ? -1 : 1;
    if (a->price != b->price) return a->price < b->price ? -1 : 1;
    return (a->p > b->p) - (a->p < b->p);
}

/* Sorts g[0..n) by cmp_gp: a customer holds a few shop products, and
 * qsort's call per comparison and set-up cost more than the sort itself for
 * those (two sorts for each of a million customers); insertion sort up to
 * 16. cmp_gp is a total order (products are distinct), so either way gives
 * the same order. */
static void sort_gp(gp *g, size_t n)
{
    if (n > 16) {
        qsort(g, n, sizeof *g, cmp_gp);
        return;
    }
#define GP_LESS(a, b) (cmp_gp(a, b) < 0)
    XS__SORT_INSERTION(gp, g, n, GP_LESS);
#undef GP_LESS
}

/* Counts, for one customer's distinct shop products it[0..n), the pairs
 * of the same group (within the price window) into the pair map. Sorted by
 * group and price, so a pair is only looked at when its prices are within
 * subst_price_ratio (or both are tiers of one family). The family pass
 * skips pairs that share a category (already counted). */
static int count_pairs(const xs_offer_engine *en, const uint32_t *it, size_t n, gp *g,
                       xs__offer_pairs *m, uint32_t **cnt)
{
    const struct xs_snapshot *s = en->s;
    for (int fam = 0; fam < 2; fam++) {
        for (size_t i = 0; i < n; i++) {
            g[i].p = it[i];
            g[i].g = fam ? s->prod.family[it[i]] : s->prod.category[it[i]];
            g[i].price = s->prod.price[it[i]];
        }
        sort_gp(g, n);
        for (size_t i = 0; i < n; i++) {
            uint32_t a = g[i].p;
            if (g[i].g == XS_SNAP_NONE16) continue;
            for (size_t j = i + 1; j < n && g[j].g == g[i].g; j++) {
                uint32_t b = g[j].p;
                int tiers = fam && s->prod.tier[a] > 0 && s->prod.tier[b] > 0;
                if (!tiers && (double)g[j].price >
                                  en->cfg.subst_price_ratio * (double)g[i].price)
                    break; /* sorted by price: none further is similar */
                if (fam && s->prod.category[a] != XS_SNAP_NONE16 &&
                    s->prod.category[a] == s->prod.category[b])
                    continue; /* counted by the category pass */
                if (!same_group(en, a, b)) continue;
                if (pair_add(m, cnt, pair_key(a, b), 1) < 0) return XS_ENOMEM;
            }
        }
    }
    return XS_OK;
}

/* Buyers, orders, holders, the k histogram and the substitute pairs. */
static int build_counts(xs_offer_engine *en)
{
    const struct xs_snapshot *s = en->s;
    size_t np = s->prod.n, nf = s->dict.families.n;
    uint32_t *stamp = xs__calloc(np + nf + 1, sizeof *stamp);
    uint32_t *it = xs__malloc((np + 1) * sizeof *it);
    uint32_t *khist = xs__calloc(np + 1, sizeof *khist); /* customers with k */
    uint32_t *cnt = NULL;
    gp *g = xs__malloc((np + 1) * sizeof *g);
    int rc = XS_ENOMEM;
    en->buyers = xs__calloc(np + 1, sizeof *en->buyers);
    en->orders_of = xs__calloc(np + 1, sizeof *en->orders_of);
    en->holders = xs__calloc(nf + 1, sizeof *en->holders);
    if (!stamp || !it || !g || !khist || !en->buyers || !en->orders_of || !en->holders)
        goto cleanup;
    for (uint32_t c = 0; c < s->cust.n; c++) {
        size_t n = 0;
        for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
            if (s->sub.start[r] > en->as_of) continue;
            uint16_t f = s->prod.family[s->sub.product[r]];
            if (f == XS_SNAP_NONE16 || stamp[np + f] == c + 1) continue;
            stamp[np + f] = c + 1;
            en->holders[f]++;
        }
        for (uint32_t o = s->cust.order_off[c]; o < s->cust.order_off[c + 1]; o++) {
            if (s->ord.date[o] > en->as_of) continue;
            for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++) {
                uint32_t p = s->ord.product[l];
                en->orders_of[p]++; /* one line per product and order */
                if (s->prod.kind[p] != XS_SNAP_KIND_PRODUCT || stamp[p] == c + 1) continue;
                stamp[p] = c + 1;
                it[n++] = p;
                en->buyers[p]++;
            }
        }
        khist[n]++;
        if (n >= 2 && count_pairs(en, it, n, g, &en->subst, &cnt) < 0) goto cleanup;
    }
    /* the volume-adjusted lift of every pair seen (see the essay above) */
    double K = 0;
    for (size_t k = 1; k <= np; k++)
        K += (double)k * khist[k];
    size_t nk = 0;
    for (size_t k = 1; k <= np; k++)
        if (khist[k]) it[nk++] = (uint32_t)k; /* the distinct k values */
    if (en->subst.cap) {
        /* zeroed: the empty slots are saved in a model file too */
        en->subst.lift = xs__calloc(en->subst.cap, sizeof *en->subst.lift);
        if (!en->subst.lift) goto cleanup;
        for (size_t i = 0; i < en->subst.cap; i++) {
            if (en->subst.key[i] == UINT64_MAX) continue;
            uint32_t a = (uint32_t)(en->subst.key[i] >> 32), b = (uint32_t)en->subst.key[i];
            double qa = en->buyers[a] / K, qb = en->buyers[b] / K, e = 0;
            for (size_t j = 0; j < nk; j++) {
                double k = it[j], pa = k * qa, pb = k * qb;
                e += khist[it[j]] * (pa < 1 ? pa : 1) * (pb < 1 ? pb : 1);
            }
            en->subst.lift[i] = e > 0 ? (float)(cnt[i] / e) : 0;
        }
    }
    rc = XS_OK;
cleanup:
    xs__free(stamp);
    xs__free(it);
    xs__free(khist);
    xs__free(cnt);
    xs__free(g);
    return rc;
}

/* The next tier of each tiered shop product and the declared discounts. */
static int build_ladder(xs_offer_engine *en)
{
    const struct xs_snapshot *s = en->s;
    size_t np = s->prod.n;
    en->up_tier = xs__malloc((np + 1) * sizeof *en->up_tier);
    en->bundle_disc = xs__calloc(np + 1, sizeof *en->bundle_disc);
    if (!en->up_tier || !en->bundle_disc) return XS_ENOMEM;
    uint32_t dc = xs__intern_find(&s->dict.metrics, "bundle_discount", 15);
    for (size_t p = 0; p < np; p++) {
        en->up_tier[p] = -1;
        for (uint32_t l = s->prod.limit_off[p]; dc != XS_INTERN_NONE && l < s->prod.limit_off[p + 1]; l++)
            if (s->prod.limit_name[l] == dc) {
                double d = s->prod.limit_value[l] / 100;
                en->bundle_disc[p] = d < 0 ? 0 : d > 1 ? 1 : d;
            }
        uint16_t f = s->prod.family[p];
        if (s->prod.kind[p] != XS_SNAP_KIND_PRODUCT || f == XS_SNAP_NONE16 ||
            !s->prod.tier[p])
            continue;
        for (uint32_t i = s->prod.family_off[f]; i < s->prod.family_off[f + 1]; i++) {
            uint32_t q = s->prod.family_products[i];
            if (s->prod.kind[q] == XS_SNAP_KIND_PRODUCT &&
                s->prod.tier[q] == s->prod.tier[p] + 1) {
                en->up_tier[p] = (int32_t)q; /* by tier, then price, then id */
                break;
            }
        }
    }
    return XS_OK;
}

/* Itemsets collected while mining bundles. */
typedef struct bundle_ctx {
    const uint32_t *prod; /* basket item -> product */
    xs__offer_pairs pairs; /* pair -> count */
    uint32_t *pcnt;
    uint32_t (*tri)[4]; /* items a < b < c, count */
    size_t n_tri, cap_tri;
} bundle_ctx;

static int on_itemset(void *ctx, const uint32_t *items, size_t n, uint64_t count)
{
    bundle_ctx *b = ctx;
    if (n == 2) {
        if (pair_add(&b->pairs, &b->pcnt,
                     pair_key(b->prod[items[0]], b->prod[items[1]]),
                     (uint32_t)count) < 0)
            return XS_ENOMEM;
    } else if (n == 3) {
        if (xs__grow(&b->tri, &b->cap_tri, b->n_tri + 1, sizeof *b->tri) < 0)
            return XS_ENOMEM;
        uint32_t t[3] = {b->prod[items[0]], b->prod[items[1]], b->prod[items[2]]};
        for (int i = 1; i < 3; i++) /* sort the three */
            for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
                uint32_t x = t[j];
                t[j] = t[j - 1];
                t[j - 1] = x;
            }
        uint32_t *r = b->tri[b->n_tri++];
        r[0] = t[0], r[1] = t[1], r[2] = t[2], r[3] = (uint32_t)count;
    }
    return XS_OK;
}

/* The order baskets of the bundles into bk: the shop lines of each order
 * up to as_of. Returns XS_OK or XS_ENOMEM. */
static int order_baskets(const xs_offer_engine *en, xs_baskets *bk)
{
    const struct xs_snapshot *s = en->s;
    for (uint32_t o = 0; o < s->ord.n; o++) {
        if (s->ord.date[o] > en->as_of) continue;
        int any = 0;
        for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++) {
            uint32_t p = s->ord.product[l];
            if (s->prod.kind[p] != XS_SNAP_KIND_PRODUCT) continue;
            if (xs_baskets_add(bk, xs__intern_str(&s->prod.ids, p)) < 0) return XS_ENOMEM;
            any = 1;
        }
        if (any && xs_baskets_end(bk) < 0) return XS_ENOMEM;
    }
    return XS_OK;
}

/* Keeps the mined pairs and triples of bc (over N baskets) whose lift is
 * at least bundle_lift, into en->bundles. Returns XS_OK or XS_ENOMEM. */
static int keep_bundles(xs_offer_engine *en, const bundle_ctx *bc, size_t N)
{
    size_t nb = 0;
    for (size_t i = 0; i < bc->pairs.cap; i++)
        nb += bc->pairs.key[i] != UINT64_MAX;
    en->bundles = xs__malloc((nb + bc->n_tri + 1) * sizeof *en->bundles);
    if (!en->bundles) return XS_ENOMEM;
    double dN = (double)N;
    for (size_t i = 0; i < bc->pairs.cap; i++) {
        if (bc->pairs.key[i] == UINT64_MAX) continue;
        uint32_t a = (uint32_t)(bc->pairs.key[i] >> 32), b = (uint32_t)bc->pairs.key[i];
        double lift = bc->pcnt[i] * dN / ((double)en->orders_of[a] * en->orders_of[b]);
        if (!(lift >= en->cfg.bundle_lift)) continue;
        xs__offer_bundle *x = &en->bundles[en->n_bundles++];
        memset(x, 0, sizeof *x);
        x->n = 2;
        x->item[0] = a, x->item[1] = b;
        x->count = bc->pcnt[i];
        x->sub[0] = en->orders_of[b];
        x->sub[1] = en->orders_of[a];
        x->lift = (float)lift;
    }
    for (size_t t = 0; t < bc->n_tri; t++) {
        uint32_t *r = bc->tri[t];
        xs__offer_bundle x = {{r[0], r[1], r[2]}, 3, r[3], {0, 0, 0}, 0};
        double lo = INFINITY;
        int ok = 1;
        for (int i = 0; i < 3 && ok; i++) {
            size_t k = pair_find(&bc->pairs, pair_key(r[(i + 1) % 3], r[(i + 2) % 3]));
            if (k == SIZE_MAX || !bc->pcnt[k]) {
                ok = 0;
                break;
            }
            x.sub[i] = bc->pcnt[k];
            double l = (double)x.count / x.sub[i] * dN / en->orders_of[r[i]];
            if (l < lo) lo = l;
        }
        if (!ok || !(lo >= en->cfg.bundle_lift)) continue;
        x.lift = (float)lo;
        en->bundles[en->n_bundles++] = x;
    }
    return XS_OK;
}

/* Indexes en->bundles per product (bundle_off, bundle_ix): each product's
 * most frequent BUNDLES_PER_ITEM. Returns XS_OK or XS_ENOMEM. */
static int index_bundles(xs_offer_engine *en)
{
    size_t np = en->s->prod.n;
    for (size_t i = 0; i < en->n_bundles; i++)
        for (int k = 0; k < en->bundles[i].n; k++)
            en->bundle_off[en->bundles[i].item[k] + 1]++;
    for (size_t p = 0; p < np; p++)
        en->bundle_off[p + 1] += en->bundle_off[p];
    en->bundle_ix = xs__malloc((en->bundle_off[np] + 1) * sizeof *en->bundle_ix);
    uint32_t *pos = xs__malloc((np + 1) * sizeof *pos);
    uint64_t *key64 = xs__malloc((en->n_bundles + 1) * sizeof *key64);
    if (!en->bundle_ix || !pos || !key64) {
        xs__free(pos);
        xs__free(key64);
        return XS_ENOMEM;
    }
    memcpy(pos, en->bundle_off, (np + 1) * sizeof *pos);
    for (size_t i = 0; i < en->n_bundles; i++)
        for (int k = 0; k < en->bundles[i].n; k++)
            en->bundle_ix[pos[en->bundles[i].item[k]]++] = (uint32_t)i;
    /* each product's bundles, most frequent first (then by index); the
     * first BUNDLES_PER_ITEM kept, compacted */
    uint32_t w = 0;
    for (size_t p = 0; p < np; p++) {
        uint32_t lo = en->bundle_off[p], hi = en->bundle_off[p + 1];
        for (uint32_t i = lo; i < hi; i++) {
            uint32_t b = en->bundle_ix[i];
            key64[i - lo] = (uint64_t)(UINT32_MAX - en->bundles[b].count) << 32 | b;
        }
        xs__sort_u64(key64, hi - lo);
        if (hi - lo > BUNDLES_PER_ITEM) hi = lo + BUNDLES_PER_ITEM;
        en->bundle_off[p] = w;
        for (uint32_t i = lo; i < hi; i++)
            en->bundle_ix[w++] = (uint32_t)key64[i - lo];
    }
    en->bundle_off[np] = w;
    xs__free(pos);
    xs__free(key64);
    return XS_OK;
}

/* Mines the bundles: itemsets of 2 and 3 shop products over the order
 * baskets (orders up to as_of, their shop lines), min_support of the
 * baskets and at least 2, kept when every item's lift given the rest is at
 * least bundle_lift. */
static int build_bundles(xs_offer_engine *en, xs_error *err)
{
    const struct xs_snapshot *s = en->s;
    size_t np = s->prod.n;
    xs_baskets *bk = xs_baskets_new();
    bundle_ctx bc = {0};
    uint32_t *prod = NULL;
    int rc = XS_ENOMEM;
    en->bundle_off = xs__calloc(np + 2, sizeof *en->bundle_off);
    if (!bk || !en->bundle_off) goto cleanup;
    if (order_baskets(en, bk) < 0) goto cleanup;
    size_t N = xs_baskets_n_tx(bk), ni = xs_baskets_n_items(bk);
    if (N == 0) {
        rc = XS_OK;
        goto cleanup;
    }
    if (!(prod = xs__malloc((ni + 1) * sizeof *prod))) goto cleanup;
    for (uint32_t i = 0; i < ni; i++) {
        const char *nm = xs_baskets_item_name(bk, i);
        prod[i] = xs__intern_find(&s->prod.ids, nm, strlen(nm));
    }
    bc.prod = prod;
    xs_mine_opts mo = {0};
    mo.min_count = xs_min_count(en->cfg.min_support, N);
    if (mo.min_count < 2) mo.min_count = 2;
    mo.max_len = 3;
    if ((rc = xs_itemsets_each(bk, &mo, on_itemset, &bc, err)) < 0) goto cleanup;
    rc = XS_ENOMEM;
    if (keep_bundles(en, &bc, N) < 0) goto cleanup;
    if (index_bundles(en) < 0) goto cleanup;
    rc = XS_OK;
cleanup:
    xs_baskets_free(bk);
    xs__free(prod);
    xs__free(bc.pairs.key);
    xs__free(bc.pcnt);
    xs__free(bc.tri);
    return rc;
}

/* Contract in offer_int.h. */
int xs__offer_relevance_build(xs_offer_engine *en, xs_error *err)
{
    int rc = build_counts(en);
    if (rc == XS_OK) rc = build_ladder(en);
    if (rc == XS_OK) rc = build_bundles(en, err);
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    return rc;
}

/* Contract in offer_int.h. */
void xs__offer_relevance_free(xs_offer_engine *en)
{
    xs__free(en->buyers);
    xs__free(en->orders_of);
    xs__free(en->holders);
    xs__free(en->subst.key);
    xs__free(en->subst.lift);
    xs__free(en->up_tier);
    xs__free(en->bundle_disc);
    xs__free(en->bundles);
    xs__free(en->bundle_off);
    xs__free(en->bundle_ix);
}

/* ---------------------------------------------------------------------- */
/* One customer's shop history                                            */
/* ---------------------------------------------------------------------- */

/* Records product p bought on day d in order o (UINT32_MAX: the cart);
 * recent: the order is within recent_days. */
static void shop_put(xs__offer_shop *h, uint32_t p, int32_t d, uint32_t o, int recent)
{
    size_t i = xs__offer_shop_slot(h, p);
    if (!h->key[i]) {
        if (h->n_bought == XS__OFFER_SHOP_MAX) {
            h->overflow = 1;
            return;
        }
        h->key[i] = p + 1;
        xs__offer_pmask_add(h->held, p);
        h->first[i] = h->last[i] = d;
        h->first_ord[i] = o;
        h->recent_ord[i] = UINT32_MAX;
        h->bought[h->n_bought++] = p;
    }
    if (d < h->first[i]) h->first[i] = d;
    if (d > h->last[i]) h->last[i] = d;
    if (o < h->first_ord[i]) h->first_ord[i] = o;
    if (recent && o < h->recent_ord[i]) h->recent_ord[i] = o;
}

/* Sorts list[0..n) by key[slot of the product], then product, through
 * tmp (n entries): 64-bit composites, so no comparator context is needed
 * (decisions run on several threads). */
static void sort_by_key(const xs__offer_shop *h, uint32_t *list, size_t n,
                        const uint32_t *key, uint64_t *tmp)
{
    for (size_t i = 0; i < n; i++)
        tmp[i] = (uint64_t)key[xs__offer_shop_slot(h, list[i])] << 32 | list[i];
    xs__sort_u64(tmp, n);
    for (size_t i = 0; i < n; i++)
        list[i] = (uint32_t)tmp[i];
}

/* Contract in offer_int.h. */
void xs__offer_shop_gather(const xs_offer_engine *en, uint32_t c, const uint32_t *cart,
                           size_t n_cart, xs__offer_shop *h)
{
    const struct xs_snapshot *s = en->s;
    uint32_t o0 = s->cust.order_off[c], o1 = s->cust.order_off[c + 1];
    size_t lines = s->ord.line_off[o1] - s->ord.line_off[o0] + n_cart, slots = 16;
    while (slots < 2 * lines && slots < XS__OFFER_SHOP_SLOTS)
        slots *= 2;
    h->mask = (uint32_t)(slots - 1);
    memset(h->key, 0, slots * sizeof *h->key);
    h->n_bought = h->n_recent = 0;
    h->overflow = 0;
    memset(h->held, 0, sizeof h->held);
    h->max_line = h->min_unit = 0;
    int32_t rlo = en->as_of - (int32_t)en->cfg.recent_days;
    /* newest first: past the cap, the most recent products are kept */
    for (uint32_t o = o1; o-- > o0;) {
        int32_t d = s->ord.date[o];
        if (d > en->as_of) continue;
        for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++) {
            uint32_t p = s->ord.product[l];
            double amt = (double)s->ord.amount[l] / en->money_div;
            if (amt > h->max_line) h->max_line = amt;
            if (s->ord.quantity[l] > 0 && amt > 0) {
                double u = amt / s->ord.quantity[l];
                if (h->min_unit == 0 || u < h->min_unit) h->min_unit = u;
            }
            shop_put(h, p, d, o, d > rlo);
        }
    }
    /* by first purchase (order, product), and the recent ones by their
     * first recent order: the order candidates visit the antecedents in */
    uint64_t tmp[XS__OFFER_SHOP_MAX];
    for (size_t i = 0; i < h->n_bought; i++)
        if (h->recent_ord[xs__offer_shop_slot(h, h->bought[i])] != UINT32_MAX)
            h->recent[h->n_recent++] = h->bought[i];
    sort_by_key(h, h->bought, h->n_bought, h->first_ord, tmp);
    sort_by_key(h, h->recent, h->n_recent, h->recent_ord, tmp);
    /* the cart: bought now, recent, at list price */
    for (size_t k = 0; k < n_cart; k++) {
        uint32_t p = cart[k];
        if (p >= s->prod.n) continue;
        size_t i = xs__offer_shop_slot(h, p);
        int was_recent = h->key[i] && h->recent_ord[i] != UINT32_MAX;
        shop_put(h, p, en->as_of, UINT32_MAX, 0);
        if (!h->key[i]) continue; /* past the cap */
        if (!was_recent) {
            h->recent_ord[i] = UINT32_MAX - 1;
            h->recent[h->n_recent++] = p;
        }
        double price = (double)s->prod.price[p] / en->money_div;
        if (price > h->max_line) h->max_line = price;
        if (price > 0 && (h->min_unit == 0 || price < h->min_unit)) h->min_unit = price;
    }
}

/* Contract in offer_int.h. */
int32_t xs__offer_shop_first(const xs__offer_shop *h, uint32_t p)
{
    size_t i = xs__offer_shop_slot(h, p);
    return h->key[i] ? h->first[i] : XS_SNAP_NO_DATE;
}

/* Contract in offer_int.h. */
int32_t xs__offer_shop_last_lines(const xs_offer_engine *en, uint32_t c, uint32_t p)
{
    const struct xs_snapshot *s = en->s;
    for (uint32_t o = s->cust.order_off[c + 1]; o-- > s->cust.order_off[c];) {
        if (s->ord.date[o] > en->as_of) continue;
        for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++)
            if (s->ord.product[l] == p) return s->ord.date[o];
    }
    return XS_SNAP_NO_DATE;
}

/* Contract in offer_int.h. */
int32_t xs__offer_substitute_of(const xs_offer_engine *en, uint32_t c,
                                const xs__offer_shop *h, uint32_t p, int32_t since)
{
    (void)c;
    for (size_t i = 0; i < h->n_bought; i++) {
        uint32_t q = h->bought[i];
        if (h->last[xs__offer_shop_slot(h, q)] < since) continue;
        if (xs__offer_is_substitute(en, p, q, NULL)) return (int32_t)q;
    }
    return -1;
}

/* ---------------------------------------------------------------------- */
/* Price band and evidence                                                */
/* ---------------------------------------------------------------------- */

/* Contract in offer_int.h. */
void xs__offer_price_band(const xs__offer_shop *h, double *lo, double *hi)
{
    *lo = h->min_unit;
    *hi = h->max_line;
}

/* Contract in offer_int.h. */
double xs__offer_list_price(const xs_offer_engine *en, const xs_offer *o)
{
    const struct xs_snapshot *s = en->s;
    double v = 0;
    if (o->to_product >= 0) v += (double)s->prod.price[o->to_product];
    for (int k = 0; o->trigger == XS_TRIG_BUNDLE && k < 2; k++)
        if (o->also[k] >= 0) v += (double)s->prod.price[o->also[k]];
    return v / en->money_div;
}

/* Contract in offer_int.h. */
double xs__offer_evidence_lift(const xs_offer *o)
{
    if (o->trigger == XS_TRIG_SIMILAR)
        return o->support > 0 ? o->lift * o->lift / o->support : 0;
    return o->lift;
}

/* Contract in offer_int.h. */
void xs__offer_share(const xs_offer_engine *en, const xs_offer *o, uint32_t *k,
                     uint32_t *n)
{
    const struct xs_snapshot *s = en->s;
    if (o->trigger == XS_TRIG_BUNDLE) { /* k, n may be o's own fields */
        uint32_t kk = o->share_n, nn = o->base_n;
        *k = kk;
        *n = nn;
        return;
    }
    *k = *n = 0;
    if (o->kind != XS_OFFER_CROSS_SELL || o->rule_from < 0) return;
    int32_t a = o->rule_from;
    switch (o->trigger) {
    case XS_TRIG_ADOPTION:
    case XS_TRIG_RENEWED:
        if (s->prod.kind[a] == XS_SNAP_KIND_PRODUCT)
            *n = en->buyers[a];
        else if (s->prod.family[a] != XS_SNAP_NONE16)
            *n = en->holders[s->prod.family[a]];
        break;
    case XS_TRIG_CART:
    case XS_TRIG_PURCHASE:
    case XS_TRIG_SIMILAR:
        *n = en->orders_of[a];
        break;
    default:
        return;
    }
    *k = (uint32_t)floor(o->confidence * *n + 0.5);
}

/* Contract in offer_int.h. */
int xs__offer_is_shop_cross(const xs_offer_engine *en, const xs_offer *o)
{
    return o->kind == XS_OFFER_CROSS_SELL && o->to_product >= 0 &&
           en->s->prod.kind[o->to_product] == XS_SNAP_KIND_PRODUCT;
}

/* Contract in offer_int.h. */
int xs__offer_out_of_band(const xs_offer_engine *en, const xs_offer *o)
{
    if (!xs__offer_is_shop_cross(en, o) || !(o->band_hi > 0)) return 0;
    return xs__offer_list_price(en, o) > en->cfg.band_ratio * o->band_hi &&
           !(xs__offer_evidence_lift(o) >= en->cfg.band_lift);
}

/* Contract in xsell.h. */
int xs_offer_is_shop_cross_sell(const xs_offer_engine *en, const xs_offer *o)
{
    return o && xs__offer_is_shop_cross(en, o);
}

/* Contract in xsell.h. */
unsigned xs_offer_bad_cross_sell(const xs_offer_engine *en, const xs_offer *o)
{
    if (!o || o->customer >= en->s->cust.n || !xs__offer_is_shop_cross(en, o)) return 0;
    xs__offer_shop h;
    unsigned bad = 0;
    xs__offer_shop_gather(en, o->customer, NULL, 0, &h);
    if (h.max_line > 0 && xs__offer_list_price(en, o) > 5 * h.max_line)
        bad |= XS_OFFER_BAD_PRICE;
    int32_t since = en->as_of - 90;
    if (xs__offer_substitute_of(en, o->customer, &h, (uint32_t)o->to_product, since) >= 0)
        bad |= XS_OFFER_BAD_SUBSTITUTE;
    for (int k = 0; o->trigger == XS_TRIG_BUNDLE && k < 2; k++)
        if (o->also[k] >= 0 &&
            xs__offer_substitute_of(en, o->customer, &h, (uint32_t)o->also[k], since) >= 0)
            bad |= XS_OFFER_BAD_SUBSTITUTE;
    return bad;
}
