/*
 * xsell/model.h — the model file every reader maps, built once.
 *
 * `xsell build` turns the store into one immutable, versioned file: the
 * snapshot, the baskets, items bought together, rules, customer scores, the
 * offer engine and the ranked target list. Every reader (recommend, rank,
 * targets, customers, kpi, serve and its replicas) maps the file instead of
 * loading the store; opening it is checking it, never reading rows.
 * Implemented in src/model (src/store/identity.c ties a file to its store);
 * docs/model.md has the format.
 *
 * Part of libxsell's public API: xsell.h includes every module's header;
 * the conventions are written in xsell/base.h.
 *
 * Example (compiled by the build: cmake/header_example.cmake):
 * @code
 *   // Prints the offers of one customer from a model file.
 *   int print_model_offers(const char *path, const char *customer_id)
 *   {
 *       xs_model *m;
 *       xs_error e;
 *       xs_offer o[XS_OFFER_MAX_CANDIDATES];
 *       int rc = xs_model_open(path, &m, &e);
 *       if (rc < 0) return rc;
 *       const xs_offer_engine *en = xs_model_engine(m);
 *       long c = en ? xs_offer_engine_find(en, customer_id) : XS_ENOTFOUND;
 *       int n = c < 0 ? 0 : xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
 *       for (int i = 0; i < n && o[i].rank > 0; i++)
 *           printf("%d. %s\n", o[i].rank, xs_offer_kind_name(o[i].kind));
 *       xs_model_free(m);
 *       return c < 0 ? (int)c : n;
 *   }
 * @endcode
 */
#ifndef XS_XSELL_MODEL_H
#define XS_XSELL_MODEL_H

#include "base.h"
#include "store.h"
#include "snapshot.h"
#include "mine.h"
#include "score.h"
#include "offer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Model file (src/model/, src/snapshot/, src/store/identity.c;           */
/* docs/model.md)                                                         */
/* ====================================================================== */

/*
 * A model is everything the readers (recommend, rank, targets, customers,
 * kpi, serve) decide from, built once from a store: the snapshot, the order
 * baskets, items bought together, association rules, customer scores, the
 * offer engine (with the store's propensity model, experiments and churn
 * model) and the ranked target list with its guardrail totals. Saved, it
 * is one file that any number of processes map read-only: opening it is
 * checking it, never reading rows.
 */
typedef struct xs_model xs_model;

/** A model's customer scores being computed on a thread of their own
 *  (xs_model_scores_begin). */
typedef struct xs_model_scores_job xs_model_scores_job;

/** How to build a model. */
typedef struct xs_model_opts {
    const char *as_of;          /* NULL: the store's latest date */
    const xs_offer_config *cfg; /* NULL: defaults */
    int clv;                    /* 1: fit CLV into the customer scores */
    int n_threads;              /* for the target list; 0: 2 */
    int churn;                  /* 1: also train the churn-risk model into the
                                   customer scores (as `xsell customers`) */
    size_t churn_max_train;     /* the churn-risk model of the scores trains
                                   on a stratified sample of at most this
                                   many customers (default 100000, as
                                   xs_customer_scores_compute(); 0: every
                                   one); not stored: the file holds the
                                   scores it gave */
    xs_offer_engine *engine;    /* NULL, or the engine of the store's build on
                                   the snapshot the model is built from
                                   (xs_offer_build_open), taken over (freed
                                   with the model, or on failure): the model
                                   uses it instead of opening the build */
    const char *out;            /* NULL, or the model file to write as the
                                   build goes (xs_model_build_from): the parts
                                   read from the store go out on a thread of
                                   their own while the rest is computed; the
                                   same file as xs_model_save() writes */
    xs_model_scores_job *scores; /* NULL, or the scores begun on the model's
                                   snapshot with these options
                                   (xs_model_scores_begin), taken over: the
                                   build waits for them instead of computing
                                   them (begun with other options: discarded,
                                   computed again) */
} xs_model_opts;

/** Sets the defaults: as_of NULL, cfg NULL, n_threads 2, and clv 1, churn 1,
 *  churn_max_train 100000, the scores `xsell customers` gives by default (so
 *  `xsell build`, the server and every reader of the file agree). */
void xs_model_opts_init(xs_model_opts *o);

