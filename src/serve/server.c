/*
 * server.c — `xsell serve` on libmicrohttpd: the daemon (epoll, a pool of
 * worker threads, HTTP/1.1 keep-alive), dispatch through the routes table
 * (routes.c), API key checks, request bodies with a size limit, JSON errors,
 * metrics, the model (model.c: mapped at start, or built) and its swap on
 * POST /v1/build, and a graceful stop.
 *
 * Routing sees the raw request path: libmicrohttpd decodes the URL before
 * the access handler runs, which would turn an id "a/b" sent as a%2Fb into
 * two segments, so on_uri() (its URI log callback, which gets the request
 * line's URI as sent) keeps the path and the query for on_request(). Routes
 * match the raw segments; each captured {parameter}, and each name and
 * value of the query, is then percent-decoded on its own and must be valid
 * UTF-8 without NUL (else 400 naming the parameter): libmicrohttpd's own
 * decoding would end a value at %00 and pass invalid UTF-8 to the
 * handlers, whose JSON answers cannot hold it. The access log shows control
 * characters and stray bytes of the path as \xNN.
 *
 * A request goes through on_request() several times: the first call matches
 * the route and decides everything that does not need the body (404, 405,
 * 401, 403, 400 path or query parameter, 413 by Content-Length) — an error is
 * answered at once; later
 * calls collect the body up to max_body; the last call parses JSON and runs
 * the handler. Each request holds a reference to the model it started with,
 * released when libmicrohttpd reports the request complete.
 *
 * Connections reach the daemon through admit.c (it owns the listening
 * socket: connection limit, waiting room, request deadline, per-address
 * cap); the callbacks here tell it where each request is. xs__serve_dispatch()
 * runs the same first_call() / last_call() on a request given as plain
 * strings, for the HTTP fuzz target: headers and query then come from it
 * instead of the connection (req_value()).
 */
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/progress.h"
#include "serve/admit.h"
#include "serve/head.h"
#include "serve/serve_int.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct xs_server {
    struct MHD_Daemon *d;
    xs__serve_admit *admit; /* listening socket, admission, deadlines (admit.c) */
    char *db;
    xs_serve_opts o;
    int port;
    pthread_mutex_t mu; /* guards model, generation and the build state */
    xs__serve_model *model;
    unsigned long generation;
    int building, builder_joinable;
    xs__serve_hook_thread *hooks; /* the webhook sender */
    xs__serve_model_watch *watch; /* --model: follows new files */
    pthread_t builder;
    char build_error[512];
    xs__serve_keys *keys; /* the API keys, reloaded every second (keys.c) */
    atomic_long in_flight;
    xs__serve_metrics metrics;
};

/* One request in flight (req last: see alloc_state()). */
typedef struct conn_state {
    int started; /* on_request() has seen it (in_flight counted, model held) */
    char *raw;   /* the request path as sent (xs__malloc), NULL: use the URL */
    int oom;     /* on_uri() could not keep the request line: answer 500 */
    char *query; /* the query as sent, after '?' (xs__malloc), NULL: none */
    const char *uri_at; /* the request line's URI in libmicrohttpd's buffer */
    size_t uri_len;     /* ... its length up to the first NUL */
    double t0;
    size_t route; /* index into xs__serve_routes, xs__serve_n_routes when unmatched */
    int responded;
    int too_big;
    xs__buf body; /* the request body as received (bytes, up to max_body) */
    xs__serve_req req;
} conn_state;

/* ---------------------------------------------------------------------- */
/* Responses                                                              */
/* ---------------------------------------------------------------------- */

