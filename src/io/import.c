/*
 * import.c — validated import of a CSV / JSON Lines file into a store table
 * (xs_import_file), the library side of `xsell import`.
 *
 * One import is one transaction. The file's header is mapped onto the
 * table's fields (after --map renames; unknown columns become attrs), then
 * every row is checked field by field (validate.c), across fields, against
 * the known customers and products, and against the keys seen so far in the
 * file. Known keys are loaded once into in-memory hash sets (below) — the
 * customers and products a row may reference, and the table's own keys, which
 * also tell insert from update without a query per row. Good rows are upserted
 * through the prepared statements of store/writer.c. A file into an empty
 * table takes the sorted path instead (below): no set of the table's keys,
 * rows sorted by key with bounded memory (import_sort.c), duplicates found
 * in the merge; its first attempt is optimistic (below): the checks that
 * need a random lookup per row wait until the rows come in key order, and
 * any error sends the file through the exact path again.
 *
 * Orders: an order is a basket, so the lines of one order_id share its
 * customer_id and date. The header (customer, date) of every stored order is
 * loaded with the keys; a line of a stored order must agree with it, and a
 * line of a new order with the first good line of that order in the file.
 *
 * All or nothing by default: the first error stops writing, the rest of the
 * file is still checked so every error is reported, and the transaction is
 * rolled back. With skip_bad_rows the good rows commit and the bad ones go to
 * a reject file (original fields plus `reject_reason`). A killed process
 * never commits, so the store stays as it was.
 */
#include "xsell.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "base/escape.h"
#include "base/hash.h"
#include "base/progress.h"
#include "base/strdist.h"
#include "io/import_sort.h"
#include "io/reader.h"
#include "io/validate.h"
#include "io/writer.h"
#include "store/store_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FIELDS 32 /* fields of the widest table spec, with room */
#define PROGRESS_EVERY 8192

/* ---------------------------------------------------------------------- */
/* Key sets                                                               */
/* ---------------------------------------------------------------------- */

/*
 * A set of byte strings with dense ids, tuned for the importer: one 16-byte
 * slot per entry holding 32 bits of the hash, the id, and where the key's
 * bytes are in the pool, so a lookup of a new key costs one cache miss and
 * that of a known key two (slot, pool); the key bytes are compared only
 * when the hash bits match. Load stays under 2/3.
 *
 * Lazy mode: files are usually sorted by key, and the store hands its keys
 * over in key order. While keys arrive strictly increasing (byte order; the
 * key encoding preserves the order of the key tuples), none can be a
 * duplicate of an earlier one, so the set only appends them and builds no
 * hash slots. A key that is not greater than the last one may still be
 * the entry after the previous one found (`hint`): a file re-imported in
 * key order meets the store's keys one after the other, so it is found
 * without hashing too. Any other key builds the slots from the pool and the
 * set works as a hash set from then on.
 */
#define KS_NONE UINT32_MAX

/* Order headers (see the importer): */
#define HC_STRAY 0x80000000u /* h_cust: the id is in strays, not refs[0] */
#define HD_NONE INT32_MIN    /* h_date: the stored date did not parse */
#define HL_STORE UINT32_MAX  /* h_line: the header comes from the store */

typedef struct ks_slot {
    uint64_t tid; /* (hash >> 32) << 32 | (id + 1); 0 = empty */
    uint64_t loc; /* pool offset << 16 | length (KS_LONG: see off[]) */
} ks_slot;

#define KS_LONG 0xffffu

typedef struct keyset {
    ks_slot *slots;
    size_t n_slots; /* power of two, or 0 */
    size_t n;       /* entries: ids 0..n-1 */
    char *pool;     /* key bytes, back to back */
    size_t pool_len, pool_cap;
    size_t *off; /* off[id] .. off[id + 1]: bytes of key id (n + 1 entries) */
    size_t cap_off;
    int lazy;    /* no slots yet: the keys so far are strictly increasing */
    size_t want; /* entries to size the slots for when they are built */
    size_t hint; /* lazy: the id expected next (one after the last found) */
} keyset;

static uint64_t ks_hash(const char *s, size_t len)
{
    return xs__hash_bytes(s, len, 0x51ed27a3c0ffee11ULL);
}

static void ks_free(keyset *ks)
{
    xs__free(ks->slots);
    xs__free(ks->pool);
    xs__free(ks->off);
    memset(ks, 0, sizeof *ks);
}

static ks_slot ks_slot_of(uint64_t h, uint32_t id, size_t off, size_t len)
{
    ks_slot sl;
    sl.tid = (h >> 32 << 32) | (uint64_t)(id + 1);
    sl.loc = (uint64_t)off << 16 | (len < KS_LONG ? len : KS_LONG);
    return sl;
}

/* Builds the slots for at least `want` entries (rehashing the pool). */
static int ks_build(keyset *ks, size_t want)
{
    size_t n_slots = 64;
    if (want < ks->n) want = ks->n;
    while (n_slots < want + want / 2 + 2)
        n_slots *= 2; /* load <= 2/3 */
    if (n_slots <= ks->n_slots) return 0;
    ks_slot *slots = xs__calloc(n_slots, sizeof *slots);
    if (!slots) return -1;
    size_t mask = n_slots - 1;
    for (size_t id = 0; id < ks->n; id++) {
        size_t len = ks->off[id + 1] - ks->off[id];
        uint64_t h = ks_hash(ks->pool + ks->off[id], len);
        size_t j = (size_t)h & mask;
        while (slots[j].tid)
            j = (j + 1) & mask;
        slots[j] = ks_slot_of(h, (uint32_t)id, ks->off[id], len);
    }
    xs__free(ks->slots);
    ks->slots = slots;
    ks->n_slots = n_slots;
    ks->lazy = 0;
    return 0;
}

/* Makes room for `want` entries without rehashing (lazy: remembered for
 * when the slots are built). Returns 0 or -1. */
static int ks_reserve(keyset *ks, size_t want)
{
    if (ks->lazy) {
        if (want > ks->want) ks->want = want;
        return 0;
    }
    return ks_build(ks, want);
}

/* Probes for (s, len) with hash h: returns the id, or KS_NONE with *at set
 * to the empty slot where it would go. */
static uint32_t ks_probe(const keyset *ks, const char *s, size_t len, uint64_t h,
                         size_t *at)
{
    size_t mask = ks->n_slots - 1, j = (size_t)h & mask;
    uint64_t tag = h >> 32 << 32;
    for (; ks->slots[j].tid; j = (j + 1) & mask) {
        uint64_t v = ks->slots[j].tid, loc = ks->slots[j].loc;
        if ((v >> 32 << 32) != tag) continue;
        uint32_t id = (uint32_t)(v & 0xffffffffu) - 1;
        size_t slen = (size_t)(loc & KS_LONG);
        if (slen == KS_LONG) slen = ks->off[id + 1] - ks->off[id];
        if (slen == len && !memcmp(ks->pool + (size_t)(loc >> 16), s, len)) return id;
    }
    *at = j;
    return KS_NONE;
}

/* Appends (s, len) to the pool as a new id (no slot). KS_NONE: no memory. */
static uint32_t ks_append(keyset *ks, const char *s, size_t len)
{
    if (ks->n >= UINT32_MAX - 2) return KS_NONE;
    if (xs__grow(&ks->off, &ks->cap_off, ks->n + 2, sizeof *ks->off) < 0 ||
        xs__grow(&ks->pool, &ks->pool_cap, ks->pool_len + len + 1, 1) < 0)
        return KS_NONE;
    if (ks->n == 0) ks->off[0] = 0;
    memcpy(ks->pool + ks->pool_len, s, len);
    ks->pool_len += len;
    uint32_t id = (uint32_t)ks->n++;
    ks->off[id + 1] = ks->pool_len;
    return id;
}

/* Is (s, len) greater than the last key, in byte order? */
static int ks_after_last(const keyset *ks, const char *s, size_t len)
{
    if (!ks->n) return 1;
    const char *last = ks->pool + ks->off[ks->n - 1];
    size_t last_len = ks->off[ks->n] - ks->off[ks->n - 1];
    int c = memcmp(last, s, last_len < len ? last_len : len);
    return c < 0 || (c == 0 && last_len < len);
}

/* Are the keys strictly increasing by id (byte order)? One pass. */
static int ks_ascending(const keyset *ks)
{
    for (size_t id = 1; id < ks->n; id++) {
        const char *a = ks->pool + ks->off[id - 1], *b = ks->pool + ks->off[id];
        size_t la = ks->off[id] - ks->off[id - 1], lb = ks->off[id + 1] - ks->off[id];
        int c = memcmp(a, b, la < lb ? la : lb);
        if (c > 0 || (c == 0 && la >= lb)) return 0;
    }
    return 1;
}

/*
 * Prefetching: a lookup in a large set costs a cache miss on its slot. A
 * row needs up to four lookups (customer, product, its key, its order);
 * hashing them all first and prefetching their slots lets the misses
 * overlap instead of following one another. A lazy set has no slots and
 * is not hashed (sorted input pays nothing).
 */
typedef struct ks_pre {
    uint64_t h;
    int valid;
} ks_pre;

/* Hashes (s, len) and prefetches its slot, when ks has slots. */
static void ks_prefetch(const keyset *ks, const char *s, size_t len, ks_pre *pre)
{
    pre->valid = 0;
    if (ks->lazy || !ks->n_slots) return;
    pre->h = ks_hash(s, len);
    pre->valid = 1;
    __builtin_prefetch(&ks->slots[(size_t)pre->h & (ks->n_slots - 1)]);
}

/* Second step, once the slots asked for by ks_prefetch are (mostly) in:
 * prefetches the pool bytes of the first candidate with the right hash
 * bits (a known key is then compared without waiting). */
static void ks_prefetch_pool(const keyset *ks, const ks_pre *pre)
{
    if (!pre->valid || ks->lazy || !ks->n_slots) return;
    size_t mask = ks->n_slots - 1, j = (size_t)pre->h & mask;
    uint64_t tag = pre->h >> 32 << 32;
    for (int k = 0; k < 4 && ks->slots[j].tid; k++, j = (j + 1) & mask) {
        if ((ks->slots[j].tid >> 32 << 32) == tag) {
            __builtin_prefetch(ks->pool + (size_t)(ks->slots[j].loc >> 16));
            return;
        }
    }
}

/* Id of (s, len), or KS_NONE when absent (or out of memory building the
 * slots of a lazy set). pre: its hash from ks_prefetch, or NULL. */
static uint32_t ks_find_h(keyset *ks, const char *s, size_t len, const ks_pre *pre)
{
    size_t at;
    if (ks->lazy && ks_build(ks, ks->want) < 0) return KS_NONE;
    if (!ks->n_slots) return KS_NONE;
    return ks_probe(ks, s, len, pre && pre->valid ? pre->h : ks_hash(s, len), &at);
}

static uint32_t ks_find(keyset *ks, const char *s, size_t len)
{
    return ks_find_h(ks, s, len, NULL);
}

/* Id of (s, len), adding it when absent (*added = 1). KS_NONE: out of memory.
 * pre: its hash from ks_prefetch, or NULL. */
static uint32_t ks_add_h(keyset *ks, const char *s, size_t len, int *added,
                         const ks_pre *pre)
{
    *added = 0;
    if (ks->lazy) {
        if (ks_after_last(ks, s, len)) {
            uint32_t id = ks_append(ks, s, len);
            *added = id != KS_NONE;
            return id;
        }
        size_t hi = ks->hint;
        if (hi < ks->n && ks->off[hi + 1] - ks->off[hi] == len &&
            !memcmp(ks->pool + ks->off[hi], s, len)) {
            ks->hint = hi + 1;
            return (uint32_t)hi;
        }
        if (ks_build(ks, ks->want) < 0) return KS_NONE;
    }
    if ((ks->n + 1) * 3 > ks->n_slots * 2 &&
        ks_build(ks, ks->n + 1 > 32 ? (ks->n + 1) * 2 : 32) < 0)
        return KS_NONE;
    uint64_t h = pre && pre->valid ? pre->h : ks_hash(s, len);
    size_t at = 0;
    uint32_t id = ks_probe(ks, s, len, h, &at);
    if (id != KS_NONE) return id;
    if ((id = ks_append(ks, s, len)) == KS_NONE) return KS_NONE;
    ks->slots[at] = ks_slot_of(h, id, ks->off[id], len);
    *added = 1;
    return id;
}

