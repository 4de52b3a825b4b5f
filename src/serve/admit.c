/*
 * admit.c — who gets a connection to `xsell serve`, and for how long.
 *
 * libmicrohttpd's own accept path fails under abuse: with a worker pool each
 * worker accepts for itself and, at its share of the connection limit,
 * accepts and closes at once, so at the limit clients reconnect in a loop
 * and throughput collapses; its timeout only counts idle time, so a client
 * sending one header line every few seconds holds a slot for ever. Here the
 * daemon runs without a listening socket and one acceptor thread decides:
 *
 *  - A new connection waits in a FIFO waiting room (four times the limit)
 *    until the head of its first request has arrived and passed
 *    xs__serve_head_check() (head.c: what libmicrohttpd would answer with its
 *    own HTML page is answered here in JSON); then, below
 *    --max-connections, it is handed to the workers (MHD_add_connection
 *    spreads them over the pool by descriptor). At the limit a ready
 *    connection waits: it is admitted when a slot frees, answered 503 with
 *    Retry-After when it has waited --request-timeout (408 when its head
 *    has not arrived by then), and when the room is full the connection
 *    that has waited longest without a whole head is cut (503) to make
 *    room, or the new one is refused with 503 at once. While ready ones
 *    wait for a slot ("pressure"), idle keep-alive connections are closed
 *    after IDLE_EVICT_S and a head still incomplete after SLOW_S is cut (a
 *    later request's: the first one's head is complete before the
 *    connection gets a slot). Only when no open connection has been idle
 *    (or cut) for NO_ROOM_S and a waiting connection has sent a whole
 *    request head does a connection open for more than ROTATE_S close
 *    after its response (a client sending requests back to back keeps its
 *    slot while idle ones can go). The slots turn over and the waiting
 *    room moves: among ready requests those of the address holding the
 *    fewest open connections go first (oldest first on a tie), so a flood
 *    from many connections does not queue a client that has none ahead of
 *    it.
 *  - A waiting connection whose head is a GET (or HEAD) of /healthz is
 *    admitted at once into XS__ADMIT_RESERVE extra slots when the server
 *    is full, so health checks answer during a flood.
 *  - One address may hold --max-per-address connections (open or waiting);
 *    more get 429 at once. A connection the acceptor has cut stops counting
 *    at once (its client may reconnect before the worker has closed it).
 *  - A request's head and body must arrive within --request-timeout (for
 *    the first request, counted from the accept), else 408 and the
 *    connection is shut down; a keep-alive connection may idle --timeout.
 *
 * A waiting connection is watched with an edge-triggered epoll set: each
 * segment of a head split over several TCP segments wakes the acceptor at
 * once (a level-triggered poll would report the bytes it only peeked at
 * for ever, so it used to look again only once per tick, 50 ms later).
 * The deadlines are enforced by the acceptor every TICK_MS: it shuts the
 * socket down (shutdown(2) wakes the worker, which reads end-of-file and
 * closes the connection itself). Slots are indexed by descriptor and
 * guarded by one mutex; libmicrohttpd reports a connection closed before it
 * closes the descriptor, so a slot never outlives its socket. The phase of
 * a connection is written by the workers with relaxed atomics (no lock per
 * request).
 */
#define _GNU_SOURCE /* POLLRDHUP */
#include "serve/admit.h"
#include "serve/head.h"
#include "serve/raw_answer.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/progress.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 50       /* deadlines are checked this often */
#define ROTATE_S 1.0     /* under pressure, older connections close after a response */
#define SLOW_S 1.0       /* under pressure, a head may take this long */
#define IDLE_EVICT_S 0.5 /* under pressure, an idle keep-alive connection goes */
#define NO_ROOM_S 0.2    /* rotation starts after this long with nothing idle */
#define WAIT_FACTOR 4    /* the waiting room holds this many times the limit */
#define BATCH 64         /* connections handed over per lock */

enum { S_FREE, S_WAITING, S_OPEN };
enum { P_HEAD, P_BUSY, P_IDLE };

typedef struct slot {
    /* guarded by the mutex */
    int state;   /* S_* */
    int reserve; /* admitted into the /healthz reserve */
    int ready;   /* waiting: its whole request head has arrived */
    int cut;     /* shut down by the acceptor, waiting for the close */
    uint32_t ip; /* network order */
    uint16_t port;
    unsigned long seq; /* waiting: its ticket in the ring */
    double accepted;   /* when accepted (waiting) or admitted (open) */
    /* written by the workers */
    _Atomic int phase;    /* P_* */
    _Atomic double since; /* start of the phase */
} slot;

