/*
 * test_serve_actions.c — the routes the dashboard acts through
 * (src/serve/handlers_actions.c, docs/api.md "Experiments" and "Audit
 * log"), against the real binary ($XS_BIN) started on 127.0.0.1 with an
 * ephemeral port over a demo store of 200 customers: GET /v1/key; POST
 * /v1/experiments and .../stop with every error's exact status and message
 * (the same text as `xsell experiment start`, from the same library call),
 * the experiment listed and stopped through GET /v1/experiments and
 * `xsell experiment list`; and the audit log: one row per write through
 * the API (offers logged, an outcome, experiments, events, a webhook added
 * and removed, a build) with the key id, action, target, before and after,
 * newest first, paged, admin only; audit rows do not count as a change of
 * the data (the store's data version); while another process holds the
 * store's write lock the new write routes answer 503 busy with Retry-After
 * and write nothing.
 */
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"
#include "../serve/xs_process.h"

#include <jansson.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *xs_bin;
static char dir[256], db[300], errlog[300], clilog[300];
static char key_read[XS_APIKEY_MAX], key_write[XS_APIKEY_MAX], key_admin[XS_APIKEY_MAX];
static char id_write[17], id_admin[17];
static pid_t srv_pid = -1;
static int port;
static int ready;

static void setup(void)
{
    xs_bin = getenv("XS_BIN");
    CHECK(xs_bin != NULL);
    if (!xs_bin) return;
    CHECK_INT(xs_proc_tmpdir("actions", "demo.db", dir, sizeof dir, db, errlog), 0);
    snprintf(clilog, sizeof clilog, "%s/cli.log", dir);
    char out[4096];
    CHECK_INT(xs_proc_run(
                  xs_bin, errlog, out, sizeof out,
                  (const char *const[]){"demo", "--db", db, "--customers", "200", NULL}),
              0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "read", key_read, sizeof key_read), 0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "write", key_write, sizeof key_write),
              0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "admin", key_admin, sizeof key_admin),
              0);
    memcpy(id_write, key_write + 3, 16);
    memcpy(id_admin, key_admin + 3, 16);
    static const char *const args[] = {"--threads", "2", NULL};
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, args, &srv_pid, &port), 0);
    ready = srv_pid > 0 && port > 0;
}

/* A request; the parsed JSON body (NULL when not JSON) and *status. */
static json_t *call(const char *method, const char *path, const char *key,
                    const char *body, int *status)
{
    http_resp r;
    *status = http_do(port, method, path, key, body, &r);
    json_t *j = r.body ? json_loads(r.body, 0, NULL) : NULL;
    http_resp_free(&r);
    return j;
}

/* An error answer: status and {"error":{"code":code,"message":msg}}. */
static void check_error(const char *method, const char *path, const char *key,
                        const char *body, int want_status, const char *code,
                        const char *msg)
{
    int st;
    json_t *j = call(method, path, key, body, &st);
    CHECK_INT(st, want_status);
    json_t *e = json_object_get(j, "error");
    CHECK_STR(json_string_value(json_object_get(e, "code")), code);
    if (msg) CHECK_STR(json_string_value(json_object_get(e, "message")), msg);
    if (st != want_status)
        fprintf(stderr, "  (%s %s %s)\n", method, path, body ? body : "");
    json_decref(j);
}

/* The text of a JSON value, compact with sorted keys. */
static const char *dump(json_t *v, char *buf, size_t n)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    snprintf(buf, n, "%s", s ? s : "(none)");
    free(s);
    return buf;
}

static void test_key(void)
{
    if (!ready) return;
    int st;
    json_t *j = call("GET", "/v1/key", key_write, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "key_id")), id_write);
    CHECK_STR(json_string_value(json_object_get(j, "scope")), "write");
    json_decref(j);
    j = call("GET", "/v1/key", key_read, NULL, &st);
    CHECK_STR(json_string_value(json_object_get(j, "scope")), "read");
    json_decref(j);
    check_error("GET", "/v1/key", NULL, NULL, 401, "unauthorized",
                "missing API key: send \"Authorization: Bearer <key>\"");
    /* the routes are in the served OpenAPI document, with their schemas */
    j = call("GET", "/v1/openapi.json", NULL, NULL, &st);
    json_t *paths = json_object_get(j, "paths");
    CHECK(json_object_get(json_object_get(paths, "/v1/experiments"), "post") != NULL);
    CHECK(json_object_get(json_object_get(paths, "/v1/experiments/{name}/stop"),
                          "post") != NULL);
    CHECK(json_object_get(json_object_get(paths, "/v1/audit"), "get") != NULL);
    CHECK(json_object_get(json_object_get(paths, "/v1/key"), "get") != NULL);
    json_t *schemas = json_object_get(json_object_get(j, "components"), "schemas");
    CHECK(json_object_get(schemas, "Experiment") != NULL);
    CHECK(json_object_get(schemas, "AuditEntry") != NULL);
    json_decref(j);
}

