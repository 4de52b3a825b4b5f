/*
 * test_events.c — xs_import_records, the importer fed from memory (the
 * library side of POST /v1/events): several tables in one transaction with
 * the file importer's validation. Covers the exact store contents after a
 * batch (exports), insert / update / unchanged counts, every kind of error
 * with its exact message and position (table, index + 1), references to
 * rows earlier in the batch, all-or-nothing (one bad row in the last table
 * leaves every table as it was), agreement with xs_import_file on the same
 * rows, bad arguments and failed allocations.
 */
#include "base/alloc.h"
#include "test.h"
#include "xsell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0, got;
    char *s = malloc(cap);
    while ((got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) s = realloc(s, cap *= 2);
    }
    fclose(f);
    s[n] = '\0';
    return s;
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
    remove_db(name);
    xs_store *st = NULL;
    if (xs_store_open(&st, name, NULL) < 0) {
        fprintf(stderr, "cannot open %s\n", name);
        exit(1);
    }
    return st;
}

/* Every table exported as CSV, concatenated (malloc'd). */
static char *dump(xs_store *st)
{
    size_t cap = 1 << 16, n = 0;
    char *all = malloc(cap);
    all[0] = '\0';
    for (int t = 0; t < XS_N_TABLES; t++) {
        CHECK(xs_export_table(st, (xs_table_id)t, "dump.csv", XS_IO_CSV, NULL) >= 0);
        char *s = slurp("dump.csv");
        size_t k = s ? strlen(s) : 0;
        while (n + k + 64 > cap)
            all = realloc(all, cap *= 2);
        n += (size_t)snprintf(all + n, cap - n, "# %s\n%s", xs_table_name((xs_table_id)t),
                              s ? s : "");
        free(s);
    }
    return all;
}

/* One table's export (malloc'd). */
static char *export1(xs_store *st, xs_table_id t)
{
    CHECK(xs_export_table(st, t, "one.csv", XS_IO_CSV, NULL) >= 0);
    return slurp("one.csv");
}

/*
 * Records from a compact text: the first line is the field names, then one
 * line per row, fields separated by '|' (no quoting); "~" is an absent value
 * (a missing JSON key), an empty field an empty string.
 */
#define MAX_NAMES 16
#define MAX_ROWS 32
typedef struct recs {
    char *text;
    const char *names[MAX_NAMES];
    xs_import_value vals[MAX_ROWS * MAX_NAMES];
} recs;

static xs_import_rows make_rows(recs *b, xs_table_id t, const char *spec)
{
    xs_import_rows r = {t, b->names, 0, b->vals, 0};
    b->text = strdup(spec);
    char *line = b->text, *next;
    int header = 1;
    for (; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        size_t j = 0;
        for (char *f = line, *e; f; f = e, j++) {
            e = strchr(f, '|');
            if (e) *e++ = '\0';
            if (header) {
                b->names[r.n_names++] = f;
                continue;
            }
            xs_import_value *v = &b->vals[r.n_rows * r.n_names + j];
            int absent = !strcmp(f, "~");
            v->ptr = absent ? NULL : f;
            v->len = absent ? 0 : strlen(f);
            v->present = !absent;
        }
        if (!header) r.n_rows++;
        header = 0;
    }
    return r;
}

/* Collected error messages, as xs_error_format writes them. */
typedef struct errlist {
    int n;
    char msg[32][700];
} errlist;

static void collect(void *ctx, const xs_error *e)
{
    errlist *l = ctx;
    if (l->n < 32) xs_error_format(e, l->msg[l->n++], sizeof l->msg[0]);
}

static int import_batch(xs_store *st, const xs_import_rows *t, size_t n,
                        xs_import_result *res, errlist *errs, xs_error *e)
{
    xs_import_options o;
    xs_import_options_init(&o);
    o.max_errors = -1;
    if (errs) {
        errs->n = 0;
        o.on_error = collect;
        o.error_ctx = errs;
    }
    return xs_import_records(st, t, n, &o, res, e);
}

static const char *CUSTOMERS = "customer_id|name|signup_date|consent_email|tier_note\n"
                               "C1|Acme|2024-01-05|yes|gold\n"
                               "C2|Beta|2024-02-01|~|\n";