/* Contract in serve_int.h. */
int xs__serve_error(xs__serve_req *r, int status, const char *code, const char *fmt, ...)
{
    char msg[512], clean[sizeof msg * 4];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* vsnprintf cuts by byte and the library's messages may quote ids cut
     * by byte: drop a cut character, show stray bytes as \xNN, so the
     * message is valid UTF-8 (else jansson refuses it) */
    size_t len = n < 0 ? 0 : (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
    xs__serve_escape(clean, sizeof clean, msg, len, XS__ESC_DROP_CUT);
    json_decref(r->out);
    r->out = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", clean);
    r->status = status;
    return status;
}

/* Contract in serve_int.h. */
int xs__serve_reply(xs__serve_req *r, int status, json_t *body)
{
    json_decref(r->out);
    r->out = body;
    r->status = status;
    if (!body) return xs__serve_error(r, 500, "internal", "out of memory");
    return status;
}

/* ---------------------------------------------------------------------- */
/* Headers and query arguments                                            */
/* ---------------------------------------------------------------------- */

/* The headers and decoded query of a request given to xs__serve_dispatch(). */
#define SEAM_MAX_ARGS 64
struct xs__serve_seam {
    const xs__serve_http_in *in;
    char *qbuf; /* the query, split and decoded in place (xs__malloc) */
    const char *key[SEAM_MAX_ARGS], *val[SEAM_MAX_ARGS];
    size_t n_args;
};

/* Splits and decodes the query as libmicrohttpd does: '&' between
 * arguments, '=' between name and value (none: NULL), '+' as a space, then
 * %XX. Returns 0 or -1 when out of memory. */
static int seam_parse_query(struct xs__serve_seam *sm, const char *query)
{
    if (!query || !*query) return 0;
    if (!(sm->qbuf = xs__strdup(query))) return -1;
    for (char *seg = sm->qbuf, *next; seg && sm->n_args < SEAM_MAX_ARGS; seg = next) {
        next = strchr(seg, '&');
        if (next) *next++ = 0;
        char *val = strchr(seg, '=');
        if (val) *val++ = 0;
        for (char *p = seg; *p; p++)
            if (*p == '+') *p = ' ';
        for (char *p = val; p && *p; p++)
            if (*p == '+') *p = ' ';
        /* check_query() has refused what does not decode */
        xs__serve_path_decode(seg);
        if (val) xs__serve_path_decode(val);
        sm->key[sm->n_args] = seg;
        sm->val[sm->n_args++] = val;
    }
    return 0;
}

/* A request header (header 1, case-insensitive) or query argument (0):
 * libmicrohttpd's for a connection, the seam's for xs__serve_dispatch(). */
static const char *req_value(xs__serve_req *r, int header, const char *name)
{
    if (!r->seam)
        return MHD_lookup_connection_value(
            r->conn, header ? MHD_HEADER_KIND : MHD_GET_ARGUMENT_KIND, name);
    const struct xs__serve_seam *sm = r->seam;
    if (header) {
        for (size_t i = 0; i < sm->in->n_headers; i++)
            if (!strcasecmp(sm->in->headers[2 * i], name)) return sm->in->headers[2 * i + 1];
        return NULL;
    }
    for (size_t i = 0; i < sm->n_args; i++)
        if (!strcmp(sm->key[i], name)) return sm->val[i];
    return NULL;
}

/* Contract in serve_int.h. */
const char *xs__serve_query(xs__serve_req *r, const char *name)
{
    return req_value(r, 0, name);
}

/* Contract in serve_int.h. */
const char *xs__serve_header(xs__serve_req *r, const char *name)
{
    return req_value(r, 1, name);
}

/* Contract in serve_int.h. */
void xs__serve_add_header(xs__serve_req *r, const char *name, const char *value)
{
    if (r->n_xhdr >= XS__MAX_XHDR) return;
    r->xhdr_name[r->n_xhdr] = name;
    snprintf(r->xhdr_value[r->n_xhdr], sizeof r->xhdr_value[0], "%s", value);
    r->n_xhdr++;
}

/* Contract in serve_int.h. */
int xs__serve_query_long(xs__serve_req *r, const char *name, long dflt, long lo, long hi,
                         long *out)
{
    const char *v = xs__serve_query(r, name);
    if (!v) {
        *out = dflt;
        return XS_OK;
    }
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    char q[64];
    xs__serve_quote(q, sizeof q, v, strlen(v));
    if (errno || end == v || *end) {
        xs__serve_error(r, 400, "bad_request", "%s: not an integer: %s", name, q);
        return XS_EINVAL;
    }
    if (x < lo || x > hi) {
        xs__serve_error(r, 400, "bad_request", "%s: %ld is out of range [%ld, %ld]", name,
                        x, lo, hi);
        return XS_EINVAL;
    }
    *out = x;
    return XS_OK;
}

/* Sends r's response on the connection, records metrics and the access log. */
static enum MHD_Result respond(xs_server *s, conn_state *cs)
{
    xs__serve_req *r = &cs->req;
    struct MHD_Response *resp = NULL;
    if (!r->out && !r->text)
        xs__serve_error(r, 500, "internal", "handler gave no response");
    if (r->text) {
        /* the buffer goes to libmicrohttpd, which frees it with the
         * response: no copy */
        resp = MHD_create_response_from_buffer_with_free_callback(r->n_text, r->text,
                                                                  xs__free);
        if (resp) {
            r->text = NULL;
            MHD_add_response_header(resp, "Content-Type", r->text_type);
        }
    } else {
        char *txt = json_dumps(r->out, JSON_COMPACT);
        if (txt) {
            size_t n = strlen(txt);
            txt[n] = '\n'; /* replaces the NUL: the buffer is sent by length */
            /* jansson allocates with malloc: libmicrohttpd frees it with free() */
            resp = MHD_create_response_from_buffer(n + 1, txt, MHD_RESPMEM_MUST_FREE);
            if (!resp) free(txt);
        }
        if (resp) MHD_add_response_header(resp, "Content-Type", "application/json");
    }
    if (!resp) {
        static const char oom[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}\n";
        r->status = 500;
        resp = MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom,
                                               MHD_RESPMEM_PERSISTENT);
        if (!resp) return MHD_NO;
    }
    if (r->allow) MHD_add_response_header(resp, "Allow", r->allow);
    /* others wait for a slot: this connection has had its turn (admit.c) */
    if (xs__serve_admit_should_close(s->admit, r->conn))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    /* any handler's extra header (store_access.c: Retry-After of 503 busy) */
    if (r->hdr_name) MHD_add_response_header(resp, r->hdr_name, r->hdr_value);
    for (int i = 0; i < r->n_xhdr; i++)
        MHD_add_response_header(resp, r->xhdr_name[i], r->xhdr_value[i]);
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    cs->responded = 1;
    double dt = xs__now() - cs->t0;
    xs__serve_metrics_observe(&s->metrics, cs->route, r->status, dt);
    if (s->o.access_log) {
        /* the path as sent may hold any byte: one line per request, and no
         * control character reaches the terminal or the log file */
        char m[64], p[2048];
        xs__serve_escape(m, sizeof m, r->method, strlen(r->method), XS__ESC_LOG);
        xs__serve_escape(p, sizeof p, r->path, strlen(r->path), XS__ESC_LOG);
        fprintf(stderr, "%s %s %d %.3fms\n", m, p, r->status, dt * 1e3);
    }
    return ok;
}

