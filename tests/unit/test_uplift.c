/*
 * test_uplift.c — the uplift learners (src/score/uplift.c) and the
 * experiment table (src/score/uplift_data.c): both learners recover an
 * uplift planted in generated data, a negative segment included; a saved
 * model predicts what it predicted before saving; rows of neither arm are
 * counted and dropped; categories unseen in training set no indicator; bad
 * input gets its exact located message. The Hillstrom counts are checked
 * when ../shared/data is there (skipped otherwise).
 */
#include "score/uplift.h"

#include "base/alloc.h"
#include "base/rng.h"
#include "measure/uplift_eval.h"
#include "test.h"

#include <unistd.h>

static char tmpdir[64];
static const char *made[8];
static size_t n_made;

static const char *tmp_path(const char *name)
{
    static char buf[8][256];
    static int k;
    k = (k + 1) % 8;
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/xs_uplift_XXXXXX");
        if (!mkdtemp(tmpdir)) abort();
    }
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static const char *write_file(const char *name, const char *text)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "w");
    if (!f) abort();
    fputs(text, f);
    fclose(f);
    if (n_made < 8) made[n_made++] = name;
    return p;
}

/* Planted truth: segment a +0.30, b 0, c -0.25 on a base of 0.3 + 0.2 x;
 * 3 % of the rows in a third arm "other". */
static const double TRUTH[3] = {0.30, 0.0, -0.25};

static const char *planted(int n, uint64_t seed)
{
    static char text[200000];
    size_t used = 0;
    xs__rng r;
    xs__rng_seed(&r, seed);
    used += (size_t)snprintf(text, sizeof text, "seg,x,tenure,arm,y\n");
    for (int i = 0; i < n && used < sizeof text - 64; i++) {
        int seg = (int)xs__rng_below(&r, 3);
        double x = xs__rng_uniform(&r);
        double a = xs__rng_uniform(&r);
        const char *arm = a < 0.03 ? "other" : a < 0.515 ? "T" : "C";
        double p = 0.3 + 0.2 * x + (arm[0] == 'T' ? TRUTH[seg] : 0);
        used += (size_t)snprintf(text + used, sizeof text - used, "%c,%.3f,%d,%s,%d\n",
                                 "abc"[seg], x, (int)xs__rng_below(&r, 60), arm,
                                 xs__rng_uniform(&r) < p);
    }
    return write_file("planted.csv", text);
}

static xs_uplift_data *read_ok(const char *path, const xs_uplift_read_opts *o)
{
    xs_uplift_data *d = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = xs_uplift_data_read(path, o, &d, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0)
        fprintf(stderr, "  %s:%ld: %s: %s\n", e.file, e.line, e.column, e.message);
    return d;
}

static const xs_uplift_read_opts PLANTED = {
    .treatment_col = "arm", .treatment = "T", .control = "C", .outcome = "y"};

/* Mean predicted uplift per segment of the rows of d. */
static void segment_means(const xs_uplift_model *m, const xs_uplift_data *d, double *mean)
{
    size_t n = d->n, cnt[3] = {0};
    double *u = calloc(n, sizeof *u);
    xs_error e;
    CHECK_INT(xs_uplift_predict(m, d, u, &e), XS_OK);
    mean[0] = mean[1] = mean[2] = 0;
    for (size_t i = 0; i < n; i++)
        for (int s = 0; s < 3; s++)
            if (d->x[i * d->enc.n_features + (size_t)s] == 1.0f) { /* seg=a, b, c */
                mean[s] += u[i];
                cnt[s]++;
            }
    for (int s = 0; s < 3; s++)
        mean[s] /= (double)(cnt[s] ? cnt[s] : 1);
    free(u);
}

static void recover(xs_uplift_learner l)
{
    const char *p = planted(6000, 11);
    xs_uplift_data *d = read_ok(p, &PLANTED);
    if (!d) return;
    CHECK_STR(d->enc.feature_names[0], "seg=a");
    CHECK_STR(d->enc.feature_names[3], "x");
    xs_uplift_params par;
    xs_uplift_params_init(&par);
    par.learner = l;
    xs_uplift_model *m = NULL;
    xs_error e;
    CHECK_INT(xs_uplift_train(d, &par, &m, &e), XS_OK);
    if (!m) goto done;
    double mean[3];
    segment_means(m, d, mean);
    for (int s = 0; s < 3; s++)
        CHECK_NEAR(mean[s], TRUTH[s], 0.06);
    CHECK(mean[2] < -0.15); /* the negative segment comes out negative */
    CHECK(mean[0] > 0.2);
done:
    xs_uplift_model_free(m);
    xs_uplift_data_free(d);
}

