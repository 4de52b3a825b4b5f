/*
 * transactions.c — import of a flat order log (xs_import_transactions), the
 * library side of `xsell import --db FILE transactions INPUT`.
 *
 * Shops, POS and ERP systems export one line per order line: order id,
 * product code and name, quantity, date-time, unit price, customer id (often
 * empty). This file turns such a file into the store's own tables and hands
 * them to xs_import_records(), so the store sees exactly the validation,
 * upsert and all-or-nothing transaction of any other import (step 1 is
 * transactions_read.c, the rest is here):
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
 * Default rule for non-product codes (is_service in transactions_read.c): a code is not a
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
#include "io/transactions_int.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/money.h"
#include "base/progress.h"
#include "io/validate.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRESS_EVERY 8192 /* lines between progress calls */

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
            if (xs__io_txn_grow_ids(t, id, NONE) < 0) return xs__io_txn_oom(err);
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
    if (!r->excluded) return xs__io_txn_oom(err);
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
        return xs__io_txn_oom(err);
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
        if (L->cls == C_RETURN && q < 0)
            q = -q, a = -a; /* a prefixed id, positive lines */
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

static int add_known(void *ctx, const xs__store_value *key, size_t n_key)
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

static int table_alloc(table_out *to, xs_table_id id, const char *const *own,
                       size_t n_own, const txn *t, int with_attrs, size_t n_rows)
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
            to->names[n_own + 1 + a] = xs__io_reader_field_name(t->rd, t->attr_cols[a]);
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

/* The five tables write_tables builds (customers, products, orders,
 * returns, anonymous orders), the text of their values, and what the
 * customer and product rows are computed from. */
typedef struct tables {
    table_out T[5];
    vbuf vb;
    int32_t *first_day; /* per customer: first purchase (or return) day */
    size_t *price_at;   /* per product: its sales prices in prices[] from */
    int64_t *prices;
    uint8_t *used; /* per product: on a line written */
} tables;

static const char *const cust_names[] = {
    "customer_id", "signup_date",     "consent_email", "consent_in_app",
    "consent_csm", "consent_webinar", "consent_sns"};
static const char *const prod_names[] = {"product_id", "name", "kind", "price",
                                         "billing"};
static const char *const ord_names[] = {"order_id",   "customer_id", "date",
                                        "product_id", "quantity",    "amount"};
static const char *const ret_names[] = {"return_id", "product_id", "customer_id",
                                        "date",      "quantity",   "amount"};
static const char *const anon_names[] = {"order_id", "product_id", "date", "quantity",
                                         "amount"};

/* The first purchase (or return) day of every customer, the products on
 * the lines written and the sales prices of every product, grouped by
 * product. Returns 0 or -1 (out of memory). */
static int first_days_and_prices(const txn *t, const tout *outs, size_t n_out, tables *w)
{
    w->first_day = xs__malloc((t->customers.n + 1) * sizeof *w->first_day);
    w->price_at = xs__calloc(t->products.n + 2, sizeof *w->price_at);
    w->prices = xs__malloc((t->n_lines + 1) * sizeof *w->prices);
    w->used = xs__calloc(t->products.n + 1, 1);
    if (!w->first_day || !w->price_at || !w->prices || !w->used) return -1;
    for (size_t c = 0; c < t->customers.n; c++)
        w->first_day[c] = INT32_MAX;
    for (size_t i = 0; i < n_out; i++) {
        const tline *L = &t->lines[outs[i].first];
        w->used[L->product] = 1;
    }
    for (size_t i = 0; i < t->n_lines; i++) {
        const tline *L = &t->lines[i];
        if (L->cls > C_ANON) continue;
        if (L->customer != NONE && L->day < w->first_day[L->customer])
            w->first_day[L->customer] = L->day;
        if (L->cls != C_RETURN && L->price > 0) w->price_at[L->product + 1]++;
    }
    for (size_t p = 0; p < t->products.n; p++)
        w->price_at[p + 1] += w->price_at[p];
    size_t *fill = xs__malloc((t->products.n + 1) * sizeof *fill);
    if (!fill) return -1;
    memcpy(fill, w->price_at, (t->products.n + 1) * sizeof *fill);
    for (size_t i = 0; i < t->n_lines; i++) {
        const tline *L = &t->lines[i];
        if (L->cls > C_ANON || L->cls == C_RETURN || L->price <= 0) continue;
        w->prices[fill[L->product]++] = L->price;
    }
    xs__free(fill);
    return 0;
}

/* Counts the rows of each table and allocates them (values and their
 * text). Returns 0 or -1 (out of memory). */
