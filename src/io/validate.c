/*
 * validate.c — what a valid value of each input field is (docs/data-model.md)
 * and the messages for those that are not.
 *
 * The importer calls xs__io_validate_value() for every non-empty field of every
 * row, so the checks avoid allocation and work on (ptr, len) slices; dates
 * are normalised into a caller scratch buffer. Messages name what was
 * expected and quote the offending value, e.g.
 *   kind: expected plan, addon or product, got "plann"
 * (the importer adds FILE:LINE: COLUMN: in front).
 */
#include "io/validate.h"

#include "base/date.h"
#include "base/error.h"
#include "base/money.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Specs                                                                  */
/* ---------------------------------------------------------------------- */

static const char *const kinds[] = {"plan", "addon", "product", NULL};
static const char *const billings[] = {"month", "year", "once", NULL};
static const char *const event_types[] = {"nps",
                                          "ticket",
                                          "ticket_closed",
                                          "login",
                                          "meeting",
                                          "payment_failed",
                                          "cancel_request",
                                          "renewal_decision",
                                          "onboarding_done",
                                          NULL};
static const char *const offer_kinds[] = {"upsell", "cross_sell", "downsell", NULL};
static const char *const channels[] = {"email", "in_app", "csm", "webinar", "sns", NULL};
static const char *const outcomes[] = {"accepted", "declined", "ignored", "pending",
                                       NULL};

#define REQ XS__REQ
#define CUST (XS__REQ | XS__REF_CUSTOMER)
#define PROD (XS__REQ | XS__REF_PRODUCT)

static const xs__io_field_spec customers_f[] = {
    {"customer_id", XS__F_ID, REQ, 0, NULL, NULL},
    {"name", XS__F_TEXT, 0, 0, NULL, NULL},
    {"segment", XS__F_TEXT, 0, 0, NULL, NULL},
    {"industry", XS__F_TEXT, 0, 0, NULL, NULL},
    {"size", XS__F_TEXT, 0, 0, NULL, NULL},
    {"region", XS__F_TEXT, 0, 0, NULL, NULL},
    {"signup_date", XS__F_DATE, REQ, 0, NULL, NULL},
    {"consent_email", XS__F_BOOL, 0, 0, NULL, "0"},
    {"consent_in_app", XS__F_BOOL, 0, 0, NULL, "0"},
    {"consent_csm", XS__F_BOOL, 0, 0, NULL, "0"},
    {"consent_webinar", XS__F_BOOL, 0, 0, NULL, "0"},
    {"consent_sns", XS__F_BOOL, 0, 0, NULL, "0"},
    {"owner", XS__F_TEXT, 0, 0, NULL, NULL},
    {"contact_name", XS__F_TEXT, 0, 0, NULL, NULL},
    {"contact_email", XS__F_EMAIL, 0, 0, NULL, NULL},
};

static const xs__io_field_spec products_f[] = {
    {"product_id", XS__F_ID, REQ, 0, NULL, NULL},
    {"name", XS__F_TEXT, 0, 0, NULL, NULL},
    {"family", XS__F_TEXT, 0, 0, NULL, NULL},
    {"tier", XS__F_INT, XS__HAS_MIN, 1, NULL, NULL},
    {"kind", XS__F_ENUM, REQ, 0, kinds, NULL},
    {"price", XS__F_MONEY, REQ | XS__NONNEG, 0, NULL, NULL},
    {"billing", XS__F_ENUM, REQ, 0, billings, NULL},
    {"limits", XS__F_LIMITS, 0, 0, NULL, NULL},
    {"category", XS__F_TEXT, 0, 0, NULL, NULL},
};

static const xs__io_field_spec subscriptions_f[] = {
    {"customer_id", XS__F_ID, CUST, 0, NULL, NULL},
    {"product_id", XS__F_ID, PROD, 0, NULL, NULL},
    {"quantity", XS__F_INT, XS__HAS_MIN, 1, NULL, "1"},
    {"unit_price", XS__F_MONEY, REQ | XS__NONNEG, 0, NULL, NULL},
    {"start_date", XS__F_DATE, REQ, 0, NULL, NULL},
    {"end_date", XS__F_DATE, 0, 0, NULL, NULL},
    {"term", XS__F_TERM, REQ, 0, NULL, NULL},
    {"renewal_date", XS__F_DATE, 0, 0, NULL, NULL},
};

