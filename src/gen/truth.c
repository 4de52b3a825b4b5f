/*
 * truth.c — writes truth.json: the patterns the generator planted (with
 * their design parameters) and what they amount to in the generated data
 * (counts and ratios accumulated while the customers were written), so that
 * tests can check that the engine recovers them. The format is documented in
 * src/gen/README.md; numbers are printed with fixed formats so the file is
 * byte-identical for the same options.
 */
#include "gen/sim.h"

#include "base/date.h"

#include <stdarg.h>
#include <stdio.h>

/* Appends printf output (at most XS__GOUT_ROW_MAX bytes) to truth.json. */
__attribute__((format(printf, 2, 3))) static void jp(xs__gen_ctx *g, const char *fmt, ...)
{
    xs__gen_gout *o = &g->out[XS_GEN_TRUTH];
    if (o->b.n + XS__GOUT_ROW_MAX > o->b.cap) xs__gen_gout_flush(o);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->b.p + o->b.n, XS__GOUT_ROW_MAX, fmt, ap);
    va_end(ap);
    if (n > 0) o->b.n += (size_t)n < XS__GOUT_ROW_MAX ? (size_t)n : XS__GOUT_ROW_MAX - 1;
}

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static const char *ec_id(xs__gen_ctx *g, int ec)
{
    return g->cat.p[g->cat.ec[ec]].id;
}

/* Per arm: {"treatment": a, "holdout": b}. */
static void arms(xs__gen_ctx *g, const char *key, const uint64_t *v)
{
    jp(g, "\"%s\": {", key);
    for (int a = 0; a < XS__N_ARM; a++)
        jp(g, "%s\"%s\": %llu", a ? ", " : "", xs__gen_arm_name[a],
           (unsigned long long)v[a]);
    jp(g, "}");
}

/* The "experiments" key (only written when holdout_days > 0, so that files
 * without experiments stay as they were). */
static void write_experiments(xs__gen_ctx *g)
{
    const xs__gen_truth *t = &g->truth;
    char start[11];
    xs__date_format(g->exp_start, start);
    jp(g, "  \"experiments\": {\"start\": \"%s\", \"days\": %d, \"split\": \"%s\",\n",
       start, g->holdout_days, XS_GEN_HOLDOUT_SPLIT);
    jp(g, "    \"strategies\": [\n");
    for (int k = 0; k < XS__N_OKIND; k++) {
        jp(g, "      {\"name\": \"%s\", ", xs__gen_okind_name[k]);
        arms(g, "customers", t->exp_customers[k]);
        jp(g, ", ");
        arms(g, "offers_in_window", t->exp_offers[k]);
        jp(g, ", ");
        arms(g, "accepted_in_window", t->exp_accepted[k]);
        jp(g, ", \"withheld\": %llu}%s\n", (unsigned long long)t->exp_withheld[k],
           k + 1 < XS__N_OKIND ? "," : "");
    }
    jp(g, "    ]}\n");
}

/* The header: format, seed, options and row counts. */
static void write_head(xs__gen_ctx *g, uint64_t n_customers)
{
    const xs__gen_truth *t = &g->truth;
    char as_of[11];
    xs__date_format(g->as_of, as_of);
    jp(g, "{\n  \"format\": \"xsell-gen-truth\",\n  \"version\": 1,\n");
    jp(g, "  \"seed\": %llu,\n  \"customers\": %llu,\n  \"as_of\": \"%s\",\n",
       (unsigned long long)g->seed, (unsigned long long)n_customers, as_of);
    jp(g, "  \"customers_file\": \"truth_customers.csv\",\n");
    jp(g, "  \"rows\": {");
    for (int f = 0; f < XS_GEN_TRUTH_CUSTOMERS; f++)
        jp(g, "%s\"%s\": %llu", f ? ", " : "", xs_gen_file_name((xs_gen_file)f),
           (unsigned long long)g->out[f].rows);
    jp(g, "},\n");
    jp(g, "  \"population\": {\"saas\": %llu, \"shoppers\": %llu},\n",
       (unsigned long long)t->n_saas, (unsigned long long)t->n_shoppers);
}