/* ---------------------------------------------------------------------- */
/* API keys                                                               */
/* ---------------------------------------------------------------------- */

/* Checks the Authorization header against the route's scope. Returns 0 or
 * an error status (set on r). */
static int authorize(xs_server *s, const xs__serve_route *rt, xs__serve_req *r)
{
    if (rt->scope == XS_SCOPE_NONE) return 0;
    const char *h = req_value(r, 1, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || !*h)
        return xs__serve_error(r, 401, "unauthorized",
                               "missing API key: send \"Authorization: Bearer <key>\"");
    if (strncmp(h, "Bearer ", 7))
        return xs__serve_error(r, 401, "unauthorized",
                               "Authorization is not a Bearer token");
    const char *key = h + 7;
    while (*key == ' ')
        key++;
    size_t n = strlen(key);
    while (n && key[n - 1] == ' ')
        n--;
    xs_apikey_scope sc = xs__serve_keys_check(s->keys, key, n);
    if (sc == XS_SCOPE_NONE)
        return xs__serve_error(r, 401, "unauthorized", "invalid API key");
    r->scope = sc;
    /* "xs_<key_id>_<secret>" (apikeys.c): the audit log's "who" */
    const char *us = strchr(key + 3, '_');
    size_t n_id = us ? (size_t)(us - key - 3) : 0;
    if (n_id >= sizeof r->key_id) n_id = 0;
    memcpy(r->key_id, key + 3, n_id);
    r->key_id[n_id] = 0;
    if (sc < rt->scope)
        return xs__serve_error(r, 403, "forbidden",
                               "this route needs a key with scope %s (key has %s)",
                               xs_apikey_scope_name(rt->scope), xs_apikey_scope_name(sc));
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Dispatch                                                               */
/* ---------------------------------------------------------------------- */

/* Value of one hex digit, -1 when c is not one. */
static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Contract in serve_int.h. */
const char *xs__serve_path_decode(char *s)
{
    size_t w = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] != '%') {
            s[w++] = s[i];
            continue;
        }
        int hi = hexval((unsigned char)s[i + 1]);
        int lo = hi < 0 ? -1 : hexval((unsigned char)s[i + 2]);
        if (lo < 0) return "bad percent-encoding";
        char ch = (char)(hi << 4 | lo);
        if (!ch) return "contains NUL";
        s[w++] = ch;
        i += 2;
    }
    s[w] = 0;
    return xs__serve_utf8_valid(s, w) ? NULL : "not valid UTF-8";
}

/* Name of the k-th {parameter} of a pattern into buf. */
static const char *param_name(const char *pattern, size_t k, char *buf, size_t n)
{
    const char *p = pattern;
    snprintf(buf, n, "?");
    for (size_t i = 0; (p = strchr(p, '{')) != NULL; i++, p++) {
        const char *e = strchr(p, '}');
        if (!e) break;
        if (i == k) {
            snprintf(buf, n, "%.*s", (int)(e - p - 1), p + 1);
            break;
        }
    }
    return buf;
}

/* Contract in serve_int.h. */
int xs__serve_route_match(const char *pattern, const char *path, xs__serve_req *r)
{
    size_t n_param = 0;
    const char *p = pattern, *u = path;
    if (r) r->param_long = 0;
    while (*p && *u) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *ue = strchr(u, '/');
            if (!pe) return 0;
            if (!ue) ue = u + strlen(u);
            size_t len = (size_t)(ue - u);
            if (len == 0 || n_param >= XS__MAX_PARAMS) return 0;
            if (r && len >= sizeof r->params[0]) { /* matches: first_call() refuses it */
                r->params[n_param][0] = 0;
                r->param_long |= 1u << n_param;
            } else if (r) {
                memcpy(r->params[n_param], u, len);
                r->params[n_param][len] = 0;
            }
            n_param++;
            p = pe + 1;
            u = ue;
            continue;
        }
        if (*p != *u) return 0;
        p++, u++;
    }
    return *p == 0 && *u == 0;
}

/* Checks every name and value of the query as sent (libmicrohttpd decodes
 * them into C strings, where %00 would silently end the value, and passes
 * any bytes): each is percent-decoded on its own like a path parameter and
 * must be valid UTF-8 without NUL. Returns 0 or 400 set on r. */
