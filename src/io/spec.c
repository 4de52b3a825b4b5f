/*
 * spec.c — wide subscription exports through a mapping spec
 * (xs_import_spec), the library side of `xsell import --spec`.
 *
 * CRMs and billing systems export one row per account, with the plan, the
 * add-ons and the contract as columns ("InternetService = Fiber optic",
 * "OnlineSecurity = Yes", "Contract = Two year"). A spec, a small JSON file
 * the user writes (docs/import-spec.md), says what the columns mean: which
 * are customer fields, which values mean "holds product P", how contract
 * values map to terms in months, constants, a signup date derived from a
 * tenure, and which value marks a churned account.
 *
 * The work is in four steps, each reporting every error it can find before
 * giving up:
 *   1. read the spec (JSON errors as SPEC:LINE:COL, content errors as
 *      `SPEC: json.path: what`), check the products the holdings name;
 *   2. bind the spec's columns to the file's header (a missing column names
 *      the closest one the file has);
 *   3. turn every row into a customers row and its subscriptions rows, in
 *      memory (values the spec cannot map are `FILE:LINE: COLUMN: what`);
 *   4. hand the products, customers and subscriptions to xs_import_records,
 *      one transaction with the exact validation of a plain import. Its
 *      errors come back located by table and row index; they are translated
 *      to the line of the wide file and the column the value came from, or
 *      to the spec entry when the value came from the spec (reported once).
 * Nothing is written unless every step passed.
 */
#include "xsell.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/date.h"
#include "base/error.h"
#include "base/intern.h"
#include "base/money.h"
#include "base/progress.h"
#include "base/strdist.h"
#include "io/reader.h"
#include "io/validate.h"
#include "store/store_int.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_N 64     /* a JSON path in messages, like xs_error.column */
#define N_SUB_NAMES 7 /* fields of a subscriptions row we build */

/* ---------------------------------------------------------------------- */
/* The spec in memory                                                     */
/* ---------------------------------------------------------------------- */

/* Where the value of a customers field comes from. */
typedef enum src_kind {
    SRC_COLUMN = 0, /* a column, as is */
    SRC_MAP,        /* a column through a value map */
    SRC_CONST,      /* a constant */
    SRC_MONTHS      /* a date: as_of minus a column's number of months */
} src_kind;

typedef struct cfield {
    const char *field; /* customers field (borrowed from the JSON) */
    src_kind kind;
    const char *column; /* SRC_COLUMN / SRC_MAP / SRC_MONTHS */
    size_t col;         /* its index in the file's header */
    json_t *map;        /* SRC_MAP: their value -> our value */
    const char *dflt;   /* SRC_MAP: value of unmapped ones, or NULL */
    const char *value;  /* SRC_CONST */
    char path[PATH_N];  /* "customer.segment", "constants.consent_email" */
} cfield;

typedef struct holding {
    const char *column;
    size_t col;
    json_t *when;           /* with product: a string or an array of strings */
    const char *product;    /* with when */
    json_t *values;         /* or: an object value -> product id */
    json_t *none;           /* NULL, or the values meaning "holds nothing" */
    const char *unit_price; /* NULL: the product's price */
    char path[PATH_N];      /* "holdings[3]" */
} holding;

/* A column the spec names, bound to the header in step 2. */
typedef struct colref {
    const char *name;
    size_t *idx;
    char path[PATH_N];
} colref;

typedef struct spec {
    const char *path; /* the spec file (borrowed) */
    json_t *root;
    int32_t as_of;
    const char *id_col;
    size_t id_idx;
    cfield *cf;
    size_t n_cf;
    const char **drop;
    size_t n_drop, *drop_idx;
    json_t *products; /* array (validated by the import) or NULL */
    holding *h;
    size_t n_h;
    long term_const; /* > 0: every subscription has this term */
    const char *term_col;
    size_t term_idx;
    json_t *term_values;
    const char *churn_col;
    size_t churn_idx;
    json_t *churn_when;
    colref *refs;
    size_t n_refs, cap_refs;
    long signup_cf; /* index of the cfield of signup_date, -1 when none */
    int keep_source; /* "keep_source_columns": columns read by customer maps
                      * and holdings are kept as attrs too */
} spec;

static const char *const top_keys[] = {"as_of",   "id",    "customer", "constants",
                                       "derived", "drop",  "products", "holdings",
                                       "term",    "churn", "keep_source_columns", NULL};
static const char *const product_keys[] = {"product_id", "name",  "family",  "tier",
                                           "kind",       "price", "billing", "limits",
                                           "category",   NULL};

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

/* snprintf into a message buffer: paths and messages are cut when longer
 * than their buffer, which is what we want. */
static void fmt_to(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fmt_to(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

/* A spec content error: `SPEC: path: message`. Returns XS_EINVAL. */
static int bad(const spec *sp, xs_error *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bad(const spec *sp, xs_error *err, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return xs__error_set(err, XS_EINVAL, sp->path, 0, path, "%s", msg);
}

static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (names[n])
        n++;
    return n;
}

/* Writes `; did you mean "x"?` into buf when a name of names is close to
 * want, else an empty string. */
static void suggest(char *buf, size_t n, const char *want, const char *const *names,
                    size_t n_names)
{
    long i = xs__strdist_closest(want, names, n_names, NULL);
    if (i >= 0)
        snprintf(buf, n, "; did you mean \"%s\"?", names[i]);
    else if (n)
        buf[0] = '\0';
}

/* Checks that every key of obj is one of allowed (keys starting with '_'
 * are comments). Returns XS_OK or XS_EINVAL. */
static int check_keys(const spec *sp, json_t *obj, const char *const *allowed,
                      const char *path, xs_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        (void)v;
        if (key[0] == '_') continue;
        size_t i;
        for (i = 0; allowed[i]; i++)
            if (!strcmp(key, allowed[i])) break;
        if (allowed[i]) continue;
        char hint[128], q[96];
        suggest(hint, sizeof hint, key, allowed, count_names(allowed));
        xs__error_quote(q, sizeof q, key, strlen(key));
        return bad(sp, err, path[0] ? path : NULL, "unknown key %s%s", q, hint);
    }
    return XS_OK;
}

/* The text of a JSON scalar: a string as is, an integer in decimal, a real
 * with up to 15 significant digits (so 29.85 stays "29.85"), true / false
 * as 1 / 0. Returns NULL for null, arrays and objects. buf holds 32 bytes. */
static const char *scalar_text(json_t *v, char buf[32])
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return json_string_value(v);
    case JSON_INTEGER:
        snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
        return buf;
    case JSON_REAL:
        snprintf(buf, 32, "%.15g", json_real_value(v));
        return buf;
    case JSON_TRUE:
        return "1";
    case JSON_FALSE:
        return "0";
    default:
        return NULL;
    }
}

/* A string member `key` of obj at path (required or not). */
static int get_str(const spec *sp, json_t *obj, const char *key, int required,
                   const char *path, const char **out, xs_error *err)
{
    json_t *v = json_object_get(obj, key);
    char p[PATH_N];
    fmt_to(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", key);
    *out = NULL;
    if (!v) return required ? bad(sp, err, p, "missing") : XS_OK;
    if (!json_is_string(v) || !json_string_length(v))
        return bad(sp, err, p, "expected a non-empty string");
    *out = json_string_value(v);
    return XS_OK;
}

/* A "when" / "none" value: a string or a non-empty array of strings. */
static int check_values(const spec *sp, json_t *v, const char *path, xs_error *err)
{
    if (json_is_string(v)) return XS_OK;
    if (json_is_array(v) && json_array_size(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!json_is_string(e)) {
                char p[PATH_N];
                fmt_to(p, sizeof p, "%s[%zu]", path, i);
                return bad(sp, err, p, "expected a string");
            }
        }
        return XS_OK;
    }
    return bad(sp, err, path, "expected a string or an array of strings");
}

/* Whether (s, len) is v (a string) or one of v (an array of strings). */
static int has_value(json_t *v, const char *s, size_t len)
{
    if (!v) return 0;
    if (json_is_string(v))
        return json_string_length(v) == len && !memcmp(json_string_value(v), s, len);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (json_string_length(e) == len && !memcmp(json_string_value(e), s, len))
            return 1;
    }
    return 0;
}

/* Appends `"a", "b" or "c"` of the strings of v (string, array or the keys
 * of an object) to buf at *o. */
