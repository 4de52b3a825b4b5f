/*
 * test_import.c — validated import and export: every validation error with
 * its exact message and line, all-or-nothing, --skip-bad-rows and the reject
 * file, idempotent re-import counts, --map, attrs, currency, the round trip
 * import → export → import → export, JSON Lines giving the same store as
 * CSV, a process killed mid-import, and allocation failure injection.
 * "The store is unchanged" is checked by comparing an export of every table.
 */
#include "test.h"

#include "base/alloc.h"
#include "store/store_int.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static char data[512];

/* Files of a test live in the temporary directory, which is the current
 * directory while the tests run, so messages show plain names. */
static const char *tmp_path(const char *name)
{
    return name;
}

static const char *fixture(const char *name)
{
    static char buf[4][700];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", data, name);
    return buf[k];
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) s = realloc(s, cap *= 2);
    }
    fclose(f);
    s[n] = '\0';
    return s;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void remove_db(const char *path)
{
    char p[400];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static xs_store *fresh_store(const char *name)
{
    const char *path = tmp_path(name);
    remove_db(path);
    xs_store *st = NULL;
    xs_error e;
    if (xs_store_open(&st, path, &e) < 0) {
        char m[1200];
        fprintf(stderr, "open %s: %s\n", path, xs_error_format(&e, m, sizeof m));
        exit(1);
    }
    return st;
}

/* Collected error messages. */
typedef struct errlist {
    int n;
    char msg[64][700];
} errlist;

static void collect(void *ctx, const xs_error *e)
{
    errlist *l = ctx;
    if (l->n < 64) xs_error_format(e, l->msg[l->n++], sizeof l->msg[0]);
}

static int import_opts(xs_store *st, const char *path, xs_import_options *o,
                       xs_import_result *r, errlist *errs, xs_error *e)
{
    if (errs) {
        errs->n = 0;
        o->on_error = collect;
        o->error_ctx = errs;
    }
    return xs_import_file(st, path, o, r, e);
}

static int import_file(xs_store *st, xs_table_id t, const char *path, xs_import_result *r,
                       errlist *errs)
{
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = t;
    xs_error e;
    return import_opts(st, path, &o, r, errs, &e);
}

/* Writes text to dir/name and imports it into table t. */
static int import_text(xs_store *st, xs_table_id t, const char *name, const char *text,
                       xs_import_result *r, errlist *errs)
{
    const char *path = tmp_path(name);
    spit(path, text);
    return import_file(st, t, path, r, errs);
}

/* Every table exported as CSV, concatenated: the state of the store. */
static char *dump(xs_store *st)
{
    size_t cap = 1 << 16, n = 0;
    char *all = malloc(cap);
    all[0] = '\0';
    for (int t = 0; t < XS_N_TABLES; t++) {
        const char *path = tmp_path("dump.csv");
        xs_error e;
        long long rows = xs_export_table(st, (xs_table_id)t, path, XS_IO_CSV, &e);
        if (rows < 0) {
            char m[1200];
            fprintf(stderr, "export: %s\n", xs_error_format(&e, m, sizeof m));
        }
        char *s = slurp(path);
        size_t need = n + strlen(s) + 64;
        if (need > cap) all = realloc(all, cap = need * 2);
        n += (size_t)sprintf(all + n, "== %s %lld\n%s", xs_table_name((xs_table_id)t),
                             rows, s);
        free(s);
    }
    return all;
}

/* fixtures exist for the tables of the generator (all but the two a flat
 * order log fills: returns, anonymous_orders) */
#define N_FIX XS_T_RETURNS
static const char *const fixture_tables[N_FIX] = {
    "customers", "products", "subscriptions", "orders", "usage", "events", "offers"};

/* Imports every fixture (ext "csv" or "jsonl"). */
static void load_fixtures(xs_store *st, const char *ext)
{
    for (int t = 0; t < N_FIX; t++) {
        char name[64];
        snprintf(name, sizeof name, "%s.%s", fixture_tables[t], ext);
        xs_import_result r;
        errlist errs;
        int rc = import_file(st, (xs_table_id)t, fixture(name), &r, &errs);
        CHECK_INT(rc, XS_OK);
        for (int i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.msg[i]);
    }
}

/* ---------------------------------------------------------------------- */

static void test_fixtures(void)
{
    xs_store *st = fresh_store("fix.db");
    load_fixtures(st, "csv");
    const long long want[XS_N_TABLES] = {5, 4, 3, 6, 3, 5, 3, 0, 0};
    for (int t = 0; t < XS_N_TABLES; t++)
        CHECK_INT(xs_store_count(st, (xs_table_id)t, NULL), want[t]);
    CHECK_STR(st->currency, "USD");
    CHECK_INT(st->has_currency, 1);
    const char *path = tmp_path("orders_out.csv");
    CHECK_INT(xs_export_table(st, XS_T_ORDERS, path, XS_IO_AUTO, NULL), 6);
    char *s = slurp(path);
    CHECK_STR(s, "order_id,customer_id,date,product_id,quantity,amount,channel\n"
                 "O1001,C0001,2024-05-02,crm-basic,1,30.00,web\n"
                 "O1001,C0001,2024-05-02,crm-seat,5,77.50,web\n"
                 "O1002,C0002,2024-05-03,crm-pro,1,80.00,\n"
                 "O1003,C0003,2024-06-10,payroll,1,1200.00,sales\n"
                 "O1004,C0004,2024-06-11,crm-seat,10,155.00,\n"
                 "O1004,C0004,2024-06-11,payroll,1,-20.00,refund\n");
    free(s);
    path = tmp_path("events_out.jsonl");
    CHECK_INT(xs_export_table(st, XS_T_EVENTS, path, XS_IO_AUTO, NULL), 5);
    s = slurp(path);
    CHECK_STR(s, "{\"customer_id\":\"C0001\",\"date\":\"2024-03-01\",\"type\":\"nps\","
                 "\"value\":9,\"ref\":\"\"}\n"
                 "{\"customer_id\":\"C0001\",\"date\":\"2024-04-02\",\"type\":\"ticket\","
                 "\"value\":2,\"ref\":\"T-17\"}\n"
                 "{\"customer_id\":\"C0001\",\"date\":\"2024-04-05\",\"type\":\"ticket_"
                 "closed\",\"ref\":\"T-17\"}\n"
                 "{\"customer_id\":\"C0002\",\"date\":\"2024-04-10\",\"type\":\"login\","
                 "\"ref\":\"\"}\n"
                 "{\"customer_id\":\"C0004\",\"date\":\"2024-05-20\",\"type\":\"cancel_"
                 "request\",\"ref\":\"\"}\n");
    free(s);
    xs_store_close(st);
}

/* One bad value per case: the exact message, and nothing written. */
static void test_validation_errors(void)
{
    static const struct {
        xs_table_id t;
        const char *text, *want;
    } cases[] = {
        {XS_T_CUSTOMERS,
         "customer_id,signup_date,consent_email,contact_email\nC9,2024-13-01,1,\n",
         "t.csv:2: signup_date: not a date: \"2024-13-01\""},
        {XS_T_CUSTOMERS,
         "customer_id,signup_date,consent_email,contact_email\nC9,2023-02-29,1,\n",
         "t.csv:2: signup_date: not a date: \"2023-02-29\""},
        {XS_T_CUSTOMERS,
         "customer_id,signup_date,consent_email,contact_email\nC9,2024-01-01,maybe,\n",
         "t.csv:2: consent_email: expected 1/0, true/false, yes/no or y/n, got "
         "\"maybe\""},
        {XS_T_CUSTOMERS,
         "customer_id,signup_date,consent_email,contact_email\nC9,2024-01-01,1,foo\n",
         "t.csv:2: contact_email: not an email address: \"foo\""},
        {XS_T_CUSTOMERS,
         "customer_id,signup_date,consent_email,contact_email\n,2024-01-01,1,\n",
         "t.csv:2: customer_id: missing required value"},
        {XS_T_CUSTOMERS, "customer_id,signup_date\nC\x01,2024-01-01\n",
         "t.csv:2: customer_id: id contains a control character: \"C\\x01\""},
        {XS_T_CUSTOMERS,
         "customer_id,signup_date\nC9,2024-01-01\nC8,2024-01-01\nC9,2024-01-02\n",
         "t.csv:4: customer_id: duplicate key \"C9\" (first on line 2)"},
        {XS_T_CUSTOMERS, "customer_id,name\nC9,x\n",
         "t.csv:1: missing required column \"signup_date\"; the file has: customer_id, "
         "name"},
        {XS_T_CUSTOMERS, "customer_id,name,SignupDate\nC9,x,2024-01-01\n",
         "t.csv:1: missing required column \"signup_date\" (closest: \"SignupDate\": use "
         "--map SignupDate=signup_date); the file has: customer_id, name, SignupDate"},
        {XS_T_PRODUCTS, "product_id,tier,kind,price,billing,limits\np9,,plann,1,month,\n",
         "t.csv:2: kind: expected plan, addon or product, got \"plann\""},
        {XS_T_PRODUCTS, "product_id,tier,kind,price,billing,limits\np9,0,plan,1,month,\n",
         "t.csv:2: tier: must be at least 1, got \"0\""},
        {XS_T_PRODUCTS, "product_id,tier,kind,price,billing,limits\np9,,plan,-1,month,\n",
         "t.csv:2: price: must not be negative, got \"-1\""},
        {XS_T_PRODUCTS, "product_id,tier,kind,price,billing,limits\np9,,plan,1,weekly,\n",
         "t.csv:2: billing: expected month, year or once, got \"weekly\""},
        {XS_T_PRODUCTS,
         "product_id,tier,kind,price,billing,limits\np9,,plan,1,month,seats:10\n",
         "t.csv:2: limits: expected name=number pairs separated by \";\" (e.g. "
         "seats=10;storage_gb=5), got \"seats:10\""},
        {XS_T_PRODUCTS,
         "product_id,tier,kind,price,billing,limits\np9,,plan,1,month,Seats=-1\n",
         "t.csv:2: limits: expected name=number pairs separated by \";\" (e.g. "
         "seats=10;storage_gb=5), got \"Seats=-1\""},
        {XS_T_PRODUCTS,
         "product_id,tier,kind,price,billing,limits\np9,,plan,1.234,month,\n",
         "t.csv:2: price: more than 2 fraction digits: \"1.234\""},
        {XS_T_PRODUCTS,
         "product_id,tier,kind,price,billing,limits\np9,,plan,\"12,50\",month,\n",
         "t.csv:2: price: not an amount: \"12,50\""},
        {XS_T_PRODUCTS, "product_id,kind,price,billing\np9,plan,,month\n",
         "t.csv:2: price: missing required value"},
        {XS_T_SUBSCRIPTIONS,
         "customer_id,product_id,unit_price,start_date,end_date,term\n"
         "C0001,crm-pro,1,2024-02-01,2024-01-31,year\n",
         "t.csv:2: end_date: before start_date 2024-02-01: \"2024-01-31\""},
        {XS_T_SUBSCRIPTIONS,
         "customer_id,product_id,unit_price,start_date,end_date,term\n"
         "C0001,crm-pro,1,2024-02-01,,weekly\n",
         "t.csv:2: term: expected a number of months (1 to 120), month, quarter or year, "
         "got \"weekly\""},
        /* terms: months 1 to 120 or month / quarter / year (case-sensitive) */
        {XS_T_SUBSCRIPTIONS,
         "customer_id,product_id,unit_price,start_date,end_date,term\n"
         "C0001,crm-pro,1,2024-02-01,,0\n",
         "t.csv:2: term: expected a number of months (1 to 120), month, quarter or year, "
         "got \"0\""},
        {XS_T_SUBSCRIPTIONS,
         "customer_id,product_id,unit_price,start_date,end_date,term\n"
         "C0001,crm-pro,1,2024-02-01,,121\n",
         "t.csv:2: term: expected a number of months (1 to 120), month, quarter or year, "
         "got \"121\""},
        {XS_T_SUBSCRIPTIONS,
         "customer_id,product_id,unit_price,start_date,end_date,term\n"
         "C0001,crm-pro,1,2024-02-01,,Year\n",
         "t.csv:2: term: expected a number of months (1 to 120), month, quarter or year, "
         "got \"Year\""},
        {XS_T_SUBSCRIPTIONS,
         "customer_id,product_id,unit_price,start_date,end_date,term\n"
         "C0001,crm-pro,1,2024-02-01,,-12\n",
         "t.csv:2: term: expected a number of months (1 to 120), month, quarter or year, "
         "got \"-12\""},
        {XS_T_SUBSCRIPTIONS,
         "customer_id,product_id,unit_price,start_date,end_date,term\n"
         "C0001,crm-pro,1,2024-02-01,,12.5\n",
         "t.csv:2: term: expected a number of months (1 to 120), month, quarter or year, "
         "got \"12.5\""},
        {XS_T_SUBSCRIPTIONS,
         "customer_id,product_id,unit_price,start_date,end_date,term\n"
         "C0001,crm-pro,1,2024-02-01,,99999999999999999999\n",
         "t.csv:2: term: expected a number of months (1 to 120), month, quarter or year, "
         "got \"99999999999999999999\""},
        {XS_T_SUBSCRIPTIONS,
         "customer_id,product_id,unit_price,start_date,end_date,term\n"
         "C0001,crm-pro,1,2024-02-01,,\n",
         "t.csv:2: term: missing required value"},
        {XS_T_ORDERS,
         "order_id,customer_id,date,product_id,quantity,amount\nO9,C999,2024-01-01,crm-"
         "pro,1,1\n",
         "t.csv:2: customer_id: unknown customer \"C999\""},
        {XS_T_ORDERS,
         "order_id,customer_id,date,product_id,quantity,amount\nO9,C0001,2024-01-01,nope,"
         "1,1\n",
         "t.csv:2: product_id: unknown product \"nope\""},
        {XS_T_ORDERS,
         "order_id,customer_id,date,product_id,quantity,amount\nO9,C0001,2024-01-01,crm-"
         "pro,x,1\n",
         "t.csv:2: quantity: not an integer: \"x\""},
        {XS_T_ORDERS,
         "order_id,customer_id,date,product_id,quantity,amount\n"
         "O9,C0001,2024-01-01,crm-pro,99999999999999999999,1\n",
         "t.csv:2: quantity: integer out of range: \"99999999999999999999\""},
        {XS_T_ORDERS,
         "order_id,customer_id,date,product_id,quantity,amount\n"
         "O9,C0001,2024-01-01,crm-pro,1,1\nO9,C0001,2024-01-01,crm-pro,2,2\n",
         "t.csv:3: order_id: duplicate key \"O9\", \"crm-pro\" (first on line 2)"},
        {XS_T_USAGE,
         "customer_id,product_id,metric,value,date\nC0001,crm-pro,Seats,1,2024-01-01\n",
         "t.csv:2: metric: expected a name of a-z, 0-9 and _, got \"Seats\""},
        {XS_T_USAGE,
         "customer_id,product_id,metric,value,date\nC0001,crm-pro,seats,-1,2024-01-01\n",
         "t.csv:2: value: must not be negative, got \"-1\""},
        {XS_T_USAGE,
         "customer_id,product_id,metric,value,date\nC0001,crm-pro,seats,abc,2024-01-01\n",
         "t.csv:2: value: not a number: \"abc\""},
        {XS_T_EVENTS, "customer_id,date,type,value,ref\nC0001,2024-01-01,nps,11,\n",
         "t.csv:2: value: nps needs an integer 0 to 10, got \"11\""},
        {XS_T_EVENTS, "customer_id,date,type,value,ref\nC0001,2024-01-01,nps,,\n",
         "t.csv:2: value: nps needs an integer 0 to 10, got \"\""},
        {XS_T_EVENTS, "customer_id,date,type,value,ref\nC0001,2024-01-01,ticket,5,T1\n",
         "t.csv:2: value: ticket needs a severity 1 to 4 (1 = critical), got \"5\""},
        {XS_T_EVENTS, "customer_id,date,type,value,ref\nC0001,2024-01-01,call,,\n",
         "t.csv:2: type: expected nps, ticket, ticket_closed, login, meeting, "
         "payment_failed, "
         "cancel_request, renewal_decision or onboarding_done, got \"call\""},
        {XS_T_OFFERS,
         "offer_id,customer_id,product_id,kind,channel,sent_at,outcome,outcome_at\n"
         "F9,C0001,crm-pro,upsell,email,2024-03-01,accepted,2024-02-01\n",
         "t.csv:2: outcome_at: before sent_at 2024-03-01: \"2024-02-01\""},
        {XS_T_OFFERS,
         "offer_id,customer_id,product_id,kind,channel,sent_at,outcome,outcome_at\n"
         "F9,C0001,crm-pro,upsell,fax,2024-03-01,pending,\n",
         "t.csv:2: channel: expected email, in_app, csm, webinar or sns, got \"fax\""},
        {XS_T_OFFERS,
         "offer_id,customer_id,product_id,kind,channel,sent_at,outcome,outcome_at\n"
         "F9,C0001,crm-pro,upsell,email,2024-03-01T25:00,pending,\n",
         "t.csv:2: sent_at: not a date or timestamp: \"2024-03-01T25:00\""},
    };
    xs_store *st = fresh_store("val.db");
    load_fixtures(st, "csv");
    char *before = dump(st);
    for (size_t i = 0; i < XS_N(cases); i++) {
        xs_import_result r;
        errlist errs;
        int rc = import_text(st, cases[i].t, "t.csv", cases[i].text, &r, &errs);
        CHECK_INT(rc, XS_EREJECT);
        CHECK_INT(errs.n, 1);
        CHECK_INT(r.n_errors, 1);
        CHECK_INT(r.inserted + r.updated + r.unchanged, 0);
        if (errs.n >= 1) CHECK_STR(errs.msg[0], cases[i].want);
        if (errs.n != 1 || strcmp(errs.msg[0], cases[i].want))
            fprintf(stderr, "  case %zu\n", i);
    }
    /* a long id: the message shows its first 80 bytes */
    char text[600], want[300];
    char id[202];
    memset(id, 'C', 201);
    id[201] = '\0';
    snprintf(text, sizeof text, "customer_id,signup_date\n%s,2024-01-01\n", id);
    snprintf(want, sizeof want,
             "t.csv:2: customer_id: id longer than 200 bytes: \"%.80s...\"", id);
    errlist errs;
    xs_import_result r;
    CHECK_INT(import_text(st, XS_T_CUSTOMERS, "t.csv", text, &r, &errs), XS_EREJECT);
    CHECK_STR(errs.msg[0], want);
    id[200] = '\0'; /* 200 bytes is fine */
    snprintf(text, sizeof text, "customer_id,signup_date\n%s,2024-01-01\n", id);
    CHECK_INT(import_text(st, XS_T_CUSTOMERS, "t.csv", text, &r, &errs), XS_OK);
    CHECK_INT(r.inserted, 1);
    xs_store_close(st);

    /* unchanged apart from the one good import */
    st = fresh_store("val2.db");
    load_fixtures(st, "csv");
    char *again = dump(st);
    CHECK_STR(again, before);
    free(again);
    free(before);
    xs_store_close(st);
}

/* Several errors in one row and a malformed record. */
static void test_multiple_errors(void)
{
    xs_store *st = fresh_store("multi.db");
    load_fixtures(st, "csv");
    xs_import_result r;
    errlist errs;
    int rc = import_text(st, XS_T_ORDERS, "m.csv",
                         "order_id,customer_id,date,product_id,quantity,amount\n"
                         "O5,C999,2024-13-01,crm-seat,0,1.234\n"
                         "O6,C0001,2024-01-01,crm-seat,1\n"
                         "O7,C0001,2024-01-01,crm-seat,1,1\n",
                         &r, &errs);
    CHECK_INT(rc, XS_EREJECT);
    CHECK_INT(r.read, 3);
    CHECK_INT(r.rejected, 2);
    CHECK_INT(r.n_errors, 5);
    CHECK_INT(errs.n, 5);
    CHECK_STR(errs.msg[0], "m.csv:2: customer_id: unknown customer \"C999\"");
    CHECK_STR(errs.msg[1], "m.csv:2: date: not a date: \"2024-13-01\"");
    CHECK_STR(errs.msg[2], "m.csv:2: quantity: must be at least 1, got \"0\"");
    CHECK_STR(errs.msg[3], "m.csv:2: amount: more than 2 fraction digits: \"1.234\"");
    CHECK(!strncmp(errs.msg[4], "m.csv:3: ", 9)); /* the reader's own wording */
    xs_error e;
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_ORDERS;
    CHECK_INT(import_opts(st, tmp_path("m.csv"), &o, &r, NULL, &e), XS_EREJECT);
    char m[1200];
    CHECK_STR(xs_error_format(&e, m, sizeof m),
              "m.csv: 5 errors in 2 rows, nothing imported");
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 6);
    xs_store_close(st);
}

