/*
 * sim.c — the life of one generated customer: who they are, what they
 * subscribe to and how that changes, how much they use it, what they buy in
 * the web shop, what they tell support, and how they answered past offers.
 *
 * Each customer is simulated alone from its own random stream (seeded from
 * hash(seed, index) by the caller), so the output for customer i depends on
 * nothing but (seed, i, as_of): files are byte-identical across runs and the
 * first N customers of a larger run equal a run of N. The rows go straight
 * into the buffered outputs; the planted facts are added to the truth
 * counters. What is planted and how is described in src/gen/README.md.
 */
#include "gen/sim.h"

#include "base/date.h"

#include <math.h>

#define NEVER INT32_MAX

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

static double unif(xs__gen_sim *s)
{
    return xs__rng_uniform(&s->r);
}

static int below(xs__gen_sim *s, int n)
{
    return (int)xs__rng_below(&s->r, (uint64_t)n);
}

static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* Index drawn with probability proportional to w[i]; -1 when all are 0. */
static int pick(xs__gen_sim *s, const double *w, int n)
{
    double tot = 0;
    for (int i = 0; i < n; i++)
        tot += w[i];
    if (tot <= 0) return -1;
    double u = unif(s) * tot;
    for (int i = 0; i < n; i++) {
        if (w[i] <= 0) continue;
        if (u < w[i]) return i;
        u -= w[i];
    }
    for (int i = n - 1; i >= 0; i--)
        if (w[i] > 0) return i;
    return -1;
}

static int32_t lag_days(xs__gen_sim *s, double mean)
{
    double x = xs__rng_exp(&s->r, mean);
    if (x > 5000) x = 5000;
    return 1 + (int32_t)x;
}

static void put_date(xs__gen_ctx *g, xs__gen_gout *o, int32_t d)
{
    if (d >= g->date_base && d < g->date_base + g->n_dates) {
        xs__gen_gout_mem(o, g->dates + (size_t)(d - g->date_base) * 10, 10);
    } else {
        char b[11];
        xs__date_format(d, b);
        xs__gen_gout_mem(o, b, 10);
    }
}

static void put_cid(xs__gen_gout *o, uint64_t num)
{
    xs__gen_gout_ch(o, 'C');
    xs__gen_gout_u64w(o, num, 8);
}

static void put_prod(xs__gen_ctx *g, xs__gen_gout *o, int prod)
{
    xs__gen_gout_mem(o, g->cat.p[prod].id, g->cat.p[prod].id_len);
}

/* First day strictly after `after` on the k*months anniversary grid of start. */
static int32_t next_anniversary(int32_t start, int months, int32_t after)
{
    int y0, m0, d0, y1, m1, d1;
    xs__civil_from_days(start, &y0, &m0, &d0);
    xs__civil_from_days(after, &y1, &m1, &d1);
    int diff = (y1 - y0) * 12 + (m1 - m0);
    int k = diff / months - 1;
    if (k < 1) k = 1;
    int32_t a = xs__date_add_months(start, k * months);
    while (a <= after) {
        k++;
        a = xs__date_add_months(start, k * months);
    }
    return a;
}

/* ---------------------------------------------------------------------- */
/* Subscriptions: rows and family state                                   */
/* ---------------------------------------------------------------------- */

static int new_row(xs__gen_sim *s, int prod, int qty, int32_t start)
{
    if (s->n_rows >= XS__SIM_MAX_ROWS) return -1;
    xs__gen_sim_row *r = &s->rows[s->n_rows];
    r->prod = prod;
    r->qty = qty;
    r->start = start;
    r->end = NEVER;
    return s->n_rows++;
}

static int active_at(const xs__gen_sim_row *r, int32_t d)
{
    return r->start <= d && d < r->end;
}

static const xs__gen_product *plan_of(xs__gen_ctx *g, xs__gen_sim *s, int f)
{
    return &g->cat.p[s->rows[s->plan_row[f]].prod];
}

static int n_active(const xs__gen_sim *s)
{
    int n = 0;
    for (int f = 0; f < XS__N_FAM; f++)
        n += s->plan_row[f] >= 0;
    return n;
}

/* Tier a new customer of family f starts on (1-based). */
static int start_tier(xs__gen_ctx *g, xs__gen_sim *s, int f)
{
    int nt = g->cat.n_tiers[f];
    int t;
    if (s->size == 0)
        t = unif(s) < 0.3 ? 2 : 1;
    else if (s->size == 1)
        t = unif(s) < 0.3 ? 3 : 2;
    else
        t = unif(s) < 0.5 ? nt : nt - 1;
    if (t > nt) t = nt;
    if (t < 1) t = 1;
    return t;
}

static void schedule_change(xs__gen_sim *s, int f, int32_t t)
{
    s->next_change[f] = t + 30 + (int32_t)xs__rng_exp(&s->r, 210.0);
}

static void change_pack(xs__gen_ctx *g, xs__gen_sim *s, int f, int delta, int32_t t);

/* Starts family f at day t on a tier; schedules planted complements. */
static void start_family(xs__gen_ctx *g, xs__gen_sim *s, int f, int tier, int billing,
                         int32_t t)
{
    if (g->cat.p[g->cat.plan[f][tier - 1][0]].price == 0) billing = XS__BILL_MONTH;
    int ri = new_row(s, g->cat.plan[f][tier - 1][billing], 1, t);
    if (ri < 0) return;
    s->plan_row[f] = ri;
    s->adopt_at[f] = NEVER;
    if (s->adopt_pair[f] >= 0) g->truth.pair_planted[s->adopt_pair[f]]++;
    s->adopt_pair[f] = -1;
    schedule_change(s, f, t);
    if (g->cat.seat_pack[f] >= 0 && s->size > 0 && unif(s) < 0.3)
        change_pack(g, s, f, 1 + below(s, 3), t + 1);
    if (s->first_start[f] != NEVER) return;
    s->first_start[f] = t;
    for (int k = 0; k < XS__GEN_N_PAIRS; k++) {
        const xs__gen_pair *p = &xs__gen_pairs[k];
        if (p->from != f) continue;
        double u = unif(s);
        int32_t lag = lag_days(s, p->lag_mean_days);
        if (u >= p->p || s->plan_row[p->to] >= 0 || s->first_start[p->to] != NEVER)
            continue;
        if (t + lag < s->adopt_at[p->to]) {
            s->adopt_at[p->to] = t + lag;
            s->adopt_pair[p->to] = k;
        }
    }
}

/* Replaces row *ri by a row of product prod (quantity qty; qty 0 only ends
 * it) from day t. Returns 0, or -1 when nothing changed. */
static int replace_row(xs__gen_ctx *g, xs__gen_sim *s, int *ri, int prod, int qty,
                       int32_t t)
{
    xs__gen_sim_row *r = &s->rows[*ri];
    if (t <= r->start) t = r->start + 1;
    if (t > g->as_of) return -1;
    if (qty > 0) {
        int ni = new_row(s, prod, qty, t);
        if (ni < 0) return -1;
        s->rows[*ri].end = t;
        *ri = ni;
    } else {
        r->end = t;
        *ri = -1;
    }
    return 0;
}

/* Ends family f (plan, seat pack, add-ons) at day t; an annual plan runs to
 * its next anniversary. */
