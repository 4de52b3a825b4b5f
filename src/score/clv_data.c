/*
 * clv_data.c — orders (customer_id, date, amount) to the per-customer
 * summaries (x, t_x, T, mean repeat spend) that BG/NBD and Gamma-Gamma are
 * fitted on.
 *
 * CSV input goes through the record reader of src/io/reader.h. The CDNOW
 * files (whitespace separated, no header) are split here line by line: they
 * are not CSV, so the reader cannot take them.
 *
 * Conventions follow Fader, Hardie & Lee (2005): purchases on the same day
 * are one transaction (amounts summed); frequency x counts the repeat
 * transaction days in the calibration period; recency t_x and age T are
 * measured from the customer's first purchase, in days or weeks of exactly
 * 7 days; the mean spend is that of the repeat transactions only (the first
 * purchase excluded), which is what reproduces the published Gamma-Gamma
 * estimates on CDNOW. Rows dated after the calibration end are kept aside as
 * holdout counts and never enter a fit.
 *
 * A store's orders come in through the snapshot instead
 * (xs_clv_data_read_snapshot, at the end): one row per customer and day,
 * then the same summary as a file's.
 */
#include "score/clv_data.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "io/reader.h"
#include "snapshot/snapshot.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef xs__score_clv_row row;

typedef struct row_vec {
    row *v;
    size_t n, cap;
} row_vec;

xs_clv_data *xs__score_clv_data_alloc(size_t n)
{
    xs_clv_data *d = xs__calloc(1, sizeof *d);
    if (!d) return NULL;
    xs__intern_init(&d->ids);
    d->n = n;
    d->x = xs__calloc(n ? 6 * n : 1, sizeof(double));
    if (!d->x) {
        xs_clv_data_free(d);
        return NULL;
    }
    d->t_x = d->x + n;
    d->T = d->x + 2 * n;
    d->mean = d->x + 3 * n;
    d->hold_n = d->x + 4 * n;
    d->hold_spend = d->x + 5 * n;
    return d;
}

void xs_clv_data_free(xs_clv_data *d)
{
    if (!d) return;
    xs__free(d->x);
    xs__free(d->id);
    xs__intern_free(&d->ids);
    xs__free(d);
}

size_t xs_clv_data_n(const xs_clv_data *d)
{
    return d->n;
}

void xs_clv_data_get(const xs_clv_data *d, size_t i, xs_clv_customer *out)
{
    out->id = d->id ? xs__intern_str(&d->ids, d->id[i]) : "";
    out->x = d->x[i];
    out->t_x = d->t_x[i];
    out->T = d->T[i];
    out->mean_spend = d->mean[i];
    out->holdout_n = d->hold_n[i];
    out->holdout_spend = d->hold_spend[i];
}

void xs_clv_data_counts(const xs_clv_data *d, size_t *n_rows, size_t *n_after,
                        size_t *n_dropped)
{
    if (n_rows) *n_rows = d->n_rows;
    if (n_after) *n_after = d->n_after;
    if (n_dropped) *n_dropped = d->n_dropped;
}

int xs_clv_data_from_arrays(const double *x, const double *t_x, const double *T,
                            const double *mean_spend, size_t n, xs_clv_data **out,
                            xs_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        double m = mean_spend ? mean_spend[i] : 0;
        if (!isfinite(x[i]) || !isfinite(t_x[i]) || !isfinite(T[i]) || !isfinite(m) ||
            x[i] < 0 || t_x[i] < 0 || T[i] < t_x[i] || m < 0 || (x[i] == 0 && t_x[i] != 0))
            return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                                 "customer %zu: invalid summary (x %g, t_x %g, T %g, "
                                 "mean %g)",
                                 i, x[i], t_x[i], T[i], m);
    }
    xs_clv_data *d = xs__score_clv_data_alloc(n);
    if (!d) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (n) {
        memcpy(d->x, x, n * sizeof *x);
        memcpy(d->t_x, t_x, n * sizeof *x);
        memcpy(d->T, T, n * sizeof *x);
        if (mean_spend) memcpy(d->mean, mean_spend, n * sizeof *x);
    }
    *out = d;
    return XS_OK;
}

