/*
 * cmd_experiment_assign.c — `xsell experiment assign`: puts every unit (the
 * ids of a CSV column or of standard input) in an arm of a strategy's
 * split by the hash of "STRATEGY:ID" (src/measure/assign.c) and prints
 * id, arm.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = "experiment";

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

/* Returns 0, -1 for --help (printed), or an exit code. */
static int parse(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"strategy", required_argument, NULL, 's'}, {"input", required_argument, NULL, 'i'},
        {"id", required_argument, NULL, 'k'},       {"ids", no_argument, NULL, 'I'},
        {"split", required_argument, NULL, 'p'},    {"delimiter", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    *a = (args){.split = "treatment:90,holdout:10", .delim = ',', .fmt = XS_FORMAT_TABLE};
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 's': a->strategy = optarg; break;
        case 'i': a->input = optarg; break;
        case 'k': a->id = optarg; break;
        case 'I': a->from_stdin = 1; break;
        case 'p': a->split = optarg; break;
        case 'd':
            if ((rc = xs_cli_delimiter(CMD, optarg, &a->delim))) return rc;
            break;
        case 'f':
            if ((rc = xs_cli_format(CMD, optarg, &a->fmt))) return rc;
            break;
        case 'h': xs_cli_experiment_usage(stdout); return -1;
        default: return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!a->strategy || !*a->strategy)
        return xs_cli_usage_error(CMD, "assign needs --strategy NAME");
    if (a->from_stdin == (a->input != NULL))
        return xs_cli_usage_error(CMD, "assign needs one of --input FILE or --ids");
    if (a->input && !a->id) return xs_cli_usage_error(CMD, "--input needs --id COLUMN");
    return 0;
}

int xs_cli_experiment_assign(int argc, char **argv)
{
    args o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? XS_EXIT_OK : rc;
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
