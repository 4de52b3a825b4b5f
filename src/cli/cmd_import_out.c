/*
 * cmd_import_out.c — what `xsell import` prints while and after it imports
 * a table: each rejected row's error, the progress bar, the errors left
 * unprinted beyond --max-errors and the summary line.
 */
#include "cli/cli.h"

#include "base/progress.h"

#include <stdio.h>

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

/* Contract in cli.h. */
void xs_cli_import_summary(const char *input, const xs_import_options *o,
                           const xs_import_result *r, int ok)
{
    unsigned long long shown =
        o->max_errors < 0 || r->n_errors < (unsigned long long)o->max_errors
            ? r->n_errors
            : (unsigned long long)o->max_errors;
    if (r->n_errors > shown)
        fprintf(stderr, "... and %llu more error%s\n", r->n_errors - shown,
                r->n_errors - shown == 1 ? "" : "s");
    if (!ok) return;
    fprintf(stderr, "imported %s: %llu rows (%llu new, %llu updated, %llu unchanged)",
            input, r->inserted + r->updated + r->unchanged, r->inserted, r->updated,
            r->unchanged);
    if (r->rejected) fprintf(stderr, ", %llu rejected", r->rejected);
    fprintf(stderr, " in %.1f s\n", r->seconds);
}