static int check_query(xs__serve_req *r, const char *q)
{
    if (!q || !*q) return 0;
    /* no %XX and only ASCII: every part decodes to itself, valid UTF-8
     * without NUL (most queries: no copy to decode) */
    const unsigned char *u = (const unsigned char *)q;
    while (*u && *u != '%' && *u < 0x80)
        u++;
    if (!*u) return 0;
    char *buf = xs__strdup(q);
    if (!buf) return xs__serve_error(r, 500, "internal", "out of memory");
    int st = 0;
    for (char *seg = buf, *next; seg && !st; seg = next) {
        next = strchr(seg, '&');
        if (next) *next++ = 0;
        char *val = strchr(seg, '=');
        if (val) *val++ = 0;
        const char *why = xs__serve_path_decode(seg);
        if (why) {
            st = xs__serve_error(r, 400, "bad_request", "query parameter name: %s", why);
            break;
        }
        if (!val || !(why = xs__serve_path_decode(val))) continue;
        /* a plain name is shown as is, like a path parameter's */
        char shown[300];
        size_t n = strlen(seg);
        int plain = n > 0 && n < 64 &&
                    strspn(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789_-.") == n;
        if (plain)
            memcpy(shown, seg, n + 1);
        else
            xs__serve_quote(shown, sizeof shown, seg, n);
        st = xs__serve_error(r, 400, "bad_request", "query parameter %s: %s", shown, why);
    }
    xs__free(buf);
    return st;
}

/* First call of a request: route, method, auth, declared size. Returns 0
 * to go on, or an error status set on the request. */
static int first_call(xs_server *s, conn_state *cs)
{
    xs__serve_req *r = &cs->req;
    char methods[64] = "";
    cs->route = xs__serve_n_routes;
    /* without the request line as sent, the query cannot be checked */
    if (cs->oom) return xs__serve_error(r, 500, "internal", "out of memory");
    for (size_t i = 0; i < xs__serve_n_routes; i++) {
        if (!xs__serve_route_match(xs__serve_routes[i].pattern, r->path, r)) continue;
        /* HEAD is GET without the body (libmicrohttpd leaves it out) */
        if (!strcmp(xs__serve_routes[i].method, r->method) ||
            (!strcmp(r->method, "HEAD") && !strcmp(xs__serve_routes[i].method, "GET"))) {
            cs->route = i;
            break;
        }
        if (!strstr(methods, xs__serve_routes[i].method)) {
            size_t l = strlen(methods);
            snprintf(methods + l, sizeof methods - l, "%s%s", l ? ", " : "",
                     xs__serve_routes[i].method);
        }
    }
    if (cs->route == xs__serve_n_routes) {
        char q[128];
        xs__serve_quote(q, sizeof q, r->path, strlen(r->path));
        if (*methods) {
            /* the Allow text lives as long as the request */
            char *a = xs__strdup(methods);
            r->allow = a;
            return xs__serve_error(r, 405, "method_not_allowed", "%s %s: allowed: %s",
                                   r->method, q, methods);
        }
        return xs__serve_error(r, 404, "not_found", "no route for %s %s", r->method, q);
    }
    const xs__serve_route *rt = &xs__serve_routes[cs->route];
    int st = authorize(s, rt, r);
    if (st) return st;
    /* the parameters matched raw: decode each on its own */
    size_t n_param = 0;
    for (const char *p = rt->pattern; (p = strchr(p, '{')) != NULL; p++)
        n_param++;
    for (size_t k = 0; k < n_param && k < XS__MAX_PARAMS; k++) {
        char name[64];
        if (r->param_long & (1u << k))
            return xs__serve_error(
                r, 400, "bad_request", "path parameter %s: longer than %d bytes as sent",
                param_name(rt->pattern, k, name, sizeof name), XS__PARAM_MAX - 1);
        const char *why = xs__serve_path_decode(r->params[k]);
        if (why)
            return xs__serve_error(r, 400, "bad_request", "path parameter %s: %s",
                                   param_name(rt->pattern, k, name, sizeof name), why);
    }
    st = check_query(r, cs->query);
    if (st) return st;
    const char *cl = req_value(r, 1, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (!errno && end != cl && n > s->o.max_body)
            return xs__serve_error(r, 413, "payload_too_large",
                                   "request body of %llu bytes exceeds the limit of %zu",
                                   n, s->o.max_body);
    }
    return 0;
}

/* Last call: parse the body, run the handler. */
static void last_call(xs_server *s, conn_state *cs)
{
    xs__serve_req *r = &cs->req;
    const xs__serve_route *rt = &xs__serve_routes[cs->route];
    if (cs->too_big) {
        xs__serve_error(r, 413, "payload_too_large",
                        "request body exceeds the limit of %zu bytes", s->o.max_body);
        /* as every answer to a request over the limits (docs/api.md) */
        xs__serve_add_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
        return;
    }
    if (rt->body_json) {
        if (cs->body.n == 0) {
            xs__serve_error(r, 400, "bad_json", "empty body: a JSON object is expected");
            return;
        }
        json_error_t je;
        r->body = json_loadb(cs->body.p, cs->body.n, JSON_REJECT_DUPLICATES, &je);
        if (!r->body) {
            xs__serve_error(r, 400, "bad_json", "line %d column %d: %s", je.line,
                            je.column, je.text);
            return;
        }
        if (!json_is_object(r->body)) {
            xs__serve_error(r, 400, "bad_json", "the body must be a JSON object");
            return;
        }
    }
    rt->fn(r);
}

/* Each thread keeps the state of its last finished request for its next
 * one (a keep-alive connection's requests all run on one worker): a state
 * is over 8 kB, and allocating and freeing that much per request made
 * malloc sort its free lists (malloc_consolidate) on every request. The
 * key's destructor frees it when the thread ends. */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static int spare_ok;

static void spare_init(void)
{
    spare_ok = pthread_key_create(&spare_key, xs__free) == 0;
}

/* A zeroed request state but for the path parameters (8 kB the route
 * match writes before any use: clearing them cost more than the rest of
 * a request's allocations). NULL when out of memory. */
static conn_state *alloc_state(void)
{
    pthread_once(&spare_once, spare_init);
    conn_state *cs = spare_ok ? pthread_getspecific(spare_key) : NULL;
    if (cs)
        pthread_setspecific(spare_key, NULL);
    else
        cs = xs__malloc(sizeof *cs);
    if (cs) memset(cs, 0, offsetof(conn_state, req) + offsetof(xs__serve_req, params));
    return cs;
}

/* Frees the memory of a state, or keeps it as the thread's spare. */
static void drop_state(conn_state *cs)
{
    if (spare_ok && !pthread_getspecific(spare_key) &&
        pthread_setspecific(spare_key, cs) == 0)
        return;
    xs__free(cs);
}

/* A fresh state for a request whose request line has the target uri:
 * keeps the path for routing and the query for check_query() (oom set
 * when they could not be kept: the request is answered 500). NULL when
 * out of memory. */
static conn_state *new_state(const char *uri)
{
    conn_state *cs = alloc_state();
    if (!cs) return NULL;
    size_t n = strcspn(uri, "?#");
    cs->raw = xs__strndup(uri, n);
    if (uri[n] == '?') cs->query = xs__strndup(uri + n + 1, strcspn(uri + n + 1, "#"));
    if (!cs->raw || (uri[n] == '?' && !cs->query)) cs->oom = 1;
    return cs;
}

static void free_state(xs_server *s, conn_state *cs);

/* 1 when the request line's URI held a NUL byte. libmicrohttpd passes it
 * on as a C string, cut at the NUL ("/assets/app.js\0.png" would be served
 * as "/assets/app.js"), but it ends the URI where the version begins: the
 * version string follows the URI's true end and one space in its buffer. */
static int nul_in_uri(const conn_state *cs, const char *version)
{
    if (!cs->uri_at || !version || !*version) return 0;
    uintptr_t u = (uintptr_t)cs->uri_at, v = (uintptr_t)version;
    return v > u + cs->uri_len + 1 && v - u <= XS__HEAD_POOL;
}

/* A later request of a keep-alive connection (the first one passed
 * xs__serve_head_check() in admit.c) answered 400 when its URI holds a NUL
 * byte, 431 when its head is over the limits of docs/api.md ("Request
 * heads"), and 501 for a transfer coding other than chunked, as the first
 * one would be. Returns the status set, or 0. */
static int check_head(conn_state *cs, struct MHD_Connection *c, const char *version)
{
    xs__serve_req *r = &cs->req;
    if (nul_in_uri(cs, version)) {
        xs__serve_add_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
        return xs__serve_error(r, 400, "bad_request", "the request head holds a NUL byte");
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (ci && ci->header_size > XS__HEAD_MAX)
        return xs__serve_error(r, 431, "header_too_large",
                               "the request head is longer than %d bytes", XS__HEAD_MAX);
    int n = MHD_get_connection_values(
        c, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND | MHD_COOKIE_KIND, NULL, NULL);
    if (n > XS__HEAD_ITEMS)
        return xs__serve_error(r, 431, "header_too_large",
                               "more than %d header lines, query parameters and cookies",
                               XS__HEAD_ITEMS);
    /* libmicrohttpd would wait for the close as the end of such a body */
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
    if (te && strcasecmp(te, "chunked")) {
        xs__serve_add_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
        return xs__serve_error(r, 501, "not_implemented",
                               "the only transfer coding supported is chunked");
    }
    return 0;
}

/* The first callback of a request: counts it in flight and takes a
 * reference to the current model. */
static void begin_request(xs_server *s, conn_state *cs, struct MHD_Connection *c,
                          const char *method, const char *url)
{
    cs->started = 1;
    atomic_fetch_add(&s->in_flight, 1);
    cs->t0 = xs__now();
    cs->req.srv = s;
    cs->req.conn = c;
    cs->req.method = method;
    cs->req.path = cs->raw ? cs->raw : url;
    pthread_mutex_lock(&s->mu);
    cs->req.model = s->model;
    xs__serve_model_retain(cs->req.model);
    pthread_mutex_unlock(&s->mu);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    xs_server *s = cls;
    conn_state *cs = *con_cls;
    if (!cs || !cs->started) {
        if (!cs) { /* on_uri() ran out of memory */
            if (!(cs = alloc_state())) return MHD_NO;
            cs->oom = 1;
        }
        *con_cls = cs;
        begin_request(s, cs, c, method, url);
        if (check_head(cs, c, version) || first_call(s, cs)) {
            xs__serve_admit_request_received(c);
            return respond(s, cs);
        }
        return MHD_YES;
    }
    if (cs->responded) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (cs->too_big || cs->body.n + n > s->o.max_body) {
            cs->too_big = 1;
            return MHD_YES;
        }
        xs__buf_add(&cs->body, upload_data, n);
        if (cs->body.err) return MHD_NO;
        return MHD_YES;
    }
    xs__serve_admit_request_received(c);
    last_call(s, cs);
    return respond(s, cs);
}

/* URI log callback: called with the request line's URI as sent, before
 * libmicrohttpd splits off the query and decodes it. Keeps the path for
 * routing and the query for check_query() in a fresh conn_state (NULL
 * when out of memory: on_request() then answers 500). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    xs__serve_admit_request_started(c);
    conn_state *cs = new_state(uri);
    if (cs) {
        cs->uri_at = uri; /* for nul_in_uri(): libmicrohttpd's buffer, unchanged */
        cs->uri_len = strlen(uri);
    }
    return cs;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    xs__serve_admit_request_done(c);
    free_state(cls, *con_cls);
    *con_cls = NULL;
}