static const char *PRODUCTS = "product_id|kind|price|billing|family|tier\n"
                              "p1|plan|30|month|crm|1\n"
                              "p2|addon|5.50|month|~|~\n";
static const char *ORDERS = "order_id|customer_id|date|product_id|quantity|amount\n"
                            "O1|C1|2024-05-02|p1|1|30\n"
                            "O1|C1|2024-05-02T10:00:00Z|p2|2|11.00\n";
static const char *USAGE = "customer_id|product_id|metric|value|date\n"
                           "C1|p1|seats|5|2024-06-01\n"
                           "C2|p1|logins|1e3|2024-06-01\n";
static const char *EVENTS = "customer_id|date|type|value|ref\n"
                            "C1|2024-07-01|nps|9|~\n"
                            "C2|2024-07-02|ticket|2|T1\n"
                            "C2|2024-07-03|ticket_closed|~|T1\n";

/* The happy path: five tables at once into an empty store. */
static void test_batch(void)
{
    xs_store *st = fresh_store("batch.db");
    recs b[5];
    xs_import_rows t[5] = {
        make_rows(&b[0], XS_T_CUSTOMERS, CUSTOMERS),
        make_rows(&b[1], XS_T_PRODUCTS, PRODUCTS), make_rows(&b[2], XS_T_ORDERS, ORDERS),
        make_rows(&b[3], XS_T_USAGE, USAGE), make_rows(&b[4], XS_T_EVENTS, EVENTS)};
    xs_import_result res[5];
    errlist errs;
    xs_error e;
    CHECK_INT(import_batch(st, t, 5, res, &errs, &e), XS_OK);
    CHECK_INT(errs.n, 0);
    const unsigned long long want_read[5] = {2, 2, 2, 2, 3};
    for (int i = 0; i < 5; i++) {
        CHECK_INT(res[i].read, want_read[i]);
        CHECK_INT(res[i].inserted, want_read[i]);
        CHECK_INT(res[i].updated, 0);
        CHECK_INT(res[i].rejected, 0);
    }
    char *s = export1(st, XS_T_CUSTOMERS);
    CHECK_STR(s,
              "customer_id,name,segment,industry,size,region,signup_date,consent_email,"
              "consent_in_app,consent_csm,consent_webinar,consent_sns,owner,contact_name,"
              "contact_email,tier_note\n"
              "C1,Acme,,,,,2024-01-05,1,0,0,0,0,,,,gold\n"
              "C2,Beta,,,,,2024-02-01,0,0,0,0,0,,,,\n");
    free(s);
    s = export1(st, XS_T_PRODUCTS);
    CHECK_STR(s, "product_id,name,family,tier,kind,price,billing,limits,category\n"
                 "p1,,crm,1,plan,30.00,month,,\n"
                 "p2,,,,addon,5.50,month,,\n");
    free(s);
    s = export1(st, XS_T_ORDERS);
    CHECK_STR(s, "order_id,customer_id,date,product_id,quantity,amount\n"
                 "O1,C1,2024-05-02,p1,1,30.00\n"
                 "O1,C1,2024-05-02,p2,2,11.00\n");
    free(s);
    s = export1(st, XS_T_USAGE);
    CHECK_STR(s, "customer_id,product_id,metric,value,date\n"
                 "C1,p1,seats,5,2024-06-01\n"
                 "C2,p1,logins,1000,2024-06-01\n");
    free(s);
    s = export1(st, XS_T_EVENTS);
    CHECK_STR(s, "customer_id,date,type,value,ref\n"
                 "C1,2024-07-01,nps,9,\n"
                 "C2,2024-07-02,ticket,2,T1\n"
                 "C2,2024-07-03,ticket_closed,,T1\n");
    free(s);

    /* a second batch: one row changed, one the same, one new */
    recs b2;
    xs_import_rows t2 = make_rows(&b2, XS_T_EVENTS,
                                  "customer_id|date|type|value|ref\n"
                                  "C1|2024-07-01|nps|10|\n"
                                  "C2|2024-07-02|ticket|2|T1\n"
                                  "C1|2024-07-09|login|~|~\n");
    CHECK_INT(import_batch(st, &t2, 1, res, &errs, &e), XS_OK);
    CHECK_INT(res[0].read, 3);
    CHECK_INT(res[0].inserted, 1);
    CHECK_INT(res[0].updated, 1);
    CHECK_INT(res[0].unchanged, 1);
    s = export1(st, XS_T_EVENTS);
    CHECK_STR(s, "customer_id,date,type,value,ref\n"
                 "C1,2024-07-01,nps,10,\n"
                 "C1,2024-07-09,login,,\n"
                 "C2,2024-07-02,ticket,2,T1\n"
                 "C2,2024-07-03,ticket_closed,,T1\n");
    free(s);
    free(b2.text);
    for (int i = 0; i < 5; i++)
        free(b[i].text);

    /* the same rows through the file importer give the same store */
    xs_store *st2 = fresh_store("file.db");
    const char *files[5] = {CUSTOMERS, PRODUCTS, ORDERS, USAGE, EVENTS};
    const xs_table_id ids[5] = {XS_T_CUSTOMERS, XS_T_PRODUCTS, XS_T_ORDERS, XS_T_USAGE,
                                XS_T_EVENTS};
    for (int i = 0; i < 5; i++) {
        FILE *f = fopen("in.csv", "wb");
        for (const char *p = files[i]; *p; p++)
            fputc(*p == '|' ? ',' : *p, f);
        fclose(f);
        /* "~" (absent) has no CSV spelling: those fields are empty there */
        char *text = slurp("in.csv");
        f = fopen("in.csv", "wb");
        for (const char *p = text; *p; p++)
            if (*p != '~') fputc(*p, f);
        fclose(f);
        free(text);
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = ids[i];
        CHECK_INT(xs_import_file(st2, "in.csv", &o, NULL, NULL), XS_OK);
    }
    CHECK_INT(import_batch(st2, &t2, 0, NULL, NULL, &e), XS_OK); /* empty batch */
    recs b3;
    t2 = make_rows(&b3, XS_T_EVENTS,
                   "customer_id|date|type|value|ref\n"
                   "C1|2024-07-01|nps|10|\n"
                   "C2|2024-07-02|ticket|2|T1\n"
                   "C1|2024-07-09|login|~|~\n");
    CHECK_INT(import_batch(st2, &t2, 1, NULL, NULL, &e), XS_OK);
    free(b3.text);
    char *d1 = dump(st), *d2 = dump(st2);
    CHECK_STR(d1, d2);
    free(d1);
    free(d2);
    xs_store_close(st2);
    xs_store_close(st);
}