/* "19970930": 8 digits, a real calendar date. */
static int parse_yyyymmdd(const char *s, size_t len, int32_t *days)
{
    if (len != 8) return -1;
    int v[8];
    for (size_t i = 0; i < 8; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v[i] = s[i] - '0';
    }
    int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    int m = v[4] * 10 + v[5], dd = v[6] * 10 + v[7];
    if (m < 1 || m > 12 || dd < 1 || dd > xs__days_in_month(y, m)) return -1;
    *days = xs__days_from_civil(y, m, dd);
    return 0;
}

static int parse_date(const char *s, size_t len, int yyyymmdd, int32_t *days)
{
    return yyyymmdd ? parse_yyyymmdd(s, len, days) : xs__date_parse(s, len, days);
}

int xs_clv_parse_date(const char *s, int yyyymmdd, int32_t *days)
{
    return parse_date(s, strlen(s), yyyymmdd, days) == 0 ? XS_OK : XS_EPARSE;
}

/* A non-negative finite decimal; 0 or a message in msg. */
static int parse_amount(const char *s, size_t len, double *out, const char **msg)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) {
        *msg = len ? "not a number" : "empty amount";
        return -1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end || errno || !isfinite(v) || isspace((unsigned char)buf[0])) {
        *msg = "not a number";
        return -1;
    }
    if (v < 0) {
        *msg = "negative amount";
        return -1;
    }
    *out = v;
    return 0;
}

/* Validates one record and appends it. Returns XS_OK or an error code. */
static int add_row(row_vec *rs, xs__intern *ids, const char *path, long line,
                   const char *const names[3], const char *id, size_t id_len,
                   const char *date, size_t date_len, const char *amt, size_t amt_len,
                   int yyyymmdd, xs_error *err)
{
    char q[96];
    row r;
    if (id_len == 0)
        return xs__error_set(err, XS_EPARSE, path, line, names[0], "empty customer id");
    if (parse_date(date, date_len, yyyymmdd, &r.day) < 0) {
        xs__error_quote(q, sizeof q, date, date_len);
        return xs__error_set(err, XS_EPARSE, path, line, names[1],
                             yyyymmdd ? "not a yyyymmdd date: %s"
                                      : "not an ISO date: %s",
                             q);
    }
    const char *msg = NULL;
    if (parse_amount(amt, amt_len, &r.amount, &msg) < 0) {
        xs__error_quote(q, sizeof q, amt, amt_len);
        return xs__error_set(err, XS_EPARSE, path, line, names[2], "%s: %s", msg, q);
    }
    r.cust = xs__intern_add(ids, id, id_len);
    if (r.cust == XS_INTERN_NONE || xs__grow(&rs->v, &rs->cap, rs->n + 1, sizeof *rs->v))
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    rs->v[rs->n++] = r;
    return XS_OK;
}

/* Reads a header CSV through the record reader. */
static int read_csv(const char *path, const xs_clv_read_opts *o, row_vec *rs,
                    xs__intern *ids, xs_error *err)
{
    const char *names[3] = {o->id_col ? o->id_col : "customer_id",
                            o->date_col ? o->date_col : "date",
                            o->amount_col ? o->amount_col : "amount"};
    xs__io_reader *rd = NULL;
    int rc = xs__io_reader_open(&rd, path, XS_INPUT_CSV,
                                o->delimiter ? o->delimiter : ',', err);
    if (rc < 0) return rc;
    size_t col[3];
    for (int k = 0; k < 3; k++) {
        size_t nf = xs__io_reader_n_fields(rd), i;
        for (i = 0; i < nf; i++)
            if (!strcmp(xs__io_reader_field_name(rd, i), names[k])) break;
        if (i == nf) {
            char q[96];
            xs__error_quote(q, sizeof q, names[k], strlen(names[k]));
            rc = xs__error_set(err, XS_ENOTFOUND, path, 1, names[k],
                               "no such column %s in the header", q);
            goto cleanup;
        }
        col[k] = i;
    }
    for (;;) {
        const xs__field *f;
        long line;
        rc = xs__io_reader_next(rd, &f, &line, err);
        if (rc <= 0) break;
        rc = add_row(rs, ids, path, line, names, f[col[0]].ptr, f[col[0]].len,
                     f[col[1]].ptr, f[col[1]].len, f[col[2]].ptr, f[col[2]].len,
                     o->date_yyyymmdd, err);
        if (rc < 0) break;
    }
cleanup:
    xs__io_reader_close(rd);
    return rc < 0 ? rc : XS_OK;
}

