/*
 * part_file.c — writing and opening the part file of a shard build (the
 * layout in part.h): the shard's snapshot through snapshot_io.c, the rest
 * as sections of its own under "part.".
 */
#include "model/part.h"
#include "base/date.h"

#include "base/alloc.h"
#include "base/error.h"
#include "snapshot/snapshot_io.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The scalars of a part, as stored. */
typedef struct part_hdr {
    uint32_t shard, n_shards;
    uint32_t has_churn, exp_size; /* exp_size: sizeof(xs_experiment) of the writer */
    uint64_t n_exp, n_anon, n_anon_chars, churn_len, churn_name_len;
} part_hdr;

/* Contract in part.h. */
int xs__model_part_write(const char *path, const xs__model_part_in *in, xs_error *err)
{
    part_hdr h;
    memset(&h, 0, sizeof h);
    h.shard = in->shard;
    h.n_shards = in->n_shards;
    h.has_churn = in->churn_name != NULL;
    h.exp_size = (uint32_t)sizeof(xs_experiment);
    h.n_exp = in->n_exp;
    h.n_anon = in->anon->n;
    h.n_anon_chars = in->anon->n_chars;
    h.churn_len = in->churn_name ? in->churn_len : 0;
    h.churn_name_len = in->churn_name ? strlen(in->churn_name) : 0;
    xs__mfile_writer *w = NULL;
    int rc = xs__mfile_create(&w, path, err);
    if (rc < 0) return rc;
    if ((rc = xs__mfile_put(w, "part.hdr", &h, sizeof h, err)) < 0 ||
        (rc = xs__mfile_put(w, "part.exp", in->exp, in->n_exp * sizeof *in->exp, err)) <
            0 ||
        (rc = xs__mfile_put(w, "part.anon.off", in->anon->off,
                            in->anon->n * sizeof *in->anon->off, err)) < 0 ||
        (rc = xs__mfile_put(w, "part.anon.chars", in->anon->chars, in->anon->n_chars,
                            err)) < 0 ||
        (in->churn_name && ((rc = xs__mfile_put(w, "part.churn.name", in->churn_name,
                                                h.churn_name_len + 1, err)) < 0 ||
                            (rc = xs__mfile_put(w, "part.churn.text", in->churn_text,
                                                in->churn_len + 1, err)) < 0)) ||
        (rc = xs__snapshot_save(in->snap, w, err)) < 0) {
        xs__mfile_abort(w);
        return rc;
    }
    xs__mfile_meta meta;
    memset(&meta, 0, sizeof meta);
    snprintf(meta.store_id, sizeof meta.store_id, "%s", in->store_id);
    xs__utc_now(meta.built_at);
    snprintf(meta.xsell_version, sizeof meta.xsell_version, "%s", XS_VERSION);
    meta.data_version = in->data_version;
    return xs__mfile_commit(w, &meta, err);
}

/* A section of exactly n elements (NULL when n is 0 and the section is empty). */
static int need(const xs__model_part *p, const char *name, size_t elem, size_t n,
                const void **out, xs_error *err)
{
    return xs__mfile_need(p->f, name, elem, n, out, err);
}

static int corrupt(const xs__model_part *p, const char *what, xs_error *err)
{
    return xs__error_set(err, XS_EPARSE, p->path, 0, NULL, "%s (the file is corrupted)",
                         what);
}

/* Contract in part.h. */
int xs__model_part_open(const char *path, xs__model_part *p, xs_error *err)
{
    memset(p, 0, sizeof *p);
    p->path = path;
    int rc = xs__mfile_open(&p->f, path, err);
    if (rc < 0) return rc;
    size_t n;
    const part_hdr *h = xs__mfile_get(p->f, "part.hdr", sizeof *h, &n);
    if (!h || n != 1) {
        if (xs__mfile_get(p->f, "model.hdr", 1, &n))
            return xs__error_cond(err, XS_COND_MODEL_NOT_PART,
                                  xs__error_set(err, XS_EINVAL, path, 0, NULL,
                                                "a model file, not a build part"));
        return xs__error_set(err, XS_EINVAL, path, 0, NULL, "not a build part");
    }
    if (h->exp_size != sizeof(xs_experiment))
        return corrupt(p, "part.hdr: experiment size", err);
    if (h->n_shards < 1 || h->n_shards > 65536 || h->shard >= h->n_shards)
        return corrupt(p, "part.hdr: shard numbers", err);
    p->shard = h->shard;
    p->n_shards = h->n_shards;
    const void *v;
    if ((rc = need(p, "part.exp", sizeof(xs_experiment), (size_t)h->n_exp, &v, err)) < 0)
        return rc;
    p->exp = v;
    p->n_exp = (size_t)h->n_exp;
    if ((rc = need(p, "part.anon.off", 8, (size_t)h->n_anon, &v, err)) < 0) return rc;
    p->anon.off = (uint64_t *)v;
    if ((rc = need(p, "part.anon.chars", 1, (size_t)h->n_anon_chars, &v, err)) < 0)
        return rc;
    p->anon.chars = (char *)v;
    p->anon.n = (size_t)h->n_anon;
    p->anon.n_chars = (size_t)h->n_anon_chars;
    p->anon.mapped = 1;
    /* every line is two NUL-terminated strings inside the pool */
    if (p->anon.n_chars && p->anon.chars[p->anon.n_chars - 1] != '\0')
        return corrupt(p, "part.anon.chars: unterminated", err);
    for (size_t i = 0; i < p->anon.n; i++) {
        uint64_t o = p->anon.off[i];
        const char *z = o < p->anon.n_chars
                            ? memchr(p->anon.chars + o, '\0', p->anon.n_chars - (size_t)o)
                            : NULL;
        if (!z || z + 1 >= p->anon.chars + p->anon.n_chars)
            return corrupt(p, "part.anon.off: outside the pool", err);
    }
    if (h->has_churn) {
        if ((rc = need(p, "part.churn.name", 1, (size_t)h->churn_name_len + 1, &v, err)) <
            0)
            return rc;
        p->churn_name = v;
        if (p->churn_name[h->churn_name_len] != '\0')
            return corrupt(p, "part.churn.name: unterminated", err);
        if ((rc = need(p, "part.churn.text", 1, (size_t)h->churn_len + 1, &v, err)) < 0)
            return rc;
        p->churn_text = v;
        if (p->churn_text[h->churn_len] != '\0')
            return corrupt(p, "part.churn.text: unterminated", err);
        p->churn_len = (size_t)h->churn_len;
    }
    if ((rc = xs__snapshot_map(p->f, &p->snap, err)) < 0) return rc;
    const xs__mfile_meta *meta = xs__mfile_meta_of(p->f);
    memcpy(p->store_id, meta->store_id, sizeof p->store_id);
    p->store_id[sizeof p->store_id - 1] = '\0';
    p->data_version = meta->data_version;
    return XS_OK;
}

/* Contract in part.h. */
void xs__model_part_close(xs__model_part *p)
{
    if (!p) return;
    xs_snapshot_free(p->snap);
    xs__mfile_close(p->f);
    memset(p, 0, sizeof *p);
}
