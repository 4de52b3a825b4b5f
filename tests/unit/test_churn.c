/*
 * test_churn.c — the churn-risk module: reading and encoding a customer
 * table (numeric vs categorical, one-hot names, blanks as missing, label
 * rules and every bad-input message), stratified folds, AUC / log loss /
 * calibration against hand-computed values and an O(n²) pair count,
 * cross-validation on planted-signal and noise-only data, the
 * train -> save -> load -> predict round trip, contributions summing to the
 * margin, fault injection, and the telco data set when present.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/rng.h"
#include "score/churn.h"

#include <unistd.h>

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/xs_churn_XXXXXX");
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
    return p;
}

static char *fmt_err(const xs_error *e)
{
    static char buf[1200];
    return (char *)xs_error_format(e, buf, sizeof buf);
}

/* ---------------------------------------------------------------------- */
/* Cells and encoding                                                      */
/* ---------------------------------------------------------------------- */

static void test_parse_cell(void)
{
    double v = -1;
    CHECK_INT(xs__score_churn_parse_cell("12", &v), 0);
    CHECK_NEAR(v, 12, 0);
    CHECK_INT(xs__score_churn_parse_cell(" -3.5 ", &v), 0);
    CHECK_NEAR(v, -3.5, 0);
    CHECK_INT(xs__score_churn_parse_cell("1e3", &v), 0);
    CHECK_NEAR(v, 1000, 0);
    CHECK_INT(xs__score_churn_parse_cell("", &v), 1);
    CHECK_INT(xs__score_churn_parse_cell("   ", &v), 1);
    CHECK_INT(xs__score_churn_parse_cell("abc", &v), -1);
    CHECK_INT(xs__score_churn_parse_cell("0x10", &v), -1);
    CHECK_INT(xs__score_churn_parse_cell("nan", &v), -1);
    CHECK_INT(xs__score_churn_parse_cell("inf", &v), -1);
    CHECK_INT(xs__score_churn_parse_cell("1e999", &v), -1);
    CHECK_INT(xs__score_churn_parse_cell("-", &v), -1);
    CHECK_INT(xs__score_churn_parse_cell("1 2", &v), -1);
}

static const char SMALL[] = "id,plan,seats,spend,region,churned\n"
                            "c1,pro,10,100.5,north,Yes\n"
                            "c2,basic,5, ,south,No\n"
                            "c3,pro,7,,,No\n"
                            "c4,team,3,20,north,Yes\n"
                            "c5,basic,2,3.5,east,No\n";