/* Reads a CDNOW file: whitespace-separated fields, CRLF tolerated, no header
 * (a first line not starting with a digit is skipped). */
static int read_cdnow(const char *path, row_vec *rs, xs__intern *ids, xs_error *err)
{
    static const char *const names[3] = {"customer_id", "date", "amount"};
    FILE *f = fopen(path, "rb");
    if (!f) return xs__error_set(err, XS_EIO, path, 0, NULL, "%s", strerror(errno));
    char *buf = NULL;
    size_t cap = 0;
    long line = 0;
    int rc = XS_OK;
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) >= 0) {
        line++;
        const char *fs[8];
        size_t fl[8], nf = 0;
        size_t i = 0, n = (size_t)len;
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) n--;
        while (i < n) {
            while (i < n && (buf[i] == ' ' || buf[i] == '\t')) i++;
            if (i == n) break;
            size_t s = i;
            while (i < n && buf[i] != ' ' && buf[i] != '\t') i++;
            if (nf < 8) {
                fs[nf] = buf + s;
                fl[nf] = i - s;
            }
            nf++;
        }
        if (nf == 0) continue;
        if (line == 1 && !isdigit((unsigned char)fs[0][0])) continue; /* header */
        if (nf < 3 || nf > 8) {
            rc = xs__error_set(err, XS_EPARSE, path, line, NULL,
                               "expected 4 or 5 whitespace-separated fields, got %zu", nf);
            break;
        }
        rc = add_row(rs, ids, path, line, names, fs[0], fl[0], fs[nf - 3], fl[nf - 3],
                     fs[nf - 1], fl[nf - 1], 1, err);
        if (rc < 0) break;
    }
    if (rc == XS_OK && ferror(f))
        rc = xs__error_set(err, XS_EIO, path, 0, NULL, "read error");
    free(buf); /* allocated by getline(3) */
    fclose(f);
    return rc;
}

static int cmp_day(const void *a, const void *b)
{
    const row *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

/* Orders rows by customer (counting sort, stable) and each customer's rows
 * by day (insertion sort for the usual handful, qsort beyond). Returns 0 or
 * -1 when out of memory. */
static int sort_rows(row **v, size_t n, size_t n_cust)
{
    size_t *start = xs__calloc(n_cust + 1, sizeof *start);
    row *out = xs__malloc((n ? n : 1) * sizeof *out);
    if (!start || !out) {
        xs__free(start);
        xs__free(out);
        return -1;
    }
    for (size_t i = 0; i < n; i++) start[(*v)[i].cust + 1]++;
    for (size_t c = 0; c < n_cust; c++) start[c + 1] += start[c];
    for (size_t i = 0; i < n; i++) out[start[(*v)[i].cust]++] = (*v)[i];
    xs__free(start);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && out[j].cust == out[i].cust) j++;
        if (j - i > 32) {
            qsort(out + i, j - i, sizeof *out, cmp_day);
        } else {
            for (size_t k = i + 1; k < j; k++) {
                row t = out[k];
                size_t m = k;
                for (; m > i && out[m - 1].day > t.day; m--) out[m] = out[m - 1];
                out[m] = t;
            }
        }
        i = j;
    }
    xs__free(*v);
    *v = out;
    return 0;
}

