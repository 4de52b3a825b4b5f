/*
 * hooks.h — the webhook outbox inside the store's own write transactions
 * (src/store/webhooks.c): a writer that reports an event asks once which
 * webhooks want it, then adds one delivery row per webhook for each change,
 * in the transaction that makes the change.
 */
#ifndef XS_STORE_HOOKS_H
#define XS_STORE_HOOKS_H

#include "store/db.h"

#include <jansson.h>

/* The webhooks subscribed to one event, and the prepared insert. */
typedef struct xs__store_hooks {
    char event[24];
    long long ids[XS_WEBHOOK_MAX];
    size_t n;
    xs__store_stmt *ins;
} xs__store_hooks;

/* Fills h with the live webhooks subscribed to event (none on a store
 * older than schema version 10). Call inside the writer's transaction.
 * @return XS_OK or XS_EDB */
int xs__store_hooks_of(xs_store *st, const char *event, xs__store_hooks *h,
                       xs_error *err);
/* Adds a delivery of {"id","event","created_at","data": data} to every
 * webhook of h; takes data (a JSON object) and frees it.
 * @return XS_OK, XS_EDB, XS_ENOMEM, XS_EIO (random id) */
int xs__store_hooks_emit(xs_store *st, xs__store_hooks *h, json_t *data, xs_error *err);
/* Releases the prepared statement of h. */
void xs__store_hooks_done(xs__store_hooks *h);

#endif
