/*
 * test_mfile.c — the model file container (src/base/mfile.c): a round trip
 * of several sections with their alignment and meta, and every way a file
 * can be refused, each with its exact message; an intern table saved and
 * mapped (strings across blocks, one longer than a block, an add of a
 * string of the table itself); files of every size around the writer's
 * blocks and buffer compared byte for byte with the layout built here, and
 * their checksums with the rule of docs/model.md computed here (bodies of
 * one piece, one piece and a bit, three pieces).
 */
#include "test.h"

#include "base/intern.h"
#include "base/mfile.h"
#include "model_checksum.h"

#include <stdint.h>
#include <unistd.h>

static char path[256];

static void set_path(void)
{
    snprintf(path, sizeof path, "/tmp/xs_test_mfile_%ld.xsm", (long)getpid());
}

static const double dbl[5] = {1.5, -2.25, 3.0, 0.0, 1e300};
static const uint32_t u32[7] = {7, 6, 5, 4, 3, 2, 1};
static const char text[] = "abc";

/* Writes the standard test file; returns 0 on success. */
static int write_sample(void)
{
    xs__mfile_writer *w;
    xs_error e;
    if (xs__mfile_create(&w, path, &e) < 0) return -1;
    if (xs__mfile_put(w, "t.dbl", dbl, sizeof dbl, &e) < 0 ||
        xs__mfile_put(w, "t.text", text, 3, &e) < 0 ||
        xs__mfile_put(w, "t.u32", u32, sizeof u32, &e) < 0 ||
        xs__mfile_put(w, "t.empty", NULL, 0, &e) < 0) {
        xs__mfile_abort(w);
        return -1;
    }
    xs__mfile_meta m = {0};
    strcpy(m.store_id, "0123456789abcdef0123456789abcdef");
    strcpy(m.as_of, "2024-05-31");
    strcpy(m.built_at, "2024-06-01T10:20:30Z");
    strcpy(m.xsell_version, "9.9.9");
    m.data_version = 42;
    return xs__mfile_commit(w, &m, &e) < 0 ? -1 : 0;
}

static long file_size(void)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fclose(fp);
    return n;
}

static void patch(long off, const void *bytes, size_t n)
{
    FILE *fp = fopen(path, "r+b");
    if (!fp) return;
    fseek(fp, off, SEEK_SET);
    fwrite(bytes, 1, n, fp);
    fclose(fp);
}

/* Recomputes the checksum after a patch, so a test reaches the checks
 * behind it. */
