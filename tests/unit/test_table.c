/*
 * test_table.c — the printf-free writers of the readers' output: the
 * fixed-point and integer formatters (src/base/numfmt.c) against snprintf
 * on edge values (negative zero, ties, near ties, huge, NaN, infinite) and
 * on a seeded sweep; the table's pooled cells and its in-memory rows
 * (src/io/table.c) against the cells and streams they replace, in every
 * format, with UTF-8 text that needs CSV quoting and JSON escapes; pads
 * wider than 64 columns written as spaces only; the aligned text in
 * pieces (widths, packed blocks, padded rows) against one table written
 * at once; out of memory reported;
 * and the message catalog's placeholder filling (src/offer/messages.c)
 * with truncation that never cuts a UTF-8 character; and a one-row table
 * written as one record (src/io/table_record.c), byte for byte.
 */
#include "xsell.h"

#include "base/alloc.h"
#include "base/numfmt.h"
#include "base/rng.h"
#include "io/table.h"
#include "offer/messages.h"
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks xs__fmt_fixed(v, d) == snprintf("%.*f", d, v); 1 when equal. */
static int same_fixed(double v, int d)
{
    char a[XS__FMT_FIXED_MAX], b[XS__FMT_FIXED_MAX];
    size_t n = xs__fmt_fixed(a, v, d);
    snprintf(b, sizeof b, "%.*f", d, v);
    if (strcmp(a, b) || n != strlen(b)) {
        fprintf(stderr, "  %.17g with %d decimals: \"%s\", printf \"%s\"\n", v, d, a, b);
        return 0;
    }
    return 1;
}

static void test_fixed_edges(void)
{
    static const double v[] = {
        0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, -0.125, 0.375, 0.005, 0.015, 1.005,
        999.995, 0.045, -0.001, -0.0049, -0.005, 1e-12, -1e-12, 123456.785,
        2147483647.0, 2147483648.0, 2147483647.5, -2147483648.0, 214748364.75,
        1e20, -1e20, 1e300, 1.7976931348623157e308, 4.9e-324, NAN, -NAN, INFINITY,
        -INFINITY, 604676876.92, 0.6554, 100.0 / 3, -2.0 / 3, 0.1 + 0.2};
    for (size_t i = 0; i < XS_N(v); i++)
        for (int d = 0; d <= 9; d++)
            CHECK(same_fixed(v[i], d));
    char a[XS__FMT_FIXED_MAX];
    CHECK_STR((xs__fmt_fixed(a, 2.5, 0), a), "2");     /* ties to even */
    CHECK_STR((xs__fmt_fixed(a, 3.5, 0), a), "4");
    CHECK_STR((xs__fmt_fixed(a, 0.125, 2), a), "0.12"); /* exact binary tie */
    CHECK_STR((xs__fmt_fixed(a, -0.001, 2), a), "-0.00");
    CHECK_STR((xs__fmt_fixed(a, 1234567.891, 2), a), "1234567.89");
    CHECK_STR((xs__fmt_fixed(a, 1.25, -3), a), "1"); /* decimals taken as 0 */
    CHECK_INT(xs__fmt_fixed(a, 1.0 / 3, 12), 11);    /* and as 9 at most */
    CHECK_STR(a, "0.333333333");
}

static void test_fixed_sweep(void)
{
    /* values of every magnitude the readers print, many on or near a
     * rounding tie of the decimals asked for */
    xs__rng r;
    xs__rng_seed(&r, 20261207);
    long bad = 0;
    for (int i = 0; i < 300000; i++) {
        int d = (int)xs__rng_below(&r, 7);
        double mag = pow(10, (double)xs__rng_below(&r, 16) - 6);
        double x = (xs__rng_uniform(&r) - 0.5) * 2 * mag;
        if (i % 3 == 1) /* a tie at d decimals, nudged by at most an ulp or two */
            x = (floor(x * pow(10, d)) + 0.5) / pow(10, d) +
                ((double)xs__rng_below(&r, 5) - 2) * 1e-17 * fabs(x);
        if (i % 7 == 2) x = (double)xs__rng_below(&r, 1000000) / 8; /* exact ties */
        bad += !same_fixed(x, d);
    }
    CHECK_INT(bad, 0);
}

/* xs__fmt_fixed_value against strtod of the text, bit for bit, on values
 * of every magnitude (the fast path and the long texts past 15 digits). */
