/*
 * explain.c — what an offer says: the benefit-first explanation with the
 * customer's own numbers in English and Japanese, the evidence for the
 * CSM, and the rows of the output tables (offers, guardrail summary).
 *
 * Every template starts from the customer's situation ("You are using 92
 * of your 100 seats.") and then names the benefit of the proposal; the
 * exact sentences per trigger are listed in docs/offers.md and checked
 * byte for byte by tests/unit/test_offer.c.
 */
#include "offer/offer_int.h"

#include "base/date.h"

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

/* A number as the customer knows it: whole numbers without decimals. */
static const char *num(double v, char *buf, size_t n)
{
    if (fabs(v - round(v)) < 1e-9)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.1f", v);
    return buf;
}

static const char *pname(const xs_offer_engine *en, int32_t p)
{
    if (p < 0) return "";
    const char *t = xs__snap_text(en->s, en->s->prod.name[p]);
    return *t ? t : xs__intern_str(&en->s->prod.ids, (uint32_t)p);
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
    double to = NAN, from = NAN;
    for (uint32_t l = s->prod.limit_off[o->to_product];
         l < s->prod.limit_off[o->to_product + 1]; l++)
        if (s->prod.limit_name[l] == o->metric) to = s->prod.limit_value[l];
    if (o->from_product >= 0)
        for (uint32_t l = s->prod.limit_off[o->from_product];
             l < s->prod.limit_off[o->from_product + 1]; l++)
            if (s->prod.limit_name[l] == o->metric) from = s->prod.limit_value[l];
    if (isnan(to)) return NAN;
    return o->limit - (isnan(from) ? 0 : from) + to;
}

/* "You are using 92 of your 100 seats." in either language. */
static void usage_sentence(const xs_offer_engine *en, const xs_offer *o, int ja, char *b,
                           size_t n, size_t *w)
{
    char u[32], l[32];
    const char *m = metric_str(en, o->metric);
    num(o->used, u, sizeof u);
    num(o->limit, l, sizeof l);
    if (!strcmp(m, "seats"))
        ja ? put(b, n, w, "%s席中%s席をご利用中です。", l, u)
           : put(b, n, w, "You are using %s of your %s seats. ", u, l);
    else if (!strcmp(m, "storage_gb"))
        ja ? put(b, n, w, "ストレージ%sGB中%sGBをご利用中です。", l, u)
           : put(b, n, w, "You are using %s GB of your %s GB of storage. ", u, l);
    else
        ja ? put(b, n, w, "%sの上限%sのうち%sをご利用中です。", m, l, u)
           : put(b, n, w, "You are using %s of your %s %s. ", u, l, m);
}

static void cap_sentence(const xs_offer_engine *en, const xs_offer *o, int ja, char *b,
                         size_t n, size_t *w)
{
    const char *m = metric_str(en, o->metric), *to = pname(en, o->to_product);
    double c = new_cap(en, o);
    char cb[32];
    if (isnan(c)) {
        ja ? put(b, n, w, "%sなら%sの上限がありません。", to, m)
           : put(b, n, w, "%s has no %s limit.", to, m);
        return;
    }
    num(c, cb, sizeof cb);
    if (!strcmp(m, "seats"))
        ja ? put(b, n, w, "%sなら%s席までご利用いただけます。", to, cb)
           : put(b, n, w, "%s gives you %s seats.", to, cb);
    else if (!strcmp(m, "storage_gb"))
        ja ? put(b, n, w, "%sなら%sGBまでご利用いただけます。", to, cb)
           : put(b, n, w, "%s gives you %s GB of storage.", to, cb);
    else
        ja ? put(b, n, w, "%sなら上限が%sになります。", to, cb)
           : put(b, n, w, "%s raises the limit to %s %s.", to, cb, m);
}

/* A term as the customer says it, with the article English needs:
 * "a monthly term", "a quarterly term", "an annual term (12 months)",
 * "a two-year term (24 months)", "a term of 36 months"; Japanese 月払い,
 * 四半期, 年間契約（12か月）, 2年契約（24か月）, 36か月契約. */
