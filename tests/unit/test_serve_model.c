/*
 * test_serve_model.c — `xsell serve` on a model file: the real binary
 * ($XS_BIN) over a generated store (xsell gen, 400 customers, imported)
 * built with `xsell build --out`. Three servers on 127.0.0.1 with
 * ephemeral ports: A with --db only (the model file hidden, so A builds its
 * model in memory at start), B and C with --model on the same file. Every
 * read route answers the same JSON on A and B (targets, every target's
 * customer and offers, rules, together, KPIs, segments, guardrails,
 * experiments, the cart), B and C answer identically (also /healthz, but
 * for its clocks), and the target list pages through the model's order
 * (pages of 7 put together are the whole list). A model file that cannot
 * be served — missing, not a model, truncated, one flipped byte, built from
 * another store — makes `serve --model` exit 2 with the loader's message
 * before it listens (nothing on stdout). `serve --db` alone maps the
 * store's latest model file only while it is current, and POST /v1/build
 * writes a new one there and maps it (or, when the file cannot be written,
 * serves the model built again in memory and says why on stderr).
 */
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"
#include "../serve/xs_process.h"

#include <jansson.h>
#include <sys/stat.h>

static const char *xs_bin;
static char dir[256], db[300], errlog[300], model[400], replica[400];
static char key[XS_APIKEY_MAX];
static pid_t pid[4] = {-1, -1, -1, -1};
static int port[4];
static int ready;

static int run_xs(char *out, size_t cap, const char *const *args)
{
    return xs_proc_run(xs_bin, errlog, out, cap, args);
}

/* Copies file a to b. Returns 0 or -1. */
static int copy_file(const char *a, const char *b)
{
    FILE *in = fopen(a, "rb"), *out = fopen(b, "wb");
    char buf[65536];
    size_t k;
    int rc = in && out ? 0 : -1;
    while (rc == 0 && (k = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, k, out) != k) rc = -1;
    if (in) fclose(in);
    if (out && fclose(out) != 0) rc = -1;
    return rc;
}

/* Generates a company of n customers with seed into store path s (every
 * table imported) and builds it with --out m. Returns 0 or -1. */
static int make_store(const char *s, const char *m, const char *n, const char *seed)
{
    char csv[400], path[500], out[4096];
    snprintf(csv, sizeof csv, "%s/csv-%s", dir, seed);
    if (run_xs(out, sizeof out,
               (const char *const[]){"gen", "--out", csv, "--customers", n, "--seed",
                                     seed, NULL}) != 0)
        return -1;
    static const char *const tables[] = {
        "customers", "products", "subscriptions", "orders", "usage", "events", "offers"};
    for (size_t i = 0; i < XS_N(tables); i++) {
        snprintf(path, sizeof path, "%s/%s.csv", csv, tables[i]);
        if (run_xs(out, sizeof out,
                   (const char *const[]){"import", "--db", s, tables[i], path, NULL}) !=
            0)
            return -1;
    }
    return run_xs(out, sizeof out,
                  (const char *const[]){"build", "--db", s, "--out", m, NULL}) == 0
               ? 0
               : -1;
}

static void setup(void)
{
    xs_bin = getenv("XS_BIN");
    CHECK(xs_bin != NULL);
    if (!xs_bin) return;
    CHECK_INT(xs_proc_tmpdir("smodel", "s.db", dir, sizeof dir, db, errlog), 0);
    snprintf(model, sizeof model, "%s/m.xsm", dir);
    snprintf(replica, sizeof replica, "%s/replica.xsm", dir);
    CHECK_INT(make_store(db, model, "400", "11"), 0);
    /* the replicas' file is a copy; without the store's own model file A
     * builds its model from the store */
    CHECK_INT(copy_file(model, replica), 0);
    CHECK_INT(unlink(model), 0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "read", key, sizeof key), 0);
    static const char *const none[] = {NULL};
    static const char *const with_model[] = {"--model", replica, NULL};
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, none, &pid[0], &port[0]), 0);
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, with_model, &pid[1], &port[1]), 0);
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, with_model, &pid[2], &port[2]), 0);
    ready = pid[0] > 0 && pid[1] > 0 && pid[2] > 0;
}

