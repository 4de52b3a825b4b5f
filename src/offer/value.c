/*
 * value.c — P(accept), value and expected value of the candidates, and the
 * channel they go out on.
 *
 * The propensity model is a logistic regression fitted by our own IRLS
 * (Newton) on the offers history: every offer sent on or before as_of and
 * decided by then (accepted = 1; declined or ignored = 0; pending left out),
 * with the features intercept, kind (cross-sell, downsell dummies), channel
 * (in_app, csm, webinar, sns dummies; email is the base), the customer's
 * health / 100, the timing of the offer in the customer's life (years since
 * signup at sending, capped at 3) and the product line (1 for a one-off
 * shop product, 0 for a plan or add-on). Health is today's, not the health at the time
 * the offer was sent (the snapshot does not keep the past scores): a known approximation,
 * documented in docs/offers.md.
 *
 * P(accept) of a candidate on channel ch:
 *   p_model = logistic(beta . x(kind, ch, health)) x seg_factor[segment][ch]
 *   p_base  = (N_kind p_model + m0 prior) / (N_kind + m0)   (m0 = prior_strength)
 *   p       = min(0.95, p_base x (A + m) / (E + m))        (m = customer_strength)
 * where prior is the cold-start prior of the trigger (rule confidence for a
 * cross-sell), N_kind the decided offers of that kind in the history, A the
 * customer's accepted past offers and E the model's expected number of
 * them: a customer who accepts more than the model expects is more likely
 * to accept again, shrunk toward the model by m pseudo-offers. Without
 * enough history (min_history) p_base is the prior. The channel is the
 * consented one with the highest p_model x seg_factor (ties: in_app,
 * email, csm, webinar, sns).
 *
 * Personal priors (candidates.c, retention.c): without a history the prior
 * is what is known of this customer, never one constant for every one: an
 * add-on's (or a longer term's) uptake among the active customers of the
 * same plan and tenure band, (k + 1) / (n + 2); a rule's confidence for a
 * cross-sell; half the customer's P(churn) (within [0.05, 0.5]) for a
 * retention offer. xs__offer_prior_text() names the source for the
 * evidence. The trigger's constant is left only where nothing personal is
 * known (usage, seats, renewal, low usage, cancel, shop upgrade).
 *
 * seg_factor[segment][ch] = r(segment, ch) / r(ch): the response rate of
 * the customer's segment on that channel, shrunk toward the channel's rate
 * by 10 pseudo-offers, relative to the channel's rate; clipped to [0.5, 2].
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void xs__offer_features(int kind, int ch, double h, double tenure, int shop, double *x)
{
    x[0] = 1;
    x[1] = kind == XS_SNAP_OFFER_CROSS_SELL;
    x[2] = kind == XS_SNAP_OFFER_DOWNSELL;
    x[3] = ch == XS_SNAP_CH_IN_APP;
    x[4] = ch == XS_SNAP_CH_CSM;
    x[5] = ch == XS_SNAP_CH_WEBINAR;
    x[6] = ch == XS_SNAP_CH_SNS;
    x[7] = (isnan(h) ? 50 : h) / 100;
    x[8] = (tenure < 0 ? 0 : tenure > 1095 ? 1095 : tenure) / 365;
    x[9] = shop != 0;
}

double xs__offer_tenure(const struct xs_snapshot *s, uint32_t c, int32_t d)
{
    int32_t su = s->cust.signup[c];
    return su == XS_SNAP_NO_DATE ? 0 : (double)(d - su);
}

double xs__offer_model_p(const xs_offer_engine *en, int kind, int ch, double h,
                         double tenure, int shop)
{
    if (!en->fitted) return 0.2;
    double x[XS__OFFER_NFEAT], z = 0;
    xs__offer_features(kind, ch, h, tenure, shop, x);
    for (int j = 0; j < XS__OFFER_NFEAT; j++)
        z += en->beta[j] * x[j];
    return 1 / (1 + exp(-z));
}

/* Solves A x = b (n x n, row-major, destroyed) by Gaussian elimination with
 * partial pivoting. Returns 0, or -1 when singular. */
