/*
 * fuzz_model.c — libFuzzer target for opening model files (xs_model_open:
 * src/base/mfile.c, src/snapshot/snapshot_io.c and every module's map
 * function), which must refuse any damaged file with an error and never
 * read outside the mapping.
 *
 * Input: byte 0 selects the mode.
 *   - bit 0 clear: the rest of the input is the file, as is (the container's
 *     header, table and checksum checks).
 *   - bit 0 set: the rest is a list of patches, 5 bytes each (offset u32
 *     little-endian, modulo the template's size, and a byte XORed in) applied
 *     to a real model file built at start-up from fuzz_store.h's template
 *     store; with bit 1 set too the header's checksum is then recomputed,
 *     so that damage inside sections reaches the module map functions (a
 *     checksum mismatch would stop it first).
 * A file that opens with its own checksum is then used: every customer
 * decided, the target list paged, the customer scores rendered. One whose
 * checksum was recomputed here is only opened: the checksum guards against
 * damage, and the values inside a section behind a valid one are trusted
 * (docs/model.md), so the map functions must survive any bytes (sizes,
 * counts, offsets they read) but the engine is not asked to decide on
 * impossible values. Any crash or sanitizer report fails.
 *
 * Run: `make fuzz`, or build-fuzz/fuzz_model on a copy of
 * tests/fuzz/corpus/model.
 */
#define FZ_NAME "fuzz_model"
#include "fuzz_store.h"
#include "../unit/model_checksum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *tmpl; /* the template model file */
static size_t n_tmpl;
static unsigned char *work;

static void load_template(void)
{
    if (tmpl) return;
    fz_init();
    xs_model *m = NULL;
    xs_error e;
    CHECK_OR_DIE(xs_model_build(fz_st, NULL, &m, &e) == XS_OK);
    CHECK_OR_DIE(xs_model_save(m, fz_path(1), &e) == XS_OK);
    xs_model_free(m);
    FILE *f = fopen(fz_path(1), "rb");
    CHECK_OR_DIE(f);
    fseek(f, 0, SEEK_END);
    n_tmpl = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    tmpl = malloc(n_tmpl);
    work = malloc(n_tmpl);
    CHECK_OR_DIE(tmpl && work && fread(tmpl, 1, n_tmpl, f) == n_tmpl);
    fclose(f);
}

/* Recomputes the header's checksum (tests/unit/model_checksum.h). */
static void fix_checksum(unsigned char *b, size_t n)
{
    if (n < 192) return;
    uint64_t sum = test_model_checksum(b, n);
    for (int i = 0; i < 8; i++) b[40 + i] = (unsigned char)(sum >> (8 * i));
}

/* Uses an opened model the way the readers do. */
static void use(const xs_model *m)
{
    xs_offer_engine *en = xs_model_engine(m);
    const xs_snapshot *s = xs_model_snapshot(m);
    CHECK_OR_DIE(s != NULL);
    if (en) {
        xs_offer o[XS_OFFER_MAX_CANDIDATES];
        size_t n = xs_offer_engine_n_customers(en);
        for (size_t c = 0; c < n; c++)
            xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
        size_t nt;
        const xs_target *t = xs_model_targets(m, &nt);
        xs_table *tab = xs_table_new();
        if (tab) xs_offer_targets_page(en, t, nt, 0, 0, tab);
        xs_table_free(tab);
    }
    const xs_customer_scores *cs = xs_model_scores(m);
    if (cs) {
        xs_table *tab = xs_table_new();
        if (tab) xs_customer_scores_table(cs, XS_SEG_N, XS_CUST_SORT_ID, 0, tab);
        xs_table_free(tab);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_template();
    if (size < 1) return 0;
    const unsigned char *file = data + 1;
    size_t n_file = size - 1;
    if (data[0] & 1) {
        memcpy(work, tmpl, n_tmpl);
        for (size_t i = 1; i + 5 <= size; i += 5) {
            uint32_t off = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
                           (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
            work[off % n_tmpl] ^= data[i + 4];
        }
        if (data[0] & 2) fix_checksum(work, n_tmpl);
        file = work;
        n_file = n_tmpl;
    }
    fz_write(0, file, n_file);
    xs_model *m = NULL;
    xs_error e;
    int rc = xs_model_open(fz_path(0), &m, &e);
    CHECK_OR_DIE((rc == XS_OK) == (m != NULL));
    if (m && !(data[0] & 2)) use(m);
    xs_model_free(m);
    return 0;
}
