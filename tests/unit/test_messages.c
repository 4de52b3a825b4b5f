/*
 * test_messages.c — the message catalogs of the explanations
 * (src/offer/messages/<lang>.txt): they parse cleanly; every offer trigger
 * has entries in every language; and every sentence entry of every
 * language, rendered from offers built in memory against a small fixture
 * (tests/data/offer with the products of tests/data/messages, which add a
 * storage ladder, an unlimited tier, shop ladders and Japanese names),
 * keeps the rules of docs/offers.md: no placeholder left, no "0 days" /
 * "0日", no zero amount, the benefit clause before any price and before
 * the share of other customers, no "many", no English words in Japanese
 * outside product names, metric names and currency codes. A few texts are
 * pinned exactly (over the limit, today, singular and plural, ja-JP money,
 * the localised product names).
 */
#include "test.h"
#include "store_fixture.h"

#include "base/date.h"
#include "offer/messages.h"
#include "offer/offer_int.h"
#include "snapshot/snapshot.h"

#include <ctype.h>
#include <unistd.h>

static xs_snapshot *snap;
static xs_offer_engine *en;

static xs_snapshot *load_fixture(void)
{
    return xs_fixture_snapshot("messages", "offer", "messages");
}

static int32_t P(const char *id)
{
    long p = xs_offer_engine_find_product(en, id);
    CHECK(p >= 0);
    return (int32_t)p;
}

static int metric(const char *m)
{
    return (int)xs__intern_find(&snap->dict.metrics, m, strlen(m));
}

/* An offer of trigger t from -> to, as the candidates make them. */
static xs_offer mk(xs_offer_trigger t, const char *from, const char *to)
{
    xs_offer o;
    memset(&o, 0, sizeof o);
    o.trigger = t;
    o.kind = t >= XS_TRIG_LOW_USAGE  ? XS_OFFER_DOWNSELL
             : t >= XS_TRIG_ADOPTION ? XS_OFFER_CROSS_SELL
                                     : XS_OFFER_UPSELL;
    o.from_product = from ? P(from) : -1;
    o.to_product = to ? P(to) : -1;
    o.rule_from = -1;
    o.metric = -1;
    o.used = o.limit = NAN;
    o.lag_days = -1;
    o.subst_of = -1;
    o.also[0] = o.also[1] = -1;
    o.channel = 0;
    char d[11] = "2026-06-30";
    xs__date_parse(d, 10, &o.timing);
    return o;
}

