/*
 * holdout.c — holdout experiments of offer strategies (docs/experiments.md):
 * checking a definition, whether it runs on a day, and the report that
 * compares its arms over the window on a snapshot.
 *
 * The report's unit is a customer with recurring revenue on the start day
 * (a strategy can only move revenue of a customer it can reach); its arm
 * comes from xs_exp_assign() exactly as the offer engine's holdout guard
 * computes it, so the report and the engine agree by construction. The
 * comparison itself is xs_exp_analyze() (experiment.c) with the holdout as
 * the control and the split's weights as the planned shares.
 */
#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "measure/kpi.h"
#include "snapshot/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_METRICS 3

struct xs_exp_report_result {
    xs_exp_result *analysis;
    xs_exp_split split;
    xs_exp_arm arm[XS_EXP_MAX_ARMS];
    int32_t until;
};

/* A strict YYYY-MM-DD day. Returns 0 or -1. */
static int parse_day(const char *s, int32_t *out)
{
    return s && strlen(s) == 10 && xs__date_parse(s, 10, out) == 0 ? 0 : -1;
}

/* Index of the arm named "holdout", or -1. */
static int holdout_arm(const xs_exp_split *sp)
{
    for (size_t i = 0; i < sp->n_arms; i++)
        if (!strcmp(sp->name[i], "holdout")) return (int)i;
    return -1;
}

/* Contract in xsell.h. */
int xs_experiment_check(const xs_experiment *x, xs_error *err)
{
    size_t n = strnlen(x->name, sizeof x->name);
    if (n == 0 || n >= sizeof x->name)
        return xs__error_param(err, XS_EINVAL, NULL, "name",
                               "must be 1 to %zu characters", sizeof x->name - 1);
    for (size_t i = 0; i < n; i++) {
        char c = x->name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.')) {
            char q[96];
            xs__error_quote(q, sizeof q, x->name, n);
            return xs__error_param(err, XS_EINVAL, NULL, "name",
                                   "only letters, digits, '_', '-' and '.' allowed: %s",
                                   q);
        }
    }
    if ((unsigned)x->kind >= XS_OFFER_N_KINDS)
        return xs__error_param(err, XS_EINVAL, NULL, "kind", "not an offer kind");
    xs_exp_split sp;
    int rc = xs_exp_split_parse(x->split, &sp, err);
    if (rc < 0) return rc;
    if (holdout_arm(&sp) < 0 || sp.n_arms < 2)
        return xs__error_param(
            err, XS_EINVAL, NULL, "split",
            "needs an arm named holdout and at least one other: \"%s\"", x->split);
    int32_t a, b;
    if (parse_day(x->start, &a) < 0)
        return xs__error_param(err, XS_EINVAL, NULL, "start",
                               "not a date (YYYY-MM-DD): \"%s\"", x->start);
    if (x->end[0] && parse_day(x->end, &b) < 0)
        return xs__error_param(err, XS_EINVAL, NULL, "end",
                               "not a date (YYYY-MM-DD): \"%s\"", x->end);
    if (x->end[0] && b < a)
        return xs__error_param(err, XS_EINVAL, NULL, "end", "before the start %s: \"%s\"",
                               x->start, x->end);
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_experiment_active(const xs_experiment *x, const char *day)
{
    return strcmp(x->start, day) <= 0 && (!x->end[0] || strcmp(day, x->end) <= 0);
}

/* Counts the offers of the experiment's kind sent to customer c within
 * [from, to] into the arm. */
static void count_offers(const xs_snapshot *s, uint32_t c, int kind, int32_t from,
                         int32_t to, xs_exp_arm *arm)
{
    for (uint32_t i = s->cust.offer_off[c]; i < s->cust.offer_off[c + 1]; i++) {
        if (s->off.kind[i] != kind || s->off.sent[i] < from || s->off.sent[i] > to)
            continue;
        arm->offers++;
        if (s->off.outcome[i] == XS_SNAP_OUT_ACCEPTED) arm->accepted++;
    }
}

