/*
 * xsell/measure.h — measurement: what the offers did.
 *
 * KPIs per period and group (MRR / ARR and its movements, NRR, churn, ARPU,
 * LTV, upsell rate, cross-sell conversion, downsell saves, the 1:5 rule),
 * experiments (holdout assignment, lift with confidence intervals, CUPED),
 * the holdout experiments the offer engine honours, and the evaluation of
 * uplift models. Implemented in src/measure (src/store/experiments.c keeps
 * the experiments); docs/kpi.md and docs/experiments.md.
 *
 * Part of libxsell's public API: xsell.h includes every module's header;
 * the conventions are written in xsell/base.h.
 *
 * Example (compiled by the build: cmake/header_example.cmake):
 * @code
 *   // Prints the net revenue retention of every quarter by segment.
 *   int print_nrr(const xs_snapshot *snap)
 *   {
 *       xs_kpi_opts o = {.period = XS_KPI_QUARTER, .by = XS_KPI_BY_SEGMENT};
 *       xs_kpi_result *r;
 *       xs_error e;
 *       int rc = xs_kpi_compute(snap, &o, &r, &e);
 *       if (rc < 0) return rc;
 *       for (size_t i = 0; i < xs_kpi_result_n_rows(r); i++) {
 *           const xs_kpi_row *row = xs_kpi_result_row(r, i);
 *           printf("%s %s NRR %.4f\n", row->period, row->group, row->nrr);
 *       }
 *       xs_kpi_result_free(r);
 *       return XS_OK;
 *   }
 * @endcode
 */
#ifndef XS_XSELL_MEASURE_H
#define XS_XSELL_MEASURE_H

#include "base.h"
#include "store.h"
#include "snapshot.h"
#include "score.h"
#include "offer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Uplift evaluation (src/measure/uplift_eval*.c); docs/uplift.md         */
/* ====================================================================== */

/* ---- Uplift metrics (src/measure/uplift_eval_metrics.c) --------------- */
/*
 * The conventions of scikit-uplift 0.5 (sklift.metrics), exactly: rows
 * ordered by predicted uplift, highest first, ties in reverse row order
 * (numpy's stable argsort reversed); w is 1 treated / 0 control, y 0 / 1.
 * Each returns NaN when it is undefined (no rows, an arm without rows in
 * the part it needs, or a perfect curve equal to the random one).
 */
/** qini_auc_score(negative_effect=True): area between the Qini curve
 *  (y_t - y_c n_t / n_c over the top rows, points at distinct uplift
 *  values) and the random line, over the same area of the perfect curve. */
double xs_uplift_qini(const double *uplift, const unsigned char *y,
                      const unsigned char *w, size_t n);
/** uplift_auc_score: the same with the uplift curve
 *  ((y_t / n_t - y_c / n_c) x (n_t + n_c)) and its perfect curve. */
double xs_uplift_auuc(const double *uplift, const unsigned char *y,
                      const unsigned char *w, size_t n);

typedef enum xs_uplift_strategy {
    XS_UPLIFT_OVERALL = 0, /* the top floor(n k) rows, then the arms' rates */
    XS_UPLIFT_BY_GROUP = 1 /* the top floor(n_t k) treated and top floor(n_c k)
                              control rows, each ranked within its arm */
} xs_uplift_strategy;

/** uplift_at_k: treated rate minus control rate among the top rows. */
double xs_uplift_at_k(const double *uplift, const unsigned char *y,
                      const unsigned char *w, size_t n, double k,
                      xs_uplift_strategy strategy);

/* ---- Evaluation (src/measure/uplift_eval.c) --------------------------- */

/** Evaluation settings; start from xs_uplift_eval_opts_init(). */
typedef struct xs_uplift_eval_opts {
    xs_uplift_params params; /* learner and XGBoost */
    size_t folds;     /* >= 2: k-fold cross-validation; 0 (default): one split */
    double test_frac; /* split: share of rows held out for testing (0.5) */
    double k;         /* uplift@k share (0.3) */
    size_t n_boot;    /* bootstrap resamples of the test rows (default 200;
                         0: no intervals) */
    uint64_t seed;    /* the split / folds and the bootstrap (default 42) */
} xs_uplift_eval_opts;

