/*
 * xsell/score.h — scores: how each customer is doing.
 *
 * Over a snapshot, as of a date: a health / loyalty score 0-100 with its
 * breakdown, rule-based segments, RFM quintiles, simple LTV, CLV from
 * BG/NBD + Gamma-Gamma (and the shifted-beta-geometric model for
 * subscriptions), churn risk from gradient-boosted trees, and uplift models
 * learned from randomised holdouts. Never touches SQL. Implemented in
 * src/score; docs/scores.md and docs/uplift.md have the formulas.
 *
 * Part of libxsell's public API: xsell.h includes every module's header;
 * the conventions are written in xsell/base.h.
 *
 * Example (compiled by the build: cmake/header_example.cmake):
 * @code
 *   // Prints the health and segment of the first customer of a snapshot.
 *   int print_first_health(const xs_snapshot *snap)
 *   {
 *       xs_customer_scores *cs;
 *       xs_error e;
 *       int rc = xs_customer_scores_compute(snap, NULL, NULL, &cs, &e);
 *       if (rc < 0) return rc;
 *       if (xs_customer_scores_n(cs) > 0) {
 *           xs_customer_row r;
 *           xs_customer_scores_get(cs, 0, &r);
 *           printf("%s %.1f %s\n", r.id, r.health, xs_segment_name(r.segment));
 *       }
 *       xs_customer_scores_free(cs);
 *       return XS_OK;
 *   }
 * @endcode
 */
#ifndef XS_XSELL_SCORE_H
#define XS_XSELL_SCORE_H

#include "base.h"
#include "snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Customer health, segments, RFM (src/score)                             */
/* ====================================================================== */
/* (section owned by the health module) */

/*
 * Customer intelligence over a snapshot: a health / loyalty score 0-100 with
 * a breakdown into named components, rule-based segments, RFM quintiles, the
 * simple LTV formula (unit price x purchase frequency x duration; MRR x
 * expected lifetime for subscriptions) and per-customer CLV from BG/NBD +
 * Gamma-Gamma fitted on the snapshot's orders. Rules, defaults and formulas
 * are documented in docs/scores.md. Everything is computed "as of" a date:
 * rows dated after it are ignored.
 */

/* The components of the health score, in breakdown order. */
typedef enum xs_health_part {
    XS_HEALTH_TENURE = 0,  /* days since signup */
    XS_HEALTH_USAGE,       /* logins per seat per month, recent window */
    XS_HEALTH_TREND,       /* relative change of monthly logins, recent vs earlier window */
    XS_HEALTH_UTILISATION, /* capacity metric used / capacity of the plans held */
    XS_HEALTH_NPS,         /* latest NPS answer and the average of the window */
    XS_HEALTH_SUPPORT,     /* tickets in the window; an open critical ticket */
    XS_HEALTH_PAYMENT,     /* payment_failed events in the window */
    XS_HEALTH_N_PARTS
} xs_health_part;

/* Segments, in the order of their rules (the first rule that matches wins). */
typedef enum xs_segment {
    XS_SEG_NEW = 0,          /* tenure < new_days */
    XS_SEG_HIBERNATING,      /* no active subscription, no order in active_days */
    XS_SEG_AT_RISK,          /* health < at_risk_health, an open critical ticket,
                                or a cancel_request in cancel_window_days */
    XS_SEG_CHAMPION,         /* health >= champion_health, tenure >= loyal_tenure_days */
    XS_SEG_LOYAL,            /* health >= loyal_health, tenure >= loyal_tenure_days */
    XS_SEG_PROMISING,        /* health >= promising_health */
    XS_SEG_NEEDS_ATTENTION,  /* the rest */
    XS_SEG_UNKNOWN,          /* too little data to judge loyalty (coverage below
                                min_components, or no activity component while
                                need_activity): checked after at_risk's flags,
                                before its health rule (docs/scores.md) */
    XS_SEG_N
} xs_segment;

/*
 * Weights, thresholds and horizons of the scores; xs_health_config_init()
 * sets the documented defaults (docs/scores.md), xs_health_config_set()
 * changes fields by name. Day counts are whole days (stored as double so
 * every field can be set the same way).
 */
typedef struct xs_health_config {
    double weight[XS_HEALTH_N_PARTS]; /* 20 25 10 10 20 10 5 (any scale, >= 0) */
    double tenure_full_days;     /* 730: tenure score min(1, days / this) */
    double usage_window_days;    /* 90: recent window; trend compares it with the
                                    window before it */
    double logins_full;          /* 20: logins per seat per month that score 1 */
    double trend_full;           /* 0.5: relative change giving 0 (-) or 1 (+) */
    double utilisation_full;     /* 0.7: utilisation that scores 1 */
    double nps_window_days;      /* 365: answers averaged */
    double nps_latest_share;     /* 0.5: score = share*latest/10 + (1-share)*avg/10 */
    double support_window_days;  /* 90 */
    double tickets_full;         /* 5: tickets in the window that score 0 */
    double critical_penalty;     /* 0.5: subtracted for an open critical ticket */
    double payment_window_days;  /* 180 */
    double payments_full;        /* 2: payment failures that score 0 */
    /* segments */
    double new_days;             /* 90 */
    double active_days;          /* 180 */
    double cancel_window_days;   /* 90 */
    double at_risk_health;       /* 40 */
    double champion_health;      /* 80 */
    double loyal_health;         /* 65 */
    double promising_health;     /* 50 */
    double loyal_tenure_days;    /* 365 */
    double min_components;       /* 2: fewer components with data: unknown */
    double need_activity;        /* 1: no usage, trend, utilisation, nps or support
                                    data: unknown; 0: not required */
    /* LTV and CLV */
    double churn_window_days;    /* 365: churn rates are measured over this */
    double default_lifetime_years; /* 3: when no churn rate can be measured */
    double max_lifetime_years;   /* 10: cap of 1 / churn rate */
    double min_span_days;        /* 365: floor of the span purchase frequency is measured over */
    double clv_horizon_weeks;    /* 52 */
    double clv_discount;         /* 0.0018 per week (about 10 % a year) */
    double clv;                  /* 1: fit BG/NBD + Gamma-Gamma; 0: skip CLV */
    double churn;                /* 0 (default): no churn risk; 1: train the churn
                                    module's store-history model (XGBoost,
                                    xs_churn_history_train, 90-day horizon) and
                                    score the customers active at as_of */
    char capacity_metric[32];    /* "seats": the utilisation metric (a limit name) */
} xs_health_config;

/** Sets the documented defaults. */
void xs_health_config_init(xs_health_config *c);

