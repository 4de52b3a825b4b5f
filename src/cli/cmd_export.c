/*
 * cmd_export.c — `xsell export`: write a table of the store as CSV or JSON
 * Lines, in key order, in the importer's own format (xs_export_table).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
    "usage: xsell export --db FILE TABLE [OPTIONS]\n"
    "\n"
    "Write TABLE of the store FILE in key order, with the field names of\n"
    "docs/data-model.md and attributes expanded back into their columns, so\n"
    "that the output imports again unchanged.\n"
    "\n"
    "Options:\n"
    "  --db FILE            the store (must exist)\n"
    "  --format csv|jsonl   output format (default: from --out's extension, else csv)\n"
    "  --out PATH           output file, replaced when complete (default: stdout)\n"
    "  --help               this text\n";

int xs_cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = "export", *db = NULL, *out = NULL;
    xs_io_format fmt = XS_IO_AUTO;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (xs_io_format_parse(optarg, &fmt) < 0)
                return xs_cli_usage_error(
                    cmd, "--format: expected csv or jsonl, got \"%s\"", optarg);
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(cmd, c, argv);
        }
    }
    if (!db) return xs_cli_usage_error(cmd, "--db FILE is required");
    if (argc - optind != 1)
        return xs_cli_usage_error(cmd, "expected one TABLE, got %d arguments",
                                  argc - optind);
    xs_table_id t;
    if (xs_table_lookup(argv[optind], &t) < 0)
        return xs_cli_usage_error(cmd,
                                  "unknown table \"%s\" (expected customers, products, "
                                  "subscriptions, orders, usage, events or offers)",
                                  argv[optind]);
    if (!xs_store_exists(db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", cmd, db);
        return XS_EXIT_USAGE;
    }
    xs_store *st;
    xs_error err;
    if (xs_store_open_readonly(&st, db, &err) < 0) return xs_cli_fail(cmd, &err);
    long long n = xs_export_table(st, t, out, fmt, &err);
    xs_store_close(st);
    if (n < 0) return xs_cli_fail(cmd, &err);
    if (out) fprintf(stderr, "exported %s: %lld rows to %s\n", argv[optind], n, out);
    return XS_EXIT_OK;
}