/* GET path from server k: the parsed body (NULL when not JSON) and status. */
static json_t *get(int k, const char *path, int *status)
{
    http_resp r;
    *status = http_do(port[k], "GET", path, key, NULL, &r);
    json_t *j = r.body ? json_loads(r.body, 0, NULL) : NULL;
    http_resp_free(&r);
    return j;
}

static json_t *post(int k, const char *path, const char *body, int *status)
{
    http_resp r;
    *status = http_do(port[k], "POST", path, key, body, &r);
    json_t *j = r.body ? json_loads(r.body, 0, NULL) : NULL;
    http_resp_free(&r);
    return j;
}

/* 1 when servers a and b answer path with the same status and JSON. */
static int same(int a, int b, const char *path)
{
    int sa, sb;
    json_t *ja = get(a, path, &sa), *jb = get(b, path, &sb);
    int ok = sa == sb && sa != 0 && ja && jb && json_equal(ja, jb);
    if (!ok) {
        char *ta = ja ? json_dumps(ja, JSON_COMPACT) : NULL;
        char *tb = jb ? json_dumps(jb, JSON_COMPACT) : NULL;
        fprintf(stderr, "%s: %d %.400s\n  vs %d %.400s\n", path, sa, ta ? ta : "-", sb,
                tb ? tb : "-");
        free(ta);
        free(tb);
    }
    json_decref(ja);
    json_decref(jb);
    return ok;
}

/* The whole target list of server k (one page). */
static json_t *all_targets(int k)
{
    int st;
    json_t *j = get(k, "/v1/targets?limit=100000", &st);
    CHECK_INT(st, 200);
    return j;
}

static void test_same_as_db(void)
{
    if (!ready) return;
    static const char *const paths[] = {
        "/v1/targets",
        "/v1/targets?limit=100000",
        "/v1/targets?offset=5&limit=3",
        "/v1/rules?limit=1000",
        "/v1/kpi",
        "/v1/kpi?by=segment&period=quarter",
        "/v1/segments",
        "/v1/guardrails",
        "/v1/experiments",
        "/v1/customers/nobody",
        "/v1/items/nothing/together",
    };
    for (size_t i = 0; i < XS_N(paths); i++)
        CHECK(same(0, 1, paths[i]));
    /* every target's scores and offers, and the items of the rules */
    json_t *t = all_targets(0);
    json_t *rows = json_object_get(t, "targets");
    CHECK(json_array_size(rows) > 50);
    char path[400];
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *c = json_string_value(json_object_get(row, "customer_id"));
        snprintf(path, sizeof path, "/v1/customers/%s", c);
        CHECK(same(0, 1, path));
        snprintf(path, sizeof path, "/v1/customers/%s/offers?limit=5", c);
        CHECK(same(0, 1, path));
    }
    json_decref(t);
    int st;
    json_t *rules = get(0, "/v1/rules?limit=20", &st);
    json_t *rule;
    size_t n_items = 0;
    json_array_foreach(json_object_get(rules, "rules"), i, rule)
    {
        const char *item =
            json_string_value(json_array_get(json_object_get(rule, "lhs"), 0));
        snprintf(path, sizeof path, "/v1/items/%s/together?limit=20", item);
        CHECK(same(0, 1, path));
        snprintf(path, sizeof path, "/v1/rules?lhs=%s&limit=50", item);
        CHECK(same(0, 1, path));
        n_items++;
    }
    CHECK(n_items > 0);
    json_decref(rules);
    /* the cart of an anonymous shopper */
    static const char cart[] = "{\"items\":[\"shop-mouse\",\"shop-desk\"]}";
    json_t *ra = post(0, "/v1/cart/recommendations", cart, &st);
    CHECK_INT(st, 200);
    int st2;
    json_t *rb = post(1, "/v1/cart/recommendations", cart, &st2);
    CHECK_INT(st2, 200);
    CHECK(ra && rb && json_equal(ra, rb));
    json_decref(ra);
    json_decref(rb);
}

