/*
 * test_mine_source.c — the store sources of the miners on a small hand-made
 * store (the CSV files of tests/data/together imported with xs_import_file): exact
 * order baskets with their days, adoption baskets, first-held days and
 * observation ends, and a malformed stored date.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/date.h"
#include "mine/adoption.h"
#include "mine/baskets.h"
#include "store/store_int.h"

#include <unistd.h>

static char g_dir[64];
static char g_db[128];

static int32_t day(const char *s)
{
    int32_t d = 0;
    CHECK_INT(xs__date_parse(s, strlen(s), &d), 0);
    return d;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Basket t's items as names sorted and joined by spaces. */
static const char *basket_str(const xs_baskets *b, size_t t, char *buf, size_t n)
{
    const char *names[32];
    size_t k = 0;
    for (size_t i = b->off[t]; i < b->off[t + 1] && k < 32; i++)
        names[k++] = xs_baskets_item_name(b, b->items[i]);
    qsort(names, k, sizeof names[0], cmp_str);
    buf[0] = '\0';
    for (size_t i = 0; i < k; i++) {
        if (i) strncat(buf, " ", n - strlen(buf) - 1);
        strncat(buf, names[i], n - strlen(buf) - 1);
    }
    return buf;
}

/* Opens a fresh store with the fixtures imported; NULL when skipped. */
static xs_store *open_fixture(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    if (!src) src = ".";
    snprintf(g_dir, sizeof g_dir, "/tmp/xs_mine_source_XXXXXX");
    if (!mkdtemp(g_dir)) {
        CHECK(0);
        return NULL;
    }
    snprintf(g_db, sizeof g_db, "%s/t.db", g_dir);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, g_db, &e), XS_OK);
    if (!st) return NULL;
    static const struct {
        const char *file;
        xs_table_id t;
    } files[] = {{"customers", XS_T_CUSTOMERS},
                 {"products", XS_T_PRODUCTS},
                 {"subscriptions", XS_T_SUBSCRIPTIONS},
                 {"orders", XS_T_ORDERS},
                 {"events", XS_T_EVENTS}};
    for (size_t i = 0; i < XS_N(files); i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/data/together/%s.csv", src, files[i].file);
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = files[i].t;
        int rc = xs_import_file(st, path, &o, NULL, &e);
        if (rc < 0) {
            char msg[1200];
            fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
        }
        CHECK_INT(rc, XS_OK);
    }
    return st;
}

static void close_fixture(xs_store *st)
{
    xs_store_close(st);
    char p[256];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", g_db, suffix[i]);
        unlink(p);
    }
    rmdir(g_dir);
}

static void test_orders(void)
{
    xs_store *st = open_fixture();
    if (!st) return;
    xs_baskets *b = NULL;
    int32_t *days = NULL, as_of = 0;
    xs_error e;
    CHECK_INT(xs_baskets_from_store_dated(st, XS_SOURCE_ORDERS, &b, &days, &as_of, &e),
              XS_OK);
    CHECK_INT(as_of, day("2024-09-30"));
    CHECK_INT(xs_baskets_n_tx(b), 5);
    CHECK_INT(xs_baskets_n_items(b), 3);
    const char *want[] = {"crm seat", "seat", "crm seat", "acc", "acc"};
    const char *want_day[] = {"2024-02-10", "2024-07-15", "2024-03-03", "2024-08-01",
                              "2024-01-05"};
    char buf[256];
    for (size_t t = 0; t < 5 && t < xs_baskets_n_tx(b); t++) {
        CHECK_STR(basket_str(b, t, buf, sizeof buf), want[t]);
        CHECK_INT(days[t], day(want_day[t]));
    }
    xs_baskets_free(b);
    xs_days_free(days);
    /* the undated form gives the same baskets */
    CHECK_INT(xs_baskets_from_store(st, XS_SOURCE_ORDERS, &b, &e), XS_OK);
    CHECK_INT(xs_baskets_n_tx(b), 5);
    CHECK_STR(basket_str(b, 0, buf, sizeof buf), "crm seat");
    xs_baskets_free(b);
    close_fixture(st);
}

