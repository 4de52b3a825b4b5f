/*
 * transactions.c — import of a flat order log (xs_import_transactions), the
 * library side of `xsell import --db FILE transactions INPUT`.
 *
 * Shops, POS and ERP systems export one line per order line: order id,
 * product code and name, quantity, date-time, unit price, customer id (often
 * empty). This file turns such a file into the store's own tables and hands
 * them to xs_import_records(), so the store sees exactly the validation,
 * upsert and all-or-nothing transaction of any other import:
 *
 *   1. read: every line is parsed (ids, date-time in the chosen date order,
 *      quantity, money as exact micro-units) into memory; ids are interned;
 *      lines of one order must share its customer and date (file lines are
 *      named in the error).
 *   2. classify each line, in this order: a product code that is not a
 *      product (--exclude-products, or the default rule below) is left out;
 *      a negative unit price (a ledger adjustment) and a zero price (free
 *      samples, stock write-offs) are not sales and are left out; a negative
 *      quantity or an order id with the return prefix is a return; a line
 *      without customer is an anonymous basket; anything else an order line.
 *   3. merge repeated product lines of one order (or return) into one:
 *      quantities and amounts summed, attributes of the first line.
 *   4. money: amount = quantity x unit price (or the amount column), summed
 *      exactly in micro-units and rounded half-even to the currency's
 *      digits once per stored line; rounded lines are counted, not rejected.
 *   5. new customers (not in the store) get their first purchase (or return)
 *      date as signup date; new products their first non-empty description
 *      as name and the median unit price of their sales as price (kind
 *      product, billing once). Customers and products already in the store
 *      are left as they are.
 *
 * Default rule for non-product codes (is_service below): a code is not a
 * product when the description of one of its priced lines is a service, a
 * fee or an adjustment: it is "postage", "carriage", "shipping",
 * "delivery", "discount", "manual" or "samples"; or ends with the word
 * "postage", "fee(s)", "charges" or "shipping"; or starts with
 * "adjustment", "adjust bad debt" or "(this is a) test product"; or holds
 * "gift voucher". Zero-price lines do not count (their descriptions are
 * stock notes such as "amazon adjustment" on real products).
 * Every code left out is reported with the description that matched;
 * --keep-products overrides it and --no-default-exclusions turns it off.
 */
#include "xsell.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/intern.h"
#include "base/money.h"
#include "base/progress.h"
#include "io/reader.h"
#include "io/validate.h"
#include "store/store_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MICRO 1000000LL /* money is read as micro-units: 6 fraction digits */
#define NO_OFF ((size_t)-1)
#define NONE XS_INTERN_NONE
#define PROGRESS_EVERY 8192

/* The fields of a transactions file, after --map. */
enum {
    F_ORDER = 0,
    F_PRODUCT,
    F_DATE,
    F_QTY,
    F_PRICE,
    F_AMOUNT,
    F_CUSTOMER,
    F_NAME,
    N_TF
};
static const char *const tf_names[N_TF] = {
    "order_id", "product_id", "date",        "quantity",
    "unit_price", "amount",   "customer_id", "product_name",
};

/* Classes of a line (step 2). */
enum { C_ORDER = 0, C_RETURN, C_ANON, C_EXCLUDED, C_ZERO, C_NEGATIVE };

typedef struct tline {
    uint32_t order, product, customer; /* customer NONE: none given */
    uint32_t line;                     /* file line (saturated) */
    int32_t day;
    uint8_t cls;
    size_t time;  /* offset of the time of day in pool, NO_OFF: none */
    size_t attrs; /* index of this line's first attr offset in attr_off */
    int64_t qty;
    int64_t price;  /* micro-units */
    int64_t amount; /* micro-units (quantity x price unless an amount column) */
} tline;

/* Per product code seen in the file. */
typedef struct tprod {
    size_t name;    /* offset of the first non-empty description, NO_OFF: none */
    size_t matched; /* offset of the description that matched the rule, or NO_OFF */
    int user;       /* 1: --exclude-products, -1: --keep-products, 0: neither */
    unsigned long long lines;
} tprod;

/* Per order id: the customer and day its sale lines share. */
typedef struct thead {
    uint32_t customer;
    int32_t day;
    uint32_t line; /* 0: no sale line yet */
} thead;

/* A stored (merged) line. */
typedef struct tout {
    uint32_t first; /* index of its first input line */
    int64_t qty;
    int64_t amount; /* micro-units */
} tout;

typedef struct txn {
    xs_store *st;
    const char *path;
    const xs_txn_options *o;
    int scale; /* fraction digits of the currency */
    xs__reader *rd;

    /* header: per input field, its transactions field or -1 (an attr) */
    size_t n_in;
    int *field_of;
    long col[N_TF];
    size_t *attr_cols; /* input indexes of the attr columns */
    size_t n_attr;

    xs__intern orders, products, customers;
    tline *lines;
    size_t n_lines, cap_lines;
    tprod *prods;
    size_t cap_prods;
    thead *heads;
    size_t cap_heads;
    char *pool;
    size_t pool_len, pool_cap;
    size_t *attr_off;
    size_t n_attr_off, cap_attr_off;

    xs__intern known_customers, known_products; /* in the store already */

    unsigned long long n_errors, delivered, bad_rows;
    int oom;
    xs_txn_result *res;
} txn;

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */
/* ---------------------------------------------------------------------- */

