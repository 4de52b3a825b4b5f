/*
 * test_base.c — dates, money, interning, arena, hashing, rng, error format,
 * output tables, sorting.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/date.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/intern.h"
#include "base/money.h"
#include "base/rng.h"
#include "base/sort.h"

static void test_date_parse(void)
{
    int32_t d;
    CHECK_INT(xs__date_parse("1970-01-01", 10, &d), 0);
    CHECK_INT(d, 0);
    CHECK_INT(xs__date_parse("2000-03-01", 10, &d), 0);
    CHECK_INT(d, 11017);
    CHECK_INT(xs__date_parse("1969-12-31", 10, &d), 0);
    CHECK_INT(d, -1);
    CHECK_INT(xs__date_parse("2024-02-29", 10, &d), 0);
    CHECK_INT(xs__date_parse("2023-02-29", 10, &d), -1);
    CHECK_INT(xs__date_parse("2024-13-01", 10, &d), -1);
    CHECK_INT(xs__date_parse("2024-00-10", 10, &d), -1);
    CHECK_INT(xs__date_parse("2024-1-01", 9, &d), -1);
    CHECK_INT(xs__date_parse("2024/01/01", 10, &d), -1);
    CHECK_INT(xs__date_parse("", 0, &d), -1);
    const char *ts = "2024-03-01T12:30:00Z";
    CHECK_INT(xs__date_parse(ts, strlen(ts), &d), 0);
    CHECK_INT(d, xs__days_from_civil(2024, 3, 1));
    ts = "2024-03-01 12:30:15.250+09:00";
    CHECK_INT(xs__date_parse(ts, strlen(ts), &d), 0);
    ts = "2024-03-01T25:00";
    CHECK_INT(xs__date_parse(ts, strlen(ts), &d), -1);
    ts = "2024-03-01Tx";
    CHECK_INT(xs__date_parse(ts, strlen(ts), &d), -1);
}

static void test_date_day_and_param(void)
{
    int32_t d = 0;
    CHECK_INT(xs__date_parse_day("2024-02-29", &d), 0);
    CHECK_INT(d, xs__days_from_civil(2024, 2, 29));
    CHECK_INT(xs__date_parse_day("2024-02-29T10:00Z", &d), -1); /* a day only */
    CHECK_INT(xs__date_parse_day("2023-02-29", &d), -1);
    CHECK_INT(xs__date_parse_day("2024-2-29", &d), -1);
    CHECK_INT(xs__date_parse_day(NULL, &d), -1);
    xs_error e;
    CHECK_INT(xs__date_param("2024-03-01T12:30:00Z", "as_of", &d, &e), XS_OK);
    CHECK_INT(d, xs__days_from_civil(2024, 3, 1));
    CHECK_INT(xs__date_param("2024-13-01", "from", &d, &e), XS_EINVAL);
    CHECK_STR(e.message, "not a date: \"2024-13-01\"");
    CHECK_STR(e.param, "from");
    CHECK_INT(xs__date_param(NULL, "cutoff", &d, &e), XS_EINVAL);
    CHECK_STR(e.message, "not a date: \"\"");
    CHECK_INT(xs__date_param("x", "cutoff", &d, NULL), XS_EINVAL);
}

static void test_date_roundtrip(void)
{
    char buf[11];
    for (int32_t d = -800000; d < 800000; d += 37) {
        int y, m, dd;
        xs__civil_from_days(d, &y, &m, &dd);
        CHECK_INT(xs__days_from_civil(y, m, dd), d);
    }
    xs__date_format(xs__days_from_civil(2026, 11, 22), buf);
    CHECK_STR(buf, "2026-11-22");
    CHECK_INT(xs__date_add_months(xs__days_from_civil(2024, 1, 31), 1),
              xs__days_from_civil(2024, 2, 29));
    CHECK_INT(xs__date_add_months(xs__days_from_civil(2024, 3, 15), -3),
              xs__days_from_civil(2023, 12, 15));
    CHECK_INT(xs__date_add_months(xs__days_from_civil(2024, 5, 31), 12),
              xs__days_from_civil(2025, 5, 31));
}