void xs_uplift_eval_opts_init(xs_uplift_eval_opts *o);

/** A metric and its 95 % percentile bootstrap interval (NaN without). */
typedef struct xs_uplift_metric {
    double value, lo, hi;
} xs_uplift_metric;

/** What xs_uplift_eval() measured on the held-out rows. */
typedef struct xs_uplift_eval_result {
    size_t n_parts;         /* 1 (split) or the folds */
    size_t n_train, n_test; /* training rows of one part (the split; per fold:
                               the mean, rounded down) and test rows in all */
    xs_uplift_metric qini, auuc, at_k_overall, at_k_by_group;
    xs_uplift_metric random; /* treated rate minus control rate of the test
                                rows: what uplift@k of a random order expects */
} xs_uplift_eval_result;

/**
 * Trains on the training part and measures the predictions of the test
 * part; with folds, each fold is a test part, and every metric (and every
 * bootstrap replicate) is the mean over the folds. The split and the folds
 * are stratified by arm and outcome (each of the four strata shuffled with
 * the seed, then dealt). Bootstrap: n_boot resamples with replacement of
 * each test part (seeded), predictions kept; the interval is the 2.5 and
 * 97.5 percentiles of the replicate values that are defined.
 * @return XS_OK, XS_EINVAL (bad settings, too few rows), or as
 *         xs_uplift_train()
 */
int xs_uplift_eval(const xs_uplift_data *d, const xs_uplift_eval_opts *o,
                   xs_uplift_eval_result *out, xs_error *err);

/* ====================================================================== */
/* Experiments (src/measure): holdout assignment and lift analysis        */
/* ====================================================================== */
/* (section owned by the experiment module) */

/* ---- Holdout assignment ------------------------------------------------ */

#define XS_EXP_MAX_ARMS 32
#define XS_EXP_NAME_MAX 64

/* Arms of an experiment and their weights (shares = weight / sum). */
typedef struct xs_exp_split {
    size_t n_arms;
    char name[XS_EXP_MAX_ARMS][XS_EXP_NAME_MAX];
    double weight[XS_EXP_MAX_ARMS];
} xs_exp_split;

/**
 * Parses "name:weight,name:weight,..." (e.g. "treatment:90,holdout:10"); a
 * part without ":weight" weighs 1. Names are non-empty, unique, without ':'
 * or ','; weights are finite and > 0.
 * @return XS_OK, or XS_EINVAL with err's param "split"
 */
int xs_exp_split_parse(const char *spec, xs_exp_split *out, xs_error *err);

/**
 * Position of a unit in [0, 1) for a strategy: the 64-bit hash
 * (xs__hash_bytes, seed 0) of the bytes "strategy:id", top 53 bits / 2^53.
 * The same strategy and id give the same position on every run and machine;
 * different strategies give independent positions.
 * @return XS_OK, or XS_ENOMEM (ids longer than 1 KiB need a buffer)
 */
int xs_exp_unit(const char *strategy, const char *id, size_t id_len, double *u);

/**
 * Arm of a unit: the first arm i with u < (w_0 + ... + w_i) / sum(w).
 * @code
 *   xs_exp_split s; xs_error e;
 *   xs_exp_split_parse("treatment:90,holdout:10", &s, &e);
 *   int arm = xs_exp_assign(&s, "spring-upsell", "C000042", 7);
 *   if (arm >= 0) puts(s.name[arm]);
 * @endcode
 * @return the arm index (>= 0), or XS_ENOMEM
 */
int xs_exp_assign(const xs_exp_split *s, const char *strategy, const char *id,
                  size_t id_len);

/** Called once per unit by xs_exp_assign_file() with its id (borrowed,
 *  valid during the call) and arm; a negative return stops the reading and
 *  is returned. */
typedef int (*xs_exp_assign_fn)(void *ctx, const char *id, size_t id_len, size_t arm);

/**
 * Assigns every row of a CSV file (src/io reader) by its id column.
 * @param delimiter CSV delimiter, 0 means ','
 * @return the number of rows; XS_EIO / XS_EPARSE (file); XS_ENOTFOUND
 *         (unknown id column, err param "id"); XS_EINVAL (an empty id:
 *         `FILE:LINE: COLUMN: empty id`); XS_ENOMEM; or fn's negative return
 */
