/*
 * evaluate.c — offline evaluation of the personal ranking (xs_eval_run).
 *
 * A time split: every model is built on the orders before the cutoff and
 * scored against what each customer bought in the horizon after it that
 * they had not bought before (new-to-customer products). The customers
 * evaluated have an order before the cutoff and at least one such product.
 * The two baselines (most popular not yet bought, item-kNN with cosine on
 * purchase sets) are built by the same code in the same run, so the
 * comparison holds on any data. Metrics and the substitute rule:
 * docs/evaluate.md.
 */
#include "measure/evaluate.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void xs_eval_opts_init(xs_eval_opts *o)
{
    memset(o, 0, sizeof *o);
    o->horizon = 90;
    o->k = 10;
    xs_rank_opts_init(&o->model);
    o->substitute_days = 90;
    o->substitute_max_together = 0.05;
}

static int has_u32(const uint32_t *a, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == x;
}

void xs__measure_eval_metrics(const uint32_t *ranked, size_t n_ranked,
                              const uint32_t *rel, size_t n_rel, size_t k,
                              xs__measure_eval_one *out)
{
    memset(out, 0, sizeof *out);
    if (n_ranked > k) n_ranked = k;
    size_t hits = 0, n_ideal = n_rel < k ? n_rel : k;
    double dcg = 0, idcg = 0, ap = 0;
    for (size_t i = 0; i < n_ranked; i++)
        if (has_u32(rel, n_rel, ranked[i])) {
            hits++;
            dcg += 1.0 / log2((double)i + 2);
            ap += (double)hits / (double)(i + 1);
        }
    for (size_t i = 0; i < n_ideal; i++)
        idcg += 1.0 / log2((double)i + 2);
    out->precision = k ? (double)hits / (double)k : 0;
    out->recall = n_rel ? (double)hits / (double)n_rel : 0;
    out->ndcg = idcg > 0 ? dcg / idcg : 0;
    out->ap = n_ideal ? ap / (double)n_ideal : 0;
    out->hit = hits > 0;
}

int xs__measure_eval_is_substitute(const xs_rank *r, uint32_t c, uint32_t j,
                                   int32_t before, int days, double max_together)
{
    const xs_snapshot *s = r->snap;
    uint16_t cj = s->prod.category[j], fj = s->prod.family[j];
    if (cj == XS_SNAP_NONE16 && fj == XS_SNAP_NONE16) return 0;
    const xs__offer_rank_hist *h = &r->hist;
    for (uint32_t t = h->off[c]; t < h->off[c + 1]; t++) {
        uint32_t i = h->item[t];
        if (h->last[t] < before - days || i == j) continue;
        int same = (cj != XS_SNAP_NONE16 && s->prod.category[i] == cj) ||
                   (fj != XS_SNAP_NONE16 && s->prod.family[i] == fj);
        if (!same) continue;
        size_t ni = xs__mine_rank_buyers(r->model, i),
               nj = xs__mine_rank_buyers(r->model, j);
        size_t rarer = ni < nj ? ni : nj;
        if ((double)xs__mine_rank_co_buyers(r->model, i, j) <
            max_together * (double)rarer)
            return 1;
    }
    return 0;
}

/* Customers to evaluate and their new products in [cutoff, end): CSR over
 * the evaluated customers. */
typedef struct truth {
    size_t n;
    uint32_t *cust, *off, *item;
} truth;

static void truth_free(truth *t)
{
    xs__free(t->cust);
    xs__free(t->off);
    xs__free(t->item);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int truth_build(const xs_snapshot *s, const xs__offer_rank_hist *h, int32_t cutoff,
                       int32_t end, truth *t)
{
    memset(t, 0, sizeof *t);
    size_t nc = s->cust.n, np = s->prod.n;
    uint32_t *stamp = xs__calloc(np ? np : 1, sizeof *stamp);
    t->cust = xs__malloc((nc ? nc : 1) * sizeof *t->cust);
    t->off = xs__malloc((nc + 1) * sizeof *t->off);
    t->item = xs__malloc((s->ord.n_lines ? s->ord.n_lines : 1) * sizeof *t->item);
    if (!stamp || !t->cust || !t->off || !t->item) {
        xs__free(stamp);
        return XS_ENOMEM;
    }
    size_t n = 0;
    t->off[0] = 0;
    for (size_t c = 0; c < nc; c++) {
        if (h->off[c + 1] == h->off[c]) continue; /* no history before the cutoff */
        for (uint32_t r = h->off[c]; r < h->off[c + 1]; r++)
            stamp[h->item[r]] = (uint32_t)c + 1;
        size_t start = n;
        for (uint32_t o = s->cust.order_off[c]; o < s->cust.order_off[c + 1]; o++) {
            int32_t d = s->ord.date[o];
            if (d < cutoff) continue;
            if (d >= end) break;
            for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++) {
                uint32_t p = s->ord.product[l];
                if (stamp[p] == c + 1) continue; /* held, or already counted */
                stamp[p] = (uint32_t)c + 1;
                t->item[n++] = p;
            }
        }
        if (n == start) continue;
        qsort(t->item + start, n - start, sizeof *t->item, cmp_u32);
        t->cust[t->n++] = (uint32_t)c;
        t->off[t->n] = (uint32_t)n;
    }
    xs__free(stamp);
    return XS_OK;
}

