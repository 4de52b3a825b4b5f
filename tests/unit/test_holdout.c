/*
 * test_holdout.c — holdout experiments of offer strategies
 * (docs/experiments.md): the checks of a definition with their exact
 * messages, the days an experiment runs, the store's experiments table
 * (round trip, order, duplicate and overlap refusals, stop, the schema
 * upgrade to version 4), the offer engine's holdout guard against a
 * brute-force arm assignment on a generated company, and the report
 * (xs_exp_report) against a recount straight from the generated CSV files.
 *
 * One generated company (3000 customers, seed 7, 180 days of planted
 * holdouts) is shared by the engine and report tests; its files live in
 * /tmp/xs-test-holdout-PID and are removed at exit.
 */
#include "test.h"

#include "base/date.h"
#include "snapshot/snapshot.h"
#include "store/store_int.h"

#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

static char fmt_buf[1200];

/* The formatted error (one static buffer). */
static const char *msg(const xs_error *e)
{
    return xs_error_format(e, fmt_buf, sizeof fmt_buf);
}

/* An experiment from its fields (end NULL: running). */
static xs_experiment mk(const char *name, xs_offer_kind kind, const char *split,
                        const char *start, const char *end)
{
    xs_experiment x;
    memset(&x, 0, sizeof x);
    snprintf(x.name, sizeof x.name, "%s", name);
    x.kind = kind;
    snprintf(x.split, sizeof x.split, "%s", split);
    snprintf(x.start, sizeof x.start, "%s", start);
    snprintf(x.end, sizeof x.end, "%s", end ? end : "");
    return x;
}

/* day + n as "YYYY-MM-DD" into out. */
static const char *day_add(const char *day, int n, char out[11])
{
    int32_t d = 0;
    if (xs__date_parse(day, 10, &d) < 0) {
        snprintf(out, 11, "bad");
        return out;
    }
    xs__date_format(d + n, out);
    return out;
}

static void remove_db(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* ---------------------------------------------------------------------- */
/* 1. Checking a definition; the days it runs                            */
/* ---------------------------------------------------------------------- */

static void check_err(const xs_experiment *x, const char *column, const char *want)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    CHECK_INT(xs_experiment_check(x, &e), XS_EINVAL);
    CHECK_INT(e.code, XS_EINVAL);
    CHECK_STR(e.param, column);
    CHECK_STR(msg(&e), want);
}

static void test_check(void)
{
    xs_error e;
    xs_experiment ok = mk("spring-upsell_2.v1", XS_OFFER_UPSELL,
                          "treatment:90,holdout:10", "2026-04-03", NULL);
    CHECK_INT(xs_experiment_check(&ok, &e), XS_OK);
    xs_experiment x = ok;
    snprintf(x.end, sizeof x.end, "2026-04-03"); /* end == start is fine */
    CHECK_INT(xs_experiment_check(&x, &e), XS_OK);
    x = mk("a", XS_OFFER_DOWNSELL, "holdout,control", "2024-02-29", "2024-03-01");
    CHECK_INT(xs_experiment_check(&x, &e), XS_OK); /* weights default to 1 */

    /* name: empty, 64 bytes (no room for the NUL), 63 bytes (fine), bad char */
    x = ok;
    x.name[0] = '\0';
    check_err(&x, "name", "name: must be 1 to 63 characters");
    x = ok;
    memset(x.name, 'n', sizeof x.name);
    check_err(&x, "name", "name: must be 1 to 63 characters");
    x.name[63] = '\0';
    CHECK_INT(xs_experiment_check(&x, &e), XS_OK);
    x = ok;
    snprintf(x.name, sizeof x.name, "up sell");
    check_err(&x, "name",
              "name: only letters, digits, '_', '-' and '.' allowed: \"up sell\"");
    snprintf(x.name, sizeof x.name, "upsell:a");
    check_err(&x, "name",
              "name: only letters, digits, '_', '-' and '.' allowed: \"upsell:a\"");

    /* kind out of range */
    x = ok;
    x.kind = XS_OFFER_N_KINDS;
    check_err(&x, "kind", "kind: not an offer kind");

    /* split: no holdout arm, only the holdout, does not parse */
    x = ok;
    snprintf(x.split, sizeof x.split, "a:1,b:1");
    check_err(&x, "split",
              "split: needs an arm named holdout and at least one other: \"a:1,b:1\"");
    snprintf(x.split, sizeof x.split, "holdout:100");
    check_err(
        &x, "split",
        "split: needs an arm named holdout and at least one other: \"holdout:100\"");
    snprintf(x.split, sizeof x.split, "Holdout:10,treatment:90");
    check_err(&x, "split",
              "split: needs an arm named holdout and at least one other: "
              "\"Holdout:10,treatment:90\"");
    snprintf(x.split, sizeof x.split, "treatment:x,holdout:1");
    check_err(&x, "split", "split: weight must be a number > 0: \"treatment:x\"");
    snprintf(x.split, sizeof x.split, "%s", "");
    check_err(&x, "split", "split: empty split");

    /* start and end */
    x = ok;
    snprintf(x.start, sizeof x.start, "2026-02-30");
    check_err(&x, "start", "start: not a date (YYYY-MM-DD): \"2026-02-30\"");
    snprintf(x.start, sizeof x.start, "2026-4-3");
    check_err(&x, "start", "start: not a date (YYYY-MM-DD): \"2026-4-3\"");
    x.start[0] = '\0';
    check_err(&x, "start", "start: not a date (YYYY-MM-DD): \"\"");
    x = ok;
    snprintf(x.end, sizeof x.end, "2026-13-01");
    check_err(&x, "end", "end: not a date (YYYY-MM-DD): \"2026-13-01\"");
    snprintf(x.end, sizeof x.end, "2026-04-02");
    check_err(&x, "end", "end: before the start 2026-04-03: \"2026-04-02\"");

    /* xs_experiment_active: start day and end day inclusive */
    x = mk("a", XS_OFFER_UPSELL, "treatment,holdout", "2026-04-03", "2026-04-10");
    CHECK_INT(xs_experiment_active(&x, "2026-04-02"), 0);
    CHECK_INT(xs_experiment_active(&x, "2026-04-03"), 1);
    CHECK_INT(xs_experiment_active(&x, "2026-04-07"), 1);
    CHECK_INT(xs_experiment_active(&x, "2026-04-10"), 1);
    CHECK_INT(xs_experiment_active(&x, "2026-04-11"), 0);
    CHECK_INT(xs_experiment_active(&x, "2027-01-01"), 0);
    x.end[0] = '\0'; /* running */
    CHECK_INT(xs_experiment_active(&x, "2026-04-02"), 0);
    CHECK_INT(xs_experiment_active(&x, "2026-04-03"), 1);
    CHECK_INT(xs_experiment_active(&x, "2099-12-31"), 1);

    /* kinds by their data-model names */
    xs_offer_kind k = XS_OFFER_N_KINDS;
    CHECK_INT(xs_offer_kind_parse("upsell", &k), XS_OK);
    CHECK_INT(k, XS_OFFER_UPSELL);
    CHECK_INT(xs_offer_kind_parse("cross_sell", &k), XS_OK);
    CHECK_INT(k, XS_OFFER_CROSS_SELL);
    CHECK_INT(xs_offer_kind_parse("downsell", &k), XS_OK);
    CHECK_INT(k, XS_OFFER_DOWNSELL);
    CHECK_INT(xs_offer_kind_parse("cross-sell", &k), XS_EINVAL);
    CHECK_INT(xs_offer_kind_parse("", &k), XS_EINVAL);
    CHECK_STR(xs_offer_kind_key(XS_OFFER_CROSS_SELL), "cross_sell");
    CHECK_STR(xs_offer_kind_key(XS_OFFER_N_KINDS), "");
}

