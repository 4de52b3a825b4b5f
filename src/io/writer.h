/*
 * writer.h — record writers: RFC 4180 CSV and JSON Lines, the mirror of
 * reader.h. Used by `xsell export`, by import reject files and by anything
 * else that writes records.
 *
 * What a writer writes, reader.h reads back as the same fields (names,
 * values, absent/present), with two exceptions: CSV has no absent values
 * (absent is written as an empty field), and JSONL numbers in columns marked
 * numeric come back in the reader's normalised number form.
 *
 * A file is written to a temporary name next to it and renamed over the
 * target by a successful xs__io_writer_close(), so a failed or abandoned export
 * never leaves a half-written file. Standard output, devices and FIFOs are
 * written directly.
 *
 * @code
 *   xs__io_writer *w; xs_error e;
 *   const char *names[] = {"order_id", "amount"};
 *   const int numeric[] = {0, 1};
 *   if (xs__io_writer_open(&w, "out.csv", XS_INPUT_CSV, ',', &e) < 0) return ...;
 *   xs__io_writer_header(w, names, numeric, 2);
 *   xs__field row[2] = {{"O1", 2, 1}, {"12.50", 5, 1}};
 *   xs__io_writer_row(w, row, 2);
 *   if (xs__io_writer_close(w, &e) < 0) return ...;   // reports write errors
 * @endcode
 */
#ifndef XS_WRITER_H
#define XS_WRITER_H

#include "io/reader.h"

#include <stddef.h>

typedef struct xs__io_writer xs__io_writer;

/*
 * Starts writing records to path (NULL or "-": standard output) in fmt.
 * delim is the CSV delimiter (0: ','; ignored for JSONL).
 * Returns XS_OK, XS_EINVAL (bad delimiter), XS_EIO (cannot create: message
 * with strerror) or XS_ENOMEM. Caller finishes with xs__io_writer_close() (keep)
 * or xs__io_writer_abort() (discard).
 */
int xs__io_writer_open(xs__io_writer **out, const char *path, xs__io_input_format fmt,
                       char delim, xs_error *err);

/*
 * Sets the columns: names (copied) and, optionally, which are numeric
 * (numeric[i] != 0; NULL: none). CSV writes the header row now. In JSONL a
 * numeric column's value is written as a bare JSON number when it is one
 * textually (`12.50`, `-3`, `1e5`), otherwise as a string; every other value
 * is a JSON string. Call once, before any row.
 * Returns XS_OK, XS_EINVAL (called twice) or XS_ENOMEM.
 */
int xs__io_writer_header(xs__io_writer *w, const char *const *names, const int *numeric,
                         size_t n);

/*
 * Writes one record of n fields (n must equal the header's count; fields
 * are borrowed). Absent fields (present == 0) are empty in CSV and left out
 * in JSONL. CSV quotes a field only when needed: it contains the delimiter,
 * a quote, CR or LF, starts or ends with a space or tab, starts with a byte
 * order mark, or is the single empty field of a one-column row. Lines end
 * with LF. Values are written as given (the reader guarantees UTF-8).
 * Returns XS_OK, XS_EINVAL (wrong n, no header), XS_ENOMEM or XS_EIO (an
 * earlier write failed; the detail comes from close).
 */
int xs__io_writer_row(xs__io_writer *w, const xs__field *fields, size_t n);

/*
 * Flushes, closes and (for a file) renames the temporary file over path.
 * Returns XS_OK or XS_EIO with err set to `FILE: cannot write: <strerror>`
 * when any write, flush or close failed (the target is then untouched), or
 * XS_ENOMEM when an earlier call ran out of memory. Frees w; NULL is fine.
 */
int xs__io_writer_close(xs__io_writer *w, xs_error *err);

/* Discards everything written (removes the temporary file) and frees w;
 * NULL is fine. */
void xs__io_writer_abort(xs__io_writer *w);

#endif