static void report(txn *t, long line, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports one error at line / column, at most max_errors of them. */
static void report(txn *t, long line, const char *col, const char *fmt, ...)
{
    t->n_errors++;
    long max = t->o->base.max_errors;
    if (max >= 0 && t->delivered >= (unsigned long long)max) return;
    t->delivered++;
    if (!t->o->base.on_error) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    xs_error e;
    xs__error_set(&e, XS_EREJECT, t->path, line, col, "%s", msg);
    t->o->base.on_error(t->o->base.error_ctx, &e);
}

static int oom(xs_error *err)
{
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* ---------------------------------------------------------------------- */
/* Values                                                                 */
/* ---------------------------------------------------------------------- */

/* Contract in xsell.h. */
int xs_date_order_parse(const char *s, xs_date_order *out)
{
    static const char *const names[] = {"iso", "ymd", "dmy", "mdy"};
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (xs_date_order)i;
            return XS_OK;
        }
    return XS_EINVAL;
}

/* Reads 1..max digits at s[*i]; returns the number or -1. */
static long digits(const char *s, size_t len, size_t *i, int min, int max)
{
    long v = 0;
    int n = 0;
    while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    return n >= min ? v : -1;
}

/*
 * Parses a time of day "H:MM[:SS[.fff]]" at s[i..len) into "HH:MM:SS" (buf,
 * 9 bytes). Returns the index after it, or 0 when malformed.
 */
static size_t parse_time(const char *s, size_t len, size_t i, char buf[9])
{
    long h = digits(s, len, &i, 1, 2), m = -1, sec = 0;
    if (h < 0 || i >= len || s[i] != ':') return 0;
    i++;
    m = digits(s, len, &i, 2, 2);
    if (m < 0) return 0;
    if (i < len && s[i] == ':') {
        i++;
        if ((sec = digits(s, len, &i, 2, 2)) < 0) return 0;
        if (i < len && s[i] == '.') {
            i++;
            if (digits(s, len, &i, 1, 9) < 0) return 0;
        }
    }
    if (h > 23 || m > 59 || sec > 60) return 0;
    snprintf(buf, 9, "%02ld:%02ld:%02ld", h, m, sec);
    return i;
}

/*
 * Parses a date or date-time in the given order. Sets *day and, when a time
 * is given, tbuf ("HH:MM:SS" plus any zone, up to 15 bytes) and *has_time.
 * Returns 0, or -1 when malformed.
 */
static int parse_datetime(xs_date_order ord, const char *s, size_t len, int32_t *day,
                          char tbuf[16], int *has_time)
{
    *has_time = 0;
    size_t i = 0;
    long y, m, d;
    if (ord == XS_DATES_ISO) {
        if (len < 10 || xs__date_parse(s, 10, day) < 0) return -1;
        if (len == 10) return 0;
        if (s[10] != ' ' && s[10] != 'T') return -1;
        size_t j = parse_time(s, len, 11, tbuf);
        if (!j) return -1;
        size_t zone = len - j;
        if (zone) {
            /* Z or ±HH:MM, checked by the date parser on a rebuilt string */
            if (zone > 6) return -1;
            char probe[40];
            snprintf(probe, sizeof probe, "%.10sT%s%.*s", s, tbuf, (int)zone, s + j);
            if (xs__date_parse(probe, strlen(probe), day) < 0) return -1;
            memcpy(tbuf + 8, s + j, zone);
            tbuf[8 + zone] = '\0';
        }
        *has_time = 1;
        return 0;
    }
    long part[3];
    for (int k = 0; k < 3; k++) {
        int year = (ord == XS_DATES_YMD && k == 0) || (ord != XS_DATES_YMD && k == 2);
        part[k] = digits(s, len, &i, year ? 4 : 1, year ? 4 : 2);
        if (part[k] < 0) return -1;
        if (k < 2) {
            if (i >= len || (s[i] != '/' && s[i] != '-' && s[i] != '.')) return -1;
            i++;
        }
    }
    if (ord == XS_DATES_YMD) y = part[0], m = part[1], d = part[2];
    else if (ord == XS_DATES_DMY) d = part[0], m = part[1], y = part[2];
    else m = part[0], d = part[1], y = part[2];
    if (m < 1 || m > 12 || d < 1 || d > xs__days_in_month((int)y, (int)m)) return -1;
    *day = xs__days_from_civil((int)y, (int)m, (int)d);
    if (i == len) return 0;
    if (s[i] != ' ' && s[i] != 'T') return -1;
    i = parse_time(s, len, i + 1, tbuf);
    if (i != len) return -1;
    *has_time = 1;
    return 0;
}

/* Parses a decimal into micro-units. 0, -1 malformed, -2 more than 6
 * fraction digits, -3 too large. */
static int parse_micro(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    int64_t v = 0;
    int nd = 0, nf = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++) {
        if (v > (INT64_MAX / MICRO - 9) / 10) return -3;
        v = v * 10 + (s[i] - '0');
    }
    int64_t f = 0;
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nf++) {
            if (nf == 6) return -2;
            f = f * 10 + (s[i] - '0');
        }
    }
    if (i != len || nd + nf == 0) return -1;
    for (int k = nf; k < 6; k++)
        f *= 10;
    v = v * MICRO + f;
    *out = neg ? -v : v;
    return 0;
}

/* Rounds micro-units half-even to `scale` digits (minor units). */
static int64_t round_minor(int64_t micro, int scale, int *inexact)
{
    int64_t f = 1;
    for (int k = scale; k < 6; k++)
        f *= 10;
    int64_t q = micro / f, r = micro % f;
    if (r < 0) r = -r;
    *inexact = r != 0;
    if (2 * r > f || (2 * r == f && (q % 2 != 0)))
        q += micro < 0 ? -1 : 1;
    return q;
}

/* Case-insensitive comparison of (s, n) with the lower-case word w. */
static int same_ci(const char *s, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]) != w[i]) return 0;
    return 1;
}

static int is_letter(char c)
{
    c = (char)(c | 32);
    return c >= 'a' && c <= 'z';
}

/*
 * The default rule: does a description (trimmed) name a service, fee or
 * adjustment rather than goods? Matched case-insensitively and on word
 * boundaries, by where the phrase stands: the whole description, its last
 * words, its first words, or anywhere. "DOTCOM POSTAGE", "AMAZON FEE",
 * "Adjust bad debt" and "Gift Voucher £20.00" match; "CARRIAGE CLOCK" does
 * not.
 */
