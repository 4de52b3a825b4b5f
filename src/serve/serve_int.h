/*
 * serve_int.h — what the files of src/serve share: the immutable model the
 * handlers read, the per-request context, the routes table, metrics and the
 * JSON helpers. Only src/serve includes this (and only src/serve speaks
 * HTTP); everything it computes comes from xsell.h.
 *
 * Files: server.c (libmicrohttpd glue, dispatch, auth, shutdown), admit.c
 * (the listening socket and who gets a connection under load: admit.h,
 * used by server.c only), routes.c
 * (the one routes table), model.c (the model: a mapped model file or one
 * built from the store, swapped on POST /v1/build),
 * handlers_read.c (read routes), handlers_offers.c (the offer engine adapter,
 * build, offer outcomes), metrics.c (Prometheus counters), json.c (helpers),
 * static.c
 * (the dashboard's files at / and /assets/), handlers_dash.c (GET
 * /v1/segments, docs/dashboard.md), handlers_events.c (POST /v1/events,
 * a batch of rows through xs_import_records), store_access.c (how write
 * handlers open the store: bounded lock wait, 503 busy), handlers_replay.c
 * (logging the decisions of offers?log=1, GET /v1/replays),
 * handlers_actions.c (experiments started and stopped, the audit log of
 * every write through the API, GET /v1/key).
 */
#ifndef XS_SERVE_INT_H
#define XS_SERVE_INT_H

#include "base/buf.h"
#include "base/escape.h"
#include "xsell.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

/* ---------------------------------------------------------------------- */
/* The model (model.c)                                                    */
/* ---------------------------------------------------------------------- */

/*
 * The server's model: one xs_model (src/model, docs/model.md), either the
 * store's model file mapped read-only (`serve --model FILE`, or the store's
 * latest model file when it is current) or built in memory from the store,
 * and nothing computed per customer on top of it: the routes read its
 * parts (the target list and guardrail totals come with it). Immutable
 * once made, so many request threads read it at once without locks; the
 * two aggregates made on demand (segments, the experiments' report) are
 * made once under lazy_mu. A request holds a reference from its first
 * callback to its completion; the server holds one for the current model.
 * The last release frees it (and unmaps the file).
 */
typedef struct xs__serve_model {
    atomic_long refs;
    unsigned long generation;   /* 1 for the model of the start, then +1 */
    double built_at;            /* when the xs_model was built (wall clock) */
    double build_seconds;       /* what making this one took: the build, or
                                   opening (mapping and checking) the file */
    xs_model *model;            /* owned */
    const xs_model_info *info;  /* where it comes from (borrowed from model) */
    /* its parts, borrowed from model (NULL when absent) */
    const xs_snapshot *snap;
    const xs_baskets *baskets;  /* orders: one basket per order */
    const xs_together *tog;     /* frequently bought together (cosine, top 50) */
    const xs_rules *rules;      /* association rules over the order baskets */
    const xs_customer_scores *cs; /* NULL: see cs_error */
    char cs_error[256];
    xs_offer_engine *offers;    /* NULL: see offers_error */
    char offers_error[256];
    const xs_target *targets;   /* the ranked target list, n_targets rows */
    size_t n_targets;
    const xs_offer_summary *summary; /* guardrail totals of every customer */
    /* made on their first request, under lazy_mu: GET /v1/segments
     * (handlers_dash.c) and GET /v1/experiments (xs__serve_model_experiments) */
    pthread_mutex_t lazy_mu;
    json_t *segments;
    int experiments_done;
    json_t *experiments;        /* NULL: see experiments_error */
    char experiments_error[256];
} xs__serve_model;

/*
 * The model of a server's start (xs_server_start): with model_path, that
 * file mapped (and, with a store, checked to come from it: "FILE was built
 * from another store ..."); else the store's latest model file when it is
 * current (it opens, it was built from this store and the store has not
 * changed since: same data_version), else one built in memory from the
 * store. db: the store (required unless model_path). Returns XS_OK or the
 * error of the store or of the model file (xs_model_open's codes). Caller
 * releases with xs__serve_model_release().
 */
