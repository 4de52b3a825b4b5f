/*
 * test_replay.c — exploration, logged propensities and the replay
 * estimators (docs/replay.md): the policy's probabilities against their
 * closed forms, draws that follow them, the engine's logged decisions
 * (propensities summing to 1 over each slot's candidates, the default
 * decisions unchanged), the store round trip, IPS / SNIPS / DR against
 * hand-computed values on tiny logs, and 100 seeded runs of logs with a
 * planted truth whose DR interval must cover the truth at least 90 times.
 */
#include "test.h"

#include "measure/replay.h"
#include "store_fixture.h"
#include "xsell.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static xs_policy_cand cand(xs_offer_kind k, double p, double v)
{
    xs_policy_cand c;
    memset(&c, 0, sizeof c);
    c.kind = k;
    c.p_accept = p;
    c.value = v;
    c.ev = p * v;
    c.strength = 20;
    return c;
}

/* ---------------------------------------------------------------------- */
/* The policy of one slot                                                 */
/* ---------------------------------------------------------------------- */

static void test_probs_closed_form(void)
{
    xs_offer_config cfg;
    xs_offer_config_init(&cfg);
    xs_policy_cand c[3] = {cand(XS_OFFER_UPSELL, 0.3, 100),
                           cand(XS_OFFER_CROSS_SELL, 0.2, 100),
                           cand(XS_OFFER_DOWNSELL, 0.1, 100)};
    /* defaults, not logged: greedy */
    CHECK_INT(xs_policy_probs(&cfg, 0, c, 3, 1), 0);
    CHECK_NEAR(c[0].prob, 1, 0);
    CHECK_NEAR(c[1].prob, 0, 0);
    /* logged: the auto control share 0.02 */
    CHECK_INT(xs_policy_probs(&cfg, 1, c, 3, 1), 1);
    CHECK_NEAR(c[0].prob, 0.02 / 3 + 0.98, 1e-15);
    CHECK_NEAR(c[2].prob, 0.02 / 3, 1e-15);
    /* control 0.1 and epsilon 0.2 of the greedy choice's kind (upsell):
     * uniform share 0.1 + 0.9 x 0.2 = 0.28 */
    CHECK_INT(
        xs_offer_config_set(&cfg, "control_share=0.1,epsilon_upsell=0.2", "--set", NULL),
        XS_OK);
    xs_policy_probs(&cfg, 1, c, 3, 1);
    CHECK_NEAR(c[0].prob, 0.28 / 3 + 0.72, 1e-15);
    CHECK_NEAR(c[1].prob, 0.28 / 3, 1e-15);
    CHECK_NEAR(c[0].prob + c[1].prob + c[2].prob, 1, 1e-15);
    /* the epsilon of another kind does not act on an upsell's slot */
    xs_offer_config_init(&cfg);
    CHECK_INT(
        xs_offer_config_set(&cfg, "control_share=0,epsilon_downsell=0.5", "--set", NULL),
        XS_OK);
    CHECK_INT(xs_policy_probs(&cfg, 1, c, 3, 1), 0);
    CHECK_NEAR(c[0].prob, 1, 0);
    /* one candidate: probability 1 whatever the settings */
    CHECK_INT(xs_offer_config_set(&cfg, "control_share=0.5", "--set", NULL), XS_OK);
    xs_policy_probs(&cfg, 1, c, 1, 1);
    CHECK_NEAR(c[0].prob, 1, 1e-15);
    CHECK_INT(xs_policy_probs(&cfg, 1, c, 0, 1), XS_EINVAL);
}

