/*
 * model.c — building a model in memory (xs_model_build), the one place that
 * assembles it: store -> snapshot -> order baskets (from the snapshot's
 * orders and the store's anonymous order lines) -> items bought together
 * and association rules -> customer scores -> offer engine (the store's
 * build) -> ranked target list with its guardrail totals; and the
 * accessors and free of both built and mapped models.
 */
#include "model/model_int.h"

#include "model/merge_baskets.h"
#include "snapshot/anon_lines.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/progress.h"
#include "offer/offer_int.h"
#include "score/health.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TOGETHER_TOP_K 50 /* as the server's model */
#define MAX_RULES 2000

void xs_model_opts_init(xs_model_opts *o)
{
    memset(o, 0, sizeof *o);
    o->n_threads = 2;
    o->clv = 1;
    o->churn = 1;
    o->churn_max_train = XS__SCORE_CHURN_MAX_TRAIN;
}

/* The rules the server and `xsell rules`' defaults would give over the
 * order baskets: itemsets of up to 3 items in 0.1 % of baskets (at least
 * 2), confidence 5 %, at most 2000. */
static int mine_rules(xs_model *m, xs_error *err)
{
    xs_rule_opts o;
    xs_rule_opts_init(&o);
    size_t n_tx = xs_baskets_n_tx(m->baskets);
    o.mine.min_count = xs_min_count(0.001, n_tx);
    if (o.mine.min_count < 2) o.mine.min_count = 2;
    o.mine.max_len = 3;
    o.min_confidence = 0.05;
    o.max_rules = MAX_RULES;
    return xs_rules_mine(&m->rules, m->baskets, &o, err);
}

/* The order baskets of the store, as xs_baskets_from_store(st,
 * XS_SOURCE_ORDERS) gives them, from the snapshot's orders and the
 * store's anonymous order lines: the orders are not read a second time. */
static int order_baskets(xs_store *st, const xs_snapshot *s, xs_baskets **out,
                         xs_error *err)
{
    xs__snapshot_anon_lines anon;
    int rc = xs__snapshot_anon_lines_load(st, 0, 1, &anon, err);
    if (rc < 0) return rc;
    const xs__snapshot_anon_lines *a = &anon;
    rc = xs__model_baskets_of_orders(s, &a, 1, out, err);
    xs__snapshot_anon_lines_free(&anon);
    return rc;
}

/* The offer engine: the store's build (xs_offer_engine_open: its stored
 * propensity model when of the same day, its experiments, its churn model),
 * or, for a store never built, one fitted here with the experiments set. */
static int open_engine(xs_model *m, xs_store *st, const xs__model_ref *ref,
                       const xs_model_opts *o, xs_error *err)
{
    if (m->en) return XS_OK; /* handed in (xs_model_opts.engine) */
    if (ref) return xs__model_engine_of_ref(m, ref, o, err); /* a merge: no store */
    char day[11], built[21];
    char *text = NULL;
    int rc = xs_store_build_get(st, day, built, &text, err);
    xs_store_build_free(text);
    if (rc < 0) return rc;
    if (rc == 1) return xs_offer_engine_open(st, m->snap, o->cfg, o->as_of, &m->en, err);
    xs_experiment *exp = NULL;
    long n_exp = xs_store_experiments(st, &exp, err);
    if (n_exp < 0) return (int)n_exp;
    rc = xs_offer_engine_new(m->snap, o->cfg, o->as_of, &m->en, err);
    if (rc == XS_OK) rc = xs_offer_engine_set_experiments(m->en, exp, (size_t)n_exp, err);
    xs_store_experiments_free(exp);
    if (rc < 0) {
        xs_offer_engine_free(m->en);
        m->en = NULL;
    }
    return rc;
}

/* The customer scores on a thread of their own, beside the engine (and,
 * from `xsell build`, the fit of the store's build) and the target list:
 * the scores never read the engine, nor the engine the scores. */
