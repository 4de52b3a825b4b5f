/*
 * handlers_plan.c — GET /v1/plan: the global plan under capacity that
 * `xsell build --capacity` stored (docs/plan.md): its totals against
 * today's greedy ranking, and every capacity constraint with its use and
 * shadow price; with ?customer=ID that customer's planned offers. Read
 * from the store on each request (src/store/plans.c), so a new build's
 * plan shows without a server rebuild.
 */
#include "serve/serve_int.h"

#include <string.h>

/* Whether the model knows the customer id. */
static int known_customer(const xs__serve_model *m, const char *id)
{
    if (m->offers) return xs_offer_engine_find(m->offers, id) >= 0;
    if (m->cs) return xs_customer_scores_find(m->cs, id) >= 0;
    return 1; /* nothing to check against: the store answers */
}

/* Contract in serve_int.h. */
int xs__serve_h_plan(xs__serve_req *r)
{
    const char *cust = xs__serve_query(r, "customer");
    char q[300], built_at[21], as_of[11];
    if (cust && !known_customer(r->model, cust)) {
        xs__serve_quote(q, sizeof q, cust, strlen(cust));
        return xs__serve_error(r, 404, "not_found", "unknown customer %s", q);
    }
    xs_store *st = NULL;
    xs_error e;
    if (xs_store_open_readonly(&st, xs__serve_server_db(r->srv), &e) < 0)
        return xs__serve_error(r, 503, "not_available", "store: %s", e.message);
    char *capacity = NULL, *summary = NULL, *asg = NULL;
    int rc = xs_store_plan_get(st, built_at, as_of, &capacity, &summary, &e);
    if (rc == 1 && cust) rc = xs_store_plan_customer(st, cust, &asg, &e) < 0 ? -1 : 1;
    xs_store_close(st);
    int status;
    if (rc < 0) {
        status = xs__serve_error(r, 503, "not_available", "reading the plan: %s",
                                 rc == XS_ENOMEM ? "out of memory" : e.message);
    } else if (rc == 0) {
        status = xs__serve_error(
            r, 404, "not_found",
            "no plan stored: run 'xsell build --db FILE --capacity SPEC'");
    } else {
        json_t *sum = json_loads(summary, 0, NULL);
        json_t *tot = json_array_get(json_object_get(sum, "totals"), 0);
        json_t *cons = json_object_get(sum, "constraints");
        json_t *o;
        if (cust)
            o = json_pack("{s:s,s:s,s:s,s:o}", "customer_id", cust, "built_at", built_at,
                          "as_of", as_of, "assignment",
                          asg ? json_loads(asg, 0, NULL) : json_array());
        else
            o = json_pack("{s:s,s:s,s:s,s:o,s:o}", "built_at", built_at, "as_of", as_of,
                          "capacity", capacity, "totals",
                          tot ? json_incref(tot) : json_null(), "constraints",
                          cons ? json_incref(cons) : json_array());
        json_decref(sum);
        status = o ? xs__serve_reply(r, 200, o)
                   : xs__serve_error(r, 503, "not_available",
                                     "reading the plan: out of memory");
    }
    xs_store_plan_free(capacity);
    xs_store_plan_free(summary);
    xs_store_plan_free(asg);
    return status;
}
