/*
 * test_buf.c — the one growable buffer (src/base/buf.h): exact bytes of
 * every append, growth across many doublings, JSON reals against jansson's
 * own json_dumps on random values, the CSV rule, sticky out-of-memory from
 * every allocation point, and the spill to a stream (thresholds, a failed
 * write).
 */
#include "test.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/rng.h"
#include "xsell.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>

static void test_appends(void)
{
    xs__buf b = {0};
    CHECK_STR(xs__buf_cstr(&b), "");
    xs__buf_add(&b, NULL, 0);
    CHECK(b.p == NULL);
    xs__buf_adds(&b, "ab");
    xs__buf_addc(&b, 'c');
    xs__buf_add(&b, "d\0e", 3);
    xs__buf_printf(&b, "[%d|%s]", -7, "x");
    xs__buf_int(&b, LLONG_MIN);
    xs__buf_addc(&b, ' ');
    xs__buf_int(&b, 42);
    CHECK_INT(b.n, 6 + 6 + 20 + 1 + 2);
    CHECK(!memcmp(b.p, "abcd\0e[-7|x]-9223372036854775808 42", b.n));
    CHECK_INT(b.err, 0);
    size_t len = 0;
    char *s = xs__buf_take(&b, &len);
    CHECK_INT(len, 35);
    CHECK_INT(s[len], 0);
    CHECK(b.p == NULL && b.n == 0 && b.cap == 0);
    xs__free(s);
    /* take of an empty buffer: "" */
    s = xs__buf_take(&b, &len);
    CHECK_STR(s, "");
    CHECK_INT(len, 0);
    xs__free(s);
}

/* Many doublings, by each kind of append: the bytes equal a reference
 * written by hand. */
static void test_growth(void)
{
    xs__buf b = {0};
    static char want[200000];
    size_t w = 0;
    for (int i = 0; w < sizeof want - 200; i++) {
        switch (i % 3) {
        case 0:
            xs__buf_printf(&b, "%d,", i);
            w += (size_t)snprintf(want + w, sizeof want - w, "%d,", i);
            break;
        case 1:
            xs__buf_addc(&b, 'x');
            want[w++] = 'x';
            break;
        default: {
            char big[150];
            memset(big, 'a' + i % 26, sizeof big);
            xs__buf_add(&b, big, (size_t)(i % 150));
            memcpy(want + w, big, (size_t)(i % 150));
            w += (size_t)(i % 150);
        }
        }
        CHECK(b.n < b.cap); /* the spare byte */
    }
    CHECK_INT(b.n, w);
    CHECK(!memcmp(b.p, want, w));
    /* one printf larger than everything held */
    xs__buf_reset(&b);
    CHECK_INT(b.n, 0);
    xs__buf_printf(&b, "%*d", 300000, 5);
    CHECK_INT(b.n, 300000);
    CHECK_INT(b.p[299999], '5');
    xs__buf_free(&b);
    CHECK(b.p == NULL && b.cap == 0);
    xs__buf_free(NULL);
}

static void test_json(void)
{
    xs__buf b = {0};
    xs__buf_json_cstr(&b, "a\"b\\c\n\x01/\x7f");
    xs__buf_addc(&b, ' ');
    xs__buf_json_cstr(&b, NULL);
    xs__buf_addc(&b, ' ');
    xs__buf_json_str(&b, "x\0y", 3);
    CHECK_STR(xs__buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001/\x7f\" null \"x\\u0000y\"");
    /* UTF-8 checked only when asked */
    xs__buf_reset(&b);
    xs__buf_json_cstr(&b, "\xff");
    CHECK_INT(b.bad_utf8, 0);
    b.check_utf8 = 1;
    xs__buf_json_cstr(&b, "\xe3\x81\x82");
    CHECK_INT(b.bad_utf8, 0);
    xs__buf_json_cstr(&b, "\xe3\x81");
    CHECK_INT(b.bad_utf8, 1);
    CHECK_STR(xs__buf_cstr(&b), "\"\xff\"\"\xe3\x81\x82\"\"\xe3\x81\"");
    /* reals: fixed cases */
    static const struct {
        double v;
        const char *want;
    } cases[] = {{0, "0.0"},
                 {1, "1.0"},
                 {-2, "-2.0"},
                 {0.5, "0.5"},
                 {0.1, "0.10000000000000001"},
                 {1e300, "1.0000000000000001e300"},
                 {1e22, "1e22"},
                 {-1.5e-7, "-1.4999999999999999e-7"},
                 {1e17, "1e17"},
                 {123456789012, "123456789012.0"}};
    for (size_t i = 0; i < XS_N(cases); i++) {
        xs__buf_reset(&b);
        xs__buf_json_num(&b, cases[i].v);
        CHECK_STR(xs__buf_cstr(&b), cases[i].want);
    }
    xs__buf_reset(&b);
    xs__buf_json_num(&b, NAN);
    xs__buf_addc(&b, ',');
    xs__buf_json_num(&b, -INFINITY);
    CHECK_STR(xs__buf_cstr(&b), "null,null");
    /* fixed: "2.67" (the cell) read back, and nothing for a non-finite one */
    xs__buf_reset(&b);
    CHECK_INT(xs__buf_json_fixed(&b, 2, 2.675), 0);
    CHECK_STR(xs__buf_cstr(&b), "2.6699999999999999");
    CHECK_INT(xs__buf_json_fixed(&b, 2, NAN), -1);
    CHECK_STR(xs__buf_cstr(&b), "2.6699999999999999");
    xs__buf_free(&b);
}

