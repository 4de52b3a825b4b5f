/*
 * cmd_plan.c — `xsell plan`: the global plan under capacity (CSM meetings
 * per owner, channel budgets, product limits) with the shadow price of each
 * capacity, against today's greedy ranking under the same constraints. A
 * thin shell over xs_plan_compute and xs_plan_write (docs/plan.md); needs
 * the store's build. Also the plan of `xsell build --capacity`.
 */
#include "cli/cli.h"

#include "base/alloc.h"
#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "plan"

struct plan_opts {
    const char *capacity, *customer;
    long days;
    int churn_model;
    xs_plan_solver solver;
    xs_offer_config cfg;
};

static int set_solver(const char *value, void *field)
{
    return xs_plan_solver_parse(value, field);
}

static int set_cfg(const char *cmd, const xs_opt *o, const char *value, void *opts)
{
    (void)o;
    return xs_cli_offer_set(cmd, &((struct plan_opts *)opts)->cfg, value);
}

#define OFF(f) offsetof(struct plan_opts, f)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (required)"},
    {"capacity", 0, "SPEC", XS_OPT_STR, .off = OFF(capacity),
     .help = "the capacities of one period (required), e.g.\n"
             "'csm=8/owner, email=5000, webinar=200, product:crm-pro=50'\n"
             "(channels email, in_app, csm, webinar, sns; /owner: per\n"
             "CSM; product:ID: offers proposing ID), or @FILE with\n"
             "one constraint a line ('#' comments)"},
    {"days", 0, "N", XS_OPT_LONG, .off = OFF(days), .lo = 1, .hi = 366,
     .help = "the period, in days (default 7); offers due later are\n"
             "left for a later plan"},
    {"solver", 0, "S", XS_OPT_ENUM, .off = OFF(solver), .parse = set_solver,
     .expect = "auto, lagrange, lp or mip",
     .help = "auto (default: mip up to 2000 candidates, else\n"
             "lagrange), lagrange, lp or mip"},
    {"customer", 0, "ID", XS_OPT_STR, .off = OFF(customer),
     .help = "with csv / json: only this customer's assignment"},
    {.ref = &xs_cli_opt_as_of,
     .help = "decide as of DATE (default: the store's latest date)"},
    {"set", 0, "SPEC", XS_OPT_CALL, .call = set_cfg,
     .help = "offer settings by name, e.g. max_offers=1"},
    {"churn-model", 0, NULL, XS_OPT_FLAG, .off = OFF(churn_model),
     .help = "P(churn) from the churn module's store-history model"},
    {.ref = &xs_cli_opt_threads,
     .help = "decide the candidates on N threads (default 2)"},
    {.ref = &xs_cli_opt_format,
     .help = "table (default): totals and constraints; csv: the\n"
             "assignment; json: {totals, constraints, assignment}"},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell plan --db FILE --capacity SPEC [--days N] [--solver S]\n"
    "           [--customer ID] [--as-of DATE] [--set SPEC] [--churn-model]\n"
    "           [--threads N] [--format F]",
    .about = "Assigns offers to every customer at once to maximise the total expected\n"
             "value under capacities, reports the shadow price of each capacity (what\n"
             "one more unit of it would add) and compares the plan with today's greedy\n"
             "per-customer ranking under the same capacities. Method: docs/plan.md.\n"
             "The store must have been built with 'xsell build --db FILE'.",
    .opts = opts,
    .flags = XS_CLI_DB,
};

/* The size from which a capacity file is refused (2 MiB less a byte). */
#define SPEC_MAX (((size_t)2 << 20) - 1)

/* Reads @FILE into *text (caller frees with xs__free()). Returns 0 or the
 * exit code. */
static int read_spec(const char *cmd, const char *path, char **text)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "xsell %s: %s: cannot read the capacity file\n", cmd, path);
        return XS_EXIT_USAGE;
    }
    xs__buf buf = {0};
    size_t got;
    do { /* a capacity file of SPEC_MAX bytes or more is refused */
        if (xs__buf_reserve(&buf, 4096) < 0) break;
        got = fread(buf.p + buf.n, 1, 4096, f);
        buf.n += got;
    } while (got == 4096 && buf.n < SPEC_MAX);
    int bad = ferror(f) || buf.n >= SPEC_MAX;
    fclose(f);
    size_t n;
    char *b = xs__buf_take(&buf, &n);
    if (!b || bad) {
        xs__free(b);
        fprintf(stderr, "xsell %s: %s: cannot read the capacity file (over 1 MB?)\n", cmd,
                path);
        return XS_EXIT_USAGE;
    }
    if (memchr(b, 0, n)) {
        xs__free(b);
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
    xs__free(p->spec_text);
    p->pl = NULL;
    p->en = NULL;
    p->spec_text = NULL;
}

/* Plans over the store db and prints the plan. */
static int run(const char *db, const char *as_of, const struct plan_opts *o,
               xs_format fmt, xs_plan_opts *po)
{
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    xs_offer_engine *en = NULL;
    xs_plan *pl = NULL;
    xs_error e;
    int ex = XS_EXIT_FAIL, rc;
    if (xs_store_open_readonly(&st, db, &e) < 0 || xs_snapshot_load(st, &snap, &e) < 0 ||
        xs_offer_engine_open(st, snap, &o->cfg, as_of, &en, &e) < 0 ||
        xs_plan_compute(en, po, &pl, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
    } else if ((rc = xs_plan_write(pl, o->customer, stdout, fmt)) == XS_ENOTFOUND) {
        fprintf(stderr, "xsell %s: --customer: unknown customer %s\n", CMD,
                xs_cli_q(o->customer));
        ex = XS_EXIT_USAGE;
    } else if (rc < 0) {
        xs_cli_write_failed(CMD, rc);
    } else {
        ex = xs_cli_flush(CMD);
    }
    xs_plan_free(pl);
    xs_offer_engine_free(en);
    xs_snapshot_free(snap);
    xs_store_close(st);
    return ex;
}

int xs_cmd_plan(int argc, char **argv)
{
    xs_cli_args a = {0};
    struct plan_opts o = {.days = 7};
    xs_plan_opts po;
    xs_offer_config_init(&o.cfg);
    xs_plan_opts_init(&po);
    o.solver = po.solver;
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    if (!o.capacity) return xs_cli_usage_error(CMD, "--capacity SPEC is required");
    if (o.customer && a.format == XS_FORMAT_TABLE)
        return xs_cli_usage_error(CMD, "--customer needs --format csv or json");
    if (o.churn_model) o.cfg.churn_model = 1;
    char *spec_text = NULL;
    po.capacity = o.capacity;
    po.source = "capacity";
    if (o.capacity[0] == '@') {
        if ((rc = read_spec(CMD, o.capacity + 1, &spec_text))) return rc;
        po.capacity = spec_text;
        po.source = o.capacity + 1;
    }
    po.days = (int)o.days;
    po.n_threads = a.threads ? a.threads : 2;
    po.solver = o.solver;
    rc = run(a.db, a.as_of, &o, a.format, &po);
    xs__free(spec_text);
    return rc;
}
