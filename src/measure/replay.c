/*
 * replay.c — off-policy estimators: what another policy would have earned
 * on decisions logged with their propensities (docs/replay.md).
 *
 * Each decision i offered action a_i, chosen by the logging policy with
 * probability p_i, and earned r_i. The replayed policy would have chosen
 * action a with probability pi(a); w_i = pi(a_i) / p_i. Then
 *   IPS   = (1/n) sum w_i r_i                       unbiased, high variance
 *   SNIPS = M sum w_i r_i / sum w_i                 slightly biased, steadier
 * (M: the mean probability the replayed policy offers anything, known
 * exactly; without it SNIPS would credit "no offer" with the offers'
 * rewards)
 *   DR    = (1/n) sum [ sum_a pi(a) q(a) + w_i (r_i - q(a_i)) ]
 * where q(a) is a model's expected reward of action a (the engine's
 * P(accept) x value): DR is unbiased when either the propensities or q are
 * right, and its variance is that of the model's residuals. The mass pi
 * gives to "no offer" (1 - sum_a pi(a)) earns 0, known exactly.
 *
 * Confidence intervals are normal approximations on the per-decision terms
 * (mean +- 1.96 standard errors; SNIPS by the delta method, the terms
 * w_i (r_i - SNIPS) / mean w). The effective sample size (sum w)^2 / sum w^2
 * says how many decisions the estimate is really worth: far below n means
 * the replayed policy rarely agrees with the logged one.
 *
 * Everything is kept as running sums, so a replay over millions of
 * decisions needs no memory per decision.
 */
#include "base/alloc.h"

#include "xsell.h"

#include <math.h>
#include <string.h>

#define Z95 1.959963984540054

struct xs_replay {
    double n;
    double sw, sw2, swr, swr2, sw2r,
        sw2r2;        /* sums of w, w^2, w r, (w r)^2, w^2 r, w^2 r^2 */
    double sdr, sdr2; /* sums of the DR terms and their squares */
    double sr;        /* sum of the logged rewards */
    double sr2;
    double max_w;
    double no_support;
    double sm; /* sum of the mass the new policy gives offers (1 - "no offer") */
};

/* Contract in xsell.h. */
int xs_replay_new(xs_replay **out)
{
    *out = xs__calloc(1, sizeof **out);
    return *out ? XS_OK : XS_ENOMEM;
}

/* Contract in xsell.h. */
void xs_replay_free(xs_replay *rp)
{
    xs__free(rp);
}

/* Contract in xsell.h. */
int xs_replay_add(xs_replay *rp, size_t n, const double *p_log, const double *p_new,
                  const double *q, size_t logged, double reward)
{
    if (logged >= n || !(p_log[logged] > 0) || !isfinite(reward)) return XS_EINVAL;
    double w = p_new[logged] / p_log[logged];
    double direct = 0, unsupported = 0, mass = 0;
    for (size_t a = 0; a < n; a++) {
        direct += p_new[a] * q[a];
        mass += p_new[a];
        if (!(p_log[a] > 0)) unsupported += p_new[a];
    }
    double dr = direct + w * (reward - q[logged]);
    rp->n += 1;
    rp->sw += w;
    rp->sw2 += w * w;
    rp->swr += w * reward;
    rp->swr2 += w * reward * w * reward;
    rp->sw2r += w * w * reward;
    rp->sw2r2 += w * w * reward * reward;
    rp->sdr += dr;
    rp->sdr2 += dr * dr;
    rp->sr += reward;
    rp->sr2 += reward * reward;
    if (w > rp->max_w) rp->max_w = w;
    rp->no_support += unsupported;
    rp->sm += mass;
    return XS_OK;
}

/* Mean of n terms with sum s and sum of squares s2, its standard error
 * (sample variance, n - 1) and the 95 % interval. */
static xs_replay_estimate mean_ci(double n, double s, double s2)
{
    xs_replay_estimate e;
    e.value = s / n;
    double var = n > 1 ? (s2 - s * s / n) / (n - 1) : 0;
    e.se = sqrt(var > 0 ? var / n : 0);
    e.lo = e.value - Z95 * e.se;
    e.hi = e.value + Z95 * e.se;
    return e;
}

/* Contract in xsell.h. */
int xs_replay_finish(const xs_replay *rp, xs_replay_result *r)
{
    if (!(rp->n > 0)) return XS_EINVAL;
    double n = rp->n;
    r->n_decisions = (size_t)n;
    xs_replay_estimate logged = mean_ci(n, rp->sr, rp->sr2);
    r->logged = logged.value;
    r->ips = mean_ci(n, rp->swr, rp->swr2);
    r->dr = mean_ci(n, rp->sdr, rp->sdr2);
    /* SNIPS: R = sum w r / sum w, scaled by the mean mass M the new
     * policy gives offers (E[w | x] is that mass, not 1, when it offers
     * nothing in some slots: "no offer" earns 0 and is not in the log);
     * terms u = w (r - R), se = M sd(u) / mean w / sqrt n */
    memset(&r->snips, 0, sizeof r->snips);
    if (rp->sw > 0) {
        double ratio = rp->swr / rp->sw, mw = rp->sw / n, m = rp->sm / n;
        double su2 = rp->sw2r2 - 2 * ratio * rp->sw2r + ratio * ratio * rp->sw2;
        double var = n > 1 ? su2 / (n - 1) : 0;
        r->snips.value = m * ratio;
        r->snips.se = m * sqrt(var > 0 ? var / n : 0) / mw;
        r->snips.lo = r->snips.value - Z95 * r->snips.se;
        r->snips.hi = r->snips.value + Z95 * r->snips.se;
    }
    r->ess = rp->sw2 > 0 ? rp->sw * rp->sw / rp->sw2 : 0;
    r->mean_weight = rp->sw / n;
    r->max_weight = rp->max_w;
    r->no_support = rp->no_support / n;
    return XS_OK;
}
