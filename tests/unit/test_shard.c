/*
 * test_shard.c — the pieces of `xsell build --shard` / `--merge` below the
 * CLI: the shard of an id is XXH3-64 of its bytes modulo N (against the
 * xxHash library itself); a snapshot cut into N shards (N = 1, 2, 4, 7, and
 * more shards than customers, so that some hold none) holds each customer
 * in exactly the shard of its id, and the shards merged, in any order, are
 * the snapshot again, column for column; the baskets of the merged
 * snapshot and of the shards' anonymous order lines are the store's own
 * baskets (same item ids, same baskets), with anonymous orders before,
 * among and after the customers' and one order id in both tables; and
 * the items bought together and the rules mined from them are the same.
 * The whole model is compared by tests/cli/shard.t.
 */
#include "store_fixture.h"
#include "test.h"

#include "mine/baskets.h"
#include "model/merge_baskets.h"
#include "snapshot/anon_lines.h"
#include "snapshot/snapshot_shard.h"

#include <stddef.h>
#include <xxhash.h>

static char dir[64], db[128];

/* A generated store of n customers with anonymous orders; open in *st. */
static xs_store *make_store(uint64_t n)
{
    xs_error e;
    char buf[1200], path[300];
    snprintf(dir, sizeof dir, "/tmp/xs_test_shard_%ld", (long)getpid());
    snprintf(db, sizeof db, "%s.db", dir);
    xs_fixture_remove(db);
    xs_gen_options o;
    xs_gen_options_init(&o);
    o.n_customers = n;
    o.seed = 11;
    xs_store *st = NULL;
    if (xs_store_open(&st, db, &e) < 0) goto fail;
    xs_fixture_gen_import(dir, &o, st);
    /* anonymous lines: an id before every order id, one equal to a
     * customer's order (O00000001-001), one among them, one after all */
    snprintf(path, sizeof path, "%s/anon.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) abort();
    fputs("order_id,product_id,date,quantity,amount\n"
          "A-1,shop-dock,2025-01-02,1,180.00\n"
          "A-1,acct-audit,2025-01-02,1,60.00\n"
          "O00000001-001,acct-audit,2024-12-08,1,60.00\n"
          "O00000002-500,shop-dock,2025-02-01,2,360.00\n"
          "O00000002-500,shop-toner-black,2025-02-01,1,90.00\n"
          "Z-9,shop-toner-black,2025-03-01,1,90.00\n",
          f);
    fclose(f);
    xs_import_options io;
    xs_import_options_init(&io);
    if (xs_table_lookup("anonymous_orders", &io.table) < 0) abort();
    if (xs_import_file(st, path, &io, NULL, &e) < 0) goto fail;
    unlink(path);
    for (int g = 0; g < XS_GEN_N_FILES; g++) {
        snprintf(path, sizeof path, "%s/%s", dir, xs_gen_file_name((xs_gen_file)g));
        unlink(path);
    }
    rmdir(dir);
    return st;
fail:
    fprintf(stderr, "store: %s\n", xs_error_format(&e, buf, sizeof buf));
    exit(1);
}

static int same_intern(const xs__intern *a, const xs__intern *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(xs__intern_str(a, (uint32_t)i), xs__intern_str(b, (uint32_t)i)))
            return 0;
    return 1;
}