static void list_values(char *buf, size_t n, size_t *o, json_t **vs, size_t n_vs)
{
    size_t total = 0, k = 0;
    for (size_t j = 0; j < n_vs; j++) {
        json_t *v = vs[j];
        if (!v) continue;
        total += json_is_string(v)  ? 1
                 : json_is_array(v) ? json_array_size(v)
                                    : json_object_size(v);
    }
    for (size_t j = 0; j < n_vs; j++) {
        json_t *v = vs[j];
        if (!v) continue;
        size_t m = json_is_string(v)  ? 1
                   : json_is_array(v) ? json_array_size(v)
                                      : json_object_size(v);
        void *it = json_is_object(v) ? json_object_iter(v) : NULL;
        for (size_t i = 0; i < m; i++, k++) {
            const char *s;
            if (json_is_string(v))
                s = json_string_value(v);
            else if (json_is_array(v))
                s = json_string_value(json_array_get(v, i));
            else {
                s = json_object_iter_key(it);
                it = json_object_iter_next(v, it);
            }
            char q[96];
            xs__error_quote(q, sizeof q, s ? s : "", s ? strlen(s) : 0);
            const char *sep = k == 0 ? "" : k + 1 == total ? " or " : ", ";
            if (*o < n) {
                int w = snprintf(buf + *o, n - *o, "%s%s", sep, q);
                if (w > 0) *o += (size_t)w;
            }
        }
    }
    if (*o >= n) *o = n ? n - 1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Step 1: reading the spec                                               */
/* ---------------------------------------------------------------------- */

static int add_ref(spec *sp, const char *name, size_t *idx, const char *path)
{
    if (xs__grow(&sp->refs, &sp->cap_refs, sp->n_refs + 1, sizeof *sp->refs) < 0)
        return XS_ENOMEM;
    colref *r = &sp->refs[sp->n_refs++];
    r->name = name;
    r->idx = idx;
    fmt_to(r->path, sizeof r->path, "%s", path);
    return XS_OK;
}

/* Index of a customers field (other than customer_id), -1 when none. */
static long customers_field(const char *name)
{
    const xs__io_table_spec *ts = xs__io_validate_spec(XS_T_CUSTOMERS);
    for (size_t i = 1; i < ts->n_fields; i++)
        if (!strcmp(ts->fields[i].name, name)) return (long)i;
    return -1;
}

/* Checks that name is a customers field not set yet; returns XS_OK. */
static int check_cfield(const spec *sp, const char *name, const char *path, xs_error *err)
{
    if (customers_field(name) < 0) {
        const xs__io_table_spec *ts = xs__io_validate_spec(XS_T_CUSTOMERS);
        const char *names[32];
        size_t n = 0;
        for (size_t i = 1; i < ts->n_fields && n < 32; i++)
            names[n++] = ts->fields[i].name;
        char hint[128];
        suggest(hint, sizeof hint, name, names, n);
        return bad(sp, err, path, "not a customers field%s%s", hint,
                   !strcmp(name, "customer_id") ? " (the id comes from \"id\")" : "");
    }
    for (size_t i = 0; i < sp->n_cf; i++)
        if (!strcmp(sp->cf[i].field, name))
            return bad(sp, err, path, "%s is already set by %s", name, sp->cf[i].path);
    return XS_OK;
}

/* Checks a customers value that the spec itself gives (a constant, a mapped
 * value) with the field's validation. */
static int check_cvalue(const spec *sp, const char *field, const char *value,
                        const char *path, xs_error *err)
{
    const xs__io_field_spec *f =
        &xs__io_validate_spec(XS_T_CUSTOMERS)->fields[customers_field(field)];
    if (!value[0]) return XS_OK; /* empty: the field's default or missing */
    xs__store_value out;
    int32_t days;
    char scratch[16], msg[256];
    if (xs__io_validate_value(f, value, strlen(value), 2, &out, &days, scratch, msg,
                              sizeof msg) < 0)
        return bad(sp, err, path, "%s", msg);
    return XS_OK;
}

static int add_cfield(spec *sp, cfield *c)
{
    /* sp->cf was sized for the worst case up front */
    sp->cf[sp->n_cf++] = *c;
    return XS_OK;
}

static int parse_customer(spec *sp, json_t *obj, xs_error *err)
{
    const char *key;
    json_t *v;
    int rc;
    json_object_foreach(obj, key, v)
    {
        if (key[0] == '_') continue;
        cfield c;
        memset(&c, 0, sizeof c);
        fmt_to(c.path, sizeof c.path, "customer.%s", key);
        if ((rc = check_cfield(sp, key, c.path, err)) < 0) return rc;
        c.field = key;
        if (json_is_string(v) && json_string_length(v)) {
            c.kind = SRC_COLUMN;
            c.column = json_string_value(v);
        } else if (json_is_object(v)) {
            static const char *const keys[] = {"column", "map", "default", NULL};
            if ((rc = check_keys(sp, v, keys, c.path, err)) < 0) return rc;
            if ((rc = get_str(sp, v, "column", 1, c.path, &c.column, err)) < 0) return rc;
            c.kind = SRC_COLUMN;
            json_t *m = json_object_get(v, "map");
            if (m) {
                char p[PATH_N];
                fmt_to(p, sizeof p, "%s.map", c.path);
                if (!json_is_object(m) || !json_object_size(m))
                    return bad(sp, err, p,
                               "expected an object of \"their value\": "
                               "\"our value\"");
                const char *mk;
                json_t *mv;
                json_object_foreach(m, mk, mv)
                {
                    char q[96], buf[32], pk[PATH_N];
                    xs__error_quote(q, sizeof q, mk, strlen(mk));
                    fmt_to(pk, sizeof pk, "%s.%s", p, q);
                    const char *t = scalar_text(mv, buf);
                    if (!t) return bad(sp, err, pk, "expected a string or a number");
                    if ((rc = check_cvalue(sp, key, t, pk, err)) < 0) return rc;
                    if (!json_is_string(mv)) {
                        /* keep the text form of numbers and booleans */
                        json_t *s = json_string(t);
                        if (!s || json_object_set_new(m, mk, s) < 0) return XS_ENOMEM;
                    }
                }
                c.kind = SRC_MAP;
                c.map = m;
                json_t *d = json_object_get(v, "default");
                if (d) {
                    char pd[PATH_N], buf[32];
                    fmt_to(pd, sizeof pd, "%s.default", c.path);
                    const char *t = scalar_text(d, buf);
                    if (!t) return bad(sp, err, pd, "expected a string or a number");
                    if ((rc = check_cvalue(sp, key, t, pd, err)) < 0) return rc;
                    json_t *s = json_string(t);
                    if (!s || json_object_set_new(v, "default", s) < 0) return XS_ENOMEM;
                    c.dflt = json_string_value(json_object_get(v, "default"));
                }
            } else if (json_object_get(v, "default")) {
                char pd[PATH_N];
                fmt_to(pd, sizeof pd, "%s.default", c.path);
                return bad(sp, err, pd, "a default needs a map");
            }
        } else {
            return bad(sp, err, c.path,
                       "expected a column name or {\"column\": ..., \"map\": {...}}");
        }
        if ((rc = add_cfield(sp, &c)) < 0) return rc;
    }
    return XS_OK;
}

static int parse_constants(spec *sp, json_t *obj, xs_error *err)
{
    const char *key;
    json_t *v;
    int rc;
    json_object_foreach(obj, key, v)
    {
        if (key[0] == '_') continue;
        cfield c;
        memset(&c, 0, sizeof c);
        fmt_to(c.path, sizeof c.path, "constants.%s", key);
        if ((rc = check_cfield(sp, key, c.path, err)) < 0) return rc;
        char buf[32];
        const char *t = scalar_text(v, buf);
        if (!t) return bad(sp, err, c.path, "expected a string, a number or a boolean");
        if ((rc = check_cvalue(sp, key, t, c.path, err)) < 0) return rc;
        if (!json_is_string(v)) {
            json_t *s = json_string(t);
            if (!s || json_object_set_new(obj, key, s) < 0) return XS_ENOMEM;
            v = json_object_get(obj, key);
        }
        c.field = key;
        c.kind = SRC_CONST;
        c.value = json_string_value(v);
        if ((rc = add_cfield(sp, &c)) < 0) return rc;
    }
    return XS_OK;
}

static int parse_derived(spec *sp, json_t *obj, xs_error *err)
{
    const char *key;
    json_t *v;
    int rc;
    json_object_foreach(obj, key, v)
    {
        if (key[0] == '_') continue;
        cfield c;
        memset(&c, 0, sizeof c);
        fmt_to(c.path, sizeof c.path, "derived.%s", key);
        if ((rc = check_cfield(sp, key, c.path, err)) < 0) return rc;
        const xs__io_field_spec *f =
            &xs__io_validate_spec(XS_T_CUSTOMERS)->fields[customers_field(key)];
        if (f->type != XS__F_DATE)
            return bad(sp, err, c.path, "only date fields can be derived");
        static const char *const keys[] = {"months_before_as_of", NULL};
        if (!json_is_object(v))
            return bad(sp, err, c.path, "expected {\"months_before_as_of\": COLUMN}");
        if ((rc = check_keys(sp, v, keys, c.path, err)) < 0) return rc;
        if ((rc = get_str(sp, v, "months_before_as_of", 1, c.path, &c.column, err)) < 0)
            return rc;
        c.field = key;
        c.kind = SRC_MONTHS;
        if ((rc = add_cfield(sp, &c)) < 0) return rc;
    }
    return XS_OK;
}

static int parse_holding(spec *sp, json_t *v, size_t i, xs_error *err)
{
    static const char *const keys[] = {"column", "when",       "product", "values",
                                       "none",   "unit_price", NULL};
    holding *h = &sp->h[sp->n_h];
    memset(h, 0, sizeof *h);
    fmt_to(h->path, sizeof h->path, "holdings[%zu]", i);
    char p[PATH_N];
    int rc;
    if (!json_is_object(v)) return bad(sp, err, h->path, "expected an object");
    if ((rc = check_keys(sp, v, keys, h->path, err)) < 0) return rc;
    if ((rc = get_str(sp, v, "column", 1, h->path, &h->column, err)) < 0) return rc;
    h->when = json_object_get(v, "when");
    h->values = json_object_get(v, "values");
    if (h->when && h->values)
        return bad(sp, err, h->path,
                   "give either \"when\" with \"product\", or \"values\"");
    if (h->when) {
        fmt_to(p, sizeof p, "%s.when", h->path);
        if ((rc = check_values(sp, h->when, p, err)) < 0) return rc;
        if ((rc = get_str(sp, v, "product", 1, h->path, &h->product, err)) < 0) return rc;
    } else if (h->values) {
        fmt_to(p, sizeof p, "%s.values", h->path);
        if (!json_is_object(h->values) || !json_object_size(h->values))
            return bad(sp, err, p,
                       "expected an object of \"their value\": \"product_id\"");
        const char *k;
        json_t *pv;
        json_object_foreach(h->values, k, pv)
        {
            if (!json_is_string(pv) || !json_string_length(pv)) {
                char q[96], pk[PATH_N];
                xs__error_quote(q, sizeof q, k, strlen(k));
                fmt_to(pk, sizeof pk, "%s.%s", p, q);
                return bad(sp, err, pk, "expected a product id");
            }
        }
        if (json_object_get(v, "product")) {
            fmt_to(p, sizeof p, "%s.product", h->path);
            return bad(sp, err, p,
                       "\"product\" goes with \"when\"; \"values\" names the "
                       "products");
        }
    } else {
        return bad(sp, err, h->path,
                   "expected \"when\" with \"product\" (a Yes/No column) or \"values\" "
                   "(a column whose values name products)");
    }
    h->none = json_object_get(v, "none");
    if (h->none) {
        fmt_to(p, sizeof p, "%s.none", h->path);
        if ((rc = check_values(sp, h->none, p, err)) < 0) return rc;
    }
    json_t *up = json_object_get(v, "unit_price");
    if (up) {
        char buf[32];
        fmt_to(p, sizeof p, "%s.unit_price", h->path);
        const char *t =
            json_is_string(up) || json_is_number(up) ? scalar_text(up, buf) : NULL;
        if (!t) return bad(sp, err, p, "expected an amount");
        json_t *s = json_string(t);
        if (!s || json_object_set_new(v, "unit_price", s) < 0) return XS_ENOMEM;
        h->unit_price = json_string_value(json_object_get(v, "unit_price"));
    }
    fmt_to(p, sizeof p, "%s.column", h->path);
    if ((rc = add_ref(sp, h->column, &h->col, p)) < 0) return rc;
    sp->n_h++;
    return XS_OK;
}

static int parse_term(spec *sp, json_t *v, xs_error *err)
{
    int rc;
    if (json_is_integer(v)) {
        long long m = json_integer_value(v);
        if (m < 1 || m > XS__TERM_MAX)
            return bad(sp, err, "term", "expected a number of months 1 to %d, got %lld",
                       XS__TERM_MAX, m);
        sp->term_const = (long)m;
        return XS_OK;
    }
    static const char *const keys[] = {"column", "values", NULL};
    if (!json_is_object(v))
        return bad(sp, err, "term",
                   "expected a number of months or {\"column\": ..., \"values\": {...}}");
    if ((rc = check_keys(sp, v, keys, "term", err)) < 0) return rc;
    if ((rc = get_str(sp, v, "column", 1, "term", &sp->term_col, err)) < 0) return rc;
    json_t *m = json_object_get(v, "values");
    if (!m) return bad(sp, err, "term.values", "missing");
    if (!json_is_object(m) || !json_object_size(m))
        return bad(sp, err, "term.values",
                   "expected an object of \"their value\": number of months");
    const char *k;
    json_t *mv;
    json_object_foreach(m, k, mv)
    {
        char q[96], pk[PATH_N];
        xs__error_quote(q, sizeof q, k, strlen(k));
        fmt_to(pk, sizeof pk, "term.values.%s", q);
        if (!json_is_integer(mv) || json_integer_value(mv) < 1 ||
            json_integer_value(mv) > XS__TERM_MAX) {
            char buf[32];
            const char *t = scalar_text(mv, buf);
            char qv[96];
            xs__error_quote(qv, sizeof qv, t ? t : "", t ? strlen(t) : 0);
            return bad(sp, err, pk, "expected a number of months 1 to %d, got %s",
                       XS__TERM_MAX,
                       json_is_string(mv) ? qv
                       : t                ? t
                                          : "a list or an object");
        }
    }
    sp->term_values = m;
    return add_ref(sp, sp->term_col, &sp->term_idx, "term.column");
}

static int parse_churn(spec *sp, json_t *v, xs_error *err)
{
    static const char *const keys[] = {"column", "when", NULL};
    int rc;
    if (!json_is_object(v))
        return bad(sp, err, "churn", "expected {\"column\": ..., \"when\": ...}");
    if ((rc = check_keys(sp, v, keys, "churn", err)) < 0) return rc;
    if ((rc = get_str(sp, v, "column", 1, "churn", &sp->churn_col, err)) < 0) return rc;
    sp->churn_when = json_object_get(v, "when");
    if (!sp->churn_when) return bad(sp, err, "churn.when", "missing");
    if ((rc = check_values(sp, sp->churn_when, "churn.when", err)) < 0) return rc;
    return add_ref(sp, sp->churn_col, &sp->churn_idx, "churn.column");
}

static int parse_products(spec *sp, json_t *arr, xs_error *err)
{
    int rc;
    if (!json_is_array(arr)) return bad(sp, err, "products", "expected an array");
    size_t i;
    json_t *p;
    json_array_foreach(arr, i, p)
    {
        char path[PATH_N];
        fmt_to(path, sizeof path, "products[%zu]", i);
        if (!json_is_object(p)) return bad(sp, err, path, "expected an object");
        if ((rc = check_keys(sp, p, product_keys, path, err)) < 0) return rc;
        const char *k;
        json_t *v;
        json_object_foreach(p, k, v)
        {
            if (k[0] == '_') continue;
            char pk[PATH_N], buf[32];
            fmt_to(pk, sizeof pk, "%s.%s", path, k);
            const char *t = scalar_text(v, buf);
            if (!t && !json_is_null(v))
                return bad(sp, err, pk, "expected a string or a number");
            if (t && !json_is_string(v)) {
                json_t *s = json_string(t);
                if (!s || json_object_set_new(p, k, s) < 0) return XS_ENOMEM;
            }
        }
        const char *id;
        if ((rc = get_str(sp, p, "product_id", 1, path, &id, err)) < 0) return rc;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(id, json_string_value(
                                json_object_get(json_array_get(arr, j), "product_id")))) {
                char pk[PATH_N], q[96];
                fmt_to(pk, sizeof pk, "%s.product_id", path);
                xs__error_quote(q, sizeof q, id, strlen(id));
                return bad(sp, err, pk, "duplicate product %s (first at products[%zu])",
                           q, j);
            }
    }
    sp->products = arr;
    return XS_OK;
}