static void churn_family(xs__gen_ctx *g, xs__gen_sim *s, int f, int32_t t)
{
    xs__gen_sim_row *pr = &s->rows[s->plan_row[f]];
    if (g->cat.p[pr->prod].billing == XS__BILL_YEAR) {
        t = next_anniversary(pr->start, 12, t - 1);
        if (t > g->as_of) {
            schedule_change(s, f, t);
            return;
        }
    }
    if (t <= pr->start) t = pr->start + 1;
    if (t > g->as_of) return;
    pr->end = t;
    s->plan_row[f] = -1;
    s->next_change[f] = NEVER;
    if (s->pack_row[f] >= 0) {
        xs__gen_sim_row *r = &s->rows[s->pack_row[f]];
        r->end = t > r->start ? t : r->start + 1;
        s->pack_row[f] = -1;
    }
    for (int a = 0; a < XS__GEN_MAX_ADDONS; a++) {
        if (s->addon_row[f][a] < 0) continue;
        xs__gen_sim_row *r = &s->rows[s->addon_row[f][a]];
        r->end = t > r->start ? t : r->start + 1;
        s->addon_row[f][a] = -1;
    }
}

/* An add-on of f (not a seat pack) the customer lacks, or -1. */
static int free_addon(xs__gen_ctx *g, xs__gen_sim *s, int f)
{
    int cand[XS__GEN_MAX_ADDONS], n = 0;
    for (int a = 0; a < g->cat.n_addons[f]; a++)
        if (g->cat.addon[f][a] != g->cat.seat_pack[f] && s->addon_row[f][a] < 0)
            cand[n++] = a;
    return n ? cand[below(s, n)] : -1;
}

static void start_addon(xs__gen_ctx *g, xs__gen_sim *s, int f, int a, int32_t t)
{
    if (t <= s->rows[s->plan_row[f]].start) t = s->rows[s->plan_row[f]].start + 1;
    if (t > g->as_of) return;
    int ri = new_row(s, g->cat.addon[f][a], 1, t);
    if (ri >= 0) s->addon_row[f][a] = ri;
}

static void change_pack(xs__gen_ctx *g, xs__gen_sim *s, int f, int delta, int32_t t)
{
    int pack = g->cat.seat_pack[f];
    if (s->pack_row[f] < 0) {
        if (delta <= 0) return;
        if (t <= s->rows[s->plan_row[f]].start) t = s->rows[s->plan_row[f]].start + 1;
        if (t > g->as_of) return;
        int ri = new_row(s, pack, delta, t);
        if (ri >= 0) s->pack_row[f] = ri;
        return;
    }
    int q = s->rows[s->pack_row[f]].qty + delta;
    replace_row(g, s, &s->pack_row[f], pack, q > 0 ? q : 0, t);
}

/* An organic change of family f at day t. */
static void family_event(xs__gen_ctx *g, xs__gen_sim *s, int f, int32_t t)
{
    const xs__gen_product *p = plan_of(g, s, f);
    int nt = g->cat.n_tiers[f];
    int grow = s->trend == XS__TREND_GROW, shrink = s->trend == XS__TREND_SHRINK;
    double h1 = 1.0 - s->health;
    double w[7];
    w[0] = 0.03 + 0.6 * h1 * h1 * h1;
    w[1] = p->tier < nt ? (grow ? 0.35 : 0.08) : 0;
    w[2] = p->tier > 1 ? (shrink ? 0.3 : 0.03) : 0;
    w[3] = p->price == 0 ? 0 : p->billing == XS__BILL_MONTH ? 0.08 : shrink ? 0.1 : 0;
    w[4] = free_addon(g, s, f) >= 0 && p->price > 0 ? 0.12 : 0;
    int held = s->pack_row[f] >= 0;
    w[5] = g->cat.seat_pack[f] < 0 ? 0
           : grow                  ? 0.15
           : shrink                ? (held ? 0.2 : 0)
           : held                  ? 0.1
                                   : 0.03;
    w[6] = 0.35;
    int act = pick(s, w, 7);
    switch (act) {
    case 0:
        churn_family(g, s, f, t);
        return;
    case 1:
        replace_row(g, s, &s->plan_row[f], g->cat.plan[f][p->tier][p->billing], 1, t);
        break;
    case 2:
        replace_row(g, s, &s->plan_row[f], g->cat.plan[f][p->tier - 2][p->billing], 1, t);
        break;
    case 3:
        /* monthly to annual now; annual back to monthly at the anniversary */
        if (p->billing == XS__BILL_YEAR)
            t = next_anniversary(s->rows[s->plan_row[f]].start, 12, t - 1);
        replace_row(g, s, &s->plan_row[f], g->cat.plan[f][p->tier - 1][!p->billing], 1,
                    t);
        break;
    case 4: {
        int a = free_addon(g, s, f);
        if (a >= 0) start_addon(g, s, f, a, t);
        break;
    }
    case 5:
        change_pack(g, s, f,
                    shrink ? -(1 + below(s, 2))
                    : grow ? 1 + below(s, 3)
                    : held ? (unif(s) < 0.5 ? 1 : -1)
                           : 1,
                    t);
        break;
    default:
        break;
    }
    schedule_change(s, f, t);
}

/* Annual recurring revenue of a product (minor units). */
static int64_t arr(const xs__gen_product *p, int qty)
{
    return (p->billing == XS__BILL_MONTH ? 12 * p->price : p->price) * qty;
}

/* The families an offer of each kind could be about: upsell (a higher
 * tier, yearly billing, or an add-on), downsell (a lower tier), cross-sell
 * (a family not held, weighted up when a pair's first family is held). */
typedef struct offer_targets {
    int up_f[XS__N_FAM], n_up, down_f[XS__N_FAM], n_down;
    double cross_w[XS__N_FAM], cross_tot;
} offer_targets;

static void offer_targets_of(xs__gen_ctx *g, xs__gen_sim *s, offer_targets *tg)
{
    tg->n_up = tg->n_down = 0;
    tg->cross_tot = 0;
    for (int f = 0; f < XS__N_FAM; f++) {
        tg->cross_w[f] = 0;
        if (s->plan_row[f] >= 0) {
            const xs__gen_product *p = plan_of(g, s, f);
            if (p->tier < g->cat.n_tiers[f] || p->billing == XS__BILL_MONTH ||
                free_addon(g, s, f) >= 0)
                tg->up_f[tg->n_up++] = f;
            if (p->tier > 1) tg->down_f[tg->n_down++] = f;
        } else {
            tg->cross_w[f] = 0.5;
            for (int k = 0; k < XS__GEN_N_PAIRS; k++)
                if (xs__gen_pairs[k].to == f && s->plan_row[xs__gen_pairs[k].from] >= 0)
                    tg->cross_w[f] = 4;
            tg->cross_tot += tg->cross_w[f];
        }
    }
}

/* What an offer of `kind` proposes: sets *f (the family), *prod, *addon
 * (-1: a plan) and *delta (the ARR change if accepted). Returns 0, or -1
 * when there is nothing to offer. */