static void test_two_model_recovers(void)
{
    recover(XS_UPLIFT_TWO_MODEL);
}

static void test_class_transform_recovers(void)
{
    recover(XS_UPLIFT_CLASS_TRANSFORM);
}

static void test_other_arm_left_out(void)
{
    const char *p = write_file("arms.csv", "f,arm,y\n1,T,1\n2,C,0\n3,X,1\n4,,0\n5,T,0\n"
                                           "6,C,1\n");
    xs_uplift_data *d = read_ok(
        p, &(xs_uplift_read_opts){
               .treatment_col = "arm", .treatment = "T", .control = "C", .outcome = "y"});
    if (!d) return;
    const xs_uplift_counts *c = xs_uplift_data_counts(d);
    CHECK_INT(c->n, 6);
    CHECK_INT(c->n_treatment, 2);
    CHECK_INT(c->n_control, 2);
    CHECK_INT(c->n_other, 2);
    CHECK_INT(c->n_treatment_pos, 1);
    CHECK_INT(c->n_control_pos, 1);
    CHECK_INT(d->n, 4);
    CHECK_INT(xs_uplift_data_line(d, 2), 6); /* the row "5,T,0" */
    CHECK_INT(xs_uplift_data_group(d, 2), 1);
    CHECK_INT(xs_uplift_data_outcome(d, 2), 0);
    xs_uplift_data_free(d);
}

static void test_save_load_round_trip(void)
{
    const char *p = planted(1500, 3);
    xs_uplift_data *d = read_ok(p, &PLANTED);
    if (!d) return;
    for (int l = 0; l < 2; l++) {
        xs_uplift_params par;
        xs_uplift_params_init(&par);
        par.learner = (xs_uplift_learner)l;
        par.xgb.rounds = 20;
        xs_uplift_model *m = NULL, *m2 = NULL;
        xs_uplift_data *d2 = NULL;
        xs_error e;
        const char *mp = tmp_path("model.json");
        CHECK_INT(xs_uplift_train(d, &par, &m, &e), XS_OK);
        CHECK_INT(xs_uplift_model_save(m, mp, &e), XS_OK);
        CHECK_INT(xs_uplift_model_load(mp, &m2, &e), XS_OK);
        if (!m || !m2) goto next;
        CHECK_INT(xs_uplift_model_learner(m2), l);
        CHECK_INT(xs_uplift_model_n_features(m2), 5);
        /* scoring the file: every row, the third arm included */
        CHECK_INT(xs_uplift_data_read_for_model(p, m2, ',', &d2, &e), XS_OK);
        if (!d2) goto next;
        CHECK_INT(d2->n, 1500);
        CHECK(d2->n > d->n);
        double *a = calloc(d->n, sizeof *a), *b = calloc(d2->n, sizeof *b);
        CHECK_INT(xs_uplift_predict(m, d, a, &e), XS_OK);
        CHECK_INT(xs_uplift_predict(m2, d2, b, &e), XS_OK);
        /* the rows of d are the T/C rows of d2, in order */
        size_t j = 0, same = 0;
        for (size_t i = 0; i < d2->n && j < d->n; i++)
            if (d2->lines[i] == d->lines[j]) same += a[j++] == b[i];
        CHECK_INT(same, d->n);
        free(a);
        free(b);
    next:
        xs_uplift_data_free(d2);
        xs_uplift_model_free(m);
        xs_uplift_model_free(m2);
        unlink(mp);
    }
    xs_uplift_data_free(d);
}

