/*
 * test_serve_replay.c — logged decisions and replays over HTTP
 * (docs/replay.md), on the hand-made store of tests/data/offer: the real
 * binary ($XS_BIN) on 127.0.0.1 with an ephemeral port. GET
 * /v1/customers/{id}/offers?log=1 needs a write key, answers the offers
 * with their logged ids and propensities and writes exactly those
 * decisions (read back through the library); after their outcomes, `xsell
 * replay --save` stores a result that GET /v1/replays serves unchanged.
 */
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"
#include "../serve/xs_process.h"

#include <jansson.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *xs_bin;
static char dir[256], db[300], errlog[300];
static char key_read[XS_APIKEY_MAX], key_write[XS_APIKEY_MAX];
static pid_t srv_pid = -1;
static int port, ready;

static int run_xs(char *out, size_t cap, const char *const *args)
{
    return xs_proc_run(xs_bin, errlog, out, cap, args);
}

static void setup(void)
{
    static const char *const tables[] = {"customers", "products", "subscriptions",
                                         "orders",    "usage",    "events",
                                         "offers",    NULL};
    xs_bin = getenv("XS_BIN");
    CHECK(xs_bin != NULL);
    if (!xs_bin) return;
    CHECK_INT(xs_proc_tmpdir("replay", "offer.db", dir, sizeof dir, db, errlog), 0);
    CHECK_INT(xs_proc_fixture_store(xs_bin, errlog, db, "tests/data/offer", tables, 1),
              0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "read", key_read, sizeof key_read), 0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "write", key_write, sizeof key_write),
              0);
    static const char *const args[] = {"--threads", "2", NULL};
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, args, &srv_pid, &port), 0);
    ready = srv_pid > 0 && port > 0;
}

static json_t *call(const char *method, const char *path, const char *key,
                    const char *body, int *status)
{
    http_resp r;
    *status = http_do(port, method, path, key, body, &r);
    json_t *j = r.body ? json_loads(r.body, 0, NULL) : NULL;
    http_resp_free(&r);
    return j;
}

static void check_error(const char *path, const char *key, int want, const char *code,
                        const char *msg)
{
    int st;
    json_t *j = call("GET", path, key, NULL, &st);
    CHECK_INT(st, want);
    json_t *e = json_object_get(j, "error");
    CHECK_STR(json_string_value(json_object_get(e, "code")), code);
    if (msg) CHECK_STR(json_string_value(json_object_get(e, "message")), msg);
    json_decref(j);
}

static char logged_id[2][32];
static double logged_prop[2];

static int read_back(void *ctx, const xs_logged_decision *d)
{
    int *n = ctx;
    if (*n < 2) {
        CHECK_STR(d->customer_id, "K1");
        CHECK_INT(d->slot, *n + 1);
        CHECK_STR(d->offer_id, logged_id[*n]);
        CHECK_NEAR(d->propensity, logged_prop[*n], 5e-5);
        CHECK_STR(d->outcome, "pending");
        CHECK(strstr(d->candidates, "\"prob\":") != NULL);
    }
    (*n)++;
    return 0;
}

static void test_log(void)
{
    if (!ready) return;
    check_error("/v1/customers/K1/offers?log=1", key_read, 403, "forbidden",
                "log=1 writes the decision to the store: it needs a key with scope write"
                " (key has read)");
    check_error("/v1/customers/K1/offers?log=2", key_write, 400, "bad_request", NULL);
    check_error("/v1/customers/NOPE/offers?log=1", key_write, 404, "not_found",
                "unknown customer \"NOPE\"");
    int st;
    /* without log=1: no ids, nothing written */
    json_t *j = call("GET", "/v1/customers/K1/offers", key_read, NULL, &st);
    CHECK_INT(st, 200);
    json_t *plain = json_object_get(j, "offers");
    CHECK_INT(json_array_size(plain), 2);
    CHECK(json_object_get(json_array_get(plain, 0), "offer_id") == NULL);
    json_decref(j);
    j = call("GET", "/v1/customers/K1/offers?log=1", key_write, NULL, &st);
    CHECK_INT(st, 200);
    json_t *offers = json_object_get(j, "offers");
    CHECK_INT(json_array_size(offers), 2);
    for (size_t i = 0; i < 2 && i < json_array_size(offers); i++) {
        json_t *o = json_array_get(offers, i);
        const char *id = json_string_value(json_object_get(o, "offer_id"));
        CHECK(id != NULL);
        snprintf(logged_id[i], sizeof logged_id[i], "%s", id ? id : "");
        logged_prop[i] = json_number_value(json_object_get(o, "propensity"));
        CHECK(logged_prop[i] > 0 && logged_prop[i] <= 1);
    }
    CHECK_STR(logged_id[0], "X20260630-0001");
    CHECK_STR(logged_id[1], "X20260630-0002");
    json_decref(j);
    /* the store holds those decisions */
    xs_store *stor = NULL;
    xs_error e;
    CHECK_INT(xs_store_open_readonly(&stor, db, &e), XS_OK);
    int n = 0;
    CHECK_INT(xs_store_decisions_scan(stor, NULL, NULL, read_back, &n, &e), 2);
    CHECK_INT(n, 2);
    /* limit=1 shows one offer: only that slot is logged */
    j = call("GET", "/v1/customers/O1/offers?log=1&limit=1", key_write, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_array_size(json_object_get(j, "offers")), 1);
    json_decref(j);
    n = 0;
    CHECK_INT(xs_store_decisions_scan(stor, NULL, NULL, read_back, &n, &e), 3);
    xs_store_close(stor);
}

