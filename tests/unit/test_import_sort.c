/*
 * test_import_sort.c — the importer's external sort (src/io/import_sort.c):
 * random keys with duplicates come out in key order, equal keys in the
 * order they were added, whatever the budget (one run in memory, or many
 * spilled runs merged), checked against qsort of the same records; keys in
 * order are handed back for draining instead of spilling, and a key out of
 * order after a drain is noticed; allocation failures are clean, and so is
 * a temporary file that cannot be written (the spill thread's error comes
 * back from the next add or from finish).
 */
#include "test.h"

#include "base/alloc.h"
#include "io/import_sort.h"

#include <signal.h>
#include <sys/resource.h>

typedef struct item {
    char key[40];
    size_t klen;
    uint32_t line;
} item;

static int item_cmp(const void *a, const void *b)
{
    const item *x = a, *y = b;
    int c = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);
    if (c) return c;
    if (x->klen != y->klen) return x->klen < y->klen ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

/* n records with keys of 1..39 bytes over a small alphabet (with 0 bytes,
 * shared 24-byte prefixes and many duplicates), sorted with budget. */
static void check_sort(size_t n, size_t budget, uint64_t seed)
{
    item *v = calloc(n, sizeof *v);
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++) {
        v[i].klen = lcg(&x) % 3 == 0 ? 30 + lcg(&x) % 10 : 1 + lcg(&x) % 6;
        for (size_t k = 0; k < v[i].klen; k++)
            v[i].key[k] = k < 24 && v[i].klen > 24 ? 'p' : (char)(lcg(&x) % 3);
        v[i].line = (uint32_t)i + 2;
    }
    xs__io_isort *s = NULL;
    xs_error e;
    CHECK_INT(xs__io_isort_new(&s, budget, &e), XS_OK);
    for (size_t i = 0; i < n; i++) {
        char payload[16];
        snprintf(payload, sizeof payload, "p%u", v[i].line);
        int full = 1;
        CHECK_INT(xs__io_isort_add(s, v[i].key, v[i].klen, v[i].line, i & 1, payload,
                                   strlen(payload), &full, &e),
                  XS_OK);
        CHECK_INT(full, 0); /* random keys: never in order, never drained */
    }
    if (n > 1) CHECK_INT(xs__io_isort_in_order(s), 0);
    if (budget && budget < 4096) CHECK(xs__io_isort_n_runs(s) > 10);
    CHECK_INT(xs__io_isort_finish(s, &e), XS_OK);
    qsort(v, n, sizeof *v, item_cmp);
    xs__io_isort_rec r;
    size_t got = 0;
    int rc;
    while ((rc = xs__io_isort_next(s, &r, &e)) == 1) {
        if (got < n) {
            CHECK_INT(r.klen, v[got].klen);
            CHECK(!memcmp(r.key, v[got].key, r.klen));
            CHECK_INT(r.line, v[got].line);
            CHECK_INT(r.flags, (v[got].line - 2) & 1);
            char payload[16];
            snprintf(payload, sizeof payload, "p%u", v[got].line);
            CHECK_INT(r.plen, strlen(payload));
            CHECK(!memcmp(r.payload, payload, r.plen));
        }
        got++;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(got, n);
    xs__io_isort_free(s);
    free(v);
}

static void test_random_keys(void)
{
    check_sort(1, 0, 1);
    check_sort(5000, 0, 2);   /* one run, in memory */
    check_sort(5000, 2000, 3); /* about a hundred spilled runs and a heap merge */
    check_sort(3000, 60, 4);   /* one record per run */
}

typedef struct drained {
    uint32_t next_line;
    int bad;
} drained;

static int take(void *ctx, const xs__io_isort_rec *r)
{
    drained *d = ctx;
    if (r->line != d->next_line) d->bad = 1;
    d->next_line++;
    return XS_OK;
}

static void test_in_order(void)
{
    xs__io_isort *s = NULL;
    xs_error e;
    CHECK_INT(xs__io_isort_new(&s, 1000, &e), XS_OK);
    drained d = {2, 0};
    int drains = 0;
    for (uint32_t i = 0; i < 200; i++) {
        char key[16];
        int n = snprintf(key, sizeof key, "K%05u", i);
        int full = 0;
        CHECK_INT(xs__io_isort_add(s, key, (size_t)n, i + 2, 0, "x", 1, &full, &e),
                  XS_OK);
        if (full) {
            drains++;
            CHECK_INT(xs__io_isort_drain(s, take, &d), XS_OK);
            CHECK_INT(xs__io_isort_add(s, key, (size_t)n, i + 2, 0, "x", 1, &full, &e),
                      XS_OK);
            CHECK_INT(full, 0);
        }
    }
    CHECK(drains > 5);
    CHECK_INT(xs__io_isort_in_order(s), 1);
    CHECK_INT(xs__io_isort_drained(s), 1);
    CHECK_INT(xs__io_isort_n_runs(s), 0);
    CHECK_INT(xs__io_isort_finish(s, &e), XS_OK);
    xs__io_isort_rec r;
    while (xs__io_isort_next(s, &r, &e) == 1)
        take(&d, &r);
    CHECK_INT(d.bad, 0);
    CHECK_INT(d.next_line, 202);
    /* after a drain the caller notes later keys: in order, then not */
    CHECK_INT(xs__io_isort_note(s, "K99999", 6), 1);
    CHECK_INT(xs__io_isort_note(s, "K99999", 6), 0);
    CHECK_INT(xs__io_isort_in_order(s), 0);
    xs__io_isort_free(s);
}