long long xs_exp_assign_file(const char *path, char delimiter, const char *id_column,
                             const char *strategy, const xs_exp_split *s,
                             xs_exp_assign_fn fn, void *ctx, xs_error *err);

/* ---- Lift analysis ----------------------------------------------------- */

/* How a metric's lift is estimated. AUTO: PROPORTION when every value of the
 * metric is 0 or 1, else WELCH. */
typedef enum xs_exp_method {
    XS_EXP_AUTO = 0,
    XS_EXP_PROPORTION, /* unpooled Wald CI, pooled two-proportion z p-value */
    XS_EXP_WELCH,      /* Welch t, Welch–Satterthwaite df */
    XS_EXP_BOOTSTRAP   /* percentile bootstrap of the difference of means */
} xs_exp_method;

/** Parses "auto", "proportion", "welch" or "bootstrap". @return XS_OK or XS_EINVAL */
int xs_exp_method_parse(const char *s, xs_exp_method *out);
/** @return the name of a method ("proportion", ...) */
const char *xs_exp_method_name(xs_exp_method m);

/** One row per unit: a group label, metric values and an optional pre-period
 *  covariate, in columns. Opaque. */
typedef struct xs_exp_data xs_exp_data;

/** Which columns of a CSV file to read (zero-initialise, then set). */
typedef struct xs_exp_read_opts {
    const char *group;             /* group column */
    const char *const *metrics;    /* metric columns (borrowed) */
    size_t n_metrics;
    const char *covariate;         /* NULL: none */
    char delimiter;                /* 0: ',' */
} xs_exp_read_opts;

/**
 * Reads a CSV file with one row per unit (src/io reader: RFC 4180, CRLF,
 * BOM). Metric and covariate values must be finite numbers.
 * @param out caller frees with xs_exp_data_free()
 * @return XS_OK; XS_EIO / XS_EPARSE (file); XS_ENOTFOUND (unknown column,
 *         err param "group" / "metric" / "covariate"); XS_EINVAL
 *         (`FILE:LINE: COLUMN: not a number: "abc"`, no data rows); XS_ENOMEM
 */
int xs_exp_data_read(const char *path, const xs_exp_read_opts *o, xs_exp_data **out,
                     xs_error *err);

/**
 * An empty data set to fill with xs_exp_data_add() (for callers that hold
 * their data in memory).
 * @param metric_names n_metrics names (copied); covariate: name or NULL (copied)
 * @return XS_OK or XS_ENOMEM; caller frees with xs_exp_data_free()
 */
int xs_exp_data_new(const char *group_column, const char *const *metric_names,
                    size_t n_metrics, const char *covariate, xs_exp_data **out);
/** Appends a unit: group label (copied), n_metrics values, covariate value
 *  (ignored without covariate). @return XS_OK, XS_ENOMEM, XS_EINVAL (NaN/inf) */
int xs_exp_data_add(xs_exp_data *d, const char *group, const double *values,
                    double covariate);
/** @return the number of units */
size_t xs_exp_data_rows(const xs_exp_data *d);
/** Frees the data; NULL is fine. */
void xs_exp_data_free(xs_exp_data *d);

/** What to compute (zero-initialise, then set). */
typedef struct xs_exp_opts {
    const char *control;       /* control group label (required) */
    xs_exp_method method;      /* AUTO by default */
    const double *expected;    /* planned shares per group, in group order
                                  (labels sorted bytewise); NULL: equal */
    size_t n_expected;
    double level;              /* confidence level; 0 means 0.95 */
    size_t n_boot;             /* bootstrap resamples; 0 means 2000 */
    uint64_t seed;             /* bootstrap seed; 0 means 1 */
    double srm_alpha;          /* SRM flagged when p < this; 0 means 0.001 */
} xs_exp_opts;

/** A group: its label, size and shares. */
typedef struct xs_exp_group {
    const char *label;
    size_t n;
    double share;    /* n / N */
    double expected; /* planned share */
} xs_exp_group;

/** Sample-ratio-mismatch check: chi-square goodness of fit of the group
 *  sizes against the planned shares. */
typedef struct xs_exp_srm {
    double chi2;
    int df;
    double p;
    int flagged; /* p < srm_alpha */
} xs_exp_srm;