/* ---------------------------------------------------------------------- */
/* 2. The store's experiments table                                       */
/* ---------------------------------------------------------------------- */

static char store_path[300];

/* Every stored experiment as "name kind split start end|" lines. */
static const char *list_text(xs_store *st)
{
    static char buf[4096];
    xs_experiment *x = NULL;
    xs_error e;
    long n = xs_store_experiments(st, &x, &e);
    size_t o = 0;
    buf[0] = '\0';
    if (n < 0) {
        snprintf(buf, sizeof buf, "error %ld: %s", n, msg(&e));
        return buf;
    }
    for (long i = 0; i < n && o < sizeof buf; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s %s %s %s %s|", x[i].name,
                              xs_offer_kind_key(x[i].kind), x[i].split, x[i].start,
                              x[i].end[0] ? x[i].end : "-");
    xs_store_experiments_free(x);
    return buf;
}

static void now_utc(char buf[21])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* add must fail with code, param and message; the store unchanged. */
static void add_refused(xs_store *st, const xs_experiment *x, int code, const char *param,
                        const char *want)
{
    char before[4096];
    xs_error e;
    memset(&e, 0, sizeof e);
    snprintf(before, sizeof before, "%s", list_text(st));
    CHECK_INT(xs_store_experiment_add(st, x, &e), code);
    CHECK_STR(e.param, param);
    CHECK_STR(msg(&e), want);
    CHECK_STR(list_text(st), before);
}

static void test_store(void)
{
    snprintf(store_path, sizeof store_path, "/tmp/xs-test-holdout-store-%ld.db",
             (long)getpid());
    remove_db(store_path);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, store_path, &e), XS_OK);
    if (!st) return;
    xs_experiment *all = (xs_experiment *)1;
    CHECK_INT(xs_store_experiments(st, &all, &e), 0);
    CHECK(all == NULL);
    xs_store_experiments_free(NULL);

    /* round trip of every field; created_at is the time of the call */
    char t0[21], t1[21];
    now_utc(t0);
    xs_experiment b =
        mk("b-up", XS_OFFER_UPSELL, "treatment:90,holdout:10", "2026-03-01", NULL);
    CHECK_INT(xs_store_experiment_add(st, &b, &e), XS_OK);
    now_utc(t1);
    long n = xs_store_experiments(st, &all, &e);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(all[0].name, "b-up");
        CHECK_INT(all[0].kind, XS_OFFER_UPSELL);
        CHECK_STR(all[0].split, "treatment:90,holdout:10");
        CHECK_STR(all[0].start, "2026-03-01");
        CHECK_STR(all[0].end, "");
        CHECK_INT(strlen(all[0].created_at), 20);
        int32_t d;
        CHECK_INT(xs__date_parse(all[0].created_at, 20, &d), 0);
        CHECK(all[0].created_at[10] == 'T' && all[0].created_at[19] == 'Z');
        CHECK(strcmp(all[0].created_at, t0) >= 0 && strcmp(all[0].created_at, t1) <= 0);
    }
    xs_store_experiments_free(all);

    /* ordering: by start, then name; kinds differ so nothing overlaps */
    xs_experiment a =
        mk("a-cross", XS_OFFER_CROSS_SELL, "holdout:1,rest:3", "2026-03-01", NULL);
    xs_experiment c = mk("c-down", XS_OFFER_DOWNSELL, "treatment:50,holdout:50",
                         "2026-01-01", "2026-02-01");
    CHECK_INT(xs_store_experiment_add(st, &a, &e), XS_OK); /* overlaps b-up: other kind */
    CHECK_INT(xs_store_experiment_add(st, &c, &e), XS_OK);
    CHECK_STR(list_text(st),
              "c-down downsell treatment:50,holdout:50 2026-01-01 2026-02-01|"
              "a-cross cross_sell holdout:1,rest:3 2026-03-01 -|"
              "b-up upsell treatment:90,holdout:10 2026-03-01 -|");

    /* an invalid definition is never stored */
    xs_experiment bad =
        mk("x y", XS_OFFER_UPSELL, "treatment,holdout", "2030-01-01", NULL);
    add_refused(st, &bad, XS_EINVAL, "name",
                "name: only letters, digits, '_', '-' and '.' allowed: \"x y\"");
    bad = mk("xy", XS_OFFER_UPSELL, "treatment", "2030-01-01", NULL);
    add_refused(
        st, &bad, XS_EINVAL, "split",
        "split: needs an arm named holdout and at least one other: \"treatment\"");
    bad = mk("xy", XS_OFFER_UPSELL, "treatment,holdout", "2030-01-01", "2029-12-31");
    add_refused(st, &bad, XS_EINVAL, "end",
                "end: before the start 2030-01-01: \"2029-12-31\"");

    /* the same name: refused whatever its kind and days */
    xs_experiment d =
        mk("b-up", XS_OFFER_DOWNSELL, "treatment,holdout", "2030-01-01", NULL);
    add_refused(st, &d, XS_ECONFLICT, "name",
                "name: an experiment of this name exists: \"b-up\"");
    d = mk("c-down", XS_OFFER_DOWNSELL, "treatment,holdout", "2026-01-01", "2026-02-01");
    add_refused(st, &d, XS_ECONFLICT, "name",
                "name: an experiment of this name exists: \"c-down\"");

    /* overlapping days of the same kind: c-down runs 2026-01-01..2026-02-01 */
    static const char *const clash[][2] = {
        {"2025-12-01", "2026-01-01"}, /* ends on its first day */
        {"2026-02-01", NULL},         /* starts on its last day, open */
        {"2026-02-01", "2026-02-01"}, /* its last day only */
        {"2025-01-01", "2027-01-01"}, /* around it */
        {"2026-01-10", "2026-01-20"}, /* inside */
        {"2025-06-01", NULL},         /* open, from before */
        {"2026-01-01", "2026-02-01"}, /* the same days */
    };
    for (size_t i = 0; i < XS_N(clash); i++) {
        d = mk("d2", XS_OFFER_DOWNSELL, "treatment,holdout", clash[i][0], clash[i][1]);
        add_refused(st, &d, XS_ECONFLICT, "kind",
                    "kind: an experiment of kind downsell overlapping these days exists: "
                    "\"c-down\"");
    }
    /* b-up runs open from 2026-03-01: any later days clash, earlier do not */
    d = mk("u2", XS_OFFER_UPSELL, "treatment,holdout", "2030-01-01", "2030-01-02");
    add_refused(
        st, &d, XS_ECONFLICT, "kind",
        "kind: an experiment of kind upsell overlapping these days exists: \"b-up\"");
    d = mk("u2", XS_OFFER_UPSELL, "treatment,holdout", "2026-01-01", "2026-03-01");
    add_refused(
        st, &d, XS_ECONFLICT, "kind",
        "kind: an experiment of kind upsell overlapping these days exists: \"b-up\"");
    d = mk("u2", XS_OFFER_UPSELL, "treatment,holdout", "2026-01-01", NULL);
    add_refused(
        st, &d, XS_ECONFLICT, "kind",
        "kind: an experiment of kind upsell overlapping these days exists: \"b-up\"");
    d = mk("u0", XS_OFFER_UPSELL, "treatment,holdout", "2026-01-01", "2026-02-28");
    CHECK_INT(xs_store_experiment_add(st, &d, &e), XS_OK);
    /* the days just before and just after c-down are free */
    d = mk("d0", XS_OFFER_DOWNSELL, "treatment,holdout", "2025-12-01", "2025-12-31");
    CHECK_INT(xs_store_experiment_add(st, &d, &e), XS_OK);
    d = mk("d3", XS_OFFER_DOWNSELL, "treatment,holdout", "2026-02-02", "2026-03-01");
    CHECK_INT(xs_store_experiment_add(st, &d, &e), XS_OK);
    /* two clashes: the first in list order is named */
    d = mk("d4", XS_OFFER_DOWNSELL, "treatment,holdout", "2025-12-15", "2026-02-15");
    add_refused(st, &d, XS_ECONFLICT, "kind",
                "kind: an experiment of kind downsell overlapping these days exists: "
                "\"d0\"");
    CHECK_STR(list_text(st),
              "d0 downsell treatment,holdout 2025-12-01 2025-12-31|"
              "c-down downsell treatment:50,holdout:50 2026-01-01 2026-02-01|"
              "u0 upsell treatment,holdout 2026-01-01 2026-02-28|"
              "d3 downsell treatment,holdout 2026-02-02 2026-03-01|"
              "a-cross cross_sell holdout:1,rest:3 2026-03-01 -|"
              "b-up upsell treatment:90,holdout:10 2026-03-01 -|");

    /* stop: every refusal leaves the store as it was */
    char before[4096];
    snprintf(before, sizeof before, "%s", list_text(st));
    memset(&e, 0, sizeof e);
    CHECK_INT(xs_store_experiment_stop(st, "nope", "2026-05-01", &e), XS_ENOTFOUND);
    CHECK_STR(e.param, "name");
    CHECK_STR(msg(&e), "name: no experiment of this name: \"nope\"");
    CHECK_INT(xs_store_experiment_stop(st, "c-down", "2026-05-01", &e), XS_ECONFLICT);
    CHECK_STR(msg(&e), "experiment \"c-down\" already ended on 2026-02-01");
    CHECK_INT(xs_store_experiment_stop(st, "b-up", "2026-02-28", &e), XS_EINVAL);
    CHECK_STR(e.param, "end");
    CHECK_STR(msg(&e), "end: before the experiment's start 2026-03-01: \"2026-02-28\"");
    CHECK_INT(xs_store_experiment_stop(st, "b-up", "2026-02-30", &e), XS_EINVAL);
    CHECK_STR(msg(&e), "end: not a date (YYYY-MM-DD): \"2026-02-30\"");
    CHECK_INT(xs_store_experiment_stop(st, "b-up", "2026-03-01T00:00:00Z", &e),
              XS_EINVAL);
    CHECK_STR(msg(&e), "end: not a date (YYYY-MM-DD): \"2026-03-01T00:00:00Z\"");
    CHECK_INT(xs_store_experiment_stop(st, "b-up", "", &e), XS_EINVAL);
    CHECK_STR(msg(&e), "end: not a date (YYYY-MM-DD): \"\"");
    CHECK_INT(xs_store_experiment_stop(st, "b-up", NULL, &e), XS_EINVAL);
    CHECK_STR(msg(&e), "end: not a date (YYYY-MM-DD): \"\"");
    CHECK_STR(list_text(st), before);
    /* ended on its first day; then the upsell days after it are free */
    CHECK_INT(xs_store_experiment_stop(st, "b-up", "2026-03-01", &e), XS_OK);
    CHECK_INT(xs_store_experiment_stop(st, "b-up", "2026-03-02", &e), XS_ECONFLICT);
    CHECK_STR(msg(&e), "experiment \"b-up\" already ended on 2026-03-01");
    d = mk("u3", XS_OFFER_UPSELL, "treatment,holdout", "2026-03-02", NULL);
    CHECK_INT(xs_store_experiment_add(st, &d, &e), XS_OK);
    CHECK_INT(xs_store_experiment_stop(st, "u3", "2026-12-31", &e), XS_OK);
    CHECK_STR(list_text(st),
              "d0 downsell treatment,holdout 2025-12-01 2025-12-31|"
              "c-down downsell treatment:50,holdout:50 2026-01-01 2026-02-01|"
              "u0 upsell treatment,holdout 2026-01-01 2026-02-28|"
              "d3 downsell treatment,holdout 2026-02-02 2026-03-01|"
              "a-cross cross_sell holdout:1,rest:3 2026-03-01 -|"
              "b-up upsell treatment:90,holdout:10 2026-03-01 2026-03-01|"
              "u3 upsell treatment,holdout 2026-03-02 2026-12-31|");
    xs_store_close(st);

    /* reopened: all still there */
    st = NULL;
    CHECK_INT(xs_store_open(&st, store_path, &e), XS_OK);
    if (!st) return;
    CHECK_INT(xs_store_experiments(st, &all, &e), 7);
    xs_store_experiments_free(all);
    xs_store_close(st);
    remove_db(store_path);
}

