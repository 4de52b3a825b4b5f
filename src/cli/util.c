/*
 * util.c — error reporting and option parsing shared by the subcommands.
 */
#include "cli/cli.h"

#include "base/escape.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int xs_cli_fail(const char *cmd, const xs_error *err)
{
    char buf[1200];
    fprintf(stderr, "xsell %s: %s\n", cmd, xs_cli_error_format(err, buf, sizeof buf));
    return xs_cli_exit_code(err->code);
}

int xs_cli_print_table(const char *cmd, const xs_table *t, xs_format fmt)
{
    if (xs_table_write(t, stdout, fmt) < 0 || fflush(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", cmd);
        return XS_EXIT_FAIL;
    }
    return XS_EXIT_OK;
}

int xs_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "xsell %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\ntry 'xsell %s --help'\n", cmd);
    return XS_EXIT_USAGE;
}

int xs_cli_bad_option(const char *cmd, int c, char **argv)
{
    /* A long option always moves optind past its word, so argv[optind - 1]
     * names it; optopt is 0 for an unknown long option and the option's
     * value otherwise. A failed short option is named by optopt alone: an
     * unknown letter inside a cluster ("-zh") leaves optind on the cluster. */
    const char *arg = optind > 0 ? argv[optind - 1] : NULL;
    int is_long = arg && !strncmp(arg, "--", 2) && arg[2] &&
                  (c == ':' || optopt == 0 || strchr(arg, '='));
    if (is_long) {
        const char *eq = strchr(arg, '=');
        int n = eq ? (int)(eq - arg) : (int)strlen(arg);
        if (c == ':') return xs_cli_usage_error(cmd, "%.*s needs a value", n, arg);
        if (optopt && eq) return xs_cli_usage_error(cmd, "%.*s takes no value", n, arg);
        char name[XS_CLI_Q_MAX];
        snprintf(name, sizeof name, "%.*s", n, arg);
        return xs_cli_usage_error(cmd, "unknown option %s", xs_cli_q(name));
    }
    if (c == ':') return xs_cli_usage_error(cmd, "-%c needs a value", optopt);
    if (optopt > 0x20 && optopt < 0x7f)
        return xs_cli_usage_error(cmd, "unknown option \"-%c\"", optopt);
    return xs_cli_usage_error(cmd, "unknown option %s", xs_cli_q(arg ? arg : "?"));
}

int xs_cli_format(const char *cmd, const char *value, xs_format *out)
{
    if (xs_format_parse(value, out) == XS_OK) return 0;
    return xs_cli_usage_error(cmd, "--format: expected table, json or csv, got %s",
                              xs_cli_q(value));
}

/* Contract in cli.h. Control characters as \xNN: a refused delimiter is
 * often one of them, and a message must not carry a raw newline. */
const char *xs_cli_q(const char *value)
{
    static char ring[4][XS_CLI_Q_MAX + 8];
    static unsigned next;
    char *dst = ring[next++ % 4];
    size_t o = 0;
    dst[o++] = '"';
    for (const char *p = value; *p && o < XS_CLI_Q_MAX; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(dst + o, 8, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(dst + o, 8, "\\x%02x", c);
        else
            dst[o++] = (char)c;
    }
    dst[o++] = '"';
    dst[o] = '\0';
    return dst;
}

int xs_cli_delimiter(const char *cmd, const char *value, char *out)
{
    if (!strcmp(value, "tab") || !strcmp(value, "\\t"))
        *out = '\t';
    else if (strlen(value) == 1 && *value != '"' && *value != '\n' && *value != '\r')
        *out = *value;
    else
        return xs_cli_usage_error(cmd, "--delimiter: expected one character or 'tab', got %s",
                                  xs_cli_q(value));
    return 0;
}

int xs_cli_long(const char *cmd, const char *opt, const char *value, long lo, long hi,
                long *out)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end)
        return xs_cli_usage_error(cmd, "%s: not an integer: %s", opt, xs_cli_q(value));
    if (v < lo || v > hi)
        return xs_cli_usage_error(cmd, "%s: %ld is out of range [%ld, %ld]", opt, v, lo,
                                  hi);
    *out = v;
    return 0;
}