/**
 * Changes fields by name from "name=value,name=value": the weights by part
 * name (tenure, usage, trend, utilisation, nps, support, payment) and any
 * threshold by its field name (tenure_full_days, logins_full, ...,
 * capacity_metric). Values are finite numbers >= 0 (capacity_metric: a
 * metric name). On failure *c is unchanged.
 * @param option the option named in errors ("--weights"), copied into err's column
 * @return XS_OK, or XS_EINVAL (`unknown name "x"`, `not a number: "abc"`,
 *         `weights sum to 0`) with err's column set to option
 * @code
 *   xs_health_config c; xs_health_config_init(&c);
 *   if (xs_health_config_set(&c, "tenure=30,nps=30", "--weights", &e) < 0) ...;
 * @endcode
 */
int xs_health_config_set(xs_health_config *c, const char *spec, const char *option,
                         xs_error *err);

/** @return the name of a component ("tenure", ...), NULL when out of range */
const char *xs_health_part_name(xs_health_part p);
/**
 * Names of the components with data of a coverage bitmask (bit k:
 * component k), joined by '+' in breakdown order: "tenure+usage+support";
 * "all" when every component has data, "none" for 0. Truncated to fit buf[n].
 * @return buf
 */
const char *xs_health_coverage_text(unsigned coverage, char *buf, size_t n);
/** @return the name of a segment ("champion", "at_risk", ...), NULL when out of range */
const char *xs_segment_name(xs_segment s);
/** Parses a segment name (also with '-' or ' ' for '_'). @return XS_OK or XS_ENOTFOUND */
int xs_segment_parse(const char *s, xs_segment *out);

/** Scores of every customer of a snapshot. Opaque. */
typedef struct xs_customer_scores xs_customer_scores;

/** One customer's scores (filled by xs_customer_scores_get()). Money in
 * currency units (minor units / 10^money_scale); NaN where not available. */
typedef struct xs_customer_row {
    const char *id;                   /* borrowed from the snapshot */
    double health;                    /* 0..100 */
    double raw[XS_HEALTH_N_PARTS];    /* the component's measurement; NaN: no data */
    double raw2[XS_HEALTH_N_PARTS];   /* second measurement: nps average, support
                                         open critical (0/1); NaN elsewhere */
    double score[XS_HEALTH_N_PARTS];  /* 0..1; NaN when the component has no data */
    double weight[XS_HEALTH_N_PARTS]; /* share of the health (0..1); 0 without data */
    unsigned coverage;                /* bit k set: component k has data */
    xs_segment segment;
    int open_critical, cancel_request, active;
    int rfm_r, rfm_f, rfm_m;          /* quintiles 1..5; 0 without orders */
    double recency_days, frequency, monetary; /* orders up to as_of */
    double mrr;                       /* active subscriptions at as_of, per month */
    double aov, orders_per_year;      /* simple LTV factors of the orders */
    double ltv, ltv_subscription, ltv_orders;
    double clv, p_alive;              /* BG/NBD + Gamma-Gamma; NaN without orders
                                         or when the fit failed */
    double churn_risk;                /* P(churn within 90 days); NaN unless
                                         c->churn and active at as_of */
} xs_customer_row;

/**
 * Scores every customer of a snapshot as of a date: health with its
 * breakdown, segment, RFM quintiles (customers with orders), simple LTV and,
 * when c->clv, CLV from BG/NBD + Gamma-Gamma fitted on the orders up to
 * as_of (weekly unit). A failed fit leaves clv NaN and is reported by
 * xs_customer_scores_clv_status(), not as an error. When c->churn, churn
 * risk from the store-history model trained on a stratified sample of at
 * most 100,000 customers (docs/scores.md "Churn risk"; xs_model_opts sets
 * another cap for a model's scores).
 * @param s     the snapshot (borrowed; must outlive the result)
 * @param c     configuration (copied); NULL: the defaults
 * @param as_of "YYYY-MM-DD"; NULL: the latest date of a signup, subscription
 *              start, order, return, usage point, event or offer (scheduled dates such
 *              as renewals are left out)
 * @param out   caller frees with xs_customer_scores_free()
 * @return XS_OK, XS_EINVAL (bad as_of: param "as_of"; empty snapshot),
 *         XS_ENOMEM
 * @code
 *   xs_customer_scores *cs;
 *   if (xs_customer_scores_compute(snap, NULL, NULL, &cs, &e) < 0) ...;
 *   xs_customer_row r; xs_customer_scores_get(cs, 0, &r);
 *   printf("%s %.1f %s\n", r.id, r.health, xs_segment_name(r.segment));
 *   xs_customer_scores_free(cs);
 * @endcode
 */
int xs_customer_scores_compute(const xs_snapshot *s, const xs_health_config *c,
                               const char *as_of, xs_customer_scores **out,
                               xs_error *err);
/** Frees the scores; NULL is fine. */
void xs_customer_scores_free(xs_customer_scores *cs);
/** @return the number of customers (all of the snapshot's) */
size_t xs_customer_scores_n(const xs_customer_scores *cs);
/** Fills *out with customer i (in customer_id byte order). */
void xs_customer_scores_get(const xs_customer_scores *cs, size_t i, xs_customer_row *out);
/** Index of a customer id. @return index >= 0 or XS_ENOTFOUND */
long xs_customer_scores_find(const xs_customer_scores *cs, const char *id);
/** @return the as_of day used ("YYYY-MM-DD" into buf[11]) */
const char *xs_customer_scores_as_of(const xs_customer_scores *cs, char buf[11]);
/** @return XS_OK when CLV was computed, else why not (err-like message
 *  into msg, e.g. "BG/NBD fit did not converge") */
int xs_customer_scores_clv_status(const xs_customer_scores *cs, char *msg, size_t n);
/** @return XS_OK when churn risk was computed, else why not (message into
 *  msg; "churn risk not requested" without c->churn) */
int xs_customer_scores_churn_status(const xs_customer_scores *cs, char *msg, size_t n);

/* Row order of xs_customer_scores_table(). */
typedef enum xs_customer_sort {
    XS_CUST_SORT_ID = 0, /* customer_id */
    XS_CUST_SORT_HEALTH, /* health, highest first (ties by id) */
    XS_CUST_SORT_LTV,    /* ltv, highest first */
    XS_CUST_SORT_CLV,    /* clv, highest first (no CLV last) */
    XS_CUST_SORT_CHURN   /* churn_risk, highest first (none last) */
} xs_customer_sort;

/**
 * Fills an empty table with one row per customer: customer_id, health,
 * segment, the component scores (0-100), open_critical, rfm, recency_days,
 * orders, monetary, mrr, ltv, clv, p_alive, churn_risk (empty unless
 * computed).
 * @param segment only this segment; XS_SEG_N: all
 * @param limit   at most this many rows; 0: all
 * @return XS_OK, XS_ENOMEM
 */
int xs_customer_scores_table(const xs_customer_scores *cs, xs_segment segment,
                             xs_customer_sort sort, size_t limit, xs_table *out);
