/*
 * uplift_src.c — where an offer kind has randomised evidence in the store,
 * the difference an offer makes replaces P(accept) in its expected value
 * (docs/offers.md "Uplift", docs/uplift.md; issue 16).
 *
 * Evidence: a holdout experiment of the kind (docs/experiments.md) that
 * started before as_of, whose window (start to min(end, as_of)) is at
 * least uplift_min_days long, with at least uplift_min_n units in the
 * holdout arm and in the other (treated) arms; of several, the latest
 * start. Units are the experiment report's (src/measure/holdout.c):
 * customers with recurring revenue on the start day, treated = any arm but
 * "holdout" (xs_exp_assign), outcomes the report's metrics over the window:
 * expanded (ARR(until) > ARR(start)) and retained (ARR(until) > 0).
 * Features: the churn module's store-history table on the start day
 * (src/score/churn_history.c), encoded with the levels of the same table
 * on as_of, so that one as_of table is scored by every kind's model.
 *
 * Per kind with evidence, the two-model learner (src/score/uplift.c, its
 * defaults) is trained on "expanded" (upsell, cross-sell) and on "retained"
 * (downsell; and upsell, whose retention offers — a protective add-on, a
 * longer term for a customer at risk — aim at keeping the customer), and
 * predicts every customer with recurring revenue on as_of. A decision then
 * values each candidate of such a kind (xs__offer_uplift_apply) at
 * uplift x value - the contact cost of its channel; the guard
 * negative_uplift (guardrails.c) holds back those whose uplift is below 0.
 * Customers outside the experiment's population (no recurring revenue on
 * as_of) and kinds without evidence keep P(accept) x value, exactly as
 * before.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "measure/kpi.h"
#include "score/churn.h"
#include "score/churn_history.h"
#include "score/uplift.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The two outcomes. */
enum { GROW = 0, KEEP = 1 };

/* Contract in offer_int.h. */
void xs__offer_uplift_free(xs_offer_engine *en)
{
    /* mapped predictions belong to the model file: forget them only */
    for (int k = 0; k < XS_OFFER_N_KINDS && !en->uplift_mapped; k++) {
        xs__free(en->uplift[k].grow);
        xs__free(en->uplift[k].keep);
    }
    memset(en->uplift, 0, sizeof en->uplift);
    en->uplift_mapped = 0;
}

/* Sets info->why (truncated to its size). */
static void set_why(xs_offer_uplift_info *info, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(info->why, sizeof info->why, fmt, ap);
    va_end(ap);
}

