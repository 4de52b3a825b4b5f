/*
 * store_access.c — how the handlers that write (POST /v1/events, POST
 * /v1/offers/{id}/outcome) reach the store, and the one answer they give
 * when another process holds its write lock.
 *
 * A write waits for the lock at most the server's --lock-timeout (default
 * 1000 ms) instead of the store's default wait (SQLite's busy timeout,
 * PostgreSQL's lock_timeout on the advisory lock every writer takes), so a
 * long import in another process never ties up a worker for longer than
 * that; past it the library fails with XS_EBUSY and the client gets 503
 * {"error":{"code":"busy"}} with Retry-After, a status a client retries,
 * rather than a 500. Reads never wait (SQLite's WAL, PostgreSQL's MVCC) and
 * /healthz never opens the store. tests/unit/test_serve_lock.c checks this
 * on both backends.
 */
#include "serve/serve_int.h"

/* Contract in serve_int.h. */
int xs__serve_store_busy(xs__serve_req *r)
{
    r->hdr_name = "Retry-After";
    r->hdr_value = "1";
    return xs__serve_error(r, 503, "busy",
                           "store is busy (locked by another process); try again");
}

/* Contract in serve_int.h. */
int xs__serve_store_for_write(xs__serve_req *r, xs_store **st)
{
    xs_error e;
    *st = NULL;
    int rc = xs_store_open(st, xs__serve_server_db(r->srv), &e);
    if (rc == XS_EBUSY) return xs__serve_store_busy(r);
    if (rc < 0) return xs__serve_error(r, 503, "not_available", "store: %s", e.message);
    xs_store_set_busy_timeout(*st, xs__serve_server_lock_timeout_ms(r->srv));
    return 0;
}
