/*
 * alloc.c — allocation with failure injection for tests (see alloc.h).
 */
#include "base/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long fail_after = -1; /* <0: never fail */
static long n_allocs;

static int should_fail(void)
{
    n_allocs++;
    if (fail_after < 0) return 0;
    if (fail_after == 0) return 1;
    fail_after--;
    return 0;
}

long xs__alloc_fail_after(long n)
{
    long made = n_allocs;
    fail_after = n;
    n_allocs = 0;
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
