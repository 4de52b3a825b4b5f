/*
 * write_all.c — every customer's offers as CSV, JSON or the aligned table
 * (xs_offer_write_all): worker threads decide and render blocks of
 * customers into memory, the calling thread writes the blocks in customer
 * order as they complete.
 *
 * The output is byte for byte that of one xs_offer_table() over all
 * customers written with xs_table_write(). CSV and JSON are one pass that
 * holds at most WINDOW blocks per worker at a time, each rendered into its
 * slot's buffer, which the next block of that slot reuses.
 *
 * The aligned table pads every column to its widest cell over all rows, so
 * it takes two passes. Pass 1: the workers decide the blocks and keep each
 * block's cells, packed (every cell's text and its NUL, row by row: about
 * the CSV's size, without the table's per-cell offsets), and raise the
 * column widths (io/table.h: the one formula of xs_table_write). Then the
 * header is written. Pass 2: the workers pad the kept blocks at the final
 * widths, as CSV blocks are rendered, and free each block's cells as they
 * go; the caller writes them in order. So the peak holds the packed cells
 * of every customer (the table would hold them too, with 8 bytes more per
 * cell), never the padded text, and a failure of pass 1 (out of memory)
 * has written nothing.
 *
 * The guardrail totals are merged block by block in customer order, so
 * they do not depend on the number of threads.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/progress.h"
#include "io/table.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 4096 /* customers per block of xs_offer_write_all */
#define WINDOW 4   /* blocks in flight per worker */
#define MAX_THREADS 64

/* What the workers do with block i in a pass. */
typedef enum {
    PASS_ROWS,  /* decide and render CSV or JSON rows */
    PASS_CELLS, /* table pass 1: decide, keep the packed cells, widths */
    PASS_PAD    /* table pass 2: the kept cells as padded text */
} pass;

typedef struct block {
    xs__buf out; /* the block's rows, rendered (nothing in PASS_CELLS) */
    size_t n_rows;
    xs_offer_summary sum;
    int ready;
} block;

/* Table pass 1 to pass 2: a block's cells, each NUL-terminated, row-major. */
typedef struct kept {
    char *cells; /* xs__malloc'd; NULL once padded */
    size_t n_rows;
} kept;

typedef struct shared {
    const xs_offer_engine *en;
    const char *lang;
    int show_suppressed;
    xs_format fmt;
    pass pass;
    const xs_table *cols; /* the offer columns (no rows), read by every worker */
    size_t n_cols;
    size_t block; /* customers per block */
    size_t n_blocks, next, written, window;
    block *slots; /* window entries: block i lives in slots[i % window] */
    kept *kept;   /* the table: n_blocks entries */
    size_t *w;    /* the table: column widths, max over the blocks so far */
    int rc;       /* first failure, XS_OK while none */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} shared;

/* ---------------------------------------------------------------------- */
/* The work on one block                                                  */
/* ---------------------------------------------------------------------- */

/* Decides block i into t's rows and b's totals. Returns XS_OK or a negative code. */
static int decide(shared *S, xs_table *t, size_t i, block *b)
{
    size_t n = S->en->s->cust.n;
    uint32_t lo = (uint32_t)(i * S->block);
    uint32_t hi = (uint32_t)(lo + S->block < n ? lo + S->block : n);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    memset(&b->sum, 0, sizeof b->sum);
    xs_table_clear_rows(t);
    for (uint32_t c = lo; c < hi; c++) {
        int k = xs_offer_decide(S->en, c, o, XS_OFFER_MAX_CANDIDATES);
        xs__offer_summary_add(&b->sum, o, (size_t)k);
        int rc = xs_offer_table(S->en, o, (size_t)k, S->lang, S->show_suppressed, t);
        if (rc < 0) return rc;
    }
    b->n_rows = xs_table_rows(t);
    return XS_OK;
}

/* Pads the kept block k at the final widths into b and frees its cells.
 * XS_OK or XS_ENOMEM. */
static int pad_block(shared *S, kept *k, block *b)
{
    const char *p = k->cells;
    for (size_t r = 0; r < k->n_rows; r++)
        p = xs__io_table_text_packed_row(S->cols, S->w, p, &b->out);
    b->n_rows = k->n_rows;
    xs__free(k->cells);
    k->cells = NULL;
    return b->out.err ? XS_ENOMEM : XS_OK;
}

/* A worker's own memory: the table it decides into, the widths of the
 * blocks it kept. */
typedef struct own {
    xs_table *t;
    size_t *w;
} own;

