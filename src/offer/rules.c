/*
 * rules.c — the cross-sell knowledge of the offer engine: association
 * rules over adoption sets and over order baskets, mined with the mining
 * module (xs_rules_mine) on baskets built from the snapshot, and the
 * adoption lag of each adoption rule.
 *
 * Adoption sets: one basket per customer of everything held on or before
 * as_of — plan families as items "f:<family>" (any subscription of the
 * family), over the customers with a subscription; web-shop products
 * ordered, over the customers with an order (two separate sets, so a lift
 * compares subscribers with subscribers and shoppers with shoppers). Order
 * baskets: the products
 * of each order on or before as_of. Only single-item rules A -> B are kept
 * (max_len 2), and an adoption rule only when A and B are both families
 * or both shop products (a family "implying" a shop item is noise here).
 *
 * Adoption lag: among the customers holding A and then B (B first held
 * strictly after A), the days between the first A and the first B (of at
 * most the first LAG_CAP such customers per rule); the rule keeps the 25th
 * percentile (the start of the typical adoption
 * window) and the median. A customer who has held A for fewer days than
 * the window start gets the cross-sell timed for that day.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/sort.h"
#include "mine/baskets.h"

#include <stdlib.h>
#include <string.h>

void xs__offer_rules_free(xs__offer_rules *r)
{
    if (!r) return;
    xs__free(r->off);
    xs__free(r->r);
    memset(r, 0, sizeof *r);
}

/* Item of the engine for a basket item name; UINT32_MAX when unknown. */
static uint32_t item_of(const xs_offer_engine *en, const char *name)
{
    const struct xs_snapshot *s = en->s;
    if (name[0] == 'f' && name[1] == ':') {
        uint32_t f = xs__intern_find(&s->dict.families, name + 2, strlen(name + 2));
        return f == XS_INTERN_NONE ? UINT32_MAX : (uint32_t)s->prod.n + f;
    }
    uint32_t p = xs__intern_find(&s->prod.ids, name, strlen(name));
    return p == XS_INTERN_NONE ? UINT32_MAX : p;
}

/* Baskets whose items are the engine's items (products 0..prod.n, then
 * the families), named "<product_id>" and "f:<family>". Each item's name is
 * interned on its first appearance only (its basket id is remembered in
 * id), so the ids are those adding every name would give, without a
 * formatted name and a hash lookup per line. */
typedef struct item_baskets {
    xs_baskets *b;
    uint32_t *id; /* engine item -> basket item id; UINT32_MAX not seen yet */
} item_baskets;

static int item_baskets_init(const xs_offer_engine *en, item_baskets *ib)
{
    size_t n = en->s->prod.n + en->s->dict.families.n;
    ib->b = xs_baskets_new();
    ib->id = xs__malloc((n ? n : 1) * sizeof *ib->id);
    if (!ib->b || !ib->id) return XS_ENOMEM;
    memset(ib->id, 0xff, n * sizeof *ib->id);
    return XS_OK;
}

static void item_baskets_free(item_baskets *ib)
{
    xs_baskets_free(ib->b);
    xs__free(ib->id);
}

/* Adds engine item it (a product, or prod.n + a family) to the open basket. */
static int item_add(const xs_offer_engine *en, item_baskets *ib, uint32_t it)
{
    const struct xs_snapshot *s = en->s;
    if (ib->id[it] != UINT32_MAX) return xs__mine_baskets_add_id(ib->b, ib->id[it]);
    char fname[300];
    const char *name = fname;
    if (it < s->prod.n)
        name = xs__intern_str(&s->prod.ids, it);
    else
        snprintf(fname, sizeof fname, "f:%s",
                 xs__intern_str(&s->dict.families, it - (uint32_t)s->prod.n));
    if (xs_baskets_add(ib->b, name) < 0) return XS_ENOMEM;
    return xs_baskets_find_item(ib->b, name, &ib->id[it]) < 0 ? XS_ENOMEM : XS_OK;
}

/* Adds the adoption basket of customer c: its families (families = 1) or
 * its shop products (0); a customer with none adds no basket. */
static int add_adoption(const xs_offer_engine *en, item_baskets *ib, uint32_t c,
                        int families)
{
    const struct xs_snapshot *s = en->s;
    int any = 0;
    for (uint32_t r = s->cust.sub_off[c]; families && r < s->cust.sub_off[c + 1]; r++) {
        if (s->sub.start[r] > en->as_of) continue;
        uint16_t f = s->prod.family[s->sub.product[r]];
        if (f == XS_SNAP_NONE16) continue;
        if (item_add(en, ib, (uint32_t)s->prod.n + f) < 0) return XS_ENOMEM;
        any = 1;
    }
    for (uint32_t o = s->cust.order_off[c]; !families && o < s->cust.order_off[c + 1];
         o++) {
        if (s->ord.date[o] > en->as_of) continue;
        for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++) {
            uint32_t p = s->ord.product[l];
            if (s->prod.kind[p] != XS_SNAP_KIND_PRODUCT) continue;
            if (item_add(en, ib, p) < 0) return XS_ENOMEM;
            any = 1;
        }
    }
    if (!any) return XS_OK;
    return xs_baskets_end(ib->b) < 0 ? XS_ENOMEM : XS_OK;
}

