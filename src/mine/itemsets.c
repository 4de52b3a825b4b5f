/*
 * itemsets.c — exact frequent itemset mining: all, closed or maximal
 * itemsets, counted, streamed or stored (the analytic core of src/mine).
 *
 * The public entry points (xs_itemsets_mine / _count / _each) and the rule
 * generator (rules.c) all run xs__mine below; they differ only in what they
 * do with each itemset found.
 */
#include "mine/itemsets.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Why occurrence delivery (LCM-style), and how it works here
 * ==========================================================
 *
 * The candidates were Apriori (breadth first, candidate generation: many
 * passes and a large candidate tree, too slow), FP-growth (builds a
 * conditional FP-tree per prefix: compact on dense data but pointer-heavy
 * and allocation-heavy on sparse data), Eclat (vertical tid-lists and
 * intersections: fast, but every intersection touches both lists, and
 * diffsets only pay on dense data) and LCM's occurrence delivery
 * (Uno et al., FIMI'03/'04). The data this engine sees — baskets of a shop,
 * products of customers — is sparse: retail.dat has 16,470 items and ten
 * items per basket. On sparse data occurrence delivery does the least work
 * per itemset, with no allocation in the recursion, and it extends to the
 * closed and maximal checks and to rule generation without another data
 * structure. So:
 *
 *  1. Items are counted, infrequent ones dropped, the rest recoded 0..m-1 by
 *     descending frequency (ties by name). Each basket becomes its frequent
 *     items in *descending* code order (rarest first) followed by a
 *     sentinel; all baskets live in one flat array `db`. Empty baskets still
 *     count in N but take no space.
 *
 *  2. An occurrence of itemset X is a position in `db`: just after the place
 *     where X's last-added item (its "tail", the smallest code in X) sits in
 *     one basket. The items after that position, up to the sentinel, are
 *     exactly the possible extensions of X in that basket: items with a
 *     smaller code (more frequent) than the tail.
 *
 *  3. Delivery: for each occurrence of X, walk to the sentinel and append
 *     "position after item j" to bucket j. Afterwards bucket j holds the
 *     occurrences of X ∪ {j} and its length is that itemset's count. One
 *     linear pass computes every extension's count and occurrence list at
 *     once; the cost is the size of X's conditional database.
 *
 *  4. Each frequent extension e (in ascending code order) is reported and
 *     recursed into with bucket e as its occurrence list. The recursion on
 *     X ∪ {e} only writes buckets j < e, which X has already finished with
 *     (ascending order), so one bucket per item, sized by that item's
 *     frequency, serves the whole recursion: memory is twice the database,
 *     and the recursion allocates nothing but its small list of frequent
 *     extensions.
 *
 *  Extending towards more frequent items keeps the occurrence lists of the
 *  deep recursion short: a prefix starts at a rare item and everything
 *  below it lives in that rare item's few baskets.
 *
 *  5. For all itemsets (expand_all, the common path) two refinements from
 *     LCM: a first pass only counts, then the occurrences are copied into a
 *     projected database holding only the extensions that are frequent
 *     (database reduction), so deeper levels never rescan dead items; and
 *     the child with the smallest frequent code is a leaf, reported without
 *     any delivery. Occurrences are scattered over the database, so the
 *     scans prefetch a few occurrences ahead: these loops are bound by
 *     memory latency, not by arithmetic.
 *
 *  6. Dense data (baskets holding 10 % or more of the frequent items) takes
 *     another path: Eclat on bit vectors (eclat_bits). There occurrence
 *     lists stay long and projections barely shrink, while the baskets of an
 *     itemset fit in N/64 words and one AND + popcount per word counts an
 *     extension. The level-1 costs balance near density 1/8 (delivery:
 *     sum |t|^2 / 2 steps; bit vectors: m^2 / 2 * N / 64 words). Same
 *     enumeration order, tree and reports, so everything downstream (tree
 *     filter, rules) is shared; a synthetic 40-item, 75 %-dense file at
 *     support 0.3 (100,289 itemsets) went from 2.3 s to 0.15 s.
 *
 *  What was measured (bench/results/mine.md): retail.dat at min count 89 is
 *  mined, file reading included, in about 0.6x the time of the fastest C
 *  Eclat reference point (0.07-0.08 s against 0.12 s), in 20 MB.
 *
 *  Closed and maximal itemsets. X is closed when no single-item extension
 *  has X's count, maximal when none is frequent (with --max-len, only
 *  extensions within the limit count, so an itemset of the maximum length is
 *  both). Two exact ways, both checked against brute force:
 *   - listing and counting (xs_itemsets_mine / _count) mine all frequent
 *     itemsets into the tree and settle closedness in one pass over it
 *     (tree_filter below): fast, 20 bytes per frequent itemset;
 *   - streaming (xs_itemsets_each) stores nothing: extensions by smaller
 *     codes are the buckets just delivered; for larger codes (items before
 *     the tail in the basket) we walk back from each occurrence to the
 *     basket's start — for "closed" intersecting those prefixes and stopping
 *     as soon as the intersection is empty, for "maximal" counting them and
 *     stopping as soon as one reaches the threshold.
 *
 *  Rules with a given consequent (--rhs): the rhs items get the smallest
 *  codes, so they sit at the end of every basket and each delivery also
 *  learns whether the basket holds an rhs item. An itemset is then pruned
 *  unless it occurs often enough together with some rhs item, which keeps
 *  exactly the itemsets a rule with such a consequent can use (both Z and
 *  Z \ {c}), with their true counts.
 *
 *  Counting only (--count-only) runs the same recursion and stores nothing.
 */

#define SENT UINT32_MAX

/* The dense path (bit vectors) is taken when baskets hold at least this
 * share of the frequent items and the item bit vectors fit in this much
 * memory (each level of the recursion holds up to as much again for its
 * extensions' vectors, shrinking with depth). The level-1 costs balance
 * near density 1/8: occurrence delivery does sum |t|^2 / 2 steps, bit
 * vectors m^2 / 2 * N / 64 words. */
#define DENSE_MIN 0.1
#define DENSE_MAX_BYTES (32.0 * 1024 * 1024)

/* Tests force a path: 0 automatic, 1 occurrence delivery, 2 bit vectors. */
static int force_algo;

int xs__mine_itemsets_force_algo(int algo)
{
    int old = force_algo;
    force_algo = algo;
    return old;
}

#if defined(__GNUC__)
#define POPCOUNT64(x) __builtin_popcountll(x)
#else
static int popcount64_sw(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}
#define POPCOUNT64(x) popcount64_sw(x)
#endif

/* Software prefetch where the compiler has it (GCC, Clang); a no-op else. */
#define PREFETCH 8
#if defined(__GNUC__)
#define PREFETCH_AT(p) __builtin_prefetch(p)
#else
#define PREFETCH_AT(p) ((void)0)
#endif

/* ---------------------------------------------------------------------- */
/* Merge sort with context (qsort has none in C11)                        */
/* ---------------------------------------------------------------------- */

