/*
 * uplift.h — internals of the uplift module (src/score/uplift_data.c,
 * uplift.c): the encoded experiment table, the model, and the row-subset
 * training that the evaluation (src/measure/uplift_eval.c) and the unit
 * tests reach directly.
 *
 * Flow: uplift_data.c reads a CSV of a randomised experiment through the
 * record reader (src/io/reader.h): a treatment column, a 0/1 outcome and
 * feature columns, encoded like the churn table (src/score/churn.h: numeric
 * when every non-blank cell parses, otherwise one-hot with levels from the
 * training file); uplift.c trains the learners on XGBoost's C API and
 * predicts P(outcome | treated) - P(outcome | control).
 */
#ifndef XS_SCORE_UPLIFT_H
#define XS_SCORE_UPLIFT_H

#include "xsell.h"

#include "score/churn.h"

#include <stddef.h>

/* The encoded table behind the public xs_uplift_data. */
struct xs_uplift_data {
    char *path;         /* owned copy of the input path */
    xs__score_churn_enc enc; /* feature encoding (fitted or a model's) */
    float *x;           /* n * enc.n_features, row-major, NaN missing */
    long *lines;        /* n 1-based line numbers of the rows */
    signed char *group; /* n: 1 treated, 0 control, -1 neither; NULL when
                           the table has no treatment column */
    unsigned char *y;   /* n outcomes (0/1), NULL without an outcome */
    size_t n;
    xs_uplift_counts counts;
    xs_churn_column *info; /* enc.n_cols notes (blank / unseen values) */
    /* training reads: owned copies of the read options, for the model */
    char *treatment_col, *treatment, *control, *outcome, *positive;
};

/*
 * Trains the learner of p on the rows idx[0..n_idx) of d that are treated
 * or control (the others are skipped). Requires outcomes and groups.
 * @param out caller frees with xs_uplift_model_free()
 * @return XS_OK, XS_EINVAL (an arm without rows, bad parameters),
 *         XS_EINTERNAL, XS_ENOMEM
 */
int xs__score_uplift_train_rows(const xs_uplift_data *d, const size_t *idx, size_t n_idx,
                                const xs_uplift_params *p, xs_uplift_model **out,
                                xs_error *err);

/*
 * Predicts the uplift of the rows idx[0..n_idx) of d (every row when idx is
 * NULL; n_idx is then d->n) into out[0..n_idx).
 * @return XS_OK, XS_EINVAL (feature count differs), XS_EINTERNAL, XS_ENOMEM
 */
int xs__score_uplift_predict_rows(const xs_uplift_model *m, const xs_uplift_data *d,
                                  const size_t *idx, size_t n_idx, double *out,
                                  xs_error *err);

/*
 * An experiment table from an encoded customer table held in memory (the
 * offer engine's store-history features, src/offer/uplift_src.c): its
 * encoding and rows (copied), group[i] 1 treated, 0 control, -1 neither,
 * and y[i] the outcome (either may be NULL: a table to predict).
 * @param out caller frees with xs_uplift_data_free()
 * @return XS_OK or XS_ENOMEM
 */
int xs__score_uplift_data_from_churn(const xs_churn_data *cd, const signed char *group,
                                     const unsigned char *y, xs_uplift_data **out,
                                     xs_error *err);

/* The encoding a model carries (borrowed, valid while m lives). */
const xs__score_churn_enc *xs__score_uplift_model_enc(const xs_uplift_model *m);

#endif
