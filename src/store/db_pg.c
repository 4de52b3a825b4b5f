/*
 * db_pg.c — the PostgreSQL backend of the database layer (db.h) on libpq.
 *
 * A statement's `?` / `?N` parameters become `$N` (outside quoted text);
 * the statement is prepared once per connection (PQprepare, named xsN and
 * cached by its text) and run with PQexecPrepared, values sent as text
 * parameters (blobs as binary). A statement prepared for a scan instead
 * declares a cursor over the same text and FETCHes it in batches of
 * SCAN_BATCH rows, so a scan of millions of rows holds one batch at a time;
 * outside a transaction it opens its own (REPEATABLE READ, so the whole
 * scan sees one snapshot) and ends it when the scan ends.
 *
 * Errors keep PostgreSQL's primary message (a missing column or table in
 * SQLite's words, "no such column: x"; an allocation of ours that failed is
 * XS__DB_NOMEM, reported as XS_ENOMEM); a lock that could not be had
 * within lock_timeout (SQLSTATE 55P03) is reported as busy, which the
 * store turns into XS_EBUSY with the same message as on SQLite.
 */
#include "store/db.h"

#include "base/alloc.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_BATCH 20000

typedef struct cached {
    char *sql; /* translated text */
    uint64_t hash;
    char name[16];
    int n_params;
} cached;

struct xs__store_pg {
    PGconn *conn;
    char err[1024];
    int busy;
    int nomem; /* the last error was an allocation of ours that failed */
    long long changes;
    cached **stmts; /* each allocated alone: statements point at them */
    size_t n_stmts, cap_stmts;
    unsigned next_id;
};

struct xs__store_pgstmt {
    xs__store_pg *c;
    const cached *prep; /* NULL for a scan (its text is in scan_sql) */
    char *scan_sql;
    int scan;
    int n_params;
    char **vals; /* owned copies; NULL: SQL NULL */
    int *lens, *fmts;
    PGresult *res;
    int row, n_rows, started, done;
    int finished; /* DONE returned: the next step runs it again */
    int cursor_open, own_txn;
    char cursor[24];
    void **blob; /* decoded bytea per column of the current row */
    size_t *blob_len;
    int n_blob;
};

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */
/* ---------------------------------------------------------------------- */

/* PostgreSQL's `column "x" does not exist` / `relation "x" does not exist`
 * said as SQLite says them ("no such column: x", "no such table: x"), so a
 * store of another schema is reported the same on both backends; 1 when m
 * was one of them. */
static int sqlite_words(char *out, size_t n, const char *m)
{
    static const struct {
        const char *pg, *sqlite;
    } words[] = {{"column \"", "no such column: "}, {"relation \"", "no such table: "}};
    static const char tail[] = "\" does not exist";
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t k = strlen(words[i].pg), len = strlen(m), t = sizeof tail - 1;
        if (strncmp(m, words[i].pg, k) || len < k + t + 1 || strcmp(m + len - t, tail) ||
            memchr(m + k, '"', len - k - t))
            continue;
        snprintf(out, n, "%s%.*s", words[i].sqlite, (int)(len - k - t), m + k);
        return 1;
    }
    return 0;
}

static int set_err(xs__store_pg *c, const PGresult *r)
{
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!m) m = PQerrorMessage(c->conn);
    if (!(m && state && (!strcmp(state, "42703") || !strcmp(state, "42P01")) &&
          sqlite_words(c->err, sizeof c->err, m)))
        snprintf(c->err, sizeof c->err, "%s", m && *m ? m : "unknown PostgreSQL error");
    size_t n = strlen(c->err);
    while (n && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
        c->err[--n] = 0;
    c->busy = state && !strcmp(state, "55P03");
    c->nomem = 0;
    return c->busy ? XS__DB_BUSY : XS__DB_ERROR;
}

/* An allocation of ours failed: the store reports XS_ENOMEM, as SQLite's
 * own allocations are (xs__store_db_nomem). */
static int set_nomem(xs__store_pg *c)
{
    snprintf(c->err, sizeof c->err, "out of memory");
    c->busy = 0;
    c->nomem = 1;
    return XS__DB_NOMEM;
}

