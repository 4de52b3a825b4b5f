/*
 * cmd_demo.c — `xsell demo`: the first thing to run. Generates the demo
 * company (xs_gen_write) into a temporary directory, imports every table in
 * dependency order into a fresh store (xs_import_file), loads the snapshot
 * (xs_snapshot_load), builds the offer model (xs_offer_build, as `xsell
 * build` does) and prints a summary of what the store now holds: rows per
 * table, customers per segment, plans held with their MRR, the best selling
 * products, totals; then the next best offers of a few customers (the first
 * whose top offer is an upsell, a cross-sell, a downsell), the target
 * list (top 10) and the holdout experiments: the generator plants a random
 * holdout per offer kind over the last --holdout-days days, the demo
 * registers those experiments in the store (still running, so today's
 * decisions hold the holdout back too) and reports their lift.
 *
 * The store is built under a temporary name next to --db and renamed over it
 * only when everything succeeded, so a failed demo leaves the old file (or
 * none) in place. Progress lines go to stderr, the summary to stdout.
 */
#include "cli/cli.h"

#include "base/date.h"
#include "base/error.h"
#include "base/money.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: xsell demo [--db FILE] [--customers N] [--seed S] [--out DIR]\n"
    "                  [--format table|json|csv]\n"
    "\n"
    "Generate a deterministic demo company (B2B SaaS plans and a web shop),\n"
    "import it into the store FILE (replaced when it exists), load it and print\n"
    "a summary: rows per table, customers per segment, active subscriptions and\n"
    "MRR by plan family and tier, top products by order revenue, totals. It\n"
    "also builds the store (as 'xsell build' does) and ends with the next best\n"
    "offers of three customers (the first whose top offer is an upsell, a\n"
    "cross-sell, a downsell), the target list (top 10) and the holdout\n"
    "experiments: for each offer kind the generated history withheld that kind's\n"
    "offers from a random 10% holdout over the last --holdout-days days; the\n"
    "demo registers these as running experiments named upsell, cross_sell and\n"
    "downsell ('xsell experiment report') and prints their lift against the\n"
    "holdout with 95% confidence intervals.\n"
    "\n"
    "Options:\n"
    "  --db FILE        the store to create (default xsell-demo.db)\n"
    "  --customers N    number of customers, 1..100000000 (default 3000)\n"
    "  --seed S         random seed, a non-negative integer (default 42)\n"
    "  --holdout-days N days of holdout experiments, 0..3650 (default 180; 0: none)\n"
    "  --out DIR        keep the generated CSV files in DIR (default: a temporary\n"
    "                   directory, removed afterwards)\n"
    "  --format F       table (default), json (one object, a key per section) or\n"
    "                   csv (each section after a '# name' line)\n"
    "  --help           this text\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 bad usage.\n";

#define CMD "demo"
#define TOP_PRODUCTS 10
#define HOLDOUT_DAYS 180

/* Registers the generator's planted holdouts (xs_gen_options.holdout_days)
 * as running experiments named after their kind, from as_of - days. */
static int add_experiments(xs_store *st, const xs_gen_options *gen, xs_error *err)
{
    const char *as_of = gen->as_of ? gen->as_of : XS_GEN_DEFAULT_AS_OF;
    int32_t day;
    if (xs__date_parse(as_of, strlen(as_of), &day) < 0)
        return xs__error_set(err, XS_EINVAL, NULL, 0, "as_of", "not a date: \"%s\"", as_of);
    for (int k = 0; k < XS_OFFER_N_KINDS; k++) {
        xs_experiment x;
        memset(&x, 0, sizeof x);
        x.kind = (xs_offer_kind)k;
        snprintf(x.name, sizeof x.name, "%s", xs_offer_kind_key(x.kind));
        snprintf(x.split, sizeof x.split, "%s", XS_GEN_HOLDOUT_SPLIT);
        xs__date_format(day - gen->holdout_days, x.start);
        int rc = xs_store_experiment_add(st, &x, err);
        if (rc < 0) return rc;
    }
    return XS_OK;
}

/* The experiments section: per experiment and metric, the holdout's and
 * the treatment's mean and the lift with its CI (experiments whose report
 * fails, e.g. too few customers, are left out). */