int xs__score_clv_summarize(xs_clv_data *d, xs__score_clv_row **rows, size_t n_rows,
                            size_t n_cust, int32_t cal_end, int unit_days)
{
    if (sort_rows(rows, n_rows, n_cust) < 0) return XS_ENOMEM;
    const row *v = *rows;
    size_t n_keep = 0;
    double unit = unit_days;
    xs__free(d->x);
    xs__free(d->id);
    d->id = NULL;
    d->x = xs__calloc(n_cust ? 6 * n_cust : 1, sizeof(double));
    if (d->ids.n == n_cust && n_cust) d->id = xs__calloc(n_cust, sizeof *d->id);
    if (!d->x || (d->ids.n == n_cust && n_cust && !d->id)) return XS_ENOMEM;
    d->t_x = d->x + n_cust;
    d->T = d->x + 2 * n_cust;
    d->mean = d->x + 3 * n_cust;
    d->hold_n = d->x + 4 * n_cust;
    d->hold_spend = d->x + 5 * n_cust;
    d->n_rows = n_rows;
    d->n_after = d->n_dropped = 0;
    for (size_t i = 0; i < n_rows;) {
        uint32_t c = v[i].cust;
        int32_t first = v[i].day, last = first;
        double n_days = 0, repeat_sum = 0, hold_n = 0, hold_sum = 0;
        while (i < n_rows && v[i].cust == c) {
            int32_t day = v[i].day;
            double amt = 0;
            size_t k = 0;
            for (; i < n_rows && v[i].cust == c && v[i].day == day; i++, k++)
                amt += v[i].amount;
            if (day > cal_end) {
                d->n_after += k;
                hold_n += 1;
                hold_sum += amt;
                continue;
            }
            if (n_days > 0) repeat_sum += amt;
            n_days += 1;
            last = day;
        }
        if (n_days == 0) {
            d->n_dropped++;
            continue;
        }
        size_t k = n_keep++;
        if (d->id) d->id[k] = c;
        d->x[k] = n_days - 1;
        d->t_x[k] = (double)(last - first) / unit;
        d->T[k] = (double)(cal_end - first) / unit;
        d->mean[k] = n_days > 1 ? repeat_sum / (n_days - 1) : 0;
        d->hold_n[k] = hold_n;
        d->hold_spend[k] = hold_sum;
    }
    d->n = n_keep;
    return XS_OK;
}

