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
 *
 * Caching and compression: every answer carries an ETag (a hash of the
 * file's bytes; "-gz" added for the compressed form) and Cache-Control: no-cache (the names carry no version, so
 * a browser revalidates; If-None-Match with the current tag gets 304 and no
 * body). Text files (HTML, JS, CSS, JSON, SVG) go gzip-compressed to
 * clients that accept it (Content-Encoding: gzip, Vary: Accept-Encoding).
 * Files are read, hashed and compressed once and kept in memory until
 * their size, time or inode changes.
 */
#include "base/alloc.h"
#include "base/error.h"
#include "serve/serve_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <xxhash.h>
#include <zlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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

/* A file as read, hashed and (for text) compressed. */
typedef struct cached {
    char path[4096];
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    char etag[24]; /* "\"<16 hex digits>\"" */
    char *raw, *gz; /* gz NULL: not compressed */
    size_t n_raw, n_gz;
} cached;

#define N_CACHED 16
static cached cache[N_CACHED];
static unsigned next_slot;
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

/* 1 for the types worth compressing. */
static int compressible(const char *type)
{
    return !strncmp(type, "text/", 5) || !strcmp(type, "application/json") ||
           !strcmp(type, "image/svg+xml");
}

/* gzip of p (level 6). Returns NULL when it would not be smaller. */
static char *gzip(const char *p, size_t n, size_t *n_out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    size_t cap = deflateBound(&z, (uLong)n);
    char *out = xs__malloc(cap ? cap : 1);
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int ok = out && deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < n;
    *n_out = z.total_out;
    deflateEnd(&z);
    if (!ok) {
        xs__free(out);
        return NULL;
    }
    return out;
}

/* Reads fd (st of it) into c. Returns 0, or -1 (read failed or memory). */
static int fill(cached *c, int fd, const struct stat *st, const char *path)
{
    size_t n = (size_t)st->st_size, got = 0;
    char *buf = xs__malloc(n ? n : 1);
    while (buf && got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    if (!buf || got != n) {
        xs__free(buf);
        return -1;
    }
    xs__free(c->raw);
    xs__free(c->gz);
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "%s", path);
    c->dev = st->st_dev;
    c->ino = st->st_ino;
    c->size = st->st_size;
    c->mtime = st->st_mtim;
    c->raw = buf;
    c->n_raw = n;
    snprintf(c->etag, sizeof c->etag, "\"%016llx\"", (unsigned long long)XXH3_64bits(buf, n));
    if (compressible(content_type(path)) && n >= 256) c->gz = gzip(buf, n, &c->n_gz);
    return 0;
}