/* The fixture's offers: every variant of every trigger. */
static size_t fixture_offers(xs_offer *out, size_t cap)
{
    size_t n = 0;
    int seats = metric("seats"), gb = metric("storage_gb");
    xs_offer o;
#define ADD(x)                                                                           \
    do {                                                                                 \
        if (n < cap) out[n++] = (x);                                                     \
    } while (0)
    /* usage: under, over and enough, over and not enough, unlimited */
    o = mk(XS_TRIG_USAGE, "team-basic-m", "team-premium-m");
    o.metric = seats, o.used = 92, o.limit = 100, o.revenue_delta = 2400;
    ADD(o);
    o = mk(XS_TRIG_USAGE, "drive-s", "drive-l");
    o.metric = gb, o.used = 24.3, o.limit = 5, o.revenue_delta = 240;
    ADD(o);
    o.used = 4.6;
    ADD(o);
    o = mk(XS_TRIG_USAGE, "drive-l", "drive-u");
    o.metric = gb, o.used = 1250, o.limit = 100, o.revenue_delta = 720;
    ADD(o);
    /* seats: several packs, one pack, over the limit */
    o = mk(XS_TRIG_SEATS, NULL, "team-seats-10");
    o.metric = seats, o.used = 92, o.limit = 100, o.qty_to = 3, o.revenue_delta = 720;
    ADD(o);
    o.used = 95, o.qty_to = 1, o.revenue_delta = 240;
    ADD(o);
    o.used = 104, o.qty_from = 2, o.qty_to = 4, o.limit = 120, o.revenue_delta = 480;
    ADD(o);
    /* renewal: in 40 days, timed 30 days before; over; unlimited */
    o = mk(XS_TRIG_RENEWAL, "team-basic-y", "team-premium-y");
    o.metric = seats, o.used = 75, o.limit = 100, o.days = 40, o.timing += 10;
    ADD(o);
    o.used = 130;
    ADD(o);
    o = mk(XS_TRIG_RENEWAL, "drive-l", "drive-u");
    o.metric = gb, o.used = 80, o.limit = 100, o.days = 0;
    ADD(o);
    /* term: a saving; none */
    o = mk(XS_TRIG_TERM, "team-basic-m", "team-basic-y");
    o.term_from = 1, o.term_to = 12, o.revenue_delta = -200;
    ADD(o);
    o.term_from = 24, o.term_to = 36, o.revenue_delta = -0.001;
    ADD(o);
    /* add-on */
    o = mk(XS_TRIG_ADDON, NULL, "team-sso");
    o.rule_from = P("team-basic-m"), o.revenue_delta = 1250 * 12;
    ADD(o);
    /* retention add-on: holders churn less */
    o = mk(XS_TRIG_RETENTION_ADDON, NULL, "team-sso");
    o.rule_from = P("team-basic-m"), o.revenue_delta = 600;
    o.churn_with = 2, o.n_with = 40, o.churn_without = 12, o.n_without = 60;
    ADD(o);
    /* shop upgrade: with limits that differ; without */
    o = mk(XS_TRIG_SHOP_UPGRADE, "laptop-14", "laptop-16");
    o.revenue_delta = 600;
    ADD(o);
    o = mk(XS_TRIG_SHOP_UPGRADE, "mouse-1", "mouse-2");
    o.revenue_delta = 20;
    ADD(o);
    /* adoption: used for 60 days and timed later; started today; shop */
    o = mk(XS_TRIG_ADOPTION, NULL, "pay-m");
    o.rule_from = P("books-m"), o.confidence = 4.0 / 6, o.days = 60, o.lag_days = 100;
    o.timing += 40;
    ADD(o);
    o.days = 0, o.lag_days = 0, o.timing -= 40;
    ADD(o);
    o.lag_days = -1;
    ADD(o);
    o.lag_days = 1;
    ADD(o);
    o = mk(XS_TRIG_ADOPTION, NULL, "shop-paper");
    o.rule_from = P("shop-printer"), o.confidence = 0.75;
    ADD(o);
    o = mk(XS_TRIG_RENEWED, NULL, "pay-m");
    o.rule_from = P("books-m"), o.confidence = 4.0 / 6;
    ADD(o);
    static const xs_offer_trigger shop[] = {XS_TRIG_SIMILAR, XS_TRIG_CART,
                                            XS_TRIG_PURCHASE};
    for (size_t i = 0; i < XS_N(shop); i++) {
        o = mk(shop[i], NULL, "shop-paper");
        o.rule_from = P("shop-printer"), o.confidence = 0.75;
        ADD(o);
    }
    /* bundles: three items with a discount, one item without */
    o = mk(XS_TRIG_BUNDLE, NULL, "shop-paper");
    o.rule_from = P("shop-printer"), o.also[0] = P("shop-pens"), o.also[1] = P("mouse-1");
    o.revenue_delta = 50, o.discount = 6, o.share_n = 3, o.base_n = 7;
    ADD(o);
    o.also[0] = o.also[1] = -1, o.discount = 0, o.revenue_delta = 25, o.share_n = 1;
    o.base_n = 1;
    ADD(o);
    o.discount = 2;
    ADD(o);
    o.also[0] = P("shop-pens"), o.discount = 0, o.revenue_delta = 31;
    ADD(o);
    /* downsells of each trigger */
    static const xs_offer_trigger down[] = {XS_TRIG_LOW_USAGE, XS_TRIG_CHURN_RISK,
                                            XS_TRIG_CANCEL};
    for (size_t i = 0; i < XS_N(down); i++) {
        o = mk(down[i], "team-sso", NULL);
        o.revenue_delta = -600;
        ADD(o);
        o.revenue_delta = 0;
        ADD(o);
        o = mk(down[i], "team-seats-10", "team-seats-10");
        o.metric = seats, o.used = 20, o.limit = 530, o.qty_from = 3, o.qty_to = 1;
        o.revenue_delta = -480;
        ADD(o);
        o.revenue_delta = 0;
        ADD(o);
        o.qty_to = 0, o.revenue_delta = -720;
        ADD(o);
        o.qty_from = 1, o.revenue_delta = -240;
        ADD(o);
        o.revenue_delta = 0;
        ADD(o);
        o = mk(down[i], "team-basic-y", "team-basic-m");
        o.days = 262, o.timing += 232;
        ADD(o);
        o.days = 0, o.timing -= 232;
        ADD(o);
        o = mk(down[i], "team-premium-m", "team-basic-m");
        o.metric = seats, o.used = 30, o.limit = 500, o.revenue_delta = -2400;
        ADD(o);
        o.revenue_delta = 0;
        ADD(o);
    }
#undef ADD
    return n;
}

