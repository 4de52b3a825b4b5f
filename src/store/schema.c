/*
 * schema.c — the store schema: the list of migrations (version → SQL) and
 * the definition of each table (columns in file order, key, kinds).
 *
 * sqlite.c applies the migrations a file lacks, in order, each in its own
 * transaction, recording them in schema_migrations. A released migration is
 * never edited: a later change appends a new version (ALTER TABLE ...,
 * CREATE INDEX ...), so files written by older builds upgrade in place and
 * files written by newer builds are refused (XS_ESCHEMA).
 *
 * The table definitions below must agree with the CREATE TABLE statements of
 * the migrations; tests/unit/test_store.c checks them against
 * PRAGMA table_info of a freshly created store (tests/unit/test_store_pg.c
 * against PostgreSQL's information_schema).
 *
 * The migrations are SQLite's text; PostgreSQL runs the same list, each
 * step's DDL translated by dialect.c (types, no WITHOUT ROWID), or the
 * step's own pg_sql when it cannot be translated (version 5).
 */
#include "store/db.h"
#include "store/store_int.h"

#include <string.h>

/* ---------------------------------------------------------------------- */
/* Migrations                                                             */
/* ---------------------------------------------------------------------- */

/* Version 1: the tables of docs/data-model.md. Each table is WITHOUT ROWID
 * with its upsert key as PRIMARY KEY: rows are stored in key order (a scan
 * is a key-order read), there is no separate unique index to maintain, and
 * inserting rows that arrive in key order touches only the rightmost pages.
 * (Measured on a million orders: cheaper than a rowid table plus a unique
 * index built after the load.) */
static const char schema_v1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)"
    " WITHOUT ROWID;\n"
    "CREATE TABLE customers(customer_id TEXT PRIMARY KEY NOT NULL, name TEXT,"
    " segment TEXT, industry TEXT, size TEXT, region TEXT,"
    " signup_date TEXT NOT NULL, consent_email INTEGER NOT NULL DEFAULT 0,"
    " consent_in_app INTEGER NOT NULL DEFAULT 0,"
    " consent_csm INTEGER NOT NULL DEFAULT 0,"
    " consent_webinar INTEGER NOT NULL DEFAULT 0,"
    " consent_sns INTEGER NOT NULL DEFAULT 0, owner TEXT, contact_name TEXT,"
    " contact_email TEXT, attrs TEXT) WITHOUT ROWID;\n"
    "CREATE TABLE products(product_id TEXT PRIMARY KEY NOT NULL, name TEXT,"
    " family TEXT, tier INTEGER, kind TEXT NOT NULL, price INTEGER NOT NULL,"
    " billing TEXT NOT NULL, limits TEXT, category TEXT, attrs TEXT)"
    " WITHOUT ROWID;\n"
    "CREATE TABLE subscriptions(customer_id TEXT NOT NULL,"
    " product_id TEXT NOT NULL, quantity INTEGER NOT NULL,"
    " unit_price INTEGER NOT NULL, start_date TEXT NOT NULL, end_date TEXT,"
    " term TEXT NOT NULL, renewal_date TEXT, attrs TEXT,"
    " PRIMARY KEY(customer_id, product_id, start_date)) WITHOUT ROWID;\n"
    "CREATE TABLE orders(order_id TEXT NOT NULL, customer_id TEXT NOT NULL,"
    " date TEXT NOT NULL, product_id TEXT NOT NULL, quantity INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, attrs TEXT, PRIMARY KEY(order_id, product_id))"
    " WITHOUT ROWID;\n"
    "CREATE TABLE usage(customer_id TEXT NOT NULL, product_id TEXT NOT NULL,"
    " metric TEXT NOT NULL, value REAL NOT NULL, date TEXT NOT NULL,"
    " attrs TEXT, PRIMARY KEY(customer_id, product_id, metric, date))"
    " WITHOUT ROWID;\n"
    "CREATE TABLE events(customer_id TEXT NOT NULL, date TEXT NOT NULL,"
    " type TEXT NOT NULL, value REAL, ref TEXT NOT NULL DEFAULT '',"
    " attrs TEXT, PRIMARY KEY(customer_id, date, type, ref)) WITHOUT ROWID;\n"
    "CREATE TABLE offers(offer_id TEXT PRIMARY KEY NOT NULL,"
    " customer_id TEXT NOT NULL, product_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " channel TEXT NOT NULL, sent_at TEXT NOT NULL, outcome TEXT NOT NULL,"
    " outcome_at TEXT, revenue_delta INTEGER, attrs TEXT) WITHOUT ROWID;\n"
    "CREATE INDEX offers_customer ON offers(customer_id, sent_at);\n";