static void test_thompson(void)
{
    xs_offer_config cfg;
    xs_offer_config_init(&cfg);
    CHECK_INT(
        xs_offer_config_set(&cfg, "control_share=0,thompson_upsell=1", "--set", NULL),
        XS_OK);
    /* close expected values, weak evidence: both win sometimes */
    xs_policy_cand c[2] = {cand(XS_OFFER_UPSELL, 0.30, 100),
                           cand(XS_OFFER_UPSELL, 0.28, 100)};
    CHECK_INT(xs_policy_probs(&cfg, 0, c, 2, 42), 1);
    CHECK_NEAR(c[0].prob + c[1].prob, 1, 1e-12);
    CHECK(c[0].prob > 0.3 && c[0].prob < 0.8);
    /* the same seed gives the same numbers */
    xs_policy_cand d[2] = {c[0], c[1]};
    xs_policy_probs(&cfg, 0, d, 2, 42);
    CHECK_NEAR(d[0].prob, c[0].prob, 0);
    /* overwhelming evidence: Thompson is the greedy choice */
    c[0].strength = c[1].strength = 1e9;
    xs_policy_probs(&cfg, 0, c, 2, 42);
    CHECK_NEAR(c[0].prob, 1, 0);
    /* a kind without Thompson keeps its point estimate: a far better
     * downsell always wins */
    xs_policy_cand e[2] = {cand(XS_OFFER_DOWNSELL, 0.9, 1000),
                           cand(XS_OFFER_UPSELL, 0.01, 1)};
    xs_policy_probs(&cfg, 0, e, 2, 7);
    CHECK_NEAR(e[0].prob, 1, 0);
}

static void test_choose_follows_probs(void)
{
    xs_offer_config cfg;
    xs_offer_config_init(&cfg);
    CHECK_INT(xs_offer_config_set(
                  &cfg, "control_share=0.1,epsilon_upsell=0.2,thompson_upsell=1", "--set",
                  NULL),
              XS_OK);
    xs_policy_cand c[3] = {cand(XS_OFFER_UPSELL, 0.3, 100),
                           cand(XS_OFFER_UPSELL, 0.25, 110),
                           cand(XS_OFFER_CROSS_SELL, 0.2, 100)};
    xs_policy_probs(&cfg, 1, c, 3, 9);
    /* u on an even grid: each index gets its probability's share of [0, 1) */
    size_t n = 100000, hits[3] = {0}, by_how[3] = {0};
    for (size_t i = 0; i < n; i++) {
        xs_decision_how how;
        size_t k = xs_policy_choose(&cfg, 1, c, 3, ((double)i + 0.5) / (double)n, &how);
        CHECK(k < 3);
        if (k < 3) hits[k]++;
        by_how[how]++;
    }
    for (int k = 0; k < 3; k++)
        CHECK_NEAR((double)hits[k] / (double)n, c[k].prob, 2e-5);
    CHECK_NEAR((double)by_how[XS_HOW_CONTROL] / (double)n, 0.1, 2e-5);
    /* Thompson spreads the inner choice: every draw past the control share
     * is exploration */
    CHECK_NEAR((double)by_how[XS_HOW_EXPLORE] / (double)n, 0.9, 2e-5);
    CHECK_INT(by_how[XS_HOW_GREEDY], 0);
    CHECK_STR(xs_decision_how_name(XS_HOW_CONTROL), "control");
}

static void test_settings_checked(void)
{
    xs_offer_config cfg;
    xs_error e;
    xs_offer_config_init(&cfg);
    CHECK_NEAR(cfg.control_share, -1, 0);
    CHECK_INT(xs_offer_config_set(&cfg, "control_share=1.5", "--set", &e), XS_EINVAL);
    CHECK_STR(e.message, "control_share: expected a share from 0 to 1, got 1.5");
    CHECK_INT(xs_offer_config_set(&cfg, "thompson_downsell=2", "--set", &e), XS_EINVAL);
    CHECK_STR(e.message, "thompson_downsell: expected 0 (off) or 1 (on), got 2");
    CHECK_NEAR(cfg.thompson_downsell, 0, 0); /* unchanged on error */
    char buf[400];
    xs_offer_config_init(&cfg);
    CHECK_STR(
        xs_policy_text(&cfg, 1, buf, sizeof buf),
        "control_share=0.02,epsilon_upsell=0,epsilon_cross_sell=0,epsilon_downsell=0,"
        "thompson_upsell=0,thompson_cross_sell=0,thompson_downsell=0,explore_seed=0,"
        "max_offers=2,min_health=50");
    CHECK(strstr(xs_policy_text(&cfg, 0, buf, sizeof buf), "control_share=0,") == buf);
}