/** A metric in a group; lift fields are NaN for the control group and
 *  where undefined (relative lift with a control mean of 0). */
typedef struct xs_exp_row {
    const char *metric, *group;
    size_t n;
    double mean, sd;        /* sd with n - 1 */
    int is_control;
    xs_exp_method method;   /* the method used (never AUTO) */
    double lift, lift_lo, lift_hi; /* mean - control mean, CI */
    double rel, rel_lo, rel_hi;    /* lift / control mean, CI (delta method;
                                      bootstrap: percentile) */
    double p;                      /* two-sided p-value */
    double df;                     /* Welch df; NaN otherwise */
    /* CUPED (with a covariate; NaN otherwise): theta and 1 - var(Ycuped)/var(Y)
     * over all units of the metric; lift of the adjusted metric, its CI,
     * relative lift against the adjusted control mean, and p-value. */
    double theta, var_reduction;
    double cuped_lift, cuped_lo, cuped_hi;
    double cuped_rel, cuped_rel_lo, cuped_rel_hi;
    double cuped_p;
} xs_exp_row;

/** Result of xs_exp_analyze(). Opaque. */
typedef struct xs_exp_result xs_exp_result;

/**
 * Compares every group with the control for every metric. Groups are
 * ordered by label (bytewise); rows metric by metric, groups in that order.
 * Sums run in a fixed order (groups by label, rows in input order), so the
 * same data give the same results to the last bit on every run.
 * @code
 *   xs_exp_opts o = {.control = "No E-Mail"};
 *   xs_exp_result *r;
 *   if (xs_exp_analyze(d, &o, &r, &e) == XS_OK) {
 *       const xs_exp_row *row = xs_exp_result_row(r, 0);
 *       printf("%s %s %.4f\n", row->metric, row->group, row->lift);
 *   }
 *   xs_exp_result_free(r);
 * @endcode
 * @param d   the data (borrowed; the result copies what it needs)
 * @param out caller frees with xs_exp_result_free()
 * @return XS_OK; XS_ENOTFOUND (no rows in the control group: column
 *         "control"); XS_EINVAL (fewer than 2 groups, a group with
 *         fewer than 2 rows, n_expected not the number of groups: column
 *         "expected_split", bad options); XS_ENOMEM
 */
int xs_exp_analyze(const xs_exp_data *d, const xs_exp_opts *o, xs_exp_result **out,
                   xs_error *err);
/** @return the number of groups */
size_t xs_exp_result_n_groups(const xs_exp_result *r);
/** @return group i (borrowed, valid until xs_exp_result_free()) */
const xs_exp_group *xs_exp_result_group(const xs_exp_result *r, size_t i);
/** @return the SRM check (borrowed) */
const xs_exp_srm *xs_exp_result_srm(const xs_exp_result *r);
/** @return the number of rows (metrics x groups) */
size_t xs_exp_result_n_rows(const xs_exp_result *r);
/** @return row i (borrowed, valid until xs_exp_result_free()) */
const xs_exp_row *xs_exp_result_row(const xs_exp_result *r, size_t i);
/** @return 1 when a covariate was used (CUPED fields are set) */
int xs_exp_result_has_cuped(const xs_exp_result *r);
/** Frees the result; NULL is fine. */
void xs_exp_result_free(xs_exp_result *r);
/**
 * Writes an analysis as `xsell experiment analyze` prints it
 * (experiment_out.c): in table format the groups, the sample-ratio line
 * and the results; in JSON one object with members "groups", "srm" and
 * "results"; in CSV the results alone.
 * @return XS_OK, XS_ENOMEM or XS_EIO
 * @code
 *   xs_exp_result_write(r, stdout, XS_FORMAT_TABLE);
 * @endcode
 */
int xs_exp_result_write(const xs_exp_result *r, FILE *out, xs_format fmt);

/* ====================================================================== */
/* KPIs (src/measure): revenue, retention and offer metrics per period    */
/* ====================================================================== */
/* (section owned by the kpi module) */

/* Every formula is written down in docs/kpi.md. */

/* Calendar periods KPIs are reported per. */
typedef enum xs_kpi_period { XS_KPI_MONTH = 0, XS_KPI_QUARTER, XS_KPI_YEAR } xs_kpi_period;

