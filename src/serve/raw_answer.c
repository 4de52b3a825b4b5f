/*
 * raw_answer.c — a JSON error answer written straight to a socket
 * (raw_answer.h).
 */
#include "serve/raw_answer.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Contract in raw_answer.h. */
void xs__serve_send_answer(int fd, int status, const char *reason, const char *body)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n%sConnection: close\r\n\r\n%s",
                     status, reason, strlen(body),
                     status == 503 || status == 429 ? "Retry-After: 1\r\n" : "", body);
    if (n > 0 && (size_t)n < sizeof buf)
        (void)!send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Contract in raw_answer.h. */
void xs__serve_send_error(int fd, int status, const char *reason, const char *code,
                          const char *msg)
{
    char body[384];
    int n = snprintf(body, sizeof body,
                     "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n", code, msg);
    if (n > 0 && (size_t)n < sizeof body) xs__serve_send_answer(fd, status, reason, body);
}
