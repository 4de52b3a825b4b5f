/*
 * model_file.c — a model as one file (src/base/mfile.h): saving every part
 * through its module's save function, opening by mapping it and pointing
 * every part into the mapping, and checking that a model belongs to a
 * store (store id in the file's header against the store's meta).
 *
 * Sections, in this order: "snap.*" (snapshot_io.c), "bask.*" (mine_io.c),
 * "engine.*" (engine_io.c), "tog.*", "rules.*" (mine_io.c), "scores.*"
 * (scores_io.c), "model.hdr" (this file's scalars: why a part is absent,
 * the guardrail totals, the health configuration of the scores),
 * "model.targets" (the ranked target list, xs_target rows). Readers find
 * them by name; the order puts what a build has first at the front, so
 * that it writes the file as it goes (xs__model_write_start).
 */
#include "model/model_int.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/progress.h"
#include "mine/mine_io.h"
#include "offer/engine_io.h"
#include "score/scores_io.h"
#include "snapshot/snapshot_io.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The scalars of model_file.c, as stored. */
typedef struct model_hdr {
    char scores_error[256];
    char engine_error[256];
    uint64_t n_targets;
    uint32_t has_baskets, has_scores, has_engine, as_of_given;
    xs_offer_summary summary;
    xs_health_config hcfg;
} model_hdr;

/* ---- writing ------------------------------------------------------------ */

/* The sections that exist as soon as the store is read: the snapshot and
 * the order baskets, most of the file's bytes; then, with engine, the
 * offer engine when there is one (`xsell build` hands in the engine it
 * fitted before the model's build, xs_model_opts.engine). Written first,
 * so a build can stream them out while it computes the rest
 * (xs__model_write_start). */
static int save_read_parts(const xs_model *m, xs__mfile_writer *w, int engine,
                           xs_error *err)
{
    int rc = xs__snapshot_save(m->snap, w, err);
    if (rc == XS_OK && m->baskets) rc = xs__mine_baskets_save(m->baskets, w, err);
    if (rc == XS_OK && engine && m->en) rc = xs__offer_engine_save(m->en, w, err);
    return rc;
}

/* The sections computed before the target list: the engine unless
 * engine_done, the items bought together and the rules, and the customer
 * scores cs (NULL: none). */
static int save_mined_parts(const xs_model *m, xs__mfile_writer *w, int engine_done,
                            const xs_customer_scores *cs, xs_error *err)
{
    int rc = XS_OK;
    if (!engine_done && m->en) rc = xs__offer_engine_save(m->en, w, err);
    if (rc == XS_OK && m->baskets && m->tog) rc = xs__mine_together_save(m->tog, w, err);
    if (rc == XS_OK && m->baskets && m->rules) rc = xs__mine_rules_save(m->rules, w, err);
    if (rc == XS_OK && cs) rc = xs__score_customer_scores_save(cs, w, err);
    return rc;
}

/* The last sections (this file's scalars, the target list), then the
 * header: the file complete and renamed into place. Aborts w on
 * failure. */
static int save_last_parts(const xs_model *m, xs__mfile_writer *w, xs_error *err)
{
    model_hdr h;
    memset(&h, 0, sizeof h);
    memcpy(h.scores_error, m->info.scores_error, sizeof h.scores_error);
    memcpy(h.engine_error, m->info.engine_error, sizeof h.engine_error);
    h.n_targets = m->en ? m->n_targets : 0;
    h.has_baskets = m->baskets != NULL;
    h.has_scores = m->cs != NULL;
    h.has_engine = m->en != NULL;
    h.as_of_given = (uint32_t)m->info.as_of_given;
    if (m->en) h.summary = m->summary;
    h.hcfg = m->hcfg;
    int rc;
    if ((rc = xs__mfile_put(w, "model.hdr", &h, sizeof h, err)) < 0 ||
        (rc = xs__mfile_put(w, "model.targets", m->targets,
                            (size_t)h.n_targets * sizeof *m->targets, err)) < 0) {
        xs__mfile_abort(w);
        return rc;
    }
    xs__mfile_meta meta;
    memset(&meta, 0, sizeof meta);
    snprintf(meta.store_id, sizeof meta.store_id, "%s", m->info.store_id);
    snprintf(meta.as_of, sizeof meta.as_of, "%s", m->info.as_of);
    snprintf(meta.built_at, sizeof meta.built_at, "%s", m->info.built_at);
    snprintf(meta.xsell_version, sizeof meta.xsell_version, "%s", XS_VERSION);
    meta.data_version = m->info.data_version;
    return xs__mfile_commit(w, &meta, err);
}

