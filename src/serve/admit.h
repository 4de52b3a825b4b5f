/*
 * admit.h — who gets a connection to `xsell serve`, and for how long
 * (admit.c): the listening socket, one acceptor thread that hands admitted
 * connections to libmicrohttpd's workers, a waiting room for connections
 * beyond --max-connections, a per-address cap, the request deadline and
 * the eviction of idle or slow connections under pressure. Only server.c
 * uses it; docs/api.md ("Limits under load") describes the behaviour.
 */
#ifndef XS_ADMIT_H
#define XS_ADMIT_H

#include "xsell.h"

#include <microhttpd.h>
#include <netinet/in.h>

typedef struct xs__serve_admit xs__serve_admit;

/* Limits (all > 0; server.c fills in the defaults). */
typedef struct xs__serve_admit_opts {
    unsigned max_connections;   /* connections served at once */
    unsigned max_per_address;   /* open or waiting connections of one IPv4 address */
    unsigned request_timeout_s; /* to receive a request's head and body */
    unsigned idle_timeout_s;    /* keep-alive connection without a request */
} xs__serve_admit_opts;

/* Extra connections beyond max_connections kept for GET /healthz, so a
 * health check answers while the server is full. */
#define XS__ADMIT_RESERVE 8

/* Binds and listens on addr (IPv4). Returns XS_OK and *out (free with
 * xs__serve_admit_free), or XS_EIO ("cannot listen on HOST:PORT: why", column
 * --listen) or XS_ENOMEM, set on err. Nothing is accepted before
 * xs__serve_admit_run(). */
int xs__serve_admit_listen(xs__serve_admit **out, const struct sockaddr_in *addr,
                           const xs__serve_admit_opts *o, xs_error *err);
/* The port bound (the real one when addr asked for port 0). */
int xs__serve_admit_port(const xs__serve_admit *a);
/* Starts the acceptor thread, handing connections to d (a daemon started
 * with MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC whose notify-connection
 * callback is xs__serve_admit_notify with a as its closure). Returns XS_OK or
 * XS_ENOMEM. */
int xs__serve_admit_run(xs__serve_admit *a, struct MHD_Daemon *d);
/* Stops accepting: joins the acceptor, closes the listening socket and the
 * connections still waiting. Connections already handed over stay with
 * the daemon. Idempotent; NULL is fine. */
void xs__serve_admit_quiesce(xs__serve_admit *a);
/* Frees everything; call after MHD_stop_daemon(). NULL is fine. */
void xs__serve_admit_free(xs__serve_admit *a);

/* MHD_OPTION_NOTIFY_CONNECTION callback (cls: the xs__serve_admit): keeps the
 * connection's slot in *socket_context, frees it when the connection
 * closes. */
void xs__serve_admit_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe);

/* Where a connection is; each call is cheap (relaxed atomic stores). */
/* The request line of a request arrived: its head and body must arrive
 * within request_timeout_s (for the first request of a connection, whose
 * head has arrived before it got a slot: its body, counted from the slot). */
void xs__serve_admit_request_started(struct MHD_Connection *c);
/* The request is complete: the handler runs, no deadline applies. */
void xs__serve_admit_request_received(struct MHD_Connection *c);
/* The response has been sent: the connection idles (keep-alive). */
void xs__serve_admit_request_done(struct MHD_Connection *c);
/* 1 when the response should close the connection ("Connection: close"):
 * others are waiting for a slot and this connection has had its turn. */
int xs__serve_admit_should_close(const xs__serve_admit *a, struct MHD_Connection *c);

/* Counters for /metrics and the tests. */
typedef struct xs__serve_admit_stats {
    unsigned long long accepted;     /* connections accepted */
    unsigned long long refused_full; /* 503: server and waiting room full */
    unsigned long long refused_addr; /* 429: per-address cap */
    unsigned long long refused_head; /* 4xx: head refused by xs__serve_head_check() */
    unsigned long long timed_out;    /* 408: request deadline passed */
    unsigned long long evicted;      /* idle or slow, closed under pressure */
    unsigned open, waiting;          /* now */
} xs__serve_admit_stats;
void xs__serve_admit_get_stats(xs__serve_admit *a, xs__serve_admit_stats *st);

#endif