/* Opens and parses the spec file at path into sp->root. Returns XS_OK,
 * XS_EIO or XS_EPARSE (not JSON: SPEC:LINE:COL). */
static int spec_load(spec *sp, const char *path, xs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return xs__error_set(err, XS_EIO, path, 0, NULL, "cannot open: %s",
                             strerror(errno));
    json_error_t je;
    sp->root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err)
        return xs__error_set(err, XS_EIO, path, 0, NULL, "cannot read: %s",
                             strerror(errno));
    if (!sp->root) {
        /* SPEC:LINE:COL: what, as compilers write it */
        char where[300];
        fmt_to(where, sizeof where, "%s:%d:%d", path, je.line, je.column);
        return xs__error_set(err, XS_EPARSE, where, 0, NULL, "%s", je.text);
    }
    return XS_OK;
}

/* The customer fields of spec object r: its "customer", "constants" and
 * "derived" sections, each field's column reference, and which is the
 * signup_date (required). */
static int spec_fields(spec *sp, json_t *r, xs_error *err)
{
    int rc;
    json_t *cust = json_object_get(r, "customer"),
           *cons = json_object_get(r, "constants"), *der = json_object_get(r, "derived");
    static const char *const sect[] = {"customer", "constants", "derived"};
    json_t *sv[] = {cust, cons, der};
    size_t n_cf = 0;
    for (size_t s = 0; s < 3; s++) {
        if (sv[s] && !json_is_object(sv[s]))
            return bad(sp, err, sect[s], "expected an object");
        n_cf += sv[s] ? json_object_size(sv[s]) : 0;
    }
    sp->cf = xs__calloc(n_cf ? n_cf : 1, sizeof *sp->cf);
    if (!sp->cf) return XS_ENOMEM;
    if (cust && (rc = parse_customer(sp, cust, err)) < 0) return rc;
    if (cons && (rc = parse_constants(sp, cons, err)) < 0) return rc;
    if (der && (rc = parse_derived(sp, der, err)) < 0) return rc;
    for (size_t i = 0; i < sp->n_cf; i++) {
        cfield *c = &sp->cf[i];
        if (!strcmp(c->field, "signup_date")) sp->signup_cf = (long)i;
        if (c->kind == SRC_CONST) continue;
        char p[PATH_N];
        fmt_to(p, sizeof p, "%s%s", c->path,
               c->kind == SRC_MONTHS                             ? ".months_before_as_of"
               : json_is_object(json_object_get(cust, c->field)) ? ".column"
                                                                 : "");
        if ((rc = add_ref(sp, c->column, &c->col, p)) < 0) return rc;
    }
    if (sp->signup_cf < 0)
        return bad(sp, err, NULL,
                   "no signup_date: set it in \"customer\" (a column), \"constants\" or "
                   "\"derived\" (e.g. {\"months_before_as_of\": \"tenure\"})");
    return XS_OK;
}