static long long query1(xs_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -999;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* The experiments table is schema version 4; a version-3 store upgrades
 * (to the latest version). */
static void test_schema(void)
{
    snprintf(store_path, sizeof store_path, "/tmp/xs-test-holdout-v3-%ld.db",
             (long)getpid());
    remove_db(store_path);
    size_t n;
    const xs__store_migration *builtin = xs__store_migrations(&n);
    CHECK(n >= 4); /* later versions follow (5: terms in months, ...) */
    CHECK_INT(builtin[3].version, 4);
    CHECK(strstr(builtin[3].sql, "CREATE TABLE experiments") != NULL);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs__store_open_with(&st, store_path, builtin, 3, &e), XS_OK);
    if (!st) return;
    CHECK_INT(st->schema_version, 3);
    CHECK_INT(query1(st, "SELECT count(*) FROM sqlite_master WHERE name = 'experiments'"),
              0);
    xs_experiment *all = NULL;
    CHECK_INT(xs_store_experiments(st, &all, &e), XS_EDB);
    CHECK(all == NULL);
    CHECK(strstr(msg(&e), "no such table: experiments") != NULL);
    xs_store_close(st);
    st = NULL;
    CHECK_INT(xs_store_open(&st, store_path, &e), XS_OK);
    if (!st) return;
    CHECK_INT(st->schema_version, builtin[n - 1].version);
    CHECK_INT(query1(st, "SELECT max(version) FROM schema_migrations"),
              builtin[n - 1].version);
    CHECK_INT(query1(st, "SELECT count(*) FROM schema_migrations"), n);
    CHECK_INT(query1(st, "SELECT count(*) FROM sqlite_master WHERE name = 'experiments'"),
              1);
    CHECK_INT(xs_store_experiments(st, &all, &e), 0);
    xs_experiment x = mk("up", XS_OFFER_UPSELL, "treatment,holdout", "2026-01-01", NULL);
    CHECK_INT(xs_store_experiment_add(st, &x, &e), XS_OK);
    CHECK_STR(list_text(st), "up upsell treatment,holdout 2026-01-01 -|");
    /* end_date is NULL while running, the kind its data-model name */
    CHECK_INT(query1(st, "SELECT count(*) FROM experiments WHERE end_date IS NULL"
                         " AND kind = 'upsell'"),
              1);
    xs_store_close(st);
    remove_db(store_path);
}

/* ---------------------------------------------------------------------- */
/* The generated company shared by the engine and report tests            */
/* ---------------------------------------------------------------------- */

#define GEN_N 3000
#define GEN_DAYS 180

static char gen_dir[256], gen_db[300];
static xs_store *gen_st;
static xs_snapshot *gen_snap;

static void gen_cleanup(void)
{
    xs_snapshot_free(gen_snap);
    xs_store_close(gen_st);
    if (!gen_dir[0]) return;
    remove_db(gen_db);
    for (int k = 0; k < XS_GEN_N_FILES; k++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", gen_dir, xs_gen_file_name((xs_gen_file)k));
        unlink(p);
    }
    rmdir(gen_dir);
}