/**
 * Fills an empty table with one customer's breakdown: columns field, raw,
 * measure, score, weight, points; one row per component (raw measurement,
 * what it measures, score 0-100, weight share in %, points = score x
 * weight / 100, adding up to the health), then health, segment, rfm, mrr,
 * ltv (with its factors), clv and churn_risk rows (with the reason when
 * absent).
 * @return XS_OK, XS_ENOMEM
 */
int xs_customer_scores_breakdown(const xs_customer_scores *cs, size_t i, xs_table *out);
/**
 * Fills an empty table with one row per segment: segment, customers,
 * share_pct, health_mean, mrr, ltv_mean, ltv_total, clv_mean.
 * @return XS_OK, XS_ENOMEM
 */
int xs_customer_scores_segments(const xs_customer_scores *cs, xs_table *out);

typedef struct xs_clv_data xs_clv_data; /* see Lifetime value below */
/**
 * CLV glue: per-customer purchase summaries of the snapshot's orders (an
 * order's lines summed; orders on one day count as one purchase), exactly
 * as xs_clv_data_read() summarises an orders file with calibration_end and
 * unit_days, customers in customer_id order, holdout not kept.
 * @param cust when not NULL, set to a new array of xs_clv_data_n(*out)
 *             snapshot customer indexes, one per summary row (caller frees
 *             with xs_clv_customers_free())
 * @param out  caller frees with xs_clv_data_free()
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (no customer with an order on or
 *         before calibration_end; unit_days < 1)
 */
int xs_clv_data_from_snapshot(const xs_snapshot *s, int32_t calibration_end,
                              int unit_days, xs_clv_data **out, uint32_t **cust,
                              xs_error *err);
/** Frees the index array of xs_clv_data_from_snapshot(); NULL is fine. */
void xs_clv_customers_free(uint32_t *cust);

/* ====================================================================== */
/* Lifetime value (src/score): BG/NBD, Gamma-Gamma, shifted-beta-geometric */
/* ====================================================================== */
/* (section owned by the clv module) */

/*
 * Per-customer purchase summaries for the transactional models. From rows
 * customer_id, date, amount: purchases on the same day count as one (their
 * amounts summed); within the calibration period (dates <= calibration_end)
 *   x    = number of repeat purchase days (distinct days - 1),
 *   t_x  = last purchase day - first purchase day,
 *   T    = calibration_end - first purchase day,
 * in the chosen unit (a week is exactly 7 days), and mean_spend = the mean
 * amount of the repeat purchase days (the first day excluded; 0 when x = 0).
 * Rows after calibration_end are counted as holdout purchases and never used
 * for fitting; a customer whose first purchase is after it is dropped.
 */
typedef struct xs_clv_data xs_clv_data;

/* How an orders file is laid out. */
typedef enum xs_clv_input_format {
    XS_CLV_INPUT_CSV = 0, /* header row; columns named by id/date/amount_col */
    XS_CLV_INPUT_CDNOW    /* the CDNOW files: whitespace separated, no header
                             (a first line not starting with a digit is
                             skipped); id = first field, date = third from
                             last (yyyymmdd), amount = last field */
} xs_clv_input_format;

/** How to read an orders file (zero-initialise, then set). */
typedef struct xs_clv_read_opts {
    xs_clv_input_format format;
    char delimiter;         /* CSV delimiter; 0 means ',' */
    const char *id_col;     /* NULL: "customer_id" */
    const char *date_col;   /* NULL: "date" */
    const char *amount_col; /* NULL: "amount" */
    int date_yyyymmdd;      /* dates as 19970101 instead of ISO 1997-01-01
                               (always for XS_CLV_INPUT_CDNOW) */
    int32_t calibration_end; /* last day of calibration (days since 1970-01-01) */
    int unit_days;           /* days per time unit: 1 (default when 0) or 7 */
} xs_clv_read_opts;

/** One customer of a summary (pointers borrowed from the xs_clv_data). */
typedef struct xs_clv_customer {
    const char *id;       /* customer id; "" for summaries built from arrays */
    double x, t_x, T;     /* repeat purchases, recency, age (in the unit) */
    double mean_spend;    /* mean of the repeat purchase amounts; 0 when x = 0 */
    double holdout_n;     /* purchase days after calibration_end */
    double holdout_spend; /* their total amount */
} xs_clv_customer;

/**
 * Reads orders and summarises them per customer (in order of first
 * appearance in the file). Errors name FILE:LINE: COLUMN: an unknown column, an
 * unparsable date, a negative or malformed amount, an empty id.
 * @param out caller frees with xs_clv_data_free()
 * @return XS_OK, XS_EIO, XS_EPARSE, XS_ENOTFOUND (column), XS_ENOMEM,
 *         XS_EINVAL (no customer purchases in the calibration period)
 * @code
 *   xs_clv_read_opts o = {0}; xs_clv_data *d;
 *   o.unit_days = 7; xs_clv_parse_date("1997-09-30", 0, &o.calibration_end);
 *   if (xs_clv_data_read("orders.csv", &o, &d, &e) < 0) ...;
 *   xs_clv_data_free(d);
 * @endcode
 */
int xs_clv_data_read(const char *path, const xs_clv_read_opts *opts, xs_clv_data **out,
                     xs_error *err);
/**
 * Summarises a store's orders (through its snapshot) as xs_clv_data_read()
 * summarises a file of customer_id, date, amount rows: an order's amount is
 * the sum of its lines, a customer's orders of one day are one purchase (a
 * day summing below 0 counts as 0), customers in snapshot (customer_id byte)
 * order with their ids and holdout counts. The columns are those of
 * xs_clv_data_from_snapshot(), bit for bit. Counts: n_rows and n_after are
 * customer-days.
 * @param s   the snapshot (borrowed; the result does not refer to it)
 * @param out caller frees with xs_clv_data_free()
 * @return XS_OK, XS_ENOMEM, XS_EINVAL ("the store has no orders"; no
 *         customer purchases in the calibration period; unit_days < 1)
 * @code
 *   xs_clv_data *d;
 *   if (xs_clv_data_read_snapshot(snap, cal_end, 7, &d, &e) < 0) ...;
 *   xs_clv_data_free(d);
 * @endcode
 */
int xs_clv_data_read_snapshot(const xs_snapshot *s, int32_t calibration_end, int unit_days,
                              xs_clv_data **out, xs_error *err);
/**
 * Builds a summary from arrays of n customers (copied; ids empty, no
 * holdout). mean_spend may be NULL (all 0). BG/NBD needs whole x.
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (a negative or non-finite value,
 *         t_x > T, or t_x > 0 with x = 0)
 */
int xs_clv_data_from_arrays(const double *x, const double *t_x, const double *T,
                            const double *mean_spend, size_t n, xs_clv_data **out,
                            xs_error *err);
/** Frees a summary; NULL is fine. */
void xs_clv_data_free(xs_clv_data *d);
/** @return the number of customers */
size_t xs_clv_data_n(const xs_clv_data *d);
/** Fills *out with customer i. */
void xs_clv_data_get(const xs_clv_data *d, size_t i, xs_clv_customer *out);
/** Counts from reading: rows read, rows after calibration_end, customers
 *  dropped (no purchase in the calibration period). Any pointer may be NULL. */
