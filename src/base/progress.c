/*
 * progress.c — terminal progress bar (see progress.h).
 */
#include "base/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double xs__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void xs__progress_start(xs__progress *p, const char *label, uint64_t total)
{
    p->label = label;
    p->total = total;
    p->start = p->last_draw = xs__now();
    p->calls = 0;
    p->drawn = 0;
    p->enabled = isatty(STDERR_FILENO) && !getenv("XS_NO_PROGRESS");
}

void xs__progress_update(xs__progress *p, uint64_t done)
{
    if (!p->enabled || (++p->calls & 4095u)) return;
    double now = xs__now();
    if (now - p->start < 1.0 || now - p->last_draw < 0.1) return;
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
    } else {
        fprintf(stderr, "\r%s %llu %.1fs", p->label, (unsigned long long)done,
                now - p->start);
    }
    fputs("\033[K", stderr); /* the rest of a longer earlier line */
    fflush(stderr);
}

void xs__progress_finish(xs__progress *p)
{
    if (p->drawn) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    p->drawn = 0;
}