/* Rules being collected before they are laid out by antecedent. */
typedef struct rule_list {
    uint32_t *from;
    xs__offer_rule *r;
    size_t n, cap_from, cap_r;
} rule_list;

/* Mines the single-item rules of b and appends those whose items are both
 * families (families = 1) or both shop products (families = 0; -1: any). */
static int mine(const xs_offer_engine *en, const xs_baskets *b, int families,
                rule_list *L, xs_error *err)
{
    if (xs_baskets_n_tx(b) == 0) return XS_OK;
    xs_rule_opts o;
    xs_rule_opts_init(&o);
    o.mine.min_support = en->cfg.min_support;
    o.mine.min_count = 0;
    if (xs_min_count(o.mine.min_support, xs_baskets_n_tx(b)) < 2) o.mine.min_count = 2;
    o.mine.max_len = 2;
    o.min_confidence = en->cfg.min_confidence;
    o.min_lift = en->cfg.min_lift;
    o.sort_by = XS_RULE_CONFIDENCE;
    xs_rules *rs = NULL;
    int rc = xs_rules_mine(&rs, b, &o, err);
    if (rc < 0) return rc;
    size_t nr = xs_rules_n(rs), np = en->s->prod.n;
    for (size_t i = 0; i < nr; i++) {
        xs_rule x;
        xs_rules_get(rs, i, &x);
        if (x.n_lhs != 1 || x.n_rhs != 1) continue;
        uint32_t a = item_of(en, xs_baskets_item_name(b, x.lhs[0]));
        uint32_t c = item_of(en, xs_baskets_item_name(b, x.rhs[0]));
        if (a == UINT32_MAX || c == UINT32_MAX) continue;
        if (families >= 0 && ((a >= np) != families || (c >= np) != families)) continue;
        if (xs__grow(&L->from, &L->cap_from, L->n + 1, sizeof *L->from) < 0 ||
            xs__grow(&L->r, &L->cap_r, L->n + 1, sizeof *L->r) < 0) {
            rc = XS_ENOMEM;
            break;
        }
        xs__offer_rule *r = &L->r[L->n];
        L->from[L->n++] = a;
        r->to = c;
        r->support = (float)x.support;
        r->confidence = (float)x.confidence;
        r->lift = (float)x.lift;
        r->lag_lo = r->lag_med = -1;
    }
    xs_rules_free(rs);
    return rc;
}

/* Rules kept per antecedent: the RULES_KEPT most confident. A shop with
 * thousands of products has millions of pair rules; candidates read a few
 * per held item (rules_per_item, skipping what the customer holds), so the
 * tail only costs memory and time (the lags below visit every kept rule of
 * every held item of every customer). */
#define RULES_KEPT 64

/* Lays the collected rules out by antecedent (stable: within one
 * antecedent the miner's order, confidence first, is kept), at most cap
 * per antecedent. */
static int layout(const xs_offer_engine *en, rule_list *L, xs__offer_rules *out,
                  size_t cap)
{
    size_t n_items = en->n_items, k = 0;
    out->off = xs__calloc(n_items + 2, sizeof *out->off);
    out->r = xs__malloc((L->n ? L->n : 1) * sizeof *out->r);
    uint32_t *pos = xs__malloc((n_items + 1) * sizeof *pos);
    if (!out->off || !out->r || !pos) {
        xs__free(pos);
        return XS_ENOMEM;
    }
    for (size_t i = 0; i < L->n; i++)
        if (out->off[L->from[i] + 1] < cap) out->off[L->from[i] + 1]++, k++;
    for (size_t i = 0; i < n_items; i++)
        out->off[i + 1] += out->off[i];
    memcpy(pos, out->off, (n_items + 1) * sizeof *pos);
    for (size_t i = 0; i < L->n; i++)
        if (pos[L->from[i]] < out->off[L->from[i] + 1]) out->r[pos[L->from[i]]++] = L->r[i];
    out->n = k;
    xs__free(pos);
    return XS_OK;
}

/*
 * Items customer c held on or before as_of (families of its subscriptions,
 * shop products of its orders), each once, with its first day: day_of[item]
 * (INT32_MAX when not held; the caller resets the entries of the items
 * returned) and the list of items in *items (room for every item). Returns
 * the count.
 */