static int is_service(const char *s, size_t len)
{
    enum { ALL, END, START, ANY };
    static const struct {
        const char *w;
        int where;
    } rule[] = {
        {"postage", ALL},      {"carriage", ALL},    {"shipping", ALL},
        {"delivery", ALL},     {"discount", ALL},    {"manual", ALL},
        {"samples", ALL},      {"postage", END},     {"fee", END},
        {"fees", END},         {"charges", END},     {"shipping", END},
        {"adjustment", START}, {"adjust bad debt", START}, {"test product", START},
        {"this is a test product", START}, {"gift voucher", ANY},
    };
    for (size_t r = 0; r < sizeof rule / sizeof rule[0]; r++) {
        size_t wl = strlen(rule[r].w);
        if (wl > len) continue;
        size_t from = 0, to = len - wl;
        if (rule[r].where == ALL && wl != len) continue;
        if (rule[r].where == END) from = to;
        if (rule[r].where == START) to = 0;
        for (size_t i = from; i <= to; i++) {
            if (i && is_letter(s[i - 1])) continue;
            if (i + wl < len && is_letter(s[i + wl])) continue;
            if (same_ci(s + i, rule[r].w, wl)) return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                */
/* ---------------------------------------------------------------------- */

/* Appends (s, len) plus a NUL to the pool; returns its offset or NO_OFF. */
static size_t pool_add(txn *t, const char *s, size_t len)
{
    if (xs__grow(&t->pool, &t->pool_cap, t->pool_len + len + 1, 1) < 0) {
        t->oom = 1;
        return NO_OFF;
    }
    size_t off = t->pool_len;
    memcpy(t->pool + off, s, len);
    t->pool[off + len] = '\0';
    t->pool_len += len + 1;
    return off;
}

/* Maps input fields [t->n_in, n) (after --map) onto transactions fields.
 * Returns XS_OK, XS_EREJECT (a field twice) or XS_ENOMEM. */
static int map_header(txn *t, size_t n, xs_error *err)
{
    if (n <= t->n_in) return XS_OK;
    int *f = xs__realloc(t->field_of, n * sizeof *f);
    if (!f) return oom(err);
    t->field_of = f;
    size_t *ac = xs__realloc(t->attr_cols, n * sizeof *ac);
    if (!ac) return oom(err);
    t->attr_cols = ac;
    int rc = XS_OK;
    for (size_t i = t->n_in; i < n; i++) {
        const char *name = xs__reader_field_name(t->rd, i);
        for (size_t m = 0; m < t->o->base.n_maps; m++) {
            const char *eq = strrchr(t->o->base.maps[m], '=');
            size_t fl = (size_t)(eq - t->o->base.maps[m]);
            if (strlen(name) == fl && !memcmp(name, t->o->base.maps[m], fl)) name = eq + 1;
        }
        t->field_of[i] = -1;
        for (int k = 0; k < N_TF; k++)
            if (!strcmp(name, tf_names[k])) t->field_of[i] = k;
        int k = t->field_of[i];
        if (k >= 0 && t->col[k] >= 0) {
            report(t, 1, name, "column appears twice (columns %ld and %zu)", t->col[k] + 1,
                   i + 1);
            rc = XS_EREJECT;
        } else if (k >= 0) {
            t->col[k] = (long)i;
        } else if (!strcmp(name, "ordered_at")) {
            t->field_of[i] = -2; /* ours: the time is written there */
        } else {
            t->attr_cols[t->n_attr++] = i;
        }
    }
    t->n_in = n;
    return rc;
}

/* Checks the --map options: each THEIRS=OURS with OURS a field; and the
 * consent channels. */
static int check_maps(const xs_txn_options *o, xs_error *err)
{
    static const char *const channels[] = {"email", "in_app", "csm", "webinar", "sns"};
    for (size_t i = 0; i < o->n_consent; i++) {
        int ok = 0;
        for (size_t k = 0; k < 5; k++)
            ok |= !strcmp(o->consent[i], channels[k]);
        if (!ok)
            return xs__error_set(err, XS_EINVAL, NULL, 0, "--consent",
                                 "expected email, in_app, csm, webinar or sns, got \"%s\"",
                                 o->consent[i]);
    }
    for (size_t m = 0; m < o->base.n_maps; m++) {
        const char *s = o->base.maps[m], *eq = s ? strrchr(s, '=') : NULL;
        if (!eq || eq == s || !eq[1])
            return xs__error_set(err, XS_EINVAL, NULL, 0, "--map",
                                 "expected THEIRS=OURS, got \"%s\"", s ? s : "");
        int ok = 0;
        for (int k = 0; k < N_TF; k++)
            ok |= !strcmp(eq + 1, tf_names[k]);
        if (!ok)
            return xs__error_set(err, XS_EINVAL, NULL, 0, "--map",
                                 "\"%s\" is not a transactions field (expected order_id, "
                                 "product_id, date, quantity, unit_price, amount, "
                                 "customer_id or product_name)",
                                 eq + 1);
    }
    return XS_OK;
}

/* The required columns: order_id, product_id, date, quantity, and
 * unit_price or amount. Reports each missing one with the closest unused
 * column of the file; returns how many. */
static int check_columns(txn *t)
{
    static const int need[] = {F_ORDER, F_PRODUCT, F_DATE, F_QTY, F_PRICE};
    size_t n = t->n_in;
    const char **all = xs__calloc(n ? n : 1, sizeof *all);
    const char **unused = xs__calloc(n ? n : 1, sizeof *unused);
    int bad = 0;
    for (size_t i = 0; all && unused && i < n; i++) {
        all[i] = xs__reader_field_name(t->rd, i);
        if (t->field_of[i] == -1) unused[i] = all[i];
    }
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        int f = need[k];
        if (t->col[f] >= 0 || (f == F_PRICE && t->col[F_AMOUNT] >= 0)) continue;
        char hint[600] = "";
        if (all && unused) xs__missing_column_hint(tf_names[f], all, unused, n, hint, sizeof hint);
        report(t, 1, NULL, "missing required column \"%s\"%s%s", tf_names[f],
               f == F_PRICE ? " (or \"amount\")" : "", hint);
        bad++;
    }
    xs__free(all);
    xs__free(unused);
    return bad;
}

/* Interns an id field after checking it as an id. Returns the id, NONE
 * when it was reported, or NONE with t->oom set. */
static uint32_t id_field(txn *t, xs__intern *tab, const xs__field *fd, long line, int k)
{
    static const xs__field_spec id_spec = {"id", XS__F_ID, 0, 0, NULL, NULL};
    xs__value v;
    int32_t dd;
    char scratch[16], msg[300];
    if (xs__validate_value(&id_spec, fd->ptr, fd->len, 2, &v, &dd, scratch, msg,
                           sizeof msg) < 0) {
        report(t, line, tf_names[k], "%s", msg);
        return NONE;
    }
    uint32_t id = xs__intern_add(tab, fd->ptr, fd->len);
    if (id == NONE) t->oom = 1;
    return id;
}

static const xs__field *field_at(const txn *t, const xs__field *fields, size_t n, int k)
{
    long i = t->col[k];
    if (i < 0 || (size_t)i >= n || !fields[i].present || !fields[i].len) return NULL;
    return &fields[i];
}

/* Grows the per-id arrays of products and order heads to hold id. */
static int grow_ids(txn *t, uint32_t product, uint32_t order)
{
    size_t had = t->cap_prods;
    if (product != NONE &&
        xs__grow(&t->prods, &t->cap_prods, (size_t)product + 1, sizeof *t->prods) < 0)
        return -1;
    for (size_t i = had; i < t->cap_prods; i++) {
        t->prods[i].name = t->prods[i].matched = NO_OFF;
        t->prods[i].user = 0;
        t->prods[i].lines = 0;
    }
    had = t->cap_heads;
    if (order != NONE &&
        xs__grow(&t->heads, &t->cap_heads, (size_t)order + 1, sizeof *t->heads) < 0)
        return -1;
    if (t->cap_heads > had) memset(t->heads + had, 0, (t->cap_heads - had) * sizeof *t->heads);
    return 0;
}

static int starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = prefix ? strlen(prefix) : 0;
    return n && len >= n && !memcmp(s, prefix, n);
}

/* Parses one record into a line (or reports what is wrong with it). */
static int read_row(txn *t, const xs__field *fields, long line, xs_error *err)
{
    size_t n = xs__reader_n_fields(t->rd);
    int rc = map_header(t, n, err);
    if (rc == XS_ENOMEM) return rc;
    unsigned long long before = t->n_errors;
    tline L;
    memset(&L, 0, sizeof L);
    L.line = line < (long)UINT32_MAX ? (uint32_t)line : UINT32_MAX;
    L.order = L.product = L.customer = NONE;
    L.time = NO_OFF;

    static const int req[] = {F_ORDER, F_PRODUCT, F_DATE, F_QTY};
    for (size_t k = 0; k < sizeof req / sizeof req[0]; k++)
        if (!field_at(t, fields, n, req[k]))
            report(t, line, tf_names[req[k]], "missing required value");
    const xs__field *fd;
    if ((fd = field_at(t, fields, n, F_ORDER))) L.order = id_field(t, &t->orders, fd, line, F_ORDER);
    if ((fd = field_at(t, fields, n, F_PRODUCT)))
        L.product = id_field(t, &t->products, fd, line, F_PRODUCT);
    if ((fd = field_at(t, fields, n, F_CUSTOMER)))
        L.customer = id_field(t, &t->customers, fd, line, F_CUSTOMER);
    if (t->oom) return oom(err);
    char tbuf[16], q[120];
    int has_time = 0;
    if ((fd = field_at(t, fields, n, F_DATE)) &&
        parse_datetime(t->o->dates, fd->ptr, fd->len, &L.day, tbuf, &has_time) < 0) {
        xs__error_quote(q, sizeof q, fd->ptr, fd->len);
        static const char *const forms[] = {
            "an ISO 8601 date or date-time (YYYY-MM-DD[ HH:MM[:SS]])",
            "a ymd date (YYYY/M/D [H:MM[:SS]])", "a dmy date (D/M/YYYY [H:MM[:SS]])",
            "an mdy date (M/D/YYYY [H:MM[:SS]])"};
        int slashed = memchr(fd->ptr, '/', fd->len) != NULL;
        report(t, line, "date", "not %s: %s%s", forms[t->o->dates], q,
               t->o->dates == XS_DATES_ISO && slashed
                   ? "; use --date-format dmy, mdy or ymd"
                   : "");
    }
    if ((fd = field_at(t, fields, n, F_QTY))) {
        int64_t v;
        int r = parse_micro(fd->ptr, fd->len, &v);
        xs__error_quote(q, sizeof q, fd->ptr, fd->len);
        if (r < 0 || v % MICRO)
            report(t, line, "quantity", "not an integer: %s", q);
        else if (v == 0)
            report(t, line, "quantity", "must not be 0: %s", q);
        else if (v / MICRO > 1000000000LL || v / MICRO < -1000000000LL)
            report(t, line, "quantity", "too large: %s", q);
        else
            L.qty = v / MICRO;
    }
    int has_price = 0, has_amount = 0;
    for (int k = F_PRICE; k <= F_AMOUNT; k++) {
        if (!(fd = field_at(t, fields, n, k))) continue;
        int64_t v;
        int r = parse_micro(fd->ptr, fd->len, &v);
        xs__error_quote(q, sizeof q, fd->ptr, fd->len);
        if (r == -2)
            report(t, line, tf_names[k], "more than 6 fraction digits: %s", q);
        else if (r < 0 || v > 1000000000000LL * MICRO / 1000 || v < -1000000000LL * MICRO)
            report(t, line, tf_names[k], r == -1 ? "not an amount: %s" : "too large: %s", q);
        else if (k == F_PRICE)
            L.price = v, has_price = 1;
        else
            L.amount = v, has_amount = 1;
    }
    if (!has_price && !has_amount && t->n_errors == before)
        report(t, line, t->col[F_PRICE] >= 0 ? "unit_price" : "amount",
               "missing required value");
    if (t->n_errors != before) {
        t->bad_rows++;
        return XS_OK;
    }
    if (!has_amount) {
        L.amount = L.qty * L.price; /* |qty| <= 1e9, |price| <= 1e15 micro */
    } else if (!has_price) {
        L.price = L.amount / L.qty;
    }
    if (grow_ids(t, L.product, L.order) < 0) return oom(err);

    /* lines of one order share its customer and date (returns aside) */
    int is_return = L.qty < 0 || starts_with(fields[t->col[F_ORDER]].ptr,
                                             fields[t->col[F_ORDER]].len,
                                             t->o->return_prefix);
    L.cls = is_return ? C_RETURN : C_ORDER;
    if (!is_return) {
        thead *h = &t->heads[L.order];
        if (!h->line) {
            h->customer = L.customer;
            h->day = L.day;
            h->line = L.line;
        } else if (h->customer != L.customer) {
            char was[160], now[120];
            const char *oid = xs__intern_str(&t->orders, L.order);
            if (h->customer == NONE)
                snprintf(was, sizeof was, "has no customer");
            else {
                xs__error_quote(q, sizeof q, xs__intern_str(&t->customers, h->customer),
                                t->customers.lens[h->customer]);
                snprintf(was, sizeof was, "belongs to customer %s", q);
            }
            if (L.customer == NONE)
                snprintf(now, sizeof now, "none");
            else
                xs__error_quote(now, sizeof now, xs__intern_str(&t->customers, L.customer),
                                t->customers.lens[L.customer]);
            xs__error_quote(q, sizeof q, oid, t->orders.lens[L.order]);
            report(t, line, "customer_id", "order %s %s (line %lu), not %s", q, was,
                   (unsigned long)h->line, now);
        } else if (h->day != L.day) {
            char d0[11], d1[11];
            xs__date_format(h->day, d0);
            xs__date_format(L.day, d1);
            xs__error_quote(q, sizeof q, xs__intern_str(&t->orders, L.order),
                            t->orders.lens[L.order]);
            report(t, line, "date", "order %s is dated \"%s\" (line %lu), not \"%s\"", q, d0,
                   (unsigned long)h->line, d1);
        }
        if (t->n_errors != before) {
            t->bad_rows++;
            return XS_OK;
        }
    }

    /* the product's name and the default rule */
    tprod *p = &t->prods[L.product];
    p->lines++;
    if ((fd = field_at(t, fields, n, F_NAME))) {
        const char *s = fd->ptr;
        size_t len = fd->len;
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len && p->name == NO_OFF && L.price > 0 && (p->name = pool_add(t, s, len)) == NO_OFF)
            return oom(err);
        if (len && p->matched == NO_OFF && L.price != 0 && is_service(s, len) &&
            (p->matched = pool_add(t, s, len)) == NO_OFF)
            return oom(err);
    }
    if (has_time && (L.time = pool_add(t, tbuf, strlen(tbuf))) == NO_OFF) return oom(err);
    L.attrs = t->n_attr_off;
    if (xs__grow(&t->attr_off, &t->cap_attr_off, t->n_attr_off + t->n_attr,
                 sizeof *t->attr_off) < 0)
        return oom(err);
    for (size_t a = 0; a < t->n_attr; a++) {
        size_t i = t->attr_cols[a];
        const xs__field *af = i < n ? &fields[i] : NULL;
        size_t off = NO_OFF;
        if (af && af->present && af->len && (off = pool_add(t, af->ptr, af->len)) == NO_OFF)
            return oom(err);
        t->attr_off[t->n_attr_off++] = off;
    }
    if (xs__grow(&t->lines, &t->cap_lines, t->n_lines + 1, sizeof *t->lines) < 0)
        return oom(err);
    t->lines[t->n_lines++] = L;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Classify and merge                                                     */
/* ---------------------------------------------------------------------- */

/* Marks the products of --exclude-products / --keep-products. */
static int mark_user_codes(txn *t, xs_error *err)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *const *list = pass ? t->o->keep : t->o->exclude;
        size_t nl = pass ? t->o->n_keep : t->o->n_exclude;
        for (size_t i = 0; i < nl; i++) {
            uint32_t id = xs__intern_find(&t->products, list[i], strlen(list[i]));
            if (id == NONE) continue; /* a code this file does not have */
            if (grow_ids(t, id, NONE) < 0) return oom(err);
            t->prods[id].user = pass ? -1 : 1;
        }
    }
    return XS_OK;
}

