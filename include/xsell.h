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
    X(EINTERNAL, -11, "internal error")                                  \
    X(EBUSY, -12, "store is busy")                                       \
    X(ECONFLICT, -13, "conflicts with the stored state")

enum {
#define XS__ERR_ENUM(name, val, msg) XS_##name = (val),
    XS_ERRNO_MAP(XS__ERR_ENUM)
#undef XS__ERR_ENUM
};

/*
 * Detail of a failure: where (file, line, column name, or the parameter the
 * caller passed) and what. `param` names a library parameter as the options
 * structs and functions spell it ("from", "revenue_delta", "as_of"), never a
 * command-line flag or a JSON field: each front end maps it to its own
 * spelling (the CLI to "--from", the server to the JSON field).
 */
typedef struct xs_error {
    int code;          /* an XS_E* code, XS_OK when nothing failed */
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
    XS_T_RETURNS,          /* returned or cancelled order lines (transactions) */
    XS_T_ANONYMOUS_ORDERS, /* order lines without a customer: baskets for mining */
    XS_T_CHURN_SCORES,     /* imported churn risk per customer (docs/offers.md) */
    XS_N_TABLES
} xs_table_id;

/**
 * Opens (creating when absent) a store and migrates its schema to the
 * current version: an SQLite file (WAL mode), or a PostgreSQL database when
 * path is a postgresql:// or postgres:// URL (libpq's syntax; a bare
 * "postgresql://" takes the PG* environment variables; docs/postgres.md).
 * A store handle may be used by one thread at a time (open one per
 * thread); several processes may open the same store.
 * @param out  set to the store; caller closes with xs_store_close()
 * @param path file name or database URL (copied; messages show a URL with
 *             its password as ***)
 * @return XS_OK, XS_EDB (cannot open), XS_ESCHEMA (store from a newer xsell)
 * @code
 *   xs_store *st; xs_error e;
 *   if (xs_store_open(&st, "xsell.db", &e) < 0) ...;
 *   xs_store_close(st);
 * @endcode
 */
int xs_store_open(xs_store **out, const char *path, xs_error *err);
/**
 * Opens an existing store for reading only: nothing is ever written to the
 * file or its directory (no migration, no journal-mode change; SQLite's
 * query_only is on, so a write through the handle fails with XS_EDB). Works
 * on a read-only file in a read-only directory. On PostgreSQL every
 * transaction of the handle is read-only. For the commands that only
 * read; the store must be at this build's schema version.
 * @param out  set to the store; caller closes with xs_store_close()
 * @param path file name (copied)
 * @return XS_OK, XS_ENOTFOUND (no such file: "no such store"), XS_EDB
 *         (cannot open, not SQLite), XS_ESCHEMA (empty, older: "run a
 *         command that writes (e.g. xsell import) once", or newer)
 * @code
 *   xs_store *st; xs_error e;
 *   if (xs_store_open_readonly(&st, "xsell.db", &e) < 0) ...;
 *   xs_store_close(st);
 * @endcode
 */
int xs_store_open_readonly(xs_store **out, const char *path, xs_error *err);
/**
 * Whether a command that only reads can expect a store at path: 1 when the
 * file exists and is readable, or when path names a PostgreSQL database
 * (postgresql://... or postgres://...; opening it tells whether it is
 * there); 0 otherwise. Wherever a store path is taken, such a URL works
 * as well (an empty "postgresql://" uses the PG* environment variables).
 * @code
 *   if (!xs_store_exists(db)) fprintf(stderr, "%s: no such store\n", db);
 * @endcode
 */
int xs_store_exists(const char *path);
/** 1 when path names a PostgreSQL database (postgresql:// or postgres://),
 *  0 for a file path. */
int xs_store_is_url(const char *path);
/** Closes the store; NULL is fine. */
void xs_store_close(xs_store *st);
/**
 * Sets how long a write waits for the store's write lock while another
 * connection or process holds it (SQLite's busy timeout), after which it
 * fails with XS_EBUSY ("store is busy (locked by another process); try
 * again"). Reads never wait for a writer (WAL). A store opens with
 * XS_STORE_BUSY_MS; the server uses its --lock-timeout.
 * @param ms milliseconds; 0: fail at once
 * @code
 *   xs_store_set_busy_timeout(st, 1000);
 * @endcode
 */
void xs_store_set_busy_timeout(xs_store *st, unsigned ms);
#define XS_STORE_BUSY_MS 5000 /* default wait for the write lock */
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

/* File formats of import and export. AUTO: from the file name (.jsonl /
 * .ndjson: JSON Lines, anything else: CSV). */
typedef enum xs_io_format { XS_IO_AUTO = 0, XS_IO_CSV, XS_IO_JSONL } xs_io_format;

/**
 * Parses "csv" or "jsonl" (also "ndjson").
 * @return XS_OK and sets *out, or XS_EINVAL
 */
int xs_io_format_parse(const char *s, xs_io_format *out);

/** Format a file name implies: XS_IO_JSONL for .jsonl / .ndjson, else XS_IO_CSV. */
xs_io_format xs_io_format_of_path(const char *path);

/** Called once per reported error (rejected value, bad row, bad header);
 *  e is borrowed for the duration of the call. */
typedef void (*xs_import_error_fn)(void *ctx, const xs_error *e);
/** Called every few thousand rows with rows read and bytes read / total. */
typedef void (*xs_import_progress_fn)(void *ctx, unsigned long long rows,
                                      unsigned long long bytes_done,
                                      unsigned long long bytes_total);

typedef struct xs_import_options {
    xs_table_id table;   /* destination table */
    xs_io_format format; /* XS_IO_AUTO: from the file name */
    char delimiter;      /* CSV delimiter; 0 means ',' */
    /* Column renames "their=ours" applied to the header before validation
     * (borrowed). `ours` must be a column of the table. */
    const char *const *maps;
    size_t n_maps;
    /* How many error messages reach on_error; the rest are only counted
     * (xs_import_result.n_errors). Negative: all. Default 20. */
    long max_errors;
    /* 0 (default): all or nothing — any error rolls the whole import back.
     * 1: good rows are written, bad ones go to reject_path (when not NULL)
     * with their original fields plus a `reject_reason` column. */
    int skip_bad_rows;
    const char *reject_path;
    /* "CODE" or "CODE:DIGITS" (e.g. "JPY:0"); NULL: the store's currency,
     * USD:2 for a new store. The first import fixes the store's currency;
     * a later conflicting one is an error (XS_EINVAL). */
    const char *currency;
    /* Longest field value accepted, in bytes; a longer one is an error
     * "FILE:LINE: COLUMN: field longer than N bytes". 0: XS_MAX_FIELD_BYTES. */
    size_t max_field_bytes;
    xs_import_error_fn on_error; /* NULL: errors are only counted */
    void *error_ctx;
    xs_import_progress_fn on_progress; /* NULL: none */
    void *progress_ctx;
} xs_import_options;

/** Default limit on one imported field value, in bytes (1 MiB). */
#define XS_MAX_FIELD_BYTES ((size_t)1 << 20)

/** Counts of one import. */
typedef struct xs_import_result {
    unsigned long long read;      /* data rows read */
    unsigned long long inserted;  /* rows with a new key */
    unsigned long long updated;   /* existing keys whose values changed */
    unsigned long long unchanged; /* existing keys with identical values */
    unsigned long long rejected;  /* rows not imported because of errors */
    unsigned long long n_errors;  /* error messages (a row may have several) */
    double seconds;               /* wall time of the import */
} xs_import_result;

/** Fills *o with the defaults (table customers, AUTO format, ',', 20 errors). */
void xs_import_options_init(xs_import_options *o);

/**
 * Validates a CSV / JSON Lines file against docs/data-model.md and upserts
 * its rows into a table of the store, in one transaction.
 * Every error is reported through o->on_error as `FILE:LINE: COLUMN: message`
 * (e.g. `orders.csv:5: customer_id: unknown customer "C999"`).
 * @param st   the store (borrowed)
 * @param path input file (borrowed)
 * @param o    options (borrowed); NULL: defaults
 * @param res  counts (may be NULL)
 * @return XS_OK (rows written; with skip_bad_rows some may have been
 *         rejected), XS_EREJECT (errors: nothing written, err holds a
 *         summary), XS_EIO / XS_EPARSE (file unreadable / bad header),
 *         XS_EINVAL (bad options, currency conflict), XS_EDB, XS_ENOMEM.
 *         On every failure the store is left as it was.
 * @code
 *   xs_import_options o; xs_import_options_init(&o);
 *   o.table = XS_T_ORDERS;
 *   xs_import_result r; xs_error e;
 *   if (xs_import_file(st, "orders.csv", &o, &r, &e) < 0) ...;
 * @endcode
 */
int xs_import_file(xs_store *st, const char *path, const xs_import_options *o,
                   xs_import_result *res, xs_error *err);

/** One value of an in-memory record: like a CSV field or a JSON scalar's
 *  text (numbers as written, booleans as true/false); present 0 (or ptr
 *  NULL) means absent (a JSON key missing or null). Borrowed. */
typedef struct xs_import_value {
    const char *ptr;
    size_t len;
    int present;
} xs_import_value;

/** The rows of one table of a batch: field names (as a header: unknown
 *  names become attrs, --map renames apply) and n_rows * n_names values,
 *  row-major. Everything borrowed. */
typedef struct xs_import_rows {
    xs_table_id table;
    const char *const *names;
    size_t n_names;
    const xs_import_value *values;
    size_t n_rows;
} xs_import_rows;

/**
 * Imports records from memory into several tables in ONE transaction, with
 * exactly the validation of xs_import_file (values, row rules, keys,
 * references, order headers), as if each table were a JSON Lines file.
 * Tables are applied in the order given (give them in dependency order,
 * customers, products, subscriptions, orders, usage, events, offers), so a
 * row may reference a customer or product of an earlier table of the batch.
 * All or nothing: any error in any table rolls everything back (skip_bad_rows
 * and reject_path are ignored). Errors reach o->on_error with e->file the
 * table's name, e->line the row's index + 1 and e->column the field
 * (formatted: `events:4: value: nps needs an integer 0 to 10, got "11"` for
 * the row at index 3); a message that points at another row writes it
 * `events[2]` (e.g. `duplicate key ... (first at events[2])`).
 * @param tables n_tables tables (borrowed); a table may appear once
 * @param o      options (borrowed; table, format, delimiter ignored); NULL: defaults
 * @param res    n_tables results, one per table (may be NULL)
 * @return XS_OK (all written), XS_EREJECT (errors: nothing written, err
 *         holds a summary), XS_EINVAL, XS_EDB, XS_ENOMEM; on every failure
 *         the store is left as it was.
 */
int xs_import_records(xs_store *st, const xs_import_rows *tables, size_t n_tables,
                      const xs_import_options *o, xs_import_result *res, xs_error *err);

/* ---- flat order logs (src/io/transactions.c, docs/data-model.md) ---- */

/** How the date column of a flat order log is written: ISO 8601
 *  (`2010-12-01 08:26[:00]`, `2010-12-01T08:26:00Z`), or day / month / year
 *  in the order named, separated by `/`, `-` or `.`, with an optional
 *  `H:MM[:SS]` time (`12/1/2010 8:26` is mdy). */
typedef enum xs_date_order {
    XS_DATES_ISO = 0,
    XS_DATES_YMD,
    XS_DATES_DMY,
    XS_DATES_MDY
} xs_date_order;

/** Parses "iso", "ymd", "dmy" or "mdy". @return XS_OK or XS_EINVAL */
int xs_date_order_parse(const char *s, xs_date_order *out);

typedef struct xs_txn_options {
    /* format, delimiter, maps (their=ours, ours one of the transactions
     * fields), max_errors, currency, on_error, on_progress as for a table
     * import; table, skip_bad_rows and reject_path are ignored */
    xs_import_options base;
    xs_date_order dates;
    /* order ids starting with this are returns (e.g. "C"); NULL: only
     * negative quantities are */
    const char *return_prefix;
    /* product codes that are not products (excluded), and codes never
     * excluded by the default rule (borrowed) */
    const char *const *exclude;
    size_t n_exclude;
    const char *const *keep;
    size_t n_keep;
    /* 1: no default rule for non-product codes (only `exclude`) */
    int no_default_exclusions;
    /* channels new customers consent to (email, in_app, csm, webinar,
     * sns; borrowed); none by default, so the consent guard holds every
     * offer back until consent is imported */
    const char *const *consent;
    size_t n_consent;
} xs_txn_options;

/** One product code left out of a transactions import, and why. */
typedef struct xs_txn_excluded {
    char code[64];
    char reason[160];            /* `--exclude-products`, or the description that matched */
    unsigned long long lines;
} xs_txn_excluded;

/** What a transactions import found and wrote. */
typedef struct xs_txn_result {
    unsigned long long rows;           /* data lines read */
    unsigned long long orders;         /* orders of known customers (distinct order ids) */
    unsigned long long order_lines;    /* their lines after merging */
    unsigned long long merged;         /* repeated product lines folded into an earlier one */
    unsigned long long returns;        /* distinct return / cancellation ids */
    unsigned long long return_lines;   /* input lines that were returns */
    unsigned long long anonymous_orders; /* orders without a customer */
    unsigned long long anonymous_lines;  /* input lines without a customer (not returns) */
    unsigned long long excluded_lines;   /* lines of non-product codes */
    unsigned long long zero_price_lines; /* lines with price 0: not sales, left out */
    unsigned long long negative_price_lines; /* adjustments with a negative price, left out */
    unsigned long long rounded;          /* amounts rounded to the currency's digits */
    unsigned long long new_customers, new_products;
    unsigned long long n_errors; /* error messages (a line may have several) */
    xs_import_result tables[XS_N_TABLES]; /* per store table written */
    xs_txn_excluded *excluded;           /* per excluded code, most lines first */
    size_t n_excluded;
    double seconds;
} xs_txn_result;

/**
 * Imports a flat order log (one line per order line, as shops, POS and ERP
 * systems export it) in one transaction: the customers and products it has
 * not seen (signup = first purchase, name from product_name, price = the
 * median unit price), orders with repeated product lines merged, returns,
 * anonymous baskets. Fields (after base.maps): order_id, product_id, date,
 * quantity, unit_price and/or amount, optional customer_id and product_name;
 * other columns are kept as attrs of the lines. All or nothing; errors reach
 * base.on_error as FILE:LINE: FIELD: message.
 * @param res counts (caller frees res->excluded with xs_txn_result_free)
 * @return XS_OK, XS_EREJECT (bad rows: nothing written), XS_EIO, XS_EINVAL,
 *         XS_EDB or XS_ENOMEM
 * @code
 *   xs_txn_options o = {0};
 *   xs_import_options_init(&o.base);
 *   o.return_prefix = "C";
 *   xs_txn_result r;
 *   int rc = xs_import_transactions(st, "lines.csv", &o, &r, &err);
 *   xs_txn_result_free(&r);
 * @endcode
 */
int xs_import_transactions(xs_store *st, const char *path, const xs_txn_options *o,
                           xs_txn_result *res, xs_error *err);

/** Frees what a transactions result owns; accepts NULL. */
void xs_txn_result_free(xs_txn_result *res);

/* ---- Wide exports through a mapping spec (src/io/spec.c) ---- */

/** Subscriptions of one product made by a spec import. */
typedef struct xs_spec_product_count {
    const char *product_id;       /* owned by the result */
    unsigned long long active;    /* no end_date */
    unsigned long long ended;     /* churned accounts: end_date = as_of */
} xs_spec_product_count;

/** What a spec import did. */
typedef struct xs_spec_result {
    xs_import_result products, customers, subscriptions; /* per table */
    unsigned long long rows;      /* data rows of the wide file */
    unsigned long long active;    /* subscriptions without end_date */
    unsigned long long ended;     /* subscriptions of churned accounts */
    unsigned long long n_errors;  /* error messages (some may not be delivered) */
    /* per product: the spec's products in its order, then other products
     * the holdings name; caller frees with xs_spec_result_free() */
    xs_spec_product_count *per_product;
    size_t n_per_product;
    double seconds;
} xs_spec_result;

/**
 * Imports a wide export (CSV, one row per account: plan, add-ons and
 * contract as columns) through a mapping spec (JSON, docs/import-spec.md):
 * the spec's products, one customer per row (unmapped columns kept as
 * attrs) and one subscription per product held, in ONE transaction with
 * the validation of xs_import_records. Errors reach o->on_error located in
 * the user's terms: `INPUT:LINE: COLUMN: message` for a value of the file,
 * `SPEC: json.path: message` for one of the spec (e.g.
 * `telco.json: products[3].price: not an amount: "abc"`).
 * @param spec_path  the spec (borrowed)
 * @param input_path the wide CSV file (borrowed)
 * @param o          options (borrowed; delimiter, max_errors, currency,
 *                   on_error, on_progress are used); NULL: defaults
 * @param res        counts (may be NULL); free with xs_spec_result_free()
 * @return XS_OK; XS_EPARSE (spec not JSON: err->file is `SPEC:LINE:COL`),
 *         XS_EINVAL (bad spec: the first problem in err), XS_EREJECT (bad
 *         data: every error reported, nothing written), XS_EIO, XS_EDB,
 *         XS_ENOMEM. On every failure the store is left as it was.
 * @code
 *   xs_import_options o; xs_import_options_init(&o);
 *   xs_spec_result r; xs_error e;
 *   if (xs_import_spec(st, "telco.json", "telco.csv", &o, &r, &e) < 0) ...;
 *   xs_spec_result_free(&r);
 * @endcode
 */
int xs_import_spec(xs_store *st, const char *spec_path, const char *input_path,
                   const xs_import_options *o, xs_spec_result *res, xs_error *err);

/** Frees what a spec result owns; accepts NULL. */
void xs_spec_result_free(xs_spec_result *res);

/**
 * Writes a table in key order as CSV (header row) or JSON Lines, with the
 * field names of docs/data-model.md; money as decimals in the store's
 * currency; attrs expanded back into their original columns (after the
 * table's own, in order of first appearance). Importing the output into a
 * fresh store and exporting again gives the same bytes.
 * @param path output file, replaced atomically; NULL: stdout
 * @param fmt  XS_IO_CSV or XS_IO_JSONL (XS_IO_AUTO: from path, CSV for stdout)
 * @return number of rows written, or XS_EIO / XS_EDB / XS_ENOMEM / XS_EINVAL
 */
long long xs_export_table(xs_store *st, xs_table_id t, const char *path, xs_io_format fmt,
                          xs_error *err);

/* ====================================================================== */
/* Demo data generator (src/gen)                                          */
/* ====================================================================== */
/* (section owned by the generator module) */

/* The files xs_gen_write() produces, in import (dependency) order, then the
 * truth files. */
typedef enum xs_gen_file {
    XS_GEN_CUSTOMERS = 0,
    XS_GEN_PRODUCTS,
    XS_GEN_SUBSCRIPTIONS,
    XS_GEN_ORDERS,
    XS_GEN_USAGE,
    XS_GEN_EVENTS,
    XS_GEN_OFFERS,
    XS_GEN_TRUTH_CUSTOMERS, /* truth_customers.csv: planted per-customer facts */
    XS_GEN_TRUTH,           /* truth.json: planted patterns and their counts */
    XS_GEN_N_FILES
} xs_gen_file;

#define XS_GEN_MAX_CUSTOMERS 100000000ULL
#define XS_GEN_DEFAULT_AS_OF "2026-09-30"
#define XS_GEN_MAX_HOLDOUT_DAYS 3650
#define XS_GEN_HOLDOUT_SPLIT "treatment:90,holdout:10"

/* What to generate; start from xs_gen_options_init(). */
typedef struct xs_gen_options {
    uint64_t n_customers; /* 1 .. XS_GEN_MAX_CUSTOMERS (default 1000) */
    uint64_t seed;        /* any value (default 42) */
    const char *as_of;    /* "YYYY-MM-DD" the data ends on; NULL: the default */
    int holdout_days;     /* 0 .. XS_GEN_MAX_HOLDOUT_DAYS (default 0: none): past
                           * offers sent in the last holdout_days days before
                           * as_of are withheld from the holdout arm of their
                           * kind (split XS_GEN_HOLDOUT_SPLIT, strategy = kind
                           * name, xs_exp_assign on the customer id) */
} xs_gen_options;

/* Rows (data rows, header excluded; 1 for truth.json) and bytes per file. */
typedef struct xs_gen_stats {
    uint64_t rows[XS_GEN_N_FILES];
    uint64_t bytes[XS_GEN_N_FILES];
} xs_gen_stats;

/** Sets the defaults: 1000 customers, seed 42, as_of XS_GEN_DEFAULT_AS_OF,
 * no holdout experiments. */
void xs_gen_options_init(xs_gen_options *opt);

/** File name of an xs_gen_file ("customers.csv", ..., "truth.json"); NULL when
 * out of range. */
const char *xs_gen_file_name(xs_gen_file f);

/**
 * Writes a deterministic demo company (customers, products, subscriptions,
 * orders, usage, events, offers as CSV in the formats of docs/data-model.md)
 * and the truth it planted (truth.json, truth_customers.csv; format in
 * src/gen/README.md) into dir, creating dir when absent. The same options
 * give byte-identical files. Files are written under temporary names and
 * renamed at the end: a failed run leaves none of its files behind.
 * @param dir   output directory (borrowed)
 * @param opt   options (borrowed); NULL: the defaults
 * @param stats filled with rows and bytes per file when not NULL
 * With opt->holdout_days > 0 the company ran one holdout experiment per
 * offer kind from as_of - holdout_days on (see xs_gen_options), and
 * truth.json records it under "experiments".
 * @return XS_OK; XS_EINVAL (bad option, directory that cannot be created or
 *         is not a directory); XS_EIO (a write failed); XS_ENOMEM
 * @code
 *   xs_gen_options o; xs_gen_options_init(&o); o.n_customers = 10000; o.seed = 7;
 *   xs_error e;
 *   if (xs_gen_write("demo", &o, NULL, &e) < 0) ...;
 * @endcode
 */
int xs_gen_write(const char *dir, const xs_gen_options *opt, xs_gen_stats *stats,
                 xs_error *err);

/* ====================================================================== */
/* Snapshot (src/snapshot): columnar in-memory view of the store    */
/* ====================================================================== */
/* (section owned by the snapshot module) */

/** The whole store in memory, columnar, with ids interned. Opaque here; the
 * stages after the store read its columns through src/snapshot/snapshot.h. */
typedef struct xs_snapshot xs_snapshot;

/**
 * Loads every table of the store into a new snapshot, in one read
 * transaction.
 * @param st  the store (borrowed; the snapshot does not refer to it afterwards)
 * @param out set to the snapshot; caller frees with xs_snapshot_free()
 * @return XS_OK; XS_ENOMEM; XS_EDB; XS_ESCHEMA (the file is not at the schema
 *         version this build reads, or lacks a table or column); XS_EPARSE /
 *         XS_ENOTFOUND / XS_ERANGE for a row the snapshot cannot represent
 *         (a bad date, an unknown customer, the lines of one order with two
 *         customers ...), err naming the table.column, the value and the row key
 * @code
 *   xs_snapshot *snap;
 *   if (xs_snapshot_load(st, &snap, &e) < 0) ...;
 *   printf("%zu customers\n", xs_snapshot_count(snap, XS_SNAP_CUSTOMERS));
 *   xs_snapshot_free(snap);
 * @endcode
 */
int xs_snapshot_load(xs_store *st, xs_snapshot **out, xs_error *err);
/** Frees a snapshot; NULL is fine. */
void xs_snapshot_free(xs_snapshot *s);

/* What a snapshot holds. XS_SNAP_ORDERS counts distinct order ids (baskets);
 * XS_SNAP_ORDER_LINES counts rows of the orders table. */
typedef enum xs_snapshot_item {
    XS_SNAP_CUSTOMERS = 0,
    XS_SNAP_PRODUCTS,
    XS_SNAP_SUBSCRIPTIONS,
    XS_SNAP_ORDERS,
    XS_SNAP_ORDER_LINES,
    XS_SNAP_USAGE,
    XS_SNAP_EVENTS,
    XS_SNAP_OFFERS,
    XS_SNAP_N_ITEMS
} xs_snapshot_item;

/** @return the number of items of a kind (0 for a NULL snapshot) */
size_t xs_snapshot_count(const xs_snapshot *s, xs_snapshot_item what);
/** @return "customers", "products", "subscriptions", "orders", "order_lines",
 *  "usage", "events", "offers"; NULL when out of range */
const char *xs_snapshot_item_name(xs_snapshot_item what);
/** @return the heap bytes the snapshot holds (columns, indexes, intern tables) */
size_t xs_snapshot_bytes(const xs_snapshot *s);
/** @return the currency code of the money columns (borrowed), e.g. "USD" */
const char *xs_snapshot_currency(const xs_snapshot *s);
/** @return the number of fraction digits of money (minor units), e.g. 2 */
int xs_snapshot_money_scale(const xs_snapshot *s);
/** @return the sum of orders.amount, in minor units */
int64_t xs_snapshot_order_revenue(const xs_snapshot *s);
/**
 * Monthly recurring revenue of the active subscriptions (no end_date):
 * quantity x unit_price, where unit_price is per billing period of the
 * product (month: as is, year: / 12, once: not recurring).
 * @param n_active set to the number of active subscriptions (may be NULL)
 * @return MRR in minor units
 */
int64_t xs_snapshot_mrr(const xs_snapshot *s, size_t *n_active);

/* Summary tables of a snapshot. */
typedef enum xs_snapshot_report_kind {
    XS_SNAP_REPORT_COUNTS = 0,   /* what, count: one row per xs_snapshot_item */
    XS_SNAP_REPORT_SEGMENTS,     /* segment, customers, share_pct; most first; "(none)" */
    XS_SNAP_REPORT_PLANS,        /* family, tier, product, kind, active, quantity, mrr:
                                    products with active subscriptions (plans held) */
    XS_SNAP_REPORT_TOP_PRODUCTS  /* product, name, orders, quantity, revenue: by revenue */
} xs_snapshot_report_kind;

/**
 * Fills an empty table with a summary of the snapshot (money as decimals).
 * @param limit at most this many rows; 0 for all
 * @param out   a new table from xs_table_new() (borrowed)
 * @return XS_OK, XS_ENOMEM or XS_EINVAL (unknown kind)
 */
int xs_snapshot_report(const xs_snapshot *s, xs_snapshot_report_kind kind, size_t limit,
                       xs_table *out);

/* ====================================================================== */
/* Mining (src/mine): itemsets, rules, adoption timing, together          */
/* ====================================================================== */
/* (section owned by the mining module) */

/** Transactions: baskets of items with names. Opaque (see src/mine/baskets.h). */
typedef struct xs_baskets xs_baskets;

/* Input formats of basket files: FIMI (item numbers separated by blanks, one
 * basket per line) and basket CSV (item names separated by commas, RFC 4180
 * quotes allowed, one basket per line). */
typedef enum xs_baskets_format { XS_BASKETS_FIMI = 0, XS_BASKETS_CSV } xs_baskets_format;

/** Parses "fimi" or "basket". @return XS_OK and sets *out, or XS_EINVAL */
int xs_baskets_format_parse(const char *s, xs_baskets_format *out);

/**
 * Reads a basket file ("-" is standard input). Within a basket duplicate
 * items are ignored; empty lines are empty baskets (they count in N).
 * @param out set to the baskets; caller frees with xs_baskets_free()
 * @return XS_OK, XS_EIO (cannot read: err says why), XS_EPARSE (err:
 *         `FILE:LINE: not an item number: "x1"`), XS_ENOMEM
 * @code
 *   xs_baskets *b; xs_error e;
 *   if (xs_baskets_read(&b, "retail.dat", XS_BASKETS_FIMI, &e) < 0) ...;
 *   printf("%zu baskets\n", xs_baskets_n_tx(b));
 *   xs_baskets_free(b);
 * @endcode
 */
int xs_baskets_read(xs_baskets **out, const char *path, xs_baskets_format fmt,
                    xs_error *err);
/** An empty set of baskets (built with xs_baskets_add / xs_baskets_end);
 *  NULL when out of memory. Caller frees with xs_baskets_free(). */
