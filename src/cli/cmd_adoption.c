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

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: xsell adoption --db FILE [--from A] [--to B] [--curve]\n"
    "                      [--horizons 30,90,180,365] [--min-customers N] [--format F]\n"
    "\n"
    "How soon customers holding product A adopt product B (Kaplan-Meier).\n"
    "Time zero is the day a customer first held A; customers who held B before\n"
    "or on that day are excluded; customers who have not adopted B are censored\n"
    "at the end of their observation (the store's latest date, or the day a\n"
    "churned customer left).\n"
    "  --db FILE             the store (adoption needs dates, so no --input)\n"
    "  --from A, --to B      only pairs from A / to B (product ids)\n"
    "  --curve               print the whole curve of --from A --to B: at each\n"
    "                        event time the customers at risk, the adoptions,\n"
    "                        cumulative adoption and its 95% band\n"
    "  --horizons LIST       days at which to report the adoption share\n"
    "                        (default 30,90,180,365)\n"
    "  --min-customers N     leave out A held by fewer customers (default 10;\n"
    "                        not applied when both --from and --to are given)\n"
    "  --format F            table (default), json or csv\n"
    "Columns: holders of A, excluded (had B first), cohort, adopted, median days\n"
    "to adopt (empty when the curve stays below 50%), and per horizon H the share\n"
    "adopted within H days with its band (empty when H is beyond the longest\n"
    "follow-up).\n";

#define CMD "adoption"
#define MAX_HORIZONS 32

static int parse_horizons(const char *s, int32_t *h, size_t *n)
{
    *n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char buf[32];
        if (len == 0 || len >= sizeof buf || *n == MAX_HORIZONS)
            return xs_cli_usage_error(
                CMD, "--horizons: expected a list of days, got \"%s\"", s);
        memcpy(buf, p, len);
        buf[len] = '\0';
        long v;
        if (xs_cli_long(CMD, "--horizons", buf, 0, 36500, &v)) return XS_EXIT_USAGE;
        h[(*n)++] = (int32_t)v;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

static void cell_share(xs_table *t, double v)
{
    if (isnan(v))
        xs_table_cell(t, NULL);
    else
        xs_table_cellf(t, "%.4f", v);
}

int xs_cmd_adoption(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"input", required_argument, NULL, 'i'},
        {"from", required_argument, NULL, 'a'},
        {"to", required_argument, NULL, 'b'},
        {"curve", no_argument, NULL, 'c'},
        {"horizons", required_argument, NULL, 'H'},
        {"min-customers", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    int curve = 0;
    int32_t horizons[MAX_HORIZONS] = {30, 90, 180, 365};
    size_t n_h = 4;
    long min_customers = 10;
    xs_adoption_opts o;
    memset(&o, 0, sizeof o);
    xs_format fmt = XS_FORMAT_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'i':
            return xs_cli_usage_error(CMD,
                                      "--input: adoption timing needs dates: import the "
                                      "data into a store and use --db");
        case 'a':
            o.from = optarg;
            break;
        case 'b':
            o.to = optarg;
            break;
        case 'c':
            curve = 1;
            break;
        case 'H':
            if (parse_horizons(optarg, horizons, &n_h)) return XS_EXIT_USAGE;
            break;
        case 'n':
            if (xs_cli_long(CMD, "--min-customers", optarg, 1, 1000000000L,
                            &min_customers))
                return XS_EXIT_USAGE;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &fmt)) return XS_EXIT_USAGE;
            break;
        case 'h':
            fputs(usage, stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (o.from && o.to && !strcmp(o.from, o.to))
        return xs_cli_usage_error(CMD, "--from and --to name the same product \"%s\"",
                                  o.from);
    if (curve && !(o.from && o.to))
        return xs_cli_usage_error(CMD, "--curve needs --from A and --to B");
    o.horizons = horizons;
    o.n_horizons = n_h;
    o.min_customers = (size_t)min_customers;

    int rc = XS_EXIT_OK;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_store *st = NULL;
    xs_adoption_input *in = NULL;
    xs_adoption *res = NULL;
    xs_table *t = NULL;
    if (!xs_store_exists(db)) {
        fprintf(stderr, "xsell " CMD ": %s: no such store\n", db);
        return XS_EXIT_USAGE;
    }
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
    t = xs_table_new();
    if (!t) goto nomem;
    if (curve) {
        const xs_adoption_curve *cv = xs_adoption_get(res, 0);
        xs_table_column(t, "days", XS_COL_NUM);
        xs_table_column(t, "at_risk", XS_COL_NUM);
        xs_table_column(t, "events", XS_COL_NUM);
        xs_table_column(t, "cum_adoption", XS_COL_NUM);
        xs_table_column(t, "lo", XS_COL_NUM);
        xs_table_column(t, "hi", XS_COL_NUM);
        for (size_t i = 0; cv && i < cv->n_points; i++) {
            const xs_adoption_point *p = &cv->points[i];
            if (xs_table_row(t) < 0) goto nomem;
            xs_table_cellf(t, "%ld", (long)p->t);
            xs_table_cellf(t, "%zu", p->at_risk);
            xs_table_cellf(t, "%zu", p->events);
            xs_table_cellf(t, "%.4f", p->adopted);
            xs_table_cellf(t, "%.4f", p->lo);
            xs_table_cellf(t, "%.4f", p->hi);
        }
    } else {
        char name[48];
        xs_table_column(t, "from", XS_COL_TEXT);
        xs_table_column(t, "to", XS_COL_TEXT);
        xs_table_column(t, "holders", XS_COL_NUM);
        xs_table_column(t, "excluded", XS_COL_NUM);
        xs_table_column(t, "cohort", XS_COL_NUM);
        xs_table_column(t, "adopted", XS_COL_NUM);
        xs_table_column(t, "median_days", XS_COL_NUM);
        for (size_t h = 0; h < n_h; h++) {
            snprintf(name, sizeof name, "within_%ldd", (long)horizons[h]);
            xs_table_column(t, name, XS_COL_NUM);
            snprintf(name, sizeof name, "lo_%ldd", (long)horizons[h]);
            xs_table_column(t, name, XS_COL_NUM);
            snprintf(name, sizeof name, "hi_%ldd", (long)horizons[h]);
            xs_table_column(t, name, XS_COL_NUM);
        }
        for (size_t i = 0; i < xs_adoption_count(res); i++) {
            const xs_adoption_curve *cv = xs_adoption_get(res, i);
            if (xs_table_row(t) < 0) goto nomem;
            xs_table_cell(t, cv->from);
            xs_table_cell(t, cv->to);
            xs_table_cellf(t, "%zu", cv->n_holders);
            xs_table_cellf(t, "%zu", cv->n_excluded);
            xs_table_cellf(t, "%zu", cv->n_cohort);
            xs_table_cellf(t, "%zu", cv->n_events);
            if (cv->median >= 0)
                xs_table_cellf(t, "%ld", (long)cv->median);
            else
                xs_table_cell(t, NULL);
            for (size_t h = 0; h < n_h; h++) {
                cell_share(t, cv->share[h]);
                cell_share(t, cv->share_lo[h]);
                cell_share(t, cv->share_hi[h]);
            }
        }
    }
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