/* Every column of a and b (text compared as strings). */
static void check_same_snapshot(const xs_snapshot *a, const xs_snapshot *b)
{
    CHECK_STR(a->currency, b->currency);
    CHECK_INT(a->money_scale, b->money_scale);
    CHECK_INT(a->last_date, b->last_date);
#define SAME_N(f) CHECK_INT((long long)a->f, (long long)b->f)
    SAME_N(cust.n);
    SAME_N(cust.n_churn_scores);
    SAME_N(prod.n);
    SAME_N(prod.n_limits);
    SAME_N(sub.n);
    SAME_N(ord.n);
    SAME_N(ord.n_lines);
    SAME_N(ord.n_id_chars);
    SAME_N(use.n);
    SAME_N(ev.n);
    SAME_N(off.n);
    SAME_N(ret.n);
    if (a->cust.n != b->cust.n || a->ord.n != b->ord.n || a->off.n != b->off.n) return;
    CHECK(same_intern(&a->cust.ids, &b->cust.ids));
    CHECK(same_intern(&a->prod.ids, &b->prod.ids));
    CHECK(same_intern(&a->off.ids, &b->off.ids));
    const xs__intern *da[] = {
        &a->dict.segments,    &a->dict.industries, &a->dict.sizes,      &a->dict.regions,
        &a->dict.owners,      &a->dict.families,   &a->dict.categories, &a->dict.metrics,
        &a->dict.event_types, &a->dict.refs};
    const xs__intern *db_[] = {
        &b->dict.segments,    &b->dict.industries, &b->dict.sizes,      &b->dict.regions,
        &b->dict.owners,      &b->dict.families,   &b->dict.categories, &b->dict.metrics,
        &b->dict.event_types, &b->dict.refs};
    for (size_t i = 0; i < XS_N(da); i++)
        CHECK(same_intern(da[i], db_[i]));
#define SAME_COL(f, count)                                                               \
    CHECK(!(count) || !memcmp(a->f, b->f, (size_t)(count) * sizeof *a->f))
    size_t nc = a->cust.n, np = a->prod.n, nf = a->dict.families.n;
    SAME_COL(cust.segment, nc);
    SAME_COL(cust.industry, nc);
    SAME_COL(cust.size, nc);
    SAME_COL(cust.region, nc);
    SAME_COL(cust.owner, nc);
    SAME_COL(cust.signup, nc);
    SAME_COL(cust.consent, nc);
    SAME_COL(cust.churn_score, nc);
    SAME_COL(cust.churn_scored, nc);
    SAME_COL(cust.sub_off, nc + 1);
    SAME_COL(cust.order_off, nc + 1);
    SAME_COL(cust.usage_off, nc + 1);
    SAME_COL(cust.event_off, nc + 1);
    SAME_COL(cust.offer_off, nc + 1);
    SAME_COL(cust.ret_off, nc + 1);
    SAME_COL(prod.family, np);
    SAME_COL(prod.tier, np);
    SAME_COL(prod.kind, np);
    SAME_COL(prod.billing, np);
    SAME_COL(prod.price, np);
    SAME_COL(prod.category, np);
    SAME_COL(prod.limit_off, np + 1);
    SAME_COL(prod.limit_name, a->prod.n_limits);
    SAME_COL(prod.limit_value, a->prod.n_limits);
    SAME_COL(prod.family_off, nf + 1);
    SAME_COL(prod.family_products, a->prod.family_off[nf]);
    SAME_COL(sub.customer, a->sub.n);
    SAME_COL(sub.product, a->sub.n);
    SAME_COL(sub.quantity, a->sub.n);
    SAME_COL(sub.unit_price, a->sub.n);
    SAME_COL(sub.start, a->sub.n);
    SAME_COL(sub.end, a->sub.n);
    SAME_COL(sub.renewal, a->sub.n);
    SAME_COL(sub.term, a->sub.n);
    SAME_COL(ord.customer, a->ord.n);
    SAME_COL(ord.date, a->ord.n);
    SAME_COL(ord.id_off, a->ord.n);
    SAME_COL(ord.id_chars, a->ord.n_id_chars);
    SAME_COL(ord.line_off, a->ord.n + 1);
    SAME_COL(ord.product, a->ord.n_lines);
    SAME_COL(ord.quantity, a->ord.n_lines);
    SAME_COL(ord.amount, a->ord.n_lines);
    SAME_COL(use.customer, a->use.n);
    SAME_COL(use.product, a->use.n);
    SAME_COL(use.metric, a->use.n);
    SAME_COL(use.date, a->use.n);
    SAME_COL(use.value, a->use.n);
    SAME_COL(ev.customer, a->ev.n);
    SAME_COL(ev.date, a->ev.n);
    SAME_COL(ev.type, a->ev.n);
    SAME_COL(ev.value, a->ev.n);
    SAME_COL(ev.ref, a->ev.n);
    SAME_COL(off.id, a->off.n);
    SAME_COL(off.customer, a->off.n);
    SAME_COL(off.product, a->off.n);
    SAME_COL(off.kind, a->off.n);
    SAME_COL(off.channel, a->off.n);
    SAME_COL(off.outcome, a->off.n);
    SAME_COL(off.flags, a->off.n);
    SAME_COL(off.sent, a->off.n);
    SAME_COL(off.outcome_at, a->off.n);
    SAME_COL(off.revenue_delta, a->off.n);
    SAME_COL(ret.customer, a->ret.n);
    SAME_COL(ret.date, a->ret.n);
    SAME_COL(ret.product, a->ret.n);
    SAME_COL(ret.quantity, a->ret.n);
    SAME_COL(ret.amount, a->ret.n);
    long text_diff = 0;
    for (size_t c = 0; c < nc; c++) {
        const uint32_t *ta[] = {a->cust.name, a->cust.contact_name, a->cust.contact_email,
                                a->cust.attrs};
        const uint32_t *tb[] = {b->cust.name, b->cust.contact_name, b->cust.contact_email,
                                b->cust.attrs};
        for (size_t k = 0; k < XS_N(ta); k++)
            if (strcmp(xs__snapshot_text(a, ta[k][c]), xs__snapshot_text(b, tb[k][c])))
                text_diff++;
    }
    for (size_t p = 0; p < np; p++)
        if (strcmp(xs__snapshot_text(a, a->prod.name[p]),
                   xs__snapshot_text(b, b->prod.name[p])) ||
            strcmp(xs__snapshot_text(a, a->prod.name_ja[p]),
                   xs__snapshot_text(b, b->prod.name_ja[p])))
            text_diff++;
    CHECK_INT(text_diff, 0);
}

