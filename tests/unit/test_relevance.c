/*
 * test_relevance.c — the relevance rules of shop offers (src/offer/
 * relevance.c) on the hand-made shop of tests/data/relevance, as of
 * 2026-06-30: exact offers, guards and explanation texts, and for each rule
 * a check that fails when the rule is switched off or removed.
 *
 * The shop (details in the CSV files):
 *   printer (400) goes with paper (25) and toner (90): 4 of the 5 printer
 *   orders hold paper, 2 hold toner; TPRINT bought a printer 10 days ago.
 *   desktop (1000) and laptop-14 (1200): same category, similar price, and
 *   their common buyers are only the three heavy buyers H1..H3 who bought
 *   everything: substitutes. TDESK bought a desktop 20 days ago.
 *   laptop-14 / laptop-16: tiers 1 and 2 of family "laptop" with limits
 *   screen_in and storage_gb; laptop-14, case and mouse form a bundle (3
 *   orders), case and mouse declare bundle_discount=10. TLAPTOP bought a
 *   laptop-14 5 days ago.
 *   watch (5000): bought by X1, X2 after pens; TLUX bought only pens (6.00).
 */
#include "test.h"
#include "store_fixture.h"

#include "snapshot/snapshot.h"
#include "offer/offer_int.h"

#include <unistd.h>

static xs_snapshot *snap;


static xs_snapshot *load_fixture(void)
{
    return xs_fixture_snapshot("relevance", "relevance", NULL);
}

static xs_offer_engine *engine(const char *spec)
{
    xs_offer_config c;
    xs_error e;
    xs_offer_engine *en = NULL;
    xs_offer_config_init(&c);
    /* the evidence orders (hand-computed below); the ranking model's order
     * has a test of its own */
    c.rank_order = 0;
    if (spec && xs_offer_config_set(&c, spec, "--set", &e) < 0) return NULL;
    if (xs_offer_engine_new(snap, &c, "2026-06-30", &en, &e) < 0) return NULL;
    return en;
}

/* One line per candidate: "rank kind trigger product guard". */
static const char *dump(const xs_offer_engine *en, const char *cust, xs_offer *o, int *n)
{
    static char out[8192];
    char pt[256];
    size_t w = 0;
    out[0] = '\0';
    long c = xs_offer_engine_find(en, cust);
    if (c < 0) return "unknown";
    *n = xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
    for (int i = 0; i < *n && w < sizeof out - 300; i++)
        w += (size_t)snprintf(out + w, sizeof out - w, "%d %s %s %s %s\n", o[i].rank,
                              xs_offer_kind_name(o[i].kind),
                              xs_offer_trigger_name(o[i].trigger),
                              xs__offer_product_text(en, &o[i], pt, sizeof pt),
                              o[i].guard ? xs_offer_guard_name(o[i].guard) : "offered");
    return out;
}

static const xs_offer *find(const xs_offer *o, int n, xs_offer_trigger t, const char *to,
                            const xs_offer_engine *en)
{
    long p = xs_offer_engine_find_product(en, to);
    for (int i = 0; i < n; i++)
        if (o[i].trigger == t && o[i].to_product == p) return &o[i];
    return NULL;
}

/* ---------------------------------------------------------------------- */

/* Relevance, not price, orders the shop cross-sells: paper (25.00, 4 of 5
 * printer orders) comes before toner (90.00, 2 of 5) although toner's
 * expected value is higher; with one slot, paper gets it. */
static void test_order_by_relevance(void)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    char b[1024];
    int n;
    xs_offer_engine *en = engine("bundle_lift=100"); /* no bundles: plain rules */
    CHECK(en != NULL);
    CHECK_STR(dump(en, "TPRINT", o, &n),
              "1 cross-sell purchase paper offered\n"
              "2 cross-sell purchase toner offered\n");
    CHECK_NEAR(o[0].ev, 0.8 * 25, 1e-5); /* confidence is a float */
    CHECK_NEAR(o[1].ev, 0.4 * 90, 1e-5);
    CHECK(o[0].ev < o[1].ev); /* expected value alone would put toner first */
    /* confidence x lift: paper is in 10 of the 30 orders, toner in 3 */
    CHECK_NEAR(o[0].relevance, 0.8 * 0.8 / (10.0 / 30), 1e-5);
    CHECK_NEAR(o[1].relevance, 0.4 * 0.4 / (3.0 / 30), 1e-5);
    CHECK_STR(xs_offer_explain(en, &o[0], "en", b, sizeof b),
              "A4 paper goes with the Laser printer you bought recently, so you can "
              "put it to full use. A4 paper was in 4 of 5 orders (80%) with Laser "
              "printer.");
    CHECK_STR(xs_offer_explain(en, &o[1], "ja", b, sizeof b),
              "最近ご購入のLaser "
              "printerと合わせてTonerをお使いいただくと、Laser "
              "printerをより活用いただけます。Laser "
              "printerを含むご注文5件のうち2件（40%）にTonerも含まれています。");
    xs_offer_engine_free(en);
    en = engine("bundle_lift=100,max_offers=1");
    CHECK_STR(dump(en, "TPRINT", o, &n),
              "1 cross-sell purchase paper offered\n"
              "0 cross-sell purchase toner limit\n");
    xs_offer_engine_free(en);
}

