/*
 * test_reader.c — the CSV and JSON Lines record readers (src/io/reader.c).
 *
 * Most tests write a small input to a temporary file, read every record and
 * compare a textual dump of what came out (header names, line numbers, field
 * values, exact error messages) with the expected dump. Every input is read
 * with several buffer sizes (1 byte up to the default 1 MiB) and all dumps
 * must agree, so each case also checks records straddling buffer refills.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/rng.h"
#include "io/reader.h"

#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */
/* ---------------------------------------------------------------------- */

static char tmp_path[64];
static size_t max_field; /* set on every reader dump_path opens; 0: default */

/* Writes len bytes to a fresh temporary file; returns its path (static). */
static const char *write_tmp(const char *data, size_t len)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/xs_test_reader_XXXXXX");
    int fd = mkstemp(tmp_path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n <= 0) {
            perror("write");
            exit(1);
        }
        off += (size_t)n;
    }
    close(fd);
    return tmp_path;
}

/* A growable string. */
typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

/* Appends a value with \n, \r, \\, \0 and other control bytes escaped. */
static void sb_escaped(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[8];
        if (c == '\n') sb_str(b, "\\n");
        else if (c == '\r') sb_str(b, "\\r");
        else if (c == '\\') sb_str(b, "\\\\");
        else if (c < 0x20) {
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
            sb_str(b, tmp);
        } else sb_add(b, (const char *)&c, 1);
    }
}

/* Appends an error as "E F:LINE: ..." with the temporary path replaced by F. */
static void sb_error(sbuf *b, const char *prefix, const xs_error *e, const char *path)
{
    char msg[1400];
    xs_error_format(e, msg, sizeof msg);
    sb_str(b, prefix);
    size_t pl = strlen(path);
    if (!strncmp(msg, path, pl)) {
        sb_str(b, "F");
        sb_str(b, msg + pl);
    } else {
        sb_str(b, msg);
    }
    sb_str(b, "\n");
}

/* Reads a whole file and dumps it:
 *   H:name|name          the header (CSV: after open; JSONL: after reading)
 *   LINE:[v][v]-         a record; "-" is an absent value
 *   E F:LINE: message    an error from next()
 *   OPEN F:...           an error from open() */
static char *dump_path(const char *path, xs__io_input_format fmt, char delim)
{
    sbuf b = {0};
    sb_str(&b, "");
    xs__io_reader *r;
    xs_error e;
    if (xs__io_reader_open(&r, path, fmt, delim, &e) < 0) {
        sb_error(&b, "OPEN ", &e, path);
        return b.s;
    }
    xs__io_reader_set_max_field(r, max_field);
    if (fmt == XS_INPUT_CSV) {
        sb_str(&b, "H:");
        for (size_t i = 0; i < xs__io_reader_n_fields(r); i++) {
            if (i) sb_str(&b, "|");
            sb_str(&b, xs__io_reader_field_name(r, i));
        }
        sb_str(&b, "\n");
    }
    for (int guard = 0; guard < 100000; guard++) {
        const xs__field *f;
        long line = -1;
        int rc = xs__io_reader_next(r, &f, &line, &e);
        if (rc == 0) break;
        if (rc < 0) {
            sb_error(&b, "E ", &e, path);
            continue;
        }
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%ld:", line);
        sb_str(&b, tmp);
        for (size_t i = 0; i < xs__io_reader_n_fields(r); i++) {
            if (!f[i].present) {
                sb_str(&b, "-");
                continue;
            }
            sb_str(&b, "[");
            sb_escaped(&b, f[i].ptr, f[i].len);
            sb_str(&b, "]");
        }
        sb_str(&b, "\n");
    }
    if (fmt == XS_INPUT_JSONL) {
        sb_str(&b, "H:");
        for (size_t i = 0; i < xs__io_reader_n_fields(r); i++) {
            if (i) sb_str(&b, "|");
            sb_str(&b, xs__io_reader_field_name(r, i));
        }
        sb_str(&b, "\n");
    }
    xs__io_reader_close(r);
    return b.s;
}

static const size_t buf_sizes[] = {0, 1, 2, 3, 5, 8, 13, 64};

