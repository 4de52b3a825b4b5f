/*
 * health_fixture.h — the hand-made store of tests/data/health, shared by
 * test_health.c, test_segments.c and test_ltv.c: imports a folder of CSV
 * fixtures into a fresh store, loads its snapshot and scores it.
 * Include after test.h (uses CHECK) and xsell.h.
 */
#ifndef XS_HEALTH_FIXTURE_H
#define XS_HEALTH_FIXTURE_H

#include "xsell.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char db_path[256];

static inline void remove_db(void)
{
    char p[300];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

static inline const char *err_text(const xs_error *e)
{
    static char buf[1200];
    return xs_error_format(e, buf, sizeof buf);
}

/* Imports the tables found in dir (customers ... events) into a fresh
 * store and loads its snapshot; exits on failure. */
static inline xs_snapshot *load_dir(const char *dir, const char *tag)
{
    static const char *const tables[] = {"customers", "products", "subscriptions",
                                         "orders",    "usage",    "events"};
    snprintf(db_path, sizeof db_path, "/tmp/xs-test-%s-%ld.db", tag, (long)getpid());
    remove_db();
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    xs_error e;
    if (xs_store_open(&st, db_path, &e) < 0) goto fail;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char path[600];
        xs_import_options o;
        xs_import_options_init(&o);
        if (xs_table_lookup(tables[i], &o.table) < 0) goto fail;
        snprintf(path, sizeof path, "%s/%s.csv", dir, tables[i]);
        if (access(path, R_OK) != 0) continue;
        if (xs_import_file(st, path, &o, NULL, &e) < 0) goto fail;
    }
    if (xs_snapshot_load(st, &s, &e) < 0) goto fail;
    xs_store_close(st);
    remove_db();
    return s;
fail:
    fprintf(stderr, "fixture: %s\n", err_text(&e));
    exit(1);
}

static inline xs_snapshot *load_fixture(void)
{
    char dir[512];
    const char *src = getenv("XS_SOURCE_DIR");
    snprintf(dir, sizeof dir, "%s/tests/data/health", src ? src : ".");
    return load_dir(dir, "health");
}

/* Scores of the fixture as of as_of with the defaults (clv as given). */
static inline xs_customer_scores *score(const xs_snapshot *s, const char *as_of, int clv)
{
    xs_health_config c;
    xs_customer_scores *cs = NULL;
    xs_error e;
    xs_health_config_init(&c);
    c.clv = clv;
    int rc = xs_customer_scores_compute(s, &c, as_of, &cs, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) {
        fprintf(stderr, "score: %s\n", err_text(&e));
        exit(1);
    }
    return cs;
}

static inline xs_customer_row row_of(const xs_customer_scores *cs, const char *id)
{
    xs_customer_row r;
    long i = xs_customer_scores_find(cs, id);
    CHECK(i >= 0);
    if (i < 0) exit(1);
    xs_customer_scores_get(cs, (size_t)i, &r);
    return r;
}

#endif