static void test_encoding(void)
{
    const char *p = write_file("small.csv", SMALL);
    xs_churn_read_opts o = {.id = "id", .label = "churned"};
    xs_churn_data *d = NULL;
    xs_error e;
    CHECK_INT(xs_churn_data_read(p, &o, &d, &e), XS_OK);
    if (!d) return;
    CHECK_INT(xs_churn_data_rows(d), 5);
    CHECK_INT(xs_churn_data_positives(d), 2);
    CHECK_STR(xs_churn_data_positive(d), "Yes"); /* detected */
    CHECK_STR(xs_churn_data_negative(d), "No");
    CHECK_INT(xs_churn_data_n_columns(d), 4);
    const char *names[] = {"plan=basic", "plan=pro",    "plan=team",    "seats",
                           "spend",      "region=east", "region=north", "region=south"};
    CHECK_INT(xs_churn_data_n_features(d), 8);
    for (size_t j = 0; j < 8 && j < xs_churn_data_n_features(d); j++)
        CHECK_STR(xs_churn_data_feature_name(d, j), names[j]);
    const xs_churn_column *c = xs_churn_data_column(d, 0);
    CHECK_STR(c->name, "plan");
    CHECK_INT(c->categorical, 1);
    CHECK_INT(c->n_levels, 3);
    CHECK_INT(c->n_blank, 0);
    c = xs_churn_data_column(d, 1);
    CHECK_STR(c->name, "seats");
    CHECK_INT(c->categorical, 0);
    c = xs_churn_data_column(d, 2);
    CHECK_STR(c->name, "spend");
    CHECK_INT(c->categorical, 0); /* " " and "" are blanks, not text */
    CHECK_INT(c->n_blank, 2);
    c = xs_churn_data_column(d, 3);
    CHECK_INT(c->categorical, 1);
    CHECK_INT(c->n_blank, 1);
    /* row 1 (c2): basic, 5, missing, south */
    CHECK_NEAR(xs_churn_data_value(d, 1, 0), 1, 0);
    CHECK_NEAR(xs_churn_data_value(d, 1, 1), 0, 0);
    CHECK_NEAR(xs_churn_data_value(d, 1, 3), 5, 0);
    CHECK(isnan(xs_churn_data_value(d, 1, 4)));
    CHECK_NEAR(xs_churn_data_value(d, 1, 7), 1, 0);
    CHECK_NEAR(xs_churn_data_value(d, 0, 4), 100.5, 1e-5);
    /* row 2 (c3): blank region sets no indicator */
    CHECK_NEAR(xs_churn_data_value(d, 2, 5) + xs_churn_data_value(d, 2, 6) +
                   xs_churn_data_value(d, 2, 7),
               0, 0);
    CHECK_STR(xs_churn_data_id(d, 3), "c4");
    CHECK_INT(xs_churn_data_label(d, 3), 1);
    CHECK_INT(xs_churn_data_label(d, 4), 0);
    xs_churn_data_free(d);

    /* --drop and an explicit positive value (the other one becomes positive) */
    const char *drop[] = {"region", "seats"};
    o.drop = drop;
    o.n_drop = 2;
    o.positive = "No";
    CHECK_INT(xs_churn_data_read(p, &o, &d, &e), XS_OK);
    if (!d) return;
    CHECK_INT(xs_churn_data_n_features(d), 4);
    CHECK_STR(xs_churn_data_feature_name(d, 3), "spend");
    CHECK_INT(xs_churn_data_positives(d), 3);
    CHECK_INT(xs_churn_data_label(d, 0), 0);
    xs_churn_data_free(d);

    /* a numeric column with one text value becomes categorical */
    p = write_file("mixed.csv", "id,x,y\na,1,0\nb,2,1\nc,n/a,0\nd,2,1\n");
    xs_churn_read_opts o2 = {.id = "id", .label = "y"};
    CHECK_INT(xs_churn_data_read(p, &o2, &d, &e), XS_OK);
    if (!d) return;
    CHECK_INT(xs_churn_data_n_features(d), 3);
    CHECK_STR(xs_churn_data_feature_name(d, 0), "x=1");
    CHECK_STR(xs_churn_data_feature_name(d, 2), "x=n/a");
    CHECK_STR(xs_churn_data_positive(d), "1");
    xs_churn_data_free(d);
}

/* Each bad input: its code and exact message. */
static void bad_read(const char *name, const char *text, xs_churn_read_opts o, int code,
                     const char *want)
{
    const char *p = text ? write_file(name, text) : tmp_path(name);
    xs_churn_data *d = (xs_churn_data *)1;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = xs_churn_data_read(p, &o, &d, &e);
    CHECK_INT(rc, code);
    CHECK(d == NULL);
    char want_full[600];
    snprintf(want_full, sizeof want_full, want, p);
    CHECK_STR(fmt_err(&e), want_full);
}

static void test_bad_input(void)
{
    xs_churn_read_opts o = {.id = "id", .label = "churned"};
    bad_read("three.csv", "id,x,churned\na,1,Yes\nb,2,No\nc,3,Maybe\n", o, XS_EINVAL,
             "%s:4: churned: a third label value \"Maybe\" (after \"Yes\" and \"No\"): "
             "the label must have two values");
    xs_churn_read_opts op = o;
    op.positive = "Yes";
    bad_read("other.csv", "id,x,churned\na,1,No\nb,2,Yes\nc,3,no\n", op, XS_EINVAL,
             "%s:4: churned: label \"no\" is neither the positive value \"Yes\" nor the "
             "other value \"No\"");
    op.positive = "Y";
    bad_read("nopos.csv", "id,x,churned\na,1,No\nb,2,Yes\n", op, XS_EINVAL,
             "%s:3: churned: label \"Yes\" is neither the positive value \"Y\" nor the "
             "other value \"No\"");
    bad_read("nopos1.csv", "id,x,churned\na,1,No\nb,2,No\n", op, XS_EINVAL,
             "%s: churned: the positive value \"Y\" does not occur");
    bad_read("blank.csv", "id,x,churned\na,1,No\nb,2,\n", o, XS_EINVAL,
             "%s:3: churned: blank label");
    bad_read("which.csv", "id,x,churned\na,1,A\nb,2,B\n", o, XS_EINVAL,
             "%s: churned: cannot tell the positive label among \"A\" and \"B\"; give "
             "--positive");
    bad_read("dup.csv", "id,x,churned\na,1,No\nb,2,Yes\na,3,No\n", o, XS_EINVAL,
             "%s:4: id: duplicate id \"a\" (first on line 2)");
    bad_read("blankid.csv", "id,x,churned\na,1,No\n ,2,Yes\n", o, XS_EINVAL,
             "%s:3: id: blank id");
    bad_read("nofeat.csv", "id,churned\na,No\nb,Yes\n", o, XS_EINVAL,
             "%s: no feature columns besides the id and the label");
    bad_read("huge.csv", "id,x,churned\na,1,No\nb,1e300,Yes\n", o, XS_EINVAL,
             "%s:3: x: number too large for the model: \"1e300\"");
    bad_read("empty.csv", "", o, XS_EPARSE, "%s: empty file (no header row)");
    bad_read("header.csv", "id,x,churned\n", o, XS_EINVAL, "%s: no data rows");
    bad_read("absent.csv", NULL, o, XS_EIO, "%s: cannot open: No such file or directory");
    xs_churn_read_opts ou = o;
    ou.label = "churn";
    bad_read("unk.csv", "id,x,churned\na,1,No\n", ou, XS_ENOTFOUND,
             "%s: label: unknown column \"churn\" (columns: id, x, churned)");
    ou = o;
    ou.id = "ID";
    bad_read("unk2.csv", "id,x,churned\na,1,No\n", ou, XS_ENOTFOUND,
             "%s: id: unknown column \"ID\" (columns: id, x, churned)");
    const char *drop[] = {"y"};
    ou = o;
    ou.drop = drop;
    ou.n_drop = 1;
    bad_read("unk3.csv", "id,x,churned\na,1,No\n", ou, XS_ENOTFOUND,
             "%s: drop: unknown column \"y\" (columns: id, x, churned)");
}