/* Version 2: API keys of `xsell serve` (src/store/apikeys.c). A key is
 * stored only as SHA-256(salt || secret); key_id is the public part of the
 * key, scope one of read | write | admin, revoked_at set once revoked. */
static const char schema_v2[] =
    "CREATE TABLE api_keys(key_id TEXT PRIMARY KEY, hash BLOB NOT NULL, salt BLOB,"
    " scope TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT, note TEXT);\n";

/* Version 3: what `xsell build` stores for the decisions
 * (src/store/offers_log.c): one row per build — when it ran (built_at, UTC
 * timestamp), the day its models are as of, and the fitted propensity
 * model as text (docs/offers.md, "Build"). The latest build_id wins. */
static const char schema_v3[] =
    "CREATE TABLE builds(build_id INTEGER PRIMARY KEY, built_at TEXT NOT NULL,"
    " as_of TEXT NOT NULL, model TEXT NOT NULL);\n";

/* Version 4: holdout experiments (src/store/experiments.c,
 * docs/experiments.md): kind is a data-model offer kind, split the arms
 * spec, start_date / end_date days (end_date NULL while running). */
static const char schema_v4[] =
    "CREATE TABLE experiments(name TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL,"
    " split TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT,"
    " created_at TEXT NOT NULL) WITHOUT ROWID;\n";

/* Version 5: subscription terms of any number of months. term becomes
 * INTEGER months (1 to 120; docs/data-model.md): 'month' -> 1,
 * 'quarter' -> 3, 'year' -> 12. SQLite cannot change a column's type, so
 * the table is rebuilt (new table, copy, drop, rename) with the same
 * columns, primary key and WITHOUT ROWID. Version 4 only accepted month and
 * year; anything else (written around the importer) is copied as it was and
 * the snapshot loader reports it. */
static const char schema_v5[] =
    "CREATE TABLE subscriptions_v5(customer_id TEXT NOT NULL,"
    " product_id TEXT NOT NULL, quantity INTEGER NOT NULL,"
    " unit_price INTEGER NOT NULL, start_date TEXT NOT NULL, end_date TEXT,"
    " term INTEGER NOT NULL, renewal_date TEXT, attrs TEXT,"
    " PRIMARY KEY(customer_id, product_id, start_date)) WITHOUT ROWID;\n"
    "INSERT INTO subscriptions_v5 SELECT customer_id, product_id, quantity,"
    " unit_price, start_date, end_date,"
    " CASE term WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12"
    " ELSE term END, renewal_date, attrs FROM subscriptions;\n"
    "DROP TABLE subscriptions;\n"
    "ALTER TABLE subscriptions_v5 RENAME TO subscriptions;\n";
/* PostgreSQL changes the column's type in place (there is no text term
 * a PostgreSQL store could hold: it was created after version 5). */
static const char schema_v5_pg[] =
    "ALTER TABLE subscriptions ALTER COLUMN term TYPE BIGINT USING CASE term"
    " WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12"
    " ELSE CAST(term AS BIGINT) END;\n";

/* Version 6: what a flat order log (`xsell import ... transactions`) holds
 * besides orders: returns and cancellations (positive quantity and amount
 * of what came back, the customer empty when unknown) and order lines
 * without a customer, kept as baskets for co-purchase mining only. */
