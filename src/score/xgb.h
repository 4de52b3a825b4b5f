/*
 * xgb.h — the XGBoost plumbing shared by the churn models (churn.c) and
 * the uplift learners (uplift.c): the error message of a failed call, the
 * fixed booster parameters, and a data matrix of selected rows of a dense
 * row-major feature table (NaN missing).
 */
#ifndef XS_SCORE_XGB_H
#define XS_SCORE_XGB_H

#include "xsell.h"

#include <stddef.h>
#include <xgboost/c_api.h>

/* Sets err to `XGBoost: WHAT: <XGBoost's last error>`; returns XS_EINTERNAL. */
int xs__score_xgb_fail(xs_error *err, const char *what);

/* Sets a booster's parameters: binary:logistic, tree_method hist, silent,
 * base_score base, and p's max_depth, eta, min_child_weight, nthread (at
 * least 1) and seed (its low 31 bits). XS_OK or XS_EINTERNAL. */
int xs__score_xgb_params(BoosterHandle h, const xs_churn_params *p, double base,
                         xs_error *err);

/* A DMatrix of the rows idx[0..n) (all n rows when idx is NULL) of the
 * n_features-wide table x. The caller frees *out with XGDMatrixFree().
 * XS_OK, XS_ENOMEM or XS_EINTERNAL (err set). */
int xs__score_xgb_matrix(const float *x, size_t n_features, const size_t *idx, size_t n,
                         DMatrixHandle *out, xs_error *err);

#endif
