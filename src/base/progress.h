/*
 * progress.h — a progress bar on stderr for long work.
 *
 * Shown only when stderr is a terminal and the work has run for more than a
 * second (or the command has, and the work for a fifth of one); silent
 * otherwise (pipes, CI, tests). Updates are cheap to call in a
 * loop: the clock is read at most every 4096 calls. XS_NO_PROGRESS=1 turns
 * the bar off; XS_PROGRESS_AFTER=SECONDS (for tests: 0) changes the second.
 *
 * Two kinds: xs__progress, updated by the one thread that does the work, and
 * xs__ticker, for work split over threads or done inside a library call
 * that cannot report: the workers add to an atomic count (or nothing, and
 * the bar shows the elapsed time), and a thread of the ticker's own draws
 * the bar ten times a second. Neither starts a thread or reads the clock
 * when stderr is not a terminal. One bar at a time: a bar started while
 * another is shown (a stage inside a stage) stays silent, so the outer one
 * keeps the line.
 */
#ifndef XS_PROGRESS_H
#define XS_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct xs__progress {
    const char *label;
    uint64_t total; /* 0 when unknown */
    double start, last_draw;
    double after;  /* seconds before the first draw */
    uint64_t done; /* the last count given */
    unsigned calls;
    int enabled, drawn;
    int owner; /* holds the one line: a bar started inside another stays off */
} xs__progress;

void xs__progress_start(xs__progress *p, const char *label, uint64_t total);
/* on = 1: the calling thread works beside the stage that shows its bar (the
 * build's scores beside the engine and the target list); bars it starts stay
 * off, so the foreground stages keep the line. */
void xs__progress_background(int on);
/* on = 1: no bar is drawn in the whole process, on any thread (`xsell
 * serve` once it serves: a build for POST /v1/build must not draw on the
 * terminal the server runs in); 0 again. */
void xs__progress_quiet(int on);
void xs__progress_update(xs__progress *p, uint64_t done);
/* Clears the bar line if one was drawn (drawn once first when the work ran
 * past the threshold between two clock reads). */
void xs__progress_finish(xs__progress *p);

typedef struct xs__ticker {
    xs__progress p;
    _Atomic uint64_t done;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running, stop;
} xs__ticker;

/* Starts a ticker for work of total items (0: unknown, the elapsed time is
 * shown); label is borrowed until xs__ticker_finish. */
void xs__ticker_start(xs__ticker *t, const char *label, uint64_t total);
/* Counts n more items done; any thread, lock-free. */
static inline void xs__ticker_add(xs__ticker *t, uint64_t n)
{
    if (t) atomic_fetch_add_explicit(&t->done, n, memory_order_relaxed);
}
/* Stops the drawing thread and clears the bar. Accepts a ticker that was
 * never started (zeroed). */
void xs__ticker_finish(xs__ticker *t);
/* Monotonic seconds. */
double xs__now(void);

#endif
