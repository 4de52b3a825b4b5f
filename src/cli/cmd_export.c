/*
 * cmd_export.c — `xsell export`: write a table of the store as CSV or JSON
 * Lines, in key order, in the importer's own format (xs_export_table).
 */
#include "cli/cli.h"

#include <stdio.h>

static int parse_format(const char *v, void *out)
{
    return xs_io_format_parse(v, out);
}

struct export_opts {
    const char *out;
    xs_io_format fmt;
};

static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (must exist)"},
    {"format", 0, "csv|jsonl", XS_OPT_ENUM, .off = offsetof(struct export_opts, fmt),
     .parse = parse_format, .expect = "csv or jsonl",
     .help = "output format (default: from --out's extension, else csv)"},
    {"out", 0, "PATH", XS_OPT_STR, .off = offsetof(struct export_opts, out),
     .help = "output file, replaced when complete (default: stdout)"},
    {0},
};

static const xs_cli_spec spec = {
    "export",
    "xsell export --db FILE TABLE [OPTIONS]",
    .about = "Write TABLE of the store FILE in key order, with the field names of\n"
             "docs/data-model.md and attributes expanded back into their columns, so\n"
             "that the output imports again unchanged.",
    .opts = opts,
    .flags = XS_CLI_DB,
    .max_operands = -1,
};

int xs_cmd_export(int argc, char **argv)
{
    const char *cmd = "export";
    struct export_opts o = {NULL, XS_IO_AUTO};
    xs_cli_args a = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    if (a.argc != 1)
        return xs_cli_usage_error(cmd, "expected one TABLE, got %d arguments", a.argc);
    xs_table_id t;
    if (xs_table_lookup(a.argv[0], &t) < 0)
        return xs_cli_usage_error(cmd,
                                  "unknown table %s (expected customers, products, "
                                  "subscriptions, orders, usage, events or offers)",
                                  xs_cli_q(a.argv[0]));
    xs_store *st;
    xs_error err;
    if (xs_store_open_readonly(&st, a.db, &err) < 0) return xs_cli_fail(cmd, &err);
    long long n = xs_export_table(st, t, o.out, o.fmt, &err);
    xs_store_close(st);
    if (n < 0) return xs_cli_fail(cmd, &err);
    if (o.out) fprintf(stderr, "exported %s: %lld rows to %s\n", a.argv[0], n, o.out);
    return XS_EXIT_OK;
}
