/*
 * metrics.c — the counters behind GET /metrics and their Prometheus text
 * exposition (format 0.0.4): requests by route and status, a latency
 * histogram by route, the model's age and generation, requests in flight,
 * offers served by kind, model builds and the admission of connections
 * (admit.c: accepted, refused, timed out, evicted, open, waiting). Counters
 * are relaxed atomics bumped by the worker threads; a scrape reads them
 * without stopping anyone.
 */
#include "base/buf.h"
#include "serve/admit.h"
#include "serve/serve_int.h"

#include <stdio.h>
#include <string.h>

/* Upper bounds of the latency buckets (seconds); +Inf is implied. */
static const double bounds[XS__N_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                             0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
/* Statuses counted one by one; anything else goes to the last slot ("other"). */
static const int statuses[XS__N_STATUS - 1] = {200, 202, 400, 401, 403, 404,
                                               405, 409, 413, 500, 501, 503};

static size_t status_slot(int status)
{
    for (size_t i = 0; i < XS__N_STATUS - 1; i++)
        if (statuses[i] == status) return i;
    return XS__N_STATUS - 1;
}

/* Contract in serve_int.h. */
void xs__serve_metrics_observe(xs__serve_metrics *m, size_t route, int status,
                               double seconds)
{
    if (route > xs__serve_n_routes) route = xs__serve_n_routes;
    atomic_fetch_add_explicit(&m->count[route][status_slot(status)], 1, memory_order_relaxed);
    for (size_t b = 0; b < XS__N_BUCKETS; b++)
        if (seconds <= bounds[b]) {
            atomic_fetch_add_explicit(&m->bucket[route][b], 1, memory_order_relaxed);
            break;
        }
    atomic_fetch_add_explicit(&m->sum_ns[route], (unsigned long long)(seconds * 1e9),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->n_obs[route], 1, memory_order_relaxed);
}

static const char *route_name(size_t i)
{
    return i < xs__serve_n_routes ? xs__serve_routes[i].name : "unmatched";
}

/* Contract in serve_int.h. */
char *xs__serve_metrics_render(const xs__serve_metrics *m, double model_age,
                               unsigned long generation, long in_flight,
                               const xs__serve_admit_stats *adm, size_t *len)
{
    xs__buf b = {0};
    xs__buf_reserve(&b, 8192);
    xs__buf_printf(&b,
                   "# HELP xsell_http_requests_total HTTP requests by route and status.\n"
                   "# TYPE xsell_http_requests_total counter\n");
    for (size_t r = 0; r <= xs__serve_n_routes; r++)
        for (size_t k = 0; k < XS__N_STATUS; k++) {
            unsigned long long c = atomic_load_explicit(&m->count[r][k], memory_order_relaxed);
            if (!c) continue;
            if (k < XS__N_STATUS - 1)
                xs__buf_printf(
                    &b, "xsell_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                    route_name(r), statuses[k], c);
            else
                xs__buf_printf(
                    &b, "xsell_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                    route_name(r), c);
        }
    xs__buf_printf(
        &b, "# HELP xsell_http_request_duration_seconds Time from the request's headers"
            " to its response, by route.\n"
            "# TYPE xsell_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= xs__serve_n_routes; r++) {
        unsigned long long n = atomic_load_explicit(&m->n_obs[r], memory_order_relaxed);
        if (!n && r == xs__serve_n_routes) continue;
        unsigned long long cum = 0;
        for (size_t k = 0; k < XS__N_BUCKETS; k++) {
            cum += atomic_load_explicit(&m->bucket[r][k], memory_order_relaxed);
            xs__buf_printf(&b,
                           "xsell_http_request_duration_seconds_bucket{route=\"%s\",le="
                           "\"%g\"} %llu\n",
                           route_name(r), bounds[k], cum);
        }
        xs__buf_printf(
            &b,
            "xsell_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
            route_name(r), n);
        xs__buf_printf(&b, "xsell_http_request_duration_seconds_sum{route=\"%s\"} %.9f\n",
                       route_name(r),
                       atomic_load_explicit(&m->sum_ns[r], memory_order_relaxed) / 1e9);
        xs__buf_printf(&b,
                       "xsell_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                       route_name(r), n);
    }
    xs__buf_printf(
        &b,
        "# HELP xsell_model_age_seconds Seconds since the model in use was built.\n"
        "# TYPE xsell_model_age_seconds gauge\nxsell_model_age_seconds %.3f\n",
        model_age);
    xs__buf_printf(&b,
                   "# HELP xsell_model_generation Builds since start (1: the model built "
                   "at start).\n"
                   "# TYPE xsell_model_generation gauge\nxsell_model_generation %lu\n",
                   generation);
    xs__buf_printf(&b,
                   "# HELP xsell_model_builds_total Background builds by result.\n"
                   "# TYPE xsell_model_builds_total counter\n"
                   "xsell_model_builds_total{result=\"ok\"} %llu\n"
                   "xsell_model_builds_total{result=\"failed\"} %llu\n",
                   atomic_load(&m->builds_ok), atomic_load(&m->builds_failed));
    xs__buf_printf(
        &b,
        "# HELP xsell_http_requests_in_flight Requests being processed.\n"
        "# TYPE xsell_http_requests_in_flight gauge\nxsell_http_requests_in_flight %ld\n",
        in_flight);
    xs__buf_printf(&b, "# HELP xsell_offers_served_total Offers returned by"
                       " /v1/customers/{id}/offers, by kind.\n"
                       "# TYPE xsell_offers_served_total counter\n");
    for (int k = 0; k < XS_OFFER_N_KINDS; k++)
        xs__buf_printf(&b, "xsell_offers_served_total{kind=\"%s\"} %llu\n",
                       xs_offer_kind_name((xs_offer_kind)k), atomic_load(&m->offers[k]));
    if (adm) {
        xs__buf_printf(
            &b,
            "# HELP xsell_connections_total Connections accepted, and what became of"
            " those not served (admission, docs/api.md).\n"
            "# TYPE xsell_connections_total counter\n"
            "xsell_connections_total{result=\"accepted\"} %llu\n"
            "xsell_connections_total{result=\"refused_full\"} %llu\n"
            "xsell_connections_total{result=\"refused_address\"} %llu\n"
            "xsell_connections_total{result=\"refused_head\"} %llu\n"
            "xsell_connections_total{result=\"timed_out\"} %llu\n"
            "xsell_connections_total{result=\"evicted\"} %llu\n",
            adm->accepted, adm->refused_full, adm->refused_addr, adm->refused_head,
            adm->timed_out, adm->evicted);
        xs__buf_printf(&b,
                       "# HELP xsell_connections Connections now, served (open) or in the"
                       " waiting room (waiting).\n"
                       "# TYPE xsell_connections gauge\n"
                       "xsell_connections{state=\"open\"} %u\n"
                       "xsell_connections{state=\"waiting\"} %u\n",
                       adm->open, adm->waiting);
    }
    return xs__buf_take(&b, len);
}
