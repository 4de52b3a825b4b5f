/*
 * write_all.c — every customer's offers as CSV or JSON (xs_offer_write_all):
 * worker threads decide and render blocks of customers into memory, the
 * calling thread writes the blocks in customer order as they complete.
 *
 * The output is byte for byte that of one xs_offer_table() over all
 * customers written with xs_table_write(), without holding every row: at
 * most WINDOW blocks per worker are in memory at a time, each rendered
 * into its slot's buffer, which the next block of that slot reuses. The
 * guardrail totals are merged block by block in customer order, so they
 * do not depend on the number of threads.
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

#define BLOCK 4096 /* customers per block */
#define WINDOW 4   /* blocks in flight per worker */
#define MAX_THREADS 64

typedef struct block {
    char *buf; /* the block's rows, rendered (xs__malloc'd) */
    size_t len, cap, n_rows;
    xs_offer_summary sum;
    int ready;
} block;

typedef struct shared {
    const xs_offer_engine *en;
    const char *lang;
    int show_suppressed;
    xs_format fmt;
    size_t n_blocks, next, written, window;
    block *slots; /* window entries: block i lives in slots[i % window] */
    int rc;       /* first failure, XS_OK while none */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} shared;

/* Decides and renders block i into b. Returns XS_OK or a negative code. */
static int render(shared *S, xs_table *t, size_t i, block *b)
{
    size_t n = S->en->s->cust.n;
    uint32_t lo = (uint32_t)(i * BLOCK), hi = (uint32_t)(lo + BLOCK < n ? lo + BLOCK : n);
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
    return xs__io_table_rows_append(t, S->fmt, &b->buf, &b->len, &b->cap);
}

static void *worker(void *arg)
{
    shared *S = arg;
    xs_table *t = xs_table_new();
    int rc = t && xs_offer_table_columns(t) == XS_OK ? XS_OK : XS_ENOMEM;
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
        b->len = 0;
        rc = render(S, t, i, b);
        pthread_mutex_lock(&S->mu);
        if (rc < 0) {
            if (S->rc == XS_OK) S->rc = rc;
        } else {
            b->ready = 1;
        }
        pthread_cond_broadcast(&S->cv);
        pthread_mutex_unlock(&S->mu);
    }
    xs_table_free(t);
    return NULL;
}

/* Writes the blocks in order as they complete. Returns XS_OK or a negative
 * code (S->rc, or XS_EIO). */
static int write_blocks(shared *S, FILE *out, xs_offer_summary *sum, xs__ticker *tk)
{
    size_t n_rows = 0, n_cust = S->en->s->cust.n;
    for (size_t i = 0; i < S->n_blocks; i++) {
        pthread_mutex_lock(&S->mu);
        block *b = &S->slots[i % S->window];
        while (S->rc == XS_OK && !b->ready)
            pthread_cond_wait(&S->cv, &S->mu);
        int rc = S->rc;
        pthread_mutex_unlock(&S->mu);
        if (rc < 0) return rc;
        if (b->n_rows && n_rows && S->fmt == XS_FORMAT_JSON) fputc(',', out);
        if (b->len && fwrite(b->buf, 1, b->len, out) != b->len) rc = XS_EIO;
        n_rows += b->n_rows;
        xs__offer_summary_merge(sum, &b->sum);
        xs__ticker_add(tk, n_cust - i * BLOCK < BLOCK ? n_cust - i * BLOCK : BLOCK);
        pthread_mutex_lock(&S->mu);
        b->ready = 0; /* free for block i + window; its buffer is kept */
        S->written = i + 1;
        if (rc < 0 && S->rc == XS_OK) S->rc = rc;
        pthread_cond_broadcast(&S->cv);
        pthread_mutex_unlock(&S->mu);
        if (rc < 0) return rc;
    }
    return xs_table_write_tail(out, S->fmt, n_rows) < 0 ? XS_EIO : XS_OK;
}

int xs_offer_write_all(const xs_offer_engine *en, int n_threads, const char *lang,
                       int show_suppressed, xs_format fmt, FILE *out,
                       xs_offer_summary *sum, xs_error *err)
{
    memset(sum, 0, sizeof *sum);
    if (fmt != XS_FORMAT_CSV && fmt != XS_FORMAT_JSON)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                             "offers of every customer are streamed as csv or json only");
    if (lang && strcmp(lang, "en") && strcmp(lang, "ja"))
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "unknown language \"%s\"", lang);
    if (n_threads < 1) n_threads = 1;
    if (n_threads > MAX_THREADS) n_threads = MAX_THREADS;
    shared S = {.en = en, .lang = lang, .show_suppressed = show_suppressed, .fmt = fmt};
    S.n_blocks = (en->s->cust.n + BLOCK - 1) / BLOCK;
    S.window = (size_t)n_threads * WINDOW;
    S.slots = xs__calloc(S.window, sizeof *S.slots);
    xs_table *head = xs_table_new();
    int rc = XS_ENOMEM;
    if (!S.slots || !head || xs_offer_table_columns(head) < 0) goto done;
    if ((rc = xs_table_write_head(head, out, fmt)) < 0) goto done;
    pthread_mutex_init(&S.mu, NULL);
    pthread_cond_init(&S.cv, NULL);
    pthread_t th[MAX_THREADS];
    int started = 0;
    for (int t = 0; t < n_threads; t++)
        if (pthread_create(&th[started], NULL, worker, &S) == 0) started++;
    if (!started) {
        rc = XS_ENOMEM;
    } else {
        xs__ticker tk; /* customers written, in order */
        xs__ticker_start(&tk, "offers", en->s->cust.n);
        rc = write_blocks(&S, out, sum, &tk);
        xs__ticker_finish(&tk);
        pthread_mutex_lock(&S.mu);
        if (rc < 0 && S.rc == XS_OK) S.rc = rc; /* stops the workers */
        pthread_cond_broadcast(&S.cv);
        pthread_mutex_unlock(&S.mu);
    }
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    for (size_t i = 0; i < S.window; i++)
        xs__free(S.slots[i].buf);
    pthread_cond_destroy(&S.cv);
    pthread_mutex_destroy(&S.mu);
done:
    xs_table_free(head);
    xs__free(S.slots);
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    else if (rc == XS_EIO) xs__error_set(err, XS_EIO, NULL, 0, NULL, "cannot write the output");
    else if (rc < 0) xs__error_set(err, rc, NULL, 0, NULL, "cannot decide the offers");
    return rc;
}