/** Where a model comes from. */
typedef struct xs_model_info {
    char as_of[11];         /* the engine's as-of day, "" without an engine */
    char built_at[21];      /* UTC build time, YYYY-MM-DDTHH:MM:SSZ */
    char store_id[40];      /* the store's id (meta store_id) */
    uint64_t data_version;  /* the store's data version when built */
    const char *path;       /* the file mapped, NULL when built in memory */
    size_t bytes;           /* its size; built with xs_model_opts.out, the
                               size of that file; else 0 when built in
                               memory */
    int mapped;             /* 1: opened from a file */
    int as_of_given;        /* 1: built with an explicit as-of day (not the
                               store's latest) */
    char scores_error[256]; /* why there are no customer scores, "" */
    char engine_error[256]; /* why there is no offer engine, "" */
    /* wall seconds of each stage of a build (0 when opened from a file):
     * loading the store (snapshot, baskets), mining (together, rules),
     * customer scores, offer engine, ranking every customer (the scores
     * run beside the engine and the ranking, so their times overlap), and
     * what was left of writing the file (xs_model_opts.out) after them */
    double t_load, t_mine, t_scores, t_engine, t_targets, t_write;
} xs_model_info;

/**
 * Builds a model: snapshot, baskets, together (cosine, top 50), rules,
 * customer scores, offer engine (as xs_offer_engine_open(), or fitted with
 * the store's experiments when the store was never built), target list.
 * Scores and engine may be absent (an empty store): the info says why.
 * Gives the store an id (meta store_id) when it has none.
 * @param out caller frees with xs_model_free()
 * @return XS_OK, XS_EDB, XS_ESCHEMA, XS_ENOMEM, or the snapshot's errors
 * @code
 *   xs_model *m; xs_error e;
 *   if (xs_model_build(st, NULL, &m, &e) == XS_OK && xs_model_save(m, "x.xsm", &e) == XS_OK)
 *       ...;
 *   xs_model_free(m);
 * @endcode
 */
int xs_model_build(xs_store *st, const xs_model_opts *o, xs_model **out, xs_error *err);
/**
 * xs_model_build() on a snapshot of st the caller has already loaded
 * (xs_snapshot_load), which the model takes over: saves loading the store
 * twice in a build that needs the snapshot first (`xsell build`).
 * @param snap takes ownership (freed by xs_model_free, or here on failure)
 * @return as xs_model_build()
 */
int xs_model_build_from(xs_store *st, xs_snapshot *snap, const xs_model_opts *o,
                        xs_model **out, xs_error *err);

/**
 * Starts computing, on a thread of its own, the customer scores a model
 * built with o on snap computes (health, RFM, LTV, CLV, churn risk), so
 * that work before the build (`xsell build` fitting the store's engine)
 * runs beside them; hand them to xs_model_build_from() in
 * xs_model_opts.scores. Without a thread they are computed here.
 * @param snap borrowed: must outlive the scores (xs_model_build_from on it
 *        takes both, or xs_model_scores_job_free first)
 * @param out taken over by the build, or freed with xs_model_scores_job_free()
 * @return XS_OK or XS_ENOMEM
 * @code
 *   xs_model_scores_job *sc; xs_model_scores_begin(snap, &o, &sc, &e);
 *   ... fit the engine ...
 *   o.scores = sc; xs_model_build_from(st, snap, &o, &m, &e);
 * @endcode
 */
int xs_model_scores_begin(const xs_snapshot *snap, const xs_model_opts *o,
                          xs_model_scores_job **out, xs_error *err);

/** Waits for scores not handed to a build and frees them; NULL is fine. */
void xs_model_scores_job_free(xs_model_scores_job *sc);

/**
 * Writes the model to path (a temporary file renamed into place: readers
 * never see half a file).
 * @return XS_OK, XS_EIO, XS_ENOMEM
 */
int xs_model_save(const xs_model *m, const char *path, xs_error *err);

/**
 * Maps a model file.
 * @param out caller frees with xs_model_free() (which unmaps)
 * @return XS_OK; XS_ENOTFOUND ("FILE: no such model file"); XS_EPARSE (not
 *         a model file, truncated, corrupted); XS_ESCHEMA (another format
 *         version); XS_EIO; XS_ENOMEM
 */
int xs_model_open(const char *path, xs_model **out, xs_error *err);

/**
 * Checks that m was built from st.
 * @return XS_OK; XS_EINVAL ("FILE was built from another store (store id
 *         X, this store is Y)"); XS_EDB
 */
int xs_model_check_store(const xs_model *m, xs_store *st, xs_error *err);
/**
 * The store's latest model file when it is current: its path recorded by
 * the last build (meta model_path), it opens, it was built from st, and
 * st's data_version has not moved since (no write after the build). The
 * one rule by which `--db` readers and `xsell serve --db` use a model file
 * instead of loading the store.
 * @return 1 and sets *out (caller frees with xs_model_free()); 0 when
 *         there is none, or it is stale or unreadable (nothing reported:
 *         the caller loads the store); a negative code when the store fails
 */
int xs_model_open_current(xs_store *st, xs_model **out, xs_error *err);

/** Frees (and unmaps) a model; NULL is fine. */
void xs_model_free(xs_model *m);

