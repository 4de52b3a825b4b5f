/*
 * snapshot_io.c — saving a snapshot into a model file and mapping it back
 * (see snapshot_io.h).
 *
 * The scalars go in one fixed-layout struct ("snap.hdr"); each column and
 * index of struct xs_snapshot is one section named after its field
 * ("snap.cust.signup", "snap.ord.line_off"), described once in the tables
 * below with the count it must hold; each intern table is five sections
 * (xs__intern_save). Mapping checks every size against the header's counts
 * and points the fields into the mapping.
 */
#include "snapshot/snapshot_io.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/mfile_arr.h"

#include <stddef.h>
#include <string.h>

#define PREFIX "snap"

/* The scalars of a snapshot, as stored. */
typedef struct snap_hdr {
    char currency[8];
    int32_t money_scale, last_date;
    uint64_t n_cust, n_churn_scores, n_prod, n_limits, n_sub, n_ord, n_id_chars, n_lines;
    uint64_t n_use, n_ev, n_off, n_ret, n_text, bytes;
    uint64_t present[2]; /* arrays of tables A and B that exist */
} snap_hdr;

/* What the element count of an array is. */
enum {
    K_CUST, K_CUST1, K_PROD, K_PROD1, K_LIMITS, K_FAM1, K_FAMPROD, K_SUB, K_ORD, K_ORD1,
    K_IDCHARS, K_LINES, K_RET, K_USE, K_EV, K_OFF, K_TEXT
};

#define F(field, name, kind)                                                                 \
    {name, offsetof(xs_snapshot, field), sizeof *((xs_snapshot *)0)->field}
#define KIND(field, name, kind) kind

/* Table A: customers, products, subscriptions, orders. */
#define TABLE_A(X)                                                                           \
    X(cust.name, "cust.name", K_CUST), X(cust.segment, "cust.segment", K_CUST),              \
    X(cust.industry, "cust.industry", K_CUST), X(cust.size, "cust.size", K_CUST),            \
    X(cust.region, "cust.region", K_CUST), X(cust.owner, "cust.owner", K_CUST),              \
    X(cust.signup, "cust.signup", K_CUST), X(cust.consent, "cust.consent", K_CUST),          \
    X(cust.contact_name, "cust.contact_name", K_CUST),                                       \
    X(cust.contact_email, "cust.contact_email", K_CUST), X(cust.attrs, "cust.attrs", K_CUST), \
    X(cust.churn_score, "cust.churn_score", K_CUST),                                         \
    X(cust.churn_scored, "cust.churn_scored", K_CUST), X(cust.sub_off, "cust.sub_off", K_CUST1), \
    X(cust.order_off, "cust.order_off", K_CUST1), X(cust.usage_off, "cust.usage_off", K_CUST1), \
    X(cust.event_off, "cust.event_off", K_CUST1), X(cust.offer_off, "cust.offer_off", K_CUST1), \
    X(cust.ret_off, "cust.ret_off", K_CUST1), X(prod.name, "prod.name", K_PROD),             \
    X(prod.name_ja, "prod.name_ja", K_PROD), X(prod.family, "prod.family", K_PROD),          \
    X(prod.tier, "prod.tier", K_PROD), X(prod.kind, "prod.kind", K_PROD),                    \
    X(prod.billing, "prod.billing", K_PROD), X(prod.price, "prod.price", K_PROD),            \
    X(prod.category, "prod.category", K_PROD), X(prod.limit_off, "prod.limit_off", K_PROD1), \
    X(prod.limit_name, "prod.limit_name", K_LIMITS),                                         \
    X(prod.limit_value, "prod.limit_value", K_LIMITS),                                       \
    X(prod.family_off, "prod.family_off", K_FAM1),                                           \
    X(prod.family_products, "prod.family_products", K_FAMPROD),                              \
    X(sub.customer, "sub.customer", K_SUB), X(sub.product, "sub.product", K_SUB),            \
    X(sub.quantity, "sub.quantity", K_SUB), X(sub.unit_price, "sub.unit_price", K_SUB),      \
    X(sub.start, "sub.start", K_SUB), X(sub.end, "sub.end", K_SUB),                          \
    X(sub.renewal, "sub.renewal", K_SUB), X(sub.term, "sub.term", K_SUB),                    \
    X(ord.customer, "ord.customer", K_ORD), X(ord.date, "ord.date", K_ORD),                  \
    X(ord.id_off, "ord.id_off", K_ORD), X(ord.id_chars, "ord.id_chars", K_IDCHARS),          \
    X(ord.line_off, "ord.line_off", K_ORD1), X(ord.product, "ord.product", K_LINES),         \
    X(ord.quantity, "ord.quantity", K_LINES), X(ord.amount, "ord.amount", K_LINES)

