/*
 * test_write_all.c — xs_offer_write_all (src/offer/write_all.c): on a store
 * generated here (5,000 customers: two blocks of 4,096, the last one short;
 * or blocks of 100 and of 333 through xs__offer_write_all_blocks) the
 * streamed CSV, JSON and aligned table of 1, 2 and 3 worker threads are
 * byte for byte one xs_offer_table over every customer written with
 * xs_table_write, in both languages (Japanese cells are 2 columns a wide
 * character) and with and without suppressed offers; the table's widths
 * are not those of its first block alone (so a pass that aligned blocks on
 * their own widths would fail); the guardrail totals equal those of
 * deciding every customer in order; an unknown format and an unknown
 * language are refused with their messages; a write to a closed stream
 * fails with XS_EIO; out of memory at the Nth allocation fails with
 * XS_ENOMEM, leaks nothing, and has written nothing or a prefix. On an
 * empty store, if an engine can be made of one (today it is refused), the
 * JSON is "[]" and the table its header.
 */
#include "xsell.h"

#include "base/alloc.h"
#include "offer/offer_int.h"
#include "store_fixture.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_CUST 5000

static char dir[64];
static xs_store *st;
static xs_snapshot *snap;
static xs_offer_engine *en;

static void fail(const char *what, const xs_error *e)
{
    char msg[1024];
    fprintf(stderr, "%s: %s\n", what, xs_error_format(e, msg, sizeof msg));
    exit(1);
}

/* Generates and imports the company, loads it, builds an engine. */
static void setup(void)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    snprintf(dir, sizeof dir, "/tmp/xs_write_all_XXXXXX");
    if (!mkdtemp(dir)) abort();
    xs_gen_options g;
    xs_gen_options_init(&g);
    g.n_customers = N_CUST;
    char db[128];
    snprintf(db, sizeof db, "%s/x.db", dir);
    if (xs_store_open(&st, db, &e) < 0) fail("store", &e);
    xs_fixture_gen_import(dir, &g, st);
    if (xs_snapshot_load(st, &snap, &e) < 0) fail("snapshot", &e);
    if (xs_offer_engine_new(snap, NULL, NULL, &en, &e) < 0) fail("engine", &e);
}

/* Every customer's rows in one table, written at once: the reference. */
static char *reference(const char *lang, int show_suppressed, xs_format fmt,
                       xs_offer_summary *sum)
{
    xs_table *t = xs_table_new();
    if (!t || xs_offer_table_columns(t) < 0) abort();
    memset(sum, 0, sizeof *sum);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    size_t n = xs_offer_engine_n_customers(en);
    for (uint32_t c = 0; c < n; c++) {
        int k = xs_offer_decide(en, c, o, XS_OFFER_MAX_CANDIDATES);
        if (k < 0 || xs_offer_table(en, o, (size_t)k, lang, show_suppressed, t) < 0) abort();
    }
    if (xs_offer_decide_all(en, 1, NULL, NULL, sum) < 0) abort();
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m || xs_table_write(t, m, fmt) < 0 || fclose(m)) abort();
    xs_table_free(t);
    return buf;
}

/* Small blocks: many of them, so the widths and the order span blocks. */
#define SMALL_BLOCK 100

static char *streamed(int threads, size_t block, const char *lang, int show_suppressed,
                      xs_format fmt, xs_offer_summary *sum)
{
    char *buf = NULL;
    size_t len = 0;
    xs_error e;
    FILE *m = open_memstream(&buf, &len);
    if (!m) abort();
    int rc = block
                 ? xs__offer_write_all_blocks(en, block, threads, lang, show_suppressed, fmt,
                                              m, sum, &e)
                 : xs_offer_write_all(en, threads, lang, show_suppressed, fmt, m, sum, &e);
    if (fclose(m)) abort();
    CHECK_INT(rc, XS_OK);
    return buf;
}

static void check_sum(const xs_offer_summary *a, const xs_offer_summary *b)
{
    CHECK_INT(a->n_customers, b->n_customers);
    CHECK_INT(a->n_candidates, b->n_candidates);
    CHECK_INT(a->n_offered, b->n_offered);
    CHECK_NEAR(a->ev_offered, b->ev_offered, 1e-6 * (1 + b->ev_offered));
    for (int g = 0; g < XS_GUARD_N; g++) {
        CHECK_INT(a->n_suppressed[g], b->n_suppressed[g]);
        CHECK_NEAR(a->ev_held[g], b->ev_held[g], 1e-6 * (1 + b->ev_held[g]));
    }
    for (int k = 0; k < XS_OFFER_N_KINDS; k++)
        CHECK_INT(a->n_kind[k], b->n_kind[k]);
    CHECK_INT(a->uplift_kinds, b->uplift_kinds);
}