typedef struct ticket {
    int fd;
    unsigned long seq;
} ticket;

struct xs__serve_admit {
    xs__serve_admit_opts o;
    int fd, port;
    int wake[2]; /* pipe: a slot freed, or stop */
    int ep;      /* epoll set of the waiting connections (edge-triggered) */
    struct MHD_Daemon *d;
    pthread_t thr;
    int running;
    atomic_int stop;
    pthread_mutex_t mu;
    slot *slots; /* by descriptor */
    size_t n_slots;
    int hi_fd;
    /* open or waiting connections per address (ip_n), of which open
     * (ip_open): linear probing */
    uint32_t *ip_key;
    unsigned *ip_n, *ip_open;
    size_t ip_cap;
    /* the waiting room: a FIFO of tickets, stale ones skipped */
    ticket *ring;
    size_t ring_cap, ring_head, ring_len;
    unsigned long seq;
    unsigned n_open, n_reserve, n_waiting, max_waiting;
    unsigned n_ready; /* waiting with their request head complete */
    atomic_uint ready_now;
    atomic_int rotate_now; /* ready ones wait and no open connection idles */
    double room_seen;      /* last tick an open connection idled or was cut */
    double accept_paused_until; /* out of descriptors: retry later */
    atomic_ullong accepted, refused_full, refused_addr, refused_head, timed_out, evicted;
};

/* ---------------------------------------------------------------------- */
/* Connections per address                                                */
/* ---------------------------------------------------------------------- */

static size_t ip_find(const xs__serve_admit *a, uint32_t ip)
{
    size_t m = a->ip_cap - 1, i = xs__mix64(ip) & m;
    while (a->ip_n[i] && a->ip_key[i] != ip)
        i = (i + 1) & m;
    return i;
}

static void ip_add(xs__serve_admit *a, uint32_t ip)
{
    size_t i = ip_find(a, ip);
    a->ip_key[i] = ip;
    a->ip_n[i]++;
}

/* Drops one connection of ip; an empty entry is removed by shifting the
 * entries after it back (no tombstones). */
static void ip_del(xs__serve_admit *a, uint32_t ip)
{
    size_t m = a->ip_cap - 1, i = ip_find(a, ip);
    if (!a->ip_n[i] || --a->ip_n[i]) return;
    for (size_t j = (i + 1) & m; a->ip_n[j]; j = (j + 1) & m) {
        size_t k = xs__mix64(a->ip_key[j]) & m; /* home of entry j */
        /* entry j may move to the hole i unless its home lies in (i, j] */
        int stays = i <= j ? (k > i && k <= j) : (k > i || k <= j);
        if (stays) continue;
        a->ip_key[i] = a->ip_key[j];
        a->ip_n[i] = a->ip_n[j];
        a->ip_open[i] = a->ip_open[j];
        a->ip_n[j] = 0;
        a->ip_open[j] = 0;
        i = j;
    }
}

/* Counts one more (d = 1) or one fewer (d = -1) open connection of ip,
 * which has an entry (it is counted in ip_n). */
static void ip_open_add(xs__serve_admit *a, uint32_t ip, int d)
{
    size_t i = ip_find(a, ip);
    if (a->ip_n[i]) a->ip_open[i] += (unsigned)d;
}

/* ---------------------------------------------------------------------- */
/* Answers the acceptor writes itself                                     */
/* ---------------------------------------------------------------------- */

/* Answers a connection the server will not serve and closes it. What the
 * client has sent is read first, so that the close is a FIN, not a reset
 * that could destroy the answer before the client reads it. */
static void refuse(int fd, int status, const char *reason, const char *code,
                   const char *msg)
{
    char scratch[4096];
    for (int i = 0; i < 16 && recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0; i++)
        ;
    xs__serve_send_error(fd, status, reason, code, msg);
    shutdown(fd, SHUT_WR);
    close(fd);
}

/* ---------------------------------------------------------------------- */
/* Slots                                                                  */
/* ---------------------------------------------------------------------- */

/* Wakes the acceptor whenever bytes (or the client's close) arrive on a
 * waiting connection: edge-triggered, so bytes only peeked at are not
 * reported again. */