static const char schema_v6[] =
    "CREATE TABLE returns(return_id TEXT NOT NULL, product_id TEXT NOT NULL,"
    " customer_id TEXT, date TEXT NOT NULL, quantity INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, attrs TEXT, PRIMARY KEY(return_id, product_id))"
    " WITHOUT ROWID;\n"
    "CREATE TABLE anonymous_orders(order_id TEXT NOT NULL, product_id TEXT NOT NULL,"
    " date TEXT NOT NULL, quantity INTEGER NOT NULL, amount INTEGER NOT NULL,"
    " attrs TEXT, PRIMARY KEY(order_id, product_id)) WITHOUT ROWID;\n";

/* Version 7: churn risk from outside (docs/offers.md, "Churn risk"): one
 * imported P(churn) per customer, the day it was scored (optional), and
 * the churn model attached to a build (`xsell build --churn-model`): its
 * file name, SHA-256 and the model file's bytes, so the store keeps
 * deciding the same way when the file moves or changes. */
static const char schema_v7[] =
    "CREATE TABLE churn_scores(customer_id TEXT PRIMARY KEY NOT NULL,"
    " churn_risk REAL NOT NULL, scored_at TEXT, attrs TEXT) WITHOUT ROWID;\n"
    "ALTER TABLE builds ADD COLUMN churn_model_name TEXT;\n"
    "ALTER TABLE builds ADD COLUMN churn_model_sha256 TEXT;\n"
    "ALTER TABLE builds ADD COLUMN churn_model TEXT;\n";

/* Version 8: every decision of the offer engine with its propensity
 * (src/store/decisions.c, docs/replay.md): one row per slot of one customer
 * on one day — who decided (source: cli | serve), how the choice was made
 * (how: greedy | explore | control), the index of the chosen candidate (-1:
 * no offer), the probability with which the policy made that choice, the
 * offers row it became (NULL when nothing was offered), the candidates as
 * a JSON array (what replay needs to re-decide under another
 * configuration) and the policy settings. replays keeps the `xsell replay
 * --save` results that GET /v1/replays serves. */
static const char schema_v8[] =
    "CREATE TABLE decisions(decision_id INTEGER PRIMARY KEY,"
    " customer_id TEXT NOT NULL, decided_at TEXT NOT NULL, slot INTEGER NOT NULL,"
    " source TEXT NOT NULL, how TEXT NOT NULL, chosen INTEGER NOT NULL,"
    " propensity REAL, offer_id TEXT, candidates TEXT NOT NULL, policy TEXT);\n"
    "CREATE INDEX decisions_day ON decisions(decided_at);\n"
    "CREATE TABLE replays(replay_id INTEGER PRIMARY KEY, ran_at TEXT NOT NULL,"
    " policy TEXT NOT NULL, from_day TEXT, to_day TEXT, result TEXT NOT NULL);\n";

/* Version 9: the global plan under capacity that `xsell build --capacity`
 * stores (src/store/plans.c, docs/plan.md): one row for the latest plan
 * (its capacity spec, as-of day and a JSON summary of totals and
 * constraints with their shadow prices) and each planned customer's
 * assignment as a JSON array, read by GET /v1/plan. */
static const char schema_v9[] =
    "CREATE TABLE plans(plan_id INTEGER PRIMARY KEY, built_at TEXT NOT NULL,"
    " as_of TEXT NOT NULL, capacity TEXT NOT NULL, summary TEXT NOT NULL);\n"
    "CREATE TABLE plan_assignments(customer_id TEXT PRIMARY KEY NOT NULL,"
    " assignment TEXT NOT NULL) WITHOUT ROWID;\n";

/* Version 10: webhooks (src/store/webhooks.c, docs/webhooks.md): the
 * subscribed URLs with their events and signing secret (removal keeps the
 * row, so the delivery log still names it), and one delivery row per event
 * and webhook, written in the same transaction as the change it reports
 * (an offer logged, an outcome recorded, a build stored) and worked off by
 * the sender with retries until delivered or given up. */
