/*
 * buf.h — the one growable byte buffer of xsell: every place that builds
 * text (a JSON answer, a CSV or JSON Lines record, a table, SQL, the
 * Prometheus exposition, a model file) appends to an xs__buf.
 *
 * A buffer is bytes (p), a length (n) and a capacity (cap). Appends never
 * return a status: the first failure (out of memory, or a failed write to
 * the attached stream) is kept in err and every later append does nothing,
 * so a writer appends a whole record and checks err once. Strings are
 * escaped by the rules of base/escape.h (JSON as jansson writes it, CSV by
 * the strict RFC 4180 rule), numbers written without printf by
 * base/numfmt.h.
 *
 * A buffer in memory is taken whole at the end (xs__buf_take). A buffer
 * attached to a stream (xs__buf_to_file) is written out by xs__buf_spill
 * once it holds flush_at bytes — writers call it between records, so a
 * record is never cut by a flush — and by xs__buf_flush at the end.
 *
 * @code
 *   xs__buf b = {0};
 *   xs__buf_adds(&b, "{\"id\":");
 *   xs__buf_json_cstr(&b, id);               // "\"a\\\"b\"" for a"b
 *   xs__buf_adds(&b, ",\"score\":");
 *   xs__buf_json_num(&b, 0.5);               // 0.5, as jansson writes it
 *   xs__buf_addc(&b, '}');
 *   size_t len;
 *   char *text = xs__buf_take(&b, &len);     // NULL: out of memory
 * @endcode
 */
#ifndef XS_BUF_H
#define XS_BUF_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct xs__buf {
    char *p;         /* xs__malloc'd bytes; p[n] is writable (one spare) */
    size_t n, cap;   /* bytes held; bytes allocated */
    int err;         /* 0, or XS_ENOMEM / XS_EIO: sticky, appends stop */
    int sys_errno;   /* the errno of a failed write (err XS_EIO) */
    int check_utf8;  /* set by the owner: JSON strings are checked ... */
    int bad_utf8;    /* ... and this becomes 1 when one was not UTF-8 */
    FILE *f;         /* the stream xs__buf_spill/xs__buf_flush write to */
    size_t flush_at; /* bytes held before xs__buf_spill writes them out */
} xs__buf;

/* Attaches b (start it from {0}) to stream f (borrowed; NULL: memory
 * only): xs__buf_spill writes the bytes out once flush_at are held. */
void xs__buf_to_file(xs__buf *b, FILE *f, size_t flush_at);

/* Makes room for `more` bytes at p + n (and one spare). Returns 0, or -1
 * with err set (out of memory, or an earlier failure). A caller that
 * writes there itself adds what it wrote to n. */
int xs__buf_reserve(xs__buf *b, size_t more);

/* Appends n bytes of s (borrowed; s may be NULL when n is 0). Inline: the
 * table and record writers append a few bytes at a time. */
static inline void xs__buf_add(xs__buf *b, const char *s, size_t n)
{
    if (!n || (n >= b->cap - b->n && xs__buf_reserve(b, n) < 0) || b->err) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}
/* Appends the NUL-terminated s (borrowed), without its NUL. */
static inline void xs__buf_adds(xs__buf *b, const char *s)
{
    xs__buf_add(b, s, strlen(s));
}
/* Appends the byte c. */
static inline void xs__buf_addc(xs__buf *b, char c)
{
    if ((b->n + 1 >= b->cap && xs__buf_reserve(b, 1) < 0) || b->err) return;
    b->p[b->n++] = c;
}
/* Appends printf output. */
void xs__buf_printf(xs__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends "%lld" of v (base/numfmt.h). */
void xs__buf_int(xs__buf *b, long long v);

/* Appends s[0..n) (borrowed) as a quoted JSON string (base/escape.h);
 * with check_utf8 set, a string that is not UTF-8 sets bad_utf8. */
void xs__buf_json_str(xs__buf *b, const char *s, size_t n);
/* Appends the NUL-terminated s as xs__buf_json_str does, or null for NULL. */
void xs__buf_json_cstr(xs__buf *b, const char *s);
/* Appends a real as jansson's json_dumps writes it ("%.17g", ".0" added to
 * an integral value, the exponent without '+' or leading zeros); null when
 * v is not finite. */
void xs__buf_json_num(xs__buf *b, double v);
/* Appends v as a table cell of `decimals` places turned into JSON
 * ("%.<decimals>f" read back, then as xs__buf_json_num). Returns 0, or -1
 * (nothing appended) when v is not finite. */
int xs__buf_json_fixed(xs__buf *b, int decimals, double v);

/* Appends s[0..n) (borrowed) as a CSV field with delimiter delim, quoted
 * when the strict rule of base/escape.h says so; lone: the field is the
 * only one of its row. */
void xs__buf_csv_field(xs__buf *b, const char *s, size_t n, char delim, int lone);

/* Writes the bytes out to the attached stream when at least flush_at are
 * held (nothing without a stream). A failed write sets err (XS_EIO) and
 * sys_errno. */
void xs__buf_spill(xs__buf *b);
/* Writes every byte held out to the attached stream (does not fflush it).
 * Returns 0 or the buffer's err. */
int xs__buf_flush(xs__buf *b);

/* The bytes as a NUL-terminated string (borrowed, valid until the next
 * append): "" when nothing was appended. */
const char *xs__buf_cstr(xs__buf *b);
/* Hands the bytes over, NUL-terminated (caller frees with xs__free()), and
 * sets *len (when not NULL) to their count; b is then empty. NULL when b
 * failed (its memory freed) or out of memory. */
char *xs__buf_take(xs__buf *b, size_t *len);
/* Empties b, keeping its memory (err stays). */
void xs__buf_reset(xs__buf *b);
/* Frees the bytes and zeroes b (the stream stays attached); NULL is fine. */
void xs__buf_free(xs__buf *b);

#endif
