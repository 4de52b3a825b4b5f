/*
 * test_serve_static.c — the dashboard's files as served by src/serve/static.c:
 * the ETag is the XXH3-64 of the file's bytes (recomputed here), If-None-Match
 * with it gives 304 and no body, text goes gzip-compressed to clients that
 * accept it (inflated here back to the file's bytes, with its own "-gz"
 * tag), q=0 and binary files are sent as they are, and a file changed on
 * disk is served anew with a new tag.
 */
#define _GNU_SOURCE /* strcasestr */
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"

#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>

static char dir[256], db[300];

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* GET path with extra header lines (each ending in \r\n); fills r. */
static int get(int port, const char *path, const char *headers, http_resp *r)
{
    char req[1024];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n",
                     path, headers);
    memset(r, 0, sizeof *r);
    int fd = http_connect(port);
    CHECK(fd >= 0);
    CHECK_INT(http_write_all(fd, req, (size_t)n), 0);
    http_recv(fd, r);
    close(fd);
    return r->status;
}

static const char *tag_of(const char *text, const char *suffix)
{
    static char t[40];
    snprintf(t, sizeof t, "\"%016llx%s\"", (unsigned long long)XXH3_64bits(text, strlen(text)),
             suffix);
    return t;
}

/* Inflates a gzip body; returns it NUL-terminated (static). */
static const char *gunzip(const char *p, size_t n)
{
    static char out[65536];
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK_INT(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = sizeof out - 1;
    CHECK_INT(inflate(&z, Z_FINISH), Z_STREAM_END);
    out[z.total_out] = 0;
    inflateEnd(&z);
    return out;
}

static void test_static(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/xs_static_%d", tmp, (int)getpid());
    snprintf(db, sizeof db, "%s.db", dir);
    char assets[300];
    snprintf(assets, sizeof assets, "%s/assets", dir);
    CHECK_INT(mkdir(dir, 0755), 0);
    CHECK_INT(mkdir(assets, 0755), 0);
    char js[4096] = "";
    for (int i = 0; i < 60; i++) strcat(js, "console.log('xsell dashboard');\n");
    write_file("index.html", "<!doctype html><title>x</title>");
    write_file("assets/app.js", js);
    write_file("assets/logo.png", "not really a png but binary by its name, long enough to"
                                  " compress if it were text .................................."
                                  "..............................................................."
                                  "...............................................................");
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    xs_store_close(st);
    xs_server *s = NULL;
    xs_serve_opts o = {.listen = "127.0.0.1:0", .db = db, .threads = 1, .web_dir = dir};
    CHECK_INT(xs_server_start(&o, &s, &e), XS_OK);
    int port = xs_server_port(s);
    http_resp r;

    /* plain: the bytes, the tag of the bytes, revalidate always */
    CHECK_INT(get(port, "/assets/app.js", "", &r), 200);
    CHECK_STR(r.body, js);
    CHECK_STR(http_header(&r, "ETag"), tag_of(js, ""));
    CHECK_STR(http_header(&r, "Cache-Control"), "no-cache");
    CHECK_STR(http_header(&r, "Vary"), "Accept-Encoding");
    CHECK(http_header(&r, "Content-Encoding") == NULL);
    http_resp_free(&r);
    /* gzip: smaller, inflates to the bytes, its own tag */
    CHECK_INT(get(port, "/assets/app.js", "Accept-Encoding: br, gzip\r\n", &r), 200);
    CHECK_STR(http_header(&r, "Content-Encoding"), "gzip");
    CHECK_STR(http_header(&r, "ETag"), tag_of(js, "-gz"));
    CHECK(r.n_body < strlen(js) / 4);
    CHECK_STR(gunzip(r.body, r.n_body), js);
    http_resp_free(&r);
    /* refused by q=0 */
    CHECK_INT(get(port, "/assets/app.js", "Accept-Encoding: gzip;q=0, identity\r\n", &r), 200);
    CHECK(http_header(&r, "Content-Encoding") == NULL);
    http_resp_free(&r);
    /* If-None-Match: 304 with no body for the tag of that encoding only */
    char h[160];
    snprintf(h, sizeof h, "If-None-Match: \"0\", %s\r\n", tag_of(js, ""));
    CHECK_INT(get(port, "/assets/app.js", h, &r), 304);
    CHECK_INT(r.n_body, 0);
    CHECK_STR(http_header(&r, "ETag"), tag_of(js, ""));
    http_resp_free(&r);
    snprintf(h, sizeof h, "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n", tag_of(js, ""));
    CHECK_INT(get(port, "/assets/app.js", h, &r), 200);
    http_resp_free(&r);
    CHECK_INT(get(port, "/assets/app.js", "If-None-Match: *\r\n", &r), 304);
    http_resp_free(&r);
    /* binary types and small files go as they are */
    CHECK_INT(get(port, "/assets/logo.png", "Accept-Encoding: gzip\r\n", &r), 200);
    CHECK(http_header(&r, "Content-Encoding") == NULL);
    CHECK(http_header(&r, "Vary") == NULL);
    http_resp_free(&r);
    CHECK_INT(get(port, "/", "Accept-Encoding: gzip\r\n", &r), 200);
    CHECK_STR(r.body, "<!doctype html><title>x</title>");
    http_resp_free(&r);
    /* a file changed on disk: the new bytes and a new tag */
    strcat(js, "// v2\n");
    write_file("assets/app.js", js);
    CHECK_INT(get(port, "/assets/app.js", "", &r), 200);
    CHECK_STR(r.body, js);
    CHECK_STR(http_header(&r, "ETag"), tag_of(js, ""));
    http_resp_free(&r);
    CHECK_INT(http_do(port, "GET", "/assets/none.js", NULL, NULL, &r), 404);
    http_resp_free(&r);

    xs_server_stop(s, 1);
    char path[512];
    const char *files[] = {"assets/app.js", "assets/logo.png", "index.html"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(assets);
    rmdir(dir);
    unlink(db);
    snprintf(path, sizeof path, "%s-wal", db);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", db);
    unlink(path);
}

int main(void)
{
    static const xs_test tests[] = {
        {"static", test_static},
    };
    return xs_test_run(tests, XS_N(tests));
}
