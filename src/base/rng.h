/*
 * rng.h — deterministic pseudo-random numbers (xoshiro256** seeded by
 * splitmix64). Same seed, same sequence, on every machine: the generator's
 * byte-identical output depends on it.
 */
#ifndef XS_RNG_H
#define XS_RNG_H

#include <stdint.h>

typedef struct xs__rng {
    uint64_t s[4];
} xs__rng;

void xs__rng_seed(xs__rng *r, uint64_t seed);
uint64_t xs__rng_next(xs__rng *r);
/* Uniform double in [0, 1). */
double xs__rng_uniform(xs__rng *r);
/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t xs__rng_below(xs__rng *r, uint64_t n);
/* Standard normal (Box–Muller, deterministic). */
double xs__rng_normal(xs__rng *r);
/* Exponential with the given mean. */
double xs__rng_exp(xs__rng *r, double mean);
/* Poisson with mean lambda (inversion for small, normal approx for large). */
uint64_t xs__rng_poisson(xs__rng *r, double lambda);

#endif