/* The "drop" list of spec object r: source columns not to keep. */
static int spec_drop(spec *sp, json_t *r, xs_error *err)
{
    int rc;
    json_t *drop = json_object_get(r, "drop");
    if (drop) {
        if ((rc = check_values(sp, drop, "drop", err)) < 0) return rc;
        if (json_is_string(drop))
            return bad(sp, err, "drop", "expected an array of strings");
        sp->n_drop = json_array_size(drop);
        sp->drop = xs__calloc(sp->n_drop, sizeof *sp->drop);
        sp->drop_idx = xs__calloc(sp->n_drop, sizeof *sp->drop_idx);
        if (!sp->drop || !sp->drop_idx) return XS_ENOMEM;
        for (size_t i = 0; i < sp->n_drop; i++) {
            char p[PATH_N];
            fmt_to(p, sizeof p, "drop[%zu]", i);
            sp->drop[i] = json_string_value(json_array_get(drop, i));
            if ((rc = add_ref(sp, sp->drop[i], &sp->drop_idx[i], p)) < 0) return rc;
        }
    }
    return XS_OK;
}

/* The "holdings" list of spec object r. */
static int spec_holdings(spec *sp, json_t *r, xs_error *err)
{
    int rc;
    json_t *hold = json_object_get(r, "holdings");
    if (hold) {
        if (!json_is_array(hold)) return bad(sp, err, "holdings", "expected an array");
        sp->h = xs__calloc(json_array_size(hold) + 1, sizeof *sp->h);
        if (!sp->h) return XS_ENOMEM;
        size_t i;
        json_t *v;
        json_array_foreach(hold, i, v)
        {
            if ((rc = parse_holding(sp, v, i, err)) < 0) return rc;
        }
    }
    return XS_OK;
}

/* Reads and checks the spec file. Returns XS_OK, XS_EIO, XS_EPARSE (not
 * JSON), XS_EINVAL (bad content) or XS_ENOMEM. */
static int spec_read(spec *sp, const char *path, xs_error *err)
{
    int rc;
    sp->path = path;
    sp->signup_cf = -1;
    if ((rc = spec_load(sp, path, err)) < 0) return rc;
    json_t *r = sp->root;
    if (!json_is_object(r)) return bad(sp, err, NULL, "expected a JSON object");
    if ((rc = check_keys(sp, r, top_keys, "", err)) < 0) return rc;

    const char *as_of;
    if ((rc = get_str(sp, r, "as_of", 1, "", &as_of, err)) < 0) return rc;
    if (xs__date_parse(as_of, strlen(as_of), &sp->as_of) < 0) {
        char q[96];
        xs__error_quote(q, sizeof q, as_of, strlen(as_of));
        return bad(sp, err, "as_of", "not a date: %s", q);
    }
    if ((rc = get_str(sp, r, "id", 1, "", &sp->id_col, err)) < 0) return rc;
    if ((rc = add_ref(sp, sp->id_col, &sp->id_idx, "id")) < 0) return rc;

    if ((rc = spec_fields(sp, r, err)) < 0) return rc;

    json_t *ks = json_object_get(r, "keep_source_columns");
    if (ks && !json_is_boolean(ks))
        return bad(sp, err, "keep_source_columns", "expected true or false");
    sp->keep_source = ks && json_is_true(ks);

    if ((rc = spec_drop(sp, r, err)) < 0) return rc;

    json_t *prods = json_object_get(r, "products");
    if (prods && (rc = parse_products(sp, prods, err)) < 0) return rc;

    if ((rc = spec_holdings(sp, r, err)) < 0) return rc;
    json_t *term = json_object_get(r, "term");
    if (term && (rc = parse_term(sp, term, err)) < 0) return rc;
    if (!term && sp->n_h)
        return bad(sp, err, "term",
                   "missing: holdings need a term (a number of months, or {\"column\": "
                   "..., \"values\": {...}})");
    json_t *churn = json_object_get(r, "churn");
    if (churn && (rc = parse_churn(sp, churn, err)) < 0) return rc;
    return XS_OK;
}

static void spec_free(spec *sp)
{
    json_decref(sp->root);
    xs__free(sp->cf);
    xs__free(sp->drop);
    xs__free(sp->drop_idx);
    xs__free(sp->h);
    xs__free(sp->refs);
}

/* ---------------------------------------------------------------------- */
/* The products the holdings name                                         */
/* ---------------------------------------------------------------------- */

/* Products: the spec's first (in its order), then those only in the store.
 * price[i] is the default unit price of product i as a decimal. */
typedef struct prodset {
    xs__intern ids;
    const char **price; /* borrowed from the JSON, or in the arena */
    size_t cap;
    size_t n_spec; /* ids [0, n_spec) are the spec's products */
    unsigned long long *active, *ended;
    xs__arena *arena;
    int scale;
    size_t n_found;
} prodset;

static int prod_add(prodset *ps, const char *id, const char *price)
{
    uint32_t k = xs__intern_add(&ps->ids, id, strlen(id));
    if (k == XS_INTERN_NONE) return XS_ENOMEM;
    if (k >= ps->cap) {
        size_t cap = ps->cap;
        if (xs__grow(&ps->price, &cap, (size_t)k + 1, sizeof *ps->price) < 0)
            return XS_ENOMEM;
        for (size_t i = ps->cap; i < cap; i++)
            ps->price[i] = NULL;
        ps->cap = cap;
    }
    if (price) ps->price[k] = price;
    return XS_OK;
}