static void test_unseen_category_is_zero(void)
{
    const char *p = planted(600, 5);
    xs_uplift_data *d = read_ok(p, &PLANTED);
    xs_uplift_params par;
    xs_uplift_params_init(&par);
    par.xgb.rounds = 5;
    xs_uplift_model *m = NULL;
    xs_uplift_data *d2 = NULL;
    xs_error e;
    if (!d) return;
    CHECK_INT(xs_uplift_train(d, &par, &m, &e), XS_OK);
    const char *q = write_file("new.csv", "x,tenure,seg\n0.5,10,z\n0.5,10,\n0.5,,b\n");
    CHECK_INT(xs_uplift_data_read_for_model(q, m, ',', &d2, &e), XS_OK);
    if (d2) {
        CHECK_INT(d2->info[0].n_unseen, 1); /* seg, the model's column order */
        CHECK_INT(d2->info[0].n_blank, 1);
        CHECK_INT(d2->info[2].n_blank, 1); /* tenure */
        for (int f = 0; f < 3; f++)
            CHECK(d2->x[f] == 0.0f);
        CHECK(d2->x[2 * 5 + 1] == 1.0f);
        CHECK(isnan(d2->x[2 * 5 + 4]));
    }
    /* a numeric column holding text: located error */
    const char *bad = write_file("bad.csv", "seg,x,tenure\na,0.5,3\nb,high,4\n");
    xs_uplift_data_free(d2);
    d2 = NULL;
    CHECK_INT(xs_uplift_data_read_for_model(bad, m, ',', &d2, &e), XS_EINVAL);
    CHECK_INT(e.line, 3);
    CHECK_STR(e.column, "x");
    CHECK_STR(e.message, "not a number: \"high\"");
    /* a missing model column */
    const char *miss = write_file("miss.csv", "seg,x\na,1\n");
    CHECK_INT(xs_uplift_data_read_for_model(miss, m, ',', &d2, &e), XS_ENOTFOUND);
    CHECK_STR(e.message, "column \"tenure\" of the model is missing");
    xs_uplift_data_free(d2);
    xs_uplift_model_free(m);
    xs_uplift_data_free(d);
}

static void test_errors(void)
{
    const char *p = write_file("e.csv", "f,arm,y\n1,T,1\n2,C,0\n3,T,2\n");
    xs_uplift_data *d = NULL;
    xs_error e;
    xs_uplift_read_opts o = {
        .treatment_col = "arm", .treatment = "T", .control = "C", .outcome = "y"};
    CHECK_INT(xs_uplift_data_read(p, &o, &d, &e), XS_EINVAL);
    CHECK_INT(e.line, 4);
    CHECK_STR(e.column, "y");
    CHECK_STR(e.message, "outcome must be 0 or 1 (or give --positive): \"2\"");
    /* with --positive any other non-blank value is 0 */
    o.positive = "1";
    d = read_ok(p, &o);
    if (d) CHECK_INT(xs_uplift_data_counts(d)->n_treatment_pos, 1);
    xs_uplift_data_free(d);
    d = NULL;
    o.positive = NULL;
    o.outcome = "visit";
    CHECK_INT(xs_uplift_data_read(p, &o, &d, &e), XS_ENOTFOUND);
    CHECK_STR(e.param, "outcome");
    CHECK_STR(e.message, "unknown column \"visit\" (columns: f, arm, y)");
    o.outcome = "y";
    o.control = "none";
    o.positive = "1";
    CHECK_INT(xs_uplift_data_read(p, &o, &d, &e), XS_EINVAL);
    CHECK_STR(e.column, "arm");
    CHECK_STR(e.message, "no row has the control value \"none\"");
    o.positive = NULL;
    o.control = "T";
    CHECK_INT(xs_uplift_data_read(p, &o, &d, &e), XS_EINVAL);
    CHECK_STR(e.message, "the control value is the treatment value");
    o.control = "C";
    const char *feats[] = {"arm"};
    o.features = feats;
    o.n_features = 1;
    CHECK_INT(xs_uplift_data_read(p, &o, &d, &e), XS_EINVAL);
    CHECK_STR(e.param, "features");
    CHECK_STR(e.message, "\"arm\" is the treatment column");
    const char *twice[] = {"f", "f"};
    o.features = twice;
    o.n_features = 2;
    CHECK_INT(xs_uplift_data_read(p, &o, &d, &e), XS_EINVAL);
    CHECK_STR(e.message, "\"f\" is listed twice");
    const char *blank = write_file("b.csv", "f,arm,y\n1,T,\n");
    o.features = NULL;
    o.n_features = 0;
    CHECK_INT(xs_uplift_data_read(blank, &o, &d, &e), XS_EINVAL);
    CHECK_INT(e.line, 2);
    CHECK_STR(e.message, "blank outcome");
    CHECK(d == NULL);
    /* a model file that is not one */
    const char *junk = write_file("junk.json", "{\"xsell_churn\": {}}");
    xs_uplift_model *m = NULL;
    CHECK_INT(xs_uplift_model_load(junk, &m, &e), XS_EPARSE);
    CHECK_STR(
        e.message,
        "not an uplift model file: no \"xsell_uplift\" object and \"xgboost\" array");
    CHECK(m == NULL);
}

