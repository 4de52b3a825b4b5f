/*
 * static.c — the dashboard's files (docs/dashboard.md): GET / answers
 * WEB/index.html and GET /assets/NAME answers WEB/assets/NAME, where WEB is
 * `xsell serve --web DIR` (web/dist by default, built by web/build.mjs).
 * Neither needs an API key: the page asks for one and sends it on its /v1
 * calls. Asset names are one path segment of letters, digits, '.', '-' and
 * '_' that does not start with '.', so ".." (also sent as %2e%2e: path
 * parameters are decoded after routing) and hidden files are refused with
 * 400; a name with a raw '/' never matches the /assets/{name} route (404),
 * one sent as %2F is refused like "..".
 */
#include "base/alloc.h"
#include "base/error.h"
#include "serve/serve_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE (32L << 20) /* larger files are not dashboard assets */

/* Content type by file extension. */
static const char *content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcmp(dot, types[i].ext)) return types[i].type;
    return "application/octet-stream";
}

/* 1 when name is a safe asset file name (see the file comment). */
static int safe_name(const char *name)
{
    if (!*name || *name == '.') return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

/* Answers the regular file at path (symbolic links are not followed), or
 * 404 naming what is missing. Returns the status. */
static int send_file(xs__req *r, const char *path, const char *shown)
{
    char q[300];
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
        if (fd >= 0) close(fd);
        xs__quote(q, sizeof q, shown, strlen(shown));
        return xs__error(r, 404, "not_found", "no dashboard file %s", q);
    }
    size_t n = (size_t)st.st_size;
    char *buf = xs__malloc(n ? n : 1);
    size_t got = 0;
    while (buf && got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    close(fd);
    if (!buf) return xs__error(r, 500, "internal", "out of memory");
    if (got != n) {
        xs__free(buf);
        xs__quote(q, sizeof q, shown, strlen(shown));
        return xs__error(r, 500, "internal", "cannot read dashboard file %s", q);
    }
    r->text = buf;
    r->n_text = n;
    r->text_type = content_type(path);
    r->status = 200;
    return 200;
}

/* Contract in serve_int.h: GET / -> WEB/index.html. */
int xs__h_web_index(xs__req *r)
{
    char path[4096];
    const char *dir = xs__server_web_dir(r->srv);
    if (snprintf(path, sizeof path, "%s/index.html", dir) >= (int)sizeof path)
        return xs__error(r, 500, "internal", "--web path too long");
    int st = send_file(r, path, path);
    if (st == 404)
        xs__error(
            r, 404, "not_found",
            "dashboard not built: %s/index.html is missing (run `make web`, or pass "
            "--web DIR)",
            dir);
    return r->status;
}

/* Contract in serve_int.h: GET /assets/{name} -> WEB/assets/name. */
int xs__h_web_asset(xs__req *r)
{
    char path[4096], q[300];
    const char *name = r->params[0];
    if (!safe_name(name)) {
        xs__quote(q, sizeof q, name, strlen(name));
        return xs__error(r, 400, "bad_request", "bad asset name %s", q);
    }
    if (snprintf(path, sizeof path, "%s/assets/%s", xs__server_web_dir(r->srv), name) >=
        (int)sizeof path)
        return xs__error(r, 400, "bad_request", "asset path too long");
    return send_file(r, path, name);
}
