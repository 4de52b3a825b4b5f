/*
 * experiment.c — lift analysis of an experiment: reads one row per unit
 * (group label, metrics, optional pre-period covariate), checks the sample
 * ratio against the planned split, and compares every group with the
 * control for every metric (statistics in stats.c), with and without CUPED
 * variance reduction.
 *
 * Layout and order: values are kept in columns; for the analysis each
 * metric is gathered group by group (groups in bytewise label order, rows of
 * a group in file order), so every sum runs in one fixed order and the
 * output is the same to the last digit on every run.
 *
 * CUPED (Deng et al., 2013): with a pre-period covariate X unaffected by the
 * treatment, Y' = Y - theta (X - mean X) has the same expected difference
 * between groups as Y and variance (1 - rho²) var(Y) for the theta that
 * minimises it, theta = cov(Y, X) / var(X). theta and mean X are computed
 * over all units of all groups together (one theta for the experiment, so
 * the adjustment is the same function in every group and cannot bias the
 * difference).
 */
#include "measure/experiment.h"

#include "base/alloc.h"
#include "base/error.h"
#include "io/reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Methods                                                                 */
/* ---------------------------------------------------------------------- */

static const char *const method_names[] = {"auto", "proportion", "welch", "bootstrap"};

int xs_exp_method_parse(const char *s, xs_exp_method *out)
{
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (!strcmp(s, method_names[i])) {
            *out = (xs_exp_method)i;
            return XS_OK;
        }
    return XS_EINVAL;
}

const char *xs_exp_method_name(xs_exp_method m)
{
    return (unsigned)m < sizeof method_names / sizeof method_names[0] ? method_names[m]
                                                                      : "unknown";
}

/* ---------------------------------------------------------------------- */
/* Data                                                                    */
/* ---------------------------------------------------------------------- */

void xs_exp_data_free(xs_exp_data *d)
{
    if (!d) return;
    xs__free(d->group_col);
    for (size_t m = 0; m < d->n_metrics; m++) {
        if (d->metric_names) xs__free(d->metric_names[m]);
        if (d->vals) xs__free(d->vals[m]);
    }
    xs__free(d->metric_names);
    xs__free(d->vals);
    xs__free(d->cov_name);
    xs__free(d->cov);
    xs__free(d->grp);
    xs__intern_free(&d->labels);
    xs__free(d);
}

int xs_exp_data_new(const char *group_column, const char *const *metric_names,
                    size_t n_metrics, const char *covariate, xs_exp_data **out)
{
    *out = NULL;
    xs_exp_data *d = xs__calloc(1, sizeof *d);
    if (!d) return XS_ENOMEM;
    xs__intern_init(&d->labels);
    d->n_metrics = n_metrics;
    d->group_col = xs__strdup(group_column ? group_column : "group");
    d->metric_names = xs__calloc(n_metrics ? n_metrics : 1, sizeof *d->metric_names);
    d->vals = xs__calloc(n_metrics ? n_metrics : 1, sizeof *d->vals);
    if (!d->group_col || !d->metric_names || !d->vals) goto nomem;
    for (size_t m = 0; m < n_metrics; m++)
        if (!(d->metric_names[m] = xs__strdup(metric_names[m]))) goto nomem;
    if (covariate && !(d->cov_name = xs__strdup(covariate))) goto nomem;
    *out = d;
    return XS_OK;
nomem:
    xs_exp_data_free(d);
    return XS_ENOMEM;
}

/* Makes room for one more row. */
static int reserve(xs_exp_data *d)
{
    if (d->n < d->cap) return XS_OK;
    size_t cap = d->cap ? 2 * d->cap : 1024;
    uint32_t *g = xs__realloc(d->grp, cap * sizeof *g);
    if (!g) return XS_ENOMEM;
    d->grp = g;
    for (size_t m = 0; m < d->n_metrics; m++) {
        double *v = xs__realloc(d->vals[m], cap * sizeof *v);
        if (!v) return XS_ENOMEM;
        d->vals[m] = v;
    }
    if (d->cov_name) {
        double *v = xs__realloc(d->cov, cap * sizeof *v);
        if (!v) return XS_ENOMEM;
        d->cov = v;
    }
    d->cap = cap;
    return XS_OK;
}