static int experiments_table(const xs_experiment *x, long n, const xs_snapshot *s,
                             xs_table *t)
{
    static const char *const cols[] = {"experiment", "kind",     "metric",  "holdout_n",
                                       "treatment_n", "holdout",  "treatment", "lift",
                                       "lift_lo",    "lift_hi",  "p_value"};
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = XS_OK;
    for (size_t i = 0; rc == XS_OK && i < sizeof cols / sizeof *cols; i++)
        rc = xs_table_column(t, cols[i], i < 3 ? XS_COL_TEXT : XS_COL_NUM);
    for (long i = 0; rc == XS_OK && i < n; i++) {
        xs_exp_report_result *r = NULL;
        if (xs_exp_report(s, &x[i], NULL, &r, &e) < 0) continue;
        const xs_exp_result *a = xs_exp_report_analysis(r);
        const xs_exp_row *ctl = NULL;
        for (size_t j = 0; rc == XS_OK && j < xs_exp_result_n_rows(a); j++) {
            const xs_exp_row *w = xs_exp_result_row(a, j);
            if (w->is_control) {
                ctl = w;
                continue;
            }
            if (!ctl || strcmp(ctl->metric, w->metric)) continue;
            rc |= xs_table_row(t);
            rc |= xs_table_cell(t, x[i].name);
            rc |= xs_table_cell(t, xs_offer_kind_key(x[i].kind));
            rc |= xs_table_cell(t, w->metric);
            rc |= xs_table_cellf(t, "%zu", ctl->n);
            rc |= xs_table_cellf(t, "%zu", w->n);
            double v[] = {ctl->mean, w->mean, w->lift, w->lift_lo, w->lift_hi, w->p};
            for (size_t k = 0; k < sizeof v / sizeof *v; k++)
                rc |= xs_table_cellf(t, "%.4g", v[k]);
        }
        xs_exp_report_free(r);
    }
    return rc ? XS_ENOMEM : XS_OK;
}

/* Fills err with an I/O failure on path (errno's message). */
static int errno_error(xs_error *err, const char *path, const char *what)
{
    int e = errno;
    memset(err, 0, sizeof *err);
    err->code = XS_EIO;
    snprintf(err->file, sizeof err->file, "%s", path);
    snprintf(err->message, sizeof err->message, "%s: %s", what, strerror(e));
    return XS_EIO;
}

/* Removes FILE-wal and FILE-shm (absent ones are fine). */
static void remove_wal_files(const char *path)
{
    char p[PATH_MAX + 8];
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* Removes FILE, FILE-wal and FILE-shm (absent ones are fine). */
static void remove_db_files(const char *path)
{
    unlink(path);
    remove_wal_files(path);
}

/* Removes the generated files and the directory itself. */
static void remove_gen_dir(const char *dir)
{
    char p[PATH_MAX + 64];
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        snprintf(p, sizeof p, "%s/%s", dir, xs_gen_file_name((xs_gen_file)f));
        unlink(p);
    }
    rmdir(dir);
}

static void print_import_error(void *ctx, const xs_error *e)
{
    (void)ctx;
    char buf[1200];
    fprintf(stderr, "xsell " CMD ": %s\n", xs_cli_error_format(e, buf, sizeof buf));
}

/* Imports the generated files into st, in dependency order. */
static int import_all(xs_store *st, const char *dir, xs_error *err)
{
    char path[PATH_MAX + 64];
    for (int t = 0; t <= XS_T_OFFERS; t++) {
        /* the generator's files come in the store's table order */
        snprintf(path, sizeof path, "%s/%s", dir, xs_gen_file_name((xs_gen_file)t));
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = (xs_table_id)t;
        o.format = XS_IO_CSV;
        o.on_error = print_import_error;
        xs_import_result r;
        int rc = xs_import_file(st, path, &o, &r, err);
        if (rc < 0) return rc;
        fprintf(stderr, "imported %-13s %10llu rows\n", xs_table_name((xs_table_id)t),
                r.inserted + r.updated + r.unchanged);
    }
    return XS_OK;
}

/* A table of totals: what, value. */
static int totals_table(const xs_snapshot *s, xs_table *t)
{
    char mrr[48], rev[48];
    size_t n_active;
    int scale = xs_snapshot_money_scale(s);
    xs__money_format(xs_snapshot_mrr(s, &n_active), scale, mrr, sizeof mrr);
    xs__money_format(xs_snapshot_order_revenue(s), scale, rev, sizeof rev);
    const char *rows[][2] = {
        {"currency", xs_snapshot_currency(s)},
        {"mrr", mrr},
        {"order_revenue", rev},
    };
    int rc;
    if ((rc = xs_table_column(t, "what", XS_COL_TEXT)) < 0 ||
        (rc = xs_table_column(t, "value", XS_COL_TEXT)) < 0)
        return rc;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
        if ((rc = xs_table_row(t)) < 0 || (rc = xs_table_cell(t, rows[k][0])) < 0 ||
            (rc = xs_table_cell(t, rows[k][1])) < 0)
            return rc;
    if ((rc = xs_table_row(t)) < 0 ||
        (rc = xs_table_cell(t, "active_subscriptions")) < 0 ||
        (rc = xs_table_cellf(t, "%zu", n_active)) < 0)
        return rc;
    return XS_OK;
}

