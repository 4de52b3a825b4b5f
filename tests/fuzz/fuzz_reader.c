/*
 * fuzz_reader.c — libFuzzer target for the record readers (src/io/reader.c)
 * and, through a round trip, the CSV writer (src/io/writer.c).
 *
 * The first input byte picks the CSV delimiter and the read buffer size (a
 * few bytes, so records straddle refills, or the default 1 MiB); the rest is
 * written to a temporary file and read to the end as CSV and as JSON Lines,
 * touching every byte of every value so that ASan sees any bad pointer.
 * Then every CSV record that was read without error is written again with
 * xs__io_writer and read back: the values must come back unchanged.
 *
 * Build and run (from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -std=c11 -D_POSIX_C_SOURCE=200809L -DXS_VERSION='"0.1.0"' -Iinclude -Isrc \
 *     tests/fuzz/fuzz_reader.c src/io/reader.c src/io/writer.c src/base/alloc.c \
 *     src/base/error.c src/base/intern.c src/base/arena.c src/base/hash.c \
 *     -ljansson -lm -o /tmp/fuzz_reader
 *   mkdir -p /tmp/fuzz_corpus
 *   /tmp/fuzz_reader -max_total_time=60 -max_len=4096 /tmp/fuzz_corpus
 */
#include "base/alloc.h"
#include "io/reader.h"
#include "io/writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 100000

static char in_path[64], out_path[64];

static void remove_files(void)
{
    unlink(in_path);
    unlink(out_path);
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    if (fclose(f) != 0) abort();
}

/* Reads everything; returns a checksum of the values (keeps reads live). */
static unsigned read_all(const char *path, xs__io_input_format fmt, char delim)
{
    xs__io_reader *r;
    xs_error e;
    unsigned sum = 0;
    if (xs__io_reader_open(&r, path, fmt, delim, &e) < 0) return 0;
    for (size_t i = 0; i < xs__io_reader_n_fields(r); i++)
        sum += (unsigned)strlen(xs__io_reader_field_name(r, i));
    for (int n = 0; n < MAX_RECORDS; n++) {
        const xs__field *f;
        long line;
        int rc = xs__io_reader_next(r, &f, &line, &e);
        if (rc == 0) break;
        if (rc < 0) {
            if (rc != XS_EPARSE) abort(); /* nothing else may fail on a file */
            if (e.line < 1) abort();
            continue;
        }
        if (line < 1) abort();
        for (size_t i = 0; i < xs__io_reader_n_fields(r); i++)
            for (size_t j = 0; j < f[i].len; j++) sum += (unsigned char)f[i].ptr[j];
    }
    xs__io_reader_close(r);
    return sum;
}

/* CSV: good records -> writer -> reader must give the same values. */
static void csv_round_trip(char delim)
{
    xs__io_reader *r, *back = NULL;
    xs__io_writer *w;
    xs_error e;
    if (xs__io_reader_open(&r, in_path, XS_INPUT_CSV, delim, &e) < 0) return;
    size_t n = xs__io_reader_n_fields(r);
    const char **names = malloc((n + 1) * sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = xs__io_reader_field_name(r, i);
    if (xs__io_writer_open(&w, out_path, XS_INPUT_CSV, delim, &e) < 0) abort();
    if (xs__io_writer_header(w, names, NULL, n) != XS_OK) abort();
    const xs__field *f;
    long line;
    int rc, kept = 0;
    for (int k = 0; k < MAX_RECORDS && (rc = xs__io_reader_next(r, &f, &line, &e)) != 0;
         k++) {
        if (rc < 0) continue;
        if (xs__io_writer_row(w, f, n) != XS_OK) abort();
        kept++;
    }
    if (xs__io_writer_close(w, &e) != XS_OK) abort();
    xs__io_reader_close(r);

    /* second pass over the input, in step with the rewritten file */
    if (xs__io_reader_open(&r, in_path, XS_INPUT_CSV, delim, &e) < 0) abort();
    if (xs__io_reader_open(&back, out_path, XS_INPUT_CSV, delim, &e) < 0) abort();
    if (xs__io_reader_n_fields(back) != n) abort();
    for (size_t i = 0; i < n; i++)
        if (strcmp(xs__io_reader_field_name(back, i), xs__io_reader_field_name(r, i)))
            abort();
    for (int k = 0; k < MAX_RECORDS && (rc = xs__io_reader_next(r, &f, &line, &e)) != 0;
         k++) {
        if (rc < 0) continue;
        const xs__field *g;
        if (xs__io_reader_next(back, &g, &line, &e) != 1) abort();
        for (size_t i = 0; i < n; i++)
            if (g[i].len != f[i].len || memcmp(g[i].ptr, f[i].ptr, f[i].len)) abort();
        kept--;
    }
    if (kept != 0 || xs__io_reader_next(back, &f, &line, &e) != 0) abort();
    xs__io_reader_close(back);
    xs__io_reader_close(r);
    free(names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[] = {',', ';', '\t', '|'};
    static const size_t bufs[] = {0, 1, 2, 3, 7, 16, 64, 0};
    if (!in_path[0]) {
        snprintf(in_path, sizeof in_path, "/tmp/xs_fuzz_in_%ld", (long)getpid());
        snprintf(out_path, sizeof out_path, "/tmp/xs_fuzz_out_%ld", (long)getpid());
        atexit(remove_files);
    }
    if (size == 0) return 0;
    char delim = delims[data[0] & 3];
    xs__io_reader_test_buffer_size(bufs[(data[0] >> 2) & 7]);
    write_file(in_path, data + 1, size - 1);
    volatile unsigned sum = read_all(in_path, XS_INPUT_CSV, delim);
    sum += read_all(in_path, XS_INPUT_JSONL, delim);
    (void)sum;
    /* names are C strings: a NUL inside a header name cannot round-trip */
    if (!memchr(data + 1, '\0', size - 1)) csv_round_trip(delim);
    return 0;
}
