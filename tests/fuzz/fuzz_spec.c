/*
 * fuzz_spec.c — libFuzzer target for `xsell import --spec`: the mapping
 * spec parser and the wide-export import behind it (src/io/spec.c,
 * xs_import_spec; docs/import-spec.md).
 *
 * Input: the spec (JSON), a NUL byte, then the wide CSV file; without a
 * NUL the whole input is the spec and the file is empty. Checked:
 *   - the result code is one of the documented ones; a spec that is not
 *     JSON fails with XS_EPARSE located at SPEC:LINE:COL;
 *   - a failed import leaves the store exactly as it was (counts and a
 *     digest of every value of every table);
 *   - a successful one changed only products, customers and
 *     subscriptions, each by what the result says it inserted; its counts
 *     add up (inserted + updated + unchanged + rejected = read), and the
 *     subscriptions it wrote are the active plus the ended ones;
 *   - nothing leaks and no bad access happens (ASan / UBSan).
 * Any violation aborts. The store is fuzz_store.h's.
 *
 * Run: `make fuzz`, or build-fuzz/fuzz_spec on a copy of
 * tests/fuzz/corpus/spec.
 */
#define FZ_NAME "fuzz_spec"
#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sum_ok(const xs_import_result *r)
{
    CHECK_OR_DIE(r->inserted + r->updated + r->unchanged + r->rejected == r->read);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init();
    if (size > 8192) return 0;
    const uint8_t *nul = memchr(data, 0, size);
    size_t n_spec = nul ? (size_t)(nul - data) : size;
    fz_write(0, data, n_spec);
    fz_write(1, nul ? nul + 1 : data, nul ? size - n_spec - 1 : 0);
    xs_import_options o;
    xs_import_options_init(&o);
    o.format = XS_IO_CSV;
    o.max_errors = 0;
    xs_spec_result res;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = xs_import_spec(fz_st, fz_path(0), fz_path(1), &o, &res, &e);
    CHECK_OR_DIE(rc == XS_OK || rc == XS_EPARSE || rc == XS_EINVAL || rc == XS_EREJECT ||
                 rc == XS_EIO);
    fz_state_t after;
    fz_state(&after);
    const fz_state_t *before = &fz_tmpl_state;
    if (rc == XS_EPARSE && !strncmp(e.file, fz_path(0), strlen(fz_path(0)))) {
        /* the spec: SPEC:LINE:COL (the CSV's header may be the culprit too) */
        CHECK_OR_DIE(e.file[strlen(fz_path(0))] == ':');
    }
    if (rc != XS_OK) {
        CHECK_OR_DIE(!memcmp(before->digest, after.digest, sizeof after.digest));
    } else {
        for (int t = 0; t < XS_N_TABLES; t++)
            if (t != XS_T_PRODUCTS && t != XS_T_CUSTOMERS && t != XS_T_SUBSCRIPTIONS)
                CHECK_OR_DIE(after.digest[t] == before->digest[t]);
        sum_ok(&res.products);
        sum_ok(&res.customers);
        sum_ok(&res.subscriptions);
        CHECK_OR_DIE(after.count[XS_T_PRODUCTS] ==
                     before->count[XS_T_PRODUCTS] + (long long)res.products.inserted);
        CHECK_OR_DIE(after.count[XS_T_CUSTOMERS] ==
                     before->count[XS_T_CUSTOMERS] + (long long)res.customers.inserted);
        CHECK_OR_DIE(after.count[XS_T_SUBSCRIPTIONS] ==
                     before->count[XS_T_SUBSCRIPTIONS] +
                         (long long)res.subscriptions.inserted);
        CHECK_OR_DIE(res.active + res.ended == res.subscriptions.read);
        fz_restore_changed(&after);
    }
    xs_spec_result_free(&res);
    return 0;
}
