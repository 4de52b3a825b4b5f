/*
 * cmd_experiment_assign.c — `xsell experiment assign`: puts every unit (the
 * ids of a CSV column or of standard input) in an arm of a strategy's
 * split by the hash of "STRATEGY:ID" (src/measure/assign.c) and prints
 * id, arm.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "experiment"

typedef struct args {
    const char *strategy, *input, *id, *split;
    int from_stdin;
    char delim;
    xs_format fmt;
} args;

typedef struct assign_ctx {
    xs_table *t;
    const xs_exp_split *split;
} assign_ctx;

static int add_assignment(void *ctx, const char *id, size_t id_len, size_t arm)
{
    assign_ctx *a = ctx;
    if (xs_table_row(a->t) < 0 || xs_table_cellf(a->t, "%.*s", (int)id_len, id) < 0 ||
        xs_table_cell(a->t, a->split->name[arm]) < 0)
        return XS_ENOMEM;
    return XS_OK;
}

/* Ids from stdin, one per line. */
static int assign_stdin(const char *strategy, assign_ctx *a)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = XS_OK;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0) continue;
        int arm = xs_exp_assign(a->split, strategy, line, (size_t)len);
        if (arm < 0 || add_assignment(a, line, (size_t)len, (size_t)arm) < 0) {
            rc = XS_ENOMEM;
            break;
        }
    }
    free(line);
    return rc;
}

static int set_delim(const char *cmd, const xs_opt *o, const char *v, void *opts)
{
    (void)o;
    return xs_cli_delimiter(cmd, v, &((args *)opts)->delim);
}

#define OFF(f) offsetof(args, f)
static const xs_opt opts[] = {
    {"strategy", 0, "NAME", XS_OPT_STR, .off = OFF(strategy),
     .help = "experiment / strategy name (part of the hash)"},
    {"input", 0, "FILE", XS_OPT_STR, .off = OFF(input),
     .help = "CSV file with one row per unit ..."},
    {"id", 0, "COLUMN", XS_OPT_STR, .off = OFF(id),
     .help = "... and the column holding the unit id"},
    {"ids", 0, NULL, XS_OPT_FLAG, .off = OFF(from_stdin),
     .help = "or: ids from standard input, one per line (a trailing\n"
             "CR is dropped, empty lines are skipped)"},
    {"split", 0, "SPEC", XS_OPT_STR, .off = OFF(split),
     .help = "arms and weights, default treatment:90,holdout:10\n"
             "(a name without :W weighs 1)"},
    {"delimiter", 0, "C", XS_OPT_CALL, .call = set_delim,
     .help = "CSV delimiter (default ','; 'tab' for a tab)"},
    {"format", 0, "F", XS_OPT_FORMAT, .off = OFF(fmt),
     .help = "table (default), csv or json: columns id, arm"},
    {0},
};

static const xs_cli_spec spec = {
    "experiment",
    "xsell experiment assign --strategy NAME (--input FILE --id COLUMN | --ids)\n"
    "                        [--split ARM:W,ARM:W,...] [--format F]",
    .about =
        "Puts every unit in an arm of the strategy's split. A unit's place in\n"
        "[0, 1) is the 64-bit hash of \"STRATEGY:ID\" (top 53 bits / 2^53); the arms\n"
        "cut [0, 1) into intervals proportional to their weights, in the order\n"
        "given. The same strategy and id always give the same arm, on every\n"
        "machine; different strategies are independent of each other.",
    .opts = opts,
};

/* Returns -1 to go on, else the exit code (help or error printed). */
static int parse(int argc, char **argv, args *a)
{
    xs_cli_args g = {0};
    *a = (args){.split = "treatment:90,holdout:10", .delim = ',', .fmt = XS_FORMAT_TABLE};
    int rc = xs_cli_parse(&spec, argc, argv, &g, a);
    if (rc >= 0) return rc;
    if (!a->strategy || !*a->strategy)
        return xs_cli_usage_error(CMD, "assign needs --strategy NAME");
    if (a->from_stdin == (a->input != NULL))
        return xs_cli_usage_error(CMD, "assign needs one of --input FILE or --ids");
    if (a->input && !a->id) return xs_cli_usage_error(CMD, "--input needs --id COLUMN");
    return -1;
}

int xs_cli_experiment_assign(int argc, char **argv)
{
    args o;
    int rc = parse(argc, argv, &o);
    if (rc >= 0) return rc;
    xs_error err = {0};
    xs_exp_split split;
    if (xs_exp_split_parse(o.split, &split, &err) < 0) {
        xs_cli_fail(CMD, &err);
        return XS_EXIT_USAGE;
    }
    assign_ctx a = {xs_table_new(), &split};
    int exit_code = XS_EXIT_OK;
    if (!a.t || xs_table_column(a.t, "id", XS_COL_TEXT) < 0 ||
        xs_table_column(a.t, "arm", XS_COL_TEXT) < 0) {
        exit_code = xs_cli_nomem(CMD);
        goto cleanup;
    }
    if (o.from_stdin) {
        if (assign_stdin(o.strategy, &a) < 0) {
            exit_code = xs_cli_nomem(CMD);
            goto cleanup;
        }
    } else {
        long long n = xs_exp_assign_file(o.input, o.delim, o.id, o.strategy, &split,
                                         add_assignment, &a, &err);
        if (n < 0) {
            if (!err.code) err.code = (int)n;
            exit_code = xs_cli_fail(CMD, &err);
            goto cleanup;
        }
    }
    if (xs_table_write(a.t, stdout, o.fmt) < 0) {
        exit_code = XS_EXIT_FAIL;
        goto cleanup;
    }
    exit_code = xs_cli_flush(CMD);
cleanup:
    xs_table_free(a.t);
    return exit_code;
}