xs_baskets *xs_baskets_new(void);
/** Adds an item (name copied) to the basket being built. @return XS_OK or XS_ENOMEM */
int xs_baskets_add(xs_baskets *b, const char *name);
/** Closes the basket being built (an empty one when nothing was added). */
int xs_baskets_end(xs_baskets *b);
/** Frees baskets; NULL is fine. */
void xs_baskets_free(xs_baskets *b);
/** @return the number of baskets N, empty ones included */
size_t xs_baskets_n_tx(const xs_baskets *b);
/** @return the number of distinct items (ids are 0..n-1) */
size_t xs_baskets_n_items(const xs_baskets *b);
/** @return the name of an item id (borrowed, valid until free), NULL when out of range */
const char *xs_baskets_item_name(const xs_baskets *b, uint32_t id);
/** Finds an item by name. @return XS_OK and sets *id, or XS_ENOTFOUND */
int xs_baskets_find_item(const xs_baskets *b, const char *name, uint32_t *id);

/* Which frequent itemsets to report: all, closed (no superset has the same
 * count) or maximal (no superset is frequent). With max_len, supersets are
 * only those within the length limit. */
typedef enum xs_itemset_target {
    XS_ITEMSETS_ALL = 0,
    XS_ITEMSETS_CLOSED,
    XS_ITEMSETS_MAXIMAL
} xs_itemset_target;

typedef struct xs_mine_opts {
    double min_support;  /* fraction in [0, 1]; used when min_count is 0 */
    uint64_t min_count;  /* absolute count; 0: derived from min_support */
    size_t max_len;      /* longest itemset; 0: no limit */
    xs_itemset_target target;
} xs_mine_opts;

/**
 * The count threshold of a support fraction: the smallest integer c with
 * c / n_tx >= min_support computed in double precision, exactly as a support
 * compared with `>=` decides it (at least 1). 0.001 of 88,162 baskets is 89.
 */
uint64_t xs_min_count(double min_support, size_t n_tx);

/* Frequent itemsets, materialised and sorted: by size ascending, then count
 * descending, then item names (natural order: numbers numerically). Items
 * within an itemset are in the same name order. Opaque. */
typedef struct xs_itemsets xs_itemsets;

/**
 * Mines the frequent itemsets of b (exact; see the essay in src/mine/itemsets.c).
 * @param out set to the result; caller frees with xs_itemsets_free()
 * @return XS_OK, XS_ERANGE (more than 2^32 baskets or items), XS_ENOMEM
 * @code
 *   xs_mine_opts o = {.min_count = 89};
 *   xs_itemsets *s;
 *   if (xs_itemsets_mine(&s, b, &o, NULL) == XS_OK)
 *       for (size_t i = 0; i < xs_itemsets_n(s); i++) { const uint32_t *it; uint64_t c;
 *           size_t n = xs_itemsets_get(s, i, &it, &c); ... }
 *   xs_itemsets_free(s);
 * @endcode
 */
int xs_itemsets_mine(xs_itemsets **out, const xs_baskets *b, const xs_mine_opts *o,
                     xs_error *err);
/** Counts the itemsets. All itemsets are counted in the recursion, nothing
 *  stored; closed / maximal ones need every immediate superset's count, so
 *  the frequent itemsets are kept in a tree (20 bytes each) for the check —
 *  count through xs_itemsets_each() to store nothing. @return XS_OK and sets *n */
int xs_itemsets_count(const xs_baskets *b, const xs_mine_opts *o, uint64_t *n,
                      xs_error *err);
/* Called once per itemset: item ids in name order (borrowed for the call),
 * its count. Return 0 to go on, a negative XS_E* code to stop. */
typedef int (*xs_itemset_fn)(void *ctx, const uint32_t *items, size_t n_items,
                             uint64_t count);
/**
 * Streams the itemsets to fn in mining order (deterministic, unsorted),
 * storing none of them. @return XS_OK, fn's code, or a negative XS_E* code
 */
int xs_itemsets_each(const xs_baskets *b, const xs_mine_opts *o, xs_itemset_fn fn,
                     void *ctx, xs_error *err);
/** @return the number of itemsets */
size_t xs_itemsets_n(const xs_itemsets *s);
/** Itemset i: sets *items (borrowed) and *count; @return its size */
size_t xs_itemsets_get(const xs_itemsets *s, size_t i, const uint32_t **items,
                       uint64_t *count);
/** @return N, the number of baskets the supports are fractions of */
size_t xs_itemsets_n_tx(const xs_itemsets *s);
/** Frees a result; NULL is fine. */
void xs_itemsets_free(xs_itemsets *s);

/* What rules are ranked by (always descending). */
typedef enum xs_rule_key {
    XS_RULE_CONFIDENCE = 0,
    XS_RULE_LIFT,
    XS_RULE_SUPPORT,
    XS_RULE_LEVERAGE,
    XS_RULE_CONVICTION,
    XS_RULE_COVERAGE
} xs_rule_key;

/** Parses confidence|lift|support|leverage|conviction|coverage. @return XS_OK or XS_EINVAL */
int xs_rule_key_parse(const char *s, xs_rule_key *out);

typedef struct xs_rule_opts {
    xs_mine_opts mine;     /* support threshold and max_len (of lhs + rhs); target ignored */
    double min_confidence; /* thresholds: a rule is kept when every measure >= its minimum */
    double min_lift, min_leverage, min_conviction, min_coverage;
    const uint32_t *rhs;   /* borrowed: only these items as consequent; NULL: any */
    size_t n_rhs;
    size_t max_rules;      /* keep the best max_rules by sort_by (bounded heap); 0: all */
    xs_rule_key sort_by;
    int no_redundant;      /* drop A->C when some nonempty A' ⊂ A has conf(A'->C) >= conf(A->C) */
    int count_only;        /* count the rules, keep none */
    int multi_rhs;         /* consequents of any size (with rhs: all their items among rhs);
                              itemsets longer than 20 items give single-item ones only */
} xs_rule_opts;

/** Defaults: min support 0.1, min confidence 0.8, other minima -inf, sort by confidence. */
void xs_rule_opts_init(xs_rule_opts *o);

/* One rule lhs -> rhs with its measures (N baskets; rhs_count: baskets
 * holding every rhs item):
 * support = count/N, confidence = count/lhs_count, coverage = lhs_count/N,
 * lift = confidence/(rhs_count/N), leverage = support - coverage*rhs_count/N,
 * conviction = (1 - rhs_count/N)/(1 - confidence), INFINITY when confidence = 1. */
typedef struct xs_rule {
    const uint32_t *lhs; /* item ids in name order (borrowed, valid until free) */
    size_t n_lhs;
    const uint32_t *rhs; /* likewise; one item unless multi_rhs */
    size_t n_rhs;
    uint64_t count, lhs_count, rhs_count, n_tx;
    double support, confidence, coverage, lift, leverage, conviction;
} xs_rule;

typedef struct xs_rules xs_rules;

/**
 * Mines association rules (a single-item consequent unless o->multi_rhs;
 * the lhs is never empty, unlike arules' {} => {x} rules at minlen 1),
 * sorted by o->sort_by descending, then count descending, then lhs size, lhs
 * names, rhs size and rhs names. Memory for the rules is O(max_rules) when max_rules > 0.
 * @param out set to the rules; caller frees with xs_rules_free()
 * @return XS_OK, XS_ERANGE, XS_ENOMEM
 * @code
 *   xs_rule_opts o; xs_rule_opts_init(&o); o.mine.min_count = 89; o.min_confidence = 0.5;
 *   xs_rules *r; xs_rule x;
 *   if (xs_rules_mine(&r, b, &o, NULL) == XS_OK)
 *       for (size_t i = 0; i < xs_rules_n(r); i++) { xs_rules_get(r, i, &x); ... }
 *   xs_rules_free(r);
 * @endcode
 */
int xs_rules_mine(xs_rules **out, const xs_baskets *b, const xs_rule_opts *o,
                  xs_error *err);
/** @return the number of rules kept */
size_t xs_rules_n(const xs_rules *r);
/** @return the number of rules that passed every threshold (>= xs_rules_n) */
uint64_t xs_rules_total(const xs_rules *r);
/** Fills *out with rule i (pointers borrowed from r). */
void xs_rules_get(const xs_rules *r, size_t i, xs_rule *out);
/** Frees rules; NULL is fine. */
void xs_rules_free(xs_rules *r);


/* ---------------------------------------------------------------------- */
/* Store sources, adoption timing, frequently bought together              */
/* (src/store/mine_source.c, src/mine/adoption.c, src/mine/together.c)     */
/* ---------------------------------------------------------------------- */

/** What a store source turns into baskets. */
typedef enum xs_mine_source {
    XS_SOURCE_ORDERS = 0, /* one basket per order_id: the products of its lines */
    XS_SOURCE_ADOPTION    /* one basket per customer: every product ever held
                             (subscriptions and orders) */
} xs_mine_source;

/** Parses "orders" or "adoption". @return XS_OK or XS_EINVAL */
int xs_mine_source_parse(const char *s, xs_mine_source *out);

/**
 * Reads baskets from the store. Items are product_id strings. ORDERS: one
 * basket per order_id (ascending order_id), items = its product_ids.
 * ADOPTION: one basket per customer holding anything (ascending
 * customer_id), items = products from its subscriptions and orders.
 * @param out set to the baskets; caller frees with xs_baskets_free()
 * @return XS_OK, XS_ENOMEM, XS_EDB (SQL failure or a malformed stored date)
 * @code
 *   xs_baskets *b;
 *   if (xs_baskets_from_store(st, XS_SOURCE_ORDERS, &b, &e) < 0) ...;
 * @endcode
 */
int xs_baskets_from_store(xs_store *st, xs_mine_source source, xs_baskets **out,
                          xs_error *err);

/**
 * Like xs_baskets_from_store(), also giving each basket a day (days since
 * 1970-01-01) for time decay: ORDERS the order's date (earliest line date),
 * ADOPTION the day the customer's set last grew (latest first-held day).
 * @param days  set to an array of one day per basket; caller frees with
 *              xs_days_free()
 * @param as_of set to the store's as-of day (its latest date, see
 *              xs_adoption_input_from_store())
 */
int xs_baskets_from_store_dated(xs_store *st, xs_mine_source source, xs_baskets **out,
                                int32_t **days, int32_t *as_of, xs_error *err);
/** Frees a day array returned by xs_baskets_from_store_dated(); NULL is fine. */
void xs_days_free(int32_t *days);

/** Adoption-timing input: per customer, the first day each product was held
 * and the end of observation. Integer ids; product names interned. Opaque. */
typedef struct xs_adoption_input xs_adoption_input;

/**
 * Builds the adoption input from the store. For every customer holding at
 * least one product: the first day each product was held (earliest
 * subscription start_date or order date) and the observation end:
 *  - the store's as-of day = the latest of orders.date,
 *    subscriptions.start_date / end_date, usage.date and events.date;
 *  - except for a churned customer (has subscriptions and every one has an
 *    end_date): the later of its last subscription end_date and its last
 *    order date.
 * @param out caller frees with xs_adoption_input_free()
 * @return XS_OK, XS_ENOMEM, XS_EDB
 */
int xs_adoption_input_from_store(xs_store *st, xs_adoption_input **out, xs_error *err);
/** Frees an adoption input; NULL is fine. */
void xs_adoption_input_free(xs_adoption_input *in);
/** @return the as-of day of the input (days since 1970-01-01) */
int32_t xs_adoption_input_as_of(const xs_adoption_input *in);

/** What to compute (zero-initialise, then set). */
typedef struct xs_adoption_opts {
    const char *from;        /* product A; NULL: every product */
    const char *to;          /* product B; NULL: every product */
    size_t min_customers;    /* leave out A with fewer holders (not applied when
                                both from and to are given) */
    const int32_t *horizons; /* days at which to report the adoption share */
    size_t n_horizons;
} xs_adoption_opts;

/** One step of a Kaplan–Meier curve (at an event time). */
typedef struct xs_adoption_point {
    int32_t t;        /* days since first holding A */
    size_t at_risk;   /* customers still observed and not yet adopted at t */
    size_t events;    /* customers adopting B at t */
    double adopted;   /* cumulative adoption 1 - S(t) */
    double lo, hi;    /* 95 % band (Greenwood, log-log) */
} xs_adoption_point;

/** The adoption curve of one pair (A, B). Borrowed from its xs_adoption. */
typedef struct xs_adoption_curve {
    const char *from, *to;
    size_t n_holders;   /* customers holding A */
    size_t n_excluded;  /* held B before or on the day they got A */
    size_t n_cohort;    /* n_holders - n_excluded: at risk at time zero */
    size_t n_events;    /* adopted B after A, within observation */
    int32_t max_t;      /* longest follow-up in the cohort (days) */
    int32_t median;     /* first t with adopted >= 0.5; -1 when none */
    size_t n_points;
    const xs_adoption_point *points;
    const double *share, *share_lo, *share_hi; /* per horizon; NaN when the
                                                  horizon is beyond max_t
                                                  (unless the curve reached 1) */
} xs_adoption_curve;

/** Result of xs_adoption_compute(): a list of curves. Opaque. */
typedef struct xs_adoption xs_adoption;

/**
 * Kaplan–Meier adoption curves P(adopt B within t days | holds A). Time zero
 * is the day a customer first held A; customers who held B before or on
 * that day are excluded; customers who have not adopted B are censored at
 * their observation end. Without both from and to, pairs with no adoption
 * event are left out. Curves are ordered by the share at the last horizon
 * (descending), then from, then to.
 * @param out caller frees with xs_adoption_free()
 * @return XS_OK, XS_ENOMEM, XS_ENOTFOUND (from / to not a product: err's
 *         param is "from" or "to"), XS_EINVAL (a negative horizon)
 * @code
 *   int32_t h[] = {30, 90, 180, 365};
 *   xs_adoption_opts o = {.from = "accounting", .to = "payroll", .horizons = h,
 * .n_horizons = 4}; xs_adoption *r; if (xs_adoption_compute(in, &o, &r, &e) == XS_OK)
 *       printf("%.0f %%\n", 100 * xs_adoption_get(r, 0)->share[2]);
 *   xs_adoption_free(r);
 * @endcode
 */
int xs_adoption_compute(const xs_adoption_input *in, const xs_adoption_opts *opts,
                        xs_adoption **out, xs_error *err);
/** @return the number of curves */
size_t xs_adoption_count(const xs_adoption *r);
/** @return curve i (borrowed, valid until xs_adoption_free()) */
const xs_adoption_curve *xs_adoption_get(const xs_adoption *r, size_t i);
/** Frees the result; NULL is fine. */
void xs_adoption_free(xs_adoption *r);
/**
 * Fills an empty table with one row per curve of r: from, to, holders,
 * excluded, cohort, adopted, median_days (empty: never reached 50 %), and
 * per horizon H within_Hd, lo_Hd, hi_Hd (4 decimals; empty beyond the
 * longest follow-up). horizons: the ones r was computed with.
 * @return XS_OK or XS_ENOMEM
 * @code
 *   xs_table *t = xs_table_new();
 *   if (xs_adoption_table(r, o.horizons, o.n_horizons, t) == XS_OK)
 *       xs_table_write(t, stdout, XS_FORMAT_TABLE);
 *   xs_table_free(t);
 * @endcode
 */
int xs_adoption_table(const xs_adoption *r, const int32_t *horizons, size_t n_horizons,
                      xs_table *t);
/**
 * Fills an empty table with every point of one curve (NULL: no rows): days,
 * at_risk, events, cum_adoption, lo, hi (the 95 % band).
 * @return XS_OK or XS_ENOMEM
 */
int xs_adoption_curve_table(const xs_adoption_curve *cv, xs_table *t);

/** Item-to-item similarity measures (w = basket weight sums, N = total). */
typedef enum xs_together_measure {
    XS_SIM_COUNT = 0, /* w(ab) */
    XS_SIM_JACCARD,   /* w(ab) / (w(a) + w(b) - w(ab)) */
    XS_SIM_LIFT,      /* w(ab) N / (w(a) w(b)) */
    XS_SIM_COSINE     /* w(ab) / sqrt(w(a) w(b)) */
} xs_together_measure;

/** Parses "count", "jaccard", "lift" or "cosine". @return XS_OK or XS_EINVAL */
int xs_together_measure_parse(const char *s, xs_together_measure *out);
/** @return the name of a measure */
const char *xs_together_measure_name(xs_together_measure m);

/** How to build a model (zero-initialise, then set). */
typedef struct xs_together_opts {
    xs_together_measure measure;
    size_t top_k;         /* neighbours kept per item; 0 means 20 */
    double min_count;     /* ignore pairs with a smaller co-occurrence weight */
    double half_life;     /* days; 0: every basket weighs 1 */
    const int32_t *days;  /* per basket day, required when half_life > 0 */
    int32_t as_of;        /* weight = 0.5^((as_of - day) / half_life) */
    int keep_counts;      /* keep every co-occurrence (for xs_together_cart_exact) */
} xs_together_opts;

/** A frequently-bought-together model: top-k neighbours per item. Opaque. */
typedef struct xs_together xs_together;

/** One recommended item. */
typedef struct xs_together_hit {
    uint32_t item; /* item id (name: xs_together_item_name) */
    double score;  /* similarity; for a cart the sum over the cart items */
    double count;  /* co-occurrence weight; for a cart the sum */
} xs_together_hit;

/**
 * Builds the model: exact co-occurrence counts over all baskets (no cap on
 * basket size; cost is the sum of squared basket sizes), one similarity per
 * pair, and per item its top_k neighbours ordered by higher score, then
 * lower item name.
 * @param b baskets (borrowed; names are copied)
 * @param out caller frees with xs_together_free()
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (half_life without days, bad value)
 * @code
 *   xs_together_opts o = {.measure = XS_SIM_COSINE, .top_k = 10};
 *   xs_together *m; uint32_t id; xs_together_hit hits[10];
 *   xs_together_build(b, &o, &m, &e);
 *   if (xs_together_find(m, "milk", &id) == XS_OK) {
 *       int n = xs_together_item(m, id, hits, 10);
 *       for (int i = 0; i < n; i++) puts(xs_together_item_name(m, hits[i].item));
 *   }
 *   xs_together_free(m);
 * @endcode
 */
int xs_together_build(const xs_baskets *b, const xs_together_opts *opts,
                      xs_together **out, xs_error *err);
/** Frees the model; NULL is fine. */
void xs_together_free(xs_together *m);
/** @return the number of items */
size_t xs_together_n_items(const xs_together *m);
/** @return the name of an item (borrowed, valid until xs_together_free()) */
const char *xs_together_item_name(const xs_together *m, uint32_t item);
/** Item id of a name. @return XS_OK or XS_ENOTFOUND */
int xs_together_find(const xs_together *m, const char *name, uint32_t *item);
/**
 * Neighbours of one item, best first, at most min(cap, top_k). No allocation.
 * @return the number of hits written to out
 */
int xs_together_item(const xs_together *m, uint32_t item, xs_together_hit *out,
                     size_t cap);

/** Per-thread scratch for cart queries (allocated once, reused). Opaque. */
typedef struct xs_together_query xs_together_query;
/** @return XS_OK or XS_ENOMEM; caller frees with xs_together_query_free() */
int xs_together_query_new(const xs_together *m, xs_together_query **out);
/** Frees the scratch; NULL is fine. */
void xs_together_query_free(xs_together_query *q);
/**
 * Recommendations for a cart: every item in some cart item's top-k list and
 * not in the cart, scored by the sum of its similarities to the cart items
 * (over the lists it appears in), best first (ties: lower name). Repeated
 * cart items count once. No allocation.
 * @return the number of hits written to out (at most cap)
 */
int xs_together_cart(const xs_together *m, xs_together_query *q, const uint32_t *cart,
                     size_t n_cart, xs_together_hit *out, size_t cap);
/**
 * The same scoring over every co-occurring item instead of the top-k lists
 * (exact, slow: the baseline of the benchmark). Needs keep_counts.
 * @return the number of hits, or XS_EINVAL without keep_counts
 */
int xs_together_cart_exact(const xs_together *m, xs_together_query *q,
                           const uint32_t *cart, size_t n_cart, xs_together_hit *out,
                           size_t cap);
/**
 * Fills an empty table with hits of xs_together_item() or
 * xs_together_cart(): rank, item (name), score, count (%.6g).
 * @return XS_OK or XS_ENOMEM
 * @code
 *   int n = xs_together_item(m, id, hits, 10);
 *   xs_table *t = xs_table_new();
 *   if (xs_together_table(m, hits, (size_t)n, t) == XS_OK)
 *       xs_table_write(t, stdout, XS_FORMAT_CSV);
 *   xs_table_free(t);
 * @endcode
 */
int xs_together_table(const xs_together *m, const xs_together_hit *hits, size_t n,
                      xs_table *t);
/**
 * Fills an empty table with every item's neighbours, at most top each:
 * item, rank, neighbour, score, count.
 * @return XS_OK or XS_ENOMEM
 */
int xs_together_table_all(const xs_together *m, size_t top, xs_table *t);

/* ---------------------------------------------------------------------- */
/* Personal product ranking and its offline evaluation                     */
/* (src/mine/rank.c, src/offer/rank.c, src/measure/evaluate.c;             */
/*  docs/evaluate.md)                                                      */
/* ---------------------------------------------------------------------- */

/** The ranking model's parameters (docs/evaluate.md has their meaning and
 *  the measurements behind the defaults). */
typedef struct xs_rank_opts {
    const char *as_of;   /* "YYYY-MM-DD": only orders dated before it (required) */
    double alpha;        /* sim = co / (n_i^alpha n_j^beta + shrink) */
    double beta;
    double shrink;
    double user_pow;     /* co-buyers weigh |items|^-user_pow */
    double seq_back;     /* weight of "bought j before i" (1: symmetric) */
    size_t neighbours;   /* kept per item; 0: all */
    double half_life;    /* days, decay of the customer's own history; 0: none */
    double co_half_life; /* days, decay of co-buyers' purchases; 0: none */
    double knn_weight;   /* weight of the item-to-item term; 0: none */
    double trend_weight; /* weight of recent popularity */
    int trend_days;      /* its window; 0: all-time popularity */
    int trend_lag;       /* the window ends trend_lag days before as_of */
    double trend_pow;    /* the item-to-item term is multiplied by
                            ((trend + 1) / (max trend + 1))^trend_pow */
} xs_rank_opts;

/** Sets the chosen model's defaults (as_of NULL). */
void xs_rank_opts_init(xs_rank_opts *o);
/** Sets the item-kNN baseline: cosine on purchase sets, all neighbours,
 *  no decay, no trend (as_of NULL). */
void xs_rank_opts_knn(xs_rank_opts *o);
/** Sets the most-popular-not-yet-bought baseline (as_of NULL). */
void xs_rank_opts_popular(xs_rank_opts *o);

/** A ranking model built from a snapshot. Opaque. */
typedef struct xs_rank xs_rank;

/** One ranked product: snapshot product index, score, and the customer's
 *  product that contributed most (XS_RANK_NONE: popularity alone) with its
 *  share of the item-to-item score. */
typedef struct xs_rank_hit {
    uint32_t product;
    double score;
    uint32_t evidence;
    double evidence_share;
} xs_rank_hit;
#define XS_RANK_NONE UINT32_MAX

/**
 * Builds the model from the orders of s dated before o->as_of.
 * @param s   the snapshot (borrowed: must outlive the model)
 * @param out caller frees with xs_rank_free()
 * @return XS_OK; XS_EINVAL (as_of missing or not a date: param "as_of";
 *         a parameter out of range); XS_ENOMEM
 * @code
 *   xs_rank_opts o; xs_rank_opts_init(&o); o.as_of = "2010-09-01";
 *   xs_rank *r; xs_rank_scratch *q; xs_rank_hit hits[10]; uint32_t c;
 *   if (xs_rank_build(snap, &o, &r, &e) < 0) ...;
 *   xs_rank_scratch_new(r, &q);
 *   if (xs_rank_find_customer(r, "12346", &c) == XS_OK) {
 *       int n = xs_rank_customer(r, q, c, NULL, 0, hits, 10);
 *       ...
 *   }
 *   xs_rank_scratch_free(q); xs_rank_free(r);
 * @endcode
 */
int xs_rank_build(const xs_snapshot *s, const xs_rank_opts *o, xs_rank **out,
                  xs_error *err);
/** Frees a model; NULL is fine. */
void xs_rank_free(xs_rank *r);

/** Working memory for scoring, one per thread. Opaque. */
typedef struct xs_rank_scratch xs_rank_scratch;
/** @return XS_OK or XS_ENOMEM; caller frees with xs_rank_scratch_free() */
int xs_rank_scratch_new(const xs_rank *r, xs_rank_scratch **out);
void xs_rank_scratch_free(xs_rank_scratch *q);

/**
 * Ranks the products customer c (snapshot index, or XS_RANK_NONE for a
 * cart alone) has not bought before the as-of date, nor holds in the cart
 * (snapshot product indexes, treated as bought on the as-of day; may be
 * NULL). Best first; ties by product index. No allocation.
 * @return the number of hits written (at most cap), XS_EINVAL for a
 *         customer or cart product out of range
 */
int xs_rank_customer(const xs_rank *r, xs_rank_scratch *q, uint32_t c,
                     const uint32_t *cart, size_t n_cart, xs_rank_hit *out, size_t cap);
/**
 * Fills an empty table with the ranking of one customer (with its cart, as
 * xs_rank_customer()) or, for customer XS_RANK_NONE, of every customer with
 * an order before the as-of date (a progress bar on a terminal): columns
 * customer_id, rank, product_id, product, score, evidence (empty: recent
 * popularity alone), evidence_share; at most limit rows per customer.
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (customer or cart out of range)
 */
int xs_rank_table(const xs_rank *r, uint32_t customer, const uint32_t *cart, size_t n_cart,
                  size_t limit, xs_table *t);

/** Finds a customer by id. @return XS_OK or XS_ENOTFOUND */
int xs_rank_find_customer(const xs_rank *r, const char *id, uint32_t *c);
/** Finds a product by id. @return XS_OK or XS_ENOTFOUND */
int xs_rank_find_product(const xs_rank *r, const char *id, uint32_t *p);
/** @return the number of customers of the snapshot */
size_t xs_rank_n_customers(const xs_rank *r);
/** @return whether customer c has an order before the as-of date */
int xs_rank_has_history(const xs_rank *r, uint32_t c);
/** Ids and names (borrowed, valid while the snapshot lives). */
const char *xs_rank_customer_id(const xs_rank *r, uint32_t c);
const char *xs_rank_product_id(const xs_rank *r, uint32_t p);
const char *xs_rank_product_name(const xs_rank *r, uint32_t p);

/** Offline evaluation settings (docs/evaluate.md). */
typedef struct xs_eval_opts {
    const char *cutoff;  /* "YYYY-MM-DD": train before it (required) */
    int horizon;         /* days after the cutoff that count; default 90 */
    size_t k;            /* list length; default 10 */
    xs_rank_opts model;  /* the model evaluated (its as_of is ignored) */
    int substitute_days; /* window of the substitute check; default 90 */
    double substitute_max_together; /* "rarely together": co-buyers / buyers of
                                       the rarer product below it; default 0.05 */
} xs_eval_opts;

/** Sets the defaults (cutoff NULL, model = xs_rank_opts_init()). */
void xs_eval_opts_init(xs_eval_opts *o);

/** One evaluated method: means over the evaluated customers. */
typedef struct xs_eval_row {
    const char *method;       /* "xsell", "item-knn", "popular" (static) */
    size_t n_customers;       /* evaluated customers */
    double precision, recall, ndcg, map, hit_rate;
    double coverage;          /* distinct products in any top k / catalog */
    double substitute_share;  /* of all offers made */
    double seconds;           /* build and ranking of every evaluated customer */
} xs_eval_row;

#define XS_EVAL_N_METHODS 3

/**
 * Rebuilds the model, item-kNN and popularity on orders before the cutoff
 * and scores each against what the customers bought in [cutoff,
 * cutoff + horizon) that they had not bought before (customers with an
 * order before the cutoff and such a product after it).
 * @param rows XS_EVAL_N_METHODS rows, the model first
 * @return XS_EVAL_N_METHODS; XS_EINVAL (bad cutoff: param "cutoff";
 *         bad horizon or k); XS_ENOTFOUND (no customer to evaluate);
 *         XS_ENOMEM
 */
int xs_eval_run(const xs_snapshot *s, const xs_eval_opts *o, xs_eval_row *rows,
                xs_error *err);

/* ====================================================================== */
/* Customer health, segments, RFM (src/score)                             */
/* ====================================================================== */
/* (section owned by the health module) */

