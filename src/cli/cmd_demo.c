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

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "demo"
#define HOLDOUT_DAYS 180

#define OFF(f) offsetof(struct demo_opts, f)
struct demo_opts {
    const char *out_dir;
    long customers, seed;
    int holdout_days;
};

static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store to create (default xsell-demo.db)"},
    {"customers", 0, "N", XS_OPT_LONG, .off = OFF(customers), .lo = 1,
     .hi = (double)XS_GEN_MAX_CUSTOMERS,
     .help = "number of customers, 1..100000000 (default 3000)"},
    {"seed", 0, "S", XS_OPT_LONG, .off = OFF(seed), .lo = 0, .hi = (double)LONG_MAX,
     .help = "random seed, a non-negative integer (default 42)"},
    {"holdout-days", 0, "N", XS_OPT_INT, .off = OFF(holdout_days), .lo = 0,
     .hi = XS_GEN_MAX_HOLDOUT_DAYS,
     .help = "days of holdout experiments, 0..3650 (default 180; 0: none)"},
    {"out", 0, "DIR", XS_OPT_STR, .off = OFF(out_dir),
     .help = "keep the generated CSV files in DIR (default: a temporary\n"
             "directory, removed afterwards)"},
    {.ref = &xs_cli_opt_format,
     .help = "table (default), json (one object, a key per section) or\n"
             "csv (each section after a '# name' line)"},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell demo [--db FILE] [--customers N] [--seed S] [--out DIR]\n"
    "           [--holdout-days N] [--format table|json|csv]",
    .about =
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
        "holdout with 95% confidence intervals.",
    .opts = opts,
};

/* What the demo made, for the summary and the cleanup. */
typedef struct demo {
    xs_store *st;
    xs_snapshot *snap;
    xs_offer_engine *en;
    xs_experiment *exp;
    long n_exp;
    char tmp_db[PATH_MAX];
    int made_db, is_url;
} demo;

/* Registers the generator's planted holdouts (xs_gen_options.holdout_days)
 * as running experiments named after their kind, from as_of - days. */
