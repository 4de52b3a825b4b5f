/*
 * model_int.h — the private struct of xs_model, shared by model.c (build,
 * accessors, free) and model_file.c (save, open, store check).
 */
#ifndef XS_MODEL_INT_H
#define XS_MODEL_INT_H

#include "xsell.h"

#include "base/mfile.h"

struct xs_model {
    xs__mfile *f;              /* the mapping, NULL when built in memory */
    xs_snapshot *snap;
    xs_baskets *baskets;       /* NULL: none in the model */
    xs_together *tog;
    xs_rules *rules;
    xs_customer_scores *cs;    /* NULL: info.scores_error says why */
    xs_offer_engine *en;       /* NULL: info.engine_error says why */
    xs_target *targets;        /* ranked target list (into the mapping when f) */
    size_t n_targets;
    xs_offer_summary summary;  /* valid when en */
    xs_health_config hcfg;     /* what cs was computed with */
    xs_model_info info;
};

#endif
