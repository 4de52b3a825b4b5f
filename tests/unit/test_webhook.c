/*
 * test_webhook.c — webhooks end to end against a receiver on 127.0.0.1 in
 * a thread of the test: subscriptions (add / list / remove and their
 * errors), the outbox (an event queued with the write that makes it, and
 * nothing for a write that fails), delivery with the exact headers and a
 * signature recomputed here, retries with exponential backoff after a 500,
 * a timeout and a dropped connection, giving up after the last attempt,
 * and removal cancelling what is pending; the same over the API (admin
 * scope) with the server's own sender thread delivering.
 */
#define _GNU_SOURCE /* strcasestr, usleep */
#include "base/crypto.h"
#include "store/store_int.h"
#include "test.h"

#include "../serve/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* The receiver                                                           */
/* ---------------------------------------------------------------------- */

enum { RS_OK = 200, RS_ERROR = 500, RS_HANG = 1, RS_DROP = 2 };

#define MAX_SEEN 32

typedef struct seen {
    char head[2048];
    char body[4096];
} seen;

typedef struct receiver {
    int fd, port;
    pthread_t thr;
    int script[MAX_SEEN]; /* what to do with request i; past the end: RS_OK */
    int n_script;
    seen got[MAX_SEEN];
    atomic_int n_got; /* got[i < n_got] are complete */
    int stop;
} receiver;

/* Reads a request (head, then Content-Length bytes of body) into x. */
static int read_request(int c, seen *x)
{
    char buf[8192];
    size_t n = 0;
    char *end = NULL;
    while (!end && n < sizeof buf - 1) {
        ssize_t k = read(c, buf + n, sizeof buf - 1 - n);
        if (k <= 0) return -1;
        n += (size_t)k;
        buf[n] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end) return -1;
    size_t head = (size_t)(end - buf);
    snprintf(x->head, sizeof x->head, "%.*s", (int)head, buf);
    const char *cl = strcasestr(x->head, "\r\nContent-Length: ");
    size_t len = cl ? strtoul(cl + 18, NULL, 10) : 0;
    size_t have = n - head - 4;
    while (have < len && n < sizeof buf - 1) {
        ssize_t k = read(c, buf + n, sizeof buf - 1 - n);
        if (k <= 0) return -1;
        n += (size_t)k;
        have += (size_t)k;
    }
    snprintf(x->body, sizeof x->body, "%.*s", (int)len, end + 4);
    return 0;
}

static void *receiver_main(void *arg)
{
    receiver *r = arg;
    while (!r->stop) {
        int c = accept(r->fd, NULL, NULL);
        if (c < 0) continue;
        if (r->stop || r->n_got >= MAX_SEEN) {
            close(c);
            continue;
        }
        seen *x = &r->got[r->n_got];
        if (read_request(c, x) < 0) {
            close(c);
            continue;
        }
        int what = r->n_got < r->n_script ? r->script[r->n_got] : RS_OK;
        r->n_got++;
        if (what == RS_HANG) {
            usleep(600 * 1000); /* past the sender's 200 ms */
        } else if (what != RS_DROP) {
            char resp[128];
            int k = snprintf(resp, sizeof resp,
                             "HTTP/1.1 %d X\r\nContent-Length: 2\r\n"
                             "Connection: close\r\n\r\nok",
                             what);
            CHECK(write(c, resp, (size_t)k) == k);
        }
        close(c);
    }
    return NULL;
}

static void receiver_start(receiver *r)
{
    memset(r, 0, sizeof *r);
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(r->fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_INT(bind(r->fd, (struct sockaddr *)&a, sizeof a), 0);
    CHECK_INT(listen(r->fd, 16), 0);
    socklen_t len = sizeof a;
    CHECK_INT(getsockname(r->fd, (struct sockaddr *)&a, &len), 0);
    r->port = ntohs(a.sin_port);
    CHECK_INT(pthread_create(&r->thr, NULL, receiver_main, r), 0);
}

static void receiver_stop(receiver *r)
{
    r->stop = 1;
    /* wake accept() with one last connection */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)r->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_INT(connect(c, (struct sockaddr *)&a, sizeof a), 0);
    close(c);
    pthread_join(r->thr, NULL);
    close(r->fd);
}

