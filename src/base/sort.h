/*
 * sort.h — sorting without a comparison function: a stable LSD radix sort
 * of (64-bit key, 32-bit index) pairs for a million keys, the keys whose
 * unsigned order is that of a signed integer or a double, and the small
 * sorts of integer arrays and of structs the engine does per customer.
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

/* Sorts v[0..n) of integers ascending, in place: insertion sort up to 24
 * elements (most calls: a customer's products, a basket), else a
 * quicksort (median of three, the smaller side first). No comparator
 * through a pointer: qsort's call per comparison and set-up cost more
 * than these sorts themselves. Equal integers are indistinguishable, so
 * the result is qsort's. */
void xs__sort_u32(uint32_t *v, size_t n);
void xs__sort_u64(uint64_t *v, size_t n);
void xs__sort_i32(int32_t *v, size_t n);

/* Insertion sort of v[0..n) (elements of type T) by LESS(a, b), stable:
 * for the small arrays of structs (n up to ~16) where qsort's overhead
 * dominates. */
#define XS__SORT_INSERTION(T, v, n, LESS)                                         \
    do {                                                                           \
        for (size_t xs_i_ = 1; xs_i_ < (n); xs_i_++) {                             \
            T xs_x_ = (v)[xs_i_];                                                  \
            size_t xs_j_ = xs_i_;                                                  \
            while (xs_j_ > 0 && LESS(&xs_x_, &(v)[xs_j_ - 1])) {                   \
                (v)[xs_j_] = (v)[xs_j_ - 1];                                       \
                xs_j_--;                                                           \
            }                                                                      \
            (v)[xs_j_] = xs_x_;                                                    \
        }                                                                          \
    } while (0)

/* The key of a signed integer: its unsigned order is the integers'. */
static inline uint64_t xs__sort_key_i64(int64_t x)
{
    return (uint64_t)x ^ ((uint64_t)1 << 63);
}

/* The key of a double that is not NaN: its unsigned order is the doubles'
 * (-0.0 and 0.0 get the same key). */
uint64_t xs__sort_key_double(double x);

#endif
