/*
 * rules.c — association rules lhs -> rhs from the frequent itemsets (a
 * single-item consequent by default, any nonempty one with multi_rhs), with
 * every measure, thresholds, redundancy pruning and a bounded top-N heap.
 *
 * The miner (itemsets.c) keeps every frequent itemset in a prefix tree whose
 * paths are recoded ids in decreasing order; a rule's count is the count of
 * the itemset Z and its lhs count the count of Z \ {c}, found by walking the
 * tree (binary search among each node's sorted children). With --rhs the
 * miner only keeps itemsets that occur often enough together with one of the
 * consequents, which is every itemset such a rule can need.
 *
 * Memory: the tree holds the itemsets (20 bytes each); rules are either all
 * kept for sorting or, with max_rules = K, only the best K in a heap whose
 * root is the worst kept rule — a rule explosion costs time, never memory.
 */
#include "mine/rules.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/progress.h"
#include "mine/itemsets.h"

#include <math.h>
#include <string.h>

void xs__mine_rule_measures(xs_rule *r, uint64_t cz, uint64_t ca, uint64_t cc, uint64_t n)
{
    double dz = (double)cz, da = (double)ca, dc = (double)cc, dn = (double)n;
    r->count = cz;
    r->lhs_count = ca;
    r->rhs_count = cc;
    r->n_tx = n;
    r->support = n ? dz / dn : 0;
    r->confidence = ca ? dz / da : 0;
    r->coverage = n ? da / dn : 0;
    r->lift = ca && cc ? (dz * dn) / (da * dc) : 0;
    r->leverage = n ? (dz * dn - da * dc) / (dn * dn) : 0;
    r->conviction = cz >= ca ? INFINITY : ((dn - dc) * da) / (dn * (da - dz));
}

int xs_rule_key_parse(const char *s, xs_rule_key *out)
{
    static const char *names[] = {"confidence", "lift",       "support",
                                  "leverage",   "conviction", "coverage"};
    for (int i = 0; i < 6; i++)
        if (!strcmp(s, names[i])) {
            *out = (xs_rule_key)i;
            return XS_OK;
        }
    return XS_EINVAL;
}

void xs_rule_opts_init(xs_rule_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mine.min_support = 0.1;
    o->min_confidence = 0.8;
    o->min_lift = o->min_leverage = o->min_conviction = o->min_coverage = -INFINITY;
    o->sort_by = XS_RULE_CONFIDENCE;
}

/* A candidate rule: itemset node z (k items on its path, path[0] the
 * root's child), consequent = the path positions set in cmask. */
typedef struct rec {
    uint64_t cmask;
    uint32_t z, cz, ca, cc, k;
    double key;
} rec;

typedef struct gen {
    const xs__mine_mined *m;
    const xs_rule_opts *o;
    uint64_t n_tx;
    uint32_t *ra, *rb; /* scratch for name comparisons */
    uint32_t *sub, *sub2; /* scratch for lookups */
} gen;

static double key_of(const gen *g, uint32_t cz, uint32_t ca, uint32_t cc)
{
    xs_rule r;
    xs__mine_rule_measures(&r, cz, ca, cc, g->n_tx);
    switch (g->o->sort_by) {
    case XS_RULE_LIFT: return r.lift;
    case XS_RULE_SUPPORT: return r.support;
    case XS_RULE_LEVERAGE: return r.leverage;
    case XS_RULE_CONVICTION: return r.conviction;
    case XS_RULE_COVERAGE: return r.coverage;
    default: return r.confidence;
    }
}

