/*
 * keys.c — the API keys a server accepts: loaded from the store at start,
 * then loaded again once a second by a thread of their own, so that a key
 * created or revoked with `xsell apikey` takes effect within a second
 * (KEYS_TTL) and no request ever waits for the store to open (about a
 * millisecond, which a request worker used to pay once a second). The
 * thread keeps its store open between loads (on PostgreSQL, one
 * connection for the server's life rather than a new one every second)
 * and opens it again after a load that failed.
 *
 * A check takes the current set under a read lock. Each worker thread
 * keeps the last key it verified and its scope, for the load it was
 * checked against: a client sends the same key on every request, and a
 * constant-time compare of it costs far less than the salted SHA-256 of
 * xs_apikeys_check (4-5 % of a keep-alive request's CPU). A new load (which
 * may revoke it) makes the kept key stale.
 */
#include "serve/serve_int.h"

#include "base/alloc.h"
#include "base/crypto.h"
#include "base/error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define KEYS_TTL_NS 1000000000L /* between the starts of two loads */

struct xs__serve_keys {
    pthread_rwlock_t lock; /* guards set and gen */
    xs_apikeys *set;
    unsigned long gen; /* which load set is (key_gens) */
    char *db;
    xs_store *st; /* open between loads; NULL after a failure */
    pthread_t thr;
    int running;        /* thr was started */
    pthread_mutex_t mu; /* guards stop, with cv */
    pthread_cond_t cv;  /* on CLOCK_MONOTONIC */
    int stop;
};

/* Numbers every load of a key set, of every server in the process, so a
 * verified key kept for one load is never taken for another. */
static atomic_ulong key_gens;

#define KEY_CACHE_MAX 128
static _Thread_local struct {
    unsigned long gen; /* 0: empty */
    size_t n;
    char key[KEY_CACHE_MAX];
    xs_apikey_scope scope;
} key_cache;

/* Loads the keys of the store (opening it when it is not open) and makes
 * them the current set. Returns XS_OK or the error of opening the store or
 * reading the keys (the current set stays, the store is closed). */
static int load(xs__serve_keys *k, xs_error *err)
{
    xs_apikeys *ks = NULL;
    int rc = k->st ? XS_OK : xs_store_open(&k->st, k->db, err);
    if (rc == XS_OK) rc = xs_apikeys_load(k->st, &ks, err);
    if (rc < 0) {
        xs_store_close(k->st);
        k->st = NULL;
        return rc;
    }
    pthread_rwlock_wrlock(&k->lock);
    xs_apikeys *old = k->set;
    k->set = ks;
    k->gen = atomic_fetch_add(&key_gens, 1) + 1;
    pthread_rwlock_unlock(&k->lock);
    xs_apikeys_free(old);
    return XS_OK;
}

/* The thread: a load KEYS_TTL after the start of the one before, until
 * stopped. A load that fails keeps the current set until the next. */
static void *keys_main(void *arg)
{
    xs__serve_keys *k = arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    pthread_mutex_lock(&k->mu);
    for (;;) {
        next.tv_nsec += KEYS_TTL_NS % 1000000000L;
        next.tv_sec += KEYS_TTL_NS / 1000000000L + next.tv_nsec / 1000000000L;
        next.tv_nsec %= 1000000000L;
        while (!k->stop && pthread_cond_timedwait(&k->cv, &k->mu, &next) == 0)
            ; /* woken early (or spuriously): wait out the period */
        if (k->stop) break;
        pthread_mutex_unlock(&k->mu);
        clock_gettime(CLOCK_MONOTONIC, &next);
        load(k, NULL);
        pthread_mutex_lock(&k->mu);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

/* Contract in serve_int.h. */
int xs__serve_keys_start(const char *db, xs__serve_keys **out, xs_error *err)
{
    *out = NULL;
    xs__serve_keys *k = xs__calloc(1, sizeof *k);
    if (!k || !(k->db = xs__strdup(db))) {
        xs__free(k);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    pthread_rwlock_init(&k->lock, NULL);
    pthread_mutex_init(&k->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cv, &ca);
    pthread_condattr_destroy(&ca);
    int rc = load(k, err);
    if (rc == XS_OK) {
        if (pthread_create(&k->thr, NULL, keys_main, k) == 0)
            k->running = 1;
        else
            rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL,
                               "cannot start the API key thread");
    }
    if (rc < 0) {
        xs__serve_keys_stop(k);
        return rc;
    }
    *out = k;
    return XS_OK;
}

/* Contract in serve_int.h. */
xs_apikey_scope xs__serve_keys_check(xs__serve_keys *k, const char *key, size_t n)
{
    pthread_rwlock_rdlock(&k->lock);
    xs_apikey_scope sc;
    if (key_cache.gen == k->gen && key_cache.n == n && n <= KEY_CACHE_MAX &&
        xs__equal_ct(key_cache.key, key, n)) {
        sc = key_cache.scope;
    } else {
        sc = xs_apikeys_check(k->set, key, n);
        if (sc != XS_SCOPE_NONE && n <= KEY_CACHE_MAX) {
            memcpy(key_cache.key, key, n);
            key_cache.n = n;
            key_cache.scope = sc;
            key_cache.gen = k->gen;
        }
    }
    pthread_rwlock_unlock(&k->lock);
    return sc;
}

/* Contract in serve_int.h. */
void xs__serve_keys_stop(xs__serve_keys *k)
{
    if (!k) return;
    if (k->running) {
        pthread_mutex_lock(&k->mu);
        k->stop = 1;
        pthread_cond_signal(&k->cv);
        pthread_mutex_unlock(&k->mu);
        pthread_join(k->thr, NULL);
    }
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    pthread_rwlock_destroy(&k->lock);
    xs_store_close(k->st);
    xs_apikeys_free(k->set);
    xs__free(k->db);
    xs__free(k);
}