/* Runs text without parameters; XS__DB_OK or an error code. */
static int run(xs__store_pg *c, const char *sql)
{
    PGresult *r = PQexec(c->conn, sql);
    ExecStatusType t = PQresultStatus(r);
    int rc = XS__DB_OK;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
        rc = set_err(c, r);
    else
        c->changes = atoll(PQcmdTuples(r));
    PQclear(r);
    return rc;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* ---------------------------------------------------------------------- */
/* Connection                                                             */
/* ---------------------------------------------------------------------- */

int xs__store_pg_connect(xs__store_pg **out, const char *url, int readonly, char *msg,
                         size_t n_msg)
{
    *out = NULL;
    xs__store_pg *c = xs__calloc(1, sizeof *c);
    if (!c) {
        snprintf(msg, n_msg, "out of memory");
        return XS__DB_NOMEM;
    }
    c->conn = PQconnectdb(url);
    if (!c->conn || PQstatus(c->conn) != CONNECTION_OK) {
        snprintf(msg, n_msg, "%s", c->conn ? PQerrorMessage(c->conn) : "out of memory");
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            msg[--n] = 0;
        xs__store_pg_close(c);
        return XS__DB_ERROR;
    }
    PQsetNoticeProcessor(c->conn, quiet, NULL);
    char sql[160]; /* numbers of ours, not user data */
    snprintf(sql, sizeof sql,
             "SET client_min_messages = warning; SET lock_timeout = %d;"
             " SET default_transaction_read_only = %s",
             XS_STORE_BUSY_MS, readonly ? "on" : "off");
    if (run(c, sql) != XS__DB_OK) {
        snprintf(msg, n_msg, "%s", c->err);
        xs__store_pg_close(c);
        return XS__DB_ERROR;
    }
    *out = c;
    return XS__DB_OK;
}

void xs__store_pg_close(xs__store_pg *c)
{
    if (!c) return;
    if (c->conn) PQfinish(c->conn);
    for (size_t i = 0; i < c->n_stmts; i++) {
        xs__free(c->stmts[i]->sql);
        xs__free(c->stmts[i]);
    }
    xs__free(c->stmts);
    xs__free(c);
}

void xs__store_pg_lock_timeout(xs__store_pg *c, unsigned ms)
{
    char sql[64];
    /* 0 means "wait forever" to PostgreSQL but "fail at once" to the store */
    snprintf(sql, sizeof sql, "SET lock_timeout = %u", ms ? ms : 1);
    run(c, sql);
}

int xs__store_pg_exec(xs__store_pg *c, const char *sql)
{
    return run(c, sql);
}

long long xs__store_pg_changes(xs__store_pg *c)
{
    return c->changes;
}

const char *xs__store_pg_errmsg(xs__store_pg *c)
{
    return c->err;
}

int xs__store_pg_nomem(xs__store_pg *c)
{
    return c->nomem;
}

int xs__store_pg_busy(xs__store_pg *c)
{
    return c->busy;
}

int xs__store_pg_in_txn(xs__store_pg *c)
{
    return PQtransactionStatus(c->conn) != PQTRANS_IDLE;
}

/* ---------------------------------------------------------------------- */
/* Statements                                                             */
/* ---------------------------------------------------------------------- */

/* sql with ?N / ? turned into $N outside quotes; *n_params: the largest
 * parameter number. Caller frees. */
static char *translate(const char *sql, size_t len, int *n_params)
{
    char *o = xs__malloc(len * 2 + 1), *p = o;
    int max = 0;
    if (!o) return NULL;
    for (size_t i = 0; i < len; i++) {
        char ch = sql[i];
        if (ch == '\'' || ch == '"') {
            *p++ = ch;
            for (i++; i < len && sql[i] != ch; i++)
                *p++ = sql[i];
            if (i < len) *p++ = sql[i];
            continue;
        }
        if (ch != '?') {
            *p++ = ch;
            continue;
        }
        int num = 0, digits = 0;
        while (i + 1 < len && sql[i + 1] >= '0' && sql[i + 1] <= '9' && digits < 5) {
            num = num * 10 + (sql[++i] - '0');
            digits++;
        }
        if (!digits) num = max + 1;
        if (num > max) max = num;
        p += sprintf(p, "$%d", num);
    }
    *p = 0;
    *n_params = max;
    return o;
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The cached prepared statement for text (translated), preparing it on
 * first use. */
static int cached_prepare(xs__store_pg *c, char *text, int n_params, const cached **out)
{
    uint64_t h = hash_text(text);
    for (size_t i = 0; i < c->n_stmts; i++) {
        if (c->stmts[i]->hash == h && !strcmp(c->stmts[i]->sql, text)) {
            xs__free(text);
            *out = c->stmts[i];
            return XS__DB_OK;
        }
    }
    cached *e = xs__calloc(1, sizeof *e);
    if (!e || xs__grow(&c->stmts, &c->cap_stmts, c->n_stmts + 1, sizeof *c->stmts) < 0) {
        xs__free(e);
        xs__free(text);
        return set_nomem(c);
    }
    snprintf(e->name, sizeof e->name, "xs%u", c->next_id++);
    PGresult *r = PQprepare(c->conn, e->name, text, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        int rc = set_err(c, r);
        PQclear(r);
        xs__free(text);
        xs__free(e);
        return rc;
    }
    PQclear(r);
    e->sql = text;
    e->hash = h;
    e->n_params = n_params;
    c->stmts[c->n_stmts++] = e;
    *out = e;
    return XS__DB_OK;
}

int xs__store_pg_prepare(xs__store_pg *c, const char *sql, int len, int scan,
                         xs__store_pgstmt **out)
{
    *out = NULL;
    int n_params = 0;
    char *text = translate(sql, len < 0 ? strlen(sql) : (size_t)len, &n_params);
    xs__store_pgstmt *s = xs__calloc(1, sizeof *s);
    if (!text || !s) {
        xs__free(text);
        xs__free(s);
        return set_nomem(c);
    }
    s->c = c;
    s->scan = scan;
    s->n_params = n_params;
    if (scan) {
        /* checked now (as a prepare would), run as a cursor on the first step */
        const char *what = text;
        PGresult *r = PQprepare(c->conn, "", what, 0, NULL);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        int rc = ok ? XS__DB_OK : set_err(c, r);
        PQclear(r);
        if (!ok) {
            xs__free(text);
            xs__free(s);
            return rc;
        }
        s->scan_sql = text;
    } else {
        int rc = cached_prepare(c, text, n_params, &s->prep);
        if (rc != XS__DB_OK) {
            xs__free(s);
            return rc;
        }
    }
    if (n_params) {
        s->vals = xs__calloc((size_t)n_params, sizeof *s->vals);
        s->lens = xs__calloc((size_t)n_params, sizeof *s->lens);
        s->fmts = xs__calloc((size_t)n_params, sizeof *s->fmts);
        if (!s->vals || !s->lens || !s->fmts) {
            xs__store_pg_finalize(s);
            return set_nomem(c);
        }
    }
    *out = s;
    return XS__DB_OK;
}

static void clear_blobs(xs__store_pgstmt *s)
{
    for (int i = 0; i < s->n_blob; i++) {
        xs__free(s->blob[i]);
        s->blob[i] = NULL;
    }
}

/* Ends the scan's cursor and its own transaction. */
static void close_cursor(xs__store_pgstmt *s)
{
    if (s->cursor_open) {
        char sql[48];
        snprintf(sql, sizeof sql, "CLOSE %s", s->cursor);
        if (PQtransactionStatus(s->c->conn) == PQTRANS_INTRANS) {
            PGresult *r = PQexec(s->c->conn, sql);
            PQclear(r);
        }
        s->cursor_open = 0;
    }
    if (s->own_txn) {
        int ok = PQtransactionStatus(s->c->conn) == PQTRANS_INTRANS;
        PGresult *r = PQexec(s->c->conn, ok ? "COMMIT" : "ROLLBACK");
        PQclear(r);
        s->own_txn = 0;
    }
}

int xs__store_pg_reset(xs__store_pgstmt *s)
{
    PQclear(s->res);
    s->res = NULL;
    clear_blobs(s);
    close_cursor(s);
    s->started = s->done = s->finished = 0;
    s->row = s->n_rows = 0;
    return XS__DB_OK;
}

void xs__store_pg_finalize(xs__store_pgstmt *s)
{
    if (!s) return;
    xs__store_pg_reset(s);
    for (int i = 0; i < s->n_params; i++)
        if (s->vals) xs__free(s->vals[i]);
    xs__free(s->vals);
    xs__free(s->lens);
    xs__free(s->fmts);
    xs__free(s->scan_sql);
    xs__free(s->blob);
    xs__free(s->blob_len);
    xs__free(s);
}

int xs__store_pg_bind(xs__store_pgstmt *s, int i, int type, int64_t iv, double dv,
                      const void *p, int n)
{
    if (i < 1 || i > s->n_params) return XS__DB_ERROR;
    i--;
    xs__free(s->vals[i]);
    s->vals[i] = NULL;
    s->lens[i] = 0;
    s->fmts[i] = 0;
    char num[40];
    switch (type) {
    case XS__DB_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)iv);
        p = num;
        n = -1;
        break;
    case XS__DB_FLOAT:
        if (dv != dv)
            snprintf(num, sizeof num, "NaN");
        else if (dv > 1.7976931348623157e308)
            snprintf(num, sizeof num, "Infinity");
        else if (dv < -1.7976931348623157e308)
            snprintf(num, sizeof num, "-Infinity");
        else
            snprintf(num, sizeof num, "%.17g", dv);
        p = num;
        n = -1;
        break;
    case XS__DB_NULL:
        return XS__DB_OK;
    default:
        if (!p) return XS__DB_OK; /* sqlite3_bind_text(NULL) binds NULL */
        break;
    }
    size_t len = n < 0 ? strlen(p) : (size_t)n;
    char *copy = xs__malloc(len + 1);
    if (!copy) return set_nomem(s->c);
    if (len) memcpy(copy, p, len);
    copy[len] = 0;
    s->vals[i] = copy;
    s->lens[i] = (int)len;
    s->fmts[i] = type == XS__DB_BLOB ? 1 : 0;
    return XS__DB_OK;
}

