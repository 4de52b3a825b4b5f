/*
 * xsell/store.h — the store: the user's data, and how it gets in and out.
 *
 * One SQLite file by default; a PostgreSQL database, or a Citus cluster,
 * when the path is a postgresql:// URL. The schema is versioned by
 * migrations. Imports (CSV or JSON Lines per table, flat order logs, wide
 * exports through a mapping spec) validate every row and write in one
 * transaction, so bad input is never half-imported; exports write a table
 * back out; the demo generator writes a shop's worth of CSV files to import.
 * Implemented in src/store (the only code that speaks SQL), src/io and
 * src/gen; docs/data-model.md has the tables and their columns.
 *
 * Part of libxsell's public API: xsell.h includes every module's header;
 * the conventions are written in xsell/base.h.
 *
 * Example (compiled by the build: cmake/header_example.cmake):
 * @code
 *   // Imports an order file into the store at db, all or nothing.
 *   int import_orders(const char *db, const char *csv)
 *   {
 *       xs_store *st;
 *       xs_error e;
 *       char msg[1024];
 *       int rc = xs_store_open(&st, db, &e);
 *       if (rc == XS_OK) {
 *           xs_import_options o;
 *           xs_import_options_init(&o);
 *           o.table = XS_T_ORDERS;
 *           xs_import_result r;
 *           rc = xs_import_file(st, csv, &o, &r, &e);
 *           if (rc == XS_OK) printf("%llu rows read, %llu new\n", r.read, r.inserted);
 *           xs_store_close(st);
 *       }
 *       if (rc < 0) fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
 *       return rc;
 *   }
 * @endcode
 */
#ifndef XS_XSELL_STORE_H
#define XS_XSELL_STORE_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

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
#endif /* XS_XSELL_STORE_H */
