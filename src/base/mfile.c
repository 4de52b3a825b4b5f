/*
 * mfile.c — model file container: writing named, 64-byte aligned sections
 * to a temporary file renamed into place, and mapping such a file read-only
 * after checking every byte of its header, section table and checksum.
 *
 * The reader trusts nothing it has not checked: sizes and offsets are
 * compared against the mapped length before any section pointer is formed,
 * so a truncated, corrupted or hostile file yields an error, never a read
 * outside the mapping (tests/fuzz/fuzz_model.c throws bytes at it).
 *
 * Checksum: the bytes after the header are cut into pieces of CHUNK bytes
 * (the last one shorter); the XXH3-64 of the pieces' XXH3-64 values (each
 * as 8 little-endian bytes, in order) seeds an XXH3-64 of the header with
 * its checksum field zeroed. So every byte of the file is covered, the
 * writer hashes the data as it streams it out, and the reader hashes the
 * pieces on every core: on opening, the checksum is the one pass over the
 * whole file, and on a file not yet in the page cache it is the pass that
 * reads it from the disk (bench/RESULTS.md, "The lead's session of 2026-12-07,
 * 16:26–19:26 UTC").
 */
#define _GNU_SOURCE /* O_DIRECT */
#include "base/mfile.h"

#include "base/alloc.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

/* ---- on-disk layout ----------------------------------------------------- */

#define MAGIC "XSELLMDL"
#define HDR_SIZE 192      /* header bytes; sections start at a multiple of 64 */
#define ALIGN 64
#define ENTRY_SIZE 48     /* name[32] + offset u64 + size u64 */
#define MAX_SECTIONS 65536
#define CHUNK ((uint64_t)16 << 20) /* bytes per hashed piece of the body */

