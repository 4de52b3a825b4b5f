/*
 * test_fuzz_found.c — what the fuzz targets of tests/fuzz found, kept as
 * ordinary tests so it cannot come back:
 *   - xs__error_quote wrote 2 bytes past its buffer when a long value of
 *     control characters (each shown as \xNN) was cut (fuzz_import, through
 *     a CSV value of an import): checked here exactly, and for every buffer
 *     size against a canary;
 *   - the money parsers gave their verdict in reading order, so "1.5x" was
 *     "too many decimals" instead of malformed, a long malformed number
 *     "too large", and the exact limit 9223372036854775807 was refused
 *     (fuzz_money): malformed first, then precision, then range, exactly;
 *   - the same input as a whole import: a CSV value of 100 control
 *     characters is reported with its quote cut cleanly.
 */
#include "base/error.h"
#include "base/money.h"
#include "io/transactions_int.h"
#include "test.h"
#include "xsell.h"

#include <stdint.h>
#include <unistd.h>

static void test_quote_control_chars(void)
{
    char value[100], q[200], want[200];
    memset(value, 0x10, sizeof value);
    xs__error_quote(q, sizeof q, value, sizeof value);
    /* 48 characters of 4 bytes fit with the cut mark, the quote and NUL */
    size_t n = 0;
    want[n++] = '"';
    for (int i = 0; i < 48; i++) {
        memcpy(want + n, "\\x10", 4);
        n += 4;
    }
    memcpy(want + n, "...\"", 5);
    CHECK_STR(q, want);
    CHECK_INT(strlen(q), 197);
}

/* Every buffer size from 8 to 120 with values that widen (control
 * characters, quotes, UTF-8): the output ends inside the buffer and the
 * bytes after it are untouched. */
static void test_quote_every_size(void)
{
    static const char *const values[] = {
        "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16"
        "\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f\x01\x02\x03\x04\x05\x06\x07\x08",
        "\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\",
        "\xe4\xb8\x89\xe8\x84\x9a\xe4\xb8\x89\xe8\x84\x9a\xe4\xb8\x89\xe8\x84\x9a\x01"
        "\xe4\xb8\x89\xe8\x84\x9a\xe4\xb8\x89\xe8\x84\x9a\x01\x02\x03\x04\x05\x06",
    };
    for (size_t v = 0; v < XS_N(values); v++) {
        for (size_t n = 8; n <= 120; n++) {
            char buf[256];
            memset(buf, 'Z', sizeof buf);
            xs__error_quote(buf, n, values[v], strlen(values[v]));
            size_t len = strnlen(buf, n);
            CHECK(len < n);
            for (size_t k = n; k < sizeof buf; k++)
                if (buf[k] != 'Z') {
                    CHECK_INT(k, n - 1); /* names the first byte written past n */
                    break;
                }
            CHECK_INT(buf[0], '"');
            CHECK_INT(buf[len - 1], '"');
        }
    }
}

static void test_money_verdicts(void)
{
    int64_t v = 0;
    CHECK_INT(xs__money_parse("1.5x", 4, 0, &v), -1);
    CHECK_INT(xs__money_parse("99999999999999999999x", 21, 2, &v), -1);
    CHECK_INT(xs__money_parse("99999999999999999999.999", 24, 2, &v), -2);
    CHECK_INT(xs__money_parse("9223372036854775807", 19, 0, &v), 0);
    CHECK_INT(v == INT64_MAX, 1);
    CHECK_INT(xs__money_parse("-9223372036854775807", 20, 0, &v), 0);
    CHECK_INT(v == -INT64_MAX, 1);
    CHECK_INT(xs__money_parse("9223372036854775808", 19, 0, &v), -3);
    CHECK_INT(xs__money_parse("92233720368547758.07", 20, 2, &v), 0);
    CHECK_INT(v == INT64_MAX, 1);
    CHECK_INT(xs__money_parse("92233720368547758.08", 20, 2, &v), -3);
    CHECK_INT(xs__money_parse("92233720368547758.080", 21, 2, &v), -3);
    CHECK_INT(xs__money_parse("1.230", 5, 2, &v), 0);
    CHECK_INT(v, 123);
}

static void test_micro_verdicts(void)
{
    int64_t v = 0;
    /* the input fuzz_money found: a number cut by a NUL */
    static const char nul[] = "92233720368547\0\0\x15"
                              "07";
    CHECK_INT(xs__io_txn_parse_micro(nul, sizeof nul - 1, &v), -1);
    CHECK_INT(xs__io_txn_parse_micro("9223372036854.775807", 20, &v), 0);
    CHECK_INT(v == INT64_MAX, 1);
    CHECK_INT(xs__io_txn_parse_micro("9223372036854.775808", 20, &v), -3);
    CHECK_INT(xs__io_txn_parse_micro("-9223372036854.775807", 21, &v), 0);
    CHECK_INT(v == -INT64_MAX, 1);
    CHECK_INT(xs__io_txn_parse_micro("1.0000000", 9, &v), -2);
    CHECK_INT(xs__io_txn_parse_micro("1.0000000x", 10, &v), -1);
    CHECK_INT(xs__io_txn_parse_micro("1.2.3", 5, &v), -1);
    CHECK_INT(xs__io_txn_parse_micro("+.5", 3, &v), 0);
    CHECK_INT(v, 500000);
}

static void keep_first(void *ctx, const xs_error *e)
{
    xs_error *first = ctx;
    if (!first->code) *first = *e;
}

/* The import fuzz_import crashed on: a signup_date of control characters. */
static void test_import_control_value(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char db[256], csv[256];
    snprintf(db, sizeof db, "%s/xs_fuzz_found_%d.db", tmp, (int)getpid());
    snprintf(csv, sizeof csv, "%s/xs_fuzz_found_%d.csv", tmp, (int)getpid());
    FILE *f = fopen(csv, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs("customer_id,name,signup_date\nC9,Nine,", f);
    for (int i = 0; i < 100; i++)
        fputc(0x10, f);
    fputs("\n", f);
    fclose(f);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_CUSTOMERS;
    xs_error first;
    memset(&first, 0, sizeof first);
    o.on_error = keep_first;
    o.error_ctx = &first;
    xs_import_result r;
    CHECK_INT(xs_import_file(st, csv, &o, &r, &e), XS_EREJECT);
    CHECK_INT(r.n_errors, 1);
    char want[600], m[1200];
    int n = snprintf(want, sizeof want, "%s:2: signup_date: not a date: \"", csv);
    for (int i = 0; i < 48; i++)
        n += snprintf(want + n, sizeof want - (size_t)n, "\\x10");
    snprintf(want + n, sizeof want - (size_t)n, "...\"");
    CHECK_STR(xs_error_format(&first, m, sizeof m), want);
    CHECK_INT(xs_store_count(st, XS_T_CUSTOMERS, NULL), 0);
    xs_store_close(st);
    char p[300];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
    unlink(csv);
}

static const xs_test tests[] = {
    {"quote_control_chars", test_quote_control_chars},
    {"quote_every_size", test_quote_every_size},
    {"money_verdicts", test_money_verdicts},
    {"micro_verdicts", test_micro_verdicts},
    {"import_control_value", test_import_control_value},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