static int model_save(const xs_model *m, const char *path, xs_error *err)
{
    xs__mfile_writer *w = NULL;
    int rc = xs__mfile_create(&w, path, err);
    if (rc < 0) return rc;
    if ((rc = save_read_parts(m, w, 1, err)) < 0 ||
        (rc = save_mined_parts(m, w, 1, m->cs, err)) < 0) {
        xs__mfile_abort(w);
        return rc;
    }
    return save_last_parts(m, w, err);
}

/* Contract in xsell.h. Writing and syncing a large file: the bar shows the
 * time it takes. */
int xs_model_save(const xs_model *m, const char *path, xs_error *err)
{
    xs__ticker tk;
    xs__ticker_start(&tk, "writing the model", 0);
    int rc = model_save(m, path, err);
    xs__ticker_finish(&tk);
    return rc;
}

/* A model file written while its model is built: the thread that writes
 * it, what it has been handed and what it found. The thread writes the
 * parts read from the store (and the engine handed in), then waits for
 * the rest computed before the target list (xs__model_write_more: the
 * engine, the mined parts, and the scores, whose job it waits for) and
 * writes them while the target list is ranked; finish writes what is
 * left. */
struct xs__model_writer {
    const xs_model *m;
    char *path;
    xs__mfile_writer *w;
    int engine; /* 1: the engine was there at the start, written early */
    pthread_t th;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int more;                    /* under mu: 0 waiting, 1 handed, -1 nothing more */
    xs_model_scores_job *scores; /* handed: the thread waits for it */
    int mined_done;              /* the mined parts are written (or rc says why not) */
    int rc;
    xs_error err;
};

/* The parts computed before the target list, with the scores of job j
 * (waited for here, whether or not they are written). */
static void write_mined(xs__model_writer *mw, xs_model_scores_job *j)
{
    const xs_customer_scores *cs = xs__model_scores_done(j);
    if (mw->rc == XS_OK)
        mw->rc = save_mined_parts(mw->m, mw->w, mw->engine, cs, &mw->err);
    if (mw->rc == XS_OK) mw->rc = xs__mfile_sync(mw->w, &mw->err);
    mw->mined_done = 1;
}

/* The writer's thread: the snapshot and baskets sections (and the engine
 * handed in), then their bytes to the disk (xs__mfile_sync); then, once
 * handed, the mined parts and the scores the same way, so the commit's
 * own sync has only the target list left to wait for. */
static void *write_parts(void *arg)
{
    xs__model_writer *mw = arg;
    mw->rc = save_read_parts(mw->m, mw->w, mw->engine, &mw->err);
    if (mw->rc == XS_OK) mw->rc = xs__mfile_sync(mw->w, &mw->err);
    pthread_mutex_lock(&mw->mu);
    while (!mw->more)
        pthread_cond_wait(&mw->cv, &mw->mu);
    int more = mw->more;
    pthread_mutex_unlock(&mw->mu);
    if (more > 0) write_mined(mw, mw->scores);
    return NULL;
}