void xs_clv_data_counts(const xs_clv_data *d, size_t *n_rows, size_t *n_after,
                        size_t *n_dropped);
/** Parses an ISO date ("1997-09-30") or, with yyyymmdd, "19970930".
 *  @return XS_OK or XS_EPARSE */
int xs_clv_parse_date(const char *s, int yyyymmdd, int32_t *days);

/** How a fit ended. */
typedef struct xs_clv_fit_info {
    double log_likelihood; /* at the estimate */
    size_t n_customers;    /* customers the fit used */
    size_t n_groups;       /* distinct likelihood terms after grouping */
    int iterations;        /* iterations of the optimiser that made the
                              estimate */
    int converged;         /* 1: gradient norm below tolerance */
    double grad_norm;      /* |d(-LL/n)/d log-params| at the estimate */
    size_t n_excluded;     /* Gamma-Gamma: repeat buyers left out for a mean
                              spend of 0 */
    int fallback;          /* BG/NBD, Gamma-Gamma: 1 when Newton's method gave
                              up and BFGS from the start point made the
                              estimate */
} xs_clv_fit_info;

/* BG/NBD (Fader, Hardie & Lee 2005): purchases Poisson(lambda) while alive,
 * lambda ~ Gamma(r, alpha); after each purchase the customer drops out with
 * probability p ~ Beta(a, b). */
typedef struct xs_bgnbd_params {
    double r, alpha, a, b;
} xs_bgnbd_params;

/**
 * Fits BG/NBD by maximum likelihood: Newton's method on the log parameters
 * with the analytic gradient and Hessian, and when it gives up BFGS (GSL
 * vector_bfgs2) from the start (info->fallback); identical (x, t_x, T) are
 * grouped.
 * @param p    set to the estimate
 * @param info optional (NULL): log-likelihood and convergence
 * @return XS_OK, XS_EINVAL (no customers), XS_ENOMEM, XS_ERANGE (no
 *         convergence: *p and *info hold the last point)
 * @code
 *   xs_bgnbd_params p; xs_clv_fit_info fi;
 *   if (xs_bgnbd_fit(d, &p, &fi, &e) == XS_OK) printf("r=%g LL=%g\n", p.r, fi.log_likelihood);
 * @endcode
 */
int xs_bgnbd_fit(const xs_clv_data *d, xs_bgnbd_params *p, xs_clv_fit_info *info,
                 xs_error *err);
/** Log-likelihood of all customers of d at p; NAN when p is not positive,
 *  x is not whole, or memory runs out. */
double xs_bgnbd_loglik(const xs_bgnbd_params *p, const xs_clv_data *d);
/** P(alive at T | x, t_x, T). */
double xs_bgnbd_p_alive(const xs_bgnbd_params *p, double x, double t_x, double T);
/** Expected purchases in (T, T + t] of a customer with (x, t_x, T)
 *  (FHL 2005 eq. 10, Gauss hypergeometric term by a checked series). */
double xs_bgnbd_expected(const xs_bgnbd_params *p, double t, double x, double t_x,
                         double T);

/* Gamma-Gamma (Fader & Hardie 2013 note): spend per purchase ~ Gamma(p, nu),
 * nu ~ Gamma(q, gamma) across customers. */
typedef struct xs_gg_params {
    double p, q, gamma;
} xs_gg_params;

/**
 * Fits Gamma-Gamma on the customers with x >= 1 and mean_spend > 0 (repeat
 * buyers with a mean of 0 are left out and counted in info->n_excluded):
 * Newton's method on the log parameters with the analytic gradient and
 * Hessian, and when it gives up BFGS from the start (info->fallback).
 * @return XS_OK, XS_EINVAL (no such customer), XS_ENOMEM, XS_ERANGE (no
 *         convergence)
 */
int xs_gg_fit(const xs_clv_data *d, xs_gg_params *p, xs_clv_fit_info *info,
              xs_error *err);
/** Log-likelihood of the repeat buyers of d with a positive mean spend at p
 *  (density of their means); NAN when there is none or memory runs out. */
double xs_gg_loglik(const xs_gg_params *p, const xs_clv_data *d);
/** E[spend per purchase | x, mean]: the population mean p*gamma/(q-1) when
 *  x = 0; NAN when q <= 1. */
double xs_gg_expected_spend(const xs_gg_params *p, double x, double mean_spend);

/**
 * Customer lifetime value over `horizon` units with discount rate `discount`
 * per unit (discounted expected transactions approximation):
 *   CLV = spend * sum_{k=1..horizon} (E[Y(k)] - E[Y(k-1)]) / (1 + discount)^k
 * where E[Y(k)] = xs_bgnbd_expected(bg, k, x, t_x, T) and spend =
 * xs_gg_expected_spend(gg, x, mean_spend).
 */
double xs_clv_value(const xs_bgnbd_params *bg, const xs_gg_params *gg,
                    const xs_clv_customer *c, int horizon, double discount);

/* Shifted-beta-geometric (Fader & Hardie 2007): each customer renews each
 * period with probability 1 - theta, theta ~ Beta(alpha, beta). */
typedef struct xs_sbg_params {
    double alpha, beta;
} xs_sbg_params;

/**
 * Fits sBG by maximum likelihood to a survivor curve n[0..k] (customers
 * still active at period 0..k; n[0] > 0, non-increasing).
 * @return XS_OK, XS_EINVAL (k < 1, increasing or negative counts, n[0] = 0),
 *         XS_ERANGE (no convergence)
 */
int xs_sbg_fit(const double *survivors, size_t n, xs_sbg_params *p,
               xs_clv_fit_info *info, xs_error *err);
/** Log-likelihood of a survivor curve n[0..k] at p. */
double xs_sbg_loglik(const xs_sbg_params *p, const double *survivors, size_t n);
/** S(t): share of a cohort still active at period t. */
double xs_sbg_survival(const xs_sbg_params *p, int t);
/** Retention rate r(t) = S(t) / S(t-1) = (beta + t - 1) / (alpha + beta + t - 1), t >= 1. */
double xs_sbg_retention(const xs_sbg_params *p, int t);
/**
 * Discounted expected residual lifetime (Fader & Hardie 2010) of a customer
 * active in period n (n >= 1, i.e. after n - 1 renewals), just before the
 * renewal at the end of period n: the expected number of future payments,
 * the k-th (k = 0, 1, ...) discounted by (1 + d)^-k:
 *   DERL = (beta+n-1)/(alpha+beta+n-1) * 2F1(1, beta+n; alpha+beta+n; 1/(1+d)).
 * d > 0. Multiply by the price per period for the residual CLV.
 */
double xs_sbg_derl(const xs_sbg_params *p, int n, double d);

