/*
 * raw_answer.h — a JSON error answer written straight to a socket.
 *
 * For the answers the server writes itself, outside libmicrohttpd's
 * response queue: the acceptor's (admit.c) and those that stand in for
 * libmicrohttpd's own (mhd_errors.c, mhd_close.c).
 */
#ifndef XS_SERVE_RAW_ANSWER_H
#define XS_SERVE_RAW_ANSWER_H

/* Writes "HTTP/1.1 status reason" with body (JSON, "Connection: close",
 * and "Retry-After: 1" for 429 and 503) to fd, best effort and without
 * blocking: the socket buffer of a connection reading a request head has
 * room for a few hundred bytes. */
void xs__serve_send_answer(int fd, int status, const char *reason, const char *body);

/* The same with the body of docs/api.md "Errors":
 * {"error":{"code":code,"message":msg}} (code and msg need no escaping). */
void xs__serve_send_error(int fd, int status, const char *reason, const char *code,
                          const char *msg);

#endif
