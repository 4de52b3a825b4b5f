/*
 * store_int.h — the store's private struct, shared by the files of
 * src/store (sqlite.c, schema.c, writer.c, export.c, snapshot loader, mining
 * sources) and by the importer (src/io/import.c), which talks to the store
 * only through the xs__store_* functions below. Nothing outside src/store
 * and the importer includes this: only the store speaks SQL.
 *
 * Store tables are those of docs/data-model.md: every column is named as the
 * field, money columns hold INTEGER minor units, dates TEXT, booleans 0/1,
 * numbers REAL, and every table ends with `attrs TEXT` (JSON object or NULL).
 * Tables are WITHOUT ROWID with the upsert key as PRIMARY KEY, so reading a
 * table "in key order" is a plain scan.
 */
#ifndef XS_STORE_INT_H
#define XS_STORE_INT_H

#include "xsell.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef struct xs__store_pg xs__store_pg; /* a PostgreSQL connection (db_pg.c) */

struct xs_store {
    sqlite3 *db;           /* the SQLite file, or NULL on PostgreSQL */
    xs__store_pg *pg;      /* the PostgreSQL connection, or NULL on SQLite */
    char *path;            /* file path or postgresql:// URL as given */
    char currency[8];      /* from meta, default "USD" */
    int money_scale;       /* fraction digits of the currency, default 2 */
    int has_currency;      /* 1 when meta holds currency (set by the first import) */
    int schema_version;    /* version of the file after migration */
    int bulk_cache_kib;    /* page cache during imports; 0: the default (tests
                            * make it tiny so that transactions spill to the WAL) */
    size_t sort_run_bytes; /* size of the sorted runs of out-of-order rows;
                            * 0: the default (tests make it tiny) */
    size_t insert_block_rows; /* SQLite: new rows per block handed to the
                               * writer's inserting thread; 0: the default
                               * (tests make it tiny) */
    char pg_bulk_key[512]; /* PostgreSQL: the ALTER TABLE that adds back a
                            * primary key dropped for a bulk load; "" when none */
};

/* ---------------------------------------------------------------------- */
/* Schema and migrations (schema.c)                                       */
/* ---------------------------------------------------------------------- */

/* One step of the schema: the SQL that takes a file from version-1 to
 * `version`. Steps are frozen once released; later versions append. */
typedef struct xs__store_migration {
    int version;
    const char *sql;    /* static text; may hold several statements */
    const char *pg_sql; /* PostgreSQL's text when it cannot be derived from sql
                         * (dialect.c); NULL: derived */
} xs__store_migration;

/* The migrations this build knows, ascending; *n set to their number. */
const xs__store_migration *xs__store_migrations(size_t *n);

/* Column kinds of store tables (how values are bound and exported). */
typedef enum xs__store_coltype {
    XS__COL_TEXT = 0, /* ids, text, dates, enums */
    XS__COL_INT,      /* integers and booleans */
    XS__COL_MONEY,    /* INTEGER minor units; exported with the store's scale */
    XS__COL_REAL,     /* numbers */
    XS__COL_ATTRS     /* JSON object text, exported as extra columns */
} xs__store_coltype;

typedef struct xs__store_column {
    const char *name;
    xs__store_coltype type;
} xs__store_column;

/* A store table: columns in data-model (file) order, ending with attrs, and
 * the indexes (into cols) of its key in key order. */
typedef struct xs__store_table_schema {
    const char *name;
    const xs__store_column *cols;
    size_t n_cols;
    const unsigned char *key;
    size_t n_key;
} xs__store_table_schema;

/* Definition of a table (static). */
const xs__store_table_schema *xs__store_table_def(xs_table_id t);

/* ---------------------------------------------------------------------- */
/* Opening, migrating, meta (sqlite.c)                                    */
/* ---------------------------------------------------------------------- */

/*
 * Opens a store migrating it with the given migration list instead of the
 * built-in one (tests use this to add a version-2 step). Same contract as
 * xs_store_open().
 */
int xs__store_open_with(xs_store **out, const char *path, const xs__store_migration *list,
                        size_t n_list, xs_error *err);

/* Reads meta[key] into buf (NUL-terminated). Returns 1 when found, 0 when
 * absent, or XS_EDB. */
int xs__store_meta_get(xs_store *st, const char *key, char *buf, size_t n, xs_error *err);
/* Writes meta[key] = value (insert or replace). Returns XS_OK or XS_EDB. */
int xs__store_meta_set(xs_store *st, const char *key, const char *value, xs_error *err);

/*
 * Fixes the store's currency on first use, or checks that it agrees.
 * code: 3 letters, or NULL for "whatever the store has (default USD:2)";
 * digits < 0: the usual digits of the code. Inside the caller's transaction:
 * writes meta when the store has no currency yet. Returns XS_OK, XS_EINVAL
 * (conflict with the store's currency) or XS_EDB.
 */
int xs__store_use_currency(xs_store *st, const char *code, int digits, xs_error *err);

/*
 * Fraction digits that xs__store_use_currency(st, code, digits) would give
 * money values, without writing anything: the store's when it has a
 * currency, else those of code (digits < 0: its usual ones; NULL: 2).
 */
int xs__store_money_scale_for(const xs_store *st, const char *code, int digits);

/* Sets err to XS_EDB with sqlite's message for st and what was attempted. */
int xs__store_dberr(xs_store *st, const char *what, xs_error *err);

