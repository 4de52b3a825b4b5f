/*
 * churn.h — internals of the churn-risk module (src/score/churn.c,
 * features_table.c, auc.c): the encoded customer table, the feature
 * encoding a model carries, and the evaluation measures (AUC, log loss,
 * calibration deciles, stratified folds) that the unit tests reach directly.
 *
 * Flow: features_table.c reads a customer-level CSV through the record
 * reader (src/io/reader.h), decides per column numeric vs categorical,
 * one-hot encodes categoricals and produces a dense float matrix with NaN
 * for missing values; churn.c hands that matrix to XGBoost's C API for
 * cross-validation, training and prediction; auc.c scores predictions.
 */
#ifndef XS_SCORE_CHURN_H
#define XS_SCORE_CHURN_H

#include "xsell.h"

#include "base/arena.h"

#include <stddef.h>
#include <stdint.h>

/* A source column of the encoding. Numeric: one feature. Categorical: one
 * 0/1 feature per level, levels sorted bytewise. */
typedef struct xs__score_churn_col {
    char *name;      /* owned */
    int categorical; /* 0: numeric */
    char **levels;   /* owned; n_levels strings, sorted */
    size_t n_levels;
    size_t first_feature; /* index of its (first) feature */
} xs__score_churn_col;

/* The feature encoding: source columns in file order and the features. */
typedef struct xs__score_churn_enc {
    xs__score_churn_col *cols;
    size_t n_cols;
    char **feature_names; /* owned; "tenure", "Contract=One year" */
    size_t *feature_col;  /* feature -> source column */
    size_t n_features;
} xs__score_churn_enc;

/* The encoded table behind the public xs_churn_data. */
struct xs_churn_data {
    char *path;           /* owned copy of the input path */
    xs__arena strings;    /* ids and kept raw categorical values */
    const char **ids;     /* n rows */
    unsigned char *y;     /* n labels (1 positive), NULL without a label */
    float *x;             /* n * enc.n_features, row-major, NaN missing */
    const char **cat_raw; /* n * enc.n_cols raw values of categorical
                             columns (NULL for numeric), for reasons;
                             NULL for a store-history table built without
                             them (churn_history.c build) */
    size_t n, n_pos;
    char *positive, *negative; /* label values (owned), NULL without label */
    xs__score_churn_enc enc;
    xs_churn_column *info; /* enc.n_cols per-column reports */
};

/* The encoding a model carries (borrowed, valid while m lives). */
const xs__score_churn_enc *xs__score_churn_model_enc(const xs_churn_model *m);
/* xs_churn_train() on the rows idx[0..n) of d only (all n = d->n rows when
 * idx is NULL; borrowed): the encoding is d's, fitted on all its rows.
 * The rows must hold both labels. Returns as xs_churn_train(). */
int xs__score_churn_train_rows(const xs_churn_data *d, const size_t *idx, size_t n,
                               const xs_churn_params *p, xs_churn_model **out,
                               xs_error *err);

/*
 * Encodes rows held in memory for model m, exactly as
 * xs_churn_data_read_for_model() encodes the same cells of a file (the
 * store's customer attrs reach the model this way, src/offer/churn_src.c):
 * cells[i * n_cols + c] is row i's text of the model's source column c
 * (xs__score_churn_model_enc(m)->cols), NULL or "" for a missing value. Unseen
 * categorical values are missing; a numeric column holding text is an
 * error `SOURCE:ROW: COLUMN: not a number: "abc"` (XS_EINVAL), so callers
 * that prefer a missing value check with xs__score_churn_parse_cell() first.
 * ids and cells are copied. @param out caller frees with xs_churn_data_free()
 * @return XS_OK, XS_EINVAL, XS_ENOMEM
 */
int xs__score_churn_data_from_cells(const xs_churn_model *m, const char *source,
                                    const char *const *ids, const char *const *cells,
                                    size_t n, xs_churn_data **out, xs_error *err);

