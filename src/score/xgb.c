/*
 * xgb.c — the XGBoost plumbing shared by the churn models and the uplift
 * learners (xgb.h): one place that names the fixed parameters, so both
 * model families train the same way.
 */
#include "score/xgb.h"

#include "base/alloc.h"
#include "base/error.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Contract in xgb.h. */
int xs__score_xgb_fail(xs_error *err, const char *what)
{
    return xs__error_set(err, XS_EINTERNAL, NULL, 0, NULL, "XGBoost: %s: %s", what,
                         XGBGetLastError());
}

/* Contract in xgb.h. */
int xs__score_xgb_params(BoosterHandle h, const xs_churn_params *p, double base,
                         xs_error *err)
{
    char depth[32], eta[32], mcw[32], nthread[32], seed[32], bs[32];
    snprintf(depth, sizeof depth, "%d", p->max_depth);
    snprintf(eta, sizeof eta, "%.17g", p->eta);
    snprintf(mcw, sizeof mcw, "%.17g", p->min_child_weight);
    snprintf(nthread, sizeof nthread, "%d", p->nthread > 0 ? p->nthread : 1);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)(p->seed & 0x7fffffffu));
    snprintf(bs, sizeof bs, "%.17g", base);
    const char *kv[][2] = {{"verbosity", "0"},
                           {"objective", "binary:logistic"},
                           {"tree_method", "hist"},
                           {"base_score", bs},
                           {"max_depth", depth},
                           {"eta", eta},
                           {"min_child_weight", mcw},
                           {"nthread", nthread},
                           {"seed", seed}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (XGBoosterSetParam(h, kv[i][0], kv[i][1]) != 0)
            return xs__score_xgb_fail(err, "setting a parameter");
    return XS_OK;
}

/* Contract in xgb.h. */
int xs__score_xgb_matrix(const float *x, size_t n_features, const size_t *idx, size_t n,
                         DMatrixHandle *out, xs_error *err)
{
    size_t p = n_features;
    float *sel = NULL;
    const float *src = x;
    *out = NULL;
    if (idx) {
        if (!(sel = xs__malloc((n * p != 0 ? n * p : 1) * sizeof *sel)))
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        for (size_t r = 0; r < n; r++)
            memcpy(sel + r * p, x + idx[r] * p, p * sizeof *sel);
        src = sel;
    }
    int k = XGDMatrixCreateFromMat(src, (bst_ulong)n, (bst_ulong)p, NAN, out);
    xs__free(sel);
    if (k != 0) {
        *out = NULL;
        return xs__score_xgb_fail(err, "creating the data matrix");
    }
    return XS_OK;
}