/* ---------------------------------------------------------------------- */
/* Measures                                                                */
/* ---------------------------------------------------------------------- */

static double brute_auc(const double *s, const unsigned char *y, size_t n)
{
    double good = 0, pairs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (y[i] && !y[j]) {
                pairs++;
                good += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
    return good / pairs;
}

static void test_auc(void)
{
    /* 4 pairs, 3 ordered: 0.35 < 0.4 is the one mistake */
    double s1[] = {0.1, 0.4, 0.35, 0.8};
    unsigned char y1[] = {0, 0, 1, 1};
    CHECK_NEAR(xs__score_churn_auc(s1, y1, 4), 0.75, 1e-15);
    /* ties: positive 0.5 vs negatives 0.5, 0.5 count 1/2 each */
    double s2[] = {0.5, 0.5, 0.5, 0.9};
    unsigned char y2[] = {0, 1, 0, 1};
    CHECK_NEAR(xs__score_churn_auc(s2, y2, 4), 0.75, 1e-15);
    double s3[] = {1, 1, 1, 1, 1};
    unsigned char y3[] = {1, 0, 1, 0, 0};
    CHECK_NEAR(xs__score_churn_auc(s3, y3, 5), 0.5, 1e-15);
    double s4[] = {3, 2, 1};
    unsigned char y4[] = {0, 1, 1};
    CHECK_NEAR(xs__score_churn_auc(s4, y4, 3), 0, 1e-15);
    unsigned char y5[] = {1, 1, 1};
    CHECK(isnan(xs__score_churn_auc(s4, y5, 3)));
    /* random data with many ties against the O(n^2) pair count */
    xs__rng r;
    xs__rng_seed(&r, 7);
    for (int rep = 0; rep < 20; rep++) {
        size_t n = 2 + (size_t)xs__rng_below(&r, 400);
        double *s = malloc(n * sizeof *s);
        unsigned char *y = malloc(n);
        size_t np = 0;
        for (size_t i = 0; i < n; i++) {
            y[i] = xs__rng_uniform(&r) < 0.3;
            s[i] = (double)xs__rng_below(&r, rep % 2 ? 10 : 1000) + y[i] * 2.0;
            np += y[i];
        }
        if (np == 0) y[0] = 1, np++;
        if (np == n) y[0] = 0;
        CHECK_NEAR(xs__score_churn_auc(s, y, n), brute_auc(s, y, n), 1e-12);
        free(s);
        free(y);
    }
}

static void test_log_loss(void)
{
    double p[] = {0.9, 0.2, 0.6};
    unsigned char y[] = {1, 0, 0};
    CHECK_NEAR(xs__score_churn_log_loss(p, y, 3), -(log(0.9) + log(0.8) + log(0.4)) / 3,
               1e-15);
    double q[] = {0.0, 1.0};
    unsigned char yq[] = {1, 1};
    /* clipped: -(log 1e-15 + log(1 - 1e-15)) / 2 */
    CHECK_NEAR(xs__score_churn_log_loss(q, yq, 2), 34.538776394910684 / 2, 1e-9);
    CHECK(isnan(xs__score_churn_log_loss(p, y, 0)));
}

static void test_calibration(void)
{
    /* 25 rows, p = i/25 given in reverse order, y = 1 for i % 3 == 0.
     * Bin sizes b*25/10: 2,3,2,3,2,3,2,3,2,3. */
    double p[25];
    unsigned char y[25];
    for (int k = 0; k < 25; k++) {
        int i = 24 - k;
        p[k] = i / 25.0;
        y[k] = i % 3 == 0;
    }
    xs_churn_bin b[10];
    CHECK_INT(xs__score_churn_calibration(p, y, 25, 10, b), XS_OK);
    static const size_t sizes[] = {2, 3, 2, 3, 2, 3, 2, 3, 2, 3};
    size_t lo = 0;
    for (int k = 0; k < 10; k++) {
        CHECK_INT(b[k].n, sizes[k]);
        double sp = 0, sy = 0;
        for (size_t i = lo; i < lo + sizes[k]; i++) {
            sp += (double)i / 25.0;
            sy += i % 3 == 0;
        }
        CHECK_NEAR(b[k].mean_pred, sp / (double)sizes[k], 1e-15);
        CHECK_NEAR(b[k].observed, sy / (double)sizes[k], 1e-15);
        CHECK_NEAR(b[k].p_min, (double)lo / 25.0, 1e-15);
        CHECK_NEAR(b[k].p_max, (double)(lo + sizes[k] - 1) / 25.0, 1e-15);
        lo += sizes[k];
    }
    /* by hand: bin 0 = {0, 0.04}, y {1, 0}; bin 1 = {0.08, 0.12, 0.16}, y {0, 1, 0} */
    CHECK_NEAR(b[0].mean_pred, 0.02, 1e-15);
    CHECK_NEAR(b[0].observed, 0.5, 0);
    CHECK_NEAR(b[1].mean_pred, 0.12, 1e-15);
    CHECK_NEAR(b[1].observed, 1.0 / 3, 1e-15);
    /* fewer rows than bins: ranks b*3/10 -> bins 0-2 empty */
    double p3[] = {0.3, 0.1, 0.2};
    unsigned char y3[] = {1, 0, 1};
    CHECK_INT(xs__score_churn_calibration(p3, y3, 3, 10, b), XS_OK);
    CHECK_INT(b[0].n, 0);
    CHECK(isnan(b[0].mean_pred));
    CHECK_INT(b[3].n, 1);
    CHECK_NEAR(b[3].mean_pred, 0.1, 0);
    CHECK_NEAR(b[3].observed, 0, 0);
    CHECK_INT(b[9].n, 1);
    CHECK_NEAR(b[9].mean_pred, 0.3, 0);
    /* ties are split by row index: deterministic */
    double pt[] = {0.5, 0.5, 0.5, 0.5};
    unsigned char yt[] = {1, 1, 0, 0};
    CHECK_INT(xs__score_churn_calibration(pt, yt, 4, 2, b), XS_OK);
    CHECK_NEAR(b[0].observed, 1, 0);
    CHECK_NEAR(b[1].observed, 0, 0);
}

static void test_folds(void)
{
    xs__rng r;
    xs__rng_seed(&r, 11);
    size_t n = 1003;
    unsigned char *y = malloc(n);
    uint32_t *f = malloc(n * sizeof *f), *g = malloc(n * sizeof *g);
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        np += y[i] = xs__rng_uniform(&r) < 0.27;
    size_t ks[] = {2, 5, 7, 10};
    for (size_t t = 0; t < 4; t++) {
        size_t k = ks[t];
        CHECK_INT(xs__score_churn_folds(y, n, k, 42, f), XS_OK);
        size_t cnt[10] = {0}, pos[10] = {0};
        for (size_t i = 0; i < n; i++) {
            CHECK(f[i] < k); /* every row in exactly one fold */
            cnt[f[i]]++;
            pos[f[i]] += y[i];
        }
        double share = (double)np / (double)n;
        for (size_t j = 0; j < k; j++) {
            CHECK(cnt[j] == n / k || cnt[j] == n / k + 1);
            CHECK(pos[j] == np / k || pos[j] == np / k + 1);
            /* positive share within one percentage point of the overall */
            CHECK(fabs((double)pos[j] / (double)cnt[j] - share) < 0.01);
        }
        CHECK_INT(xs__score_churn_folds(y, n, k, 42, g), XS_OK);
        CHECK(memcmp(f, g, n * sizeof *f) == 0); /* deterministic */
        CHECK_INT(xs__score_churn_folds(y, n, k, 43, g), XS_OK);
        CHECK(memcmp(f, g, n * sizeof *f) != 0); /* the seed matters */
    }
    free(y);
    free(f);
    free(g);
}

/* ---------------------------------------------------------------------- */
/* Models                                                                  */
/* ---------------------------------------------------------------------- */

/* n customers; signal: label ~ Bernoulli(logistic(2 x1 - 1.5 x2 + plan
 * effect - 0.5)); x3 noise. Without signal: Bernoulli(0.3). Deterministic. */
static const char *make_synth(const char *name, size_t n, int signal, uint64_t seed)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "w");
    if (!f) abort();
    xs__rng r;
    xs__rng_seed(&r, seed);
    static const char *plans[] = {"basic", "pro", "team"};
    static const double effect[] = {0.8, -0.6, 0.0};
    fprintf(f, "cust,x1,x2,x3,plan,churn\n");
    for (size_t i = 0; i < n; i++) {
        double x1 = xs__rng_normal(&r), x2 = xs__rng_normal(&r), x3 = xs__rng_normal(&r);
        size_t pl = (size_t)xs__rng_below(&r, 3);
        double z = signal ? 2 * x1 - 1.5 * x2 + effect[pl] - 0.5 : -0.847;
        int y = xs__rng_uniform(&r) < 1 / (1 + exp(-z));
        if (i % 97 == 5)
            fprintf(f, "u%zu,%.4f,,%.4f,%s,%s\n", i, x1, x3, plans[pl],
                    y ? "true" : "false");
        else
            fprintf(f, "u%zu,%.4f,%.4f,%.4f,%s,%s\n", i, x1, x2, x3, plans[pl],
                    y ? "true" : "false");
    }
    fclose(f);
    return p;
}

