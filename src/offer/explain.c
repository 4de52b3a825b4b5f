/*
 * explain.c — what an offer says: the benefit-first explanation with the
 * customer's own numbers in every language of the message catalog
 * (src/offer/messages/<lang>.txt, read through offer/messages.h), the
 * evidence for the CSM, and the rows of the output tables (offers,
 * guardrail summary).
 *
 * The sentences are the catalog's; this file chooses the entry of an offer
 * (its trigger and the variant its numbers call for) and formats the values
 * of the placeholders. The rules the texts follow and the keys are in
 * docs/offers.md ("Explanations"); tests/unit/test_messages.c renders every
 * entry in every language and checks them.
 */
#include "offer/offer_int.h"

#include "base/date.h"
#include "base/numfmt.h"
#include "io/table.h"
#include "offer/messages.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Appends printf output to buf (size n) at *o, truncating safely. */
static void put(char *buf, size_t n, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t n, size_t *o, const char *fmt, ...)
{
    if (*o >= n) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *o, n - *o, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    *o += (size_t)k;
    if (*o >= n) *o = n - 1;
}

/* The same without printf, for the texts written for every customer:
 * len bytes of s, a string, a number with `decimals` fraction digits
 * ("%.*f"), an integer ("%lld"). */
static void put_n(char *buf, size_t n, size_t *o, const char *s, size_t len)
{
    if (*o >= n) return;
    if (len > n - 1 - *o) len = n - 1 - *o;
    memcpy(buf + *o, s, len);
    *o += len;
    buf[*o] = '\0';
}

static void put_s(char *buf, size_t n, size_t *o, const char *s)
{
    put_n(buf, n, o, s, strlen(s));
}

/* Contract in offer_int.h. */
void xs__offer_put_s(char *b, size_t n, size_t *w, const char *s)
{
    put_s(b, n, w, s);
}

/* A string literal, its length known. */
#define put_lit(buf, n, o, lit) put_n(buf, n, o, "" lit, sizeof lit - 1)

static void put_f(char *buf, size_t n, size_t *o, double v, int decimals)
{
    char t[XS__FMT_FIXED_MAX];
    put_n(buf, n, o, t, xs__fmt_fixed(t, v, decimals));
}

static void put_i(char *buf, size_t n, size_t *o, long long v)
{
    char t[24];
    put_n(buf, n, o, t, xs__fmt_int(t, v));
}

const char *xs__offer_money(const xs_offer_engine *en, double v, char *buf, size_t n)
{
    int scale = en->s->money_scale;
    char digits[64], grouped[96];
    double a = fabs(v);
    snprintf(digits, sizeof digits, "%.*f", scale, a);
    char *dot = strchr(digits, '.');
    size_t ilen = dot ? (size_t)(dot - digits) : strlen(digits), g = 0;
    for (size_t i = 0; i < ilen; i++) {
        if (i && (ilen - i) % 3 == 0) grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    snprintf(buf, n, "%s%s %s%s", v < 0 ? "-" : "", en->s->currency, grouped,
             dot ? dot : "");
    return buf;
}

/* A number as the customer knows it: whole numbers without decimals.
 * buf holds XS__FMT_FIXED_MAX bytes. */
static const char *num(double v, char *buf)
{
    xs__fmt_fixed(buf, v, fabs(v - round(v)) < 1e-9 ? 0 : 1);
    return buf;
}

static const char *metric_str(const xs_offer_engine *en, int m)
{
    return m < 0 ? "" : xs__intern_str(&en->s->dict.metrics, (uint32_t)m);
}

/* Capacity the proposed product gives for metric m: its limit plus what
 * the customer's other subscriptions of the family add today. NaN: no
 * limit (unlimited). */
static double new_cap(const xs_offer_engine *en, const xs_offer *o)
{
    const struct xs_snapshot *s = en->s;
    if (o->metric < 0) return NAN;
    uint16_t m = (uint16_t)o->metric;
    double to = xs__snapshot_prod_limit(s, (uint32_t)o->to_product, m);
    double from =
        o->from_product >= 0 ? xs__snapshot_prod_limit(s, (uint32_t)o->from_product, m) : NAN;
    if (isnan(to)) return NAN;
    return o->limit - (isnan(from) ? 0 : from) + to;
}

/* The name of a plan without a trailing "(monthly)" / "(annual)" style
 * suffix (ASCII or full-width parentheses), for sentences that state the
 * terms themselves: "Team (monthly) from a monthly term" would say it twice.
 * Copies into buf. */
static const char *plan_base(const char *name, char *buf, size_t n)
{
    static const char *const suffixes[] = {
        " (monthly billing)", " (annual billing)", " (monthly)", " (annual)",
        " (yearly)", " (quarterly)", "（月払い）", "（年払い）", " (月払い)",
        " (年払い)", "（年間契約）", NULL};
    size_t len = strlen(name);
    snprintf(buf, n, "%s", name);
    for (const char *const *sfx = suffixes; *sfx; sfx++) {
        size_t k = strlen(*sfx);
        if (len > k && len - k < n && !strcmp(name + len - k, *sfx)) {
            buf[len - k] = '\0';
            break;
        }
    }
    return buf;
}

/* ---------------------------------------------------------------------- */
/* Explanations: the catalog's entry, filled with the customer's numbers */
/* ---------------------------------------------------------------------- */

/*
 * No sentence lives here: src/offer/messages/<lang>.txt holds them all.
 * This code only decides which entry applies (the trigger, then variants
 * such as over the limit, a single item, no saving, today) and formats the
 * values the placeholders take (numbers, money and dates as the language
 * writes them, product names in the language when the catalog of products
 * has one). docs/offers.md lists the keys and their placeholders.
 */

/* The catalog key of each trigger; a trigger without one has no text (and
 * fails tests/unit/test_messages.c). */
static const char *const trigger_key[XS_TRIG_N] = {
    [XS_TRIG_USAGE] = "usage",
    [XS_TRIG_SEATS] = "seats",
    [XS_TRIG_RENEWAL] = "renewal",
    [XS_TRIG_TERM] = "term",
    [XS_TRIG_ADDON] = "addon",
    [XS_TRIG_SHOP_UPGRADE] = "shop_upgrade",
    [XS_TRIG_ADOPTION] = "adoption",
    [XS_TRIG_PURCHASE] = "purchase",
    [XS_TRIG_RENEWED] = "renewed",
    [XS_TRIG_CART] = "cart",
    [XS_TRIG_SIMILAR] = "similar",
    [XS_TRIG_BUNDLE] = "bundle",
    [XS_TRIG_LOW_USAGE] = "downsell",
    [XS_TRIG_CHURN_RISK] = "downsell",
    [XS_TRIG_CANCEL] = "downsell",
    [XS_TRIG_RETENTION_ADDON] = "retention_addon",
};

/* Contract in offer/messages.h. */
const char *xs__offer_explain_key(xs_offer_trigger t)
{
    return (unsigned)t < XS_TRIG_N ? trigger_key[t] : NULL;
}

#define MAX_VARS 32

/* One explanation being written: its language, the placeholder values and
 * the pool that holds the formatted ones. */
typedef struct ctx {
    const xs_offer_engine *en;
    int lang;
    xs__offer_msg_var v[MAX_VARS];
    size_t n_v;
    char pool[6144];
    size_t n_pool;
    int have_num;           /* grp and dec looked up */
    const char *grp, *dec;  /* number.group, number.decimal of lang */
} ctx;

/* Starts an explanation in language lang (an index of messages.h). */
static void ctx_init(ctx *c, const xs_offer_engine *en, int lang)
{
    c->en = en;
    c->lang = lang;
    c->n_v = 0;
    c->n_pool = 0;
    c->have_num = 0;
}

/* a "." b into k (size n), cut at n - 1 bytes as snprintf would */
static const char *dotted(char *k, size_t n, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > n - 1) la = n - 1;
    memcpy(k, a, la);
    if (la < n - 1) k[la++] = '.';
    if (lb > n - 1 - la) lb = n - 1 - la;
    memcpy(k + la, b, lb);
    k[la + lb] = '\0';
    return k;
}