/* The offered offers of the first customer whose top offer is an upsell,
 * of the first whose is a cross-sell and of the first whose is a downsell
 * (snapshot order; a kind no customer gets is left out). */
static int offers_table(const xs_offer_engine *en, xs_table *t)
{
    int rc = xs_offer_table_columns(t);
    int found[XS_OFFER_N_KINDS] = {0}, n_found = 0;
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    size_t nc = xs_offer_engine_n_customers(en);
    for (size_t c = 0; rc == XS_OK && c < nc && n_found < XS_OFFER_N_KINDS; c++) {
        int n = xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
        if (n <= 0 || o[0].rank != 1 || found[o[0].kind]) continue;
        found[o[0].kind] = 1;
        n_found++;
        size_t k = 0;
        while (k < (size_t)n && o[k].rank > 0)
            k++;
        rc = xs_offer_table(en, o, k, "en", 0, t);
    }
    return rc;
}

/* Prints the summary sections in the chosen format. */
static int print_summary(const xs_experiment *exp, long n_exp, const xs_snapshot *s,
                         const xs_offer_engine *en, xs_format fmt, FILE *out)
{
    static const struct {
        const char *key, *title;
        int report; /* an xs_snapshot_report_kind, or -1 totals, -2 offers,
                       -3 targets, -4 experiments */
        size_t limit;
    } sections[] = {
        {"counts", "Rows", XS_SNAP_REPORT_COUNTS, 0},
        {"segments", "Customers per segment", XS_SNAP_REPORT_SEGMENTS, 0},
        {"plans", "Plans held: active subscriptions and MRR by family and tier",
         XS_SNAP_REPORT_PLANS, 0},
        {"top_products", "Top products by order revenue", XS_SNAP_REPORT_TOP_PRODUCTS,
         TOP_PRODUCTS},
        {"totals", "Totals", -1, 0},
        {"offers", "Next best offers (an upsell, a cross-sell and a downsell customer)",
         -2, 0},
        {"targets", "Target list: top 10 accounts by expected value", -3, 10},
        {"experiments",
         "Holdout experiments: each arm against the holdout (95% CI; arr_change in "
         "currency units, expanded and retained as shares of customers)",
         -4, 0},
    };
    const size_t n = sizeof sections / sizeof sections[0];
    if (fmt == XS_FORMAT_JSON) fputs("{", out);
    for (size_t k = 0; k < n; k++) {
        xs_table *t = xs_table_new();
        if (!t) return XS_ENOMEM;
        int rc = sections[k].report == -1   ? totals_table(s, t)
                 : sections[k].report == -2 ? offers_table(en, t)
                 : sections[k].report == -3
                     ? xs_offer_targets(en, 1, sections[k].limit, t, NULL)
                 : sections[k].report == -4
                     ? experiments_table(exp, n_exp, s, t)
                     : xs_snapshot_report(s, (xs_snapshot_report_kind)sections[k].report,
                                          sections[k].limit, t);
        if (rc == XS_OK) {
            if (fmt == XS_FORMAT_JSON)
                fprintf(out, "%s\"%s\": ", k ? ",\n" : "\n", sections[k].key);
            else if (fmt == XS_FORMAT_CSV)
                fprintf(out, "%s# %s\n", k ? "\n" : "", sections[k].key);
            else
                fprintf(out, "%s%s\n\n", k ? "\n" : "", sections[k].title);
            rc = xs_table_write(t, out, fmt);
        }
        xs_table_free(t);
        if (rc < 0) return rc;
    }
    if (fmt == XS_FORMAT_JSON) fputs("}\n", out);
    return ferror(out) ? XS_EIO : XS_OK;
}