/* Contract in model_int.h. */
int xs__model_write_start(const xs_model *m, const char *path, xs__model_writer **out,
                          xs_error *err)
{
    *out = NULL;
    xs__model_writer *mw = xs__calloc(1, sizeof *mw);
    if (!mw || !(mw->path = xs__strdup(path))) {
        xs__free(mw);
        return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    }
    mw->m = m;
    mw->engine = m->en != NULL;
    int rc = xs__mfile_create(&mw->w, path, err);
    if (rc < 0) {
        xs__free(mw->path);
        xs__free(mw);
        return rc;
    }
    if (pthread_mutex_init(&mw->mu, NULL) == 0) {
        if (pthread_cond_init(&mw->cv, NULL) == 0) {
            if (pthread_create(&mw->th, NULL, write_parts, mw) == 0) {
                mw->started = 1;
                *out = mw;
                return XS_OK;
            }
            pthread_cond_destroy(&mw->cv);
        }
        pthread_mutex_destroy(&mw->mu);
    }
    /* no thread: the read parts written here, before the rest */
    mw->rc = save_read_parts(m, mw->w, mw->engine, &mw->err);
    *out = mw;
    return XS_OK;
}

/* Contract in model_int.h. */
void xs__model_write_more(xs__model_writer *mw, xs_model_scores_job *j)
{
    if (!mw) return;
    if (!mw->started) {
        write_mined(mw, j); /* no thread: here, once the scores are done */
        return;
    }
    pthread_mutex_lock(&mw->mu);
    if (!mw->more) {
        mw->scores = j;
        mw->more = 1;
        pthread_cond_signal(&mw->cv);
    }
    pthread_mutex_unlock(&mw->mu);
}

/* Contract in model_int.h. */
void xs__model_write_wait(xs__model_writer *mw)
{
    if (!mw || !mw->started) return;
    pthread_mutex_lock(&mw->mu);
    if (!mw->more) mw->more = -1; /* nothing handed: the thread stops waiting */
    pthread_cond_signal(&mw->cv);
    pthread_mutex_unlock(&mw->mu);
    pthread_join(mw->th, NULL);
    pthread_cond_destroy(&mw->cv);
    pthread_mutex_destroy(&mw->mu);
    mw->started = 0;
}

/* Contract in model_int.h. What the build waits for (the writer's thread,
 * then the last parts and the sync): the bar shows it. */
int xs__model_write_finish(xs__model_writer *mw, const xs_model *m, size_t *bytes,
                           xs_error *err)
{
    xs__ticker tk;
    xs__ticker_start(&tk, "writing the model", 0);
    xs__model_write_wait(mw);
    int rc = mw->rc;
    if (rc == XS_OK && !mw->mined_done)
        rc = mw->rc = save_mined_parts(m, mw->w, mw->engine, m->cs, &mw->err);
    if (rc < 0) {
        if (err) *err = mw->err;
        xs__ticker_finish(&tk);
        xs__model_write_abort(mw);
        return rc;
    }
    xs__mfile_writer *w = mw->w;
    mw->w = NULL;
    rc = save_last_parts(m, w, err);
    xs__ticker_finish(&tk);
    struct stat sb;
    *bytes = rc == XS_OK && stat(mw->path, &sb) == 0 ? (size_t)sb.st_size : 0;
    xs__free(mw->path);
    xs__free(mw);
    return rc;
}

/* Contract in model_int.h. */
void xs__model_write_abort(xs__model_writer *mw)
{
    if (!mw) return;
    xs__model_write_wait(mw);
    xs__mfile_abort(mw->w);
    xs__free(mw->path);
    xs__free(mw);
}

/* A part that may be absent: XS_ENOTFOUND becomes "none" (when allowed). */
static int optional(int rc, int allowed, xs_error *err)
{
    if (rc == XS_ENOTFOUND && allowed) {
        xs__error_clear(err);
        return XS_OK;
    }
    return rc;
}

