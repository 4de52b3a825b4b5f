/*
 * rng.c — xoshiro256** (Blackman & Vigna) with splitmix64 seeding.
 */
#include "base/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void xs__rng_seed(xs__rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t xs__rng_next(xs__rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double xs__rng_uniform(xs__rng *r)
{
    return (double)(xs__rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t xs__rng_below(xs__rng *r, uint64_t n)
{
    uint64_t limit = -n % n; /* 2^64 mod n */
    for (;;) {
        uint64_t x = xs__rng_next(r);
        if (x >= limit) return x % n;
    }
}

double xs__rng_normal(xs__rng *r)
{
    double u1 = xs__rng_uniform(r), u2 = xs__rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double xs__rng_exp(xs__rng *r, double mean)
{
    double u = xs__rng_uniform(r);
    return -mean * log1p(-u);
}

uint64_t xs__rng_poisson(xs__rng *r, double lambda)
{
    if (lambda <= 0) return 0;
    if (lambda > 30) {
        double x = lambda + sqrt(lambda) * xs__rng_normal(r) + 0.5;
        return x < 0 ? 0 : (uint64_t)x;
    }
    double l = exp(-lambda), p = 1.0;
    uint64_t k = 0;
    do {
        k++;
        p *= xs__rng_uniform(r);
    } while (p > l);
    return k - 1;
}
