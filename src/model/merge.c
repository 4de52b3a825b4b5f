/*
 * merge.c — `xsell build --merge` (xs_model_merge): opens the N part files
 * of a shard build (part_file.c), checks that they are the N shards of one
 * store at one data version, each once, reassembles the snapshot
 * (src/snapshot/snapshot_shard.c) and the order baskets (merge_baskets.c),
 * and runs the steps of a build after the load (xs__model_finish in
 * model.c) with the engine fitted and opened as `xsell build` fits, stores
 * and opens its build (xs__model_engine_of_ref: the fitted engine itself,
 * unless a churn model must be part of it).
 */
#include "model/merge_baskets.h"
#include "base/date.h"
#include "model/model_int.h"
#include "model/part.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/progress.h"
#include "offer/offer_int.h"
#include "snapshot/snapshot_shard.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Contract in model_int.h. */
int xs__model_engine_of_ref(xs_model *m, const xs__model_ref *ref, const xs_model_opts *o,
                            xs_error *err)
{
    xs_offer_engine *fit = NULL;
    char day[11];
    /* what xs_offer_build stores: the propensity model fitted on the
     * snapshot, as text, with its day */
    int rc = xs_offer_engine_new(m->snap, o->cfg, o->as_of, &fit, err);
    if (rc < 0) return rc;
    char *text = xs__offer_model_text(fit);
    xs_offer_engine_as_of(fit, day);
    if (!text) {
        xs_offer_engine_free(fit);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    if (!ref->churn_name) {
        /* the fitted engine becomes the opened one, as `xsell build` does
         * (xs_offer_build_open): not made a second time */
        rc = xs__offer_engine_as_built(fit, day, text, ref->exp, ref->n_exp, err);
        if (rc == XS_OK) m->en = fit, fit = NULL;
    } else {
        /* an engine is created with its churn model: open one on the build */
        xs__offer_churn_file cf = {ref->churn_name, ref->churn_text, ref->churn_len};
        rc = xs__offer_engine_open_with(m->snap, o->cfg, o->as_of, day, text, &cf, ref->exp,
                                        ref->n_exp, &m->en, err);
    }
    xs_offer_engine_free(fit);
    xs__free(text);
    return rc;
}

/* Opens and checks the parts into *out (*n_out of them, the number of
 * shards): (*out)[s] is shard s. */
static int open_parts(const char *const *paths, size_t n, xs__model_part **out,
                      size_t *n_out, xs_error *err)
{
    int rc;
    xs__model_part p, *parts = NULL;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        if ((rc = xs__model_part_open(paths[k], &p, err)) < 0) goto fail;
        if (!parts) {
            m = p.n_shards;
            if (!(parts = xs__calloc(m, sizeof *parts))) {
                rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
                goto fail;
            }
            *out = parts;
            *n_out = m;
            parts[p.shard] = p;
            continue;
        }
        const xs__model_part *first = NULL;
        for (size_t j = 0; !first; j++)
            if (parts[j].f) first = &parts[j];
        if (p.n_shards != first->n_shards)
            rc = xs__error_set(err, XS_EINVAL, paths[k], 0, NULL,
                               "part %u/%u, but %s is a part of %u shards", p.shard,
                               p.n_shards, first->path, first->n_shards);
        else if (strcmp(p.store_id, first->store_id))
            rc = xs__error_set(err, XS_EINVAL, paths[k], 0, NULL,
                               "from another store (store id %s, %s's is %s)",
                               p.store_id[0] ? p.store_id : "none", first->path,
                               first->store_id[0] ? first->store_id : "none");
        else if (p.data_version != first->data_version)
            rc = xs__error_set(err, XS_EINVAL, paths[k], 0, NULL,
                               "store data version %llu, %s's is %llu (the store changed "
                               "between the shard builds: build every shard again)",
                               (unsigned long long)p.data_version, first->path,
                               (unsigned long long)first->data_version);
        else if (parts[p.shard].f)
            rc = xs__error_set(err, XS_EINVAL, paths[k], 0, NULL,
                               "part %u/%u given twice (also %s)", p.shard, p.n_shards,
                               parts[p.shard].path);
        if (rc < 0) goto fail;
        parts[p.shard] = p;
    }
    for (size_t s = 0; s < m; s++)
        if (!parts[s].f)
            return xs__error_set(
                err, XS_EINVAL, NULL, 0, NULL,
                "missing part %zu/%zu: a build of %zu shards needs all %zu "
                "parts, %zu given",
                s, m, m, m, n);
    return XS_OK;
fail:
    xs__model_part_close(&p);
    return rc;
}