static int alloc_tables(const txn *t, const tout *outs, size_t n_out, tables *w)
{
    size_t n_cust = 0, n_prod = 0, n_kind[3] = {0, 0, 0};
    for (size_t c = 0; c < t->customers.n; c++)
        n_cust += w->first_day[c] != INT32_MAX &&
                  xs__intern_find(&t->known_customers,
                                  xs__intern_str(&t->customers, (uint32_t)c),
                                  t->customers.lens[c]) == NONE;
    for (size_t p = 0; p < t->products.n; p++)
        n_prod += w->used[p] && xs__intern_find(&t->known_products,
                                                xs__intern_str(&t->products, (uint32_t)p),
                                                t->products.lens[p]) == NONE;
    for (size_t i = 0; i < n_out; i++)
        n_kind[t->lines[outs[i].first].cls]++;
    w->vb.cap = (n_cust * 2 + n_prod * 2 + n_out * 4 + 16) * 32;
    w->vb.text = xs__malloc(w->vb.cap);
    table_out *T = w->T;
    if (!w->vb.text ||
        table_alloc(&T[0], XS_T_CUSTOMERS, cust_names, 7, t, 0, n_cust) < 0 ||
        table_alloc(&T[1], XS_T_PRODUCTS, prod_names, 5, t, 0, n_prod) < 0 ||
        table_alloc(&T[2], XS_T_ORDERS, ord_names, 6, t, 1, n_kind[C_ORDER]) < 0 ||
        table_alloc(&T[3], XS_T_RETURNS, ret_names, 6, t, 1, n_kind[C_RETURN]) < 0 ||
        table_alloc(&T[4], XS_T_ANONYMOUS_ORDERS, anon_names, 5, t, 1, n_kind[C_ANON]) <
            0)
        return -1;
    T[3].names[6] = "returned_at";
    return 0;
}

/* A row for every new customer: its first day as signup date, the
 * consents of --consent. */
static void customer_rows(const txn *t, tables *w)
{
    char buf[64];
    table_out *to = &w->T[0];
    for (size_t c = 0; c < t->customers.n; c++) {
        const char *id = xs__intern_str(&t->customers, (uint32_t)c);
        if (w->first_day[c] == INT32_MAX ||
            xs__intern_find(&t->known_customers, id, t->customers.lens[c]) != NONE)
            continue;
        xs_import_value *v = to->vals + to->rows.n_rows * to->rows.n_names;
        set_v(&v[0], id, t->customers.lens[c]);
        xs__date_format(w->first_day[c], buf);
        set_fmt(&v[1], &w->vb, buf);
        for (size_t k = 0; k < t->o->n_consent; k++)
            for (size_t j = 2; j < 7; j++)
                if (!strcmp(cust_names[j] + 8, t->o->consent[k])) set_str(&v[j], "1");
        to->rows.n_rows++;
    }
}

/* A row for every new product on a line written: its name, the lower
 * median of its sales prices (of its returns when it has no sale). */
static void product_rows(const txn *t, tables *w)
{
    char buf[64];
    table_out *to = &w->T[1];
    for (size_t p = 0; p < t->products.n; p++) {
        const char *id = xs__intern_str(&t->products, (uint32_t)p);
        if (!w->used[p] ||
            xs__intern_find(&t->known_products, id, t->products.lens[p]) != NONE)
            continue;
        xs_import_value *v = to->vals + to->rows.n_rows * to->rows.n_names;
        set_v(&v[0], id, t->products.lens[p]);
        set_str(&v[1], t->prods[p].name == NO_OFF ? NULL : t->pool + t->prods[p].name);
        set_str(&v[2], "product");
        int64_t med = 0;
        size_t a = w->price_at[p], b = w->price_at[p + 1];
        if (b > a) {
            qsort(w->prices + a, b - a, sizeof *w->prices, cmp_i64);
            med = w->prices[a + (b - a - 1) / 2]; /* the lower median */
        } else {
            /* only returns: the price they were sold at */
            for (size_t i = 0; i < t->n_lines && !med; i++)
                if (t->lines[i].product == p && t->lines[i].price > 0)
                    med = t->lines[i].price;
        }
        int inexact;
        xs__money_format(xs__io_txn_round_minor(med, t->scale, &inexact), t->scale, buf,
                         sizeof buf);
        t->res->rounded += (unsigned long long)inexact;
        set_fmt(&v[3], &w->vb, buf);
        set_str(&v[4], "once");
        to->rows.n_rows++;
    }
}

