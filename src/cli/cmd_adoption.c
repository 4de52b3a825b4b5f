/*
 * cmd_adoption.c — `xsell adoption`: adoption timing curves P(adopt B
 * within t days | holds A) from the store.
 *
 * Reads the first-held days and observation ends from the store, runs the
 * Kaplan–Meier miner (xs_adoption_compute) and prints one row per pair with
 * the adoption share at each horizon and its 95 % band, or with --curve the
 * whole curve of one pair. A thin shell over xsell.h.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "adoption"
#define MAX_HORIZONS 32

struct adoption_opts {
    xs_adoption_opts o;
    int curve;
    int32_t horizons[MAX_HORIZONS];
    size_t n_h;
    long min_customers;
};

/* --horizons LIST: comma-separated days. */
static int set_horizons(const char *cmd, const xs_opt *opt, const char *s, void *v)
{
    struct adoption_opts *a = v;
    (void)opt;
    a->n_h = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char buf[32];
        if (len == 0 || len >= sizeof buf || a->n_h == MAX_HORIZONS)
            return xs_cli_usage_error(cmd, "--horizons: expected a list of days, got %s",
                                      xs_cli_q(s));
        memcpy(buf, p, len);
        buf[len] = '\0';
        long d;
        if (xs_cli_long(cmd, "--horizons", buf, 0, 36500, &d)) return XS_EXIT_USAGE;
        a->horizons[a->n_h++] = (int32_t)d;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

static int refuse_input(const char *cmd, const xs_opt *opt, const char *s, void *v)
{
    (void)opt, (void)s, (void)v;
    return xs_cli_usage_error(cmd, "--input: adoption timing needs dates: import the "
                                   "data into a store and use --db");
}

static int check(const char *cmd, const xs_cli_args *ca, const void *v)
{
    const struct adoption_opts *a = v;
    if (!ca->db) return xs_cli_usage_error(cmd, "--db FILE is required");
    if (a->o.from && a->o.to && !strcmp(a->o.from, a->o.to))
        return xs_cli_usage_error(cmd, "--from and --to name the same product %s",
                                  xs_cli_q(a->o.from));
    if (a->curve && !(a->o.from && a->o.to))
        return xs_cli_usage_error(cmd, "--curve needs --from A and --to B");
    return -1;
}

#define A(field) .off = offsetof(struct adoption_opts, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (adoption needs dates, so no --input)"},
    {"input", 0, "FILE", XS_OPT_CALL, .call = refuse_input,
     .help = "refused: basket files have no dates"},
    {"from", 0, "A", XS_OPT_STR, A(o.from), .help = "only pairs from A (a product id)"},
    {"to", 0, "B", XS_OPT_STR, A(o.to), .help = "only pairs to B (a product id)"},
    {"curve", 0, NULL, XS_OPT_FLAG, A(curve),
     .help = "print the whole curve of --from A --to B: at each\n"
             "event time the customers at risk, the adoptions,\n"
             "cumulative adoption and its 95% band"},
    {"horizons", 0, "LIST", XS_OPT_CALL, .call = set_horizons,
     .help = "days at which to report the adoption share\n(default 30,90,180,365)"},
    {"min-customers", 0, "N", XS_OPT_LONG, A(min_customers), .lo = 1, .hi = 1000000000L,
     .help = "leave out A held by fewer customers (default 10;\n"
             "not applied when both --from and --to are given)"},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell adoption --db FILE [--from A] [--to B] [--curve]\n"
    "               [--horizons 30,90,180,365] [--min-customers N] [--format F]",
    .about = "How soon customers holding product A adopt product B (Kaplan-Meier).\n"
             "Time zero is the day a customer first held A; customers who held B before\n"
             "or on that day are excluded; customers who have not adopted B are censored\n"
             "at the end of their observation (the store's latest date, or the day a\n"
             "churned customer left).",
    .opts = opts,
    .notes = "Columns: holders of A, excluded (had B first), cohort, adopted, median days\n"
             "to adopt (empty when the curve stays below 50%), and per horizon H the share\n"
             "adopted within H days with its band (empty when H is beyond the longest\n"
             "follow-up).",
    .flags = XS_CLI_DB,
    .check = check,
};

int xs_cmd_adoption(int argc, char **argv)
{
    struct adoption_opts ao = {.horizons = {30, 90, 180, 365}, .n_h = 4, .min_customers = 10};
    xs_cli_args ca = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &ca, &ao);
    if (rc >= 0) return rc;
    const char *db = ca.db;
    int curve = ao.curve;
    const int32_t *horizons = ao.horizons;
    size_t n_h = ao.n_h;
    xs_format fmt = ca.format;
    xs_adoption_opts o = ao.o;
    o.horizons = horizons;
    o.n_horizons = n_h;
    o.min_customers = (size_t)ao.min_customers;

    rc = XS_EXIT_OK;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_store *st = NULL;
    xs_adoption_input *in = NULL;
    xs_adoption *res = NULL;
    xs_table *t = NULL;
    if (xs_store_open_readonly(&st, db, &e) < 0 ||
        xs_adoption_input_from_store(st, &in, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    int r = xs_adoption_compute(in, &o, &res, &e);
    if (r < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    if (!(t = xs_table_new()) ||
        (curve ? xs_adoption_curve_table(xs_adoption_get(res, 0), t)
               : xs_adoption_table(res, horizons, n_h, t)) < 0)
        goto nomem;
    if (xs_table_write(t, stdout, fmt) < 0) {
        fprintf(stderr, "xsell " CMD ": cannot write the output\n");
        rc = XS_EXIT_FAIL;
    }
    goto cleanup;
nomem:
    fprintf(stderr, "xsell " CMD ": out of memory\n");
    rc = XS_EXIT_FAIL;
cleanup:
    xs_table_free(t);
    xs_adoption_free(res);
    xs_adoption_input_free(in);
    xs_store_close(st);
    return rc;
}
