/*
 * xs_process.h — running the real xsell binary from a test: a command with
 * its stdout captured, and `xsell serve` on 127.0.0.1 with an ephemeral
 * port (read from its "listening on" line); a fixture store made by the
 * binary itself (import + build) and an API key for it. Shared by the
 * server tests (test_serve_http.c, _ids, _bytes, _lock, _replay).
 * Header-only: static functions (inline where a test may not use them),
 * include it once per test executable.
 */
#ifndef XS_TEST_PROCESS_H
#define XS_TEST_PROCESS_H

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double xs_proc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs bin with args (NULL-terminated, at most 14), stdout into out (cap
 * bytes, NUL-terminated, the rest read and dropped), stderr appended to
 * errlog. Returns the exit status, -1 when it did not exit. */
static int xs_proc_run(const char *bin, const char *errlog, char *out, size_t cap,
                       const char *const *args)
{
    int p[2];
    if (pipe(p) < 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        int e = open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (e >= 0) dup2(e, 2);
        close(p[0]);
        const char *argv[16] = {"xsell"};
        size_t n = 1;
        for (; args[n - 1] && n < 15; n++)
            argv[n] = args[n - 1];
        argv[n] = NULL;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t k;
    char scratch[4096];
    while ((k = n + 1 < cap ? read(p[0], out + n, cap - 1 - n)
                            : read(p[0], scratch, sizeof scratch)) > 0)
        if (n + 1 < cap) n += (size_t)k;
    out[n] = 0;
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Starts `bin serve --db db --listen 127.0.0.1:0 ARGS...` (args
 * NULL-terminated, at most 10), stderr appended to errlog, and waits up to
 * 60 s for its "listening on" line. Sets *pid and *port. Returns 0, or -1
 * (the line is printed on stderr). */
static int xs_proc_serve(const char *bin, const char *errlog, const char *db,
                         const char *const *args, pid_t *pid, int *port)
{
    int p[2];
    if (pipe(p) < 0) return -1;
    *pid = fork();
    if (*pid == 0) {
        dup2(p[1], 1);
        int e = open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (e >= 0) dup2(e, 2);
        close(p[0]);
        const char *argv[18] = {"xsell", "serve", "--db", db, "--listen", "127.0.0.1:0"};
        size_t n = 6;
        for (size_t i = 0; args[i] && n < 17; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    char line[256];
    size_t n = 0;
    struct pollfd pf = {p[0], POLLIN, 0};
    double until = xs_proc_now() + 60;
    while (n < sizeof line - 1 && xs_proc_now() < until) {
        if (poll(&pf, 1, 1000) <= 0) continue;
        ssize_t k = read(p[0], line + n, 1);
        if (k <= 0) break;
        if (line[n++] == '\n') break;
    }
    line[n] = 0;
    close(p[0]);
    if (sscanf(line, "listening on http://127.0.0.1:%d", port) != 1) {
        fprintf(stderr, "server did not start: \"%s\"\n", line);
        return -1;
    }
    return 0;
}

/* Makes a temporary directory TMPDIR/xs_NAME_XXXXXX into dir (n bytes) and
 * the paths dir/FILE into db and dir/stderr.log into errlog (300 bytes
 * each). Returns 0 or -1. */
static inline int xs_proc_tmpdir(const char *name, const char *file, char *dir, size_t n,
                                 char db[300], char errlog[300])
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, n, "%s/xs_%s_XXXXXX", tmp, name);
    if (!mkdtemp(dir)) return -1;
    snprintf(db, 300, "%s/%s", dir, file);
    snprintf(errlog, 300, "%s/stderr.log", dir);
    return 0;
}

/* Imports the fixture tables (NULL-terminated) from
 * $XS_SOURCE_DIR/FIXTURE/<table>.csv into db with `bin import`, then runs
 * `bin build` when build is set. Returns 0, or -1 at the first failing
 * command (named on stderr). */
static inline int xs_proc_fixture_store(const char *bin, const char *errlog,
                                        const char *db, const char *fixture,
                                        const char *const *tables, int build)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char out[4096], path[600];
    for (size_t i = 0; tables[i]; i++) {
        snprintf(path, sizeof path, "%s/%s/%s.csv", src ? src : ".", fixture, tables[i]);
        const char *const args[] = {"import", "--db", db, tables[i], path, NULL};
        if (xs_proc_run(bin, errlog, out, sizeof out, args) != 0) {
            fprintf(stderr, "xsell import %s failed (see %s)\n", path, errlog);
            return -1;
        }
    }
    const char *const args[] = {"build", "--db", db, NULL};
    if (build && xs_proc_run(bin, errlog, out, sizeof out, args) != 0) {
        fprintf(stderr, "xsell build --db %s failed (see %s)\n", db, errlog);
        return -1;
    }
    return 0;
}

/* Creates an API key of scope (read, write, admin) in db with `bin apikey
 * create` into key (cap bytes). Returns 0, or -1 unless it printed a key of
 * the documented 84 characters. */
static inline int xs_proc_apikey(const char *bin, const char *errlog, const char *db,
                                 const char *scope, char *key, size_t cap)
{
    char out[4096];
    const char *const args[] = {"apikey", "create", "--db", db, "--scope", scope, NULL};
    if (xs_proc_run(bin, errlog, out, sizeof out, args) != 0) return -1;
    out[strcspn(out, "\r\n")] = 0;
    if (strlen(out) != 84 || strlen(out) >= cap) return -1;
    memcpy(key, out, strlen(out) + 1);
    return 0;
}

/* Stops a server started by xs_proc_serve (pid <= 0: none). */
static inline void xs_proc_kill(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

/* Removes the test's temporary directory and all below it ("" : none). */
static inline void xs_proc_rmdir(const char *dir)
{
    if (!*dir) return;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

#endif