/* Header field offsets (all little-endian). */
enum {
    H_MAGIC = 0,        /* 8 bytes */
    H_VERSION = 8,      /* u32 */
    H_HDR_SIZE = 12,    /* u32 */
    H_FLAGS = 16,       /* u32 */
    H_N_SECTIONS = 20,  /* u32 */
    H_FILE_SIZE = 24,   /* u64 */
    H_TABLE_OFF = 32,   /* u64 */
    H_CHECKSUM = 40,    /* u64 */
    H_STORE_ID = 48,    /* 40 bytes */
    H_AS_OF = 88,       /* 16 bytes */
    H_BUILT_AT = 104,   /* 24 bytes */
    H_XS_VERSION = 128, /* 16 bytes */
    H_DATA_VERSION = 144 /* u64; bytes 152..191 reserved, zero */
};

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Copies a string field of `n` bytes, always NUL-terminated in dst. */
static void get_str(char *dst, size_t dst_n, const unsigned char *src, size_t n)
{
    size_t len = 0;
    while (len < n && len + 1 < dst_n && src[len]) len++;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void put_str(unsigned char *dst, size_t n, const char *s)
{
    size_t len = strnlen(s, n - 1);
    memset(dst, 0, n);
    memcpy(dst, s, len);
}

/* The hash of the body from its pieces' hashes, n of them, each stored as
 * 8 little-endian bytes in le. */
static uint64_t body_hash_of(const unsigned char *le, size_t n)
{
    return XXH3_64bits(le, n * 8);
}

/* The checksum of a file given its header and the hash of the rest. */
static uint64_t file_checksum(const unsigned char *hdr, uint64_t body_hash)
{
    unsigned char h[HDR_SIZE];
    memcpy(h, hdr, HDR_SIZE);
    memset(h + H_CHECKSUM, 0, 8);
    return XXH3_64bits_withSeed(h, HDR_SIZE, body_hash);
}

/* ---- writing ------------------------------------------------------------ */

typedef struct entry {
    char name[XS__MFILE_NAME_MAX];
    uint64_t off, size;
} entry;

/*
 * The writer goes around the kernel's page cache (O_DIRECT): the bytes are
 * gathered in an aligned buffer of its own and go to the disk in whole
 * blocks of BLOCK bytes, at offsets that are multiples of BLOCK. Through
 * the page cache, every byte of a 1.4 GB model would first be copied into
 * pages the kernel hands out afresh for the file: 2.3-3.3 CPU seconds at
 * 1M customers on this project's VMs, against 0.15 s for this buffer's
 * copies (bench/RESULTS.md, "Build at 1M: the model file around the page
 * cache"). The last block is padded with zeros and the file cut back to
 * its size; the header, known last, goes into the first block again (kept
 * in `first`). A file system that refuses O_DIRECT gets the same aligned
 * writes through the page cache. Readers map the file as before: the kernel
 * keeps a mapping of it coherent with what went around the cache.
 */
#define BLOCK 4096u
#define BUF_BYTES (4u << 20) /* a multiple of BLOCK */

struct xs__mfile_writer {
    char *path, *tmp;
    int fd;
    uint64_t pos;     /* bytes written so far (the file's size) */
    uint64_t flushed; /* bytes of the file out of buf, a multiple of BLOCK */
    unsigned char *buf_mem, *buf; /* buf: BLOCK-aligned, BUF_BYTES */
    size_t fill;                  /* bytes in buf: the file's [flushed, pos) */
    unsigned char *first;         /* the file's first block, once flushed */
    XXH3_state_t *hash;           /* of the body's current piece */
    uint64_t piece;               /* bytes of the current piece hashed so far */
    unsigned char *digests;       /* the finished pieces' hashes, 8 bytes each */
    size_t n_digests, cap_digests;
    entry *entries;
    size_t n, cap;
};

static int write_error(xs__mfile_writer *w, ssize_t k, xs_error *err)
{
    return xs__error_set(err, XS_EIO, w->path, 0, NULL, "cannot write: %s",
                         k < 0 ? strerror(errno) : "no space written");
}

/* Writes n bytes (a multiple of BLOCK) from p at offset off. A file
 * system that refuses O_DIRECT's write gets it through its page cache. */
static int write_blocks(xs__mfile_writer *w, const unsigned char *p, size_t n, uint64_t off,
                        xs_error *err)
{
    while (n) {
        ssize_t k = pwrite(w->fd, p, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && errno == EINVAL) {
            int fl = fcntl(w->fd, F_GETFL);
            if (fl >= 0 && (fl & O_DIRECT) && fcntl(w->fd, F_SETFL, fl & ~O_DIRECT) == 0)
                continue;
        }
        if (k <= 0) return write_error(w, k, err);
        p += k;
        off += (uint64_t)k;
        n -= (size_t)k;
    }
    return XS_OK;
}

/* Writes the buffer's bytes out up to its last whole block (with
 * tail != 0: all of them, the last block padded with zeros) and keeps what
 * is left of a block at its start. */
static int flush_buf(xs__mfile_writer *w, int tail, xs_error *err)
{
    size_t whole = w->fill & ~(size_t)(BLOCK - 1), n = whole;
    if (tail && w->fill > whole) {
        memset(w->buf + w->fill, 0, BLOCK - (w->fill - whole));
        n = whole + BLOCK;
    }
    if (!n) return XS_OK;
    int rc = write_blocks(w, w->buf, n, w->flushed, err);
    if (rc < 0) return rc;
    if (w->flushed == 0) memcpy(w->first, w->buf, BLOCK);
    w->flushed += whole;
    w->fill -= whole;
    memmove(w->buf, w->buf + whole, w->fill);
    return XS_OK;
}

/* Ends the body's current piece: its hash joins the digests. */
static int end_piece(xs__mfile_writer *w, xs_error *err)
{
    if (xs__grow(&w->digests, &w->cap_digests, (w->n_digests + 1) * 8, 1) < 0)
        return xs__error_set(err, XS_ENOMEM, w->path, 0, NULL, "out of memory");
    put_u64(w->digests + w->n_digests * 8, XXH3_64bits_digest(w->hash));
    w->n_digests++;
    w->piece = 0;
    XXH3_64bits_reset(w->hash);
    return XS_OK;
}

/* Hashes n more bytes of the body, piece by piece. */
static int hash_body(xs__mfile_writer *w, const unsigned char *p, size_t n, xs_error *err)
{
    while (n) {
        size_t k = CHUNK - w->piece < n ? (size_t)(CHUNK - w->piece) : n;
        if (XXH3_64bits_update(w->hash, p, k) != XXH_OK)
            return xs__error_set(err, XS_EINTERNAL, w->path, 0, NULL, "checksum failed");
        w->piece += k;
        p += k;
        n -= k;
        int rc;
        if (w->piece == CHUNK && (rc = end_piece(w, err)) < 0) return rc;
    }
    return XS_OK;
}

static int write_all(xs__mfile_writer *w, const void *data, size_t n, xs_error *err)
{
    int hrc = hash_body(w, data, n, err);
    if (hrc < 0) return hrc;
    const unsigned char *p = data;
    size_t left = n;
    while (left) {
        size_t k = BUF_BYTES - w->fill < left ? BUF_BYTES - w->fill : left;
        memcpy(w->buf + w->fill, p, k);
        w->fill += k;
        p += k;
        left -= k;
        int rc;
        if (w->fill == BUF_BYTES && (rc = flush_buf(w, 0, err)) < 0) return rc;
    }
    w->pos += n;
    return XS_OK;
}

static int pad_to(xs__mfile_writer *w, uint64_t align, xs_error *err)
{
    static const unsigned char zeros[ALIGN];
    uint64_t rem = w->pos % align;
    if (!rem) return XS_OK;
    return write_all(w, zeros, (size_t)(align - rem), err);
}

int xs__mfile_create(xs__mfile_writer **out, const char *path, xs_error *err)
{
    *out = NULL;
    xs__mfile_writer *w = xs__calloc(1, sizeof *w);
    if (!w) return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    w->fd = -1;
    size_t tn = strlen(path) + 32;
    w->path = xs__strdup(path);
    w->tmp = xs__malloc(tn);
    w->hash = XXH3_createState();
    w->buf_mem = xs__malloc(BUF_BYTES + 2 * BLOCK);
    if (w->buf_mem) {
        w->buf = w->buf_mem + (BLOCK - (uintptr_t)w->buf_mem % BLOCK) % BLOCK;
        w->first = w->buf + BUF_BYTES; /* BLOCK bytes, aligned too */
    }
    if (!w->path || !w->tmp || !w->hash || !w->buf_mem) {
        xs__mfile_abort(w);
        return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    }
    snprintf(w->tmp, tn, "%s.tmp-%ld", path, (long)getpid());
    XXH3_64bits_reset(w->hash);
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0644);
    if (w->fd < 0 && errno == EINVAL) /* no O_DIRECT here: through the page cache */
        w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int rc = xs__error_set(err, XS_EIO, path, 0, NULL, "cannot create %s: %s", w->tmp,
                               strerror(errno));
        xs__mfile_abort(w);
        return rc;
    }
    /* the header is written last, at commit; its bytes are zeros until then */
    memset(w->buf, 0, HDR_SIZE);
    w->fill = HDR_SIZE;
    w->pos = HDR_SIZE;
    *out = w;
    return XS_OK;
}

