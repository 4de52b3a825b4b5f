/*
 * model_arg.c — "open the model or the store" for the readers (recommend,
 * rank, targets, customers, kpi): --model FILE maps a model file (checked
 * against --db when both are given); with only --db, the store's latest
 * model file (meta model_path) is used when it opens, belongs to the store
 * and was built at the store's current data version, else the store is
 * loaded as before. Readers asking for other settings than the model's get
 * an engine built on the model's snapshot (docs/model.md).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int xs_cli_src_open(const char *cmd, const char *db, const char *model, int writable,
                    xs_cli_src *src)
{
    xs_error e;
    memset(src, 0, sizeof *src);
    if (model && xs_model_open(model, &src->model, &e) < 0) return xs_cli_fail(cmd, &e);
    if (db) {
        if (!xs_store_exists(db)) {
            xs_cli_src_close(src);
            return xs_cli_no_store(cmd, db);
        }
        int rc = writable ? xs_store_open(&src->st, db, &e)
                          : xs_store_open_readonly(&src->st, db, &e);
        if (rc == XS_OK && src->model) rc = xs_model_check_store(src->model, src->st, &e);
        if (rc < 0) {
            xs_cli_src_close(src);
            return xs_cli_fail(cmd, &e);
        }
        if (!src->model && xs_model_open_current(src->st, &src->model, &e) < 0) {
            xs_cli_src_close(src);
            return xs_cli_fail(cmd, &e);
        }
    }
    if (src->model) {
        src->s = xs_model_snapshot(src->model);
        return -1;
    }
    if (xs_snapshot_load(src->st, &src->snap, &e) < 0) {
        xs_cli_src_close(src);
        return xs_cli_fail(cmd, &e);
    }
    src->s = src->snap;
    return -1;
}

void xs_cli_src_close(xs_cli_src *src)
{
    xs_model_free(src->model);
    xs_snapshot_free(src->snap);
    xs_store_close(src->st);
    memset(src, 0, sizeof *src);
}

void xs_cli_src_note(const char *cmd, xs_cli_src *src, const char *what)
{
    if (src->noted || !src->model) return;
    src->noted = 1;
    const char *path = xs_model_info_of(src->model)->path;
    fprintf(stderr, "xsell %s: the model %s was built %s: %s\n", cmd, path ? path : "",
            "with other settings or as of another day", what);
}

int xs_cli_src_engine(const char *cmd, xs_cli_src *src, const xs_offer_config *cfg,
                      const char *as_of, xs_offer_engine **en, int *owned)
{
    xs_error e;
    *en = NULL;
    *owned = 0;
    if (src->model && xs_model_engine_fits(src->model, cfg, as_of)) {
        *en = xs_model_engine(src->model);
        return -1;
    }
    if (src->model && xs_model_engine(src->model))
        xs_cli_src_note(cmd, src, src->st ? "deciding with the store's build on its snapshot"
                                          : "deciding with an engine fitted on its snapshot");
    int rc = src->st ? xs_offer_engine_open(src->st, src->s, cfg, as_of, en, &e)
                     : xs_offer_engine_new(src->s, cfg, as_of, en, &e);
    if (rc < 0) return xs_cli_fail(cmd, &e);
    *owned = 1;
    return -1;
}
