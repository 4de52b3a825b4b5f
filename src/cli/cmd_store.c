/*
 * cmd_store.c — `xsell store init|info`: creates or migrates a store (and
 * makes a PostgreSQL one ready for Citus), and says what a store holds:
 * backend, schema version, identity, model path, rows per table and how
 * each table is placed on Citus (docs/scale-out.md).
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define CMD "store"

struct store_opts {
    int citus, print, has_fmt;
    xs_format fmt;
};

/* --format is refused with init: remember that it was given. */
static int set_format(const char *cmd, const xs_opt *o, const char *value, void *opts)
{
    (void)o;
    struct store_opts *so = opts;
    so->has_fmt = 1;
    return xs_cli_format(cmd, value, &so->fmt);
}

static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .value = "FILE|URL",
     .help = "the store: an SQLite file or a postgresql:// URL"},
    {"citus", 0, NULL, XS_OPT_FLAG, .off = offsetof(struct store_opts, citus),
     .help = "init: distribute the store on Citus"},
    {"print", 0, NULL, XS_OPT_FLAG, .off = offsetof(struct store_opts, print),
     .help = "init --citus: write the SQL instead of running it"},
    {"format", 0, "F", XS_OPT_CALL, .call = set_format,
     .help = "info: table (default), json or csv"},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell store init --db FILE|URL [--citus [--print]]\n"
    "xsell store info --db FILE|URL [--format table|json|csv]",
    .about = "init creates the store (an SQLite file, or a PostgreSQL database given\n"
             "as postgresql://...) or migrates it to this build's schema. With --citus\n"
             "(PostgreSQL with the Citus extension) it then distributes the store in\n"
             "one transaction: the customer tables by customer_id, co-located with\n"
             "customers (orders, offers and decisions re-keyed with customer_id\n"
             "first), anonymous_orders and returns by their own id, the catalog and\n"
             "configuration tables as reference tables; a store already distributed\n"
             "is left as it is. --print writes that SQL on stdout instead of running\n"
             "it (--db is then optional). See docs/scale-out.md.\n"
             "\n"
             "info prints the backend, schema version, store id, data version, model\n"
             "path, whether the database runs Citus, and per table its rows and\n"
             "placement (distributed(COLUMN), reference, or empty: local). csv gives\n"
             "the per-table part only.",
    .opts = opts,
};

static int do_init(const char *db, int citus, int print)
{
    if (citus && db && !xs_store_is_url(db))
        return xs_cli_usage_error(CMD, "--citus needs a PostgreSQL store");
    if (print) {
        if (xs_store_citus_sql(stdout) < 0 || fflush(stdout)) {
            fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
            return XS_EXIT_FAIL;
        }
        return XS_EXIT_OK;
    }
    xs_store *st = NULL;
    xs_error e;
    int ex = XS_EXIT_FAIL;
    if (xs_store_open(&st, db, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    if (citus) {
        int rc = xs_store_citus_init(st, &e);
        if (rc < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        fprintf(stderr, "xsell %s: %s\n", CMD,
                rc ? "distributed the store for Citus"
                   : "the store is already distributed");
    } else {
        fprintf(stderr, "xsell %s: the store is ready\n", CMD);
    }
    ex = XS_EXIT_OK;
cleanup:
    xs_store_close(st);
    return ex;
}

static int write_json(const xs_store_info *in)
{
    printf("{\"backend\": ");
    xs_cli_json_str(stdout, in->backend);
    printf(", \"schema_version\": %d, \"store_id\": ", in->schema_version);
    xs_cli_json_str(stdout, in->store_id);
    printf(", \"data_version\": %" PRIu64 ", \"model_path\": ", in->data_version);
    if (in->model_path[0])
        xs_cli_json_str(stdout, in->model_path);
    else
        printf("null");
    printf(", \"citus\": %s, \"tables\": [", in->citus ? "true" : "false");
    for (size_t i = 0; i < in->n_tables; i++) {
        const xs_store_table_info *t = &in->tables[i];
        printf("%s{\"table\": ", i ? ", " : "");
        xs_cli_json_str(stdout, t->name);
        printf(", \"rows\": %lld, \"citus\": ", t->rows);
        if (t->citus[0])
            xs_cli_json_str(stdout, t->citus);
        else
            printf("null");
        printf("}");
    }
    printf("]}\n");
    return 0;
}

static int do_info(const char *db, xs_format fmt)
{
    if (!xs_store_exists(db)) return xs_cli_no_store(CMD, db);
    xs_store *st = NULL;
    xs_table *t = NULL;
    xs_error e;
    xs_store_info in;
    int ex = XS_EXIT_FAIL;
    if (xs_store_open_readonly(&st, db, &e) < 0 || xs_store_info_get(st, &in, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    if (fmt == XS_FORMAT_JSON) {
        write_json(&in);
    } else {
        if (fmt == XS_FORMAT_TABLE)
            printf("backend         %s\nschema_version  %d\nstore_id        %s\n"
                   "data_version    %" PRIu64
                   "\nmodel_path      %s\ncitus           %s\n\n",
                   in.backend, in.schema_version, in.store_id, in.data_version,
                   in.model_path, in.citus ? "yes" : "no");
        t = xs_table_new();
        if (!t || xs_table_column(t, "table", XS_COL_TEXT) < 0 ||
            xs_table_column(t, "rows", XS_COL_NUM) < 0 ||
            xs_table_column(t, "citus", XS_COL_TEXT) < 0) {
            fprintf(stderr, "xsell %s: out of memory\n", CMD);
            goto cleanup;
        }
        for (size_t i = 0; i < in.n_tables; i++) {
            if (xs_table_row(t) < 0 || xs_table_cell(t, in.tables[i].name) < 0 ||
                xs_table_cellf(t, "%lld", in.tables[i].rows) < 0 ||
                xs_table_cell(t, in.tables[i].citus) < 0) {
                fprintf(stderr, "xsell %s: out of memory\n", CMD);
                goto cleanup;
            }
        }
        if (xs_table_write(t, stdout, fmt) < 0) {
            fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
            goto cleanup;
        }
    }
    if (fflush(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        goto cleanup;
    }
    ex = XS_EXIT_OK;
cleanup:
    xs_table_free(t);
    xs_store_close(st);
    return ex;
}

int xs_cmd_store(int argc, char **argv)
{
    static const char *const actions[] = {"init", "info", NULL};
    int act = 0, is_init;
    int rc = xs_cli_action(&spec, argc, argv, actions, &act);
    if (rc >= 0) return rc;
    is_init = act == 0;
    struct store_opts o = {0};
    xs_cli_args a = {0};
    rc = xs_cli_parse(&spec, argc - 1, argv + 1, &a, &o);
    if (rc >= 0) return rc;
    const char *db = a.db;
    if (is_init) {
        if (o.has_fmt) return xs_cli_usage_error(CMD, "--format goes with info");
        if (o.print && !o.citus) return xs_cli_usage_error(CMD, "--print goes with --citus");
        if (!db && !o.print) return xs_cli_usage_error(CMD, "--db FILE|URL is required");
        return do_init(db, o.citus, o.print);
    }
    if (o.citus || o.print)
        return xs_cli_usage_error(CMD, "--citus and --print go with init");
    if (!db) return xs_cli_usage_error(CMD, "--db FILE|URL is required");
    return do_info(db, o.fmt);
}
