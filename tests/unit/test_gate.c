/*
 * test_gate.c — the health gate for customers of segment unknown
 * (unknown_gate, src/offer/guardrails.c; docs/offers.md "health",
 * docs/scores.md "Coverage and unknown") on the tiny store of
 * tests/data/gate, as of 2026-06-30.
 *
 * Customers (all on Team Premium monthly since 2025-01-01, onboarded):
 *   G1  tenure only (no usage, NPS or support: no activity component), so
 *       segment unknown with a partial health of 75 (545 of 730 days);
 *       P(churn) 0.8 given: a churn_risk downsell to Team Basic and two
 *       upsells (annual term, the SSO add-on)
 *   G2  G1 with an NPS of 9: coverage tenure+nps, segment champion; the
 *       control, which unknown_gate must never touch
 *   G3  G1 with P(churn) 0.05: unknown, upsell candidates only
 * P(churn) comes from the caller (xs_offer_config.churn_p), so the
 * evidence says "(given)".
 *
 * Per setting: 0 (default) the unknown customer's upsells are suppressed by
 * health and the downsell goes out; 1 the min_health rule on the partial
 * health (75: passes min_health 50, the upsells then lose to the downsell
 * by conflict; fails min_health 80); 2 every candidate suppressed by
 * health. Values other than 0, 1, 2 are rejected with their message.
 */
#include "test.h"
#include "store_fixture.h"

#include "base/intern.h"
#include "snapshot/snapshot.h"
#include "offer/offer_int.h"

#include <unistd.h>


static xs_snapshot *load_fixture(void)
{
    return xs_fixture_snapshot("gate", "gate", NULL);
}

static xs_snapshot *snap;
static double churn_p[3]; /* snapshot order: G1, G2, G3 (ascending ids) */

/* An engine as of 2026-06-30 with the given P(churn) and spec (NULL: the
 * defaults); NULL on failure. */
static xs_offer_engine *engine(const char *spec)
{
    xs_offer_config c;
    xs_error e;
    char buf[1200];
    xs_offer_engine *en = NULL;
    xs_offer_config_init(&c);
    c.churn_p = churn_p;
    if (spec && xs_offer_config_set(&c, spec, "--set", &e) < 0) goto fail;
    if (xs_offer_engine_new(snap, &c, "2026-06-30", &en, &e) < 0) goto fail;
    return en;
fail:
    fprintf(stderr, "engine(%s): %s\n", spec ? spec : "",
            xs_error_format(&e, buf, sizeof buf));
    return NULL;
}

static const char *pid(int32_t p)
{
    return p < 0 ? "-" : xs__intern_str(&snap->prod.ids, (uint32_t)p);
}

/* One line per candidate: "rank kind trigger from>to guard". */
static const char *dump(const xs_offer_engine *en, const char *cust)
{
    static char out[4096];
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    size_t w = 0;
    out[0] = '\0';
    if (!en) return "no engine";
    long c = xs_offer_engine_find(en, cust);
    if (c < 0) return "unknown customer";
    int n = xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
    for (int i = 0; i < n && w < sizeof out - 200; i++)
        w += (size_t)snprintf(out + w, sizeof out - w, "%d %s %s %s>%s %s\n", o[i].rank,
                              xs_offer_kind_name(o[i].kind),
                              xs_offer_trigger_name(o[i].trigger), pid(o[i].from_product),
                              pid(o[i].to_product),
                              o[i].guard ? xs_offer_guard_name(o[i].guard) : "offered");
    return out;
}

/* The segments the gate reads: G1 and G3 unknown, G2 not. */
static void test_segments(void)
{
    xs_offer_engine *en = engine(NULL);
    CHECK(en != NULL);
    if (!en) return;
    long g1 = xs_offer_engine_find(en, "G1"), g2 = xs_offer_engine_find(en, "G2"),
         g3 = xs_offer_engine_find(en, "G3");
    CHECK(g1 >= 0 && g2 >= 0 && g3 >= 0);
    if (g1 < 0 || g2 < 0 || g3 < 0) return;
    CHECK_INT(en->segment[g1], XS_SEG_UNKNOWN);
    CHECK_INT(en->segment[g2], XS_SEG_CHAMPION);
    CHECK_INT(en->segment[g3], XS_SEG_UNKNOWN);
    CHECK_NEAR(en->health[g1], 100.0 * 545 / 730, 1e-4);            /* tenure only */
    CHECK_NEAR(en->health[g2], (100.0 * 545 / 730 + 90) / 2, 1e-4); /* + NPS 9 */
    /* the downsell's evidence: the partial health and the caller's P(churn) */
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    char b[1024];
    int n = xs_offer_decide(en, (uint32_t)g1, o, XS_OFFER_MAX_CANDIDATES);
    CHECK(n >= 1);
    CHECK_STR(xs_offer_evidence(en, &o[0], b, sizeof b),
              "trigger churn_risk; retention (at risk); P(accept) 0.400 (prior 0.400, "
              "churn risk 0.800); value 480.00; health 75; P(churn) 0.800 (given)");
    xs_offer_engine_free(en);
}

/* 0 (the default): no growth offer to an unknown customer, the downsell
 * goes out; the known customer's upsells lose only to the downsell. */
