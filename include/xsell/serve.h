/*
 * xsell/serve.h — the server: the HTTP JSON API, its keys and webhooks.
 *
 * `xsell serve` as a library call: the versioned JSON API under /v1, API
 * keys with scopes, signed and retried webhooks, the audit log, the
 * Prometheus /metrics and the web dashboard, serving a model file that it
 * swaps when a new build lands. The only code that speaks HTTP is
 * src/serve; the API keys, webhooks and audit rows live in the store.
 * docs/api.md and docs/openapi.json describe the routes.
 *
 * Part of libxsell's public API: xsell.h includes every module's header;
 * the conventions are written in xsell/base.h.
 *
 * Example (compiled by the build: cmake/header_example.cmake):
 * @code
 *   // Serves the store at db on an ephemeral port until wait_for_stop() returns.
 *   int serve_until(const char *db, void (*wait_for_stop)(void))
 *   {
 *       xs_serve_opts o = {.db = db, .listen = "127.0.0.1:0"};
 *       xs_server *s;
 *       xs_error e;
 *       int rc = xs_server_start(&o, &s, &e);
 *       if (rc < 0) return rc;
 *       printf("listening on port %d\n", xs_server_port(s));
 *       wait_for_stop();
 *       xs_server_stop(s, 5); // the requests in flight get 5 s to finish
 *       return XS_OK;
 *   }
 * @endcode
 */
#ifndef XS_XSELL_SERVE_H
#define XS_XSELL_SERVE_H

#include "base.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Server (src/serve) and API keys (src/store)                            */
/* ====================================================================== */
/* (section owned by the serve module) */

/*
 * API keys (src/store/apikeys.c). A key is shown once, at creation, as
 * "xs_<key_id>_<secret>" (key_id: 16 hex digits, secret: 64 hex digits = 32
 * random bytes from /dev/urandom); the store keeps only key_id, a random
 * 16-byte salt and SHA-256(salt || secret). Scopes are ordered
 * read < write < admin: a key grants its scope and every lower one.
 */
typedef enum xs_apikey_scope {
    XS_SCOPE_NONE = 0, /* no key / not granted */
    XS_SCOPE_READ,
    XS_SCOPE_WRITE,
    XS_SCOPE_ADMIN
} xs_apikey_scope;

/* Capacity a buffer needs for a key: "xs_" + 16 + "_" + 64 + NUL. */
#define XS_APIKEY_MAX 88

/** Parses "read", "write" or "admin". @return XS_OK or XS_EINVAL */
int xs_apikey_scope_parse(const char *s, xs_apikey_scope *out);
/** @return "read", "write", "admin" ("none" for XS_SCOPE_NONE) */
const char *xs_apikey_scope_name(xs_apikey_scope s);

/**
 * Creates a key and stores its salted hash.
 * @param note optional free text (copied); NULL: none
 * @param key  receives "xs_<key_id>_<secret>" (cap >= XS_APIKEY_MAX); the
 *             only time the secret exists outside the caller
 * @return XS_OK, XS_EINVAL (bad scope, small buffer), XS_EIO (/dev/urandom),
 *         XS_EDB
 * @code
 *   char key[XS_APIKEY_MAX];
 *   if (xs_apikey_create(st, XS_SCOPE_READ, "dashboard", key, sizeof key, &e) == XS_OK)
 *       puts(key);
 * @endcode
 */
int xs_apikey_create(xs_store *st, xs_apikey_scope scope, const char *note, char *key,
                     size_t cap, xs_error *err);
/**
 * Revokes a key by its key_id (the secret is not needed).
 * @return XS_OK, XS_ENOTFOUND (no such key, or already revoked: err says
 *         which), XS_EDB
 */
int xs_apikey_revoke(xs_store *st, const char *key_id, xs_error *err);
/**
 * Fills an empty table with the keys, oldest first: key_id, scope,
 * created_at, revoked_at (empty while valid), note. Never secrets or hashes.
 * @return the number of keys, XS_EDB or XS_ENOMEM
 */
int xs_apikey_list(xs_store *st, xs_table *out, xs_error *err);

/** The valid (unrevoked) keys of a store, loaded for checking. Opaque. */
typedef struct xs_apikeys xs_apikeys;
/** Loads the valid keys. @return XS_OK, XS_EDB, XS_ENOMEM; caller frees
 *  with xs_apikeys_free() */
int xs_apikeys_load(xs_store *st, xs_apikeys **out, xs_error *err);
/** Frees a key set; NULL is fine. */
void xs_apikeys_free(xs_apikeys *ks);
/**
 * Checks a presented key ("xs_<key_id>_<secret>", len bytes, borrowed):
 * the salted hash of its secret is compared in constant time.
 * @return the key's scope, or XS_SCOPE_NONE (malformed, unknown, revoked or
 *         wrong secret)
 */
xs_apikey_scope xs_apikeys_check(const xs_apikeys *ks, const char *key, size_t len);