static void watch(xs__serve_admit *a, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
    (void)epoll_ctl(a->ep, EPOLL_CTL_ADD, fd, &ev); /* else the tick looks */
}

/* Stops watching a waiting connection (it is handed over or closed). */
static void unwatch(xs__serve_admit *a, slot *s)
{
    (void)epoll_ctl(a->ep, EPOLL_CTL_DEL, (int)(s - a->slots), NULL);
}

/* Frees a slot (mutex held). A connection cut no longer counts for its
 * address (cut_slot). */
static void release(xs__serve_admit *a, slot *s)
{
    if (s->state == S_OPEN) {
        a->n_open--;
        if (s->reserve) a->n_reserve--;
        if (!s->cut) ip_open_add(a, s->ip, -1);
    } else if (s->state == S_WAITING) {
        unwatch(a, s);
        a->n_waiting--;
        if (s->ready) a->n_ready--;
        atomic_store_explicit(&a->ready_now, a->n_ready, memory_order_relaxed);
    }
    if (s->state != S_FREE && !s->cut) ip_del(a, s->ip);
    s->state = S_FREE;
    s->reserve = s->ready = s->cut = 0;
}

/* Shuts an open connection down (mutex held): the worker reads end-of-file
 * and closes it. Its address stops counting it at once, so a client that
 * reconnects as soon as it sees the close is not refused 429 for the
 * connection the server is still closing (the slot itself is freed at the
 * close, when the descriptor can be reused). */
static void cut_slot(xs__serve_admit *a, int fd, slot *s)
{
    shutdown(fd, SHUT_RDWR);
    ip_open_add(a, s->ip, -1);
    ip_del(a, s->ip);
    s->cut = 1;
}

/* Marks a slot open (mutex held); the caller hands it over after unlocking. */
static void open_slot(xs__serve_admit *a, slot *s, int reserve, double now)
{
    if (s->state == S_WAITING) {
        unwatch(a, s);
        a->n_waiting--;
        if (s->ready) a->n_ready--;
        atomic_store_explicit(&a->ready_now, a->n_ready, memory_order_relaxed);
    }
    s->state = S_OPEN;
    s->ready = 0;
    s->reserve = reserve;
    s->cut = 0;
    s->accepted = now;
    a->n_open++;
    if (reserve) a->n_reserve++;
    ip_open_add(a, s->ip, 1);
    atomic_store_explicit(&s->since, now, memory_order_relaxed);
    atomic_store_explicit(&s->phase, P_HEAD, memory_order_relaxed);
}

/* Gives an opened connection to the daemon (mutex not held). */
static void hand_over(xs__serve_admit *a, int fd)
{
    slot *s = &a->slots[fd];
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    pthread_mutex_lock(&a->mu);
    sa.sin_addr.s_addr = s->ip;
    sa.sin_port = s->port;
    pthread_mutex_unlock(&a->mu);
    if (MHD_add_connection(a->d, fd, (struct sockaddr *)&sa, sizeof sa) == MHD_YES)
        return;
    /* the daemon closed it; only this thread accepts, so fd is not reused
     * yet: free the slot unless the close was already reported */
    pthread_mutex_lock(&a->mu);
    if (s->state == S_OPEN) release(a, s);
    pthread_mutex_unlock(&a->mu);
}

/* Adds a ticket to the waiting room (mutex held); compacts the ring when
 * stale tickets fill it. Returns 0, or -1 when the room is full.
 *
 * The compaction keeps the live tickets in ring order from ring_head on:
 * the k-th is read at ring_head + k and written at ring_head + w (w <= k),
 * never ahead of what is still to be read. (Writing them from index 0, as
 * this once did, overwrote the tickets at the start of the array before
 * they were read whenever the ring had wrapped: those connections stayed
 * counted as waiting for ever, never admitted nor closed, and the server
 * stayed "under pressure".) */
static int push_waiting(xs__serve_admit *a, int fd, slot *s)
{
    if (a->n_waiting >= a->max_waiting) return -1;
    if (a->ring_len == a->ring_cap) {
        size_t w = 0;
        for (size_t k = 0; k < a->ring_len; k++) {
            ticket t = a->ring[(a->ring_head + k) % a->ring_cap];
            if (a->slots[t.fd].state == S_WAITING && a->slots[t.fd].seq == t.seq)
                a->ring[(a->ring_head + w++) % a->ring_cap] = t;
        }
        a->ring_len = w;
    }
    s->state = S_WAITING;
    s->ready = 0;
    s->seq = ++a->seq;
    a->ring[(a->ring_head + a->ring_len++) % a->ring_cap] = (ticket){fd, s->seq};
    a->n_waiting++;
    watch(a, fd);
    return 0;
}