static uint32_t ks_add(keyset *ks, const char *s, size_t len, int *added)
{
    return ks_add_h(ks, s, len, added, NULL);
}

/* A --map entry split into its two names (borrowed from the option). */
typedef struct colmap {
    const char *from;
    size_t from_len;
    const char *to;
} colmap;

typedef struct importer {
    xs_store *st;
    const char *path;
    xs_import_options o;
    const xs__io_table_spec *spec;
    const xs__store_table_schema *def;
    xs__io_reader *rd;
    xs__io_input_format fmt;
    colmap *maps;

    /* header: per input field, the spec field it feeds (-1: an attr) and
     * its name after --map (borrowed from the reader or the options) */
    size_t n_in, cap_in;
    int *spec_of;
    const char **in_name;
    long col_of[MAX_FIELDS]; /* per spec field: input index or -1 */
    size_t n_attr_cols;

    /* key sets */
    keyset keys; /* the table's keys: store keys first, then new ones */
    size_t n_existing;
    uint32_t *first_line; /* per key id: line of its first row in the file, 0: none
                           * (lines past 4 G are recorded as UINT32_MAX) */
    size_t cap_lines;
    keyset refs[2];          /* known customers, known products */
    const char *last_ref[2]; /* the last reference found (rows repeat them) */
    size_t last_ref_len[2];
    uint32_t last_ref_id[2];
    uint32_t row_ref[2]; /* ids of the current row's references (KS_NONE: none) */

    int ids_key; /* every key field is an id (see prefetch_row) */

    /* orders only: the header of every order (customer and date its lines
     * share), from the store or from its first good line in the file */
    int heads;                 /* the table is orders */
    int f_oid, f_cust, f_date; /* their spec fields */
    keyset orders;             /* order ids: the store's first, then new ones */
    uint32_t *h_cust; /* per order: customer id in refs[0], or HC_STRAY | id in strays */
    int32_t *h_date;  /* per order: day number (HD_NONE: unreadable in the store) */
    uint32_t *h_line; /* per order: 0 none yet, HL_STORE, or the file line */
    size_t cap_hc, cap_hd, cap_hl;
    keyset strays;       /* customers of stored orders missing from customers */
    uint32_t last_order; /* the previous row's order (lines of an order repeat it) */
    int reserved;        /* the key set was sized from the file size */
    char *kbuf;
    size_t kcap;

    /* per-row buffers */
    xs__buf attrs; /* attrs JSON */
    char *rbuf; /* reject reason */
    size_t rlen, rcap;
    int oom; /* a buffer could not grow */

    xs__store_writer *w;
    xs__io_writer *rej;
    size_t n_rej_cols;

    unsigned long long n_errors, delivered, rows_with_errors;
    long row_errors;
    int writing; /* 0 once an error makes the import fail */
    xs_import_result res;

    /* records from memory (xs_import_records) instead of a reader: the
     * "line" of a record is its index + 1 and path is the table's name */
    const xs_import_rows *mem;
    int batch; /* part of a batch: good rows keep being written after an
                * error (later tables check references against them); the
                * batch rolls back as a whole */

    /* the sorted path (a file into an empty table, see "Sorted path") */
    xs__io_isort *sorter;
    int ranked[2];   /* refs[r] ids are the ranks of the ids in key order */
    unsigned char kinds[8]; /* per key part: PART_* (set_part_kinds) */
    signed char key_part[MAX_FIELDS + 1]; /* per column: its key part, or -1 */
    char *sk;        /* the row's sort key */
    size_t sk_cap;
    char *pay;       /* the row's values, encoded */
    size_t pay_len, pay_cap;
    struct dup_err *dups; /* duplicate keys found by the merge */
    size_t n_dups, cap_dups;
    unsigned long long dups_dropped; /* not kept: beyond max_errors */
    long last_line;   /* the last line processed */
    long quiet_until; /* a second attempt: errors up to this line were
                       * delivered by the first */

    /* the optimistic sorted path (see "Optimistic path") */
    int optimistic;   /* checks needing random lookups wait for key order */
    int defer_cust;   /* customer references are looked up when written */
    int opt_failed;   /* an error was found: start again on the exact path */
    uint32_t seek_id; /* the customer found last when written (KS_NONE) */
    char *og;         /* the order of the row written last: id, customer, date */
    size_t og_len[3], og_cap;
    int og_have;
} importer;

/* Number of input fields, from the reader or the in-memory records. */
static size_t in_n_fields(const importer *im)
{
    return im->mem ? im->mem->n_names : xs__io_reader_n_fields(im->rd);
}

/* Name of input field i (borrowed). */
static const char *in_field_name(const importer *im, size_t i)
{
    return im->mem ? im->mem->names[i] : xs__io_reader_field_name(im->rd, i);
}

/* ---------------------------------------------------------------------- */
/* Options                                                                */
/* ---------------------------------------------------------------------- */

/* Defaults of the import options (see xsell.h). */
void xs_import_options_init(xs_import_options *o)
{
    memset(o, 0, sizeof *o);
    o->table = XS_T_CUSTOMERS;
    o->format = XS_IO_AUTO;
    o->delimiter = ',';
    o->max_errors = 20;
}

/* "csv" / "jsonl" / "ndjson" to a format (see xsell.h). */
int xs_io_format_parse(const char *s, xs_io_format *out)
{
    if (!s) return XS_EINVAL;
    if (!strcmp(s, "csv")) {
        *out = XS_IO_CSV;
        return XS_OK;
    }
    if (!strcmp(s, "jsonl") || !strcmp(s, "ndjson")) {
        *out = XS_IO_JSONL;
        return XS_OK;
    }
    return XS_EINVAL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m) return 0;
    for (size_t i = 0; i < m; i++) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != suffix[i]) return 0;
    }
    return 1;
}

/* The format a file name implies (see xsell.h). */
xs_io_format xs_io_format_of_path(const char *path)
{
    if (path && (ends_with(path, ".jsonl") || ends_with(path, ".ndjson")))
        return XS_IO_JSONL;
    return XS_IO_CSV;
}

/* "USD" or "USD:2" → code (upper case) and digits (-1 when not given);
 * contract in validate.h. */
int xs__io_import_parse_currency(const char *s, char code[4], int *digits, xs_error *err)
{
    size_t n = strlen(s);
    int ok = n >= 3;
    for (size_t i = 0; ok && i < 3; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z') ok = 0;
        code[i] = c;
    }
    code[3] = '\0';
    *digits = -1;
    if (ok && n > 3) {
        if (s[3] == ':' && n == 5 && s[4] >= '0' && s[4] <= '6')
            *digits = s[4] - '0';
        else
            ok = 0;
    }
    if (!ok)
        return xs__error_param(
            err, XS_EINVAL, NULL, "currency",
            "expected CODE or CODE:DIGITS (e.g. USD:2, JPY:0; digits 0 to "
            "6), got \"%s\"",
            s);
    return XS_OK;
}

static int spec_index(const xs__io_table_spec *sp, const char *name, size_t len)
{
    for (size_t i = 0; i < sp->n_fields; i++)
        if (strlen(sp->fields[i].name) == len && !memcmp(sp->fields[i].name, name, len))
            return (int)i;
    return -1;
}

static int parse_maps(importer *im, xs_error *err)
{
    if (!im->o.n_maps) return XS_OK;
    im->maps = xs__calloc(im->o.n_maps, sizeof *im->maps);
    if (!im->maps) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < im->o.n_maps; i++) {
        const char *m = im->o.maps[i], *eq = m ? strchr(m, '=') : NULL;
        if (!eq || eq == m || !eq[1])
            return xs__error_param(err, XS_EINVAL, NULL, "map",
                                   "expected THEIRS=OURS, got \"%s\"", m ? m : "");
        if (spec_index(im->spec, eq + 1, strlen(eq + 1)) < 0)
            return xs__error_param(err, XS_EINVAL, NULL, "map",
                                   "\"%s\" is not a column of %s", eq + 1, im->def->name);
        im->maps[i].from = m;
        im->maps[i].from_len = (size_t)(eq - m);
        im->maps[i].to = eq + 1;
    }
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Error reporting                                                        */
/* ---------------------------------------------------------------------- */

/* Appends to the reject reason of the current row. */
static void reason_add(importer *im, const char *col, const char *msg)
{
    if (!im->o.skip_bad_rows || !im->o.reject_path) return;
    size_t need = im->rlen + strlen(msg) + (col ? strlen(col) : 0) + 8;
    if (xs__grow(&im->rbuf, &im->rcap, need, 1) < 0) {
        im->oom = 1;
        return;
    }
    int n = snprintf(im->rbuf + im->rlen, im->rcap - im->rlen, "%s%s%s%s",
                     im->rlen ? "; " : "", col ? col : "", col ? ": " : "", msg);
    if (n > 0) im->rlen += (size_t)n;
}