/* Does block i of the pass into its slot b. Returns XS_OK or a negative code. */
static int work(shared *S, own *me, size_t i, block *b)
{
    int rc;
    switch (S->pass) {
    case PASS_ROWS:
        if ((rc = decide(S, me->t, i, b)) < 0) return rc;
        return xs__io_table_rows_append(me->t, S->fmt, &b->out);
    case PASS_CELLS: {
        size_t size;
        if ((rc = decide(S, me->t, i, b)) < 0) return rc;
        xs__io_table_widths(me->t, me->w);
        S->kept[i].n_rows = b->n_rows;
        return (S->kept[i].cells = xs__io_table_pack(me->t, &size)) ? XS_OK : XS_ENOMEM;
    }
    default: return pad_block(S, &S->kept[i], b);
    }
}

static void *worker(void *arg)
{
    shared *S = arg;
    own me = {NULL, xs__calloc(S->n_cols + 1, sizeof *me.w)};
    int rc = me.w ? XS_OK : XS_ENOMEM;
    if (rc == XS_OK && S->pass != PASS_PAD)
        rc = (me.t = xs_table_new()) && xs_offer_table_columns(me.t) == XS_OK ? XS_OK
                                                                              : XS_ENOMEM;
    for (;;) {
        pthread_mutex_lock(&S->mu);
        while (rc == XS_OK && S->rc == XS_OK && S->next < S->n_blocks &&
               S->next >= S->written + S->window)
            pthread_cond_wait(&S->cv, &S->mu);
        if (rc < 0 && S->rc == XS_OK) S->rc = rc;
        if (S->rc < 0 || S->next >= S->n_blocks) {
            pthread_cond_broadcast(&S->cv);
            pthread_mutex_unlock(&S->mu);
            break;
        }
        size_t i = S->next++;
        pthread_mutex_unlock(&S->mu);
        /* the slot is this worker's until it is ready: the block that held
         * it was written, and its buffer is reused */
        block *b = &S->slots[i % S->window];
        xs__buf_reset(&b->out);
        rc = work(S, &me, i, b);
        pthread_mutex_lock(&S->mu);
        if (rc < 0) {
            if (S->rc == XS_OK) S->rc = rc;
        } else {
            b->ready = 1;
            if (S->pass == PASS_CELLS) /* a max: the same in any order */
                for (size_t c = 0; c < S->n_cols; c++)
                    if (me.w[c] > S->w[c]) S->w[c] = me.w[c];
        }
        pthread_cond_broadcast(&S->cv);
        pthread_mutex_unlock(&S->mu);
    }
    xs_table_free(me.t);
    xs__free(me.w);
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* The calling thread: a pass's blocks taken in order                     */
/* ---------------------------------------------------------------------- */

/* Takes the blocks in order as they complete: writes their rows (not in
 * PASS_CELLS) and merges their totals into sum (not in PASS_PAD). Returns
 * XS_OK or a negative code (S->rc, or XS_EIO); *n_rows gets the rows. */
static int take_blocks(shared *S, FILE *out, xs_offer_summary *sum, xs__ticker *tk,
                       size_t *n_rows)
{
    size_t n_cust = S->en->s->cust.n;
    *n_rows = 0;
    for (size_t i = 0; i < S->n_blocks; i++) {
        pthread_mutex_lock(&S->mu);
        block *b = &S->slots[i % S->window];
        while (S->rc == XS_OK && !b->ready)
            pthread_cond_wait(&S->cv, &S->mu);
        int rc = S->rc;
        pthread_mutex_unlock(&S->mu);
        if (rc < 0) return rc;
        if (b->n_rows && *n_rows && S->fmt == XS_FORMAT_JSON) fputc(',', out);
        if (b->out.n && fwrite(b->out.p, 1, b->out.n, out) != b->out.n) rc = XS_EIO;
        *n_rows += b->n_rows;
        if (S->pass != PASS_PAD) xs__offer_summary_merge(sum, &b->sum);
        size_t lo = i * S->block;
        xs__ticker_add(tk, n_cust - lo < S->block ? n_cust - lo : S->block);
        pthread_mutex_lock(&S->mu);
        b->ready = 0; /* free for block i + window; its buffer is kept */
        S->written = i + 1;
        if (rc < 0 && S->rc == XS_OK) S->rc = rc;
        pthread_cond_broadcast(&S->cv);
        pthread_mutex_unlock(&S->mu);
        if (rc < 0) return rc;
    }
    return XS_OK;
}

/* Runs pass p on n_threads workers, the blocks in flight at most window,
 * the ticker named label. Returns XS_OK or a negative code. */
static int run_pass(shared *S, pass p, int n_threads, size_t window, const char *label,
                    FILE *out, xs_offer_summary *sum, size_t *n_rows)
{
    S->pass = p;
    S->window = window;
    S->next = S->written = 0;
    pthread_t th[MAX_THREADS];
    int started = 0, rc;
    for (int t = 0; t < n_threads; t++)
        if (pthread_create(&th[started], NULL, worker, S) == 0) started++;
    if (!started) {
        rc = XS_ENOMEM;
    } else {
        xs__ticker tk; /* customers taken, in order */
        xs__ticker_start(&tk, label, S->en->s->cust.n);
        rc = take_blocks(S, out, sum, &tk, n_rows);
        xs__ticker_finish(&tk);
        pthread_mutex_lock(&S->mu);
        if (rc < 0 && S->rc == XS_OK) S->rc = rc; /* stops the workers */
        pthread_cond_broadcast(&S->cv);
        pthread_mutex_unlock(&S->mu);
    }
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    return rc;
}

/* The aligned table: pass 1, the header, pass 2. Returns XS_OK or a negative code. */
static int write_table(shared *S, int n_threads, FILE *out, xs_offer_summary *sum)
{
    size_t n_rows;
    /* pass 1 keeps every block: a slot each, no window */
    int rc = run_pass(S, PASS_CELLS, n_threads, S->n_blocks ? S->n_blocks : 1, "offers",
                      out, sum, &n_rows);
    if (rc < 0) return rc;
    xs__io_table_widths(S->cols, S->w); /* the names, when there is no row */
    xs__buf h = {0};
    if (xs__io_table_text_head(S->cols, S->w, &h) < 0 || h.err) rc = XS_ENOMEM;
    else if (fwrite(h.p, 1, h.n, out) != h.n) rc = XS_EIO;
    xs__buf_free(&h);
    if (rc < 0) return rc;
    rc = run_pass(S, PASS_PAD, n_threads, (size_t)n_threads * WINDOW, "writing", out, sum,
                  &n_rows);
    return rc < 0 ? rc : ferror(out) ? XS_EIO : XS_OK;
}

/* Contract in offer_int.h. */
int xs__offer_write_all_blocks(const xs_offer_engine *en, size_t per_block, int n_threads,
                               const char *lang, int show_suppressed, xs_format fmt,
                               FILE *out, xs_offer_summary *sum, xs_error *err)
{
    memset(sum, 0, sizeof *sum);
    if (fmt != XS_FORMAT_CSV && fmt != XS_FORMAT_JSON && fmt != XS_FORMAT_TABLE)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "unknown output format");
    if (lang && strcmp(lang, "en") && strcmp(lang, "ja"))
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "unknown language \"%s\"", lang);
    if (n_threads < 1) n_threads = 1;
    if (n_threads > MAX_THREADS) n_threads = MAX_THREADS;
    if (per_block < 1) per_block = 1;
    shared S = {.en = en, .lang = lang, .show_suppressed = show_suppressed, .fmt = fmt,
                .block = per_block};
    S.n_blocks = (en->s->cust.n + per_block - 1) / per_block;
    size_t window = (size_t)n_threads * WINDOW, n_slots = window, n_rows;
    if (fmt == XS_FORMAT_TABLE && S.n_blocks > n_slots) n_slots = S.n_blocks;
    S.slots = xs__calloc(n_slots, sizeof *S.slots);
    xs_table *head = xs_table_new();
    S.cols = head;
    int rc = XS_ENOMEM;
    if (!S.slots || !head || xs_offer_table_columns(head) < 0) goto done;
    S.n_cols = xs__io_table_n_cols(head);
    if (fmt == XS_FORMAT_TABLE) {
        S.kept = xs__calloc(S.n_blocks + 1, sizeof *S.kept);
        S.w = xs__calloc(S.n_cols + 1, sizeof *S.w);
        if (!S.kept || !S.w) goto done;
    } else if ((rc = xs_table_write_head(head, out, fmt)) < 0) {
        goto done;
    }
    pthread_mutex_init(&S.mu, NULL);
    pthread_cond_init(&S.cv, NULL);
    if (fmt == XS_FORMAT_TABLE) {
        rc = write_table(&S, n_threads, out, sum);
    } else {
        rc = run_pass(&S, PASS_ROWS, n_threads, window, "offers", out, sum, &n_rows);
        if (rc == XS_OK && xs_table_write_tail(out, fmt, n_rows) < 0) rc = XS_EIO;
    }
    pthread_cond_destroy(&S.cv);
    pthread_mutex_destroy(&S.mu);
done:
    for (size_t i = 0; S.slots && i < n_slots; i++)
        xs__buf_free(&S.slots[i].out);
    for (size_t i = 0; S.kept && i < S.n_blocks; i++)
        xs__free(S.kept[i].cells);
    xs__free(S.kept);
    xs__free(S.w);
    xs_table_free(head);
    xs__free(S.slots);
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    else if (rc == XS_EIO) xs__error_set(err, XS_EIO, NULL, 0, NULL, "cannot write the output");
    else if (rc < 0) xs__error_set(err, rc, NULL, 0, NULL, "cannot decide the offers");
    return rc;
}

int xs_offer_write_all(const xs_offer_engine *en, int n_threads, const char *lang,
                       int show_suppressed, xs_format fmt, FILE *out,
                       xs_offer_summary *sum, xs_error *err)
{
    return xs__offer_write_all_blocks(en, BLOCK, n_threads, lang, show_suppressed, fmt, out,
                                      sum, err);
}
