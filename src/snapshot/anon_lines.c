/*
 * anon_lines.c — reading the anonymous order lines of one order-id shard
 * (see anon_lines.h) through the store's row API, in the table's key
 * order (order_id, product_id), which is the order the baskets read them.
 */
#include "snapshot/anon_lines.h"
#include "store/rows.h"

#include "base/alloc.h"
#include "base/error.h"

#include <string.h>

/* Contract in anon_lines.h. */
int xs__snapshot_anon_lines_load(xs_store *st, uint32_t shard, uint32_t n_shards,
                                 xs__snapshot_anon_lines *out, xs_error *err)
{
    static const char *const cols[] = {"order_id", "product_id"};
    size_t cap_off = 0, cap_chars = 0;
    xs__store_rows r = {0};
    memset(out, 0, sizeof *out);
    int rc = xs__store_rows_open(st, XS_T_ANONYMOUS_ORDERS, cols, 2, NULL, &r, err);
    while (rc == XS_OK && (rc = xs__store_rows_next(&r, err)) == 1) {
        const char *o = xs__store_rows_text(&r, 0);
        size_t lo = o ? xs__store_rows_bytes(&r, 0) : 0;
        if (xs_shard_of(o ? o : "", lo, n_shards) != shard) {
            rc = XS_OK;
            continue;
        }
        const char *p = xs__store_rows_text(&r, 1);
        size_t lp = p ? xs__store_rows_bytes(&r, 1) : 0;
        if (xs__grow(&out->off, &cap_off, out->n + 1, sizeof *out->off) < 0 ||
            xs__grow(&out->chars, &cap_chars, out->n_chars + lo + lp + 2, 1) < 0) {
            rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        out->off[out->n++] = out->n_chars;
        if (lo) memcpy(out->chars + out->n_chars, o, lo);
        out->chars[out->n_chars + lo] = '\0';
        if (lp) memcpy(out->chars + out->n_chars + lo + 1, p, lp);
        out->chars[out->n_chars + lo + 1 + lp] = '\0';
        out->n_chars += lo + lp + 2;
        rc = XS_OK;
    }
    xs__store_rows_close(&r);
    if (rc < 0) {
        xs__snapshot_anon_lines_free(out);
        return rc;
    }
    return XS_OK;
}

/* Contract in anon_lines.h. */
void xs__snapshot_anon_lines_free(xs__snapshot_anon_lines *a)
{
    if (!a) return;
    if (!a->mapped) {
        xs__free(a->off);
        xs__free(a->chars);
    }
    memset(a, 0, sizeof *a);
}