static void test_max_errors(void)
{
    xs_store *st = fresh_store("max.db");
    char text[4096] = "customer_id,signup_date\n";
    for (int i = 0; i < 30; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "C%d,bad%d\n", i, i);
    xs_import_options o;
    xs_import_options_init(&o);
    o.max_errors = 5;
    xs_import_result r;
    errlist errs;
    xs_error e;
    spit(tmp_path("max.csv"), text);
    CHECK_INT(import_opts(st, tmp_path("max.csv"), &o, &r, &errs, &e), XS_EREJECT);
    CHECK_INT(errs.n, 5);
    CHECK_INT(r.n_errors, 30);
    CHECK_INT(r.rejected, 30);
    CHECK_STR(errs.msg[4], "max.csv:6: signup_date: not a date: \"bad4\"");
    o.max_errors = -1;
    CHECK_INT(import_opts(st, tmp_path("max.csv"), &o, &r, &errs, &e), XS_EREJECT);
    CHECK_INT(errs.n, 30);
    o.max_errors = 0;
    CHECK_INT(import_opts(st, tmp_path("max.csv"), &o, &r, &errs, &e), XS_EREJECT);
    CHECK_INT(errs.n, 0);
    CHECK_INT(r.n_errors, 30);
    CHECK_INT(xs_store_count(st, XS_T_CUSTOMERS, NULL), 0);
    xs_store_close(st);
}

