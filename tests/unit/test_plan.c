/*
 * test_plan.c — the global plan's solvers (src/offer/plan_solve.c,
 * plan_lp.c) against a brute force that enumerates every assignment of
 * small random problems, and hand-worked problems with known answers:
 * where greedy loses to the plan, what each capacity is worth.
 */
#include "test.h"
#include "offer/plan_int.h"
#include "base/alloc.h"

#include <stdint.h>

/* A deterministic generator (64-bit LCG, high bits). */
static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state >> 33) % n);
}

typedef struct {
    xs__offer_plan_problem p;
    uint32_t off[16], k[16];
    xs__offer_plan_item item[32];
    double cap[8];
} fixed_problem;

/* A random problem of at most max_items items. */
static void random_problem(fixed_problem *f, size_t max_items)
{
    memset(f, 0, sizeof *f);
    size_t nc = 1 + rnd(5), ncons = 1 + rnd(3), n = 0;
    f->off[0] = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t m = 1 + rnd(4);
        if (n + m > max_items) m = max_items > n ? max_items - n : 0;
        for (size_t i = 0; i < m; i++, n++) {
            xs__offer_plan_item *it = &f->item[n];
            it->ev = 1 + rnd(100);
            it->cust = (uint32_t)c;
            it->group = rnd(3);
            for (int u = 0; u < XS__PLAN_MAX_USE; u++)
                it->use[u] = -1;
            int nu = (int)rnd(3);
            for (int u = 0; u < nu; u++) {
                int32_t j = (int32_t)rnd((uint32_t)ncons);
                int dup = 0;
                for (int v = 0; v < u; v++)
                    dup |= it->use[v] == j;
                if (!dup) it->use[u] = j;
            }
        }
        f->off[c + 1] = (uint32_t)n;
        f->k[c] = 1 + rnd(2);
    }
    for (size_t j = 0; j < ncons; j++)
        f->cap[j] = rnd(4);
    f->p.n_cust = nc;
    f->p.n_items = n;
    f->p.n_cons = ncons;
    f->p.off = f->off;
    f->p.k = f->k;
    f->p.item = f->item;
    f->p.cap = f->cap;
}

/* The optimum by enumerating every subset of the items. */
static double brute_force(const xs__offer_plan_problem *p)
{
    uint8_t x[32];
    double best = 0;
    for (uint32_t m = 0; m < (1u << p->n_items); m++) {
        double v = 0;
        for (size_t i = 0; i < p->n_items; i++) {
            x[i] = (uint8_t)(m >> i & 1u);
            if (x[i]) v += p->item[i].ev;
        }
        if (v > best && xs__offer_plan_feasible(p, x)) best = v;
    }
    return best;
}

static double value_of(const xs__offer_plan_problem *p, const uint8_t *x)
{
    double v = 0;
    for (size_t i = 0; i < p->n_items; i++)
        if (x[i]) v += p->item[i].ev;
    return v;
}

/* Random problems: the MIP equals the brute force; every solver's plan is
 * feasible and its value is what it says; no plan beats the optimum; the
 * LP and Lagrangian bounds are at least the optimum, the Lagrangian dual
 * at least the LP's (the LP is the best such bound). */
