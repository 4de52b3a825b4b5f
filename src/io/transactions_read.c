/*
 * transactions_read.c — the reading half of the flat order log import
 * (transactions.c has the whole picture): values (date-times in every date
 * order, money to exact micro-units, the default rule for codes that are
 * not products), the header and its --map, and one record into one line.
 */
#include "io/transactions_int.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "io/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const xs__io_txn_field_names[N_TF] = {
    "order_id",   "product_id", "date",        "quantity",
    "unit_price", "amount",     "customer_id", "product_name",
};

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */
/* ---------------------------------------------------------------------- */

void xs__io_txn_report(txn *t, long line, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports one error at line / column, at most max_errors of them. */
void xs__io_txn_report(txn *t, long line, const char *col, const char *fmt, ...)
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

int xs__io_txn_oom(xs_error *err)
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

/* Contract in transactions_int.h. */
int xs__io_txn_parse_datetime(xs_date_order ord, const char *s, size_t len, int32_t *day,
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
    if (ord == XS_DATES_YMD)
        y = part[0], m = part[1], d = part[2];
    else if (ord == XS_DATES_DMY)
        d = part[0], m = part[1], y = part[2];
    else
        m = part[0], d = part[1], y = part[2];
    if (m < 1 || m > 12 || d < 1 || d > xs__days_in_month((int)y, (int)m)) return -1;
    *day = xs__days_from_civil((int)y, (int)m, (int)d);
    if (i == len) return 0;
    if (s[i] != ' ' && s[i] != 'T') return -1;
    i = parse_time(s, len, i + 1, tbuf);
    if (i != len) return -1;
    *has_time = 1;
    return 0;
}

/* Contract in transactions_int.h. */
int xs__io_txn_parse_micro(const char *s, size_t len, int64_t *out)
{
    /* malformed first, then too many digits, then too large, wherever in
     * the text each problem sits (tests/fuzz/fuzz_money.c) */
    size_t i = 0, int_at, nd, frac_at = 0, nf = 0;
    int neg = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    for (int_at = i; i < len && s[i] >= '0' && s[i] <= '9'; i++) {}
    nd = i - int_at;
    if (i < len && s[i] == '.') {
        for (frac_at = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++) {}
        nf = i - frac_at;
    }
    if (i != len || nd + nf == 0) return -1;
    if (nf > 6) return -2;
    int64_t v = 0;
    for (size_t k = 0; k < nd + 6; k++) {
        int d = 0;
        if (k < nd)
            d = s[int_at + k] - '0';
        else if (k - nd < nf)
            d = s[frac_at + k - nd] - '0';
        if (v > (INT64_MAX - d) / 10) return -3;
        v = v * 10 + d;
    }
    *out = neg ? -v : v;
    return 0;
}

/* Rounds micro-units half-even to `scale` digits (minor units). */
int64_t xs__io_txn_round_minor(int64_t micro, int scale, int *inexact)
{
    int64_t f = 1;
    for (int k = scale; k < 6; k++)
        f *= 10;
    int64_t q = micro / f, r = micro % f;
    if (r < 0) r = -r;
    *inexact = r != 0;
    if (2 * r > f || (2 * r == f && (q % 2 != 0))) q += micro < 0 ? -1 : 1;
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
        {"postage", ALL},
        {"carriage", ALL},
        {"shipping", ALL},
        {"delivery", ALL},
        {"discount", ALL},
        {"manual", ALL},
        {"samples", ALL},
        {"postage", END},
        {"fee", END},
        {"fees", END},
        {"charges", END},
        {"shipping", END},
        {"adjustment", START},
        {"adjust bad debt", START},
        {"test product", START},
        {"this is a test product", START},
        {"gift voucher", ANY},
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
int xs__io_txn_map_header(txn *t, size_t n, xs_error *err)
{
    if (n <= t->n_in) return XS_OK;
    int *f = xs__realloc(t->field_of, n * sizeof *f);
    if (!f) return xs__io_txn_oom(err);
    t->field_of = f;
    size_t *ac = xs__realloc(t->attr_cols, n * sizeof *ac);
    if (!ac) return xs__io_txn_oom(err);
    t->attr_cols = ac;
    int rc = XS_OK;
    for (size_t i = t->n_in; i < n; i++) {
        const char *name = xs__io_reader_field_name(t->rd, i);
        for (size_t m = 0; m < t->o->base.n_maps; m++) {
            const char *eq = strrchr(t->o->base.maps[m], '=');
            size_t fl = (size_t)(eq - t->o->base.maps[m]);
            if (strlen(name) == fl && !memcmp(name, t->o->base.maps[m], fl))
                name = eq + 1;
        }
        t->field_of[i] = -1;
        for (int k = 0; k < N_TF; k++)
            if (!strcmp(name, xs__io_txn_field_names[k])) t->field_of[i] = k;
        int k = t->field_of[i];
        if (k >= 0 && t->col[k] >= 0) {
            xs__io_txn_report(t, 1, name, "column appears twice (columns %ld and %zu)",
                              t->col[k] + 1, i + 1);
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
int xs__io_txn_check_maps(const xs_txn_options *o, xs_error *err)
{
    static const char *const channels[] = {"email", "in_app", "csm", "webinar", "sns"};
    for (size_t i = 0; i < o->n_consent; i++) {
        int ok = 0;
        for (size_t k = 0; k < 5; k++)
            ok |= !strcmp(o->consent[i], channels[k]);
        if (!ok)
            return xs__error_param(
                err, XS_EINVAL, NULL, "consent",
                "expected email, in_app, csm, webinar or sns, got \"%s\"", o->consent[i]);
    }
    for (size_t m = 0; m < o->base.n_maps; m++) {
        const char *s = o->base.maps[m], *eq = s ? strrchr(s, '=') : NULL;
        if (!eq || eq == s || !eq[1])
            return xs__error_param(err, XS_EINVAL, NULL, "map",
                                   "expected THEIRS=OURS, got \"%s\"", s ? s : "");
        int ok = 0;
        for (int k = 0; k < N_TF; k++)
            ok |= !strcmp(eq + 1, xs__io_txn_field_names[k]);
        if (!ok)
            return xs__error_param(
                err, XS_EINVAL, NULL, "map",
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
int xs__io_txn_check_columns(txn *t)
{
    static const int need[] = {F_ORDER, F_PRODUCT, F_DATE, F_QTY, F_PRICE};
    size_t n = t->n_in;
    const char **all = xs__calloc(n ? n : 1, sizeof *all);
    const char **unused = xs__calloc(n ? n : 1, sizeof *unused);
    int bad = 0;
    for (size_t i = 0; all && unused && i < n; i++) {
        all[i] = xs__io_reader_field_name(t->rd, i);
        if (t->field_of[i] == -1) unused[i] = all[i];
    }
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        int f = need[k];
        if (t->col[f] >= 0 || (f == F_PRICE && t->col[F_AMOUNT] >= 0)) continue;
        char hint[600] = "";
        if (all && unused)
            xs__io_missing_column_hint(xs__io_txn_field_names[f], all, unused, n, hint,
                                       sizeof hint);
        xs__io_txn_report(t, 1, NULL, "missing required column \"%s\"%s%s",
                          xs__io_txn_field_names[f],
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
    static const xs__io_field_spec id_spec = {"id", XS__F_ID, 0, 0, NULL, NULL};
    xs__store_value v;
    int32_t dd;
    char scratch[16], msg[300];
    if (xs__io_validate_value(&id_spec, fd->ptr, fd->len, 2, &v, &dd, scratch, msg,
                              sizeof msg) < 0) {
        xs__io_txn_report(t, line, xs__io_txn_field_names[k], "%s", msg);
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
int xs__io_txn_grow_ids(txn *t, uint32_t product, uint32_t order)
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
    if (t->cap_heads > had)
        memset(t->heads + had, 0, (t->cap_heads - had) * sizeof *t->heads);
    return 0;
}

static int starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = prefix ? strlen(prefix) : 0;
    return n && len >= n && !memcmp(s, prefix, n);
}

/* Parses one record into a line (or reports what is wrong with it). */
/* Parses the date (and time of day, into tbuf, *has_time set) of line L
 * from fd, reporting a date that does not parse. */
static void read_date(txn *t, const xs__field *fd, long line, tline *L, char tbuf[16],
                      int *has_time)
{
    if (xs__io_txn_parse_datetime(t->o->dates, fd->ptr, fd->len, &L->day, tbuf,
                                  has_time) >= 0)
        return;
    char q[120];
    xs__error_quote(q, sizeof q, fd->ptr, fd->len);
    static const char *const forms[] = {
        "an ISO 8601 date or date-time (YYYY-MM-DD[ HH:MM[:SS]])",
        "a ymd date (YYYY/M/D [H:MM[:SS]])", "a dmy date (D/M/YYYY [H:MM[:SS]])",
        "an mdy date (M/D/YYYY [H:MM[:SS]])"};
    int slashed = memchr(fd->ptr, '/', fd->len) != NULL;
    xs__io_txn_report(t, line, "date", "not %s: %s%s", forms[t->o->dates], q,
                      t->o->dates == XS_DATES_ISO && slashed
                          ? "; use --date-format dmy, mdy or ymd"
                          : "");
}

/* Parses the quantity of line L from fd (a whole number, not 0), reporting
 * what is wrong. */
static void read_qty(txn *t, const xs__field *fd, long line, tline *L)
{
    char q[120];
    int64_t v;
    int r = xs__io_txn_parse_micro(fd->ptr, fd->len, &v);
    xs__error_quote(q, sizeof q, fd->ptr, fd->len);
    if (r < 0 || v % XS__TXN_MICRO)
        xs__io_txn_report(t, line, "quantity", "not an integer: %s", q);
    else if (v == 0)
        xs__io_txn_report(t, line, "quantity", "must not be 0: %s", q);
    else if (v / XS__TXN_MICRO > 1000000000LL || v / XS__TXN_MICRO < -1000000000LL)
        xs__io_txn_report(t, line, "quantity", "too large: %s", q);
    else
        L->qty = v / XS__TXN_MICRO;
}

/* Parses the unit price and the amount of line L, those the file has
 * (*has_price, *has_amount), reporting what is wrong. */
static void read_money(txn *t, const xs__field *fields, size_t n, long line, tline *L,
                       int *has_price, int *has_amount)
{
    char q[120];
    const xs__field *fd;
    for (int k = F_PRICE; k <= F_AMOUNT; k++) {
        if (!(fd = field_at(t, fields, n, k))) continue;
        int64_t v;
        int r = xs__io_txn_parse_micro(fd->ptr, fd->len, &v);
        xs__error_quote(q, sizeof q, fd->ptr, fd->len);
        if (r == -2)
            xs__io_txn_report(t, line, xs__io_txn_field_names[k],
                              "more than 6 fraction digits: %s", q);
        else if (r < 0 || v > 1000000000000LL * XS__TXN_MICRO / 1000 ||
                 v < -1000000000LL * XS__TXN_MICRO)
            xs__io_txn_report(t, line, xs__io_txn_field_names[k],
                              r == -1 ? "not an amount: %s" : "too large: %s", q);
        else if (k == F_PRICE)
            L->price = v, *has_price = 1;
        else
            L->amount = v, *has_amount = 1;
    }
}

/* The first line of an order gives the order its customer and date; a
 * later one with another is reported. */
static void check_head(txn *t, long line, const tline *L)
{
    char q[120];
    thead *h = &t->heads[L->order];
    if (!h->line) {
        h->customer = L->customer;
        h->day = L->day;
        h->line = L->line;
    } else if (h->customer != L->customer) {
        char was[160], now[120];
        const char *oid = xs__intern_str(&t->orders, L->order);
        if (h->customer == NONE)
            snprintf(was, sizeof was, "has no customer");
        else {
            xs__error_quote(q, sizeof q, xs__intern_str(&t->customers, h->customer),
                            t->customers.lens[h->customer]);
            snprintf(was, sizeof was, "belongs to customer %s", q);
        }
        if (L->customer == NONE)
            snprintf(now, sizeof now, "none");
        else
            xs__error_quote(now, sizeof now, xs__intern_str(&t->customers, L->customer),
                            t->customers.lens[L->customer]);
        xs__error_quote(q, sizeof q, oid, t->orders.lens[L->order]);
        xs__io_txn_report(t, line, "customer_id", "order %s %s (line %lu), not %s", q,
                          was, (unsigned long)h->line, now);
    } else if (h->day != L->day) {
        char d0[11], d1[11];
        xs__date_format(h->day, d0);
        xs__date_format(L->day, d1);
        xs__error_quote(q, sizeof q, xs__intern_str(&t->orders, L->order),
                        t->orders.lens[L->order]);
        xs__io_txn_report(t, line, "date",
                          "order %s is dated \"%s\" (line %lu), not \"%s\"", q, d0,
                          (unsigned long)h->line, d1);
    }
}

/* The product's name (its first non-empty description on a sale) and the
 * description that makes it a service under the default rule. Returns 0
 * or -1 (out of memory). */
static int read_name(txn *t, const xs__field *fd, const tline *L)
{
    tprod *p = &t->prods[L->product];
    const char *s = fd->ptr;
    size_t len = fd->len;
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len && p->name == NO_OFF && L->price > 0 &&
        (p->name = pool_add(t, s, len)) == NO_OFF)
        return -1;
    if (len && p->matched == NO_OFF && L->price != 0 && is_service(s, len) &&
        (p->matched = pool_add(t, s, len)) == NO_OFF)
        return -1;
    return 0;
}

/* Keeps line L's attributes (the file's other columns) in the pool.
 * Returns 0 or -1 (out of memory). */
static int read_attrs(txn *t, const xs__field *fields, size_t n, tline *L)
{
    L->attrs = t->n_attr_off;
    if (xs__grow(&t->attr_off, &t->cap_attr_off, t->n_attr_off + t->n_attr,
                 sizeof *t->attr_off) < 0)
        return -1;
    for (size_t a = 0; a < t->n_attr; a++) {
        size_t i = t->attr_cols[a];
        const xs__field *af = i < n ? &fields[i] : NULL;
        size_t off = NO_OFF;
        if (af && af->present && af->len &&
            (off = pool_add(t, af->ptr, af->len)) == NO_OFF)
            return -1;
        t->attr_off[t->n_attr_off++] = off;
    }
    return 0;
}

int xs__io_txn_read_row(txn *t, const xs__field *fields, long line, xs_error *err)
{
    size_t n = xs__io_reader_n_fields(t->rd);
    int rc = xs__io_txn_map_header(t, n, err);
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
            xs__io_txn_report(t, line, xs__io_txn_field_names[req[k]],
                              "missing required value");
    const xs__field *fd;
    if ((fd = field_at(t, fields, n, F_ORDER)))
        L.order = id_field(t, &t->orders, fd, line, F_ORDER);
    if ((fd = field_at(t, fields, n, F_PRODUCT)))
        L.product = id_field(t, &t->products, fd, line, F_PRODUCT);
    if ((fd = field_at(t, fields, n, F_CUSTOMER)))
        L.customer = id_field(t, &t->customers, fd, line, F_CUSTOMER);
    if (t->oom) return xs__io_txn_oom(err);
    char tbuf[16];
    int has_time = 0;
    if ((fd = field_at(t, fields, n, F_DATE)))
        read_date(t, fd, line, &L, tbuf, &has_time);
    if ((fd = field_at(t, fields, n, F_QTY))) read_qty(t, fd, line, &L);
    int has_price = 0, has_amount = 0;
    read_money(t, fields, n, line, &L, &has_price, &has_amount);
    if (!has_price && !has_amount && t->n_errors == before)
        xs__io_txn_report(t, line, t->col[F_PRICE] >= 0 ? "unit_price" : "amount",
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
    if (xs__io_txn_grow_ids(t, L.product, L.order) < 0) return xs__io_txn_oom(err);

    /* lines of one order share its customer and date (returns aside) */
    int is_return =
        L.qty < 0 || starts_with(fields[t->col[F_ORDER]].ptr, fields[t->col[F_ORDER]].len,
                                 t->o->return_prefix);
    L.cls = is_return ? C_RETURN : C_ORDER;
    if (!is_return) {
        check_head(t, line, &L);
        if (t->n_errors != before) {
            t->bad_rows++;
            return XS_OK;
        }
    }

    /* the product's name and the default rule */
    t->prods[L.product].lines++;
    if ((fd = field_at(t, fields, n, F_NAME)) && read_name(t, fd, &L) < 0)
        return xs__io_txn_oom(err);
    if (has_time && (L.time = pool_add(t, tbuf, strlen(tbuf))) == NO_OFF)
        return xs__io_txn_oom(err);
    if (read_attrs(t, fields, n, &L) < 0) return xs__io_txn_oom(err);
    if (xs__grow(&t->lines, &t->cap_lines, t->n_lines + 1, sizeof *t->lines) < 0)
        return xs__io_txn_oom(err);
    t->lines[t->n_lines++] = L;
    return XS_OK;
}
