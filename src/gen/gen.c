/*
 * gen.c — xs_gen_write(): the demo data generator's entry point. Validates
 * the options, creates the output directory, opens every file under a
 * temporary name, writes the catalogue, runs the per-customer simulation
 * (sim.c) in index order, writes the truth (truth.c), and renames the files
 * into place only when everything was written; a failed run removes its
 * temporaries and leaves no partial set.
 */
#include "gen/sim.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/progress.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define OUT_BUF_SIZE ((size_t)1 << 20)

static const char *const file_names[XS_GEN_N_FILES] = {
    "customers.csv", "products.csv", "subscriptions.csv",   "orders.csv", "usage.csv",
    "events.csv",    "offers.csv",   "truth_customers.csv", "truth.json"};

static const char *const headers[XS_GEN_N_FILES] = {
    "customer_id,name,segment,industry,size,region,signup_date,consent_email,"
    "consent_in_app,consent_csm,consent_webinar,consent_sns,owner,contact_name,"
    "contact_email\n",
    "product_id,name,family,tier,kind,price,billing,limits,category\n",
    "customer_id,product_id,quantity,unit_price,start_date,end_date,term,renewal_date\n",
    "order_id,customer_id,date,product_id,quantity,amount\n",
    "customer_id,product_id,metric,value,date\n",
    "customer_id,date,type,value,ref\n",
    "offer_id,customer_id,product_id,kind,channel,sent_at,outcome,outcome_at,"
    "revenue_delta\n",
    "customer_id,saas,shopper,health,trend,p_upsell,p_cross_sell,p_downsell,usage_class,"
    "about_to_churn,churn_date,open_critical\n",
    ""};

/* Defaults of the options (see xsell.h). */
void xs_gen_options_init(xs_gen_options *opt)
{
    opt->n_customers = 1000;
    opt->seed = 42;
    opt->as_of = NULL;
    opt->holdout_days = 0;
}

/* Static name of an output file; NULL when out of range. */
const char *xs_gen_file_name(xs_gen_file f)
{
    return (int)f >= 0 && f < XS_GEN_N_FILES ? file_names[f] : NULL;
}

/* See gen_int.h: the first failure stays in o->b.err and later output is
 * dropped (the run fails at the next check). */
int xs__gen_gout_flush(xs__gen_gout *o)
{
    o->bytes += o->b.n;
    return xs__buf_flush(&o->b) ? -1 : 0;
}

static void write_products(xs__gen_ctx *g)
{
    static const char *const kinds[] = {"plan", "addon", "product"};
    static const char *const bills[] = {"month", "year", "once"};
    xs__gen_gout *o = &g->out[XS_GEN_PRODUCTS];
    for (size_t i = 0; i < g->cat.n; i++) {
        const xs__gen_product *p = &g->cat.p[i];
        xs__gen_gout_row(o);
        xs__gen_gout_mem(o, p->id, p->id_len);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_str(o, p->name);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_str(o, p->family);
        xs__gen_gout_ch(o, ',');
        if (p->tier) xs__gen_gout_u64(o, (uint64_t)p->tier);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_str(o, kinds[p->kind]);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_fixed(o, p->price, 2);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_str(o, bills[p->billing]);
        xs__gen_gout_ch(o, ',');
        if (p->seats) {
            xs__gen_gout_str(o, "seats=");
            xs__gen_gout_u64(o, (uint64_t)p->seats);
        }
        if (p->storage_gb) {
            xs__gen_gout_str(o, p->seats ? ";storage_gb=" : "storage_gb=");
            xs__gen_gout_u64(o, (uint64_t)p->storage_gb);
        }
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_str(o, p->category);
        xs__gen_gout_ch(o, '\n');
    }
}

static char *join(const char *dir, const char *pre, const char *name, const char *post)
{
    size_t n = strlen(dir) + strlen(pre) + strlen(name) + strlen(post) + 2;
    char *s = xs__malloc(n);
    if (s) snprintf(s, n, "%s/%s%s%s", dir, pre, name, post);
    return s;
}

