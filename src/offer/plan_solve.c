/*
 * plan_solve.c — the greedy baseline and the Lagrangian solver of the
 * global plan (plan_int.h has the problem; docs/plan.md the method).
 *
 * Lagrangian relaxation, in short. Moving the capacity constraints into
 * the objective with multipliers lambda_j >= 0 leaves one small problem
 * per customer: take at most k_c items, at most one per family, maximising
 * the reduced values r_i = ev_i - sum_{j used by i} lambda_j. "At most one
 * per family, at most k in all" is a matroid, so the greedy answer (the
 * best item of each family, then the k best of those with r > 0) is exact,
 * and the relaxation's polytope is integral: the best dual
 *   L(lambda) = sum_c best_c(lambda) + sum_j lambda_j cap_j
 * equals the LP relaxation's optimum, an upper bound on the plan's value.
 * The subgradient of L at lambda is cap_j - use_j, the capacity left by
 * the relaxed answer; lambda follows it down (Polyak's step towards the
 * best feasible value found, halved when the dual stops improving). The
 * final lambda are the shadow prices: what one more unit of a constraint
 * would add to the plan's value.
 *
 * The relaxed answer may overfill a constraint, so the plan itself comes
 * from a repair: every item in order of reduced value at the best
 * multipliers (then ev), taken while the customer's limit, its family and
 * every capacity allow. Items whose reduced value is negative still come
 * last, so capacity left over is never wasted.
 */
#include "offer/plan_int.h"
#include "base/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Iterations between two repairs (each sorts every item): the repair gives
 * the lower bound Polyak's step aims at. */
#define XS__PLAN_REPAIR_EVERY 25

void xs__offer_plan_solution_free(xs__offer_plan_solution *s)
{
    if (!s) return;
    xs__free(s->x);
    xs__free(s->price);
    s->x = NULL;
    s->price = NULL;
}

static int alloc_solution(const xs__offer_plan_problem *p, xs__offer_plan_solution *out)
{
    memset(out, 0, sizeof *out);
    out->x = xs__calloc(p->n_items ? p->n_items : 1, 1);
    out->price = xs__calloc(p->n_cons ? p->n_cons : 1, sizeof *out->price);
    if (!out->x || !out->price) {
        xs__offer_plan_solution_free(out);
        return XS_ENOMEM;
    }
    out->bound = NAN;
    return XS_OK;
}

int xs__offer_plan_feasible(const xs__offer_plan_problem *p, const uint8_t *x)
{
    double *use = xs__calloc(p->n_cons ? p->n_cons : 1, sizeof *use);
    int ok = use != NULL;
    for (size_t c = 0; ok && c < p->n_cust; c++) {
        uint32_t n = 0;
        for (uint32_t i = p->off[c]; i < p->off[c + 1]; i++) {
            if (!x[i]) continue;
            n++;
            for (uint32_t k = p->off[c]; k < i; k++)
                if (x[k] && p->item[k].group == p->item[i].group) ok = 0;
            for (int u = 0; u < XS__PLAN_MAX_USE; u++)
                if (p->item[i].use[u] >= 0) use[p->item[i].use[u]] += 1;
        }
        if (n > p->k[c]) ok = 0;
    }
    for (size_t j = 0; ok && j < p->n_cons; j++)
        if (use[j] > p->cap[j]) ok = 0;
    xs__free(use);
    return ok;
}

/* Whether item i fits: the customer's limit and family, every capacity. */
static int fits(const xs__offer_plan_problem *p, const uint8_t *x,
                const uint32_t *n_taken, const double *use, uint32_t i)
{
    const xs__offer_plan_item *it = &p->item[i];
    if (n_taken[it->cust] >= p->k[it->cust]) return 0;
    for (int u = 0; u < XS__PLAN_MAX_USE; u++)
        if (it->use[u] >= 0 && use[it->use[u]] + 1 > p->cap[it->use[u]]) return 0;
    for (uint32_t k = p->off[it->cust]; k < p->off[it->cust + 1]; k++)
        if (x[k] && p->item[k].group == it->group) return 0;
    return 1;
}

