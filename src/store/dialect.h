/*
 * dialect.h — the SQL that differs between the store's two backends, one
 * entry per difference (dialect.c): catalog queries, how a write
 * transaction takes the store's lock, JSON access, and the DDL of the
 * migrations (PostgreSQL's is derived from SQLite's, or given next to the
 * step in schema.c when a step cannot be translated).
 *
 * Everything else in src/store is written once in SQL both accept
 * (INSERT ... ON CONFLICT, RETURNING, IS DISTINCT FROM, row values).
 */
#ifndef XS_STORE_DIALECT_H
#define XS_STORE_DIALECT_H

#include "store/store_int.h"

typedef enum xs__store_sql {
    XS__SQL_HAS_MIGRATIONS, /* one integer: 1 when schema_migrations exists */
    XS__SQL_COUNT_TABLES,   /* one integer: tables of the database */
    XS__SQL_BEGIN_WRITE,    /* starts a write transaction holding the write lock */
    XS__SQL_BEGIN_READ,     /* starts a read transaction over one snapshot */
    XS__SQL_NAME_JA,        /* expression: products' Japanese name from attrs */
    XS__SQL_N
} xs__store_sql;

/* Static SQL text of what for st's backend. */
const char *xs__store_dialect(const xs_store *st, xs__store_sql what);

/*
 * The SQL of migration step m for st's backend: SQLite runs m->sql as it
 * is; PostgreSQL runs m->pg_sql when the step has one, else m->sql with
 * its types translated (INTEGER -> BIGINT, REAL -> DOUBLE PRECISION, BLOB
 * -> BYTEA, TEXT -> TEXT COLLATE "C" so that text sorts by bytes as in
 * SQLite, INTEGER PRIMARY KEY -> an identity column, no WITHOUT ROWID).
 * Caller frees with xs__free(); NULL when out of memory.
 */
char *xs__store_dialect_migration(const xs_store *st, const xs__store_migration *m);

#endif
