/*
 * mine_io.h — the mined structures in a model file (src/base/mfile.h):
 * baskets ("bask."), frequently-bought-together ("tog."), association rules
 * ("rules.") and the personal ranking model (under a prefix its owner
 * chooses). Saving writes every field: scalars as one header section, each
 * array as its own section. Mapping points the arrays into the file, so it
 * costs O(items) at most (the item names are interned again: a few
 * thousand products, never per basket or per rule); the structures are
 * then read-only, and freeing them leaves the file's pages alone.
 *
 * Every map function returns XS_ENOTFOUND ("model.xsm: no section bask.hdr
 * (baskets not in the model)") when the file has no such structure, so a
 * model without e.g. orders still loads the rest, and XS_EPARSE naming the
 * section whose size is wrong.
 */
#ifndef XS_MINE_IO_H
#define XS_MINE_IO_H

#include "base/mfile.h"
#include "mine/rank.h"
#include "xsell.h"

/* Writes b (complete: no basket open). XS_OK, XS_EINVAL, XS_EIO. */
int xs__mine_baskets_save(const xs_baskets *b, xs__mfile_writer *w, xs_error *err);
/* Maps the baskets of f; caller frees with xs_baskets_free() before closing
 * f. Mapped baskets refuse new items (XS_EINVAL). XS_OK, XS_ENOTFOUND,
 * XS_EPARSE, XS_ENOMEM. */
int xs__mine_baskets_map(const xs__mfile *f, xs_baskets **out, xs_error *err);

/* Writes t. XS_OK, XS_EINVAL, XS_EIO. */
int xs__mine_together_save(const xs_together *t, xs__mfile_writer *w, xs_error *err);
/* Maps the together model of f; b: the baskets it was built on (the item
 * names come from them; borrowed for the call only). Caller frees with
 * xs_together_free() before closing f. XS_OK, XS_ENOTFOUND, XS_EPARSE
 * (also: b has other items), XS_ENOMEM. */
int xs__mine_together_map(const xs__mfile *f, const xs_baskets *b, xs_together **out,
                          xs_error *err);

/* Writes r. XS_OK, XS_EINVAL, XS_EIO. */
int xs__mine_rules_save(const xs_rules *r, xs__mfile_writer *w, xs_error *err);
/* Maps the rules of f, mined on b (checked: the same number of baskets;
 * borrowed for the call only). Caller frees with xs_rules_free() before
 * closing f. XS_OK, XS_ENOTFOUND, XS_EPARSE, XS_ENOMEM. */
int xs__mine_rules_map(const xs__mfile *f, const xs_baskets *b, xs_rules **out,
                       xs_error *err);

/* The ranking model m as sections "<prefix>.*" (rank_io.c). XS_OK,
 * XS_EINVAL, XS_EIO. */
int xs__mine_rank_model_save(const xs__mine_rank_model *m, xs__mfile_writer *w,
                             const char *prefix, xs_error *err);
/* Maps the ranking model saved under prefix; caller frees with
 * xs__mine_rank_model_free() before closing f. XS_OK, XS_ENOTFOUND, XS_EPARSE,
 * XS_ENOMEM. */
int xs__mine_rank_model_map(const xs__mfile *f, const char *prefix,
                            xs__mine_rank_model **out, xs_error *err);

#endif