/* Sets placeholder name (a static string) to value (borrowed). */
static void var(ctx *c, const char *name, const char *value)
{
    for (size_t i = 0; i < c->n_v; i++)
        if (c->v[i].name[0] == name[0] && !strcmp(c->v[i].name, name)) {
            c->v[i].value = value;
            return;
        }
    if (c->n_v < MAX_VARS) c->v[c->n_v++] = (xs__offer_msg_var){name, value};
}

/* Fills template t (NULL: nothing) with vars into the pool. @return the
 * copy, valid while c is. */
static const char *fill(ctx *c, const char *t, const xs__offer_msg_var *v, size_t n_v)
{
    char *out = c->pool + c->n_pool;
    size_t w = 0, room = sizeof c->pool - c->n_pool;
    if (room < 2) return "";
    xs__offer_msg_fill(t ? t : "", v, n_v, out, room, &w);
    c->n_pool += w + 1;
    return out;
}

/* s[0..len) (NUL-terminated, no placeholders) kept in the pool: fill()
 * without the scan for placeholders where it fits. */
static const char *keep(ctx *c, const char *s, size_t len)
{
    size_t room = sizeof c->pool - c->n_pool;
    if (room < 2 || len >= room) return fill(c, s, NULL, 0); /* it truncates */
    char *out = c->pool + c->n_pool;
    memcpy(out, s, len + 1);
    c->n_pool += len + 1;
    return out;
}

/* A fragment of the catalog (key with variants) filled with vars. */
static const char *frag(ctx *c, const char *key, const char *v1, const char *v2,
                        const xs__offer_msg_var *v, size_t n_v)
{
    return fill(c, xs__offer_msg_pick(c->lang, key, v1, v2), v, n_v);
}

/* A number with `decimals` digits, grouped as the language writes it. */
static const char *number(ctx *c, double x, int decimals)
{
    if (!c->have_num) {
        c->grp = xs__offer_msg_number(c->lang, &c->dec);
        c->have_num = 1;
    }
    const char *grp = c->grp, *dec = c->dec;
    char digits[XS__FMT_FIXED_MAX], out[128];
    size_t nd = xs__fmt_fixed(digits, fabs(x), decimals);
    if (nd > 63) digits[nd = 63] = '\0'; /* as wide as it always was */
    char *dot = memchr(digits, '.', nd);
    size_t ilen = dot ? (size_t)(dot - digits) : nd, w = 0;
    if (x < 0 && strspn(digits, "0.") != nd) out[w++] = '-';
    for (size_t i = 0; i < ilen; i++) {
        if (i && (ilen - i) % 3 == 0 && grp)
            for (const char *g = grp; *g && w < 100; g++)
                out[w++] = *g;
        out[w++] = digits[i];
    }
    if (dot) {
        for (const char *d = dec ? dec : "."; *d && w < 110; d++)
            out[w++] = *d;
        for (const char *d = dot + 1; *d && w < 126; d++)
            out[w++] = *d;
    }
    out[w] = '\0';
    return keep(c, out, w);
}

/* A quantity as the customer knows it: whole numbers without decimals. */
static const char *qty(ctx *c, double x)
{
    return number(c, x, fabs(x - round(x)) < 1e-9 ? 0 : 1);
}

