/*
 * test_transactions.c — xs_import_transactions at the library level: the
 * counts of the shop fixture (tests/data/transactions/shop.csv, also read by
 * tests/cli/transactions.t), date-time parsing in every date order, and
 * allocation failures at every step leaving the store as it was.
 */
#include "test.h"

#include "base/alloc.h"
#include "xsell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char data[600];

static const char *const shop_maps[] = {
    "Invoice=order_id",        "StockCode=product_id", "Description=product_name",
    "Quantity=quantity",       "InvoiceDate=date",     "Price=unit_price",
    "Customer ID=customer_id",
};

static xs_store *fresh(const char *path)
{
    char wal[300];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    xs_store *st = NULL;
    if (xs_store_open(&st, path, NULL) < 0) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    return st;
}

static void shop_options(xs_txn_options *o)
{
    memset(o, 0, sizeof *o);
    xs_import_options_init(&o->base);
    o->base.maps = shop_maps;
    o->base.n_maps = XS_N(shop_maps);
    o->return_prefix = "C";
}

static void test_shop_counts(void)
{
    xs_store *st = fresh("shop.db");
    xs_txn_options o;
    shop_options(&o);
    xs_txn_result r;
    xs_error e;
    CHECK_INT(xs_import_transactions(st, data, &o, &r, &e), XS_OK);
    CHECK_INT(r.rows, 13);
    CHECK_INT(r.orders, 4);
    CHECK_INT(r.order_lines, 6);
    CHECK_INT(r.merged, 1);
    CHECK_INT(r.returns, 1);
    CHECK_INT(r.return_lines, 1);
    CHECK_INT(r.anonymous_orders, 1);
    CHECK_INT(r.anonymous_lines, 2);
    CHECK_INT(r.excluded_lines, 2);
    CHECK_INT(r.zero_price_lines, 1);
    CHECK_INT(r.negative_price_lines, 0);
    CHECK_INT(r.rounded, 2);
    CHECK_INT(r.new_customers, 2);
    CHECK_INT(r.new_products, 4);
    CHECK_INT(r.n_errors, 0);
    CHECK_INT(r.n_excluded, 2);
    if (r.n_excluded == 2) {
        CHECK_STR(r.excluded[0].code, "M"); /* 1 line each: by code */
        CHECK_STR(r.excluded[0].reason, "description \"Manual\"");
        CHECK_STR(r.excluded[1].code, "POST");
    }
    CHECK_INT(r.tables[XS_T_ORDERS].inserted, 6);
    CHECK_INT(r.tables[XS_T_RETURNS].inserted, 1);
    CHECK_INT(r.tables[XS_T_ANONYMOUS_ORDERS].inserted, 2);
    CHECK_INT(xs_store_count(st, XS_T_CUSTOMERS, NULL), 2);
    CHECK_INT(xs_store_count(st, XS_T_PRODUCTS, NULL), 4);
    xs_txn_result_free(&r);
    xs_txn_result_free(NULL);

    /* a product already in the store keeps its own name and price */
    xs_store_close(st);
    st = fresh("shop2.db");
    xs_import_rows pr;
    const char *names[] = {"product_id", "name", "kind", "price", "billing", "category"};
    xs_import_value v[6] = {{"85048", 5, 1},   {"Glass ball (our name)", 21, 1},
                            {"product", 7, 1}, {"9.99", 4, 1},
                            {"once", 4, 1},    {"lights", 6, 1}};
    pr.table = XS_T_PRODUCTS;
    pr.names = names;
    pr.n_names = 6;
    pr.values = v;
    pr.n_rows = 1;
    CHECK_INT(xs_import_records(st, &pr, 1, NULL, NULL, NULL), XS_OK);
    CHECK_INT(xs_import_transactions(st, data, &o, &r, &e), XS_OK);
    CHECK_INT(r.new_products, 3);
    xs_txn_result_free(&r);
    CHECK_INT(xs_export_table(st, XS_T_PRODUCTS, "p.csv", XS_IO_CSV, NULL), 4);
    FILE *f = fopen("p.csv", "r");
    char line[300], got[2000] = "";
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "85048,", 6)) snprintf(got, sizeof got, "%s", line);
    if (f) fclose(f);
    CHECK_STR(got, "85048,Glass ball (our name),,,product,9.99,once,,lights\n");
    xs_store_close(st);
}

