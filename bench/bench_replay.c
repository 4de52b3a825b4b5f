/*
 * bench_replay.c — how well and how fast replay estimates a policy it did
 * not run (docs/replay.md), on decision logs with a planted truth
 * (xs_replay_simulate: the true value of the replayed policy is known).
 *
 * Accuracy, per target policy and log size, over 100 seeded logs: the mean
 * absolute error of DR, IPS and SNIPS against the truth (DR / IPS is the
 * ratio reported), and how often each 95 % interval covers the truth. The
 * logging policy is epsilon-greedy 0.1 on every kind with the 2 % control
 * share. Targets:
 *   near  control 0, epsilon_upsell 0.4, min_health 60 (weights up to ~8)
 *   far   control 0, epsilon_downsell 1, Thompson on cross-sells
 *         (weights up to ~50: what a normal interval does with heavy tails)
 * Speed: ns per xs_policy_probs call on 5 candidates, greedy (the
 * baseline) against epsilon + control and Thompson (256 draws), and
 * decisions replayed per second by the simulation.
 *
 *   bench_replay [runs] [decisions]
 */
#include "xsell.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void set(xs_offer_config *c, const char *spec)
{
    xs_offer_config_init(c);
    if (xs_offer_config_set(c, spec, "spec", NULL) < 0) {
        fprintf(stderr, "bad spec %s\n", spec);
        exit(1);
    }
}

static void accuracy(const char *name, const xs_offer_config *lg,
                     const xs_offer_config *tg, int runs, size_t n)
{
    double e_dr = 0, e_ips = 0, e_sn = 0, ess = 0, maxw = 0;
    int c_dr = 0, c_ips = 0, c_sn = 0;
    double t0 = now();
    for (int s = 1; s <= runs; s++) {
        double truth;
        xs_replay_result r;
        if (xs_replay_simulate((uint64_t)s, n, lg, tg, &truth, &r) < 0) exit(1);
        e_dr += fabs(r.dr.value - truth);
        e_ips += fabs(r.ips.value - truth);
        e_sn += fabs(r.snips.value - truth);
        c_dr += r.dr.lo <= truth && truth <= r.dr.hi;
        c_ips += r.ips.lo <= truth && truth <= r.ips.hi;
        c_sn += r.snips.lo <= truth && truth <= r.snips.hi;
        ess += r.ess / (double)n;
        if (r.max_weight > maxw) maxw = r.max_weight;
    }
    double t = now() - t0;
    printf("%-5s %7zu  |err| DR %7.3f  IPS %7.3f  SNIPS %7.3f  DR/IPS %.2f  cover DR %3d "
           "IPS %3d"
           " SNIPS %3d of %d  ESS/n %.2f  max w %.1f  %.2f M decisions/s\n",
           name, n, e_dr / runs, e_ips / runs, e_sn / runs, e_dr / e_ips, c_dr, c_ips,
           c_sn, runs, ess / runs, maxw, (double)runs * (double)n / t / 1e6);
}

static double probs_ns(const xs_offer_config *c, long iters)
{
    xs_policy_cand k[5];
    for (int i = 0; i < 5; i++) {
        memset(&k[i], 0, sizeof k[i]);
        k[i].kind = (xs_offer_kind)(i % 3);
        k[i].p_accept = 0.1 + 0.05 * i;
        k[i].value = 300 - 40 * i;
        k[i].ev = k[i].p_accept * k[i].value;
        k[i].strength = 40;
    }
    double sink = 0, t0 = now();
    for (long i = 0; i < iters; i++) {
        xs_policy_probs(c, 1, k, 5, (uint64_t)i);
        sink += k[i % 5].prob;
    }
    double t = now() - t0;
    if (sink < 0) puts("");
    return t / (double)iters * 1e9;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 100;
    size_t n = argc > 2 ? (size_t)atol(argv[2]) : 2000;
    xs_offer_config lg, near, far, greedy, eps, ts;
    set(&lg, "epsilon_upsell=0.1,epsilon_cross_sell=0.1,epsilon_downsell=0.1");
    set(&near, "control_share=0,epsilon_upsell=0.4,min_health=60");
    set(&far, "control_share=0,epsilon_downsell=1,thompson_cross_sell=1");
    printf("planted truth, %d seeded logs each (logging: epsilon 0.1 + control 0.02)\n",
           runs);
    accuracy("near", &lg, &near, runs, n);
    accuracy("near", &lg, &near, runs, n * 10);
    accuracy("far", &lg, &far, runs, n);
    accuracy("far", &lg, &far, runs, n * 10);
    set(&greedy, "control_share=0");
    set(&eps, "control_share=0.02,epsilon_upsell=0.1,epsilon_cross_sell=0.1");
    set(&ts,
        "control_share=0.02,thompson_upsell=1,thompson_cross_sell=1,thompson_downsell=1");
    double g = probs_ns(&greedy, 2000000), e = probs_ns(&eps, 2000000),
           t = probs_ns(&ts, 20000);
    printf("xs_policy_probs, 5 candidates: greedy %.1f ns (baseline), epsilon + control "
           "%.1f ns"
           " (%.2fx), Thompson %.0f ns (%.0fx)\n",
           g, e, e / g, t, t / g);
    return 0;
}