static int excluded_product(const txn *t, uint32_t p)
{
    const tprod *pr = &t->prods[p];
    if (pr->user) return pr->user > 0;
    return !t->o->no_default_exclusions && pr->matched != NO_OFF;
}

static int cmp_excluded(const void *a, const void *b)
{
    const xs_txn_excluded *x = a, *y = b;
    if (x->lines != y->lines) return x->lines < y->lines ? 1 : -1;
    return strcmp(x->code, y->code);
}

/* Classifies every line (step 2) and fills the counts and the list of
 * excluded codes. */
static int classify(txn *t, xs_error *err)
{
    xs_txn_result *r = t->res;
    for (size_t i = 0; i < t->n_lines; i++) {
        tline *L = &t->lines[i];
        if (excluded_product(t, L->product))
            L->cls = C_EXCLUDED, r->excluded_lines++;
        else if (L->price < 0)
            L->cls = C_NEGATIVE, r->negative_price_lines++;
        else if (L->amount == 0)
            L->cls = C_ZERO, r->zero_price_lines++;
        else if (L->cls == C_RETURN)
            r->return_lines++;
        else if (L->customer == NONE)
            L->cls = C_ANON, r->anonymous_lines++;
    }
    size_t n = 0;
    for (uint32_t p = 0; p < t->products.n; p++)
        n += excluded_product(t, p);
    if (!n) return XS_OK;
    r->excluded = xs__calloc(n, sizeof *r->excluded);
    if (!r->excluded) return oom(err);
    for (uint32_t p = 0; p < t->products.n; p++) {
        if (!excluded_product(t, p)) continue;
        xs_txn_excluded *x = &r->excluded[r->n_excluded++];
        snprintf(x->code, sizeof x->code, "%s", xs__intern_str(&t->products, p));
        x->lines = t->prods[p].lines;
        if (t->prods[p].user)
            snprintf(x->reason, sizeof x->reason, "--exclude-products");
        else
            snprintf(x->reason, sizeof x->reason, "description \"%.120s\"",
                     t->pool + t->prods[p].matched);
    }
    qsort(r->excluded, r->n_excluded, sizeof *r->excluded, cmp_excluded);
    return XS_OK;
}