static int solve(double *A, double *b, int n)
{
    for (int k = 0; k < n; k++) {
        int piv = k;
        for (int i = k + 1; i < n; i++)
            if (fabs(A[i * n + k]) > fabs(A[piv * n + k])) piv = i;
        if (fabs(A[piv * n + k]) < 1e-12) return -1;
        if (piv != k) {
            for (int j = 0; j < n; j++) {
                double t = A[k * n + j];
                A[k * n + j] = A[piv * n + j];
                A[piv * n + j] = t;
            }
            double t = b[k];
            b[k] = b[piv];
            b[piv] = t;
        }
        for (int i = k + 1; i < n; i++) {
            double f = A[i * n + k] / A[k * n + k];
            for (int j = k; j < n; j++)
                A[i * n + j] -= f * A[k * n + j];
            b[i] -= f * b[k];
        }
    }
    for (int k = n - 1; k >= 0; k--) {
        double v = b[k];
        for (int j = k + 1; j < n; j++)
            v -= A[k * n + j] * b[j];
        b[k] = v / A[k * n + k];
    }
    return 0;
}

int xs__offer_fit(xs_offer_engine *en)
{
    const struct xs_snapshot *s = en->s;
    enum { D = XS__OFFER_NFEAT };
    size_t n = 0;
    double acc_c[XS_SNAP_N_CHANNELS] = {0}, n_c[XS_SNAP_N_CHANNELS] = {0};
    double(*acc_sc)[XS_SNAP_N_CHANNELS] = xs__calloc(256, sizeof *acc_sc);
    double(*n_sc)[XS_SNAP_N_CHANNELS] = xs__calloc(256, sizeof *n_sc);
    uint32_t *rows = xs__malloc((s->off.n ? s->off.n : 1) * sizeof *rows);
    if (!acc_sc || !n_sc || !rows) {
        xs__free(acc_sc);
        xs__free(n_sc);
        xs__free(rows);
        return XS_ENOMEM;
    }
    memset(en->n_hist, 0, sizeof en->n_hist);
    for (uint32_t r = 0; r < s->off.n; r++) {
        if (s->off.sent[r] > en->as_of || s->off.outcome[r] == XS_SNAP_OUT_PENDING)
            continue;
        if (s->off.outcome[r] == XS_SNAP_OUT_ACCEPTED &&
            s->off.outcome_at[r] != XS_SNAP_NO_DATE && s->off.outcome_at[r] > en->as_of)
            continue; /* decided after as_of: not known yet */
        rows[n++] = r;
        int acc = s->off.outcome[r] == XS_SNAP_OUT_ACCEPTED;
        int ch = s->off.channel[r];
        uint16_t sg = s->cust.segment[s->off.customer[r]];
        if (sg > 255) sg = 255;
        en->n_hist[s->off.kind[r]]++;
        acc_c[ch] += acc;
        n_c[ch]++;
        acc_sc[sg][ch] += acc;
        n_sc[sg][ch]++;
    }
    for (int sg = 0; sg < 256; sg++)
        for (int ch = 0; ch < XS_SNAP_N_CHANNELS; ch++) {
            double rc = (acc_c[ch] + 1) / (n_c[ch] + 2);
            double rs = (acc_sc[sg][ch] + 10 * rc) / (n_sc[sg][ch] + 10);
            double f = rs / rc;
            en->seg_factor[sg][ch] = f < 0.5 ? 0.5 : f > 2 ? 2 : f;
        }
    en->fitted = 0;
    memset(en->beta, 0, sizeof en->beta);
    if ((double)n >= en->cfg.min_history && n > 0) {
        double beta[D] = {0};
        int ok = 0;
        for (int it = 0; it < 30; it++) {
            double A[D * D] = {0}, g[D] = {0}, x[D];
            for (size_t i = 0; i < n; i++) {
                uint32_t r = rows[i];
                uint32_t cu = s->off.customer[r];
                xs__offer_features(
                    s->off.kind[r], s->off.channel[r], en->health[cu],
                    xs__offer_tenure(s, cu, s->off.sent[r]),
                    s->prod.kind[s->off.product[r]] == XS_SNAP_KIND_PRODUCT, x);
                double z = 0;
                for (int j = 0; j < D; j++)
                    z += beta[j] * x[j];
                double p = 1 / (1 + exp(-z));
                double w = p * (1 - p), y = s->off.outcome[r] == XS_SNAP_OUT_ACCEPTED;
                for (int j = 0; j < D; j++) {
                    g[j] += (y - p) * x[j];
                    for (int k = 0; k < D; k++)
                        A[j * D + k] += w * x[j] * x[k];
                }
            }
            /* a small ridge keeps channels or kinds absent from the
             * history (all-zero columns) solvable; their beta stays 0 */
            for (int j = 0; j < D; j++)
                A[j * D + j] += 1e-3, g[j] -= 1e-3 * beta[j];
            if (solve(A, g, D) < 0) break;
            double step = 0;
            for (int j = 0; j < D; j++)
                beta[j] += g[j], step += fabs(g[j]);
            if (step < 1e-9) {
                ok = 1;
                break;
            }
            ok = 1;
        }
        if (ok) {
            memcpy(en->beta, beta, sizeof beta);
            en->fitted = 1;
        }
    }
    xs__free(acc_sc);
    xs__free(n_sc);
    xs__free(rows);
    return XS_OK;
}

