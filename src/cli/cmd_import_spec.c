/*
 * cmd_import_spec.c — `xsell import --db FILE --spec SPEC INPUT`: a wide
 * export through a mapping spec (xs_import_spec), and the summary of what it
 * made per table and per product (cmd_import.c parses the options).
 */
#include "cli/cli.h"

#include "base/progress.h"

#include <stdio.h>

/* Contract in cli.h. */
int xs_cli_import_spec(const char *db, const char *spec, const char *input,
                       xs_import_options *o)
{
    const char *cmd = "import";
    int rc = XS_EXIT_OK;
    o->on_error = xs_cli_import_error;
    xs__progress prog;
    xs__progress_start(&prog, "import", 0);
    o->on_progress = xs_cli_import_progress;
    o->progress_ctx = &prog;
    xs_store *st = NULL;
    xs_error err;
    if (xs_store_open(&st, db, &err) < 0) return xs_cli_fail(cmd, &err);
    xs_spec_result r;
    int irc = xs_import_spec(st, spec, input, o, &r, &err);
    xs__progress_finish(&prog);
    xs_store_close(st);
    unsigned long long shown =
        o->max_errors < 0 || r.n_errors < (unsigned long long)o->max_errors
            ? r.n_errors
            : (unsigned long long)o->max_errors;
    if (r.n_errors > shown)
        fprintf(stderr, "... and %llu more error%s\n", r.n_errors - shown,
                r.n_errors - shown == 1 ? "" : "s");
    if (irc < 0) {
        rc = xs_cli_fail(cmd, &err);
        goto done;
    }
    fprintf(stderr, "imported %s through %s: %llu rows in %.1f s\n", input, spec, r.rows,
            r.seconds);
    const xs_import_result *t[] = {&r.products, &r.customers, &r.subscriptions};
    static const char *const names[] = {"products", "customers", "subscriptions"};
    for (size_t i = 0; i < 3; i++)
        fprintf(stderr, "  %-13s %7llu (%llu new, %llu updated, %llu unchanged)\n",
                names[i], t[i]->inserted + t[i]->updated + t[i]->unchanged,
                t[i]->inserted, t[i]->updated, t[i]->unchanged);
    fprintf(stderr, "  subscriptions: %llu active, %llu ended (churned accounts)\n",
            r.active, r.ended);
    for (size_t i = 0; i < r.n_per_product; i++)
        fprintf(stderr, "    %-24s %7llu active %7llu ended\n",
                r.per_product[i].product_id, r.per_product[i].active,
                r.per_product[i].ended);
done:
    xs_spec_result_free(&r);
    return rc;
}