/* Store scan: the price of the referenced products the spec lacks. */
static int prod_scan(void *ctx, const xs__store_value *vals, size_t n)
{
    prodset *ps = ctx;
    (void)n;
    if (vals[0].type != XS__V_TEXT) return 0;
    uint32_t k = xs__intern_find(&ps->ids, vals[0].s, vals[0].len);
    if (k == XS_INTERN_NONE || k < ps->n_spec) return 0;
    char *end, buf[48];
    long long minor = 0;
    if (vals[1].type == XS__V_TEXT) {
        char tmp[32];
        size_t len = vals[1].len < sizeof tmp - 1 ? vals[1].len : sizeof tmp - 1;
        memcpy(tmp, vals[1].s, len);
        tmp[len] = '\0';
        minor = strtoll(tmp, &end, 10);
    }
    xs__money_format((int64_t)minor, ps->scale, buf, sizeof buf);
    char *p = xs__arena_strndup(ps->arena, buf, strlen(buf));
    if (!p) return XS_ENOMEM;
    ps->price[k] = p;
    ps->n_found++;
    return 0;
}

/* Collects the products of the spec and of the holdings; a holding's
 * product that is in neither the spec nor the store is a spec error. */
static int prods_collect(spec *sp, prodset *ps, xs_store *st, xs_error *err)
{
    int rc;
    size_t n = sp->products ? json_array_size(sp->products) : 0;
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(sp->products, i);
        json_t *pr = json_object_get(p, "price");
        if ((rc = prod_add(ps, json_string_value(json_object_get(p, "product_id")),
                           json_is_string(pr) ? json_string_value(pr) : "")) < 0)
            return rc;
    }
    ps->n_spec = ps->ids.n;
    for (size_t i = 0; i < sp->n_h; i++) {
        holding *h = &sp->h[i];
        if (h->product) {
            if ((rc = prod_add(ps, h->product, NULL)) < 0) return rc;
            continue;
        }
        const char *k;
        json_t *v;
        json_object_foreach(h->values, k, v)
        {
            if ((rc = prod_add(ps, json_string_value(v), NULL)) < 0) return rc;
        }
    }
    if (ps->ids.n > ps->n_spec) {
        static const unsigned char cols[] = {0, 5}; /* product_id, price */
        ps->scale = st->money_scale;
        if ((rc = xs__store_scan_cols(st, XS_T_PRODUCTS, cols, 2, prod_scan, ps, err)) <
            0)
            return rc;
        for (size_t k = ps->n_spec; k < ps->ids.n; k++) {
            if (ps->price[k]) continue;
            const char *id = xs__intern_str(&ps->ids, (uint32_t)k);
            for (size_t i = 0; i < sp->n_h; i++) {
                holding *h = &sp->h[i];
                char p[PATH_N], q[96];
                xs__error_quote(q, sizeof q, id, strlen(id));
                if (h->product && !strcmp(h->product, id)) {
                    fmt_to(p, sizeof p, "%s.product", h->path);
                    return bad(
                        sp, err, p,
                        "unknown product %s (not in \"products\" nor in the store)", q);
                }
                if (h->values) {
                    const char *key;
                    json_t *v;
                    json_object_foreach(h->values, key, v)
                    {
                        if (strcmp(json_string_value(v), id)) continue;
                        char qk[96];
                        xs__error_quote(qk, sizeof qk, key, strlen(key));
                        fmt_to(p, sizeof p, "%s.values.%s", h->path, qk);
                        return bad(sp, err, p,
                                   "unknown product %s (not in \"products\" nor in the "
                                   "store)",
                                   q);
                    }
                }
            }
        }
    }
    ps->active = xs__calloc(ps->ids.n + 1, sizeof *ps->active);
    ps->ended = xs__calloc(ps->ids.n + 1, sizeof *ps->ended);
    if (!ps->active || !ps->ended) return XS_ENOMEM;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Steps 2 and 3: the wide file                                           */
/* ---------------------------------------------------------------------- */

typedef struct rows {
    xs_import_value *v;
    size_t n, cap; /* values */
    long *line;    /* per row: line of the wide file */
    size_t *hold;  /* subscriptions: per row, the holding (index) */
    size_t n_rows, cap_line, cap_hold;
} rows;

/* The state of one spec import. */
typedef struct job {
    spec sp;
    prodset ps;
    xs__arena arena;
    xs__io_reader *rd;
    const char *input;
    const xs_import_options *o;
    unsigned long long n_errors, delivered, bad_rows;
    int row_bad;
    /* header */
    size_t n_cols;
    const char **cols; /* borrowed from the reader */
    size_t *keep;      /* columns kept as attrs (or as fields they are named) */
    size_t n_keep;
    /* rows built */
    const char **cnames;
    size_t n_cnames;
    rows cust, subs;
    xs__intern cust_ids;
    long *cust_first; /* per customer id: its line */
    size_t cap_first;
    /* translating the batch's errors: messages about the spec, sent once */
    char **sent;
    size_t n_sent, cap_sent;
    char last_table[64]; /* the batch's row of the last counted error */
    long last_row;
} job;

/* Reports one error (counted; delivered while under max_errors). */
static void report(job *j, const char *file, long line, const char *col, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));

static void report(job *j, const char *file, long line, const char *col, const char *fmt,
                   ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    j->n_errors++;
    if (!j->row_bad) j->bad_rows++;
    j->row_bad = 1;
    if (j->o->max_errors >= 0 && j->delivered >= (unsigned long long)j->o->max_errors)
        return;
    j->delivered++;
    if (j->o->on_error) {
        xs_error e;
        xs__error_set(&e, XS_EREJECT, file, line, col, "%s", msg);
        j->o->on_error(j->o->error_ctx, &e);
    }
}

/* Binds every column the spec names to the header; reports each missing
 * one with the closest name and the list of columns. Returns the number of
 * missing columns. */
static size_t bind_columns(job *j)
{
    size_t missing = 0;
    j->row_bad = 0; /* the header is one row (line 1) */
    for (size_t r = 0; r < j->sp.n_refs; r++) {
        colref *c = &j->sp.refs[r];
        size_t i;
        for (i = 0; i < j->n_cols; i++)
            if (!strcmp(j->cols[i], c->name)) break;
        if (i < j->n_cols) {
            *c->idx = i;
            continue;
        }
        missing++;
        char hint[128], have[400], q[96];
        suggest(hint, sizeof hint, c->name, j->cols, j->n_cols);
        size_t o = 0;
        for (i = 0; i < j->n_cols && o < sizeof have; i++) {
            int w =
                snprintf(have + o, sizeof have - o, "%s%s", i ? ", " : "", j->cols[i]);
            if (w > 0) o += (size_t)w;
        }
        if (o >= sizeof have) memcpy(have + sizeof have - 4, "...", 4);
        xs__error_quote(q, sizeof q, c->name, strlen(c->name));
        report(j, j->input, 1, NULL, "column %s (spec: %s) not found%s The file has: %s",
               q, c->path, hint[0] ? hint : ".", have);
    }
    return missing;
}

/* Decides which columns are kept on the customer (as attrs, or as the
 * customers field they are named after) and names the customers row.
 * Returns XS_OK, XS_EREJECT (reported) or XS_ENOMEM. */
static int plan_columns(job *j)
{
    spec *sp = &j->sp;
    unsigned char *used = xs__calloc(j->n_cols + 1, 1);
    j->keep = xs__calloc(j->n_cols + 1, sizeof *j->keep);
    j->cnames = xs__calloc(1 + sp->n_cf + j->n_cols, sizeof *j->cnames);
    if (!used || !j->keep || !j->cnames) {
        xs__free(used);
        return XS_ENOMEM;
    }
    /* used: 1 read by the spec (kept as well with keep_source_columns,
     * unless named like a customers field), 2 the id or dropped */
    used[sp->id_idx] = 2;
    for (size_t i = 0; i < sp->n_cf; i++)
        if (sp->cf[i].kind == SRC_COLUMN || sp->cf[i].kind == SRC_MAP)
            used[sp->cf[i].col] = 1;
    for (size_t i = 0; i < sp->n_h; i++)
        used[sp->h[i].col] = 1;
    for (size_t i = 0; i < sp->n_drop; i++)
        used[sp->drop_idx[i]] = 2;
    j->cnames[j->n_cnames++] = "customer_id";
    for (size_t i = 0; i < sp->n_cf; i++)
        j->cnames[j->n_cnames++] = sp->cf[i].field;
    if (sp->keep_source)
        for (size_t c = 0; c < j->n_cols; c++)
            if (used[c] == 1 && customers_field(j->cols[c]) < 0 &&
                strcmp(j->cols[c], "customer_id")) {
                j->keep[j->n_keep++] = c;
                j->cnames[j->n_cnames++] = j->cols[c];
            }
    int rc = XS_OK;
    j->row_bad = 0; /* the header is one row (line 1) */
    for (size_t c = 0; c < j->n_cols; c++) {
        if (used[c]) continue;
        const char *name = j->cols[c];
        const char *by = NULL;
        if (!strcmp(name, "customer_id")) by = "id";
        for (size_t i = 0; i < sp->n_cf && !by; i++)
            if (!strcmp(sp->cf[i].field, name)) by = sp->cf[i].path;
        if (by) {
            /* kept, it would be a second value of a field the spec sets */
            report(j, j->input, 1, NULL,
                   "column \"%s\" is the customers field that the spec sets by %s; "
                   "map it, or list it in \"drop\"",
                   name, by);
            rc = XS_EREJECT;
            continue;
        }
        j->keep[j->n_keep++] = c;
        j->cnames[j->n_cnames++] = name;
    }
    xs__free(used);
    return rc;
}

