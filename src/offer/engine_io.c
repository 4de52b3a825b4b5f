/*
 * engine_io.c — the offer engine in a model file (contract in engine_io.h).
 *
 * The header section "engine.hdr" is the engine struct itself with every
 * address cleared — configuration, as-of day, money divisor, propensity
 * model, segment factors, the holdout experiments, the uplift summaries,
 * where the model came from: every scalar field, whatever is added later —
 * behind a presence mask. Every array is one section, listed once in
 * `arrays` below, the same table for saving and for mapping. Its element
 * count comes from the snapshot (customers, products, families), the
 * header's scalars or an offset array mapped before it, and each section
 * must hold exactly that many: an engine saved on another snapshot fails
 * with the section named. The personal ranking has its own sections
 * ("engine.rank.*", rank_io.c).
 *
 * A new pointer field of struct xs_offer_engine must be added to `arrays`
 * (or to the fix-ups in xs__offer_engine_map), or the mapped engine would
 * miss it.
 */
#include "offer/engine_io.h"
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/mfile_arr.h"

#include <stddef.h>
#include <string.h>

#define RANK_PREFIX "engine.rank"

typedef struct xs_offer_engine engine;

#define A(name, field, type)                                                             \
    {                                                                                    \
        name, offsetof(engine, field), sizeof(type)                                      \
    }

enum {
    E_HEALTH,
    E_SEGMENT,
    E_LTV,
    E_CHURN,
    E_CHURN_EXT,
    E_CHURN_SRC,
    E_MONTHLY,
    E_NEXT_TIER,
    E_PREV_TIER,
    E_ANNUAL,
    E_MONTHLY_OF,
    E_TERM_PRICE,
    E_SEAT_PACK,
    E_ENTRY_PLAN,
    E_ADOPT_OFF,
    E_ADOPT_R,
    E_ORDER_OFF,
    E_ORDER_R,
    E_SIM_OFF,
    E_SIM_R,
    E_BUYERS,
    E_ORDERS_OF,
    E_HOLDERS,
    E_SUBST_KEY,
    E_SUBST_LIFT,
    E_UP_TIER,
    E_BUNDLE_DISC,
    E_BUNDLES,
    E_BUNDLE_OFF,
    E_BUNDLE_IX,
    E_UP_OFF,
    E_UP_K,
    E_UP_N,
    E_TERM_K,
    E_RET,
    E_GROW0,
    E_KEEP0,
    E_GROW1,
    E_KEEP1,
    E_GROW2,
    E_KEEP2,
    E_N
};

static const xs__marr arrays[E_N] = {
    A("health", health, float),
    A("segment", segment, uint8_t),
    A("ltv", ltv, double),
    A("churn", churn, double),
    A("churn_ext", churn_ext, double),
    A("churn_src", churn_src_of, uint8_t),
    A("monthly", monthly, double),
    A("next_tier", next_tier, int32_t),
    A("prev_tier", prev_tier, int32_t),
    A("annual", annual, int32_t),
    A("monthly_of", monthly_of, int32_t),
    A("term_price", term_price, double),
    A("seat_pack", seat_pack, int32_t),
    A("entry_plan", entry_plan, int32_t),
    A("adopt.off", adopt.off, uint32_t),
    A("adopt.r", adopt.r, xs__offer_rule),
    A("order.off", order.off, uint32_t),
    A("order.r", order.r, xs__offer_rule),
    A("sim.off", sim.off, uint32_t),
    A("sim.r", sim.r, xs__offer_rule),
    A("buyers", buyers, uint32_t),
    A("orders_of", orders_of, uint32_t),
    A("holders", holders, uint32_t),
    A("subst.key", subst.key, uint64_t),
    A("subst.lift", subst.lift, float),
    A("up_tier", up_tier, int32_t),
    A("bundle_disc", bundle_disc, double),
    A("bundles", bundles, xs__offer_bundle),
    A("bundle_off", bundle_off, uint32_t),
    A("bundle_ix", bundle_ix, uint32_t),
    A("up_off", up_off, uint32_t),
    A("up_k", up_k, uint32_t),
    A("up_n", up_n, uint32_t),
    A("term_k", term_k, uint32_t),
    A("ret", ret, xs__offer_ret),
    A("uplift0.grow", uplift[0].grow, float),
    A("uplift0.keep", uplift[0].keep, float),
    A("uplift1.grow", uplift[1].grow, float),
    A("uplift1.keep", uplift[1].keep, float),
    A("uplift2.grow", uplift[2].grow, float),
    A("uplift2.keep", uplift[2].keep, float),
};
#undef A

_Static_assert(XS_OFFER_N_KINDS == 3, "engine_io.c lists the uplift arrays of 3 kinds");

typedef struct engine_hdr {
    uint64_t present;
    uint64_t n_customers, n_products, n_families; /* of the snapshot */
    uint32_t has_rank, pad;
    engine img;
} engine_hdr;

/* Count of a rule table's rules: its offsets' entry n_items (the last one,
 * n_items + 1, is 0). */
static size_t rules_count(const xs__offer_rules *r, size_t ni)
{
    return r->off && r->off[ni] == r->n ? r->n : SIZE_MAX;
}

