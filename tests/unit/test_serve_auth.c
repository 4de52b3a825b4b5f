/*
 * test_serve_auth.c — the pieces of `xsell serve` that need no socket:
 * SHA-256 against the FIPS 180-2 example vectors and HMAC-SHA256 against
 * RFC 4231's (base/crypto.c, OpenSSL), API keys in the store
 * (create, load, check in every malformed way, revoke, list never showing
 * secrets, the schema's api_keys table) and the route pattern matcher.
 */
#include "base/alloc.h"
#include "base/crypto.h"
#include "serve/serve_int.h"
#include "store/store_int.h"
#include "test.h"

#include "../serve/http_client.h"

#include <poll.h>
#include <unistd.h>

static const char *digest(const void *data, size_t len)
{
    static char out[65];
    unsigned char d[32];
    xs__sha256(data, len, d);
    xs__hex(d, 32, out);
    return out;
}

/* FIPS 180-2 appendix B: one block, two blocks, a million 'a'; plus the
 * empty message and lengths around the padding boundary (55, 56, 64 bytes)
 * checked against the one-shot digest fed in uneven pieces. */
static void test_sha256_vectors(void)
{
    CHECK_STR(digest("abc", 3),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK_STR(digest(two, strlen(two)),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK_STR(digest("", 0),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    CHECK_STR(digest(a, 1000000),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* in parts of 1, 7 and 63 bytes gives the same digest */
    size_t lens[] = {55, 56, 63, 64, 65, 119, 120, 1000};
    for (size_t k = 0; k < XS_N(lens); k++) {
        unsigned char one[32], inc[32];
        xs__sha256(a, lens[k], one);
        size_t steps[] = {1, 7, 63};
        for (size_t s = 0; s < 3; s++) {
            const void *ptr[1000];
            size_t len[1000], n = 0;
            for (size_t off = 0; off < lens[k]; off += steps[s]) {
                ptr[n] = a + off;
                len[n++] = off + steps[s] <= lens[k] ? steps[s] : lens[k] - off;
            }
            xs__sha256_parts(n, ptr, len, inc);
            CHECK(!memcmp(one, inc, 32));
        }
    }
    free(a);
}

static const char *mac(const void *key, size_t n_key, const void *msg, size_t n_msg)
{
    static char out[65];
    unsigned char d[32];
    xs__hmac_sha256(key, n_key, msg, n_msg, d);
    xs__hex(d, 32, out);
    return out;
}

/* RFC 4231 test cases 1, 2, 3 and 6 (a key longer than the block). */
static void test_hmac_vectors(void)
{
    unsigned char k1[20], k3[20], d3[50], k6[131];
    memset(k1, 0x0b, sizeof k1);
    CHECK_STR(mac(k1, 20, "Hi There", 8),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK_STR(mac("Jefe", 4, "what do ya want for nothing?", 28),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(k3, 0xaa, sizeof k3);
    memset(d3, 0xdd, sizeof d3);
    CHECK_STR(mac(k3, 20, d3, 50),
              "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    memset(k6, 0xaa, sizeof k6);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    CHECK_STR(mac(k6, 131, m6, strlen(m6)),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    /* xs__hex and the constant-time comparison */
    char h[7];
    xs__hex((const unsigned char *)"\x00\xab\xff", 3, h);
    CHECK_STR(h, "00abff");
    CHECK(xs__equal_ct("abc", "abc", 3));
    CHECK(!xs__equal_ct("abc", "abd", 3));
}

static char db_path[256];

static xs_store *fresh_store(void)
{
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(db_path, sizeof db_path, "%s/xs_serve_auth_%d.db", dir, (int)getpid());
    unlink(db_path);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db_path, &e), XS_OK);
    return st;
}

static void drop_store(xs_store *st)
{
    char p[300];
    xs_store_close(st);
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

static void test_scopes(void)
{
    xs_apikey_scope s;
    CHECK_INT(xs_apikey_scope_parse("read", &s), XS_OK);
    CHECK_INT(s, XS_SCOPE_READ);
    CHECK_INT(xs_apikey_scope_parse("admin", &s), XS_OK);
    CHECK_INT(s, XS_SCOPE_ADMIN);
    CHECK_INT(xs_apikey_scope_parse("root", &s), XS_EINVAL);
    CHECK_INT(xs_apikey_scope_parse("", &s), XS_EINVAL);
    CHECK_STR(xs_apikey_scope_name(XS_SCOPE_WRITE), "write");
    CHECK_STR(xs_apikey_scope_name(XS_SCOPE_NONE), "none");
    CHECK(XS_SCOPE_READ < XS_SCOPE_WRITE && XS_SCOPE_WRITE < XS_SCOPE_ADMIN);
}

static void test_keys(void)
{
    xs_store *st = fresh_store();
    xs_error e;
    char k1[XS_APIKEY_MAX], k2[XS_APIKEY_MAX], small[10];
    CHECK_INT(xs_apikey_create(st, XS_SCOPE_READ, "dash", k1, sizeof k1, &e), XS_OK);
    CHECK_INT(xs_apikey_create(st, XS_SCOPE_ADMIN, NULL, k2, sizeof k2, &e), XS_OK);
    CHECK_INT(xs_apikey_create(st, XS_SCOPE_NONE, NULL, k2 + 0, sizeof k2, &e), XS_EINVAL);
    CHECK_INT(xs_apikey_create(st, XS_SCOPE_READ, NULL, small, sizeof small, &e), XS_EINVAL);
    CHECK_INT(strlen(k1), 3 + 16 + 1 + 64);
    CHECK(!strncmp(k1, "xs_", 3) && k1[19] == '_');
    CHECK(strcmp(k1, k2));

    /* the secret is stored nowhere: only its salted hash */
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_prepare_v2(st->db, "SELECT count(*) FROM api_keys WHERE instr(hex(hash), upper(?1)) OR instr(hex(salt), upper(?1))",
                                 -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_text(q, 1, k1 + 20, 16, SQLITE_TRANSIENT);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);

    xs_apikeys *ks = NULL;
    CHECK_INT(xs_apikeys_load(st, &ks, &e), XS_OK);
    CHECK_INT(xs_apikeys_check(ks, k1, strlen(k1)), XS_SCOPE_READ);
    CHECK_INT(xs_apikeys_check(ks, k2, strlen(k2)), XS_SCOPE_ADMIN);
    /* one flipped secret digit, a flipped id digit, truncated, extended,
     * wrong prefix, upper-case hex, empty, NULL set */
    char bad[XS_APIKEY_MAX + 2];
    strcpy(bad, k1);
    bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
    CHECK_INT(xs_apikeys_check(ks, bad, strlen(bad)), XS_SCOPE_NONE);
    strcpy(bad, k1);
    bad[5] = bad[5] == '0' ? '1' : '0';
    CHECK_INT(xs_apikeys_check(ks, bad, strlen(bad)), XS_SCOPE_NONE);
    CHECK_INT(xs_apikeys_check(ks, k1, strlen(k1) - 1), XS_SCOPE_NONE);
    snprintf(bad, sizeof bad, "%s0", k1);
    CHECK_INT(xs_apikeys_check(ks, bad, strlen(bad)), XS_SCOPE_NONE);
    strcpy(bad, k1);
    bad[0] = 'X';
    CHECK_INT(xs_apikeys_check(ks, bad, strlen(bad)), XS_SCOPE_NONE);
    strcpy(bad, k1);
    for (char *p = bad + 3; *p; p++)
        if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
    CHECK_INT(xs_apikeys_check(ks, bad, strlen(bad)), XS_SCOPE_NONE);
    CHECK_INT(xs_apikeys_check(ks, "", 0), XS_SCOPE_NONE);
    CHECK_INT(xs_apikeys_check(NULL, k1, strlen(k1)), XS_SCOPE_NONE);
    xs_apikeys_free(ks);

    /* revoke by id: gone from the next load; twice or unknown is an error */
    char id[17];
    memcpy(id, k1 + 3, 16);
    id[16] = 0;
    CHECK_INT(xs_apikey_revoke(st, id, &e), XS_OK);
    CHECK_INT(xs_apikey_revoke(st, id, &e), XS_ENOTFOUND);
    char want[128];
    snprintf(want, sizeof want, "key already revoked: \"%s\"", id);
    CHECK_STR(e.message, want);
    CHECK_INT(xs_apikey_revoke(st, "nope", &e), XS_ENOTFOUND);
    CHECK_STR(e.message, "no such key: \"nope\"");
    CHECK_INT(xs_apikeys_load(st, &ks, &e), XS_OK);
    CHECK_INT(xs_apikeys_check(ks, k1, strlen(k1)), XS_SCOPE_NONE);
    CHECK_INT(xs_apikeys_check(ks, k2, strlen(k2)), XS_SCOPE_ADMIN);
    xs_apikeys_free(ks);

    /* list: both keys, oldest first, no secret in any cell */
    xs_table *t = xs_table_new();
    CHECK_INT(xs_apikey_list(st, t, &e), 2);
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    xs_table_write(t, f, XS_FORMAT_CSV);
    fclose(f);
    CHECK(!strstr(text, k1 + 20) && !strstr(text, k2 + 20));
    CHECK(strstr(text, id) != NULL);
    CHECK(!strncmp(text, "key_id,scope,created_at,revoked_at,note\n", 40));
    CHECK(strstr(text, ",read,") && strstr(text, ",dash\n") && strstr(text, ",admin,"));
    free(text);
    xs_table_free(t);
    drop_store(st);
}

static void test_route_match(void)
{
    xs__serve_req r;
    memset(&r, 0, sizeof r);
    CHECK(
        xs__serve_route_match("/v1/items/{id}/together", "/v1/items/milk/together", &r));
    CHECK_STR(r.params[0], "milk");
    CHECK(!xs__serve_route_match("/v1/items/{id}/together", "/v1/items//together", &r));
    CHECK(
        !xs__serve_route_match("/v1/items/{id}/together", "/v1/items/a/b/together", &r));
    CHECK(!xs__serve_route_match("/v1/items/{id}/together", "/v1/items/a/together/", &r));
    CHECK(xs__serve_route_match("/v1/customers/{id}", "/v1/customers/C1", &r));
    CHECK_STR(r.params[0], "C1");
    CHECK(!xs__serve_route_match("/v1/customers/{id}", "/v1/customers/C1/offers", &r));
    CHECK(xs__serve_route_match("/healthz", "/healthz", &r));
    CHECK(!xs__serve_route_match("/healthz", "/healthz2", &r));
    CHECK(!xs__serve_route_match("/healthz", "/health", &r));
    /* every pattern of the table matches itself with ids filled in, and
     * exactly one route answers each (method, path) */
    for (size_t i = 0; i < xs__serve_n_routes; i++) {
        char path[256];
        const char *p = xs__serve_routes[i].pattern;
        size_t o = 0;
        while (*p) {
            if (*p == '{') {
                o += (size_t)sprintf(path + o, "x1");
                p = strchr(p, '}') + 1;
            } else {
                path[o++] = *p++;
            }
        }
        path[o] = 0;
        size_t hits = 0;
        for (size_t j = 0; j < xs__serve_n_routes; j++)
            if (!strcmp(xs__serve_routes[j].method, xs__serve_routes[i].method) &&
                xs__serve_route_match(xs__serve_routes[j].pattern, path, &r))
                hits++;
        CHECK_INT(hits, 1);
    }
}

/* Every failed allocation while loading keys gives XS_ENOMEM and leaks
 * nothing (ASan checks the latter). */
static void test_keys_nomem(void)
{
    xs_store *st = fresh_store();
    xs_error e;
    char k[XS_APIKEY_MAX];
    for (int i = 0; i < 5; i++)
        CHECK_INT(xs_apikey_create(st, XS_SCOPE_WRITE, NULL, k, sizeof k, &e), XS_OK);
    int n_ok = 0;
    for (long n = 0; n < 200 && !n_ok; n++) {
        xs_apikeys *ks = NULL;
        xs__alloc_fail_after(n);
        int rc = xs_apikeys_load(st, &ks, &e);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            n_ok = 1;
            CHECK_INT(xs_apikeys_check(ks, k, strlen(k)), XS_SCOPE_WRITE);
        } else {
            CHECK_INT(rc, XS_ENOMEM);
            CHECK(ks == NULL);
        }
        xs_apikeys_free(ks);
    }
    CHECK(n_ok);
    drop_store(st);
}

/* xs_server_start in-process: bad options, then a start on an ephemeral
 * port over an empty store and a stop. */
static void test_server_start(void)
{
    xs_server *s = NULL;
    xs_error e;
    xs_serve_opts o = {.listen = "nowhere"};
    CHECK_INT(xs_server_start(&o, &s, &e), XS_EINVAL);
    CHECK_STR(e.param, "listen");
    CHECK_STR(e.message, "expected HOST:PORT, got \"nowhere\"");
    o.listen = "127.0.0.1:0";
    CHECK_INT(xs_server_start(&o, &s, &e), XS_EINVAL);
    CHECK_STR(e.message, "no store given");
    xs_store *st = fresh_store();
    xs_store_close(st);
    o.db = db_path;
    o.threads = 1;
    CHECK_INT(xs_server_start(&o, &s, &e), XS_OK);
    CHECK(xs_server_port(s) > 0);
    /* the same port again is refused */
    char busy[64];
    snprintf(busy, sizeof busy, "127.0.0.1:%d", xs_server_port(s));
    xs_serve_opts o2 = o;
    o2.listen = busy;
    xs_server *s2 = NULL;
    CHECK_INT(xs_server_start(&o2, &s2, &e), XS_EIO);
    char want[96];
    snprintf(want, sizeof want, "cannot listen on %s", busy);
    CHECK_STR(e.message, want);
    /* overload: with --max-connections 2, two idle keep-alive clients hold
     * both slots; a third waits for a slot, and while it waits the idle
     * keep-alive connections are closed (src/serve/admit.c), so it is
     * served within a second without anyone leaving */
    xs_server_stop(s, 1);
    o.max_connections = 2;
    CHECK_INT(xs_server_start(&o, &s, &e), XS_OK);
    int fds[3];
    http_resp r;
    for (int i = 0; i < 2; i++) {
        fds[i] = http_connect(xs_server_port(s));
        CHECK_INT(http_send(fds[i], "GET", "/healthz", NULL, NULL, 0, 1), 0);
        CHECK_INT(http_recv(fds[i], &r), 0);
        CHECK_INT(r.status, 200);
        http_resp_free(&r);
    }
    fds[2] = http_connect(xs_server_port(s));
    CHECK_INT(http_send(fds[2], "GET", "/v1/openapi.json", NULL, NULL, 0, 1), 0);
    struct pollfd pf = {fds[2], POLLIN, 0};
    CHECK_INT(poll(&pf, 1, 1000), 1);
    CHECK_INT(http_recv(fds[2], &r), 0);
    CHECK_INT(r.status, 200);
    http_resp_free(&r);
    close(fds[1]);
    close(fds[2]);
    CHECK_INT(http_do(xs_server_port(s), "GET", "/healthz", NULL, NULL, &r), 200);
    http_resp_free(&r);
    xs_server_stop(s, 1);
    xs_server_stop(NULL, 1);
    drop_store(NULL);
}

int main(void)
{
    static const xs_test tests[] = {
        {"sha256_vectors", test_sha256_vectors},
        {"hmac_vectors", test_hmac_vectors},
        {"scopes", test_scopes},
        {"keys", test_keys},
        {"route_match", test_route_match},
        {"keys_nomem", test_keys_nomem},
        {"server_start", test_server_start},
    };
    return xs_test_run(tests, XS_N(tests));
}