/* Appends a row whose values are already checked. */
static int add_row(xs_exp_data *d, const char *label, size_t len, const double *values,
                   double covariate)
{
    if (reserve(d) < 0) return XS_ENOMEM;
    uint32_t id = xs__intern_add(&d->labels, label, len);
    if (id == XS_INTERN_NONE) return XS_ENOMEM;
    d->grp[d->n] = id;
    for (size_t m = 0; m < d->n_metrics; m++)
        d->vals[m][d->n] = values[m];
    if (d->cov_name) d->cov[d->n] = covariate;
    d->n++;
    return XS_OK;
}

int xs_exp_data_add(xs_exp_data *d, const char *group, const double *values,
                    double covariate)
{
    for (size_t m = 0; m < d->n_metrics; m++)
        if (!isfinite(values[m])) return XS_EINVAL;
    if (d->cov_name && !isfinite(covariate)) return XS_EINVAL;
    return add_row(d, group, strlen(group), values, covariate);
}

size_t xs_exp_data_rows(const xs_exp_data *d)
{
    return d->n;
}

/* Index of the field named `name`, or -1. */
static long find_field(const xs__io_reader *r, const char *name)
{
    size_t n = xs__io_reader_n_fields(r);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(xs__io_reader_field_name(r, i), name)) return (long)i;
    return -1;
}

/* XS_ENOTFOUND for an unknown column, listing the columns of the file. */
static int unknown_column(const xs__io_reader *r, const char *opt, const char *name,
                          xs_error *err)
{
    char list[400] = "";
    size_t used = 0, n = xs__io_reader_n_fields(r);
    for (size_t i = 0; i < n && used + 8 < sizeof list; i++) {
        int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                         xs__io_reader_field_name(r, i));
        if (k < 0 || (size_t)k >= sizeof list - used) {
            snprintf(list + used, sizeof list - used, ", ...");
            break;
        }
        used += (size_t)k;
    }
    char q[128];
    xs__error_quote(q, sizeof q, name, strlen(name));
    return xs__error_param(err, XS_ENOTFOUND, NULL, opt,
                           "unknown column %s (columns: %s)", q, list);
}

/* Exact powers of ten: every one up to 1e22 is a double without rounding. */
static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/*
 * Fast path for the common "[-]digits[.digits]" with at most 15 significant
 * digits: the digits form an integer m < 2^53 (exact in a double) and the
 * value is m / 10^k, one correctly rounded division of two exact doubles,
 * hence bit-identical to strtod's correctly rounded result (Clinger 1990).
 * Returns 0, or -1 when the text needs the general parser.
 */
static int parse_simple(const char *s, size_t len, double *out)
{
    size_t i = 0, digits = 0, frac = 0;
    int neg = 0, dot = 0;
    uint64_t m = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == len) return -1;
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (++digits > 15) return -1;
            m = m * 10 + (uint64_t)(c - '0');
            frac += (size_t)dot;
        } else if (c == '.' && !dot) {
            dot = 1;
        } else {
            return -1;
        }
    }
    if (!digits) return -1;
    double v = (double)m / pow10_exact[frac];
    *out = neg ? -v : v;
    return 0;
}

