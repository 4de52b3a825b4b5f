/*
 * serve_peer_mhd.c — libmicrohttpd answering every request with the bytes
 * of one file (application/json), driven as `xsell serve` drives it
 * (internal polling thread, epoll, a pool of THREADS workers; a response
 * from a buffer, created and destroyed per request, plus one header) but
 * with its own listening socket and nothing else: libmicrohttpd's own
 * ceiling on this machine, for bench/bench_serve_peers.sh. FLAGS "turbo"
 * adds MHD_USE_TURBO; "shared" queues one response made at start.
 *
 *   serve_peer_mhd PORT FILE [THREADS] [FLAGS]
 */
#define _POSIX_C_SOURCE 200809L /* sigwait */
#include <microhttpd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *body;
static size_t n_body;
static struct MHD_Response *shared;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload_data;
    /* the first call has the head only: a response queued then makes
     * libmicrohttpd close the connection after it (the request was not
     * read to its end), so, as xsell, answer on the last call */
    if (!*con_cls) {
        *con_cls = (void *)1;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    {
        if (shared) return MHD_queue_response(c, 200, shared);
        struct MHD_Response *r =
            MHD_create_response_from_buffer(n_body, body, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Type", "application/json");
        enum MHD_Result ok = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ok;
    }
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    *con_cls = NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: serve_peer_mhd PORT FILE [THREADS] [turbo|shared]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    unsigned threads = argc > 3 ? (unsigned)atoi(argv[3]) : 2;
    const char *fl = argc > 4 ? argv[4] : "";
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    n_body = (size_t)ftell(f);
    rewind(f);
    body = malloc(n_body + 1);
    if (!body || fread(body, 1, n_body, f) != n_body) return 1;
    fclose(f);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (strstr(fl, "turbo")) flags |= MHD_USE_TURBO;
    if (strstr(fl, "shared")) {
        shared = MHD_create_response_from_buffer(n_body, body, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(shared, "Content-Type", "application/json");
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE,
        threads, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "serve_peer_mhd: cannot start\n");
        return 1;
    }
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGINT);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int sig;
    sigwait(&s, &sig);
    MHD_stop_daemon(d);
    return 0;
}
