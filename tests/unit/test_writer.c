/*
 * test_writer.c — the CSV and JSON Lines record writers (src/io/writer.c):
 * exact output for quoting and escaping, numeric columns, write errors,
 * atomic replacement of the target, allocation failures, and random round
 * trips writer -> reader on hundreds of tables of nasty bytes.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/rng.h"
#include "io/reader.h"
#include "io/writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void make_dir(void)
{
    if (dir[0]) return;
    snprintf(dir, sizeof dir, "/tmp/xs_test_writer_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static const char *tpath(const char *name)
{
    static char p[2][128];
    static int k;
    make_dir();
    k ^= 1;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* Reads a whole file into a malloc'd NUL-terminated string (len in *n). */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *s = NULL;
    size_t len = 0, cap = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > cap) s = realloc(s, cap = cap * 2 + 64);
        s[len++] = (char)c;
    }
    if (!s) s = malloc(1);
    s[len] = '\0';
    fclose(f);
    if (n) *n = len;
    return s;
}

static int n_dir_entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static xs__field fs(const char *s)
{
    xs__field f = {s, strlen(s), 1};
    return f;
}

static const xs__field absent = {"", 0, 0};

/* ---------------------------------------------------------------------- */
/* Exact output                                                            */
/* ---------------------------------------------------------------------- */

static void test_csv_quoting(void)
{
    const char *path = tpath("q.csv");
    xs__io_writer *w;
    xs_error e;
    CHECK_INT(xs__io_writer_open(&w, path, XS_INPUT_CSV, ',', &e), XS_OK);
    const char *names[] = {"id", "a,b", "c"};
    CHECK_INT(xs__io_writer_header(w, names, NULL, 3), XS_OK);
    CHECK_INT(xs__io_writer_header(w, names, NULL, 3), XS_EINVAL);
    xs__field r1[] = {fs("plain"), fs("x,y"), fs("say \"hi\"")};
    xs__field r2[] = {fs("a\nb"), fs("c\rd"), fs(" lead")};
    xs__field r3[] = {fs("trail "), fs("\ttab"), fs("")};
    xs__field r4[] = {absent, fs("\xef\xbb\xbfx"), fs("mid space;|\tx")};
    xs__field r5[] = {fs("\""), fs("\xe6\x97\xa5\xe6\x9c\xac"), absent};
    CHECK_INT(xs__io_writer_row(w, r1, 3), XS_OK);
    CHECK_INT(xs__io_writer_row(w, r2, 3), XS_OK);
    CHECK_INT(xs__io_writer_row(w, r3, 3), XS_OK);
    CHECK_INT(xs__io_writer_row(w, r4, 3), XS_OK);
    CHECK_INT(xs__io_writer_row(w, r5, 3), XS_OK);
    CHECK_INT(xs__io_writer_row(w, r5, 2), XS_EINVAL);
    CHECK_INT(xs__io_writer_close(w, &e), XS_OK);
    char *got = slurp(path, NULL);
    CHECK_STR(got, "id,\"a,b\",c\n"
                   "plain,\"x,y\",\"say \"\"hi\"\"\"\n"
                   "\"a\nb\",\"c\rd\",\" lead\"\n"
                   "\"trail \",\"\ttab\",\n"
                   ",\"\xef\xbb\xbfx\",mid space;|\tx\n"
                   "\"\"\"\",\xe6\x97\xa5\xe6\x9c\xac,\n");
    free(got);

    /* other delimiters; a one-column empty value is quoted */
    CHECK_INT(xs__io_writer_open(&w, path, XS_INPUT_CSV, ';', &e), XS_OK);
    const char *one[] = {"v"};
    CHECK_INT(xs__io_writer_header(w, one, NULL, 1), XS_OK);
    xs__field o1[] = {fs("")}, o2[] = {absent}, o3[] = {fs("a;b,c")};
    CHECK_INT(xs__io_writer_row(w, o1, 1), XS_OK);
    CHECK_INT(xs__io_writer_row(w, o2, 1), XS_OK);
    CHECK_INT(xs__io_writer_row(w, o3, 1), XS_OK);
    CHECK_INT(xs__io_writer_close(w, &e), XS_OK);
    got = slurp(path, NULL);
    CHECK_STR(got, "v\n\"\"\n\"\"\n\"a;b,c\"\n");
    free(got);
    CHECK_INT(xs__io_writer_open(&w, path, XS_INPUT_CSV, '"', &e), XS_EINVAL);
    unlink(path);
}

