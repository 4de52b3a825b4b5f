/*
 * heap.c — the heap kept for reuse (xs__heap_keep) and faulted in ahead on
 * a thread of idle priority (xs__heap_warm_start). Linux and glibc; on
 * other systems both do nothing.
 */
#define _GNU_SOURCE /* SCHED_IDLE, MADV_POPULATE_WRITE */
#include "base/heap.h"

#include "base/alloc.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* The thread faults in this much at a time, and looks at stop between.
 * Small: a populate call holds the address space's lock for reading, and
 * a thread of idle priority may wait long for a core in the middle of
 * one, while the build's threads wait to grow the heap (brk takes the lock
 * for writing); 64 pages are ~0.1 ms of work. */
#define CHUNK ((size_t)256 << 10)

struct xs__heap_warm {
    uintptr_t from, to; /* page-aligned */
    atomic_int stop;
    atomic_size_t done;
    pthread_t th;
};

void xs__heap_keep(void)
{
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

int xs__heap_populate(void *p, size_t n)
{
#if defined(MADV_POPULATE_WRITE)
    if (!n) return 0;
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)p & ~(pg - 1);
    uintptr_t e = ((uintptr_t)p + n + pg - 1) & ~(pg - 1);
    return madvise((void *)a, e - a, MADV_POPULATE_WRITE) == 0 ? 0 : -1;
#else
    (void)p;
    (void)n;
    return -1;
#endif
}

static void *warm_run(void *arg)
{
    xs__heap_warm *w = arg;
    /* idle priority or nothing: at normal priority it would take a core
     * from the work it is meant to help (glibc's thread attributes do not
     * take SCHED_IDLE, the thread sets it on itself) */
    struct sched_param sp = {.sched_priority = 0};
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) != 0) return NULL;
    for (uintptr_t a = w->from; a < w->to && !atomic_load(&w->stop); a += CHUNK) {
        size_t n = w->to - a < CHUNK ? (size_t)(w->to - a) : CHUNK;
        if (xs__heap_populate((void *)a, n) < 0) break; /* given back meanwhile */
        atomic_fetch_add(&w->done, n);
    }
    return NULL;
}

/* The thread on the whole pages of [at, at + n). */
static xs__heap_warm *warm_pages(uintptr_t at, size_t n)
{
#if defined(MADV_POPULATE_WRITE)
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = (at + pg - 1) & ~(pg - 1);
    uintptr_t to = (at + n) & ~(pg - 1);
    if (to <= from) return NULL;
    xs__heap_warm *w = xs__calloc(1, sizeof *w);
    if (!w) return NULL;
    if (xs__heap_populate(w, sizeof *w) < 0) { /* a kernel before 5.14 */
        xs__free(w);
        return NULL;
    }
    w->from = from;
    w->to = to;
    atomic_init(&w->stop, 0);
    atomic_init(&w->done, 0);
    if (pthread_create(&w->th, NULL, warm_run, w) != 0) {
        xs__free(w);
        return NULL;
    }
    return w;
#else
    (void)at;
    (void)n;
    return NULL;
#endif
}

xs__heap_warm *xs__heap_warm_range(void *p, size_t n)
{
    return warm_pages((uintptr_t)p, n);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XS__SANITIZED_HEAP 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define XS__SANITIZED_HEAP 1
#endif

xs__heap_warm *xs__heap_warm_start(size_t bytes)
{
#if defined(__GLIBC__) && !defined(XS__SANITIZED_HEAP)
    if (bytes < XS__HEAP_WARM_MIN) return NULL;
    if (bytes > XS__HEAP_WARM_MAX) bytes = XS__HEAP_WARM_MAX;
    /* The heap grown by a block given back at once: the free block at its
     * top is what the next allocations are cut from, lowest address
     * first, as the thread goes. The block itself is never written: the
     * thread only faults its pages in. */
    void *p = malloc(bytes);
    if (!p) return NULL;
    uintptr_t at = (uintptr_t)p;
    free(p);
    return warm_pages(at, bytes);
#else
    (void)bytes;
    return NULL;
#endif
}

size_t xs__heap_warm_stop(xs__heap_warm *w, int wait)
{
    if (!w) return 0;
    if (!wait) atomic_store(&w->stop, 1);
    pthread_join(w->th, NULL);
    size_t done = atomic_load(&w->done);
    xs__free(w);
    return done;
}