static xs_churn_data *read_synth(const char *p)
{
    xs_churn_read_opts o = {.id = "cust", .label = "churn"};
    xs_churn_data *d = NULL;
    xs_error e;
    if (xs_churn_data_read(p, &o, &d, &e) < 0) fprintf(stderr, "%s\n", fmt_err(&e));
    return d;
}

static void small_params(xs_churn_params *p)
{
    xs_churn_params_init(p);
    p->rounds = 30;
    p->max_depth = 3;
    p->eta = 0.3;
}

static void test_cv_signal_and_noise(void)
{
    xs_churn_params par;
    small_params(&par);
    xs_churn_data *d = read_synth(make_synth("signal.csv", 1500, 1, 5));
    CHECK(d != NULL);
    if (!d) return;
    CHECK_STR(xs_churn_data_positive(d), "true");
    CHECK_INT(xs_churn_data_column(d, 1)->n_blank, 16); /* x2 blank every 97th row */
    xs_churn_cv r, r2;
    xs_error e;
    CHECK_INT(xs_churn_cv_run(d, &par, &r, &e), XS_OK);
    /* the Bayes AUC of this design is about 0.9; a fitted model gets > 0.8 */
    CHECK(r.auc > 0.8);
    CHECK(r.auc_pooled > 0.8);
    CHECK(r.log_loss < 0.55);
    CHECK_INT(r.n_folds, 5);
    size_t tot = 0;
    for (size_t f = 0; f < r.n_folds; f++) {
        tot += r.folds[f].n;
        CHECK(r.folds[f].auc > 0.7);
    }
    CHECK_INT(tot, 1500);
    size_t binsum = 0;
    for (int b = 0; b < XS_CHURN_BINS; b++)
        binsum += r.bins[b].n;
    CHECK_INT(binsum, 1500);
    /* pooled log loss equals the one recomputed from the out-of-fold array */
    CHECK_NEAR(r.log_loss, xs__score_churn_log_loss(r.oof, d->y, d->n), 1e-15);
    /* deterministic: same data, same seed -> same predictions, bit for bit */
    CHECK_INT(xs_churn_cv_run(d, &par, &r2, &e), XS_OK);
    CHECK(memcmp(r.oof, r2.oof, d->n * sizeof *r.oof) == 0);
    xs_churn_cv_free(&r2);
    xs_churn_cv_free(&r);

    par.folds = 1;
    CHECK_INT(xs_churn_cv_run(d, &par, &r, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "folds: 1 folds for 1500 rows: need 2 <= folds <= rows");
    par.folds = 1501;
    CHECK_INT(xs_churn_cv_run(d, &par, &r, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "folds: 1501 folds for 1500 rows: need 2 <= folds <= rows");
    xs_churn_data_free(d);

    small_params(&par);
    d = read_synth(make_synth("noise.csv", 1500, 0, 6));
    CHECK(d != NULL);
    if (!d) return;
    CHECK_INT(xs_churn_cv_run(d, &par, &r, &e), XS_OK);
    CHECK(r.auc > 0.42 && r.auc < 0.58);
    xs_churn_cv_free(&r);
    xs_churn_data_free(d);
}

static void test_single_class(void)
{
    const char *p = write_file("one.csv", "id,x,churned\na,1,Yes\nb,2,Yes\nc,3,Yes\n");
    xs_churn_read_opts o = {.id = "id", .label = "churned"};
    xs_churn_data *d = NULL;
    xs_error e;
    CHECK_INT(xs_churn_data_read(p, &o, &d, &e), XS_OK);
    if (!d) return;
    xs_churn_params par;
    small_params(&par);
    par.folds = 2;
    xs_churn_cv r;
    CHECK_INT(xs_churn_cv_run(d, &par, &r, &e), XS_EINVAL);
    char want[400];
    snprintf(want, sizeof want,
             "%s: the label has a single value: need positives and negatives", p);
    CHECK_STR(fmt_err(&e), want);
    xs_churn_model *m = NULL;
    CHECK_INT(xs_churn_train(d, &par, &m, &e), XS_EINVAL);
    CHECK(m == NULL);
    xs_churn_data_free(d);
}

static void test_round_trip_and_contribs(void)
{
    xs_churn_params par;
    small_params(&par);
    const char *p = make_synth("rt.csv", 600, 1, 9);
    xs_churn_data *d = read_synth(p);
    CHECK(d != NULL);
    if (!d) return;
    xs_churn_model *m = NULL, *m2 = NULL;
    xs_error e;
    CHECK_INT(xs_churn_train(d, &par, &m, &e), XS_OK);
    if (!m) goto done;
    CHECK_INT(xs_churn_model_n_features(m), 6);
    const char *mp = tmp_path("model.json");
    CHECK_INT(xs_churn_model_save(m, mp, &e), XS_OK);
    CHECK_INT(xs_churn_model_load(mp, &m2, &e), XS_OK);
    if (!m2) goto done;
    CHECK_STR(xs_churn_model_positive(m2), "true");
    xs_churn_data *d2 = NULL;
    CHECK_INT(xs_churn_data_read_for_model(p, m2, "cust", 0, &d2, &e), XS_OK);
    if (!d2) goto done;
    xs_churn_pred a, b;
    CHECK_INT(xs_churn_predict(m, d, 1, &a, &e), XS_OK);
    CHECK_INT(xs_churn_predict(m2, d2, 1, &b, &e), XS_OK);
    CHECK_INT(a.n, 600);
    CHECK(memcmp(a.prob, b.prob, 600 * sizeof *a.prob) == 0); /* identical */
    CHECK(memcmp(a.contribs, b.contribs, 600 * 7 * sizeof *a.contribs) == 0);
    for (size_t i = 0; i < a.n; i++) {
        /* contributions incl. bias sum to the raw margin; p = logistic(margin) */
        double s = 0;
        for (size_t j = 0; j <= a.n_features; j++)
            s += a.contribs[i * (a.n_features + 1) + j];
        CHECK_NEAR(s, a.margin[i], 1e-4);
        CHECK_NEAR(a.prob[i], 1 / (1 + exp(-a.margin[i])), 1e-6);
        /* reasons: all 4 columns, ordered by |contribution|, summing to the
         * margin minus the bias */
        xs_churn_reason rs[4];
        CHECK_INT(xs_churn_reasons(&a, d, i, rs, 4), 4);
        double t = a.contribs[i * (a.n_features + 1) + a.n_features];
        for (int k = 0; k < 4; k++) {
            t += rs[k].contribution;
            if (k) CHECK(fabs(rs[k - 1].contribution) >= fabs(rs[k].contribution));
        }
        CHECK_NEAR(t, a.margin[i], 1e-4);
        if (i == 0) {
            int seen_plan = 0;
            for (int k = 0; k < 4; k++)
                if (!strncmp(rs[k].name, "plan=", 5)) {
                    seen_plan = 1;
                    CHECK(!strcmp(rs[k].name + 5, d->cat_raw[3]));
                }
            CHECK(seen_plan);
        }
    }
    /* approximate (Saabas) contributions also sum to the margin, but differ */
    xs_churn_pred ap;
    CHECK_INT(xs_churn_predict(m, d, XS_CHURN_CONTRIBS_APPROX, &ap, &e), XS_OK);
    if (ap.contribs) {
        for (size_t i = 0; i < ap.n; i++) {
            double s = 0;
            for (size_t j = 0; j <= ap.n_features; j++)
                s += ap.contribs[i * (ap.n_features + 1) + j];
            CHECK_NEAR(s, a.margin[i], 1e-4);
        }
        CHECK(memcmp(a.contribs, ap.contribs, 600 * 7 * sizeof *a.contribs) != 0);
    }
    xs_churn_pred_free(&ap);
    /* the thread count of prediction does not change the numbers */
    xs_churn_model_set_threads(m2, 2);
    CHECK_INT(xs_churn_predict(m2, d2, 1, &ap, &e), XS_OK);
    CHECK(ap.prob && memcmp(ap.prob, a.prob, 600 * sizeof *a.prob) == 0);
    xs_churn_pred_free(&ap);
    /* top-2 is the head of the full list */
    xs_churn_reason r2[2], r4[4];
    xs_churn_reasons(&a, d, 7, r4, 4);
    CHECK_INT(xs_churn_reasons(&a, d, 7, r2, 2), 2);
    CHECK_STR(r2[0].name, r4[0].name);
    CHECK_STR(r2[1].name, r4[1].name);
    xs_churn_pred_free(&a);
    xs_churn_pred_free(&b);
    xs_churn_data_free(d2);

    /* scoring-time input problems */
    const char *q = write_file("score_bad.csv",
                               "cust,x1,x2,x3,plan\nz1,0.5,1,0,gold\nz2,1,x,0,pro\n");
    CHECK_INT(xs_churn_data_read_for_model(q, m2, "cust", 0, &d2, &e), XS_EINVAL);
    char want[400];
    snprintf(want, sizeof want, "%s:3: x2: not a number: \"x\"", q);
    CHECK_STR(fmt_err(&e), want);
    q = write_file("score_miss.csv", "cust,x1,x2,plan\nz1,0.5,1,gold\n");
    CHECK_INT(xs_churn_data_read_for_model(q, m2, "cust", 0, &d2, &e), XS_ENOTFOUND);
    snprintf(want, sizeof want, "%s: column \"x3\" of the model is missing", q);
    CHECK_STR(fmt_err(&e), want);
    q = write_file("score_ok.csv", "cust,x1,x2,x3,plan\nz1,0.5,1,0,gold\nz2,1,,2,pro\n");
    CHECK_INT(xs_churn_data_read_for_model(q, m2, "cust", 0, &d2, &e), XS_OK);
    if (d2) {
        CHECK_INT(xs_churn_data_column(d2, 3)->n_unseen, 1);
        CHECK_INT(xs_churn_data_column(d2, 1)->n_blank, 1);
        CHECK_INT(xs_churn_data_label(d2, 0), -1);
        CHECK_INT(xs_churn_predict(m2, d2, 0, &a, &e), XS_OK);
        CHECK(a.contribs == NULL);
        CHECK(a.prob[0] > 0 && a.prob[0] < 1);
        xs_churn_pred_free(&a);
        xs_churn_data_free(d2);
    }
    q = write_file("not_model.json", "{\"a\": 1}");
    xs_churn_model *m3 = NULL;
    CHECK_INT(xs_churn_model_load(q, &m3, &e), XS_EPARSE);
    snprintf(want, sizeof want,
             "%s: not a churn model file: no \"xsell_churn\" and \"xgboost\" objects", q);
    CHECK_STR(fmt_err(&e), want);
done:
    xs_churn_model_free(m);
    xs_churn_model_free(m2);
    xs_churn_data_free(d);
}

static void test_alloc_failures(void)
{
    const char *p = write_file("small2.csv", SMALL);
    xs_churn_read_opts o = {.id = "id", .label = "churned"};
    int ok = 0;
    for (long k = 0; k < 400 && !ok; k++) {
        xs_churn_data *d = NULL;
        xs__alloc_fail_after(k);
        int rc = xs_churn_data_read(p, &o, &d, NULL);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            ok = 1;
            CHECK_INT(xs_churn_data_n_features(d), 8);
        } else {
            CHECK_INT(rc, XS_ENOMEM);
            CHECK(d == NULL);
        }
        xs_churn_data_free(d);
    }
    CHECK(ok);
    /* cross-validation on the small table, every allocation failing in turn */
    xs_churn_data *d = NULL;
    CHECK_INT(xs_churn_data_read(p, &o, &d, NULL), XS_OK);
    if (!d) return;
    xs_churn_params par;
    small_params(&par);
    par.rounds = 2;
    par.folds = 2;
    ok = 0;
    for (long k = 0; k < 200 && !ok; k++) {
        xs_churn_cv r;
        xs__alloc_fail_after(k);
        int rc = xs_churn_cv_run(d, &par, &r, NULL);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            ok = 1;
            CHECK_INT(r.n_folds, 2);
            xs_churn_cv_free(&r);
        } else {
            CHECK_INT(rc, XS_ENOMEM);
        }
    }
    CHECK(ok);
    /* train, save, load, read for the model and predict, failing in turn */
    const char *mp = tmp_path("fi_model.json");
    ok = 0;
    for (long k = 0; k < 400 && !ok; k++) {
        xs_churn_model *m = NULL, *m2 = NULL;
        xs_churn_data *d2 = NULL;
        xs_churn_pred pr;
        memset(&pr, 0, sizeof pr);
        xs__alloc_fail_after(k);
        int rc = xs_churn_train(d, &par, &m, NULL);
        if (rc == XS_OK) rc = xs_churn_model_save(m, mp, NULL);
        if (rc == XS_OK) rc = xs_churn_model_load(mp, &m2, NULL);
        if (rc == XS_OK) rc = xs_churn_data_read_for_model(p, m2, "id", 0, &d2, NULL);
        if (rc == XS_OK) rc = xs_churn_predict(m2, d2, 1, &pr, NULL);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            ok = 1;
            CHECK_INT(pr.n, 5);
        } else {
            CHECK_INT(rc, XS_ENOMEM);
        }
        xs_churn_pred_free(&pr);
        xs_churn_data_free(d2);
        xs_churn_model_free(m);
        xs_churn_model_free(m2);
    }
    CHECK(ok);
    xs_churn_data_free(d);
}

