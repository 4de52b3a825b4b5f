/*
 * test_catalog.c — the catalog check (src/offer/catalog.c): one hand-made
 * catalogue per finding with its exact message, a clean catalogue with
 * none, the reachability rules (free products, shop products, products
 * bought in orders), the report order, and allocation failures.
 *
 * Catalogues go in as products CSV through xs_import_file into a fresh
 * SQLite store, then a snapshot is checked: the same path `xsell import`
 * and `xsell catalog check` take.
 */
#include "test.h"

#include "xsell.h"
#include "base/alloc.h"

#include <unistd.h>

#define HEAD "product_id,family,tier,kind,price,billing,limits\n"

static char db_path[256], csv_path[256];

static void remove_files(void)
{
    char p[300];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
    unlink(csv_path);
}

static void import_text(xs_store *st, xs_table_id t, const char *text)
{
    FILE *f = fopen(csv_path, "w");
    CHECK(f != NULL);
    if (!f) exit(1);
    fputs(text, f);
    fclose(f);
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = t;
    o.format = XS_IO_CSV;
    xs_import_result r;
    xs_error e;
    int rc = xs_import_file(st, csv_path, &o, &r, &e);
    if (rc < 0) {
        char m[1200];
        fprintf(stderr, "import: %s\n", xs_error_format(&e, m, sizeof m));
    }
    CHECK_INT(rc, XS_OK);
}

/* A store holding products (and, when given, customers and orders CSV). */
static xs_store *store_of(const char *products, const char *customers, const char *orders)
{
    snprintf(db_path, sizeof db_path, "/tmp/xs-test-catalog-%ld.db", (long)getpid());
    snprintf(csv_path, sizeof csv_path, "/tmp/xs-test-catalog-%ld.csv", (long)getpid());
    remove_files();
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db_path, &e), XS_OK);
    if (!st) exit(1);
    import_text(st, XS_T_PRODUCTS, products);
    if (customers) import_text(st, XS_T_CUSTOMERS, customers);
    if (orders) import_text(st, XS_T_ORDERS, orders);
    return st;
}

/* The findings of a catalogue; caller frees with xs_catalog_report_free. */
static xs_catalog_report *check_of(const char *products, const char *customers,
                                   const char *orders)
{
    xs_store *st = store_of(products, customers, orders);
    xs_catalog_report *r = NULL;
    xs_error e;
    int n = xs_catalog_check_store(st, &r, &e);
    CHECK(n >= 0);
    CHECK(r != NULL);
    if (!r) exit(1);
    CHECK_INT((size_t)n, xs_catalog_report_n(r));
    xs_store_close(st);
    remove_files();
    return r;
}

/* Finding i must be exactly these. */
static void expect(const xs_catalog_report *r, size_t i, xs_catalog_code code,
                   const char *family, const char *product, const char *other,
                   const char *message)
{
    CHECK(i < xs_catalog_report_n(r));
    if (i >= xs_catalog_report_n(r)) return;
    xs_catalog_finding f;
    xs_catalog_report_get(r, i, &f);
    CHECK_INT(f.code, code);
    CHECK_STR(f.code_name, xs_catalog_code_name(code));
    CHECK_STR(f.family, family);
    CHECK_STR(f.product, product);
    CHECK_STR(f.other, other);
    CHECK_STR(f.message, message);
}

/* Every ladder rises, every product has a trigger. */
static const char clean[] = HEAD "crm-basic-m,crm,1,plan,30,month,seats=5;storage_gb=10\n"
                                 "crm-pro-m,crm,2,plan,60,month,seats=25;storage_gb=100\n"
                                 "crm-basic-y,crm,1,plan,300,year,seats=5;storage_gb=10\n"
                                 "crm-pro-y,crm,2,plan,600,year,seats=25;storage_gb=100\n"
                                 "crm-seats,crm,,addon,10,month,seats=5\n"
                                 "crm-api,crm,,addon,20,month,\n"
                                 "chat-free,chat,1,plan,0,month,seats=3\n"
                                 "chat-pro,chat,2,plan,8,month,seats=50\n"
                                 "pen,,,product,1,once,\n";

static void test_clean(void)
{
    xs_catalog_report *r = check_of(clean, NULL, NULL);
    CHECK_INT(xs_catalog_report_n(r), 0);
    size_t np = 0, nf = 0;
    xs_catalog_report_counts(r, &np, &nf);
    CHECK_INT(np, 9);
    CHECK_INT(nf, 2);
    xs_catalog_report_free(r);
    /* an empty catalogue has nothing to say either */
    r = check_of(HEAD, NULL, NULL);
    CHECK_INT(xs_catalog_report_n(r), 0);
    xs_catalog_report_free(r);
}