static void test_brute_force(void)
{
    rng_state = 12345;
    int n_exact_lagrange = 0, n_gap = 0;
    for (int round = 0; round < 300; round++) {
        fixed_problem f;
        random_problem(&f, 14);
        double opt = brute_force(&f.p);
        xs__offer_plan_solution mip, lp, lg, gr;
        xs_error e;
        CHECK_INT(xs__offer_plan_glpk(&f.p, 1, 0, &mip, &e), XS_OK);
        CHECK_INT(xs__offer_plan_glpk(&f.p, 0, 0, &lp, &e), XS_OK);
        CHECK_INT(xs__offer_plan_lagrange(&f.p, 300, &lg), XS_OK);
        CHECK_INT(xs__offer_plan_greedy(&f.p, &gr), XS_OK);
        CHECK_NEAR(mip.value, opt, 1e-9);
        CHECK_INT(mip.optimal, 1);
        const xs__offer_plan_solution *all[] = {&mip, &lp, &lg, &gr};
        for (int s = 0; s < 4; s++) {
            CHECK(xs__offer_plan_feasible(&f.p, all[s]->x));
            CHECK_NEAR(value_of(&f.p, all[s]->x), all[s]->value, 1e-9);
            CHECK(all[s]->value <= opt + 1e-9);
        }
        CHECK(lp.bound >= opt - 1e-7);
        CHECK(lg.bound >= lp.bound - 1e-6);
        if (lg.optimal) CHECK_NEAR(lg.value, opt, 1e-9);
        n_exact_lagrange += lg.value == opt;
        n_gap += lg.value < opt;
        xs__offer_plan_solution_free(&mip);
        xs__offer_plan_solution_free(&lp);
        xs__offer_plan_solution_free(&lg);
        xs__offer_plan_solution_free(&gr);
    }
    printf("lagrange optimal on %d of 300 random problems (%d below)\n", n_exact_lagrange,
           n_gap);
    CHECK(n_exact_lagrange >= 240); /* the repair rarely loses anything */
}

/* Builds the problem of the two hand-worked tests. */
static void setup(fixed_problem *f, size_t nc, const uint32_t *off, const uint32_t *k,
                  size_t ni, const double *ev, const uint32_t *group, const int32_t *use,
                  size_t ncons, const double *cap)
{
    memset(f, 0, sizeof *f);
    for (size_t c = 0; c <= nc; c++)
        f->off[c] = off[c];
    for (size_t c = 0; c < nc; c++) {
        f->k[c] = k[c];
        for (uint32_t i = off[c]; i < off[c + 1]; i++)
            f->item[i].cust = (uint32_t)c;
    }
    for (size_t i = 0; i < ni; i++) {
        f->item[i].ev = ev[i];
        f->item[i].group = group[i];
        f->item[i].use[0] = use[i];
        f->item[i].use[1] = f->item[i].use[2] = -1;
    }
    for (size_t j = 0; j < ncons; j++)
        f->cap[j] = cap[j];
    f->p.n_cust = nc;
    f->p.n_items = ni;
    f->p.n_cons = ncons;
    f->p.off = f->off;
    f->p.k = f->k;
    f->p.item = f->item;
    f->p.cap = f->cap;
}

/* Customer A: a CSM meeting worth 10 or an e-mail worth 9 (one offer at
 * most); customer B: a CSM meeting worth 8; one CSM meeting. Greedy visits
 * A first (best 10) and gives it the meeting: 10. The plan gives A the
 * e-mail and B the meeting: 17. One more meeting would give 18 (+1), one
 * fewer 9 (-8): the shadow price lies in [1, 8]. */
static void test_greedy_loses(void)
{
    static const uint32_t off[] = {0, 2, 3}, k[] = {1, 1}, group[] = {0, 1, 0};
    static const double ev[] = {10, 9, 8}, cap[] = {1, 1e9};
    static const int32_t use[] = {0, 1, 0};
    fixed_problem f;
    setup(&f, 2, off, k, 3, ev, group, use, 2, cap);
    xs__offer_plan_solution gr, lg, mip, lp;
    xs_error e;
    CHECK_INT(xs__offer_plan_greedy(&f.p, &gr), XS_OK);
    CHECK_INT(xs__offer_plan_lagrange(&f.p, 300, &lg), XS_OK);
    CHECK_INT(xs__offer_plan_glpk(&f.p, 1, 0, &mip, &e), XS_OK);
    CHECK_INT(xs__offer_plan_glpk(&f.p, 0, 0, &lp, &e), XS_OK);
    CHECK_NEAR(gr.value, 10, 0);
    CHECK_INT(gr.x[0], 1);
    CHECK_NEAR(lg.value, 17, 0);
    CHECK_INT(lg.x[1] + lg.x[2], 2);
    CHECK_NEAR(mip.value, 17, 0);
    CHECK_NEAR(lp.value, 17, 0);
    CHECK_NEAR(lp.bound, 17, 1e-9);
    CHECK_NEAR(lg.bound, 17, 1e-6);
    CHECK(lp.price[0] >= 1 - 1e-9 && lp.price[0] <= 8 + 1e-9);
    CHECK(lg.price[0] >= 1 - 1e-6 && lg.price[0] <= 8 + 1e-6);
    CHECK_NEAR(lp.price[1], 0, 1e-9); /* e-mail is not scarce */
    CHECK_NEAR(lg.price[1], 0, 1e-9);
    xs__offer_plan_solution_free(&gr);
    xs__offer_plan_solution_free(&lg);
    xs__offer_plan_solution_free(&mip);
    xs__offer_plan_solution_free(&lp);
}

