/*
 * reader.c — the record readers of reader.h: RFC 4180 CSV and JSON Lines.
 *
 * The importer calls xs__io_reader_next() once per input row, so this file is on
 * the hot path of every import. Both formats share one block buffer: the file
 * is read with read(2) in large blocks (1 MiB by default) and records are
 * parsed in place. Field values point into the buffer; nothing is allocated
 * per record or field.
 *
 * CSV parsing has two paths. The fast path handles a line that holds no
 * quote character: one pass tests eight bytes at a time for the delimiter or
 * a line feed (split_line) and cuts the fields. The position of the next
 * quote and of the next non-ASCII byte are found once per stretch of buffer
 * and cached, so a file without quotes or UTF-8 pays for one memchr and one
 * 8-bytes-at-a-time scan per buffer, not per line. A record whose first line
 * has a quote goes through the slow path, a small state machine that also
 * handles quoted delimiters, doubled quotes and quoted line breaks (a record
 * then spans several physical lines).
 *
 * A record that straddles the end of the buffered data is parsed again from
 * its start after a refill (which moves the partial record to the front of
 * the buffer, growing the buffer when one record is larger than it). Because
 * of this restart, the slow path only marks fields whose doubled quotes need
 * collapsing, and collapses them in place once the whole record is known.
 *
 * JSON Lines: each non-blank line is parsed with jansson; the field set is
 * the union of the object keys in first-seen order (open() reads the first
 * object ahead to learn its keys; an empty JSONL file is not an error: no
 * fields, no records). A key missing from a record, or null, gives an
 * absent value (present 0, empty). Numbers are given as
 * text: integers as written (decimal), reals in the shortest "%.15g" /
 * "%.16g" / "%.17g" form that reads back to the same double (so 12.50 gives
 * "12.5", 1e3 gives "1000", 0.1 gives "0.1"). Integers outside 64 bits are
 * rejected by jansson ("too big integer").
 *
 * Errors are reported per record as FILE:LINE: message; the reader then
 * continues with the next record so that the caller can list several.
 *
 * Text values are C strings further on (the store binds them as such), so a
 * value holding a NUL byte (a raw byte in CSV, "\u0000" in JSON) is rejected
 * rather than silently cut short, and so is a value longer than the field
 * limit (xs__io_reader_set_max_field; 1 MiB by default). Both are per-record
 * errors naming the column: FILE:LINE: COLUMN: message. CSV finds NUL bytes
 * like it finds non-ASCII ones, with one cached memchr per stretch of buffer.
 */
#include "io/reader.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/intern.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BUFFER (1u << 20)
#define NUM_SLOT 32 /* bytes of number text per JSONL field */
#define UNKNOWN SIZE_MAX

/* Results of parsing at the current position (besides negative XS_E*). */
enum { REC_OK = 1, REC_EOF, REC_MORE, REC_BLANK, REC_UNTERMINATED };

static size_t buffer_size = DEFAULT_BUFFER;

struct xs__io_reader {
    xs__io_input_format fmt;
    char delim;
    int fd;
    char *path;

    char *buf;                   /* data is buf[pos, end) */
    size_t cap, pos, end;
    unsigned long long buf_off;  /* file offset of buf[0] */
    unsigned long long size;     /* file size, 0 when unknown */
    int eof;                     /* read(2) reported end of file */
    int done;                    /* nothing more to deliver */
    long line;                   /* physical line of buf[pos] */

    size_t next_quote;           /* offset of the next '"' >= some point >= pos, */
    size_t next_high;            /* of the next byte >= 0x80; end: none; UNKNOWN */
    size_t next_nul;             /* of the next NUL byte; end: none; UNKNOWN */
    size_t max_field;            /* longest value accepted, in bytes */
    unsigned long long nonblank_at; /* file offset of a known non-blank byte */
    int header_mode;             /* grow the field array while parsing */
    size_t last_n;               /* fields of the last CSV record */

    xs__intern names;            /* field names, ids = field indices */
    xs__field *fields;
    size_t cap_fields;