static void test_replays(void)
{
    if (!ready) return;
    int st;
    /* nothing saved yet */
    json_t *j = call("GET", "/v1/replays", key_read, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_array_size(json_object_get(j, "replays")), 0);
    json_decref(j);
    char path[400];
    snprintf(path, sizeof path, "/v1/offers/%s/outcome", logged_id[0]);
    json_decref(call("POST", path, key_write,
                     "{\"outcome\":\"accepted\",\"at\":\"2026-07-01\"}", &st));
    CHECK_INT(st, 200);
    snprintf(path, sizeof path, "/v1/offers/%s/outcome", logged_id[1]);
    json_decref(call("POST", path, key_write,
                     "{\"outcome\":\"declined\",\"at\":\"2026-07-01\"}", &st));
    CHECK_INT(st, 200);
    char policy[400], out[8192];
    snprintf(policy, sizeof policy, "%s/policy.conf", dir);
    FILE *f = fopen(policy, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("# more exploration of upsells\nepsilon_upsell=0.5\n", f);
    fclose(f);
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"replay", "--db", db, "--policy", policy,
                                           "--save", "--format", "json", NULL}),
              0);
    json_t *cli = json_loads(out, 0, NULL);
    CHECK(cli != NULL);
    CHECK_INT(json_integer_value(json_object_get(cli, "decisions")), 2);
    CHECK_INT(json_integer_value(json_object_get(cli, "pending")), 1); /* O1's */
    j = call("GET", "/v1/replays?limit=5", key_read, NULL, &st);
    CHECK_INT(st, 200);
    json_t *arr = json_object_get(j, "replays");
    CHECK_INT(json_array_size(arr), 1);
    json_t *r0 = json_array_get(arr, 0);
    CHECK_INT(json_integer_value(json_object_get(r0, "replay_id")), 1);
    CHECK_STR(json_string_value(json_object_get(r0, "policy")), "epsilon_upsell=0.5");
    CHECK(json_is_null(json_object_get(r0, "from")));
    CHECK(json_equal(json_object_get(r0, "result"), cli));
    json_decref(j);
    json_decref(cli);
    check_error("/v1/replays?limit=0", key_read, 400, "bad_request", NULL);
    check_error("/v1/replays", NULL, 401, "unauthorized", NULL);
    /* documented, with the log parameter of the offers route */
    j = call("GET", "/v1/openapi.json", NULL, NULL, &st);
    CHECK_INT(st, 200);
    json_t *paths = json_object_get(j, "paths");
    CHECK(json_object_get(paths, "/v1/replays") != NULL);
    json_t *params = json_object_get(
        json_object_get(json_object_get(paths, "/v1/customers/{id}/offers"), "get"),
        "parameters");
    int has_log = 0;
    for (size_t i = 0; i < json_array_size(params); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(params, i), "name")),
                    "log"))
            has_log = 1;
    CHECK(has_log);
    json_decref(j);
}

static void teardown(void)
{
    xs_proc_kill(srv_pid);
    xs_proc_rmdir(dir);
}

static const xs_test tests[] = {
    {"setup", setup},
    {"log", test_log},
    {"replays", test_replays},
    {"teardown", teardown},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
