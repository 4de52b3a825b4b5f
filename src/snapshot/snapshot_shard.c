/*
 * snapshot_shard.c — a snapshot cut to one customer shard, and shards put
 * back together (see snapshot_shard.h); the shard of a customer id
 * (xs_shard_of).
 *
 * Both are one operation, `assemble`: given source snapshots and a list of
 * (source, customer) in the order the result holds them, it copies each
 * customer's columns and the block of rows each per-customer table holds
 * for it (CSR offsets of the sources), renumbering the customer column;
 * the catalog, dictionaries and scalars come from the first source.
 * Offer ids are interned in byte order of the id, as the loader's key-order
 * scan interns them; the free text is laid out again in a new pool.
 */
#include "snapshot/snapshot_shard.h"

#include "base/alloc.h"
#include "base/error.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* Contract in xsell.h. */
uint32_t xs_shard_of(const char *customer_id, size_t len, uint32_t n_shards)
{
    if (n_shards <= 1) return 0;
    return (uint32_t)(XXH3_64bits(customer_id, len) % n_shards);
}

/* A customer of the result: customer `cust` of source `src`. */
typedef struct cref {
    uint32_t src, cust;
} cref;

/* The text pool being built. */
typedef struct pool {
    char *p;
    size_t n, cap;
} pool;

/* Offset of a copy of str in the pool (0 for ""); UINT32_MAX: no memory
 * or the pool is full. */
static uint32_t pool_add(pool *t, const char *str)
{
    size_t len = strlen(str);
    if (!len) return 0;
    if (t->n + len + 1 > UINT32_MAX) return UINT32_MAX;
    if (xs__grow(&t->p, &t->cap, t->n + len + 1, 1) < 0) return UINT32_MAX;
    memcpy(t->p + t->n, str, len + 1);
    uint32_t off = (uint32_t)t->n;
    t->n += len + 1;
    return off;
}

/* Copies the ids of src into the empty table dst, same order. */
static int intern_copy(xs__intern *dst, const xs__intern *src)
{
    for (size_t i = 0; i < src->n; i++)
        if (xs__intern_add(dst, xs__intern_str(src, (uint32_t)i), src->lens[i]) ==
            XS_INTERN_NONE)
            return XS_ENOMEM;
    return XS_OK;
}

/* 1 when two tables hold the same strings in the same order. */
static int intern_same(const xs__intern *a, const xs__intern *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->lens[i] != b->lens[i] ||
            memcmp(xs__intern_str(a, (uint32_t)i), xs__intern_str(b, (uint32_t)i),
                   a->lens[i]))
            return 0;
    return 1;
}

/* Array at byte offset `field` of a snapshot. */
#define COL(s, field) (*(void **)((char *)(s) + (field)))
#define CCOL(s, field) (*(void *const *)((const char *)(s) + (field)))

/* A column of a per-customer table: where it is and its element size;
 * is_cust: the customer column (renumbered, not copied). */
typedef struct col {
    size_t field, elem;
    int is_cust;
} col;

#define C(f)                                                                             \
    {                                                                                    \
        offsetof(xs_snapshot, f), sizeof *((xs_snapshot *)0)->f, 0                       \
    }
#define CUST(f)                                                                          \
    {                                                                                    \
        offsetof(xs_snapshot, f), sizeof *((xs_snapshot *)0)->f, 1                       \
    }

static const col sub_cols[] = {CUST(sub.customer), C(sub.product), C(sub.quantity),
                               C(sub.unit_price),  C(sub.start),   C(sub.end),
                               C(sub.renewal),     C(sub.term)};
static const col use_cols[] = {CUST(use.customer), C(use.product), C(use.metric),
                               C(use.date), C(use.value)};
static const col ev_cols[] = {CUST(ev.customer), C(ev.date), C(ev.type), C(ev.value),
                              C(ev.ref)};
static const col off_cols[] = {CUST(off.customer),  C(off.id),      C(off.product),
                               C(off.kind),         C(off.channel), C(off.outcome),
                               C(off.flags),        C(off.sent),    C(off.outcome_at),
                               C(off.revenue_delta)};