int xs_cli_double(const char *cmd, const char *opt, const char *value, double lo,
                  double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value || *end || v != v)
        return xs_cli_usage_error(cmd, "%s: not a number: %s", opt, xs_cli_q(value));
    if (v < lo || v > hi)
        return xs_cli_usage_error(cmd, "%s: %g is out of range [%g, %g]", opt, v, lo, hi);
    *out = v;
    return 0;
}

#define ESC_PIECE 256 /* input bytes escaped at a time into a stack span */

/* JSON escapes byte by byte, so s is escaped a piece at a time and each
 * piece written without its quotes. */
void xs_cli_json_str(FILE *out, const char *s)
{
    char span[XS__JSON_ESC_MAX(ESC_PIECE)];
    size_t n = strlen(s);
    fputc('"', out);
    for (size_t i = 0; i < n; i += ESC_PIECE) {
        size_t m = n - i < ESC_PIECE ? n - i : ESC_PIECE;
        size_t k = xs__json_esc(span, s + i, m, NULL);
        fwrite(span + 1, 1, k - 2, out);
    }
    fputc('"', out);
}

/* Contract in cli.h (ENUM parsers of XS_CLI_BASKET_OPTS). */
int xs_cli_parse_baskets_format(const char *value, void *out)
{
    return xs_baskets_format_parse(value, out) == XS_OK ? 0 : -1;
}

int xs_cli_parse_mine_source(const char *value, void *out)
{
    return xs_mine_source_parse(value, out) == XS_OK ? 0 : -1;
}

/* Whether the first 64 KiB of file path hold a comma. */
static int has_comma(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return memchr(buf, ',', n) != NULL;
}

int xs_cli_baskets_fail(const char *cmd, const char *input, xs_baskets_format ifmt,
                        const xs_error *err)
{
    char buf[1200];
    int other = 0;
    /* standard input cannot be read twice; a file that does not parse as
     * FIMI but does as basket CSV (and has commas: one bad number in a
     * FIMI file reads as a basket of one odd name too) gets the option */
    if (err->code == XS_EPARSE && strcmp(input, "-")) {
        xs_baskets *b = NULL;
        xs_error e2;
        xs_baskets_format o = ifmt == XS_BASKETS_FIMI ? XS_BASKETS_CSV : XS_BASKETS_FIMI;
        other = xs_baskets_read(&b, input, o, &e2) >= 0 &&
                (o == XS_BASKETS_FIMI || has_comma(input));
        xs_baskets_free(b);
    }
    if (!other) {
        xs_cli_fail(cmd, err);
    } else if (ifmt == XS_BASKETS_FIMI) {
        fprintf(stderr,
                "xsell %s: %s; this looks like a basket CSV file (item names separated by "
                "commas): use --input-format basket\n",
                cmd, xs_cli_error_format(err, buf, sizeof buf));
    } else {
        fprintf(stderr,
                "xsell %s: %s; this looks like a FIMI file (item numbers separated by "
                "blanks): use --input-format fimi\n",
                cmd, xs_cli_error_format(err, buf, sizeof buf));
    }
    return XS_EXIT_USAGE; /* unreadable or malformed input */
}

int xs_cli_load_baskets(const char *cmd, const char *input, xs_baskets_format ifmt,
                        const char *db, xs_mine_source source, xs_baskets **b)
{
    xs_error err = {0};
    if (input) {
        if (xs_baskets_read(b, input, ifmt, &err) < 0)
            return xs_cli_baskets_fail(cmd, input, ifmt, &err);
        return 0;
    }
    xs_store *st = NULL;
    if (xs_store_open_readonly(&st, db, &err) < 0) return xs_cli_fail(cmd, &err);
    int rc = xs_baskets_from_store(st, source, b, &err);
    xs_store_close(st);
    if (rc < 0) return xs_cli_fail(cmd, &err);
    return 0;
}

/* Contract in cli.h. */
int xs_cli_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}
