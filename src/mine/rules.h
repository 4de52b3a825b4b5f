/*
 * rules.h — association rules from the itemset tree (internal side).
 *
 * The public entry point is xs_rules_mine (xsell.h); this header exposes the
 * measure computation so tests can check it against hand-computed values.
 */
#ifndef XS_RULES_H
#define XS_RULES_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>

/* The mined rules (rules.c); mine_io.c saves and maps every field. */
struct xs_rules {
    size_t n;
    uint64_t total, n_tx;
    uint32_t *items;    /* per rule its lhs then its rhs, basket ids in name order */
    uint64_t *off;      /* n + 1: where rule i's items start */
    uint32_t *n_lhs;    /* per rule */
    uint32_t (*counts)[3]; /* count, lhs_count, rhs_count */
    int mapped;         /* 1: the arrays point into a model file */
};

/*
 * Fills the counts and every measure of r from the rule's count (baskets
 * holding lhs and rhs), lhs_count, rhs_count and N. Each measure is one
 * division of integers held exactly in doubles, so equal ratios compare
 * equal: confidence cz/ca, lift cz*N/(ca*cc), leverage (cz*N - ca*cc)/N^2,
 * conviction (N - cc)*ca / (N*(ca - cz)) or INFINITY when cz == ca.
 */
void xs__mine_rule_measures(xs_rule *r, uint64_t count, uint64_t lhs_count,
                            uint64_t rhs_count, uint64_t n_tx);

#endif