static void test_gate_0(void)
{
    static const char *const g1 =
        "1 downsell churn_risk team-premium-m>team-basic-m offered\n"
        "0 upsell term team-premium-m>team-premium-y health\n"
        "0 upsell addon ->team-sso health\n";
    static const char *const g2 =
        "1 downsell churn_risk team-premium-m>team-basic-m offered\n"
        "0 upsell term team-premium-m>team-premium-y conflict\n"
        "0 upsell addon ->team-sso conflict\n";
    xs_offer_engine *en = engine(NULL);
    CHECK_STR(dump(en, "G1"), g1);
    CHECK_STR(dump(en, "G2"), g2);
    CHECK_STR(dump(en, "G3"), "0 upsell addon ->team-sso health\n"
                              "0 upsell term team-premium-m>team-premium-y health\n");
    xs_offer_engine_free(en);
    en = engine("unknown_gate=0"); /* the same, said explicitly */
    CHECK_STR(dump(en, "G1"), g1);
    CHECK_STR(dump(en, "G2"), g2);
    xs_offer_engine_free(en);
}

/* 1: the min_health rule on the partial health (75). */
static void test_gate_1(void)
{
    xs_offer_engine *en = engine("unknown_gate=1");
    /* 75 >= 50: the upsells pass the gate and lose to the downsell */
    CHECK_STR(dump(en, "G1"),
              "1 downsell churn_risk team-premium-m>team-basic-m offered\n"
              "0 upsell term team-premium-m>team-premium-y conflict\n"
              "0 upsell addon ->team-sso conflict\n");
    /* nothing to lose to: the add-on goes out (the term has no value for a
     * customer this unlikely to leave) */
    CHECK_STR(dump(en, "G3"), "1 upsell addon ->team-sso offered\n"
                              "0 upsell term team-premium-m>team-premium-y no_value\n");
    xs_offer_engine_free(en);
    /* 75 < 80: the upsells are held back by health, the downsell is not;
     * G2 (health 82) passes */
    en = engine("unknown_gate=1,min_health=80");
    CHECK_STR(dump(en, "G1"),
              "1 downsell churn_risk team-premium-m>team-basic-m offered\n"
              "0 upsell term team-premium-m>team-premium-y health\n"
              "0 upsell addon ->team-sso health\n");
    CHECK_STR(dump(en, "G2"),
              "1 downsell churn_risk team-premium-m>team-basic-m offered\n"
              "0 upsell term team-premium-m>team-premium-y conflict\n"
              "0 upsell addon ->team-sso conflict\n");
    CHECK_STR(dump(en, "G3"), "0 upsell addon ->team-sso health\n"
                              "0 upsell term team-premium-m>team-premium-y health\n");
    xs_offer_engine_free(en);
}

/* 2: nothing at all for an unknown customer, the downsell included; the
 * known customer is not affected. */
static void test_gate_2(void)
{
    xs_offer_engine *en = engine("unknown_gate=2");
    CHECK_STR(dump(en, "G1"), "0 upsell term team-premium-m>team-premium-y health\n"
                              "0 downsell churn_risk team-premium-m>team-basic-m health\n"
                              "0 upsell addon ->team-sso health\n");
    CHECK_STR(dump(en, "G2"),
              "1 downsell churn_risk team-premium-m>team-basic-m offered\n"
              "0 upsell term team-premium-m>team-premium-y conflict\n"
              "0 upsell addon ->team-sso conflict\n");
    CHECK_STR(dump(en, "G3"), "0 upsell addon ->team-sso health\n"
                              "0 upsell term team-premium-m>team-premium-y health\n");
    xs_offer_engine_free(en);
}

/* Anything but 0, 1 or 2 is an error with its message; the config is left
 * as it was. */
static void test_gate_errors(void)
{
    static const char *const bad[] = {"unknown_gate=3", "unknown_gate=0.5",
                                      "unknown_gate=1.5,min_health=60"};
    static const char *const msg[] = {
        "--set: unknown_gate: expected 0 (downsell only), 1 (health) or 2 (none), got 3",
        "--set: unknown_gate: expected 0 (downsell only), 1 (health) or 2 (none), got "
        "0.5",
        "--set: unknown_gate: expected 0 (downsell only), 1 (health) or 2 (none), got "
        "1.5"};
    xs_offer_config c;
    xs_error e;
    char buf[1200];
    xs_offer_config_init(&c);
    CHECK_NEAR(c.unknown_gate, 0, 0);
    for (size_t i = 0; i < XS_N(bad); i++) {
        CHECK_INT(xs_offer_config_set(&c, bad[i], "--set", &e), XS_EINVAL);
        CHECK_STR(xs_error_format(&e, buf, sizeof buf), msg[i]);
        CHECK_NEAR(c.unknown_gate, 0, 0);
        CHECK_NEAR(c.min_health, 50, 0);
    }
    CHECK_INT(xs_offer_config_set(&c, "unknown_gate=-1", "--set", &e), XS_EINVAL);
    CHECK_STR(xs_error_format(&e, buf, sizeof buf), "--set: not a number >= 0: \"-1\"");
    CHECK_INT(xs_offer_config_set(&c, "unknown_gate=2", "--set", &e), XS_OK);
    CHECK_NEAR(c.unknown_gate, 2, 0);
}

static const xs_test tests[] = {
    {"segments", test_segments},       {"gate_0", test_gate_0},
    {"gate_1", test_gate_1},           {"gate_2", test_gate_2},
    {"gate_errors", test_gate_errors},
};

int main(void)
{
    snap = load_fixture();
    for (size_t i = 0; i < XS_N(churn_p); i++)
        churn_p[i] = NAN;
    const char *ids[] = {"G1", "G2", "G3"};
    const double p[] = {0.8, 0.8, 0.05};
    for (size_t i = 0; i < XS_N(ids); i++) {
        uint32_t c = xs__intern_find(&snap->cust.ids, ids[i], strlen(ids[i]));
        if (c < XS_N(churn_p)) churn_p[c] = p[i];
    }
    int rc = xs_test_run(tests, XS_N(tests));
    xs_snapshot_free(snap);
    return rc;
}