static void test_fixed_value(void)
{
    xs__rng r;
    xs__rng_seed(&r, 20261207);
    long bad = 0;
    for (int i = 0; i < 300000; i++) {
        int d = (int)xs__rng_below(&r, 10);
        double mag = pow(10, (double)xs__rng_below(&r, 22) - 8);
        double x = (xs__rng_uniform(&r) - 0.5) * 2 * mag;
        if (i % 5 == 1) x = (double)xs__rng_below(&r, 100000000) / 100;
        char t[XS__FMT_FIXED_MAX];
        xs__fmt_fixed(t, x, d);
        double a = xs__fmt_fixed_value(x, d), b = strtod(t, NULL);
        if (memcmp(&a, &b, sizeof a)) {
            if (bad < 5) fprintf(stderr, "  \"%s\": %a, strtod %a\n", t, a, b);
            bad++;
        }
    }
    CHECK_INT(bad, 0);
    double z = xs__fmt_fixed_value(-0.001, 2);
    CHECK(z == 0 && signbit(z)); /* "-0.00" */
    CHECK(xs__fmt_fixed_value(0.1 + 0.2, 2) == 0.3);
    CHECK(xs__fmt_fixed_value(1e20, 2) == 1e20);
}

/* Checks xs__fmt_g17(v) == snprintf("%.17g", v); 1 when equal. */
static int same_g17(double v)
{
    char a[XS__FMT_G17_MAX], b[64];
    size_t n = xs__fmt_g17(a, v);
    snprintf(b, sizeof b, "%.17g", v);
    if (!strcmp(a, b) && n == strlen(b)) return 1;
    fprintf(stderr, "  %%.17g of %a: got \"%s\", want \"%s\"\n", v, a, b);
    return 0;
}

static void test_g17_edges(void)
{
    char a[XS__FMT_G17_MAX];
    CHECK_STR((xs__fmt_g17(a, 0.1), a), "0.10000000000000001");
    CHECK_STR((xs__fmt_g17(a, 26368.0), a), "26368");
    CHECK_STR((xs__fmt_g17(a, -0.5), a), "-0.5");
    CHECK_STR((xs__fmt_g17(a, 1e-5), a), "1.0000000000000001e-05");
    CHECK_STR((xs__fmt_g17(a, 1e16), a), "10000000000000000");
    CHECK_STR((xs__fmt_g17(a, 1e17), a), "1e+17");
    CHECK_STR((xs__fmt_g17(a, 0.0), a), "0");
    CHECK_STR((xs__fmt_g17(a, -0.0), a), "-0");
    CHECK_STR((xs__fmt_g17(a, NAN), a), "nan");
    CHECK_STR((xs__fmt_g17(a, -INFINITY), a), "-inf");
    /* every power of ten and its neighbours, where the exponent flips */
    long bad = 0;
    for (int p = -30; p <= 30; p++) {
        double t = pow(10, p);
        bad += !same_g17(t) + !same_g17(nextafter(t, 0)) + !same_g17(nextafter(t, INFINITY)) +
               !same_g17(-t);
        for (int k = 1; k < 40; k++) { /* 17 nines and a half below the power */
            double u = t * (1 - k * 1e-17);
            bad += !same_g17(u);
        }
    }
    CHECK_INT(bad, 0);
}

static void test_g17_sweep(void)
{
    xs__rng r;
    xs__rng_seed(&r, 20261207);
    long bad = 0;
    for (int i = 0; i < 400000; i++) {
        double x;
        switch (i % 5) {
        case 0: /* any bit pattern of a finite double */
            do {
                uint64_t bits = xs__rng_next(&r);
                memcpy(&x, &bits, sizeof x);
            } while (!isfinite(x));
            break;
        case 1: /* every magnitude the API prints */
            x = (xs__rng_uniform(&r) - 0.5) * 2 * pow(10, (double)xs__rng_below(&r, 30) - 13);
            break;
        case 2: /* a decimal with 2 or 4 places read back (the offers' reals) */
            x = (double)((long long)xs__rng_below(&r, 100000000) - 50000000) /
                (i % 2 ? 100.0 : 10000.0);
            break;
        case 3: /* counts */
            x = (double)xs__rng_below(&r, 10000000);
            break;
        default: /* ratios of small integers: scores, shares */
            x = (double)xs__rng_below(&r, 1000) / (double)(1 + xs__rng_below(&r, 1000));
        }
        bad += !same_g17(x);
    }
    CHECK_INT(bad, 0);
}

