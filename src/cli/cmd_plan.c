/*
 * cmd_plan.c — `xsell plan`: the global plan under capacity (CSM meetings
 * per owner, channel budgets, product limits) with the shadow price of each
 * capacity, against today's greedy ranking under the same constraints. A
 * thin shell over xs_plan_compute (docs/plan.md); needs the store's build.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "plan"

static const char usage[] =
    "usage: xsell plan --db FILE --capacity SPEC [--days N] [--solver S]\n"
    "                  [--customer ID] [--as-of DATE] [--set SPEC] [--churn-model]\n"
    "                  [--threads N] [--format F]\n"
    "\n"
    "Assigns offers to every customer at once to maximise the total expected\n"
    "value under capacities, reports the shadow price of each capacity (what\n"
    "one more unit of it would add) and compares the plan with today's greedy\n"
    "per-customer ranking under the same capacities. Method: docs/plan.md.\n"
    "The store must have been built with 'xsell build --db FILE'.\n"
    "\n"
    "  --db FILE        the store (required)\n"
    "  --capacity SPEC  the capacities of one period (required), e.g.\n"
    "                   'csm=8/owner, email=5000, webinar=200, product:crm-pro=50'\n"
    "                   (channels email, in_app, csm, webinar, sns; /owner: per\n"
    "                   CSM; product:ID: offers proposing ID), or @FILE with\n"
    "                   one constraint a line ('#' comments)\n"
    "  --days N         the period, in days (default 7); offers due later are\n"
    "                   left for a later plan\n"
    "  --solver S       auto (default: mip up to 2000 candidates, else\n"
    "                   lagrange), lagrange, lp or mip\n"
    "  --customer ID    with csv / json: only this customer's assignment\n"
    "  --as-of DATE     decide as of DATE (default: the store's latest date)\n"
    "  --set SPEC       offer settings by name, e.g. max_offers=1\n"
    "  --churn-model    P(churn) from the churn module's store-history model\n"
    "  --threads N      decide the candidates on N threads (default 2)\n"
    "  --format F       table (default): totals and constraints; csv: the\n"
    "                   assignment; json: {totals, constraints, assignment}\n";

/* Reads @FILE into *text (caller frees). Returns 0 or the exit code. */
static int read_spec(const char *cmd, const char *path, char **text)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "xsell %s: %s: cannot read the capacity file\n", cmd, path);
        return XS_EXIT_USAGE;
    }
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - 1 - n, f);
        if (n < cap - 1) break;
        char *nb = cap > (1u << 20) ? NULL : realloc(b, cap *= 2);
        if (!nb) {
            free(b);
            b = NULL;
        } else
            b = nb;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b || bad) {
        free(b);
        fprintf(stderr, "xsell %s: %s: cannot read the capacity file (over 1 MB?)\n", cmd,
                path);
        return XS_EXIT_USAGE;
    }
    b[n] = 0;
    if (memchr(b, 0, n)) {
        free(b);
        fprintf(stderr, "xsell %s: %s: a NUL byte in the capacity file\n", cmd, path);
        return XS_EXIT_USAGE;
    }
    *text = b;
    return 0;
}

/* Contract in cli.h. */
int xs_cli_plan_spec(const char *cmd, const xs_snapshot *snap, const char *capacity,
                     xs_cli_plan *out)
{
    xs_error e;
    out->spec = capacity;
    out->source = "capacity";
    if (capacity[0] == '@') {
        int ex = read_spec(cmd, capacity + 1, &out->spec_text);
        if (ex) return ex;
        out->spec = out->spec_text;
        out->source = capacity + 1;
    }
    if (xs_plan_capacity_check(snap, out->spec, out->source, &e) < 0)
        return xs_cli_fail(cmd, &e);
    return 0;
}

/* Contract in cli.h. */
int xs_cli_plan_run(const char *cmd, xs_store *st, const xs_snapshot *snap,
                    const xs_offer_config *cfg, const char *as_of, int days,
                    xs_cli_plan *out)
{
    xs_plan_opts po;
    xs_error e;
    xs_plan_opts_init(&po);
    po.days = days;
    po.capacity = out->spec;
    po.source = out->source;
    if (xs_offer_engine_open(st, snap, cfg, as_of, &out->en, &e) < 0 ||
        xs_plan_compute(out->en, &po, &out->pl, &e) < 0)
        return xs_cli_fail(cmd, &e);
    return 0;
}

/* Contract in cli.h. */
void xs_cli_plan_free(xs_cli_plan *p)
{
    xs_plan_free(p->pl);
    xs_offer_engine_free(p->en);
    free(p->spec_text);
    p->pl = NULL;
    p->en = NULL;
    p->spec_text = NULL;
}

/* The summary of the table format. */
static int write_summary(const xs_plan *pl, xs_table *cons)
{
    const xs_plan_totals *s = xs_plan_totals_of(pl);
    double gain = s->value - s->greedy_value;
    printf("plan: %zu offers to %zu customers (%zu candidates of %zu customers),"
           " %d-day period\n",
           s->n_assigned, s->n_reached, s->n_candidates, s->n_planned_customers, s->days);
    printf("value:  plan %.2f   greedy %.2f   gain %.2f (%+.2f%%)\n", s->value,
           s->greedy_value, gain,
           s->greedy_value > 0 ? 100 * gain / s->greedy_value : 0.0);
    if (s->bound == s->bound) {
        double gap = s->bound > 0 ? 100 * (s->bound - s->value) / s->bound : 0.0;
        printf("bound:  %.2f (LP relaxation); plan within %.4f%%%s\n", s->bound,
               gap > 0 ? gap : 0.0, s->optimal ? ", optimal" : "");
    }
    printf("solver: %s, %d iteration(s); time: candidates %.3f s, greedy %.3f s, plan "
           "%.3f s\n",
           xs_plan_solver_name(s->solver), s->iterations, s->seconds_candidates,
           s->seconds_greedy, s->seconds_plan);
    printf("\n");
    return xs_table_write(cons, stdout, XS_FORMAT_TABLE);
}

