/*
 * import_sort.c — external sort of import records by key (contract in
 * import_sort.h), so that a file in any order goes into an empty store table
 * in key order with bounded memory.
 *
 * Records are appended to one buffer, each found through a 40-byte index
 * entry holding the first 32 bytes of its key (big-endian words, zero
 * padded) and its offset: the importer's sort keys are short (ranks of the
 * referenced customer and product, day numbers, short ids), so nearly every
 * comparison is decided in the index and the sort does not touch the
 * scattered records. When buffer plus index reach the budget, the index is
 * sorted (quicksort) and the records are written in that order to a
 * temporary file as one run. The merge at the end keeps the runs in a heap
 * ordered by (key, run), reading each run through its own buffer; the last,
 * unspilled buffer is a run too. Equal keys come out in the order they were
 * added (earlier runs first, and by offset within a run), which is how the
 * importer tells the first row of a key from its duplicates.
 *
 * Files already in key order (what `xsell gen` and most exports write) never
 * spill: while every key is greater than the one before, a full buffer is
 * handed back to the caller in order (xs__io_isort_drain) instead.
 *
 * A spill runs on a second thread: the full buffer and its index go to a
 * spill thread, which sorts and writes them, while the caller fills a
 * second buffer of the same budget with the next records (the parsing and
 * checking of the rows, the importer's main work, then overlaps the sort on
 * two cores). Only one spill runs at a time: the next one first waits for
 * it, and the merge waits for the last. The spill thread touches only its
 * buffer, its index and the temporary file, and allocates nothing; the run's
 * place in the file is recorded before it starts (its size is the
 * buffer's). Memory: two buffers instead of one once a file spills (never
 * for a file in key order). When the second buffer or the thread cannot be
 * had, the spill runs on the caller's thread, as before.
 */
#include "io/import_sort.h"

#include "base/alloc.h"
#include "base/error.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_BUDGET ((size_t)48 << 20)
#define REC_HEAD 11 /* u32 total length, u32 line, u16 key length, u8 flags */
#define PREFIX 32   /* key bytes kept in the index */
#define N_WORDS (PREFIX / 8)
#define RUN_BUF ((size_t)1 << 20)

typedef struct ent {
    uint64_t p[N_WORDS];
    uint32_t off;
    uint16_t klen;
    uint16_t pad;
} ent;

typedef struct run {
    uint64_t pos, end; /* unread bytes of the run in the file */
    char *buf;
    size_t cap, len, at; /* buffered bytes buf[at .. len) */
    int mem;             /* the last run: the buffer itself, through the index */
    size_t n_idx, i;     /* ... its number of entries and position */
    xs__io_isort_rec cur;
} run;

struct xs__io_isort {
    size_t budget;
    size_t drain_at; /* in order: buffer bytes handed over early (0: full) */
    int keep_all;    /* never hand the buffer over (xs__io_isort_keep_all) */
    char *buf;
    size_t len, cap;
    ent *idx;
    size_t n, cap_idx;
    char *last; /* the last key added */
    size_t last_len, cap_last;
    int have_last, in_order, drained;
    FILE *tmp;
    char *tmp_buf; /* its stdio buffer */
    uint64_t tmp_len;
    run *runs; /* spilled runs, then (after finish) the memory run */
    size_t n_runs, cap_runs;
    size_t *heap; /* run indexes, smallest current record first */
    size_t n_heap, cap_heap;
    long popped; /* run whose record was returned last (-1: none) */
    /* the spill thread (see the top of the file) */
    char *spare;    /* the second buffer: filled while the other spills */
    ent *spare_idx; /* ... and its index */
    size_t cap_spare, cap_spare_idx;
    pthread_t th;
    int th_running;
    const char *job_buf; /* the buffer being spilled */
    ent *job_idx;        /* ... its index */
    size_t job_n;        /* ... its number of records */
    int job_rc;          /* its outcome: XS_OK or XS_EIO (in job_err) */
    xs_error job_err;
};

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

static uint64_t be_word(const char *p, size_t len)
{
    uint64_t v = 0;
    if (len >= 8) {
        unsigned char b[8];
        memcpy(b, p, 8);
        for (size_t i = 0; i < 8; i++)
            v = v << 8 | b[i]; /* a byte swap, as compilers see */
        return v;
    }
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < len ? (unsigned char)p[i] : 0u);
    return v;
}

