/*
 * cmd_build_model.c — the model file of `xsell build`: built on the
 * build's snapshot and engine with its scores begun beside the engine's
 * fit (xs_model_build_from, writing the file as it goes), recorded as the
 * store's latest model, with the stage times and size on stderr.
 */
#define _DEFAULT_SOURCE /* realpath */
#include "cli/build.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD XS_CLI_BUILD

/* The absolute form of path (its directory resolved; the file itself need
 * not exist yet), so readers in any directory find it; path as given when
 * the directory does not resolve. */
static void absolute(const char *path, char *buf, size_t n)
{
    char dir[4096], real[4096];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) ? (int)(slash - path) : 1,
                 path);
    else
        snprintf(dir, sizeof dir, ".");
    const char *head = realpath(dir, real) ? real : NULL;
    if (head && !strcmp(head, "/")) head = "";
    size_t lh = head ? strlen(head) : 0, lb = strlen(base);
    if (head && lh + 1 + lb < n) {
        memcpy(buf, head, lh);
        buf[lh] = '/';
        memcpy(buf + lh + 1, base, lb + 1);
    } else {
        snprintf(buf, n, "%s", path);
    }
}

/* *snap, which the caller no longer owns. */
static xs_snapshot *take_snapshot(xs_snapshot **snap)
{
    xs_snapshot *s = *snap;
    *snap = NULL;
    return s;
}

/* *en, which the caller no longer owns. */
static xs_offer_engine *take_engine(xs_offer_engine **en)
{
    xs_offer_engine *e = *en;
    *en = NULL;
    return e;
}

/* *sc, which the caller no longer owns. */
static xs_model_scores_job *take_scores(xs_model_scores_job **sc)
{
    xs_model_scores_job *x = *sc;
    *sc = NULL;
    return x;
}

void xs_cli_build_model_opts(xs_model_opts *o, const char *as_of,
                             const xs_offer_config *cfg, long churn_max_train)
{
    xs_model_opts_init(o);
    o->as_of = as_of;
    o->cfg = cfg;
    if (churn_max_train >= 0) o->churn_max_train = (size_t)churn_max_train;
}

int xs_cli_build_writes_model(const char *db, const char *out)
{
    return out || !xs_store_is_url(db);
}

double xs_cli_build_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A build that offers nothing because no customer may be contacted says
 * so: a shop's order log imported without --consent gives every customer
 * no channel, and an empty target list alone does not tell why. */
static void consent_hint(const xs_offer_summary *s)
{
    if (!s || s->n_offered || !s->n_suppressed[XS_GUARD_CONSENT]) return;
    fprintf(
        stderr,
        "warning: no offer made: %zu of %zu candidates held back because their customer "
        "consented to no channel (the customers' consent_* columns; an order log: "
        "import transactions --consent CHANNELS)\n",
        s->n_suppressed[XS_GUARD_CONSENT], s->n_candidates);
}

int xs_cli_build_write_model(xs_store *st, xs_snapshot **snap, xs_model_scores_job **sc,
                             xs_offer_engine **en, const xs_cli_build_times *pre,
                             const char *db, const char *out, const xs_model_opts *mo)
{
    char def[4096], path[4096], id[40];
    xs_error e;
    if (!xs_cli_build_writes_model(db, out)) {
        /* a database server: no file beside it to default to */
        fprintf(stderr,
                "xsell %s: no model file written: give --out MODEL for a database "
                "server\n",
                CMD);
        return XS_EXIT_OK;
    }
    if (!out) {
        snprintf(def, sizeof def, "%s.xsm", db);
        out = def;
    }
    absolute(out, path, sizeof path);
    xs_model *m = NULL;
    xs_model_opts o = *mo;
    o.engine = take_engine(en);
    o.scores = take_scores(sc);
    o.out = out; /* written as the build goes */
    if (xs_store_identity_ensure(st, id, &e) < 0 ||
        xs_store_model_path_set(st, path, &e) < 0 ||
        xs_model_build_from(st, take_snapshot(snap), &o, &m, &e) < 0) {
        xs_model_free(m);
        return xs_cli_fail(CMD, &e);
    }
    const xs_model_info *in = xs_model_info_of(m);
    fprintf(stderr,
            "model stages: load %.1f s, mine %.1f s, scores %.1f s, engine %.1f s,"
            " targets %.1f s, write %.1f s\n",
            pre->load + in->t_load, in->t_mine, in->t_scores, pre->engine + in->t_engine,
            in->t_targets, in->t_write);
    /* on stderr: stdout stays the build's one line */
    fprintf(stderr, "model %s: %zu bytes\n", out, in->bytes);
    consent_hint(xs_model_summary(m));
    xs_model_free(m);
    return XS_EXIT_OK;
}
