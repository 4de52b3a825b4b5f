/*
 * assign.c — deterministic holdout assignment of units to experiment arms.
 *
 * A unit (a customer id) is placed at a position in [0, 1) by hashing the
 * bytes "strategy:id"; the arms split [0, 1) into consecutive intervals in
 * proportion to their weights. The hash (src/base/hash.c) reads bytes
 * little-endian explicitly, so a unit lands in the same arm on every run and
 * machine, and because the strategy name is part of the hashed bytes, the
 * positions of one unit under two strategies are independent: a customer in
 * the holdout of one campaign is not more likely to be in the holdout of
 * another. This is what keeps a random holdout for every strategy.
 */
#include "measure/assign.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/hash.h"
#include "io/reader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int xs_exp_split_parse(const char *spec, xs_exp_split *out, xs_error *err)
{
    static const char *COL = "split";
    char q[128];
    memset(out, 0, sizeof *out);
    if (!spec || !*spec) return xs__error_param(err, XS_EINVAL, NULL, COL, "empty split");
    const char *p = spec;
    for (;;) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *colon = memchr(p, ':', (size_t)(end - p));
        const char *name_end = colon ? colon : end;
        size_t nlen = (size_t)(name_end - p);
        xs__error_quote(q, sizeof q, p, (size_t)(end - p));
        if (nlen == 0)
            return xs__error_param(err, XS_EINVAL, NULL, COL, "arm without a name: %s",
                                   q);
        if (nlen >= XS_EXP_NAME_MAX)
            return xs__error_param(err, XS_EINVAL, NULL, COL,
                                   "arm name longer than %d bytes: %s",
                                   XS_EXP_NAME_MAX - 1, q);
        if (out->n_arms == XS_EXP_MAX_ARMS)
            return xs__error_param(err, XS_EINVAL, NULL, COL, "more than %d arms",
                                   XS_EXP_MAX_ARMS);
        double w = 1.0;
        if (colon) {
            char num[64];
            size_t wlen = (size_t)(end - colon - 1);
            char *stop;
            if (wlen == 0 || wlen >= sizeof num)
                return xs__error_param(err, XS_EINVAL, NULL, COL, "bad weight in %s", q);
            memcpy(num, colon + 1, wlen);
            num[wlen] = '\0';
            w = strtod(num, &stop);
            if (*stop || stop == num || !isfinite(w) || w <= 0)
                return xs__error_param(err, XS_EINVAL, NULL, COL,
                                       "weight must be a number > 0: %s", q);
        }
        for (size_t i = 0; i < out->n_arms; i++)
            if (strlen(out->name[i]) == nlen && !memcmp(out->name[i], p, nlen)) {
                xs__error_quote(q, sizeof q, p, nlen);
                return xs__error_param(err, XS_EINVAL, NULL, COL, "arm named twice: %s",
                                       q);
            }
        memcpy(out->name[out->n_arms], p, nlen);
        out->name[out->n_arms][nlen] = '\0';
        out->weight[out->n_arms] = w;
        out->n_arms++;
        if (!*end) break;
        p = end + 1;
    }
    return XS_OK;
}

int xs_exp_unit(const char *strategy, const char *id, size_t id_len, double *u)
{
    char small[1024];
    size_t slen = strlen(strategy), n = slen + 1 + id_len;
    char *buf = n <= sizeof small ? small : xs__malloc(n);
    if (!buf) return XS_ENOMEM;
    memcpy(buf, strategy, slen);
    buf[slen] = ':';
    memcpy(buf + slen + 1, id, id_len);
    uint64_t h = xs__hash_bytes(buf, n, 0);
    if (buf != small) xs__free(buf);
    /* top 53 bits: every double in [0, 1) with that spacing, exactly */
    *u = (double)(h >> 11) * 0x1.0p-53;
    return XS_OK;
}

size_t xs__measure_exp_arm_of(const xs_exp_split *s, double u)
{
    double total = 0, cum = 0;
    for (size_t i = 0; i < s->n_arms; i++)
        total += s->weight[i];
    for (size_t i = 0; i + 1 < s->n_arms; i++) {
        cum += s->weight[i];
        if (u < cum / total) return i;
    }
    return s->n_arms ? s->n_arms - 1 : 0;
}

int xs_exp_assign(const xs_exp_split *s, const char *strategy, const char *id,
                  size_t id_len)
{
    double u;
    int rc = xs_exp_unit(strategy, id, id_len, &u);
    if (rc < 0) return rc;
    return (int)xs__measure_exp_arm_of(s, u);
}

long long xs_exp_assign_file(const char *path, char delimiter, const char *id_column,
                             const char *strategy, const xs_exp_split *s,
                             xs_exp_assign_fn fn, void *ctx, xs_error *err)
{
    xs__io_reader *r = NULL;
    long long rows = 0;
    int rc = xs__io_reader_open(&r, path, XS_INPUT_CSV, delimiter ? delimiter : ',', err);
    if (rc < 0) return rc;
    size_t n = xs__io_reader_n_fields(r), col = n;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(xs__io_reader_field_name(r, i), id_column)) col = i;
    if (col == n) {
        char q[128];
        xs__error_quote(q, sizeof q, id_column, strlen(id_column));
        rc = xs__error_param(err, XS_ENOTFOUND, NULL, "id", "unknown column %s", q);
        goto cleanup;
    }
    for (;;) {
        const xs__field *f;
        long line;
        rc = xs__io_reader_next(r, &f, &line, err);
        if (rc <= 0) break;
        if (f[col].len == 0) {
            rc = xs__error_set(err, XS_EINVAL, path, line, id_column, "empty id");
            break;
        }
        int arm = xs_exp_assign(s, strategy, f[col].ptr, f[col].len);
        if (arm < 0) {
            rc = xs__error_set(err, arm, NULL, 0, NULL, "out of memory");
            break;
        }
        if ((rc = fn(ctx, f[col].ptr, f[col].len, (size_t)arm)) < 0) break;
        rows++;
    }
cleanup:
    xs__io_reader_close(r);
    return rc < 0 ? rc : rows;
}