/* Dumps data read with every buffer size; fails the test when they differ. */
static char *dump_n(const char *data, size_t len, xs__io_input_format fmt, char delim)
{
    const char *path = write_tmp(data, len);
    char *first = NULL;
    for (size_t i = 0; i < XS_N(buf_sizes); i++) {
        xs__io_reader_test_buffer_size(buf_sizes[i]);
        char *d = dump_path(path, fmt, delim);
        if (!first) {
            first = d;
        } else {
            if (strcmp(first, d))
                XS__FAIL("buffer size %zu gives\n%s\ninstead of\n%s", buf_sizes[i], d, first);
            free(d);
        }
    }
    xs__io_reader_test_buffer_size(0);
    unlink(path);
    return first;
}

static char *dump(const char *data, xs__io_input_format fmt, char delim)
{
    return dump_n(data, strlen(data), fmt, delim);
}

#define CHECK_CSV(input, expected)                                       \
    do {                                                                 \
        char *d_ = dump(input, XS_INPUT_CSV, ',');                       \
        CHECK_STR(d_, expected);                                         \
        free(d_);                                                        \
    } while (0)

#define CHECK_JSONL(input, expected)                                     \
    do {                                                                 \
        char *d_ = dump(input, XS_INPUT_JSONL, 0);                       \
        CHECK_STR(d_, expected);                                         \
        free(d_);                                                        \
    } while (0)

/* ---------------------------------------------------------------------- */
/* CSV                                                                     */
/* ---------------------------------------------------------------------- */

static void test_csv_basic(void)
{
    CHECK_CSV("a,b,c\n1,2,3\n4,5,6\n", "H:a|b|c\n2:[1][2][3]\n3:[4][5][6]\n");
    CHECK_CSV("a,b\n", "H:a|b\n");
    CHECK_CSV("a,b", "H:a|b\n");
    CHECK_CSV("id\nx\ny\n", "H:id\n2:[x]\n3:[y]\n");
    /* a lone CR inside an unquoted field is data */
    CHECK_CSV("a,b\nx\ry,z\n", "H:a|b\n2:[x\\ry][z]\n");
    /* a quote inside an unquoted field is data */
    CHECK_CSV("a,b\nab\"c,d\"\n", "H:a|b\n2:[ab\"c][d\"]\n");
}

static void test_csv_quoted(void)
{
    CHECK_CSV("a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n",
              "H:a|b\n2:[x,y][he said \"hi\"]\n");
    CHECK_CSV("a,b\n\"\"\"\",\"\"\n", "H:a|b\n2:[\"][]\n");
    CHECK_CSV("\"a\",\"b,c\"\n1,2\n", "H:a|b,c\n2:[1][2]\n");
    /* quoted header names keep spaces */
    CHECK_CSV("\" a \",b\n1,2\n", "H: a |b\n2:[1][2]\n");
}

static void test_csv_multiline(void)
{
    CHECK_CSV("a,b\n\"line1\nline2\",x\n\"p\r\nq\",y\nz,w\n",
              "H:a|b\n2:[line1\\nline2][x]\n4:[p\\r\\nq][y]\n6:[z][w]\n");
    CHECK_CSV("a,b\r\n\"1\n\n\n2\",\"\"\"\n\"\r\nz,w\r\n",
              "H:a|b\n2:[1\\n\\n\\n2][\"\\n]\n7:[z][w]\n");
    /* a multi-line quoted header name */
    CHECK_CSV("\"a\nb\",c\nx,y\n", "H:a\nb|c\n3:[x][y]\n");
}

static void test_csv_line_ends(void)
{
    CHECK_CSV("a,b\r\n1,2\r\n3,4\r\n", "H:a|b\n2:[1][2]\n3:[3][4]\n");
    CHECK_CSV("a,b\n1,2", "H:a|b\n2:[1][2]\n");
    CHECK_CSV("a,b\r\n1,2\r", "H:a|b\n2:[1][2]\n");
    CHECK_CSV("a,b\n1,\"2\"", "H:a|b\n2:[1][2]\n");
    CHECK_CSV("a,b\n1,\"2\"\r", "H:a|b\n2:[1][2]\n");
    CHECK_CSV("a,b\r\n\"1\"\r\n", "H:a|b\nE F:2: expected 2 fields, found 1\n");
    CHECK_CSV("a,b\n1,2\r\n3,4\n", "H:a|b\n2:[1][2]\n3:[3][4]\n");
}

