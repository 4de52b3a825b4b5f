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

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct kv {
    uint64_t key; /* the signed key with its sign bit flipped: unsigned order */
    uint32_t i;
} kv;

/*
 * Sorts v[0..n) by key with an LSD radix sort, a byte per pass, through tmp
 * (n elements); returns the array that holds the result (v or tmp). One
 * count over the data gives the histograms of all eight bytes, and a byte
 * that is the same in every key (the high bytes of day counts and order
 * counts) costs no pass. At a million customers this is a few passes
 * instead of qsort's twenty comparisons per element through a function
 * pointer. Equal keys get the same score whatever their order, so only the
 * keys' order matters.
 */
static kv *radix_sort(kv *v, kv *tmp, size_t n)
{
    static const size_t B = 256;
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 8; d++)
            count[d][(v[i].key >> (8 * d)) & 0xff]++;
    for (int d = 0; d < 8; d++) {
        size_t *c = count[d];
        if (c[(v[0].key >> (8 * d)) & 0xff] == n) continue; /* one value: no pass */
        size_t sum = 0;
        for (size_t b = 0; b < B; b++) {
            size_t x = c[b];
            c[b] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++)
            tmp[c[(v[i].key >> (8 * d)) & 0xff]++] = v[i];
        kv *t = v;
        v = tmp;
        tmp = t;
    }
    return v;
}

int xs__score_rfm_quintiles(const int64_t *key, size_t n, uint8_t *q)
{
    if (n == 0) return XS_OK;
    kv *buf = xs__malloc(2 * n * sizeof *buf);
    if (!buf) return XS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        buf[i].key = (uint64_t)key[i] ^ ((uint64_t)1 << 63);
        buf[i].i = (uint32_t)i;
    }
    const kv *v = radix_sort(buf, buf + n, n);
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
