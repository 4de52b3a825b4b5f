/*
 * uplift_eval.c — held-out evaluation of an uplift learner: a stratified
 * split or k folds of an experiment table, a model trained on each training
 * part (src/score/uplift.c), its predictions for the test part measured
 * with the metrics of uplift_eval_metrics.c, and seeded bootstrap
 * intervals over the test rows.
 *
 * Strata: the four (arm, outcome) cells, each shuffled with xs__rng from
 * the seed. A split puts the first round(m x test_frac) rows of each
 * stratum of m rows in the test part; folds deal the rows round-robin, the
 * next stratum continuing where the last stopped, so every fold holds its
 * share of each cell to within one row. With folds, a metric is the mean
 * of its per-fold values (predictions of different models are not mixed
 * in one ranking), and so is each bootstrap replicate: a replicate
 * resamples every fold's test rows with replacement (as many draws as rows)
 * and averages the folds. The interval is the 2.5 and 97.5 percentiles of
 * the defined replicate values, interpolated linearly between order
 * statistics (numpy's default percentile).
 */
#include "measure/uplift_eval.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/rng.h"
#include "score/uplift.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void xs_uplift_eval_opts_init(xs_uplift_eval_opts *o)
{
    memset(o, 0, sizeof *o);
    xs_uplift_params_init(&o->params);
    o->folds = 0;
    o->test_frac = 0.5;
    o->k = 0.3;
    o->n_boot = 200;
    o->seed = 42;
}

/* part[i] of every row: the test part it belongs to (split: 0 test, 1
 * training). */
static int assign_parts(const xs_uplift_data *d, const xs_uplift_eval_opts *o,
                        uint32_t *part)
{
    size_t *rows = xs__malloc((d->n ? d->n : 1) * sizeof *rows);
    if (!rows) return XS_ENOMEM;
    xs__rng r;
    xs__rng_seed(&r, o->seed);
    size_t deal = 0;
    for (int s = 0; s < 4; s++) {
        size_t m = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->group[i] * 2 + d->y[i] == s) rows[m++] = i;
        for (size_t j = m; j > 1; j--) {
            size_t k = (size_t)xs__rng_below(&r, j);
            size_t t = rows[j - 1];
            rows[j - 1] = rows[k];
            rows[k] = t;
        }
        size_t n_test = (size_t)floor((double)m * o->test_frac + 0.5);
        for (size_t j = 0; j < m; j++)
            part[rows[j]] =
                o->folds >= 2 ? (uint32_t)(deal++ % o->folds) : (j < n_test ? 0 : 1);
    }
    xs__free(rows);
    return XS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The 2.5 and 97.5 percentiles of the defined values of v[0..n) (sorts
 * them in place, NaNs dropped); NaN when none is defined. */
static void interval(double *v, size_t n, double *lo, double *hi)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) v[m++] = v[i];
    *lo = *hi = NAN;
    if (m == 0) return;
    qsort(v, m, sizeof *v, cmp_double);
    for (int e = 0; e < 2; e++) {
        double pos = (e ? 0.975 : 0.025) * (double)(m - 1);
        size_t a = (size_t)floor(pos), b = a + 1 < m ? a + 1 : a;
        *(e ? hi : lo) = v[a] + (v[b] - v[a]) * (pos - (double)a);
    }
}

#define N_METRICS 5

static void scores_array(const xs__measure_uplift_scores *s, double *a)
{
    a[0] = s->qini;
    a[1] = s->auuc;
    a[2] = s->at_k_overall;
    a[3] = s->at_k_by_group;
    a[4] = s->random;
}

/* The mean over parts of each metric, NaN when a part's value is NaN. */
static void add_part(double *sum, const xs__measure_uplift_scores *s)
{
    double a[N_METRICS];
    scores_array(s, a);
    for (int m = 0; m < N_METRICS; m++)
        sum[m] += a[m];
}

