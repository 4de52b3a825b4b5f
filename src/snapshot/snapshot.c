/*
 * snapshot.c — loads the whole store into the columnar xs_snapshot
 * (layout in snapshot.h) and answers the small summary queries of the CLI.
 *
 * Where it fits: a module of its own above the store (the only module that
 * speaks SQL): it reads the store's tables through the store's row API and
 * lays them out for the stages after it (score, offer, measure), which work
 * on the arrays it builds.
 *
 * How it loads: one read transaction, one scan per table in key order
 * through the store's row API (rows.h: no SQL here, either backend). Each
 * table is counted first and its columns allocated once at their exact
 * size, then filled row by row: no allocation per row.
 * Strings become dense ids through intern tables; dates are parsed once
 * into day numbers. Rows are then brought into customer order by a
 * counting sort (a permutation applied column by column, skipped when the
 * scan order already was the target order, as it is when the imported
 * files were sorted) followed by a small merge sort inside each customer;
 * the CSR offsets fall out of the counting sort. Customers and products
 * are read in id order (through their key index), so their dense ids are
 * the rank of their string id.
 *
 * Returns (schema version 6) load like the small tables, only those with a
 * customer; a store without returns gives the snapshot it gave before them.
 *
 * Orders are the large table (tens of millions of lines), so they get their
 * own path: order ids are kept in one character pool (about 13 bytes per
 * order instead of ~45 for the generic intern table); while they arrive in
 * ascending order (lines of an order together, as files sorted by order id
 * give them) no hash table is needed at all, otherwise a compact one is
 * built and dropped after the load. Lines are scattered to their final
 * place through a destination index stored over the line's order column,
 * keeping the peak at about 28 bytes per line.
 */
#include "snapshot/snapshot.h"
#include "store/rows.h"
#include "store/store_int.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/money.h"
#include "base/progress.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Loader state and error helpers                                         */
/* ---------------------------------------------------------------------- */

#define XS_N_COLS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A direct-mapped cache in front of the customer and product lookups of the
 * large tables: a hit costs a few loads and no string hashing or memcmp.
 * Exact for ids of 1 to 16 bytes: the first and the last 8 bytes (or the
 * zero-padded id) plus the length cover the whole id. Longer ids go to the
 * intern table.
 */
typedef struct ref_entry {
    uint64_t a, b;
    uint32_t len, id;
} ref_entry;

typedef struct ref_cache {
    const xs__intern *ids;
    ref_entry *e; /* mask + 1 entries; len 0 = empty */
    size_t mask;
    ref_entry last; /* the latest hit: rows of one customer often come together */
    uint32_t long_last; /* the latest id of over 16 bytes, XS_INTERN_NONE: none */
} ref_cache;

/* The same for the dictionary codes (segment, metric, event type...; and
 * the events' refs, empty on most rows): a few distinct values on millions
 * of rows, each hashed and compared in the dictionary otherwise.
 * Direct-mapped, keyed by dictionary and value (up to 16 bytes, as above);
 * an entry with d NULL is empty. */
#define CODE_CACHE 64

typedef struct code_entry {
    const xs__intern *d;
    uint64_t a, b;
    uint32_t len, id;
} code_entry;

typedef struct loader {
    ref_cache cust_refs, prod_refs;
    code_entry codes[CODE_CACHE];
    xs_store *st;
    xs_snapshot *s;
    xs_error *err;
    const char *path;   /* store file, for messages */
    xs__store_rows scan;  /* the scan being read (closed in cleanup) */
    xs__store_rows *stmt; /* &scan */
    void *scratch;      /* permutation scratch, n * 8 bytes */
    size_t cap_scratch;
    xs__progress prog;  /* on a terminal: rows of the table being loaded */
    uint64_t done;
    char label[48];
    int quiet;          /* 1: no progress bar (the side loader) */
    size_t bytes;       /* column bytes allocated, added to s->bytes at the end */
    int32_t last_date;  /* the latest date read, merged into s->last_date */
} loader;

static int enomem(loader *L)
{
    return xs__error_set(L->err, XS_ENOMEM, L->path, 0, NULL,
                         "out of memory loading the snapshot");
}

/* Quotes a column value (text) for a message. */
static void quote_col(char *buf, size_t n, xs__store_rows *q, int col)
{
    const char *p = xs__store_rows_text(q, col);
    xs__error_quote(buf, n, p ? p : "", p ? xs__store_rows_bytes(q, col) : 0);
}

/* An error about a value: "<table>.<column>: <msg> "<value>" (<key col> "<key>")". */
static int bad_value(loader *L, int code, const char *table, const char *column,
                     const char *msg, xs__store_rows *q, int col, int key_col)
{
    char colname[64], val[128], key[128];
    snprintf(colname, sizeof colname, "%s.%s", table, column);
    quote_col(val, sizeof val, q, col);
    quote_col(key, sizeof key, q, key_col);
    return xs__error_set(L->err, code, L->path, 0, colname, "%s %s (row with %s %s)", msg,
                         val, xs__store_rows_name(q, key_col), key);
}

/* More rows than counted: impossible inside the read transaction. */
static int changed(loader *L, const char *table)
{
    return xs__error_set(L->err, XS_EINTERNAL, L->path, 0, NULL,
                         "table %s changed while the snapshot was loading", table);
}

/* Opens the scan of table t over cols (n_cols); a missing table or column
 * means the file does not have the schema this build reads (XS_ESCHEMA). */
static int open_rows(loader *L, xs_table_id t, const char *const *cols, size_t n_cols,
                     const char *not_null)
{
    xs__store_rows_close(&L->scan);
    L->stmt = &L->scan;
    return xs__store_rows_open(L->st, t, cols, n_cols, not_null, &L->scan, L->err);
}

/* Allocates a column of n elements (at least one, so the pointer is never
 * NULL) and counts its bytes. */
static void *col_alloc(loader *L, size_t n, size_t elem)
{
    if (n > SIZE_MAX / elem) return NULL;
    void *p = xs__malloc((n ? n : 1) * elem);
    if (p) L->bytes += n * elem;
    return p;
}

static int need_scratch(loader *L, size_t bytes)
{
    if (bytes <= L->cap_scratch) return XS_OK;
    void *p = xs__malloc(bytes);
    if (!p) return enomem(L);
    xs__free(L->scratch);
    L->scratch = p;
    L->cap_scratch = bytes;
    return XS_OK;
}

static void drop_scratch(loader *L)
{
    xs__free(L->scratch);
    L->scratch = NULL;
    L->cap_scratch = 0;
}