static void test_jsonl_output(void)
{
    const char *path = tpath("o.jsonl");
    xs__io_writer *w;
    xs_error e;
    CHECK_INT(xs__io_writer_open(&w, path, XS_INPUT_JSONL, 0, &e), XS_OK);
    const char *names[] = {"id", "amount", "qty", "na\"me"};
    const int numeric[] = {0, 1, 1, 0};
    CHECK_INT(xs__io_writer_header(w, names, numeric, 4), XS_OK);
    xs__field r1[] = {fs("O1"), fs("12.50"), fs("3"), fs("a\"b\\c\n\r\t\b\f\x01\x1f\x7f\xc3\xa9")};
    xs__field r2[] = {fs("123"), fs("abc"), fs(""), absent};
    xs__field r3[] = {absent, absent, absent, absent};
    xs__field r4[] = {fs("x"), fs("-0.5e+10"), fs("01"), fs("")};
    xs__field r5[] = {fs("y"), fs("1."), fs(".5"), fs("\0z")};
    r5[3].len = 2;
    CHECK_INT(xs__io_writer_row(w, r1, 4), XS_OK);
    CHECK_INT(xs__io_writer_row(w, r2, 4), XS_OK);
    CHECK_INT(xs__io_writer_row(w, r3, 4), XS_OK);
    CHECK_INT(xs__io_writer_row(w, r4, 4), XS_OK);
    CHECK_INT(xs__io_writer_row(w, r5, 4), XS_OK);
    CHECK_INT(xs__io_writer_close(w, &e), XS_OK);
    char *got = slurp(path, NULL);
    CHECK_STR(got,
              "{\"id\":\"O1\",\"amount\":12.50,\"qty\":3,"
              "\"na\\\"me\":\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001F\x7f\xc3\xa9\"}\n"
              "{\"id\":\"123\",\"amount\":\"abc\",\"qty\":\"\"}\n"
              "{}\n"
              "{\"id\":\"x\",\"amount\":-0.5e+10,\"qty\":\"01\",\"na\\\"me\":\"\"}\n"
              "{\"id\":\"y\",\"amount\":\"1.\",\"qty\":\".5\",\"na\\\"me\":\"\\u0000z\"}\n");
    free(got);
    unlink(path);
}

static void test_stdout(void)
{
    const char *path = tpath("stdout.txt");
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    xs__io_writer *w;
    xs_error e;
    int rc1 = xs__io_writer_open(&w, NULL, XS_INPUT_CSV, ',', &e);
    const char *names[] = {"a", "b"};
    xs__io_writer_header(w, names, NULL, 2);
    xs__field r[] = {fs("1"), fs("2")};
    xs__io_writer_row(w, r, 2);
    int rc2 = xs__io_writer_close(w, &e);
    xs__io_writer *w2;
    int rc3 = xs__io_writer_open(&w2, "-", XS_INPUT_JSONL, ',', &e);
    xs__io_writer_header(w2, names, NULL, 2);
    xs__io_writer_row(w2, r, 2);
    int rc4 = xs__io_writer_close(w2, &e);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    CHECK_INT(rc1, XS_OK);
    CHECK_INT(rc2, XS_OK);
    CHECK_INT(rc3, XS_OK);
    CHECK_INT(rc4, XS_OK);
    char *got = slurp(path, NULL);
    CHECK_STR(got, "a,b\n1,2\n{\"a\":\"1\",\"b\":\"2\"}\n");
    free(got);
    unlink(path);
}

/* ---------------------------------------------------------------------- */
/* Errors and atomic replacement                                           */
/* ---------------------------------------------------------------------- */