/* Runs one bad batch against the store of test_batch and checks every
 * message, the summary and that nothing changed. */
static void check_bad(xs_store *st, xs_import_rows *t, size_t n, const char *const *want,
                      int n_want, const char *summary)
{
    char *before = dump(st);
    errlist errs;
    xs_error e;
    xs_import_result res[8];
    CHECK_INT(import_batch(st, t, n, res, &errs, &e), XS_EREJECT);
    CHECK_INT(errs.n, n_want);
    for (int i = 0; i < n_want && i < errs.n; i++)
        CHECK_STR(errs.msg[i], want[i]);
    CHECK_STR(e.message, summary);
    for (size_t i = 0; i < n; i++) {
        CHECK_INT(res[i].inserted, 0);
        CHECK_INT(res[i].updated, 0);
    }
    char *after = dump(st);
    CHECK_STR(after, before);
    free(before);
    free(after);
}

static void test_errors(void)
{
    xs_store *st = NULL;
    if (xs_store_open(&st, "batch.db", NULL) < 0) {
        CHECK(0);
        return;
    }
    recs b[3];
    xs_import_rows t[3];

    t[0] = make_rows(&b[0], XS_T_EVENTS,
                     "customer_id|date|type|value|ref\n"
                     "C1|2024-08-01|nps|11|\n"
                     "C9|2024-08-01|ticket|5|\n"
                     "C1|2024-13-01|login|~|\n"
                     "C1|2024-08-02|~|~|\n"
                     "C1|2024-08-03|nps|7|\n"
                     "C1|2024-08-03|nps|8|\n"
                     "C1|2024-08-04|call|~|\n");
    const char *want1[] = {
        "events:1: value: nps needs an integer 0 to 10, got \"11\"",
        "events:2: customer_id: unknown customer \"C9\"",
        "events:2: value: ticket needs a severity 1 to 4 (1 = critical), got \"5\"",
        "events:3: date: not a date: \"2024-13-01\"",
        "events:4: type: missing required value",
        "events:6: customer_id: duplicate key \"C1\", \"2024-08-03\", \"nps\", \"\" "
        "(first "
        "at events[4])",
        NULL};
    /* the enum message comes from validate.c: take it from a file import */
    char enum_msg[700] = "";
    {
        FILE *f = fopen("ev.csv", "wb");
        fputs("customer_id,date,type\nC1,2024-08-04,call\n", f);
        fclose(f);
        errlist fe = {0, {{0}}};
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = XS_T_EVENTS;
        o.on_error = collect;
        o.error_ctx = &fe;
        CHECK_INT(xs_import_file(st, "ev.csv", &o, NULL, NULL), XS_EREJECT);
        CHECK_INT(fe.n, 1);
        CHECK(!strncmp(fe.msg[0], "ev.csv:2: type: ", 16));
        snprintf(enum_msg, sizeof enum_msg, "events:7: type: %.600s", fe.msg[0] + 16);
    }
    want1[6] = enum_msg;
    check_bad(st, t, 1, want1, 7, "7 errors in 6 rows, nothing imported");
    free(b[0].text);

    /* orders: the header of an order in the store and of one in the batch */
    t[0] = make_rows(&b[0], XS_T_ORDERS,
                     "order_id|customer_id|date|product_id|quantity|amount\n"
                     "O1|C2|2024-05-02|p1|1|30\n"
                     "O2|C1|2024-05-03|p1|1|30\n"
                     "O2|C1|2024-05-04|p2|1|5.5\n"
                     "O3|C1|2024-05-03|p9|0|1.234\n");
    const char *want2[] = {
        "orders:1: customer_id: order \"O1\" belongs to customer \"C1\" (in the store), "
        "not \"C2\"",
        "orders:3: date: order \"O2\" is dated \"2024-05-03\" (orders[1]), not "
        "\"2024-05-04\"",
        "orders:4: product_id: unknown product \"p9\"",
    };
    errlist errs;
    xs_error e;
    CHECK_INT(import_batch(st, t, 1, NULL, &errs, &e), XS_EREJECT);
    CHECK(errs.n >= 4);
    for (int i = 0; i < 3 && i < errs.n; i++)
        CHECK_STR(errs.msg[i], want2[i]);
    CHECK(errs.n >= 4 && !strncmp(errs.msg[3], "orders:4: quantity: ", 20));
    free(b[0].text);

    /* a customer rejected in the batch is unknown to the later tables; the
     * good one is known (no error for C3) */
    t[0] = make_rows(&b[0], XS_T_CUSTOMERS,
                     "customer_id|signup_date|contact_email\n"
                     "C3|2024-03-01|a@b.example\n"
                     "C4|2024-03-01|nobody\n");
    t[1] = make_rows(&b[1], XS_T_USAGE,
                     "customer_id|product_id|metric|value|date\n"
                     "C3|p1|seats|1|2024-06-01\n"
                     "C4|p1|seats|1|2024-06-01\n"
                     "C3|p1|Seats|-1|2024-06-02\n");
    CHECK_INT(import_batch(st, t, 2, NULL, &errs, &e), XS_EREJECT);
    CHECK_INT(errs.n, 4);
    CHECK(!strncmp(errs.msg[0], "customers:2: contact_email: ", 28));
    CHECK_STR(errs.msg[1], "usage:2: customer_id: unknown customer \"C4\"");
    CHECK(!strncmp(errs.msg[2], "usage:3: metric: ", 17));
    CHECK(!strncmp(errs.msg[3], "usage:3: value: ", 16));
    CHECK_STR(e.message, "4 errors in 3 rows, nothing imported");
    free(b[0].text);
    free(b[1].text);

    /* atomicity: good customers, usage and events, one bad offer last */
    t[0] = make_rows(&b[0], XS_T_CUSTOMERS,
                     "customer_id|signup_date\nC5|2024-03-01\nC1|2023-12-31\n");
    t[1] = make_rows(&b[1], XS_T_EVENTS,
                     "customer_id|date|type|value\nC5|2024-08-01|nps|3\n");
    t[2] = make_rows(&b[2], XS_T_OFFERS,
                     "offer_id|customer_id|product_id|kind|channel|sent_at|outcome\n"
                     "F1|C5|p2|cross_sell|email|2024-08-02|pending\n"
                     "F2|C5|p2|cross_sell|fax|2024-08-02|pending\n");
    const char *want3[] = {
        "offers:2: channel: expected email, in_app, csm, webinar or sns, got \"fax\""};
    check_bad(st, t, 3, want3, 1, "1 error in 1 row, nothing imported");
    for (int i = 0; i < 3; i++)
        free(b[i].text);
    xs_store_close(st);
}