/*
 * Customer intelligence over a snapshot: a health / loyalty score 0-100 with
 * a breakdown into named components, rule-based segments, RFM quintiles, the
 * simple LTV formula (unit price x purchase frequency x duration; MRR x
 * expected lifetime for subscriptions) and per-customer CLV from BG/NBD +
 * Gamma-Gamma fitted on the snapshot's orders. Rules, defaults and formulas
 * are documented in docs/scores.md. Everything is computed "as of" a date:
 * rows dated after it are ignored.
 */

/* The components of the health score, in breakdown order. */
typedef enum xs_health_part {
    XS_HEALTH_TENURE = 0,  /* days since signup */
    XS_HEALTH_USAGE,       /* logins per seat per month, recent window */
    XS_HEALTH_TREND,       /* relative change of monthly logins, recent vs earlier window */
    XS_HEALTH_UTILISATION, /* capacity metric used / capacity of the plans held */
    XS_HEALTH_NPS,         /* latest NPS answer and the average of the window */
    XS_HEALTH_SUPPORT,     /* tickets in the window; an open critical ticket */
    XS_HEALTH_PAYMENT,     /* payment_failed events in the window */
    XS_HEALTH_N_PARTS
} xs_health_part;

/* Segments, in the order of their rules (the first rule that matches wins). */
typedef enum xs_segment {
    XS_SEG_NEW = 0,          /* tenure < new_days */
    XS_SEG_HIBERNATING,      /* no active subscription, no order in active_days */
    XS_SEG_AT_RISK,          /* health < at_risk_health, an open critical ticket,
                                or a cancel_request in cancel_window_days */
    XS_SEG_CHAMPION,         /* health >= champion_health, tenure >= loyal_tenure_days */
    XS_SEG_LOYAL,            /* health >= loyal_health, tenure >= loyal_tenure_days */
    XS_SEG_PROMISING,        /* health >= promising_health */
    XS_SEG_NEEDS_ATTENTION,  /* the rest */
    XS_SEG_UNKNOWN,          /* too little data to judge loyalty (coverage below
                                min_components, or no activity component while
                                need_activity): checked after at_risk's flags,
                                before its health rule (docs/scores.md) */
    XS_SEG_N
} xs_segment;

/*
 * Weights, thresholds and horizons of the scores; xs_health_config_init()
 * sets the documented defaults (docs/scores.md), xs_health_config_set()
 * changes fields by name. Day counts are whole days (stored as double so
 * every field can be set the same way).
 */
typedef struct xs_health_config {
    double weight[XS_HEALTH_N_PARTS]; /* 20 25 10 10 20 10 5 (any scale, >= 0) */
    double tenure_full_days;     /* 730: tenure score min(1, days / this) */
    double usage_window_days;    /* 90: recent window; trend compares it with the
                                    window before it */
    double logins_full;          /* 20: logins per seat per month that score 1 */
    double trend_full;           /* 0.5: relative change giving 0 (-) or 1 (+) */
    double utilisation_full;     /* 0.7: utilisation that scores 1 */
    double nps_window_days;      /* 365: answers averaged */
    double nps_latest_share;     /* 0.5: score = share*latest/10 + (1-share)*avg/10 */
    double support_window_days;  /* 90 */
    double tickets_full;         /* 5: tickets in the window that score 0 */
    double critical_penalty;     /* 0.5: subtracted for an open critical ticket */
    double payment_window_days;  /* 180 */
    double payments_full;        /* 2: payment failures that score 0 */
    /* segments */
    double new_days;             /* 90 */
    double active_days;          /* 180 */
    double cancel_window_days;   /* 90 */
    double at_risk_health;       /* 40 */
    double champion_health;      /* 80 */
    double loyal_health;         /* 65 */
    double promising_health;     /* 50 */
    double loyal_tenure_days;    /* 365 */
    double min_components;       /* 2: fewer components with data: unknown */
    double need_activity;        /* 1: no usage, trend, utilisation, nps or support
                                    data: unknown; 0: not required */
    /* LTV and CLV */
    double churn_window_days;    /* 365: churn rates are measured over this */
    double default_lifetime_years; /* 3: when no churn rate can be measured */
    double max_lifetime_years;   /* 10: cap of 1 / churn rate */
    double min_span_days;        /* 365: floor of the span purchase frequency is measured over */
    double clv_horizon_weeks;    /* 52 */
    double clv_discount;         /* 0.0018 per week (about 10 % a year) */
    double clv;                  /* 1: fit BG/NBD + Gamma-Gamma; 0: skip CLV */
    double churn;                /* 0 (default): no churn risk; 1: train the churn
                                    module's store-history model (XGBoost,
                                    xs_churn_history_train, 90-day horizon) and
                                    score the customers active at as_of */
    char capacity_metric[32];    /* "seats": the utilisation metric (a limit name) */
} xs_health_config;

/** Sets the documented defaults. */
void xs_health_config_init(xs_health_config *c);

/**
 * Changes fields by name from "name=value,name=value": the weights by part
 * name (tenure, usage, trend, utilisation, nps, support, payment) and any
 * threshold by its field name (tenure_full_days, logins_full, ...,
 * capacity_metric). Values are finite numbers >= 0 (capacity_metric: a
 * metric name). On failure *c is unchanged.
 * @param option the option named in errors ("--weights"), copied into err's column
 * @return XS_OK, or XS_EINVAL (`unknown name "x"`, `not a number: "abc"`,
 *         `weights sum to 0`) with err's column set to option
 * @code
 *   xs_health_config c; xs_health_config_init(&c);
 *   if (xs_health_config_set(&c, "tenure=30,nps=30", "--weights", &e) < 0) ...;
 * @endcode
 */
int xs_health_config_set(xs_health_config *c, const char *spec, const char *option,
                         xs_error *err);

/** @return the name of a component ("tenure", ...), NULL when out of range */
const char *xs_health_part_name(xs_health_part p);
/**
 * Names of the components with data of a coverage bitmask (bit k:
 * component k), joined by '+' in breakdown order: "tenure+usage+support";
 * "all" when every component has data, "none" for 0. Truncated to fit buf[n].
 * @return buf
 */
const char *xs_health_coverage_text(unsigned coverage, char *buf, size_t n);
/** @return the name of a segment ("champion", "at_risk", ...), NULL when out of range */
const char *xs_segment_name(xs_segment s);
/** Parses a segment name (also with '-' or ' ' for '_'). @return XS_OK or XS_ENOTFOUND */
int xs_segment_parse(const char *s, xs_segment *out);

/** Scores of every customer of a snapshot. Opaque. */
typedef struct xs_customer_scores xs_customer_scores;

/** One customer's scores (filled by xs_customer_scores_get()). Money in
 * currency units (minor units / 10^money_scale); NaN where not available. */
typedef struct xs_customer_row {
    const char *id;                   /* borrowed from the snapshot */
    double health;                    /* 0..100 */
    double raw[XS_HEALTH_N_PARTS];    /* the component's measurement; NaN: no data */
    double raw2[XS_HEALTH_N_PARTS];   /* second measurement: nps average, support
                                         open critical (0/1); NaN elsewhere */
    double score[XS_HEALTH_N_PARTS];  /* 0..1; NaN when the component has no data */
    double weight[XS_HEALTH_N_PARTS]; /* share of the health (0..1); 0 without data */
    unsigned coverage;                /* bit k set: component k has data */
    xs_segment segment;
    int open_critical, cancel_request, active;
    int rfm_r, rfm_f, rfm_m;          /* quintiles 1..5; 0 without orders */
    double recency_days, frequency, monetary; /* orders up to as_of */
    double mrr;                       /* active subscriptions at as_of, per month */
    double aov, orders_per_year;      /* simple LTV factors of the orders */
    double ltv, ltv_subscription, ltv_orders;
    double clv, p_alive;              /* BG/NBD + Gamma-Gamma; NaN without orders
                                         or when the fit failed */
    double churn_risk;                /* P(churn within 90 days); NaN unless
                                         c->churn and active at as_of */
} xs_customer_row;

/**
 * Scores every customer of a snapshot as of a date: health with its
 * breakdown, segment, RFM quintiles (customers with orders), simple LTV and,
 * when c->clv, CLV from BG/NBD + Gamma-Gamma fitted on the orders up to
 * as_of (weekly unit). A failed fit leaves clv NaN and is reported by
 * xs_customer_scores_clv_status(), not as an error.
 * @param s     the snapshot (borrowed; must outlive the result)
 * @param c     configuration (copied); NULL: the defaults
 * @param as_of "YYYY-MM-DD"; NULL: the latest date of a signup, subscription
 *              start, order, return, usage point, event or offer (scheduled dates such
 *              as renewals are left out)
 * @param out   caller frees with xs_customer_scores_free()
 * @return XS_OK, XS_EINVAL (bad as_of: param "as_of"; empty snapshot),
 *         XS_ENOMEM
 * @code
 *   xs_customer_scores *cs;
 *   if (xs_customer_scores_compute(snap, NULL, NULL, &cs, &e) < 0) ...;
 *   xs_customer_row r; xs_customer_scores_get(cs, 0, &r);
 *   printf("%s %.1f %s\n", r.id, r.health, xs_segment_name(r.segment));
 *   xs_customer_scores_free(cs);
 * @endcode
 */
int xs_customer_scores_compute(const xs_snapshot *s, const xs_health_config *c,
                               const char *as_of, xs_customer_scores **out,
                               xs_error *err);
/** Frees the scores; NULL is fine. */
void xs_customer_scores_free(xs_customer_scores *cs);
/** @return the number of customers (all of the snapshot's) */
size_t xs_customer_scores_n(const xs_customer_scores *cs);
/** Fills *out with customer i (in customer_id byte order). */
void xs_customer_scores_get(const xs_customer_scores *cs, size_t i, xs_customer_row *out);
/** Index of a customer id. @return index >= 0 or XS_ENOTFOUND */
long xs_customer_scores_find(const xs_customer_scores *cs, const char *id);
/** @return the as_of day used ("YYYY-MM-DD" into buf[11]) */
const char *xs_customer_scores_as_of(const xs_customer_scores *cs, char buf[11]);
/** @return XS_OK when CLV was computed, else why not (err-like message
 *  into msg, e.g. "BG/NBD fit did not converge") */
int xs_customer_scores_clv_status(const xs_customer_scores *cs, char *msg, size_t n);
/** @return XS_OK when churn risk was computed, else why not (message into
 *  msg; "churn risk not requested" without c->churn) */
int xs_customer_scores_churn_status(const xs_customer_scores *cs, char *msg, size_t n);

/* Row order of xs_customer_scores_table(). */
typedef enum xs_customer_sort {
    XS_CUST_SORT_ID = 0, /* customer_id */
    XS_CUST_SORT_HEALTH, /* health, highest first (ties by id) */
    XS_CUST_SORT_LTV,    /* ltv, highest first */
    XS_CUST_SORT_CLV,    /* clv, highest first (no CLV last) */
    XS_CUST_SORT_CHURN   /* churn_risk, highest first (none last) */
} xs_customer_sort;

/**
 * Fills an empty table with one row per customer: customer_id, health,
 * segment, the component scores (0-100), open_critical, rfm, recency_days,
 * orders, monetary, mrr, ltv, clv, p_alive, churn_risk (empty unless
 * computed).
 * @param segment only this segment; XS_SEG_N: all
 * @param limit   at most this many rows; 0: all
 * @return XS_OK, XS_ENOMEM
 */
int xs_customer_scores_table(const xs_customer_scores *cs, xs_segment segment,
                             xs_customer_sort sort, size_t limit, xs_table *out);
/**
 * Fills an empty table with one customer's breakdown: columns field, raw,
 * measure, score, weight, points; one row per component (raw measurement,
 * what it measures, score 0-100, weight share in %, points = score x
 * weight / 100, adding up to the health), then health, segment, rfm, mrr,
 * ltv (with its factors), clv and churn_risk rows (with the reason when
 * absent).
 * @return XS_OK, XS_ENOMEM
 */
int xs_customer_scores_breakdown(const xs_customer_scores *cs, size_t i, xs_table *out);
/**
 * Fills an empty table with one row per segment: segment, customers,
 * share_pct, health_mean, mrr, ltv_mean, ltv_total, clv_mean.
 * @return XS_OK, XS_ENOMEM
 */
int xs_customer_scores_segments(const xs_customer_scores *cs, xs_table *out);

typedef struct xs_clv_data xs_clv_data; /* see Lifetime value below */
/**
 * CLV glue: per-customer purchase summaries of the snapshot's orders (an
 * order's lines summed; orders on one day count as one purchase), exactly
 * as xs_clv_data_read() summarises an orders file with calibration_end and
 * unit_days, customers in customer_id order, holdout not kept.
 * @param cust when not NULL, set to a new array of xs_clv_data_n(*out)
 *             snapshot customer indexes, one per summary row (caller frees
 *             with xs_clv_customers_free())
 * @param out  caller frees with xs_clv_data_free()
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (no customer with an order on or
 *         before calibration_end; unit_days < 1)
 */
int xs_clv_data_from_snapshot(const xs_snapshot *s, int32_t calibration_end,
                              int unit_days, xs_clv_data **out, uint32_t **cust,
                              xs_error *err);
/** Frees the index array of xs_clv_data_from_snapshot(); NULL is fine. */
void xs_clv_customers_free(uint32_t *cust);

/* ====================================================================== */
/* Lifetime value (src/score): BG/NBD, Gamma-Gamma, shifted-beta-geometric */
/* ====================================================================== */
/* (section owned by the clv module) */

/*
 * Per-customer purchase summaries for the transactional models. From rows
 * customer_id, date, amount: purchases on the same day count as one (their
 * amounts summed); within the calibration period (dates <= calibration_end)
 *   x    = number of repeat purchase days (distinct days - 1),
 *   t_x  = last purchase day - first purchase day,
 *   T    = calibration_end - first purchase day,
 * in the chosen unit (a week is exactly 7 days), and mean_spend = the mean
 * amount of the repeat purchase days (the first day excluded; 0 when x = 0).
 * Rows after calibration_end are counted as holdout purchases and never used
 * for fitting; a customer whose first purchase is after it is dropped.
 */
typedef struct xs_clv_data xs_clv_data;

/* How an orders file is laid out. */
typedef enum xs_clv_input_format {
    XS_CLV_INPUT_CSV = 0, /* header row; columns named by id/date/amount_col */
    XS_CLV_INPUT_CDNOW    /* the CDNOW files: whitespace separated, no header
                             (a first line not starting with a digit is
                             skipped); id = first field, date = third from
                             last (yyyymmdd), amount = last field */
} xs_clv_input_format;

/** How to read an orders file (zero-initialise, then set). */
typedef struct xs_clv_read_opts {
    xs_clv_input_format format;
    char delimiter;         /* CSV delimiter; 0 means ',' */
    const char *id_col;     /* NULL: "customer_id" */
    const char *date_col;   /* NULL: "date" */
    const char *amount_col; /* NULL: "amount" */
    int date_yyyymmdd;      /* dates as 19970101 instead of ISO 1997-01-01
                               (always for XS_CLV_INPUT_CDNOW) */
    int32_t calibration_end; /* last day of calibration (days since 1970-01-01) */
    int unit_days;           /* days per time unit: 1 (default when 0) or 7 */
} xs_clv_read_opts;

/** One customer of a summary (pointers borrowed from the xs_clv_data). */
typedef struct xs_clv_customer {
    const char *id;       /* customer id; "" for summaries built from arrays */
    double x, t_x, T;     /* repeat purchases, recency, age (in the unit) */
    double mean_spend;    /* mean of the repeat purchase amounts; 0 when x = 0 */
    double holdout_n;     /* purchase days after calibration_end */
    double holdout_spend; /* their total amount */
} xs_clv_customer;

/**
 * Reads orders and summarises them per customer (in order of first
 * appearance in the file). Errors name FILE:LINE: COLUMN: an unknown column, an
 * unparsable date, a negative or malformed amount, an empty id.
 * @param out caller frees with xs_clv_data_free()
 * @return XS_OK, XS_EIO, XS_EPARSE, XS_ENOTFOUND (column), XS_ENOMEM,
 *         XS_EINVAL (no customer purchases in the calibration period)
 * @code
 *   xs_clv_read_opts o = {0}; xs_clv_data *d;
 *   o.unit_days = 7; xs_clv_parse_date("1997-09-30", 0, &o.calibration_end);
 *   if (xs_clv_data_read("orders.csv", &o, &d, &e) < 0) ...;
 *   xs_clv_data_free(d);
 * @endcode
 */
int xs_clv_data_read(const char *path, const xs_clv_read_opts *opts, xs_clv_data **out,
                     xs_error *err);
/**
 * Summarises a store's orders (through its snapshot) as xs_clv_data_read()
 * summarises a file of customer_id, date, amount rows: an order's amount is
 * the sum of its lines, a customer's orders of one day are one purchase (a
 * day summing below 0 counts as 0), customers in snapshot (customer_id byte)
 * order with their ids and holdout counts. The columns are those of
 * xs_clv_data_from_snapshot(), bit for bit. Counts: n_rows and n_after are
 * customer-days.
 * @param s   the snapshot (borrowed; the result does not refer to it)
 * @param out caller frees with xs_clv_data_free()
 * @return XS_OK, XS_ENOMEM, XS_EINVAL ("the store has no orders"; no
 *         customer purchases in the calibration period; unit_days < 1)
 * @code
 *   xs_clv_data *d;
 *   if (xs_clv_data_read_snapshot(snap, cal_end, 7, &d, &e) < 0) ...;
 *   xs_clv_data_free(d);
 * @endcode
 */
int xs_clv_data_read_snapshot(const xs_snapshot *s, int32_t calibration_end, int unit_days,
                              xs_clv_data **out, xs_error *err);
/**
 * Builds a summary from arrays of n customers (copied; ids empty, no
 * holdout). mean_spend may be NULL (all 0). BG/NBD needs whole x.
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (a negative or non-finite value,
 *         t_x > T, or t_x > 0 with x = 0)
 */
int xs_clv_data_from_arrays(const double *x, const double *t_x, const double *T,
                            const double *mean_spend, size_t n, xs_clv_data **out,
                            xs_error *err);
/** Frees a summary; NULL is fine. */
void xs_clv_data_free(xs_clv_data *d);
/** @return the number of customers */
size_t xs_clv_data_n(const xs_clv_data *d);
/** Fills *out with customer i. */
void xs_clv_data_get(const xs_clv_data *d, size_t i, xs_clv_customer *out);
/** Counts from reading: rows read, rows after calibration_end, customers
 *  dropped (no purchase in the calibration period). Any pointer may be NULL. */
void xs_clv_data_counts(const xs_clv_data *d, size_t *n_rows, size_t *n_after,
                        size_t *n_dropped);
/** Parses an ISO date ("1997-09-30") or, with yyyymmdd, "19970930".
 *  @return XS_OK or XS_EPARSE */
int xs_clv_parse_date(const char *s, int yyyymmdd, int32_t *days);

/** How a fit ended. */
typedef struct xs_clv_fit_info {
    double log_likelihood; /* at the estimate */
    size_t n_customers;    /* customers the fit used */
    size_t n_groups;       /* distinct likelihood terms after grouping */
    int iterations;        /* optimiser iterations */
    int converged;         /* 1: gradient norm below tolerance */
    double grad_norm;      /* |d(-LL/n)/d log-params| at the estimate */
    size_t n_excluded;     /* Gamma-Gamma: repeat buyers left out for a mean
                              spend of 0 */
} xs_clv_fit_info;

/* BG/NBD (Fader, Hardie & Lee 2005): purchases Poisson(lambda) while alive,
 * lambda ~ Gamma(r, alpha); after each purchase the customer drops out with
 * probability p ~ Beta(a, b). */
typedef struct xs_bgnbd_params {
    double r, alpha, a, b;
} xs_bgnbd_params;

/**
 * Fits BG/NBD by maximum likelihood: BFGS (GSL vector_bfgs2) on the log
 * parameters with the analytic gradient; identical (x, t_x, T) are grouped.
 * @param p    set to the estimate
 * @param info optional (NULL): log-likelihood and convergence
 * @return XS_OK, XS_EINVAL (no customers), XS_ENOMEM, XS_ERANGE (no
 *         convergence: *p and *info hold the last point)
 * @code
 *   xs_bgnbd_params p; xs_clv_fit_info fi;
 *   if (xs_bgnbd_fit(d, &p, &fi, &e) == XS_OK) printf("r=%g LL=%g\n", p.r, fi.log_likelihood);
 * @endcode
 */
int xs_bgnbd_fit(const xs_clv_data *d, xs_bgnbd_params *p, xs_clv_fit_info *info,
                 xs_error *err);
/** Log-likelihood of all customers of d at p; NAN when p is not positive,
 *  x is not whole, or memory runs out. */
double xs_bgnbd_loglik(const xs_bgnbd_params *p, const xs_clv_data *d);
/** P(alive at T | x, t_x, T). */
double xs_bgnbd_p_alive(const xs_bgnbd_params *p, double x, double t_x, double T);
/** Expected purchases in (T, T + t] of a customer with (x, t_x, T)
 *  (FHL 2005 eq. 10, Gauss hypergeometric term by a checked series). */
double xs_bgnbd_expected(const xs_bgnbd_params *p, double t, double x, double t_x,
                         double T);

/* Gamma-Gamma (Fader & Hardie 2013 note): spend per purchase ~ Gamma(p, nu),
 * nu ~ Gamma(q, gamma) across customers. */
typedef struct xs_gg_params {
    double p, q, gamma;
} xs_gg_params;

/**
 * Fits Gamma-Gamma on the customers with x >= 1 and mean_spend > 0 (repeat
 * buyers with a mean of 0 are left out and counted in info->n_excluded):
 * BFGS on log parameters, analytic gradient.
 * @return XS_OK, XS_EINVAL (no such customer), XS_ENOMEM, XS_ERANGE (no
 *         convergence)
 */
int xs_gg_fit(const xs_clv_data *d, xs_gg_params *p, xs_clv_fit_info *info,
              xs_error *err);
/** Log-likelihood of the repeat buyers of d with a positive mean spend at p
 *  (density of their means); NAN when there is none or memory runs out. */
double xs_gg_loglik(const xs_gg_params *p, const xs_clv_data *d);
/** E[spend per purchase | x, mean]: the population mean p*gamma/(q-1) when
 *  x = 0; NAN when q <= 1. */
double xs_gg_expected_spend(const xs_gg_params *p, double x, double mean_spend);

/**
 * Customer lifetime value over `horizon` units with discount rate `discount`
 * per unit (discounted expected transactions approximation):
 *   CLV = spend * sum_{k=1..horizon} (E[Y(k)] - E[Y(k-1)]) / (1 + discount)^k
 * where E[Y(k)] = xs_bgnbd_expected(bg, k, x, t_x, T) and spend =
 * xs_gg_expected_spend(gg, x, mean_spend).
 */
double xs_clv_value(const xs_bgnbd_params *bg, const xs_gg_params *gg,
                    const xs_clv_customer *c, int horizon, double discount);

/* Shifted-beta-geometric (Fader & Hardie 2007): each customer renews each
 * period with probability 1 - theta, theta ~ Beta(alpha, beta). */
typedef struct xs_sbg_params {
    double alpha, beta;
} xs_sbg_params;

/**
 * Fits sBG by maximum likelihood to a survivor curve n[0..k] (customers
 * still active at period 0..k; n[0] > 0, non-increasing).
 * @return XS_OK, XS_EINVAL (k < 1, increasing or negative counts, n[0] = 0),
 *         XS_ERANGE (no convergence)
 */
int xs_sbg_fit(const double *survivors, size_t n, xs_sbg_params *p,
               xs_clv_fit_info *info, xs_error *err);
/** Log-likelihood of a survivor curve n[0..k] at p. */
double xs_sbg_loglik(const xs_sbg_params *p, const double *survivors, size_t n);
/** S(t): share of a cohort still active at period t. */
double xs_sbg_survival(const xs_sbg_params *p, int t);
/** Retention rate r(t) = S(t) / S(t-1) = (beta + t - 1) / (alpha + beta + t - 1), t >= 1. */
double xs_sbg_retention(const xs_sbg_params *p, int t);
/**
 * Discounted expected residual lifetime (Fader & Hardie 2010) of a customer
 * active in period n (n >= 1, i.e. after n - 1 renewals), just before the
 * renewal at the end of period n: the expected number of future payments,
 * the k-th (k = 0, 1, ...) discounted by (1 + d)^-k:
 *   DERL = (beta+n-1)/(alpha+beta+n-1) * 2F1(1, beta+n; alpha+beta+n; 1/(1+d)).
 * d > 0. Multiply by the price per period for the residual CLV.
 */
double xs_sbg_derl(const xs_sbg_params *p, int n, double d);

/**
 * Reads a survivor curve: one column of a CSV file with a header row, row i
 * = customers still active at period i. Values are non-negative numbers,
 * not increasing, the first positive; empty cells may end the column.
 * @param out  set to the values; caller frees with xs_survivors_free()
 * @param delim CSV delimiter; 0 means ','
 * @return XS_OK, XS_EIO, XS_EPARSE (FILE:LINE: COLUMN: bad value, or fewer
 *         than 2 periods), XS_ENOTFOUND (no such column), XS_ENOMEM
 */
int xs_survivors_read(const char *path, const char *column, char delim, double **out,
                      size_t *n, xs_error *err);
/** Frees a curve of xs_survivors_read(); NULL is fine. */
void xs_survivors_free(double *v);

/* ====================================================================== */
/* Churn risk (src/score): XGBoost models, cross-validation, calibration  */
/* ====================================================================== */
/* (section owned by the churn module) */

/*
 * Churn risk from a customer-level table (one row per customer): an id
 * column, a 0/1-like label column and feature columns. A column is numeric
 * when every non-blank value parses as a number (blanks -> missing, NaN for
 * XGBoost), else categorical and one-hot encoded ("Contract=One year"),
 * levels sorted bytewise; a blank categorical value sets none of its
 * indicators. Models are XGBoost gradient-boosted trees (binary:logistic,
 * tree_method hist, fixed nthread and seed: the same data and parameters
 * give the same model and the same numbers on every run).
 */

/** An encoded customer table. Opaque. */
typedef struct xs_churn_data xs_churn_data;
/** A trained model: XGBoost booster plus the feature encoding. Opaque. */
typedef struct xs_churn_model xs_churn_model;

/** How to read a customer table (zero-initialise, then set). */
typedef struct xs_churn_read_opts {
    const char *id;       /* id column (required) */
    const char *label;    /* label column (required for training/eval) */
    const char *positive; /* positive label value; NULL: detect: the value
                             among 1, Yes, yes, YES, true, True, TRUE */
    const char *const *drop; /* further columns to exclude (borrowed) */
    size_t n_drop;
    char delimiter; /* 0: ',' */
} xs_churn_read_opts;

/** What the reader found in a source column. */
typedef struct xs_churn_column {
    const char *name; /* borrowed, valid until the data is freed */
    int categorical;  /* 0: numeric */
    size_t n_levels;  /* categorical: distinct non-blank values (training) */
    size_t n_blank;   /* blank cells, treated as missing */
    size_t n_unseen;  /* prediction only: categorical values the model never
                         saw, treated as missing */
} xs_churn_column;

/**
 * Reads and encodes a customer table for training or cross-validation.
 * @param path CSV file with a header row (borrowed; read through the record
 *             reader)
 * @param out  caller frees with xs_churn_data_free()
 * @return XS_OK; XS_ENOTFOUND (unknown --id / --label / --drop column:
 *         param is the option); XS_EINVAL (`FILE:LINE: COLUMN: message`
 *         for a blank or repeated id, a blank label, a third label value, a value that is
 * neither the positive nor the other one, a --positive value not in the file; "no data
 * rows"; no positive label detectable); XS_EPARSE / XS_EIO from the reader; XS_ENOMEM
 * @code
 *   xs_churn_read_opts o = {.id = "customerID", .label = "Churn", .positive = "Yes"};
 *   xs_churn_data *d; xs_error e;
 *   if (xs_churn_data_read("telco.csv", &o, &d, &e) < 0) ...;
 * @endcode
 */
int xs_churn_data_read(const char *path, const xs_churn_read_opts *o, xs_churn_data **out,
                       xs_error *err);
/**
 * Reads a table to score with a model: the model's feature columns must be
 * present (others are ignored); categorical values the model never saw and
 * blanks are missing (counted in xs_churn_column.n_unseen / n_blank).
 * @return as xs_churn_data_read(); a numeric model column holding text is
 *         `FILE:LINE: COLUMN: not a number: "abc"` (XS_EINVAL)
 */