static int nomem(xs_error *err)
{
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* The experiment of kind k whose start and window qualify (the latest
 * start), or -1; info->why says why the others do not. */
static long pick(const xs_offer_engine *en, const xs_experiment *x, size_t n, int k,
                 xs_offer_uplift_info *info)
{
    long best = -1;
    int32_t best_start = 0;
    char day[11];
    xs__date_format(en->as_of, day);
    for (size_t i = 0; i < n; i++) {
        if ((int)x[i].kind != k) continue;
        int32_t start, end = INT32_MAX;
        if (xs__date_parse(x[i].start, 10, &start) < 0) continue;
        if (x[i].end[0] && xs__date_parse(x[i].end, 10, &end) < 0) continue;
        int32_t until = end < en->as_of ? end : en->as_of;
        if (!(start < en->as_of)) {
            set_why(info, "experiment \"%s\" starts %s, not before as_of %s", x[i].name,
                    x[i].start, day);
            continue;
        }
        if ((double)(until - start) < en->cfg.uplift_min_days) {
            set_why(info, "experiment \"%s\": a window of %d days, uplift_min_days is %g",
                    x[i].name, (int)(until - start), en->cfg.uplift_min_days);
            continue;
        }
        if (best < 0 || start > best_start) best = (long)i, best_start = start;
    }
    return best;
}

/* Units of experiment x (revenue on its start day) and their arm and
 * outcomes: grp[c] 1 treated, 0 holdout, -1 not a unit; y[c] bit GROW
 * expanded, bit KEEP retained. XS_OK or XS_ENOMEM. */
static int units(const xs_offer_engine *en, const xs_experiment *x, int32_t start,
                 int32_t until, signed char *grp, unsigned char *y, size_t *n_t,
                 size_t *n_h)
{
    const struct xs_snapshot *s = en->s;
    xs_exp_split sp;
    if (xs_exp_split_parse(x->split, &sp, NULL) < 0) return XS_EINVAL;
    *n_t = *n_h = 0;
    for (uint32_t c = 0; c < s->cust.n; c++) {
        grp[c] = -1;
        y[c] = 0;
        int64_t a0 = xs__measure_kpi_arr_at(s, c, start);
        if (a0 <= 0) continue;
        int64_t a1 = xs__measure_kpi_arr_at(s, c, until);
        const char *id = xs__intern_str(&s->cust.ids, c);
        int arm = xs_exp_assign(&sp, x->name, id, strlen(id));
        if (arm < 0) return arm;
        int treated = strcmp(sp.name[arm], "holdout") != 0;
        grp[c] = (signed char)treated;
        y[c] = (unsigned char)((a1 > a0) << GROW | (a1 > 0) << KEEP);
        if (treated)
            (*n_t)++;
        else
            (*n_h)++;
    }
    return XS_OK;
}

/* Trains on the start-day table (rows of tab) the model of one outcome
 * and predicts the as_of table's rows pidx[0..n_p) (customers pcust) into
 * a new per-customer array *out. Returns XS_OK, or a negative code with
 * err set (the caller decides whether it is fatal). */
static int train_predict(const xs_offer_engine *en, const xs_churn_data *tab,
                         const signed char *grp, const unsigned char *y, int bit,
                         const xs_uplift_data *now, const size_t *pidx,
                         const uint32_t *pcust, size_t n_p, float **out, xs_error *err)
{
    const struct xs_snapshot *s = en->s;
    size_t n = tab->n;
    signed char *g = xs__malloc(n ? n : 1);
    unsigned char *yy = xs__malloc(n ? n : 1);
    double *u = xs__malloc((n_p ? n_p : 1) * sizeof *u);
    float *arr = xs__malloc((s->cust.n ? s->cust.n : 1) * sizeof *arr);
    xs_uplift_data *d = NULL;
    xs_uplift_model *m = NULL;
    int rc = XS_ENOMEM;
    *out = NULL;
    if (!g || !yy || !u || !arr) {
        rc = nomem(err);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t c = xs__intern_find(&s->cust.ids, tab->ids[i], strlen(tab->ids[i]));
        g[i] = c == XS_INTERN_NONE ? -1 : grp[c];
        yy[i] = c == XS_INTERN_NONE ? 0 : (unsigned char)(y[c] >> bit & 1u);
    }
    xs_uplift_params p;
    xs_uplift_params_init(&p);
    /* one thread: these tables are small, and OpenMP's barriers between two
     * threads cost more than the work they share (measured: docs/offers.md) */
    p.xgb.nthread = 1;
    if ((rc = xs__score_uplift_data_from_churn(tab, g, yy, &d, err)) < 0 ||
        (rc = xs__score_uplift_train_rows(d, NULL, d->n, &p, &m, err)) < 0 ||
        (rc = xs__score_uplift_predict_rows(m, now, pidx, n_p, u, err)) < 0)
        goto cleanup;
    for (size_t c = 0; c < s->cust.n; c++)
        arr[c] = NAN;
    for (size_t i = 0; i < n_p; i++)
        arr[pcust[i]] = (float)u[i];
    *out = arr;
    arr = NULL;
    rc = XS_OK;
cleanup:
    xs_uplift_model_free(m);
    xs_uplift_data_free(d);
    xs__free(g);
    xs__free(yy);
    xs__free(u);
    xs__free(arr);
    return rc;
}

/* The kind's evidence from experiment x: units, models, predictions.
 * XS_OK (info->on set, or info->why saying why not) or XS_ENOMEM. */
static int build_kind(xs_offer_engine *en, int k, const xs_experiment *x,
                      const xs_uplift_data *now, const xs__score_churn_enc *enc,
                      const size_t *pidx, const uint32_t *pcust, size_t n_p,
                      signed char *grp, unsigned char *y, xs_error *err)
{
    xs__offer_uplift *u = &en->uplift[k];
    xs_offer_uplift_info *in = &u->info;
    xs_churn_data *tab = NULL;
    xs_error e = {0};
    int32_t start, end = INT32_MAX;
    xs__date_parse(x->start, 10, &start);
    if (x->end[0]) xs__date_parse(x->end, 10, &end);
    int32_t until = end < en->as_of ? end : en->as_of;
    int rc = units(en, x, start, until, grp, y, &in->n_treated, &in->n_holdout);
    if (rc == XS_ENOMEM) return nomem(err);
    snprintf(in->experiment, sizeof in->experiment, "%s", x->name);
    snprintf(in->start, sizeof in->start, "%s", x->start);
    xs__date_format(until, in->until);
    if (rc < 0 || (double)in->n_holdout < en->cfg.uplift_min_n ||
        (double)in->n_treated < en->cfg.uplift_min_n) {
        set_why(in,
                "experiment \"%s\": %zu treated and %zu holdout customers with revenue "
                "on %s, uplift_min_n is %g",
                x->name, in->n_treated, in->n_holdout, x->start, en->cfg.uplift_min_n);
        return XS_OK;
    }
    rc = xs__score_churn_history_table(en->s, start, enc, &tab, &e);
    int need_grow = k != XS_OFFER_DOWNSELL, need_keep = k != XS_OFFER_CROSS_SELL;
    if (rc == XS_OK && need_grow)
        rc = train_predict(en, tab, grp, y, GROW, now, pidx, pcust, n_p, &u->grow, &e);
    if (rc == XS_OK && need_keep)
        rc = train_predict(en, tab, grp, y, KEEP, now, pidx, pcust, n_p, &u->keep, &e);
    xs_churn_data_free(tab);
    if (rc == XS_ENOMEM) return nomem(err);
    if (rc < 0) {
        char msg[512];
        set_why(in, "experiment \"%s\": %s", x->name,
                xs_error_format(&e, msg, sizeof msg));
        xs__free(u->grow);
        xs__free(u->keep);
        u->grow = u->keep = NULL;
        return XS_OK;
    }
    const float *primary = k == XS_OFFER_DOWNSELL ? u->keep : u->grow;
    double sum = 0;
    for (size_t i = 0; i < n_p; i++) {
        double v = primary[pcust[i]];
        sum += v;
        in->n_negative += v < 0;
    }
    in->n_scored = n_p;
    in->mean = n_p ? sum / (double)n_p : 0;
    in->on = 1;
    in->why[0] = '\0';
    return XS_OK;
}

/* Contract in offer_int.h. */
int xs__offer_uplift_build(xs_offer_engine *en, const xs_experiment *x, size_t n,
                           xs_error *err)
{
    const struct xs_snapshot *s = en->s;
    xs_churn_data *tab = NULL;
    xs_uplift_data *now = NULL;
    size_t *pidx = NULL;
    uint32_t *pcust = NULL;
    signed char *grp = NULL;
    unsigned char *y = NULL;
    long pick_of[XS_OFFER_N_KINDS];
    int any = 0, rc = XS_OK;
    xs__offer_uplift_free(en);
    if (!(en->cfg.uplift > 0)) return XS_OK;
    for (int k = 0; k < XS_OFFER_N_KINDS; k++)
        if ((pick_of[k] = pick(en, x, n, k, &en->uplift[k].info)) >= 0) any = 1;
    if (!any) return XS_OK;
    /* the as_of table (its levels encode every table) and the rows scored:
     * customers with recurring revenue on as_of */
    xs_error e = {0};
    char msg[512];
    rc = xs__score_churn_history_table(s, en->as_of, NULL, &tab, &e);
    if (rc == XS_ENOMEM) return nomem(err);
    if (rc < 0) {
        for (int k = 0; k < XS_OFFER_N_KINDS; k++)
            if (pick_of[k] >= 0)
                set_why(&en->uplift[k].info, "%s", xs_error_format(&e, msg, sizeof msg));
        return XS_OK;
    }
    size_t nc = s->cust.n, n_p = 0;
    pidx = xs__malloc((tab->n ? tab->n : 1) * sizeof *pidx);
    pcust = xs__malloc((tab->n ? tab->n : 1) * sizeof *pcust);
    grp = xs__malloc(nc ? nc : 1);
    y = xs__malloc(nc ? nc : 1);
    if (!pidx || !pcust || !grp || !y ||
        xs__score_uplift_data_from_churn(tab, NULL, NULL, &now, NULL) < 0) {
        rc = nomem(err);
        goto cleanup;
    }
    for (size_t i = 0; i < tab->n; i++) {
        uint32_t c = xs__intern_find(&s->cust.ids, tab->ids[i], strlen(tab->ids[i]));
        if (c == XS_INTERN_NONE || xs__measure_kpi_arr_at(s, c, en->as_of) <= 0) continue;
        pidx[n_p] = i;
        pcust[n_p++] = c;
    }
    for (int k = 0; k < XS_OFFER_N_KINDS && rc == XS_OK; k++)
        if (pick_of[k] >= 0)
            rc = build_kind(en, k, &x[pick_of[k]], now, &tab->enc, pidx, pcust, n_p, grp,
                            y, err);
cleanup:
    if (rc < 0) xs__offer_uplift_free(en);
    xs_uplift_data_free(now);
    xs_churn_data_free(tab);
    xs__free(pidx);
    xs__free(pcust);
    xs__free(grp);
    xs__free(y);
    return rc;
}

/* The contact cost of a channel (currency units). */
static double contact_cost(const xs_offer_config *c, int ch)
{
    switch (ch) {
    case 0:
        return c->cost_email;
    case 1:
        return c->cost_in_app;
    case 2:
        return c->cost_csm;
    case 3:
        return c->cost_webinar;
    case 4:
        return c->cost_sns;
    default:
        return 0;
    }
}

/* Contract in offer_int.h. */
void xs__offer_uplift_apply(const xs_offer_engine *en, xs_offer *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xs_offer *x = &o[i];
        x->value_basis = XS_VALUE_PROPENSITY;
        x->uplift = 0;
        if ((unsigned)x->kind >= XS_OFFER_N_KINDS) continue;
        const xs__offer_uplift *u = &en->uplift[x->kind];
        if (!u->info.on) continue;
        const float *a = x->kind == XS_OFFER_DOWNSELL || x->retention ? u->keep : u->grow;
        if (!a || isnan(a[x->customer])) continue;
        x->value_basis = XS_VALUE_UPLIFT;
        x->uplift = a[x->customer];
        x->ev = x->uplift * x->value - contact_cost(&en->cfg, x->channel);
    }
}