/**
 * Reads a survivor curve: one column of a CSV file with a header row, row i
 * = customers still active at period i. Values are non-negative numbers,
 * not increasing, the first positive; empty cells may end the column.
 * @param out  set to the values; caller frees with xs_survivors_free()
 * @param delim CSV delimiter; 0 means ','
 * @return XS_OK, XS_EIO, XS_EPARSE (FILE:LINE: COLUMN: bad value, or fewer
 *         than 2 periods), XS_ENOTFOUND (no such column), XS_ENOMEM
 */
int xs_survivors_read(const char *path, const char *column, char delim, double **out,
                      size_t *n, xs_error *err);
/** Frees a curve of xs_survivors_read(); NULL is fine. */
void xs_survivors_free(double *v);

/* ====================================================================== */
/* Churn risk (src/score): XGBoost models, cross-validation, calibration  */
/* ====================================================================== */
/* (section owned by the churn module) */

/*
 * Churn risk from a customer-level table (one row per customer): an id
 * column, a 0/1-like label column and feature columns. A column is numeric
 * when every non-blank value parses as a number (blanks -> missing, NaN for
 * XGBoost), else categorical and one-hot encoded ("Contract=One year"),
 * levels sorted bytewise; a blank categorical value sets none of its
 * indicators. Models are XGBoost gradient-boosted trees (binary:logistic,
 * tree_method hist, fixed nthread and seed: the same data and parameters
 * give the same model and the same numbers on every run).
 */

/** An encoded customer table. Opaque. */
typedef struct xs_churn_data xs_churn_data;
/** A trained model: XGBoost booster plus the feature encoding. Opaque. */
typedef struct xs_churn_model xs_churn_model;

/** How to read a customer table (zero-initialise, then set). */
typedef struct xs_churn_read_opts {
    const char *id;       /* id column (required) */
    const char *label;    /* label column (required for training/eval) */
    const char *positive; /* positive label value; NULL: detect: the value
                             among 1, Yes, yes, YES, true, True, TRUE */
    const char *const *drop; /* further columns to exclude (borrowed) */
    size_t n_drop;
    char delimiter; /* 0: ',' */
} xs_churn_read_opts;

/** What the reader found in a source column. */
typedef struct xs_churn_column {
    const char *name; /* borrowed, valid until the data is freed */
    int categorical;  /* 0: numeric */
    size_t n_levels;  /* categorical: distinct non-blank values (training) */
    size_t n_blank;   /* blank cells, treated as missing */
    size_t n_unseen;  /* prediction only: categorical values the model never
                         saw, treated as missing */
} xs_churn_column;

/**
 * Reads and encodes a customer table for training or cross-validation.
 * @param path CSV file with a header row (borrowed; read through the record
 *             reader)
 * @param out  caller frees with xs_churn_data_free()
 * @return XS_OK; XS_ENOTFOUND (unknown --id / --label / --drop column:
 *         param is the option); XS_EINVAL (`FILE:LINE: COLUMN: message`
 *         for a blank or repeated id, a blank label, a third label value, a value that is
 * neither the positive nor the other one, a --positive value not in the file; "no data
 * rows"; no positive label detectable); XS_EPARSE / XS_EIO from the reader; XS_ENOMEM
 * @code
 *   xs_churn_read_opts o = {.id = "customerID", .label = "Churn", .positive = "Yes"};
 *   xs_churn_data *d; xs_error e;
 *   if (xs_churn_data_read("telco.csv", &o, &d, &e) < 0) ...;
 * @endcode
 */
int xs_churn_data_read(const char *path, const xs_churn_read_opts *o, xs_churn_data **out,
                       xs_error *err);
/**
 * Reads a table to score with a model: the model's feature columns must be
 * present (others are ignored); categorical values the model never saw and
 * blanks are missing (counted in xs_churn_column.n_unseen / n_blank).
 * @return as xs_churn_data_read(); a numeric model column holding text is
 *         `FILE:LINE: COLUMN: not a number: "abc"` (XS_EINVAL)
 */
int xs_churn_data_read_for_model(const char *path, const xs_churn_model *m,
                                 const char *id, char delimiter, xs_churn_data **out,
                                 xs_error *err);
/** Frees the data; NULL is fine. */
void xs_churn_data_free(xs_churn_data *d);
/** @return rows (customers) */
size_t xs_churn_data_rows(const xs_churn_data *d);
/** @return rows with the positive label (0 without a label) */
size_t xs_churn_data_positives(const xs_churn_data *d);
/** @return id of row i (borrowed) */
const char *xs_churn_data_id(const xs_churn_data *d, size_t i);
/** @return label of row i: 1 positive, 0 negative, -1 without a label */
int xs_churn_data_label(const xs_churn_data *d, size_t i);
/** @return the positive / negative label value (borrowed; NULL without) */
const char *xs_churn_data_positive(const xs_churn_data *d);
const char *xs_churn_data_negative(const xs_churn_data *d);
/** @return number of encoded features (one-hot columns counted one each) */
size_t xs_churn_data_n_features(const xs_churn_data *d);
/** @return name of feature j: "tenure" or "Contract=One year" (borrowed) */
const char *xs_churn_data_feature_name(const xs_churn_data *d, size_t j);
/** @return value of feature j in row i (NaN: missing) */
double xs_churn_data_value(const xs_churn_data *d, size_t i, size_t j);
/** @return number of source (feature) columns */
size_t xs_churn_data_n_columns(const xs_churn_data *d);
/** @return what was found in source column c (borrowed) */
const xs_churn_column *xs_churn_data_column(const xs_churn_data *d, size_t c);

/** Model and cross-validation settings; start from xs_churn_params_init(). */
typedef struct xs_churn_params {
    int rounds;              /* boosting rounds (default 200) */
    int max_depth;           /* tree depth (default 3) */
    double eta;              /* learning rate (default 0.05) */
    double min_child_weight; /* default 1 */
    int nthread;             /* XGBoost threads (default 1; fixed for
                                reproducibility) */
    uint64_t seed;           /* folds and XGBoost seed (default 42) */
    size_t folds;            /* cross-validation folds (default 5) */
} xs_churn_params;

/** Sets the defaults listed in xs_churn_params. */
void xs_churn_params_init(xs_churn_params *p);

/** One fold of a cross-validation: its held-out rows and their scores. */
typedef struct xs_churn_fold {
    size_t n, n_pos;
    double auc, log_loss; /* auc NaN when the fold lacks a class */
} xs_churn_fold;

/** A calibration bin (a decile of predicted probability). */
typedef struct xs_churn_bin {
    size_t n;
    double p_min, p_max; /* range of predictions in the bin */
    double mean_pred;    /* mean predicted probability */
    double observed;     /* observed positive rate */
} xs_churn_bin;

#define XS_CHURN_BINS 10