double xs__offer_churn_estimate(const xs_offer_engine *en, const xs__offer_cust *st)
{
    double h = isnan(st->health) ? 50 : st->health;
    int low = 0;
    for (int i = 0; i < st->n_fam; i++) {
        const xs__offer_fam *x = &st->fam[i];
        for (int m = 0; m < x->n_met; m++)
            if (x->met[m] == en->seats_code && x->cap[m] > 0 && !isnan(x->used[m]) &&
                x->used[m] < en->cfg.usage_low * x->cap[m])
                low = 1;
    }
    double z =
        -2.0 + 0.12 * (40 - h) + 2.0 * st->cancel + 1.0 * low + 0.5 * st->open_critical;
    return 1 / (1 + exp(-z));
}

/* Channels in the order ties are broken (cheapest, least intrusive first). */
static const int ch_order[XS_SNAP_N_CHANNELS] = {XS_SNAP_CH_IN_APP, XS_SNAP_CH_EMAIL,
                                                 XS_SNAP_CH_CSM, XS_SNAP_CH_WEBINAR,
                                                 XS_SNAP_CH_SNS};

/* xs__offer_model_p for one customer (health h, tenure ten), each (kind,
 * shop, channel) computed once: a decision asks the same few of them for
 * every candidate. */
typedef struct model_memo {
    const xs_offer_engine *en;
    double h, ten;
    uint8_t have[XS_OFFER_N_KINDS][2][XS_SNAP_N_CHANNELS];
    double p[XS_OFFER_N_KINDS][2][XS_SNAP_N_CHANNELS];
} model_memo;

static double memo_p(model_memo *mm, int kind, int ch, int shop)
{
    if ((unsigned)kind >= XS_OFFER_N_KINDS || (unsigned)ch >= XS_SNAP_N_CHANNELS)
        return xs__offer_model_p(mm->en, kind, ch, mm->h, mm->ten, shop);
    if (!mm->have[kind][shop][ch]) {
        mm->p[kind][shop][ch] = xs__offer_model_p(mm->en, kind, ch, mm->h, mm->ten, shop);
        mm->have[kind][shop][ch] = 1;
    }
    return mm->p[kind][shop][ch];
}

