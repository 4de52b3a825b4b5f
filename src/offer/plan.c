/*
 * plan.c — the global plan under capacity (`xsell plan`, docs/plan.md):
 * reads a capacity spec, gathers the candidates the offer engine would
 * consider for every customer, builds the integer program of plan_int.h,
 * solves it (plan_solve.c, plan_lp.c) next to today's greedy ranking under
 * the same constraints, and keeps both for the output tables (plan_out.c).
 *
 * Candidates: per customer, every offer the guardrails let through
 * (xs_offer_decide: guard none, and guard limit — the ones only ranked
 * below the per-customer limit or behind a better offer of the same
 * family), with ev > 0, due within the period (timing before as_of +
 * days). Per customer at most as many as the engine offers (its limit
 * after the contact rules) and one per product family. A plan never sends
 * what any other guardrail holds back.
 */
#include "offer/plan_int.h"
#include "offer/offer_int.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/progress.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void xs_plan_opts_init(xs_plan_opts *o)
{
    memset(o, 0, sizeof *o);
    o->source = "capacity";
    o->days = 7;
    o->solver = XS_PLAN_AUTO;
    o->max_iter = 2000;
    o->exact_max = 2000;
    o->time_limit_ms = 60000;
    o->n_threads = 2;
}

const char *xs_plan_solver_name(xs_plan_solver s)
{
    static const char *const n[] = {"auto", "lagrange", "lp", "mip"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "";
}

int xs_plan_solver_parse(const char *s, xs_plan_solver *out)
{
    for (int i = 0; i <= XS_PLAN_MIP; i++)
        if (strcmp(s, xs_plan_solver_name((xs_plan_solver)i)) == 0) {
            *out = (xs_plan_solver)i;
            return XS_OK;
        }
    return XS_EINVAL;
}

/* ---- capacity spec ------------------------------------------------------ */

/* Trims spaces of [*b, *e). */
static void trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b))
        (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

static int bad(xs_error *err, const char *source, long n, const char *what, const char *v,
               size_t len)
{
    char q[200];
    xs__error_quote(q, sizeof q, v, len);
    return xs__error_set(err, XS_EINVAL, source, n, NULL, "%s %s", what, q);
}

/* Parses one entry "NAME=N", "NAME=N/owner" or "product:ID=N" of [b, e). */
static int parse_entry(const struct xs_snapshot *s, const char *b, const char *e,
                       const char *source, long n, xs__offer_plan_spec *out,
                       xs_error *err)
{
    const char *eq = memchr(b, '=', (size_t)(e - b));
    if (!eq) return bad(err, source, n, "expected NAME=N:", b, (size_t)(e - b));
    const char *nb = b, *ne = eq, *vb = eq + 1, *ve = e;
    trim(&nb, &ne);
    trim(&vb, &ve);
    memset(out, 0, sizeof *out);
    out->channel = -1;
    out->product = -1;
    if ((size_t)(ne - nb) > 8 && memcmp(nb, "product:", 8) == 0) {
        size_t len = (size_t)(ne - nb) - 8;
        uint32_t p = xs__intern_find(&s->prod.ids, nb + 8, len);
        if (p == XS_INTERN_NONE)
            return bad(err, source, n, "unknown product", nb + 8, len);
        out->product = (int32_t)p;
    } else {
        for (int ch = 0; ch < XS_SNAP_N_CHANNELS; ch++) {
            const char *name = xs_offer_channel_name(ch);
            if (strlen(name) == (size_t)(ne - nb) &&
                memcmp(name, nb, (size_t)(ne - nb)) == 0)
                out->channel = ch;
        }
        if (out->channel < 0) {
            if (ne == nb)
                return bad(err, source, n, "expected NAME=N:", b, (size_t)(e - b));
            return bad(err, source, n, "unknown channel", nb, (size_t)(ne - nb));
        }
    }
    const char *slash = memchr(vb, '/', (size_t)(ve - vb));
    const char *ce = slash ? slash : ve;
    while (ce > vb && isspace((unsigned char)ce[-1]))
        ce--;
    double cap = 0;
    int digits = 0;
    for (const char *q = vb; q < ce; q++) {
        if (!isdigit((unsigned char)*q) || cap > 1e9) {
            digits = 0;
            break;
        }
        cap = cap * 10 + (*q - '0');
        digits++;
    }
    if (!digits || cap > 1e9)
        return bad(err, source, n, "capacity not a whole number 0..1000000000:", vb,
                   (size_t)(ce - vb));
    out->cap = cap;
    if (slash) {
        const char *pb = slash + 1, *pe = ve;
        trim(&pb, &pe);
        if ((size_t)(pe - pb) != 5 || memcmp(pb, "owner", 5) != 0)
            return bad(err, source, n, "a limit is N (in all) or N/owner (per owner), not per", pb,
                       (size_t)(pe - pb));
        if (out->product >= 0)
            return bad(err, source, n, "a product limit is not per owner:", b,
                       (size_t)(e - b));
        out->per_owner = 1;
    }
    size_t nl = (size_t)(ne - nb) < sizeof out->name - 1 ? (size_t)(ne - nb)
                                                         : sizeof out->name - 1;
    memcpy(out->name, nb, nl);
    out->name[nl] = 0;
    if (out->per_owner) strcat(out->name, "/owner");
    return XS_OK;
}

int xs__offer_plan_spec_parse(const struct xs_snapshot *s, const char *spec,
                              const char *source, xs__offer_plan_spec **out,
                              size_t *n_out, xs_error *err)
{
    xs__offer_plan_spec *v = NULL;
    size_t n = 0, cap = 0;
    long entry = 0;
    const char *p = spec ? spec : "";
    int rc = XS_OK;
    if (!source) source = "capacity";
    while (1) {
        const char *b = p;
        while (*p && *p != ',' && *p != '\n' && *p != '#')
            p++;
        const char *e = p;
        if (*p == '#')
            while (*p && *p != '\n')
                p++;
        entry++;
        trim(&b, &e);
        if (b < e) {
            if (xs__grow(&v, &cap, n + 1, sizeof *v) < 0) {
                rc = XS_ENOMEM;
                goto fail;
            }
            if ((rc = parse_entry(s, b, e, source, entry, &v[n], err)) < 0) goto fail;
            for (size_t k = 0; k < n; k++)
                if (strcmp(v[k].name, v[n].name) == 0) {
                    rc = bad(err, source, entry, "duplicate constraint", v[n].name,
                             strlen(v[n].name));
                    goto fail;
                }
            v[n].entry = entry;
            n++;
        }
        if (!*p) break;
        p++;
    }
    if (n == 0) {
        rc = xs__error_set(err, XS_EINVAL, source, 0, NULL,
                           "no constraint: expected e.g. \"csm=8/owner, email=5000\"");
        goto fail;
    }
    *out = v;
    *n_out = n;
    return XS_OK;
fail:
    xs__free(v);
    return rc;
}

int xs_plan_capacity_check(const xs_snapshot *s, const char *spec, const char *source,
                           xs_error *err)
{
    xs__offer_plan_spec *v = NULL;
    size_t n = 0;
    int rc = xs__offer_plan_spec_parse(s, spec, source, &v, &n, err);
    xs__free(v);
    return rc;
}

/* ---- building the problem ----------------------------------------------- */

void xs_plan_free(xs_plan *pl)
{
    if (!pl) return;
    xs__free(pl->prob.off);
    xs__free(pl->prob.k);
    xs__free(pl->prob.item);
    xs__free(pl->prob.cap);
    xs__free(pl->cand);
    xs__free(pl->cons);
    xs__free(pl->spec);
    xs__free(pl->cust);
    xs__free(pl->use);
    xs__free(pl->use_greedy);
    xs__offer_plan_solution_free(&pl->sol);
    xs__offer_plan_solution_free(&pl->greedy);
    xs__free(pl);
}

/* Index of the constraint of spec entry sp for owner code ow (per owner),
 * or of the entry itself; -1 none. */
static int32_t cons_of(const xs_plan *pl, size_t sp, uint16_t ow)
{
    if (!pl->spec[sp].per_owner) return (int32_t)pl->spec[sp].first;
    size_t o = ow == XS_SNAP_NONE16 ? pl->n_owners : ow;
    return (int32_t)(pl->spec[sp].first + o);
}

/* Lays out the constraints: the entries in spec order; a per-owner entry
 * has one per owner code (then one for customers without an owner). */
static int make_constraints(xs_plan *pl)
{
    const struct xs_snapshot *s = pl->en->s;
    pl->n_owners = s->dict.owners.n;
    size_t n = 0;
    for (size_t k = 0; k < pl->n_spec; k++) {
        pl->spec[k].first = n;
        n += pl->spec[k].per_owner ? pl->n_owners + 1 : 1;
    }
    pl->prob.n_cons = n;
    pl->prob.cap = xs__calloc(n ? n : 1, sizeof *pl->prob.cap);
    pl->cons = xs__calloc(n ? n : 1, sizeof *pl->cons);
    if (!pl->prob.cap || !pl->cons) return XS_ENOMEM;
    for (size_t k = 0; k < pl->n_spec; k++)
        for (size_t o = 0; o < (pl->spec[k].per_owner ? pl->n_owners + 1 : 1); o++) {
            size_t j = pl->spec[k].first + o;
            pl->prob.cap[j] = pl->spec[k].cap;
            pl->cons[j].spec = (uint32_t)k;
            pl->cons[j].owner =
                pl->spec[k].per_owner && o < pl->n_owners ? (uint16_t)o : XS_SNAP_NONE16;
        }
    return XS_OK;
}

/* One thread's share of the candidates: customers [lo, hi) of the
 * snapshot, in order. Items' cust is the index within the part until
 * merge() offsets it. */
typedef struct part {
    const xs_plan *pl;
    size_t lo, hi;
    xs__offer_plan_item *item;
    xs__offer_plan_cand *cand;
    size_t n_items, cap_item, cap_cand;
    uint32_t *cust, *k, *cnt; /* per planned customer: snapshot index, limit, items */
    size_t n_cust;
    int rc;
} part;

/* Appends customer c's candidates to the part. */
static int add_customer(part *pt, uint32_t c, const xs_offer *o, int n)
{
    const xs_plan *pl = pt->pl;
    const struct xs_snapshot *s = pl->en->s;
    int32_t until = pl->en->as_of + pl->days;
    uint32_t k = 0;
    size_t first = pt->n_items;
    for (int i = 0; i < n; i++) {
        const xs_offer *x = &o[i];
        if (x->guard == XS_GUARD_NONE) k++;
        if (x->guard != XS_GUARD_NONE && x->guard != XS_GUARD_LIMIT) continue;
        if (!(x->ev > 0) || x->channel < 0 || x->timing >= until) continue;
        if (xs__grow(&pt->item, &pt->cap_item, pt->n_items + 1, sizeof *pt->item) < 0 ||
            xs__grow(&pt->cand, &pt->cap_cand, pt->n_items + 1, sizeof *pt->cand) < 0)
            return XS_ENOMEM;
        xs__offer_plan_item *it = &pt->item[pt->n_items];
        xs__offer_plan_cand *cd = &pt->cand[pt->n_items];
        int32_t prod = x->to_product >= 0 ? x->to_product : x->from_product;
        uint16_t fam = prod >= 0 ? s->prod.family[prod] : XS_SNAP_NONE16;
        it->ev = x->ev;
        it->cust = (uint32_t)pt->n_cust;
        it->group = fam != XS_SNAP_NONE16 ? fam : 0x10000u + (uint32_t)prod;
        int nu = 0;
        for (int u = 0; u < XS__PLAN_MAX_USE; u++)
            it->use[u] = -1;
        for (size_t sp = 0; sp < pl->n_spec && nu < XS__PLAN_MAX_USE; sp++) {
            const xs__offer_plan_spec *e = &pl->spec[sp];
            if ((e->channel >= 0 && e->channel == x->channel) ||
                (e->product >= 0 && e->product == x->to_product))
                it->use[nu++] = cons_of(pl, sp, s->cust.owner[c]);
        }
        cd->customer = c;
        cd->kind = (uint8_t)x->kind;
        cd->channel = (uint8_t)x->channel;
        cd->from = x->from_product;
        cd->to = x->to_product;
        cd->also[0] = x->also[0];
        cd->also[1] = x->also[1];
        cd->qty_from = x->qty_from;
        cd->qty_to = x->qty_to;
        cd->term_from = x->term_from;
        cd->term_to = x->term_to;
        cd->trigger = (uint8_t)x->trigger;
        cd->rank = x->rank;
        cd->timing = x->timing;
        pt->n_items++;
    }
    if (pt->n_items == first) return XS_OK; /* nothing to plan */
    pt->cust[pt->n_cust] = c;
    pt->k[pt->n_cust] = k;
    pt->cnt[pt->n_cust++] = (uint32_t)(pt->n_items - first);
    return XS_OK;
}

static void *run_part(void *arg)
{
    part *pt = arg;
    size_t n = pt->hi - pt->lo;
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    pt->cust = xs__malloc((n ? n : 1) * sizeof *pt->cust);
    pt->k = xs__malloc((n ? n : 1) * sizeof *pt->k);
    pt->cnt = xs__malloc((n ? n : 1) * sizeof *pt->cnt);
    pt->rc = pt->cust && pt->k && pt->cnt ? XS_OK : XS_ENOMEM;
    for (size_t c = pt->lo; pt->rc == XS_OK && c < pt->hi; c++) {
        int m = xs_offer_decide(pt->pl->en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
        if (m > 0) pt->rc = add_customer(pt, (uint32_t)c, o, m);
    }
    return NULL;
}

static void free_part(part *pt)
{
    xs__free(pt->item);
    xs__free(pt->cand);
    xs__free(pt->cust);
    xs__free(pt->k);
    xs__free(pt->cnt);
}

/* Decides every customer on n_threads threads (contiguous blocks) and lays
 * the candidates out in customer order. */
static int gather(xs_plan *pl, int n_threads)
{
    size_t n = xs_offer_engine_n_customers(pl->en);
    if (n_threads < 1) n_threads = 1;
    if (n_threads > 16) n_threads = 16;
    if (n < 1000) n_threads = 1;
    part parts[16];
    pthread_t th[16];
    int started[16] = {0};
    memset(parts, 0, sizeof parts);
    for (int t = 0; t < n_threads; t++) {
        parts[t].pl = pl;
        parts[t].lo = n * (size_t)t / (size_t)n_threads;
        parts[t].hi = n * (size_t)(t + 1) / (size_t)n_threads;
    }
    for (int t = 1; t < n_threads; t++)
        started[t] = pthread_create(&th[t], NULL, run_part, &parts[t]) == 0;
    run_part(&parts[0]);
    for (int t = 1; t < n_threads; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            run_part(&parts[t]); /* no thread: on this one */
    }
    int rc = XS_OK;
    size_t ni = 0, nc = 0;
    for (int t = 0; t < n_threads; t++) {
        if (parts[t].rc < 0) rc = parts[t].rc;
        ni += parts[t].n_items;
        nc += parts[t].n_cust;
    }
    if (rc == XS_OK) {
        pl->prob.off = xs__calloc(nc + 1, sizeof *pl->prob.off);
        pl->prob.k = xs__malloc((nc ? nc : 1) * sizeof *pl->prob.k);
        pl->cust = xs__malloc((nc ? nc : 1) * sizeof *pl->cust);
        pl->prob.item = xs__malloc((ni ? ni : 1) * sizeof *pl->prob.item);
        pl->cand = xs__malloc((ni ? ni : 1) * sizeof *pl->cand);
        if (!pl->prob.off || !pl->prob.k || !pl->cust || !pl->prob.item || !pl->cand)
            rc = XS_ENOMEM;
    }
    for (int t = 0; t < n_threads && rc == XS_OK; t++) {
        const part *pt = &parts[t];
        size_t c0 = pl->prob.n_cust, i0 = pl->prob.n_items;
        memcpy(pl->prob.item + i0, pt->item, pt->n_items * sizeof *pt->item);
        memcpy(pl->cand + i0, pt->cand, pt->n_items * sizeof *pt->cand);
        for (size_t i = 0; i < pt->n_items; i++)
            pl->prob.item[i0 + i].cust += (uint32_t)c0;
        for (size_t c = 0; c < pt->n_cust; c++) {
            pl->cust[c0 + c] = pt->cust[c];
            pl->prob.k[c0 + c] = pt->k[c];
            pl->prob.off[c0 + c + 1] = pl->prob.off[c0 + c] + pt->cnt[c];
        }
        pl->prob.n_cust += pt->n_cust;
        pl->prob.n_items += pt->n_items;
    }
    for (int t = 0; t < n_threads; t++)
        free_part(&parts[t]);
    pl->n_all_customers = n;
    return rc;
}

/* Uses of every constraint by an assignment x. */
static void count_use(const xs_plan *pl, const uint8_t *x, double *use)
{
    memset(use, 0, pl->prob.n_cons * sizeof *use);
    for (size_t i = 0; i < pl->prob.n_items; i++)
        if (x[i])
            for (int u = 0; u < XS__PLAN_MAX_USE; u++)
                if (pl->prob.item[i].use[u] >= 0) use[pl->prob.item[i].use[u]] += 1;
}

static int plan_compute(const xs_offer_engine *en, const xs_plan_opts *o, xs_plan **out,
                        xs_error *err)
{
    xs_plan_opts def;
    if (!o) {
        xs_plan_opts_init(&def);
        o = &def;
    }
    *out = NULL;
    if (o->days < 1 || o->days > 366)
        return xs__error_param(err, XS_EINVAL, NULL, "days",
                               "not a number of days 1..366: %d", o->days);
    xs_plan *pl = xs__calloc(1, sizeof *pl);
    if (!pl) return XS_ENOMEM;
    pl->en = en;
    pl->days = o->days;
    int rc = xs__offer_plan_spec_parse(en->s, o->capacity, o->source, &pl->spec,
                                       &pl->n_spec, err);
    if (rc < 0) goto fail;
    rc = XS_ENOMEM;
    if (make_constraints(pl) < 0) goto fail;
    double t0 = xs__now();
    if (gather(pl, o->n_threads) < 0) goto fail;
    double t1 = xs__now();
    if (xs__offer_plan_greedy(&pl->prob, &pl->greedy) < 0) goto fail;
    double t2 = xs__now();
    xs_plan_solver sv = o->solver;
    if (sv == XS_PLAN_AUTO)
        sv = pl->prob.n_items <= (size_t)o->exact_max ? XS_PLAN_MIP : XS_PLAN_LAGRANGE;
    if (sv == XS_PLAN_LAGRANGE)
        rc = xs__offer_plan_lagrange(&pl->prob, o->max_iter, &pl->sol);
    else
        rc = xs__offer_plan_glpk(&pl->prob, sv == XS_PLAN_MIP, o->time_limit_ms, &pl->sol,
                                 err);
    if (rc < 0) goto fail;
    /* never worse than the baseline: both are feasible, keep the better */
    if (pl->greedy.value > pl->sol.value) {
        memcpy(pl->sol.x, pl->greedy.x, pl->prob.n_items);
        pl->sol.value = pl->greedy.value;
    }
    double t3 = xs__now();
    rc = XS_ENOMEM;
    pl->use = xs__calloc(pl->prob.n_cons ? pl->prob.n_cons : 1, sizeof *pl->use);
    pl->use_greedy = xs__calloc(pl->prob.n_cons ? pl->prob.n_cons : 1, sizeof *pl->use);
    if (!pl->use || !pl->use_greedy) goto fail;
    count_use(pl, pl->sol.x, pl->use);
    count_use(pl, pl->greedy.x, pl->use_greedy);
    xs_plan_totals *t = &pl->totals;
    t->n_customers = pl->n_all_customers;
    t->n_planned_customers = pl->prob.n_cust;
    t->n_candidates = pl->prob.n_items;
    for (size_t c = 0; c < pl->prob.n_cust; c++) {
        int any = 0;
        for (uint32_t i = pl->prob.off[c]; i < pl->prob.off[c + 1]; i++) {
            t->n_assigned += pl->sol.x[i];
            t->n_greedy += pl->greedy.x[i];
            any |= pl->sol.x[i];
        }
        t->n_reached += (size_t)any;
    }
    t->value = pl->sol.value;
    t->greedy_value = pl->greedy.value;
    t->bound = pl->sol.bound;
    t->optimal = pl->sol.optimal;
    t->iterations = pl->sol.iterations;
    t->solver = sv;
    t->days = pl->days;
    t->seconds_candidates = t1 - t0;
    t->seconds_greedy = t2 - t1;
    t->seconds_plan = t3 - t2;
    *out = pl;
    return XS_OK;
fail:
    xs_plan_free(pl);
    return rc;
}

/* Contract in xsell.h. Candidates, the greedy baseline and the solver: the
 * bar shows the time they take. */
int xs_plan_compute(const xs_offer_engine *en, const xs_plan_opts *o, xs_plan **out,
                    xs_error *err)
{
    xs__ticker tk;
    xs__ticker_start(&tk, "planning", 0);
    int rc = plan_compute(en, o, out, err);
    xs__ticker_finish(&tk);
    return rc;
}

const xs_plan_totals *xs_plan_totals_of(const xs_plan *pl)
{
    return &pl->totals;
}