/* The slot of a ticket when it still waits, else NULL. */
static slot *ticket_slot(xs__serve_admit *a, ticket t)
{
    slot *s = &a->slots[t.fd];
    return s->state == S_WAITING && s->seq == t.seq ? s : NULL;
}

/* ---------------------------------------------------------------------- */
/* The acceptor                                                           */
/* ---------------------------------------------------------------------- */

static void peek_waiting(xs__serve_admit *a, int fd, slot *s, double now, int *hand);

/* The waiting room is full: makes room by cutting (503) the connection
 * that has waited longest without sending a whole request head, so slow
 * heads cannot fill the room and keep ready clients out (mutex held).
 * Returns 1 when one went. */
static int evict_slowest(xs__serve_admit *a)
{
    for (size_t k = 0; k < a->ring_len; k++) {
        ticket t = a->ring[(a->ring_head + k) % a->ring_cap];
        slot *s = ticket_slot(a, t);
        if (!s || s->ready) continue;
        release(a, s);
        refuse(t.fd, 503, "Service Unavailable", "overloaded",
               "the request was too slow while others wait; try again");
        atomic_fetch_add_explicit(&a->evicted, 1, memory_order_relaxed);
        return 1;
    }
    return 0;
}

/* Accepts what the listening socket has; each new connection waits for its
 * request head (peek_waiting()) before it gets a slot. */
static void accept_all(xs__serve_admit *a, double now)
{
    if (now < a->accept_paused_until) return;
    for (int k = 0; k < BATCH; k++) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int fd = accept(a->fd, (struct sockaddr *)&sa, &sl);
        if (fd >= 0 &&
            (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)) {
            close(fd);
            continue;
        }
        if (fd < 0) {
            /* out of descriptors: the connection stays in the backlog */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                a->accept_paused_until = now + TICK_MS / 1e3;
            return;
        }
        atomic_fetch_add_explicit(&a->accepted, 1, memory_order_relaxed);
        if ((size_t)fd >= a->n_slots || sa.sin_family != AF_INET) {
            refuse(fd, 503, "Service Unavailable", "overloaded",
                   "the server is at its connection limit; try again");
            atomic_fetch_add_explicit(&a->refused_full, 1, memory_order_relaxed);
            continue;
        }
        pthread_mutex_lock(&a->mu);
        slot *s = &a->slots[fd];
        /* a slot still taken for this descriptor was lost (the daemon closed
         * the socket without reporting it): free it */
        if (s->state != S_FREE) release(a, s);
        if (a->ip_n[ip_find(a, sa.sin_addr.s_addr)] >= a->o.max_per_address) {
            pthread_mutex_unlock(&a->mu);
            refuse(fd, 429, "Too Many Requests", "too_many_connections",
                   "too many connections from your address; try again");
            atomic_fetch_add_explicit(&a->refused_addr, 1, memory_order_relaxed);
            continue;
        }
        s->ip = sa.sin_addr.s_addr;
        s->port = sa.sin_port;
        s->accepted = now;
        ip_add(a, s->ip); /* the slot is free: open_slot / push_waiting count it */
        if (fd > a->hi_fd) a->hi_fd = fd;
        if (push_waiting(a, fd, s) < 0 &&
            (!evict_slowest(a) || push_waiting(a, fd, s) < 0)) {
            ip_del(a, s->ip);
            pthread_mutex_unlock(&a->mu);
            refuse(fd, 503, "Service Unavailable", "overloaded",
                   "the server is at its connection limit; try again");
            atomic_fetch_add_explicit(&a->refused_full, 1, memory_order_relaxed);
            continue;
        }
        /* its head may be there already (admit_waiting() then admits it) */
        int hand = -1;
        peek_waiting(a, fd, s, now, &hand);
        pthread_mutex_unlock(&a->mu);
        if (hand >= 0) hand_over(a, hand);
    }
}

/* The waiting connection with a complete request head whose address
 * holds the fewest open connections, the oldest on a tie; NULL when none
 * is ready (mutex held). */