/* ---------------------------------------------------------------------- */
/* The engine's logged decisions                                          */
/* ---------------------------------------------------------------------- */

static xs_snapshot *fixture(void)
{
    return xs_fixture_snapshot("replay", "offer", NULL);
}

static void test_engine_default_unchanged(void)
{
    xs_snapshot *s = fixture();
    xs_offer_config a, b;
    xs_offer_config_init(&a);
    xs_offer_config_init(&b);
    b.control_share = 0;
    xs_offer_engine *ea = NULL, *eb = NULL;
    CHECK_INT(xs_offer_engine_new(s, &a, "2026-06-30", &ea, NULL), XS_OK);
    CHECK_INT(xs_offer_engine_new(s, &b, "2026-06-30", &eb, NULL), XS_OK);
    size_t offered = 0;
    for (uint32_t c = 0; ea && eb && c < xs_offer_engine_n_customers(ea); c++) {
        xs_offer x[XS_OFFER_MAX_CANDIDATES], y[XS_OFFER_MAX_CANDIDATES];
        xs_decision d[XS_OFFER_MAX_CANDIDATES];
        size_t nd;
        int nx = xs_offer_decide(ea, c, x, XS_OFFER_MAX_CANDIDATES);
        /* greedy and logged without a control share: the same decisions */
        int ny = xs_offer_decide_logged(eb, c, y, d, XS_OFFER_MAX_CANDIDATES, &nd);
        CHECK_INT(nx, ny);
        for (int i = 0; i < nx && i < ny; i++) {
            CHECK_INT(x[i].rank, y[i].rank);
            CHECK_INT(x[i].guard, y[i].guard);
            CHECK_INT(x[i].to_product, y[i].to_product);
            CHECK_NEAR(x[i].propensity, x[i].rank > 0 ? 1 : 0, 0);
            if (x[i].rank > 0) offered++;
        }
        for (size_t k = 0; k < nd; k++) {
            CHECK_INT(d[k].slot, (int)k + 1);
            CHECK_INT(d[k].how, XS_HOW_GREEDY);
            CHECK_NEAR(d[k].prob[d[k].chosen], 1, 0);
            CHECK_INT(y[d[k].cand[d[k].chosen]].rank, d[k].slot);
        }
    }
    CHECK(offered > 5);
    xs_offer_engine_free(ea);
    xs_offer_engine_free(eb);
    xs_snapshot_free(s);
}

static void test_engine_propensities_sum_to_one(void)
{
    xs_snapshot *s = fixture();
    xs_offer_config cfg;
    xs_offer_config_init(&cfg);
    CHECK_INT(
        xs_offer_config_set(&cfg,
                            "control_share=0.3,epsilon_upsell=0.5,thompson_cross_sell=1,"
                            "explore_seed=3",
                            "--set", NULL),
        XS_OK);
    xs_offer_engine *en = NULL;
    CHECK_INT(xs_offer_engine_new(s, &cfg, "2026-06-30", &en, NULL), XS_OK);
    size_t n_dec = 0, n_multi = 0, n_moved = 0;
    for (uint32_t c = 0; en && c < xs_offer_engine_n_customers(en); c++) {
        xs_offer o[XS_OFFER_MAX_CANDIDATES], again[XS_OFFER_MAX_CANDIDATES];
        xs_decision d[XS_OFFER_MAX_CANDIDATES];
        size_t nd;
        int n = xs_offer_decide_logged(en, c, o, d, XS_OFFER_MAX_CANDIDATES, &nd);
        size_t offered = 0;
        for (int i = 0; i < n; i++)
            if (o[i].rank > 0) offered++;
        CHECK_INT(nd, offered);
        for (size_t k = 0; k < nd; k++) {
            double sum = 0;
            for (size_t j = 0; j < d[k].n_cand; j++) {
                sum += d[k].prob[j];
                CHECK(d[k].prob[j] > 0); /* the control share reaches everyone */
                const xs_offer *x = &o[d[k].cand[j]];
                CHECK(x->guard == XS_GUARD_NONE || x->guard == XS_GUARD_LIMIT);
            }
            CHECK_NEAR(sum, 1, 1e-12);
            const xs_offer *ch = &o[d[k].cand[d[k].chosen]];
            CHECK_INT(ch->rank, d[k].slot);
            CHECK_NEAR(ch->propensity, d[k].prob[d[k].chosen], 0);
            if (d[k].n_cand > 1) n_multi++;
            if (d[k].how != XS_HOW_GREEDY) n_moved++;
        }
        n_dec += nd;
        /* reproducible: the same customer on the same day decides the same */
        size_t nd2;
        xs_decision d2[XS_OFFER_MAX_CANDIDATES];
        CHECK_INT(xs_offer_decide_logged(en, c, again, d2, XS_OFFER_MAX_CANDIDATES, &nd2),
                  n);
        CHECK(!memcmp(o, again, (size_t)n * sizeof *o));
        /* one offer per product family among the offered */
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (o[i].rank > 0 && o[j].rank > 0)
                    CHECK(o[i].to_product != o[j].to_product);
    }
    CHECK(n_dec > 5);
    CHECK(n_multi > 3);
    CHECK(n_moved > 0);
    xs_offer_engine_free(en);
    xs_snapshot_free(s);
}