/* Three customers with one offer each: 6 on channel a, 10 on channels a
 * and b, 6 on channel b; capacities a = 1, b = 1. The optimum is the two
 * offers of 6 (12 > 10), and the LP's is the same; its prices make the
 * middle offer not worth it (pa + pb >= 10) and keep the others
 * (pa, pb <= 6). */
static void test_prices(void)
{
    fixed_problem f;
    memset(&f, 0, sizeof f);
    static const uint32_t off[] = {0, 1, 2, 3}, k[] = {1, 1, 1}, group[] = {0, 0, 0};
    static const double ev[] = {6, 10, 6}, cap[] = {1, 1};
    static const int32_t use[] = {0, 0, 1};
    setup(&f, 3, off, k, 3, ev, group, use, 2, cap);
    f.item[1].use[1] = 1; /* the middle offer uses a and b */
    xs__offer_plan_solution lg, lp;
    xs_error e;
    CHECK_INT(xs__offer_plan_lagrange(&f.p, 300, &lg), XS_OK);
    CHECK_INT(xs__offer_plan_glpk(&f.p, 0, 0, &lp, &e), XS_OK);
    CHECK_NEAR(lg.value, 12, 0);
    CHECK_NEAR(lp.value, 12, 0);
    CHECK_NEAR(lp.bound, 12, 1e-9);
    CHECK(lp.price[0] + lp.price[1] >= 10 - 1e-9);
    CHECK(lp.price[0] <= 6 + 1e-9 && lp.price[1] <= 6 + 1e-9);
    CHECK(lg.price[0] + lg.price[1] >= 10 - 1e-3);
    CHECK(lg.price[0] <= 6 + 1e-3 && lg.price[1] <= 6 + 1e-3);
    xs__offer_plan_solution_free(&lg);
    xs__offer_plan_solution_free(&lp);
}

/* A larger random problem: every solver's plan respects every capacity
 * (counted here, not by the solver's own check), its per-customer limit
 * and families, and the plan is within 1% of the LP bound. */