static int offer_product(xs__gen_ctx *g, xs__gen_sim *s, int kind,
                         const offer_targets *tg, int *f, int *prod, int *addon,
                         int64_t *delta)
{
    *addon = -1;
    if (kind == XS__OK_UPSELL) {
        *f = tg->up_f[below(s, tg->n_up)];
        const xs__gen_product *p = plan_of(g, s, *f);
        if (p->tier < g->cat.n_tiers[*f]) {
            *prod = g->cat.plan[*f][p->tier][p->billing];
        } else if (p->billing == XS__BILL_MONTH) {
            *prod = g->cat.plan[*f][p->tier - 1][XS__BILL_YEAR];
        } else {
            *addon = free_addon(g, s, *f);
            if (*addon < 0) return -1;
            *prod = g->cat.addon[*f][*addon];
        }
        *delta =
            *addon >= 0 ? arr(&g->cat.p[*prod], 1) : arr(&g->cat.p[*prod], 1) - arr(p, 1);
    } else if (kind == XS__OK_CROSS) {
        *f = pick(s, tg->cross_w, XS__N_FAM);
        int tier = g->cat.p[g->cat.plan[*f][0][0]].price > 0 ? 1 : 2;
        *prod = g->cat.plan[*f][tier - 1][XS__BILL_MONTH];
        *delta = arr(&g->cat.p[*prod], 1);
    } else {
        *f = tg->down_f[below(s, tg->n_down)];
        const xs__gen_product *p = plan_of(g, s, *f);
        *prod = g->cat.plan[*f][p->tier - 2][p->billing];
        *delta = arr(&g->cat.p[*prod], 1) - arr(p, 1);
    }
    return 0;
}

/* The answer to offer o sent at day t: pending in the last 14 days, else
 * accepted with the kind's propensity times the channel's factor (at most
 * 0.95), else declined (0.4) or ignored; delta: the ARR change when
 * accepted. */
static void offer_answer(xs__gen_ctx *g, xs__gen_sim *s, xs__gen_sim_offer *o, int32_t t,
                         int64_t delta)
{
    o->sent_min = 9 * 60 + below(s, 9 * 60);
    o->at = NEVER;
    o->at_min = 0;
    o->delta = 0;
    double u = unif(s);
    double pa = s->prop[o->kind] * xs__gen_channel_factor[o->channel];
    if (pa > 0.95) pa = 0.95;
    if (t > g->as_of - 14) {
        o->outcome = XS__OUT_PENDING;
    } else if (u < pa) {
        o->outcome = XS__OUT_ACCEPTED;
        o->at = t + 1 + below(s, 10);
        if (o->at > g->as_of) o->at = g->as_of;
        o->at_min = 9 * 60 + below(s, 9 * 60);
        o->delta = delta;
    } else if (unif(s) < 0.4) {
        o->outcome = XS__OUT_DECLINED;
        o->at = t + 1 + below(s, 7);
        if (o->at > g->as_of) o->at = g->as_of;
        o->at_min = 9 * 60 + below(s, 9 * 60);
    } else {
        o->outcome = XS__OUT_IGNORED;
    }
}

/* One past offer at day t: what, through which channel, and the answer;
 * an accepted one changes the subscriptions. During a holdout experiment
 * (t >= g->exp_start) an offer of a kind whose holdout arm holds the
 * customer is not made (counted as withheld). */
static void offer_event(xs__gen_ctx *g, xs__gen_sim *s, int32_t t)
{
    s->next_offer = t + 60 + (int32_t)xs__rng_exp(&s->r, 300.0);
    if (!n_active(s)) {
        s->next_offer = NEVER;
        return;
    }
    if (s->n_offers >= XS__SIM_MAX_OFFERS) return;
    offer_targets tg;
    offer_targets_of(g, s, &tg);
    double kw[XS__N_OKIND];
    kw[XS__OK_UPSELL] = tg.n_up ? 0.5 : 0;
    kw[XS__OK_CROSS] = tg.cross_tot > 0 ? 0.35 : 0;
    kw[XS__OK_DOWN] =
        tg.n_down ? (s->trend == XS__TREND_SHRINK || s->health < 0.4 ? 0.5 : 0.06) : 0;
    int kind = pick(s, kw, XS__N_OKIND);
    double cw[XS__N_CH] = {4, 3, 2, 1, 1};
    for (int c = 0; c < XS__N_CH; c++)
        if (!s->consent[c] || (c == XS__CH_CSM && s->owner < 0) ||
            (c == XS__CH_IN_APP && !s->saas))
            cw[c] = 0;
    int ch = pick(s, cw, XS__N_CH);
    if (kind < 0 || ch < 0) return;
    int f, prod, addon;
    int64_t delta;
    if (offer_product(g, s, kind, &tg, &f, &prod, &addon, &delta) < 0) return;

    /* drawn in full even when withheld, so a holdout customer uses the same
     * random numbers as if the offer had been made */
    xs__gen_sim_offer o = {.prod = prod, .kind = kind, .channel = ch, .sent = t};
    offer_answer(g, s, &o, t, delta);
    if (g->holdout_days > 0 && t >= g->exp_start) {
        int arm = s->arm[kind];
        if (arm == XS__ARM_HOLDOUT) {
            g->truth.exp_withheld[kind]++;
            return;
        }
        g->truth.exp_offers[kind][arm]++;
        g->truth.exp_accepted[kind][arm] += o.outcome == XS__OUT_ACCEPTED;
    }
    s->offers[s->n_offers++] = o;
    g->truth.offers[kind][o.outcome]++;
    if (o.outcome != XS__OUT_ACCEPTED) return;
    if (kind == XS__OK_CROSS) {
        start_family(g, s, f, g->cat.p[prod].tier, XS__BILL_MONTH, o.at);
    } else if (addon >= 0) {
        start_addon(g, s, f, addon, o.at);
    } else {
        replace_row(g, s, &s->plan_row[f], prod, 1, o.at);
    }
}

/* ---------------------------------------------------------------------- */
/* The customer                                                           */
/* ---------------------------------------------------------------------- */

static const char *const sizes[] = {"small", "mid", "enterprise"};
static const char *const segments[] = {"self_serve", "inside_sales", "field_sales",
                                       "partner"};
static const char *const industries[] = {
    "manufacturing", "retail",    "it_services", "construction", "healthcare",
    "finance",       "logistics", "education",   "hospitality",  "professional_services",
    "real_estate",   "media"};
static const char *const regions[] = {
    "JP-Kanto",    "JP-Kansai",  "JP-Chubu",   "JP-Kyushu", "JP-Tohoku",
    "JP-Hokkaido", "JP-Chugoku", "JP-Shikoku", "APAC-SG",   "US-West"};
static const double region_w[] = {38, 18, 12, 8, 6, 5, 4, 3, 4, 2};
static const char *const name_a[] = {
    "Aoba",   "Sakura",    "Fuji",    "Midori",   "Hikari", "Kaze",      "Yamato",
    "Asahi",  "Tsubasa",   "Hoshi",   "Minato",   "Kawase", "Morino",    "Sora",
    "Umi",    "Kitano",    "Nishiki", "Higashi",  "Minami", "Chuo",      "Kotobuki",
    "Izumi",  "Tachibana", "Kaede",   "Akatsuki", "Hinode", "Shirakawa", "Ginga",
    "Nagisa", "Tokiwa",    "Mizuho",  "Kasumi"};
