/*
 * sort.h — sorting a million keys without a comparison function: a stable
 * LSD radix sort of (64-bit key, 32-bit index) pairs, and the keys whose
 * unsigned order is that of a signed integer or a double.
 */
#ifndef XS_BASE_SORT_H
#define XS_BASE_SORT_H

#include <stddef.h>
#include <stdint.h>

/* A key and the index of what it sorts. */
typedef struct xs__sort_kv {
    uint64_t key;
    uint32_t i;
} xs__sort_kv;

/* Sorts v[0..n) by key, ascending and stable (equal keys keep their
 * order), with tmp (n elements) as scratch; returns the array that holds
 * the result (v or tmp). */
xs__sort_kv *xs__sort_kv_radix(xs__sort_kv *v, xs__sort_kv *tmp, size_t n);

/* The key of a signed integer: its unsigned order is the integers'. */
static inline uint64_t xs__sort_key_i64(int64_t x)
{
    return (uint64_t)x ^ ((uint64_t)1 << 63);
}

/* The key of a double that is not NaN: its unsigned order is the doubles'
 * (-0.0 and 0.0 get the same key). */
uint64_t xs__sort_key_double(double x);

#endif
