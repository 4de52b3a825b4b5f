/*
 * xsell.h — the public API of libxsell.
 *
 * xsell grows revenue from existing customers: it imports what customers hold,
 * buy and use into a store, loads a compact in-memory snapshot, mines which
 * products go together, scores customers and proposes upsells, cross-sells and
 * downsells. The CLI (src/cli) and the server (src/serve) include only this
 * header. Everything here is prefixed xs_ / XS_; types are opaque.
 *
 * Conventions (see STYLE.md):
 *  - a fallible function returns int: XS_OK (0) or a count on success, a
 *    negative XS_E* code on failure;
 *  - detail goes through an optional `xs_error *err` (NULL: not wanted);
 *  - every _new/_open has a _free/_close that accepts NULL.
 */
#ifndef XS_XSELL_H
#define XS_XSELL_H

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
    X(EINTERNAL, -11, "internal error")

enum {
#define XS__ERR_ENUM(name, val, msg) XS_##name = (val),
    XS_ERRNO_MAP(XS__ERR_ENUM)
#undef XS__ERR_ENUM
};

/* Detail of a failure: where (file, line, column name) and what. */
typedef struct xs_error {
    int code;          /* an XS_E* code, XS_OK when nothing failed */
    char file[256];    /* input file name, "" when not about a file */
    long line;         /* 1-based line in `file`, 0 when unknown */
    char column[64];   /* column / field name, "" when not about a column */
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
 * left out) into buf.
 * @param err the error (borrowed)
 * @param buf destination, always NUL-terminated when n > 0
 * @param n   capacity of buf
 * @return buf
 * @code
 *   xs_error e; char msg[1024];
 *   if (xs_store_open(&st, "x.db", &e) < 0) fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
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
 * (numbers bare, empty cells null); or RFC 4180 CSV with a header row.
 * @return XS_OK or XS_EIO
 */
int xs_table_write(const xs_table *t, FILE *out, xs_format fmt);

/* ====================================================================== */
/* Store (src/store): SQLite by default, schema versioned by migrations    */
/* ====================================================================== */
/* (section owned by the store module) */

/** An open store (SQLite file). Opaque. */
typedef struct xs_store xs_store;

/* The input tables of docs/data-model.md, in dependency order. */
typedef enum xs_table_id {
    XS_T_CUSTOMERS = 0,
    XS_T_PRODUCTS,
    XS_T_SUBSCRIPTIONS,
    XS_T_ORDERS,
    XS_T_USAGE,
    XS_T_EVENTS,
    XS_T_OFFERS,
    XS_N_TABLES
} xs_table_id;

/**
 * Opens (creating when absent) a SQLite store and migrates its schema to the
 * current version. WAL mode.
 * @param out  set to the store; caller closes with xs_store_close()
 * @param path file name (copied)
 * @return XS_OK, XS_EDB (cannot open), XS_ESCHEMA (file from a newer xsell)
 * @code
 *   xs_store *st; xs_error e;
 *   if (xs_store_open(&st, "xsell.db", &e) < 0) ...;
 *   xs_store_close(st);
 * @endcode
 */
int xs_store_open(xs_store **out, const char *path, xs_error *err);
/** Closes the store; NULL is fine. */
void xs_store_close(xs_store *st);
/** Table name ("customers", ...) of an id; NULL when out of range. */
const char *xs_table_name(xs_table_id t);
/** Table id of a name. @return XS_OK or XS_ENOTFOUND */
int xs_table_lookup(const char *name, xs_table_id *out);
/** Number of rows of a table. @return count (>= 0) or a negative XS_E* code */
long long xs_store_count(xs_store *st, xs_table_id t, xs_error *err);

/* ====================================================================== */
/* Import / export (src/io + src/store)                                   */
/* ====================================================================== */
/* (section owned by the import module) */

/* ====================================================================== */
/* Demo data generator (src/gen)                                          */
/* ====================================================================== */
/* (section owned by the generator module) */

/* ====================================================================== */
/* Snapshot (src/store/snapshot): columnar in-memory view of the store    */
/* ====================================================================== */
/* (section owned by the snapshot module) */

/* ====================================================================== */
/* Mining (src/mine): itemsets, rules, adoption timing, together          */
/* ====================================================================== */
/* (section owned by the mining module) */

/** Transactions: baskets of items with names. Opaque (see src/mine/baskets.h). */
typedef struct xs_baskets xs_baskets;

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_H */