/* ---------------------------------------------------------------------- */
/* The rules, checked on a rendered text                                  */
/* ---------------------------------------------------------------------- */

/* Removes every occurrence of w (when not empty) from s, in place. */
static void cut(char *s, const char *w)
{
    size_t k = strlen(w);
    if (!k) return;
    for (char *p; (p = strstr(s, w));)
        memmove(p, p + k, strlen(p + k) + 1);
}

static int longer_first(const void *a, const void *b)
{
    size_t x = strlen(a), y = strlen(b);
    return x < y ? 1 : x > y ? -1 : strcmp(a, b);
}

/* "0 days", "0日", "0.00" not preceded by another digit. */
static int has_zero(const char *t, const char *what)
{
    for (const char *p = t; (p = strstr(p, what)); p++)
        if (p == t || !(isdigit((unsigned char)p[-1]) || p[-1] == ',' || p[-1] == '.'))
            return 1;
    return 0;
}

/* Offset of the end of the first clause: ". ", ": ", "。" or the end. */
static size_t first_clause(const char *t)
{
    size_t best = strlen(t);
    static const char *const ends[] = {". ",   ": ",       "。",    "、",
                                       ", so", ", enough", ", room"};
    for (size_t i = 0; i < XS_N(ends); i++) {
        const char *p = strstr(t, ends[i]);
        if (p && (size_t)(p - t) < best) best = (size_t)(p - t);
    }
    return best;
}

static void check_text(const xs_offer *o, int lang, const char *t)
{
    const char *code = xs__offer_msg_lang_code((size_t)lang);
    char c[2048];
    int ok = 1;
#define RULE(cond)                                                                       \
    do {                                                                                 \
        CHECK(cond);                                                                     \
        if (!(cond)) ok = 0;                                                             \
    } while (0)
    RULE(*t);
    RULE(!strchr(t, '{') && !strchr(t, '}'));
    RULE(!has_zero(t, "0 days") && !has_zero(t, "0日") && !has_zero(t, "0 day "));
    RULE(!has_zero(t, "0.00"));
    RULE(!strstr(t, "many") && !strstr(t, "Many") && !strstr(t, "他社"));
    RULE(!strstr(t, "  ") && !strstr(t, " .") && !strstr(t, "。。"));
    RULE(!strstr(t, "(monthly) (") && !strstr(t, "billing) on a monthly"));
    /* the benefit first: neither a price nor the share of other customers
     * in the first clause */
    size_t fc = first_clause(t);
    if (o->revenue_delta > 0 && o->kind != XS_OFFER_DOWNSELL) {
        /* the price: a month of the horizon (12), or the one-off amount */
        double x = o->revenue_delta;
        if (o->trigger != XS_TRIG_BUNDLE && o->trigger != XS_TRIG_SHOP_UPGRADE) x /= 12;
        char num[32], price[48];
        snprintf(num, sizeof num, "%.2f", x);
        size_t il = strcspn(num, "."), w = 0;
        for (size_t i = 0; num[i]; i++) {
            if (i && i < il && (il - i) % 3 == 0) price[w++] = ',';
            price[w++] = num[i];
        }
        price[w] = '\0';
        const char *at = strstr(t, price);
        if (o->trigger != XS_TRIG_USAGE && o->trigger != XS_TRIG_RENEWAL)
            RULE(at != NULL);
        if (at) RULE((size_t)(at - t) > fc);
    }
    const char *pct = strchr(t, '%');
    if (pct) RULE((size_t)(pct - t) > fc);
    if (!strcmp(code, "ja")) {
        /* no English outside product names, metric names, currency codes
         * and units */
        snprintf(c, sizeof c, "%s", t);
        /* the names, longest first ("Mouse Pro" before "Mouse"), and a
         * plan's name without its billing suffix, as term texts quote it */
        static char names[256][128];
        size_t n_names = 0;
        for (size_t p = 0; p < snap->prod.n && n_names + 3 <= XS_N(names); p++) {
            snprintf(names[n_names++], 128, "%s",
                     xs__snapshot_text(snap, snap->prod.name[p]));
            snprintf(names[n_names++], 128, "%s",
                     xs__snapshot_text(snap, snap->prod.name_ja[p]));
            memcpy(names[n_names], names[n_names - 2], 128);
            char *paren = strstr(names[n_names], " (");
            if (paren) *paren = '\0', n_names++;
        }
        qsort(names, n_names, sizeof names[0], longer_first);
        for (size_t i = 0; i < n_names; i++)
            cut(c, names[i]);
        for (size_t m = 0; m < snap->dict.metrics.n; m++)
            cut(c, xs__intern_str(&snap->dict.metrics, (uint32_t)m));
        cut(c, snap->currency);
        cut(c, "GB");
        for (const char *p = c; *p; p++)
            RULE(!isalpha((unsigned char)*p));
    }
    if (!ok) fprintf(stderr, "  [%s] %s\n", code, t);
#undef RULE
}