/* Parses the record at p (REC_HEAD bytes and more available). */
static void parse_rec(const char *p, xs__io_isort_rec *r)
{
    uint32_t total = get_u32(p);
    uint16_t klen;
    memcpy(&klen, p + 8, 2);
    r->line = get_u32(p + 4);
    r->flags = (unsigned char)p[10];
    r->key = p + REC_HEAD;
    r->klen = klen;
    r->payload = r->key + klen;
    r->plen = total - REC_HEAD - klen;
}

/* Contract in import_sort.h. */
int xs__io_isort_new(xs__io_isort **out, size_t budget, xs_error *err)
{
    *out = NULL;
    xs__io_isort *s = xs__calloc(1, sizeof *s);
    if (!s) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    s->budget = budget ? budget : DEFAULT_BUDGET;
    s->in_order = 1;
    s->popped = -1;
    *out = s;
    return XS_OK;
}

static int spill_wait(xs__io_isort *s, xs_error *err);

/* Contract in import_sort.h. */
void xs__io_isort_free(xs__io_isort *s)
{
    if (!s) return;
    spill_wait(s, NULL); /* an abandoned import: the thread still writes */
    xs__free(s->spare);
    xs__free(s->spare_idx);
    xs__free(s->buf);
    xs__free(s->idx);
    xs__free(s->last);
    if (s->tmp) fclose(s->tmp);
    xs__free(s->tmp_buf);
    for (size_t i = 0; i < s->n_runs; i++)
        xs__free(s->runs[i].buf);
    xs__free(s->runs);
    xs__free(s->heap);
    xs__free(s);
}

/* Contract in import_sort.h. */
void xs__io_isort_drain_at(xs__io_isort *s, size_t bytes)
{
    s->drain_at = bytes;
}

/* Contract in import_sort.h. */
void xs__io_isort_keep_all(xs__io_isort *s)
{
    s->keep_all = 1;
}

/* Contract in import_sort.h. */
int xs__io_isort_in_order(const xs__io_isort *s)
{
    return s->in_order;
}

/* Contract in import_sort.h. */
int xs__io_isort_drained(const xs__io_isort *s)
{
    return s->drained;
}

/* Contract in import_sort.h. */
size_t xs__io_isort_n_runs(const xs__io_isort *s)
{
    return s->n_runs;
}

/* ---------------------------------------------------------------------- */
/* Sorting a buffer                                                       */
/* ---------------------------------------------------------------------- */

/* Key order of two index entries of the buffer; ties by offset (the order
 * they were added). */
