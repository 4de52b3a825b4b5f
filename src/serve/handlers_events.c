/*
 * handlers_events.c — POST /v1/events: a batch of rows for the input tables
 * (usage, NPS / ticket / other events, orders, and optionally customers,
 * products, subscriptions, offers) written to the store in one transaction.
 *
 * The body is {"<table>": [{<field>: value, ...}, ...], ...} with the table
 * and field names of docs/data-model.md. This file only turns the JSON into
 * records (field names: the union of the objects' keys, as a JSON Lines file
 * would have; values: strings as they are, numbers as written, booleans as
 * true/false, null as absent) and hands every table to xs_import_records(),
 * so rows are checked by the importer itself, tables in dependency order.
 * Any error anywhere writes nothing; a store locked by another process
 * past --lock-timeout is 503 busy (store_access.c). The running model does
 * not see the new rows until the next POST /v1/build.
 */
#include "base/alloc.h"
#include "base/error.h"
#include "serve/serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DETAILS 100      /* errors listed in "details" (all are counted) */
#define NUM_TEXT 32          /* bytes for the text of one number */
#define MAX_NAMES 256        /* distinct field names of one table */
#define MAX_CELLS (1u << 21) /* rows x field names of one table (memory bound) */

/* The records of one table, built from its JSON array. */
typedef struct table_in {
    json_t *rows;       /* borrowed from the body */
    const char **names; /* borrowed from the body's keys */
    size_t n_names, cap_names;
    xs_import_value *vals; /* n_rows * n_names */
    char *nums;            /* NUM_TEXT bytes per number or boolean */
} table_in;

/* Errors collected for the answer. */
typedef struct errs {
    json_t *details;
    char first[1024];
    unsigned long long n;
} errs;

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* Adds one error (column may be NULL or ""). */
static void add_error(errs *es, const char *table, size_t index, const char *column,
                      const char *msg)
{
    int has_col = column && column[0];
    char m[2048];
    /* the library's message may quote a value cut by byte: whole characters
     * only, as JSON needs (the column and table names come from the body,
     * valid UTF-8, and are cut on character boundaries) */
    xs__serve_escape(m, sizeof m, msg, strlen(msg), XS__ESC_DROP_CUT);
    msg = m;
    if (es->n == 0) {
        const char *col = has_col ? column : "";
        snprintf(es->first, sizeof es->first, "%.*s[%zu]: %.*s%s%.*s",
                 (int)xs__serve_utf8_cut(table, strlen(table), 255), table, index,
                 (int)xs__serve_utf8_cut(col, strlen(col), 63), col, has_col ? ": " : "",
                 (int)xs__serve_utf8_cut(msg, strlen(msg), 511), msg);
    }
    es->n++;
    if (json_array_size(es->details) >= MAX_DETAILS) return;
    json_t *d = json_pack("{s:s,s:I}", "table", table, "index", (json_int_t)index);
    if (!d) return;
    if (has_col) json_object_set_new(d, "column", json_string(column));
    json_object_set_new(d, "message", json_string(msg));
    json_array_append_new(es->details, d);
}

/* on_error of the import: file is the table, line the index + 1. */
static void on_import_error(void *ctx, const xs_error *e)
{
    add_error(ctx, e->file, e->line > 0 ? (size_t)(e->line - 1) : 0, e->column,
              e->message);
}

/* The shortest text of a double that reads back as the same value. */
static void real_text(double v, char *buf, size_t n)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* Builds the records of table t from its array; shape errors (a row that is
 * not an object, a value that is not a scalar) go to es. Returns XS_OK or
 * XS_ENOMEM. */
