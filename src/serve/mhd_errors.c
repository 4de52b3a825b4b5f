/*
 * mhd_errors.c — libmicrohttpd's own error answers, in the server's JSON.
 *
 * libmicrohttpd 0.9.75 answers some requests by itself, before any callback
 * of ours runs, with a fixed HTML page it offers no option to replace: a
 * head larger than its memory pool (431, or 414 while the request line is
 * still incomplete), a malformed request line or header line (400), an
 * HTTP version other than 1.x (505), a bad Content-Length (400, 413), a
 * malformed chunked body (400, 413). admit.c checks the first head of a
 * connection itself (head.c), but later requests of a kept-alive
 * connection, and every request body, are read by libmicrohttpd alone.
 *
 * All those answers come from one function of its connection.c,
 * transmit_error_response_len(), which calls its own exported
 * MHD_create_response_from_buffer(len, message, MHD_RESPMEM_PERSISTENT) —
 * message a static string of the library — and then, on the same thread,
 * MHD_queue_response(connection, status, response), with the connection
 * put in the state where a handler's response is queued; it then marks
 * the connection to close after the answer. In Debian's build both calls
 * go through the library's PLT (objdump -R lists JUMP_SLOT relocations
 * for them), so the definitions below, in the executable, take them over
 * (ELF symbol interposition) and reach the library's own through
 * dlsym(RTLD_NEXT). Every call passes through unchanged except one: a
 * response created from a buffer that lies inside libmicrohttpd's own
 * image (its message text; none of ours ever does) is remembered for the
 * thread, and when that very response is queued next, a JSON answer in the
 * shape of docs/api.md ("Errors") is queued in its place, same status,
 * "Connection: close". The library then drops its HTML response, which
 * was never queued. (Its Content-Length errors are the exception: after
 * them 0.9.75 writes the response head twice, so answer() writes ours to
 * the socket itself and refuses the queueing, and the library closes.)
 * The server's own code calls MHD_* as usual, through these definitions:
 * nothing to remember, one thread-local compare per call; a flag to set
 * around our own calls, or a wrapper for them, would be one more thing
 * every new call site must get right.
 *
 * Sound because the swap happens where libmicrohttpd itself queues a
 * response: same connection, same thread, same state, a response of the
 * same kind (a buffer), and the library's own bookkeeping afterwards
 * (close after sending, drop its unqueued response) is unchanged.
 *
 * What breaks it: a libmicrohttpd linked with -Bsymbolic or protected
 * visibility, built with LTO that calls its own functions directly, or a
 * version whose error path no longer calls these two functions. Then the
 * HTML pages come back; tests/unit/test_serve_bytes.c ("kept_heads")
 * fails on them. docs/api.md ("Request heads") lists the answers.
 */
#define _GNU_SOURCE /* dladdr */
#include "serve/serve_int.h"
#include "serve/raw_answer.h"

#include <microhttpd.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned int,
                                    struct MHD_Response *);
typedef struct MHD_Response *(*create_fn)(size_t, void *, enum MHD_ResponseMemoryMode);

static queue_fn real_queue;
static create_fn real_create;
static void *mhd_base; /* load address of libmicrohttpd */
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The response libmicrohttpd just created on this thread for its own
 * error answer, and its text; NULL when none. */
static _Thread_local struct MHD_Response *own_resp;
static _Thread_local const char *own_text;
static _Thread_local size_t own_len;

/* The definitions that come after ours in the lookup order:
 * libmicrohttpd's, and the load address of its image. */
static void resolve(void)
{
    xs__serve_next_fn("MHD_queue_response", &real_queue, sizeof real_queue);
    void *c = xs__serve_next_fn("MHD_create_response_from_buffer", &real_create,
                                sizeof real_create);
    Dl_info in;
    if (dladdr(c, &in)) mhd_base = in.dli_fbase;
}

/* 1 when p lies inside libmicrohttpd's image. */
static int in_mhd(const void *p)
{
    Dl_info in;
    return p && mhd_base && dladdr(p, &in) && in.dli_fbase == mhd_base;
}

/* The answers, by status and a word of libmicrohttpd's message (its
 * messages of 0.9.75, connection.c; an empty message, as in a build
 * without messages, falls to the entry of its status). The first match
 * wins. */