/* `xsell experiment ARGS` on the store: its stderr's first line into buf
 * (without "xsell experiment: "), the exit status returned. */
static int cli_experiment(char *buf, size_t n, const char *const *args)
{
    char out[4096];
    unlink(clilog);
    int rc = xs_proc_run(xs_bin, clilog, out, sizeof out, args);
    buf[0] = 0;
    FILE *f = fopen(clilog, "r");
    char line[1024] = "";
    if (f) {
        if (!fgets(line, sizeof line, f)) line[0] = 0;
        fclose(f);
    }
    line[strcspn(line, "\n")] = 0;
    const char *p = strncmp(line, "xsell experiment: ", 18) ? line : line + 18;
    snprintf(buf, n, "%s", p);
    return rc;
}

/* The names of GET /v1/experiments, with the end ("-" while running):
 * "name:end,..." */
static const char *listed(char *buf, size_t n)
{
    int st;
    json_t *j = call("GET", "/v1/experiments", key_read, NULL, &st);
    CHECK_INT(st, 200);
    size_t used = 0, i;
    json_t *x;
    buf[0] = 0;
    json_array_foreach(json_object_get(j, "experiments"), i, x)
    {
        const char *end = json_string_value(json_object_get(x, "end"));
        int k = snprintf(buf + used, n - used, "%s%s:%s", i ? "," : "",
                         json_string_value(json_object_get(x, "name")), end ? end : "-");
        if (k > 0 && (size_t)k < n - used) used += (size_t)k;
    }
    json_decref(j);
    return buf;
}

static void test_experiment_start_errors(void)
{
    if (!ready) return;
    const char *p = "/v1/experiments";
    check_error("POST", p, key_read, "{\"name\": \"x\", \"kind\": \"upsell\"}", 403,
                "forbidden", "this route needs a key with scope write (key has read)");
    check_error("POST", p, key_write, "", 400, "bad_json",
                "empty body: a JSON object is expected");
    check_error("POST", p, key_write, "{\"kind\": \"upsell\"}", 400, "bad_request",
                "name: required");
    check_error("POST", p, key_write, "{\"name\": \"x\"}", 400, "bad_request",
                "kind: required");
    check_error("POST", p, key_write, "{\"name\": 3, \"kind\": \"upsell\"}", 400,
                "bad_request", "name: expected a string");
    check_error("POST", p, key_write,
                "{\"name\": \"x\", \"kind\": \"upsell\", \"end\": []}", 400,
                "bad_request", "end: expected a string");
    /* each refusal says exactly what `xsell experiment start` says */
    static const struct {
        const char *body, *msg;
        const char *args[16];
    } bad[] = {
        {"{\"name\": \"x\", \"kind\": \"upsel\"}",
         "kind: expected upsell, cross_sell or downsell, got \"upsel\"",
         {"--name", "x", "--kind", "upsel"}},
        {"{\"name\": \"a b\", \"kind\": \"upsell\"}",
         "name: only letters, digits, '_', '-' and '.' allowed: \"a b\"",
         {"--name", "a b", "--kind", "upsell"}},
        {"{\"name\": \"x\", \"kind\": \"upsell\", \"split\": \"a:1,b:1\"}",
         "split: needs an arm named holdout and at least one other: \"a:1,b:1\"",
         {"--name", "x", "--kind", "upsell", "--split", "a:1,b:1"}},
        {"{\"name\": \"x\", \"kind\": \"upsell\", \"start\": \"2026-13-01\"}",
         "start: not a date (YYYY-MM-DD): \"2026-13-01\"",
         {"--name", "x", "--kind", "upsell", "--start", "2026-13-01"}},
        {"{\"name\": \"x\", \"kind\": \"upsell\", \"start\": \"2026-10-02\", \"end\": "
         "\"2026-10-01\"}",
         "end: before the start 2026-10-02: \"2026-10-01\"",
         {"--name", "x", "--kind", "upsell", "--start", "2026-10-02", "--end",
          "2026-10-01"}},
        {"{\"name\": "
         "\"a1234567890123456789012345678901234567890123456789012345678901234\", "
         "\"kind\": \"upsell\"}",
         "name: must be 1 to 63 characters",
         {"--name", "a1234567890123456789012345678901234567890123456789012345678901234",
          "--kind", "upsell"}},
    };
    for (size_t i = 0; i < XS_N(bad); i++) {
        check_error("POST", p, key_write, bad[i].body, 400, "bad_request", bad[i].msg);
        const char *args[20] = {"experiment", "start", "--db", db};
        size_t n = 4;
        for (size_t k = 0; bad[i].args[k]; k++)
            args[n++] = bad[i].args[k];
        args[n] = NULL;
        char cli[1024], want[1024];
        CHECK_INT(cli_experiment(cli, sizeof cli, args), 2);
        snprintf(want, sizeof want, "--%s", bad[i].msg);
        CHECK_STR(cli, want);
    }
    /* clashes with the stored ones: the demo's upsell holdout runs open */
    check_error(
        "POST", p, key_write,
        "{\"name\": \"spring\", \"kind\": \"upsell\", \"start\": \"2026-10-01\"}", 409,
        "conflict",
        "kind: an experiment of kind upsell overlapping these days exists: \"upsell\"");
    check_error("POST", p, key_write,
                "{\"name\": \"upsell\", \"kind\": \"upsell\", \"start\": \"2026-10-01\"}",
                409, "conflict", "name: an experiment of this name exists: \"upsell\"");
    char buf[512];
    CHECK_STR(listed(buf, sizeof buf), "cross_sell:-,downsell:-,upsell:-");
}