/* Builds one method's model and scores every evaluated customer. */
static int eval_method(const xs_snapshot *s, const xs_eval_opts *o, int32_t cutoff,
                       const xs_rank_opts *mo, const truth *t, const xs_rank *subst_ref,
                       xs_eval_row *row, xs_rank **keep, xs_error *err)
{
    double t0 = xs__now();
    xs_rank *r = NULL;
    xs_rank_scratch *q = NULL;
    xs_rank_hit *hits = NULL;
    uint32_t *ranked = NULL;
    uint8_t *shown = NULL;
    int rc = xs__offer_rank_build_day(s, cutoff, mo, &r, err);
    if (rc < 0) return rc;
    rc = XS_ENOMEM;
    hits = xs__malloc(o->k * sizeof *hits);
    ranked = xs__malloc(o->k * sizeof *ranked);
    shown = xs__calloc(s->prod.n ? s->prod.n : 1, 1);
    if (!hits || !ranked || !shown || xs_rank_scratch_new(r, &q) < 0) goto cleanup;
    const xs_rank *sr = subst_ref ? subst_ref : r;
    double sp = 0, sr_ = 0, sn = 0, sa = 0, sh = 0;
    size_t n_offers = 0, n_subst = 0, n_shown = 0;
    for (size_t e = 0; e < t->n; e++) {
        uint32_t c = t->cust[e];
        int n = xs_rank_customer(r, q, c, NULL, 0, hits, o->k);
        if (n < 0) {
            rc = XS_EINTERNAL;
            goto cleanup;
        }
        for (int i = 0; i < n; i++) {
            uint32_t p = hits[i].product;
            ranked[i] = p;
            if (!shown[p]) {
                shown[p] = 1;
                n_shown++;
            }
            n_subst += (size_t)xs__measure_eval_is_substitute(
                sr, c, p, cutoff, o->substitute_days, o->substitute_max_together);
        }
        n_offers += (size_t)n;
        xs__measure_eval_one m;
        xs__measure_eval_metrics(ranked, (size_t)n, t->item + t->off[e],
                                 t->off[e + 1] - t->off[e], o->k, &m);
        sp += m.precision;
        sr_ += m.recall;
        sn += m.ndcg;
        sa += m.ap;
        sh += m.hit;
    }
    double nn = (double)t->n;
    row->n_customers = t->n;
    row->precision = sp / nn;
    row->recall = sr_ / nn;
    row->ndcg = sn / nn;
    row->map = sa / nn;
    row->hit_rate = sh / nn;
    row->coverage = s->prod.n ? (double)n_shown / (double)s->prod.n : 0;
    row->substitute_share = n_offers ? (double)n_subst / (double)n_offers : 0;
    row->seconds = xs__now() - t0;
    rc = XS_OK;
cleanup:
    if (rc == XS_ENOMEM) xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
    xs_rank_scratch_free(q);
    xs__free(hits);
    xs__free(ranked);
    xs__free(shown);
    if (rc == XS_OK && keep)
        *keep = r;
    else
        xs_rank_free(r);
    return rc;
}

int xs_eval_run(const xs_snapshot *s, const xs_eval_opts *o, xs_eval_row *rows,
                xs_error *err)
{
    int32_t cutoff;
    if (!o->cutoff)
        return xs__error_param(err, XS_EINVAL, NULL, "cutoff", "a date is required");
    if (xs__date_param(o->cutoff, "cutoff", &cutoff, err) < 0) return XS_EINVAL;
    if (o->horizon < 1)
        return xs__error_param(err, XS_EINVAL, NULL, "horizon", "must be >= 1 day");
    if (o->k < 1 || o->k > 100000)
        return xs__error_param(err, XS_EINVAL, NULL, "k", "must be 1 to 100000");
    xs__offer_rank_hist h;
    truth t;
    memset(&t, 0, sizeof t);
    xs_rank *main_model = NULL;
    int rc = xs__offer_rank_hist_build(s, cutoff, &h);
    if (rc == XS_OK) rc = truth_build(s, &h, cutoff, cutoff + o->horizon, &t);
    xs__offer_rank_hist_free(&h);
    if (rc < 0) {
        xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    if (t.n == 0) {
        char a[11], b[11];
        xs__date_format(cutoff, a);
        xs__date_format(cutoff + o->horizon - 1, b);
        rc = xs__error_param(err, XS_ENOTFOUND, NULL, "cutoff",
                             "no customer with an order before %s and a new product from "
                             "%s to %s",
                             a, a, b);
        goto cleanup;
    }
    xs_rank_opts knn, pop;
    xs_rank_opts_knn(&knn);
    xs_rank_opts_popular(&pop);
    memset(rows, 0, XS_EVAL_N_METHODS * sizeof *rows);
    rows[0].method = "xsell";
    rows[1].method = "item-knn";
    rows[2].method = "popular";
    if ((rc = eval_method(s, o, cutoff, &o->model, &t, NULL, &rows[0], &main_model,
                          err)) < 0)
        goto cleanup;
    if ((rc = eval_method(s, o, cutoff, &knn, &t, main_model, &rows[1], NULL, err)) < 0)
        goto cleanup;
    if ((rc = eval_method(s, o, cutoff, &pop, &t, main_model, &rows[2], NULL, err)) < 0)
        goto cleanup;
    rc = XS_EVAL_N_METHODS;
cleanup:
    xs_rank_free(main_model);
    truth_free(&t);
    return rc;
}
