/*
 * adoption.h — the integer input of the adoption-timing miner and the
 * builder that fills it.
 *
 * The miner (adoption.c) sees customers only as indexes 0..n-1: for each one
 * the products it has held with the first day each was held, and the day its
 * observation ends. The store source (src/snapshot/mine_input.c over src/store/mine_rows.c) and the tests
 * fill it through the builder below; nothing here knows SQL.
 */
#ifndef XS_ADOPTION_H
#define XS_ADOPTION_H

#include "xsell.h"
#include "base/intern.h"

#include <stddef.h>
#include <stdint.h>

struct xs_adoption_input {
    size_t n_customers;
    size_t *off;    /* n_customers + 1 offsets into item / day */
    uint32_t *item; /* per customer: ascending, unique product ids */
    int32_t *day;   /* first day the product was held */
    int32_t *end;   /* per customer: observation end day */
    int32_t as_of;  /* the data's as-of day */
    size_t n_total, cap_total, cap_cust;
    xs__intern names; /* product id -> name */
    size_t open_from; /* first entry of the customer being built */
};

/* Initialises an empty input. */
void xs__mine_adoption_input_init(struct xs_adoption_input *in);
/* Frees the contents (not in itself). */
void xs__mine_adoption_input_clear(struct xs_adoption_input *in);
/* Adds (product name, first day) to the customer being built; a product
 * added twice keeps its earlier day. Returns XS_OK or XS_ENOMEM. */
int xs__mine_adoption_input_add(struct xs_adoption_input *in, const char *name,
                                size_t len, int32_t day);
/* Closes the customer being built with its observation end (sorting its
 * products). Returns XS_OK or XS_ENOMEM. */
int xs__mine_adoption_input_end(struct xs_adoption_input *in, int32_t end);

#endif
