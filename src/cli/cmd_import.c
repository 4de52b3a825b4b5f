/*
 * cmd_import.c — `xsell import`: validate a CSV / JSON Lines file and upsert
 * it into a table of the store (xs_import_file does the work); with --spec a
 * wide export through a mapping spec (cmd_import_spec.c), with TABLE
 * transactions a flat order log (cmd_import_txn.c). What every import
 * prints (errors, progress, the summary) is in cmd_import_out.c.
 *
 * Errors are printed one per line as FILE:LINE: COLUMN: message, at most
 * --max-errors of them, then "... and K more errors"; nothing is written
 * unless --skip-bad-rows is given. A summary line goes to stderr.
 */
#include "cli/cli.h"

#include "base/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "import"

struct import_opts {
    xs_import_options o;
    xs_txn_options txo;
    const char *spec;
    const char **maps, **excl, **keep, **consent; /* freed by the command */
    size_t n_maps, n_excl, n_keep, n_consent;
    long max_field_bytes;
    int txn_only; /* a transactions option was given */
};

static int set_format(const char *value, void *field)
{
    return xs_io_format_parse(value, field);
}

static int set_delimiter(const char *cmd, const xs_opt *opt, const char *value,
                         void *opts)
{
    (void)opt;
    return xs_cli_delimiter(cmd, value, &((struct import_opts *)opts)->o.delimiter);
}

/* --map: repeatable. */
static int add_map(const char *cmd, const xs_opt *opt, const char *value, void *opts)
{
    struct import_opts *io = opts;
    (void)opt;
    const char **nm = realloc(io->maps, (io->n_maps + 1) * sizeof *io->maps);
    if (!nm) return xs_cli_nomem(cmd);
    io->maps = nm;
    io->maps[io->n_maps++] = value;
    return 0;
}

/* The transactions options that are not plain values. */
static int txn_opt(const char *cmd, const xs_opt *opt, const char *value, void *opts)
{
    struct import_opts *io = opts;
    char flag[64];
    io->txn_only = 1;
    snprintf(flag, sizeof flag, "--%s", opt->name);
    if (!strcmp(opt->name, "date-format")) {
        if (xs_date_order_parse(value, &io->txo.dates) >= 0) return 0;
        return xs_cli_usage_error(
            cmd, "--date-format: expected iso, ymd, dmy or mdy, got %s", xs_cli_q(value));
    }
    if (!strcmp(opt->name, "return-prefix")) {
        if (!*value)
            return xs_cli_usage_error(cmd,
                                      "--return-prefix: expected a prefix, got \"\"");
        io->txo.return_prefix = value;
        return 0;
    }
    int x = !strcmp(opt->name, "exclude-products"),
        k = !strcmp(opt->name, "keep-products");
    return xs_cli_code_list(cmd, flag, (char *)value,
                            x   ? &io->excl
                            : k ? &io->keep
                                : &io->consent,
                            x   ? &io->n_excl
                            : k ? &io->n_keep
                                : &io->n_consent);
}

