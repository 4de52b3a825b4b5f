/*
 * test.h — a tiny assert header for the unit tests: each check prints the
 * expression and both values when it fails, and the run ends with the plain
 * summary line "N passed, N failed".
 *
 * A test file defines `static void test_x(void)` functions and lists them in
 * a table:  static const xs_test tests[] = {{"x", test_x}, ...};
 * then `int main(void) { return xs_test_run(tests, XS_N(tests)); }`.
 *
 * Tests that need data from outside the repository (../shared/data) are
 * named "data:NAME" and call xs_test_skip("why") and return when it is
 * absent. CMake runs such a file twice: as NAME with XS_TEST_PART=core (all
 * but the data tests) and as NAME_data with XS_TEST_PART=data (only those);
 * a run where nothing failed and something was skipped exits 77, which CTest
 * reports as skipped (SKIP_RETURN_CODE), never as passed. XS_TEST=NAME runs
 * one test.
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

static long xs_test_checks, xs_test_failures, xs_test_skips;

/* Marks the running test as skipped and says why; the caller returns. */
static inline void xs_test_skip(const char *why)
{
    xs_test_skips++;
    printf("skipped: %s\n", why);
}

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

/* xs_test_skip() for a data file that is absent. */
static inline void xs_test_skip_absent(const char *path)
{
    char why[1200];
    snprintf(why, sizeof why, "%s absent", path);
    xs_test_skip(why);
}

/* Whether test `name` belongs to the part XS_TEST_PART selects. */
static inline int xs_test_in_part(const char *name)
{
    const char *part = getenv("XS_TEST_PART");
    int data = strncmp(name, "data:", 5) == 0;
    if (!part) return 1;
    return strcmp(part, "data") == 0 ? data : !data;
}

static inline int xs_test_run(const xs_test *tests, size_t n)
{
    size_t passed = 0, failed = 0, skipped = 0;
    const char *only = getenv("XS_TEST");
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, tests[i].name)) continue;
        if (!xs_test_in_part(tests[i].name)) continue;
        long before = xs_test_failures, skips = xs_test_skips;
        tests[i].fn();
        if (xs_test_failures != before) {
            failed++;
            printf("FAIL %s\n", tests[i].name);
        } else if (xs_test_skips != skips) {
            skipped++;
            printf("skip %s\n", tests[i].name);
        } else {
            passed++;
            printf("ok %s\n", tests[i].name);
        }
    }
    printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
    return failed ? 1 : skipped ? 77 : 0;
}

#endif
