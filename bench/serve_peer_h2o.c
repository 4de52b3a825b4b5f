/*
 * serve_peer_h2o.c — a minimal HTTP/1.1 server on Debian's libh2o-evloop
 * for bench/bench_serve_peers.sh: it answers every GET with the bytes of one
 * file (application/json), on THREADS event loops each with its own
 * SO_REUSEPORT listening socket. No routing, no auth, no work: the ceiling
 * of h2o itself on this machine, to set beside libmicrohttpd's
 * (serve_peer_mhd.c) and nginx's serving the same bytes.
 *
 *   serve_peer_h2o PORT FILE [THREADS]
 */
#define H2O_USE_LIBUV 0
#include <h2o.h>

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static h2o_globalconf_t config;
static char *body;
static size_t n_body;
static int port;

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json"));
    h2o_send_inline(req, body, n_body);
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err) return;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (sock) h2o_accept(listener->data, sock);
}

static void *loop_main(void *arg)
{
    (void)arg;
    h2o_context_t ctx;
    h2o_accept_ctx_t actx;
    h2o_context_init(&ctx, h2o_evloop_create(), &config);
    memset(&actx, 0, sizeof actx);
    actx.ctx = &ctx;
    actx.hosts = config.hosts;
    int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1024)) {
        perror("serve_peer_h2o: bind/listen");
        exit(1);
    }
    h2o_socket_t *ls = h2o_evloop_socket_create(ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    ls->data = &actx;
    h2o_socket_read_start(ls, on_accept);
    while (h2o_evloop_run(ctx.loop, INT32_MAX) == 0)
        ;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: serve_peer_h2o PORT FILE [THREADS]\n");
        return 2;
    }
    port = atoi(argv[1]);
    int threads = argc > 3 ? atoi(argv[3]) : 2;
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
    h2o_config_init(&config);
    h2o_hostconf_t *host =
        h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_create_handler(path, sizeof(h2o_handler_t))->on_req = on_req;
    pthread_t t[64];
    for (int i = 1; i < threads && i < 64; i++)
        pthread_create(&t[i], NULL, loop_main, NULL);
    loop_main(NULL);
    return 0;
}
