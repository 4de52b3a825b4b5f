/*
 * alloc.c — allocation with failure injection for tests (see alloc.h).
 */
#include "base/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Atomic: the server allocates from several threads at once. */
static atomic_long fail_after = -1; /* <0: never fail */
static atomic_long n_allocs;

static int should_fail(void)
{
    atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
    long left = atomic_load_explicit(&fail_after, memory_order_relaxed);
    while (left > 0) {
        /* claim one of the remaining successful allocations */
        if (atomic_compare_exchange_weak_explicit(&fail_after, &left, left - 1,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
            return 0;
    }
    return left == 0;
}

long xs__alloc_fail_after(long n)
{
    long made = atomic_exchange(&n_allocs, 0);
    atomic_store(&fail_after, n);
    return made;
}

void *xs__malloc(size_t n)
{
    if (should_fail()) return NULL;
    return malloc(n ? n : 1);
}

void *xs__calloc(size_t count, size_t size)
{
    if (should_fail()) return NULL;
    if (size && count > SIZE_MAX / size) return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *xs__realloc(void *p, size_t n)
{
    if (should_fail()) return NULL;
    return realloc(p, n ? n : 1);
}

void xs__free(void *p)
{
    free(p);
}

char *xs__strndup(const char *s, size_t n)
{
    char *d = xs__malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xs__strdup(const char *s)
{
    return xs__strndup(s, strlen(s));
}

int xs__grow(void *p, size_t *cap, size_t need, size_t elem)
{
    void **pp = p;
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem) return -1;
        ncap *= 2;
    }
    void *np = xs__realloc(*pp, ncap * elem);
    if (!np) return -1;
    *pp = np;
    *cap = ncap;
    return 0;
}
