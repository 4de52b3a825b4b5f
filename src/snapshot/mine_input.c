/*
 * mine_input.c — the miners' inputs from a store (xs_baskets_from_store*,
 * xs_adoption_input_from_store; contracts in xsell.h): the rows the store
 * streams (src/store/mine_rows.h) grouped into baskets and adoption input.
 * Above both the store and the miners, so that neither knows the other.
 *
 *  - ORDERS baskets: one per order_id (ascending), items = its product_ids;
 *    its day is the earliest date of its lines.
 *  - ADOPTION baskets: one per customer holding anything (ascending
 *    customer_id), items = every product it has held; its day is the
 *    latest first-held day (when the set last grew).
 *  - Adoption input (src/mine/adoption.h): per such customer, the first day
 *    each product was held and the customer's observation end.
 */
#include "base/alloc.h"
#include "base/error.h"
#include "mine/adoption.h"
#include "mine/baskets.h"
#include "store/mine_rows.h"

#include <string.h>

int xs_mine_source_parse(const char *s, xs_mine_source *out)
{
    if (!strcmp(s, "orders"))
        *out = XS_SOURCE_ORDERS;
    else if (!strcmp(s, "adoption"))
        *out = XS_SOURCE_ADOPTION;
    else
        return XS_EINVAL;
    return XS_OK;
}

void xs_days_free(int32_t *days)
{
    xs__free(days);
}

/* A copy of the current group key (order_id or customer_id). */
typedef struct key {
    char *s;
    size_t len, cap;
    int set;
} key;

/* 1 when (v, len) differs from the key, updating it; negative on ENOMEM. */
static int key_change(key *k, const char *v, size_t len)
{
    if (k->set && k->len == len && !memcmp(k->s, v, len)) return 0;
    if (xs__grow(&k->s, &k->cap, len + 1, 1) < 0) return XS_ENOMEM;
    memcpy(k->s, v, len);
    k->s[len] = '\0';
    k->len = len;
    k->set = 1;
    return 1;
}

/* Baskets being built from rows. */
typedef struct basket_build {
    xs_baskets *b;
    xs_mine_source source;
    int32_t *days; /* NULL: not wanted */
    size_t cap_days;
    int want_days;
    int32_t cur; /* the open basket's day */
    key k;
} basket_build;

/* Closes the open basket (with its day). */
static int end_basket(basket_build *x)
{
    if (xs__mine_baskets_end(x->b) < 0) return XS_ENOMEM;
    if (!x->want_days) return XS_OK;
    size_t n = x->b->n_tx;
    if (xs__grow(&x->days, &x->cap_days, n, sizeof *x->days) < 0) return XS_ENOMEM;
    x->days[n - 1] = x->cur;
    return XS_OK;
}

static int basket_row(void *ctx, const char *g, size_t n_g, const char *item, size_t n_item,
                      int32_t day)
{
    basket_build *x = ctx;
    int ch = key_change(&x->k, g, n_g);
    if (ch < 0) return ch;
    if (ch && x->b->open && end_basket(x) < 0) return XS_ENOMEM;
    if (ch) x->cur = day;
    /* orders: earliest line date; adoption: latest first-held day */
    if (x->source == XS_SOURCE_ORDERS ? day < x->cur : day > x->cur) x->cur = day;
    return xs__mine_baskets_add(x->b, item, n_item) < 0 ? XS_ENOMEM : XS_OK;
}

int xs_baskets_from_store_dated(xs_store *st, xs_mine_source source, xs_baskets **out,
                                int32_t **days, int32_t *as_of, xs_error *err)
{
    basket_build x = {.source = source, .want_days = days != NULL};
    int32_t asof = 0;
    int rc;
    *out = NULL;
    if (days) *days = NULL;
    if (as_of && (rc = xs__store_mine_as_of(st, &asof, err)) < 0) return rc;
    if (!(x.b = xs_baskets_new())) goto nomem;
    if ((rc = xs__store_mine_rows(st, source, basket_row, &x, err)) < 0) goto cleanup;
    if (x.b->open && end_basket(&x) < 0) goto nomem;
    if (days && !x.days && !(x.days = xs__malloc(sizeof *x.days))) goto nomem;
    *out = x.b;
    x.b = NULL;
    if (days) *days = x.days, x.days = NULL;
    if (as_of) *as_of = asof;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs_baskets_free(x.b);
    xs__free(x.days);
    xs__free(x.k.s);
    return rc;
}

int xs_baskets_from_store(xs_store *st, xs_mine_source source, xs_baskets **out,
                          xs_error *err)
{
    return xs_baskets_from_store_dated(st, source, out, NULL, NULL, err);
}

/* Adoption input being built from rows. */
typedef struct adoption_build {
    struct xs_adoption_input *in;
    key k;
    int32_t end; /* the open customer's observation end */
    int open;
} adoption_build;

static int adoption_row(void *ctx, const char *c, size_t n_c, const char *p, size_t n_p,
                        int32_t first, int32_t end)
{
    adoption_build *x = ctx;
    int ch = key_change(&x->k, c, n_c);
    if (ch < 0) return ch;
    if (ch) {
        if (x->open && xs__mine_adoption_input_end(x->in, x->end) < 0) return XS_ENOMEM;
        x->open = 1;
        x->end = end;
    }
    return xs__mine_adoption_input_add(x->in, p, n_p, first) < 0 ? XS_ENOMEM : XS_OK;
}

int xs_adoption_input_from_store(xs_store *st, xs_adoption_input **out, xs_error *err)
{
    adoption_build x = {0};
    int32_t asof = 0;
    int rc;
    *out = NULL;
    if ((rc = xs__store_mine_as_of(st, &asof, err)) < 0) return rc;
    if (!(x.in = xs__malloc(sizeof *x.in))) goto nomem;
    xs__mine_adoption_input_init(x.in);
    x.in->as_of = asof;
    if ((rc = xs__store_adoption_rows(st, asof, adoption_row, &x, err)) < 0) goto cleanup;
    if (x.open && xs__mine_adoption_input_end(x.in, x.end) < 0) goto nomem;
    *out = x.in;
    x.in = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs_adoption_input_free(x.in);
    xs__free(x.k.s);
    return rc;
}