static const xs__io_field_spec orders_f[] = {
    {"order_id", XS__F_ID, REQ, 0, NULL, NULL},
    {"customer_id", XS__F_ID, CUST, 0, NULL, NULL},
    {"date", XS__F_DATE, REQ, 0, NULL, NULL},
    {"product_id", XS__F_ID, PROD, 0, NULL, NULL},
    {"quantity", XS__F_INT, REQ | XS__HAS_MIN, 1, NULL, NULL},
    {"amount", XS__F_MONEY, REQ, 0, NULL, NULL},
};

static const xs__io_field_spec usage_f[] = {
    {"customer_id", XS__F_ID, CUST, 0, NULL, NULL},
    {"product_id", XS__F_ID, PROD, 0, NULL, NULL},
    {"metric", XS__F_NAME, REQ, 0, NULL, NULL},
    {"value", XS__F_NUMBER, REQ | XS__NONNEG, 0, NULL, NULL},
    {"date", XS__F_DATE, REQ, 0, NULL, NULL},
};

static const xs__io_field_spec events_f[] = {
    {"customer_id", XS__F_ID, CUST, 0, NULL, NULL},
    {"date", XS__F_DATE, REQ, 0, NULL, NULL},
    {"type", XS__F_ENUM, REQ, 0, event_types, NULL},
    {"value", XS__F_NUMBER, 0, 0, NULL, NULL},
    {"ref", XS__F_TEXT, XS__EMPTY_TEXT, 0, NULL, NULL},
};

static const xs__io_field_spec offers_f[] = {
    {"offer_id", XS__F_ID, REQ, 0, NULL, NULL},
    {"customer_id", XS__F_ID, CUST, 0, NULL, NULL},
    {"product_id", XS__F_ID, PROD, 0, NULL, NULL},
    {"kind", XS__F_ENUM, REQ, 0, offer_kinds, NULL},
    {"channel", XS__F_ENUM, REQ, 0, channels, NULL},
    {"sent_at", XS__F_DATETIME, REQ, 0, NULL, NULL},
    {"outcome", XS__F_ENUM, REQ, 0, outcomes, NULL},
    {"outcome_at", XS__F_DATETIME, 0, 0, NULL, NULL},
    {"revenue_delta", XS__F_MONEY, 0, 0, NULL, NULL},
};

/* A return or cancellation: what came back, as positive quantity and
 * amount; the customer is empty for an anonymous one. */
static const xs__io_field_spec returns_f[] = {
    {"return_id", XS__F_ID, REQ, 0, NULL, NULL},
    {"product_id", XS__F_ID, PROD, 0, NULL, NULL},
    {"customer_id", XS__F_ID, XS__REF_CUSTOMER, 0, NULL, NULL},
    {"date", XS__F_DATE, REQ, 0, NULL, NULL},
    {"quantity", XS__F_INT, REQ | XS__HAS_MIN, 1, NULL, NULL},
    {"amount", XS__F_MONEY, REQ | XS__NONNEG, 0, NULL, NULL},
};

/* An order line without a customer: a basket for co-purchase mining. */
static const xs__io_field_spec anonymous_orders_f[] = {
    {"order_id", XS__F_ID, REQ, 0, NULL, NULL},
    {"product_id", XS__F_ID, PROD, 0, NULL, NULL},
    {"date", XS__F_DATE, REQ, 0, NULL, NULL},
    {"quantity", XS__F_INT, REQ | XS__HAS_MIN, 1, NULL, NULL},
    {"amount", XS__F_MONEY, REQ, 0, NULL, NULL},
};

/* Churn risk scored outside xsell: P(churn) of a customer in [0, 1] and
 * the day it was scored (optional; the evidence of an offer quotes it). */
static const xs__io_field_spec churn_scores_f[] = {
    {"customer_id", XS__F_ID, CUST, 0, NULL, NULL},
    {"churn_risk", XS__F_NUMBER, REQ | XS__UNIT, 0, NULL, NULL},
    {"scored_at", XS__F_DATE, 0, 0, NULL, NULL},
};

#undef REQ
#undef CUST
#undef PROD

#define SPEC(a)                                                                          \
    {                                                                                    \
        a, sizeof a / sizeof a[0]                                                        \
    }
static const xs__io_table_spec specs[XS_N_TABLES] = {
    SPEC(customers_f),    SPEC(products_f), SPEC(subscriptions_f),
    SPEC(orders_f),       SPEC(usage_f),    SPEC(events_f),
    SPEC(offers_f),       SPEC(returns_f),  SPEC(anonymous_orders_f),
    SPEC(churn_scores_f),
};

