/*
 * xsell.h — the public API of libxsell, one header per module.
 *
 * xsell grows revenue from existing customers: it imports what customers hold,
 * buy and use into a store, loads a compact in-memory snapshot, mines which
 * products go together, scores customers and proposes upsells, cross-sells and
 * downsells. The CLI (src/cli) and the server (src/serve) include only this
 * header. Everything here is prefixed xs_ / XS_; types are opaque.
 *
 * The modules, in the order of the data flow; each header includes the ones
 * it builds on, compiles alone and opens with an example of its use:
 *   xsell/base.h      errors and their codes, output tables (table|json|csv)
 *   xsell/store.h     the store (SQLite, PostgreSQL, Citus), import, export,
 *                     the demo data generator
 *   xsell/snapshot.h  the store in memory, columnar
 *   xsell/mine.h      itemsets, rules, adoption timing, items bought
 *                     together, the personal ranking and its evaluation
 *   xsell/score.h     health, segments, RFM, LTV and CLV, churn risk, uplift
 *   xsell/offer.h     the offer engine, the cart, targets, the plan under
 *                     capacity, the catalog check, decisions and replay
 *   xsell/measure.h   KPIs, experiments, holdout experiments, uplift evaluation
 *   xsell/model.h     the model file every reader maps
 *   xsell/serve.h     the HTTP JSON API, API keys, webhooks, audit log
 * A program may include this header, or only the modules it uses.
 *
 * Conventions (see STYLE.md):
 *  - a fallible function returns int: XS_OK (0) or a count on success, a
 *    negative XS_E* code on failure;
 *  - detail goes through an optional `xs_error *err` (NULL: not wanted);
 *  - every _new/_open has a _free/_close that accepts NULL.
 */
#ifndef XS_XSELL_H
#define XS_XSELL_H

#include "xsell/base.h"
#include "xsell/store.h"
#include "xsell/snapshot.h"
#include "xsell/mine.h"
#include "xsell/score.h"
#include "xsell/offer.h"
#include "xsell/measure.h"
#include "xsell/model.h"
#include "xsell/serve.h"

#endif /* XS_XSELL_H */