/* ---------------------------------------------------------------------- */
/* The estimators on tiny logs                                            */
/* ---------------------------------------------------------------------- */

static void test_estimators_closed_form(void)
{
    xs_replay *rp = NULL;
    xs_replay_result r;
    CHECK_INT(xs_replay_new(&rp), XS_OK);
    CHECK_INT(xs_replay_finish(rp, &r), XS_EINVAL);
    double pl[2] = {0.8, 0.2}, pn[2] = {0.5, 0.5}, q[2] = {10, 20};
    CHECK_INT(xs_replay_add(rp, 2, pl, pn, q, 0, 12), XS_OK); /* w 0.625 */
    CHECK_INT(xs_replay_add(rp, 2, pl, pn, q, 1, 0), XS_OK);  /* w 2.5 */
    double bad[2] = {1, 0};
    CHECK_INT(xs_replay_add(rp, 2, bad, pn, q, 1, 0), XS_EINVAL);
    CHECK_INT(xs_replay_add(rp, 2, pl, pn, q, 2, 0), XS_EINVAL);
    CHECK_INT(xs_replay_finish(rp, &r), XS_OK);
    CHECK_INT(r.n_decisions, 2);
    CHECK_NEAR(r.logged, 6, 1e-12);
    /* IPS terms 7.5 and 0 */
    CHECK_NEAR(r.ips.value, 3.75, 1e-12);
    CHECK_NEAR(r.ips.se, 3.75, 1e-12);
    CHECK_NEAR(r.ips.lo, 3.75 - 1.959963984540054 * 3.75, 1e-9);
    /* SNIPS 7.5 / 3.125; terms w (r - V): 6 and -6, mean w 1.5625 */
    CHECK_NEAR(r.snips.value, 2.4, 1e-12);
    CHECK_NEAR(r.snips.se, 6 / 1.5625, 1e-12);
    /* DR terms 15 + 0.625 x 2 = 16.25 and 15 + 2.5 x (0 - 20) = -35 */
    CHECK_NEAR(r.dr.value, -9.375, 1e-12);
    CHECK_NEAR(r.dr.se, 25.625, 1e-12);
    CHECK_NEAR(r.ess, 3.125 * 3.125 / (0.625 * 0.625 + 2.5 * 2.5), 1e-12);
    CHECK_NEAR(r.mean_weight, 1.5625, 1e-12);
    CHECK_NEAR(r.max_weight, 2.5, 0);
    CHECK_NEAR(r.no_support, 0, 0);
    xs_replay_free(rp);

    /* "no offer" (mass 0.7) earns 0; a candidate never logged (p 0) is
     * counted as unsupported */
    CHECK_INT(xs_replay_new(&rp), XS_OK);
    double pl3[3] = {0.8, 0.2, 0}, pn3[3] = {0.3, 0, 0.2}, q3[3] = {10, 20, 50};
    CHECK_INT(xs_replay_add(rp, 3, pl3, pn3, q3, 0, 10), XS_OK);
    CHECK_INT(xs_replay_finish(rp, &r), XS_OK);
    CHECK_NEAR(r.ips.value, 0.375 * 10, 1e-12);
    CHECK_NEAR(r.snips.value, 0.5 * 10, 1e-12); /* offers in half the mass */
    CHECK_NEAR(r.dr.value, 0.3 * 10 + 0.2 * 50, 1e-12);
    CHECK_NEAR(r.ips.se, 0, 0); /* one decision: no spread to measure */
    CHECK_NEAR(r.no_support, 0.2, 1e-12);
    xs_replay_free(rp);
}