/* Fetches the next batch of a scan's cursor. */
static int fetch(xs__store_pgstmt *s)
{
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", SCAN_BATCH, s->cursor);
    PQclear(s->res);
    clear_blobs(s);
    s->res = PQexec(s->c->conn, sql);
    if (PQresultStatus(s->res) != PGRES_TUPLES_OK) {
        int rc = set_err(s->c, s->res);
        PQclear(s->res);
        s->res = NULL;
        return rc;
    }
    s->n_rows = PQntuples(s->res);
    s->row = -1;
    if (s->n_rows < SCAN_BATCH) s->done = 1;
    return XS__DB_OK;
}

static int start_scan(xs__store_pgstmt *s)
{
    xs__store_pg *c = s->c;
    if (PQtransactionStatus(c->conn) == PQTRANS_IDLE) {
        int rc = run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ");
        if (rc != XS__DB_OK) return rc;
        s->own_txn = 1;
    }
    snprintf(s->cursor, sizeof s->cursor, "xs_c%u", c->next_id++);
    size_t n = strlen(s->scan_sql) + 64;
    char *sql = xs__malloc(n);
    if (!sql) return set_nomem(c);
    snprintf(sql, n, "DECLARE %s NO SCROLL CURSOR FOR %s", s->cursor, s->scan_sql);
    PGresult *r = PQexecParams(c->conn, sql, s->n_params, NULL,
                               (const char *const *)s->vals, s->lens, s->fmts, 0);
    xs__free(sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        int rc = set_err(c, r);
        PQclear(r);
        return rc;
    }
    PQclear(r);
    s->cursor_open = 1;
    return fetch(s);
}