static int rows_add(rows *r, const xs_import_value *v, size_t n, long line, size_t hold,
                    int with_hold)
{
    if (xs__grow(&r->v, &r->cap, r->n + n, sizeof *r->v) < 0 ||
        xs__grow(&r->line, &r->cap_line, r->n_rows + 1, sizeof *r->line) < 0 ||
        (with_hold &&
         xs__grow(&r->hold, &r->cap_hold, r->n_rows + 1, sizeof *r->hold) < 0))
        return XS_ENOMEM;
    memcpy(r->v + r->n, v, n * sizeof *v);
    r->n += n;
    r->line[r->n_rows] = line;
    if (with_hold) r->hold[r->n_rows] = hold;
    r->n_rows++;
    return XS_OK;
}

static void rows_free(rows *r)
{
    xs__free(r->v);
    xs__free(r->line);
    xs__free(r->hold);
}

/* A value in the arena (NULL when out of memory). */
static xs_import_value val_copy(job *j, const char *s, size_t len, int *oom)
{
    xs_import_value v = {NULL, 0, 0};
    char *p = xs__arena_strndup(&j->arena, s, len);
    if (!p) {
        *oom = 1;
        return v;
    }
    v.ptr = p;
    v.len = len;
    v.present = 1;
    return v;
}

static xs_import_value val_static(const char *s)
{
    xs_import_value v = {s, strlen(s), 1};
    return v;
}

/* A whole number of months: digits only (no sign, at most 4 digits). */
static int parse_months(const char *s, size_t len, int *out)
{
    if (len == 0 || len > 4) return -1;
    int m = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        m = m * 10 + (s[i] - '0');
    }
    *out = m;
    return 0;
}

/* The first anniversary of start, every `term` months, after as_of. */
static int32_t next_renewal(int32_t start, int32_t as_of, long term)
{
    int sy, sm, sd, ay, am, ad;
    xs__civil_from_days(start, &sy, &sm, &sd);
    xs__civil_from_days(as_of, &ay, &am, &ad);
    long months = (long)(ay - sy) * 12 + (am - sm);
    long k = months / term;
    if (k < 1) k = 1;
    while (k > 1 && xs__date_add_months(start, (int)((k - 1) * term)) > as_of)
        k--;
    while (xs__date_add_months(start, (int)(k * term)) <= as_of)
        k++;
    return xs__date_add_months(start, (int)(k * term));
}

/* The quoted value of a field for a message. */
static void quote_field(char *q, size_t n, const xs__field *f)
{
    xs__error_quote(q, n, f->ptr, f->len);
}

/* Turns one row of the wide file into a customers row and its
 * subscriptions. Errors are reported; returns XS_OK or XS_ENOMEM. */
/* Reports an empty or duplicate customer id of the row. Returns XS_OK or
 * XS_ENOMEM. */
static int check_customer(job *j, const xs__field *idf, long line)
{
    spec *sp = &j->sp;
    if (idf->len == 0) {
        report(j, j->input, line, sp->id_col, "missing required value");
        return XS_OK;
    }
    uint32_t before = (uint32_t)j->cust_ids.n;
    uint32_t id = xs__intern_add(&j->cust_ids, idf->ptr, idf->len);
    if (id == XS_INTERN_NONE || xs__grow(&j->cust_first, &j->cap_first, (size_t)id + 1,
                                         sizeof *j->cust_first) < 0)
        return XS_ENOMEM;
    if (id < before) {
        char q[96];
        quote_field(q, sizeof q, idf);
        report(j, j->input, line, sp->id_col, "duplicate customer %s (first on line %ld)",
               q, j->cust_first[id]);
    } else {
        j->cust_first[id] = line;
    }
    return XS_OK;
}

/* The value of customer field c for the row (src: its column, NULL for a
 * constant): copied, mapped, constant or months back from the as-of date;
 * what does not map is reported (the value is then none). */
static xs_import_value field_value(job *j, const cfield *c, const xs__field *src,
                                   long line, int *oom)
{
    char q[96], exp[400];
    xs_import_value v = {NULL, 0, 0};
    switch (c->kind) {
    case SRC_COLUMN:
        v = val_copy(j, src->ptr, src->len, oom);
        break;
    case SRC_MAP: {
        json_t *m = json_object_getn(c->map, src->ptr, src->len);
        if (m)
            v = val_static(json_string_value(m));
        else if (c->dflt)
            v = val_static(c->dflt);
        else {
            size_t o = 0;
            json_t *vs[] = {c->map};
            list_values(exp, sizeof exp, &o, vs, 1);
            quote_field(q, sizeof q, src);
            report(j, j->input, line, c->column,
                   "value %s is not in the map of %s (expected %s)", q, c->path, exp);
        }
        break;
    }
    case SRC_CONST:
        v = val_static(c->value);
        break;
    case SRC_MONTHS: {
        int m;
        if (parse_months(src->ptr, src->len, &m) < 0) {
            quote_field(q, sizeof q, src);
            report(j, j->input, line, c->column,
                   "not a whole number of months: %s (spec: %s)", q, c->path);
            break;
        }
        char d[11];
        xs__date_format(xs__date_add_months(j->sp.as_of, -m), d);
        v = val_copy(j, d, 10, oom);
        break;
    }
    }
    return v;
}

/* The row's signup date v (of customer field c) as days into *start (and
 * *start_ok); a column's value that is no date is reported. */
static void signup_date(job *j, const cfield *c, xs_import_value v, long line,
                        int32_t *start, int *start_ok)
{
    char q[96];
    if (xs__date_parse(v.ptr, v.len, start) == 0) {
        *start_ok = 1;
    } else if (c->kind != SRC_COLUMN) {
        /* a mapped or constant value was checked with the spec */
    } else if (v.len) {
        xs__error_quote(q, sizeof q, v.ptr, v.len);
        report(j, j->input, line, c->column, "not a date: %s", q);
    } else {
        report(j, j->input, line, c->column, "missing required value");
    }
}

/* The row's term in months (the spec's constant or its column's mapped
 * value; a value not in the map is reported). */
static long row_term(job *j, const xs__field *f, long line)
{
    spec *sp = &j->sp;
    long term = sp->term_const;
    if (!sp->term_col) return term;
    const xs__field *tf = &f[sp->term_idx];
    json_t *t = json_object_getn(sp->term_values, tf->ptr, tf->len);
    if (t) return (long)json_integer_value(t);
    char q[96], exp[400];
    size_t o = 0;
    json_t *vs[] = {sp->term_values};
    list_values(exp, sizeof exp, &o, vs, 1);
    quote_field(q, sizeof q, tf);
    report(j, j->input, line, sp->term_col,
           "value %s is not in term.values (expected %s)", q, exp);
    return term;
}

/* The product holding h of the row names (NULL: none; a value the spec
 * does not know is reported). */
static const char *held_product(job *j, const holding *h, const xs__field *hf, long line)
{
    if (h->product) {
        if (has_value(h->when, hf->ptr, hf->len)) return h->product;
    } else {
        json_t *p = json_object_getn(h->values, hf->ptr, hf->len);
        if (p) return json_string_value(p);
    }
    if (h->none && hf->len && !has_value(h->none, hf->ptr, hf->len)) {
        char q[96], exp[400];
        size_t o = 0;
        json_t *vs[] = {h->product ? h->when : h->values, h->none};
        list_values(exp, sizeof exp, &o, vs, 2);
        quote_field(q, sizeof q, hf);
        report(j, j->input, line, h->column, "unexpected value %s (spec: %s expects %s)",
               q, h->path, exp);
    }
    return NULL;
}

