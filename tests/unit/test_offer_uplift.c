/*
 * test_offer_uplift.c — uplift inside the offer engine (src/offer/
 * uplift_src.c, docs/offers.md "Uplift"). A store generated here: 1,600
 * subscribers of one plan, half of segment smb and half ent, and a
 * finished holdout experiment of upsells (treatment:50,holdout:50) whose
 * outcome has a planted uplift: treated smb customers upgrade with
 * probability 0.50 against 0.10 in the holdout, treated ent customers 0.05
 * against 0.45. Checked: the experiment qualifies with the units counted
 * by brute force; each customer's predicted uplift has its segment's sign
 * and is near the segment's observed difference of rates; every ent
 * candidate is held back by negative_uplift, with the count and value in
 * the summary; ev = uplift x value - contact cost; value_basis and the
 * evidence text exactly; the exact reasons an experiment does not
 * qualify; and with no experiment (or uplift=0) every decision is the
 * propensity engine's, byte for byte.
 */
#include "xsell.h"

#include "base/rng.h"
#include "test.h"

#include <stdint.h>
#include <unistd.h>

#define N_CUST 1600
#define EXP_NAME "up"
#define EXP_SPLIT "treatment:50,holdout:50"

static char dir[64];
static xs_snapshot *snap;
static int treated_of[N_CUST]; /* 1 treated, 0 holdout */
static int expanded_of[N_CUST];

static const char *cust_id(int i)
{
    static char b[8][16];
    static int k;
    k = (k + 1) % 8;
    snprintf(b[k], sizeof b[k], "C%04d", i);
    return b[k];
}

static int is_ent(int i)
{
    return i % 2;
}

static FILE *open_csv(const char *name, const char *header)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s.csv", dir, name);
    FILE *f = fopen(p, "w");
    if (!f) abort();
    fprintf(f, "%s\n", header);
    return f;
}

/* Writes the store's CSV files; the planted outcome decides who upgraded
 * (on 2026-02-15, within the experiment's window). */
static void write_store(void)
{
    xs_exp_split sp;
    if (xs_exp_split_parse(EXP_SPLIT, &sp, NULL) < 0) abort();
    xs__rng r;
    xs__rng_seed(&r, 16);
    FILE *f =
        open_csv("products", "product_id,name,family,tier,kind,price,billing,limits,"
                             "category");
    fprintf(f, "team-basic,Team Basic,team,1,plan,100.00,month,seats=100,suite\n"
               "team-premium,Team Premium,team,2,plan,300.00,month,seats=500,suite\n"
               "team-sso,Team Single sign-on,team,,addon,50.00,month,,suite\n");
    fclose(f);
    FILE *c = open_csv("customers", "customer_id,name,segment,size,signup_date,"
                                    "consent_email,consent_in_app,consent_csm,owner");
    FILE *s = open_csv("subscriptions", "customer_id,product_id,quantity,unit_price,"
                                        "start_date,end_date,term,renewal_date");
    for (int i = 0; i < N_CUST; i++) {
        const char *id = cust_id(i);
        fprintf(c, "%s,Customer %d,%s,small,2024-01-01,1,0,0,\n", id, i,
                is_ent(i) ? "ent" : "smb");
        int arm = xs_exp_assign(&sp, EXP_NAME, id, strlen(id));
        treated_of[i] = strcmp(sp.name[arm], "holdout") != 0;
        double p =
            is_ent(i) ? (treated_of[i] ? 0.05 : 0.45) : (treated_of[i] ? 0.50 : 0.10);
        expanded_of[i] = xs__rng_uniform(&r) < p;
        if (expanded_of[i])
            fprintf(s,
                    "%s,team-basic,1,100.00,2025-01-01,2026-02-15,month,\n"
                    "%s,team-premium,1,300.00,2026-02-15,,month,2026-07-15\n",
                    id, id);
        else
            fprintf(s, "%s,team-basic,1,100.00,2025-01-01,,month,2026-07-01\n", id);
    }
    fclose(c);
    fclose(s);
}

