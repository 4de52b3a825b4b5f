/*
 * webhook_thread.c — the thread of `xsell serve` that sends the queued
 * webhook deliveries (webhook_send.c) once a second on a store connection
 * of its own, so no request worker ever waits for a receiver. A locked
 * store (an import in another process) just means the next second; other
 * store errors are reported on stderr once until the next success.
 */
#include "serve/serve_int.h"

#include "base/alloc.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

struct xs__serve_hook_thread {
    pthread_t thr;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    char *db;
    unsigned lock_timeout_ms;
};

static void *hook_main(void *arg)
{
    xs__serve_hook_thread *t = arg;
    xs_store *st = NULL;
    int reported = 0;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        pthread_mutex_unlock(&t->mu);
        xs_error e = {0};
        xs_webhook_send_result r;
        int rc = st ? XS_OK : xs_store_open(&st, t->db, &e);
        if (rc == XS_OK) {
            xs_store_set_busy_timeout(st, t->lock_timeout_ms);
            rc = xs_webhook_send_due(st, NULL, &r, &e);
        }
        if (rc < 0 && rc != XS_EBUSY && !reported) {
            char msg[1024];
            fprintf(stderr, "xsell serve: webhooks: %s\n",
                    xs_error_format(&e, msg, sizeof msg));
            reported = 1;
        } else if (rc == XS_OK) {
            reported = 0;
        }
        if (rc < 0 && rc != XS_EBUSY) { /* start afresh on a new connection */
            xs_store_close(st);
            st = NULL;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_mutex_lock(&t->mu);
        if (!t->stop) pthread_cond_timedwait(&t->cv, &t->mu, &until);
    }
    pthread_mutex_unlock(&t->mu);
    xs_store_close(st);
    return NULL;
}

/* Contract in serve_int.h. */
int xs__serve_hook_thread_start(const char *db, unsigned lock_timeout_ms,
                                xs__serve_hook_thread **out)
{
    xs__serve_hook_thread *t = xs__calloc(1, sizeof *t);
    *out = NULL;
    if (!t || !(t->db = xs__strdup(db))) {
        xs__free(t);
        return XS_ENOMEM;
    }
    t->lock_timeout_ms = lock_timeout_ms;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->thr, NULL, hook_main, t) != 0) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        xs__free(t->db);
        xs__free(t);
        return XS_ENOMEM;
    }
    *out = t;
    return XS_OK;
}

/* Contract in serve_int.h. */
void xs__serve_hook_thread_stop(xs__serve_hook_thread *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->mu);
    t->stop = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thr, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    xs__free(t->db);
    xs__free(t);
}
