/*
 * test_model.c — the model file end to end: a snapshot saved and mapped
 * back saves to the same bytes and answers the same KPIs; a model built in
 * memory and the same model saved and opened decide every customer
 * identically (every rendered offer, the target list, its guardrail
 * totals, the customer scores, rules, items bought together); a store
 * without data; a model checked against another store.
 */
#include "store_fixture.h"
#include "test.h"

#include "base/alloc.h"
#include "base/mfile.h"
#include "model/part.h"
#include "snapshot/snapshot_io.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fixtures ------------------------------------------------------------ */

static char dir[64], db[128], xsm[128];

static void rm_store(const char *path)
{
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* A generated store of n customers at db (holdout experiments when
 * holdout_days); 0 on success. */
static int make_store(uint64_t n, int holdout_days, int build)
{
    xs_error e;
    char buf[1200];
    snprintf(dir, sizeof dir, "/tmp/xs_test_model_%ld", (long)getpid());
    snprintf(db, sizeof db, "%s.db", dir);
    snprintf(xsm, sizeof xsm, "%s.xsm", dir);
    rm_store(db);
    xs_gen_options o;
    xs_gen_options_init(&o);
    o.n_customers = n;
    o.seed = 5;
    o.holdout_days = holdout_days;
    xs_store *st = NULL;
    if (xs_store_open(&st, db, &e) < 0) goto fail;
    xs_fixture_gen_import(dir, &o, st);
    if (build) {
        xs_snapshot *s = NULL;
        int rc = xs_snapshot_load(st, &s, &e);
        if (rc == XS_OK) rc = xs_offer_build(st, s, NULL, NULL, NULL, &e);
        xs_snapshot_free(s);
        if (rc < 0) goto fail;
    }
    xs_store_close(st);
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s", dir, xs_gen_file_name((xs_gen_file)f));
        unlink(path);
    }
    rmdir(dir);
    return 0;
fail:
    fprintf(stderr, "fixture: %s\n", xs_error_format(&e, buf, sizeof buf));
    xs_store_close(st);
    return -1;
}

/* The text of a table in CSV (caller frees). */
static char *render(const xs_table *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp) return NULL;
    xs_table_write(t, fp, XS_FORMAT_CSV);
    fclose(fp);
    return buf;
}