static void test_args(void)
{
    xs_store *st = fresh_store("args.db");
    recs b[2];
    xs_import_rows t[2] = {make_rows(&b[0], XS_T_EVENTS, "customer_id|date|type\n"),
                           make_rows(&b[1], XS_T_EVENTS, "customer_id|date|type\n")};
    xs_error e;
    CHECK_INT(xs_import_records(st, t, 2, NULL, NULL, &e), XS_EINVAL);
    CHECK_STR(e.message, "table events appears twice in the batch");
    CHECK_INT(xs_import_records(NULL, t, 1, NULL, NULL, &e), XS_EINVAL);
    t[1].table = XS_N_TABLES;
    CHECK_INT(xs_import_records(st, t, 2, NULL, NULL, &e), XS_EINVAL);
    CHECK_STR(e.message, "bad table 1 of the batch");
    /* no rows: fine, nothing written */
    xs_import_result r;
    CHECK_INT(xs_import_records(st, t, 1, NULL, &r, &e), XS_OK);
    CHECK_INT(r.read, 0);
    /* a currency conflict with the store */
    xs_import_options o;
    xs_import_options_init(&o);
    o.currency = "JPY:0";
    CHECK_INT(xs_import_records(st, t, 1, &o, &r, &e), XS_EINVAL);
    o.currency = "bad";
    CHECK_INT(xs_import_records(st, t, 1, &o, &r, &e), XS_EINVAL);
    free(b[0].text);
    free(b[1].text);
    xs_store_close(st);
}