/* Generates, imports and loads the company once. Returns the snapshot or NULL. */
static xs_snapshot *gen(void)
{
    static const char *const tables[] = {
        "customers", "products", "subscriptions", "orders", "usage", "events", "offers"};
    static int done;
    if (done) return gen_snap;
    done = 1;
    atexit(gen_cleanup);
    snprintf(gen_dir, sizeof gen_dir, "/tmp/xs-test-holdout-%ld", (long)getpid());
    snprintf(gen_db, sizeof gen_db, "%s/store.db", gen_dir);
    xs_gen_options go;
    xs_error e;
    xs_gen_options_init(&go);
    go.n_customers = GEN_N;
    go.seed = 7;
    go.holdout_days = GEN_DAYS;
    if (xs_gen_write(gen_dir, &go, NULL, &e) < 0) goto fail;
    remove_db(gen_db);
    if (xs_store_open(&gen_st, gen_db, &e) < 0) goto fail;
    for (size_t i = 0; i < XS_N(tables); i++) {
        char path[600];
        xs_import_options o;
        xs_import_options_init(&o);
        xs_table_lookup(tables[i], &o.table);
        snprintf(path, sizeof path, "%s/%s.csv", gen_dir, tables[i]);
        if (xs_import_file(gen_st, path, &o, NULL, &e) < 0) goto fail;
    }
    if (xs_snapshot_load(gen_st, &gen_snap, &e) < 0) goto fail;
    return gen_snap;
fail:
    fprintf(stderr, "generated company: %s\n", msg(&e));
    CHECK(0);
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* 3. The engine's holdout guard                                          */
/* ---------------------------------------------------------------------- */

/* Per-candidate guards: decided from the candidate and the customer alone,
 * before the conflict and limit steps that look at the other candidates. */
static int own_guard(xs_offer_guard g)
{
    return g != XS_GUARD_NONE && g != XS_GUARD_CONFLICT && g != XS_GUARD_LIMIT;
}

/* Orders candidates by what they are (not by their guard or rank). */
static int by_identity(const void *pa, const void *pb)
{
    const xs_offer *a = pa, *b = pb;
#define CMP(f)                                                                           \
    if (a->f != b->f) return a->f < b->f ? -1 : 1
    CMP(kind);
    CMP(trigger);
    CMP(from_product);
    CMP(to_product);
    CMP(qty_from);
    CMP(qty_to);
    CMP(channel);
    CMP(timing);
    CMP(ev);
    CMP(value);
#undef CMP
    return 0;
}

static int same_candidate(const xs_offer *a, const xs_offer *b)
{
    return by_identity(a, b) == 0 && a->customer == b->customer &&
           a->p_accept == b->p_accept && a->revenue_delta == b->revenue_delta;
}

/* The two decisions are identical, in order, guards and ranks included. */
static int same_decision(const xs_offer *a, int na, const xs_offer *b, int nb)
{
    if (na != nb) return 0;
    for (int i = 0; i < na; i++)
        if (!same_candidate(&a[i], &b[i]) || a[i].guard != b[i].guard ||
            a[i].rank != b[i].rank)
            return 0;
    return 1;
}

typedef struct guard_counts {
    size_t holdout_customers, treatment_customers;
    size_t held;            /* candidates with guard holdout (brute force) */
    size_t held_offered;    /* of those, offered without the experiment */
    size_t exact_customers; /* holdout customers checked for exact equality */
    size_t loose_customers; /* holdout customers checked by guard class only */
} guard_counts;

/*
 * Compares the decisions of en0 (no experiment) and en1 (experiment x of kind
 * K running) for every customer, the arm computed here by xs_exp_assign.
 *
 * Treatment: identical decisions. Holdout: the same candidates; every one of
 * kind K has guard holdout (it is the first guard) and rank 0. For the other
 * kinds what is exactly implied: a guard that depends on the candidate alone
 * (critical_case .. no_value, own_guard()) is the same. Conflict and limit
 * look at the other candidates: without the K candidates the best growth
 * offer may be weaker (a cross-sell can lose or win a conflict with a
 * downsell) and slots or product families may be freed (an offer ranked out
 * by the limit may be offered), so they are only known to stay among
 * none / conflict / limit. When no K candidate got past its own guards in
 * en0 it took part in neither step, and then the decision on the other
 * kinds is exactly en0's, ranks included.
 */
static void compare_engines(const xs_offer_engine *en0, const xs_offer_engine *en1,
                            const xs_experiment *x, guard_counts *gc)
{
    const xs_snapshot *s = gen_snap;
    xs_exp_split sp;
    CHECK_INT(xs_exp_split_parse(x->split, &sp, NULL), XS_OK);
    int hold = -1;
    for (size_t a = 0; a < sp.n_arms; a++)
        if (!strcmp(sp.name[a], "holdout")) hold = (int)a;
    CHECK(hold >= 0);
    memset(gc, 0, sizeof *gc);
    xs_offer o0[XS_OFFER_MAX_CANDIDATES], o1[XS_OFFER_MAX_CANDIDATES];
    xs_offer s0[XS_OFFER_MAX_CANDIDATES], s1[XS_OFFER_MAX_CANDIDATES];
    size_t bad_treat = 0, bad_hold = 0;
    for (uint32_t c = 0; c < s->cust.n; c++) {
        int n0 = xs_offer_decide(en0, c, o0, XS_OFFER_MAX_CANDIDATES);
        int n1 = xs_offer_decide(en1, c, o1, XS_OFFER_MAX_CANDIDATES);
        const char *id = xs__intern_str(&s->cust.ids, c);
        int arm = xs_exp_assign(&sp, x->name, id, strlen(id));
        if (arm != hold) {
            gc->treatment_customers++;
            bad_treat += !same_decision(o0, n0, o1, n1);
            continue;
        }
        gc->holdout_customers++;
        int ok = n0 == n1;
        int k_passed = 0; /* a kind-K candidate got past its own guards in en0 */
        for (int i = 0; ok && i < n1; i++) {
            if (o1[i].kind != x->kind) continue;
            gc->held++;
            ok = o1[i].guard == XS_GUARD_HOLDOUT && o1[i].rank == 0;
        }
        for (int i = 0; i < n0; i++)
            if (o0[i].kind == x->kind) {
                k_passed |= !own_guard(o0[i].guard);
                gc->held_offered += o0[i].guard == XS_GUARD_NONE;
            }
        if (ok) {
            memcpy(s0, o0, (size_t)n0 * sizeof *s0);
            memcpy(s1, o1, (size_t)n1 * sizeof *s1);
            qsort(s0, (size_t)n0, sizeof *s0, by_identity);
            qsort(s1, (size_t)n1, sizeof *s1, by_identity);
            for (int i = 0; ok && i < n0; i++) {
                ok = same_candidate(&s0[i], &s1[i]);
                if (!ok || s0[i].kind == x->kind) continue;
                if (own_guard(s0[i].guard))
                    ok = s1[i].guard == s0[i].guard;
                else
                    ok = !own_guard(s1[i].guard) && s1[i].guard != XS_GUARD_HOLDOUT;
            }
        }
        if (ok && !k_passed) {
            /* exact: the other kinds' part of the decision, in order */
            gc->exact_customers++;
            int i0 = 0, i1 = 0;
            while (ok) {
                while (i0 < n0 && o0[i0].kind == x->kind)
                    i0++;
                while (i1 < n1 && o1[i1].kind == x->kind)
                    i1++;
                if (i0 == n0 || i1 == n1) {
                    ok = i0 == n0 && i1 == n1;
                    break;
                }
                ok = same_candidate(&o0[i0], &o1[i1]) && o0[i0].guard == o1[i1].guard &&
                     o0[i0].rank == o1[i1].rank;
                i0++;
                i1++;
            }
        } else if (ok) {
            gc->loose_customers++;
        }
        bad_hold += !ok;
    }
    CHECK_INT(bad_treat, 0);
    CHECK_INT(bad_hold, 0);
}

/* Brute-force totals over xs_offer_decide, to compare with decide_all. */
static void brute_summary(const xs_offer_engine *en, size_t held[XS_GUARD_N],
                          size_t *offered)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    memset(held, 0, XS_GUARD_N * sizeof *held);
    *offered = 0;
    for (uint32_t c = 0; c < gen_snap->cust.n; c++) {
        int n = xs_offer_decide(en, c, o, XS_OFFER_MAX_CANDIDATES);
        for (int i = 0; i < n; i++) {
            if (o[i].guard == XS_GUARD_NONE)
                (*offered)++;
            else
                held[o[i].guard]++;
        }
    }
}

