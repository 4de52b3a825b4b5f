/*
 * features_table.c — reads a customer-level table (one row per customer)
 * for the churn model and encodes it as a dense float matrix.
 *
 * The file is read once through the record reader (src/io/reader.h) into
 * an arena of cell strings; then each feature column is typed and encoded:
 *  - numeric when every non-blank cell parses as a number (blank: empty or
 *    only spaces — a common export problem, e.g. TotalCharges " " in the
 *    IBM telco file) — blanks become NaN, XGBoost's missing value;
 *  - categorical otherwise: one 0/1 feature per distinct value, levels
 *    sorted bytewise, named "column=value"; a blank sets no indicator.
 * The id column, the label column and --drop columns are not features.
 *
 * Training reads fix the encoding (xs_churn_data_read); scoring reads
 * apply a model's encoding (xs_churn_data_read_for_model), where a value
 * the model never saw is missing and a numeric column holding text is an
 * error with its file, line and column.
 *
 * Labels: exactly two values. With --positive the positive one is given;
 * without, it is detected among 1 / Yes / yes / YES / true / True / TRUE.
 */
#include "score/churn.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/intern.h"
#include "io/reader.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Cells                                                                   */
/* ---------------------------------------------------------------------- */

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t') return 0;
    return 1;
}

int xs__score_churn_parse_cell(const char *s, double *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s) return 1;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    char buf[64];
    if (len >= sizeof buf) return -1;
    int digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digits = 1;
        else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E')
            return -1;
    }
    if (!digits) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (end != buf + len || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Encoding                                                                */
/* ---------------------------------------------------------------------- */

void xs__score_churn_enc_free(xs__score_churn_enc *e)
{
    if (!e) return;
    for (size_t c = 0; c < e->n_cols && e->cols; c++) {
        xs__free(e->cols[c].name);
        for (size_t l = 0; l < e->cols[c].n_levels; l++)
            xs__free(e->cols[c].levels[l]);
        xs__free(e->cols[c].levels);
    }
    xs__free(e->cols);
    for (size_t f = 0; f < e->n_features && e->feature_names; f++)
        xs__free(e->feature_names[f]);
    xs__free(e->feature_names);
    xs__free(e->feature_col);
    memset(e, 0, sizeof *e);
}

int xs__score_churn_enc_finish(xs__score_churn_enc *e)
{
    size_t nf = 0;
    for (size_t c = 0; c < e->n_cols; c++) {
        e->cols[c].first_feature = nf;
        nf += e->cols[c].categorical ? e->cols[c].n_levels : 1;
    }
    e->feature_names = xs__calloc(nf ? nf : 1, sizeof *e->feature_names);
    e->feature_col = xs__calloc(nf ? nf : 1, sizeof *e->feature_col);
    if (!e->feature_names || !e->feature_col) return XS_ENOMEM;
    e->n_features = nf;
    for (size_t c = 0; c < e->n_cols; c++) {
        const xs__score_churn_col *col = &e->cols[c];
        size_t k = col->categorical ? col->n_levels : 1;
        for (size_t l = 0; l < k; l++) {
            size_t f = col->first_feature + l;
            e->feature_col[f] = c;
            if (!col->categorical) {
                e->feature_names[f] = xs__strdup(col->name);
            } else {
                size_t a = strlen(col->name), b = strlen(col->levels[l]);
                char *s = xs__malloc(a + b + 2);
                if (s) {
                    memcpy(s, col->name, a);
                    s[a] = '=';
                    memcpy(s + a + 1, col->levels[l], b + 1);
                }
                e->feature_names[f] = s;
            }
            if (!e->feature_names[f]) return XS_ENOMEM;
        }
    }
    return XS_OK;
}

int xs__score_churn_enc_copy(xs__score_churn_enc *dst, const xs__score_churn_enc *src)
{
    memset(dst, 0, sizeof *dst);
    dst->cols = xs__calloc(src->n_cols ? src->n_cols : 1, sizeof *dst->cols);
    if (!dst->cols) return XS_ENOMEM;
    dst->n_cols = src->n_cols;
    for (size_t c = 0; c < src->n_cols; c++) {
        const xs__score_churn_col *s = &src->cols[c];
        xs__score_churn_col *d = &dst->cols[c];
        d->categorical = s->categorical;
        if (!(d->name = xs__strdup(s->name))) goto nomem;
        if (s->n_levels) {
            if (!(d->levels = xs__calloc(s->n_levels, sizeof *d->levels))) goto nomem;
            for (size_t l = 0; l < s->n_levels; l++) {
                if (!(d->levels[l] = xs__strdup(s->levels[l]))) goto nomem;
                d->n_levels = l + 1;
            }
        }
    }
    if (xs__score_churn_enc_finish(dst) < 0) goto nomem;
    return XS_OK;
nomem:
    xs__score_churn_enc_free(dst);
    return XS_ENOMEM;
}

/* ---------------------------------------------------------------------- */
/* Reading the raw cells                                                   */
/* ---------------------------------------------------------------------- */

typedef struct raw {
    xs__arena a;  /* cell strings; moves into the data */
    char **names; /* n_cols field names (arena) */
    size_t n_cols;
    const char **cells; /* n * n_cols */
    long *lines;        /* n */
    size_t n, cap_cells, cap_lines;
} raw;

static void raw_free(raw *r)
{
    xs__arena_free(&r->a);
    xs__free(r->names);
    xs__free(r->cells);
    xs__free(r->lines);
    memset(r, 0, sizeof *r);
}

static int read_raw(const char *path, char delim, raw *out, xs_error *err)
{
    xs__io_reader *rd = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    xs__arena_init(&out->a, 0);
    if ((rc = xs__io_reader_open(&rd, path, XS_INPUT_CSV, delim ? delim : ',', err)) < 0)
        return rc;
    out->n_cols = xs__io_reader_n_fields(rd);
    if (!(out->names = xs__calloc(out->n_cols ? out->n_cols : 1, sizeof *out->names)))
        goto nomem;
    for (size_t c = 0; c < out->n_cols; c++) {
        const char *nm = xs__io_reader_field_name(rd, c);
        if (!(out->names[c] = xs__arena_strndup(&out->a, nm, strlen(nm)))) goto nomem;
    }
    for (;;) {
        const xs__field *f;
        long line;
        rc = xs__io_reader_next(rd, &f, &line, err);
        if (rc < 0) goto cleanup;
        if (rc == 0) break;
        if (xs__grow(&out->cells, &out->cap_cells, (out->n + 1) * out->n_cols,
                     sizeof *out->cells) < 0 ||
            xs__grow(&out->lines, &out->cap_lines, out->n + 1, sizeof *out->lines) < 0)
            goto nomem;
        const char **row = out->cells + out->n * out->n_cols;
        for (size_t c = 0; c < out->n_cols; c++) {
            if (f[c].len == 0) {
                row[c] = "";
            } else if (!(row[c] = xs__arena_strndup(&out->a, f[c].ptr, f[c].len))) {
                goto nomem;
            }
        }
        out->lines[out->n++] = line;
    }
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs__io_reader_close(rd);
    if (rc < 0) raw_free(out);
    return rc;
}

static long find_col(const raw *r, const char *name)
{
    for (size_t c = 0; c < r->n_cols; c++)
        if (!strcmp(r->names[c], name)) return (long)c;
    return -1;
}

/* XS_ENOTFOUND for an unknown column, listing the columns of the file. */
static int unknown_column(const raw *r, const char *path, const char *opt,
                          const char *name, xs_error *err)
{
    char list[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < r->n_cols; i++) {
        int k =
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", r->names[i]);
        if (k < 0 || (size_t)k >= sizeof list - used) {
            snprintf(list + used, sizeof list - used, ", ...");
            break;
        }
        used += (size_t)k;
    }
    char q[128];
    xs__error_quote(q, sizeof q, name, strlen(name));
    return xs__error_param(err, XS_ENOTFOUND, path, opt,
                           "unknown column %s (columns: %s)", q, list);
}

/* ---------------------------------------------------------------------- */
/* Labels                                                                  */
/* ---------------------------------------------------------------------- */

static int is_positive_word(const char *s)
{
    static const char *const words[] = {"1", "Yes", "yes", "YES", "true", "True", "TRUE"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(s, words[i])) return 1;
    return 0;
}

static int read_labels(xs_churn_data *d, const raw *r, long lcol, const char *positive,
                       xs_error *err)
{
    const char *name = r->names[lcol];
    const char *v[2] = {NULL, NULL};
    char q[3][128];
    if (!(d->y = xs__calloc(r->n ? r->n : 1, 1))) return XS_ENOMEM;
    for (size_t i = 0; i < r->n; i++) {
        const char *s = r->cells[i * r->n_cols + (size_t)lcol];
        if (is_blank(s))
            return xs__error_set(err, XS_EINVAL, d->path, r->lines[i], name,
                                 "blank label");
        if (positive) {
            if (!strcmp(s, positive)) {
                d->y[i] = 1;
                continue;
            }
            if (!v[0]) v[0] = s;
            if (strcmp(s, v[0])) {
                xs__error_quote(q[0], sizeof q[0], s, strlen(s));
                xs__error_quote(q[1], sizeof q[1], positive, strlen(positive));
                xs__error_quote(q[2], sizeof q[2], v[0], strlen(v[0]));
                return xs__error_set(err, XS_EINVAL, d->path, r->lines[i], name,
                                     "label %s is neither the positive value %s nor the "
                                     "other value %s",
                                     q[0], q[1], q[2]);
            }
            d->y[i] = 0;
        } else {
            size_t k;
            for (k = 0; k < 2 && v[k]; k++)
                if (!strcmp(s, v[k])) break;
            if (k == 2) {
                xs__error_quote(q[0], sizeof q[0], s, strlen(s));
                xs__error_quote(q[1], sizeof q[1], v[0], strlen(v[0]));
                xs__error_quote(q[2], sizeof q[2], v[1], strlen(v[1]));
                return xs__error_set(
                    err, XS_EINVAL, d->path, r->lines[i], name,
                    "a third label value %s (after %s and %s): the label "
                    "must have two values",
                    q[0], q[1], q[2]);
            }
            if (!v[k]) v[k] = s;
            d->y[i] = (unsigned char)k; /* provisional: index of the value */
        }
    }
    const char *pos = positive, *neg = v[0];
    if (!positive) {
        int p0 = v[0] && is_positive_word(v[0]), p1 = v[1] && is_positive_word(v[1]);
        if (p0 == p1) {
            xs__error_quote(q[0], sizeof q[0], v[0] ? v[0] : "", v[0] ? strlen(v[0]) : 0);
            xs__error_quote(q[1], sizeof q[1], v[1] ? v[1] : "", v[1] ? strlen(v[1]) : 0);
            return xs__error_set(err, XS_EINVAL, d->path, 0, name,
                                 "cannot tell the positive label among %s and %s; give "
                                 "--positive",
                                 q[0], q[1]);
        }
        pos = p0 ? v[0] : v[1];
        neg = p0 ? v[1] : v[0];
        for (size_t i = 0; i < r->n; i++)
            d->y[i] = (unsigned char)(d->y[i] == (p0 ? 0 : 1));
    } else {
        size_t n_pos = 0;
        for (size_t i = 0; i < r->n; i++)
            n_pos += d->y[i];
        if (n_pos == 0) {
            xs__error_quote(q[0], sizeof q[0], positive, strlen(positive));
            return xs__error_set(err, XS_EINVAL, d->path, 0, name,
                                 "the positive value %s does not occur", q[0]);
        }
    }
    d->n_pos = 0;
    for (size_t i = 0; i < r->n; i++)
        d->n_pos += d->y[i];
    if (!(d->positive = xs__strdup(pos))) return XS_ENOMEM;
    if (neg && !(d->negative = xs__strdup(neg))) return XS_ENOMEM;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Building the data                                                       */
/* ---------------------------------------------------------------------- */

void xs_churn_data_free(xs_churn_data *d)
{
    if (!d) return;
    xs__free(d->path);
    xs__arena_free(&d->strings);
    xs__free(d->ids);
    xs__free(d->y);
    xs__free(d->x);
    xs__free(d->cat_raw);
    xs__free(d->positive);
    xs__free(d->negative);
    xs__score_churn_enc_free(&d->enc);
    xs__free(d->info);
    xs__free(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Level index of s in a sorted level list, or -1. */
static long find_level(const xs__score_churn_col *col, const char *s)
{
    const char *key = s;
    const char **hit = bsearch(&key, (const char **)col->levels, col->n_levels,
                               sizeof *col->levels, cmp_str);
    return hit ? (long)(hit - (const char **)col->levels) : -1;
}

/* Contract in churn.h. */
int xs__score_churn_col_fit(xs__score_churn_col *col, const char *name,
                            const char *const *cells, size_t n, size_t stride)
{
    xs__intern seen;
    int rc = XS_ENOMEM;
    xs__intern_init(&seen);
    if (!(col->name = xs__strdup(name))) goto cleanup;
    int numeric = 1;
    for (size_t i = 0; i < n && numeric; i++) {
        double v;
        numeric = xs__score_churn_parse_cell(cells[i * stride], &v) >= 0;
    }
    rc = XS_OK;
    if (numeric) goto cleanup;
    col->categorical = 1;
    rc = XS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *v = cells[i * stride];
        if (is_blank(v)) continue;
        if (xs__intern_add(&seen, v, strlen(v)) == XS_INTERN_NONE) goto cleanup;
    }
    if (seen.n) {
        if (!(col->levels = xs__calloc(seen.n, sizeof *col->levels))) goto cleanup;
        for (size_t l = 0; l < seen.n; l++) {
            if (!(col->levels[l] = xs__strdup(xs__intern_str(&seen, (uint32_t)l))))
                goto cleanup;
            col->n_levels = l + 1;
        }
        qsort(col->levels, col->n_levels, sizeof *col->levels, cmp_str);
    }
    rc = XS_OK;
cleanup:
    xs__intern_free(&seen);
    return rc;
}

/* Contract in churn.h. */
int xs__score_churn_cell_encode(const xs__score_churn_col *col, const char *s, float *row,
                                xs_churn_column *info)
{
    if (!col->categorical) {
        double v;
        int k = xs__score_churn_parse_cell(s, &v);
        if (k < 0) return -1;
        if (k == 0 && fabs(v) > FLT_MAX) return -2;
        if (k == 1) info->n_blank++;
        row[0] = k == 1 ? NAN : (float)v;
        return 0;
    }
    if (is_blank(s)) {
        info->n_blank++;
        return 0;
    }
    long l = find_level(col, s);
    if (l < 0)
        info->n_unseen++;
    else
        row[l] = 1.0f;
    return 0;
}

/* Fits the encoding to the source columns src[0..n_src) of r. */
static int fit_encoding(xs__score_churn_enc *e, const raw *r, const size_t *src,
                        size_t n_src)
{
    if (!(e->cols = xs__calloc(n_src ? n_src : 1, sizeof *e->cols))) return XS_ENOMEM;
    e->n_cols = n_src;
    for (size_t c = 0; c < n_src; c++)
        if (xs__score_churn_col_fit(&e->cols[c], r->names[src[c]], r->cells + src[c],
                                    r->n, r->n_cols) < 0)
            return XS_ENOMEM;
    return xs__score_churn_enc_finish(e);
}

/*
 * Fills d->x, d->cat_raw and d->info from the raw cells of the source
 * columns src (one per encoding column). Unseen categorical values are
 * counted; a numeric encoding column holding text is an error.
 */
static int encode(xs_churn_data *d, const raw *r, const size_t *src, xs_error *err)
{
    const xs__score_churn_enc *e = &d->enc;
    size_t p = e->n_features, n = r->n;
    if (p && n > SIZE_MAX / sizeof(float) / p) goto nomem;
    if (!(d->x = xs__calloc(n * p != 0 ? n * p : 1, sizeof *d->x))) goto nomem;
    if (!(d->cat_raw =
              xs__calloc(n * e->n_cols != 0 ? n * e->n_cols : 1, sizeof *d->cat_raw)))
        goto nomem;
    if (!(d->info = xs__calloc(e->n_cols ? e->n_cols : 1, sizeof *d->info))) goto nomem;
    for (size_t c = 0; c < e->n_cols; c++) {
        const xs__score_churn_col *col = &e->cols[c];
        xs_churn_column *info = &d->info[c];
        info->name = col->name;
        info->categorical = col->categorical;
        info->n_levels = col->n_levels;
        for (size_t i = 0; i < n; i++) {
            const char *s = r->cells[i * r->n_cols + src[c]];
            if (col->categorical) d->cat_raw[i * e->n_cols + c] = s;
            int k = xs__score_churn_cell_encode(col, s, d->x + i * p + col->first_feature,
                                                info);
            if (k < 0) {
                char q[128];
                xs__error_quote(q, sizeof q, s, strlen(s));
                return xs__error_set(err, XS_EINVAL, d->path, r->lines[i], col->name,
                                     k == -1 ? "not a number: %s"
                                             : "number too large for the model: %s",
                                     q);
            }
        }
    }
    return XS_OK;
nomem:
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* Common start: a new data object with the raw file read, ids taken. */
static int start(const char *path, char delim, const char *id, raw *r, long *id_col,
                 xs_churn_data **out, xs_error *err)
{
    int rc;
    long *first = NULL; /* line of each distinct id */
    *out = NULL;
    if (!id)
        return xs__error_param(err, XS_EINVAL, NULL, "id", "an id column is required");
    if ((rc = read_raw(path, delim, r, err)) < 0) return rc;
    if ((*id_col = find_col(r, id)) < 0) return unknown_column(r, path, "id", id, err);
    if (r->n == 0) return xs__error_set(err, XS_EINVAL, path, 0, NULL, "no data rows");
    xs_churn_data *d = xs__calloc(1, sizeof *d);
    if (!d) goto nomem;
    *out = d;
    xs__arena_init(&d->strings, 0);
    if (!(d->path = xs__strdup(path))) goto nomem;
    if (!(d->ids = xs__calloc(r->n, sizeof *d->ids))) goto nomem;
    d->n = r->n;
    /* one row per customer: a repeated id is an error (it would also leak
     * a customer across folds) */
    xs__intern seen;
    xs__intern_init(&seen);
    if (!(first = xs__malloc(r->n * sizeof *first))) goto nomem_seen;
    for (size_t i = 0; i < r->n; i++) {
        const char *s = r->cells[i * r->n_cols + (size_t)*id_col];
        d->ids[i] = s;
        if (is_blank(s)) {
            rc = xs__error_set(err, XS_EINVAL, path, r->lines[i], id, "blank id");
            goto done;
        }
        size_t before = seen.n;
        uint32_t k = xs__intern_add(&seen, s, strlen(s));
        if (k == XS_INTERN_NONE) goto nomem_seen;
        if (seen.n == before) {
            char q[128];
            xs__error_quote(q, sizeof q, s, strlen(s));
            rc = xs__error_set(err, XS_EINVAL, path, r->lines[i], id,
                               "duplicate id %s (first on line %ld)", q, first[k]);
            goto done;
        }
        first[k] = r->lines[i];
    }
    rc = XS_OK;
    goto done;
nomem_seen:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
done:
    xs__intern_free(&seen);
    xs__free(first);
    return rc;
nomem:
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* Hands the cell arena over to the data (ids and cat_raw point into it). */
static void finish(xs_churn_data *d, raw *r)
{
    xs__arena tmp = d->strings;
    d->strings = r->a;
    r->a = tmp;
}

int xs_churn_data_read(const char *path, const xs_churn_read_opts *o, xs_churn_data **out,
                       xs_error *err)
{
    raw r;
    xs_churn_data *d = NULL;
    size_t *src = NULL, n_src = 0;
    long id_col, lab_col = -1;
    int rc;
    memset(&r, 0, sizeof r);
    *out = NULL;
    if (!o->label) {
        rc = xs__error_param(err, XS_EINVAL, NULL, "label", "a label column is required");
        goto cleanup;
    }
    if ((rc = start(path, o->delimiter, o->id, &r, &id_col, &d, err)) < 0) goto cleanup;
    if ((lab_col = find_col(&r, o->label)) < 0) {
        rc = unknown_column(&r, path, "label", o->label, err);
        goto cleanup;
    }
    if (lab_col == id_col) {
        rc = xs__error_param(err, XS_EINVAL, NULL, "label",
                             "the label column is the id column");
        goto cleanup;
    }
    unsigned char *excluded = xs__calloc(r.n_cols, 1);
    if (!excluded) goto nomem;
    excluded[id_col] = excluded[lab_col] = 1;
    for (size_t k = 0; k < o->n_drop; k++) {
        long c = find_col(&r, o->drop[k]);
        if (c < 0) {
            xs__free(excluded);
            rc = unknown_column(&r, path, "drop", o->drop[k], err);
            goto cleanup;
        }
        excluded[c] = 1;
    }
    src = xs__calloc(r.n_cols, sizeof *src);
    if (!src) {
        xs__free(excluded);
        goto nomem;
    }
    for (size_t c = 0; c < r.n_cols; c++)
        if (!excluded[c]) src[n_src++] = c;
    xs__free(excluded);
    if (n_src == 0) {
        rc = xs__error_set(err, XS_EINVAL, path, 0, NULL,
                           "no feature columns besides the id and the label");
        goto cleanup;
    }
    if ((rc = read_labels(d, &r, lab_col, o->positive, err)) < 0) goto cleanup;
    if ((rc = fit_encoding(&d->enc, &r, src, n_src)) < 0) goto nomem;
    if ((rc = encode(d, &r, src, err)) < 0) goto cleanup;
    finish(d, &r);
    *out = d;
    d = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    if (rc == XS_ENOMEM && err && err->code != XS_ENOMEM)
        xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__free(src);
    raw_free(&r);
    xs_churn_data_free(d);
    return rc;
}

int xs_churn_data_read_for_model(const char *path, const xs_churn_model *m,
                                 const char *id, char delimiter, xs_churn_data **out,
                                 xs_error *err)
{
    raw r;
    xs_churn_data *d = NULL;
    size_t *src = NULL;
    long id_col;
    int rc;
    const xs__score_churn_enc *e = xs__score_churn_model_enc(m);
    memset(&r, 0, sizeof r);
    *out = NULL;
    if ((rc = start(path, delimiter, id, &r, &id_col, &d, err)) < 0) goto cleanup;
    if (!(src = xs__calloc(e->n_cols ? e->n_cols : 1, sizeof *src))) goto nomem;
    for (size_t c = 0; c < e->n_cols; c++) {
        long k = find_col(&r, e->cols[c].name);
        if (k < 0) {
            char q[128];
            xs__error_quote(q, sizeof q, e->cols[c].name, strlen(e->cols[c].name));
            rc = xs__error_set(err, XS_ENOTFOUND, path, 0, NULL,
                               "column %s of the model is missing", q);
            goto cleanup;
        }
        src[c] = (size_t)k;
    }
    if (xs__score_churn_enc_copy(&d->enc, e) < 0) goto nomem;
    if ((rc = encode(d, &r, src, err)) < 0) goto cleanup;
    finish(d, &r);
    *out = d;
    d = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs__free(src);
    raw_free(&r);
    xs_churn_data_free(d);
    return rc;
}

/* Contract in churn.h. */
int xs__score_churn_data_from_cells(const xs_churn_model *m, const char *source,
                                    const char *const *ids, const char *const *cells,
                                    size_t n, xs_churn_data **out, xs_error *err)
{
    raw r;
    xs_churn_data *d = NULL;
    size_t *src = NULL;
    int rc;
    const xs__score_churn_enc *e = xs__score_churn_model_enc(m);
    size_t nc = e->n_cols;
    memset(&r, 0, sizeof r);
    xs__arena_init(&r.a, 0);
    *out = NULL;
    if (n && nc > SIZE_MAX / sizeof *r.cells / n) goto nomem;
    r.n_cols = nc;
    r.n = n;
    if (!(d = xs__calloc(1, sizeof *d))) goto nomem;
    xs__arena_init(&d->strings, 0);
    if (!(d->path = xs__strdup(source ? source : ""))) goto nomem;
    if (!(d->ids = xs__calloc(n ? n : 1, sizeof *d->ids)) ||
        !(r.cells = xs__calloc(n * nc != 0 ? n * nc : 1, sizeof *r.cells)) ||
        !(r.lines = xs__calloc(n ? n : 1, sizeof *r.lines)) ||
        !(src = xs__calloc(nc ? nc : 1, sizeof *src)))
        goto nomem;
    d->n = n;
    for (size_t c = 0; c < nc; c++)
        src[c] = c;
    for (size_t i = 0; i < n; i++) {
        r.lines[i] = (long)i + 1;
        if (!(d->ids[i] = xs__arena_strndup(&r.a, ids[i], strlen(ids[i])))) goto nomem;
        for (size_t c = 0; c < nc; c++) {
            const char *s = cells[i * nc + c];
            if (!s || !*s)
                r.cells[i * nc + c] = "";
            else if (!(r.cells[i * nc + c] = xs__arena_strndup(&r.a, s, strlen(s))))
                goto nomem;
        }
    }
    if (xs__score_churn_enc_copy(&d->enc, e) < 0) goto nomem;
    if ((rc = encode(d, &r, src, err)) < 0) goto cleanup;
    finish(d, &r);
    *out = d;
    d = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs__free(src);
    raw_free(&r);
    xs_churn_data_free(d);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Accessors                                                               */
/* ---------------------------------------------------------------------- */

size_t xs_churn_data_rows(const xs_churn_data *d)
{
    return d->n;
}

size_t xs_churn_data_positives(const xs_churn_data *d)
{
    return d->n_pos;
}

const char *xs_churn_data_id(const xs_churn_data *d, size_t i)
{
    return d->ids[i];
}

int xs_churn_data_label(const xs_churn_data *d, size_t i)
{
    return d->y ? d->y[i] : -1;
}

const char *xs_churn_data_positive(const xs_churn_data *d)
{
    return d->positive;
}

const char *xs_churn_data_negative(const xs_churn_data *d)
{
    return d->negative;
}

size_t xs_churn_data_n_features(const xs_churn_data *d)
{
    return d->enc.n_features;
}

const char *xs_churn_data_feature_name(const xs_churn_data *d, size_t j)
{
    return d->enc.feature_names[j];
}

double xs_churn_data_value(const xs_churn_data *d, size_t i, size_t j)
{
    return d->x[i * d->enc.n_features + j];
}

size_t xs_churn_data_n_columns(const xs_churn_data *d)
{
    return d->enc.n_cols;
}

const xs_churn_column *xs_churn_data_column(const xs_churn_data *d, size_t c)
{
    return &d->info[c];
}
