/*
 * test_mine_io.c — baskets, frequently-bought-together and rules in a model
 * file (src/mine/mine_io.c) on the edge cases the generated store of
 * test_engine_io.c does not reach: no basket at all, only empty baskets,
 * FIMI baskets with numeric names, a together model with and without every
 * co-occurrence kept, rules with several consequents. After a round trip:
 * the baskets byte for byte, every name, every neighbour list and cart
 * query, every rule. Errors: a model without these sections
 * (XS_ENOTFOUND, exact message), rules or a together model mapped with
 * other baskets (XS_EPARSE, exact message); every allocation of the maps
 * failed in turn (XS_ENOMEM, nothing leaked).
 */
#include "xsell.h"

#include "base/alloc.h"
#include "base/mfile.h"
#include "mine/baskets.h"
#include "mine/mine_io.h"
#include "test.h"

#include <stdint.h>
#include <unistd.h>

static char dir[64];

static void fail(const char *what, const xs_error *e)
{
    char msg[1024];
    fprintf(stderr, "%s: %s\n", what, xs_error_format(e, msg, sizeof msg));
    exit(1);
}

static xs__mfile_meta meta_of(void)
{
    xs__mfile_meta m;
    memset(&m, 0, sizeof m);
    snprintf(m.as_of, sizeof m.as_of, "2026-01-01");
    return m;
}

/* Baskets from "a b c|b c|" (| ends a basket, an empty one included). */
static xs_baskets *baskets_of(const char *spec)
{
    xs_baskets *b = xs_baskets_new();
    char name[32];
    size_t k = 0;
    for (const char *p = spec; *p; p++) {
        if (*p == ' ' || *p == '|') {
            if (k) {
                name[k] = '\0';
                if (xs_baskets_add(b, name) < 0) abort();
                k = 0;
            }
            if (*p == '|' && xs_baskets_end(b) < 0) abort();
        } else if (k + 1 < sizeof name) {
            name[k++] = *p;
        }
    }
    return b;
}

static int same_baskets(const xs_baskets *a, const xs_baskets *b)
{
    if (a->n_tx != b->n_tx || a->n_items_total != b->n_items_total ||
        a->names.n != b->names.n)
        return 0;
    if (a->n_tx && memcmp(a->off, b->off, (a->n_tx + 1) * sizeof *a->off)) return 0;
    if (a->n_items_total &&
        memcmp(a->items, b->items, a->n_items_total * sizeof *a->items))
        return 0;
    for (uint32_t i = 0; i < a->names.n; i++) {
        uint32_t id;
        if (strcmp(xs_baskets_item_name(a, i), xs_baskets_item_name(b, i)) ||
            xs_baskets_find_item(b, xs_baskets_item_name(a, i), &id) < 0 || id != i)
            return 0;
    }
    return 1;
}

/* Hits equal field by field (their padding is not). */
static int same_hits(const xs_together_hit *a, const xs_together_hit *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i].item != b[i].item || a[i].score != b[i].score ||
            a[i].count != b[i].count)
            return 0;
    return 1;
}

/* Every neighbour list and a cart per item, top-k and (kept counts) exact. */
static int same_together(const xs_together *a, const xs_together *b, int exact)
{
    size_t n = xs_together_n_items(a);
    if (n != xs_together_n_items(b)) return 0;
    xs_together_query *qa = NULL, *qb = NULL;
    if (xs_together_query_new(a, &qa) < 0 || xs_together_query_new(b, &qb) < 0) abort();
    xs_together_hit ha[16], hb[16];
    int ok = 1;
    for (uint32_t i = 0; ok && i < n; i++) {
        ok &= !strcmp(xs_together_item_name(a, i), xs_together_item_name(b, i));
        int na = xs_together_item(a, i, ha, 16), nb = xs_together_item(b, i, hb, 16);
        ok &= na == nb && same_hits(ha, hb, na);
        uint32_t cart[2] = {i, (i + 1) % (uint32_t)n};
        na = xs_together_cart(a, qa, cart, 2, ha, 16);
        nb = xs_together_cart(b, qb, cart, 2, hb, 16);
        ok &= na == nb && same_hits(ha, hb, na);
        na = xs_together_cart_exact(a, qa, cart, 2, ha, 16);
        nb = xs_together_cart_exact(b, qb, cart, 2, hb, 16);
        ok &= na == nb && (exact ? na >= 0 : na == XS_EINVAL);
        ok &= same_hits(ha, hb, na);
    }
    xs_together_query_free(qa);
    xs_together_query_free(qb);
    return ok;
}