static void test_engine_guard(void)
{
    xs_snapshot *g = gen();
    if (!g) return;
    xs_error e;
    xs_offer_engine *en0 = NULL, *en1 = NULL;
    CHECK_INT(xs_offer_engine_new(g, NULL, NULL, &en0, &e), XS_OK);
    CHECK_INT(xs_offer_engine_new(g, NULL, NULL, &en1, &e), XS_OK);
    if (!en0 || !en1) goto cleanup;
    char as_of[11], d[11];
    xs_offer_engine_as_of(en0, as_of);

    /* running upsell experiment, 50/50 */
    xs_experiment x = mk("upsell-ab", XS_OFFER_UPSELL, "treatment:50,holdout:50",
                         day_add(as_of, -30, d), NULL);
    CHECK_INT(xs_offer_engine_set_experiments(en1, &x, 1, &e), XS_OK);
    guard_counts gc;
    compare_engines(en0, en1, &x, &gc);
    CHECK_INT(gc.holdout_customers + gc.treatment_customers, g->cust.n);
    /* the split is 50/50: far from one-sided (binomial sd ~27) */
    CHECK(gc.holdout_customers > GEN_N / 2 - 200 &&
          gc.holdout_customers < GEN_N / 2 + 200);
    /* not vacuous: upsells that would have been offered were held back,
     * and both comparisons of the other kinds ran */
    CHECK(gc.held > 100);
    CHECK(gc.held_offered > 30);
    CHECK(gc.exact_customers > 100);
    CHECK(gc.loose_customers > 30);

    /* decide_all counts exactly the brute-force holdout suppressions */
    size_t held[XS_GUARD_N], offered;
    brute_summary(en1, held, &offered);
    CHECK_INT(held[XS_GUARD_HOLDOUT], gc.held);
    xs_offer_summary s1, s2, s0;
    CHECK_INT(xs_offer_decide_all(en1, 1, NULL, NULL, &s1), XS_OK);
    CHECK_INT(xs_offer_decide_all(en1, 3, NULL, NULL, &s2), XS_OK);
    CHECK_INT(xs_offer_decide_all(en0, 2, NULL, NULL, &s0), XS_OK);
    CHECK_INT(s1.n_suppressed[XS_GUARD_HOLDOUT], gc.held);
    CHECK_INT(s2.n_suppressed[XS_GUARD_HOLDOUT], gc.held);
    CHECK_INT(s0.n_suppressed[XS_GUARD_HOLDOUT], 0);
    CHECK_INT(s1.n_offered, offered);
    for (int k = 1; k < XS_GUARD_N; k++)
        CHECK_INT(s1.n_suppressed[k], held[k]);
    CHECK_INT(s1.n_candidates, s0.n_candidates);
    CHECK_INT(s1.n_kind[XS_OFFER_UPSELL] + gc.held_offered, s0.n_kind[XS_OFFER_UPSELL]);
    CHECK(s1.ev_held[XS_GUARD_HOLDOUT] > 0);
    CHECK_INT(s0.n_kind[XS_OFFER_UPSELL] >= gc.held_offered, 1);

    /* the start day and the end day are days it runs */
    x = mk("upsell-ab", XS_OFFER_UPSELL, "treatment:50,holdout:50", as_of, as_of);
    CHECK_INT(xs_offer_engine_set_experiments(en1, &x, 1, &e), XS_OK);
    CHECK_INT(xs_offer_decide_all(en1, 1, NULL, NULL, &s1), XS_OK);
    CHECK_INT(s1.n_suppressed[XS_GUARD_HOLDOUT], gc.held);

    /* not running on as_of: starts the day after, ended the day before,
     * a downsell experiment on as_of does not touch upsells: nothing held */
    xs_experiment later = mk("upsell-ab", XS_OFFER_UPSELL, "treatment:50,holdout:50",
                             day_add(as_of, 1, d), NULL);
    xs_experiment ended = mk("upsell-ab", XS_OFFER_UPSELL, "treatment:50,holdout:50",
                             "2025-01-01", day_add(as_of, -1, d));
    const xs_experiment *idle[] = {&later, &ended};
    for (size_t t = 0; t < XS_N(idle); t++) {
        CHECK_INT(xs_offer_engine_set_experiments(en1, idle[t], 1, &e), XS_OK);
        size_t diff = 0;
        xs_offer a[XS_OFFER_MAX_CANDIDATES], b[XS_OFFER_MAX_CANDIDATES];
        for (uint32_t c = 0; c < g->cust.n; c++) {
            int na = xs_offer_decide(en0, c, a, XS_OFFER_MAX_CANDIDATES);
            int nb = xs_offer_decide(en1, c, b, XS_OFFER_MAX_CANDIDATES);
            diff += !same_decision(a, na, b, nb);
        }
        CHECK_INT(diff, 0);
    }
    /* set_experiments replaces: none at all is no experiment */
    CHECK_INT(xs_offer_engine_set_experiments(en1, &x, 1, &e), XS_OK);
    CHECK_INT(xs_offer_engine_set_experiments(en1, NULL, 0, &e), XS_OK);
    CHECK_INT(xs_offer_decide_all(en1, 1, NULL, NULL, &s1), XS_OK);
    CHECK_INT(s1.n_suppressed[XS_GUARD_HOLDOUT], 0);
    CHECK_INT(s1.n_offered, s0.n_offered);

    /* a downsell experiment holds back downsells only */
    xs_experiment dn =
        mk("downsell-ab", XS_OFFER_DOWNSELL, "holdout:1,treatment:1", "2020-01-01", NULL);
    CHECK_INT(xs_offer_engine_set_experiments(en1, &dn, 1, &e), XS_OK);
    compare_engines(en0, en1, &dn, &gc);
    CHECK(gc.held > 20);
    CHECK_INT(xs_offer_decide_all(en1, 1, NULL, NULL, &s1), XS_OK);
    CHECK_INT(s1.n_suppressed[XS_GUARD_HOLDOUT], gc.held);
    CHECK_INT(s1.n_kind[XS_OFFER_DOWNSELL] + gc.held_offered,
              s0.n_kind[XS_OFFER_DOWNSELL]);

    /* an invalid definition is refused with the check's message */
    xs_experiment bad = mk("b", XS_OFFER_UPSELL, "treatment:1", "2020-01-01", NULL);
    CHECK_INT(xs_offer_engine_set_experiments(en1, &bad, 1, &e), XS_EINVAL);
    CHECK_STR(msg(&e), "split: needs an arm named holdout and at least one other: "
                       "\"treatment:1\"");
    /* ... and leaves the engine as it was, also when a valid experiment
     * comes before the bad one (the downsell experiment still holds back) */
    xs_experiment pair[2] = {
        mk("u-first", XS_OFFER_UPSELL, "treatment:1,holdout:1", "2020-01-01", NULL), bad};
    CHECK_INT(xs_offer_engine_set_experiments(en1, pair, 2, &e), XS_EINVAL);
    CHECK_INT(xs_offer_decide_all(en1, 1, NULL, NULL, &s1), XS_OK);
    CHECK_INT(s1.n_suppressed[XS_GUARD_HOLDOUT], gc.held);
    CHECK_INT(s1.n_kind[XS_OFFER_UPSELL], s0.n_kind[XS_OFFER_UPSELL]);
cleanup:
    xs_offer_engine_free(en0);
    xs_offer_engine_free(en1);
}