static void test_all_or_nothing(void)
{
    xs_store *st = fresh_store("aon.db");
    load_fixtures(st, "csv");
    char *before = dump(st);
    xs_import_result r;
    errlist errs;
    int rc = import_text(st, XS_T_ORDERS, "a.csv",
                         "order_id,customer_id,date,product_id,quantity,amount\n"
                         "O2001,C0001,2024-07-01,crm-seat,1,15.50\n"
                         "O1001,C0001,2024-05-02,crm-seat,6,93.00\n"
                         "O2002,C0002,2024-07-02,crm-pro,1,80\n"
                         "O2003,C0003,2024-07-03,crm-pro,1,eighty\n",
                         &r, &errs);
    CHECK_INT(rc, XS_EREJECT);
    CHECK_INT(r.read, 4);
    CHECK_INT(r.rejected, 1);
    CHECK_INT(r.inserted, 0);
    CHECK_INT(r.updated, 0);
    CHECK_STR(errs.msg[0], "a.csv:5: amount: not an amount: \"eighty\"");
    char *after = dump(st);
    CHECK_STR(after, before);
    free(after);
    free(before);
    xs_store_close(st);
}

static void test_skip_bad_rows(void)
{
    xs_store *st = fresh_store("skip.db");
    load_fixtures(st, "csv");
    const char *in = tmp_path("s.csv"), *rej = tmp_path("rejects.csv");
    spit(in, "order_id,customer_id,date,product_id,quantity,amount,extra\n"
             "O2001,C0001,2024-07-01,crm-seat,1,15.50,x\n"
             "O2002,C999,2024-07-02,crm-pro,1,80,\"a,b\"\n"
             "O1001,C0001,2024-05-02,crm-seat,6,93.00,\n"
             "O2003,C0003,2024-07-03,crm-pro,0,eighty,z\n"
             "O2001,C0001,2024-07-01,crm-seat,1,15.50,dup\n");
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_ORDERS;
    o.skip_bad_rows = 1;
    o.reject_path = rej;
    xs_import_result r;
    errlist errs;
    xs_error e;
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_OK);
    CHECK_INT(r.read, 5);
    CHECK_INT(r.inserted, 1);
    CHECK_INT(r.updated, 1);
    CHECK_INT(r.unchanged, 0);
    CHECK_INT(r.rejected, 3);
    CHECK_INT(r.n_errors, 4);
    CHECK_INT(errs.n, 4);
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 7);
    char *s = slurp(rej);
    CHECK_STR(s,
              "order_id,customer_id,date,product_id,quantity,amount,extra,reject_reason\n"
              "O2002,C999,2024-07-02,crm-pro,1,80,\"a,b\","
              "\"customer_id: unknown customer \"\"C999\"\"\"\n"
              "O2003,C0003,2024-07-03,crm-pro,0,eighty,z,"
              "\"quantity: must be at least 1, got \"\"0\"\"; amount: not an amount: "
              "\"\"eighty\"\"\"\n"
              "O2001,C0001,2024-07-01,crm-seat,1,15.50,dup,"
              "\"order_id: duplicate key \"\"O2001\"\", \"\"crm-seat\"\" (first on line "
              "2)\"\n");
    free(s);
    /* the reject file imports back (after fixing) — and a clean run leaves a
     * header-only reject file */
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_OK);
    CHECK_INT(r.unchanged, 2);
    CHECK_INT(r.rejected, 3);
    spit(in, "order_id,customer_id,date,product_id,quantity,amount\n"
             "O2001,C0001,2024-07-01,crm-seat,1,15.50\n");
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_OK);
    s = slurp(rej);
    CHECK_STR(s, "order_id,customer_id,date,product_id,quantity,amount,reject_reason\n");
    free(s);
    xs_store_close(st);
}

static void test_reimport(void)
{
    xs_store *st = fresh_store("re.db");
    load_fixtures(st, "csv");
    char *before = dump(st);
    const long long rows[N_FIX] = {5, 4, 3, 6, 3, 5, 3};
    for (int t = 0; t < N_FIX; t++) {
        char name[64];
        snprintf(name, sizeof name, "%s.csv", fixture_tables[t]);
        xs_import_result r;
        CHECK_INT(import_file(st, (xs_table_id)t, fixture(name), &r, NULL), XS_OK);
        CHECK_INT(r.read, rows[t]);
        CHECK_INT(r.inserted, 0);
        CHECK_INT(r.updated, 0);
        CHECK_INT(r.unchanged, rows[t]);
    }
    char *after = dump(st);
    CHECK_STR(after, before);
    free(after);
    /* changed values, an identical row, a new row */
    xs_import_result r;
    CHECK_INT(import_text(st, XS_T_CUSTOMERS, "c.csv",
                          "customer_id,name,signup_date,fav_color\n"
                          "C0001,Acme KK,2023-04-01,blue\n"
                          "C0002,Beta Inc,2023-05-17,\n"
                          "C0005,Echo,2024-02-29,\n"
                          "C0006,Foxtrot,2024-03-01,\n",
                          &r, NULL),
              XS_OK);
    CHECK_INT(r.inserted, 1);
    CHECK_INT(r.updated, 2); /* C0001 loses its contact and consents; C0002 */
    CHECK_INT(r.unchanged, 1);
    CHECK_INT(import_text(st, XS_T_CUSTOMERS, "c2.csv",
                          "customer_id,name,signup_date,fav_color\n"
                          "C0005,Echo,2024-02-29,pink\n",
                          &r, NULL),
              XS_OK);
    CHECK_INT(r.updated, 1); /* a new attr value is a change */
    free(before);
    xs_store_close(st);
}

static void test_map(void)
{
    xs_store *st = fresh_store("map.db");
    const char *maps[] = {"customerID=customer_id", "signup=signup_date"};
    xs_import_options o;
    xs_import_options_init(&o);
    o.maps = maps;
    o.n_maps = 2;
    xs_import_result r;
    errlist errs;
    xs_error e;
    const char *in = tmp_path("map.csv");
    spit(in, "customerID,signup,Name\nC10,2024-01-01,x\nC11,2024-13-01,y\n");
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_EREJECT);
    CHECK_STR(errs.msg[0], "map.csv:3: signup_date: not a date: \"2024-13-01\"");
    spit(in, "customerID,signup,Name\nC10,2024-01-01,x\nC11,2024-01-31,y\n");
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_OK);
    CHECK_INT(r.inserted, 2);
    const char *out = tmp_path("map_out.csv");
    CHECK_INT(xs_export_table(st, XS_T_CUSTOMERS, out, XS_IO_CSV, &e), 2);
    char *s = slurp(out);
    CHECK_STR(s,
              "customer_id,name,segment,industry,size,region,signup_date,consent_email,"
              "consent_in_app,consent_csm,consent_webinar,consent_sns,owner,contact_name,"
              "contact_email,Name\n"
              "C10,,,,,,2024-01-01,0,0,0,0,0,,,,x\n"
              "C11,,,,,,2024-01-31,0,0,0,0,0,,,,y\n");
    free(s);
    /* a map onto a column the file already has */
    const char *dup[] = {"cid=customer_id"};
    o.maps = dup;
    o.n_maps = 1;
    spit(in, "customer_id,cid,signup_date\nC1,C2,2024-01-01\n");
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_EREJECT);
    CHECK_INT(errs.n, 1);
    CHECK_STR(errs.msg[0],
              "map.csv:1: column \"customer_id\" appears twice (after --map)");
    char m[1200];
    const char *bad1[] = {"x"}, *bad2[] = {"a=nosuch"};
    o.maps = bad1;
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_EINVAL);
    CHECK_STR(xs_error_format(&e, m, sizeof m), "map: expected THEIRS=OURS, got \"x\"");
    o.maps = bad2;
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_EINVAL);
    CHECK_STR(xs_error_format(&e, m, sizeof m),
              "map: \"nosuch\" is not a column of customers");
    xs_store_close(st);
}

