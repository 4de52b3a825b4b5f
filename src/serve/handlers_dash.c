/*
 * handlers_dash.c — the aggregates the dashboard (docs/dashboard.md) needs
 * beyond the other routes, read from the model (segments: one pass over
 * the customer scores on the first request, kept; guardrails: the totals
 * the model was built with; experiments: reported on the first request,
 * model.c):
 *   GET /v1/segments     customers, MRR and mean health per segment, and a
 *                        histogram of health scores in ten bins of width 10
 *                        (the last, [90, 100], closed)
 *   GET /v1/guardrails   deciding every customer: candidates, offered (per
 *                        kind), and per guardrail the candidates suppressed
 *                        and the expected value held back
 *   GET /v1/experiments  every holdout experiment of the store with its
 *                        report (docs/experiments.md): arms, sample-ratio
 *                        check, lift with confidence intervals per metric
 */
#include "serve/serve_int.h"

#include <math.h>
#include <string.h>

#define N_BINS 10

/* The body of GET /v1/segments: one pass over every customer's scores;
 * NULL when out of memory. */
static json_t *segments_json(const xs__serve_model *m)
{
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
            json_pack(
                "{s:s,s:I,s:o,s:o}", "segment", xs_segment_name((xs_segment)s),
                "customers", (json_int_t)count[s], "mrr", xs__serve_num(mrr[s]),
                "mean_health",
                xs__serve_num(n_health[s] ? health[s] / (double)n_health[s] : NAN)));
    for (int b = 0; hist && b < N_BINS; b++)
        json_array_append_new(hist,
                              json_pack("{s:i,s:i,s:I}", "lo", b * 10, "hi", b * 10 + 10,
                                        "customers", (json_int_t)bins[b]));
    return json_pack("{s:s,s:I,s:o,s:o}", "as_of", xs_customer_scores_as_of(m->cs, as_of),
                     "customers", (json_int_t)n, "segments", segs, "health", hist);
}

/* Contract in serve_int.h. The aggregates are made on the first request
 * and kept with the model (it never changes). */
int xs__serve_h_segments(xs__serve_req *r)
{
    xs__serve_model *m = r->model;
    if (!m->cs)
        return xs__serve_error(r, 503, "not_available", "customer scores: %s",
                               m->cs_error);
    pthread_mutex_lock(&m->lazy_mu);
    if (!m->segments) m->segments = segments_json(m);
    /* a copy: a shared value must not be serialised by two threads at once */
    json_t *out = m->segments ? json_deep_copy(m->segments) : NULL;
    pthread_mutex_unlock(&m->lazy_mu);
    if (!out) return xs__serve_error(r, 500, "internal", "out of memory");
    return xs__serve_reply(r, 200, out);
}

/* Contract in serve_int.h. */
int xs__serve_h_guardrails(xs__serve_req *r)
{
    const xs__serve_model *m = r->model;
    if (!m->offers)
        return xs__serve_error(r, 503, "not_available", "offer engine: %s",
                               m->offers_error);
    if (!m->summary)
        return xs__serve_error(r, 503, "not_available",
                               "guardrail totals: not in the model");
    const xs_offer_summary *s = m->summary;
    json_t *kinds = json_object(), *guards = json_array();
    for (int k = 0; kinds && k < XS_OFFER_N_KINDS; k++)
        json_object_set_new(kinds, xs_offer_kind_key((xs_offer_kind)k),
                            json_integer((json_int_t)s->n_kind[k]));
    for (int g = 1; guards && g < XS_GUARD_N; g++)
        json_array_append_new(guards,
                              json_pack("{s:s,s:I,s:o}", "guard",
                                        xs_offer_guard_name((xs_offer_guard)g),
                                        "suppressed", (json_int_t)s->n_suppressed[g],
                                        "ev_held", xs__serve_num(s->ev_held[g])));
    /* what each kind's expected value is based on (docs/offers.md "Uplift") */
    json_t *uplift = json_array();
    for (int k = 0; uplift && k < XS_OFFER_N_KINDS; k++) {
        xs_offer_uplift_info u;
        xs_offer_engine_uplift(m->offers, (xs_offer_kind)k, &u);
        json_t *o =
            u.on
                ? json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:o}", "kind",
                            xs_offer_kind_key((xs_offer_kind)k), "basis", "uplift",
                            "experiment", u.experiment, "outcome",
                            k == XS_OFFER_DOWNSELL ? "retained" : "expanded", "start",
                            u.start, "until", u.until, "treated", (json_int_t)u.n_treated,
                            "holdout", (json_int_t)u.n_holdout, "scored",
                            (json_int_t)u.n_scored, "negative", (json_int_t)u.n_negative,
                            "mean_uplift", xs__serve_num(u.mean))
                : json_pack("{s:s,s:s,s:o}", "kind", xs_offer_kind_key((xs_offer_kind)k),
                            "basis", "propensity", "why",
                            u.why[0] ? json_string(u.why) : json_null());
        json_array_append_new(uplift, o);
    }
    char as_of[11];
    return xs__serve_reply(r, 200,
                           json_pack("{s:s,s:I,s:I,s:I,s:o,s:o?,s:o?,s:o?}", "as_of",
                                     xs_offer_engine_as_of(m->offers, as_of), "customers",
                                     (json_int_t)s->n_customers, "candidates",
                                     (json_int_t)s->n_candidates, "offered",
                                     (json_int_t)s->n_offered, "ev_offered",
                                     xs__serve_num(s->ev_offered), "offered_by_kind",
                                     kinds, "guards", guards, "uplift", uplift));
}

