/*
 * test_heap.c — the heap faulted in ahead (src/base/heap.c): populating
 * never changes a byte, the idle thread covers exactly the whole pages of
 * its range and stops when told, and glibc cuts the next allocations from
 * a block given back at the top of the heap (the premise of
 * xs__heap_warm_start). Skipped on a kernel that cannot populate (before
 * Linux 5.14).
 */
#include "test.h"

#include "base/heap.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define MB ((size_t)1 << 20)

/* A buffer of n bytes holding a pattern of seed. */
static unsigned char *patterned(size_t n, unsigned seed)
{
    unsigned char *b = malloc(n);
    for (size_t i = 0; b && i < n; i++)
        b[i] = (unsigned char)(i * 31u + seed);
    return b;
}

static int pattern_kept(const unsigned char *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != (unsigned char)(i * 31u + seed)) return 0;
    return 1;
}

/* The whole pages inside [p, p + n). */
static size_t whole_pages(const void *p, size_t n)
{
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = ((uintptr_t)p + pg - 1) & ~(pg - 1);
    uintptr_t to = ((uintptr_t)p + n) & ~(pg - 1);
    return to > from ? (size_t)(to - from) : 0;
}

/* Whether this kernel can populate (MADV_POPULATE_WRITE, Linux 5.14);
 * when not, the running test is skipped. */
static int populate_or_skip(void)
{
    unsigned char *b = patterned(4096, 1);
    int ok = b && xs__heap_populate(b, 4096) == 0;
    free(b);
    if (!ok)
        xs_test_skip("this kernel cannot populate (MADV_POPULATE_WRITE, Linux 5.14)");
    return ok;
}

static void test_populate_keeps_bytes(void)
{
    if (!populate_or_skip()) return;
    size_t n = 6 * MB + 123;
    unsigned char *b = patterned(n, 7);
    CHECK(b != NULL);
    if (!b) return;
    CHECK_INT(xs__heap_populate(b + 1, n - 2), 0); /* not page-aligned at either end */
    CHECK_INT(xs__heap_populate(b, 0), 0);
    CHECK(pattern_kept(b, n, 7));
    free(b);
}

static void test_warm_range(void)
{
    if (!populate_or_skip()) return;
    /* waited for: every whole page of the range, over several chunks and
     * a part of one */
    size_t n = 9 * MB + 5000;
    unsigned char *b = patterned(n, 3);
    CHECK(b != NULL);
    if (!b) return;
    xs__heap_warm *w = xs__heap_warm_range(b + 10, n - 20);
    CHECK(w != NULL);
    CHECK_INT(xs__heap_warm_stop(w, 1), whole_pages(b + 10, n - 20));
    CHECK(pattern_kept(b, n, 3));
    /* stopped at once: no more than the range, the bytes still kept */
    w = xs__heap_warm_range(b, n);
    CHECK(w != NULL);
    size_t done = xs__heap_warm_stop(w, 0);
    CHECK(done <= whole_pages(b, n));
    CHECK(pattern_kept(b, n, 3));
    /* no whole page: no thread */
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    unsigned char *in = (unsigned char *)(((uintptr_t)b + pg - 1) & ~(pg - 1)) + 1;
    CHECK(xs__heap_warm_range(in, (size_t)pg - 2) == NULL);
    CHECK_INT(xs__heap_warm_stop(NULL, 1), 0);
    free(b);
}

static void test_warm_start(void)
{
    /* too little to be worth a thread */
    CHECK(xs__heap_warm_start(XS__HEAP_WARM_MIN - 1) == NULL);
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
    if (!populate_or_skip()) return;
    xs__heap_keep();
    /* the premise: a block given back at the top of the heap is where the
     * next allocations are cut from */
    size_t n = 96 * MB;
    unsigned char *p = malloc(n);
    CHECK(p != NULL);
    uintptr_t at = (uintptr_t)p;
    free(p);
    unsigned char *q = malloc(32 * MB);
    CHECK(q != NULL);
    CHECK((uintptr_t)q >= at && (uintptr_t)q + 32 * MB <= at + n);
    free(q);
    /* the thread covers all of it but the pages cut at either end */
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    xs__heap_warm *w = xs__heap_warm_start(n);
    CHECK(w != NULL);
    size_t done = xs__heap_warm_stop(w, 1);
    CHECK(done <= n && done + pg >= n);
#endif
}

int main(void)
{
    static const xs_test tests[] = {
        {"populate_keeps_bytes", test_populate_keeps_bytes},
        {"warm_range", test_warm_range},
        {"warm_start", test_warm_start},
    };
    return xs_test_run(tests, XS_N(tests));
}
