/*
 * crypto.h — the hashes, MACs and random bytes xsell needs, from OpenSSL's
 * libcrypto: SHA-256 of API keys (src/store/apikeys.c), HMAC-SHA256 of
 * webhook signatures (src/serve/webhook_send.c) and secrets from the
 * system's CSPRNG. Checked against FIPS 180-2 and RFC 4231 vectors in
 * tests/unit/test_serve_auth.c.
 */
#ifndef XS_CRYPTO_H
#define XS_CRYPTO_H

#include "xsell.h"

#include <stddef.h>

#define XS_SHA256_LEN 32

/* SHA-256 of the concatenation of n parts (part i: ptr[i], len[i]). */
void xs__sha256_parts(size_t n, const void *const *ptr, const size_t *len,
                      unsigned char out[XS_SHA256_LEN]);
/* SHA-256 of data. */
void xs__sha256(const void *data, size_t len, unsigned char out[XS_SHA256_LEN]);
/* HMAC-SHA256 of msg under key. */
void xs__hmac_sha256(const void *key, size_t n_key, const void *msg, size_t n_msg,
                     unsigned char out[XS_SHA256_LEN]);
/* Fills buf with n bytes from the CSPRNG. @return XS_OK or XS_EIO */
int xs__random_bytes(unsigned char *buf, size_t n, xs_error *err);
/* Writes n bytes as 2n lower-case hex digits and a NUL into out. */
void xs__hex(const unsigned char *p, size_t n, char *out);
/* Compares n bytes in time independent of where they differ. @return 1 equal */
int xs__equal_ct(const void *a, const void *b, size_t n);

#endif
