/*
 * plan_int.h — internals of the global plan under capacity (src/offer/plan*.c).
 *
 * The plan is a small integer program over the candidates the offer engine
 * would consider (docs/plan.md):
 *
 *   maximise  sum_i ev_i x_i           x_i in {0, 1}, one per candidate
 *   s.t.      sum_{i of c} x_i <= k_c                 per customer
 *             sum_{i of c, family f} x_i <= 1         per customer and family
 *             sum_{i uses j} x_i <= cap_j             per capacity constraint
 *
 * A candidate uses at most XS__PLAN_MAX_USE capacity constraints (its
 * channel, its channel per owner, its product). The solvers (plan_solve.c:
 * greedy, Lagrangian; plan_lp.c: GLPK's LP and MIP) read this struct only,
 * so the unit tests build problems by hand and compare them with a brute
 * force. plan.c builds it from an engine and a capacity spec.
 */
#ifndef XS_PLAN_INT_H
#define XS_PLAN_INT_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>

#define XS__PLAN_MAX_USE 3 /* capacity constraints one candidate counts in */

/* One candidate of the plan. */
typedef struct xs__offer_plan_item {
    double ev;                     /* its value when assigned (> 0) */
    uint32_t cust;                 /* problem customer index */
    uint32_t group;                /* at most one item per (customer, group) */
    int32_t use[XS__PLAN_MAX_USE]; /* constraint indexes, -1 unused */
} xs__offer_plan_item;

/* The problem. Customer c's items are [off[c], off[c+1]) in the order the
 * engine ranks them (the greedy baseline walks them in that order). */
typedef struct xs__offer_plan_problem {
    size_t n_cust, n_items, n_cons;
    uint32_t *off;       /* n_cust + 1 */
    uint32_t *k;         /* per customer: at most this many items */
    xs__offer_plan_item *item; /* n_items */
    double *cap;         /* n_cons: capacity of each constraint (>= 0) */
} xs__offer_plan_problem;

/* What a solver returns. */
typedef struct xs__offer_plan_solution {
    uint8_t *x;     /* n_items: 1 assigned (caller frees with xs__free) */
    double *price;  /* n_cons: shadow price per unit (caller frees) */
    double value;   /* sum of ev of the assigned items */
    double bound;   /* an upper bound on the optimum (LP / Lagrangian dual);
                       NaN when the solver has none */
    int optimal;    /* 1: value is proven optimal */
    int iterations; /* subgradient iterations or simplex / B&B runs */
} xs__offer_plan_solution;

/* Frees the arrays of a solution (not the struct); NULL is fine. */
void xs__offer_plan_solution_free(xs__offer_plan_solution *s);

/* The fair greedy of today's per-customer ranking: customers by their best
 * ev descending (ties: index), each taking its items in the engine's order
 * while its limit, its families and every capacity allow. price all 0,
 * bound NaN. @return XS_OK or XS_ENOMEM */
int xs__offer_plan_greedy(const xs__offer_plan_problem *p, xs__offer_plan_solution *out);

/* Lagrangian relaxation of the capacity constraints: subgradient descent on
 * the multipliers (the per-customer problem is a matroid, solved exactly by
 * sorting), then a repair that takes items by reduced value while every
 * constraint allows. price: the best multipliers; bound: the best dual.
 * @return XS_OK or XS_ENOMEM */
int xs__offer_plan_lagrange(const xs__offer_plan_problem *p, int max_iter,
                            xs__offer_plan_solution *out);

/* The same problem by GLPK (plan_lp.c). mip 0: the LP relaxation by the
 * simplex, rounded by the same repair as the Lagrangian (ordered by the LP
 * value, then ev); prices are the LP's row duals. mip 1: also branch and
 * bound (glp_intopt) for the exact optimum within time_limit_ms; optimal
 * says whether it was proven. @return XS_OK, XS_ENOMEM, XS_EINVAL (GLPK
 * failed: err says how) */
int xs__offer_plan_glpk(const xs__offer_plan_problem *p, int mip, int time_limit_ms,
                        xs__offer_plan_solution *out, xs_error *err);

/* Takes items in the order ord (n_items indexes) while the customer's
 * limit, its group and every capacity allow; writes x and value.
 * (plan_solve.c, shared by the LP rounding) @return XS_OK or XS_ENOMEM */
int xs__offer_plan_repair(const xs__offer_plan_problem *p, const uint32_t *ord,
                          xs__offer_plan_solution *out);

/* Whether x is feasible: 1 yes, 0 no. */
int xs__offer_plan_feasible(const xs__offer_plan_problem *p, const uint8_t *x);

/* ---- the plan over an engine (plan.c, plan_out.c) ----------------------- */

/* One entry of a capacity spec. */
typedef struct xs__offer_plan_spec {
    char name[300];  /* "email", "csm/owner", "product:ID" */
    int channel;     /* XS_SNAP_CH_* or -1 */
    int32_t product; /* snapshot product or -1 */
    int per_owner;   /* one constraint per owner */
    double cap;
    long entry;   /* its number in the spec (line of a file) */
    size_t first; /* its first constraint index */
} xs__offer_plan_spec;

/* A constraint: its spec entry and, per owner, the owner code
 * (XS_SNAP_NONE16: customers without an owner, or not per owner). */
typedef struct xs__offer_plan_cons {
    uint32_t spec;
    uint16_t owner;
} xs__offer_plan_cons;

/* What the output needs of a candidate (parallel to the problem's items). */
typedef struct xs__offer_plan_cand {
    uint32_t customer; /* snapshot customer */
    int32_t from, to;  /* products, -1 none */
    int32_t also[2];   /* bundle: the further items */
    uint32_t qty_from, qty_to;
    uint16_t term_from, term_to;
    int32_t timing; /* day */
    int rank;       /* the engine's rank, 0 when it held it back (limit) */
    uint8_t kind, channel, trigger;
} xs__offer_plan_cand;

struct xs_plan {
    const xs_offer_engine *en; /* borrowed */
    int days;
    xs__offer_plan_spec *spec;
    size_t n_spec, n_owners;
    xs__offer_plan_cons *cons; /* prob.n_cons */
    xs__offer_plan_problem prob;
    uint32_t *cust;      /* problem customer -> snapshot customer */
    xs__offer_plan_cand *cand; /* prob.n_items */
    size_t n_all_customers;
    xs__offer_plan_solution sol, greedy;
    double *use, *use_greedy; /* per constraint */
    xs_plan_totals totals;
};

/* Parses a capacity spec against the snapshot's products (docs/plan.md).
 * *out: caller frees with xs__free. @return XS_OK, XS_EINVAL (err located
 * at source:entry), XS_ENOMEM */
int xs__offer_plan_spec_parse(const struct xs_snapshot *s, const char *spec,
                              const char *source, xs__offer_plan_spec **out,
                              size_t *n_out, xs_error *err);

#endif
