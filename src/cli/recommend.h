/*
 * recommend.h — what the files of `xsell recommend` share: its options and
 * the sink the decided offers go to (cmd_recommend_log.c: the table shown
 * and, with --log, the offers and decisions written to the store).
 */
#ifndef XS_CLI_RECOMMEND_H
#define XS_CLI_RECOMMEND_H

#include "cli/cli.h"

typedef struct xs_cli_rec_args {
    const char *customer, *cart;
    int all, show_suppressed, log, churn_model;
    long limit; /* --limit K, 0 when not given */
    xs_offer_config cfg;
    const char *lang; /* from xs_cli_args: "en" or "ja" */
} xs_cli_rec_args;

typedef struct xs_cli_rec_sink {
    const xs_offer_engine *en;
    const xs_cli_rec_args *a;
    xs_table *t;
    xs_offer_record *log; /* with --log: the offered offers */
    size_t n_log, cap_log;
    xs_decision_record *dec; /* with --log: the decisions not written yet */
    size_t n_dec, cap_dec;
    size_t written;     /* log[0..written) went to the store with their decisions */
    const char *policy; /* the exploration settings, as logged */
    xs_store *st;       /* with --log: inside the log's transaction */
    xs_error *err;
    int db_failed; /* a write failed: err says why */
} xs_cli_rec_sink;

/* Writes the decisions held (and their offers) into the open transaction.
 * Returns XS_OK, or a negative code with k->db_failed set. */
int xs_cli_rec_flush_log(xs_cli_rec_sink *k);
/* The xs_offer_decide_all callback (ctx: the sink): the offers into k->t
 * and, with --log, the customer's decisions kept for the store. */
int xs_cli_rec_add_rows(void *ctx, uint32_t customer, const xs_offer *o, size_t n);
/* The cart answer of a->cart for a->customer into t (cmd_recommend_cart.c).
 * Returns -1 on success, else the exit code (message printed). */
int xs_cli_rec_cart(const xs_offer_engine *en, const xs_cli_rec_args *a, xs_table *t);
/* Frees what the sink holds (not t, st or en). */
void xs_cli_rec_sink_free(xs_cli_rec_sink *k);

#endif