/* Reports one error at line / column (column may be NULL). */
static void report(importer *im, long line, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(importer *im, long line, const char *col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    im->n_errors++;
    im->row_errors++;
    if (!im->o.skip_bad_rows && !im->batch) im->writing = 0;
    if (im->optimistic) {
        /* not delivered: the exact path reads the file again and reports
         * every error in order */
        im->opt_failed = 1;
        return;
    }
    if (im->o.max_errors < 0 || im->delivered < (unsigned long long)im->o.max_errors) {
        im->delivered++;
        if (im->o.on_error && line > im->quiet_until) {
            xs_error e;
            xs__error_set(&e, XS_EREJECT, im->path, line, col, "%s", msg);
            im->o.on_error(im->o.error_ctx, &e);
        }
    }
    reason_add(im, col, msg);
}

/* Reports an error that the reader already formatted (file, line, message). */
static void report_reader(importer *im, const xs_error *re)
{
    im->n_errors++;
    im->row_errors++;
    if (!im->o.skip_bad_rows) im->writing = 0;
    if (im->optimistic) {
        im->opt_failed = 1;
        return;
    }
    if (im->o.max_errors < 0 || im->delivered < (unsigned long long)im->o.max_errors) {
        im->delivered++;
        if (im->o.on_error && re->line > im->quiet_until) im->o.on_error(im->o.error_ctx, re);
    }
    reason_add(im, re->column[0] ? re->column : NULL, re->message);
}

/* ---------------------------------------------------------------------- */
/* Header                                                                 */
/* ---------------------------------------------------------------------- */

/* Maps input fields [im->n_in, n) onto spec fields. Returns XS_OK,
 * XS_EREJECT (a column appears twice) or XS_ENOMEM. */
static int map_fields(importer *im, size_t n, xs_error *err)
{
    if (n <= im->n_in) return XS_OK;
    size_t cap1 = im->cap_in, cap2 = im->cap_in;
    if (xs__grow(&im->spec_of, &cap1, n, sizeof *im->spec_of) < 0 ||
        xs__grow(&im->in_name, &cap2, n, sizeof *im->in_name) < 0)
        return xs__error_set(err, XS_ENOMEM, im->path, 0, NULL, "out of memory");
    im->cap_in = cap1 < cap2 ? cap1 : cap2;
    int rc = XS_OK;
    for (size_t i = im->n_in; i < n; i++) {
        const char *name = in_field_name(im, i);
        int mapped = 0;
        for (size_t m = 0; m < im->o.n_maps; m++) {
            if (strlen(name) == im->maps[m].from_len &&
                !memcmp(name, im->maps[m].from, im->maps[m].from_len)) {
                name = im->maps[m].to;
                mapped = 1;
                break;
            }
        }
        im->in_name[i] = name;
        int j = spec_index(im->spec, name, strlen(name));
        im->spec_of[i] = j;
        int dup = j >= 0 && im->col_of[j] >= 0;
        for (size_t k = 0; !dup && j < 0 && k < i; k++)
            dup = !strcmp(im->in_name[k], name);
        if (!strcmp(name, "attrs") || !strcmp(name, "reject_reason")) dup = 0;
        if (dup) {
            report(im, 1, NULL, "column \"%s\" appears twice%s", name,
                   mapped ? " (after --map)" : "");
            rc = XS_EREJECT;
        }
        if (j >= 0 && !dup)
            im->col_of[j] = (long)i;
        else if (j < 0)
            im->n_attr_cols++;
    }
    im->n_in = n;
    return rc;
}

/* Contract in validate.h. */
void xs__io_missing_column_hint(const char *want, const char *const *names,
                                const char *const *unused, size_t n_in, char *buf,
                                size_t n)
{
    enum { SHOW = 12 };
    size_t o = 0;
    buf[0] = '\0';
    long k = xs__strdist_closest(want, unused, n_in, NULL);
    if (k >= 0) {
        const char *c = unused[k];
        int plain = 1; /* needs no shell quoting */
        for (const char *p = c; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
                plain = 0;
        snprintf(buf, n, " (closest: \"%s\": use --map %s%s=%s%s)", c, plain ? "" : "'", c,
                 want, plain ? "" : "'");
    }
    o = strlen(buf);
    for (size_t i = 0; i < n_in && i < SHOW && o < n; i++) {
        snprintf(buf + o, n - o, "%s%s", i ? ", " : "; the file has: ", names[i]);
        o += strlen(buf + o);
    }
    if (n_in > SHOW && o < n) snprintf(buf + o, n - o, " and %zu more", n_in - SHOW);
}

/* Writes into buf what a missing column `want` could be (see
 * xs__io_missing_column_hint): the file's columns not used by another field. */
static void missing_hint(importer *im, const char *want, char *buf, size_t n)
{
    buf[0] = '\0';
    const char **all = xs__calloc(im->n_in ? im->n_in : 1, sizeof *all);
    const char **free_names = xs__calloc(im->n_in ? im->n_in : 1, sizeof *free_names);
    if (all && free_names) {
        for (size_t i = 0; i < im->n_in; i++) {
            all[i] = in_field_name(im, i);
            if (im->spec_of[i] < 0) free_names[i] = all[i];
        }
        xs__io_missing_column_hint(want, all, free_names, im->n_in, buf, n);
    }
    xs__free(all);
    xs__free(free_names);
}

/* CSV only: every required field without a default must have a column. */
static int check_required(importer *im)
{
    int rc = XS_OK;
    for (size_t j = 0; j < im->spec->n_fields; j++) {
        const xs__io_field_spec *f = &im->spec->fields[j];
        if ((f->flags & XS__REQ) && !f->dflt && im->col_of[j] < 0) {
            char hint[400];
            missing_hint(im, f->name, hint, sizeof hint);
            report(im, 1, NULL, "missing required column \"%s\"%s", f->name, hint);
            rc = XS_EREJECT;
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Loading the known keys                                                 */
/* ---------------------------------------------------------------------- */

/* Encodes key parts into im->kbuf so that byte order of encodings is the
 * order of the key tuples (BINARY collation, as SQLite orders the primary
 * key): one part as is; several each followed by a 0x00 terminator, with
 * 0x00 and 0x01 inside a part escaped as 0x01 0x01 and 0x01 0x02. Returns the
 * length or (size_t)-1 when out of memory. */
static size_t encode_key(importer *im, const xs__store_value *parts, size_t n)
{
    size_t need = 0;
    for (size_t k = 0; k < n; k++)
        need += parts[k].len * 2 + 1;
    if (xs__grow(&im->kbuf, &im->kcap, need + 1, 1) < 0) return (size_t)-1;
    if (n == 1) {
        if (parts[0].len) memcpy(im->kbuf, parts[0].s, parts[0].len);
        return parts[0].len;
    }
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        const unsigned char *p = (const unsigned char *)parts[k].s;
        for (size_t i = 0; i < parts[k].len; i++) {
            if (p[i] > 1) {
                im->kbuf[o++] = (char)p[i];
            } else {
                im->kbuf[o++] = 1;
                im->kbuf[o++] = (char)(p[i] + 1);
            }
        }
        im->kbuf[o++] = 0;
    }
    return o;
}

static int add_ref_key(void *ctx, const xs__store_value *key, size_t n_key)
{
    (void)n_key;
    int added;
    return ks_add(ctx, key[0].s, key[0].len, &added) == KS_NONE ? XS_ENOMEM : XS_OK;
}

static int add_table_key(void *ctx, const xs__store_value *key, size_t n_key)
{
    importer *im = ctx;
    size_t len = encode_key(im, key, n_key);
    if (len == (size_t)-1) return XS_ENOMEM;
    int added;
    return ks_add(&im->keys, im->kbuf, len, &added) == KS_NONE ? XS_ENOMEM : XS_OK;
}

/* Makes room for order `id` in the header arrays; new entries are "none
 * yet". Returns 0 or -1. */
static int grow_heads(importer *im, uint32_t id)
{
    size_t old = im->cap_hl;
    if (xs__grow(&im->h_cust, &im->cap_hc, (size_t)id + 1, sizeof *im->h_cust) < 0 ||
        xs__grow(&im->h_date, &im->cap_hd, (size_t)id + 1, sizeof *im->h_date) < 0 ||
        xs__grow(&im->h_line, &im->cap_hl, (size_t)id + 1, sizeof *im->h_line) < 0)
        return -1;
    if (im->cap_hl > old)
        memset(im->h_line + old, 0, (im->cap_hl - old) * sizeof *im->h_line);
    return 0;
}

/* Store scan of orders: vals = order_id, product_id, customer_id, date. The
 * key goes into the key set; the first line of every order (the scan is in
 * key order, so an order's lines are adjacent) gives its header. */
static int add_order_line(void *ctx, const xs__store_value *vals, size_t n_vals)
{
    importer *im = ctx;
    (void)n_vals;
    int rc = add_table_key(im, vals, 2);
    if (rc < 0) return rc;
    keyset *o = &im->orders;
    if (o->n && o->off[o->n] - o->off[o->n - 1] == vals[0].len &&
        !memcmp(o->pool + o->off[o->n - 1], vals[0].s, vals[0].len))
        return XS_OK; /* another line of the previous order */
    int added;
    uint32_t id = ks_add(o, vals[0].s, vals[0].len, &added);
    if (id == KS_NONE || grow_heads(im, id) < 0) return XS_ENOMEM;
    if (!added) return XS_OK; /* cannot happen in key order */
    uint32_t c = ks_find(&im->refs[0], vals[2].s, vals[2].len);
    if (c == KS_NONE) {
        c = ks_add(&im->strays, vals[2].s, vals[2].len, &added);
        if (c == KS_NONE) return XS_ENOMEM;
        c |= HC_STRAY;
    }
    int32_t d;
    if (xs__date_parse(vals[3].s, vals[3].len, &d) < 0) d = HD_NONE;
    im->h_cust[id] = c;
    im->h_date[id] = d;
    im->h_line[id] = HL_STORE;
    return XS_OK;
}

static int load_key_sets(importer *im, xs_error *err)
{
    unsigned need = 0;
    for (size_t j = 0; j < im->spec->n_fields; j++)
        need |= im->spec->fields[j].flags;
    const xs_table_id ref_table[2] = {XS_T_CUSTOMERS, XS_T_PRODUCTS};
    const unsigned ref_flag[2] = {XS__REF_CUSTOMER, XS__REF_PRODUCT};
    int rc;
    for (int r = 0; r < 2; r++) {
        if (!(need & ref_flag[r])) continue;
        rc = xs__store_scan_keys(im->st, ref_table[r], add_ref_key, &im->refs[r], err);
        if (rc == XS_ENOMEM)
            return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
        if (rc < 0) return rc;
        /* ids are given in the order of the scan: when that is key order,
         * they are ranks, which the sorted path uses in its sort keys */
        im->ranked[r] = ks_ascending(&im->refs[r]);
        /* the slots once, at their final size (loaded lazily, no rehashing);
         * customers looked up only when written may never need them */
        if (!(r == 0 && im->defer_cust) && ks_build(&im->refs[r], im->refs[r].n) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    if (im->heads) {
        /* one scan: the key (order_id, product_id) and the header */
        const unsigned char cols[4] = {(unsigned char)im->f_oid, im->def->key[1],
                                       (unsigned char)im->f_cust,
                                       (unsigned char)im->f_date};
        rc = xs__store_scan_cols(im->st, im->o.table, cols, 4, add_order_line, im, err);
    } else {
        rc = xs__store_scan_keys(im->st, im->o.table, add_table_key, im, err);
    }
    if (rc == XS_ENOMEM) return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
    if (rc < 0) return rc;
    im->n_existing = im->keys.n;
    if (xs__grow(&im->first_line, &im->cap_lines, im->n_existing + 1,
                 sizeof *im->first_line) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    memset(im->first_line, 0, im->n_existing * sizeof *im->first_line);
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Rows                                                                   */
/* ---------------------------------------------------------------------- */

/* Builds attrs from the unknown columns of the row; returns 1 when there is
 * at least one (non-empty) value. */
static int build_attrs(importer *im, const xs__field *fields, size_t n)
{
    xs__buf *b = &im->attrs;
    xs__buf_reset(b);
    if (!im->n_attr_cols) return 0;
    int any = 0;
    for (size_t i = 0; i < n && i < im->n_in; i++) {
        if (im->spec_of[i] >= 0 || !fields[i].present || !fields[i].len) continue;
        xs__buf_addc(b, any ? ',' : '{');
        xs__buf_json_cstr(b, im->in_name[i]);
        xs__buf_addc(b, ':');
        xs__buf_json_str(b, fields[i].ptr, fields[i].len);
        any = 1;
    }
    if (any) xs__buf_addc(b, '}');
    if (b->err) im->oom = 1;
    return any && !im->oom;
}

typedef struct rowctx {
    importer *im;
    long line;
    int *ok;
} rowctx;

static void row_rule_report(void *ctx, size_t field, const char *msg)
{
    rowctx *rc = ctx;
    rc->ok[field] = 0;
    report(rc->im, rc->line, rc->im->spec->fields[field].name, "%s", msg);
}

/* Where an order's header comes from, for messages: "line 4" or "in the store". */
static void head_origin(const importer *im, uint32_t order, char *buf, size_t n)
{
    if (im->h_line[order] == HL_STORE)
        snprintf(buf, n, "in the store");
    else if (im->mem)
        snprintf(buf, n, "%s[%lu]", im->path, (unsigned long)im->h_line[order] - 1);
    else
        snprintf(buf, n, "line %lu", (unsigned long)im->h_line[order]);
}

/*
 * Orders: finds (or adds) the order of the current row and, when the order
 * already has a header (from the store or an earlier good line), reports a
 * customer_id or date that differs from it. The caller sets the header from
 * the row when the row turns out good and the order has none yet.
 * Returns the order's id, or KS_NONE when out of memory.
 */
static uint32_t check_order_head(importer *im, long line, const xs__store_value *vals,
                                 const int32_t *days, int *ok, const char *const *raw,
                                 const size_t *raw_len, const ks_pre *pre)
{
    const xs__store_value *oid = &vals[im->f_oid];
    keyset *o = &im->orders;
    uint32_t id = im->last_order;
    if (id == KS_NONE || o->off[id + 1] - o->off[id] != oid->len ||
        memcmp(o->pool + o->off[id], oid->s, oid->len)) {
        int added;
        id = ks_add_h(o, oid->s, oid->len, &added,
                      oid->s == raw[im->f_oid] && oid->len == raw_len[im->f_oid] ? pre
                                                                                 : NULL);
        if (id == KS_NONE || grow_heads(im, id) < 0) return KS_NONE;
        im->last_order = id;
    }
    if (!im->h_line[id]) return id;
    char q_oid[200], q_new[200], q_old[200], where[40];
    int fc = im->f_cust, fd = im->f_date;
    int cust_differs = ok[fc] && im->row_ref[0] != im->h_cust[id];
    int date_differs = ok[fd] && im->h_date[id] != HD_NONE && days[fd] != im->h_date[id];
    if (!cust_differs && !date_differs) return id;
    xs__error_quote(q_oid, sizeof q_oid, oid->s, oid->len);
    head_origin(im, id, where, sizeof where);
    if (cust_differs) {
        uint32_t c = im->h_cust[id];
        const keyset *set = c & HC_STRAY ? &im->strays : &im->refs[0];
        c &= ~HC_STRAY;
        xs__error_quote(q_old, sizeof q_old, set->pool + set->off[c],
                        set->off[c + 1] - set->off[c]);
        xs__error_quote(q_new, sizeof q_new, raw[fc], raw_len[fc]);
        report(im, line, im->spec->fields[fc].name,
               "order %s belongs to customer %s (%s), not %s", q_oid, q_old, where,
               q_new);
        ok[fc] = 0;
    }
    if (date_differs) {
        char d[11];
        xs__date_format(im->h_date[id], d);
        xs__error_quote(q_new, sizeof q_new, raw[fd], raw_len[fd]);
        report(im, line, im->spec->fields[fd].name,
               "order %s is dated \"%s\" (%s), not %s", q_oid, d, where, q_new);
        ok[fd] = 0;
    }
    return id;
}

/* Opens the reject file (when one is wanted and not yet open) with the
 * input's field names plus reject_reason. */
static int open_reject(importer *im, xs_error *err)
{
    if (!im->o.skip_bad_rows || !im->o.reject_path || im->rej) return XS_OK;
    size_t nh = in_n_fields(im);
    const char **names = xs__calloc(nh + 1, sizeof *names);
    if (!names) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < nh; i++)
        names[i] = in_field_name(im, i);
    names[nh] = "reject_reason";
    xs__io_writer *w = NULL;
    int rc = xs__io_writer_open(&w, im->o.reject_path, im->fmt, im->o.delimiter, err);
    if (rc == XS_OK) {
        rc = xs__io_writer_header(w, names, NULL, nh + 1);
        if (rc < 0) {
            xs__error_set(err, rc, im->o.reject_path, 0, NULL, "%s", xs_strerror(rc));
            xs__io_writer_abort(w);
            w = NULL;
        }
    }
    xs__free(names);
    if (rc < 0) return rc;
    im->rej = w;
    im->n_rej_cols = nh + 1;
    return XS_OK;
}

/* Writes the current row (fields NULL: an unreadable one, written with
 * empty fields) and its reason to the reject file, when one is wanted.
 * Fields first seen (JSONL) after the reject file was opened are left out. */
static int write_reject(importer *im, const xs__field *fields, size_t n, xs_error *err)
{
    if (!im->o.skip_bad_rows || !im->o.reject_path) return XS_OK;
    int rc = open_reject(im, err);
    if (rc < 0) return rc;
    xs__field row[MAX_FIELDS * 4];
    xs__field *out = row;
    if (im->n_rej_cols > sizeof row / sizeof row[0]) {
        out = xs__calloc(im->n_rej_cols, sizeof *out);
        if (!out) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i + 1 < im->n_rej_cols; i++) {
        if (fields && i < n)
            out[i] = fields[i];
        else
            out[i] = (xs__field){"", 0, 0};
    }
    out[im->n_rej_cols - 1] = (xs__field){im->rbuf ? im->rbuf : "", im->rlen, 1};
    rc = xs__io_writer_row(im->rej, out, im->n_rej_cols);
    if (out != row) xs__free(out);
    if (rc < 0)
        return xs__error_set(err, rc, im->o.reject_path, 0, NULL, "writing rejects: %s",
                             xs_strerror(rc));
    return XS_OK;
}

/* The text of spec field j in the row, or NULL when absent or empty. */
static const xs__field *row_field(const importer *im, const xs__field *fields, size_t n,
                                  size_t j)
{
    long i = im->col_of[j];
    const xs__field *fd = i >= 0 && (size_t)i < n ? &fields[i] : NULL;
    return fd && fd->present && fd->len ? fd : NULL;
}

/* Hashes the row's lookups and prefetches their slots (see ks_prefetch):
 * its references, its key (when the key is made of ids, so that its
 * encoding from the raw text is final) and its order. */
static void prefetch_row(importer *im, const xs__field *fields, size_t n,
                         ks_pre pre_ref[2], ks_pre *pre_key, ks_pre *pre_order)
{
    const xs__io_table_spec *sp = im->spec;
    for (size_t j = 0; j < sp->n_fields; j++) {
        unsigned ref = sp->fields[j].flags & (XS__REF_CUSTOMER | XS__REF_PRODUCT);
        const xs__field *fd;
        if (!ref || !(fd = row_field(im, fields, n, j))) continue;
        int r = ref == XS__REF_CUSTOMER ? 0 : 1;
        if (r == 0 && im->defer_cust) continue;
        if (fd->len == im->last_ref_len[r] && im->last_ref[r] &&
            !memcmp(fd->ptr, im->last_ref[r], fd->len))
            continue;
        ks_prefetch(&im->refs[r], fd->ptr, fd->len, &pre_ref[r]);
    }
    const xs__store_table_schema *d = im->def;
    if (im->ids_key && !im->keys.lazy && im->keys.n_slots) {
        xs__store_value parts[8];
        size_t k;
        for (k = 0; k < d->n_key; k++) {
            const xs__field *fd = row_field(im, fields, n, d->key[k]);
            if (!fd) break;
            parts[k].s = fd->ptr;
            parts[k].len = fd->len;
        }
        size_t klen = k == d->n_key ? encode_key(im, parts, d->n_key) : (size_t)-1;
        if (klen != (size_t)-1) ks_prefetch(&im->keys, im->kbuf, klen, pre_key);
    }
    if (im->heads && !im->optimistic) {
        const xs__field *fd = row_field(im, fields, n, (size_t)im->f_oid);
        const keyset *o = &im->orders;
        uint32_t last = im->last_order;
        if (fd && (last == KS_NONE || o->off[last + 1] - o->off[last] != fd->len ||
                   memcmp(o->pool + o->off[last], fd->ptr, fd->len)))
            ks_prefetch(o, fd->ptr, fd->len, pre_order);
    }
    ks_prefetch_pool(&im->refs[0], &pre_ref[0]);
    ks_prefetch_pool(&im->refs[1], &pre_ref[1]);
    ks_prefetch_pool(&im->keys, pre_key);
    ks_prefetch_pool(&im->orders, pre_order);
}

/* ---------------------------------------------------------------------- */
/* Sorted path                                                            */
/* ---------------------------------------------------------------------- */

/*
 * A file going into an empty table needs no key set to tell insert from
 * update, only to find duplicate keys, and the store wants its rows in key
 * order. So instead of a hash set of every key (about 80 bytes a key: 1.5 GB
 * for the 14M lines of a generated usage file) the rows are handed to an
 * external sort (import_sort.c) under a compact sort key, and written in
 * key order after the file is read; duplicates meet as neighbours in the
 * merge, the first line of a key coming first. A file already in key order
 * is never sorted: full buffers go straight to the store. Only a file that
 * leaves key order after such a buffer was written (a duplicate could then
 * hide among rows already in the store) starts again on the key-set path;
 * errors delivered by the first attempt are not delivered twice.
 *
 * The sort key of a row keeps the key's order in fewer bytes: a reference
 * to a customer or product becomes its rank among the store's ids (4 bytes,
 * when the store handed them over in key order), a date its day number
 * (dates are stored as YYYY-MM-DD, whose order is the day's), other parts
 * their text, escaped and terminated as in encode_key. Equal sort keys are
 * equal store keys, so the usage key (customer, product, metric, date) takes
 * about 20 bytes (24 with the customer's id as text, on the optimistic
 * path) and almost every comparison ends in the sorter's index.
 */

#define RESTART (-1000) /* internal: start again, less optimistic */

/* The attempts at a file (xs_import_file), most optimistic first.
 * SORT_ALL sorts the whole file, never writing rows while it is read: the
 * attempt after one that left key order once rows were written, when that
 * one had found no error (memory stays bounded; see xs_import_file).
 * SORT_ALL_OPT is SORT_ALL on the optimistic path (below): after an
 * optimistic attempt that left key order, a file with no error is still
 * read only twice, its customers checked in key order; an error sends it
 * to SORT_ALL. */
enum {
    SORT_NONE = 0,
    SORT_ALL = 1,
    SORT_EXACT = 2,
    SORT_ALL_OPT = 3,
    SORT_OPTIMISTIC = 4
};
#define SORT_BAD 1 /* record flag: the row was rejected (key only) */

/* Is an attempt of this kind optimistic (see "Optimistic path")? */
static int optimistic_mode(int try_sort)
{
    return try_sort == SORT_OPTIMISTIC || try_sort == SORT_ALL_OPT;
}

typedef struct dup_err {
    long line, first;
    char *shown; /* the key as the message shows it */
} dup_err;

static int sk_put(importer *im, size_t *o, const void *p, size_t n)
{
    if (xs__grow(&im->sk, &im->sk_cap, *o + n + 1, 1) < 0) return -1;
    memcpy(im->sk + *o, p, n);
    *o += n;
    return 0;
}

static void be32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

/* How key part k is written in the sort key: PART_CUSTOMER / PART_PRODUCT
 * (a rank, 4 bytes), PART_DATE (a day number, 4 bytes) or PART_TEXT. A
 * record holds every row with a good key, whose references were found and
 * whose dates parsed, so the kind depends on the table only. A customer
 * looked up only when written (the optimistic path) is a text part: the
 * same order, since ranks follow the ids' byte order. */
enum { PART_CUSTOMER = 0, PART_PRODUCT = 1, PART_DATE, PART_TEXT };

static int kind_of_part(const importer *im, size_t k)
{
    const xs__io_field_spec *f = &im->spec->fields[im->def->key[k]];
    unsigned ref = f->flags & (XS__REF_CUSTOMER | XS__REF_PRODUCT);
    if (ref == XS__REF_CUSTOMER && im->ranked[0] && !im->defer_cust) return PART_CUSTOMER;
    if (ref == XS__REF_PRODUCT && im->ranked[1]) return PART_PRODUCT;
    if (f->type == XS__F_DATE) return PART_DATE;
    return PART_TEXT;
}

/* Notes the kind of every key part, and which part each column is (the
 * sorter's rows are encoded and decoded column by column). */
static void set_part_kinds(importer *im)
{
    const xs__store_table_schema *d = im->def;
    for (size_t i = 0; i <= MAX_FIELDS; i++)
        im->key_part[i] = -1;
    for (size_t k = 0; k < d->n_key; k++) {
        im->kinds[k] = (unsigned char)kind_of_part(im, k);
        im->key_part[d->key[k]] = (signed char)k;
    }
}

static int part_kind(const importer *im, size_t k)
{
    return im->kinds[k];
}

/* The sort key of the current row into im->sk; its length or (size_t)-1. */
static size_t sort_key(importer *im, const xs__store_value *vals, const int32_t *days)
{
    const xs__store_table_schema *d = im->def;
    size_t o = 0;
    for (size_t k = 0; k < d->n_key; k++) {
        const xs__store_value *v = &vals[d->key[k]];
        int kind = part_kind(im, k);
        unsigned char b[4];
        if (kind == PART_CUSTOMER || kind == PART_PRODUCT) {
            be32(b, im->row_ref[kind]);
            if (sk_put(im, &o, b, 4) < 0) return (size_t)-1;
        } else if (kind == PART_DATE) {
            be32(b, (uint32_t)days[d->key[k]] ^ 0x80000000u);
            if (sk_put(im, &o, b, 4) < 0) return (size_t)-1;
        } else {
            const unsigned char *p = (const unsigned char *)(v->s ? v->s : "");
            size_t len = v->type == XS__V_TEXT ? v->len : 0;
            if (xs__grow(&im->sk, &im->sk_cap, o + 2 * len + 2, 1) < 0) return (size_t)-1;
            for (size_t i = 0; i < len; i++) {
                if (p[i] > 1) {
                    im->sk[o++] = (char)p[i];
                } else {
                    im->sk[o++] = 1;
                    im->sk[o++] = (char)(p[i] + 1);
                }
            }
            im->sk[o++] = 0;
        }
    }
    return o;
}

/* Appends n bytes to the payload; -1 when out of memory. */
static int pay_put(importer *im, const void *p, size_t n)
{
    if (xs__grow(&im->pay, &im->pay_cap, im->pay_len + n + 1, 1) < 0) return -1;
    if (n) memcpy(im->pay + im->pay_len, p, n);
    im->pay_len += n;
    return 0;
}

#define FROM_KEY 0xee /* payload type byte: the value is read from the sort key */

/* Encodes the row's values (all columns, attrs last; or only the key
 * columns) into im->pay: per column a type byte, then 8 bytes for a number,
 * or for text its length (one byte below 255, else 255 and 4 bytes) and
 * bytes. References and dates of the key are not repeated (FROM_KEY): the
 * sort key holds them, and the records are a fifth smaller for it. */
static int encode_payload(importer *im, const xs__store_value *vals, int key_only)
{
    const xs__store_table_schema *d = im->def;
    im->pay_len = 0;
    for (size_t i = 0; i < d->n_cols; i++) {
        xs__store_value v = vals[i];
        int part = im->key_part[i], is_key = part >= 0;
        int derived = is_key && part_kind(im, (size_t)part) != PART_TEXT;
        if (key_only && !is_key) v.type = XS__V_NULL;
        unsigned char t = derived ? FROM_KEY : (unsigned char)v.type;
        if (derived) {
            if (pay_put(im, &t, 1) < 0) return -1;
            continue;
        }
        if (pay_put(im, &t, 1) < 0) return -1;
        if (v.type == XS__V_INT) {
            if (pay_put(im, &v.i, 8) < 0) return -1;
        } else if (v.type == XS__V_REAL) {
            if (pay_put(im, &v.d, 8) < 0) return -1;
        } else if (v.type == XS__V_TEXT) {
            unsigned char l = v.len < 255 ? (unsigned char)v.len : 255;
            uint32_t l32 = (uint32_t)v.len;
            if (pay_put(im, &l, 1) < 0 || (l == 255 && pay_put(im, &l32, 4) < 0) ||
                pay_put(im, v.s, v.len) < 0)
                return -1;
        }
    }
    return 0;
}

static uint32_t get_be32(const char *p)
{
    const unsigned char *b = (const unsigned char *)p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Decodes a record into vals (text borrowed from the record, the reference
 * sets or dates[]). */
static void decode_payload(const importer *im, const xs__io_isort_rec *r,
                           xs__store_value *vals, char dates[][11])
{
    const xs__store_table_schema *d = im->def;
    const char *p = r->payload;
    for (size_t i = 0; i < d->n_cols; i++) {
        xs__store_value *v = &vals[i];
        memset(v, 0, sizeof *v);
        unsigned char t = (unsigned char)*p++;
        if (t == FROM_KEY) {
            v->type = XS__V_TEXT; /* filled from the key below */
            continue;
        }
        v->type = t;
        if (v->type == XS__V_INT) {
            memcpy(&v->i, p, 8);
            p += 8;
        } else if (v->type == XS__V_REAL) {
            memcpy(&v->d, p, 8);
            p += 8;
        } else if (v->type == XS__V_TEXT) {
            size_t l = (unsigned char)*p++;
            if (l == 255) {
                uint32_t l32;
                memcpy(&l32, p, 4);
                p += 4;
                l = l32;
            }
            v->s = p;
            v->len = l;
            p += l;
        }
    }
    /* the parts of the key that the payload left out */
    const char *k = r->key;
    for (size_t part = 0; part < d->n_key; part++) {
        xs__store_value *v = &vals[d->key[part]];
        int kind = part_kind(im, part);
        if (kind == PART_CUSTOMER || kind == PART_PRODUCT) {
            const keyset *set = &im->refs[kind];
            uint32_t id = get_be32(k);
            v->s = set->pool + set->off[id];
            v->len = set->off[id + 1] - set->off[id];
            k += 4;
        } else if (kind == PART_DATE) {
            xs__date_format((int32_t)(get_be32(k) ^ 0x80000000u), dates[part]);
            v->s = dates[part];
            v->len = 10;
            k += 4;
        } else {
            while (*k) /* escaped text, terminated by 0 (the payload has it) */
                k += *k == 1 ? 2 : 1;
            k++;
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Optimistic path                                                        */
/* ---------------------------------------------------------------------- */

/*
 * A shuffled file pays for two kinds of random lookup per row while it is
 * read: its customer in a set of every customer (a million ids: a cache
 * and TLB miss on the slot and another on the bytes) and, for orders, its
 * order's header (the set of order ids and three arrays beside it). Both
 * checks become sequential once the rows are in key order, which the
 * sorted path produces anyway: rows keyed by customer name their customers
 * in rank order, so each is found by a short forward search from the one
 * before, and the lines of an order are neighbours, so they must simply
 * agree with the line before.
 *
 * So the first attempt at a file into an empty table is optimistic: those
 * checks wait until a row is written (in key order), and the first error of
 * any kind, a duplicate key included, abandons the attempt without
 * delivering anything (the transaction is rolled back) and the file is read
 * again on the exact sorted path, which reports every error in line order as
 * before. A good file, the common case of a bulk load, is read once; a bad
 * one twice, up to its first error the first time when that error is found
 * while reading.
 */

/* Byte order of key id of ks against (s, len). */
static int ks_cmp_id(const keyset *ks, size_t id, const char *s, size_t len)
{
    size_t l = ks->off[id + 1] - ks->off[id];
    int c = memcmp(ks->pool + ks->off[id], s, l < len ? l : len);
    return c ? c : (l > len) - (l < len);
}

/* The id of customer (s, len), or KS_NONE when unknown (im->oom set when
 * the slots could not be built). Customers at or after the one found last
 * are searched forward (galloping, then halving) when the ids are ranked;
 * any other is hashed. */
static uint32_t seek_customer(importer *im, const char *s, size_t len)
{
    keyset *set = &im->refs[0];
    uint32_t at = im->seek_id;
    if (im->ranked[0] && set->n) {
        /* ids lo + 1 .. are searched; lo + 1 = 0 before the first */
        int c = at == KS_NONE ? -1 : ks_cmp_id(set, at, s, len);
        if (c == 0) return at;
        if (c < 0) {
            size_t lo = at == KS_NONE ? (size_t)-1 : at, step = 1; /* id lo < (s, len) */
            while (lo + step < set->n && ks_cmp_id(set, lo + step, s, len) < 0) {
                lo += step;
                step *= 2;
            }
            size_t hi = lo + step < set->n ? lo + step : set->n; /* >=, or the end */
            while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (ks_cmp_id(set, mid, s, len) < 0)
                    lo = mid;
                else
                    hi = mid;
            }
            if (hi == set->n || ks_cmp_id(set, hi, s, len) != 0) return KS_NONE;
            im->seek_id = (uint32_t)hi;
            return (uint32_t)hi;
        }
    }
    if (set->lazy && ks_build(set, set->n) < 0) {
        im->oom = 1;
        return KS_NONE;
    }
    uint32_t id = ks_find(set, s, len);
    if (id != KS_NONE) im->seek_id = id;
    return id;
}

/* Appends (s, len) to the order kept in im->og as part i. -1: no memory. */
static int og_put(importer *im, size_t *o, size_t i, const char *s, size_t len)
{
    if (xs__grow(&im->og, &im->og_cap, *o + len + 1, 1) < 0) return -1;
    if (len) memcpy(im->og + *o, s, len);
    im->og_len[i] = len;
    *o += len;
    return 0;
}

/* Is part i of the order kept in im->og (starting at *o) equal to v? Moves
 * *o past it. */
static int og_same(const importer *im, size_t *o, size_t i, const xs__store_value *v)
{
    int same = v->len == im->og_len[i] && (!v->len || !memcmp(im->og + *o, v->s, v->len));
    *o += im->og_len[i];
    return same;
}

/* The checks the optimistic path leaves until a good row is written, in
 * key order: its customer references are known, and an order's line has
 * the customer and date of the line before when both are of one order.
 * Returns XS_OK, RESTART (an error: im->opt_failed set) or XS_ENOMEM. */
static int check_written(importer *im, const xs__store_value *vals, xs_error *err)
{
    if (!im->optimistic) return XS_OK;
    const xs__io_table_spec *sp = im->spec;
    if (im->defer_cust)
        for (size_t j = 0; j < sp->n_fields; j++) {
            if (!(sp->fields[j].flags & XS__REF_CUSTOMER)) continue;
            const xs__store_value *v = &vals[j];
            if (v->type != XS__V_TEXT || !v->len) continue;
            if (seek_customer(im, v->s, v->len) == KS_NONE) {
                if (im->oom)
                    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
                im->opt_failed = 1;
                return RESTART;
            }
        }
    if (im->heads) {
        const xs__store_value *oid = &vals[im->f_oid], *cust = &vals[im->f_cust],
                              *date = &vals[im->f_date];
        size_t o = 0;
        if (im->og_have && og_same(im, &o, 0, oid)) {
            if (!og_same(im, &o, 1, cust) || !og_same(im, &o, 2, date)) {
                im->opt_failed = 1;
                return RESTART;
            }
            return XS_OK;
        }
        o = 0; /* a new order: keep it */
        if (og_put(im, &o, 0, oid->s, oid->len) < 0 ||
            og_put(im, &o, 1, cust->s, cust->len) < 0 ||
            og_put(im, &o, 2, date->s, date->len) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        im->og_have = 1;
    }
    return XS_OK;
}

/* Writes one record's row (a new key) to the store. */
static int write_rec(importer *im, const xs__io_isort_rec *r, xs_error *err)
{
    xs__store_value vals[MAX_FIELDS + 1], parts[8];
    char dates[8][11];
    decode_payload(im, r, vals, dates);
    int rc = check_written(im, vals, err);
    if (rc < 0) return rc;
    for (size_t k = 0; k < im->def->n_key; k++)
        parts[k] = vals[im->def->key[k]];
    size_t klen = encode_key(im, parts, im->def->n_key);
    if (klen == (size_t)-1) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    rc = xs__store_writer_put(im->w, vals, im->kbuf, klen, 0, err);
    if (rc < 0) return rc;
    im->res.inserted++;
    return XS_OK;
}

typedef struct drain_ctx {
    importer *im;
    xs_error *err;
} drain_ctx;

static int drain_one(void *ctx, const xs__io_isort_rec *r)
{
    drain_ctx *c = ctx;
    if (!c->im->writing || (r->flags & SORT_BAD)) return XS_OK;
    return write_rec(c->im, r, c->err);
}

/* After a full buffer in key order went to the store, rows follow it
 * directly while their keys keep increasing: the current row (its sort key
 * in im->sk, klen bytes) is noted as the last key and written. Returns
 * XS_OK, RESTART (out of order) or a fatal code. */
static int write_after_drain(importer *im, const xs__store_value *vals, size_t klen,
                             int bad, xs_error *err)
{
    int rc = xs__io_isort_note(im->sorter, im->sk, klen);
    if (rc < 0) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (!rc) return RESTART;
    if (!im->writing || bad) return XS_OK;
    if ((rc = check_written(im, vals, err)) < 0) return rc;
    xs__store_value parts[8];
    for (size_t k = 0; k < im->def->n_key; k++)
        parts[k] = vals[im->def->key[k]];
    size_t kl = encode_key(im, parts, im->def->n_key);
    if (kl == (size_t)-1)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if ((rc = xs__store_writer_put(im->w, vals, im->kbuf, kl, 0, err)) < 0) return rc;
    im->res.inserted++;
    return XS_OK;
}

/* Hands the current row to the sorter (bad: a rejected row; either way,
 * once the import cannot succeed, a row is kept for its key only). Returns
 * XS_OK, RESTART or a fatal code. */
static int sort_add(importer *im, const xs__store_value *vals, const int32_t *days,
                    long line, int bad, xs_error *err)
{
    size_t klen = sort_key(im, vals, days);
    if (klen == (size_t)-1)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (xs__io_isort_drained(im->sorter))
        return write_after_drain(im, vals, klen, bad, err);
    if (encode_payload(im, vals, bad || !im->writing) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    uint32_t l32 = line > 0 && line < (long)UINT32_MAX ? (uint32_t)line : UINT32_MAX;
    int full = 0;
    int rc = xs__io_isort_add(im->sorter, im->sk, klen, l32, bad ? SORT_BAD : 0, im->pay,
                              im->pay_len, &full, err);
    if (rc < 0 || !full) return rc;
    /* every key so far in order: the buffer goes to the store as it is,
     * and this row right after it (added to the emptied buffer instead, it
     * would reach the store last, out of key order: on PostgreSQL that one
     * row made the key build sort a third of the table instead of finding
     * it sorted) */
    drain_ctx c = {im, err};
    if ((rc = xs__io_isort_drain(im->sorter, drain_one, &c)) < 0) return rc;
    if ((klen = sort_key(im, vals, days)) == (size_t)-1)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    return write_after_drain(im, vals, klen, bad, err);
}

/* Keeps a duplicate-key error for the report at the end (in line order). */
static int add_dup(importer *im, const xs__io_isort_rec *r, long first)
{
    xs__store_value vals[MAX_FIELDS + 1];
    char dates[8][11];
    decode_payload(im, r, vals, dates);
    const xs__store_table_schema *d = im->def;
    char shown[400];
    size_t o = 0;
    for (size_t k = 0; k < d->n_key && o < sizeof shown; k++) {
        const xs__store_value *v = &vals[d->key[k]];
        if (k) o += (size_t)snprintf(shown + o, sizeof shown - o, ", ");
        if (o < sizeof shown)
            xs__error_quote(shown + o, sizeof shown - o, v->s ? v->s : "", v->len);
        o += strlen(shown + o);
    }
    if (xs__grow(&im->dups, &im->cap_dups, im->n_dups + 1, sizeof *im->dups) < 0)
        return -1;
    dup_err *e = &im->dups[im->n_dups];
    e->line = (long)r->line;
    e->first = first;
    if (!(e->shown = xs__malloc(o + 1))) return -1;
    memcpy(e->shown, shown, o + 1);
    im->n_dups++;
    return 0;
}

static int dup_cmp(const void *a, const void *b)
{
    const dup_err *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Keeps only the max_errors earliest duplicates (the others are counted):
 * a file imported twice over must not hold a message per line. */
static void trim_dups(importer *im)
{
    if (im->o.max_errors < 0) return;
    size_t keep = (size_t)im->o.max_errors;
    if (im->n_dups <= 2 * keep + 64) return;
    qsort(im->dups, im->n_dups, sizeof *im->dups, dup_cmp);
    for (size_t i = keep; i < im->n_dups; i++)
        xs__free(im->dups[i].shown);
    im->dups_dropped += im->n_dups - keep;
    im->n_dups = keep;
}

/*
 * After the last row: merges the sorted records, reports duplicate keys
 * (each against the first line of its key) and writes the others in key
 * order while the import is good. Returns XS_OK or a fatal code.
 */
static int finish_sorted(importer *im, xs_error *err)
{
    int rc = xs__io_isort_finish(im->sorter, err);
    if (rc < 0) return rc;
    char *prev = NULL;
    size_t prev_len = 0, prev_cap = 0;
    long first = 0;
    int have = 0;
    xs__io_isort_rec r;
    while ((rc = xs__io_isort_next(im->sorter, &r, err)) > 0) {
        if (have && r.klen == prev_len && !memcmp(r.key, prev, prev_len)) {
            if (im->optimistic) {
                im->opt_failed = 1;
                rc = RESTART;
                break;
            }
            if (!(r.flags & SORT_BAD)) im->res.rejected++;
            im->writing = 0;
            if (add_dup(im, &r, first) < 0) {
                rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
                break;
            }
            trim_dups(im);
            continue;
        }
        if (xs__grow(&prev, &prev_cap, r.klen + 1, 1) < 0) {
            rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        memcpy(prev, r.key, r.klen);
        prev_len = r.klen;
        first = (long)r.line;
        have = 1;
        if (im->writing && !(r.flags & SORT_BAD) && (rc = write_rec(im, &r, err)) < 0) break;
    }
    xs__free(prev);
    if (rc < 0) return rc;
    /* the duplicates, in line order, after the errors found while reading */
    if (im->n_dups) qsort(im->dups, im->n_dups, sizeof *im->dups, dup_cmp);
    const char *col = im->def->cols[im->def->key[0]].name;
    for (size_t i = 0; i < im->n_dups; i++)
        report(im, im->dups[i].line, col, "duplicate key %s (first on line %lu)",
               im->dups[i].shown, (unsigned long)im->dups[i].first);
    im->n_errors += im->dups_dropped;
    if (im->n_dups || im->dups_dropped) im->writing = 0;
    return XS_OK;
}

/* A file in key order names its customers in the order the store handed
 * them over, skipping a few: the entries just after the previous reference
 * found are tried before hashing. Returns the id or KS_NONE. */
static uint32_t ref_after_last(const importer *im, int r, const char *s, size_t len)
{
    const keyset *set = &im->refs[r];
    if (!im->last_ref[r]) return KS_NONE;
    for (size_t id = (size_t)im->last_ref_id[r] + 1; id < set->n && id < (size_t)im->last_ref_id[r] + 3; id++)
        if (set->off[id + 1] - set->off[id] == len && !memcmp(set->pool + set->off[id], s, len))
            return (uint32_t)id;
    return KS_NONE;
}

/* One row as process_row checks it: per spec field its value, its date
 * as days, whether it is good, and its raw text (NULL when absent). */
typedef struct rowvals {
    xs__store_value vals[MAX_FIELDS + 1]; /* + the attributes column */
    int32_t days[MAX_FIELDS];
    int ok[MAX_FIELDS];
    const char *raw[MAX_FIELDS];
    size_t raw_len[MAX_FIELDS];
    char scratch[MAX_FIELDS][16];
} rowvals;

/* Looks up the reference s (a customer when r is 0, else a product) of
 * spec field f; reports it when unknown. Returns 1 when found, else 0. */
static int lookup_ref(importer *im, int r, const xs__io_field_spec *f, const char *s,
                      size_t len, long line, const ks_pre *pre)
{
    keyset *set = &im->refs[r];
    uint32_t rid = KS_NONE;
    if (len == im->last_ref_len[r] && im->last_ref[r] &&
        !memcmp(s, im->last_ref[r], len)) {
        rid = im->last_ref_id[r]; /* same as the previous row's */
    } else if ((rid = ref_after_last(im, r, s, len)) != KS_NONE ||
               (rid = ks_find_h(set, s, len, pre)) != KS_NONE) {
        im->last_ref[r] = set->pool + set->off[rid];
        im->last_ref_len[r] = len;
        im->last_ref_id[r] = rid;
    }
    im->row_ref[r] = rid;
    if (rid != KS_NONE) return 1;
    char q[200];
    xs__error_quote(q, sizeof q, s, len);
    report(im, line, f->name, "unknown %s %s", r == 0 ? "customer" : "product", q);
    return 0;
}

/* Parses and checks every spec field of a row into rv (defaults, required
 * values, references), reporting what is wrong. */
static void check_fields(importer *im, const xs__field *fields, size_t n, long line,
                         rowvals *rv, const ks_pre pre_ref[2])
{
    const xs__io_table_spec *sp = im->spec;
    char msg[512];
    for (size_t j = 0; j < sp->n_fields; j++) {
        const xs__io_field_spec *f = &sp->fields[j];
        long i = im->col_of[j];
        const xs__field *fd = i >= 0 && (size_t)i < n ? &fields[i] : NULL;
        rv->raw[j] = fd && fd->present ? fd->ptr : NULL;
        rv->raw_len[j] = fd && fd->present ? fd->len : 0;
        rv->days[j] = 0;
        rv->ok[j] = 1;
        const char *s = rv->raw[j];
        size_t len = rv->raw_len[j];
        xs__store_value *v = &rv->vals[j];
        if (!s || !len) {
            if (f->dflt) {
                s = f->dflt;
                len = strlen(s);
            } else if (f->flags & XS__REQ) {
                report(im, line, f->name, "missing required value");
                rv->ok[j] = 0;
                v->type = XS__V_NULL;
                continue;
            } else {
                memset(v, 0, sizeof *v);
                if (f->flags & XS__EMPTY_TEXT) {
                    v->type = XS__V_TEXT;
                    v->s = "";
                }
                continue;
            }
        }
        if (xs__io_validate_value(f, s, len, im->st->money_scale, v, &rv->days[j],
                                  rv->scratch[j], msg, sizeof msg) < 0) {
            report(im, line, f->name, "%s", msg);
            rv->ok[j] = 0;
            continue;
        }
        unsigned ref = f->flags & (XS__REF_CUSTOMER | XS__REF_PRODUCT);
        if (ref == XS__REF_CUSTOMER && im->defer_cust) ref = 0; /* looked up when written */
        if (ref) {
            int r = ref == XS__REF_CUSTOMER ? 0 : 1;
            rv->ok[j] = lookup_ref(im, r, f, s, len, line, &pre_ref[r]);
        }
    }
}

/* Reports a key met before in the file (first on line `first`). */
static void report_duplicate(importer *im, long line, const xs__store_value *parts,
                             uint32_t first)
{
    const xs__store_table_schema *d = im->def;
    char shown[400];
    size_t o = 0;
    for (size_t k = 0; k < d->n_key && o < sizeof shown; k++) {
        if (k) o += (size_t)snprintf(shown + o, sizeof shown - o, ", ");
        if (o < sizeof shown)
            xs__error_quote(shown + o, sizeof shown - o, parts[k].s, parts[k].len);
        o += strlen(shown + o);
    }
    if (im->mem)
        report(im, line, d->cols[d->key[0]].name, "duplicate key %s (first at %s[%lu])",
               shown, im->path, (unsigned long)first - 1);
    else
        report(im, line, d->cols[d->key[0]].name, "duplicate key %s (first on line %lu)",
               shown, (unsigned long)first);
}

/* The row's key on the key-set path (no sorter): a duplicate in the file is
 * reported; *exists says whether the store holds it, *klen its encoded
 * length (in im->kbuf). Returns XS_OK or XS_ENOMEM. */
static int check_key(importer *im, const rowvals *rv, const xs__store_value *parts,
                     long line, const ks_pre *pre_key, int *exists, size_t *klen,
                     xs_error *err)
{
    const xs__store_table_schema *d = im->def;
    size_t len = *klen = encode_key(im, parts, d->n_key);
    if (len == (size_t)-1)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    int added;
    int same = 1; /* the key is the raw text prefetch_row hashed */
    for (size_t k = 0; k < d->n_key; k++)
        same &=
            parts[k].s == rv->raw[d->key[k]] && parts[k].len == rv->raw_len[d->key[k]];
    uint32_t id = ks_add_h(&im->keys, im->kbuf, len, &added, same ? pre_key : NULL);
    if (id == KS_NONE)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (added && xs__grow(&im->first_line, &im->cap_lines, (size_t)id + 1,
                          sizeof *im->first_line) < 0)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (!added && im->first_line[id]) {
        report_duplicate(im, line, parts, im->first_line[id]);
    } else {
        im->first_line[id] = line < (long)UINT32_MAX ? (uint32_t)line : UINT32_MAX;
        *exists = id < im->n_existing;
    }
    return XS_OK;
}

/* Writes a good row (its attributes column added): to the sorter when there
 * is one, else to the store writer, counting what it did. Returns XS_OK or
 * a fatal code. */
static int write_row(importer *im, const xs__field *fields, size_t n, rowvals *rv,
                     long line, size_t klen, int exists, xs_error *err)
{
    int has_attrs = im->writing && build_attrs(im, fields, n);
    if (im->oom) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__store_value *a = &rv->vals[im->spec->n_fields];
    memset(a, 0, sizeof *a);
    if (has_attrs) {
        a->type = XS__V_TEXT;
        a->s = im->attrs.p;
        a->len = im->attrs.n;
    }
    if (im->sorter) return sort_add(im, rv->vals, rv->days, line, 0, err);
    int rc = xs__store_writer_put(im->w, rv->vals, im->kbuf, klen, exists, err);
    if (rc < 0) return rc;
    if (rc == 0)
        im->res.inserted++;
    else if (rc == 1)
        im->res.updated++;
    else if (rc == 2)
        im->res.unchanged++; /* 3: staged, counted after the flush */
    return XS_OK;
}

/* Checks one row and writes it when good. Returns XS_OK (also for a
 * rejected row) or a fatal code. */
static int process_row(importer *im, const xs__field *fields, long line, xs_error *err)
{
    size_t n = in_n_fields(im);
    int rc = map_fields(im, n, err);
    if (rc == XS_ENOMEM) return rc;
    if (im->opt_failed) return RESTART;
    if (rc < 0) return xs__error_set(err, XS_EREJECT, im->path, 1, NULL, "bad header");

    rowvals rv;
    im->row_errors = 0;
    im->rlen = 0;
    im->row_ref[0] = im->row_ref[1] = KS_NONE;
    ks_pre pre_ref[2] = {{0, 0}, {0, 0}}, pre_key = {0, 0}, pre_order = {0, 0};
    prefetch_row(im, fields, n, pre_ref, &pre_key, &pre_order);
    check_fields(im, fields, n, line, &rv, pre_ref);
    rowctx rctx = {im, line, rv.ok};
    xs__io_validate_row(im->o.table, rv.vals, rv.days, rv.ok, rv.raw, rv.raw_len,
                        row_rule_report, &rctx);

    /* the key: duplicate in the file? already in the store? */
    const xs__store_table_schema *d = im->def;
    int key_ok = 1, exists = 0;
    xs__store_value parts[8];
    for (size_t k = 0; k < d->n_key; k++) {
        key_ok &= rv.ok[d->key[k]];
        parts[k] = rv.vals[d->key[k]];
    }
    size_t klen = 0;
    if (key_ok && !im->sorter &&
        (rc = check_key(im, &rv, parts, line, &pre_key, &exists, &klen, err)) < 0)
        return rc;
    uint32_t order = KS_NONE;
    if (im->heads && rv.ok[im->f_oid] && !im->optimistic) {
        order = check_order_head(im, line, rv.vals, rv.days, rv.ok, rv.raw, rv.raw_len,
                                 &pre_order);
        if (order == KS_NONE)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }

    im->last_line = line;
    if (im->opt_failed) return RESTART;
    if (im->row_errors) {
        im->res.rejected++;
        if (im->oom) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        if (im->sorter && key_ok &&
            (rc = sort_add(im, rv.vals, rv.days, line, 1, err)) < 0)
            return rc; /* its key still counts for duplicates */
        return write_reject(im, fields, n, err);
    }
    if (order != KS_NONE && !im->h_line[order]) {
        /* the first good line of a new order gives the order its header */
        im->h_cust[order] = im->row_ref[0];
        im->h_date[order] = rv.days[im->f_date];
        im->h_line[order] =
            line > 0 && line < (long)HL_STORE ? (uint32_t)line : HL_STORE - 1;
    }
    if (!im->writing && !im->sorter) return XS_OK;
    return write_row(im, fields, n, &rv, line, klen, exists, err);
}

/* ---------------------------------------------------------------------- */
/* The import                                                             */
/* ---------------------------------------------------------------------- */

/* Adds the rows the store writer staged (PostgreSQL, existing keys) to the
 * counts, once flushed. */
static void add_staged(importer *im)
{
    unsigned long long updated, unchanged;
    xs__store_writer_staged(im->w, &updated, &unchanged);
    im->res.updated += updated;
    im->res.unchanged += unchanged;
}

static void importer_free(importer *im)
{
    xs__store_writer_free(im->w);
    xs__io_writer_abort(im->rej);
    xs__io_reader_close(im->rd);
    ks_free(&im->keys);
    ks_free(&im->refs[0]);
    ks_free(&im->refs[1]);
    ks_free(&im->orders);
    ks_free(&im->strays);
    xs__free(im->h_cust);
    xs__free(im->h_date);
    xs__free(im->h_line);
    xs__free(im->first_line);
    xs__free(im->kbuf);
    xs__buf_free(&im->attrs);
    xs__free(im->rbuf);
    xs__free(im->spec_of);
    xs__free(im->in_name);
    xs__free(im->maps);
    xs__io_isort_free(im->sorter);
    xs__free(im->sk);
    xs__free(im->pay);
    xs__free(im->og);
    for (size_t i = 0; i < im->n_dups; i++)
        xs__free(im->dups[i].shown);
    xs__free(im->dups);
}

/* Checks that the validation spec and the store table agree (a programmer
 * error otherwise). */
static int spec_matches(const xs__io_table_spec *sp, const xs__store_table_schema *d)
{
    if (sp->n_fields + 1 != d->n_cols || sp->n_fields > MAX_FIELDS) return 0;
    for (size_t i = 0; i < sp->n_fields; i++)
        if (strcmp(sp->fields[i].name, d->cols[i].name)) return 0;
    return d->cols[d->n_cols - 1].type == XS__COL_ATTRS && d->n_key <= 8;
}

/*
 * Sets up *im for importing into table t (options copied from opts, or the
 * defaults): spec and store table checked against each other, the orders
 * header fields found, --map parsed. Returns XS_OK or a negative code with
 * err set; either way *im is to be freed with importer_free().
 */
static int importer_init(importer *im, xs_store *st, const char *path,
                         const xs_import_options *opts, xs_table_id t, xs_error *err)
{
    memset(im, 0, sizeof *im);
    im->keys.lazy = 1; /* hash slots only once keys stop arriving in order */
    im->orders.lazy = 1;
    im->refs[0].lazy = im->refs[1].lazy = 1; /* slots built once, after loading */
    im->last_order = KS_NONE;
    im->seek_id = KS_NONE;
    if (opts)
        im->o = *opts;
    else
        xs_import_options_init(&im->o);
    im->o.table = t;
    if (!im->o.delimiter) im->o.delimiter = ',';
    im->st = st;
    im->path = path;
    im->writing = 1;
    for (size_t j = 0; j < MAX_FIELDS; j++)
        im->col_of[j] = -1;
    im->spec = xs__io_validate_spec(t);
    im->def = xs__store_table_def(t);
    if (!st || !path || !im->spec || !im->def)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no store, file or table");
    if (!spec_matches(im->spec, im->def))
        return xs__error_set(err, XS_EINTERNAL, NULL, 0, NULL,
                             "field spec of %s does not match the store table",
                             im->def->name);
    im->ids_key = 1;
    for (size_t k = 0; k < im->def->n_key; k++)
        im->ids_key &= im->spec->fields[im->def->key[k]].type == XS__F_ID;
    if (t == XS_T_ORDERS) {
        im->heads = 1;
        im->f_oid = spec_index(im->spec, "order_id", 8);
        im->f_cust = spec_index(im->spec, "customer_id", 11);
        im->f_date = spec_index(im->spec, "date", 4);
        if (im->f_oid != im->def->key[0] || im->f_cust < 0 || im->f_date < 0 ||
            im->def->n_key != 2)
            return xs__error_set(err, XS_EINTERNAL, NULL, 0, NULL,
                                 "orders spec lacks order_id, customer_id or date");
    }
    return parse_maps(im, err);
}

/*
 * One attempt at the import (see xs_import_file): options and header first
 * (errors there write nothing), then one transaction: currency, key sets,
 * rows, secondary indexes, reject file, commit. Every failure path rolls
 * back and restores the store's in-memory view of its currency. try_sort:
 * the sorted path may be used; quiet_until: errors on lines up to it were
 * delivered by an earlier attempt. Returns RESTART with *restart_line set
 * when the sorted path gives up (see "Sorted path").
 */
/* Chooses how the rows go in, once the store's keys are loaded: into an
 * empty table the secondary indexes (on PostgreSQL the primary key too,
 * when free) are dropped to be built once at the end (*dropped: they
 * were), and the rows go through the sorter when try_sort says so.
 * Returns XS_OK or a negative code. */
static int choose_path(importer *im, int try_sort, int *dropped, xs_error *err)
{
    xs_store *st = im->st;
    int rc;
    if (im->n_existing == 0) {
        if ((rc = xs__store_indexes_drop(st, im->o.table, err)) < 0) return rc;
        *dropped = rc > 0;
        /* nothing to update: rows go in key order, duplicates found by sorting */
        if (try_sort && !im->o.skip_bad_rows &&
            (rc = xs__io_isort_new(&im->sorter, st->sort_run_bytes, err)) < 0)
            return rc;
        im->optimistic = im->sorter && optimistic_mode(try_sort);
        if (im->sorter && (try_sort == SORT_ALL || try_sort == SORT_ALL_OPT))
            xs__io_isort_keep_all(im->sorter);
        /* a file in key order starts writing after 4 MiB of rows, so that
         * the store works while the rest is read: the PostgreSQL server on
         * its COPY, SQLite on the writer's inserting thread */
        if (im->sorter) xs__io_isort_drain_at(im->sorter, (size_t)4 << 20);
    }
    if (!im->optimistic && im->defer_cust) {
        im->defer_cust = 0; /* every customer is looked up while reading */
        if (im->refs[0].lazy && ks_build(&im->refs[0], im->refs[0].n) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    if (im->sorter) set_part_kinds(im);
    return XS_OK;
}

/* After the first 1024 rows: sizes the key set for the whole file
 * (estimated from the bytes per row so far) so that it never rehashes (the
 * sorted path has none; the set of orders grows as it goes: lines per
 * order are unknown, and sizing it for a slot per line took 128 MB at 4.4M
 * lines). Returns XS_OK or XS_ENOMEM. */
static int reserve_keys(importer *im, xs_error *err)
{
    unsigned long long done, total;
    xs__io_reader_progress(im->rd, &done, &total);
    im->reserved = 1;
    if (done && total > done && !im->sorter) {
        double rows = (double)total / (double)done * 1024.0 * 1.05;
        if (rows < 1e9 && ks_reserve(&im->keys, im->keys.n + (size_t)rows) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    return XS_OK;
}

/* Reads every row of the file and processes it (a row the reader cannot
 * parse is rejected as such). Returns XS_OK, RESTART or a fatal code. */
static int read_rows(importer *im, xs_error *err)
{
    int rc;
    for (;;) {
        const xs__field *fields;
        long line;
        xs_error rerr; /* set by the reader only when it fails */
        int r = xs__io_reader_next(im->rd, &fields, &line, &rerr);
        if (r == 0) break;
        im->res.read++;
        if (r < 0) {
            if (r != XS_EPARSE) {
                if (err) *err = rerr;
                return r;
            }
            im->row_errors = 0;
            im->rlen = 0;
            report_reader(im, &rerr);
            if (im->opt_failed) return RESTART;
            im->res.rejected++;
            if ((rc = write_reject(im, NULL, 0, err)) < 0) return rc;
        } else if ((rc = process_row(im, fields, line, err)) < 0) {
            return rc;
        }
        if (im->res.read == 1024 && !im->reserved && (rc = reserve_keys(im, err)) < 0)
            return rc;
        if (im->o.on_progress && im->res.read % PROGRESS_EVERY == 0) {
            unsigned long long done, total;
            xs__io_reader_progress(im->rd, &done, &total);
            im->o.on_progress(im->o.progress_ctx, im->res.read, done, total);
        }
    }
    return XS_OK;
}

static int import_file(xs_store *st, const char *path, const xs_import_options *opts,
                       xs_import_result *res, xs_error *err, int try_sort,
                       long quiet_until, long *restart_line, int *restart_mode)
{
    double t0 = xs__now();
    importer im;
    if (res) memset(res, 0, sizeof *res);

    /* keep the store's view of its currency to restore it on rollback */
    char saved_cur[8];
    int saved_scale = st ? st->money_scale : 0, saved_has = st ? st->has_currency : 0;
    if (st) memcpy(saved_cur, st->currency, sizeof saved_cur);

    int rc = XS_OK, in_tx = 0, dropped = 0;
    char code[4] = "";
    int digits = -1;
    if ((rc = importer_init(&im, st, path, opts, opts ? opts->table : XS_T_CUSTOMERS,
                            err)) < 0)
        goto cleanup;
    im.quiet_until = quiet_until;
    if (im.o.currency &&
        (rc = xs__io_import_parse_currency(im.o.currency, code, &digits, err)) < 0)
        goto cleanup;
    xs_io_format f = im.o.format == XS_IO_AUTO ? xs_io_format_of_path(path) : im.o.format;
    im.fmt = f == XS_IO_JSONL ? XS_INPUT_JSONL : XS_INPUT_CSV;

    if ((rc = xs__io_reader_open(&im.rd, path, im.fmt, im.o.delimiter, err)) < 0)
        goto cleanup;
    xs__io_reader_set_max_field(im.rd, im.o.max_field_bytes);
    rc = map_fields(&im, xs__io_reader_n_fields(im.rd), err);
    if (rc == XS_OK && im.fmt == XS_INPUT_CSV) rc = check_required(&im);
    if (rc == XS_EREJECT) goto rejected;
    if (rc < 0) goto cleanup;

    if ((rc = xs__store_begin(st, err)) < 0) goto cleanup;
    in_tx = 1;
    xs__store_bulk(st, 1);
    if ((rc = xs__store_use_currency(st, im.o.currency ? code : NULL, digits, err)) < 0)
        goto cleanup;
    im.defer_cust = optimistic_mode(try_sort) && !im.o.skip_bad_rows;
    if ((rc = load_key_sets(&im, err)) < 0) goto cleanup;
    if ((rc = choose_path(&im, try_sort, &dropped, err)) < 0) goto cleanup;
    if ((rc = xs__store_writer_new(&im.w, st, im.o.table, err)) < 0) goto cleanup;

    if ((rc = read_rows(&im, err)) < 0) goto cleanup;
    if (im.sorter && (rc = finish_sorted(&im, err)) < 0) goto cleanup;
    if (im.n_errors && !im.o.skip_bad_rows) goto rejected;
    if ((rc = xs__store_writer_flush(im.w, err)) < 0) goto cleanup;
    add_staged(&im);
    if (dropped && (rc = xs__store_indexes_create(st, im.o.table, err)) < 0) goto cleanup;
    if (im.o.skip_bad_rows && im.o.reject_path) {
        if ((rc = open_reject(&im, err)) < 0)
            goto cleanup; /* header only when no rejects */
        xs__io_writer *rej = im.rej;
        im.rej = NULL;
        /* the reject file is complete before the commit, renamed in place by close */
        if ((rc = xs__io_writer_close(rej, err)) < 0) goto cleanup;
    }
    if ((rc = xs__store_commit(st, err)) < 0) {
        if (im.o.skip_bad_rows && im.o.reject_path) unlink(im.o.reject_path);
        goto cleanup;
    }
    in_tx = 0;
    xs__store_bulk(st, 0);
    rc = XS_OK;
    goto done;

rejected:
    rc = xs__error_set(err, XS_EREJECT, path, 0, NULL,
                       "%llu error%s in %llu row%s, nothing imported", im.n_errors,
                       im.n_errors == 1 ? "" : "s", im.res.rejected,
                       im.res.rejected == 1 ? "" : "s");
    if (im.res.rejected == 0)
        rc = xs__error_set(err, XS_EREJECT, path, 0, NULL,
                           "%llu error%s in the header, nothing imported", im.n_errors,
                           im.n_errors == 1 ? "" : "s");
cleanup:
    if (rc == RESTART) {
        /* an optimistic attempt that met an error delivered none: the exact
         * sorted path reads the file again (the whole file sorted, when
         * that attempt sorted it whole). A file that left key order after
         * rows were written is sorted whole when nothing was reported yet
         * (the key-set path would hold every key in memory: 1.56 GB for a
         * usage file of 14M lines in order for its first 2M), optimistic
         * still after an optimistic attempt; after errors it goes to the
         * key-set path, those delivered */
        if (im.opt_failed)
            *restart_mode = try_sort == SORT_ALL_OPT ? SORT_ALL : SORT_EXACT;
        else if (im.n_errors)
            *restart_mode = SORT_NONE;
        else
            *restart_mode = im.optimistic ? SORT_ALL_OPT : SORT_ALL;
        *restart_line = im.optimistic || *restart_mode == SORT_ALL ? 0 : im.last_line;
    }
    /* the writer's inserting thread stops before the transaction ends */
    xs__store_writer_free(im.w);
    im.w = NULL;
    if (in_tx) xs__store_rollback(st);
    if (st) xs__store_bulk(st, 0);
    if (st) {
        memcpy(st->currency, saved_cur, sizeof saved_cur);
        st->money_scale = saved_scale;
        st->has_currency = saved_has;
    }
    im.res.inserted = im.res.updated = im.res.unchanged = 0;
done:
    im.res.n_errors = im.n_errors;
    im.res.seconds = xs__now() - t0;
    if (res) *res = im.res;
    importer_free(&im);
    return rc;
}

/*
 * The import (contract in xsell.h): on the sorted path when the table is
 * empty; when that path gives up (a file that leaves key order after rows
 * were written), once more with the whole file sorted, or on the key-set
 * path when that attempt had reported errors.
 */
int xs_import_file(xs_store *st, const char *path, const xs_import_options *opts,
                   xs_import_result *res, xs_error *err)
{
    double t0 = xs__now();
    long quiet_until = 0;
    int mode = SORT_OPTIMISTIC, rc;
    for (;;) {
        long restart_line = 0;
        int next = SORT_NONE;
        rc = import_file(st, path, opts, res, err, mode, quiet_until, &restart_line, &next);
        if (rc != RESTART || mode == SORT_NONE) break;
        mode = next < mode ? next : SORT_NONE; /* each attempt less optimistic */
        quiet_until = restart_line;
    }
    if (res) res->seconds = xs__now() - t0;
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Records from memory (a batch of tables)                                */
/* ---------------------------------------------------------------------- */

/*
 * Validates and upserts the rows of one table of a batch, inside the
 * batch's transaction: the same header mapping, key sets and row checks as
 * a file, fed from memory. Good rows are written (and flushed, so that the
 * key scans of later tables see them) even after an error; the caller rolls
 * the batch back when any table had one. Returns XS_OK (errors are counted
 * in im->n_errors) or a fatal code.
 */
static int import_rows(importer *im, xs_error *err)
{
    const xs_import_rows *m = im->mem;
    int rc = map_fields(im, m->n_names, err);
    if (rc == XS_EREJECT) return XS_OK; /* a name twice: reported, nothing to check */
    if (rc < 0) return rc;
    if ((rc = load_key_sets(im, err)) < 0) return rc;
    if ((rc = xs__store_writer_new(&im->w, im->st, im->o.table, err)) < 0) return rc;
    xs__field row[MAX_FIELDS * 2];
    xs__field *fields = row;
    if (m->n_names > sizeof row / sizeof row[0]) {
        fields = xs__calloc(m->n_names, sizeof *fields);
        if (!fields) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < m->n_rows && rc == XS_OK; i++) {
        const xs_import_value *v = m->values + i * m->n_names;
        for (size_t j = 0; j < m->n_names; j++) {
            fields[j].ptr = v[j].ptr ? v[j].ptr : "";
            fields[j].len = v[j].ptr ? v[j].len : 0;
            fields[j].present = v[j].present && v[j].ptr;
        }
        im->res.read++;
        rc = process_row(im, fields, (long)i + 1, err);
    }
    if (fields != row) xs__free(fields);
    if (rc < 0) return rc;
    if ((rc = xs__store_writer_flush(im->w, err)) < 0) return rc;
    add_staged(im);
    return XS_OK;
}

/*
 * The batch import (contract in xsell.h): one transaction around every
 * table, each checked as a file would be, rolled back as a whole when any
 * row of any table has an error.
 */
int xs_import_records(xs_store *st, const xs_import_rows *tables, size_t n_tables,
                      const xs_import_options *opts, xs_import_result *res, xs_error *err)
{
    double t0 = xs__now();
    if (res) memset(res, 0, n_tables * sizeof *res);
    if (!st || (n_tables && !tables))
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no store or tables");
    unsigned seen = 0;
    for (size_t t = 0; t < n_tables; t++) {
        unsigned bit = 1u << ((unsigned)tables[t].table & 31u);
        if ((seen & bit) && xs__io_validate_spec(tables[t].table))
            return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                                 "table %s appears twice in the batch",
                                 xs_table_name(tables[t].table));
        seen |= bit;
        if (!xs__io_validate_spec(tables[t].table) ||
            (tables[t].n_names && !tables[t].names) ||
            (tables[t].n_rows && tables[t].n_names && !tables[t].values))
            return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                                 "bad table %zu of the batch", t);
    }
    char saved_cur[8];
    int saved_scale = st->money_scale, saved_has = st->has_currency;
    memcpy(saved_cur, st->currency, sizeof saved_cur);
    char code[4] = "";
    int digits = -1, rc, in_tx = 0;
    unsigned long long n_errors = 0, n_bad_rows = 0;
    if (opts && opts->currency &&
        (rc = xs__io_import_parse_currency(opts->currency, code, &digits, err)) < 0)
        return rc;
    if ((rc = xs__store_begin(st, err)) < 0) return rc;
    in_tx = 1;
    if ((rc = xs__store_use_currency(st, opts && opts->currency ? code : NULL, digits,
                                     err)) < 0)
        goto cleanup;
    for (size_t t = 0; t < n_tables; t++) {
        importer im;
        rc = importer_init(&im, st, xs_table_name(tables[t].table), opts, tables[t].table,
                           err);
        if (rc == XS_OK) {
            im.o.skip_bad_rows = 0;
            im.o.reject_path = NULL;
            im.o.on_progress = NULL;
            im.mem = &tables[t];
            im.batch = 1;
            im.delivered = n_errors; /* max_errors counts over the batch */
            rc = import_rows(&im, err);
        }
        n_errors += im.n_errors;
        n_bad_rows += im.res.rejected;
        im.res.n_errors = im.n_errors;
        if (res) res[t] = im.res;
        importer_free(&im);
        if (rc < 0) goto cleanup;
    }
    if (n_errors) {
        rc = xs__error_set(err, XS_EREJECT, NULL, 0, NULL,
                           "%llu error%s in %llu row%s, nothing imported", n_errors,
                           n_errors == 1 ? "" : "s", n_bad_rows,
                           n_bad_rows == 1 ? "" : "s");
        goto cleanup;
    }
    if ((rc = xs__store_commit(st, err)) < 0) goto cleanup;
    in_tx = 0;
    if (res)
        for (size_t t = 0; t < n_tables; t++)
            res[t].seconds = xs__now() - t0;
    return XS_OK;

cleanup:
    if (in_tx) xs__store_rollback(st);
    memcpy(st->currency, saved_cur, sizeof saved_cur);
    st->money_scale = saved_scale;
    st->has_currency = saved_has;
    if (res)
        for (size_t t = 0; t < n_tables; t++) {
            res[t].inserted = res[t].updated = res[t].unchanged = 0;
            res[t].seconds = xs__now() - t0;
        }
    return rc;
}