static int popcount64(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

/* Name ranks of a rule's lhs (side 0) or rhs (side 1), ascending; returns
 * how many. */
static size_t side_ranks(const xs__mine_mined *m, const rec *r, int side, uint32_t *out)
{
    size_t n = 0, pos = r->k;
    for (uint32_t z = r->z; z; z = m->trie[z].parent) {
        pos--;
        if ((int)(r->cmask >> pos & 1) != side) continue;
        uint32_t x = m->rank[m->trie[z].item];
        size_t j = n++;
        while (j > 0 && out[j - 1] > x) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }
    return n;
}

/* Order of output: better first. key desc, count desc, shorter lhs, lhs
 * names, shorter rhs, rhs names. A total order: two rules differ in lhs or
 * rhs. */
static int cmp_rec(const void *pa, const void *pb, void *ctx)
{
    const gen *g = ctx;
    const rec *a = pa, *b = pb;
    if (a->key != b->key) return a->key > b->key ? -1 : 1;
    if (a->cz != b->cz) return a->cz > b->cz ? -1 : 1;
    int ra = popcount64(a->cmask), rb = popcount64(b->cmask);
    uint32_t la = a->k - (uint32_t)ra, lb = b->k - (uint32_t)rb;
    if (la != lb) return la < lb ? -1 : 1;
    for (int side = 0; side < 2; side++) {
        if (side && ra != rb) return ra < rb ? -1 : 1;
        size_t n = side_ranks(g->m, a, side, g->ra);
        side_ranks(g->m, b, side, g->rb);
        for (size_t i = 0; i < n; i++)
            if (g->ra[i] != g->rb[i]) return g->ra[i] < g->rb[i] ? -1 : 1;
    }
    return 0;
}

/* Is A -> C redundant: some nonempty proper subset A' of A with
 * conf(A' -> C) >= conf(A -> C)? path: Z's items decreasing, k = |Z|,
 * cmask: C's positions. Subsets of Z are frequent, hence in the tree.
 * Exponential in |A|: lhs longer than 24 items are not checked. */
static int redundant(gen *g, const uint32_t *path, size_t k, uint64_t cmask, uint32_t cz,
                     uint32_t ca)
{
    const xs__mine_mined *m = g->m;
    uint32_t lpos[32];
    size_t na = 0;
    for (size_t i = 0; i < k; i++)
        if (!(cmask >> i & 1)) {
            if (na == 32) return 0;
            lpos[na++] = (uint32_t)i;
        }
    if (na < 2 || na > 24) return 0; /* one item has no nonempty proper subset */
    uint64_t full = ((uint64_t)1 << na) - 1;
    for (uint64_t mask = 1; mask < full; mask++) {
        uint64_t keep = cmask; /* positions of A' ∪ C */
        for (size_t i = 0; i < na; i++)
            if (mask >> i & 1) keep |= (uint64_t)1 << lpos[i];
        size_t n1 = 0, n2 = 0;
        for (size_t i = 0; i < k; i++) {
            if (!(keep >> i & 1)) continue;
            g->sub2[n2++] = path[i];
            if (!(cmask >> i & 1)) g->sub[n1++] = path[i];
        }
        uint32_t na1 = xs__mine_trie_find(m, g->sub, n1);
        uint32_t nz1 = xs__mine_trie_find(m, g->sub2, n2);
        if (na1 == UINT32_MAX || nz1 == UINT32_MAX) continue; /* cannot happen */
        uint64_t cz1 = m->trie[nz1].count, ca1 = m->trie[na1].count;
        if (cz1 * (uint64_t)ca >= (uint64_t)cz * ca1) return 1;
    }
    return 0;
}

void xs_rules_free(xs_rules *r)
{
    if (!r) return;
    if (r->mapped) { /* the arrays are a model file's */
        xs__free(r);
        return;
    }
    xs__free(r->items);
    xs__free(r->off);
    xs__free(r->n_lhs);
    xs__free(r->counts);
    xs__free(r);
}

size_t xs_rules_n(const xs_rules *r)
{
    return r->n;
}

uint64_t xs_rules_total(const xs_rules *r)
{
    return r->total;
}

void xs_rules_get(const xs_rules *r, size_t i, xs_rule *out)
{
    xs__mine_rule_measures(out, r->counts[i][0], r->counts[i][1], r->counts[i][2],
                           r->n_tx);
    out->lhs = r->items + r->off[i];
    out->n_lhs = r->n_lhs[i];
    out->rhs = out->lhs + out->n_lhs;
    out->n_rhs = (size_t)(r->off[i + 1] - r->off[i]) - out->n_lhs;
}

static void heap_down(rec *h, size_t n, size_t i, gen *g)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && cmp_rec(&h[l], &h[w], g) > 0) w = l;
        if (r < n && cmp_rec(&h[r], &h[w], g) > 0) w = r;
        if (w == i) return;
        rec t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void heap_up(rec *h, size_t i, gen *g)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (cmp_rec(&h[p], &h[i], g) >= 0) return;
        rec t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

