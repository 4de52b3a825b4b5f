/*
 * mfile_arr.c — arrays of a struct in a model file: section names, exact
 * sizes, presence masks (see mfile_arr.h).
 */
#include "base/mfile_arr.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

/* What a 0-element array points at: never written, 64-byte aligned like
 * a section. */
static const _Alignas(64) unsigned char zero_block[64];

const void *xs__marr_ptr(const void *obj, size_t field)
{
    const void *p;
    memcpy(&p, (const char *)obj + field, sizeof p);
    return p;
}

void xs__marr_set(void *obj, size_t field, const void *p)
{
    memcpy((char *)obj + field, &p, sizeof p);
}

int xs__marr_name(char *buf, const char *prefix, const char *name, xs_error *err)
{
    int k = snprintf(buf, XS__MFILE_NAME_MAX, "%s.%s", prefix, name);
    if (k < 0 || k >= XS__MFILE_NAME_MAX)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                             "section name too long: %s.%s", prefix, name);
    return XS_OK;
}

size_t xs__marr_mul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

int xs__marr_put(xs__mfile_writer *w, const char *prefix, const char *name, const void *p,
                 size_t elem, size_t n, xs_error *err)
{
    char sec[XS__MFILE_NAME_MAX];
    int rc = xs__marr_name(sec, prefix, name, err);
    if (rc < 0) return rc;
    return xs__mfile_put(w, sec, n ? p : NULL, elem * n, err);
}

int xs__marr_need(const xs__mfile *f, const char *prefix, const char *name, size_t elem,
                  size_t n, const void **out, xs_error *err)
{
    char sec[XS__MFILE_NAME_MAX];
    *out = NULL;
    int rc = xs__marr_name(sec, prefix, name, err);
    if (rc < 0) return XS_EPARSE;
    if (n == SIZE_MAX)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section %s: sizes in the header do not add up", sec);
    const void *p = NULL;
    if ((rc = xs__mfile_need(f, sec, elem, n, &p, err)) < 0) return rc;
    *out = n ? p : zero_block;
    return XS_OK;
}

int xs__marr_hdr(const xs__mfile *f, const char *prefix, size_t bytes, const char *what,
                 const void **out, xs_error *err)
{
    char sec[XS__MFILE_NAME_MAX];
    size_t n = 0;
    *out = NULL;
    if (xs__marr_name(sec, prefix, "hdr", err) < 0) return XS_EPARSE;
    if (!xs__mfile_get(f, sec, 1, &n))
        return xs__error_set(err, XS_ENOTFOUND, xs__mfile_path(f), 0, NULL,
                             "no section %s (%s not in the model)", sec, what);
    return xs__mfile_need(f, sec, bytes, 1, out, err);
}

int xs__marr_save_all(xs__mfile_writer *w, const char *prefix, const xs__marr *t, int n,
                      const void *obj, xs__marr_count_fn count, uint64_t *present,
                      xs_error *err)
{
    *present = 0;
    for (int i = 0; i < n && i < 64; i++) {
        const void *p = xs__marr_ptr(obj, t[i].field);
        if (!p) continue;
        size_t k = count(obj, i);
        if (k == SIZE_MAX)
            return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                                 "%s.%s: sizes do not add up", prefix, t[i].name);
        int rc = xs__marr_put(w, prefix, t[i].name, p, t[i].elem, k, err);
        if (rc < 0) return rc;
        *present |= (uint64_t)1 << i;
    }
    return XS_OK;
}

void xs__marr_clear(void *obj, const xs__marr *t, int n)
{
    for (int i = 0; i < n; i++)
        xs__marr_set(obj, t[i].field, NULL);
}

int xs__marr_map_all(const xs__mfile *f, const char *prefix, const xs__marr *t, int n,
                     void *obj, xs__marr_count_fn count, uint64_t present, xs_error *err)
{
    xs__marr_clear(obj, t, n);
    if (n < 64 && present >> n)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section %s.hdr: unknown arrays", prefix);
    for (int i = 0; i < n && i < 64; i++) {
        if (!(present >> i & 1)) continue;
        const void *p = NULL;
        int rc = xs__marr_need(f, prefix, t[i].name, t[i].elem, count(obj, i), &p, err);
        if (rc < 0) {
            xs__marr_clear(obj, t, n);
            return rc;
        }
        xs__marr_set(obj, t[i].field, p);
    }
    return XS_OK;
}