static void test_experiment_start_stop(void)
{
    if (!ready) return;
    char buf[512];
    int st;
    /* GET /v1/experiments has made its answer: a start and a stop renew it */
    CHECK_STR(listed(buf, sizeof buf), "cross_sell:-,downsell:-,upsell:-");
    const char *stop = "/v1/experiments/upsell/stop";
    check_error("POST", stop, key_read, "{}", 403, "forbidden",
                "this route needs a key with scope write (key has read)");
    check_error("POST", "/v1/experiments/nope/stop", key_write, "{}", 404, "not_found",
                "no experiment of this name: \"nope\"");
    check_error("POST", stop, key_write, "{\"end\": \"2020-01-01\"}", 400, "bad_request",
                "end: before the experiment's start 2026-04-03: \"2020-01-01\"");
    check_error("POST", stop, key_write, "{\"end\": \"soon\"}", 400, "bad_request",
                "end: not a date (YYYY-MM-DD): \"soon\"");
    check_error("POST", stop, key_write, "{\"end\": 5}", 400, "bad_request",
                "end: expected a string");
    json_t *j = call("POST", stop, key_write, "{\"end\": \"2026-09-30\"}", &st);
    CHECK_INT(st, 200);
    CHECK_STR(dump(j, buf, sizeof buf), "{\"end\":\"2026-09-30\",\"name\":\"upsell\"}");
    json_decref(j);
    check_error("POST", stop, key_write, "{\"end\": \"2026-09-30\"}", 409, "conflict",
                "experiment \"upsell\" already ended on 2026-09-30");
    CHECK_STR(listed(buf, sizeof buf), "cross_sell:-,downsell:-,upsell:2026-09-30");
    /* now a new upsell holdout may start the day after */
    j = call("POST", "/v1/experiments", key_write,
             "{\"name\": \"spring\", \"kind\": \"upsell\", \"split\": \"a:1,holdout:1\","
             " \"start\": \"2026-10-01\"}",
             &st);
    CHECK_INT(st, 201);
    CHECK_STR(dump(j, buf, sizeof buf), "{\"end\":null,\"kind\":\"upsell\",\"name\":"
                                        "\"spring\",\"split\":\"a:1,holdout:1\","
                                        "\"start\":\"2026-10-01\"}");
    json_decref(j);
    CHECK_STR(listed(buf, sizeof buf),
              "cross_sell:-,downsell:-,upsell:2026-09-30,spring:-");
    /* the report of an experiment that starts after the data says why */
    j = call("GET", "/v1/experiments", key_read, NULL, &st);
    json_t *x = json_array_get(json_object_get(j, "experiments"), 3);
    CHECK_STR(json_string_value(json_object_get(x, "name")), "spring");
    CHECK_STR(
        json_string_value(json_object_get(x, "error")),
        "as_of: experiment \"spring\" starts 2026-10-01, after the data's as-of day "
        "2026-09-30");
    json_decref(j);
    /* the CLI sees the same store; defaults: split and start (today) */
    char out[4096];
    CHECK_INT(xs_proc_run(xs_bin, errlog, out, sizeof out,
                          (const char *const[]){"experiment", "list", "--db", db,
                                                "--format", "csv", NULL}),
              0);
    CHECK(strstr(out, "\nspring,upsell,\"a:1,holdout:1\",2026-10-01,,") != NULL);
    j = call("POST", "/v1/experiments/spring/stop", key_write, "{}", &st);
    CHECK_INT(st, 200);
    char today[11];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    CHECK_STR(json_string_value(json_object_get(j, "end")), today);
    json_decref(j);
}

