/*
 * jsonw.c — a JSON answer written straight into one buffer (an xs__buf,
 * base/buf.h) made the response: byte for byte what jansson's
 * json_dumps(JSON_COMPACT) would write for the same value (its separators,
 * its string escaping, its reals). The hot read routes (offers, together,
 * customer) answer this way instead of building a jansson tree: a tree
 * costs an allocation per value and printf per real, which was most of
 * their time at 1M customers (bench/results/serve.md). Contract in
 * serve_int.h.
 */
#include "base/alloc.h"
#include "base/buf.h"
#include "serve/serve_int.h"

/* Contract in serve_int.h. */
int xs__serve_jw_reply(xs__serve_req *r, xs__buf *o, const char *what)
{
    size_t n = 0;
    char *text = o->bad_utf8 ? NULL : xs__buf_take(o, &n);
    if (!text) {
        xs__buf_free(o);
        return xs__serve_error(r, 500, "internal", "cannot render %s", what);
    }
    json_decref(r->out);
    r->out = NULL;
    xs__free(r->text);
    r->text = text;
    r->n_text = n;
    r->text_type = "application/json";
    r->status = 200;
    return 200;
}