static const char *count(ctx *c, unsigned k)
{
    return number(c, k, 0);
}

/* Money in the dataset currency: the catalog's money.<CODE> or money entry. */
static const char *money(ctx *c, double x)
{
    const struct xs_snapshot *s = c->en->s;
    char key[32];
    const char *t =
        xs__offer_msg_get(c->lang, dotted(key, sizeof key, "money", s->currency));
    if (!t) t = xs__offer_msg_get(c->lang, "money");
    xs__offer_msg_var v[] = {{"amount", number(c, x, s->money_scale)},
                             {"currency", s->currency}};
    return fill(c, t, v, 2);
}

/* A money amount that rounds to zero in the dataset's minor units. */
static int zero_money(const xs_offer_engine *en, double x)
{
    return fabs(x) * en->money_div < 0.5;
}

static const char *date(ctx *c, int32_t day)
{
    int y, m, d;
    char key[16], ys[24], ms[24], ds[24];
    xs__civil_from_days(day, &y, &m, &d);
    xs__fmt_int(ys, y);
    xs__fmt_int(ms, m);
    xs__fmt_int(ds, d);
    const char *mn = xs__offer_msg_get(c->lang, dotted(key, sizeof key, "month", ms));
    xs__offer_msg_var v[] = {{"year", ys}, {"month", mn ? mn : ms}, {"day", ds}};
    return fill(c, xs__offer_msg_get(c->lang, "date"), v, 3);
}

/* "{n} days" / "1 day" */
static const char *days(ctx *c, int32_t n)
{
    xs__offer_msg_var v[] = {{"n", count(c, (unsigned)n)}};
    return frag(c, "days", n == 1 ? "one" : NULL, NULL, v, 1);
}

static const char *percent(ctx *c, double p)
{
    char b[XS__FMT_FIXED_MAX];
    xs__fmt_fixed(b, p, 0);
    b[31] = '\0'; /* as wide as it always was */
    xs__offer_msg_var v[] = {{"n", b}};
    return fill(c, xs__offer_msg_get(c->lang, "percent"), v, 1);
}

/* Product p's name, in Japanese when ja: the localised name when the
 * catalog of products has one for it (name_ja), else its name, else its id. */
static const char *product_name(const struct xs_snapshot *s, int32_t p, int ja)
{
    if (p < 0 || (size_t)p >= s->prod.n) return "";
    if (ja && s->prod.name_ja && s->prod.name_ja[p])
        return xs__snapshot_text(s, s->prod.name_ja[p]);
    const char *t = xs__snapshot_text(s, s->prod.name[p]);
    return *t ? t : xs__intern_str(&s->prod.ids, (uint32_t)p);
}

/* Contract in xsell.h. */
const char *xs_offer_product_name(const xs_offer_engine *en, int32_t product, const char *lang)
{
    return product_name(en->s, product, lang && !strcmp(lang, "ja"));
}

/* Product p's name in the explanation's language. */
static const char *pname(ctx *c, int32_t p)
{
    const char *code = xs__offer_msg_lang_code((size_t)c->lang);
    return product_name(c->en->s, p, code && !strcmp(code, "ja"));
}

/* A metric's name in the language (metric.<name>), else the data's own. */
static const char *metric_word(ctx *c, const char *m)
{
    char key[96];
    const char *t = xs__offer_msg_get(c->lang, dotted(key, sizeof key, "metric", m));
    return t ? t : m;
}

/* Sets {situation} (used of limit, or over it), {used}, {limit}, {metric}
 * and {cap} (the capacity cap, the metric's unit) for the offer's metric.
 * @return 1 when used is over the limit */
static int usage_vars(ctx *c, const xs_offer *o, double cap)
{
    const char *m = metric_str(c->en, o->metric), *mw = metric_word(c, m);
    int over = o->used > o->limit;
    var(c, "metric", mw);
    var(c, "used", qty(c, o->used));
    var(c, "limit", qty(c, o->limit));
    var(c, "situation", frag(c, "situation", m, over ? "over" : NULL, c->v, c->n_v));
    if (!isnan(cap)) {
        xs__offer_msg_var v[] = {{"n", qty(c, cap)}, {"metric", mw}};
        var(c, "cap", frag(c, "cap", m, fabs(cap - 1) < 1e-9 ? "one" : NULL, v, 2));
    }
    return over;
}

/* {share}: "k of n customers (p%)" / "k of n orders (p%)", with its base;
 * without a base "p% of customers". */
static const char *share(ctx *c, uint32_t k, uint32_t base, double conf, int orders)
{
    const char *key = orders ? "share.orders" : "share.customers";
    if (!base) {
        xs__offer_msg_var v[] = {{"pct", percent(c, 100.0 * conf)}};
        return frag(c, key, "nobase", NULL, v, 1);
    }
    xs__offer_msg_var v[] = {
        {"k", count(c, k)}, {"n", count(c, base)}, {"pct", percent(c, 100.0 * k / base)}};
    return frag(c, key, base == 1 ? "one" : NULL, NULL, v, 3);
}

/* items joined as the language lists them: key.2 / key.more, else list.* */
static const char *join(ctx *c, const char *key, const char *const *item, size_t n)
{
    if (!n) return "";
    const char *res = item[n - 1];
    for (size_t i = n - 1; i-- > 0;) {
        char k[64];
        snprintf(k, sizeof k, "%s.%s", key, i == n - 2 ? "2" : "more");
        const char *t = xs__offer_msg_get(c->lang, k);
        if (!t) t = xs__offer_msg_get(c->lang, i == n - 2 ? "list.2" : "list.more");
        xs__offer_msg_var v[] = {{"a", item[i]}, {"b", res}};
        res = fill(c, t, v, 2);
    }
    return res;
}