static void load(void)
{
    static const char *const tables[] = {"customers", "products", "subscriptions"};
    char db[128], path[160], msg[1024];
    snprintf(dir, sizeof dir, "/tmp/xs_offer_uplift_XXXXXX");
    if (!mkdtemp(dir)) abort();
    write_store();
    snprintf(db, sizeof db, "%s/x.db", dir);
    xs_store *st = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_store_open(&st, db, &e) < 0) goto fail;
    for (size_t i = 0; i < XS_N(tables); i++) {
        xs_import_options o;
        xs_import_options_init(&o);
        if (xs_table_lookup(tables[i], &o.table) < 0) goto fail;
        snprintf(path, sizeof path, "%s/%s.csv", dir, tables[i]);
        if (xs_import_file(st, path, &o, NULL, &e) < 0) goto fail;
    }
    if (xs_snapshot_load(st, &snap, &e) < 0) goto fail;
    xs_store_close(st);
    for (size_t i = 0; i < XS_N(tables); i++) {
        snprintf(path, sizeof path, "%s/%s.csv", dir, tables[i]);
        unlink(path);
    }
    unlink(db);
    snprintf(path, sizeof path, "%s/x.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/x.db-shm", dir);
    unlink(path);
    rmdir(dir);
    return;
fail:
    fprintf(stderr, "store: %s\n", xs_error_format(&e, msg, sizeof msg));
    exit(1);
}

static xs_experiment experiment(const char *start, const char *end)
{
    xs_experiment x;
    memset(&x, 0, sizeof x);
    snprintf(x.name, sizeof x.name, EXP_NAME);
    x.kind = XS_OFFER_UPSELL;
    snprintf(x.split, sizeof x.split, EXP_SPLIT);
    snprintf(x.start, sizeof x.start, "%s", start);
    snprintf(x.end, sizeof x.end, "%s", end);
    return x;
}

/* Settings under which the planted store's add-on upsell reaches every
 * customer (no health data: judged like anyone else, no gate), and its
 * ~800 units per arm are enough evidence. */
static void config(xs_offer_config *c, const char *more)
{
    xs_offer_config_init(c);
    xs_error e;
    if (xs_offer_config_set(c, "unknown_gate=1,min_health=0,uplift_min_n=500", "--set",
                            &e) < 0)
        abort();
    if (more && xs_offer_config_set(c, more, "--set", &e) < 0) abort();
}

/* An engine as of 2026-06-30 with the experiments x[0..n). */
static xs_offer_engine *engine(const char *more, const xs_experiment *x, size_t n)
{
    xs_offer_config c;
    config(&c, more);
    xs_offer_engine *en = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = xs_offer_engine_new(snap, &c, "2026-06-30", &en, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) return NULL;
    rc = xs_offer_engine_set_experiments(en, x, n, &e);
    CHECK_INT(rc, XS_OK);
    return en;
}

static long cust_index(const xs_offer_engine *en, int i)
{
    return xs_offer_engine_find(en, cust_id(i));
}

static void test_qualifies(void)
{
    xs_experiment x = experiment("2026-01-01", "2026-03-31");
    xs_offer_engine *en = engine(NULL, &x, 1);
    if (!en) return;
    xs_offer_uplift_info u;
    CHECK_INT(xs_offer_engine_uplift(en, XS_OFFER_UPSELL, &u), XS_OK);
    size_t nt = 0, nh = 0;
    for (int i = 0; i < N_CUST; i++)
        treated_of[i] ? nt++ : nh++;
    CHECK_INT(u.on, 1);
    CHECK_STR(u.experiment, EXP_NAME);
    CHECK_STR(u.start, "2026-01-01");
    CHECK_STR(u.until, "2026-03-31");
    CHECK_INT(u.n_treated, nt);
    CHECK_INT(u.n_holdout, nh);
    CHECK_INT(u.n_scored, N_CUST); /* everyone pays on as_of */
    CHECK_INT(u.n_negative, N_CUST / 2);
    CHECK_STR(u.why, "");
    /* other kinds: no experiment, no evidence, no reason */
    CHECK_INT(xs_offer_engine_uplift(en, XS_OFFER_CROSS_SELL, &u), XS_OK);
    CHECK_INT(u.on, 0);
    CHECK_STR(u.why, "");
    CHECK_INT(xs_offer_engine_uplift(en, (xs_offer_kind)7, &u), XS_EINVAL);
    xs_offer_engine_free(en);
}

