/*
 * cmd_recommend_cart.c — `xsell recommend --cart P,P,...`: the cart answer
 * (xs_offer_cart; a placement, not a contact), the same ranking as POST
 * /v1/cart/recommendations, for a known customer or an anonymous shopper.
 */
#include "cli/recommend.h"

#include <stdio.h>
#include <string.h>

#define CMD "recommend"

#define MAX_CART 256 /* as POST /v1/cart/recommendations */

/* Contract in recommend.h. */
int xs_cli_rec_cart(const xs_offer_engine *en, const xs_cli_rec_args *a, xs_table *t)
{
    uint32_t cart[MAX_CART];
    size_t n_cart = 0;
    for (const char *p = a->cart; *p;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        char id[256];
        if (len >= sizeof id) len = sizeof id - 1;
        memcpy(id, p, len);
        id[len] = '\0';
        long pi = xs_offer_engine_find_product(en, id);
        if (pi < 0) {
            fprintf(stderr, "xsell %s: --cart: unknown product \"%s\"\n", CMD, id);
            return XS_EXIT_USAGE;
        }
        if (n_cart == MAX_CART)
            return xs_cli_usage_error(CMD, "--cart: more than %d products", MAX_CART);
        cart[n_cart++] = (uint32_t)pi;
        p += len;
        if (*p == ',') p++;
    }
    if (!n_cart) return xs_cli_usage_error(CMD, "--cart: no product given");
    if (a->customer && xs_offer_engine_find(en, a->customer) < 0)
        fprintf(
            stderr,
            "xsell %s: customer \"%s\" not found: answering for an anonymous shopper\n",
            CMD, a->customer);
    xs_offer o[100];
    int n = xs_offer_cart(en, a->customer, cart, n_cart, o,
                          (size_t)(a->limit ? a->limit : 10));
    if (n < 0 || xs_offer_cart_table(en, o, (size_t)n, a->lang, t) < 0) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        return XS_EXIT_FAIL;
    }
    return -1;
}