/* Loads a model from the bytes of a model file (as xs_churn_model_load;
 * name stands for the path in messages). text need not be NUL-terminated.
 * @return XS_OK, XS_EPARSE, XS_ENOMEM */
int xs__score_churn_model_load_buffer(const char *text, size_t len, const char *name,
                                      xs_churn_model **out, xs_error *err);

/*
 * Fits one source column of an encoding (features_table.c; shared with the
 * uplift table, uplift_data.c): name copied; numeric when every non-blank
 * cell of cells[i * stride], i < n, parses (xs__score_churn_parse_cell), else
 * categorical with the distinct non-blank values as levels, sorted
 * bytewise. col must be zeroed. XS_OK or XS_ENOMEM.
 */
int xs__score_churn_col_fit(xs__score_churn_col *col, const char *name,
                            const char *const *cells, size_t n, size_t stride);

/*
 * Encodes one cell s of column col into row (the column's features):
 * numeric: the number, NaN when blank; categorical: the level's indicator
 * set to 1 (the others must already be 0), none when blank or unseen.
 * Counts blanks and unseen values in info. Returns 0, -1 (a numeric column
 * holding text) or -2 (a number too large for a float); the caller writes
 * the located message.
 */
int xs__score_churn_cell_encode(const xs__score_churn_col *col, const char *s, float *row,
                                xs_churn_column *info);

/* Frees the insides of an encoding (NULL-safe, idempotent after zeroing). */
void xs__score_churn_enc_free(xs__score_churn_enc *e);

/* Deep copy of an encoding. Returns XS_OK or XS_ENOMEM (dst zeroed). */
int xs__score_churn_enc_copy(xs__score_churn_enc *dst, const xs__score_churn_enc *src);

/* Builds feature names and feature_col from cols (names, kinds, levels
 * set). Returns XS_OK or XS_ENOMEM. */
int xs__score_churn_enc_finish(xs__score_churn_enc *e);

/*
 * Parses a cell as a number: optional surrounding spaces, then a finite
 * decimal (digits, sign, '.', exponent; no hex, inf or nan). Returns 0 and
 * sets *out, 1 when blank (empty or only spaces), -1 when not a number.
 */
int xs__score_churn_parse_cell(const char *s, double *out);

/*
 * Area under the ROC curve of scores for 0/1 labels: the Mann–Whitney U of
 * the positives over n_pos * n_neg, ties counted 1/2 through average ranks.
 * O(n log n), allocates an index (returns NaN when out of memory, or when
 * there are no positives or no negatives).
 */
double xs__score_churn_auc(const double *score, const unsigned char *y, size_t n);

/* Mean negative log-likelihood of probabilities p for labels y, each p
 * clipped to [1e-15, 1 - 1e-15]; NaN for n == 0. */
double xs__score_churn_log_loss(const double *p, const unsigned char *y, size_t n);

/*
 * Calibration table: rows sorted by p (ties by row index) cut into n_bins
 * groups of equal size (bin b holds sorted ranks [b*n/n_bins,
 * (b+1)*n/n_bins)), each with its count, lowest and highest p, mean p and
 * observed positive rate. out holds n_bins entries; bins past n are empty
 * (n = 0, means NaN). Returns XS_OK or XS_ENOMEM.
 */
int xs__score_churn_calibration(const double *p, const unsigned char *y, size_t n,
                                size_t n_bins, xs_churn_bin *out);

/*
 * Stratified folds: the positives and then the negatives, each shuffled
 * with xs__rng seeded by seed, dealt round-robin to folds 0..k-1 (the
 * negatives continue where the positives stopped), so every fold holds
 * floor or ceil of n_pos/k positives and of n/k rows. fold[i] receives the
 * fold of row i. Requires 2 <= k <= n. Returns XS_OK or XS_ENOMEM.
 */
int xs__score_churn_folds(const unsigned char *y, size_t n, size_t k, uint64_t seed,
                          uint32_t *fold);

#endif