static void test_tier_cheaper(void)
{
    xs_catalog_report *r = check_of(HEAD "crm-lite,crm,1,plan,10,month,\n"
                                         "crm-basic,crm,2,plan,30,month,\n"
                                         "crm-pro,crm,3,plan,25,month,\n"
                                         "crm-lite-y,crm,1,plan,120,year,\n"
                                         "crm-basic-y,crm,2,plan,90,year,\n",
                                    NULL, NULL);
    CHECK_INT(xs_catalog_report_n(r), 2);
    expect(
        r, 0, XS_CATALOG_TIER_CHEAPER, "crm", "crm-basic-y", "crm-lite-y",
        "crm-basic-y (tier 2) costs less than crm-lite-y (tier 1): 7.50 < 10.00 a month");
    expect(r, 1, XS_CATALOG_TIER_CHEAPER, "crm", "crm-pro", "crm-basic",
           "crm-pro (tier 3) costs less than crm-basic (tier 2): 25.00 < 30.00 a month");
    xs_catalog_report_free(r);
}

static void test_tier_limit_lower(void)
{
    xs_catalog_report *r =
        check_of(HEAD "crm-basic,crm,1,plan,30,month,seats=10;storage_gb=5;api=1\n"
                      "crm-pro,crm,2,plan,60,month,storage_gb=50;seats=5\n",
                 NULL, NULL);
    CHECK_INT(xs_catalog_report_n(r), 1);
    expect(r, 0, XS_CATALOG_TIER_LIMIT_LOWER, "crm", "crm-pro", "crm-basic",
           "crm-pro (tier 2) has a lower seats limit than crm-basic (tier 1): 5 < 10");
    xs_catalog_report_free(r);
}

static void test_tier_gap(void)
{
    xs_catalog_report *r = check_of(HEAD "crm-basic,crm,1,plan,30,month,\n"
                                         "crm-pro,crm,3,plan,60,month,\n",
                                    NULL, NULL);
    CHECK_INT(xs_catalog_report_n(r), 2);
    expect(r, 0, XS_CATALOG_TIER_GAP, "crm", "crm-pro", "crm-basic",
           "the crm monthly plans have no tier 2 between crm-basic (tier 1) and crm-pro "
           "(tier 3): no upsell leads from one to the other");
    /* and so nothing leads to crm-pro */
    expect(
        r, 1, XS_CATALOG_UNREACHABLE, "crm", "crm-pro", "",
        "crm-pro can never be offered: no upsell, downsell or term change of crm leads "
        "to it and it is not the family's entry plan");
    xs_catalog_report_free(r);
}

static void test_tier_duplicate(void)
{
    xs_catalog_report *r = check_of(HEAD "crm-basic,crm,1,plan,30,month,\n"
                                         "crm-pro,crm,2,plan,60,month,\n"
                                         "crm-plus,crm,2,plan,70,month,\n"
                                         "crm-max,crm,3,plan,90,month,\n",
                                    NULL, NULL);
    CHECK_INT(xs_catalog_report_n(r), 2);
    expect(r, 0, XS_CATALOG_TIER_DUPLICATE, "crm", "crm-plus", "crm-pro",
           "crm-plus and crm-pro are both tier 2 of the crm monthly plans: upsells and "
           "downsells only ever propose crm-pro");
    /* the upsell from tier 1 and the downsell from tier 3 both take crm-pro,
     * the first tier 2 (lower price), so nothing leads to crm-plus */
    expect(
        r, 1, XS_CATALOG_UNREACHABLE, "crm", "crm-plus", "",
        "crm-plus can never be offered: no upsell, downsell or term change of crm leads "
        "to it and it is not the family's entry plan");
    xs_catalog_report_free(r);
}

static void test_addon_above_plan(void)
{
    xs_catalog_report *r = check_of(HEAD "crm-basic,crm,1,plan,30,month,\n"
                                         "crm-pro,crm,2,plan,60,month,\n"
                                         "crm-basic-y,crm,1,plan,300,year,\n"
                                         "crm-api,crm,,addon,40,month,\n"
                                         "crm-sso,crm,,addon,30,month,\n"
                                         "crm-audit-y,crm,,addon,480,year,\n"
                                         "crm-setup,crm,,addon,500,once,\n",
                                    NULL, NULL);
    CHECK_INT(xs_catalog_report_n(r), 2);
    expect(
        r, 0, XS_CATALOG_ADDON_ABOVE_PLAN, "crm", "crm-api", "crm-basic",
        "crm-api (add-on) costs more than crm-basic, the cheapest plan it attaches to: "
        "40.00 > 30.00 a month");
    expect(
        r, 1, XS_CATALOG_ADDON_ABOVE_PLAN, "crm", "crm-audit-y", "crm-basic-y",
        "crm-audit-y (add-on) costs more than crm-basic-y, the cheapest plan it attaches "
        "to: 40.00 > 25.00 a month");
    xs_catalog_report_free(r);
}

