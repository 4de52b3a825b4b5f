/*
 * uplift.c — the uplift learners on XGBoost's C API (libxgboost 1.7):
 * training, prediction, and the model file.
 *
 * Two learners, both estimating tau(x) = P(y=1 | x, treated) -
 * P(y=1 | x, control) from a randomised experiment:
 *  - two_model: one classifier fitted on the treated rows, one on the
 *    control rows; tau = p_t(x) - p_c(x). Each starts from its own arm's
 *    outcome rate (base_score), so the two are on the same scale from the
 *    first round and their difference is not an artefact of how far each
 *    boosted from 0.5.
 *  - class_transform (Jaskowski & Jaroszewicz 2012): z = 1 for treated
 *    responders and control non-responders, 0 otherwise; when both arms
 *    weigh the same, P(z=1 | x) = (1 + tau(x)) / 2, so tau = 2 P(z|x) - 1.
 *    Arms of different sizes are weighted n / (2 n_arm) so that the
 *    identity holds whatever the split of the experiment.
 * Two models fit each arm's response surface well when the effect is
 * large or the arms differ in what drives the outcome; the class
 * transformation fits the effect directly, one model on all rows, which
 * helps when the effect is small next to the response (docs/uplift.md).
 *
 * Determinism: binary:logistic, tree_method hist, no subsampling, seed and
 * nthread fixed (default 2): the same data and parameters give the same
 * model bytes and the same predictions on every run.
 */
#include "score/uplift.h"
#include "score/xgb.h"

#include "base/alloc.h"
#include "base/error.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xgboost/c_api.h>

#define MODEL_FORMAT 1

struct xs_uplift_model {
    xs_uplift_learner learner;
    BoosterHandle h[2]; /* two_model: treated, control; class_transform: h[0] */
    size_t n_boosters;
    xs__score_churn_enc enc;
    xs_uplift_params params;
    xs_uplift_counts counts; /* of the training rows */
    char *treatment_col, *treatment, *control, *outcome, *positive;
};

static const char *const LEARNERS[] = {"two_model", "class_transform"};

const char *xs_uplift_learner_name(xs_uplift_learner l)
{
    return (unsigned)l < 2 ? LEARNERS[l] : "?";
}

int xs_uplift_learner_parse(const char *name, xs_uplift_learner *out)
{
    for (int i = 0; i < 2; i++)
        if (!strcmp(name, LEARNERS[i])) {
            *out = (xs_uplift_learner)i;
            return XS_OK;
        }
    return XS_EINVAL;
}

void xs_uplift_params_init(xs_uplift_params *p)
{
    memset(p, 0, sizeof *p);
    p->learner = XS_UPLIFT_TWO_MODEL;
    xs_churn_params_init(&p->xgb);
    p->xgb.rounds = 50;
    p->xgb.max_depth = 2;
    p->xgb.eta = 0.1;
    p->xgb.min_child_weight = 20;
    p->xgb.nthread = 2;
    p->xgb.seed = 42;
}

/* ---------------------------------------------------------------------- */
/* XGBoost plumbing                                                        */
/* ---------------------------------------------------------------------- */

static int nomem(xs_error *err)
{
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* A DMatrix of the rows idx[0..n) of d (all when idx is NULL), with labels
 * and weights when given (n entries each). */
static int make_dmatrix(const xs_uplift_data *d, const size_t *idx, size_t n,
                        const float *label, const float *weight, DMatrixHandle *out,
                        xs_error *err)
{
    int rc = xs__score_xgb_matrix(d->x, d->enc.n_features, idx, n, out, err);
    if (rc < 0) return rc;
    if ((label && XGDMatrixSetFloatInfo(*out, "label", label, (bst_ulong)n) != 0) ||
        (weight && XGDMatrixSetFloatInfo(*out, "weight", weight, (bst_ulong)n) != 0)) {
        XGDMatrixFree(*out);
        *out = NULL;
        return xs__score_xgb_fail(err, "setting labels");
    }
    return XS_OK;
}

/* Fits one classifier on rows idx[0..n) of d with the given labels and
 * weights; base_score is the (weighted) label mean, kept inside (0, 1). */
static int fit(const xs_uplift_data *d, const size_t *idx, size_t n, const float *label,
               const float *weight, const xs_churn_params *p, BoosterHandle *out,
               xs_error *err)
{
    DMatrixHandle dm = NULL;
    BoosterHandle h = NULL;
    double sw = 0, sy = 0;
    int rc;
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        double wi = weight ? weight[i] : 1;
        sw += wi;
        sy += wi * label[i];
    }
    double base = sw > 0 ? sy / sw : 0.5;
    base = fmin(fmax(base, 1e-3), 1 - 1e-3);
    if ((rc = make_dmatrix(d, idx, n, label, weight, &dm, err)) < 0) return rc;
    if (XGBoosterCreate(&dm, 1, &h) != 0) {
        rc = xs__score_xgb_fail(err, "creating a booster");
        goto cleanup;
    }
    if ((rc = xs__score_xgb_params(h, p, base, err)) < 0) goto cleanup;
    for (int it = 0; it < p->rounds; it++)
        if (XGBoosterUpdateOneIter(h, it, dm) != 0) {
            rc = xs__score_xgb_fail(err, "boosting");
            goto cleanup;
        }
    *out = h;
    h = NULL;
    rc = XS_OK;
cleanup:
    if (h) XGBoosterFree(h);
    XGDMatrixFree(dm);
    return rc;
}