/* Contract in xsell.h. */
int xs_model_open(const char *path, xs_model **out, xs_error *err)
{
    *out = NULL;
    xs_model *m = xs__calloc(1, sizeof *m);
    if (!m) return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    int rc = xs__mfile_open(&m->f, path, err);
    if (rc < 0) goto fail;
    const model_hdr *h;
    size_t n_part;
    if (!xs__mfile_get(m->f, "model.hdr", 1, &n_part) &&
        xs__mfile_get(m->f, "part.hdr", 1, &n_part)) { /* src/model/part.h */
        rc = xs__error_cond(
            err, XS_COND_PART_NOT_MODEL,
            xs__error_set(err, XS_EINVAL, path, 0, NULL, "a build part, not a model"));
        goto fail;
    }
    if ((rc = xs__mfile_need(m->f, "model.hdr", sizeof *h, 1, (const void **)&h, err)) < 0)
        goto fail;
    if ((rc = xs__snapshot_map(m->f, &m->snap, err)) < 0) goto fail;
    if (h->has_baskets) {
        /* a part the header says is there must be there */
        if ((rc = xs__mine_baskets_map(m->f, &m->baskets, err)) < 0 ||
            (rc = optional(xs__mine_together_map(m->f, m->baskets, &m->tog, err), 1,
                           err)) < 0 ||
            (rc = optional(xs__mine_rules_map(m->f, m->baskets, &m->rules, err), 1,
                           err)) < 0)
            goto fail;
    }
    if (h->has_scores &&
        (rc = xs__score_customer_scores_map(m->f, m->snap, &m->cs, err)) < 0)
        goto fail;
    if (h->has_engine) {
        if ((rc = xs__offer_engine_map(m->f, m->snap, &m->en, err)) < 0) goto fail;
        const void *t;
        if (h->n_targets > m->snap->cust.n) {
            rc = xs__error_set(err, XS_EPARSE, path, 0, NULL,
                               "section model.targets: %llu rows for %zu customers (the file "
                               "is corrupted)",
                               (unsigned long long)h->n_targets, m->snap->cust.n);
            goto fail;
        }
        if ((rc = xs__mfile_need(m->f, "model.targets", sizeof(xs_target),
                                 (size_t)h->n_targets, &t, err)) < 0)
            goto fail;
        m->targets = (xs_target *)t;
        m->n_targets = (size_t)h->n_targets;
        m->summary = h->summary;
    }
    m->hcfg = h->hcfg;
    const xs__mfile_meta *meta = xs__mfile_meta_of(m->f);
    xs_model_info *in = &m->info;
    memcpy(in->scores_error, h->scores_error, sizeof in->scores_error);
    in->scores_error[sizeof in->scores_error - 1] = '\0';
    memcpy(in->engine_error, h->engine_error, sizeof in->engine_error);
    in->engine_error[sizeof in->engine_error - 1] = '\0';
    snprintf(in->as_of, sizeof in->as_of, "%s", meta->as_of);
    snprintf(in->built_at, sizeof in->built_at, "%s", meta->built_at);
    snprintf(in->store_id, sizeof in->store_id, "%s", meta->store_id);
    in->data_version = meta->data_version;
    in->path = xs__mfile_path(m->f);
    in->bytes = xs__mfile_size(m->f);
    in->mapped = 1;
    in->as_of_given = h->as_of_given != 0;
    *out = m;
    return XS_OK;
fail:
    xs_model_free(m);
    return rc;
}

/* Contract in xsell.h. */
int xs_model_open_current(xs_store *st, xs_model **out, xs_error *err)
{
    char path[4096], id[40];
    uint64_t dv = 0;
    *out = NULL;
    int rc = xs_store_model_path(st, path, sizeof path, err);
    if (rc <= 0) return rc;
    if ((rc = xs_store_identity(st, id, &dv, err)) < 0) return rc;
    xs_model *m = NULL;
    if (xs_model_open(path, &m, NULL) < 0) return 0; /* gone or damaged: build */
    if (!id[0] || strcmp(m->info.store_id, id) != 0 || m->info.data_version != dv) {
        xs_model_free(m);
        return 0;
    }
    *out = m;
    return 1;
}

/* Contract in xsell.h. */
int xs_model_check_store(const xs_model *m, xs_store *st, xs_error *err)
{
    char id[40];
    uint64_t dv;
    int rc = xs_store_identity(st, id, &dv, err);
    if (rc < 0) return rc;
    const char *name = m->info.path ? m->info.path : "the model";
    if (!m->info.store_id[0] || strcmp(id, m->info.store_id) != 0)
        return xs__error_set(err, XS_EINVAL, name, 0, NULL,
                             "built from another store (store id %s, this store's is %s)",
                             m->info.store_id[0] ? m->info.store_id : "none",
                             id[0] ? id : "none");
    return XS_OK;
}