/* A substitute of a recent purchase is never offered as a complement. */
static void test_substitute(void)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    char b[1024];
    int n;
    xs_offer_engine *en = engine(NULL);
    uint32_t desk = (uint32_t)xs_offer_engine_find_product(en, "desktop"),
             lap = (uint32_t)xs_offer_engine_find_product(en, "laptop-14"),
             lap16 = (uint32_t)xs_offer_engine_find_product(en, "laptop-16"),
             printer = (uint32_t)xs_offer_engine_find_product(en, "printer"),
             toner = (uint32_t)xs_offer_engine_find_product(en, "toner"),
             paper = (uint32_t)xs_offer_engine_find_product(en, "paper");
    double l = -1;
    /* the 3 common buyers are the heavy buyers: about what chance gives */
    CHECK_INT(xs__offer_is_substitute(en, desk, lap, &l), 1);
    CHECK(l > 0.5 && l < 1.2);
    CHECK_INT(xs__offer_is_substitute(en, lap, desk, NULL), 1);
    CHECK_INT(xs__offer_is_substitute(en, lap, lap16, NULL), 1);      /* two tiers */
    CHECK_INT(xs__offer_is_substitute(en, printer, toner, NULL), 0); /* 4.4x price */
    CHECK_INT(xs__offer_is_substitute(en, paper, toner, NULL), 0);   /* 3.6x price */
    CHECK_INT(xs__offer_is_substitute(en, desk, desk, NULL), 0);
    CHECK_STR(dump(en, "TDESK", o, &n),
              "1 cross-sell purchase pens offered\n"
              "2 cross-sell adoption paper offered\n"
              "0 cross-sell adoption laptop-14 substitute\n"
              "0 cross-sell adoption watch limit\n"
              "0 cross-sell adoption case limit\n"
              "0 cross-sell adoption mouse limit\n");
    const xs_offer *x = find(o, n, XS_TRIG_ADOPTION, "laptop-14", en);
    CHECK(x != NULL);
    CHECK_INT(x->subst_of, (int)desk);
    CHECK_INT(xs_offer_bad_cross_sell(en, x), XS_OFFER_BAD_SUBSTITUTE);
    CHECK(strstr(xs_offer_evidence(en, x, b, sizeof b), "; substitute of desktop (") != NULL);
    CHECK_INT(xs_offer_bad_cross_sell(en, &o[0]), 0);
    /* the honest share of an adoption rule */
    CHECK_STR(xs_offer_explain(en, &o[1], "en", b, sizeof b),
              "A4 paper goes with the Desktop PC you bought, so you can put it to "
              "full use. A4 paper was also bought by 4 of 6 customers (67%) who "
              "bought Desktop PC.");
    CHECK_STR(xs_offer_explain(en, &o[1], "ja", b, sizeof b),
              "ご購入のDesktop PCと合わせてA4 "
              "paperをお使いいただくと、Desktop "
              "PCをより活用いただけます。Desktop "
              "PCをご購入のお客様6社のうち4社（67%）がA4 "
              "paperも購入しています。");
    xs_offer_engine_free(en);
    /* the rule off (no pair is below a lift of 0): the laptop is a candidate
     * like any other, and the evaluation measure still calls it bad */
    en = engine("subst_lift=0");
    dump(en, "TDESK", o, &n);
    x = find(o, n, XS_TRIG_ADOPTION, "laptop-14", en);
    CHECK(x != NULL);
    CHECK_INT(x->guard, XS_GUARD_LIMIT);
    CHECK_INT(x->subst_of, -1);
    xs_offer_engine_free(en);
    /* a purchase older than subst_days is not guarded */
    en = engine("subst_days=10");
    dump(en, "TDESK", o, &n);
    x = find(o, n, XS_TRIG_ADOPTION, "laptop-14", en);
    CHECK(x != NULL);
    CHECK_INT(x->guard, XS_GUARD_LIMIT);
    xs_offer_engine_free(en);
}