/** Result of a cross-validation. */
typedef struct xs_churn_cv {
    size_t n, n_pos;
    double auc;        /* mean of the fold AUCs (folds lacking a class skipped) */
    double auc_sd;     /* their standard deviation (n - 1) */
    double auc_pooled; /* AUC of all out-of-fold predictions together */
    double log_loss;   /* over all out-of-fold predictions */
    size_t n_folds;
    xs_churn_fold *folds;          /* n_folds */
    xs_churn_bin bins[XS_CHURN_BINS]; /* deciles of out-of-fold predictions */
    double *oof;                   /* n out-of-fold probabilities */
    uint32_t *fold_of;             /* n: fold of each row */
} xs_churn_cv;

/**
 * Stratified k-fold cross-validation: for each fold trains on the other
 * folds and predicts the held-out rows (folds: see xs_churn_params.seed).
 * @param out filled; free its arrays with xs_churn_cv_free()
 * @return XS_OK; XS_EINVAL (no label, folds < 2 or > rows: column
 *         "folds"; a single class); XS_EINTERNAL (XGBoost failed: its
 *         message); XS_ENOMEM
 */
int xs_churn_cv_run(const xs_churn_data *d, const xs_churn_params *p, xs_churn_cv *out,
                    xs_error *err);
/** Frees the arrays of a result; NULL is fine. */
void xs_churn_cv_free(xs_churn_cv *r);
/**
 * Writes a cross-validation as `xsell churn eval` prints it (churn_out.c):
 * in table format the summary, the folds and the calibration deciles one
 * after another; in JSON one object with members "folds" and "calibration";
 * in CSV one long table whose column "part" is overall, fold or decile.
 * @return XS_OK, XS_ENOMEM or XS_EIO
 * @code
 *   xs_churn_cv_write(&r, stdout, XS_FORMAT_JSON);
 * @endcode
 */
int xs_churn_cv_write(const xs_churn_cv *r, FILE *out, xs_format fmt);

/**
 * Trains a model on all rows.
 * @param out caller frees with xs_churn_model_free()
 * @return XS_OK, XS_EINVAL (no label, a single class), XS_EINTERNAL, XS_ENOMEM
 */
int xs_churn_train(const xs_churn_data *d, const xs_churn_params *p,
                   xs_churn_model **out, xs_error *err);
/**
 * Saves a model as one JSON file {"xsell_churn": {format, label values,
 * parameters, columns with kinds and levels, features}, "xgboost": XGBoost's
 * own JSON model}, written to a temporary name and renamed.
 * @return XS_OK, XS_EIO, XS_EINTERNAL, XS_ENOMEM
 */
int xs_churn_model_save(const xs_churn_model *m, const char *path, xs_error *err);
/** Loads a model saved by xs_churn_model_save().
 *  @return XS_OK, XS_EIO, XS_EPARSE (not such a model file), XS_ENOMEM */
int xs_churn_model_load(const char *path, xs_churn_model **out, xs_error *err);
/** Frees the model; NULL is fine. */
void xs_churn_model_free(xs_churn_model *m);
/** @return number of features the model expects */
size_t xs_churn_model_n_features(const xs_churn_model *m);
/** @return the positive label value the model predicts (borrowed) */
const char *xs_churn_model_positive(const xs_churn_model *m);

/** Why a customer scores as it does: a source column and its summed
 *  contribution to the margin (log-odds). */
typedef struct xs_churn_reason {
    char name[160];      /* "tenure" or "Contract=Month-to-month" */
    double contribution; /* > 0 raises the churn risk */
} xs_churn_reason;

/** Predictions of a model for a table. */
typedef struct xs_churn_pred {
    size_t n, n_features;
    double *prob;    /* n probabilities of the positive label */
    double *margin;  /* n raw margins (log-odds) */
    float *contribs; /* NULL, or n * (n_features + 1) per-feature
                        contributions (TreeSHAP), bias last; each row sums
                        to its margin */
} xs_churn_pred;

enum { XS_CHURN_CONTRIBS = 1, XS_CHURN_CONTRIBS_APPROX = 2 };

/** Sets the XGBoost thread count used for prediction (n >= 1). */
void xs_churn_model_set_threads(xs_churn_model *m, int n);

/**
 * Scores every row of d (read with xs_churn_data_read_for_model() for this
 * model, or with the training encoding).
 * @param with_contribs 0: none; XS_CHURN_CONTRIBS: per-feature contributions
 *        by TreeSHAP (exact; O(trees x leaves x depth²) per row);
 *        XS_CHURN_CONTRIBS_APPROX: Saabas' path attribution (about 10x
 *        faster, also sums to the margin)
 * @return XS_OK, XS_EINVAL (feature count differs), XS_EINTERNAL, XS_ENOMEM;
 *         free *out's arrays with xs_churn_pred_free()
 */
int xs_churn_predict(const xs_churn_model *m, const xs_churn_data *d, int with_contribs,
                     xs_churn_pred *out, xs_error *err);
/** Frees the arrays of a prediction; NULL is fine. */
void xs_churn_pred_free(xs_churn_pred *p);
/**
 * The k source columns that move row i's margin most (by absolute summed
 * contribution; one-hot features summed back into their column and named
 * "column=value" with the row's own value, "(blank)" when blank).
 * @return the number of reasons written (<= k)
 */
size_t xs_churn_reasons(const xs_churn_pred *p, const xs_churn_data *d, size_t i,
                        xs_churn_reason *out, size_t k);
/**
 * Fills an empty table with the predictions as `xsell churn predict` prints
 * them (churn_out.c): id_column, probability, then feature_J and
 * contribution_J for J = 1..k (xs_churn_reasons(); empty cells where a
 * customer has fewer reasons).
 * @return XS_OK or XS_ENOMEM
 */
int xs_churn_pred_table(const xs_churn_pred *p, const xs_churn_data *d, const char *id_column,
                        size_t k, xs_table *out);

/* ---- Churn risk from the store's own history (src/score/churn_history.c) */
/*
 * Features of every customer active at a cutoff date t, computed from a
 * snapshot using only data dated on or before t (see churn_history.c for
 * the exact definitions): tenure, MRR and its change over 90 / 180 days,
 * active subscriptions / products / families, plan tier, billing term,
 * days to the next renewal anniversary, seat and maximum utilisation of
 * plan limits (capacity = sum of limit x quantity over the family's active
 * subscriptions), logins over 30 / 90 days and their trends, NPS (latest,
 * mean), tickets in 90 / 365 days, open critical tickets, payment failures,
 * cancel requests in 90 days, offers declined in 180 days, segment /
 * industry / size (one-hot), order count, recency and amount.
 *
 * Active on day d: some subscription with start <= d and (no end or
 * end > d). Only customers active on t are rows. Label (horizon h): 1 when
 * the customer is not active on day t + h (every subscription has ended
 * by then and none started since is still running), 0 when active on
 * t + h (a customer who leaves and comes back within the horizon counts
 * as staying). Needs t + h <= the data's end: the latest signup,
 * subscription start, order, usage point, event or offer date (renewal and
 * end dates, which may be scheduled in the future, do not count); that day
 * is also the default as-of date.
 * The result is an xs_churn_data (ids = customer ids), so cross-checking,
 * training and prediction share the XGBoost code of the table path.
 */