static void test_write_errors(void)
{
    xs__io_writer *w;
    xs_error e;
    char msg[1400];
    CHECK_INT(xs__io_writer_open(&w, "/nonexistent/dir/x.csv", XS_INPUT_CSV, ',', &e),
              XS_EIO);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "/nonexistent/dir/x.csv: cannot create: No such file or directory");
    if (access("/dev/full", W_OK) == 0) {
        CHECK_INT(xs__io_writer_open(&w, "/dev/full", XS_INPUT_CSV, ',', &e), XS_OK);
        const char *names[] = {"a"};
        CHECK_INT(xs__io_writer_header(w, names, NULL, 1), XS_OK);
        xs__field r[] = {fs("some value that will not fit")};
        int rc = XS_OK;
        for (int i = 0; i < 10000 && rc == XS_OK; i++)
            rc = xs__io_writer_row(w, r, 1);
        CHECK_INT(rc, XS_EIO); /* the sticky error shows once a flush failed */
        CHECK_INT(xs__io_writer_close(w, &e), XS_EIO);
        CHECK_STR(xs_error_format(&e, msg, sizeof msg),
                  "/dev/full: cannot write: No space left on device");
        /* a short output fails only at close */
        CHECK_INT(xs__io_writer_open(&w, "/dev/full", XS_INPUT_JSONL, ',', &e), XS_OK);
        CHECK_INT(xs__io_writer_header(w, names, NULL, 1), XS_OK);
        CHECK_INT(xs__io_writer_row(w, r, 1), XS_OK);
        CHECK_INT(xs__io_writer_close(w, &e), XS_EIO);
        CHECK_STR(xs_error_format(&e, msg, sizeof msg),
                  "/dev/full: cannot write: No space left on device");
    } else {
        printf("skipped: /dev/full absent\n");
    }
    CHECK_INT(xs__io_writer_close(NULL, &e), XS_OK);
    xs__io_writer_abort(NULL);
}

static void test_atomic(void)
{
    const char *path = tpath("t.csv");
    FILE *f = fopen(path, "w");
    fputs("old\n", f);
    fclose(f);
    CHECK_INT(n_dir_entries(), 1);
    const char *names[] = {"x"};
    xs__field r[] = {fs("new")};
    xs__io_writer *w;
    /* abandoned: the old file stays, no temporary is left */
    CHECK_INT(xs__io_writer_open(&w, path, XS_INPUT_CSV, ',', NULL), XS_OK);
    xs__io_writer_header(w, names, NULL, 1);
    xs__io_writer_row(w, r, 1);
    CHECK_INT(n_dir_entries(), 2);
    char *got = slurp(path, NULL);
    CHECK_STR(got, "old\n");
    free(got);
    xs__io_writer_abort(w);
    CHECK_INT(n_dir_entries(), 1);
    got = slurp(path, NULL);
    CHECK_STR(got, "old\n");
    free(got);
    /* closed: replaced */
    CHECK_INT(xs__io_writer_open(&w, path, XS_INPUT_CSV, ',', NULL), XS_OK);
    xs__io_writer_header(w, names, NULL, 1);
    xs__io_writer_row(w, r, 1);
    CHECK_INT(xs__io_writer_close(w, NULL), XS_OK);
    CHECK_INT(n_dir_entries(), 1);
    got = slurp(path, NULL);
    CHECK_STR(got, "x\nnew\n");
    free(got);
    unlink(path);
}

/* ---------------------------------------------------------------------- */
/* Allocation failures                                                     */
/* ---------------------------------------------------------------------- */

static long write_failing(const char *path, xs__io_input_format fmt, long n, int *saw)
{
    const char *names[] = {"a", "b\"", "c"};
    const int numeric[] = {0, 1, 0};
    xs__field r[] = {fs("x,y"), fs("12.5"), fs("\"quoted\"")};
    xs__alloc_fail_after(n);
    xs__io_writer *w;
    xs_error e;
    int rc = xs__io_writer_open(&w, path, fmt, ',', &e);
    if (rc == XS_OK) {
        if (xs__io_writer_header(w, names, numeric, 3) == XS_ENOMEM) *saw = 1;
        for (int i = 0; i < 50; i++)
            if (xs__io_writer_row(w, r, 3) == XS_ENOMEM) *saw = 1;
        rc = xs__io_writer_close(w, &e);
    }
    if (rc == XS_ENOMEM) *saw = 1;
    return xs__alloc_fail_after(-1);
}

static void test_alloc_failures(void)
{
    const char *path = tpath("alloc.out");
    for (int fmt = 0; fmt < 2; fmt++) {
        int saw = 0;
        long n = 0;
        for (; n < 1000; n++)
            if (write_failing(path, (xs__io_input_format)fmt, n, &saw) <= n) break;
        CHECK(n < 1000);
        CHECK(saw);
    }
    unlink(path);
    CHECK_INT(n_dir_entries(), 0);
}

/* ---------------------------------------------------------------------- */
/* Random round trips                                                      */
/* ---------------------------------------------------------------------- */

static const char *const atoms[] = {
    "a", "Z", "0", " ", "\t", ",", ";", "|", "\"", "\"\"", "\r", "\n", "\r\n", "\\",
    "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xef\xbb\xbf", "{", "}", ":", "\x01",
};