/* The value of header name in a request head ("" when absent). */
static const char *header(const seen *x, const char *name)
{
    static char v[512];
    char pat[64];
    snprintf(pat, sizeof pat, "\r\n%s: ", name);
    const char *p = strcasestr(x->head, pat);
    v[0] = 0;
    if (p) {
        p += strlen(pat);
        size_t n = strcspn(p, "\r");
        snprintf(v, sizeof v, "%.*s", (int)n, p);
    }
    return v;
}

/* ---------------------------------------------------------------------- */

static char db_path[256];

static xs_store *fresh_store(void)
{
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(db_path, sizeof db_path, "%s/xs_webhook_%d.db", dir, (int)getpid());
    unlink(db_path);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db_path, &e), XS_OK);
    return st;
}

static void drop_store(xs_store *st)
{
    xs_store_close(st);
    unlink(db_path);
    char aux[300];
    snprintf(aux, sizeof aux, "%s-wal", db_path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", db_path);
    unlink(aux);
}

static long long count(xs_store *st, const char *sql)
{
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_prepare_v2(st->db, sql, -1, &q, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    long long n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

/* The table as CSV (static buffer). */
static const char *csv(const xs_table *t)
{
    static char out[8192];
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    CHECK(f != NULL);
    CHECK_INT(xs_table_write(t, f, XS_FORMAT_CSV), XS_OK);
    fclose(f);
    snprintf(out, sizeof out, "%s", buf);
    free(buf);
    return out;
}

static void test_subscriptions(void)
{
    xs_store *st = fresh_store();
    xs_error e;
    long long id;
    char secret[XS_WEBHOOK_SECRET_MAX];
    CHECK_INT(xs_webhook_add(st, "https://crm.example/h", "build.done,offer.issued", NULL,
                             &id, secret, sizeof secret, &e),
              XS_OK);
    CHECK_INT(id, 1);
    CHECK_INT(strlen(secret), 64);
    /* errors name the flag and the value */
    CHECK_INT(xs_webhook_add(st, "ftp://x", "build.done", NULL, &id, NULL, 0, &e),
              XS_EINVAL);
    CHECK_STR(e.message, "expected an http:// or https:// URL, got \"ftp://x\"");
    CHECK_STR(e.param, "url");
    CHECK_INT(xs_webhook_add(st, "http://a b/", "build.done", NULL, &id, NULL, 0, &e),
              XS_EINVAL);
    CHECK_INT(
        xs_webhook_add(st, "http://\xe6\x97\xa5/", "build.done", NULL, &id, NULL, 0, &e),
        XS_EINVAL);
    CHECK_INT(xs_webhook_add(st, "http://x/", "build.done", "0123456789abcdef\xff", &id,
                             NULL, 0, &e),
              XS_EINVAL);
    CHECK_STR(e.message, "expected printable ASCII without spaces");
    CHECK_INT(
        xs_webhook_add(st, "http://x/", "build.done,offer.sent", NULL, &id, NULL, 0, &e),
        XS_EINVAL);
    CHECK_STR(e.message,
              "unknown event \"offer.sent\": expected offer.issued, offer.outcome"
              " or build.done");
    CHECK_INT(xs_webhook_add(st, "http://x/", "", NULL, &id, NULL, 0, &e), XS_EINVAL);
    CHECK_INT(xs_webhook_add(st, "http://x/", "build.done", "short", &id, NULL, 0, &e),
              XS_EINVAL);
    CHECK_STR(e.message, "expected 16 to 256 characters, got 5");
    /* the list: canonical event order, never the secret */
    xs_table *t = xs_table_new();
    CHECK_INT(xs_webhook_list(st, t, &e), 1);
    const char *l = csv(t);
    CHECK(
        !strncmp(l,
                 "webhook_id,url,events,created_at,removed_at,pending,delivered,failed\n"
                 "1,https://crm.example/h,\"offer.issued,build.done\",",
                 105));
    CHECK(strstr(l, ",,0,0,0\n") != NULL);
    CHECK(strstr(l, secret) == NULL);
    xs_table_free(t);
    /* the cap */
    for (int i = 1; i < XS_WEBHOOK_MAX; i++)
        CHECK_INT(xs_webhook_add(st, "http://x/", "build.done", NULL, &id, NULL, 0, &e),
                  XS_OK);
    CHECK_INT(xs_webhook_add(st, "http://x/", "build.done", NULL, &id, NULL, 0, &e),
              XS_EINVAL);
    CHECK_STR(e.message, "a store holds at most 16 webhooks: remove one first");
    CHECK_INT(xs_webhook_remove(st, 2, &e), XS_OK);
    CHECK_INT(xs_webhook_remove(st, 2, &e), XS_ENOTFOUND);
    CHECK_STR(e.message, "no such webhook: 2");
    CHECK_INT(xs_webhook_add(st, "http://x/", "build.done", NULL, &id, NULL, 0, &e),
              XS_OK);
    t = xs_table_new();
    CHECK_INT(xs_webhook_log(st, 0, "sent", 0, t, &e), XS_EINVAL);
    CHECK_STR(e.message,
              "expected pending, delivered, failed or cancelled, got \"sent\"");
    xs_table_free(t);
    drop_store(st);
}

/* Logs one offer of customer C1 for product P1. */
static int log_offer(xs_store *st, const char *day, xs_error *e)
{
    xs_offer_record r;
    memset(&r, 0, sizeof r);
    r.customer_id = "C1";
    r.product_id = "P1";
    r.kind = "upsell";
    r.channel = "email";
    snprintf(r.sent_at, sizeof r.sent_at, "%s", day);
    snprintf(r.attrs, sizeof r.attrs, "{\"trigger\":\"usage\",\"from\":\"P0\"}");
    return xs_store_offers_log(st, &r, 1, e);
}

static void test_outbox(void)
{
    xs_store *st = fresh_store();
    xs_error e;
    long long id;
    /* no webhook: a write queues nothing */
    CHECK_INT(xs_store_build_put(st, "2026-06-30", "2026-07-01T00:00:00Z", "{}", &e),
              XS_OK);
    CHECK_INT(count(st, "SELECT count(*) FROM webhook_deliveries"), 0);
    CHECK_INT(xs_webhook_add(st, "http://127.0.0.1:9/", "offer.issued,offer.outcome",
                             NULL, &id, NULL, 0, &e),
              XS_OK);
    CHECK_INT(
        xs_webhook_add(st, "http://127.0.0.1:9/b", "build.done", NULL, &id, NULL, 0, &e),
        XS_OK);
    CHECK_INT(xs_store_build_put(st, "2026-06-30", "2026-07-01T00:00:00Z", "{}", &e),
              XS_OK);
    CHECK_INT(count(st, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 2"
                        " AND event = 'build.done' AND status = 'pending'"),
              1);
    CHECK_INT(log_offer(st, "2026-06-30", &e), 1);
    CHECK_INT(count(st, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 1"
                        " AND event = 'offer.issued' AND payload LIKE '%\"offer_id\":"
                        "\"X20260630-0001\",\"customer_id\":\"C1\",\"product_id\":\"P1\","
                        "\"product_name\":null,\"kind\":\"upsell\",\"channel\":\"email\","
                        "\"sent_at\":\"2026-06-30\","
                        "\"attrs\":{\"trigger\":\"usage\",\"from\":\"P0\"}}}'"),
              1);
    /* a failing write queues nothing: an outcome before the offer was sent */
    CHECK_INT(
        xs_store_offer_outcome(st, "X20260630-0001", "accepted", "2026-06-01", NULL, &e),
        XS_EINVAL);
    CHECK_INT(
        count(st,
              "SELECT count(*) FROM webhook_deliveries WHERE event = 'offer.outcome'"),
        0);
    CHECK_INT(xs_store_offer_outcome(st, "X20260630-0001", "accepted", "2026-07-02",
                                     "120.5", &e),
              XS_OK);
    CHECK_INT(
        count(st, "SELECT count(*) FROM webhook_deliveries WHERE event = 'offer.outcome'"
                  " AND payload LIKE '%\"outcome\":\"accepted\",\"at\":\"2026-07-02\","
                  "\"revenue_delta\":\"120.50\",\"currency\":\"USD\"}}'"),
        1);
    /* removing a webhook cancels its pending deliveries and keeps the log */
    CHECK_INT(xs_webhook_remove(st, 1, &e), XS_OK);
    CHECK_INT(count(st, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 1"
                        " AND status = 'cancelled'"),
              2);
    CHECK_INT(log_offer(st, "2026-06-30", &e), 1);
    CHECK_INT(count(st, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 1"),
              2);
    drop_store(st);
}

static void test_delivery(void)
{
    receiver r;
    receiver_start(&r);
    int script[] = {RS_ERROR, RS_HANG, RS_DROP, RS_OK};
    memcpy(r.script, script, sizeof script);
    r.n_script = 4;
    xs_store *st = fresh_store();
    xs_error e;
    long long id;
    char url[64], secret[XS_WEBHOOK_SECRET_MAX];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", r.port);
    CHECK_INT(xs_webhook_add(st, url, "build.done", "0123456789abcdef-secret", &id,
                             secret, sizeof secret, &e),
              XS_OK);
    CHECK_STR(secret, "0123456789abcdef-secret");
    CHECK_INT(xs_store_build_put(st, "2026-06-30", "2026-07-01T00:00:00Z", "{}", &e),
              XS_OK);
    xs_webhook_send_opts o;
    xs_webhook_send_opts_init(&o);
    o.timeout_ms = 200;
    o.backoff_s = 10;
    o.max_attempts = 5;
    o.now = 1000000;
    xs_webhook_send_result res;
    /* 1: 500 -> retry at +10 s */
    CHECK_INT(xs_webhook_send_due(st, &o, &res, &e), XS_OK);
    CHECK_INT(res.retrying, 1);
    CHECK_INT(count(st, "SELECT next_at FROM webhook_deliveries"), 1000010);
    CHECK_INT(count(st, "SELECT last_code FROM webhook_deliveries"), 500);
    /* not due before then */
    o.now = 1000009;
    CHECK_INT(xs_webhook_send_due(st, &o, &res, &e), XS_OK);
    CHECK_INT(res.retrying + res.delivered + res.failed, 0);
    /* 2: timeout -> +20 s; 3: dropped connection -> +40 s */
    o.now = 1000010;
    CHECK_INT(xs_webhook_send_due(st, &o, &res, &e), XS_OK);
    CHECK_INT(res.retrying, 1);
    CHECK_INT(count(st, "SELECT next_at FROM webhook_deliveries"), 1000030);
    CHECK_INT(count(st,
                    "SELECT last_error LIKE 'Operation timed out after 2__ milliseconds%'"
                    " FROM webhook_deliveries"),
              1);
    /* the receiver answers one connection at a time: let it finish the
     * hang, so the next attempt is not queued behind it */
    while (r.n_got < 2)
        usleep(10 * 1000);
    usleep(700 * 1000);
    o.now = 1000030;
    CHECK_INT(xs_webhook_send_due(st, &o, &res, &e), XS_OK);
    CHECK_INT(res.retrying, 1);
    CHECK_INT(count(st, "SELECT next_at FROM webhook_deliveries"), 1000070);
    /* 4: delivered */
    o.now = 1000070;
    CHECK_INT(xs_webhook_send_due(st, &o, &res, &e), XS_OK);
    CHECK_INT(res.delivered, 1);
    CHECK_INT(
        count(st, "SELECT attempts FROM webhook_deliveries WHERE status = 'delivered'"),
        4);
    CHECK_INT(
        count(st,
              "SELECT last_error IS NULL AND last_code = 200 FROM webhook_deliveries"),
        1);
    /* nothing more to send */
    o.now = 2000000;
    CHECK_INT(xs_webhook_send_due(st, &o, &res, &e), XS_OK);
    CHECK_INT(res.retrying + res.delivered + res.failed, 0);
    receiver_stop(&r);
    CHECK_INT(r.n_got, 4);
    /* every attempt carried the same body, its event, id and a valid signature */
    for (int i = 0; i < r.n_got; i++) {
        const seen *x = &r.got[i];
        CHECK(!strncmp(x->head, "POST /hook HTTP/1.1\r\n", 21));
        CHECK_STR(header(x, "Content-Type"), "application/json");
        CHECK_STR(header(x, "X-Xsell-Event"), "build.done");
        CHECK_STR(header(x, "X-Xsell-Delivery"), "1");
        CHECK_STR(x->body, r.got[0].body);
        char t[32], v1[80], msg[4200], want[65];
        CHECK_INT(sscanf(header(x, "X-Xsell-Signature"), "t=%31[0-9],v1=%64s", t, v1), 2);
        snprintf(msg, sizeof msg, "%s.%s", t, x->body);
        unsigned char mac[XS_SHA256_LEN];
        xs__hmac_sha256(secret, strlen(secret), msg, strlen(msg), mac);
        xs__hex(mac, sizeof mac, want);
        CHECK_STR(v1, want);
    }
    /* signed at the clock of the attempt */
    CHECK(!strncmp(header(&r.got[0], "X-Xsell-Signature"), "t=1000000,v1=", 13));
    CHECK(!strncmp(header(&r.got[3], "X-Xsell-Signature"), "t=1000070,v1=", 13));
    CHECK(strstr(r.got[0].body, "\"event\":\"build.done\"") != NULL);
    CHECK(strstr(r.got[0].body, "\"data\":{\"as_of\":\"2026-06-30\","
                                "\"built_at\":\"2026-07-01T00:00:00Z\"}") != NULL);
    drop_store(st);
}

/* A receiver that never answers 2xx: the delivery fails after the last
 * attempt, and the log says so. */
static void test_give_up(void)
{
    receiver r;
    receiver_start(&r);
    for (int i = 0; i < 3; i++)
        r.script[i] = 503;
    r.n_script = 3;
    xs_store *st = fresh_store();
    xs_error e;
    long long id;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", r.port);
    CHECK_INT(xs_webhook_add(st, url, "build.done", NULL, &id, NULL, 0, &e), XS_OK);
    CHECK_INT(xs_store_build_put(st, "2026-06-30", "2026-07-01T00:00:00Z", "{}", &e),
              XS_OK);
    xs_webhook_send_opts o;
    xs_webhook_send_opts_init(&o);
    o.max_attempts = 3;
    o.backoff_s = 100;
    o.backoff_max_s = 150;
    o.now = 5000;
    xs_webhook_send_result res;
    int64_t want_next[] = {5100, 5250};
    for (int i = 0; i < 2; i++) {
        CHECK_INT(xs_webhook_send_due(st, &o, &res, &e), XS_OK);
        CHECK_INT(res.retrying, 1);
        CHECK_INT(count(st, "SELECT next_at FROM webhook_deliveries"), want_next[i]);
        o.now = want_next[i];
    }
    CHECK_INT(xs_webhook_send_due(st, &o, &res, &e), XS_OK);
    CHECK_INT(res.failed, 1);
    xs_table *t = xs_table_new();
    CHECK_INT(xs_webhook_log(st, 0, "failed", 0, t, &e), 1);
    const char *l = strchr(csv(t), '\n') + 1;
    CHECK(!strncmp(l, "1,1,build.done,", 15));
    CHECK(strstr(l, "Z,failed,3,") != NULL);
    CHECK(strstr(l, "Z,503,HTTP status 503\n") != NULL);
    xs_table_free(t);
    t = xs_table_new();
    CHECK_INT(xs_webhook_log(st, 0, "delivered", 0, t, &e), 0);
    xs_table_free(t);
    t = xs_table_new();
    CHECK_INT(xs_webhook_list(st, t, &e), 1);
    CHECK(strstr(csv(t), ",,0,0,1\n") != NULL);
    xs_table_free(t);
    receiver_stop(&r);
    CHECK_INT(r.n_got, 3);
    drop_store(st);
}

/* The routes of handlers_webhooks.c on a running server, whose sender
 * thread delivers an outcome recorded over the API within seconds. */
static void test_api(void)
{
    receiver r;
    receiver_start(&r);
    xs_store *st = fresh_store();
    xs_error e;
    char admin[XS_APIKEY_MAX], writer[XS_APIKEY_MAX];
    CHECK_INT(xs_apikey_create(st, XS_SCOPE_ADMIN, NULL, admin, sizeof admin, &e), XS_OK);
    CHECK_INT(xs_apikey_create(st, XS_SCOPE_WRITE, NULL, writer, sizeof writer, &e),
              XS_OK);
    /* the customer and products the logged offer names */
    static const char *const csv_text[] = {
        "customer_id,name,signup_date\nC1,One,2024-01-01\n",
        "product_id,name,kind,price,billing\nP0,Basic,plan,10.00,month\n"
        "P1,Pro,plan,30.00,month\n"};
    for (int t = 0; t < 2; t++) {
        char path[300];
        snprintf(path, sizeof path, "%s.%d.csv", db_path, t);
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        fputs(csv_text[t], f);
        fclose(f);
        xs_import_options io;
        xs_import_options_init(&io);
        io.table = t == 0 ? XS_T_CUSTOMERS : XS_T_PRODUCTS;
        CHECK_INT(xs_import_file(st, path, &io, NULL, &e), XS_OK);
        unlink(path);
    }
    CHECK_INT(log_offer(st, "2026-06-30", &e), 1);
    xs_store_close(st);
    xs_server *s = NULL;
    xs_serve_opts o = {.listen = "127.0.0.1:0", .db = db_path, .threads = 1};
    CHECK_INT(xs_server_start(&o, &s, &e), XS_OK);
    int port = xs_server_port(s);
    http_resp h;
    /* admin scope only */
    CHECK_INT(http_do(port, "GET", "/v1/webhooks", writer, NULL, &h), 403);
    http_resp_free(&h);
    CHECK_INT(http_do(port, "GET", "/v1/webhooks", admin, NULL, &h), 200);
    CHECK_STR(h.body, "{\"webhooks\":[]}\n");
    http_resp_free(&h);
    char body[256];
    snprintf(body, sizeof body,
             "{\"url\":\"http://127.0.0.1:%d/api\",\"events\":[\"offer.outcome\"],"
             "\"secret\":\"0123456789abcdef-api\"}",
             r.port);
    CHECK_INT(http_do(port, "POST", "/v1/webhooks", admin, body, &h), 201);
    CHECK_STR(h.body, "{\"webhook_id\":1,\"secret\":\"0123456789abcdef-api\"}\n");
    http_resp_free(&h);
    CHECK_INT(http_do(port, "POST", "/v1/webhooks", admin,
                      "{\"url\":\"http://x/\",\"events\":[\"offer.sold\"]}", &h),
              400);
    CHECK_STR(h.body,
              "{\"error\":{\"code\":\"bad_request\",\"message\":\"events: unknown event"
              " \\\"offer.sold\\\": expected offer.issued, offer.outcome or"
              " build.done\"}}\n");
    http_resp_free(&h);
    CHECK_INT(http_do(port, "POST", "/v1/webhooks", admin, "{\"url\":\"http://x/\"}", &h),
              400);
    http_resp_free(&h);
    CHECK_INT(http_do(port, "DELETE", "/v1/webhooks/7", admin, NULL, &h), 404);
    CHECK_STR(
        h.body,
        "{\"error\":{\"code\":\"not_found\",\"message\":\"no such webhook: 7\"}}\n");
    http_resp_free(&h);
    CHECK_INT(http_do(port, "GET", "/v1/webhooks/1/deliveries?status=x", admin, NULL, &h),
              400);
    http_resp_free(&h);
    /* an outcome over the API reaches the receiver through the sender thread */
    CHECK_INT(http_do(port, "POST", "/v1/offers/X20260630-0001/outcome", writer,
                      "{\"outcome\":\"accepted\",\"at\":\"2026-07-01\"}", &h),
              200);
    http_resp_free(&h);
    for (int i = 0; i < 100 && !r.n_got; i++)
        usleep(50 * 1000);
    CHECK_INT(r.n_got, 1);
    CHECK_STR(header(&r.got[0], "X-Xsell-Event"), "offer.outcome");
    CHECK(strstr(r.got[0].body, "\"outcome\":\"accepted\",\"at\":\"2026-07-01\"") !=
          NULL);
    CHECK(strstr(r.got[0].body, "\"product_id\":\"P1\",\"product_name\":\"Pro\",") !=
          NULL);
    /* the log says delivered once the attempt is recorded */
    int delivered = 0;
    for (int i = 0; i < 100 && !delivered; i++) {
        CHECK_INT(http_do(port, "GET", "/v1/webhooks/1/deliveries", admin, NULL, &h),
                  200);
        delivered = strstr(h.body, "\"status\":\"delivered\",\"attempts\":1,") != NULL;
        http_resp_free(&h);
        if (!delivered) usleep(50 * 1000);
    }
    CHECK(delivered);
    CHECK_INT(http_do(port, "DELETE", "/v1/webhooks/1", admin, NULL, &h), 200);
    CHECK_STR(h.body, "{\"webhook_id\":1,\"removed\":true}\n");
    http_resp_free(&h);
    xs_server_stop(s, 1);
    receiver_stop(&r);
    drop_store(NULL);
}

int main(void)
{
    static const xs_test tests[] = {
        {"subscriptions", test_subscriptions},
        {"outbox", test_outbox},
        {"delivery", test_delivery},
        {"give_up", test_give_up},
        {"api", test_api},
    };
    return xs_test_run(tests, XS_N(tests));
}
