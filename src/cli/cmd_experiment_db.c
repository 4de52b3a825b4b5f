/*
 * cmd_experiment_db.c — `xsell experiment start|stop|list|report --db FILE`:
 * holdout experiments of offer strategies kept in the store
 * (docs/experiments.md). start and stop change the store's experiments
 * table; the offer engine reads it (recommend, targets, serve) and holds
 * back the holdout arm; report analyses an experiment on the store's data
 * and prints it with xs_exp_report_write (src/measure/experiment_out.c).
 */
#include "cli/cli.h"
#include "base/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define CMD "experiment"

typedef struct args {
    const char *db, *name, *kind, *split, *start, *end, *as_of;
    xs_format fmt;
} args;

#define OFF(f) offsetof(args, f)
static const xs_opt opts[] = {
    {"db", 0, "FILE", XS_OPT_STR, .off = OFF(db), .help = "the store (required)"},
    {"name", 0, "NAME", XS_OPT_STR, .off = OFF(name),
     .help = "strategy name: letters, digits, '_', '-', '.' (at most 63)"},
    {"kind", 0, "KIND", XS_OPT_STR, .off = OFF(kind), .help = "upsell, cross_sell or downsell"},
    {"split", 0, "SPEC", XS_OPT_STR, .off = OFF(split),
     .help = "arms and weights, default treatment:90,holdout:10; one arm\n"
             "must be named holdout"},
    {"start", 0, "DATE", XS_OPT_STR, .off = OFF(start),
     .help = "first day, YYYY-MM-DD (default: today, UTC)"},
    {"end", 0, "DATE", XS_OPT_STR, .off = OFF(end),
     .help = "last day (start: default open; stop: default today, UTC)"},
    {"as-of", 0, "DATE", XS_OPT_STR, .off = OFF(as_of),
     .help = "report: the data's last day (default: the store's latest date)"},
    {"format", 0, "F", XS_OPT_FORMAT, .off = OFF(fmt),
     .help = "list and report: table (default), csv or json"},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell experiment start --db FILE --name NAME --kind KIND [--split SPEC]\n"
    "                       [--start DATE] [--end DATE]\n"
    "xsell experiment stop --db FILE --name NAME [--end DATE]\n"
    "xsell experiment list --db FILE [--format F]\n"
    "xsell experiment report --db FILE --name NAME [--as-of DATE] [--format F]",
    .about = "A holdout experiment of an offer strategy: every customer is put in an arm\n"
             "of the split by the hash of \"NAME:customer_id\" (as 'xsell experiment assign');\n"
             "from --start to --end (open while running) the offer engine holds back offers\n"
             "of KIND from the arm named holdout (guard \"holdout\" in recommend, targets\n"
             "and serve). At most one experiment per kind runs on a day.",
    .opts = opts,
    .notes = "report: customers with recurring revenue on the start day, per arm; offers\n"
             "of KIND sent to them in the window and how many were accepted; then every\n"
             "arm against the holdout for arr_change (ARR at the window's last day - ARR\n"
             "at the start; Welch, CUPED on ARR at the start), expanded (ARR grew) and\n"
             "retained (ARR > 0 at the end), with confidence intervals, p-values and a\n"
             "sample-ratio check against the split (see 'xsell experiment analyze --help').\n",
};

/* Parses the options of every action. Returns -1 to go on, else the exit
 * code (help or error printed). */
static int parse(int argc, char **argv, args *a)
{
    xs_cli_args g = {0};
    memset(a, 0, sizeof *a);
    int rc = xs_cli_parse(&spec, argc, argv, &g, a);
    if (rc >= 0) return rc;
    if (!a->db) return xs_cli_usage_error(CMD, "%s: --db FILE is required", argv[0]);
    int need_name = strcmp(argv[0], "list") != 0;
    if (need_name && !a->name)
        return xs_cli_usage_error(CMD, "%s: --name NAME is required", argv[0]);
    return -1;
}

