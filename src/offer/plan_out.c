/*
 * plan_out.c — the tables of a global plan (plan.c): its totals, one row
 * per capacity constraint with its use and shadow price, and the
 * assignment per customer. The CLI writes these tables; xs_plan_save()
 * hands them as JSON text to the store (src/store/plans.c) for the server.
 */
#include "offer/plan_int.h"
#include "offer/offer_int.h"
#include "base/alloc.h"
#include "base/date.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int columns(xs_table *t, const char *const *names, const xs_coltype *types,
                   size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (xs_table_column(t, names[i], types[i]) < 0) return XS_ENOMEM;
    return XS_OK;
}

/* One column of the totals row. */
static int col(xs_table *t, const char *name, xs_coltype type)
{
    return xs_table_column(t, name, type) < 0 ? XS_ENOMEM : XS_OK;
}

static int num(xs_table *t, const char *fmt, double v)
{
    return isnan(v) ? xs_table_cell(t, NULL) : xs_table_cellf(t, fmt, v);
}

int xs_plan_totals_table(const xs_plan *pl, xs_table *t)
{
    static const char *const names[] = {"customers",
                                        "planned_customers",
                                        "reached",
                                        "candidates",
                                        "assigned",
                                        "value",
                                        "greedy_assigned",
                                        "greedy_value",
                                        "gain",
                                        "gain_pct",
                                        "bound",
                                        "gap_pct",
                                        "optimal",
                                        "solver",
                                        "iterations",
                                        "days",
                                        "seconds_candidates",
                                        "seconds_greedy",
                                        "seconds_plan"};
    const xs_plan_totals *s = &pl->totals;
    int rc = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        rc |= col(t, names[i], strcmp(names[i], "solver") ? XS_COL_NUM : XS_COL_TEXT);
    if (rc) return XS_ENOMEM;
    double gain = s->value - s->greedy_value;
    double gap =
        isnan(s->bound) || s->bound <= 0 ? NAN : 100 * (s->bound - s->value) / s->bound;
    if (gap < 0) gap = 0; /* the bound equals the value up to rounding */
    rc |= xs_table_row(t);
    rc |= num(t, "%.0f", (double)s->n_customers);
    rc |= num(t, "%.0f", (double)s->n_planned_customers);
    rc |= num(t, "%.0f", (double)s->n_reached);
    rc |= num(t, "%.0f", (double)s->n_candidates);
    rc |= num(t, "%.0f", (double)s->n_assigned);
    rc |= num(t, "%.2f", s->value);
    rc |= num(t, "%.0f", (double)s->n_greedy);
    rc |= num(t, "%.2f", s->greedy_value);
    rc |= num(t, "%.2f", gain);
    rc |= num(t, "%.2f", s->greedy_value > 0 ? 100 * gain / s->greedy_value : NAN);
    rc |= num(t, "%.2f", s->bound);
    rc |= num(t, "%.4f", gap);
    rc |= num(t, "%.0f", (double)s->optimal);
    rc |= xs_table_cell(t, xs_plan_solver_name(s->solver));
    rc |= num(t, "%.0f", (double)s->iterations);
    rc |= num(t, "%.0f", (double)s->days);
    rc |= num(t, "%.3f", s->seconds_candidates);
    rc |= num(t, "%.3f", s->seconds_greedy);
    rc |= num(t, "%.3f", s->seconds_plan);
    return rc ? XS_ENOMEM : XS_OK;
}

static const char *owner_name(const xs_plan *pl, uint16_t ow)
{
    return ow == XS_SNAP_NONE16 ? "(none)" : xs__intern_str(&pl->en->s->dict.owners, ow);
}

int xs_plan_constraints_table(const xs_plan *pl, xs_table *t)
{
    static const char *const names[] = {"constraint", "owner",       "capacity",
                                        "used",       "greedy_used", "shadow_price"};
    static const xs_coltype types[] = {XS_COL_TEXT, XS_COL_TEXT, XS_COL_NUM,
                                       XS_COL_NUM,  XS_COL_NUM,  XS_COL_NUM};
    if (columns(t, names, types, 6) < 0) return XS_ENOMEM;
    for (size_t j = 0; j < pl->prob.n_cons; j++) {
        const xs__offer_plan_spec *e = &pl->spec[pl->cons[j].spec];
        int rc = xs_table_row(t);
        rc |= xs_table_cell(t, e->name);
        rc |= xs_table_cell(t, e->per_owner ? owner_name(pl, pl->cons[j].owner) : NULL);
        rc |= xs_table_cellf(t, "%.0f", pl->prob.cap[j]);
        rc |= xs_table_cellf(t, "%.0f", pl->use[j]);
        rc |= xs_table_cellf(t, "%.0f", pl->use_greedy[j]);
        rc |= xs_table_cellf(t, "%.2f", pl->sol.price[j]);
        if (rc) return XS_ENOMEM;
    }
    return XS_OK;
}

