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
 * A malformed line that arrives in the same segment right behind a
 * complete request is read with it, and the answer to that request goes
 * out before libmicrohttpd reaches the line. So the answers are watched
 * too: a response head without "Connection: close" (libmicrohttpd always
 * writes that header when it will close after the response, its
 * build_header_response()) means the connection was to stay open; when
 * libmicrohttpd half-closes it before its event loop has waited for
 * anything since that answer (only waits with timeout 0, which it makes
 * while it still holds bytes read before), the client's stream not having
 * ended (a read of nothing, or a failure, forgets the socket), what
 * followed the request was a line it could not parse, and it gets the 400
 * too. An idle connection's timeout comes after a wait that could block.
 *
 * Not caught: a close for another reason right after reading, with nothing
 * sent (libmicrohttpd out of memory; the server never refuses a request
 * without an answer), would also get the 400, which is still an answer. A
 * timeout or the client's own close comes in a later pass, or after a
 * read of nothing, and stays silent as it should. What breaks it: a
 * libmicrohttpd linked with -Bsymbolic, or one that uses MHD_USE_TURBO
 * (no shutdown() before the close); then tests/unit/test_serve_bytes.c
 * ("kept_heads") fails on the missing answer.
 */
#define _GNU_SOURCE /* memmem */
#include "serve/raw_answer.h"
#include "serve/serve_int.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
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

/* The socket that received bytes last on this thread, with neither the
 * end of its stream nor a failure read since; -1 when none. */
static _Thread_local int read_fd = -1;

/* The socket whose last answer on this thread left the connection open
 * (a response head without "Connection: close"), and the count of waits
 * that could block when it was sent; -1 when none. */
static _Thread_local int kept_fd = -1;
static _Thread_local unsigned long kept_blocking;

/* The C library's definitions (through the sanitizer's, when there is one). */
static void resolve(void)
{
    xs__serve_next_fn("recv", &real_recv, sizeof real_recv);
    xs__serve_next_fn("send", &real_send, sizeof real_send);
    xs__serve_next_fn("sendmsg", &real_sendmsg, sizeof real_sendmsg);
    xs__serve_next_fn("shutdown", &real_shutdown, sizeof real_shutdown);
}

/* recv(2), remembering the socket that received bytes (a peek reads
 * nothing; the end of the stream or a failure, nothing to answer). */
ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    pthread_once(&once, resolve);
    ssize_t r = real_recv(fd, buf, n, flags);
    if (!(flags & MSG_PEEK)) {
        if (r > 0) {
            unanswered_fd = read_fd = fd;
            unanswered_pass = xs__serve_epoll_pass;
        } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            if (fd == unanswered_fd) unanswered_fd = -1;
            if (fd == read_fd) read_fd = -1;
            if (fd == kept_fd) kept_fd = -1;
        }
    }
    return r;
}

/* Bytes p[0..n) sent on fd answer what it received; when they begin a
 * response head, remembers whether it leaves the connection open. */
static void sent(int fd, const char *p, size_t n)
{
    if (fd == unanswered_fd) unanswered_fd = -1;
    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0) return; /* not a head's start */
    const char *end = memmem(p, n, "\r\n\r\n", 4);
    if (!end) return; /* a head sent in part: no verdict */
    if (memmem(p, (size_t)(end - p) + 2, "\r\nConnection: close\r\n", 21)) {
        if (fd == kept_fd) kept_fd = -1;
    } else {
        kept_fd = fd;
        kept_blocking = xs__serve_epoll_blocking;
    }
}

/* send(2), watching what is sent (sent()). */
ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    pthread_once(&once, resolve);
    ssize_t r = real_send(fd, buf, n, flags);
    if (r > 0) sent(fd, buf, (size_t)r);
    return r;
}

/* sendmsg(2), as send(): a response head comes first. */
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    pthread_once(&once, resolve);
    ssize_t r = real_sendmsg(fd, msg, flags);
    if (r > 0 && msg->msg_iovlen > 0) {
        size_t n = msg->msg_iov[0].iov_len;
        sent(fd, msg->msg_iov[0].iov_base, n < (size_t)r ? n : (size_t)r);
    }
    return r;
}

/* shutdown(2), answering first what libmicrohttpd closes on unanswered
 * (see the top of the file). */
int shutdown(int fd, int how)
{
    pthread_once(&once, resolve);
    unsigned long pass = xs__serve_epoll_pass;
    /* pass 0: a thread with no event loop (a client of its own) */
    if (how == SHUT_WR && pass && ((fd == unanswered_fd && unanswered_pass == pass) ||
                           (fd == kept_fd && kept_blocking == xs__serve_epoll_blocking &&
                            fd == read_fd))) {
        unanswered_fd = kept_fd = -1;
        xs__serve_send_error(fd, 400, "Bad Request", "bad_request", "malformed request line");
    }
    return real_shutdown(fd, how);
}

/* Contract in serve_int.h. */
void xs__serve_mhd_close_init(void)
{
    pthread_once(&once, resolve);
}