/* Contract in serve_int.h. */
int xs__serve_dispatch(xs_server *s, const xs__serve_http_in *in, int *status, char **out,
                       size_t *n_out, int *is_json)
{
    *out = NULL;
    *n_out = 0;
    *status = 0;
    *is_json = 0;
    conn_state *cs = new_state(in->target);
    struct xs__serve_seam sm = {.in = in};
    int rc = XS_ENOMEM;
    if (!cs || seam_parse_query(&sm, cs->query) < 0) goto cleanup;
    cs->req.seam = &sm;
    begin_request(s, cs, NULL, in->method, in->target);
    xs__serve_req *r = &cs->req;
    if (!first_call(s, cs)) {
        if (in->n_body > s->o.max_body)
            cs->too_big = 1;
        else if (in->n_body) {
            xs__buf_add(&cs->body, in->body, in->n_body);
            if (cs->body.err) goto cleanup;
        }
        last_call(s, cs);
    }
    /* what respond() sends */
    if (!r->out && !r->text)
        xs__serve_error(r, 500, "internal", "handler gave no response");
    if (r->text) {
        if (!(*out = xs__malloc(r->n_text + 1))) goto cleanup;
        memcpy(*out, r->text, r->n_text);
        (*out)[r->n_text] = 0;
        *n_out = r->n_text;
    } else {
        char *txt = json_dumps(r->out, JSON_COMPACT);
        if (!txt) goto cleanup;
        size_t n = strlen(txt);
        *out = xs__malloc(n + 2);
        if (*out) {
            memcpy(*out, txt, n);
            memcpy(*out + n, "\n", 2);
            *n_out = n + 1;
            *is_json = 1;
        }
        free(txt);
        if (!*out) goto cleanup;
    }
    *status = r->status;
    rc = XS_OK;
cleanup:
    free_state(s, cs);
    xs__free(sm.qbuf);
    return rc;
}

