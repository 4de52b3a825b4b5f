/*
 * uplift_eval_metrics.c — how well predicted uplift ranks the rows of a
 * randomised experiment: the normalised areas under the Qini and uplift
 * curves and uplift@k, with scikit-uplift 0.5's conventions (sklift.metrics
 * qini_auc_score with negative_effect=True, uplift_auc_score, uplift_at_k
 * with strategy "overall" and "by_group"), so that numbers can be set next
 * to published ones. docs/uplift.md has the formulas.
 *
 * Rows are ranked by predicted uplift, highest first. The curves have one
 * point after each group of equal predictions (a tie group is taken whole,
 * so its inner order never matters) plus (0, 0); areas are trapezoids. For
 * a curve with points (x_j, v_j), x the rows taken so far:
 *   Qini:   v = Y_t - Y_c N_t / N_c        (the Y_c term 0 when N_c = 0)
 *   uplift: v = (Y_t / N_t - Y_c / N_c) (N_t + N_c)   (a term 0 when its N is 0)
 * The score is (area - random) / (perfect area - random), random being the
 * straight line to the last point. The perfect Qini curve ranks treated
 * responders first and control responders last (scores y(2w - 1)); the
 * perfect uplift curve ranks treated responders, then control
 * non-responders, then control responders before treated non-responders
 * when there are more of them, else the other way round.
 * uplift@k takes the first rows in rank order, ties in reverse row order
 * (numpy's argsort(kind="mergesort")[::-1]), so with ties the exact rows
 * taken match scikit-uplift's.
 *
 * Every function takes a multiplicity per row: a bootstrap replicate is the
 * original ranking with counts, which costs one pass and no sort.
 */
#include "measure/uplift_eval.h"

#include "base/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Order                                                                   */
/* ---------------------------------------------------------------------- */

typedef struct key {
    double u;
    size_t i;
} key;

static int cmp_key(const void *a, const void *b)
{
    const key *x = a, *y = b;
    if (x->u != y->u) return x->u > y->u ? -1 : 1;
    return x->i > y->i ? -1 : x->i < y->i;
}

