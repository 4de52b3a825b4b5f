/*
 * catalog.c — the catalog check: does the product catalogue give the offer
 * engine ladders it can climb, and can every product be offered at all?
 *
 * The engine reads the catalogue in a fixed way (src/offer/engine.c,
 * build_ladders, and src/offer/candidates.c): the plans of one family and
 * one billing ordered by tier are a ladder; an upsell goes to the next tier
 * number (tier + 1) of the same billing, a downsell to the tier below (a
 * paid one), a term change to the plan of the same tier with the other
 * billing; the family's first paid monthly plan is what a cross-sell to the
 * family proposes; the first add-on with a "seats" limit is the family's
 * seat pack; other add-ons are proposed as options only when they have no
 * limits. This file mirrors those choices (keep it in step with
 * build_ladders) and reports where the catalogue and that reading disagree
 * with what the user most likely meant:
 *
 *   tier_cheaper      a higher tier costs less than the tier below it
 *   tier_limit_lower  a higher tier has a lower limit of a metric both name
 *   tier_gap          tier numbers skip one, so no upsell crosses the gap
 *   tier_duplicate    two plans of a ladder share a tier: only the first
 *                     (lowest price, then id) is ever proposed
 *   addon_above_plan  an add-on costs more a month than the cheapest paid
 *                     plan of its family with the same billing
 *   unreachable       a paid plan or add-on that no trigger can propose and
 *                     that no order contains (order rules could propose a
 *                     product bought in orders); products of kind "product"
 *                     are offered through order rules and never reported,
 *                     and neither are free products (nothing to sell)
 *
 * Prices compare per month: a yearly price / 12; "once" is not a ladder.
 * The findings live in one arena freed with the report.
 */
#include "xsell.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/error.h"
#include "snapshot/snapshot.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xs_catalog_report {
    xs__arena arena;
    xs_catalog_finding *f;
    size_t n, cap;
    size_t n_products, n_families;
};

static const char *const code_names[XS_CATALOG_N_CODES] = {
    "tier_cheaper",   "tier_limit_lower", "tier_gap",
    "tier_duplicate", "addon_above_plan", "unreachable"};

const char *xs_catalog_code_name(xs_catalog_code c)
{
    return (unsigned)c < XS_CATALOG_N_CODES ? code_names[c] : NULL;
}

/* ---------------------------------------------------------------------- */
/* Collecting findings                                                    */
/* ---------------------------------------------------------------------- */

typedef struct checker {
    const struct xs_snapshot *s;
    xs_catalog_report *r;
    int oom;
} checker;

static const char *pid(const checker *k, uint32_t p)
{
    return xs__intern_str(&k->s->prod.ids, p);
}

static const char *fam_name(const checker *k, uint32_t p)
{
    return xs__snapshot_dict_str(&k->s->dict.families, k->s->prod.family[p]);
}