int xs_churn_data_read_for_model(const char *path, const xs_churn_model *m,
                                 const char *id, char delimiter, xs_churn_data **out,
                                 xs_error *err);
/** Frees the data; NULL is fine. */
void xs_churn_data_free(xs_churn_data *d);
/** @return rows (customers) */
size_t xs_churn_data_rows(const xs_churn_data *d);
/** @return rows with the positive label (0 without a label) */
size_t xs_churn_data_positives(const xs_churn_data *d);
/** @return id of row i (borrowed) */
const char *xs_churn_data_id(const xs_churn_data *d, size_t i);
/** @return label of row i: 1 positive, 0 negative, -1 without a label */
int xs_churn_data_label(const xs_churn_data *d, size_t i);
/** @return the positive / negative label value (borrowed; NULL without) */
const char *xs_churn_data_positive(const xs_churn_data *d);
const char *xs_churn_data_negative(const xs_churn_data *d);
/** @return number of encoded features (one-hot columns counted one each) */
size_t xs_churn_data_n_features(const xs_churn_data *d);
/** @return name of feature j: "tenure" or "Contract=One year" (borrowed) */
const char *xs_churn_data_feature_name(const xs_churn_data *d, size_t j);
/** @return value of feature j in row i (NaN: missing) */
double xs_churn_data_value(const xs_churn_data *d, size_t i, size_t j);
/** @return number of source (feature) columns */
size_t xs_churn_data_n_columns(const xs_churn_data *d);
/** @return what was found in source column c (borrowed) */
const xs_churn_column *xs_churn_data_column(const xs_churn_data *d, size_t c);

/** Model and cross-validation settings; start from xs_churn_params_init(). */
typedef struct xs_churn_params {
    int rounds;              /* boosting rounds (default 200) */
    int max_depth;           /* tree depth (default 3) */
    double eta;              /* learning rate (default 0.05) */
    double min_child_weight; /* default 1 */
    int nthread;             /* XGBoost threads (default 1; fixed for
                                reproducibility) */
    uint64_t seed;           /* folds and XGBoost seed (default 42) */
    size_t folds;            /* cross-validation folds (default 5) */
} xs_churn_params;

/** Sets the defaults listed in xs_churn_params. */
void xs_churn_params_init(xs_churn_params *p);

/** One fold of a cross-validation: its held-out rows and their scores. */
typedef struct xs_churn_fold {
    size_t n, n_pos;
    double auc, log_loss; /* auc NaN when the fold lacks a class */
} xs_churn_fold;

/** A calibration bin (a decile of predicted probability). */
typedef struct xs_churn_bin {
    size_t n;
    double p_min, p_max; /* range of predictions in the bin */
    double mean_pred;    /* mean predicted probability */
    double observed;     /* observed positive rate */
} xs_churn_bin;

#define XS_CHURN_BINS 10

/** Result of a cross-validation. */
typedef struct xs_churn_cv {
    size_t n, n_pos;
    double auc;        /* mean of the fold AUCs (folds lacking a class skipped) */
    double auc_sd;     /* their standard deviation (n - 1) */
    double auc_pooled; /* AUC of all out-of-fold predictions together */
    double log_loss;   /* over all out-of-fold predictions */
    size_t n_folds;
    xs_churn_fold *folds;          /* n_folds */
    xs_churn_bin bins[XS_CHURN_BINS]; /* deciles of out-of-fold predictions */
    double *oof;                   /* n out-of-fold probabilities */
    uint32_t *fold_of;             /* n: fold of each row */
} xs_churn_cv;

/**
 * Stratified k-fold cross-validation: for each fold trains on the other
 * folds and predicts the held-out rows (folds: see xs_churn_params.seed).
 * @param out filled; free its arrays with xs_churn_cv_free()
 * @return XS_OK; XS_EINVAL (no label, folds < 2 or > rows: column
 *         "folds"; a single class); XS_EINTERNAL (XGBoost failed: its
 *         message); XS_ENOMEM
 */
int xs_churn_cv_run(const xs_churn_data *d, const xs_churn_params *p, xs_churn_cv *out,
                    xs_error *err);
/** Frees the arrays of a result; NULL is fine. */
void xs_churn_cv_free(xs_churn_cv *r);
/**
 * Writes a cross-validation as `xsell churn eval` prints it (churn_out.c):
 * in table format the summary, the folds and the calibration deciles one
 * after another; in JSON one object with members "folds" and "calibration";
 * in CSV one long table whose column "part" is overall, fold or decile.
 * @return XS_OK, XS_ENOMEM or XS_EIO
 * @code
 *   xs_churn_cv_write(&r, stdout, XS_FORMAT_JSON);
 * @endcode
 */
int xs_churn_cv_write(const xs_churn_cv *r, FILE *out, xs_format fmt);

/**
 * Trains a model on all rows.
 * @param out caller frees with xs_churn_model_free()
 * @return XS_OK, XS_EINVAL (no label, a single class), XS_EINTERNAL, XS_ENOMEM
 */
int xs_churn_train(const xs_churn_data *d, const xs_churn_params *p,
                   xs_churn_model **out, xs_error *err);
/**
 * Saves a model as one JSON file {"xsell_churn": {format, label values,
 * parameters, columns with kinds and levels, features}, "xgboost": XGBoost's
 * own JSON model}, written to a temporary name and renamed.
 * @return XS_OK, XS_EIO, XS_EINTERNAL, XS_ENOMEM
 */
int xs_churn_model_save(const xs_churn_model *m, const char *path, xs_error *err);
/** Loads a model saved by xs_churn_model_save().
 *  @return XS_OK, XS_EIO, XS_EPARSE (not such a model file), XS_ENOMEM */
int xs_churn_model_load(const char *path, xs_churn_model **out, xs_error *err);
/** Frees the model; NULL is fine. */
void xs_churn_model_free(xs_churn_model *m);
/** @return number of features the model expects */
size_t xs_churn_model_n_features(const xs_churn_model *m);
/** @return the positive label value the model predicts (borrowed) */
const char *xs_churn_model_positive(const xs_churn_model *m);

/** Why a customer scores as it does: a source column and its summed
 *  contribution to the margin (log-odds). */
typedef struct xs_churn_reason {
    char name[160];      /* "tenure" or "Contract=Month-to-month" */
    double contribution; /* > 0 raises the churn risk */
} xs_churn_reason;

/** Predictions of a model for a table. */
typedef struct xs_churn_pred {
    size_t n, n_features;
    double *prob;    /* n probabilities of the positive label */
    double *margin;  /* n raw margins (log-odds) */
    float *contribs; /* NULL, or n * (n_features + 1) per-feature
                        contributions (TreeSHAP), bias last; each row sums
                        to its margin */
} xs_churn_pred;

enum { XS_CHURN_CONTRIBS = 1, XS_CHURN_CONTRIBS_APPROX = 2 };

/** Sets the XGBoost thread count used for prediction (n >= 1). */
void xs_churn_model_set_threads(xs_churn_model *m, int n);

/**
 * Scores every row of d (read with xs_churn_data_read_for_model() for this
 * model, or with the training encoding).
 * @param with_contribs 0: none; XS_CHURN_CONTRIBS: per-feature contributions
 *        by TreeSHAP (exact; O(trees x leaves x depth²) per row);
 *        XS_CHURN_CONTRIBS_APPROX: Saabas' path attribution (about 10x
 *        faster, also sums to the margin)
 * @return XS_OK, XS_EINVAL (feature count differs), XS_EINTERNAL, XS_ENOMEM;
 *         free *out's arrays with xs_churn_pred_free()
 */
int xs_churn_predict(const xs_churn_model *m, const xs_churn_data *d, int with_contribs,
                     xs_churn_pred *out, xs_error *err);
/** Frees the arrays of a prediction; NULL is fine. */
void xs_churn_pred_free(xs_churn_pred *p);
/**
 * The k source columns that move row i's margin most (by absolute summed
 * contribution; one-hot features summed back into their column and named
 * "column=value" with the row's own value, "(blank)" when blank).
 * @return the number of reasons written (<= k)
 */
size_t xs_churn_reasons(const xs_churn_pred *p, const xs_churn_data *d, size_t i,
                        xs_churn_reason *out, size_t k);
/**
 * Fills an empty table with the predictions as `xsell churn predict` prints
 * them (churn_out.c): id_column, probability, then feature_J and
 * contribution_J for J = 1..k (xs_churn_reasons(); empty cells where a
 * customer has fewer reasons).
 * @return XS_OK or XS_ENOMEM
 */
int xs_churn_pred_table(const xs_churn_pred *p, const xs_churn_data *d, const char *id_column,
                        size_t k, xs_table *out);

/* ---- Churn risk from the store's own history (src/score/churn_history.c) */
/*
 * Features of every customer active at a cutoff date t, computed from a
 * snapshot using only data dated on or before t (see churn_history.c for
 * the exact definitions): tenure, MRR and its change over 90 / 180 days,
 * active subscriptions / products / families, plan tier, billing term,
 * days to the next renewal anniversary, seat and maximum utilisation of
 * plan limits (capacity = sum of limit x quantity over the family's active
 * subscriptions), logins over 30 / 90 days and their trends, NPS (latest,
 * mean), tickets in 90 / 365 days, open critical tickets, payment failures,
 * cancel requests in 90 days, offers declined in 180 days, segment /
 * industry / size (one-hot), order count, recency and amount.
 *
 * Active on day d: some subscription with start <= d and (no end or
 * end > d). Only customers active on t are rows. Label (horizon h): 1 when
 * the customer is not active on day t + h (every subscription has ended
 * by then and none started since is still running), 0 when active on
 * t + h (a customer who leaves and comes back within the horizon counts
 * as staying). Needs t + h <= the data's end: the latest signup,
 * subscription start, order, usage point, event or offer date (renewal and
 * end dates, which may be scheduled in the future, do not count); that day
 * is also the default as-of date.
 * The result is an xs_churn_data (ids = customer ids), so cross-checking,
 * training and prediction share the XGBoost code of the table path.
 */

/** Settings of the history model; start from xs_churn_history_opts_init(). */
typedef struct xs_churn_history_opts {
    int horizon;          /* label horizon in days, 1..3650 (default 90) */
    const char *cutoff;   /* "YYYY-MM-DD" training cutoff T1; NULL: as_of - 2 x horizon */
    const char *as_of;    /* "YYYY-MM-DD"; NULL: the data's end (above) */
    xs_churn_params params; /* XGBoost settings (folds unused) */
    size_t max_train;     /* 0: train on every customer active at the cutoff;
                             else at most this many: a stratified sample
                             (each label keeps its share; drawn with
                             params.seed) when more are active */
} xs_churn_history_opts;

/** Sets horizon 90, cutoff and as_of NULL, xs_churn_params_init() params,
 *  max_train 0 (every customer). */
void xs_churn_history_opts_init(xs_churn_history_opts *o);

/**
 * The feature table of the customers active on a cutoff.
 * @param s       the snapshot (borrowed; the result does not refer to it)
 * @param cutoff  "YYYY-MM-DD"
 * @param horizon > 0: with labels churned within horizon days (needs
 *                cutoff + horizon <= the data's end); 0: none
 * @param m       NULL: fit the encoding (categorical levels) on these rows;
 *                else encode as model m expects (m must come from store
 *                history; unseen levels are missing)
 * @param out     caller frees with xs_churn_data_free()
 * @return XS_OK; XS_EINVAL (param "cutoff": not a date, no active
 *         customer, labels past the data; "horizon": out of range;
 *         "model": not a store-history model); XS_ENOMEM
 */
int xs_churn_history_features(const xs_snapshot *s, const char *cutoff, int horizon,
                              const xs_churn_model *m, xs_churn_data **out,
                              xs_error *err);

/** Result of a time-split evaluation. */
typedef struct xs_churn_history_eval_result {
    char train_cutoff[11], eval_cutoff[11]; /* T1, T2 = T1 + horizon */
    int horizon;
    size_t n_train, n_train_pos; /* customers active at T1, churned by T1 + h */
    size_t n, n_pos;             /* the same at T2 */
    double auc, log_loss;        /* of the T1 model's predictions at T2 */
    xs_churn_bin bins[XS_CHURN_BINS]; /* calibration deciles at T2 */
} xs_churn_history_eval_result;

/**
 * Time-split evaluation: trains on the features at T1 with labels from
 * (T1, T1 + h], predicts the customers active at T2 = T1 + h from
 * features at T2 and scores them against (T2, T2 + h].
 * @param s   the snapshot (borrowed)
 * @param o   horizon, T1 (default: as_of - 2 x horizon), XGBoost settings
 * @param out filled (plain values; nothing to free). AUC NaN when nobody
 *            or everybody active at T2 churns
 * @code
 *   xs_churn_history_opts o; xs_churn_history_opts_init(&o);
 *   xs_churn_history_eval_result r; xs_error e;
 *   if (xs_churn_history_eval(snap, &o, &r, &e) == XS_OK)
 *       printf("AUC %.3f at %s\n", r.auc, r.eval_cutoff);
 * @endcode
 * @return XS_OK; XS_EINVAL (as xs_churn_history_features(); T2 + h after
 *         the data; a cutoff without churners or without stayers);
 *         XS_EINTERNAL (XGBoost); XS_ENOMEM
 */
int xs_churn_history_eval(const xs_snapshot *s, const xs_churn_history_opts *o,
                          xs_churn_history_eval_result *out, xs_error *err);

/**
 * Trains the model on the features and labels at a cutoff: o->cutoff, or
 * by default T1 = as_of - 2 x horizon, the very model xs_churn_history_eval()
 * measures (a later cutoff, up to as_of - horizon, uses fresher labels).
 * @param s    the snapshot (borrowed)
 * @param o    horizon, cutoff, as_of, XGBoost settings
 * @param out  caller frees with xs_churn_model_free(); saves with
 *             xs_churn_model_save()
 * @param info NULL, or set: train_cutoff, horizon, n_train, n_train_pos
 *             (the rest zero)
 * @return as xs_churn_history_eval()
 */
int xs_churn_history_train(const xs_snapshot *s, const xs_churn_history_opts *o,
                           xs_churn_model **out, xs_churn_history_eval_result *info,
                           xs_error *err);

/**
 * Scores every customer active on as_of with a history model.
 * @param s             the snapshot (borrowed)
 * @param m             a model of xs_churn_history_train() (or loaded from
 *                      its saved file)
 * @param as_of         "YYYY-MM-DD"; NULL: the data's end
 * @param with_contribs as xs_churn_predict()
 * @param data          the feature table scored (ids, for
 *                      xs_churn_reasons()); caller frees
 * @param pred          caller frees with xs_churn_pred_free()
 * @return XS_OK or as xs_churn_history_features() / xs_churn_predict()
 */
int xs_churn_history_predict(const xs_snapshot *s, const xs_churn_model *m,
                             const char *as_of, int with_contribs, xs_churn_data **data,
                             xs_churn_pred *pred, xs_error *err);

/**
 * Writes a time-split evaluation as `xsell churn eval --db` prints it
 * (churn_out.c): the summary and the calibration deciles (in JSON the
 * member "calibration"; in CSV one long table, part train, eval or decile).
 * @return XS_OK, XS_ENOMEM or XS_EIO
 */
int xs_churn_history_eval_write(const xs_churn_history_eval_result *r, FILE *out,
                                xs_format fmt);

/* ====================================================================== */
/* Uplift models (src/score/uplift*.c) and their evaluation               */
/* (src/measure/uplift_eval*.c); docs/uplift.md                           */
/* ====================================================================== */
/* (section owned by the uplift module) */

/*
 * Uplift: the difference an offer makes, P(outcome | treated) -
 * P(outcome | control), learned from a randomised experiment: one row per
 * unit, a treatment column (the value of the treated arm, the value of the
 * control arm; rows with any other value are left out of training and
 * evaluation but still predicted), a 0/1 outcome and feature columns,
 * encoded as the churn table encodes them (numeric when every non-blank
 * value parses as a number, else one-hot with the training file's levels;
 * an unseen or blank category sets no indicator). Learners are XGBoost
 * trees with a fixed thread count and seed (reproducible to the bit).
 */

/** An encoded experiment table. Opaque. */
typedef struct xs_uplift_data xs_uplift_data;
/** A trained uplift model: the learner, the encoding, XGBoost models. */
typedef struct xs_uplift_model xs_uplift_model;

/** The learners. */
typedef enum xs_uplift_learner {
    XS_UPLIFT_TWO_MODEL = 0,      /* P(y|x) fitted on each arm; uplift = difference */
    XS_UPLIFT_CLASS_TRANSFORM = 1 /* z = y*w + (1-y)(1-w), arms weighted to 1/2;
                                     uplift = 2 P(z|x) - 1 */
} xs_uplift_learner;

/** "two_model" / "class_transform". */
const char *xs_uplift_learner_name(xs_uplift_learner l);
/** @return XS_OK, or XS_EINVAL for an unknown name */
int xs_uplift_learner_parse(const char *name, xs_uplift_learner *out);

/** How to read an experiment table (zero-initialise, then set). */
typedef struct xs_uplift_read_opts {
    const char *treatment_col; /* required */
    const char *treatment;     /* value of the treated arm (required) */
    const char *control;       /* value of the control arm (required) */
    const char *outcome;       /* outcome column (required) */
    const char *positive;      /* outcome value meaning 1; NULL: cells must be
                                  0 or 1 */
    const char *const *features; /* feature columns; NULL: every column but
                                    the treatment and the outcome */
    size_t n_features;
    char delimiter; /* 0: ',' */
} xs_uplift_read_opts;

/** Rows of a table by arm, and the outcomes in each arm. */
typedef struct xs_uplift_counts {
    size_t n;           /* data rows */
    size_t n_treatment; /* treated rows */
    size_t n_control;   /* control rows */
    size_t n_other;     /* neither value (or no treatment column) */
    size_t n_treatment_pos, n_control_pos; /* outcome 1 in each arm */
} xs_uplift_counts;

/**
 * Reads an experiment table for training or evaluation.
 * Errors: unknown columns (XS_ENOTFOUND, listing the file's columns), equal
 * treatment and control values, a feature that is the treatment or the
 * outcome or is listed twice, a blank or non 0/1 outcome, no treated or no
 * control rows (XS_EINVAL, located FILE:LINE: COLUMN where there is one).
 * (A feature column with text is categorical here, never an error.)
 * @param out caller frees with xs_uplift_data_free()
 * @return XS_OK, XS_EIO, XS_EPARSE (malformed CSV), XS_EINVAL, XS_ENOTFOUND,
 *         XS_ENOMEM
 * @code
 *   const char *f[] = {"recency", "history", "channel"};
 *   xs_uplift_read_opts o = {.treatment_col = "segment",
 *       .treatment = "Womens E-Mail", .control = "No E-Mail",
 *       .outcome = "visit", .features = f, .n_features = 3};
 *   xs_uplift_data *d; xs_error e;
 *   if (xs_uplift_data_read("hillstrom.csv", &o, &d, &e) < 0) ...;
 * @endcode
 */
int xs_uplift_data_read(const char *path, const xs_uplift_read_opts *o,
                        xs_uplift_data **out, xs_error *err);
/**
 * Reads a table to score with model m: only the model's feature columns are
 * needed (treatment and outcome columns are ignored); numeric columns must
 * parse (`FILE:LINE: COLUMN: not a number: "abc"`, XS_EINVAL); categories
 * the model never saw set no indicator (counted in xs_churn_column.n_unseen).
 */
int xs_uplift_data_read_for_model(const char *path, const xs_uplift_model *m,
                                  char delimiter, xs_uplift_data **out, xs_error *err);
/** Frees a table; NULL is fine. */
void xs_uplift_data_free(xs_uplift_data *d);
/** Counts of the table's rows (borrowed). */
const xs_uplift_counts *xs_uplift_data_counts(const xs_uplift_data *d);
/** 1-based line of data row i in its file. */
long xs_uplift_data_line(const xs_uplift_data *d, size_t i);
/** 1 treated, 0 control, -1 neither or no treatment column. */
int xs_uplift_data_group(const xs_uplift_data *d, size_t i);
/** 0 / 1, or -1 when the table was read without an outcome. */
int xs_uplift_data_outcome(const xs_uplift_data *d, size_t i);
/** Number of features after one-hot encoding. */
size_t xs_uplift_data_n_features(const xs_uplift_data *d);
/** Source feature columns and their notes (borrowed). */
size_t xs_uplift_data_n_columns(const xs_uplift_data *d);
const xs_churn_column *xs_uplift_data_column(const xs_uplift_data *d, size_t c);

/** Learner and XGBoost settings; start from xs_uplift_params_init(). */
typedef struct xs_uplift_params {
    xs_uplift_learner learner; /* default XS_UPLIFT_TWO_MODEL */
    xs_churn_params xgb; /* rounds 50, max_depth 2, eta 0.1, min_child_weight
                            20, nthread 2, seed 42 (folds unused) */
} xs_uplift_params;

/** Sets the defaults listed in xs_uplift_params. */
void xs_uplift_params_init(xs_uplift_params *p);

/**
 * Trains on the treated and control rows of d (read with
 * xs_uplift_data_read()).
 * @param out caller frees with xs_uplift_model_free()
 * @return XS_OK, XS_EINVAL (an arm without rows), XS_EINTERNAL (XGBoost),
 *         XS_ENOMEM
 */
int xs_uplift_train(const xs_uplift_data *d, const xs_uplift_params *p,
                    xs_uplift_model **out, xs_error *err);
/**
 * Predicted uplift of every row of d (read for this model, or with its
 * training encoding) into out[0..rows), a caller buffer.
 * @return XS_OK, XS_EINVAL (feature count differs), XS_EINTERNAL, XS_ENOMEM
 */
int xs_uplift_predict(const xs_uplift_model *m, const xs_uplift_data *d, double *out,
                      xs_error *err);
/**
 * Saves a model as one JSON file: {"xsell_uplift": {"format": 1, learner,
 * treatment / control / outcome names, parameters, columns with kinds and
 * levels, features}, "xgboost": [XGBoost JSON models: treated then control
 * for two_model, one for class_transform]}. Written to a temporary file
 * and renamed: never half a file.
 * @return XS_OK, XS_EIO, XS_EINTERNAL, XS_ENOMEM
 */
int xs_uplift_model_save(const xs_uplift_model *m, const char *path, xs_error *err);
/** Loads a model of xs_uplift_model_save().
 *  @return XS_OK, XS_EIO, XS_EPARSE ("not an uplift model file: ..."), XS_ENOMEM */
int xs_uplift_model_load(const char *path, xs_uplift_model **out, xs_error *err);
/** Frees a model; NULL is fine. */
void xs_uplift_model_free(xs_uplift_model *m);
xs_uplift_learner xs_uplift_model_learner(const xs_uplift_model *m);
size_t xs_uplift_model_n_features(const xs_uplift_model *m);
/** Sets the XGBoost thread count used for prediction (n >= 1). */
void xs_uplift_model_set_threads(xs_uplift_model *m, int n);

/* ---- Uplift metrics (src/measure/uplift_eval_metrics.c) --------------- */
/*
 * The conventions of scikit-uplift 0.5 (sklift.metrics), exactly: rows
 * ordered by predicted uplift, highest first, ties in reverse row order
 * (numpy's stable argsort reversed); w is 1 treated / 0 control, y 0 / 1.
 * Each returns NaN when it is undefined (no rows, an arm without rows in
 * the part it needs, or a perfect curve equal to the random one).
 */
/** qini_auc_score(negative_effect=True): area between the Qini curve
 *  (y_t - y_c n_t / n_c over the top rows, points at distinct uplift
 *  values) and the random line, over the same area of the perfect curve. */
double xs_uplift_qini(const double *uplift, const unsigned char *y,
                      const unsigned char *w, size_t n);
/** uplift_auc_score: the same with the uplift curve
 *  ((y_t / n_t - y_c / n_c) x (n_t + n_c)) and its perfect curve. */
double xs_uplift_auuc(const double *uplift, const unsigned char *y,
                      const unsigned char *w, size_t n);

typedef enum xs_uplift_strategy {
    XS_UPLIFT_OVERALL = 0, /* the top floor(n k) rows, then the arms' rates */
    XS_UPLIFT_BY_GROUP = 1 /* the top floor(n_t k) treated and top floor(n_c k)
                              control rows, each ranked within its arm */
} xs_uplift_strategy;

/** uplift_at_k: treated rate minus control rate among the top rows. */
double xs_uplift_at_k(const double *uplift, const unsigned char *y,
                      const unsigned char *w, size_t n, double k,
                      xs_uplift_strategy strategy);

/* ---- Evaluation (src/measure/uplift_eval.c) --------------------------- */

/** Evaluation settings; start from xs_uplift_eval_opts_init(). */
typedef struct xs_uplift_eval_opts {
    xs_uplift_params params; /* learner and XGBoost */
    size_t folds;     /* >= 2: k-fold cross-validation; 0 (default): one split */
    double test_frac; /* split: share of rows held out for testing (0.5) */
    double k;         /* uplift@k share (0.3) */
    size_t n_boot;    /* bootstrap resamples of the test rows (default 200;
                         0: no intervals) */
    uint64_t seed;    /* the split / folds and the bootstrap (default 42) */
} xs_uplift_eval_opts;

void xs_uplift_eval_opts_init(xs_uplift_eval_opts *o);

/** A metric and its 95 % percentile bootstrap interval (NaN without). */
typedef struct xs_uplift_metric {
    double value, lo, hi;
} xs_uplift_metric;

/** What xs_uplift_eval() measured on the held-out rows. */
typedef struct xs_uplift_eval_result {
    size_t n_parts;         /* 1 (split) or the folds */
    size_t n_train, n_test; /* training rows of one part (the split; per fold:
                               the mean, rounded down) and test rows in all */
    xs_uplift_metric qini, auuc, at_k_overall, at_k_by_group;
    xs_uplift_metric random; /* treated rate minus control rate of the test
                                rows: what uplift@k of a random order expects */
} xs_uplift_eval_result;

/**
 * Trains on the training part and measures the predictions of the test
 * part; with folds, each fold is a test part, and every metric (and every
 * bootstrap replicate) is the mean over the folds. The split and the folds
 * are stratified by arm and outcome (each of the four strata shuffled with
 * the seed, then dealt). Bootstrap: n_boot resamples with replacement of
 * each test part (seeded), predictions kept; the interval is the 2.5 and
 * 97.5 percentiles of the replicate values that are defined.
 * @return XS_OK, XS_EINVAL (bad settings, too few rows), or as
 *         xs_uplift_train()
 */
int xs_uplift_eval(const xs_uplift_data *d, const xs_uplift_eval_opts *o,
                   xs_uplift_eval_result *out, xs_error *err);

/* ====================================================================== */
/* Experiments (src/measure): holdout assignment and lift analysis        */
/* ====================================================================== */
/* (section owned by the experiment module) */

/* ---- Holdout assignment ------------------------------------------------ */

#define XS_EXP_MAX_ARMS 32
#define XS_EXP_NAME_MAX 64

/* Arms of an experiment and their weights (shares = weight / sum). */
typedef struct xs_exp_split {
    size_t n_arms;
    char name[XS_EXP_MAX_ARMS][XS_EXP_NAME_MAX];
    double weight[XS_EXP_MAX_ARMS];
} xs_exp_split;

/**
 * Parses "name:weight,name:weight,..." (e.g. "treatment:90,holdout:10"); a
 * part without ":weight" weighs 1. Names are non-empty, unique, without ':'
 * or ','; weights are finite and > 0.
 * @return XS_OK, or XS_EINVAL with err's param "split"
 */
int xs_exp_split_parse(const char *spec, xs_exp_split *out, xs_error *err);

/**
 * Position of a unit in [0, 1) for a strategy: the 64-bit hash
 * (xs__hash_bytes, seed 0) of the bytes "strategy:id", top 53 bits / 2^53.
 * The same strategy and id give the same position on every run and machine;
 * different strategies give independent positions.
 * @return XS_OK, or XS_ENOMEM (ids longer than 1 KiB need a buffer)
 */
int xs_exp_unit(const char *strategy, const char *id, size_t id_len, double *u);