int xs__serve_model_start(const char *db, const char *model_path, xs__serve_model **out,
                          xs_error *err);
/* POST /v1/build: builds a model from the store at db, saves it to the
 * store's model file (meta model_path, else DB.xsm beside a SQLite store,
 * recorded as the store's latest) and maps that file; when the file cannot
 * be written, the model built in memory is used (*warn says why, n bytes).
 * Returns XS_OK or the build's error. Caller releases. */
int xs__serve_model_rebuild(const char *db, unsigned long generation,
                            xs__serve_model **out, char *warn, size_t n, xs_error *err);
/* The body of GET /v1/experiments: every experiment of the store at db
 * with its report on the model's snapshot, made on the first call and kept
 * (thread-safe). Returns a new reference, or NULL with the reason in
 * m->experiments_error. */
json_t *xs__serve_model_experiments(xs__serve_model *m, const char *db);
/* Drops the experiments' body made by xs__serve_model_experiments, so the next
 * call reads the store again (after POST /v1/experiments and .../stop). */
void xs__serve_model_experiments_forget(xs__serve_model *m);
/* Takes a reference. */
void xs__serve_model_retain(xs__serve_model *m);
/* Drops a reference; frees the model with the last one. NULL is fine. */
void xs__serve_model_release(xs__serve_model *m);

/* ---------------------------------------------------------------------- */
/* Metrics (metrics.c)                                                    */
/* ---------------------------------------------------------------------- */

#define XS__N_BUCKETS 12
#define XS__N_STATUS 13
#define XS__MAX_ROUTES 32

/* Counters, lock free (relaxed atomics). Route index n_routes is
 * "unmatched". */
typedef struct xs__serve_metrics {
    atomic_ullong count[XS__MAX_ROUTES + 1][XS__N_STATUS];
    atomic_ullong bucket[XS__MAX_ROUTES + 1][XS__N_BUCKETS]; /* le upper bounds */
    atomic_ullong sum_ns[XS__MAX_ROUTES + 1];
    atomic_ullong n_obs[XS__MAX_ROUTES + 1];
    atomic_ullong offers[XS_OFFER_N_KINDS];
    atomic_ullong builds_ok, builds_failed;
} xs__serve_metrics;

/* Records one request: route index (n_routes: unmatched), status, seconds. */
void xs__serve_metrics_observe(xs__serve_metrics *m, size_t route, int status,
                               double seconds);
/* Renders the Prometheus text exposition into a new string (xs__free);
 * adm: the admission counters (admit.h), NULL when there are none. */
struct xs__serve_admit_stats;
char *xs__serve_metrics_render(const xs__serve_metrics *m, double model_age,
                               unsigned long generation, long in_flight,
                               const struct xs__serve_admit_stats *adm, size_t *len);

/* ---------------------------------------------------------------------- */
/* Requests, responses, routes                                            */
/* ---------------------------------------------------------------------- */

struct xs_server;

/* The API keys of the server (keys.c): loaded from the store at db at start
 * and again once a second by a thread of their own, so a key created or
 * revoked takes effect within a second. */
typedef struct xs__serve_keys xs__serve_keys;
/* Loads the keys and starts the thread. @return XS_OK, or the error of
 * opening the store or reading the keys (err set); *out NULL then. */
int xs__serve_keys_start(const char *db, xs__serve_keys **out, xs_error *err);
/* @return the scope of key[0..n) in the current set, XS_SCOPE_NONE when it
 * is not a key of the set. Thread-safe; takes no store lock. */
xs_apikey_scope xs__serve_keys_check(xs__serve_keys *k, const char *key, size_t n);
/* Stops and joins the thread and frees the keys; NULL is fine. */
void xs__serve_keys_stop(xs__serve_keys *k);

/* The webhook sender thread of the server (webhook_thread.c): sends the due
 * deliveries of the store at db once a second until stopped. */
