/*
 * catalog.c — the fictional company's product catalogue and the patterns the
 * generator plants in it.
 *
 * Seven SaaS families, each a tier ladder whose price and limits rise
 * together (monthly plans `<family>-<tier>-m` and annual ones `-y` at ten
 * times the monthly price), a few add-on options per family (monthly), and
 * an office-supplies web shop (kind product, billing once) whose orders carry
 * the planted co-purchase patterns. Also the constants of the planted signals
 * (complementary families, bundles, sequences, the offer response model)
 * that gen.c and truth.c share. See src/gen/README.md.
 */
#include "gen/gen_int.h"

#include <stdio.h>

typedef struct tierdef {
    const char *key, *name;
    int64_t price; /* monthly, minor units */
    int seats, storage_gb;
} tierdef;

typedef struct famdef {
    const char *key, *name, *category;
    int n_tiers;
    tierdef tier[XS__GEN_MAX_TIERS];
    int n_addons;
    tierdef addon[XS__GEN_MAX_ADDONS]; /* seats/storage_gb: extra capacity */
} famdef;

static const famdef families[XS__N_FAM] = {
    {"work",
     "Work",
     "suite",
     4,
     {{"free", "Free", 0, 5, 15},
      {"basic", "Basic", 15000, 25, 100},
      {"standard", "Standard", 48000, 100, 1000},
      {"premium", "Premium", 150000, 500, 5000}},
     4,
     {{"seats-10", "10 extra seats", 6000, 10, 0},
      {"storage-1tb", "Extra storage 1 TB", 10000, 0, 1000},
      {"sso", "Single sign-on", 12000, 0, 0},
      {"support", "Priority support", 20000, 0, 0}}},
    {"acct",
     "Accounting",
     "backoffice",
     3,
     {{"starter", "Starter", 3000, 3, 10},
      {"standard", "Standard", 9000, 10, 50},
      {"pro", "Professional", 25000, 30, 200}},
     3,
     {{"storage-100", "Extra storage 100 GB", 2000, 0, 100},
      {"audit", "Audit trail", 6000, 0, 0},
      {"support", "Priority support", 4000, 0, 0}}},
    {"payroll",
     "Payroll",
     "backoffice",
     3,
     {{"basic", "Basic", 5000, 20, 10},
      {"plus", "Plus", 15000, 100, 50},
      {"pro", "Pro", 40000, 500, 200}},
     2,
     {{"yearend", "Year-end adjustment", 3000, 0, 0},
      {"support", "Priority support", 4000, 0, 0}}},
    {"chat",
     "Chat",
     "collaboration",
     3,
     {{"free", "Free", 0, 10, 5},
      {"pro", "Pro", 8000, 50, 100},
      {"business", "Business", 24000, 250, 1000}},
     3,
     {{"storage-100", "Extra storage 100 GB", 2000, 0, 100},
      {"archive", "Message archive", 3000, 0, 0},
      {"sso", "Single sign-on", 5000, 0, 0}}},
    {"tasks",
     "Tasks",
     "collaboration",
     2,
     {{"basic", "Basic", 4000, 20, 20}, {"pro", "Pro", 12000, 100, 200}},
     2,
     {{"timetrack", "Time tracking", 2500, 0, 0}, {"gantt", "Gantt charts", 2000, 0, 0}}},
    {"crm",
     "CRM",
     "sales",
     3,
     {{"starter", "Starter", 6000, 5, 10},
      {"pro", "Professional", 24000, 25, 100},
      {"enterprise", "Enterprise", 80000, 100, 1000}},
     3,
     {{"seats-5", "5 extra seats", 5000, 5, 0},
      {"api", "API access", 10000, 0, 0},
      {"sso", "Single sign-on", 8000, 0, 0}}},
    {"mktg",
     "Marketing Automation",
     "marketing",
     3,
     {{"lite", "Lite", 12000, 3, 20},
      {"growth", "Growth", 45000, 10, 100},
      {"enterprise", "Enterprise", 140000, 30, 500}},
     2,
     {{"contacts-10k", "10k extra contacts", 8000, 0, 0},
      {"support", "Priority support", 10000, 0, 0}}},
};

static const char *const family_keys[XS__N_FAM] = {
    "work", "accounting", "payroll", "chat", "tasks", "crm", "marketing_automation"};