/* A row of orders, returns or anonymous orders for every merged line. */
static void line_rows(const txn *t, const tout *outs, size_t n_out, tables *w)
{
    for (size_t i = 0; i < n_out; i++) {
        const tout *x = &outs[i];
        const tline *L = &t->lines[x->first];
        table_out *to = &w->T[L->cls == C_ORDER ? 2 : L->cls == C_RETURN ? 3 : 4];
        xs_import_value *v = to->vals + to->rows.n_rows * to->rows.n_names;
        to->src[to->rows.n_rows] = L->line;
        const char *oid = xs__intern_str(&t->orders, L->order);
        const char *pid = xs__intern_str(&t->products, L->product);
        const char *cid =
            L->customer == NONE ? NULL : xs__intern_str(&t->customers, L->customer);
        size_t ol = t->orders.lens[L->order], pl = t->products.lens[L->product];
        size_t cl = cid ? t->customers.lens[L->customer] : 0;
        char day[11], qty[32], amt[64];
        xs__date_format(L->day, day);
        snprintf(qty, sizeof qty, "%lld", (long long)x->qty);
        int inexact;
        xs__money_format(xs__io_txn_round_minor(x->amount, t->scale, &inexact), t->scale,
                         amt, sizeof amt);
        t->res->rounded += (unsigned long long)inexact;
        size_t k = 0;
        if (L->cls == C_ORDER) {
            set_v(&v[k++], oid, ol);
            set_v(&v[k++], cid, cl);
            set_fmt(&v[k++], &w->vb, day);
            set_v(&v[k++], pid, pl);
        } else if (L->cls == C_RETURN) {
            set_v(&v[k++], oid, ol);
            set_v(&v[k++], pid, pl);
            set_v(&v[k++], cid, cl);
            set_fmt(&v[k++], &w->vb, day);
        } else {
            set_v(&v[k++], oid, ol);
            set_v(&v[k++], pid, pl);
            set_fmt(&v[k++], &w->vb, day);
        }
        set_fmt(&v[k++], &w->vb, qty);
        set_fmt(&v[k++], &w->vb, amt);
        if (L->time != NO_OFF) {
            char ts[40];
            snprintf(ts, sizeof ts, "%sT%s", day, t->pool + L->time);
            set_fmt(&v[k], &w->vb, ts);
        }
        k++;
        for (size_t a = 0; a < t->n_attr; a++, k++) {
            size_t off = t->attr_off[L->attrs + a];
            set_str(&v[k], off == NO_OFF ? NULL : t->pool + off);
        }
        to->rows.n_rows++;
    }
}

/* Imports the five tables in one transaction (xs_import_records), errors
 * relayed with the lines of the file; the results per table into t->res. */
static int import_tables(txn *t, tables *w, xs_error *err)
{
    xs_txn_result *r = t->res;
    relay rl;
    memset(&rl, 0, sizeof rl);
    rl.t = t;
    xs_import_rows rows[5];
    xs_import_result res5[5];
    for (int i = 0; i < 5; i++) {
        rows[i] = w->T[i].rows;
        if (i >= 2) rl.src_line[w->T[i].rows.table] = w->T[i].src;
    }
    xs_import_options io = t->o->base;
    io.on_error = relay_error;
    io.error_ctx = &rl;
    io.on_progress = NULL;
    io.maps = NULL; /* applied to the file's header already */
    io.n_maps = 0;
    int rc = xs_import_records(t->st, rows, 5, &io, res5, err);
    for (int i = 0; i < 5; i++)
        r->tables[w->T[i].rows.table] = res5[i];
    return rc;
}

/*
 * Builds the rows of the five tables from the merged lines and imports
 * them in one transaction.
 */