typedef struct xs__serve_hook_thread xs__serve_hook_thread;
/* @return XS_OK or XS_ENOMEM */
int xs__serve_hook_thread_start(const char *db, unsigned lock_timeout_ms,
                                xs__serve_hook_thread **out);
/* Stops and joins it (it finishes the delivery in flight); NULL is fine. */
void xs__serve_hook_thread_stop(xs__serve_hook_thread *t);

/* The watcher of `serve --model FILE` (model_watch.c): every period_s
 * seconds (0: 2) it looks at path and swaps in the model of a new file
 * (checked against the store db when given) through xs__serve_server_install. */
typedef struct xs__serve_model_watch xs__serve_model_watch;
/* @return XS_OK or XS_ENOMEM */
int xs__serve_model_watch_start(struct xs_server *s, const char *db, const char *path,
                                unsigned period_s, xs__serve_model_watch **out);
/* Stops and joins it; NULL is fine. */
void xs__serve_model_watch_stop(xs__serve_model_watch *w);
/* Makes m the server's model (taking the caller's reference) with the next
 * generation, which it returns; the old model goes with its last request. */
unsigned long xs__serve_server_install(struct xs_server *s, xs__serve_model *m);

/* Copies into the function pointer fn (size bytes) the definition of name
 * that comes after the executable's (dlsym RTLD_NEXT: the one an
 * interposed function passes its calls on to) and returns its address;
 * aborts with a message when there is none (interpose.c). */
void *xs__serve_next_fn(const char *name, void *fn, size_t size);

/* libmicrohttpd's own error answers (400, 413, 414, 431, 505 on heads and
 * bodies it reads by itself) are replaced by JSON ones (mhd_errors.c, by
 * interposing two of its functions). Resolves libmicrohttpd's own
 * definitions now (aborts when there are none); xs_server_start() calls
 * it once. */
void xs__serve_mhd_errors_init(void);

/* libmicrohttpd 0.9.75's epoll stall (a second wait after a full
 * 128-event one sleeps its whole timeout) is taken out by interposing
 * epoll_wait (mhd_epoll.c). Resolves the C library's now (aborts when there
 * is none); xs_server_start() calls it once. */
void xs__serve_mhd_epoll_init(void);
/* The number of epoll_wait calls of this thread so far: one pass of an
 * event loop ends with each (mhd_epoll.c). */
extern _Thread_local unsigned long xs__serve_epoll_pass;
/* ... and of those that could block (a timeout other than 0): an event loop
 * that waits with timeout 0 still has work it took in before. */
extern _Thread_local unsigned long xs__serve_epoll_blocking;

/* A later request line libmicrohttpd closes on without a word (no space
 * in it) gets the first request's 400, by interposing recv, send, sendmsg
 * and shutdown (mhd_close.c). Resolves the C library's now (aborts when
 * there are none); xs_server_start() calls it once. */
void xs__serve_mhd_close_init(void);

#define XS__MAX_PARAMS 2
#define XS__PARAM_MAX 4096 /* a path parameter as sent (percent-encoded), with NUL */
#define XS__QUOTE_MAX 80   /* characters of a value shown in an error message */

#define XS__MAX_XHDR 4

typedef struct xs__serve_req {
    struct xs_server *srv;
    xs__serve_model *model; /* borrowed reference of the request */
    struct MHD_Connection *conn;
    const char *method, *path;
    unsigned param_long;          /* bit k: parameter k did not fit params[k] */
    json_t *body;                 /* parsed JSON body (routes with body_json) */
    xs_apikey_scope scope;        /* scope of the presented key */
    char key_id[24];              /* its key_id (the audit log's "who"); "" on
                                     routes that need no key */
    /* the response */
    int status;
    json_t *out;                  /* JSON body (owned), or: */
    char *text;                   /* text body (xs__malloc), with text_type */
    size_t n_text;
    const char *text_type;
    const char *allow;            /* Allow header of a 405 */
    /* one more response header any handler may set (static strings; NULL:
     * none), emitted by respond() in server.c: e.g. Retry-After of a 503 */
    const char *hdr_name, *hdr_value;
    /* more response headers, values copied (xs__serve_add_header): the
     * dashboard files' ETag, Cache-Control, Vary, Content-Encoding */
    const char *xhdr_name[XS__MAX_XHDR];
    char xhdr_value[XS__MAX_XHDR][64];
    int n_xhdr;
    /* set by xs__serve_dispatch() (no connection, conn NULL): the headers and
     * query arguments come from there (server.c) */
    const struct xs__serve_seam *seam;
    /* path parameters ({id}), in order: matched raw, decoded by server.c.
     * Last on purpose: server.c zeroes a request's state up to here only
     * (8 kB of parameters are written by the route match before any use) */
    char params[XS__MAX_PARAMS][XS__PARAM_MAX];
} xs__serve_req;