static slot *fairest_ready(xs__serve_admit *a, int *fd)
{
    slot *best = NULL;
    unsigned best_open = 0;
    for (size_t k = 0; k < a->ring_len; k++) {
        ticket t = a->ring[(a->ring_head + k) % a->ring_cap];
        slot *s = ticket_slot(a, t);
        if (!s || !s->ready) continue;
        unsigned o = a->ip_open[ip_find(a, s->ip)];
        if (best && o >= best_open) continue;
        best = s;
        best_open = o;
        *fd = t.fd;
        if (o == 0) break;
    }
    return best;
}

/* Admits waiting connections whose request head has arrived and passed
 * xs__serve_head_check() while there are free slots: the address with the
 * fewest open connections first, then the oldest. A connection whose head
 * is still arriving waits (it holds no slot, so a slow client never keeps
 * a ready one out). */
static void admit_waiting(xs__serve_admit *a, double now)
{
    int fds[BATCH];
    size_t n = 0;
    pthread_mutex_lock(&a->mu);
    while (n < BATCH && a->n_ready && a->n_open < a->o.max_connections) {
        int fd = -1;
        slot *s = fairest_ready(a, &fd);
        if (!s) break;
        open_slot(a, s, 0, now); /* its ticket goes stale */
        fds[n++] = fd;
    }
    /* drop the stale tickets at the head of the ring */
    while (a->ring_len && !ticket_slot(a, a->ring[a->ring_head])) {
        a->ring_head = (a->ring_head + 1) % a->ring_cap;
        a->ring_len--;
    }
    pthread_mutex_unlock(&a->mu);
    for (size_t i = 0; i < n; i++)
        hand_over(a, fds[i]);
}

/* 1 when the bytes start a GET or HEAD of /healthz, 0 when they cannot,
 * -1 when too few bytes have arrived to tell. */
static int is_health_check(const char *b, size_t n)
{
    static const char *const pats[] = {"GET /healthz", "HEAD /healthz"};
    int maybe = 0;
    for (size_t p = 0; p < 2; p++) {
        size_t l = strlen(pats[p]);
        size_t k = n < l ? n : l;
        if (memcmp(b, pats[p], k)) continue;
        if (n <= l) {
            maybe = 1;
            continue;
        }
        if (b[l] == ' ' || b[l] == '?') return 1;
    }
    return maybe ? -1 : 0;
}

/* Looks at a waiting connection's first bytes (mutex held): marks it
 * ready when its request head has arrived and passes xs__serve_head_check(),
 * answers it (JSON, the server's error shape) and closes it when the head
 * fails, admits a health check into the reserve when the server is full
 * (fd into *hand), closes a connection whose client has gone. */
static void peek_waiting(xs__serve_admit *a, int fd, slot *s, double now, int *hand)
{
    char b[XS__HEAD_MAX + 1];
    ssize_t n = recv(fd, b, sizeof b, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        release(a, s); /* the client went away while waiting */
        close(fd);
        return;
    }
    if (n < 0) return;
    xs__serve_head_bad bad;
    int v = xs__serve_head_check(b, (size_t)n, &bad);
    if (v < 0) {
        release(a, s);
        refuse(fd, bad.status, bad.reason, bad.code, bad.msg);
        atomic_fetch_add_explicit(&a->refused_head, 1, memory_order_relaxed);
        return;
    }
    if (v == 1 && !s->ready) {
        s->ready = 1;
        a->n_ready++;
        atomic_store_explicit(&a->ready_now, a->n_ready, memory_order_relaxed);
    }
    struct pollfd hup = {fd, POLLRDHUP, 0};
    if (v == 0 && poll(&hup, 1, 0) > 0) {
        release(a, s); /* the client stopped sending before its head ended */
        close(fd);
        return;
    }
    if (v == 1 && a->n_open >= a->o.max_connections &&
        is_health_check(b, (size_t)n) == 1 && a->n_reserve < XS__ADMIT_RESERVE) {
        open_slot(a, s, 1, now);
        *hand = fd;
        return;
    }
    /* looked at again when more bytes arrive, and every tick */
}