static void test_replicas_identical(void)
{
    if (!ready) return;
    static const char *const paths[] = {
        "/v1/targets?limit=100000", "/v1/rules?limit=1000", "/v1/kpi", "/v1/segments",
        "/v1/guardrails",           "/v1/experiments",
    };
    for (size_t i = 0; i < XS_N(paths); i++)
        CHECK(same(1, 2, paths[i]));
    json_t *t = all_targets(1);
    size_t i;
    json_t *row;
    char path[400];
    json_array_foreach(json_object_get(t, "targets"), i, row)
    {
        snprintf(path, sizeof path, "/v1/customers/%s/offers",
                 json_string_value(json_object_get(row, "customer_id")));
        CHECK(same(1, 2, path));
    }
    json_decref(t);
    /* /healthz: the same model but for the clocks of each process */
    int s1, s2;
    json_t *h1 = get(1, "/healthz", &s1), *h2 = get(2, "/healthz", &s2);
    CHECK_INT(s1, 200);
    CHECK_INT(s2, 200);
    json_t *m1 = json_object_get(h1, "model"), *m2 = json_object_get(h2, "model");
    CHECK(m1 && m2);
    if (m1 && m2) {
        json_object_del(m1, "age_seconds");
        json_object_del(m2, "age_seconds");
        json_object_del(m1, "build_seconds");
        json_object_del(m2, "build_seconds");
        CHECK(json_equal(h1, h2));
        CHECK(json_is_true(json_object_get(m1, "mapped")));
        CHECK_STR(json_string_value(json_object_get(m1, "file")), "replica.xsm");
        struct stat sb;
        CHECK_INT(stat(replica, &sb), 0);
        CHECK_INT(json_integer_value(json_object_get(m1, "file_bytes")), sb.st_size);
    }
    json_decref(h1);
    json_decref(h2);
    /* A built its model in memory */
    json_t *h0 = get(0, "/healthz", &s1);
    CHECK(json_is_false(json_object_get(json_object_get(h0, "model"), "mapped")));
    CHECK(json_is_null(json_object_get(json_object_get(h0, "model"), "file")));
    json_decref(h0);
}

static void test_targets_pages(void)
{
    if (!ready) return;
    json_t *whole = all_targets(1);
    json_t *rows = json_object_get(whole, "targets");
    size_t total = (size_t)json_integer_value(json_object_get(whole, "total"));
    CHECK_INT(json_array_size(rows), total);
    json_t *joined = json_array();
    char path[200];
    for (size_t off = 0; off < total + 7; off += 7) {
        int st;
        snprintf(path, sizeof path, "/v1/targets?offset=%zu&limit=7", off);
        json_t *p = get(1, path, &st);
        CHECK_INT(st, 200);
        CHECK_INT(json_integer_value(json_object_get(p, "offset")), off);
        CHECK_INT(json_integer_value(json_object_get(p, "total")), total);
        json_t *pr = json_object_get(p, "targets");
        CHECK_INT(json_array_size(pr), off >= total      ? 0
                                       : total - off < 7 ? total - off
                                                         : 7);
        json_array_extend(joined, pr);
        json_decref(p);
    }
    CHECK(json_equal(joined, rows));
    /* ranks count on from the offset */
    CHECK_INT(json_integer_value(json_object_get(json_array_get(joined, 8), "rank")), 9);
    json_decref(joined);
    json_decref(whole);
    int st;
    json_t *e = get(1, "/v1/targets?offset=-1", &st);
    CHECK_INT(st, 400);
    json_decref(e);
}

/* Runs `serve --db db --model path`: it must exit 2 at once, print nothing
 * on stdout and say msg on stderr (its last line; NULL: not checked, the
 * log stays in DIR/refused.log). */