static int add_experiments(xs_store *st, const xs_gen_options *gen, xs_error *err)
{
    const char *as_of = gen->as_of ? gen->as_of : XS_GEN_DEFAULT_AS_OF;
    int32_t day;
    if (xs__date_parse(as_of, strlen(as_of), &day) < 0)
        return xs__error_set(err, XS_EINVAL, NULL, 0, "as_of", "not a date: \"%s\"",
                             as_of);
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

/* Generates the company into dir (a temporary one when NULL; *made set). */
static int generate(const char *out_dir, const xs_gen_options *gen, char *tmp_dir,
                    const char **dir, int *made, xs_error *err)
{
    *dir = out_dir;
    if (!out_dir) {
        const char *base = getenv("TMPDIR");
        snprintf(tmp_dir, PATH_MAX, "%s/xsell-demo-XXXXXX",
                 base && *base ? base : "/tmp");
        if (!mkdtemp(tmp_dir))
            return errno_error(err, tmp_dir, "cannot create a temporary directory");
        *dir = tmp_dir;
        *made = 1;
    }
    xs_gen_stats gs;
    int rc = xs_gen_write(*dir, gen, &gs, err);
    if (rc < 0) return rc;
    fprintf(stderr, "generated %llu customers (seed %llu) in %s\n",
            (unsigned long long)gen->n_customers, (unsigned long long)gen->seed, *dir);
    return XS_OK;
}

/* Imports dir into a store under a temporary name, builds it and renames it
 * over db at the end (a PostgreSQL database is imported into as it is). */
static int make_store(const char *db, const char *dir, const xs_gen_options *gen, demo *d,
                      xs_error *err)
{
    int rc;
    d->is_url = xs_store_is_url(db);
    if (d->is_url)
        snprintf(d->tmp_db, sizeof d->tmp_db, "%s", db);
    else
        snprintf(d->tmp_db, sizeof d->tmp_db, "%s.tmp-%ld", db, (long)getpid());
    if (!d->is_url) remove_db_files(d->tmp_db);
    d->made_db = !d->is_url;
    if ((rc = xs_store_open(&d->st, d->tmp_db, err)) < 0 ||
        (rc = import_all(d->st, dir, err)) < 0 ||
        (gen->holdout_days > 0 && (rc = add_experiments(d->st, gen, err)) < 0) ||
        (rc = xs_snapshot_load(d->st, &d->snap, err)) < 0)
        return rc;
    xs_offer_build_info bi;
    if ((rc = xs_offer_build(d->st, d->snap, NULL, NULL, &bi, err)) < 0) return rc;
    fprintf(stderr, "built the offer model as of %s (%s)\n", bi.as_of,
            bi.fitted ? "fitted" : "priors: too little history");
    if ((rc = xs_offer_engine_open(d->st, d->snap, NULL, NULL, &d->en, err)) < 0)
        return rc;
    if ((d->n_exp = xs_store_experiments(d->st, &d->exp, err)) < 0) return (int)d->n_exp;
    xs_store_close(d->st);
    d->st = NULL;
    /* a stale -wal of the old file must not be applied to the new one; the
     * main file is replaced atomically */
    if (!d->is_url) remove_wal_files(db);
    if (!d->is_url && rename(d->tmp_db, db) != 0)
        return errno_error(err, db, "cannot replace the store");
    d->made_db = 0;
    fprintf(stderr, "store %s: snapshot of %.1f MiB\n", db,
            (double)xs_snapshot_bytes(d->snap) / 1048576.0);
    return XS_OK;
}

int xs_cmd_demo(int argc, char **argv)
{
    xs_cli_args a = {0};
    struct demo_opts o = {.customers = 3000, .holdout_days = HOLDOUT_DAYS};
    xs_gen_options gen;
    xs_gen_options_init(&gen);
    o.seed = (long)gen.seed;
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    const char *db = a.db ? a.db : "xsell-demo.db", *dir;
    if (!*db) return xs_cli_usage_error(CMD, "--db: empty file name");
    if (strlen(db) > PATH_MAX - 32)
        return xs_cli_usage_error(CMD, "--db: file name too long");
    gen.n_customers = (uint64_t)o.customers;
    gen.seed = (uint64_t)o.seed;
    gen.holdout_days = o.holdout_days;
    xs_error err;
    memset(&err, 0, sizeof err);
    char tmp_dir[PATH_MAX];
    demo d = {.made_db = 0};
    int made_dir = 0;
    if ((rc = generate(o.out_dir, &gen, tmp_dir, &dir, &made_dir, &err)) < 0 ||
        (rc = make_store(db, dir, &gen, &d, &err)) < 0)
        goto cleanup;
    if (a.format == XS_FORMAT_TABLE)
        printf("xsell demo: %llu customers, seed %llu, store %s\n\n",
               (unsigned long long)gen.n_customers, (unsigned long long)gen.seed, db);
    rc = xs_cli_demo_summary(d.exp, d.n_exp, d.snap, d.en, a.format, stdout);
    if (rc < 0) {
        err.code = rc;
        snprintf(err.message, sizeof err.message, "writing the summary: %s",
                 xs_strerror(rc));
    }
cleanup:
    xs_store_experiments_free(d.exp);
    xs_offer_engine_free(d.en);
    xs_snapshot_free(d.snap);
    xs_store_close(d.st);
    if (d.made_db) remove_db_files(d.tmp_db);
    if (made_dir) remove_gen_dir(tmp_dir);
    if (rc < 0) {
        /* name the file the user asked for, not its temporary twin */
        if (d.tmp_db[0] && !strcmp(err.file, d.tmp_db))
            snprintf(err.file, sizeof err.file, "%s", db);
        return xs_cli_fail(CMD, &err);
    }
    return XS_EXIT_OK;
}
