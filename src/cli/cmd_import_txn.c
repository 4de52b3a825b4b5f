/*
 * cmd_import_txn.c — `xsell import --db FILE transactions INPUT`: a flat
 * order log through xs_import_transactions, and the summary of what it
 * found (cmd_import.c parses the options).
 */
#include "cli/cli.h"

#include "base/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends the comma-separated codes of one option value to *list. */
int xs_cli_code_list(const char *cmd, const char *opt, char *value, const char ***list,
                     size_t *n)
{
    for (char *save = NULL, *tok = strtok_r(value, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        const char **nl = realloc((void *)*list, (*n + 1) * sizeof **list);
        if (!nl) {
            fprintf(stderr, "xsell %s: out of memory\n", cmd);
            return XS_EXIT_FAIL;
        }
        *list = nl;
        (*list)[(*n)++] = tok;
    }
    if (!*n) return xs_cli_usage_error(cmd, "%s: expected CODE[,CODE...]", opt);
    return XS_EXIT_OK;
}

/* The noun for a count: one or many. */
static const char *pl(unsigned long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void print_summary(const char *input, const xs_txn_result *r)
{
    const xs_import_result *o = &r->tables[XS_T_ORDERS];
    fprintf(stderr, "imported %s: %llu %s read in %.1f s\n", input, r->rows,
            pl(r->rows, "line", "lines"), r->seconds);
    fprintf(stderr,
            "  orders:        %llu %s with a customer, %llu %s (%llu new, %llu "
            "updated, %llu unchanged)\n",
            r->orders, pl(r->orders, "order", "orders"), r->order_lines,
            pl(r->order_lines, "line", "lines"), o->inserted, o->updated, o->unchanged);
    fprintf(stderr,
            "  merged:        %llu repeated product %s added to an earlier line of "
            "the same order\n",
            r->merged, pl(r->merged, "line", "lines"));
    fprintf(stderr, "  returns:       %llu %s in %llu %s or %s\n", r->return_lines,
            pl(r->return_lines, "line", "lines"), r->returns,
            pl(r->returns, "return", "returns"),
            pl(r->returns, "cancellation", "cancellations"));
    fprintf(stderr,
            "  anonymous:     %llu %s in %llu %s without a customer (kept for "
            "co-purchase mining only)\n",
            r->anonymous_lines, pl(r->anonymous_lines, "line", "lines"),
            r->anonymous_orders, pl(r->anonymous_orders, "order", "orders"));
    fprintf(stderr,
            "  not sales:     %llu %s priced 0 and %llu with a negative price (left "
            "out)\n",
            r->zero_price_lines, pl(r->zero_price_lines, "line", "lines"),
            r->negative_price_lines);
    fprintf(stderr, "  excluded:      %llu %s of %zu %s that %s not products%s\n",
            r->excluded_lines, pl(r->excluded_lines, "line", "lines"), r->n_excluded,
            pl(r->n_excluded, "code", "codes"), pl(r->n_excluded, "is", "are"),
            r->n_excluded ? ":" : "");
    for (size_t i = 0; i < r->n_excluded; i++)
        fprintf(stderr, "    %-14s %6llu %-5s  %s\n", r->excluded[i].code,
                r->excluded[i].lines, pl(r->excluded[i].lines, "line", "lines"),
                r->excluded[i].reason);
    fprintf(stderr, "  new customers: %llu (signup date = first purchase)\n",
            r->new_customers);
    fprintf(stderr, "  new products:  %llu (price = median unit price of their sales)\n",
            r->new_products);
    if (r->rounded)
        fprintf(stderr,
                "  rounded:       %llu %s had more fraction digits than the currency "
                "(rounded half to even)\n",
                r->rounded, pl(r->rounded, "amount", "amounts"));
}

/* Runs the import and prints its summary; returns the exit code. */
int xs_cli_import_transactions(const char *db, const char *input, const xs_txn_options *o)
{
    const char *cmd = "import";
    xs_store *st = NULL;
    xs_error err;
    if (xs_store_open(&st, db, &err) < 0) return xs_cli_fail(cmd, &err);
    xs_txn_options opts = *o;
    xs__progress prog;
    xs__progress_start(&prog, "import", 0);
    opts.base.on_progress = xs_cli_import_progress;
    opts.base.progress_ctx = &prog;
    xs_txn_result r;
    int irc = xs_import_transactions(st, input, &opts, &r, &err);
    xs__progress_finish(&prog);
    xs_store_close(st);
    long max = o->base.max_errors;
    if (max >= 0 && r.n_errors > (unsigned long long)max)
        fprintf(stderr, "... and %llu more error%s\n",
                r.n_errors - (unsigned long long)max,
                r.n_errors - (unsigned long long)max == 1 ? "" : "s");
    int rc = XS_EXIT_OK;
    if (irc < 0)
        rc = xs_cli_fail(cmd, &err);
    else
        print_summary(input, &r);
    xs_txn_result_free(&r);
    return rc;
}
