/*
 * test_serve_abuse.c — the server holds under slow clients and connection
 * floods (issue 15; src/serve/admit.c): the finer checks beside
 * bench/bench_abuse.sh's own short form (tests/cli/abuse.t). The real binary ($XS_BIN) on 127.0.0.1 with an
 * ephemeral port, --max-connections 16 --max-per-address 8
 * --request-timeout 2, on a small demo store. Attackers connect from other
 * loopback addresses (127.0.0.2...) so the per-address cap counts them
 * apart from the well-behaved client on 127.0.0.1.
 *
 * The bounds are loose (ASan, two shared cores) but each fails on the
 * server before admit.c: a slow head was held for the 30 s idle timeout,
 * 32 slow connections kept every other client out, and a health check
 * waited in the listen backlog behind a flood.
 */
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"
#include "../serve/xs_process.h"

#include <signal.h>
#include <sys/wait.h>

#define LIMIT 16
#define PER_ADDR 8
#define REQ_TIMEOUT 2

static const char *xs_bin;
static char dir[256], db[300], errlog[300];
static pid_t srv_pid = -1;
static int port, ready;

/* Connects from the loopback address src (e.g. "127.0.0.2") to the server;
 * -1 on failure. Receive timeout 15 s. */
static int connect_from(const char *src)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct timeval tv = {15, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    inet_pton(AF_INET, src, &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    a.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A slow client: the request line and one header, never the blank line. */
static int slow_client(const char *src)
{
    int fd = connect_from(src);
    static const char head[] = "GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\n";
    if (fd >= 0 && http_write_all(fd, head, sizeof head - 1) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One GET from 127.0.0.1 on a fresh connection; sets the status and
 * returns the seconds it took. */
static double timed_get(const char *path, int *status)
{
    http_resp r;
    double t0 = xs_proc_now();
    *status = http_do(port, "GET", path, NULL, NULL, &r);
    double dt = xs_proc_now() - t0;
    http_resp_free(&r);
    return dt;
}

static void setup(void)
{
    xs_bin = getenv("XS_BIN");
    CHECK(xs_bin != NULL);
    if (!xs_bin) return;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/xs_abuse_XXXXXX", tmp);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(db, sizeof db, "%s/demo.db", dir);
    snprintf(errlog, sizeof errlog, "%s/stderr.log", dir);
    char out[4096];
    CHECK_INT(xs_proc_run(
                  xs_bin, errlog, out, sizeof out,
                  (const char *const[]){"demo", "--db", db, "--customers", "200", NULL}),
              0);
    static const char *const args[] = {"--threads",
                                       "2",
                                       "--max-connections",
                                       "16",
                                       "--max-per-address",
                                       "8",
                                       "--request-timeout",
                                       "2",
                                       NULL};
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, args, &srv_pid, &port), 0);
    ready = srv_pid > 0 && port > 0;
}

/* A head that never completes gets 408 after --request-timeout, not after
 * the 30 s idle timeout, though the client keeps sending. */
static void test_request_deadline(void)
{
    if (!ready) return;
    int fd = slow_client("127.0.0.1");
    CHECK(fd >= 0);
    if (fd < 0) return;
    double t0 = xs_proc_now();
    /* one more header line a second: activity that resets an idle timeout */
    for (int i = 0; i < 4; i++) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 1000) > 0) break;
        if (http_write_all(fd, "X-Slow: 1\r\n", 11) < 0) break;
    }
    http_resp r;
    CHECK_INT(http_recv(fd, &r), 0);
    double dt = xs_proc_now() - t0;
    CHECK_INT(r.status, 408);
    CHECK(r.body && strstr(r.body, "\"code\":\"request_timeout\""));
    CHECK(dt >= REQ_TIMEOUT - 0.2);
    CHECK(dt < REQ_TIMEOUT + 2.5);
    http_resp_free(&r);
    close(fd);
}

/* One address gets --max-per-address connections; the next is answered
 * 429 at once; other addresses are not affected. */
static void test_per_address(void)
{
    if (!ready) return;
    int fds[PER_ADDR];
    for (int i = 0; i < PER_ADDR; i++)
        CHECK((fds[i] = slow_client("127.0.0.2")) >= 0);
    int extra = connect_from("127.0.0.2");
    CHECK(extra >= 0);
    http_resp r;
    double t0 = xs_proc_now();
    CHECK_INT(http_recv(extra, &r), 0);
    CHECK_INT(r.status, 429);
    CHECK(r.body && strstr(r.body, "\"code\":\"too_many_connections\""));
    CHECK(strstr(r.head, "Retry-After: 1\r\n") != NULL);
    CHECK(xs_proc_now() - t0 < 1.0);
    http_resp_free(&r);
    close(extra);
    int st;
    CHECK(timed_get("/v1/openapi.json", &st) < 1.0);
    CHECK_INT(st, 200);
    for (int i = 0; i < PER_ADDR; i++)
        if (fds[i] >= 0) close(fds[i]);
}