int xs__measure_exp_parse_number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) return -1;
    if (parse_simple(s, len, out) == 0) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (end == buf || *end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Parses a whole field as a finite number. */
static int parse_number(const xs__field *f, double *out)
{
    return f->present ? xs__measure_exp_parse_number(f->ptr, f->len, out) : -1;
}

int xs_exp_data_read(const char *path, const xs_exp_read_opts *o, xs_exp_data **out,
                     xs_error *err)
{
    xs__io_reader *r = NULL;
    xs_exp_data *d = NULL;
    long *cols = NULL;
    double *row = NULL;
    long gcol, ccol = -1;
    int rc;
    *out = NULL;
    if (!o->group || !o->n_metrics)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                             "a group column and a metric "
                             "are required");
    rc = xs__io_reader_open(&r, path, XS_INPUT_CSV, o->delimiter ? o->delimiter : ',',
                            err);
    if (rc < 0) return rc;
    cols = xs__calloc(o->n_metrics, sizeof *cols);
    row = xs__calloc(o->n_metrics, sizeof *row);
    if (!cols || !row) goto nomem;
    if ((gcol = find_field(r, o->group)) < 0) {
        rc = unknown_column(r, "group", o->group, err);
        goto cleanup;
    }
    for (size_t m = 0; m < o->n_metrics; m++)
        if ((cols[m] = find_field(r, o->metrics[m])) < 0) {
            rc = unknown_column(r, "metric", o->metrics[m], err);
            goto cleanup;
        }
    if (o->covariate && (ccol = find_field(r, o->covariate)) < 0) {
        rc = unknown_column(r, "covariate", o->covariate, err);
        goto cleanup;
    }
    if ((rc = xs_exp_data_new(o->group, o->metrics, o->n_metrics, o->covariate, &d)) < 0)
        goto cleanup;
    for (;;) {
        const xs__field *f;
        long line;
        rc = xs__io_reader_next(r, &f, &line, err);
        if (rc < 0) goto cleanup;
        if (rc == 0) break;
        for (size_t m = 0; m < o->n_metrics; m++)
            if (parse_number(&f[cols[m]], &row[m]) < 0) {
                char q[128];
                xs__error_quote(q, sizeof q, f[cols[m]].ptr, f[cols[m]].len);
                rc = xs__error_set(err, XS_EINVAL, path, line, o->metrics[m],
                                   "not a number: %s", q);
                goto cleanup;
            }
        double x = 0;
        if (ccol >= 0 && parse_number(&f[ccol], &x) < 0) {
            char q[128];
            xs__error_quote(q, sizeof q, f[ccol].ptr, f[ccol].len);
            rc = xs__error_set(err, XS_EINVAL, path, line, o->covariate,
                               "not a number: %s", q);
            goto cleanup;
        }
        if (f[gcol].len == 0) {
            rc = xs__error_set(err, XS_EINVAL, path, line, o->group, "empty group label");
            goto cleanup;
        }
        if (add_row(d, f[gcol].ptr, f[gcol].len, row, x) < 0) goto nomem;
    }
    if (d->n == 0) {
        rc = xs__error_set(err, XS_EINVAL, path, 0, NULL, "no data rows");
        goto cleanup;
    }
    *out = d;
    d = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs__io_reader_close(r);
    xs__free(cols);
    xs__free(row);
    xs_exp_data_free(d);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Analysis                                                                */
/* ---------------------------------------------------------------------- */

struct xs_exp_result {
    size_t n_groups;
    xs_exp_group *groups;
    char **labels; /* owned copies, by group position */
    size_t n_metrics;
    char **metrics; /* owned copies */
    xs_exp_srm srm;
    size_t n_rows;
    xs_exp_row *rows;
    int has_cuped;
};

void xs_exp_result_free(xs_exp_result *r)
{
    if (!r) return;
    for (size_t i = 0; r->labels && i < r->n_groups; i++)
        xs__free(r->labels[i]);
    for (size_t i = 0; r->metrics && i < r->n_metrics; i++)
        xs__free(r->metrics[i]);
    xs__free(r->labels);
    xs__free(r->metrics);
    xs__free(r->groups);
    xs__free(r->rows);
    xs__free(r);
}

size_t xs_exp_result_n_groups(const xs_exp_result *r)
{
    return r->n_groups;
}

const xs_exp_group *xs_exp_result_group(const xs_exp_result *r, size_t i)
{
    return &r->groups[i];
}

const xs_exp_srm *xs_exp_result_srm(const xs_exp_result *r)
{
    return &r->srm;
}

size_t xs_exp_result_n_rows(const xs_exp_result *r)
{
    return r->n_rows;
}

const xs_exp_row *xs_exp_result_row(const xs_exp_result *r, size_t i)
{
    return &r->rows[i];
}

int xs_exp_result_has_cuped(const xs_exp_result *r)
{
    return r->has_cuped;
}

typedef struct label_ref {
    const char *s;
    uint32_t id;
} label_ref;

static int cmp_label(const void *a, const void *b)
{
    return strcmp(((const label_ref *)a)->s, ((const label_ref *)b)->s);
}

/* Compares treatment values t with control values c by `method`. */
static int compare(xs_exp_method method, const double *t, size_t nt, const double *c,
                   size_t nc, const xs_exp_opts *o, uint64_t seed,
                   xs__measure_exp_cmp *out)
{
    double mt, vt, mc, vc;
    if (method == XS_EXP_BOOTSTRAP)
        return xs__measure_exp_bootstrap(t, nt, c, nc, o->n_boot ? o->n_boot : 2000, seed,
                                         o->level > 0 ? o->level : 0.95, out);
    xs__measure_exp_mean_var(t, nt, &mt, &vt);
    xs__measure_exp_mean_var(c, nc, &mc, &vc);
    if (method == XS_EXP_PROPORTION)
        xs__measure_exp_prop(mt, nt, mc, nc, o->level > 0 ? o->level : 0.95, out);
    else
        xs__measure_exp_welch(mt, vt, nt, mc, vc, nc, o->level > 0 ? o->level : 0.95,
                              out);
    return XS_OK;
}

/* The groups of an analysis in label order, with their rows. */
typedef struct exp_groups {
    size_t k;        /* groups */
    size_t ctl;      /* the control's position */
    uint32_t *order; /* position -> label id */
    uint32_t *pos;   /* label id -> position */
    size_t *count;   /* rows per group */
    size_t *start;   /* group g's rows are idx[start[g] .. start[g + 1]) */
    size_t *fill;
    size_t *idx; /* row numbers grouped, in file order within a group */
} exp_groups;

static void groups_free(exp_groups *G)
{
    xs__free(G->order);
    xs__free(G->pos);
    xs__free(G->count);
    xs__free(G->start);
    xs__free(G->fill);
    xs__free(G->idx);
}

/* Orders the groups by label and counts their rows (G zeroed before).
 * XS_OK or XS_ENOMEM. */
static int groups_count(const xs_exp_data *d, uint32_t cid, exp_groups *G)
{
    size_t k = G->k = d->labels.n;
    G->order = xs__malloc(k * sizeof *G->order);
    G->pos = xs__malloc(k * sizeof *G->pos);
    G->count = xs__calloc(k, sizeof *G->count);
    G->start = xs__calloc(k + 1, sizeof *G->start);
    G->fill = xs__calloc(k, sizeof *G->fill);
    G->idx = xs__malloc(d->n * sizeof *G->idx);
    if (!G->order || !G->pos || !G->count || !G->start || !G->fill || !G->idx)
        return XS_ENOMEM;
    label_ref *refs = xs__malloc(k * sizeof *refs);
    if (!refs) return XS_ENOMEM;
    for (uint32_t g = 0; g < k; g++)
        refs[g] = (label_ref){xs__intern_str(&d->labels, g), g};
    qsort(refs, k, sizeof *refs, cmp_label);
    for (size_t i = 0; i < k; i++)
        G->order[i] = refs[i].id;
    xs__free(refs);
    for (size_t i = 0; i < k; i++)
        G->pos[G->order[i]] = (uint32_t)i;
    G->ctl = G->pos[cid];
    for (size_t i = 0; i < d->n; i++)
        G->count[G->pos[d->grp[i]]]++;
    return XS_OK;
}

/* At least two groups of two rows each, and an expected split of one
 * positive share per group. XS_OK or XS_EINVAL with err set. */
static int groups_check(const xs_exp_data *d, const xs_exp_opts *o, const exp_groups *G,
                        xs_error *err)
{
    size_t k = G->k;
    if (k < 2) {
        char q[128];
        xs__error_quote(q, sizeof q, o->control, strlen(o->control));
        return xs__error_set(err, XS_EINVAL, NULL, 0, d->group_col,
                             "only one group (%s); at least 2 are needed", q);
    }
    for (size_t g = 0; g < k; g++)
        if (G->count[g] < 2) {
            const char *l = xs__intern_str(&d->labels, G->order[g]);
            char q[128];
            xs__error_quote(q, sizeof q, l, strlen(l));
            return xs__error_set(err, XS_EINVAL, NULL, 0, d->group_col,
                                 "group %s has %zu row%s; at least 2 are needed", q,
                                 G->count[g], G->count[g] == 1 ? "" : "s");
        }
    if (o->expected && o->n_expected != k) {
        char list[300] = "";
        size_t used = 0;
        for (size_t g = 0; g < k && used + 8 < sizeof list; g++) {
            int n = snprintf(list + used, sizeof list - used, "%s%s", g ? ", " : "",
                             xs__intern_str(&d->labels, G->order[g]));
            if (n < 0 || (size_t)n >= sizeof list - used) break;
            used += (size_t)n;
        }
        return xs__error_param(err, XS_EINVAL, NULL, "expected_split",
                               "%zu part%s for %zu groups (%s)", o->n_expected,
                               o->n_expected == 1 ? "" : "s", k, list);
    }
    for (size_t g = 0; o->expected && g < k; g++)
        if (!(isfinite(o->expected[g]) && o->expected[g] > 0))
            return xs__error_param(err, XS_EINVAL, NULL, "expected_split",
                                   "shares must be numbers > 0");
    return XS_OK;
}

/* A result with its groups (label, rows, share, expected share) and the
 * sample-ratio check; rows and metrics allocated, not filled. XS_OK or
 * XS_ENOMEM (*out then partly built: the caller frees it). */
static int result_new(const xs_exp_data *d, const xs_exp_opts *o, const exp_groups *G,
                      xs_exp_result **out)
{
    size_t k = G->k;
    xs_exp_result *res = *out = xs__calloc(1, sizeof *res);
    if (!res) return XS_ENOMEM;
    res->n_groups = k;
    res->n_metrics = d->n_metrics;
    res->has_cuped = d->cov_name != NULL;
    res->groups = xs__calloc(k, sizeof *res->groups);
    res->labels = xs__calloc(k, sizeof *res->labels);
    res->metrics = xs__calloc(d->n_metrics ? d->n_metrics : 1, sizeof *res->metrics);
    res->n_rows = d->n_metrics * k;
    res->rows = xs__calloc(res->n_rows ? res->n_rows : 1, sizeof *res->rows);
    if (!res->groups || !res->labels || !res->metrics || !res->rows) return XS_ENOMEM;
    double wsum = 0;
    for (size_t g = 0; g < k; g++)
        wsum += o->expected ? o->expected[g] : 1.0;
    for (size_t g = 0; g < k; g++) {
        if (!(res->labels[g] = xs__strdup(xs__intern_str(&d->labels, G->order[g]))))
            return XS_ENOMEM;
        res->groups[g].label = res->labels[g];
        res->groups[g].n = G->count[g];
        res->groups[g].share = (double)G->count[g] / (double)d->n;
        res->groups[g].expected = (o->expected ? o->expected[g] : 1.0) / wsum;
    }
    xs__measure_exp_srm(G->count, o->expected, k, o->srm_alpha > 0 ? o->srm_alpha : 0.001,
                        &res->srm);
    return XS_OK;
}

/* The values of one metric, grouped (y), and its CUPED-adjusted copy (yc)
 * against the grouped covariate x: one metric's scratch. */
typedef struct exp_metric {
    double *y, *yc, *x;
    double theta, vr; /* CUPED's theta and variance reduction, NaN without */
} exp_metric;

/* The group-g row of metric m, without a comparison yet. */
static void row_start(xs_exp_result *res, const exp_groups *G, const exp_metric *M,
                      size_t m, size_t g, xs_exp_method method)
{
    xs_exp_row *row = &res->rows[m * G->k + g];
    double var;
    row->metric = res->metrics[m];
    row->group = res->labels[g];
    row->n = G->count[g];
    xs__measure_exp_mean_var(M->y + G->start[g], G->count[g], &row->mean, &var);
    row->sd = sqrt(var);
    row->is_control = g == G->ctl;
    row->method = method;
    row->theta = M->theta;
    row->var_reduction = M->vr;
    row->lift = row->lift_lo = row->lift_hi = NAN;
    row->rel = row->rel_lo = row->rel_hi = row->p = row->df = NAN;
    row->cuped_lift = row->cuped_lo = row->cuped_hi = NAN;
    row->cuped_rel = row->cuped_rel_lo = row->cuped_rel_hi = row->cuped_p = NAN;
}

/* Group g against the control on metric m: the plain comparison, and the
 * CUPED-adjusted one when there is a covariate. XS_OK or XS_ENOMEM. */
static int row_compare(const xs_exp_data *d, const xs_exp_opts *o, const exp_groups *G,
                       const exp_metric *M, size_t m, size_t g, xs_exp_method method,
                       xs_exp_row *row)
{
    size_t nt = G->count[g], nc = G->count[G->ctl];
    /* one bootstrap stream per (metric, group), whatever else is asked */
    uint64_t seed =
        (o->seed ? o->seed : 1) * 0x9e3779b97f4a7c15ULL + (uint64_t)m * 1000003u + g;
    xs__measure_exp_cmp cmp;
    if (compare(method, M->y + G->start[g], nt, M->y + G->start[G->ctl], nc, o, seed,
                &cmp) < 0)
        return XS_ENOMEM;
    row->lift = cmp.lift;
    row->lift_lo = cmp.lo;
    row->lift_hi = cmp.hi;
    row->rel = cmp.rel;
    row->rel_lo = cmp.rel_lo;
    row->rel_hi = cmp.rel_hi;
    row->p = cmp.p;
    row->df = cmp.df;
    if (!d->cov) return XS_OK;
    /* adjusted values are not 0/1: Welch unless bootstrap */
    xs_exp_method cm = method == XS_EXP_BOOTSTRAP ? XS_EXP_BOOTSTRAP : XS_EXP_WELCH;
    if (compare(cm, M->yc + G->start[g], nt, M->yc + G->start[G->ctl], nc, o, seed,
                &cmp) < 0)
        return XS_ENOMEM;
    row->cuped_lift = cmp.lift;
    row->cuped_lo = cmp.lo;
    row->cuped_hi = cmp.hi;
    row->cuped_rel = cmp.rel;
    row->cuped_rel_lo = cmp.rel_lo;
    row->cuped_rel_hi = cmp.rel_hi;
    row->cuped_p = cmp.p;
    return XS_OK;
}

/* The rows of metric m: its values grouped, its method (auto: proportion
 * for 0/1 values, else Welch), the CUPED adjustment, then every group
 * against the control. XS_OK, XS_ENOMEM (err not set) or XS_EINVAL. */
static int analyze_metric(const xs_exp_data *d, const xs_exp_opts *o, const exp_groups *G,
                          exp_metric *M, size_t m, xs_exp_result *res, xs_error *err)
{
    if (!(res->metrics[m] = xs__strdup(d->metric_names[m]))) return XS_ENOMEM;
    const double *v = d->vals[m];
    double *y = M->y, *yc = M->yc, *x = M->x;
    int binary = 1;
    for (size_t i = 0; i < d->n; i++) {
        y[i] = v[G->idx[i]];
        if (y[i] != 0 && y[i] != 1) binary = 0;
    }
    xs_exp_method method = o->method;
    if (method == XS_EXP_AUTO) method = binary ? XS_EXP_PROPORTION : XS_EXP_WELCH;
    if (method == XS_EXP_PROPORTION && !binary)
        return xs__error_set(err, XS_EINVAL, NULL, 0, d->metric_names[m],
                             "method proportion needs values 0 and 1 only");
    /* CUPED-adjusted copy */
    M->theta = M->vr = NAN;
    if (d->cov) {
        double mx, my, vy, myc, vyc;
        M->theta = xs__measure_exp_cuped_theta(y, x, d->n, &mx);
        for (size_t i = 0; i < d->n; i++)
            yc[i] = y[i] - M->theta * (x[i] - mx);
        xs__measure_exp_mean_var(y, d->n, &my, &vy);
        xs__measure_exp_mean_var(yc, d->n, &myc, &vyc);
        M->vr = vy > 0 ? 1 - vyc / vy : 0;
    }
    for (size_t g = 0; g < G->k; g++) {
        row_start(res, G, M, m, g, method);
        if (g == G->ctl) continue;
        if (row_compare(d, o, G, M, m, g, method, &res->rows[m * G->k + g]) < 0)
            return XS_ENOMEM;
    }
    return XS_OK;
}

int xs_exp_analyze(const xs_exp_data *d, const xs_exp_opts *o, xs_exp_result **out,
                   xs_error *err)
{
    int rc = XS_OK;
    xs_exp_result *res = NULL;
    exp_groups G = {0};
    exp_metric M = {0};
    double level = o->level > 0 ? o->level : 0.95;
    *out = NULL;

    if (!o->control)
        return xs__error_param(err, XS_EINVAL, NULL, "control", "no control group given");
    if (!(level > 0 && level < 1))
        return xs__error_param(err, XS_EINVAL, NULL, "level",
                               "must be between 0 and 1, got %g", level);
    if (d->n == 0) return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no data rows");
    uint32_t cid = xs__intern_find(&d->labels, o->control, strlen(o->control));
    if (cid == XS_INTERN_NONE) {
        char q[128];
        xs__error_quote(q, sizeof q, o->control, strlen(o->control));
        return xs__error_param(err, XS_ENOTFOUND, NULL, "control", "no rows with %s = %s",
                               d->group_col, q);
    }
    if (groups_count(d, cid, &G) < 0) goto nomem;
    if ((rc = groups_check(d, o, &G, err)) < 0) goto cleanup;
    /* rows grouped: idx[start[g] .. start[g+1]) in file order */
    for (size_t g = 0; g < G.k; g++)
        G.start[g + 1] = G.start[g] + G.count[g];
    for (size_t i = 0; i < d->n; i++) {
        size_t g = G.pos[d->grp[i]];
        G.idx[G.start[g] + G.fill[g]++] = i;
    }
    if (result_new(d, o, &G, &res) < 0) goto nomem;

    M.y = xs__malloc(d->n * sizeof *M.y);
    M.yc = xs__malloc(d->n * sizeof *M.yc);
    M.x = d->cov ? xs__malloc(d->n * sizeof *M.x) : NULL;
    if (!M.y || !M.yc || (d->cov && !M.x)) goto nomem;
    if (d->cov)
        for (size_t i = 0; i < d->n; i++)
            M.x[i] = d->cov[G.idx[i]];
    for (size_t m = 0; m < d->n_metrics; m++) {
        rc = analyze_metric(d, o, &G, &M, m, res, err);
        if (rc == XS_ENOMEM) goto nomem;
        if (rc < 0) goto cleanup;
    }
    *out = res;
    res = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs_exp_result_free(res);
    groups_free(&G);
    xs__free(M.y);
    xs__free(M.yc);
    xs__free(M.x);
    return rc;
}