/* An open-addressing map from (class, order, product) to a merged line. */
typedef struct mmap {
    uint64_t *keys; /* key + 1; 0 empty */
    uint32_t *vals;
    size_t n_slots;
} mmap;

static uint64_t merge_key(const tline *L)
{
    return ((uint64_t)L->cls << 62) | ((uint64_t)L->order << 30) | L->product;
}

/*
 * Merges the kept lines (orders, returns, anonymous) by (class, order id,
 * product) into outs, in the order of their first line. Sets *n_out.
 */
static int merge(txn *t, tout **outs, size_t *n_out, xs_error *err)
{
    mmap m = {NULL, NULL, 64};
    while (m.n_slots < t->n_lines * 2 + 2)
        m.n_slots *= 2;
    m.keys = xs__calloc(m.n_slots, sizeof *m.keys);
    m.vals = xs__malloc(m.n_slots * sizeof *m.vals);
    tout *o = xs__malloc((t->n_lines + 1) * sizeof *o);
    if (!m.keys || !m.vals || !o) {
        xs__free(m.keys);
        xs__free(m.vals);
        xs__free(o);
        return oom(err);
    }
    if (t->orders.n >= (1u << 30) || t->products.n >= (1u << 30)) {
        xs__free(m.keys);
        xs__free(m.vals);
        xs__free(o);
        return xs__error_set(err, XS_EINVAL, t->path, 0, NULL, "too many distinct ids");
    }
    size_t n = 0;
    for (size_t i = 0; i < t->n_lines; i++) {
        const tline *L = &t->lines[i];
        if (L->cls > C_ANON) continue;
        uint64_t k = merge_key(L) + 1;
        size_t s = (size_t)xs__mix64(k) & (m.n_slots - 1);
        while (m.keys[s] && m.keys[s] != k)
            s = (s + 1) & (m.n_slots - 1);
        int64_t sign = L->cls == C_RETURN ? -1 : 1;
        int64_t q = L->qty * sign, a = L->amount * sign;
        if (L->cls == C_RETURN && q < 0) q = -q, a = -a; /* a prefixed id, positive lines */
        if (m.keys[s]) {
            tout *x = &o[m.vals[s]];
            x->qty += q;
            x->amount += a;
            t->res->merged++;
        } else {
            m.keys[s] = k;
            m.vals[s] = (uint32_t)n;
            o[n].first = (uint32_t)i;
            o[n].qty = q;
            o[n].amount = a;
            n++;
        }
    }
    xs__free(m.keys);
    xs__free(m.vals);
    *outs = o;
    *n_out = n;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Rows for the store                                                     */
/* ---------------------------------------------------------------------- */

static int add_known(void *ctx, const xs__value *key, size_t n_key)
{
    (void)n_key;
    return xs__intern_add(ctx, key[0].s ? key[0].s : "", key[0].len) == NONE ? XS_ENOMEM
                                                                           : XS_OK;
}

/* Values of the rows being built: fixed-size text slots that never move. */
typedef struct vbuf {
    char *text;
    size_t used, cap;
} vbuf;

static const char *vb_put(vbuf *b, const char *s, size_t *len)
{
    size_t n = strlen(s);
    if (b->used + n + 1 > b->cap) return NULL; /* sized in advance: cannot happen */
    char *p = b->text + b->used;
    memcpy(p, s, n + 1);
    b->used += n + 1;
    *len = n;
    return p;
}

static void set_v(xs_import_value *v, const char *s, size_t len)
{
    v->ptr = s;
    v->len = len;
    v->present = s != NULL;
}

static void set_str(xs_import_value *v, const char *s)
{
    set_v(v, s, s ? strlen(s) : 0);
}

static void set_fmt(xs_import_value *v, vbuf *b, const char *s)
{
    size_t len = 0;
    const char *p = vb_put(b, s, &len);
    set_v(v, p, len);
}

/* Error callback of xs_import_records: names the file line of the row. */
typedef struct relay {
    txn *t;
    const uint32_t *src_line[XS_N_TABLES]; /* per table: row index -> file line */
} relay;

static void relay_error(void *ctx, const xs_error *e)
{
    relay *rl = ctx;
    xs_error f = *e;
    xs_table_id tid;
    if (xs_table_lookup(e->file, &tid) == XS_OK && rl->src_line[tid] && e->line > 0) {
        snprintf(f.file, sizeof f.file, "%s", rl->t->path);
        f.line = (long)rl->src_line[tid][e->line - 1];
    }
    if (rl->t->o->base.on_error) rl->t->o->base.on_error(rl->t->o->base.error_ctx, &f);
}

typedef struct table_out {
    xs_import_rows rows;
    const char **names;
    xs_import_value *vals;
    uint32_t *src;
} table_out;

static int table_alloc(table_out *to, xs_table_id id, const char *const *own, size_t n_own,
                       const txn *t, int with_attrs, size_t n_rows)
{
    size_t nn = n_own + (with_attrs ? 1 + t->n_attr : 0);
    to->names = xs__calloc(nn, sizeof *to->names);
    to->vals = xs__calloc(nn * (n_rows ? n_rows : 1), sizeof *to->vals);
    to->src = xs__calloc(n_rows ? n_rows : 1, sizeof *to->src);
    if (!to->names || !to->vals || !to->src) return -1;
    for (size_t i = 0; i < n_own; i++)
        to->names[i] = own[i];
    if (with_attrs) {
        to->names[n_own] = "ordered_at";
        for (size_t a = 0; a < t->n_attr; a++)
            to->names[n_own + 1 + a] = xs__reader_field_name(t->rd, t->attr_cols[a]);
    }
    to->rows.table = id;
    to->rows.names = to->names;
    to->rows.n_names = nn;
    to->rows.values = to->vals;
    to->rows.n_rows = 0;
    return 0;
}

static void table_free(table_out *to)
{
    xs__free(to->names);
    xs__free(to->vals);
    xs__free(to->src);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/*
 * Builds the rows of the five tables from the merged lines and imports
 * them in one transaction.
 */
static int write_tables(txn *t, const tout *outs, size_t n_out, xs_error *err)
{
    xs_txn_result *r = t->res;
    int rc = XS_OK;
    table_out T[5];
    memset(T, 0, sizeof T);
    vbuf vb = {NULL, 0, 0};
    int32_t *first_day = NULL;
    int64_t *prices = NULL;
    size_t *price_at = NULL;
    relay rl;
    memset(&rl, 0, sizeof rl);
    rl.t = t;

    /* first purchase (or return) day of every customer, the sales prices of
     * every product */
    first_day = xs__malloc((t->customers.n + 1) * sizeof *first_day);
    price_at = xs__calloc(t->products.n + 2, sizeof *price_at);
    prices = xs__malloc((t->n_lines + 1) * sizeof *prices);
    uint8_t *used = xs__calloc(t->products.n + 1, 1);
    if (!first_day || !price_at || !prices || !used) {
        xs__free(used);
        rc = oom(err);
        goto cleanup;
    }
    for (size_t c = 0; c < t->customers.n; c++)
        first_day[c] = INT32_MAX;
    for (size_t i = 0; i < n_out; i++) {
        const tline *L = &t->lines[outs[i].first];
        used[L->product] = 1;
    }
    for (size_t i = 0; i < t->n_lines; i++) {
        const tline *L = &t->lines[i];
        if (L->cls > C_ANON) continue;
        if (L->customer != NONE && L->day < first_day[L->customer])
            first_day[L->customer] = L->day;
        if (L->cls != C_RETURN && L->price > 0) price_at[L->product + 1]++;
    }
    for (size_t p = 0; p < t->products.n; p++)
        price_at[p + 1] += price_at[p];
    {
        size_t *fill = xs__malloc((t->products.n + 1) * sizeof *fill);
        if (!fill) {
            xs__free(used);
            rc = oom(err);
            goto cleanup;
        }
        memcpy(fill, price_at, (t->products.n + 1) * sizeof *fill);
        for (size_t i = 0; i < t->n_lines; i++) {
            const tline *L = &t->lines[i];
            if (L->cls > C_ANON || L->cls == C_RETURN || L->price <= 0) continue;
            prices[fill[L->product]++] = L->price;
        }
        xs__free(fill);
    }

    /* rows */
    size_t n_cust = 0, n_prod = 0, n_kind[3] = {0, 0, 0};
    for (size_t c = 0; c < t->customers.n; c++)
        n_cust += first_day[c] != INT32_MAX &&
                  xs__intern_find(&t->known_customers, xs__intern_str(&t->customers, (uint32_t)c),
                                  t->customers.lens[c]) == NONE;
    for (size_t p = 0; p < t->products.n; p++)
        n_prod += used[p] && xs__intern_find(&t->known_products,
                                             xs__intern_str(&t->products, (uint32_t)p),
                                             t->products.lens[p]) == NONE;
    for (size_t i = 0; i < n_out; i++)
        n_kind[t->lines[outs[i].first].cls]++;
    vb.cap = (n_cust * 2 + n_prod * 2 + n_out * 4 + 16) * 32;
    vb.text = xs__malloc(vb.cap);
    static const char *const cust_names[] = {"customer_id",    "signup_date",
                                             "consent_email",  "consent_in_app",
                                             "consent_csm",    "consent_webinar",
                                             "consent_sns"};
    static const char *const prod_names[] = {"product_id", "name", "kind", "price",
                                             "billing"};
    static const char *const ord_names[] = {"order_id",   "customer_id", "date",
                                            "product_id", "quantity",    "amount"};
    static const char *const ret_names[] = {"return_id", "product_id", "customer_id",
                                            "date",      "quantity",   "amount"};
    static const char *const anon_names[] = {"order_id", "product_id", "date", "quantity",
                                             "amount"};
    if (!vb.text || table_alloc(&T[0], XS_T_CUSTOMERS, cust_names, 7, t, 0, n_cust) < 0 ||
        table_alloc(&T[1], XS_T_PRODUCTS, prod_names, 5, t, 0, n_prod) < 0 ||
        table_alloc(&T[2], XS_T_ORDERS, ord_names, 6, t, 1, n_kind[C_ORDER]) < 0 ||
        table_alloc(&T[3], XS_T_RETURNS, ret_names, 6, t, 1, n_kind[C_RETURN]) < 0 ||
        table_alloc(&T[4], XS_T_ANONYMOUS_ORDERS, anon_names, 5, t, 1, n_kind[C_ANON]) < 0) {
        xs__free(used);
        rc = oom(err);
        goto cleanup;
    }
    T[3].names[6] = "returned_at";
    char buf[64];
    for (size_t c = 0; c < t->customers.n; c++) {
        const char *id = xs__intern_str(&t->customers, (uint32_t)c);
        if (first_day[c] == INT32_MAX ||
            xs__intern_find(&t->known_customers, id, t->customers.lens[c]) != NONE)
            continue;
        xs_import_value *v = T[0].vals + T[0].rows.n_rows * T[0].rows.n_names;
        set_v(&v[0], id, t->customers.lens[c]);
        xs__date_format(first_day[c], buf);
        set_fmt(&v[1], &vb, buf);
        for (size_t k = 0; k < t->o->n_consent; k++)
            for (size_t j = 2; j < 7; j++)
                if (!strcmp(cust_names[j] + 8, t->o->consent[k])) set_str(&v[j], "1");
        T[0].rows.n_rows++;
    }
    for (size_t p = 0; p < t->products.n; p++) {
        const char *id = xs__intern_str(&t->products, (uint32_t)p);
        if (!used[p] || xs__intern_find(&t->known_products, id, t->products.lens[p]) != NONE)
            continue;
        xs_import_value *v = T[1].vals + T[1].rows.n_rows * T[1].rows.n_names;
        set_v(&v[0], id, t->products.lens[p]);
        set_str(&v[1], t->prods[p].name == NO_OFF ? NULL : t->pool + t->prods[p].name);
        set_str(&v[2], "product");
        int64_t med = 0;
        size_t a = price_at[p], b = price_at[p + 1];
        if (b > a) {
            qsort(prices + a, b - a, sizeof *prices, cmp_i64);
            med = prices[a + (b - a - 1) / 2]; /* the lower median */
        } else {
            /* only returns: the price they were sold at */
            for (size_t i = 0; i < t->n_lines && !med; i++)
                if (t->lines[i].product == p && t->lines[i].price > 0) med = t->lines[i].price;
        }
        int inexact;
        xs__money_format(round_minor(med, t->scale, &inexact), t->scale, buf, sizeof buf);
        r->rounded += (unsigned long long)inexact;
        set_fmt(&v[3], &vb, buf);
        set_str(&v[4], "once");
        T[1].rows.n_rows++;
    }
    xs__free(used);
    for (size_t i = 0; i < n_out; i++) {
        const tout *x = &outs[i];
        const tline *L = &t->lines[x->first];
        table_out *to = &T[L->cls == C_ORDER ? 2 : L->cls == C_RETURN ? 3 : 4];
        xs_import_value *v = to->vals + to->rows.n_rows * to->rows.n_names;
        to->src[to->rows.n_rows] = L->line;
        const char *oid = xs__intern_str(&t->orders, L->order);
        const char *pid = xs__intern_str(&t->products, L->product);
        const char *cid = L->customer == NONE ? NULL : xs__intern_str(&t->customers, L->customer);
        size_t ol = t->orders.lens[L->order], pl = t->products.lens[L->product];
        size_t cl = cid ? t->customers.lens[L->customer] : 0;
        char day[11], qty[32], amt[64];
        xs__date_format(L->day, day);
        snprintf(qty, sizeof qty, "%lld", (long long)x->qty);
        int inexact;
        xs__money_format(round_minor(x->amount, t->scale, &inexact), t->scale, amt, sizeof amt);
        r->rounded += (unsigned long long)inexact;
        size_t k = 0;
        if (L->cls == C_ORDER) {
            set_v(&v[k++], oid, ol);
            set_v(&v[k++], cid, cl);
            set_fmt(&v[k++], &vb, day);
            set_v(&v[k++], pid, pl);
        } else if (L->cls == C_RETURN) {
            set_v(&v[k++], oid, ol);
            set_v(&v[k++], pid, pl);
            set_v(&v[k++], cid, cl);
            set_fmt(&v[k++], &vb, day);
        } else {
            set_v(&v[k++], oid, ol);
            set_v(&v[k++], pid, pl);
            set_fmt(&v[k++], &vb, day);
        }
        set_fmt(&v[k++], &vb, qty);
        set_fmt(&v[k++], &vb, amt);
        if (L->time != NO_OFF) {
            char ts[40];
            snprintf(ts, sizeof ts, "%sT%s", day, t->pool + L->time);
            set_fmt(&v[k], &vb, ts);
        }
        k++;
        for (size_t a = 0; a < t->n_attr; a++, k++) {
            size_t off = t->attr_off[L->attrs + a];
            set_str(&v[k], off == NO_OFF ? NULL : t->pool + off);
        }
        to->rows.n_rows++;
    }
    r->new_customers = T[0].rows.n_rows;
    r->new_products = T[1].rows.n_rows;

    xs_import_rows rows[5];
    xs_import_result res5[5];
    for (int i = 0; i < 5; i++) {
        rows[i] = T[i].rows;
        if (i >= 2) rl.src_line[T[i].rows.table] = T[i].src;
    }
    xs_import_options io = t->o->base;
    io.on_error = relay_error;
    io.error_ctx = &rl;
    io.on_progress = NULL;
    io.maps = NULL; /* applied to the file's header already */
    io.n_maps = 0;
    rc = xs_import_records(t->st, rows, 5, &io, res5, err);
    for (int i = 0; i < 5; i++)
        r->tables[T[i].rows.table] = res5[i];

cleanup:
    for (int i = 0; i < 5; i++)
        table_free(&T[i]);
    xs__free(vb.text);
    xs__free(first_day);
    xs__free(prices);
    xs__free(price_at);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* The import                                                             */
/* ---------------------------------------------------------------------- */

static void txn_free(txn *t)
{
    xs__reader_close(t->rd);
    xs__free(t->field_of);
    xs__free(t->attr_cols);
    xs__intern_free(&t->orders);
    xs__intern_free(&t->products);
    xs__intern_free(&t->customers);
    xs__intern_free(&t->known_customers);
    xs__intern_free(&t->known_products);
    xs__free(t->lines);
    xs__free(t->prods);
    xs__free(t->heads);
    xs__free(t->pool);
    xs__free(t->attr_off);
}

/* Contract in xsell.h. */
void xs_txn_result_free(xs_txn_result *res)
{
    if (!res) return;
    xs__free(res->excluded);
    res->excluded = NULL;
    res->n_excluded = 0;
}

/* Contract in xsell.h. */
int xs_import_transactions(xs_store *st, const char *path, const xs_txn_options *o,
                           xs_txn_result *res, xs_error *err)
{
    double t0 = xs__now();
    xs_txn_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    if (!st || !path || !o)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no store, file or options");
    txn t;
    memset(&t, 0, sizeof t);
    t.st = st;
    t.path = path;
    t.o = o;
    t.res = res;
    for (int k = 0; k < N_TF; k++)
        t.col[k] = -1;
    xs__intern_init(&t.orders);
    xs__intern_init(&t.products);
    xs__intern_init(&t.customers);
    xs__intern_init(&t.known_customers);
    xs__intern_init(&t.known_products);
    int rc;
    char code[4] = "";
    int digits = -1;
    if ((rc = check_maps(o, err)) < 0) goto cleanup;
    if (o->base.currency &&
        (rc = xs__import_parse_currency(o->base.currency, code, &digits, err)) < 0)
        goto cleanup;
    t.scale = xs__store_money_scale_for(st, o->base.currency ? code : NULL, digits);

    xs_io_format f =
        o->base.format == XS_IO_AUTO ? xs_io_format_of_path(path) : o->base.format;
    if ((rc = xs__reader_open(&t.rd, path, f == XS_IO_JSONL ? XS_INPUT_JSONL : XS_INPUT_CSV,
                              o->base.delimiter ? o->base.delimiter : ',', err)) < 0)
        goto cleanup;
    if ((rc = map_header(&t, xs__reader_n_fields(t.rd), err)) == XS_ENOMEM) goto cleanup;
    if ((rc == XS_EREJECT || (f != XS_IO_JSONL && check_columns(&t))) && t.n_errors) {
        rc = xs__error_set(err, XS_EREJECT, path, 0, NULL,
                           "%llu error%s in the header, nothing imported", t.n_errors,
                           t.n_errors == 1 ? "" : "s");
        goto cleanup;
    }
    for (;;) {
        const xs__field *fields;
        long line;
        xs_error rerr;
        int r = xs__reader_next(t.rd, &fields, &line, &rerr);
        if (r == 0) break;
        res->rows++;
        if (r < 0) {
            if (r != XS_EPARSE) {
                rc = r;
                if (err) *err = rerr;
                goto cleanup;
            }
            t.n_errors++;
            t.bad_rows++;
            if (o->base.max_errors < 0 || t.delivered < (unsigned long long)o->base.max_errors) {
                t.delivered++;
                if (o->base.on_error) o->base.on_error(o->base.error_ctx, &rerr);
            }
        } else if ((rc = read_row(&t, fields, line, err)) < 0) {
            goto cleanup;
        }
        if (o->base.on_progress && res->rows % PROGRESS_EVERY == 0) {
            unsigned long long done, total;
            xs__reader_progress(t.rd, &done, &total);
            o->base.on_progress(o->base.progress_ctx, res->rows, done, total);
        }
    }
    if (f == XS_IO_JSONL && check_columns(&t)) t.bad_rows++;
    if (t.n_errors) {
        rc = xs__error_set(err, XS_EREJECT, path, 0, NULL,
                           "%llu error%s in %llu row%s, nothing imported", t.n_errors,
                           t.n_errors == 1 ? "" : "s", t.bad_rows,
                           t.bad_rows == 1 ? "" : "s");
        goto cleanup;
    }
    if ((rc = mark_user_codes(&t, err)) < 0 || (rc = classify(&t, err)) < 0) goto cleanup;

    /* what the store has already */
    rc = xs__store_scan_keys(st, XS_T_CUSTOMERS, add_known, &t.known_customers, err);
    if (rc == XS_OK)
        rc = xs__store_scan_keys(st, XS_T_PRODUCTS, add_known, &t.known_products, err);
    if (rc == XS_ENOMEM) rc = oom(err);
    if (rc < 0) goto cleanup;

    tout *outs = NULL;
    size_t n_out = 0;
    if ((rc = merge(&t, &outs, &n_out, err)) < 0) goto cleanup;
    {
        /* distinct orders / returns / anonymous orders */
        uint8_t *seen = xs__calloc(t.orders.n + 1, 1);
        if (!seen) {
            xs__free(outs);
            rc = oom(err);
            goto cleanup;
        }
        for (size_t i = 0; i < n_out; i++) {
            const tline *L = &t.lines[outs[i].first];
            uint8_t bit = (uint8_t)(1u << L->cls);
            if (seen[L->order] & bit) continue;
            seen[L->order] |= bit;
            if (L->cls == C_ORDER) res->orders++;
            else if (L->cls == C_RETURN) res->returns++;
            else res->anonymous_orders++;
        }
        for (size_t i = 0; i < n_out; i++)
            res->order_lines += t.lines[outs[i].first].cls == C_ORDER;
        xs__free(seen);
    }
    rc = write_tables(&t, outs, n_out, err);
    xs__free(outs);
    if (rc == XS_EREJECT) res->new_customers = res->new_products = 0;

cleanup:
    res->seconds = xs__now() - t0;
    res->n_errors = t.n_errors;
    for (int i = 0; i < XS_N_TABLES; i++)
        res->n_errors += res->tables[i].n_errors;
    txn_free(&t);
    if (rc < 0) {
        /* nothing was written: counts of rows written are zero */
        for (int i = 0; i < XS_N_TABLES; i++)
            res->tables[i].inserted = res->tables[i].updated = res->tables[i].unchanged = 0;
    }
    return rc < 0 ? rc : XS_OK;
}
