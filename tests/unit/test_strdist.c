/*
 * test_strdist.c — edit distance and the closest-name lookup behind the
 * "missing required column" hint.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/strdist.h"

static size_t d(const char *a, const char *b)
{
    return xs__strdist(a, strlen(a), b, strlen(b));
}

static void test_distance(void)
{
    CHECK_INT(d("", ""), 0);
    CHECK_INT(d("abc", ""), 3);
    CHECK_INT(d("", "abc"), 3);
    CHECK_INT(d("kitten", "sitting"), 3);
    CHECK_INT(d("flaw", "lawn"), 2);
    CHECK_INT(d("date", "data"), 1);
    CHECK_INT(d("ab", "ba"), 2); /* no transpositions */
    CHECK_INT(d("same", "same"), 0);
    /* a long string goes through the heap row */
    char a[400], b[400];
    memset(a, 'x', 300);
    a[300] = '\0';
    memcpy(b, a, 301);
    b[150] = 'y';
    CHECK_INT(d(a, b), 1);
    CHECK_INT(d(a, "x"), 299);
    xs__alloc_fail_after(0);
    CHECK(xs__strdist(a, 300, b, 300) == XS_STRDIST_NONE);
    xs__alloc_fail_after(-1);
}

static void test_folded(void)
{
    CHECK_INT(xs__strdist_folded("signup_date", "SignupDate"), 0);
    CHECK_INT(xs__strdist_folded("signup_date", "Signup Date"), 0);
    CHECK_INT(xs__strdist_folded("signup_date", "signup-date"), 0);
    CHECK_INT(xs__strdist_folded("signup_date", "sign_up_dt"), 2);
    CHECK_INT(xs__strdist_folded("ID", "id"), 0);
}

static void test_closest(void)
{
    const char *names[] = {"id", "name", "SignupDate"};
    size_t dist = 99;
    CHECK_INT(xs__strdist_closest("signup_date", names, 3, &dist), 2);
    CHECK_INT(dist, 0);
    /* within n/3 edits of the folded name (10 letters: 3) */
    const char *typo[] = {"name", "signupdat", "sgnup_dte"};
    CHECK_INT(xs__strdist_closest("signup_date", typo, 3, &dist), 1);
    CHECK_INT(dist, 1);
    /* too far: no suggestion, dist untouched */
    dist = 7;
    const char *far[] = {"id", "name", "signup"};
    CHECK_INT(xs__strdist_closest("signup_date", far, 3, &dist), -1);
    CHECK_INT(dist, 7);
    /* a short name still allows one edit; ties go to the first */
    const char *shortn[] = {"qty", "sku", "ski"};
    CHECK_INT(xs__strdist_closest("skx", shortn, 3, NULL), 1);
    /* NULL entries are skipped, an empty list has no match */
    const char *holes[] = {NULL, "Amount"};
    CHECK_INT(xs__strdist_closest("amount", holes, 2, NULL), 1);
    CHECK_INT(xs__strdist_closest("amount", holes, 0, NULL), -1);
}

int main(void)
{
    static const xs_test tests[] = {
        {"distance", test_distance},
        {"folded", test_folded},
        {"closest", test_closest},
    };
    return xs_test_run(tests, XS_N(tests));
}