/* Breakdowns. SEGMENT, INDUSTRY, SIZE group customers by their attribute
 * (every KPI); PRODUCT groups by product line (family; a product without one
 * is its own line): revenue, retention, upsell and offer KPIs of that line;
 * CHANNEL and KIND group offers: offer KPIs only (the others are empty). */
typedef enum xs_kpi_by {
    XS_KPI_BY_NONE = 0,
    XS_KPI_BY_SEGMENT,
    XS_KPI_BY_INDUSTRY,
    XS_KPI_BY_SIZE,
    XS_KPI_BY_CHANNEL,
    XS_KPI_BY_KIND,
    XS_KPI_BY_PRODUCT
} xs_kpi_by;

/** Parses "month", "quarter" or "year". @return XS_OK or XS_EINVAL */
int xs_kpi_period_parse(const char *s, xs_kpi_period *out);
/** Parses "segment", "industry", "size", "channel", "kind" or "product".
 *  @return XS_OK or XS_EINVAL */
int xs_kpi_by_parse(const char *s, xs_kpi_by *out);
/** @return the name of a breakdown ("segment", ...; "" for NONE) */
const char *xs_kpi_by_name(xs_kpi_by b);

#define XS_KPI_DEFAULT_CAC_MULTIPLE 5.0
#define XS_KPI_DEFAULT_SAVE_DAYS 90

/** What to compute (zero-initialise, then set). */
typedef struct xs_kpi_opts {
    xs_kpi_period period;
    xs_kpi_by by;
    const char *from;  /* "YYYY-MM-DD" or NULL: the earliest subscription start,
                          order, return or offer; rounded down to its period's
                          start */
    const char *to;    /* "YYYY-MM-DD" or NULL: the data end (latest
                          subscription start, order, return, usage point, event
                          or offer); the last period is measured at this day */
    double cac_multiple;        /* 0: 5 (the 1:5 rule) */
    const char *cac;            /* acquisition cost per new customer (decimal in
                                   the store currency) or NULL */
    const char *retention_cost; /* cost of retaining / expanding one existing
                                   customer (decimal) or NULL */
    int save_days;              /* downsell save horizon N in days; 0: 90 */
} xs_kpi_opts;

/** One period (and group) of KPIs. Money is int64 minor units; `arr_*` and
 *  `*_arr` fields are exact annual amounts (monthly-billed x 12 + yearly-billed),
 *  `mrr_*` fields are ARR / 12 rounded half away from zero. Ratios are NaN
 *  where undefined or not applicable; money that is undefined (arpa, arpu,
 *  ltv, costs) is -1; fields of KPIs that do not apply to the breakdown are
 *  0 / NaN / -1, and has_revenue / has_orders say which apply. */
typedef struct xs_kpi_row {
    char period[16];    /* "2026-09", "2026-Q3", "2026" */
    char start[11];     /* first day of the period */
    char end[11];       /* the day its end is measured at (last day, or --to) */
    const char *group;  /* breakdown value (borrowed); "" without one */
    int has_revenue;    /* subscription KPIs apply (not by channel / kind) */
    int has_orders;     /* order KPIs apply (none, segment, industry, size) */
    /* revenue, measured at the end of the day before `start` and at `end` */
    long long customers_start, customers_end; /* with MRR > 0 */
    int64_t arr_start, arr_end;
    int64_t new_arr, expansion_arr, contraction_arr, churned_arr, reactivation_arr;
    long long n_new, n_expanded, n_contracted, n_churned, n_reactivated;
    int64_t cohort_arr_end; /* end ARR of the customers with MRR at the start */
    int64_t mrr_start, mrr_end, new_mrr, expansion_mrr, contraction_mrr, churned_mrr,
        reactivation_mrr, net_new_mrr;
    double mrr_growth;   /* (mrr_end - mrr_start) / mrr_start */
    double nrr, grr;     /* cohort net / gross revenue retention */
    double logo_churn_rate, revenue_churn_rate;
    long long seats_end; /* licensed seats of the customers with MRR at the end */
    int64_t arpa, arpu, ltv; /* ltv: -1 when undefined (no revenue churn) */
    /* orders */
    long long buyers, repeat_buyers;
    double repeat_purchase_rate;
    /* upsell */
    long long upsold;
    double upsell_rate;
    /* offers (counted in the period they were sent) */
    long long active_customers; /* MRR > 0 at the start or the end */
    long long offers, accepted, declined, ignored, pending;
    double decline_rate, offers_per_customer_month;
    long long cross_sell_proposed, cross_sell_accepted;
    double cross_sell_conversion;
    long long downsell_offers, downsell_measured, downsell_saved;
    double downsell_save_rate;
    /* the 1:5 rule */
    double equiv_new_customers;
    int64_t new_business_cost, expansion_cost; /* -1 without --cac / --retention-cost */
    /* order revenue and returns (with has_orders; docs/kpi.md "Returns"):
     * the lines of the orders and the customers' returns dated in the period */
    int64_t order_revenue;     /* gross: sum of the order line amounts */
    long long returns;         /* return lines */
    int64_t returned_amount;   /* sum of their amounts (>= 0) */
    int64_t net_order_revenue; /* order_revenue - returned_amount (may be < 0) */
    double return_rate;        /* returned_amount / order_revenue; NaN when that is 0 */
} xs_kpi_row;