static const col ret_cols[] = {CUST(ret.customer), C(ret.date), C(ret.product),
                               C(ret.quantity), C(ret.amount)};
static const col ord_cols[] = {CUST(ord.customer), C(ord.date)};
static const col line_cols[] = {C(ord.product), C(ord.quantity), C(ord.amount)};
/* the customer columns copied one value per customer */
static const col cust_cols[] = {
    C(cust.segment), C(cust.industry),    C(cust.size),
    C(cust.region),  C(cust.owner),       C(cust.signup),
    C(cust.consent), C(cust.churn_score), C(cust.churn_scored)};
static const col cust_text[] = {C(cust.name), C(cust.contact_name), C(cust.contact_email),
                                C(cust.attrs)};

#define N_OF(a) (sizeof(a) / sizeof *(a))

/* The per-customer tables: columns, row count field, CSR offsets field. */
typedef struct table {
    const col *cols;
    size_t n_cols, n_field, off_field;
} table;

static const table tables[] = {
    {sub_cols, N_OF(sub_cols), offsetof(xs_snapshot, sub.n),
     offsetof(xs_snapshot, cust.sub_off)},
    {use_cols, N_OF(use_cols), offsetof(xs_snapshot, use.n),
     offsetof(xs_snapshot, cust.usage_off)},
    {ev_cols, N_OF(ev_cols), offsetof(xs_snapshot, ev.n),
     offsetof(xs_snapshot, cust.event_off)},
    {off_cols, N_OF(off_cols), offsetof(xs_snapshot, off.n),
     offsetof(xs_snapshot, cust.offer_off)},
    {ret_cols, N_OF(ret_cols), offsetof(xs_snapshot, ret.n),
     offsetof(xs_snapshot, cust.ret_off)},
    {ord_cols, N_OF(ord_cols), offsetof(xs_snapshot, ord.n),
     offsetof(xs_snapshot, cust.order_off)},
};

#define SZ(s, field) (*(size_t *)((char *)(s) + (field)))
#define CSZ(s, field) (*(const size_t *)((const char *)(s) + (field)))

/* An array of n elements (at least one, so that an empty table still has
 * its columns), zeroed; its bytes counted in *bytes. */
static void *alloc_col(size_t n, size_t elem, size_t *bytes)
{
    *bytes += n * elem;
    return xs__calloc(n ? n : 1, elem);
}

/* Copies one per-customer table (its rows and CSR offsets) for the
 * customers who[0..n) into out. */
static int copy_table(const xs_snapshot *const *src, const cref *who, size_t n,
                      const table *t, xs_snapshot *out)
{
    size_t total = 0;
    for (size_t j = 0; j < n; j++) {
        const uint32_t *off = CCOL(src[who[j].src], t->off_field);
        total += off[who[j].cust + 1] - off[who[j].cust];
    }
    if (total >= UINT32_MAX) return XS_ERANGE;
    uint32_t *dst_off = alloc_col(n + 1, 4, &out->bytes);
    if (!dst_off) return XS_ENOMEM;
    COL(out, t->off_field) = dst_off;
    for (size_t k = 0; k < t->n_cols; k++) {
        void *a = alloc_col(total, t->cols[k].elem, &out->bytes);
        if (!a) return XS_ENOMEM;
        COL(out, t->cols[k].field) = a;
    }
    SZ(out, t->n_field) = total;
    size_t r = 0;
    for (size_t j = 0; j < n; j++) {
        const xs_snapshot *s = src[who[j].src];
        const uint32_t *off = CCOL(s, t->off_field);
        size_t a = off[who[j].cust], cnt = off[who[j].cust + 1] - a;
        dst_off[j] = (uint32_t)r;
        for (size_t k = 0; k < t->n_cols; k++) {
            const col *c = &t->cols[k];
            char *d = (char *)COL(out, c->field) + r * c->elem;
            if (c->is_cust)
                for (size_t i = 0; i < cnt; i++)
                    ((uint32_t *)d)[i] = (uint32_t)j;
            else if (cnt)
                memcpy(d, (const char *)CCOL(s, c->field) + a * c->elem, cnt * c->elem);
        }
        r += cnt;
    }
    dst_off[n] = (uint32_t)r;
    return XS_OK;
}

