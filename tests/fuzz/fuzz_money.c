/*
 * fuzz_money.c — libFuzzer target for money parsing: the exact decimal
 * parser of src/base/money.c (every import's amounts, at the currency's
 * scale) and the micro-unit parser and half-even rounding of the flat order
 * log (src/io/transactions_read.c).
 *
 * The first input byte picks the scale (0..9); the rest is the text.
 * Checked against a reference written here with 128-bit arithmetic:
 *   - xs__money_parse gives the reference's verdict, in this order:
 *     malformed, too many fraction digits, out of range; and, when it accepts, the exact
 * value times 10^scale; formatting that value and parsing it again gives it back;
 *   - xs__io_txn_parse_micro agrees with the reference at 6 digits, and
 *     xs__io_txn_round_minor rounds half to even exactly.
 * Any violation aborts.
 *
 * Run: `make fuzz`, or build-fuzz/fuzz_money on a copy of
 * tests/fuzz/corpus/money.
 */
#include "base/money.h"
#include "io/transactions_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK_OR_DIE(cond)                                                               \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_money: %s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                              \
            abort();                                                                     \
        }                                                                                \
    } while (0)

typedef __int128 i128;

/* The reference: [+-]digits[.digits] with at least one digit. Sets the
 * sign, the integer part (saturated above 10^30), the fraction digits and
 * their count; returns 0 or -1 when malformed. */
static int ref_split(const char *s, size_t len, int *neg, i128 *ipart, char *frac,
                     size_t *n_frac)
{
    size_t i = 0, n_int = 0;
    const i128 big = (i128)1000000000000000LL * 1000000000000000LL;
    *neg = 0;
    *ipart = 0;
    *n_frac = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) *neg = s[i++] == '-';
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_int++)
        if (*ipart < big) *ipart = *ipart * 10 + (s[i] - '0');
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            frac[(*n_frac)++] = s[i];
    if (i != len || n_int + *n_frac == 0) return -1;
    return 0;
}

/* Reference value at `scale` digits: 0 and *v, or the parser's codes. */
static int ref_money(const char *s, size_t len, int scale, int64_t *v)
{
    int neg;
    i128 ip;
    char frac[4096];
    size_t nf;
    if (ref_split(s, len, &neg, &ip, frac, &nf) < 0) return -1;
    for (size_t k = (size_t)scale; k < nf; k++)
        if (frac[k] != '0') return -2;
    i128 x = ip;
    for (int k = 0; k < scale; k++) {
        if (x > ((i128)1 << 100)) return -3;
        x = x * 10 + ((size_t)k < nf ? frac[k] - '0' : 0);
    }
    if (x > INT64_MAX) return -3;
    *v = neg ? -(int64_t)x : (int64_t)x;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4000) return 0;
    int scale = data[0] % 10;
    const char *s = (const char *)data + 1;
    size_t len = size - 1;

    int64_t got = 0, want = 0;
    int rc = xs__money_parse(s, len, scale, &got);
    CHECK_OR_DIE(rc == ref_money(s, len, scale, &want));
    if (rc == 0) {
        CHECK_OR_DIE(got == want);
        char buf[64];
        int64_t back;
        xs__money_format(got, scale, buf, sizeof buf);
        CHECK_OR_DIE(xs__money_parse(buf, strlen(buf), scale, &back) == 0 && back == got);
    }

    int64_t micro, ref_micro;
    int mrc = xs__io_txn_parse_micro(s, len, &micro);
    int neg;
    i128 ip;
    char frac[4096];
    size_t nf;
    if (ref_split(s, len, &neg, &ip, frac, &nf) < 0) {
        CHECK_OR_DIE(mrc == -1);
        return 0;
    }
    if (nf > 6) {
        CHECK_OR_DIE(mrc == -2);
        return 0;
    }
    i128 x = ip;
    for (size_t k = 0; k < 6; k++)
        x = x * 10 + (k < nf ? frac[k] - '0' : 0);
    if (x > INT64_MAX) {
        CHECK_OR_DIE(mrc == -3);
        return 0;
    }
    CHECK_OR_DIE(mrc == 0);
    ref_micro = neg ? -(int64_t)x : (int64_t)x;
    CHECK_OR_DIE(micro == ref_micro);

    /* half-even rounding to each scale of at most 6 digits */
    int rscale = scale % 7, inexact;
    int64_t q = xs__io_txn_round_minor(micro, rscale, &inexact);
    i128 f = 1;
    for (int k = rscale; k < 6; k++)
        f *= 10;
    i128 a = micro < 0 ? -(i128)micro : (i128)micro;
    i128 rq = a / f, rr = a % f;
    if (2 * rr > f || (2 * rr == f && rq % 2 != 0)) rq++;
    CHECK_OR_DIE(inexact == (rr != 0));
    CHECK_OR_DIE(q == (micro < 0 ? -(int64_t)rq : (int64_t)rq));
    return 0;
}