typedef struct ecdef {
    const char *key, *name, *category;
    int64_t price;
    int consumable;
    unsigned popularity;
} ecdef;

/* In XS__EC_* order. */
static const ecdef shop[XS__N_EC] = {
    {"laptop-14", "Laptop 14-inch", "computers", 120000, 0, 30},
    {"laptop-16", "Laptop 16-inch", "computers", 180000, 0, 20},
    {"desktop", "Desktop PC", "computers", 100000, 0, 12},
    {"tablet", "Tablet 11-inch", "computers", 60000, 0, 15},
    {"laptop-case", "Laptop case", "accessories", 4500, 0, 20},
    {"mouse", "Wireless mouse", "accessories", 2500, 0, 45},
    {"keyboard", "Wireless keyboard", "accessories", 6000, 0, 30},
    {"dock", "USB-C docking station", "accessories", 18000, 0, 14},
    {"hdmi", "HDMI cable 2 m", "accessories", 1200, 1, 35},
    {"usb-hub", "USB hub", "accessories", 3500, 0, 20},
    {"headset", "Headset", "accessories", 9000, 0, 25},
    {"webcam", "Web camera", "accessories", 8000, 0, 22},
    {"monitor-24", "Monitor 24-inch", "displays", 22000, 0, 25},
    {"monitor-27", "Monitor 27-inch", "displays", 35000, 0, 18},
    {"monitor-arm", "Monitor arm", "displays", 7000, 0, 12},
    {"printer", "Laser printer", "printing", 40000, 0, 10},
    {"toner-black", "Toner black", "printing", 9000, 1, 25},
    {"toner-color", "Toner color set", "printing", 22000, 1, 12},
    {"paper-a4", "A4 paper 5x500 sheets", "printing", 2500, 1, 70},
    {"label-printer", "Label printer", "printing", 15000, 0, 8},
    {"labels", "Label tape", "printing", 1800, 1, 20},
    {"desk", "Office desk", "furniture", 45000, 0, 10},
    {"chair", "Office chair", "furniture", 38000, 0, 14},
    {"desk-lamp", "Desk lamp", "furniture", 5000, 0, 15},
    {"cabinet", "Filing cabinet", "furniture", 26000, 0, 8},
    {"router", "Office router", "networking", 25000, 0, 8},
    {"switch", "Network switch 8-port", "networking", 18000, 0, 8},
    {"lan-cable", "LAN cable 5 m", "networking", 800, 1, 20},
    {"wifi-ap", "Wi-Fi access point", "networking", 20000, 0, 8},
    {"pens", "Ballpoint pens 10-pack", "supplies", 600, 1, 80},
    {"notebooks", "Notebooks 5-pack", "supplies", 1200, 1, 60},
    {"sticky-notes", "Sticky notes 12-pack", "supplies", 500, 1, 60},
    {"stapler", "Stapler", "supplies", 1500, 0, 20},
    {"coffee", "Coffee beans 1 kg", "supplies", 2200, 1, 55},
    {"water", "Bottled water case", "supplies", 1000, 1, 50},
    {"antivirus", "Antivirus 1-year licence", "software", 6000, 1, 15},
    {"office-suite", "Office suite licence", "software", 15000, 1, 15},
};

const xs__gen_pair xs__gen_pairs[XS__GEN_N_PAIRS] = {
    {XS__F_ACCT, XS__F_PAYROLL, 0.35, 120.0},
    {XS__F_CHAT, XS__F_TASKS, 0.40, 90.0},
    {XS__F_CRM, XS__F_MKTG, 0.30, 150.0},
};

const xs__gen_bundle xs__gen_bundles[XS__GEN_N_BUNDLES] = {
    {3, {XS__EC_LAPTOP14, XS__EC_LAPTOP_CASE, XS__EC_MOUSE}, 0.025},
    {2, {XS__EC_MONITOR24, XS__EC_HDMI, 0}, 0.030},
    {2, {XS__EC_HEADSET, XS__EC_WEBCAM, 0}, 0.030},
    {3, {XS__EC_DESK, XS__EC_CHAIR, XS__EC_LAMP}, 0.012},
    {2, {XS__EC_PRINTER, XS__EC_PAPER, 0}, 0.015},
    {2, {XS__EC_ROUTER, XS__EC_LAN_CABLE, 0}, 0.015},
};

