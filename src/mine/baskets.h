/*
 * baskets.h — transactions for the miners: each basket is a sorted set of
 * dense item ids; item names live in an intern table.
 *
 * Built item by item through a small builder so that any source (FIMI file,
 * basket CSV, the store's orders or adoption sets) produces the same thing.
 * The miners never see customers or SQL, only these integer sets.
 */
#ifndef XS_BASKETS_H
#define XS_BASKETS_H

#include "xsell.h"
#include "base/intern.h"

#include <stddef.h>
#include <stdint.h>

struct xs_baskets {
    size_t n_tx;      /* number of baskets (empty ones included) */
    size_t *off;      /* n_tx + 1 offsets into items */
    uint32_t *items;  /* per basket: ascending, unique item ids */
    size_t n_items_total, cap_items, cap_off;
    xs__intern names; /* item id -> name; n_items = names.n */
    int open;         /* a basket is being built */
    int mapped;       /* 1: off and items point into a model file (mine_io.c,
                         which saves and maps every field): read-only */
};

/* Initialises an empty set of baskets. */
void xs__mine_baskets_init(struct xs_baskets *b);
/* Adds an item (by name, interned) to the basket being built, opening one
 * when none is. Returns XS_OK or XS_ENOMEM. */
int xs__mine_baskets_add(struct xs_baskets *b, const char *name, size_t len);
/* Adds an item by an id already interned in b->names. */
int xs__mine_baskets_add_id(struct xs_baskets *b, uint32_t id);
/* Closes the current basket (sorting and removing duplicate items); closing
 * with nothing added records an empty basket. Returns XS_OK or XS_ENOMEM. */
int xs__mine_baskets_end(struct xs_baskets *b);
/* Frees the contents (not b itself). */
void xs__mine_baskets_clear(struct xs_baskets *b);
/* Sorts v[0..n) ascending and removes repeated values; returns the new n. */
size_t xs__mine_sort_unique_u32(uint32_t *v, size_t n);
/* Natural order of item names: all-digit names compare as numbers, others
 * (and numeric ties such as "07" vs "7") bytewise. Returns <0, 0, >0. */
int xs__mine_item_name_cmp(const char *a, const char *b);

#endif
