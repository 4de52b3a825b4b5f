/*
 * handlers_replay.c — decision logs and replays over HTTP (docs/replay.md):
 * logging the decisions of GET /v1/customers/{id}/offers?log=1 with the
 * offers they chose (xs_store_decisions_log, through the write path of
 * store_access.c), and GET /v1/replays, the results `xsell replay --save`
 * stored, newest first.
 */
#include "serve/serve_int.h"

#include <stdlib.h>
#include <string.h>

/* Contract in serve_int.h. */
int xs__serve_decisions_log(xs__serve_req *r, const xs_offer_engine *en,
                            const xs_offer *o, const xs_decision *d, size_t n_dec,
                            xs_offer_record *ids)
{
    xs_decision_record rec[XS_OFFER_MAX_CANDIDATES];
    xs_offer_config cfg;
    char policy[512];
    xs_error e;
    size_t n = 0;
    int status = 0;
    if (!n_dec) return 0;       /* nothing offered: no decision to log */
    xs_offer_config_init(&cfg); /* the server's engine decides with the defaults */
    xs_policy_text(&cfg, 1, policy, sizeof policy);
    for (size_t k = 0; k < n_dec && k < XS_OFFER_MAX_CANDIDATES; k++) {
        memset(&ids[k], 0, sizeof ids[k]);
        if (xs_decision_fill(en, o, &d[k], "serve", &rec[n]) < 0) {
            status = xs__serve_error(r, 503, "not_available", "out of memory");
            goto cleanup;
        }
        rec[n].policy = policy;
        if (xs_offer_log_fill(en, &o[d[k].cand[d[k].chosen]], &ids[k]) == XS_OK)
            rec[n].offer = (long)k;
        n++;
    }
    xs_store *st = NULL;
    if ((status = xs__serve_store_for_write(r, &st))) goto cleanup;
    int rc = xs_store_decisions_log(st, ids, n_dec, rec, n, &e);
    if (rc >= 0) { /* the offers sent: pending from now on */
        json_t *sent = json_array();
        for (size_t k = 0; sent && k < n_dec; k++)
            if (ids[k].offer_id[0])
                json_array_append_new(sent, json_string(ids[k].offer_id));
        xs__serve_audit(
            r, st, "offers.log", r->params[0], NULL,
            sent ? json_pack("{s:I,s:o}", "decisions", (json_int_t)n, "offer_ids", sent)
                 : NULL);
    }
    xs_store_close(st);
    if (rc == XS_EBUSY)
        status = xs__serve_store_busy(r);
    else if (rc < 0)
        status = xs__serve_error(r, 503, "not_available", "logging the decision: %s",
                                 e.message);
cleanup:
    for (size_t i = 0; i < n; i++)
        xs_decision_record_clear(&rec[i]);
    return status;
}

typedef struct list {
    json_t *arr;
    int oom;
} list;

static int add_replay(void *ctx, long long id, const char *ran_at, const char *policy,
                      const char *from, const char *to, const char *result)
{
    list *l = ctx;
    json_t *res = result ? json_loads(result, 0, NULL) : NULL;
    json_t *o = json_pack("{s:I,s:s,s:s,s:s?,s:s?,s:o}", "replay_id", (json_int_t)id,
                          "ran_at", ran_at ? ran_at : "", "policy", policy ? policy : "",
                          "from", from, "to", to, "result", res ? res : json_null());
    if (!o || json_array_append_new(l->arr, o) < 0) {
        l->oom = 1;
        return XS_ENOMEM;
    }
    return 0;
}

/* Contract in serve_int.h. GET /v1/replays?limit=N (default 20, at most
 * 1000): the stored replay results, newest first. */
int xs__serve_h_replays(xs__serve_req *r)
{
    long limit;
    if (xs__serve_query_long(r, "limit", 20, 1, 1000, &limit) < 0) return r->status;
    xs_store *st = NULL;
    xs_error e;
    if (xs_store_open_readonly(&st, xs__serve_server_db(r->srv), &e) < 0)
        return xs__serve_error(r, 503, "not_available", "store: %s", e.message);
    list l = {json_array(), 0};
    long n = l.arr ? xs_store_replays(st, (size_t)limit, add_replay, &l, &e) : XS_ENOMEM;
    xs_store_close(st);
    if (n < 0) {
        json_decref(l.arr);
        return xs__serve_error(r, 503, "not_available", "reading the replays: %s",
                               l.oom || n == XS_ENOMEM ? "out of memory" : e.message);
    }
    return xs__serve_reply(r, 200, json_pack("{s:o}", "replays", l.arr));
}