static void take(const xs__offer_plan_problem *p, uint8_t *x, uint32_t *n_taken,
                 double *use, uint32_t i)
{
    const xs__offer_plan_item *it = &p->item[i];
    x[i] = 1;
    n_taken[it->cust]++;
    for (int u = 0; u < XS__PLAN_MAX_USE; u++)
        if (it->use[u] >= 0) use[it->use[u]] += 1;
}

int xs__offer_plan_repair(const xs__offer_plan_problem *p, const uint32_t *ord,
                          xs__offer_plan_solution *out)
{
    uint32_t *n_taken = xs__calloc(p->n_cust ? p->n_cust : 1, sizeof *n_taken);
    double *use = xs__calloc(p->n_cons ? p->n_cons : 1, sizeof *use);
    if (!n_taken || !use) {
        xs__free(n_taken);
        xs__free(use);
        return XS_ENOMEM;
    }
    memset(out->x, 0, p->n_items);
    out->value = 0;
    for (size_t r = 0; r < p->n_items; r++) {
        uint32_t i = ord[r];
        if (!(p->item[i].ev > 0) || !fits(p, out->x, n_taken, use, i)) continue;
        take(p, out->x, n_taken, use, i);
        out->value += p->item[i].ev;
    }
    xs__free(n_taken);
    xs__free(use);
    return XS_OK;
}

/* ---- greedy baseline ---------------------------------------------------- */

typedef struct {
    double key;
    uint32_t idx;
} keyed;

