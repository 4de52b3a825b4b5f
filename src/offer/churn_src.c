/*
 * churn_src.c — where the offer engine's P(churn) comes from.
 *
 * Four sources can say how likely a customer is to leave; per customer the
 * engine takes the first that has a value (docs/offers.md, "Churn risk"):
 *   1. the caller's churn_p (xs_offer_config; a program that scores churn
 *      itself), then
 *   2. an imported score (table churn_scores: a score from the system that
 *      knows the customer best, e.g. a CRM or a data-science team, taken
 *      as the customer's own, most specific word), then
 *   3. the churn model attached to the build (`xsell build --churn-model`,
 *      trained on a customer table by `xsell churn train`), applied to the
 *      customers' attrs with the same encoding as `xsell churn predict` on
 *      a CSV of those columns, then
 *   4. the store-history model (churn_model = 1) or the built-in estimate
 *      (value.c), which need only what the store holds.
 * The order runs from the most to the least specific evidence: an imported
 * score is a statement about this customer made outside the store; an
 * attached model was validated on a labelled table; the history model and
 * the estimate fall back on what the store happens to record (a one-date
 * export has no history to learn from at all).
 *
 * This file fills the engine's churn_ext (sources 1–3) and says, for the
 * evidence, which source a customer's value came from. Attrs are the JSON
 * object of strings the importer writes; numbers, true / false are read by
 * their text, null is missing. Rows are encoded and scored in blocks so the
 * memory stays bounded whatever the number of customers.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/date.h"
#include "base/error.h"
#include "base/intern.h"
#include "base/crypto.h"
#include "score/churn.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define BLOCK 8192 /* customers encoded and scored at once */

/* ---------------------------------------------------------------------- */
/* attrs                                                                  */
/* ---------------------------------------------------------------------- */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes the JSON string at *ps (its opening quote) into the arena.
 * Returns the string, or NULL (malformed: *bad set; no memory: *bad 0). */
static char *json_str(const char **ps, xs__arena *a, int *bad)
{
    const char *s = *ps;
    size_t cap = 0;
    *bad = 1;
    if (*s != '"') return NULL;
    for (const char *t = s + 1; *t && *t != '"'; t++, cap++)
        if (*t == '\\' && t[1]) t++;
    char *out = xs__arena_alloc(a, cap * 2 + 1);
    if (!out) {
        *bad = 0;
        return NULL;
    }
    size_t w = 0;
    for (s++; *s && *s != '"'; s++) {
        if (*s != '\\') {
            out[w++] = *s;
            continue;
        }
        s++;
        switch (*s) {
        case 'n':
            out[w++] = '\n';
            break;
        case 't':
            out[w++] = '\t';
            break;
        case 'r':
            out[w++] = '\r';
            break;
        case 'b':
            out[w++] = '\b';
            break;
        case 'f':
            out[w++] = '\f';
            break;
        case 'u': {
            unsigned cp = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hexval(s[k]);
                if (h < 0) return NULL;
                cp = cp << 4 | (unsigned)h;
            }
            s += 4;
            /* attrs values are compared as text: BMP code points as UTF-8 */
            if (cp < 0x80) {
                out[w++] = (char)cp;
            } else if (cp < 0x800) {
                out[w++] = (char)(0xc0 | (cp >> 6));
                out[w++] = (char)(0x80 | (cp & 0x3f));
            } else {
                out[w++] = (char)(0xe0 | (cp >> 12));
                out[w++] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[w++] = (char)(0x80 | (cp & 0x3f));
            }
            break;
        }
        case '\0':
            return NULL;
        default:
            out[w++] = *s;
            break;
        }
    }
    if (*s != '"') return NULL;
    out[w] = '\0';
    *ps = s + 1;
    return out;
}

/* Fills row[0..n_cols) with customer attrs' values of the model's columns
 * (cols: the model's column names interned, id = column index); numeric
 * columns holding text become missing. Returns the number of model
 * columns found, -1 malformed attrs (the row then has none), XS_ENOMEM. */