static void refused(const char *path, const char *msg)
{
    char out[4096], log[400], err[4096] = "";
    snprintf(log, sizeof log, "%s/refused.log", dir);
    unlink(log);
    int rc = xs_proc_run(xs_bin, log, out, sizeof out,
                         (const char *const[]){"serve", "--db", db, "--model", path,
                                               "--listen", "127.0.0.1:0", NULL});
    CHECK_INT(rc, 2);
    CHECK_STR(out, "");
    FILE *f = fopen(log, "r");
    size_t n = f ? fread(err, 1, sizeof err - 1, f) : 0;
    err[n] = 0;
    if (f) fclose(f);
    /* the dashboard's note may come first: the message is the last line */
    char *line = err;
    for (char *p = err; *p; p++)
        if (*p == '\n' && p[1]) line = p + 1;
    if (msg) CHECK_STR(line, msg);
}

/* Writes bytes [0, n) of replica to path, with byte at flipped when >= 0. */
static void damaged(const char *path, long n, long at)
{
    FILE *in = fopen(replica, "rb"), *out = fopen(path, "wb");
    CHECK(in && out);
    if (!in || !out) {
        if (in) fclose(in);
        if (out) fclose(out);
        return;
    }
    for (long i = 0; i < n; i++) {
        int c = fgetc(in);
        if (c == EOF) break;
        if (i == at) c ^= 0x20;
        fputc(c, out);
    }
    fclose(in);
    fclose(out);
}

static void test_bad_model_file(void)
{
    if (!ready) return;
    struct stat sb;
    CHECK_INT(stat(replica, &sb), 0);
    long size = (long)sb.st_size;
    char path[400], msg[1200];
    snprintf(path, sizeof path, "%s/missing.xsm", dir);
    snprintf(msg, sizeof msg, "xsell serve: %s: no such model file\n", path);
    refused(path, msg);
    snprintf(msg, sizeof msg, "xsell serve: %s: not an xsell model file\n", db);
    refused(db, msg);
    snprintf(path, sizeof path, "%s/half.xsm", dir);
    damaged(path, size / 2, -1);
    snprintf(msg, sizeof msg, "xsell serve: %s: truncated: %ld of %ld bytes\n", path,
             size / 2, size);
    refused(path, msg);
    snprintf(path, sizeof path, "%s/flipped.xsm", dir);
    damaged(path, size, size / 2);
    snprintf(msg, sizeof msg,
             "xsell serve: %s: checksum mismatch (the file is corrupted)\n", path);
    refused(path, msg);
    /* a model of another store */
    char other[400], other_model[400], out[4096];
    snprintf(other, sizeof other, "%s/other.db", dir);
    snprintf(other_model, sizeof other_model, "%s/other.xsm", dir);
    CHECK_INT(make_store(other, other_model, "50", "12"), 0);
    char id[64] = "", id2[64] = "";
    /* the two ids, as `xsell build` gave them: read through the message */
    snprintf(path, sizeof path, "%s/refused.log", dir);
    refused(other_model, NULL);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = 0;
    if (f) fclose(f);
    const char *p = strstr(out, "(store id ");
    CHECK(p &&
          sscanf(p, "(store id %63[0-9a-f], this store's is %63[0-9a-f])", id, id2) == 2);
    CHECK(strlen(id) == 32 && strlen(id2) == 32 && strcmp(id, id2));
    snprintf(
        msg, sizeof msg,
        "xsell serve: %s: built from another store (store id %s, this store's is %s)\n",
        other_model, id, id2);
    refused(other_model, msg);
}

/* The "model" object of server k's /healthz (a new reference). */
static json_t *health_model(int k)
{
    int st;
    json_t *h = get(k, "/healthz", &st);
    CHECK_INT(st, 200);
    json_t *m = json_incref(json_object_get(h, "model"));
    json_decref(h);
    return m;
}

/* The id of a pending offer of the generated offers.csv into id. */
static int pending_offer(char *id, size_t n)
{
    char path[400], line[512];
    snprintf(path, sizeof path, "%s/csv-11/offers.csv", dir);
    FILE *f = fopen(path, "r");
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f))
        if (strstr(line, ",pending,")) {
            line[strcspn(line, ",")] = 0;
            snprintf(id, n, "%s", line);
            found = 1;
        }
    if (f) fclose(f);
    return found ? 0 : -1;
}