#define OFF(f) offsetof(struct import_opts, f)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (SQLite file, or postgresql://... URL)"},
    {"format", 0, "csv|jsonl", XS_OPT_ENUM, .off = OFF(o.format), .parse = set_format,
     .expect = "csv or jsonl",
     .help = "input format (default: from the extension;\n"
             ".jsonl / .ndjson are JSON Lines, else CSV)"},
    {"delimiter", 0, "C", XS_OPT_CALL, .call = set_delimiter,
     .help = "CSV delimiter (default ','; 'tab' for a tab)"},
    {"map", 0, "THEIRS=OURS", XS_OPT_CALL, .call = add_map,
     .help = "rename an input column (repeatable)"},
    {"max-errors", 0, "N", XS_OPT_LONG, .off = OFF(o.max_errors), .lo = 0,
     .hi = 1000000000L, .help = "print at most N errors (default 20)"},
    {"max-field-bytes", 0, "N", XS_OPT_LONG, .off = OFF(max_field_bytes), .lo = 1,
     .hi = 2147483647L,
     .help = "reject a value longer than N bytes (default 1048576);\n"
             "a value holding a NUL byte is always rejected"},
    {"skip-bad-rows", 0, NULL, XS_OPT_FLAG, .off = OFF(o.skip_bad_rows),
     .help = "import the good rows, leave out the bad ones"},
    {"reject-file", 0, "PATH", XS_OPT_STR, .off = OFF(o.reject_path),
     .help =
         "with --skip-bad-rows: write the bad rows there, with\na reject_reason column"},
    {"currency", 0, "CODE[:D]", XS_OPT_STR, .off = OFF(o.currency),
     .help = "currency of money values, e.g. USD:2, JPY:0 (fixed\n"
             "by the first import; default USD:2)"},
    {"spec", 0, "SPEC", XS_OPT_STR, .off = OFF(spec),
     .help = "import INPUT through the mapping spec SPEC (a wide export)"},
    {"date-format", 0, "F", XS_OPT_CALL, .call = txn_opt,
     .help = "transactions: iso (default: 2010-12-01 08:26[:00], ISO 8601\n"
             "with T and zone), or ymd, dmy, mdy (12/1/2010 8:26 is mdy)"},
    {"return-prefix", 0, "P", XS_OPT_CALL, .call = txn_opt,
     .help = "transactions: order ids starting with P are returns (e.g.\n"
             "C); negative quantities always are"},
    {"exclude-products", 0, "C", XS_OPT_CALL, .call = txn_opt,
     .help = "transactions: codes that are not products (comma-separated,\n"
             "repeatable), besides the default rule: a code whose\n"
             "description names postage, carriage, a discount, a fee,\n"
             "bank charges, samples, a test product, a gift voucher or\n"
             "an adjustment (every code left out is in the summary)"},
    {"keep-products", 0, "C", XS_OPT_CALL, .call = txn_opt,
     .help = "transactions: codes the default rule must not leave out"},
    {"no-default-exclusions", 0, NULL, XS_OPT_FLAG, .off = OFF(txo.no_default_exclusions),
     .help = "transactions: only --exclude-products leaves codes out"},
    {"consent", 0, "CHANNELS", XS_OPT_CALL, .call = txn_opt,
     .help = "transactions: channels the new customers agreed to be\n"
             "contacted on (email, in_app, csm, webinar, sns;\n"
             "comma-separated); default none: offers wait for imported\n"
             "consent"},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell import --db FILE TABLE INPUT [OPTIONS]\n"
    "xsell import --db FILE --spec SPEC INPUT [--delimiter C] [--currency CODE[:D]]\n"
    "xsell import --db FILE transactions INPUT [--map THEIRS=OURS ...]\n"
    "             [--date-format iso|ymd|dmy|mdy] [--return-prefix P]\n"
    "             [--exclude-products CODES] [--keep-products CODES]\n"
    "             [--no-default-exclusions] [--consent CHANNELS]",
    .about = "Validate INPUT (CSV with a header row, or JSON Lines) and upsert its rows\n"
             "into TABLE of the store FILE (created when absent). TABLE is one of\n"
             "customers, products, subscriptions, orders, usage, events, offers; the\n"
             "fields of each are listed in docs/data-model.md. Unknown columns are kept\n"
             "as attributes. Re-importing a file changes nothing.\n"
             "\n"
             "All or nothing: any bad value rejects the whole file (exit 2) and every\n"
             "error is printed as FILE:LINE: COLUMN: message.",
    .opts = opts,
    .notes =
        "Wide exports (one row per account, plan, add-ons and contract as columns,\n"
        "as CRMs and billing systems export them): --spec SPEC, a JSON mapping file\n"
        "(docs/import-spec.md), says which columns are customer fields and which\n"
        "values mean \"holds product P\"; the import writes the spec's products, one\n"
        "customer per row and one subscription per product held. No TABLE then.\n"
        "\n"
        "Flat order logs (TABLE transactions: one line per order line, as shops,\n"
        "POS and ERP systems export them; fields order_id, product_id, date,\n"
        "quantity, unit_price or amount, optional customer_id and product_name):\n"
        "creates the customers and products it has not seen, merges repeated\n"
        "product lines of an order, keeps returns as returns and lines without a\n"
        "customer as anonymous baskets, and leaves out codes that are not products.\n"
        "\n"
        "With --skip-bad-rows exit status 0 also when rows were left out.\n",
    .max_operands = -1,
};