static void test_csv_bom(void)
{
    CHECK_CSV("\xef\xbb\xbf" "a,b\n1,2\n", "H:a|b\n2:[1][2]\n");
    CHECK_CSV("\xef\xbb\xbf\"a\",b\n1,2\n", "H:a|b\n2:[1][2]\n");
    /* a BOM later in the file is data */
    CHECK_CSV("a\n\xef\xbb\xbfx\n", "H:a\n2:[\xef\xbb\xbfx]\n");
}

static void test_csv_delimiters(void)
{
    const char delims[] = {';', '\t', '|', ','};
    for (size_t i = 0; i < XS_N(delims); i++) {
        char d = delims[i];
        char in[128], want[128];
        snprintf(in, sizeof in, "a%cb%cc\nx y%c\"p%cq\"%c%s\n", d, d, d, d, d,
                 d == ',' ? "r;s" : "r,s");
        snprintf(want, sizeof want, "H:a|b|c\n2:[x y][p%cq][%s]\n", d == '\t' ? '\t' : d,
                 d == ',' ? "r;s" : "r,s");
        char *got = dump(in, XS_INPUT_CSV, d);
        if (d == '\t') {
            /* dump escapes control bytes: the tab shows as \x09 */
            snprintf(want, sizeof want, "H:a|b|c\n2:[x y][p\\x09q][r,s]\n");
        }
        CHECK_STR(got, want);
        free(got);
    }
    /* with ';' a comma is plain data, and ',' in the header is a name */
    char *got = dump("a,b;c\n1,5;2\n", XS_INPUT_CSV, ';');
    CHECK_STR(got, "H:a,b|c\n2:[1,5][2]\n");
    free(got);
    xs__io_reader *r;
    xs_error e;
    CHECK_INT(xs__io_reader_open(&r, "/nonexistent", XS_INPUT_CSV, '"', &e), XS_EINVAL);
}

static void test_csv_empty_fields(void)
{
    CHECK_CSV("a,b,c\n,,\n\"\",,\"\"\n", "H:a|b|c\n2:[][][]\n3:[][][]\n");
    CHECK_CSV("a,b\n,x\nx,\n", "H:a|b\n2:[][x]\n3:[x][]\n");
    /* one column: an empty line in the middle is an empty value */
    CHECK_CSV("a\n1\n\n2\n", "H:a\n2:[1]\n3:[]\n4:[2]\n");
    CHECK_CSV("a\n\"\"\n", "H:a\n2:[]\n");
}

static void test_csv_trailing_blank(void)
{
    CHECK_CSV("a,b\n1,2\n\n", "H:a|b\n2:[1][2]\n");
    CHECK_CSV("a,b\n1,2\n\r\n\n\r\n", "H:a|b\n2:[1][2]\n");
    CHECK_CSV("a\n1\n\n", "H:a\n2:[1]\n");
    CHECK_CSV("a\n1\n\n\n", "H:a\n2:[1]\n");
    /* a blank line in the middle is a record (here with too few fields) */
    CHECK_CSV("a,b\n1,2\n\n3,4\n",
              "H:a|b\n2:[1][2]\nE F:3: expected 2 fields, found 1\n4:[3][4]\n");
    CHECK_CSV("a,b\n\n\n3,4\n\n",
              "H:a|b\nE F:2: expected 2 fields, found 1\n"
              "E F:3: expected 2 fields, found 1\n4:[3][4]\n");
}

static void test_csv_errors(void)
{
    CHECK_CSV("a,b\n1,\"abc\n2,3\n",
              "H:a|b\nE F:2: unterminated quoted field\n3:[2][3]\n");
    CHECK_CSV("a,b\n1,\"abc", "H:a|b\nE F:2: unterminated quoted field\n");
    CHECK_CSV("a,b\n1,2,3\n4\n5,6\n",
              "H:a|b\nE F:2: expected 2 fields, found 3\nE F:3: expected 2 fields, found 1\n"
              "4:[5][6]\n");
    CHECK_CSV("a,b\n\"x\"y,2\n3,4\n",
              "H:a|b\nE F:2: unexpected character after closing quote\n3:[3][4]\n");
    CHECK_CSV("a,b\n\"x\" ,2\n\"x\"\"\"\"\"z,\"q\"\n3,4\n",
              "H:a|b\nE F:2: unexpected character after closing quote\n"
              "E F:3: unexpected character after closing quote\n4:[3][4]\n");
    /* the junk after the quote does not swallow the next line */
    CHECK_CSV("a,b\n\"x\"\"\n\",\"y\"z\n5,6\n",
              "H:a|b\nE F:2: unexpected character after closing quote\n4:[5][6]\n");
    /* a multi-line record with the wrong count reports its first line */
    CHECK_CSV("a,b\n\"1\n2\",3,4\n5,6\n",
              "H:a|b\nE F:2: expected 2 fields, found 3\n4:[5][6]\n");
}