/* The rules kept: all of them (grown), or with max_rules the best
 * max_rules in a heap with the worst on top; total counts every rule that
 * passed. */
typedef struct rule_set {
    rec *recs;
    size_t n, cap;
    uint64_t total;
} rule_set;

/* Keeps x in R. XS_OK or XS_ENOMEM. */
static int keep_rule(rule_set *R, const rec *x, gen *g)
{
    if (!g->o->max_rules) {
        if (xs__grow(&R->recs, &R->cap, R->n + 1, sizeof *R->recs) < 0) return XS_ENOMEM;
        R->recs[R->n++] = *x;
    } else if (R->n < R->cap) {
        R->recs[R->n] = *x;
        heap_up(R->recs, R->n++, g);
    } else if (cmp_rec(x, &R->recs[0], g) < 0) {
        R->recs[0] = *x;
        heap_down(R->recs, R->n, 0, g);
    }
    return XS_OK;
}

/* The rules of the itemset at trie node z (its k items in path, count cz)
 * that pass the thresholds, into R; a consequent's items are below
 * n_rhs_limit. Consequents: every single position, or (multi_rhs) every
 * nonempty proper subset of positions. XS_OK or XS_ENOMEM. */
static int node_rules(gen *g, const uint32_t *path, size_t k, uint32_t z,
                      uint32_t n_rhs_limit, rule_set *R)
{
    const xs__mine_mined *m = g->m;
    const xs_rule_opts *o = g->o;
    uint32_t cz = m->trie[z].count;
    uint32_t n_masks = (uint32_t)k;
    if (o->multi_rhs && k <= 20) n_masks = (1u << k) - 2;
    for (uint32_t mi = 0; mi < n_masks; mi++) {
        uint64_t cmask = o->multi_rhs && k <= 20 ? mi + 1 : (uint64_t)1 << mi;
        size_t t = 0, u = 0;
        int ok = 1;
        for (size_t j = 0; j < k; j++) {
            if (cmask >> j & 1) {
                if (path[j] >= n_rhs_limit) ok = 0;
                g->sub2[u++] = path[j];
            } else {
                g->sub[t++] = path[j];
            }
        }
        if (!ok) continue;
        uint32_t an = xs__mine_trie_find(m, g->sub, t);
        if (an == UINT32_MAX) continue; /* cannot happen: subsets are frequent */
        uint32_t ca = m->trie[an].count, cc;
        if (u == 1) {
            cc = m->freq[g->sub2[0]];
        } else {
            uint32_t cn = xs__mine_trie_find(m, g->sub2, u);
            if (cn == UINT32_MAX) continue; /* cannot happen */
            cc = m->trie[cn].count;
        }
        xs_rule r;
        xs__mine_rule_measures(&r, cz, ca, cc, g->n_tx);
        if (!(r.confidence >= o->min_confidence) || !(r.lift >= o->min_lift) ||
            !(r.leverage >= o->min_leverage) || !(r.conviction >= o->min_conviction) ||
            !(r.coverage >= o->min_coverage))
            continue;
        if (o->no_redundant && redundant(g, path, k, cmask, cz, ca)) continue;
        R->total++;
        if (o->count_only) continue;
        rec x = {cmask, z, cz, ca, cc, (uint32_t)k, key_of(g, cz, ca, cc)};
        if (keep_rule(R, &x, g) < 0) return XS_ENOMEM;
    }
    return XS_OK;
}

/* The result of the sorted rules R: their items (by name order within a
 * side) and counts. XS_OK or XS_ENOMEM (*out then partly built: the caller
 * frees it). */