static void test_same_bytes(void)
{
    static const struct {
        const char *lang;
        int show;
        xs_format fmt;
    } cases[] = {{"en", 0, XS_FORMAT_CSV},   {"en", 0, XS_FORMAT_JSON},
                 {"ja", 1, XS_FORMAT_CSV},   {"ja", 1, XS_FORMAT_JSON},
                 {"en", 0, XS_FORMAT_TABLE}, {"en", 1, XS_FORMAT_TABLE},
                 {"ja", 0, XS_FORMAT_TABLE}, {"ja", 1, XS_FORMAT_TABLE}};
    /* threads and customers per block (0: xs_offer_write_all's 4,096) */
    static const struct {
        int threads;
        size_t block;
    } runs[] = {{1, 0}, {3, 0}, {2, SMALL_BLOCK}, {3, 333}};
    for (size_t i = 0; i < XS_N(cases); i++) {
        xs_offer_summary ref_sum, sum;
        char *ref = reference(cases[i].lang, cases[i].show, cases[i].fmt, &ref_sum);
        CHECK(strlen(ref) > 100000); /* thousands of rows: several blocks */
        for (size_t j = 0; j < XS_N(runs); j++) {
            char *got = streamed(runs[j].threads, runs[j].block, cases[i].lang,
                                 cases[i].show, cases[i].fmt, &sum);
            CHECK_INT(strlen(got), strlen(ref));
            CHECK(!strcmp(got, ref));
            check_sum(&sum, &ref_sum);
            free(got);
        }
        free(ref);
    }
}

/* The widths of the aligned table come from every block: the first small
 * block's rows (customers 0..SMALL_BLOCK-1) alone give narrower columns
 * than the whole table's, so a writer that padded a block at its own
 * widths (or at the first block's) would not match the reference above. */
static void test_widths_span_blocks(void)
{
    static const char *langs[] = {"en", "ja"};
    for (size_t l = 0; l < XS_N(langs); l++) {
        xs_table *first = xs_table_new(), *all = xs_table_new();
        if (!first || !all || xs_offer_table_columns(first) < 0 ||
            xs_offer_table_columns(all) < 0)
            abort();
        xs_offer o[XS_OFFER_MAX_CANDIDATES];
        size_t n = xs_offer_engine_n_customers(en);
        CHECK_INT(n, N_CUST);
        for (uint32_t c = 0; c < n; c++) {
            int k = xs_offer_decide(en, c, o, XS_OFFER_MAX_CANDIDATES);
            if (k < 0 || xs_offer_table(en, o, (size_t)k, langs[l], 0, all) < 0) abort();
            if (c < SMALL_BLOCK && xs_offer_table(en, o, (size_t)k, langs[l], 0, first) < 0)
                abort();
        }
        /* the dashes line (the second) holds the widths */
        char *a = NULL, *b = NULL;
        size_t la = 0, lb = 0;
        FILE *ma = open_memstream(&a, &la), *mb = open_memstream(&b, &lb);
        if (!ma || !mb || xs_table_write(first, ma, XS_FORMAT_TABLE) < 0 ||
            xs_table_write(all, mb, XS_FORMAT_TABLE) < 0 || fclose(ma) || fclose(mb))
            abort();
        const char *da = strchr(a, '\n') + 1, *db = strchr(b, '\n') + 1;
        size_t wa = (size_t)(strchr(da, '\n') - da), wb = (size_t)(strchr(db, '\n') - db);
        CHECK(wa < wb);
        free(a);
        free(b);
        xs_table_free(first);
        xs_table_free(all);
    }
}

/* Out of memory at the Nth allocation, on 1 and 2 threads: XS_ENOMEM with
 * its message, nothing leaked (ASan), and what was written is the start of
 * the whole table: nothing at all when pass 1 failed (the first
 * allocations), else the header and the blocks padded before the failure. */