/* Every tick: deadlines of open connections, waits of waiting ones. */
static void reap(xs__serve_admit *a, double now, int *hand, size_t *n_hand, size_t cap)
{
    int pressure = a->n_ready > 0; /* ready requests wait for a slot */
    double head_s = a->o.request_timeout_s;
    if (pressure && head_s > SLOW_S) head_s = SLOW_S;
    unsigned idle = 0; /* idle, or cut and on its way out: room coming */
    for (int fd = 0; fd <= a->hi_fd; fd++) {
        slot *s = &a->slots[fd];
        if (s->state != S_OPEN) continue;
        if (s->cut) {
            idle++;
            continue;
        }
        int ph = atomic_load_explicit(&s->phase, memory_order_relaxed);
        double age = now - atomic_load_explicit(&s->since, memory_order_relaxed);
        if (ph == P_IDLE) idle++;
        if (ph == P_HEAD && age > head_s) {
            if (age > a->o.request_timeout_s) {
                xs__serve_send_error(fd, 408, "Request Timeout", "request_timeout",
                           "the request was not received in time");
                atomic_fetch_add_explicit(&a->timed_out, 1, memory_order_relaxed);
            } else {
                xs__serve_send_error(fd, 503, "Service Unavailable", "overloaded",
                           "the request was too slow while others wait; try again");
                atomic_fetch_add_explicit(&a->evicted, 1, memory_order_relaxed);
            }
            cut_slot(a, fd, s);
        } else if (ph == P_IDLE &&
                   (age > a->o.idle_timeout_s || (pressure && age > IDLE_EVICT_S))) {
            cut_slot(a, fd, s); /* still counted in idle: it makes room */
            atomic_fetch_add_explicit(&a->evicted, 1, memory_order_relaxed);
        }
    }
    /* rotate busy connections only when, for NO_ROOM_S, no connection idled
     * or was on its way out to make room */
    if (idle) a->room_seen = now;
    atomic_store_explicit(&a->rotate_now,
                          a->n_ready > 0 && now - a->room_seen > NO_ROOM_S,
                          memory_order_relaxed);
    for (size_t k = 0; k < a->ring_len; k++) {
        ticket t = a->ring[(a->ring_head + k) % a->ring_cap];
        slot *s = ticket_slot(a, t);
        if (!s) continue;
        if (now - s->accepted > a->o.request_timeout_s && !s->ready) {
            release(a, s);
            refuse(t.fd, 408, "Request Timeout", "request_timeout",
                   "the request was not received in time");
            atomic_fetch_add_explicit(&a->timed_out, 1, memory_order_relaxed);
        } else if (now - s->accepted > a->o.request_timeout_s) {
            release(a, s);
            refuse(t.fd, 503, "Service Unavailable", "overloaded",
                   "the server is at its connection limit; try again");
            atomic_fetch_add_explicit(&a->refused_full, 1, memory_order_relaxed);
        } else if (*n_hand < cap) {
            int h = -1;
            peek_waiting(a, t.fd, s, now, &h);
            if (h >= 0) hand[(*n_hand)++] = h;
        }
    }
}