static const char schema_v10[] =
    "CREATE TABLE webhooks(webhook_id INTEGER PRIMARY KEY, url TEXT NOT NULL,"
    " events TEXT NOT NULL, secret TEXT NOT NULL, created_at TEXT NOT NULL,"
    " removed_at TEXT);\n"
    "CREATE TABLE webhook_deliveries(delivery_id INTEGER PRIMARY KEY,"
    " webhook_id INTEGER NOT NULL, event TEXT NOT NULL, payload TEXT NOT NULL,"
    " created_at TEXT NOT NULL, status TEXT NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_at TEXT,"
    " last_code INTEGER, last_error TEXT);\n"
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_at);\n";

/* Version 11: the audit log (src/store/audit.c, docs/api.md "Audit
 * log"): one row per action taken through the HTTP API that writes — when
 * (UTC timestamp), which API key (its key_id), the action, its target
 * (offer id, experiment name, webhook id...) and the state before and
 * after as small JSON objects. */
static const char schema_v11[] =
    "CREATE TABLE audit_log(audit_id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
    " key_id TEXT, action TEXT NOT NULL, target TEXT, before TEXT, after TEXT);\n";

static const xs__store_migration migrations[] = {
    {1, schema_v1, NULL},   {2, schema_v2, NULL},         {3, schema_v3, NULL},
    {4, schema_v4, NULL},   {5, schema_v5, schema_v5_pg}, {6, schema_v6, NULL},
    {7, schema_v7, NULL},   {8, schema_v8, NULL},         {9, schema_v9, NULL},
    {10, schema_v10, NULL}, {11, schema_v11, NULL},
};

const xs__store_migration *xs__store_migrations(size_t *n)
{
    *n = sizeof migrations / sizeof migrations[0];
    return migrations;
}

/* Secondary indexes (all but the primary keys), as the latest migration
 * leaves them. A bulk load into an empty table drops them first and builds
 * them once at the end, which is cheaper than keeping them up to date row by
 * row. On PostgreSQL the primary key goes too (pgbulk.c), and only when the
 * table's lock is free at once: dropping an index there locks the table
 * against its readers until the commit. */
static const struct {
    xs_table_id table;
    const char *drop, *create;
} secondary[] = {
    {XS_T_OFFERS, "DROP INDEX IF EXISTS offers_customer",
     "CREATE INDEX IF NOT EXISTS offers_customer ON offers(customer_id, sent_at)"},
};

static int run_index_sql(xs_store *st, xs_table_id t, int create, xs_error *err)
{
    int n = 0;
    if (st->pg) {
        const xs__store_table_schema *d = xs__store_table_def(t);
        if (!d) return 0;
        /* the key first: it takes the lock, or nothing is dropped */
        n = create ? xs__store_pg_bulk_add_key(st, err)
                   : xs__store_pg_bulk_drop_key(st, d->name, err);
        if (n <= 0) return n;
    }
    for (size_t i = 0; i < sizeof secondary / sizeof secondary[0]; i++) {
        if (secondary[i].table != t) continue;
        const char *sql = create ? secondary[i].create : secondary[i].drop;
        if (xs__store_db_exec(st, sql) != XS__DB_OK)
            return xs__store_dberr(st, create ? "creating an index" : "dropping an index",
                                   err);
        n++;
    }
    return n;
}

/* Contract in store_int.h / xsell.h. */
int xs__store_indexes_drop(xs_store *st, xs_table_id t, xs_error *err)
{
    return run_index_sql(st, t, 0, err);
}

/* Contract in store_int.h / xsell.h. */
int xs__store_indexes_create(xs_store *st, xs_table_id t, xs_error *err)
{
    return run_index_sql(st, t, 1, err);
}

/* ---------------------------------------------------------------------- */
/* Table definitions                                                      */
/* ---------------------------------------------------------------------- */

#define T XS__COL_TEXT
#define I XS__COL_INT
#define M XS__COL_MONEY
#define R XS__COL_REAL
#define A XS__COL_ATTRS