/* ---------------------------------------------------------------------- */
/* Tests                                                                  */
/* ---------------------------------------------------------------------- */

static void test_catalogs_parse(void)
{
    char buf[600];
    CHECK(xs__offer_msg_n_langs() >= 2);
    for (size_t l = 0; l < xs__offer_msg_n_langs(); l++) {
        int k = xs__offer_msg_errors((int)l, buf, sizeof buf);
        CHECK_INT(k, 0);
        if (k) fprintf(stderr, "%s\n", buf);
        CHECK(xs__offer_msg_entry((int)l, 0, NULL) != NULL);
        CHECK_INT(xs__offer_msg_lang(xs__offer_msg_lang_code(l)), (long)l);
        /* every entry is found by its key (the hash), its prefixes and
         * longer keys are not unless they are entries themselves */
        const char *key, *text;
        size_t n_bad = 0;
        for (size_t i = 0; (key = xs__offer_msg_entry((int)l, i, &text)); i++) {
            char other[160];
            n_bad += xs__offer_msg_get((int)l, key) != text;
            snprintf(other, sizeof other, "%s.zz_none", key);
            n_bad += xs__offer_msg_get((int)l, other) != NULL;
            snprintf(other, sizeof other, "%.*s", (int)strlen(key) - 1, key);
            const char *t2 = xs__offer_msg_get((int)l, other);
            int is_entry = 0;
            for (size_t j = 0; !is_entry && xs__offer_msg_entry((int)l, j, NULL); j++)
                is_entry = !strcmp(xs__offer_msg_entry((int)l, j, NULL), other);
            n_bad += (t2 != NULL) != is_entry;
        }
        CHECK_INT(n_bad, 0);
    }
    CHECK_INT(xs__offer_msg_lang(NULL), 0);
    CHECK_INT(xs__offer_msg_lang("fr"), -1);
    /* the filler: values, a placeholder without one, truncation */
    xs__offer_msg_var v[] = {{"a", "one"}, {"b", "two"}};
    size_t w = 0;
    xs__offer_msg_fill("{a} and {b} but {c}", v, 2, buf, sizeof buf, &w);
    CHECK_STR(buf, "one and two but {c}");
    w = 0;
    xs__offer_msg_fill("{a}{b}", v, 2, buf, 5, &w);
    CHECK_STR(buf, "onet");
    w = 0;
    xs__offer_msg_fill("ご{a}", v, 2, buf, 3, &w); /* never half a character */
    CHECK_STR(buf, "");
    CHECK(xs__offer_msg_pick(0, "usage", "over", NULL) ==
          xs__offer_msg_get(0, "usage.over"));
    CHECK(xs__offer_msg_pick(0, "usage", "nothing", NULL) ==
          xs__offer_msg_get(0, "usage"));
    CHECK(xs__offer_msg_get(0, "no.such.key") == NULL);
}

/* Every trigger of xs_offer_trigger has entries in every language: a new
 * trigger without text fails here. */