static void test_cands_read(void)
{
    xs__measure_replay_cand c[4];
    size_t n;
    CHECK_INT(xs__measure_replay_cands_read(
                  " [{\"kind\":\"upsell\",\"trigger\":\"usage\",\"product\":\"a\\\"b\","
                  "\"p_accept\":0.25,\"value\":100,\"ev\":25,\"strength\":20,"
                  "\"health\":null,\"growth\":true,\"prob\":0.99},"
                  " {\"kind\":\"downsell\",\"p_accept\":1e-1,\"value\":-5.5,\"ev\":-0.55,"
                  "\"growth\":false,\"prob\":0.01} ] ",
                  c, 4, &n),
              XS_OK);
    CHECK_INT(n, 2);
    CHECK_STR(c[0].kind, "upsell");
    CHECK_NEAR(c[0].p_accept, 0.25, 0);
    CHECK(isnan(c[0].health));
    CHECK_INT(c[0].growth, 1);
    CHECK_NEAR(c[0].prob, 0.99, 0);
    CHECK_STR(c[1].kind, "downsell");
    CHECK_NEAR(c[1].value, -5.5, 0);
    CHECK_INT(c[1].growth, 0);
    CHECK(isnan(c[1].strength));
    CHECK_INT(xs__measure_replay_cands_read("[]", c, 4, &n), XS_OK);
    CHECK_INT(n, 0);
    const char *bad[] = {"",
                         "{}",
                         "[{]",
                         "[{\"a\":[1]}]",
                         "[{\"a\":1}",
                         "[{\"a\":1}] x",
                         "[{\"a\" 1}]",
                         "[{\"a\":\"x}]",
                         "[{},{},{},{},{}]",
                         "[{\"p_accept\":nan}]",
                         "[{\"value\":0x10}]",
                         "[{\"ev\":-inf}]"};
    for (size_t i = 0; i < XS_N(bad); i++)
        CHECK_INT(xs__measure_replay_cands_read(bad[i], c, 4, &n), XS_EPARSE);
}

/* ---------------------------------------------------------------------- */
/* Planted truth                                                          */
/* ---------------------------------------------------------------------- */

static void test_planted_truth_coverage(void)
{
    xs_offer_config logging, target;
    xs_offer_config_init(&logging);
    xs_offer_config_init(&target);
    CHECK_INT(xs_offer_config_set(&logging,
                                  "epsilon_upsell=0.1,epsilon_cross_sell=0.1,"
                                  "epsilon_downsell=0.1",
                                  "--set", NULL),
              XS_OK);
    CHECK_INT(xs_offer_config_set(&target,
                                  "control_share=0,epsilon_upsell=0.4,"
                                  "min_health=60",
                                  "--set", NULL),
              XS_OK);
    int covered = 0, runs = 100;
    double err_dr = 0, err_ips = 0, err_snips = 0;
    for (int s = 1; s <= runs; s++) {
        double truth;
        xs_replay_result r;
        CHECK_INT(xs_replay_simulate((uint64_t)s, 2000, &logging, &target, &truth, &r),
                  XS_OK);
        if (r.dr.lo <= truth && truth <= r.dr.hi) covered++;
        err_dr += fabs(r.dr.value - truth);
        err_ips += fabs(r.ips.value - truth);
        err_snips += fabs(r.snips.value - truth);
    }
    printf("planted truth: DR 95%% CI covers the truth in %d of %d runs; mean |error| DR "
           "%.3f,"
           " IPS %.3f, SNIPS %.3f (DR / IPS %.2f)\n",
           covered, runs, err_dr / runs, err_ips / runs, err_snips / runs,
           err_dr / err_ips);
    CHECK(covered >= 90);
    CHECK(err_dr < err_ips); /* the model's residuals vary less than the rewards */
}