static const char *attrs_of(xs_store *st, const char *id, char *buf, size_t n)
{
    sqlite3_stmt *s = NULL;
    snprintf(buf, n, "(none)");
    sqlite3_prepare_v2(st->db, "SELECT attrs FROM customers WHERE customer_id = ?1", -1,
                       &s, NULL);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(buf, n, "%s",
                 sqlite3_column_type(s, 0) == SQLITE_NULL
                     ? "NULL"
                     : (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return buf;
}

static void test_attrs(void)
{
    xs_store *st = fresh_store("attrs.db");
    load_fixtures(st, "csv");
    char b[512];
    CHECK_STR(attrs_of(st, "C0001", b, sizeof b), "{\"fav_color\":\"blue\"}");
    CHECK_STR(attrs_of(st, "C0002", b, sizeof b), "{\"note\":\"said \\\"hi\\\"\"}");
    CHECK_STR(attrs_of(st, "C0003", b, sizeof b), "{\"fav_color\":\"緑\"}");
    CHECK_STR(attrs_of(st, "C0004", b, sizeof b),
              "{\"fav_color\":\"red\",\"note\":\"two\\nlines\"}");
    CHECK_STR(attrs_of(st, "C0005", b, sizeof b), "NULL");
    const char *out = tmp_path("cust_out.csv");
    CHECK_INT(xs_export_table(st, XS_T_CUSTOMERS, out, XS_IO_CSV, NULL), 5);
    char *s = slurp(out);
    CHECK_STR(
        s, "customer_id,name,segment,industry,size,region,signup_date,consent_email,"
           "consent_in_app,consent_csm,consent_webinar,consent_sns,owner,contact_name,"
           "contact_email,fav_color,note\n"
           "C0001,Acme KK,smb,manufacturing,small,JP-East,2023-04-01,1,1,0,0,0,sato,"
           "Taro Sato,taro@acme.example,blue,\n"
           "C0002,\"Beta, Inc\",mid,retail,mid,US-West,2023-05-17,1,0,1,0,1,kim,,,,"
           "\"said \"\"hi\"\"\"\n"
           "C0003,山田商店,smb,retail,small,JP-West,2024-01-09,0,0,0,0,0,sato,山田 花子,"
           "hanako@yamada.example,緑,\n"
           "C0004,Delta GmbH,enterprise,finance,enterprise,EU,2022-11-30,1,0,1,0,0,lee,,,"
           "red,\"two\nlines\"\n"
           "C0005,Echo,,,,,2024-02-29,0,0,0,0,0,,,,,\n");
    free(s);
    /* control characters and escapes survive the JSON of attrs */
    xs_import_result r;
    CHECK_INT(import_text(
                  st, XS_T_CUSTOMERS, "ctl.csv",
                  "customer_id,signup_date,odd\nC0009,2024-01-01,\"tab\there\\ \x01\"\n",
                  &r, NULL),
              XS_OK);
    CHECK_STR(attrs_of(st, "C0009", b, sizeof b), "{\"odd\":\"tab\\there\\\\ \\u0001\"}");
    CHECK_INT(xs_export_table(st, XS_T_CUSTOMERS, out, XS_IO_CSV, NULL), 6);
    s = slurp(out);
    CHECK(strstr(s, "C0009,,,,,,2024-01-01,0,0,0,0,0,,,,,,tab\there\\ \x01\n") != NULL);
    free(s);
    xs_store_close(st);
}

/* import → export → import into a fresh store → export: the same bytes,
 * through CSV and through JSON Lines; and the JSONL fixtures give the same
 * store as the CSV ones. */
static void test_round_trip(void)
{
    xs_store *a = fresh_store("rt_a.db");
    load_fixtures(a, "csv");
    char *dump_a = dump(a);
    for (int pass = 0; pass < 2; pass++) {
        const char *ext = pass ? "jsonl" : "csv";
        xs_store *b = fresh_store("rt_b.db");
        char *first[N_FIX];
        for (int t = 0; t < N_FIX; t++) {
            char name[64];
            snprintf(name, sizeof name, "rt_%s.%s", fixture_tables[t], ext);
            CHECK(xs_export_table(a, (xs_table_id)t, tmp_path(name), XS_IO_AUTO, NULL) >=
                  0);
            first[t] = slurp(tmp_path(name));
            xs_import_result r;
            errlist errs;
            CHECK_INT(import_file(b, (xs_table_id)t, tmp_path(name), &r, &errs), XS_OK);
            for (int i = 0; i < errs.n; i++)
                fprintf(stderr, "  %s\n", errs.msg[i]);
        }
        for (int t = 0; t < N_FIX; t++) {
            char name[64];
            snprintf(name, sizeof name, "rt2_%s.%s", fixture_tables[t], ext);
            CHECK(xs_export_table(b, (xs_table_id)t, tmp_path(name), XS_IO_AUTO, NULL) >=
                  0);
            char *second = slurp(tmp_path(name));
            CHECK_STR(second, first[t]);
            free(second);
            free(first[t]);
        }
        char *dump_b = dump(b);
        CHECK_STR(dump_b, dump_a);
        free(dump_b);
        xs_store_close(b);
    }
    xs_store *c = fresh_store("rt_c.db");
    load_fixtures(c, "jsonl");
    char *dump_c = dump(c);
    CHECK_STR(dump_c, dump_a);
    free(dump_c);
    xs_store_close(c);
    free(dump_a);
    xs_store_close(a);
}

/* Terms: each word and number is stored as its months, exported as the
 * number, and the export imports back to the same rows. */
static void test_terms(void)
{
    static const char *const tables[] = {"customers", "products"};
    xs_store *a = fresh_store("terms_a.db");
    for (size_t t = 0; t < XS_N(tables); t++) {
        char name[64];
        xs_table_id id;
        snprintf(name, sizeof name, "%s.csv", tables[t]);
        CHECK_INT(xs_table_lookup(tables[t], &id), XS_OK);
        CHECK_INT(import_file(a, id, fixture(name), NULL, NULL), XS_OK);
    }
    xs_import_result r;
    errlist errs;
    CHECK_INT(import_text(a, XS_T_SUBSCRIPTIONS, "terms.csv",
                          "customer_id,product_id,unit_price,start_date,term\n"
                          "C0001,crm-basic,30.00,2024-01-01,month\n"
                          "C0001,crm-pro,80.00,2024-01-01,quarter\n"
                          "C0002,crm-basic,30.00,2024-01-01,year\n"
                          "C0002,crm-pro,70.00,2024-01-01,24\n"
                          "C0003,crm-basic,30.00,2024-01-01,1\n"
                          "C0003,crm-pro,60.00,2024-01-01,120\n"
                          "C0004,crm-basic,30.00,2024-01-01,036\n",
                          &r, &errs),
              XS_OK);
    CHECK_INT(errs.n, 0);
    CHECK_INT(r.inserted, 7);
    /* stored as INTEGER months */
    sqlite3_stmt *q = NULL;
    CHECK_INT(sqlite3_prepare_v2(a->db,
                                 "SELECT group_concat(typeof(term) || ':' || term, ' ')"
                                 " FROM subscriptions",
                                 -1, &q, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0),
              "integer:1 integer:3 integer:12 integer:24 integer:1 integer:120 "
              "integer:36");
    sqlite3_finalize(q);
    /* exported as the number of months, CSV and JSON Lines */
    CHECK_INT(xs_export_table(a, XS_T_SUBSCRIPTIONS, tmp_path("terms_out.csv"), XS_IO_CSV,
                              NULL),
              7);
    char *csv = slurp(tmp_path("terms_out.csv"));
    CHECK_STR(csv, "customer_id,product_id,quantity,unit_price,start_date,end_date,term,"
                   "renewal_date\n"
                   "C0001,crm-basic,1,30.00,2024-01-01,,1,\n"
                   "C0001,crm-pro,1,80.00,2024-01-01,,3,\n"
                   "C0002,crm-basic,1,30.00,2024-01-01,,12,\n"
                   "C0002,crm-pro,1,70.00,2024-01-01,,24,\n"
                   "C0003,crm-basic,1,30.00,2024-01-01,,1,\n"
                   "C0003,crm-pro,1,60.00,2024-01-01,,120,\n"
                   "C0004,crm-basic,1,30.00,2024-01-01,,36,\n");
    CHECK_INT(xs_export_table(a, XS_T_SUBSCRIPTIONS, tmp_path("terms_out.jsonl"),
                              XS_IO_JSONL, NULL),
              7);
    char *jl = slurp(tmp_path("terms_out.jsonl"));
    CHECK(strstr(jl, "\"product_id\":\"crm-pro\"") != NULL);
    CHECK(strstr(jl, "\"term\":24") != NULL);
    CHECK(strstr(jl, "\"term\":\"") == NULL);
    /* both import back to the same rows */
    for (int pass = 0; pass < 2; pass++) {
        xs_store *b = fresh_store("terms_b.db");
        for (size_t t = 0; t < XS_N(tables); t++) {
            char name[64];
            xs_table_id id;
            snprintf(name, sizeof name, "%s.csv", tables[t]);
            CHECK_INT(xs_table_lookup(tables[t], &id), XS_OK);
            CHECK_INT(import_file(b, id, fixture(name), NULL, NULL), XS_OK);
        }
        CHECK_INT(import_file(b, XS_T_SUBSCRIPTIONS,
                              tmp_path(pass ? "terms_out.jsonl" : "terms_out.csv"), &r,
                              NULL),
                  XS_OK);
        CHECK_INT(r.inserted, 7);
        CHECK_INT(xs_export_table(b, XS_T_SUBSCRIPTIONS, tmp_path("terms_rt.csv"),
                                  XS_IO_CSV, NULL),
                  7);
        char *again = slurp(tmp_path("terms_rt.csv"));
        CHECK_STR(again, csv);
        free(again);
        xs_store_close(b);
    }
    free(jl);
    free(csv);
    xs_store_close(a);
}

static void test_currency(void)
{
    xs_store *st = fresh_store("cur.db");
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_PRODUCTS;
    o.currency = "jpy";
    xs_import_result r;
    errlist errs;
    xs_error e;
    char m[1200];
    const char *in = tmp_path("p.csv");
    spit(in, "product_id,kind,price,billing\na,plan,1500,month\nb,plan,15.5,month\n");
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_EREJECT);
    CHECK_STR(errs.msg[0], "p.csv:3: price: more than 0 fraction digits: \"15.5\"");
    CHECK_STR(st->currency, "USD"); /* rolled back: not fixed yet */
    CHECK_INT(st->has_currency, 0);
    spit(in, "product_id,kind,price,billing\na,plan,1500,month\n");
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_OK);
    CHECK_STR(st->currency, "JPY");
    CHECK_INT(st->money_scale, 0);
    o.currency = "EUR:2";
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_EINVAL);
    CHECK_STR(xs_error_format(&e, m, sizeof m),
              "currency: the store uses JPY:0, got \"EUR:2\"");
    o.currency = "US";
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_EINVAL);
    CHECK_STR(
        xs_error_format(&e, m, sizeof m),
        "currency: expected CODE or CODE:DIGITS (e.g. USD:2, JPY:0; digits 0 to 6), "
        "got \"US\"");
    o.currency = NULL; /* the store's own */
    CHECK_INT(import_opts(st, in, &o, &r, &errs, &e), XS_OK);
    CHECK_INT(r.unchanged, 1);
    const char *out = tmp_path("p_out.csv");
    CHECK_INT(xs_export_table(st, XS_T_PRODUCTS, out, XS_IO_CSV, &e), 1);
    char *s = slurp(out);
    CHECK_STR(s, "product_id,name,family,tier,kind,price,billing,limits,category\n"
                 "a,,,,plan,1500,month,,\n");
    free(s);
    xs_store_close(st);
}

static void test_bad_files(void)
{
    xs_store *st = fresh_store("files.db");
    xs_import_result r;
    xs_error e;
    char m[1200];
    xs_import_options o;
    xs_import_options_init(&o);
    CHECK_INT(xs_import_file(st, tmp_path("absent.csv"), &o, &r, &e), XS_EIO);
    CHECK(strstr(xs_error_format(&e, m, sizeof m), "absent.csv: cannot open") != NULL);
    CHECK_INT(xs_import_file(st, tmp_path("absent.csv"), NULL, &r, NULL), XS_EIO);
    /* a header-only file imports nothing, successfully */
    spit(tmp_path("empty.csv"), "customer_id,signup_date\n");
    CHECK_INT(xs_import_file(st, tmp_path("empty.csv"), &o, &r, &e), XS_OK);
    CHECK_INT(r.read, 0);
    xs_store_close(st);
}

/* The lines of an order share its customer_id and date: against the first
 * good line of the order in the file, and against the stored order. */
static const char order_heads_csv[] =
    "order_id,customer_id,date,product_id,quantity,amount\n"
    "O5001,C0001,2024-07-01,crm-basic,1,30\n"        /* 2: the header of O5001 */
    "O5001,C0002,2024-07-01,crm-seat,1,15.50\n"      /* 3: other customer */
    "O5001,C0001,2024-07-02T10:00,crm-pro,1,80\n"    /* 4: other date */
    "O5001,C0001,2024-07-01T23:59:00Z,payroll,1,1\n" /* 5: same date: fine */
    "O1001,C0002,2024-05-03,crm-pro,1,80\n"          /* 6: stored O1001: both */
    "O1001,C0001,2024-05-02,payroll,1,80\n"          /* 7: a new line of O1001 */
    "O5002,C0003,2024-07-05,crm-basic,0,30\n"        /* 8: bad: gives no header */
    "O5002,C0004,2024-07-06,crm-seat,1,15\n"         /* 9: the header of O5002 */
    "O5002,C0003,2024-07-05,crm-pro,1,80\n"          /* 10: both differ */
    "O5003,C0001,2024-07-07,crm-basic,1,30\n"        /* 11 */
    "O5004,C0002,2024-07-08,crm-basic,1,30\n"        /* 12 */
    "O5003,C0001,2024-07-07,crm-seat,1,15\n";        /* 13: back to O5003: fine */