/* Frees a request's state (NULL is fine). */
static void free_state(xs_server *s, conn_state *cs)
{
    if (!cs) return;
    xs__free(cs->raw);
    xs__free(cs->query);
    if (!cs->started) { /* the request never reached on_request() */
        drop_state(cs);
        return;
    }
    xs__serve_model_release(cs->req.model);
    json_decref(cs->req.body);
    json_decref(cs->req.out);
    xs__free(cs->req.text);
    xs__free((char *)cs->req.allow);
    xs__buf_free(&cs->body);
    drop_state(cs);
    atomic_fetch_sub(&s->in_flight, 1);
}

/* ---------------------------------------------------------------------- */
/* Builds in the background                                               */
/* ---------------------------------------------------------------------- */

static void *build_main(void *arg)
{
    xs_server *s = arg;
    pthread_mutex_lock(&s->mu);
    unsigned long gen = s->generation + 1;
    pthread_mutex_unlock(&s->mu);
    xs__serve_model *m = NULL, *old = NULL;
    xs_error e = {0};
    char msg[1024], warn[1200];
    int rc = xs__serve_model_rebuild(s->db, gen, &m, warn, sizeof warn, &e);
    if (rc == XS_OK && warn[0]) fprintf(stderr, "xsell serve: POST /v1/build: %s\n", warn);
    pthread_mutex_lock(&s->mu);
    if (rc == XS_OK) {
        old = s->model;
        s->model = m;
        /* the model watcher may have installed one meanwhile */
        s->generation = m->generation = s->generation + 1;
        s->build_error[0] = 0;
        atomic_fetch_add(&s->metrics.builds_ok, 1);
    } else {
        snprintf(s->build_error, sizeof s->build_error, "%s",
                 xs_error_format(&e, msg, sizeof msg));
        atomic_fetch_add(&s->metrics.builds_failed, 1);
    }
    s->building = 0;
    pthread_mutex_unlock(&s->mu);
    xs__serve_model_release(old);
    return NULL;
}

