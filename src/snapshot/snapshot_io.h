/*
 * snapshot_io.h — a snapshot (src/snapshot/snapshot.h) in a model file: every
 * column, CSR index, dictionary, intern table and the text pool as sections
 * "snap.*", mapped back without copying or parsing a row.
 */
#ifndef XS_SNAPSHOT_IO_H
#define XS_SNAPSHOT_IO_H

#include "base/mfile.h"
#include "snapshot/snapshot.h"

/*
 * Writes s into w as section "snap.hdr" (scalars and which arrays exist)
 * and one section per array. Returns XS_OK, XS_EINVAL, XS_EIO or XS_ENOMEM.
 */
int xs__snapshot_save(const xs_snapshot *s, xs__mfile_writer *w, xs_error *err);

/*
 * A snapshot whose arrays point into f (which must outlive it; the arrays
 * are read-only, s->mapped is 1). Checks every section's size against the
 * header's counts; no per-row work. Caller frees with xs_snapshot_free()
 * (which then frees only what this allocated). Returns XS_OK, XS_ENOTFOUND
 * (no "snap.hdr": the model holds no snapshot), XS_EPARSE (a section
 * missing or of the wrong size), XS_ENOMEM.
 */
int xs__snapshot_map(const xs__mfile *f, xs_snapshot **out, xs_error *err);

#endif