static void test_every_trigger(void)
{
    for (int t = 0; t < XS_TRIG_N; t++) {
        const char *key = xs__offer_explain_key((xs_offer_trigger)t);
        CHECK(key != NULL);
        if (!key) {
            fprintf(stderr, "  trigger %s has no catalog key\n",
                    xs_offer_trigger_name((xs_offer_trigger)t));
            continue;
        }
        for (size_t l = 0; l < xs__offer_msg_n_langs(); l++) {
            int found = 0;
            const char *k;
            for (size_t i = 0; (k = xs__offer_msg_entry((int)l, i, NULL)); i++)
                if (!strncmp(k, key, strlen(key)) &&
                    (!k[strlen(key)] || k[strlen(key)] == '.'))
                    found = 1;
            CHECK(found);
            if (!found)
                fprintf(stderr, "  no entry %s in %s\n", key, xs__offer_msg_lang_code(l));
        }
    }
}

/* Is key a sentence entry (of a trigger), not a fragment? */
static int sentence_key(const char *k)
{
    for (int t = 0; t < XS_TRIG_N; t++) {
        const char *key = xs__offer_explain_key((xs_offer_trigger)t);
        size_t n = key ? strlen(key) : 0;
        if (key && !strncmp(k, key, n) && (!k[n] || k[n] == '.')) return 1;
    }
    return 0;
}

static void test_render_all(void)
{
    xs_offer o[128];
    size_t n = fixture_offers(o, XS_N(o));
    CHECK(n > 40);
    for (size_t l = 0; l < xs__offer_msg_n_langs(); l++) {
        /* which entries the fixture offers used */
        const char *used[256];
        size_t n_used = 0;
        for (size_t i = 0; i < n; i++) {
            char b[1024];
            xs_offer_explain(en, &o[i], xs__offer_msg_lang_code(l), b, sizeof b);
            check_text(&o[i], (int)l, b);
            const char *t =
                xs__offer_explain_entry(en, &o[i], xs__offer_msg_lang_code(l));
            if (t && n_used < XS_N(used)) used[n_used++] = t;
        }
        const char *k, *text;
        for (size_t i = 0; (k = xs__offer_msg_entry((int)l, i, &text)); i++) {
            if (!sentence_key(k)) continue;
            int hit = 0;
            for (size_t j = 0; j < n_used; j++)
                hit |= used[j] == text;
            CHECK(hit);
            if (!hit)
                fprintf(stderr, "  %s: entry %s is never rendered by the fixture\n",
                        xs__offer_msg_lang_code(l), k);
        }
    }
}

static const char *say(const xs_offer *o, const char *lang)
{
    static char b[1024];
    return xs_offer_explain(en, o, lang, b, sizeof b);
}

