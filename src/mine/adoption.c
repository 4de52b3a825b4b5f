/*
 * adoption.c — adoption timing: Kaplan–Meier curves of "customers holding A
 * adopt B within t days".
 *
 * Input (adoption.h): per customer, the first day each product was held and
 * the day observation ends. For a pair (A, B):
 *
 *   - the cohort is every customer holding A; time zero is the day it first
 *     held A;
 *   - a customer that held B before or on that day is excluded (it cannot
 *     "adopt" B after A: it already had it);
 *   - a customer that first held B on day b > a, with b on or before its
 *     observation end, has an event at t = b - a;
 *   - every other customer is censored at t = end - a (0 when end < a): we
 *     only know that it had not adopted B by then.
 *
 * The Kaplan–Meier estimate is S(t) = prod over event times t_i <= t of
 * (1 - d_i / n_i), with d_i events at t_i and n_i customers at risk (time
 * >= t_i: a customer censored at t_i is still at risk at t_i, the usual
 * convention that censoring follows events at a tie). The curve reports the
 * cumulative adoption 1 - S(t).
 *
 * Confidence band (95 %): Greenwood's variance sum g(t) = sum d_i / (n_i (n_i
 * - d_i)) on the log-log scale: theta = log(-log S) has standard error
 * sqrt(g) / |log S|, so S's band is [S^exp(z se), S^exp(-z se)] with z =
 * 1.959964, which stays inside [0, 1]; the adoption band is 1 minus it.
 * Where S is 1 (no event yet) or 0 (everyone at risk adopted) the band
 * collapses to the point.
 *
 * Median time to adopt: the first event time with 1 - S(t) >= 0.5 (up to a
 * 1e-12 tolerance for rounding), none when the curve stays below one half.
 * Share at a horizon h: 1 - S(h); not estimable (NaN) when h lies beyond the
 * cohort's longest follow-up, unless everyone at risk had adopted by then
 * (S = 0 stays 0).
 *
 * Computing every pair without a pass over the cohort per pair: for product
 * A, the sorted follow-up times T of all its holders are the baseline (every
 * holder censored at its observation end). For each B only the holders that
 * ever held B change: excluded ones and those with an event remove their
 * baseline time (multiset R), events add their event time (multiset E). The
 * number at risk at t is then |T >= t| - |R >= t| + |E >= t|, three binary
 * searches, so a pair costs O(k log n) for its k co-holders.
 */
#include "mine/adoption.h"
#include "base/alloc.h"
#include "base/arena.h"
#include "base/error.h"
#include "base/sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define Z95 1.959963984540054

/* ---------------------------------------------------------------------- */
/* Input builder                                                          */
/* ---------------------------------------------------------------------- */

void xs__mine_adoption_input_init(struct xs_adoption_input *in)
{
    memset(in, 0, sizeof *in);
    xs__intern_init(&in->names);
}

void xs__mine_adoption_input_clear(struct xs_adoption_input *in)
{
    xs__free(in->off);
    xs__free(in->item);
    xs__free(in->day);
    xs__free(in->end);
    xs__intern_free(&in->names);
    memset(in, 0, sizeof *in);
}

void xs_adoption_input_free(xs_adoption_input *in)
{
    if (!in) return;
    xs__mine_adoption_input_clear(in);
    xs__free(in);
}

int32_t xs_adoption_input_as_of(const xs_adoption_input *in)
{
    return in->as_of;
}

int xs__mine_adoption_input_add(struct xs_adoption_input *in, const char *name,
                                size_t len, int32_t day)
{
    uint32_t id = xs__intern_add(&in->names, name, len);
    if (id == XS_INTERN_NONE) return XS_ENOMEM;
    for (size_t i = in->open_from; i < in->n_total; i++) {
        if (in->item[i] == id) {
            if (day < in->day[i]) in->day[i] = day;
            return XS_OK;
        }
    }
    size_t cap = in->cap_total;
    if (xs__grow(&in->item, &cap, in->n_total + 1, sizeof *in->item) < 0)
        return XS_ENOMEM;
    cap = in->cap_total;
    if (xs__grow(&in->day, &cap, in->n_total + 1, sizeof *in->day) < 0) return XS_ENOMEM;
    in->cap_total = cap;
    in->item[in->n_total] = id;
    in->day[in->n_total] = day;
    in->n_total++;
    return XS_OK;
}

