/*
 * export.c — reading a store table back in key order as the rows of the
 * importer's format (xs__store_export, contract in export.h), for the
 * writer of `xsell export` (src/io/export.c) to put in CSV or JSON Lines.
 *
 * The rows are those of the input format: the field names of
 * docs/data-model.md, money as decimals with the store's scale, dates as
 * stored, booleans 0/1, and the attrs of each row expanded back into the
 * columns they came from (placed after the table's own columns, in order of
 * first appearance). So import → export → import into a fresh store →
 * export gives the same bytes. Two scans in one read transaction: the first
 * collects the attr names (the header must be known before the first row),
 * the second gives the rows.
 */
#include "store/export.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/intern.h"
#include "base/money.h"
#include "store/db.h"
#include "store/dialect.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* attrs: a JSON object of strings, as the importer writes it             */
/* ---------------------------------------------------------------------- */

/* Appends n bytes of s to b (b has memory afterwards even when n is 0).
 * Returns 0 or -1 (out of memory). */
static int sb_put(xs__buf *b, const char *s, size_t n)
{
    if (xs__buf_reserve(b, n) < 0) return -1;
    xs__buf_add(b, s, n);
    return 0;
}

static int hex4(const char *s, const char *e, unsigned *out)
{
    if (e - s < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static int put_utf8(xs__buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)),
        n = 4;
    }
    return sb_put(b, u, n);
}

/* Parses a JSON string at *ps (at the opening quote), appending its decoded
 * bytes to b. Returns 0, -1 malformed, -2 out of memory. */
static int json_string(const char **ps, const char *e, xs__buf *b)
{
    const char *s = *ps;
    if (s >= e || *s != '"') return -1;
    s++;
    while (s < e && *s != '"') {
        const char *run = s;
        while (s < e && *s != '"' && *s != '\\')
            s++;
        if (s > run && sb_put(b, run, (size_t)(s - run)) < 0) return -2;
        if (s >= e || *s == '"') break;
        s++; /* backslash */
        if (s >= e) return -1;
        char c = *s++, out;
        unsigned cp, lo;
        switch (c) {
        case '"':
        case '\\':
        case '/':
            out = c;
            break;
        case 'b':
            out = '\b';
            break;
        case 'f':
            out = '\f';
            break;
        case 'n':
            out = '\n';
            break;
        case 'r':
            out = '\r';
            break;
        case 't':
            out = '\t';
            break;
        case 'u':
            if (hex4(s, e, &cp) < 0) return -1;
            s += 4;
            if (cp >= 0xd800 && cp < 0xdc00) {
                if (e - s < 6 || s[0] != '\\' || s[1] != 'u' || hex4(s + 2, e, &lo) < 0 ||
                    lo < 0xdc00 || lo >= 0xe000)
                    return -1;
                s += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                return -1;
            }
            if (put_utf8(b, cp) < 0) return -2;
            continue;
        default:
            return -1;
        }
        if (sb_put(b, &out, 1) < 0) return -2;
    }
    if (s >= e) return -1;
    *ps = s + 1;
    return 0;
}

static const char *skip_ws(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++;
    return s;
}

/* Calls fn(ctx, key, key_len, value, value_len) for each member of the
 * attrs object (s, len). Returns 0, -1 malformed, -2 out of memory or
 * fn's negative code. */
static int attrs_each(const char *s, size_t len, xs__buf *tmp,
                      int (*fn)(void *, const char *, size_t, const char *, size_t),
                      void *ctx)
{
    const char *e = s + len;
    s = skip_ws(s, e);
    if (s >= e || *s++ != '{') return -1;
    s = skip_ws(s, e);
    if (s < e && *s == '}') return skip_ws(s + 1, e) == e ? 0 : -1;
    for (;;) {
        tmp->n = 0;
        int rc = json_string(&s, e, tmp);
        if (rc < 0) return rc;
        size_t klen = tmp->n;
        s = skip_ws(s, e);
        if (s >= e || *s++ != ':') return -1;
        s = skip_ws(s, e);
        rc = json_string(&s, e, tmp);
        if (rc < 0) return rc;
        rc = fn(ctx, tmp->p, klen, tmp->p + klen, tmp->n - klen);
        if (rc < 0) return rc;
        s = skip_ws(s, e);
        if (s < e && *s == ',') {
            s = skip_ws(s + 1, e);
            continue;
        }
        if (s < e && *s == '}') return skip_ws(s + 1, e) == e ? 0 : -1;
        return -1;
    }
}

/* ---------------------------------------------------------------------- */
/* The export                                                             */
/* ---------------------------------------------------------------------- */

typedef struct exporter {
    xs_store *st;
    const xs__store_table_schema *def;
    size_t n_std;     /* columns before attrs */
    xs__intern names; /* attr names in order of first appearance */
    xs__buf tmp, vals;
    size_t *voff, *vlen; /* per attr name: value in vals (or SIZE_MAX) */
    size_t cap_v;
    /* the output columns (n_out: the standard ones, then one per attr name) */
    size_t n_attr, n_out;
    const char **names_out;
    int *numeric;
    xs__field *fields; /* the row handed to the sink */
    char (*num)[48];   /* the text of the row's numbers */
} exporter;