/* Table B: returns, usage, events, offers, the text pool. */
#define TABLE_B(X)                                                                           \
    X(ret.customer, "ret.customer", K_RET), X(ret.date, "ret.date", K_RET),                  \
    X(ret.product, "ret.product", K_RET), X(ret.quantity, "ret.quantity", K_RET),            \
    X(ret.amount, "ret.amount", K_RET), X(use.customer, "use.customer", K_USE),              \
    X(use.product, "use.product", K_USE), X(use.metric, "use.metric", K_USE),                \
    X(use.date, "use.date", K_USE), X(use.value, "use.value", K_USE),                        \
    X(ev.customer, "ev.customer", K_EV), X(ev.date, "ev.date", K_EV),                        \
    X(ev.type, "ev.type", K_EV), X(ev.value, "ev.value", K_EV), X(ev.ref, "ev.ref", K_EV),   \
    X(off.id, "off.id", K_OFF), X(off.customer, "off.customer", K_OFF),                      \
    X(off.product, "off.product", K_OFF), X(off.kind, "off.kind", K_OFF),                    \
    X(off.channel, "off.channel", K_OFF), X(off.outcome, "off.outcome", K_OFF),              \
    X(off.flags, "off.flags", K_OFF), X(off.sent, "off.sent", K_OFF),                        \
    X(off.outcome_at, "off.outcome_at", K_OFF),                                              \
    X(off.revenue_delta, "off.revenue_delta", K_OFF), X(text, "text", K_TEXT)

static const xs__marr table_a[] = {TABLE_A(F)};
static const int kinds_a[] = {TABLE_A(KIND)};
static const xs__marr table_b[] = {TABLE_B(F)};
static const int kinds_b[] = {TABLE_B(KIND)};

#define N_A ((int)(sizeof table_a / sizeof *table_a))
#define N_B ((int)(sizeof table_b / sizeof *table_b))

static size_t count_of(const xs_snapshot *s, int kind)
{
    size_t nf = s->dict.families.n;
    switch (kind) {
    case K_CUST: return s->cust.n;
    case K_CUST1: return s->cust.n + 1;
    case K_PROD: return s->prod.n;
    case K_PROD1: return s->prod.n + 1;
    case K_LIMITS: return s->prod.n_limits;
    case K_FAM1: return nf + 1;
    case K_FAMPROD: /* family_off is mapped before it */
        return s->prod.family_off ? s->prod.family_off[nf] : SIZE_MAX;
    case K_SUB: return s->sub.n;
    case K_ORD: return s->ord.n;
    case K_ORD1: return s->ord.n + 1;
    case K_IDCHARS: return s->ord.n_id_chars;
    case K_LINES: return s->ord.n_lines;
    case K_RET: return s->ret.n;
    case K_USE: return s->use.n;
    case K_EV: return s->ev.n;
    case K_OFF: return s->off.n;
    case K_TEXT: return s->n_text;
    }
    return SIZE_MAX;
}

static size_t count_a(const void *obj, int i)
{
    return count_of(obj, kinds_a[i]);
}

static size_t count_b(const void *obj, int i)
{
    return count_of(obj, kinds_b[i]);
}

/* The intern tables of a snapshot with their section prefixes. */
typedef struct intern_ref {
    const char *prefix;
    size_t field;
} intern_ref;

static const intern_ref interns[] = {
    {"snap.cust.ids", offsetof(xs_snapshot, cust.ids)},
    {"snap.prod.ids", offsetof(xs_snapshot, prod.ids)},
    {"snap.off.ids", offsetof(xs_snapshot, off.ids)},
    {"snap.d.segments", offsetof(xs_snapshot, dict.segments)},
    {"snap.d.industries", offsetof(xs_snapshot, dict.industries)},
    {"snap.d.sizes", offsetof(xs_snapshot, dict.sizes)},
    {"snap.d.regions", offsetof(xs_snapshot, dict.regions)},
    {"snap.d.owners", offsetof(xs_snapshot, dict.owners)},
    {"snap.d.families", offsetof(xs_snapshot, dict.families)},
    {"snap.d.categories", offsetof(xs_snapshot, dict.categories)},
    {"snap.d.metrics", offsetof(xs_snapshot, dict.metrics)},
    {"snap.d.event_types", offsetof(xs_snapshot, dict.event_types)},
    {"snap.d.refs", offsetof(xs_snapshot, dict.refs)},
};

