/*
 * rfm.c — RFM quintiles of transactional customers.
 *
 * Recency (days since the last order, lower is better), frequency (orders)
 * and monetary value (total amount) of each customer with an order up to
 * as_of (computed in ltv.c) become scores 1..5. A quintile is defined by
 * rank with ties kept together: with n customers and k of them strictly
 * worse than this one, its score is 1 + floor(5k / n). Equal values always
 * share a score (the lowest their rank allows), so the result does not
 * depend on input order, and a value shared by most customers (a single
 * order) scores 1 for all of them. One sort per dimension (a radix sort).
 */
#include "score/rfm.h"

#include "base/alloc.h"
#include "base/sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int xs__score_rfm_quintiles(const int64_t *key, size_t n, uint8_t *q)
{
    if (n == 0) return XS_OK;
    xs__sort_kv *buf = xs__malloc(2 * n * sizeof *buf);
    if (!buf) return XS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        buf[i].key = xs__sort_key_i64(key[i]);
        buf[i].i = (uint32_t)i;
    }
    /* equal keys get the same score whatever their order: only the keys'
     * order matters */
    const xs__sort_kv *v = xs__sort_kv_radix(buf, buf + n, n);
    for (size_t k = 0; k < n;) {
        size_t j = k;
        uint8_t s = (uint8_t)(1 + (5 * (uint64_t)k) / n);
        for (; j < n && v[j].key == v[k].key; j++)
            q[v[j].i] = s;
        k = j;
    }
    xs__free(buf);
    return XS_OK;
}

int xs__score_rfm_assign(xs_customer_scores *cs)
{
    size_t n = 0;
    for (size_t i = 0; i < cs->n; i++)
        if (cs->frequency[i] > 0) n++;
    if (n == 0) return XS_OK;
    int64_t *key = xs__malloc(n * sizeof *key);
    uint8_t *q = xs__malloc(n);
    int rc = XS_ENOMEM;
    if (!key || !q) goto cleanup;
    for (int dim = 0; dim < 3; dim++) {
        size_t k = 0;
        for (size_t i = 0; i < cs->n; i++) {
            if (!(cs->frequency[i] > 0)) continue;
            /* higher is better: recency negated; monetary is held in
             * whole minor units */
            key[k++] = dim == 0   ? -(int64_t)cs->recency[i]
                       : dim == 1 ? (int64_t)cs->frequency[i]
                                  : (int64_t)cs->monetary[i];
        }
        if (xs__score_rfm_quintiles(key, n, q) < 0) goto cleanup;
        k = 0;
        for (size_t i = 0; i < cs->n; i++)
            if (cs->frequency[i] > 0) cs->rfm[3 * i + (size_t)dim] = q[k++];
    }
    rc = XS_OK;
cleanup:
    xs__free(key);
    xs__free(q);
    return rc;
}