static void test_unreachable(void)
{
    static const char products[] = HEAD "crm-basic,crm,1,plan,30,month,seats=5\n"
                                        "crm-seats,crm,,addon,5,month,seats=5\n"
                                        "crm-seats-big,crm,,addon,20,month,seats=50\n"
                                        "crm-storage,crm,,addon,10,month,storage_gb=100\n"
                                        "crm-legacy,crm,,plan,25,year,\n"
                                        "crm-free-y,crm,1,plan,0,year,\n"
                                        "chat-free,chat,1,plan,0,month,\n"
                                        "chat-archive,chat,,addon,3,month,\n"
                                        "oldplan,,,plan,9,month,\n"
                                        "soldplan,,,plan,9,month,\n"
                                        "pen,,,product,1,once,\n"
                                        "mug,,,product,4,once,\n";
    xs_catalog_report *r =
        check_of(products, "customer_id,signup_date\nC1,2024-01-01\n",
                 "order_id,customer_id,date,product_id,quantity,amount\n"
                 "O1,C1,2024-02-01,soldplan,1,9\n"
                 "O1,C1,2024-02-01,pen,1,1\n");
    CHECK_INT(xs_catalog_report_n(r), 5);
    expect(r, 0, XS_CATALOG_UNREACHABLE, "", "oldplan", "",
           "oldplan can never be offered: a plan with no family is on no ladder, and no "
           "order contains it");
    expect(r, 1, XS_CATALOG_UNREACHABLE, "chat", "chat-archive", "",
           "chat-archive can never be offered: chat has no paid plan to attach it to");
    expect(r, 2, XS_CATALOG_UNREACHABLE, "crm", "crm-legacy", "",
           "crm-legacy can never be offered: a plan with no tier is on no ladder of crm");
    expect(r, 3, XS_CATALOG_UNREACHABLE, "crm", "crm-seats-big", "crm-seats",
           "crm-seats-big can never be offered: only the first seats add-on of crm, "
           "crm-seats, is sold as seat packs");
    expect(r, 4, XS_CATALOG_UNREACHABLE, "crm", "crm-storage", "",
           "crm-storage can never be offered: an add-on with limits (storage_gb) is not "
           "proposed as an option; only one with a seats limit is, as seat packs");
    xs_catalog_report_free(r);
}

static void test_alloc_failure(void)
{
    xs_store *st = store_of(clean, NULL, NULL);
    xs_snapshot *snap = NULL;
    xs_error e;
    CHECK_INT(xs_snapshot_load(st, &snap, &e), XS_OK);
    int failed = 0, ok = 0;
    for (long k = 0; k < 200 && !ok; k++) {
        xs_catalog_report *r = NULL;
        xs__alloc_fail_after(k);
        int rc = xs_catalog_check(snap, &r, &e);
        xs__alloc_fail_after(-1);
        if (rc == XS_ENOMEM) {
            failed++;
            CHECK(r == NULL);
            CHECK_STR(e.message, "out of memory");
        } else {
            CHECK_INT(rc, 0);
            ok = 1;
        }
        xs_catalog_report_free(r);
    }
    CHECK(failed > 0);
    CHECK(ok);
    xs_snapshot_free(snap);
    xs_store_close(st);
    remove_files();
    CHECK(xs_catalog_code_name(XS_CATALOG_N_CODES) == NULL);
    CHECK_STR(xs_catalog_code_name(XS_CATALOG_TIER_GAP), "tier_gap");
}

int main(void)
{
    static const xs_test tests[] = {
        {"clean", test_clean},
        {"tier_cheaper", test_tier_cheaper},
        {"tier_limit_lower", test_tier_limit_lower},
        {"tier_gap", test_tier_gap},
        {"tier_duplicate", test_tier_duplicate},
        {"addon_above_plan", test_addon_above_plan},
        {"unreachable", test_unreachable},
        {"alloc_failure", test_alloc_failure},
    };
    return xs_test_run(tests, XS_N(tests));
}