    json_t *cur;                 /* JSONL: current object (string values) */
    char *numbuf;                /* JSONL: NUM_SLOT bytes per field */
    size_t cap_num;              /* fields covered by numbuf */
    unsigned long long rec_off;  /* JSONL: file offset of the last line read */
};

void xs__io_reader_test_buffer_size(size_t n)
{
    buffer_size = n ? n : DEFAULT_BUFFER;
}

/* ---------------------------------------------------------------------- */
/* Byte scanning                                                           */
/* ---------------------------------------------------------------------- */

#define HIGH_BITS 0x8080808080808080ULL

/* First byte >= 0x80 in [s, e), or e. */
static const unsigned char *find_high(const unsigned char *s, const unsigned char *e)
{
    while (e - s >= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        if (v & HIGH_BITS) break;
        s += 8;
    }
    while (s < e && *s < 0x80) s++;
    return s;
}

/*
 * Checks that [s, e) is well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF). Returns 1 when valid.
 */
static int utf8_valid(const unsigned char *s, const unsigned char *e)
{
    for (;;) {
        s = find_high(s, e);
        if (s == e) return 1;
        unsigned c = *s;
        if (c < 0xc2 || c > 0xf4) return 0;
        if (c < 0xe0) {
            if (e - s < 2 || (s[1] & 0xc0) != 0x80) return 0;
            s += 2;
        } else if (c < 0xf0) {
            if (e - s < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80) return 0;
            if (c == 0xe0 && s[1] < 0xa0) return 0; /* overlong */
            if (c == 0xed && s[1] > 0x9f) return 0; /* surrogate */
            s += 3;
        } else {
            if (e - s < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
                (s[3] & 0xc0) != 0x80)
                return 0;
            if (c == 0xf0 && s[1] < 0x90) return 0; /* overlong */
            if (c == 0xf4 && s[1] > 0x8f) return 0; /* above U+10FFFF */
            s += 4;
        }
    }
}

static long count_lf(const char *s, const char *e)
{
    long n = 0;
    while ((s = memchr(s, '\n', (size_t)(e - s))) != NULL) {
        n++;
        s++;
    }
    return n;
}

/* ---------------------------------------------------------------------- */
/* Buffer                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * Moves the unread data buf[pos, end) to the front, grows the buffer when it
 * is full, and reads one more block. Sets eof when read(2) returns 0.
 * Returns XS_OK, XS_ENOMEM or XS_EIO (err set).
 */
static int refill(xs__io_reader *r, xs_error *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->buf_off += r->pos;
        r->end -= r->pos;
        r->pos = 0;
    }
    if (r->end == r->cap) {
        if (r->cap > SIZE_MAX / 2) return xs__error_set(err, XS_ENOMEM, r->path, 0, NULL, "record too long");
        char *nb = xs__realloc(r->buf, r->cap * 2);
        if (!nb) return xs__error_set(err, XS_ENOMEM, r->path, 0, NULL, "out of memory");
        r->buf = nb;
        r->cap *= 2;
    }
    ssize_t n;
    do {
        n = read(r->fd, r->buf + r->end, r->cap - r->end);
    } while (n < 0 && errno == EINTR);
    r->next_quote = r->next_high = r->next_nul = UNKNOWN;
    if (n < 0)
        return xs__error_set(err, XS_EIO, r->path, 0, NULL, "cannot read: %s", strerror(errno));
    if (n == 0) r->eof = 1;
    r->end += (size_t)n;
    return XS_OK;
}

/*
 * 1 when everything from pos to the end of the file is CR / LF (trailing
 * blank lines), 0 when not (and remembers where the first other byte is),
 * or a negative XS_E* code. pos is kept.
 */
static int rest_is_blank(xs__io_reader *r, xs_error *err)
{
    size_t i = r->pos;
    for (;;) {
        while (i < r->end) {
            char c = r->buf[i];
            if (c != '\r' && c != '\n') {
                r->nonblank_at = r->buf_off + i;
                return 0;
            }
            i++;
        }
        if (r->eof) return 1;
        size_t rel = i - r->pos;
        int rc = refill(r, err);
        if (rc < 0) return rc;
        i = r->pos + rel;
    }
}

