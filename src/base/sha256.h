/*
 * sha256.h — SHA-256 (FIPS 180-4), used to store API keys as salted hashes
 * (src/store/apikeys.c) and checked against the FIPS 180-2 example vectors in
 * tests/unit/test_serve_auth.c.
 */
#ifndef XS_SHA256_H
#define XS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define XS_SHA256_LEN 32

/* Incremental state: init, update any number of times, final. */
typedef struct xs__sha256_ctx {
    uint32_t h[8];
    uint64_t n_bytes;     /* message bytes so far */
    unsigned char buf[64];
    size_t n_buf;         /* bytes waiting in buf */
} xs__sha256_ctx;

/* Starts a digest. */
void xs__sha256_init(xs__sha256_ctx *c);
/* Adds len bytes of data (borrowed for the call). */
void xs__sha256_update(xs__sha256_ctx *c, const void *data, size_t len);
/* Pads, writes the 32-byte digest into out and wipes the state. */
void xs__sha256_final(xs__sha256_ctx *c, unsigned char out[XS_SHA256_LEN]);
/* One-shot digest of data. */
void xs__sha256(const void *data, size_t len, unsigned char out[XS_SHA256_LEN]);

#endif