/* drain_at: keys in order are handed over every `bytes` of records (each
 * record here is 11 + 6 + 1 = 18 bytes), well before the budget; keys out
 * of order still spill at the budget only. */
static void test_drain_at(void)
{
    xs__io_isort *s = NULL;
    xs_error e;
    CHECK_INT(xs__io_isort_new(&s, 100000, &e), XS_OK);
    xs__io_isort_drain_at(s, 180);
    drained d = {2, 0};
    int drains = 0;
    for (uint32_t i = 0; i < 200; i++) {
        char key[16];
        int n = snprintf(key, sizeof key, "K%05u", i);
        int full = 0;
        CHECK_INT(xs__io_isort_add(s, key, (size_t)n, i + 2, 0, "x", 1, &full, &e),
                  XS_OK);
        if (full) {
            drains++;
            CHECK_INT(xs__io_isort_drain(s, take, &d), XS_OK);
            CHECK_INT(xs__io_isort_add(s, key, (size_t)n, i + 2, 0, "x", 1, &full, &e),
                      XS_OK);
            CHECK_INT(full, 0);
        }
    }
    CHECK_INT(drains, 19); /* 10 records (180 bytes) a drain: 190 of 200 rows */
    CHECK_INT(d.next_line, 192);
    CHECK_INT(xs__io_isort_n_runs(s), 0);
    xs__io_isort_free(s);

    /* out of order: no early hand-over, no spill below the budget */
    CHECK_INT(xs__io_isort_new(&s, 100000, &e), XS_OK);
    xs__io_isort_drain_at(s, 180);
    for (uint32_t i = 0; i < 200; i++) {
        char key[16];
        int n = snprintf(key, sizeof key, "K%05u", (i * 7919u) % 200u);
        int full = 0;
        CHECK_INT(xs__io_isort_add(s, key, (size_t)n, i + 2, 0, "x", 1, &full, &e),
                  XS_OK);
        if (i > 0) CHECK_INT(full, 0);
    }
    CHECK_INT(xs__io_isort_n_runs(s), 0);
    CHECK_INT(xs__io_isort_in_order(s), 0);
    xs__io_isort_free(s);
}

static void test_alloc_failure(void)
{
    int rc = XS_ENOMEM;
    long k;
    for (k = 0; k < 200 && rc != XS_OK; k++) {
        xs__io_isort *s = NULL;
        xs_error e;
        xs__alloc_fail_after(k);
        rc = xs__io_isort_new(&s, 300, &e);
        for (uint32_t i = 0; i < 50 && rc == XS_OK; i++) {
            char key[8] = {(char)('a' + (i * 7) % 26), (char)i};
            int full;
            rc = xs__io_isort_add(s, key, 2, i, 0, "payload", 7, &full, &e);
        }
        if (rc == XS_OK) rc = xs__io_isort_finish(s, &e);
        xs__io_isort_rec r;
        int n = 0, got = 0;
        while (rc == XS_OK && (got = xs__io_isort_next(s, &r, &e)) == 1)
            n++;
        if (rc == XS_OK && got == 0)
            CHECK_INT(n, 50);
        else if (rc == XS_OK)
            rc = got;
        xs__alloc_fail_after(-1);
        if (rc != XS_OK) CHECK_INT(rc, XS_ENOMEM);
        xs__io_isort_free(s);
    }
    CHECK_INT(rc, XS_OK);
    CHECK(k > 3);
}

/* The temporary file limited to 64 KiB (RLIMIT_FSIZE, SIGXFSZ ignored):
 * spills past it fail on the spill thread, and that failure is returned,
 * with its message, by a later add or by finish. */
static void test_write_failure(void)
{
    struct rlimit old, lim;
    CHECK_INT(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 64 * 1024;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
    xs__io_isort *s = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    CHECK_INT(xs__io_isort_new(&s, 16 * 1024, &e), XS_OK);
    uint64_t x = 7;
    int rc = XS_OK;
    for (uint32_t i = 0; i < 20000 && rc == XS_OK; i++) {
        char key[12], payload[32];
        snprintf(key, sizeof key, "%08llu", (unsigned long long)(lcg(&x) % 100000000));
        memset(payload, 'x', sizeof payload);
        int full = 0;
        rc = xs__io_isort_add(s, key, 8, i + 2, 0, payload, sizeof payload, &full, &e);
    }
    if (rc == XS_OK) rc = xs__io_isort_finish(s, &e);
    CHECK_INT(rc, XS_EIO);
    CHECK(strncmp(e.message, "writing a temporary file for sorting: ", 38) == 0);
    xs__io_isort_free(s);
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
}

static const xs_test tests[] = {
    {"random_keys", test_random_keys},
    {"in_order", test_in_order},
    {"drain_at", test_drain_at},
    {"alloc_failure", test_alloc_failure},
    {"write_failure", test_write_failure},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
