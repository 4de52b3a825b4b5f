/*
 * shard.c — `xsell build --shard i/N` (xs_model_build_shard): loads the
 * store's snapshot, keeps the customers of shard i with all their rows
 * (src/snapshot/snapshot_shard.c), reads the anonymous order lines of the
 * order ids of shard i, the store's experiments and the churn model
 * attached to its build, and writes them as a part file (part_file.c).
 */
#include "model/part.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/progress.h"
#include "snapshot/snapshot_shard.h"

#include <string.h>
#include <sys/stat.h>

/* Contract in xsell.h. */
int xs_model_build_shard(xs_store *st, uint32_t shard, uint32_t n_shards,
                         const char *path, xs_model_shard_info *info, xs_error *err)
{
    xs_model_shard_info dummy;
    if (!info) info = &dummy;
    memset(info, 0, sizeof *info);
    if (n_shards < 1 || shard >= n_shards)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                             "shard %u of %u: the shard must be 0 to N-1", shard,
                             n_shards);
    char id[40], sha[65];
    uint64_t dv = 0;
    xs_error e = {0};
    xs_snapshot *full = NULL, *part = NULL;
    xs_experiment *exp = NULL;
    char *cname = NULL, *ctext = NULL;
    size_t clen = 0;
    xs__snapshot_anon_lines anon = {0};
    /* the id first, as a build gives it: the data version read after it is
     * the one the part matches */
    if (xs_store_identity_ensure(st, id, &e) < 0) id[0] = '\0';
    int rc = xs_store_identity(st, id, &dv, err);
    if (rc < 0) return rc;
    double t0 = xs__now();
    if ((rc = xs_snapshot_load(st, &full, err)) < 0) goto done;
    if ((rc = xs__snapshot_anon_lines_load(st, shard, n_shards, &anon, err)) < 0)
        goto done;
    long n_exp = xs_store_experiments(st, &exp, err);
    if (n_exp < 0) {
        rc = (int)n_exp;
        goto done;
    }
    int has_churn = xs_store_build_churn_get(st, &cname, sha, &ctext, &clen, err);
    if (has_churn < 0) {
        rc = has_churn;
        goto done;
    }
    info->t_load = xs__now() - t0;
    t0 = xs__now();
    rc = xs__snapshot_shard(full, shard, n_shards, &part, err);
    xs_snapshot_free(full);
    full = NULL;
    if (rc < 0) goto done;
    info->t_cut = xs__now() - t0;
    t0 = xs__now();
    xs__model_part_in in = {
        shard, n_shards, part, &anon, exp, (size_t)n_exp, has_churn ? cname : NULL,
        ctext, clen,     id,   dv};
    if ((rc = xs__model_part_write(path, &in, err)) < 0) goto done;
    info->t_write = xs__now() - t0;
    info->n_customers = part->cust.n;
    info->n_orders = part->ord.n;
    info->n_lines = part->ord.n_lines;
    info->n_anon_lines = anon.n;
    struct stat sb;
    if (stat(path, &sb) == 0) info->bytes = (size_t)sb.st_size;
done:
    xs_snapshot_free(full);
    xs_snapshot_free(part);
    xs__snapshot_anon_lines_free(&anon);
    xs_store_experiments_free(exp);
    xs_store_build_free(cname);
    xs_store_build_free(ctext);
    return rc;
}