/* One metric row of a report as JSON. */
static json_t *result_json(const xs_exp_row *w, int cuped)
{
    json_t *o =
        json_pack("{s:s,s:s,s:I,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "metric",
                  w->metric, "group", w->group, "n", (json_int_t)w->n, "mean",
                  xs__serve_num(w->mean), "sd", xs__serve_num(w->sd), "method",
                  w->is_control ? "control" : xs_exp_method_name(w->method), "lift",
                  xs__serve_num(w->lift), "lift_lo", xs__serve_num(w->lift_lo), "lift_hi",
                  xs__serve_num(w->lift_hi), "rel_lift", xs__serve_num(w->rel), "rel_lo",
                  xs__serve_num(w->rel_lo), "rel_hi", xs__serve_num(w->rel_hi), "p_value",
                  xs__serve_num(w->p));
    if (o && cuped)
        json_object_update_new(o, json_pack("{s:o,s:o,s:o,s:o,s:o}", "cuped_lift",
                                            xs__serve_num(w->cuped_lift), "cuped_lo",
                                            xs__serve_num(w->cuped_lo), "cuped_hi",
                                            xs__serve_num(w->cuped_hi), "cuped_p_value",
                                            xs__serve_num(w->cuped_p), "var_reduction",
                                            xs__serve_num(w->var_reduction)));
    return o;
}

/* One experiment and its report (or the reason there is none). */
static json_t *experiment_json(const xs_snapshot *s, const xs_experiment *x)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "name", x->name, "kind",
                          xs_offer_kind_key(x->kind), "split", x->split, "start", x->start,
                          "end", x->end[0] ? json_string(x->end) : json_null());
    if (!o) return NULL;
    xs_exp_report_result *rep = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_exp_report(s, x, NULL, &rep, &e) < 0) {
        char msg[512];
        json_object_set_new(o, "error", json_string(xs_error_format(&e, msg, sizeof msg)));
        return o;
    }
    const xs_exp_result *a = xs_exp_report_analysis(rep);
    const xs_exp_srm *srm = xs_exp_result_srm(a);
    char until[11];
    json_t *arms = json_array(), *res = json_array();
    for (size_t i = 0; arms && i < xs_exp_report_n_arms(rep); i++) {
        const xs_exp_arm *m = xs_exp_report_arm(rep, i);
        json_array_append_new(arms, json_pack("{s:s,s:I,s:I,s:I}", "arm", m->name,
                                              "customers", (json_int_t)m->customers,
                                              "offers", (json_int_t)m->offers, "accepted",
                                              (json_int_t)m->accepted));
    }
    for (size_t i = 0; res && i < xs_exp_result_n_rows(a); i++)
        json_array_append_new(res, result_json(xs_exp_result_row(a, i),
                                               xs_exp_result_has_cuped(a)));
    json_object_update_new(o, json_pack("{s:s,s:o?,s:{s:o,s:i,s:o,s:b},s:o?}", "until",
                                        xs_exp_report_until(rep, until), "arms", arms,
                                        "srm", "chi2", xs__serve_num(srm->chi2), "df",
                                        srm->df, "p_value", xs__serve_num(srm->p),
                                        "flagged", srm->flagged, "results", res));
    xs_exp_report_free(rep);
    return o;
}

/* Contract in serve_int.h. */
json_t *xs__serve_experiments_json(const xs_snapshot *s, const xs_experiment *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, experiment_json(s, &x[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a ? json_pack("{s:o}", "experiments", a) : NULL;
}

/* Contract in serve_int.h. */
int xs__serve_h_experiments(xs__serve_req *r)
{
    /* a copy: a shared value must not be serialised by two threads at once */
    json_t *x = xs__serve_model_experiments(r->model, xs__serve_server_db(r->srv));
    if (!x)
        return xs__serve_error(r, 503, "not_available", "experiments: %s",
                               r->model->experiments_error);
    return xs__serve_reply(r, 200, x);
}
