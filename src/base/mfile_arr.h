/*
 * mfile_arr.h — arrays of a struct in a model file (src/base/mfile.h): the
 * one way the modules that save themselves (scores, baskets, together,
 * rules, the ranking model, the offer engine) name, write, check and map
 * their arrays.
 *
 * A module writes its scalars as a struct section "<prefix>.hdr" holding a
 * presence mask (bit i: array i was not NULL) and each non-NULL array as
 * section "<prefix>.<name>". On loading, each present array must hold
 * exactly the element count the module computes from its scalars and the
 * arrays mapped before it; the pointer then goes straight into the mapping.
 * An array of 0 elements maps to a static zero block, never NULL, so code
 * that tests a pointer for "not built" sees it as built.
 */
#ifndef XS_MFILE_ARR_H
#define XS_MFILE_ARR_H

#include "base/mfile.h"

#include <stddef.h>
#include <stdint.h>

/* One array of a struct: its section name (after the prefix), the offset of
 * its pointer field in the struct and its element size. */
typedef struct xs__marr {
    const char *name;
    size_t field;
    size_t elem;
} xs__marr;

/* The pointer stored in field `field` of obj (read through memcpy: the
 * field may be a pointer of any object type). */
const void *xs__marr_ptr(const void *obj, size_t field);
/* Stores p in field `field` of obj. */
void xs__marr_set(void *obj, size_t field, const void *p);

/* "<prefix>.<name>" into buf (XS__MFILE_NAME_MAX bytes); XS_OK, or
 * XS_EINVAL when it does not fit. */
int xs__marr_name(char *buf, const char *prefix, const char *name, xs_error *err);

/* Writes n elements of elem bytes at p as section "<prefix>.<name>".
 * Returns XS_OK, XS_EINVAL, XS_EIO (xs__mfile_put). */
int xs__marr_put(xs__mfile_writer *w, const char *prefix, const char *name, const void *p,
                 size_t elem, size_t n, xs_error *err);

/* Points *out at section "<prefix>.<name>", which must hold exactly n
 * elements of elem bytes (a pointer to a static zero block when n is 0).
 * Returns XS_OK or XS_EPARSE ("model.xsm: section engine.health: 12 bytes,
 * expected 16", or "...: missing"). */
int xs__marr_need(const xs__mfile *f, const char *prefix, const char *name, size_t elem,
                  size_t n, const void **out, xs_error *err);

/* The header section "<prefix>.hdr" of `bytes` bytes: *out NULL and XS_ENOTFOUND
 * ("model.xsm: no section engine.hdr (WHAT not in the model)") when the
 * file has none, XS_EPARSE when its size differs, else XS_OK. */
int xs__marr_hdr(const xs__mfile *f, const char *prefix, size_t bytes, const char *what,
                 const void **out, xs_error *err);

/* Element count of array i of obj (its scalars and the arrays before i
 * are set); SIZE_MAX when they are inconsistent. */
typedef size_t (*xs__marr_count_fn)(const void *obj, int i);

/* Writes every non-NULL array t[0..n) of obj (at most 64) and sets bit i of
 * *present for each. Returns XS_OK, XS_EINVAL, XS_EIO. */
int xs__marr_save_all(xs__mfile_writer *w, const char *prefix, const xs__marr *t, int n,
                      const void *obj, xs__marr_count_fn count, uint64_t *present,
                      xs_error *err);

/* Sets every array field t[0..n) of obj, in order: into the mapping when
 * its bit of present is set (xs__marr_need with count(obj, i)), NULL
 * otherwise. Returns XS_OK or XS_EPARSE (the fields are then all NULL). */
int xs__marr_map_all(const xs__mfile *f, const char *prefix, const xs__marr *t, int n,
                     void *obj, xs__marr_count_fn count, uint64_t present, xs_error *err);

/* Sets every array field t[0..n) of obj to NULL (a header image holds no
 * addresses). */
void xs__marr_clear(void *obj, const xs__marr *t, int n);

/* An element count for a section that a corrupted header cannot turn into an
 * overflow: a * b, or SIZE_MAX when that overflows (no section has it). */
size_t xs__marr_mul(size_t a, size_t b);

#endif
