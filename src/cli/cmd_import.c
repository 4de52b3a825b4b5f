/*
 * cmd_import.c — `xsell import`: validate a CSV / JSON Lines file and upsert
 * it into a table of the store (xs_import_file does the work).
 *
 * Errors are printed one per line as FILE:LINE: COLUMN: message, at most
 * --max-errors of them, then "... and K more errors"; nothing is written
 * unless --skip-bad-rows is given. A summary line goes to stderr.
 */
#include "cli/cli.h"

#include "base/progress.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: xsell import --db FILE TABLE INPUT [OPTIONS]\n"
    "\n"
    "Validate INPUT (CSV with a header row, or JSON Lines) and upsert its rows\n"
    "into TABLE of the store FILE (created when absent). TABLE is one of\n"
    "customers, products, subscriptions, orders, usage, events, offers; the\n"
    "fields of each are listed in docs/data-model.md. Unknown columns are kept\n"
    "as attributes. Re-importing a file changes nothing.\n"
    "\n"
    "All or nothing: any bad value rejects the whole file (exit 2) and every\n"
    "error is printed as FILE:LINE: COLUMN: message.\n"
    "\n"
    "Options:\n"
    "  --db FILE            the store (SQLite file)\n"
    "  --format csv|jsonl   input format (default: from the extension;\n"
    "                       .jsonl / .ndjson are JSON Lines, else CSV)\n"
    "  --delimiter C        CSV delimiter (default ','; 'tab' for a tab)\n"
    "  --map THEIRS=OURS    rename an input column (repeatable)\n"
    "  --max-errors N       print at most N errors (default 20)\n"
    "  --skip-bad-rows      import the good rows, leave out the bad ones\n"
    "  --reject-file PATH   with --skip-bad-rows: write the bad rows there, with\n"
    "                       a reject_reason column\n"
    "  --currency CODE[:D]  currency of money values, e.g. USD:2, JPY:0 (fixed\n"
    "                       by the first import; default USD:2)\n"
    "  --help               this text\n"
    "\n"
    "Exit status: 0 imported (with --skip-bad-rows also when rows were left\n"
    "out), 1 failure, 2 bad usage or bad input (nothing imported).\n";

static void print_error(void *ctx, const xs_error *e)
{
    (void)ctx;
    char buf[1200];
    fprintf(stderr, "%s\n", xs_error_format(e, buf, sizeof buf));
}

static void on_progress(void *ctx, unsigned long long rows, unsigned long long done,
                        unsigned long long total)
{
    (void)rows;
    xs__progress *p = ctx;
    if (total && !p->total) p->total = total;
    p->calls |= 4095u; /* called rarely: let this update read the clock */
    xs__progress_update(p, done);
}

int xs_cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"delimiter", required_argument, NULL, 'D'},
        {"map", required_argument, NULL, 'm'},
        {"max-errors", required_argument, NULL, 'n'},
        {"skip-bad-rows", no_argument, NULL, 's'},
        {"reject-file", required_argument, NULL, 'r'},
        {"currency", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = "import", *db = NULL;
    xs_import_options o;
    xs_import_options_init(&o);
    const char **maps = NULL;
    size_t n_maps = 0;
    int rc = XS_EXIT_OK, c;
    long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (xs_io_format_parse(optarg, &o.format) < 0) {
                rc = xs_cli_usage_error(
                    cmd, "--format: expected csv or jsonl, got \"%s\"", optarg);
                goto done;
            }
            break;
        case 'D':
            if (!strcmp(optarg, "tab") || !strcmp(optarg, "\\t"))
                o.delimiter = '\t';
            else if (strlen(optarg) == 1 && optarg[0] != '"' && optarg[0] != '\n' &&
                     optarg[0] != '\r')
                o.delimiter = optarg[0];
            else {
                rc = xs_cli_usage_error(
                    cmd, "--delimiter: expected one character (or 'tab'), got \"%s\"",
                    optarg);
                goto done;
            }
            break;
        case 'm': {
            const char **nm = realloc(maps, (n_maps + 1) * sizeof *maps);
            if (!nm) {
                fprintf(stderr, "xsell import: out of memory\n");
                rc = XS_EXIT_FAIL;
                goto done;
            }
            maps = nm;
            maps[n_maps++] = optarg;
            break;
        }
        case 'n':
            if ((rc = xs_cli_long(cmd, "--max-errors", optarg, 0, 1000000000L, &v)))
                goto done;
            o.max_errors = v;
            break;
        case 's':
            o.skip_bad_rows = 1;
            break;
        case 'r':
            o.reject_path = optarg;
            break;
        case 'c':
            o.currency = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            goto done;
        default:
            rc = xs_cli_usage_error(cmd, "unknown option \"%s\"", argv[optind - 1]);
            goto done;
        }
    }
    if (!db) {
        rc = xs_cli_usage_error(cmd, "--db FILE is required");
        goto done;
    }
    if (argc - optind != 2) {
        rc = xs_cli_usage_error(cmd, "expected TABLE and INPUT, got %d argument%s",
                                argc - optind, argc - optind == 1 ? "" : "s");
        goto done;
    }
    if (o.reject_path && !o.skip_bad_rows) {
        rc = xs_cli_usage_error(cmd, "--reject-file needs --skip-bad-rows");
        goto done;
    }
    const char *table = argv[optind], *input = argv[optind + 1];
    if (xs_table_lookup(table, &o.table) < 0) {
        rc = xs_cli_usage_error(cmd,
                                "unknown table \"%s\" (expected customers, products, "
                                "subscriptions, orders, usage, events or offers)",
                                table);
        goto done;
    }
    o.maps = maps;
    o.n_maps = n_maps;
    o.on_error = print_error;
    xs__progress prog;
    xs__progress_start(&prog, "import", 0);
    o.on_progress = on_progress;
    o.progress_ctx = &prog;

    xs_store *st = NULL;
    xs_error err;
    if (xs_store_open(&st, db, &err) < 0) {
        rc = xs_cli_fail(cmd, &err);
        goto done;
    }
    xs_import_result r;
    int irc = xs_import_file(st, input, &o, &r, &err);
    xs__progress_finish(&prog);
    xs_store_close(st);
    unsigned long long shown =
        o.max_errors < 0 || r.n_errors < (unsigned long long)o.max_errors
            ? r.n_errors
            : (unsigned long long)o.max_errors;
    if (r.n_errors > shown)
        fprintf(stderr, "... and %llu more error%s\n", r.n_errors - shown,
                r.n_errors - shown == 1 ? "" : "s");
    if (irc < 0) {
        rc = xs_cli_fail(cmd, &err);
        goto done;
    }
    fprintf(stderr, "imported %s: %llu rows (%llu new, %llu updated, %llu unchanged)",
            input, r.inserted + r.updated + r.unchanged, r.inserted, r.updated,
            r.unchanged);
    if (r.rejected) fprintf(stderr, ", %llu rejected", r.rejected);
    fprintf(stderr, " in %.1f s\n", r.seconds);
done:
    free(maps);
    return rc;
}