/* Contract in serve_int.h. */
unsigned long xs__serve_server_install(xs_server *s, xs__serve_model *m)
{
    pthread_mutex_lock(&s->mu);
    unsigned long gen = ++s->generation;
    m->generation = gen;
    xs__serve_model *old = s->model;
    s->model = m;
    pthread_mutex_unlock(&s->mu);
    xs__serve_model_release(old);
    return gen;
}

/* Contract in serve_int.h. */
int xs__serve_server_start_build(xs_server *s)
{
    pthread_mutex_lock(&s->mu);
    if (s->building) {
        pthread_mutex_unlock(&s->mu);
        return 1;
    }
    if (s->builder_joinable) {
        pthread_join(s->builder, NULL);
        s->builder_joinable = 0;
    }
    int rc = pthread_create(&s->builder, NULL, build_main, s);
    if (rc == 0) s->building = s->builder_joinable = 1;
    pthread_mutex_unlock(&s->mu);
    return rc == 0 ? 0 : XS_ENOMEM;
}

/* Contract in serve_int.h. */
int xs__serve_server_building(const xs_server *s)
{
    pthread_mutex_lock((pthread_mutex_t *)&s->mu);
    int b = s->building;
    pthread_mutex_unlock((pthread_mutex_t *)&s->mu);
    return b;
}

/* Contract in serve_int.h. */
const char *xs__serve_server_build_error(xs_server *s, char *buf, size_t n)
{
    pthread_mutex_lock(&s->mu);
    snprintf(buf, n, "%s", s->build_error);
    pthread_mutex_unlock(&s->mu);
    return buf;
}

/* Contract in serve_int.h. */
xs__serve_metrics *xs__serve_server_metrics(xs_server *s)
{
    return &s->metrics;
}

/* Contract in serve_int.h. */
long xs__serve_server_in_flight(const xs_server *s)
{
    return atomic_load(&s->in_flight);
}

/* Contract in serve_int.h. */
int xs__serve_server_admit_stats(xs_server *s, xs__serve_admit_stats *st)
{
    if (!s->admit) return 0;
    xs__serve_admit_get_stats(s->admit, st);
    return 1;
}

/* Contract in serve_int.h. */
const char *xs__serve_server_db(const xs_server *s)
{
    return s->db;
}

/* ---------------------------------------------------------------------- */
/* Start and stop                                                         */
/* ---------------------------------------------------------------------- */