/* Items bought together (cosine, top 50, as the model) and the rules (up to
 * 3 items in 2 baskets, confidence 5 %) of a and b: the same, hit for hit
 * and rule for rule. */
static void check_same_mined(const xs_baskets *a, const xs_baskets *b)
{
    xs_together_opts to = {.measure = XS_SIM_COSINE, .top_k = 50};
    xs_together *ta = NULL, *tb = NULL;
    xs_error e;
    CHECK_INT(xs_together_build(a, &to, &ta, &e), XS_OK);
    CHECK_INT(xs_together_build(b, &to, &tb, &e), XS_OK);
    long diff = 0, hits = 0;
    if (ta && tb) {
        CHECK_INT((long long)xs_together_n_items(ta), (long long)xs_together_n_items(tb));
        xs_together_hit ha[50], hb[50];
        for (uint32_t i = 0; i < xs_together_n_items(ta); i++) {
            int na = xs_together_item(ta, i, ha, 50),
                nb = xs_together_item(tb, i, hb, 50);
            if (na != nb) diff++;
            for (int k = 0; k < na && k < nb; k++, hits++)
                if (ha[k].item != hb[k].item || ha[k].score != hb[k].score ||
                    ha[k].count != hb[k].count)
                    diff++;
        }
    }
    CHECK_INT(diff, 0);
    CHECK(hits > 0);
    xs_together_free(ta);
    xs_together_free(tb);
    xs_rule_opts o;
    xs_rule_opts_init(&o);
    o.mine.min_count = 2;
    o.mine.max_len = 3;
    o.min_confidence = 0.05;
    xs_rules *ra = NULL, *rb = NULL;
    CHECK_INT(xs_rules_mine(&ra, a, &o, &e), XS_OK);
    CHECK_INT(xs_rules_mine(&rb, b, &o, &e), XS_OK);
    if (!ra || !rb) return;
    CHECK_INT((long long)xs_rules_n(ra), (long long)xs_rules_n(rb));
    CHECK(xs_rules_n(ra) > 0);
    diff = 0;
    for (size_t i = 0; i < xs_rules_n(ra) && i < xs_rules_n(rb); i++) {
        xs_rule x, y;
        xs_rules_get(ra, i, &x);
        xs_rules_get(rb, i, &y);
        if (x.n_lhs != y.n_lhs || x.n_rhs != y.n_rhs || x.count != y.count ||
            x.lhs_count != y.lhs_count || x.rhs_count != y.rhs_count ||
            memcmp(x.lhs, y.lhs, x.n_lhs * sizeof *x.lhs) ||
            memcmp(x.rhs, y.rhs, x.n_rhs * sizeof *x.rhs))
            diff++;
    }
    CHECK_INT(diff, 0);
    xs_rules_free(ra);
    xs_rules_free(rb);
}