/**
 * Arm of a unit: the first arm i with u < (w_0 + ... + w_i) / sum(w).
 * @code
 *   xs_exp_split s; xs_error e;
 *   xs_exp_split_parse("treatment:90,holdout:10", &s, &e);
 *   int arm = xs_exp_assign(&s, "spring-upsell", "C000042", 7);
 *   if (arm >= 0) puts(s.name[arm]);
 * @endcode
 * @return the arm index (>= 0), or XS_ENOMEM
 */
int xs_exp_assign(const xs_exp_split *s, const char *strategy, const char *id,
                  size_t id_len);

/** Called once per unit by xs_exp_assign_file() with its id (borrowed,
 *  valid during the call) and arm; a negative return stops the reading and
 *  is returned. */
typedef int (*xs_exp_assign_fn)(void *ctx, const char *id, size_t id_len, size_t arm);

/**
 * Assigns every row of a CSV file (src/io reader) by its id column.
 * @param delimiter CSV delimiter, 0 means ','
 * @return the number of rows; XS_EIO / XS_EPARSE (file); XS_ENOTFOUND
 *         (unknown id column, err param "id"); XS_EINVAL (an empty id:
 *         `FILE:LINE: COLUMN: empty id`); XS_ENOMEM; or fn's negative return
 */
long long xs_exp_assign_file(const char *path, char delimiter, const char *id_column,
                             const char *strategy, const xs_exp_split *s,
                             xs_exp_assign_fn fn, void *ctx, xs_error *err);

/* ---- Lift analysis ----------------------------------------------------- */

/* How a metric's lift is estimated. AUTO: PROPORTION when every value of the
 * metric is 0 or 1, else WELCH. */
typedef enum xs_exp_method {
    XS_EXP_AUTO = 0,
    XS_EXP_PROPORTION, /* unpooled Wald CI, pooled two-proportion z p-value */
    XS_EXP_WELCH,      /* Welch t, Welch–Satterthwaite df */
    XS_EXP_BOOTSTRAP   /* percentile bootstrap of the difference of means */
} xs_exp_method;

/** Parses "auto", "proportion", "welch" or "bootstrap". @return XS_OK or XS_EINVAL */
int xs_exp_method_parse(const char *s, xs_exp_method *out);
/** @return the name of a method ("proportion", ...) */
const char *xs_exp_method_name(xs_exp_method m);

/** One row per unit: a group label, metric values and an optional pre-period
 *  covariate, in columns. Opaque. */
typedef struct xs_exp_data xs_exp_data;

/** Which columns of a CSV file to read (zero-initialise, then set). */
typedef struct xs_exp_read_opts {
    const char *group;             /* group column */
    const char *const *metrics;    /* metric columns (borrowed) */
    size_t n_metrics;
    const char *covariate;         /* NULL: none */
    char delimiter;                /* 0: ',' */
} xs_exp_read_opts;

/**
 * Reads a CSV file with one row per unit (src/io reader: RFC 4180, CRLF,
 * BOM). Metric and covariate values must be finite numbers.
 * @param out caller frees with xs_exp_data_free()
 * @return XS_OK; XS_EIO / XS_EPARSE (file); XS_ENOTFOUND (unknown column,
 *         err param "group" / "metric" / "covariate"); XS_EINVAL
 *         (`FILE:LINE: COLUMN: not a number: "abc"`, no data rows); XS_ENOMEM
 */
int xs_exp_data_read(const char *path, const xs_exp_read_opts *o, xs_exp_data **out,
                     xs_error *err);

/**
 * An empty data set to fill with xs_exp_data_add() (for callers that hold
 * their data in memory).
 * @param metric_names n_metrics names (copied); covariate: name or NULL (copied)
 * @return XS_OK or XS_ENOMEM; caller frees with xs_exp_data_free()
 */
int xs_exp_data_new(const char *group_column, const char *const *metric_names,
                    size_t n_metrics, const char *covariate, xs_exp_data **out);
/** Appends a unit: group label (copied), n_metrics values, covariate value
 *  (ignored without covariate). @return XS_OK, XS_ENOMEM, XS_EINVAL (NaN/inf) */
int xs_exp_data_add(xs_exp_data *d, const char *group, const double *values,
                    double covariate);
/** @return the number of units */
size_t xs_exp_data_rows(const xs_exp_data *d);
/** Frees the data; NULL is fine. */
void xs_exp_data_free(xs_exp_data *d);

/** What to compute (zero-initialise, then set). */
typedef struct xs_exp_opts {
    const char *control;       /* control group label (required) */
    xs_exp_method method;      /* AUTO by default */
    const double *expected;    /* planned shares per group, in group order
                                  (labels sorted bytewise); NULL: equal */
    size_t n_expected;
    double level;              /* confidence level; 0 means 0.95 */
    size_t n_boot;             /* bootstrap resamples; 0 means 2000 */
    uint64_t seed;             /* bootstrap seed; 0 means 1 */
    double srm_alpha;          /* SRM flagged when p < this; 0 means 0.001 */
} xs_exp_opts;

/** A group: its label, size and shares. */
typedef struct xs_exp_group {
    const char *label;
    size_t n;
    double share;    /* n / N */
    double expected; /* planned share */
} xs_exp_group;

/** Sample-ratio-mismatch check: chi-square goodness of fit of the group
 *  sizes against the planned shares. */
typedef struct xs_exp_srm {
    double chi2;
    int df;
    double p;
    int flagged; /* p < srm_alpha */
} xs_exp_srm;

/** A metric in a group; lift fields are NaN for the control group and
 *  where undefined (relative lift with a control mean of 0). */
typedef struct xs_exp_row {
    const char *metric, *group;
    size_t n;
    double mean, sd;        /* sd with n - 1 */
    int is_control;
    xs_exp_method method;   /* the method used (never AUTO) */
    double lift, lift_lo, lift_hi; /* mean - control mean, CI */
    double rel, rel_lo, rel_hi;    /* lift / control mean, CI (delta method;
                                      bootstrap: percentile) */
    double p;                      /* two-sided p-value */
    double df;                     /* Welch df; NaN otherwise */
    /* CUPED (with a covariate; NaN otherwise): theta and 1 - var(Ycuped)/var(Y)
     * over all units of the metric; lift of the adjusted metric, its CI,
     * relative lift against the adjusted control mean, and p-value. */
    double theta, var_reduction;
    double cuped_lift, cuped_lo, cuped_hi;
    double cuped_rel, cuped_rel_lo, cuped_rel_hi;
    double cuped_p;
} xs_exp_row;

/** Result of xs_exp_analyze(). Opaque. */
typedef struct xs_exp_result xs_exp_result;

/**
 * Compares every group with the control for every metric. Groups are
 * ordered by label (bytewise); rows metric by metric, groups in that order.
 * Sums run in a fixed order (groups by label, rows in input order), so the
 * same data give the same results to the last bit on every run.
 * @code
 *   xs_exp_opts o = {.control = "No E-Mail"};
 *   xs_exp_result *r;
 *   if (xs_exp_analyze(d, &o, &r, &e) == XS_OK) {
 *       const xs_exp_row *row = xs_exp_result_row(r, 0);
 *       printf("%s %s %.4f\n", row->metric, row->group, row->lift);
 *   }
 *   xs_exp_result_free(r);
 * @endcode
 * @param d   the data (borrowed; the result copies what it needs)
 * @param out caller frees with xs_exp_result_free()
 * @return XS_OK; XS_ENOTFOUND (no rows in the control group: column
 *         "control"); XS_EINVAL (fewer than 2 groups, a group with
 *         fewer than 2 rows, n_expected not the number of groups: column
 *         "expected_split", bad options); XS_ENOMEM
 */
int xs_exp_analyze(const xs_exp_data *d, const xs_exp_opts *o, xs_exp_result **out,
                   xs_error *err);
/** @return the number of groups */
size_t xs_exp_result_n_groups(const xs_exp_result *r);
/** @return group i (borrowed, valid until xs_exp_result_free()) */
const xs_exp_group *xs_exp_result_group(const xs_exp_result *r, size_t i);
/** @return the SRM check (borrowed) */
const xs_exp_srm *xs_exp_result_srm(const xs_exp_result *r);
/** @return the number of rows (metrics x groups) */
size_t xs_exp_result_n_rows(const xs_exp_result *r);
/** @return row i (borrowed, valid until xs_exp_result_free()) */
const xs_exp_row *xs_exp_result_row(const xs_exp_result *r, size_t i);
/** @return 1 when a covariate was used (CUPED fields are set) */
int xs_exp_result_has_cuped(const xs_exp_result *r);
/** Frees the result; NULL is fine. */
void xs_exp_result_free(xs_exp_result *r);
/**
 * Writes an analysis as `xsell experiment analyze` prints it
 * (experiment_out.c): in table format the groups, the sample-ratio line
 * and the results; in JSON one object with members "groups", "srm" and
 * "results"; in CSV the results alone.
 * @return XS_OK, XS_ENOMEM or XS_EIO
 * @code
 *   xs_exp_result_write(r, stdout, XS_FORMAT_TABLE);
 * @endcode
 */
int xs_exp_result_write(const xs_exp_result *r, FILE *out, xs_format fmt);

/* ====================================================================== */
/* KPIs (src/measure): revenue, retention and offer metrics per period    */
/* ====================================================================== */
/* (section owned by the kpi module) */

/* Every formula is written down in docs/kpi.md. */

/* Calendar periods KPIs are reported per. */
typedef enum xs_kpi_period { XS_KPI_MONTH = 0, XS_KPI_QUARTER, XS_KPI_YEAR } xs_kpi_period;

/* Breakdowns. SEGMENT, INDUSTRY, SIZE group customers by their attribute
 * (every KPI); PRODUCT groups by product line (family; a product without one
 * is its own line): revenue, retention, upsell and offer KPIs of that line;
 * CHANNEL and KIND group offers: offer KPIs only (the others are empty). */
typedef enum xs_kpi_by {
    XS_KPI_BY_NONE = 0,
    XS_KPI_BY_SEGMENT,
    XS_KPI_BY_INDUSTRY,
    XS_KPI_BY_SIZE,
    XS_KPI_BY_CHANNEL,
    XS_KPI_BY_KIND,
    XS_KPI_BY_PRODUCT
} xs_kpi_by;

/** Parses "month", "quarter" or "year". @return XS_OK or XS_EINVAL */
int xs_kpi_period_parse(const char *s, xs_kpi_period *out);
/** Parses "segment", "industry", "size", "channel", "kind" or "product".
 *  @return XS_OK or XS_EINVAL */
int xs_kpi_by_parse(const char *s, xs_kpi_by *out);
/** @return the name of a breakdown ("segment", ...; "" for NONE) */
const char *xs_kpi_by_name(xs_kpi_by b);

#define XS_KPI_DEFAULT_CAC_MULTIPLE 5.0
#define XS_KPI_DEFAULT_SAVE_DAYS 90

/** What to compute (zero-initialise, then set). */
typedef struct xs_kpi_opts {
    xs_kpi_period period;
    xs_kpi_by by;
    const char *from;  /* "YYYY-MM-DD" or NULL: the earliest subscription start,
                          order, return or offer; rounded down to its period's
                          start */
    const char *to;    /* "YYYY-MM-DD" or NULL: the data end (latest
                          subscription start, order, return, usage point, event
                          or offer); the last period is measured at this day */
    double cac_multiple;        /* 0: 5 (the 1:5 rule) */
    const char *cac;            /* acquisition cost per new customer (decimal in
                                   the store currency) or NULL */
    const char *retention_cost; /* cost of retaining / expanding one existing
                                   customer (decimal) or NULL */
    int save_days;              /* downsell save horizon N in days; 0: 90 */
} xs_kpi_opts;

/** One period (and group) of KPIs. Money is int64 minor units; `arr_*` and
 *  `*_arr` fields are exact annual amounts (monthly-billed x 12 + yearly-billed),
 *  `mrr_*` fields are ARR / 12 rounded half away from zero. Ratios are NaN
 *  where undefined or not applicable; money that is undefined (arpa, arpu,
 *  ltv, costs) is -1; fields of KPIs that do not apply to the breakdown are
 *  0 / NaN / -1, and has_revenue / has_orders say which apply. */
typedef struct xs_kpi_row {
    char period[16];    /* "2026-09", "2026-Q3", "2026" */
    char start[11];     /* first day of the period */
    char end[11];       /* the day its end is measured at (last day, or --to) */
    const char *group;  /* breakdown value (borrowed); "" without one */
    int has_revenue;    /* subscription KPIs apply (not by channel / kind) */
    int has_orders;     /* order KPIs apply (none, segment, industry, size) */
    /* revenue, measured at the end of the day before `start` and at `end` */
    long long customers_start, customers_end; /* with MRR > 0 */
    int64_t arr_start, arr_end;
    int64_t new_arr, expansion_arr, contraction_arr, churned_arr, reactivation_arr;
    long long n_new, n_expanded, n_contracted, n_churned, n_reactivated;
    int64_t cohort_arr_end; /* end ARR of the customers with MRR at the start */
    int64_t mrr_start, mrr_end, new_mrr, expansion_mrr, contraction_mrr, churned_mrr,
        reactivation_mrr, net_new_mrr;
    double mrr_growth;   /* (mrr_end - mrr_start) / mrr_start */
    double nrr, grr;     /* cohort net / gross revenue retention */
    double logo_churn_rate, revenue_churn_rate;
    long long seats_end; /* licensed seats of the customers with MRR at the end */
    int64_t arpa, arpu, ltv; /* ltv: -1 when undefined (no revenue churn) */
    /* orders */
    long long buyers, repeat_buyers;
    double repeat_purchase_rate;
    /* upsell */
    long long upsold;
    double upsell_rate;
    /* offers (counted in the period they were sent) */
    long long active_customers; /* MRR > 0 at the start or the end */
    long long offers, accepted, declined, ignored, pending;
    double decline_rate, offers_per_customer_month;
    long long cross_sell_proposed, cross_sell_accepted;
    double cross_sell_conversion;
    long long downsell_offers, downsell_measured, downsell_saved;
    double downsell_save_rate;
    /* the 1:5 rule */
    double equiv_new_customers;
    int64_t new_business_cost, expansion_cost; /* -1 without --cac / --retention-cost */
    /* order revenue and returns (with has_orders; docs/kpi.md "Returns"):
     * the lines of the orders and the customers' returns dated in the period */
    int64_t order_revenue;     /* gross: sum of the order line amounts */
    long long returns;         /* return lines */
    int64_t returned_amount;   /* sum of their amounts (>= 0) */
    int64_t net_order_revenue; /* order_revenue - returned_amount (may be < 0) */
    double return_rate;        /* returned_amount / order_revenue; NaN when that is 0 */
} xs_kpi_row;

/** Result of xs_kpi_compute(). Opaque. */
typedef struct xs_kpi_result xs_kpi_result;

/**
 * Computes the KPIs of a snapshot per period (and group): MRR / ARR and its
 * movement ledger (new, expansion, contraction, churn, reactivation), NRR,
 * GRR, churn rates, ARPA, ARPU, LTV, repeat-purchase rate, upsell rate,
 * cross-sell conversion, downsell save rate, offer pressure, the 1:5 rule and
 * order revenue net of returns.
 * Rows are period by period; within a period groups by label (bytewise).
 * Integer arithmetic on minor units, fixed summation order: the same
 * snapshot and options give the same result on every run.
 * @code
 *   xs_kpi_opts o = {.period = XS_KPI_QUARTER, .by = XS_KPI_BY_SEGMENT};
 *   xs_kpi_result *r;
 *   if (xs_kpi_compute(snap, &o, &r, &e) == XS_OK) {
 *       const xs_kpi_row *row = xs_kpi_result_row(r, 0);
 *       printf("%s %s NRR %.4f\n", row->period, row->group, row->nrr);
 *   }
 *   xs_kpi_result_free(r);
 * @endcode
 * @param snap the snapshot (borrowed; the result refers to its strings, so
 *             free the result first)
 * @param out  caller frees with xs_kpi_result_free()
 * @return XS_OK; XS_EINVAL (a bad date, from > to, a bad amount, bad
 *         options: err's param names the option, e.g. "from");
 *         XS_ERANGE (more than 10000 periods); XS_ENOMEM
 */
int xs_kpi_compute(const xs_snapshot *snap, const xs_kpi_opts *o, xs_kpi_result **out,
                   xs_error *err);
/** @return the number of rows */
size_t xs_kpi_result_n_rows(const xs_kpi_result *r);
/** @return row i (borrowed, valid until xs_kpi_result_free()) */
const xs_kpi_row *xs_kpi_result_row(const xs_kpi_result *r, size_t i);
/**
 * Fills an empty table with the rows: money as decimals of the store's
 * currency, ratios with 4 fraction digits, empty cells where undefined.
 * @return XS_OK or XS_ENOMEM
 */
int xs_kpi_result_table(const xs_kpi_result *r, xs_table *t);
/**
 * The same cells transposed, for people: one row per KPI (column "kpi"), one
 * column per period ("2026-09", or "2026-09 smb" with a breakdown).
 * @return XS_OK or XS_ENOMEM
 */
int xs_kpi_result_table_by_kpi(const xs_kpi_result *r, xs_table *t);
/** Frees the result; NULL is fine. */
void xs_kpi_result_free(xs_kpi_result *r);

/* ====================================================================== */
/* Catalog check (src/offer/catalog.c): ladders the offer engine can use  */
/* ====================================================================== */
/* (section owned by the catalog check; docs/offers.md "Catalog check") */

/* What a finding is about, in report order within a family. */
typedef enum xs_catalog_code {
    XS_CATALOG_TIER_CHEAPER = 0, /* a higher tier costs less than the tier below */
    XS_CATALOG_TIER_LIMIT_LOWER, /* a higher tier has a lower limit of a metric */
    XS_CATALOG_TIER_GAP,         /* a tier number is missing between two tiers */
    XS_CATALOG_TIER_DUPLICATE,   /* two plans share a tier and a billing */
    XS_CATALOG_ADDON_ABOVE_PLAN, /* an add-on costs more than the cheapest plan */
    XS_CATALOG_UNREACHABLE,      /* a paid plan / add-on no trigger can offer */
    XS_CATALOG_N_CODES
} xs_catalog_code;

/* One finding; strings borrowed, valid until xs_catalog_report_free(). */
typedef struct xs_catalog_finding {
    xs_catalog_code code;
    const char *code_name; /* "tier_cheaper", "tier_limit_lower", "tier_gap",
                            * "tier_duplicate", "addon_above_plan", "unreachable" */
    const char *family;    /* "" when the product has none */
    const char *product;   /* the product the finding is about */
    const char *other;     /* the product it is compared with, "" when none */
    const char *message;   /* plain English, names both products and the numbers */
} xs_catalog_finding;

typedef struct xs_catalog_report xs_catalog_report;

/**
 * Checks the product catalogue of a snapshot the way the offer engine reads
 * it (src/offer/candidates.c): per family and billing (month, year; once is
 * not a ladder) the plans by tier must rise in price and in every limit both
 * tiers name, tiers must be consecutive and unique; an add-on must not cost
 * more than the cheapest paid plan of its family with the same billing; and
 * every paid plan or add-on must be reachable by some trigger (definition in
 * docs/offers.md, "Catalog check"). Prices are compared per month (a year's
 * price / 12). Findings are warnings: a catalogue is the user's decision.
 * Order: by family name, then code, then product id.
 * @param s   the snapshot (borrowed)
 * @param out set to the report; caller frees with xs_catalog_report_free()
 * @return the number of findings (>= 0), or XS_ENOMEM
 * @code
 *   xs_catalog_report *r; xs_catalog_finding f;
 *   if (xs_catalog_check(snap, &r, &e) < 0) ...;
 *   for (size_t i = 0; i < xs_catalog_report_n(r); i++) {
 *       xs_catalog_report_get(r, i, &f);
 *       printf("warning: %s\n", f.message);
 *   }
 *   xs_catalog_report_free(r);
 * @endcode
 */
int xs_catalog_check(const xs_snapshot *s, xs_catalog_report **out, xs_error *err);

/**
 * xs_catalog_check() on a snapshot of the store loaded for the purpose (and
 * freed before returning).
 * @return the number of findings, or the error of xs_snapshot_load()
 */
int xs_catalog_check_store(xs_store *st, xs_catalog_report **out, xs_error *err);

/** Number of findings. */
size_t xs_catalog_report_n(const xs_catalog_report *r);
/** Products and families checked (for a summary line). */
void xs_catalog_report_counts(const xs_catalog_report *r, size_t *n_products,
                              size_t *n_families);
/** Finding i (< xs_catalog_report_n) into *out. */
void xs_catalog_report_get(const xs_catalog_report *r, size_t i, xs_catalog_finding *out);
/** Name of a code ("tier_cheaper", ...); NULL when out of range. */
const char *xs_catalog_code_name(xs_catalog_code c);
/** Frees the report; NULL is fine. */
void xs_catalog_report_free(xs_catalog_report *r);

/* ====================================================================== */
/* Offer engine (src/offer): candidates, value, guardrails, explanation   */
/* ====================================================================== */
/* (section owned by the offer module) */

/*
 * The next best offers of every customer, computed on the fly from a
 * snapshot (docs/offers.md has the rules, defaults, formulas, ranking and
 * tie-breaking). xs_offer_engine_new() does the work shared by all
 * customers once (health scores, association rules over adoption sets and
 * orders, adoption lags, the propensity model fitted on the offers
 * history, response rates by segment and channel); xs_offer_decide() then
 * decides one customer in microseconds without allocating: candidates
 * (upsell, cross-sell, downsell), P(accept), value and expected value,
 * guardrails, ranking, timing, channel and a bilingual explanation.
 */

typedef enum xs_offer_kind {
    XS_OFFER_UPSELL = 0,
    XS_OFFER_CROSS_SELL,
    XS_OFFER_DOWNSELL,
    XS_OFFER_N_KINDS
} xs_offer_kind;

/* What made a candidate. */
typedef enum xs_offer_trigger {
    XS_TRIG_USAGE = 0,   /* upsell: a plan limit used >= usage_high (next tier) */
    XS_TRIG_SEATS,       /* upsell: seats >= usage_high, more seat packs */
    XS_TRIG_RENEWAL,     /* upsell: renewal within renewal_days, well used */
    XS_TRIG_TERM,        /* upsell: a longer term (1 or 3 -> 12 -> 24 -> 36
                            months) at a lower monthly price */
    XS_TRIG_ADDON,       /* upsell: an add-on option of the held plan */
    XS_TRIG_SHOP_UPGRADE,/* upsell: the next tier of a shop product's family
                            (size / model ladder) after a recent purchase */
    XS_TRIG_ADOPTION,    /* cross-sell: rule over adoption sets + timing */
    XS_TRIG_PURCHASE,    /* cross-sell: rule over orders after a recent purchase */
    XS_TRIG_RENEWED,     /* cross-sell: adoption rule right after a renewal decision */
    XS_TRIG_CART,        /* cross-sell: rule over orders for an item in the cart */
    XS_TRIG_SIMILAR,     /* cross-sell: item-to-item similarity (cosine over
                            orders) to an item in the cart or bought recently */
    XS_TRIG_BUNDLE,      /* cross-sell: the missing items of a frequent itemset
                            (bundle) partly bought recently or in the cart */
    XS_TRIG_LOW_USAGE,   /* downsell: utilisation < usage_low for low_days */
    XS_TRIG_CHURN_RISK,  /* downsell: P(churn) >= churn_high */
    XS_TRIG_CANCEL,      /* downsell: a cancel_request within cancel_days */
    XS_TRIG_RETENTION_ADDON, /* upsell kind, retention side: a customer at risk
                            (docs/offers.md "Retention") is offered a
                            protective add-on whose holders churn measurably
                            less in the store's own history */
    XS_TRIG_N
} xs_offer_trigger;

/* Guardrails, in the order they are checked (the first that stops a
 * candidate is its reason). XS_GUARD_NONE: offered. */
typedef enum xs_offer_guard {
    XS_GUARD_NONE = 0,
    XS_GUARD_HOLDOUT,       /* the customer is in the holdout arm of a running
                               experiment of the offer's kind */
    XS_GUARD_SUBSTITUTE,    /* a shop cross-sell that is a substitute of a
                               purchase of the last subst_days (docs/offers.md) */
    XS_GUARD_PRICE_BAND,    /* a shop cross-sell above band_ratio x the customer's
                               largest past order line without lift >= band_lift */
    XS_GUARD_CRITICAL_CASE, /* an open severity-1 ticket */
    XS_GUARD_CONSENT,       /* no consented channel */
    XS_GUARD_HEALTH,        /* upsell / cross-sell below min_health; a customer
                               of segment unknown by unknown_gate */
    XS_GUARD_DECLINED,      /* the same product declined within declined_days */
    XS_GUARD_FREQUENCY,     /* max_contacts offers already sent within contact_days */
    XS_GUARD_NO_VALUE,      /* expected value <= 0 */
    XS_GUARD_CONFLICT,      /* an upsell and a downsell at once: the weaker side */
    XS_GUARD_LIMIT,         /* ranked below the per-customer limit (or a better
                               offer for the same product family) */
    XS_GUARD_NO_BENEFIT,    /* no benefit for the customer: a term change
                               that saves nothing (saving < one minor unit a
                               year) or a downsell that does not cut the price */
    XS_GUARD_NOT_AT_RISK,   /* a downsell or retention offer to a customer with
                               no cancel request and P(churn) below the risk
                               threshold (churn_high, or the retention_share cut) */
    XS_GUARD_LOW_USAGE_UPSELL, /* an upsell of a family whose usage stayed below
                               usage_low of capacity for low_days (only where
                               the store has usage data) */
    XS_GUARD_NEGATIVE_UPLIFT, /* the offer's kind is valued by uplift (a
                               qualifying holdout experiment) and the
                               customer's predicted uplift is < 0: the
                               contact would lower the outcome */
    XS_GUARD_N
} xs_offer_guard;

/* Engine settings; xs_offer_config_init() sets the documented defaults,
 * xs_offer_config_set() changes them by name. */
typedef struct xs_offer_config {
    double usage_high;       /* 0.90: usage / limit that triggers an upsell */
    double usage_low;        /* 0.40: utilisation under which ... */
    double low_days;         /* 60: ... for this many days triggers a downsell */
    double renewal_days;     /* 60: a renewal this near triggers an upsell */
    double renewal_usage;    /* 0.70: utilisation needed for the renewal upsell */
    double term_min_days;    /* 90: plan held this long before a longer term */
    double lead_days;        /* 30: offers tied to a renewal are sent this early */
    double cancel_days;      /* 60: cancel_request this recent is a signal */
    double churn_high;       /* 0.50: P(churn) that triggers a downsell */
    double horizon_months;   /* 12: revenue change is measured over this */
    double min_health;       /* 50: upsell / cross-sell need this health (0-100) */
    double max_contacts;     /* 2: offers per customer per contact_days ... */
    double contact_days;     /* 30 */
    double declined_days;    /* 90: no repeat of a declined product */
    double max_offers;       /* 2: offers per customer per decision */
    double min_confidence;   /* 0.05: association rules kept */
    double min_lift;         /* 1.2 */
    double min_support;      /* 0.001 */
    double recent_days;      /* 30: a purchase this recent triggers cross-sells */
    double rules_per_item;   /* 3: cross-sells per held item (best confidence) */
    double onboarding_days;  /* 60: growth offers wait for onboarding_done or this */
    double prior_strength;   /* 20: pseudo-count of the prior in the model */
    double customer_strength;/* 4: pseudo-count of the model in a customer's own rate */
    double min_history;      /* 30: decided offers needed to fit the model */
    double churn_model;      /* 0 (default): the built-in P(churn) estimate;
                                1: the churn module's store-history model
                                (XGBoost, trained on the snapshot: slower) */
    /* relevance of shop offers (src/offer/relevance.c, docs/offers.md) */
    double subst_days;       /* 90: no substitute of a purchase this recent */
    double subst_lift;       /* 1.2: same family / category products whose buyers
                                overlap less than this (volume-adjusted lift) ... */
    double subst_price_ratio;/* 2: ... at a similar price (dearer <= this x
                                cheaper) are substitutes */
    double band_ratio;       /* 5: a shop cross-sell dearer than this x the largest
                                past order line ... */
    double band_lift;        /* 3: ... needs a rule lift >= this */
    double bundle_lift;      /* 2: bundles: lift of each item given the rest */
    double rank_order;       /* 1: shop cross-sells and cart placements are
                                ordered by the personal ranking model (xs_rank,
                                docs/evaluate.md); 0: by the evidence's
                                confidence x lift (cart: its probability) */
    /* retention (docs/offers.md "Retention") */
    double retention_share;  /* 0: at risk = P(churn) >= churn_high; s > 0: also
                                the top s share of active customers by P(churn)
                                (a caller's churn_p or the churn model only) */
    double retention_min_n;  /* 30: holders and non-holders needed to judge a
                                protective add-on */
    double retention_gap;    /* 0.05: holders' churn rate must be lower by this
                                much and by 2 standard errors */
    double unknown_gate;     /* the health gate for customers of segment unknown
                                (too little data, docs/scores.md):
                                0 (default): no upsell / cross-sell, downsells
                                and retention offers allowed; 1: as anyone
                                else (the health over the components with
                                data against min_health); 2: no offer at all */
    /* exploration (src/offer/explore.c, docs/replay.md): how each slot's
     * offer is chosen among the candidates the guardrails let through */
    double control_share;    /* share of slots chosen uniformly at random;
                                default -1 = auto: 0.02 when the decision is
                                logged (recommend --log, serve
                                --log-decisions), else 0 */
    double epsilon_upsell;   /* 0: epsilon-greedy share per kind of the
                                greedy choice (uniform over the eligible) */
    double epsilon_cross_sell;
    double epsilon_downsell;
    double thompson_upsell;  /* 0; 1: Thompson sampling for candidates of
                                that kind (P(accept) drawn from
                                Beta(p m, (1 - p) m), m = the evidence) */
    double thompson_cross_sell;
    double thompson_downsell;
    double explore_seed;     /* 0: seed of the exploration's random draws
                                (with customer id and decision day) */
    /* uplift (src/offer/uplift_src.c, docs/offers.md "Uplift"): a kind
     * with randomised evidence in the store is valued by uplift */
    double uplift;           /* 1: use a qualifying holdout experiment of the
                                kind; 0: P(accept) x value everywhere */
    double uplift_min_n;     /* 1000: units needed in the holdout arm and in
                                the treated arms */
    double uplift_min_days;  /* 30: days from the experiment's start to the
                                end of its window (its end, or as_of) */
    double cost_email;       /* contact cost per channel (currency units),   */
    double cost_in_app;      /* subtracted from uplift x value: 0, 0, 50, 5, */
    double cost_csm;         /* 0 (a CSM meeting, a webinar seat); not used  */
    double cost_webinar;     /* for offers valued by P(accept)               */
    double cost_sns;
    const double *churn_p;   /* optional P(churn) per customer (snapshot order,
                                NaN: unknown), e.g. from the churn model;
                                NULL: the built-in estimate (borrowed) */
} xs_offer_config;