/* {gain}: the declared limits of the next tier that differ from the held
 * one's ("screen_in 16 instead of 14"). @return NULL when none differ */
static const char *upgrade_gain(ctx *c, const xs_offer *o)
{
    const struct xs_snapshot *s = c->en->s;
    int32_t p = o->from_product, q = o->to_product;
    const char *item[16];
    size_t n = 0;
    for (uint32_t l = s->prod.limit_off[q]; l < s->prod.limit_off[q + 1] && n < 16; l++) {
        const char *m = metric_str(c->en, s->prod.limit_name[l]);
        if (!strcmp(m, "bundle_discount")) continue;
        double from = xs__snapshot_prod_limit(s, (uint32_t)p, s->prod.limit_name[l]);
        if (from == s->prod.limit_value[l]) continue;
        xs__offer_msg_var v[] = {{"metric", metric_word(c, m)},
                                 {"from", isnan(from) ? "" : qty(c, from)},
                                 {"to", qty(c, s->prod.limit_value[l])}};
        item[n++] = frag(c, "gain", isnan(from) ? "new" : NULL, NULL, v, 3);
    }
    return n ? join(c, "gain.join", item, n) : NULL;
}

/* ---- one explainer per trigger: sets the message's variables and picks
 * its variant of the catalog entry `key` */

typedef const char *(*explainer)(ctx *c, const xs_offer *o, const char *key);

/* The horizon in months (12 when unset). */
static double horizon(const ctx *c)
{
    return c->en->cfg.horizon_months > 0 ? c->en->cfg.horizon_months : 12;
}

/* usage, renewal: a limit reached, the next tier's. */
static const char *explain_limit(ctx *c, const xs_offer *o, const char *key)
{
    double cap = new_cap(c->en, o);
    int over = usage_vars(c, o, cap);
    const char *v = isnan(cap) ? "unlimited" : over && cap >= o->used ? "over" : NULL;
    const char *t = xs__offer_msg_pick(c->lang, key, v, NULL);
    /* the date (a tenth of an explanation's work) only where the entry says
     * it: renewal does, usage does not */
    if (t && strstr(t, "{date}")) var(c, "date", date(c, c->en->as_of + o->days));
    return t;
}

static const char *explain_seats(ctx *c, const xs_offer *o, const char *key)
{
    const struct xs_snapshot *s = c->en->s;
    unsigned k = o->qty_to - o->qty_from;
    double per = o->metric < 0 ? NAN
                               : xs__snapshot_prod_limit(s, (uint32_t)o->to_product,
                                                         (uint16_t)o->metric);
    if (isnan(per)) per = 0;
    usage_vars(c, o, o->limit + per * k);
    var(c, "qty", count(c, k));
    var(c, "price", money(c, o->revenue_delta / horizon(c)));
    return xs__offer_msg_pick(c->lang, key, k == 1 ? "one" : NULL, NULL);
}

static const char *explain_term(ctx *c, const xs_offer *o, const char *key)
{
    double save = -o->revenue_delta * 12 / horizon(c);
    char k1[24], k2[24], plan[256];
    var(c, "from",
        fill(c, plan_base(pname(c, o->from_product), plan, sizeof plan), NULL, 0));
    var(c, "saving", money(c, save));
    snprintf(k1, sizeof k1, "%u", (unsigned)o->term_from);
    snprintf(k2, sizeof k2, "%u", (unsigned)o->term_to);
    xs__offer_msg_var v1[] = {{"n", count(c, o->term_from)}},
                      v2[] = {{"n", count(c, o->term_to)}};
    var(c, "term_from", frag(c, "period", k1, NULL, v1, 1));
    var(c, "term_to", frag(c, "period", k2, NULL, v2, 1));
    return xs__offer_msg_pick(
        c->lang, key, zero_money(c->en, save) || save < 0 ? "nosaving" : NULL, NULL);
}

static const char *explain_addon(ctx *c, const xs_offer *o, const char *key)
{
    var(c, "price", money(c, o->revenue_delta / horizon(c)));
    return xs__offer_msg_pick(c->lang, key, NULL, NULL);
}

/* retention.c: churn with / without it */
static const char *explain_retention_addon(ctx *c, const xs_offer *o, const char *key)
{
    var(c, "price", money(c, o->revenue_delta / horizon(c)));
    var(c, "with", percent(c, o->n_with ? 100.0 * o->churn_with / o->n_with : 0));
    var(c, "without",
        percent(c, o->n_without ? 100.0 * o->churn_without / o->n_without : 0));
    return xs__offer_msg_pick(c->lang, key, NULL, NULL);
}

static const char *explain_upgrade(ctx *c, const xs_offer *o, const char *key)
{
    const struct xs_snapshot *s = c->en->s;
    const char *g = upgrade_gain(c, o);
    var(c, "gain", g);
    var(c, "family",
        xs__snapshot_dict_str(&s->dict.families, s->prod.family[o->to_product]));
    var(c, "price", money(c, o->revenue_delta));
    return xs__offer_msg_pick(c->lang, key, g ? NULL : "nogain", NULL);
}