static void test_ints(void)
{
    static const long long v[] = {0, 1, -1, 9, 10, -10, 4294967295LL, 123456789012345LL,
                                  -9223372036854775807LL - 1, 9223372036854775807LL};
    char a[32], b[32];
    for (size_t i = 0; i < XS_N(v); i++) {
        size_t n = xs__fmt_int(a, v[i]);
        snprintf(b, sizeof b, "%lld", v[i]);
        CHECK_STR(a, b);
        CHECK_INT(n, strlen(b));
    }
    CHECK_INT(xs__fmt_uint(a, 18446744073709551615ULL), 20);
    CHECK_STR(a, "18446744073709551615");
    /* every digit count, odd and even (the digits go two at a time) */
    unsigned long long x = 0x9e3779b97f4a7c15ULL;
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned long long u = x >> (i % 64);
        size_t n = xs__fmt_uint(a, u);
        snprintf(b, sizeof b, "%llu", u);
        bad += strcmp(a, b) != 0 || n != strlen(b);
    }
    CHECK_INT(bad, 0);
}

/* The same rows built two ways: printf cells (ref) and the direct ones. */
static void fill(xs_table *t, int direct)
{
    static const double num[] = {-0.004, 1234.5, -2.5, 0.125, 1e21, 7};
    static const char *const text[] = {
        "plain", "東京, 大阪", "say \"はい\"\nok", "", "tab\there \x01 ctl", NULL};
    xs_table_column(t, "text", XS_COL_TEXT);
    xs_table_column(t, "value", XS_COL_NUM);
    xs_table_column(t, "rank", XS_COL_NUM);
    for (size_t i = 0; i < XS_N(num); i++) {
        CHECK_INT(xs_table_row(t), XS_OK);
        if (direct && text[i])
            CHECK_INT(xs__io_table_cell_n(t, text[i], strlen(text[i])), XS_OK);
        else
            CHECK_INT(xs_table_cell(t, text[i]), XS_OK);
        if (direct) {
            CHECK_INT(xs__io_table_cell_fixed(t, num[i], 2), XS_OK);
            CHECK_INT(xs__io_table_cell_int(t, (long long)i - 3), XS_OK);
        } else {
            CHECK_INT(xs_table_cellf(t, "%.2f", num[i]), XS_OK);
            CHECK_INT(xs_table_cellf(t, "%lld", (long long)i - 3), XS_OK);
        }
    }
    CHECK_INT(xs__io_table_cell_int(t, 1), XS_EINVAL); /* the row is full */
}

/* What xs_table_write gives, as a string (caller frees); its length in
 * bytes into *n when n is not NULL. */
static char *written_n(const xs_table *t, xs_format f, size_t *n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    CHECK(m != NULL);
    CHECK_INT(xs_table_write(t, m, f), XS_OK);
    fclose(m);
    if (n) *n = len;
    return buf;
}

static char *written(const xs_table *t, xs_format f)
{
    return written_n(t, f, NULL);
}

static void test_cells_and_formats(void)
{
    xs_table *ref = xs_table_new(), *t = xs_table_new();
    fill(ref, 0);
    fill(t, 1);
    for (int f = 0; f < 3; f++) {
        char *a = written(ref, (xs_format)f), *b = written(t, (xs_format)f);
        CHECK_STR(b, a);
        free(a);
        free(b);
    }
    char *csv = written(t, XS_FORMAT_CSV);
    CHECK_STR(csv, "text,value,rank\n"
                   "plain,-0.00,-3\n"
                   "\"東京, 大阪\",1234.50,-2\n"
                   "\"say \"\"はい\"\"\nok\",-2.50,-1\n"
                   ",0.12,0\n"
                   "tab\there \x01 ctl,1000000000000000000000.00,1\n"
                   ",7.00,2\n");
    free(csv);
    char *json = written(t, XS_FORMAT_JSON);
    CHECK(strstr(json, "{\"text\": \"say \\\"はい\\\"\\nok\", \"value\": -2.50, \"rank\": -1}"));
    CHECK(strstr(json, "{\"text\": \"tab\\there \\u0001 ctl\""));
    CHECK(strstr(json, "{\"text\": \"\", \"value\": 0.12"));
    CHECK(strstr(json, "{\"text\": null, \"value\": 7.00"));
    free(json);
    xs_table_free(ref);
    xs_table_free(t);
}