static void fix_checksum(void)
{
    long n = file_size();
    unsigned char *b = malloc((size_t)n);
    FILE *fp = fopen(path, "rb");
    if (!b || !fp || fread(b, 1, (size_t)n, fp) != (size_t)n) {
        if (fp) fclose(fp);
        free(b);
        return;
    }
    fclose(fp);
    uint64_t sum = test_model_checksum(b, (size_t)n);
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(sum >> (8 * i));
    patch(40, le, 8);
    free(b);
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Opens path, expecting failure with code and the message "PATH: what". */
/* Returns the error's condition. */
static int expect_error(int code, const char *what)
{
    xs__mfile *f = NULL;
    xs_error e;
    char want[600], got[1024];
    CHECK_INT(xs__mfile_open(&f, path, &e), code);
    CHECK(f == NULL);
    snprintf(want, sizeof want, "%s: %s", path, what);
    CHECK_STR(xs_error_format(&e, got, sizeof got), want);
    return e.condition;
}

static void test_round_trip(void)
{
    set_path();
    CHECK_INT(write_sample(), 0);
    xs__mfile *f = NULL;
    xs_error e;
    CHECK_INT(xs__mfile_open(&f, path, &e), XS_OK);
    if (!f) return;
    CHECK_INT(xs__mfile_size(f), file_size());
    CHECK_STR(xs__mfile_path(f), path);
    const xs__mfile_meta *m = xs__mfile_meta_of(f);
    CHECK_STR(m->store_id, "0123456789abcdef0123456789abcdef");
    CHECK_STR(m->as_of, "2024-05-31");
    CHECK_STR(m->built_at, "2024-06-01T10:20:30Z");
    CHECK_STR(m->xsell_version, "9.9.9");
    CHECK_INT(m->data_version, 42);
    size_t n;
    const double *d = xs__mfile_get(f, "t.dbl", sizeof(double), &n);
    CHECK_INT(n, 5);
    CHECK(d && memcmp(d, dbl, sizeof dbl) == 0);
    CHECK_INT((uintptr_t)d % 64, 0);
    const uint32_t *u = xs__mfile_get(f, "t.u32", sizeof(uint32_t), &n);
    CHECK_INT(n, 7);
    CHECK(u && memcmp(u, u32, sizeof u32) == 0);
    CHECK_INT((uintptr_t)u % 64, 0);
    const char *t = xs__mfile_get(f, "t.text", 1, &n);
    CHECK_INT(n, 3);
    CHECK(t && memcmp(t, "abc", 3) == 0);
    CHECK_INT((uintptr_t)t % 64, 0);
    const void *p;
    CHECK_INT(xs__mfile_need(f, "t.empty", 8, 0, &p, &e), XS_OK);
    CHECK(p != NULL);
    CHECK_INT(xs__mfile_need(f, "t.u32", 4, SIZE_MAX, &p, &e), XS_OK);
    CHECK(p == u);
    /* missing section, wrong size */
    CHECK(xs__mfile_get(f, "t.none", 1, &n) == NULL);
    CHECK_INT(n, 0);
    char want[600], got[1024];
    CHECK_INT(xs__mfile_need(f, "t.none", 4, 1, &p, &e), XS_EPARSE);
    snprintf(want, sizeof want, "%s: section t.none: missing", path);
    CHECK_STR(xs_error_format(&e, got, sizeof got), want);
    CHECK_INT(xs__mfile_need(f, "t.text", 4, 1, &p, &e), XS_EPARSE);
    snprintf(want, sizeof want, "%s: section t.text: 3 bytes, expected 4", path);
    CHECK_STR(xs_error_format(&e, got, sizeof got), want);
    CHECK_INT(xs__mfile_need(f, "t.u32", 8, SIZE_MAX, &p, &e), XS_EPARSE);
    snprintf(want, sizeof want, "%s: section t.u32: 28 bytes, not a multiple of 8", path);
    CHECK_STR(xs_error_format(&e, got, sizeof got), want);
    CHECK(xs__mfile_get(f, "t.u32", 8, &n) == NULL);
    xs__mfile_close(f);
    xs__mfile_close(NULL);
    /* no temporary file left beside it */
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    CHECK(access(tmp, F_OK) != 0);
    unlink(path);
}

static void test_writer_errors(void)
{
    set_path();
    xs__mfile_writer *w;
    xs_error e;
    char want[600], got[1024];
    CHECK_INT(xs__mfile_create(&w, path, &e), XS_OK);
    CHECK_INT(xs__mfile_put(w, "a", "x", 1, &e), XS_OK);
    CHECK_INT(xs__mfile_put(w, "a", "y", 1, &e), XS_EINVAL);
    snprintf(want, sizeof want, "%s: section a written twice", path);
    CHECK_STR(xs_error_format(&e, got, sizeof got), want);
    CHECK_INT(xs__mfile_put(w, "abcdefghijabcdefghijabcdefghijab", "y", 1, &e), XS_EINVAL);
    snprintf(want, sizeof want,
             "%s: section name \"abcdefghijabcdefghijabcdefghijab\": must be 1 to 31 bytes", path);
    CHECK_STR(xs_error_format(&e, got, sizeof got), want);
    CHECK_INT(xs__mfile_put(w, "", "y", 1, &e), XS_EINVAL);
    xs__mfile_abort(w);
    xs__mfile_abort(NULL);
    CHECK(access(path, F_OK) != 0); /* abort leaves nothing */
    CHECK_INT(xs__mfile_create(&w, "/nonexistent-dir/m.xsm", &e), XS_EIO);
    snprintf(want, sizeof want,
             "/nonexistent-dir/m.xsm: cannot create /nonexistent-dir/m.xsm.tmp-%ld: No such file "
             "or directory",
             (long)getpid());
    CHECK_STR(xs_error_format(&e, got, sizeof got), want);
}

static void test_missing_file(void)
{
    set_path();
    unlink(path);
    expect_error(XS_ENOTFOUND, "no such model file");
}

static void test_truncated(void)
{
    set_path();
    CHECK_INT(write_sample(), 0);
    long n = file_size();
    CHECK_INT(truncate(path, n - 10), 0);
    char what[100];
    snprintf(what, sizeof what, "truncated: %ld of %ld bytes", n - 10, n);
    expect_error(XS_EPARSE, what);
    CHECK_INT(truncate(path, 100), 0);
    expect_error(XS_EPARSE, "truncated: 100 of 192 bytes");
    CHECK_INT(truncate(path, 5), 0);
    expect_error(XS_EPARSE, "not an xsell model file");
    CHECK_INT(truncate(path, 0), 0);
    expect_error(XS_EPARSE, "not an xsell model file");
    unlink(path);
}

static void test_flipped_byte(void)
{
    set_path();
    CHECK_INT(write_sample(), 0);
    unsigned char b = 0x5a; /* inside t.dbl's bytes */
    patch(200, &b, 1);
    expect_error(XS_EPARSE, "checksum mismatch (the file is corrupted)");
    CHECK_INT(write_sample(), 0);
    patch(90, &b, 1); /* inside the meta of the header */
    expect_error(XS_EPARSE, "checksum mismatch (the file is corrupted)");
    unlink(path);
}

static void test_bad_magic_and_version(void)
{
    set_path();
    CHECK_INT(write_sample(), 0);
    patch(0, "SQLite f", 8);
    expect_error(XS_EPARSE, "not an xsell model file");
    CHECK_INT(write_sample(), 0);
    unsigned char v[4];
    put_le(v, 3, 4);
    patch(8, v, 4);
    CHECK_INT(expect_error(XS_ESCHEMA, "format version 3, this xsell reads version 2"),
              XS_COND_MODEL_VERSION);
    unlink(path);
}

static void test_table_outside(void)
{
    set_path();
    unsigned char v[8];
    /* a section whose offset points past the table */
    CHECK_INT(write_sample(), 0);
    long n = file_size();
    long table = n - 4 * 48;
    put_le(v, (uint64_t)n + 64, 8);
    patch(table + 32, v, 8);
    fix_checksum();
    expect_error(XS_EPARSE, "section t.dbl: outside the data area (the file is corrupted)");
    /* a size running past the end */
    CHECK_INT(write_sample(), 0);
    put_le(v, UINT64_MAX - 8, 8);
    patch(table + 48 + 40, v, 8);
    fix_checksum();
    expect_error(XS_EPARSE, "section t.text: outside the data area (the file is corrupted)");
    /* the table itself outside the file */
    CHECK_INT(write_sample(), 0);
    put_le(v, (uint64_t)n * 2, 8);
    patch(32, v, 8);
    fix_checksum();
    expect_error(XS_EPARSE, "section table outside the file (the file is corrupted)");
    /* a section count the table cannot hold */
    CHECK_INT(write_sample(), 0);
    put_le(v, 1000, 4);
    patch(20, v, 4);
    fix_checksum();
    expect_error(XS_EPARSE, "section table outside the file (the file is corrupted)");
    /* two sections with one name */
    CHECK_INT(write_sample(), 0);
    patch(table + 48, "t.dbl", 6);
    fix_checksum();
    expect_error(XS_EPARSE, "section t.dbl: appears twice (the file is corrupted)");
    /* a name without its NUL */
    CHECK_INT(write_sample(), 0);
    patch(table, "abcdefghijabcdefghijabcdefghijab", 32);
    fix_checksum();
    expect_error(XS_EPARSE, "section table entry 0: bad name (the file is corrupted)");
    /* a larger file than the header says */
    CHECK_INT(write_sample(), 0);
    FILE *fp = fopen(path, "ab");
    if (fp) {
        fputs("tail", fp);
        fclose(fp);
    }
    char what[120];
    snprintf(what, sizeof what, "%ld bytes, the header says %ld (the file is corrupted)", n + 4,
             n);
    expect_error(XS_EPARSE, what);
    unlink(path);
}

static void test_intern_map(void)
{
    set_path();
    xs__intern t;
    xs__intern_init(&t);
    char key[32];
    /* enough strings to fill several 64 KiB blocks */
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        CHECK_INT(xs__intern_add(&t, key, strlen(key)), i);
    }
    const char *first = xs__intern_str(&t, 0);
    size_t big_len = 70000; /* longer than a block */
    char *big = malloc(big_len);
    if (!big) return;
    for (size_t i = 0; i < big_len; i++) big[i] = (char)('a' + i % 26);
    CHECK_INT(xs__intern_add(&t, big, big_len), 20000);
    CHECK(first == xs__intern_str(&t, 0)); /* adds never move a string */
    /* a string of the table itself, added again, and a prefix of it */
    CHECK_INT(xs__intern_add(&t, xs__intern_str(&t, 7), t.lens[7]), 7);
    CHECK_INT(xs__intern_add(&t, xs__intern_str(&t, 20000), 100), 20001);
    CHECK_INT(xs__intern_add(&t, "", 0), 20002);
    xs__mfile_writer *w;
    xs_error e;
    CHECK_INT(xs__mfile_create(&w, path, &e), XS_OK);
    CHECK_INT(xs__intern_save(&t, w, "t.ids", &e), XS_OK);
    CHECK_INT(xs__mfile_commit(w, NULL, &e), XS_OK);
    xs__mfile *f = NULL;
    CHECK_INT(xs__mfile_open(&f, path, &e), XS_OK);
    xs__intern m;
    CHECK_INT(xs__intern_map(&m, f, "t.ids", &e), XS_OK);
    CHECK_INT(m.n, t.n);
    CHECK_INT(m.mapped, 1);
    for (uint32_t i = 0; i < t.n; i++) {
        CHECK_INT(m.lens[i], t.lens[i]);
        CHECK(memcmp(xs__intern_str(&m, i), xs__intern_str(&t, i), t.lens[i] + 1) == 0);
        CHECK_INT(xs__intern_find(&m, xs__intern_str(&t, i), t.lens[i]), i);
    }
    CHECK_INT(xs__intern_find(&m, "key-20000", 9), XS_INTERN_NONE);
    CHECK_INT(xs__intern_add(&m, "key-20000", 9), XS_INTERN_NONE); /* read-only */
    char want[600], got[1024];
    CHECK_INT(xs__intern_map(&m, f, "t.none", &e), XS_EPARSE);
    snprintf(want, sizeof want, "%s: section t.none.pool: missing", path);
    CHECK_STR(xs_error_format(&e, got, sizeof got), want);
    xs__intern_free(&m);
    xs__mfile_close(f);
    xs__intern_free(&t);
    free(big);
    unlink(path);
}