int xs_clv_data_read(const char *path, const xs_clv_read_opts *o, xs_clv_data **out,
                     xs_error *err)
{
    *out = NULL;
    row_vec rs = {NULL, 0, 0};
    xs_clv_data *d = xs__score_clv_data_alloc(0);
    int unit = o->unit_days ? o->unit_days : 1;
    int rc;
    if (!d) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (unit < 1) {
        rc = xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "unit_days must be >= 1");
        goto cleanup;
    }
    rc = o->format == XS_CLV_INPUT_CDNOW ? read_cdnow(path, &rs, &d->ids, err)
                                         : read_csv(path, o, &rs, &d->ids, err);
    if (rc < 0) goto cleanup;
    /* customers keep the order of first appearance in the file: intern ids
     * are dense in that order */
    rc = xs__score_clv_summarize(d, &rs.v, rs.n, d->ids.n, o->calibration_end, unit);
    if (rc < 0) {
        rc = xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    if (d->n == 0) {
        rc = xs__error_set(err, XS_EINVAL, path, 0, NULL,
                           "no customer has a purchase on or before the calibration end");
        goto cleanup;
    }
    *out = d;
    d = NULL;
    rc = XS_OK;
cleanup:
    xs__free(rs.v);
    xs_clv_data_free(d);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* From a store snapshot                                                   */
/* ---------------------------------------------------------------------- */

void xs__score_clv_net_returns(const xs_snapshot *s, uint32_t c, int32_t cal_end,
                               const int32_t *day, int64_t *amt, size_t n)
{
    if (n == 0) return;
    size_t j = 0; /* the latest day <= the return's date (returns ascend by date) */
    for (uint32_t r = s->cust.ret_off[c]; r < s->cust.ret_off[c + 1]; r++) {
        int32_t d = s->ret.date[r];
        if (d > cal_end) break;
        while (j + 1 < n && day[j + 1] <= d)
            j++;
        int64_t left = s->ret.amount[r];
        for (size_t k = j + 1; k-- > 0 && left > 0;) {
            int64_t take = amt[k] < left ? amt[k] : left;
            amt[k] -= take;
            left -= take;
        }
    }
}

/*
 * The store's orders are baskets of lines: an order's amount is the sum of
 * its lines, and every order of one customer on one day makes one purchase
 * row here (as same-day rows of a file are merged), so the summaries come
 * out of the same xs__score_clv_summarize() as the file reader's. A day whose
 * lines sum below zero (returns beyond the purchases) counts as a purchase
 * of 0, as xs_clv_data_from_snapshot() does. Then the customer's returns
 * (snapshot table ret) dated on or before calibration_end are taken off its
 * purchase days (xs__score_clv_net_returns): a return is never a purchase day of
 * its own, it lowers the spend of the purchase it most likely reverses.
 * The day's sum is taken in minor units and divided once, so both paths
 * give bit-identical columns.
 */
int xs_clv_data_read_snapshot(const xs_snapshot *s, int32_t calibration_end, int unit_days,
                              xs_clv_data **out, xs_error *err)
{
    *out = NULL;
    if (unit_days < 1)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "unit_days must be >= 1");
    if (s->ord.n == 0)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "the store has no orders");
    size_t n_cust = s->cust.n, n_rows = 0;
    double scale = pow(10, s->money_scale);
    row *rows = NULL;
    int32_t *days = NULL;
    int64_t *amts = NULL;
    xs_clv_data *d = xs__score_clv_data_alloc(0);
    int rc = XS_ENOMEM;
    if (!d) goto cleanup;
    /* one id per snapshot customer, in its order: intern id c = customer c */
    for (size_t c = 0; c < n_cust; c++)
        if (xs__intern_add(&d->ids, xs__intern_str(&s->cust.ids, (uint32_t)c),
                           s->cust.ids.lens[c]) != (uint32_t)c)
            goto cleanup;
    for (size_t o = 0; o < s->ord.n; o++) /* count customer-days */
        if (o == 0 || s->ord.customer[o] != s->ord.customer[o - 1] ||
            s->ord.date[o] != s->ord.date[o - 1])
            n_rows++;
    rows = xs__malloc(n_rows * sizeof *rows);
    days = xs__malloc(n_rows * sizeof *days);
    amts = xs__malloc(n_rows * sizeof *amts);
    if (!rows || !days || !amts) goto cleanup;
    size_t k = 0, k0 = 0;
    for (size_t o = 0; o < s->ord.n;) {
        uint32_t c = s->ord.customer[o];
        int32_t day = s->ord.date[o];
        int64_t amt = 0;
        for (; o < s->ord.n && s->ord.customer[o] == c && s->ord.date[o] == day; o++)
            for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++)
                amt += s->ord.amount[l];
        if (amt < 0) amt = 0;
        rows[k].cust = c;
        rows[k].day = day;
        days[k] = day;
        amts[k] = amt;
        k++;
        if (o == s->ord.n || s->ord.customer[o] != c) { /* c's last day */
            xs__score_clv_net_returns(s, c, calibration_end, days + k0, amts + k0,
                                      k - k0);
            k0 = k;
        }
    }
    for (size_t r = 0; r < n_rows; r++)
        rows[r].amount = (double)amts[r] / scale;
    rc = xs__score_clv_summarize(d, &rows, n_rows, n_cust, calibration_end, unit_days);
    if (rc < 0) goto cleanup;
    if (d->n == 0) {
        rc = xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                           "no customer has a purchase on or before the calibration end");
        goto cleanup;
    }
    *out = d;
    d = NULL;
    rc = XS_OK;
cleanup:
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__free(rows);
    xs__free(days);
    xs__free(amts);
    xs_clv_data_free(d);
    return rc;
}