/* Every allocation failing in turn: an error, no leak, the store as it was. */
static void test_alloc_failures(void)
{
    xs_store *st = fresh_store("alloc.db");
    recs b[3];
    xs_import_rows t[3] = {make_rows(&b[0], XS_T_CUSTOMERS, CUSTOMERS),
                           make_rows(&b[1], XS_T_PRODUCTS, PRODUCTS),
                           make_rows(&b[2], XS_T_ORDERS, ORDERS)};
    char *empty = dump(st);
    int ok = 0;
    long n_failed = 0;
    for (long n = 0; n < 2000 && !ok; n++) {
        xs__alloc_fail_after(n);
        int rc = xs_import_records(st, t, 3, NULL, NULL, NULL);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            ok = 1;
            break;
        }
        CHECK(rc == XS_ENOMEM || rc == XS_EDB);
        n_failed++;
        char *now = dump(st);
        CHECK_STR(now, empty);
        free(now);
    }
    CHECK(ok);
    CHECK(n_failed > 20); /* the batch does allocate: each failure was met */
    free(empty);
    for (int i = 0; i < 3; i++)
        free(b[i].text);
    xs_store_close(st);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/xs_events_XXXXXX", tmp);
    if (!mkdtemp(dir) || chdir(dir) != 0) {
        perror("mkdtemp");
        return 1;
    }
    static const xs_test tests[] = {
        {"batch", test_batch},
        {"errors", test_errors},
        {"args", test_args},
        {"alloc_failures", test_alloc_failures},
    };
    int rc = xs_test_run(tests, XS_N(tests));
    const char *files[] = {"batch.db", "file.db", "args.db", "alloc.db"};
    for (size_t i = 0; i < XS_N(files); i++)
        remove_db(files[i]);
    unlink("dump.csv");
    unlink("one.csv");
    unlink("in.csv");
    unlink("ev.csv");
    if (chdir("/") == 0) rmdir(dir);
    return rc;
}