static void test_order_heads(void)
{
    static const char *const want[] = {
        "oh.csv:3: customer_id: order \"O5001\" belongs to customer \"C0001\" (line 2), "
        "not \"C0002\"",
        "oh.csv:4: date: order \"O5001\" is dated \"2024-07-01\" (line 2), not "
        "\"2024-07-02T10:00\"",
        "oh.csv:6: customer_id: order \"O1001\" belongs to customer \"C0001\" (in the "
        "store), not \"C0002\"",
        "oh.csv:6: date: order \"O1001\" is dated \"2024-05-02\" (in the store), not "
        "\"2024-05-03\"",
        "oh.csv:8: quantity: must be at least 1, got \"0\"",
        "oh.csv:10: customer_id: order \"O5002\" belongs to customer \"C0004\" (line 9), "
        "not \"C0003\"",
        "oh.csv:10: date: order \"O5002\" is dated \"2024-07-06\" (line 9), not "
        "\"2024-07-05\"",
    };
    xs_store *st = fresh_store("heads.db");
    load_fixtures(st, "csv");
    char *before = dump(st);
    xs_import_result r;
    errlist errs;
    CHECK_INT(import_text(st, XS_T_ORDERS, "oh.csv", order_heads_csv, &r, &errs),
              XS_EREJECT);
    CHECK_INT(r.read, 12);
    CHECK_INT(r.rejected, 5);
    CHECK_INT(r.n_errors, 7);
    CHECK_INT(errs.n, 7);
    for (int i = 0; i < errs.n && i < 7; i++)
        CHECK_STR(errs.msg[i], want[i]);
    char *after = dump(st);
    CHECK_STR(after, before);
    free(after);

    /* JSON Lines: the same rule */
    CHECK_INT(import_text(st, XS_T_ORDERS, "oh.jsonl",
                          "{\"order_id\":\"O6001\",\"customer_id\":\"C0001\",\"date\":"
                          "\"2024-07-01\",\"product_id\":\"crm-pro\",\"quantity\":1,"
                          "\"amount\":1}\n"
                          "{\"order_id\":\"O6001\",\"customer_id\":\"C0001\",\"date\":"
                          "\"2024-07-09\",\"product_id\":\"crm-seat\",\"quantity\":1,"
                          "\"amount\":1}\n",
                          &r, &errs),
              XS_EREJECT);
    CHECK_INT(errs.n, 1);
    CHECK_STR(errs.msg[0], "oh.jsonl:2: date: order \"O6001\" is dated \"2024-07-01\" "
                           "(line 1), not \"2024-07-09\"");

    /* skip bad rows: the offending lines go to the reject file, the rest in */
    const char *rej = tmp_path("oh_rej.csv");
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_ORDERS;
    o.skip_bad_rows = 1;
    o.reject_path = rej;
    xs_error e;
    CHECK_INT(import_opts(st, tmp_path("oh.csv"), &o, &r, &errs, &e), XS_OK);
    CHECK_INT(r.inserted, 7);
    CHECK_INT(r.rejected, 5);
    CHECK_INT(r.n_errors, 7);
    char *s = slurp(rej);
    CHECK_STR(s, "order_id,customer_id,date,product_id,quantity,amount,reject_reason\n"
                 "O5001,C0002,2024-07-01,crm-seat,1,15.50,\"customer_id: order "
                 "\"\"O5001\"\" belongs to customer \"\"C0001\"\" (line 2), not "
                 "\"\"C0002\"\"\"\n"
                 "O5001,C0001,2024-07-02T10:00,crm-pro,1,80,\"date: order \"\"O5001\"\" "
                 "is dated \"\"2024-07-01\"\" (line 2), not \"\"2024-07-02T10:00\"\"\"\n"
                 "O1001,C0002,2024-05-03,crm-pro,1,80,\"customer_id: order \"\"O1001\"\" "
                 "belongs to customer \"\"C0001\"\" (in the store), not \"\"C0002\"\"; "
                 "date: order \"\"O1001\"\" is dated \"\"2024-05-02\"\" (in the store), "
                 "not \"\"2024-05-03\"\"\"\n"
                 "O5002,C0003,2024-07-05,crm-basic,0,30,\"quantity: must be at least 1, "
                 "got \"\"0\"\"\"\n"
                 "O5002,C0003,2024-07-05,crm-pro,1,80,\"customer_id: order \"\"O5002\"\" "
                 "belongs to customer \"\"C0004\"\" (line 9), not \"\"C0003\"\"; date: "
                 "order \"\"O5002\"\" is dated \"\"2024-07-06\"\" (line 9), not "
                 "\"\"2024-07-05\"\"\"\n");
    free(s);
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 13);
    const char *out = tmp_path("oh_out.csv");
    CHECK_INT(xs_export_table(st, XS_T_ORDERS, out, XS_IO_CSV, NULL), 13);
    s = slurp(out);
    CHECK_STR(s, "order_id,customer_id,date,product_id,quantity,amount,channel\n"
                 "O1001,C0001,2024-05-02,crm-basic,1,30.00,web\n"
                 "O1001,C0001,2024-05-02,crm-seat,5,77.50,web\n"
                 "O1001,C0001,2024-05-02,payroll,1,80.00,\n"
                 "O1002,C0002,2024-05-03,crm-pro,1,80.00,\n"
                 "O1003,C0003,2024-06-10,payroll,1,1200.00,sales\n"
                 "O1004,C0004,2024-06-11,crm-seat,10,155.00,\n"
                 "O1004,C0004,2024-06-11,payroll,1,-20.00,refund\n"
                 "O5001,C0001,2024-07-01,crm-basic,1,30.00,\n"
                 "O5001,C0001,2024-07-01,payroll,1,1.00,\n"
                 "O5002,C0004,2024-07-06,crm-seat,1,15.00,\n"
                 "O5003,C0001,2024-07-07,crm-basic,1,30.00,\n"
                 "O5003,C0001,2024-07-07,crm-seat,1,15.00,\n"
                 "O5004,C0002,2024-07-08,crm-basic,1,30.00,\n");
    free(s);

    /* the orders now stored are checked on the next import (and a stored
     * order whose customer is not among the customers is named as stored) */
    CHECK_INT(sqlite3_exec(st->db,
                           "INSERT INTO orders VALUES ('O9000', 'CX', '2024-01-01', "
                           "'crm-pro', 1, 100, NULL)",
                           NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(import_text(st, XS_T_ORDERS, "oh2.csv",
                          "order_id,customer_id,date,product_id,quantity,amount\n"
                          "O5002,C0004,2024-07-06,crm-pro,1,80\n"
                          "O5004,C0003,2024-07-08,crm-seat,1,15\n"
                          "O9000,C0001,2024-01-01,crm-seat,1,15\n",
                          &r, &errs),
              XS_EREJECT);
    CHECK_INT(errs.n, 2);
    CHECK_STR(errs.msg[0], "oh2.csv:3: customer_id: order \"O5004\" belongs to customer "
                           "\"C0002\" (in the store), not \"C0003\"");
    CHECK_STR(errs.msg[1], "oh2.csv:4: customer_id: order \"O9000\" belongs to customer "
                           "\"CX\" (in the store), not \"C0001\"");
    free(before);
    xs_store_close(st);
}

/* Keys met in the store's order are found without hashing (the key set's
 * hint); a duplicate among them, a new key between them and a stored order
 * met again must still be told apart. */
static void test_key_order_hint(void)
{
    xs_store *st = fresh_store("hint.db");
    load_fixtures(st, "csv");
    xs_import_result r;
    errlist errs;
    /* in store order, all unchanged */
    CHECK_INT(import_text(st, XS_T_ORDERS, "h1.csv",
                          "order_id,customer_id,date,product_id,quantity,amount,channel\n"
                          "O1001,C0001,2024-05-02,crm-basic,1,30.00,web\n"
                          "O1001,C0001,2024-05-02,crm-seat,5,77.50,web\n"
                          "O1002,C0002,2024-05-03,crm-pro,1,80.00,\n",
                          &r, &errs),
              XS_OK);
    CHECK_INT(r.unchanged, 3);
    /* a stored key twice in a row, then an earlier one again */
    CHECK_INT(import_text(st, XS_T_ORDERS, "h2.csv",
                          "order_id,customer_id,date,product_id,quantity,amount\n"
                          "O1001,C0001,2024-05-02,crm-basic,1,30.00\n"
                          "O1001,C0001,2024-05-02,crm-seat,5,77.50\n"
                          "O1001,C0001,2024-05-02,crm-seat,5,77.50\n"
                          "O1002,C0002,2024-05-03,crm-pro,1,80.00\n"
                          "O1001,C0001,2024-05-02,crm-basic,1,30.00\n",
                          &r, &errs),
              XS_EREJECT);
    CHECK_INT(errs.n, 2);
    CHECK_STR(
        errs.msg[0],
        "h2.csv:4: order_id: duplicate key \"O1001\", \"crm-seat\" (first on line 3)");
    CHECK_STR(errs.msg[1], "h2.csv:6: order_id: duplicate key \"O1001\", \"crm-basic\" "
                           "(first on line 2)");
    /* new keys after the stored ones, one of them twice; and a new line of
     * a stored order between stored lines, with another customer */
    CHECK_INT(import_text(st, XS_T_ORDERS, "h3.csv",
                          "order_id,customer_id,date,product_id,quantity,amount\n"
                          "O1001,C0001,2024-05-02,crm-basic,1,30.00\n"
                          "O1001,C0002,2024-05-02,crm-pro,1,80.00\n"
                          "O1004,C0004,2024-06-11,crm-seat,10,155.00\n"
                          "O7001,C0005,2024-08-01,crm-seat,1,15.50\n"
                          "O7001,C0005,2024-08-01,crm-seat,1,15.50\n"
                          "O7002,C0005,2024-08-02,crm-seat,1,15.50\n",
                          &r, &errs),
              XS_EREJECT);
    CHECK_INT(errs.n, 2);
    CHECK_STR(errs.msg[0], "h3.csv:3: customer_id: order \"O1001\" belongs to customer "
                           "\"C0001\" (in the store), not \"C0002\"");
    CHECK_STR(
        errs.msg[1],
        "h3.csv:6: order_id: duplicate key \"O7001\", \"crm-seat\" (first on line 5)");
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 6);
    xs_store_close(st);
}

/* Rows out of key order (collected, sorted in runs, inserted) give the same
 * store as the same rows in order; runs made tiny so there are many. */