static void test_rows_in_memory(void)
{
    xs_table *t = xs_table_new();
    fill(t, 1);
    for (int f = XS_FORMAT_JSON; f <= XS_FORMAT_CSV; f++) {
        char *s = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&s, &len);
        CHECK_INT(xs_table_write_rows(t, m, (xs_format)f), XS_OK);
        fclose(m);
        xs__buf b = {0};
        CHECK_INT(xs__io_table_rows_append(t, (xs_format)f, &b), XS_OK);
        CHECK_INT(b.n, len);
        CHECK(b.n == len && memcmp(b.p, s, len) == 0);
        /* appending again doubles it, after what was there */
        CHECK_INT(xs__io_table_rows_append(t, (xs_format)f, &b), XS_OK);
        CHECK_INT(b.n, 2 * len);
        CHECK(b.n == 2 * len && memcmp(b.p + len, s, len) == 0);
        xs__buf_free(&b);
        free(s);
    }
    xs__buf b = {0};
    CHECK_INT(xs__io_table_rows_append(t, XS_FORMAT_TABLE, &b), XS_EINVAL);
    CHECK(b.p == NULL);
    /* the next chunk reuses the pool: same rows, same bytes */
    xs_table_clear_rows(t);
    CHECK_INT(xs_table_rows(t), 0);
    CHECK_INT(xs_table_row(t), XS_OK);
    CHECK_INT(xs__io_table_cell_n(t, "x,y", 3), XS_OK);
    CHECK_INT(xs__io_table_cell_fixed(t, -1.0 / 3, 3), XS_OK);
    CHECK_INT(xs__io_table_rows_append(t, XS_FORMAT_CSV, &b), XS_OK);
    CHECK_INT(b.n, 14);
    CHECK(b.n == 14 && memcmp(b.p, "\"x,y\",-0.333,\n", 14) == 0);
    xs__buf_free(&b);
    /* out of memory: reported, nothing half-made */
    xs__alloc_fail_after(0);
    CHECK_INT(xs__io_table_rows_append(t, XS_FORMAT_CSV, &b), XS_ENOMEM);
    xs__alloc_fail_after(-1);
    CHECK(b.p == NULL);
    xs__buf_free(&b);
    xs_table *u = xs_table_new();
    CHECK_INT(xs_table_column(u, "a", XS_COL_TEXT), XS_OK);
    xs__alloc_fail_after(0);
    CHECK_INT(xs_table_row(u), XS_ENOMEM);
    xs__alloc_fail_after(1); /* the row's cells, not the pool */
    CHECK_INT(xs_table_row(u), XS_OK);
    CHECK_INT(xs__io_table_cell_n(u, "abc", 3), XS_ENOMEM);
    xs__alloc_fail_after(-1);
    CHECK_INT(xs__io_table_cell_n(u, "abc", 3), XS_OK);
    xs_table_free(u);
    xs_table_free(t);
}

static void test_wide_pads(void)
{
    /* pads past 64 columns are spaces (they once carried a NUL byte) */
    char wide[151];
    memset(wide, 'w', 150);
    wide[150] = '\0';
    xs_table *t = xs_table_new();
    xs_table_column(t, "a", XS_COL_TEXT);
    xs_table_column(t, "n", XS_COL_NUM);
    xs_table_row(t);
    xs_table_cell(t, wide);
    xs_table_cell(t, "1");
    xs_table_row(t);
    xs_table_cell(t, "b");
    xs__io_table_cell_n(t, wide, 130);
    size_t len;
    char *s = written_n(t, XS_FORMAT_TABLE, &len);
    /* header, rule, two rows: each 150 + 2 + 130 columns and a newline */
    CHECK_INT(len, 4 * (150 + 2 + 130 + 1));
    CHECK_INT(strlen(s), len); /* no NUL inside */
    char line[300];
    memset(line, ' ', 151 + 2 + 129);
    line[0] = 'b';
    memcpy(line + 152, wide, 130);
    line[150 + 2 + 130] = '\0';
    CHECK(strstr(s, line) != NULL); /* "b", 149 + 2 spaces, the number */
    free(s);
    xs_table_free(t);
}

/* The aligned text in pieces (io/table.h), as offer/write_all.c uses them:
 * two tables of the same columns, each packed, padded at the max of their
 * widths, give the bytes of xs_table_write of one table of all the rows;
 * the packed cells are exact (an empty cell and a row left short are one
 * NUL each); Japanese text counts 2 columns a character. */