static void test_csv_utf8(void)
{
    CHECK_CSV("name,city\nJos\xc3\xa9,\xe6\x9d\xb1\xe4\xba\xac\n\xf0\x9f\x98\x80,x\n",
              "H:name|city\n2:[Jos\xc3\xa9][\xe6\x9d\xb1\xe4\xba\xac]\n3:[\xf0\x9f\x98\x80][x]\n");
    const char *bad[] = {
        "\xff",             /* never valid */
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong */
        "\xed\xa0\x80",     /* surrogate U+D800 */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xe3\x81",         /* truncated */
        "\x80",             /* lone continuation */
        "\xc3\x28",         /* bad continuation */
        "\xf8\x88\x80\x80\x80",
    };
    for (size_t i = 0; i < XS_N(bad); i++) {
        char in[64];
        snprintf(in, sizeof in, "a,b\nx%s,2\n3,\"4%s\"\n5,6\n", bad[i], bad[i]);
        CHECK_CSV(in, "H:a|b\nE F:2: invalid UTF-8\nE F:3: invalid UTF-8\n4:[5][6]\n");
    }
    CHECK_CSV("a,\xff\n", "OPEN F:1: invalid UTF-8\n");
    /* the last valid code points */
    CHECK_CSV("a\n\xf4\x8f\xbf\xbf\xef\xbf\xbf\xed\x9f\xbf\n",
              "H:a\n2:[\xf4\x8f\xbf\xbf\xef\xbf\xbf\xed\x9f\xbf]\n");
}

static void test_csv_header_errors(void)
{
    CHECK_CSV("", "OPEN F: empty file (no header row)\n");
    CHECK_CSV("\xef\xbb\xbf", "OPEN F: empty file (no header row)\n");
    CHECK_CSV("\n\r\n\n", "OPEN F: empty file (no header row)\n");
    CHECK_CSV("a,b,a\n1,2,3\n", "OPEN F:1: a: duplicate column name\n");
    CHECK_CSV("a,,c\n", "OPEN F:1: empty column name in header (column 2)\n");
    CHECK_CSV("a,b,\n", "OPEN F:1: empty column name in header (column 3)\n");
    CHECK_CSV("\n\na,b\n", "OPEN F:1: empty column name in header (column 1)\n");
    CHECK_CSV("a,\"b\n", "OPEN F:1: unterminated quoted field\n");
    CHECK_CSV("a,\"b\"c\n", "OPEN F:1: unexpected character after closing quote\n");
    xs__io_reader *r = (xs__io_reader *)1;
    xs_error e;
    CHECK_INT(xs__io_reader_open(&r, "/nonexistent/x.csv", XS_INPUT_CSV, ',', &e),
              XS_EIO);
    CHECK(r == NULL);
    char msg[1400];
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "/nonexistent/x.csv: cannot open: No such file or directory");
    CHECK_INT(xs__io_reader_open(&r, "/nonexistent/x.jsonl", XS_INPUT_JSONL, ',', &e),
              XS_EIO);
    CHECK_INT(xs__io_reader_open(&r, "/", XS_INPUT_CSV, ',', &e), XS_EIO);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "/: cannot read: Is a directory");
}

static void test_csv_fields_api(void)
{
    const char *path = write_tmp("id,name\nA,x\n", 12);
    xs__io_reader *r;
    CHECK_INT(xs__io_reader_open(&r, path, XS_INPUT_CSV, ',', NULL), XS_OK);
    CHECK_INT(xs__io_reader_n_fields(r), 2);
    CHECK_STR(xs__io_reader_field_name(r, 0), "id");
    CHECK_STR(xs__io_reader_field_name(r, 1), "name");
    CHECK(xs__io_reader_field_name(r, 2) == NULL);
    const xs__field *f;
    long line;
    unsigned long long done, total;
    xs__io_reader_progress(r, &done, &total);
    CHECK_INT(total, 12);
    CHECK(done <= total);
    CHECK_INT(xs__io_reader_next(r, &f, &line, NULL), 1);
    CHECK_INT(f[0].present, 1);
    CHECK_INT(f[1].present, 1);
    CHECK_INT(xs__io_reader_next(r, &f, &line, NULL), 0);
    CHECK_INT(xs__io_reader_next(r, &f, &line, NULL), 0);
    xs__io_reader_progress(r, &done, &total);
    CHECK_INT(done, 12);
    xs__io_reader_close(r);
    xs__io_reader_close(NULL);
    unlink(path);
}

