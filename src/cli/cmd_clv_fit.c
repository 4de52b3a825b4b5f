/*
 * cmd_clv_fit.c — `xsell clv fit` (BG/NBD or Gamma-Gamma on the summaries:
 * the parameters, the log-likelihood and how the optimiser ended, as one
 * record) and `xsell clv predict` (both models, then per customer P(alive),
 * expected purchases and spend over a horizon and the discounted CLV).
 */
#include "cli/clv.h"

#include <stdio.h>
#include <string.h>

#define CMD XS_CLI_CLV

/* A record being built: a one-row table, one column per key. */
typedef struct rec {
    xs_table *t;
    char vals[16][64];
    size_t n;
    int bad;
} rec;

static void put(rec *r, const char *key, int num, const char *val)
{
    if (r->n == 16 || xs_table_column(r->t, key, num ? XS_COL_NUM : XS_COL_TEXT) < 0)
        r->bad = 1;
    else
        snprintf(r->vals[r->n++], sizeof r->vals[0], "%s", val);
}

static void put_num(rec *r, const char *key, const char *fmt, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    put(r, key, 1, buf);
}

/* The record in fmt on stdout. Returns 0 or -1. */
static int write_rec(rec *r, xs_format fmt)
{
    if (r->bad || xs_table_row(r->t) < 0) return -1;
    for (size_t i = 0; i < r->n; i++)
        if (xs_table_cell(r->t, r->vals[i]) < 0) return -1;
    return xs_table_write_record(r->t, stdout, fmt) < 0 || ferror(stdout) ? -1 : 0;
}

/* Fits the model of a and puts its parameters into r; returns the fit's code. */
static int fit_model(const xs_clv_data *d, const xs_cli_clv_args *a, rec *r,
                     xs_clv_fit_info *fi, xs_error *e)
{
    int f;
    put(r, "model", 0, a->model);
    if (!strcmp(a->model, "bgnbd")) {
        xs_bgnbd_params p;
        f = xs_bgnbd_fit(d, &p, fi, e);
        put_num(r, "r", "%.6f", p.r);
        put_num(r, "alpha", "%.6f", p.alpha);
        put_num(r, "a", "%.6f", p.a);
        put_num(r, "b", "%.6f", p.b);
    } else {
        xs_gg_params p;
        f = xs_gg_fit(d, &p, fi, e);
        put_num(r, "p", "%.6f", p.p);
        put_num(r, "q", "%.6f", p.q);
        put_num(r, "gamma", "%.6f", p.gamma);
    }
    return f;
}

int xs_cli_clv_fit(int argc, char **argv)
{
    xs_cli_clv_args a = {.predict = 0};
    int rc = xs_cli_clv_parse(argc, argv, &a);
    if (rc >= 0) return rc;
    xs_clv_data *d = NULL;
    if ((rc = xs_cli_clv_load(&a, &d))) return rc;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_clv_fit_info fi;
    memset(&fi, 0, sizeof fi);
    rec r = {.t = xs_table_new()};
    size_t dropped;
    xs_clv_data_counts(d, NULL, NULL, &dropped);
    int f = fit_model(d, &a, &r, &fi, &e);
    if (f < 0 && f != XS_ERANGE) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    put_num(&r, "log_likelihood", "%.4f", fi.log_likelihood);
    put_num(&r, "n_customers", "%.0f", (double)fi.n_customers);
    put_num(&r, "n_dropped", "%.0f", (double)dropped);
    if (strcmp(a.model, "bgnbd"))
        put_num(&r, "n_excluded", "%.0f", (double)fi.n_excluded);
    put_num(&r, "iterations", "%.0f", (double)fi.iterations);
    put(&r, "converged", 1, fi.converged ? "true" : "false");
    put_num(&r, "grad_norm", "%.2e", fi.grad_norm);
    if (!r.t || write_rec(&r, a.fmt) < 0) {
        fprintf(stderr, "xsell clv: cannot write the output\n");
        rc = XS_EXIT_FAIL;
    } else if (f < 0) { /* XS_ERANGE: printed the last point; the fit failed */
        char buf[1200];
        fprintf(stderr, "xsell clv: %s\n", xs_cli_error_format(&e, buf, sizeof buf));
        rc = XS_EXIT_FAIL;
    }
cleanup:
    xs_table_free(r.t);
    xs_clv_data_free(d);
    return rc;
}

int xs_cli_clv_predict(int argc, char **argv)
{
    xs_cli_clv_args a = {.predict = 1};
    int rc = xs_cli_clv_parse(argc, argv, &a);
    if (rc >= 0) return rc;
    rc = 0;
    xs_clv_data *d = NULL;
    xs_table *t = NULL;
    if ((rc = xs_cli_clv_load(&a, &d))) return rc;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_bgnbd_params bg;
    xs_gg_params gg;
    if (xs_bgnbd_fit(d, &bg, NULL, &e) < 0 || xs_gg_fit(d, &gg, NULL, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        if (e.code == XS_ERANGE) rc = XS_EXIT_FAIL; /* no convergence: not bad input */
        goto cleanup;
    }
    if (!(gg.q > 1)) {
        fprintf(stderr,
                "xsell clv: Gamma-Gamma q = %g <= 1: the mean spend is infinite, no "
                "CLV\n",
                gg.q);
        rc = XS_EXIT_FAIL;
        goto cleanup;
    }
    t = xs_table_new();
    if (!t) goto nomem;
    static const char *const num_cols[] = {"x",
                                           "t_x",
                                           "T",
                                           "mean_spend",
                                           "p_alive",
                                           "expected_purchases",
                                           "expected_spend",
                                           "clv",
                                           "holdout_purchases",
                                           "holdout_spend"};
    if (xs_table_column(t, "customer_id", XS_COL_TEXT)) goto nomem;
    for (size_t i = 0; i < sizeof num_cols / sizeof num_cols[0]; i++)
        if (xs_table_column(t, num_cols[i], XS_COL_NUM)) goto nomem;
    for (size_t i = 0; i < xs_clv_data_n(d); i++) {
        xs_clv_customer c;
        xs_clv_data_get(d, i, &c);
        double pa = xs_bgnbd_p_alive(&bg, c.x, c.t_x, c.T);
        double ey = xs_bgnbd_expected(&bg, (double)a.horizon, c.x, c.t_x, c.T);
        double sp = xs_gg_expected_spend(&gg, c.x, c.mean_spend);
        double v = xs_clv_value(&bg, &gg, &c, (int)a.horizon, a.discount);
        if (xs_table_row(t) || xs_table_cell(t, c.id) || xs_table_cellf(t, "%.0f", c.x) ||
            xs_table_cellf(t, "%.4f", c.t_x) || xs_table_cellf(t, "%.4f", c.T) ||
            xs_table_cellf(t, "%.4f", c.mean_spend) || xs_table_cellf(t, "%.6f", pa) ||
            xs_table_cellf(t, "%.6f", ey) || xs_table_cellf(t, "%.4f", sp) ||
            xs_table_cellf(t, "%.4f", v) || xs_table_cellf(t, "%.0f", c.holdout_n) ||
            xs_table_cellf(t, "%.2f", c.holdout_spend))
            goto nomem;
    }
    if (xs_table_write(t, stdout, a.fmt) < 0) {
        fprintf(stderr, "xsell clv: cannot write the output\n");
        rc = XS_EXIT_FAIL;
    }
    goto cleanup;
nomem:
    fprintf(stderr, "xsell clv: out of memory\n");
    rc = XS_EXIT_FAIL;
cleanup:
    xs_table_free(t);
    xs_clv_data_free(d);
    return rc;
}