static int attrs_row(const char *js, const xs__intern *cols, const xs__score_churn_enc *e,
                     xs__arena *a, const char **row, unsigned char *found)
{
    const char *s = skip_ws(js);
    int n = 0, bad;
    for (size_t c = 0; c < e->n_cols; c++)
        row[c] = NULL;
    if (!*s) return 0;
    if (*s++ != '{') return -1;
    s = skip_ws(s);
    if (*s == '}') return 0;
    for (;;) {
        char *key = json_str(&s, a, &bad);
        if (!key) return bad ? -1 : XS_ENOMEM;
        s = skip_ws(s);
        if (*s++ != ':') return -1;
        s = skip_ws(s);
        const char *val = NULL;
        if (*s == '"') {
            if (!(val = json_str(&s, a, &bad))) return bad ? -1 : XS_ENOMEM;
        } else {
            const char *t = s;
            while (*s && *s != ',' && *s != '}' && *s != ' ' && *s != '\n')
                s++;
            size_t len = (size_t)(s - t);
            if (!len) return -1;
            if (!(len == 4 && !memcmp(t, "null", 4)) &&
                !(val = xs__arena_strndup(a, t, len)))
                return XS_ENOMEM;
        }
        uint32_t c = xs__intern_find(cols, key, strlen(key));
        if (c != XS_INTERN_NONE && val) {
            double v;
            if (!e->cols[c].categorical && xs__score_churn_parse_cell(val, &v) < 0)
                val = NULL;
            row[c] = val;
            if (val) {
                n++;
                if (found) found[c] = 1;
            }
        }
        s = skip_ws(s);
        if (*s == ',') {
            s = skip_ws(s + 1);
            continue;
        }
        return *s == '}' ? n : -1;
    }
}

/* Contract in churn_src.c's header comment / offer_int.h users: P(churn)
 * of model m for every customer of s whose attrs hold at least one of the
 * model's columns (NaN for the others) into p[0..n); found[c] (may be
 * NULL; n_cols bytes, zeroed by the caller) is set for each model column
 * seen in some customer's attrs. Returns the customers scored, or a
 * negative XS_E* code. */
static long predict_attrs(const struct xs_snapshot *s, const xs_churn_model *m,
                          const char *name, double *p, unsigned char *found,
                          xs_error *err)
{
    const xs__score_churn_enc *e = xs__score_churn_model_enc(m);
    size_t nc = e->n_cols, n = s->cust.n;
    xs__intern cols;
    xs__arena a;
    const char **cells = NULL, **ids = NULL;
    uint32_t *who = NULL;
    long scored = 0;
    int rc = XS_OK;
    xs__intern_init(&cols);
    xs__arena_init(&a, 0);
    for (size_t c = 0; c < nc; c++)
        if (xs__intern_add(&cols, e->cols[c].name, strlen(e->cols[c].name)) != c)
            goto nomem; /* names are distinct in a model file */
    cells = xs__calloc(BLOCK * (nc ? nc : 1), sizeof *cells);
    ids = xs__calloc(BLOCK, sizeof *ids);
    who = xs__calloc(BLOCK, sizeof *who);
    if (!cells || !ids || !who) goto nomem;
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
    for (size_t lo = 0; lo < n;) {
        size_t k = 0;
        for (; lo < n && k < BLOCK; lo++) {
            const char *js = xs__snapshot_text(s, s->cust.attrs[lo]);
            int got = attrs_row(js, &cols, e, &a, cells + k * nc, found);
            if (got == XS_ENOMEM) goto nomem;
            if (got <= 0) continue;
            ids[k] = xs__intern_str(&s->cust.ids, (uint32_t)lo);
            who[k++] = (uint32_t)lo;
        }
        if (!k) continue;
        xs_churn_data *d = NULL;
        xs_churn_pred pred;
        memset(&pred, 0, sizeof pred);
        rc = xs__score_churn_data_from_cells(m, name, ids, cells, k, &d, err);
        if (rc == XS_OK) rc = xs_churn_predict(m, d, 0, &pred, err);
        if (rc == XS_OK)
            for (size_t j = 0; j < k; j++)
                p[who[j]] = pred.prob[j];
        xs_churn_pred_free(&pred);
        xs_churn_data_free(d);
        xs__arena_free(&a);
        xs__arena_init(&a, 0);
        if (rc < 0) goto cleanup;
        scored += (long)k;
    }
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs__free(cells);
    xs__free(ids);
    xs__free(who);
    xs__arena_free(&a);
    xs__intern_free(&cols);
    return rc < 0 ? rc : scored;
}

