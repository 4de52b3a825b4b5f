/*
 * handlers_dash.c — GET /v1/segments, the one aggregate the dashboard
 * (docs/dashboard.md) needs beyond the other routes: customers, MRR and mean
 * health per segment, and a histogram of health scores in ten bins of width
 * 10 (the last, [90, 100], closed), over every scored customer of the model.
 */
#include "serve/serve_int.h"

#include <math.h>

#define N_BINS 10

/* Contract in serve_int.h. */
int xs__h_segments(xs__req *r)
{
    const xs__model *m = r->model;
    if (!m->cs)
        return xs__error(r, 503, "not_available", "customer scores: %s", m->cs_error);
    size_t count[XS_SEG_N] = {0}, bins[N_BINS] = {0}, n_health[XS_SEG_N] = {0};
    double mrr[XS_SEG_N] = {0}, health[XS_SEG_N] = {0};
    size_t n = xs_customer_scores_n(m->cs);
    for (size_t i = 0; i < n; i++) {
        xs_customer_row c;
        xs_customer_scores_get(m->cs, i, &c);
        if ((int)c.segment < 0 || c.segment >= XS_SEG_N) continue;
        count[c.segment]++;
        if (isfinite(c.mrr)) mrr[c.segment] += c.mrr;
        if (isfinite(c.health)) {
            health[c.segment] += c.health;
            n_health[c.segment]++;
            int b = (int)floor(c.health / 10.0);
            bins[b < 0 ? 0 : b >= N_BINS ? N_BINS - 1 : b]++;
        }
    }
    char as_of[11];
    json_t *segs = json_array(), *hist = json_array();
    for (int s = 0; segs && s < XS_SEG_N; s++)
        json_array_append_new(
            segs,
            json_pack("{s:s,s:I,s:o,s:o}", "segment", xs_segment_name((xs_segment)s),
                      "customers", (json_int_t)count[s], "mrr", xs__num(mrr[s]),
                      "mean_health",
                      xs__num(n_health[s] ? health[s] / (double)n_health[s] : NAN)));
    for (int b = 0; hist && b < N_BINS; b++)
        json_array_append_new(hist,
                              json_pack("{s:i,s:i,s:I}", "lo", b * 10, "hi", b * 10 + 10,
                                        "customers", (json_int_t)bins[b]));
    return xs__reply(r, 200,
                     json_pack("{s:s,s:I,s:o?,s:o?}", "as_of",
                               xs_customer_scores_as_of(m->cs, as_of), "customers",
                               (json_int_t)n, "segments", segs, "health", hist));
}