/*
 * Webhooks (src/store/webhooks.c, src/serve/webhook_send.c;
 * docs/webhooks.md). A webhook subscribes a URL to some of the events
 * offer.issued (an offer logged: `recommend --log`, GET
 * /v1/customers/{id}/offers?log=1),
 * offer.outcome (`xsell outcome`, POST /v1/offers/{id}/outcome) and
 * build.done (`xsell build`). The write that makes the change queues one
 * delivery per subscribed webhook in its own transaction; the sender POSTs
 * each as JSON, signed with HMAC-SHA256 under the webhook's secret, and
 * retries with exponential backoff until a 2xx or the last attempt.
 */
#define XS_WEBHOOK_MAX 16          /* live webhooks per store */
#define XS_WEBHOOK_SECRET_MAX 257  /* a secret is 16..256 characters */

/**
 * Adds a webhook.
 * @param events comma list of offer.issued, offer.outcome, build.done
 * @param secret the signing secret (16..256 characters); NULL: 32 random
 *               bytes as 64 hex digits
 * @param id receives the webhook's id
 * @param secret_out receives the secret (cap >= XS_WEBHOOK_SECRET_MAX); NULL: not wanted
 * @return XS_OK, XS_EINVAL (bad URL, event or secret, too many webhooks:
 *         err names which), XS_EIO, XS_EDB
 */
int xs_webhook_add(xs_store *st, const char *url, const char *events, const char *secret,
                   long long *id, char *secret_out, size_t cap, xs_error *err);
/** Removes a webhook (its row and delivery log stay; its pending
 *  deliveries are cancelled). @return XS_OK, XS_ENOTFOUND, XS_EDB */
int xs_webhook_remove(xs_store *st, long long id, xs_error *err);
/** Fills an empty table with the webhooks: webhook_id, url, events,
 *  created_at, removed_at, pending, delivered, failed; never secrets.
 *  @return the number of webhooks, XS_EDB or XS_ENOMEM */
int xs_webhook_list(xs_store *st, xs_table *out, xs_error *err);
/** Fills an empty table with the newest deliveries (at most limit; <= 0:
 *  100), of webhook id (0: all), of one status (NULL: all): delivery_id,
 *  webhook_id, event, created_at, status, attempts, last_at, last_code,
 *  last_error. @return the number of rows, XS_EINVAL (status), XS_EDB,
 *  XS_ENOMEM */
int xs_webhook_log(xs_store *st, long long id, const char *status, long limit, xs_table *out,
                   xs_error *err);

/** A delivery due to be sent (owned copies). */
typedef struct xs_webhook_delivery {
    long long delivery_id, webhook_id;
    char event[24];
    int attempts; /* made so far */
    char *payload, *url, *secret;
} xs_webhook_delivery;
/** The pending deliveries due at now (Unix seconds), oldest first, at most
 *  max. @return XS_OK, XS_EDB, XS_ENOMEM; free with xs_webhook_due_free */
int xs_webhook_due(xs_store *st, int64_t now, size_t max, xs_webhook_delivery **out,
                   size_t *n, xs_error *err);
void xs_webhook_due_free(xs_webhook_delivery *d, size_t n);
/** Records one attempt of a pending delivery: status "delivered", "failed"
 *  (given up) or "pending" (to retry at next_at), the HTTP status (0: none)
 *  and the error (NULL: none). @return XS_OK, XS_EDB, XS_EBUSY */
int xs_webhook_record(xs_store *st, long long delivery_id, const char *status, int64_t next_at,
                      int code, const char *error, xs_error *err);

/** How the sender works (defaults by xs_webhook_send_opts_init). */
typedef struct xs_webhook_send_opts {
    long timeout_ms;   /* per request, connect included (default 10000) */
    int max_attempts;  /* then the delivery is failed (default 10) */
    int backoff_s;     /* first retry after this, doubled each time (default 10) */
    int backoff_max_s; /* longest wait between attempts (default 3600) */
    size_t batch;      /* deliveries per xs_webhook_send_due call (default 100) */
    int64_t now;       /* Unix seconds; 0: the clock (tests set it) */
} xs_webhook_send_opts;
void xs_webhook_send_opts_init(xs_webhook_send_opts *o);
/** What one xs_webhook_send_due call did. */
typedef struct xs_webhook_send_result {
    size_t delivered, retrying, failed;
} xs_webhook_send_result;
/**
 * Sends the deliveries due now (at most o->batch), one POST each, and
 * records every attempt. Headers: Content-Type application/json,
 * X-Xsell-Event, X-Xsell-Delivery (the delivery id), X-Xsell-Signature
 * "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>".
 * A 2xx delivers; anything else (status, refused connection, timeout) is
 * retried after backoff_s * 2^(attempts-1) seconds (at most backoff_max_s)
 * until max_attempts. @return XS_OK, XS_EDB, XS_EBUSY, XS_ENOMEM
 */