/* Probabilities of h for the DMatrix dm (n rows) into out. */
static int predict_prob(BoosterHandle h, DMatrixHandle dm, size_t n, double *out,
                        xs_error *err)
{
    bst_ulong len = 0;
    const float *res = NULL;
    if (XGBoosterPredict(h, dm, 0, 0, 0, &len, &res) != 0)
        return xs__score_xgb_fail(err, "predicting");
    if ((size_t)len != n)
        return xs__error_set(err, XS_EINTERNAL, NULL, 0, NULL,
                             "XGBoost: %zu predictions, expected %zu", (size_t)len, n);
    for (size_t i = 0; i < n; i++)
        out[i] = res[i];
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Models                                                                  */
/* ---------------------------------------------------------------------- */

const xs__score_churn_enc *xs__score_uplift_model_enc(const xs_uplift_model *m)
{
    return &m->enc;
}

void xs_uplift_model_free(xs_uplift_model *m)
{
    if (!m) return;
    for (size_t b = 0; b < 2; b++)
        if (m->h[b]) XGBoosterFree(m->h[b]);
    xs__score_churn_enc_free(&m->enc);
    xs__free(m->treatment_col);
    xs__free(m->treatment);
    xs__free(m->control);
    xs__free(m->outcome);
    xs__free(m->positive);
    xs__free(m);
}

xs_uplift_learner xs_uplift_model_learner(const xs_uplift_model *m)
{
    return m->learner;
}

size_t xs_uplift_model_n_features(const xs_uplift_model *m)
{
    return m->enc.n_features;
}

void xs_uplift_model_set_threads(xs_uplift_model *m, int n)
{
    char nt[32];
    m->params.xgb.nthread = n > 0 ? n : 1;
    snprintf(nt, sizeof nt, "%d", m->params.xgb.nthread);
    for (size_t b = 0; b < m->n_boosters; b++)
        XGBoosterSetParam(m->h[b], "nthread", nt);
}

static int check_params(const xs_uplift_params *p, xs_error *err)
{
    if ((unsigned)p->learner > XS_UPLIFT_CLASS_TRANSFORM)
        return xs__error_param(err, XS_EINVAL, NULL, "learner", "unknown learner");
    if (p->xgb.rounds < 1)
        return xs__error_param(err, XS_EINVAL, NULL, "rounds", "must be at least 1");
    if (p->xgb.max_depth < 1)
        return xs__error_param(err, XS_EINVAL, NULL, "max_depth", "must be at least 1");
    if (!(p->xgb.eta > 0 && p->xgb.eta <= 1))
        return xs__error_param(err, XS_EINVAL, NULL, "eta", "must be in (0, 1]");
    return XS_OK;
}

/* Contract in uplift.h. */
int xs__score_uplift_train_rows(const xs_uplift_data *d, const size_t *idx, size_t n_idx,
                                const xs_uplift_params *p, xs_uplift_model **out,
                                xs_error *err)
{
    size_t *rows = NULL, n_t = 0, n_c = 0;
    float *lab = NULL, *wt = NULL;
    int rc;
    *out = NULL;
    if ((rc = check_params(p, err)) < 0) return rc;
    if (!d->group || !d->y)
        return xs__error_set(err, XS_EINVAL, d->path, 0, NULL,
                             "the table has no treatment or outcome column");
    xs_uplift_model *m = xs__calloc(1, sizeof *m);
    if (!m) return nomem(err);
    m->learner = p->learner;
    m->params = *p;
    if (xs__score_churn_enc_copy(&m->enc, &d->enc) < 0 ||
        (d->treatment_col && !(m->treatment_col = xs__strdup(d->treatment_col))) ||
        (d->treatment && !(m->treatment = xs__strdup(d->treatment))) ||
        (d->control && !(m->control = xs__strdup(d->control))) ||
        (d->outcome && !(m->outcome = xs__strdup(d->outcome))) ||
        (d->positive && !(m->positive = xs__strdup(d->positive))))
        goto oom;
    if (!(rows = xs__malloc((n_idx ? n_idx : 1) * sizeof *rows)) ||
        !(lab = xs__malloc((n_idx ? n_idx : 1) * sizeof *lab)) ||
        !(wt = xs__malloc((n_idx ? n_idx : 1) * sizeof *wt)))
        goto oom;
    /* treated rows first, then control rows (two_model fits each block) */
    for (int g = 1; g >= 0; g--)
        for (size_t k = 0; k < n_idx; k++) {
            size_t i = idx ? idx[k] : k;
            if (d->group[i] != g) continue;
            rows[n_t + n_c] = i;
            if (g) {
                n_t++;
                m->counts.n_treatment_pos += d->y[i];
            } else {
                n_c++;
                m->counts.n_control_pos += d->y[i];
            }
        }
    m->counts.n = n_t + n_c;
    m->counts.n_treatment = n_t;
    m->counts.n_control = n_c;
    if (n_t == 0 || n_c == 0) {
        rc = xs__error_set(err, XS_EINVAL, d->path, 0, NULL, "no %s rows to train on",
                           n_t == 0 ? "treated" : "control");
        goto cleanup;
    }
    size_t n = n_t + n_c;
    if (p->learner == XS_UPLIFT_TWO_MODEL) {
        for (size_t k = 0; k < n; k++)
            lab[k] = d->y[rows[k]];
        m->n_boosters = 2;
        if ((rc = fit(d, rows, n_t, lab, NULL, &p->xgb, &m->h[0], err)) < 0 ||
            (rc = fit(d, rows + n_t, n_c, lab + n_t, NULL, &p->xgb, &m->h[1], err)) < 0)
            goto cleanup;
    } else {
        double wt_t = (double)n / (2.0 * (double)n_t),
               wt_c = (double)n / (2.0 * (double)n_c);
        for (size_t k = 0; k < n; k++) {
            int treated = k < n_t, y = d->y[rows[k]];
            lab[k] = (float)(treated ? y : 1 - y);
            wt[k] = (float)(treated ? wt_t : wt_c);
        }
        m->n_boosters = 1;
        if ((rc = fit(d, rows, n, lab, wt, &p->xgb, &m->h[0], err)) < 0) goto cleanup;
    }
    *out = m;
    m = NULL;
    rc = XS_OK;
    goto cleanup;
oom:
    rc = nomem(err);
cleanup:
    xs__free(rows);
    xs__free(lab);
    xs__free(wt);
    xs_uplift_model_free(m);
    return rc;
}

int xs_uplift_train(const xs_uplift_data *d, const xs_uplift_params *p,
                    xs_uplift_model **out, xs_error *err)
{
    return xs__score_uplift_train_rows(d, NULL, d->n, p, out, err);
}

/* Contract in uplift.h. */
int xs__score_uplift_predict_rows(const xs_uplift_model *m, const xs_uplift_data *d,
                                  const size_t *idx, size_t n_idx, double *out,
                                  xs_error *err)
{
    DMatrixHandle dm = NULL;
    double *pc = NULL;
    int rc;
    if (d->enc.n_features != m->enc.n_features)
        return xs__error_set(err, XS_EINVAL, d->path, 0, NULL,
                             "%zu features, the model expects %zu", d->enc.n_features,
                             m->enc.n_features);
    if (n_idx == 0) return XS_OK;
    if ((rc = make_dmatrix(d, idx, n_idx, NULL, NULL, &dm, err)) < 0) return rc;
    if ((rc = predict_prob(m->h[0], dm, n_idx, out, err)) < 0) goto cleanup;
    if (m->learner == XS_UPLIFT_TWO_MODEL) {
        if (!(pc = xs__malloc(n_idx * sizeof *pc))) {
            rc = nomem(err);
            goto cleanup;
        }
        if ((rc = predict_prob(m->h[1], dm, n_idx, pc, err)) < 0) goto cleanup;
        for (size_t i = 0; i < n_idx; i++)
            out[i] -= pc[i];
    } else {
        for (size_t i = 0; i < n_idx; i++)
            out[i] = 2 * out[i] - 1;
    }
    rc = XS_OK;
cleanup:
    xs__free(pc);
    XGDMatrixFree(dm);
    return rc;
}

int xs_uplift_predict(const xs_uplift_model *m, const xs_uplift_data *d, double *out,
                      xs_error *err)
{
    return xs__score_uplift_predict_rows(m, d, NULL, d->n, out, err);
}

/* ---------------------------------------------------------------------- */
/* The model file                                                          */
/* ---------------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Our part of the model file. */
static json_t *header_json(const xs_uplift_model *m)
{
    json_t *h = json_object(), *cols = json_array(), *feats = json_array(),
           *par = json_object(), *cnt = json_object();
    if (!h || !cols || !feats || !par || !cnt) goto fail;
    json_object_set_new(h, "format", json_integer(MODEL_FORMAT));
    json_object_set_new(h, "learner", json_string(xs_uplift_learner_name(m->learner)));
    json_object_set_new(h, "treatment_col", str_or_null(m->treatment_col));
    json_object_set_new(h, "treatment", str_or_null(m->treatment));
    json_object_set_new(h, "control", str_or_null(m->control));
    json_object_set_new(h, "outcome", str_or_null(m->outcome));
    json_object_set_new(h, "positive", str_or_null(m->positive));
    json_object_set_new(cnt, "treatment",
                        json_integer((json_int_t)m->counts.n_treatment));
    json_object_set_new(cnt, "control", json_integer((json_int_t)m->counts.n_control));
    json_object_set_new(cnt, "treatment_positive",
                        json_integer((json_int_t)m->counts.n_treatment_pos));
    json_object_set_new(cnt, "control_positive",
                        json_integer((json_int_t)m->counts.n_control_pos));
    const xs_churn_params *p = &m->params.xgb;
    json_object_set_new(par, "rounds", json_integer(p->rounds));
    json_object_set_new(par, "max_depth", json_integer(p->max_depth));
    json_object_set_new(par, "eta", json_real(p->eta));
    json_object_set_new(par, "min_child_weight", json_real(p->min_child_weight));
    json_object_set_new(par, "nthread", json_integer(p->nthread));
    json_object_set_new(par, "seed", json_integer((json_int_t)(p->seed & 0x7fffffff)));
    json_object_set_new(par, "tree_method", json_string("hist"));
    for (size_t c = 0; c < m->enc.n_cols; c++) {
        const xs__score_churn_col *col = &m->enc.cols[c];
        json_t *o = json_object();
        if (!o || json_array_append_new(cols, o) < 0) goto fail;
        json_object_set_new(o, "name", json_string(col->name));
        json_object_set_new(o, "kind",
                            json_string(col->categorical ? "categorical" : "numeric"));
        if (!col->categorical) continue;
        json_t *lv = json_array();
        if (!lv || json_object_set_new(o, "levels", lv) < 0) goto fail;
        for (size_t l = 0; l < col->n_levels; l++)
            if (json_array_append_new(lv, json_string(col->levels[l])) < 0) goto fail;
    }
    for (size_t f = 0; f < m->enc.n_features; f++)
        if (json_array_append_new(feats, json_string(m->enc.feature_names[f])) < 0)
            goto fail;
    int bad = json_object_set_new(h, "training_rows", cnt);
    cnt = NULL;
    bad |= json_object_set_new(h, "params", par);
    par = NULL;
    bad |= json_object_set_new(h, "columns", cols);
    cols = NULL;
    bad |= json_object_set_new(h, "features", feats);
    feats = NULL;
    if (bad) goto fail;
    return h;
fail:
    json_decref(h);
    json_decref(cols);
    json_decref(feats);
    json_decref(par);
    json_decref(cnt);
    return NULL;
}

int xs_uplift_model_save(const xs_uplift_model *m, const char *path, xs_error *err)
{
    json_t *root = json_object(), *arr = json_array(), *hdr = header_json(m);
    char *tmp = NULL;
    int rc;
    if (!root || !arr || !hdr) goto oom;
    for (size_t b = 0; b < m->n_boosters; b++) {
        bst_ulong len = 0;
        const char *buf = NULL;
        json_error_t je;
        if (XGBoosterSaveModelToBuffer(m->h[b], "{\"format\": \"json\"}", &len, &buf) !=
            0) {
            rc = xs__score_xgb_fail(err, "saving the model");
            goto cleanup;
        }
        json_t *x = json_loadb(buf, (size_t)len, 0, &je);
        if (!x) {
            rc = xs__error_set(err, XS_EINTERNAL, NULL, 0, NULL,
                               "XGBoost model is not JSON: %s", je.text);
            goto cleanup;
        }
        if (json_array_append_new(arr, x) < 0) goto oom;
    }
    int bad = json_object_set_new(root, "xsell_uplift", hdr);
    hdr = NULL;
    bad |= json_object_set_new(root, "xgboost", arr);
    arr = NULL;
    if (bad) goto oom;
    size_t pl = strlen(path);
    if (!(tmp = xs__malloc(pl + 32))) goto oom;
    snprintf(tmp, pl + 32, "%s.tmp%ld", path, (long)getpid());
    if (json_dump_file(root, tmp, JSON_COMPACT) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        rc = xs__error_set(err, XS_EIO, path, 0, NULL, "cannot write the model");
        goto cleanup;
    }
    rc = XS_OK;
    goto cleanup;
oom:
    rc = nomem(err);
cleanup:
    xs__free(tmp);
    json_decref(root);
    json_decref(arr);
    json_decref(hdr);
    return rc;
}

static int bad_model(xs_error *err, const char *path, const char *what)
{
    return xs__error_set(err, XS_EPARSE, path, 0, NULL, "not an uplift model file: %s",
                         what);
}

/* An optional string member copied into *dst; -1 when out of memory, -2
 * when present but not a string or null. */
static int opt_str(json_t *h, const char *key, char **dst)
{
    json_t *v = json_object_get(h, key);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) return -2;
    return (*dst = xs__strdup(json_string_value(v))) ? 0 : -1;
}

