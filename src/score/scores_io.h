/*
 * scores_io.h — customer scores (xs_customer_scores: health and its parts,
 * segments, RFM, MRR, LTV, CLV and its fitted parameters, churn risk) in a
 * model file (src/base/mfile.h), sections "scores.*".
 */
#ifndef XS_SCORE_SCORES_IO_H
#define XS_SCORE_SCORES_IO_H

#include "base/mfile.h"
#include "xsell.h"

/* Writes cs. XS_OK, XS_EINVAL, XS_EIO. */
int xs__score_customer_scores_save(const xs_customer_scores *cs, xs__mfile_writer *w,
                                   xs_error *err);

/*
 * Maps the customer scores of f computed on snapshot s (borrowed: it and f
 * must outlive them; the customer count is checked). The columns point into
 * the file (no per-customer work); caller frees with
 * xs_customer_scores_free() before closing f. Returns XS_OK, XS_ENOTFOUND
 * ("model.xsm: no section scores.hdr (customer scores not in the model)"),
 * XS_EPARSE (a section of the wrong size, named), XS_ENOMEM.
 */
int xs__score_customer_scores_map(const xs__mfile *f, const xs_snapshot *s,
                                  xs_customer_scores **out, xs_error *err);

#endif