/* The date orders: what each accepts and the day it gives. */
static void test_date_orders(void)
{
    static const struct {
        xs_date_order ord;
        const char *text;
        const char *day; /* NULL: rejected */
        const char *at;
    } cases[] = {
        {XS_DATES_ISO, "2010-12-01 08:26:00", "2010-12-01", "2010-12-01T08:26:00"},
        {XS_DATES_ISO, "2010-12-01 8:26", "2010-12-01", "2010-12-01T08:26:00"},
        {XS_DATES_ISO, "2010-12-01T08:26:00Z", "2010-12-01", "2010-12-01T08:26:00Z"},
        {XS_DATES_ISO, "2010-12-01T08:26:00+09:00", "2010-12-01",
         "2010-12-01T08:26:00+09:00"},
        {XS_DATES_ISO, "2010-12-01", "2010-12-01", ""},
        {XS_DATES_ISO, "2010-12-01 24:00", NULL, NULL},
        {XS_DATES_ISO, "12/1/2010", NULL, NULL},
        {XS_DATES_MDY, "12/1/2010 8:26", "2010-12-01", "2010-12-01T08:26:00"},
        {XS_DATES_MDY, "2/29/2012", "2012-02-29", ""},
        {XS_DATES_MDY, "2/29/2011", NULL, NULL},
        {XS_DATES_DMY, "1.12.2010 08:26:30", "2010-12-01", "2010-12-01T08:26:30"},
        {XS_DATES_DMY, "13/12/2010", "2010-12-13", ""},
        {XS_DATES_DMY, "12/13/2010", NULL, NULL},
        {XS_DATES_YMD, "2010/12/1", "2010-12-01", ""},
        {XS_DATES_YMD, "10/12/1", NULL, NULL},
    };
    for (size_t i = 0; i < XS_N(cases); i++) {
        FILE *f = fopen("d.csv", "w");
        if (!f) return;
        fprintf(f,
                "order_id,product_id,date,quantity,unit_price,customer_id\n"
                "O1,P1,\"%s\",1,2.50,C1\n",
                cases[i].text);
        fclose(f);
        xs_store *st = fresh("d.db");
        xs_txn_options o;
        memset(&o, 0, sizeof o);
        xs_import_options_init(&o.base);
        o.dates = cases[i].ord;
        xs_txn_result r;
        int rc = xs_import_transactions(st, "d.csv", &o, &r, NULL);
        xs_txn_result_free(&r);
        if (!cases[i].day) {
            if (rc != XS_EREJECT) fprintf(stderr, "case %zu: %s\n", i, cases[i].text);
            CHECK_INT(rc, XS_EREJECT);
            CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 0);
        } else {
            CHECK_INT(rc, XS_OK);
            CHECK_INT(xs_export_table(st, XS_T_ORDERS, "o.csv", XS_IO_CSV, NULL), 1);
            FILE *g = fopen("o.csv", "r");
            char head[200] = "", row[200] = "", want[200];
            if (g) {
                if (!fgets(head, sizeof head, g) || !fgets(row, sizeof row, g))
                    row[0] = 0;
                fclose(g);
            }
            snprintf(want, sizeof want, "O1,C1,%s,P1,1,2.50%s%s\n", cases[i].day,
                     cases[i].at[0] ? "," : "", cases[i].at);
            CHECK_STR(row, want);
        }
        xs_store_close(st);
    }
    xs_date_order d;
    CHECK_INT(xs_date_order_parse("mdy", &d), XS_OK);
    CHECK_INT(d, XS_DATES_MDY);
    CHECK_INT(xs_date_order_parse("us", &d), XS_EINVAL);
}

/* Every allocation failure unwinds: XS_ENOMEM, nothing written, no leak. */
static void test_alloc_failures(void)
{
    xs_txn_options o;
    shop_options(&o);
    int ok = 0;
    for (long k = 0; k < 4000 && !ok; k++) {
        xs_store *st = fresh("f.db");
        xs_txn_result r;
        xs_error e;
        xs__alloc_fail_after(k);
        int rc = xs_import_transactions(st, data, &o, &r, &e);
        xs__alloc_fail_after(-1);
        xs_txn_result_free(&r);
        if (rc == XS_OK) {
            ok = 1;
            CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 6);
        } else {
            if (rc != XS_ENOMEM) fprintf(stderr, "k=%ld rc=%d %s\n", k, rc, e.message);
            CHECK(rc == XS_ENOMEM || rc == XS_EDB);
            CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 0);
            CHECK_INT(xs_store_count(st, XS_T_CUSTOMERS, NULL), 0);
        }
        xs_store_close(st);
    }
    CHECK(ok);
}

static const xs_test tests[] = {
    {"shop_counts", test_shop_counts},
    {"date_orders", test_date_orders},
    {"alloc_failures", test_alloc_failures},
};

int main(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char cwd[256], dir[64];
    if (!getcwd(cwd, sizeof cwd)) return 1;
    if (src && src[0] == '/')
        snprintf(data, sizeof data, "%s/tests/data/transactions/shop.csv", src);
    else
        snprintf(data, sizeof data, "%s/%s/tests/data/transactions/shop.csv", cwd,
                 src ? src : "..");
    snprintf(dir, sizeof dir, "/tmp/xs_txn_XXXXXX");
    if (!mkdtemp(dir) || chdir(dir) != 0) {
        perror("mkdtemp");
        return 1;
    }
    int rc = xs_test_run(tests, XS_N(tests));
    if (chdir("/") != 0) perror("chdir");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
