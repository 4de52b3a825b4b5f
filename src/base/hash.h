/*
 * hash.h — a fast 64-bit hash of byte strings and integer mixing.
 */
#ifndef XS_HASH_H
#define XS_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Finaliser of a 64-bit value (good avalanche; bijective). */
static inline uint64_t xs__mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Hash of len bytes at p, seeded; stable across runs and machines. */
uint64_t xs__hash_bytes(const void *p, size_t len, uint64_t seed);

#endif
