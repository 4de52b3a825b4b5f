/*
 * date.c — civil-date arithmetic (Howard Hinnant's days_from_civil method,
 * written from its description) and a strict ISO 8601 parser.
 */
#include "base/date.h"

#include "base/error.h"

#include <string.h>
#include <time.h>

int32_t xs__days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153u * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void xs__civil_from_days(int32_t z0, int *y, int *m, int *d)
{
    int z = z0 + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int yy = (int)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

int xs__days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2) return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : 28;
    return dm[m - 1];
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int xs__date_parse(const char *s, size_t len, int32_t *days)
{
    int y, m, d;
    if (len < 10 || s[4] != '-' || s[7] != '-') return -1;
    if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d)) return -1;
    if (m < 1 || m > 12 || d < 1 || d > xs__days_in_month(y, m)) return -1;
    size_t i = 10;
    if (i < len) {
        int hh, mm, ss;
        if (s[i] != 'T' && s[i] != ' ') return -1;
        i++;
        if (len - i < 5 || s[i + 2] != ':') return -1;
        if (digits(s + i, 2, &hh) || digits(s + i + 3, 2, &mm) || hh > 23 || mm > 59)
            return -1;
        i += 5;
        if (i < len && s[i] == ':') {
            if (len - i < 3 || digits(s + i + 1, 2, &ss) || ss > 60) return -1;
            i += 3;
            if (i < len && (s[i] == '.' || s[i] == ',')) {
                i++;
                size_t start = i;
                while (i < len && s[i] >= '0' && s[i] <= '9')
                    i++;
                if (i == start) return -1;
            }
        }
        if (i < len) {
            if (s[i] == 'Z' && i + 1 == len) {
                i++;
            } else if ((s[i] == '+' || s[i] == '-') && len - i == 6 && s[i + 3] == ':') {
                int zh, zm;
                if (digits(s + i + 1, 2, &zh) || digits(s + i + 4, 2, &zm) || zh > 23 ||
                    zm > 59)
                    return -1;
                i = len;
            } else {
                return -1;
            }
        }
    }
    *days = xs__days_from_civil(y, m, d);
    return 0;
}

void xs__date_format(int32_t days, char buf[11])
{
    int y, m, d;
    xs__civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        y = y < 0 ? 0 : 9999;
    }
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
}

int32_t xs__date_add_months(int32_t days, int n)
{
    int y, m, d;
    xs__civil_from_days(days, &y, &m, &d);
    int total = y * 12 + (m - 1) + n;
    y = total >= 0 ? total / 12 : (total - 11) / 12;
    m = total - y * 12 + 1;
    int dim = xs__days_in_month(y, m);
    if (d > dim) d = dim;
    return xs__days_from_civil(y, m, d);
}

void xs__utc_stamp(double t, char buf[21])
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void xs__utc_now(char buf[21])
{
    xs__utc_stamp((double)time(NULL), buf);
}

void xs__utc_today(char buf[11])
{
    time_t s = time(NULL);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, 11, "%Y-%m-%d", &tm);
}

/* Contract in date.h. */
int xs__date_parse_day(const char *s, int32_t *days)
{
    return s && strlen(s) == 10 && xs__date_parse(s, 10, days) == 0 ? 0 : -1;
}

/* The one message for a date parameter that is not one. */
static int not_a_date(const char *s, const char *param, xs_error *err)
{
    char q[128];
    xs__error_quote(q, sizeof q, s ? s : "", s ? strlen(s) : 0);
    return xs__error_param(err, XS_EINVAL, NULL, param, "not a date: %s", q);
}

/* Contract in date.h. */
int xs__date_param(const char *s, const char *param, int32_t *days, xs_error *err)
{
    if (s && xs__date_parse(s, strlen(s), days) == 0) return XS_OK;
    return not_a_date(s, param, err);
}

/* Contract in date.h. */
int xs__date_param_day(const char *s, const char *param, int32_t *days, xs_error *err)
{
    if (xs__date_parse_day(s, days) == 0) return XS_OK;
    return not_a_date(s, param, err);
}
