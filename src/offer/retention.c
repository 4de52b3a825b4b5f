/*
 * retention.c — what the engine learns once from the store's own history to
 * keep customers and to make its cold-start priors personal
 * (docs/offers.md, "Retention" and "Personal priors").
 *
 * xs__offer_retention_build() reads every customer once and fills:
 *   - the risk threshold: churn_high, or, with retention_share s > 0 and a
 *     real churn score (the caller's churn_p or the churn model), the P(churn)
 *     of the customer at the top s share of the active customers, when lower;
 *   - per plan product, term class (under 12 months, 12-23, 24 or more) and
 *     add-on of its family: how many of the plan's customers on such a term
 *     churned with and without the add-on (a customer's plan is its
 *     active plan row of the family, else its latest ended one; churned = no
 *     active plan of the family at as_of; "with" = the add-on was held on the
 *     plan's last day). An add-on is protective when both groups have at
 *     least retention_min_n customers and the holders' churn rate is lower by
 *     retention_gap and by two standard errors of the difference. This is an
 *     association in the store's history, not a controlled experiment;
 *     comparing customers of one plan and one term class keeps the plainest
 *     confounder out (on Telco, streaming holders churn less overall only
 *     because more of them are on long contracts: among month-to-month
 *     fiber customers they churn more);
 *   - per plan product and tenure band (< 1, 1-2, 2-4, >= 4 years at as_of)
 *     of its active customers: how many hold each product of the family
 *     (uptake of an add-on among similar customers) and how many are on a
 *     term of at least 12 / 24 / 36 months (uptake of a longer term).
 * The work is one pass over the subscription rows; the tables are sized by
 * the plans and their families, not by the customers.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Contract in offer_int.h. */
int xs__offer_term_class(unsigned months)
{
    return months < 12 ? 0 : months < 24 ? 1 : 2;
}

/* Contract in offer_int.h. */
int xs__offer_tenure_band(double days)
{
    return days < 365 ? 0 : days < 730 ? 1 : days < 1461 ? 2 : 3;
}

static int cmp_desc(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a < b) - (a > b);
}

/* The risk threshold (en->risk_cut). XS_OK or XS_ENOMEM. */
static int risk_cut(xs_offer_engine *en)
{
    const struct xs_snapshot *s = en->s;
    const double *p = en->cfg.churn_p;
    en->risk_cut = en->cfg.churn_high;
    if (!(en->cfg.retention_share > 0) || (!p && !en->churn)) return XS_OK;
    double *v = xs__malloc((s->cust.n + 1) * sizeof *v);
    if (!v) return XS_ENOMEM;
    size_t n = 0;
    for (uint32_t c = 0; c < s->cust.n; c++) {
        int act = xs__snapshot_cust_active(s, c, en->as_of);
        double x = p ? p[c] : NAN;
        if (isnan(x) && en->churn) x = en->churn[c];
        if (act && !isnan(x)) v[n++] = x;
    }
    if (n) {
        qsort(v, n, sizeof *v, cmp_desc);
        double k = floor(en->cfg.retention_share * (double)n);
        size_t i = k < 1 ? 0 : k >= (double)n ? n - 1 : (size_t)k - 1;
        if (v[i] < en->risk_cut) en->risk_cut = v[i];
    }
    xs__free(v);
    return XS_OK;
}

