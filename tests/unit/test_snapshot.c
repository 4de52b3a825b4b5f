/*
 * test_snapshot.c — the columnar snapshot: every column of a small
 * hand-made store, interning, sorting, CSR indexes against a brute-force
 * scan of a random store, limits parsing, counts and reports, the empty
 * store, allocation-failure injection, bad rows and foreign schemas.
 *
 * Stores are real SQLite files made with xs_store_open(); rows go in with
 * plain SQL (this test stands inside src/store, where SQL is allowed).
 */
#include "test.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/rng.h"
#include "snapshot/snapshot.h"
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

static char db_path[256];

static void remove_db(void)
{
    char p[300];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

/* A fresh, empty store in a temporary file. */
static xs_store *new_store(void)
{
    snprintf(db_path, sizeof db_path, "/tmp/xs-test-snapshot-%ld.db", (long)getpid());
    remove_db();
    xs_store *st = NULL;
    xs_error e;
    int rc = xs_store_open(&st, db_path, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) {
        char buf[1200];
        fprintf(stderr, "%s\n", xs_error_format(&e, buf, sizeof buf));
        exit(1);
    }
    return st;
}

static void close_store(xs_store *st)
{
    xs_store_close(st);
    remove_db();
}

static void exec(xs_store *st, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fprintf(stderr, "SQL failed: %s\n%s\n", msg ? msg : "?", sql);
    CHECK_INT(rc, SQLITE_OK);
    sqlite3_free(msg);
}

static int32_t day(const char *s)
{
    int32_t d = 0;
    CHECK_INT(xs__date_parse(s, strlen(s), &d), 0);
    return d;
}

static const char *error_text(const xs_error *e)
{
    static char buf[1200];
    return xs_error_format(e, buf, sizeof buf);
}

/* The small store every column test reads. Rows are inserted out of order
 * on purpose; the expected order is spelled out in the tests. */
static const char small_sql[] =
    "INSERT INTO customers(customer_id, name, segment, industry, size, region, "
    "signup_date,"
    " consent_email, consent_in_app, consent_csm, consent_webinar, consent_sns, owner,"
    " contact_name, contact_email) VALUES"
    " ('C2','Beta GmbH','smb','retail','small','EU','2023-02-01',1,0,0,0,1,'sato','Anna',"
    "  'anna@beta.example'),"
    " ('C1','Acme KK','enterprise','manufacturing','enterprise','JP-East','2022-01-15',"
    "  0,1,1,0,0,'tanaka',NULL,NULL),"
    " ('C3',NULL,'smb',NULL,'','JP-East','2024-03-01',0,0,0,1,0,'sato',NULL,NULL);"
    "INSERT INTO products(product_id, name, family, tier, kind, price, billing, limits,"
    " category) VALUES"
    " ('crm-basic','CRM "
    "Basic','crm',1,'plan',3000,'month','seats=10;storage_gb=5','crm'),"
    " ('crm-pro','CRM Pro','crm',2,'plan',9000,'month','seats=50;storage_gb=50.5','crm'),"
    " ('crm-ent','CRM Enterprise','crm',3,'plan',100000,'year','seats=500','crm'),"
    " ('addon-ai','AI assist',NULL,NULL,'addon',1000,'month',NULL,'ai'),"
    " ('book','Book',NULL,NULL,'product',1500,'once','',NULL);"
    "INSERT INTO subscriptions(customer_id, product_id, quantity, unit_price, start_date,"
    " end_date, term, renewal_date) VALUES"
    " ('C1','crm-pro',40,9000,'2023-01-01',NULL,12,'2025-01-01'),"
    " ('C1','crm-basic',10,3000,'2022-01-15','2022-12-31',1,NULL),"
    " ('C1','addon-ai',5,1000,'2023-06-01',NULL,3,NULL),"
    " ('C3','crm-ent',1,100000,'2024-03-01',NULL,24,'2025-03-01');"
    "INSERT INTO orders(order_id, customer_id, date, product_id, quantity, amount) VALUES"
    " ('O3','C2','2024-02-10','book',2,3000),"
    " ('O1','C1','2024-01-05','crm-pro',1,9000),"
    " ('O1','C1','2024-01-05','addon-ai',3,3000),"
    " ('O2','C2','2024-01-20','book',1,1500),"
    " ('O10','C1','2023-12-31','book',1,1500),"
    " ('O4','C2','2024-01-20','addon-ai',1,1000);"
    "INSERT INTO usage(customer_id, product_id, metric, value, date) VALUES"
    " ('C1','crm-pro','seats',38,'2024-01-01'),"
    " ('C1','crm-pro','seats',45.5,'2024-02-01'),"
    " ('C1','crm-pro','logins',120,'2024-01-01'),"
    " ('C3','crm-ent','seats',10,'2024-03-15');"
    "INSERT INTO events(customer_id, date, type, value, ref) VALUES"
    " ('C2','2024-01-03','nps',9,''),"
    " ('C1','2024-01-02','ticket',1,'T1'),"
    " ('C1','2024-01-04','ticket_closed',NULL,'T1'),"
    " ('C1','2024-01-02','login',NULL,''),"
    " ('C3','2024-03-02','custom_thing',2.5,'');"
    "INSERT INTO offers(offer_id, customer_id, product_id, kind, channel, sent_at, "
    "outcome,"
    " outcome_at, revenue_delta) VALUES"
    " ('F2','C1','crm-ent','upsell','email','2024-02-01T10:00:00Z','pending',NULL,NULL),"
    " ('F1','C1','crm-pro','upsell','csm','2023-12-01','accepted','2023-12-15',6000),"
    " ('F3','C2','addon-ai','cross_sell','in_app','2024-01-25','declined','2024-01-26',-"
    "500),"
    " ('F0','C3','crm-pro','downsell','sns','2024-03-10','ignored',NULL,0);";

static xs_snapshot *load_ok(xs_store *st)
{
    xs_snapshot *s = NULL;
    xs_error e;
    int rc = xs_snapshot_load(st, &s, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) fprintf(stderr, "load: %s\n", error_text(&e));
    return s;
}

/* Loads, expecting failure code; returns the formatted message. */
static const char *load_fails(xs_store *st, int code)
{
    xs_snapshot *s = (xs_snapshot *)&s; /* must be reset to NULL */
    static xs_error e;
    int rc = xs_snapshot_load(st, &s, &e);
    CHECK_INT(rc, code);
    CHECK_INT(e.code, code);
    CHECK(s == NULL);
    return error_text(&e);
}

static const char *id_of(const xs__intern *t, uint32_t id)
{
    return xs__intern_str(t, id);
}

/* ---------------------------------------------------------------------- */
/* The small store, column by column                                      */
/* ---------------------------------------------------------------------- */

static void test_customers(void)
{
    xs_store *st = new_store();
    exec(st, small_sql);
    xs_snapshot *s = load_ok(st);
    if (!s) goto done;
    const xs__snapshot_customers *c = &s->cust;
    CHECK_INT(c->n, 3);
    /* ids in byte order of customer_id */
    CHECK_STR(id_of(&c->ids, 0), "C1");
    CHECK_STR(id_of(&c->ids, 1), "C2");
    CHECK_STR(id_of(&c->ids, 2), "C3");
    CHECK_STR(xs__snapshot_text(s, c->name[0]), "Acme KK");
    CHECK_STR(xs__snapshot_text(s, c->name[1]), "Beta GmbH");
    CHECK_STR(xs__snapshot_text(s, c->name[2]), "");
    CHECK_INT(c->name[2], 0);
    CHECK_STR(xs__snapshot_dict_str(&s->dict.segments, c->segment[0]), "enterprise");
    CHECK_STR(xs__snapshot_dict_str(&s->dict.segments, c->segment[1]), "smb");
    CHECK_INT(c->segment[1], c->segment[2]);
    CHECK_INT(s->dict.segments.n, 2);
    CHECK_STR(xs__snapshot_dict_str(&s->dict.industries, c->industry[0]),
              "manufacturing");
    CHECK_STR(xs__snapshot_dict_str(&s->dict.industries, c->industry[1]), "retail");
    CHECK_INT(c->industry[2], XS_SNAP_NONE16);
    CHECK_STR(xs__snapshot_dict_str(&s->dict.sizes, c->size[0]), "enterprise");
    CHECK_STR(xs__snapshot_dict_str(&s->dict.sizes, c->size[1]), "small");
    CHECK_INT(c->size[2], XS_SNAP_NONE16); /* '' is absent */
    CHECK_STR(xs__snapshot_dict_str(&s->dict.regions, c->region[0]), "JP-East");
    CHECK_STR(xs__snapshot_dict_str(&s->dict.regions, c->region[1]), "EU");
    CHECK_INT(c->region[0], c->region[2]);
    CHECK_STR(xs__snapshot_dict_str(&s->dict.owners, c->owner[0]), "tanaka");
    CHECK_STR(xs__snapshot_dict_str(&s->dict.owners, c->owner[1]), "sato");
    CHECK_INT(c->owner[1], c->owner[2]);
    CHECK_INT(c->signup[0], day("2022-01-15"));
    CHECK_INT(c->signup[1], day("2023-02-01"));
    CHECK_INT(c->signup[2], day("2024-03-01"));
    CHECK_INT(c->consent[0], (1 << XS_SNAP_CH_IN_APP) | (1 << XS_SNAP_CH_CSM));
    CHECK_INT(c->consent[1], (1 << XS_SNAP_CH_EMAIL) | (1 << XS_SNAP_CH_SNS));
    CHECK_INT(c->consent[2], 1 << XS_SNAP_CH_WEBINAR);
    CHECK_STR(xs__snapshot_text(s, c->contact_name[1]), "Anna");
    CHECK_STR(xs__snapshot_text(s, c->contact_email[1]), "anna@beta.example");
    CHECK_INT(c->contact_name[0], 0);
    CHECK_INT(c->contact_email[2], 0);
    CHECK_STR(s->currency, "USD");
    CHECK_INT(s->money_scale, 2);
    CHECK_INT(s->last_date, day("2025-03-01"));
done:
    xs_snapshot_free(s);
    close_store(st);
}

static void test_products(void)
{
    xs_store *st = new_store();
    exec(st, small_sql);
    xs_snapshot *s = load_ok(st);
    if (!s) goto done;
    const xs__snapshot_products *p = &s->prod;
    static const char *const ids[] = {"addon-ai", "book", "crm-basic", "crm-ent",
                                      "crm-pro"};
    static const char *const names[] = {"AI assist", "Book", "CRM Basic",
                                        "CRM Enterprise", "CRM Pro"};
    static const unsigned tiers[] = {0, 0, 1, 3, 2};
    static const int kinds[] = {XS_SNAP_KIND_ADDON, XS_SNAP_KIND_PRODUCT,
                                XS_SNAP_KIND_PLAN, XS_SNAP_KIND_PLAN, XS_SNAP_KIND_PLAN};
    static const int bills[] = {XS_SNAP_BILL_MONTH, XS_SNAP_BILL_ONCE, XS_SNAP_BILL_MONTH,
                                XS_SNAP_BILL_YEAR, XS_SNAP_BILL_MONTH};
    static const long long prices[] = {1000, 1500, 3000, 100000, 9000};
    static const char *const cats[] = {"ai", "", "crm", "crm", "crm"};
    CHECK_INT(p->n, 5);
    for (uint32_t i = 0; i < 5; i++) {
        CHECK_STR(id_of(&p->ids, i), ids[i]);
        CHECK_INT(xs__intern_find(&p->ids, ids[i], strlen(ids[i])), i);
        CHECK_STR(xs__snapshot_text(s, p->name[i]), names[i]);
        CHECK_INT(p->tier[i], tiers[i]);
        CHECK_INT(p->kind[i], kinds[i]);
        CHECK_INT(p->billing[i], bills[i]);
        CHECK_INT(p->price[i], prices[i]);
        CHECK_STR(xs__snapshot_dict_str(&s->dict.categories, p->category[i]), cats[i]);
        CHECK_STR(xs__snapshot_dict_str(&s->dict.families, p->family[i]),
                  i >= 2 ? "crm" : "");
    }
    CHECK_INT(p->family[0], XS_SNAP_NONE16);
    CHECK_INT(p->category[1], XS_SNAP_NONE16);
    /* limits: metric codes shared with usage; crm-basic interned them first */
    uint16_t seats = (uint16_t)xs__intern_find(&s->dict.metrics, "seats", 5);
    uint16_t storage = (uint16_t)xs__intern_find(&s->dict.metrics, "storage_gb", 10);
    CHECK_INT(seats, 0);
    CHECK_INT(storage, 1);
    CHECK_INT(p->n_limits, 5);
    static const unsigned off[] = {0, 0, 0, 2, 3, 5};
    for (int i = 0; i < 6; i++)
        CHECK_INT(p->limit_off[i], off[i]);
    CHECK_INT(p->limit_name[0], seats);
    CHECK_NEAR(p->limit_value[0], 10, 0);
    CHECK_INT(p->limit_name[1], storage);
    CHECK_NEAR(p->limit_value[1], 5, 0);
    CHECK_INT(p->limit_name[2], seats);
    CHECK_NEAR(p->limit_value[2], 500, 0);
    CHECK_INT(p->limit_name[3], seats);
    CHECK_NEAR(p->limit_value[3], 50, 0);
    CHECK_INT(p->limit_name[4], storage);
    CHECK_NEAR(p->limit_value[4], 50.5, 0);
    /* ladder of the crm family: basic (tier 1), pro (2), enterprise (3) */
    CHECK_INT(s->dict.families.n, 1);
    CHECK_INT(p->family_off[0], 0);
    CHECK_INT(p->family_off[1], 3);
    CHECK_INT(p->family_products[0], 2);
    CHECK_INT(p->family_products[1], 4);
    CHECK_INT(p->family_products[2], 3);
done:
    xs_snapshot_free(s);
    close_store(st);
}

static void test_subscriptions(void)
{
    xs_store *st = new_store();
    exec(st, small_sql);
    xs_snapshot *s = load_ok(st);
    if (!s) goto done;
    const xs__snapshot_subscriptions *b = &s->sub;
    CHECK_INT(b->n, 4);
    /* customer, then start: C1 basic (2022), pro (2023-01), addon (2023-06); C3 ent */
    static const unsigned cust[] = {0, 0, 0, 2}, prod[] = {2, 4, 0, 3};
    static const unsigned qty[] = {10, 40, 5, 1};
    static const long long price[] = {3000, 9000, 1000, 100000};
    static const char *const start[] = {"2022-01-15", "2023-01-01", "2023-06-01",
                                        "2024-03-01"};
    static const char *const end[] = {"2022-12-31", NULL, NULL, NULL};
    static const char *const ren[] = {NULL, "2025-01-01", NULL, "2025-03-01"};
    static const int term[] = {1, 12, 3, 24}; /* months */
    for (int i = 0; i < 4; i++) {
        CHECK_INT(b->customer[i], cust[i]);
        CHECK_INT(b->product[i], prod[i]);
        CHECK_INT(b->quantity[i], qty[i]);
        CHECK_INT(b->unit_price[i], price[i]);
        CHECK_INT(b->start[i], day(start[i]));
        CHECK_INT(b->end[i], end[i] ? day(end[i]) : XS_SNAP_NO_DATE);
        CHECK_INT(b->renewal[i], ren[i] ? day(ren[i]) : XS_SNAP_NO_DATE);
        CHECK_INT(b->term[i], term[i]);
    }
    static const unsigned off[] = {0, 3, 3, 4};
    for (int i = 0; i < 4; i++)
        CHECK_INT(s->cust.sub_off[i], off[i]);
    size_t n_active = 0;
    /* 40 x 90.00 + 5 x 10.00 monthly, 1000.00 yearly / 12 = 83.33 */
    CHECK_INT(xs_snapshot_mrr(s, &n_active), 360000 + 5000 + 8333);
    CHECK_INT(n_active, 3);
done:
    xs_snapshot_free(s);
    close_store(st);
}

/* The formulas of one subscription (snapshot.h), exactly: active on a day
 * (start inclusive, end exclusive), MRR per row and summed exactly. */
static void test_subscription_formulas(void)
{
    xs_store *st = new_store();
    exec(st, small_sql);
    xs_snapshot *s = load_ok(st);
    if (!s) goto done;
    /* row 0: crm-basic 2022-01-15 .. 2022-12-31 (end not included) */
    CHECK_INT(xs__snapshot_sub_active(s, 0, day("2022-01-14")), 0);
    CHECK_INT(xs__snapshot_sub_active(s, 0, day("2022-01-15")), 1);
    CHECK_INT(xs__snapshot_sub_active(s, 0, day("2022-12-30")), 1);
    CHECK_INT(xs__snapshot_sub_active(s, 0, day("2022-12-31")), 0);
    CHECK_INT(xs__snapshot_sub_active(s, 1, day("2022-12-31")), 0);
    CHECK_INT(xs__snapshot_sub_active(s, 1, day("2023-01-01")), 1);
    CHECK_INT(xs__snapshot_sub_active(s, 1, day("2099-12-31")), 1); /* no end */
    /* customer C1: row 0 ends 2022-12-31, row 1 starts 2023-01-01; C2: none */
    CHECK_INT(xs__snapshot_cust_active(s, 0, day("2022-01-14")), 0);
    CHECK_INT(xs__snapshot_cust_active(s, 0, day("2022-12-30")), 1);
    CHECK_INT(xs__snapshot_cust_active(s, 0, day("2022-12-31")), 0);
    CHECK_INT(xs__snapshot_cust_active(s, 0, day("2023-01-01")), 1);
    CHECK_INT(xs__snapshot_cust_active(s, 1, day("2023-01-01")), 0);
    /* monthly 10 x 30.00, 40 x 90.00, 5 x 10.00; yearly 1 x 1000.00 */
    CHECK(xs__snapshot_sub_mrr(s, 0) == 30000.0);
    CHECK(xs__snapshot_sub_mrr(s, 1) == 360000.0);
    CHECK(xs__snapshot_sub_mrr(s, 2) == 5000.0);
    CHECK(xs__snapshot_sub_mrr(s, 3) == 100000.0 / 12);
    int64_t month = 0, year = 0;
    for (uint32_t r = 0; r < 4; r++)
        xs__snapshot_sub_revenue(s, r, &month, &year);
    CHECK_INT(month, 395000);
    CHECK_INT(year, 100000);
    CHECK_INT(xs__snapshot_mrr_exact(month, year), 395000 + 8333);
    /* the year part rounds half away from zero */
    CHECK_INT(xs__snapshot_mrr_exact(0, 5), 0);
    CHECK_INT(xs__snapshot_mrr_exact(0, 6), 1);
    CHECK_INT(xs__snapshot_mrr_exact(0, -5), 0);
    CHECK_INT(xs__snapshot_mrr_exact(0, -6), -1);
    CHECK_INT(xs__snapshot_mrr_exact(10, 18), 12);
done:
    xs_snapshot_free(s);
    close_store(st);
}

static void test_orders(void)
{
    xs_store *st = new_store();
    exec(st, small_sql);
    xs_snapshot *s = load_ok(st);
    if (!s) goto done;
    const xs__snapshot_orders *o = &s->ord;
    CHECK_INT(o->n, 5);
    CHECK_INT(o->n_lines, 6);
    /* C1: O10 (2023-12-31), O1 (2024-01-05); C2: O2, O4 (same day, by id), O3 */
    static const char *const ids[] = {"O10", "O1", "O2", "O4", "O3"};
    static const unsigned cust[] = {0, 0, 1, 1, 1};
    static const char *const dates[] = {"2023-12-31", "2024-01-05", "2024-01-20",
                                        "2024-01-20", "2024-02-10"};
    for (uint32_t i = 0; i < 5; i++) {
        CHECK_STR(xs__snapshot_order_id(s, i), ids[i]);
        CHECK_INT(o->customer[i], cust[i]);
        CHECK_INT(o->date[i], day(dates[i]));
    }
    static const unsigned line_off[] = {0, 1, 3, 4, 5, 6};
    for (int i = 0; i < 6; i++)
        CHECK_INT(o->line_off[i], line_off[i]);
    /* lines by product within the order */
    static const unsigned prod[] = {1, 0, 4, 1, 0, 1}, qty[] = {1, 3, 1, 1, 1, 2};
    static const long long amt[] = {1500, 3000, 9000, 1500, 1000, 3000};
    for (int i = 0; i < 6; i++) {
        CHECK_INT(o->product[i], prod[i]);
        CHECK_INT(o->quantity[i], qty[i]);
        CHECK_INT(o->amount[i], amt[i]);
    }
    static const unsigned off[] = {0, 2, 5, 5};
    for (int i = 0; i < 4; i++)
        CHECK_INT(s->cust.order_off[i], off[i]);
    CHECK_INT(xs_snapshot_order_revenue(s), 19000);
done:
    xs_snapshot_free(s);
    close_store(st);
}

static void test_usage_events_offers(void)
{
    xs_store *st = new_store();
    exec(st, small_sql);
    xs_snapshot *s = load_ok(st);
    if (!s) goto done;
    /* usage: customer, product, metric (by name), date */
    const xs__snapshot_usage *u = &s->use;
    CHECK_INT(u->n, 4);
    static const char *const metric[] = {"logins", "seats", "seats", "seats"};
    static const unsigned ucust[] = {0, 0, 0, 2}, uprod[] = {4, 4, 4, 3};
    static const double uval[] = {120, 38, 45.5, 10};
    static const char *const udate[] = {"2024-01-01", "2024-01-01", "2024-02-01",
                                        "2024-03-15"};
    for (int i = 0; i < 4; i++) {
        CHECK_INT(u->customer[i], ucust[i]);
        CHECK_INT(u->product[i], uprod[i]);
        CHECK_STR(xs__snapshot_dict_str(&s->dict.metrics, u->metric[i]), metric[i]);
        CHECK_NEAR(u->value[i], uval[i], 0);
        CHECK_INT(u->date[i], day(udate[i]));
    }
    CHECK_INT(u->metric[1], 0); /* "seats", the code of the products' limits */
    CHECK_INT(u->metric[0], 2); /* "logins", after seats and storage_gb */
    static const unsigned uoff[] = {0, 3, 3, 4};
    for (int i = 0; i < 4; i++)
        CHECK_INT(s->cust.usage_off[i], uoff[i]);

    /* events: customer, date, type (by name), ref */
    const xs__snapshot_events *e = &s->ev;
    CHECK_INT(e->n, 5);
    static const unsigned ecust[] = {0, 0, 0, 1, 2};
    static const int etype[] = {XS_SNAP_EV_LOGIN, XS_SNAP_EV_TICKET,
                                XS_SNAP_EV_TICKET_CLOSED, XS_SNAP_EV_NPS,
                                XS_SNAP_N_EV_KNOWN};
    static const char *const edate[] = {"2024-01-02", "2024-01-02", "2024-01-04",
                                        "2024-01-03", "2024-03-02"};
    static const char *const eref[] = {"", "T1", "T1", "", ""};
    for (int i = 0; i < 5; i++) {
        CHECK_INT(e->customer[i], ecust[i]);
        CHECK_INT(e->type[i], etype[i]);
        CHECK_INT(e->date[i], day(edate[i]));
        CHECK_STR(xs__intern_str(&s->dict.refs, e->ref[i]), eref[i]);
    }
    CHECK_STR(xs__snapshot_dict_str(&s->dict.event_types, e->type[4]), "custom_thing");
    CHECK_STR(xs__snapshot_dict_str(&s->dict.event_types, XS_SNAP_EV_ONBOARDING_DONE),
              "onboarding_done");
    CHECK(isnan(e->value[0]));
    CHECK_NEAR(e->value[1], 1, 0);
    CHECK(isnan(e->value[2]));
    CHECK_NEAR(e->value[3], 9, 0);
    CHECK_NEAR(e->value[4], 2.5, 0);
    CHECK_INT(e->ref[0], 0);
    CHECK_INT(e->ref[1], e->ref[2]);
    static const unsigned eoff[] = {0, 3, 4, 5};
    for (int i = 0; i < 4; i++)
        CHECK_INT(s->cust.event_off[i], eoff[i]);

    /* offers: customer, sent_at, offer_id */
    const xs__snapshot_offers *f = &s->off;
    CHECK_INT(f->n, 4);
    static const char *const fid[] = {"F1", "F2", "F3", "F0"};
    static const unsigned fcust[] = {0, 0, 1, 2}, fprod[] = {4, 3, 0, 4};
    static const int fkind[] = {XS_SNAP_OFFER_UPSELL, XS_SNAP_OFFER_UPSELL,
                                XS_SNAP_OFFER_CROSS_SELL, XS_SNAP_OFFER_DOWNSELL};
    static const int fch[] = {XS_SNAP_CH_CSM, XS_SNAP_CH_EMAIL, XS_SNAP_CH_IN_APP,
                              XS_SNAP_CH_SNS};
    static const int fout[] = {XS_SNAP_OUT_ACCEPTED, XS_SNAP_OUT_PENDING,
                               XS_SNAP_OUT_DECLINED, XS_SNAP_OUT_IGNORED};
    static const char *const fsent[] = {"2023-12-01", "2024-02-01", "2024-01-25",
                                        "2024-03-10"};
    static const char *const fat[] = {"2023-12-15", NULL, "2024-01-26", NULL};
    static const long long frev[] = {6000, 0, -500, 0};
    static const unsigned fflags[] = {1, 0, 1, 1};
    for (int i = 0; i < 4; i++) {
        CHECK_STR(xs__intern_str(&f->ids, f->id[i]), fid[i]);
        CHECK_INT(f->customer[i], fcust[i]);
        CHECK_INT(f->product[i], fprod[i]);
        CHECK_INT(f->kind[i], fkind[i]);
        CHECK_INT(f->channel[i], fch[i]);
        CHECK_INT(f->outcome[i], fout[i]);
        CHECK_INT(f->sent[i], day(fsent[i]));
        CHECK_INT(f->outcome_at[i], fat[i] ? day(fat[i]) : XS_SNAP_NO_DATE);
        CHECK_INT(f->revenue_delta[i], frev[i]);
        CHECK_INT(f->flags[i], fflags[i]);
    }
    CHECK_INT(xs__intern_find(&f->ids, "F0", 2), f->id[3]); /* names round-trip */
    CHECK_INT(f->ids.n, 4);
    static const unsigned foff[] = {0, 2, 3, 4};
    for (int i = 0; i < 4; i++)
        CHECK_INT(s->cust.offer_off[i], foff[i]);
done:
    xs_snapshot_free(s);
    close_store(st);
}

static void test_counts_and_bytes(void)
{
    xs_store *st = new_store();
    exec(st, small_sql);
    xs_snapshot *s = load_ok(st);
    static const size_t want[XS_SNAP_N_ITEMS] = {3, 5, 4, 5, 6, 4, 5, 4};
    for (int k = 0; k < XS_SNAP_N_ITEMS; k++)
        CHECK_INT(xs_snapshot_count(s, (xs_snapshot_item)k), want[k]);
    CHECK_STR(xs_snapshot_item_name(XS_SNAP_ORDER_LINES), "order_lines");
    CHECK_STR(xs_snapshot_item_name(XS_SNAP_OFFERS), "offers");
    CHECK(xs_snapshot_item_name(XS_SNAP_N_ITEMS) == NULL);
    CHECK_INT(xs_snapshot_count(NULL, XS_SNAP_CUSTOMERS), 0);
    CHECK_INT(xs_snapshot_count(s, XS_SNAP_N_ITEMS), 0);
    /* the columns alone: at least 16 bytes per order line, and all of it
     * counted (the total is more than the column bytes) */
    CHECK(xs_snapshot_bytes(s) > s->bytes);
    CHECK(s->bytes >= 6 * 16 + 5 * 16);
    CHECK_STR(xs_snapshot_currency(s), "USD");
    CHECK_INT(xs_snapshot_money_scale(s), 2);
    CHECK_INT(xs_snapshot_bytes(NULL), 0);
    xs_snapshot_free(s);
    xs_snapshot_free(NULL);
    close_store(st);
}

/* Writes a report as CSV into a string (caller frees with free()). */
static char *report_csv(const xs_snapshot *s, xs_snapshot_report_kind kind, size_t limit)
{
    xs_table *t = xs_table_new();
    CHECK_INT(xs_snapshot_report(s, kind, limit, t), XS_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_INT(xs_table_write(t, f, XS_FORMAT_CSV), XS_OK);
    fclose(f);
    xs_table_free(t);
    return buf;
}

static void test_reports(void)
{
    xs_store *st = new_store();
    exec(st, small_sql);
    xs_snapshot *s = load_ok(st);
    char *r = report_csv(s, XS_SNAP_REPORT_COUNTS, 0);
    CHECK_STR(r, "what,count\ncustomers,3\nproducts,5\nsubscriptions,4\norders,5\n"
                 "order_lines,6\nusage,4\nevents,5\noffers,4\n");
    free(r);
    r = report_csv(s, XS_SNAP_REPORT_SEGMENTS, 0);
    CHECK_STR(r, "segment,customers,share_pct\nsmb,2,66.7\nenterprise,1,33.3\n");
    free(r);
    r = report_csv(s, XS_SNAP_REPORT_SEGMENTS, 1);
    CHECK_STR(r, "segment,customers,share_pct\nsmb,2,66.7\n");
    free(r);
    r = report_csv(s, XS_SNAP_REPORT_PLANS, 0);
    CHECK_STR(r, "family,tier,product,kind,active,quantity,mrr\n"
                 ",,addon-ai,addon,1,5,50.00\n"
                 "crm,2,crm-pro,plan,1,40,3600.00\n"
                 "crm,3,crm-ent,plan,1,1,83.33\n");
    free(r);
    r = report_csv(s, XS_SNAP_REPORT_TOP_PRODUCTS, 2);
    CHECK_STR(r, "product,name,orders,quantity,revenue\n"
                 "crm-pro,CRM Pro,1,1,90.00\n"
                 "book,Book,3,4,60.00\n");
    free(r);
    xs_table *t = xs_table_new();
    CHECK_INT(xs_snapshot_report(s, (xs_snapshot_report_kind)99, 0, t), XS_EINVAL);
    xs_table_free(t);
    xs_snapshot_free(s);
    close_store(st);
}

/* ---------------------------------------------------------------------- */
/* Limits                                                                 */
/* ---------------------------------------------------------------------- */

static int parse(xs__intern *names, const char *s, uint16_t *nm, double *v, char *what)
{
    return xs__snapshot_parse_limits(s, strlen(s), names, nm, v, 8, what, 200);
}

static void test_limits(void)
{
    xs__intern names;
    xs__intern_init(&names);
    uint16_t nm[8];
    double v[8];
    char what[200];
    CHECK_INT(parse(&names, "seats=100;storage_gb=50", nm, v, what), 2);
    CHECK_INT(nm[0], 0);
    CHECK_INT(nm[1], 1);
    CHECK_NEAR(v[0], 100, 0);
    CHECK_NEAR(v[1], 50, 0);
    CHECK_INT(parse(&names, "", nm, v, what), 0);
    CHECK_INT(parse(&names, "storage_gb=0.25;;api_calls_2=7;", nm, v, what), 2);
    CHECK_INT(nm[0], 1); /* same name, same code */
    CHECK_NEAR(v[0], 0.25, 0);
    CHECK_INT(nm[1], 2);
    CHECK_STR(xs__intern_str(&names, nm[1]), "api_calls_2");
    CHECK_NEAR(v[1], 7, 0);
    CHECK_INT(parse(&names, "x=.5", nm, v, what), 1);
    CHECK_NEAR(v[0], 0.5, 0);
    CHECK_INT(parse(&names, "Seats=1", nm, v, what), XS_EPARSE);
    CHECK_STR(what, "bad limit name \"Seats=1\"");
    CHECK_INT(parse(&names, "seats", nm, v, what), XS_EPARSE);
    CHECK_STR(what, "expected name=value, got \"seats\"");
    CHECK_INT(parse(&names, "=3", nm, v, what), XS_EPARSE);
    CHECK_STR(what, "bad limit name \"=3\"");
    CHECK_INT(parse(&names, "seats=-1", nm, v, what), XS_EPARSE);
    CHECK_STR(what, "limit seats: not a non-negative number: \"-1\"");
    CHECK_INT(parse(&names, "seats=1e3", nm, v, what), XS_EPARSE);
    CHECK_STR(what, "limit seats: not a non-negative number: \"1e3\"");
    CHECK_INT(parse(&names, "seats=", nm, v, what), XS_EPARSE);
    CHECK_STR(what, "limit seats: not a non-negative number: \"\"");
    CHECK_INT(parse(&names, "seats=.", nm, v, what), XS_EPARSE);
    CHECK_INT(parse(&names, "seats=1;seats=2", nm, v, what), XS_EPARSE);
    CHECK_STR(what, "limit seats given twice");
    CHECK_INT(parse(&names, "a=1;b=2;c=3;d=4;e=5;f=6;g=7;h=8;i=9", nm, v, what),
              XS_ERANGE);
    CHECK_STR(what, "more than 8 limits");
    xs__intern_free(&names);

    /* a bad limits value in a store names the product */
    xs_store *st = new_store();
    exec(st, "INSERT INTO products(product_id, kind, price, billing, limits)"
             " VALUES ('p1','plan',100,'month','seats=10;seats_max=x')");
    char want[600];
    snprintf(want, sizeof want,
             "%s: products.limits: limit seats_max: not a non-negative number: \"x\" "
             "(row with product_id \"p1\")",
             db_path);
    CHECK_STR(load_fails(st, XS_EPARSE), want);
    close_store(st);
}

/* ---------------------------------------------------------------------- */
/* Empty store, failures                                                  */
/* ---------------------------------------------------------------------- */

static void test_empty(void)
{
    xs_store *st = new_store();
    xs_snapshot *s = load_ok(st);
    if (!s) goto done;
    for (int k = 0; k < XS_SNAP_N_ITEMS; k++)
        CHECK_INT(xs_snapshot_count(s, (xs_snapshot_item)k), 0);
    CHECK_INT(s->cust.order_off[0], 0);
    CHECK_INT(s->ord.line_off[0], 0);
    CHECK_INT(s->prod.limit_off[0], 0);
    CHECK_INT(s->prod.family_off[0], 0);
    CHECK_INT(s->last_date, XS_SNAP_NO_DATE);
    CHECK_INT(xs_snapshot_order_revenue(s), 0);
    CHECK_INT(xs_snapshot_mrr(s, NULL), 0);
    CHECK(xs_snapshot_bytes(s) > 0);
    char *r = report_csv(s, XS_SNAP_REPORT_SEGMENTS, 0);
    CHECK_STR(r, "segment,customers,share_pct\n");
    free(r);
    r = report_csv(s, XS_SNAP_REPORT_PLANS, 0);
    CHECK_STR(r, "family,tier,product,kind,active,quantity,mrr\n");
    free(r);
    r = report_csv(s, XS_SNAP_REPORT_TOP_PRODUCTS, 0);
    CHECK_STR(r, "product,name,orders,quantity,revenue\n");
    free(r);
done:
    xs_snapshot_free(s);
    close_store(st);
}

/* Fails each allocation of a load in turn: every failure is XS_ENOMEM with
 * nothing leaked (ASan checks), then the load succeeds. */
static void alloc_loop(xs_store *st, size_t want_lines)
{
    xs_snapshot *s = NULL;
    xs_error e;
    long n;
    for (n = 0; n < 10000; n++) {
        xs__alloc_fail_after(n);
        int rc = xs_snapshot_load(st, &s, &e);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) break;
        CHECK_INT(rc, XS_ENOMEM);
        CHECK(s == NULL);
        CHECK_STR(e.message, "out of memory loading the snapshot");
    }
    CHECK(n > 30); /* many allocation points were exercised */
    CHECK(s != NULL);
    CHECK_INT(xs_snapshot_count(s, XS_SNAP_ORDER_LINES), want_lines);
    xs_snapshot_free(s);
    /* and the store still loads afterwards (no transaction left open) */
    s = load_ok(st);
    CHECK_INT(xs_snapshot_count(s, XS_SNAP_OFFERS), 4);
    xs_snapshot_free(s);
}

static void test_alloc_failures(void)
{
    xs_store *st = new_store();
    exec(st, small_sql);
    alloc_loop(st, 6);
    /* orders out of key order: the hash-table path of order ids */
    exec(st, "CREATE TABLE o2 AS SELECT * FROM orders; DROP TABLE orders;"
             " CREATE TABLE orders(order_id TEXT, customer_id TEXT, date TEXT,"
             " product_id TEXT, quantity INTEGER, amount INTEGER, attrs TEXT);"
             " INSERT INTO orders SELECT * FROM o2 ORDER BY product_id, order_id DESC;"
             " DROP TABLE o2");
    alloc_loop(st, 6);
    xs_snapshot *s = load_ok(st);
    if (s) {
        CHECK_INT(s->ord.n, 5);
        CHECK_STR(xs__snapshot_order_id(s, 1), "O1");
        CHECK_INT(s->ord.line_off[2], 3);
        CHECK_INT(s->ord.product[1], 0);
        CHECK_INT(s->ord.product[2], 4);
    }
    xs_snapshot_free(s);
    close_store(st);
}

static void test_schema_version(void)
{
    xs_store *st = new_store();
    char want[600];
    exec(st,
         "INSERT INTO schema_migrations(version, applied_at) VALUES (99, '2030-01-01')");
    size_t n_migrations;
    const xs__store_migration *m = xs__store_migrations(&n_migrations);
    int current = m[n_migrations - 1].version; /* the last migration's */
    snprintf(want, sizeof want,
             "%s: store schema version 99, this xsell reads version %d (the file comes "
             "from a newer xsell)",
             db_path, current);
    CHECK_STR(load_fails(st, XS_ESCHEMA), want);
    exec(st, "DELETE FROM schema_migrations");
    snprintf(want, sizeof want, "%s: not an xsell store: no schema version recorded",
             db_path);
    CHECK_STR(load_fails(st, XS_ESCHEMA), want);
    exec(st, "DROP TABLE schema_migrations");
    snprintf(want, sizeof want,
             "%s: not an xsell store: no such table: schema_migrations", db_path);
    CHECK_STR(load_fails(st, XS_ESCHEMA), want);
    close_store(st);

    /* the right version, but a table of another shape */
    st = new_store();
    exec(st, "DROP TABLE usage; CREATE TABLE usage(customer_id TEXT, product_id TEXT,"
             " amount REAL, date TEXT)");
    snprintf(want, sizeof want,
             "%s: table usage does not have the schema this xsell reads: no such column: "
             "metric",
             db_path);
    CHECK_STR(load_fails(st, XS_ESCHEMA), want);
    close_store(st);
}

static void test_bad_rows(void)
{
    char want[600];
    struct {
        const char *sql;
        int code;
        const char *msg;
    } cases[] = {
        {"INSERT INTO orders VALUES ('O9','C9','2024-01-01','book',1,100,NULL)",
         XS_ENOTFOUND,
         "orders.customer_id: unknown id \"C9\" (row with order_id \"O9\")"},
        {"INSERT INTO orders VALUES ('O9','C1','2024-01-01','nope',1,100,NULL)",
         XS_ENOTFOUND,
         "orders.product_id: unknown id \"nope\" (row with order_id \"O9\")"},
        {"INSERT INTO orders VALUES ('O9','C1','2024-01-01','book',1,100,NULL),"
         " ('O9','C2','2024-01-01','crm-pro',1,100,NULL)",
         XS_EPARSE,
         "orders.customer_id: order \"O9\" has lines with different customer_id values "
         "(\"C2\" differs from its first line)"},
        {"INSERT INTO orders VALUES ('O9','C1','2024-01-01','book',1,100,NULL),"
         " ('O9','C1','2024-01-02','crm-pro',1,100,NULL)",
         XS_EPARSE,
         "orders.date: order \"O9\" has lines with different date values "
         "(\"2024-01-02\" differs from its first line)"},
        /* lines of O8 apart: found again through the order-id hash table */
        {"INSERT INTO orders VALUES ('O8','C1','2024-01-01','book',1,100,NULL),"
         " ('O9','C2','2024-01-01','book',1,100,NULL),"
         " ('O8','C1','2024-01-01','addon-ai',1,100,NULL),"
         " ('O8','C2','2024-01-01','crm-pro',1,100,NULL)",
         XS_EPARSE,
         "orders.customer_id: order \"O8\" has lines with different customer_id values "
         "(\"C2\" differs from its first line)"},
        {"INSERT INTO orders VALUES ('O9','C1','2024-02-30','book',1,100,NULL)",
         XS_EPARSE, "orders.date: not a date: \"2024-02-30\" (row with order_id \"O9\")"},
        {"INSERT INTO orders VALUES ('O9','C1','2024-02-03','book',0,100,NULL)",
         XS_ERANGE,
         "orders.quantity: not a quantity in [1, 4294967295]: \"0\" (row with order_id "
         "\"O9\")"},
        {"INSERT INTO subscriptions VALUES "
         "('C2','book',1,100,'2024-01-01',NULL,'week',NULL,"
         "NULL)",
         XS_ERANGE,
         "subscriptions.term: not a number of months in [1, 120]: \"week\" (row with "
         "customer_id \"C2\")"},
        {"INSERT INTO subscriptions VALUES "
         "('C2','book',1,100,'2024-01-01',NULL,0,NULL,NULL)",
         XS_ERANGE,
         "subscriptions.term: not a number of months in [1, 120]: \"0\" (row with "
         "customer_id \"C2\")"},
        {"INSERT INTO subscriptions VALUES "
         "('C2','book',1,100,'2024-01-01',NULL,121,NULL,NULL)",
         XS_ERANGE,
         "subscriptions.term: not a number of months in [1, 120]: \"121\" (row with "
         "customer_id \"C2\")"},
        {"INSERT INTO events VALUES ('C2','2024-01-01','nps',NULL,'x',NULL),"
         " ('C4','2024-01-01','nps',NULL,'',NULL)",
         XS_ENOTFOUND,
         "events.customer_id: unknown id \"C4\" (row with customer_id \"C4\")"},
        {"INSERT INTO offers VALUES "
         "('F9','C1','book','upsell','fax','2024-01-01','pending',"
         "NULL,NULL,NULL)",
         XS_EPARSE, "offers.channel: unknown value \"fax\" (row with offer_id \"F9\")"},
        {"UPDATE products SET tier = 0 WHERE product_id = 'crm-pro'", XS_ERANGE,
         "products.tier: not a tier in [1, 65535]: \"0\" (row with product_id "
         "\"crm-pro\")"},
    };
    for (size_t i = 0; i < XS_N(cases); i++) {
        xs_store *st = new_store();
        exec(st, small_sql);
        exec(st, cases[i].sql);
        snprintf(want, sizeof want, "%s: %s", db_path, cases[i].msg);
        CHECK_STR(load_fails(st, cases[i].code), want);
        close_store(st);
    }
}

/* ---------------------------------------------------------------------- */
/* A random store against brute force                                     */
/* ---------------------------------------------------------------------- */

/* A row rebuilt from the snapshot or read back with SQL, as one string. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct rows {
    char **v;
    size_t n, cap;
} rows;

static void rows_add(rows *r, const char *s)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n++] = strdup(s);
}

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* Every row of a query, columns joined by '|', sorted. */
static void sql_rows(xs_store *st, const char *sql, rows *out)
{
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_prepare_v2(st->db, sql, -1, &q, NULL), SQLITE_OK);
    char buf[1024];
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t o = 0;
        for (int k = 0; k < sqlite3_column_count(q); k++) {
            const char *t = (const char *)sqlite3_column_text(q, k);
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", k ? "|" : "",
                                  t ? t : "");
        }
        rows_add(out, buf);
    }
    sqlite3_finalize(q);
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
}

