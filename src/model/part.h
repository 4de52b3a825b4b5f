/*
 * part.h — the part file of a shard build (part_file.c): what `xsell build
 * --shard i/N` writes (shard.c) and `xsell build --merge` reads (merge.c).
 *
 * The same container as a model (src/base/mfile.h: header with the store's
 * id and data version, checksummed sections), told apart by its sections:
 * a part has "part.hdr" (shard i of N, counts) and never "model.hdr", so a
 * part is refused where a model is read and the other way round. Sections:
 * "part.hdr"; the shard's snapshot "snap.*" (src/snapshot/snapshot_io.c);
 * the anonymous order lines of the shard's order ids "part.anon.off" and
 * "part.anon.chars" (src/snapshot/anon_lines.h); the store's experiments
 * "part.exp" (xs_experiment rows); the churn model attached to the
 * store's build "part.churn.name" and "part.churn.text" (NUL-terminated).
 */
#ifndef XS_MODEL_PART_H
#define XS_MODEL_PART_H

#include "xsell.h"

#include "base/mfile.h"
#include "snapshot/anon_lines.h"

/* A part file, opened (every pointer into its mapping). */
typedef struct xs__model_part {
    xs__mfile *f;
    const char *path;
    uint32_t shard, n_shards;
    xs_snapshot *snap; /* mapped: read-only */
    xs__snapshot_anon_lines anon;
    const xs_experiment *exp;
    size_t n_exp;
    const char *churn_name; /* NULL: no churn model attached */
    const char *churn_text;
    size_t churn_len;
    char store_id[40];
    uint64_t data_version;
} xs__model_part;

/* What a shard build writes into its part (borrowed). */
typedef struct xs__model_part_in {
    uint32_t shard, n_shards;
    const xs_snapshot *snap;
    const xs__snapshot_anon_lines *anon;
    const xs_experiment *exp;
    size_t n_exp;
    const char *churn_name, *churn_text; /* churn_name NULL: none */
    size_t churn_len;
    const char *store_id;
    uint64_t data_version;
} xs__model_part_in;

/* Writes a part file (temporary file renamed into place). Returns XS_OK,
 * XS_EIO, XS_ENOMEM, XS_EINVAL. */
int xs__model_part_write(const char *path, const xs__model_part_in *in, xs_error *err);

/* Opens a part: the container's errors (no such file, not an xsell file,
 * checksum ...), then "PATH: a model file, not a build part (parts are
 * written by 'xsell build --shard')" or "PATH: not a build part" (XS_EINVAL),
 * or a section's size. Caller closes with xs__model_part_close (also after a
 * failure). */
int xs__model_part_open(const char *path, xs__model_part *p, xs_error *err);
void xs__model_part_close(xs__model_part *p);

#endif
