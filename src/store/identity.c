/*
 * identity.c — who a store is, for the model files built from it: its id
 * (meta store_id, a random 128-bit hex string given at the first build),
 * its data version (meta data_version, bumped by every committed write)
 * and the path of its latest model file (meta model_path). A reader checks
 * a model against these before trusting it (src/model/model_file.c).
 */
#include "store/store_int.h"

#include "base/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* Contract in xsell.h. */
int xs_store_identity(xs_store *st, char id[40], uint64_t *data_version, xs_error *err)
{
    char buf[64];
    id[0] = '\0';
    *data_version = 0;
    int rc = xs__store_meta_get(st, "store_id", id, 40, err);
    if (rc < 0) return rc;
    if ((rc = xs__store_meta_get(st, "data_version", buf, sizeof buf, err)) < 0) return rc;
    if (rc == 1) *data_version = strtoull(buf, NULL, 10);
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_store_identity_ensure(xs_store *st, char id[40], xs_error *err)
{
    int rc = xs__store_meta_get(st, "store_id", id, 40, err);
    if (rc < 0) return rc;
    if (rc == 1 && id[0]) return XS_OK;
    unsigned char r[16];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t k = getrandom(r + got, sizeof r - got, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0)
            return xs__error_set(err, XS_EIO, st->path, 0, NULL,
                                 "no random bytes for the store id: %s", strerror(errno));
        got += (size_t)k;
    }
    for (size_t i = 0; i < sizeof r; i++) snprintf(id + 2 * i, 3, "%02x", r[i]);
    return xs__store_meta_set(st, "store_id", id, err);
}

/* Contract in xsell.h. */
int xs_store_model_path(xs_store *st, char *buf, size_t n, xs_error *err)
{
    int rc = xs__store_meta_get(st, "model_path", buf, n, err);
    if (rc == 1 && !buf[0]) rc = 0;
    return rc;
}

/* Contract in xsell.h. */
int xs_store_model_path_set(xs_store *st, const char *path, xs_error *err)
{
    return xs__store_meta_set(st, "model_path", path, err);
}
