/*
 * test_retention.c — retention offers, personal priors and the guards an
 * expert's read asks for (src/offer/retention.c, candidates.c, value.c,
 * guardrails.c; docs/offers.md "Retention").
 *
 * Fixture tests/data/retention-offers: 80 fiber customers on month-to-month
 * terms in the history; the 40 with Tech support churned 4 of 40, the 40
 * without 20 of 40; Streaming TV holders (odd numbers) churned 12 of 40, as
 * many as the others. Three fiber customers on 12 months pay the list
 * price (no real saving on a longer term). R1 (at risk), N1 (low usage,
 * not at risk) and P2 (a new customer) are decided as of 2026-06-30.
 */
#include "test.h"
#include "store_fixture.h"

#include "snapshot/snapshot.h"
#include "offer/offer_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static xs_snapshot *snap;
static double *churn_p;


static xs_snapshot *load_fixture(const char *dir)
{
    return xs_fixture_snapshot("retention", dir, NULL);
}

/* The engine with R1 at P(churn) 0.8, N1 and P2 at 0.1. */
static xs_offer_engine *engine(const char *spec)
{
    xs_offer_config c;
    xs_offer_config_init(&c);
    c.min_health = 0;
    c.unknown_gate = 1;
    c.churn_p = churn_p;
    xs_error e;
    if (spec) CHECK(xs_offer_config_set(&c, spec, "--set", &e) == XS_OK);
    xs_offer_engine *en = NULL;
    CHECK(xs_offer_engine_new(snap, &c, "2026-06-30", &en, &e) == XS_OK);
    return en;
}

static int decide(xs_offer_engine *en, const char *id, xs_offer *o)
{
    long c = xs_offer_engine_find(en, id);
    CHECK(c >= 0);
    return xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
}

/* The candidate with this trigger and proposed product, NULL none. */
static const xs_offer *find(const xs_offer_engine *en, const xs_offer *o, int n,
                            xs_offer_trigger t, const char *to)
{
    long p = to ? xs_offer_engine_find_product(en, to) : -1;
    for (int i = 0; i < n; i++)
        if (o[i].trigger == t && o[i].to_product == p) return &o[i];
    return NULL;
}

static void test_protective_addon(void)
{
    xs_offer_engine *en = engine(NULL);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    int n = decide(en, "R1", o);
    const xs_offer *r = find(en, o, n, XS_TRIG_RETENTION_ADDON, "support");
    CHECK(r != NULL);
    CHECK_INT(r->guard, XS_GUARD_NONE);
    CHECK_INT(r->rank, 1);
    CHECK_INT(r->retention, 1);
    CHECK_INT(r->churn_with, 4);
    CHECK_INT(r->n_with, 40);
    CHECK_INT(r->churn_without, 20);
    CHECK_INT(r->n_without, 43);
    CHECK_INT(r->prior_src, XS_PRIOR_CHURN);
    CHECK_NEAR(r->p_prior, 0.4, 1e-12);
    /* 60 a year of add-on, plus 0.8 x (1 - 0.1 / (20/43)) x (600 + 60) kept */
    CHECK_NEAR(r->value, 60 + 0.8 * (1 - 0.1 / (20.0 / 43)) * 660, 1e-9);
    /* Streaming TV: its holders churned as much as the others */
    CHECK(find(en, o, n, XS_TRIG_RETENTION_ADDON, "tv") == NULL);
    char b[2048];
    xs_offer_evidence(en, r, b, sizeof b);
    CHECK(strstr(b, "churned 4 of 40 with it, 20 of 43 without") != NULL);
    CHECK(strstr(b, "(prior 0.400, churn risk 0.800)") != NULL);
    /* the customer reads the benefit and the price; how many others left is
     * the CSM's evidence above, never told to the customer */
    xs_offer_explain(en, r, "en", b, sizeof b);
    CHECK_STR(b, "Tech support adds protection and help to your Internet fiber, so problems "
                 "are dealt with before they get in your way. It is USD 5.00 a month.");
    CHECK(strstr(b, "%") == NULL && strstr(b, "left") == NULL);
    /* a gap the data cannot show: nothing is protective */
    xs_offer_engine_free(en);
    en = engine("retention_gap=0.5");
    n = decide(en, "R1", o);
    CHECK(find(en, o, n, XS_TRIG_RETENTION_ADDON, "support") == NULL);
    xs_offer_engine_free(en);
}

static void test_retention_downsell(void)
{
    xs_offer_engine *en = engine(NULL);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    int n = decide(en, "R1", o);
    const xs_offer *d = find(en, o, n, XS_TRIG_CHURN_RISK, "net-dsl");
    CHECK(d != NULL);
    CHECK_INT(d->retention, 1);
    CHECK_NEAR(d->revenue_delta, -300, 1e-9);
    CHECK_NEAR(d->value, 0.8 * 600 - 300, 1e-9);
    CHECK_INT(d->prior_src, XS_PRIOR_CHURN);
    /* one offer per family: the protective add-on's expected value wins */
    CHECK_INT(d->guard, XS_GUARD_LIMIT);
    /* growth waits while the customer is at risk */
    const xs_offer *tv = find(en, o, n, XS_TRIG_ADDON, "tv");
    CHECK(tv != NULL);
    CHECK_INT(tv->guard, XS_GUARD_CONFLICT);
    xs_offer_engine_free(en);
    /* the top share of active customers by risk: of the three with a
     * score (0.8, 0.1, 0.1) the top 90 % reach down to 0.1 */
    en = engine("retention_share=0.9");
    n = decide(en, "N1", o);
    d = find(en, o, n, XS_TRIG_CHURN_RISK, "net-dsl");
    CHECK(d != NULL);
    CHECK_INT(d->retention, 1);
    xs_offer_engine_free(en);
}

