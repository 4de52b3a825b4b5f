/*
 * model_checksum.h — the model file's checksum computed the way
 * docs/model.md states it, apart from src/base/mfile.c (test_mfile compares
 * the two; test_mfile and fuzz_model recompute it after patching a file):
 * the bytes after the 192-byte header in pieces of 16 MiB, the last one
 * shorter; the XXH3-64 of their XXH3-64 values, as 8 little-endian bytes
 * each, seeds an XXH3-64 of the header with its checksum field (bytes
 * 40..47) zeroed.
 */
#ifndef XS_TEST_MODEL_CHECKSUM_H
#define XS_TEST_MODEL_CHECKSUM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define TEST_MODEL_PIECE ((size_t)16 << 20)

/* The checksum of the n >= 192 bytes of a model file at b; 0 when out of
 * memory (the caller's check then fails). */
static inline uint64_t test_model_checksum(const unsigned char *b, size_t n)
{
    size_t body = n - 192, pieces = (body + TEST_MODEL_PIECE - 1) / TEST_MODEL_PIECE;
    unsigned char *le = malloc(pieces * 8 + 1), h[192];
    if (!le) return 0;
    for (size_t i = 0; i < pieces; i++) {
        size_t lo = i * TEST_MODEL_PIECE;
        size_t len = body - lo < TEST_MODEL_PIECE ? body - lo : TEST_MODEL_PIECE;
        uint64_t v = XXH3_64bits(b + 192 + lo, len);
        for (int k = 0; k < 8; k++) le[i * 8 + k] = (unsigned char)(v >> (8 * k));
    }
    uint64_t seed = XXH3_64bits(le, pieces * 8);
    free(le);
    memcpy(h, b, 192);
    memset(h + 40, 0, 8);
    return XXH3_64bits_withSeed(h, 192, seed);
}

#endif
