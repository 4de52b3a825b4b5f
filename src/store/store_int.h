/*
 * store_int.h — the store's private struct, shared by the files of
 * src/store (sqlite.c, import writer, snapshot loader, mining sources).
 * Nothing outside src/store includes this: only the store speaks SQL.
 */
#ifndef XS_STORE_INT_H
#define XS_STORE_INT_H

#include "xsell.h"

#include <sqlite3.h>

struct xs_store {
    sqlite3 *db;
    char *path;
    char currency[8]; /* from meta, default "USD" */
    int money_scale;  /* fraction digits of the currency, default 2 */
};

#endif