/* The order lines and order ids of the orders copy_table placed. */
static int copy_lines(const xs_snapshot *const *src, const cref *who, size_t n,
                      xs_snapshot *out)
{
    xs__snapshot_orders *o = &out->ord;
    size_t lines = 0, chars = 0;
    for (size_t j = 0; j < n; j++) {
        const xs_snapshot *s = src[who[j].src];
        uint32_t a = s->cust.order_off[who[j].cust],
                 b = s->cust.order_off[who[j].cust + 1];
        lines += s->ord.line_off[b] - s->ord.line_off[a];
        for (uint32_t k = a; k < b; k++)
            chars += strlen(xs__snapshot_order_id(s, k)) + 1;
    }
    if (lines >= UINT32_MAX || chars >= UINT32_MAX) return XS_ERANGE;
    o->line_off = alloc_col(o->n + 1, 4, &out->bytes);
    o->id_off = alloc_col(o->n, 4, &out->bytes);
    o->id_chars = alloc_col(chars, 1, &out->bytes);
    if (!o->line_off || !o->id_off || !o->id_chars) return XS_ENOMEM;
    for (size_t k = 0; k < N_OF(line_cols); k++) {
        void *a = alloc_col(lines, line_cols[k].elem, &out->bytes);
        if (!a) return XS_ENOMEM;
        COL(out, line_cols[k].field) = a;
    }
    o->n_lines = lines;
    o->n_id_chars = chars;
    size_t ord = 0, ln = 0, ch = 0;
    for (size_t j = 0; j < n; j++) {
        const xs_snapshot *s = src[who[j].src];
        uint32_t a = s->cust.order_off[who[j].cust],
                 b = s->cust.order_off[who[j].cust + 1];
        for (uint32_t k = a; k < b; k++, ord++) {
            const char *id = xs__snapshot_order_id(s, k);
            size_t len = strlen(id) + 1;
            memcpy(o->id_chars + ch, id, len);
            o->id_off[ord] = (uint32_t)ch;
            ch += len;
            o->line_off[ord] = (uint32_t)ln;
            size_t la = s->ord.line_off[k], cnt = s->ord.line_off[k + 1] - la;
            for (size_t c = 0; c < N_OF(line_cols); c++) {
                size_t e = line_cols[c].elem;
                memcpy((char *)COL(out, line_cols[c].field) + ln * e,
                       (const char *)CCOL(s, line_cols[c].field) + la * e, cnt * e);
            }
            ln += cnt;
        }
    }
    o->line_off[ord] = (uint32_t)ln;
    return XS_OK;
}

/* Byte order of two counted strings (memcmp, then the shorter first): the
 * key order of the store's text ids. */
static int bytes_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c) return c;
    return (la > lb) - (la < lb);
}

/* For the offer id sort: the row's id string. */
typedef struct off_key {
    const char *id;
    uint32_t len, row;
} off_key;

static int cmp_off_key(const void *pa, const void *pb)
{
    const off_key *a = pa, *b = pb;
    int c = bytes_cmp(a->id, a->len, b->id, b->len);
    if (c) return c;
    return (a->row > b->row) - (a->row < b->row);
}

/* Interns the offer ids of out (off.id still holding each row's code in its
 * source) in byte order, and points off.id at the new codes. */
static int intern_offers(const xs_snapshot *const *src, const cref *who, size_t n,
                         xs_snapshot *out)
{
    size_t m = out->off.n;
    off_key *k = xs__malloc((m ? m : 1) * sizeof *k);
    if (!k) return XS_ENOMEM;
    for (size_t j = 0; j < n; j++) {
        const xs_snapshot *s = src[who[j].src];
        for (uint32_t r = out->cust.offer_off[j]; r < out->cust.offer_off[j + 1]; r++) {
            uint32_t code = out->off.id[r];
            k[r] = (off_key){xs__intern_str(&s->off.ids, code), s->off.ids.lens[code], r};
        }
    }
    qsort(k, m, sizeof *k, cmp_off_key);
    int rc = XS_OK;
    for (size_t i = 0; i < m && rc == XS_OK; i++) {
        uint32_t id = xs__intern_add(&out->off.ids, k[i].id, k[i].len);
        if (id == XS_INTERN_NONE)
            rc = XS_ENOMEM;
        else
            out->off.id[k[i].row] = id;
    }
    xs__free(k);
    return rc;
}