/* The writer's buffer (mfile.c, BUF_BYTES) and block. */
#define T_BUF (4u << 20)
#define T_BLOCK 4096u

/* Writes sections of the given sizes (bytes from a fixed sequence) and
 * compares the whole file after its header with the layout of docs/model.md
 * built here: sections at multiples of 64, zeros between, the table. */
static void check_sizes(const size_t *sizes, size_t n)
{
    set_path();
    size_t total = 192;
    for (size_t i = 0; i < n; i++) total = (total + 63) / 64 * 64 + sizes[i];
    size_t table = (total + 63) / 64 * 64, want_size = table + 48 * n;
    unsigned char *ref = calloc(want_size, 1), *got = malloc(want_size + 1);
    size_t most = 0;
    for (size_t i = 0; i < n; i++) most = sizes[i] > most ? sizes[i] : most;
    unsigned char *data = malloc(most + 1);
    if (!ref || !got || !data) {
        CHECK(0);
        goto done;
    }
    xs__mfile_writer *w;
    xs_error e;
    CHECK_INT(xs__mfile_create(&w, path, &e), XS_OK);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    size_t pos = 192;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizes[i]; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            data[k] = (unsigned char)x;
        }
        char name[32];
        snprintf(name, sizeof name, "s.%zu", i);
        CHECK_INT(xs__mfile_put(w, name, data, sizes[i], &e), XS_OK);
        pos = (pos + 63) / 64 * 64;
        memcpy(ref + pos, data, sizes[i]);
        unsigned char *t = ref + table + 48 * i;
        memcpy(t, name, strlen(name));
        for (int b = 0; b < 8; b++) {
            t[32 + b] = (unsigned char)((uint64_t)pos >> (8 * b));
            t[40 + b] = (unsigned char)((uint64_t)sizes[i] >> (8 * b));
        }
        pos += sizes[i];
    }
    CHECK_INT(xs__mfile_commit(w, NULL, &e), XS_OK);
    CHECK_INT(file_size(), want_size);
    FILE *fp = fopen(path, "rb");
    size_t k = fp ? fread(got, 1, want_size + 1, fp) : 0;
    if (fp) fclose(fp);
    CHECK_INT(k, want_size);
    CHECK(k == want_size && memcmp(got + 192, ref + 192, want_size - 192) == 0);
    uint64_t sum = 0; /* the checksum field, against the rule's */
    for (int b = 7; b >= 0; b--) sum = (sum << 8) | got[40 + b];
    CHECK(k == want_size && sum == test_model_checksum(got, want_size));
    xs__mfile *f = NULL;
    CHECK_INT(xs__mfile_open(&f, path, &e), XS_OK); /* header and checksum */
    xs__mfile_close(f);
    /* a byte changed in the body's last piece: the readers' hashing of
     * every piece sees it */
    unsigned char flip = (unsigned char)(got[want_size - 50] ^ 0x20);
    patch((long)want_size - 50, &flip, 1);
    CHECK_INT(xs__mfile_open(&f, path, &e), XS_EPARSE);
    xs__mfile_close(f);