int xs__mfile_put(xs__mfile_writer *w, const char *name, const void *data, size_t bytes,
                  xs_error *err)
{
    size_t len = strlen(name);
    if (len == 0 || len >= XS__MFILE_NAME_MAX)
        return xs__error_set(err, XS_EINVAL, w->path, 0, NULL,
                             "section name \"%.40s\": must be 1 to %d bytes", name,
                             XS__MFILE_NAME_MAX - 1);
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->entries[i].name, name) == 0)
            return xs__error_set(err, XS_EINVAL, w->path, 0, NULL, "section %s written twice",
                                 name);
    if (w->n >= MAX_SECTIONS)
        return xs__error_set(err, XS_EINVAL, w->path, 0, NULL, "more than %d sections",
                             MAX_SECTIONS);
    if (xs__grow(&w->entries, &w->cap, w->n + 1, sizeof *w->entries) < 0)
        return xs__error_set(err, XS_ENOMEM, w->path, 0, NULL, "out of memory");
    int rc = pad_to(w, ALIGN, err);
    if (rc < 0) return rc;
    entry *e = &w->entries[w->n];
    memset(e, 0, sizeof *e);
    memcpy(e->name, name, len);
    e->off = w->pos;
    e->size = bytes;
    if (bytes && (rc = write_all(w, data, bytes, err)) < 0) return rc;
    w->n++;
    return XS_OK;
}

int xs__mfile_sync(xs__mfile_writer *w, xs_error *err)
{
    if (fdatasync(w->fd) < 0)
        return xs__error_set(err, XS_EIO, w->path, 0, NULL, "cannot sync: %s",
                             strerror(errno));
    return XS_OK;
}