static void test_planted_truth_thompson(void)
{
    /* the replayed policy samples (Thompson on every kind): its
     * probabilities are Monte Carlo shares, and the truth is computed with
     * the very same ones */
    xs_offer_config logging, target;
    xs_offer_config_init(&logging);
    xs_offer_config_init(&target);
    CHECK_INT(xs_offer_config_set(&logging, "control_share=0.2", "--set", NULL), XS_OK);
    CHECK_INT(
        xs_offer_config_set(&target,
                            "control_share=0,thompson_upsell=1,thompson_cross_sell=1,"
                            "thompson_downsell=1",
                            "--set", NULL),
        XS_OK);
    int covered = 0, runs = 20;
    for (int s = 1; s <= runs; s++) {
        double truth;
        xs_replay_result r;
        CHECK_INT(
            xs_replay_simulate((uint64_t)(1000 + s), 300, &logging, &target, &truth, &r),
            XS_OK);
        if (r.dr.lo <= truth && truth <= r.dr.hi) covered++;
    }
    printf("Thompson target: DR CI covers the truth in %d of %d runs\n", covered, runs);
    CHECK(covered >= 15);
}

/* ---------------------------------------------------------------------- */
/* Store round trip                                                       */
/* ---------------------------------------------------------------------- */

static int collect(void *ctx, const xs_logged_decision *d)
{
    int *n = ctx;
    (*n)++;
    if (*n == 1) {
        CHECK_STR(d->customer_id, "C1");
        CHECK_INT(d->slot, 1);
        CHECK_NEAR(d->propensity, 0.75, 0);
        CHECK_STR(d->outcome, "accepted");
        CHECK_NEAR(d->revenue_delta, 12.5, 1e-12);
        CHECK_STR(d->how, "explore");
    } else {
        CHECK(isnan(d->propensity));
        CHECK(d->offer_id == NULL);
        CHECK(d->outcome == NULL);
    }
    return 0;
}

static int count_replays(void *ctx, long long id, const char *ran_at, const char *policy,
                         const char *from, const char *to, const char *result)
{
    (void)ran_at;
    (void)result;
    int *n = ctx;
    (*n)++;
    CHECK_INT(id, 1);
    CHECK_STR(policy, "control_share=0");
    CHECK_STR(from, "2026-01-01");
    CHECK(to == NULL);
    return 0;
}