static void *acceptor_main(void *arg)
{
    xs__serve_admit *a = arg;
    double next_tick = xs__now() + TICK_MS / 1e3;
    while (!atomic_load(&a->stop)) {
        struct pollfd pf[3] = {
            {a->fd, POLLIN, 0}, {a->wake[0], POLLIN, 0}, {a->ep, POLLIN, 0}};
        double now = xs__now();
        int ms = next_tick > now ? (int)((next_tick - now) * 1e3) + 1 : 0;
        if (now < a->accept_paused_until) pf[0].events = 0;
        int r = poll(pf, 3, ms);
        if (atomic_load(&a->stop)) break;
        now = xs__now();
        if (r > 0 && pf[1].revents) {
            char buf[64];
            while (read(a->wake[0], buf, sizeof buf) > 0)
                ;
        }
        int hand[BATCH];
        size_t n_hand = 0;
        if (r > 0 && pf[2].revents) {
            /* bytes arrived on waiting connections (at most one hand-over
             * each; more events wait in the set for the next round) */
            struct epoll_event ev[BATCH];
            int n_ev = epoll_wait(a->ep, ev, BATCH, 0);
            pthread_mutex_lock(&a->mu);
            for (int i = 0; i < n_ev; i++) {
                int fd = ev[i].data.fd;
                slot *s = &a->slots[fd];
                if (s->state != S_WAITING) continue;
                int h = -1;
                peek_waiting(a, fd, s, now, &h);
                if (h >= 0) hand[n_hand++] = h;
            }
            pthread_mutex_unlock(&a->mu);
        }
        for (size_t i = 0; i < n_hand; i++)
            hand_over(a, hand[i]);
        if (r > 0 && pf[0].revents) accept_all(a, now);
        admit_waiting(a, now);
        if (now >= next_tick) {
            n_hand = 0;
            pthread_mutex_lock(&a->mu);
            reap(a, now, hand, &n_hand, BATCH);
            pthread_mutex_unlock(&a->mu);
            for (size_t i = 0; i < n_hand; i++)
                hand_over(a, hand[i]);
            admit_waiting(a, now); /* what reap found ready, not a tick later */
            next_tick = now + TICK_MS / 1e3;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* Callbacks from the workers                                             */
/* ---------------------------------------------------------------------- */

/* Contract in admit.h. */
void xs__serve_admit_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe)
{
    xs__serve_admit *a = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = NULL;
        if (ci && ci->connect_fd >= 0 && (size_t)ci->connect_fd < a->n_slots)
            *socket_context = &a->slots[ci->connect_fd];
        return;
    }
    slot *s = *socket_context;
    if (!s) return;
    *socket_context = NULL;
    pthread_mutex_lock(&a->mu);
    if (s->state == S_OPEN) release(a, s);
    int wake = a->n_ready > 0;
    pthread_mutex_unlock(&a->mu);
    if (wake) (void)!write(a->wake[1], "x", 1);
}

static slot *slot_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Contract in admit.h. */
void xs__serve_admit_request_started(struct MHD_Connection *c)
{
    slot *s = slot_of(c);
    if (!s || atomic_load_explicit(&s->phase, memory_order_relaxed) == P_HEAD) return;
    atomic_store_explicit(&s->since, xs__now(), memory_order_relaxed);
    atomic_store_explicit(&s->phase, P_HEAD, memory_order_release);
}

/* Contract in admit.h. */
void xs__serve_admit_request_received(struct MHD_Connection *c)
{
    slot *s = slot_of(c);
    if (s) atomic_store_explicit(&s->phase, P_BUSY, memory_order_relaxed);
}

/* Contract in admit.h. */
void xs__serve_admit_request_done(struct MHD_Connection *c)
{
    slot *s = slot_of(c);
    if (!s) return;
    atomic_store_explicit(&s->since, xs__now(), memory_order_relaxed);
    atomic_store_explicit(&s->phase, P_IDLE, memory_order_release);
}

/* Contract in admit.h. */
int xs__serve_admit_should_close(const xs__serve_admit *a, struct MHD_Connection *c)
{
    if (!a) return 0;
    slot *s = slot_of(c);
    if (!s) return 0;
    /* a reserved slot serves one health check; s->reserve and s->accepted
     * are written before the connection is handed over */
    if (s->reserve) return 1;
    return atomic_load_explicit(&a->rotate_now, memory_order_relaxed) &&
           atomic_load_explicit(&a->ready_now, memory_order_relaxed) &&
           xs__now() - s->accepted > ROTATE_S;
}

/* Contract in admit.h. */
void xs__serve_admit_get_stats(xs__serve_admit *a, xs__serve_admit_stats *st)
{
    st->accepted = atomic_load(&a->accepted);
    st->refused_full = atomic_load(&a->refused_full);
    st->refused_addr = atomic_load(&a->refused_addr);
    st->refused_head = atomic_load(&a->refused_head);
    st->timed_out = atomic_load(&a->timed_out);
    st->evicted = atomic_load(&a->evicted);
    pthread_mutex_lock(&a->mu);
    st->open = a->n_open;
    st->waiting = a->n_waiting;
    pthread_mutex_unlock(&a->mu);
}

/* ---------------------------------------------------------------------- */
/* Start and stop                                                         */
/* ---------------------------------------------------------------------- */

/* Contract in admit.h. */
int xs__serve_admit_listen(xs__serve_admit **out, const struct sockaddr_in *addr,
                           const xs__serve_admit_opts *o, xs_error *err)
{
    *out = NULL;
    xs__serve_admit *a = xs__calloc(1, sizeof *a);
    if (!a) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    a->o = *o;
    a->fd = a->wake[0] = a->wake[1] = a->ep = -1;
    pthread_mutex_init(&a->mu, NULL);
    struct rlimit rl;
    size_t n_fd = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        n_fd = rl.rlim_cur;
    if (n_fd > ((size_t)1 << 20)) n_fd = (size_t)1 << 20;
    a->n_slots = n_fd;
    a->max_waiting = o->max_connections * WAIT_FACTOR;
    a->ring_cap = (size_t)a->max_waiting + 1;
    size_t tracked = (size_t)o->max_connections + XS__ADMIT_RESERVE + a->max_waiting + 16;
    for (a->ip_cap = 64; a->ip_cap < 2 * tracked; a->ip_cap *= 2)
        ;
    a->slots = xs__calloc(a->n_slots, sizeof *a->slots);
    a->ring = xs__calloc(a->ring_cap, sizeof *a->ring);
    a->ip_key = xs__calloc(a->ip_cap, sizeof *a->ip_key);
    a->ip_n = xs__calloc(a->ip_cap, sizeof *a->ip_n);
    a->ip_open = xs__calloc(a->ip_cap, sizeof *a->ip_open);
    char where[64];
    inet_ntop(AF_INET, &addr->sin_addr, where, sizeof where);
    size_t l = strlen(where);
    snprintf(where + l, sizeof where - l, ":%d", ntohs(addr->sin_port));
    if (!a->slots || !a->ring || !a->ip_key || !a->ip_n || !a->ip_open) {
        xs__serve_admit_free(a);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    int one = 1;
    if ((a->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || pipe(a->wake) < 0 ||
        fcntl(a->wake[0], F_SETFL, O_NONBLOCK) < 0 ||
        fcntl(a->wake[1], F_SETFL, O_NONBLOCK) < 0 ||
        fcntl(a->wake[0], F_SETFD, FD_CLOEXEC) < 0 ||
        fcntl(a->wake[1], F_SETFD, FD_CLOEXEC) < 0 ||
        (a->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        fcntl(a->fd, F_SETFL, O_NONBLOCK) < 0 || fcntl(a->fd, F_SETFD, FD_CLOEXEC) < 0 ||
        setsockopt(a->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(a->fd, (const struct sockaddr *)addr, sizeof *addr) < 0 ||
        listen(a->fd, 4096) < 0) {
        xs__serve_admit_free(a);
        return xs__error_param(err, XS_EIO, NULL, "listen", "cannot listen on %s", where);
    }
    struct sockaddr_in bound;
    socklen_t bl = sizeof bound;
    if (getsockname(a->fd, (struct sockaddr *)&bound, &bl) == 0)
        a->port = ntohs(bound.sin_port);
    *out = a;
    return XS_OK;
}

/* Contract in admit.h. */
int xs__serve_admit_port(const xs__serve_admit *a)
{
    return a ? a->port : 0;
}

/* Contract in admit.h. */
int xs__serve_admit_run(xs__serve_admit *a, struct MHD_Daemon *d)
{
    a->d = d;
    if (pthread_create(&a->thr, NULL, acceptor_main, a) != 0) return XS_ENOMEM;
    a->running = 1;
    return XS_OK;
}

/* Contract in admit.h. */
void xs__serve_admit_quiesce(xs__serve_admit *a)
{
    if (!a) return;
    if (a->running) {
        atomic_store(&a->stop, 1);
        (void)!write(a->wake[1], "x", 1);
        pthread_join(a->thr, NULL);
        a->running = 0;
    }
    if (a->fd >= 0) close(a->fd);
    a->fd = -1;
    pthread_mutex_lock(&a->mu);
    for (size_t k = 0; k < a->ring_len; k++) {
        ticket t = a->ring[(a->ring_head + k) % a->ring_cap];
        slot *s = ticket_slot(a, t);
        if (!s) continue;
        release(a, s);
        close(t.fd);
    }
    a->ring_len = 0;
    pthread_mutex_unlock(&a->mu);
}

/* Contract in admit.h. */
void xs__serve_admit_free(xs__serve_admit *a)
{
    if (!a) return;
    xs__serve_admit_quiesce(a);
    if (a->wake[0] >= 0) close(a->wake[0]);
    if (a->wake[1] >= 0) close(a->wake[1]);
    if (a->ep >= 0) close(a->ep);
    pthread_mutex_destroy(&a->mu);
    xs__free(a->slots);
    xs__free(a->ring);
    xs__free(a->ip_key);
    xs__free(a->ip_n);
    xs__free(a->ip_open);
    xs__free(a);
}
