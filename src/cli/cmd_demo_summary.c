/*
 * cmd_demo_summary.c — the summary `xsell demo` prints of the store it
 * made: rows per table, customers per segment, plans held with their MRR,
 * the best selling products, totals, the next best offers of three
 * customers, the target list and the lift of the planted holdout
 * experiments; each section a table, in table format under its title, in
 * JSON a member of one object, in CSV after a "# name" line.
 */
#include "cli/cli.h"

#include "base/money.h"

#include <stdio.h>
#include <string.h>

#define TOP_PRODUCTS 10

/* The experiments section: per experiment and metric, the holdout's and
 * the treatment's mean and the lift with its CI (experiments whose report
 * fails, e.g. too few customers, are left out). */
static int experiments_table(const xs_experiment *x, long n, const xs_snapshot *s,
                             xs_table *t)
{
    static const char *const cols[] = {"experiment",  "kind",    "metric",    "holdout_n",
                                       "treatment_n", "holdout", "treatment", "lift",
                                       "lift_lo",     "lift_hi", "p_value"};
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = XS_OK;
    for (size_t i = 0; rc == XS_OK && i < sizeof cols / sizeof *cols; i++)
        rc = xs_table_column(t, cols[i], i < 3 ? XS_COL_TEXT : XS_COL_NUM);
    for (long i = 0; rc == XS_OK && i < n; i++) {
        xs_exp_report_result *r = NULL;
        if (xs_exp_report(s, &x[i], NULL, &r, &e) < 0) continue;
        const xs_exp_result *a = xs_exp_report_analysis(r);
        const xs_exp_row *ctl = NULL;
        for (size_t j = 0; rc == XS_OK && j < xs_exp_result_n_rows(a); j++) {
            const xs_exp_row *w = xs_exp_result_row(a, j);
            if (w->is_control) {
                ctl = w;
                continue;
            }
            if (!ctl || strcmp(ctl->metric, w->metric)) continue;
            rc |= xs_table_row(t);
            rc |= xs_table_cell(t, x[i].name);
            rc |= xs_table_cell(t, xs_offer_kind_key(x[i].kind));
            rc |= xs_table_cell(t, w->metric);
            rc |= xs_table_cellf(t, "%zu", ctl->n);
            rc |= xs_table_cellf(t, "%zu", w->n);
            double v[] = {ctl->mean, w->mean, w->lift, w->lift_lo, w->lift_hi, w->p};
            for (size_t k = 0; k < sizeof v / sizeof *v; k++)
                rc |= xs_table_cellf(t, "%.4g", v[k]);
        }
        xs_exp_report_free(r);
    }
    return rc ? XS_ENOMEM : XS_OK;
}

/* A table of totals: what, value. */
static int totals_table(const xs_snapshot *s, xs_table *t)
{
    char mrr[48], rev[48];
    size_t n_active;
    int scale = xs_snapshot_money_scale(s);
    xs__money_format(xs_snapshot_mrr(s, &n_active), scale, mrr, sizeof mrr);
    xs__money_format(xs_snapshot_order_revenue(s), scale, rev, sizeof rev);
    const char *rows[][2] = {
        {"currency", xs_snapshot_currency(s)},
        {"mrr", mrr},
        {"order_revenue", rev},
    };
    int rc;
    if ((rc = xs_table_column(t, "what", XS_COL_TEXT)) < 0 ||
        (rc = xs_table_column(t, "value", XS_COL_TEXT)) < 0)
        return rc;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
        if ((rc = xs_table_row(t)) < 0 || (rc = xs_table_cell(t, rows[k][0])) < 0 ||
            (rc = xs_table_cell(t, rows[k][1])) < 0)
            return rc;
    if ((rc = xs_table_row(t)) < 0 ||
        (rc = xs_table_cell(t, "active_subscriptions")) < 0 ||
        (rc = xs_table_cellf(t, "%zu", n_active)) < 0)
        return rc;
    return XS_OK;
}

/* The offered offers of the first customer whose top offer is an upsell,
 * of the first whose is a cross-sell and of the first whose is a downsell
 * (snapshot order; a kind no customer gets is left out). */
static int offers_table(const xs_offer_engine *en, xs_table *t)
{
    int rc = xs_offer_table_columns(t);
    int found[XS_OFFER_N_KINDS] = {0}, n_found = 0;
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    size_t nc = xs_offer_engine_n_customers(en);
    for (size_t c = 0; rc == XS_OK && c < nc && n_found < XS_OFFER_N_KINDS; c++) {
        int n = xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
        if (n <= 0 || o[0].rank != 1 || found[o[0].kind]) continue;
        found[o[0].kind] = 1;
        n_found++;
        size_t k = 0;
        while (k < (size_t)n && o[k].rank > 0)
            k++;
        rc = xs_offer_table(en, o, k, "en", 0, t);
    }
    return rc;
}

/* Contract in cli.h. */
int xs_cli_demo_summary(const xs_experiment *exp, long n_exp, const xs_snapshot *s,
                        const xs_offer_engine *en, xs_format fmt, FILE *out)
{
    static const struct {
        const char *key, *title;
        int report; /* an xs_snapshot_report_kind, or -1 totals, -2 offers,
                       -3 targets, -4 experiments */
        size_t limit;
    } sections[] = {
        {"counts", "Rows", XS_SNAP_REPORT_COUNTS, 0},
        {"segments", "Customers per segment", XS_SNAP_REPORT_SEGMENTS, 0},
        {"plans", "Plans held: active subscriptions and MRR by family and tier",
         XS_SNAP_REPORT_PLANS, 0},
        {"top_products", "Top products by order revenue", XS_SNAP_REPORT_TOP_PRODUCTS,
         TOP_PRODUCTS},
        {"totals", "Totals", -1, 0},
        {"offers", "Next best offers (an upsell, a cross-sell and a downsell customer)",
         -2, 0},
        {"targets", "Target list: top 10 accounts by expected value", -3, 10},
        {"experiments",
         "Holdout experiments: each arm against the holdout (95% CI; arr_change in "
         "currency units, expanded and retained as shares of customers)",
         -4, 0},
    };
    const size_t n = sizeof sections / sizeof sections[0];
    if (fmt == XS_FORMAT_JSON) fputs("{", out);
    for (size_t k = 0; k < n; k++) {
        xs_table *t = xs_table_new();
        if (!t) return XS_ENOMEM;
        int rc = sections[k].report == -1   ? totals_table(s, t)
                 : sections[k].report == -2 ? offers_table(en, t)
                 : sections[k].report == -3
                     ? xs_offer_targets(en, 1, sections[k].limit, t, NULL)
                 : sections[k].report == -4
                     ? experiments_table(exp, n_exp, s, t)
                     : xs_snapshot_report(s, (xs_snapshot_report_kind)sections[k].report,
                                          sections[k].limit, t);
        if (rc == XS_OK) {
            if (fmt == XS_FORMAT_JSON)
                fprintf(out, "%s\"%s\": ", k ? ",\n" : "\n", sections[k].key);
            else if (fmt == XS_FORMAT_CSV)
                fprintf(out, "%s# %s\n", k ? "\n" : "", sections[k].key);
            else
                fprintf(out, "%s%s\n\n", k ? "\n" : "", sections[k].title);
            rc = xs_table_write(t, out, fmt);
        }
        xs_table_free(t);
        if (rc < 0) return rc;
    }
    if (fmt == XS_FORMAT_JSON) fputs("}\n", out);
    return ferror(out) ? XS_EIO : XS_OK;
}