/* Appends the assigned items [lo, hi) as rows of the assignment table. */
static int assignment_rows(const xs_plan *pl, size_t lo, size_t hi, xs_table *t)
{
    const struct xs_snapshot *s = pl->en->s;
    char prod[512], day[11];
    for (size_t i = lo; i < hi; i++) {
        if (!pl->sol.x[i]) continue;
        const xs__offer_plan_cand *cd = &pl->cand[i];
        xs_offer o;
        memset(&o, 0, sizeof o);
        o.customer = cd->customer;
        o.kind = (xs_offer_kind)cd->kind;
        o.trigger = (xs_offer_trigger)cd->trigger;
        o.from_product = cd->from;
        o.to_product = cd->to;
        o.also[0] = cd->also[0];
        o.also[1] = cd->also[1];
        o.qty_from = cd->qty_from;
        o.qty_to = cd->qty_to;
        o.term_from = cd->term_from;
        o.term_to = cd->term_to;
        if (cd->timing > pl->en->as_of)
            xs__date_format(cd->timing, day);
        else
            strcpy(day, "now");
        int rc = xs_table_row(t);
        rc |= xs_table_cell(t, xs__intern_str(&s->cust.ids, cd->customer));
        rc |= xs_table_cell(t, xs__offer_product_text(pl->en, &o, prod, sizeof prod));
        rc |= xs_table_cell(t, xs_offer_kind_name(o.kind));
        rc |= xs_table_cell(t, xs_offer_channel_name(cd->channel));
        rc |= xs_table_cell(t, s->cust.owner[cd->customer] == XS_SNAP_NONE16
                                   ? NULL
                                   : owner_name(pl, s->cust.owner[cd->customer]));
        rc |= xs_table_cell(t, day);
        rc |= xs_table_cellf(t, "%.2f", pl->prob.item[i].ev);
        rc |= xs_table_cellf(t, "%d", cd->rank);
        rc |= xs_table_cellf(t, "%d", pl->greedy.x[i] ? 1 : 0);
        if (rc) return XS_ENOMEM;
    }
    return XS_OK;
}

static int assignment_columns(xs_table *t)
{
    static const char *const names[] = {"customer_id",    "product",     "kind",
                                        "channel",        "owner",       "timing",
                                        "expected_value", "engine_rank", "greedy"};
    static const xs_coltype types[] = {XS_COL_TEXT, XS_COL_TEXT, XS_COL_TEXT,
                                       XS_COL_TEXT, XS_COL_TEXT, XS_COL_TEXT,
                                       XS_COL_NUM,  XS_COL_NUM,  XS_COL_NUM};
    return columns(t, names, types, 9);
}

int xs_plan_assignment_table(const xs_plan *pl, const char *customer_id, xs_table *t)
{
    size_t lo = 0, hi = pl->prob.n_items;
    if (customer_id) {
        long c = xs_offer_engine_find(pl->en, customer_id);
        if (c < 0) return XS_ENOTFOUND;
        /* problem customers are in snapshot order: find its range */
        size_t a = 0, b = pl->prob.n_cust;
        while (a < b) {
            size_t m = (a + b) / 2;
            if (pl->cust[m] < (uint32_t)c)
                a = m + 1;
            else
                b = m;
        }
        lo = hi = 0;
        if (a < pl->prob.n_cust && pl->cust[a] == (uint32_t)c) {
            lo = pl->prob.off[a];
            hi = pl->prob.off[a + 1];
        }
    }
    if (assignment_columns(t) < 0) return XS_ENOMEM;
    return assignment_rows(pl, lo, hi, t);
}

/* A table as JSON text (caller frees with free()); NULL out of memory. */
static char *table_text(const xs_table *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    int rc = xs_table_write(t, f, XS_FORMAT_JSON);
    if (fclose(f) != 0 || rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int xs_plan_save(xs_store *st, const xs_plan *pl, const char *capacity, xs_error *err)
{
    xs_table *tot = xs_table_new(), *cons = xs_table_new();
    char *t_tot = NULL, *t_cons = NULL, *summary = NULL, as_of[11], built_at[21];
    xs_plan_stored_row *rows =
        xs__calloc(pl->prob.n_cust ? pl->prob.n_cust : 1, sizeof *rows);
    size_t n = 0;
    int rc = XS_ENOMEM;
    if (!tot || !cons || !rows || xs_plan_totals_table(pl, tot) < 0 ||
        xs_plan_constraints_table(pl, cons) < 0 || !(t_tot = table_text(tot)) ||
        !(t_cons = table_text(cons)))
        goto cleanup;
    size_t sl = strlen(t_tot) + strlen(t_cons) + 64;
    if (!(summary = xs__malloc(sl))) goto cleanup;
    snprintf(summary, sl, "{\"totals\": %s, \"constraints\": %s}", t_tot, t_cons);
    for (size_t c = 0; c < pl->prob.n_cust; c++) {
        int any = 0;
        for (uint32_t i = pl->prob.off[c]; i < pl->prob.off[c + 1]; i++)
            any |= pl->sol.x[i];
        if (!any) continue;
        xs_table *t = xs_table_new();
        int bad = !t || assignment_columns(t) < 0 ||
                  assignment_rows(pl, pl->prob.off[c], pl->prob.off[c + 1], t) < 0;
        char *text = bad ? NULL : table_text(t);
        xs_table_free(t);
        if (!text) goto cleanup;
        rows[n].customer_id = xs__intern_str(&pl->en->s->cust.ids, pl->cust[c]);
        rows[n++].assignment = text;
    }
    xs__utc_now(built_at);
    xs_offer_engine_as_of(pl->en, as_of);
    rc = xs_store_plan_put(st, built_at, as_of, capacity, summary, rows, n, err);
cleanup:
    for (size_t i = 0; i < n; i++)
        free((char *)rows[i].assignment);
    xs__free(rows);
    xs__free(summary);
    free(t_tot);
    free(t_cons);
    xs_table_free(tot);
    xs_table_free(cons);
    return rc;
}