typedef int (*xs__serve_handler)(xs__serve_req *r);

typedef struct xs__serve_route {
    const char *method;
    const char *pattern;          /* "/v1/items/{id}/together": {x} is one segment */
    const char *name;             /* metrics label */
    xs_apikey_scope scope;        /* XS_SCOPE_NONE: no key needed */
    int body_json;                /* 1: the body must be a JSON object */
    xs__serve_handler fn;
} xs__serve_route;

extern const xs__serve_route xs__serve_routes[];
extern const size_t xs__serve_n_routes;

/* Matches a raw (still percent-encoded) path against a pattern, copying
 * {x} segments into r->params as sent. Returns 1 on a match. */
int xs__serve_route_match(const char *pattern, const char *path, xs__serve_req *r);
/* Percent-decodes a path parameter in place ("a%2Fb" -> "a/b", "%20" ->
 * " "; '+' stays '+'). Returns NULL, or why it is refused: "bad
 * percent-encoding", "contains NUL", "not valid UTF-8". */
const char *xs__serve_path_decode(char *s);

/* UTF-8 (json.c). The server answers JSON, which must be valid UTF-8:
 * jansson refuses anything else, so every value shown in a message goes
 * through xs__serve_quote() and every message through xs__serve_error(), which cut on
 * character boundaries and show stray bytes as \xNN. */

/* xs__utf8_seq(): the length of one UTF-8 sequence, in base/escape.h. */
/* 1 when s[0..n) is valid UTF-8. */
int xs__serve_utf8_valid(const char *s, size_t n);
/* The longest prefix of the valid UTF-8 s[0..n) of at most max bytes that
 * ends on a character boundary. */
size_t xs__serve_utf8_cut(const char *s, size_t n, size_t max);
/* Writes s[0..len) as a quoted value for a message into dst (size n >= 8,
 * always NUL-terminated, always valid UTF-8): '"' and '\\' get a
 * backslash, control characters and bytes that are not UTF-8 are shown as
 * \xNN, at most XS__QUOTE_MAX characters then "...", never half a
 * character. */
void xs__serve_quote(char *dst, size_t n, const char *s, size_t len);
#define XS__ESC_LOG 1 /* also control characters and '\\' as \xNN (the access log) */
#define XS__ESC_DROP_CUT 2 /* drop a character cut short, as a byte-wise
                              truncation leaves it, instead of showing its bytes */
/* Copies s[0..len) into dst (size n >= 5, NUL-terminated, valid UTF-8)
 * showing bytes that are not UTF-8 as \xNN (flags: XS__ESC_*); stops with
 * "..." on a character boundary when dst is full. Returns the length
 * written. */
size_t xs__serve_escape(char *dst, size_t n, const char *s, size_t len, int flags);