static int rules_result(const rule_set *R, gen *g, xs_rules **out)
{
    const xs__mine_mined *m = g->m;
    xs_rules *res = *out = xs__calloc(1, sizeof *res);
    if (!res) return XS_ENOMEM;
    res->n = R->n;
    res->total = R->total;
    res->n_tx = g->n_tx;
    size_t n_items = 0;
    for (size_t i = 0; i < R->n; i++)
        n_items += R->recs[i].k;
    res->items = xs__malloc((n_items + 1) * sizeof *res->items);
    res->off = xs__malloc((R->n + 1) * sizeof *res->off);
    res->n_lhs = xs__malloc((R->n + 1) * sizeof *res->n_lhs);
    res->counts = xs__malloc((R->n + 1) * sizeof *res->counts);
    if (!res->items || !res->off || !res->n_lhs || !res->counts) return XS_ENOMEM;
    uint64_t at = 0;
    res->off[0] = 0;
    for (size_t i = 0; i < R->n; i++) {
        const rec *x = &R->recs[i];
        size_t nl = side_ranks(m, x, 0, g->ra);
        size_t nr = side_ranks(m, x, 1, g->rb);
        for (size_t j = 0; j < nl; j++)
            res->items[at++] = m->rank2id[g->ra[j]];
        for (size_t j = 0; j < nr; j++)
            res->items[at++] = m->rank2id[g->rb[j]];
        res->off[i + 1] = at;
        res->n_lhs[i] = (uint32_t)nl;
        res->counts[i][0] = x->cz;
        res->counts[i][1] = x->ca;
        res->counts[i][2] = x->cc;
    }
    return XS_OK;
}

int xs_rules_mine(xs_rules **out, const xs_baskets *b, const xs_rule_opts *o,
                  xs_error *err)
{
    *out = NULL;
    xs__mine_mined m;
    memset(&m, 0, sizeof m);
    gen g = {&m, o, b->n_tx, NULL, NULL, NULL, NULL};
    rule_set R = {0};
    xs_rules *res = NULL;
    uint32_t *path = NULL;
    int rc;

    xs__mine_cfg cfg = {0};
    cfg.minc = o->mine.min_count ? o->mine.min_count
                                 : xs_min_count(o->mine.min_support, b->n_tx);
    cfg.max_len = o->mine.max_len;
    cfg.target = XS_ITEMSETS_ALL;
    cfg.rhs = o->rhs;
    cfg.n_rhs = o->n_rhs;
    cfg.build_trie = 1;
    cfg.progress_label = "itemsets";
    rc = xs__mine(&m, b, &cfg, err);
    if (rc < 0) goto cleanup;

    size_t nf = m.n_freq + 1;
    g.ra = xs__malloc(nf * sizeof *g.ra);
    g.rb = xs__malloc(nf * sizeof *g.rb);
    g.sub = xs__malloc(nf * sizeof *g.sub);
    g.sub2 = xs__malloc(nf * sizeof *g.sub2);
    path = xs__malloc(nf * sizeof *path);
    if (!g.ra || !g.rb || !g.sub || !g.sub2 || !path) goto nomem;
    if (o->max_rules) {
        R.cap = o->max_rules;
        R.recs = xs__malloc(R.cap * sizeof *R.recs);
        if (!R.recs) goto nomem;
    }
    uint32_t n_rhs_limit = o->rhs ? m.n_rhs : m.n_freq;

    /* every frequent itemset of two or more items, by its trie node */
    xs__progress prog;
    xs__progress_start(&prog, "rules", m.n_nodes);
    for (size_t z = 1; z < m.n_nodes; z++) {
        xs__progress_update(&prog, z);
        size_t k = 0;
        for (uint32_t v = (uint32_t)z; v; v = m.trie[v].parent) k++;
        if (k < 2) continue;
        size_t i = k;
        for (uint32_t v = (uint32_t)z; v; v = m.trie[v].parent)
            path[--i] = m.trie[v].item;
        if (k > 64) {
            xs__progress_finish(&prog);
            rc = xs__error_set(err, XS_ERANGE, NULL, 0, NULL,
                               "an itemset of more than 64 items: limit it with --max-len");
            goto cleanup;
        }
        if (node_rules(&g, path, k, (uint32_t)z, n_rhs_limit, &R) < 0) {
            xs__progress_finish(&prog);
            goto nomem;
        }
    }
    xs__progress_finish(&prog);
    if (xs__mine_msort(R.recs, R.n, sizeof *R.recs, cmp_rec, &g) < 0) goto nomem;
    if (rules_result(&R, &g, &res) < 0) goto nomem;
    *out = res;
    res = NULL;
    rc = XS_OK;
    goto cleanup;

nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs_rules_free(res);
    xs__free(R.recs);
    xs__free(path);
    xs__free(g.ra);
    xs__free(g.rb);
    xs__free(g.sub);
    xs__free(g.sub2);
    xs__mine_mined_free(&m);
    return rc;
}
