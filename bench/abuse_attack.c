/*
 * abuse_attack.c — the attackers of bench/bench_abuse.sh, on loopback only:
 * one thread, one epoll set, non-blocking sockets, so that the attacker's
 * own CPU time stays small next to the server it attacks.
 *
 *   abuse_attack MODE PORT N SECONDS
 *
 * MODE is one of
 *   slowloris  N connections each sending its request line, then one header
 *              line every 5 s, never the blank line; reopened when closed.
 *   connflood  N connections each sending one complete GET, then holding the
 *              connection open without another request; reopened when closed.
 *   oddbytes   N connections at a time sending odd requests (NUL, invalid
 *              UTF-8, control bytes, a missing version, huge headers, random
 *              bytes) and reading the answer; reopened when answered.
 *
 * Attackers connect from 127.0.1.x (60 connections per address), so they
 * stay under the server's default per-address cap (64) like a distributed
 * attack would: what is measured is the connection limit, the request
 * deadline and the eviction, not the per-address cap. The well-behaved
 * clients (wrk) come from 127.0.0.1. Built by bench_abuse.sh with cc; no
 * dependency. Prints one line: the counts seen.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PER_ADDR 60
#define SLOW_EVERY_S 5.0

enum { SLOWLORIS, CONNFLOOD, ODDBYTES };

typedef struct conn {
    int fd;           /* -1 when closed */
    int sent;         /* the first bytes went out */
    double next_line; /* slowloris: when to send the next header line */
} conn;

static int mode, port;
static int ep;
static conn *cs;
static unsigned long long opened, closed_by_server, answers, refused;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char SLOW_FIRST[] = "GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\n";
static const char FLOOD_FIRST[] = "GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
static const char *const ODD[] = {
    "GET /v1/items/a%00b/together HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /v1/customers/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /v1/rules?limit=\x01\x02 HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /healthz\r\n\r\n",
    "POST /v1/events HTTP/1.1\r\nContent-Length: 5\r\n\r\n{\"a\":",
    NULL, /* a 9000-byte header, built in main */
    "\x01\x02\x03\x04 / HTTP/1.1\r\n\r\n",
};
static char huge[9100];

/* Opens connection i from 127.0.1.(1 + i / PER_ADDR % 250). */
static void open_one(int i)
{
    conn *c = &cs[i];
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    c->sent = 0;
    c->next_line = now_mono() + SLOW_EVERY_S;
    if (c->fd < 0) return;
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl((127u << 24) | (0u << 16) | (1u << 8) |
                                (unsigned)(1 + (i / PER_ADDR) % 250));
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(c->fd, (struct sockaddr *)&src, sizeof src) < 0 ||
        (connect(c->fd, (struct sockaddr *)&dst, sizeof dst) < 0 &&
         errno != EINPROGRESS)) {
        close(c->fd);
        c->fd = -1;
        refused++;
        return;
    }
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP,
                             .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    opened++;
}

static void close_one(int i)
{
    close(cs[i].fd); /* leaves the epoll set with it */
    cs[i].fd = -1;
}

/* Sends the connection's first bytes once it is writable. */
static void send_first(int i)
{
    conn *c = &cs[i];
    const char *b;
    size_t n;
    char rnd[200];
    if (mode == SLOWLORIS) {
        b = SLOW_FIRST;
        n = sizeof SLOW_FIRST - 1;
    } else if (mode == CONNFLOOD) {
        b = FLOOD_FIRST;
        n = sizeof FLOOD_FIRST - 1;
    } else if (next_rand() % 10 < 8) {
        size_t k = next_rand() % (sizeof ODD / sizeof ODD[0]);
        b = ODD[k] ? ODD[k] : huge;
        n = strlen(b);
    } else {
        n = 1 + next_rand() % sizeof rnd;
        for (size_t k = 0; k < n; k++)
            rnd[k] = (char)next_rand();
        b = rnd;
    }
    (void)!send(c->fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    c->sent = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr,
                "usage: abuse_attack slowloris|connflood|oddbytes PORT N SECONDS\n");
        return 2;
    }
    if (!strcmp(argv[1], "slowloris"))
        mode = SLOWLORIS;
    else if (!strcmp(argv[1], "connflood"))
        mode = CONNFLOOD;
    else if (!strcmp(argv[1], "oddbytes"))
        mode = ODDBYTES;
    else {
        fprintf(stderr, "abuse_attack: mode: unknown: \"%s\"\n", argv[1]);
        return 2;
    }
    port = atoi(argv[2]);
    int n = atoi(argv[3]);
    double secs = atof(argv[4]);
    if (port <= 0 || port > 65535 || n <= 0 || secs <= 0) {
        fprintf(stderr, "abuse_attack: PORT, N and SECONDS must be positive\n");
        return 2;
    }
    snprintf(huge, sizeof huge, "GET / HTTP/1.1\r\nX: %09000d\r\n\r\n", 0);
    ep = epoll_create1(0);
    cs = calloc((size_t)n, sizeof *cs);
    if (ep < 0 || !cs) return 1;
    for (int i = 0; i < n; i++)
        open_one(i);
    struct epoll_event evs[256];
    char buf[65536];
    double end = now_mono() + secs;
    while (now_mono() < end) {
        int k = epoll_wait(ep, evs, 256, 200);
        for (int e = 0; e < k; e++) {
            int i = (int)evs[e].data.u32;
            conn *c = &cs[i];
            if (c->fd < 0) continue;
            if (!c->sent && (evs[e].events & EPOLLOUT) &&
                !(evs[e].events & (EPOLLERR | EPOLLHUP))) {
                send_first(i);
                continue;
            }
            ssize_t r = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r > 0) {
                answers++;
                if (mode != ODDBYTES) continue; /* keep holding the connection */
            } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            /* closed by the server, refused, or (odd bytes) answered */
            if (r <= 0) closed_by_server++;
            close_one(i);
            open_one(i);
        }
        if (mode == SLOWLORIS) {
            double now = now_mono();
            for (int i = 0; i < n; i++)
                if (cs[i].fd >= 0 && cs[i].sent && cs[i].next_line <= now) {
                    (void)!send(cs[i].fd, "X-Slow: 1\r\n", 11,
                                MSG_NOSIGNAL | MSG_DONTWAIT);
                    cs[i].next_line = now + SLOW_EVERY_S;
                }
        }
        /* connections that could not be opened (out of ports, ...) */
        for (int i = 0; i < n; i++)
            if (cs[i].fd < 0) open_one(i);
    }
    printf("%s answers=%llu closed_by_server=%llu opened=%llu refused=%llu\n", argv[1],
           answers, closed_by_server, opened, refused);
    for (int i = 0; i < n; i++)
        if (cs[i].fd >= 0) close(cs[i].fd);
    free(cs);
    close(ep);
    return 0;
}
