/*
 * numfmt.h — numbers to decimal text without printf: fixed-point ("%.*f"),
 * 17 significant digits ("%.17g", how jansson writes a real) and integers
 * ("%lld", "%llu"), byte for byte what glibc's printf writes.
 *
 * The readers at a million customers write tens of millions of numbers;
 * printf's general machinery (format parsing, multi-precision rounding,
 * locking the stream) was most of their time. The fast path covers the
 * values such output holds (below 2^31 once scaled); anything else (huge,
 * NaN, infinite, or a scaled value within a hair of a rounding tie) is
 * handed to snprintf, so the text never differs.
 */
#ifndef XS_NUMFMT_H
#define XS_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes a buffer for xs__fmt_fixed needs at most: sign, 309 integer
 * digits of DBL_MAX, the point, up to 9 decimals and the NUL. */
#define XS__FMT_FIXED_MAX 324

/* Writes v with `decimals` (0..9) fraction digits as printf("%.*f") does
 * (the binary value rounded half to even; "-0.00" for small negatives;
 * "nan", "inf"), NUL-terminated, into buf (XS__FMT_FIXED_MAX bytes).
 * A decimals outside 0..9 is taken as 9 at most and 0 at least.
 * @return the length written (without the NUL) */
size_t xs__fmt_fixed(char *buf, double v, int decimals);

/* v as xs__fmt_fixed writes it, read back: strtod() of that text, bit for
 * bit (-0.0 for "-0.00"), without the text's second pass through strtod
 * when it has at most 15 digits. v finite. */
double xs__fmt_fixed_value(double v, int decimals);

/* Writes v as printf("%lld") / ("%llu") does into buf (at least 21 bytes),
 * NUL-terminated. @return the length */
size_t xs__fmt_int(char *buf, long long v);
size_t xs__fmt_uint(char *buf, unsigned long long v);

/* Bytes a buffer for xs__fmt_g17 needs at most ("-1.2345678901234567e-308"
 * and the NUL). */
#define XS__FMT_G17_MAX 32

/* Writes v as printf("%.17g") does — 17 significant digits of the exact
 * binary value, rounded half to even; fixed notation for decimal exponents
 * -4..16, else "d.ddde+XX"; trailing zeros and a bare point dropped —
 * NUL-terminated, into buf (XS__FMT_G17_MAX bytes). The fast path covers
 * zero and 1e-11 <= |v| < 1e17 (the reals an API answer holds); NaN, the
 * infinities and everything else go to snprintf.
 * @return the length written (without the NUL) */
size_t xs__fmt_g17(char *buf, double v);

#endif