/* The planted effect, recovered: each customer's uplift has its segment's
 * sign and lies within 0.05 of the segment's observed difference of
 * rates (counted here from the planted outcomes). */
static void test_recovers_segments(void)
{
    xs_experiment x = experiment("2026-01-01", "2026-03-31");
    xs_offer_engine *en = engine(NULL, &x, 1);
    if (!en) return;
    double k[2][2] = {{0}}, m[2][2] = {{0}}; /* [ent][treated] */
    for (int i = 0; i < N_CUST; i++) {
        k[is_ent(i)][treated_of[i]] += expanded_of[i];
        m[is_ent(i)][treated_of[i]] += 1;
    }
    double want[2] = {k[0][1] / m[0][1] - k[0][0] / m[0][0],
                      k[1][1] / m[1][1] - k[1][0] / m[1][0]};
    CHECK(want[0] > 0.3 && want[1] < -0.3); /* the planted data as planted */
    size_t bad_sign = 0, far = 0, seen = 0;
    for (int i = 0; i < N_CUST; i++) {
        xs_offer o[XS_OFFER_MAX_CANDIDATES];
        int n =
            xs_offer_decide(en, (uint32_t)cust_index(en, i), o, XS_OFFER_MAX_CANDIDATES);
        for (int j = 0; j < n; j++) {
            if (o[j].kind != XS_OFFER_UPSELL) continue;
            CHECK_INT(o[j].value_basis, XS_VALUE_UPLIFT);
            seen++;
            if ((o[j].uplift < 0) != is_ent(i)) bad_sign++;
            if (fabs(o[j].uplift - want[is_ent(i)]) > 0.05) far++;
        }
    }
    CHECK(seen >= N_CUST);
    CHECK_INT(bad_sign, 0);
    CHECK_INT(far, 0);
    xs_offer_engine_free(en);
}

/* Every ent customer's upsell is held back by negative_uplift; the summary
 * counts them and the value P(accept) x value would have counted on. */
static void test_guard(void)
{
    xs_experiment x = experiment("2026-01-01", "2026-03-31");
    xs_offer_engine *en = engine("cost_email=10", &x, 1);
    if (!en) return;
    size_t held = 0, offered_ent = 0, ev_ok = 0, n_up = 0;
    double held_value = 0;
    for (int i = 0; i < N_CUST; i++) {
        xs_offer o[XS_OFFER_MAX_CANDIDATES];
        int n =
            xs_offer_decide(en, (uint32_t)cust_index(en, i), o, XS_OFFER_MAX_CANDIDATES);
        for (int j = 0; j < n; j++) {
            if (o[j].kind != XS_OFFER_UPSELL) continue;
            n_up++;
            if (o[j].ev == o[j].uplift * o[j].value - 10) ev_ok++;
            if (o[j].guard == XS_GUARD_NEGATIVE_UPLIFT) {
                held++;
                CHECK(is_ent(i));
                CHECK(o[j].uplift < 0);
                if (o[j].p_accept * o[j].value > 0)
                    held_value += o[j].p_accept * o[j].value;
            }
            if (is_ent(i) && o[j].guard == XS_GUARD_NONE) offered_ent++;
        }
    }
    CHECK_INT(ev_ok, n_up); /* channel email, cost 10 */
    CHECK_INT(held, N_CUST / 2);
    CHECK_INT(offered_ent, 0);
    xs_offer_summary sum;
    CHECK_INT(xs_offer_decide_all(en, 2, NULL, NULL, &sum), XS_OK);
    CHECK_INT(sum.n_suppressed[XS_GUARD_NEGATIVE_UPLIFT], N_CUST / 2);
    CHECK_NEAR(sum.ev_held[XS_GUARD_NEGATIVE_UPLIFT], held_value, 1e-6);
    CHECK_INT(sum.uplift_kinds, 1u << XS_OFFER_UPSELL);
    CHECK_STR(xs_offer_guard_name(XS_GUARD_NEGATIVE_UPLIFT), "negative_uplift");
    /* the summary table lists the guard: 1 + XS_GUARD_N - 1 rows */
    xs_table *t = xs_table_new();
    CHECK_INT(xs_offer_summary_table(&sum, t), XS_OK);
    CHECK_INT(xs_table_rows(t), XS_GUARD_N);
    xs_table_free(t);
    xs_offer_engine_free(en);
}

