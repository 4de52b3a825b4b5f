/*
 * progress.h — a progress bar on stderr for long work.
 *
 * Shown only when stderr is a terminal and the work has run for more than a
 * second; silent otherwise (pipes, CI, tests). Updates are cheap to call in a
 * loop: the clock is read at most every 4096 calls.
 */
#ifndef XS_PROGRESS_H
#define XS_PROGRESS_H

#include <stdint.h>

typedef struct xs__progress {
    const char *label;
    uint64_t total; /* 0 when unknown */
    double start, last_draw;
    unsigned calls;
    int enabled, drawn;
} xs__progress;

void xs__progress_start(xs__progress *p, const char *label, uint64_t total);
void xs__progress_update(xs__progress *p, uint64_t done);
/* Clears the bar line if one was drawn. */
void xs__progress_finish(xs__progress *p);
/* Monotonic seconds. */
double xs__now(void);

#endif