/* Parses "HOST:PORT" (IPv4) into addr. */
static int parse_listen(const char *spec, struct sockaddr_in *addr, xs_error *err)
{
    char host[64], q[96];
    const char *colon = strrchr(spec, ':');
    xs__error_quote(q, sizeof q, spec, strlen(spec));
    if (!colon || (size_t)(colon - spec) >= sizeof host)
        return xs__error_param(err, XS_EINVAL, NULL, "listen",
                               "expected HOST:PORT, got %s", q);
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = 0;
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    if (errno || end == colon + 1 || *end || port < 0 || port > 65535 ||
        inet_pton(AF_INET, host, &addr->sin_addr) != 1)
        return xs__error_param(err, XS_EINVAL, NULL, "listen",
                               "expected an IPv4 HOST:PORT, got %s", q);
    addr->sin_port = htons((uint16_t)port);
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_server_start(const xs_serve_opts *o, xs_server **out, xs_error *err)
{
    struct sockaddr_in addr;
    int rc = parse_listen(o->listen ? o->listen : "127.0.0.1:8080", &addr, err);
    if (rc < 0) return rc;
    if (!o->db) return xs__error_param(err, XS_EINVAL, NULL, "db", "no store given");
    xs_server *s = xs__calloc(1, sizeof *s);
    if (!s) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    s->o = *o;
    if (!s->o.threads) s->o.threads = 2;
    if (!s->o.max_body) s->o.max_body = 1 << 20;
    if (!s->o.max_connections) s->o.max_connections = 256;
    if (!s->o.timeout_s) s->o.timeout_s = 30;
    if (!s->o.request_timeout_s) s->o.request_timeout_s = 5;
    if (!s->o.max_per_address) s->o.max_per_address = 64;
    if (!s->o.lock_timeout_ms) s->o.lock_timeout_ms = 1000;
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->in_flight, 0);
    s->db = xs__strdup(o->db);
    if (!s->db) {
        rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    s->o.db = s->db;
    /* the store must open (and migrate) before anything else: the keys
     * open it first */
    if ((rc = xs__serve_keys_start(s->db, &s->keys, err)) < 0) goto cleanup;
    s->generation = 1;
    if ((rc = xs__serve_model_start(s->db, s->o.model, &s->model, err)) < 0) goto cleanup;
    /* the start's build may show its bars; the builds of POST /v1/build
     * and the model watcher, on other threads while serving, draw none */
    xs__progress_quiet(1);
    /* the daemon gets no listening socket: admit.c accepts, decides and
     * hands connections over (its limit has room for the /healthz reserve
     * and for connections closing, which admit.c frees just before the
     * daemon does) */
    xs__serve_admit_opts ao = {s->o.max_connections, s->o.max_per_address,
                               s->o.request_timeout_s, s->o.timeout_s};
    if ((rc = xs__serve_admit_listen(&s->admit, &addr, &ao, err)) < 0) goto cleanup;
    s->port = xs__serve_admit_port(s->admit);
    xs__serve_mhd_errors_init(); /* libmicrohttpd's own answers in JSON */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_NO_LISTEN_SOCKET;
    /* Two bugs of libmicrohttpd 0.9.75 (Debian 12) shape this. Its epoll
     * loop waits again, with its full timeout, whenever one wait returned
     * exactly its 128-event buffer: a worker whose connections all became
     * ready at once would stall (the throughput collapse at 2 x 128
     * connections); mhd_epoll.c makes that second wait not block, so the
     * server runs --threads workers, each holding any number of
     * connections. And a worker that finds itself at its share of the
     * connection limit when it takes over an added connection returns with
     * a mutex still locked and deadlocks: so each worker's share is the
     * whole limit, which admit.c enforces (MHD_add_connection spreads
     * connections over the workers by descriptor, which keeps them even).
     * Its memory per connection, XS__HEAD_POOL (zeroed before every request
     * of a keep-alive connection: smaller is cheaper), holds every request
     * head that head.c lets through. */
    xs__serve_mhd_epoll_init();
    xs__serve_mhd_close_init(); /* a later request line it closes on gets a 400 */
    unsigned limit = s->o.max_connections + XS__ADMIT_RESERVE + 64;
    unsigned workers = s->o.threads;
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_THREAD_POOL_SIZE, workers,
        MHD_OPTION_CONNECTION_LIMIT, workers * limit, MHD_OPTION_CONNECTION_TIMEOUT,
        s->o.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)XS__HEAD_POOL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
        s, MHD_OPTION_NOTIFY_CONNECTION, xs__serve_admit_notify, s->admit,
        MHD_OPTION_END);
    if (!s->d) {
        rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL,
                           "cannot start the HTTP worker threads");
        goto cleanup;
    }
    if ((rc = xs__serve_admit_run(s->admit, s->d)) < 0) {
        xs__error_set(err, rc, NULL, 0, NULL, "cannot start the acceptor thread");
        goto cleanup;
    }
    if ((rc = xs__serve_hook_thread_start(s->db, s->o.lock_timeout_ms, &s->hooks)) < 0) {
        xs__error_set(err, rc, NULL, 0, NULL, "cannot start the webhook thread");
        goto cleanup;
    }
    if (s->o.model && s->o.model_poll_s >= 0 &&
        (rc = xs__serve_model_watch_start(s, s->db, s->o.model,
                                          (unsigned)s->o.model_poll_s, &s->watch)) < 0) {
        xs__error_set(err, rc, NULL, 0, NULL, "cannot start the model watcher");
        goto cleanup;
    }
    *out = s;
    return XS_OK;
cleanup:
    xs_server_stop(s, 0);
    return rc;
}

/* Contract in xsell.h. */
int xs_server_port(const xs_server *s)
{
    return s ? s->port : 0;
}

/* Contract in serve_int.h. */
unsigned xs__serve_server_lock_timeout_ms(const struct xs_server *s)
{
    return s->o.lock_timeout_ms;
}

/* Contract in serve_int.h. */
const char *xs__serve_server_web_dir(const struct xs_server *s)
{
    return s->o.web_dir ? s->o.web_dir : "web/dist";
}

/* Contract in xsell.h. */
void xs_server_stop(xs_server *s, unsigned grace_s)
{
    if (!s) return;
    xs__serve_admit_quiesce(s->admit); /* no new connections */
    if (s->d) {
        double until = xs__now() + grace_s;
        while (atomic_load(&s->in_flight) > 0 && xs__now() < until) {
            struct timespec ts = {0, 5000000};
            nanosleep(&ts, NULL);
        }
        MHD_stop_daemon(s->d);
    }
    xs__serve_admit_free(s->admit); /* after the daemon: it reports closes to it */
    pthread_mutex_lock(&s->mu);
    int join = s->builder_joinable;
    pthread_mutex_unlock(&s->mu);
    if (join) pthread_join(s->builder, NULL);
    xs__serve_model_watch_stop(s->watch);
    xs__serve_hook_thread_stop(s->hooks);
    xs__serve_model_release(s->model);
    xs__serve_keys_stop(s->keys);
    pthread_mutex_destroy(&s->mu);
    xs__free(s->db);
    xs__free(s);
    xs__progress_quiet(0);
}
