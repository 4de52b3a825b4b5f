/*
 * fuzz_date.c — libFuzzer target for the date parsers: the strict ISO 8601
 * parser of src/base/date.c (every import's dates) and the --date-format
 * parser of the flat order log (iso, ymd, dmy, mdy; src/io/
 * transactions_read.c), with the calendar arithmetic under them.
 *
 * The first input byte picks the date order of the second parser and a
 * month offset; the rest is the text. Checked, beyond "no crash":
 *   - xs__date_parse accepts the text exactly when an independent check
 *     (written here from the calendar rules) finds a valid YYYY-MM-DD in
 *     its first 10 bytes — for a text of exactly 10 bytes; longer texts
 *     must at least start with one;
 *   - an accepted date formats back to those 10 bytes, and the day number
 *     survives the civil round trip;
 *   - a date accepted in any order is the same day when written back in
 *     that order (zero-padded, '/') and parsed again, and as ISO; its time,
 *     when given, is a valid "HH:MM:SS";
 *   - adding months lands in the right month, on the same day or the
 *     month's last day.
 * Any violation aborts.
 *
 * Run: `make fuzz`, or build-fuzz/fuzz_date on a copy of
 * tests/fuzz/corpus/date.
 */
#include "base/date.h"
#include "io/transactions_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK_OR_DIE(cond)                                                               \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_date: %s:%d: check failed: %s\n", __FILE__, __LINE__,  \
                    #cond);                                                              \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* The reference: is s[0..10) a valid YYYY-MM-DD? */
static int ref_valid_ymd(const char *s, int *y, int *m, int *d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int i = 0; i < 10; i++) {
        int dig = s[i] >= '0' && s[i] <= '9';
        if ((i == 4 || i == 7) ? s[i] != '-' : !dig) return 0;
    }
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    if (*m < 1 || *m > 12 || *d < 1) return 0;
    int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    return *d <= mdays[*m - 1] + (*m == 2 && leap);
}

/* A time written by the order-log parser: "HH:MM:SS" in range. */
static void check_time(const char *t)
{
    CHECK_OR_DIE(strlen(t) >= 8 && t[2] == ':' && t[5] == ':');
    for (int i = 0; i < 8; i++)
        if (i != 2 && i != 5) CHECK_OR_DIE(t[i] >= '0' && t[i] <= '9');
    CHECK_OR_DIE((t[0] - '0') * 10 + (t[1] - '0') <= 23);
    CHECK_OR_DIE((t[3] - '0') * 10 + (t[4] - '0') <= 59);
    CHECK_OR_DIE((t[6] - '0') * 10 + (t[7] - '0') <= 60);
}

/* The ISO parser against the reference; returns 1 and sets *day when the
 * text is a date. */
static int check_iso(const char *s, size_t len, int32_t *day)
{
    int y, m, d;
    int ok = xs__date_parse(s, len, day) == 0;
    int ref = len >= 10 && ref_valid_ymd(s, &y, &m, &d);
    if (len == 10) CHECK_OR_DIE(ok == ref);
    if (ok) {
        CHECK_OR_DIE(ref);
        char back[11];
        xs__date_format(*day, back);
        CHECK_OR_DIE(!memcmp(back, s, 10));
        CHECK_OR_DIE(*day == xs__days_from_civil(y, m, d));
        int y2, m2, d2;
        xs__civil_from_days(*day, &y2, &m2, &d2);
        CHECK_OR_DIE(y2 == y && m2 == m && d2 == d);
    }
    return ok;
}

/* Months arithmetic from an accepted day. */
static void check_add_months(int32_t day, int n)
{
    int y, m, d, y2, m2, d2;
    xs__civil_from_days(day, &y, &m, &d);
    xs__civil_from_days(xs__date_add_months(day, n), &y2, &m2, &d2);
    long want = (long)y * 12 + (m - 1) + n;
    CHECK_OR_DIE((long)y2 * 12 + (m2 - 1) == want);
    int last = xs__days_in_month(y2, m2);
    CHECK_OR_DIE(d2 == (d <= last ? d : last));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    xs_date_order ord = (xs_date_order)(data[0] & 3);
    int months = (int)(data[0] >> 2) - 32; /* -32 .. 31 */
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    if (len > 64) return 0; /* dates are short; longer texts teach nothing */

    int32_t day;
    if (check_iso(s, len, &day)) check_add_months(day, months * 37);

    char tbuf[16] = "";
    int has_time = 0;
    int32_t tday;
    if (xs__io_txn_parse_datetime(ord, s, len, &tday, tbuf, &has_time) == 0) {
        if (has_time) check_time(tbuf);
        int y, m, d;
        xs__civil_from_days(tday, &y, &m, &d);
        CHECK_OR_DIE(y >= 0 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
                     d <= xs__days_in_month(y, m));
        char back[16], iso[11];
        xs__date_format(tday, iso);
        if (ord == XS_DATES_ISO || ord == XS_DATES_YMD)
            snprintf(back, sizeof back, "%04d/%02d/%02d", y, m, d);
        else if (ord == XS_DATES_DMY)
            snprintf(back, sizeof back, "%02d/%02d/%04d", d, m, y);
        else
            snprintf(back, sizeof back, "%02d/%02d/%04d", m, d, y);
        int32_t again;
        char t2[16];
        int ht2;
        if (ord == XS_DATES_ISO) {
            /* the ISO order reads the ISO parser's date part */
            CHECK_OR_DIE(xs__date_parse(s, 10, &again) == 0 && again == tday);
        } else {
            CHECK_OR_DIE(xs__io_txn_parse_datetime(ord, back, strlen(back), &again, t2,
                                                   &ht2) == 0);
            CHECK_OR_DIE(again == tday && !ht2);
        }
        CHECK_OR_DIE(xs__date_parse(iso, 10, &again) == 0 && again == tday);
        check_add_months(tday, -months);
    }
    return 0;
}
