/*
 * test_serve_burst.c — a worker whose kept-alive connections all become
 * ready at once serves them at once (issue 15's throughput collapse at the
 * connection limit). libmicrohttpd 0.9.75 fetches ready connections 128 at
 * a time and, after a full batch, waits again with its whole timeout
 * before serving any; src/serve/mhd_epoll.c makes that wait not block.
 *
 * The real binary ($XS_BIN) with one worker and a 20 s idle timeout: 128
 * connections each get a first request answered (so libmicrohttpd holds
 * them all), the server is stopped (SIGSTOP), a second request is written
 * on every connection, and the server continued (SIGCONT): its one epoll
 * wait then returns exactly 128 events. All 128 answers must arrive within
 * 5 s; with the stall they come after the 20 s timeout.
 */
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"
#include "../serve/xs_process.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#define N_CONN 128 /* MAX_EVENTS of libmicrohttpd's epoll loop */

static const char *xs_bin;
static char dir[256], db[300], errlog[300];
static char key[XS_APIKEY_MAX];
static pid_t srv_pid = -1;
static int port, ready;

static void setup(void)
{
    static const char *const tables[] = {"customers", "products", "orders", NULL};
    static const char *const args[] = {"--threads",          "1",   "--timeout", "20",
                                       "--max-per-address", "1000", NULL};
    xs_bin = getenv("XS_BIN");
    CHECK(xs_bin != NULL);
    if (!xs_bin) return;
    CHECK_INT(xs_proc_tmpdir("burst", "cart.db", dir, sizeof dir, db, errlog), 0);
    CHECK_INT(xs_proc_fixture_store(xs_bin, errlog, db, "tests/data/cart", tables, 1), 0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "read", key, sizeof key), 0);
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, args, &srv_pid, &port), 0);
    ready = srv_pid > 0 && port > 0;
    http_resp r;
    memset(&r, 0, sizeof r);
    CHECK_INT(ready ? http_do(port, "GET", "/healthz", NULL, NULL, &r) : 0, 200);
    http_resp_free(&r);
}

/* One GET of /v1/rules on a kept connection; its status, 0 on failure. */
static int get(int fd)
{
    http_resp r;
    if (http_send(fd, "GET", "/v1/rules?limit=1", key, NULL, 0, 1) < 0) return 0;
    int st = http_recv(fd, &r) == 0 ? r.status : 0;
    http_resp_free(&r);
    return st;
}

static void test_all_ready_at_once(void)
{
    if (!ready) return;
    int fds[N_CONN];
    int n_ok = 0;
    for (int i = 0; i < N_CONN; i++) {
        fds[i] = http_connect(port);
        if (fds[i] >= 0 && get(fds[i]) == 200) n_ok++;
    }
    CHECK_INT(n_ok, N_CONN);
    CHECK_INT(kill(srv_pid, SIGSTOP), 0);
    int n_sent = 0;
    for (int i = 0; i < N_CONN; i++)
        if (fds[i] >= 0 &&
            http_send(fds[i], "GET", "/v1/rules?limit=1", key, NULL, 0, 1) == 0)
            n_sent++;
    CHECK_INT(n_sent, N_CONN);
    nanosleep(&(struct timespec){0, 100000000}, NULL); /* all in its socket buffers */
    double t0 = xs_proc_now();
    CHECK_INT(kill(srv_pid, SIGCONT), 0);
    int n_200 = 0;
    for (int i = 0; i < N_CONN; i++) {
        http_resp r;
        if (fds[i] >= 0 && http_recv(fds[i], &r) == 0 && r.status == 200) n_200++;
        http_resp_free(&r);
    }
    double dt = xs_proc_now() - t0;
    CHECK_INT(n_200, N_CONN);
    if (dt >= 5.0) printf("all answers after %.1f s\n", dt);
    CHECK(dt < 5.0);
    for (int i = 0; i < N_CONN; i++)
        if (fds[i] >= 0) close(fds[i]);
}

static void teardown(void)
{
    xs_proc_kill(srv_pid);
    xs_proc_rmdir(dir);
}

static const xs_test tests[] = {
    {"setup", setup},
    {"all_ready_at_once", test_all_ready_at_once},
    {"teardown", teardown},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