/* The audit entries, newest first, as "action target key" lines. */
static json_t *audit(const char *query, int *status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/audit%s", query);
    return call("GET", path, key_admin, NULL, status);
}

static uint64_t data_version(void)
{
    xs_store *st = NULL;
    char id[40];
    uint64_t v = 0;
    if (xs_store_open_readonly(&st, db, NULL) == XS_OK)
        xs_store_identity(st, id, &v, NULL);
    xs_store_close(st);
    return v;
}

static void test_audit(void)
{
    if (!ready) return;
    char buf[1024], path[256], body[256];
    int st;
    check_error("GET", "/v1/audit", key_write, NULL, 403, "forbidden",
                "this route needs a key with scope admin (key has write)");
    check_error("GET", "/v1/audit?limit=0", key_admin, NULL, 400, "bad_request",
                "limit: 0 is out of range [1, 1000]");
    check_error("GET", "/v1/audit?offset=x", key_admin, NULL, 400, "bad_request",
                "offset: not an integer: \"x\"");
    /* the experiments of the tests before: stop, start, stop (refusals
     * write nothing) */
    json_t *j = audit("", &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_integer_value(json_object_get(j, "total")), 3);
    json_t *e = json_object_get(j, "entries");
    CHECK_INT(json_array_size(e), 3);
    json_t *first = json_array_get(e, 2);
    CHECK_STR(json_string_value(json_object_get(first, "action")), "experiment.stop");
    CHECK_STR(json_string_value(json_object_get(first, "target")), "upsell");
    CHECK_STR(json_string_value(json_object_get(first, "key_id")), id_write);
    CHECK_STR(dump(json_object_get(first, "before"), buf, sizeof buf), "{\"end\":null}");
    CHECK_STR(dump(json_object_get(first, "after"), buf, sizeof buf),
              "{\"end\":\"2026-09-30\"}");
    const char *at = json_string_value(json_object_get(first, "at"));
    CHECK(at && strlen(at) == 20 && at[10] == 'T' && at[19] == 'Z');
    json_t *second = json_array_get(e, 1);
    CHECK_STR(json_string_value(json_object_get(second, "action")), "experiment.start");
    CHECK(json_is_null(json_object_get(second, "before")));
    CHECK_STR(dump(json_object_get(second, "after"), buf, sizeof buf),
              "{\"end\":null,\"kind\":\"upsell\",\"name\":\"spring\",\"split\":\"a:1,"
              "holdout:1\","
              "\"start\":\"2026-10-01\"}");
    json_decref(j);

    uint64_t v0 = data_version();
    /* offers logged (sent), then an outcome */
    j = call("GET", "/v1/targets?limit=1", key_read, NULL, &st);
    char cust[64];
    snprintf(cust, sizeof cust, "%s",
             json_string_value(json_object_get(
                 json_array_get(json_object_get(j, "targets"), 0), "customer_id")));
    json_decref(j);
    snprintf(path, sizeof path, "/v1/customers/%s/offers?log=1", cust);
    j = call("GET", path, key_write, NULL, &st);
    CHECK_INT(st, 200);
    json_t *offers = json_object_get(j, "offers");
    CHECK(json_array_size(offers) >= 1);
    json_t *ids = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(offers, i, o)
        json_array_append(ids, json_object_get(o, "offer_id"));
    char offer[32];
    snprintf(offer, sizeof offer, "%s",
             json_string_value(json_object_get(json_array_get(offers, 0), "offer_id")));
    json_decref(j);
    CHECK(data_version() > v0); /* the log is a change of the data */
    snprintf(path, sizeof path, "/v1/offers/%s/outcome", offer);
    j = call("POST", path, key_write,
             "{\"outcome\": \"accepted\", \"revenue_delta\": 12.5}", &st);
    CHECK_INT(st, 200);
    const char *day = json_string_value(json_object_get(j, "outcome_at"));
    char outcome_at[11];
    snprintf(outcome_at, sizeof outcome_at, "%s", day ? day : "");
    json_decref(j);
    /* events */
    j = call("POST", "/v1/events", key_write,
             "{\"events\": [{\"customer_id\": \"C00000001\", \"date\": \"2026-09-30\","
             " \"type\": \"login\", \"ref\": \"audit-test\"}]}",
             &st);
    CHECK_INT(st, 200);
    json_decref(j);
    /* a webhook added and removed (admin) */
    j = call("POST", "/v1/webhooks", key_admin,
             "{\"url\": \"http://127.0.0.1:9/hook\", \"events\": [\"offer.outcome\"]}",
             &st);
    CHECK_INT(st, 201);
    long long hook = json_integer_value(json_object_get(j, "webhook_id"));
    json_decref(j);
    snprintf(path, sizeof path, "/v1/webhooks/%lld", hook);
    json_decref(call("DELETE", path, key_admin, NULL, &st));
    CHECK_INT(st, 200);
    uint64_t v1 = data_version();
    /* a build */
    json_decref(call("POST", "/v1/build", key_admin, NULL, &st));
    CHECK_INT(st, 202);

    j = audit("?limit=6", &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_integer_value(json_object_get(j, "total")), 9);
    CHECK_INT(json_integer_value(json_object_get(j, "limit")), 6);
    CHECK_INT(json_integer_value(json_object_get(j, "offset")), 0);
    e = json_object_get(j, "entries");
    static const char *const want[][2] = {
        {"build", "admin"},  {"webhook.remove", "admin"}, {"webhook.add", "admin"},
        {"events", "write"}, {"offer.outcome", "write"},  {"offers.log", "write"},
    };
    CHECK_INT(json_array_size(e), 6);
    char hook_id[32];
    snprintf(hook_id, sizeof hook_id, "%lld", hook);
    const char *targets[] = {NULL, hook_id, hook_id, NULL, offer, cust};
    for (i = 0; i < 6 && i < json_array_size(e); i++) {
        json_t *x = json_array_get(e, i);
        CHECK_STR(json_string_value(json_object_get(x, "action")), want[i][0]);
        if (targets[i])
            CHECK_STR(json_string_value(json_object_get(x, "target")), targets[i]);
        else
            CHECK(json_is_null(json_object_get(x, "target")));
        CHECK_STR(json_string_value(json_object_get(x, "key_id")),
                  !strcmp(want[i][1], "admin") ? id_admin : id_write);
        if (i > 0)
            CHECK(json_integer_value(json_object_get(x, "audit_id")) <
                  json_integer_value(
                      json_object_get(json_array_get(e, i - 1), "audit_id")));
    }
    CHECK_STR(dump(json_object_get(json_array_get(e, 0), "after"), buf, sizeof buf),
              "{\"generation\":2,\"status\":\"building\"}");
    CHECK_STR(dump(json_object_get(json_array_get(e, 1), "after"), buf, sizeof buf),
              "{\"removed\":true}");
    CHECK_STR(dump(json_object_get(json_array_get(e, 2), "after"), buf, sizeof buf),
              "{\"events\":\"offer.outcome\",\"url\":\"http://127.0.0.1:9/hook\"}");
    CHECK_STR(
        dump(json_object_get(json_array_get(e, 3), "after"), buf, sizeof buf),
        "{\"applied\":{\"events\":1},\"inserted\":1,\"unchanged\":0,\"updated\":0}");
    json_t *oc = json_array_get(e, 4);
    CHECK_STR(dump(json_object_get(oc, "before"), buf, sizeof buf),
              "{\"outcome\":\"pending\"}");
    snprintf(
        body, sizeof body,
        "{\"outcome\":\"accepted\",\"outcome_at\":\"%s\",\"revenue_delta\":\"12.5\"}",
        outcome_at);
    CHECK_STR(dump(json_object_get(oc, "after"), buf, sizeof buf), body);
    json_t *lg = json_object_get(json_array_get(e, 5), "after");
    CHECK(json_equal(json_object_get(lg, "offer_ids"), ids));
    CHECK_INT(json_integer_value(json_object_get(lg, "decisions")), json_array_size(ids));
    json_decref(ids);
    json_decref(j);
    /* paging: the oldest row is the last of the whole list */
    j = audit("?limit=2&offset=8", &st);
    e = json_object_get(j, "entries");
    CHECK_INT(json_array_size(e), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(e, 0), "action")),
              "experiment.stop");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(e, 0), "audit_id")), 1);
    json_decref(j);
    j = audit("?offset=100", &st);
    CHECK_INT(json_array_size(json_object_get(j, "entries")), 0);
    json_decref(j);
    /* refused writes leave no row; the audit rows themselves are no change
     * of the data: the webhook rows moved data_version, the audit did not */
    check_error("POST", "/v1/offers/NOPE/outcome", key_write,
                "{\"outcome\": \"declined\"}", 404, "not_found",
                "unknown offer \"NOPE\"");
    j = audit("?limit=1", &st);
    CHECK_INT(json_integer_value(json_object_get(j, "total")), 9);
    json_decref(j);
    CHECK(v1 > v0);
    xs_store *sto = NULL;
    CHECK_INT(xs_store_open(&sto, db, NULL), XS_OK);
    uint64_t before = data_version();
    xs_audit_entry a = {0, NULL, NULL, "test", NULL, NULL, NULL};
    CHECK_INT(xs_store_audit_add(sto, &a, NULL), XS_OK);
    xs_error err;
    xs_audit_entry none = {0, NULL, NULL, NULL, NULL, NULL, NULL};
    CHECK_INT(xs_store_audit_add(sto, &none, &err), XS_EINVAL);
    CHECK_STR(err.message, "an audit row needs an action");
    xs_store_close(sto);
    CHECK_INT(data_version(), before);
}

