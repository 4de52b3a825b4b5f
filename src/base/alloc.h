/*
 * alloc.h — the one pair of allocation functions every module uses.
 *
 * All heap memory of libxsell goes through xs__malloc/xs__realloc/xs__free so
 * that tests can make the Nth allocation fail (xs__alloc_fail_after) and check
 * that every error path unwinds without leaks and leaves stores unchanged.
 */
#ifndef XS_ALLOC_H
#define XS_ALLOC_H

#include <stddef.h>

/* Allocates n bytes; NULL when out of memory (or an injected failure). */
void *xs__malloc(size_t n);
/* Allocates count*size zeroed bytes; NULL on overflow or out of memory. */
void *xs__calloc(size_t count, size_t size);
/* Resizes p to n bytes; NULL (p untouched) when out of memory. */
void *xs__realloc(void *p, size_t n);
/* Frees p; NULL is fine. */
void xs__free(void *p);
/* Copies s (NUL-terminated); caller frees with xs__free(). */
char *xs__strdup(const char *s);
/* Copies n bytes of s and NUL-terminates; caller frees with xs__free(). */
char *xs__strndup(const char *s, size_t n);

/*
 * Grows an array *p of *cap elements of `elem` bytes to hold at least `need`
 * elements (doubling). Returns 0 or -1 (out of memory, *p unchanged).
 */
int xs__grow(void *p, size_t *cap, size_t need, size_t elem);

/* Test hook: the next `n` allocations succeed, every later one fails.
 * n < 0 turns injection off. Returns the number of allocations made since the
 * hook was last set (useful to size a fail-every-Nth loop). */
long xs__alloc_fail_after(long n);

#endif