/* adoption, renewed */
static const char *explain_adoption(ctx *c, const xs_offer *o, const char *key)
{
    const xs_offer_engine *en = c->en;
    uint32_t k, base;
    xs__offer_share(en, o, &k, &base);
    var(c, "share", share(c, k, base, o->confidence, 0));
    if (o->trigger == XS_TRIG_RENEWED)
        return xs__offer_msg_pick(c->lang, key, NULL, NULL);
    if (o->rule_from >= 0 && en->s->prod.kind[o->rule_from] == XS_SNAP_KIND_PRODUCT)
        return xs__offer_msg_pick(c->lang, key, "shop", NULL);
    int32_t start = en->as_of - o->days;
    var(c, "since", date(c, start));
    xs__offer_msg_var v[] = {{"days", o->lag_days > 0 ? days(c, o->lag_days) : ""}};
    var(c, "lag",
        frag(c, "lag",
             o->lag_days < 0    ? "none"
             : o->lag_days == 0 ? "zero"
                                : NULL,
             NULL, v, 1));
    return xs__offer_msg_pick(c->lang, key, start >= o->timing ? "today" : NULL, NULL);
}

/* similar, cart, purchase */
static const char *explain_order_rule(ctx *c, const xs_offer *o, const char *key)
{
    uint32_t k, base;
    xs__offer_share(c->en, o, &k, &base);
    var(c, "share", share(c, k, base, o->confidence, 1));
    return xs__offer_msg_pick(c->lang, key, NULL, NULL);
}

static const char *explain_bundle(ctx *c, const xs_offer *o, const char *key)
{
    const char *item[3] = {pname(c, o->to_product)};
    size_t n = 1;
    for (int k = 0; k < 2; k++)
        if (o->also[k] >= 0) item[n++] = pname(c, o->also[k]);
    var(c, "items", join(c, "list", item, n));
    var(c, "price", money(c, o->revenue_delta));
    var(c, "discount", money(c, o->discount));
    var(c, "share", share(c, o->share_n, o->base_n, o->confidence, 1));
    int disc = o->discount > 0 && !zero_money(c->en, o->discount);
    return xs__offer_msg_pick(c->lang, key, n == 1 ? "one" : NULL,
                              disc ? "discount" : NULL);
}

/* The downsells (low_usage, churn_risk, cancel_request): their entry is the
 * move's (drop, packs, monthly, tier), not the trigger's. */
static const char *explain_downsell(ctx *c, const xs_offer *o, const char *key)
{
    const xs_offer_engine *en = c->en;
    const struct xs_snapshot *s = en->s;
    char plan[256];
    (void)key;
    double save = -o->revenue_delta / horizon(c);
    const char *nosave = zero_money(en, save) || save < 0 ? "nosaving" : NULL;
    var(c, "saving", money(c, save));
    var(c, "note", "");
    if (o->to_product < 0)
        return xs__offer_msg_pick(c->lang, "downsell.drop", nosave, NULL);
    int situation = !isnan(o->used) && o->metric >= 0 &&
                    (o->to_product == o->from_product || o->trigger == XS_TRIG_LOW_USAGE);
    if (situation) {
        usage_vars(c, o, NAN);
        var(c, "note", fill(c, xs__offer_msg_get(c->lang, "note"), c->v, c->n_v));
    }
    if (o->to_product == o->from_product) {
        var(c, "qty_from", count(c, o->qty_from));
        var(c, "qty_to", count(c, o->qty_to));
        if (o->qty_to == 0)
            return xs__offer_msg_pick(c->lang, "downsell.packs.all", nosave,
                                      o->qty_from == 1 ? "one" : NULL);
        return xs__offer_msg_pick(c->lang, "downsell.packs", nosave, NULL);
    }
    if (s->prod.billing[o->to_product] == XS_SNAP_BILL_MONTH && o->from_product >= 0 &&
        s->prod.billing[o->from_product] == XS_SNAP_BILL_YEAR) {
        var(c, "product",
            fill(c, plan_base(pname(c, o->to_product), plan, sizeof plan), NULL, 0));
        var(c, "date", date(c, en->as_of + o->days));
        return xs__offer_msg_pick(c->lang, "downsell.monthly",
                                  o->days <= 0 ? "today" : NULL, NULL);
    }
    return xs__offer_msg_pick(c->lang, "downsell.tier", nosave, NULL);
}

/* The explainer of each trigger (docs/offers.md "Explanations"). */
static const explainer EXPLAIN[XS_TRIG_N] = {
    [XS_TRIG_USAGE] = explain_limit,
    [XS_TRIG_RENEWAL] = explain_limit,
    [XS_TRIG_SEATS] = explain_seats,
    [XS_TRIG_TERM] = explain_term,
    [XS_TRIG_ADDON] = explain_addon,
    [XS_TRIG_RETENTION_ADDON] = explain_retention_addon,
    [XS_TRIG_SHOP_UPGRADE] = explain_upgrade,
    [XS_TRIG_ADOPTION] = explain_adoption,
    [XS_TRIG_RENEWED] = explain_adoption,
    [XS_TRIG_SIMILAR] = explain_order_rule,
    [XS_TRIG_CART] = explain_order_rule,
    [XS_TRIG_PURCHASE] = explain_order_rule,
    [XS_TRIG_BUNDLE] = explain_bundle,
    [XS_TRIG_LOW_USAGE] = explain_downsell,
    [XS_TRIG_CHURN_RISK] = explain_downsell,
    [XS_TRIG_CANCEL] = explain_downsell,
};

/* The key and variants of the offer's entry, its placeholders set: the
 * trigger's explainer. */
static const char *choose(ctx *c, const xs_offer *o)
{
    const char *key = xs__offer_explain_key(o->trigger);
    if (!key) return NULL;
    var(c, "product", pname(c, o->to_product));
    var(c, "from", pname(c, o->from_product));
    var(c, "base", pname(c, o->rule_from));
    explainer f = (unsigned)o->trigger < XS_TRIG_N ? EXPLAIN[o->trigger] : NULL;
    return (f ? f : explain_downsell)(c, o, key);
}