/* Another process's write lock (BEGIN IMMEDIATE): the new write routes wait
 * --lock-timeout (default 1 s), then answer 503 busy; nothing is written. */
static void test_busy(void)
{
    if (!ready) return;
    sqlite3 *holder = NULL;
    CHECK_INT(sqlite3_open(db, &holder), SQLITE_OK);
    CHECK_INT(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    static const char *const req[][2] = {
        {"/v1/experiments", "{\"name\": \"busy\", \"kind\": \"downsell\"}"},
        {"/v1/experiments/downsell/stop", "{}"},
    };
    for (size_t i = 0; i < XS_N(req); i++) {
        http_resp r;
        CHECK_INT(http_do(port, "POST", req[i][0], key_write, req[i][1], &r), 503);
        CHECK_STR(http_header(&r, "Retry-After"), "1");
        CHECK(r.body &&
              strstr(r.body, "{\"error\":{\"code\":\"busy\",\"message\":\"store is "
                             "busy (locked by another process); try again\"}}"));
        http_resp_free(&r);
    }
    sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(holder);
    char buf[512], want[128], today[11];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    snprintf(want, sizeof want, "cross_sell:-,downsell:-,upsell:2026-09-30,spring:%s",
             today);
    CHECK_STR(listed(buf, sizeof buf), want);
    int st;
    json_t *j = audit("?limit=1", &st);
    CHECK_INT(json_integer_value(json_object_get(j, "total")),
              10); /* 9 + the library's */
    json_decref(j);
}

static void teardown(void)
{
    xs_proc_kill(srv_pid);
    xs_proc_rmdir(dir);
}

int main(void)
{
    static const xs_test tests[] = {
        {"setup", setup},
        {"key", test_key},
        {"experiment_start_errors", test_experiment_start_errors},
        {"experiment_start_stop", test_experiment_start_stop},
        {"audit", test_audit},
        {"busy", test_busy},
        {"teardown", teardown},
    };
    return xs_test_run(tests, XS_N(tests));
}
