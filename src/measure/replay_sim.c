/*
 * replay_sim.c — decision logs with a planted truth, to check the replay
 * estimators (tests/unit/test_replay.c, bench/bench_replay.c).
 *
 * Each simulated decision has 2 to 6 candidates of random kinds, each with
 * a true P(accept) (uniform 0.02-0.5) and a value (uniform 20-300); the
 * model's P(accept) is the truth times a log-normal error (sd 0.4), so the
 * q of the doubly robust estimator is wrong in a realistic way. The
 * candidates are ranked by the model's expected value (the engine's
 * ranking), the customer has a health (uniform 0-100) and, as the engine's
 * health gate would, only downsells when below the logging policy's
 * min_health. The logging policy
 * chooses with xs_policy_probs (its propensities are known exactly); the
 * reward is the value with the true probability, else 0. The replayed
 * policy decides each logged slot as `xsell replay` does (replay.h), and
 * its true value is the mean over the decisions of sum_a pi(a) p(a) v(a):
 * exact, given the simulated customers.
 */
#include "base/rng.h"
#include "measure/replay.h"

#include <math.h>
#include <string.h>

#define MAX_K 6

typedef struct sim_cand {
    xs_policy_cand pc;
    double p_true;
} sim_cand;

static int by_ev(const sim_cand *a, const sim_cand *b)
{
    return a->pc.ev > b->pc.ev;
}

/* Contract in xsell.h. */
int xs_replay_simulate(uint64_t seed, size_t n_dec, const xs_offer_config *logging,
                       const xs_offer_config *target, double *truth, xs_replay_result *r)
{
    xs__rng g;
    xs__rng_seed(&g, seed);
    xs_replay *rp = NULL;
    memset(r, 0, sizeof *r);
    *truth = 0;
    if (xs_replay_new(&rp) < 0) return XS_ENOMEM;
    double sum_truth = 0;
    for (size_t i = 0; i < n_dec; i++) {
        size_t k = 2 + (size_t)xs__rng_below(&g, MAX_K - 1);
        sim_cand c[MAX_K];
        memset(c, 0, sizeof c);
        double health = 100 * xs__rng_uniform(&g);
        for (size_t a = 0; a < k; a++) {
            /* only what the logging engine's health gate let through */
            do
                c[a].pc.kind = (xs_offer_kind)xs__rng_below(&g, XS_OFFER_N_KINDS);
            while (!xs__measure_replay_keeps(logging, c[a].pc.kind != XS_OFFER_DOWNSELL,
                                             health));
            c[a].p_true = 0.02 + 0.48 * xs__rng_uniform(&g);
            double p = c[a].p_true * exp(0.4 * xs__rng_normal(&g));
            c[a].pc.p_accept = p > 0.95 ? 0.95 : p;
            c[a].pc.value = 20 + 280 * xs__rng_uniform(&g);
            c[a].pc.ev = c[a].pc.p_accept * c[a].pc.value;
            c[a].pc.strength = 20;
        }
        for (size_t a = 1; a < k; a++) { /* the engine's ranking: ev descending */
            sim_cand t = c[a];
            size_t j = a;
            while (j > 0 && by_ev(&t, &c[j - 1])) {
                c[j] = c[j - 1];
                j--;
            }
            c[j] = t;
        }
        /* the logging policy's propensities and its choice */
        xs_policy_cand pl[MAX_K];
        double p_log[MAX_K], p_new[MAX_K], q[MAX_K];
        for (size_t a = 0; a < k; a++)
            pl[a] = c[a].pc;
        uint64_t s = xs__rng_next(&g);
        xs_policy_probs(logging, 1, pl, k, s);
        size_t chosen = xs_policy_choose(logging, 1, pl, k, xs__rng_uniform(&g), NULL);
        double reward = xs__rng_uniform(&g) < c[chosen].p_true ? c[chosen].pc.value : 0;
        /* the replayed policy over the candidates it keeps */
        xs_policy_cand pn[MAX_K];
        size_t at[MAX_K], m = 0;
        for (size_t a = 0; a < k; a++) {
            p_log[a] = pl[a].prob;
            q[a] = c[a].pc.ev;
            p_new[a] = 0;
            if (!xs__measure_replay_keeps(target, c[a].pc.kind != XS_OFFER_DOWNSELL,
                                          health))
                continue;
            pn[m] = c[a].pc;
            at[m++] = a;
        }
        xs__measure_replay_new_probs(target, 1, pn, at, m, xs__rng_next(&g), p_new);
        for (size_t a = 0; a < k; a++)
            sum_truth += p_new[a] * c[a].p_true * c[a].pc.value;
        xs_replay_add(rp, k, p_log, p_new, q, chosen, reward);
    }
    *truth = n_dec ? sum_truth / (double)n_dec : 0;
    int rc = xs_replay_finish(rp, r);
    xs_replay_free(rp);
    return rc;
}
