/*
 * crypto.c — SHA-256, HMAC-SHA256 and random bytes through OpenSSL's
 * libcrypto (contract in crypto.h). The one-shot EVP calls cannot fail for
 * these fixed algorithms short of memory exhaustion inside OpenSSL, which
 * aborts: a digest that silently came out wrong would lock users out (API
 * keys) or send unsigned webhooks.
 */
#include "base/crypto.h"

#include "base/error.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>

static void die(const char *what)
{
    fprintf(stderr, "xsell: OpenSSL %s failed\n", what);
    abort();
}

void xs__sha256_parts(size_t n, const void *const *ptr, const size_t *len,
                      unsigned char out[XS_SHA256_LEN])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n_out = 0;
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) die("SHA-256");
    for (size_t i = 0; i < n; i++)
        if (EVP_DigestUpdate(c, ptr[i], len[i]) != 1) die("SHA-256");
    if (EVP_DigestFinal_ex(c, out, &n_out) != 1 || n_out != XS_SHA256_LEN) die("SHA-256");
    EVP_MD_CTX_free(c);
}

void xs__sha256(const void *data, size_t len, unsigned char out[XS_SHA256_LEN])
{
    xs__sha256_parts(1, &data, &len, out);
}

void xs__hmac_sha256(const void *key, size_t n_key, const void *msg, size_t n_msg,
                     unsigned char out[XS_SHA256_LEN])
{
    unsigned int n_out = 0;
    static const unsigned char empty[1];
    /* HMAC() takes an int key length and wants a non-NULL key */
    if (n_key > 0x7fffffff ||
        !HMAC(EVP_sha256(), n_key ? key : empty, (int)n_key, n_msg ? msg : empty, n_msg,
              out, &n_out) ||
        n_out != XS_SHA256_LEN)
        die("HMAC-SHA256");
}

int xs__random_bytes(unsigned char *buf, size_t n, xs_error *err)
{
    if (n > 0x7fffffff || RAND_bytes(buf, (int)n) != 1)
        return xs__error_set(err, XS_EIO, NULL, 0, NULL,
                             "the system's random number generator failed");
    return XS_OK;
}

void xs__hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
}

int xs__equal_ct(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}