static const xs__store_column customers_cols[] = {
    {"customer_id", T},
    {"name", T},
    {"segment", T},
    {"industry", T},
    {"size", T},
    {"region", T},
    {"signup_date", T},
    {"consent_email", I},
    {"consent_in_app", I},
    {"consent_csm", I},
    {"consent_webinar", I},
    {"consent_sns", I},
    {"owner", T},
    {"contact_name", T},
    {"contact_email", T},
    {"attrs", A},
};
static const unsigned char customers_key[] = {0};

static const xs__store_column products_cols[] = {
    {"product_id", T}, {"name", T},    {"family", T}, {"tier", I},     {"kind", T},
    {"price", M},      {"billing", T}, {"limits", T}, {"category", T}, {"attrs", A},
};
static const unsigned char products_key[] = {0};

static const xs__store_column subscriptions_cols[] = {
    {"customer_id", T}, {"product_id", T},   {"quantity", I},
    {"unit_price", M},  {"start_date", T},   {"end_date", T},
    {"term", I},        {"renewal_date", T}, {"attrs", A},
};
static const unsigned char subscriptions_key[] = {0, 1, 4};

static const xs__store_column orders_cols[] = {
    {"order_id", T}, {"customer_id", T}, {"date", T},  {"product_id", T},
    {"quantity", I}, {"amount", M},      {"attrs", A},
};
static const unsigned char orders_key[] = {0, 3};

static const xs__store_column usage_cols[] = {
    {"customer_id", T}, {"product_id", T}, {"metric", T},
    {"value", R},       {"date", T},       {"attrs", A},
};
static const unsigned char usage_key[] = {0, 1, 2, 4};

static const xs__store_column events_cols[] = {
    {"customer_id", T}, {"date", T}, {"type", T}, {"value", R}, {"ref", T}, {"attrs", A},
};
static const unsigned char events_key[] = {0, 1, 2, 4};

static const xs__store_column offers_cols[] = {
    {"offer_id", T},      {"customer_id", T}, {"product_id", T}, {"kind", T},
    {"channel", T},       {"sent_at", T},     {"outcome", T},    {"outcome_at", T},
    {"revenue_delta", M}, {"attrs", A},
};
static const unsigned char offers_key[] = {0};

static const xs__store_column returns_cols[] = {
    {"return_id", T}, {"product_id", T}, {"customer_id", T}, {"date", T},
    {"quantity", I},  {"amount", M},     {"attrs", A},
};
static const unsigned char returns_key[] = {0, 1};

static const xs__store_column anonymous_orders_cols[] = {
    {"order_id", T}, {"product_id", T}, {"date", T},
    {"quantity", I}, {"amount", M},     {"attrs", A},
};
static const unsigned char anonymous_orders_key[] = {0, 1};

static const xs__store_column churn_scores_cols[] = {
    {"customer_id", T},
    {"churn_risk", R},
    {"scored_at", T},
    {"attrs", A},
};
static const unsigned char churn_scores_key[] = {0};

#undef T
#undef I
#undef M
#undef R
#undef A

#define DEF(name)                                                                        \
    {                                                                                    \
#name, name##_cols,                                                              \
            sizeof name##_cols / sizeof name##_cols[0], name##_key, sizeof name##_key    \
    }

static const xs__store_table_schema table_defs[XS_N_TABLES] = {
    DEF(customers),    DEF(products), DEF(subscriptions),
    DEF(orders),       DEF(usage),    DEF(events),
    DEF(offers),       DEF(returns),  DEF(anonymous_orders),
    DEF(churn_scores),
};

const xs__store_table_schema *xs__store_table_def(xs_table_id t)
{
    if ((int)t < 0 || t >= XS_N_TABLES) return NULL;
    return &table_defs[t];
}

const char *xs_table_name(xs_table_id t)
{
    const xs__store_table_schema *d = xs__store_table_def(t);
    return d ? d->name : NULL;
}

/* Contract in store_int.h / xsell.h. */
int xs_table_lookup(const char *name, xs_table_id *out)
{
    for (int i = 0; i < XS_N_TABLES; i++) {
        if (name && !strcmp(name, table_defs[i].name)) {
            *out = (xs_table_id)i;
            return XS_OK;
        }
    }
    return XS_ENOTFOUND;
}
