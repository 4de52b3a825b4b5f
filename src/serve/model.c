/*
 * model.c — the server's model: a thin, reference-counted wrapper around an
 * xs_model (src/model), which does all the assembling. At start the server
 * maps a model file (`--model FILE`, or the store's latest model file when
 * it is current) or, when there is none, builds one in memory; POST
 * /v1/build builds a new one on a background thread, saves it as the
 * store's model file and maps it, and server.c swaps the pointer. Requests
 * that hold the old one keep it until they complete, so a swap never makes
 * a request fail or wait. Nothing here computes anything per customer: the
 * target list and guardrail totals come with the model; only the report of
 * the store's experiments is made, on its first request.
 */
#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/progress.h"
#include "serve/serve_int.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "2026-11-22T14:33:09Z" as seconds since the epoch; now when unparsable. */
static double parse_utc(const char *s)
{
    int y, mo, d, h, mi, se;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se) != 6)
        return now_wall();
    return (double)xs__days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + se;
}

/* Wraps mdl (takes ownership, also on failure). */
static int wrap(xs_model *mdl, unsigned long generation, double seconds,
                xs__serve_model **out, xs_error *err)
{
    xs__serve_model *m = xs__calloc(1, sizeof *m);
    if (!m) {
        xs_model_free(mdl);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    atomic_init(&m->refs, 1);
    pthread_mutex_init(&m->lazy_mu, NULL);
    m->generation = generation;
    m->model = mdl;
    m->info = xs_model_info_of(mdl);
    m->built_at = parse_utc(m->info->built_at);
    m->build_seconds = seconds;
    m->snap = xs_model_snapshot(mdl);
    m->baskets = xs_model_baskets(mdl);
    m->tog = xs_model_together(mdl);
    m->rules = xs_model_rules(mdl);
    m->cs = xs_model_scores(mdl);
    m->offers = xs_model_engine(mdl);
    m->targets = xs_model_targets(mdl, &m->n_targets);
    m->summary = xs_model_summary(mdl);
    snprintf(m->cs_error, sizeof m->cs_error, "%s",
             m->info->scores_error[0] ? m->info->scores_error : "not in the model");
    snprintf(m->offers_error, sizeof m->offers_error, "%s",
             m->info->engine_error[0] ? m->info->engine_error : "not in the model");
    *out = m;
    return XS_OK;
}

/* Builds a model in memory from the open store st. */
static int build(xs_store *st, unsigned long generation, xs__serve_model **out,
                 xs_error *err)
{
    double t0 = xs__now();
    xs_model *mdl = NULL;
    xs_model_opts o;
    xs_model_opts_init(&o); /* as `xsell build` writes the store's model file */
    int rc = xs_model_build(st, &o, &mdl, err);
    if (rc < 0) return rc;
    return wrap(mdl, generation, xs__now() - t0, out, err);
}

/* Maps the model file at path; with st, checks it was built from st. */
static int open_file(const char *path, xs_store *st, unsigned long generation,
                     xs__serve_model **out, xs_error *err)
{
    double t0 = xs__now();
    xs_model *mdl = NULL;
    int rc = xs_model_open(path, &mdl, err);
    if (rc == XS_OK && st) rc = xs_model_check_store(mdl, st, err);
    if (rc < 0) {
        xs_model_free(mdl);
        return rc;
    }
    return wrap(mdl, generation, xs__now() - t0, out, err);
}

/* Contract in serve_int.h. */
int xs__serve_model_start(const char *db, const char *model_path, xs__serve_model **out,
                          xs_error *err)
{
    xs_store *st = NULL;
    int rc;
    if (!db) return open_file(model_path, NULL, 1, out, err);
    /* a read: the store (maybe PostgreSQL) is only asked who it is */
    if ((rc = xs_store_open(&st, db, err)) < 0) return rc;
    if (model_path)
        rc = open_file(model_path, st, 1, out, err);
    else {
        double t0 = xs__now();
        xs_model *mdl = NULL;
        rc = xs_model_open_current(st, &mdl, err);
        if (rc == 1) rc = wrap(mdl, 1, xs__now() - t0, out, err);
        else if (rc == 0) rc = build(st, 1, out, err);
    }
    xs_store_close(st);
    return rc < 0 ? rc : XS_OK;
}

/* Contract in serve_int.h. */
int xs__serve_model_rebuild(const char *db, unsigned long generation,
                            xs__serve_model **out, char *warn, size_t n, xs_error *err)
{
    xs_store *st = NULL;
    xs_model *mdl = NULL;
    char path[4096], msg[1024];
    double t0 = xs__now();
    int rc;
    warn[0] = 0;
    xs_model_opts o;
    xs_model_opts_init(&o); /* as `xsell build` writes the store's model file */
    if ((rc = xs_store_open(&st, db, err)) < 0) return rc;
    /* the store's model file: where the last build put it, else beside a
     * SQLite store (a PostgreSQL store has no file to put it beside) */
    int has_path = xs_store_model_path(st, path, sizeof path, err);
    if ((rc = has_path) < 0) goto cleanup;
    char cwd[PATH_MAX];
    if (!has_path && !xs_store_is_url(db)) { /* absolute: read from any directory */
        if (db[0] == '/')
            has_path = snprintf(path, sizeof path, "%s.xsm", db) < (int)sizeof path;
        else if (getcwd(cwd, sizeof cwd))
            has_path =
                snprintf(path, sizeof path, "%s/%s.xsm", cwd, db) < (int)sizeof path;
    }
    xs_error e = {0};
    xs_model *mapped = NULL;
    /* the file written as the build goes, as `xsell build` writes it; a
     * build that fails with it is made again in memory (when the store is
     * what failed, that build fails too and says so) */
    o.out = has_path ? path : NULL;
    if (o.out && xs_model_build(st, &o, &mdl, &e) < 0) {
        snprintf(warn, n, "model file %s: %s: serving the model built in memory", path,
                 xs_error_format(&e, msg, sizeof msg));
        o.out = NULL;
    }
    if (!o.out && (rc = xs_model_build(st, &o, &mdl, err)) < 0) goto cleanup;
    if (!has_path)
        snprintf(warn, n,
                 "the store has no model file path: serving the model built in memory");
    else if (o.out && (xs_store_model_path_set(st, path, &e) < 0 ||
                       xs_model_open(path, &mapped, &e) < 0))
        snprintf(warn, n, "model file %s: %s: serving the model built in memory", path,
                 xs_error_format(&e, msg, sizeof msg));
    if (mapped) {
        xs_model_free(mdl);
        mdl = mapped;
    }
    rc = wrap(mdl, generation, xs__now() - t0, out, err);
    mdl = NULL;
cleanup:
    xs_model_free(mdl);
    xs_store_close(st);
    return rc;
}

/* Contract in serve_int.h. */
json_t *xs__serve_model_experiments(xs__serve_model *m, const char *db)
{
    pthread_mutex_lock(&m->lazy_mu);
    if (!m->experiments_done) {
        xs_store *st = NULL;
        xs_experiment *exp = NULL;
        xs_error e = {0};
        char msg[1024];
        long n = -1;
        if (!db)
            snprintf(m->experiments_error, sizeof m->experiments_error,
                     "the server has no store");
        else if (!m->snap)
            snprintf(m->experiments_error, sizeof m->experiments_error,
                     "the model has no snapshot");
        else if (xs_store_open_readonly(&st, db, &e) < 0 ||
                 (n = xs_store_experiments(st, &exp, &e)) < 0)
            snprintf(m->experiments_error, sizeof m->experiments_error, "%s",
                     xs_error_format(&e, msg, sizeof msg));
        else if (!(m->experiments = xs__serve_experiments_json(m->snap, exp, (size_t)n)))
            snprintf(m->experiments_error, sizeof m->experiments_error, "out of memory");
        xs_store_experiments_free(exp);
        xs_store_close(st);
        /* out of memory may pass: try again next time */
        m->experiments_done = m->experiments != NULL || n < 0;
    }
    json_t *out = m->experiments ? json_deep_copy(m->experiments) : NULL;
    pthread_mutex_unlock(&m->lazy_mu);
    return out;
}

/* Contract in serve_int.h. */
void xs__serve_model_experiments_forget(xs__serve_model *m)
{
    pthread_mutex_lock(&m->lazy_mu);
    json_decref(m->experiments);
    m->experiments = NULL;
    m->experiments_done = 0;
    pthread_mutex_unlock(&m->lazy_mu);
}

/* Contract in serve_int.h. */
void xs__serve_model_retain(xs__serve_model *m)
{
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
}

/* Contract in serve_int.h. */
void xs__serve_model_release(xs__serve_model *m)
{
    if (!m || atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) != 1) return;
    json_decref(m->experiments);
    json_decref(m->segments);
    pthread_mutex_destroy(&m->lazy_mu);
    xs_model_free(m->model);
    xs__free(m);
}