/* Contract in offer_int.h. */
int xs__offer_retention_build(xs_offer_engine *en)
{
    const struct xs_snapshot *s = en->s;
    size_t np = s->prod.n;
    int rc = risk_cut(en);
    if (rc < 0) return rc;
    /* per plan: its family's products (CSR offsets into the tables) */
    en->up_off = xs__calloc(np + 1, sizeof *en->up_off);
    if (!en->up_off) return XS_ENOMEM;
    size_t tot = 0;
    for (size_t p = 0; p < np; p++) {
        en->up_off[p] = (uint32_t)tot;
        uint16_t f = s->prod.family[p];
        if (s->prod.kind[p] == XS_SNAP_KIND_PLAN && f != XS_SNAP_NONE16)
            tot += s->prod.family_off[f + 1] - s->prod.family_off[f];
    }
    en->up_off[np] = (uint32_t)tot;
    en->up_k = xs__calloc(tot * XS__OFFER_N_BANDS + 1, sizeof *en->up_k);
    en->up_n = xs__calloc(np * XS__OFFER_N_BANDS + 1, sizeof *en->up_n);
    en->term_k =
        xs__calloc(np * XS__OFFER_N_BANDS * XS__OFFER_N_TERMS + 1, sizeof *en->term_k);
    en->ret = xs__calloc(tot * XS__OFFER_N_TCLS + 1, sizeof *en->ret);
    if (!en->up_k || !en->up_n || !en->term_k || !en->ret) return XS_ENOMEM;
    int32_t as_of = en->as_of;
    for (uint32_t c = 0; c < s->cust.n; c++) {
        /* the customer's plan row per family: active first, else the
         * latest ended */
        uint32_t row[XS__OFFER_MAX_FAM];
        uint16_t fam[XS__OFFER_MAX_FAM];
        int act[XS__OFFER_MAX_FAM], nf = 0;
        for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
            uint32_t p = s->sub.product[r];
            uint16_t f = s->prod.family[p];
            if (s->prod.kind[p] != XS_SNAP_KIND_PLAN || f == XS_SNAP_NONE16 ||
                s->sub.start[r] > as_of)
                continue;
            int a = xs__snapshot_sub_active(s, r, as_of), i;
            for (i = 0; i < nf && fam[i] != f; i++)
                ;
            if (i == nf) {
                if (nf == XS__OFFER_MAX_FAM) continue;
                fam[nf] = f, row[nf] = r, act[nf++] = a;
                continue;
            }
            /* active beats ended; then the latest start (active) or end */
            if (act[i] && !a) continue;
            if ((a && !act[i]) || (a && s->sub.start[r] > s->sub.start[row[i]]) ||
                (!a && s->sub.end[r] > s->sub.end[row[i]]))
                row[i] = r, act[i] = a;
        }
        double ten = xs__offer_tenure(s, c, as_of);
        int band = xs__offer_tenure_band(ten);
        for (int i = 0; i < nf; i++) {
            uint32_t r = row[i], p = s->sub.product[r];
            uint16_t f = fam[i];
            int32_t day = act[i] ? as_of : s->sub.end[r] - 1;
            if (act[i]) {
                en->up_n[p * XS__OFFER_N_BANDS + (size_t)band]++;
                for (int t = 0; t < XS__OFFER_N_TERMS; t++)
                    if (s->sub.term[r] >= (t == 0 ? 12 : t == 1 ? 24 : 36))
                        en->term_k[(p * XS__OFFER_N_BANDS + (size_t)band) *
                                       XS__OFFER_N_TERMS +
                                   (size_t)t]++;
            }
            for (uint32_t j = s->prod.family_off[f]; j < s->prod.family_off[f + 1]; j++) {
                uint32_t q = s->prod.family_products[j];
                if (s->prod.kind[q] != XS_SNAP_KIND_ADDON) continue;
                int held = 0;
                for (uint32_t k = s->cust.sub_off[c]; k < s->cust.sub_off[c + 1] && !held;
                     k++)
                    held = s->sub.product[k] == q && xs__snapshot_sub_active(s, k, day);
                size_t at = en->up_off[p] + (j - s->prod.family_off[f]);
                if (held && act[i]) en->up_k[at * XS__OFFER_N_BANDS + (size_t)band]++;
                xs__offer_ret *x = &en->ret[at * XS__OFFER_N_TCLS +
                                            (size_t)xs__offer_term_class(s->sub.term[r])];
                if (held)
                    x->n_with++, x->churn_with += !act[i];
                else
                    x->n_without++, x->churn_without += !act[i];
            }
        }
    }
    /* which add-ons protect */
    double min_n = en->cfg.retention_min_n, gap = en->cfg.retention_gap;
    for (size_t i = 0; i < tot * XS__OFFER_N_TCLS; i++) {
        xs__offer_ret *x = &en->ret[i];
        if ((double)x->n_with < min_n || (double)x->n_without < min_n || !x->n_with ||
            !x->n_without)
            continue;
        double rw = (double)x->churn_with / x->n_with;
        double ro = (double)x->churn_without / x->n_without;
        double se = sqrt(rw * (1 - rw) / x->n_with + ro * (1 - ro) / x->n_without);
        x->protective = ro - rw >= gap && ro - rw >= 2 * se;
    }
    return XS_OK;
}