static int is_std_name(const exporter *x, const char *k, size_t klen)
{
    for (size_t i = 0; i < x->n_std; i++)
        if (strlen(x->def->cols[i].name) == klen &&
            !memcmp(x->def->cols[i].name, k, klen))
            return 1;
    return 0;
}

static int collect_name(void *ctx, const char *k, size_t klen, const char *v, size_t vlen)
{
    (void)v;
    (void)vlen;
    exporter *x = ctx;
    if (is_std_name(x, k, klen)) return 0;
    return xs__intern_add(&x->names, k, klen) == XS_INTERN_NONE ? -2 : 0;
}

static int collect_value(void *ctx, const char *k, size_t klen, const char *v,
                         size_t vlen)
{
    exporter *x = ctx;
    uint32_t id = xs__intern_find(&x->names, k, klen);
    if (id == XS_INTERN_NONE) return 0;
    x->voff[id] = x->vals.n;
    x->vlen[id] = vlen;
    return sb_put(&x->vals, v, vlen) < 0 ? -2 : 0;
}

/* SELECT <cols> FROM t [WHERE attrs IS NOT NULL] ORDER BY <key>; NULL
 * when out of memory (caller frees with xs__free()). */
static char *build_select(const xs__store_table_schema *d, int attrs_only)
{
    xs__buf b = {0};
    xs__buf_adds(&b, "SELECT ");
    for (size_t i = 0, n = 0; i < d->n_cols; i++) {
        if (attrs_only && d->cols[i].type != XS__COL_ATTRS) continue;
        if (n++) xs__buf_adds(&b, ", ");
        xs__buf_adds(&b, d->cols[i].name);
    }
    xs__buf_printf(&b, " FROM %s%s ORDER BY ", d->name,
                   attrs_only ? " WHERE attrs IS NOT NULL" : "");
    for (size_t k = 0; k < d->n_key; k++) {
        if (k) xs__buf_adds(&b, ", ");
        xs__buf_adds(&b, d->cols[d->key[k]].name);
    }
    return xs__buf_take(&b, NULL);
}

/* Shortest %.15g / %.16g / %.17g text that reads back as v. */
static void format_real(double v, char *buf, size_t n)
{
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static int attrs_error(exporter *x, int rc, xs_error *err)
{
    if (rc == -2) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    return xs__error_set(err, XS_EDB, x->st->path, 0, NULL,
                         "attrs of a row of %s is not a JSON object of strings",
                         x->def->name);
}

/* First scan: the attr names. */
static int scan_attr_names(exporter *x, xs_error *err)
{
    char *sql = build_select(x->def, 1);
    if (!sql) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__store_stmt *s = NULL;
    int db = xs__store_db_prepare_scan(x->st, sql, -1, &s);
    xs__free(sql);
    if (db != XS__DB_OK) return xs__store_dberr(x->st, "reading attrs", err);
    int rc = XS_OK, step;
    while ((step = xs__store_db_step(s)) == XS__DB_ROW) {
        const char *a = (const char *)xs__store_db_column_text(s, 0);
        int r = attrs_each(a ? a : "", (size_t)xs__store_db_column_bytes(s, 0), &x->tmp,
                           collect_name, x);
        if (r < 0) {
            rc = attrs_error(x, r, err);
            break;
        }
    }
    if (rc == XS_OK && step != XS__DB_DONE)
        rc = xs__store_dberr(x->st, "reading attrs", err);
    xs__store_db_finalize(s);
    return rc;
}

/* The output columns: the standard ones, then the attr names found by
 * scan_attr_names; and the row buffers for them. */
static int layout(exporter *x, xs_error *err)
{
    const xs__store_table_schema *d = x->def;
    x->n_attr = x->names.n;
    x->n_out = x->n_std + x->n_attr;
    x->names_out = xs__calloc(x->n_out, sizeof *x->names_out);
    x->numeric = xs__calloc(x->n_out, sizeof *x->numeric);
    x->fields = xs__calloc(x->n_out, sizeof *x->fields);
    x->num = xs__calloc(x->n_std, sizeof *x->num);
    x->voff = xs__calloc(x->n_attr + 1, sizeof *x->voff);
    x->vlen = xs__calloc(x->n_attr + 1, sizeof *x->vlen);
    if (!x->names_out || !x->numeric || !x->fields || !x->num || !x->voff || !x->vlen)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < x->n_std; i++) {
        x->names_out[i] = d->cols[i].name;
        x->numeric[i] = d->cols[i].type != XS__COL_TEXT;
    }
    for (size_t i = 0; i < x->n_attr; i++)
        x->names_out[x->n_std + i] = xs__intern_str(&x->names, (uint32_t)i);
    return XS_OK;
}