/* ---------------------------------------------------------------------- */
/* The engine's sources                                                   */
/* ---------------------------------------------------------------------- */

void xs__offer_churn_free(xs_offer_engine *en)
{
    xs__free(en->churn_ext);
    xs__free(en->churn_src_of);
    en->churn_ext = NULL;
    en->churn_src_of = NULL;
    en->churn_model_name[0] = '\0';
}

int xs__offer_churn_setup(xs_offer_engine *en, const double *given, const char *name,
                          const char *model, size_t len, xs_error *err)
{
    const struct xs_snapshot *s = en->s;
    size_t n = s->cust.n;
    double *pm = NULL;
    xs_churn_model *m = NULL;
    int rc = XS_OK;
    xs__offer_churn_free(en);
    en->cfg.churn_p = given;
    if (!given && !s->cust.n_churn_scores && !model) return XS_OK;
    en->churn_ext = xs__malloc((n ? n : 1) * sizeof *en->churn_ext);
    en->churn_src_of = xs__calloc(n ? n : 1, 1);
    if (!en->churn_ext || !en->churn_src_of) goto nomem;
    if (model) {
        if (!(pm = xs__malloc((n ? n : 1) * sizeof *pm))) goto nomem;
        if ((rc = xs__score_churn_model_load_buffer(model, len, name, &m, err)) < 0)
            goto cleanup;
        long k = predict_attrs(s, m, name, pm, NULL, err);
        if (k < 0) {
            rc = (int)k;
            goto cleanup;
        }
        snprintf(en->churn_model_name, sizeof en->churn_model_name, "%s", name);
    }
    for (size_t c = 0; c < n; c++) {
        double v = NAN;
        uint8_t src = XS__CHURN_SRC_NONE;
        if (given && !isnan(given[c]))
            v = given[c], src = XS__CHURN_SRC_GIVEN;
        else if (!isnan(s->cust.churn_score[c]))
            v = s->cust.churn_score[c], src = XS__CHURN_SRC_IMPORTED;
        else if (pm && !isnan(pm[c]))
            v = pm[c], src = XS__CHURN_SRC_MODEL;
        en->churn_ext[c] = v;
        en->churn_src_of[c] = src;
    }
    en->cfg.churn_p = en->churn_ext;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs__free(pm);
    xs_churn_model_free(m);
    if (rc < 0) {
        xs__offer_churn_free(en);
        en->cfg.churn_p = given;
    }
    return rc;
}

const char *xs__offer_churn_source(const xs_offer_engine *en, uint32_t c, char *buf,
                                   size_t n)
{
    uint8_t src = en->churn_src_of && c < en->s->cust.n ? en->churn_src_of[c] : 0;
    size_t w = 0;
    if (src == XS__CHURN_SRC_MODEL) {
        snprintf(buf, n, "model %s", en->churn_model_name);
    } else if (src == XS__CHURN_SRC_IMPORTED) {
        int32_t d = en->s->cust.churn_scored[c];
        char day[11];
        if (d == XS_SNAP_NO_DATE) {
            xs__offer_put_s(buf, n, &w, "imported");
        } else {
            xs__date_format(d, day);
            snprintf(buf, n, "imported %s", day);
        }
    } else if (src == XS__CHURN_SRC_GIVEN ||
               (!en->churn_src_of && en->cfg.churn_p && c < en->s->cust.n &&
                !isnan(en->cfg.churn_p[c]))) {
        xs__offer_put_s(buf, n, &w, "given"); /* no printf: every request */
    } else if (en->churn && c < en->s->cust.n && !isnan(en->churn[c])) {
        xs__offer_put_s(buf, n, &w, "history");
    } else {
        xs__offer_put_s(buf, n, &w, "estimate");
    }
    return buf;
}