int xs__measure_uplift_order(const double *uplift, size_t *rows, size_t n)
{
    key *k = xs__malloc((n ? n : 1) * sizeof *k);
    if (!k) return XS_ENOMEM;
    for (size_t j = 0; j < n; j++) {
        k[j].i = rows[j];
        k[j].u = uplift[rows[j]];
    }
    qsort(k, n, sizeof *k, cmp_key);
    for (size_t j = 0; j < n; j++)
        rows[j] = k[j].i;
    xs__free(k);
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Curves                                                                  */
/* ---------------------------------------------------------------------- */

/* Weighted counts of rows by arm and outcome. */
typedef struct cell4 {
    double nt, nc, yt, yc;
} cell4;

/* A curve being walked: its area so far and the last point. */
typedef struct walk {
    int uplift_curve; /* 0: Qini */
    cell4 cum;
    double x, v, area;
} walk;

static double curve_value(const walk *k)
{
    const cell4 *c = &k->cum;
    if (!k->uplift_curve) return c->yt - (c->nc > 0 ? c->yc * c->nt / c->nc : 0);
    double rt = c->nt > 0 ? c->yt / c->nt : 0, rc = c->nc > 0 ? c->yc / c->nc : 0;
    return (rt - rc) * (c->nt + c->nc);
}

/* Adds a block of rows (a tie group) and the point after it. */
static void walk_block(walk *k, const cell4 *b)
{
    k->cum.nt += b->nt;
    k->cum.nc += b->nc;
    k->cum.yt += b->yt;
    k->cum.yc += b->yc;
    double x = k->cum.nt + k->cum.nc, v = curve_value(k);
    k->area += (x - k->x) * (v + k->v) / 2;
    k->x = x;
    k->v = v;
}

/* (area - random) / (perfect - random), NaN when undefined. */
static double normalise(const walk *actual, const walk *perfect)
{
    double base = perfect->x * perfect->v / 2, den = perfect->area - base;
    if (!(perfect->x > 0) || den == 0) return NAN;
    return (actual->area - base) / den;
}

/* The perfect curves of the totals t (rows by arm and outcome). */
static void perfect_curves(const cell4 *t, walk *qini, walk *upl)
{
    cell4 tr = {t->yt, 0, t->yt, 0};     /* treated responders */
    cell4 tn = {t->nt - t->yt, 0, 0, 0}; /* treated non-responders */
    cell4 cr = {0, t->yc, 0, t->yc};     /* control responders */
    cell4 cn = {0, t->nc - t->yc, 0, 0}; /* control non-responders */
    cell4 zero = {tn.nt, cn.nc, 0, 0};   /* Qini score 0: both */
    walk_block(qini, &tr);
    walk_block(qini, &zero);
    walk_block(qini, &cr);
    walk_block(upl, &tr);
    walk_block(upl, &cn);
    if (cr.nc > tn.nt) {
        walk_block(upl, &cr);
        walk_block(upl, &tn);
    } else {
        walk_block(upl, &tn);
        walk_block(upl, &cr);
    }
}

/* ---------------------------------------------------------------------- */
/* uplift@k                                                                */
/* ---------------------------------------------------------------------- */

/* Treated rate - control rate of the first rows in order: overall, the
 * first take_all copies; by group, the first take_t treated and take_c
 * control copies. NaN when an arm has no copy among them. */
static double at_k(const unsigned char *y, const unsigned char *w, const size_t *order,
                   const uint32_t *cnt, size_t n, double take_all, double take_t,
                   double take_c, int by_group)
{
    double nt = 0, nc = 0, yt = 0, yc = 0;
    for (size_t j = 0; j < n; j++) {
        size_t i = order[j];
        double c = cnt ? cnt[j] : 1;
        if (c == 0) continue;
        double take;
        if (!by_group) {
            if (take_all <= 0) break;
            take = fmin(c, take_all);
            take_all -= take;
        } else {
            double *left = w[i] ? &take_t : &take_c;
            if (*left <= 0) {
                if (take_t <= 0 && take_c <= 0) break;
                continue;
            }
            take = fmin(c, *left);
            *left -= take;
        }
        if (w[i]) {
            nt += take;
            yt += take * y[i];
        } else {
            nc += take;
            yc += take * y[i];
        }
    }
    if (nt == 0 || nc == 0) return NAN;
    return yt / nt - yc / nc;
}

/* ---------------------------------------------------------------------- */
/* All metrics                                                             */
/* ---------------------------------------------------------------------- */

void xs__measure_uplift_scores_of(const double *uplift, const unsigned char *y,
                                  const unsigned char *w, const size_t *order,
                                  const uint32_t *cnt, size_t n, double k,
                                  xs__measure_uplift_scores *out)
{
    walk q, u, pq, pu;
    cell4 block, tot;
    memset(&q, 0, sizeof q);
    memset(&u, 0, sizeof u);
    memset(&pq, 0, sizeof pq);
    memset(&pu, 0, sizeof pu);
    memset(&block, 0, sizeof block);
    int have = 0;
    double last = 0;
    u.uplift_curve = pu.uplift_curve = 1;
    for (size_t j = 0; j < n; j++) {
        size_t i = order[j];
        double c = cnt ? cnt[j] : 1;
        if (c == 0) continue;
        if (have && uplift[i] != last) {
            walk_block(&q, &block);
            walk_block(&u, &block);
            memset(&block, 0, sizeof block);
        }
        have = 1;
        last = uplift[i];
        if (w[i]) {
            block.nt += c;
            block.yt += c * y[i];
        } else {
            block.nc += c;
            block.yc += c * y[i];
        }
    }
    if (have) {
        walk_block(&q, &block);
        walk_block(&u, &block);
    }
    tot = q.cum;
    perfect_curves(&tot, &pq, &pu);
    out->qini = normalise(&q, &pq);
    out->auuc = normalise(&u, &pu);
    double all = tot.nt + tot.nc;
    out->at_k_overall = at_k(y, w, order, cnt, n, floor(all * k), 0, 0, 0);
    out->at_k_by_group =
        at_k(y, w, order, cnt, n, 0, floor(tot.nt * k), floor(tot.nc * k), 1);
    out->random = tot.nt > 0 && tot.nc > 0 ? tot.yt / tot.nt - tot.yc / tot.nc : NAN;
}

/* ---------------------------------------------------------------------- */
/* Public entry points                                                     */
/* ---------------------------------------------------------------------- */

/* The scores of all n rows, or NaN everywhere when out of memory. */
static void scores(const double *uplift, const unsigned char *y, const unsigned char *w,
                   size_t n, double k, xs__measure_uplift_scores *s)
{
    size_t *order = xs__malloc((n ? n : 1) * sizeof *order);
    s->qini = s->auuc = s->at_k_overall = s->at_k_by_group = s->random = NAN;
    if (!order) return;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (xs__measure_uplift_order(uplift, order, n) == XS_OK)
        xs__measure_uplift_scores_of(uplift, y, w, order, NULL, n, k, s);
    xs__free(order);
}

double xs_uplift_qini(const double *uplift, const unsigned char *y,
                      const unsigned char *w, size_t n)
{
    xs__measure_uplift_scores s;
    scores(uplift, y, w, n, 0.3, &s);
    return s.qini;
}

double xs_uplift_auuc(const double *uplift, const unsigned char *y,
                      const unsigned char *w, size_t n)
{
    xs__measure_uplift_scores s;
    scores(uplift, y, w, n, 0.3, &s);
    return s.auuc;
}

double xs_uplift_at_k(const double *uplift, const unsigned char *y,
                      const unsigned char *w, size_t n, double k,
                      xs_uplift_strategy strategy)
{
    xs__measure_uplift_scores s;
    scores(uplift, y, w, n, k, &s);
    return strategy == XS_UPLIFT_BY_GROUP ? s.at_k_by_group : s.at_k_overall;
}
