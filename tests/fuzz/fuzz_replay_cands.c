/*
 * fuzz_replay_cands.c — libFuzzer target for the reader of logged
 * candidates (src/measure/replay_cands.c), which `xsell replay` runs over
 * every decision of the store.
 *
 * The input is the candidates text (NUL-terminated copy). Checked, beyond
 * "no crash": an accepted text gives at most the capacity of candidates,
 * each kind NUL-terminated within its buffer; a rejected one XS_EPARSE;
 * and a text the engine could have written — the accepted candidates
 * written back by the same rules as xs_decision_fill — reads back to the
 * same numbers. Any violation aborts.
 *
 * Run: `make fuzz`, or build-fuzz/fuzz_replay_cands on a copy of
 * tests/fuzz/corpus/replay_cands.
 */
#include "measure/replay.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK_OR_DIE(cond)                                                               \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_replay_cands: %s:%d: check failed: %s\n", __FILE__,    \
                    __LINE__, #cond);                                                    \
            abort();                                                                     \
        }                                                                                \
    } while (0)

#define CAP 8

static void put_num(char *b, size_t n, const char *key, double v)
{
    size_t l = strlen(b);
    if (isfinite(v))
        snprintf(b + l, n - l, ",\"%s\":%.17g", key, v);
    else
        snprintf(b + l, n - l, ",\"%s\":null", key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    xs__measure_replay_cand c[CAP], d[CAP];
    size_t n = 0, m = 0;
    int rc = xs__measure_replay_cands_read(s, c, CAP, &n);
    free(s);
    CHECK_OR_DIE(rc == XS_OK || rc == XS_EPARSE);
    if (rc != XS_OK) return 0;
    CHECK_OR_DIE(n <= CAP);
    /* write the accepted candidates back with plain kinds and read again */
    static char b[CAP * 512];
    strcpy(b, "[");
    for (size_t i = 0; i < n; i++) {
        CHECK_OR_DIE(memchr(c[i].kind, '\0', sizeof c[i].kind) != NULL);
        size_t l = strlen(b);
        snprintf(b + l, sizeof b - l, "%s{\"kind\":\"k%zu\",\"growth\":%s", i ? "," : "", i,
                 c[i].growth ? "true" : "false");
        put_num(b, sizeof b, "p_accept", c[i].p_accept);
        put_num(b, sizeof b, "value", c[i].value);
        put_num(b, sizeof b, "ev", c[i].ev);
        put_num(b, sizeof b, "strength", c[i].strength);
        put_num(b, sizeof b, "health", c[i].health);
        put_num(b, sizeof b, "prob", c[i].prob);
        l = strlen(b);
        snprintf(b + l, sizeof b - l, "}");
    }
    strcat(b, "]");
    CHECK_OR_DIE(xs__measure_replay_cands_read(b, d, CAP, &m) == XS_OK);
    CHECK_OR_DIE(m == n);
    for (size_t i = 0; i < n; i++) {
        const double a[6] = {c[i].p_accept, c[i].value, c[i].ev,
                             c[i].strength, c[i].health, c[i].prob};
        const double z[6] = {d[i].p_accept, d[i].value, d[i].ev,
                             d[i].strength, d[i].health, d[i].prob};
        for (int k = 0; k < 6; k++)
            CHECK_OR_DIE((isnan(a[k]) && isnan(z[k])) || a[k] == z[k] ||
                         (isinf(a[k]) && isnan(z[k]))); /* 1e999: written as null */
        CHECK_OR_DIE(d[i].growth == c[i].growth);
    }
    return 0;
}
