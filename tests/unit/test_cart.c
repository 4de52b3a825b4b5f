/*
 * test_cart.c — the cart answer (src/offer/cart.c, xs_offer_cart) on the
 * tiny camera shop of tests/data/cart, as of 2026-06-30. The expected
 * answers are worked out by hand from the ten orders:
 *   orders with cam 5, sd card 4, bag/black 3, 三脚 3, lens 3;
 *   cam & sd card 3, cam & bag 2, sd & bag 2, 三脚 & lens 2 (others once),
 * so P(sd | cam) = 0.6, P(bag | cam) = 0.4, P(cam | sd) = 0.75,
 * P(bag | sd) = 0.5, P(lens | 三脚) = P(三脚 | lens) = 2/3. The customer
 * "L/ü 1" bought lens and cam on 2026-06-20 (recent: half weight) and
 * consented to no channel (every contact offer of it is held back).
 */
#include "test.h"
#include "store_fixture.h"

#include "snapshot/snapshot.h"

#include <jansson.h>

#include <unistd.h>

static xs_snapshot *snap;


static xs_snapshot *load_fixture(void)
{
    return xs_fixture_snapshot("cart", "cart", NULL);
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

/* The cart answer for customer (NULL: anonymous) and a comma-separated
 * cart, one line per offer: "rank product trigger because probability". */
static const char *answer(const xs_offer_engine *en, const char *customer,
                          const char *items, size_t cap)
{
    static char out[4096];
    uint32_t cart[16];
    size_t n_cart = 0, w = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", items);
    for (char *p = strtok(buf, ","); p && n_cart < 16; p = strtok(NULL, ",")) {
        long k = xs_offer_engine_find_product(en, p);
        if (k < 0) return "unknown product";
        cart[n_cart++] = (uint32_t)k;
    }
    xs_offer o[32];
    int n = xs_offer_cart(en, customer, cart, n_cart, o, cap);
    if (n < 0) return "error";
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        w += (size_t)snprintf(
            out + w, sizeof out - w, "%d %s %s %s %.4f\n", o[i].rank,
            xs__intern_str(&snap->prod.ids, (uint32_t)o[i].to_product),
            xs_offer_trigger_name(o[i].trigger),
            o[i].rule_from >= 0
                ? xs__intern_str(&snap->prod.ids, (uint32_t)o[i].rule_from)
                : "-",
            o[i].p_accept);
    return out;
}

static void test_anonymous(void)
{
    xs_offer_engine *en = engine(NULL);
    CHECK(en != NULL);
    if (!en) return;
    CHECK_STR(answer(en, NULL, "cam", 10), "1 sd card cart cam 0.6000\n"
                                           "2 bag/black cart cam 0.4000\n");
    /* bag/black from both: 1 - (1 - 0.4)(1 - 0.5); the stronger (sd card) explains */
    CHECK_STR(answer(en, NULL, "cam,sd card", 10), "1 bag/black cart sd card 0.7000\n");
    CHECK_STR(answer(en, NULL, "三脚", 10), "1 lens cart 三脚 0.6667\n");
    CHECK_STR(answer(en, NULL, "sd card", 10), "1 cam cart sd card 0.7500\n"
                                               "2 bag/black cart sd card 0.5000\n");
    /* nothing goes with pens but paper */
    CHECK_STR(answer(en, NULL, "pens", 10), "1 paper cart pens 1.0000\n");
    /* an item twice counts once; cap keeps the best */
    CHECK_STR(answer(en, NULL, "cam,cam", 10), answer(en, NULL, "cam", 10));
    CHECK_STR(answer(en, NULL, "cam", 1), "1 sd card cart cam 0.6000\n");
    /* an unknown customer is an anonymous shopper */
    CHECK_STR(answer(en, "nobody", "cam", 10), answer(en, NULL, "cam", 10));
    xs_offer_engine_free(en);
}

static void test_customer_history(void)
{
    xs_offer_engine *en = engine(NULL);
    CHECK(en != NULL);
    if (!en) return;
    /* L/ü 1 bought lens and cam 10 days ago: neither is proposed, and they
     * count half: bag/black 1 - (1 - 0.5)(1 - 0.5 x 0.4) = 0.6, 三脚 0.5 x 2/3 */
    CHECK_STR(answer(en, "L/ü 1", "sd card", 10), "1 bag/black cart sd card 0.6000\n"
                                                  "2 三脚 purchase lens 0.3333\n");
    /* A bought cam in January: not recent, so it is proposed again and adds nothing */
    CHECK_STR(answer(en, "A", "sd card", 10), answer(en, NULL, "sd card", 10));
    /* the offers carry the customer, channel in_app, rank and no guard */
    uint32_t cart[1] = {(uint32_t)xs_offer_engine_find_product(en, "sd card")};
    xs_offer o[4];
    CHECK_INT(xs_offer_cart(en, "L/ü 1", cart, 1, o, 4), 2);
    CHECK_INT(o[0].customer, xs_offer_engine_find(en, "L/ü 1"));
    CHECK_STR(xs_offer_channel_name(o[0].channel), "in_app");
    CHECK_INT(o[0].guard, XS_GUARD_NONE);
    CHECK_INT(o[1].rank, 2);
    CHECK_NEAR(o[0].confidence, 0.5, 1e-6);
    CHECK_INT(xs_offer_cart(en, NULL, cart, 1, o, 4), 2);
    CHECK_INT(o[0].customer, XS_OFFER_ANONYMOUS);
    /* no cart, anonymous: nothing to go on */
    CHECK_INT(xs_offer_cart(en, NULL, cart, 0, o, 4), 0);
    /* out-of-range indexes are ignored */
    uint32_t bad[2] = {999, cart[0]};
    CHECK_INT(xs_offer_cart(en, NULL, bad, 2, o, 4), 2);
    xs_offer_engine_free(en);
}

/* The contact policy does not apply to a placement: a customer whose every
 * contact offer is held back (no consent; here also a loyalty gate no one
 * passes) still gets the same cart answer. */
static void test_no_contact_policy(void)
{
    xs_offer_engine *en = engine("min_health=101,max_contacts=0");
    CHECK(en != NULL);
    if (!en) return;
    long c = xs_offer_engine_find(en, "L/ü 1");
    long a = xs_offer_engine_find(en, "A");
    uint32_t cart[1] = {(uint32_t)xs_offer_engine_find_product(en, "sd card")};
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    int n = xs_offer_decide_cart(en, (uint32_t)c, cart, 1, o, XS_OFFER_MAX_CANDIDATES);
    CHECK(n > 0);
    for (int i = 0; i < n; i++)
        CHECK(o[i].guard != XS_GUARD_NONE);
    /* A consented: the loyalty gate holds its contact offers */
    n = xs_offer_decide_cart(en, (uint32_t)a, cart, 1, o, XS_OFFER_MAX_CANDIDATES);
    CHECK(n > 0);
    for (int i = 0; i < n; i++)
        CHECK(o[i].guard == XS_GUARD_HEALTH || o[i].guard == XS_GUARD_FREQUENCY);
    CHECK_STR(answer(en, "L/ü 1", "sd card", 10), "1 bag/black cart sd card 0.6000\n"
                                                  "2 三脚 purchase lens 0.3333\n");
    CHECK_STR(answer(en, "A", "sd card", 10), "1 cam cart sd card 0.7500\n"
                                              "2 bag/black cart sd card 0.5000\n");
    xs_offer_engine_free(en);
}

/* The CSV of a table, each line cut after its first n_fields fields (the
 * explanation, last, is checked against xs_offer_explain instead). */
static const char *csv_cut(const xs_table *t, int n_fields)
{
    static char out[4096];
    char *buf = NULL;
    size_t len = 0, w = 0;
    FILE *f = open_memstream(&buf, &len);
    if (xs_table_write(t, f, XS_FORMAT_CSV) < 0) return "write failed";
    fclose(f);
    int field = 0;
    for (char *p = buf; *p && w < sizeof out - 2; p++) {
        if (*p == '\n') {
            out[w++] = '\n';
            field = 0;
            continue;
        }
        if (*p == ',') field++;
        if (field < n_fields) out[w++] = *p;
    }
    out[w] = 0;
    free(buf);
    return out;
}

/* The explanation of row i of a table (through its JSON form). */
static const char *explanation(const xs_table *t, size_t i)
{
    static char out[1024];
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (xs_table_write(t, f, XS_FORMAT_JSON) < 0) return "write failed";
    fclose(f);
    json_t *j = json_loads(buf, 0, NULL);
    snprintf(out, sizeof out, "%s",
             json_string_value(json_object_get(json_array_get(j, i), "explanation"))
                 ? json_string_value(json_object_get(json_array_get(j, i), "explanation"))
                 : "(none)");
    json_decref(j);
    free(buf);
    return out;
}

static void test_table(void)
{
    xs_offer_engine *en = engine(NULL);
    CHECK(en != NULL);
    if (!en) return;
    uint32_t cart[1] = {(uint32_t)xs_offer_engine_find_product(en, "sd card")};
    xs_offer o[4];
    int n = xs_offer_cart(en, "L/ü 1", cart, 1, o, 4);
    xs_table *t = xs_table_new();
    CHECK_INT(xs_offer_cart_table_columns(t), XS_OK);
    CHECK_INT(xs_offer_cart_table(en, o, (size_t)n, "fr", t), XS_EINVAL);
    CHECK_INT(xs_offer_cart_table(en, o, (size_t)n, "en", t), XS_OK);
    CHECK_STR(csv_cut(t, 7),
              "customer_id,rank,product,trigger,because,probability,confidence\n"
              "L/ü 1,1,bag/black,cart,sd card,0.6000,0.5000\n"
              "L/ü 1,2,三脚,purchase,lens,0.3333,0.6667\n");
    char text[1024];
    for (int i = 0; i < n; i++) {
        CHECK(*xs_offer_explain(en, &o[i], "en", text, sizeof text));
        CHECK_STR(explanation(t, (size_t)i), text);
    }
    xs_table_free(t);
    /* anonymous: empty customer_id; Japanese */
    n = xs_offer_cart(en, NULL, cart, 1, o, 1);
    t = xs_table_new();
    CHECK_INT(xs_offer_cart_table_columns(t), XS_OK);
    CHECK_INT(xs_offer_cart_table(en, o, (size_t)n, "ja", t), XS_OK);
    CHECK_STR(csv_cut(t, 7),
              "customer_id,rank,product,trigger,because,probability,confidence\n"
              ",1,cam,cart,sd card,0.7500,0.7500\n");
    CHECK_STR(explanation(t, 0), xs_offer_explain(en, &o[0], "ja", text, sizeof text));
    xs_table_free(t);
    xs_offer_engine_free(en);
}

/* With the ranking model (the default), the cart answer comes in the
 * model's order: the products it proposes are those of xs_rank_customer()
 * for the same shopper and cart, in the same relative order. */
static void test_model_order(void)
{
    xs_offer_engine *en = engine("rank_order=1");
    CHECK(en != NULL);
    if (!en) return;
    xs_rank_opts ro;
    xs_rank_opts_init(&ro);
    ro.as_of = "2026-07-01"; /* orders up to the engine's as-of day */
    xs_rank *r = NULL;
    xs_rank_scratch *q = NULL;
    CHECK_INT(xs_rank_build(snap, &ro, &r, NULL), XS_OK);
    CHECK_INT(xs_rank_scratch_new(r, &q), XS_OK);
    static const char *const carts[] = {"cam", "sd card", "cam,sd card", "lens"};
    static const char *const who[] = {NULL, "L/ü 1"};
    size_t n_checked = 0;
    for (size_t w = 0; w < 2; w++)
        for (size_t k = 0; k < XS_N(carts); k++) {
            uint32_t cart[4], c = XS_RANK_NONE;
            size_t n_cart = 0;
            char buf[64];
            snprintf(buf, sizeof buf, "%s", carts[k]);
            for (char *p = strtok(buf, ","); p; p = strtok(NULL, ","))
                cart[n_cart++] = (uint32_t)xs_offer_engine_find_product(en, p);
            if (who[w]) CHECK_INT(xs_rank_find_customer(r, who[w], &c), XS_OK);
            xs_offer o[16];
            xs_rank_hit hits[64];
            int n = xs_offer_cart(en, who[w], cart, n_cart, o, 16);
            int m = xs_rank_customer(r, q, c, cart, n_cart, hits, 64);
            CHECK(n >= 0 && m >= n);
            /* every proposal is ranked by the model, in the model's order */
            int at = 0;
            for (int i = 0; i < n; i++) {
                while (at < m && hits[at].product != (uint32_t)o[i].to_product)
                    at++;
                CHECK(at < m);
                CHECK_NEAR(o[i].relevance, at < m ? hits[at].score : -1, 1e-12);
                at++;
                n_checked++;
            }
        }
    CHECK(n_checked >= 6);
    xs_rank_scratch_free(q);
    xs_rank_free(r);
    xs_offer_engine_free(en);
}

static const xs_test tests[] = {
    {"model_order", test_model_order},
    {"anonymous", test_anonymous},
    {"customer_history", test_customer_history},
    {"no_contact_policy", test_no_contact_policy},
    {"table", test_table},
};

int main(void)
{
    snap = load_fixture();
    int rc = xs_test_run(tests, XS_N(tests));
    xs_snapshot_free(snap);
    return rc;
}
