/*
 * writer.c — prepared upserts per store table, and the key scan the importer
 * uses to know which keys a table already holds.
 *
 * The importer decides insert vs update from its in-memory key set (loaded
 * once with xs__store_scan_keys), so a new row is one plain INSERT and an
 * existing one an UPDATE guarded by "some value differs": the changes count
 * then tells updated (1) from unchanged (0) without reading the row first.
 * New rows are queued and inserted 64 at a time by one multi-row INSERT,
 * on a thread of their own once an import has more than a block of them
 * (below: "The inserting thread").
 * The SQL text is assembled once per import from the static column names of
 * schema.c; values are always bound, never spliced in.
 *
 * On PostgreSQL new rows go through COPY instead (pgcopy.c: many times
 * faster than INSERTs there, and their order does not matter to a heap
 * table, so they are not sorted). Rows of existing keys are COPYed into a
 * temporary staging table of the same columns (created at the first one,
 * dropped at the commit) and applied at the flush by one guarded UPDATE
 * ... FROM it: a statement per import instead of a round trip per row (a
 * re-import of 100,000 order lines took 15.6 s that way). Its count is the
 * rows updated; the staged rest were unchanged.
 */
#include "store/db.h"
#include "store/pgcopy.h"
#include "store/store_int.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Rows of new keys are inserted BATCH at a time by one multi-row INSERT:
 * the per-statement work of SQLite (step, halt, reset) is then paid once per
 * batch instead of once per row. Their values are copied, since the caller's
 * are borrowed only for the call. */
#define BATCH 64

/* A record of a run: the first 16 bytes of its key (big-endian, zero
 * padded), so that most comparisons of the sort never touch the record
 * itself (a cache miss each in a run of tens of megabytes), and its offset. */
struct runrec {
    uint64_t p0, p1;
    size_t off;
};

/* Rows that arrive out of key order are collected into runs of up to
 * RUN_BYTES, each sorted by key and then inserted: a sorted run sweeps the
 * B-tree once from left to right instead of touching a random page per row
 * (a shuffled million-line file: about 5 times faster). The size bounds the
 * memory (plus 48 bytes per row for sorting); one run (the rows of a
 * 1,000,000-line orders file take about 90 MB) is appended to the table,
 * while every further run is merged into pages already written (a second
 * run made that file about 20 % slower than one). */
#define RUN_BYTES ((size_t)128 << 20)

/* How many records ahead flush_run prefetches. */
#define PREFETCH_AHEAD 8

/* New rows are queued in blocks of BLOCK_ROWS; a full block goes to the
 * inserting thread while the next one fills, N_BLOCKS at most in flight
 * (about 100 KB each for offers or orders). */
#define BLOCK_ROWS (16 * BATCH)
#define N_BLOCKS 4

/* A block of queued new rows: n rows of n_cols values, text at offsets
 * (in .i) into bytes, because that buffer may move while the block fills. */
typedef struct wblock {
    xs__store_value *vals;
    size_t n;
    char *bytes;
    size_t n_bytes, cap_bytes;
} wblock;

struct xs__store_writer {
    xs_store *st;
    const xs__store_table_schema *def;
    xs__store_stmt *ins, *upd, *ins_batch;
    xs__store_pgcopy *copy;                 /* PostgreSQL: new rows by COPY */
    xs__store_pgcopy *stage;                /* ... existing ones into the staging table */
    unsigned long long n_staged, n_updated; /* rows staged; updated by the flush */
    wblock blocks[N_BLOCKS];
    size_t cur;        /* the block the caller's rows are queued in */
    size_t block_rows; /* rows of a full block */

    /* the inserting thread (see "The inserting thread"): blocks head ..
     * head + n_full - 1 (mod N_BLOCKS) are queued for it; mu guards these
     * and th_stop, th_rc, th_err; cv signals a change of any */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int th_started, th_stop;
    size_t head, n_full;
    int th_rc;       /* XS_OK, or the first failure of the thread */
    xs_error th_err; /* ... its detail */

    char *last_key; /* key of the last new row while they come in order */
    size_t last_len, cap_last;
    int have_last, sorting;
    char *run; /* records: u32 key length, key, then per column a type byte
                * and 8 bytes (int, real) or u32 length + bytes (text) */
    size_t run_len, cap_run;
    struct runrec *recs, *tmp; /* the records of the run; sort scratch */
    size_t n_recs, cap_recs, cap_tmp;
};

/* SQL is assembled from static names in an xs__buf (base/buf.h); ?N is
 * parameter i (from 0). */