/* Makes room for field index k (header mode only). */
static int ensure_fields(xs__io_reader *r, size_t n)
{
    if (n <= r->cap_fields) return XS_OK;
    size_t old = r->cap_fields;
    if (xs__grow(&r->fields, &r->cap_fields, n, sizeof *r->fields) < 0) return XS_ENOMEM;
    for (size_t i = old; i < r->cap_fields; i++) {
        r->fields[i].ptr = "";
        r->fields[i].len = 0;
        r->fields[i].present = r->fmt == XS_INPUT_CSV;
    }
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* CSV                                                                     */
/* ---------------------------------------------------------------------- */

typedef struct rec_info {
    size_t n;       /* fields found */
    size_t end;     /* buffer offset just past the record */
    long n_lf;      /* line feeds in the record, its terminator included */
    int bad_quote;  /* a character followed a closing quote */
    int bad_utf8;
    int has_nul;    /* a NUL byte somewhere in the record */
} rec_info;

/* Stores field k when there is room; in header mode makes room. */
static inline int put_field(xs__io_reader *r, size_t k, const char *p, size_t len,
                            int present)
{
    if (k >= r->cap_fields) {
        if (!r->header_mode) return XS_OK;
        if (ensure_fields(r, k + 1) < 0) return XS_ENOMEM;
    }
    r->fields[k].ptr = p;
    r->fields[k].len = len;
    r->fields[k].present = present;
    return XS_OK;
}

/* Clears the "needs unescaping" marks (present == 2) of fields [0, n). */
static void clear_marks(xs__io_reader *r, size_t n)
{
    if (n > r->cap_fields) n = r->cap_fields;
    for (size_t i = 0; i < n; i++) r->fields[i].present = 1;
}

/* Collapses doubled quotes in place in the marked fields of [0, n). */
static void unescape_marked(xs__io_reader *r, size_t n)
{
    if (n > r->cap_fields) n = r->cap_fields;
    for (size_t i = 0; i < n; i++) {
        xs__field *f = &r->fields[i];
        if (f->present != 2) continue;
        char *d = r->buf + (f->ptr - r->buf);
        size_t o = 0;
        for (size_t j = 0; j < f->len; j++) {
            d[o++] = d[j];
            if (d[j] == '"') j++; /* the second of a doubled pair */
        }
        f->len = o;
        f->present = 1;
    }
}

/*
 * The slow path: a record containing a quote character, parsed from pos.
 * Returns REC_OK (ri filled), REC_MORE (needs more data; nothing changed),
 * REC_UNTERMINATED or XS_ENOMEM.
 */
static int parse_quoted(xs__io_reader *r, rec_info *ri)
{
    const char delim = r->delim;
    const char *const b = r->buf;
    const char *c = b + r->pos, *const lim = b + r->end;
    size_t k = 0;
    long n_lf = 0;
    int bad_quote = 0, rc = REC_OK;

    for (;;) {
        const char *fs;
        size_t flen;
        int mark = 1;
        if (c < lim && *c == '"') {
            const char *q = c + 1;
            fs = q;
            for (;;) {
                const char *qq = memchr(q, '"', (size_t)(lim - q));
                if (!qq) {
                    rc = r->eof ? REC_UNTERMINATED : REC_MORE;
                    goto out;
                }
                n_lf += count_lf(q, qq);
                if (qq + 1 == lim && !r->eof) {
                    rc = REC_MORE;
                    goto out;
                }
                if (qq + 1 < lim && qq[1] == '"') {
                    mark = 2;
                    q = qq + 2;
                    continue;
                }
                flen = (size_t)(qq - fs);
                c = qq + 1;
                break;
            }
            if (c < lim && *c != delim && *c != '\n' &&
                !(*c == '\r' && (c + 1 == lim || c[1] == '\n'))) {
                /* junk after the closing quote: skip it up to the end of the
                 * field so the record's boundaries stay where a reader of
                 * the line would expect them */
                bad_quote = 1;
                while (c < lim && *c != delim && *c != '\n') c++;
                if (c == lim && !r->eof) {
                    rc = REC_MORE;
                    goto out;
                }
            } else if (c < lim && *c == '\r' && c + 1 == lim && !r->eof) {
                rc = REC_MORE;
                goto out;
            }
            if (c < lim && *c == '\r' && (c + 1 == lim || c[1] == '\n')) c++;
        } else {
            fs = c;
            while (c < lim && *c != delim && *c != '\n') c++;
            if (c == lim && !r->eof) {
                rc = REC_MORE;
                goto out;
            }
            flen = (size_t)(c - fs);
            if (flen && fs[flen - 1] == '\r' && (c == lim || *c == '\n')) flen--;
        }
        if (put_field(r, k, fs, flen, mark) < 0) {
            rc = XS_ENOMEM;
            goto out;
        }
        k++;
        if (c < lim && *c == delim) {
            c++;
            continue;
        }
        /* end of record: at '\n' or at the end of the file */
        if (c < lim) {
            n_lf++;
            c++;
        }
        break;
    }
    ri->n = k;
    ri->end = (size_t)(c - b);
    ri->n_lf = n_lf;
    ri->bad_quote = bad_quote;
    return REC_OK;
out:
    clear_marks(r, k);
    return rc;
}

/* Stores field k = [s_, e_) in the fast path; in header mode grows the
 * array (returning SIZE_MAX from the caller when out of memory). */
#define STORE_FIELD(s_, e_)                                                   \
    do {                                                                     \
        if (k < cap) {                                                       \
            f[k].ptr = (s_);                                                 \
            f[k].len = (size_t)((e_) - (s_));                                \
        } else if (r->header_mode) {                                         \
            if (put_field(r, k, (s_), (size_t)((e_) - (s_)), 1) < 0) return SIZE_MAX; \
            f = r->fields;                                                   \
            cap = r->cap_fields;                                             \
        }                                                                    \
    } while (0)

/*
 * The fast path's scan: from p, stores the fields ended by a delimiter up to
 * the first line feed, sets *nl to it (NULL when none before lim) and *last
 * to the start of the field after the last delimiter (left to the caller),
 * and returns how many fields it ended (SIZE_MAX: out of memory). On little-endian machines
 * eight bytes are tested at a time for the delimiter or a line feed: a byte
 * equal to one of them becomes zero after XOR, and (x - 0x01..) & ~x & 0x80..
 * flags every zero byte (plus, through borrows, possibly bytes above one, so
 * each flagged byte is checked).
 */
static size_t split_line(xs__io_reader *r, const char *p, const char *lim,
                         const char **nl, const char **last)
{
    const char delim = r->delim;
    xs__field *f = r->fields;
    size_t cap = r->cap_fields, k = 0;
    const char *s = p, *c = p;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t dm = ones * (unsigned char)delim, nm = ones * (unsigned char)'\n';
    while (lim - c >= 8) {
        uint64_t v;
        memcpy(&v, c, 8);
        uint64_t x = v ^ dm, y = v ^ nm;
        uint64_t m = (((x - ones) & ~x) | ((y - ones) & ~y)) & HIGH_BITS;
        while (m) {
            const char *h = c + (__builtin_ctzll(m) >> 3);
            m &= m - 1;
            if (*h == '\n') {
                *nl = h;
                *last = s;
                return k;
            }
            if (*h != delim) continue;
            STORE_FIELD(s, h);
            k++;
            s = h + 1;
        }
        c += 8;
    }
#endif
    for (; c < lim; c++) {
        if (*c == '\n') {
            *nl = c;
            *last = s;
            return k;
        }
        if (*c == delim) {
            STORE_FIELD(s, c);
            k++;
            s = c + 1;
        }
    }
    *nl = NULL;
    *last = s;
    return k;
}

/*
 * Parses the record at pos. Returns REC_OK (ri filled), REC_EOF, REC_MORE,
 * REC_BLANK (an empty line that may start the trailing blank lines),
 * REC_UNTERMINATED or XS_ENOMEM.
 */
static int parse_csv(xs__io_reader *r, rec_info *ri)
{
    const char *const b = r->buf;
    const size_t pos = r->pos;
    const char *const p = b + pos, *const lim = b + r->end;
    if (p == lim) return r->eof ? REC_EOF : REC_MORE;
    if (r->next_quote == UNKNOWN || r->next_quote < pos) {
        const char *q = memchr(p, '"', (size_t)(lim - p));
        r->next_quote = q ? (size_t)(q - b) : r->end;
    }
    /* a quote before the first line feed: the record needs the slow path */
    if (r->next_quote < r->end && !memchr(p, '\n', r->next_quote - pos)) {
        int rc = parse_quoted(r, ri);
        if (rc != REC_OK) return rc;
    } else {
        const char *nl, *s;
        size_t k = split_line(r, p, lim, &nl, &s);
        if (k == SIZE_MAX) return XS_ENOMEM;
        if (!nl && !r->eof) return REC_MORE;
        const char *rec_lim = nl ? nl : lim;
        const char *le = rec_lim;
        if (le > p && le[-1] == '\r') le--;
        if (le == p && r->buf_off + pos >= r->nonblank_at) return REC_BLANK;
        /* the last field; a CR before the LF is not part of it */
        if (k < r->cap_fields) {
            r->fields[k].ptr = s;
            r->fields[k].len = (size_t)(le - s);
        } else if (put_field(r, k, s, (size_t)(le - s), 1) < 0) {
            return XS_ENOMEM;
        }
        ri->n = k + 1;
        ri->end = nl ? (size_t)(nl + 1 - b) : r->end;
        ri->n_lf = 1;
        ri->bad_quote = 0;
    }
    ri->bad_utf8 = 0;
    if (r->next_high == UNKNOWN || r->next_high < pos) {
        const unsigned char *h = find_high((const unsigned char *)p, (const unsigned char *)lim);
        r->next_high = (size_t)((const char *)h - b);
    }
    if (r->next_high < ri->end) {
        ri->bad_utf8 = !utf8_valid((const unsigned char *)b + r->next_high,
                                   (const unsigned char *)b + ri->end);
        r->next_high = UNKNOWN;
    }
    if (r->next_nul == UNKNOWN || r->next_nul < pos) {
        const char *z = memchr(p, '\0', (size_t)(lim - p));
        r->next_nul = z ? (size_t)(z - b) : r->end;
    }
    ri->has_nul = r->next_nul < ri->end;
    return REC_OK;
}

/*
 * Checks the values [0, n) of the record at line `at` (after unescaping):
 * none holds a NUL byte (looked for only when nul is set) or is longer than
 * max_field. Returns 1 or XS_EPARSE with err set, naming the column (in the
 * header row, its number).
 */
static int check_values(xs__io_reader *r, size_t n, int nul, long at, xs_error *err)
{
    if (n > r->cap_fields) n = r->cap_fields;
    for (size_t i = 0; i < n; i++) {
        const xs__field *f = &r->fields[i];
        char what[64];
        if (nul && memchr(f->ptr, '\0', f->len))
            snprintf(what, sizeof what, "contains a NUL byte");
        else if (f->len > r->max_field)
            snprintf(what, sizeof what, "field longer than %zu bytes", r->max_field);
        else
            continue;
        if (r->header_mode || i >= r->names.n)
            return xs__error_set(err, XS_EPARSE, r->path, at, NULL, "column %zu: %s",
                                 i + 1, what);
        return xs__error_set(err, XS_EPARSE, r->path, at,
                             xs__intern_str(&r->names, (uint32_t)i), "%s", what);
    }
    return 1;
}

/*
 * Reads one CSV record (header_mode: any number of fields). Returns 1, 0 at
 * the end, or a negative code with err set.
 */
static int next_csv(xs__io_reader *r, long *line, xs_error *err)
{
    rec_info ri;
    for (;;) {
        if (r->done) return 0;
        int rc = parse_csv(r, &ri);
        if (rc == REC_OK) break;
        if (rc == REC_EOF) {
            r->done = 1;
            return 0;
        }
        if (rc == REC_MORE) {
            rc = refill(r, err);
            if (rc < 0) {
                r->done = 1;
                return rc;
            }
            continue;
        }
        if (rc == REC_BLANK) {
            rc = rest_is_blank(r, err);
            if (rc < 0) {
                r->done = 1;
                return rc;
            }
            if (rc == 1) {
                r->pos = r->end;
                r->done = 1;
                return 0;
            }
            continue; /* nonblank_at now says this line is a record */
        }
        if (rc == REC_UNTERMINATED) {
            /* resynchronise at the line after the record's first line */
            long at = r->line;
            const char *p = r->buf + r->pos;
            const char *nl = memchr(p, '\n', r->end - r->pos);
            r->pos = nl ? (size_t)(nl + 1 - r->buf) : r->end;
            r->line++;
            *line = at;
            return xs__error_set(err, XS_EPARSE, r->path, at, NULL, "unterminated quoted field");
        }
        r->done = 1;
        return xs__error_set(err, rc, r->path, 0, NULL, "out of memory");
    }
    long at = r->line;
    *line = at;
    r->pos = ri.end;
    r->line += ri.n_lf;
    unescape_marked(r, ri.n);
    if (ri.bad_utf8)
        return xs__error_set(err, XS_EPARSE, r->path, at, NULL, "invalid UTF-8");
    if (ri.bad_quote)
        return xs__error_set(err, XS_EPARSE, r->path, at, NULL,
                             "unexpected character after closing quote");
    if (!r->header_mode && ri.n != r->names.n)
        return xs__error_set(err, XS_EPARSE, r->path, at, NULL, "expected %zu fields, found %zu",
                             r->names.n, ri.n);
    r->last_n = ri.n;
    return check_values(r, ri.n, ri.has_nul, at, err);
}

/* Reads and checks the header row. Returns XS_OK or a negative code. */
static int read_header(xs__io_reader *r, xs_error *err)
{
    int rc = rest_is_blank(r, err);
    if (rc < 0) return rc;
    if (rc == 1) return xs__error_set(err, XS_EPARSE, r->path, 0, NULL, "empty file (no header row)");
    long line;
    r->header_mode = 1;
    rc = next_csv(r, &line, err);
    size_t n = r->last_n;
    r->header_mode = 0;
    if (rc < 0) return rc;
    if (rc == 0) return xs__error_set(err, XS_EPARSE, r->path, 0, NULL, "empty file (no header row)");
    for (size_t i = 0; i < n; i++) {
        const xs__field *f = &r->fields[i];
        if (f->len == 0)
            return xs__error_set(err, XS_EPARSE, r->path, 1, NULL,
                                 "empty column name in header (column %zu)", i + 1);
        if (xs__intern_find(&r->names, f->ptr, f->len) != XS_INTERN_NONE) {
            char name[64];
            size_t len = f->len < sizeof name - 1 ? f->len : sizeof name - 1;
            memcpy(name, f->ptr, len);
            name[len] = '\0';
            return xs__error_set(err, XS_EPARSE, r->path, 1, name, "duplicate column name");
        }
        if (xs__intern_add(&r->names, f->ptr, f->len) == XS_INTERN_NONE)
            return xs__error_set(err, XS_ENOMEM, r->path, 0, NULL, "out of memory");
    }
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* JSON Lines                                                              */
/* ---------------------------------------------------------------------- */

/* Writes the shortest of %.15g / %.16g / %.17g that reads back as v. */
static void format_real(char *dst, size_t n, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(dst, n, "%.*g", prec, v);
        if (strtod(dst, NULL) == v) return;
    }
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
    return 1;
}

/* Marks every field absent (an empty value, so stale pointers never leak). */
static void clear_fields(xs__io_reader *r)
{
    for (size_t i = 0; i < r->cap_fields; i++) {
        r->fields[i].ptr = "";
        r->fields[i].len = 0;
        r->fields[i].present = 0;
    }
}

/* Makes the field array and the number slots cover every known name. */
static int cover_fields(xs__io_reader *r)
{
    size_t n = r->names.n;
    if (ensure_fields(r, n) < 0) return XS_ENOMEM;
    if (n > r->cap_num) {
        size_t cap = r->cap_num;
        if (xs__grow(&r->numbuf, &cap, n * NUM_SLOT, 1) < 0) return XS_ENOMEM;
        r->cap_num = cap / NUM_SLOT;
    }
    return XS_OK;
}

/* Turns one JSON line into the field array. Returns 1 or a negative code. */
static int parse_json_line(xs__io_reader *r, const char *p, size_t len, long at,
                           xs_error *err)
{
    if (!utf8_valid((const unsigned char *)p, (const unsigned char *)p + len))
        return xs__error_set(err, XS_EPARSE, r->path, at, NULL, "invalid UTF-8");
    json_decref(r->cur);
    r->cur = NULL;
    clear_fields(r); /* the old values pointed into r->cur */
    json_error_t je;
    json_t *obj = json_loadb(p, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!obj) return xs__error_set(err, XS_EPARSE, r->path, at, NULL, "invalid JSON: %s", je.text);
    r->cur = obj;
    if (!json_is_object(obj))
        return xs__error_set(err, XS_EPARSE, r->path, at, NULL, "expected a JSON object");
    const char *key;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(obj, key, klen, v)
    {
        if (json_is_object(v) || json_is_array(v)) {
            char name[64];
            size_t l = klen < sizeof name - 1 ? klen : sizeof name - 1;
            memcpy(name, key, l);
            name[l] = '\0';
            return xs__error_set(err, XS_EPARSE, r->path, at, name,
                                 "expected a string, number or boolean");
        }
    }
    json_object_keylen_foreach(obj, key, klen, v)
    {
        if (xs__intern_add(&r->names, key, klen) == XS_INTERN_NONE)
            return xs__error_set(err, XS_ENOMEM, r->path, 0, NULL, "out of memory");
    }
    if (cover_fields(r) < 0) return xs__error_set(err, XS_ENOMEM, r->path, 0, NULL, "out of memory");
    json_object_keylen_foreach(obj, key, klen, v)
    {
        uint32_t id = xs__intern_find(&r->names, key, klen);
        xs__field *f = &r->fields[id];
        char *slot = r->numbuf + (size_t)id * NUM_SLOT;
        f->present = 1;
        switch (json_typeof(v)) {
        case JSON_STRING:
            f->ptr = json_string_value(v);
            f->len = json_string_length(v);
            if (memchr(f->ptr, '\0', f->len))
                return xs__error_set(err, XS_EPARSE, r->path, at,
                                     xs__io_reader_field_name(r, id),
                                     "contains a NUL byte");
            if (f->len > r->max_field)
                return xs__error_set(err, XS_EPARSE, r->path, at,
                                     xs__io_reader_field_name(r, id),
                                     "field longer than %zu bytes", r->max_field);
            break;
        case JSON_INTEGER:
            snprintf(slot, NUM_SLOT, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            f->ptr = slot;
            f->len = strlen(slot);
            break;
        case JSON_REAL:
            format_real(slot, NUM_SLOT, json_real_value(v));
            f->ptr = slot;
            f->len = strlen(slot);
            break;
        case JSON_TRUE:
            f->ptr = "true";
            f->len = 4;
            break;
        case JSON_FALSE:
            f->ptr = "false";
            f->len = 5;
            break;
        default: /* null: absent */
            f->ptr = "";
            f->len = 0;
            f->present = 0;
            break;
        }
    }
    return 1;
}

/* Reads the next non-blank line as an object. Returns 1, 0 or a negative code. */
static int next_jsonl(xs__io_reader *r, long *line, xs_error *err)
{
    for (;;) {
        if (r->done) return 0;
        const char *p = r->buf + r->pos, *lim = r->buf + r->end;
        const char *nl = memchr(p, '\n', (size_t)(lim - p));
        if (!nl) {
            if (!r->eof) {
                int rc = refill(r, err);
                if (rc < 0) {
                    r->done = 1;
                    return rc;
                }
                continue;
            }
            if (p == lim) {
                r->done = 1;
                return 0;
            }
            nl = lim;
        }
        long at = r->line;
        r->rec_off = r->buf_off + r->pos;
        r->pos = (size_t)(nl - r->buf) + (nl < lim);
        r->line++;
        if (is_blank(p, (size_t)(nl - p))) continue;
        *line = at;
        return parse_json_line(r, p, (size_t)(nl - p), at, err);
    }
}

/*
 * Learns the keys of the first object so that the field names are known
 * after open, then rewinds so that next() delivers (or reports) that line.
 */
static int peek_first_object(xs__io_reader *r, xs_error *err)
{
    xs_error local;
    long line;
    long line0 = r->line;
    int rc = next_jsonl(r, &line, &local);
    if (rc == XS_ENOMEM || rc == XS_EIO) {
        if (err) *err = local;
        return rc;
    }
    if (rc == 0) return XS_OK; /* no records at all */
    r->pos = (size_t)(r->rec_off - r->buf_off);
    r->line = rc == 1 || rc == XS_EPARSE ? line : line0;
    r->done = 0;
    clear_fields(r);
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Interface                                                               */
/* ---------------------------------------------------------------------- */

int xs__io_reader_open(xs__io_reader **out, const char *path, xs__io_input_format fmt,
                       char delim, xs_error *err)
{
    *out = NULL;
    if (!delim) delim = ',';
    if (fmt == XS_INPUT_CSV && (delim == '"' || delim == '\r' || delim == '\n'))
        return xs__error_set(err, XS_EINVAL, path, 0, NULL, "invalid delimiter");
    xs__io_reader *r = xs__calloc(1, sizeof *r);
    if (!r) return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    int rc = XS_OK;
    r->fd = -1;
    r->fmt = fmt;
    r->delim = delim;
    r->line = 1;
    r->next_quote = r->next_high = r->next_nul = UNKNOWN;
    r->max_field = XS_MAX_FIELD_BYTES;
    xs__intern_init(&r->names);
    r->path = xs__strdup(path);
    r->cap = buffer_size;
    r->buf = xs__malloc(r->cap);
    if (!r->path || !r->buf) {
        rc = xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
        goto cleanup;
    }
    r->fd = open(path, O_RDONLY);
    if (r->fd < 0) {
        rc = xs__error_set(err, XS_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
        goto cleanup;
    }
    struct stat st;
    if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode)) r->size = (unsigned long long)st.st_size;
    /* skip a UTF-8 byte order mark */
    while (r->end < 3 && !r->eof)
        if ((rc = refill(r, err)) < 0) goto cleanup;
    if (r->end >= 3 && !memcmp(r->buf, "\xef\xbb\xbf", 3)) r->pos = 3;
    if (fmt == XS_INPUT_CSV) {
        if (ensure_fields(r, 16) < 0) {
            rc = xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
            goto cleanup;
        }
        rc = read_header(r, err);
    } else {
        rc = peek_first_object(r, err);
    }
    if (rc < 0) goto cleanup;
    *out = r;
    return XS_OK;
cleanup:
    xs__io_reader_close(r);
    return rc;
}

void xs__io_reader_close(xs__io_reader *r)
{
    if (!r) return;
    if (r->fd >= 0) close(r->fd);
    json_decref(r->cur);
    xs__intern_free(&r->names);
    xs__free(r->fields);
    xs__free(r->numbuf);
    xs__free(r->buf);
    xs__free(r->path);
    xs__free(r);
}

void xs__io_reader_set_max_field(xs__io_reader *r, size_t n)
{
    r->max_field = n ? n : XS_MAX_FIELD_BYTES;
}

size_t xs__io_reader_n_fields(const xs__io_reader *r)
{
    return r->names.n;
}

const char *xs__io_reader_field_name(const xs__io_reader *r, size_t i)
{
    return i < r->names.n ? xs__intern_str(&r->names, (uint32_t)i) : NULL;
}

int xs__io_reader_next(xs__io_reader *r, const xs__field **fields, long *line,
                       xs_error *err)
{
    long at = 0;
    int rc = r->fmt == XS_INPUT_CSV ? next_csv(r, &at, err) : next_jsonl(r, &at, err);
    *fields = r->fields;
    if (line) *line = at;
    return rc;
}

void xs__io_reader_progress(const xs__io_reader *r, unsigned long long *done,
                            unsigned long long *total)
{
    *done = r->buf_off + r->pos;
    *total = r->size;
    if (*done > *total && *total) *done = *total;
}