static const char *const name_b[] = {
    "Manufacturing", "Trading",  "Systems",    "Logistics", "Foods",  "Clinic",
    "Realty",        "Design",   "Consulting", "Works",     "Tech",   "Partners",
    "Electric",      "Builders", "Media",      "Finance",   "Retail", "Labs"};
static const char *const name_c[] = {"KK", "Inc", "GK", "Holdings", "Group"};
static const char *const family_names[] = {
    "Sato",      "Suzuki",    "Takahashi", "Tanaka",  "Watanabe", "Ito",     "Yamamoto",
    "Nakamura",  "Kobayashi", "Kato",      "Yoshida", "Yamada",   "Sasaki",  "Yamaguchi",
    "Matsumoto", "Inoue",     "Kimura",    "Hayashi", "Shimizu",  "Yamazaki"};
static const char *const given_names[] = {
    "Haruto",  "Yui",   "Sota",   "Hina",  "Yuto",    "Mei",     "Riku",
    "Aoi",     "Kaito", "Sakura", "Ren",   "Yuna",    "Hiroshi", "Keiko",
    "Takashi", "Yoko",  "Kenji",  "Naoko", "Daisuke", "Emi"};
static const char *const csms[] = {"csm.sato", "csm.suzuki", "csm.tanaka", "csm.ito",
                                   "csm.kato", "csm.yamada", "csm.mori",   "csm.ogawa",
                                   "csm.abe",  "csm.ishii",  "csm.fujita", "csm.okada"};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void put_lower(xs__gen_gout *o, const char *s)
{
    for (; *s; s++)
        xs__gen_gout_ch(o, (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s));
}

/* Draws who the customer is (everything before the simulation). */
static void draw_profile(xs__gen_ctx *g, xs__gen_sim *s)
{
    double u = unif(s);
    s->size = u < 0.70 ? 0 : u < 0.93 ? 1 : 2;
    static const double seg_w[3][4] = {{60, 30, 0, 10}, {0, 60, 30, 10}, {0, 0, 85, 15}};
    s->segment = pick(s, seg_w[s->size], 4);
    s->industry = below(s, NELEM(industries));
    s->region = pick(s, region_w, NELEM(region_w));
    s->name[0] = below(s, NELEM(name_a));
    s->name[1] = below(s, NELEM(name_b));
    s->name[2] = below(s, NELEM(name_c));
    s->contact[0] = below(s, NELEM(given_names));
    s->contact[1] = below(s, NELEM(family_names));
    s->owner = s->size > 0 || unif(s) < 0.25 ? below(s, NELEM(csms)) : -1;
    /* signups grow over the three years: density rising linearly */
    int32_t span = 3 * 365;
    s->signup = g->as_of - span + (int32_t)(span * sqrt(unif(s)));
    if (s->signup >= g->as_of) s->signup = g->as_of - 1;
    s->health = clampd(0.65 + 0.2 * xs__rng_normal(&s->r), 0.02, 0.99);
    double pg = 0.08 + 0.2 * s->health, ps = 0.03 + 0.2 * (1 - s->health);
    u = unif(s);
    s->trend = u < pg        ? XS__TREND_GROW
               : u < pg + ps ? XS__TREND_SHRINK
                             : XS__TREND_STABLE;
    double grow = s->trend == XS__TREND_GROW, shrink = s->trend == XS__TREND_SHRINK;
    s->prop[XS__OK_UPSELL] = clampd(
        0.08 + 0.4 * s->health + 0.2 * grow + 0.08 * xs__rng_normal(&s->r), 0.01, 0.9);
    s->prop[XS__OK_CROSS] =
        clampd(0.06 + 0.3 * s->health + 0.08 * xs__rng_normal(&s->r), 0.01, 0.9);
    s->prop[XS__OK_DOWN] = clampd(0.1 + 0.45 * (1 - s->health) + 0.15 * shrink +
                                      0.08 * xs__rng_normal(&s->r),
                                  0.01, 0.9);
    u = unif(s);
    s->saas = u < 0.75;
    s->shopper = !s->saas || unif(s) < 0.35;
    s->consent[XS__CH_EMAIL] = unif(s) < 0.9;
    s->consent[XS__CH_IN_APP] = s->saas && unif(s) < 0.95;
    s->consent[XS__CH_CSM] = unif(s) < (s->owner >= 0 ? 0.9 : 0.1);
    s->consent[XS__CH_WEBINAR] = unif(s) < 0.5;
    s->consent[XS__CH_SNS] = unif(s) < 0.25;
}

/* The subscription and offer history, signup to as_of. */
static void simulate(xs__gen_ctx *g, xs__gen_sim *s)
{
    for (int f = 0; f < XS__N_FAM; f++) {
        s->plan_row[f] = s->pack_row[f] = -1;
        for (int a = 0; a < XS__GEN_MAX_ADDONS; a++)
            s->addon_row[f][a] = -1;
        s->first_start[f] = s->next_change[f] = s->adopt_at[f] = NEVER;
        s->adopt_pair[f] = -1;
    }
    s->n_rows = s->n_offers = 0;
    s->next_offer = NEVER;
    if (!s->saas) return;
    static const double fam_w[XS__N_FAM] = {40, 22, 2, 17, 2, 15, 2};
    int f0 = pick(s, fam_w, XS__N_FAM);
    int32_t tenure = g->as_of - s->signup;
    for (int f = 0; f < XS__N_FAM; f++) {
        if (f == f0 || unif(s) >= XS__GEN_BASE_ADOPT) continue;
        s->adopt_at[f] = s->signup + 1 + below(s, tenure);
    }
    static const double annual_p[3] = {0.15, 0.3, 0.5};
    int billing = unif(s) < annual_p[s->size] ? XS__BILL_YEAR : XS__BILL_MONTH;
    int32_t t0 = s->signup + below(s, 15);
    if (t0 > g->as_of) t0 = g->as_of;
    start_family(g, s, f0, start_tier(g, s, f0), billing, t0);
    s->next_offer = s->signup + 45 + (int32_t)xs__rng_exp(&s->r, 300.0);
    for (int iter = 0; iter < 1000; iter++) {
        int32_t tmin = s->next_offer;
        int what = 0, fam = -1;
        for (int f = 0; f < XS__N_FAM; f++) {
            if (s->plan_row[f] >= 0 && s->next_change[f] < tmin) {
                tmin = s->next_change[f];
                what = 1;
                fam = f;
            } else if (s->plan_row[f] < 0 && s->adopt_at[f] < tmin) {
                tmin = s->adopt_at[f];
                what = 2;
                fam = f;
            }
        }
        if (tmin > g->as_of) break;
        if (what == 0) {
            offer_event(g, s, tmin);
        } else if (what == 1) {
            family_event(g, s, fam, tmin);
        } else {
            start_family(g, s, fam, start_tier(g, s, fam), XS__BILL_MONTH, tmin);
            s->adopt_at[fam] = NEVER; /* when the row table was full */
        }
    }
}

/* Seat or storage capacity of family f on day d (plan + packs + add-ons). */
static int64_t capacity(xs__gen_ctx *g, const xs__gen_sim *s, int f, int32_t d,
                        int storage)
{
    int64_t cap = 0;
    for (int i = 0; i < s->n_rows; i++) {
        const xs__gen_sim_row *r = &s->rows[i];
        const xs__gen_product *p = &g->cat.p[r->prod];
        if (p->fam != f || !active_at(r, d)) continue;
        cap += (int64_t)(storage ? p->storage_gb : p->seats) * r->qty;
    }
    return cap;
}

