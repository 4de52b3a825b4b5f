/*
 * test_serve_quiet.c — `xsell serve` on a terminal draws no progress bars
 * for the builds it runs while serving (POST /v1/build): the real binary
 * ($XS_BIN) with its stderr on a pseudo-terminal and XS_PROGRESS_AFTER=0
 * (bars at once), on a small demo store. The same terminal shows `xsell
 * build`'s bars, so the check can fail. A bar ends every draw with the
 * erase-to-end-of-line sequence ESC [ K; nothing else writes it.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt */
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"
#include "../serve/xs_process.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

static const char *xs_bin;
static char dir[256], db[300], errlog[300];
static char key_admin[XS_APIKEY_MAX];
static int pty = -1;
static char slave[128];
static pid_t srv_pid = -1;
static int port, ready;

/* What the terminal has shown within wait_s seconds (NUL-terminated,
 * cap bytes). */
static size_t read_pty(char *buf, size_t cap, double wait_s)
{
    size_t n = 0;
    double until = xs_proc_now() + wait_s;
    while (n + 1 < cap && xs_proc_now() < until) {
        struct pollfd pf = {pty, POLLIN, 0};
        if (poll(&pf, 1, 100) <= 0) continue;
        ssize_t k = read(pty, buf + n, cap - 1 - n);
        if (k <= 0) break;
        n += (size_t)k;
    }
    buf[n] = 0;
    return n;
}

/* Runs bin with args (NULL-terminated, at most 8) with stderr on the
 * terminal and XS_PROGRESS_AFTER=0; stdout to a pipe whose read end is
 * returned in *out (-1: not wanted, /dev/null). Returns the pid. */
static pid_t spawn_on_pty(const char *const *args, int *out)
{
    int p[2] = {-1, -1};
    if (out && pipe(p) < 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        int t = open(slave, O_RDWR);
        int o = out ? p[1] : open("/dev/null", O_WRONLY);
        if (t < 0 || o < 0) _exit(127);
        dup2(t, 2);
        dup2(o, 1);
        setenv("XS_PROGRESS_AFTER", "0", 1);
        const char *argv[10] = {"xsell"};
        size_t n = 1;
        for (; args[n - 1] && n < 9; n++)
            argv[n] = args[n - 1];
        argv[n] = NULL;
        execv(xs_bin, (char *const *)argv);
        _exit(127);
    }
    if (out) {
        close(p[1]);
        *out = p[0];
    }
    return pid;
}

static void setup(void)
{
    xs_bin = getenv("XS_BIN");
    CHECK(xs_bin != NULL);
    if (!xs_bin) return;
    CHECK_INT(xs_proc_tmpdir("quiet", "demo.db", dir, sizeof dir, db, errlog), 0);
    char out[4096];
    CHECK_INT(xs_proc_run(
                  xs_bin, errlog, out, sizeof out,
                  (const char *const[]){"demo", "--db", db, "--customers", "300", NULL}),
              0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "admin", key_admin, sizeof key_admin),
              0);
    pty = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(pty >= 0);
    if (pty < 0 || grantpt(pty) < 0 || unlockpt(pty) < 0 || !ptsname(pty)) return;
    snprintf(slave, sizeof slave, "%s", ptsname(pty));
    ready = 1;
}

/* The terminal works: `xsell build` draws its bars on it. */
static void test_build_draws(void)
{
    if (!ready) return;
    pid_t pid = spawn_on_pty((const char *const[]){"build", "--db", db, NULL}, NULL);
    int st = -1;
    CHECK(pid > 0);
    if (pid > 0) waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    static char buf[1 << 16];
    read_pty(buf, sizeof buf, 0.5);
    CHECK(strstr(buf, "\033[K") != NULL);
}

/* POST /v1/build on the running server: the build runs (the generation
 * moves on), the terminal shows no bar. */
static void test_serve_quiet(void)
{
    if (!ready) return;
    int out = -1;
    srv_pid = spawn_on_pty(
        (const char *const[]){"serve", "--db", db, "--listen", "127.0.0.1:0", NULL},
        &out);
    CHECK(srv_pid > 0);
    char line[256];
    size_t n = 0;
    struct pollfd pf = {out, POLLIN, 0};
    double until = xs_proc_now() + 60;
    while (n < sizeof line - 1 && xs_proc_now() < until) {
        if (poll(&pf, 1, 1000) <= 0) continue;
        if (read(out, line + n, 1) <= 0) break;
        if (line[n++] == '\n') break;
    }
    line[n] = 0;
    close(out);
    CHECK_INT(sscanf(line, "listening on http://127.0.0.1:%d", &port), 1);
    static char buf[1 << 16];
    read_pty(buf, sizeof buf, 0.2); /* what the start wrote */
    http_resp r;
    CHECK_INT(http_do(port, "POST", "/v1/build", key_admin, NULL, &r), 202);
    http_resp_free(&r);
    int done = 0;
    until = xs_proc_now() + 60;
    while (!done && xs_proc_now() < until) {
        http_do(port, "GET", "/healthz", NULL, NULL, &r);
        done = r.body && strstr(r.body, "\"generation\":2") &&
               strstr(r.body, "\"building\":false");
        http_resp_free(&r);
        if (!done) nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    CHECK(done);
    read_pty(buf, sizeof buf, 0.3);
    CHECK(strstr(buf, "\033[K") == NULL);
}

static void teardown(void)
{
    xs_proc_kill(srv_pid);
    if (pty >= 0) close(pty);
    xs_proc_rmdir(dir);
}

static const xs_test tests[] = {
    {"setup", setup},
    {"build_draws", test_build_draws},
    {"serve_quiet", test_serve_quiet},
    {"teardown", teardown},
};

int main(void)
{
    (void)xs_proc_serve; /* the server here needs its stderr on the terminal */
    return xs_test_run(tests, XS_N(tests));
}