/* A random value of up to 8 atoms (with NUL bytes when nul is set). */
static size_t random_value(xs__rng *rng, char *dst, int nul)
{
    size_t n = 0;
    int k = (int)xs__rng_below(rng, 9);
    for (int i = 0; i < k; i++) {
        if (nul && xs__rng_below(rng, 30) == 0) {
            dst[n++] = '\0';
            continue;
        }
        const char *a = atoms[xs__rng_below(rng, XS_N(atoms))];
        size_t l = strlen(a);
        memcpy(dst + n, a, l);
        n += l;
    }
    return n;
}

#define MAX_COLS 7
#define MAX_ROWS 25
#define VAL_CAP 64

typedef struct table {
    size_t n_cols, n_rows;
    char names[MAX_COLS][VAL_CAP];
    char vals[MAX_ROWS][MAX_COLS][VAL_CAP];
    size_t lens[MAX_ROWS][MAX_COLS];
    int present[MAX_ROWS][MAX_COLS];
} table;

static void random_table(xs__rng *rng, table *t, int jsonl)
{
    t->n_cols = 1 + xs__rng_below(rng, MAX_COLS);
    t->n_rows = xs__rng_below(rng, MAX_ROWS + 1);
    for (size_t c = 0; c < t->n_cols; c++) {
        /* unique, non-empty names, sometimes nasty */
        char v[VAL_CAP];
        size_t n = random_value(rng, v, 0);
        snprintf(t->names[c], VAL_CAP, "%zu%.*s", c, (int)n, v);
    }
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t c = 0; c < t->n_cols; c++) {
            t->lens[r][c] = random_value(rng, t->vals[r][c], 1);
            t->present[r][c] = jsonl ? xs__rng_below(rng, 5) != 0 : 1;
        }
}

/* Writes t, reads it back, compares. Returns the number of mismatches. */
static int round_trip(const table *t, xs__io_input_format fmt, char delim,
                      const char *path)
{
    int bad = 0;
    xs__io_writer *w;
    xs_error e;
    if (xs__io_writer_open(&w, path, fmt, delim, &e) < 0) return 1;
    const char *names[MAX_COLS];
    for (size_t c = 0; c < t->n_cols; c++) names[c] = t->names[c];
    xs__io_writer_header(w, names, NULL, t->n_cols);
    /* expected physical line of each record: count the LFs written */
    long lines[MAX_ROWS], line = 2;
    for (size_t c = 0; c < t->n_cols; c++)
        for (const char *p = t->names[c]; *p; p++) line += *p == '\n';
    for (size_t r = 0; r < t->n_rows; r++) {
        xs__field f[MAX_COLS];
        for (size_t c = 0; c < t->n_cols; c++) {
            f[c].ptr = t->vals[r][c];
            f[c].len = t->lens[r][c];
            f[c].present = t->present[r][c];
        }
        if (xs__io_writer_row(w, f, t->n_cols) != XS_OK) bad++;
        lines[r] = fmt == XS_INPUT_CSV ? line : (long)r + 1;
        for (size_t c = 0; c < t->n_cols; c++)
            for (size_t i = 0; i < t->lens[r][c]; i++) line += t->vals[r][c][i] == '\n';
        line++;
    }
    if (xs__io_writer_close(w, &e) != XS_OK) return bad + 1;

    xs__io_reader *rd;
    if (xs__io_reader_open(&rd, path, fmt, delim, &e) < 0) {
        char msg[1400];
        fprintf(stderr, "reopen: %s\n", xs_error_format(&e, msg, sizeof msg));
        return bad + 1;
    }
    size_t map[MAX_COLS]; /* table column -> reader field (JSONL order may differ) */
    for (size_t r = 0; r <= t->n_rows; r++) {
        const xs__field *f;
        long ln;
        int rc = xs__io_reader_next(rd, &f, &ln, &e);
        if (r == t->n_rows) {
            if (rc != 0) bad++;
            break;
        }
        /* a value with a NUL byte is written as is and rejected on reading,
         * at the record's line */
        int nul = 0;
        for (size_t c = 0; c < t->n_cols; c++)
            nul |= t->present[r][c] && memchr(t->vals[r][c], '\0', t->lens[r][c]) != NULL;
        if (nul) {
            if (rc != XS_EPARSE || ln != lines[r] ||
                strcmp(e.message, "contains a NUL byte")) {
                char msg[1400];
                fprintf(stderr, "read (NUL expected): rc %d %s\n", rc,
                        xs_error_format(&e, msg, sizeof msg));
                bad++;
            }
            continue;
        }
        if (rc != 1) {
            char msg[1400];
            fprintf(stderr, "read: rc %d %s\n", rc, xs_error_format(&e, msg, sizeof msg));
            bad++;
            break;
        }
        if (ln != lines[r]) bad++;
        size_t nf = xs__io_reader_n_fields(rd);
        for (size_t c = 0; c < t->n_cols; c++) {
            map[c] = SIZE_MAX;
            for (size_t i = 0; i < nf; i++)
                if (!strcmp(xs__io_reader_field_name(rd, i), t->names[c])) map[c] = i;
        }
        if (fmt == XS_INPUT_CSV && nf != t->n_cols) bad++;
        for (size_t c = 0; c < t->n_cols; c++) {
            int pres = t->present[r][c];
            if (map[c] == SIZE_MAX) {
                if (pres) bad++;
                continue;
            }
            const xs__field *g = &f[map[c]];
            if (g->present != pres) bad++;
            if (pres && (g->len != t->lens[r][c] || memcmp(g->ptr, t->vals[r][c], g->len)))
                bad++;
        }
    }
    xs__io_reader_close(rd);
    return bad;
}