/* Contract in xsell.h. */
int xs_model_merge(const char *const *paths, size_t n, const xs_model_opts *opts,
                   xs_model **out, xs_error *err)
{
    xs_model_opts defaults;
    if (!opts) {
        xs_model_opts_init(&defaults);
        opts = &defaults;
    }
    *out = NULL;
    if (n == 0)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no part files to merge");
    xs__model_part *parts = NULL;
    size_t n_parts = 0;
    const xs_snapshot **snaps = xs__calloc(n, sizeof *snaps);
    const char **names = xs__calloc(n, sizeof *names);
    const xs__snapshot_anon_lines **anon = xs__calloc(n, sizeof *anon);
    xs_model *m = xs__calloc(1, sizeof *m);
    xs_experiment *exp = NULL;
    char *cname = NULL, *ctext = NULL;
    int rc = XS_ENOMEM;
    if (!snaps || !names || !anon || !m) {
        rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    double t0 = xs__now();
    if ((rc = open_parts(paths, n, &parts, &n_parts, err)) < 0) goto done;
    for (size_t k = 0; k < n; k++) { /* n == n_parts: each shard once */
        snaps[k] = parts[k].snap;
        names[k] = parts[k].path;
        anon[k] = &parts[k].anon;
    }
    /* the store's reference rows, copied: the parts are closed before the
     * scores and the engine are built */
    const xs__model_part *p0 = &parts[0];
    xs__model_ref ref = {NULL, p0->n_exp, NULL, NULL, p0->churn_len};
    if (p0->n_exp && !(exp = xs__malloc(p0->n_exp * sizeof *exp))) goto nomem;
    if (p0->n_exp) memcpy(exp, p0->exp, p0->n_exp * sizeof *exp);
    if (p0->churn_name) {
        size_t ln = strlen(p0->churn_name);
        if (!(cname = xs__malloc(ln + 1)) || !(ctext = xs__malloc(p0->churn_len + 1)))
            goto nomem;
        memcpy(cname, p0->churn_name, ln + 1);
        memcpy(ctext, p0->churn_text, p0->churn_len + 1);
    }
    ref.exp = exp;
    ref.churn_name = cname;
    ref.churn_text = ctext;
    xs_model_info *in = &m->info;
    snprintf(in->store_id, sizeof in->store_id, "%s", p0->store_id);
    in->data_version = p0->data_version;
    in->as_of_given = opts->as_of != NULL;
    xs__utc_now(in->built_at);
    if ((rc = xs__snapshot_merge(snaps, n, names, &m->snap, err)) < 0 ||
        (rc = xs__model_baskets_of_orders(m->snap, anon, n, &m->baskets, err)) < 0)
        goto done;
    for (size_t k = 0; k < n_parts; k++)
        xs__model_part_close(&parts[k]);
    in->t_load = xs__now() - t0;
    if ((rc = xs__model_finish(m, NULL, &ref, opts, err)) < 0) goto done;
    *out = m;
    m = NULL;
    rc = XS_OK;
    goto done;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
done:
    if (parts)
        for (size_t k = 0; k < n_parts; k++)
            xs__model_part_close(&parts[k]);
    xs__free(parts);
    xs__free(snaps);
    xs__free(names);
    xs__free(anon);
    xs__free(exp);
    xs__free(cname);
    xs__free(ctext);
    xs_model_free(m);
    return rc;
}