/* `serve --db` alone maps the store's latest model file while the store
 * is as it was built, builds in memory once the store's data changed (an
 * outcome recorded), and maps the file of the next `xsell build`. */
static void test_latest_model(void)
{
    if (!ready) return;
    char out[4096], offer[64];
    static const char *const none[] = {NULL};
    CHECK_INT(copy_file(replica, model), 0); /* the store's file is back */
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, none, &pid[3], &port[3]), 0);
    json_t *m = health_model(3);
    CHECK(json_is_true(json_object_get(m, "mapped")));
    CHECK_STR(json_string_value(json_object_get(m, "file")), "m.xsm");
    json_decref(m);
    CHECK(same(1, 3, "/v1/targets?limit=100000"));
    CHECK(same(1, 3, "/v1/guardrails"));
    xs_proc_kill(pid[3]);
    CHECK_INT(pending_offer(offer, sizeof offer), 0);
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"outcome", "--db", db, "--offer", offer,
                                           "declined", "--at", "2026-09-30", NULL}),
              0);
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, none, &pid[3], &port[3]), 0);
    m = health_model(3);
    CHECK(json_is_false(json_object_get(m, "mapped")));
    json_decref(m);
    xs_proc_kill(pid[3]);
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"build", "--db", db, "--out", model, NULL}),
              0);
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, none, &pid[3], &port[3]), 0);
    m = health_model(3);
    CHECK(json_is_true(json_object_get(m, "mapped")));
    CHECK_STR(json_string_value(json_object_get(m, "file")), "m.xsm");
    json_decref(m);
}

/* POST /v1/build: a new model saved as the store's model file and mapped;
 * it answers as the model it replaced (the store has not changed). */
static void test_build_maps_file(void)
{
    if (!ready || pid[3] <= 0) return;
    char admin[XS_APIKEY_MAX];
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "admin", admin, sizeof admin), 0);
    nanosleep(&(struct timespec){1, 200000000}, NULL); /* keys are re-read every second */
    int st;
    json_t *before = get(3, "/v1/targets?limit=100000", &st);
    CHECK_INT(st, 200);
    http_resp r;
    CHECK_INT(http_do(port[3], "POST", "/v1/build", admin, "", &r), 202);
    http_resp_free(&r);
    json_t *m = NULL;
    double until = xs_proc_now() + 60;
    while (xs_proc_now() < until) {
        json_decref(m);
        m = health_model(3);
        if (json_integer_value(json_object_get(m, "generation")) == 2) break;
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    CHECK_INT(json_integer_value(json_object_get(m, "generation")), 2);
    CHECK(json_is_true(json_object_get(m, "mapped")));
    CHECK_STR(json_string_value(json_object_get(m, "file")), "m.xsm");
    CHECK(json_is_null(json_object_get(m, "last_build_error")));
    json_decref(m);
    json_t *after = get(3, "/v1/targets?limit=100000", &st);
    CHECK_INT(st, 200);
    CHECK(before && after && json_equal(before, after));
    json_decref(before);
    json_decref(after);
}

/* Replicas started with --model follow a new build put in the file's place
 * (renamed, as `xsell build --out` does) within their poll (2 s): both
 * serve it, as the server that built the same store does; a broken file
 * put there is refused and the model served stays. */
static void test_replicas_follow(void)
{
    if (!ready || pid[3] <= 0) return;
    char out[4096], fresh[420], junk[420];
    snprintf(fresh, sizeof fresh, "%s/fresh.xsm", dir);
    snprintf(junk, sizeof junk, "%s/junk.xsm", dir);
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"build", "--db", db, "--out", fresh, NULL}),
              0);
    CHECK_INT(rename(fresh, replica), 0);
    for (int k = 1; k <= 2; k++) {
        json_t *m = NULL;
        double until = xs_proc_now() + 20;
        while (xs_proc_now() < until) {
            json_decref(m);
            m = health_model(k);
            if (json_integer_value(json_object_get(m, "generation")) == 2) break;
            nanosleep(&(struct timespec){0, 100000000}, NULL);
        }
        CHECK_INT(json_integer_value(json_object_get(m, "generation")), 2);
        CHECK(json_is_true(json_object_get(m, "mapped")));
        json_decref(m);
        CHECK(same(k, 3, "/v1/targets?limit=100000"));
    }
    FILE *f = fopen(junk, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("not a model\n", f);
        fclose(f);
    }
    CHECK_INT(rename(junk, replica), 0);
    nanosleep(&(struct timespec){3, 0}, NULL);
    json_t *m = health_model(1);
    CHECK_INT(json_integer_value(json_object_get(m, "generation")), 2);
    json_decref(m);
    CHECK(same(1, 3, "/v1/targets?limit=100000"));
}

