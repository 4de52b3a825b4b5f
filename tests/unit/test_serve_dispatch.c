/*
 * test_serve_dispatch.c — xs__serve_dispatch(), the request path without a socket
 * that tests/fuzz/fuzz_http.c drives (src/serve/server.c), answers exactly
 * what a real connection gets: every request below is sent both ways, to a
 * server started in process on 127.0.0.1:0 over an empty store, and the
 * status and bytes of the body must be equal. A few answers are also
 * checked against their documented text (docs/api.md "Errors"). Inputs the
 * fuzzer finds go here as regression cases.
 */
#include "test.h"
#include "xsell.h"

#include "base/alloc.h"
#include "serve/serve_int.h"

#include "../serve/http_client.h"

static char db_path[256], key[XS_APIKEY_MAX];

typedef struct req_case {
    const char *method, *target;
    int with_key;
    const char *body;
} req_case;

/* One request through xs__serve_dispatch; *body (xs__free) and the status. */
static int dispatch(xs_server *s, const req_case *c, char **body)
{
    char auth[XS_APIKEY_MAX + 16];
    snprintf(auth, sizeof auth, "Bearer %s", key);
    const char *hdrs[] = {"Authorization", auth};
    xs__serve_http_in in = {c->method, c->target,
                            hdrs,      c->with_key ? 1 : 0,
                            c->body,   c->body ? strlen(c->body) : 0};
    int status = 0, is_json;
    size_t n;
    CHECK_INT(xs__serve_dispatch(s, &in, &status, body, &n, &is_json), XS_OK);
    return status;
}

static void test_same_as_socket(void)
{
    static const req_case cases[] = {
        {"GET", "/nope", 0, NULL},
        {"DELETE", "/v1/rules", 0, NULL},
        {"GET", "/v1/rules", 0, NULL},
        {"GET", "/v1/rules?limit=abc", 1, NULL},
        {"GET", "/v1/rules?limit=1+2", 1, NULL},
        {"GET", "/v1/rules?limit=%32", 1, NULL},
        {"GET", "/v1/rules?limit=2&limit=x", 1, NULL},
        {"GET", "/v1/rules?a%00b=1", 1, NULL},
        {"GET", "/v1/items/%FF/together", 1, NULL},
        {"GET", "/v1/items/a%2Fb/together?limit=3", 1, NULL},
        {"GET", "/v1/customers/C1/offers?limit=0", 1, NULL},
        {"GET", "/v1/openapi.json", 0, NULL},
        {"POST", "/v1/cart/recommendations", 1, "{\"items\":"},
        {"POST", "/v1/cart/recommendations", 1, "[1,2]"},
        {"POST", "/v1/cart/recommendations", 1, "{\"a\":1,\"a\":2}"},
        {"POST", "/v1/cart/recommendations", 1, "{\"items\":[\"x\"],\"limit\":3}"},
        {"POST", "/v1/events", 1, "{\"table\":\"events\",\"rows\":[]}"},
        {"POST", "/v1/build", 1, NULL},
    };
    xs_store *st = NULL;
    xs_error e;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(db_path, sizeof db_path, "%s/xs_dispatch_%d.db", tmp, (int)getpid());
    CHECK_INT(xs_store_open(&st, db_path, &e), XS_OK);
    CHECK_INT(xs_apikey_create(st, XS_SCOPE_READ, "t", key, sizeof key, &e), XS_OK);
    xs_store_close(st);
    xs_serve_opts o = {.db = db_path, .listen = "127.0.0.1:0", .threads = 1};
    xs_server *s = NULL;
    CHECK_INT(xs_server_start(&o, &s, &e), XS_OK);
    if (!s) return;
    int port = xs_server_port(s);
    for (size_t i = 0; i < XS_N(cases); i++) {
        char *mine = NULL;
        int st_mine = dispatch(s, &cases[i], &mine);
        http_resp r;
        int st_sock = http_do(port, cases[i].method, cases[i].target,
                              cases[i].with_key ? key : NULL, cases[i].body, &r);
        if (st_mine != st_sock || !mine || !r.body || strcmp(mine, r.body))
            fprintf(stderr, "case %zu: %s %s\n", i, cases[i].method, cases[i].target);
        CHECK_INT(st_mine, st_sock);
        CHECK_STR(mine ? mine : "", r.body ? r.body : "");
        xs__free(mine);
        http_resp_free(&r);
    }
    /* the documented texts */
    char *b = NULL;
    CHECK_INT(dispatch(s, &cases[2], &b), 401);
    CHECK_STR(b, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"missing API key: "
                 "send \\\"Authorization: Bearer <key>\\\"\"}}\n");
    xs__free(b);
    CHECK_INT(dispatch(s, &cases[4], &b), 400);
    CHECK_STR(b, "{\"error\":{\"code\":\"bad_request\",\"message\":\"limit: not an "
                 "integer: \\\"1 2\\\"\"}}\n");
    xs__free(b);
    xs_server_stop(s, 1);
    char p[300];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

int main(void)
{
    static const xs_test tests[] = {
        {"same_as_socket", test_same_as_socket},
    };
    return xs_test_run(tests, XS_N(tests));
}