/** Settings of the history model; start from xs_churn_history_opts_init(). */
typedef struct xs_churn_history_opts {
    int horizon;          /* label horizon in days, 1..3650 (default 90) */
    const char *cutoff;   /* "YYYY-MM-DD" training cutoff T1; NULL: as_of - 2 x horizon */
    const char *as_of;    /* "YYYY-MM-DD"; NULL: the data's end (above) */
    xs_churn_params params; /* XGBoost settings (folds unused) */
    size_t max_train;     /* 0: train on every customer active at the cutoff;
                             else at most this many: a stratified sample
                             (each label keeps its share; drawn with
                             params.seed) when more are active */
} xs_churn_history_opts;

/** Sets horizon 90, cutoff and as_of NULL, xs_churn_params_init() params,
 *  max_train 0 (every customer). */
void xs_churn_history_opts_init(xs_churn_history_opts *o);

/**
 * The feature table of the customers active on a cutoff.
 * @param s       the snapshot (borrowed; the result does not refer to it)
 * @param cutoff  "YYYY-MM-DD"
 * @param horizon > 0: with labels churned within horizon days (needs
 *                cutoff + horizon <= the data's end); 0: none
 * @param m       NULL: fit the encoding (categorical levels) on these rows;
 *                else encode as model m expects (m must come from store
 *                history; unseen levels are missing)
 * @param out     caller frees with xs_churn_data_free()
 * @return XS_OK; XS_EINVAL (param "cutoff": not a date, no active
 *         customer, labels past the data; "horizon": out of range;
 *         "model": not a store-history model); XS_ENOMEM
 */
int xs_churn_history_features(const xs_snapshot *s, const char *cutoff, int horizon,
                              const xs_churn_model *m, xs_churn_data **out,
                              xs_error *err);

/** Result of a time-split evaluation. */
typedef struct xs_churn_history_eval_result {
    char train_cutoff[11], eval_cutoff[11]; /* T1, T2 = T1 + horizon */
    int horizon;
    size_t n_train, n_train_pos; /* customers active at T1, churned by T1 + h */
    size_t n, n_pos;             /* the same at T2 */
    double auc, log_loss;        /* of the T1 model's predictions at T2 */
    xs_churn_bin bins[XS_CHURN_BINS]; /* calibration deciles at T2 */
} xs_churn_history_eval_result;

/**
 * Time-split evaluation: trains on the features at T1 with labels from
 * (T1, T1 + h], predicts the customers active at T2 = T1 + h from
 * features at T2 and scores them against (T2, T2 + h].
 * @param s   the snapshot (borrowed)
 * @param o   horizon, T1 (default: as_of - 2 x horizon), XGBoost settings
 * @param out filled (plain values; nothing to free). AUC NaN when nobody
 *            or everybody active at T2 churns
 * @code
 *   xs_churn_history_opts o; xs_churn_history_opts_init(&o);
 *   xs_churn_history_eval_result r; xs_error e;
 *   if (xs_churn_history_eval(snap, &o, &r, &e) == XS_OK)
 *       printf("AUC %.3f at %s\n", r.auc, r.eval_cutoff);
 * @endcode
 * @return XS_OK; XS_EINVAL (as xs_churn_history_features(); T2 + h after
 *         the data; a cutoff without churners or without stayers);
 *         XS_EINTERNAL (XGBoost); XS_ENOMEM
 */
int xs_churn_history_eval(const xs_snapshot *s, const xs_churn_history_opts *o,
                          xs_churn_history_eval_result *out, xs_error *err);

/**
 * Trains the model on the features and labels at a cutoff: o->cutoff, or
 * by default T1 = as_of - 2 x horizon, the very model xs_churn_history_eval()
 * measures (a later cutoff, up to as_of - horizon, uses fresher labels).
 * @param s    the snapshot (borrowed)
 * @param o    horizon, cutoff, as_of, XGBoost settings
 * @param out  caller frees with xs_churn_model_free(); saves with
 *             xs_churn_model_save()
 * @param info NULL, or set: train_cutoff, horizon, n_train, n_train_pos
 *             (the rest zero)
 * @return as xs_churn_history_eval()
 */
int xs_churn_history_train(const xs_snapshot *s, const xs_churn_history_opts *o,
                           xs_churn_model **out, xs_churn_history_eval_result *info,
                           xs_error *err);

/**
 * Scores every customer active on as_of with a history model.
 * @param s             the snapshot (borrowed)
 * @param m             a model of xs_churn_history_train() (or loaded from
 *                      its saved file)
 * @param as_of         "YYYY-MM-DD"; NULL: the data's end
 * @param with_contribs as xs_churn_predict()
 * @param data          the feature table scored (ids, for
 *                      xs_churn_reasons(); the raw categories that name
 *                      its reasons only with with_contribs); caller frees
 * @param pred          caller frees with xs_churn_pred_free()
 * @return XS_OK or as xs_churn_history_features() / xs_churn_predict()
 */
int xs_churn_history_predict(const xs_snapshot *s, const xs_churn_model *m,
                             const char *as_of, int with_contribs, xs_churn_data **data,
                             xs_churn_pred *pred, xs_error *err);

/**
 * Writes a time-split evaluation as `xsell churn eval --db` prints it
 * (churn_out.c): the summary and the calibration deciles (in JSON the
 * member "calibration"; in CSV one long table, part train, eval or decile).
 * @return XS_OK, XS_ENOMEM or XS_EIO
 */
int xs_churn_history_eval_write(const xs_churn_history_eval_result *r, FILE *out,
                                xs_format fmt);

/* ====================================================================== */
/* Uplift models (src/score/uplift*.c) and their evaluation               */
/* (src/measure/uplift_eval*.c); docs/uplift.md                           */
/* ====================================================================== */
/* (section owned by the uplift module) */

/*
 * Uplift: the difference an offer makes, P(outcome | treated) -
 * P(outcome | control), learned from a randomised experiment: one row per
 * unit, a treatment column (the value of the treated arm, the value of the
 * control arm; rows with any other value are left out of training and
 * evaluation but still predicted), a 0/1 outcome and feature columns,
 * encoded as the churn table encodes them (numeric when every non-blank
 * value parses as a number, else one-hot with the training file's levels;
 * an unseen or blank category sets no indicator). Learners are XGBoost
 * trees with a fixed thread count and seed (reproducible to the bit).
 */

/** An encoded experiment table. Opaque. */
typedef struct xs_uplift_data xs_uplift_data;
/** A trained uplift model: the learner, the encoding, XGBoost models. */
typedef struct xs_uplift_model xs_uplift_model;