/* Sets an error response {"error":{"code":..,"message":..}} and returns status. */
int xs__serve_error(xs__serve_req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets a JSON response (takes ownership of body) and returns status. */
int xs__serve_reply(xs__serve_req *r, int status, json_t *body);
/* Query argument (borrowed from the connection) or NULL. */
const char *xs__serve_query(xs__serve_req *r, const char *name);
/* Request header (case-insensitive name; borrowed) or NULL. */
const char *xs__serve_header(xs__serve_req *r, const char *name);
/* Adds a response header: name static, value copied (at most 63 bytes);
 * past XS__MAX_XHDR headers it is dropped. */
void xs__serve_add_header(xs__serve_req *r, const char *name, const char *value);
/* Parses ?name= as an integer in [lo, hi] (dflt when absent). Returns XS_OK
 * or sets a 400 response and returns XS_EINVAL. */
int xs__serve_query_long(xs__serve_req *r, const char *name, long dflt, long lo, long hi,
                         long *out);
/* A number as JSON: null when not finite. */
json_t *xs__serve_num(double v);
/* The hot read routes write their JSON answer straight into an xs__buf
 * (base/buf.h), byte for byte as json_dumps(JSON_COMPACT) writes the same
 * value, instead of building a jansson tree; start it as
 * {.check_utf8 = 1} so a string jansson would refuse is caught.
 * xs__serve_jw_reply makes o's bytes the 200 answer of r (takes them; o is left
 * empty), or, when o failed (err) or met invalid UTF-8, frees them and
 * answers 500 "cannot render <what>". Returns the status. */
int xs__serve_jw_reply(xs__serve_req *r, xs__buf *o, const char *what);
/* A table as the jansson array of objects its JSON text (xs_table_write)
 * reads as, built directly; NULL when out of memory or when that text would
 * not parse (a number cell that is no JSON number, invalid UTF-8). */
json_t *xs__serve_table_json(const xs_table *t);
/* The body of GET /v1/experiments: every experiment of the store with its
 * report on the snapshot (handlers_dash.c). NULL when out of memory. */
json_t *xs__serve_experiments_json(const xs_snapshot *s, const xs_experiment *x,
                                   size_t n);

/* Server state the handlers read (server.c). */
int xs__serve_server_building(const struct xs_server *s);
const char *xs__serve_server_build_error(struct xs_server *s, char *buf, size_t n);
int xs__serve_server_start_build(
    struct xs_server *s); /* 0 started, 1 already running, <0 */
xs__serve_metrics *xs__serve_server_metrics(struct xs_server *s);
long xs__serve_server_in_flight(const struct xs_server *s);
/* The admission counters (admit.c) into *st: 1, or 0 when the server has
 * no acceptor (not listening). */
int xs__serve_server_admit_stats(struct xs_server *s, struct xs__serve_admit_stats *st);
/* Path of the store the server was started on (borrowed, valid while it runs). */
const char *xs__serve_server_db(const struct xs_server *s);
/* The dashboard directory (--web; "web/dist" by default), borrowed. */
const char *xs__serve_server_web_dir(const struct xs_server *s);
/* The bounded wait for the store's write lock (--lock-timeout), in ms. */
unsigned xs__serve_server_lock_timeout_ms(const struct xs_server *s);

/* Write handlers and the store (store_access.c). */
/* Opens the server's store for a write, waiting for another process's
 * write lock at most --lock-timeout. Returns 0 and sets *st (caller closes
 * with xs_store_close), or sets an error answer on r (503 busy or
 * not_available) and returns its status. */
int xs__serve_store_for_write(xs__serve_req *r, xs_store **st);
/* Sets the answer to a store that stayed locked past the wait (XS_EBUSY):
 * 503 {"error":{"code":"busy",...}} with Retry-After. Returns 503. */
int xs__serve_store_busy(xs__serve_req *r);
/* Answers a failed library call (rc < 0, detail in e) by the one table
 * from error codes to HTTP answers (lib_error.c): 400 bad_request (the
 * message led by the parameter, which is the JSON field), 404 not_found,
 * 409 conflict, 503 busy (xs__serve_store_busy), 500 internal (no memory), and
 * 503 not_available for a failing store. Returns the status. */
int xs__serve_fail(xs__serve_req *r, int rc, const xs_error *e);

/* A request without a socket, for xs__serve_dispatch() (the HTTP fuzz target
 * tests/fuzz/fuzz_http.c): all borrowed. */
typedef struct xs__serve_http_in {
    const char *method;         /* "GET", "POST", ... */
    const char *target;         /* path and query as sent: "/v1/rules?limit=3" */
    const char *const *headers; /* name, value, name, value, ... */
    size_t n_headers;           /* pairs */
    const char *body;
    size_t n_body;
} xs__serve_http_in;
/* Runs one request through the same route matching, key checks, path,
 * query and size checks, JSON parsing and handlers as a connection does
 * (server.c). Sets *status and *out: the body exactly as it would be sent
 * (JSON and a newline, or a text route's bytes; *is_json says which);
 * caller frees *out with xs__free. Returns XS_OK or XS_ENOMEM. */
int xs__serve_dispatch(struct xs_server *s, const xs__serve_http_in *in, int *status,
                       char **out, size_t *n_out, int *is_json);

/* The route handlers. */
int xs__serve_h_healthz(xs__serve_req *r);
int xs__serve_h_metrics(xs__serve_req *r);
int xs__serve_h_openapi(xs__serve_req *r);
int xs__serve_h_together(xs__serve_req *r);
int xs__serve_h_cart(xs__serve_req *r);
int xs__serve_h_rules(xs__serve_req *r);
int xs__serve_h_kpi(xs__serve_req *r);
int xs__serve_h_customer(xs__serve_req *r);
int xs__serve_h_targets(xs__serve_req *r);
int xs__serve_h_offers(xs__serve_req *r);
int xs__serve_h_build(xs__serve_req *r);
int xs__serve_h_events(xs__serve_req *r); /* handlers_events.c */
/* handlers_webhooks.c (admin scope) */
int xs__serve_h_webhooks(xs__serve_req *r);
int xs__serve_h_webhook_add(xs__serve_req *r);
int xs__serve_h_webhook_remove(xs__serve_req *r);
int xs__serve_h_webhook_deliveries(xs__serve_req *r);
int xs__serve_h_outcome(xs__serve_req *r); /* handlers_offers.c */
int xs__serve_h_replays(xs__serve_req *r); /* handlers_replay.c */
int xs__serve_h_plan(xs__serve_req *r);    /* handlers_plan.c */
/* handlers_actions.c: experiments started and stopped over the API (write
 * scope), the audit log (admin scope), the presented key (read scope) */
int xs__serve_h_experiment_start(xs__serve_req *r);
int xs__serve_h_experiment_stop(xs__serve_req *r);
int xs__serve_h_audit(xs__serve_req *r);
int xs__serve_h_key(xs__serve_req *r);
/* Appends the audit row of a write that succeeded (handlers_actions.c):
 * r's key id, action, target (NULL: none), before and after (JSON objects
 * or NULL; taken and freed). st: the store the write went through, or NULL
 * to open it for the row. The action stands when the row cannot be
 * written: the failure is reported on stderr. */
void xs__serve_audit(xs__serve_req *r, xs_store *st, const char *action,
                     const char *target, json_t *before, json_t *after);
/* Logs the n_dec decisions d of a GET .../offers?log=1 over the decided
 * offers o with the offers they chose (handlers_replay.c): ids[k] gets the
 * offer of slot k + 1 (its offer_id). Returns 0, or the error status set
 * on r (503 busy or not_available). */
int xs__serve_decisions_log(xs__serve_req *r, const xs_offer_engine *en,
                            const xs_offer *o, const xs_decision *d, size_t n_dec,
                            xs_offer_record *ids);
/* The dashboard (static.c, handlers_dash.c). */
int xs__serve_h_web_index(xs__serve_req *r);
int xs__serve_h_web_asset(xs__serve_req *r);
int xs__serve_h_segments(xs__serve_req *r);
int xs__serve_h_guardrails(xs__serve_req *r);
int xs__serve_h_experiments(xs__serve_req *r);

/* The OpenAPI document: the bytes of docs/openapi.json, compiled in by
 * cmake/embed.cmake (so the served document cannot drift from the file). */
extern const unsigned char xs__serve_openapi_json[];
extern const size_t xs__serve_openapi_json_len;

#endif