void xs__offer_retention_free(xs_offer_engine *en)
{
    xs__free(en->up_off);
    xs__free(en->up_k);
    xs__free(en->up_n);
    xs__free(en->term_k);
    xs__free(en->ret);
}

/* Contract in offer_int.h. */
int xs__offer_at_risk(const xs_offer_engine *en, const xs__offer_cust *st)
{
    return st->cancel || st->p_churn >= en->risk_cut;
}

/* Contract in offer_int.h. */
const xs__offer_ret *xs__offer_retention_of(const xs_offer_engine *en, int32_t plan,
                                            uint32_t addon, unsigned term)
{
    const struct xs_snapshot *s = en->s;
    if (plan < 0 || s->prod.kind[plan] != XS_SNAP_KIND_PLAN) return NULL;
    uint16_t f = s->prod.family[plan];
    if (f == XS_SNAP_NONE16 || s->prod.family[addon] != f) return NULL;
    for (uint32_t j = s->prod.family_off[f]; j < s->prod.family_off[f + 1]; j++)
        if (s->prod.family_products[j] == addon)
            return &en->ret[(en->up_off[plan] + (j - s->prod.family_off[f])) *
                                XS__OFFER_N_TCLS +
                            (size_t)xs__offer_term_class(term)];
    return NULL;
}

/* Contract in offer_int.h. */
void xs__offer_uptake(const xs_offer_engine *en, int32_t plan, uint32_t q, int band,
                      uint32_t *k, uint32_t *n)
{
    const struct xs_snapshot *s = en->s;
    *k = *n = 0;
    if (plan < 0 || s->prod.kind[plan] != XS_SNAP_KIND_PLAN) return;
    uint16_t f = s->prod.family[plan];
    if (f == XS_SNAP_NONE16 || s->prod.family[q] != f) return;
    uint32_t j;
    for (j = s->prod.family_off[f]; j < s->prod.family_off[f + 1]; j++)
        if (s->prod.family_products[j] == q) break;
    size_t at = en->up_off[plan] + (j - s->prod.family_off[f]);
    size_t pb = (size_t)plan * XS__OFFER_N_BANDS;
    /* the band when it has enough customers, else every band of the plan */
    if (en->up_n[pb + (size_t)band] >= XS__OFFER_MIN_BAND) {
        *k = en->up_k[at * XS__OFFER_N_BANDS + (size_t)band];
        *n = en->up_n[pb + (size_t)band];
        return;
    }
    for (int b = 0; b < XS__OFFER_N_BANDS; b++) {
        *k += en->up_k[at * XS__OFFER_N_BANDS + (size_t)b];
        *n += en->up_n[pb + (size_t)b];
    }
}

/* Contract in offer_int.h. */
void xs__offer_term_uptake(const xs_offer_engine *en, int32_t plan, int slot, int band,
                           uint32_t *k, uint32_t *n)
{
    *k = *n = 0;
    if (plan < 0 || slot < 0) return;
    size_t pb = (size_t)plan * XS__OFFER_N_BANDS;
    int lo = band, hi = band + 1;
    if (en->up_n[pb + (size_t)band] < XS__OFFER_MIN_BAND) lo = 0, hi = XS__OFFER_N_BANDS;
    for (int b = lo; b < hi; b++) {
        *k += en->term_k[(pb + (size_t)b) * XS__OFFER_N_TERMS + (size_t)slot];
        *n += en->up_n[pb + (size_t)b];
    }
}

/* Contract in offer_int.h. */
double xs__offer_uptake_prior(uint32_t k, uint32_t n)
{
    return (k + 1.0) / (n + 2.0);
}
