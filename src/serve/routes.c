/*
 * routes.c — every route of the HTTP API in one table: method, path pattern
 * ({name} matches one path segment), metrics label, the API key scope it
 * needs (read < write < admin; none for the public ones), whether the body
 * must be a JSON object, and the handler. Adding a route is one line here
 * plus its handler; docs/api.md and docs/openapi.json describe them.
 */
#include "serve/serve_int.h"

const xs__serve_route xs__serve_routes[] = {
    {"GET", "/healthz", "healthz", XS_SCOPE_NONE, 0, xs__serve_h_healthz},
    {"GET", "/metrics", "metrics", XS_SCOPE_NONE, 0, xs__serve_h_metrics},
    {"GET", "/v1/openapi.json", "openapi", XS_SCOPE_NONE, 0, xs__serve_h_openapi},
    {"GET", "/v1/items/{id}/together", "together", XS_SCOPE_READ, 0,
     xs__serve_h_together},
    {"POST", "/v1/cart/recommendations", "cart", XS_SCOPE_READ, 1, xs__serve_h_cart},
    {"GET", "/v1/rules", "rules", XS_SCOPE_READ, 0, xs__serve_h_rules},
    {"GET", "/v1/kpi", "kpi", XS_SCOPE_READ, 0, xs__serve_h_kpi},
    {"GET", "/v1/customers/{id}", "customer", XS_SCOPE_READ, 0, xs__serve_h_customer},
    {"GET", "/v1/customers/{id}/offers", "offers", XS_SCOPE_READ, 0, xs__serve_h_offers},
    {"GET", "/v1/targets", "targets", XS_SCOPE_READ, 0, xs__serve_h_targets},
    {"GET", "/v1/segments", "segments", XS_SCOPE_READ, 0, xs__serve_h_segments},
    {"GET", "/v1/guardrails", "guardrails", XS_SCOPE_READ, 0, xs__serve_h_guardrails},
    {"GET", "/v1/experiments", "experiments", XS_SCOPE_READ, 0, xs__serve_h_experiments},
    {"GET", "/v1/replays", "replays", XS_SCOPE_READ, 0, xs__serve_h_replays},
    {"GET", "/v1/plan", "plan", XS_SCOPE_READ, 0, xs__serve_h_plan},
    {"GET", "/", "dashboard", XS_SCOPE_NONE, 0, xs__serve_h_web_index},
    {"GET", "/assets/{name}", "assets", XS_SCOPE_NONE, 0, xs__serve_h_web_asset},
    {"POST", "/v1/build", "build", XS_SCOPE_ADMIN, 0, xs__serve_h_build},
    {"POST", "/v1/events", "events", XS_SCOPE_WRITE, 1, xs__serve_h_events},
    {"POST", "/v1/offers/{id}/outcome", "outcome", XS_SCOPE_WRITE, 1,
     xs__serve_h_outcome},
    {"GET", "/v1/webhooks", "webhooks", XS_SCOPE_ADMIN, 0, xs__serve_h_webhooks},
    {"POST", "/v1/webhooks", "webhook_add", XS_SCOPE_ADMIN, 1, xs__serve_h_webhook_add},
    {"DELETE", "/v1/webhooks/{id}", "webhook_remove", XS_SCOPE_ADMIN, 0,
     xs__serve_h_webhook_remove},
    {"GET", "/v1/webhooks/{id}/deliveries", "webhook_log", XS_SCOPE_ADMIN, 0,
     xs__serve_h_webhook_deliveries},
    {"POST", "/v1/experiments", "experiment_start", XS_SCOPE_WRITE, 1,
     xs__serve_h_experiment_start},
    {"POST", "/v1/experiments/{name}/stop", "experiment_stop", XS_SCOPE_WRITE, 1,
     xs__serve_h_experiment_stop},
    {"GET", "/v1/audit", "audit", XS_SCOPE_ADMIN, 0, xs__serve_h_audit},
    {"GET", "/v1/key", "key", XS_SCOPE_READ, 0, xs__serve_h_key},
};

const size_t xs__serve_n_routes = sizeof xs__serve_routes / sizeof xs__serve_routes[0];

_Static_assert(sizeof xs__serve_routes / sizeof xs__serve_routes[0] <= XS__MAX_ROUTES,
               "raise XS__MAX_ROUTES");
