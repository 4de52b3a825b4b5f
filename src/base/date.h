/*
 * date.h — ISO 8601 dates as days since 1970-01-01 (proleptic Gregorian).
 *
 * Dates are stored and computed as int32 day numbers; a timestamp
 * ("2024-03-01T12:30:00Z") keeps its date part when only a date is needed.
 */
#ifndef XS_DATE_H
#define XS_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "xsell.h"

/* Day number of y-m-d (no validation). */
int32_t xs__days_from_civil(int y, int m, int d);
/* y-m-d of a day number. */
void xs__civil_from_days(int32_t days, int *y, int *m, int *d);

/*
 * Parses an ISO 8601 date "YYYY-MM-DD", optionally followed by a time
 * "THH:MM[:SS[.fff]]" and a zone "Z" or "±HH:MM" (a space may replace 'T').
 * Rejects impossible dates (2024-13-01, 2023-02-29). The time is checked
 * but only the calendar date is returned.
 * Returns 0 and sets *days, or -1 when s is not such a date.
 */
int xs__date_parse(const char *s, size_t len, int32_t *days);

/* A strict day "YYYY-MM-DD" (exactly ten bytes, no time part) in the
 * NUL-terminated s, NULL refused. Returns 0 and sets *days, or -1. */
int xs__date_parse_day(const char *s, int32_t *days);

/*
 * A date given for the library parameter `param` ("as_of", "from"): s as
 * xs__date_parse takes it. Returns XS_OK and sets *days, or XS_EINVAL with
 * `param: not a date: "s"` in err (NULL s is the empty string).
 */
int xs__date_param(const char *s, const char *param, int32_t *days, xs_error *err);

/* As xs__date_param, for a strict day "YYYY-MM-DD" (xs__date_parse_day):
 * the same message for what it refuses. */
int xs__date_param_day(const char *s, const char *param, int32_t *days, xs_error *err);

/* Writes "YYYY-MM-DD" (11 bytes with the NUL) into buf. */
void xs__date_format(int32_t days, char buf[11]);

/* The wall clock's time t (seconds since the epoch) in UTC as
 * "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with the NUL). */
void xs__utc_stamp(double t, char buf[21]);
/* Now in UTC as "YYYY-MM-DDTHH:MM:SSZ". */
void xs__utc_now(char buf[21]);
/* Today in UTC as "YYYY-MM-DD". */
void xs__utc_today(char buf[11]);

/* Days in a month of a year. */
int xs__days_in_month(int y, int m);

/* Adds n months to a day number, clamping the day (Jan 31 + 1 month = Feb 28/29). */
int32_t xs__date_add_months(int32_t days, int n);

#endif