/* Rows of a table: counted up front so columns are allocated once. */
static int count_rows(loader *L, xs_table_id t, const char *not_null, size_t *n)
{
    const char *table = xs_table_name(t);
    long long c = 0;
    int rc = xs__store_rows_count(L->st, t, not_null, &c, L->err);
    if (rc < 0) return rc;
    if (c >= (long long)UINT32_MAX)
        return xs__error_set(L->err, XS_ERANGE, L->path, 0, NULL,
                             "table %s has %lld rows; a snapshot holds at most %lu",
                             table, (long long)c, (unsigned long)UINT32_MAX - 1);
    *n = (size_t)c;
    /* the bar of the next table: its rows are counted, so it has an ETA */
    if (L->quiet) return XS_OK;
    xs__progress_finish(&L->prog);
    snprintf(L->label, sizeof L->label, "loading %s", table);
    xs__progress_start(&L->prog, L->label, (uint64_t)c);
    L->done = 0;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Reading values                                                         */
/* ---------------------------------------------------------------------- */

static void track_date(loader *L, int32_t d)
{
    if (d != XS_SNAP_NO_DATE && (L->last_date == XS_SNAP_NO_DATE || d > L->last_date))
        L->last_date = d;
}

/* A date column: NULL or '' is XS_SNAP_NO_DATE when optional. */
static int get_date(loader *L, const char *table, const char *column, int col,
                    int key_col, int optional, int32_t *out)
{
    xs__store_rows *q = L->stmt;
    const char *p = xs__store_rows_text(q, col);
    size_t len = p ? xs__store_rows_bytes(q, col) : 0;
    if (!len) {
        if (optional) {
            *out = XS_SNAP_NO_DATE;
            return XS_OK;
        }
        return bad_value(L, XS_EPARSE, table, column, "missing date", q, col, key_col);
    }
    if (xs__date_parse(p, len, out) < 0)
        return bad_value(L, XS_EPARSE, table, column, "not a date:", q, col, key_col);
    track_date(L, *out);
    return XS_OK;
}

/* Equality of two byte strings of length len, without a call for the short
 * ids and dates the loader compares on every row. */
static inline int same_bytes(const char *x, const char *y, size_t len)
{
    if (len >= 8 && len <= 16) {
        uint64_t x1, x2, y1, y2;
        memcpy(&x1, x, 8);
        memcpy(&y1, y, 8);
        memcpy(&x2, x + len - 8, 8);
        memcpy(&y2, y + len - 8, 8);
        return x1 == y1 && x2 == y2;
    }
    return memcmp(x, y, len) == 0;
}

/* Whether id's string in ids is (p, len). */
static int is_id(const xs__intern *ids, uint32_t id, const char *p, size_t len)
{
    return id < ids->n && ids->lens[id] == len && memcmp(xs__intern_str(ids, id), p, len) == 0;
}

/* Looks (p, len) up in ids through the cache. A table in the customers'
 * order (as `xsell gen` writes and most exports come) names the latest id
 * again or the one after it: that one's string is read in order, where the
 * cache would miss the memory once per id. */
static uint32_t ref_find(ref_cache *c, const char *p, size_t len)
{
    if (!len || len > 16) { /* long ids: the latest and the next, else the table */
        if (c->long_last != XS_INTERN_NONE && is_id(c->ids, c->long_last, p, len))
            return c->long_last;
        uint32_t id = c->long_last != XS_INTERN_NONE && is_id(c->ids, c->long_last + 1, p, len)
                          ? c->long_last + 1
                          : xs__intern_find(c->ids, p, len);
        if (id != XS_INTERN_NONE) c->long_last = id;
        return id;
    }
    uint64_t a = 0, b = 0;
    if (len >= 8) {
        memcpy(&a, p, 8);
        memcpy(&b, p + len - 8, 8);
    } else {
        memcpy(&a, p, len);
    }
    if (c->last.len == len && c->last.a == a && c->last.b == b) return c->last.id;
    uint32_t next = c->last.id + 1;
    if (c->last.len && is_id(c->ids, next, p, len)) {
        c->last = (ref_entry){.a = a, .b = b, .len = (uint32_t)len, .id = next};
        return next;
    }
    ref_entry *e = &c->e[xs__mix64(a ^ (b * 0x9e3779b97f4a7c15ULL) ^ len) & c->mask];
    if (e->len != len || e->a != a || e->b != b) {
        uint32_t id = xs__intern_find(c->ids, p, len);
        if (id == XS_INTERN_NONE) return id;
        e->a = a;
        e->b = b;
        e->len = (uint32_t)len;
        e->id = id;
    }
    c->last = *e;
    return e->id;
}

/* A cache of about two entries per id (at least 4096, at most 2^21). */
static int ref_cache_init(loader *L, ref_cache *c, const xs__intern *ids)
{
    size_t n = 4096;
    while (n < 2 * ids->n && n < ((size_t)1 << 21))
        n *= 2;
    c->ids = ids;
    c->long_last = XS_INTERN_NONE;
    c->e = xs__calloc(n, sizeof *c->e);
    c->mask = n - 1;
    return c->e ? XS_OK : enomem(L);
}

/* The dense id of a customer / product reference. */
static int get_ref(loader *L, ref_cache *refs, const char *table, const char *column,
                   int col, int key_col, uint32_t *out)
{
    xs__store_rows *q = L->stmt;
    const char *p = xs__store_rows_text(q, col);
    size_t len = p ? xs__store_rows_bytes(q, col) : 0;
    uint32_t id = len ? ref_find(refs, p, len) : XS_INTERN_NONE;
    if (id == XS_INTERN_NONE)
        return bad_value(L, XS_ENOTFOUND, table, column, "unknown id", q, col, key_col);
    *out = id;
    return XS_OK;
}

/* One of a fixed list of words. */
static int get_enum(loader *L, const char *const *words, const char *table,
                    const char *column, int col, int key_col, uint8_t *out)
{
    xs__store_rows *q = L->stmt;
    const char *p = xs__store_rows_text(q, col);
    if (p) {
        for (uint8_t i = 0; words[i]; i++) {
            if (!strcmp(p, words[i])) {
                *out = i;
                return XS_OK;
            }
        }
    }
    return bad_value(L, XS_EPARSE, table, column, "unknown value", q, col, key_col);
}

/* The id of (p, len) in dictionary d, added when new, through the loader's
 * code cache; XS_INTERN_NONE when out of memory. Ids of at least limit are
 * not cached (the caller refuses them). */
static uint32_t cached_add(loader *L, xs__intern *d, const char *p, size_t len,
                           uint32_t limit)
{
    code_entry *e = NULL;
    uint64_t a = 0, b = 0;
    if (len <= 16) {
        if (len >= 8) {
            memcpy(&a, p, 8);
            memcpy(&b, p + len - 8, 8);
        } else if (len) {
            memcpy(&a, p, len);
        }
        e = &L->codes[xs__mix64(a ^ (b * 0x9e3779b97f4a7c15ULL) ^ len ^
                                (uint64_t)(uintptr_t)d) &
                      (CODE_CACHE - 1)];
        if (e->d == d && e->len == len && e->a == a && e->b == b) return e->id;
    }
    uint32_t id = xs__intern_add(d, p, len);
    if (e && id < limit) *e = (code_entry){d, a, b, (uint32_t)len, id};
    return id;
}

/* A uint16 dictionary code; NULL or '' is XS_SNAP_NONE16. */
static int get_code(loader *L, xs__intern *d, const char *table, const char *column,
                    int col, uint16_t *out)
{
    xs__store_rows *q = L->stmt;
    const char *p = xs__store_rows_text(q, col);
    size_t len = p ? xs__store_rows_bytes(q, col) : 0;
    if (!len) {
        *out = XS_SNAP_NONE16;
        return XS_OK;
    }
    uint32_t id = cached_add(L, d, p, len, XS_SNAP_NONE16);
    if (id == XS_INTERN_NONE) return enomem(L);
    if (id >= XS_SNAP_NONE16)
        return xs__error_set(L->err, XS_ERANGE, L->path, 0, NULL,
                             "%s.%s has more than %u distinct values", table, column,
                             (unsigned)XS_SNAP_NONE16 - 1);
    *out = (uint16_t)id;
    return XS_OK;
}

/* A free-text column copied into the text pool; NULL or '' is offset 0. */
static int get_text(loader *L, int col, uint32_t *out)
{
    xs_snapshot *s = L->s;
    const char *p = xs__store_rows_text(L->stmt, col);
    size_t len = p ? xs__store_rows_bytes(L->stmt, col) : 0;
    if (!len) {
        *out = 0;
        return XS_OK;
    }
    if (s->n_text + len + 1 > UINT32_MAX)
        return xs__error_set(L->err, XS_ERANGE, L->path, 0, NULL,
                             "more than 4 GiB of names and contacts");
    if (xs__grow(&s->text, &s->cap_text, s->n_text + len + 1, 1) < 0) return enomem(L);
    memcpy(s->text + s->n_text, p, len);
    s->text[s->n_text + len] = '\0';
    *out = (uint32_t)s->n_text;
    s->n_text += len + 1;
    return XS_OK;
}

/* A quantity: an integer in [1, UINT32_MAX]. */
static int get_quantity(loader *L, const char *table, int col, int key_col, uint32_t *out)
{
    int64_t v = xs__store_rows_int64(L->stmt, col); /* NULL, text: 0 */
    if (v < 1 || v > (int64_t)UINT32_MAX)
        return bad_value(L, XS_ERANGE, table, "quantity",
                         "not a quantity in [1, 4294967295]:", L->stmt, col, key_col);
    *out = (uint32_t)v;
    return XS_OK;
}

/* subscriptions.term: an INTEGER number of months in [1, 120] (schema
 * version 5; text, as a store written around the importer may hold, is
 * refused). */
static int get_term(loader *L, const char *table, int col, int key_col, uint16_t *out)
{
    int is_int = xs__store_rows_is_int(L->stmt, col); /* before any conversion */
    int64_t v = xs__store_rows_int64(L->stmt, col);
    if (!is_int || v < 1 || v > 120)
        return bad_value(L, XS_ERANGE, table, "term",
                         "not a number of months in [1, 120]:", L->stmt, col, key_col);
    *out = (uint16_t)v;
    return XS_OK;
}

/* Moves to the next row: 1 for a row, 0 at the end, XS_EDB. */
static int step(loader *L)
{
    int rc = xs__store_rows_next(L->stmt, L->err);
    if (rc == 1) xs__progress_update(&L->prog, ++L->done);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Sorting rows into customer order                                       */
/* ---------------------------------------------------------------------- */

/* Compares rows a and b of a table within one customer. */
typedef int (*row_cmp)(const xs_snapshot *s, uint32_t a, uint32_t b);

static void insertion_sort(uint32_t *a, size_t n, row_cmp cmp, const xs_snapshot *s)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = a[i];
        size_t j = i;
        while (j > 0 && cmp(s, a[j - 1], x) > 0) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Stable merge sort of row indexes; tmp holds n / 2 + 1 entries. */
static void merge_sort(uint32_t *a, uint32_t *tmp, size_t n, row_cmp cmp,
                       const xs_snapshot *s)
{
    if (n <= 24) {
        insertion_sort(a, n, cmp, s);
        return;
    }
    size_t h = n / 2;
    merge_sort(a, tmp, h, cmp, s);
    merge_sort(a + h, tmp, n - h, cmp, s);
    if (cmp(s, a[h - 1], a[h]) <= 0) return;
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        a[k++] = cmp(s, tmp[i], a[j]) <= 0 ? tmp[i++] : a[j++];
    while (i < h)
        a[k++] = tmp[i++];
}

/*
 * Orders rows 0..n-1 by customer (counting sort, stable), then by cmp
 * within each customer. Fills off (n_cust + 1 entries: the CSR index) and
 * sets *perm to the new order (perm[new] = old; caller frees), or to NULL
 * when the rows already are in that order.
 */
static int sort_rows(loader *L, size_t n, const uint32_t *cust, size_t n_cust,
                     uint32_t *off, row_cmp cmp, uint32_t **perm_out)
{
    int rc = XS_OK;
    uint32_t *perm = NULL, *cursor = NULL, *tmp = NULL;
    *perm_out = NULL;
    memset(off, 0, (n_cust + 1) * sizeof *off);
    for (size_t i = 0; i < n; i++)
        off[cust[i] + 1]++;
    for (size_t c = 0; c < n_cust; c++)
        off[c + 1] += off[c];
    /* Already in order? (The store's key order often is.) */
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        if (cust[i - 1] > cust[i] ||
            (cust[i - 1] == cust[i] && cmp(L->s, (uint32_t)i - 1, (uint32_t)i) > 0))
            sorted = 0;
    if (sorted) return XS_OK;
    perm = xs__malloc((n ? n : 1) * sizeof *perm);
    cursor = xs__malloc((n_cust ? n_cust : 1) * sizeof *cursor);
    if (!perm || !cursor) goto oom;
    memcpy(cursor, off, n_cust * sizeof *cursor);
    for (size_t i = 0; i < n; i++)
        perm[cursor[cust[i]]++] = (uint32_t)i;
    size_t longest = 0;
    for (size_t c = 0; c < n_cust; c++)
        if (off[c + 1] - off[c] > longest) longest = off[c + 1] - off[c];
    tmp = xs__malloc((longest / 2 + 1) * sizeof *tmp);
    if (!tmp) goto oom;
    for (size_t c = 0; c < n_cust; c++)
        merge_sort(perm + off[c], tmp, off[c + 1] - off[c], cmp, L->s);
    *perm_out = perm;
    perm = NULL;
    goto cleanup;
oom:
    rc = enomem(L);
cleanup:
    xs__free(perm);
    xs__free(cursor);
    xs__free(tmp);
    return rc;
}

/* col[i] = col[perm[i]] for a column of elem (1, 2, 4 or 8) bytes. */
static void gather(loader *L, void *col, size_t elem, const uint32_t *perm, size_t n)
{
    unsigned char *sc = L->scratch;
    switch (elem) {
    case 1: {
        const uint8_t *c = col;
        uint8_t *d = (uint8_t *)sc;
        for (size_t i = 0; i < n; i++)
            d[i] = c[perm[i]];
        break;
    }
    case 2: {
        const uint16_t *c = col;
        uint16_t *d = (uint16_t *)(void *)sc;
        for (size_t i = 0; i < n; i++)
            d[i] = c[perm[i]];
        break;
    }
    case 4: {
        const uint32_t *c = col;
        uint32_t *d = (uint32_t *)(void *)sc;
        for (size_t i = 0; i < n; i++)
            d[i] = c[perm[i]];
        break;
    }
    default: {
        const uint64_t *c = col;
        uint64_t *d = (uint64_t *)(void *)sc;
        for (size_t i = 0; i < n; i++)
            d[i] = c[perm[i]];
        break;
    }
    }
    memcpy(col, sc, n * elem);
}

/* ---------------------------------------------------------------------- */
/* Customers                                                              */
/* ---------------------------------------------------------------------- */

static int load_customers(loader *L)
{
    xs_snapshot *s = L->s;
    xs__snapshot_customers *c = &s->cust;
    size_t n;
    int rc = count_rows(L, XS_T_CUSTOMERS, NULL, &n);
    if (rc < 0) return rc;
    c->name = col_alloc(L, n, 4);
    c->segment = col_alloc(L, n, 2);
    c->industry = col_alloc(L, n, 2);
    c->size = col_alloc(L, n, 2);
    c->region = col_alloc(L, n, 2);
    c->owner = col_alloc(L, n, 2);
    c->signup = col_alloc(L, n, 4);
    c->consent = col_alloc(L, n, 1);
    c->contact_name = col_alloc(L, n, 4);
    c->contact_email = col_alloc(L, n, 4);
    c->attrs = col_alloc(L, n, 4);
    c->churn_score = col_alloc(L, n, 8);
    c->churn_scored = col_alloc(L, n, 4);
    c->sub_off = col_alloc(L, n + 1, 4);
    c->order_off = col_alloc(L, n + 1, 4);
    c->usage_off = col_alloc(L, n + 1, 4);
    c->event_off = col_alloc(L, n + 1, 4);
    c->offer_off = col_alloc(L, n + 1, 4);
    c->ret_off = col_alloc(L, n + 1, 4);
    if (!c->name || !c->segment || !c->industry || !c->size || !c->region || !c->owner ||
        !c->signup || !c->consent || !c->contact_name || !c->contact_email ||
        !c->attrs || !c->churn_score || !c->churn_scored || !c->sub_off || !c->order_off || !c->usage_off || !c->event_off || !c->offer_off ||
        !c->ret_off)
        return enomem(L);
    /* Empty customer tables still have valid (all-zero) CSR indexes. */
    c->sub_off[0] = c->order_off[0] = c->usage_off[0] = c->event_off[0] =
        c->offer_off[0] = c->ret_off[0] = 0;
    static const char *const fields[] = {
        "customer_id",    "name",         "segment",         "industry",
        "size",           "region",       "signup_date",     "consent_email",
        "consent_in_app", "consent_csm",  "consent_webinar", "consent_sns",
        "owner",          "contact_name", "contact_email",   "attrs"};
    rc = open_rows(L, XS_T_CUSTOMERS, fields, XS_N_COLS(fields), NULL);
    if (rc < 0) return rc;
    size_t i = 0;
    while ((rc = step(L)) == 1) {
        xs__store_rows *q = L->stmt;
        if (i >= n) return changed(L, "customers");
        const char *id = xs__store_rows_text(q, 0);
        size_t len = id ? xs__store_rows_bytes(q, 0) : 0;
        uint32_t cid = xs__intern_add(&c->ids, id ? id : "", len);
        if (cid == XS_INTERN_NONE) return enomem(L);
        if (cid != i)
            return bad_value(L, XS_EINTERNAL, "customers", "customer_id", "duplicate id",
                             q, 0, 0);
        if ((rc = get_text(L, 1, &c->name[i])) < 0 ||
            (rc = get_code(L, &s->dict.segments, "customers", "segment", 2,
                           &c->segment[i])) < 0 ||
            (rc = get_code(L, &s->dict.industries, "customers", "industry", 3,
                           &c->industry[i])) < 0 ||
            (rc = get_code(L, &s->dict.sizes, "customers", "size", 4, &c->size[i])) < 0 ||
            (rc = get_code(L, &s->dict.regions, "customers", "region", 5,
                           &c->region[i])) < 0 ||
            (rc = get_date(L, "customers", "signup_date", 6, 0, 0, &c->signup[i])) < 0 ||
            (rc = get_code(L, &s->dict.owners, "customers", "owner", 12, &c->owner[i])) <
                0 ||
            (rc = get_text(L, 13, &c->contact_name[i])) < 0 ||
            (rc = get_text(L, 14, &c->contact_email[i])) < 0 ||
            (rc = get_text(L, 15, &c->attrs[i])) < 0)
            return rc;
        c->churn_score[i] = NAN;
        c->churn_scored[i] = XS_SNAP_NO_DATE;
        uint8_t bits = 0;
        for (int ch = 0; ch < XS_SNAP_N_CHANNELS; ch++)
            if (xs__store_rows_int64(q, 7 + ch) != 0) bits |= (uint8_t)(1u << ch);
        c->consent[i] = bits;
        i++;
    }
    if (rc < 0) return rc;
    c->n = i;
    return XS_OK;
}

/* Imported churn risk (table churn_scores, one row per customer) into
 * cust.churn_score / churn_scored. scored_at is not an event: it does not
 * move the snapshot's last date. */
static int load_churn_scores(loader *L)
{
    xs__snapshot_customers *c = &L->s->cust;
    static const char *const fields[] = {"customer_id", "churn_risk", "scored_at"};
    int rc = open_rows(L, XS_T_CHURN_SCORES, fields, XS_N_COLS(fields), NULL);
    if (rc < 0) return rc;
    c->n_churn_scores = 0;
    while ((rc = step(L)) == 1) {
        xs__store_rows *q = L->stmt;
        const char *id = xs__store_rows_text(q, 0);
        size_t len = id ? xs__store_rows_bytes(q, 0) : 0;
        uint32_t cid = xs__intern_find(&c->ids, id ? id : "", len);
        if (cid == XS_INTERN_NONE)
            return bad_value(L, XS_EPARSE, "churn_scores", "customer_id",
                             "unknown customer", q, 0, 0);
        double v = xs__store_rows_double(q, 1);
        if (xs__store_rows_is_null(q, 1) || !(v >= 0 && v <= 1))
            return bad_value(L, XS_EPARSE, "churn_scores", "churn_risk",
                             "not a probability:", q, 1, 0);
        const char *d = xs__store_rows_text(q, 2);
        size_t dlen = d ? xs__store_rows_bytes(q, 2) : 0;
        int32_t day = XS_SNAP_NO_DATE;
        if (dlen && xs__date_parse(d, dlen, &day) < 0)
            return bad_value(L, XS_EPARSE, "churn_scores", "scored_at", "not a date:", q,
                             2, 0);
        if (isnan(c->churn_score[cid])) c->n_churn_scores++;
        c->churn_score[cid] = v;
        c->churn_scored[cid] = day;
    }
    return rc < 0 ? rc : XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Products                                                               */
/* ---------------------------------------------------------------------- */

static int is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}

int xs__snapshot_parse_limits(const char *s, size_t len, xs__intern *names,
                              uint16_t *out_name, double *out_value, size_t cap,
                              char *what, size_t n_what)
{
    size_t n = 0, i = 0;
    char q[96];
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] != ';')
            i++;
        const char *item = s + start;
        size_t ilen = i - start;
        if (i < len) i++;    /* the ';' */
        if (!ilen) continue; /* "a=1;;b=2" and a trailing ';' are fine */
        const char *eq = memchr(item, '=', ilen);
        size_t nlen = eq ? (size_t)(eq - item) : ilen;
        int name_ok = nlen > 0;
        for (size_t k = 0; k < nlen && name_ok; k++)
            name_ok = is_name_char(item[k]);
        if (!eq || !name_ok) {
            xs__error_quote(q, sizeof q, item, ilen);
            snprintf(what, n_what, "%s %s",
                     eq ? "bad limit name" : "expected name=value, got", q);
            return XS_EPARSE;
        }
        const char *v = eq + 1;
        size_t vlen = ilen - nlen - 1, k = 0, digits = 0;
        while (k < vlen && v[k] >= '0' && v[k] <= '9')
            k++, digits++;
        if (k < vlen && v[k] == '.') {
            k++;
            while (k < vlen && v[k] >= '0' && v[k] <= '9')
                k++, digits++;
        }
        if (!digits || k != vlen || vlen >= 64) {
            xs__error_quote(q, sizeof q, v, vlen);
            snprintf(what, n_what, "limit %.*s: not a non-negative number: %s", (int)nlen,
                     item, q);
            return XS_EPARSE;
        }
        char num[64];
        memcpy(num, v, vlen);
        num[vlen] = '\0';
        uint32_t id = xs__intern_add(names, item, nlen);
        if (id == XS_INTERN_NONE) return XS_ENOMEM;
        if (id >= XS_SNAP_NONE16) {
            snprintf(what, n_what, "more than %u distinct metric names",
                     (unsigned)XS_SNAP_NONE16 - 1);
            return XS_ERANGE;
        }
        for (size_t j = 0; j < n; j++) {
            if (out_name[j] == id) {
                snprintf(what, n_what, "limit %.*s given twice", (int)nlen, item);
                return XS_EPARSE;
            }
        }
        if (n >= cap) {
            snprintf(what, n_what, "more than %zu limits", cap);
            return XS_ERANGE;
        }
        out_name[n] = (uint16_t)id;
        out_value[n] = strtod(num, NULL);
        n++;
    }
    return (int)n;
}