/* Plan row of family f active on day d, or -1. */
static int plan_at(xs__gen_ctx *g, const xs__gen_sim *s, int f, int32_t d)
{
    for (int i = 0; i < s->n_rows; i++) {
        const xs__gen_sim_row *r = &s->rows[i];
        const xs__gen_product *p = &g->cat.p[r->prod];
        if (p->fam == f && p->kind == XS__KIND_PLAN && active_at(r, d)) return i;
    }
    return -1;
}

/* ---------------------------------------------------------------------- */
/* Writing the rows                                                       */
/* ---------------------------------------------------------------------- */

static void write_customer(xs__gen_ctx *g, xs__gen_sim *s)
{
    xs__gen_gout *o = &g->out[XS_GEN_CUSTOMERS];
    xs__gen_gout_row(o);
    put_cid(o, s->num);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_str(o, name_a[s->name[0]]);
    xs__gen_gout_ch(o, ' ');
    xs__gen_gout_str(o, name_b[s->name[1]]);
    xs__gen_gout_ch(o, ' ');
    xs__gen_gout_str(o, name_c[s->name[2]]);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_str(o, segments[s->segment]);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_str(o, industries[s->industry]);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_str(o, sizes[s->size]);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_str(o, regions[s->region]);
    xs__gen_gout_ch(o, ',');
    put_date(g, o, s->signup);
    for (int c = 0; c < XS__N_CH; c++) {
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_ch(o, s->consent[c] ? '1' : '0');
    }
    xs__gen_gout_ch(o, ',');
    if (s->owner >= 0) xs__gen_gout_str(o, csms[s->owner]);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_str(o, given_names[s->contact[0]]);
    xs__gen_gout_ch(o, ' ');
    xs__gen_gout_str(o, family_names[s->contact[1]]);
    xs__gen_gout_ch(o, ',');
    put_lower(o, given_names[s->contact[0]]);
    xs__gen_gout_ch(o, '.');
    put_lower(o, family_names[s->contact[1]]);
    xs__gen_gout_ch(o, '@');
    put_lower(o, name_a[s->name[0]]);
    xs__gen_gout_ch(o, '-');
    put_lower(o, name_b[s->name[1]]);
    xs__gen_gout_str(o, ".example.jp\n");
}

static void write_subscriptions(xs__gen_ctx *g, xs__gen_sim *s)
{
    xs__gen_gout *o = &g->out[XS_GEN_SUBSCRIPTIONS];
    for (int i = 0; i < s->n_rows; i++) {
        const xs__gen_sim_row *r = &s->rows[i];
        const xs__gen_product *p = &g->cat.p[r->prod];
        xs__gen_gout_row(o);
        put_cid(o, s->num);
        xs__gen_gout_ch(o, ',');
        put_prod(g, o, r->prod);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_u64(o, (uint64_t)r->qty);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_fixed(o, p->price, 2);
        xs__gen_gout_ch(o, ',');
        put_date(g, o, r->start);
        xs__gen_gout_ch(o, ',');
        if (r->end != NEVER) put_date(g, o, r->end);
        int months = p->billing == XS__BILL_YEAR ? 12 : 1;
        xs__gen_gout_str(o, months == 12 ? ",year," : ",month,");
        if (r->end == NEVER) put_date(g, o, next_anniversary(r->start, months, g->as_of));
        xs__gen_gout_ch(o, '\n');
    }
}

static void usage_row(xs__gen_ctx *g, xs__gen_sim *s, int prod, const char *metric,
                      size_t mlen, int64_t v, int frac, int32_t d)
{
    xs__gen_gout *o = &g->out[XS_GEN_USAGE];
    xs__gen_gout_row(o);
    put_cid(o, s->num);
    xs__gen_gout_ch(o, ',');
    put_prod(g, o, prod);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_mem(o, metric, mlen);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_fixed(o, v, frac);
    xs__gen_gout_ch(o, ',');
    put_date(g, o, d);
    xs__gen_gout_ch(o, '\n');
}

/* Monthly seats / storage_gb / logins of every family active at as_of. */
static void write_usage(xs__gen_ctx *g, xs__gen_sim *s)
{
    int cls = !n_active(s)                   ? XS__CLASS_NONE
              : s->churn_soon                ? XS__CLASS_LOW
              : s->trend == XS__TREND_GROW   ? XS__CLASS_HIGH
              : s->trend == XS__TREND_SHRINK ? XS__CLASS_LOW
                                             : XS__CLASS_NORMAL;
    s->usage_class = cls;
    if (cls == XS__CLASS_NONE) return;
    int y, m, d;
    xs__civil_from_days(g->as_of, &y, &m, &d);
    for (int f = 0; f < XS__N_FAM; f++) {
        if (s->plan_row[f] < 0) continue;
        int64_t cap_now = capacity(g, s, f, g->as_of, 0);
        double u_end, slope = 0.02 + 0.04 * unif(s);
        if (cls == XS__CLASS_HIGH)
            u_end = 0.9 + 0.1 * unif(s);
        else if (cls == XS__CLASS_LOW)
            u_end = 0.08 + 0.3 * unif(s);
        else
            u_end = 0.45 + 0.4 * unif(s);
        double st_ratio = 0.5 + 0.45 * unif(s);
        double activity = 4 + 16 * s->health;
        for (int k = XS__GEN_USAGE_MONTHS - 1; k >= 0; k--) {
            /* the last day of the month k months back, the latest on as_of */
            int mm = m - k, yy = y;
            while (mm < 1) {
                mm += 12;
                yy--;
            }
            int32_t day = k == 0 ? g->as_of
                                 : xs__days_from_civil(yy, mm, xs__days_in_month(yy, mm));
            int ri = plan_at(g, s, f, day);
            if (ri < 0) continue;
            int64_t cap = capacity(g, s, f, day, 0);
            double uk = cls == XS__CLASS_HIGH  ? u_end - slope * k
                        : cls == XS__CLASS_LOW ? u_end + slope * k
                                               : u_end + 0.03 * (unif(s) - 0.5);
            uk = clampd(uk, 0.02, 1.0);
            int64_t seats = (int64_t)(uk * (double)cap_now + 0.5);
            if (k == 0) {
                /* keep the planted class exact after rounding */
                if (cls == XS__CLASS_HIGH && seats * 10 < cap * 9)
                    seats = (cap * 9 + 9) / 10;
                if (cls == XS__CLASS_LOW && seats * 10 >= cap * 4)
                    seats = (cap * 4 - 1) / 10;
                if (cls == XS__CLASS_NORMAL) {
                    if (seats * 10 >= cap * 9) seats = (cap * 9 - 1) / 10;
                    if (seats * 10 < cap * 4) seats = (cap * 4 + 9) / 10;
                }
            }
            if (seats > cap) seats = cap;
            if (seats < 0) seats = 0;
            int64_t scap = capacity(g, s, f, day, 1);
            int64_t storage10 =
                (int64_t)(clampd(uk * st_ratio + 0.02 * unif(s), 0.0, 1.0) *
                          (double)scap * 10);
            double fade = s->churn_soon && k <= 2 ? 0.25 + 0.2 * k : 1.0;
            int64_t logins =
                (int64_t)((double)seats * activity * fade * (0.9 + 0.2 * unif(s)));
            int prod = s->rows[ri].prod;
            usage_row(g, s, prod, "seats", 5, seats, 0, day);
            usage_row(g, s, prod, "storage_gb", 10, storage10, 1, day);
            usage_row(g, s, prod, "logins", 6, logins, 0, day);
        }
    }
}