static int same_rules(const xs_rules *a, const xs_rules *b)
{
    if (xs_rules_n(a) != xs_rules_n(b) || xs_rules_total(a) != xs_rules_total(b))
        return 0;
    for (size_t i = 0; i < xs_rules_n(a); i++) {
        xs_rule x, y;
        xs_rules_get(a, i, &x);
        xs_rules_get(b, i, &y);
        if (x.n_lhs != y.n_lhs || x.n_rhs != y.n_rhs ||
            memcmp(x.lhs, y.lhs, x.n_lhs * sizeof *x.lhs) ||
            memcmp(x.rhs, y.rhs, x.n_rhs * sizeof *x.rhs) || x.count != y.count ||
            x.lhs_count != y.lhs_count || x.rhs_count != y.rhs_count ||
            x.n_tx != y.n_tx || x.support != y.support || x.confidence != y.confidence ||
            x.lift != y.lift || x.leverage != y.leverage ||
            x.conviction != y.conviction || x.coverage != y.coverage)
            return 0;
    }
    return 1;
}

/* Builds together (keep_counts as given) and rules on b, saves all three,
 * maps them back and compares. */
static void round_trip(xs_baskets *b, int keep_counts, int multi_rhs)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_together_opts to = {
        .measure = XS_SIM_LIFT, .top_k = 3, .keep_counts = keep_counts};
    xs_together *t = NULL;
    if (xs_together_build(b, &to, &t, &e) < 0) fail("together", &e);
    xs_rule_opts ro;
    xs_rule_opts_init(&ro);
    ro.mine.min_count = 1;
    ro.multi_rhs = multi_rhs;
    xs_rules *r = NULL;
    if (xs_rules_mine(&r, b, &ro, &e) < 0) fail("rules", &e);
    char path[128];
    snprintf(path, sizeof path, "%s/m.xsm", dir);
    xs__mfile_writer *w = NULL;
    xs__mfile_meta meta = meta_of();
    if (xs__mfile_create(&w, path, &e) < 0 || xs__mine_baskets_save(b, w, &e) < 0 ||
        xs__mine_together_save(t, w, &e) < 0 || xs__mine_rules_save(r, w, &e) < 0 ||
        xs__mfile_commit(w, &meta, &e) < 0)
        fail("save", &e);
    xs__mfile *f = NULL;
    xs_baskets *mb = NULL;
    xs_together *mt = NULL;
    xs_rules *mr = NULL;
    if (xs__mfile_open(&f, path, &e) < 0 || xs__mine_baskets_map(f, &mb, &e) < 0 ||
        xs__mine_together_map(f, mb, &mt, &e) < 0 ||
        xs__mine_rules_map(f, mb, &mr, &e) < 0)
        fail("map", &e);
    CHECK(same_baskets(b, mb));
    CHECK(same_together(t, mt, keep_counts));
    CHECK(same_rules(r, mr));
    CHECK_INT(xs_baskets_end(mb), XS_EINVAL); /* read-only */
    xs_rules_free(mr);
    xs_together_free(mt);
    xs_baskets_free(mb);
    xs__mfile_close(f);
    xs_rules_free(r);
    xs_together_free(t);
}

static void test_no_baskets(void)
{
    xs_baskets *b = xs_baskets_new();
    round_trip(b, 1, 0);
    xs_baskets_free(b);
    b = baskets_of("|||");
    round_trip(b, 0, 0);
    xs_baskets_free(b);
}

static void test_fimi(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char path[600];
    snprintf(path, sizeof path, "%s/tests/data/mine/small.dat", src ? src : ".");
    xs_baskets *b = NULL;
    xs_error e;
    if (xs_baskets_read(&b, path, XS_BASKETS_FIMI, &e) < 0) fail(path, &e);
    CHECK(xs_baskets_n_tx(b) > 5);
    round_trip(b, 1, 0);
    round_trip(b, 0, 1);
    xs_baskets_free(b);
    b = baskets_of("milk bread|bread butter jam||milk butter|jam bread milk|tea|");
    round_trip(b, 1, 1);
    xs_baskets_free(b);
}

