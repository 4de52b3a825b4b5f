/*
 * plan_report.c — a global plan as `xsell plan` prints it: in table format
 * a summary (offers, value against the greedy ranking, the LP bound, the
 * solver and its times) and the constraints with their shadow prices; in
 * JSON the totals, constraints and assignment tables (plan_out.c) as one
 * object; in CSV the assignment.
 */
#include "xsell.h"

#include <stdio.h>

/* The summary of the table format. */
static int write_summary(const xs_plan *pl, const xs_table *cons, FILE *out)
{
    const xs_plan_totals *s = xs_plan_totals_of(pl);
    double gain = s->value - s->greedy_value;
    fprintf(out,
            "plan: %zu offers to %zu customers (%zu candidates of %zu customers),"
            " %d-day period\n",
            s->n_assigned, s->n_reached, s->n_candidates, s->n_planned_customers,
            s->days);
    fprintf(out, "value:  plan %.2f   greedy %.2f   gain %.2f (%+.2f%%)\n", s->value,
            s->greedy_value, gain,
            s->greedy_value > 0 ? 100 * gain / s->greedy_value : 0.0);
    if (s->bound == s->bound) {
        double gap = s->bound > 0 ? 100 * (s->bound - s->value) / s->bound : 0.0;
        fprintf(out, "bound:  %.2f (LP relaxation); plan within %.4f%%%s\n", s->bound,
                gap > 0 ? gap : 0.0, s->optimal ? ", optimal" : "");
    }
    fprintf(out,
            "solver: %s, %d iteration(s); time: candidates %.3f s, greedy %.3f s, plan "
            "%.3f s\n",
            xs_plan_solver_name(s->solver), s->iterations, s->seconds_candidates,
            s->seconds_greedy, s->seconds_plan);
    fprintf(out, "\n");
    return xs_table_write(cons, out, XS_FORMAT_TABLE);
}

static int write_json(const xs_table *tot, const xs_table *cons, const xs_table *asg,
                      FILE *out)
{
    int rc = 0;
    fputs("{\"totals\": ", out);
    rc |= xs_table_write(tot, out, XS_FORMAT_JSON);
    fputs(", \"constraints\": ", out);
    rc |= xs_table_write(cons, out, XS_FORMAT_JSON);
    fputs(", \"assignment\": ", out);
    rc |= xs_table_write(asg, out, XS_FORMAT_JSON);
    fputs("}\n", out);
    return rc ? XS_EIO : XS_OK;
}

/* Contract in xsell.h. */
int xs_plan_write(const xs_plan *pl, const char *customer_id, FILE *out, xs_format fmt)
{
    xs_table *tot = xs_table_new(), *cons = xs_table_new(), *asg = xs_table_new();
    int rc = XS_ENOMEM;
    if (!tot || !cons || !asg || xs_plan_totals_table(pl, tot) < 0 ||
        xs_plan_constraints_table(pl, cons) < 0)
        goto cleanup;
    if (fmt != XS_FORMAT_TABLE &&
        (rc = xs_plan_assignment_table(pl, customer_id, asg)) < 0)
        goto cleanup;
    if (fmt == XS_FORMAT_TABLE)
        rc = write_summary(pl, cons, out);
    else if (fmt == XS_FORMAT_JSON)
        rc = write_json(tot, cons, asg, out);
    else
        rc = xs_table_write(asg, out, XS_FORMAT_CSV);
    if (rc < 0) rc = XS_EIO;
cleanup:
    xs_table_free(tot);
    xs_table_free(cons);
    xs_table_free(asg);
    return rc;
}