static void test_pinned(void)
{
    xs_offer o[128];
    size_t n = fixture_offers(o, XS_N(o));
    CHECK(n > 40);
    /* over the limit, storage */
    CHECK_STR(say(&o[1], "en"), "Drive Large gives you 100 GB of storage, enough for "
                                "everything you use today: you are over your 5 GB of "
                                "storage, with 24.3 GB used.");
    CHECK_STR(say(&o[1], "ja"),
              "Drive Largeならストレージ100GBまでご利用いただけ、今のご利用量"
              "がすべて上限内に収まります。現在、ストレージ5GBの上限を超えて"
              "24.3GBをご利用中です。");
    CHECK_STR(say(&o[3], "en"),
              "Drive Unlimited has no limit on storage (GB), so you never "
              "have to watch it: you are over your 100 GB of storage, "
              "with 1,250 GB used.");
    /* benefit first, then the price; the localised name */
    CHECK_STR(say(&o[0], "ja"),
              "チーム プレミアムなら500席までご利用いただけ、今後の拡大にも"
              "余裕を持って対応できます。現在、100席中92席をご利用中です。");
    CHECK_STR(say(&o[5], "en"), "Your team gets 110 seats instead of 100, room to grow: "
                                "you are using 95 of your 100 seats. Adding one Team 10 "
                                "seats is USD 20.00 a month.");
    CHECK_STR(
        say(&o[12], "en"),
        "Team Single sign-on works inside the Team Basic (monthly billing) your team "
        "already uses, with the same users and data and nothing new to set up. It is "
        "USD 1,250.00 a month.");
    CHECK_STR(
        say(&o[12], "ja"),
        "ご利用中のTeam Basic (monthly billing)にチーム "
        "シングルサインオンを追加すると、今のユーザーとデータのまま、新たな導入作業なし"
        "でお使いいただけます。料金は月額1,250.00米ドルです。");
    /* the renewal's date, as the offer is timed (not "in 40 days") */
    CHECK_STR(say(&o[7], "en"),
              "Renewing on Team Premium annual on August 9, 2026 gives "
              "you 500 seats, room to grow: you are using 75 of your 100 "
              "seats.");
    CHECK_STR(say(&o[7], "ja"),
              "2026年8月9日のご更新時にチーム "
              "プレミアム（年間）へ切り替えると、500席までご利用いただけ、今"
              "後の拡大にも余裕を持って対応できます。現在、100席中75席をご利用"
              "中です。");
    /* the qualifier once: the plan's "(monthly billing)" is not repeated */
    CHECK_STR(say(&o[10], "en"), "You save USD 200.00 a year by moving Team Basic from a "
                                 "monthly term to an annual term (12 months).");
    /* since a date, started today, no "0 days" */
    CHECK_STR(say(&o[16], "en"),
              "Payroll Standard builds on the Books Standard you have used since May 1, "
              "2026, so your team can take on more without switching tools. Payroll "
              "Standard is also used by 4 of 6 customers (67%) using Books Standard, "
              "typically after 100 days.");
    CHECK_STR(
        say(&o[17], "ja"),
        "本日ご利用を開始された会計スタンダードに給与スタンダードを組み合わせると、使"
        "い慣れた環境のまま業務の幅を広げられます。会計スタンダードをご利用のお客様6社"
        "のうち4社（67%）が給与スタンダードも利用しています（多くはご利用開始と同時に"
        "導入）。");
    CHECK_STR(
        say(&o[19], "en"),
        "Payroll Standard builds on the Books Standard you started using today, so "
        "your team can take on more without switching tools. Payroll Standard is also "
        "used by 4 of 6 customers (67%) using Books Standard, typically after 1 day.");
    /* singular and plural of packs */
    size_t d = 29; /* the first downsell */
    CHECK_STR(say(&o[d + 4], "en"),
              "You save USD 60.00 a month by removing all 3 x Team 10 "
              "seats. Right now, you are using 20 of your 530 seats.");
    CHECK_STR(say(&o[d + 5], "en"),
              "You save USD 20.00 a month by removing the Team 10 "
              "seats. Right now, you are using 20 of your 530 seats.");
    CHECK_STR(say(&o[d + 5], "ja"),
              "Team 10 seatsを外すと、月額20.00米ドル節約できます。現在"
              "、530席中20席をご利用中です。");
    CHECK_STR(
        say(&o[d + 7], "en"),
        "Switching to Team Basic on a monthly term at your renewal on March 19, 2027 "
        "lets you adjust or stop any month.");
    CHECK_STR(say(&o[d + 8], "ja"),
              "本日のご更新時に月払いのTeam "
              "Basicへ切り替えると、毎月見直しや解約ができるようになり"
              "ます。");
    /* ja-JP money in yen */
    char cur[8];
    int scale = snap->money_scale;
    memcpy(cur, snap->currency, sizeof cur);
    snprintf(snap->currency, sizeof snap->currency, "JPY");
    snap->money_scale = 0;
    CHECK(strstr(say(&o[12], "ja"), "料金は月額1,250円です。") != NULL);
    CHECK(strstr(say(&o[12], "en"), "It is JPY 1,250 a month.") != NULL);
    memcpy(snap->currency, cur, sizeof cur);
    snap->money_scale = scale;
    /* an unknown language writes nothing */
    CHECK_STR(say(&o[0], "fr"), "");
}

static const xs_test tests[] = {
    {"catalogs_parse", test_catalogs_parse},
    {"every_trigger", test_every_trigger},
    {"render_all", test_render_all},
    {"pinned", test_pinned},
};

int main(void)
{
    snap = load_fixture();
    if (xs_offer_engine_new(snap, NULL, "2026-06-30", &en, NULL) < 0) return 1;
    int rc = xs_test_run(tests, XS_N(tests));
    xs_offer_engine_free(en);
    xs_snapshot_free(snap);
    return rc;
}