static void test_errors(void)
{
    char path[128], msg[512], want[512];
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_baskets *b = baskets_of("a b|b c|a c|");
    xs_baskets *other = baskets_of("a b|b c|a c|c d|");
    snprintf(path, sizeof path, "%s/e.xsm", dir);
    xs__mfile_writer *w = NULL;
    xs__mfile_meta meta = meta_of();
    if (xs__mfile_create(&w, path, &e) < 0 ||
        xs__mfile_put(w, "snap.hdr", "x", 1, &e) < 0 ||
        xs__mfile_commit(w, &meta, &e) < 0)
        fail("empty", &e);
    xs__mfile *f = NULL;
    if (xs__mfile_open(&f, path, &e) < 0) fail("open", &e);
    xs_baskets *mb = NULL;
    xs_together *mt = NULL;
    xs_rules *mr = NULL;
    CHECK_INT(xs__mine_baskets_map(f, &mb, &e), XS_ENOTFOUND);
    snprintf(want, sizeof want, "%s: no section bask.hdr (baskets not in the model)",
             path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    CHECK_INT(xs__mine_together_map(f, b, &mt, &e), XS_ENOTFOUND);
    snprintf(want, sizeof want,
             "%s: no section tog.hdr (frequently bought together not in the model)",
             path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    CHECK_INT(xs__mine_rules_map(f, b, &mr, &e), XS_ENOTFOUND);
    snprintf(want, sizeof want,
             "%s: no section rules.hdr (association rules not in the model)", path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    xs__mfile_close(f);

    /* saved on b, mapped with other baskets */
    xs_together_opts to = {.measure = XS_SIM_COSINE, .top_k = 2};
    xs_together *t = NULL;
    xs_rule_opts ro;
    xs_rule_opts_init(&ro);
    ro.mine.min_count = 1;
    xs_rules *r = NULL;
    if (xs_together_build(b, &to, &t, &e) < 0 || xs_rules_mine(&r, b, &ro, &e) < 0)
        fail("build", &e);
    if (xs__mfile_create(&w, path, &e) < 0 || xs__mine_together_save(t, w, &e) < 0 ||
        xs__mine_rules_save(r, w, &e) < 0 || xs__mfile_commit(w, &meta, &e) < 0)
        fail("save", &e);
    if (xs__mfile_open(&f, path, &e) < 0) fail("open", &e);
    CHECK_INT(xs__mine_together_map(f, other, &mt, &e), XS_EPARSE);
    snprintf(want, sizeof want, "%s: section tog.hdr: 3 items, the baskets have 4", path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    CHECK_INT(xs__mine_rules_map(f, other, &mr, &e), XS_EPARSE);
    snprintf(want, sizeof want,
             "%s: section rules.hdr: mined on 3 baskets, the baskets have 4", path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    CHECK(!mt && !mr && !mb);
    xs__mfile_close(f);
    xs_rules_free(r);
    xs_together_free(t);
    xs_baskets_free(b);
    xs_baskets_free(other);
}

/* Out of memory at every allocation of the maps: XS_ENOMEM, nothing
 * returned, nothing leaked; then the same answers. */
static void test_out_of_memory(void)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_baskets *b =
        baskets_of("milk bread|bread butter jam||milk butter|jam bread milk|");
    xs_together_opts to = {.measure = XS_SIM_COSINE, .top_k = 3, .keep_counts = 1};
    xs_together *t = NULL;
    xs_rule_opts ro;
    xs_rule_opts_init(&ro);
    ro.mine.min_count = 1;
    xs_rules *r = NULL;
    if (xs_together_build(b, &to, &t, &e) < 0 || xs_rules_mine(&r, b, &ro, &e) < 0)
        fail("build", &e);
    char path[128];
    snprintf(path, sizeof path, "%s/oom.xsm", dir);
    xs__mfile_writer *w = NULL;
    xs__mfile_meta meta = meta_of();
    if (xs__mfile_create(&w, path, &e) < 0 || xs__mine_baskets_save(b, w, &e) < 0 ||
        xs__mine_together_save(t, w, &e) < 0 || xs__mine_rules_save(r, w, &e) < 0 ||
        xs__mfile_commit(w, &meta, &e) < 0)
        fail("save", &e);
    xs__mfile *f = NULL;
    if (xs__mfile_open(&f, path, &e) < 0) fail("open", &e);
    int done = 0;
    for (long k = 0; k < 200 && !done; k++) {
        xs_baskets *mb = NULL;
        xs_together *mt = NULL;
        xs_rules *mr = NULL;
        xs__alloc_fail_after(k);
        int rc = xs__mine_baskets_map(f, &mb, &e);
        if (rc == XS_OK) rc = xs__mine_together_map(f, mb, &mt, &e);
        if (rc == XS_OK) rc = xs__mine_rules_map(f, mb, &mr, &e);
        xs__alloc_fail_after(-1);
        if (rc < 0) {
            CHECK_INT(rc, XS_ENOMEM);
            CHECK(!mr);
        } else {
            CHECK(same_baskets(b, mb) && same_together(t, mt, 1) && same_rules(r, mr));
            done = 1;
        }
        xs_rules_free(mr);
        xs_together_free(mt);
        xs_baskets_free(mb);
    }
    CHECK(done);
    xs__mfile_close(f);
    xs_rules_free(r);
    xs_together_free(t);
    xs_baskets_free(b);
}

static const xs_test tests[] = {
    {"out_of_memory", test_out_of_memory},
    {"no_baskets", test_no_baskets},
    {"fimi", test_fimi},
    {"errors", test_errors},
};

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/xs_mine_io_XXXXXX");
    if (!mkdtemp(dir)) abort();
    int rc = xs_test_run(tests, XS_N(tests));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