const char *xs_offer_explain(const xs_offer_engine *en, const xs_offer *o,
                             const char *lang, char *b, size_t n)
{
    size_t w = 0;
    if (!n) return b;
    b[0] = '\0';
    int l = xs__offer_msg_lang(lang);
    if (l < 0) return b;
    ctx c; /* on the stack: explaining allocates nothing */
    ctx_init(&c, en, l);
    const char *t = choose(&c, o);
    if (t) xs__offer_msg_fill(t, c.v, c.n_v, b, n, &w);
    return b;
}

/* Contract in offer/messages.h. */
const char *xs__offer_explain_entry(const xs_offer_engine *en, const xs_offer *o,
                                    const char *lang)
{
    int l = xs__offer_msg_lang(lang);
    if (l < 0) return NULL;
    ctx c;
    ctx_init(&c, en, l);
    return choose(&c, o);
}

/* Evidence, the usage against the limit: "; seats 95/100 (95%)". */
static void evidence_usage(const xs_offer_engine *en, const xs_offer *o, char *b,
                           size_t n, size_t *wp)
{
    char u[XS__FMT_FIXED_MAX], l[XS__FMT_FIXED_MAX];
    if (o->metric < 0 || isnan(o->used) || !(o->limit > 0)) return;
    put_lit(b, n, wp, "; ");
    put_s(b, n, wp, metric_str(en, o->metric));
    put_lit(b, n, wp, " ");
    put_s(b, n, wp, num(o->used, u));
    put_lit(b, n, wp, "/");
    put_s(b, n, wp, num(o->limit, l));
    put_lit(b, n, wp, " (");
    put_f(b, n, wp, 100 * o->used / o->limit, 0);
    put_lit(b, n, wp, "%)");
}

/* Evidence of a shop cross-sell's relevance: what ordered it, the honest
 * share, the price band, the substitute it is of. */
static void evidence_shop(const xs_offer_engine *en, const xs_offer *o, char *b, size_t n,
                          size_t *wp)
{
    /* relevance: what ordered it, the honest share, the price band */
    uint32_t k, base;
    xs__offer_share(en, o, &k, &base);
    if (base && o->trigger != XS_TRIG_BUNDLE) {
        put_lit(b, n, wp, "; share ");
        put_i(b, n, wp, k);
        put_lit(b, n, wp, "/");
        put_i(b, n, wp, base);
        put_s(b, n, wp,
              o->trigger == XS_TRIG_ADOPTION || o->trigger == XS_TRIG_RENEWED
                  ? " customers"
                  : " orders");
    }
    put_lit(b, n, wp, "; relevance ");
    put_f(b, n, wp, o->relevance, 3);
    if (o->band_hi > 0) {
        double price = xs__offer_list_price(en, o);
        put_lit(b, n, wp, "; price ");
        put_f(b, n, wp, price, 2);
        put_lit(b, n, wp, ", largest past line ");
        put_f(b, n, wp, o->band_hi, 2);
        put_lit(b, n, wp, " (");
        put_f(b, n, wp, price / o->band_hi, 2);
        put_lit(b, n, wp, "x)");
    }
    if (o->guard == XS_GUARD_SUBSTITUTE && o->subst_of >= 0) {
        double sl = 0;
        xs__offer_is_substitute(en, (uint32_t)o->to_product, (uint32_t)o->subst_of, &sl);
        put(b, n, wp, "; substitute of %s (same family or category, buyers' lift %.2f)",
            xs__intern_str(&en->s->prod.ids, (uint32_t)o->subst_of), sl);
    }
}

/* Evidence of a cross-sell: its rule, neighbour or bundle, the adoption
 * lag, and for a shop product its relevance. */
static void evidence_cross(const xs_offer_engine *en, const xs_offer *o, char *b,
                           size_t n, size_t *wp)
{
    const char *a =
        o->rule_from >= 0 ? xs__intern_str(&en->s->prod.ids, (uint32_t)o->rule_from) : "";
    if (o->rule_from >= 0 && en->s->prod.family[o->rule_from] != XS_SNAP_NONE16 &&
        en->s->prod.kind[o->rule_from] == XS_SNAP_KIND_PLAN)
        a = xs__intern_str(&en->s->dict.families, en->s->prod.family[o->rule_from]);
    const char *c = xs__intern_str(&en->s->prod.ids, (uint32_t)o->to_product);
    if (en->s->prod.kind[o->to_product] == XS_SNAP_KIND_PLAN)
        c = xs__intern_str(&en->s->dict.families, en->s->prod.family[o->to_product]);
    if (o->trigger == XS_TRIG_SIMILAR)
        put(b, n, wp, "; similarity %s ~ %s cosine %.3f, co-orders %.3f of %s's", a, c,
            o->lift, o->confidence, a);
    else if (o->trigger == XS_TRIG_BUNDLE) {
        put(b, n, wp, "; bundle %s + %s", a, c);
        for (int k = 0; k < 2; k++)
            if (o->also[k] >= 0)
                put(b, n, wp, " + %s",
                    xs__intern_str(&en->s->prod.ids, (uint32_t)o->also[k]));
        put(b, n, wp, " in %u of %u orders with %s, lift %.2f", o->share_n, o->base_n, a,
            o->lift);
        if (o->discount > 0) put(b, n, wp, "; bundle discount %.2f", o->discount);
    } else {
        put_lit(b, n, wp, "; rule ");
        put_s(b, n, wp, a);
        put_lit(b, n, wp, " -> ");
        put_s(b, n, wp, c);
        put_lit(b, n, wp, " support ");
        put_f(b, n, wp, o->support, 4);
        put_lit(b, n, wp, " confidence ");
        put_f(b, n, wp, o->confidence, 3);
        put_lit(b, n, wp, " lift ");
        put_f(b, n, wp, o->lift, 2);
    }
    if (o->lag_days >= 0) {
        put_lit(b, n, wp, "; median adoption lag ");
        put_i(b, n, wp, (int)o->lag_days);
        put_lit(b, n, wp, " days; held ");
        put_i(b, n, wp, (int)o->days);
        put_lit(b, n, wp, " days");
    }
    if (xs__offer_is_shop_cross(en, o)) evidence_shop(en, o, b, n, wp);
}