static size_t count_of(const void *obj, int i)
{
    const engine *en = obj;
    const struct xs_snapshot *s = en->s;
    size_t n = s->cust.n, np = s->prod.n, nf = s->dict.families.n, ni = en->n_items;
    if (ni != np + nf) return SIZE_MAX;
    switch (i) {
    case E_HEALTH:
    case E_SEGMENT:
    case E_LTV:
    case E_CHURN:
    case E_CHURN_EXT:
    case E_CHURN_SRC:
    case E_GROW0:
    case E_KEEP0:
    case E_GROW1:
    case E_KEEP1:
    case E_GROW2:
    case E_KEEP2:
        return n;
    case E_MONTHLY:
        return np + 1; /* calloc'd with one more: all saved */
    case E_NEXT_TIER:
    case E_PREV_TIER:
    case E_ANNUAL:
    case E_MONTHLY_OF:
    case E_UP_TIER:
        return np;
    case E_TERM_PRICE:
        return np * XS__OFFER_N_TERMS;
    case E_SEAT_PACK:
    case E_ENTRY_PLAN:
        return nf;
    case E_ADOPT_OFF:
    case E_ORDER_OFF:
    case E_SIM_OFF:
        return ni + 2;
    case E_ADOPT_R:
        return rules_count(&en->adopt, ni);
    case E_ORDER_R:
        return rules_count(&en->order, ni);
    case E_SIM_R:
        return rules_count(&en->sim, ni);
    case E_BUYERS:
    case E_ORDERS_OF:
    case E_BUNDLE_DISC:
    case E_UP_OFF:
        return np + 1;
    case E_HOLDERS:
        return nf + 1;
    case E_SUBST_KEY:
    case E_SUBST_LIFT:
        /* a power of two, so that slot arithmetic stays in the table */
        return en->subst.cap & (en->subst.cap - 1) || en->subst.n > en->subst.cap
                   ? SIZE_MAX
                   : en->subst.cap;
    case E_BUNDLES:
        return en->n_bundles;
    case E_BUNDLE_OFF:
        return np + 2;
    case E_BUNDLE_IX:
        return en->bundle_off ? en->bundle_off[np] : SIZE_MAX;
    case E_UP_K:
        return en->up_off ? xs__marr_mul(en->up_off[np], XS__OFFER_N_BANDS) : SIZE_MAX;
    case E_UP_N:
        return np * XS__OFFER_N_BANDS;
    case E_TERM_K:
        return np * XS__OFFER_N_BANDS * XS__OFFER_N_TERMS;
    case E_RET:
        return en->up_off ? xs__marr_mul(en->up_off[np], XS__OFFER_N_TCLS) : SIZE_MAX;
    default:
        return SIZE_MAX;
    }
}

/* Contract in engine_io.h. */
int xs__offer_engine_save(const xs_offer_engine *en, xs__mfile_writer *w, xs_error *err)
{
    engine_hdr *h = xs__calloc(1, sizeof *h);
    if (!h) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    const struct xs_snapshot *s = en->s;
    int rc = xs__marr_save_all(w, "engine", arrays, E_N, en, count_of, &h->present, err);
    if (rc == XS_OK && en->rank) rc = xs__offer_rank_save(en->rank, w, RANK_PREFIX, err);
    if (rc < 0) goto cleanup;
    h->n_customers = s->cust.n;
    h->n_products = s->prod.n;
    h->n_families = s->dict.families.n;
    h->has_rank = en->rank != NULL;
    h->img = *en;
    xs__marr_clear(&h->img, arrays, E_N);
    h->img.s = NULL;
    h->img.cfg.churn_p = NULL; /* = churn_ext once mapped */
    h->img.rank = NULL;
    h->img.mapped = h->img.uplift_mapped = 0;
    rc = xs__marr_put(w, "engine", "hdr", h, sizeof *h, 1, err);
cleanup:
    xs__free(h);
    return rc;
}

/* Contract in engine_io.h. */
int xs__offer_engine_map(const xs__mfile *f, const xs_snapshot *s, xs_offer_engine **out,
                         xs_error *err)
{
    const engine_hdr *h;
    *out = NULL;
    int rc = xs__marr_hdr(f, "engine", sizeof *h, "offer engine", (const void **)&h, err);
    if (rc < 0) return rc;
    if (h->n_customers != s->cust.n || h->n_products != s->prod.n ||
        h->n_families != s->dict.families.n)
        return xs__error_set(
            err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
            "section engine.hdr: built on %llu customers, %llu products "
            "and %llu families, the snapshot has %zu, %zu and %zu",
            (unsigned long long)h->n_customers, (unsigned long long)h->n_products,
            (unsigned long long)h->n_families, s->cust.n, s->prod.n, s->dict.families.n);
    engine *en = xs__malloc(sizeof *en);
    if (!en) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    *en = h->img;
    en->s = s;
    en->rank = NULL;
    en->mapped = en->uplift_mapped = 1;
    if ((rc = xs__marr_map_all(f, "engine", arrays, E_N, en, count_of, h->present, err)) <
        0)
        goto fail;
    /* the caller's churn_p, imported scores and attached model were merged
     * into churn_ext when the engine was built (churn_src.c) */
    en->cfg.churn_p = en->churn_ext;
    if (h->has_rank && (rc = xs__offer_rank_map(f, RANK_PREFIX, s, &en->rank, err)) < 0) {
        if (rc == XS_ENOTFOUND) /* the header says it is there */
            rc = xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                               "section %s.hdr: missing", RANK_PREFIX);
        goto fail;
    }
    *out = en;
    return XS_OK;
fail:
    xs_offer_engine_free(en);
    return rc;
}
