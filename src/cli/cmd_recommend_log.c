/*
 * cmd_recommend_log.c — where `xsell recommend` puts the offers it decides:
 * the output table and, with --log, the offered offers and each slot's
 * decision (candidates, propensity), held in chunks and written into the
 * store's one open transaction (xs_store_decisions_add) so a failure
 * leaves nothing.
 */
#include "cli/recommend.h"

#include <stdlib.h>

typedef xs_cli_rec_sink sink;

#define LOG_CHUNK 1024 /* decisions held before they go to the transaction */

/* Contract in recommend.h. */
int xs_cli_rec_flush_log(sink *k)
{
    int rc = XS_OK;
    if (k->n_dec || k->n_log > k->written)
        rc = xs_store_decisions_add(k->st, k->log + k->written, k->n_log - k->written,
                                    k->dec, k->n_dec, k->err);
    for (size_t i = 0; i < k->n_dec; i++)
        xs_decision_record_clear(&k->dec[i]);
    k->n_dec = 0;
    k->written = k->n_log;
    if (rc < 0) k->db_failed = 1;
    return rc < 0 ? rc : XS_OK;
}

/* Keeps customer's decisions and the offers they chose for --log (the
 * engine is set to logged, so they are the ones shown). Returns XS_OK or
 * XS_ENOMEM. */
static int keep(sink *k, uint32_t customer)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    xs_decision d[XS_OFFER_MAX_CANDIDATES];
    size_t nd = 0;
    xs_offer_decide_logged(k->en, customer, o, d, XS_OFFER_MAX_CANDIDATES, &nd);
    for (size_t i = 0; i < nd; i++) {
        if (k->n_log == k->cap_log) {
            size_t nc = k->cap_log ? 2 * k->cap_log : 64;
            xs_offer_record *nr = realloc(k->log, nc * sizeof *nr);
            if (!nr) return XS_ENOMEM;
            k->log = nr;
            k->cap_log = nc;
        }
        if (k->n_dec == k->cap_dec) {
            size_t nc = k->cap_dec ? 2 * k->cap_dec : 64;
            xs_decision_record *nr = realloc(k->dec, nc * sizeof *nr);
            if (!nr) return XS_ENOMEM;
            k->dec = nr;
            k->cap_dec = nc;
        }
        xs_decision_record *r = &k->dec[k->n_dec];
        if (xs_decision_fill(k->en, o, &d[i], "cli", r) < 0) return XS_ENOMEM;
        r->policy = k->policy;
        k->n_dec++;
        if (xs_offer_log_fill(k->en, &o[d[i].cand[d[i].chosen]], &k->log[k->n_log]) ==
            XS_OK)
            r->offer = (long)(k->n_log++ - k->written);
    }
    return k->n_dec >= LOG_CHUNK ? xs_cli_rec_flush_log(k) : XS_OK;
}

int xs_cli_rec_add_rows(void *ctx, uint32_t customer, const xs_offer *o, size_t n)
{
    sink *k = ctx;
    if (k->a->log) {
        int rc = keep(k, customer);
        if (rc < 0) return rc;
    }
    return xs_offer_table(k->en, o, n, k->a->lang, k->a->show_suppressed, k->t);
}

void xs_cli_rec_sink_free(sink *k)
{
    free(k->log);
    for (size_t i = 0; i < k->n_dec; i++)
        xs_decision_record_clear(&k->dec[i]);
    free(k->dec);
}
