/*
 * test.h — a tiny assert header for the unit tests: each check prints the
 * expression and both values when it fails, and the run ends with the plain
 * summary line "N passed, N failed".
 *
 * A test file defines `static void test_x(void)` functions and lists them in
 * a table:  static const xs_test tests[] = {{"x", test_x}, ...};
 * then `int main(void) { return xs_test_run(tests, XS_N(tests)); }`.
 */
#ifndef XS_TEST_H
#define XS_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct xs_test {
    const char *name;
    void (*fn)(void);
} xs_test;

#define XS_N(a) (sizeof(a) / sizeof((a)[0]))

static long xs_test_checks, xs_test_failures;

#define XS__FAIL(...)                                                    \
    do {                                                                 \
        xs_test_failures++;                                              \
        fprintf(stderr, "%s:%d: check failed: ", __FILE__, __LINE__);    \
        fprintf(stderr, __VA_ARGS__);                                    \
        fputc('\n', stderr);                                             \
    } while (0)

#define CHECK(cond)                                                      \
    do {                                                                 \
        xs_test_checks++;                                                \
        if (!(cond)) XS__FAIL("%s", #cond);                              \
    } while (0)

#define CHECK_INT(a, b)                                                  \
    do {                                                                 \
        long long xa_ = (long long)(a), xb_ = (long long)(b);            \
        xs_test_checks++;                                                \
        if (xa_ != xb_) XS__FAIL("%s == %s (%lld vs %lld)", #a, #b, xa_, xb_); \
    } while (0)

#define CHECK_STR(a, b)                                                  \
    do {                                                                 \
        const char *xa_ = (a), *xb_ = (b);                               \
        xs_test_checks++;                                                \
        if (!xa_ || !xb_ || strcmp(xa_, xb_))                            \
            XS__FAIL("%s == %s (\"%s\" vs \"%s\")", #a, #b, xa_ ? xa_ : "(null)", \
                     xb_ ? xb_ : "(null)");                              \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                            \
    do {                                                                 \
        double xa_ = (double)(a), xb_ = (double)(b);                     \
        xs_test_checks++;                                                \
        if (!(fabs(xa_ - xb_) <= (tol)))                                 \
            XS__FAIL("%s ~ %s (%.17g vs %.17g, tol %g)", #a, #b, xa_, xb_, (double)(tol)); \
    } while (0)

static inline int xs_test_run(const xs_test *tests, size_t n)
{
    size_t passed = 0, failed = 0;
    const char *only = getenv("XS_TEST");
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, tests[i].name)) continue;
        long before = xs_test_failures;
        tests[i].fn();
        if (xs_test_failures == before) {
            passed++;
            printf("ok %s\n", tests[i].name);
        } else {
            failed++;
            printf("FAIL %s\n", tests[i].name);
        }
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}

#endif