static int check_opts(const xs_uplift_data *d, const xs_uplift_eval_opts *o,
                      xs_error *err)
{
    if (o->folds == 1 || (o->folds >= 2 && o->folds > d->n))
        return xs__error_param(err, XS_EINVAL, NULL, "folds",
                               "%zu folds for %zu rows: need 2 <= folds <= rows",
                               o->folds, d->n);
    if (o->folds < 2 && !(o->test_frac > 0 && o->test_frac < 1))
        return xs__error_param(err, XS_EINVAL, NULL, "split", "must be in (0, 1)");
    if (!(o->k > 0 && o->k < 1))
        return xs__error_param(err, XS_EINVAL, NULL, "k", "must be in (0, 1)");
    if (!d->group || !d->y)
        return xs__error_set(err, XS_EINVAL, d->path, 0, NULL,
                             "the table has no treatment or outcome column");
    return XS_OK;
}

/* Test rows grouped by part: order[start[f] .. start[f+1]) are the rows
 * of part f (part[i] < n_parts), start (n_parts + 1, zeroed) filled.
 * Returns 0, or -1 when out of memory. */
static int group_by_part(const uint32_t *part, size_t n, size_t n_parts, size_t *start,
                         size_t *order)
{
    for (size_t i = 0; i < n; i++)
        if (part[i] < n_parts) start[part[i] + 1]++;
    for (size_t f = 0; f < n_parts; f++)
        start[f + 1] += start[f];
    size_t *fill = xs__malloc((n_parts ? n_parts : 1) * sizeof *fill);
    if (!fill) return -1;
    memcpy(fill, start, n_parts * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (part[i] < n_parts) order[fill[part[i]]++] = i;
    xs__free(fill);
    return 0;
}

/* Part f of the cross-fit: trains on the rows of the other parts (train:
 * scratch of d->n, their count added to *train_sum) and predicts its nt
 * test rows test[] into pred, which it then orders by prediction. Returns
 * XS_OK, XS_EINVAL (a part too small) or a failure of training. */
static int predict_part(const xs_uplift_data *d, const xs_uplift_eval_opts *o,
                        const uint32_t *part, size_t f, size_t *test, size_t nt,
                        size_t *train, double *pred, size_t *train_sum, xs_error *err)
{
    xs_uplift_model *m = NULL;
    size_t n_tr = 0, n_tr_t = 0;
    for (size_t i = 0; i < d->n; i++)
        if (part[i] != f) {
            train[n_tr++] = i;
            n_tr_t += d->group[i] == 1;
        }
    *train_sum += n_tr;
    if (nt == 0)
        return xs__error_set(err, XS_EINVAL, d->path, 0, NULL,
                             "too few rows: the test part has no rows");
    if (n_tr_t == 0 || n_tr_t == n_tr)
        return xs__error_set(err, XS_EINVAL, d->path, 0, NULL,
                             "too few rows: the training part has no %s rows",
                             n_tr_t == 0 ? "treated" : "control");
    int rc = xs__score_uplift_train_rows(d, train, n_tr, &o->params, &m, err);
    if (rc < 0) {
        xs_uplift_model_free(m);
        return rc;
    }
    double *tmp = xs__malloc(nt * sizeof *tmp);
    if (!tmp) {
        xs_uplift_model_free(m);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    rc = xs__score_uplift_predict_rows(m, d, test, nt, tmp, err);
    for (size_t j = 0; rc == XS_OK && j < nt; j++)
        pred[test[j]] = tmp[j];
    xs__free(tmp);
    xs_uplift_model_free(m);
    if (rc < 0) return rc;
    if (xs__measure_uplift_order(pred, test, nt) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    return XS_OK;
}

/* The bootstrap: o->n_boot resamples of each part's test rows (cnt:
 * scratch of d->n), each metric's mean over parts into boot[k * n_boot + b]. */
static void bootstrap(const xs_uplift_data *d, const xs_uplift_eval_opts *o,
                      const double *pred, const unsigned char *w, const size_t *order,
                      const size_t *start, size_t n_parts, uint32_t *cnt, double *boot)
{
    xs__rng r;
    xs__rng_seed(&r, o->seed ^ 0x9e3779b97f4a7c15ULL);
    for (size_t b = 0; b < o->n_boot; b++) {
        double bs[N_METRICS] = {0};
        for (size_t f = 0; f < n_parts; f++) {
            size_t a = start[f], nf = start[f + 1] - start[f];
            xs__measure_uplift_scores s;
            memset(cnt + a, 0, nf * sizeof *cnt);
            for (size_t j = 0; j < nf; j++)
                cnt[a + xs__rng_below(&r, nf)]++;
            xs__measure_uplift_scores_of(pred, d->y, w, order + a, cnt + a, nf, o->k, &s);
            add_part(bs, &s);
        }
        for (int k = 0; k < N_METRICS; k++)
            boot[k * o->n_boot + b] = bs[k] / (double)n_parts;
    }
}

int xs_uplift_eval(const xs_uplift_data *d, const xs_uplift_eval_opts *o,
                   xs_uplift_eval_result *out, xs_error *err)
{
    size_t n = d->n, n_parts = o->folds >= 2 ? o->folds : 1;
    uint32_t *part = NULL, *cnt = NULL;
    size_t *order = NULL, *start = NULL, *train = NULL;
    double *pred = NULL, *boot = NULL;
    unsigned char *w = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = check_opts(d, o, err)) < 0) return rc;
    part = xs__malloc((n ? n : 1) * sizeof *part);
    order = xs__malloc((n ? n : 1) * sizeof *order);
    train = xs__malloc((n ? n : 1) * sizeof *train);
    start = xs__calloc(n_parts + 1, sizeof *start);
    pred = xs__calloc(n ? n : 1, sizeof *pred);
    cnt = xs__malloc((n ? n : 1) * sizeof *cnt);
    w = xs__malloc(n ? n : 1);
    boot = xs__malloc((o->n_boot ? o->n_boot : 1) * N_METRICS * sizeof *boot);
    if (!part || !order || !train || !start || !pred || !cnt || !w || !boot) goto oom;
    for (size_t i = 0; i < n; i++)
        w[i] = (unsigned char)(d->group[i] == 1);
    if (assign_parts(d, o, part) < 0) goto oom;
    if (group_by_part(part, n, n_parts, start, order) < 0) goto oom;
    size_t train_sum = 0;
    for (size_t f = 0; f < n_parts; f++)
        if ((rc = predict_part(d, o, part, f, order + start[f], start[f + 1] - start[f],
                               train, pred, &train_sum, err)) < 0)
            goto cleanup;
    /* point estimates: the mean over parts */
    double sum[N_METRICS] = {0};
    for (size_t f = 0; f < n_parts; f++) {
        xs__measure_uplift_scores s;
        xs__measure_uplift_scores_of(pred, d->y, w, order + start[f], NULL,
                                     start[f + 1] - start[f], o->k, &s);
        add_part(sum, &s);
    }
    xs_uplift_metric *dst[N_METRICS] = {&out->qini, &out->auuc, &out->at_k_overall,
                                        &out->at_k_by_group, &out->random};
    for (int k = 0; k < N_METRICS; k++) {
        dst[k]->value = sum[k] / (double)n_parts;
        dst[k]->lo = dst[k]->hi = NAN;
    }
    bootstrap(d, o, pred, w, order, start, n_parts, cnt, boot);
    if (o->n_boot > 0)
        for (int k = 0; k < N_METRICS; k++)
            interval(boot + k * o->n_boot, o->n_boot, &dst[k]->lo, &dst[k]->hi);
    out->n_parts = n_parts;
    out->n_train = train_sum / n_parts;
    out->n_test = start[n_parts];
    rc = XS_OK;
    goto cleanup;
oom:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs__free(part);
    xs__free(order);
    xs__free(train);
    xs__free(start);
    xs__free(pred);
    xs__free(cnt);
    xs__free(w);
    xs__free(boot);
    return rc;
}