static int by_key_desc(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return x->key > y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int xs__offer_plan_greedy(const xs__offer_plan_problem *p, xs__offer_plan_solution *out)
{
    if (alloc_solution(p, out) < 0) return XS_ENOMEM;
    keyed *cs = xs__malloc((p->n_cust ? p->n_cust : 1) * sizeof *cs);
    uint32_t *ord = xs__malloc((p->n_items ? p->n_items : 1) * sizeof *ord);
    if (!cs || !ord) {
        xs__free(cs);
        xs__free(ord);
        xs__offer_plan_solution_free(out);
        return XS_ENOMEM;
    }
    for (size_t c = 0; c < p->n_cust; c++) {
        double best = 0;
        for (uint32_t i = p->off[c]; i < p->off[c + 1]; i++)
            if (p->item[i].ev > best) best = p->item[i].ev;
        cs[c].key = best;
        cs[c].idx = (uint32_t)c;
    }
    qsort(cs, p->n_cust, sizeof *cs, by_key_desc);
    size_t r = 0;
    for (size_t k = 0; k < p->n_cust; k++)
        for (uint32_t i = p->off[cs[k].idx]; i < p->off[cs[k].idx + 1]; i++)
            ord[r++] = i;
    int rc = xs__offer_plan_repair(p, ord, out);
    xs__free(cs);
    xs__free(ord);
    if (rc < 0) xs__offer_plan_solution_free(out);
    return rc;
}

/* ---- Lagrangian relaxation ---------------------------------------------- */

static double reduced(const xs__offer_plan_problem *p, const double *lambda, uint32_t i)
{
    double r = p->item[i].ev;
    for (int u = 0; u < XS__PLAN_MAX_USE; u++)
        if (p->item[i].use[u] >= 0) r -= lambda[p->item[i].use[u]];
    return r;
}

/* The relaxed per-customer answers at lambda: returns L(lambda), sets
 * sel[i] (n_items flags, cleared first) for the items chosen, their ev sum
 * into *primal and the relaxed use of every constraint into use. r is a
 * scratch of n_items reduced values. One pass per customer: the reduced
 * values, the best item of each family (ties: the first), then the k best
 * of those with r > 0. shared[i]: another item of i's customer has its
 * family. */
static double relaxed(const xs__offer_plan_problem *p, const double *lambda, double *use,
                      uint8_t *sel, double *r, const uint8_t *shared, double *primal)
{
    double total = 0;
    *primal = 0;
    memset(use, 0, p->n_cons * sizeof *use);
    memset(sel, 0, p->n_items);
    for (size_t i = 0; i < p->n_items; i++)
        r[i] = reduced(p, lambda, (uint32_t)i);
    for (size_t c = 0; c < p->n_cust; c++) {
        uint32_t lo = p->off[c], hi = p->off[c + 1];
        if (lo == hi || p->k[c] == 0) continue;
        /* cand: best of its family with r > 0 (marked 2 in sel for now) */
        uint32_t n_cand = 0;
        for (uint32_t i = lo; i < hi; i++) {
            if (!(r[i] > 0)) continue;
            int best = 1;
            if (shared[i])
                for (uint32_t k = lo; k < hi && best; k++)
                    if (k != i && p->item[k].group == p->item[i].group &&
                        (r[k] > r[i] || (r[k] == r[i] && k < i)))
                        best = 0;
            if (best) {
                sel[i] = 2;
                n_cand++;
            }
        }
        if (n_cand > p->k[c]) {
            /* keep the k best (ties: the first): mark them 3, drop the rest */
            for (uint32_t t = 0; t < p->k[c]; t++) {
                uint32_t bi = UINT32_MAX;
                for (uint32_t i = lo; i < hi; i++)
                    if (sel[i] == 2 && (bi == UINT32_MAX || r[i] > r[bi])) bi = i;
                sel[bi] = 3;
            }
            for (uint32_t i = lo; i < hi; i++)
                sel[i] = sel[i] == 3;
        }
        for (uint32_t i = lo; i < hi; i++) {
            if (!sel[i]) continue;
            sel[i] = 1;
            total += r[i];
            *primal += p->item[i].ev;
            for (int u = 0; u < XS__PLAN_MAX_USE; u++)
                if (p->item[i].use[u] >= 0) use[p->item[i].use[u]] += 1;
        }
    }
    for (size_t j = 0; j < p->n_cons; j++)
        total += lambda[j] * p->cap[j];
    return total;
}

/* Repair at lambda into out (keeps out's best when this is worse). */
static int repair_at(const xs__offer_plan_problem *p, const double *lambda, keyed *ks,
                     uint32_t *ord, uint8_t *x_tmp, xs__offer_plan_solution *best)
{
    for (size_t i = 0; i < p->n_items; i++) {
        ks[i].key = reduced(p, lambda, (uint32_t)i);
        ks[i].idx = (uint32_t)i;
    }
    qsort(ks, p->n_items, sizeof *ks, by_key_desc);
    for (size_t i = 0; i < p->n_items; i++)
        ord[i] = ks[i].idx;
    xs__offer_plan_solution tmp = *best;
    tmp.x = x_tmp;
    if (xs__offer_plan_repair(p, ord, &tmp) < 0) return XS_ENOMEM;
    if (tmp.value > best->value) {
        memcpy(best->x, x_tmp, p->n_items);
        best->value = tmp.value;
    }
    return XS_OK;
}

/* Subgradient descent on problem p from the multipliers lambda (n_cons;
 * on return the best ones found), into out (allocated for p): out->price
 * the best multipliers, out->bound the best dual, out->x the best feasible
 * plan of p met on the way (relaxed answers that fit, repairs). */
static int subgradient(const xs__offer_plan_problem *p, int max_iter, double *lambda_io,
                       xs__offer_plan_solution *out)
{
    if (alloc_solution(p, out) < 0) return XS_ENOMEM;
    size_t nc = p->n_cons ? p->n_cons : 1, ni = p->n_items ? p->n_items : 1;
    double *lambda = xs__calloc(nc, sizeof *lambda);
    double *use = xs__calloc(nc, sizeof *use);
    uint8_t *sel = xs__calloc(ni, 1);
    uint8_t *x_tmp = xs__calloc(ni, 1);
    keyed *ks = xs__malloc(ni * sizeof *ks);
    uint32_t *ord = xs__malloc(ni * sizeof *ord);
    double *r = xs__malloc(ni * sizeof *r);
    uint8_t *shared = xs__calloc(ni, 1);
    int rc = XS_ENOMEM;
    if (!lambda || !use || !sel || !x_tmp || !ks || !ord || !r || !shared) goto cleanup;
    for (size_t c = 0; c < p->n_cust; c++)
        for (uint32_t i = p->off[c]; i < p->off[c + 1]; i++)
            for (uint32_t k = i + 1; k < p->off[c + 1]; k++)
                if (p->item[k].group == p->item[i].group) shared[i] = shared[k] = 1;
    memcpy(lambda, lambda_io, p->n_cons * sizeof *lambda);
    memcpy(out->price, lambda, p->n_cons * sizeof *lambda);
    double best_dual = INFINITY, theta = 2.0;
    int since = 0, it;
    /* the repair at lambda = 0 (every item by ev) is the first lower bound */
    if (repair_at(p, lambda, ks, ord, x_tmp, out) < 0) goto cleanup;
    for (it = 0; it < max_iter; it++) {
        double primal, dual = relaxed(p, lambda, use, sel, r, shared, &primal);
        double g2 = 0;
        int feasible = 1, tight = 1; /* tight: also complementary, so optimal */
        for (size_t j = 0; j < p->n_cons; j++) {
            double g = p->cap[j] - use[j];
            if (g < 0) feasible = 0;
            if (g < 0 || (lambda[j] > 0 && g > 0)) tight = 0;
            if (lambda[j] <= 0 && g > 0) g = 0; /* projected: cannot go below 0 */
            g2 += g * g;
        }
        if (feasible && primal > out->value) {
            memcpy(out->x, sel, p->n_items);
            out->value = primal;
        }
        if (isinf(best_dual) || dual < best_dual - 1e-9 * fabs(best_dual)) {
            best_dual = dual;
            memcpy(out->price, lambda, p->n_cons * sizeof *lambda);
            since = 0;
        } else if (++since >= 10) {
            theta /= 2;
            since = 0;
        }
        if (it % XS__PLAN_REPAIR_EVERY == XS__PLAN_REPAIR_EVERY - 1 &&
            repair_at(p, lambda, ks, ord, x_tmp, out) < 0)
            goto cleanup;
        if (tight || g2 == 0 || theta < 1e-4 ||
            best_dual - out->value <= 1e-7 * fabs(best_dual))
            break;
        double step = theta * (dual - out->value) / g2;
        if (!(step > 0)) step = 1e-6;
        for (size_t j = 0; j < p->n_cons; j++) {
            lambda[j] -= step * (p->cap[j] - use[j]);
            if (lambda[j] < 0) lambda[j] = 0;
        }
    }
    if (repair_at(p, out->price, ks, ord, x_tmp, out) < 0) goto cleanup;
    memcpy(lambda_io, out->price, p->n_cons * sizeof *lambda);
    out->bound = best_dual;
    out->iterations = it;
    out->optimal = best_dual - out->value <= 1e-9 * fabs(best_dual) + 1e-9;
    rc = XS_OK;
cleanup:
    xs__free(lambda);
    xs__free(use);
    xs__free(sel);
    xs__free(x_tmp);
    xs__free(ks);
    xs__free(ord);
    xs__free(r);
    xs__free(shared);
    if (rc < 0) xs__offer_plan_solution_free(out);
    return rc;
}

/* ---- the active set ----------------------------------------------------- */

/* Whether an item uses no capacity constraint. */
static int is_free(const xs__offer_plan_item *it)
{
    for (int u = 0; u < XS__PLAN_MAX_USE; u++)
        if (it->use[u] >= 0) return 0;
    return 1;
}

/* Whether item a ranks before item b: higher ev, ties by index. */
static int beats(const xs__offer_plan_problem *p, uint32_t a, uint32_t b)
{
    return p->item[a].ev > p->item[b].ev || (p->item[a].ev == p->item[b].ev && a < b);
}

/* The k-th largest (0-based) of v[0..n) (reorders v): quickselect. */
static double kth_largest(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* Marks the first active set: every item whose ev is among the best
 * 1.25 cap_j + 20 of the users of each constraint j it uses, and of the
 * items using no constraint the best of each family, then the k best of
 * those per customer (the rest can never be in a best plan: swapping one
 * for a better free item of a family not yet taken loses nothing). */
static int first_active(const xs__offer_plan_problem *p, uint8_t *act)
{
    size_t nc = p->n_cons;
    size_t *cnt = xs__calloc(nc + 1, sizeof *cnt);
    double *thr = xs__malloc((nc ? nc : 1) * sizeof *thr);
    double *v = xs__malloc((p->n_items ? p->n_items : 1) * XS__PLAN_MAX_USE * sizeof *v);
    if (!cnt || !thr || !v) {
        xs__free(cnt);
        xs__free(thr);
        xs__free(v);
        return XS_ENOMEM;
    }
    /* the ev of each constraint's users, bucketed by constraint (cnt[j]:
     * where j's bucket starts) */
    for (size_t i = 0; i < p->n_items; i++)
        for (int u = 0; u < XS__PLAN_MAX_USE; u++)
            if (p->item[i].use[u] >= 0) cnt[p->item[i].use[u] + 1]++;
    for (size_t j = 0; j < nc; j++)
        cnt[j + 1] += cnt[j];
    for (size_t i = 0; i < p->n_items; i++)
        for (int u = 0; u < XS__PLAN_MAX_USE; u++)
            if (p->item[i].use[u] >= 0) v[cnt[p->item[i].use[u]]++] = p->item[i].ev;
    for (size_t j = nc; j > 0; j--)
        cnt[j] = cnt[j - 1]; /* back to starts */
    cnt[0] = 0;
    for (size_t j = 0; j < nc; j++) {
        size_t n = cnt[j + 1] - cnt[j], m = (size_t)(1.25 * p->cap[j]) + 20;
        thr[j] = n > m ? kth_largest(v + cnt[j], n, m - 1) : -INFINITY;
    }
    for (size_t i = 0; i < p->n_items; i++) {
        act[i] = 1;
        for (int u = 0; u < XS__PLAN_MAX_USE; u++)
            if (p->item[i].use[u] >= 0 && p->item[i].ev < thr[p->item[i].use[u]])
                act[i] = 0;
    }
    for (size_t c = 0; c < p->n_cust; c++)
        for (uint32_t i = p->off[c]; i < p->off[c + 1]; i++) {
            if (!is_free(&p->item[i])) continue;
            uint32_t better = 0; /* families with a better free item */
            for (uint32_t k = p->off[c]; k < p->off[c + 1]; k++) {
                if (k == i || !is_free(&p->item[k]) || !beats(p, k, i)) continue;
                if (p->item[k].group == p->item[i].group) {
                    better = UINT32_MAX; /* not the best of its family */
                    break;
                }
                /* count each family once: at its best free item */
                int best_of_fam = 1;
                for (uint32_t m = p->off[c]; m < p->off[c + 1] && best_of_fam; m++)
                    if (m != k && is_free(&p->item[m]) &&
                        p->item[m].group == p->item[k].group && beats(p, m, k))
                        best_of_fam = 0;
                better += (uint32_t)best_of_fam;
            }
            if (better >= p->k[c]) act[i] = 0;
        }
    xs__free(cnt);
    xs__free(thr);
    xs__free(v);
    return XS_OK;
}

/* The problem restricted to the active items of the customers with an
 * active item that uses a constraint (the others' best answer does not
 * depend on the multipliers): sub's arrays are allocated (free with
 * free_sub); map[sub item] = item of p. */
static int restrict_to(const xs__offer_plan_problem *p, const uint8_t *act,
                       xs__offer_plan_problem *sub, uint32_t *map)
{
    memset(sub, 0, sizeof *sub);
    size_t n = 0, nc = 0;
    for (size_t i = 0; i < p->n_items; i++)
        n += act[i];
    sub->off = xs__malloc((p->n_cust + 1) * sizeof *sub->off);
    sub->k = xs__malloc((p->n_cust ? p->n_cust : 1) * sizeof *sub->k);
    sub->item = xs__malloc((n ? n : 1) * sizeof *sub->item);
    if (!sub->off || !sub->k || !sub->item) return XS_ENOMEM;
    sub->cap = p->cap;
    sub->n_cons = p->n_cons;
    n = 0;
    sub->off[0] = 0;
    for (size_t c = 0; c < p->n_cust; c++) {
        size_t before = n;
        int bound = 0;
        for (uint32_t i = p->off[c]; i < p->off[c + 1]; i++)
            bound |= act[i] && !is_free(&p->item[i]);
        if (!bound) continue;
        for (uint32_t i = p->off[c]; i < p->off[c + 1]; i++) {
            if (!act[i]) continue;
            sub->item[n] = p->item[i];
            sub->item[n].cust = (uint32_t)nc;
            map[n++] = i;
        }
        if (n == before) continue;
        sub->k[nc++] = p->k[c];
        sub->off[nc] = (uint32_t)n;
    }
    sub->n_cust = nc;
    sub->n_items = n;
    return XS_OK;
}

static void free_sub(xs__offer_plan_problem *sub)
{
    xs__free(sub->off);
    xs__free(sub->k);
    xs__free(sub->item);
}

/*
 * The Lagrangian over an active set (column generation). Only a few items
 * per constraint can matter: at the optimum a constraint of capacity cap is
 * used at most cap times, by items whose reduced value beats its price. So
 * the subgradient runs on the items among the best 2 cap + 20 by ev of
 * every constraint they use, a few percent of all at 100,000 customers.
 * Then every item is priced at the multipliers found: the full relaxed
 * answer L(lambda) is a valid upper bound whatever the active set, and any
 * item it takes that was left out joins the set for another round. The
 * plan is the repair over all items at the best multipliers, so nothing
 * left out of the active set is lost.
 */
int xs__offer_plan_lagrange(const xs__offer_plan_problem *p, int max_iter,
                            xs__offer_plan_solution *out)
{
    if (alloc_solution(p, out) < 0) return XS_ENOMEM;
    size_t nc = p->n_cons ? p->n_cons : 1, ni = p->n_items ? p->n_items : 1;
    double *lambda = xs__calloc(nc, sizeof *lambda);
    double *use = xs__calloc(nc, sizeof *use);
    uint8_t *act = xs__calloc(ni, 1), *sel = xs__calloc(ni, 1),
            *x_tmp = xs__calloc(ni, 1);
    uint8_t *shared = xs__calloc(ni, 1);
    double *r = xs__malloc(ni * sizeof *r);
    uint32_t *map = xs__malloc(ni * sizeof *map), *ord = xs__malloc(ni * sizeof *ord);
    keyed *ks = xs__malloc(ni * sizeof *ks);
    xs__offer_plan_problem sub;
    memset(&sub, 0, sizeof sub);
    int rc = XS_ENOMEM, iters = 0;
    if (!lambda || !use || !act || !sel || !x_tmp || !shared || !r || !map || !ord || !ks)
        goto cleanup;
    if (first_active(p, act) < 0) goto cleanup;
    for (size_t c = 0; c < p->n_cust; c++)
        for (uint32_t i = p->off[c]; i < p->off[c + 1]; i++)
            for (uint32_t k = i + 1; k < p->off[c + 1]; k++)
                if (p->item[k].group == p->item[i].group) shared[i] = shared[k] = 1;
    double bound = INFINITY;
    for (int round = 0; round < 8; round++) {
        xs__offer_plan_solution ss;
        if (restrict_to(p, act, &sub, map) < 0) goto cleanup;
        if (subgradient(&sub, round ? max_iter / 2 : max_iter, lambda, &ss) < 0)
            goto cleanup;
        iters += ss.iterations;
        if (ss.value > out->value) { /* a plan of the subset is a plan */
            memset(out->x, 0, p->n_items);
            for (size_t i = 0; i < sub.n_items; i++)
                out->x[map[i]] = ss.x[i];
            out->value = ss.value;
        }
        xs__offer_plan_solution_free(&ss);
        free_sub(&sub);
        memset(&sub, 0, sizeof sub);
        /* price every item at lambda */
        double primal, full = relaxed(p, lambda, use, sel, r, shared, &primal);
        if (full < bound) {
            bound = full;
            memcpy(out->price, lambda, p->n_cons * sizeof *lambda);
        }
        size_t added = 0;
        for (size_t i = 0; i < p->n_items; i++)
            if (sel[i] && !act[i]) {
                act[i] = 1;
                added++;
            }
        if (!added) break;
    }
    if (repair_at(p, out->price, ks, ord, x_tmp, out) < 0) goto cleanup;
    out->bound = bound;
    out->iterations = iters;
    out->optimal = bound - out->value <= 1e-9 * fabs(bound) + 1e-9;
    rc = XS_OK;
cleanup:
    free_sub(&sub);
    xs__free(lambda);
    xs__free(use);
    xs__free(act);
    xs__free(sel);
    xs__free(x_tmp);
    xs__free(shared);
    xs__free(r);
    xs__free(map);
    xs__free(ord);
    xs__free(ks);
    if (rc < 0) xs__offer_plan_solution_free(out);
    return rc;
}