/* Nothing far above the customer's price band without strong evidence. */
static void test_price_band(void)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    char b[1024];
    int n;
    xs_offer_engine *en = engine(NULL);
    /* TLUX's largest line is 6.00: mouse (4.2x) goes, case (7.5x), the desktop
     * and the watch do not */
    CHECK_STR(dump(en, "TLUX", o, &n),
              "1 cross-sell purchase mouse offered\n"
              "0 cross-sell adoption watch price_band\n"
              "0 cross-sell purchase desktop price_band\n"
              "0 cross-sell purchase case price_band\n");
    double lo, hi;
    CHECK_NEAR(o[0].band_hi, 6, 1e-9);
    xs__offer_shop h;
    xs__offer_shop_gather(en, (uint32_t)xs_offer_engine_find(en, "TLUX"), NULL, 0, &h);
    xs__offer_price_band(&h, &lo, &hi);
    CHECK_NEAR(lo, 6, 1e-9);
    CHECK_NEAR(hi, 6, 1e-9);
    const xs_offer *w = find(o, n, XS_TRIG_ADOPTION, "watch", en);
    CHECK(w != NULL);
    CHECK_INT(xs_offer_bad_cross_sell(en, w), XS_OFFER_BAD_PRICE);
    CHECK(strstr(xs_offer_evidence(en, w, b, sizeof b),
                 "; price 5000.00, largest past line 6.00 (833.33x)") != NULL);
    CHECK_STR(xs_offer_explain(en, w, "en", b, sizeof b),
              "Gold watch goes with the Pens you bought, so you can put it to full "
              "use. Gold watch was also bought by 2 of 8 customers (25%) who bought "
              "Pens.");
    xs_offer_engine_free(en);
    /* strong evidence lets it through: pens -> watch has lift 2.62 */
    en = engine("band_lift=2.5");
    dump(en, "TLUX", o, &n);
    w = find(o, n, XS_TRIG_ADOPTION, "watch", en);
    CHECK(w != NULL);
    CHECK(w->guard != XS_GUARD_PRICE_BAND);
    xs_offer_engine_free(en);
    /* the rule off: the dear offers with the most evidence win */
    en = engine("band_ratio=100000");
    CHECK_STR(dump(en, "TLUX", o, &n),
              "1 cross-sell purchase desktop offered\n"
              "2 cross-sell adoption watch offered\n"
              "0 cross-sell purchase case limit\n"
              "0 cross-sell purchase mouse limit\n");
    xs_offer_engine_free(en);
}

/* The next tier of a shop product's family, explained by what it gives. */
static void test_upgrade(void)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    char b[1024];
    int n;
    xs_offer_engine *en = engine(NULL);
    CHECK_STR(dump(en, "TLAPTOP", o, &n),
              "1 upsell shop_upgrade laptop-14 -> laptop-16 offered\n"
              "2 cross-sell bundle case + mouse offered\n"
              "0 cross-sell adoption desktop substitute\n"
              "0 cross-sell purchase paper limit\n");
    CHECK_NEAR(o[0].revenue_delta, 600, 1e-9);
    CHECK_NEAR(o[0].p_prior, 0.15, 1e-12);
    CHECK_STR(xs_offer_explain(en, &o[0], "en", b, sizeof b),
              "Laptop 16-inch gives you screen_in 16 instead of 14 and storage (GB) "
              "512 instead of 256, one step up from the Laptop 14-inch you bought. "
              "It costs USD 600.00 more.");
    CHECK_STR(xs_offer_explain(en, &o[0], "ja", b, sizeof b),
              "Laptop "
              "16-inchならscreen_inが14から16に、ストレージ容量（GB）が256から512になります。ご購入のLaptop "
              "14-inchの一つ上のモデルで、差額は600.00米ドルです。");
    CHECK(strstr(xs_offer_evidence(en, &o[0], b, sizeof b),
                 "trigger shop_upgrade; ladder laptop tier 1 -> 2;") != NULL);
    /* H1 has a laptop-14 but bought it months ago: no upgrade */
    dump(en, "H1", o, &n);
    for (int i = 0; i < n; i++)
        CHECK(o[i].trigger != XS_TRIG_SHOP_UPGRADE);
    xs_offer_engine_free(en);
}

/* A frequent itemset the customer has partly bought: the missing items at
 * their combined price less the declared discount. */