/* Every allocation failing in turn: XS_ENOMEM, nothing half-made, no leak
 * (ASan); the run after the last failure point succeeds. */
static void test_alloc_failures(void)
{
    char p[256];
    snprintf(p, sizeof p, "%s", planted(120, 8));
    int ok = 0;
    for (long k = 0; k < 2000 && !ok; k++) {
        xs_uplift_data *d = NULL, *d2 = NULL;
        xs_uplift_model *m = NULL, *m2 = NULL;
        xs_uplift_params par;
        xs_uplift_params_init(&par);
        par.xgb.rounds = 2;
        double u[120];
        const char *mp = tmp_path("fi.json");
        xs__alloc_fail_after(k);
        int rc = xs_uplift_data_read(p, &PLANTED, &d, NULL);
        if (rc == XS_OK) rc = xs_uplift_train(d, &par, &m, NULL);
        if (rc == XS_OK) rc = xs_uplift_model_save(m, mp, NULL);
        if (rc == XS_OK) rc = xs_uplift_model_load(mp, &m2, NULL);
        if (rc == XS_OK) rc = xs_uplift_data_read_for_model(p, m2, ',', &d2, NULL);
        if (rc == XS_OK) rc = xs_uplift_predict(m2, d2, u, NULL);
        if (rc == XS_OK) {
            xs_uplift_eval_opts o;
            xs_uplift_eval_opts_init(&o);
            o.params = par;
            o.n_boot = 3;
            xs_uplift_eval_result r;
            rc = xs_uplift_eval(d, &o, &r, NULL);
        }
        xs__alloc_fail_after(-1);
        if (rc == XS_OK)
            ok = 1;
        else
            CHECK_INT(rc, XS_ENOMEM);
        xs_uplift_data_free(d);
        xs_uplift_data_free(d2);
        xs_uplift_model_free(m);
        xs_uplift_model_free(m2);
        unlink(mp);
    }
    CHECK(ok);
}

/* The Hillstrom e-mail test (../shared/data): the arms' sizes and visit
 * rates of the women's e-mail against no e-mail (the published 0.0452
 * average effect). */
static void test_data_hillstrom(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/../shared/data/hillstrom/hillstrom.csv",
             src ? src : ".");
    if (access(path, R_OK) != 0) {
        xs_test_skip_absent(path);
        return;
    }
    const char *f[] = {"recency",  "history", "mens",   "womens",
                       "zip_code", "newbie",  "channel"};
    xs_uplift_read_opts o = {.treatment_col = "segment",
                             .treatment = "Womens E-Mail",
                             .control = "No E-Mail",
                             .outcome = "visit",
                             .features = f,
                             .n_features = 7};
    xs_uplift_data *d = read_ok(path, &o);
    if (!d) return;
    const xs_uplift_counts *c = xs_uplift_data_counts(d);
    CHECK_INT(c->n, 64000);
    CHECK_INT(c->n_treatment, 21387);
    CHECK_INT(c->n_control, 21306);
    CHECK_INT(c->n_other, 21307);
    double ate = (double)c->n_treatment_pos / (double)c->n_treatment -
                 (double)c->n_control_pos / (double)c->n_control;
    CHECK_NEAR(ate, 0.0452, 0.00005);
    /* zip_code and channel are categorical, 3 levels each */
    CHECK_INT(xs_uplift_data_n_features(d), 5 + 3 + 3);
    xs_uplift_data_free(d);
}

static const xs_test tests[] = {
    {"two_model_recovers", test_two_model_recovers},
    {"class_transform_recovers", test_class_transform_recovers},
    {"other_arm_left_out", test_other_arm_left_out},
    {"save_load_round_trip", test_save_load_round_trip},
    {"unseen_category_is_zero", test_unseen_category_is_zero},
    {"errors", test_errors},
    {"alloc_failures", test_alloc_failures},
    {"data:hillstrom", test_data_hillstrom},
};

int main(void)
{
    int rc = xs_test_run(tests, XS_N(tests));
    for (size_t i = 0; i < n_made; i++)
        unlink(tmp_path(made[i]));
    if (tmpdir[0]) rmdir(tmpdir);
    return rc;
}