static void test_unsorted_input(void)
{
    enum { N = 3000 };
    static const char *const prods[] = {"crm-basic", "crm-pro", "crm-seat", "payroll"};
    unsigned perm[N];
    for (unsigned i = 0; i < N; i++)
        perm[i] = i;
    uint64_t x = 12345;
    for (unsigned i = N - 1; i > 0; i--) { /* Fisher-Yates with an LCG */
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned j = (unsigned)((x >> 33) % (i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    FILE *fs = fopen("sorted.csv", "w"), *fu = fopen("shuffled.csv", "w");
    fputs("order_id,customer_id,date,product_id,quantity,amount,note\n", fs);
    fputs("order_id,customer_id,date,product_id,quantity,amount,note\n", fu);
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < N; i++) {
            unsigned k = pass ? perm[i] : i;
            /* two lines per order; an order's lines share customer and date */
            fprintf(pass ? fu : fs, "S%05u,C000%u,2024-03-%02u,%s,%u,%u.%02u,%s\n", k / 2,
                    1 + k / 2 % 5, 1 + k / 2 % 28, prods[(k / 2 + k % 2) % 4], 1 + k % 9,
                    k, k % 100, k % 3 ? "" : "n\"q");
        }
    }
    fclose(fs);
    fclose(fu);
    xs_store *a = fresh_store("sorted.db"), *b = fresh_store("shuffled.db");
    load_fixtures(a, "csv");
    load_fixtures(b, "csv");
    b->sort_run_bytes = 4096;
    xs_import_result r;
    errlist errs;
    CHECK_INT(import_file(a, XS_T_ORDERS, "sorted.csv", &r, &errs), XS_OK);
    CHECK_INT(r.inserted, N);
    CHECK_INT(import_file(b, XS_T_ORDERS, "shuffled.csv", &r, &errs), XS_OK);
    CHECK_INT(r.inserted, N);
    for (int i = 0; i < errs.n; i++)
        fprintf(stderr, "  %s\n", errs.msg[i]);
    char *da = dump(a), *db = dump(b);
    CHECK_STR(db, da);
    free(da);
    free(db);
    /* and again: all unchanged */
    CHECK_INT(import_file(b, XS_T_ORDERS, "shuffled.csv", &r, &errs), XS_OK);
    CHECK_INT(r.unchanged, N);
    xs_store_close(a);
    xs_store_close(b);
}

/* ---------------------------------------------------------------------- */
/* The sorted path: a file into an empty table                            */
/* ---------------------------------------------------------------------- */

/* A store with the customers and products fixtures only (orders empty). */
static xs_store *refs_store(const char *name)
{
    xs_store *st = fresh_store(name);
    for (int t = 0; t < 2; t++) {
        char f[64];
        snprintf(f, sizeof f, "%s.csv", fixture_tables[t]);
        xs_import_result r;
        CHECK_INT(import_file(st, (xs_table_id)t, fixture(f), &r, NULL), XS_OK);
    }
    return st;
}

/* Order lines k (two per order, different products), as a CSV row. */
static void order_line(char *buf, size_t n, unsigned k, const char *qty)
{
    static const char *const prods[] = {"crm-basic", "crm-pro", "crm-seat", "payroll"};
    snprintf(buf, n, "S%04u,C000%u,2024-03-%02u,%s,%s,%u.%02u\n", k / 2, 1 + k / 2 % 5,
             1 + k / 2 % 28, prods[(k / 2 + k % 2) % 4], qty, k, k % 100);
}

/* Shuffled and sorted lines give the same store, with a sort budget that
 * spills a run every few rows (many runs, merged) and with the default. */
static void test_sorted_path(void)
{
    enum { N = 600 };
    unsigned perm[N];
    for (unsigned i = 0; i < N; i++)
        perm[i] = i;
    uint64_t x = 99;
    for (unsigned i = N - 1; i > 0; i--) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned j = (unsigned)((x >> 33) % (i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    static char sorted[N * 64], shuffled[N * 64];
    strcpy(sorted, "order_id,customer_id,date,product_id,quantity,amount\n");
    strcpy(shuffled, sorted);
    for (unsigned i = 0; i < N; i++) {
        char line[128];
        order_line(line, sizeof line, i, "2");
        strcat(sorted, line);
        order_line(line, sizeof line, perm[i], "2");
        strcat(shuffled, line);
    }
    xs_store *a = refs_store("sp_a.db"), *b = refs_store("sp_b.db"), *c = refs_store("sp_c.db");
    b->sort_run_bytes = 300; /* a run every two or three rows */
    xs_import_result r;
    errlist errs;
    CHECK_INT(import_text(a, XS_T_ORDERS, "sp_sorted.csv", sorted, &r, &errs), XS_OK);
    CHECK_INT(r.inserted, N);
    CHECK_INT(import_text(b, XS_T_ORDERS, "sp_shuffled.csv", shuffled, &r, &errs), XS_OK);
    CHECK_INT(r.inserted, N);
    CHECK_INT(import_text(c, XS_T_ORDERS, "sp_shuffled.csv", shuffled, &r, &errs), XS_OK);
    CHECK_INT(r.inserted, N);
    char *da = dump(a), *db = dump(b), *dc = dump(c);
    CHECK_STR(db, da);
    CHECK_STR(dc, da);
    free(da);
    free(db);
    free(dc);
    xs_store_close(a);
    xs_store_close(b);
    xs_store_close(c);
}

/* Duplicate keys found by the merge: each against the first line of its key
 * (a rejected row's key counts), reported in line order after the other
 * errors, nothing imported; with max_errors, the earliest ones. */
static void test_sorted_duplicates(void)
{
    xs_store *st = refs_store("sd.db");
    st->sort_run_bytes = 200;
    xs_import_result r;
    errlist errs;
    CHECK_INT(import_text(st, XS_T_ORDERS, "sd.csv",
                          "order_id,customer_id,date,product_id,quantity,amount\n"
                          "O5,C0001,2024-01-05,crm-pro,1,1.00\n"
                          "O2,C0002,2024-01-02,crm-pro,1,1.00\n"
                          "O5,C0001,2024-01-05,crm-pro,2,2.00\n"
                          "O1,C0001,2024-01-01,crm-seat,x,1.00\n"
                          "O1,C0001,2024-01-01,crm-seat,1,1.00\n"
                          "O5,C0001,2024-01-05,crm-pro,1,1.00\n"
                          "O0,C0003,2024-01-01,crm-seat,1,1.00\n",
                          &r, &errs),
              XS_EREJECT);
    CHECK_INT(errs.n, 4);
    CHECK_STR(errs.msg[0], "sd.csv:5: quantity: not an integer: \"x\"");
    CHECK_STR(errs.msg[1],
              "sd.csv:4: order_id: duplicate key \"O5\", \"crm-pro\" (first on line 2)");
    CHECK_STR(errs.msg[2],
              "sd.csv:6: order_id: duplicate key \"O1\", \"crm-seat\" (first on line 5)");
    CHECK_STR(errs.msg[3],
              "sd.csv:7: order_id: duplicate key \"O5\", \"crm-pro\" (first on line 2)");
    CHECK_INT(r.n_errors, 4);
    CHECK_INT(r.rejected, 4);
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 0);

    /* the same line 40 times, then a new one: 39 duplicates, 5 shown */
    static char text[8192];
    strcpy(text, "customer_id,signup_date\n");
    for (int i = 0; i < 40; i++)
        strcat(text, "C7,2024-01-01\n");
    strcat(text, "C6,2024-01-01\n");
    xs_store *e = fresh_store("sd_max.db");
    e->sort_run_bytes = 100;
    xs_import_options o;
    xs_import_options_init(&o);
    o.max_errors = 5;
    spit(tmp_path("sd_max.csv"), text);
    xs_error err;
    CHECK_INT(import_opts(e, tmp_path("sd_max.csv"), &o, &r, &errs, &err), XS_EREJECT);
    CHECK_INT(errs.n, 5);
    CHECK_INT(r.n_errors, 39);
    CHECK_INT(r.rejected, 39);
    CHECK_STR(errs.msg[0], "sd_max.csv:3: customer_id: duplicate key \"C7\" (first on line 2)");
    CHECK_STR(errs.msg[4], "sd_max.csv:7: customer_id: duplicate key \"C7\" (first on line 2)");
    CHECK_STR(err.message, "39 errors in 39 rows, nothing imported");
    xs_store_close(e);
    xs_store_close(st);
}

/* A file in key order for more than a buffer, then out of order: the rows
 * already written cannot be checked for duplicates by the merge, so the
 * import starts again, with the whole file sorted (or, when the first
 * attempt had reported errors, on the key-set path); the result is the
 * same as for the file in order, and errors of the first attempt are not
 * repeated. */
static void test_sorted_restart(void)
{
    static char text[16384], in_order[16384];
    strcpy(text, "order_id,customer_id,date,product_id,quantity,amount\n");
    strcpy(in_order, text);
    char line[128];
    order_line(line, sizeof line, 0, "1");
    strcat(in_order, line);
    for (unsigned k = 1; k < 80; k++) {
        order_line(line, sizeof line, k, "1");
        strcat(text, line);
        strcat(in_order, line);
    }
    order_line(line, sizeof line, 0, "1"); /* the first key, last */
    strcat(text, line);
    xs_store *a = refs_store("sr_a.db"), *b = refs_store("sr_b.db");
    b->sort_run_bytes = 500;
    xs_import_result r;
    errlist errs;
    CHECK_INT(import_text(a, XS_T_ORDERS, "sr_in_order.csv", in_order, &r, &errs), XS_OK);
    CHECK_INT(import_text(b, XS_T_ORDERS, "sr.csv", text, &r, &errs), XS_OK);
    CHECK_INT(r.inserted, 80);
    CHECK_INT(errs.n, 0);
    char *da = dump(a), *db = dump(b);
    CHECK_STR(db, da);
    free(da);
    free(db);

    /* an error early, a duplicate of line 10 late: each reported once */
    strcpy(text, "order_id,customer_id,date,product_id,quantity,amount\n");
    for (unsigned k = 1; k < 80; k++) {
        order_line(line, sizeof line, k, k == 2 ? "x" : "1");
        strcat(text, line);
    }
    order_line(line, sizeof line, 9, "1");
    strcat(text, line);
    xs_store *c = refs_store("sr_c.db");
    c->sort_run_bytes = 500;
    CHECK_INT(import_text(c, XS_T_ORDERS, "sr2.csv", text, &r, &errs), XS_EREJECT);
    CHECK_INT(errs.n, 2);
    CHECK_STR(errs.msg[0], "sr2.csv:3: quantity: not an integer: \"x\"");
    CHECK_STR(errs.msg[1],
              "sr2.csv:81: order_id: duplicate key \"S0004\", \"crm-pro\" (first on line 10)");
    CHECK_INT(r.n_errors, 2);
    CHECK_INT(xs_store_count(c, XS_T_ORDERS, NULL), 0);

    /* no error before it: the duplicate alone, found by the whole sort */
    strcpy(text, "order_id,customer_id,date,product_id,quantity,amount\n");
    for (unsigned k = 1; k < 80; k++) {
        order_line(line, sizeof line, k, "1");
        strcat(text, line);
    }
    order_line(line, sizeof line, 9, "1");
    strcat(text, line);
    xs_store *e = refs_store("sr_e.db");
    e->sort_run_bytes = 500;
    CHECK_INT(import_text(e, XS_T_ORDERS, "sr3.csv", text, &r, &errs), XS_EREJECT);
    CHECK_INT(errs.n, 1);
    CHECK_STR(
        errs.msg[0],
        "sr3.csv:81: order_id: duplicate key \"S0004\", \"crm-pro\" (first on line 10)");
    CHECK_INT(r.n_errors, 1);
    CHECK_INT(xs_store_count(e, XS_T_ORDERS, NULL), 0);

    /* out of order after rows were written, then an unknown customer: the
     * whole-file attempt is optimistic too, and reads the file once more
     * to report it exactly, once */
    strcpy(text, "order_id,customer_id,date,product_id,quantity,amount\n");
    for (unsigned k = 1; k < 80; k++) {
        order_line(line, sizeof line, k, "1");
        strcat(text, line);
    }
    order_line(line, sizeof line, 0, "1");
    strcat(text, line);
    strcat(text, "S0900,C0009,2024-03-01,crm-seat,1,1.00\n");
    xs_store *f = refs_store("sr_f.db");
    f->sort_run_bytes = 500;
    CHECK_INT(import_text(f, XS_T_ORDERS, "sr4.csv", text, &r, &errs), XS_EREJECT);
    CHECK_INT(errs.n, 1);
    CHECK_STR(errs.msg[0], "sr4.csv:82: customer_id: unknown customer \"C0009\"");
    CHECK_INT(r.n_errors, 1);
    CHECK_INT(xs_store_count(f, XS_T_ORDERS, NULL), 0);
    xs_store_close(a);
    xs_store_close(b);
    xs_store_close(c);
    xs_store_close(e);
    xs_store_close(f);
}

/* New rows inserted on the writer's thread, blocks made tiny (3 rows, and
 * 100 so that a block holds a batch statement and single rows): a file in
 * key order, shuffled, re-imported with changes (inserts on the thread,
 * updates beside them) and a later-found error (an unknown customer after
 * rows were written: the attempt is abandoned while blocks are queued) all
 * give what one thread gives; a failure of an INSERT on the thread (a
 * trigger that raises) stops the import with SQLite's message, nothing
 * imported, and the store stays usable. */
static void test_insert_thread(void)
{
    enum { N = 900 };
    static char sorted[N * 64 + 128], shuffled[N * 64 + 128], again[N * 64 + 128];
    unsigned perm[N];
    for (unsigned i = 0; i < N; i++)
        perm[i] = i;
    uint64_t x = 2026;
    for (unsigned i = N - 1; i > 0; i--) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned j = (unsigned)((x >> 33) % (i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    const char *head = "order_id,customer_id,date,product_id,quantity,amount\n";
    strcpy(sorted, head);
    strcpy(shuffled, head);
    strcpy(again, head);
    char line[128];
    for (unsigned i = 0; i < N; i++) {
        order_line(line, sizeof line, i, "2");
        strcat(sorted, line);
        order_line(line, sizeof line, perm[i], "2");
        strcat(shuffled, line);
    }
    /* the re-import: every third line changed, the others as they are,
     * and as many new orders (lines N .. 2N - 1, shuffled among them) */
    for (unsigned i = 0; i < N; i++) {
        order_line(line, sizeof line, perm[i], perm[i] % 3 ? "2" : "5");
        strcat(again, line);
        if (i % 2) {
            order_line(line, sizeof line, N + perm[i], "1");
            strcat(again, line);
        }
    }
    xs_store *ref = refs_store("it_ref.db");
    xs_import_result r;
    errlist errs;
    ref->insert_block_rows = 100000; /* never full: no thread */
    CHECK_INT(import_text(ref, XS_T_ORDERS, "it_sorted.csv", sorted, &r, &errs), XS_OK);
    CHECK_INT(r.inserted, N);
    char *want = dump(ref);
    CHECK_INT(import_text(ref, XS_T_ORDERS, "it_again.csv", again, &r, &errs), XS_OK);
    CHECK_INT(r.inserted, N / 2);
    CHECK_INT(r.updated, N / 3);
    char *want2 = dump(ref);
    static const size_t blocks[] = {3, 100};
    for (size_t bi = 0; bi < XS_N(blocks); bi++) {
        const char *texts[] = {sorted, shuffled};
        for (int k = 0; k < 2; k++) {
            xs_store *st = refs_store("it.db");
            st->insert_block_rows = blocks[bi];
            st->sort_run_bytes = k ? 2000 : 0; /* shuffled: many runs */
            CHECK_INT(import_text(st, XS_T_ORDERS, "it.csv", texts[k], &r, &errs), XS_OK);
            CHECK_INT(r.inserted, N);
            CHECK_INT(errs.n, 0);
            char *got = dump(st);
            CHECK_STR(got, want);
            free(got);
            CHECK_INT(import_text(st, XS_T_ORDERS, "it_again.csv", again, &r, &errs),
                      XS_OK);
            CHECK_INT(r.inserted, N / 2);
            CHECK_INT(r.updated, N / 3);
            CHECK_INT(r.unchanged, N - N / 3);
            got = dump(st);
            CHECK_STR(got, want2);
            free(got);
            xs_store_close(st);
        }
    }

    /* an unknown customer on the last line, in key order after every
     * other: found when it is written, all others queued or inserted */
    static char bad[N * 64 + 128];
    strcpy(bad, sorted);
    strcat(bad, "S9999,C0009,2024-03-01,crm-pro,1,1.00\n");
    xs_store *st = refs_store("it_bad.db");
    st->insert_block_rows = 3;
    CHECK_INT(import_text(st, XS_T_ORDERS, "it_bad.csv", bad, &r, &errs), XS_EREJECT);
    CHECK_INT(errs.n, 1);
    CHECK_STR(errs.msg[0], "it_bad.csv:902: customer_id: unknown customer \"C0009\"");
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 0);

    /* an INSERT that fails on the thread, in the middle of the file (in
     * a statement of a batch of rows) */
    st->insert_block_rows = 128;
    CHECK_INT(sqlite3_exec(st->db,
                           "CREATE TRIGGER it_boom BEFORE INSERT ON orders"
                           " WHEN NEW.order_id = 'S0300'"
                           " BEGIN SELECT RAISE(ABORT, 'boom'); END",
                           NULL, NULL, NULL),
              SQLITE_OK);
    xs_error e;
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_ORDERS;
    CHECK_INT(import_opts(st, tmp_path("it_sorted.csv"), &o, &r, &errs, &e), XS_EDB);
    CHECK_STR(e.message, "writing rows: boom");
    CHECK_INT(errs.n, 0);
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 0);
    CHECK_INT(sqlite3_exec(st->db, "DROP TRIGGER it_boom", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(import_opts(st, tmp_path("it_sorted.csv"), &o, &r, &errs, &e), XS_OK);
    CHECK_INT(r.inserted, N);
    char *got = dump(st);
    CHECK_STR(got, want);
    free(got);
    xs_store_close(st);
    free(want);
    free(want2);
    xs_store_close(ref);
}

/* The optimistic path: customers looked up and order lines compared only
 * when the sorted rows are written. A good shuffled file gives the store
 * the key-set path gives (skip_bad_rows takes that path); an error found
 * only then (an unknown customer, an order line that disagrees with
 * another) makes the file be read again on the exact path: every message
 * as that path words it, in line order, each delivered once. */
static void test_optimistic_path(void)
{
    enum { N_CUST = 300, N = 400 };
    static char custs[N_CUST * 32], text[N * 64 + 256];
    strcpy(custs, "customer_id,signup_date\n");
    for (unsigned i = 0; i < N_CUST; i++)
        sprintf(custs + strlen(custs), "K%03u,2024-01-01\n", i);
    static const char *const prods[] = {"crm-basic", "crm-pro", "crm-seat", "payroll"};
    unsigned perm[N];
    for (unsigned i = 0; i < N; i++)
        perm[i] = i;
    uint64_t x = 7;
    for (unsigned i = N - 1; i > 0; i--) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned j = (unsigned)((x >> 33) % (i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    /* usage of customers with gaps between them (the forward search
     * gallops), both ends included */
    strcpy(text, "customer_id,product_id,metric,value,date\n");
    for (unsigned i = 0; i < N; i++) {
        unsigned k = perm[i], c = k * 3 / 4 % N_CUST;
        if (k == N - 1) c = N_CUST - 1;
        sprintf(text + strlen(text), "K%03u,%s,seats,%u,2024-02-%02u\n", c, prods[k % 4],
                k, 1 + k % 28);
    }
    xs_store *a = fresh_store("op_a.db"), *b = fresh_store("op_b.db");
    xs_import_result r;
    errlist errs;
    CHECK_INT(import_text(a, XS_T_CUSTOMERS, "op_c.csv", custs, &r, &errs), XS_OK);
    CHECK_INT(import_text(b, XS_T_CUSTOMERS, "op_c.csv", custs, &r, &errs), XS_OK);
    CHECK_INT(import_file(a, XS_T_PRODUCTS, fixture("products.csv"), &r, NULL), XS_OK);
    CHECK_INT(import_file(b, XS_T_PRODUCTS, fixture("products.csv"), &r, NULL), XS_OK);
    a->sort_run_bytes = 700; /* many runs */
    CHECK_INT(import_text(a, XS_T_USAGE, "op_u.csv", text, &r, &errs), XS_OK);
    CHECK_INT(r.inserted, N);
    CHECK_INT(errs.n, 0);
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_USAGE;
    o.skip_bad_rows = 1; /* the key-set path */
    xs_error e;
    CHECK_INT(import_opts(b, tmp_path("op_u.csv"), &o, &r, &errs, &e), XS_OK);
    CHECK_INT(r.inserted, N);
    char *da = dump(a), *db = dump(b);
    CHECK_STR(da, db);
    free(da);
    free(db);

    /* an unknown customer in the middle of the key order, on the last line */
    xs_store *c = fresh_store("op_c.db");
    CHECK_INT(import_text(c, XS_T_CUSTOMERS, "op_c.csv", custs, &r, &errs), XS_OK);
    CHECK_INT(import_file(c, XS_T_PRODUCTS, fixture("products.csv"), &r, NULL), XS_OK);
    c->sort_run_bytes = 700;
    strcat(text, "K150x,crm-pro,seats,1,2024-02-01\n");
    CHECK_INT(import_text(c, XS_T_USAGE, "op_u2.csv", text, &r, &errs), XS_EREJECT);
    CHECK_INT(errs.n, 1);
    char want[128];
    snprintf(want, sizeof want, "op_u2.csv:%d: customer_id: unknown customer \"K150x\"",
             N + 2);
    CHECK_STR(errs.msg[0], want);
    CHECK_INT(r.n_errors, 1);
    CHECK_INT(r.rejected, 1);
    CHECK_INT(xs_store_count(c, XS_T_USAGE, NULL), 0);

    /* lines of one order that disagree: found only as neighbours in key
     * order, reported against the order's first good line */
    xs_store *d = refs_store("op_d.db");
    d->sort_run_bytes = 200;
    CHECK_INT(import_text(d, XS_T_ORDERS, "op_o.csv",
                          "order_id,customer_id,date,product_id,quantity,amount\n"
                          "O7,C0002,2024-01-01,crm-seat,1,1.00\n"
                          "O3,C0001,2024-01-01,crm-pro,1,1.00\n"
                          "O7,C0001,2024-01-01,crm-pro,1,1.00\n"
                          "O7,C0002,2024-01-02,payroll,1,1.00\n"
                          "O1,C0003,2024-01-01,crm-pro,1,1.00\n",
                          &r, &errs),
              XS_EREJECT);
    CHECK_INT(errs.n, 2);
    CHECK_STR(errs.msg[0], "op_o.csv:4: customer_id: order \"O7\" belongs to customer "
                           "\"C0002\" (line 2), not \"C0001\"");
    CHECK_STR(errs.msg[1], "op_o.csv:5: date: order \"O7\" is dated \"2024-01-01\" "
                           "(line 2), not \"2024-01-02\"");
    CHECK_INT(r.n_errors, 2);
    CHECK_INT(r.rejected, 2);
    CHECK_INT(xs_store_count(d, XS_T_ORDERS, NULL), 0);
    /* the same lines without the disagreement go in */
    CHECK_INT(import_text(d, XS_T_ORDERS, "op_o2.csv",
                          "order_id,customer_id,date,product_id,quantity,amount\n"
                          "O7,C0002,2024-01-01,crm-seat,1,1.00\n"
                          "O3,C0001,2024-01-01,crm-pro,1,1.00\n"
                          "O7,C0002,2024-01-01,crm-pro,1,1.00\n"
                          "O1,C0003,2024-01-01,crm-pro,1,1.00\n",
                          &r, &errs),
              XS_OK);
    CHECK_INT(r.inserted, 4);
    CHECK_INT(errs.n, 0);
    xs_store_close(a);
    xs_store_close(b);
    xs_store_close(c);
    xs_store_close(d);
}

/* Imports the orders file path into st with the Nth allocation failing,
 * for N = 0, 1, ... until the import goes through: every failure a clean
 * XS_ENOMEM with the store unchanged, more than a few of them. */
static void import_through_faults(xs_store *st, const char *path)
{
    char *before = dump(st);
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_ORDERS;
    int rc = -1;
    long n;
    for (n = 0; n < 5000; n++) {
        xs_import_result r;
        xs_error e;
        xs__alloc_fail_after(n);
        rc = xs_import_file(st, path, &o, &r, &e);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) break;
        CHECK_INT(rc, XS_ENOMEM);
        char *after = dump(st);
        CHECK_STR(after, before);
        free(after);
        if (rc != XS_ENOMEM) break;
    }
    CHECK(n > 5);
    CHECK_INT(rc, XS_OK);
    free(before);
}

/* Allocation failures on the sorted path (many spilled runs): a clean
 * XS_ENOMEM and an unchanged store, until the import succeeds. */
static void test_sorted_faults(void)
{
    xs_store *st = refs_store("sf.db");
    st->sort_run_bytes = 300;
    static char text[8192];
    strcpy(text, "order_id,customer_id,date,product_id,quantity,amount\n");
    for (unsigned k = 0; k < 60; k++) {
        char line[128];
        order_line(line, sizeof line, (k * 37) % 60, "3");
        strcat(text, line);
    }
    spit(tmp_path("sf.csv"), text);
    import_through_faults(st, tmp_path("sf.csv"));
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 60);
    xs_store_close(st);
}

/* The same under allocation failure with the inserting thread running
 * (blocks of 4 rows, rows written while the file is read: a file in key
 * order with a 300-byte sort budget, and a re-import that updates some
 * rows and inserts others): every failure a clean XS_ENOMEM with the
 * store unchanged, the thread stopped before the rollback. */
static void test_insert_thread_faults(void)
{
    static char sorted[8192], again[8192];
    strcpy(sorted, "order_id,customer_id,date,product_id,quantity,amount\n");
    strcpy(again, sorted);
    for (unsigned k = 0; k < 60; k++) {
        char line[128];
        order_line(line, sizeof line, k, "3");
        strcat(sorted, line);
        order_line(line, sizeof line, (k * 37) % 60 + (k % 2 ? 60 : 0),
                   k % 3 ? "3" : "4");
        strcat(again, line);
    }
    spit(tmp_path("tf.csv"), sorted);
    spit(tmp_path("tf2.csv"), again);
    xs_store *st = refs_store("tf.db");
    st->sort_run_bytes = 300;
    st->insert_block_rows = 4;
    import_through_faults(st, tmp_path("tf.csv"));
    import_through_faults(st, tmp_path("tf2.csv"));
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 90);
    xs_store_close(st);
}

/* ---------------------------------------------------------------------- */
/* A process killed in the middle of an import                            */
/* ---------------------------------------------------------------------- */

typedef struct killctx {
    int fd;
    int signalled;
    int hold; /* after telling the parent, wait (inside the transaction) to be killed */
} killctx;

static void tell_parent(void *ctx, unsigned long long rows, unsigned long long done,
                        unsigned long long total)
{
    (void)done;
    (void)total;
    killctx *k = ctx;
    if (!k->signalled && rows >= 40000) {
        k->signalled = 1;
        char c = 'k';
        if (write(k->fd, &c, 1) != 1) _exit(3);
        while (k->hold)
            pause();
    }
}

static void copy_file(const char *from, const char *to)
{
    char *s = NULL;
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (in && out) {
        s = malloc(1 << 16);
        size_t n;
        while ((n = fread(s, 1, 1 << 16, in)) > 0)
            fwrite(s, 1, n, out);
    }
    free(s);
    if (in) fclose(in);
    if (out) fclose(out);
}

static void test_kill_mid_import(void)
{
    const char *path = tmp_path("kill.db");
    xs_store *st = fresh_store("kill.db");
    load_fixtures(st, "csv");
    char *before = dump(st);
    xs_store_close(st);
    /* a large file: changes existing rows and adds many */
    const char *big = tmp_path("big.csv");
    FILE *f = fopen(big, "w");
    fputs("order_id,customer_id,date,product_id,quantity,amount\n", f);
    fputs("O1001,C0001,2024-05-02,crm-seat,9,139.50\n", f);
    static const char *const custs[] = {"C0001", "C0002", "C0003", "C0004", "C0005"};
    static const char *const prods[] = {"crm-basic", "crm-pro", "crm-seat", "payroll"};
    for (int i = 0; i < 100000; i++)
        fprintf(f, "K%07d,%s,2024-%02d-%02d,%s,%d,%d.%02d\n", i, custs[i % 5], 1 + i % 12,
                1 + i % 28, prods[i % 4], 1 + i % 7, i % 1000, i % 100);
    fclose(f);

    copy_file(path, "kill.bak");
    /* attempt 0: the child holds still mid-transaction until killed (always
     * lands); attempt 1: it keeps importing and is killed at once (should
     * land too: it has ~60,000 rows to go) */
    for (int attempt = 0; attempt < 2; attempt++) {
        int p[2];
        CHECK_INT(pipe(p), 0);
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            xs_store *cst = NULL;
            if (xs_store_open(&cst, path, NULL) < 0) _exit(4);
            /* a tiny page cache makes SQLite spill uncommitted pages into the
             * WAL long before the commit: the kill then leaves real frames of
             * an unfinished transaction behind */
            cst->bulk_cache_kib = 200;
            killctx k = {p[1], 0, attempt == 0};
            xs_import_options o;
            xs_import_options_init(&o);
            o.table = XS_T_ORDERS;
            o.on_progress = tell_parent;
            o.progress_ctx = &k;
            if (attempt == 1) o.skip_bad_rows = 1;
            xs_import_result r;
            int rc = xs_import_file(cst, big, &o, &r, NULL);
            _exit(rc == XS_OK ? 0 : 5);
        }
        close(p[1]);
        char c;
        ssize_t got = read(p[0], &c, 1);
        CHECK_INT(got, 1);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        close(p[0]);
        if (attempt == 1 && WIFEXITED(status)) {
            /* finished before the kill (a very slow parent): the import
             * committed, nothing to check; put the store back */
            fprintf(stderr,
                    "  kill_mid_import: child finished first, attempt not counted\n");
            remove_db(path);
            copy_file("kill.bak", path);
            continue;
        }
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        struct stat sb;
        char wal[400];
        snprintf(wal, sizeof wal, "%s-wal", path);
        CHECK(stat(wal, &sb) == 0 && sb.st_size > 0); /* the dead transaction's frames */

        CHECK_INT(xs_store_open(&st, path, NULL), XS_OK);
        if (!st) return;
        char *after = dump(st);
        CHECK_STR(after, before);
        free(after);
        xs_store_close(st);
    }
    /* and the same import, not killed, commits */
    CHECK_INT(xs_store_open(&st, path, NULL), XS_OK);
    if (!st) return;
    xs_import_result r;
    CHECK_INT(import_file(st, XS_T_ORDERS, big, &r, NULL), XS_OK);
    CHECK_INT(r.inserted, 100000);
    CHECK_INT(r.updated, 1);
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 100006);
    xs_store_close(st);
    free(before);
    unlink(big);
}

/* ---------------------------------------------------------------------- */
/* Allocation failures                                                    */
/* ---------------------------------------------------------------------- */

static void fault_loop(int skip)
{
    xs_store *st = fresh_store("fault.db");
    load_fixtures(st, "csv");
    char *before = dump(st);
    const char *in = tmp_path("f.csv"), *rej = tmp_path("f_rej.csv");
    spit(in, "order_id,customer_id,date,product_id,quantity,amount,channel,coupon\n"
             "O3001,C0001,2024-08-01,crm-seat,2,31.00,web,SUMMER\n"
             "O1001,C0001,2024-05-02,crm-seat,6,93.00,web,\n"
             "O1002,C0002,2024-05-03,crm-pro,1,80.00,,\n"
             "O3002,C0003,2024-08-02,payroll,1,1200.00,\"a \"\"quoted\"\" one\",X\n"
             "O3003,C0099,2024-08-03,payroll,1,1200.00,,\n"
             "O2999,C0004,2024-08-04,crm-basic,1,30.00,,\n"); /* out of order */
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_ORDERS;
    o.skip_bad_rows = skip;
    o.reject_path = skip ? rej : NULL;
    long n;
    int rc = -1;
    for (n = 0; n < 5000; n++) {
        unlink(rej);
        xs_import_result r;
        xs_error e;
        xs__alloc_fail_after(n);
        rc = xs_import_file(st, in, &o, &r, &e);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK || (!skip && rc == XS_EREJECT)) break;
        CHECK_INT(rc, XS_ENOMEM);
        CHECK(!exists(rej));
        char *after = dump(st);
        CHECK_STR(after, before);
        free(after);
        if (rc != XS_ENOMEM) break;
    }
    CHECK(n > 5);
    CHECK_INT(rc, skip ? XS_OK : XS_EREJECT);
    char *after = dump(st);
    if (skip) {
        CHECK(strcmp(after, before) != 0);
        CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 9);
        CHECK(exists(rej));
    } else {
        CHECK_STR(after, before);
    }
    free(after);
    free(before);
    xs_store_close(st);
}

