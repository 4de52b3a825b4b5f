/*
 * auc.c — how good churn predictions are: ROC AUC, log loss, a calibration
 * table by deciles of predicted probability, and the stratified folds of
 * cross-validation. Plain arithmetic on arrays; churn.c calls these on
 * out-of-fold predictions and the unit tests against hand-computed values
 * and an O(n²) pair count.
 *
 * AUC as Mann–Whitney: AUC = P(score of a random positive > score of a
 * random negative) + 1/2 P(equal). Ranking all n scores (ties get the
 * average of the ranks they span), the rank sum R of the positives gives
 * U = R - n_pos (n_pos + 1) / 2, the number of (positive, negative) pairs
 * ordered correctly with ties counted 1/2; AUC = U / (n_pos n_neg). One sort,
 * O(n log n), and exact for ties, which boosted trees produce plenty of
 * (customers falling into the same leaves get the same probability).
 */
#include "score/churn.h"

#include "base/alloc.h"
#include "base/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* qsort has no context argument: sort (value, index) pairs instead. */
typedef struct keyed {
    double v;
    size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->v < y->v) return -1;
    if (x->v > y->v) return 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static keyed *sorted(const double *v, size_t n)
{
    keyed *k = xs__malloc((n ? n : 1) * sizeof *k);
    if (!k) return NULL;
    for (size_t i = 0; i < n; i++) {
        k[i].v = v[i];
        k[i].i = i;
    }
    qsort(k, n, sizeof *k, cmp_keyed);
    return k;
}

double xs__score_churn_auc(const double *score, const unsigned char *y, size_t n)
{
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++)
        n_pos += y[i] != 0;
    if (n_pos == 0 || n_pos == n) return NAN;
    keyed *k = sorted(score, n);
    if (!k) return NAN;
    double rank_sum = 0; /* of the positives, ranks 1-based */
    for (size_t a = 0; a < n;) {
        size_t b = a;
        size_t pos_in_tie = 0;
        while (b < n && k[b].v == k[a].v) {
            pos_in_tie += y[k[b].i] != 0;
            b++;
        }
        /* ranks a+1 .. b share their average (a + 1 + b) / 2 */
        rank_sum += (double)pos_in_tie * ((double)(a + 1) + (double)b) / 2.0;
        a = b;
    }
    xs__free(k);
    double np = (double)n_pos, nn = (double)(n - n_pos);
    return (rank_sum - np * (np + 1) / 2) / (np * nn);
}

double xs__score_churn_log_loss(const double *p, const unsigned char *y, size_t n)
{
    if (n == 0) return NAN;
    const double lo = 1e-15, hi = 1 - 1e-15;
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double q = p[i] < lo ? lo : p[i] > hi ? hi : p[i];
        s -= y[i] ? log(q) : log1p(-q);
    }
    return s / (double)n;
}

int xs__score_churn_calibration(const double *p, const unsigned char *y, size_t n,
                                size_t n_bins, xs_churn_bin *out)
{
    keyed *k = sorted(p, n);
    if (!k) return XS_ENOMEM;
    for (size_t b = 0; b < n_bins; b++) {
        size_t lo = b * n / n_bins, hi = (b + 1) * n / n_bins;
        xs_churn_bin *o = &out[b];
        memset(o, 0, sizeof *o);
        o->n = hi - lo;
        if (o->n == 0) {
            o->p_min = o->p_max = o->mean_pred = o->observed = NAN;
            continue;
        }
        double sp = 0, sy = 0;
        for (size_t r = lo; r < hi; r++) {
            sp += k[r].v;
            sy += y[k[r].i] != 0;
        }
        o->p_min = k[lo].v;
        o->p_max = k[hi - 1].v;
        o->mean_pred = sp / (double)o->n;
        o->observed = sy / (double)o->n;
    }
    xs__free(k);
    return XS_OK;
}

static void shuffle(size_t *v, size_t n, xs__rng *r)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)xs__rng_below(r, i);
        size_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

int xs__score_churn_folds(const unsigned char *y, size_t n, size_t k, uint64_t seed,
                          uint32_t *fold)
{
    size_t *pos = xs__malloc((n ? n : 1) * sizeof *pos);
    if (!pos) return XS_ENOMEM;
    size_t n_pos = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i]) pos[n_pos++] = i;
    m = n_pos;
    for (size_t i = 0; i < n; i++)
        if (!y[i]) pos[m++] = i;
    xs__rng r;
    xs__rng_seed(&r, seed);
    shuffle(pos, n_pos, &r);
    shuffle(pos + n_pos, n - n_pos, &r);
    for (size_t i = 0; i < n; i++)
        fold[pos[i]] = (uint32_t)(i % k);
    xs__free(pos);
    return XS_OK;
}
