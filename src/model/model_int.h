/*
 * model_int.h — the private struct of xs_model, shared by model.c (build,
 * accessors, free), model_file.c (save, open, store check) and the
 * shard builds and their merge (part_file.c, merge.c).
 */
#ifndef XS_MODEL_INT_H
#define XS_MODEL_INT_H

#include "xsell.h"

#include "base/mfile.h"

struct xs_model {
    xs__mfile *f;              /* the mapping, NULL when built in memory */
    xs_snapshot *snap;
    xs_baskets *baskets;       /* NULL: none in the model */
    xs_together *tog;
    xs_rules *rules;
    xs_customer_scores *cs;    /* NULL: info.scores_error says why */
    xs_model_scores_job *scores; /* handed in (xs_model_opts.scores) until
                                    build_customers waits for them */
    struct xs__model_writer *mw; /* the file written as it is built, NULL */
    xs_offer_engine *en;       /* NULL: info.engine_error says why */
    xs_target *targets;        /* ranked target list (into the mapping when f) */
    size_t n_targets;
    xs_offer_summary summary;  /* valid when en */
    xs_health_config hcfg;     /* what cs was computed with */
    xs_model_info info;
};

/* What a merge (merge.c) has instead of the store: the store's reference
 * rows the shard builds carried (experiments, the churn model attached to
 * its build). */
typedef struct xs__model_ref {
    const xs_experiment *exp;
    size_t n_exp;
    const char *churn_name; /* NULL: no churn model attached */
    const char *churn_text;
    size_t churn_len;
} xs__model_ref;

/* The steps of a build after the load (model.c): together and rules over
 * m->baskets, then scores, engine and target list on m->snap. The engine
 * is the store's build when st is given; ref given (a merge, st NULL), it
 * is fitted on the snapshot and opened as `xsell build` opens the build it
 * just stored (xs__model_engine_of_ref). Returns XS_OK or the failure. */
int xs__model_finish(xs_model *m, xs_store *st, const xs__model_ref *ref,
                     const xs_model_opts *opts, xs_error *err);
/* The engine of a merged model (merge.c): fitted on m->snap and turned
 * into the engine of its build with ref's experiments (reopened with ref's
 * churn model when there is one), exactly as `xsell build` stores its
 * build and opens it. */
int xs__model_engine_of_ref(xs_model *m, const xs__model_ref *ref, const xs_model_opts *o,
                            xs_error *err);

/* A model file written while the model is built (model_file.c): the
 * sections read from the store (snapshot, baskets: most of the bytes) and
 * a handed-in engine go out on a thread of their own as soon as they are
 * loaded, the engine, mined parts and scores while the target list is
 * ranked, the rest after the last stage; the file is xs_model_save()'s,
 * byte for byte but for the header (build time, data version,
 * checksum). */
typedef struct xs__model_writer xs__model_writer;

/* Creates the temporary file of path and starts writing m's snapshot and
 * baskets (m borrowed: neither may change until finish or abort). Returns
 * XS_OK, XS_EIO or XS_ENOMEM (nothing started). */
int xs__model_write_start(const xs_model *m, const char *path, xs__model_writer **out,
                          xs_error *err);
/* Hands mw (NULL: nothing) the parts of its model computed before the
 * target list (the engine, unless written at the start; the items bought
 * together, the rules) and the scores job j, which mw's thread waits for
 * (xs__model_scores_done) and writes beside the ranking. Once only; with
 * no thread of its own, written here. */
void xs__model_write_more(xs__model_writer *mw, xs_model_scores_job *j);
/* Waits for mw's thread (NULL, none: returns), which then no longer uses
 * the scores job it was handed; without write_more, it stops waiting. */
void xs__model_write_wait(xs__model_writer *mw);
/* The scores job j once done (waits for it): its scores, NULL when they
 * failed. (model.c) */
const xs_customer_scores *xs__model_scores_done(xs_model_scores_job *j);
/* Waits for the sections of start, writes the rest of m and renames the
 * file into place; *bytes its size. Frees mw whatever happens (on failure
 * the temporary file is removed). Returns XS_OK, XS_EIO or XS_ENOMEM. */
int xs__model_write_finish(xs__model_writer *mw, const xs_model *m, size_t *bytes,
                           xs_error *err);
/* Stops a file being written (waits for its thread, removes the temporary
 * file) and frees mw; NULL is fine. */
void xs__model_write_abort(xs__model_writer *mw);

#endif