int xs__store_pg_step(xs__store_pgstmt *s)
{
    xs__store_pg *c = s->c;
    if (s->finished)
        xs__store_pg_reset(s); /* as SQLite: a step after the end starts over */
    if (!s->started) {
        s->started = 1;
        if (s->scan) {
            int rc = start_scan(s);
            if (rc != XS__DB_OK) {
                close_cursor(s);
                return rc;
            }
        } else {
            s->res = PQexecPrepared(c->conn, s->prep->name, s->n_params,
                                    (const char *const *)s->vals, s->lens, s->fmts, 0);
            ExecStatusType t = PQresultStatus(s->res);
            if (t == PGRES_COMMAND_OK) {
                c->changes = atoll(PQcmdTuples(s->res));
                PQclear(s->res);
                s->res = NULL;
                s->finished = 1;
                return XS__DB_DONE;
            }
            if (t != PGRES_TUPLES_OK) {
                int rc = set_err(c, s->res);
                PQclear(s->res);
                s->res = NULL;
                return rc;
            }
            c->changes = atoll(PQcmdTuples(s->res));
            s->n_rows = PQntuples(s->res);
            s->row = -1;
            s->done = 1;
        }
    }
    if (!s->res) {
        s->finished = 1;
        return XS__DB_DONE;
    }
    clear_blobs(s);
    if (++s->row < s->n_rows) return XS__DB_ROW;
    if (s->scan && !s->done) {
        int rc = fetch(s);
        if (rc != XS__DB_OK) return rc;
        if (++s->row < s->n_rows) return XS__DB_ROW;
    }
    if (s->scan) close_cursor(s);
    s->finished = 1;
    return XS__DB_DONE;
}