static void check_same(rows *a, rows *b, const char *what)
{
    CHECK_INT(a->n, b->n);
    size_t n = a->n < b->n ? a->n : b->n, bad = 0;
    for (size_t i = 0; i < n && bad < 3; i++) {
        if (strcmp(a->v[i], b->v[i])) {
            fprintf(stderr, "%s row %zu: \"%s\" vs \"%s\"\n", what, i, a->v[i], b->v[i]);
            bad++;
        }
    }
    CHECK_INT(bad, 0);
}

/* CSR index off (n_cust + 1) over a table whose customer column is cust:
 * must partition the rows exactly as a scan does. */
static void check_csr(const xs_snapshot *s, const uint32_t *off, const uint32_t *cust,
                      size_t n)
{
    size_t nc = s->cust.n;
    CHECK_INT(off[0], 0);
    CHECK_INT(off[nc], n);
    for (size_t c = 0; c < nc; c++) {
        size_t brute = 0;
        for (size_t i = 0; i < n; i++)
            brute += cust[i] == c;
        CHECK_INT(off[c + 1] - off[c], brute);
        for (size_t i = off[c]; i < off[c + 1]; i++)
            CHECK_INT(cust[i], c);
    }
}

/* rowid_orders: the orders table is replaced by a rowid table of the same
 * columns and its lines inserted shuffled, so that the loader sees order
 * ids out of order and lines of one order apart (its hash-table path). */