/* The "complementary_families" key: planted family pairs (SaaS). */
static void write_pairs(xs__gen_ctx *g)
{
    const xs__gen_truth *t = &g->truth;
    jp(g, "  \"complementary_families\": [\n");
    for (int k = 0; k < XS__GEN_N_PAIRS; k++) {
        const xs__gen_pair *p = &xs__gen_pairs[k];
        uint64_t not_from = t->n_saas - t->pair_from[k];
        jp(g,
           "    {\"from\": \"%s\", \"to\": \"%s\", \"p_planted\": %.2f, "
           "\"lag_days_mean\": %.0f, \"lag_distribution\": \"1 + exponential\",\n",
           xs__gen_family_key(p->from), xs__gen_family_key(p->to), p->p,
           p->lag_mean_days);
        jp(g,
           "     \"observed\": {\"customers_from\": %llu, \"customers_to\": %llu, "
           "\"to_after_from\": %llu, \"planted_adoptions\": %llu, "
           "\"p_to_given_from\": %.6f, \"p_to\": %.6f, \"p_to_given_not_from\": %.6f, "
           "\"lift\": %.6f, \"mean_lag_days\": %.3f}}%s\n",
           (unsigned long long)t->pair_from[k], (unsigned long long)t->pair_to[k],
           (unsigned long long)t->pair_to_after[k],
           (unsigned long long)t->pair_planted[k],
           ratio(t->pair_to_after[k], t->pair_from[k]), ratio(t->pair_to[k], t->n_saas),
           ratio(t->pair_to[k] - t->pair_both[k], not_from),
           t->pair_to[k] ? ratio(t->pair_to_after[k], t->pair_from[k]) /
                               ratio(t->pair_to[k], t->n_saas)
                         : 0.0,
           ratio(t->pair_lag_sum[k], t->pair_to_after[k]),
           k + 1 < XS__GEN_N_PAIRS ? "," : "");
    }
    jp(g, "  ],\n");
}

/* The "cobuy_itemsets" key: planted bundles and their rules. */
static void write_bundles(xs__gen_ctx *g)
{
    const xs__gen_truth *t = &g->truth;
    jp(g, "  \"cobuy_itemsets\": [\n");
    for (int b = 0; b < XS__GEN_N_BUNDLES; b++) {
        const xs__gen_bundle *bd = &xs__gen_bundles[b];
        int last = bd->item[bd->n - 1];
        jp(g, "    {\"items\": [");
        for (int i = 0; i < bd->n; i++)
            jp(g, "%s\"%s\"", i ? ", " : "", ec_id(g, bd->item[i]));
        jp(g, "], \"p_order_planted\": %.3f,\n     \"rule\": {\"antecedent\": [", bd->p);
        for (int i = 0; i < bd->n - 1; i++)
            jp(g, "%s\"%s\"", i ? ", " : "", ec_id(g, bd->item[i]));
        double conf = ratio(t->bundle_orders[b], t->bundle_ante_orders[b]);
        double cons = ratio(t->item_orders[last], t->n_orders);
        jp(g, "], \"consequent\": \"%s\"},\n", ec_id(g, last));
        jp(g,
           "     \"observed\": {\"orders\": %llu, \"planted_orders\": %llu, \"support\": "
           "%.6f, "
           "\"antecedent_orders\": %llu, \"confidence\": %.6f, \"consequent_support\": "
           "%.6f, "
           "\"lift\": %.6f}}%s\n",
           (unsigned long long)t->bundle_orders[b],
           (unsigned long long)t->bundle_planted[b],
           ratio(t->bundle_orders[b], t->n_orders),
           (unsigned long long)t->bundle_ante_orders[b], conf, cons,
           cons > 0 ? conf / cons : 0.0, b + 1 < XS__GEN_N_BUNDLES ? "," : "");
    }
    jp(g, "  ],\n");
}

