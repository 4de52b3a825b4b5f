/*
 * mhd_close.c — an answer for the later request line libmicrohttpd closes on.
 *
 * libmicrohttpd 0.9.75 reads the later requests of a kept-alive connection
 * by itself (admit.c checks only the first head). A request line it cannot
 * parse at all — no space in it (`GARBAGE`), or one that starts with a
 * space — makes it close the connection without a word: its
 * parse_initial_message_line() fails before any callback of ours or any
 * error answer of its own (mhd_errors.c turns those into JSON), and
 * MHD_connection_mark_closed_() half-closes the socket with
 * shutdown(fd, SHUT_WR). The first request of a connection gets 400
 * "malformed request line" from head.c; this file gives a later one the
 * same answer.
 *
 * libmicrohttpd calls recv(), send(), sendmsg() and shutdown() through its
 * PLT, so the definitions below, in the executable, take them over (ELF
 * symbol interposition, as mhd_errors.c and mhd_epoll.c do) and pass every
 * call on to the C library's (through xs__serve_next_fn). They watch one
 * thing per thread: the socket that last received bytes, in the current
 * pass of the thread's event loop (the count of its epoll_wait calls,
 * mhd_epoll.c), with nothing sent on it since. When libmicrohttpd
 * half-closes that very socket in that same pass, it closes because of
 * the bytes it has just read, and nothing answered them: the request line
 * was malformed (every other answer it or the server gives goes out by
 * send() or sendmsg() before the close). The 400 is then written before
 * the half-close, so the client reads it and then the end of the stream.
 *
 * Not caught: a close for another reason right after reading, with nothing
 * sent (libmicrohttpd out of memory; the server never refuses a request
 * without an answer), would also get the 400, which is still an answer; a
 * malformed line that arrives in the same segment right behind a complete
 * request is read with it, so the answer to that request was sent and the
 * close stays silent. A timeout or the client's own close comes in a later
 * pass, or after a read of nothing, and stays silent as it should. What
 * breaks it: a libmicrohttpd linked with -Bsymbolic, or one that uses
 * MHD_USE_TURBO (no shutdown() before the close); then
 * tests/unit/test_serve_bytes.c ("kept_heads") fails on the missing answer.
 */
#include "serve/raw_answer.h"
#include "serve/serve_int.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/types.h>

typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);
typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);
typedef int (*shutdown_fn)(int, int);

static recv_fn real_recv;
static send_fn real_send;
static sendmsg_fn real_sendmsg;
static shutdown_fn real_shutdown;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The socket that received bytes last on this thread, in the event loop's
 * pass unanswered_pass, with nothing sent on it since; -1 when none. */
static _Thread_local int unanswered_fd = -1;
static _Thread_local unsigned long unanswered_pass;

/* The C library's definitions (through the sanitizer's, when there is one). */
static void resolve(void)
{
    xs__serve_next_fn("recv", &real_recv, sizeof real_recv);
    xs__serve_next_fn("send", &real_send, sizeof real_send);
    xs__serve_next_fn("sendmsg", &real_sendmsg, sizeof real_sendmsg);
    xs__serve_next_fn("shutdown", &real_shutdown, sizeof real_shutdown);
}

/* recv(2), remembering the socket that received bytes (a peek reads
 * nothing; the end of the stream, nothing to answer). */
ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    pthread_once(&once, resolve);
    ssize_t r = real_recv(fd, buf, n, flags);
    if (!(flags & MSG_PEEK)) {
        if (r > 0) {
            unanswered_fd = fd;
            unanswered_pass = xs__serve_epoll_pass;
        } else if (r == 0 && fd == unanswered_fd) {
            unanswered_fd = -1;
        }
    }
    return r;
}

/* send(2): bytes sent on the socket answer what it received. */
ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    pthread_once(&once, resolve);
    ssize_t r = real_send(fd, buf, n, flags);
    if (r > 0 && fd == unanswered_fd) unanswered_fd = -1;
    return r;
}

/* sendmsg(2), as send(). */
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    pthread_once(&once, resolve);
    ssize_t r = real_sendmsg(fd, msg, flags);
    if (r > 0 && fd == unanswered_fd) unanswered_fd = -1;
    return r;
}

/* shutdown(2), answering first what libmicrohttpd closes on unanswered
 * (see the top of the file). */
int shutdown(int fd, int how)
{
    pthread_once(&once, resolve);
    if (how == SHUT_WR && fd == unanswered_fd && unanswered_pass == xs__serve_epoll_pass) {
        unanswered_fd = -1;
        xs__serve_send_error(fd, 400, "Bad Request", "bad_request", "malformed request line");
    }
    return real_shutdown(fd, how);
}

/* Contract in serve_int.h. */
void xs__serve_mhd_close_init(void)
{
    pthread_once(&once, resolve);
}