/* Reads the header into m. */
static int load_header(xs_uplift_model *m, json_t *h, const char *path, xs_error *err)
{
    json_t *cols = json_object_get(h, "columns"), *par = json_object_get(h, "params");
    json_t *cnt = json_object_get(h, "training_rows");
    const char *ln = json_string_value(json_object_get(h, "learner"));
    if (json_integer_value(json_object_get(h, "format")) != MODEL_FORMAT)
        return bad_model(err, path, "unknown format");
    if (!ln || xs_uplift_learner_parse(ln, &m->learner) < 0)
        return bad_model(err, path, "unknown learner");
    if (!json_is_array(cols) || !json_is_object(par))
        return bad_model(err, path, "columns or params missing");
    const char *keys[] = {"treatment_col", "treatment", "control", "outcome", "positive"};
    char **dst[] = {&m->treatment_col, &m->treatment, &m->control, &m->outcome,
                    &m->positive};
    for (size_t i = 0; i < 5; i++) {
        int k = opt_str(h, keys[i], dst[i]);
        if (k == -1) return nomem(err);
        if (k == -2) return bad_model(err, path, "a name that is not a string");
    }
    xs_uplift_params_init(&m->params);
    m->params.learner = m->learner;
    xs_churn_params *p = &m->params.xgb;
    p->rounds = (int)json_integer_value(json_object_get(par, "rounds"));
    p->max_depth = (int)json_integer_value(json_object_get(par, "max_depth"));
    p->eta = json_number_value(json_object_get(par, "eta"));
    p->min_child_weight = json_number_value(json_object_get(par, "min_child_weight"));
    p->nthread = (int)json_integer_value(json_object_get(par, "nthread"));
    p->seed = (uint64_t)json_integer_value(json_object_get(par, "seed"));
    if (p->nthread < 1) p->nthread = 1;
    m->counts.n_treatment = (size_t)json_integer_value(json_object_get(cnt, "treatment"));
    m->counts.n_control = (size_t)json_integer_value(json_object_get(cnt, "control"));
    m->counts.n_treatment_pos =
        (size_t)json_integer_value(json_object_get(cnt, "treatment_positive"));
    m->counts.n_control_pos =
        (size_t)json_integer_value(json_object_get(cnt, "control_positive"));
    m->counts.n = m->counts.n_treatment + m->counts.n_control;
    size_t nc = json_array_size(cols);
    if (!(m->enc.cols = xs__calloc(nc ? nc : 1, sizeof *m->enc.cols))) return nomem(err);
    m->enc.n_cols = nc;
    for (size_t c = 0; c < nc; c++) {
        json_t *o = json_array_get(cols, c);
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *kind = json_string_value(json_object_get(o, "kind"));
        if (!name || !kind) return bad_model(err, path, "a column without name or kind");
        xs__score_churn_col *col = &m->enc.cols[c];
        if (!(col->name = xs__strdup(name))) return nomem(err);
        if (!strcmp(kind, "numeric")) continue;
        if (strcmp(kind, "categorical"))
            return bad_model(err, path, "unknown column kind");
        col->categorical = 1;
        json_t *lv = json_object_get(o, "levels");
        size_t nl = json_array_size(lv);
        if (nl && !(col->levels = xs__calloc(nl, sizeof *col->levels))) return nomem(err);
        for (size_t l = 0; l < nl; l++) {
            const char *s = json_string_value(json_array_get(lv, l));
            if (!s) return bad_model(err, path, "a level that is not a string");
            if (l && strcmp(col->levels[l - 1], s) >= 0)
                return bad_model(err, path, "levels not sorted");
            if (!(col->levels[l] = xs__strdup(s))) return nomem(err);
            col->n_levels = l + 1;
        }
    }
    if (xs__score_churn_enc_finish(&m->enc) < 0) return nomem(err);
    return XS_OK;
}

