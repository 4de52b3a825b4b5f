/*
 * xsell/base.h — what every module shares: errors, output tables.
 *
 * Every fallible function of libxsell returns int: XS_OK (0) or a count on
 * success, a negative XS_E* code on failure, with the detail (file, line,
 * column or parameter, message) in an optional xs_error. Results that are
 * tables (rules, scores, KPIs, offers) are written through xs_table in one
 * of three formats, aligned text, JSON or CSV, the same for the CLI, the
 * server and a program of yours. Implemented in src/base and src/io; every
 * other header includes this one.
 *
 * Part of libxsell's public API: xsell.h includes every module's header.
 * Conventions, for every header (see STYLE.md):
 *  - a fallible function returns int: XS_OK (0) or a count on success, a
 *    negative XS_E* code on failure;
 *  - detail goes through an optional `xs_error *err` (NULL: not wanted);
 *  - every _new/_open has a _free/_close that accepts NULL.
 *
 * Example (compiled by the build: cmake/header_example.cmake):
 * @code
 *   // Writes a one-row table, columns item and count, as JSON.
 *   int write_counts(void)
 *   {
 *       xs_table *t = xs_table_new();
 *       if (!t) return XS_ENOMEM;
 *       int rc = xs_table_column(t, "item", XS_COL_TEXT);
 *       if (rc == XS_OK) rc = xs_table_column(t, "count", XS_COL_NUM);
 *       if (rc == XS_OK) rc = xs_table_row(t);
 *       if (rc == XS_OK) rc = xs_table_cell(t, "milk");
 *       if (rc == XS_OK) rc = xs_table_cellf(t, "%d", 42);
 *       if (rc == XS_OK) rc = xs_table_write(t, stdout, XS_FORMAT_JSON);
 *       if (rc < 0) fprintf(stderr, "xsell: %s\n", xs_strerror(rc));
 *       xs_table_free(t);
 *       return rc;
 *   }
 * @endcode
 */
#ifndef XS_XSELL_BASE_H
#define XS_XSELL_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Errors                                                                 */
/* ====================================================================== */

/* X-macro: name, value, message. Generates the enum and xs_strerror(). */
#define XS_ERRNO_MAP(X)                                                  \
    X(OK, 0, "success")                                                  \
    X(ENOMEM, -1, "out of memory")                                       \
    X(EIO, -2, "input/output error")                                     \
    X(EINVAL, -3, "invalid argument")                                    \
    X(EPARSE, -4, "malformed input")                                     \
    X(EDB, -5, "database error")                                         \
    X(ENOTFOUND, -6, "not found")                                        \
    X(EUSAGE, -7, "bad usage")                                           \
    X(EREJECT, -8, "input rejected")                                     \
    X(ERANGE, -9, "value out of range")                                  \
    X(ESCHEMA, -10, "unsupported store schema")                          \
    X(EINTERNAL, -11, "internal error")                                  \
    X(EBUSY, -12, "store is busy")                                       \
    X(ECONFLICT, -13, "conflicts with the stored state")

enum {
#define XS__ERR_ENUM(name, val, msg) XS_##name = (val),
    XS_ERRNO_MAP(XS__ERR_ENUM)
#undef XS__ERR_ENUM
};

/*
 * A condition a front end can act on, beside the error code: which of the
 * failures it knows a remedy for this is (the CLI names the command that
 * mends it). Set only where the library is sure of it; XS_COND_NONE else.
 */
typedef enum xs_condition {
    XS_COND_NONE = 0,
    XS_COND_NOT_BUILT,      /* the store has no build yet (XS_ENOTFOUND) */
    XS_COND_MODEL_VERSION,  /* a model file of another format version (XS_ESCHEMA) */
    XS_COND_MODEL_DAMAGED,  /* the stored model does not parse (XS_EPARSE) */
    XS_COND_MODEL_NOT_PART, /* a model file given for a build part (XS_EINVAL) */
    XS_COND_PART_NOT_MODEL, /* a build part given for a model file (XS_EINVAL) */
    XS_COND_NO_DECISIONS,   /* no logged decision in the window (XS_ENOTFOUND) */
    XS_COND_NO_OUTCOMES     /* no logged decision has an outcome yet (XS_EINVAL) */
} xs_condition;

/*
 * Detail of a failure: where (file, line, column name, or the parameter the
 * caller passed) and what. `param` names a library parameter as the options
 * structs and functions spell it ("from", "revenue_delta", "as_of"), never a
 * command-line flag or a JSON field: each front end maps it to its own
 * spelling (the CLI to "--from", the server to the JSON field).
 */
typedef struct xs_error {
    int code;          /* an XS_E* code, XS_OK when nothing failed */
    int condition;     /* an xs_condition, XS_COND_NONE unless known */
    char file[256];    /* input file name, "" when not about a file */
    long line;         /* 1-based line in `file`, 0 when unknown */
    char column[64];   /* column / field name, "" when not about a column */
    char param[64];    /* parameter name, "" when not about a parameter */
    char message[512]; /* what is wrong, with the offending value */
} xs_error;