static void sb_param(xs__buf *b, size_t i)
{
    xs__buf_printf(b, "?%zu", i + 1);
}

static int is_key(const xs__store_table_schema *d, size_t col)
{
    for (size_t k = 0; k < d->n_key; k++)
        if (d->key[k] == col) return 1;
    return 0;
}

/* INSERT INTO t(c1, ..., cn) VALUES (?1, ..., ?n)[, (?n+1, ...)]... for
 * n_rows rows */
static void build_insert(xs__buf *b, const xs__store_table_schema *d, size_t n_rows)
{
    xs__buf_adds(b, "INSERT INTO ");
    xs__buf_adds(b, d->name);
    xs__buf_adds(b, "(");
    for (size_t i = 0; i < d->n_cols; i++) {
        if (i) xs__buf_adds(b, ", ");
        xs__buf_adds(b, d->cols[i].name);
    }
    xs__buf_adds(b, ") VALUES ");
    for (size_t r = 0; r < n_rows; r++) {
        xs__buf_adds(b, r ? ", (" : "(");
        for (size_t i = 0; i < d->n_cols; i++) {
            if (i) xs__buf_adds(b, ", ");
            sb_param(b, r * d->n_cols + i);
        }
        xs__buf_adds(b, ")");
    }
}

/* UPDATE t SET c=?i, ... WHERE k=?j AND ... AND (c, ...) IS DISTINCT FROM (?i, ...) */
static void build_update(xs__buf *b, const xs__store_table_schema *d)
{
    xs__buf_adds(b, "UPDATE ");
    xs__buf_adds(b, d->name);
    xs__buf_adds(b, " SET ");
    int first = 1;
    for (size_t i = 0; i < d->n_cols; i++) {
        if (is_key(d, i)) continue;
        if (!first) xs__buf_adds(b, ", ");
        first = 0;
        xs__buf_adds(b, d->cols[i].name);
        xs__buf_adds(b, " = ");
        sb_param(b, i);
    }
    xs__buf_adds(b, " WHERE ");
    for (size_t k = 0; k < d->n_key; k++) {
        if (k) xs__buf_adds(b, " AND ");
        xs__buf_adds(b, d->cols[d->key[k]].name);
        xs__buf_adds(b, " = ");
        sb_param(b, d->key[k]);
    }
    xs__buf_adds(b, " AND (");
    first = 1;
    for (size_t i = 0; i < d->n_cols; i++) {
        if (is_key(d, i)) continue;
        if (!first) xs__buf_adds(b, ", ");
        first = 0;
        xs__buf_adds(b, d->cols[i].name);
    }
    xs__buf_adds(b, ") IS DISTINCT FROM (");
    first = 1;
    for (size_t i = 0; i < d->n_cols; i++) {
        if (is_key(d, i)) continue;
        if (!first) xs__buf_adds(b, ", ");
        first = 0;
        sb_param(b, i);
    }
    xs__buf_adds(b, ")");
}

/* Prepares the update (update = 1) or an insert of n_rows rows. */
static int prepare(xs_store *st, const xs__store_table_schema *d, int update,
                   size_t n_rows, xs__store_stmt **out, xs_error *err)
{
    xs__buf b = {0};
    if (update)
        build_update(&b, d);
    else
        build_insert(&b, d, n_rows);
    if (b.err) {
        xs__buf_free(&b);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    int rc = xs__store_db_prepare(st, xs__buf_cstr(&b), (int)b.n, out);
    xs__buf_free(&b);
    if (rc != XS__DB_OK) return xs__store_dberr(st, "preparing an upsert", err);
    return XS_OK;
}

/* Allocates the values of block b (once). Returns 0 or -1 (no memory). */
static int block_alloc(const xs__store_writer *w, wblock *b)
{
    if (!b->vals) b->vals = xs__calloc(w->block_rows * w->def->n_cols, sizeof *b->vals);
    return b->vals ? 0 : -1;
}

/* Contract in store_int.h. */
int xs__store_writer_new(xs__store_writer **out, xs_store *st, xs_table_id t,
                         xs_error *err)
{
    *out = NULL;
    const xs__store_table_schema *d = xs__store_table_def(t);
    if (!d)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no such table (id %d)",
                             (int)t);
    xs__store_writer *w = xs__calloc(1, sizeof *w);
    if (!w) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    w->st = st;
    w->def = d;
    int rc = prepare(st, d, 0, 1, &w->ins, err);
    if (rc == XS_OK) rc = prepare(st, d, 1, 1, &w->upd, err);
    if (rc == XS_OK && st->pg) rc = xs__store_pgcopy_new(&w->copy, st, d, NULL, err);
    w->block_rows = st->insert_block_rows ? st->insert_block_rows : BLOCK_ROWS;
    if (rc == XS_OK && !st->pg && block_alloc(w, &w->blocks[0]) < 0)
        rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (rc < 0) {
        xs__store_writer_free(w);
        return rc;
    }
    *out = w;
    return XS_OK;
}