/* Evidence of the move itself: a shop ladder, a term, a renewal, the churn
 * of a protective add-on's holders, retention. */
static void evidence_move(const xs_offer_engine *en, const xs_offer *o, char *b, size_t n,
                          size_t *wp)
{
    if (o->trigger == XS_TRIG_SHOP_UPGRADE && o->from_product >= 0)
        put(b, n, wp, "; ladder %s tier %u -> %u",
            xs__snapshot_dict_str(&en->s->dict.families,
                                  en->s->prod.family[o->to_product]),
            (unsigned)en->s->prod.tier[o->from_product],
            (unsigned)en->s->prod.tier[o->to_product]);
    if (o->trigger == XS_TRIG_TERM && o->term_to)
        put(b, n, wp, "; term %u -> %u months", (unsigned)o->term_from,
            (unsigned)o->term_to);
    if (o->trigger == XS_TRIG_RENEWAL || (o->kind == XS_OFFER_DOWNSELL && o->days > 0)) {
        put_lit(b, n, wp, "; renewal in ");
        put_i(b, n, wp, (int)o->days);
        put_lit(b, n, wp, " days");
    }
    if (o->trigger == XS_TRIG_RETENTION_ADDON)
        put(b, n, wp, "; churned %u of %u with it, %u of %u without",
            (unsigned)o->churn_with, (unsigned)o->n_with, (unsigned)o->churn_without,
            (unsigned)o->n_without);
    if (o->retention) put(b, n, wp, "; retention (at risk)");
}

/* Evidence of the value: P(accept) and its prior, value, health, P(churn)
 * and its source, uplift, the model. */
static void evidence_value(const xs_offer_engine *en, const xs_offer *o, char *b,
                           size_t n, size_t *wp)
{
    char src[160];
    put_lit(b, n, wp, "; P(accept) ");
    put_f(b, n, wp, o->p_accept, 3);
    put_lit(b, n, wp, " (prior ");
    put_f(b, n, wp, o->p_prior, 3);
    put_lit(b, n, wp, ", ");
    put_s(b, n, wp, xs__offer_prior_text(en, o, src, sizeof src));
    put_lit(b, n, wp, "); value ");
    put_f(b, n, wp, o->value, 2);
    put_lit(b, n, wp, "; health ");
    put_f(b, n, wp,
          isnan(en->health[o->customer]) ? -1.0 : (double)en->health[o->customer], 0);
    put_lit(b, n, wp, "; P(churn) ");
    put_f(b, n, wp, o->p_churn, 3);
    if (!isnan(o->p_churn)) { /* where P(churn) comes from (churn_src.c) */
        put_lit(b, n, wp, " (");
        put_s(b, n, wp, xs__offer_churn_source(en, o->customer, src, sizeof src));
        put_lit(b, n, wp, ")");
    }
    if (o->value_basis == XS_VALUE_UPLIFT) { /* uplift_src.c */
        xs_offer_uplift_info ui;
        xs_offer_engine_uplift(en, o->kind, &ui);
        put(b, n, wp,
            "; uplift %+.3f (%s) from the holdout experiment %s (%zu treated / %zu "
            "holdout); expected value = uplift x value - contact cost %.2f",
            o->uplift,
            o->kind == XS_OFFER_DOWNSELL || o->retention ? "retained" : "expanded",
            ui.experiment, ui.n_treated, ui.n_holdout, o->uplift * o->value - o->ev);
    }
    if (en->model_src == 1) {
        put_lit(b, n, wp, "; model built ");
        put_s(b, n, wp, en->model_day);
    } else if (en->model_src == 2)
        put(b, n, wp, "; model fitted, build is as of %s", en->model_day);
}

const char *xs_offer_evidence(const xs_offer_engine *en, const xs_offer *o, char *b,
                              size_t n)
{
    size_t w = 0;
    if (n) b[0] = '\0';
    put_lit(b, n, &w, "trigger ");
    put_s(b, n, &w, xs_offer_trigger_name(o->trigger));
    evidence_usage(en, o, b, n, &w);
    if (o->kind == XS_OFFER_CROSS_SELL) evidence_cross(en, o, b, n, &w);
    evidence_move(en, o, b, n, &w);
    evidence_value(en, o, b, n, &w);
    return b;
}

/* The product text of offer o by ids (lang NULL) or by the catalog's names
 * in lang (as xs_offer_product_name). */
