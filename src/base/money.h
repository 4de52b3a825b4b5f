/*
 * money.h — decimal money as int64 minor units (cents for scale 2).
 */
#ifndef XS_MONEY_H
#define XS_MONEY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses a decimal amount: optional sign, digits, optional '.' and at most
 * `scale` fraction digits ("12", "-3.5", "1234.56"). No thousands separators,
 * no exponent, no currency sign. Returns 0 and sets *minor (value * 10^scale),
 * -1 when malformed, -2 when it has more (non-zero) fraction digits than
 * scale, -3 when it does not fit in int64 — the first of these that holds,
 * wherever in the text the problem is.
 */
int xs__money_parse(const char *s, size_t len, int scale, int64_t *minor);

/* Writes minor units as a decimal with `scale` fraction digits ("-3.50"). */
void xs__money_format(int64_t minor, int scale, char *buf, size_t n);

#endif
