/*
 * progress.c — terminal progress bar (see progress.h).
 */
#include "base/progress.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double xs__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 1 while a bar holds the terminal line (the process has one stderr). */
static atomic_int line_taken;

/* 1 on a thread that works in the background of another stage
 * (xs__progress_background): its bars never take the line. */
static _Thread_local int background;

void xs__progress_background(int on)
{
    background = on != 0;
}

/* 1: no bars at all (xs__progress_quiet). */
static atomic_int quiet;

void xs__progress_quiet(int on)
{
    atomic_store(&quiet, on != 0);
}

/* When the process started, near enough: a stage that begins after the
 * command has run for a second shows its bar as soon as it has run for
 * SHORT_STAGE itself, so a command of several sub-second stages shows them. */
static double t_process;
#define SHORT_STAGE 0.2

__attribute__((constructor)) static void process_start(void)
{
    t_process = xs__now();
}

/* 1 when the bar of p may be drawn at now. */
static int due(const xs__progress *p, double now)
{
    double ran = now - p->start;
    return ran >= p->after || (ran >= SHORT_STAGE && now - t_process >= p->after);
}

void xs__progress_start(xs__progress *p, const char *label, uint64_t total)
{
    p->label = label;
    p->total = total;
    p->start = p->last_draw = xs__now();
    p->calls = 0;
    p->drawn = 0;
    p->done = 0;
    p->enabled = !background && !atomic_load(&quiet) && isatty(STDERR_FILENO) &&
                 !getenv("XS_NO_PROGRESS");
    int free_line = 0;
    p->owner = p->enabled && atomic_compare_exchange_strong(&line_taken, &free_line, 1);
    p->enabled = p->owner;
    const char *after = p->enabled ? getenv("XS_PROGRESS_AFTER") : NULL;
    p->after = after && *after ? atof(after) : 1.0;
}

/* Draws the bar for done items at time now. */
static void draw(xs__progress *p, uint64_t done, double now)
{
    p->last_draw = now;
    p->drawn = 1;
    if (p->total) {
        double f = (double)done / (double)p->total;
        if (f > 1) f = 1;
        int w = 30, k = (int)(f * w);
        fprintf(stderr, "\r%s [", p->label);
        for (int i = 0; i < w; i++) fputc(i < k ? '#' : '.', stderr);
        double el = now - p->start;
        fprintf(stderr, "] %3d%% %.1fs", (int)(f * 100), el);
        if (f > 0.01 && f < 1) fprintf(stderr, ", ETA %.0fs", el * (1 - f) / f);
    } else if (done) {
        fprintf(stderr, "\r%s %llu %.1fs", p->label, (unsigned long long)done,
                now - p->start);
    } else { /* nothing counted: the time it has taken */
        fprintf(stderr, "\r%s %.1fs", p->label, now - p->start);
    }
    fputs("\033[K", stderr); /* the rest of a longer earlier line */
    fflush(stderr);
}

void xs__progress_update(xs__progress *p, uint64_t done)
{
    if (!p->enabled) return;
    p->done = done;
    if (++p->calls & 4095u) return;
    double now = xs__now();
    if (!due(p, now) || now - p->last_draw < 0.1) return;
    draw(p, done, now);
}

void xs__progress_finish(xs__progress *p)
{
    if (p->enabled && !p->drawn) {
        double now = xs__now();
        if (now - p->start >= p->after) draw(p, p->done, now);
    }
    if (p->drawn) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    p->drawn = 0;
    if (p->owner) atomic_store(&line_taken, 0);
    p->owner = 0;
    p->enabled = 0;
}

/* ---------------------------------------------------------------------- */
/* Ticker: a drawing thread for work that cannot draw itself              */
/* ---------------------------------------------------------------------- */

static void *tick(void *arg)
{
    xs__ticker *t = arg;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int rc = pthread_cond_timedwait(&t->cv, &t->mu, &ts);
        if (t->stop) break;
        if (rc != ETIMEDOUT) continue;
        double now = xs__now();
        if (due(&t->p, now))
            draw(&t->p, atomic_load_explicit(&t->done, memory_order_relaxed), now);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

void xs__ticker_start(xs__ticker *t, const char *label, uint64_t total)
{
    memset(t, 0, sizeof *t);
    atomic_init(&t->done, 0);
    xs__progress_start(&t->p, label, total);
    if (!t->p.enabled) return;
    if (pthread_mutex_init(&t->mu, NULL) != 0) return;
    if (pthread_cond_init(&t->cv, NULL) != 0) {
        pthread_mutex_destroy(&t->mu);
        return;
    }
    if (pthread_create(&t->th, NULL, tick, t) != 0) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        return; /* no bar: the work goes on */
    }
    t->running = 1;
}

void xs__ticker_finish(xs__ticker *t)
{
    if (!t->running) return;
    pthread_mutex_lock(&t->mu);
    t->stop = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->th, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    t->running = 0;
    t->p.done = atomic_load_explicit(&t->done, memory_order_relaxed);
    xs__progress_finish(&t->p);
}