static int write_tables(txn *t, const tout *outs, size_t n_out, xs_error *err)
{
    tables w;
    memset(&w, 0, sizeof w);
    int rc;
    if (first_days_and_prices(t, outs, n_out, &w) < 0 ||
        alloc_tables(t, outs, n_out, &w) < 0) {
        rc = xs__io_txn_oom(err);
        goto cleanup;
    }
    customer_rows(t, &w);
    product_rows(t, &w);
    line_rows(t, outs, n_out, &w);
    t->res->new_customers = w.T[0].rows.n_rows;
    t->res->new_products = w.T[1].rows.n_rows;
    rc = import_tables(t, &w, err);

cleanup:
    for (int i = 0; i < 5; i++)
        table_free(&w.T[i]);
    xs__free(w.vb.text);
    xs__free(w.first_day);
    xs__free(w.prices);
    xs__free(w.price_at);
    xs__free(w.used);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* The import                                                             */
/* ---------------------------------------------------------------------- */

static void txn_free(txn *t)
{
    xs__io_reader_close(t->rd);
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
/* Reads every line of the file into t (a line the reader cannot parse is
 * an error, delivered up to --max-errors). Returns XS_OK or a fatal
 * code. */
static int read_lines(txn *t, xs_error *err)
{
    const xs_txn_options *o = t->o;
    xs_txn_result *res = t->res;
    for (;;) {
        const xs__field *fields;
        long line;
        xs_error rerr;
        int r = xs__io_reader_next(t->rd, &fields, &line, &rerr);
        if (r == 0) break;
        res->rows++;
        if (r < 0) {
            if (r != XS_EPARSE) {
                if (err) *err = rerr;
                return r;
            }
            t->n_errors++;
            t->bad_rows++;
            if (o->base.max_errors < 0 ||
                t->delivered < (unsigned long long)o->base.max_errors) {
                t->delivered++;
                if (o->base.on_error) o->base.on_error(o->base.error_ctx, &rerr);
            }
        } else {
            int rc = xs__io_txn_read_row(t, fields, line, err);
            if (rc < 0) return rc;
        }
        if (o->base.on_progress && res->rows % PROGRESS_EVERY == 0) {
            unsigned long long done, total;
            xs__io_reader_progress(t->rd, &done, &total);
            o->base.on_progress(o->base.progress_ctx, res->rows, done, total);
        }
    }
    return XS_OK;
}

/* Counts the distinct orders, returns and anonymous orders of the merged
 * lines, and the order lines, into t->res. Returns 0 or -1 (out of
 * memory). */
static int count_orders(txn *t, const tout *outs, size_t n_out)
{
    xs_txn_result *res = t->res;
    uint8_t *seen = xs__calloc(t->orders.n + 1, 1);
    if (!seen) return -1;
    for (size_t i = 0; i < n_out; i++) {
        const tline *L = &t->lines[outs[i].first];
        uint8_t bit = (uint8_t)(1u << L->cls);
        if (seen[L->order] & bit) continue;
        seen[L->order] |= bit;
        if (L->cls == C_ORDER)
            res->orders++;
        else if (L->cls == C_RETURN)
            res->returns++;
        else
            res->anonymous_orders++;
    }
    for (size_t i = 0; i < n_out; i++)
        res->order_lines += t->lines[outs[i].first].cls == C_ORDER;
    xs__free(seen);
    return 0;
}

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
    if ((rc = xs__io_txn_check_maps(o, err)) < 0) goto cleanup;
    if (o->base.currency &&
        (rc = xs__io_import_parse_currency(o->base.currency, code, &digits, err)) < 0)
        goto cleanup;
    t.scale = xs__store_money_scale_for(st, o->base.currency ? code : NULL, digits);

    xs_io_format f =
        o->base.format == XS_IO_AUTO ? xs_io_format_of_path(path) : o->base.format;
    if ((rc = xs__io_reader_open(&t.rd, path,
                                 f == XS_IO_JSONL ? XS_INPUT_JSONL : XS_INPUT_CSV,
                                 o->base.delimiter ? o->base.delimiter : ',', err)) < 0)
        goto cleanup;
    if ((rc = xs__io_txn_map_header(&t, xs__io_reader_n_fields(t.rd), err)) == XS_ENOMEM)
        goto cleanup;
    if ((rc == XS_EREJECT || (f != XS_IO_JSONL && xs__io_txn_check_columns(&t))) &&
        t.n_errors) {
        rc = xs__error_set(err, XS_EREJECT, path, 0, NULL,
                           "%llu error%s in the header, nothing imported", t.n_errors,
                           t.n_errors == 1 ? "" : "s");
        goto cleanup;
    }
    if ((rc = read_lines(&t, err)) < 0) goto cleanup;
    if (f == XS_IO_JSONL && xs__io_txn_check_columns(&t)) t.bad_rows++;
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
    if (rc == XS_ENOMEM) rc = xs__io_txn_oom(err);
    if (rc < 0) goto cleanup;

    tout *outs = NULL;
    size_t n_out = 0;
    if ((rc = merge(&t, &outs, &n_out, err)) < 0) goto cleanup;
    if (count_orders(&t, outs, n_out) < 0) {
        xs__free(outs);
        rc = xs__io_txn_oom(err);
        goto cleanup;
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
            res->tables[i].inserted = res->tables[i].updated = res->tables[i].unchanged =
                0;
    }
    return rc < 0 ? rc : XS_OK;
}