/** Result of xs_kpi_compute(). Opaque. */
typedef struct xs_kpi_result xs_kpi_result;

/**
 * Computes the KPIs of a snapshot per period (and group): MRR / ARR and its
 * movement ledger (new, expansion, contraction, churn, reactivation), NRR,
 * GRR, churn rates, ARPA, ARPU, LTV, repeat-purchase rate, upsell rate,
 * cross-sell conversion, downsell save rate, offer pressure, the 1:5 rule and
 * order revenue net of returns.
 * Rows are period by period; within a period groups by label (bytewise).
 * Integer arithmetic on minor units, fixed summation order: the same
 * snapshot and options give the same result on every run.
 * @code
 *   xs_kpi_opts o = {.period = XS_KPI_QUARTER, .by = XS_KPI_BY_SEGMENT};
 *   xs_kpi_result *r;
 *   if (xs_kpi_compute(snap, &o, &r, &e) == XS_OK) {
 *       const xs_kpi_row *row = xs_kpi_result_row(r, 0);
 *       printf("%s %s NRR %.4f\n", row->period, row->group, row->nrr);
 *   }
 *   xs_kpi_result_free(r);
 * @endcode
 * @param snap the snapshot (borrowed; the result refers to its strings, so
 *             free the result first)
 * @param out  caller frees with xs_kpi_result_free()
 * @return XS_OK; XS_EINVAL (a bad date, from > to, a bad amount, bad
 *         options: err's param names the option, e.g. "from");
 *         XS_ERANGE (more than 10000 periods); XS_ENOMEM
 */
int xs_kpi_compute(const xs_snapshot *snap, const xs_kpi_opts *o, xs_kpi_result **out,
                   xs_error *err);
/** @return the number of rows */
size_t xs_kpi_result_n_rows(const xs_kpi_result *r);
/** @return row i (borrowed, valid until xs_kpi_result_free()) */
const xs_kpi_row *xs_kpi_result_row(const xs_kpi_result *r, size_t i);
/**
 * Fills an empty table with the rows: money as decimals of the store's
 * currency, ratios with 4 fraction digits, empty cells where undefined.
 * @return XS_OK or XS_ENOMEM
 */
int xs_kpi_result_table(const xs_kpi_result *r, xs_table *t);
/**
 * The same cells transposed, for people: one row per KPI (column "kpi"), one
 * column per period ("2026-09", or "2026-09 smb" with a breakdown).
 * @return XS_OK or XS_ENOMEM
 */
int xs_kpi_result_table_by_kpi(const xs_kpi_result *r, xs_table *t);
/** Frees the result; NULL is fine. */
void xs_kpi_result_free(xs_kpi_result *r);

/* ====================================================================== */
/* Holdout experiments (src/store/experiments.c, src/offer, src/measure)  */
/* ====================================================================== */

/*
 * A holdout experiment measures the real lift of one offer strategy (an
 * offer kind): every customer is put in an arm of the split by
 * xs_exp_assign(split, name, customer_id), and while the experiment runs
 * (start <= decision day <= end) the offer engine suppresses offers of that
 * kind to the customers of the arm named "holdout" (guard "holdout"). The
 * report (xs_exp_report()) compares the arms over the window. Details in
 * docs/experiments.md.
 */
