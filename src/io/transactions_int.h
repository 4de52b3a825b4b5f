/*
 * transactions_int.h — what the two halves of the flat order log import
 * share: transactions_read.c parses the file into lines (values, header,
 * rows), transactions.c classifies, merges and writes them (xsell.h
 * xs_import_transactions). Private to src/io.
 */
#ifndef XS_TRANSACTIONS_INT_H
#define XS_TRANSACTIONS_INT_H

#include "xsell.h"

#include "base/intern.h"
#include "io/reader.h"

#include <stddef.h>
#include <stdint.h>

#define XS__TXN_MICRO 1000000LL /* money is read as micro-units: 6 fraction digits */
#define NO_OFF ((size_t)-1)     /* no offset into the pool */
#define NONE XS_INTERN_NONE

/* The fields of a transactions file, after --map. */
enum {
    F_ORDER = 0,
    F_PRODUCT,
    F_DATE,
    F_QTY,
    F_PRICE,
    F_AMOUNT,
    F_CUSTOMER,
    F_NAME,
    N_TF
};

/* Classes of a line (step 2). */
enum { C_ORDER = 0, C_RETURN, C_ANON, C_EXCLUDED, C_ZERO, C_NEGATIVE };

typedef struct tline {
    uint32_t order, product, customer; /* customer NONE: none given */
    uint32_t line;                     /* file line (saturated) */
    int32_t day;
    uint8_t cls;
    size_t time;  /* offset of the time of day in pool, NO_OFF: none */
    size_t attrs; /* index of this line's first attr offset in attr_off */
    int64_t qty;
    int64_t price;  /* micro-units */
    int64_t amount; /* micro-units (quantity x price unless an amount column) */
} tline;

/* Per product code seen in the file. */
typedef struct tprod {
    size_t name;    /* offset of the first non-empty description, NO_OFF: none */
    size_t matched; /* offset of the description that matched the rule, or NO_OFF */
    int user;       /* 1: --exclude-products, -1: --keep-products, 0: neither */
    unsigned long long lines;
} tprod;

/* Per order id: the customer and day its sale lines share. */
typedef struct thead {
    uint32_t customer;
    int32_t day;
    uint32_t line; /* 0: no sale line yet */
} thead;

/* A stored (merged) line. */
typedef struct tout {
    uint32_t first; /* index of its first input line */
    int64_t qty;
    int64_t amount; /* micro-units */
} tout;

typedef struct txn {
    xs_store *st;
    const char *path;
    const xs_txn_options *o;
    int scale; /* fraction digits of the currency */
    xs__io_reader *rd;

    /* header: per input field, its transactions field or -1 (an attr) */
    size_t n_in;
    int *field_of;
    long col[N_TF];
    size_t *attr_cols; /* input indexes of the attr columns */
    size_t n_attr;

    xs__intern orders, products, customers;
    tline *lines;
    size_t n_lines, cap_lines;
    tprod *prods;
    size_t cap_prods;
    thead *heads;
    size_t cap_heads;
    char *pool;
    size_t pool_len, pool_cap;
    size_t *attr_off;
    size_t n_attr_off, cap_attr_off;

    xs__intern known_customers, known_products; /* in the store already */

    unsigned long long n_errors, delivered, bad_rows;
    int oom;
    xs_txn_result *res;
} txn;

/* The names of the fields, by F_*. */
extern const char *const xs__io_txn_field_names[N_TF];

/* Reports one error at line / column (column may be NULL), at most
 * max_errors of them reach the caller's on_error; all are counted. */
void xs__io_txn_report(txn *t, long line, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets err to out of memory and returns XS_ENOMEM. */
int xs__io_txn_oom(xs_error *err);
/*
 * Parses a date or date-time in the given order (--date-format). Sets *day
 * and, when a time is given, tbuf ("HH:MM:SS" plus any zone, up to 15
 * bytes) and *has_time. Returns 0, or -1 when malformed. Not static for
 * tests/fuzz/fuzz_date.c.
 */
int xs__io_txn_parse_datetime(xs_date_order ord, const char *s, size_t len, int32_t *day,
                              char tbuf[16], int *has_time);
/* Parses a decimal into micro-units. 0, -1 malformed, -2 more than 6
 * fraction digits, -3 too large. Not static for tests/fuzz/fuzz_money.c. */
int xs__io_txn_parse_micro(const char *s, size_t len, int64_t *out);
/* Rounds micro-units half to even to `scale` digits; *inexact: it changed. */
int64_t xs__io_txn_round_minor(int64_t micro, int scale, int *inexact);
/* Maps input fields [t->n_in, n) onto the fields. XS_OK, XS_EREJECT (a
 * field twice, reported) or XS_ENOMEM. */
int xs__io_txn_map_header(txn *t, size_t n, xs_error *err);
/* Checks --map (THEIRS=OURS, OURS a field) and --consent. */
int xs__io_txn_check_maps(const xs_txn_options *o, xs_error *err);
/* Reports each required column the header lacks; returns how many. */
int xs__io_txn_check_columns(txn *t);
/* Grows the per-id arrays of products and order heads to hold the ids
 * (NONE: that one is not needed). 0 or -1 when out of memory. */
int xs__io_txn_grow_ids(txn *t, uint32_t product, uint32_t order);
/* Parses one record into t->lines, or reports what is wrong with it.
 * XS_OK (errors are counted in t) or XS_ENOMEM. */
int xs__io_txn_read_row(txn *t, const xs__field *fields, long line, xs_error *err);

#endif