/* Twice the connection limit of slow clients (from four addresses, each at
 * its cap) do not keep a well-behaved client out. */
static void test_slowloris(void)
{
    if (!ready) return;
    int fds[2 * LIMIT];
    char src[32];
    for (int i = 0; i < 2 * LIMIT; i++) {
        snprintf(src, sizeof src, "127.0.0.%d", 3 + i / PER_ADDR);
        CHECK((fds[i] = slow_client(src)) >= 0);
    }
    struct timespec ts = {0, 300000000};
    nanosleep(&ts, NULL);
    for (int k = 0; k < 3; k++) {
        int st;
        double dt = timed_get("/v1/openapi.json", &st);
        CHECK_INT(st, 200);
        CHECK(dt < 2.0);
        int hst;
        CHECK(timed_get("/healthz", &hst) < 0.5);
        CHECK_INT(hst, 200);
    }
    for (int i = 0; i < 2 * LIMIT; i++)
        if (fds[i] >= 0) close(fds[i]);
}

/* A flood of three times the limit of keep-alive clients that send
 * requests and never read: /healthz answers during it and right after,
 * and a regular request gets through. */
static void test_flood(void)
{
    if (!ready) return;
    int fds[3 * LIMIT];
    char src[32];
    static const char req[] = "GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < 3 * LIMIT; i++) {
        snprintf(src, sizeof src, "127.0.0.%d", 10 + i / PER_ADDR);
        fds[i] = connect_from(src);
        CHECK(fds[i] >= 0);
        if (fds[i] >= 0) CHECK_INT(http_write_all(fds[i], req, sizeof req - 1), 0);
    }
    struct timespec ts = {0, 200000000};
    nanosleep(&ts, NULL);
    int st;
    double worst = 0;
    for (int k = 0; k < 5; k++) {
        double dt = timed_get("/healthz", &st);
        CHECK_INT(st, 200);
        if (dt > worst) worst = dt;
    }
    CHECK(worst < 0.5);
    CHECK(timed_get("/v1/openapi.json", &st) < 3.0);
    CHECK_INT(st, 200);
    for (int i = 0; i < 3 * LIMIT; i++)
        if (fds[i] >= 0) close(fds[i]);
    CHECK(timed_get("/healthz", &st) < 0.5);
    CHECK_INT(st, 200);
}

/* Fills the LIMIT slots with connections that asked once and idle (from
 * 127.0.0.20, .21), then queues 6 * PER_ADDR ready requests behind them
 * (from .22 to .27): the state of an idle connection flood. The answers
 * (40 kB, they fit the socket buffers) are never read. */
static void idle_flood(int *idle, int *waiting)
{
    static const char req[] = "GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
    char src[32];
    for (int i = 0; i < LIMIT; i++) {
        snprintf(src, sizeof src, "127.0.0.%d", 20 + i / PER_ADDR);
        idle[i] = connect_from(src);
        CHECK(idle[i] >= 0);
        if (idle[i] >= 0) CHECK_INT(http_write_all(idle[i], req, sizeof req - 1), 0);
    }
    struct timespec ts = {0, 200000000};
    nanosleep(&ts, NULL);
    for (int i = 0; i < 6 * PER_ADDR; i++) {
        snprintf(src, sizeof src, "127.0.0.%d", 22 + i / PER_ADDR);
        waiting[i] = connect_from(src);
        CHECK(waiting[i] >= 0);
        if (waiting[i] >= 0)
            CHECK_INT(http_write_all(waiting[i], req, sizeof req - 1), 0);
    }
    nanosleep(&ts, NULL);
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0) close(fds[i]);
}

/* During an idle connection flood a client whose address holds no
 * connection is admitted ahead of the 48 ready requests queued before it
 * (their addresses already hold slots): at the first eviction of idle
 * connections (0.5 s), not after three rounds of them (about 2 s). */
static void test_fair_admission(void)
{
    if (!ready) return;
    int idle[LIMIT], waiting[6 * PER_ADDR];
    idle_flood(idle, waiting);
    int st;
    double dt = timed_get("/v1/openapi.json", &st);
    CHECK_INT(st, 200);
    CHECK(dt < 1.2);
    close_all(idle, LIMIT);
    close_all(waiting, 6 * PER_ADDR);
}

