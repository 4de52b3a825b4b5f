/*
 * import_sort.h — the importer's external sort of records by key
 * (import_sort.c), used when a file goes into an empty table: rows are put
 * into the store in key order and duplicate keys are found as neighbours,
 * without a hash set of every key (src/io/import.c).
 *
 * A record is a sort key (bytes whose byte order is the wanted order), the
 * line it came from, a flag byte and a payload. Records are collected in a
 * buffer of bounded size; a full buffer is sorted and written to a temporary
 * file as a run, unless every key so far came in strictly increasing order,
 * in which case the caller may take the buffer as it is (xs__io_isort_drain).
 * At the end the runs are merged: xs__io_isort_next() returns every record in
 * key order, equal keys in the order they were added.
 */
#ifndef XS_IMPORT_SORT_H
#define XS_IMPORT_SORT_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>

typedef struct xs__io_isort xs__io_isort;

/* One record as returned by xs__io_isort_next / xs__io_isort_drain (borrowed,
 * valid until the next call). */
typedef struct xs__io_isort_rec {
    const char *key;
    size_t klen;
    uint32_t line;
    unsigned flags;
    const char *payload;
    size_t plen;
} xs__io_isort_rec;

/*
 * A new sorter using at most about budget bytes of memory for its buffer and
 * index (0: the default, 48 MiB). Caller frees with xs__io_isort_free().
 * Returns XS_OK or XS_ENOMEM.
 */
int xs__io_isort_new(xs__io_isort **out, size_t budget, xs_error *err);
void xs__io_isort_free(xs__io_isort *s);

/*
 * Adds a record (bytes copied). klen < 65536, flags < 256. When the buffer
 * is full it is sorted and spilled to a temporary file, or, while every key
 * so far was greater than the one before, *full is set to 1 and the record
 * is not added: the caller drains the buffer (xs__io_isort_drain) and adds it
 * again. Returns XS_OK, XS_ENOMEM or XS_EIO.
 */
int xs__io_isort_add(xs__io_isort *s, const char *key, size_t klen, uint32_t line,
                     unsigned flags, const char *payload, size_t plen, int *full,
                     xs_error *err);

/* While keys come in order, report the buffer full (see xs__io_isort_add) once
 * it holds `bytes` of records instead of at the budget (0: at the budget),
 * so that a caller streaming to a server starts sending early. */
void xs__io_isort_drain_at(xs__io_isort *s, size_t bytes);

/* Never hands the buffer over: a full buffer is sorted and spilled even
 * while keys come in order (for a caller that cannot take rows early). */
void xs__io_isort_keep_all(xs__io_isort *s);

/* 1 while every key added (drained ones included) was greater than the one
 * before, in byte order. */
int xs__io_isort_in_order(const xs__io_isort *s);

/* 1 once records were drained (taken by the caller in order, see above). */
int xs__io_isort_drained(const xs__io_isort *s);

/*
 * Takes the buffered records in the order they were added (only while
 * xs__io_isort_in_order): calls fn for each, then empties the buffer. fn
 * returns XS_OK or a negative code that stops the drain (returned).
 */
int xs__io_isort_drain(xs__io_isort *s, int (*fn)(void *ctx, const xs__io_isort_rec *r),
                       void *ctx);

/*
 * After a drain, the caller may write rows of later keys itself: notes key
 * as the last one without storing a record. Returns 1 when it is greater
 * than the last key, 0 when not (the sorter is then out of order), or
 * XS_ENOMEM.
 */
int xs__io_isort_note(xs__io_isort *s, const char *key, size_t klen);

/* Ends adding: sorts the buffer and prepares the merge of the runs.
 * Returns XS_OK, XS_ENOMEM or XS_EIO. */
int xs__io_isort_finish(xs__io_isort *s, xs_error *err);

/* The next record in key order (equal keys: first added first). Returns 1,
 * 0 at the end, or XS_ENOMEM / XS_EIO. */
int xs__io_isort_next(xs__io_isort *s, xs__io_isort_rec *r, xs_error *err);

/* Runs written to the temporary file so far (for tests and statistics). */
size_t xs__io_isort_n_runs(const xs__io_isort *s);

#endif
