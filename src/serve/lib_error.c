/*
 * lib_error.c — the one table from library error codes to HTTP answers.
 *
 * A handler that calls the library and gets rc < 0 answers with
 * xs__serve_fail(): the code chooses the status and the error code of the
 * JSON body; a bad parameter leads the message with its name, which is the
 * JSON field or query argument the client sent (the library names
 * parameters as the API does: "from", "revenue_delta", "end").
 */
#include "serve/serve_int.h"

static const struct {
    int code, status;
    const char *name;
    int with_param; /* lead the message with "param: " when the error has one */
} status_map[] = {
    {XS_EINVAL, 400, "bad_request", 1},  {XS_ERANGE, 400, "bad_request", 1},
    {XS_EPARSE, 400, "bad_request", 1},  {XS_EUSAGE, 400, "bad_request", 1},
    {XS_ENOTFOUND, 404, "not_found", 0}, {XS_ECONFLICT, 409, "conflict", 1},
    {XS_ENOMEM, 500, "internal", 0},     {XS_EINTERNAL, 500, "internal", 0},
};

/* Contract in serve_int.h. */
int xs__serve_fail(xs__serve_req *r, int rc, const xs_error *e)
{
    if (rc == XS_EBUSY) return xs__serve_store_busy(r);
    for (size_t i = 0; i < sizeof status_map / sizeof status_map[0]; i++) {
        if (status_map[i].code != rc) continue;
        if (rc == XS_ENOMEM) return xs__serve_error(r, 500, "internal", "out of memory");
        if (status_map[i].with_param && e->param[0])
            return xs__serve_error(r, status_map[i].status, status_map[i].name, "%s: %s",
                                   e->param, e->message);
        return xs__serve_error(r, status_map[i].status, status_map[i].name, "%s",
                               e->message);
    }
    /* the store's own failures (XS_EDB, XS_EIO, XS_ESCHEMA) */
    return xs__serve_error(r, 503, "not_available", "store: %s", e->message);
}