static void test_text_pieces(void)
{
    static const char *rows[][3] = {
        {"U1", "1", "short"},        {"U22", NULL, "日本語の説明"},
        {"", "12345", NULL},         {"U4444", "7", "a much longer text cell"},
        {"U5", "-0.50", "ノート"},   {"U666666", NULL, ""},
    };
    xs_table *all = xs_table_new(), *part[2] = {xs_table_new(), xs_table_new()};
    xs_table *tabs[3] = {all, part[0], part[1]};
    for (int k = 0; k < 3; k++) {
        xs_table_column(tabs[k], "id", XS_COL_TEXT);
        xs_table_column(tabs[k], "n", XS_COL_NUM);
        xs_table_column(tabs[k], "note", XS_COL_TEXT);
    }
    for (size_t r = 0; r < XS_N(rows); r++)
        for (int k = 0; k < 2; k++) {
            xs_table *t = k ? part[r >= 2] : all; /* part 0: rows 0-1, part 1: 2-5 */
            xs_table_row(t);
            for (int c = 0; c < 3; c++)
                if (c < 2 || r != 5) xs_table_cell(t, rows[r][c]); /* row 5 left short */
        }
    size_t want_len;
    char *want = written_n(all, XS_FORMAT_TABLE, &want_len);
    size_t w[3] = {0, 0, 0}, w0[3] = {0, 0, 0};
    xs__io_table_widths(part[0], w0);
    CHECK_INT(w0[2], 12); /* 日本語の説明: 6 wide characters */
    xs__io_table_widths(part[0], w);
    xs__io_table_widths(part[1], w);
    CHECK_INT(w[0], 7);
    CHECK_INT(w[1], 5);
    CHECK_INT(w[2], 23);
    xs__buf b = {0};
    CHECK_INT(xs__io_table_text_head(all, w, &b), XS_OK);
    for (int k = 0; k < 2; k++) {
        size_t size;
        char *cells = xs__io_table_pack(part[k], &size);
        CHECK(cells != NULL);
        if (k == 0) {
            /* the literal's own NUL is the last cell's */
            CHECK_INT(size, sizeof "U1\0" "1\0" "short\0" "U22\0" "\0" "日本語の説明");
            CHECK(!memcmp(cells, "U1\0" "1\0" "short\0" "U22\0" "\0" "日本語の説明", size));
        }
        const char *p = cells;
        for (size_t r = 0; r < xs_table_rows(part[k]); r++)
            p = xs__io_table_text_packed_row(all, w, p, &b);
        CHECK_INT(p - cells, size);
        xs__free(cells);
    }
    CHECK_INT(b.err, 0);
    CHECK_INT(b.n, want_len);
    CHECK(b.n == want_len && !memcmp(b.p, want, want_len));
    /* the same through rows of pointers */
    xs__buf_reset(&b);
    CHECK_INT(xs__io_table_text_head(all, w, &b), XS_OK);
    for (size_t r = 0; r < XS_N(rows); r++) {
        const char *v[3];
        for (int c = 0; c < 3; c++) v[c] = rows[r][c] ? rows[r][c] : "";
        xs__io_table_text_row(all, w, v, &b);
    }
    CHECK(b.n == want_len && !memcmp(b.p, want, want_len));
    xs__buf_free(&b);
    free(want);
    for (int k = 0; k < 3; k++) xs_table_free(tabs[k]);
}

static void test_msg_fill(void)
{
    xs__offer_msg_var v[] = {{"name", "Team"}, {"price", "USD 1,200.00"}, {"none", NULL}};
    char buf[64];
    size_t w = 0;
    xs__offer_msg_fill("{name} costs {price}{none}; {unknown} {x", v, 3, buf, sizeof buf,
                       &w);
    CHECK_STR(buf, "Team costs USD 1,200.00; {unknown} {x");
    CHECK_INT(w, strlen(buf));
    /* appends at w */
    xs__offer_msg_fill(" ok", v, 3, buf, sizeof buf, &w);
    CHECK_STR(buf, "Team costs USD 1,200.00; {unknown} {x ok");
    /* cut at the buffer, never inside a UTF-8 character (3 bytes each) */
    char small[9];
    w = 0;
    xs__offer_msg_fill("ab{name}", v, 3, small, sizeof small, &w);
    CHECK_STR(small, "abTeam");
    w = 0;
    xs__offer_msg_fill("x日本語", NULL, 0, small, sizeof small, &w);
    CHECK_STR(small, "x日本");
    CHECK_INT(w, 7);
    w = 0;
    xs__offer_msg_fill("{name}{name}{name}", v, 3, small, sizeof small, &w);
    CHECK_STR(small, "TeamTeam");
    CHECK_INT(w, 8);
}