typedef struct xs_experiment {
    char name[XS_EXP_NAME_MAX]; /* the strategy name that is hashed */
    xs_offer_kind kind;         /* the strategy: offers of this kind */
    char split[256];            /* "treatment:90,holdout:10" */
    char start[11];             /* first day, YYYY-MM-DD */
    char end[11];               /* last day, "" while running */
    char created_at[21];        /* UTC timestamp */
} xs_experiment;

/** Parses a data-model kind ("upsell", "cross_sell", "downsell").
 *  @return XS_OK or XS_EINVAL */
int xs_offer_kind_parse(const char *s, xs_offer_kind *out);
/** @return the data-model name of a kind ("upsell", "cross_sell", "downsell") */
const char *xs_offer_kind_key(xs_offer_kind k);

/**
 * Checks an experiment before it is stored: name 1..63 bytes of [A-Za-z0-9_.-],
 * a split that parses (xs_exp_split_parse) with an arm named "holdout" and at
 * least one other arm, a valid start date, and an end (when set) on or after
 * the start.
 * @return XS_OK or XS_EINVAL (err param "name", "split", "start", "end")
 */
int xs_experiment_check(const xs_experiment *x, xs_error *err);
/** @return 1 when x runs on day (YYYY-MM-DD): start <= day and (no end or
 *  day <= end) */
int xs_experiment_active(const xs_experiment *x, const char *day);

/**
 * Stores a new experiment (one transaction). Refused when the name exists,
 * or when another experiment of the same kind overlaps its days (a customer
 * is in at most one holdout per kind).
 * @return XS_OK, XS_EINVAL (xs_experiment_check), XS_ECONFLICT (param
 *         "name": exists; "kind": overlaps "OTHER"), XS_EDB
 */
int xs_store_experiment_add(xs_store *st, const xs_experiment *x, xs_error *err);
/**
 * Ends a running experiment: its end becomes `end` (>= its start).
 * @return XS_OK, XS_ENOTFOUND (param "name"), XS_ECONFLICT (already
 *         ended), XS_EINVAL (bad or early "end"), XS_EDB
 */
int xs_store_experiment_stop(xs_store *st, const char *name, const char *end,
                             xs_error *err);
/**
 * Every experiment, ordered by start then name.
 * @param out set to an array (caller frees with xs_store_experiments_free()),
 *            NULL when there is none
 * @return the number (>= 0), XS_EDB, XS_ENOMEM
 */
long xs_store_experiments(xs_store *st, xs_experiment **out, xs_error *err);
/** Frees the array of xs_store_experiments(); NULL is fine. */
void xs_store_experiments_free(xs_experiment *x);
/**
 * Fills x from the fields of `xsell experiment start` (or the body of
 * POST /v1/experiments) and checks it (xs_experiment_check), so both say
 * the same thing: kind "upsell", "cross_sell" or "downsell"; split NULL:
 * "treatment:90,holdout:10"; start NULL: today (UTC); end NULL or "": open.
 * @return XS_OK or XS_EINVAL (err param "name", "kind", "split",
 *         "start", "end")
 */
int xs_experiment_define(xs_experiment *x, const char *name, const char *kind,
                         const char *split, const char *start, const char *end,
                         xs_error *err);

/**
 * Gives the engine the experiments (copied); those active on its as_of day
 * withhold offers of their kind from their holdout arm. xs_offer_engine_open()
 * reads them from the store itself. They replace those given before.
 * Each kind with a qualifying experiment (docs/offers.md "Uplift": started
 * before as_of, a window of at least uplift_min_days, uplift_min_n units in
 * the holdout and in the treated arms; with several, the latest start) gets
 * uplift models trained on it here, and its offers are valued by the
 * predicted uplift (xs_offer.value_basis); cfg.uplift = 0 turns that off.
 * @return XS_OK, XS_EINVAL (xs_experiment_check fails for one of them; the
 *         engine is then unchanged), XS_ENOMEM
 */
int xs_offer_engine_set_experiments(xs_offer_engine *en, const xs_experiment *x, size_t n,
                                    xs_error *err);

