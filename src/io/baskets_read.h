/*
 * baskets_read.h — FIMI and basket-CSV readers producing xs_baskets.
 *
 * Both formats hold one basket per line. FIMI lines are item numbers
 * separated by blanks (the FIMI repository's format; lines may end with a
 * blank); basket CSV lines are item names separated by commas, with RFC 4180
 * quotes for names that contain commas or quotes. The whole file is read
 * with one read(2) loop into a buffer and parsed by hand: at the speed of the
 * miners, reading is a large part of the run.
 */
#ifndef XS_BASKETS_READ_H
#define XS_BASKETS_READ_H

#include "xsell.h"
#include "mine/baskets.h"

#include <stddef.h>

/*
 * Parses buf[0..len) in format fmt, appending baskets to b (initialised by
 * the caller). `file` names the input in error messages (NULL: "<input>").
 * Returns XS_OK, XS_EPARSE (err: FILE:LINE: message with the offending
 * token) or XS_ENOMEM. On failure b holds a partial result the caller frees.
 */
int xs__io_baskets_parse(struct xs_baskets *b, const char *buf, size_t len,
                         xs_baskets_format fmt, const char *file, xs_error *err);

/*
 * Reads a whole file (or standard input for "-") into a new buffer.
 * Sets *out (caller frees with xs__free) and *len. Returns XS_OK or XS_EIO
 * (err: FILE: cannot read: reason) or XS_ENOMEM.
 */
int xs__io_read_file(const char *path, char **out, size_t *len, xs_error *err);

#endif