static void test_money(void)
{
    int64_t v;
    char buf[32];
    CHECK_INT(xs__money_parse("12.34", 5, 2, &v), 0);
    CHECK_INT(v, 1234);
    CHECK_INT(xs__money_parse("-3.5", 4, 2, &v), 0);
    CHECK_INT(v, -350);
    CHECK_INT(xs__money_parse("7", 1, 2, &v), 0);
    CHECK_INT(v, 700);
    CHECK_INT(xs__money_parse(".5", 2, 2, &v), 0);
    CHECK_INT(v, 50);
    CHECK_INT(xs__money_parse("1.230", 5, 2, &v), 0);
    CHECK_INT(v, 123);
    CHECK_INT(xs__money_parse("1.234", 5, 2, &v), -2);
    CHECK_INT(xs__money_parse("1,234", 5, 2, &v), -1);
    CHECK_INT(xs__money_parse("abc", 3, 2, &v), -1);
    CHECK_INT(xs__money_parse("", 0, 2, &v), -1);
    CHECK_INT(xs__money_parse("-", 1, 2, &v), -1);
    CHECK_INT(xs__money_parse(".", 1, 2, &v), -1);
    CHECK_INT(xs__money_parse("99999999999999999999", 20, 2, &v), -3);
    CHECK_INT(xs__money_parse("500", 3, 0, &v), 0);
    CHECK_INT(v, 500);
    xs__money_format(-350, 2, buf, sizeof buf);
    CHECK_STR(buf, "-3.50");
    xs__money_format(5, 2, buf, sizeof buf);
    CHECK_STR(buf, "0.05");
    xs__money_format(500, 0, buf, sizeof buf);
    CHECK_STR(buf, "500");
}

static void test_intern(void)
{
    xs__intern t;
    xs__intern_init(&t);
    char key[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "c%d", i);
        CHECK_INT(xs__intern_add(&t, key, strlen(key)), i);
    }
    for (int i = 0; i < 10000; i += 7) {
        snprintf(key, sizeof key, "c%d", i);
        CHECK_INT(xs__intern_add(&t, key, strlen(key)), i);
        CHECK_INT(xs__intern_find(&t, key, strlen(key)), i);
    }
    CHECK_STR(xs__intern_str(&t, 42), "c42");
    CHECK_INT(xs__intern_find(&t, "zz", 2), XS_INTERN_NONE);
    CHECK_INT(xs__intern_find(&t, "c4", 1), XS_INTERN_NONE); /* prefix "c" */
    CHECK_INT(t.n, 10000);
    xs__intern_free(&t);
}

static void test_arena_and_alloc_failure(void)
{
    xs__arena a;
    xs__arena_init(&a, 1024);
    char *p = xs__arena_alloc(&a, 10);
    CHECK(p != NULL);
    CHECK_INT(((uintptr_t)p) % 16, 0);
    char *big = xs__arena_alloc(&a, 100000);
    CHECK(big != NULL);
    memset(big, 1, 100000);
    CHECK_STR(xs__arena_strndup(&a, "hello!", 5), "hello");
    xs__arena_free(&a);

    xs__alloc_fail_after(2);
    void *a1 = xs__malloc(8), *a2 = xs__malloc(8), *a3 = xs__malloc(8);
    xs__alloc_fail_after(-1);
    CHECK(a1 && a2);
    CHECK(a3 == NULL);
    xs__free(a1);
    xs__free(a2);
    /* interning under allocation failure never crashes and reports NONE */
    for (long n = 0; n < 12; n++) {
        xs__intern t;
        xs__intern_init(&t);
        xs__alloc_fail_after(n);
        uint32_t id = 0;
        for (int i = 0; i < 100 && id != XS_INTERN_NONE; i++) {
            char key[16];
            snprintf(key, sizeof key, "k%d", i);
            id = xs__intern_add(&t, key, strlen(key));
        }
        xs__alloc_fail_after(-1);
        CHECK(id == XS_INTERN_NONE);
        xs__intern_free(&t);
    }
}

