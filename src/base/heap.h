/*
 * heap.h — the heap of a process that builds one large thing (`xsell
 * build`): memory kept for reuse, and pages made ready on a core that
 * would otherwise wait.
 *
 * A page of the heap costs a page fault the first time it is written: the
 * kernel finds a page, zeroes it and maps it, on the thread that wrote it.
 * At 1M customers the build's ~1.6 GB cost ~420K faults, about 1 CPU
 * second on its two busy threads (several times that when the VM's host
 * must back the page first). xs__heap_warm_start moves most of them to a
 * thread of idle priority, which runs only while a core has nothing else
 * to do (the first half second of a build loads the customers on one
 * core): it grows the heap by the bytes the build is expected to need and
 * faults them in ahead of the allocations that will take them.
 */
#ifndef XS_HEAP_H
#define XS_HEAP_H

#include <stddef.h>

/* The process's freed memory kept for its next allocations instead of
 * given back to the kernel: one malloc arena for every thread, no mapping
 * of its own for a large block, no trimming. glibc only (elsewhere
 * nothing). */
void xs__heap_keep(void);

/* Faults in the pages of [p, p + n) for writing without changing a byte
 * (MADV_POPULATE_WRITE): safe on memory in use. 0, or -1 when the kernel
 * cannot (before Linux 5.14) or a page is not mapped. */
int xs__heap_populate(void *p, size_t n);

typedef struct xs__heap_warm xs__heap_warm;

/* After xs__heap_keep: grows the heap by about `bytes` (at most
 * XS__HEAP_WARM_MAX) that the next allocations take from, and faults them
 * in on a thread of idle priority (SCHED_IDLE; a thread that cannot have
 * it faults in nothing: at normal priority it would take a core from the
 * build). NULL, and nothing done, below XS__HEAP_WARM_MIN, without glibc's
 * allocator (a sanitizer's has its own), when the kernel cannot populate,
 * or without a thread. */
xs__heap_warm *xs__heap_warm_start(size_t bytes);
/* The thread of xs__heap_warm_start on the whole pages of a range the
 * caller has mapped (tests); NULL when there is none or no thread. */
xs__heap_warm *xs__heap_warm_range(void *p, size_t n);
/* Stops w's thread (with wait, after it has faulted in everything) and
 * frees w; NULL is fine. Returns the bytes it faulted in. */
size_t xs__heap_warm_stop(xs__heap_warm *w, int wait);

#define XS__HEAP_WARM_MIN ((size_t)64 << 20)
/* below glibc's trim threshold as xs__heap_keep sets it (INT_MAX): a
 * larger free block at the top of the heap would be given back */
#define XS__HEAP_WARM_MAX ((size_t)1792 << 20)

#endif