static void thread_stop(xs__store_writer *w);

/* Contract in store_int.h. */
void xs__store_writer_free(xs__store_writer *w)
{
    if (!w) return;
    thread_stop(w); /* an abandoned import: blocks still queued are dropped */
    xs__store_pgcopy_free(w->stage);
    xs__store_pgcopy_free(w->copy);
    xs__store_db_finalize(w->ins);
    xs__store_db_finalize(w->upd);
    xs__store_db_finalize(w->ins_batch);
    for (size_t i = 0; i < N_BLOCKS; i++) {
        xs__free(w->blocks[i].vals);
        xs__free(w->blocks[i].bytes);
    }
    xs__free(w->last_key);
    xs__free(w->run);
    xs__free(w->recs);
    xs__free(w->tmp);
    xs__free(w);
}

static void bind_value(xs__store_stmt *s, int idx, const xs__store_value *v)
{
    switch (v->type) {
    case XS__V_INT:
        xs__store_db_bind_int64(s, idx, v->i);
        break;
    case XS__V_REAL:
        xs__store_db_bind_double(s, idx, v->d);
        break;
    case XS__V_TEXT:
        xs__store_db_bind_text(s, idx, v->s, (int)v->len);
        break;
    default:
        xs__store_db_bind_null(s, idx);
        break;
    }
}

/* Binds rows [from, to) of block b to s from parameter 1 on. */
static void bind_rows(const xs__store_writer *w, const wblock *b, xs__store_stmt *s,
                      size_t from, size_t to)
{
    size_t nc = w->def->n_cols;
    int idx = 1;
    for (size_t r = from; r < to; r++) {
        for (size_t i = 0; i < nc; i++, idx++) {
            xs__store_value v = b->vals[r * nc + i];
            if (v.type == XS__V_TEXT) v.s = b->bytes + (size_t)v.i;
            bind_value(s, idx, &v);
        }
    }
}

/* Inserts the rows of block b: BATCH at a time by one statement, the rest
 * one by one. Runs on either thread (never both at once); allocates
 * nothing of ours, so that a test failing the Nth allocation fails the
 * same one whichever thread inserts. */
static int insert_block(xs__store_writer *w, const wblock *b, xs_error *err)
{
    size_t r = 0;
    for (; w->ins_batch && b->n - r >= BATCH; r += BATCH) {
        bind_rows(w, b, w->ins_batch, r, r + BATCH);
        int step = xs__store_db_step(w->ins_batch);
        xs__store_db_reset(w->ins_batch);
        if (step != XS__DB_DONE) return xs__store_dberr(w->st, "writing rows", err);
    }
    for (; r < b->n; r++) {
        bind_rows(w, b, w->ins, r, r + 1);
        int step = xs__store_db_step(w->ins);
        xs__store_db_reset(w->ins);
        if (step != XS__DB_DONE) return xs__store_dberr(w->st, "writing a row", err);
    }
    return XS_OK;
}

/* Prepares the statement of BATCH rows when block b holds that many (on
 * the caller's thread). Compiling it costs more than a small write (one
 * POST /v1/events) does in all, so it waits for the first full batch. */
static int need_batch(xs__store_writer *w, const wblock *b, xs_error *err)
{
    if (w->ins_batch || b->n < BATCH) return XS_OK;
    return prepare(w->st, w->def, 0, BATCH, &w->ins_batch, err);
}

/* ---------------------------------------------------------------------- */
/* The inserting thread                                                   */
/* ---------------------------------------------------------------------- */

/*
 * A bulk load of new rows on SQLite is two jobs of about equal weight:
 * reading, checking and ordering the rows (the importer), and SQLite
 * placing them in the B-tree and writing its pages. On one thread they
 * take turns; here, once a first block of rows is full, a second thread
 * runs the INSERTs of full blocks while the caller fills the next one
 * (1M customers' offers in key order: about 0.35 s of INSERTs beside
 * 0.15 s of reading and checking, of 0.9 s CPU in all; bench/RESULTS.md,
 * "A second thread for the INSERTs").
 *
 * The connection is opened NOMUTEX, so it must never be used by both
 * threads at once: while blocks are queued, the caller touches only the
 * block it fills; every other use of the connection by the writer (an
 * UPDATE, the flush, the end) first waits until the thread is idle
 * (wait_idle), and the importer frees the writer before it ends the
 * transaction. The thread's first failure is kept and returned by the
 * next hand-over or wait, so the import stops with SQLite's message as
 * before, only up to a few blocks of rows later; blocks queued after a
 * failure, or when the writer is freed, are dropped. A process killed
 * meanwhile commits nothing, as before.
 */