int xs_uplift_model_load(const char *path, xs_uplift_model **out, xs_error *err)
{
    json_error_t je;
    json_t *root = NULL;
    char *text = NULL;
    xs_uplift_model *m = NULL;
    int rc;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return xs__error_set(err, XS_EIO, path, 0, NULL, "cannot open the model");
    root = json_loadf(f, 0, &je);
    fclose(f);
    if (!root)
        return xs__error_set(err, XS_EPARSE, path, je.line > 0 ? je.line : 0, NULL,
                             "not an uplift model file: %s", je.text);
    if (!(m = xs__calloc(1, sizeof *m))) {
        rc = nomem(err);
        goto cleanup;
    }
    json_t *h = json_object_get(root, "xsell_uplift"),
           *xgb = json_object_get(root, "xgboost");
    if (!json_is_object(h) || !json_is_array(xgb)) {
        rc = bad_model(err, path, "no \"xsell_uplift\" object and \"xgboost\" array");
        goto cleanup;
    }
    if ((rc = load_header(m, h, path, err)) < 0) goto cleanup;
    size_t want = m->learner == XS_UPLIFT_TWO_MODEL ? 2 : 1;
    if (json_array_size(xgb) != want) {
        rc = bad_model(err, path, "wrong number of XGBoost models for the learner");
        goto cleanup;
    }
    char nt[32];
    snprintf(nt, sizeof nt, "%d", m->params.xgb.nthread);
    for (size_t b = 0; b < want; b++) {
        bst_ulong nf = 0;
        if (!(text = json_dumps(json_array_get(xgb, b), JSON_COMPACT))) {
            rc = nomem(err);
            goto cleanup;
        }
        if (XGBoosterCreate(NULL, 0, &m->h[b]) != 0 ||
            XGBoosterLoadModelFromBuffer(m->h[b], text, (bst_ulong)strlen(text)) != 0 ||
            XGBoosterGetNumFeature(m->h[b], &nf) != 0) {
            rc = xs__error_set(err, XS_EPARSE, path, 0, NULL,
                               "not an uplift model file: %s", XGBGetLastError());
            goto cleanup;
        }
        m->n_boosters = b + 1;
        free(text); /* from json_dumps (jansson's allocator) */
        text = NULL;
        if ((size_t)nf != m->enc.n_features) {
            rc = bad_model(err, path, "feature count differs from the XGBoost model");
            goto cleanup;
        }
        if (XGBoosterSetParam(m->h[b], "nthread", nt) != 0 ||
            XGBoosterSetParam(m->h[b], "verbosity", "0") != 0) {
            rc = xs__score_xgb_fail(err, "setting a parameter");
            goto cleanup;
        }
    }
    *out = m;
    m = NULL;
    rc = XS_OK;
cleanup:
    free(text);
    json_decref(root);
    xs_uplift_model_free(m);
    return rc;
}
