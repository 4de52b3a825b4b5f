/*
 * engine_io.h — the offer engine in a model file (src/base/mfile.h),
 * sections "engine.*": everything a decision reads (configuration, as-of
 * day, per-customer health / segment / LTV / churn, ladders, term prices,
 * rule tables, relevance, retention priors, the propensity model, the
 * holdout experiments, the uplift predictions and the personal ranking),
 * so that a mapped engine decides exactly as the one that was saved.
 *
 * Mapping points the arrays into the file (O(1) work besides checking
 * sizes); the engine struct itself is heap memory, so what may change after
 * creation (xs_offer_engine_set_logged, xs_offer_engine_set_experiments,
 * which replaces the uplift predictions with its own) still works.
 */
#ifndef XS_OFFER_ENGINE_IO_H
#define XS_OFFER_ENGINE_IO_H

#include "base/mfile.h"
#include "xsell.h"

/* Writes en. XS_OK, XS_EINVAL, XS_EIO, XS_ENOMEM. */
int xs__offer_engine_save(const xs_offer_engine *en, xs__mfile_writer *w, xs_error *err);

/*
 * Maps the engine of f, built on snapshot s (borrowed: it and f must
 * outlive the engine; every per-customer and per-product section is
 * checked against s's sizes). Caller frees with xs_offer_engine_free()
 * before closing f. Returns XS_OK, XS_ENOTFOUND ("model.xsm: no section
 * engine.hdr (offer engine not in the model)"), XS_EPARSE (a section of the
 * wrong size, named), XS_ENOMEM.
 */
int xs__offer_engine_map(const xs__mfile *f, const xs_snapshot *s, xs_offer_engine **out,
                         xs_error *err);

/* The personal ranking r as sections "<prefix>.*" (rank_io.c). XS_OK,
 * XS_EINVAL, XS_EIO. */
int xs__offer_rank_save(const xs_rank *r, xs__mfile_writer *w, const char *prefix,
                        xs_error *err);
/* Maps the ranking saved under prefix on snapshot s (borrowed). Caller frees
 * with xs_rank_free() before closing f. XS_OK, XS_ENOTFOUND, XS_EPARSE,
 * XS_ENOMEM. */
int xs__offer_rank_map(const xs__mfile *f, const char *prefix, const xs_snapshot *s,
                       xs_rank **out, xs_error *err);

#endif
