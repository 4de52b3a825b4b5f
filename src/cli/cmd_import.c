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
    "       xsell import --db FILE --spec SPEC INPUT [--delimiter C] [--currency CODE[:D]]\n"
    "       xsell import --db FILE transactions INPUT [--map THEIRS=OURS ...]\n"
    "                    [--date-format iso|ymd|dmy|mdy] [--return-prefix P]\n"
    "                    [--exclude-products CODES] [--keep-products CODES]\n"
    "                    [--no-default-exclusions] [--consent CHANNELS]\n"
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
    "  --db FILE            the store (SQLite file, or postgresql://... URL)\n"
    "  --format csv|jsonl   input format (default: from the extension;\n"
    "                       .jsonl / .ndjson are JSON Lines, else CSV)\n"
    "  --delimiter C        CSV delimiter (default ','; 'tab' for a tab)\n"
    "  --map THEIRS=OURS    rename an input column (repeatable)\n"
    "  --max-errors N       print at most N errors (default 20)\n"
    "  --max-field-bytes N  reject a value longer than N bytes (default 1048576);\n"
    "                       a value holding a NUL byte is always rejected\n"
    "  --skip-bad-rows      import the good rows, leave out the bad ones\n"
    "  --reject-file PATH   with --skip-bad-rows: write the bad rows there, with\n"
    "                       a reject_reason column\n"
    "  --currency CODE[:D]  currency of money values, e.g. USD:2, JPY:0 (fixed\n"
    "                       by the first import; default USD:2)\n"
    "  --help               this text\n"
    "\n"
    "Wide exports (one row per account, plan, add-ons and contract as columns,\n"
    "as CRMs and billing systems export them): --spec SPEC, a JSON mapping file\n"
    "(docs/import-spec.md), says which columns are customer fields and which\n"
    "values mean \"holds product P\"; the import writes the spec's products, one\n"
    "customer per row and one subscription per product held. No TABLE then.\n"
    "  --spec SPEC          import INPUT through the mapping spec SPEC\n"
    "\n"
    "Flat order logs (TABLE transactions: one line per order line, as shops,\n"
    "POS and ERP systems export them; fields order_id, product_id, date,\n"
    "quantity, unit_price or amount, optional customer_id and product_name):\n"
    "creates the customers and products it has not seen, merges repeated\n"
    "product lines of an order, keeps returns as returns and lines without a\n"
    "customer as anonymous baskets, and leaves out codes that are not products.\n"
    "  --date-format F      iso (default: 2010-12-01 08:26[:00], ISO 8601 with T\n"
    "                       and zone), or ymd, dmy, mdy (12/1/2010 8:26 is mdy)\n"
    "  --return-prefix P    order ids starting with P are returns (e.g. C);\n"
    "                       negative quantities always are\n"
    "  --exclude-products C codes that are not products (comma-separated,\n"
    "                       repeatable), besides the default rule: a code whose\n"
    "                       description names postage, carriage, a discount, a\n"
    "                       fee, bank charges, samples, a test product, a gift\n"
    "                       voucher or an adjustment (every code left out is\n"
    "                       listed in the summary)\n"
    "  --keep-products C    codes the default rule must not leave out\n"
    "  --no-default-exclusions  only --exclude-products leaves codes out\n"
    "  --consent CHANNELS   channels the new customers agreed to be contacted on\n"
    "                       (email, in_app, csm, webinar, sns; comma-separated);\n"
    "                       default none: offers wait for imported consent\n"
    "\n"
    "Exit status: 0 imported (with --skip-bad-rows also when rows were left\n"
    "out), 1 failure, 2 bad usage or bad input (nothing imported).\n";

/* Contract in cli.h. */
void xs_cli_import_error(void *ctx, const xs_error *e)
{
    (void)ctx;
    char buf[1200];
    fprintf(stderr, "%s\n", xs_cli_error_format(e, buf, sizeof buf));
}