static void test_fault_injection(void)
{
    fault_loop(0);
    fault_loop(1);
}

/* Export under allocation failure: clean errors, no file left behind. */
static void test_export_faults(void)
{
    xs_store *st = fresh_store("xfault.db");
    load_fixtures(st, "csv");
    const char *out = tmp_path("xf.csv");
    long n;
    long long rc = -1;
    for (n = 0; n < 1000; n++) {
        unlink(out);
        xs_error e;
        xs__alloc_fail_after(n);
        rc = xs_export_table(st, XS_T_CUSTOMERS, out, XS_IO_CSV, &e);
        xs__alloc_fail_after(-1);
        if (rc >= 0) break;
        CHECK_INT(rc, XS_ENOMEM);
        CHECK(!exists(out));
    }
    CHECK_INT(rc, 5);
    xs_store_close(st);
}

static const xs_test tests[] = {
    {"fixtures", test_fixtures},
    {"validation_errors", test_validation_errors},
    {"multiple_errors", test_multiple_errors},
    {"max_errors", test_max_errors},
    {"all_or_nothing", test_all_or_nothing},
    {"skip_bad_rows", test_skip_bad_rows},
    {"reimport", test_reimport},
    {"map", test_map},
    {"attrs", test_attrs},
    {"round_trip", test_round_trip},
    {"terms", test_terms},
    {"currency", test_currency},
    {"order_heads", test_order_heads},
    {"key_order_hint", test_key_order_hint},
    {"unsorted_input", test_unsorted_input},
    {"sorted_path", test_sorted_path},
    {"sorted_duplicates", test_sorted_duplicates},
    {"sorted_restart", test_sorted_restart},
    {"insert_thread", test_insert_thread},
    {"optimistic_path", test_optimistic_path},
    {"sorted_faults", test_sorted_faults},
    {"insert_thread_faults", test_insert_thread_faults},
    {"bad_files", test_bad_files},
    {"kill_mid_import", test_kill_mid_import},
    {"fault_injection", test_fault_injection},
    {"export_faults", test_export_faults},
};

int main(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char cwd[256];
    if (!getcwd(cwd, sizeof cwd)) return 1;
    if (src && src[0] == '/')
        snprintf(data, sizeof data, "%s/tests/data/import", src);
    else
        snprintf(data, sizeof data, "%s/%s/tests/data/import", cwd, src ? src : "..");
    snprintf(dir, sizeof dir, "/tmp/xs_import_XXXXXX");
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