const xs__io_table_spec *xs__io_validate_spec(xs_table_id t)
{
    if ((int)t < 0 || t >= XS_N_TABLES) return NULL;
    return &specs[t];
}

/* ---------------------------------------------------------------------- */
/* Single values                                                          */
/* ---------------------------------------------------------------------- */

/* Writes "<what>: \"value\"" (prefix printf-style text then the quote). */
static int fail(char *msg, size_t n, const char *what, const char *s, size_t len)
{
    char q[200];
    xs__error_quote(q, sizeof q, s, len);
    snprintf(msg, n, "%s%s", what, q);
    return -1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_';
}

/* Case-insensitive equality of (s, len) with a lower-case word. */
static int word_is(const char *s, size_t len, const char *w)
{
    size_t n = strlen(w);
    if (n != len) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != w[i]) return 0;
    }
    return 1;
}

/* Strict integer: optional sign, digits, fits int64. */
static int parse_int(const char *s, size_t len, long long *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == len) return -1;
    unsigned long long v = 0, lim = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
    for (; i < len; i++) {
        if (!is_digit(s[i])) return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10) return -2;
        v = v * 10 + d;
    }
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 0;
}

/* Decimal number without exponent letters other than e/E: digits, sign,
 * point, exponent; finite. */
static int parse_number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) return -1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!is_digit(c) && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E')
            return -1;
    }
    if (!is_digit(s[0]) && !(len > 1 && (s[0] == '-' || s[0] == '+' || s[0] == '.')))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len || !isfinite(v) || errno == ERANGE) return -1;
    *out = v;
    return 0;
}

/* Non-negative decimal without sign or exponent (limits values). */
static int is_plain_number(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    while (i < len && is_digit(s[i]))
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        size_t f = 0;
        while (i < len && is_digit(s[i]))
            i++, f++;
        if (!f) return 0;
    }
    return digits > 0 && i == len;
}

static int check_limits(const char *s, size_t len)
{
    size_t i = 0;
    for (;;) {
        size_t name = i;
        while (i < len && is_name_char(s[i]))
            i++;
        if (i == name || i == len || s[i] != '=') return 0;
        size_t val = ++i;
        while (i < len && s[i] != ';')
            i++;
        if (!is_plain_number(s + val, i - val)) return 0;
        if (i == len) return 1;
        i++;                    /* ';' */
        if (i == len) return 1; /* a trailing ';' is tolerated */
    }
}

static int check_email(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    if (!at || at == s || at == s + len - 1) return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) return 0;
    return memchr(at + 1, '@', (size_t)(s + len - at - 1)) == NULL;
}

/* The checks of xs__io_validate_value by field type: each parses s into
 * *out (or leaves it for the caller to keep as text: check_id, check_enum)
 * and returns 0, or writes msg and returns -1. */