static const char *term_words(unsigned months, int ja, char *buf, size_t n)
{
    switch (months) {
    case 1:
        return ja ? "月払い" : "a monthly term";
    case 3:
        return ja ? "四半期" : "a quarterly term";
    case 12:
        return ja ? "年間契約（12か月）" : "an annual term (12 months)";
    case 24:
        return ja ? "2年契約（24か月）" : "a two-year term (24 months)";
    default:
        snprintf(buf, n, ja ? "%uか月契約" : "a term of %u months", months);
        return buf;
    }
}

/* The name of a plan without a trailing "(monthly)" / "(annual)" style
 * suffix (ASCII or full-width parentheses), for sentences that state the
 * terms themselves: "Team (monthly) from a monthly term" would say it twice.
 * Copies into buf. */
static const char *plan_base(const char *name, char *buf, size_t n)
{
    static const char *const suffixes[] = {
        " (monthly)", " (annual)", " (yearly)", " (quarterly)", "（月払い）",
        "（年払い）", " (月払い)", " (年払い)", "（年間契約）", NULL};
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

/* The share of the evidence, honestly: "12 of 40 customers (30%)" /
 * "お客様40社のうち12社（30%）" — the count and its base, never "many".
 * unit 0: customers, 1: orders. Without a base (n = 0): "30% of". */
static void share(char *b, size_t n, size_t *w, uint32_t k, uint32_t base, double conf,
                  int orders, int ja)
{
    if (!base) {
        ja ? put(b, n, w, "%.0f%%", 100.0 * conf) : put(b, n, w, "%.0f%% of", 100.0 * conf);
        return;
    }
    double pct = 100.0 * k / base;
    if (ja)
        orders ? put(b, n, w, "ご注文%u件のうち%u件（%.0f%%）", base, k, pct)
               : put(b, n, w, "お客様%u社のうち%u社（%.0f%%）", base, k, pct);
    else
        put(b, n, w, "%u of %u %s (%.0f%%)", k, base, orders ? "orders" : "customers", pct);
}

/* "A4 paper (12 of 40 orders (30%) with it also include B)" style evidence
 * sentence of an order-level share: en "k of n orders (p%) with A also
 * include B." ja "Aを含むご注文n件のうちk件（p%）にBも含まれています。" */
static void order_share(const xs_offer_engine *en, const xs_offer *o, const char *a,
                        const char *to, int ja, char *b, size_t n, size_t *w)
{
    uint32_t k, base;
    xs__offer_share(en, o, &k, &base);
    if (ja) {
        put(b, n, w, "%sを含む", a);
        share(b, n, w, k, base, o->confidence, 1, 1);
        put(b, n, w, "に%sも含まれています。", to);
    } else {
        share(b, n, w, k, base, o->confidence, 1, 0);
        put(b, n, w, " with %s also include %s.", a, to);
    }
}

/* What the next tier gives: the declared limits that differ ("screen_in
 * 16 instead of 14"), else the family's next model. */
static void upgrade_gain(const xs_offer_engine *en, const xs_offer *o, int ja, char *b,
                         size_t n, size_t *w)
{
    const struct xs_snapshot *s = en->s;
    int32_t p = o->from_product, q = o->to_product;
    int any = 0;
    char v1[32], v2[32];
    for (uint32_t l = s->prod.limit_off[q]; l < s->prod.limit_off[q + 1]; l++) {
        const char *m = metric_str(en, s->prod.limit_name[l]);
        if (!strcmp(m, "bundle_discount")) continue;
        double from = NAN;
        for (uint32_t j = s->prod.limit_off[p]; j < s->prod.limit_off[p + 1]; j++)
            if (s->prod.limit_name[j] == s->prod.limit_name[l]) from = s->prod.limit_value[j];
        if (from == s->prod.limit_value[l]) continue;
        num(s->prod.limit_value[l], v2, sizeof v2);
        if (ja) {
            if (isnan(from))
                put(b, n, w, "%s%sが%sに", any ? "、" : "", m, v2);
            else
                put(b, n, w, "%s%sが%sから%sに", any ? "、" : "", m,
                    num(from, v1, sizeof v1), v2);
        } else {
            if (isnan(from))
                put(b, n, w, "%s%s %s", any ? ", " : "", m, v2);
            else
                put(b, n, w, "%s%s %s instead of %s", any ? ", " : "", m, v2,
                    num(from, v1, sizeof v1));
        }
        any = 1;
    }
    if (any && ja) put(b, n, w, "なります");
    if (!any) {
        const char *f = xs__snap_dict_str(&s->dict.families, s->prod.family[q]);
        ja ? put(b, n, w, "%sシリーズの一つ上のモデルです", f)
           : put(b, n, w, "the next model of the %s range", f);
    }
}

const char *xs_offer_explain(const xs_offer_engine *en, const xs_offer *o,
                             const char *lang, char *b, size_t n)
{
    int ja = lang && !strcmp(lang, "ja");
    size_t w = 0;
    char money[64], x1[32], x2[256];
    double H = en->cfg.horizon_months > 0 ? en->cfg.horizon_months : 12;
    const char *to = pname(en, o->to_product), *from = pname(en, o->from_product);
    if (n) b[0] = '\0';
    switch (o->trigger) {
    case XS_TRIG_USAGE:
        usage_sentence(en, o, ja, b, n, &w);
        cap_sentence(en, o, ja, b, n, &w);
        break;
    case XS_TRIG_SEATS: {
        usage_sentence(en, o, ja, b, n, &w);
        unsigned k = o->qty_to - o->qty_from;
        xs__offer_money(en, o->revenue_delta / H, money, sizeof money);
        double per = 0;
        const struct xs_snapshot *s = en->s;
        for (uint32_t l = s->prod.limit_off[o->to_product];
             l < s->prod.limit_off[o->to_product + 1]; l++)
            if (s->prod.limit_name[l] == o->metric) per = s->prod.limit_value[l];
        num(o->limit + per * k, x1, sizeof x1);
        ja ? put(b, n, &w, "%sを%u個追加すると、月額%sで%s席になります。", to, k, money,
                 x1)
           : put(b, n, &w, "Adding %u x %s gives you %s seats for %s a month.", k, to, x1,
                 money);
        break;
    }
    case XS_TRIG_RENEWAL: {
        double pct = o->limit > 0 ? 100 * o->used / o->limit : 0;
        ja ? put(b, n, &w,
                 "更新まであと%d日、上限の%.0f%%をご利用中です。"
                 "%sで更新すると、成長の余裕が生まれます。",
                 (int)o->days, pct, to)
           : put(b, n, &w,
                 "Your renewal is in %d days and you use %.0f%% of your plan's limit. "
                 "Renewing on %s gives your team room to grow.",
                 (int)o->days, pct, to);
        break;
    }
    case XS_TRIG_TERM: {
        char t1[48], t2[48], plan[256];
        xs__offer_money(en, -o->revenue_delta * 12 / H, money, sizeof money);
        const char *p = plan_base(from, plan, sizeof plan);
        const char *now = term_words(o->term_from, ja, t1, sizeof t1),
                   *then = term_words(o->term_to, ja, t2, sizeof t2);
        ja ? put(b, n, &w, "%sを%sから%sに切り替えると、年間%sお得です。", p, now, then,
                 money)
           : put(b, n, &w, "Moving %s from %s to %s saves you %s a year.", p, now, then,
                 money);
        break;
    }
    case XS_TRIG_ADDON:
        xs__offer_money(en, o->revenue_delta / H, money, sizeof money);
        ja ? put(b, n, &w, "%sに%sを月額%sで追加できます。", pname(en, o->rule_from), to,
                 money)
           : put(b, n, &w, "Add %s to your %s for %s a month.", to,
                 pname(en, o->rule_from), money);
        break;
    case XS_TRIG_ADOPTION: {
        const char *a = pname(en, o->rule_from);
        int shop =
            o->rule_from >= 0 && en->s->prod.kind[o->rule_from] == XS_SNAP_KIND_PRODUCT;
        uint32_t k, base;
        xs__offer_share(en, o, &k, &base);
        if (shop) {
            ja ? put(b, n, &w, "ご購入の%sと合わせて%sをご検討ください。%sをご購入の", a,
                     to, a)
               : put(b, n, &w, "%s goes with the %s you bought: ", to, a);
            share(b, n, &w, k, base, o->confidence, 0, ja);
            ja ? put(b, n, &w, "が%sも購入しています。", to)
               : put(b, n, &w, " who bought %s also bought %s.", a, to);
        } else {
            ja ? put(b, n, &w,
                     "ご利用中の%s（ご利用開始から%d日）と合わせて%sをご利用いただけます。"
                     "%sをご利用の",
                     a, (int)o->days, to, a)
               : put(b, n, &w, "%s works alongside the %s you have used for %d days: ", to,
                     a, (int)o->days);
            share(b, n, &w, k, base, o->confidence, 0, ja);
            ja ? put(b, n, &w, "が%sも利用しています", to)
               : put(b, n, &w, " using %s also use %s", a, to);
            if (o->lag_days >= 0)
                ja ? put(b, n, &w, "（多くは%d日前後で導入）", (int)o->lag_days)
                   : put(b, n, &w, ", typically after %d days", (int)o->lag_days);
            put(b, n, &w, ja ? "。" : ".");
        }
        break;
    }
    case XS_TRIG_RENEWED: {
        const char *a = pname(en, o->rule_from);
        uint32_t k, base;
        xs__offer_share(en, o, &k, &base);
        ja ? put(b, n, &w,
                 "%sのご更新ありがとうございます。%sと合わせて%sをご利用いただけます。"
                 "%sをご利用の",
                 a, a, to, a)
           : put(b, n, &w, "Thank you for renewing %s. %s works alongside it: ", a, to);
        share(b, n, &w, k, base, o->confidence, 0, ja);
        ja ? put(b, n, &w, "が%sも利用しています。", to)
           : put(b, n, &w, " using %s also use %s.", a, to);
        break;
    }
    case XS_TRIG_SIMILAR: {
        const char *a = pname(en, o->rule_from);
        ja ? put(b, n, &w, "%sと合わせて%sをご検討ください。", a, to)
           : put(b, n, &w, "%s goes with %s: ", to, a);
        order_share(en, o, a, to, ja, b, n, &w);
        break;
    }
    case XS_TRIG_CART: {
        const char *a = pname(en, o->rule_from);
        ja ? put(b, n, &w, "カートの%sと合わせて%sをご検討ください。", a, to)
           : put(b, n, &w, "%s goes with the %s in your cart: ", to, a);
        order_share(en, o, a, to, ja, b, n, &w);
        break;
    }
    case XS_TRIG_PURCHASE: {
        const char *a = pname(en, o->rule_from);
        ja ? put(b, n, &w, "最近ご購入の%sと合わせて%sをご検討ください。", a, to)
           : put(b, n, &w, "%s goes with the %s you bought recently: ", to, a);
        order_share(en, o, a, to, ja, b, n, &w);
        break;
    }
    case XS_TRIG_BUNDLE: {
        const char *a = pname(en, o->rule_from);
        char items[768];
        size_t iw = 0;
        int n_items = 1 + (o->also[0] >= 0) + (o->also[1] >= 0);
        put(items, sizeof items, &iw, "%s", to);
        for (int k = 0; k < 2; k++)
            if (o->also[k] >= 0)
                put(items, sizeof items, &iw, "%s%s",
                    ja ? "と" : (k == n_items - 2 ? " and " : ", "), pname(en, o->also[k]));
        xs__offer_money(en, o->revenue_delta, money, sizeof money);
        if (ja) {
            put(b, n, &w, "ご購入の%sとセットで、%sを%s%s", a, items,
                n_items > 1 ? "合計" : "", money);
            if (o->discount > 0)
                put(b, n, &w, "（セット割引%s）",
                    xs__offer_money(en, o->discount, x2, sizeof x2));
            put(b, n, &w, "でご用意できます。%sを含む", a);
            share(b, n, &w, o->share_n, o->base_n, o->confidence, 1, 1);
            put(b, n, &w, "がこのセットをそろえています。");
        } else {
            put(b, n, &w, "Complete the set with your %s: %s for %s%s", a, items, money,
                n_items > 1 ? " together" : "");
            if (o->discount > 0)
                put(b, n, &w, " (%s off as a set)",
                    xs__offer_money(en, o->discount, x2, sizeof x2));
            put(b, n, &w, ". ");
            share(b, n, &w, o->share_n, o->base_n, o->confidence, 1, 0);
            put(b, n, &w, " with %s include the whole set.", a);
        }
        break;
    }
    case XS_TRIG_SHOP_UPGRADE:
        xs__offer_money(en, o->revenue_delta, money, sizeof money);
        if (ja) {
            put(b, n, &w, "ご購入の%sの一つ上のモデル、%sをご案内します。", from, to);
            upgrade_gain(en, o, 1, b, n, &w);
            put(b, n, &w, "。差額は%sです。", money);
        } else {
            put(b, n, &w, "%s is the next step up from the %s you bought: ", to, from);
            upgrade_gain(en, o, 0, b, n, &w);
            put(b, n, &w, ". It costs %s more.", money);
        }
        break;
    case XS_TRIG_LOW_USAGE:
    case XS_TRIG_CHURN_RISK:
    case XS_TRIG_CANCEL:
        xs__offer_money(en, -o->revenue_delta / H, money, sizeof money);
        if (o->to_product < 0) {
            ja ? put(b, n, &w, "%sを外すと、プランはそのままで月額%s節約できます。", from,
                     money)
               : put(b, n, &w,
                     "Removing %s saves you %s a month and keeps your plan as it is.",
                     from, money);
        } else if (o->to_product == o->from_product) {
            if (!isnan(o->used)) usage_sentence(en, o, ja, b, n, &w);
            if (o->qty_to == 0)
                ja ? put(b, n, &w, "%sを%u個すべて外すと、月額%s節約できます。", to,
                         o->qty_from, money)
                   : put(b, n, &w, "Removing the %u x %s saves you %s a month.",
                         o->qty_from, to, money);
            else
                ja ? put(b, n, &w, "%sを%u個から%u個に減らすと、月額%s節約できます。", to,
                         o->qty_from, o->qty_to, money)
                   : put(b, n, &w, "Keeping %u x %s instead of %u saves you %s a month.",
                         o->qty_to, to, o->qty_from, money);
        } else if (en->s->prod.billing[o->to_product] == XS_SNAP_BILL_MONTH &&
                   o->from_product >= 0 &&
                   en->s->prod.billing[o->from_product] == XS_SNAP_BILL_YEAR) {
            ja ? put(b, n, &w,
                     "%d日後の更新時に"
                     "月払いの%sへ切り替えると、毎月見直しや解約ができます。",
                     (int)o->days, plan_base(to, x2, sizeof x2))
               : put(b, n, &w,
                     "Switching to %s on a monthly term at your renewal in %d days "
                     "lets you adjust or stop any month.",
                     plan_base(to, x2, sizeof x2), (int)o->days);
        } else {
            if (o->trigger == XS_TRIG_LOW_USAGE && !isnan(o->used))
                usage_sentence(en, o, ja, b, n, &w);
            ja ? put(b, n, &w,
                     "%sなら、データとよく使う機能はそのままに月額"
                     "%s安くご利用いただけます。",
                     to, money)
               : put(b, n, &w,
                     "%s keeps your data and the features you use most for %s "
                     "less a month.",
                     to, money);
        }
        break;
    default:
        break;
    }
    (void)x2;
    /* trim a trailing blank left by a sentence joiner */
    while (w > 0 && w < n && b[w - 1] == ' ')
        b[--w] = '\0';
    return b;
}

const char *xs_offer_evidence(const xs_offer_engine *en, const xs_offer *o, char *b,
                              size_t n)
{
    size_t w = 0;
    char u[32], l[32];
    if (n) b[0] = '\0';
    put(b, n, &w, "trigger %s", xs_offer_trigger_name(o->trigger));
    if (o->metric >= 0 && !isnan(o->used) && o->limit > 0)
        put(b, n, &w, "; %s %s/%s (%.0f%%)", metric_str(en, o->metric),
            num(o->used, u, sizeof u), num(o->limit, l, sizeof l),
            100 * o->used / o->limit);
    if (o->kind == XS_OFFER_CROSS_SELL) {
        const char *a = o->rule_from >= 0
                            ? xs__intern_str(&en->s->prod.ids, (uint32_t)o->rule_from)
                            : "";
        if (o->rule_from >= 0 && en->s->prod.family[o->rule_from] != XS_SNAP_NONE16 &&
            en->s->prod.kind[o->rule_from] == XS_SNAP_KIND_PLAN)
            a = xs__intern_str(&en->s->dict.families, en->s->prod.family[o->rule_from]);
        const char *c = xs__intern_str(&en->s->prod.ids, (uint32_t)o->to_product);
        if (en->s->prod.kind[o->to_product] == XS_SNAP_KIND_PLAN)
            c = xs__intern_str(&en->s->dict.families, en->s->prod.family[o->to_product]);
        if (o->trigger == XS_TRIG_SIMILAR)
            put(b, n, &w, "; similarity %s ~ %s cosine %.3f, co-orders %.3f of %s's", a,
                c, o->lift, o->confidence, a);
        else if (o->trigger == XS_TRIG_BUNDLE) {
            put(b, n, &w, "; bundle %s + %s", a, c);
            for (int k = 0; k < 2; k++)
                if (o->also[k] >= 0)
                    put(b, n, &w, " + %s",
                        xs__intern_str(&en->s->prod.ids, (uint32_t)o->also[k]));
            put(b, n, &w, " in %u of %u orders with %s, lift %.2f", o->share_n, o->base_n,
                a, o->lift);
            if (o->discount > 0) put(b, n, &w, "; bundle discount %.2f", o->discount);
        } else
            put(b, n, &w, "; rule %s -> %s support %.4f confidence %.3f lift %.2f", a, c,
                o->support, o->confidence, o->lift);
        if (o->lag_days >= 0)
            put(b, n, &w, "; median adoption lag %d days; held %d days", (int)o->lag_days,
                (int)o->days);
        if (xs__offer_is_shop_cross(en, o)) {
            /* relevance: what ordered it, the honest share, the price band */
            uint32_t k, base;
            xs__offer_share(en, o, &k, &base);
            if (base && o->trigger != XS_TRIG_BUNDLE)
                put(b, n, &w, "; share %u/%u %s", k, base,
                    o->trigger == XS_TRIG_ADOPTION || o->trigger == XS_TRIG_RENEWED
                        ? "customers"
                        : "orders");
            put(b, n, &w, "; relevance %.3f", o->relevance);
            if (o->band_hi > 0)
                put(b, n, &w, "; price %.2f, largest past line %.2f (%.2fx)",
                    xs__offer_list_price(en, o), o->band_hi,
                    xs__offer_list_price(en, o) / o->band_hi);
            if (o->guard == XS_GUARD_SUBSTITUTE && o->subst_of >= 0) {
                double sl = 0;
                xs__offer_is_substitute(en, (uint32_t)o->to_product, (uint32_t)o->subst_of,
                                        &sl);
                put(b, n, &w, "; substitute of %s (same family or category, buyers' lift %.2f)",
                    xs__intern_str(&en->s->prod.ids, (uint32_t)o->subst_of), sl);
            }
        }
    }
    if (o->trigger == XS_TRIG_SHOP_UPGRADE && o->from_product >= 0)
        put(b, n, &w, "; ladder %s tier %u -> %u",
            xs__snap_dict_str(&en->s->dict.families, en->s->prod.family[o->to_product]),
            (unsigned)en->s->prod.tier[o->from_product],
            (unsigned)en->s->prod.tier[o->to_product]);
    if (o->trigger == XS_TRIG_TERM && o->term_to)
        put(b, n, &w, "; term %u -> %u months", (unsigned)o->term_from,
            (unsigned)o->term_to);
    if (o->trigger == XS_TRIG_RENEWAL || (o->kind == XS_OFFER_DOWNSELL && o->days > 0))
        put(b, n, &w, "; renewal in %d days", (int)o->days);
    put(b, n, &w, "; P(accept) %.3f (prior %.3f); value %.2f; health %.0f; P(churn) %.3f",
        o->p_accept, o->p_prior, o->value,
        isnan(en->health[o->customer]) ? -1.0 : (double)en->health[o->customer],
        o->p_churn);
    if (en->model_src == 1)
        put(b, n, &w, "; model built %s", en->model_day);
    else if (en->model_src == 2)
        put(b, n, &w, "; model fitted, build is as of %s", en->model_day);
    return b;
}

/* Contract in offer_int.h. */
const char *xs__offer_product_text(const xs_offer_engine *en, const xs_offer *o, char *b,
                                   size_t n)
{
    const xs__intern *ids = &en->s->prod.ids;
    size_t w = 0;
    b[0] = '\0';
    if (o->from_product >= 0) {
        put(b, n, &w, "%s", xs__intern_str(ids, (uint32_t)o->from_product));
        if (o->qty_from || o->qty_to) put(b, n, &w, " x%u", o->qty_from);
        if (o->term_to && o->to_product == o->from_product)
            put(b, n, &w, " (%u months)", (unsigned)o->term_from);
        put(b, n, &w, " -> ");
    }
    if (o->to_product >= 0) {
        put(b, n, &w, "%s", xs__intern_str(ids, (uint32_t)o->to_product));
        for (int k = 0; o->trigger == XS_TRIG_BUNDLE && k < 2; k++) /* the bundle */
            if (o->also[k] >= 0) put(b, n, &w, " + %s", xs__intern_str(ids, (uint32_t)o->also[k]));
        if (o->qty_from || o->qty_to) put(b, n, &w, " x%u", o->qty_to);
        /* the same product on a longer term: say which */
        if (o->term_to && o->to_product == o->from_product)
            put(b, n, &w, " (%u months)", (unsigned)o->term_to);
    } else {
        put(b, n, &w, "(removed)");
    }
    return b;
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
        rc |= x->rank ? xs_table_cellf(t, "%d", x->rank) : xs_table_cell(t, NULL);
        rc |= xs_table_cell(t, xs_offer_kind_name(x->kind));
        rc |= xs_table_cell(t, xs_offer_trigger_name(x->trigger));
        rc |= xs_table_cell(t, xs__offer_product_text(en, x, prod, sizeof prod));
        rc |= xs_table_cellf(t, "%.2f", x->ev);
        rc |= xs_table_cellf(t, "%.4f", x->p_accept);
        rc |= xs_table_cellf(t, "%.2f", x->revenue_delta);
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
        rc |= xs_table_row(t);
        rc |= xs_table_cell(t, xs_offer_guard_name((xs_offer_guard)g));
        rc |= xs_table_cellf(t, "%zu", sum->n_suppressed[g]);
        rc |= xs_table_cellf(t, "%.2f", sum->ev_held[g]);
    }
    return rc ? XS_ENOMEM : XS_OK;
}