static void check_same_baskets(const xs_baskets *a, const xs_baskets *b)
{
    CHECK_INT((long long)a->n_tx, (long long)b->n_tx);
    CHECK(same_intern(&a->names, &b->names));
    if (a->n_tx != b->n_tx) return;
    CHECK(!memcmp(a->off, b->off, (a->n_tx + 1) * sizeof *a->off));
    CHECK_INT((long long)a->off[a->n_tx], (long long)b->off[b->n_tx]);
    if (a->off[a->n_tx] == b->off[b->n_tx])
        CHECK(!memcmp(a->items, b->items, a->off[a->n_tx] * sizeof *a->items));
}

/* ---- the shard of an id --------------------------------------------------- */

static void test_shard_of(void)
{
    static const char *const ids[] = {"C00000001", "C00000002", "", "x", "customer-ä-42"};
    static const uint32_t ns[] = {2, 4, 7, 1000, 65536};
    for (size_t i = 0; i < XS_N(ids); i++) {
        size_t len = strlen(ids[i]);
        CHECK_INT(xs_shard_of(ids[i], len, 1), 0);
        CHECK_INT(xs_shard_of(ids[i], len, 0), 0);
        for (size_t k = 0; k < XS_N(ns); k++)
            CHECK_INT(xs_shard_of(ids[i], len, ns[k]),
                      (long long)(XXH3_64bits(ids[i], len) % ns[k]));
    }
}

/* ---- cut and merge -------------------------------------------------------- */

/* Cuts s into n shards, checks who is where, merges them back (in reverse
 * order) and compares with s. Returns the number of empty shards. */
static size_t cut_and_merge(const xs_snapshot *s, uint32_t n)
{
    xs_error e;
    xs_snapshot **parts = calloc(n, sizeof *parts);
    const xs_snapshot **rev = calloc(n, sizeof *rev);
    const char **names = calloc(n, sizeof *names);
    size_t total = 0, empty = 0;
    long misplaced = 0;
    for (uint32_t i = 0; i < n; i++) {
        CHECK_INT(xs__snapshot_shard(s, i, n, &parts[i], &e), XS_OK);
        if (!parts[i]) return 0;
        const xs_snapshot *p = parts[i];
        for (size_t c = 0; c < p->cust.n; c++)
            if (xs_shard_of(xs__intern_str(&p->cust.ids, (uint32_t)c),
                            p->cust.ids.lens[c], n) != i)
                misplaced++;
        /* its rows are its customers' */
        for (size_t r = 0; r < p->ord.n; r++)
            if (p->ord.customer[r] >= p->cust.n) misplaced++;
        total += p->cust.n;
        empty += p->cust.n == 0;
        rev[n - 1 - i] = p;
        names[n - 1 - i] = "part";
    }
    CHECK_INT(misplaced, 0);
    CHECK_INT((long long)total, (long long)s->cust.n);
    xs_snapshot *m = NULL;
    CHECK_INT(xs__snapshot_merge(rev, n, names, &m, &e), XS_OK);
    if (m) check_same_snapshot(s, m);
    xs_snapshot_free(m);
    for (uint32_t i = 0; i < n; i++)
        xs_snapshot_free(parts[i]);
    free(parts);
    free(rev);
    free(names);
    return empty;
}