static void test_adoption_baskets(void)
{
    xs_store *st = open_fixture();
    if (!st) return;
    xs_baskets *b = NULL;
    int32_t *days = NULL, as_of = 0;
    CHECK_INT(
        xs_baskets_from_store_dated(st, XS_SOURCE_ADOPTION, &b, &days, &as_of, NULL),
        XS_OK);
    CHECK_INT(xs_baskets_n_tx(b), 5);
    CHECK_INT(xs_baskets_n_items(b), 4);
    /* C1..C5; day = when the set last grew */
    const char *want[] = {"acc crm pay seat", "acc pay seat", "acc", "crm",
                          "acc crm seat"};
    const char *want_day[] = {"2024-03-01", "2024-07-15", "2024-01-05", "2023-12-01",
                              "2024-08-01"};
    char buf[256];
    for (size_t t = 0; t < 5 && t < xs_baskets_n_tx(b); t++) {
        CHECK_STR(basket_str(b, t, buf, sizeof buf), want[t]);
        CHECK_INT(days[t], day(want_day[t]));
    }
    xs_baskets_free(b);
    xs_days_free(days);
    xs_mine_source src;
    CHECK_INT(xs_mine_source_parse("adoption", &src), XS_OK);
    CHECK_INT(src, XS_SOURCE_ADOPTION);
    CHECK_INT(xs_mine_source_parse("orders", &src), XS_OK);
    CHECK_INT(src, XS_SOURCE_ORDERS);
    CHECK_INT(xs_mine_source_parse("lines", &src), XS_EINVAL);
    close_fixture(st);
}

/* First day of a product for customer c, -1 when not held. */
static int32_t first_day(const struct xs_adoption_input *in, size_t c, const char *p)
{
    uint32_t id = xs__intern_find(&in->names, p, strlen(p));
    for (size_t i = in->off[c]; i < in->off[c + 1]; i++)
        if (in->item[i] == id) return in->day[i];
    return -1;
}

static void test_adoption_input(void)
{
    xs_store *st = open_fixture();
    if (!st) return;
    xs_adoption_input *in = NULL;
    xs_error e;
    CHECK_INT(xs_adoption_input_from_store(st, &in, &e), XS_OK);
    if (!in) return;
    CHECK_INT(xs_adoption_input_as_of(in), day("2024-09-30"));
    CHECK_INT(in->n_customers, 5);
    CHECK_INT(in->names.n, 4);
    /* C1: all subscriptions active -> as-of */
    CHECK_INT(first_day(in, 0, "acc"), day("2024-01-01"));
    CHECK_INT(first_day(in, 0, "pay"), day("2024-03-01"));
    CHECK_INT(first_day(in, 0, "crm"), day("2024-02-10"));
    CHECK_INT(first_day(in, 0, "seat"), day("2024-02-10"));
    CHECK_INT(in->end[0], day("2024-09-30"));
    /* C2: churned (every subscription ended, last 2024-06-30) but ordered
     * on 2024-07-15: observed until then */
    CHECK_INT(first_day(in, 1, "pay"), day("2024-01-15"));
    CHECK_INT(first_day(in, 1, "acc"), day("2024-02-01"));
    CHECK_INT(first_day(in, 1, "seat"), day("2024-07-15"));
    CHECK_INT(first_day(in, 1, "crm"), -1);
    CHECK_INT(in->end[1], day("2024-07-15"));
    /* C3: ordered acc before subscribing: first held = the order date */
    CHECK_INT(first_day(in, 2, "acc"), day("2024-01-05"));
    CHECK_INT(in->off[3] - in->off[2], 1);
    CHECK_INT(in->end[2], day("2024-09-30"));
    /* C4: crm ended then re-subscribed: first held the first start, active */
    CHECK_INT(first_day(in, 3, "crm"), day("2023-12-01"));
    CHECK_INT(in->end[3], day("2024-09-30"));
    /* C5: orders only */
    CHECK_INT(first_day(in, 4, "crm"), day("2024-03-03"));
    CHECK_INT(first_day(in, 4, "acc"), day("2024-08-01"));
    CHECK_INT(in->end[4], day("2024-09-30"));
    /* products ascending per customer */
    for (size_t c = 0; c < in->n_customers; c++)
        for (size_t i = in->off[c] + 1; i < in->off[c + 1]; i++)
            CHECK(in->item[i - 1] < in->item[i]);

    /* end to end: accounting -> payroll. Holders of acc: C1 (pay 60 days
     * later: event), C2 (pay before acc: excluded), C3 (censored at 269
     * days), C5 (censored at 60). KM: t=60 n=3 d=1 -> 1/3. */
    int32_t h[] = {30, 90};
    xs_adoption_opts o = {.from = "acc", .to = "pay", .horizons = h, .n_horizons = 2};
    xs_adoption *r;
    CHECK_INT(xs_adoption_compute(in, &o, &r, &e), XS_OK);
    const xs_adoption_curve *c = xs_adoption_get(r, 0);
    CHECK_INT(c->n_holders, 4);
    CHECK_INT(c->n_excluded, 1);
    CHECK_INT(c->n_points, 1);
    CHECK_INT(c->points[0].t, 60);
    CHECK_INT(c->points[0].at_risk, 3);
    CHECK_NEAR(c->share[0], 0.0, 0);
    CHECK_NEAR(c->share[1], 1.0 / 3.0, 1e-15);
    CHECK_INT(c->max_t, 269);
    xs_adoption_free(r);
    xs_adoption_input_free(in);
    close_fixture(st);
}