/* xs_offer_engine_open reads the store's experiments: the same decisions as
 * set_experiments on an engine opened before the experiment was stored. */
static void test_engine_open(void)
{
    xs_snapshot *g = gen();
    if (!g) return;
    xs_error e;
    xs_offer_build_info bi;
    CHECK_INT(xs_offer_build(gen_st, g, NULL, NULL, &bi, &e), XS_OK);
    xs_offer_engine *plain = NULL, *open = NULL;
    CHECK_INT(xs_offer_engine_open(gen_st, g, NULL, NULL, &plain, &e), XS_OK);
    if (!plain) return;
    char as_of[11], d[11];
    xs_offer_engine_as_of(plain, as_of);
    xs_experiment x = mk("store-upsell", XS_OFFER_UPSELL, "treatment:70,holdout:30",
                         day_add(as_of, -10, d), NULL);
    xs_experiment old = mk("store-old", XS_OFFER_CROSS_SELL, "treatment:70,holdout:30",
                           "2025-01-01", "2025-02-01");
    CHECK_INT(xs_store_experiment_add(gen_st, &x, &e), XS_OK);
    CHECK_INT(xs_store_experiment_add(gen_st, &old, &e), XS_OK);
    CHECK_INT(xs_offer_engine_open(gen_st, g, NULL, NULL, &open, &e), XS_OK);
    if (!open) goto cleanup;
    guard_counts gc;
    compare_engines(plain, open, &x, &gc);
    CHECK(gc.held > 50);
    xs_experiment both[2] = {old, x};
    CHECK_INT(xs_offer_engine_set_experiments(plain, both, 2, &e), XS_OK);
    size_t diff = 0;
    xs_offer a[XS_OFFER_MAX_CANDIDATES], b[XS_OFFER_MAX_CANDIDATES];
    for (uint32_t c = 0; c < g->cust.n; c++) {
        int na = xs_offer_decide(plain, c, a, XS_OFFER_MAX_CANDIDATES);
        int nb = xs_offer_decide(open, c, b, XS_OFFER_MAX_CANDIDATES);
        diff += !same_decision(a, na, b, nb);
    }
    CHECK_INT(diff, 0);
    /* stopped before as_of: the store's engine no longer holds back */
    xs_offer_engine_free(open);
    open = NULL;
    CHECK_INT(xs_store_experiment_stop(gen_st, "store-upsell", day_add(as_of, -1, d), &e),
              XS_OK);
    CHECK_INT(xs_offer_engine_open(gen_st, g, NULL, NULL, &open, &e), XS_OK);
    xs_offer_summary s;
    if (open) {
        CHECK_INT(xs_offer_decide_all(open, 1, NULL, NULL, &s), XS_OK);
        CHECK_INT(s.n_suppressed[XS_GUARD_HOLDOUT], 0);
    }
cleanup:
    xs_offer_engine_free(plain);
    xs_offer_engine_free(open);
}

/* ---------------------------------------------------------------------- */
/* 4. The report against a recount from the CSV files                     */
/* ---------------------------------------------------------------------- */

/* Splits a CSV line (RFC 4180 quotes, no line breaks inside fields) in
 * place into at most max fields. Returns the number of fields. */
static int split_csv(char *line, char **f, int max)
{
    int n = 0;
    char *p = line, *w;
    line[strcspn(line, "\r\n")] = '\0';
    for (;;) {
        if (n == max) return n;
        f[n++] = w = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else if (!*p) {
                    break;
                } else {
                    *w++ = *p++;
                }
            }
        } else {
            while (*p && *p != ',')
                *w++ = *p++;
        }
        int more = *p == ',';
        *w = '\0';
        if (!more) return n;
        p++;
    }
}

/* Index of a header column, or -1. */
static int col_of(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(f[i], name)) return i;
    return -1;
}

/* A decimal string in minor units of `scale` digits ("120.5" at 2: 12050). */
static int64_t minor_units(const char *s, int scale)
{
    int neg = *s == '-';
    if (neg || *s == '+') s++;
    int64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    int k = 0;
    if (*s == '.') {
        s++;
        for (; *s >= '0' && *s <= '9' && k < scale; k++)
            v = v * 10 + (*s++ - '0');
    }
    for (; k < scale; k++)
        v *= 10;
    return neg ? -v : v;
}

typedef struct sub_row {
    size_t cust;
    int64_t arr; /* minor units per year */
    char start[11], end[11];
} sub_row;

typedef struct offer_row {
    size_t cust;
    int kind, accepted; /* xs_offer_kind, -1 for another */
    char sent[11];
} offer_row;

/* The files, read once. */
static struct {
    char (*ids)[32];
    size_t n_cust;
    sub_row *sub;
    size_t n_sub;
    offer_row *off;
    size_t n_off;
    char last[11]; /* the data's last day */
} csv;

static int cmp_id(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static size_t cust_index(const char *id)
{
    char key[32];
    snprintf(key, sizeof key, "%s", id);
    char(*hit)[32] = bsearch(key, csv.ids, csv.n_cust, sizeof *csv.ids, cmp_id);
    return hit ? (size_t)(hit - csv.ids) : (size_t)-1;
}

static void note_day(const char *day)
{
    if (strlen(day) >= 10 && strncmp(day, csv.last, 10) > 0) {
        memcpy(csv.last, day, 10);
        csv.last[10] = '\0';
    }
}

/* Opens DIR/NAME.csv and reads its header. Returns the file or NULL. */
static FILE *open_csv(const char *name, char *line, size_t cap, char **f, int *nf)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s.csv", gen_dir, name);
    FILE *fp = fopen(path, "r");
    if (!fp || !fgets(line, (int)cap, fp)) {
        fprintf(stderr, "cannot read %s\n", path);
        if (fp) fclose(fp);
        return NULL;
    }
    *nf = split_csv(line, f, 32);
    return fp;
}

static void csv_free(void)
{
    free(csv.ids);
    free(csv.sub);
    free(csv.off);
}

/* Reads customers, products, subscriptions, offers (and the dates of
 * orders, usage and events for the data's last day). Returns 0 or -1. */
