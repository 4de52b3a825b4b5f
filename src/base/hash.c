/*
 * hash.c — byte-string hash: 8 bytes at a time, multiplied and mixed.
 * Stable across platforms of the same endianness-free definition (bytes are
 * read little-endian explicitly), so hashes can be used for assignments.
 */
#include "base/hash.h"

static uint64_t load64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

uint64_t xs__hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
    while (len >= 8) {
        h = (h ^ xs__mix64(load64(p))) * 0x9fb21c651e98df25ULL;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < len; i++) tail |= (uint64_t)p[i] << (8 * i);
    h = (h ^ xs__mix64(tail + len)) * 0x9fb21c651e98df25ULL;
    return xs__mix64(h);
}