/** Sets the defaults listed in xs_offer_config. */
void xs_offer_config_init(xs_offer_config *c);

/**
 * Changes settings by field name from "name=value,name=value"
 * (e.g. "min_health=60,max_offers=1"). Values are finite numbers >= 0.
 * On failure *c is unchanged.
 * @return XS_OK, or XS_EINVAL (`unknown name "x"`, `not a number: "abc"`)
 *         with err's column set to option
 */
int xs_offer_config_set(xs_offer_config *c, const char *spec, const char *option,
                        xs_error *err);

/* One candidate offer. Products are snapshot product indexes (-1: none);
 * money in currency units. */
typedef struct xs_offer {
    uint32_t customer;      /* snapshot customer index */
    xs_offer_kind kind;
    xs_offer_trigger trigger;
    int32_t from_product;   /* product replaced or reduced; -1 for a new one */
    int32_t to_product;     /* product proposed; -1 when dropping from_product */
    uint32_t qty_from, qty_to; /* seat packs: quantities */
    uint16_t term_from, term_to; /* term trigger: the plan's term and the one
                                    proposed, in months; 0 otherwise */
    int channel;            /* XS_OFFER channel: 0 email 1 in_app 2 csm 3 webinar 4 sns;
                               -1 when none is consented */
    int32_t timing;         /* day to send (>= as_of; as_of means now) */
    double p_accept;        /* P(accept) */
    double p_prior;         /* the cold-start prior it was shrunk toward */
    double p_churn;         /* the customer's P(churn) */
    double revenue_delta;   /* change in revenue over the horizon */
    double value;           /* revenue_delta, or for a downsell
                               P(churn) x current revenue - price cut */
    double at_stake;        /* downsell and term: the family's current revenue
                               over the horizon; 0 otherwise */
    double ev;              /* p_accept x value; with value_basis
                               XS_VALUE_UPLIFT uplift x value - contact cost */
    xs_offer_guard guard;   /* XS_GUARD_NONE when offered */
    int rank;               /* 1.. among the offered; 0 when suppressed */
    /* numbers the explanation and the evidence quote */
    double used, limit;     /* usage trigger: used and capacity of the metric */
    int metric;             /* snapshot metric code of the trigger, -1 none */
    double support, confidence, lift; /* rule of a cross-sell; for trigger
                                         similar: lift is the cosine similarity,
                                         confidence co-orders / orders of A */
    int32_t rule_from;      /* antecedent product (family plan or shop product) */
    int32_t lag_days;       /* typical adoption lag (median), -1 unknown */
    int32_t days;           /* days since the antecedent / to the renewal */
    /* relevance of shop offers (cross-sell, bundle, shop upgrade) */
    double relevance;       /* what orders shop cross-sells among themselves:
                               confidence x lift of the evidence; 0 otherwise */
    uint32_t share_n, base_n; /* the evidence's share: share_n of base_n
                                 customers (adoption) or orders (cart, purchase,
                                 similar, bundle) with rule_from also have it */
    double band_hi;         /* the customer's largest past order line (currency
                               units); 0 when none */
    int32_t subst_of;       /* the recent purchase it is a substitute of, -1 */
    int32_t also[2];        /* bundle: the further missing items, -1 none */
    double discount;        /* bundle: the declared discount (currency units) */
    /* where p_prior comes from (XS_PRIOR_*) and its base: prior_k of prior_n
       similar customers took it up (uptake); 0 otherwise */
    int prior_src;
    uint32_t prior_k, prior_n;
    /* retention_addon: churned / customers among the plan's holders with and
       without the add-on in the store's history */
    uint32_t churn_with, n_with, churn_without, n_without;
    int retention;          /* 1: a retention offer (the customer is at risk) */
    double propensity;      /* offered ones: the probability with which the
                               policy chose it for its slot (1: greedy
                               without exploration); 0 when suppressed */
    /* uplift (docs/offers.md "Uplift"): with value_basis XS_VALUE_UPLIFT,
       ev = uplift x value - the channel's contact cost */
    int value_basis;        /* XS_VALUE_PROPENSITY (0) or XS_VALUE_UPLIFT */
    double uplift;          /* predicted uplift of the outcome of the kind
                               (expanded; retained for downsells and retention
                               offers); meaningful with XS_VALUE_UPLIFT only */
} xs_offer;

/* What an offer's expected value is based on (xs_offer.value_basis). */
enum {
    XS_VALUE_PROPENSITY = 0, /* P(accept) x value */
    XS_VALUE_UPLIFT = 1      /* uplift x value - contact cost */
};
/** "propensity" / "uplift". */
const char *xs_offer_value_basis_name(int basis);

/* Sources of an offer's cold-start prior (xs_offer.prior_src). */
enum {
    XS_PRIOR_TRIGGER = 0, /* the trigger's constant (docs/offers.md) */
    XS_PRIOR_RULE,        /* the association rule's confidence */
    XS_PRIOR_UPTAKE,      /* uptake among similar customers (same plan, tenure band) */
    XS_PRIOR_CHURN,       /* the customer's churn risk (retention offers) */
    XS_PRIOR_N
};

/** The engine: shared, read-only state over one snapshot. Opaque. */
typedef struct xs_offer_engine xs_offer_engine;

/**
 * Builds the engine for a snapshot as of a date.
 * @param s     the snapshot (borrowed; must outlive the engine)
 * @param c     settings (copied; churn_p stays borrowed); NULL: defaults
 * @param as_of "YYYY-MM-DD"; NULL: the latest dated activity (see
 *              xs_customer_scores_compute())
 * @param out   caller frees with xs_offer_engine_free()
 * @return XS_OK, XS_EINVAL (bad as_of: param "as_of"; empty snapshot),
 *         XS_ENOMEM
 * @code
 *   xs_offer_engine *en; xs_offer o[32];
 *   if (xs_offer_engine_new(snap, NULL, NULL, &en, &e) < 0) ...;
 *   long c = xs_offer_engine_find(en, "C00000001");
 *   int n = xs_offer_decide(en, (uint32_t)c, o, 32);
 *   xs_offer_engine_free(en);
 * @endcode
 */
int xs_offer_engine_new(const xs_snapshot *s, const xs_offer_config *c,
                        const char *as_of, xs_offer_engine **out, xs_error *err);
/** Frees the engine; NULL is fine. */
void xs_offer_engine_free(xs_offer_engine *en);
/** @return the customer index of an id, or XS_ENOTFOUND */
long xs_offer_engine_find(const xs_offer_engine *en, const char *customer_id);
/** @return the number of customers */
size_t xs_offer_engine_n_customers(const xs_offer_engine *en);
/** @return the as_of day used, "YYYY-MM-DD" into buf */
const char *xs_offer_engine_as_of(const xs_offer_engine *en, char buf[11]);

#define XS_OFFER_MAX_CANDIDATES 64

/**
 * Decides one customer: every candidate, valued, checked against the
 * guardrails and ranked. out receives the offered ones first (rank 1, 2,
 * ...), then the suppressed ones (by guard, then expected value), at most
 * cap (XS_OFFER_MAX_CANDIDATES holds all). Thread-safe (the engine is
 * read-only); no allocation.
 * @return the number of candidates written
 */
int xs_offer_decide(const xs_offer_engine *en, uint32_t customer, xs_offer *out,
                    size_t cap);

/**
 * Like xs_offer_decide(), with a cart: the products in it (snapshot product
 * indexes, see xs_offer_engine_find_product()) are treated as being bought
 * now — their order rules give cross-sells (trigger cart) and they are
 * never proposed themselves.
 * @return the number of candidates written
 */
int xs_offer_decide_cart(const xs_offer_engine *en, uint32_t customer,
                         const uint32_t *cart, size_t n_cart, xs_offer *out, size_t cap);
/** @return the product index of an id, or XS_ENOTFOUND */
long xs_offer_engine_find_product(const xs_offer_engine *en, const char *product_id);

/* ---- The cart answer (src/offer/cart.c; docs/offers.md "Cart") ---------- */

/* xs_offer.customer of a cart answer for an anonymous shopper. */
#define XS_OFFER_ANONYMOUS UINT32_MAX

/**
 * What to place next to a cart or on a product page: the one cart answer
 * of `xsell recommend --cart` and POST /v1/cart/recommendations. A placement
 * is not a contact, so the contact policy (health gate, contact caps,
 * declined cooldowns, consent, critical cases, holdouts) does not apply; the
 * relevance rules do: cross-sells from the order rules and item similarity
 * of the cart's items and, for a known customer, of its purchases within
 * recent_days (half weight); never an item in the cart, bought recently or
 * of a family the customer holds; ranked by relevance (p_accept: noisy-OR
 * of the rules' confidences), then product id — never by price.
 * out gets cross-sells (guard none, rank 1.., channel in_app, trigger cart,
 * similar or purchase, rule_from the strongest antecedent).
 * @param customer_id the shopper (borrowed); NULL or an id the snapshot
 *                    does not know: an anonymous shopper (customer
 *                    XS_OFFER_ANONYMOUS, only the cart counts)
 * @param cart product indexes (xs_offer_engine_find_product()); repeats
 *             count once, out-of-range indexes are ignored
 * @return the number written (at most cap), or XS_ENOMEM
 * @code
 *   uint32_t cart[1] = {(uint32_t)xs_offer_engine_find_product(en, "cam")};
 *   xs_offer o[10];
 *   int n = xs_offer_cart(en, "C00000001", cart, 1, o, 10);
 * @endcode
 */
int xs_offer_cart(const xs_offer_engine *en, const char *customer_id, const uint32_t *cart,
                  size_t n_cart, xs_offer *out, size_t cap);
/** Adds the columns of xs_offer_cart_table() to an empty table: customer_id
 *  (empty when anonymous), rank, product, trigger, because (the antecedent
 *  product), probability, confidence, explanation. @return XS_OK, XS_ENOMEM */
int xs_offer_cart_table_columns(xs_table *t);
/** Appends a cart answer as rows. @return XS_OK, XS_ENOMEM, XS_EINVAL (lang
 *  not en / ja) */
int xs_offer_cart_table(const xs_offer_engine *en, const xs_offer *o, size_t n,
                        const char *lang, xs_table *t);

/** @return "upsell", "cross-sell", "downsell" */
const char *xs_offer_kind_name(xs_offer_kind k);
/** @return the trigger's name ("usage", "seats", ...) */
const char *xs_offer_trigger_name(xs_offer_trigger t);
/** @return the guard's name ("critical_case", ...; "" for none) */
const char *xs_offer_guard_name(xs_offer_guard g);
/** @return a channel's name ("email", ...), "" for -1 */
const char *xs_offer_channel_name(int ch);

/**
 * Writes the benefit-first explanation of an offer with the customer's own
 * numbers, in "en" or "ja", into buf (UTF-8, always NUL-terminated).
 * @return buf
 */
const char *xs_offer_explain(const xs_offer_engine *en, const xs_offer *o,
                             const char *lang, char *buf, size_t n);
/** A product's name as the explanations name it: in "ja" its Japanese name
 *  when the catalog has one, else its name, else its id ("" for an index
 *  out of range). @return a string borrowed from the engine's snapshot */
const char *xs_offer_product_name(const xs_offer_engine *en, int32_t product,
                                  const char *lang);
/** Writes the evidence for the CSM (triggering numbers, rule measures,
 *  adoption lag, scores) into buf. @return buf */
const char *xs_offer_evidence(const xs_offer_engine *en, const xs_offer *o, char *buf,
                              size_t n);

/* Why a shop cross-sell is one a merchandiser would not send: the measure
 * of docs/offers.md "Relevance", fixed whatever the settings. */
#define XS_OFFER_BAD_PRICE 1u      /* the product (a bundle: its price) costs more
                                      than 5 x the customer's largest past order
                                      line */
#define XS_OFFER_BAD_SUBSTITUTE 2u /* a substitute of a product the customer bought
                                      in the 90 days up to as_of */
/**
 * The one definition of a bad shop cross-sell, for `xsell evaluate` and
 * tests: a cross-sell (or bundle) of a shop product (kind product) that
 * costs more than 5 x the largest order line the customer had on or before
 * as_of, or that is a substitute (the engine's rule, with its settings) of a
 * product the customer bought in the 90 days up to as_of. Only o->kind,
 * o->customer, o->to_product and o->trigger (with o->also for a bundle) are
 * read, so an offer rebuilt from the output of `xsell recommend` (product
 * column "a + b" for a bundle) can be checked. Thread-safe; no allocation
 * (about 100 KB of stack).
 * @return 0 (not a shop cross-sell, or a good one), else XS_OFFER_BAD_* bits
 */
unsigned xs_offer_bad_cross_sell(const xs_offer_engine *en, const xs_offer *o);
/** @return whether o is a cross-sell or bundle of a shop product (kind
 *  product): the offers xs_offer_bad_cross_sell() judges */
int xs_offer_is_shop_cross_sell(const xs_offer_engine *en, const xs_offer *o);

/** Adds the columns of xs_offer_table() to an empty table. @return XS_OK or XS_ENOMEM */
int xs_offer_table_columns(xs_table *t);

/**
 * Appends offers as rows of a table set up with xs_offer_table_columns():
 * customer_id, rank, kind, product (from -> to), expected_value,
 * probability, revenue_delta, channel, timing ("now" or a date),
 * explanation, evidence, suppressed_by (the guard's name, empty when offered).
 * @param show_suppressed 0: offered ones only
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (lang not en / ja)
 */
int xs_offer_table(const xs_offer_engine *en, const xs_offer *o, size_t n,
                   const char *lang, int show_suppressed, xs_table *t);

/* Totals of deciding every customer. */
typedef struct xs_offer_summary {
    size_t n_customers, n_candidates, n_offered;
    double ev_offered;               /* sum of offered expected value */
    size_t n_suppressed[XS_GUARD_N]; /* per guard ([0]: unused) */
    double ev_held[XS_GUARD_N];      /* expected value held back per guard */
    size_t n_kind[XS_OFFER_N_KINDS]; /* offered per kind */
    unsigned uplift_kinds;           /* bit k: a candidate of kind k was valued
                                        by uplift (the summary table lists the
                                        negative_uplift guard only then) */
} xs_offer_summary;

/** Called for every customer with its decided candidates (borrowed for the
 *  call). Return 0 to go on, a negative XS_E* code to stop. */
typedef int (*xs_offer_fn)(void *ctx, uint32_t customer, const xs_offer *o, size_t n);

/**
 * Decides every customer, on n_threads threads (1: the caller's; each a
 * contiguous block, totals merged in block order), filling *sum. With fn
 * (not NULL) it runs on the caller's thread only and calls fn for every
 * customer in order.
 * @return XS_OK, fn's code, XS_ENOMEM
 */
int xs_offer_decide_all(const xs_offer_engine *en, int n_threads, xs_offer_fn fn,
                        void *ctx, xs_offer_summary *sum);

/**
 * Writes the offers of every customer as xs_offer_table() rows in CSV or
 * JSON (byte for byte xs_table_write() of one table over all customers in
 * order) without holding them all: n_threads workers decide and render
 * blocks of 4,096 customers, the caller's thread writes them in order.
 * Fills *sum (totals merged block by block in customer order, so the same
 * for any thread count).
 * @return XS_OK, XS_EINVAL (fmt is the aligned table; lang not en / ja),
 *         XS_EIO (out failed), XS_ENOMEM
 */
int xs_offer_write_all(const xs_offer_engine *en, int n_threads, const char *lang,
                       int show_suppressed, xs_format fmt, FILE *out,
                       xs_offer_summary *sum, xs_error *err);

/** Fills an empty table with the guardrail summary: guard, candidates,
 *  expected_value: first "offered" (EV offered), then one row per guard
 *  (suppressed count, EV held back). @return XS_OK, XS_ENOMEM */
int xs_offer_summary_table(const xs_offer_summary *sum, xs_table *t);

/** Fills an empty table with the uplift evidence, one row per kind: kind,
 *  basis (uplift / propensity), experiment, outcome, window, treated,
 *  holdout, scored, negative, mean_uplift (xs_offer_engine_uplift(); the
 *  last seven empty for a kind valued by propensity). @return XS_OK,
 *  XS_ENOMEM */
int xs_offer_uplift_table(const xs_offer_engine *en, xs_table *t);

/**
 * Target list: customers ranked by the total expected value of their
 * offered offers (ties: customer_id), those with none left out. Columns:
 * rank, customer_id, expected_value, offers, top_offer, ltv, segment (the
 * customer's segment column), size, maturity (active product families
 * held), health and loyalty (the health segment: champion, loyal, ...).
 * @param limit at most this many rows; 0: all
 * @param sum   optional (NULL): filled with the guardrail totals of the same
 *              pass over every customer, as xs_offer_decide_all() with
 *              n_threads would (up to 16 threads; 1 below 1000 customers)
 * @return XS_OK, XS_ENOMEM
 */
int xs_offer_targets(const xs_offer_engine *en, int n_threads, size_t limit,
                     xs_table *t, xs_offer_summary *sum);

/* One row of the ranked target list: a customer with offered offers
 * (fixed layout: it is stored as is in model files). */
typedef struct xs_target {
    uint32_t customer;   /* customer index */
    uint32_t n_offers;   /* offered offers */
    double ev;           /* their total expected value */
    int32_t top_product; /* product of the first offered offer */
    int32_t top_kind;    /* its xs_offer_kind */
} xs_target;

/**
 * The ranking behind xs_offer_targets(): every customer decided (n_threads
 * as there), those with an offered offer ranked by expected value (ties:
 * customer index).
 * @param out caller frees with xs_targets_free()
 * @param sum optional (NULL): the guardrail totals of the same pass
 * @return XS_OK, XS_ENOMEM
 */
int xs_offer_targets_rank(const xs_offer_engine *en, int n_threads, xs_target **out,
                          size_t *n, xs_offer_summary *sum);
/** Frees a ranking of xs_offer_targets_rank(); NULL is fine. */
void xs_targets_free(xs_target *t);
/**
 * Renders rows [offset, offset + limit) of a ranking (limit 0: to the end)
 * into an empty table, the columns of xs_offer_targets() (rank counts from
 * offset + 1). @return XS_OK, XS_ENOMEM
 */
int xs_offer_targets_page(const xs_offer_engine *en, const xs_target *rows, size_t n,
                          size_t offset, size_t limit, xs_table *t);

/* ---- The global plan under capacity (src/offer/plan*.c; docs/plan.md) --- */

/*
 * Assigns offers to every customer at once to maximise the total expected
 * value under capacities (CSM meetings per owner, channel budgets, product
 * volume limits) for one period, with the shadow price of each capacity,
 * next to today's greedy per-customer ranking under the same constraints.
 */

typedef enum xs_plan_solver {
    XS_PLAN_AUTO = 0, /* mip up to exact_max candidates, else lagrange */
    XS_PLAN_LAGRANGE, /* Lagrangian relaxation + repair */
    XS_PLAN_LP,       /* GLPK simplex on the LP relaxation + repair */
    XS_PLAN_MIP       /* GLPK branch and bound (exact within time_limit_ms) */
} xs_plan_solver;

typedef struct xs_plan_opts {
    const char *capacity;  /* the spec: "csm=8/owner, email=5000,
                              product:crm-pro=50" (docs/plan.md); entries
                              separated by commas or new lines, '#' comments */
    const char *source;    /* name in errors ("capacity", or a file name) */
    int days;              /* 7: the period the capacities are for; offers
                              due later are not planned */
    xs_plan_solver solver; /* XS_PLAN_AUTO */
    int max_iter;          /* 2000: subgradient iterations of the first round */
    int exact_max;         /* 2000: auto uses mip up to this many candidates */
    int time_limit_ms;     /* 60000: mip stops searching after this and keeps
                              the best integer plan found (or rounds the LP);
                              0: no limit */
    int n_threads;         /* 2: threads deciding the candidates (1..16; 1
                              below 1,000 customers) */
} xs_plan_opts;

/** Sets the defaults listed in xs_plan_opts (capacity NULL). */
void xs_plan_opts_init(xs_plan_opts *o);
/** @return "auto", "lagrange", "lp" or "mip" */
const char *xs_plan_solver_name(xs_plan_solver s);
/** @return XS_OK, or XS_EINVAL for a name not of xs_plan_solver_name() */
int xs_plan_solver_parse(const char *s, xs_plan_solver *out);

/* Totals of a plan. */
typedef struct xs_plan_totals {
    size_t n_customers;         /* in the snapshot */
    size_t n_planned_customers; /* with at least one candidate */
    size_t n_candidates, n_assigned, n_greedy;
    size_t n_reached;    /* customers given at least one offer by the plan */
    double value;        /* the plan's total expected value */
    double greedy_value; /* today's greedy under the same capacities */
    double bound;        /* upper bound on any plan (LP relaxation) */
    int optimal;         /* 1: value proven optimal (= bound, or mip) */
    int iterations;
    xs_plan_solver solver; /* the one used (auto resolved) */
    int days;
    double seconds_candidates, seconds_greedy, seconds_plan;
} xs_plan_totals;

typedef struct xs_plan xs_plan;

/**
 * Plans every customer of the engine.
 * @param en  borrowed; must outlive the plan
 * @param o   options (copied); NULL: defaults (then capacity is missing)
 * @param out caller frees with xs_plan_free()
 * @return XS_OK; XS_EINVAL with err located at SOURCE:ENTRY for a bad spec
 *         (`capacity:3: unknown channel: "fax"`), or GLPK's failure;
 *         XS_ENOMEM
 * @code
 *   xs_plan_opts o; xs_plan *pl;
 *   xs_plan_opts_init(&o); o.capacity = "csm=8/owner,email=5000";
 *   if (xs_plan_compute(en, &o, &pl, &e) < 0) ...;
 *   printf("%.2f\n", xs_plan_totals_of(pl)->value);
 *   xs_plan_free(pl);
 * @endcode
 */
int xs_plan_compute(const xs_offer_engine *en, const xs_plan_opts *o, xs_plan **out,
                    xs_error *err);
/** Checks a capacity spec against snapshot s (its products) without
 *  planning: the errors of xs_plan_compute(). @return XS_OK, XS_EINVAL,
 *  XS_ENOMEM */
int xs_plan_capacity_check(const xs_snapshot *s, const char *spec, const char *source,
                           xs_error *err);
/** Frees a plan; NULL is fine. */
void xs_plan_free(xs_plan *pl);
/** @return the totals (borrowed, valid until xs_plan_free) */
const xs_plan_totals *xs_plan_totals_of(const xs_plan *pl);
/** Fills an empty table with one row per capacity constraint: constraint,
 *  owner (per-owner ones), capacity, used, greedy_used, shadow_price (value
 *  per unit of capacity). @return XS_OK or XS_ENOMEM */
int xs_plan_constraints_table(const xs_plan *pl, xs_table *t);
/** Fills an empty table with the totals as one row: customers,
 *  planned_customers, reached (customers given an offer), candidates,
 *  assigned, value, greedy_assigned,
 *  greedy_value, gain, gain_pct, bound, gap_pct (of the bound), optimal
 *  (0/1), solver, iterations, days, seconds_candidates, seconds_greedy,
 *  seconds_plan. @return XS_OK or XS_ENOMEM */
int xs_plan_totals_table(const xs_plan *pl, xs_table *t);
/** Fills an empty table with the assignment: customer_id, product, kind,
 *  channel, owner, timing, expected_value, engine_rank (0: held back by the
 *  engine's limit), greedy (1: today's greedy sends it too).
 *  @param customer_id one customer's rows; NULL: every customer
 *  @return XS_OK, XS_ENOTFOUND (unknown customer), XS_ENOMEM */
int xs_plan_assignment_table(const xs_plan *pl, const char *customer_id, xs_table *t);
/**
 * Writes the plan as `xsell plan` prints it (plan_report.c): in table
 * format the totals against the greedy ranking and the constraints with
 * their shadow prices; in JSON {totals, constraints, assignment}; in CSV
 * the assignment.
 * @param customer_id JSON and CSV: one customer's assignment; NULL: all
 * @return XS_OK, XS_ENOTFOUND (unknown customer), XS_ENOMEM or XS_EIO
 * @code
 *   xs_plan_write(pl, NULL, stdout, XS_FORMAT_TABLE);
 * @endcode
 */
int xs_plan_write(const xs_plan *pl, const char *customer_id, FILE *out, xs_format fmt);

/**
 * Stores the plan as the store's latest (`xsell build --capacity`, read by
 * GET /v1/plan): its summary {"totals": [row], "constraints": [rows]} and
 * each customer's assignment rows as JSON, in one transaction.
 * @param capacity the spec as given (stored for the record)
 * @return XS_OK, XS_EDB, XS_ENOMEM
 */
int xs_plan_save(xs_store *st, const xs_plan *pl, const char *capacity, xs_error *err);

/* One customer's stored assignment (a JSON array of assignment rows). */
typedef struct xs_plan_stored_row {
    const char *customer_id, *assignment;
} xs_plan_stored_row;

/** Replaces the stored plan (src/store/plans.c): built_at, as_of, the
 *  capacity spec, the summary JSON and the rows, all copied; one
 *  transaction. @return XS_OK or XS_EDB */
int xs_store_plan_put(xs_store *st, const char *built_at, const char *as_of,
                      const char *capacity, const char *summary,
                      const xs_plan_stored_row *rows, size_t n, xs_error *err);
/** The stored plan: built_at, as_of, capacity and summary (caller frees
 *  the last two with xs_store_plan_free()). @return 1 found, 0 none,
 *  XS_EDB, XS_ENOMEM */
int xs_store_plan_get(xs_store *st, char built_at[21], char as_of[11], char **capacity,
                      char **summary, xs_error *err);
/** One customer's stored assignment (caller frees with xs_store_plan_free()).
 *  @return 1 found, 0 none (not planned), XS_EDB, XS_ENOMEM */
int xs_store_plan_customer(xs_store *st, const char *customer_id, char **assignment,
                           xs_error *err);