static void test_hash_rng(void)
{
    CHECK(xs__hash_bytes("abc", 3, 0) == xs__hash_bytes("abc", 3, 0));
    CHECK(xs__hash_bytes("abc", 3, 0) != xs__hash_bytes("abd", 3, 0));
    CHECK(xs__hash_bytes("abc", 3, 0) != xs__hash_bytes("abc", 3, 1));
    xs__rng r1, r2;
    xs__rng_seed(&r1, 7);
    xs__rng_seed(&r2, 7);
    for (int i = 0; i < 100; i++) CHECK(xs__rng_next(&r1) == xs__rng_next(&r2));
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        double u = xs__rng_uniform(&r1);
        CHECK(u >= 0 && u < 1);
        sum += u;
    }
    CHECK_NEAR(sum / 100000, 0.5, 0.01);
    uint64_t counts[3] = {0};
    for (int i = 0; i < 30000; i++) counts[xs__rng_below(&r1, 3)]++;
    for (int k = 0; k < 3; k++) CHECK_NEAR(counts[k], 10000, 400);
    double ps = 0;
    for (int i = 0; i < 20000; i++) ps += (double)xs__rng_poisson(&r1, 4.0);
    CHECK_NEAR(ps / 20000, 4.0, 0.1);
}

static void test_error_format(void)
{
    xs_error e;
    char buf[256];
    xs__error_set(&e, XS_EPARSE, "customers.csv", 17, "signup_date", "not a date: %s",
                  "\"2024-13-01\"");
    CHECK_STR(xs_error_format(&e, buf, sizeof buf),
              "customers.csv:17: signup_date: not a date: \"2024-13-01\"");
    xs__error_set(&e, XS_EIO, "x.csv", 0, NULL, "cannot open: No such file");
    CHECK_STR(xs_error_format(&e, buf, sizeof buf), "x.csv: cannot open: No such file");
    /* a parameter stands where a column would; a later set clears it */
    CHECK_INT(xs__error_param(&e, XS_EINVAL, NULL, "as_of", "not a date: %s", "\"x\""),
              XS_EINVAL);
    CHECK_STR(e.param, "as_of");
    CHECK_STR(e.column, "");
    CHECK_STR(xs_error_format(&e, buf, sizeof buf), "as_of: not a date: \"x\"");
    xs__error_param(&e, XS_ENOTFOUND, "m.csv", "id", "unknown column \"cid\"");
    CHECK_STR(xs_error_format(&e, buf, sizeof buf), "m.csv: id: unknown column \"cid\"");
    xs__error_set(&e, XS_ECONFLICT, NULL, 0, NULL, "exists");
    CHECK_STR(e.param, "");
    CHECK_STR(xs_strerror(XS_ECONFLICT), "conflicts with the stored state");
    CHECK(xs__error_param(NULL, XS_EIO, NULL, "p", "x") == XS_EIO);
    /* a condition names the error just set; the next set clears it */
    CHECK_INT(e.condition, XS_COND_NONE);
    CHECK_INT(
        xs__error_cond(&e, XS_COND_NOT_BUILT,
                       xs__error_set(&e, XS_ENOTFOUND, NULL, 0, NULL, "never built")),
        XS_ENOTFOUND);
    CHECK_INT(e.condition, XS_COND_NOT_BUILT);
    xs__error_set(&e, XS_ENOTFOUND, NULL, 0, NULL, "store was never built");
    CHECK_INT(e.condition, XS_COND_NONE);
    xs__error_cond(&e, XS_COND_NO_OUTCOMES, XS_EINVAL);
    xs__error_param(&e, XS_EINVAL, NULL, "p", "x");
    CHECK_INT(e.condition, XS_COND_NONE);
    CHECK(xs__error_cond(NULL, XS_COND_NOT_BUILT, XS_EIO) == XS_EIO);
    CHECK_STR(xs_strerror(XS_ENOMEM), "out of memory");
    CHECK_STR(xs_strerror(12345), "unknown error");
    char q[32];
    xs__error_quote(q, sizeof q, "a\"b\n", 4);
    CHECK_STR(q, "\"a\\\"b\\x0a\"");
    /* long values are cut after 80 bytes, never inside a character: 30 x
     * U+65E5 (3 bytes each) shows 26 of them, then ... */
    char jp[128], want[128], big[256];
    for (int k = 0; k < 30; k++)
        memcpy(jp + 3 * k, "\xe6\x97\xa5", 3);
    want[0] = '"';
    memcpy(want + 1, jp, 78);
    memcpy(want + 79, "...\"", 5);
    xs__error_quote(big, sizeof big, jp, 90);
    CHECK_STR(big, want);
    /* a small buffer: cut to fit, on a character boundary too */
    xs__error_quote(q, sizeof q, jp, 90);
    CHECK_STR(q, "\"\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5...\"");
    CHECK(xs__error_set(NULL, XS_EIO, NULL, 0, NULL, "x") == XS_EIO);
}