int xs__snapshot_save(const xs_snapshot *s, xs__mfile_writer *w, xs_error *err)
{
    snap_hdr h;
    memset(&h, 0, sizeof h);
    memcpy(h.currency, s->currency, sizeof h.currency);
    h.money_scale = s->money_scale;
    h.last_date = s->last_date;
    h.n_cust = s->cust.n;
    h.n_churn_scores = s->cust.n_churn_scores;
    h.n_prod = s->prod.n;
    h.n_limits = s->prod.n_limits;
    h.n_sub = s->sub.n;
    h.n_ord = s->ord.n;
    h.n_id_chars = s->ord.n_id_chars;
    h.n_lines = s->ord.n_lines;
    h.n_use = s->use.n;
    h.n_ev = s->ev.n;
    h.n_off = s->off.n;
    h.n_ret = s->ret.n;
    h.n_text = s->n_text;
    h.bytes = s->bytes;
    int rc;
    /* the header first, with the presence masks the arrays produce: written
     * after them, the masks would be known, but readers find sections by
     * name, so the order does not matter; compute the masks first */
    for (int i = 0; i < N_A; i++)
        if (xs__marr_ptr(s, table_a[i].field)) h.present[0] |= (uint64_t)1 << i;
    for (int i = 0; i < N_B; i++)
        if (xs__marr_ptr(s, table_b[i].field)) h.present[1] |= (uint64_t)1 << i;
    if ((rc = xs__marr_put(w, PREFIX, "hdr", &h, sizeof h, 1, err)) < 0) return rc;
    for (size_t i = 0; i < sizeof interns / sizeof *interns; i++) {
        const xs__intern *t = (const xs__intern *)((const char *)s + interns[i].field);
        if ((rc = xs__intern_save(t, w, interns[i].prefix, err)) < 0) return rc;
    }
    uint64_t present;
    if ((rc = xs__marr_save_all(w, PREFIX, table_a, N_A, s, count_a, &present, err)) < 0 ||
        (rc = xs__marr_save_all(w, PREFIX, table_b, N_B, s, count_b, &present, err)) < 0)
        return rc;
    return XS_OK;
}

static int corrupt(const xs__mfile *f, const char *what, xs_error *err)
{
    return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                         "snapshot: %s (the file is corrupted)", what);
}

int xs__snapshot_map(const xs__mfile *f, xs_snapshot **out, xs_error *err)
{
    *out = NULL;
    const snap_hdr *h;
    int rc = xs__marr_hdr(f, PREFIX, sizeof *h, "the snapshot", (const void **)&h, err);
    if (rc < 0) return rc;
    xs_snapshot *s = xs__calloc(1, sizeof *s);
    if (!s) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    s->mapped = 1;
    memcpy(s->currency, h->currency, sizeof s->currency);
    s->currency[sizeof s->currency - 1] = '\0';
    s->money_scale = h->money_scale;
    s->last_date = h->last_date;
    s->cust.n = (size_t)h->n_cust;
    s->cust.n_churn_scores = (size_t)h->n_churn_scores;
    s->prod.n = (size_t)h->n_prod;
    s->prod.n_limits = (size_t)h->n_limits;
    s->sub.n = (size_t)h->n_sub;
    s->ord.n = (size_t)h->n_ord;
    s->ord.n_id_chars = (size_t)h->n_id_chars;
    s->ord.n_lines = (size_t)h->n_lines;
    s->use.n = (size_t)h->n_use;
    s->ev.n = (size_t)h->n_ev;
    s->off.n = (size_t)h->n_off;
    s->ret.n = (size_t)h->n_ret;
    s->n_text = s->cap_text = (size_t)h->n_text;
    s->bytes = (size_t)h->bytes;
    for (size_t i = 0; i < sizeof interns / sizeof *interns; i++) {
        xs__intern *t = (xs__intern *)((char *)s + interns[i].field);
        if ((rc = xs__intern_map(t, f, interns[i].prefix, err)) < 0) goto fail;
    }
    /* counts that index other tables: sizes only, no per-row check */
    if (s->cust.ids.n != s->cust.n || s->prod.ids.n != s->prod.n ||
        s->dict.families.n >= SIZE_MAX - 1 || s->n_text == 0) {
        rc = corrupt(f, "counts disagree", err);
        goto fail;
    }
    if ((rc = xs__marr_map_all(f, PREFIX, table_a, N_A, s, count_a, h->present[0], err)) < 0 ||
        (rc = xs__marr_map_all(f, PREFIX, table_b, N_B, s, count_b, h->present[1], err)) < 0)
        goto fail;
    if (!s->text || s->text[s->n_text - 1] != '\0' ||
        (s->ord.n_id_chars && s->ord.id_chars[s->ord.n_id_chars - 1] != '\0')) {
        rc = corrupt(f, "unterminated text", err);
        goto fail;
    }
    *out = s;
    return XS_OK;
fail:
    xs_snapshot_free(s);
    return rc;
}