const xs__gen_seq xs__gen_seqs[XS__GEN_N_SEQS] = {
    {XS__EC_PRINTER, XS__EC_TONER_BLACK, 0.60, 75.0},
    {XS__EC_LAPTOP16, XS__EC_DOCK, 0.30, 40.0},
};

const double xs__gen_channel_factor[XS__N_CH] = {0.8, 1.0, 1.5, 0.7, 0.5};
const char *const xs__gen_okind_name[XS__N_OKIND] = {"upsell", "cross_sell", "downsell"};
const char *const xs__gen_channel_name[XS__N_CH] = {"email", "in_app", "csm", "webinar",
                                                    "sns"};
const char *const xs__gen_outcome_name[XS__N_OUT] = {"accepted", "declined", "ignored",
                                                     "pending"};
const char *const xs__gen_arm_name[XS__N_ARM] = {"treatment", "holdout"};

/* Key of a family as written in products.csv; "" when out of range. */
const char *xs__gen_family_key(int fam)
{
    return fam >= 0 && fam < XS__N_FAM ? family_keys[fam] : "";
}

static xs__gen_product *add(xs__gen_catalog *c)
{
    xs__gen_product *p = &c->p[c->n++];
    memset(p, 0, sizeof *p);
    p->fam = -1;
    return p;
}

/* Fills *c: plans per family, tier and billing, add-ons, web-shop items and
 * their cumulative popularity. Pure: no allocation, same result every call. */
void xs__gen_catalog_build(xs__gen_catalog *c)
{
    memset(c, 0, sizeof *c);
    for (int f = 0; f < XS__N_FAM; f++) {
        const famdef *d = &families[f];
        c->n_tiers[f] = d->n_tiers;
        c->seat_pack[f] = -1;
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < d->n_tiers; t++) {
                const tierdef *td = &d->tier[t];
                if (b && td->price == 0) {
                    /* no annual variant of a free tier */
                    c->plan[f][t][b] = c->plan[f][t][0];
                    continue;
                }
                xs__gen_product *p = add(c);
                snprintf(p->id, sizeof p->id, "%s-%s-%c", d->key, td->key, b ? 'y' : 'm');
                snprintf(p->name, sizeof p->name, "%s %s (%s)", d->name, td->name,
                         b ? "annual" : "monthly");
                p->family = family_keys[f];
                p->category = d->category;
                p->fam = f;
                p->tier = t + 1;
                p->kind = XS__KIND_PLAN;
                p->billing = b ? XS__BILL_YEAR : XS__BILL_MONTH;
                p->price = b ? td->price * 10 : td->price;
                p->seats = td->seats;
                p->storage_gb = td->storage_gb;
                c->plan[f][t][b] = (int)(c->n - 1);
            }
        }
        c->n_addons[f] = d->n_addons;
        for (int a = 0; a < d->n_addons; a++) {
            const tierdef *td = &d->addon[a];
            xs__gen_product *p = add(c);
            snprintf(p->id, sizeof p->id, "%s-%s", d->key, td->key);
            snprintf(p->name, sizeof p->name, "%s %s", d->name, td->name);
            p->family = family_keys[f];
            p->category = d->category;
            p->fam = f;
            p->kind = XS__KIND_ADDON;
            p->billing = XS__BILL_MONTH;
            p->price = td->price;
            p->seats = td->seats;
            p->storage_gb = td->storage_gb;
            c->addon[f][a] = (int)(c->n - 1);
            if (td->seats > 0) c->seat_pack[f] = (int)(c->n - 1);
        }
    }
    unsigned cum = 0;
    for (int e = 0; e < XS__N_EC; e++) {
        const ecdef *d = &shop[e];
        xs__gen_product *p = add(c);
        snprintf(p->id, sizeof p->id, "shop-%s", d->key);
        snprintf(p->name, sizeof p->name, "%s", d->name);
        p->family = "";
        p->category = d->category;
        p->kind = XS__KIND_PRODUCT;
        p->billing = XS__BILL_ONCE;
        p->price = d->price;
        p->consumable = d->consumable;
        p->popularity = d->popularity;
        cum += d->popularity;
        c->ec[e] = (int)(c->n - 1);
        c->ec_cum[e] = cum;
    }
    for (size_t i = 0; i < c->n; i++)
        c->p[i].id_len = strlen(c->p[i].id);
}
