/*
 * cmd_build_shard.c — `xsell build --shard I/N` (the part file of one
 * customer shard, xs_model_build_shard) and `xsell build --merge` (the
 * model of the N parts, xs_model_merge); docs/model.md, "Build by shard".
 */
#include "cli/build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD XS_CLI_BUILD

/* Contract in build.h. */
int xs_cli_build_parse_shard(const char *spec, uint32_t *i, uint32_t *n)
{
    const char *slash = strchr(spec, '/');
    char num[32];
    long vi, vn;
    if (!slash || slash == spec || !slash[1] || (size_t)(slash - spec) >= sizeof num ||
        strspn(spec, "0123456789") != (size_t)(slash - spec) ||
        strspn(slash + 1, "0123456789") != strlen(slash + 1) || strlen(slash + 1) > 9) {
        xs_cli_usage_error(CMD, "--shard: not I/N (shard I of N, 0 <= I < N): \"%s\"",
                           spec);
        return XS_EXIT_USAGE;
    }
    memcpy(num, spec, (size_t)(slash - spec));
    num[slash - spec] = '\0';
    vi = strlen(num) > 9 ? 1000000000L : strtol(num, NULL, 10);
    vn = strtol(slash + 1, NULL, 10);
    if (vn < 1 || vn > 65536) {
        xs_cli_usage_error(CMD, "--shard: N: %ld is out of range [1, 65536]: \"%s\"", vn,
                           spec);
        return XS_EXIT_USAGE;
    }
    if (vi >= vn) {
        xs_cli_usage_error(CMD, "--shard: I: %ld is out of range [0, %ld]: \"%s\"", vi,
                           vn - 1, spec);
        return XS_EXIT_USAGE;
    }
    *i = (uint32_t)vi;
    *n = (uint32_t)vn;
    return 0;
}

/* `xsell build --db FILE --shard I/N --out PART`. */
int xs_cli_build_shard(const char *db, uint32_t i, uint32_t n, const char *out)
{
    xs_store *st = NULL;
    xs_error e;
    xs_model_shard_info in;
    int ex = XS_EXIT_OK;
    if (xs_store_open(&st, db, &e) < 0 ||
        xs_model_build_shard(st, i, n, out, &in, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
    } else {
        fprintf(stderr, "shard stages: load %.1f s, cut %.1f s, write %.1f s\n",
                in.t_load, in.t_cut, in.t_write);
        printf(
            "part %u/%u of %s: %zu customers, %zu orders (%zu lines), %zu anonymous order"
            " lines: %s (%zu bytes)\n",
            i, n, db, in.n_customers, in.n_orders, in.n_lines, in.n_anon_lines, out,
            in.bytes);
    }
    xs_store_close(st);
    return ex;
}

/* `xsell build --merge --out MODEL PART...`. */
int xs_cli_build_merge(const char *const *parts, size_t n, const char *out,
                       const xs_model_opts *mo)
{
    xs_model *m = NULL;
    xs_error e;
    if (xs_model_merge(parts, n, mo, &m, &e) < 0 || xs_model_save(m, out, &e) < 0) {
        xs_model_free(m);
        return xs_cli_fail(CMD, &e);
    }
    const xs_model_info *in = xs_model_info_of(m);
    fprintf(stderr,
            "model stages: merge %.1f s, mine %.1f s, scores %.1f s, engine %.1f s,"
            " targets %.1f s\n",
            in->t_load, in->t_mine, in->t_scores, in->t_engine, in->t_targets);
    const xs_snapshot *s = xs_model_snapshot(m);
    size_t nc = xs_snapshot_count(s, XS_SNAP_CUSTOMERS);
    xs_model_free(m);
    xs_model *check = NULL;
    if (xs_model_open(out, &check, &e) < 0) return xs_cli_fail(CMD, &e);
    printf("merged %zu parts into %s: %zu customers, %zu bytes\n", n, out, nc,
           xs_model_info_of(check)->bytes);
    xs_model_free(check);
    return XS_EXIT_OK;
}