/* value_basis and the evidence, exactly. */
static void test_evidence(void)
{
    xs_experiment x = experiment("2026-01-01", "2026-03-31");
    xs_offer_engine *en = engine(NULL, &x, 1);
    if (!en) return;
    xs_offer_uplift_info u;
    xs_offer_engine_uplift(en, XS_OFFER_UPSELL, &u);
    for (int i = 0; i < 2; i++) {
        xs_offer o[XS_OFFER_MAX_CANDIDATES];
        int n =
            xs_offer_decide(en, (uint32_t)cust_index(en, i), o, XS_OFFER_MAX_CANDIDATES);
        CHECK(n >= 1);
        if (n < 1) continue;
        CHECK_INT(o[0].kind, XS_OFFER_UPSELL);
        CHECK_STR(xs_offer_value_basis_name(o[0].value_basis), "uplift");
        char ev[1024], want[300];
        xs_offer_evidence(en, &o[0], ev, sizeof ev);
        snprintf(
            want, sizeof want,
            "; uplift %+.3f (expanded) from the holdout experiment up (%zu treated / "
            "%zu holdout); expected value = uplift x value - contact cost 0.00",
            o[0].uplift, u.n_treated, u.n_holdout);
        const char *tail = strstr(ev, "; uplift ");
        CHECK(tail != NULL);
        if (tail) CHECK_STR(tail, want);
        CHECK(i == 0 ? o[0].guard == XS_GUARD_NONE
                     : o[0].guard == XS_GUARD_NEGATIVE_UPLIFT);
    }
    CHECK_STR(xs_offer_value_basis_name(XS_VALUE_PROPENSITY), "propensity");
    xs_offer_engine_free(en);
}

/* Decisions of two engines, compared field by field (bytes). */
static void same_decisions(const xs_offer_engine *a, const xs_offer_engine *b)
{
    size_t diff = 0;
    for (int i = 0; i < N_CUST; i++) {
        xs_offer oa[XS_OFFER_MAX_CANDIDATES], ob[XS_OFFER_MAX_CANDIDATES];
        uint32_t c = (uint32_t)cust_index(a, i);
        int na = xs_offer_decide(a, c, oa, XS_OFFER_MAX_CANDIDATES);
        int nb = xs_offer_decide(b, c, ob, XS_OFFER_MAX_CANDIDATES);
        if (na != nb || memcmp(oa, ob, (size_t)na * sizeof *oa)) diff++;
        for (int j = 0; j < na; j++)
            if (oa[j].value_basis != XS_VALUE_PROPENSITY || oa[j].uplift != 0) diff++;
    }
    CHECK_INT(diff, 0);
}

/* Without evidence nothing changes: no experiment, uplift=0, or an
 * experiment that does not qualify all decide as the propensity engine. */