static int build_table(table_in *ti, const char *table, errs *es)
{
    size_t n_rows = json_array_size(ti->rows);
    for (size_t i = 0; i < n_rows; i++) {
        json_t *row = json_array_get(ti->rows, i);
        if (!json_is_object(row)) {
            char msg[80];
            snprintf(msg, sizeof msg, "expected an object, got %s", json_kind(row));
            add_error(es, table, i, NULL, msg);
            continue;
        }
        const char *key;
        json_t *v;
        json_object_foreach(row, key, v)
        {
            if (json_is_object(v) || json_is_array(v)) {
                char msg[100];
                snprintf(msg, sizeof msg,
                         "expected a string, number, boolean or null, got %s",
                         json_kind(v));
                add_error(es, table, i, key, msg);
            }
            size_t j = 0;
            while (j < ti->n_names && strcmp(ti->names[j], key))
                j++;
            if (j < ti->n_names) continue;
            if (ti->n_names == MAX_NAMES) {
                char msg[120];
                snprintf(msg, sizeof msg, "more than %d distinct fields in %s", MAX_NAMES,
                         table);
                add_error(es, table, i, key, msg);
                return XS_OK;
            }
            if (xs__grow(&ti->names, &ti->cap_names, ti->n_names + 1, sizeof *ti->names) <
                0)
                return XS_ENOMEM;
            ti->names[ti->n_names++] = key;
        }
    }
    if (es->n || !n_rows || !ti->n_names) return XS_OK;
    if (n_rows > MAX_CELLS / ti->n_names) {
        char msg[160];
        snprintf(msg, sizeof msg, "too many values: %zu rows x %zu fields (at most %u)",
                 n_rows, ti->n_names, MAX_CELLS);
        add_error(es, table, n_rows - 1, NULL, msg);
        return XS_OK;
    }
    size_t n_vals = n_rows * ti->n_names, n_nums = 0;
    for (size_t i = 0; i < n_rows; i++) {
        const char *key;
        json_t *v;
        json_object_foreach(json_array_get(ti->rows, i), key, v) n_nums +=
            json_is_number(v) || json_is_boolean(v);
    }
    ti->vals = xs__calloc(n_vals, sizeof *ti->vals);
    ti->nums = xs__malloc(n_nums * NUM_TEXT + 1);
    if (!ti->vals || !ti->nums) return XS_ENOMEM;
    char *next_num = ti->nums;
    for (size_t i = 0; i < n_rows; i++) {
        json_t *row = json_array_get(ti->rows, i);
        for (size_t j = 0; j < ti->n_names; j++) {
            json_t *v = json_object_get(row, ti->names[j]);
            xs_import_value *out = &ti->vals[i * ti->n_names + j];
            char *num = next_num;
            out->present = 1;
            if (json_is_string(v)) {
                out->ptr = json_string_value(v);
                out->len = json_string_length(v);
                continue;
            }
            if (json_is_integer(v))
                snprintf(num, NUM_TEXT, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            else if (json_is_real(v))
                real_text(json_real_value(v), num, NUM_TEXT);
            else if (json_is_boolean(v))
                snprintf(num, NUM_TEXT, "%s", json_is_true(v) ? "true" : "false");
            else
                num = NULL; /* missing or null: absent */
            if (num) next_num += NUM_TEXT;
            out->ptr = num;
            out->len = num ? strlen(num) : 0;
            out->present = num != NULL;
        }
    }
    return XS_OK;
}

/* Sets the 422 answer from the collected errors. */
static int reply_invalid(xs__serve_req *r, errs *es)
{
    char msg[1100];
    if (es->n > 1)
        snprintf(msg, sizeof msg, "%s (and %llu more error%s)", es->first, es->n - 1,
                 es->n == 2 ? "" : "s");
    else
        snprintf(msg, sizeof msg, "%s", es->first);
    json_t *body =
        json_pack("{s:{s:s,s:s,s:I,s:O}}", "error", "code", "invalid_events", "message",
                  msg, "n_errors", (json_int_t)es->n, "details", es->details);
    if (!body) return xs__serve_error(r, 500, "internal", "out of memory");
    return xs__serve_reply(r, 422, body);
}

/* Contract in serve_int.h. */
int xs__serve_h_events(xs__serve_req *r)
{
    table_in in[XS_N_TABLES];
    memset(in, 0, sizeof in);
    errs es = {json_array(), "", 0};
    xs_store *st = NULL;
    int status;
    if (!es.details) return xs__serve_error(r, 500, "internal", "out of memory");

    const char *key;
    json_t *v;
    json_object_foreach(r->body, key, v)
    {
        xs_table_id t;
        char q[300];
        xs__serve_quote(q, sizeof q, key, strlen(key));
        if (xs_table_lookup(key, &t) < 0) {
            status =
                xs__serve_error(r, 400, "bad_request",
                                "unknown table %s (expected customers, products, "
                                "subscriptions, orders, usage, events, offers, returns "
                                "or anonymous_orders)",
                                q);
            goto cleanup;
        }
        if (!json_is_array(v)) {
            status = xs__serve_error(r, 400, "bad_request",
                                     "%s: expected an array, got %s", key, json_kind(v));
            goto cleanup;
        }
        in[t].rows = v;
    }
    if (!json_object_size(r->body)) {
        status =
            xs__serve_error(r, 400, "bad_request",
                            "empty batch: expected at least one of customers, products, "
                            "subscriptions, orders, usage, events, offers, returns or "
                            "anonymous_orders");
        goto cleanup;
    }

    xs_import_rows tabs[XS_N_TABLES];
    size_t n_tabs = 0;
    for (int t = 0; t < XS_N_TABLES; t++) {
        if (!in[t].rows) continue;
        if (build_table(&in[t], xs_table_name((xs_table_id)t), &es) < 0) {
            status = xs__serve_error(r, 500, "internal", "out of memory");
            goto cleanup;
        }
        tabs[n_tabs].table = (xs_table_id)t;
        tabs[n_tabs].names = in[t].names;
        tabs[n_tabs].n_names = in[t].n_names;
        tabs[n_tabs].values = in[t].vals;
        tabs[n_tabs].n_rows = json_array_size(in[t].rows);
        n_tabs++;
    }
    if (es.n) {
        status = reply_invalid(r, &es);
        goto cleanup;
    }

    xs_error e;
    if ((status = xs__serve_store_for_write(r, &st)) != 0) goto cleanup;
    xs_import_options o;
    xs_import_options_init(&o);
    o.max_errors = MAX_DETAILS;
    o.on_error = on_import_error;
    o.error_ctx = &es;
    xs_import_result res[XS_N_TABLES];
    int rc = xs_import_records(st, tabs, n_tabs, &o, res, &e);
    if (rc == XS_EREJECT && es.n) {
        /* reports past MAX_DETAILS are only counted: take the importer's count */
        unsigned long long total = 0;
        for (size_t i = 0; i < n_tabs; i++)
            total += res[i].n_errors;
        if (total > es.n) es.n = total;
        status = reply_invalid(r, &es);
        goto cleanup;
    }
    if (rc == XS_EBUSY) {
        status = xs__serve_store_busy(r);
        goto cleanup;
    }
    if (rc < 0) {
        status = xs__serve_error(r, 500, "internal", "%s", e.message);
        goto cleanup;
    }
    json_t *applied = json_object();
    unsigned long long ins = 0, upd = 0, same = 0;
    for (size_t i = 0; i < n_tabs; i++) {
        json_object_set_new(applied, xs_table_name(tabs[i].table),
                            json_integer((json_int_t)res[i].read));
        ins += res[i].inserted;
        upd += res[i].updated;
        same += res[i].unchanged;
    }
    status = xs__serve_reply(r, 200,
                             json_pack("{s:o,s:I,s:I,s:I}", "applied", applied,
                                       "inserted", (json_int_t)ins, "updated",
                                       (json_int_t)upd, "unchanged", (json_int_t)same));
    if (status == 200)
        xs__serve_audit(r, st, "events", NULL, NULL, json_deep_copy(r->out));

cleanup:
    xs_store_close(st);
    json_decref(es.details);
    for (int t = 0; t < XS_N_TABLES; t++) {
        xs__free(in[t].names);
        xs__free(in[t].vals);
        xs__free(in[t].nums);
    }
    return status;
}