/* The standard columns of the row at s into x->fields: numbers as text
 * (money in the store's scale, reals read back exactly), NULL as absent. */
static void std_fields(exporter *x, xs__store_stmt *s)
{
    for (size_t i = 0; i < x->n_std; i++) {
        int ct = xs__store_db_column_type(s, (int)i);
        xs__field *f = &x->fields[i];
        char *num = x->num[i];
        if (ct == XS__DB_NULL) {
            *f = (xs__field){"", 0, 0};
            continue;
        }
        switch (x->def->cols[i].type) {
        case XS__COL_INT:
            snprintf(num, sizeof x->num[i], "%lld",
                     (long long)xs__store_db_column_int64(s, (int)i));
            break;
        case XS__COL_MONEY:
            xs__money_format(xs__store_db_column_int64(s, (int)i), x->st->money_scale,
                             num, sizeof x->num[i]);
            break;
        case XS__COL_REAL:
            format_real(xs__store_db_column_double(s, (int)i), num, sizeof x->num[i]);
            break;
        default: {
            const char *txt = (const char *)xs__store_db_column_text(s, (int)i);
            *f = (xs__field){txt ? txt : "", (size_t)xs__store_db_column_bytes(s, (int)i),
                             1};
            continue;
        }
        }
        *f = (xs__field){num, strlen(num), 1};
    }
}

/* The attr columns of the row at s into x->fields: each name's value, or
 * absent. */
static int attr_fields(exporter *x, xs__store_stmt *s, xs_error *err)
{
    for (size_t k = 0; k < x->n_attr; k++)
        x->voff[k] = (size_t)-1;
    x->vals.n = 0;
    if (xs__store_db_column_type(s, (int)x->n_std) != XS__DB_NULL) {
        const char *a = (const char *)xs__store_db_column_text(s, (int)x->n_std);
        int r =
            attrs_each(a ? a : "", (size_t)xs__store_db_column_bytes(s, (int)x->n_std),
                       &x->tmp, collect_value, x);
        if (r < 0) return attrs_error(x, r, err);
    }
    for (size_t k = 0; k < x->n_attr; k++) {
        if (x->voff[k] == (size_t)-1)
            x->fields[x->n_std + k] = (xs__field){"", 0, 0};
        else
            x->fields[x->n_std + k] = (xs__field){x->vals.p + x->voff[k], x->vlen[k], 1};
    }
    return XS_OK;
}

/* Second scan: every row to the sink. Returns the row count or an error. */
static long long scan_rows(exporter *x, const xs__store_export_sink *sink, xs_error *err)
{
    char *sql = build_select(x->def, 0);
    if (!sql) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__store_stmt *s = NULL;
    int db = xs__store_db_prepare_scan(x->st, sql, -1, &s);
    xs__free(sql);
    if (db != XS__DB_OK) return xs__store_dberr(x->st, "reading a table", err);
    long long rows = 0;
    int rc = sink->header(sink->ctx, x->names_out, x->numeric, x->n_out, err), step = 0;
    while (rc == XS_OK && (step = xs__store_db_step(s)) == XS__DB_ROW) {
        std_fields(x, s);
        if ((x->n_attr && (rc = attr_fields(x, s, err)) < 0) ||
            (rc = sink->row(sink->ctx, x->fields, x->n_out, err)) < 0)
            break;
        rows++;
    }
    if (rc == XS_OK && step != XS__DB_DONE)
        rc = xs__store_dberr(x->st, "reading a table", err);
    xs__store_db_finalize(s);
    return rc < 0 ? rc : rows;
}

/* Contract in export.h. */
long long xs__store_export(xs_store *st, xs_table_id t, const xs__store_export_sink *sink,
                           xs_error *err)
{
    const xs__store_table_schema *d = xs__store_table_def(t);
    if (!st || !d)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no store or table");
    exporter x;
    memset(&x, 0, sizeof x);
    x.st = st;
    x.def = d;
    x.n_std = d->n_cols - 1;
    xs__intern_init(&x.names);
    long long rc;
    /* one read transaction: both scans see the same rows */
    if (xs__store_db_exec(st, xs__store_dialect(st, XS__SQL_BEGIN_READ)) != XS__DB_OK)
        rc = xs__store_dberr(st, "starting a read", err);
    else if ((rc = scan_attr_names(&x, err)) == XS_OK && (rc = layout(&x, err)) == XS_OK)
        rc = scan_rows(&x, sink, err);
    if (xs__store_db_in_txn(st)) xs__store_db_exec(st, "COMMIT");
    xs__intern_free(&x.names);
    xs__buf_free(&x.tmp);
    xs__buf_free(&x.vals);
    xs__free(x.voff);
    xs__free(x.vlen);
    xs__free(x.names_out);
    xs__free(x.numeric);
    xs__free(x.fields);
    xs__free(x.num);
    return rc;
}