static int check_id(const char *s, size_t len, char *msg, size_t msg_n)
{
    if (len > XS__ID_MAX) {
        char what[64];
        snprintf(what, sizeof what, "id longer than %d bytes: ", XS__ID_MAX);
        return fail(msg, msg_n, what, s, len);
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return fail(msg, msg_n, "id contains a control character: ", s, len);
    return 0;
}

static int check_money(const xs__io_field_spec *f, const char *s, size_t len,
                       int money_scale, xs__store_value *out, char *msg, size_t msg_n)
{
    int64_t minor;
    int rc = xs__money_parse(s, len, money_scale, &minor);
    if (rc == -2) {
        char what[64];
        snprintf(what, sizeof what, "more than %d fraction digits: ", money_scale);
        return fail(msg, msg_n, what, s, len);
    }
    if (rc == -3) return fail(msg, msg_n, "amount out of range: ", s, len);
    if (rc < 0) return fail(msg, msg_n, "not an amount: ", s, len);
    if ((f->flags & XS__NONNEG) && minor < 0)
        return fail(msg, msg_n, "must not be negative, got ", s, len);
    out->type = XS__V_INT;
    out->i = minor;
    return 0;
}

static int check_int(const xs__io_field_spec *f, const char *s, size_t len,
                     xs__store_value *out, char *msg, size_t msg_n)
{
    long long v;
    int rc = parse_int(s, len, &v);
    if (rc == -2) return fail(msg, msg_n, "integer out of range: ", s, len);
    if (rc < 0) return fail(msg, msg_n, "not an integer: ", s, len);
    if ((f->flags & XS__HAS_MIN) && v < f->min) {
        char what[64];
        snprintf(what, sizeof what, "must be at least %lld, got ", f->min);
        return fail(msg, msg_n, what, s, len);
    }
    out->type = XS__V_INT;
    out->i = v;
    return 0;
}

static int check_number(const xs__io_field_spec *f, const char *s, size_t len,
                        xs__store_value *out, char *msg, size_t msg_n)
{
    double v;
    if (parse_number(s, len, &v) < 0) return fail(msg, msg_n, "not a number: ", s, len);
    if ((f->flags & XS__NONNEG) && v < 0)
        return fail(msg, msg_n, "must not be negative, got ", s, len);
    if ((f->flags & XS__UNIT) && !(v >= 0 && v <= 1))
        return fail(msg, msg_n, "must be between 0 and 1, got ", s, len);
    out->type = XS__V_REAL;
    out->d = v == 0 ? 0.0 : v; /* no negative zero */
    return 0;
}

static int check_bool(const char *s, size_t len, xs__store_value *out, char *msg,
                      size_t msg_n)
{
    out->type = XS__V_INT;
    if (word_is(s, len, "1") || word_is(s, len, "true") || word_is(s, len, "yes") ||
        word_is(s, len, "y")) {
        out->i = 1;
        return 0;
    }
    if (word_is(s, len, "0") || word_is(s, len, "false") || word_is(s, len, "no") ||
        word_is(s, len, "n")) {
        out->i = 0;
        return 0;
    }
    return fail(msg, msg_n, "expected 1/0, true/false, yes/no or y/n, got ", s, len);
}

static int check_enum(const xs__io_field_spec *f, const char *s, size_t len, char *msg,
                      size_t msg_n)
{
    size_t n = 0;
    for (const char *const *e = f->enum_values; *e; e++, n++)
        if (strlen(*e) == len && !memcmp(*e, s, len)) return 0;
    char what[300];
    size_t o = (size_t)snprintf(what, sizeof what, "expected ");
    for (size_t i = 0; i < n && o < sizeof what; i++)
        o += (size_t)snprintf(what + o, sizeof what - o, "%s%s",
                              i == 0 ? "" : (i + 1 == n ? " or " : ", "),
                              f->enum_values[i]);
    if (o < sizeof what) snprintf(what + o, sizeof what - o, ", got ");
    return fail(msg, msg_n, what, s, len);
}

/* a number of months, or a word for the common ones (case-sensitive like
 * the other enumerations) */
static int check_term(const char *s, size_t len, xs__store_value *out, char *msg,
                      size_t msg_n)
{
    static const struct {
        const char *word;
        int months;
    } words[] = {{"month", 1}, {"quarter", 3}, {"year", 12}};
    long long v = -1;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].word) == len && !memcmp(words[i].word, s, len))
            v = words[i].months;
    int digits = len > 0 && len <= 4;
    for (size_t i = 0; i < len && digits; i++)
        digits = is_digit(s[i]);
    if (v < 0 && digits && parse_int(s, len, &v) < 0) v = -1;
    if (v < 1 || v > XS__TERM_MAX) {
        char what[128];
        snprintf(what, sizeof what,
                 "expected a number of months (1 to %d), month, quarter or year, "
                 "got ",
                 XS__TERM_MAX);
        return fail(msg, msg_n, what, s, len);
    }
    out->type = XS__V_INT;
    out->i = v;
    return 0;
}

