/*
 * fuzz_map.c — libFuzzer target for the --map option of `xsell import`
 * (THEIRS=OURS: a column of the file read as one of the table's fields;
 * src/io/import.c), checked against what it means: renaming the column in
 * the file's header.
 *
 * Input: byte 0 = the number of maps (low 2 bits, 0..3), byte 1 = the
 * table (modulo the number of tables); then that many lines, each one
 * --map value, then a CSV file. Checked:
 *   - a malformed map (no '=', an empty side, OURS not a field of the
 *     table) fails the import with XS_EINVAL on column "--map", writing
 *     nothing (every failed import leaves the store as it was);
 *   - otherwise the import with the maps and the import of the file whose
 *     header has the maps applied by hand (the first map whose THEIRS is
 *     the column's name renames it) agree: the same result code, the same
 *     counts, the same store afterwards. This needs a header this target
 *     can rewrite (printable ASCII without quotes); other inputs are only
 *     run.
 * Any violation aborts. The store is fuzz_store.h's.
 *
 * Run: `make fuzz`, or build-fuzz/fuzz_map on a copy of
 * tests/fuzz/corpus/map.
 */
#define FZ_NAME "fuzz_map"
#include "fuzz_store.h"

#include "io/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MAPS 3

typedef struct outcome {
    int rc;
    xs_import_result r;
    fz_state_t after;
    char column[64];
} outcome;

/* Imports file k into table t with the maps; records the outcome and puts
 * the store back. */
static void run(int k, xs_table_id t, const char *const *maps, size_t n_maps,
                outcome *out)
{
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = t;
    o.format = XS_IO_CSV;
    o.maps = maps;
    o.n_maps = n_maps;
    o.max_errors = 0;
    xs_error e;
    memset(&e, 0, sizeof e);
    memset(&out->r, 0, sizeof out->r);
    out->rc = xs_import_file(fz_st, fz_path(k), &o, &out->r, &e);
    snprintf(out->column, sizeof out->column, "%s", e.column);
    fz_state(&out->after);
    if (out->rc != XS_OK) {
        CHECK_OR_DIE(
            !memcmp(out->after.digest, fz_tmpl_state.digest, sizeof out->after.digest));
    } else {
        fz_restore_changed(&out->after);
    }
}

/* 1 when the map is well formed for table t: THEIRS=OURS, both sides
 * non-empty, OURS a field of the table (split at the first '='). */
static int map_ok(const char *m, xs_table_id t)
{
    const char *eq = strchr(m, '=');
    if (!eq || eq == m || !eq[1]) return 0;
    const xs__io_table_spec *sp = xs__io_validate_spec(t);
    for (size_t i = 0; i < sp->n_fields; i++)
        if (!strcmp(sp->fields[i].name, eq + 1)) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init();
    if (size < 2 || size > 4096) return 0;
    size_t n_maps = data[0] & 3;
    xs_table_id t = (xs_table_id)(data[1] % XS_N_TABLES);
    const char *p = (const char *)data + 2, *end = (const char *)data + size;
    char mapbuf[MAX_MAPS][256];
    const char *maps[MAX_MAPS];
    for (size_t i = 0; i < n_maps; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return 0;
        size_t n = (size_t)(nl - p);
        if (n >= sizeof mapbuf[i] || memchr(p, '\0', n)) return 0;
        memcpy(mapbuf[i], p, n);
        mapbuf[i][n] = 0;
        maps[i] = mapbuf[i];
        p = nl + 1;
    }
    size_t n_file = (size_t)(end - p);
    fz_write(0, p, n_file);
    outcome with;
    run(0, t, maps, n_maps, &with);

    int all_ok = 1;
    for (size_t i = 0; i < n_maps; i++)
        all_ok &= map_ok(maps[i], t);
    if (!all_ok) {
        CHECK_OR_DIE(with.rc == XS_EINVAL && !strcmp(with.column, "--map"));
        return 0;
    }

    /* the header with the maps applied by hand */
    const char *nl = memchr(p, '\n', n_file);
    size_t n_head = nl ? (size_t)(nl - p) : n_file;
    /* printable ASCII only: no quoting, no byte-order mark, nothing the
     * reader would change in a name */
    if (!n_head) return 0;
    for (size_t i = 0; i < n_head; i++)
        if (p[i] <= ' ' || p[i] > '~' || p[i] == '"') return 0;
    char *renamed = malloc(n_file + n_maps * 256 + 1);
    CHECK_OR_DIE(renamed);
    size_t w = 0;
    for (const char *f = p; f <= p + n_head;) {
        const char *c = memchr(f, ',', (size_t)(p + n_head - f));
        if (!c) c = p + n_head;
        size_t fl = (size_t)(c - f);
        const char *name = f;
        size_t nl2 = fl;
        for (size_t i = 0; i < n_maps; i++) {
            const char *eq = strchr(maps[i], '=');
            if ((size_t)(eq - maps[i]) == fl && !memcmp(maps[i], f, fl)) {
                name = eq + 1;
                nl2 = strlen(eq + 1);
                break;
            }
        }
        memcpy(renamed + w, name, nl2);
        w += nl2;
        if (c < p + n_head) renamed[w++] = ',';
        f = c + 1;
    }
    memcpy(renamed + w, p + n_head, n_file - n_head);
    w += n_file - n_head;
    fz_write(1, renamed, w);
    free(renamed);
    outcome plain;
    run(1, t, NULL, 0, &plain);
    /* a header naming a column twice is refused by the reader (XS_EPARSE)
     * when the file says so, by the importer (XS_EREJECT) when the maps do */
    int both_dup = (with.rc == XS_EREJECT || with.rc == XS_EPARSE) &&
                   (plain.rc == XS_EREJECT || plain.rc == XS_EPARSE);
    CHECK_OR_DIE(with.rc == plain.rc || both_dup);
    CHECK_OR_DIE(with.r.read == plain.r.read && with.r.inserted == plain.r.inserted &&
                 with.r.updated == plain.r.updated &&
                 with.r.unchanged == plain.r.unchanged &&
                 with.r.rejected == plain.r.rejected);
    CHECK_OR_DIE(
        !memcmp(with.after.digest, plain.after.digest, sizeof with.after.digest));
    return 0;
}