static void test_round_trip(void)
{
    static table t;
    xs__rng rng;
    xs__rng_seed(&rng, 7);
    const char delims[] = {',', ';', '\t', '|'};
    const size_t bufs[] = {0, 1, 3, 16, 100};
    const char *path = tpath("rt.out");
    int bad_csv = 0, bad_jsonl = 0;
    for (int i = 0; i < 400; i++) {
        xs__io_reader_test_buffer_size(bufs[xs__rng_below(&rng, XS_N(bufs))]);
        random_table(&rng, &t, 0);
        bad_csv += round_trip(&t, XS_INPUT_CSV, delims[i % 4], path);
        random_table(&rng, &t, 1);
        bad_jsonl += round_trip(&t, XS_INPUT_JSONL, 0, path);
    }
    xs__io_reader_test_buffer_size(0);
    CHECK_INT(bad_csv, 0);
    CHECK_INT(bad_jsonl, 0);
    unlink(path);
}

/* Numeric JSONL columns come back as the reader's normalised numbers. */
static void test_numeric_round_trip(void)
{
    const char *path = tpath("num.jsonl");
    const char *in[] = {"12.50", "3", "-7", "0.1", "1e3", "abc", "", "01"};
    const char *out[] = {"12.5", "3", "-7", "0.1", "1000", "abc", "", "01"};
    xs__io_writer *w;
    CHECK_INT(xs__io_writer_open(&w, path, XS_INPUT_JSONL, 0, NULL), XS_OK);
    const char *names[] = {"amount"};
    const int numeric[] = {1};
    xs__io_writer_header(w, names, numeric, 1);
    for (size_t i = 0; i < XS_N(in); i++) {
        xs__field f[] = {fs(in[i])};
        xs__io_writer_row(w, f, 1);
    }
    CHECK_INT(xs__io_writer_close(w, NULL), XS_OK);
    xs__io_reader *r;
    CHECK_INT(xs__io_reader_open(&r, path, XS_INPUT_JSONL, 0, NULL), XS_OK);
    for (size_t i = 0; i < XS_N(in); i++) {
        const xs__field *f;
        long line;
        CHECK_INT(xs__io_reader_next(r, &f, &line, NULL), 1);
        CHECK_INT(line, (long)i + 1);
        CHECK_INT(f[0].len, strlen(out[i]));
        CHECK(!memcmp(f[0].ptr, out[i], f[0].len));
    }
    xs__io_reader_close(r);
    unlink(path);
}

static void cleanup_dir(void)
{
    if (dir[0]) rmdir(dir);
}

static const xs_test tests[] = {
    {"csv_quoting", test_csv_quoting},
    {"jsonl_output", test_jsonl_output},
    {"stdout", test_stdout},
    {"write_errors", test_write_errors},
    {"atomic", test_atomic},
    {"alloc_failures", test_alloc_failures},
    {"round_trip", test_round_trip},
    {"numeric_round_trip", test_numeric_round_trip},
};

int main(void)
{
    int rc = xs_test_run(tests, XS_N(tests));
    cleanup_dir();
    return rc;
}