/**
 * Message of an error code.
 * @param code an XS_E* code
 * @return a static string, "unknown error" for an unknown code
 */
const char *xs_strerror(int code);

/**
 * Formats an error as `FILE:LINE: COLUMN: message` (parts that are empty are
 * left out; the parameter stands where the column does when there is no
 * column) into buf.
 * @param err the error (borrowed)
 * @param buf destination, always NUL-terminated when n > 0
 * @param n   capacity of buf
 * @return buf
 * @code
 *   xs_error e; char msg[1024];
 *   if (xs_store_open(&st, "x.db", &e) < 0) fprintf(stderr, "%s\n", xs_error_format(&e,
 * msg, sizeof msg));
 * @endcode
 */
const char *xs_error_format(const xs_error *err, char *buf, size_t n);

/** @return the library version string, e.g. "0.1.0". */
const char *xs_version(void);

/* ====================================================================== */
/* Output tables (table | json | csv), shared by every front end          */
/* ====================================================================== */

typedef enum xs_format { XS_FORMAT_TABLE = 0, XS_FORMAT_JSON, XS_FORMAT_CSV } xs_format;

/**
 * Parses "table", "json" or "csv".
 * @return XS_OK and sets *out, or XS_EINVAL
 */
int xs_format_parse(const char *s, xs_format *out);

typedef struct xs_table xs_table;

/* Column kinds: text is quoted in JSON and left-aligned; numbers are bare in
 * JSON and right-aligned in tables. */
typedef enum xs_coltype { XS_COL_TEXT = 0, XS_COL_NUM } xs_coltype;

/**
 * A result table built row by row, then written in one of the formats.
 * @return a new table, caller frees with xs_table_free(); NULL when out of memory
 * @code
 *   xs_table *t = xs_table_new();
 *   xs_table_column(t, "item", XS_COL_TEXT);
 *   xs_table_column(t, "count", XS_COL_NUM);
 *   xs_table_row(t); xs_table_cell(t, "milk"); xs_table_cellf(t, "%d", 42);
 *   xs_table_write(t, stdout, XS_FORMAT_TABLE);
 *   xs_table_free(t);
 * @endcode
 */
xs_table *xs_table_new(void);
void xs_table_free(xs_table *t);
/** Adds a column (before the first row). @return XS_OK or XS_ENOMEM */
int xs_table_column(xs_table *t, const char *name, xs_coltype type);
/** Starts a new row. @return XS_OK or XS_ENOMEM */
int xs_table_row(xs_table *t);
/** Appends a cell (copied) to the current row; NULL is an empty / null cell. */
int xs_table_cell(xs_table *t, const char *value);
/** Appends a printf-formatted cell to the current row. */
int xs_table_cellf(xs_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** @return the number of rows */
size_t xs_table_rows(const xs_table *t);
/**
 * Writes the table: aligned text with a header rule; a JSON array of objects
 * (numbers bare, empty cells null; strings escaped as jansson does); or
 * RFC 4180 CSV with a header row, quoted by the same rule as `xsell export`
 * (the delimiter, a quote, CR or LF, a leading or trailing space or tab, a
 * leading byte order mark; the empty field of a one-column row).
 * @return XS_OK or XS_EIO
 */
int xs_table_write(const xs_table *t, FILE *out, xs_format fmt);

/*
 * The same output written in parts, for rows produced in chunks (CSV and
 * JSON only; XS_EINVAL for the aligned table, which needs every row to
 * size its columns): the head (CSV header row, JSON "["), then each
 * chunk's rows, then the tail. In JSON a chunk's first row carries no
 * separator: write "," between two non-empty chunks. head + rows of every
 * chunk + tail is byte for byte what xs_table_write gives for all rows in
 * one table.
 * @return XS_OK, XS_EIO or XS_EINVAL
 */
int xs_table_write_head(const xs_table *t, FILE *out, xs_format fmt);
int xs_table_write_rows(const xs_table *t, FILE *out, xs_format fmt);
/** @param n_rows rows written in all (JSON closes "[]" without a newline) */
int xs_table_write_tail(FILE *out, xs_format fmt, size_t n_rows);
/** Drops the rows of t, keeping its columns, so it can take the next chunk. */
void xs_table_clear_rows(xs_table *t);

/**
 * Writes a one-row table as one record: in table format two aligned
 * columns, key and value (the value right-aligned); in CSV the header and
 * the row; in JSON one object and a newline (not an array of one).
 * @return XS_OK, XS_EIO, XS_ENOMEM, or XS_EINVAL when t has not one row
 * @code
 *   xs_table_write_record(t, stdout, XS_FORMAT_JSON); // {"r": 0.24, "a": 0.79}
 * @endcode
 */
int xs_table_write_record(const xs_table *t, FILE *out, xs_format fmt);
/**
 * The JSON object of a one-row table left open, "{"key": value, ...", so
 * the caller can write further members (a comma, "folds": [...]) and "}".
 * @return XS_OK, XS_EIO, XS_ENOMEM, or XS_EINVAL when t has not one row
 */
int xs_table_write_object_open(const xs_table *t, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_BASE_H */
