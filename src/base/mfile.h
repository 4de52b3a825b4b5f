/*
 * mfile.h — the container of a model file: named sections of bytes, each
 * 64-byte aligned, behind a header and a section table, with one checksum
 * over everything, designed to be memory-mapped.
 *
 * A module that puts something in a model file writes each of its arrays as
 * one section (`xs__mfile_put`) and, on loading, points its arrays straight
 * into the mapping (`xs__mfile_need` / `xs__mfile_get`): loading a model is
 * mapping it and checking header, table and checksum, never parsing rows.
 * Section names are short paths owned by one module each ("snap.cust.signup",
 * "engine.health", "tog.off"); scalars of a module go in one small struct
 * section of its own ("snap.hdr").
 *
 * Layout (little-endian, the only byte order written and read):
 *   header (192 bytes): magic "XSELLMDL", format version, header size,
 *     flags, file size, section count, offset of the section table,
 *     the checksum (XXH3-64 of the header with this field zeroed, seeded
 *     with a hash of every byte after the header, piece by piece: see
 *     mfile.c), the
 *     caller's meta (xs__mfile_meta: store id, build time, as-of day,
 *     xsell version, data version)
 *   section data, each at a multiple of 64 bytes
 *   section table: per section its name (32 bytes, NUL-padded), offset,
 *     size (bytes)
 *
 * Errors name the file and what is wrong ("model.xsm: not an xsell model
 * file", "model.xsm: truncated: 4096 of 81920 bytes", "model.xsm: checksum
 * mismatch (the file is corrupted)", "model.xsm: format version 3, this
 * xsell reads version 2: run 'xsell build' again", "model.xsm: section
 * snap.cust.signup: 12 bytes, expected 16").
 */
#ifndef XS_MFILE_H
#define XS_MFILE_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>

#define XS__MFILE_VERSION 2 /* bumped whenever any section's layout changes */
#define XS__MFILE_NAME_MAX 32 /* section name bytes, NUL included */

/* What a model file says about where it comes from (stored in the header). */
typedef struct xs__mfile_meta {
    char store_id[40];     /* the store's id (meta store_id), "" unknown */
    char as_of[11];        /* the build's as-of day, YYYY-MM-DD */
    char built_at[21];     /* UTC time of the build, YYYY-MM-DDTHH:MM:SSZ */
    char xsell_version[16];/* XS_VERSION of the writer */
    uint64_t data_version; /* the store's data version at build time */
} xs__mfile_meta;

/* ---- writing ---------------------------------------------------------- */

typedef struct xs__mfile_writer xs__mfile_writer;

/*
 * Starts a model file at path: writes go to a temporary file beside it
 * ("path.tmp-PID"), which xs__mfile_commit renames over path, so a reader
 * never sees a half-written model and a failed build leaves the old one.
 * Returns XS_OK, XS_EIO or XS_ENOMEM.
 */
int xs__mfile_create(xs__mfile_writer **out, const char *path, xs_error *err);

/*
 * Appends one section (bytes copied to the file at once; data may be NULL
 * when bytes is 0). name: at most XS__MFILE_NAME_MAX - 1 bytes, unique in
 * the file. Returns XS_OK, XS_EINVAL (bad or duplicate name), XS_EIO.
 */
int xs__mfile_put(xs__mfile_writer *w, const char *name, const void *data, size_t bytes,
                  xs_error *err);

/* Makes the sections written so far durable (fdatasync), so that the
 * commit's sync waits only for what follows: a writer that puts most of
 * its bytes early calls it on its own thread. Returns XS_OK or XS_EIO. */
int xs__mfile_sync(xs__mfile_writer *w, xs_error *err);

/* Writes table, header and checksum, fsyncs and renames into place.
 * Frees w whatever happens. Returns XS_OK or XS_EIO. */
int xs__mfile_commit(xs__mfile_writer *w, const xs__mfile_meta *meta, xs_error *err);

/* Drops a file being written (removes the temporary file); NULL is fine. */
void xs__mfile_abort(xs__mfile_writer *w);

/* ---- reading ---------------------------------------------------------- */

typedef struct xs__mfile xs__mfile;

/*
 * Maps a model file read-only (MAP_SHARED: replicas on the same file share
 * its pages) and checks magic, version, sizes, the section table and the
 * checksum. Returns XS_OK, XS_ENOTFOUND (no such file), XS_EIO, XS_ESCHEMA
 * (another format version) or XS_EPARSE (not a model file, truncated,
 * corrupted), with the messages above.
 */
int xs__mfile_open(xs__mfile **out, const char *path, xs_error *err);

/* Unmaps; NULL is fine. Pointers from get/need die with it. */
void xs__mfile_close(xs__mfile *f);

/* The header's meta and the file's path and size. */
const xs__mfile_meta *xs__mfile_meta_of(const xs__mfile *f);
const char *xs__mfile_path(const xs__mfile *f);
size_t xs__mfile_size(const xs__mfile *f);

/*
 * A section as an array of n elements of `elem` bytes: NULL with *n = 0
 * when the file has no such section. (64-byte aligned in the mapping.)
 * Returns XS_EPARSE through xs__mfile_need when the size is not a multiple.
 */
const void *xs__mfile_get(const xs__mfile *f, const char *name, size_t elem, size_t *n);

/*
 * A section that must exist with exactly n elements of `elem` bytes
 * (n == SIZE_MAX: any multiple of elem, count not checked). Sets *out.
 * Returns XS_OK or XS_EPARSE ("model.xsm: section NAME: missing" /
 * ": 12 bytes, expected 16").
 */
int xs__mfile_need(const xs__mfile *f, const char *name, size_t elem, size_t n,
                   const void **out, xs_error *err);

#endif
