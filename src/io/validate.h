/*
 * validate.h — field specifications of the input tables (docs/data-model.md)
 * and the checks of single values, used by the importer (import.c).
 *
 * A table spec lists its fields in the order of the store's columns
 * (store_int.h xs__store_table_schema, attrs excluded), so the value of spec field i
 * is bound to store column i. A value check turns the text of a field into a
 * typed store value or writes what is wrong (without the column name, e.g.
 * `not a date: "2024-13-01"`); rules that involve several fields of a row
 * (end_date >= start_date, nps values) are xs__io_validate_row().
 */
#ifndef XS_VALIDATE_H
#define XS_VALIDATE_H

#include "store/store_int.h"

#include <stddef.h>
#include <stdint.h>

typedef enum xs__io_ftype {
    XS__F_ID = 0,   /* non-empty, <= 200 bytes, no control characters */
    XS__F_TEXT,     /* anything */
    XS__F_DATE,     /* YYYY-MM-DD (a timestamp keeps its date) */
    XS__F_DATETIME, /* date or timestamp, stored as given */
    XS__F_MONEY,    /* decimal, stored as minor units */
    XS__F_INT,      /* integer >= min */
    XS__F_NUMBER,   /* finite decimal number */
    XS__F_BOOL,     /* 1/0 true/false yes/no y/n */
    XS__F_ENUM,     /* one of enum_values */
    XS__F_LIMITS,   /* name=number;name=number */
    XS__F_EMAIL,    /* text with an @ */
    XS__F_NAME,     /* [a-z0-9_]+ */
    XS__F_TERM      /* months 1..XS__TERM_MAX, or month / quarter / year;
                       stored as the integer number of months */
} xs__io_ftype;

/* Longest subscription term accepted, in months (ten years). */
#define XS__TERM_MAX 120

enum {
    XS__REQ = 1,          /* must be present and non-empty */
    XS__NONNEG = 2,       /* money / number >= 0 */
    XS__REF_CUSTOMER = 4, /* must name a known customer */
    XS__REF_PRODUCT = 8,  /* must name a known product */
    XS__EMPTY_TEXT = 16,  /* an empty value is stored as '' rather than NULL */
    XS__HAS_MIN = 32,     /* integer >= min */
    XS__UNIT = 64         /* number in [0, 1] (a probability) */
};

typedef struct xs__io_field_spec {
    const char *name;
    xs__io_ftype type;
    unsigned flags;
    long long min;                  /* with XS__HAS_MIN */
    const char *const *enum_values; /* XS__F_ENUM: NULL-terminated list */
    const char *dflt;               /* text used when absent or empty, or NULL */
} xs__io_field_spec;

typedef struct xs__io_table_spec {
    const xs__io_field_spec *fields;
    size_t n_fields;
} xs__io_table_spec;

/* Spec of a table (static), NULL when t is out of range. */
const xs__io_table_spec *xs__io_validate_spec(xs_table_id t);

/* Longest id accepted, in bytes. */
#define XS__ID_MAX 200

/*
 * Checks one non-empty value (s, len) of field f. On success returns 0 and
 * sets *out (text values point into s, or into scratch for normalised
 * dates; scratch must hold 16 bytes and outlive the use of *out) and, for
 * dates and timestamps, *days. On failure returns -1 and writes the message
 * (with the quoted offending value) into msg.
 * money_scale: fraction digits of the store's currency.
 */
int xs__io_validate_value(const xs__io_field_spec *f, const char *s, size_t len,
                          int money_scale, xs__store_value *out, int32_t *days,
                          char *scratch, char *msg, size_t msg_n);

/*
 * Cross-field rules of a row of table t. vals/days/ok are per spec field
 * (ok[i]: field i passed its own check); raw/raw_len the original text.
 * For each violated rule calls report(ctx, field index, message).
 * Returns the number of violations.
 */
int xs__io_validate_row(xs_table_id t, const xs__store_value *vals, const int32_t *days,
                        const int *ok, const char *const *raw, const size_t *raw_len,
                        void (*report)(void *ctx, size_t field, const char *msg),
                        void *ctx);

/*
 * Parses --currency "CODE" or "CODE:DIGITS" (import.c): code upper-cased
 * into code, *digits -1 when not given. XS_OK or XS_EINVAL with err set.
 */
int xs__io_import_parse_currency(const char *s, char code[4], int *digits, xs_error *err);

/*
 * What a missing column `want` could be, for the error message: the closest
 * name of unused[0..n_in) (NULL entries: columns used by another field;
 * folded edit distance, base/strdist.h) with the --map that takes it, then
 * the file's columns names[0..n_in) (at most 12 named). Writes into buf
 * (n bytes, "" when there is nothing to say); starts with a space.
 */
void xs__io_missing_column_hint(const char *want, const char *const *names,
                                const char *const *unused, size_t n_in, char *buf,
                                size_t n);

#endif