#define SAME_COL(a, b, col, n)                                                           \
    CHECK(memcmp((a)->col, (b)->col, (n) * sizeof *(a)->col) == 0)

/* Orders and usage loaded on a second connection beside the other tables
 * (xs__snapshot_load_side from 0 customers) give the snapshot s loaded on
 * one: every orders and usage column, the metric codes, the customers'
 * offsets, the latest date, the byte count. */
static void same_side_load(xs_store *st, const xs_snapshot *s)
{
    xs_snapshot *t = NULL;
    xs_error e;
    CHECK_INT(xs__snapshot_load_side(st, 0, &t, &e), XS_OK);
    if (!t) return;
    const xs__snapshot_orders *a = &s->ord, *b = &t->ord;
    CHECK_INT(b->n, a->n);
    CHECK_INT(b->n_lines, a->n_lines);
    CHECK_INT(b->n_id_chars, a->n_id_chars);
    if (a->n == b->n && a->n_lines == b->n_lines && a->n_id_chars == b->n_id_chars) {
        SAME_COL(a, b, customer, a->n);
        SAME_COL(a, b, date, a->n);
        SAME_COL(a, b, id_off, a->n);
        SAME_COL(a, b, id_chars, a->n_id_chars);
        SAME_COL(a, b, line_off, a->n + 1);
        SAME_COL(a, b, product, a->n_lines);
        SAME_COL(a, b, quantity, a->n_lines);
        SAME_COL(a, b, amount, a->n_lines);
    }
    CHECK_INT(t->cust.n, s->cust.n);
    if (t->cust.n == s->cust.n) {
        SAME_COL(&s->cust, &t->cust, order_off, s->cust.n + 1);
        SAME_COL(&s->cust, &t->cust, sub_off, s->cust.n + 1);
        SAME_COL(&s->cust, &t->cust, event_off, s->cust.n + 1);
        SAME_COL(&s->cust, &t->cust, usage_off, s->cust.n + 1);
    }
    const xs__snapshot_usage *ua = &s->use, *ub = &t->use;
    CHECK_INT(ub->n, ua->n);
    if (ua->n == ub->n) {
        SAME_COL(ua, ub, customer, ua->n);
        SAME_COL(ua, ub, product, ua->n);
        SAME_COL(ua, ub, metric, ua->n);
        SAME_COL(ua, ub, date, ua->n);
        SAME_COL(ua, ub, value, ua->n);
    }
    CHECK_INT(t->dict.metrics.n, s->dict.metrics.n);
    for (uint32_t k = 0; k < s->dict.metrics.n && k < t->dict.metrics.n; k++)
        CHECK_STR(id_of(&t->dict.metrics, k), id_of(&s->dict.metrics, k));
    CHECK_INT(t->sub.n, s->sub.n);
    CHECK_INT(t->ev.n, s->ev.n);
    CHECK_INT(t->last_date, s->last_date);
    CHECK_INT(t->bytes, s->bytes);
    CHECK_INT(xs_snapshot_bytes(t), xs_snapshot_bytes(s));
    xs_snapshot_free(t);
}