struct xs_model_scores_job {
    const xs_snapshot *snap;
    xs_health_config hcfg;
    int has_as_of; /* 0: the store's latest day */
    char as_of[64];
    size_t churn_max_train;
    pthread_t th;
    int started;
    int beside; /* 1: run on a thread of its own, beside the build's stages */
    xs_customer_scores *cs;
    int rc;
    double t;
    xs_error e;
};

/* The health configuration of a model built with o. */
static void model_hcfg(const xs_model_opts *o, xs_health_config *h)
{
    memset(h, 0, sizeof *h);
    xs_health_config_init(h);
    h->clv = o->clv ? 1 : 0;
    h->churn = o->churn ? 1 : 0;
}

static void *scores_run(void *arg)
{
    xs_model_scores_job *j = arg;
    if (j->beside) xs__progress_background(1); /* the engine's bars keep the line */
    double t0 = xs__now();
    j->rc = xs__score_customers_compute(j->snap, &j->hcfg, j->has_as_of ? j->as_of : NULL,
                                        j->churn_max_train, &j->cs, &j->e);
    j->t = xs__now() - t0;
    return NULL;
}

/* Contract in xsell.h. */
int xs_model_scores_begin(const xs_snapshot *snap, const xs_model_opts *o,
                          xs_model_scores_job **out, xs_error *err)
{
    xs_model_opts d;
    if (!o) {
        xs_model_opts_init(&d);
        o = &d;
    }
    *out = NULL;
    xs_model_scores_job *j = xs__calloc(1, sizeof *j);
    if (!j) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    j->snap = snap;
    model_hcfg(o, &j->hcfg);
    j->churn_max_train = o->churn_max_train;
    /* a day longer than this is no date: the scores refuse it as they
     * would (the build compares the text it was given) */
    j->has_as_of = o->as_of != NULL;
    snprintf(j->as_of, sizeof j->as_of, "%s", o->as_of ? o->as_of : "");
    j->beside = 1;
    j->started = pthread_create(&j->th, NULL, scores_run, j) == 0;
    if (!j->started) {
        j->beside = 0;
        scores_run(j);
    }
    *out = j;
    return XS_OK;
}

/* Waits for j's thread. */
static void scores_wait(xs_model_scores_job *j)
{
    if (j->started) pthread_join(j->th, NULL);
    j->started = 0;
}

/* Contract in xsell.h. */
void xs_model_scores_job_free(xs_model_scores_job *sc)
{
    if (!sc) return;
    scores_wait(sc);
    xs_customer_scores_free(sc->cs);
    xs__free(sc);
}

/* Whether j computes the scores of a model of snap built with o. */
static int scores_match(const xs_model_scores_job *j, const xs_snapshot *snap,
                        const xs_model_opts *o)
{
    xs_health_config h;
    model_hcfg(o, &h);
    return j->snap == snap && !memcmp(&h, &j->hcfg, sizeof h) &&
           j->churn_max_train == o->churn_max_train &&
           j->has_as_of == (o->as_of != NULL) &&
           (!o->as_of ||
            (strlen(o->as_of) < sizeof j->as_of && !strcmp(j->as_of, o->as_of)));
}

/* Contract in model_int.h. */
const xs_customer_scores *xs__model_scores_done(xs_model_scores_job *j)
{
    scores_wait(j);
    return j->rc == XS_OK ? j->cs : NULL;
}

/* The engine and the target list; XS_ENOMEM, else XS_OK (an engine that
 * cannot be opened leaves the info's engine_error). Between the two, the
 * model file being written (m->mw) is handed what is computed by then
 * and the scores of j, which it writes while the target list is
 * ranked. */