/* `import --spec SPEC INPUT`. */
static int import_spec(const char *db, const xs_cli_args *a, struct import_opts *io)
{
    xs_import_options *o = &io->o;
    if (a->argc != 1)
        return xs_cli_usage_error(CMD, "with --spec, expected INPUT, got %d argument%s",
                                  a->argc, a->argc == 1 ? "" : "s");
    if (o->skip_bad_rows || o->reject_path || io->n_maps || io->txn_only ||
        o->format == XS_IO_JSONL || o->max_field_bytes)
        return xs_cli_usage_error(CMD, "--spec imports CSV all or nothing: --format "
                                       "jsonl, --map, --skip-bad-rows, --reject-file, "
                                       "--max-field-bytes and the transactions options "
                                       "do not apply");
    return xs_cli_import_spec(db, io->spec, a->argv[0], o);
}

/* `import transactions INPUT`. */
static int import_txn(const char *db, const char *input, struct import_opts *io)
{
    xs_txn_options *t = &io->txo;
    if (io->o.skip_bad_rows)
        return xs_cli_usage_error(CMD, "--skip-bad-rows does not apply to transactions "
                                       "(an order log is imported whole)");
    if (io->o.max_field_bytes) /* its reader keeps the default limit */
        return xs_cli_usage_error(CMD,
                                  "--max-field-bytes does not apply to transactions "
                                  "(values longer than %zu bytes are rejected)",
                                  XS_MAX_FIELD_BYTES);
    t->base = io->o;
    t->exclude = io->excl;
    t->n_exclude = io->n_excl;
    t->keep = io->keep;
    t->n_keep = io->n_keep;
    t->consent = io->consent;
    t->n_consent = io->n_consent;
    return xs_cli_import_transactions(db, input, t);
}

/* `import TABLE INPUT`. */
static int import_table(const char *db, const char *table, const char *input,
                        xs_import_options *o)
{
    if (xs_table_lookup(table, &o->table) < 0)
        return xs_cli_usage_error(
            CMD,
            "unknown table %s (expected customers, products, "
            "subscriptions, orders, usage, events, offers, returns, "
            "anonymous_orders or transactions)",
            xs_cli_q(table));
    xs__progress prog;
    xs__progress_start(&prog, "import", 0);
    o->on_progress = xs_cli_import_progress;
    o->progress_ctx = &prog;
    xs_store *st = NULL;
    xs_error err;
    if (xs_store_open(&st, db, &err) < 0) return xs_cli_fail(CMD, &err);
    xs_import_result r;
    int irc = xs_import_file(st, input, o, &r, &err);
    xs__progress_finish(&prog);
    xs_store_close(st);
    xs_cli_import_summary(input, o, &r, irc >= 0);
    if (irc < 0) return xs_cli_fail(CMD, &err);
    if (o->table == XS_T_PRODUCTS) xs_cli_catalog_warn(db); /* warnings only */
    return XS_EXIT_OK;
}

/* What the options and operands ask for. */
static int run(const xs_cli_args *a, struct import_opts *io)
{
    if (!a->db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (io->spec) return import_spec(a->db, a, io);
    if (a->argc != 2)
        return xs_cli_usage_error(CMD, "expected TABLE and INPUT, got %d argument%s",
                                  a->argc, a->argc == 1 ? "" : "s");
    if (io->o.reject_path && !io->o.skip_bad_rows)
        return xs_cli_usage_error(CMD, "--reject-file needs --skip-bad-rows");
    io->o.maps = io->maps;
    io->o.n_maps = io->n_maps;
    io->o.on_error = xs_cli_import_error;
    if (!strcmp(a->argv[0], "transactions")) return import_txn(a->db, a->argv[1], io);
    if (io->txn_only)
        return xs_cli_usage_error(
            CMD, "--date-format, --return-prefix, --exclude-products, "
                 "--keep-products, --no-default-exclusions and --consent "
                 "apply to transactions only");
    return import_table(a->db, a->argv[0], a->argv[1], &io->o);
}

int xs_cmd_import(int argc, char **argv)
{
    xs_cli_args a = {0};
    struct import_opts io;
    memset(&io, 0, sizeof io);
    xs_import_options_init(&io.o);
    int rc = xs_cli_parse(&spec, argc, argv, &a, &io);
    if (rc < 0) {
        io.o.max_field_bytes = (size_t)io.max_field_bytes;
        io.txn_only |= io.txo.no_default_exclusions;
        rc = run(&a, &io);
    }
    free(io.maps);
    free((void *)io.excl);
    free((void *)io.keep);
    free((void *)io.consent);
    return rc;
}