/* 1 when c holds the file fd was opened on as it is now. */
static int same(const cached *c, const char *path, const struct stat *st)
{
    return c->raw && !strcmp(c->path, path) && c->dev == st->st_dev && c->ino == st->st_ino &&
           c->size == st->st_size && c->mtime.tv_sec == st->st_mtim.tv_sec &&
           c->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* 1 when an If-None-Match value names etag (or is "*"). */
static int etag_matches(const char *inm, const char *etag)
{
    if (!inm) return 0;
    size_t n = strlen(etag);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (!strncmp(p, "W/", 2)) p += 2;
        size_t k = strcspn(p, ",");
        while (k && p[k - 1] == ' ') k--;
        if ((k == 1 && *p == '*') || (k == n && !memcmp(p, etag, n))) return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

/* 1 when Accept-Encoding allows gzip (listed without q=0). */
static int accepts_gzip(const char *ae)
{
    for (const char *p = ae; p && *p;) {
        while (*p == ' ' || *p == ',') p++;
        size_t k = strcspn(p, ",;");
        if ((k == 4 && !strncasecmp(p, "gzip", 4)) || (k == 1 && *p == '*')) {
            const char *q = p + k;
            while (*q == ' ') q++;
            if (*q != ';') return 1;
            const char *v = strstr(q, "q=");
            return !(v && v < q + strcspn(q, ",") && strtod(v + 2, NULL) == 0);
        }
        p += strcspn(p, ",");
    }
    return 0;
}

/* Answers the regular file at path (symbolic links are not followed), or
 * 404 naming what is missing. Returns the status. */
static int send_file(xs__serve_req *r, const char *path, const char *shown)
{
    char q[300];
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
        if (fd >= 0) close(fd);
        xs__serve_quote(q, sizeof q, shown, strlen(shown));
        return xs__serve_error(r, 404, "not_found", "no dashboard file %s", q);
    }
    pthread_mutex_lock(&cache_mu);
    cached *c = NULL;
    for (int i = 0; i < N_CACHED && !c; i++)
        if (same(&cache[i], path, &st)) c = &cache[i];
    for (int i = 0; i < N_CACHED && !c; i++)
        if (!strcmp(cache[i].path, path)) c = &cache[i]; /* changed: refill its slot */
    if (!c) c = &cache[next_slot++ % N_CACHED];
    int rc = same(c, path, &st) ? 0 : fill(c, fd, &st, path);
    close(fd);
    const char *type = content_type(path);
    int gz = rc == 0 && c->gz && accepts_gzip(xs__serve_header(r, "Accept-Encoding"));
    /* each encoding is its own representation, with its own tag */
    char tag[32];
    snprintf(tag, sizeof tag, "%.17s%s\"", c->etag, gz ? "-gz" : "");
    int fresh = rc == 0 && etag_matches(xs__serve_header(r, "If-None-Match"), tag);
    size_t n = fresh ? 0 : gz ? c->n_gz : c->n_raw;
    char *buf = rc == 0 ? xs__malloc(n ? n : 1) : NULL;
    if (buf) {
        memcpy(buf, gz ? c->gz : c->raw, n);
        xs__serve_add_header(r, "ETag", tag);
    }
    pthread_mutex_unlock(&cache_mu);
    if (rc < 0) {
        xs__serve_quote(q, sizeof q, shown, strlen(shown));
        return xs__serve_error(r, 500, "internal", "cannot read dashboard file %s", q);
    }
    if (!buf) return xs__serve_error(r, 500, "internal", "out of memory");
    xs__serve_add_header(r, "Cache-Control", "no-cache");
    if (compressible(type)) xs__serve_add_header(r, "Vary", "Accept-Encoding");
    if (gz && !fresh) xs__serve_add_header(r, "Content-Encoding", "gzip");
    r->text = buf;
    r->n_text = n;
    r->text_type = type;
    r->status = fresh ? 304 : 200;
    return r->status;
}

/* Contract in serve_int.h: GET / -> WEB/index.html. */
int xs__serve_h_web_index(xs__serve_req *r)
{
    char path[4096];
    const char *dir = xs__serve_server_web_dir(r->srv);
    if (snprintf(path, sizeof path, "%s/index.html", dir) >= (int)sizeof path)
        return xs__serve_error(r, 500, "internal", "--web path too long");
    int st = send_file(r, path, path);
    if (st == 404)
        xs__serve_error(
            r, 404, "not_found",
            "dashboard not built: %s/index.html is missing (run `make web`, or pass "
            "--web DIR)",
            dir);
    return r->status;
}

/* Contract in serve_int.h: GET /assets/{name} -> WEB/assets/name. */
int xs__serve_h_web_asset(xs__serve_req *r)
{
    char path[4096], q[300];
    const char *name = r->params[0];
    if (!safe_name(name)) {
        xs__serve_quote(q, sizeof q, name, strlen(name));
        return xs__serve_error(r, 400, "bad_request", "bad asset name %s", q);
    }
    if (snprintf(path, sizeof path, "%s/assets/%s", xs__serve_server_web_dir(r->srv),
                 name) >= (int)sizeof path)
        return xs__serve_error(r, 400, "bad_request", "asset path too long");
    return send_file(r, path, name);
}