/** @return where m comes from (borrowed, valid until xs_model_free) */
const xs_model_info *xs_model_info_of(const xs_model *m);
/** The parts of a model (borrowed, valid until xs_model_free; NULL when absent). */
const xs_snapshot *xs_model_snapshot(const xs_model *m);
const xs_baskets *xs_model_baskets(const xs_model *m);
const xs_together *xs_model_together(const xs_model *m);
const xs_rules *xs_model_rules(const xs_model *m);
const xs_customer_scores *xs_model_scores(const xs_model *m);
xs_offer_engine *xs_model_engine(const xs_model *m);
/** The ranked target list (*n rows; NULL without an engine) and its
 *  guardrail totals (NULL without an engine), as xs_offer_targets_rank(). */
const xs_target *xs_model_targets(const xs_model *m, size_t *n);
const xs_offer_summary *xs_model_summary(const xs_model *m);
/** The health configuration the customer scores were computed with (as
 *  xs_health_config_init() then clv and churn from the options). */
const xs_health_config *xs_model_health_config(const xs_model *m);
/**
 * Whether the model's engine decides with exactly these settings (cfg NULL:
 * the defaults) as of as_of (NULL: the store's latest day, so only a model
 * built without an explicit as-of day fits). A reader that
 * gets 0 builds an engine on the model's snapshot instead.
 * @return 1 or 0 (also 0 without an engine)
 */
int xs_model_engine_fits(const xs_model *m, const xs_offer_config *cfg, const char *as_of);

/**
 * The shard of a customer id (or of an anonymous order's order_id) among
 * n_shards: XXH3-64 of its len bytes, modulo n_shards (0 when n_shards <= 1).
 * Stable across runs, machines and versions (docs/scale-out.md).
 */
uint32_t xs_shard_of(const char *id, size_t len, uint32_t n_shards);

/** What a shard build wrote (xs_model_build_shard). */
typedef struct xs_model_shard_info {
    size_t n_customers, n_orders, n_lines, n_anon_lines; /* in the part */
    size_t bytes;                                         /* the part file's size */
    double t_load, t_cut, t_write;                        /* wall seconds */
} xs_model_shard_info;

/**
 * Writes the part of a model for shard `shard` of n_shards (0 <= shard <
 * n_shards) to path: the snapshot of that shard's customers with all their
 * rows and the whole catalog (xs_shard_of of the customer id), the
 * anonymous order lines of the order ids in the shard, the store's
 * experiments and the churn model attached to its build, the store's id
 * and data version (docs/model.md, "Build by shard"). Writes nothing to
 * the store but its id when it has none. A part is not a model: readers
 * refuse it; xs_model_merge() makes the model of all N parts.
 * @param info may be NULL
 * @return XS_OK, XS_EINVAL (bad shard numbers), XS_EIO, XS_ENOMEM, XS_EDB,
 *         or the snapshot's errors
 */
int xs_model_build_shard(xs_store *st, uint32_t shard, uint32_t n_shards, const char *path,
                         xs_model_shard_info *info, xs_error *err);

/**
 * The model of the parts paths[0..n) (xs_model_build_shard), which must be
 * the N parts of one build: one store and data version, each shard 0..N-1
 * exactly once. Reassembles the snapshot, builds the baskets of every
 * order, then mines, scores, fits the engine (as `xsell build` fits and
 * stores the propensity model, then opens it with the parts' experiments
 * and churn model) and ranks the targets: the model one xs_model_build()
 * after xs_offer_build() gives on the same store, decision for decision.
 * Not recorded in any store; save it with xs_model_save().
 * @return XS_OK; XS_EINVAL naming the file at fault ("P: part 2/4 given
 *         twice (also Q)", "P: a model file, not a build part", "P: from
 *         another store ...", "missing part 3/4 ..."); the errors of
 *         xs_model_open() for a file that is no model container; XS_ENOMEM
 */
int xs_model_merge(const char *const *paths, size_t n, const xs_model_opts *o,
                   xs_model **out, xs_error *err);

/**
 * The store's identity: its id (meta store_id, "" when it has none) and
 * data version (meta data_version, bumped by every committed write; 0 when
 * absent).
 * @return XS_OK, XS_EDB
 */
int xs_store_identity(xs_store *st, char id[40], uint64_t *data_version, xs_error *err);
/** Gives the store a random 128-bit hex id when it has none; id receives it.
 *  @return XS_OK, XS_EDB, XS_EIO (no random source) */
int xs_store_identity_ensure(xs_store *st, char id[40], xs_error *err);
/** The path of the store's latest model file (meta model_path) into buf.
 *  @return 1 found, 0 none, XS_EDB */
int xs_store_model_path(xs_store *st, char *buf, size_t n, xs_error *err);
/** Records path as the store's latest model file. @return XS_OK, XS_EDB */
int xs_store_model_path_set(xs_store *st, const char *path, xs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_MODEL_H */