/* Switches the connection's settings for a bulk load (on = 1: smaller page
 * cache) and back (on = 0). */
void xs__store_bulk(xs_store *st, int on);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return XS_OK or XS_EDB. */
int xs__store_begin(xs_store *st, xs_error *err);
int xs__store_commit(xs_store *st, xs_error *err);
/* Rolls back when a transaction is open (no error when none is). */
void xs__store_rollback(xs_store *st);

/* ---------------------------------------------------------------------- */
/* Writing rows (writer.c)                                                */
/* ---------------------------------------------------------------------- */

/* One value to store: NULL, integer, real or text (borrowed bytes). */
typedef struct xs__store_value {
    enum { XS__V_NULL = 0, XS__V_INT, XS__V_REAL, XS__V_TEXT } type;
    int64_t i;
    double d;
    const char *s;
    size_t len;
} xs__store_value;

typedef struct xs__store_writer xs__store_writer;

/*
 * Prepares the statements that upsert rows of table t (one insert, one
 * conditional update). The caller holds the transaction. Caller frees with
 * xs__store_writer_free(), before it ends the transaction: on SQLite the
 * writer inserts new rows on a thread of its own, which may still be
 * using the connection until then (and until a flush). Returns XS_OK,
 * XS_ENOMEM or XS_EDB.
 */
int xs__store_writer_new(xs__store_writer **out, xs_store *st, xs_table_id t,
                         xs_error *err);
void xs__store_writer_free(xs__store_writer *w);

/*
 * Stores one row; vals holds one value per column of the table def (attrs
 * last; borrowed for the call). key/klen: the row's key encoded so that byte
 * order is key order (the importer's encoding; borrowed), used to insert new
 * rows in key order. exists says whether the key is already in the table
 * (the importer knows from its key set): a new key is queued and inserted
 * with others in one statement — rows that arrive out of key order are
 * collected in runs and sorted first — so a failure may surface at a later
 * put or at xs__store_writer_flush; an existing key is updated only when
 * some value differs. Returns 0 inserted (queued), 1 updated, 2 unchanged,
 * 3 an existing key staged (PostgreSQL: updated or not is known after the
 * flush, see xs__store_writer_staged), or XS_EDB / XS_ENOMEM.
 */
int xs__store_writer_put(xs__store_writer *w, const xs__store_value *vals,
                         const char *key, size_t klen, int exists, xs_error *err);
/* Inserts the queued rows and applies the staged ones. Call before the
 * commit (and before building indexes). Returns XS_OK or XS_EDB. NULL is
 * fine. */
int xs__store_writer_flush(xs__store_writer *w, xs_error *err);
/* After the flush: how many staged rows (put returned 3) were updated and
 * how many were unchanged. NULL is fine (both 0). */
void xs__store_writer_staged(const xs__store_writer *w, unsigned long long *updated,
                             unsigned long long *unchanged);

/* Drops the secondary indexes of table t (inside the caller's transaction)
 * so a bulk load into an empty table does not maintain them row by row;
 * xs__store_indexes_create() builds them again before the commit. Returns
 * the number dropped / created, or XS_EDB. */
int xs__store_indexes_drop(xs_store *st, xs_table_id t, xs_error *err);
int xs__store_indexes_create(xs_store *st, xs_table_id t, xs_error *err);

/* PostgreSQL, for the two above (pgbulk.c): drops the primary key of the
 * (empty) table inside the caller's transaction, when its ACCESS EXCLUSIVE
 * lock is free at once (NOWAIT; held until the commit), and remembers it in
 * st; _add_key builds it again. Return 1 dropped / built, 0 kept (a reader
 * holds the table, no key, Citus) / nothing to build, or XS_EDB. */
int xs__store_pg_bulk_drop_key(xs_store *st, const char *table, xs_error *err);
int xs__store_pg_bulk_add_key(xs_store *st, xs_error *err);

/*
 * Calls fn for the key of every row of table t (key columns as text in key
 * order, e.g. two values for orders). Used to load known key sets in one
 * scan. fn returns 0 to go on or a negative code to stop (returned).
 * Returns XS_OK, fn's code or XS_EDB.
 */
int xs__store_scan_keys(xs_store *st, xs_table_id t,
                        int (*fn)(void *ctx, const xs__store_value *key, size_t n_key),
                        void *ctx, xs_error *err);

/*
 * Like xs__store_scan_keys, for any columns: calls fn once per row of table
 * t, in key order, with the values of the columns cols[0..n_cols-1]
 * (indexes into the table def, at most 8) as text (NULL as ""; borrowed for
 * the call). Returns XS_OK, fn's code, XS_EINVAL (bad column list) or XS_EDB.
 */
int xs__store_scan_cols(xs_store *st, xs_table_id t, const unsigned char *cols,
                        size_t n_cols,
                        int (*fn)(void *ctx, const xs__store_value *vals, size_t n_vals),
                        void *ctx, xs_error *err);

/* ---------------------------------------------------------------------- */
/* Logging offers (offers_log.c)                                          */
/* ---------------------------------------------------------------------- */

/* Inserts offers as xs_store_offers_log() does, filling their offer_id,
 * inside the caller's transaction (decisions.c logs them with the
 * decisions that chose them). Returns XS_OK, XS_EINVAL or XS_EDB. */
int xs__store_offers_insert(xs_store *st, xs_offer_record *r, size_t n, xs_error *err);

#endif