/** Frees text of xs_store_plan_get / _customer; NULL is fine. */
void xs_store_plan_free(char *s);

/*
 * Build and closing the loop (src/offer/model_io.c, src/store/offers_log.c;
 * docs/offers.md "Build" and "Closing the loop"). `xsell build` stores the
 * fitted propensity model with its as-of day in the store's builds table;
 * the engine then uses it instead of fitting when the decision is as of the
 * same day. Offers shown can be logged into the offers table (outcome
 * pending) and their outcomes recorded later; the snapshot reads them back,
 * so the guardrails and the next build see them.
 */

/**
 * Builds the engine like xs_offer_engine_new(), with the propensity model
 * of the store's latest build when its as-of day is the decision's
 * (evidence then ends with "; model built <day>"), else fitted on the fly
 * (evidence "; model fitted, build is as of <day>").
 * @return as xs_offer_engine_new(), or XS_ENOTFOUND when the store was
 *         never built (`store was never built: run 'xsell build --db
 *         FILE'`), XS_EDB, XS_EPARSE (a damaged stored model)
 */
int xs_offer_engine_open(xs_store *st, const xs_snapshot *s, const xs_offer_config *c,
                         const char *as_of, xs_offer_engine **out, xs_error *err);

/** What xs_offer_build() did. */
typedef struct xs_offer_build_info {
    char as_of[11];                  /* the build's as-of day */
    char built_at[21];               /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    int fitted;                      /* 1: the model was fitted (enough history) */
    size_t n_hist[XS_OFFER_N_KINDS]; /* decided offers per kind it learnt from */
} xs_offer_build_info;

/**
 * Fits the propensity model over snapshot s as of as_of (NULL: the latest
 * date) and stores it as the store's latest build (one transaction).
 * @param info optional; filled on success
 * @return XS_OK, XS_EINVAL (as xs_offer_engine_new), XS_ENOMEM, XS_EDB
 */
int xs_offer_build(xs_store *st, const xs_snapshot *s, const xs_offer_config *c,
                   const char *as_of, xs_offer_build_info *info, xs_error *err);
/**
 * xs_offer_build() that also hands out the engine it fitted, as
 * xs_offer_engine_open() would open the build just stored (the store's
 * experiments, the model read back from its stored text): a caller that
 * needs both (`xsell build`) creates the engine once. When the store's
 * build carries a churn model (xs_offer_churn_attach), *out is left NULL:
 * open the build with xs_offer_engine_open().
 * @param out caller frees with xs_offer_engine_free(); borrows s
 * @return as xs_offer_build()
 */
int xs_offer_build_open(xs_store *st, const xs_snapshot *s, const xs_offer_config *c,
                        const char *as_of, xs_offer_build_info *info,
                        xs_offer_engine **out, xs_error *err);

/** What xs_offer_churn_attach() found. */
typedef struct xs_churn_attach_info {
    char name[128];     /* file name stored (without directories) */
    char sha256[65];    /* of the file's bytes, hex */
    size_t n_columns;   /* source columns of the model */
    size_t n_found;     /* of them, found in some customer's attrs */
    size_t n_scored;    /* customers whose attrs hold a model column */
    char missing[1024]; /* the model columns no customer's attrs hold, ", " */
} xs_churn_attach_info;

/**
 * Attaches a churn model trained on a customer table (`xsell churn train
 * --input`) to the store's latest build: the model file's bytes are stored
 * in the store (with its name and SHA-256), and every engine opened on the
 * build (xs_offer_engine_open) predicts P(churn) from the customers' attrs
 * with it (docs/offers.md, "Churn risk"). path "none" detaches.
 * @param s the store's snapshot (borrowed): checks which model columns the
 *          customers' attrs hold and that some customer can be scored
 * @return XS_OK; XS_EIO (cannot read path); XS_EPARSE (not a churn model);
 *         XS_EINVAL (no customer's attrs hold any model column: column
 *         "churn_model"); XS_ENOTFOUND (never built); XS_EDB; XS_ENOMEM
 */
int xs_offer_churn_attach(xs_store *st, const xs_snapshot *s, const char *path,
                          xs_churn_attach_info *info, xs_error *err);
/** The checks of xs_offer_churn_attach() without writing anything (the
 *  model read, parsed and scored on s): run it before a build that will
 *  attach the model, so that a bad model leaves the store as it was.
 *  @return as xs_offer_churn_attach(), never XS_ENOTFOUND or XS_EDB */
int xs_offer_churn_check(const xs_snapshot *s, const char *path, xs_churn_attach_info *info,
                         xs_error *err);

/** The latest build's as_of, built_at and model text.
 *  @return 1 found (model: caller frees with xs_store_build_free()), 0 never built,
 *  XS_EDB, XS_ENOMEM */
int xs_store_build_get(xs_store *st, char as_of[11], char built_at[21], char **model,
                       xs_error *err);
/** Appends a build row. @return XS_OK or XS_EDB */
int xs_store_build_put(xs_store *st, const char *as_of, const char *built_at,
                       const char *model, xs_error *err);
/** Frees the model text of xs_store_build_get(); NULL is fine. */
void xs_store_build_free(char *model);
/**
 * Attaches a churn model to the latest build: its file name, SHA-256 (hex)
 * and the model file's bytes (copied into the store). A later build keeps
 * it (xs_store_build_put carries it over); model NULL detaches it.
 * @return XS_OK, XS_ENOTFOUND (never built), XS_ERANGE, XS_EDB
 */
int xs_store_build_churn_put(xs_store *st, const char *name, const char *sha256,
                             const char *model, size_t len, xs_error *err);
/**
 * The churn model attached to the latest build.
 * @return 1 found (name and model: caller frees each with
 *         xs_store_build_free(); model NUL-terminated, len bytes), 0 none,
 *         XS_EDB, XS_ENOMEM
 */
int xs_store_build_churn_get(xs_store *st, char **name, char sha256[65], char **model,
                             size_t *len, xs_error *err);

/* One offer to log (xs_offer_log_fill() fills it from a decided offer). */
typedef struct xs_offer_record {
    const char *customer_id, *product_id; /* borrowed */
    const char *kind;                     /* "upsell", "cross_sell", "downsell" */
    const char *channel;                  /* "email", ... */
    char sent_at[11];                     /* the decision day */
    char attrs[160];                      /* JSON object: trigger, from product */
    char offer_id[32];                    /* out: "X" YYYYMMDD "-" sequence */
} xs_offer_record;

/** Fills r from an offered offer (strings borrowed from the engine's
 *  snapshot). @return XS_OK, XS_EINVAL (suppressed or without a channel) */
int xs_offer_log_fill(const xs_offer_engine *en, const xs_offer *o, xs_offer_record *r);

/**
 * Logs offers into the offers table with outcome pending, in one
 * transaction, assigning each offer_id = "X" + sent_at without dashes + "-"
 * + a sequence number (at least 4 digits), one above the largest of that
 * day already in the store: unique; within a day the number gives the
 * logging order (compare it as a number past 9999).
 * @return the number logged, XS_EDB (nothing written)
 */
int xs_store_offers_log(xs_store *st, xs_offer_record *r, size_t n, xs_error *err);

/**
 * Records the outcome of a logged offer: outcome accepted | declined |
 * ignored, outcome_at = at ("YYYY-MM-DD", >= sent_at), revenue_delta =
 * amount (decimal text in the store's currency, may be negative; NULL:
 * unchanged). An outcome is final: an offer that already has one is
 * refused. Nothing is changed on error.
 * @return XS_OK, XS_ENOTFOUND (param "offer_id": `unknown offer "X"`),
 *         XS_ECONFLICT (the offer has its final outcome already), XS_EINVAL
 *         (param "at": bad date or before sent_at; "outcome";
 *         "revenue_delta"), XS_EDB
 */
int xs_store_offer_outcome(xs_store *st, const char *offer_id, const char *outcome,
                           const char *at, const char *revenue_delta, xs_error *err);

/* ====================================================================== */
/* Decisions, exploration and replay (src/offer/explore.c,                */
/* src/store/decisions.c, src/measure/replay*.c; docs/replay.md)          */
/* ====================================================================== */

/*
 * A decision is one slot of one customer on one day: the candidates the
 * guardrails let through (eligible: offered, or held back only by the
 * per-customer limit) that no earlier slot took (itself or its product
 * family), the one chosen and the probability with which the policy chose
 * it. The policy: with probability control_share a uniform choice; else
 * with the epsilon of the greedy choice's kind a uniform choice; else the
 * greedy choice (the engine's ranking), or, where Thompson sampling is on
 * for some kinds, the best by P(accept) drawn from each candidate's Beta
 * posterior x value (its probabilities estimated with 256 seeded draws).
 * Draws are seeded by (customer id, decision day, explore_seed, slot), so
 * the same run gives the same log.
 */

/** How a slot's offer was chosen. */
typedef enum xs_decision_how {
    XS_HOW_GREEDY = 0, /* the policy's best (exploration did not act) */
    XS_HOW_EXPLORE,    /* epsilon-greedy or Thompson sampling */
    XS_HOW_CONTROL     /* the random control share */
} xs_decision_how;

/** @return "greedy", "explore", "control" */
const char *xs_decision_how_name(xs_decision_how h);

/* One candidate of a slot as the policy sees it, in the engine's ranking
 * order (the first is the greedy choice). */
typedef struct xs_policy_cand {
    xs_offer_kind kind;
    double p_accept; /* P(accept) */
    double value;    /* value when accepted (currency units) */
    double ev;       /* p_accept x value */
    double strength; /* Thompson: P(accept) ~ Beta(p m, (1 - p) m), m this */
    double prob;     /* out: probability that the policy chooses it */
} xs_policy_cand;

/**
 * The policy's choice distribution over the n candidates of one slot:
 * fills c[i].prob (summing to 1). Thompson's probabilities are the share
 * of 256 draws (seeded by seed) each candidate wins, so they are exact for
 * the policy as run (xs_policy_choose draws from these very numbers).
 * @param logged 1: the decision is logged (control_share -1 means 0.02)
 * @return 1 when the distribution is not the greedy one (exploration or
 *         control acts), 0 when greedy, XS_EINVAL when n is 0
 */
int xs_policy_probs(const xs_offer_config *cfg, int logged, xs_policy_cand *c, size_t n,
                    uint64_t seed);

/**
 * Draws one candidate from the probabilities of xs_policy_probs() with the
 * uniform number u in [0, 1); *how (may be NULL) gets whether the control
 * share, exploration or the greedy choice made it (the part of [0, 1) u
 * fell in). @return the index chosen
 */
size_t xs_policy_choose(const xs_offer_config *cfg, int logged, const xs_policy_cand *c,
                        size_t n, double u, xs_decision_how *how);

/* One slot's decision by the engine (xs_offer_decide_logged). */
typedef struct xs_decision {
    int slot;                             /* 1.. */
    xs_decision_how how;
    size_t n_cand;
    int cand[XS_OFFER_MAX_CANDIDATES];    /* indexes into the decided offers */
    double prob[XS_OFFER_MAX_CANDIDATES]; /* the policy's probability of each */
    int chosen;                           /* index into cand */
} xs_decision;

/**
 * Decides customer like xs_offer_decide() for a decision that is logged:
 * control_share -1 (auto) means 0.02. out must hold
 * XS_OFFER_MAX_CANDIDATES; d gets one decision per offered offer (slot
 * 1, 2, ...), at most cap_d, their number in *n_dec. The offered offers'
 * propensity is prob[chosen] of their slot.
 * @return the number of candidates written
 */
int xs_offer_decide_logged(const xs_offer_engine *en, uint32_t customer, xs_offer *out,
                           xs_decision *d, size_t cap_d, size_t *n_dec);

/** on = 1: every decision of the engine is one that is logged
 *  (control_share -1 means 0.02 for xs_offer_decide() and the rest too),
 *  so what is shown and what xs_offer_decide_logged() logs agree. Call
 *  before sharing the engine between threads. */
void xs_offer_engine_set_logged(xs_offer_engine *en, int on);

/* One decision to log (xs_decision_fill() fills it). */
typedef struct xs_decision_record {
    const char *customer_id; /* borrowed */
    char decided_at[11];     /* the decision day */
    int slot;
    const char *source;      /* "cli" or "serve" (borrowed) */
    const char *how;         /* xs_decision_how_name() */
    int chosen;              /* index into the candidates */
    double propensity;       /* of the chosen one */
    long offer;              /* index of its offer among the offers logged
                                with it (xs_store_decisions_log), -1 none */
    char *candidates;        /* JSON array (owned: xs_decision_record_clear) */
    const char *policy;      /* the exploration settings as text (borrowed) */
} xs_decision_record;

/**
 * Fills r from decision d over the decided offers o of one customer: the
 * candidates as a JSON array of objects {kind, trigger, product, from,
 * channel, p_accept, value, ev, strength, health, growth, prob} (what
 * replay needs to decide again under other settings), the chosen one and
 * its propensity. r->offer is -1 (the caller links it).
 * @return XS_OK, XS_ENOMEM
 */
int xs_decision_fill(const xs_offer_engine *en, const xs_offer *o, const xs_decision *d,
                     const char *source, xs_decision_record *r);
/** Frees r->candidates. */
void xs_decision_record_clear(xs_decision_record *r);

/** The exploration settings of cfg as "control_share=0.02,epsilon_upsell=0,..."
 *  (control_share resolved for a logged decision) into buf. @return buf */
const char *xs_policy_text(const xs_offer_config *cfg, int logged, char *buf, size_t n);

/**
 * Logs offers (as xs_store_offers_log, filling their offer_id) and the
 * decisions that chose them, in one transaction: a decision's offer index
 * links it to its offer's id.
 * @return the number of decisions logged, XS_EINVAL (an offer index out
 *         of range), XS_EDB (nothing written)
 */
int xs_store_decisions_log(xs_store *st, xs_offer_record *offers, size_t n_offers,
                           const xs_decision_record *d, size_t n, xs_error *err);

/**
 * The same in parts, for logs too large to hold in memory: begin (opens
 * the transaction), add (any number of times: offers and the decisions
 * that chose them, a decision's offer index into that call's offers;
 * returns the number of decisions or a negative code), then commit, or
 * abort (also after a failed add or commit: nothing is written).
 * @return XS_OK / a count, XS_EINVAL, XS_EDB, XS_EBUSY
 */
int xs_store_decisions_begin(xs_store *st, xs_error *err);
int xs_store_decisions_add(xs_store *st, xs_offer_record *offers, size_t n_offers,
                           const xs_decision_record *d, size_t n, xs_error *err);
int xs_store_decisions_commit(xs_store *st, xs_error *err);
void xs_store_decisions_abort(xs_store *st);

/* A logged decision read back, with its offer's outcome (strings borrowed
 * for the callback). */
typedef struct xs_logged_decision {
    long long decision_id;
    const char *customer_id, *decided_at, *how, *candidates;
    int slot, chosen;
    double propensity;    /* NaN when the row carries none */
    const char *offer_id; /* NULL: no offer */
    const char *outcome;  /* the offer's outcome, NULL when no offer row */
    double revenue_delta; /* currency units, NaN when not recorded */
} xs_logged_decision;

typedef int (*xs_decision_fn)(void *ctx, const xs_logged_decision *d);

/**
 * Calls fn for every logged decision with from <= decided_at <= to (NULL:
 * open), in decision_id order. fn returns 0 to go on or a negative code.
 * @return the number scanned, fn's code, XS_EDB
 */
long xs_store_decisions_scan(xs_store *st, const char *from, const char *to,
                             xs_decision_fn fn, void *ctx, xs_error *err);

/** An estimate with its 95 % confidence interval (normal approximation). */
typedef struct xs_replay_estimate {
    double value, se, lo, hi;
} xs_replay_estimate;

/** What a replay found: per decision means (currency units per slot). */
typedef struct xs_replay_result {
    char from[11], to[11];   /* the days of the decisions used */
    size_t n_decisions;      /* used */
    size_t n_pending;        /* skipped: the offer has no outcome yet */
    size_t n_no_propensity;  /* skipped: logged without a propensity */
    double logged;           /* mean reward of the logging policy */
    xs_replay_estimate ips, snips, dr;
    double ess;              /* effective sample size (sum w)^2 / sum w^2 */
    double mean_weight;      /* mean of pi_new / p_logged over the chosen */
    double max_weight;
    double no_support;       /* mean probability the new policy gives
                                candidates the logging policy never chooses
                                (their reward cannot be estimated by IPS) */
} xs_replay_result;

/* The estimators, fed one decision at a time (src/measure/replay.c). */
typedef struct xs_replay xs_replay;
/** @return XS_OK or XS_ENOMEM; caller frees with xs_replay_free() */
int xs_replay_new(xs_replay **out);
void xs_replay_free(xs_replay *rp);
/**
 * Adds one decision over n actions: p_log[a] (logging policy), p_new[a]
 * (the replayed policy; the rest of its mass, 1 - sum, is "no offer",
 * reward 0), q[a] (the model's expected reward, for DR), the logged action
 * (p_log[logged] > 0) and its reward.
 * @return XS_OK, XS_EINVAL (logged out of range or p_log[logged] <= 0)
 */
int xs_replay_add(xs_replay *rp, size_t n, const double *p_log, const double *p_new,
                  const double *q, size_t logged, double reward);
/**
 * IPS = mean(w r), w = p_new/p_log of the logged action; SNIPS = M sum(w r) /
 * sum(w), M the mean of sum_a p_new(a) (the share of slots the replayed
 * policy fills); DR = mean(sum_a p_new(a) q(a) + w (r - q(logged))); 95 % CIs by
 * the normal approximation on the per-decision terms (SNIPS: the delta
 * method); ESS. Fills the numeric fields of r (from, to, counts of skipped
 * decisions are the caller's).
 * @return XS_OK, XS_EINVAL (no decision added)
 */
int xs_replay_finish(const xs_replay *rp, xs_replay_result *r);

/**
 * Reads a replay policy: a file of `name=value` lines (blank lines and
 * `#` comments allowed), the settings of xs_offer_config_set() that replay
 * can apply to logged candidates: control_share, epsilon_<kind>,
 * thompson_<kind>, explore_seed, max_offers, min_health. cfg starts from
 * the defaults. A bad line is refused with its place
 * (`policy.conf:3: usage_high: replay cannot apply this setting to logged
 * decisions (it changes the candidates)`).
 * @return XS_OK, XS_EIO, XS_EINVAL
 */
int xs_replay_policy_read(const char *path, xs_offer_config *cfg, char *text, size_t n_text,
                          xs_error *err);

/**
 * Replays the decisions logged in the store between from and to (NULL:
 * open) under policy: per decision, the candidates it logged are decided
 * again (min_health removes growth offers of customers below it, slots
 * beyond max_offers offer nothing, the exploration settings give
 * p_new), rewards come from the offers' outcomes (accepted: revenue_delta
 * when recorded, else the candidate's value; declined, ignored: 0;
 * pending: skipped) and q = the logged P(accept) x value.
 * @return XS_OK; XS_ENOTFOUND (no decision in the window: `no logged
 *         decision between ...`), XS_EINVAL (no logged decision carries a
 *         propensity, or none has an outcome), XS_EDB, XS_EPARSE, XS_ENOMEM
 */
int xs_replay_run(xs_store *st, const xs_offer_config *policy, const char *from,
                  const char *to, xs_replay_result *r, xs_error *err);

/** The result as a JSON object (policy: its text) into a new string;
 *  caller frees with free(). NULL: no memory. */
char *xs_replay_result_json(const xs_replay_result *r, const char *policy);
/** Fills an empty table with estimator, value, se, ci_low, ci_high rows
 *  (logged, ips, snips, dr). @return XS_OK, XS_ENOMEM */
int xs_replay_table(const xs_replay_result *r, xs_table *t);

/**
 * Planted truth (src/measure/replay_sim.c): n_dec simulated decisions of 2
 * to 6 candidates with true P(accept) and value, a model's noisy
 * estimates, a logging policy (logging) and the replayed one (target);
 * rewards drawn from the truth. *truth gets the replayed policy's exact
 * expected reward per decision (over the simulated contexts); r the
 * estimates.
 * @return XS_OK, XS_ENOMEM
 */
int xs_replay_simulate(uint64_t seed, size_t n_dec, const xs_offer_config *logging,
                       const xs_offer_config *target, double *truth, xs_replay_result *r);

/** Stores a replay result (JSON text) with its policy and window; *id gets
 *  its replay_id. @return XS_OK, XS_EDB */
int xs_store_replay_save(xs_store *st, const char *ran_at, const char *policy,
                         const char *from, const char *to, const char *result,
                         long long *id, xs_error *err);
/** Calls fn for the stored replays, newest first, at most limit (0: all),
 *  with (id, ran_at, policy, from, to, result JSON; borrowed).
 *  @return the number, fn's code, XS_EDB */
long xs_store_replays(xs_store *st, size_t limit,
                      int (*fn)(void *ctx, long long id, const char *ran_at,
                                const char *policy, const char *from, const char *to,
                                const char *result),
                      void *ctx, xs_error *err);

/* ====================================================================== */
/* Holdout experiments (src/store/experiments.c, src/offer, src/measure)  */
/* ====================================================================== */

/*
 * A holdout experiment measures the real lift of one offer strategy (an
 * offer kind): every customer is put in an arm of the split by
 * xs_exp_assign(split, name, customer_id), and while the experiment runs
 * (start <= decision day <= end) the offer engine suppresses offers of that
 * kind to the customers of the arm named "holdout" (guard "holdout"). The
 * report (xs_exp_report()) compares the arms over the window. Details in
 * docs/experiments.md.
 */
typedef struct xs_experiment {
    char name[XS_EXP_NAME_MAX]; /* the strategy name that is hashed */
    xs_offer_kind kind;         /* the strategy: offers of this kind */
    char split[256];            /* "treatment:90,holdout:10" */
    char start[11];             /* first day, YYYY-MM-DD */
    char end[11];               /* last day, "" while running */
    char created_at[21];        /* UTC timestamp */
} xs_experiment;

/** Parses a data-model kind ("upsell", "cross_sell", "downsell").
 *  @return XS_OK or XS_EINVAL */
int xs_offer_kind_parse(const char *s, xs_offer_kind *out);
/** @return the data-model name of a kind ("upsell", "cross_sell", "downsell") */
const char *xs_offer_kind_key(xs_offer_kind k);

/**
 * Checks an experiment before it is stored: name 1..63 bytes of [A-Za-z0-9_.-],
 * a split that parses (xs_exp_split_parse) with an arm named "holdout" and at
 * least one other arm, a valid start date, and an end (when set) on or after
 * the start.
 * @return XS_OK or XS_EINVAL (err param "name", "split", "start", "end")
 */
int xs_experiment_check(const xs_experiment *x, xs_error *err);
/** @return 1 when x runs on day (YYYY-MM-DD): start <= day and (no end or
 *  day <= end) */
int xs_experiment_active(const xs_experiment *x, const char *day);

/**
 * Stores a new experiment (one transaction). Refused when the name exists,
 * or when another experiment of the same kind overlaps its days (a customer
 * is in at most one holdout per kind).
 * @return XS_OK, XS_EINVAL (xs_experiment_check), XS_ECONFLICT (param
 *         "name": exists; "kind": overlaps "OTHER"), XS_EDB
 */
int xs_store_experiment_add(xs_store *st, const xs_experiment *x, xs_error *err);
/**
 * Ends a running experiment: its end becomes `end` (>= its start).
 * @return XS_OK, XS_ENOTFOUND (param "name"), XS_ECONFLICT (already
 *         ended), XS_EINVAL (bad or early "end"), XS_EDB
 */
int xs_store_experiment_stop(xs_store *st, const char *name, const char *end,
                             xs_error *err);
/**
 * Every experiment, ordered by start then name.
 * @param out set to an array (caller frees with xs_store_experiments_free()),
 *            NULL when there is none
 * @return the number (>= 0), XS_EDB, XS_ENOMEM
 */
long xs_store_experiments(xs_store *st, xs_experiment **out, xs_error *err);
/** Frees the array of xs_store_experiments(); NULL is fine. */
void xs_store_experiments_free(xs_experiment *x);
/**
 * Fills x from the fields of `xsell experiment start` (or the body of
 * POST /v1/experiments) and checks it (xs_experiment_check), so both say
 * the same thing: kind "upsell", "cross_sell" or "downsell"; split NULL:
 * "treatment:90,holdout:10"; start NULL: today (UTC); end NULL or "": open.
 * @return XS_OK or XS_EINVAL (err param "name", "kind", "split",
 *         "start", "end")
 */
int xs_experiment_define(xs_experiment *x, const char *name, const char *kind,
                         const char *split, const char *start, const char *end,
                         xs_error *err);

/**
 * Gives the engine the experiments (copied); those active on its as_of day
 * withhold offers of their kind from their holdout arm. xs_offer_engine_open()
 * reads them from the store itself. They replace those given before.
 * Each kind with a qualifying experiment (docs/offers.md "Uplift": started
 * before as_of, a window of at least uplift_min_days, uplift_min_n units in
 * the holdout and in the treated arms; with several, the latest start) gets
 * uplift models trained on it here, and its offers are valued by the
 * predicted uplift (xs_offer.value_basis); cfg.uplift = 0 turns that off.
 * @return XS_OK, XS_EINVAL (xs_experiment_check fails for one of them; the
 *         engine is then unchanged), XS_ENOMEM
 */
int xs_offer_engine_set_experiments(xs_offer_engine *en, const xs_experiment *x, size_t n,
                                    xs_error *err);

/** The uplift evidence of one offer kind (xs_offer_engine_uplift()). */
typedef struct xs_offer_uplift_info {
    int on;                       /* 1: offers of the kind are valued by uplift */
    char experiment[XS_EXP_NAME_MAX]; /* the experiment used; "" when none */
    char start[11], until[11];    /* its window: start to min(end, as_of) */
    size_t n_treated, n_holdout;  /* its units (customers with revenue at the
                                     start) by arm */
    size_t n_scored;              /* customers with a predicted uplift (revenue
                                     on as_of) */
    size_t n_negative;            /* of those, predicted uplift < 0 */
    double mean;                  /* mean predicted uplift over n_scored */
    char why[160];                /* when off with experiments of the kind: why
                                     none qualifies; "" otherwise */
} xs_offer_uplift_info;

/**
 * The uplift evidence of kind k (for downsells the outcome is "retained",
 * else "expanded"). @return XS_OK, XS_EINVAL for a bad kind
 */
int xs_offer_engine_uplift(const xs_offer_engine *en, xs_offer_kind k,
                           xs_offer_uplift_info *out);
/**
 * A customer's predicted uplift for kind k: of "retained" (retained = 1:
 * downsells, retention offers) or of "expanded" (0). NaN when the kind has
 * no evidence, no model of that outcome (expanded of downsells, retained
 * of cross-sells), or the customer had no recurring revenue on as_of.
 */
double xs_offer_engine_customer_uplift(const xs_offer_engine *en, uint32_t customer,
                                       xs_offer_kind k, int retained);

/* What happened in one arm during the window [start, min(end, as_of)]. */
typedef struct xs_exp_arm {
    const char *name;         /* borrowed from the report */
    size_t customers;         /* units (customers with ARR > 0 at start) */
    size_t offers, accepted;  /* offers of the kind sent in the window to them */
} xs_exp_arm;

/** Result of xs_exp_report(). Opaque. */
typedef struct xs_exp_report_result xs_exp_report_result;

/**
 * Analyses a holdout experiment on a snapshot. Units: customers whose ARR
 * (docs/kpi.md) on the start day is > 0. Metrics per unit, from the start day
 * to the window's last day (the end, or as_of when earlier or running):
 *   arr_change  ARR(last day) - ARR(start), currency units (Welch; CUPED with
 *               ARR(start) as the covariate)
 *   expanded    1 when ARR(last day) > ARR(start) (proportion)
 *   retained    1 when ARR(last day) > 0 (proportion)
 * Each arm is compared with the holdout (xs_exp_analyze, control "holdout",
 * planned shares from the split for the sample-ratio check).
 * @param as_of "YYYY-MM-DD" or NULL (the day the data ends, as for the KPIs:
 *              the latest subscription start, order, usage point, event or
 *              offer sent)
 * @return XS_OK; XS_EINVAL (bad as_of, split, as_of before the start: column
 *         "as_of"; fewer than 2 units in an arm); XS_ENOMEM
 */
int xs_exp_report(const xs_snapshot *s, const xs_experiment *x, const char *as_of,
                  xs_exp_report_result **out, xs_error *err);
