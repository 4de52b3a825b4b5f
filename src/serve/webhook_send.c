/*
 * webhook_send.c — delivering the queued webhook events (contract in
 * xsell.h, "Webhooks"): each due delivery is POSTed with libcurl, signed
 * with HMAC-SHA256 (base/crypto.h), and its attempt recorded in the store;
 * failures are retried with exponential backoff until the last attempt.
 * `xsell webhook deliver` calls it once; `xsell serve` calls it every
 * second from a thread of its own (server.c), so a slow receiver never
 * holds a request worker.
 *
 * Only http and https are spoken and redirects are not followed: the
 * signed body goes to the URL that was registered and nowhere else.
 */
#include "serve/serve_int.h"

#include "base/alloc.h"
#include "base/crypto.h"
#include "base/error.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void xs_webhook_send_opts_init(xs_webhook_send_opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_ms = 10000;
    o->max_attempts = 10;
    o->backoff_s = 10;
    o->backoff_max_s = 3600;
    o->batch = 100;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void curl_start(void)
{
    curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

/* The response body is not needed: read and dropped. */
static size_t drop(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* Seconds to wait after attempt number `made` (1 = the first) failed. */
static int64_t backoff(const xs_webhook_send_opts *o, int made)
{
    int64_t w = o->backoff_s > 0 ? o->backoff_s : 1;
    for (int i = 1; i < made && w < o->backoff_max_s; i++)
        w *= 2;
    return w < o->backoff_max_s ? w : o->backoff_max_s;
}

/* One POST. Returns the HTTP status (0 when none came back) and fills why
 * with the reason of a failure ("" on a 2xx). */
static long post(const xs_webhook_delivery *d, const xs_webhook_send_opts *o, int64_t now,
                 char *why, size_t n_why)
{
    char sig[128], hdr_sig[160], hdr_ev[64], hdr_id[64], hexmac[2 * XS_SHA256_LEN + 1];
    char errbuf[CURL_ERROR_SIZE] = "";
    unsigned char mac[XS_SHA256_LEN];
    size_t n_body = strlen(d->payload);
    /* the signed message: "<t>.<body>" */
    int n_t = snprintf(sig, sizeof sig, "%lld.", (long long)now);
    char *msg = xs__malloc((size_t)n_t + n_body + 1);
    if (!msg) {
        snprintf(why, n_why, "out of memory");
        return 0;
    }
    memcpy(msg, sig, (size_t)n_t);
    memcpy(msg + n_t, d->payload, n_body + 1);
    xs__hmac_sha256(d->secret, strlen(d->secret), msg, (size_t)n_t + n_body, mac);
    xs__free(msg);
    xs__hex(mac, sizeof mac, hexmac);
    snprintf(hdr_sig, sizeof hdr_sig, "X-Xsell-Signature: t=%lld,v1=%s", (long long)now,
             hexmac);
    snprintf(hdr_ev, sizeof hdr_ev, "X-Xsell-Event: %s", d->event);
    snprintf(hdr_id, sizeof hdr_id, "X-Xsell-Delivery: %lld", d->delivery_id);

    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL, *t;
    long code = 0;
    if (!c) {
        snprintf(why, n_why, "cannot start an HTTP request");
        return 0;
    }
    const char *hdrs[] = {"Content-Type: application/json",
                          "User-Agent: xsell/" XS_VERSION,
                          hdr_ev,
                          hdr_id,
                          hdr_sig,
                          "Expect:"};
    for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        if (!(t = curl_slist_append(h, hdrs[i]))) {
            snprintf(why, n_why, "out of memory");
            goto done;
        }
        h = t;
    }
    curl_easy_setopt(c, CURLOPT_URL, d->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->payload);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n_body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, drop);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        snprintf(why, n_why, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        goto done;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300)
        why[0] = 0;
    else
        snprintf(why, n_why, "HTTP status %ld", code);
done:
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return code;
}

/* Contract in xsell.h. */
int xs_webhook_send_due(xs_store *st, const xs_webhook_send_opts *opts,
                        xs_webhook_send_result *r, xs_error *err)
{
    xs_webhook_send_opts defaults;
    if (!opts) {
        xs_webhook_send_opts_init(&defaults);
        opts = &defaults;
    }
    memset(r, 0, sizeof *r);
    pthread_once(&curl_once, curl_start);
    if (!curl_ok)
        return xs__error_set(err, XS_EIO, NULL, 0, NULL, "libcurl failed to start");
    int64_t now = opts->now ? opts->now : (int64_t)time(NULL);
    xs_webhook_delivery *d = NULL;
    size_t n = 0;
    int rc = xs_webhook_due(st, now, opts->batch ? opts->batch : 100, &d, &n, err);
    for (size_t i = 0; rc == XS_OK && i < n; i++) {
        char why[CURL_ERROR_SIZE + 32];
        long code = post(&d[i], opts, now, why, sizeof why);
        int made = d[i].attempts + 1;
        const char *status = !why[0]                      ? "delivered"
                             : made >= opts->max_attempts ? "failed"
                                                          : "pending";
        int64_t next = !strcmp(status, "pending") ? now + backoff(opts, made) : now;
        rc = xs_webhook_record(st, d[i].delivery_id, status, next, (int)code, why, err);
        if (rc == XS_OK) {
            if (!why[0])
                r->delivered++;
            else if (!strcmp(status, "failed"))
                r->failed++;
            else
                r->retrying++;
        }
    }
    xs_webhook_due_free(d, n);
    return rc;
}