static void test_out_of_memory(void)
{
    xs_offer_summary sum, ref_sum;
    char *ref = reference("ja", 1, XS_FORMAT_TABLE, &ref_sum);
    size_t n_ref = strlen(ref);
    for (int threads = 1; threads <= 2; threads++) {
        xs__alloc_fail_after(-1);
        free(streamed(threads, SMALL_BLOCK, "ja", 1, XS_FORMAT_TABLE, &sum));
        long total = xs__alloc_fail_after(-1);
        CHECK(total > 100);
        int n_failed = 0, n_empty = 0;
        for (long n = 0; n < total; n += n < 8 ? 1 : total / 16) {
            char *buf = NULL;
            size_t len = 0;
            xs_error e;
            char msg[256];
            FILE *m = open_memstream(&buf, &len);
            if (!m) abort();
            xs__alloc_fail_after(n);
            int rc = xs__offer_write_all_blocks(en, SMALL_BLOCK, threads, "ja", 1,
                                                XS_FORMAT_TABLE, m, &sum, &e);
            xs__alloc_fail_after(-1);
            if (fclose(m)) abort();
            if (rc == XS_OK) {
                CHECK(!strcmp(buf, ref));
            } else {
                n_failed++;
                CHECK_INT(rc, XS_ENOMEM);
                CHECK_STR(xs_error_format(&e, msg, sizeof msg), "out of memory");
                CHECK(len < n_ref && !memcmp(buf, ref, len));
                if (n < 8) CHECK_INT(len, 0); /* pass 1: nothing written */
                n_empty += len == 0;
            }
            free(buf);
        }
        CHECK(n_failed >= 8);
        CHECK(n_empty >= 8);
    }
    free(ref);
}

static void test_refusals(void)
{
    xs_offer_summary sum;
    xs_error e;
    char msg[256];
    CHECK_INT(xs_offer_write_all(en, 2, "en", 0, (xs_format)7, stdout, &sum, &e),
              XS_EINVAL);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "unknown output format");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    CHECK_INT(xs_offer_write_all(en, 2, "fr", 0, XS_FORMAT_CSV, m, &sum, &e), XS_EINVAL);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "unknown language \"fr\"");
    fclose(m);
    free(buf);
    /* a stream that cannot be written: a read-only one */
    FILE *ro = fopen("/dev/null", "r");
    if (!ro) abort();
    CHECK_INT(xs_offer_write_all(en, 2, "en", 0, XS_FORMAT_JSON, ro, &sum, &e), XS_EIO);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "cannot write the output");
    CHECK_INT(xs_offer_write_all(en, 2, "en", 0, XS_FORMAT_TABLE, ro, &sum, &e), XS_EIO);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "cannot write the output");
    fclose(ro);
}

static void test_empty_store(void)
{
    xs_error e;
    char db[128];
    snprintf(db, sizeof db, "%s/empty.db", dir);
    xs_store *s0 = NULL;
    xs_snapshot *sn0 = NULL;
    xs_offer_engine *e0 = NULL;
    if (xs_store_open(&s0, db, &e) < 0 || xs_snapshot_load(s0, &sn0, &e) < 0)
        fail("empty", &e);
    /* an engine needs customers: without one there is nothing to stream */
    if (xs_offer_engine_new(sn0, NULL, NULL, &e0, &e) == XS_OK) {
        xs_offer_summary sum;
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        CHECK_INT(xs_offer_write_all(e0, 2, "en", 0, XS_FORMAT_JSON, m, &sum, &e), XS_OK);
        fclose(m);
        CHECK_STR(buf, "[]\n");
        CHECK_INT(sum.n_customers, 0);
        free(buf);
        /* the aligned table: its header alone, as xs_table_write of no rows */
        xs_table *t = xs_table_new();
        char *want = NULL;
        if (!t || xs_offer_table_columns(t) < 0) abort();
        m = open_memstream(&want, &len);
        if (!m || xs_table_write(t, m, XS_FORMAT_TABLE) < 0 || fclose(m)) abort();
        buf = NULL;
        m = open_memstream(&buf, &len);
        CHECK_INT(xs_offer_write_all(e0, 1, "ja", 1, XS_FORMAT_TABLE, m, &sum, &e), XS_OK);
        fclose(m);
        CHECK_STR(buf, want);
        free(buf);
        free(want);
        xs_table_free(t);
        xs_offer_engine_free(e0);
    } else {
        CHECK_INT(e.code, XS_EINVAL);
    }
    xs_snapshot_free(sn0);
    xs_store_close(s0);
}

int main(void)
{
    setup();
    static const xs_test tests[] = {
        {"same_bytes", test_same_bytes},
        {"widths_span_blocks", test_widths_span_blocks},
        {"out_of_memory", test_out_of_memory},
        {"refusals", test_refusals},
        {"empty_store", test_empty_store},
    };
    int rc = xs_test_run(tests, XS_N(tests));
    xs_offer_engine_free(en);
    xs_snapshot_free(snap);
    xs_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
