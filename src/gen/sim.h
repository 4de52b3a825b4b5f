/*
 * sim.h — the generator's run context and the per-customer simulation
 * (sim.c), called by gen.c once per customer in index order.
 */
#ifndef XS_GEN_SIM_H
#define XS_GEN_SIM_H

#include "gen/gen_int.h"
#include "base/hash.h"
#include "base/rng.h"

#define XS__SIM_MAX_ROWS 96
#define XS__SIM_MAX_OFFERS 48
#define XS__SIM_MAX_ORDERS 64
#define XS__SIM_MAX_LINES 10

enum { XS__TREND_STABLE = 0, XS__TREND_GROW, XS__TREND_SHRINK };
enum { XS__CLASS_NONE = 0, XS__CLASS_NORMAL, XS__CLASS_HIGH, XS__CLASS_LOW };

/* One run: catalogue, dates, outputs, truth counters. */
typedef struct xs__gen_ctx {
    xs__gen_catalog cat;
    uint64_t seed;
    int32_t as_of;
    int32_t date_base, n_dates; /* dates[i] is "YYYY-MM-DD" of day date_base+i */
    char *dates;
    xs__gen_gout out[XS_GEN_N_FILES];
    xs__gen_truth truth;
    int holdout_days;       /* 0: no experiments */
    int32_t exp_start;      /* as_of - holdout_days */
    xs_exp_split exp_split; /* XS_GEN_HOLDOUT_SPLIT, parsed when holdout_days > 0 */
} xs__gen_ctx;

typedef struct xs__gen_sim_row {
    int prod, qty;
    int32_t start, end; /* end INT32_MAX while active */
} xs__gen_sim_row;

typedef struct xs__gen_sim_offer {
    int prod, kind, channel, outcome;
    int32_t sent, at; /* at INT32_MAX when none */
    int sent_min, at_min;
    int64_t delta;
} xs__gen_sim_offer;

typedef struct xs__gen_sim_order {
    int32_t date;
    int seq, n;
    int item[XS__SIM_MAX_LINES], qty[XS__SIM_MAX_LINES];
} xs__gen_sim_order;

/* The state of the customer being generated (reused across customers). */
typedef struct xs__gen_sim {
    xs__rng r;
    uint64_t num; /* 1-based customer number */
    int size, segment, industry, region, owner;
    int name[3], contact[2];
    int consent[XS__N_CH];
    int32_t signup;
    double health;
    int trend;
    double prop[XS__N_OKIND];
    int saas, shopper, churn_soon, usage_class, open_critical;
    int32_t churn_date;
    xs__gen_sim_row rows[XS__SIM_MAX_ROWS];
    int n_rows;
    int plan_row[XS__N_FAM], pack_row[XS__N_FAM];
    int addon_row[XS__N_FAM][XS__GEN_MAX_ADDONS];
    int32_t first_start[XS__N_FAM], next_change[XS__N_FAM], adopt_at[XS__N_FAM];
    int adopt_pair[XS__N_FAM];
    int32_t next_offer;
    xs__gen_sim_offer offers[XS__SIM_MAX_OFFERS];
    int n_offers;
    xs__gen_sim_order orders[XS__SIM_MAX_ORDERS];
    int n_orders;
    int arm[XS__N_OKIND]; /* XS__ARM_* per offer kind (treatment without experiments) */
} xs__gen_sim;

/*
 * Generates customer `index` (0-based; id C<index+1>): draws it from its own
 * stream seeded from (g->seed, index), appends its rows to g->out and adds
 * its planted facts to g->truth. s is scratch space (borrowed).
 */
void xs__gen_sim_customer(xs__gen_ctx *g, xs__gen_sim *s, uint64_t index);

/* Key order of the tables (keyorder.c): xs__gen_hold_rows() before a
 * customer's rows are written, xs__gen_sort_rows() after, puts the rows of
 * every table into its PRIMARY KEY order. */
void xs__gen_hold_rows(xs__gen_ctx *g);
void xs__gen_sort_rows(xs__gen_ctx *g);

/* Writes truth.json from g->truth into g->out[XS_GEN_TRUTH]. */
void xs__gen_truth_write(xs__gen_ctx *g, uint64_t n_customers);

#endif
