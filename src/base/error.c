/*
 * error.c — error codes, messages and `FILE:LINE: COLUMN: message` formatting.
 */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *xs_strerror(int code)
{
    switch (code) {
#define XS__ERR_CASE(name, val, msg)                                     \
    case XS_##name:                                                      \
        return msg;
        XS_ERRNO_MAP(XS__ERR_CASE)
#undef XS__ERR_CASE
    }
    return "unknown error";
}

const char *xs_version(void)
{
    return XS_VERSION;
}

static void copy_str(char *dst, size_t n, const char *src)
{
    if (!src) src = "";
    size_t len = strlen(src);
    if (len >= n) len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

int xs__error_set(xs_error *err, int code, const char *file, long line,
                  const char *column, const char *fmt, ...)
{
    if (!err) return code;
    err->code = code;
    err->condition = XS_COND_NONE;
    copy_str(err->file, sizeof err->file, file);
    err->line = line;
    copy_str(err->column, sizeof err->column, column);
    err->param[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

int xs__error_param(xs_error *err, int code, const char *file, const char *param,
                    const char *fmt, ...)
{
    if (!err) return code;
    err->code = code;
    err->condition = XS_COND_NONE;
    copy_str(err->file, sizeof err->file, file);
    err->line = 0;
    err->column[0] = '\0';
    copy_str(err->param, sizeof err->param, param);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

int xs__error_cond(xs_error *err, int condition, int code)
{
    if (err) err->condition = condition;
    return code;
}

void xs__error_clear(xs_error *err)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
}

const char *xs_error_format(const xs_error *err, char *buf, size_t n)
{
    if (n == 0) return buf;
    const char *msg = err->message[0] ? err->message : xs_strerror(err->code);
    const char *col = err->column[0] ? err->column : err->param;
    if (err->file[0] && err->line > 0 && col[0])
        snprintf(buf, n, "%s:%ld: %s: %s", err->file, err->line, col, msg);
    else if (err->file[0] && err->line > 0)
        snprintf(buf, n, "%s:%ld: %s", err->file, err->line, msg);
    else if (err->file[0] && col[0])
        snprintf(buf, n, "%s: %s: %s", err->file, col, msg);
    else if (err->file[0])
        snprintf(buf, n, "%s: %s", err->file, msg);
    else if (col[0])
        snprintf(buf, n, "%s: %s", col, msg);
    else
        snprintf(buf, n, "%s", msg);
    return buf;
}

void xs__error_quote(char *dst, size_t n, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, o_lead = 1, i;
    const size_t max_shown = 80;
    if (n < 8) {
        if (n) dst[0] = '\0';
        return;
    }
    dst[o++] = '"';
    for (i = 0; i < len && i < max_shown; i++) {
        unsigned char c = (unsigned char)s[i];
        /* room for this byte as shown (up to 4: \xNN) and then the cut
         * mark, the quote and the NUL (5): a quote of control characters
         * once ran 2 bytes past dst (found by tests/fuzz/fuzz_import.c) */
        size_t w = c == '"' || c == '\\' ? 2 : c < 0x20 || c == 0x7f ? 4 : 1;
        if (o + w + 5 > n) break;
        if ((c & 0xc0) != 0x80) o_lead = o; /* a character starts here */
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        } else {
            dst[o++] = (char)c;
        }
    }
    if (i < len) {
        /* cut: never inside a UTF-8 sequence (the next byte continues it) */
        if (((unsigned char)s[i] & 0xc0) == 0x80) o = o_lead;
        dst[o++] = '.', dst[o++] = '.', dst[o++] = '.';
    }
    dst[o++] = '"';
    dst[o] = '\0';
}