/* ---------------------------------------------------------------------- */
/* Columns                                                                */
/* ---------------------------------------------------------------------- */

static int valid(xs__store_pgstmt *s, int i)
{
    return s->res && s->row >= 0 && s->row < s->n_rows && i >= 0 && i < PQnfields(s->res);
}

int xs__store_pg_column_type(xs__store_pgstmt *s, int i)
{
    if (!valid(s, i) || PQgetisnull(s->res, s->row, i)) return XS__DB_NULL;
    switch (PQftype(s->res, i)) {
    case 16: /* bool */
    case 20: /* int8 */
    case 21: /* int2 */
    case 23: /* int4 */
    case 26: /* oid */
        return XS__DB_INTEGER;
    case 700:
    case 701:
        return XS__DB_FLOAT;
    case 1700: /* numeric: integral sums are integers */
        return strpbrk(PQgetvalue(s->res, s->row, i), ".eEN") ? XS__DB_FLOAT
                                                              : XS__DB_INTEGER;
    case 17:
        return XS__DB_BLOB;
    default:
        return XS__DB_TEXT;
    }
}

const unsigned char *xs__store_pg_column_text(xs__store_pgstmt *s, int i)
{
    if (!valid(s, i) || PQgetisnull(s->res, s->row, i)) return NULL;
    const char *v = PQgetvalue(s->res, s->row, i);
    if (PQftype(s->res, i) == 16) return (const unsigned char *)(*v == 't' ? "1" : "0");
    return (const unsigned char *)v;
}

int64_t xs__store_pg_column_int64(xs__store_pgstmt *s, int i)
{
    const unsigned char *v = xs__store_pg_column_text(s, i);
    if (!v) return 0;
    if (PQftype(s->res, i) == 701 || PQftype(s->res, i) == 700 ||
        PQftype(s->res, i) == 1700)
        return (int64_t)strtod((const char *)v, NULL);
    return strtoll((const char *)v, NULL, 10);
}

double xs__store_pg_column_double(xs__store_pgstmt *s, int i)
{
    const unsigned char *v = xs__store_pg_column_text(s, i);
    return v ? strtod((const char *)v, NULL) : 0.0;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return 0;
}

const void *xs__store_pg_column_blob(xs__store_pgstmt *s, int i)
{
    if (!valid(s, i) || PQgetisnull(s->res, s->row, i)) return NULL;
    const char *v = PQgetvalue(s->res, s->row, i);
    if (PQftype(s->res, i) != 17 || strncmp(v, "\\x", 2)) return v;
    int nf = PQnfields(s->res);
    if (s->n_blob < nf) {
        void **b = xs__calloc((size_t)nf, sizeof *b);
        size_t *l = xs__calloc((size_t)nf, sizeof *l);
        if (!b || !l) {
            xs__free(b);
            xs__free(l);
            return NULL;
        }
        xs__free(s->blob);
        xs__free(s->blob_len);
        s->blob = b;
        s->blob_len = l;
        s->n_blob = nf;
    }
    if (!s->blob[i]) {
        size_t n = (strlen(v) - 2) / 2;
        unsigned char *o = xs__malloc(n + 1);
        if (!o) return NULL;
        for (size_t k = 0; k < n; k++)
            o[k] = (unsigned char)(hexval(v[2 + 2 * k]) << 4 | hexval(v[3 + 2 * k]));
        s->blob[i] = o;
        s->blob_len[i] = n;
    }
    return s->blob[i];
}