/* Ids of over 16 bytes, which the loader looks up without its cache of
 * short ones: every customer and product id made longer, in the same
 * order (foreign keys are not enforced). */
static void lengthen_ids(xs_store *st)
{
    static const char *const cust[] = {"customers", "orders", "subscriptions", "usage",
                                       "events", "offers"};
    static const char *const prod[] = {"products", "orders", "subscriptions", "usage",
                                       "offers"};
    char sql[256];
    for (size_t i = 0; i < XS_N(cust); i++) {
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET customer_id = 'a-customer-of-long-id-' || customer_id",
                 cust[i]);
        exec(st, sql);
    }
    for (size_t i = 0; i < XS_N(prod); i++) {
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET product_id = 'a-product-of-long-id-' || product_id", prod[i]);
        exec(st, sql);
    }
}

static void random_store(int rowid_orders, int long_ids)
{
    xs_store *st = new_store();
    xs__rng rng;
    xs__rng_seed(&rng, 7);
    char sql[512];
    rows lines = {0};
    if (rowid_orders)
        exec(
            st,
            "DROP TABLE orders; CREATE TABLE orders(order_id TEXT, customer_id TEXT,"
            " date TEXT, product_id TEXT, quantity INTEGER, amount INTEGER, attrs TEXT)");
    exec(st, "BEGIN");
    const int n_cust = 40, n_prod = 12;
    for (int c = 0; c < n_cust; c++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO customers(customer_id, segment, signup_date) VALUES"
                 " ('cust%d', 'seg%d', '2023-%02d-01')",
                 (c * 17) % n_cust, c % 3, 1 + c % 12);
        exec(st, sql);
    }
    for (int p = 0; p < n_prod; p++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO products(product_id, family, tier, kind, price, billing)"
                 " VALUES ('p%02d', 'f%d', %d, 'plan', %d, 'month')",
                 p, p % 3, 1 + p / 3, 100 * (p + 1));
        exec(st, sql);
    }
    /* orders: random customers and dates, 1-4 lines of distinct products */
    for (int o = 0; o < 300; o++) {
        int c = (int)xs__rng_below(&rng, (uint64_t)n_cust);
        int d = 1 + (int)xs__rng_below(&rng, 28), m = 1 + (int)xs__rng_below(&rng, 12);
        int nl = 1 + (int)xs__rng_below(&rng, 4), first = (int)xs__rng_below(&rng, 12);
        for (int l = 0; l < nl; l++) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO orders VALUES ('ord%d', 'cust%d', '2024-%02d-%02d',"
                     " 'p%02d', %d, %d, NULL)",
                     (o * 7919) % 1000, c, m, d, (first + l * 5) % n_prod, 1 + l,
                     (int)xs__rng_below(&rng, 10000) - 100);
            rows_add(&lines, sql);
        }
    }
    for (size_t i = 0; rowid_orders && i + 1 < lines.n; i++) {
        size_t j = i + (size_t)xs__rng_below(&rng, lines.n - i);
        char *t = lines.v[i];
        lines.v[i] = lines.v[j];
        lines.v[j] = t;
    }
    for (size_t i = 0; i < lines.n; i++)
        exec(st, lines.v[i]);
    rows_free(&lines);
    for (int i = 0; i < 200; i++) {
        int c = (int)xs__rng_below(&rng, (uint64_t)n_cust),
            p = (int)xs__rng_below(&rng, 12);
        int m = 1 + (int)xs__rng_below(&rng, 12);
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO subscriptions VALUES ('cust%d','p%02d',%d,%d,"
                 "'2023-%02d-01',%s,1,NULL,NULL)",
                 c, p, 1 + i % 5, 100 * p, m, i % 3 ? "NULL" : "'2024-12-31'");
        exec(st, sql);
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO usage VALUES ('cust%d','p%02d','%s',%d.5,"
                 "'2024-%02d-01',NULL)",
                 c, p, i % 2 ? "seats" : "logins", i, m);
        exec(st, sql);
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO events VALUES ('cust%d','2024-%02d-%02d','%s',%d,"
                 "'r%d',NULL)",
                 c, m, 1 + i % 28, i % 3 ? "login" : "meeting", i, i % 4);
        exec(st, sql);
        snprintf(sql, sizeof sql,
                 "INSERT INTO offers VALUES ('off%03d','cust%d','p%02d','upsell','email',"
                 "'2024-%02d-%02d','pending',NULL,%d,NULL)",
                 (i * 37) % 1000, c, p, m, 1 + i % 28, i);
        exec(st, sql);
    }
    if (long_ids) lengthen_ids(st);
    exec(st, "COMMIT");
    xs_snapshot *s = load_ok(st);
    if (!s) goto done;
    same_side_load(st, s);
    const xs__snapshot_orders *o = &s->ord;
    rows a = {0}, b = {0};
    char buf[512], date[11];

    /* orders: every line rebuilt from the columns equals the table */
    for (uint32_t k = 0; k < o->n; k++) {
        for (uint32_t l = o->line_off[k]; l < o->line_off[k + 1]; l++) {
            xs__date_format(o->date[k], date);
            snprintf(buf, sizeof buf, "%s|%s|%s|%s|%u|%lld", xs__snapshot_order_id(s, k),
                     id_of(&s->cust.ids, o->customer[k]), date,
                     id_of(&s->prod.ids, o->product[l]), o->quantity[l],
                     (long long)o->amount[l]);
            rows_add(&a, buf);
        }
    }
    sql_rows(
        st,
        "SELECT order_id, customer_id, date, product_id, quantity, amount FROM orders",
        &b);
    qsort(a.v, a.n, sizeof *a.v, cmp_str);
    check_same(&a, &b, "orders");
    rows_free(&a);
    rows_free(&b);
    check_csr(s, s->cust.order_off, o->customer, o->n);
    /* sorted: customer, date, id; lines by product; one order per id */
    for (uint32_t k = 1; k < o->n; k++) {
        int ordered =
            o->customer[k - 1] < o->customer[k] ||
            (o->customer[k - 1] == o->customer[k] &&
             (o->date[k - 1] < o->date[k] ||
              (o->date[k - 1] == o->date[k] && strcmp(xs__snapshot_order_id(s, k - 1),
                                                      xs__snapshot_order_id(s, k)) < 0)));
        CHECK(ordered);
    }
    for (uint32_t k = 0; k < o->n; k++)
        for (uint32_t l = o->line_off[k] + 1; l < o->line_off[k + 1]; l++)
            CHECK(o->product[l - 1] < o->product[l]);
    sql_rows(st, "SELECT DISTINCT order_id FROM orders", &b);
    CHECK_INT(o->n, b.n);
    rows_free(&b);

    /* subscriptions */
    const xs__snapshot_subscriptions *u = &s->sub;
    for (size_t i = 0; i < u->n; i++) {
        char end[11] = "";
        xs__date_format(u->start[i], date);
        if (u->end[i] != XS_SNAP_NO_DATE) xs__date_format(u->end[i], end);
        snprintf(buf, sizeof buf, "%s|%s|%u|%lld|%s|%s",
                 id_of(&s->cust.ids, u->customer[i]), id_of(&s->prod.ids, u->product[i]),
                 u->quantity[i], (long long)u->unit_price[i], date, end);
        rows_add(&a, buf);
        if (i && u->customer[i - 1] == u->customer[i])
            CHECK(u->start[i - 1] <= u->start[i]);
    }
    qsort(a.v, a.n, sizeof *a.v, cmp_str);
    sql_rows(st,
             "SELECT customer_id, product_id, quantity, unit_price, start_date, end_date"
             " FROM subscriptions",
             &b);
    check_same(&a, &b, "subscriptions");
    rows_free(&a);
    rows_free(&b);
    check_csr(s, s->cust.sub_off, u->customer, u->n);

    /* usage */
    const xs__snapshot_usage *g = &s->use;
    for (size_t i = 0; i < g->n; i++) {
        xs__date_format(g->date[i], date);
        snprintf(buf, sizeof buf, "%s|%s|%s|%.1f|%s", id_of(&s->cust.ids, g->customer[i]),
                 id_of(&s->prod.ids, g->product[i]),
                 id_of(&s->dict.metrics, g->metric[i]), g->value[i], date);
        rows_add(&a, buf);
    }
    qsort(a.v, a.n, sizeof *a.v, cmp_str);
    sql_rows(st, "SELECT customer_id, product_id, metric, value, date FROM usage", &b);
    check_same(&a, &b, "usage");
    rows_free(&a);
    rows_free(&b);
    check_csr(s, s->cust.usage_off, g->customer, g->n);

    /* events */
    const xs__snapshot_events *e = &s->ev;
    for (size_t i = 0; i < e->n; i++) {
        xs__date_format(e->date[i], date);
        snprintf(buf, sizeof buf, "%s|%s|%s|%.1f|%s", id_of(&s->cust.ids, e->customer[i]),
                 date, id_of(&s->dict.event_types, e->type[i]), e->value[i],
                 id_of(&s->dict.refs, e->ref[i]));
        rows_add(&a, buf);
        if (i && e->customer[i - 1] == e->customer[i])
            CHECK(e->date[i - 1] <= e->date[i]);
    }
    qsort(a.v, a.n, sizeof *a.v, cmp_str);
    sql_rows(st, "SELECT customer_id, date, type, value, ref FROM events", &b);
    check_same(&a, &b, "events");
    rows_free(&a);
    rows_free(&b);
    check_csr(s, s->cust.event_off, e->customer, e->n);

    /* offers */
    const xs__snapshot_offers *f = &s->off;
    for (size_t i = 0; i < f->n; i++) {
        xs__date_format(f->sent[i], date);
        snprintf(buf, sizeof buf, "%s|%s|%s|%s|%lld", id_of(&f->ids, f->id[i]),
                 id_of(&s->cust.ids, f->customer[i]), id_of(&s->prod.ids, f->product[i]),
                 date, (long long)f->revenue_delta[i]);
        rows_add(&a, buf);
        if (i && f->customer[i - 1] == f->customer[i])
            CHECK(f->sent[i - 1] <= f->sent[i]);
    }
    qsort(a.v, a.n, sizeof *a.v, cmp_str);
    sql_rows(
        st,
        "SELECT offer_id, customer_id, product_id, sent_at, revenue_delta FROM offers",
        &b);
    check_same(&a, &b, "offers");
    rows_free(&a);
    rows_free(&b);
    check_csr(s, s->cust.offer_off, f->customer, f->n);

    /* customers: interning of segments against a scan */
    for (size_t c = 0; c < s->cust.n; c++) {
        snprintf(buf, sizeof buf, "%s|%s", id_of(&s->cust.ids, (uint32_t)c),
                 xs__snapshot_dict_str(&s->dict.segments, s->cust.segment[c]));
        rows_add(&a, buf);
        if (c)
            CHECK(strcmp(id_of(&s->cust.ids, (uint32_t)c - 1),
                         id_of(&s->cust.ids, (uint32_t)c)) < 0);
    }
    qsort(a.v, a.n, sizeof *a.v, cmp_str);
    sql_rows(st, "SELECT customer_id, segment FROM customers", &b);
    check_same(&a, &b, "customers");
    rows_free(&a);
    rows_free(&b);
    CHECK_INT(s->dict.segments.n, 3);

    /* revenue and MRR against SQL */
    sqlite3_stmt *q;
    sqlite3_prepare_v2(st->db, "SELECT sum(amount) FROM orders", -1, &q, NULL);
    sqlite3_step(q);
    CHECK_INT(xs_snapshot_order_revenue(s), sqlite3_column_int64(q, 0));
    sqlite3_finalize(q);
    sqlite3_prepare_v2(st->db,
                       "SELECT sum(quantity * unit_price), count(*) FROM subscriptions"
                       " WHERE end_date IS NULL",
                       -1, &q, NULL);
    sqlite3_step(q);
    size_t n_active;
    CHECK_INT(xs_snapshot_mrr(s, &n_active), sqlite3_column_int64(q, 0));
    CHECK_INT(n_active, sqlite3_column_int64(q, 1));
    sqlite3_finalize(q);
