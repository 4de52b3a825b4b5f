/*
 * bench_together.c — frequently-bought-together on retail.dat (88,162
 * baskets, 16,470 items): model build time and query latency.
 *
 * Queries: 100,000 single-item queries and 100,000 three-item carts, items
 * drawn by popularity (a random position in the basket data, as real
 * traffic hits popular items), top 10 answers, timed one by one (median and
 * p99 in microseconds). Baseline in the same run: the naive query that scans
 * every co-occurrence count of the cart's items (xs_together_cart_exact)
 * instead of the precomputed top-k lists.
 *
 * Usage: bench_together [PATH]   (default $XS_SOURCE_DIR/../shared/data/fimi/retail.dat,
 *                                 XS_SOURCE_DIR defaulting to ".")
 */
#include "xsell.h"
#include "base/rng.h"
#include "mine/baskets.h"
#include "mine/together.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_QUERIES 100000
#define TOP 10

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median and p99 of n latencies (seconds), in microseconds. */
static void stats(double *v, size_t n, double *med, double *p99)
{
    qsort(v, n, sizeof *v, cmp_d);
    *med = v[n / 2] * 1e6;
    *p99 = v[(size_t)((double)n * 0.99)] * 1e6;
}

typedef int (*query_fn)(const xs_together *, xs_together_query *, const uint32_t *,
                        size_t, xs_together_hit *, size_t);

static double run(const xs_together *m, xs_together_query *q, query_fn fn,
                  const uint32_t *carts, size_t k, double *lat, double *med, double *p99,
                  long *sink)
{
    xs_together_hit hits[TOP];
    double t_all = now();
    for (size_t i = 0; i < N_QUERIES; i++) {
        double t0 = now();
        int n = fn(m, q, carts + i * k, k, hits, TOP);
        lat[i] = now() - t0;
        *sink += n > 0 ? (long)hits[0].item : 0;
    }
    t_all = now() - t_all;
    stats(lat, N_QUERIES, med, p99);
    return t_all;
}

/* Single-item query through the model's item lists (no scratch needed). */
static int item_query(const xs_together *m, xs_together_query *q, const uint32_t *cart,
                      size_t n, xs_together_hit *out, size_t cap)
{
    (void)q;
    (void)n;
    return xs_together_item(m, cart[0], out, cap);
}

int main(int argc, char **argv)
{
    char path[4096];
    const char *src = getenv("XS_SOURCE_DIR");
    if (argc > 1)
        snprintf(path, sizeof path, "%s", argv[1]);
    else
        snprintf(path, sizeof path, "%s/../shared/data/fimi/retail.dat", src ? src : ".");
    if (access(path, R_OK) != 0) {
        printf("skipped: %s absent\n", path);
        return 0;
    }
    xs_error e;
    xs_baskets *b;
    double t0 = now();
    if (xs_baskets_read(&b, path, XS_BASKETS_FIMI, &e) < 0) {
        char msg[1200];
        fprintf(stderr, "bench_together: %s\n", xs_error_format(&e, msg, sizeof msg));
        return 1;
    }
    double t_read = now() - t0;
    printf("data: %s: %zu baskets, %zu items, %zu item occurrences (read %.3f s)\n", path,
           b->n_tx, b->names.n, b->n_items_total, t_read);

    xs_together_opts o = {.measure = XS_SIM_COSINE, .top_k = 20};
    xs_together *m = NULL, *mc = NULL;
    t0 = now();
    if (xs_together_build(b, &o, &m, &e) < 0) return 1;
    double t_build = now() - t0;
    o.keep_counts = 1;
    t0 = now();
    if (xs_together_build(b, &o, &mc, &e) < 0) return 1;
    double t_build_counts = now() - t0;
    printf("build (cosine, top 20): %.3f s (%zu neighbours kept, %.1f MB); with every "
           "co-occurrence kept: %.3f s (%zu distinct pairs)\n",
           t_build, m->n_nbr, (double)m->n_nbr * (4 + 8 + 8) / 1e6, t_build_counts,
           mc->n_c / 2);

    xs__rng r;
    xs__rng_seed(&r, 2026);
    uint32_t *one = malloc(N_QUERIES * sizeof *one);
    uint32_t *three = malloc(3 * N_QUERIES * sizeof *three);
    double *lat = malloc(N_QUERIES * sizeof *lat);
    if (!one || !three || !lat) return 1;
    for (size_t i = 0; i < N_QUERIES; i++)
        one[i] = b->items[xs__rng_below(&r, b->n_items_total)];
    for (size_t i = 0; i < 3 * N_QUERIES; i++)
        three[i] = b->items[xs__rng_below(&r, b->n_items_total)];

    xs_together_query *q;
    if (xs_together_query_new(mc, &q) < 0) return 1;
    long sink = 0;
    double med[4], p99[4], tot[4];
    tot[0] = run(mc, q, item_query, one, 1, lat, &med[0], &p99[0], &sink);
    tot[1] = run(mc, q, xs_together_cart_exact, one, 1, lat, &med[1], &p99[1], &sink);
    tot[2] = run(mc, q, xs_together_cart, three, 3, lat, &med[2], &p99[2], &sink);
    tot[3] = run(mc, q, xs_together_cart_exact, three, 3, lat, &med[3], &p99[3], &sink);

    printf("\n%-34s %10s %10s %12s\n", "query (100k, top 10)", "median us", "p99 us",
           "total s");
    const char *names[] = {"1 item, top-k model", "1 item, naive scan (baseline)",
                           "3-item cart, top-k model",
                           "3-item cart, naive scan (baseline)"};
    for (int i = 0; i < 4; i++)
        printf("%-34s %10.3f %10.3f %12.3f\n", names[i], med[i], p99[i], tot[i]);
    printf(
        "\nspeed-up vs naive: 1 item median %.1fx, p99 %.1fx; 3-item cart median %.1fx, "
        "p99 %.1fx\n",
        med[1] / med[0], p99[1] / p99[0], med[3] / med[2], p99[3] / p99[2]);
    /* how much of the exact answer the top-k lists recover */
    double overlap[2] = {0, 0};
    for (int kind = 0; kind < 2; kind++) {
        size_t k = kind ? 3 : 1;
        const uint32_t *carts = kind ? three : one;
        size_t shared = 0, total = 0;
        for (size_t i = 0; i < N_QUERIES; i++) {
            xs_together_hit a[TOP], x[TOP];
            int na = xs_together_cart(mc, q, carts + i * k, k, a, TOP);
            int nx = xs_together_cart_exact(mc, q, carts + i * k, k, x, TOP);
            for (int u = 0; u < nx; u++)
                for (int v = 0; v < na; v++)
                    shared += x[u].item == a[v].item;
            total += (size_t)nx;
        }
        overlap[kind] = total ? (double)shared / (double)total : 1.0;
    }
    printf("top-10 overlap with the exact answer: 1 item %.1f %%, 3-item cart %.1f %%\n",
           100 * overlap[0], 100 * overlap[1]);
    printf("(checksum %ld)\n", sink);
    xs_together_query_free(q);
    xs_together_free(m);
    xs_together_free(mc);
    xs_baskets_free(b);
    free(one);
    free(three);
    free(lat);
    return 0;
}