/* The catalog of s0 (products, their text in the new pool). */
static int copy_products(const xs_snapshot *s0, xs_snapshot *out, pool *text)
{
    const xs__snapshot_products *p = &s0->prod;
    xs__snapshot_products *q = &out->prod;
    size_t n = p->n, nf = s0->dict.families.n,
           nfp = p->family_off ? p->family_off[nf] : 0;
    q->n = n;
    q->n_limits = p->n_limits;
    if (intern_copy(&q->ids, &p->ids) < 0) return XS_ENOMEM;
    const struct {
        size_t field, elem, count;
    } cols[] = {
        {offsetof(xs_snapshot, prod.family), 2, n},
        {offsetof(xs_snapshot, prod.tier), 2, n},
        {offsetof(xs_snapshot, prod.kind), 1, n},
        {offsetof(xs_snapshot, prod.billing), 1, n},
        {offsetof(xs_snapshot, prod.price), 8, n},
        {offsetof(xs_snapshot, prod.category), 2, n},
        {offsetof(xs_snapshot, prod.limit_off), 4, n + 1},
        {offsetof(xs_snapshot, prod.limit_name), 2, p->n_limits},
        {offsetof(xs_snapshot, prod.limit_value), 8, p->n_limits},
        {offsetof(xs_snapshot, prod.family_off), 4, nf + 1},
        {offsetof(xs_snapshot, prod.family_products), 4, nfp},
    };
    for (size_t k = 0; k < N_OF(cols); k++) {
        const void *from = CCOL(s0, cols[k].field);
        if (!from) continue; /* absent in the source: absent here */
        void *a = alloc_col(cols[k].count, cols[k].elem, &out->bytes);
        if (!a) return XS_ENOMEM;
        if (cols[k].count) memcpy(a, from, cols[k].count * cols[k].elem);
        COL(out, cols[k].field) = a;
    }
    q->name = alloc_col(n, 4, &out->bytes);
    q->name_ja = alloc_col(n, 4, &out->bytes);
    if (!q->name || !q->name_ja) return XS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        q->name[i] = p->name ? pool_add(text, xs__snapshot_text(s0, p->name[i])) : 0;
        q->name_ja[i] =
            p->name_ja ? pool_add(text, xs__snapshot_text(s0, p->name_ja[i])) : 0;
        if (q->name[i] == UINT32_MAX || q->name_ja[i] == UINT32_MAX) return XS_ENOMEM;
    }
    return XS_OK;
}

/* The dictionaries of s0. */
static int copy_dicts(const xs_snapshot *s0, xs_snapshot *out)
{
    const xs__snapshot_dicts *a = &s0->dict;
    xs__snapshot_dicts *b = &out->dict;
    const xs__intern *from[] = {
        &a->segments, &a->industries, &a->sizes,   &a->regions,     &a->owners,
        &a->families, &a->categories, &a->metrics, &a->event_types, &a->refs};
    xs__intern *to[] = {&b->segments,    &b->industries, &b->sizes,      &b->regions,
                        &b->owners,      &b->families,   &b->categories, &b->metrics,
                        &b->event_types, &b->refs};
    for (size_t i = 0; i < N_OF(from); i++)
        if (intern_copy(to[i], from[i]) < 0) return XS_ENOMEM;
    return XS_OK;
}

