/*
 * strdist.c — Levenshtein distance and closest-name lookup (see strdist.h).
 *
 * The classic dynamic programme over one row of nb + 1 counters: row i holds
 * the distance of a[0..i) to every prefix of b. Names in error messages are
 * short, so the row lives on the stack up to 255 bytes; longer strings take
 * one heap row.
 */
#include "base/strdist.h"

#include "base/alloc.h"

#include <string.h>

#define STACK_ROW 256

size_t xs__strdist(const char *a, size_t na, const char *b, size_t nb)
{
    size_t stack[STACK_ROW], *row = stack;
    if (nb + 1 > STACK_ROW) {
        if (nb + 1 > (size_t)-1 / sizeof *row) return XS_STRDIST_NONE;
        row = xs__malloc((nb + 1) * sizeof *row);
        if (!row) return XS_STRDIST_NONE;
    }
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0]; /* d(i-1, j-1) */
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j]; /* d(i-1, j) */
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[nb];
    if (row != stack) xs__free(row);
    return d;
}

/* Folds s into a new buffer (caller frees with xs__free); NULL when out of
 * memory. *n gets the folded length. */
static char *fold(const char *s, size_t *n)
{
    size_t len = strlen(s), k = 0;
    char *out = xs__malloc(len + 1);
    if (!out) return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '_' || c == '-' || c == ' ') continue;
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        out[k++] = c;
    }
    out[k] = '\0';
    *n = k;
    return out;
}

size_t xs__strdist_folded(const char *a, const char *b)
{
    size_t na, nb, d = XS_STRDIST_NONE;
    char *fa = fold(a, &na), *fb = fold(b, &nb);
    if (fa && fb) d = xs__strdist(fa, na, fb, nb);
    xs__free(fa);
    xs__free(fb);
    return d;
}

long xs__strdist_closest(const char *want, const char *const *names, size_t n,
                         size_t *dist)
{
    size_t nw;
    char *fw = fold(want, &nw);
    if (!fw) return -1;
    size_t limit = nw / 3 > 1 ? nw / 3 : 1, best_d = XS_STRDIST_NONE;
    long best = -1;
    for (size_t i = 0; i < n; i++) {
        if (!names[i]) continue;
        size_t nn;
        char *fn = fold(names[i], &nn);
        if (!fn) break;
        size_t d = xs__strdist(fw, nw, fn, nn);
        xs__free(fn);
        if (d != XS_STRDIST_NONE && d <= limit && (best < 0 || d < best_d)) {
            best = (long)i;
            best_d = d;
        }
    }
    xs__free(fw);
    if (best >= 0 && dist) *dist = best_d;
    return best;
}