/* Contract in xsell.h. */
int xs_exp_report(const xs_snapshot *s, const xs_experiment *x, const char *as_of,
                  xs_exp_report_result **out, xs_error *err)
{
    static const char *const metrics[N_METRICS] = {"arr_change", "expanded", "retained"};
    xs_exp_data *d = NULL;
    xs_exp_report_result *r = NULL;
    int rc = xs_experiment_check(x, err);
    *out = NULL;
    if (rc < 0) return rc;
    int32_t start, end = INT32_MAX, day;
    parse_day(x->start, &start);
    if (x->end[0]) parse_day(x->end, &end);
    if (as_of) {
        if (parse_day(as_of, &day) < 0)
            return xs__error_param(err, XS_EINVAL, NULL, "as_of",
                                   "not a date (YYYY-MM-DD): \"%s\"", as_of);
    } else {
        int32_t first;
        if (xs__measure_kpi_data_range(s, &first, &day) < 0) day = XS_SNAP_NO_DATE;
    }
    if (day == XS_SNAP_NO_DATE || day < start) {
        char buf[11] = "none";
        if (day != XS_SNAP_NO_DATE) xs__date_format(day, buf);
        return xs__error_param(
            err, XS_EINVAL, NULL, "as_of",
            "experiment \"%s\" starts %s, after the data's as-of day %s", x->name,
            x->start, buf);
    }
    r = xs__calloc(1, sizeof *r);
    if (!r) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs_exp_split_parse(x->split, &r->split, NULL);
    r->until = end < day ? end : day;
    for (size_t a = 0; a < r->split.n_arms; a++) r->arm[a].name = r->split.name[a];
    if (xs_exp_data_new("arm", metrics, N_METRICS, "arr_start", &d) < 0) goto nomem;
    double div = 1;
    for (int k = 0; k < s->money_scale; k++) div *= 10;
    for (uint32_t c = 0; c < s->cust.n; c++) {
        int64_t a0 = xs__measure_kpi_arr_at(s, c, start);
        if (a0 <= 0) continue;
        int64_t a1 = xs__measure_kpi_arr_at(s, c, r->until);
        const char *id = xs__intern_str(&s->cust.ids, c);
        int arm = xs_exp_assign(&r->split, x->name, id, strlen(id));
        double v[N_METRICS] = {(double)(a1 - a0) / div, a1 > a0, a1 > 0};
        if (xs_exp_data_add(d, r->split.name[arm], v, (double)a0 / div) < 0) goto nomem;
        r->arm[arm].customers++;
        count_offers(s, c, (int)x->kind, start, r->until, &r->arm[arm]);
    }
    for (size_t a = 0; a < r->split.n_arms; a++)
        if (r->arm[a].customers < 2) {
            rc = xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                               "experiment \"%s\": arm %s has %zu customers with revenue "
                               "on %s; at least 2 are needed",
                               x->name, r->split.name[a], r->arm[a].customers, x->start);
            goto cleanup;
        }
    /* planned shares in label order (the order of xs_exp_analyze's groups) */
    size_t ord[XS_EXP_MAX_ARMS];
    double expected[XS_EXP_MAX_ARMS], total = 0;
    for (size_t a = 0; a < r->split.n_arms; a++) {
        size_t j = a;
        while (j > 0 && strcmp(r->split.name[ord[j - 1]], r->split.name[a]) > 0) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = a;
        total += r->split.weight[a];
    }
    for (size_t a = 0; a < r->split.n_arms; a++)
        expected[a] = r->split.weight[ord[a]] / total;
    xs_exp_opts o = {.control = "holdout", .expected = expected,
                     .n_expected = r->split.n_arms};
    rc = xs_exp_analyze(d, &o, &r->analysis, err);
    if (rc < 0) goto cleanup;
    xs_exp_data_free(d);
    *out = r;
    return XS_OK;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs_exp_data_free(d);
    xs_exp_report_free(r);
    return rc;
}

/* Contract in xsell.h. */
const xs_exp_result *xs_exp_report_analysis(const xs_exp_report_result *r)
{
    return r->analysis;
}

/* Contract in xsell.h. */
const char *xs_exp_report_until(const xs_exp_report_result *r, char buf[11])
{
    xs__date_format(r->until, buf);
    return buf;
}

/* Contract in xsell.h. */
size_t xs_exp_report_n_arms(const xs_exp_report_result *r)
{
    return r->split.n_arms;
}

/* Contract in xsell.h. */
const xs_exp_arm *xs_exp_report_arm(const xs_exp_report_result *r, size_t i)
{
    return i < r->split.n_arms ? &r->arm[i] : NULL;
}

/* Contract in xsell.h. */
void xs_exp_report_free(xs_exp_report_result *r)
{
    if (!r) return;
    xs_exp_result_free(r->analysis);
    xs__free(r);
}