/* The customers who[0..n): ids, columns, text. */
static int copy_customers(const xs_snapshot *const *src, const cref *who, size_t n,
                          xs_snapshot *out, pool *text)
{
    xs__snapshot_customers *c = &out->cust;
    c->n = n;
    for (size_t k = 0; k < N_OF(cust_cols); k++) {
        void *a = alloc_col(n, cust_cols[k].elem, &out->bytes);
        if (!a) return XS_ENOMEM;
        COL(out, cust_cols[k].field) = a;
    }
    for (size_t k = 0; k < N_OF(cust_text); k++) {
        void *a = alloc_col(n, 4, &out->bytes);
        if (!a) return XS_ENOMEM;
        COL(out, cust_text[k].field) = a;
    }
    for (size_t j = 0; j < n; j++) {
        const xs_snapshot *s = src[who[j].src];
        uint32_t i = who[j].cust;
        if (xs__intern_add(&c->ids, xs__intern_str(&s->cust.ids, i),
                           s->cust.ids.lens[i]) == XS_INTERN_NONE)
            return XS_ENOMEM;
        for (size_t k = 0; k < N_OF(cust_cols); k++) {
            size_t e = cust_cols[k].elem;
            memcpy((char *)COL(out, cust_cols[k].field) + j * e,
                   (const char *)CCOL(s, cust_cols[k].field) + (size_t)i * e, e);
        }
        for (size_t k = 0; k < N_OF(cust_text); k++) {
            const uint32_t *from = CCOL(s, cust_text[k].field);
            uint32_t off = pool_add(text, xs__snapshot_text(s, from[i]));
            if (off == UINT32_MAX) return XS_ENOMEM;
            ((uint32_t *)COL(out, cust_text[k].field))[j] = off;
        }
        if (!isnan(c->churn_score[j])) c->n_churn_scores++;
    }
    return XS_OK;
}

/* The snapshot of who[0..n) (see the file's comment). */
static int assemble(const xs_snapshot *const *src, size_t n_src, const cref *who,
                    size_t n, xs_snapshot **out, xs_error *err)
{
    *out = NULL;
    xs_snapshot *s = xs__calloc(1, sizeof *s);
    pool text = {0};
    if (!s) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    const xs_snapshot *s0 = src[0];
    memcpy(s->currency, s0->currency, sizeof s->currency);
    s->money_scale = s0->money_scale;
    s->last_date = s0->last_date;
    for (size_t k = 1; k < n_src; k++)
        if (src[k]->last_date > s->last_date) s->last_date = src[k]->last_date;
    xs__intern *tabs[] = {&s->cust.ids,        &s->prod.ids,        &s->off.ids,
                          &s->dict.segments,   &s->dict.industries, &s->dict.sizes,
                          &s->dict.regions,    &s->dict.owners,     &s->dict.families,
                          &s->dict.categories, &s->dict.metrics,    &s->dict.event_types,
                          &s->dict.refs};
    for (size_t i = 0; i < N_OF(tabs); i++)
        xs__intern_init(tabs[i]);
    int rc = XS_ENOMEM;
    if (xs__grow(&text.p, &text.cap, 1, 1) < 0) goto fail;
    text.p[0] = '\0';
    text.n = 1;
    /* the loader's order: customers' text first, then the products' */
    if ((rc = copy_dicts(s0, s)) < 0 ||
        (rc = copy_customers(src, who, n, s, &text)) < 0 ||
        (rc = copy_products(s0, s, &text)) < 0)
        goto fail;
    for (size_t t = 0; t < N_OF(tables); t++)
        if ((rc = copy_table(src, who, n, &tables[t], s)) < 0) goto fail;
    if ((rc = copy_lines(src, who, n, s)) < 0 || (rc = intern_offers(src, who, n, s)) < 0)
        goto fail;
    s->text = text.p;
    s->n_text = text.n;
    s->cap_text = text.cap;
    *out = s;
    return XS_OK;
fail:
    s->text = text.p;
    s->n_text = text.n;
    s->cap_text = text.cap;
    xs_snapshot_free(s);
    if (rc == XS_ERANGE)
        return xs__error_set(err, rc, NULL, 0, NULL,
                             "a table of the shards holds 2^32 rows or more");
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* Contract in snapshot_shard.h. */
int xs__snapshot_shard(const xs_snapshot *s, uint32_t shard, uint32_t n_shards,
                       xs_snapshot **out, xs_error *err)
{
    size_t n = 0;
    cref *who = xs__malloc((s->cust.n ? s->cust.n : 1) * sizeof *who);
    if (!who) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t c = 0; c < s->cust.n; c++)
        if (xs_shard_of(xs__intern_str(&s->cust.ids, (uint32_t)c), s->cust.ids.lens[c],
                        n_shards) == shard)
            who[n++] = (cref){0, (uint32_t)c};
    int rc = assemble(&s, 1, who, n, out, err);
    xs__free(who);
    return rc;
}