int xs_webhook_send_due(xs_store *st, const xs_webhook_send_opts *o, xs_webhook_send_result *r,
                        xs_error *err);

/*
 * The audit log (src/store/audit.c, schema version 11; docs/api.md
 * "Audit log"): one row per action taken through the HTTP API that writes
 * (an outcome, a logged offer, an experiment started or stopped, events,
 * a build, a webhook added or removed), with the API key's id, the action,
 * its target and the state before and after as small JSON objects. The
 * CLI's writes are not audited.
 */
typedef struct xs_audit_entry {
    long long audit_id;  /* set by the store (reading) */
    const char *at;      /* "YYYY-MM-DDTHH:MM:SSZ"; NULL when adding: now */
    const char *key_id;  /* the API key's id; NULL: none */
    const char *action;  /* "offer.outcome", "experiment.start", ... */
    const char *target;  /* offer id, experiment name, webhook id...; NULL: none */
    const char *before;  /* JSON text or NULL */
    const char *after;   /* JSON text or NULL */
} xs_audit_entry;
/** Appends one row (its own statement: it does not count as a change of
 *  the data, meta data_version). @return XS_OK, XS_EINVAL (no action),
 *  XS_EBUSY, XS_EDB */
int xs_store_audit_add(xs_store *st, const xs_audit_entry *a, xs_error *err);
/** Calls fn for the rows, newest first, skipping offset, at most limit
 *  (borrowed strings, valid during the call); *total (may be NULL) gets
 *  the number of rows. @return the number of rows given to fn, fn's
 *  negative code, XS_EDB */
long xs_store_audit_list(xs_store *st, size_t limit, size_t offset,
                         int (*fn)(void *ctx, const xs_audit_entry *a), void *ctx,
                         long long *total, xs_error *err);

/*
 * HTTP JSON API (src/serve, libmicrohttpd): routes, errors and metrics are
 * documented in docs/api.md and docs/openapi.json. The server loads a
 * snapshot of the store and the models built from it into one immutable
 * model object; POST /v1/build builds a new one in the background and swaps
 * it in (reference counted: requests in flight keep the old one).
 */
typedef struct xs_serve_opts {
    const char *db;             /* the store (required, borrowed) */
    const char *listen;         /* "HOST:PORT" (IPv4); NULL: "127.0.0.1:8080";
                                   port 0: an ephemeral port */
    unsigned threads;           /* worker threads; 0: 2 */
    size_t max_body;            /* request bodies above this get 413; 0: 1 MiB */
    unsigned max_connections;   /* served at once; more wait (at most
                                   request_timeout_s) or get 503; 0: 256 */
    unsigned timeout_s;         /* keep-alive connection without a request; 0: 30 */
    unsigned request_timeout_s; /* to receive a request's head and body, else
                                   408 and the connection closes; 0: 5 */
    unsigned max_per_address;   /* connections of one client address, else
                                   429; 0: 64 */
    int access_log;             /* 1: one line per request on stderr */
    const char *web_dir;        /* dashboard files served at / and /assets/ (borrowed);
                                   NULL: "web/dist" (docs/dashboard.md) */
    unsigned lock_timeout_ms;   /* a write waits at most this for the store's
                                   write lock, then 503 busy; 0: 1000 */
    const char *model;          /* a model file to serve (xs_model_open, checked
                                   to come from db; borrowed for the start);
                                   NULL: the store's latest model file when it
                                   is current, else a model built from db */
    int model_poll_s;           /* with model: seconds between looks at the file,
                                   whose new version (a build renamed into place)
                                   is then mapped and served; 0: 2; < 0: never */
} xs_serve_opts;

/** A running server. Opaque. */
typedef struct xs_server xs_server;

/**
 * Maps the model (o->model, or the store's latest model file when it is
 * current) or builds it from the store, and starts serving on worker
 * threads.
 * @param out caller stops and frees with xs_server_stop()
 * @return XS_OK, XS_EINVAL (bad listen address: param "listen"; a model
 *         built from another store), XS_EIO (cannot bind), XS_EDB /
 *         XS_ESCHEMA (store), the errors of xs_model_open(), XS_ENOMEM
 * @code
 *   xs_serve_opts o = {.db = "xsell.db", .listen = "127.0.0.1:0"};
 *   xs_server *s;
 *   if (xs_server_start(&o, &s, &e) == XS_OK) {
 *       printf("port %d\n", xs_server_port(s));
 *       ...;
 *       xs_server_stop(s);
 *   }
 * @endcode
 */
int xs_server_start(const xs_serve_opts *o, xs_server **out, xs_error *err);
/** @return the TCP port the server listens on */
int xs_server_port(const xs_server *s);
/**
 * Stops accepting connections, lets the requests in flight finish (up to
 * grace_s seconds), stops the workers and frees everything. NULL is fine.
 */
void xs_server_stop(xs_server *s, unsigned grace_s);

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_SERVE_H */