static int cmd_start(const args *a, xs_store *st)
{
    xs_experiment x;
    xs_error e = {0};
    if (!a->kind) return xs_cli_usage_error(CMD, "start: --kind KIND is required");
    /* the checks and messages of POST /v1/experiments too (the library's) */
    if (xs_experiment_define(&x, a->name, a->kind, a->split, a->start, a->end, &e) < 0 ||
        xs_store_experiment_add(st, &x, &e) < 0)
        return xs_cli_fail(CMD, &e);
    printf("experiment %s started: %s, split %s, from %s%s%s\n", x.name,
           xs_offer_kind_key(x.kind), x.split, x.start, x.end[0] ? " to " : "", x.end);
    return XS_EXIT_OK;
}

static int cmd_stop(const args *a, xs_store *st)
{
    xs_error e = {0};
    char end[11];
    if (a->end && strlen(a->end) >= sizeof end)
        return xs_cli_usage_error(CMD, "--end: not a date (YYYY-MM-DD): \"%s\"", a->end);
    if (a->end)
        snprintf(end, sizeof end, "%s", a->end);
    else
        xs__utc_today(end);
    if (xs_store_experiment_stop(st, a->name, end, &e) < 0) return xs_cli_fail(CMD, &e);
    printf("experiment %s ended on %s\n", a->name, end);
    return XS_EXIT_OK;
}

static int cmd_list(const args *a, xs_store *st)
{
    xs_error e = {0};
    xs_experiment *x = NULL;
    long n = xs_store_experiments(st, &x, &e);
    if (n < 0) return xs_cli_fail(CMD, &e);
    static const char *const cols[] = {"name", "kind", "split", "start", "end", "created_at"};
    xs_table *t = xs_table_new();
    int bad = !t;
    for (size_t i = 0; !bad && i < sizeof cols / sizeof *cols; i++)
        bad |= xs_table_column(t, cols[i], XS_COL_TEXT) < 0;
    for (long i = 0; !bad && i < n; i++)
        bad |= xs_table_row(t) < 0 || xs_table_cell(t, x[i].name) < 0 ||
               xs_table_cell(t, xs_offer_kind_key(x[i].kind)) < 0 ||
               xs_table_cell(t, x[i].split) < 0 || xs_table_cell(t, x[i].start) < 0 ||
               xs_table_cell(t, x[i].end[0] ? x[i].end : NULL) < 0 ||
               xs_table_cell(t, x[i].created_at) < 0;
    if (!bad) bad = xs_table_write(t, stdout, a->fmt) < 0;
    xs_table_free(t);
    xs_store_experiments_free(x);
    if (bad) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        return XS_EXIT_FAIL;
    }
    return XS_EXIT_OK;
}

static int cmd_report(const args *a, xs_store *st)
{
    xs_error e = {0};
    xs_experiment *all = NULL;
    xs_snapshot *snap = NULL;
    xs_exp_report_result *r = NULL;
    int rc = XS_EXIT_OK;
    long n = xs_store_experiments(st, &all, &e);
    if (n < 0) return xs_cli_fail(CMD, &e);
    const xs_experiment *x = NULL;
    for (long i = 0; i < n; i++)
        if (!strcmp(all[i].name, a->name)) x = &all[i];
    if (!x) {
        fprintf(stderr, "xsell %s: --name: no experiment of this name: \"%s\"\n", CMD,
                a->name);
        rc = XS_EXIT_USAGE;
        goto cleanup;
    }
    if (xs_snapshot_load(st, &snap, &e) < 0 || xs_exp_report(snap, x, a->as_of, &r, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    if (xs_exp_report_write(r, x, stdout, a->fmt) < 0) rc = xs_cli_nomem(CMD);
cleanup:
    xs_exp_report_free(r);
    xs_snapshot_free(snap);
    xs_store_experiments_free(all);
    return rc;
}

/* Contract in cli.h. */
int xs_cli_experiment_db(int argc, char **argv)
{
    args a;
    int rc = parse(argc, argv, &a);
    if (rc >= 0) return rc;
    xs_store *st = NULL;
    xs_error e = {0};
    if (xs_store_open(&st, a.db, &e) < 0) return xs_cli_fail(CMD, &e);
    if (!strcmp(argv[0], "start"))
        rc = cmd_start(&a, st);
    else if (!strcmp(argv[0], "stop"))
        rc = cmd_stop(&a, st);
    else if (!strcmp(argv[0], "list"))
        rc = cmd_list(&a, st);
    else
        rc = cmd_report(&a, st);
    xs_store_close(st);
    return rc;
}