/* For the merge's customer order. */
typedef struct cust_key {
    const char *id;
    uint32_t len;
    cref ref;
} cust_key;

static int cmp_cust_key(const void *pa, const void *pb)
{
    const cust_key *a = pa, *b = pb;
    return bytes_cmp(a->id, a->len, b->id, b->len);
}

/* 1 when two snapshots have the same catalog and dictionaries. */
static int same_catalog(const xs_snapshot *a, const xs_snapshot *b)
{
    const xs__intern *x[] = {
        &a->prod.ids,     &a->dict.segments,    &a->dict.industries, &a->dict.sizes,
        &a->dict.regions, &a->dict.owners,      &a->dict.families,   &a->dict.categories,
        &a->dict.metrics, &a->dict.event_types, &a->dict.refs};
    const xs__intern *y[] = {
        &b->prod.ids,     &b->dict.segments,    &b->dict.industries, &b->dict.sizes,
        &b->dict.regions, &b->dict.owners,      &b->dict.families,   &b->dict.categories,
        &b->dict.metrics, &b->dict.event_types, &b->dict.refs};
    for (size_t i = 0; i < N_OF(x); i++)
        if (!intern_same(x[i], y[i])) return 0;
    if (strcmp(a->currency, b->currency) || a->money_scale != b->money_scale ||
        a->prod.n_limits != b->prod.n_limits)
        return 0;
    size_t n = a->prod.n;
    return (!n || (!memcmp(a->prod.price, b->prod.price, n * 8) &&
                   !memcmp(a->prod.family, b->prod.family, n * 2) &&
                   !memcmp(a->prod.tier, b->prod.tier, n * 2)));
}

/* Contract in snapshot_shard.h. */
int xs__snapshot_merge(const xs_snapshot *const *parts, size_t n_parts,
                       const char *const *names, xs_snapshot **out, xs_error *err)
{
    *out = NULL;
    size_t n = 0;
    for (size_t k = 0; k < n_parts; k++) {
        if (k && !same_catalog(parts[0], parts[k]))
            return xs__error_set(
                err, XS_EINVAL, names[k], 0, NULL,
                "its catalog differs from %s's (parts of another store?)", names[0]);
        n += parts[k]->cust.n;
    }
    if (n >= UINT32_MAX)
        return xs__error_set(err, XS_ERANGE, NULL, 0, NULL,
                             "the parts hold %zu customers; a snapshot holds at most %lu",
                             n, (unsigned long)UINT32_MAX - 1);
    cust_key *k = xs__malloc((n ? n : 1) * sizeof *k);
    cref *who = xs__malloc((n ? n : 1) * sizeof *who);
    if (!k || !who) {
        xs__free(k);
        xs__free(who);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    size_t m = 0;
    for (size_t p = 0; p < n_parts; p++)
        for (size_t c = 0; c < parts[p]->cust.n; c++)
            k[m++] = (cust_key){xs__intern_str(&parts[p]->cust.ids, (uint32_t)c),
                                parts[p]->cust.ids.lens[c],
                                {(uint32_t)p, (uint32_t)c}};
    qsort(k, n, sizeof *k, cmp_cust_key);
    int rc = XS_OK;
    for (size_t i = 0; i < n; i++) {
        if (i && !cmp_cust_key(&k[i - 1], &k[i])) {
            rc = xs__error_set(
                err, XS_EINVAL, names[k[i].ref.src], 0, NULL,
                "customer \"%.*s\" is in %s as well (parts of two shardings?)",
                (int)(k[i].len > 64 ? 64 : k[i].len), k[i].id, names[k[i - 1].ref.src]);
            break;
        }
        who[i] = k[i].ref;
    }
    xs__free(k);
    if (rc == XS_OK) rc = assemble(parts, n_parts, who, n, out, err);
    xs__free(who);
    return rc;
}