static void add(checker *k, xs_catalog_code code, uint32_t p, int64_t other,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Appends a finding about product p (other: the product compared, -1 none). */
static void add(checker *k, xs_catalog_code code, uint32_t p, int64_t other,
                const char *fmt, ...)
{
    if (k->oom) return;
    xs_catalog_report *r = k->r;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (xs__grow(&r->f, &r->cap, r->n + 1, sizeof *r->f) < 0) {
        k->oom = 1;
        return;
    }
    const char *fam = fam_name(k, p), *id = pid(k, p);
    const char *oth = other >= 0 ? pid(k, (uint32_t)other) : "";
    xs_catalog_finding *f = &r->f[r->n];
    f->code = code;
    f->code_name = code_names[code];
    f->family = xs__arena_strndup(&r->arena, fam, strlen(fam));
    f->product = xs__arena_strndup(&r->arena, id, strlen(id));
    f->other = xs__arena_strndup(&r->arena, oth, strlen(oth));
    f->message = xs__arena_strndup(&r->arena, msg, strlen(msg));
    if (!f->family || !f->product || !f->other || !f->message) {
        k->oom = 1;
        return;
    }
    r->n++;
}

static const char *billing_word(const checker *k, uint32_t p)
{
    return k->s->prod.billing[p] == XS_SNAP_BILL_YEAR ? "yearly" : "monthly";
}

/* ---------------------------------------------------------------------- */
/* Ladders                                                                */
/* ---------------------------------------------------------------------- */

/* Compares plan q (the higher tier) with plan p (the tier below it). */
static void compare_tiers(checker *k, uint32_t p, uint32_t q)
{
    const struct xs_snapshot *s = k->s;
    int sc = s->money_scale;
    if (s->prod.price[q] < s->prod.price[p])
        add(k, XS_CATALOG_TIER_CHEAPER, q, p,
            "%s (tier %u) costs less than %s (tier %u): %.*f < %.*f a month", pid(k, q),
            s->prod.tier[q], pid(k, p), s->prod.tier[p], sc,
            xs__snapshot_prod_monthly(s, q), sc, xs__snapshot_prod_monthly(s, p));
    for (uint32_t l = s->prod.limit_off[q]; l < s->prod.limit_off[q + 1]; l++) {
        uint16_t m = s->prod.limit_name[l];
        double lo = xs__snapshot_prod_limit(s, p, m), hi = s->prod.limit_value[l];
        if (!isnan(lo) && hi < lo)
            add(k, XS_CATALOG_TIER_LIMIT_LOWER, q, p,
                "%s (tier %u) has a lower %s limit than %s (tier %u): %g < %g", pid(k, q),
                s->prod.tier[q], xs__intern_str(&s->dict.metrics, m), pid(k, p),
                s->prod.tier[p], hi, lo);
    }
}

/* The ladder of family f and billing b: its plans with a tier, in family
 * order (ascending tier, then price, then id), taken tier by tier. */
static void check_ladder(checker *k, uint16_t f, int b)
{
    const struct xs_snapshot *s = k->s;
    uint32_t lo = s->prod.family_off[f], hi = s->prod.family_off[f + 1], n = 0;
    uint32_t *L = xs__malloc((hi - lo + 1) * sizeof *L);
    if (!L) {
        k->oom = 1;
        return;
    }
    for (uint32_t i = lo; i < hi; i++) {
        uint32_t p = s->prod.family_products[i];
        if (s->prod.kind[p] == XS_SNAP_KIND_PLAN && s->prod.billing[p] == b &&
            s->prod.tier[p] > 0)
            L[n++] = p;
    }
    /* tiers [plo, phi) (the one below) and [clo, chi) (the current one) */
    uint32_t plo = 0, phi = 0;
    for (uint32_t clo = 0, chi; clo < n; clo = chi) {
        uint32_t first = L[clo];
        for (chi = clo + 1; chi < n && s->prod.tier[L[chi]] == s->prod.tier[first]; chi++)
            add(k, XS_CATALOG_TIER_DUPLICATE, L[chi], first,
                "%s and %s are both tier %u of the %s %s plans: upsells and downsells "
                "only ever propose %s",
                pid(k, L[chi]), pid(k, first), s->prod.tier[first], fam_name(k, first),
                billing_word(k, first), pid(k, first));
        if (phi > plo) {
            uint32_t below = L[plo];
            for (uint32_t c = clo; c < chi; c++)
                for (uint32_t q = plo; q < phi; q++)
                    compare_tiers(k, L[q], L[c]);
            if (s->prod.tier[first] > s->prod.tier[below] + 1)
                add(k, XS_CATALOG_TIER_GAP, first, below,
                    "the %s %s plans have no tier %u between %s (tier %u) and %s (tier "
                    "%u): no upsell leads from one to the other",
                    fam_name(k, first), billing_word(k, first), s->prod.tier[below] + 1u,
                    pid(k, below), s->prod.tier[below], pid(k, first),
                    s->prod.tier[first]);
        }
        plo = clo;
        phi = chi;
    }
    xs__free(L);
}

/* Add-ons of family f priced above the cheapest paid plan of their billing. */
static void check_addons(checker *k, uint16_t f)
{
    const struct xs_snapshot *s = k->s;
    uint32_t lo = s->prod.family_off[f], hi = s->prod.family_off[f + 1];
    for (uint32_t i = lo; i < hi; i++) {
        uint32_t a = s->prod.family_products[i];
        if (s->prod.kind[a] != XS_SNAP_KIND_ADDON ||
            s->prod.billing[a] == XS_SNAP_BILL_ONCE)
            continue;
        int64_t cheap = -1;
        for (uint32_t j = lo; j < hi; j++) {
            uint32_t p = s->prod.family_products[j];
            if (s->prod.kind[p] != XS_SNAP_KIND_PLAN || s->prod.price[p] <= 0 ||
                s->prod.billing[p] != s->prod.billing[a])
                continue;
            if (cheap < 0 || s->prod.price[p] < s->prod.price[cheap]) cheap = p;
        }
        if (cheap >= 0 && s->prod.price[a] > s->prod.price[cheap])
            add(k, XS_CATALOG_ADDON_ABOVE_PLAN, a, cheap,
                "%s (add-on) costs more than %s, the cheapest plan it attaches to: %.*f "
                "> "
                "%.*f a month",
                pid(k, a), pid(k, (uint32_t)cheap), s->money_scale,
                xs__snapshot_prod_monthly(s, a), s->money_scale,
                xs__snapshot_prod_monthly(s, (uint32_t)cheap));
    }
}

/* ---------------------------------------------------------------------- */
/* Reachability                                                           */
/* ---------------------------------------------------------------------- */

/* Marks reach[p] for every product some trigger of candidates.c can
 * propose, with the choices of engine.c's build_ladders: the first match
 * in family order wins each role. */
static void mark_family(const struct xs_snapshot *s, uint16_t f, uint16_t seats,
                        uint8_t *reach, int32_t *seat_pack)
{
    uint32_t lo = s->prod.family_off[f], hi = s->prod.family_off[f + 1];
    int32_t entry = -1, pack = -1;
    int any_plan = 0, paid_plan = 0;
    for (uint32_t i = lo; i < hi; i++) {
        uint32_t p = s->prod.family_products[i];
        if (s->prod.kind[p] == XS_SNAP_KIND_ADDON && pack < 0 &&
            seats != XS_SNAP_NONE16 && !isnan(xs__snapshot_prod_limit(s, p, seats)))
            pack = (int32_t)p;
        if (s->prod.kind[p] != XS_SNAP_KIND_PLAN) continue;
        any_plan = 1;
        if (s->prod.price[p] > 0) paid_plan = 1;
        if (s->prod.billing[p] == XS_SNAP_BILL_MONTH && s->prod.price[p] > 0 && entry < 0)
            entry = (int32_t)p; /* cross-sells to the family */
        int up = 0, down = 0, annual = 0, monthly = 0;
        for (uint32_t j = lo; j < hi; j++) {
            uint32_t q = s->prod.family_products[j];
            if (q == p || s->prod.kind[q] != XS_SNAP_KIND_PLAN) continue;
            int same = s->prod.billing[q] == s->prod.billing[p];
            int tp = s->prod.tier[p], tq = s->prod.tier[q];
            if (same && tq == tp + 1 && !up) up = 1, reach[q] = 1;
            /* a downsell starts from a paid plan and goes to a paid one */
            if (same && tq + 1 == tp && s->prod.price[q] > 0 && !down) {
                down = 1;
                if (s->prod.price[p] > 0) reach[q] = 1;
            }
            if (tq == tp && s->prod.billing[p] == XS_SNAP_BILL_MONTH &&
                s->prod.billing[q] == XS_SNAP_BILL_YEAR && !annual) {
                annual = 1;
                if (s->prod.price[p] > 0) reach[q] = 1;
            }
            if (tq == tp && s->prod.billing[p] == XS_SNAP_BILL_YEAR &&
                s->prod.billing[q] == XS_SNAP_BILL_MONTH && !monthly) {
                monthly = 1;
                if (s->prod.price[p] > 0) reach[q] = 1;
            }
        }
    }
    if (entry >= 0) reach[entry] = 1;
    if (pack >= 0 && any_plan) reach[pack] = 1;
    seat_pack[f] = pack;
    for (uint32_t i = lo; paid_plan && i < hi; i++) {
        uint32_t p = s->prod.family_products[i];
        if (s->prod.kind[p] == XS_SNAP_KIND_ADDON && (int32_t)p != pack &&
            s->prod.limit_off[p] == s->prod.limit_off[p + 1])
            reach[p] = 1; /* an add-on option */
    }
}

/* Why product p (paid plan or add-on, not reached) can never be offered. */
static void report_unreachable(checker *k, uint32_t p, uint16_t seats,
                               const int32_t *seat_pack)
{
    const struct xs_snapshot *s = k->s;
    const char *id = pid(k, p);
    uint16_t f = s->prod.family[p];
    const char *what = s->prod.kind[p] == XS_SNAP_KIND_PLAN ? "plan" : "add-on";
    if (f == XS_SNAP_NONE16) {
        add(k, XS_CATALOG_UNREACHABLE, p, -1,
            "%s can never be offered: a %s with no family is on no ladder, and no order "
            "contains it",
            id, what);
        return;
    }
    if (s->prod.kind[p] == XS_SNAP_KIND_PLAN) {
        if (s->prod.tier[p] == 0)
            add(k, XS_CATALOG_UNREACHABLE, p, -1,
                "%s can never be offered: a plan with no tier is on no ladder of %s", id,
                fam_name(k, p));
        else
            add(k, XS_CATALOG_UNREACHABLE, p, -1,
                "%s can never be offered: no upsell, downsell or term change of %s leads "
                "to it and it is not the family's entry plan",
                id, fam_name(k, p));
        return;
    }
    int has_plan = 0, paid = 0;
    for (uint32_t i = s->prod.family_off[f]; i < s->prod.family_off[f + 1]; i++) {
        uint32_t q = s->prod.family_products[i];
        if (s->prod.kind[q] != XS_SNAP_KIND_PLAN) continue;
        has_plan = 1;
        if (s->prod.price[q] > 0) paid = 1;
    }
    if (seat_pack[f] >= 0 && seats != XS_SNAP_NONE16 &&
        !isnan(xs__snapshot_prod_limit(s, p, seats)) && has_plan)
        add(k, XS_CATALOG_UNREACHABLE, p, seat_pack[f],
            "%s can never be offered: only the first seats add-on of %s, %s, is sold as "
            "seat packs",
            id, fam_name(k, p), pid(k, (uint32_t)seat_pack[f]));
    else if (s->prod.limit_off[p] != s->prod.limit_off[p + 1] && paid)
        add(k, XS_CATALOG_UNREACHABLE, p, -1,
            "%s can never be offered: an add-on with limits (%s) is not proposed as an "
            "option; only one with a seats limit is, as seat packs",
            id,
            xs__intern_str(&s->dict.metrics, s->prod.limit_name[s->prod.limit_off[p]]));
    else
        add(k, XS_CATALOG_UNREACHABLE, p, -1,
            "%s can never be offered: %s has no %splan to attach it to", id,
            fam_name(k, p), has_plan ? "paid " : "");
}

/* ---------------------------------------------------------------------- */
/* The check                                                              */
/* ---------------------------------------------------------------------- */

static int cmp_finding(const void *a, const void *b)
{
    const xs_catalog_finding *x = a, *y = b;
    int c = strcmp(x->family, y->family);
    if (c) return c;
    if (x->code != y->code) return x->code < y->code ? -1 : 1;
    c = strcmp(x->product, y->product);
    if (c) return c;
    c = strcmp(x->other, y->other);
    return c ? c : strcmp(x->message, y->message);
}

int xs_catalog_check(const xs_snapshot *snap, xs_catalog_report **out, xs_error *err)
{
    const struct xs_snapshot *s = snap;
    size_t np = s->prod.n, nf = s->dict.families.n;
    *out = NULL;
    xs_catalog_report *r = xs__calloc(1, sizeof *r);
    uint8_t *reach = xs__calloc(np + 1, 1);
    int32_t *seat_pack = xs__malloc((nf + 1) * sizeof *seat_pack);
    int rc = XS_ENOMEM;
    if (!r || !reach || !seat_pack) goto cleanup;
    xs__arena_init(&r->arena, 0);
    r->n_products = np;
    r->n_families = nf;
    checker k = {s, r, 0};
    uint16_t seats = XS_SNAP_NONE16;
    uint32_t sc = xs__intern_find(&s->dict.metrics, "seats", 5);
    if (sc != XS_INTERN_NONE) seats = (uint16_t)sc;
    for (size_t f = 0; f < nf; f++) {
        check_ladder(&k, (uint16_t)f, XS_SNAP_BILL_MONTH);
        check_ladder(&k, (uint16_t)f, XS_SNAP_BILL_YEAR);
        check_addons(&k, (uint16_t)f);
        mark_family(s, (uint16_t)f, seats, reach, seat_pack);
    }
    /* a product some order contains can come through order rules */
    for (size_t l = 0; l < s->ord.n_lines; l++)
        reach[s->ord.product[l]] = 1;
    for (uint32_t p = 0; p < np; p++)
        if (!reach[p] && s->prod.kind[p] != XS_SNAP_KIND_PRODUCT && s->prod.price[p] > 0)
            report_unreachable(&k, p, seats, seat_pack);
    if (k.oom) goto cleanup;
    if (r->n) qsort(r->f, r->n, sizeof *r->f, cmp_finding);
    *out = r;
    r = NULL;
    rc = (int)(*out)->n;
cleanup:
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs_catalog_report_free(r);
    xs__free(reach);
    xs__free(seat_pack);
    return rc;
}

int xs_catalog_check_store(xs_store *st, xs_catalog_report **out, xs_error *err)
{
    xs_snapshot *snap = NULL;
    *out = NULL;
    int rc = xs_snapshot_load(st, &snap, err);
    if (rc < 0) return rc;
    rc = xs_catalog_check(snap, out, err);
    xs_snapshot_free(snap);
    return rc;
}

size_t xs_catalog_report_n(const xs_catalog_report *r)
{
    return r->n;
}

void xs_catalog_report_counts(const xs_catalog_report *r, size_t *n_products,
                              size_t *n_families)
{
    if (n_products) *n_products = r->n_products;
    if (n_families) *n_families = r->n_families;
}

void xs_catalog_report_get(const xs_catalog_report *r, size_t i, xs_catalog_finding *out)
{
    *out = r->f[i];
}

void xs_catalog_report_free(xs_catalog_report *r)
{
    if (!r) return;
    xs__arena_free(&r->arena);
    xs__free(r->f);
    xs__free(r);
}