/* Contract in cli.h. */
void xs_cli_import_progress(void *ctx, unsigned long long rows, unsigned long long done,
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
        {"max-field-bytes", required_argument, NULL, 'F'},
        {"skip-bad-rows", no_argument, NULL, 's'},
        {"reject-file", required_argument, NULL, 'r'},
        {"currency", required_argument, NULL, 'c'},
        {"date-format", required_argument, NULL, 'T'},
        {"return-prefix", required_argument, NULL, 'R'},
        {"exclude-products", required_argument, NULL, 'X'},
        {"keep-products", required_argument, NULL, 'K'},
        {"no-default-exclusions", no_argument, NULL, 'N'},
        {"consent", required_argument, NULL, 'C'},
        {"spec", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = "import", *db = NULL, *spec = NULL;
    xs_import_options o;
    xs_import_options_init(&o);
    const char **maps = NULL;
    size_t n_maps = 0;
    xs_txn_options txo;
    memset(&txo, 0, sizeof txo);
    const char **excl = NULL, **keep = NULL, **consent = NULL;
    size_t n_excl = 0, n_keep = 0, n_consent = 0;
    int txn_only = 0; /* a transactions option was given */
    int rc = XS_EXIT_OK, c;
    long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
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
            if ((rc = xs_cli_delimiter(cmd, optarg, &o.delimiter))) goto done;
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
        case 'F':
            if ((rc = xs_cli_long(cmd, "--max-field-bytes", optarg, 1, 2147483647L, &v)))
                goto done;
            o.max_field_bytes = (size_t)v;
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
        case 'T':
            txn_only = 1;
            if (xs_date_order_parse(optarg, &txo.dates) < 0) {
                rc = xs_cli_usage_error(
                    cmd, "--date-format: expected iso, ymd, dmy or mdy, got \"%s\"", optarg);
                goto done;
            }
            break;
        case 'R':
            txn_only = 1;
            if (!*optarg) {
                rc = xs_cli_usage_error(cmd, "--return-prefix: expected a prefix, got \"\"");
                goto done;
            }
            txo.return_prefix = optarg;
            break;
        case 'X':
        case 'K':
            txn_only = 1;
            if ((rc = xs_cli_code_list(cmd, c == 'X' ? "--exclude-products" : "--keep-products",
                                       optarg, c == 'X' ? &excl : &keep,
                                       c == 'X' ? &n_excl : &n_keep)))
                goto done;
            break;
        case 'N':
            txn_only = 1;
            txo.no_default_exclusions = 1;
            break;
        case 'C':
            txn_only = 1;
            if ((rc = xs_cli_code_list(cmd, "--consent", optarg, &consent, &n_consent)))
                goto done;
            break;
        case 'P':
            spec = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            goto done;
        default:
            rc = xs_cli_bad_option(cmd, c, argv);
            goto done;
        }
    }
    if (!db) {
        rc = xs_cli_usage_error(cmd, "--db FILE is required");
        goto done;
    }
    if (spec) {
        if (argc - optind != 1) {
            rc = xs_cli_usage_error(cmd, "with --spec, expected INPUT, got %d argument%s",
                                    argc - optind, argc - optind == 1 ? "" : "s");
        } else if (o.skip_bad_rows || o.reject_path || n_maps || txn_only ||
                   o.format == XS_IO_JSONL || o.max_field_bytes) {
            rc = xs_cli_usage_error(cmd, "--spec imports CSV all or nothing: --format "
                                         "jsonl, --map, --skip-bad-rows, --reject-file, "
                                         "--max-field-bytes and the transactions options "
                                         "do not apply");
        } else {
            rc = xs_cli_import_spec(db, spec, argv[optind], &o);
        }
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
    if (!strcmp(table, "transactions")) {
        if (o.skip_bad_rows) {
            rc = xs_cli_usage_error(cmd, "--skip-bad-rows does not apply to transactions "
                                         "(an order log is imported whole)");
            goto done;
        }
        if (o.max_field_bytes) { /* its reader keeps the default limit */
            rc = xs_cli_usage_error(cmd, "--max-field-bytes does not apply to transactions "
                                         "(values longer than %zu bytes are rejected)",
                                    XS_MAX_FIELD_BYTES);
            goto done;
        }
        o.maps = maps;
        o.n_maps = n_maps;
        o.on_error = xs_cli_import_error;
        txo.base = o;
        txo.exclude = excl;
        txo.n_exclude = n_excl;
        txo.keep = keep;
        txo.n_keep = n_keep;
        txo.consent = consent;
        txo.n_consent = n_consent;
        rc = xs_cli_import_transactions(db, input, &txo);
        goto done;
    }
    if (txn_only) {
        rc = xs_cli_usage_error(cmd, "--date-format, --return-prefix, --exclude-products, "
                                     "--keep-products, --no-default-exclusions and --consent "
                                     "apply to transactions only");
        goto done;
    }
    if (xs_table_lookup(table, &o.table) < 0) {
        rc = xs_cli_usage_error(cmd,
                                "unknown table \"%s\" (expected customers, products, "
                                "subscriptions, orders, usage, events, offers, returns, "
                                "anonymous_orders or transactions)",
                                table);
        goto done;
    }
    o.maps = maps;
    o.n_maps = n_maps;
    o.on_error = xs_cli_import_error;
    xs__progress prog;
    xs__progress_start(&prog, "import", 0);
    o.on_progress = xs_cli_import_progress;
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
    if (o.table == XS_T_PRODUCTS) xs_cli_catalog_warn(db); /* warnings only */
done:
    free(maps);
    free((void *)excl);
    free((void *)keep);
    free((void *)consent);
    return rc;
}