int xs__mine_adoption_input_end(struct xs_adoption_input *in, int32_t end)
{
    size_t cap = in->cap_cust;
    if (xs__grow(&in->off, &cap, in->n_customers + 2, sizeof *in->off) < 0)
        return XS_ENOMEM;
    cap = in->cap_cust;
    if (xs__grow(&in->end, &cap, in->n_customers + 2, sizeof *in->end) < 0)
        return XS_ENOMEM;
    in->cap_cust = cap;
    /* insertion sort of the customer's products: a customer holds few */
    for (size_t i = in->open_from + 1; i < in->n_total; i++) {
        uint32_t it = in->item[i];
        int32_t d = in->day[i];
        size_t j = i;
        while (j > in->open_from && in->item[j - 1] > it) {
            in->item[j] = in->item[j - 1];
            in->day[j] = in->day[j - 1];
            j--;
        }
        in->item[j] = it;
        in->day[j] = d;
    }
    in->off[in->n_customers] = in->open_from;
    in->end[in->n_customers] = end;
    in->n_customers++;
    in->off[in->n_customers] = in->n_total;
    in->open_from = in->n_total;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Result                                                                 */
/* ---------------------------------------------------------------------- */

struct xs_adoption {
    xs__arena arena; /* points, shares, names */
    xs_adoption_curve *curves;
    size_t n_curves, cap_curves;
    size_t n_horizons; /* for sorting */
};

size_t xs_adoption_count(const xs_adoption *r)
{
    return r->n_curves;
}

const xs_adoption_curve *xs_adoption_get(const xs_adoption *r, size_t i)
{
    return i < r->n_curves ? &r->curves[i] : NULL;
}

void xs_adoption_free(xs_adoption *r)
{
    if (!r) return;
    xs__arena_free(&r->arena);
    xs__free(r->curves);
    xs__free(r);
}

/* ---------------------------------------------------------------------- */
/* Kaplan–Meier over the T / R / E multisets                              */
/* ---------------------------------------------------------------------- */

/* Number of elements >= t in an ascending array. */
static size_t count_ge(const int32_t *v, size_t n, int32_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n - lo;
}

/* Adoption band of a survival value and its Greenwood sum. */
static void band(double s, double g, double *lo, double *hi)
{
    if (s <= 0.0 || s >= 1.0 || g <= 0.0) {
        *lo = *hi = 1.0 - s;
        return;
    }
    double ls = log(s);
    double se = sqrt(g) / fabs(ls);
    double s_lo = pow(s, exp(Z95 * se));  /* lower survival */
    double s_hi = pow(s, exp(-Z95 * se)); /* upper survival */
    *lo = 1.0 - s_hi;
    *hi = 1.0 - s_lo;
}

/*
 * Fills curve c from the baseline times T (n_t), removals R (n_r) and event
 * times E (n_e), all ascending, and the horizons. Allocates from the arena.
 */
static int km_curve(xs_adoption *res, xs_adoption_curve *c, const int32_t *T, size_t n_t,
                    const int32_t *R, size_t n_r, const int32_t *E, size_t n_e,
                    const int32_t *horizons, size_t n_h)
{
    /* longest follow-up: max of (T minus R) plus E */
    size_t i = n_t, j = n_r;
    while (i > 0 && j > 0 && T[i - 1] == R[j - 1])
        i--, j--;
    int32_t max_t = -1;
    if (i > 0) max_t = T[i - 1];
    if (n_e > 0 && E[n_e - 1] > max_t) max_t = E[n_e - 1];
    c->max_t = max_t;
    c->n_events = n_e;
    c->median = -1;

    size_t n_pts = 0;
    for (size_t k = 0; k < n_e; k++)
        if (k == 0 || E[k] != E[k - 1]) n_pts++;
    xs_adoption_point *pts = NULL;
    if (n_pts) {
        pts = xs__arena_alloc(&res->arena, n_pts * sizeof *pts);
        if (!pts) return XS_ENOMEM;
    }
    double s = 1.0, g = 0.0;
    size_t p = 0;
    for (size_t k = 0; k < n_e;) {
        int32_t t = E[k];
        size_t d = 0;
        while (k < n_e && E[k] == t)
            d++, k++;
        size_t n = count_ge(T, n_t, t) - count_ge(R, n_r, t) + count_ge(E, n_e, t);
        if (s > 0.0) {
            if (n > d) {
                s *= 1.0 - (double)d / (double)n;
                g += (double)d / ((double)n * (double)(n - d));
            } else {
                s = 0.0;
            }
        }
        xs_adoption_point *pt = &pts[p++];
        pt->t = t;
        pt->at_risk = n;
        pt->events = d;
        pt->adopted = 1.0 - s;
        band(s, g, &pt->lo, &pt->hi);
        if (c->median < 0 && pt->adopted >= 0.5 - 1e-12) c->median = t;
    }
    c->n_points = n_pts;
    c->points = pts;

    double *sh = NULL;
    if (n_h) {
        sh = xs__arena_alloc(&res->arena, 3 * n_h * sizeof *sh);
        if (!sh) return XS_ENOMEM;
        for (size_t h = 0; h < n_h; h++) {
            double v = NAN, lo = NAN, hi = NAN;
            /* beyond the longest follow-up only a curve that reached 1 is known */
            int known = horizons[h] <= max_t || (n_pts && pts[n_pts - 1].adopted >= 1.0);
            if (c->n_cohort > 0 && known) {
                v = lo = hi = 0.0;
                for (size_t q = 0; q < n_pts && pts[q].t <= horizons[h]; q++) {
                    v = pts[q].adopted;
                    lo = pts[q].lo;
                    hi = pts[q].hi;
                }
            }
            sh[h] = v;
            sh[n_h + h] = lo;
            sh[2 * n_h + h] = hi;
        }
    }
    c->share = sh;
    c->share_lo = sh ? sh + n_h : NULL;
    c->share_hi = sh ? sh + 2 * n_h : NULL;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* All pairs                                                              */
/* ---------------------------------------------------------------------- */

/* A co-holder of A and B: what B does to A's baseline. */
typedef struct change {
    uint32_t b;
    int32_t base;  /* the holder's baseline time */
    int32_t event; /* event time, -1 when excluded */
} change;

static int cmp_change(const void *x, const void *y)
{
    const change *a = x, *b = y;
    if (a->b != b->b) return a->b < b->b ? -1 : 1;
    return 0;
}

static int push_curve(xs_adoption *res, const xs_adoption_curve *c)
{
    if (xs__grow(&res->curves, &res->cap_curves, res->n_curves + 1, sizeof *res->curves) <
        0)
        return XS_ENOMEM;
    res->curves[res->n_curves++] = *c;
    return XS_OK;
}

/* Order: share at the last horizon descending (NaN last), then from, to. */
static int cmp_curve(const xs_adoption_curve *a, const xs_adoption_curve *b, size_t nh)
{
    if (nh) {
        double va = a->share[nh - 1], vb = b->share[nh - 1];
        int na = isnan(va), nb = isnan(vb);
        if (na != nb) return na - nb;
        if (!na && va != vb) return va > vb ? -1 : 1;
    }
    int c = strcmp(a->from, b->from);
    return c ? c : strcmp(a->to, b->to);
}

/* Stable merge sort of the curves (qsort has no context for nh). */
static int sort_curves(xs_adoption_curve *v, size_t n, size_t nh)
{
    if (n < 2) return XS_OK;
    xs_adoption_curve *tmp = xs__malloc(n * sizeof *tmp);
    if (!tmp) return XS_ENOMEM;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                tmp[o++] = cmp_curve(&v[j], &v[i], nh) < 0 ? v[j++] : v[i++];
            while (i < mid)
                tmp[o++] = v[i++];
            while (j < hi)
                tmp[o++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v);
    }
    xs__free(tmp);
    return XS_OK;
}

/* The computation's working arrays. */
typedef struct adopt_tmp {
    size_t *hoff; /* product p's holders: [hoff[p], hoff[p + 1]) of hcust, hday */
    uint32_t *hcust;
    int32_t *hday;      /* the holder's first day with p */
    int32_t *T, *R, *E; /* baseline times, times at risk, event times */
    change *ch;         /* the changes the products co-held with one product make */
    size_t n_ch, cap_ch;
} adopt_tmp;

static void adopt_tmp_free(adopt_tmp *A)
{
    xs__free(A->hoff);
    xs__free(A->hcust);
    xs__free(A->hday);
    xs__free(A->T);
    xs__free(A->R);
    xs__free(A->E);
    xs__free(A->ch);
}

/* An item named for option `opt` (NULL: none, *id XS_INTERN_NONE). XS_OK
 * or XS_ENOTFOUND with err set. */
static int find_item(const xs_adoption_input *in, const char *name, const char *opt,
                     uint32_t *id, xs_error *err)
{
    *id = XS_INTERN_NONE;
    if (!name) return XS_OK;
    *id = xs__intern_find(&in->names, name, strlen(name));
    if (*id != XS_INTERN_NONE) return XS_OK;
    char q[128];
    xs__error_quote(q, sizeof q, name, strlen(name));
    return xs__error_param(err, XS_ENOTFOUND, NULL, opt, "unknown item %s", q);
}

/* The holders of each product (customer, first day), CSR by counting, and
 * the time arrays. XS_OK or XS_ENOMEM. */
static int index_holders(const xs_adoption_input *in, adopt_tmp *A)
{
    size_t n_prod = in->names.n;
    A->hoff = xs__calloc(n_prod + 1, sizeof *A->hoff);
    size_t n_tot = in->n_total ? in->n_total : 1;
    A->hcust = xs__malloc(n_tot * sizeof *A->hcust);
    A->hday = xs__malloc(n_tot * sizeof *A->hday);
    A->T = xs__malloc(n_tot * sizeof *A->T);
    A->R = xs__malloc(n_tot * sizeof *A->R);
    A->E = xs__malloc(n_tot * sizeof *A->E);
    if (!A->hoff || !A->hcust || !A->hday || !A->T || !A->R || !A->E) return XS_ENOMEM;
    size_t *hoff = A->hoff;
    for (size_t i = 0; i < in->n_total; i++)
        hoff[in->item[i] + 1]++;
    for (size_t p = 0; p < n_prod; p++)
        hoff[p + 1] += hoff[p];
    for (size_t c = 0; c < in->n_customers; c++) {
        for (size_t i = in->off[c]; i < in->off[c + 1]; i++) {
            size_t at = hoff[in->item[i]]++;
            A->hcust[at] = (uint32_t)c;
            A->hday[at] = in->day[i];
        }
    }
    for (size_t p = n_prod; p > 0; p--)
        hoff[p] = hoff[p - 1];
    hoff[0] = 0;
    return XS_OK;
}

/* Product a's holders' baseline times (T, sorted) and the changes each
 * co-held product (to only, unless XS_INTERN_NONE) makes (ch, by product).
 * XS_OK or XS_ENOMEM. */
static int changes_of(const xs_adoption_input *in, adopt_tmp *A, uint32_t a, uint32_t to)
{
    A->n_ch = 0;
    for (size_t k = A->hoff[a]; k < A->hoff[a + 1]; k++) {
        uint32_t c = A->hcust[k];
        int32_t a_day = A->hday[k];
        int32_t base = in->end[c] > a_day ? in->end[c] - a_day : 0;
        A->T[k - A->hoff[a]] = base;
        for (size_t i = in->off[c]; i < in->off[c + 1]; i++) {
            uint32_t b = in->item[i];
            if (b == a || (to != XS_INTERN_NONE && b != to)) continue;
            int32_t b_day = in->day[i];
            change x = {b, base, -1};
            if (b_day > a_day) {
                if (b_day - a_day > base) continue; /* after observation: censored */
                x.event = b_day - a_day;
            }
            if (xs__grow(&A->ch, &A->cap_ch, A->n_ch + 1, sizeof *A->ch) < 0)
                return XS_ENOMEM;
            A->ch[A->n_ch++] = x;
        }
    }
    xs__sort_i32(A->T, A->hoff[a + 1] - A->hoff[a]);
    if (A->n_ch) qsort(A->ch, A->n_ch, sizeof *A->ch, cmp_change);
    return XS_OK;
}

/* The curves a -> b of every product b (to only, unless XS_INTERN_NONE)
 * from changes_of()'s arrays, into res; outside pair mode only those with
 * an adoption. XS_OK or XS_ENOMEM. */
static int curves_of(const xs_adoption_input *in, const xs_adoption_opts *opts,
                     adopt_tmp *A, uint32_t a, uint32_t to, int pair_mode,
                     xs_adoption *res)
{
    int rc;
    size_t n_hold = A->hoff[a + 1] - A->hoff[a], k = 0;
    const change *ch = A->ch;
    for (uint32_t b = 0; b < in->names.n; b++) {
        if (b == a || (to != XS_INTERN_NONE && b != to)) continue;
        size_t n_r = 0, n_e = 0, n_ex = 0;
        while (k < A->n_ch && ch[k].b < b)
            k++;
        for (; k < A->n_ch && ch[k].b == b; k++) {
            A->R[n_r++] = ch[k].base;
            if (ch[k].event >= 0)
                A->E[n_e++] = ch[k].event;
            else
                n_ex++;
        }
        if (!pair_mode && n_e == 0) continue;
        xs__sort_i32(A->R, n_r);
        xs__sort_i32(A->E, n_e);
        xs_adoption_curve c;
        memset(&c, 0, sizeof c);
        const char *fa = xs__intern_str(&in->names, a),
                   *fb = xs__intern_str(&in->names, b);
        char *na = xs__arena_strndup(&res->arena, fa, strlen(fa));
        char *nb = xs__arena_strndup(&res->arena, fb, strlen(fb));
        if (!na || !nb) return XS_ENOMEM;
        c.from = na;
        c.to = nb;
        c.n_holders = n_hold;
        c.n_excluded = n_ex;
        c.n_cohort = n_hold - n_ex;
        if ((rc = km_curve(res, &c, A->T, n_hold, A->R, n_r, A->E, n_e, opts->horizons,
                           opts->n_horizons)) < 0)
            return rc;
        if ((rc = push_curve(res, &c)) < 0) return rc;
    }
    return XS_OK;
}

int xs_adoption_compute(const xs_adoption_input *in, const xs_adoption_opts *opts,
                        xs_adoption **out, xs_error *err)
{
    int rc = XS_OK;
    adopt_tmp A = {0};
    xs_adoption *res = NULL;
    uint32_t from, to;
    *out = NULL;

    for (size_t h = 0; h < opts->n_horizons; h++)
        if (opts->horizons[h] < 0)
            return xs__error_param(err, XS_EINVAL, NULL, "horizons",
                                   "horizon %ld is negative", (long)opts->horizons[h]);
    if ((rc = find_item(in, opts->from, "from", &from, err)) < 0) return rc;
    if ((rc = find_item(in, opts->to, "to", &to, err)) < 0) return rc;
    int pair_mode = opts->from && opts->to;

    res = xs__calloc(1, sizeof *res);
    if (!res) goto nomem;
    xs__arena_init(&res->arena, 0);
    res->n_horizons = opts->n_horizons;
    if (index_holders(in, &A) < 0) goto nomem;
    for (uint32_t a = 0; a < in->names.n; a++) {
        if (from != XS_INTERN_NONE && a != from) continue;
        size_t n_hold = A.hoff[a + 1] - A.hoff[a];
        if (!pair_mode && n_hold < opts->min_customers) continue;
        if (n_hold == 0) continue;
        if (changes_of(in, &A, a, to) < 0) goto nomem;
        if ((rc = curves_of(in, opts, &A, a, to, pair_mode, res)) < 0) goto fail;
    }
    if ((rc = sort_curves(res->curves, res->n_curves, res->n_horizons)) < 0) goto fail;
    *out = res;
    res = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = XS_ENOMEM;
fail:
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs_adoption_free(res);
    adopt_tmp_free(&A);
    return rc;
}