static long file_bytes(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Whether two files hold the same bytes after their 192-byte headers. */
static int same_body(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb && file_bytes(a) == file_bytes(b);
    if (same) {
        fseek(fa, 192, SEEK_SET);
        fseek(fb, 192, SEEK_SET);
        int ca, cb;
        do {
            ca = fgetc(fa);
            cb = fgetc(fb);
        } while (ca == cb && ca != EOF);
        same = ca == cb;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

/* ---- snapshot ------------------------------------------------------------ */

static int save_snapshot(const xs_snapshot *s, const char *path)
{
    xs__mfile_writer *w;
    xs_error e;
    if (xs__mfile_create(&w, path, &e) < 0) return -1;
    if (xs__snapshot_save(s, w, &e) < 0) {
        xs__mfile_abort(w);
        return -1;
    }
    return xs__mfile_commit(w, NULL, &e);
}

/* The KPI table of a snapshot as CSV (caller frees). */
static char *kpis(const xs_snapshot *s)
{
    xs_kpi_opts o;
    memset(&o, 0, sizeof o);
    xs_kpi_result *r = NULL;
    xs_table *t = xs_table_new();
    char *out = NULL;
    if (t && xs_kpi_compute(s, &o, &r, NULL) == XS_OK && xs_kpi_result_table(r, t) == XS_OK)
        out = render(t);
    xs_kpi_result_free(r);
    xs_table_free(t);
    return out;
}

/* Saves s, maps it, checks the mapped one against s and that it saves to
 * the same bytes. */
static void snapshot_round_trip(const xs_snapshot *s)
{
    char again[160];
    snprintf(again, sizeof again, "%s.2", xsm);
    CHECK_INT(save_snapshot(s, xsm), 0);
    xs__mfile *f = NULL;
    xs_snapshot *m = NULL;
    xs_error e;
    CHECK_INT(xs__mfile_open(&f, xsm, &e), XS_OK);
    if (!f) return;
    CHECK_INT(xs__snapshot_map(f, &m, &e), XS_OK);
    if (m) {
        CHECK_INT(m->mapped, 1);
        CHECK_INT(m->cust.n, s->cust.n);
        CHECK_INT(m->prod.n, s->prod.n);
        CHECK_INT(m->ord.n_lines, s->ord.n_lines);
        CHECK_INT(m->ev.n, s->ev.n);
        CHECK_INT(m->last_date, s->last_date);
        CHECK_STR(m->currency, s->currency);
        for (size_t c = 0; c < s->cust.n; c++) {
            CHECK_STR(xs__intern_str(&m->cust.ids, (uint32_t)c),
                      xs__intern_str(&s->cust.ids, (uint32_t)c));
            CHECK_INT(xs__intern_find(&m->cust.ids, xs__intern_str(&s->cust.ids, (uint32_t)c),
                                      s->cust.ids.lens[c]),
                      c);
            CHECK_STR(xs__snapshot_text(m, m->cust.name[c]),
                      xs__snapshot_text(s, s->cust.name[c]));
            CHECK_INT(m->cust.order_off[c + 1], s->cust.order_off[c + 1]);
        }
        CHECK(s->ord.n == 0 ||
              memcmp(m->ord.amount, s->ord.amount, s->ord.n_lines * sizeof *s->ord.amount) == 0);
        CHECK(s->ord.n == 0 ||
              strcmp(xs__snapshot_order_id(m, (uint32_t)(s->ord.n - 1)),
                     xs__snapshot_order_id(s, (uint32_t)(s->ord.n - 1))) == 0);
        /* a mapped table is read-only */
        CHECK_INT(xs__intern_add(&m->dict.segments, "new one", 7), XS_INTERN_NONE);
        char *k1 = kpis(s), *k2 = kpis(m);
        CHECK(k1 && k2 && strcmp(k1, k2) == 0);
        free(k1);
        free(k2);
        /* every section: the mapped snapshot saves to the same bytes */
        CHECK_INT(save_snapshot(m, again), 0);
        CHECK(same_body(xsm, again));
    }
    xs_snapshot_free(m);
    xs__mfile_close(f);
    unlink(xsm);
    unlink(again);
}

static void test_snapshot_round_trip(void)
{
    CHECK_INT(make_store(400, 90, 0), 0);
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    xs_error e;
    CHECK_INT(xs_store_open_readonly(&st, db, &e), XS_OK);
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
    if (s) snapshot_round_trip(s);
    xs_snapshot_free(s);
    xs_store_close(st);
    rm_store(db);
}

static void test_snapshot_empty(void)
{
    snprintf(db, sizeof db, "/tmp/xs_test_model_empty_%ld.db", (long)getpid());
    snprintf(xsm, sizeof xsm, "/tmp/xs_test_model_empty_%ld.xsm", (long)getpid());
    rm_store(db);
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
    if (s) snapshot_round_trip(s);
    xs_snapshot_free(s);
    xs_store_close(st);
    rm_store(db);
}

/* ---- model --------------------------------------------------------------- */

/* Every customer's decisions of two engines, rendered (with the suppressed
 * candidates), are the same. */
static void same_decisions(const xs_offer_engine *a, const xs_offer_engine *b, size_t n)
{
    xs_offer oa[XS_OFFER_MAX_CANDIDATES], ob[XS_OFFER_MAX_CANDIDATES];
    xs_table *ta = xs_table_new(), *tb = xs_table_new();
    CHECK(ta && tb && xs_offer_table_columns(ta) == XS_OK && xs_offer_table_columns(tb) == XS_OK);
    size_t n_offers = 0;
    for (size_t c = 0; c < n; c++) {
        int na = xs_offer_decide(a, (uint32_t)c, oa, XS_OFFER_MAX_CANDIDATES);
        int nb = xs_offer_decide(b, (uint32_t)c, ob, XS_OFFER_MAX_CANDIDATES);
        CHECK_INT(na, nb);
        if (na != nb) break;
        n_offers += (size_t)na;
        CHECK_INT(xs_offer_table(a, oa, (size_t)na, "en", 1, ta), XS_OK);
        CHECK_INT(xs_offer_table(b, ob, (size_t)nb, "en", 1, tb), XS_OK);
    }
    char *ra = render(ta), *rb = render(tb);
    CHECK(ra && rb && strcmp(ra, rb) == 0);
    CHECK(n == 0 || n_offers > 0);
    free(ra);
    free(rb);
    xs_table_free(ta);
    xs_table_free(tb);
}

static char *scores_text(const xs_customer_scores *cs)
{
    xs_table *t = xs_table_new();
    char *out = NULL;
    if (t && xs_customer_scores_table(cs, XS_SEG_N, XS_CUST_SORT_ID, 0, t) == XS_OK)
        out = render(t);
    xs_table_free(t);
    return out;
}

/* Builds the model of db, saves it, opens it, compares both. */
static void model_round_trip(int expect_engine)
{
    xs_store *st = NULL;
    xs_model *built = NULL, *mapped = NULL;
    xs_error e;
    char msg[1200];
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    xs_model_opts o;
    xs_model_opts_init(&o);
    o.clv = 1;
    int rc = xs_model_build(st, &o, &built, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
    if (!built) goto done;
    rc = xs_model_save(built, xsm, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
    rc = xs_model_open(xsm, &mapped, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
    if (!mapped) goto done;
    const xs_model_info *ib = xs_model_info_of(built), *im = xs_model_info_of(mapped);
    CHECK_INT(ib->mapped, 0);
    CHECK_INT(im->mapped, 1);
    CHECK_STR(im->path, xsm);
    CHECK_INT(im->bytes, file_bytes(xsm));
    CHECK_STR(im->store_id, ib->store_id);
    CHECK_INT(strlen(im->store_id), 32);
    CHECK_STR(im->as_of, ib->as_of);
    CHECK_STR(im->built_at, ib->built_at);
    CHECK_INT(im->data_version, ib->data_version);
    CHECK_STR(im->engine_error, ib->engine_error);
    CHECK_INT(xs_model_check_store(mapped, st, &e), XS_OK);
    const xs_snapshot *sb = xs_model_snapshot(built), *sm = xs_model_snapshot(mapped);
    CHECK_INT(sm->cust.n, sb->cust.n);
    CHECK((xs_model_engine(built) != NULL) == expect_engine);
    CHECK((xs_model_engine(mapped) != NULL) == expect_engine);
    if (xs_model_engine(built) && xs_model_engine(mapped)) {
        same_decisions(xs_model_engine(built), xs_model_engine(mapped), sb->cust.n);
        size_t nb, nm;
        const xs_target *tb = xs_model_targets(built, &nb), *tm = xs_model_targets(mapped, &nm);
        CHECK_INT(nm, nb);
        CHECK(nb == nm && (nb == 0 || memcmp(tb, tm, nb * sizeof *tb) == 0));
        CHECK(nb > 0);
        CHECK(memcmp(xs_model_summary(built), xs_model_summary(mapped),
                     sizeof(xs_offer_summary)) == 0);
        /* the stored order is the one xs_offer_targets computes afresh */
        xs_table *t1 = xs_table_new(), *t2 = xs_table_new();
        xs_offer_targets(xs_model_engine(built), 1, 0, t1, NULL);
        xs_offer_targets_page(xs_model_engine(mapped), tm, nm, 0, 0, t2);
        char *r1 = render(t1), *r2 = render(t2);
        CHECK(r1 && r2 && strcmp(r1, r2) == 0);
        free(r1);
        free(r2);
        xs_table_free(t1);
        xs_table_free(t2);
    }
    CHECK(!xs_model_scores(built) == !xs_model_scores(mapped));
    if (xs_model_scores(built) && xs_model_scores(mapped)) {
        char *a = scores_text(xs_model_scores(built)), *b = scores_text(xs_model_scores(mapped));
        CHECK(a && b && strcmp(a, b) == 0);
        free(a);
        free(b);
    }
    CHECK(memcmp(xs_model_health_config(built), xs_model_health_config(mapped),
                 sizeof(xs_health_config)) == 0);
    CHECK(!xs_model_rules(built) == !xs_model_rules(mapped));
    if (xs_model_rules(built) && xs_model_rules(mapped))
        CHECK_INT(xs_rules_n(xs_model_rules(mapped)), xs_rules_n(xs_model_rules(built)));
    if (xs_model_together(built) && xs_model_together(mapped))
        CHECK_INT(xs_together_n_items(xs_model_together(mapped)),
                  xs_together_n_items(xs_model_together(built)));
done:
    xs_model_free(mapped);
    xs_model_free(built);
    xs_store_close(st);
    unlink(xsm);
}

static void test_model_never_built(void)
{
    CHECK_INT(make_store(300, 90, 0), 0);
    model_round_trip(1);
    rm_store(db);
}

static void test_model_built(void)
{
    CHECK_INT(make_store(300, 0, 1), 0);
    model_round_trip(1);
    rm_store(db);
}

/* `xsell build`'s path: the engine xs_offer_build_open() fitted and stored,
 * handed to the model, decides as the engine the model opens from the
 * store's build (experiments, the model read back from its text). */
static void test_engine_handed_in(void)
{
    CHECK_INT(make_store(300, 90, 0), 0);
    xs_store *st = NULL;
    xs_snapshot *s1 = NULL, *s2 = NULL;
    xs_offer_engine *en = NULL;
    xs_model *a = NULL, *b = NULL;
    xs_offer_build_info info;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    CHECK_INT(xs_snapshot_load(st, &s1, &e), XS_OK);
    CHECK_INT(xs_snapshot_load(st, &s2, &e), XS_OK);
    CHECK_INT(xs_offer_build_open(st, s1, NULL, NULL, &info, &en, &e), XS_OK);
    CHECK(en != NULL);
    CHECK_INT(info.fitted, 1);
    xs_model_opts o;
    xs_model_opts_init(&o);
    o.engine = en; /* taken over with s1 */
    CHECK_INT(xs_model_build_from(st, s1, &o, &a, &e), XS_OK);
    CHECK_INT(xs_model_build_from(st, s2, NULL, &b, &e), XS_OK);
    if (a && b) {
        CHECK(xs_model_engine(a) == en);
        same_decisions(xs_model_engine(a), xs_model_engine(b),
                       xs_model_snapshot(a)->cust.n);
        size_t na, nb;
        const xs_target *ta = xs_model_targets(a, &na), *tb = xs_model_targets(b, &nb);
        CHECK_INT(na, nb);
        CHECK(na > 0 && na == nb && memcmp(ta, tb, na * sizeof *ta) == 0);
    }
    xs_model_free(a);
    xs_model_free(b);
    xs_store_close(st);
    rm_store(db);
}

/* `xsell build`'s path for the file: the scores begun before the build
 * (beside the engine's fit), the engine handed in, the file written as
 * the build goes. The file's body is the one xs_model_save() writes for a
 * model built the plain way (opening that build); scores begun with other
 * options are computed again; a file that cannot be created fails the
 * build and leaves nothing. */
static void test_written_as_built(void)
{
    CHECK_INT(make_store(300, 90, 0), 0);
    xs_store *st = NULL;
    xs_snapshot *s1 = NULL, *s2 = NULL, *s3 = NULL;
    xs_model *a = NULL, *b = NULL, *c = NULL;
    xs_model_scores_job *job = NULL, *other = NULL;
    xs_error e;
    char streamed[160], bad[200];
    snprintf(streamed, sizeof streamed, "%s-streamed.xsm", dir);
    snprintf(bad, sizeof bad, "%s-no-such-dir/m.xsm", dir);
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    CHECK_INT(xs_snapshot_load(st, &s1, &e), XS_OK);
    CHECK_INT(xs_snapshot_load(st, &s2, &e), XS_OK);
    CHECK_INT(xs_snapshot_load(st, &s3, &e), XS_OK);
    xs_offer_engine *en = NULL;
    xs_model_opts o;
    xs_model_opts_init(&o);
    CHECK_INT(xs_model_scores_begin(s1, &o, &job, &e), XS_OK);
    /* the store's build fitted beside the scores, its engine handed in:
     * written with the snapshot */
    CHECK_INT(xs_offer_build_open(st, s1, NULL, NULL, NULL, &en, &e), XS_OK);
    o.scores = job; /* taken over with s1 */
    o.engine = en;
    o.out = streamed;
    CHECK_INT(xs_model_build_from(st, s1, &o, &a, &e), XS_OK);
    CHECK_INT(xs_model_build_from(st, s2, NULL, &b, &e), XS_OK);
    if (a && b) {
        CHECK_INT(xs_model_info_of(a)->bytes, file_bytes(streamed));
        CHECK(xs_model_scores(a) != NULL);
        CHECK_INT(xs_model_save(b, xsm, &e), XS_OK);
        CHECK(same_body(streamed, xsm));
    }
    /* begun without CLV: not the model's scores, so computed again */
    xs_model_opts_init(&o);
    o.clv = 0;
    CHECK_INT(xs_model_scores_begin(s3, &o, &other, &e), XS_OK);
    xs_model_opts_init(&o);
    o.scores = other;
    o.out = streamed;
    CHECK_INT(xs_model_build_from(st, s3, &o, &c, &e), XS_OK);
    CHECK(same_body(streamed, xsm));
    xs_model_free(c);
    c = NULL;
    /* a file that cannot be written: the build fails, nothing is left */
    s3 = NULL;
    CHECK_INT(xs_snapshot_load(st, &s3, &e), XS_OK);
    CHECK_INT(xs_model_scores_begin(s3, NULL, &other, &e), XS_OK);
    xs_model_opts_init(&o);
    o.scores = other;
    o.out = bad;
    CHECK_INT(xs_model_build_from(st, s3, &o, &c, &e), XS_EIO);
    CHECK(c == NULL);
    CHECK_INT(file_bytes(bad), -1);
    /* scores never handed to a build */
    s3 = NULL;
    CHECK_INT(xs_snapshot_load(st, &s3, &e), XS_OK);
    CHECK_INT(xs_model_scores_begin(s3, NULL, &other, &e), XS_OK);
    xs_model_scores_job_free(other);
    xs_model_scores_job_free(NULL);
    xs_snapshot_free(s3);
    xs_model_free(a);
    xs_model_free(b);
    xs_store_close(st);
    unlink(streamed);
    unlink(xsm);
    rm_store(db);
}

/* Out of memory anywhere in a build that writes its file as it goes (the
 * writer's thread waiting for parts never handed to it, or for the scores
 * it was handed; allocations on the scores' and the ranking's threads):
 * the build fails with XS_ENOMEM or succeeds, never hangs, and a failed
 * build leaves no file, temporary or not. */
static void test_written_as_built_out_of_memory(void)
{
    CHECK_INT(make_store(120, 0, 0), 0);
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    xs_model *m = NULL;
    xs_model_opts o;
    xs_error e;
    char out[160], tmp[200];
    snprintf(out, sizeof out, "%s-oom.xsm", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out, (long)getpid());
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    xs_model_opts_init(&o);
    o.out = out;
    /* the allocations of a whole build after its load */
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
    xs__alloc_fail_after(-1);
    CHECK_INT(xs_model_build_from(st, s, &o, &m, &e), XS_OK);
    long n = xs__alloc_fail_after(-1);
    xs_model_free(m);
    CHECK(n > 100);
    int failed = 0;
    for (long k = 0; k < 200; k++) {
        unlink(out);
        s = NULL;
        m = NULL;
        CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
        xs__alloc_fail_after(n * k / 200);
        int rc = xs_model_build_from(st, s, &o, &m, &e);
        xs__alloc_fail_after(-1);
        CHECK(rc == XS_OK || rc == XS_ENOMEM);
        if (rc == XS_ENOMEM) {
            failed++;
            CHECK(m == NULL);
            CHECK_INT(file_bytes(out), -1);
        }
        CHECK_INT(file_bytes(tmp), -1);
        xs_model_free(m);
    }
    CHECK(failed > 100);
    unlink(out);
    xs_store_close(st);
    rm_store(db);
}

/* Builds a model of st with the churn model's training sample capped at cap
 * (SIZE_MAX: the default), its scores begun with begun_cap (SIZE_MAX: none
 * begun); the text of its scores, NULL without. */
static char *capped_scores(xs_store *st, size_t cap, size_t begun_cap)
{
    xs_snapshot *s = NULL;
    xs_model *m = NULL;
    xs_model_scores_job *job = NULL;
    xs_error e;
    char *text = NULL;
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
    xs_model_opts o;
    xs_model_opts_init(&o);
    if (begun_cap != SIZE_MAX) {
        o.churn_max_train = begun_cap;
        CHECK_INT(xs_model_scores_begin(s, &o, &job, &e), XS_OK);
    }
    xs_model_opts_init(&o);
    if (cap != SIZE_MAX) o.churn_max_train = cap;
    o.scores = job; /* taken over with s */
    CHECK_INT(xs_model_build_from(st, s, &o, &m, &e), XS_OK);
    const xs_customer_scores *cs = m ? xs_model_scores(m) : NULL;
    CHECK(cs != NULL);
    if (cs) {
        CHECK_INT(xs_customer_scores_churn_status(cs, NULL, 0), XS_OK);
        text = scores_text(cs);
    }
    xs_model_free(m);
    return text;
}

/* The churn model's training sample (xs_model_opts.churn_max_train): the
 * store's 300 customers are within the default cap, so it and 0 (every
 * one) give the same scores; a cap of 40 trains on a sample and gives other
 * churn risks; scores begun with another cap than the build's are computed
 * again, with the same cap they are the build's. */
static void test_churn_max_train(void)
{
    CHECK_INT(make_store(300, 90, 0), 0);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    xs_model_opts o;
    xs_model_opts_init(&o);
    CHECK_INT(o.churn_max_train, 100000);
    char *dflt = capped_scores(st, SIZE_MAX, SIZE_MAX);
    char *all = capped_scores(st, 0, SIZE_MAX);
    char *c40 = capped_scores(st, 40, SIZE_MAX);
    /* begun with 40, built with the default */
    char *redone = capped_scores(st, SIZE_MAX, 40);
    char *kept = capped_scores(st, 40, 40);
    CHECK(dflt && all && c40 && redone && kept);
    if (dflt && all && c40 && redone && kept) {
        CHECK(strcmp(dflt, all) == 0);
        CHECK(strcmp(dflt, c40) != 0);
        CHECK(strcmp(dflt, redone) == 0);
        CHECK(strcmp(c40, kept) == 0);
    }
    free(dflt);
    free(all);
    free(c40);
    free(redone);
    free(kept);
    xs_store_close(st);
    rm_store(db);
}

static void test_model_empty_store(void)
{
    snprintf(db, sizeof db, "/tmp/xs_test_model_e_%ld.db", (long)getpid());
    snprintf(xsm, sizeof xsm, "/tmp/xs_test_model_e_%ld.xsm", (long)getpid());
    rm_store(db);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    xs_store_close(st);
    model_round_trip(0);
    rm_store(db);
}

static void test_other_store(void)
{
    CHECK_INT(make_store(50, 0, 0), 0);
    char other[160];
    snprintf(other, sizeof other, "%s-other.db", dir);
    rm_store(other);
    xs_store *st = NULL, *st2 = NULL;
    xs_model *m = NULL, *mm = NULL;
    xs_error e;
    char got[1200], want[1200], id[40], id2[40];
    uint64_t dv;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    CHECK_INT(xs_model_build(st, NULL, &m, &e), XS_OK);
    CHECK_INT(xs_store_identity(st, id, &dv, &e), XS_OK);
    CHECK_STR(id, xs_model_info_of(m)->store_id);
    CHECK_INT(xs_model_save(m, xsm, &e), XS_OK);
    CHECK_INT(xs_model_open(xsm, &mm, &e), XS_OK);
    /* a model file given where a build part is expected */
    xs__model_part part;
    CHECK_INT(xs__model_part_open(xsm, &part, &e), XS_EINVAL);
    CHECK_INT(e.condition, XS_COND_MODEL_NOT_PART);
    xs__model_part_close(&part);
    CHECK_INT(xs_store_open(&st2, other, &e), XS_OK);
    CHECK_INT(xs_store_identity_ensure(st2, id2, &e), XS_OK);
    CHECK(strcmp(id, id2) != 0);
    if (mm) {
        CHECK_INT(xs_model_check_store(mm, st2, &e), XS_EINVAL);
        snprintf(want, sizeof want, "%s: built from another store (store id %s, this store's is %s)",
                 xsm, id, id2);
        CHECK_STR(xs_error_format(&e, got, sizeof got), want);
        CHECK_INT(xs_model_check_store(mm, st, &e), XS_OK);
    }
    /* the store's model path */
    CHECK_INT(xs_store_model_path(st, got, sizeof got, &e), 0);
    CHECK_INT(xs_store_model_path_set(st, xsm, &e), XS_OK);
    CHECK_INT(xs_store_model_path(st, got, sizeof got, &e), 1);
    CHECK_STR(got, xsm);
    xs_model_free(mm);
    xs_model_free(m);
    xs_store_close(st);
    xs_store_close(st2);
    unlink(xsm);
    rm_store(db);
    rm_store(other);
}

int main(void)
{
    static const xs_test tests[] = {
        {"snapshot_round_trip", test_snapshot_round_trip},
        {"snapshot_empty", test_snapshot_empty},
        {"model_never_built", test_model_never_built},
        {"model_built", test_model_built},
    {"engine_handed_in", test_engine_handed_in},
        {"written_as_built", test_written_as_built},
        {"written_as_built_out_of_memory", test_written_as_built_out_of_memory},
        {"churn_max_train", test_churn_max_train},
        {"model_empty_store", test_model_empty_store},
        {"other_store", test_other_store},
    };
    return xs_test_run(tests, XS_N(tests));
}