/* A keep-alive client sending requests back to back keeps its connection
 * during an idle connection flood (the idle connections make room), for
 * more than ROTATE_S (1 s): no answer says "Connection: close". */
static void test_busy_keeps_slot(void)
{
    if (!ready) return;
    int fd = connect_from("127.0.0.1");
    CHECK(fd >= 0);
    if (fd < 0) return;
    http_resp r;
    CHECK_INT(http_send(fd, "GET", "/v1/openapi.json", NULL, NULL, 0, 1), 0);
    CHECK_INT(http_recv(fd, &r), 0);
    CHECK_INT(r.status, 200);
    http_resp_free(&r);
    int idle[LIMIT], waiting[6 * PER_ADDR];
    idle_flood(idle, waiting);
    double t0 = xs_proc_now();
    int n = 0, closed = 0;
    while (xs_proc_now() - t0 < 2.5 && !closed) {
        if (http_send(fd, "GET", "/v1/openapi.json", NULL, NULL, 0, 1) < 0 ||
            http_recv(fd, &r) < 0) {
            closed = 1;
            break;
        }
        const char *c = http_header(&r, "Connection");
        if (r.status != 200 || (c && !strcasecmp(c, "close"))) closed = 1;
        http_resp_free(&r);
        n++;
    }
    CHECK_INT(closed, 0);
    CHECK(n > 10);
    close(fd);
    close_all(idle, LIMIT);
    close_all(waiting, 6 * PER_ADDR);
}

/* The value of the metric line starting with name (e.g.
 * "xsell_connections_total{result=\"evicted\"}") in a /metrics body; -1
 * when absent. */
static long long metric(const char *body, const char *name)
{
    const char *p = body ? strstr(body, name) : NULL;
    if (!p || (p != body && p[-1] != '\n') || p[strlen(name)] != ' ') return -1;
    return strtoll(p + strlen(name) + 1, NULL, 10);
}

/* GET /metrics exports the admission counters of the tests above: one
 * 429 (per_address), at least one 408 (request_deadline), evictions
 * (slowloris, the idle floods), the gauges of open and waiting ones. */
static void test_metrics(void)
{
    if (!ready) return;
    /* the floods' connections close (within 5 s under ASan and load) */
    http_resp r;
    for (int k = 0;; k++) {
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
        CHECK_INT(http_do(port, "GET", "/metrics", NULL, NULL, &r), 200);
        if (k == 49 || metric(r.body, "xsell_connections{state=\"waiting\"}") == 0) break;
        http_resp_free(&r);
    }
    CHECK(r.body && strstr(r.body, "# TYPE xsell_connections_total counter\n"));
    CHECK(r.body && strstr(r.body, "# TYPE xsell_connections gauge\n"));
    CHECK_INT(metric(r.body, "xsell_connections_total{result=\"refused_address\"}"), 1);
    CHECK(metric(r.body, "xsell_connections_total{result=\"timed_out\"}") >= 1);
    CHECK(metric(r.body, "xsell_connections_total{result=\"evicted\"}") >= 1);
    CHECK(metric(r.body, "xsell_connections_total{result=\"accepted\"}") > 3 * LIMIT);
    CHECK(metric(r.body, "xsell_connections_total{result=\"refused_full\"}") >= 0);
    /* 0 once the floods are gone. A full parallel `ctest` run under ASan
     * once still counted 12 after 5 s: the waiting room's ring, compacted
     * once it had wrapped, overwrote tickets before reading them, and
     * those connections stayed "waiting" for ever (admit.c push_waiting) */
    CHECK_INT(metric(r.body, "xsell_connections{state=\"waiting\"}"), 0);
    CHECK(metric(r.body, "xsell_connections{state=\"open\"}") >= 1); /* this one */
    http_resp_free(&r);
}

static void teardown(void)
{
    if (srv_pid > 0) {
        kill(srv_pid, SIGTERM);
        int st;
        waitpid(srv_pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (*dir) CHECK_INT(system(cmd), 0);
}

int main(void)
{
    static const xs_test tests[] = {
        {"setup", setup},
        {"request_deadline", test_request_deadline},
        {"per_address", test_per_address},
        {"slowloris", test_slowloris},
        {"flood", test_flood},
        {"fair_admission", test_fair_admission},
        {"busy_keeps_slot", test_busy_keeps_slot},
        {"metrics", test_metrics},
        {"teardown", teardown},
    };
    return xs_test_run(tests, XS_N(tests));
}