static const char *product_text(const xs_offer_engine *en, const xs_offer *o,
                                const char *lang, char *b, size_t n)
{
    const xs__intern *ids = &en->s->prod.ids;
    int ja = lang && !strcmp(lang, "ja");
#define PNAME(p)                                                                         \
    (lang ? xs_offer_product_name(en, (p), lang) : xs__intern_str(ids, (uint32_t)(p)))
    size_t w = 0;
    b[0] = '\0';
    if (o->from_product >= 0) {
        put_s(b, n, &w, PNAME(o->from_product));
        if (o->qty_from || o->qty_to) {
            put_lit(b, n, &w, " x");
            put_i(b, n, &w, o->qty_from);
        }
        if (o->term_to && o->to_product == o->from_product) {
            put_lit(b, n, &w, " (");
            put_i(b, n, &w, o->term_from);
            put_s(b, n, &w, ja ? "か月)" : " months)");
        }
        put_lit(b, n, &w, " -> ");
    }
    if (o->to_product >= 0) {
        put_s(b, n, &w, PNAME(o->to_product));
        for (int k = 0; o->trigger == XS_TRIG_BUNDLE && k < 2; k++) /* the bundle */
            if (o->also[k] >= 0) {
                put_lit(b, n, &w, " + ");
                put_s(b, n, &w, PNAME(o->also[k]));
            }
        if (o->qty_from || o->qty_to) {
            put_lit(b, n, &w, " x");
            put_i(b, n, &w, o->qty_to);
        }
        /* the same product on a longer term: say which */
        if (o->term_to && o->to_product == o->from_product) {
            put_lit(b, n, &w, " (");
            put_i(b, n, &w, o->term_to);
            put_s(b, n, &w, ja ? "か月)" : " months)");
        }
    } else {
        put_s(b, n, &w, ja ? "（解約）" : "(removed)");
    }
    return b;
#undef PNAME
}

/* Contract in offer_int.h. */
const char *xs__offer_product_text(const xs_offer_engine *en, const xs_offer *o, char *b,
                                   size_t n)
{
    return product_text(en, o, NULL, b, n);
}

/* Contract in offer_int.h. */
const char *xs__offer_product_label(const xs_offer_engine *en, const xs_offer *o,
                                    const char *lang, char *b, size_t n)
{
    return product_text(en, o, lang ? lang : "en", b, n);
}

int xs_offer_table_columns(xs_table *t)
{
    static const char *const cols[] = {
        "customer_id",    "rank",        "kind",          "trigger", "product",
        "expected_value", "probability", "revenue_delta", "channel", "timing",
        "explanation",    "evidence",    "suppressed_by"};
    static const xs_coltype type[] = {XS_COL_TEXT, XS_COL_NUM,  XS_COL_TEXT, XS_COL_TEXT,
                                      XS_COL_TEXT, XS_COL_NUM,  XS_COL_NUM,  XS_COL_NUM,
                                      XS_COL_TEXT, XS_COL_TEXT, XS_COL_TEXT, XS_COL_TEXT,
                                      XS_COL_TEXT};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (xs_table_column(t, cols[i], type[i]) < 0) return XS_ENOMEM;
    return XS_OK;
}

int xs_offer_table(const xs_offer_engine *en, const xs_offer *o, size_t n,
                   const char *lang, int show_suppressed, xs_table *t)
{
    if (lang && strcmp(lang, "en") && strcmp(lang, "ja")) return XS_EINVAL;
    char prod[512], text[1024], ev[1024], day[11];
    for (size_t i = 0; i < n; i++) {
        const xs_offer *x = &o[i];
        if (x->guard != XS_GUARD_NONE && !show_suppressed) continue;
        if (x->timing > en->as_of)
            xs__date_format(x->timing, day);
        else
            strcpy(day, "now");
        int rc = 0;
        rc |= xs_table_row(t);
        rc |= xs_table_cell(t, xs__intern_str(&en->s->cust.ids, x->customer));
        rc |= x->rank ? xs__io_table_cell_int(t, x->rank) : xs_table_cell(t, NULL);
        rc |= xs_table_cell(t, xs_offer_kind_name(x->kind));
        rc |= xs_table_cell(t, xs_offer_trigger_name(x->trigger));
        rc |= xs_table_cell(t, xs__offer_product_text(en, x, prod, sizeof prod));
        rc |= xs__io_table_cell_fixed(t, x->ev, 2);
        rc |= xs__io_table_cell_fixed(t, x->p_accept, 4);
        rc |= xs__io_table_cell_fixed(t, x->revenue_delta, 2);
        rc |=
            xs_table_cell(t, x->channel >= 0 ? xs_offer_channel_name(x->channel) : NULL);
        rc |= xs_table_cell(t, day);
        rc |= xs_table_cell(t, xs_offer_explain(en, x, lang, text, sizeof text));
        rc |= xs_table_cell(t, xs_offer_evidence(en, x, ev, sizeof ev));
        rc |= xs_table_cell(t, x->guard ? xs_offer_guard_name(x->guard) : NULL);
        if (rc) return XS_ENOMEM;
    }
    return XS_OK;
}

int xs_offer_summary_table(const xs_offer_summary *sum, xs_table *t)
{
    if (xs_table_column(t, "guard", XS_COL_TEXT) < 0 ||
        xs_table_column(t, "candidates", XS_COL_NUM) < 0 ||
        xs_table_column(t, "expected_value", XS_COL_NUM) < 0)
        return XS_ENOMEM;
    int rc = 0;
    rc |= xs_table_row(t);
    rc |= xs_table_cell(t, "offered");
    rc |= xs_table_cellf(t, "%zu", sum->n_offered);
    rc |= xs_table_cellf(t, "%.2f", sum->ev_offered);
    for (int g = 1; g < XS_GUARD_N; g++) {
        /* listed where uplift valued some candidate: a store without
         * randomised evidence keeps the table it always had */
        if (g == XS_GUARD_NEGATIVE_UPLIFT && !sum->uplift_kinds) continue;
        rc |= xs_table_row(t);
        rc |= xs_table_cell(t, xs_offer_guard_name((xs_offer_guard)g));
        rc |= xs_table_cellf(t, "%zu", sum->n_suppressed[g]);
        rc |= xs_table_cellf(t, "%.2f", sum->ev_held[g]);
    }
    return rc ? XS_ENOMEM : XS_OK;
}