/* Random reals of every magnitude against jansson's json_dumps. */
static void test_json_num_vs_jansson(void)
{
    xs__rng rng;
    xs__rng_seed(&rng, 18);
    xs__buf b = {0};
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = xs__rng_next(&rng);
        double v;
        if (i % 2) {
            memcpy(&v, &bits, sizeof v);
            if (!isfinite(v)) continue;
        } else {
            v = (double)(bits >> 11) / 9007199254740992.0 *
                pow(10, (double)(i % 40) - 20);
        }
        json_t *j = json_real(v);
        char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        xs__buf_reset(&b);
        xs__buf_json_num(&b, v);
        if (strcmp(xs__buf_cstr(&b), want) && bad++ < 5)
            CHECK_STR(xs__buf_cstr(&b), want);
        free(want);
        json_decref(j);
    }
    CHECK_INT(bad, 0);
    xs__buf_free(&b);
}

static void test_csv(void)
{
    static const struct {
        const char *in;
        char delim;
        int lone;
        const char *want;
    } cases[] = {
        {"plain", ',', 0, "plain"},
        {"a,b", ',', 0, "\"a,b\""},
        {"a;b", ',', 0, "a;b"},
        {"a;b", ';', 0, "\"a;b\""},
        {"a\"b", ',', 0, "\"a\"\"b\""},
        {"a\nb", ',', 0, "\"a\nb\""},
        {"a\rb", ',', 0, "\"a\rb\""},
        {" a", ',', 0, "\" a\""},
        {"a\t", ',', 0, "\"a\t\""},
        {"\xef\xbb\xbfx", ',', 0, "\"\xef\xbb\xbfx\""},
        {"", ',', 0, ""},
        {"", ',', 1, "\"\""},
    };
    xs__buf b = {0};
    for (size_t i = 0; i < XS_N(cases); i++) {
        xs__buf_reset(&b);
        xs__buf_csv_field(&b, cases[i].in, strlen(cases[i].in), cases[i].delim,
                          cases[i].lone);
        CHECK_STR(xs__buf_cstr(&b), cases[i].want);
    }
    xs__buf_free(&b);
}

/* Fail the Nth allocation for every N a run makes: err is XS_ENOMEM, later
 * appends do nothing, take gives NULL and frees; nothing leaks (ASan). */
static void test_enomem(void)
{
    for (long fail = 0;; fail++) {
        xs__alloc_fail_after(fail);
        xs__buf b = {0};
        for (int i = 0; i < 2000; i++) {
            xs__buf_json_cstr(&b, "key");
            xs__buf_addc(&b, ':');
            xs__buf_printf(&b, "%d", i);
            xs__buf_add(&b, ",", 1);
        }
        long made = xs__alloc_fail_after(-1);
        if (!b.err) {
            CHECK(made <= fail);
            xs__buf_free(&b);
            break;
        }
        CHECK_INT(b.err, XS_ENOMEM);
        size_t n = b.n;
        xs__buf_adds(&b, "more");
        xs__buf_addc(&b, 'x');
        xs__buf_int(&b, 1);
        CHECK_INT(b.n, n);
        CHECK(xs__buf_take(&b, NULL) == NULL);
        CHECK(b.p == NULL);
    }
}

static void test_stream(void)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) return;
    xs__buf b = {0};
    xs__buf_to_file(&b, f, 10);
    xs__buf_adds(&b, "12345");
    xs__buf_spill(&b); /* below the threshold: kept */
    CHECK_INT(b.n, 5);
    CHECK_INT(ftell(f), 0);
    xs__buf_adds(&b, "67890");
    xs__buf_spill(&b); /* at it: written */
    CHECK_INT(b.n, 0);
    xs__buf_csv_field(&b, "a,b", 3, ',', 0);
    CHECK_INT(xs__buf_flush(&b), 0);
    CHECK_INT(b.n, 0);
    CHECK_INT(xs__buf_flush(&b), 0); /* nothing held: nothing written */
    fflush(f);
    rewind(f);
    char got[64] = {0};
    CHECK_INT(fread(got, 1, sizeof got - 1, f), 15);
    CHECK_STR(got, "1234567890\"a,b\"");
    fclose(f);
    xs__buf_free(&b);
    CHECK(b.f == f && b.flush_at == 10); /* the stream stays attached */

    /* a write that fails: EIO kept with the errno, later bytes dropped */
    FILE *full = fopen("/dev/full", "w");
    if (!full) return;
    setvbuf(full, NULL, _IONBF, 0);
    xs__buf d = {0};
    xs__buf_to_file(&d, full, 1);
    xs__buf_adds(&d, "x");
    xs__buf_spill(&d);
    CHECK_INT(d.err, XS_EIO);
    CHECK_INT(d.sys_errno, ENOSPC);
    xs__buf_adds(&d, "y");
    CHECK_INT(d.n, 0);
    CHECK_INT(xs__buf_flush(&d), XS_EIO);
    fclose(full);
    xs__buf_free(&d);
}

int main(void)
{
    static const xs_test tests[] = {
        {"appends", test_appends}, {"growth", test_growth},
        {"json", test_json},       {"json_num_vs_jansson", test_json_num_vs_jansson},
        {"csv", test_csv},         {"enomem", test_enomem},
        {"stream", test_stream},
    };
    return xs_test_run(tests, XS_N(tests));
}