static void test_bad_stored_date(void)
{
    xs_store *st = open_fixture();
    if (!st) return;
    sqlite3_stmt *s;
    CHECK_INT(sqlite3_prepare_v2(st->db,
                                 "UPDATE orders SET date = ? WHERE order_id = 'O4'", -1,
                                 &s, NULL),
              SQLITE_OK);
    sqlite3_bind_text(s, 1, "2024-13-01", -1, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    xs_baskets *b = (xs_baskets *)1;
    xs_error e;
    CHECK_INT(xs_baskets_from_store(st, XS_SOURCE_ORDERS, &b, &e), XS_EDB);
    CHECK(b == NULL);
    CHECK_STR(e.column, "date");
    CHECK_STR(e.message, "not a date: \"2024-13-01\"");
    CHECK_STR(e.file, g_db);
    int32_t *days = NULL, as_of;
    CHECK_INT(xs_baskets_from_store_dated(st, XS_SOURCE_ORDERS, &b, &days, &as_of, &e),
              XS_EDB);
    CHECK_STR(e.column, "as-of date");
    CHECK(days == NULL);
    xs_adoption_input *in = (xs_adoption_input *)1;
    CHECK_INT(xs_adoption_input_from_store(st, &in, &e), XS_EDB);
    CHECK(in == NULL);
    close_fixture(st);
}

/* Every allocation failure unwinds: ENOMEM, nothing returned, no leak. */
static void test_alloc_failures(void)
{
    xs_store *st = open_fixture();
    if (!st) return;
    for (int what = 0; what < 3; what++) {
        int ok = 0;
        for (long k = 0; k < 500 && !ok; k++) {
            xs_baskets *b = NULL;
            int32_t *days = NULL, as_of;
            xs_adoption_input *in = NULL;
            xs__alloc_fail_after(k);
            int rc = what == 2 ? xs_adoption_input_from_store(st, &in, NULL)
                               : xs_baskets_from_store_dated(st, (xs_mine_source)what, &b,
                                                             &days, &as_of, NULL);
            xs__alloc_fail_after(-1);
            if (rc == XS_OK) {
                ok = 1;
                CHECK(what == 2 ? in != NULL : b != NULL && days != NULL);
            } else {
                CHECK_INT(rc, XS_ENOMEM);
                CHECK(b == NULL && days == NULL && in == NULL);
            }
            xs_baskets_free(b);
            xs_days_free(days);
            xs_adoption_input_free(in);
        }
        CHECK(ok);
    }
    close_fixture(st);
}

static const xs_test tests[] = {
    {"orders", test_orders},
    {"adoption_baskets", test_adoption_baskets},
    {"adoption_input", test_adoption_input},
    {"bad_stored_date", test_bad_stored_date},
    {"alloc_failures", test_alloc_failures},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