void xs__offer_value(const xs_offer_engine *en, const xs__offer_cust *st, xs_offer *o,
                     size_t n)
{
    const xs_offer_config *cfg = &en->cfg;
    uint16_t sg = en->s->cust.segment[st->c];
    if (sg > 255) sg = 255;
    double mult =
        (st->hist_acc + cfg->customer_strength) / (st->hist_exp + cfg->customer_strength);
    if (!(mult > 0) || !isfinite(mult)) mult = 1;
    double ten = xs__offer_tenure(en->s, st->c, en->as_of);
    model_memo mm;
    mm.en = en;
    mm.h = st->health;
    mm.ten = ten;
    memset(mm.have, 0, sizeof mm.have);
    for (size_t i = 0; i < n; i++) {
        xs_offer *x = &o[i];
        if (x->kind != XS_OFFER_DOWNSELL && x->trigger != XS_TRIG_TERM &&
            x->trigger != XS_TRIG_RETENTION_ADDON)
            x->value = x->revenue_delta;
        int shop =
            x->to_product >= 0 && en->s->prod.kind[x->to_product] == XS_SNAP_KIND_PRODUCT;
        int best = -1;
        double best_p = -1;
        for (int k = 0; k < XS_SNAP_N_CHANNELS; k++) {
            int ch = ch_order[k];
            if (!((st->consent >> ch) & 1)) continue;
            double p = en->fitted
                           ? memo_p(&mm, (int)x->kind, ch, shop) * en->seg_factor[sg][ch]
                           : 1.0 - 0.01 * k;
            if (p > best_p) best_p = p, best = ch;
        }
        x->channel = best;
        double pb = x->p_prior;
        if (en->fitted) {
            int ch = best >= 0 ? best : XS_SNAP_CH_EMAIL;
            double pm = memo_p(&mm, (int)x->kind, ch, shop) * en->seg_factor[sg][ch];
            double nk = (double)en->n_hist[x->kind], m0 = cfg->prior_strength;
            pb = (nk * pm + m0 * x->p_prior) / (nk + m0 > 0 ? nk + m0 : 1);
        }
        double p = pb * mult;
        x->p_accept = p < 0 ? 0 : p > 0.95 ? 0.95 : p;
        x->ev = x->p_accept * x->value;
    }
}

/* Contract in offer_int.h. */
const char *xs__offer_prior_text(const xs_offer_engine *en, const xs_offer *o, char *b,
                                 size_t n)
{
    static const char *const bands[XS__OFFER_N_BANDS] = {
        "under 1 year", "1-2 years", "2-4 years", "4 years or more"};
    const struct xs_snapshot *s = en->s;
    size_t w = 0;
    char num[XS__FMT_FIXED_MAX];
    if (n) b[0] = '\0';
    switch (o->prior_src) {
    case XS_PRIOR_RULE: /* the texts of every request without printf */
        xs__offer_put_s(b, n, &w, "rule confidence");
        break;
    case XS_PRIOR_CHURN:
        xs__fmt_fixed(num, o->p_churn, 3);
        xs__offer_put_s(b, n, &w, "churn risk ");
        xs__offer_put_s(b, n, &w, num);
        break;
    case XS_PRIOR_UPTAKE: {
        int32_t plan = o->trigger == XS_TRIG_TERM ? o->from_product : o->rule_from;
        if (plan < 0) break;
        int band = xs__offer_tenure_band(xs__offer_tenure(s, o->customer, en->as_of));
        int all = en->up_n[(size_t)plan * XS__OFFER_N_BANDS + (size_t)band] <
                  XS__OFFER_MIN_BAND;
        snprintf(b, n, "uptake%s among %s customers%s%s: %u of %u",
                 o->trigger == XS_TRIG_TERM ? " of the longer term" : "",
                 xs__intern_str(&s->prod.ids, (uint32_t)plan), all ? "" : " of ",
                 all ? "" : bands[band], (unsigned)o->prior_k, (unsigned)o->prior_n);
        break;
    }
    default:
        xs__offer_put_s(b, n, &w, xs_offer_trigger_name(o->trigger));
        xs__offer_put_s(b, n, &w, " prior");
        break;
    }
    return b;
}
