/*
 * mhd_epoll.c — libmicrohttpd 0.9.75's epoll stall, taken out.
 *
 * A libmicrohttpd worker drains its epoll set with epoll_wait() into a
 * buffer of 128 events (MAX_EVENTS of its daemon.c, MHD_epoll()) and, when
 * a wait fills the buffer, waits again to fetch the rest before it serves
 * any of them, with the same timeout as the first wait. Its connections
 * are registered edge-triggered, so when exactly 128 or more became ready
 * at once and nothing new arrives, that second wait sleeps the whole
 * timeout (up to the keep-alive timeout, 30 s by default) while 128 clients
 * wait for answers that are ready to be made: the throughput collapse of
 * issue 15 at 2 x 128 connections. Later releases wait no longer than zero
 * after a full buffer; Debian 12 ships 0.9.75.
 *
 * libmicrohttpd calls epoll_wait() through its PLT, so the definition below,
 * in the executable, takes it over (ELF symbol interposition, as
 * mhd_errors.c does for its error answers) and reaches the C library's
 * through dlsym(RTLD_NEXT). It changes one thing: on a thread whose last
 * wait on the same epoll descriptor filled a 128-event buffer, the next
 * wait with a 128-event buffer does not block (timeout 0), which is what
 * the loop above means. Nothing else in the process waits on a full
 * 128-event buffer and then waits again expecting to sleep; other calls
 * pass through with one thread-local compare.
 *
 * With the stall gone a worker may hold any number of connections, so the
 * server runs --threads workers (server.c), not one per hundred
 * connections. What breaks it: a libmicrohttpd linked with -Bsymbolic or
 * built to call epoll_wait directly; then the stall is back and
 * tests/unit/test_serve_burst.c, which makes 250 kept-alive connections of
 * two workers ready at once, fails on it.
 */
#include "serve/serve_int.h"

#include <pthread.h>
#include <sys/epoll.h>

#define MHD_MAX_EVENTS 128 /* MAX_EVENTS of libmicrohttpd's daemon.c */

typedef int (*wait_fn)(int, struct epoll_event *, int, int);

static wait_fn real_wait;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The epoll descriptor whose last wait on this thread filled a buffer of
 * MHD_MAX_EVENTS events; -1 when the last wait did not. */
static _Thread_local int full_fd = -1;

/* Contract in serve_int.h. */
_Thread_local unsigned long xs__serve_epoll_pass;
_Thread_local unsigned long xs__serve_epoll_blocking;

/* The C library's epoll_wait (through the sanitizer's, when there is one). */
static void resolve(void)
{
    xs__serve_next_fn("epoll_wait", &real_wait, sizeof real_wait);
}

/* epoll_wait(2), except that a wait right after a full 128-event wait on
 * the same descriptor does not block (see the top of the file). */
int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
    pthread_once(&once, resolve);
    xs__serve_epoll_pass++;
    if (maxevents == MHD_MAX_EVENTS && epfd == full_fd) timeout = 0;
    if (timeout) xs__serve_epoll_blocking++;
    int n = real_wait(epfd, events, maxevents, timeout);
    full_fd = maxevents == MHD_MAX_EVENTS && n == maxevents ? epfd : -1;
    return n;
}

/* Contract in serve_int.h. */
void xs__serve_mhd_epoll_init(void)
{
    pthread_once(&once, resolve);
}