/* The last n - 1 bytes (at most) of file path into buf, NUL-terminated. */
static void read_tail(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    if (f && fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        fseek(f, size > (long)n - 1 ? size - ((long)n - 1) : 0, SEEK_SET);
    }
    size_t k = f ? fread(buf, 1, n - 1, f) : 0;
    buf[k] = 0;
    if (f) fclose(f);
}

/* POST /v1/build when the store's model file cannot be written (the
 * directory the last build put it in is gone): the build made again in
 * memory is served (not mapped, no build error), answering as before, and
 * stderr says why. */
static void test_build_unwritable(void)
{
    if (!ready || pid[3] <= 0) return;
    char out[4096], gone[300], bad[320], admin[XS_APIKEY_MAX];
    static char log[1 << 16];
    snprintf(gone, sizeof gone, "%s/gone", dir);
    snprintf(bad, sizeof bad, "%s/m.xsm", gone);
    CHECK_INT(mkdir(gone, 0700), 0);
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"build", "--db", db, "--out", bad, NULL}),
              0);
    CHECK_INT(unlink(bad), 0);
    CHECK_INT(rmdir(gone), 0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "admin", admin, sizeof admin), 0);
    nanosleep(&(struct timespec){1, 200000000}, NULL); /* keys are re-read every second */
    int st;
    json_t *before = get(3, "/v1/targets?limit=100000", &st);
    CHECK_INT(st, 200);
    json_t *m = health_model(3);
    json_int_t gen = json_integer_value(json_object_get(m, "generation"));
    json_decref(m);
    m = NULL;
    http_resp r;
    CHECK_INT(http_do(port[3], "POST", "/v1/build", admin, "", &r), 202);
    http_resp_free(&r);
    double until = xs_proc_now() + 60;
    while (xs_proc_now() < until) {
        json_decref(m);
        m = health_model(3);
        if (json_integer_value(json_object_get(m, "generation")) == gen + 1) break;
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    CHECK_INT(json_integer_value(json_object_get(m, "generation")), gen + 1);
    CHECK(json_is_false(json_object_get(m, "mapped")));
    CHECK(json_is_null(json_object_get(m, "last_build_error")));
    json_decref(m);
    json_t *after = get(3, "/v1/targets?limit=100000", &st);
    CHECK_INT(st, 200);
    CHECK(before && after && json_equal(before, after));
    json_decref(before);
    json_decref(after);
    read_tail(errlog, log, sizeof log);
    char want[600];
    snprintf(want, sizeof want, "xsell serve: POST /v1/build: model file %s: ", bad);
    CHECK(strstr(log, want) != NULL);
    CHECK(strstr(log, ": serving the model built in memory\n") != NULL);
}

static void teardown(void)
{
    for (int k = 0; k < 4; k++)
        xs_proc_kill(pid[k]);
    xs_proc_rmdir(dir);
}

static const xs_test tests[] = {
    {"setup", setup},
    {"same_as_db", test_same_as_db},
    {"replicas_identical", test_replicas_identical},
    {"targets_pages", test_targets_pages},
    {"bad_model_file", test_bad_model_file},
    {"latest_model", test_latest_model},
    {"build_maps_file", test_build_maps_file},
    {"replicas_follow", test_replicas_follow},
    {"build_unwritable", test_build_unwritable},
    {"teardown", teardown},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