/* The subscription row of customer cust to product pk (holding i): from
 * start, ended at the as-of date when churned, else renewing every term
 * months. Returns XS_OK or XS_ENOMEM. */
static int add_subscription(job *j, const holding *h, size_t i, xs_import_value cust,
                            uint32_t pk, int32_t start, long term, int churned, long line)
{
    spec *sp = &j->sp;
    int oom = 0;
    xs_import_value sv[N_SUB_NAMES];
    char d[11], t[24];
    sv[0] = cust;
    sv[1] = val_static(xs__intern_str(&j->ps.ids, pk));
    sv[2] = val_static(h->unit_price ? h->unit_price : j->ps.price[pk]);
    xs__date_format(start, d);
    sv[3] = val_copy(j, d, 10, &oom);
    if (churned) {
        xs__date_format(sp->as_of, d);
        sv[4] = val_copy(j, d, 10, &oom);
        sv[6] = (xs_import_value){NULL, 0, 0};
        j->ps.ended[pk]++;
    } else {
        sv[4] = (xs_import_value){NULL, 0, 0};
        xs__date_format(next_renewal(start, sp->as_of, term), d);
        sv[6] = val_copy(j, d, 10, &oom);
        j->ps.active[pk]++;
    }
    fmt_to(t, sizeof t, "%ld", term);
    sv[5] = val_copy(j, t, strlen(t), &oom);
    if (oom || rows_add(&j->subs, sv, N_SUB_NAMES, line, i, 1) < 0) return XS_ENOMEM;
    return XS_OK;
}

