/*
 * model_watch.c — a server started with --model FILE follows new builds:
 * every --model-poll seconds it looks at FILE, and when a new file has
 * been put in its place (`xsell build --out FILE` writes a temporary file
 * and renames it: a new inode) or it changed size or time, it maps the
 * new one, checks it against the store like the start does, and swaps it
 * in atomically (requests in flight finish on the model they began with;
 * the old mapping goes with its last reference). A file that does not open
 * (half-copied, another store's) is reported once and the current model
 * kept. So replicas behind a load balancer need no restart after a build.
 */
#include "serve/serve_int.h"

#include "base/alloc.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct xs__serve_model_watch {
    pthread_t thr;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    struct xs_server *srv;
    char *db, *path;
    unsigned period_s;
    struct stat seen; /* the file as last looked at (st_ino 0: absent) */
};

/* 1 when a and b are not the same file in the same state. */
static int changed(const struct stat *a, const struct stat *b)
{
    return a->st_dev != b->st_dev || a->st_ino != b->st_ino || a->st_size != b->st_size ||
           a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

/* One look at the file; swaps in its model when it is new. */
static void look(xs__serve_model_watch *w)
{
    struct stat st;
    if (stat(w->path, &st) != 0) memset(&st, 0, sizeof st);
    if (!changed(&st, &w->seen)) return;
    w->seen = st;
    if (!st.st_ino) {
        fprintf(stderr, "xsell serve: %s is gone: still serving the model mapped\n", w->path);
        return;
    }
    xs__serve_model *m = NULL;
    xs_error e = {0};
    char msg[1024];
    if (xs__serve_model_start(w->db, w->path, &m, &e) < 0) {
        fprintf(stderr, "xsell serve: %s changed but cannot be served (%s): keeping the model"
                        " served\n",
                w->path, xs_error_format(&e, msg, sizeof msg));
        return;
    }
    unsigned long gen = xs__serve_server_install(w->srv, m);
    fprintf(stderr, "xsell serve: %s changed: serving its model (generation %lu)\n", w->path,
            gen);
}

static void *watch_main(void *arg)
{
    xs__serve_model_watch *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += w->period_s;
        pthread_cond_timedwait(&w->cv, &w->mu, &until);
        if (w->stop) break;
        pthread_mutex_unlock(&w->mu);
        look(w);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Contract in serve_int.h. */
int xs__serve_model_watch_start(struct xs_server *s, const char *db, const char *path,
                                unsigned period_s, xs__serve_model_watch **out)
{
    xs__serve_model_watch *w = xs__calloc(1, sizeof *w);
    *out = NULL;
    if (!w || !(w->path = xs__strdup(path)) || (db && !(w->db = xs__strdup(db)))) {
        if (w) xs__free(w->path);
        xs__free(w);
        return XS_ENOMEM;
    }
    w->srv = s;
    w->period_s = period_s ? period_s : 2;
    if (stat(path, &w->seen) != 0) memset(&w->seen, 0, sizeof w->seen);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thr, NULL, watch_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        xs__free(w->db);
        xs__free(w->path);
        xs__free(w);
        return XS_ENOMEM;
    }
    *out = w;
    return XS_OK;
}

/* Contract in serve_int.h. */
void xs__serve_model_watch_stop(xs__serve_model_watch *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thr, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    xs__free(w->db);
    xs__free(w->path);
    xs__free(w);
}