static void event_row(xs__gen_ctx *g, xs__gen_sim *s, int32_t d, const char *type,
                      int64_t value, int has_value, char ref_kind, int ref_k,
                      int ref_prod)
{
    xs__gen_gout *o = &g->out[XS_GEN_EVENTS];
    xs__gen_gout_row(o);
    put_cid(o, s->num);
    xs__gen_gout_ch(o, ',');
    put_date(g, o, d);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_str(o, type);
    xs__gen_gout_ch(o, ',');
    if (has_value) xs__gen_gout_u64(o, (uint64_t)value);
    xs__gen_gout_ch(o, ',');
    if (ref_prod >= 0) {
        put_prod(g, o, ref_prod);
    } else if (ref_kind) {
        xs__gen_gout_ch(o, ref_kind);
        xs__gen_gout_u64w(o, s->num, 8);
        xs__gen_gout_ch(o, '-');
        xs__gen_gout_u64w(o, (uint64_t)ref_k, 2);
    }
    xs__gen_gout_ch(o, '\n');
}

static const double event_size_f[3] = {1.0, 1.4, 2.0}; /* by customer size */

/* NPS surveys about twice a year (lower before a churn). */
static void nps_events(xs__gen_ctx *g, xs__gen_sim *s)
{
    int32_t as_of = g->as_of;
    for (int32_t d = s->signup + 90 + below(s, 60); d <= as_of; d += 170 + below(s, 30)) {
        if (unif(s) >= 0.55) continue;
        double x = 10.0 * s->health + 1.2 * xs__rng_normal(&s->r);
        if (s->churn_soon && d > as_of - 120) x = 4.0 * unif(s);
        int score = (int)clampd(floor(x + 0.5), 0, 10);
        event_row(g, s, d, "nps", score, 1, 0, 0, -1);
    }
}

/* Support tickets (1 = critical; closed with the same ref), more of them
 * for a bigger or less healthy customer, and a recent critical one open
 * before a churn. Sets s->open_critical. */
static void ticket_events(xs__gen_ctx *g, xs__gen_sim *s, int active)
{
    int32_t as_of = g->as_of, tenure = as_of - s->signup, d;
    double rate = (0.5 + 3.0 * (1 - s->health)) * event_size_f[s->size] * tenure / 365.0;
    int n_t = (int)xs__rng_poisson(&s->r, rate);
    if (n_t > 24) n_t = 24;
    int k = 0;
    for (; k < n_t; k++) {
        d = s->signup + below(s, tenure + 1);
        double u = unif(s);
        double p1 = 0.03 + 0.08 * (1 - s->health);
        int sev = u < p1 ? 1 : u < p1 + 0.2 ? 2 : u < p1 + 0.65 ? 3 : 4;
        int32_t closed = d + (int32_t)xs__rng_exp(&s->r, 1.5 + 3.0 * (sev - 1));
        event_row(g, s, d, "ticket", sev, 1, 'T', k + 1, -1);
        if (closed <= as_of)
            event_row(g, s, closed, "ticket_closed", 0, 0, 'T', k + 1, -1);
        else if (sev == 1)
            s->open_critical = 1;
    }
    if (active && (s->churn_soon ? unif(s) < 0.35 : unif(s) < 0.01)) {
        d = as_of - below(s, 7);
        if (d < s->signup) d = s->signup;
        event_row(g, s, d, "ticket", 1, 1, 'T', k + 1, -1);
        s->open_critical = 1;
    }
}

/* The recent activity of an active customer: daily logins of the last two
 * weeks, meetings with its owner, failed payments, a cancel request. */
static void activity_events(xs__gen_ctx *g, xs__gen_sim *s)
{
    int32_t as_of = g->as_of, d;
    /* daily logins of the last two weeks */
    double pday = s->churn_soon ? 0.08 : 0.1 + 0.75 * s->health;
    for (d = as_of - 13; d <= as_of; d++) {
        if (d < s->signup || unif(s) >= pday) continue;
        int64_t n = 1 + (int64_t)xs__rng_poisson(&s->r, (2 + 10 * s->health) *
                                                            event_size_f[s->size]);
        event_row(g, s, d, "login", n, 1, 0, 0, -1);
    }
    if (s->owner >= 0) {
        for (d = as_of - 360 + below(s, 60); d <= as_of; d += 80 + below(s, 30))
            if (d >= s->signup && unif(s) < 0.6)
                event_row(g, s, d, "meeting", 0, 0, 0, 0, -1);
    }
    if (s->health < 0.45 && unif(s) < 0.5) {
        int n = 1 + below(s, 2);
        for (int j = 0; j < n; j++) {
            d = as_of - below(s, 120);
            if (d >= s->signup)
                event_row(g, s, d, "payment_failed", 0, 0, 'P', j + 1, -1);
        }
    }
    if (s->churn_soon && unif(s) < 0.6) {
        d = as_of - below(s, 30);
        if (d < s->signup) d = s->signup;
        event_row(g, s, d, "cancel_request", 0, 0, 0, 0, -1);
    }
}

/* The renewal decisions of annual plans: 1 renewed, 0 left. */
static void renewal_events(xs__gen_ctx *g, xs__gen_sim *s)
{
    int32_t as_of = g->as_of;
    for (int i = 0; i < s->n_rows; i++) {
        const xs__gen_sim_row *r = &s->rows[i];
        const xs__gen_product *p = &g->cat.p[r->prod];
        if (p->kind != XS__KIND_PLAN || p->billing != XS__BILL_YEAR) continue;
        int32_t lim = r->end < as_of ? r->end : as_of;
        for (int j = 1;; j++) {
            int32_t a = xs__date_add_months(r->start, 12 * j);
            if (a > lim) break;
            if (a < r->end) {
                event_row(g, s, a, "renewal_decision", 1, 1, 0, 0, r->prod);
            } else {
                int successor = 0;
                for (int q = 0; q < s->n_rows; q++)
                    if (s->rows[q].start == r->end &&
                        g->cat.p[s->rows[q].prod].fam == p->fam &&
                        g->cat.p[s->rows[q].prod].kind == XS__KIND_PLAN)
                        successor = 1;
                if (!successor)
                    event_row(g, s, a, "renewal_decision", 0, 1, 0, 0, r->prod);
            }
        }
    }
}

/* The events of a SaaS customer, drawn in this order (the random numbers
 * of every customer, and so the output, stay as they were): onboarding,
 * NPS, tickets, recent activity, renewals. */
static void write_events(xs__gen_ctx *g, xs__gen_sim *s)
{
    s->open_critical = 0;
    if (!s->saas || s->n_rows == 0) return;
    int active = n_active(s) > 0;
    int32_t first = NEVER;
    for (int i = 0; i < s->n_rows; i++)
        if (s->rows[i].start < first) first = s->rows[i].start;
    int32_t d = first + 7 + below(s, 40);
    if (d <= g->as_of) event_row(g, s, d, "onboarding_done", 0, 0, 0, 0, -1);
    nps_events(g, s);
    ticket_events(g, s, active);
    if (active) activity_events(g, s);
    renewal_events(g, s);
}