static size_t held_items(const xs_offer_engine *en, uint32_t c, int32_t *day_of,
                         uint32_t *items)
{
    const struct xs_snapshot *s = en->s;
    size_t n = 0;
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
        if (s->sub.start[r] > en->as_of) continue;
        uint16_t f = s->prod.family[s->sub.product[r]];
        if (f == XS_SNAP_NONE16) continue;
        uint32_t it = (uint32_t)s->prod.n + f;
        if (day_of[it] == INT32_MAX) items[n++] = it;
        if (s->sub.start[r] < day_of[it]) day_of[it] = s->sub.start[r];
    }
    for (uint32_t o = s->cust.order_off[c]; o < s->cust.order_off[c + 1]; o++) {
        if (s->ord.date[o] > en->as_of) continue;
        for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++) {
            uint32_t p = s->ord.product[l];
            if (s->prod.kind[p] != XS_SNAP_KIND_PRODUCT) continue;
            if (day_of[p] == INT32_MAX) { /* orders are by date: the first is the earliest */
                items[n++] = p;
                day_of[p] = s->ord.date[o];
            }
        }
    }
    return n;
}

/* Lags kept per rule: the first LAG_CAP customers (in customer order) who
 * adopted B after A. Percentiles of a few thousand lags are as good as of
 * all of them, and this bounds the memory and the sorting at a million
 * customers. */
#define LAG_CAP 2048

/* A lag found for a rule, before the lags are grouped by rule. */
typedef struct rule_lag {
    uint32_t rule;
    int32_t days;
} rule_lag;

/*
 * Fills lag_lo / lag_med of the adoption rules. One pass over the customers
 * collects (rule, lag) pairs, at most LAG_CAP per rule, in customer order;
 * the pairs are then grouped by rule (counting sort, so each rule keeps its
 * lags in customer order), so memory is what the rules really have (a shop
 * with thousands of products has millions of pair rules, most with few
 * lags). Held items are looked up in a dense day-per-item array, so a
 * customer with hundreds of products costs its items times their rules, not
 * the square.
 */
static int lags(xs_offer_engine *en)
{
    const struct xs_snapshot *s = en->s;
    xs__offer_rules *R = &en->adopt;
    if (!R->n) return XS_OK;
    size_t n_items = s->prod.n + s->dict.families.n + 1;
    int32_t *day_of = xs__malloc(n_items * sizeof *day_of);
    uint32_t *items = xs__malloc(n_items * sizeof *items);
    uint32_t *cnt = xs__calloc(R->n, sizeof *cnt);
    size_t *off = xs__calloc(R->n + 1, sizeof *off);
    rule_lag *found = NULL;
    size_t n_found = 0, cap_found = 0;
    int32_t *pts = NULL;
    int rc = XS_ENOMEM;
    if (!day_of || !items || !cnt || !off) goto cleanup;
    for (size_t i = 0; i < n_items; i++)
        day_of[i] = INT32_MAX;
    for (uint32_t c = 0; c < s->cust.n; c++) {
        size_t nh = held_items(en, c, day_of, items);
        for (size_t i = 0; nh >= 2 && i < nh; i++) {
            uint32_t a = items[i];
            for (uint32_t r = R->off[a]; r < R->off[a + 1]; r++) {
                int32_t d = day_of[R->r[r].to];
                if (cnt[r] == LAG_CAP || d == INT32_MAX || d <= day_of[a]) continue;
                if (n_found == cap_found &&
                    xs__grow(&found, &cap_found, n_found + 1, sizeof *found) < 0)
                    goto cleanup;
                found[n_found++] = (rule_lag){r, d - day_of[a]};
                cnt[r]++;
            }
        }
        for (size_t i = 0; i < nh; i++)
            day_of[items[i]] = INT32_MAX;
    }
    for (size_t r = 0; r < R->n; r++)
        off[r + 1] = off[r] + cnt[r];
    if (!(pts = xs__malloc((n_found + 1) * sizeof *pts))) goto cleanup;
    memset(cnt, 0, R->n * sizeof *cnt);
    for (size_t i = 0; i < n_found; i++) {
        uint32_t r = found[i].rule;
        pts[off[r] + cnt[r]++] = found[i].days;
    }
    for (size_t r = 0; r < R->n; r++) {
        if (!cnt[r]) continue;
        int32_t *p = pts + off[r];
        xs__sort_i32(p, cnt[r]);
        R->r[r].lag_lo = p[cnt[r] / 4];
        R->r[r].lag_med = p[cnt[r] / 2];
    }
    rc = XS_OK;
cleanup:
    xs__free(day_of);
    xs__free(items);
    xs__free(cnt);
    xs__free(off);
    xs__free(found);
    xs__free(pts);
    return rc;
}