/* Random CSV made of nasty pieces; every buffer size must read it alike
 * (dump_n checks), and the big one is larger than the default buffer. */
static void test_csv_straddle(void)
{
    static const char *pieces[] = {"a", "bc", ",", "\"", "\"\"", "\n", "\r\n", "\r",
                                   "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "x,y",
                                   "\"q,\n\"", ""};
    xs__rng rng;
    xs__rng_seed(&rng, 42);
    for (int round = 0; round < 60; round++) {
        sbuf in = {0};
        sb_str(&in, "c1,c2,c3\n");
        int n = (int)xs__rng_below(&rng, 60);
        for (int i = 0; i < n; i++) sb_str(&in, pieces[xs__rng_below(&rng, XS_N(pieces))]);
        char *d = dump_n(in.s, in.n, XS_INPUT_CSV, ',');
        CHECK(d != NULL && !strncmp(d, "H:c1|c2|c3\n", 11));
        free(d);
        free(in.s);
    }
    /* > 1 MiB of records, with a quoted multi-line field every 1000 lines */
    sbuf big = {0};
    sb_str(&big, "order_id,customer_id,date,product_id,quantity,amount\n");
    char line[128];
    for (int i = 0; i < 30000; i++) {
        if (i % 1000 == 999)
            snprintf(line, sizeof line, "O%d,\"C,%d\n2nd\",2024-05-02,\"p\"\"%d\",5,150.00\n", i, i, i);
        else
            snprintf(line, sizeof line, "O%d,C%d,2024-05-02,crm-seat-%d,5,150.00\r\n", i, i % 977,
                     i % 13);
        sb_str(&big, line);
    }
    CHECK(big.n > (1u << 20));
    const char *path = write_tmp(big.s, big.n);
    size_t sizes[] = {0, 7, 4096};
    for (size_t s = 0; s < XS_N(sizes); s++) {
        xs__io_reader_test_buffer_size(sizes[s]);
        xs__io_reader *r;
        CHECK_INT(xs__io_reader_open(&r, path, XS_INPUT_CSV, ',', NULL), XS_OK);
        const xs__field *f;
        long ln, want_line = 2;
        int rc, i = 0, bad = 0;
        while ((rc = xs__io_reader_next(r, &f, &ln, NULL)) == 1) {
            char want[64];
            snprintf(want, sizeof want, "O%d", i);
            if (ln != want_line || f[0].len != strlen(want) || memcmp(f[0].ptr, want, f[0].len))
                bad++;
            if (i % 1000 == 999) {
                snprintf(want, sizeof want, "p\"%d", i);
                if (f[3].len != strlen(want) || memcmp(f[3].ptr, want, f[3].len)) bad++;
                want_line += 2;
            } else {
                if (f[5].len != 6 || memcmp(f[5].ptr, "150.00", 6)) bad++;
                want_line += 1;
            }
            i++;
        }
        CHECK_INT(rc, 0);
        CHECK_INT(i, 30000);
        CHECK_INT(bad, 0);
        unsigned long long done, total;
        xs__io_reader_progress(r, &done, &total);
        CHECK_INT(done, big.n);
        CHECK_INT(total, big.n);
        xs__io_reader_close(r);
    }
    xs__io_reader_test_buffer_size(0);
    unlink(path);
    free(big.s);
}