static void put_ts(xs__gen_ctx *g, xs__gen_gout *o, int32_t d, int minute)
{
    put_date(g, o, d);
    xs__gen_gout_ch(o, 'T');
    xs__gen_gout_u64w(o, (uint64_t)(minute / 60), 2);
    xs__gen_gout_ch(o, ':');
    xs__gen_gout_u64w(o, (uint64_t)(minute % 60), 2);
    xs__gen_gout_str(o, ":00Z");
}

static void write_offers(xs__gen_ctx *g, xs__gen_sim *s)
{
    xs__gen_gout *o = &g->out[XS_GEN_OFFERS];
    for (int i = 0; i < s->n_offers; i++) {
        const xs__gen_sim_offer *f = &s->offers[i];
        xs__gen_gout_row(o);
        xs__gen_gout_ch(o, 'F');
        xs__gen_gout_u64w(o, s->num, 8);
        xs__gen_gout_ch(o, '-');
        xs__gen_gout_u64w(o, (uint64_t)(i + 1), 2);
        xs__gen_gout_ch(o, ',');
        put_cid(o, s->num);
        xs__gen_gout_ch(o, ',');
        put_prod(g, o, f->prod);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_str(o, xs__gen_okind_name[f->kind]);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_str(o, xs__gen_channel_name[f->channel]);
        xs__gen_gout_ch(o, ',');
        put_ts(g, o, f->sent, f->sent_min);
        xs__gen_gout_ch(o, ',');
        xs__gen_gout_str(o, xs__gen_outcome_name[f->outcome]);
        xs__gen_gout_ch(o, ',');
        if (f->at != NEVER) put_ts(g, o, f->at, f->at_min);
        xs__gen_gout_ch(o, ',');
        if (f->outcome == XS__OUT_ACCEPTED) xs__gen_gout_fixed(o, f->delta, 2);
        xs__gen_gout_ch(o, '\n');
    }
}

/* ---------------------------------------------------------------------- */
/* Web-shop orders                                                        */
/* ---------------------------------------------------------------------- */

static void add_line(xs__gen_ctx *g, xs__gen_sim *s, xs__gen_sim_order *od, int ec)
{
    int qty = g->cat.p[g->cat.ec[ec]].consumable ? 1 + below(s, 5)
              : unif(s) < 0.1                    ? 2
                                                 : 1;
    for (int i = 0; i < od->n; i++) {
        if (od->item[i] == ec) {
            od->qty[i] += 1;
            return;
        }
    }
    if (od->n >= XS__SIM_MAX_LINES) return;
    od->item[od->n] = ec;
    od->qty[od->n] = qty;
    od->n++;
}

static int has_item(const xs__gen_sim_order *od, int ec)
{
    for (int i = 0; i < od->n; i++)
        if (od->item[i] == ec) return 1;
    return 0;
}