static int engine_and_targets(xs_model *m, xs_store *st, const xs__model_ref *ref,
                              const xs_model_opts *o, xs_model_scores_job *j)
{
    xs_error e = {0};
    char msg[1024];
    double t0 = xs__now();
    int rc = open_engine(m, st, ref, o, &e);
    m->info.t_engine = xs__now() - t0;
    if (rc == XS_ENOMEM) return rc;
    xs__model_write_more(m->mw, j); /* the engine, or that there is none */
    if (rc < 0) {
        snprintf(m->info.engine_error, sizeof m->info.engine_error, "%s",
                 xs_error_format(&e, msg, sizeof msg));
        return XS_OK;
    }
    xs_offer_engine_as_of(m->en, m->info.as_of);
    t0 = xs__now();
    if (xs_offer_targets_rank(m->en, o->n_threads > 0 ? o->n_threads : 2, &m->targets,
                              &m->n_targets, &m->summary) < 0)
        return XS_ENOMEM;
    m->info.t_targets = xs__now() - t0;
    return XS_OK;
}

/* Scores, engine and target list: each may fail on its own (an empty store
 * has no customers to score) without failing the model; the info says why.
 * Out of memory fails the model. The engine never reads the model's
 * scores (it keeps its own health columns), so the scores (CLV and the
 * churn model: partly one thread) run beside the engine and the target
 * list, and the two cores stay busy; each result is the one it would be
 * alone. */