/* Fixtures shipped in tests/data/io. */
static void test_fixtures(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    if (!src) {
        XS__FAIL("XS_SOURCE_DIR unset: the fixtures cannot be found");
        return;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/io/orders_excel.csv", src);
    char *d = dump_path(path, XS_INPUT_CSV, ';');
    CHECK_STR(d, "H:order_id|customer_id|date|product_id|quantity|amount|note\n"
                 "2:[O1][C0001][2024-05-02][crm-seat][5][150,00][]\n"
                 "3:[O2][C0002][2024-05-03][crm-basic][1][30,00][Tokyo; \"HQ\"]\n"
                 "4:[O3][C0003][2024-05-04][crm-pro][2][99,90][two\\r\\nlines]\n"
                 "6:[O4][C0004][2024-05-05][crm-seat][1][30,00][\xe6\x9d\xb1\xe4\xba\xac]\n");
    free(d);
    snprintf(path, sizeof path, "%s/tests/data/io/orders.jsonl", src);
    d = dump_path(path, XS_INPUT_JSONL, 0);
    CHECK_STR(d, "1:[O1][C0001][2024-05-02][crm-seat][5][150]\n"
                 "2:[O2][C0002][2024-05-03][crm-basic][1][30.5][gift]\n"
                 "4:[O3][C0003][2024-05-04][crm-pro][2][99.9]-\n"
                 "H:order_id|customer_id|date|product_id|quantity|amount|note\n");
    free(d);
}

/* ---------------------------------------------------------------------- */
/* JSON Lines                                                              */
/* ---------------------------------------------------------------------- */

static void test_jsonl_basic(void)
{
    CHECK_JSONL("{\"a\":\"x\",\"b\":1,\"c\":2.50,\"d\":true,\"e\":false,\"f\":null}\n",
                "1:[x][1][2.5][true][false]-\nH:a|b|c|d|e|f\n");
    CHECK_JSONL("{\"a\":\"x\"}", "1:[x]\nH:a\n");
    CHECK_JSONL("\xef\xbb\xbf{\"a\":\"x\"}\r\n", "1:[x]\nH:a\n");
    CHECK_JSONL("", "H:\n");
    CHECK_JSONL("\n  \n", "H:\n");
    CHECK_JSONL("{}\n", "1:\nH:\n");
    /* escapes, unicode (a NUL inside a value is an error: test_nul_bytes) */
    CHECK_JSONL("{\"k\":\"a\\\"b\\\\c\\n\\u00e9\\u65e5\\ud83d\\ude00z\"}\n",
                "1:[a\"b\\\\c\\n\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80z]\nH:k\n");
}

static void test_jsonl_union(void)
{
    CHECK_JSONL("{\"a\":1}\n{\"b\":2,\"a\":3}\n{\"c\":\"z\"}\n",
                "1:[1]\n2:[3][2]\n3:--[z]\nH:a|b|c\n");
    /* the names of the first object are known right after open */
    const char *in = "\n\n{\"x\":1,\"y\":2}\n{\"z\":3}\n";
    const char *path = write_tmp(in, strlen(in));
    xs__io_reader *r;
    CHECK_INT(xs__io_reader_open(&r, path, XS_INPUT_JSONL, 0, NULL), XS_OK);
    CHECK_INT(xs__io_reader_n_fields(r), 2);
    CHECK_STR(xs__io_reader_field_name(r, 1), "y");
    const xs__field *f;
    long line;
    CHECK_INT(xs__io_reader_next(r, &f, &line, NULL), 1);
    CHECK_INT(line, 3);
    CHECK_INT(xs__io_reader_n_fields(r), 2);
    CHECK_INT(xs__io_reader_next(r, &f, &line, NULL), 1);
    CHECK_INT(line, 4);
    CHECK_INT(xs__io_reader_n_fields(r), 3);
    CHECK_INT(f[0].present, 0);
    CHECK_INT(f[1].present, 0);
    CHECK_INT(f[2].present, 1);
    /* absent values are empty, not stale pointers into the previous line */
    CHECK_INT(f[0].len, 0);
    CHECK_INT(f[1].len, 0);
    CHECK_STR(f[0].ptr, "");
    CHECK_INT(xs__io_reader_next(r, &f, &line, NULL), 0);
    xs__io_reader_close(r);
    unlink(path);
}

static void test_jsonl_lines(void)
{
    CHECK_JSONL("\n{\"a\":1}\n   \n\t\r\n{\"a\":2}\r\n\n",
                "2:[1]\n5:[2]\nH:a\n");
}

static void test_jsonl_numbers(void)
{
    CHECK_JSONL("{\"n\":1e3}\n{\"n\":0.1}\n{\"n\":-0}\n{\"n\":3.0}\n{\"n\":123456789012}\n"
                "{\"n\":-9223372036854775808}\n{\"n\":1.7976931348623157e308}\n"
                "{\"n\":0.30000000000000004}\n{\"n\":1E-7}\n{\"n\":12.50}\n",
                "1:[1000]\n2:[0.1]\n3:[0]\n4:[3]\n5:[123456789012]\n"
                "6:[-9223372036854775808]\n7:[1.7976931348623157e+308]\n"
                "8:[0.30000000000000004]\n9:[1e-07]\n10:[12.5]\nH:n\n");
}

static void test_jsonl_errors(void)
{
    CHECK_JSONL("{\"a\":1}\n{\"a\":[1]}\n{\"a\":{\"b\":1}}\n{\"a\":2}\n",
                "1:[1]\nE F:2: a: expected a string, number or boolean\n"
                "E F:3: a: expected a string, number or boolean\n4:[2]\nH:a\n");
    CHECK_JSONL("{\"a\":\n{\"a\":1,\"a\":2}\n{\"a\":1} x\n{a:1}\n{\"a\":123456789012345678901}\n",
                "E F:1: invalid JSON: unexpected token near end of file\n"
                "E F:2: invalid JSON: duplicate object key near '\"a\"'\n"
                "E F:3: invalid JSON: end of file expected near 'x'\n"
                "E F:4: invalid JSON: string or '}' expected near 'a'\n"
                "E F:5: invalid JSON: too big integer\nH:\n");
    CHECK_JSONL("[1,2]\n\"x\"\n3\nnull\n{\"b\":\"ok\"}\n",
                "E F:1: expected a JSON object\nE F:2: expected a JSON object\n"
                "E F:3: expected a JSON object\nE F:4: expected a JSON object\n5:[ok]\nH:b\n");
    CHECK_JSONL("{\"a\":\"\xff\"}\n{\"a\":\"ok\"}\n",
                "E F:1: invalid UTF-8\n2:[ok]\nH:a\n");
    CHECK_JSONL("{\"a\\u0000b\":1}\n",
                "E F:1: invalid JSON: NUL byte in object key not supported near '\"a\\u0000b\"'\nH:\n");
    /* the keys of a rejected object do not join the field set */
    CHECK_JSONL("{\"x\":1,\"y\":[]}\n{\"a\":1}\n",
                "E F:1: y: expected a string, number or boolean\n2:[1]\nH:a\n");
}

/* ---------------------------------------------------------------------- */
/* Allocation failures                                                     */
/* ---------------------------------------------------------------------- */

/* Opens and reads everything with the n-th allocation failing; returns the
 * number of allocations made. */
static long read_all_failing(const char *path, xs__io_input_format fmt, long n,
                             int *saw_enomem)
{
    xs__alloc_fail_after(n);
    xs__io_reader *r;
    xs_error e;
    int rc = xs__io_reader_open(&r, path, fmt, ',', &e);
    if (rc == XS_ENOMEM) *saw_enomem = 1;
    if (rc == XS_OK) {
        const xs__field *f;
        long line;
        for (int i = 0; i < 1000; i++) {
            rc = xs__io_reader_next(r, &f, &line, &e);
            if (rc == XS_ENOMEM) *saw_enomem = 1;
            if (rc == 0 || rc == XS_ENOMEM) break;
        }
        xs__io_reader_close(r);
    }
    return xs__alloc_fail_after(-1);
}

static void test_alloc_failures(void)
{
    const char *csv = "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s\n"
                      "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19\n"
                      "\"x\"\"y\",2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,\"a\nb\"\n";
    const char *jsonl = "{\"a\":1,\"b\":\"x\"}\n{\"c\":2.5,\"d\":true,\"e\":null}\n";
    struct {
        const char *data;
        xs__io_input_format fmt;
    } cases[] = {{csv, XS_INPUT_CSV}, {jsonl, XS_INPUT_JSONL}};
    size_t bufs[] = {0, 4};
    for (size_t c = 0; c < XS_N(cases); c++) {
        for (size_t b = 0; b < XS_N(bufs); b++) {
            const char *path = write_tmp(cases[c].data, strlen(cases[c].data));
            xs__io_reader_test_buffer_size(bufs[b]);
            int saw = 0;
            long n = 0;
            for (; n < 1000; n++) {
                long made = read_all_failing(path, cases[c].fmt, n, &saw);
                if (made <= n) break; /* nothing failed: every point covered */
            }
            CHECK(n < 1000);
            CHECK(saw);
            unlink(path);
        }
    }
    xs__io_reader_test_buffer_size(0);
}

/* A value holding a NUL byte is a located error; the record is skipped. */
static void test_nul_bytes(void)
{
    static const char plain[] = "a,b\n1,x\0y\n2,z\n";
    char *d = dump_n(plain, sizeof plain - 1, XS_INPUT_CSV, ',');
    CHECK_STR(d, "H:a|b\nE F:2: b: contains a NUL byte\n3:[2][z]\n");
    free(d);
    /* in a quoted value spanning lines, and as the only byte */
    static const char quoted[] = "a,b\n1,\"x\n\0\"\n\0,2\n3,z\n";
    d = dump_n(quoted, sizeof quoted - 1, XS_INPUT_CSV, ',');
    CHECK_STR(d, "H:a|b\nE F:2: b: contains a NUL byte\nE F:4: a: contains a NUL byte\n"
                 "5:[3][z]\n");
    free(d);
    /* in the header row: no name to give, the column's number */
    static const char header[] = "a,b\0\n1,2\n";
    d = dump_n(header, sizeof header - 1, XS_INPUT_CSV, ',');
    CHECK_STR(d, "OPEN F:1: column 2: contains a NUL byte\n");
    free(d);
    /* JSON: the escape \u0000 in a string value */
    CHECK_JSONL("{\"a\":\"x\\u0000y\",\"b\":1}\n{\"a\":\"ok\",\"b\":2}\n",
                "E F:1: a: contains a NUL byte\n2:[ok][2]\nH:a|b\n");
    /* a raw NUL byte is not JSON at all */
    static const char raw[] = "{\"a\":\"x\0\"}\n{\"a\":\"ok\"}\n";
    d = dump_n(raw, sizeof raw - 1, XS_INPUT_JSONL, 0);
    CHECK(!strncmp(d, "E F:1: invalid JSON: ", 21));
    CHECK(strstr(d, "\n2:[ok]\nH:a\n") != NULL);
    free(d);
}

/* A value longer than the limit is a located error; doubled quotes count
 * once (the limit is on the value, not on its CSV spelling). */
static void test_max_field(void)
{
    max_field = 3;
    CHECK_CSV("a,b\n1,abcd\n2,abc\n3,\"a\"\"b\"\n",
              "H:a|b\nE F:2: b: field longer than 3 bytes\n3:[2][abc]\n4:[3][a\"b]\n");
    CHECK_JSONL("{\"a\":\"abcd\"}\n{\"a\":\"abc\"}\n",
                "E F:1: a: field longer than 3 bytes\n2:[abc]\nH:a\n");
    max_field = 0;
    /* the default: 1 MiB passes, one byte more does not */
    size_t n = XS_MAX_FIELD_BYTES;
    char *in = malloc(2 * n + 64);
    size_t len = 0;
    memcpy(in, "a,b\n1,", 6);
    len = 6;
    memset(in + len, 'x', n);
    len += n;
    memcpy(in + len, "\n2,", 3);
    len += 3;
    memset(in + len, 'y', n + 1);
    len += n + 1;
    memcpy(in + len, "\n3,z\n", 5);
    len += 5;
    const char *path = write_tmp(in, len);
    char *d = dump_path(path, XS_INPUT_CSV, ',');
    CHECK(!strncmp(d, "H:a|b\n2:[1][xxx", 15));
    CHECK(strstr(d, "xx]\nE F:3: b: field longer than 1048576 bytes\n4:[3][z]\n") != NULL);
    free(d);
    unlink(path);
    free(in);
}

static const xs_test tests[] = {
    {"csv_basic", test_csv_basic},
    {"csv_quoted", test_csv_quoted},
    {"csv_multiline", test_csv_multiline},
    {"csv_line_ends", test_csv_line_ends},
    {"csv_bom", test_csv_bom},
    {"csv_delimiters", test_csv_delimiters},
    {"csv_empty_fields", test_csv_empty_fields},
    {"csv_trailing_blank", test_csv_trailing_blank},
    {"csv_errors", test_csv_errors},
    {"csv_utf8", test_csv_utf8},
    {"csv_header_errors", test_csv_header_errors},
    {"csv_fields_api", test_csv_fields_api},
    {"csv_straddle", test_csv_straddle},
    {"fixtures", test_fixtures},
    {"jsonl_basic", test_jsonl_basic},
    {"jsonl_union", test_jsonl_union},
    {"jsonl_lines", test_jsonl_lines},
    {"jsonl_numbers", test_jsonl_numbers},
    {"jsonl_errors", test_jsonl_errors},
    {"alloc_failures", test_alloc_failures},
    {"nul_bytes", test_nul_bytes},
    {"max_field", test_max_field},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