done:
    xs_snapshot_free(s);
    close_store(st);
}

static void test_random_store(void)
{
    random_store(0, 0);
}

static void test_random_store_unordered(void)
{
    random_store(1, 0);
}

/* The same with ids of over 16 bytes (the loader's other way to them). */
static void test_random_store_long_ids(void)
{
    random_store(0, 1);
    random_store(1, 1);
}

/* The product formulas of snapshot.h against decimal references: the
 * monthly list price is the price text read as a number (one correctly
 * rounded division), a year's / 12, a one-off's 0; a missing limit is NaN. */
static void test_product_formulas(void)
{
    enum { N = 3 };
    int64_t price[N] = {0};
    uint8_t billing[N] = {XS_SNAP_BILL_MONTH, XS_SNAP_BILL_YEAR, XS_SNAP_BILL_ONCE};
    uint32_t limit_off[N + 1] = {0, 2, 2, 2};
    uint16_t limit_name[2] = {3, 5};
    double limit_value[2] = {100, 2.5};
    struct xs_snapshot s;
    memset(&s, 0, sizeof s);
    s.prod.n = N;
    s.prod.price = price;
    s.prod.billing = billing;
    s.prod.limit_off = limit_off;
    s.prod.limit_name = limit_name;
    s.prod.limit_value = limit_value;
    for (int scale = 0; scale <= 3; scale++) {
        s.money_scale = scale;
        int bad = 0;
        for (int64_t v = 0; v < 200000; v += 7) {
            char text[40];
            long long whole = (long long)v, div = 1;
            for (int i = 0; i < scale; i++)
                div *= 10;
            snprintf(text, sizeof text, "%lld.%0*lld", whole / div, scale, whole % div);
            double want = strtod(text, NULL);
            price[0] = price[1] = price[2] = v;
            bad += xs__snapshot_prod_monthly(&s, 0) != want;
            bad += xs__snapshot_prod_monthly(&s, 1) != want / 12;
            bad += xs__snapshot_prod_monthly(&s, 2) != 0;
        }
        CHECK_INT(bad, 0);
    }
    s.money_scale = 2;
    price[0] = 1999;
    price[1] = 120000;
    CHECK(xs__snapshot_prod_monthly(&s, 0) == 19.99);
    CHECK(xs__snapshot_prod_monthly(&s, 1) == 100);
    CHECK(xs__snapshot_money_div(&s) == 100);
    CHECK(xs__snapshot_prod_limit(&s, 0, 3) == 100);
    CHECK(xs__snapshot_prod_limit(&s, 0, 5) == 2.5);
    CHECK(isnan(xs__snapshot_prod_limit(&s, 0, 4)));
    CHECK(isnan(xs__snapshot_prod_limit(&s, 1, 3)));
}

static const xs_test tests[] = {
    {"customers", test_customers},
    {"products", test_products},
    {"subscriptions", test_subscriptions},
    {"subscription_formulas", test_subscription_formulas},
    {"product_formulas", test_product_formulas},
    {"orders", test_orders},
    {"usage_events_offers", test_usage_events_offers},
    {"counts_and_bytes", test_counts_and_bytes},
    {"reports", test_reports},
    {"limits", test_limits},
    {"empty", test_empty},
    {"alloc_failures", test_alloc_failures},
    {"schema_version", test_schema_version},
    {"bad_rows", test_bad_rows},
    {"random_store", test_random_store},
    {"random_store_unordered", test_random_store_unordered},
    {"random_store_long_ids", test_random_store_long_ids},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