/* The "sequences" key: planted purchase sequences (shoppers). */
static void write_sequences(xs__gen_ctx *g)
{
    const xs__gen_truth *t = &g->truth;
    jp(g, "  \"sequences\": [\n");
    for (int q = 0; q < XS__GEN_N_SEQS; q++) {
        const xs__gen_seq *sq = &xs__gen_seqs[q];
        jp(g,
           "    {\"from\": \"%s\", \"to\": \"%s\", \"p_planted\": %.2f, "
           "\"lag_days_mean\": %.0f, "
           "\"lag_distribution\": \"1 + exponential\",\n",
           ec_id(g, sq->from), ec_id(g, sq->to), sq->p, sq->lag_mean_days);
        jp(g,
           "     \"observed\": {\"customers_from\": %llu, \"customers_to\": %llu, "
           "\"to_after_from\": %llu, \"p_to_given_from\": %.6f, \"p_to\": %.6f, "
           "\"mean_lag_days\": %.3f}}%s\n",
           (unsigned long long)t->seq_from[q], (unsigned long long)t->seq_to[q],
           (unsigned long long)t->seq_to_after[q],
           ratio(t->seq_to_after[q], t->seq_from[q]), ratio(t->seq_to[q], t->n_shoppers),
           ratio(t->seq_lag_sum[q], t->seq_to_after[q]),
           q + 1 < XS__GEN_N_SEQS ? "," : "");
    }
    jp(g, "  ],\n");
}

/* The "orders" and "offers" keys. */
static void write_orders_offers(xs__gen_ctx *g)
{
    const xs__gen_truth *t = &g->truth;
    jp(g, "  \"orders\": {\"orders\": %llu, \"item_orders\": {",
       (unsigned long long)t->n_orders);
    for (int e = 0; e < XS__N_EC; e++)
        jp(g, "%s\"%s\": %llu", e ? ", " : "", ec_id(g, e),
           (unsigned long long)t->item_orders[e]);
    jp(g, "}},\n");

    jp(g, "  \"offers\": {\"model\": \"P(accepted) = min(0.95, propensity[kind] * "
          "channel_factor[channel]); pending when sent in the last 14 days\",\n");
    jp(g, "    \"channel_factor\": {");
    for (int c = 0; c < XS__N_CH; c++)
        jp(g, "%s\"%s\": %.2f", c ? ", " : "", xs__gen_channel_name[c],
           xs__gen_channel_factor[c]);
    jp(g, "},\n    \"observed\": {");
    for (int k = 0; k < XS__N_OKIND; k++) {
        jp(g, "%s\"%s\": {", k ? ", " : "", xs__gen_okind_name[k]);
        for (int o = 0; o < XS__N_OUT; o++)
            jp(g, "%s\"%s\": %llu", o ? ", " : "", xs__gen_outcome_name[o],
               (unsigned long long)t->offers[k][o]);
        jp(g, "}");
    }
    jp(g, "}},\n");
}

/* Writes truth.json from the counters (call after the last customer). */
void xs__gen_truth_write(xs__gen_ctx *g, uint64_t n_customers)
{
    write_head(g, n_customers);
    write_pairs(g);
    write_bundles(g);
    write_sequences(g);
    write_orders_offers(g);
    const xs__gen_truth *t = &g->truth;
    jp(g,
       "  \"usage\": {\"metric\": \"seats\", \"high_at_least\": %.2f, \"low_below\": "
       "%.2f, "
       "\"customers_high\": %llu, \"customers_low\": %llu, \"customers_normal\": "
       "%llu},\n",
       XS__GEN_HIGH_UTIL, XS__GEN_LOW_UTIL, (unsigned long long)t->n_high,
       (unsigned long long)t->n_low, (unsigned long long)t->n_normal);
    jp(g,
       "  \"churn\": {\"horizon_days\": %d, \"about_to_churn\": %llu, "
       "\"open_critical\": %llu}%s\n",
       XS__GEN_CHURN_HORIZON, (unsigned long long)t->n_churn_soon,
       (unsigned long long)t->n_open_critical, g->holdout_days > 0 ? "," : "");
    if (g->holdout_days > 0) write_experiments(g);
    jp(g, "}\n");
    g->out[XS_GEN_TRUTH].rows = 1;
}
