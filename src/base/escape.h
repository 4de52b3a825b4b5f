/*
 * escape.h — the one way text is escaped for JSON strings and CSV fields.
 *
 * Each function writes into a span the caller has sized (capacity in, bytes
 * written out, no allocation), so every growable buffer of the code base —
 * the server's JSON writer, the record writer, the table printer, the
 * importer's attrs — uses the same rule whatever its own type.
 *
 * JSON (jansson's rule, so the server's bytes stay those of jansson): `"`
 * and `\` escaped, \b \f \n \r \t in their short forms, every other byte
 * below 0x20 as upper-case \u00XX, everything else (DEL, all bytes from
 * 0x80) copied as it is.
 *
 * CSV (RFC 4180, the strict rule): a field is quoted when it holds the
 * delimiter, a quote, CR or LF, starts or ends with a space or a tab,
 * starts with a UTF-8 byte order mark, or is the single empty field of a
 * one-column row (so the row is not an empty line); inside quotes a quote
 * is doubled.
 *
 * @code
 *   char buf[XS__JSON_ESC_MAX(5)];
 *   size_t n = xs__json_esc(buf, "a\"b\n", 4, NULL);   // "a\"b\n" with quotes: 8 bytes
 * @endcode
 */
#ifndef XS_ESCAPE_H
#define XS_ESCAPE_H

#include <stddef.h>

/* The most bytes xs__json_esc() writes for n input bytes: each byte as
 * \u00XX plus the two quotes. */
#define XS__JSON_ESC_MAX(n) ((n)*6 + 2)

/*
 * Writes s[0..n) (borrowed; NULs are escaped like any control byte) as a
 * quoted JSON string to dst, which must hold XS__JSON_ESC_MAX(n) bytes.
 * Bytes from 0x80 are copied unchanged. When bad_utf8 is not NULL they are
 * also checked, and *bad_utf8 is set to 1 (never reset) when s is not valid
 * UTF-8 — the caller decides what an invalid string means (the server
 * answers 500 rather than send it); with NULL nothing is checked.
 * Returns the number of bytes written (no NUL is added).
 */
size_t xs__json_esc(char *dst, const char *s, size_t n, int *bad_utf8);

/* 1 when s[0..n) is a number in JSON's grammar (`-0`, `12.50`, `1e5`; not
 * `+1`, `01`, `.5`, `1.`, `nan`), else 0. */
int xs__json_is_number(const char *s, size_t n);

/* Length of the UTF-8 sequence at s[0..n) (n >= 1): 1 to 4 when valid (no
 * overlong forms, no surrogates, nothing above U+10FFFF); 0 when s[0]
 * starts no sequence; -k when a valid start of k bytes is cut short (by n
 * or by a byte that does not continue it). */
int xs__utf8_seq(const char *s, size_t n);

/* The most bytes xs__csv_esc() writes for n input bytes: every byte a
 * doubled quote, plus the two quotes. */
#define XS__CSV_ESC_MAX(n) ((n)*2 + 2)

/*
 * 1 when the CSV field s[0..n) must be quoted under the strict rule above,
 * with delimiter delim; lone is nonzero when the field is the only one of
 * its row.
 */
int xs__csv_needs_quotes(const char *s, size_t n, char delim, int lone);

/*
 * Writes s[0..n) (borrowed) to dst with each quote doubled: the inside of a
 * quoted field, for writers that stream a long field in pieces after
 * xs__csv_needs_quotes() said yes. dst must hold 2n bytes. Returns the
 * number of bytes written.
 */
size_t xs__csv_body(char *dst, const char *s, size_t n);

/*
 * Writes the CSV field s[0..n) (borrowed) to dst, quoted when
 * xs__csv_needs_quotes() says so; dst must hold XS__CSV_ESC_MAX(n) bytes.
 * Returns the number of bytes written (no NUL is added).
 */
size_t xs__csv_esc(char *dst, const char *s, size_t n, char delim, int lone);

#endif