static void *insert_thread(void *arg)
{
    xs__store_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->n_full && !w->th_stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->n_full) break; /* stopped, nothing queued */
        wblock *b = &w->blocks[w->head];
        int skip = w->th_stop || w->th_rc < 0;
        pthread_mutex_unlock(&w->mu);
        xs_error e;
        int rc = skip ? XS_OK : insert_block(w, b, &e);
        pthread_mutex_lock(&w->mu);
        if (rc < 0 && w->th_rc == XS_OK) {
            w->th_rc = rc;
            w->th_err = e;
        }
        b->n = 0;
        b->n_bytes = 0;
        w->head = (w->head + 1) % N_BLOCKS;
        w->n_full--;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The thread's first failure (XS_OK when none), its detail copied to err.
 * Call with w->mu held. */
static int thread_rc(const xs__store_writer *w, xs_error *err)
{
    if (w->th_rc < 0 && err) *err = w->th_err;
    return w->th_rc;
}

/* Starts the thread with every block allocated. Returns 1 started, 0 when
 * it could not be (the caller inserts itself), or XS_ENOMEM. */
static int thread_start(xs__store_writer *w, xs_error *err)
{
    for (size_t i = 0; i < N_BLOCKS; i++)
        if (block_alloc(w, &w->blocks[i]) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (pthread_mutex_init(&w->mu, NULL)) return 0;
    if (pthread_cond_init(&w->cv, NULL)) {
        pthread_mutex_destroy(&w->mu);
        return 0;
    }
    if (pthread_create(&w->th, NULL, insert_thread, w)) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        return 0;
    }
    w->th_started = 1;
    return 1;
}

/* Stops the thread (when started), dropping the blocks still queued. */
static void thread_stop(xs__store_writer *w)
{
    if (!w->th_started) return;
    pthread_mutex_lock(&w->mu);
    w->th_stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    w->th_started = 0;
}

/* Waits until the thread has inserted every queued block, so that the
 * connection is the caller's. Returns XS_OK or the thread's failure. */
