/*
 * strdist.h — edit distance between short strings (column names, option
 * values), for "did you mean" hints in error messages.
 *
 * The importer's missing-column message and the wide-export spec reader use
 * it to name the closest column a file does have. Names are compared folded:
 * case-insensitive, with '_', '-' and ' ' ignored, so "SignupDate",
 * "signup-date" and "Signup Date" are all at distance 0 from "signup_date".
 */
#ifndef XS_STRDIST_H
#define XS_STRDIST_H

#include <stddef.h>

#define XS_STRDIST_NONE ((size_t)-1)

/*
 * Levenshtein distance (insertions, deletions, substitutions, each cost 1)
 * between the bytes a[0..na) and b[0..nb). Returns the distance, or
 * XS_STRDIST_NONE when out of memory (only strings over 255 bytes allocate).
 */
size_t xs__strdist(const char *a, size_t na, const char *b, size_t nb);

/*
 * The same distance between the folded forms of two NUL-terminated names:
 * ASCII letters lower-cased, '_', '-' and ' ' dropped. Returns the distance
 * or XS_STRDIST_NONE when out of memory.
 */
size_t xs__strdist_folded(const char *a, const char *b);

/*
 * Index of the name in names[0..n) closest to `want` by folded distance,
 * when that distance is at most max(1, folded length of want / 3) (so a
 * suggestion is a likely typo or respelling, never an unrelated column);
 * ties go to the first. Returns the index or -1 when none is close enough.
 * NULL entries of names are skipped. *dist (optional) gets the distance.
 */
long xs__strdist_closest(const char *want, const char *const *names, size_t n,
                         size_t *dist);

#endif