static int write_json(xs_table *tot, xs_table *cons, xs_table *asg)
{
    int rc = 0;
    fputs("{\"totals\": ", stdout);
    rc |= xs_table_write(tot, stdout, XS_FORMAT_JSON);
    fputs(", \"constraints\": ", stdout);
    rc |= xs_table_write(cons, stdout, XS_FORMAT_JSON);
    fputs(", \"assignment\": ", stdout);
    rc |= xs_table_write(asg, stdout, XS_FORMAT_JSON);
    fputs("}\n", stdout);
    return rc;
}

int xs_cmd_plan(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"capacity", required_argument, NULL, 'c'},
        {"days", required_argument, NULL, 'D'},
        {"solver", required_argument, NULL, 's'},
        {"customer", required_argument, NULL, 'C'},
        {"as-of", required_argument, NULL, 'a'},
        {"set", required_argument, NULL, 'S'},
        {"churn-model", no_argument, NULL, 'M'},
        {"threads", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *as_of = NULL, *capacity = NULL, *customer = NULL;
    long days = 7, threads = 2;
    xs_offer_config cfg;
    xs_plan_opts po;
    xs_format fmt = XS_FORMAT_TABLE;
    xs_error e;
    int c;
    xs_offer_config_init(&cfg);
    xs_plan_opts_init(&po);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'c':
            capacity = optarg;
            break;
        case 'D':
            if (xs_cli_long(CMD, "--days", optarg, 1, 366, &days)) return XS_EXIT_USAGE;
            break;
        case 's':
            if (xs_plan_solver_parse(optarg, &po.solver) < 0)
                return xs_cli_usage_error(
                    CMD, "--solver: expected auto, lagrange, lp or mip, got \"%s\"", optarg);
            break;
        case 'C':
            customer = optarg;
            break;
        case 'a':
            as_of = optarg;
            break;
        case 'S':
            if (xs_offer_config_set(&cfg, optarg, "--set", &e) < 0) {
                char buf[1200];
                return xs_cli_usage_error(CMD, "%s",
                                          xs_cli_error_format(&e, buf, sizeof buf));
            }
            break;
        case 'M':
            cfg.churn_model = 1;
            break;
        case 't':
            if (xs_cli_long(CMD, "--threads", optarg, 1, 16, &threads))
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
    if (!capacity) return xs_cli_usage_error(CMD, "--capacity SPEC is required");
    if (customer && fmt == XS_FORMAT_TABLE)
        return xs_cli_usage_error(CMD, "--customer needs --format csv or json");
    if (!xs_store_exists(db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }
    char *spec_text = NULL;
    if (capacity[0] == '@') {
        int ex = read_spec(CMD, capacity + 1, &spec_text);
        if (ex) return ex;
        po.capacity = spec_text;
        po.source = capacity + 1;
    } else {
        po.capacity = capacity;
        po.source = "capacity";
    }
    po.days = (int)days;
    po.n_threads = (int)threads;
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    xs_offer_engine *en = NULL;
    xs_plan *pl = NULL;
    xs_table *tot = NULL, *cons = NULL, *asg = NULL;
    int ex = XS_EXIT_FAIL, rc;
    if (xs_store_open_readonly(&st, db, &e) < 0 || xs_snapshot_load(st, &snap, &e) < 0 ||
        xs_offer_engine_open(st, snap, &cfg, as_of, &en, &e) < 0 ||
        xs_plan_compute(en, &po, &pl, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    tot = xs_table_new();
    cons = xs_table_new();
    asg = xs_table_new();
    if (!tot || !cons || !asg || xs_plan_totals_table(pl, tot) < 0 ||
        xs_plan_constraints_table(pl, cons) < 0) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        goto cleanup;
    }
    if (fmt != XS_FORMAT_TABLE &&
        (rc = xs_plan_assignment_table(pl, customer, asg)) < 0) {
        if (rc == XS_ENOTFOUND) {
            fprintf(stderr, "xsell %s: --customer: unknown customer \"%s\"\n", CMD,
                    customer);
            ex = XS_EXIT_USAGE;
        } else
            fprintf(stderr, "xsell %s: out of memory\n", CMD);
        goto cleanup;
    }
    if (fmt == XS_FORMAT_TABLE)
        rc = write_summary(pl, cons);
    else if (fmt == XS_FORMAT_JSON)
        rc = write_json(tot, cons, asg);
    else
        rc = xs_table_write(asg, stdout, XS_FORMAT_CSV);
    if (rc < 0 || fflush(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        goto cleanup;
    }
    ex = XS_EXIT_OK;
cleanup:
    xs_table_free(tot);
    xs_table_free(cons);
    xs_table_free(asg);
    xs_plan_free(pl);
    xs_offer_engine_free(en);
    xs_snapshot_free(snap);
    xs_store_close(st);
    free(spec_text);
    return ex;
}