/* What f(t, stream) writes, as a string (caller frees); its code in *rc. */
static char *record_of(const xs_table *t, xs_format f, int open_only, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    CHECK(m != NULL);
    *rc = open_only ? xs_table_write_object_open(t, m) : xs_table_write_record(t, m, f);
    fclose(m);
    return buf;
}

/* A one-row table as one record (src/io/table_record.c): a JSON object, a
 * CSV header and row, a key/value listing; any other row count refused. */
static void test_record(void)
{
    xs_table *t = xs_table_new(), *kv = xs_table_new();
    int rc;
    CHECK(t && kv);
    CHECK_INT(xs_table_column(t, "model", XS_COL_TEXT), XS_OK);
    CHECK_INT(xs_table_column(t, "r", XS_COL_NUM), XS_OK);
    CHECK_INT(xs_table_column(t, "note", XS_COL_TEXT), XS_OK);
    CHECK_INT(xs_table_column(t, "x", XS_COL_NUM), XS_OK);
    char *s = record_of(t, XS_FORMAT_JSON, 0, &rc);
    CHECK_INT(rc, XS_EINVAL); /* no row */
    free(s);
    CHECK_INT(xs_table_row(t), XS_OK);
    CHECK_INT(xs_table_cell(t, "bgnbd"), XS_OK);
    CHECK_INT(xs_table_cell(t, "0.24"), XS_OK);
    CHECK_INT(xs_table_cell(t, "a \"b\", c"), XS_OK);
    CHECK_INT(xs_table_cell(t, NULL), XS_OK);
    s = record_of(t, XS_FORMAT_JSON, 0, &rc);
    CHECK_INT(rc, XS_OK);
    CHECK_STR(s, "{\"model\": \"bgnbd\", \"r\": 0.24, \"note\": \"a \\\"b\\\", c\", \"x\": null}\n");
    free(s);
    s = record_of(t, XS_FORMAT_JSON, 1, &rc);
    CHECK_INT(rc, XS_OK);
    CHECK_STR(s, "{\"model\": \"bgnbd\", \"r\": 0.24, \"note\": \"a \\\"b\\\", c\", \"x\": null");
    free(s);
    s = record_of(t, XS_FORMAT_CSV, 0, &rc);
    CHECK_INT(rc, XS_OK);
    CHECK_STR(s, "model,r,note,x\nbgnbd,0.24,\"a \"\"b\"\", c\",\n");
    free(s);
    /* the aligned format: what the key/value table built by hand gives */
    const char *keys[] = {"model", "r", "note", "x"}, *vals[] = {"bgnbd", "0.24", "a \"b\", c", NULL};
    CHECK_INT(xs_table_column(kv, "key", XS_COL_TEXT), XS_OK);
    CHECK_INT(xs_table_column(kv, "value", XS_COL_NUM), XS_OK);
    for (int i = 0; i < 4; i++) {
        CHECK_INT(xs_table_row(kv), XS_OK);
        CHECK_INT(xs_table_cell(kv, keys[i]), XS_OK);
        CHECK_INT(xs_table_cell(kv, vals[i]), XS_OK);
    }
    char *want = written(kv, XS_FORMAT_TABLE);
    s = record_of(t, XS_FORMAT_TABLE, 0, &rc);
    CHECK_INT(rc, XS_OK);
    CHECK_STR(s, want);
    free(s);
    free(want);
    CHECK_INT(xs_table_row(t), XS_OK); /* two rows: not a record */
    s = record_of(t, XS_FORMAT_CSV, 0, &rc);
    CHECK_INT(rc, XS_EINVAL);
    free(s);
    s = record_of(t, XS_FORMAT_JSON, 1, &rc);
    CHECK_INT(rc, XS_EINVAL);
    free(s);
    xs_table_free(t);
    xs_table_free(kv);
}

int main(void)
{
    static const xs_test tests[] = {
        {"fixed_edges", test_fixed_edges},
        {"fixed_sweep", test_fixed_sweep},
        {"fixed_value", test_fixed_value},
        {"g17_edges", test_g17_edges},
        {"g17_sweep", test_g17_sweep},
        {"ints", test_ints},
        {"cells_and_formats", test_cells_and_formats},
        {"rows_in_memory", test_rows_in_memory},
        {"wide_pads", test_wide_pads},
        {"text_pieces", test_text_pieces},
        {"msg_fill", test_msg_fill},
        {"record", test_record},
    };
    return xs_test_run(tests, XS_N(tests));
}