static void test_table_formats(void)
{
    xs_table *t = xs_table_new();
    CHECK(t != NULL);
    xs_table_column(t, "item", XS_COL_TEXT);
    xs_table_column(t, "n", XS_COL_NUM);
    xs_table_row(t);
    xs_table_cell(t, "milk, \"fresh\"");
    xs_table_cellf(t, "%d", 42);
    xs_table_row(t);
    xs_table_cell(t, "パン");
    xs_table_cell(t, NULL);
    char buf[512];
    for (int f = 0; f < 3; f++) {
        FILE *m = fmemopen(buf, sizeof buf, "w");
        xs_table_write(t, m, (xs_format)f);
        fclose(m);
        if (f == XS_FORMAT_TABLE)
            CHECK_STR(buf, "item            n\n"
                           "-------------  --\n"
                           "milk, \"fresh\"  42\n"
                           "パン             \n");
        if (f == XS_FORMAT_JSON)
            CHECK_STR(buf, "[\n {\"item\": \"milk, \\\"fresh\\\"\", \"n\": 42},\n"
                           " {\"item\": \"パン\", \"n\": null}\n]\n");
        if (f == XS_FORMAT_CSV)
            CHECK_STR(buf, "item,n\n\"milk, \"\"fresh\"\"\",42\nパン,\n");
    }
    CHECK_INT(xs_table_rows(t), 2);
    xs_format fmt;
    CHECK_INT(xs_format_parse("json", &fmt), XS_OK);
    CHECK_INT(fmt, XS_FORMAT_JSON);
    CHECK_INT(xs_format_parse("xml", &fmt), XS_EINVAL);
    xs_table_free(t);
}

