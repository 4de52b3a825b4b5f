/*
 * store_fixture.h — a snapshot of a hand-made store for the offer tests:
 * the CSV files of tests/data/DIR (customers, products, subscriptions,
 * orders, usage, events, offers; an absent file is an empty table) imported
 * into a temporary SQLite file, loaded, and the file removed; and a store
 * of the generated demo company (xs_fixture_gen_import). Header-only;
 * exits the test with the import's message when a fixture is bad.
 */
#ifndef XS_TEST_STORE_FIXTURE_H
#define XS_TEST_STORE_FIXTURE_H

#include "xsell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void xs_fixture_remove(const char *db)
{
    char p[300];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

/* The snapshot of tests/data/dir (products from tests/data/products_dir
 * when not NULL). tag names the temporary file. Caller frees with
 * xs_snapshot_free(). */
static inline xs_snapshot *xs_fixture_snapshot(const char *tag, const char *dir,
                                        const char *products_dir)
{
    static const char *const tables[] = {
        "customers", "products", "subscriptions", "orders", "usage", "events", "offers"};
    const char *src = getenv("XS_SOURCE_DIR");
    char db[256], buf[1200];
    snprintf(db, sizeof db, "/tmp/xs-test-%s-%ld.db", tag, (long)getpid());
    xs_fixture_remove(db);
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    xs_error e;
    if (xs_store_open(&st, db, &e) < 0) goto fail;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char path[600];
        xs_import_options o;
        xs_import_options_init(&o);
        if (xs_table_lookup(tables[i], &o.table) < 0) goto fail;
        snprintf(path, sizeof path, "%s/tests/data/%s/%s.csv", src ? src : ".",
                 i == 1 && products_dir ? products_dir : dir, tables[i]);
        if (access(path, R_OK) != 0) continue;
        if (xs_import_file(st, path, &o, NULL, &e) < 0) goto fail;
    }
    if (xs_snapshot_load(st, &s, &e) < 0) goto fail;
    xs_store_close(st);
    xs_fixture_remove(db);
    return s;
fail:
    fprintf(stderr, "fixture %s: %s\n", dir, xs_error_format(&e, buf, sizeof buf));
    exit(1);
}

/* Writes the generated company g into dir (xs_gen_write) and imports its
 * seven tables, in dependency order, into the open store st. Exits the
 * test with the message when either fails. */
static inline void xs_fixture_gen_import(const char *dir, const xs_gen_options *g, xs_store *st)
{
    xs_error e;
    char path[600], buf[1200];
    if (xs_gen_write(dir, g, NULL, &e) < 0) goto fail;
    for (int f = XS_GEN_CUSTOMERS; f <= XS_GEN_OFFERS; f++) {
        const char *name = xs_gen_file_name((xs_gen_file)f);
        char table[64];
        snprintf(table, sizeof table, "%.*s", (int)(strlen(name) - 4), name);
        xs_import_options o;
        xs_import_options_init(&o);
        if (xs_table_lookup(table, &o.table) < 0) abort();
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (xs_import_file(st, path, &o, NULL, &e) < 0) goto fail;
    }
    return;
fail:
    fprintf(stderr, "generated store %s: %s\n", dir, xs_error_format(&e, buf, sizeof buf));
    exit(1);
}

#endif