/* Item-to-item similarity over the order baskets (xs_together, cosine, the
 * rules_per_item best neighbours of each product, pairs bought together in
 * at least 2 orders), laid out like the rules: lift holds the cosine,
 * confidence the co-orders / orders of the first item. */
static int similar(xs_offer_engine *en, const xs_baskets *ob, xs_error *err)
{
    const struct xs_snapshot *s = en->s;
    size_t np = s->prod.n, k = (size_t)en->cfg.rules_per_item;
    rule_list L = {0};
    xs_together *m = NULL;
    uint32_t *orders = NULL;
    xs_together_hit hits[64];
    int rc = XS_OK;
    if (k < 1) k = 1;
    if (k > 64) k = 64;
    orders = xs__calloc(np + 1, sizeof *orders);
    if (!orders) return XS_ENOMEM;
    if (xs_baskets_n_tx(ob) > 0) {
        for (uint32_t o = 0; o < s->ord.n; o++) {
            if (s->ord.date[o] > en->as_of) continue;
            for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++)
                orders[s->ord.product[l]]++;
        }
        xs_together_opts to = {0};
        to.measure = XS_SIM_COSINE;
        to.top_k = k;
        to.min_count = 2;
        if ((rc = xs_together_build(ob, &to, &m, err)) < 0) goto cleanup;
    }
    for (uint32_t p = 0; m && p < np; p++) {
        uint32_t id;
        if (!orders[p] ||
            xs_together_find(m, xs__intern_str(&s->prod.ids, p), &id) != XS_OK)
            continue;
        int nh = xs_together_item(m, id, hits, k);
        for (int h = 0; h < nh; h++) {
            uint32_t q = item_of(en, xs_together_item_name(m, hits[h].item));
            if (q == UINT32_MAX || q >= np) continue;
            if (xs__grow(&L.from, &L.cap_from, L.n + 1, sizeof *L.from) < 0 ||
                xs__grow(&L.r, &L.cap_r, L.n + 1, sizeof *L.r) < 0) {
                rc = XS_ENOMEM;
                goto cleanup;
            }
            xs__offer_rule *r = &L.r[L.n];
            L.from[L.n++] = p;
            r->to = q;
            r->lift = (float)hits[h].score;
            r->confidence = (float)(hits[h].count / orders[p]);
            r->support = (float)(hits[h].count / (double)xs_baskets_n_tx(ob));
            r->lag_lo = r->lag_med = -1;
        }
    }
    rc = layout(en, &L, &en->sim, RULES_KEPT);
cleanup:
    xs_together_free(m);
    xs__free(orders);
    xs__free(L.from);
    xs__free(L.r);
    return rc;
}

int xs__offer_rules_build(xs_offer_engine *en, xs_error *err)
{
    const struct xs_snapshot *s = en->s;
    item_baskets famb = {0}, shopb = {0}, obb = {0};
    xs_baskets *fam = NULL, *shop = NULL, *ob = NULL;
    rule_list la = {0}, lo = {0};
    int rc = XS_ENOMEM;
    if (item_baskets_init(en, &famb) < 0 || item_baskets_init(en, &shopb) < 0 ||
        item_baskets_init(en, &obb) < 0)
        goto cleanup;
    fam = famb.b, shop = shopb.b, ob = obb.b;
    /* adoption sets: families over the customers with a subscription, shop
     * products over the customers with an order, so that a lift compares
     * like with like (a shop item is not "implied" by being a shopper) */
    for (uint32_t c = 0; c < s->cust.n; c++) {
        if ((rc = add_adoption(en, &famb, c, 1)) < 0) goto cleanup;
        if ((rc = add_adoption(en, &shopb, c, 0)) < 0) goto cleanup;
    }
    rc = XS_ENOMEM;
    for (uint32_t o = 0; o < s->ord.n; o++) {
        if (s->ord.date[o] > en->as_of) continue;
        for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++)
            if (item_add(en, &obb, s->ord.product[l]) < 0) goto cleanup;
        if (xs_baskets_end(ob) < 0) goto cleanup;
    }
    if ((rc = mine(en, fam, 1, &la, err)) < 0) goto cleanup;
    if ((rc = mine(en, shop, 0, &la, err)) < 0) goto cleanup;
    if ((rc = mine(en, ob, 0, &lo, err)) < 0) goto cleanup;
    if ((rc = layout(en, &la, &en->adopt, RULES_KEPT)) < 0) goto cleanup;
    if ((rc = layout(en, &lo, &en->order, RULES_KEPT)) < 0) goto cleanup;
    if ((rc = similar(en, ob, err)) < 0) goto cleanup;
    rc = lags(en);
cleanup:
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__free(la.from);
    xs__free(la.r);
    xs__free(lo.from);
    xs__free(lo.r);
    item_baskets_free(&famb);
    item_baskets_free(&shopb);
    item_baskets_free(&obb);
    return rc;
}