static int ent_cmp(const char *buf, const ent *a, const ent *b)
{
    for (int i = 0; i < N_WORDS; i++)
        if (a->p[i] != b->p[i]) return a->p[i] < b->p[i] ? -1 : 1;
    if (a->klen > PREFIX || b->klen > PREFIX) {
        size_t la = a->klen, lb = b->klen;
        int c = memcmp(buf + a->off + REC_HEAD, buf + b->off + REC_HEAD, la < lb ? la : lb);
        if (c) return c;
    }
    if (a->klen != b->klen) return a->klen < b->klen ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

static void ent_swap(ent *a, ent *b)
{
    ent t = *a;
    *a = *b;
    *b = t;
}

/* Quicksort with median-of-three pivots, insertion sort below 16 entries;
 * recursion only into the smaller part, so the stack stays O(log n). All
 * entries differ (ties are broken by offset). */
static void sort_ents(const char *buf, ent *v, size_t n)
{
    while (n > 16) {
        size_t m = n / 2;
        if (ent_cmp(buf, &v[m], &v[0]) < 0) ent_swap(&v[m], &v[0]);
        if (ent_cmp(buf, &v[n - 1], &v[0]) < 0) ent_swap(&v[n - 1], &v[0]);
        if (ent_cmp(buf, &v[n - 1], &v[m]) < 0) ent_swap(&v[n - 1], &v[m]);
        ent pivot = v[m];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (ent_cmp(buf, &v[i], &pivot) < 0)
                i++;
            while (ent_cmp(buf, &pivot, &v[j]) < 0)
                j--;
            if (i >= j) break;
            ent_swap(&v[i], &v[j]);
            i++;
            j--;
        }
        /* v[0..j] <= pivot <= v[j+1..n) */
        size_t left = j + 1, right = n - left;
        if (left < right) {
            sort_ents(buf, v, left);
            v += left;
            n = right;
        } else {
            sort_ents(buf, v + left, right);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        ent x = v[i];
        size_t j = i;
        while (j > 0 && ent_cmp(buf, &x, &v[j - 1]) < 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Sorts the n entries of idx (records in buf) and writes the records in
 * that order to the temporary file, flushed. Runs on the spill thread, or on
 * the caller's; allocates nothing. Returns XS_OK or XS_EIO (err). */
static int write_run(FILE *tmp, const char *buf, ent *idx, size_t n, xs_error *err)
{
    sort_ents(buf, idx, n);
    for (size_t i = 0; i < n; i++) {
        /* the records are read in key order, scattered over the buffer: ask
         * for one a few ahead so that the cache misses overlap */
        if (i + 8 < n) __builtin_prefetch(buf + idx[i + 8].off);
        const char *p = buf + idx[i].off;
        uint32_t total = get_u32(p);
        if (fwrite(p, 1, total, tmp) != total)
            return xs__error_set(err, XS_EIO, NULL, 0, NULL,
                                 "writing a temporary file for sorting: %s",
                                 strerror(errno));
    }
    if (fflush(tmp) != 0)
        return xs__error_set(err, XS_EIO, NULL, 0, NULL,
                             "writing a temporary file for sorting: %s", strerror(errno));
    return XS_OK;
}

static void *spill_main(void *arg)
{
    xs__io_isort *s = arg;
    s->job_rc = write_run(s->tmp, s->job_buf, s->job_idx, s->job_n, &s->job_err);
    return NULL;
}

/* Waits for the spill thread, if one runs; returns its outcome (its error
 * copied to err). */
static int spill_wait(xs__io_isort *s, xs_error *err)
{
    if (!s->th_running) return XS_OK;
    pthread_join(s->th, NULL);
    s->th_running = 0;
    if (s->job_rc < 0 && err) *err = s->job_err;
    return s->job_rc;
}

/* Sorts the buffer and appends it to the temporary file as a run: on the
 * spill thread, the caller going on with the spare buffer, when it can. */
static int spill(xs__io_isort *s, xs_error *err)
{
    if (!s->n) return XS_OK;
    int rc = spill_wait(s, err); /* the previous run is written (one at a time) */
    if (rc < 0) return rc;
    if (!s->tmp) {
        if (!(s->tmp = tmpfile()))
            return xs__error_set(err, XS_EIO, NULL, 0, NULL,
                                 "cannot create a temporary file for sorting: %s",
                                 strerror(errno));
        /* runs are written in large pieces, not stdio's 4 KiB */
        if ((s->tmp_buf = xs__malloc(RUN_BUF)) != NULL)
            setvbuf(s->tmp, s->tmp_buf, _IOFBF, RUN_BUF);
    }
    if (xs__grow(&s->runs, &s->cap_runs, s->n_runs + 2, sizeof *s->runs) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    /* every record of the buffer goes to the run: its place is known now */
    run *r = &s->runs[s->n_runs++];
    memset(r, 0, sizeof *r);
    r->pos = s->tmp_len;
    r->end = s->tmp_len += s->len;
    if (!s->spare) {
        /* as the first buffer: pages count only once written */
        if ((s->spare = xs__malloc(s->cap)) != NULL) s->cap_spare = s->cap;
        if (s->spare && (s->spare_idx = xs__malloc(s->cap_idx * sizeof *s->idx)) != NULL)
            s->cap_spare_idx = s->cap_idx;
    }
    if (s->spare_idx) {
        s->job_buf = s->buf;
        s->job_idx = s->idx;
        s->job_n = s->n;
        s->job_rc = XS_OK;
        if (pthread_create(&s->th, NULL, spill_main, s) == 0) {
            /* the caller goes on in the spare buffer; the spilled one is
             * the spare again once the thread is done with it */
            char *b = s->buf;
            ent *x = s->idx;
            size_t cb = s->cap, cx = s->cap_idx;
            s->buf = s->spare;
            s->idx = s->spare_idx;
            s->cap = s->cap_spare;
            s->cap_idx = s->cap_spare_idx;
            s->spare = b;
            s->spare_idx = x;
            s->cap_spare = cb;
            s->cap_spare_idx = cx;
            s->th_running = 1;
            s->n = 0;
            s->len = 0;
            return XS_OK;
        }
    }
    rc = write_run(s->tmp, s->buf, s->idx, s->n, err);
    s->n = 0;
    s->len = 0;
    return rc;
}

/* Contract in import_sort.h. */
int xs__io_isort_add(xs__io_isort *s, const char *key, size_t klen, uint32_t line,
                     unsigned flags, const char *payload, size_t plen, int *full,
                     xs_error *err)
{
    *full = 0;
    size_t total = REC_HEAD + klen + plen;
    if (klen > UINT16_MAX || flags > 255 || total > UINT32_MAX / 2)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "record too large to sort");
    int later = 1; /* key > the last one */
    if (s->have_last) {
        int c = memcmp(s->last, key, s->last_len < klen ? s->last_len : klen);
        later = c < 0 || (c == 0 && s->last_len < klen);
    }
    if (s->n && s->in_order && later && !s->keep_all && s->drain_at &&
        s->len >= s->drain_at) {
        *full = 1; /* in order so far: hand the rows over early */
        return XS_OK;
    }
    if (s->n && s->len + total + (s->n + 1) * sizeof(ent) > s->budget) {
        if (s->in_order && later && !s->keep_all) {
            *full = 1;
            return XS_OK;
        }
        int rc = spill(s, err);
        if (rc < 0) return rc;
    }
    if (!later) s->in_order = 0;
    if (s->len + total > UINT32_MAX)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "sort buffer too large");
    if (!s->buf) {
        /* the whole budget at once: pages count only once written, and
         * the buffer is never copied by growing */
        size_t cap_idx = s->budget / (sizeof(ent) + REC_HEAD) + 1;
        if ((s->buf = xs__malloc(s->budget)) != NULL) s->cap = s->budget;
        if ((s->idx = xs__malloc(cap_idx * sizeof *s->idx)) != NULL) s->cap_idx = cap_idx;
    }
    if (xs__grow(&s->buf, &s->cap, s->len + total, 1) < 0 ||
        xs__grow(&s->idx, &s->cap_idx, s->n + 1, sizeof *s->idx) < 0 ||
        xs__grow(&s->last, &s->cap_last, klen + 1, 1) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    char *p = s->buf + s->len;
    put_u32(p, (uint32_t)total);
    put_u32(p + 4, line);
    uint16_t k16 = (uint16_t)klen;
    memcpy(p + 8, &k16, 2);
    p[10] = (char)flags;
    if (klen) memcpy(p + REC_HEAD, key, klen);
    if (plen) memcpy(p + REC_HEAD + klen, payload, plen);
    ent *e = &s->idx[s->n++];
    e->p[0] = be_word(key, klen);
    e->p[1] = klen > 8 ? be_word(key + 8, klen - 8) : 0;
    e->p[2] = klen > 16 ? be_word(key + 16, klen - 16) : 0;
    e->p[3] = klen > 24 ? be_word(key + 24, klen - 24) : 0;
    e->off = (uint32_t)s->len;
    e->klen = k16;
    e->pad = 0;
    s->len += total;
    if (klen) memcpy(s->last, key, klen);
    s->last_len = klen;
    s->have_last = 1;
    return XS_OK;
}

/* Contract in import_sort.h. */
int xs__io_isort_note(xs__io_isort *s, const char *key, size_t klen)
{
    int c = memcmp(s->last, key, s->last_len < klen ? s->last_len : klen);
    if (!(c < 0 || (c == 0 && s->last_len < klen))) {
        s->in_order = 0;
        return 0;
    }
    if (xs__grow(&s->last, &s->cap_last, klen + 1, 1) < 0) return XS_ENOMEM;
    memcpy(s->last, key, klen);
    s->last_len = klen;
    return 1;
}

/* Contract in import_sort.h. */
int xs__io_isort_drain(xs__io_isort *s, int (*fn)(void *ctx, const xs__io_isort_rec *r),
                       void *ctx)
{
    int rc = XS_OK;
    s->drained = 1;
    for (size_t off = 0; off < s->len && rc == XS_OK;) {
        xs__io_isort_rec r;
        parse_rec(s->buf + off, &r);
        off += get_u32(s->buf + off);
        rc = fn(ctx, &r);
    }
    s->n = 0;
    s->len = 0;
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Merging the runs                                                       */
/* ---------------------------------------------------------------------- */

/* Key order of the current records of runs a and b; ties: the earlier run. */
static int run_cmp(const xs__io_isort *s, size_t a, size_t b)
{
    const xs__io_isort_rec *x = &s->runs[a].cur, *y = &s->runs[b].cur;
    int c = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);
    if (c) return c;
    if (x->klen != y->klen) return x->klen < y->klen ? -1 : 1;
    return a < b ? -1 : a > b;
}

static void heap_down(xs__io_isort *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->n_heap && run_cmp(s, s->heap[l], s->heap[m]) < 0) m = l;
        if (r < s->n_heap && run_cmp(s, s->heap[r], s->heap[m]) < 0) m = r;
        if (m == i) return;
        size_t t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

/* Moves run i to its next record: returns 1, 0 when it has no more, or an
 * error code. */
static int run_advance(xs__io_isort *s, size_t i, xs_error *err)
{
    run *r = &s->runs[i];
    if (r->mem) {
        if (r->i >= r->n_idx) return 0;
        /* the records are read in key order, scattered over the buffer: ask
         * for one a few ahead so that the cache misses overlap */
        if (r->i + 8 < r->n_idx) __builtin_prefetch(s->buf + s->idx[r->i + 8].off);
        parse_rec(s->buf + s->idx[r->i++].off, &r->cur);
        return 1;
    }
    size_t avail = r->len - r->at;
    size_t need = avail >= 4 ? get_u32(r->buf + r->at) : REC_HEAD;
    if (avail < need || avail < REC_HEAD) {
        if (!avail && r->pos >= r->end) return 0;
        memmove(r->buf, r->buf + r->at, avail);
        r->len = avail;
        r->at = 0;
        if (need > r->cap && xs__grow(&r->buf, &r->cap, need, 1) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        while (r->len < r->cap && r->pos < r->end) {
            size_t want = r->cap - r->len;
            if (want > r->end - r->pos) want = (size_t)(r->end - r->pos);
            ssize_t got = pread(fileno(s->tmp), r->buf + r->len, want, (off_t)r->pos);
            if (got <= 0)
                return xs__error_set(err, XS_EIO, NULL, 0, NULL,
                                     "reading a temporary file for sorting: %s",
                                     got < 0 ? strerror(errno) : "unexpected end");
            r->len += (size_t)got;
            r->pos += (uint64_t)got;
        }
        avail = r->len;
        if (avail >= 4) need = get_u32(r->buf);
        if (avail < need || avail < REC_HEAD)
            return xs__error_set(err, XS_EIO, NULL, 0, NULL,
                                 "reading a temporary file for sorting: truncated run");
    }
    parse_rec(r->buf + r->at, &r->cur);
    r->at += need;
    return 1;
}

/* Contract in import_sort.h. */
int xs__io_isort_finish(xs__io_isort *s, xs_error *err)
{
    int rc0 = spill_wait(s, err); /* the last spilled run is written */
    if (rc0 < 0) return rc0;
    if (xs__grow(&s->runs, &s->cap_runs, s->n_runs + 1, sizeof *s->runs) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < s->n_runs; i++) {
        run *r = &s->runs[i];
        r->cap = RUN_BUF;
        if (r->end - r->pos < r->cap) r->cap = (size_t)(r->end - r->pos) + 1;
        if (!(r->buf = xs__malloc(r->cap)))
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    if (!s->in_order) sort_ents(s->buf, s->idx, s->n);
    run *m = &s->runs[s->n_runs++];
    memset(m, 0, sizeof *m);
    m->mem = 1;
    m->n_idx = s->n;
    if (xs__grow(&s->heap, &s->cap_heap, s->n_runs, sizeof *s->heap) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    s->n_heap = 0;
    for (size_t i = 0; i < s->n_runs; i++) {
        int rc = run_advance(s, i, err);
        if (rc < 0) return rc;
        if (rc) s->heap[s->n_heap++] = i;
    }
    for (size_t i = s->n_heap / 2; i-- > 0;)
        heap_down(s, i);
    s->popped = -1;
    return XS_OK;
}

/* Contract in import_sort.h. */
int xs__io_isort_next(xs__io_isort *s, xs__io_isort_rec *r, xs_error *err)
{
    if (s->popped >= 0) {
        /* the record returned last is no longer needed: advance its run */
        int rc = run_advance(s, (size_t)s->popped, err);
        if (rc < 0) return rc;
        if (rc)
            heap_down(s, 0);
        else {
            s->heap[0] = s->heap[--s->n_heap];
            if (s->n_heap) heap_down(s, 0);
        }
        s->popped = -1;
    }
    if (!s->n_heap) return 0;
    s->popped = (long)s->heap[0];
    *r = s->runs[s->heap[0]].cur;
    return 1;
}