static int wait_idle(xs__store_writer *w, xs_error *err)
{
    if (!w->th_started) return XS_OK;
    pthread_mutex_lock(&w->mu);
    while (w->n_full)
        pthread_cond_wait(&w->cv, &w->mu);
    int rc = thread_rc(w, err);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* Hands the full current block to the thread (started at the first) and
 * moves on to a free one, waiting while every block is queued (after a
 * failure too: the thread drops them quickly). Without a thread the block
 * is inserted here. Returns XS_OK or a failure. */
static int hand_over(xs__store_writer *w, xs_error *err)
{
    wblock *b = &w->blocks[w->cur];
    int rc;
    if (!w->th_started) {
        /* the connection is still ours alone: prepare the batch statement
         * the thread will use (a full block holds a batch at the default) */
        if ((rc = need_batch(w, b, err)) < 0 || (rc = thread_start(w, err)) < 0)
            return rc;
        if (!w->th_started) {
            rc = insert_block(w, b, err);
            b->n = 0;
            b->n_bytes = 0;
            return rc;
        }
    }
    pthread_mutex_lock(&w->mu);
    w->n_full++;
    pthread_cond_broadcast(&w->cv);
    while (w->n_full == N_BLOCKS)
        pthread_cond_wait(&w->cv, &w->mu);
    rc = thread_rc(w, err);
    w->cur = (w->head + w->n_full) % N_BLOCKS;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* Inserts every queued row: waits for the thread, then inserts the rows of
 * the current block here. Returns XS_OK or a failure. */
static int flush_rows(xs__store_writer *w, xs_error *err)
{
    int rc = wait_idle(w, err);
    if (rc < 0) return rc;
    wblock *b = &w->blocks[w->cur];
    if (!b->n) return XS_OK;
    if ((rc = need_batch(w, b, err)) == XS_OK) rc = insert_block(w, b, err);
    b->n = 0;
    b->n_bytes = 0;
    return rc;
}

/* Queues a copy of a row in the current block (text into its bytes,
 * referenced by offset), handing the block over when full. */
static int queue_row(xs__store_writer *w, const xs__store_value *vals, xs_error *err)
{
    size_t nc = w->def->n_cols;
    wblock *b = &w->blocks[w->cur];
    size_t need = b->n_bytes;
    for (size_t i = 0; i < nc; i++)
        if (vals[i].type == XS__V_TEXT) need += vals[i].len;
    if (xs__grow(&b->bytes, &b->cap_bytes, need + 1, 1) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__store_value *row = &b->vals[b->n * nc];
    for (size_t i = 0; i < nc; i++) {
        row[i] = vals[i];
        if (vals[i].type == XS__V_TEXT) {
            if (vals[i].len) memcpy(b->bytes + b->n_bytes, vals[i].s, vals[i].len);
            row[i].i = (int64_t)b->n_bytes;
            row[i].s = NULL;
            b->n_bytes += vals[i].len;
        }
    }
    if (++b->n == w->block_rows) return hand_over(w, err);
    return XS_OK;
}

static void put_u32(char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t get_u32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Big-endian value of up to 8 bytes of p (zero padded). */
static uint64_t be_prefix(const char *p, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < len ? (unsigned char)p[i] : 0u);
    return v;
}

/* Key order of two records: prefixes first, then the whole keys. */
static int rec_cmp(const char *run, const struct runrec *a, const struct runrec *b)
{
    if (a->p0 != b->p0) return a->p0 < b->p0 ? -1 : 1;
    if (a->p1 != b->p1) return a->p1 < b->p1 ? -1 : 1;
    const char *x = run + a->off, *y = run + b->off;
    uint32_t la = get_u32(x), lb = get_u32(y);
    int c = memcmp(x + 4, y + 4, la < lb ? la : lb);
    if (c) return c;
    return la < lb ? -1 : la > lb;
}

/* Sorts w->recs by key: bottom-up merge sort (keys are unique). */
static int sort_run(xs__store_writer *w, xs_error *err)
{
    size_t n = w->n_recs;
    if (xs__grow(&w->tmp, &w->cap_tmp, n + 1, sizeof *w->tmp) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    struct runrec *a = w->recs, *b = w->tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                b[k++] = rec_cmp(w->run, &a[i], &a[j]) <= 0 ? a[i++] : a[j++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        struct runrec *t = a;
        a = b;
        b = t;
    }
    if (a != w->recs) memcpy(w->recs, a, n * sizeof *a);
    return XS_OK;
}

/* Sorts the run and inserts its rows in key order. */
static int flush_run(xs__store_writer *w, xs_error *err)
{
    size_t nc = w->def->n_cols;
    if (!w->n_recs) return XS_OK;
    int rc = sort_run(w, err);
    xs__store_value vals[64]; /* n_cols <= 16 for every table */
    for (size_t r = 0; rc == XS_OK && r < w->n_recs; r++) {
        /* the records are read in key order, scattered over the run: ask
         * for one a few rows ahead so that its cache misses overlap */
        if (r + PREFETCH_AHEAD < w->n_recs) {
            const char *ahead = w->run + w->recs[r + PREFETCH_AHEAD].off;
            __builtin_prefetch(ahead);
            __builtin_prefetch(ahead + 64);
        }
        const char *p = w->run + w->recs[r].off;
        p += 4 + get_u32(p);
        for (size_t i = 0; i < nc; i++) {
            memset(&vals[i], 0, sizeof vals[i]);
            vals[i].type = (unsigned char)*p++;
            if (vals[i].type == XS__V_INT) {
                memcpy(&vals[i].i, p, 8);
                p += 8;
            } else if (vals[i].type == XS__V_REAL) {
                memcpy(&vals[i].d, p, 8);
                p += 8;
            } else if (vals[i].type == XS__V_TEXT) {
                vals[i].len = get_u32(p);
                vals[i].s = p + 4;
                p += 4 + vals[i].len;
            }
        }
        rc = queue_row(w, vals, err);
    }
    if (rc == XS_OK) rc = flush_rows(w, err);
    w->n_recs = 0;
    w->run_len = 0;
    return rc;
}

/* Appends a row and its key to the run, inserting the run when full. */
static int add_to_run(xs__store_writer *w, const xs__store_value *vals, const char *key,
                      size_t klen, xs_error *err)
{
    size_t nc = w->def->n_cols, size = 4 + klen;
    for (size_t i = 0; i < nc; i++)
        size += 1 + (vals[i].type == XS__V_TEXT   ? 4 + vals[i].len
                     : vals[i].type == XS__V_NULL ? 0
                                                  : 8);
    size_t limit = w->st->sort_run_bytes ? w->st->sort_run_bytes : RUN_BYTES;
    if (w->run_len && w->run_len + size > limit) {
        int rc = flush_run(w, err);
        if (rc < 0) return rc;
    }
    if (xs__grow(&w->run, &w->cap_run, w->run_len + size, 1) < 0 ||
        xs__grow(&w->recs, &w->cap_recs, w->n_recs + 1, sizeof *w->recs) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    char *p = w->run + w->run_len;
    struct runrec *rec = &w->recs[w->n_recs++];
    rec->p0 = be_prefix(key, klen);
    rec->p1 = klen > 8 ? be_prefix(key + 8, klen - 8) : 0;
    rec->off = w->run_len;
    put_u32(p, (uint32_t)klen);
    memcpy(p + 4, key, klen);
    p += 4 + klen;
    for (size_t i = 0; i < nc; i++) {
        *p++ = (char)vals[i].type;
        if (vals[i].type == XS__V_INT) {
            memcpy(p, &vals[i].i, 8);
            p += 8;
        } else if (vals[i].type == XS__V_REAL) {
            memcpy(p, &vals[i].d, 8);
            p += 8;
        } else if (vals[i].type == XS__V_TEXT) {
            put_u32(p, (uint32_t)vals[i].len);
            if (vals[i].len) memcpy(p + 4, vals[i].s, vals[i].len);
            p += 4 + vals[i].len;
        }
    }
    w->run_len += size;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* PostgreSQL: existing keys through a staging table                       */
/* ---------------------------------------------------------------------- */

/* The staging table's name: xs_stage_<table> (a temporary table, so
 * private to the session and never seen by readers). */
static void stage_name(const xs__store_table_schema *d, char *buf, size_t n)
{
    snprintf(buf, n, "xs_stage_%s", d->name);
}

/* Creates the staging table and its COPY writer (peer of the table's). */
static int stage_open(xs__store_writer *w, xs_error *err)
{
    char name[96], sql[256];
    stage_name(w->def, name, sizeof name);
    int rc = xs__store_pgcopy_end(w->copy, err); /* the connection is needed */
    if (rc < 0) return rc;
    /* LIKE: the same columns and types, no index (one scan joins it) */
    snprintf(sql, sizeof sql, "CREATE TEMPORARY TABLE %s (LIKE %s) ON COMMIT DROP", name,
             w->def->name);
    if (xs__store_db_exec(w->st, sql) != XS__DB_OK)
        return xs__store_dberr(w->st, "creating a staging table", err);
    if ((rc = xs__store_pgcopy_new(&w->stage, w->st, w->def, name, err)) < 0) return rc;
    xs__store_pgcopy_pair(w->copy, w->stage);
    return XS_OK;
}

/* UPDATE t SET c = s.c, ... FROM xs_stage_t s WHERE t.k = s.k AND ... AND
 * (t.c, ...) IS DISTINCT FROM (s.c, ...): only rows that change count. */
static void build_stage_update(xs__buf *b, const xs__store_table_schema *d,
                               const char *stage)
{
    xs__buf_adds(b, "UPDATE ");
    xs__buf_adds(b, d->name);
    xs__buf_adds(b, " AS t SET ");
    int first = 1;
    for (size_t i = 0; i < d->n_cols; i++) {
        if (is_key(d, i)) continue;
        if (!first) xs__buf_adds(b, ", ");
        first = 0;
        xs__buf_adds(b, d->cols[i].name);
        xs__buf_adds(b, " = s.");
        xs__buf_adds(b, d->cols[i].name);
    }
    xs__buf_adds(b, " FROM ");
    xs__buf_adds(b, stage);
    xs__buf_adds(b, " AS s WHERE ");
    for (size_t k = 0; k < d->n_key; k++) {
        if (k) xs__buf_adds(b, " AND ");
        xs__buf_adds(b, "t.");
        xs__buf_adds(b, d->cols[d->key[k]].name);
        xs__buf_adds(b, " = s.");
        xs__buf_adds(b, d->cols[d->key[k]].name);
    }
    for (int side = 0; side < 2; side++) {
        xs__buf_adds(b, side ? ") IS DISTINCT FROM (" : " AND (");
        first = 1;
        for (size_t i = 0; i < d->n_cols; i++) {
            if (is_key(d, i)) continue;
            if (!first) xs__buf_adds(b, ", ");
            first = 0;
            xs__buf_adds(b, side ? "s." : "t.");
            xs__buf_adds(b, d->cols[i].name);
        }
    }
    xs__buf_adds(b, ")");
}

/* Gives the planner of the UPDATE statistics: of the staging table
 * always (without them it takes the table for small, hashes the whole
 * store table and spills), and of the store table when it has none or
 * autovacuum would find them stale (as just after a bulk load: with them a
 * merge join along the key, 0.09 s for 40,000 staged order lines against a
 * million, without them 0.72 s; ANALYZE samples 30,000 rows, 0.1-0.3 s). */
static int analyze_for_update(xs__store_writer *w, const char *stage, xs_error *err)
{
    char sql[384];
    snprintf(sql, sizeof sql, "ANALYZE %s", stage);
    if (xs__store_db_exec(w->st, sql) != XS__DB_OK)
        return xs__store_dberr(w->st, "writing rows", err);
    snprintf(sql, sizeof sql,
             "SELECT CASE WHEN (last_analyze IS NULL AND last_autoanalyze IS NULL)"
             " OR n_mod_since_analyze > 50 + n_live_tup / 10 THEN 1 ELSE 0 END"
             " FROM pg_stat_user_tables WHERE relid = '%s'::regclass",
             w->def->name);
    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(w->st, sql, -1, &s) != XS__DB_OK)
        return xs__store_dberr(w->st, "writing rows", err);
    int stale = xs__store_db_step(s) == XS__DB_ROW && xs__store_db_column_int(s, 0);
    xs__store_db_finalize(s);
    if (!stale) return XS_OK;
    snprintf(sql, sizeof sql, "ANALYZE %s", w->def->name);
    if (xs__store_db_exec(w->st, sql) != XS__DB_OK)
        return xs__store_dberr(w->st, "writing rows", err);
    return XS_OK;
}

/* Sends the staged rows and applies them by one UPDATE; drops the staging
 * table (a later writer of the same transaction makes its own). */
static int stage_apply(xs__store_writer *w, xs_error *err)
{
    int rc = xs__store_pgcopy_end(w->stage, err);
    if (rc < 0) return rc;
    char name[96], sql[128];
    stage_name(w->def, name, sizeof name);
    if ((rc = analyze_for_update(w, name, err)) < 0) return rc;
    xs__buf b = {0};
    build_stage_update(&b, w->def, name);
    if (b.err) {
        xs__buf_free(&b);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    if (xs__store_db_exec(w->st, xs__buf_cstr(&b)) != XS__DB_OK)
        rc = xs__store_dberr(w->st, "writing rows", err);
    xs__buf_free(&b);
    if (rc < 0) return rc;
    long long changed = xs__store_db_changes(w->st);
    w->n_updated = changed > 0 ? (unsigned long long)changed : 0;
    snprintf(sql, sizeof sql, "DROP TABLE %s", name);
    if (xs__store_db_exec(w->st, sql) != XS__DB_OK)
        return xs__store_dberr(w->st, "dropping a staging table", err);
    xs__store_pgcopy_free(w->stage);
    w->stage = NULL;
    return XS_OK;
}

/* Contract in store_int.h. */
void xs__store_writer_staged(const xs__store_writer *w, unsigned long long *updated,
                             unsigned long long *unchanged)
{
    *updated = w ? w->n_updated : 0;
    *unchanged = w && w->n_staged > w->n_updated ? w->n_staged - w->n_updated : 0;
}

/* Contract in store_int.h. */
int xs__store_writer_flush(xs__store_writer *w, xs_error *err)
{
    if (!w) return XS_OK;
    if (w->copy) {
        int rc = xs__store_pgcopy_end(w->copy, err);
        if (rc == XS_OK && w->stage) rc = stage_apply(w, err);
        return rc;
    }
    int rc = flush_rows(w, err);
    if (rc == XS_OK) rc = flush_run(w, err);
    return rc;
}

/* Contract in store_int.h. */
int xs__store_writer_put(xs__store_writer *w, const xs__store_value *vals,
                         const char *key, size_t klen, int exists, xs_error *err)
{
    size_t nc = w->def->n_cols;
    if (w->copy) {
        if (!exists) {
            int rc = xs__store_pgcopy_row(w->copy, vals, err);
            return rc < 0 ? rc : 0;
        }
        int rc = w->stage ? XS_OK : stage_open(w, err);
        if (rc == XS_OK) rc = xs__store_pgcopy_row(w->stage, vals, err);
        if (rc < 0) return rc;
        w->n_staged++;
        return 3;
    }
    if (!exists) {
        if (w->sorting) {
            int rc = add_to_run(w, vals, key, klen, err);
            return rc < 0 ? rc : 0;
        }
        if (w->have_last) {
            int c = memcmp(w->last_key, key, w->last_len < klen ? w->last_len : klen);
            if (c > 0 || (c == 0 && w->last_len >= klen)) {
                /* out of order: from now on collect, sort and insert in runs */
                int rc = flush_rows(w, err);
                if (rc < 0) return rc;
                w->sorting = 1;
                rc = add_to_run(w, vals, key, klen, err);
                return rc < 0 ? rc : 0;
            }
        }
        if (xs__grow(&w->last_key, &w->cap_last, klen + 1, 1) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        if (klen) memcpy(w->last_key, key, klen);
        w->last_len = klen;
        w->have_last = 1;
        int rc = queue_row(w, vals, err);
        return rc < 0 ? rc : 0;
    }
    int rc = wait_idle(w, err); /* the connection, and its changes count, are ours */
    if (rc < 0) return rc;
    xs__store_stmt *s = w->upd;
    for (size_t i = 0; i < nc; i++)
        bind_value(s, (int)i + 1, &vals[i]);
    rc = xs__store_db_step(s);
    xs__store_db_reset(s); /* the next put rebinds every column */
    if (rc != XS__DB_DONE) return xs__store_dberr(w->st, "writing a row", err);
    return xs__store_db_changes(w->st) ? 1 : 2;
}

/* Contract in store_int.h. */
int xs__store_scan_keys(xs_store *st, xs_table_id t,
                        int (*fn)(void *ctx, const xs__store_value *key, size_t n_key),
                        void *ctx, xs_error *err)
{
    const xs__store_table_schema *d = xs__store_table_def(t);
    if (!d)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no such table (id %d)",
                             (int)t);
    return xs__store_scan_cols(st, t, d->key, d->n_key, fn, ctx, err);
}

/* Contract in store_int.h. */
int xs__store_scan_cols(xs_store *st, xs_table_id t, const unsigned char *cols,
                        size_t n_cols,
                        int (*fn)(void *ctx, const xs__store_value *vals, size_t n_vals),
                        void *ctx, xs_error *err)
{
    const xs__store_table_schema *d = xs__store_table_def(t);
    if (!d)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no such table (id %d)",
                             (int)t);
    if (!n_cols || n_cols > 8)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "bad column list");
    for (size_t k = 0; k < n_cols; k++)
        if (cols[k] >= d->n_cols)
            return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "bad column list");
    xs__buf b = {0};
    xs__buf_adds(&b, "SELECT ");
    for (size_t k = 0; k < n_cols; k++) {
        if (k) xs__buf_adds(&b, ", ");
        xs__buf_adds(&b, d->cols[cols[k]].name);
    }
    xs__buf_adds(&b, " FROM ");
    xs__buf_adds(&b, d->name);
    xs__buf_adds(&b, " ORDER BY "); /* the key order (free on SQLite: its order) */
    for (size_t k = 0; k < d->n_key; k++) {
        if (k) xs__buf_adds(&b, ", ");
        xs__buf_adds(&b, d->cols[d->key[k]].name);
    }
    if (b.err) {
        xs__buf_free(&b);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    if (st->pg) {
        int rc = xs__store_pgcopy_scan(st, xs__buf_cstr(&b), n_cols, fn, ctx, err);
        xs__buf_free(&b);
        return rc;
    }
    xs__store_stmt *s = NULL;
    int rc = xs__store_db_prepare_scan(st, xs__buf_cstr(&b), (int)b.n, &s);
    xs__buf_free(&b);
    if (rc != XS__DB_OK) return xs__store_dberr(st, "reading keys", err);
    xs__store_value val[8];
    rc = XS_OK;
    for (;;) {
        int step = xs__store_db_step(s);
        if (step == XS__DB_DONE) break;
        if (step != XS__DB_ROW) {
            rc = xs__store_dberr(st, "reading keys", err);
            break;
        }
        for (size_t k = 0; k < n_cols; k++) {
            const unsigned char *txt = xs__store_db_column_text(s, (int)k);
            val[k].type = XS__V_TEXT;
            val[k].s = txt ? (const char *)txt : "";
            val[k].len = (size_t)xs__store_db_column_bytes(s, (int)k);
        }
        rc = fn(ctx, val, n_cols);
        if (rc < 0) break;
    }
    xs__store_db_finalize(s);
    return rc;
}