static void test_guard_no_benefit(void)
{
    xs_offer_engine *en = engine(NULL);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    int n = decide(en, "R1", o);
    /* customers on 12 months pay the list price: no saving */
    const xs_offer *t = find(en, o, n, XS_TRIG_TERM, "net-fiber");
    CHECK(t != NULL);
    CHECK_NEAR(t->revenue_delta, 0, 1e-12);
    CHECK_INT(t->guard, XS_GUARD_NO_BENEFIT);
    CHECK_STR(xs_offer_guard_name(XS_GUARD_NO_BENEFIT), "no_benefit");
    xs_offer_engine_free(en);
}

static void test_guard_not_at_risk(void)
{
    xs_offer_engine *en = engine(NULL);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    int n = decide(en, "N1", o);
    const xs_offer *d = find(en, o, n, XS_TRIG_LOW_USAGE, "net-dsl");
    CHECK(d != NULL);
    CHECK_INT(d->guard, XS_GUARD_NOT_AT_RISK);
    const xs_offer *r = find(en, o, n, XS_TRIG_RETENTION_ADDON, "support");
    CHECK(r != NULL);
    CHECK_INT(r->guard, XS_GUARD_NOT_AT_RISK);
    CHECK_STR(xs_offer_guard_name(XS_GUARD_NOT_AT_RISK), "not_at_risk");
    xs_offer_engine_free(en);
}

static void test_guard_low_usage_upsell(void)
{
    xs_offer_engine *en = engine(NULL);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    int n = decide(en, "N1", o);
    const xs_offer *u = find(en, o, n, XS_TRIG_ADDON, "tv");
    CHECK(u != NULL);
    CHECK_INT(u->guard, XS_GUARD_LOW_USAGE_UPSELL);
    CHECK_STR(xs_offer_guard_name(XS_GUARD_LOW_USAGE_UPSELL), "low_usage_upsell");
    for (int i = 0; i < n; i++)
        CHECK(o[i].guard != XS_GUARD_NONE); /* nothing an expert would send */
    /* R1 has no usage data: the rule does not apply */
    n = decide(en, "R1", o);
    for (int i = 0; i < n; i++)
        CHECK(o[i].guard != XS_GUARD_LOW_USAGE_UPSELL);
    xs_offer_engine_free(en);
}

static void test_personal_priors(void)
{
    xs_offer_engine *en = engine(NULL);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    /* R1: tv uptake among fiber customers of 1-2 years: 28 of 61 */
    int n = decide(en, "R1", o);
    const xs_offer *a = find(en, o, n, XS_TRIG_ADDON, "tv");
    CHECK(a != NULL);
    CHECK_INT(a->prior_src, XS_PRIOR_UPTAKE);
    CHECK_INT(a->prior_k, 28);
    CHECK_INT(a->prior_n, 61);
    CHECK_NEAR(a->p_prior, 29.0 / 63, 1e-12);
    char b[2048];
    xs_offer_evidence(en, a, b, sizeof b);
    CHECK(strstr(b, "uptake among net-fiber customers of 1-2 years: 28 of 61") != NULL);
    /* P2: too few customers of its band, so every tenure: 28 of 62 */
    n = decide(en, "P2", o);
    a = find(en, o, n, XS_TRIG_ADDON, "tv");
    CHECK(a != NULL);
    CHECK_INT(a->prior_k, 28);
    CHECK_INT(a->prior_n, 62);
    CHECK_NEAR(a->p_prior, 29.0 / 64, 1e-12);
    CHECK_NEAR(a->p_accept, 29.0 / 64, 1e-12);
    /* the term: 3 of 62 fiber customers are on 12 months or more */
    const xs_offer *t = find(en, o, n, XS_TRIG_TERM, "net-fiber");
    CHECK(t != NULL);
    CHECK_INT(t->prior_k, 3);
    CHECK_INT(t->prior_n, 62);
    xs_offer_engine_free(en);
}

static void test_one_contact(void)
{
    /* at most max_offers per contact: the guard limit */
    xs_offer_engine *en = engine("max_offers=1");
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    int n = decide(en, "P2", o), offered = 0, limit = 0;
    for (int i = 0; i < n; i++)
        offered += o[i].guard == XS_GUARD_NONE, limit += o[i].guard == XS_GUARD_LIMIT;
    CHECK_INT(offered, 1);
    CHECK(limit >= 1);
    xs_offer_engine_free(en);
}

static const xs_test tests[] = {
    {"protective_addon", test_protective_addon},
    {"retention_downsell", test_retention_downsell},
    {"guard_no_benefit", test_guard_no_benefit},
    {"guard_not_at_risk", test_guard_not_at_risk},
    {"guard_low_usage_upsell", test_guard_low_usage_upsell},
    {"personal_priors", test_personal_priors},
    {"one_contact", test_one_contact},
};

int main(void)
{
    snap = load_fixture("retention-offers");
    churn_p = malloc((snap->cust.n + 1) * sizeof *churn_p);
    for (size_t c = 0; c < snap->cust.n; c++) {
        const char *id = xs__intern_str(&snap->cust.ids, (uint32_t)c);
        churn_p[c] = !strcmp(id, "R1")                        ? 0.8
                     : !strcmp(id, "N1") || !strcmp(id, "P2") ? 0.1
                                                              : NAN;
    }
    int rc = xs_test_run(tests, XS_N(tests));
    free(churn_p);
    xs_snapshot_free(snap);
    return rc;
}