int xs__mfile_commit(xs__mfile_writer *w, const xs__mfile_meta *meta, xs_error *err)
{
    int rc = pad_to(w, ALIGN, err);
    if (rc < 0) goto cleanup;
    uint64_t table_off = w->pos;
    for (size_t i = 0; i < w->n; i++) {
        unsigned char e[ENTRY_SIZE] = {0};
        memcpy(e, w->entries[i].name, XS__MFILE_NAME_MAX);
        put_u64(e + 32, w->entries[i].off);
        put_u64(e + 40, w->entries[i].size);
        if ((rc = write_all(w, e, sizeof e, err)) < 0) goto cleanup;
    }
    unsigned char h[HDR_SIZE] = {0};
    memcpy(h + H_MAGIC, MAGIC, 8);
    put_u32(h + H_VERSION, XS__MFILE_VERSION);
    put_u32(h + H_HDR_SIZE, HDR_SIZE);
    put_u32(h + H_FLAGS, 0);
    put_u32(h + H_N_SECTIONS, (uint32_t)w->n);
    put_u64(h + H_FILE_SIZE, w->pos);
    put_u64(h + H_TABLE_OFF, table_off);
    if (meta) {
        put_str(h + H_STORE_ID, 40, meta->store_id);
        put_str(h + H_AS_OF, 16, meta->as_of);
        put_str(h + H_BUILT_AT, 24, meta->built_at);
        put_str(h + H_XS_VERSION, 16, meta->xsell_version);
        put_u64(h + H_DATA_VERSION, meta->data_version);
    }
    if (w->piece && (rc = end_piece(w, err)) < 0) goto cleanup;
    put_u64(h + H_CHECKSUM, file_checksum(h, body_hash_of(w->digests, w->n_digests)));
    /* the header into the first block: still in the buffer, or written
     * again from its copy after the rest */
    int in_buf = w->flushed == 0;
    if (in_buf) memcpy(w->buf, h, HDR_SIZE);
    if ((rc = flush_buf(w, 1, err)) < 0) goto cleanup;
    if (!in_buf) {
        memcpy(w->first, h, HDR_SIZE);
        if ((rc = write_blocks(w, w->first, BLOCK, 0, err)) < 0) goto cleanup;
    }
    if (w->pos % BLOCK && ftruncate(w->fd, (off_t)w->pos) < 0) { /* the padding */
        rc = write_error(w, -1, err);
        goto cleanup;
    }
    if (fsync(w->fd) < 0) {
        rc = xs__error_set(err, XS_EIO, w->path, 0, NULL, "cannot sync: %s", strerror(errno));
        goto cleanup;
    }
    int fd = w->fd;
    w->fd = -1;
    if (close(fd) < 0) {
        rc = xs__error_set(err, XS_EIO, w->path, 0, NULL, "cannot write: %s", strerror(errno));
        goto cleanup;
    }
    if (rename(w->tmp, w->path) < 0) {
        rc = xs__error_set(err, XS_EIO, w->path, 0, NULL, "cannot rename %s into place: %s",
                           w->tmp, strerror(errno));
        goto cleanup;
    }
    xs__free(w->tmp);
    w->tmp = NULL; /* renamed: nothing to remove */
    rc = XS_OK;
cleanup:
    xs__mfile_abort(w);
    return rc;
}

void xs__mfile_abort(xs__mfile_writer *w)
{
    if (!w) return;
    if (w->fd >= 0) close(w->fd);
    if (w->tmp) unlink(w->tmp);
    if (w->hash) XXH3_freeState(w->hash);
    xs__free(w->digests);
    xs__free(w->buf_mem);
    xs__free(w->tmp);
    xs__free(w->path);
    xs__free(w->entries);
    xs__free(w);
}

/* ---- reading ------------------------------------------------------------ */

struct xs__mfile {
    char *path;
    const unsigned char *base;
    size_t size;
    entry *entries; /* decoded and checked section table */
    size_t n;
    xs__mfile_meta meta;
};

static int bad(xs_error *err, const char *path, const char *what)
{
    return xs__error_set(err, XS_EPARSE, path, 0, NULL, "%s", what);
}

/* Checks the section table: every section inside the data area, aligned,
 * named, not overlapping the next one; names unique. */
