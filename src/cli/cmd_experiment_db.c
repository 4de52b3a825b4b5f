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

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *CMD = "experiment";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: xsell experiment start --db FILE --name NAME --kind KIND [--split SPEC]\n"
            "                              [--start DATE] [--end DATE]\n"
            "       xsell experiment stop --db FILE --name NAME [--end DATE]\n"
            "       xsell experiment list --db FILE [--format F]\n"
            "       xsell experiment report --db FILE --name NAME [--as-of DATE] "
            "[--format F]\n"
            "\n"
            "A holdout experiment of an offer strategy: every customer is put in an arm\n"
            "of the split by the hash of \"NAME:customer_id\" (as 'xsell experiment "
            "assign');\n"
            "from --start to --end (open while running) the offer engine holds back "
            "offers\n"
            "of KIND from the arm named holdout (guard \"holdout\" in recommend, targets\n"
            "and serve). At most one experiment per kind runs on a day.\n"
            "  --name NAME    strategy name: letters, digits, '_', '-', '.' (at most 63)\n"
            "  --kind KIND    upsell, cross_sell or downsell\n"
            "  --split SPEC   arms and weights, default treatment:90,holdout:10; one arm\n"
            "                 must be named holdout\n"
            "  --start DATE   first day, YYYY-MM-DD (default: today, UTC)\n"
            "  --end DATE     last day (start: default open; stop: default today, UTC)\n"
            "  --as-of DATE   report: the data's last day (default: the store's latest "
            "date)\n"
            "  --format F     list and report: table (default), csv or json\n"
            "\n"
            "report: customers with recurring revenue on the start day, per arm; offers\n"
            "of KIND sent to them in the window and how many were accepted; then every\n"
            "arm against the holdout for arr_change (ARR at the window's last day - ARR\n"
            "at the start; Welch, CUPED on ARR at the start), expanded (ARR grew) and\n"
            "retained (ARR > 0 at the end), with confidence intervals, p-values and a\n"
            "sample-ratio check against the split (see 'xsell experiment --help').\n"
            "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

typedef struct args {
    const char *db, *name, *kind, *split, *start, *end, *as_of;
    xs_format fmt;
} args;

/* Parses the options of every action. Returns 0, 2 (usage error) or -1
 * (--help printed: exit 0). */
static int parse(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"name", required_argument, NULL, 'n'},
        {"kind", required_argument, NULL, 'k'},   {"split", required_argument, NULL, 's'},
        {"start", required_argument, NULL, 'S'},  {"end", required_argument, NULL, 'e'},
        {"as-of", required_argument, NULL, 'a'},  {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    a->fmt = XS_FORMAT_TABLE;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->db = optarg; break;
        case 'n': a->name = optarg; break;
        case 'k': a->kind = optarg; break;
        case 's': a->split = optarg; break;
        case 'S': a->start = optarg; break;
        case 'e': a->end = optarg; break;
        case 'a': a->as_of = optarg; break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &a->fmt)) return XS_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return -1;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!a->db) return xs_cli_usage_error(CMD, "%s: --db FILE is required", argv[0]);
    int need_name = strcmp(argv[0], "list") != 0;
    if (need_name && !a->name)
        return xs_cli_usage_error(CMD, "%s: --name NAME is required", argv[0]);
    return 0;
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
    if (rc < 0) return XS_EXIT_OK;
    if (rc) return rc;
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
