/*
 * reader.h — record readers for import: RFC 4180 CSV and JSON Lines behind one
 * interface, so validation does not care where a row came from.
 *
 * A reader yields records: a header (field names, from the CSV header row or
 * from the keys of the JSON objects) and, per record, one value per field
 * plus the 1-based line number where the record starts (CSV records may span
 * lines through quoted newlines). Values are borrowed and valid until the next
 * call to xs__io_reader_next().
 */
#ifndef XS_READER_H
#define XS_READER_H

#include "base/field.h"
#include "xsell.h"

#include <stddef.h>

typedef enum xs__io_input_format { XS_INPUT_CSV = 0, XS_INPUT_JSONL } xs__io_input_format;

typedef struct xs__io_reader xs__io_reader;

/*
 * Opens path for reading records. delim is the CSV delimiter (',' by
 * default; ignored for JSONL). A UTF-8 BOM is skipped. For CSV the header row
 * is read here; for JSONL the field names are the keys of the first object,
 * extended by keys first seen later (then earlier records lack them).
 * Returns XS_OK, XS_EIO (cannot open/read: message with strerror), XS_EPARSE
 * (bad header: empty, duplicate name). Caller frees with xs__io_reader_close().
 */
int xs__io_reader_open(xs__io_reader **out, const char *path, xs__io_input_format fmt,
                       char delim, xs_error *err);
void xs__io_reader_close(xs__io_reader *r);

/* Sets the longest value next() accepts, in bytes (0: XS_MAX_FIELD_BYTES,
 * the default of a new reader, which also applies to the header row read by
 * open). A longer value, or one holding a NUL byte, is a per-record
 * XS_EPARSE error "FILE:LINE: COLUMN: field longer than N bytes" /
 * "... contains a NUL byte". */
void xs__io_reader_set_max_field(xs__io_reader *r, size_t n);

/* Number of fields and their names (borrowed, valid until close). For JSONL
 * the count may grow during reading; callers re-read it after each next(). */
size_t xs__io_reader_n_fields(const xs__io_reader *r);
const char *xs__io_reader_field_name(const xs__io_reader *r, size_t i);

/*
 * Reads the next record into `*fields` (array of xs__io_reader_n_fields() items,
 * owned by the reader) and sets *line to its first line.
 * Returns 1 for a record, 0 at end of input, or a negative code with err set
 * to FILE:LINE: message for malformed input (unterminated quote, a record
 * with the wrong number of fields, invalid JSON, a JSON value that is not a
 * string / number / boolean / null, invalid UTF-8, a NUL byte in a value, a
 * value longer than the field limit). After a malformed record
 * reading may continue with the next one (the reader resynchronises at the
 * next line) so that several errors can be reported.
 */
int xs__io_reader_next(xs__io_reader *r, const xs__field **fields, long *line,
                       xs_error *err);

/* Bytes consumed so far and the file size (for progress). */
void xs__io_reader_progress(const xs__io_reader *r, unsigned long long *done,
                            unsigned long long *total);

/* Test hook: size in bytes of the read buffer of readers opened afterwards
 * (tiny sizes make every record straddle a refill); 0 restores the default
 * (1 MiB). The buffer still grows to hold a record longer than it. */
void xs__io_reader_test_buffer_size(size_t n);

#endif