static int csv_load(int money_scale)
{
    static int done = 0;
    if (done) return done > 0 ? 0 : -1;
    done = -1;
    atexit(csv_free);
    char line[8192], *f[32];
    int nf;
    FILE *fp;
    size_t cap = 0;
    /* customers */
    if (!(fp = open_csv("customers", line, sizeof line, f, &nf))) return -1;
    int c_id = col_of(f, nf, "customer_id");
    while (fgets(line, sizeof line, fp)) {
        nf = split_csv(line, f, 32);
        if (csv.n_cust == cap) {
            cap = cap ? 2 * cap : 1024;
            csv.ids = realloc(csv.ids, cap * sizeof *csv.ids);
        }
        snprintf(csv.ids[csv.n_cust++], 32, "%s", f[c_id]);
    }
    fclose(fp);
    qsort(csv.ids, csv.n_cust, sizeof *csv.ids, cmp_id);
    /* products: billing per product id */
    static char prod[512][64];
    static char bill[512][8];
    size_t n_prod = 0;
    if (!(fp = open_csv("products", line, sizeof line, f, &nf))) return -1;
    int p_id = col_of(f, nf, "product_id"), p_bill = col_of(f, nf, "billing");
    while (fgets(line, sizeof line, fp) && n_prod < 512) {
        nf = split_csv(line, f, 32);
        snprintf(prod[n_prod], 64, "%s", f[p_id]);
        snprintf(bill[n_prod], 8, "%s", f[p_bill]);
        n_prod++;
    }
    fclose(fp);
    /* subscriptions: ARR per row (docs/kpi.md) */
    if (!(fp = open_csv("subscriptions", line, sizeof line, f, &nf))) return -1;
    int s_c = col_of(f, nf, "customer_id"), s_p = col_of(f, nf, "product_id"),
        s_q = col_of(f, nf, "quantity"), s_u = col_of(f, nf, "unit_price"),
        s_s = col_of(f, nf, "start_date"), s_e = col_of(f, nf, "end_date");
    cap = 0;
    while (fgets(line, sizeof line, fp)) {
        nf = split_csv(line, f, 32);
        if (csv.n_sub == cap) {
            cap = cap ? 2 * cap : 4096;
            csv.sub = realloc(csv.sub, cap * sizeof *csv.sub);
        }
        sub_row *r = &csv.sub[csv.n_sub++];
        r->cust = cust_index(f[s_c]);
        const char *b = "";
        for (size_t i = 0; i < n_prod; i++)
            if (!strcmp(prod[i], f[s_p])) b = bill[i];
        int64_t per = minor_units(f[s_u], money_scale) * strtoll(f[s_q], NULL, 10);
        r->arr = !strcmp(b, "month") ? per * 12 : !strcmp(b, "year") ? per : 0;
        if (strcmp(b, "month") && strcmp(b, "year") && strcmp(b, "once")) {
            fprintf(stderr, "product %s: billing \"%s\"\n", f[s_p], b);
            fclose(fp);
            return -1;
        }
        snprintf(r->start, sizeof r->start, "%s", f[s_s]);
        snprintf(r->end, sizeof r->end, "%s", f[s_e]);
        note_day(f[s_s]);
    }
    fclose(fp);
    /* offers */
    if (!(fp = open_csv("offers", line, sizeof line, f, &nf))) return -1;
    int o_c = col_of(f, nf, "customer_id"), o_k = col_of(f, nf, "kind"),
        o_s = col_of(f, nf, "sent_at"), o_o = col_of(f, nf, "outcome");
    cap = 0;
    while (fgets(line, sizeof line, fp)) {
        nf = split_csv(line, f, 32);
        if (csv.n_off == cap) {
            cap = cap ? 2 * cap : 4096;
            csv.off = realloc(csv.off, cap * sizeof *csv.off);
        }
        offer_row *r = &csv.off[csv.n_off++];
        r->cust = cust_index(f[o_c]);
        xs_offer_kind k;
        r->kind = xs_offer_kind_parse(f[o_k], &k) == XS_OK ? (int)k : -1;
        r->accepted = !strcmp(f[o_o], "accepted");
        snprintf(r->sent, sizeof r->sent, "%.10s", f[o_s]);
        note_day(f[o_s]);
    }
    fclose(fp);
    /* the other dated rows */
    static const char *const other[][2] = {
        {"orders", "date"}, {"usage", "date"}, {"events", "date"}};
    for (size_t t = 0; t < XS_N(other); t++) {
        if (!(fp = open_csv(other[t][0], line, sizeof line, f, &nf))) return -1;
        int k = col_of(f, nf, other[t][1]);
        while (fgets(line, sizeof line, fp)) {
            nf = split_csv(line, f, 32);
            if (k < nf) note_day(f[k]);
        }
        fclose(fp);
    }
    done = 1;
    return 0;
}

#define N_ARMS_MAX 4

/* The recount of a report: per arm units, offers, accepted and the sums
 * of the three metrics (arr_change in minor units). */
typedef struct recount {
    size_t units[N_ARMS_MAX], offers[N_ARMS_MAX], accepted[N_ARMS_MAX];
    int64_t change[N_ARMS_MAX];
    size_t expanded[N_ARMS_MAX], retained[N_ARMS_MAX];
} recount;

static void recount_run(const xs_exp_split *sp, const char *name, int kind,
                        const char *start, const char *until, recount *rc)
{
    memset(rc, 0, sizeof *rc);
    int64_t *a0 = calloc(csv.n_cust, sizeof *a0), *a1 = calloc(csv.n_cust, sizeof *a1);
    for (size_t i = 0; i < csv.n_sub; i++) {
        const sub_row *r = &csv.sub[i];
        if (r->cust >= csv.n_cust) continue;
        /* active at the end of day d: start <= d < end */
        if (strcmp(r->start, start) <= 0 && (!r->end[0] || strcmp(r->end, start) > 0))
            a0[r->cust] += r->arr;
        if (strcmp(r->start, until) <= 0 && (!r->end[0] || strcmp(r->end, until) > 0))
            a1[r->cust] += r->arr;
    }
    int *arm = malloc(csv.n_cust * sizeof *arm);
    for (size_t c = 0; c < csv.n_cust; c++) {
        arm[c] = -1;
        if (a0[c] <= 0) continue;
        int a = xs_exp_assign(sp, name, csv.ids[c], strlen(csv.ids[c]));
        arm[c] = a;
        rc->units[a]++;
        rc->change[a] += a1[c] - a0[c];
        rc->expanded[a] += a1[c] > a0[c];
        rc->retained[a] += a1[c] > 0;
    }
    for (size_t i = 0; i < csv.n_off; i++) {
        const offer_row *r = &csv.off[i];
        if (r->cust >= csv.n_cust || arm[r->cust] < 0 || r->kind != kind) continue;
        if (strcmp(r->sent, start) < 0 || strcmp(r->sent, until) > 0) continue;
        rc->offers[arm[r->cust]]++;
        rc->accepted[arm[r->cust]] += r->accepted;
    }
    free(a0);
    free(a1);
    free(arm);
}

static const xs_exp_row *find_row(const xs_exp_result *r, const char *metric,
                                  const char *group)
{
    for (size_t i = 0; i < xs_exp_result_n_rows(r); i++) {
        const xs_exp_row *w = xs_exp_result_row(r, i);
        if (!strcmp(w->metric, metric) && !strcmp(w->group, group)) return w;
    }
    return NULL;
}