static int bg_item(xs__gen_ctx *g, xs__gen_sim *s)
{
    unsigned u = (unsigned)xs__rng_below(&s->r, g->cat.ec_cum[XS__N_EC - 1]);
    int lo = 0, hi = XS__N_EC - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (u < g->cat.ec_cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Sorts orders by date, keeping creation order among equal dates. */
static void sort_orders(xs__gen_sim *s)
{
    for (int i = 1; i < s->n_orders; i++) {
        xs__gen_sim_order t = s->orders[i];
        int j = i - 1;
        while (j >= 0 && (s->orders[j].date > t.date ||
                          (s->orders[j].date == t.date && s->orders[j].seq > t.seq))) {
            s->orders[j + 1] = s->orders[j];
            j--;
        }
        s->orders[j + 1] = t;
    }
}

/* Draws a shopper's orders: a Poisson number over its tenure, each with a
 * planted bundle (by the bundles' probabilities) and background items,
 * then a follow-up order of each planted sequence after the first order of
 * its `from` item; sorted by date. */
static void draw_orders(xs__gen_ctx *g, xs__gen_sim *s)
{
    static const double size_f[3] = {1.0, 2.0, 4.0};
    double lam = (0.5 + xs__rng_exp(&s->r, 2.5)) * size_f[s->size];
    int32_t tenure = g->as_of - s->signup;
    int n = (int)xs__rng_poisson(&s->r, lam * tenure / 365.0);
    if (n > XS__SIM_MAX_ORDERS / 2) n = XS__SIM_MAX_ORDERS / 2;
    double p_bundle = 0;
    double bw[XS__GEN_N_BUNDLES];
    for (int b = 0; b < XS__GEN_N_BUNDLES; b++)
        p_bundle += bw[b] = xs__gen_bundles[b].p;
    for (int k = 0; k < n; k++) {
        xs__gen_sim_order *od = &s->orders[s->n_orders];
        od->date = s->signup + below(s, tenure + 1);
        od->seq = s->n_orders++;
        od->n = 0;
        if (unif(s) < p_bundle) {
            int b = pick(s, bw, XS__GEN_N_BUNDLES);
            for (int i = 0; i < xs__gen_bundles[b].n; i++)
                add_line(g, s, od, xs__gen_bundles[b].item[i]);
            g->truth.bundle_planted[b]++;
        }
        int bg = 1 + (int)xs__rng_poisson(&s->r, 0.8);
        for (int i = 0; i < bg; i++)
            add_line(g, s, od, bg_item(g, s));
    }
    sort_orders(s);
    /* planted sequences: a follow-up order of `to` after the first `from` */
    int n0 = s->n_orders;
    for (int q = 0; q < XS__GEN_N_SEQS; q++) {
        const xs__gen_seq *sq = &xs__gen_seqs[q];
        for (int k = 0; k < n0; k++) {
            if (!has_item(&s->orders[k], sq->from)) continue;
            double u = unif(s);
            int32_t d = s->orders[k].date + lag_days(s, sq->lag_mean_days);
            if (u < sq->p && d <= g->as_of && s->n_orders < XS__SIM_MAX_ORDERS) {
                xs__gen_sim_order *od = &s->orders[s->n_orders];
                od->date = d;
                od->seq = s->n_orders++;
                od->n = 0;
                add_line(g, s, od, sq->to);
            }
            break;
        }
    }
    sort_orders(s);
}

/* The orders.csv rows of the customer's orders, counting the items and
 * the bundles' antecedents and completions for truth.json. */
static void order_rows(xs__gen_ctx *g, xs__gen_sim *s)
{
    xs__gen_gout *o = &g->out[XS_GEN_ORDERS];
    for (int k = 0; k < s->n_orders; k++) {
        const xs__gen_sim_order *od = &s->orders[k];
        for (int i = 0; i < od->n; i++) {
            int prod = g->cat.ec[od->item[i]];
            xs__gen_gout_row(o);
            xs__gen_gout_ch(o, 'O');
            xs__gen_gout_u64w(o, s->num, 8);
            xs__gen_gout_ch(o, '-');
            xs__gen_gout_u64w(o, (uint64_t)(k + 1), 3);
            xs__gen_gout_ch(o, ',');
            put_cid(o, s->num);
            xs__gen_gout_ch(o, ',');
            put_date(g, o, od->date);
            xs__gen_gout_ch(o, ',');
            put_prod(g, o, prod);
            xs__gen_gout_ch(o, ',');
            xs__gen_gout_u64(o, (uint64_t)od->qty[i]);
            xs__gen_gout_ch(o, ',');
            xs__gen_gout_fixed(o, g->cat.p[prod].price * od->qty[i], 2);
            xs__gen_gout_ch(o, '\n');
            g->truth.item_orders[od->item[i]]++;
        }
        for (int b = 0; b < XS__GEN_N_BUNDLES; b++) {
            const xs__gen_bundle *bd = &xs__gen_bundles[b];
            int ante = 1;
            for (int i = 0; i < bd->n - 1; i++)
                ante &= has_item(od, bd->item[i]);
            if (!ante) continue;
            g->truth.bundle_ante_orders[b]++;
            if (has_item(od, bd->item[bd->n - 1])) g->truth.bundle_orders[b]++;
        }
    }
}

/* The planted sequences as the orders show them, for truth.json: whether
 * the customer bought `to`, and `to` after its first `from` (with the lag). */
static void sequence_truth(xs__gen_ctx *g, xs__gen_sim *s)
{
    for (int q = 0; q < XS__GEN_N_SEQS; q++) {
        const xs__gen_seq *sq = &xs__gen_seqs[q];
        int32_t first_from = NEVER, first_to_after = NEVER;
        int any_to = 0;
        for (int k = 0; k < s->n_orders; k++) {
            const xs__gen_sim_order *od = &s->orders[k];
            if (has_item(od, sq->to)) {
                any_to = 1;
                if (first_from != NEVER && od->date > first_from &&
                    first_to_after == NEVER)
                    first_to_after = od->date;
            }
            if (first_from == NEVER && has_item(od, sq->from)) first_from = od->date;
        }
        g->truth.seq_to[q] += (uint64_t)any_to;
        if (first_from == NEVER) continue;
        g->truth.seq_from[q]++;
        if (first_to_after != NEVER) {
            g->truth.seq_to_after[q]++;
            g->truth.seq_lag_sum[q] += (uint64_t)(first_to_after - first_from);
        }
    }
}

static void write_orders(xs__gen_ctx *g, xs__gen_sim *s)
{
    s->n_orders = 0;
    if (!s->shopper) return;
    draw_orders(g, s);
    order_rows(g, s);
    g->truth.n_orders += (uint64_t)s->n_orders;
    sequence_truth(g, s);
}

/* ---------------------------------------------------------------------- */
/* Truth of one customer                                                  */
/* ---------------------------------------------------------------------- */

static const char *const trend_names[] = {"stable", "grow", "shrink"};
static const char *const class_names[] = {"none", "normal", "high", "low"};

static void put_prob(xs__gen_gout *o, double p)
{
    xs__gen_gout_fixed(o, (int64_t)(p * 1000 + 0.5), 3);
}

static void write_truth_row(xs__gen_ctx *g, xs__gen_sim *s)
{
    xs__gen_truth *t = &g->truth;
    t->n_customers++;
    t->n_saas += (uint64_t)s->saas;
    t->n_shoppers += (uint64_t)s->shopper;
    t->n_high += s->usage_class == XS__CLASS_HIGH;
    t->n_low += s->usage_class == XS__CLASS_LOW;
    t->n_normal += s->usage_class == XS__CLASS_NORMAL;
    t->n_churn_soon += (uint64_t)s->churn_soon;
    t->n_open_critical += (uint64_t)s->open_critical;
    for (int k = 0; k < XS__GEN_N_PAIRS; k++) {
        const xs__gen_pair *p = &xs__gen_pairs[k];
        int32_t a = s->first_start[p->from], b = s->first_start[p->to];
        t->pair_to[k] += b != NEVER;
        if (a == NEVER) continue;
        t->pair_from[k]++;
        t->pair_both[k] += b != NEVER;
        if (b != NEVER && b > a) {
            t->pair_to_after[k]++;
            t->pair_lag_sum[k] += (uint64_t)(b - a);
        }
    }
    xs__gen_gout *o = &g->out[XS_GEN_TRUTH_CUSTOMERS];
    xs__gen_gout_row(o);
    put_cid(o, s->num);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_ch(o, s->saas ? '1' : '0');
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_ch(o, s->shopper ? '1' : '0');
    xs__gen_gout_ch(o, ',');
    put_prob(o, s->health);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_str(o, trend_names[s->trend]);
    for (int k = 0; k < XS__N_OKIND; k++) {
        xs__gen_gout_ch(o, ',');
        put_prob(o, s->prop[k]);
    }
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_str(o, class_names[s->usage_class]);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_ch(o, s->churn_soon ? '1' : '0');
    xs__gen_gout_ch(o, ',');
    if (s->churn_soon) put_date(g, o, s->churn_date);
    xs__gen_gout_ch(o, ',');
    xs__gen_gout_ch(o, s->open_critical ? '1' : '0');
    xs__gen_gout_ch(o, '\n');
}

/* The customer's arm in each kind's holdout experiment (all treatment when
 * there is none): xs_exp_assign() on the id as written to customers.csv.
 * Draws no random numbers. */
static void assign_arms(xs__gen_ctx *g, xs__gen_sim *s)
{
    for (int k = 0; k < XS__N_OKIND; k++)
        s->arm[k] = XS__ARM_TREATMENT;
    if (g->holdout_days <= 0) return;
    char id[32];
    size_t n = 0;
    uint64_t v = s->num;
    char t[24];
    int nd = 0;
    do {
        t[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (nd < 8)
        t[nd++] = '0';
    id[n++] = 'C';
    while (nd)
        id[n++] = t[--nd];
    for (int k = 0; k < XS__N_OKIND; k++) {
        /* only ids longer than 1 KiB can fail (XS_ENOMEM): never here */
        int a = xs_exp_assign(&g->exp_split, xs__gen_okind_name[k], id, n);
        s->arm[k] = a == XS__ARM_HOLDOUT ? XS__ARM_HOLDOUT : XS__ARM_TREATMENT;
        g->truth.exp_customers[k][s->arm[k]]++;
    }
}

/* One customer, start to finish (see sim.h): the order of the random draws
 * here fixes the output, so changing it changes the golden hash. */
void xs__gen_sim_customer(xs__gen_ctx *g, xs__gen_sim *s, uint64_t index)
{
    xs__rng_seed(&s->r, xs__mix64(xs__mix64(g->seed ^ 0x243f6a8885a308d3ULL) + index));
    s->num = index + 1;
    assign_arms(g, s);
    draw_profile(g, s);
    simulate(g, s);
    s->churn_soon = 0;
    s->churn_date = NEVER;
    double u = unif(s);
    if (n_active(s) && s->health < 0.33 && u < 0.7) {
        s->churn_soon = 1;
        s->churn_date = g->as_of + 1 + below(s, XS__GEN_CHURN_HORIZON);
    }
    xs__gen_hold_rows(g); /* the rows are drawn in time order: sorted by key below */
    write_customer(g, s);
    write_subscriptions(g, s);
    write_usage(g, s);
    write_events(g, s);
    write_offers(g, s);
    write_orders(g, s);
    xs__gen_sort_rows(g);
    write_truth_row(g, s);
}
