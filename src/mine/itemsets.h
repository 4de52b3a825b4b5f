/*
 * itemsets.h — the frequent-itemset miner's internal interface, shared with
 * the rule generator (rules.c).
 *
 * xs__mine prepares a recoded database from xs_baskets and enumerates the
 * frequent itemsets depth first (occurrence delivery, see itemsets.c),
 * handing each one to a callback and, on request, keeping them all in a
 * prefix tree whose node counts let rules.c look up any subset's count.
 */
#ifndef XS_ITEMSETS_H
#define XS_ITEMSETS_H

#include "xsell.h"
#include "mine/baskets.h"

#include <stddef.h>
#include <stdint.h>

/* A node of the itemset tree: the itemset of the path from the root. Items
 * on a path strictly decrease (recoded ids); the children of a node are
 * contiguous (first .. first + n_child - 1) and sorted by ascending item. */
typedef struct xs__mine_trie_node {
    uint32_t item;    /* recoded item id */
    uint32_t parent;  /* node index; the root (0) is its own parent */
    uint32_t first;   /* first child */
    uint32_t n_child;
    uint32_t count;   /* baskets holding the itemset */
} xs__mine_trie_node;

/* Called per itemset found: recoded ids along the path (strictly
 * decreasing), its count. Return 0, or a negative code to stop mining. */
typedef int (*xs__mine_emit_fn)(void *ctx, const uint32_t *rec, size_t n, uint32_t count);

typedef struct xs__mine_cfg {
    uint64_t minc;            /* count threshold (>= 1) */
    size_t max_len;           /* 0: none */
    xs_itemset_target target;
    const uint32_t *rhs;      /* basket ids: keep only itemsets co-occurring with one */
    size_t n_rhs;
    int build_trie;           /* keep every itemset in the tree */
    xs__mine_emit_fn emit;    /* NULL: only count */
    void *ctx;
    const char *progress_label; /* NULL: no progress bar */
} xs__mine_cfg;

/* The prepared database and what the miner leaves for its callers. */
typedef struct xs__mine_mined {
    uint64_t n_tx;        /* N */
    uint32_t n_freq;      /* frequent items: recoded ids 0..n_freq-1 */
    uint32_t n_rhs;       /* recoded ids below n_rhs are the rhs items */
    uint32_t *rec2id;     /* recoded -> basket item id */
    uint32_t *rank;       /* recoded -> position of its name in name order */
    uint32_t *rank2id;    /* name position -> basket item id */
    uint32_t *freq;       /* recoded -> count of the single item */
    uint64_t n_found;     /* itemsets reported */
    xs__mine_trie_node *trie; /* when build_trie: node 0 is the empty set (count N) */
    size_t n_nodes, cap_nodes;
} xs__mine_mined;

/*
 * Mines b with cfg. Fills *m (caller frees with xs__mine_mined_free, also after a
 * failure). Returns XS_OK, the callback's negative code, XS_ERANGE (too many
 * baskets / items / nodes for 32-bit counts) or XS_ENOMEM.
 */
int xs__mine(xs__mine_mined *m, const struct xs_baskets *b, const xs__mine_cfg *cfg,
             xs_error *err);
void xs__mine_mined_free(xs__mine_mined *m);

/* Node of an itemset given by recoded ids in strictly decreasing order;
 * UINT32_MAX when it is not in the tree. */
uint32_t xs__mine_trie_find(const xs__mine_mined *m, const uint32_t *rec, size_t n);

/* Test hook: forces the all-itemsets algorithm (0 automatic by density,
 * 1 occurrence delivery, 2 bit-vector Eclat); returns the previous value. */
int xs__mine_itemsets_force_algo(int algo);

/* Stable merge sort with a context-taking comparator. Returns XS_OK or
 * XS_ENOMEM (array untouched). */
int xs__mine_msort(void *base, size_t n, size_t size,
                   int (*cmp)(const void *a, const void *b, void *ctx), void *ctx);

#endif
