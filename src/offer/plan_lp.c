/*
 * plan_lp.c — the global plan by GLPK (Debian's libglpk): the LP relaxation
 * by the simplex, and branch and bound for the exact optimum.
 *
 * Rows: one per customer with more items than its limit (sum <= k), one
 * per customer family with more than one item (sum <= 1), one per capacity
 * constraint (sum <= cap). Columns: the items, 0 <= x <= 1, objective ev.
 * The LP's row duals of the capacity rows are the shadow prices. The LP
 * optimum is the same bound the Lagrangian dual reaches (plan_solve.c), but
 * the simplex gets there exactly; the plan is then rounded by the same
 * repair (items by LP value, then ev). With mip, glp_intopt searches the
 * integer optimum from there, which the unit tests compare with a brute
 * force; docs/plan.md has what each costs at 100,000 customers.
 */
#include "offer/plan_int.h"
#include "base/alloc.h"
#include "base/error.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double key, ev;
    uint32_t idx;
} lp_key;

static int by_lp(const void *a, const void *b)
{
    const lp_key *x = a, *y = b;
    if (x->key != y->key) return x->key > y->key ? -1 : 1;
    if (x->ev != y->ev) return x->ev > y->ev ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Appends (row, col, 1) to the triplets. */
#define NZ(r, c)                                                                         \
    do {                                                                                 \
        ia[nz] = (r);                                                                    \
        ja[nz] = (c);                                                                    \
        ar[nz] = 1.0;                                                                    \
        nz++;                                                                            \
    } while (0)

/* Loads problem p into lp (maximise the expected value; binary columns
 * when mip): per customer a row of at most k[c] items and one of at most
 * one item per family, then one row per capacity constraint (its row
 * number into cons_row). ia, ja, ar: room for the triplets. */
static void load_problem(glp_prob *lp, const xs__offer_plan_problem *p, int mip, int *ia,
                         int *ja, double *ar, int *cons_row)
{
    size_t ni = p->n_items;
    glp_set_obj_dir(lp, GLP_MAX);
    if (ni) glp_add_cols(lp, (int)ni);
    for (size_t i = 0; i < ni; i++) {
        glp_set_col_bnds(lp, (int)i + 1, GLP_DB, 0.0, 1.0);
        glp_set_obj_coef(lp, (int)i + 1, p->item[i].ev);
        if (mip) glp_set_col_kind(lp, (int)i + 1, GLP_BV);
    }
    int nz = 1, row = 0;
    for (size_t c = 0; c < p->n_cust; c++) {
        uint32_t lo = p->off[c], hi = p->off[c + 1];
        if (hi - lo > p->k[c]) {
            row = glp_add_rows(lp, 1);
            glp_set_row_bnds(lp, row, GLP_UP, 0.0, (double)p->k[c]);
            for (uint32_t i = lo; i < hi; i++)
                NZ(row, (int)i + 1);
        }
        /* one row per family with more than one item, at its first item */
        for (uint32_t i = lo; i < hi; i++) {
            int first = 1, more = 0;
            for (uint32_t k = lo; k < hi; k++)
                if (p->item[k].group == p->item[i].group) {
                    if (k < i) first = 0;
                    if (k > i) more = 1;
                }
            if (!first || !more) continue;
            row = glp_add_rows(lp, 1);
            glp_set_row_bnds(lp, row, GLP_UP, 0.0, 1.0);
            for (uint32_t k = i; k < hi; k++)
                if (p->item[k].group == p->item[i].group) NZ(row, (int)k + 1);
        }
    }
    if (p->n_cons) {
        row = glp_add_rows(lp, (int)p->n_cons);
        for (size_t j = 0; j < p->n_cons; j++) {
            cons_row[j] = row + (int)j; /* glp_add_rows: the first new row */
            glp_set_row_bnds(lp, cons_row[j], GLP_UP, 0.0, p->cap[j]);
        }
        for (size_t i = 0; i < ni; i++)
            for (int u = 0; u < XS__PLAN_MAX_USE; u++)
                if (p->item[i].use[u] >= 0) NZ(cons_row[p->item[i].use[u]], (int)i + 1);
    }
    if (nz > 1) glp_load_matrix(lp, nz - 1, ia, ja, ar);
}

/* The integer program of the LP solved in lp: sets out->x, value and
 * optimal and returns 1, or 0 when there is no integer answer in time
 * (time_limit_ms; 0: none), to round the LP instead. */
static int solve_mip(glp_prob *lp, const xs__offer_plan_problem *p, int time_limit_ms,
                     xs__offer_plan_solution *out)
{
    size_t ni = p->n_items;
    glp_iocp io;
    glp_init_iocp(&io);
    io.msg_lev = GLP_MSG_OFF;
    io.tm_lim = time_limit_ms > 0 ? time_limit_ms : INT32_MAX;
    int g = glp_intopt(lp, &io);
    int st = glp_mip_status(lp);
    if ((g == 0 || g == GLP_ETMLIM) && (st == GLP_OPT || st == GLP_FEAS)) {
        for (size_t i = 0; i < ni; i++) {
            out->x[i] = glp_mip_col_val(lp, (int)i + 1) > 0.5;
            if (out->x[i]) out->value += p->item[i].ev;
        }
        out->optimal = st == GLP_OPT;
        out->iterations = 2;
        return 1;
    }
    return 0;
}

int xs__offer_plan_glpk(const xs__offer_plan_problem *p, int mip, int time_limit_ms,
                        xs__offer_plan_solution *out, xs_error *err)
{
    memset(out, 0, sizeof *out);
    out->bound = NAN;
    size_t ni = p->n_items, cap_nz = 1 + ni * (2 + XS__PLAN_MAX_USE);
    int *ia = xs__malloc(cap_nz * sizeof *ia), *ja = xs__malloc(cap_nz * sizeof *ja);
    double *ar = xs__malloc(cap_nz * sizeof *ar);
    int *cons_row = xs__malloc((p->n_cons ? p->n_cons : 1) * sizeof *cons_row);
    lp_key *ks = xs__malloc((ni ? ni : 1) * sizeof *ks);
    uint32_t *ord = xs__malloc((ni ? ni : 1) * sizeof *ord);
    out->x = xs__calloc(ni ? ni : 1, 1);
    out->price = xs__calloc(p->n_cons ? p->n_cons : 1, sizeof *out->price);
    glp_prob *lp = NULL;
    int rc = XS_ENOMEM;
    if (!ia || !ja || !ar || !cons_row || !ks || !ord || !out->x || !out->price)
        goto cleanup;
    glp_term_out(GLP_OFF);
    lp = glp_create_prob();
    load_problem(lp, p, mip, ia, ja, ar, cons_row);
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    sm.presolve = GLP_OFF; /* the duals of every row are wanted */
    int g = ni ? glp_simplex(lp, &sm) : 0;
    if (g != 0 || (ni && glp_get_status(lp) != GLP_OPT)) {
        rc = xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                           "GLPK simplex failed (code %d, status %d)", g,
                           ni ? glp_get_status(lp) : 0);
        goto cleanup;
    }
    out->bound = ni ? glp_get_obj_val(lp) : 0;
    for (size_t j = 0; j < p->n_cons; j++) {
        double d = glp_get_row_dual(lp, cons_row[j]);
        out->price[j] = d > 0 ? d : 0;
    }
    out->iterations = 1;
    if (mip && ni && solve_mip(lp, p, time_limit_ms, out)) {
        rc = XS_OK;
        goto cleanup;
    }
    /* no integer answer (in time): round the LP */
    for (size_t i = 0; i < ni; i++) {
        ks[i].key = glp_get_col_prim(lp, (int)i + 1);
        ks[i].ev = p->item[i].ev;
        ks[i].idx = (uint32_t)i;
    }
    qsort(ks, ni, sizeof *ks, by_lp);
    for (size_t i = 0; i < ni; i++)
        ord[i] = ks[i].idx;
    if (xs__offer_plan_repair(p, ord, out) < 0) goto cleanup;
    out->optimal = ni == 0 || out->bound - out->value <= 1e-9 * fabs(out->bound) + 1e-9;
    rc = XS_OK;
cleanup:
    if (lp) glp_delete_prob(lp);
    xs__free(ia);
    xs__free(ja);
    xs__free(ar);
    xs__free(cons_row);
    xs__free(ks);
    xs__free(ord);
    if (rc < 0) xs__offer_plan_solution_free(out);
    return rc;
}