static void msort_rec(char *a, char *tmp, size_t n, size_t size,
                      int (*cmp)(const void *, const void *, void *), void *ctx)
{
    if (n < 2) return;
    if (n <= 12) { /* insertion sort; stable */
        for (size_t i = 1; i < n; i++) {
            memcpy(tmp, a + i * size, size);
            size_t j = i;
            while (j > 0 && cmp(a + (j - 1) * size, tmp, ctx) > 0) {
                memcpy(a + j * size, a + (j - 1) * size, size);
                j--;
            }
            memcpy(a + j * size, tmp, size);
        }
        return;
    }
    size_t h = n / 2;
    msort_rec(a, tmp, h, size, cmp, ctx);
    msort_rec(a + h * size, tmp, n - h, size, cmp, ctx);
    if (cmp(a + (h - 1) * size, a + h * size, ctx) <= 0) return;
    memcpy(tmp, a, h * size);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (cmp(a + j * size, tmp + i * size, ctx) < 0) {
            memcpy(a + k * size, a + j * size, size);
            j++;
        } else {
            memcpy(a + k * size, tmp + i * size, size);
            i++;
        }
        k++;
    }
    if (i < h) memcpy(a + k * size, tmp + i * size, (h - i) * size);
}

int xs__mine_msort(void *base, size_t n, size_t size,
                   int (*cmp)(const void *a, const void *b, void *ctx), void *ctx)
{
    if (n < 2) return XS_OK;
    char *tmp = xs__malloc((n / 2 + 1) * size);
    if (!tmp) return XS_ENOMEM;
    msort_rec(base, tmp, n, size, cmp, ctx);
    xs__free(tmp);
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Thresholds                                                             */
/* ---------------------------------------------------------------------- */

uint64_t xs_min_count(double min_support, size_t n_tx)
{
    if (n_tx == 0 || !(min_support > 0)) return 1;
    double n = (double)n_tx;
    double t = min_support * n;
    if (t >= n + 1) return (uint64_t)n_tx + 1; /* nothing can be frequent */
    uint64_t c = (uint64_t)ceil(t);
    /* ceil(s * n) may be off by one through rounding: settle on the smallest
     * c for which c / n >= s holds as the comparison itself computes it */
    while (c > 0 && (double)(c - 1) / n >= min_support) c--;
    while ((double)c / n < min_support) c++;
    return c ? c : 1;
}

/* ---------------------------------------------------------------------- */
/* Preparation: counting, recoding, the flat database                     */
/* ---------------------------------------------------------------------- */

typedef struct prep_ctx {
    const struct xs_baskets *b;
    const uint64_t *cnt;
    const uint8_t *is_rhs;
    const uint32_t *rank_of; /* basket id -> name rank */
} prep_ctx;

static int cmp_name(const void *a, const void *b, void *ctx)
{
    const prep_ctx *c = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return xs__mine_item_name_cmp(xs__intern_str(&c->b->names, x),
                                  xs__intern_str(&c->b->names, y));
}

static int cmp_recode(const void *a, const void *b, void *ctx)
{
    const prep_ctx *c = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (c->is_rhs[x] != c->is_rhs[y]) return c->is_rhs[x] ? -1 : 1;
    if (!c->is_rhs[x] && c->cnt[x] != c->cnt[y]) return c->cnt[x] > c->cnt[y] ? -1 : 1;
    return c->rank_of[x] < c->rank_of[y] ? -1 : c->rank_of[x] > c->rank_of[y];
}

/* ---------------------------------------------------------------------- */
/* The recursion                                                          */
/* ---------------------------------------------------------------------- */

/* A stack of projected databases: big blocks kept for reuse, freed in LIFO
 * order by restoring a mark. Nothing moves once handed out, and after the
 * first few nodes no memory is requested from the system again (a fresh
 * malloc per projection costs page faults that dominated the run). */
typedef struct pstack {
    uint64_t **blk;   /* blocks of 8-byte words: every piece stays 8-aligned */
    size_t *cap;      /* words */
    size_t n_blk, cap_blk, cap_cap;
    size_t cur, used; /* block in use and words used in it */
} pstack;

/* n bytes from the stack (8-aligned); NULL when out of memory. */
static void *pstack_alloc(pstack *s, size_t bytes)
{
    size_t n = (bytes + 7) / 8;
    if (s->n_blk && s->used + n <= s->cap[s->cur]) {
        uint64_t *p = s->blk[s->cur] + s->used;
        s->used += n;
        return p;
    }
    size_t next = s->n_blk ? s->cur + 1 : 0;
    while (next < s->n_blk && s->cap[next] < n) next++;
    if (next == s->n_blk) {
        size_t want = n > ((size_t)1 << 17) ? n : ((size_t)1 << 17);
        if (xs__grow(&s->blk, &s->cap_blk, s->n_blk + 1, sizeof *s->blk) < 0 ||
            xs__grow(&s->cap, &s->cap_cap, s->n_blk + 1, sizeof *s->cap) < 0)
            return NULL;
        uint64_t *b = xs__malloc(want * sizeof *b);
        if (!b) return NULL;
        s->blk[s->n_blk] = b;
        s->cap[s->n_blk] = want;
        s->n_blk++;
    }
    s->cur = next;
    s->used = n;
    return s->blk[next];
}

static void pstack_free(pstack *s)
{
    for (size_t i = 0; i < s->n_blk; i++) xs__free(s->blk[i]);
    xs__free(s->blk);
    xs__free(s->cap);
}

typedef struct miner {
    const uint32_t *db;
    uint32_t **bk;     /* bucket of each item */
    uint32_t *bn;      /* bucket fill = count of X ∪ {j} */
    uint32_t *bc;      /* rhs mode: occurrences in baskets holding an rhs item */
    uint32_t *touch;   /* scratch: items touched by one delivery */
    uint32_t *path;    /* the current itemset */
    uint8_t *in_x;     /* item is in the current itemset */
    uint64_t *stamp;   /* closed check */
    uint32_t *cnt2;    /* maximal check */
    uint64_t now;
    uint32_t *fstack;  /* frequent extensions of every level */
    size_t n_fstack, cap_fstack;
    uint32_t *fcount;  /* their counts (expand_all), same indexing */
    size_t cap_fcount;
    pstack ps;         /* projected databases (expand_all) */
    uint32_t minc, n_rhs;
    size_t max_len;
    xs_itemset_target target;
    int rhs_mode;
    const xs__mine_cfg *cfg;
    xs__mine_mined *m;
    xs__progress prog;
    uint64_t root_done;
} miner;

/* Closed check for larger codes: is some item before the tail, not in X,
 * in every basket of X's occurrences? */
static int prefix_has_full(miner *M, const uint32_t *occ, uint32_t n_occ)
{
    const uint32_t *db = M->db;
    uint64_t *stamp = M->stamp;
    M->now += 2;
    uint64_t s = M->now;
    size_t alive = 0;
    for (uint32_t q = occ[0] - 2; db[q] != SENT; q--) {
        uint32_t j = db[q];
        if (!M->in_x[j]) {
            stamp[j] = s;
            alive++;
        }
    }
    for (uint32_t i = 1; i < n_occ && alive; i++) {
        s = ++M->now;
        alive = 0;
        for (uint32_t q = occ[i] - 2; db[q] != SENT; q--) {
            uint32_t j = db[q];
            if (stamp[j] == s - 1) {
                stamp[j] = s;
                alive++;
            }
        }
    }
    return alive > 0;
}

/* Maximal check for larger codes: is some item before the tail, not in X,
 * frequent together with X? Uses touch[] (free once the frequent extensions
 * are on fstack) and the counters cnt2[], which it leaves zeroed. */
static int prefix_has_frequent(miner *M, const uint32_t *occ, uint32_t n_occ)
{
    const uint32_t *db = M->db;
    uint32_t *cnt = M->cnt2, *touch = M->touch;
    size_t n_touch = 0;
    int found = 0;
    for (uint32_t i = 0; i < n_occ && !found; i++) {
        for (uint32_t q = occ[i] - 2; db[q] != SENT; q--) {
            uint32_t j = db[q];
            if (M->in_x[j]) continue;
            if (!cnt[j]) touch[n_touch++] = j;
            if (++cnt[j] >= M->minc) {
                found = 1;
                break;
            }
        }
    }
    for (size_t k = 0; k < n_touch; k++) cnt[touch[k]] = 0;
    return found;
}

static void sort_u32(uint32_t *v, size_t n)
{
    if (n > 32) { /* values are distinct here: sort_unique keeps n */
        xs__mine_sort_unique_u32(v, n);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Delivery of expand: each occurrence's suffix in M->db into the buckets
 * of its items (bk, bn; first touched items listed in M->touch), and in
 * rhs mode the counts of baskets holding a right-hand side (M->bc).
 * Returns the number of items touched. */
static inline size_t deliver(miner *M, const uint32_t *occ, uint32_t n_occ)
{
    const uint32_t *db = M->db;
    uint32_t **bk = M->bk, *bn = M->bn, *touch = M->touch;
    size_t n_touch = 0;
    if (!M->rhs_mode) {
        for (uint32_t i = 0; i < n_occ; i++) {
            uint32_t p = occ[i], j;
            while ((j = db[p]) != SENT) {
                if (!bn[j]) touch[n_touch++] = j;
                bk[j][bn[j]++] = ++p;
            }
        }
    } else {
        uint32_t *bc = M->bc;
        for (uint32_t i = 0; i < n_occ; i++) {
            uint32_t p0 = occ[i], p = p0, j;
            while ((j = db[p]) != SENT) {
                if (!bn[j]) touch[n_touch++] = j;
                bk[j][bn[j]++] = ++p;
            }
            if (p > p0 && db[p - 1] < M->n_rhs)
                for (uint32_t q = p0; q < p; q++) bc[db[q]]++;
        }
    }
    return n_touch;
}

/* Reserves nF children of trie node `node` (*first: the first one's
 * index); the caller fills them. Returns XS_OK, XS_ERANGE (too many nodes)
 * or XS_ENOMEM. */
static int trie_children(xs__mine_mined *m, uint32_t node, size_t nF, uint32_t *first)
{
    if (m->n_nodes + nF >= UINT32_MAX) return XS_ERANGE;
    if (xs__grow(&m->trie, &m->cap_nodes, m->n_nodes + nF, sizeof *m->trie) < 0)
        return XS_ENOMEM;
    *first = (uint32_t)m->n_nodes;
    m->trie[node].first = *first;
    m->trie[node].n_child = (uint32_t)nF;
    m->n_nodes += nF;
    return XS_OK;
}

/* Step 3 of expand_all without projection: the positions after each
 * occurrence in D delivered into the buckets of their items but f0. */
static inline void deliver_all(miner *M, const uint32_t *D, const uint32_t *occ,
                               uint32_t n_occ, uint32_t f0)
{
    uint32_t **bk = M->bk, *bn = M->bn;
    for (uint32_t i = 0; i < n_occ; i++) {
        if (i + PREFETCH < n_occ) PREFETCH_AT(D + occ[i + PREFETCH]);
        uint32_t p = occ[i], j;
        while ((j = D[p++]) != SENT)
            if (j != f0) bk[j][bn[j]++] = p;
    }
}

/* Step 3 of expand_all with projection: the suffixes of the occurrences
 * in D copied into a new database on M->ps keeping only the items counted
 * in M->cnt2 (n_kept of them), their positions there delivered into the
 * buckets of their items but f0. Returns the new database, NULL when out of
 * memory. */
static inline const uint32_t *project(miner *M, const uint32_t *D, const uint32_t *occ,
                                      uint32_t n_occ, uint32_t f0, size_t n_kept)
{
    uint32_t **bk = M->bk, *bn = M->bn, *cnt = M->cnt2;
    uint32_t *P = pstack_alloc(&M->ps, (n_kept + n_occ + 1) * sizeof *P);
    if (!P) return NULL;
    uint32_t w = 0;
    P[w++] = SENT;
    for (uint32_t i = 0; i < n_occ; i++) {
        if (i + PREFETCH < n_occ) PREFETCH_AT(D + occ[i + PREFETCH]);
        const uint32_t *q = D + occ[i];
        uint32_t j, start = w;
        while ((j = *q++) != SENT) {
            if (!cnt[j]) continue;
            P[w++] = j;
            if (j != f0) bk[j][bn[j]++] = w;
        }
        if (w > start) P[w++] = SENT;
    }
    return P;
}

/*
 * Expands itemset path[0..depth) with tail `tail`, count n_occ, occurrence
 * positions occ[], tree node `node`. Returns XS_OK or a negative code.
 */
static int expand(miner *M, uint32_t node, size_t depth, uint32_t tail,
                  const uint32_t *occ, uint32_t n_occ)
{
    const xs__mine_cfg *cfg = M->cfg;
    int rc;
    xs__progress_update(&M->prog, M->root_done);
    if (depth && M->max_len && depth >= M->max_len) {
        M->m->n_found++;
        if (cfg->emit) return cfg->emit(cfg->ctx, M->path, depth, n_occ);
        return XS_OK;
    }
    if (depth && M->target == XS_ITEMSETS_ALL) {
        M->m->n_found++;
        if (cfg->emit && (rc = cfg->emit(cfg->ctx, M->path, depth, n_occ)) < 0) return rc;
    }

    uint32_t **bk = M->bk, *bn = M->bn, *touch = M->touch;
    size_t n_touch = deliver(M, occ, n_occ);

    /* the frequent extensions, ascending */
    size_t base = M->n_fstack;
    if (xs__grow(&M->fstack, &M->cap_fstack, base + n_touch, sizeof *M->fstack) < 0) {
        for (size_t k = 0; k < n_touch; k++) bn[touch[k]] = 0;
        if (M->rhs_mode)
            for (size_t k = 0; k < n_touch; k++) M->bc[touch[k]] = 0;
        return XS_ENOMEM;
    }
    uint32_t *F = M->fstack + base;
    size_t nF = 0;
    for (size_t k = 0; k < n_touch; k++) {
        uint32_t j = touch[k];
        uint32_t c = M->rhs_mode ? M->bc[j] : bn[j];
        if (c >= M->minc) {
            F[nF++] = j;
        } else {
            bn[j] = 0;
            if (M->rhs_mode) M->bc[j] = 0;
        }
    }
    sort_u32(F, nF);
    M->n_fstack = base + nF;

    if (depth && M->target != XS_ITEMSETS_ALL) {
        int report;
        if (M->target == XS_ITEMSETS_CLOSED) {
            report = 1;
            for (size_t k = 0; k < nF && report; k++)
                if (bn[F[k]] == n_occ) report = 0;
            if (report) report = !prefix_has_full(M, occ, n_occ);
        } else {
            report = nF == 0 && !prefix_has_frequent(M, occ, n_occ);
        }
        if (report) {
            M->m->n_found++;
            if (cfg->emit && (rc = cfg->emit(cfg->ctx, M->path, depth, n_occ)) < 0)
                goto unwind;
        }
    }

    uint32_t first = 0;
    if (cfg->build_trie && nF) {
        xs__mine_mined *m = M->m;
        if ((rc = trie_children(m, node, nF, &first)) < 0) goto unwind;
        for (size_t k = 0; k < nF; k++) {
            xs__mine_trie_node *t = &m->trie[first + k];
            t->item = F[k];
            t->parent = node;
            t->first = 0;
            t->n_child = 0;
            t->count = bn[F[k]];
        }
    }

    for (size_t k = 0; k < nF; k++) {
        uint32_t e = M->fstack[base + k];
        if (!depth) M->root_done = k;
        M->path[depth] = e;
        M->in_x[e] = 1;
        rc = expand(M, first + (uint32_t)k, depth + 1, e, bk[e], bn[e]);
        M->in_x[e] = 0;
        bn[e] = 0;
        if (M->rhs_mode) M->bc[e] = 0;
        if (rc < 0) {
            for (size_t r = k + 1; r < nF; r++) {
                bn[M->fstack[base + r]] = 0;
                if (M->rhs_mode) M->bc[M->fstack[base + r]] = 0;
            }
            M->n_fstack = base;
            return rc;
        }
    }
    M->n_fstack = base;
    return XS_OK;

unwind:
    for (size_t k = 0; k < nF; k++) {
        bn[M->fstack[base + k]] = 0;
        if (M->rhs_mode) M->bc[M->fstack[base + k]] = 0;
    }
    M->n_fstack = base;
    return rc;
}

/*
 * The all-itemsets path (no rhs): occurrence delivery plus database
 * projection. A first pass counts the extensions of X in its conditional
 * database D; only the frequent ones (F) can appear in any itemset below X,
 * so the suffixes are copied into a new database keeping only F items
 * (skipped when nothing would be dropped) while positions are delivered into
 * F's buckets. Descendants then scan only items that can still matter.
 * Besides, X ∪ {F[0]} (the smallest code in F) is a leaf: its extensions would
 * be items of F below F[0] — there are none — so it is reported without
 * delivery; so is every child when it has reached max_len.
 * path[0..depth) is X, with count n_occ; occ[] are positions in D.
 */
static int expand_all(miner *M, uint32_t node, size_t depth, const uint32_t *D,
                      const uint32_t *occ, uint32_t n_occ)
{
    const xs__mine_cfg *cfg = M->cfg;
    uint32_t **bk = M->bk, *bn = M->bn, *cnt = M->cnt2, *touch = M->touch;
    int rc = XS_OK;
    xs__progress_update(&M->prog, M->root_done);

    /* 1. count */
    size_t n_touch = 0, n_seen = 0;
    for (uint32_t i = 0; i < n_occ; i++) {
        /* occurrences are scattered over D: fetch a few ahead (latency,
         * not bandwidth, bounds this loop) */
        if (i + PREFETCH < n_occ) PREFETCH_AT(D + occ[i + PREFETCH]);
        const uint32_t *q = D + occ[i];
        uint32_t j;
        while ((j = *q++) != SENT) {
            if (!cnt[j]++) touch[n_touch++] = j;
        }
        n_seen += (size_t)(q - (D + occ[i]));
    }
    /* 2. frequent extensions */
    size_t base = M->n_fstack;
    if (xs__grow(&M->fstack, &M->cap_fstack, base + n_touch + 1, sizeof *M->fstack) < 0 ||
        xs__grow(&M->fcount, &M->cap_fcount, base + n_touch + 1, sizeof *M->fcount) < 0) {
        for (size_t k = 0; k < n_touch; k++) cnt[touch[k]] = 0;
        return XS_ENOMEM;
    }
    uint32_t *F = M->fstack + base;
    size_t nF = 0, n_kept = 0;
    for (size_t k = 0; k < n_touch; k++) {
        uint32_t j = touch[k];
        if (cnt[j] >= M->minc) {
            F[nF++] = j;
            n_kept += cnt[j];
        } else {
            cnt[j] = 0;
        }
    }
    if (!nF) return XS_OK;
    sort_u32(F, nF);
    uint32_t *FC = M->fcount + base;
    for (size_t k = 0; k < nF; k++) FC[k] = cnt[F[k]];
    M->n_fstack = base + nF;

    uint32_t first = 0;
    if (cfg->build_trie) {
        xs__mine_mined *m = M->m;
        if ((rc = trie_children(m, node, nF, &first)) < 0) goto done;
        for (size_t k = 0; k < nF; k++)
            m->trie[first + k] = (xs__mine_trie_node){F[k], node, 0, 0, FC[k]};
    }

    int extend = nF > 1 && !(M->max_len && depth + 1 >= M->max_len);
    if (!extend) { /* every child is a leaf */
        for (size_t k = 0; k < nF; k++) cnt[F[k]] = 0;
        M->m->n_found += nF;
        if (cfg->emit)
            for (size_t k = 0; k < nF && rc == XS_OK; k++) {
                M->path[depth] = M->fstack[base + k];
                rc = cfg->emit(cfg->ctx, M->path, depth + 1, M->fcount[base + k]);
            }
        goto done;
    }

    /* 3. project (when something is dropped) and deliver, F[0] excluded */
    const uint32_t *E = D;
    size_t mark_cur = M->ps.cur, mark_used = M->ps.used;
    if (n_kept + n_occ < n_seen) {
        if (!(E = project(M, D, occ, n_occ, F[0], n_kept))) {
            for (size_t k = 0; k < nF; k++) cnt[F[k]] = 0;
            rc = XS_ENOMEM;
            goto done;
        }
    } else {
        deliver_all(M, D, occ, n_occ, F[0]);
    }
    for (size_t k = 0; k < nF; k++) cnt[F[k]] = 0;

    /* 4. children in ascending order; each is reported before its subtree */
    for (size_t k = 0; k < nF; k++) {
        uint32_t e = M->fstack[base + k];
        if (!depth) M->root_done = k;
        M->path[depth] = e;
        M->m->n_found++;
        if (cfg->emit && (rc = cfg->emit(cfg->ctx, M->path, depth + 1, M->fcount[base + k])) < 0)
            ;
        else if (k > 0)
            rc = expand_all(M, first + (uint32_t)k, depth + 1, E, bk[e], bn[e]);
        bn[e] = 0;
        if (rc < 0) {
            for (size_t r = k + 1; r < nF; r++) bn[M->fstack[base + r]] = 0;
            break;
        }
    }
    M->ps.cur = mark_cur;
    M->ps.used = mark_used;
done:
    M->n_fstack = base;
    return rc;
}

/*
 * The dense path: Eclat on bit vectors. When baskets hold a large share of
 * the frequent items (density >= DENSE_MIN), the conditional databases
 * barely shrink and occurrence lists stay long, while the baskets of an
 * itemset fit in N/64 words: one AND and a popcount per word gives the
 * count of X ∪ {j}. Same enumeration order, same tree, same reports as
 * expand_all (extensions by smaller codes, ascending, each child reported
 * before its subtree; the child with the smallest code is a leaf).
 * items/counts/bits: X's frequent extensions (ascending), their counts and
 * basket bit vectors (n rows of W words), borrowed from the caller.
 */
static int eclat_bits(miner *M, uint32_t node, size_t depth, const uint32_t *items,
                      const uint32_t *counts, const uint64_t *bits, size_t n, size_t W)
{
    const xs__mine_cfg *cfg = M->cfg;
    int rc = XS_OK;
    xs__progress_update(&M->prog, M->root_done);
    uint32_t first = 0;
    if (cfg->build_trie && n) {
        xs__mine_mined *m = M->m;
        if (m->n_nodes + n >= UINT32_MAX) return XS_ERANGE;
        if (xs__grow(&m->trie, &m->cap_nodes, m->n_nodes + n, sizeof *m->trie) < 0)
            return XS_ENOMEM;
        first = (uint32_t)m->n_nodes;
        for (size_t k = 0; k < n; k++)
            m->trie[first + k] = (xs__mine_trie_node){items[k], node, 0, 0, counts[k]};
        m->trie[node].first = first;
        m->trie[node].n_child = (uint32_t)n;
        m->n_nodes += n;
    }
    int extend = !(M->max_len && depth + 1 >= M->max_len);
    for (size_t k = 0; k < n && rc == XS_OK; k++) {
        if (!depth) M->root_done = k;
        M->path[depth] = items[k];
        M->m->n_found++;
        if (cfg->emit && (rc = cfg->emit(cfg->ctx, M->path, depth + 1, counts[k])) < 0) break;
        if (!extend || k == 0) continue;
        size_t mark_cur = M->ps.cur, mark_used = M->ps.used;
        uint64_t *cb = pstack_alloc(&M->ps, k * W * sizeof *cb);
        uint32_t *ci = pstack_alloc(&M->ps, 2 * k * sizeof *ci);
        if (!cb || !ci) {
            rc = XS_ENOMEM;
            break;
        }
        uint32_t *cc = ci + k;
        size_t nc = 0;
        const uint64_t *bk = bits + k * W;
        for (size_t j = 0; j < k; j++) {
            const uint64_t *bj = bits + j * W;
            uint64_t *out = cb + nc * W;
            uint64_t c = 0;
            for (size_t w = 0; w < W; w++) {
                out[w] = bk[w] & bj[w];
                c += (uint64_t)POPCOUNT64(out[w]);
            }
            if (c >= M->minc) {
                ci[nc] = items[j];
                cc[nc] = (uint32_t)c;
                nc++;
            }
        }
        if (nc) rc = eclat_bits(M, first + (uint32_t)k, depth + 1, ci, cc, cb, nc, W);
        M->ps.cur = mark_cur;
        M->ps.used = mark_used;
    }
    return rc;
}

/* Root of the dense path: one bit vector per frequent item over the
 * baskets that hold any (empty ones take no bit). */
static int eclat_root(miner *M, const uint32_t *db, size_t n_live, size_t n_freq,
                      const uint32_t *freq)
{
    size_t W = (n_live + 63) / 64;
    uint64_t *bits = xs__calloc(n_freq * W + 1, sizeof *bits);
    uint32_t *items = xs__malloc((n_freq + 1) * sizeof *items);
    int rc = XS_ENOMEM;
    if (bits && items) {
        size_t t = 0;
        for (size_t p = 1; t < n_live; p++) {
            if (db[p] == SENT) {
                t++;
                continue;
            }
            bits[db[p] * W + t / 64] |= (uint64_t)1 << (t % 64);
        }
        for (size_t r = 0; r < n_freq; r++) items[r] = (uint32_t)r;
        rc = eclat_bits(M, 0, 0, items, freq, bits, n_freq, W);
    }
    xs__free(bits);
    xs__free(items);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Driver                                                                 */
/* ---------------------------------------------------------------------- */

void xs__mine_mined_free(xs__mine_mined *m)
{
    if (!m) return;
    xs__free(m->rec2id);
    xs__free(m->rank);
    xs__free(m->rank2id);
    xs__free(m->freq);
    xs__free(m->trie);
    memset(m, 0, sizeof *m);
}

uint32_t xs__mine_trie_find(const xs__mine_mined *m, const uint32_t *rec, size_t n)
{
    uint32_t node = 0;
    for (size_t i = 0; i < n; i++) {
        const xs__mine_trie_node *t = &m->trie[node];
        uint32_t lo = t->first, hi = t->first + t->n_child;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (m->trie[mid].item < rec[i]) lo = mid + 1;
            else hi = mid;
        }
        if (lo >= t->first + t->n_child || m->trie[lo].item != rec[i]) return UINT32_MAX;
        node = lo;
    }
    return node;
}

/* The frequent items of b (count >= minc) and their codes, into m (rec2id,
 * rank, rank2id, freq, n_freq, n_rhs): rhs items first, then by
 * descending count, ties by name; rank is the name order. *id2rec_out
 * (caller frees) maps an item id to its code, SENT when infrequent.
 * XS_OK or XS_ENOMEM. */
static int recode_items(xs__mine_mined *m, const struct xs_baskets *b,
                        const xs__mine_cfg *cfg, uint32_t minc, uint32_t **id2rec_out)
{
    int rc = XS_ENOMEM;
    size_t n_items = b->names.n;
    uint64_t *cnt = NULL;
    uint32_t *byname = NULL, *rank_of = NULL, *order = NULL, *id2rec = NULL;
    uint8_t *is_rhs = NULL;

    /* counts */
    cnt = xs__calloc(n_items + 1, sizeof *cnt);
    is_rhs = xs__calloc(n_items + 1, 1);
    if (!cnt || !is_rhs) goto cleanup;
    for (size_t i = 0; i < b->n_items_total; i++) cnt[b->items[i]]++;
    for (size_t i = 0; i < cfg->n_rhs; i++)
        if (cfg->rhs[i] < n_items) is_rhs[cfg->rhs[i]] = 1;

    /* frequent items in name order */
    size_t n_freq = 0;
    for (size_t i = 0; i < n_items; i++)
        if (cnt[i] >= minc) n_freq++;
    byname = xs__malloc((n_freq + 1) * sizeof *byname);
    rank_of = xs__malloc((n_items + 1) * sizeof *rank_of);
    order = xs__malloc((n_freq + 1) * sizeof *order);
    id2rec = xs__malloc((n_items + 1) * sizeof *id2rec);
    m->rec2id = xs__malloc((n_freq + 1) * sizeof *m->rec2id);
    m->rank = xs__malloc((n_freq + 1) * sizeof *m->rank);
    m->rank2id = xs__malloc((n_freq + 1) * sizeof *m->rank2id);
    m->freq = xs__malloc((n_freq + 1) * sizeof *m->freq);
    if (!byname || !rank_of || !order || !id2rec || !m->rec2id || !m->rank || !m->rank2id ||
        !m->freq)
        goto cleanup;
    n_freq = 0;
    for (size_t i = 0; i < n_items; i++)
        if (cnt[i] >= minc) byname[n_freq++] = (uint32_t)i;
    prep_ctx pc = {b, cnt, is_rhs, rank_of};
    if (xs__mine_msort(byname, n_freq, sizeof *byname, cmp_name, &pc) < 0) goto cleanup;
    for (size_t r = 0; r < n_freq; r++) rank_of[byname[r]] = (uint32_t)r;

    /* recoding: rhs items first, then by descending count, ties by name */
    memcpy(order, byname, n_freq * sizeof *order);
    if (xs__mine_msort(order, n_freq, sizeof *order, cmp_recode, &pc) < 0) goto cleanup;
    for (size_t i = 0; i < n_items; i++) id2rec[i] = SENT;
    uint32_t n_rhs = 0;
    for (size_t r = 0; r < n_freq; r++) {
        uint32_t id = order[r];
        id2rec[id] = (uint32_t)r;
        m->rec2id[r] = id;
        m->rank[r] = rank_of[id];
        m->freq[r] = (uint32_t)cnt[id];
        if (is_rhs[id]) n_rhs++;
    }
    memcpy(m->rank2id, byname, n_freq * sizeof *byname);
    m->n_freq = (uint32_t)n_freq;
    m->n_rhs = n_rhs;
    *id2rec_out = id2rec;
    id2rec = NULL;
    rc = XS_OK;
cleanup:
    xs__free(cnt);
    xs__free(is_rhs);
    xs__free(byname);
    xs__free(rank_of);
    xs__free(order);
    xs__free(id2rec);
    return rc;
}

/* The flat database: per basket its frequent items by code, descending
 * (rarest first), each basket ended by SENT and the whole begun by one. */
typedef struct flat_db {
    uint32_t *db;
    uint64_t len;
    uint32_t *occ0; /* where each non-empty basket starts */
    size_t n_occ0;
} flat_db;

/* Builds F from b's baskets recoded by id2rec. XS_OK, XS_ENOMEM or
 * XS_ERANGE (positions past 32 bits), err set for XS_ERANGE only. */
static int flatten(const struct xs_baskets *b, const uint32_t *id2rec, flat_db *F,
                   xs_error *err)
{
    size_t n_tx = b->n_tx;
    uint64_t db_len = 1, n_live = 0;
    for (size_t t = 0; t < n_tx; t++) {
        size_t k = 0;
        for (size_t i = b->off[t]; i < b->off[t + 1]; i++)
            if (id2rec[b->items[i]] != SENT) k++;
        if (k) {
            db_len += k + 1;
            n_live++;
        }
    }
    if (db_len >= UINT32_MAX)
        return xs__error_set(err, XS_ERANGE, NULL, 0, NULL,
                             "too many items in the baskets for 32-bit positions");
    F->len = db_len;
    uint32_t *db = F->db = xs__malloc(db_len * sizeof *db);
    F->occ0 = xs__malloc((n_live + 1) * sizeof *F->occ0);
    if (!F->db || !F->occ0) return XS_ENOMEM;
    size_t pos = 0, n_occ0 = 0;
    db[pos++] = SENT;
    for (size_t t = 0; t < n_tx; t++) {
        size_t start = pos;
        for (size_t i = b->off[t]; i < b->off[t + 1]; i++) {
            uint32_t r = id2rec[b->items[i]];
            if (r == SENT) continue;
            /* insert keeping descending order (baskets are short) */
            size_t j = pos++;
            while (j > start && db[j - 1] < r) {
                db[j] = db[j - 1];
                j--;
            }
            db[j] = r;
        }
        if (pos > start) {
            F->occ0[n_occ0++] = (uint32_t)start;
            db[pos++] = SENT;
        }
    }
    F->n_occ0 = n_occ0;
    return XS_OK;
}

/* The miner's scratch for m's frequent items: a bucket per item (its
 * count's room, in *bucket_mem, caller frees) and the per-item arrays.
 * XS_OK or XS_ENOMEM (miner_free frees what was made). */
static int miner_alloc(miner *M, const xs__mine_mined *m, uint64_t db_len,
                       uint32_t **bucket_mem)
{
    size_t n_freq = m->n_freq;
    *bucket_mem = xs__malloc(db_len * sizeof **bucket_mem);
    M->bk = xs__malloc((n_freq + 1) * sizeof *M->bk);
    M->bn = xs__calloc(n_freq + 1, sizeof *M->bn);
    M->bc = xs__calloc(n_freq + 1, sizeof *M->bc);
    M->touch = xs__malloc((n_freq + 1) * sizeof *M->touch);
    M->path = xs__malloc((n_freq + 1) * sizeof *M->path);
    M->in_x = xs__calloc(n_freq + 1, 1);
    M->stamp = xs__calloc(n_freq + 1, sizeof *M->stamp);
    M->cnt2 = xs__calloc(n_freq + 1, sizeof *M->cnt2);
    if (!*bucket_mem || !M->bk || !M->bn || !M->bc || !M->touch || !M->path || !M->in_x ||
        !M->stamp || !M->cnt2)
        return XS_ENOMEM;
    size_t off = 0;
    for (size_t r = 0; r < n_freq; r++) {
        M->bk[r] = *bucket_mem + off;
        off += m->freq[r];
    }
    return XS_OK;
}

static void miner_free(miner *M)
{
    xs__free(M->fstack);
    xs__free(M->fcount);
    pstack_free(&M->ps);
    xs__free(M->bk);
    xs__free(M->bn);
    xs__free(M->bc);
    xs__free(M->touch);
    xs__free(M->path);
    xs__free(M->in_x);
    xs__free(M->stamp);
    xs__free(M->cnt2);
}

/* The search the configuration asks for: nothing when no consequent is
 * frequent; all itemsets by the bit-vector Eclat on dense data, else by
 * projection; closed / maximal / rhs-restricted by expand(). */
static int search(miner *M, const flat_db *F, size_t n_freq)
{
    if (M->rhs_mode && M->n_rhs == 0) return XS_OK;
    if (M->rhs_mode || M->target != XS_ITEMSETS_ALL)
        return expand(M, 0, 0, (uint32_t)n_freq, F->occ0, (uint32_t)F->n_occ0);
    /* density: the share of (basket, frequent item) pairs present */
    size_t n_occ0 = F->n_occ0;
    double fill = n_occ0 && n_freq
                      ? (double)(F->len - 1 - n_occ0) / ((double)n_occ0 * (double)n_freq)
                      : 0;
    int dense =
        fill >= DENSE_MIN && (double)n_freq * (double)n_occ0 / 8 <= DENSE_MAX_BYTES;
    if (force_algo) dense = force_algo == 2;
    if (dense) return eclat_root(M, F->db, n_occ0, n_freq, M->m->freq);
    return expand_all(M, 0, 0, F->db, F->occ0, (uint32_t)n_occ0);
}

int xs__mine(xs__mine_mined *m, const struct xs_baskets *b, const xs__mine_cfg *cfg,
             xs_error *err)
{
    memset(m, 0, sizeof *m);
    int rc = XS_OK;
    size_t n_items = b->names.n, n_tx = b->n_tx;
    uint32_t *id2rec = NULL, *bucket_mem = NULL;
    flat_db F = {0};
    miner M;
    memset(&M, 0, sizeof M);

    m->n_tx = n_tx;
    if (n_tx >= UINT32_MAX || n_items >= UINT32_MAX) {
        return xs__error_set(err, XS_ERANGE, NULL, 0, NULL,
                             "too many baskets or items for 32-bit counts");
    }
    uint64_t minc64 = cfg->minc ? cfg->minc : 1;
    uint32_t minc = minc64 > (uint64_t)n_tx + 1 ? (uint32_t)n_tx + 1 : (uint32_t)minc64;

    if (recode_items(m, b, cfg, minc, &id2rec) < 0) goto nomem;
    if ((rc = flatten(b, id2rec, &F, err)) == XS_ENOMEM) goto nomem;
    if (rc < 0) goto cleanup;
    if (miner_alloc(&M, m, F.len, &bucket_mem) < 0) goto nomem;
    if (cfg->build_trie) {
        if (xs__grow(&m->trie, &m->cap_nodes, 1, sizeof *m->trie) < 0) goto nomem;
        m->trie[0] = (xs__mine_trie_node){0, 0, 0, 0, (uint32_t)n_tx};
        m->n_nodes = 1;
    }
    M.db = F.db;
    M.minc = minc;
    M.n_rhs = m->n_rhs;
    M.rhs_mode = cfg->rhs != NULL;
    M.max_len = cfg->max_len;
    M.target = cfg->target;
    M.cfg = cfg;
    M.m = m;
    xs__progress_start(&M.prog, cfg->progress_label ? cfg->progress_label : "mining",
                       m->n_freq);
    if (!cfg->progress_label) M.prog.enabled = 0;
    rc = search(&M, &F, m->n_freq);
    xs__progress_finish(&M.prog);
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    else if (rc == XS_ERANGE)
        xs__error_set(err, XS_ERANGE, NULL, 0, NULL, "more than 2^32 itemsets to store");
    goto cleanup;

nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    miner_free(&M);
    xs__free(id2rec);
    xs__free(F.db);
    xs__free(F.occ0);
    xs__free(bucket_mem);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Public entry points                                                    */
/* ---------------------------------------------------------------------- */

struct xs_itemsets {
    size_t n, n_tx;
    uint32_t *items; /* all itemsets back to back, basket ids in name order */
    uint64_t *off;   /* n + 1 */
    uint64_t *count;
};

static uint64_t opts_minc(const xs_baskets *b, const xs_mine_opts *o)
{
    return o->min_count ? o->min_count : xs_min_count(o->min_support, b->n_tx);
}

/* Collection: ranks of each itemset, sorted, stored flat. */
typedef struct collect {
    const xs__mine_mined *m;
    uint32_t *items;
    size_t n_items, cap_items;
    uint64_t *off, *count;
    size_t n, cap_off, cap_count;
} collect;

static int collect_emit(void *ctx, const uint32_t *rec, size_t n, uint32_t count)
{
    collect *c = ctx;
    if (xs__grow(&c->items, &c->cap_items, c->n_items + n, sizeof *c->items) < 0 ||
        xs__grow(&c->off, &c->cap_off, c->n + 2, sizeof *c->off) < 0 ||
        xs__grow(&c->count, &c->cap_count, c->n + 1, sizeof *c->count) < 0)
        return XS_ENOMEM;
    uint32_t *dst = c->items + c->n_items;
    for (size_t i = 0; i < n; i++) dst[i] = c->m->rank[rec[i]];
    sort_u32(dst, n);
    if (c->n == 0) c->off[0] = 0;
    c->n_items += n;
    c->off[c->n + 1] = c->n_items;
    c->count[c->n] = count;
    c->n++;
    return XS_OK;
}

static int cmp_collected(const void *a, const void *b, void *ctx)
{
    const collect *c = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint64_t lx = c->off[x + 1] - c->off[x], ly = c->off[y + 1] - c->off[y];
    if (lx != ly) return lx < ly ? -1 : 1;
    if (c->count[x] != c->count[y]) return c->count[x] > c->count[y] ? -1 : 1;
    const uint32_t *px = c->items + c->off[x], *py = c->items + c->off[y];
    for (uint64_t i = 0; i < lx; i++)
        if (px[i] != py[i]) return px[i] < py[i] ? -1 : 1;
    return 0;
}

/*
 * Closed and maximal itemsets from the tree of all frequent itemsets (the
 * listing and counting path; streaming uses the checks in expand()). If some
 * superset of X has X's count, so has an immediate superset X ∪ {y} (its
 * count lies in between), and if some superset is frequent, so is an
 * immediate one. So one pass over the tree settles every itemset: for each
 * Y and each y in Y, Y \ {y} is not maximal, and not closed when its count
 * equals Y's. With max_len the tree holds only itemsets within the limit,
 * which is exactly the documented meaning. Cost: |Y| lookups per itemset.
 * Sets *flags (caller frees; 1 = not reported, node 0 is the empty set) and
 * *n_rep. Returns XS_OK or XS_ENOMEM.
 */
static int tree_filter(const xs__mine_mined *m, xs_itemset_target target, uint8_t **flags,
                       uint64_t *n_rep)
{
    uint8_t *flag = xs__calloc(m->n_nodes + 1, 1);
    uint32_t *path = xs__malloc((m->n_freq + 1) * sizeof *path);
    uint32_t *sub = xs__malloc((m->n_freq + 1) * sizeof *sub);
    if (!flag || !path || !sub) {
        xs__free(flag);
        xs__free(path);
        xs__free(sub);
        return XS_ENOMEM;
    }
    flag[0] = 1;
    for (size_t z = 1; z < m->n_nodes; z++) {
        size_t k = 0;
        for (uint32_t v = (uint32_t)z; v; v = m->trie[v].parent) k++;
        size_t i = k;
        for (uint32_t v = (uint32_t)z; v; v = m->trie[v].parent) path[--i] = m->trie[v].item;
        uint32_t cz = m->trie[z].count;
        for (size_t drop = 0; drop < k && k > 1; drop++) {
            uint32_t s;
            if (drop == k - 1) {
                s = m->trie[z].parent;
            } else {
                size_t t = 0;
                for (size_t j = 0; j < k; j++)
                    if (j != drop) sub[t++] = path[j];
                s = xs__mine_trie_find(m, sub, t);
                if (s == UINT32_MAX) continue; /* cannot happen: subsets are frequent */
            }
            if (target == XS_ITEMSETS_MAXIMAL || m->trie[s].count == cz) flag[s] = 1;
        }
    }
    uint64_t n = 0;
    for (size_t z = 1; z < m->n_nodes; z++) n += !flag[z];
    *n_rep = n;
    *flags = flag;
    xs__free(path);
    xs__free(sub);
    return XS_OK;
}

/* Reports the unflagged itemsets of the tree to emit(ctx, ...). */
static int tree_emit(const xs__mine_mined *m, const uint8_t *flag, xs__mine_emit_fn emit,
                     void *ctx)
{
    uint32_t *path = xs__malloc((m->n_freq + 1) * sizeof *path);
    if (!path) return XS_ENOMEM;
    int rc = XS_OK;
    for (size_t z = 1; z < m->n_nodes && rc == XS_OK; z++) {
        if (flag[z]) continue;
        size_t k = 0;
        for (uint32_t v = (uint32_t)z; v; v = m->trie[v].parent) k++;
        size_t i = k;
        for (uint32_t v = (uint32_t)z; v; v = m->trie[v].parent) path[--i] = m->trie[v].item;
        rc = emit(ctx, path, k, m->trie[z].count);
    }
    xs__free(path);
    return rc;
}

int xs_itemsets_mine(xs_itemsets **out, const xs_baskets *b, const xs_mine_opts *o,
                     xs_error *err)
{
    *out = NULL;
    xs__mine_mined m;
    collect c;
    memset(&c, 0, sizeof c);
    c.m = &m;
    uint32_t *idx = NULL;
    xs_itemsets *s = NULL;
    xs__mine_cfg cfg = {0};
    cfg.minc = opts_minc(b, o);
    cfg.max_len = o->max_len;
    cfg.target = o->target;
    cfg.emit = collect_emit;
    cfg.ctx = &c;
    cfg.progress_label = "itemsets";
    if (o->target != XS_ITEMSETS_ALL) { /* all into the tree, then filter */
        cfg.target = XS_ITEMSETS_ALL;
        cfg.build_trie = 1;
        cfg.emit = NULL;
    }
    int rc = xs__mine(&m, b, &cfg, err);
    if (rc < 0) goto cleanup;
    if (o->target != XS_ITEMSETS_ALL) {
        uint8_t *flag = NULL;
        uint64_t n_rep;
        if (tree_filter(&m, o->target, &flag, &n_rep) < 0) goto nomem;
        rc = tree_emit(&m, flag, collect_emit, &c);
        xs__free(flag);
        if (rc < 0) goto nomem;
    }
    if (c.n >= UINT32_MAX) {
        rc = xs__error_set(err, XS_ERANGE, NULL, 0, NULL, "more than 2^32 itemsets");
        goto cleanup;
    }
    idx = xs__malloc((c.n + 1) * sizeof *idx);
    s = xs__calloc(1, sizeof *s);
    if (!idx || !s) goto nomem;
    for (size_t i = 0; i < c.n; i++) idx[i] = (uint32_t)i;
    if (xs__mine_msort(idx, c.n, sizeof *idx, cmp_collected, &c) < 0) goto nomem;
    s->n = c.n;
    s->n_tx = b->n_tx;
    s->items = xs__malloc((c.n_items + 1) * sizeof *s->items);
    s->off = xs__malloc((c.n + 1) * sizeof *s->off);
    s->count = xs__malloc((c.n + 1) * sizeof *s->count);
    if (!s->items || !s->off || !s->count) goto nomem;
    uint64_t at = 0;
    s->off[0] = 0;
    for (size_t i = 0; i < c.n; i++) {
        uint32_t k = idx[i];
        for (uint64_t j = c.off[k]; j < c.off[k + 1]; j++)
            s->items[at++] = m.rank2id[c.items[j]];
        s->off[i + 1] = at;
        s->count[i] = c.count[k];
    }
    *out = s;
    s = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs_itemsets_free(s);
    xs__free(idx);
    xs__free(c.items);
    xs__free(c.off);
    xs__free(c.count);
    xs__mine_mined_free(&m);
    return rc;
}

int xs_itemsets_count(const xs_baskets *b, const xs_mine_opts *o, uint64_t *n,
                      xs_error *err)
{
    xs__mine_mined m;
    xs__mine_cfg cfg = {0};
    cfg.minc = opts_minc(b, o);
    cfg.max_len = o->max_len;
    cfg.target = o->target;
    cfg.progress_label = "itemsets";
    if (o->target != XS_ITEMSETS_ALL) { /* all into the tree, then filter */
        cfg.target = XS_ITEMSETS_ALL;
        cfg.build_trie = 1;
    }
    int rc = xs__mine(&m, b, &cfg, err);
    *n = m.n_found;
    if (rc == XS_OK && o->target != XS_ITEMSETS_ALL) {
        uint8_t *flag = NULL;
        if (tree_filter(&m, o->target, &flag, n) < 0)
            rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        xs__free(flag);
    }
    xs__mine_mined_free(&m);
    return rc;
}

typedef struct each_ctx {
    const xs__mine_mined *m;
    xs_itemset_fn fn;
    void *ctx;
    uint32_t *buf;
} each_ctx;

static int each_emit(void *ctx, const uint32_t *rec, size_t n, uint32_t count)
{
    each_ctx *e = ctx;
    for (size_t i = 0; i < n; i++) e->buf[i] = e->m->rank[rec[i]];
    sort_u32(e->buf, n);
    for (size_t i = 0; i < n; i++) e->buf[i] = e->m->rank2id[e->buf[i]];
    return e->fn(e->ctx, e->buf, n, count);
}

int xs_itemsets_each(const xs_baskets *b, const xs_mine_opts *o, xs_itemset_fn fn,
                     void *ctx, xs_error *err)
{
    xs__mine_mined m;
    each_ctx e = {&m, fn, ctx, NULL};
    e.buf = xs__malloc((b->names.n + 1) * sizeof *e.buf);
    if (!e.buf) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__mine_cfg cfg = {0};
    cfg.minc = opts_minc(b, o);
    cfg.max_len = o->max_len;
    cfg.target = o->target;
    cfg.emit = each_emit;
    cfg.ctx = &e;
    cfg.progress_label = "itemsets";
    int rc = xs__mine(&m, b, &cfg, err);
    xs__mine_mined_free(&m);
    xs__free(e.buf);
    return rc;
}

size_t xs_itemsets_n(const xs_itemsets *s)
{
    return s->n;
}

size_t xs_itemsets_n_tx(const xs_itemsets *s)
{
    return s->n_tx;
}

size_t xs_itemsets_get(const xs_itemsets *s, size_t i, const uint32_t **items,
                       uint64_t *count)
{
    *items = s->items + s->off[i];
    *count = s->count[i];
    return (size_t)(s->off[i + 1] - s->off[i]);
}

void xs_itemsets_free(xs_itemsets *s)
{
    if (!s) return;
    xs__free(s->items);
    xs__free(s->off);
    xs__free(s->count);
    xs__free(s);
}