/* Contract in validate.h. */
int xs__io_validate_value(const xs__io_field_spec *f, const char *s, size_t len,
                          int money_scale, xs__store_value *out, int32_t *days,
                          char *scratch, char *msg, size_t msg_n)
{
    memset(out, 0, sizeof *out);
    switch (f->type) {
    case XS__F_ID:
        if (check_id(s, len, msg, msg_n) < 0) return -1;
        break;
    case XS__F_TEXT:
        break;
    case XS__F_DATE:
        if (xs__date_parse(s, len, days) < 0)
            return fail(msg, msg_n, "not a date: ", s, len);
        if (len == 10) break; /* already YYYY-MM-DD: keep the text */
        xs__date_format(*days, scratch);
        out->type = XS__V_TEXT;
        out->s = scratch;
        out->len = 10;
        return 0;
    case XS__F_DATETIME:
        if (xs__date_parse(s, len, days) < 0)
            return fail(msg, msg_n, "not a date or timestamp: ", s, len);
        break;
    case XS__F_MONEY:
        return check_money(f, s, len, money_scale, out, msg, msg_n);
    case XS__F_INT:
        return check_int(f, s, len, out, msg, msg_n);
    case XS__F_NUMBER:
        return check_number(f, s, len, out, msg, msg_n);
    case XS__F_BOOL:
        return check_bool(s, len, out, msg, msg_n);
    case XS__F_ENUM:
        if (check_enum(f, s, len, msg, msg_n) < 0) return -1;
        break;
    case XS__F_TERM:
        return check_term(s, len, out, msg, msg_n);
    case XS__F_LIMITS:
        if (!check_limits(s, len))
            return fail(msg, msg_n,
                        "expected name=number pairs separated by \";\""
                        " (e.g. seats=10;storage_gb=5), got ",
                        s, len);
        break;
    case XS__F_EMAIL:
        if (!check_email(s, len))
            return fail(msg, msg_n, "not an email address: ", s, len);
        break;
    case XS__F_NAME:
        for (size_t i = 0; i < len; i++)
            if (!is_name_char(s[i]))
                return fail(msg, msg_n, "expected a name of a-z, 0-9 and _, got ", s,
                            len);
        break;
    }
    out->type = XS__V_TEXT;
    out->s = s;
    out->len = len;
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Rules across the fields of a row                                       */
/* ---------------------------------------------------------------------- */

static int field_index(xs_table_id t, const char *name)
{
    const xs__io_table_spec *sp = &specs[t];
    for (size_t i = 0; i < sp->n_fields; i++)
        if (!strcmp(sp->fields[i].name, name)) return (int)i;
    return -1;
}

/* later >= earlier by calendar date, when both are present and valid. */
static int check_order(xs_table_id t, const char *later, const char *earlier,
                       const xs__store_value *vals, const int32_t *days, const int *ok,
                       const char *const *raw, const size_t *raw_len,
                       void (*report)(void *, size_t, const char *), void *ctx)
{
    int a = field_index(t, later), b = field_index(t, earlier);
    if (a < 0 || b < 0 || !ok[a] || !ok[b] || vals[a].type == XS__V_NULL ||
        vals[b].type == XS__V_NULL)
        return 0;
    if (days[a] >= days[b]) return 0;
    char what[160], msg[400], d[11];
    xs__date_format(days[b], d);
    snprintf(what, sizeof what, "before %s %s: ", earlier, d);
    fail(msg, sizeof msg, what, raw[a], raw_len[a]);
    report(ctx, (size_t)a, msg);
    return 1;
}

/* events: nps needs an integer 0..10, ticket a severity 1..4. */
static int check_event_value(const xs__store_value *vals, const int *ok,
                             const char *const *raw, const size_t *raw_len,
                             void (*report)(void *, size_t, const char *), void *ctx)
{
    const int type = 2, value = 3;
    if (!ok[type] || !ok[value]) return 0;
    long lo, hi;
    const char *what;
    if (vals[type].len == 3 && !memcmp(vals[type].s, "nps", 3)) {
        lo = 0, hi = 10, what = "nps needs an integer 0 to 10, got ";
    } else if (vals[type].len == 6 && !memcmp(vals[type].s, "ticket", 6)) {
        lo = 1, hi = 4, what = "ticket needs a severity 1 to 4 (1 = critical), got ";
    } else {
        return 0;
    }
    double v = vals[value].d;
    if (vals[value].type == XS__V_REAL && v == floor(v) && v >= (double)lo &&
        v <= (double)hi)
        return 0;
    char msg[400];
    fail(msg, sizeof msg, what, raw[value] ? raw[value] : "",
         raw[value] ? raw_len[value] : 0);
    report(ctx, (size_t)value, msg);
    return 1;
}

/* Contract in validate.h. */
int xs__io_validate_row(xs_table_id t, const xs__store_value *vals, const int32_t *days,
                        const int *ok, const char *const *raw, const size_t *raw_len,
                        void (*report)(void *ctx, size_t field, const char *msg),
                        void *ctx)
{
    switch (t) {
    case XS_T_SUBSCRIPTIONS:
        return check_order(t, "end_date", "start_date", vals, days, ok, raw, raw_len,
                           report, ctx);
    case XS_T_OFFERS:
        return check_order(t, "outcome_at", "sent_at", vals, days, ok, raw, raw_len,
                           report, ctx);
    case XS_T_EVENTS:
        return check_event_value(vals, ok, raw, raw_len, report, ctx);
    default:
        return 0;
    }
}