/** The analysis (borrowed; groups are the arms in label order). */
const xs_exp_result *xs_exp_report_analysis(const xs_exp_report_result *r);
/** @return the window's last day "YYYY-MM-DD" into buf */
const char *xs_exp_report_until(const xs_exp_report_result *r, char buf[11]);
/** @return the number of arms (in split order) */
size_t xs_exp_report_n_arms(const xs_exp_report_result *r);
/** @return arm i (borrowed) */
const xs_exp_arm *xs_exp_report_arm(const xs_exp_report_result *r, size_t i);
/** Frees the report; NULL is fine. */
void xs_exp_report_free(xs_exp_report_result *r);
/**
 * Writes a holdout experiment's report as `xsell experiment report` prints
 * it (experiment_out.c): the experiment x and its arms, then the analysis
 * as xs_exp_result_write() (in JSON the members "experiment" and "arms"
 * come first; CSV holds the results alone).
 * @return XS_OK, XS_ENOMEM or XS_EIO
 */
int xs_exp_report_write(const xs_exp_report_result *r, const xs_experiment *x, FILE *out,
                        xs_format fmt);

/* ====================================================================== */
/* Server (src/serve) and API keys (src/store)                            */
/* ====================================================================== */
/* (section owned by the serve module) */

/*
 * API keys (src/store/apikeys.c). A key is shown once, at creation, as
 * "xs_<key_id>_<secret>" (key_id: 16 hex digits, secret: 64 hex digits = 32
 * random bytes from /dev/urandom); the store keeps only key_id, a random
 * 16-byte salt and SHA-256(salt || secret). Scopes are ordered
 * read < write < admin: a key grants its scope and every lower one.
 */
typedef enum xs_apikey_scope {
    XS_SCOPE_NONE = 0, /* no key / not granted */
    XS_SCOPE_READ,
    XS_SCOPE_WRITE,
    XS_SCOPE_ADMIN
} xs_apikey_scope;

/* Capacity a buffer needs for a key: "xs_" + 16 + "_" + 64 + NUL. */
#define XS_APIKEY_MAX 88

/** Parses "read", "write" or "admin". @return XS_OK or XS_EINVAL */
int xs_apikey_scope_parse(const char *s, xs_apikey_scope *out);
/** @return "read", "write", "admin" ("none" for XS_SCOPE_NONE) */
const char *xs_apikey_scope_name(xs_apikey_scope s);

/**
 * Creates a key and stores its salted hash.
 * @param note optional free text (copied); NULL: none
 * @param key  receives "xs_<key_id>_<secret>" (cap >= XS_APIKEY_MAX); the
 *             only time the secret exists outside the caller
 * @return XS_OK, XS_EINVAL (bad scope, small buffer), XS_EIO (/dev/urandom),
 *         XS_EDB
 * @code
 *   char key[XS_APIKEY_MAX];
 *   if (xs_apikey_create(st, XS_SCOPE_READ, "dashboard", key, sizeof key, &e) == XS_OK)
 *       puts(key);
 * @endcode
 */
int xs_apikey_create(xs_store *st, xs_apikey_scope scope, const char *note, char *key,
                     size_t cap, xs_error *err);
/**
 * Revokes a key by its key_id (the secret is not needed).
 * @return XS_OK, XS_ENOTFOUND (no such key, or already revoked: err says
 *         which), XS_EDB
 */
int xs_apikey_revoke(xs_store *st, const char *key_id, xs_error *err);
/**
 * Fills an empty table with the keys, oldest first: key_id, scope,
 * created_at, revoked_at (empty while valid), note. Never secrets or hashes.
 * @return the number of keys, XS_EDB or XS_ENOMEM
 */
int xs_apikey_list(xs_store *st, xs_table *out, xs_error *err);

/** The valid (unrevoked) keys of a store, loaded for checking. Opaque. */
typedef struct xs_apikeys xs_apikeys;
/** Loads the valid keys. @return XS_OK, XS_EDB, XS_ENOMEM; caller frees
 *  with xs_apikeys_free() */
int xs_apikeys_load(xs_store *st, xs_apikeys **out, xs_error *err);
/** Frees a key set; NULL is fine. */
void xs_apikeys_free(xs_apikeys *ks);
/**
 * Checks a presented key ("xs_<key_id>_<secret>", len bytes, borrowed):
 * the salted hash of its secret is compared in constant time.
 * @return the key's scope, or XS_SCOPE_NONE (malformed, unknown, revoked or
 *         wrong secret)
 */
xs_apikey_scope xs_apikeys_check(const xs_apikeys *ks, const char *key, size_t len);

/*
 * Webhooks (src/store/webhooks.c, src/serve/webhook_send.c;
 * docs/webhooks.md). A webhook subscribes a URL to some of the events
 * offer.issued (an offer logged: `recommend --log`, GET
 * /v1/customers/{id}/offers?log=1),
 * offer.outcome (`xsell outcome`, POST /v1/offers/{id}/outcome) and
 * build.done (`xsell build`). The write that makes the change queues one
 * delivery per subscribed webhook in its own transaction; the sender POSTs
 * each as JSON, signed with HMAC-SHA256 under the webhook's secret, and
 * retries with exponential backoff until a 2xx or the last attempt.
 */
#define XS_WEBHOOK_MAX 16          /* live webhooks per store */
#define XS_WEBHOOK_SECRET_MAX 257  /* a secret is 16..256 characters */

/**
 * Adds a webhook.
 * @param events comma list of offer.issued, offer.outcome, build.done
 * @param secret the signing secret (16..256 characters); NULL: 32 random
 *               bytes as 64 hex digits
 * @param id receives the webhook's id
 * @param secret_out receives the secret (cap >= XS_WEBHOOK_SECRET_MAX); NULL: not wanted
 * @return XS_OK, XS_EINVAL (bad URL, event or secret, too many webhooks:
 *         err names which), XS_EIO, XS_EDB
 */
int xs_webhook_add(xs_store *st, const char *url, const char *events, const char *secret,
                   long long *id, char *secret_out, size_t cap, xs_error *err);
/** Removes a webhook (its row and delivery log stay; its pending
 *  deliveries are cancelled). @return XS_OK, XS_ENOTFOUND, XS_EDB */
int xs_webhook_remove(xs_store *st, long long id, xs_error *err);
/** Fills an empty table with the webhooks: webhook_id, url, events,
 *  created_at, removed_at, pending, delivered, failed; never secrets.
 *  @return the number of webhooks, XS_EDB or XS_ENOMEM */
int xs_webhook_list(xs_store *st, xs_table *out, xs_error *err);
/** Fills an empty table with the newest deliveries (at most limit; <= 0:
 *  100), of webhook id (0: all), of one status (NULL: all): delivery_id,
 *  webhook_id, event, created_at, status, attempts, last_at, last_code,
 *  last_error. @return the number of rows, XS_EINVAL (status), XS_EDB,
 *  XS_ENOMEM */
int xs_webhook_log(xs_store *st, long long id, const char *status, long limit, xs_table *out,
                   xs_error *err);

/** A delivery due to be sent (owned copies). */
typedef struct xs_webhook_delivery {
    long long delivery_id, webhook_id;
    char event[24];
    int attempts; /* made so far */
    char *payload, *url, *secret;
} xs_webhook_delivery;
/** The pending deliveries due at now (Unix seconds), oldest first, at most
 *  max. @return XS_OK, XS_EDB, XS_ENOMEM; free with xs_webhook_due_free */
int xs_webhook_due(xs_store *st, int64_t now, size_t max, xs_webhook_delivery **out,
                   size_t *n, xs_error *err);
void xs_webhook_due_free(xs_webhook_delivery *d, size_t n);
/** Records one attempt of a pending delivery: status "delivered", "failed"
 *  (given up) or "pending" (to retry at next_at), the HTTP status (0: none)
 *  and the error (NULL: none). @return XS_OK, XS_EDB, XS_EBUSY */
int xs_webhook_record(xs_store *st, long long delivery_id, const char *status, int64_t next_at,
                      int code, const char *error, xs_error *err);

/** How the sender works (defaults by xs_webhook_send_opts_init). */
typedef struct xs_webhook_send_opts {
    long timeout_ms;   /* per request, connect included (default 10000) */
    int max_attempts;  /* then the delivery is failed (default 10) */
    int backoff_s;     /* first retry after this, doubled each time (default 10) */
    int backoff_max_s; /* longest wait between attempts (default 3600) */
    size_t batch;      /* deliveries per xs_webhook_send_due call (default 100) */
    int64_t now;       /* Unix seconds; 0: the clock (tests set it) */
} xs_webhook_send_opts;
void xs_webhook_send_opts_init(xs_webhook_send_opts *o);
/** What one xs_webhook_send_due call did. */
typedef struct xs_webhook_send_result {
    size_t delivered, retrying, failed;
} xs_webhook_send_result;
/**
 * Sends the deliveries due now (at most o->batch), one POST each, and
 * records every attempt. Headers: Content-Type application/json,
 * X-Xsell-Event, X-Xsell-Delivery (the delivery id), X-Xsell-Signature
 * "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>".
 * A 2xx delivers; anything else (status, refused connection, timeout) is
 * retried after backoff_s * 2^(attempts-1) seconds (at most backoff_max_s)
 * until max_attempts. @return XS_OK, XS_EDB, XS_EBUSY, XS_ENOMEM
 */
int xs_webhook_send_due(xs_store *st, const xs_webhook_send_opts *o, xs_webhook_send_result *r,
                        xs_error *err);

/*
 * The audit log (src/store/audit.c, schema version 11; docs/api.md
 * "Audit log"): one row per action taken through the HTTP API that writes
 * (an outcome, a logged offer, an experiment started or stopped, events,
 * a build, a webhook added or removed), with the API key's id, the action,
 * its target and the state before and after as small JSON objects. The
 * CLI's writes are not audited.
 */
typedef struct xs_audit_entry {
    long long audit_id;  /* set by the store (reading) */
    const char *at;      /* "YYYY-MM-DDTHH:MM:SSZ"; NULL when adding: now */
    const char *key_id;  /* the API key's id; NULL: none */
    const char *action;  /* "offer.outcome", "experiment.start", ... */
    const char *target;  /* offer id, experiment name, webhook id...; NULL: none */
    const char *before;  /* JSON text or NULL */
    const char *after;   /* JSON text or NULL */
} xs_audit_entry;
/** Appends one row (its own statement: it does not count as a change of
 *  the data, meta data_version). @return XS_OK, XS_EINVAL (no action),
 *  XS_EBUSY, XS_EDB */
int xs_store_audit_add(xs_store *st, const xs_audit_entry *a, xs_error *err);
/** Calls fn for the rows, newest first, skipping offset, at most limit
 *  (borrowed strings, valid during the call); *total (may be NULL) gets
 *  the number of rows. @return the number of rows given to fn, fn's
 *  negative code, XS_EDB */
long xs_store_audit_list(xs_store *st, size_t limit, size_t offset,
                         int (*fn)(void *ctx, const xs_audit_entry *a), void *ctx,
                         long long *total, xs_error *err);

/*
 * HTTP JSON API (src/serve, libmicrohttpd): routes, errors and metrics are
 * documented in docs/api.md and docs/openapi.json. The server loads a
 * snapshot of the store and the models built from it into one immutable
 * model object; POST /v1/build builds a new one in the background and swaps
 * it in (reference counted: requests in flight keep the old one).
 */
typedef struct xs_serve_opts {
    const char *db;             /* the store (required, borrowed) */
    const char *listen;         /* "HOST:PORT" (IPv4); NULL: "127.0.0.1:8080";
                                   port 0: an ephemeral port */
    unsigned threads;           /* worker threads; 0: 2 */
    size_t max_body;            /* request bodies above this get 413; 0: 1 MiB */
    unsigned max_connections;   /* served at once; more wait (at most
                                   request_timeout_s) or get 503; 0: 256 */
    unsigned timeout_s;         /* keep-alive connection without a request; 0: 30 */
    unsigned request_timeout_s; /* to receive a request's head and body, else
                                   408 and the connection closes; 0: 5 */
    unsigned max_per_address;   /* connections of one client address, else
                                   429; 0: 64 */
    int access_log;             /* 1: one line per request on stderr */
    const char *web_dir;        /* dashboard files served at / and /assets/ (borrowed);
                                   NULL: "web/dist" (docs/dashboard.md) */
    unsigned lock_timeout_ms;   /* a write waits at most this for the store's
                                   write lock, then 503 busy; 0: 1000 */
    const char *model;          /* a model file to serve (xs_model_open, checked
                                   to come from db; borrowed for the start);
                                   NULL: the store's latest model file when it
                                   is current, else a model built from db */
    int model_poll_s;           /* with model: seconds between looks at the file,
                                   whose new version (a build renamed into place)
                                   is then mapped and served; 0: 2; < 0: never */
} xs_serve_opts;

/** A running server. Opaque. */
typedef struct xs_server xs_server;

/**
 * Maps the model (o->model, or the store's latest model file when it is
 * current) or builds it from the store, and starts serving on worker
 * threads.
 * @param out caller stops and frees with xs_server_stop()
 * @return XS_OK, XS_EINVAL (bad listen address: param "listen"; a model
 *         built from another store), XS_EIO (cannot bind), XS_EDB /
 *         XS_ESCHEMA (store), the errors of xs_model_open(), XS_ENOMEM
 * @code
 *   xs_serve_opts o = {.db = "xsell.db", .listen = "127.0.0.1:0"};
 *   xs_server *s;
 *   if (xs_server_start(&o, &s, &e) == XS_OK) {
 *       printf("port %d\n", xs_server_port(s));
 *       ...;
 *       xs_server_stop(s);
 *   }
 * @endcode
 */
int xs_server_start(const xs_serve_opts *o, xs_server **out, xs_error *err);
/** @return the TCP port the server listens on */
int xs_server_port(const xs_server *s);
/**
 * Stops accepting connections, lets the requests in flight finish (up to
 * grace_s seconds), stops the workers and frees everything. NULL is fine.
 */
void xs_server_stop(xs_server *s, unsigned grace_s);

/* ====================================================================== */
/* Model file (src/model/, src/snapshot/, src/store/identity.c;           */
/* docs/model.md)                                                         */
/* ====================================================================== */

/*
 * A model is everything the readers (recommend, rank, targets, customers,
 * kpi, serve) decide from, built once from a store: the snapshot, the order
 * baskets, items bought together, association rules, customer scores, the
 * offer engine (with the store's propensity model, experiments and churn
 * model) and the ranked target list with its guardrail totals. Saved, it
 * is one file that any number of processes map read-only: opening it is
 * checking it, never reading rows.
 */
typedef struct xs_model xs_model;

/** A model's customer scores being computed on a thread of their own
 *  (xs_model_scores_begin). */
typedef struct xs_model_scores_job xs_model_scores_job;

/** How to build a model. */
typedef struct xs_model_opts {
    const char *as_of;          /* NULL: the store's latest date */
    const xs_offer_config *cfg; /* NULL: defaults */
    int clv;                    /* 1: fit CLV into the customer scores */
    int n_threads;              /* for the target list; 0: 2 */
    int churn;                  /* 1: also train the churn-risk model into the
                                   customer scores (as `xsell customers`) */
    xs_offer_engine *engine;    /* NULL, or the engine of the store's build on
                                   the snapshot the model is built from
                                   (xs_offer_build_open), taken over (freed
                                   with the model, or on failure): the model
                                   uses it instead of opening the build */
    const char *out;            /* NULL, or the model file to write as the
                                   build goes (xs_model_build_from): the parts
                                   read from the store go out on a thread of
                                   their own while the rest is computed; the
                                   same file as xs_model_save() writes */
    xs_model_scores_job *scores; /* NULL, or the scores begun on the model's
                                   snapshot with these options
                                   (xs_model_scores_begin), taken over: the
                                   build waits for them instead of computing
                                   them (begun with other options: discarded,
                                   computed again) */
} xs_model_opts;

/** Sets the defaults: as_of NULL, cfg NULL, n_threads 2, and clv 1, churn 1,
 *  the scores `xsell customers` gives by default (so `xsell build`, the
 *  server and every reader of the file agree). */
void xs_model_opts_init(xs_model_opts *o);

/** Where a model comes from. */
typedef struct xs_model_info {
    char as_of[11];         /* the engine's as-of day, "" without an engine */
    char built_at[21];      /* UTC build time, YYYY-MM-DDTHH:MM:SSZ */
    char store_id[40];      /* the store's id (meta store_id) */
    uint64_t data_version;  /* the store's data version when built */
    const char *path;       /* the file mapped, NULL when built in memory */
    size_t bytes;           /* its size; built with xs_model_opts.out, the
                               size of that file; else 0 when built in
                               memory */
    int mapped;             /* 1: opened from a file */
    int as_of_given;        /* 1: built with an explicit as-of day (not the
                               store's latest) */
    char scores_error[256]; /* why there are no customer scores, "" */
    char engine_error[256]; /* why there is no offer engine, "" */
    /* wall seconds of each stage of a build (0 when opened from a file):
     * loading the store (snapshot, baskets), mining (together, rules),
     * customer scores, offer engine, ranking every customer (the scores
     * run beside the engine and the ranking, so their times overlap), and
     * what was left of writing the file (xs_model_opts.out) after them */
    double t_load, t_mine, t_scores, t_engine, t_targets, t_write;
} xs_model_info;

/**
 * Builds a model: snapshot, baskets, together (cosine, top 50), rules,
 * customer scores, offer engine (as xs_offer_engine_open(), or fitted with
 * the store's experiments when the store was never built), target list.
 * Scores and engine may be absent (an empty store): the info says why.
 * Gives the store an id (meta store_id) when it has none.
 * @param out caller frees with xs_model_free()
 * @return XS_OK, XS_EDB, XS_ESCHEMA, XS_ENOMEM, or the snapshot's errors
 * @code
 *   xs_model *m; xs_error e;
 *   if (xs_model_build(st, NULL, &m, &e) == XS_OK && xs_model_save(m, "x.xsm", &e) == XS_OK)
 *       ...;
 *   xs_model_free(m);
 * @endcode
 */
int xs_model_build(xs_store *st, const xs_model_opts *o, xs_model **out, xs_error *err);
/**
 * xs_model_build() on a snapshot of st the caller has already loaded
 * (xs_snapshot_load), which the model takes over: saves loading the store
 * twice in a build that needs the snapshot first (`xsell build`).
 * @param snap takes ownership (freed by xs_model_free, or here on failure)
 * @return as xs_model_build()
 */
int xs_model_build_from(xs_store *st, xs_snapshot *snap, const xs_model_opts *o,
                        xs_model **out, xs_error *err);

/**
 * Starts computing, on a thread of its own, the customer scores a model
 * built with o on snap computes (health, RFM, LTV, CLV, churn risk), so
 * that work before the build (`xsell build` fitting the store's engine)
 * runs beside them; hand them to xs_model_build_from() in
 * xs_model_opts.scores. Without a thread they are computed here.
 * @param snap borrowed: must outlive the scores (xs_model_build_from on it
 *        takes both, or xs_model_scores_job_free first)
 * @param out taken over by the build, or freed with xs_model_scores_job_free()
 * @return XS_OK or XS_ENOMEM
 * @code
 *   xs_model_scores_job *sc; xs_model_scores_begin(snap, &o, &sc, &e);
 *   ... fit the engine ...
 *   o.scores = sc; xs_model_build_from(st, snap, &o, &m, &e);
 * @endcode
 */
int xs_model_scores_begin(const xs_snapshot *snap, const xs_model_opts *o,
                          xs_model_scores_job **out, xs_error *err);

/** Waits for scores not handed to a build and frees them; NULL is fine. */
void xs_model_scores_job_free(xs_model_scores_job *sc);

/**
 * Writes the model to path (a temporary file renamed into place: readers
 * never see half a file).
 * @return XS_OK, XS_EIO, XS_ENOMEM
 */
int xs_model_save(const xs_model *m, const char *path, xs_error *err);

/**
 * Maps a model file.
 * @param out caller frees with xs_model_free() (which unmaps)
 * @return XS_OK; XS_ENOTFOUND ("FILE: no such model file"); XS_EPARSE (not
 *         a model file, truncated, corrupted); XS_ESCHEMA (another format
 *         version); XS_EIO; XS_ENOMEM
 */
int xs_model_open(const char *path, xs_model **out, xs_error *err);

/**
 * Checks that m was built from st.
 * @return XS_OK; XS_EINVAL ("FILE was built from another store (store id
 *         X, this store is Y)"); XS_EDB
 */
int xs_model_check_store(const xs_model *m, xs_store *st, xs_error *err);
/**
 * The store's latest model file when it is current: its path recorded by
 * the last build (meta model_path), it opens, it was built from st, and
 * st's data_version has not moved since (no write after the build). The
 * one rule by which `--db` readers and `xsell serve --db` use a model file
 * instead of loading the store.
 * @return 1 and sets *out (caller frees with xs_model_free()); 0 when
 *         there is none, or it is stale or unreadable (nothing reported:
 *         the caller loads the store); a negative code when the store fails
 */
int xs_model_open_current(xs_store *st, xs_model **out, xs_error *err);

/** Frees (and unmaps) a model; NULL is fine. */
void xs_model_free(xs_model *m);

/** @return where m comes from (borrowed, valid until xs_model_free) */
const xs_model_info *xs_model_info_of(const xs_model *m);
/** The parts of a model (borrowed, valid until xs_model_free; NULL when absent). */
const xs_snapshot *xs_model_snapshot(const xs_model *m);
const xs_baskets *xs_model_baskets(const xs_model *m);
const xs_together *xs_model_together(const xs_model *m);
const xs_rules *xs_model_rules(const xs_model *m);
const xs_customer_scores *xs_model_scores(const xs_model *m);
xs_offer_engine *xs_model_engine(const xs_model *m);
/** The ranked target list (*n rows; NULL without an engine) and its
 *  guardrail totals (NULL without an engine), as xs_offer_targets_rank(). */
const xs_target *xs_model_targets(const xs_model *m, size_t *n);
const xs_offer_summary *xs_model_summary(const xs_model *m);
/** The health configuration the customer scores were computed with (as
 *  xs_health_config_init() then clv and churn from the options). */
const xs_health_config *xs_model_health_config(const xs_model *m);
/**
 * Whether the model's engine decides with exactly these settings (cfg NULL:
 * the defaults) as of as_of (NULL: the store's latest day, so only a model
 * built without an explicit as-of day fits). A reader that
 * gets 0 builds an engine on the model's snapshot instead.
 * @return 1 or 0 (also 0 without an engine)
 */
int xs_model_engine_fits(const xs_model *m, const xs_offer_config *cfg, const char *as_of);

/**
 * The shard of a customer id (or of an anonymous order's order_id) among
 * n_shards: XXH3-64 of its len bytes, modulo n_shards (0 when n_shards <= 1).
 * Stable across runs, machines and versions (docs/scale-out.md).
 */
uint32_t xs_shard_of(const char *id, size_t len, uint32_t n_shards);

/** What a shard build wrote (xs_model_build_shard). */
typedef struct xs_model_shard_info {
    size_t n_customers, n_orders, n_lines, n_anon_lines; /* in the part */
    size_t bytes;                                         /* the part file's size */
    double t_load, t_cut, t_write;                        /* wall seconds */
} xs_model_shard_info;

/**
 * Writes the part of a model for shard `shard` of n_shards (0 <= shard <
 * n_shards) to path: the snapshot of that shard's customers with all their
 * rows and the whole catalog (xs_shard_of of the customer id), the
 * anonymous order lines of the order ids in the shard, the store's
 * experiments and the churn model attached to its build, the store's id
 * and data version (docs/model.md, "Build by shard"). Writes nothing to
 * the store but its id when it has none. A part is not a model: readers
 * refuse it; xs_model_merge() makes the model of all N parts.
 * @param info may be NULL
 * @return XS_OK, XS_EINVAL (bad shard numbers), XS_EIO, XS_ENOMEM, XS_EDB,
 *         or the snapshot's errors
 */
int xs_model_build_shard(xs_store *st, uint32_t shard, uint32_t n_shards, const char *path,
                         xs_model_shard_info *info, xs_error *err);

/**
 * The model of the parts paths[0..n) (xs_model_build_shard), which must be
 * the N parts of one build: one store and data version, each shard 0..N-1
 * exactly once. Reassembles the snapshot, builds the baskets of every
 * order, then mines, scores, fits the engine (as `xsell build` fits and
 * stores the propensity model, then opens it with the parts' experiments
 * and churn model) and ranks the targets: the model one xs_model_build()
 * after xs_offer_build() gives on the same store, decision for decision.
 * Not recorded in any store; save it with xs_model_save().
 * @return XS_OK; XS_EINVAL naming the file at fault ("P: part 2/4 given
 *         twice (also Q)", "P: a model file, not a build part", "P: from
 *         another store ...", "missing part 3/4 ..."); the errors of
 *         xs_model_open() for a file that is no model container; XS_ENOMEM
 */
int xs_model_merge(const char *const *paths, size_t n, const xs_model_opts *o,
                   xs_model **out, xs_error *err);

/**
 * The store's identity: its id (meta store_id, "" when it has none) and
 * data version (meta data_version, bumped by every committed write; 0 when
 * absent).
 * @return XS_OK, XS_EDB
 */
int xs_store_identity(xs_store *st, char id[40], uint64_t *data_version, xs_error *err);
/** Gives the store a random 128-bit hex id when it has none; id receives it.
 *  @return XS_OK, XS_EDB, XS_EIO (no random source) */
int xs_store_identity_ensure(xs_store *st, char id[40], xs_error *err);
/** The path of the store's latest model file (meta model_path) into buf.
 *  @return 1 found, 0 none, XS_EDB */
int xs_store_model_path(xs_store *st, char *buf, size_t n, xs_error *err);
/** Records path as the store's latest model file. @return XS_OK, XS_EDB */
int xs_store_model_path_set(xs_store *st, const char *path, xs_error *err);

/* ====================================================================== */
/* Scale-out: Citus and the store summary (src/store/citus.c)             */
/* ====================================================================== */
/* (section owned by the scale-out module; docs/scale-out.md) */

/**
 * Writes the SQL xs_store_citus_init() runs (one transaction: re-key
 * orders, offers and decisions with customer_id first, reference tables
 * for the catalog and configuration, every customer table distributed by
 * customer_id and co-located with customers, anonymous_orders and returns
 * by their own id) to out.
 * @return XS_OK or XS_EIO
 * @code
 *   xs_store_citus_sql(stdout);
 * @endcode
 */
int xs_store_citus_sql(FILE *out);
/**
 * Makes a PostgreSQL store with the Citus extension distributed (the SQL of
 * xs_store_citus_sql), in one transaction holding the store's write lock:
 * on failure nothing changed. Does nothing when customers is already
 * distributed (pg_dist_partition says so).
 * @return 1 distributed now, 0 already distributed, XS_EINVAL ("Citus
 *         needs a PostgreSQL store"; "Citus is not installed in this
 *         database (CREATE EXTENSION citus)"), XS_EDB
 * @code
 *   if (xs_store_citus_init(st, &e) < 0) ...;
 * @endcode
 */
int xs_store_citus_init(xs_store *st, xs_error *err);

#define XS_STORE_INFO_MAX_TABLES 24
typedef struct xs_store_table_info {
    const char *name; /* static */
    long long rows;
    char citus[48];   /* "distributed(COLUMN)", "reference", or "" (local) */
} xs_store_table_info;
typedef struct xs_store_info {
    const char *backend;  /* "sqlite" or "postgresql" (static) */
    int schema_version;
    char store_id[40];    /* meta store_id, "" when none */
    uint64_t data_version; /* meta data_version, 0 when none */
    char model_path[1024]; /* meta model_path, "" when none */
    int citus;            /* 1: the database holds Citus's pg_dist_partition */
    size_t n_tables;
    xs_store_table_info tables[XS_STORE_INFO_MAX_TABLES]; /* every store table */
} xs_store_info;
/**
 * What `xsell store info` prints: backend, schema version, identity, model
 * path, the rows of every table and, on Citus, how each table is placed.
 * Reads in one read transaction (one consistent view).
 * @return XS_OK, XS_EDB
 * @code
 *   xs_store_info in;
 *   if (xs_store_info_get(st, &in, &e) == XS_OK) printf("%s\n", in.backend);
 * @endcode
 */
int xs_store_info_get(xs_store *st, xs_store_info *out, xs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_H */