static const struct {
    unsigned status;
    const char *needle; /* NULL: any message */
    const char *body;
} answers[] = {
#define ANSWER(st, needle, code, msg)                                                    \
    {                                                                                    \
        st, needle, "{\"error\":{\"code\":\"" code "\",\"message\":\"" msg "\"}}\n"      \
    }
    ANSWER(400, "chunked", "bad_request", "malformed chunked body"),
    ANSWER(400, "Content-Length", "bad_request", "Content-Length is not a number"),
    ANSWER(400, "Host", "bad_request", "an HTTP/1.1 request needs a Host header"),
    ANSWER(400, NULL, "bad_request", "malformed request line or header line"),
    ANSWER(413, "chunk size", "payload_too_large", "a chunk size is too large"),
    ANSWER(413, NULL, "payload_too_large", "Content-Length is too large"),
    ANSWER(414, NULL, "uri_too_long", "the request line is longer than 8192 bytes"),
    ANSWER(431, NULL, "header_too_large",
           "the request head is longer than 8192 bytes or has more than 64 header "
           "lines, query parameters and cookies"),
    ANSWER(505, NULL, "http_version_not_supported",
           "only HTTP/1.0 and HTTP/1.1 are supported"),
    ANSWER(0, NULL, "bad_request", "malformed request"),
#undef ANSWER
};

/* 1 when the needle occurs in t[0..n). */
static int has(const char *t, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t j = 0; j + k <= n; j++)
        if (!memcmp(t + j, needle, k)) return 1;
    return 0;
}

/* Our body for libmicrohttpd's answer status with text t[0..n). */
static const char *answer_for(unsigned status, const char *t, size_t n)
{
    size_t i = 0;
    for (; answers[i].status; i++)
        if (answers[i].status == status &&
            (!answers[i].needle || has(t, n, answers[i].needle)))
            break;
    if (!answers[i].status && status >= 500)
        return "{\"error\":{\"code\":\"internal\",\"message\":\"the request could not be "
               "read\"}}\n";
    return answers[i].body;
}

/* Queues our JSON answer instead of libmicrohttpd's; its own when ours
 * cannot be made (out of memory). */
static enum MHD_Result queue_json(struct MHD_Connection *c, unsigned status,
                                  struct MHD_Response *theirs, const char *body)
{
    struct MHD_Response *r =
        real_create(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!r || MHD_add_response_header(r, "Content-Type", "application/json") != MHD_YES ||
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close") != MHD_YES) {
        if (r) MHD_destroy_response(r);
        return real_queue(c, status, theirs);
    }
    enum MHD_Result ok = real_queue(c, status, r);
    MHD_destroy_response(r); /* the connection holds its own reference */
    return ok;
}

/* Writes our JSON answer to the socket itself and refuses the queueing:
 * libmicrohttpd then closes the connection (FIN after the answer). */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status,
                                 const char *body)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci)
        xs__serve_send_answer(ci->connect_fd, (int)status,
                              MHD_get_reason_phrase_for(status), body);
    return MHD_NO;
}

/* libmicrohttpd's own error answer, status and text, becomes ours. Its
 * answers to a bad Content-Length (and to a missing Host, in its strict
 * mode) are raised while it parses the header lines, after which 0.9.75
 * moves the connection on as if no answer were queued and writes the
 * response head a second time (its own HTML answer goes out with two
 * heads): those we write ourselves and let it close the connection. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status,
                              struct MHD_Response *theirs)
{
    const char *body = answer_for(status, own_text, own_len);
    if (has(own_text, own_len, "Content-Length") || has(own_text, own_len, "Host"))
        return send_json(c, status, body);
    return queue_json(c, status, theirs, body);
}

/* libmicrohttpd's MHD_create_response_from_buffer, remembering a
 * response made of the library's own text (see the top of the file). */
struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
                                                     enum MHD_ResponseMemoryMode mode)
{
    pthread_once(&once, resolve);
    struct MHD_Response *r = real_create(size, buffer, mode);
    own_resp = NULL;
    if (r && mode == MHD_RESPMEM_PERSISTENT && in_mhd(buffer)) {
        own_resp = r;
        own_text = buffer;
        own_len = size;
    }
    return r;
}

/* libmicrohttpd's MHD_queue_response; the library's own error answer
 * becomes ours. */
enum MHD_Result MHD_queue_response(struct MHD_Connection *connection,
                                   unsigned int status_code,
                                   struct MHD_Response *response)
{
    pthread_once(&once, resolve);
    if (response && response == own_resp) {
        own_resp = NULL;
        return answer(connection, status_code, response);
    }
    return real_queue(connection, status_code, response);
}

/* Contract in serve_int.h. */
void xs__serve_mhd_errors_init(void)
{
    pthread_once(&once, resolve);
}