int xs_cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"customers", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"holdout-days", required_argument, NULL, 'H'},
        {"out", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = "xsell-demo.db", *out_dir = NULL;
    xs_format fmt = XS_FORMAT_TABLE;
    xs_gen_options gen;
    xs_gen_options_init(&gen);
    gen.n_customers = 3000;
    gen.holdout_days = HOLDOUT_DAYS;
    long v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'o':
            out_dir = optarg;
            break;
        case 'n':
            if (xs_cli_long(CMD, "--customers", optarg, 1, (long)XS_GEN_MAX_CUSTOMERS,
                            &v))
                return XS_EXIT_USAGE;
            gen.n_customers = (uint64_t)v;
            break;
        case 's':
            if (xs_cli_long(CMD, "--seed", optarg, 0, LONG_MAX, &v)) return XS_EXIT_USAGE;
            gen.seed = (uint64_t)v;
            break;
        case 'H':
            if (xs_cli_long(CMD, "--holdout-days", optarg, 0, XS_GEN_MAX_HOLDOUT_DAYS, &v))
                return XS_EXIT_USAGE;
            gen.holdout_days = (int)v;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &fmt)) return XS_EXIT_USAGE;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!*db) return xs_cli_usage_error(CMD, "--db: empty file name");
    if (strlen(db) > PATH_MAX - 32)
        return xs_cli_usage_error(CMD, "--db: file name too long");

    xs_error err;
    memset(&err, 0, sizeof err);
    char tmp_dir[PATH_MAX], tmp_db[PATH_MAX] = "";
    const char *dir = out_dir;
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    xs_offer_engine *en = NULL;
    xs_experiment *exp = NULL;
    long n_exp = 0;
    int rc = XS_OK, made_dir = 0, made_db = 0;
    if (!dir) {
        const char *base = getenv("TMPDIR");
        snprintf(tmp_dir, sizeof tmp_dir, "%s/xsell-demo-XXXXXX",
                 base && *base ? base : "/tmp");
        if (!mkdtemp(tmp_dir)) {
            rc = errno_error(&err, tmp_dir, "cannot create a temporary directory");
            goto cleanup;
        }
        dir = tmp_dir;
        made_dir = 1;
    }
    xs_gen_stats gs;
    if ((rc = xs_gen_write(dir, &gen, &gs, &err)) < 0) goto cleanup;
    fprintf(stderr, "generated %llu customers (seed %llu) in %s\n",
            (unsigned long long)gen.n_customers, (unsigned long long)gen.seed, dir);

    /* build the store under a temporary name, rename it over --db at the end
     * (a PostgreSQL database is imported into as it is) */
    int is_url = xs_store_is_url(db);
    if (is_url)
        snprintf(tmp_db, sizeof tmp_db, "%s", db);
    else
        snprintf(tmp_db, sizeof tmp_db, "%s.tmp-%ld", db, (long)getpid());
    if (!is_url) remove_db_files(tmp_db);
    made_db = !is_url;
    if ((rc = xs_store_open(&st, tmp_db, &err)) < 0) goto cleanup;
    if ((rc = import_all(st, dir, &err)) < 0) goto cleanup;
    if (gen.holdout_days > 0 && (rc = add_experiments(st, &gen, &err)) < 0) goto cleanup;
    if ((rc = xs_snapshot_load(st, &snap, &err)) < 0) goto cleanup;
    xs_offer_build_info bi;
    if ((rc = xs_offer_build(st, snap, NULL, NULL, &bi, &err)) < 0) goto cleanup;
    fprintf(stderr, "built the offer model as of %s (%s)\n", bi.as_of,
            bi.fitted ? "fitted" : "priors: too little history");
    if ((rc = xs_offer_engine_open(st, snap, NULL, NULL, &en, &err)) < 0) goto cleanup;
    if ((n_exp = xs_store_experiments(st, &exp, &err)) < 0) {
        rc = (int)n_exp;
        goto cleanup;
    }
    xs_store_close(st);
    st = NULL;
    /* a stale -wal of the old file must not be applied to the new one; the
     * main file is replaced atomically */
    if (!is_url) remove_wal_files(db);
    if (!is_url && rename(tmp_db, db) != 0) {
        rc = errno_error(&err, db, "cannot replace the store");
        goto cleanup;
    }
    made_db = 0;
    fprintf(stderr, "store %s: snapshot of %.1f MiB\n", db,
            (double)xs_snapshot_bytes(snap) / 1048576.0);
    if (fmt == XS_FORMAT_TABLE)
        printf("xsell demo: %llu customers, seed %llu, store %s\n\n",
               (unsigned long long)gen.n_customers, (unsigned long long)gen.seed, db);
    rc = print_summary(exp, n_exp, snap, en, fmt, stdout);
    if (rc < 0) {
        err.code = rc;
        snprintf(err.message, sizeof err.message, "writing the summary: %s",
                 xs_strerror(rc));
    }
cleanup:
    xs_store_experiments_free(exp);
    xs_offer_engine_free(en);
    xs_snapshot_free(snap);
    xs_store_close(st);
    if (made_db) remove_db_files(tmp_db);
    if (made_dir) remove_gen_dir(tmp_dir);
    if (rc < 0) {
        /* name the file the user asked for, not its temporary twin */
        if (tmp_db[0] && !strcmp(err.file, tmp_db))
            snprintf(err.file, sizeof err.file, "%s", db);
        return xs_cli_fail(CMD, &err);
    }
    return XS_EXIT_OK;
}