static void test_large_feasible(void)
{
    rng_state = 777;
    size_t nc = 3000, ncons = 20, n = 0;
    xs__offer_plan_problem p;
    memset(&p, 0, sizeof p);
    p.off = xs__calloc(nc + 1, sizeof *p.off);
    p.k = xs__calloc(nc, sizeof *p.k);
    p.item = xs__calloc(nc * 6, sizeof *p.item);
    p.cap = xs__calloc(ncons, sizeof *p.cap);
    for (size_t c = 0; c < nc; c++) {
        size_t m = 1 + rnd(6);
        for (size_t i = 0; i < m; i++, n++) {
            p.item[n].ev = 1 + rnd(1000) / 10.0;
            p.item[n].cust = (uint32_t)c;
            p.item[n].group = rnd(4);
            p.item[n].use[0] = (int32_t)rnd(5);        /* a channel */
            p.item[n].use[1] = (int32_t)(5 + rnd(15)); /* an owner */
            p.item[n].use[2] = -1;
        }
        p.off[c + 1] = (uint32_t)n;
        p.k[c] = 1 + rnd(2);
    }
    for (size_t j = 0; j < ncons; j++)
        p.cap[j] = j < 5 ? 400 + 100 * (double)j : 60;
    p.n_cust = nc;
    p.n_items = n;
    p.n_cons = ncons;
    xs__offer_plan_solution lg, lp, gr;
    xs_error e;
    CHECK_INT(xs__offer_plan_lagrange(&p, 300, &lg), XS_OK);
    CHECK_INT(xs__offer_plan_glpk(&p, 0, 0, &lp, &e), XS_OK);
    CHECK_INT(xs__offer_plan_greedy(&p, &gr), XS_OK);
    const xs__offer_plan_solution *all[] = {&lg, &lp, &gr};
    for (int s = 0; s < 3; s++) {
        double use[20] = {0};
        uint32_t per[3000] = {0};
        for (size_t i = 0; i < n; i++) {
            if (!all[s]->x[i]) continue;
            per[p.item[i].cust]++;
            for (int u = 0; u < 2; u++)
                use[p.item[i].use[u]] += 1;
        }
        int over = 0;
        for (size_t j = 0; j < ncons; j++)
            over += use[j] > p.cap[j];
        for (size_t c = 0; c < nc; c++)
            over += per[c] > p.k[c];
        CHECK_INT(over, 0);
        CHECK(xs__offer_plan_feasible(&p, all[s]->x));
    }
    CHECK(lg.value >= 0.99 * lp.bound);
    CHECK(lp.value >= 0.99 * lp.bound);
    CHECK(lg.value > gr.value);
    printf("3000 customers: lagrange %.1f, lp %.1f, greedy %.1f, bound %.1f\n", lg.value,
           lp.value, gr.value, lp.bound);
    xs__offer_plan_solution_free(&lg);
    xs__offer_plan_solution_free(&lp);
    xs__offer_plan_solution_free(&gr);
    xs__free(p.off);
    xs__free(p.k);
    xs__free(p.item);
    xs__free(p.cap);
}

/* No items, no constraints: empty plans, value 0. */
static void test_empty(void)
{
    xs__offer_plan_problem p;
    uint32_t off[1] = {0};
    memset(&p, 0, sizeof p);
    p.off = off;
    xs__offer_plan_solution lg, lp, gr;
    xs_error e;
    CHECK_INT(xs__offer_plan_lagrange(&p, 300, &lg), XS_OK);
    CHECK_INT(xs__offer_plan_glpk(&p, 1, 0, &lp, &e), XS_OK);
    CHECK_INT(xs__offer_plan_greedy(&p, &gr), XS_OK);
    CHECK_NEAR(lg.value + lp.value + gr.value, 0, 0);
    xs__offer_plan_solution_free(&lg);
    xs__offer_plan_solution_free(&lp);
    xs__offer_plan_solution_free(&gr);
}

/* Every allocation of every solver failing in turn: XS_ENOMEM, nothing
 * leaked (ASan), and the run that gets all its memory answers as usual. */
static void test_alloc_failure(void)
{
    rng_state = 99;
    fixed_problem f;
    random_problem(&f, 12);
    for (int s = 0; s < 3; s++) {
        int ok = 0;
        for (long k = 0; k < 200 && !ok; k++) {
            xs__offer_plan_solution sol;
            xs_error e;
            xs__alloc_fail_after(k);
            int rc = s == 0   ? xs__offer_plan_greedy(&f.p, &sol)
                     : s == 1 ? xs__offer_plan_lagrange(&f.p, 300, &sol)
                              : xs__offer_plan_glpk(&f.p, 0, 0, &sol, &e);
            xs__alloc_fail_after(-1);
            if (rc == XS_OK) {
                ok = 1;
                CHECK(xs__offer_plan_feasible(&f.p, sol.x));
                xs__offer_plan_solution_free(&sol);
            } else
                CHECK_INT(rc, XS_ENOMEM);
        }
        CHECK(ok);
    }
}

int main(void)
{
    static const xs_test tests[] = {
        {"brute_force", test_brute_force},
        {"greedy_loses", test_greedy_loses},
        {"prices", test_prices},
        {"large_feasible", test_large_feasible},
        {"empty", test_empty},
        {"alloc_failure", test_alloc_failure},
    };
    return xs_test_run(tests, XS_N(tests));
}
