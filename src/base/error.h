/*
 * error.h — filling an xs_error (internal side of the error model).
 */
#ifndef XS_ERROR_H
#define XS_ERROR_H

#include "xsell.h"

/*
 * Sets *err (when err is not NULL) to code, position and a printf message,
 * and returns code, so callers can write `return xs__error_set(...)`.
 * file/column may be NULL; line 0 means no line.
 */
int xs__error_set(xs_error *err, int code, const char *file, long line,
                  const char *column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * As xs__error_set for a bad parameter: `param` is the library's name of it
 * (an options field or argument: "from", "revenue_delta"), which each front
 * end spells its own way. file may be NULL.
 */
int xs__error_param(xs_error *err, int code, const char *file, const char *param,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Names the condition (an xs_condition) of the error just set in *err (NULL
 * is fine) and returns code, so callers can write
 * `return xs__error_cond(err, XS_COND_NOT_BUILT, xs__error_set(...))`.
 * xs__error_set and xs__error_param reset it to XS_COND_NONE.
 */
int xs__error_cond(xs_error *err, int condition, int code);

/* Clears *err to XS_OK (NULL is fine). */
void xs__error_clear(xs_error *err);

/*
 * Writes a byte string for a message: printable, at most `max` bytes, with
 * quotes escaped; used to show offending values ("not a date: \"2024-13-01\"").
 */
void xs__error_quote(char *dst, size_t n, const char *s, size_t len);

#endif