/* Contract in xsell.h. */
const char *xs_offer_value_basis_name(int basis)
{
    return basis == XS_VALUE_UPLIFT ? "uplift" : "propensity";
}

/* Contract in xsell.h. */
int xs_offer_engine_uplift(const xs_offer_engine *en, xs_offer_kind k,
                           xs_offer_uplift_info *out)
{
    if ((unsigned)k >= XS_OFFER_N_KINDS) return XS_EINVAL;
    *out = en->uplift[k].info;
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_offer_uplift_table(const xs_offer_engine *en, xs_table *t)
{
    static const char *const cols[] = {"kind",     "basis",      "experiment", "outcome",
                                       "window",   "treated",    "holdout",    "scored",
                                       "negative", "mean_uplift"};
    static const xs_coltype type[] = {XS_COL_TEXT, XS_COL_TEXT, XS_COL_TEXT, XS_COL_TEXT,
                                      XS_COL_TEXT, XS_COL_NUM,  XS_COL_NUM,  XS_COL_NUM,
                                      XS_COL_NUM,  XS_COL_NUM};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (xs_table_column(t, cols[i], type[i]) < 0) return XS_ENOMEM;
    int rc = 0;
    for (int k = 0; k < XS_OFFER_N_KINDS; k++) {
        const xs_offer_uplift_info *u = &en->uplift[k].info;
        char win[32];
        snprintf(win, sizeof win, "%s..%s", u->start, u->until);
        rc |= xs_table_row(t);
        rc |= xs_table_cell(t, xs_offer_kind_name((xs_offer_kind)k));
        rc |= xs_table_cell(t, xs_offer_value_basis_name(u->on));
        rc |= xs_table_cell(t, u->on ? u->experiment : NULL);
        rc |= xs_table_cell(t, u->on ? (k == XS_OFFER_DOWNSELL ? "retained" : "expanded")
                                     : NULL);
        rc |= xs_table_cell(t, u->on ? win : NULL);
        if (u->on) {
            rc |= xs_table_cellf(t, "%zu", u->n_treated);
            rc |= xs_table_cellf(t, "%zu", u->n_holdout);
            rc |= xs_table_cellf(t, "%zu", u->n_scored);
            rc |= xs_table_cellf(t, "%zu", u->n_negative);
            rc |= xs_table_cellf(t, "%+.4f", u->mean);
        } else
            for (int c = 0; c < 5; c++)
                rc |= xs_table_cell(t, NULL);
    }
    return rc ? XS_ENOMEM : XS_OK;
}

/* Contract in xsell.h. */
double xs_offer_engine_customer_uplift(const xs_offer_engine *en, uint32_t customer,
                                       xs_offer_kind k, int retained)
{
    if ((unsigned)k >= XS_OFFER_N_KINDS || customer >= en->s->cust.n) return NAN;
    const xs__offer_uplift *u = &en->uplift[k];
    const float *a = retained ? u->keep : u->grow;
    return u->info.on && a ? (double)a[customer] : NAN;
}