static int build_row(job *j, const xs__field *f, long line)
{
    spec *sp = &j->sp;
    int oom = 0, rc;
    size_t n = j->n_cnames;
    xs_import_value vbuf[64], *cv = vbuf;
    if (n > sizeof vbuf / sizeof vbuf[0]) {
        cv = xs__calloc(n, sizeof *cv);
        if (!cv) return XS_ENOMEM;
    }
    j->row_bad = 0;

    /* the customer */
    const xs__field *idf = &f[sp->id_idx];
    size_t k = 0;
    cv[k++] = val_copy(j, idf->ptr, idf->len, &oom);
    if ((rc = check_customer(j, idf, line)) < 0) goto cleanup;
    int32_t start = 0;
    int start_ok = 0;
    for (size_t i = 0; i < sp->n_cf; i++) {
        cfield *c = &sp->cf[i];
        const xs__field *src = c->kind == SRC_CONST ? NULL : &f[c->col];
        xs_import_value v = field_value(j, c, src, line, &oom);
        if ((long)i == sp->signup_cf && v.ptr)
            signup_date(j, c, v, line, &start, &start_ok);
        cv[k++] = v;
    }
    for (size_t i = 0; i < j->n_keep; i++) {
        const xs__field *src = &f[j->keep[i]];
        cv[k++] = val_copy(j, src->ptr, src->len, &oom);
    }
    if (oom || rows_add(&j->cust, cv, n, line, 0, 0) < 0) {
        rc = XS_ENOMEM;
        goto cleanup;
    }

    /* its state and term */
    int churned = sp->churn_col &&
                  has_value(sp->churn_when, f[sp->churn_idx].ptr, f[sp->churn_idx].len);
    long term = row_term(j, f, line);

    /* its subscriptions, one per product held (a product named by two
     * columns is held once) */
    uint32_t held[64];
    size_t n_held = 0;
    for (size_t i = 0; i < sp->n_h; i++) {
        holding *h = &sp->h[i];
        const char *prod = held_product(j, h, &f[h->col], line);
        if (!prod) continue;
        uint32_t pk = xs__intern_find(&j->ps.ids, prod, strlen(prod));
        size_t s;
        for (s = 0; s < n_held; s++)
            if (held[s] == pk) break;
        if (s < n_held || n_held == sizeof held / sizeof held[0]) continue;
        held[n_held++] = pk;
        if (!start_ok || term < 1 || j->row_bad) continue; /* reported above */
        if ((rc = add_subscription(j, h, i, cv[0], pk, start, term, churned, line)) < 0)
            goto cleanup;
    }
    rc = XS_OK;
cleanup:
    if (cv != vbuf) xs__free(cv);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Step 4: the batch, and its errors in the user's terms                  */
/* ---------------------------------------------------------------------- */

/* Whether a message about the spec was sent already (and remembers it). */
static int sent_before(job *j, const char *col, const char *msg)
{
    char key[600];
    fmt_to(key, sizeof key, "%s\n%s", col, msg);
    for (size_t i = 0; i < j->n_sent; i++)
        if (!strcmp(j->sent[i], key)) return 1;
    if (xs__grow(&j->sent, &j->cap_sent, j->n_sent + 1, sizeof *j->sent) == 0) {
        char *s = xs__strdup(key);
        if (s) j->sent[j->n_sent++] = s;
    }
    return 0;
}

/* Delivers an error of the batch located in the wide file or the spec. */
static void on_batch_error(void *ctx, const xs_error *e)
{
    job *j = ctx;
    spec *sp = &j->sp;
    xs_error t = *e;
    const char *file = j->input, *col = e->column;
    char path[PATH_N];
    long line = 0;
    size_t row = e->line > 0 ? (size_t)e->line - 1 : 0;
    if (!strcmp(e->file, "products")) {
        fmt_to(path, sizeof path, "products[%zu].%s", row, e->column);
        file = sp->path;
        col = path;
    } else if (!strcmp(e->file, "customers") && row < j->cust.n_rows) {
        line = j->cust.line[row];
        if (!strcmp(e->column, "customer_id")) col = sp->id_col;
        for (size_t i = 0; i < sp->n_cf; i++) {
            cfield *c = &sp->cf[i];
            if (strcmp(c->field, e->column)) continue;
            if (c->kind == SRC_CONST) {
                file = sp->path;
                line = 0;
                col = c->path;
            } else {
                col = c->column;
            }
        }
    } else if (!strcmp(e->file, "subscriptions") && row < j->subs.n_rows) {
        line = j->subs.line[row];
        holding *h = &sp->h[j->subs.hold[row]];
        if (!strcmp(e->column, "customer_id")) {
            col = sp->id_col;
        } else if (!strcmp(e->column, "product_id")) {
            col = h->column;
        } else if (!strcmp(e->column, "unit_price") && h->unit_price) {
            file = sp->path;
            line = 0;
            fmt_to(path, sizeof path, "%s.unit_price", h->path);
            col = path;
        } else if (!strcmp(e->column, "unit_price")) {
            /* the product's price, checked (and reported) with the products */
            const xs_import_value *pv = &j->subs.v[row * N_SUB_NAMES + 1];
            uint32_t k = xs__intern_find(&j->ps.ids, pv->ptr, pv->len);
            if (k != XS_INTERN_NONE && k < j->ps.n_spec) {
                file = sp->path;
                line = 0;
                fmt_to(path, sizeof path, "products[%u].price", (unsigned)k);
                col = path;
            }
        } else if (!strcmp(e->column, "term") && sp->term_col) {
            col = sp->term_col;
        } else if (!strcmp(e->column, "start_date") && sp->signup_cf >= 0 &&
                   sp->cf[sp->signup_cf].kind != SRC_CONST) {
            col = sp->cf[sp->signup_cf].column;
        }
    }
    if (!strcmp(e->file, "subscriptions") &&
        (!strncmp(e->message, "unknown customer", 16) ||
         !strncmp(e->message, "unknown product", 15)))
        return; /* the customer or product row had an error: reported there */
    if (file == sp->path && sent_before(j, col, e->message)) return;
    j->n_errors++;
    if (strcmp(e->file, j->last_table) || e->line != j->last_row) {
        j->bad_rows++;
        fmt_to(j->last_table, sizeof j->last_table, "%s", e->file);
        j->last_row = e->line;
    }
    if (j->o->max_errors >= 0 && j->delivered >= (unsigned long long)j->o->max_errors)
        return;
    xs__error_set(&t, e->code, file, line, col, "%s", e->message);
    j->delivered++;
    if (j->o->on_error) j->o->on_error(j->o->error_ctx, &t);
}

/* The products of the spec as a batch table (values in the arena). */
static int products_table(job *j, xs_import_rows *t, xs_import_value **vals)
{
    size_t n = j->sp.products ? json_array_size(j->sp.products) : 0, nf = 9;
    *vals = xs__calloc(n * nf + 1, sizeof **vals);
    if (!*vals) return XS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(j->sp.products, i);
        for (size_t f = 0; f < nf; f++) {
            json_t *v = json_object_get(p, product_keys[f]);
            if (json_is_string(v))
                (*vals)[i * nf + f] =
                    (xs_import_value){json_string_value(v), json_string_length(v), 1};
        }
    }
    t->table = XS_T_PRODUCTS;
    t->names = product_keys;
    t->n_names = nf;
    t->values = *vals;
    t->n_rows = n;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* The entry point                                                        */
/* ---------------------------------------------------------------------- */

static void job_free(job *j)
{
    spec_free(&j->sp);
    xs__intern_free(&j->ps.ids);
    xs__free(j->ps.price);
    xs__free(j->ps.active);
    xs__free(j->ps.ended);
    xs__io_reader_close(j->rd);
    xs__free(j->keep);
    xs__free(j->cnames);
    rows_free(&j->cust);
    rows_free(&j->subs);
    xs__intern_free(&j->cust_ids);
    xs__free(j->cust_first);
    for (size_t i = 0; i < j->n_sent; i++)
        xs__free(j->sent[i]);
    xs__free(j->sent);
    xs__arena_free(&j->arena);
}

/* Fills the per-product counts of the result. */
static int fill_counts(job *j, xs_spec_result *res)
{
    size_t n = j->ps.ids.n, m = 0;
    res->per_product = xs__calloc(n + 1, sizeof *res->per_product);
    if (!res->per_product) return XS_ENOMEM;
    for (size_t k = 0; k < n; k++) {
        if (!j->ps.active[k] && !j->ps.ended[k] && k >= j->ps.n_spec) continue;
        xs_spec_product_count *c = &res->per_product[m];
        c->product_id = xs__strdup(xs__intern_str(&j->ps.ids, (uint32_t)k));
        if (!c->product_id) return XS_ENOMEM;
        c->active = j->ps.active[k];
        c->ended = j->ps.ended[k];
        res->active += c->active;
        res->ended += c->ended;
        res->n_per_product = ++m;
    }
    return XS_OK;
}

void xs_spec_result_free(xs_spec_result *res)
{
    if (!res) return;
    for (size_t i = 0; i < res->n_per_product; i++)
        xs__free((void *)res->per_product[i].product_id);
    xs__free(res->per_product);
    res->per_product = NULL;
    res->n_per_product = 0;
}

/* Step 2 of xs_import_spec: opens the input, reads its header and binds
 * and plans its columns (a problem is reported into j, not returned).
 * Returns XS_OK or an error of the reader, XS_ENOMEM. */
static int spec_header(job *j, xs_error *err)
{
    int rc = xs__io_reader_open(&j->rd, j->input, XS_INPUT_CSV, j->o->delimiter, err);
    if (rc < 0) return rc;
    j->n_cols = xs__io_reader_n_fields(j->rd);
    j->cols = xs__calloc(j->n_cols + 1, sizeof *j->cols);
    if (!j->cols) return XS_ENOMEM;
    for (size_t i = 0; i < j->n_cols; i++)
        j->cols[i] = xs__io_reader_field_name(j->rd, i);
    if (bind_columns(j) == 0) {
        rc = plan_columns(j);
        if (rc == XS_ENOMEM) return rc;
    }
    return XS_OK;
}

/* Step 3 of xs_import_spec: each row of the input into j (a bad row is
 * reported into j), counted in res->rows. Returns XS_OK or a failure of
 * the reader or XS_ENOMEM. */
static int spec_rows(job *j, xs_spec_result *res, xs_error *err)
{
    for (;;) {
        const xs__field *fields;
        long line;
        xs_error rerr;
        int r = xs__io_reader_next(j->rd, &fields, &line, &rerr);
        if (r == 0) break;
        res->rows++;
        if (r < 0) {
            if (r != XS_EPARSE) {
                if (err) *err = rerr;
                return r;
            }
            j->row_bad = 0;
            report(j, rerr.file, rerr.line, rerr.column[0] ? rerr.column : NULL, "%s",
                   rerr.message);
            continue;
        }
        int rc = build_row(j, fields, line);
        if (rc < 0) return rc;
        if (j->o->on_progress && res->rows % 8192 == 0) {
            unsigned long long done, total;
            xs__io_reader_progress(j->rd, &done, &total);
            j->o->on_progress(j->o->progress_ctx, res->rows, done, total);
        }
    }
    return XS_OK;
}

/* Step 4 of xs_import_spec: products, customers and subscriptions of j in
 * one batch into st (*pvals: the products' values, caller frees). Returns
 * as xs_import_records (XS_EREJECT with the count of j's errors). */
static int spec_batch(job *j, xs_store *st, xs_spec_result *res, xs_import_value **pvals,
                      xs_error *err)
{
    xs_import_rows t[3];
    int rc = products_table(j, &t[0], pvals);
    if (rc < 0) return rc;
    t[1] = (xs_import_rows){XS_T_CUSTOMERS, j->cnames, j->n_cnames, j->cust.v,
                            j->cust.n_rows};
    static const char *const sub_names[N_SUB_NAMES] = {
        "customer_id", "product_id", "unit_price",  "start_date",
        "end_date",    "term",       "renewal_date"};
    t[2] = (xs_import_rows){XS_T_SUBSCRIPTIONS, sub_names, N_SUB_NAMES, j->subs.v,
                            j->subs.n_rows};
    xs_import_options bo = *j->o;
    bo.on_error = on_batch_error;
    bo.error_ctx = j;
    bo.max_errors = -1; /* on_batch_error counts, filters and caps */
    bo.maps = NULL;
    bo.n_maps = 0;
    xs_import_result r3[3];
    rc = xs_import_records(st, t, 3, &bo, r3, err);
    res->products = r3[0];
    res->customers = r3[1];
    res->subscriptions = r3[2];
    res->n_errors = j->n_errors;
    if (rc == XS_EREJECT)
        xs__error_set(err, XS_EREJECT, j->input, 0, NULL,
                      "%llu error%s in %llu row%s, nothing imported", j->n_errors,
                      j->n_errors == 1 ? "" : "s", j->bad_rows,
                      j->bad_rows == 1 ? "" : "s");
    return rc;
}

int xs_import_spec(xs_store *st, const char *spec_path, const char *input_path,
                   const xs_import_options *opts, xs_spec_result *res, xs_error *err)
{
    double t0 = xs__now();
    xs_import_options o;
    if (opts)
        o = *opts;
    else
        xs_import_options_init(&o);
    xs_spec_result dummy;
    if (!res) res = &dummy;
    memset(res, 0, sizeof *res);
    xs__error_clear(err);
    if (!st || !spec_path || !input_path)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no store, spec or input");
    if (o.format == XS_IO_JSONL ||
        (o.format == XS_IO_AUTO && xs_io_format_of_path(input_path) == XS_IO_JSONL))
        return xs__error_set(err, XS_EINVAL, input_path, 0, NULL,
                             "a spec import reads CSV (one row per account)");

    job j;
    memset(&j, 0, sizeof j);
    j.input = input_path;
    j.o = &o;
    xs__arena_init(&j.arena, 0);
    xs__intern_init(&j.ps.ids);
    xs__intern_init(&j.cust_ids);
    j.ps.arena = &j.arena;
    xs_import_value *pvals = NULL;
    int rc;

    /* 1. the spec and the products it names */
    if ((rc = spec_read(&j.sp, spec_path, err)) < 0) goto cleanup;
    if ((rc = prods_collect(&j.sp, &j.ps, st, err)) < 0) goto cleanup;

    /* 2. the header */
    if ((rc = spec_header(&j, err)) < 0) goto cleanup;

    /* 3. the rows */
    if (j.n_errors == 0 && (rc = spec_rows(&j, res, err)) < 0) goto cleanup;
    if (j.n_errors) {
        res->n_errors = j.n_errors;
        rc = xs__error_set(err, XS_EREJECT, input_path, 0, NULL,
                           "%llu error%s in %llu row%s, nothing imported", j.n_errors,
                           j.n_errors == 1 ? "" : "s", j.bad_rows,
                           j.bad_rows == 1 ? "" : "s");
        goto cleanup;
    }

    /* 4. one batch: products, customers, subscriptions */
    rc = spec_batch(&j, st, res, &pvals, err);
    if (rc < 0) goto cleanup;
    if ((rc = fill_counts(&j, res)) < 0) {
        /* the import committed; only the summary is missing */
        xs_spec_result_free(res);
        goto cleanup;
    }

cleanup:
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    res->seconds = xs__now() - t0;
    xs__free(pvals);
    xs__free(j.cols);
    job_free(&j);
    if (res == &dummy) xs_spec_result_free(res);
    return rc;
}