static int check_table(xs__mfile *f, uint64_t table_off, uint32_t n, xs_error *err)
{
    const char *path = f->path;
    f->entries = xs__calloc(n ? n : 1, sizeof *f->entries);
    if (!f->entries) return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    uint64_t prev_end = HDR_SIZE;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = f->base + table_off + (uint64_t)i * ENTRY_SIZE;
        entry *d = &f->entries[i];
        size_t len = strnlen((const char *)e, XS__MFILE_NAME_MAX);
        if (len == 0 || len == XS__MFILE_NAME_MAX)
            return xs__error_set(err, XS_EPARSE, path, 0, NULL,
                                 "section table entry %u: bad name (the file is corrupted)", i);
        memcpy(d->name, e, len);
        d->off = get_u64(e + 32);
        d->size = get_u64(e + 40);
        /* sections are written in order, so each starts after the last */
        if (d->off % ALIGN || d->off < prev_end || d->off > table_off ||
            d->size > table_off - d->off)
            return xs__error_set(err, XS_EPARSE, path, 0, NULL,
                                 "section %s: outside the data area (the file is corrupted)",
                                 d->name);
        prev_end = d->off + d->size;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(f->entries[j].name, d->name) == 0)
                return xs__error_set(err, XS_EPARSE, path, 0, NULL,
                                     "section %s: appears twice (the file is corrupted)",
                                     d->name);
    }
    f->n = n;
    return XS_OK;
}

/* ---- the body's hash, on every core ----------------------------------- */

#define MAX_HASHERS 16

typedef struct hasher {
    const unsigned char *body;
    uint64_t size;      /* bytes of the body */
    size_t n;           /* pieces */
    size_t next;        /* the next piece to hash (atomic) */
    unsigned char *le;  /* n digests, 8 little-endian bytes each */
} hasher;

static void *hash_pieces(void *arg)
{
    hasher *H = arg;
    for (;;) {
        size_t i = __atomic_fetch_add(&H->next, 1, __ATOMIC_RELAXED);
        if (i >= H->n) return NULL;
        uint64_t lo = (uint64_t)i * CHUNK;
        uint64_t len = H->size - lo < CHUNK ? H->size - lo : CHUNK;
        put_u64(H->le + i * 8, XXH3_64bits(H->body + lo, (size_t)len));
    }
}

/* The hash of the size bytes at body (see the checksum rule at the top):
 * the pieces are taken in turn by one thread per online core, the caller's
 * among them. Returns XS_OK or XS_ENOMEM. */
static int body_hash(const unsigned char *body, uint64_t size, uint64_t *out)
{
    hasher H = {.body = body, .size = size, .n = (size_t)((size + CHUNK - 1) / CHUNK)};
    H.le = xs__malloc(H.n ? H.n * 8 : 1);
    if (!H.le) return XS_ENOMEM;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n_threads = cores > 1 ? (size_t)cores : 1;
    if (n_threads > H.n) n_threads = H.n ? H.n : 1;
    if (n_threads > MAX_HASHERS) n_threads = MAX_HASHERS;
    pthread_t th[MAX_HASHERS];
    size_t started = 0;
    while (started + 1 < n_threads && pthread_create(&th[started], NULL, hash_pieces, &H) == 0)
        started++;
    hash_pieces(&H);
    for (size_t t = 0; t < started; t++) pthread_join(th[t], NULL);
    *out = body_hash_of(H.le, H.n);
    xs__free(H.le);
    return XS_OK;
}

static int check_header(xs__mfile *f, xs_error *err)
{
    const char *path = f->path;
    const unsigned char *h = f->base;
    if (f->size < 8 || memcmp(h, MAGIC, 8) != 0) return bad(err, path, "not an xsell model file");
    if (f->size < 16)
        return xs__error_set(err, XS_EPARSE, path, 0, NULL, "truncated: %zu of %d bytes",
                             f->size, HDR_SIZE);
    uint32_t version = get_u32(h + H_VERSION);
    if (version != XS__MFILE_VERSION)
        return xs__error_cond(
            err, XS_COND_MODEL_VERSION,
            xs__error_set(err, XS_ESCHEMA, path, 0, NULL,
                          "format version %u, this xsell reads version %d", version,
                          XS__MFILE_VERSION));
    if (get_u32(h + H_HDR_SIZE) != HDR_SIZE)
        return bad(err, path, "bad header size (the file is corrupted)");
    if (f->size < HDR_SIZE)
        return xs__error_set(err, XS_EPARSE, path, 0, NULL, "truncated: %zu of %d bytes",
                             f->size, HDR_SIZE);
    uint64_t file_size = get_u64(h + H_FILE_SIZE);
    if (file_size > f->size)
        return xs__error_set(err, XS_EPARSE, path, 0, NULL, "truncated: %zu of %llu bytes",
                             f->size, (unsigned long long)file_size);
    if (file_size < f->size)
        return xs__error_set(err, XS_EPARSE, path, 0, NULL,
                             "%zu bytes, the header says %llu (the file is corrupted)", f->size,
                             (unsigned long long)file_size);
    uint64_t body;
    if (body_hash(h + HDR_SIZE, f->size - HDR_SIZE, &body) < 0)
        return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    if (file_checksum(h, body) != get_u64(h + H_CHECKSUM))
        return bad(err, path, "checksum mismatch (the file is corrupted)");
    uint32_t n = get_u32(h + H_N_SECTIONS);
    uint64_t table_off = get_u64(h + H_TABLE_OFF);
    if (n > MAX_SECTIONS || table_off < HDR_SIZE || table_off % ALIGN || table_off > f->size ||
        (f->size - table_off) / ENTRY_SIZE < n || f->size - table_off != (uint64_t)n * ENTRY_SIZE)
        return bad(err, path, "section table outside the file (the file is corrupted)");
    get_str(f->meta.store_id, sizeof f->meta.store_id, h + H_STORE_ID, 40);
    get_str(f->meta.as_of, sizeof f->meta.as_of, h + H_AS_OF, 16);
    get_str(f->meta.built_at, sizeof f->meta.built_at, h + H_BUILT_AT, 24);
    get_str(f->meta.xsell_version, sizeof f->meta.xsell_version, h + H_XS_VERSION, 16);
    f->meta.data_version = get_u64(h + H_DATA_VERSION);
    return check_table(f, table_off, n, err);
}