/* ---------------------------------------------------------------------- */
/* Attaching a model to a build                                           */
/* ---------------------------------------------------------------------- */

/* Contract in xsell.h. */
/* Reads, checks and (st not NULL) stores the model at path; see
 * xs_offer_churn_attach. With st NULL only the checks run (nothing is
 * written), so a caller can refuse a bad model before it changes anything. */
static int attach(xs_store *st, const xs_snapshot *s, const char *path,
                  xs_churn_attach_info *info, xs_error *err)
{
    FILE *f = NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    xs_churn_model *m = NULL;
    double *p = NULL;
    unsigned char *found = NULL;
    int rc;
    memset(info, 0, sizeof *info);
    if (!strcmp(path, "none"))
        return st ? xs_store_build_churn_put(st, NULL, NULL, NULL, 0, err) : XS_OK;
    if (!(f = fopen(path, "rb")))
        return xs__error_param(err, XS_EIO, path, "churn_model", "cannot open the model");
    for (;;) {
        if (xs__grow(&text, &cap, len + 65536 + 1, 1) < 0) goto nomem;
        size_t k = fread(text + len, 1, 65536, f);
        len += k;
        if (k < 65536) break;
    }
    if (ferror(f)) {
        rc = xs__error_param(err, XS_EIO, path, "churn_model", "cannot read the model");
        goto cleanup;
    }
    text[len] = '\0';
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if ((rc = xs__score_churn_model_load_buffer(text, len, path, &m, err)) < 0)
        goto cleanup;
    const xs__score_churn_enc *e = xs__score_churn_model_enc(m);
    size_t n = s->cust.n;
    if (!(p = xs__malloc((n ? n : 1) * sizeof *p)) ||
        !(found = xs__calloc(e->n_cols ? e->n_cols : 1, 1)))
        goto nomem;
    long k = predict_attrs(s, m, base, p, found, err);
    if (k < 0) {
        rc = (int)k;
        goto cleanup;
    }
    unsigned char h[XS_SHA256_LEN];
    xs__sha256(text, len, h);
    xs__hex(h, XS_SHA256_LEN, info->sha256);
    snprintf(info->name, sizeof info->name, "%s", base);
    info->n_columns = e->n_cols;
    info->n_scored = (size_t)k;
    size_t w = 0;
    for (size_t c = 0; c < e->n_cols; c++) {
        if (found[c]) {
            info->n_found++;
            continue;
        }
        int wr = snprintf(info->missing + w, sizeof info->missing - w, "%s%s",
                          w ? ", " : "", e->cols[c].name);
        if (wr > 0 && (size_t)wr < sizeof info->missing - w) w += (size_t)wr;
    }
    if (!k) {
        rc = xs__error_param(err, XS_EINVAL, path, "churn_model",
                             "no customer's attrs hold any column of the model");
        goto cleanup;
    }
    rc = st ? xs_store_build_churn_put(st, info->name, info->sha256, text, len, err)
            : XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    if (f) fclose(f);
    xs__free(text);
    xs__free(p);
    xs__free(found);
    xs_churn_model_free(m);
    return rc;
}

/* Contract in xsell.h. */
int xs_offer_churn_attach(xs_store *st, const xs_snapshot *s, const char *path,
                          xs_churn_attach_info *info, xs_error *err)
{
    if (!st) return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no store");
    return attach(st, s, path, info, err);
}

/* Contract in xsell.h. */
int xs_offer_churn_check(const xs_snapshot *s, const char *path,
                         xs_churn_attach_info *info, xs_error *err)
{
    return attach(NULL, s, path, info, err);
}