/* Creates dir when absent; XS_EINVAL when it is not a usable directory. */
static int ensure_dir(const char *dir, xs_error *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return xs__error_set(err, XS_EINVAL, dir, 0, NULL, "not a directory");
        return XS_OK;
    }
    if (errno == ENOENT && mkdir(dir, 0777) == 0) return XS_OK;
    return xs__error_set(err, XS_EINVAL, dir, 0, NULL, "cannot create directory: %s",
                         strerror(errno));
}

/* XS_ENOMEM when a buffer could not grow, XS_EIO naming the (final) file
 * whose write failed first, or XS_OK. */
static int check_out(xs__gen_ctx *g, char **fin, xs_error *err)
{
    for (int f = 0; f < XS_GEN_N_FILES; f++)
        if (g->out[f].b.err == XS_ENOMEM) /* the key-order buffers (keyorder.c) */
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    for (int f = 0; f < XS_GEN_N_FILES; f++)
        if (g->out[f].b.err)
            return xs__error_set(err, XS_EIO, fin[f], 0, NULL, "write failed: %s",
                                 strerror(g->out[f].b.sys_errno));
    return XS_OK;
}

/* Checks the options; sets *as_of (day number) when they are usable. */
static int check_options(const xs_gen_options *opt, int32_t *as_of, xs_error *err)
{
    if (opt->n_customers < 1 || opt->n_customers > XS_GEN_MAX_CUSTOMERS)
        return xs__error_param(err, XS_EINVAL, NULL, "customers",
                               "%llu is out of range [1, %llu]",
                               (unsigned long long)opt->n_customers,
                               (unsigned long long)XS_GEN_MAX_CUSTOMERS);
    if (opt->holdout_days < 0 || opt->holdout_days > XS_GEN_MAX_HOLDOUT_DAYS)
        return xs__error_param(err, XS_EINVAL, NULL, "holdout_days",
                               "%d is out of range [0, %d]", opt->holdout_days,
                               XS_GEN_MAX_HOLDOUT_DAYS);
    const char *as_of_s = opt->as_of ? opt->as_of : XS_GEN_DEFAULT_AS_OF;
    if (xs__date_parse(as_of_s, strlen(as_of_s), as_of) < 0 || strlen(as_of_s) != 10 ||
        *as_of < xs__days_from_civil(2000, 1, 1) ||
        *as_of > xs__days_from_civil(2199, 12, 31)) {
        char q[128];
        xs__error_quote(q, sizeof q, as_of_s, strlen(as_of_s));
        return xs__error_param(err, XS_EINVAL, NULL, "as_of",
                               "not a date YYYY-MM-DD in 2000..2199: %s", q);
    }
    return XS_OK;
}

/* Sets up g for the options: dates, the holdout split, the table of date
 * texts and the catalogue. */
static int ctx_init(xs__gen_ctx *g, const xs_gen_options *opt, int32_t as_of,
                    xs_error *err)
{
    int rc;
    g->seed = opt->seed;
    g->as_of = as_of;
    g->holdout_days = opt->holdout_days;
    g->exp_start = as_of - opt->holdout_days;
    if (g->holdout_days > 0 &&
        (rc = xs_exp_split_parse(XS_GEN_HOLDOUT_SPLIT, &g->exp_split, err)) < 0)
        return rc;
    g->date_base = as_of - 4 * 366;
    g->n_dates = 6 * 366;
    g->dates = xs__malloc((size_t)g->n_dates * 10);
    if (!g->dates) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    for (int32_t i = 0; i < g->n_dates; i++) {
        char b[11];
        xs__date_format(g->date_base + i, b);
        memcpy(g->dates + (size_t)i * 10, b, 10);
    }
    xs__gen_catalog_build(&g->cat);
    return XS_OK;
}

/* Opens every file under its temporary name (tmp, fin: the paths, set
 * here; caller frees) and writes its header. */