/** The uplift evidence of one offer kind (xs_offer_engine_uplift()). */
typedef struct xs_offer_uplift_info {
    int on;                       /* 1: offers of the kind are valued by uplift */
    char experiment[XS_EXP_NAME_MAX]; /* the experiment used; "" when none */
    char start[11], until[11];    /* its window: start to min(end, as_of) */
    size_t n_treated, n_holdout;  /* its units (customers with revenue at the
                                     start) by arm */
    size_t n_scored;              /* customers with a predicted uplift (revenue
                                     on as_of) */
    size_t n_negative;            /* of those, predicted uplift < 0 */
    double mean;                  /* mean predicted uplift over n_scored */
    char why[160];                /* when off with experiments of the kind: why
                                     none qualifies; "" otherwise */
} xs_offer_uplift_info;

/**
 * The uplift evidence of kind k (for downsells the outcome is "retained",
 * else "expanded"). @return XS_OK, XS_EINVAL for a bad kind
 */
int xs_offer_engine_uplift(const xs_offer_engine *en, xs_offer_kind k,
                           xs_offer_uplift_info *out);
/**
 * A customer's predicted uplift for kind k: of "retained" (retained = 1:
 * downsells, retention offers) or of "expanded" (0). NaN when the kind has
 * no evidence, no model of that outcome (expanded of downsells, retained
 * of cross-sells), or the customer had no recurring revenue on as_of.
 */
double xs_offer_engine_customer_uplift(const xs_offer_engine *en, uint32_t customer,
                                       xs_offer_kind k, int retained);

/* What happened in one arm during the window [start, min(end, as_of)]. */
typedef struct xs_exp_arm {
    const char *name;         /* borrowed from the report */
    size_t customers;         /* units (customers with ARR > 0 at start) */
    size_t offers, accepted;  /* offers of the kind sent in the window to them */
} xs_exp_arm;

/** Result of xs_exp_report(). Opaque. */
typedef struct xs_exp_report_result xs_exp_report_result;

/**
 * Analyses a holdout experiment on a snapshot. Units: customers whose ARR
 * (docs/kpi.md) on the start day is > 0. Metrics per unit, from the start day
 * to the window's last day (the end, or as_of when earlier or running):
 *   arr_change  ARR(last day) - ARR(start), currency units (Welch; CUPED with
 *               ARR(start) as the covariate)
 *   expanded    1 when ARR(last day) > ARR(start) (proportion)
 *   retained    1 when ARR(last day) > 0 (proportion)
 * Each arm is compared with the holdout (xs_exp_analyze, control "holdout",
 * planned shares from the split for the sample-ratio check).
 * @param as_of "YYYY-MM-DD" or NULL (the day the data ends, as for the KPIs:
 *              the latest subscription start, order, usage point, event or
 *              offer sent)
 * @return XS_OK; XS_EINVAL (bad as_of, split, as_of before the start: column
 *         "as_of"; fewer than 2 units in an arm); XS_ENOMEM
 */
int xs_exp_report(const xs_snapshot *s, const xs_experiment *x, const char *as_of,
                  xs_exp_report_result **out, xs_error *err);
/** The analysis (borrowed; groups are the arms in label order). */
const xs_exp_result *xs_exp_report_analysis(const xs_exp_report_result *r);
/** @return the window's last day "YYYY-MM-DD" into buf */
const char *xs_exp_report_until(const xs_exp_report_result *r, char buf[11]);
/** @return the number of arms (in split order) */
size_t xs_exp_report_n_arms(const xs_exp_report_result *r);
/** @return arm i (borrowed) */
const xs_exp_arm *xs_exp_report_arm(const xs_exp_report_result *r, size_t i);
/** Frees the report; NULL is fine. */
void xs_exp_report_free(xs_exp_report_result *r);
/**
 * Writes a holdout experiment's report as `xsell experiment report` prints
 * it (experiment_out.c): the experiment x and its arms, then the analysis
 * as xs_exp_result_write() (in JSON the members "experiment" and "arms"
 * come first; CSV holds the results alone).
 * @return XS_OK, XS_ENOMEM or XS_EIO
 */
int xs_exp_report_write(const xs_exp_report_result *r, const xs_experiment *x, FILE *out,
                        xs_format fmt);

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_MEASURE_H */
