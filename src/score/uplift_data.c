/*
 * uplift_data.c — reads the table of a randomised experiment for the uplift
 * learners (src/score/uplift.c) and encodes it as a dense float matrix.
 *
 * The file is read once through the record reader (src/io/reader.h). For
 * training and evaluation (xs_uplift_data_read) each row's treatment cell
 * puts it in the treated arm, the control arm, or neither; rows of neither
 * arm are counted and dropped, so the table holds exactly the rows the
 * learners fit. The outcome is 0/1 (or --positive versus anything else).
 * Features use the churn table's encoding (src/score/churn.h): a column is
 * numeric when every non-blank cell of the kept rows parses as a number
 * (blanks are NaN, XGBoost's missing value), otherwise categorical with one
 * 0/1 feature per level, levels sorted bytewise; a blank category sets no
 * indicator. For scoring (xs_uplift_data_read_for_model) every row is kept,
 * the model's encoding is applied, a category it never saw sets no
 * indicator, and a numeric column holding text is a located error.
 */
#include "score/uplift.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/error.h"
#include "io/reader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int nomem(xs_error *err)
{
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* ---------------------------------------------------------------------- */
/* The cells of the selected columns                                       */
/* ---------------------------------------------------------------------- */

typedef struct cells {
    xs__arena a;        /* cell strings */
    const char **v;     /* n * n_sel */
    long *lines;        /* n */
    signed char *group; /* n, training reads only */
    unsigned char *y;   /* n, training reads only */
    size_t n, n_sel, cap_v, cap_lines, cap_g, cap_y;
} cells;

static void cells_free(cells *c)
{
    xs__arena_free(&c->a);
    xs__free(c->v);
    xs__free(c->lines);
    xs__free(c->group);
    xs__free(c->y);
    memset(c, 0, sizeof *c);
}

static long find_col(xs__io_reader *rd, const char *name)
{
    for (size_t c = 0; c < xs__io_reader_n_fields(rd); c++)
        if (!strcmp(xs__io_reader_field_name(rd, c), name)) return (long)c;
    return -1;
}

/* XS_ENOTFOUND for an unknown column, listing the columns of the file. */
static int unknown_column(xs__io_reader *rd, const char *path, const char *opt,
                          const char *name, xs_error *err)
{
    char list[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < xs__io_reader_n_fields(rd); i++) {
        int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                         xs__io_reader_field_name(rd, i));
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

/* What a training read needs besides the features. */
typedef struct arms {
    long w_col, y_col;
    const xs_uplift_read_opts *o;
    xs_uplift_counts counts;
} arms;

/* The outcome of a kept row: 0/1, or a negative error code. */
static int parse_outcome(const arms *am, const char *path, long line, const char *s,
                         size_t len, xs_error *err)
{
    char q[128];
    const char *name = am->o->outcome;
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0) return xs__error_set(err, XS_EINVAL, path, line, name, "blank outcome");
    if (am->o->positive) {
        size_t pl = strlen(am->o->positive);
        return pl == len && !memcmp(s, am->o->positive, len);
    }
    if (len == 1 && (*s == '0' || *s == '1')) return *s == '1';
    xs__error_quote(q, sizeof q, s, len);
    return xs__error_set(err, XS_EINVAL, path, line, name,
                         "outcome must be 0 or 1 (or give --positive): %s", q);
}

/*
 * Reads the cells of the columns sel[0..n_sel) of every row (of the kept
 * rows when am is set: treated or control, with group and outcome).
 */
static int read_cells(xs__io_reader *rd, const char *path, const size_t *sel,
                      size_t n_sel, arms *am, cells *out, xs_error *err)
{
    int rc;
    out->n_sel = n_sel;
    for (;;) {
        const xs__field *f;
        long line;
        rc = xs__io_reader_next(rd, &f, &line, err);
        if (rc < 0) return rc;
        if (rc == 0) break;
        signed char g = -1;
        int yv = 0;
        if (am) {
            const xs__field *w = &f[am->w_col];
            am->counts.n++;
            if (w->len == strlen(am->o->treatment) &&
                !memcmp(w->ptr, am->o->treatment, w->len))
                g = 1;
            else if (w->len == strlen(am->o->control) &&
                     !memcmp(w->ptr, am->o->control, w->len))
                g = 0;
            if (g < 0) {
                am->counts.n_other++;
                continue;
            }
            const xs__field *y = &f[am->y_col];
            if ((yv = parse_outcome(am, path, line, y->ptr, y->len, err)) < 0) return yv;
            if (g) {
                am->counts.n_treatment++;
                am->counts.n_treatment_pos += (size_t)yv;
            } else {
                am->counts.n_control++;
                am->counts.n_control_pos += (size_t)yv;
            }
            if (xs__grow(&out->group, &out->cap_g, out->n + 1, 1) < 0 ||
                xs__grow(&out->y, &out->cap_y, out->n + 1, 1) < 0)
                return nomem(err);
            out->group[out->n] = g;
            out->y[out->n] = (unsigned char)yv;
        }
        if (xs__grow(&out->v, &out->cap_v, (out->n + 1) * n_sel, sizeof *out->v) < 0 ||
            xs__grow(&out->lines, &out->cap_lines, out->n + 1, sizeof *out->lines) < 0)
            return nomem(err);
        const char **row = out->v + out->n * n_sel;
        for (size_t c = 0; c < n_sel; c++) {
            const xs__field *x = &f[sel[c]];
            if (x->len == 0)
                row[c] = "";
            else if (!(row[c] = xs__arena_strndup(&out->a, x->ptr, x->len)))
                return nomem(err);
        }
        out->lines[out->n++] = line;
    }
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Encoding                                                                */
/* ---------------------------------------------------------------------- */

/* Fits the encoding of the n_sel selected columns named names[] to c
 * (the churn table's rule, xs__score_churn_col_fit). */
static int fit_encoding(xs__score_churn_enc *e, const char *const *names, const cells *c)
{
    if (!(e->cols = xs__calloc(c->n_sel ? c->n_sel : 1, sizeof *e->cols))) return XS_ENOMEM;
    e->n_cols = c->n_sel;
    for (size_t k = 0; k < c->n_sel; k++)
        if (xs__score_churn_col_fit(&e->cols[k], names[k], c->v + k, c->n, c->n_sel) < 0)
            return XS_ENOMEM;
    return xs__score_churn_enc_finish(e);
}

/* Fills d->x and d->info from the cells (column k of c is encoding column k). */
static int encode(xs_uplift_data *d, const cells *c, xs_error *err)
{
    const xs__score_churn_enc *e = &d->enc;
    size_t p = e->n_features, n = c->n;
    if (p && n > SIZE_MAX / sizeof(float) / p) return nomem(err);
    if (!(d->x = xs__calloc(n * p != 0 ? n * p : 1, sizeof *d->x)) ||
        !(d->info = xs__calloc(e->n_cols ? e->n_cols : 1, sizeof *d->info)))
        return nomem(err);
    for (size_t k = 0; k < e->n_cols; k++) {
        const xs__score_churn_col *col = &e->cols[k];
        xs_churn_column *info = &d->info[k];
        info->name = col->name;
        info->categorical = col->categorical;
        info->n_levels = col->n_levels;
        for (size_t i = 0; i < n; i++) {
            const char *s = c->v[i * c->n_sel + k];
            int r = xs__score_churn_cell_encode(col, s, d->x + i * p + col->first_feature,
                                                info);
            if (r < 0) {
                char q[128];
                xs__error_quote(q, sizeof q, s, strlen(s));
                return xs__error_set(err, XS_EINVAL, d->path, d->lines[i], col->name,
                                     r == -1 ? "not a number: %s"
                                             : "number too large for the model: %s",
                                     q);
            }
        }
    }
    return XS_OK;
}

/* Moves the rows of c into a new data object d (path copied). */
static int start_data(const char *path, cells *c, xs_uplift_data **out, xs_error *err)
{
    xs_uplift_data *d = xs__calloc(1, sizeof *d);
    *out = d;
    if (!d || !(d->path = xs__strdup(path))) return nomem(err);
    d->n = c->n;
    d->lines = c->lines;
    c->lines = NULL;
    return XS_OK;
}

void xs_uplift_data_free(xs_uplift_data *d)
{
    if (!d) return;
    xs__free(d->path);
    xs__score_churn_enc_free(&d->enc);
    xs__free(d->x);
    xs__free(d->lines);
    xs__free(d->group);
    xs__free(d->y);
    xs__free(d->info);
    xs__free(d->treatment_col);
    xs__free(d->treatment);
    xs__free(d->control);
    xs__free(d->outcome);
    xs__free(d->positive);
    xs__free(d);
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */
/* ---------------------------------------------------------------------- */

/* The feature columns of a training read, checked; sel and names filled. */
static int pick_features(xs__io_reader *rd, const char *path,
                         const xs_uplift_read_opts *o, const arms *am, size_t *sel,
                         const char **names, size_t *n_sel, xs_error *err)
{
    size_t nf = xs__io_reader_n_fields(rd);
    *n_sel = 0;
    if (!o->features) {
        for (size_t c = 0; c < nf; c++)
            if ((long)c != am->w_col && (long)c != am->y_col) {
                sel[*n_sel] = c;
                names[(*n_sel)++] = xs__io_reader_field_name(rd, c);
            }
    } else {
        for (size_t k = 0; k < o->n_features; k++) {
            long c = find_col(rd, o->features[k]);
            char q[128];
            if (c < 0) return unknown_column(rd, path, "features", o->features[k], err);
            xs__error_quote(q, sizeof q, o->features[k], strlen(o->features[k]));
            if (c == am->w_col || c == am->y_col)
                return xs__error_param(err, XS_EINVAL, NULL, "features",
                                       "%s is the %s column", q,
                                       c == am->w_col ? "treatment" : "outcome");
            for (size_t j = 0; j < *n_sel; j++)
                if (sel[j] == (size_t)c)
                    return xs__error_param(err, XS_EINVAL, NULL, "features",
                                           "%s is listed twice", q);
            sel[*n_sel] = (size_t)c;
            names[(*n_sel)++] = xs__io_reader_field_name(rd, (size_t)c);
        }
    }
    if (*n_sel == 0)
        return xs__error_set(err, XS_EINVAL, path, 0, NULL,
                             "no feature columns besides the treatment and the outcome");
    return XS_OK;
}

static int check_opts(const xs_uplift_read_opts *o, xs_error *err)
{
    static const char *const opt[] = {"treatment_col", "treatment", "control", "outcome"};
    const char *v[] = {o->treatment_col, o->treatment, o->control, o->outcome};
    for (size_t i = 0; i < 4; i++)
        if (!v[i]) return xs__error_param(err, XS_EINVAL, NULL, opt[i], "is required");
    if (!strcmp(o->treatment, o->control))
        return xs__error_param(err, XS_EINVAL, NULL, "control",
                               "the control value is the treatment value");
    return XS_OK;
}

int xs_uplift_data_read(const char *path, const xs_uplift_read_opts *o,
                        xs_uplift_data **out, xs_error *err)
{
    xs__io_reader *rd = NULL;
    xs_uplift_data *d = NULL;
    size_t *sel = NULL, n_sel = 0;
    const char **names = NULL;
    cells c;
    arms am;
    int rc;
    memset(&c, 0, sizeof c);
    memset(&am, 0, sizeof am);
    xs__arena_init(&c.a, 0);
    *out = NULL;
    am.o = o;
    if ((rc = check_opts(o, err)) < 0) goto cleanup;
    if ((rc = xs__io_reader_open(&rd, path, XS_INPUT_CSV,
                                 o->delimiter ? o->delimiter : ',', err)) < 0)
        goto cleanup;
    if ((am.w_col = find_col(rd, o->treatment_col)) < 0) {
        rc = unknown_column(rd, path, "treatment_col", o->treatment_col, err);
        goto cleanup;
    }
    if ((am.y_col = find_col(rd, o->outcome)) < 0) {
        rc = unknown_column(rd, path, "outcome", o->outcome, err);
        goto cleanup;
    }
    if (am.y_col == am.w_col) {
        rc = xs__error_param(err, XS_EINVAL, NULL, "outcome",
                             "the outcome column is the treatment column");
        goto cleanup;
    }
    size_t nf = xs__io_reader_n_fields(rd);
    if (!(sel = xs__calloc(nf, sizeof *sel)) ||
        !(names = xs__calloc(nf, sizeof *names))) {
        rc = nomem(err);
        goto cleanup;
    }
    if ((rc = pick_features(rd, path, o, &am, sel, names, &n_sel, err)) < 0) goto cleanup;
    if ((rc = read_cells(rd, path, sel, n_sel, &am, &c, err)) < 0) goto cleanup;
    if (am.counts.n_treatment == 0 || am.counts.n_control == 0) {
        const char *v = am.counts.n_treatment == 0 ? o->treatment : o->control;
        char q[128];
        xs__error_quote(q, sizeof q, v, strlen(v));
        rc = xs__error_set(err, XS_EINVAL, path, 0, o->treatment_col,
                           "no row has the %s value %s",
                           am.counts.n_treatment == 0 ? "treatment" : "control", q);
        goto cleanup;
    }
    if ((rc = start_data(path, &c, &d, err)) < 0) goto cleanup;
    d->counts = am.counts;
    if (!(d->treatment_col = xs__strdup(o->treatment_col)) ||
        !(d->treatment = xs__strdup(o->treatment)) ||
        !(d->control = xs__strdup(o->control)) ||
        !(d->outcome = xs__strdup(o->outcome)) ||
        (o->positive && !(d->positive = xs__strdup(o->positive)))) {
        rc = nomem(err);
        goto cleanup;
    }
    d->group = c.group;
    d->y = c.y;
    c.group = NULL;
    c.y = NULL;
    if (fit_encoding(&d->enc, names, &c) < 0) {
        rc = nomem(err);
        goto cleanup;
    }
    if ((rc = encode(d, &c, err)) < 0) goto cleanup;
    *out = d;
    d = NULL;
    rc = XS_OK;
cleanup:
    xs__io_reader_close(rd);
    xs__free(sel);
    xs__free(names);
    cells_free(&c);
    xs_uplift_data_free(d);
    return rc;
}

int xs_uplift_data_read_for_model(const char *path, const xs_uplift_model *m,
                                  char delimiter, xs_uplift_data **out, xs_error *err)
{
    xs__io_reader *rd = NULL;
    xs_uplift_data *d = NULL;
    size_t *sel = NULL;
    cells c;
    int rc;
    const xs__score_churn_enc *e = xs__score_uplift_model_enc(m);
    memset(&c, 0, sizeof c);
    xs__arena_init(&c.a, 0);
    *out = NULL;
    if ((rc = xs__io_reader_open(&rd, path, XS_INPUT_CSV, delimiter ? delimiter : ',',
                                 err)) < 0)
        goto cleanup;
    if (!(sel = xs__calloc(e->n_cols ? e->n_cols : 1, sizeof *sel))) {
        rc = nomem(err);
        goto cleanup;
    }
    for (size_t k = 0; k < e->n_cols; k++) {
        long col = find_col(rd, e->cols[k].name);
        if (col < 0) {
            char q[128];
            xs__error_quote(q, sizeof q, e->cols[k].name, strlen(e->cols[k].name));
            rc = xs__error_set(err, XS_ENOTFOUND, path, 0, NULL,
                               "column %s of the model is missing", q);
            goto cleanup;
        }
        sel[k] = (size_t)col;
    }
    if ((rc = read_cells(rd, path, sel, e->n_cols, NULL, &c, err)) < 0) goto cleanup;
    if ((rc = start_data(path, &c, &d, err)) < 0) goto cleanup;
    d->counts.n = d->counts.n_other = c.n;
    if (xs__score_churn_enc_copy(&d->enc, e) < 0) {
        rc = nomem(err);
        goto cleanup;
    }
    if ((rc = encode(d, &c, err)) < 0) goto cleanup;
    *out = d;
    d = NULL;
    rc = XS_OK;
cleanup:
    xs__io_reader_close(rd);
    xs__free(sel);
    cells_free(&c);
    xs_uplift_data_free(d);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Accessors                                                               */
/* ---------------------------------------------------------------------- */

/* Contract in uplift.h. */
int xs__score_uplift_data_from_churn(const xs_churn_data *cd, const signed char *group,
                                     const unsigned char *y, xs_uplift_data **out,
                                     xs_error *err)
{
    size_t n = cd->n, p = cd->enc.n_features;
    xs_uplift_data *d = xs__calloc(1, sizeof *d);
    *out = NULL;
    if (!d || !(d->path = xs__strdup(cd->path ? cd->path : "table")) ||
        xs__score_churn_enc_copy(&d->enc, &cd->enc) < 0 ||
        !(d->x = xs__malloc((n * p != 0 ? n * p : 1) * sizeof *d->x)) ||
        !(d->lines = xs__malloc((n ? n : 1) * sizeof *d->lines)) ||
        (group && !(d->group = xs__malloc(n ? n : 1))) ||
        (y && !(d->y = xs__malloc(n ? n : 1))) ||
        !(d->info = xs__calloc(cd->enc.n_cols ? cd->enc.n_cols : 1, sizeof *d->info))) {
        xs_uplift_data_free(d);
        return nomem(err);
    }
    if (n * p != 0) memcpy(d->x, cd->x, n * p * sizeof *d->x);
    for (size_t c = 0; c < cd->enc.n_cols; c++)
        d->info[c] = cd->info[c], d->info[c].name = d->enc.cols[c].name;
    d->n = n;
    d->counts.n = n;
    for (size_t i = 0; i < n; i++) {
        d->lines[i] = (long)i + 1;
        int g = group ? group[i] : -1;
        if (group) d->group[i] = (signed char)g;
        if (y) d->y[i] = y[i];
        if (g == 1) {
            d->counts.n_treatment++;
            d->counts.n_treatment_pos += y && y[i];
        } else if (g == 0) {
            d->counts.n_control++;
            d->counts.n_control_pos += y && y[i];
        } else
            d->counts.n_other++;
    }
    *out = d;
    return XS_OK;
}

const xs_uplift_counts *xs_uplift_data_counts(const xs_uplift_data *d)
{
    return &d->counts;
}

long xs_uplift_data_line(const xs_uplift_data *d, size_t i)
{
    return d->lines[i];
}

int xs_uplift_data_group(const xs_uplift_data *d, size_t i)
{
    return d->group ? d->group[i] : -1;
}

int xs_uplift_data_outcome(const xs_uplift_data *d, size_t i)
{
    return d->y ? d->y[i] : -1;
}

size_t xs_uplift_data_n_features(const xs_uplift_data *d)
{
    return d->enc.n_features;
}

size_t xs_uplift_data_n_columns(const xs_uplift_data *d)
{
    return d->enc.n_cols;
}

const xs_churn_column *xs_uplift_data_column(const xs_uplift_data *d, size_t c)
{
    return &d->info[c];
}