static void test_bundle(void)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    char b[1024];
    int n;
    xs_offer_engine *en = engine(NULL);
    dump(en, "TLAPTOP", o, &n);
    const xs_offer *x = &o[1];
    CHECK_INT(x->trigger, XS_TRIG_BUNDLE);
    CHECK_NEAR(x->revenue_delta, 63, 1e-9);
    CHECK_NEAR(x->discount, 7, 1e-9);
    CHECK_INT(x->share_n, 3);
    CHECK_INT(x->base_n, 7);
    CHECK_STR(xs_offer_explain(en, x, "en", b, sizeof b),
              "Complete the set with your Laptop 14-inch and save USD 7.00: Laptop "
              "case and Wireless mouse for USD 63.00 together. The whole set was in "
              "3 of 7 orders (43%) with Laptop 14-inch.");
    CHECK_STR(xs_offer_explain(en, x, "ja", b, sizeof b),
              "ご購入のLaptop 14-inchにLaptop caseとWireless "
              "mouseを合わせると、セットがそろい、7.00米ドルお得になります。料金は合計63.00米ドルです。Laptop "
              "14-inchを含むご注文7件のうち3件（43%）がこのセットをそろえています。");
    CHECK_INT(xs_offer_bad_cross_sell(en, x), 0);
    /* TPRINT: pair bundles, most relevant first */
    CHECK_STR(dump(en, "TPRINT", o, &n),
              "1 cross-sell bundle paper offered\n"
              "2 cross-sell bundle toner offered\n");
    CHECK_STR(xs_offer_explain(en, &o[0], "en", b, sizeof b),
              "Complete the set with your Laser printer: A4 paper for USD 25.00. The "
              "whole set was in 4 of 5 orders (80%) with Laser printer.");
    xs_offer_engine_free(en);
    /* without bundles the laptop's accessories come from the rules */
    en = engine("bundle_lift=100");
    dump(en, "TLAPTOP", o, &n);
    for (int i = 0; i < n; i++)
        CHECK(o[i].trigger != XS_TRIG_BUNDLE);
    xs_offer_engine_free(en);
}

/* The cart: a substitute of an item in the cart is guarded too. */
static void test_cart(void)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    xs_offer_engine *en = engine(NULL);
    uint32_t cart[1] = {(uint32_t)xs_offer_engine_find_product(en, "laptop-14")};
    int n = xs_offer_decide_cart(en, (uint32_t)xs_offer_engine_find(en, "TLUX"), cart, 1, o,
                                 XS_OFFER_MAX_CANDIDATES);
    const xs_offer *d = find(o, n, XS_TRIG_ADOPTION, "desktop", en);
    if (!d) d = find(o, n, XS_TRIG_CART, "desktop", en);
    if (d) CHECK_INT(d->guard, XS_GUARD_SUBSTITUTE);
    const xs_offer *u = find(o, n, XS_TRIG_SHOP_UPGRADE, "laptop-16", en);
    CHECK(u != NULL);
    /* the cart's laptop is a line at list price: the band rises to 1200 */
    const xs_offer *m = find(o, n, XS_TRIG_BUNDLE, "case", en);
    CHECK(m != NULL);
    CHECK_NEAR(m->band_hi, 1200, 1e-9);
    xs_offer_engine_free(en);
}

static void test_config(void)
{
    xs_offer_config c;
    xs_offer_config_init(&c);
    CHECK_NEAR(c.subst_days, 90, 0);
    CHECK_NEAR(c.subst_lift, 1.2, 0);
    CHECK_NEAR(c.subst_price_ratio, 2, 0);
    CHECK_NEAR(c.band_ratio, 5, 0);
    CHECK_NEAR(c.band_lift, 3, 0);
    CHECK_NEAR(c.bundle_lift, 2, 0);
    CHECK_INT(xs_offer_config_set(&c, "band_ratio=4,subst_days=30", "--set", NULL), XS_OK);
    CHECK_NEAR(c.band_ratio, 4, 0);
    CHECK_NEAR(c.subst_days, 30, 0);
    CHECK_STR(xs_offer_guard_name(XS_GUARD_SUBSTITUTE), "substitute");
    CHECK_STR(xs_offer_guard_name(XS_GUARD_PRICE_BAND), "price_band");
    CHECK_STR(xs_offer_trigger_name(XS_TRIG_BUNDLE), "bundle");
    CHECK_STR(xs_offer_trigger_name(XS_TRIG_SHOP_UPGRADE), "shop_upgrade");
}

static const xs_test tests[] = {
    {"order_by_relevance", test_order_by_relevance},
    {"substitute", test_substitute},
    {"price_band", test_price_band},
    {"upgrade", test_upgrade},
    {"bundle", test_bundle},
    {"cart", test_cart},
    {"config", test_config},
};

int main(void)
{
    snap = load_fixture();
    int rc = xs_test_run(tests, XS_N(tests));
    xs_snapshot_free(snap);
    return rc;
}