/* Ladder order: tiers ascending (no tier last), then price, then id. */
static int cmp_ladder(const xs_snapshot *s, uint32_t a, uint32_t b)
{
    const xs__snapshot_products *p = &s->prod;
    unsigned ta = p->tier[a] ? p->tier[a] : 0x10000u,
             tb = p->tier[b] ? p->tier[b] : 0x10000u;
    if (ta != tb) return ta < tb ? -1 : 1;
    if (p->price[a] != p->price[b]) return p->price[a] < p->price[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

#define MAX_LIMITS_PER_PRODUCT 64

/* The limits of product row i (the current row, column 7) appended to
 * limit_name / limit_value, whose capacity is *cap_limits; sets
 * limit_off[i + 1]. Returns XS_OK or an error set in L->err. */
static int product_limits(loader *L, size_t i, size_t *cap_limits)
{
    xs_snapshot *s = L->s;
    xs__snapshot_products *p = &s->prod;
    xs__store_rows *q = L->stmt;
    const char *lim = xs__store_rows_text(q, 7);
    size_t lim_len = lim ? xs__store_rows_bytes(q, 7) : 0;
    size_t want = p->n_limits + MAX_LIMITS_PER_PRODUCT, cap2 = *cap_limits;
    if (xs__grow(&p->limit_name, cap_limits, want, sizeof *p->limit_name) < 0 ||
        xs__grow(&p->limit_value, &cap2, want, sizeof *p->limit_value) < 0) {
        /* keep the recorded capacity that of the smaller array */
        if (cap2 < *cap_limits) *cap_limits = cap2;
        return enomem(L);
    }
    char what[200];
    int got = xs__snapshot_parse_limits(
        lim ? lim : "", lim_len, &s->dict.metrics, p->limit_name + p->n_limits,
        p->limit_value + p->n_limits, MAX_LIMITS_PER_PRODUCT, what, sizeof what);
    if (got == XS_ENOMEM) return enomem(L);
    if (got < 0) {
        char key[128];
        quote_col(key, sizeof key, q, 0);
        return xs__error_set(L->err, got, L->path, 0, "products.limits",
                             "%s (row with product_id %s)", what, key);
    }
    p->n_limits += (size_t)got;
    p->limit_off[i + 1] = (uint32_t)p->n_limits;
    return XS_OK;
}

/* Ladders: the products of each family (family_off, family_products),
 * cheapest tier first. Returns XS_OK or an error set in L->err. */
static int product_ladders(loader *L)
{
    xs_snapshot *s = L->s;
    xs__snapshot_products *p = &s->prod;
    size_t n_fam = s->dict.families.n, n_in = 0;
    p->family_off = col_alloc(L, n_fam + 1, 4);
    if (!p->family_off) return enomem(L);
    memset(p->family_off, 0, (n_fam + 1) * sizeof *p->family_off);
    for (size_t k = 0; k < p->n; k++)
        if (p->family[k] != XS_SNAP_NONE16) p->family_off[p->family[k] + 1]++, n_in++;
    for (size_t f = 0; f < n_fam; f++)
        p->family_off[f + 1] += p->family_off[f];
    p->family_products = col_alloc(L, n_in, 4);
    uint32_t *cursor = xs__malloc((n_fam ? n_fam : 1) * sizeof *cursor);
    if (!p->family_products || !cursor) {
        xs__free(cursor);
        return enomem(L);
    }
    memcpy(cursor, p->family_off, n_fam * sizeof *cursor);
    for (size_t k = 0; k < p->n; k++)
        if (p->family[k] != XS_SNAP_NONE16)
            p->family_products[cursor[p->family[k]]++] = (uint32_t)k;
    xs__free(cursor);
    uint32_t *tmp = xs__malloc((n_in / 2 + 1) * sizeof *tmp);
    if (!tmp) return enomem(L);
    for (size_t f = 0; f < n_fam; f++)
        merge_sort(p->family_products + p->family_off[f], tmp,
                   p->family_off[f + 1] - p->family_off[f], cmp_ladder, s);
    xs__free(tmp);
    return XS_OK;
}

static int load_products(loader *L)
{
    static const char *const kinds[] = {"plan", "addon", "product", NULL};
    static const char *const billings[] = {"month", "year", "once", NULL};
    xs_snapshot *s = L->s;
    xs__snapshot_products *p = &s->prod;
    size_t n, cap_limits = 0;
    int rc = count_rows(L, XS_T_PRODUCTS, NULL, &n);
    if (rc < 0) return rc;
    p->name = col_alloc(L, n, 4);
    p->name_ja = col_alloc(L, n, 4);
    p->family = col_alloc(L, n, 2);
    p->tier = col_alloc(L, n, 2);
    p->kind = col_alloc(L, n, 1);
    p->billing = col_alloc(L, n, 1);
    p->price = col_alloc(L, n, 8);
    p->category = col_alloc(L, n, 2);
    p->limit_off = col_alloc(L, n + 1, 4);
    if (!p->name || !p->name_ja || !p->family || !p->tier || !p->kind || !p->billing ||
        !p->price || !p->category || !p->limit_off)
        return enomem(L);
    p->limit_off[0] = 0;
    /* name_ja: the optional Japanese name, an imported column name_ja or
     * name:ja kept in attrs (computed by the store, rows.c) */
    static const char *const fields[] = {"product_id", "name",   "family",  "tier",
                                         "kind",       "price",  "billing", "limits",
                                         "category",   "name_ja"};
    rc = open_rows(L, XS_T_PRODUCTS, fields, XS_N_COLS(fields), NULL);
    if (rc < 0) return rc;
    size_t i = 0;
    while ((rc = step(L)) == 1) {
        xs__store_rows *q = L->stmt;
        if (i >= n) return changed(L, "products");
        const char *id = xs__store_rows_text(q, 0);
        size_t len = id ? xs__store_rows_bytes(q, 0) : 0;
        uint32_t pid = xs__intern_add(&p->ids, id ? id : "", len);
        if (pid == XS_INTERN_NONE) return enomem(L);
        if (pid != i)
            return bad_value(L, XS_EINTERNAL, "products", "product_id", "duplicate id", q,
                             0, 0);
        if ((rc = get_text(L, 1, &p->name[i])) < 0 ||
            (rc = get_text(L, 9, &p->name_ja[i])) < 0 ||
            (rc = get_code(L, &s->dict.families, "products", "family", 2,
                           &p->family[i])) < 0 ||
            (rc = get_enum(L, kinds, "products", "kind", 4, 0, &p->kind[i])) < 0 ||
            (rc = get_enum(L, billings, "products", "billing", 6, 0, &p->billing[i])) <
                0 ||
            (rc = get_code(L, &s->dict.categories, "products", "category", 8,
                           &p->category[i])) < 0)
            return rc;
        int64_t tier = xs__store_rows_int64(q, 3);
        if (!xs__store_rows_is_null(q, 3) &&
            (!xs__store_rows_is_int(q, 3) || tier < 1 || tier > 65535))
            return bad_value(L, XS_ERANGE, "products", "tier",
                             "not a tier in [1, 65535]:", q, 3, 0);
        p->tier[i] = xs__store_rows_is_null(q, 3) ? 0 : (uint16_t)tier;
        p->price[i] = xs__store_rows_int64(q, 5);
        if ((rc = product_limits(L, i, &cap_limits)) < 0) return rc;
        i++;
    }
    if (rc < 0) return rc;
    p->n = i;
    s->bytes += cap_limits * (sizeof *p->limit_name + sizeof *p->limit_value);

    return product_ladders(L);
}

/* ---------------------------------------------------------------------- */
/* Subscriptions, usage, events, offers: scan, then customer order        */
/* ---------------------------------------------------------------------- */

/* Sorts a loaded table into customer order: cols/elems list its columns. */
static int order_table(loader *L, size_t n, uint32_t *cust, uint32_t *off, row_cmp cmp,
                       void **cols, const size_t *elems, size_t n_cols)
{
    uint32_t *perm;
    int rc = sort_rows(L, n, cust, L->s->cust.n, off, cmp, &perm);
    if (rc < 0 || !perm) return rc;
    rc = need_scratch(L, n * 8);
    if (rc == XS_OK)
        for (size_t k = 0; k < n_cols; k++)
            gather(L, cols[k], elems[k], perm, n);
    xs__free(perm);
    return rc;
}

static int cmp_sub(const xs_snapshot *s, uint32_t a, uint32_t b)
{
    const xs__snapshot_subscriptions *t = &s->sub;
    if (t->start[a] != t->start[b]) return t->start[a] < t->start[b] ? -1 : 1;
    if (t->product[a] != t->product[b]) return t->product[a] < t->product[b] ? -1 : 1;
    return 0;
}

static int load_subscriptions(loader *L)
{
    xs_snapshot *s = L->s;
    xs__snapshot_subscriptions *t = &s->sub;
    size_t n;
    int rc = count_rows(L, XS_T_SUBSCRIPTIONS, NULL, &n);
    if (rc < 0) return rc;
    t->customer = col_alloc(L, n, 4);
    t->product = col_alloc(L, n, 4);
    t->quantity = col_alloc(L, n, 4);
    t->unit_price = col_alloc(L, n, 8);
    t->start = col_alloc(L, n, 4);
    t->end = col_alloc(L, n, 4);
    t->renewal = col_alloc(L, n, 4);
    t->term = col_alloc(L, n, 2);
    if (!t->customer || !t->product || !t->quantity || !t->unit_price || !t->start ||
        !t->end || !t->renewal || !t->term)
        return enomem(L);
    static const char *const fields[] = {"customer_id", "product_id",  "quantity",
                                         "unit_price",  "start_date",  "end_date",
                                         "term",        "renewal_date"};
    rc = open_rows(L, XS_T_SUBSCRIPTIONS, fields, XS_N_COLS(fields), NULL);
    if (rc < 0) return rc;
    size_t i = 0;
    const char *tb = "subscriptions";
    while ((rc = step(L)) == 1) {
        if (i >= n) return changed(L, "subscriptions");
        if ((rc = get_ref(L, &L->cust_refs, tb, "customer_id", 0, 0, &t->customer[i])) <
                0 ||
            (rc = get_ref(L, &L->prod_refs, tb, "product_id", 1, 0, &t->product[i])) <
                0 ||
            (rc = get_quantity(L, tb, 2, 0, &t->quantity[i])) < 0 ||
            (rc = get_date(L, tb, "start_date", 4, 0, 0, &t->start[i])) < 0 ||
            (rc = get_date(L, tb, "end_date", 5, 0, 1, &t->end[i])) < 0 ||
            (rc = get_term(L, tb, 6, 0, &t->term[i])) < 0 ||
            (rc = get_date(L, tb, "renewal_date", 7, 0, 1, &t->renewal[i])) < 0)
            return rc;
        t->unit_price[i] = xs__store_rows_int64(L->stmt, 3);
        i++;
    }
    if (rc < 0) return rc;
    t->n = i;
    void *cols[] = {t->customer, t->product, t->quantity, t->unit_price,
                    t->start,    t->end,     t->renewal,  t->term};
    static const size_t elems[] = {4, 4, 4, 8, 4, 4, 4, 2};
    return order_table(L, i, t->customer, s->cust.sub_off, cmp_sub, cols, elems, 8);
}

static int cmp_usage(const xs_snapshot *s, uint32_t a, uint32_t b)
{
    const xs__snapshot_usage *t = &s->use;
    if (t->product[a] != t->product[b]) return t->product[a] < t->product[b] ? -1 : 1;
    if (t->metric[a] != t->metric[b]) /* by name, as the store keys them */
        return strcmp(xs__intern_str(&s->dict.metrics, t->metric[a]),
                      xs__intern_str(&s->dict.metrics, t->metric[b]));
    if (t->date[a] != t->date[b]) return t->date[a] < t->date[b] ? -1 : 1;
    return 0;
}

static int load_usage(loader *L)
{
    xs_snapshot *s = L->s;
    xs__snapshot_usage *t = &s->use;
    size_t n;
    int rc = count_rows(L, XS_T_USAGE, NULL, &n);
    if (rc < 0) return rc;
    t->customer = col_alloc(L, n, 4);
    t->product = col_alloc(L, n, 4);
    t->metric = col_alloc(L, n, 2);
    t->date = col_alloc(L, n, 4);
    t->value = col_alloc(L, n, 8);
    if (!t->customer || !t->product || !t->metric || !t->date || !t->value)
        return enomem(L);
    static const char *const fields[] = {"customer_id", "product_id", "metric", "value",
                                         "date"};
    rc = open_rows(L, XS_T_USAGE, fields, XS_N_COLS(fields), NULL);
    if (rc < 0) return rc;
    size_t i = 0;
    while ((rc = step(L)) == 1) {
        if (i >= n) return changed(L, "usage");
        if ((rc = get_ref(L, &L->cust_refs, "usage", "customer_id", 0, 0,
                          &t->customer[i])) < 0 ||
            (rc = get_ref(L, &L->prod_refs, "usage", "product_id", 1, 0,
                          &t->product[i])) < 0 ||
            (rc = get_code(L, &s->dict.metrics, "usage", "metric", 2, &t->metric[i])) <
                0 ||
            (rc = get_date(L, "usage", "date", 4, 0, 0, &t->date[i])) < 0)
            return rc;
        if (t->metric[i] == XS_SNAP_NONE16)
            return bad_value(L, XS_EPARSE, "usage", "metric", "missing metric", L->stmt,
                             2, 0);
        t->value[i] = xs__store_rows_double(L->stmt, 3);
        i++;
    }
    if (rc < 0) return rc;
    t->n = i;
    void *cols[] = {t->customer, t->product, t->metric, t->date, t->value};
    static const size_t elems[] = {4, 4, 2, 4, 8};
    return order_table(L, i, t->customer, s->cust.usage_off, cmp_usage, cols, elems, 5);
}

static int cmp_event(const xs_snapshot *s, uint32_t a, uint32_t b)
{
    const xs__snapshot_events *t = &s->ev;
    if (t->date[a] != t->date[b]) return t->date[a] < t->date[b] ? -1 : 1;
    if (t->type[a] != t->type[b])
        return strcmp(xs__intern_str(&s->dict.event_types, t->type[a]),
                      xs__intern_str(&s->dict.event_types, t->type[b]));
    if (t->ref[a] != t->ref[b])
        return strcmp(xs__intern_str(&s->dict.refs, t->ref[a]),
                      xs__intern_str(&s->dict.refs, t->ref[b]));
    return 0;
}

static int load_events(loader *L)
{
    xs_snapshot *s = L->s;
    xs__snapshot_events *t = &s->ev;
    size_t n;
    int rc = count_rows(L, XS_T_EVENTS, NULL, &n);
    if (rc < 0) return rc;
    t->customer = col_alloc(L, n, 4);
    t->date = col_alloc(L, n, 4);
    t->type = col_alloc(L, n, 2);
    t->value = col_alloc(L, n, 8);
    t->ref = col_alloc(L, n, 4);
    if (!t->customer || !t->date || !t->type || !t->value || !t->ref) return enomem(L);
    static const char *const fields[] = {"customer_id", "date", "type", "value", "ref"};
    rc = open_rows(L, XS_T_EVENTS, fields, XS_N_COLS(fields), NULL);
    if (rc < 0) return rc;
    size_t i = 0;
    while ((rc = step(L)) == 1) {
        xs__store_rows *q = L->stmt;
        if (i >= n) return changed(L, "events");
        if ((rc = get_ref(L, &L->cust_refs, "events", "customer_id", 0, 0,
                          &t->customer[i])) < 0 ||
            (rc = get_date(L, "events", "date", 1, 0, 0, &t->date[i])) < 0 ||
            (rc = get_code(L, &s->dict.event_types, "events", "type", 2, &t->type[i])) <
                0)
            return rc;
        if (t->type[i] == XS_SNAP_NONE16)
            return bad_value(L, XS_EPARSE, "events", "type", "missing type", q, 2, 0);
        t->value[i] = xs__store_rows_is_null(q, 3) ? NAN : xs__store_rows_double(q, 3);
        const char *ref = xs__store_rows_text(q, 4);
        size_t len = ref ? xs__store_rows_bytes(q, 4) : 0;
        uint32_t code = cached_add(L, &s->dict.refs, ref ? ref : "", len, XS_INTERN_NONE);
        if (code == XS_INTERN_NONE) return enomem(L);
        t->ref[i] = code;
        i++;
    }
    if (rc < 0) return rc;
    t->n = i;
    void *cols[] = {t->customer, t->date, t->type, t->value, t->ref};
    static const size_t elems[] = {4, 4, 2, 8, 4};
    return order_table(L, i, t->customer, s->cust.event_off, cmp_event, cols, elems, 5);
}

static int cmp_offer(const xs_snapshot *s, uint32_t a, uint32_t b)
{
    const xs__snapshot_offers *t = &s->off;
    if (t->sent[a] != t->sent[b]) return t->sent[a] < t->sent[b] ? -1 : 1;
    return strcmp(xs__intern_str(&t->ids, t->id[a]), xs__intern_str(&t->ids, t->id[b]));
}

static int load_offers(loader *L)
{
    static const char *const kinds[] = {"upsell", "cross_sell", "downsell", NULL};
    static const char *const channels[] = {"email",   "in_app", "csm",
                                           "webinar", "sns",    NULL};
    static const char *const outcomes[] = {"accepted", "declined", "ignored", "pending",
                                           NULL};
    xs_snapshot *s = L->s;
    xs__snapshot_offers *t = &s->off;
    size_t n;
    int rc = count_rows(L, XS_T_OFFERS, NULL, &n);
    if (rc < 0) return rc;
    t->id = col_alloc(L, n, 4);
    t->customer = col_alloc(L, n, 4);
    t->product = col_alloc(L, n, 4);
    t->kind = col_alloc(L, n, 1);
    t->channel = col_alloc(L, n, 1);
    t->outcome = col_alloc(L, n, 1);
    t->flags = col_alloc(L, n, 1);
    t->sent = col_alloc(L, n, 4);
    t->outcome_at = col_alloc(L, n, 4);
    t->revenue_delta = col_alloc(L, n, 8);
    if (!t->id || !t->customer || !t->product || !t->kind || !t->channel || !t->outcome ||
        !t->flags || !t->sent || !t->outcome_at || !t->revenue_delta)
        return enomem(L);
    static const char *const fields[] = {"offer_id", "customer_id", "product_id",
                                         "kind",     "channel",     "sent_at",
                                         "outcome",  "outcome_at",  "revenue_delta"};
    rc = open_rows(L, XS_T_OFFERS, fields, XS_N_COLS(fields), NULL);
    if (rc < 0) return rc;
    size_t i = 0;
    const char *tb = "offers";
    while ((rc = step(L)) == 1) {
        xs__store_rows *q = L->stmt;
        if (i >= n) return changed(L, "offers");
        const char *id = xs__store_rows_text(q, 0);
        size_t len = id ? xs__store_rows_bytes(q, 0) : 0;
        uint32_t oid = xs__intern_add(&t->ids, id ? id : "", len);
        if (oid == XS_INTERN_NONE) return enomem(L);
        if (oid != i)
            return bad_value(L, XS_EINTERNAL, tb, "offer_id", "duplicate id", q, 0, 0);
        t->id[i] = oid;
        if ((rc = get_ref(L, &L->cust_refs, tb, "customer_id", 1, 0, &t->customer[i])) <
                0 ||
            (rc = get_ref(L, &L->prod_refs, tb, "product_id", 2, 0, &t->product[i])) <
                0 ||
            (rc = get_enum(L, kinds, tb, "kind", 3, 0, &t->kind[i])) < 0 ||
            (rc = get_enum(L, channels, tb, "channel", 4, 0, &t->channel[i])) < 0 ||
            (rc = get_date(L, tb, "sent_at", 5, 0, 0, &t->sent[i])) < 0 ||
            (rc = get_enum(L, outcomes, tb, "outcome", 6, 0, &t->outcome[i])) < 0 ||
            (rc = get_date(L, tb, "outcome_at", 7, 0, 1, &t->outcome_at[i])) < 0)
            return rc;
        int has_rev = !xs__store_rows_is_null(q, 8);
        t->flags[i] = has_rev ? XS_SNAP_OFFER_HAS_REVENUE : 0;
        t->revenue_delta[i] = has_rev ? xs__store_rows_int64(q, 8) : 0;
        i++;
    }
    if (rc < 0) return rc;
    t->n = i;
    void *cols[] = {t->id,      t->customer, t->product, t->kind,       t->channel,
                    t->outcome, t->flags,    t->sent,    t->outcome_at, t->revenue_delta};
    static const size_t elems[] = {4, 4, 4, 1, 1, 1, 1, 4, 4, 8};
    return order_table(L, i, t->customer, s->cust.offer_off, cmp_offer, cols, elems, 10);
}

/* ---------------------------------------------------------------------- */
/* Returns                                                                */
/* ---------------------------------------------------------------------- */

static int cmp_return(const xs_snapshot *s, uint32_t a, uint32_t b)
{
    const xs__snapshot_returns *t = &s->ret;
    if (t->date[a] != t->date[b]) return t->date[a] < t->date[b] ? -1 : 1;
    if (t->product[a] != t->product[b]) return t->product[a] < t->product[b] ? -1 : 1;
    return 0; /* the sort is stable: ties keep the store's key order */
}

/*
 * The returns of known customers. Anonymous returns (customer_id NULL) are
 * left out by the query; a customer the store does not hold (the importer
 * checks references, so only a store written around it) is skipped too,
 * rather than failing the load: a return is a correction of revenue, not
 * something the scores could attach to anyone else.
 */
static int load_returns(loader *L)
{
    xs_snapshot *s = L->s;
    xs__snapshot_returns *t = &s->ret;
    size_t n;
    long long cnt = 0;
    int rc = xs__store_rows_count(L->st, XS_T_RETURNS, "customer_id", &cnt, L->err);
    if (rc < 0) return rc;
    if (cnt >= (long long)UINT32_MAX)
        return xs__error_set(L->err, XS_ERANGE, L->path, 0, NULL,
                             "table returns has %lld rows; a snapshot holds at most %lu",
                             (long long)cnt, (unsigned long)UINT32_MAX - 1);
    n = (size_t)cnt;
    t->customer = col_alloc(L, n, 4);
    t->date = col_alloc(L, n, 4);
    t->product = col_alloc(L, n, 4);
    t->quantity = col_alloc(L, n, 4);
    t->amount = col_alloc(L, n, 8);
    if (!t->customer || !t->date || !t->product || !t->quantity || !t->amount)
        return enomem(L);
    static const char *const fields[] = {"return_id",  "customer_id", "date",
                                         "product_id", "quantity",    "amount"};
    rc = open_rows(L, XS_T_RETURNS, fields, XS_N_COLS(fields), "customer_id");
    if (rc < 0) return rc;
    size_t i = 0;
    const char *tb = "returns";
    while ((rc = step(L)) == 1) {
        xs__store_rows *q = L->stmt;
        if (i >= n) return changed(L, tb);
        const char *cs = xs__store_rows_text(q, 1);
        size_t clen = cs ? xs__store_rows_bytes(q, 1) : 0;
        uint32_t c = clen ? ref_find(&L->cust_refs, cs, clen) : XS_INTERN_NONE;
        if (c == XS_INTERN_NONE) continue; /* an unknown customer: ignored */
        t->customer[i] = c;
        if ((rc = get_date(L, tb, "date", 2, 0, 0, &t->date[i])) < 0 ||
            (rc = get_ref(L, &L->prod_refs, tb, "product_id", 3, 0, &t->product[i])) <
                0 ||
            (rc = get_quantity(L, tb, 4, 0, &t->quantity[i])) < 0)
            return rc;
        int64_t amount = xs__store_rows_int64(q, 5);
        if (!xs__store_rows_is_int(q, 5) || amount < 0)
            return bad_value(L, XS_ERANGE, tb, "amount",
                             "not a non-negative amount in minor units:", q, 5, 0);
        t->amount[i] = amount;
        i++;
    }
    if (rc < 0) return rc;
    t->n = i;
    void *cols[] = {t->customer, t->date, t->product, t->quantity, t->amount};
    static const size_t elems[] = {4, 4, 4, 4, 8};
    return order_table(L, i, t->customer, s->cust.ret_off, cmp_return, cols, elems, 5);
}

/* ---------------------------------------------------------------------- */
/* Orders and lines                                                       */
/* ---------------------------------------------------------------------- */

/*
 * Order ids are copied once into ord.id_chars. When they arrive out of
 * order they are interned through an open-addressing table of uint32 slots
 * (order index + 1, 0 empty) kept under half full, comparing against those
 * copies; the table lives only during the load.
 */
typedef struct order_ids {
    int hashed;      /* 0 while the ids came in ascending order: no table */
    size_t last_len; /* length of the latest new id */
    uint32_t *slots;
    size_t n_slots; /* power of two */
    size_t cap_orders, cap_chars;
} order_ids;

static int order_rehash(order_ids *h, const xs__snapshot_orders *o, size_t n_slots)
{
    uint32_t *slots = xs__calloc(n_slots, sizeof *slots);
    if (!slots) return -1;
    size_t mask = n_slots - 1;
    for (size_t k = 0; k < o->n; k++) {
        const char *id = o->id_chars + o->id_off[k];
        size_t j = (size_t)xs__hash_bytes(id, strlen(id), 0) & mask;
        while (slots[j])
            j = (j + 1) & mask;
        slots[j] = (uint32_t)k + 1;
    }
    xs__free(h->slots);
    h->slots = slots;
    h->n_slots = n_slots;
    return 0;
}

/* Appends order id (p, len) as order o->n. */
static int order_append(loader *L, order_ids *h, const char *p, size_t len)
{
    xs__snapshot_orders *o = &L->s->ord;
    if (o->n >= UINT32_MAX - 1 || o->n_id_chars + len + 1 > UINT32_MAX)
        return xs__error_set(L->err, XS_ERANGE, L->path, 0, NULL,
                             "too many orders for a snapshot");
    size_t cap = h->cap_orders, cap2 = h->cap_orders, cap3 = h->cap_orders;
    if (xs__grow(&o->customer, &cap, o->n + 1, sizeof *o->customer) < 0 ||
        xs__grow(&o->date, &cap2, o->n + 1, sizeof *o->date) < 0 ||
        xs__grow(&o->id_off, &cap3, o->n + 1, sizeof *o->id_off) < 0)
        return enomem(L);
    h->cap_orders = cap3;
    if (xs__grow(&o->id_chars, &h->cap_chars, o->n_id_chars + len + 1, 1) < 0)
        return enomem(L);
    memcpy(o->id_chars + o->n_id_chars, p, len);
    o->id_chars[o->n_id_chars + len] = '\0';
    o->id_off[o->n] = (uint32_t)o->n_id_chars;
    o->n_id_chars += len + 1;
    o->n++;
    h->last_len = len;
    return XS_OK;
}

/*
 * Finds order id (p, len) or adds it as a new order (customer and date to
 * be filled by the caller); *is_new says which. The store's key order
 * brings order ids ascending (BINARY collation), and then a new id cannot
 * have been seen before: no hash table is needed. The table is built the
 * first time an id arrives out of order.
 */
static int order_intern(loader *L, order_ids *h, const char *p, size_t len, uint32_t *out,
                        int *is_new)
{
    xs__snapshot_orders *o = &L->s->ord;
    int rc;
    if (!h->hashed) {
        int cmp = 1;
        if (o->n) {
            const char *last = o->id_chars + o->id_off[o->n - 1];
            size_t m = len < h->last_len ? len : h->last_len;
            cmp = memcmp(p, last, m);
            if (!cmp) cmp = len > h->last_len ? 1 : len < h->last_len ? -1 : 0;
        }
        if (cmp > 0) {
            if ((rc = order_append(L, h, p, len)) < 0) return rc;
            *out = (uint32_t)o->n - 1;
            *is_new = 1;
            return XS_OK;
        }
        size_t n_slots = 1024;
        while (n_slots < 2 * (o->n + 1))
            n_slots *= 2;
        if (order_rehash(h, o, n_slots) < 0) return enomem(L);
        h->hashed = 1;
    }
    uint64_t hv = xs__hash_bytes(p, len, 0);
    size_t mask = h->n_slots - 1, j = (size_t)hv & mask;
    for (; h->slots[j]; j = (j + 1) & mask) {
        const char *id = o->id_chars + o->id_off[h->slots[j] - 1];
        if (!memcmp(id, p, len) && id[len] == '\0') {
            *out = h->slots[j] - 1;
            *is_new = 0;
            return XS_OK;
        }
    }
    if ((rc = order_append(L, h, p, len)) < 0) return rc;
    h->slots[j] = (uint32_t)o->n;
    *out = (uint32_t)o->n - 1;
    *is_new = 1;
    if (o->n * 2 > h->n_slots && order_rehash(h, o, h->n_slots * 2) < 0) return enomem(L);
    return XS_OK;
}

/* Shrinks a grown array to n elements (keeps the larger one if that fails). */
static void shrink(void *pp, size_t n, size_t elem)
{
    void **p = pp;
    void *np = xs__realloc(*p, (n ? n : 1) * elem);
    if (np) *p = np;
}

static int cmp_order(const xs_snapshot *s, uint32_t a, uint32_t b)
{
    const xs__snapshot_orders *o = &s->ord;
    if (o->date[a] != o->date[b]) return o->date[a] < o->date[b] ? -1 : 1;
    return strcmp(o->id_chars + o->id_off[a], o->id_chars + o->id_off[b]);
}

/* A line whose order was first seen with another customer or date. */
static int order_mismatch(loader *L, const char *column, uint32_t ord, int col)
{
    char id[128], val[128], colname[64];
    const xs__snapshot_orders *o = &L->s->ord;
    const char *oid = o->id_chars + o->id_off[ord];
    xs__error_quote(id, sizeof id, oid, strlen(oid));
    quote_col(val, sizeof val, L->stmt, col);
    snprintf(colname, sizeof colname, "orders.%s", column);
    return xs__error_set(
        L->err, XS_EPARSE, L->path, 0, colname,
        "order %s has lines with different %s values (%s differs from its "
        "first line)",
        id, column, val);
}

/* Steps through the orders table, interning orders and filling the lines. */
static int scan_orders(loader *L, uint32_t *line_order, size_t n_lines)
{
    xs_snapshot *s = L->s;
    xs__snapshot_orders *o = &s->ord;
    order_ids h = {0};
    int rc = XS_OK;
    size_t i = 0;
    uint32_t last = UINT32_MAX; /* order of the previous line */
    size_t last_len = 0;
    char date_txt[40]; /* cache of the last date text and its value */
    size_t date_len = 0;
    int32_t date_val = 0;
    char cust_txt[64]; /* customer_id of order `last`: a local copy, no cache miss */
    size_t cust_len = SIZE_MAX;
    static const char *const fields[] = {"order_id",   "customer_id", "date",
                                         "product_id", "quantity",    "amount"};
    rc = open_rows(L, XS_T_ORDERS, fields, XS_N_COLS(fields), NULL);
    while (rc == XS_OK && (rc = step(L)) == 1) {
        xs__store_rows *q = L->stmt;
        rc = XS_OK;
        if (i >= n_lines) {
            rc = changed(L, "orders");
            break;
        }
        const char *id = xs__store_rows_text(q, 0);
        size_t len = id ? xs__store_rows_bytes(q, 0) : 0;
        uint32_t ord = 0;
        int is_new = 0;
        if (last != UINT32_MAX && len == last_len &&
            same_bytes(id, o->id_chars + o->id_off[last], len)) {
            ord = last; /* lines of an order come together in key order */
        } else {
            if (!len) {
                rc = bad_value(L, XS_EPARSE, "orders", "order_id", "missing id", q, 0, 0);
                break;
            }
            if ((rc = order_intern(L, &h, id, len, &ord, &is_new)) < 0) break;
        }
        /* date */
        const char *dt = xs__store_rows_text(q, 2);
        size_t dlen = dt ? xs__store_rows_bytes(q, 2) : 0;
        int32_t day;
        if (dlen && dlen == date_len && same_bytes(dt, date_txt, dlen)) {
            day = date_val;
        } else {
            if ((rc = get_date(L, "orders", "date", 2, 0, 0, &day)) < 0) break;
            if (dlen < sizeof date_txt) {
                memcpy(date_txt, dt, dlen);
                date_len = dlen;
                date_val = day;
            }
        }
        /* customer */
        const char *cs = xs__store_rows_text(q, 1);
        size_t clen = cs ? xs__store_rows_bytes(q, 1) : 0;
        if (is_new) {
            if ((rc = get_ref(L, &L->cust_refs, "orders", "customer_id", 1, 0,
                              &o->customer[ord])) < 0)
                break;
            o->date[ord] = day;
        } else {
            uint32_t c = o->customer[ord];
            int same = ord == last && cust_len != SIZE_MAX
                           ? clen == cust_len && same_bytes(cs, cust_txt, clen)
                           : clen == s->cust.ids.lens[c] &&
                                 same_bytes(cs, xs__intern_str(&s->cust.ids, c), clen);
            if (!same) {
                rc = order_mismatch(L, "customer_id", ord, 1);
                break;
            }
            if (day != o->date[ord]) {
                rc = order_mismatch(L, "date", ord, 2);
                break;
            }
        }
        if (ord != last) { /* remember this order's customer text */
            cust_len = clen < sizeof cust_txt ? clen : SIZE_MAX;
            if (cust_len != SIZE_MAX) memcpy(cust_txt, cs, clen);
        }
        if ((rc = get_ref(L, &L->prod_refs, "orders", "product_id", 3, 0,
                          &o->product[i])) < 0 ||
            (rc = get_quantity(L, "orders", 4, 0, &o->quantity[i])) < 0)
            break;
        o->amount[i] = xs__store_rows_int64(q, 5);
        line_order[i] = ord;
        last = ord;
        last_len = len;
        i++;
    }
    if (rc < 0) goto cleanup;
    o->n_lines = i;
    rc = XS_OK;
cleanup:
    xs__free(h.slots);
    return rc;
}

/* Lines into order order: line_off by counting, then each line's
 * destination overwrites its order number (line_order[k]: the order of
 * line k, on return its place). Returns XS_OK or an error set in L->err. */
static int place_lines(loader *L, uint32_t *line_order)
{
    xs__snapshot_orders *o = &L->s->ord;
    size_t n = o->n, n_lines = o->n_lines;
    memset(o->line_off, 0, (n + 1) * sizeof *o->line_off);
    for (size_t k = 0; k < n_lines; k++)
        o->line_off[line_order[k] + 1]++;
    for (size_t k = 0; k < n; k++)
        o->line_off[k + 1] += o->line_off[k];
    uint32_t *cursor = xs__malloc((n ? n : 1) * sizeof *cursor);
    if (!cursor) return enomem(L);
    memcpy(cursor, o->line_off, n * sizeof *cursor);
    int moved = 0;
    for (size_t k = 0; k < n_lines; k++) {
        uint32_t dst = cursor[line_order[k]]++;
        line_order[k] = dst;
        moved |= dst != k;
    }
    xs__free(cursor);
    if (moved) {
        int rc = need_scratch(L, n_lines * 8);
        if (rc < 0) return rc;
        uint32_t *d4 = L->scratch;
        for (size_t k = 0; k < n_lines; k++)
            d4[line_order[k]] = o->product[k];
        memcpy(o->product, d4, n_lines * 4);
        for (size_t k = 0; k < n_lines; k++)
            d4[line_order[k]] = o->quantity[k];
        memcpy(o->quantity, d4, n_lines * 4);
        int64_t *d8 = L->scratch;
        for (size_t k = 0; k < n_lines; k++)
            d8[line_order[k]] = o->amount[k];
        memcpy(o->amount, d8, n_lines * 8);
    }
    return XS_OK;
}

/* Lines of each order by product (usually so already: files list them
 * so), by insertion. */
static void sort_order_lines(xs__snapshot_orders *o)
{
    size_t n = o->n;
    for (size_t k = 0; k < n; k++) {
        for (uint32_t a = o->line_off[k] + 1; a < o->line_off[k + 1]; a++) {
            uint32_t pr = o->product[a], qt = o->quantity[a];
            int64_t am = o->amount[a];
            uint32_t b = a;
            while (b > o->line_off[k] && o->product[b - 1] > pr) {
                o->product[b] = o->product[b - 1];
                o->quantity[b] = o->quantity[b - 1];
                o->amount[b] = o->amount[b - 1];
                b--;
            }
            o->product[b] = pr;
            o->quantity[b] = qt;
            o->amount[b] = am;
        }
    }
}

static int load_orders(loader *L)
{
    xs_snapshot *s = L->s;
    xs__snapshot_orders *o = &s->ord;
    uint32_t *line_order = NULL, *perm = NULL;
    size_t n_lines;
    int rc = count_rows(L, XS_T_ORDERS, NULL, &n_lines);
    if (rc < 0) return rc;
    line_order = xs__malloc((n_lines ? n_lines : 1) * sizeof *line_order);
    o->product = col_alloc(L, n_lines, 4);
    o->quantity = col_alloc(L, n_lines, 4);
    o->amount = col_alloc(L, n_lines, 8);
    if (!line_order || !o->product || !o->quantity || !o->amount) goto oom;
    if ((rc = scan_orders(L, line_order, n_lines)) < 0) goto cleanup;
    n_lines = o->n_lines;
    size_t n = o->n;
    shrink(&o->customer, n, sizeof *o->customer);
    shrink(&o->date, n, sizeof *o->date);
    shrink(&o->id_off, n, sizeof *o->id_off);
    shrink(&o->id_chars, o->n_id_chars, 1);
    L->bytes +=
        n * (sizeof *o->customer + sizeof *o->date + sizeof *o->id_off) + o->n_id_chars;
    o->line_off = col_alloc(L, n + 1, 4);
    if (!o->line_off) goto oom;

    /* Orders into customer, date, id order. */
    if ((rc = sort_rows(L, n, o->customer, s->cust.n, s->cust.order_off, cmp_order,
                        &perm)) < 0)
        goto cleanup;
    if (perm) {
        if ((rc = need_scratch(L, n * 4)) < 0) goto cleanup;
        gather(L, o->customer, 4, perm, n);
        gather(L, o->date, 4, perm, n);
        gather(L, o->id_off, 4, perm, n);
        /* renumber the lines' orders: old -> new (perm is new -> old) */
        uint32_t *old2new = L->scratch;
        for (size_t k = 0; k < n; k++)
            old2new[perm[k]] = (uint32_t)k;
        for (size_t k = 0; k < n_lines; k++)
            line_order[k] = old2new[line_order[k]];
        xs__free(perm);
        perm = NULL;
    }

    if ((rc = place_lines(L, line_order)) < 0) goto cleanup;
    sort_order_lines(o);
    rc = XS_OK;
    goto cleanup;
oom:
    rc = enomem(L);
cleanup:
    xs__free(line_order);
    xs__free(perm);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Loading and freeing                                                    */
/* ---------------------------------------------------------------------- */

/* The file must be at the schema version this build creates (xs_store_open
 * migrates older files and refuses newer ones, so this only trips on a
 * store handle that bypassed it). */
static int check_schema(loader *L)
{
    size_t n_mig;
    const xs__store_migration *m = xs__store_migrations(&n_mig);
    int want = n_mig ? m[n_mig - 1].version : 0;
    long long v = 0;
    int rc = xs__store_version(L->st, &v, L->err);
    if (rc < 0) return rc;
    if (rc == 0)
        return xs__error_set(L->err, XS_ESCHEMA, L->path, 0, NULL,
                             "not an xsell store: no schema version recorded");
    if (v != want)
        return xs__error_set(L->err, XS_ESCHEMA, L->path, 0, NULL,
                             "store schema version %lld, this xsell reads version %d%s",
                             v, want,
                             v > want ? " (the file comes from a newer xsell)"
                                      : " (open it with xs_store_open to migrate it)");
    return XS_OK;
}

static void free_intern(xs__intern *t)
{
    xs__intern_free(t);
}

void xs_snapshot_free(xs_snapshot *s)
{
    if (!s) return;
    if (s->mapped) { /* arrays point into a model file (src/snapshot/snapshot_io.c) */
        xs__snapshot_dicts *md = &s->dict;
        xs__intern *tabs[] = {
            &s->cust.ids, &s->prod.ids,     &s->off.ids, &md->segments, &md->industries,
            &md->sizes,   &md->regions,     &md->owners, &md->families, &md->categories,
            &md->metrics, &md->event_types, &md->refs};
        for (size_t i = 0; i < sizeof tabs / sizeof *tabs; i++)
            xs__intern_free(tabs[i]);
        xs__free(s);
        return;
    }
    xs__snapshot_customers *c = &s->cust;
    free_intern(&c->ids);
    void *cust_cols[] = {c->name,         c->segment,       c->industry,  c->size,
                         c->region,       c->owner,         c->signup,    c->consent,
                         c->contact_name, c->contact_email, c->sub_off,   c->order_off,
                         c->usage_off,    c->event_off,     c->offer_off, c->ret_off,
                         c->attrs,        c->churn_score,   c->churn_scored};
    for (size_t i = 0; i < sizeof cust_cols / sizeof *cust_cols; i++)
        xs__free(cust_cols[i]);
    xs__snapshot_products *p = &s->prod;
    free_intern(&p->ids);
    void *prod_cols[] = {p->name,        p->name_ja,    p->family,     p->tier,
                         p->kind,        p->billing,    p->price,
                         p->category,    p->limit_off,  p->limit_name,
                         p->limit_value, p->family_off, p->family_products};
    for (size_t i = 0; i < sizeof prod_cols / sizeof *prod_cols; i++)
        xs__free(prod_cols[i]);
    xs__snapshot_subscriptions *b = &s->sub;
    void *sub_cols[] = {b->customer, b->product, b->quantity, b->unit_price,
                        b->start,    b->end,     b->renewal,  b->term};
    for (size_t i = 0; i < sizeof sub_cols / sizeof *sub_cols; i++)
        xs__free(sub_cols[i]);
    xs__snapshot_orders *o = &s->ord;
    void *ord_cols[] = {o->customer, o->date,    o->id_off,   o->id_chars,
                        o->line_off, o->product, o->quantity, o->amount};
    for (size_t i = 0; i < sizeof ord_cols / sizeof *ord_cols; i++)
        xs__free(ord_cols[i]);
    xs__snapshot_usage *u = &s->use;
    void *use_cols[] = {u->customer, u->product, u->metric, u->date, u->value};
    for (size_t i = 0; i < sizeof use_cols / sizeof *use_cols; i++)
        xs__free(use_cols[i]);
    xs__snapshot_events *e = &s->ev;
    void *ev_cols[] = {e->customer, e->date, e->type, e->value, e->ref};
    for (size_t i = 0; i < sizeof ev_cols / sizeof *ev_cols; i++)
        xs__free(ev_cols[i]);
    xs__snapshot_offers *f = &s->off;
    free_intern(&f->ids);
    void *off_cols[] = {f->id,         f->customer,     f->product, f->kind,
                        f->channel,    f->outcome,      f->flags,   f->sent,
                        f->outcome_at, f->revenue_delta};
    for (size_t i = 0; i < sizeof off_cols / sizeof *off_cols; i++)
        xs__free(off_cols[i]);
    xs__snapshot_returns *rt = &s->ret;
    void *ret_cols[] = {rt->customer, rt->date, rt->product, rt->quantity, rt->amount};
    for (size_t i = 0; i < sizeof ret_cols / sizeof *ret_cols; i++)
        xs__free(ret_cols[i]);
    xs__snapshot_dicts *d = &s->dict;
    xs__intern *dicts[] = {&d->segments,    &d->industries, &d->sizes,      &d->regions,
                           &d->owners,      &d->families,   &d->categories, &d->metrics,
                           &d->event_types, &d->refs};
    for (size_t i = 0; i < sizeof dicts / sizeof *dicts; i++)
        free_intern(dicts[i]);
    xs__free(s->text);
    xs__free(s);
}

static const char *const known_event_types[XS_SNAP_N_EV_KNOWN] = {
    "nps",
    "ticket",
    "ticket_closed",
    "login",
    "meeting",
    "payment_failed",
    "cancel_request",
    "renewal_decision",
    "onboarding_done",
};

/* An empty snapshot: intern tables initialised, the fixed codes interned. */
static xs_snapshot *snapshot_new(loader *L)
{
    xs_snapshot *s = xs__calloc(1, sizeof *s);
    if (!s) return NULL;
    xs__intern_init(&s->cust.ids);
    xs__intern_init(&s->prod.ids);
    xs__intern_init(&s->off.ids);
    xs__snapshot_dicts *d = &s->dict;
    xs__intern *dicts[] = {&d->segments,    &d->industries, &d->sizes,      &d->regions,
                           &d->owners,      &d->families,   &d->categories, &d->metrics,
                           &d->event_types, &d->refs};
    for (size_t i = 0; i < sizeof dicts / sizeof *dicts; i++)
        xs__intern_init(dicts[i]);
    s->last_date = XS_SNAP_NO_DATE;
    L->s = s;
    for (int k = 0; k < XS_SNAP_N_EV_KNOWN; k++)
        if (xs__intern_add(&d->event_types, known_event_types[k],
                           strlen(known_event_types[k])) != (uint32_t)k)
            goto fail;
    if (xs__intern_add(&d->refs, "", 0) != 0) goto fail;
    s->text = xs__malloc(4096);
    if (!s->text) goto fail;
    s->cap_text = 4096;
    s->text[0] = '\0';
    s->n_text = 1;
    return s;
fail:
    xs_snapshot_free(s);
    L->s = NULL;
    return NULL;
}

/*
 * Orders and usage beside the rest. The large tables of a store are
 * usage, events and orders (14M, 10M and 4M rows of 32M for 1M generated
 * customers). Once customers and products are known, reading orders and
 * usage is independent of subscriptions, events, offers and returns: they
 * write no column but their own (and the customers' order_off and
 * usage_off), intern into no dictionary the others touch (usage alone adds
 * to dict.metrics, whose codes so come out in the same order), use no text
 * pool, and keep their byte count and latest date in their own loader. So
 * when the loader began the read transaction itself (no caller's
 * transaction whose uncommitted rows a second connection would not see), on
 * a SQLite file with at least SIDE_MIN_CUSTOMERS customers, orders and
 * usage load on a second read-only connection in a thread of their own
 * while this one loads the other tables. Both read transactions must see the same state:
 * the store's data version (bumped by every committed write) is read in
 * each, and when they differ (a write committed between the two begins)
 * the second connection is dropped and the orders load here, after the
 * rest, as they always did. The snapshot is the same either way.
 */
#define SIDE_MIN_CUSTOMERS 20000

typedef struct side_loader {
    loader L;
    xs_error err;
    int rc;
} side_loader;

static void *orders_thread(void *arg)
{
    side_loader *x = arg;
    x->rc = load_orders(&x->L);
    if (x->rc == XS_OK) x->rc = load_usage(&x->L);
    xs__store_rows_close(&x->L.scan);
    return NULL;
}

/* A second connection of L's store in a read transaction that sees what
 * L's does, or NULL (then everything loads on L's). */
static xs_store *side_store(loader *L)
{
    xs_store *st2 = NULL;
    xs_error e;
    char id1[40], id2[40];
    uint64_t v1, v2;
    int began2 = 0;
    const char *path = L->st->path;
    if (!path || !*path || !strcmp(path, ":memory:") || xs_store_is_url(path)) return NULL;
    if (xs_store_open_readonly(&st2, path, &e) < 0 ||
        xs__store_read_begin(st2, &began2, &e) < 0 || !began2 ||
        xs_store_identity(L->st, id1, &v1, &e) < 0 ||
        xs_store_identity(st2, id2, &v2, &e) < 0 || v1 != v2 || strcmp(id1, id2) != 0) {
        xs_store_close(st2);
        return NULL;
    }
    xs__store_scan_cache(st2, 1); /* closed after the load */
    return st2;
}

int xs_snapshot_load(xs_store *st, xs_snapshot **out, xs_error *err)
{
    return xs__snapshot_load_side(st, SIDE_MIN_CUSTOMERS, out, err);
}

/* Contract in snapshot.h. */
int xs__snapshot_load_side(xs_store *st, size_t side_min, xs_snapshot **out, xs_error *err)
{
    loader L = {0};
    side_loader side;
    xs_store *st2 = NULL;
    pthread_t th;
    int rc, began = 0, started = 0;
    *out = NULL;
    memset(&side, 0, sizeof side);
    side.L.last_date = XS_SNAP_NO_DATE;
    xs__error_clear(err);
    L.st = st;
    L.err = err;
    L.path = st->path ? st->path : "";
    L.last_date = XS_SNAP_NO_DATE;
    if (!snapshot_new(&L)) return enomem(&L);
    xs_snapshot *s = L.s;
    snprintf(s->currency, sizeof s->currency, "%s",
             st->currency[0] ? st->currency : "USD");
    s->money_scale = st->money_scale;
    /* one read transaction: every table from the same state */
    if ((rc = xs__store_read_begin(st, &began, err)) < 0) goto cleanup;
    xs__store_scan_cache(st, 1);
    if ((rc = check_schema(&L)) < 0 || (rc = load_customers(&L)) < 0 ||
        (rc = load_churn_scores(&L)) < 0 || (rc = load_products(&L)) < 0)
        goto cleanup;
    if ((rc = ref_cache_init(&L, &L.cust_refs, &s->cust.ids)) < 0 ||
        (rc = ref_cache_init(&L, &L.prod_refs, &s->prod.ids)) < 0)
        goto cleanup;
    if (began && s->cust.n >= side_min && (st2 = side_store(&L)) != NULL) {
        side.L = (loader){.st = st2, .s = s, .err = &side.err, .path = L.path, .quiet = 1,
                          .last_date = XS_SNAP_NO_DATE};
        xs__error_clear(&side.err);
        /* without its caches or a thread everything loads here, in order */
        if (ref_cache_init(&side.L, &side.L.cust_refs, &s->cust.ids) == XS_OK &&
            ref_cache_init(&side.L, &side.L.prod_refs, &s->prod.ids) == XS_OK)
            started = pthread_create(&th, NULL, orders_thread, &side) == 0;
    }
    if ((rc = load_subscriptions(&L)) < 0 || (!started && (rc = load_orders(&L)) < 0) ||
        (!started && (rc = load_usage(&L)) < 0) || (rc = load_events(&L)) < 0 ||
        (rc = load_offers(&L)) < 0 || (rc = load_returns(&L)) < 0)
        goto cleanup;
    if (started) {
        pthread_join(th, NULL);
        started = 0;
        if ((rc = side.rc) < 0) {
            *err = side.err;
            goto cleanup;
        }
    }
    s->bytes += L.bytes + side.L.bytes;
    s->last_date = L.last_date;
    if (side.L.last_date != XS_SNAP_NO_DATE &&
        (s->last_date == XS_SNAP_NO_DATE || side.L.last_date > s->last_date))
        s->last_date = side.L.last_date;
    shrink(&s->text, s->n_text, 1);
    s->cap_text = s->n_text;
    *out = s;
    s = NULL;
    rc = XS_OK;
cleanup:
    if (started) pthread_join(th, NULL); /* this side failed: wait for the other */
    xs__progress_finish(&L.prog);
    xs__store_rows_close(&L.scan);
    xs__store_rows_close(&side.L.scan);
    xs__store_scan_cache(st, 0);
    xs__store_read_end(st, began);
    if (st2) xs__store_read_end(st2, 1);
    xs_store_close(st2);
    drop_scratch(&L);
    drop_scratch(&side.L);
    xs__free(L.cust_refs.e);
    xs__free(L.prod_refs.e);
    xs__free(side.L.cust_refs.e);
    xs__free(side.L.prod_refs.e);
    xs_snapshot_free(s);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Public accessors                                                       */
/* ---------------------------------------------------------------------- */

size_t xs_snapshot_count(const xs_snapshot *s, xs_snapshot_item what)
{
    if (!s) return 0;
    switch (what) {
    case XS_SNAP_CUSTOMERS:
        return s->cust.n;
    case XS_SNAP_PRODUCTS:
        return s->prod.n;
    case XS_SNAP_SUBSCRIPTIONS:
        return s->sub.n;
    case XS_SNAP_ORDERS:
        return s->ord.n;
    case XS_SNAP_ORDER_LINES:
        return s->ord.n_lines;
    case XS_SNAP_USAGE:
        return s->use.n;
    case XS_SNAP_EVENTS:
        return s->ev.n;
    case XS_SNAP_OFFERS:
        return s->off.n;
    default:
        return 0;
    }
}

const char *xs_snapshot_item_name(xs_snapshot_item what)
{
    static const char *const names[XS_SNAP_N_ITEMS] = {
        "customers",   "products", "subscriptions", "orders",
        "order_lines", "usage",    "events",        "offers",
    };
    return (int)what >= 0 && what < XS_SNAP_N_ITEMS ? names[what] : NULL;
}

size_t xs_snapshot_bytes(const xs_snapshot *s)
{
    if (!s) return 0;
    const xs__snapshot_dicts *d = &s->dict;
    const xs__intern *tables[] = {
        &s->cust.ids, &s->prod.ids,    &s->off.ids, &d->segments, &d->industries,
        &d->sizes,    &d->regions,     &d->owners,  &d->families, &d->categories,
        &d->metrics,  &d->event_types, &d->refs};
    size_t b = sizeof *s + s->bytes + s->cap_text;
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
        b += xs__intern_bytes(tables[i]);
    return b;
}

const char *xs_snapshot_currency(const xs_snapshot *s)
{
    return s->currency;
}

int xs_snapshot_money_scale(const xs_snapshot *s)
{
    return s->money_scale;
}

int64_t xs_snapshot_order_revenue(const xs_snapshot *s)
{
    int64_t sum = 0;
    for (size_t i = 0; i < s->ord.n_lines; i++)
        sum += s->ord.amount[i];
    return sum;
}

int64_t xs_snapshot_mrr(const xs_snapshot *s, size_t *n_active)
{
    int64_t month = 0, year = 0;
    size_t n = 0;
    for (size_t i = 0; i < s->sub.n; i++) {
        if (s->sub.end[i] != XS_SNAP_NO_DATE) continue;
        xs__snapshot_sub_revenue(s, (uint32_t)i, &month, &year);
        n++;
    }
    if (n_active) *n_active = n;
    return xs__snapshot_mrr_exact(month, year);
}

/* ---------------------------------------------------------------------- */
/* Summary reports                                                        */
/* ---------------------------------------------------------------------- */

static int money_cell(const xs_snapshot *s, xs_table *t, int64_t v)
{
    char buf[40];
    xs__money_format(v, s->money_scale, buf, sizeof buf);
    return xs_table_cell(t, buf);
}

static int report_counts(const xs_snapshot *s, xs_table *t)
{
    int rc;
    if ((rc = xs_table_column(t, "what", XS_COL_TEXT)) < 0 ||
        (rc = xs_table_column(t, "count", XS_COL_NUM)) < 0)
        return rc;
    for (int k = 0; k < XS_SNAP_N_ITEMS; k++) {
        if ((rc = xs_table_row(t)) < 0 ||
            (rc = xs_table_cell(t, xs_snapshot_item_name((xs_snapshot_item)k))) < 0 ||
            (rc = xs_table_cellf(t, "%zu", xs_snapshot_count(s, (xs_snapshot_item)k))) <
                0)
            return rc;
    }
    return XS_OK;
}

typedef struct ranked {
    uint32_t key;
    int64_t v;
} ranked;

/* Descending by value, then ascending by key. */
static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v) return x->v > y->v ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

static int report_segments(const xs_snapshot *s, size_t limit, xs_table *t)
{
    size_t n_seg = s->dict.segments.n + 1; /* last: no segment */
    ranked *r = xs__calloc(n_seg, sizeof *r);
    if (!r) return XS_ENOMEM;
    for (size_t k = 0; k < n_seg; k++)
        r[k].key = (uint32_t)k;
    for (size_t i = 0; i < s->cust.n; i++) {
        uint16_t g = s->cust.segment[i];
        r[g == XS_SNAP_NONE16 ? n_seg - 1 : g].v++;
    }
    qsort(r, n_seg, sizeof *r, cmp_ranked);
    int rc;
    if ((rc = xs_table_column(t, "segment", XS_COL_TEXT)) < 0 ||
        (rc = xs_table_column(t, "customers", XS_COL_NUM)) < 0 ||
        (rc = xs_table_column(t, "share_pct", XS_COL_NUM)) < 0)
        goto cleanup;
    for (size_t k = 0; k < n_seg && (!limit || k < limit); k++) {
        if (!r[k].v) break;
        const char *name = r[k].key == n_seg - 1
                               ? "(none)"
                               : xs__intern_str(&s->dict.segments, r[k].key);
        if ((rc = xs_table_row(t)) < 0 || (rc = xs_table_cell(t, name)) < 0 ||
            (rc = xs_table_cellf(t, "%lld", (long long)r[k].v)) < 0 ||
            (rc = xs_table_cellf(t, "%.1f", 100.0 * (double)r[k].v / (double)s->cust.n)) <
                0)
            goto cleanup;
    }
    rc = XS_OK;
cleanup:
    xs__free(r);
    return rc;
}

/* Plans held, in order of family name, tier, product id. */
typedef struct plan_key {
    const char *family;
    unsigned tier;
    uint32_t product;
} plan_key;

static int cmp_plan(const void *a, const void *b)
{
    const plan_key *x = a, *y = b;
    int c = strcmp(x->family, y->family);
    if (c) return c;
    if (x->tier != y->tier) return x->tier < y->tier ? -1 : 1;
    return x->product < y->product ? -1 : x->product > y->product;
}

static int report_plans(const xs_snapshot *s, size_t limit, xs_table *t)
{
    size_t np = s->prod.n;
    size_t *active = xs__calloc(np ? np : 1, sizeof *active);
    uint64_t *qty = xs__calloc(np ? np : 1, sizeof *qty);
    int64_t *month = xs__calloc(np ? np : 1, sizeof *month);
    int64_t *year = xs__calloc(np ? np : 1, sizeof *year);
    plan_key *order = xs__malloc((np ? np : 1) * sizeof *order);
    int rc = XS_ENOMEM;
    if (!active || !qty || !month || !year || !order) goto cleanup;
    for (size_t i = 0; i < s->sub.n; i++) {
        if (s->sub.end[i] != XS_SNAP_NO_DATE) continue;
        uint32_t p = s->sub.product[i];
        active[p]++;
        qty[p] += s->sub.quantity[i];
        xs__snapshot_sub_revenue(s, (uint32_t)i, &month[p], &year[p]);
    }
    size_t n = 0;
    for (size_t p = 0; p < np; p++) {
        if (!active[p]) continue;
        order[n].family = xs__snapshot_dict_str(&s->dict.families, s->prod.family[p]);
        order[n].tier = s->prod.tier[p];
        order[n++].product = (uint32_t)p;
    }
    qsort(order, n, sizeof *order, cmp_plan);
    static const char *const kinds[] = {"plan", "addon", "product"};
    if ((rc = xs_table_column(t, "family", XS_COL_TEXT)) < 0 ||
        (rc = xs_table_column(t, "tier", XS_COL_NUM)) < 0 ||
        (rc = xs_table_column(t, "product", XS_COL_TEXT)) < 0 ||
        (rc = xs_table_column(t, "kind", XS_COL_TEXT)) < 0 ||
        (rc = xs_table_column(t, "active", XS_COL_NUM)) < 0 ||
        (rc = xs_table_column(t, "quantity", XS_COL_NUM)) < 0 ||
        (rc = xs_table_column(t, "mrr", XS_COL_NUM)) < 0)
        goto cleanup;
    for (size_t k = 0; k < n && (!limit || k < limit); k++) {
        uint32_t p = order[k].product;
        if ((rc = xs_table_row(t)) < 0 ||
            (rc = xs_table_cell(
                 t, xs__snapshot_dict_str(&s->dict.families, s->prod.family[p]))) < 0 ||
            (rc = s->prod.tier[p] ? xs_table_cellf(t, "%u", (unsigned)s->prod.tier[p])
                                  : xs_table_cell(t, NULL)) < 0 ||
            (rc = xs_table_cell(t, xs__intern_str(&s->prod.ids, p))) < 0 ||
            (rc = xs_table_cell(t, kinds[s->prod.kind[p]])) < 0 ||
            (rc = xs_table_cellf(t, "%zu", active[p])) < 0 ||
            (rc = xs_table_cellf(t, "%llu", (unsigned long long)qty[p])) < 0 ||
            (rc = money_cell(s, t, xs__snapshot_mrr_exact(month[p], year[p]))) < 0)
            goto cleanup;
    }
    rc = XS_OK;
cleanup:
    xs__free(active);
    xs__free(qty);
    xs__free(month);
    xs__free(year);
    xs__free(order);
    return rc;
}

static int report_top_products(const xs_snapshot *s, size_t limit, xs_table *t)
{
    size_t np = s->prod.n;
    ranked *r = xs__calloc(np ? np : 1, sizeof *r);
    uint64_t *qty = xs__calloc(np ? np : 1, sizeof *qty);
    size_t *lines = xs__calloc(np ? np : 1, sizeof *lines);
    int rc = XS_ENOMEM;
    if (!r || !qty || !lines) goto cleanup;
    for (size_t k = 0; k < np; k++)
        r[k].key = (uint32_t)k;
    for (size_t i = 0; i < s->ord.n_lines; i++) {
        uint32_t p = s->ord.product[i];
        r[p].v += s->ord.amount[i];
        qty[p] += s->ord.quantity[i];
        lines[p]++;
    }
    qsort(r, np, sizeof *r, cmp_ranked);
    if ((rc = xs_table_column(t, "product", XS_COL_TEXT)) < 0 ||
        (rc = xs_table_column(t, "name", XS_COL_TEXT)) < 0 ||
        (rc = xs_table_column(t, "orders", XS_COL_NUM)) < 0 ||
        (rc = xs_table_column(t, "quantity", XS_COL_NUM)) < 0 ||
        (rc = xs_table_column(t, "revenue", XS_COL_NUM)) < 0)
        goto cleanup;
    for (size_t k = 0; k < np && (!limit || k < limit); k++) {
        uint32_t p = r[k].key;
        if (!lines[p]) break;
        if ((rc = xs_table_row(t)) < 0 ||
            (rc = xs_table_cell(t, xs__intern_str(&s->prod.ids, p))) < 0 ||
            (rc = xs_table_cell(t, xs__snapshot_text(s, s->prod.name[p]))) < 0 ||
            (rc = xs_table_cellf(t, "%zu", lines[p])) < 0 ||
            (rc = xs_table_cellf(t, "%llu", (unsigned long long)qty[p])) < 0 ||
            (rc = money_cell(s, t, r[k].v)) < 0)
            goto cleanup;
    }
    rc = XS_OK;
cleanup:
    xs__free(r);
    xs__free(qty);
    xs__free(lines);
    return rc;
}

int xs_snapshot_report(const xs_snapshot *s, xs_snapshot_report_kind kind, size_t limit,
                       xs_table *out)
{
    switch (kind) {
    case XS_SNAP_REPORT_COUNTS:
        return report_counts(s, out);
    case XS_SNAP_REPORT_SEGMENTS:
        return report_segments(s, limit, out);
    case XS_SNAP_REPORT_PLANS:
        return report_plans(s, limit, out);
    case XS_SNAP_REPORT_TOP_PRODUCTS:
        return report_top_products(s, limit, out);
    default:
        return XS_EINVAL;
    }
}