done:
    free(ref);
    free(got);
    free(data);
    unlink(path);
}

static void test_block_sizes(void)
{
    const size_t tiny[] = {1}, one_block[] = {3000}, exact[] = {7952};
    const size_t two[] = {5000, 7}, buf[] = {T_BUF - 1000, 3000};
    const size_t big[] = {3 * T_BUF + 17, 1, 3 * T_BLOCK};
    check_sizes(tiny, 1);
    check_sizes(one_block, 1);
    check_sizes(exact, 1); /* a file of exactly two blocks */
    check_sizes(two, 2);
    check_sizes(buf, 2);
    check_sizes(big, 3);
    /* bodies around the checksum's pieces: three sections of 64 bytes and
     * the table's 192 bytes leave the fourth section TEST_MODEL_PIECE - 384
     * for a body of exactly one piece */
    const size_t p0 = TEST_MODEL_PIECE - 384;
    const size_t under[] = {64, 64, 64, p0 - 64}, at[] = {64, 64, 64, p0};
    const size_t over[] = {64, 64, 64, p0 + 1};
    const size_t three[] = {64, 64, 64, 2 * TEST_MODEL_PIECE + 5};
    check_sizes(under, 4);
    check_sizes(at, 4);
    check_sizes(over, 4);
    check_sizes(three, 4);
}

int main(void)
{
    static const xs_test tests[] = {
        {"round_trip", test_round_trip},
        {"writer_errors", test_writer_errors},
        {"missing_file", test_missing_file},
        {"truncated", test_truncated},
        {"flipped_byte", test_flipped_byte},
        {"bad_magic_and_version", test_bad_magic_and_version},
        {"table_outside", test_table_outside},
        {"intern_map", test_intern_map},
        {"block_sizes", test_block_sizes},
    };
    return xs_test_run(tests, XS_N(tests));
}