static int open_outputs(xs__gen_ctx *g, const char *dir, char **tmp, char **fin,
                        xs_error *err)
{
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        tmp[f] = join(dir, ".", file_names[f], ".tmp");
        fin[f] = join(dir, "", file_names[f], "");
        if (!tmp[f] || !fin[f] || xs__buf_reserve(&g->out[f].b, OUT_BUF_SIZE - 1) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        xs__buf_to_file(&g->out[f].b, fopen(tmp[f], "wb"), 0);
        if (!g->out[f].b.f)
            return xs__error_set(err, XS_EINVAL, dir, 0, NULL,
                                 "cannot write in directory: %s", strerror(errno));
        xs__gen_gout_str(&g->out[f], headers[f]);
    }
    return XS_OK;
}

/* Flushes and closes every file, then renames each to its final name
 * (removing the renamed ones when a rename fails). */
static int close_outputs(xs__gen_ctx *g, char **tmp, char **fin, xs_error *err)
{
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        xs__gen_gout_flush(&g->out[f]);
        xs__buf *b = &g->out[f].b;
        FILE *fp = b->f;
        b->f = NULL;
        if (fclose(fp) != 0 && !b->err) {
            b->err = XS_EIO;
            b->sys_errno = errno ? errno : EIO;
        }
    }
    int rc = check_out(g, fin, err);
    if (rc < 0) return rc;
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        if (rename(tmp[f], fin[f]) != 0) {
            rc = xs__error_set(err, XS_EIO, fin[f], 0, NULL, "cannot rename: %s",
                               strerror(errno));
            for (int e = 0; e < f; e++)
                unlink(fin[e]);
            return rc;
        }
    }
    return XS_OK;
}

/* See xsell.h: validate, write under temporary names, rename at the end. */
int xs_gen_write(const char *dir, const xs_gen_options *opt, xs_gen_stats *stats,
                 xs_error *err)
{
    xs_gen_options def;
    if (!opt) {
        xs_gen_options_init(&def);
        opt = &def;
    }
    if (!dir || !*dir)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no output directory");
    int32_t as_of;
    int rc = check_options(opt, &as_of, err);
    if (rc < 0) return rc;

    char *tmp[XS_GEN_N_FILES] = {0}, *fin[XS_GEN_N_FILES] = {0};
    xs__gen_ctx *g = xs__calloc(1, sizeof *g);
    if (!g) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__gen_sim *s = xs__malloc(sizeof *s);
    if (!s) {
        rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    if ((rc = ctx_init(g, opt, as_of, err)) < 0 || (rc = ensure_dir(dir, err)) < 0 ||
        (rc = open_outputs(g, dir, tmp, fin, err)) < 0)
        goto cleanup;

    xs__gen_hold_rows(g); /* products.csv in product_id order, not catalogue order */
    write_products(g);
    xs__gen_sort_rows(g);
    xs__progress pr;
    xs__progress_start(&pr, "gen", opt->n_customers);
    for (uint64_t i = 0; i < opt->n_customers; i++) {
        xs__gen_sim_customer(g, s, i);
        xs__progress_update(&pr, i + 1);
        if ((i & 0xffff) == 0xffff && (rc = check_out(g, fin, err)) < 0) break;
    }
    xs__progress_finish(&pr);
    if (rc < 0) goto cleanup;
    xs__gen_truth_write(g, opt->n_customers);
    if ((rc = close_outputs(g, tmp, fin, err)) < 0) goto cleanup;
    if (stats) {
        for (int f = 0; f < XS_GEN_N_FILES; f++) {
            stats->rows[f] = g->out[f].rows;
            stats->bytes[f] = g->out[f].bytes;
        }
    }

cleanup:
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        if (g->out[f].b.f) fclose(g->out[f].b.f);
        if (rc < 0 && tmp[f]) unlink(tmp[f]);
        xs__buf_free(&g->out[f].b);
        xs__free(g->out[f].rows_k);
        xs__free(g->out[f].tmp);
        xs__free(tmp[f]);
        xs__free(fin[f]);
    }
    xs__free(g->dates);
    xs__free(s);
    xs__free(g);
    return rc;
}