static void test_cut_and_merge(void)
{
    xs_store *st = make_store(400);
    xs_error e;
    xs_snapshot *s = NULL;
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
    static const uint32_t ns[] = {1, 2, 4, 7};
    for (size_t k = 0; k < XS_N(ns); k++)
        CHECK_INT(cut_and_merge(s, ns[k]), 0);
    xs_snapshot_free(s);
    xs_store_close(st);
    xs_fixture_remove(db);
    /* a hand-made store, cut into more shards than it has customers */
    s = xs_fixture_snapshot("shard", "offer", NULL);
    CHECK(cut_and_merge(s, (uint32_t)s->cust.n + 3) >= 3);
    xs_snapshot_free(s);
}

/* Two parts of one catalog but one customer in both: refused. */
static void test_merge_refuses_twice(void)
{
    xs_snapshot *s = xs_fixture_snapshot("shard2", "offer", NULL), *m = NULL;
    xs_error e;
    const xs_snapshot *two[] = {s, s};
    const char *names[] = {"a.xsp", "b.xsp"};
    CHECK_INT(xs__snapshot_merge(two, 2, names, &m, &e), XS_EINVAL);
    CHECK(m == NULL);
    char buf[600];
    xs_error_format(&e, buf, sizeof buf);
    CHECK(strstr(buf, "b.xsp: customer \"") == buf);
    CHECK(strstr(buf, "\" is in a.xsp as well (parts of two shardings?)") != NULL);
    xs_snapshot_free(s);
}

/* ---- baskets -------------------------------------------------------------- */

static void test_baskets(void)
{
    xs_store *st = make_store(300);
    xs_error e;
    xs_snapshot *s = NULL;
    xs_baskets *want = NULL;
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
    CHECK_INT(xs_baskets_from_store(st, XS_SOURCE_ORDERS, &want, &e), XS_OK);
    static const uint32_t ns[] = {1, 2, 4, 7};
    for (size_t k = 0; k < XS_N(ns); k++) {
        uint32_t n = ns[k];
        xs_snapshot **parts = calloc(n, sizeof *parts);
        xs__snapshot_anon_lines *anon = calloc(n, sizeof *anon);
        const xs__snapshot_anon_lines **ap = calloc(n, sizeof *ap);
        const char **names = calloc(n, sizeof *names);
        size_t n_anon = 0;
        for (uint32_t i = 0; i < n; i++) {
            CHECK_INT(xs__snapshot_shard(s, i, n, &parts[i], &e), XS_OK);
            CHECK_INT(xs__snapshot_anon_lines_load(st, i, n, &anon[i], &e), XS_OK);
            n_anon += anon[i].n;
            ap[i] = &anon[i];
            names[i] = "part";
        }
        CHECK_INT((long long)n_anon, 6);
        xs_snapshot *m = NULL;
        xs_baskets *got = NULL;
        CHECK_INT(xs__snapshot_merge((const xs_snapshot *const *)parts, n, names, &m, &e),
                  XS_OK);
        CHECK_INT(xs__model_baskets_of_orders(m, ap, n, &got, &e), XS_OK);
        if (got) {
            check_same_baskets(want, got);
            check_same_mined(want, got);
        }
        xs_baskets_free(got);
        xs_snapshot_free(m);
        for (uint32_t i = 0; i < n; i++) {
            xs_snapshot_free(parts[i]);
            xs__snapshot_anon_lines_free(&anon[i]);
        }
        free(parts);
        free(anon);
        free(ap);
        free(names);
    }
    xs_baskets_free(want);
    xs_snapshot_free(s);
    xs_store_close(st);
    xs_fixture_remove(db);
}

int main(void)
{
    static const xs_test tests[] = {
        {"shard_of", test_shard_of},
        {"cut_and_merge", test_cut_and_merge},
        {"merge_refuses_twice", test_merge_refuses_twice},
        {"baskets", test_baskets},
    };
    return xs_test_run(tests, XS_N(tests));
}