static void test_no_evidence(void)
{
    xs_experiment x = experiment("2026-01-01", "2026-03-31");
    xs_offer_engine *none = engine(NULL, NULL, 0);
    xs_offer_engine *off = engine("uplift=0", &x, 1);
    if (!none || !off) goto cleanup;
    same_decisions(none, off);
    xs_offer_summary sum;
    xs_offer_decide_all(none, 1, NULL, NULL, &sum);
    CHECK_INT(sum.n_suppressed[XS_GUARD_NEGATIVE_UPLIFT], 0);
    CHECK_INT(sum.uplift_kinds, 0);
    xs_table *t = xs_table_new(); /* the summary table as it always was */
    CHECK_INT(xs_offer_summary_table(&sum, t), XS_OK);
    CHECK_INT(xs_table_rows(t), XS_GUARD_N - 1);
    xs_table_free(t);
cleanup:
    xs_offer_engine_free(none);
    xs_offer_engine_free(off);
}

/* The exact reasons an experiment does not qualify; the engine then
 * decides as with uplift=0 (the experiment still holds its holdout back
 * while it runs). */
static void test_not_qualifying(void)
{
    struct {
        const char *start, *end, *set, *why;
    } cases[] = {
        {"2026-03-15", "2026-03-31", NULL,
         "experiment \"up\": a window of 16 days, uplift_min_days is 30"},
        {"2026-01-01", "2026-03-31", "uplift_min_n=900",
         "experiment \"up\": 7XX treated and 8XX holdout customers with revenue on "
         "2026-01-01, uplift_min_n is 900"},
        {"2026-06-30", "", NULL,
         "experiment \"up\" starts 2026-06-30, not before as_of 2026-06-30"},
    };
    size_t nt = 0, nh = 0;
    for (int i = 0; i < N_CUST; i++)
        treated_of[i] ? nt++ : nh++;
    for (size_t k = 0; k < XS_N(cases); k++) {
        xs_experiment x = experiment(cases[k].start, cases[k].end);
        xs_offer_engine *en = engine(cases[k].set, &x, 1);
        xs_offer_engine *ref = engine("uplift=0", &x, 1);
        if (!en || !ref) {
            xs_offer_engine_free(en);
            xs_offer_engine_free(ref);
            continue;
        }
        xs_offer_uplift_info u;
        xs_offer_engine_uplift(en, XS_OFFER_UPSELL, &u);
        CHECK_INT(u.on, 0);
        char want[300];
        if (k == 1)
            snprintf(want, sizeof want,
                     "experiment \"up\": %zu treated and %zu holdout customers with "
                     "revenue on 2026-01-01, uplift_min_n is 900",
                     nt, nh);
        else
            snprintf(want, sizeof want, "%s", cases[k].why);
        CHECK_STR(u.why, want);
        if (!cases[k].set) same_decisions(ref, en);
        xs_offer_engine_free(en);
        xs_offer_engine_free(ref);
    }
}

/* Of two qualifying experiments of a kind the later start is used. */
static void test_latest(void)
{
    xs_experiment x[2] = {experiment("2025-06-01", "2025-12-31"),
                          experiment("2026-01-01", "2026-03-31")};
    snprintf(x[0].name, sizeof x[0].name, "older");
    xs_offer_engine *en = engine(NULL, x, 2);
    if (!en) return;
    xs_offer_uplift_info u;
    xs_offer_engine_uplift(en, XS_OFFER_UPSELL, &u);
    CHECK_INT(u.on, 1);
    CHECK_STR(u.experiment, EXP_NAME);
    xs_offer_engine_free(en);
}

static const xs_test tests[] = {
    {"qualifies", test_qualifies},
    {"recovers_segments", test_recovers_segments},
    {"guard", test_guard},
    {"evidence", test_evidence},
    {"no_evidence", test_no_evidence},
    {"not_qualifying", test_not_qualifying},
    {"latest", test_latest},
};

int main(void)
{
    load();
    int rc = xs_test_run(tests, XS_N(tests));
    xs_snapshot_free(snap);
    return rc;
}