static int near_rel(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

/* Runs the report and compares it with the recount over [start, until]. */
static void check_report(const xs_experiment *x, const char *as_of, const char *until,
                         recount *out)
{
    xs_error e;
    xs_exp_report_result *r = NULL;
    CHECK_INT(xs_exp_report(gen_snap, x, as_of, &r, &e), XS_OK);
    if (!r) {
        fprintf(stderr, "report: %s\n", msg(&e));
        return;
    }
    char buf[11];
    CHECK_STR(xs_exp_report_until(r, buf), until);
    xs_exp_split sp;
    CHECK_INT(xs_exp_split_parse(x->split, &sp, NULL), XS_OK);
    recount rc;
    recount_run(&sp, x->name, (int)x->kind, x->start, until, &rc);
    if (out) *out = rc;
    double div = 1;
    for (int k = 0; k < gen_snap->money_scale; k++)
        div *= 10;
    CHECK_INT(xs_exp_report_n_arms(r), sp.n_arms);
    CHECK(xs_exp_report_arm(r, sp.n_arms) == NULL);
    const xs_exp_result *an = xs_exp_report_analysis(r);
    CHECK_INT(xs_exp_result_n_groups(an), sp.n_arms);
    CHECK_INT(xs_exp_result_n_rows(an), 3 * sp.n_arms);
    CHECK_INT(xs_exp_result_has_cuped(an), 1);
    for (size_t a = 0; a < sp.n_arms && a < N_ARMS_MAX; a++) {
        const xs_exp_arm *m = xs_exp_report_arm(r, a);
        if (!m) continue;
        CHECK_STR(m->name, sp.name[a]);
        CHECK_INT(m->customers, rc.units[a]);
        CHECK_INT(m->offers, rc.offers[a]);
        CHECK_INT(m->accepted, rc.accepted[a]);
        double n = (double)rc.units[a];
        const char *metric[3] = {"arr_change", "expanded", "retained"};
        double want[3] = {(double)rc.change[a] / div / n, (double)rc.expanded[a] / n,
                          (double)rc.retained[a] / n};
        for (int k = 0; k < 3; k++) {
            const xs_exp_row *w = find_row(an, metric[k], sp.name[a]);
            CHECK(w != NULL);
            if (!w) continue;
            CHECK_INT(w->n, rc.units[a]);
            if (!near_rel(w->mean, want[k]))
                CHECK_NEAR(w->mean, want[k], 0); /* prints both */
            CHECK_INT(w->is_control, !strcmp(sp.name[a], "holdout"));
        }
    }
    /* planned shares in label order for the sample-ratio check */
    for (size_t i = 0; i < xs_exp_result_n_groups(an); i++) {
        const xs_exp_group *gr = xs_exp_result_group(an, i);
        double w = 0, tot = 0;
        for (size_t a = 0; a < sp.n_arms; a++) {
            tot += sp.weight[a];
            if (!strcmp(sp.name[a], gr->label)) w = sp.weight[a];
        }
        CHECK_NEAR(gr->expected, w / tot, 1e-12);
    }
    xs_exp_report_free(r);
}

static void test_report(void)
{
    xs_snapshot *g = gen();
    if (!g) return;
    CHECK_INT(csv_load(g->money_scale), 0);
    if (!csv.n_cust) return;
    CHECK_INT(csv.n_cust, GEN_N);
    /* the data's last day (KPI as-of) from the files is the generator's as_of */
    CHECK_STR(csv.last, XS_GEN_DEFAULT_AS_OF);
    char start[11];
    day_add(XS_GEN_DEFAULT_AS_OF, -GEN_DAYS, start);
    CHECK_STR(start, "2026-04-03");

    /* the planted upsell experiment, running: the window ends at as_of */
    xs_experiment x = mk("upsell", XS_OFFER_UPSELL, XS_GEN_HOLDOUT_SPLIT, start, NULL);
    recount rc;
    check_report(&x, NULL, csv.last, &rc);
    /* arm 0 treatment, arm 1 holdout: no upsell reached the holdout */
    CHECK(rc.units[1] > 100 && rc.units[0] > 8 * rc.units[1]);
    CHECK(rc.offers[0] > 100 && rc.accepted[0] > 10);
    CHECK_INT(rc.offers[1], 0);
    CHECK_INT(rc.accepted[1], 0);
    check_report(&x, XS_GEN_DEFAULT_AS_OF, XS_GEN_DEFAULT_AS_OF, NULL);
    /* the planted lift: treatment expanded more than the holdout */
    CHECK(rc.change[0] / (double)rc.units[0] > rc.change[1] / (double)rc.units[1]);

    /* an earlier --as-of shrinks the window */
    recount early;
    check_report(&x, "2026-07-15", "2026-07-15", &early);
    CHECK(early.offers[0] < rc.offers[0]);
    CHECK_INT(early.units[0], rc.units[0]);
    /* an end date ends the window; an end after the data does not */
    xs_experiment ended =
        mk("upsell", XS_OFFER_UPSELL, XS_GEN_HOLDOUT_SPLIT, start, "2026-06-30");
    check_report(&ended, NULL, "2026-06-30", NULL);
    check_report(&ended, "2026-08-01", "2026-06-30", NULL);
    check_report(&ended, "2026-05-01", "2026-05-01", NULL);
    ended = mk("upsell", XS_OFFER_UPSELL, XS_GEN_HOLDOUT_SPLIT, start, "2027-03-01");
    check_report(&ended, NULL, XS_GEN_DEFAULT_AS_OF, NULL);

    /* the other planted strategies, and a three-arm split of another name */
    xs_experiment other =
        mk("cross_sell", XS_OFFER_CROSS_SELL, XS_GEN_HOLDOUT_SPLIT, start, NULL);
    check_report(&other, NULL, XS_GEN_DEFAULT_AS_OF, NULL);
    other = mk("spring", XS_OFFER_UPSELL, "a:1,holdout:1,b:2", "2026-01-10", NULL);
    check_report(&other, "2026-09-01", "2026-09-01", &early);
    /* not the planted name: the holdout is reached like the others */
    CHECK(early.offers[1] > 0);

    /* errors */
    xs_error e;
    xs_exp_report_result *r = (xs_exp_report_result *)1;
    CHECK_INT(xs_exp_report(g, &x, "2026-04-02", &r, &e), XS_EINVAL);
    CHECK(r == NULL);
    CHECK_STR(e.param, "as_of");
    CHECK_STR(msg(&e), "as_of: experiment \"upsell\" starts 2026-04-03, after the data's "
                       "as-of day 2026-04-02");
    CHECK_INT(xs_exp_report(g, &x, "2026-13-01", &r, &e), XS_EINVAL);
    CHECK_STR(msg(&e), "as_of: not a date (YYYY-MM-DD): \"2026-13-01\"");
    CHECK_INT(xs_exp_report(g, &x, "2026-09-30Z", &r, &e), XS_EINVAL);
    CHECK_STR(msg(&e), "as_of: not a date (YYYY-MM-DD): \"2026-09-30Z\"");
    xs_experiment late =
        mk("upsell", XS_OFFER_UPSELL, XS_GEN_HOLDOUT_SPLIT, "2026-10-01", NULL);
    CHECK_INT(xs_exp_report(g, &late, NULL, &r, &e), XS_EINVAL);
    CHECK_STR(msg(&e), "as_of: experiment \"upsell\" starts 2026-10-01, after the data's "
                       "as-of day 2026-09-30");
    xs_experiment inval = mk("upsell", XS_OFFER_UPSELL, "treatment:1", start, NULL);
    CHECK_INT(xs_exp_report(g, &inval, NULL, &r, &e), XS_EINVAL);
    CHECK_STR(msg(&e), "split: needs an arm named holdout and at least one other: "
                       "\"treatment:1\"");
    /* an arm with fewer than 2 units */
    xs_experiment tiny =
        mk("tiny", XS_OFFER_UPSELL, "treatment:1,holdout:1000000", start, NULL);
    xs_exp_split sp;
    xs_exp_split_parse(tiny.split, &sp, NULL);
    recount_run(&sp, tiny.name, (int)tiny.kind, start, XS_GEN_DEFAULT_AS_OF, &early);
    CHECK(early.units[0] < 2);
    char want[300];
    snprintf(want, sizeof want,
             "experiment \"tiny\": arm treatment has %zu customers with revenue on "
             "2026-04-03; at least 2 are needed",
             early.units[0]);
    r = NULL;
    CHECK_INT(xs_exp_report(g, &tiny, NULL, &r, &e), XS_EINVAL);
    CHECK(r == NULL);
    CHECK_STR(msg(&e), want);
}

static const xs_test tests[] = {
    {"check", test_check},
    {"store", test_store},
    {"schema", test_schema},
    {"engine_guard", test_engine_guard},
    {"engine_open", test_engine_open},
    {"report", test_report},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