int xs__mfile_open(xs__mfile **out, const char *path, xs_error *err)
{
    *out = NULL;
    xs__mfile *f = xs__calloc(1, sizeof *f);
    if (!f || !(f->path = xs__strdup(path))) {
        xs__free(f);
        return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    }
    int rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ENOENT
                 ? xs__error_set(err, XS_ENOTFOUND, path, 0, NULL, "no such model file")
                 : xs__error_set(err, XS_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
        goto cleanup;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        rc = xs__error_set(err, XS_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
        close(fd);
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = xs__error_set(err, XS_EIO, path, 0, NULL, "cannot open: %s",
                           S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        close(fd);
        goto cleanup;
    }
    f->size = (size_t)st.st_size;
    if (f->size == 0) {
        close(fd);
        rc = bad(err, path, "not an xsell model file");
        goto cleanup;
    }
    void *m = mmap(NULL, f->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        rc = xs__error_set(err, XS_EIO, path, 0, NULL, "cannot map: %s", strerror(errno));
        goto cleanup;
    }
    f->base = m;
    if ((rc = check_header(f, err)) < 0) goto cleanup;
    *out = f;
    return XS_OK;
cleanup:
    xs__mfile_close(f);
    return rc;
}

void xs__mfile_close(xs__mfile *f)
{
    if (!f) return;
    if (f->base) munmap((void *)f->base, f->size);
    xs__free(f->entries);
    xs__free(f->path);
    xs__free(f);
}

const xs__mfile_meta *xs__mfile_meta_of(const xs__mfile *f)
{
    return &f->meta;
}

const char *xs__mfile_path(const xs__mfile *f)
{
    return f->path;
}

size_t xs__mfile_size(const xs__mfile *f)
{
    return f->size;
}

static const entry *find(const xs__mfile *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->entries[i].name, name) == 0) return &f->entries[i];
    return NULL;
}

const void *xs__mfile_get(const xs__mfile *f, const char *name, size_t elem, size_t *n)
{
    const entry *e = find(f, name);
    *n = 0;
    if (!e || elem == 0 || e->size % elem) return NULL;
    *n = (size_t)(e->size / elem);
    return f->base + e->off;
}

int xs__mfile_need(const xs__mfile *f, const char *name, size_t elem, size_t n,
                   const void **out, xs_error *err)
{
    *out = NULL;
    const entry *e = find(f, name);
    if (!e)
        return xs__error_set(err, XS_EPARSE, f->path, 0, NULL, "section %s: missing", name);
    int ok = elem && e->size % elem == 0 &&
             (n == SIZE_MAX || (n <= UINT64_MAX / elem && e->size == (uint64_t)n * elem));
    if (!ok) {
        if (n == SIZE_MAX)
            return xs__error_set(err, XS_EPARSE, f->path, 0, NULL,
                                 "section %s: %llu bytes, not a multiple of %zu", name,
                                 (unsigned long long)e->size, elem);
        return xs__error_set(err, XS_EPARSE, f->path, 0, NULL,
                             "section %s: %llu bytes, expected %llu", name,
                             (unsigned long long)e->size, (unsigned long long)n * elem);
    }
    *out = f->base + e->off;
    return XS_OK;
}