/* Doubles ordered as the radix sort orders their keys, by a comparison. */
static int cmp_dbl_then_index(const void *a, const void *b)
{
    const double *x = a, *y = b; /* {value, index} pairs */
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* The radix sort against qsort: doubles (negatives, -0.0 beside 0.0,
 * infinities, many repeats) and integers, stable, from 0 to 5,000 keys. */
static void test_radix_sort(void)
{
    static const double special[] = {0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, 1e-300,
                                     -1e-300, 4.9e-324, 123.25, 123.25};
    enum { N = 5000 };
    xs__sort_kv *kv = malloc(2 * N * sizeof *kv);
    double(*ref)[2] = malloc(N * sizeof *ref);
    if (!kv || !ref) {
        CHECK(0);
        return;
    }
    xs__rng r;
    xs__rng_seed(&r, 7);
    const size_t sizes[] = {0, 1, 2, 11, 100, N};
    for (size_t si = 0; si < 6; si++) {
        size_t n = sizes[si], bad = 0;
        for (size_t i = 0; i < n; i++) {
            double x = i < 11 ? special[i]
                       : xs__rng_below(&r, 3) == 0
                           ? (double)xs__rng_below(&r, 50) - 25 /* repeats */
                           : ((double)xs__rng_below(&r, 2000000) - 1e6) * 1e-3;
            kv[i].key = xs__sort_key_double(x);
            kv[i].i = (uint32_t)i;
            ref[i][0] = x == 0 ? 0.0 : x;
            ref[i][1] = (double)i;
        }
        const xs__sort_kv *v = xs__sort_kv_radix(kv, kv + n, n);
        qsort(ref, n, sizeof *ref, cmp_dbl_then_index);
        for (size_t i = 0; i < n; i++) bad += v[i].i != (uint32_t)ref[i][1];
        CHECK_INT(bad, 0);
    }
    /* integers: xs__sort_key_i64 */
    int64_t ints[] = {5, -3, INT64_MIN, INT64_MAX, 0, -3, 7};
    for (size_t i = 0; i < 7; i++) kv[i] = (xs__sort_kv){xs__sort_key_i64(ints[i]), (uint32_t)i};
    const xs__sort_kv *v = xs__sort_kv_radix(kv, kv + 7, 7);
    const uint32_t want[] = {2, 1, 5, 4, 0, 6, 3};
    for (size_t i = 0; i < 7; i++) CHECK_INT(v[i].i, want[i]);
    free(kv);
    free(ref);
}

static int cmp_u32_ref(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}
static int cmp_u64_ref(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}
static int cmp_i32_ref(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* One of the shapes the integer sorts are tried on: random over the whole
 * range, few distinct values, sorted, reversed, all equal, organ pipe. */
static uint64_t shaped(xs__rng *r, int shape, size_t i, size_t n)
{
    switch (shape) {
    case 0: return xs__rng_next(r);
    case 1: return xs__rng_below(r, 4);
    case 2: return i;
    case 3: return n - i;
    case 4: return 7;
    default: return i < n / 2 ? i : n - i;
    }
}

/* xs__sort_u32 / _u64 / _i32 against qsort: every size up to 300 (the
 * insertion sort, the quicksort and its small partitions) and large
 * arrays, in every shape, with the extremes of each type. */
static void test_int_sorts(void)
{
    enum { MAXN = 100000 };
    uint64_t *a = malloc(MAXN * sizeof *a), *b = malloc(MAXN * sizeof *b);
    if (!a || !b) {
        CHECK(0);
        free(a);
        free(b);
        return;
    }
    xs__rng r;
    xs__rng_seed(&r, 11);
    size_t bad[3] = {0, 0, 0};
    for (size_t n = 0; n <= MAXN; n = n < 300 ? n + 1 : n * 4 + 17) {
        for (int shape = 0; shape < 6; shape++) {
            for (size_t i = 0; i < n; i++) a[i] = shaped(&r, shape, i, n);
            if (n > 2) a[0] = UINT64_MAX, a[n / 2] = 0, a[n - 1] = (uint64_t)1 << 63;
            uint32_t *u = (uint32_t *)b, *w = (uint32_t *)b + MAXN;
            for (size_t i = 0; i < n; i++) u[i] = w[i] = (uint32_t)a[i];
            xs__sort_u32(u, n);
            qsort(w, n, sizeof *w, cmp_u32_ref);
            bad[0] += n && memcmp(u, w, n * sizeof *u) != 0;
            int32_t *x = (int32_t *)b, *y = (int32_t *)b + MAXN;
            for (size_t i = 0; i < n; i++) x[i] = y[i] = (int32_t)(uint32_t)(a[i] >> 7);
            if (n > 2) x[1] = y[1] = INT32_MIN, x[2] = y[2] = INT32_MAX;
            xs__sort_i32(x, n);
            qsort(y, n, sizeof *y, cmp_i32_ref);
            bad[1] += n && memcmp(x, y, n * sizeof *x) != 0;
            memcpy(b, a, n * sizeof *a);
            xs__sort_u64(a, n);
            qsort(b, n, sizeof *b, cmp_u64_ref);
            bad[2] += n && memcmp(a, b, n * sizeof *a) != 0;
        }
    }
    CHECK_INT(bad[0], 0);
    CHECK_INT(bad[1], 0);
    CHECK_INT(bad[2], 0);
    free(a);
    free(b);
}

int main(void)
{
    static const xs_test tests[] = {
        {"date_parse", test_date_parse},
        {"date_roundtrip", test_date_roundtrip},
        {"date_day_and_param", test_date_day_and_param},
        {"money", test_money},
        {"intern", test_intern},
        {"arena_and_alloc_failure", test_arena_and_alloc_failure},
        {"hash_rng", test_hash_rng},
        {"error_format", test_error_format},
        {"table_formats", test_table_formats},
        {"radix_sort", test_radix_sort},
        {"int_sorts", test_int_sorts},
    };
    return xs_test_run(tests, XS_N(tests));
}