static void test_store_round_trip(void)
{
    char db[128];
    snprintf(db, sizeof db, "/tmp/xs-test-replay-store-%ld.db", (long)getpid());
    xs_fixture_remove(db);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    xs_offer_record off;
    memset(&off, 0, sizeof off);
    off.customer_id = "C1";
    off.product_id = "P1";
    off.kind = "upsell";
    off.channel = "email";
    snprintf(off.sent_at, sizeof off.sent_at, "2026-01-02");
    xs_decision_record d[2];
    memset(d, 0, sizeof d);
    d[0].customer_id = "C1";
    snprintf(d[0].decided_at, sizeof d[0].decided_at, "2026-01-02");
    d[0].slot = 1;
    d[0].source = "cli";
    d[0].how = "explore";
    d[0].propensity = 0.75;
    d[0].offer = 0;
    d[0].candidates = (char *)"[]";
    d[1] = d[0];
    d[1].propensity = NAN;
    d[1].offer = -1;
    /* a bad offer index writes nothing */
    d[1].offer = 3;
    CHECK_INT(xs_store_decisions_log(st, &off, 1, d, 2, &e), XS_EINVAL);
    d[1].offer = -1;
    CHECK_INT(xs_store_decisions_log(st, &off, 1, d, 2, &e), 2);
    CHECK_STR(off.offer_id, "X20260102-0001");
    CHECK_INT(
        xs_store_offer_outcome(st, off.offer_id, "accepted", "2026-01-03", "12.50", &e),
        XS_OK);
    int n = 0;
    CHECK_INT(xs_store_decisions_scan(st, "2026-01-01", "2026-01-31", collect, &n, &e),
              2);
    CHECK_INT(n, 2);
    n = 0;
    CHECK_INT(xs_store_decisions_scan(st, "2026-02-01", NULL, collect, &n, &e), 0);
    /* no decision with a propensity and an outcome beyond the first: the
     * replay of an empty window is refused */
    xs_offer_config cfg;
    xs_offer_config_init(&cfg);
    xs_replay_result r;
    CHECK_INT(xs_replay_run(st, &cfg, "2026-02-01", NULL, &r, &e), XS_ENOTFOUND);
    CHECK_STR(e.message,
              "no logged decision between 2026-02-01 and the last");
    CHECK_INT(e.condition, XS_COND_NO_DECISIONS);
    CHECK_INT(xs_replay_run(st, &cfg, "2026-13-01", NULL, &r, &e), XS_EINVAL);
    CHECK_STR(e.message, "not a date: \"2026-13-01\"");
    CHECK_INT(e.condition, XS_COND_NONE);
    /* the candidates "[]" are not a list a replay can use */
    CHECK_INT(xs_replay_run(st, &cfg, NULL, NULL, &r, &e), XS_EPARSE);
    CHECK_STR(e.message, "decision 1: not a list of candidates");
    long long id = 0;
    CHECK_INT(xs_store_replay_save(st, "2026-01-05T00:00:00Z", "control_share=0",
                                   "2026-01-01", NULL, "{}", &id, &e),
              XS_OK);
    CHECK_INT(id, 1);
    n = 0;
    CHECK_INT(xs_store_replays(st, 10, count_replays, &n, &e), 1);
    CHECK_INT(n, 1);
    xs_store_close(st);
    xs_fixture_remove(db);
}

static void test_no_propensity_refused(void)
{
    char db[128];
    snprintf(db, sizeof db, "/tmp/xs-test-replay-np-%ld.db", (long)getpid());
    xs_fixture_remove(db);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    xs_decision_record d;
    memset(&d, 0, sizeof d);
    d.customer_id = "C1";
    snprintf(d.decided_at, sizeof d.decided_at, "2026-01-02");
    d.slot = 1;
    d.source = "cli";
    d.how = "greedy";
    d.propensity = NAN;
    d.offer = -1;
    d.candidates = (char *)"[]";
    CHECK_INT(xs_store_decisions_log(st, NULL, 0, &d, 1, &e), 1);
    xs_offer_config cfg;
    xs_offer_config_init(&cfg);
    xs_replay_result r;
    CHECK_INT(xs_replay_run(st, &cfg, NULL, NULL, &r, &e), XS_EINVAL);
    CHECK_STR(e.message,
              "none of the 1 logged decisions carries a propensity: replay needs"
              " decisions logged with their propensities");
    xs_store_close(st);
    xs_fixture_remove(db);
}

static const xs_test tests[] = {
    {"probs_closed_form", test_probs_closed_form},
    {"thompson", test_thompson},
    {"choose_follows_probs", test_choose_follows_probs},
    {"settings_checked", test_settings_checked},
    {"engine_default_unchanged", test_engine_default_unchanged},
    {"engine_propensities_sum_to_one", test_engine_propensities_sum_to_one},
    {"estimators_closed_form", test_estimators_closed_form},
    {"cands_read", test_cands_read},
    {"planted_truth_coverage", test_planted_truth_coverage},
    {"planted_truth_thompson", test_planted_truth_thompson},
    {"store_round_trip", test_store_round_trip},
    {"no_propensity_refused", test_no_propensity_refused},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