/** The learners. */
typedef enum xs_uplift_learner {
    XS_UPLIFT_TWO_MODEL = 0,      /* P(y|x) fitted on each arm; uplift = difference */
    XS_UPLIFT_CLASS_TRANSFORM = 1 /* z = y*w + (1-y)(1-w), arms weighted to 1/2;
                                     uplift = 2 P(z|x) - 1 */
} xs_uplift_learner;

/** "two_model" / "class_transform". */
const char *xs_uplift_learner_name(xs_uplift_learner l);
/** @return XS_OK, or XS_EINVAL for an unknown name */
int xs_uplift_learner_parse(const char *name, xs_uplift_learner *out);

/** How to read an experiment table (zero-initialise, then set). */
typedef struct xs_uplift_read_opts {
    const char *treatment_col; /* required */
    const char *treatment;     /* value of the treated arm (required) */
    const char *control;       /* value of the control arm (required) */
    const char *outcome;       /* outcome column (required) */
    const char *positive;      /* outcome value meaning 1; NULL: cells must be
                                  0 or 1 */
    const char *const *features; /* feature columns; NULL: every column but
                                    the treatment and the outcome */
    size_t n_features;
    char delimiter; /* 0: ',' */
} xs_uplift_read_opts;

/** Rows of a table by arm, and the outcomes in each arm. */
typedef struct xs_uplift_counts {
    size_t n;           /* data rows */
    size_t n_treatment; /* treated rows */
    size_t n_control;   /* control rows */
    size_t n_other;     /* neither value (or no treatment column) */
    size_t n_treatment_pos, n_control_pos; /* outcome 1 in each arm */
} xs_uplift_counts;

/**
 * Reads an experiment table for training or evaluation.
 * Errors: unknown columns (XS_ENOTFOUND, listing the file's columns), equal
 * treatment and control values, a feature that is the treatment or the
 * outcome or is listed twice, a blank or non 0/1 outcome, no treated or no
 * control rows (XS_EINVAL, located FILE:LINE: COLUMN where there is one).
 * (A feature column with text is categorical here, never an error.)
 * @param out caller frees with xs_uplift_data_free()
 * @return XS_OK, XS_EIO, XS_EPARSE (malformed CSV), XS_EINVAL, XS_ENOTFOUND,
 *         XS_ENOMEM
 * @code
 *   const char *f[] = {"recency", "history", "channel"};
 *   xs_uplift_read_opts o = {.treatment_col = "segment",
 *       .treatment = "Womens E-Mail", .control = "No E-Mail",
 *       .outcome = "visit", .features = f, .n_features = 3};
 *   xs_uplift_data *d; xs_error e;
 *   if (xs_uplift_data_read("hillstrom.csv", &o, &d, &e) < 0) ...;
 * @endcode
 */
int xs_uplift_data_read(const char *path, const xs_uplift_read_opts *o,
                        xs_uplift_data **out, xs_error *err);
/**
 * Reads a table to score with model m: only the model's feature columns are
 * needed (treatment and outcome columns are ignored); numeric columns must
 * parse (`FILE:LINE: COLUMN: not a number: "abc"`, XS_EINVAL); categories
 * the model never saw set no indicator (counted in xs_churn_column.n_unseen).
 */
int xs_uplift_data_read_for_model(const char *path, const xs_uplift_model *m,
                                  char delimiter, xs_uplift_data **out, xs_error *err);
/** Frees a table; NULL is fine. */
void xs_uplift_data_free(xs_uplift_data *d);
/** Counts of the table's rows (borrowed). */
const xs_uplift_counts *xs_uplift_data_counts(const xs_uplift_data *d);
/** 1-based line of data row i in its file. */
long xs_uplift_data_line(const xs_uplift_data *d, size_t i);
/** 1 treated, 0 control, -1 neither or no treatment column. */
int xs_uplift_data_group(const xs_uplift_data *d, size_t i);
/** 0 / 1, or -1 when the table was read without an outcome. */
int xs_uplift_data_outcome(const xs_uplift_data *d, size_t i);
/** Number of features after one-hot encoding. */
size_t xs_uplift_data_n_features(const xs_uplift_data *d);
/** Source feature columns and their notes (borrowed). */
size_t xs_uplift_data_n_columns(const xs_uplift_data *d);
const xs_churn_column *xs_uplift_data_column(const xs_uplift_data *d, size_t c);

/** Learner and XGBoost settings; start from xs_uplift_params_init(). */
typedef struct xs_uplift_params {
    xs_uplift_learner learner; /* default XS_UPLIFT_TWO_MODEL */
    xs_churn_params xgb; /* rounds 50, max_depth 2, eta 0.1, min_child_weight
                            20, nthread 2, seed 42 (folds unused) */
} xs_uplift_params;

/** Sets the defaults listed in xs_uplift_params. */
void xs_uplift_params_init(xs_uplift_params *p);

/**
 * Trains on the treated and control rows of d (read with
 * xs_uplift_data_read()).
 * @param out caller frees with xs_uplift_model_free()
 * @return XS_OK, XS_EINVAL (an arm without rows), XS_EINTERNAL (XGBoost),
 *         XS_ENOMEM
 */
int xs_uplift_train(const xs_uplift_data *d, const xs_uplift_params *p,
                    xs_uplift_model **out, xs_error *err);
/**
 * Predicted uplift of every row of d (read for this model, or with its
 * training encoding) into out[0..rows), a caller buffer.
 * @return XS_OK, XS_EINVAL (feature count differs), XS_EINTERNAL, XS_ENOMEM
 */
int xs_uplift_predict(const xs_uplift_model *m, const xs_uplift_data *d, double *out,
                      xs_error *err);
/**
 * Saves a model as one JSON file: {"xsell_uplift": {"format": 1, learner,
 * treatment / control / outcome names, parameters, columns with kinds and
 * levels, features}, "xgboost": [XGBoost JSON models: treated then control
 * for two_model, one for class_transform]}. Written to a temporary file
 * and renamed: never half a file.
 * @return XS_OK, XS_EIO, XS_EINTERNAL, XS_ENOMEM
 */
int xs_uplift_model_save(const xs_uplift_model *m, const char *path, xs_error *err);
/** Loads a model of xs_uplift_model_save().
 *  @return XS_OK, XS_EIO, XS_EPARSE ("not an uplift model file: ..."), XS_ENOMEM */
int xs_uplift_model_load(const char *path, xs_uplift_model **out, xs_error *err);
/** Frees a model; NULL is fine. */
void xs_uplift_model_free(xs_uplift_model *m);
xs_uplift_learner xs_uplift_model_learner(const xs_uplift_model *m);
size_t xs_uplift_model_n_features(const xs_uplift_model *m);
/** Sets the XGBoost thread count used for prediction (n >= 1). */
void xs_uplift_model_set_threads(xs_uplift_model *m, int n);

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_SCORE_H */