int xs__store_pg_column_bytes(xs__store_pgstmt *s, int i)
{
    if (!valid(s, i) || PQgetisnull(s->res, s->row, i)) return 0;
    if (PQftype(s->res, i) == 17) {
        const char *v = PQgetvalue(s->res, s->row, i);
        if (!strncmp(v, "\\x", 2)) return (int)((strlen(v) - 2) / 2);
    }
    if (PQftype(s->res, i) == 16) return 1;
    return PQgetlength(s->res, s->row, i);
}

const char *xs__store_pg_column_name(xs__store_pgstmt *s, int i)
{
    return s->res && i >= 0 && i < PQnfields(s->res) ? PQfname(s->res, i) : "";
}

/* ---------------------------------------------------------------------- */
/* COPY                                                                   */
/* ---------------------------------------------------------------------- */

/* Sends a COPY statement and checks that the server now expects (COPY
 * FROM STDIN: PGRES_COPY_IN) or sends (TO STDOUT: PGRES_COPY_OUT) rows. */
static int copy_start(xs__store_pg *c, const char *sql, ExecStatusType want)
{
    PGresult *r = PQexec(c->conn, sql);
    if (PQresultStatus(r) != want) {
        int rc = set_err(c, r);
        PQclear(r);
        return rc;
    }
    PQclear(r);
    return XS__DB_OK;
}

int xs__store_pg_copy_begin(xs__store_pg *c, const char *sql)
{
    return copy_start(c, sql, PGRES_COPY_IN);
}

int xs__store_pg_copy_data(xs__store_pg *c, const char *buf, size_t len)
{
    while (len) {
        int n = len > (1u << 30) ? 1 << 30 : (int)len;
        if (PQputCopyData(c->conn, buf, n) != 1) {
            snprintf(c->err, sizeof c->err, "%s", PQerrorMessage(c->conn));
            return XS__DB_ERROR;
        }
        buf += n;
        len -= (size_t)n;
    }
    return XS__DB_OK;
}

int xs__store_pg_copy_end(xs__store_pg *c)
{
    if (PQputCopyEnd(c->conn, NULL) != 1) {
        snprintf(c->err, sizeof c->err, "%s", PQerrorMessage(c->conn));
        return XS__DB_ERROR;
    }
    int rc = XS__DB_OK;
    PGresult *r;
    while ((r = PQgetResult(c->conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == XS__DB_OK) rc = set_err(c, r);
        PQclear(r);
    }
    return rc;
}

/* Reads and checks the results that end a COPY; XS__DB_OK or the first
 * error. */
static int copy_results(xs__store_pg *c)
{
    int rc = XS__DB_OK;
    PGresult *r;
    while ((r = PQgetResult(c->conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == XS__DB_OK) rc = set_err(c, r);
        PQclear(r);
    }
    return rc;
}

int xs__store_pg_copy_out_begin(xs__store_pg *c, const char *sql)
{
    return copy_start(c, sql, PGRES_COPY_OUT);
}

int xs__store_pg_copy_out_row(xs__store_pg *c, char **row, size_t *len)
{
    *row = NULL;
    *len = 0;
    int n = PQgetCopyData(c->conn, row, 0);
    if (n > 0) {
        *len = (size_t)n;
        return XS__DB_ROW;
    }
    if (n == -1) {
        int rc = copy_results(c);
        return rc == XS__DB_OK ? XS__DB_DONE : rc;
    }
    snprintf(c->err, sizeof c->err, "%s", PQerrorMessage(c->conn));
    copy_results(c);
    return XS__DB_ERROR;
}

void xs__store_pg_copy_out_free(char *row)
{
    if (row) PQfreemem(row);
}

void xs__store_pg_copy_out_end(xs__store_pg *c)
{
    char *row;
    int n;
    while ((n = PQgetCopyData(c->conn, &row, 0)) > 0)
        PQfreemem(row);
    copy_results(c);
}

void xs__store_pg_copy_abort(xs__store_pg *c)
{
    PQputCopyEnd(c->conn, "abandoned");
    PGresult *r;
    while ((r = PQgetResult(c->conn)) != NULL)
        PQclear(r);
}