static int build_customers(xs_model *m, xs_store *st, const xs__model_ref *ref,
                           const xs_model_opts *o, xs_error *err)
{
    char msg[1024];
    model_hcfg(o, &m->hcfg);
    xs_model_scores_job *j = m->scores;
    m->scores = NULL;
    if (j && !scores_match(j, m->snap, o)) {
        xs_model_scores_job_free(j); /* started with other options */
        j = NULL;
    }
    if (!j && xs_model_scores_begin(m->snap, o, &j, err) < 0) return XS_ENOMEM;
    int rc = engine_and_targets(m, st, ref, o, j);
    xs__ticker tk; /* what is left of the scores, waited for here */
    xs__ticker_start(&tk, "scores", 0);
    xs__model_write_wait(m->mw); /* done with j */
    scores_wait(j);
    xs__ticker_finish(&tk);
    m->cs = j->cs;
    j->cs = NULL;
    m->info.t_scores = j->t;
    int rc_scores = j->rc;
    if (rc_scores < 0 && rc_scores != XS_ENOMEM) {
        m->cs = NULL;
        snprintf(m->info.scores_error, sizeof m->info.scores_error, "%s",
                 xs_error_format(&j->e, msg, sizeof msg));
    }
    xs_model_scores_job_free(j);
    if (rc == XS_ENOMEM || rc_scores == XS_ENOMEM)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_model_build(xs_store *st, const xs_model_opts *opts, xs_model **out, xs_error *err)
{
    return xs_model_build_from(st, NULL, opts, out, err);
}

/* Contract in xsell.h. */
int xs_model_build_from(xs_store *st, xs_snapshot *snap, const xs_model_opts *opts,
                        xs_model **out, xs_error *err)
{
    xs_model_opts defaults;
    if (!opts) {
        xs_model_opts_init(&defaults);
        opts = &defaults;
    }
    *out = NULL;
    xs_model *m = xs__calloc(1, sizeof *m);
    if (!m) {
        xs_model_scores_job_free(opts->scores); /* before the snapshot it reads */
        xs_snapshot_free(snap);
        xs_offer_engine_free(opts->engine);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    m->snap = snap;
    m->en = opts->engine; /* taken over: open_engine keeps it */
    m->scores = opts->scores; /* taken over: build_customers waits for them */
    xs__model_writer *mw = NULL;
    int rc;
    /* the id first: giving one is a write, and the data version read after
     * it is the one the model matches */
    xs_error e = {0};
    if (xs_store_identity_ensure(st, m->info.store_id, &e) < 0)
        m->info.store_id[0] = '\0'; /* a read-only store without an id */
    char id[40];
    if ((rc = xs_store_identity(st, id, &m->info.data_version, err)) < 0) goto fail;
    snprintf(m->info.store_id, sizeof m->info.store_id, "%s", id);
    m->info.as_of_given = opts->as_of != NULL;
    xs__utc_now(m->info.built_at);
    double t0 = xs__now();
    if (!m->snap && (rc = xs_snapshot_load(st, &m->snap, err)) < 0) goto fail;
    if ((rc = order_baskets(st, m->snap, &m->baskets, err)) < 0) goto fail;
    m->info.t_load = xs__now() - t0;
    /* the file's read parts go out while the rest is computed */
    if (opts->out && (rc = xs__model_write_start(m, opts->out, &mw, err)) < 0) goto fail;
    m->mw = mw;
    rc = xs__model_finish(m, st, NULL, opts, err);
    m->mw = NULL;
    if (rc < 0) goto fail;
    if (mw) {
        t0 = xs__now();
        rc = xs__model_write_finish(mw, m, &m->info.bytes, err);
        mw = NULL;
        m->info.t_write = xs__now() - t0;
        if (rc < 0) goto fail;
    }
    *out = m;
    return XS_OK;
fail:
    xs__model_write_abort(mw);
    xs_model_free(m);
    return rc;
}

/* Contract in model_int.h. */
int xs__model_finish(xs_model *m, xs_store *st, const xs__model_ref *ref,
                     const xs_model_opts *opts, xs_error *err)
{
    double t0 = xs__now();
    int rc;
    xs_together_opts to = {.measure = XS_SIM_COSINE, .top_k = TOGETHER_TOP_K};
    if ((rc = xs_together_build(m->baskets, &to, &m->tog, err)) < 0) return rc;
    if ((rc = mine_rules(m, err)) < 0) return rc;
    m->info.t_mine = xs__now() - t0;
    return build_customers(m, st, ref, opts, err);
}

/* Contract in xsell.h. */
void xs_model_free(xs_model *m)
{
    if (!m) return;
    xs_model_scores_job_free(m->scores); /* before the snapshot it reads */
    xs_offer_engine_free(m->en);
    xs_customer_scores_free(m->cs);
    xs_rules_free(m->rules);
    xs_together_free(m->tog);
    xs_baskets_free(m->baskets);
    xs_snapshot_free(m->snap);
    if (!m->f) xs_targets_free(m->targets);
    xs__mfile_close(m->f);
    xs__free(m);
}

const xs_model_info *xs_model_info_of(const xs_model *m)
{
    return &m->info;
}

const xs_snapshot *xs_model_snapshot(const xs_model *m)
{
    return m->snap;
}

const xs_baskets *xs_model_baskets(const xs_model *m)
{
    return m->baskets;
}

const xs_together *xs_model_together(const xs_model *m)
{
    return m->tog;
}

const xs_rules *xs_model_rules(const xs_model *m)
{
    return m->rules;
}

const xs_customer_scores *xs_model_scores(const xs_model *m)
{
    return m->cs;
}

xs_offer_engine *xs_model_engine(const xs_model *m)
{
    return m->en;
}

const xs_target *xs_model_targets(const xs_model *m, size_t *n)
{
    *n = m->en ? m->n_targets : 0;
    return m->en ? m->targets : NULL;
}

const xs_offer_summary *xs_model_summary(const xs_model *m)
{
    return m->en ? &m->summary : NULL;
}

const xs_health_config *xs_model_health_config(const xs_model *m)
{
    return &m->hcfg;
}

/* Contract in xsell.h. */
int xs_model_engine_fits(const xs_model *m, const xs_offer_config *cfg, const char *as_of)
{
    if (!m->en) return 0;
    xs_offer_config d;
    if (!cfg) {
        xs_offer_config_init(&d);
        cfg = &d;
    }
    if (memcmp(&m->en->cfg, cfg, sizeof *cfg) != 0) return 0;
    if (!as_of) return !m->info.as_of_given;
    int32_t day;
    return xs__date_parse(as_of, strlen(as_of), &day) == 0 && day == m->en->as_of;
}