static void test_telco(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/../shared/data/telco/telco-customer-churn.csv",
             src ? src : ".");
    if (access(path, R_OK) != 0) {
        xs_test_skip_absent(path);
        return;
    }
    xs_churn_read_opts o = {.id = "customerID", .label = "Churn", .positive = "Yes"};
    xs_churn_data *d = NULL;
    xs_error e;
    CHECK_INT(xs_churn_data_read(path, &o, &d, &e), XS_OK);
    if (!d) return;
    CHECK_INT(xs_churn_data_rows(d), 7043);
    CHECK_INT(xs_churn_data_positives(d), 1869);
    size_t tc = SIZE_MAX;
    for (size_t c = 0; c < xs_churn_data_n_columns(d); c++)
        if (!strcmp(xs_churn_data_column(d, c)->name, "TotalCharges")) tc = c;
    CHECK(tc != SIZE_MAX);
    if (tc != SIZE_MAX) {
        CHECK_INT(xs_churn_data_column(d, tc)->categorical, 0);
        CHECK_INT(xs_churn_data_column(d, tc)->n_blank, 11);
    }
    xs_churn_params par;
    xs_churn_params_init(&par); /* the defaults: 200 rounds, depth 3, eta 0.05 */
    xs_churn_cv r;
    CHECK_INT(xs_churn_cv_run(d, &par, &r, &e), XS_OK);
    printf("telco 5-fold CV AUC %.4f (sd %.4f), log loss %.4f\n", r.auc, r.auc_sd,
           r.log_loss);
    CHECK(r.auc > 0.80);
    CHECK(r.log_loss < 0.45);
    xs_churn_cv_free(&r);
    xs_churn_data_free(d);
}

static void cleanup_tmp(void)
{
    if (!tmpdir[0]) return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static const xs_test tests[] = {
    {"parse_cell", test_parse_cell},
    {"encoding", test_encoding},
    {"bad_input", test_bad_input},
    {"auc", test_auc},
    {"log_loss", test_log_loss},
    {"calibration", test_calibration},
    {"folds", test_folds},
    {"cv_signal_and_noise", test_cv_signal_and_noise},
    {"single_class", test_single_class},
    {"round_trip_and_contribs", test_round_trip_and_contribs},
    {"alloc_failures", test_alloc_failures},
    {"data:telco", test_telco},
};

int main(void)
{
    int rc = xs_test_run(tests, XS_N(tests));
    cleanup_tmp();
    return rc;
}
