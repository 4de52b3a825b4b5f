/*
 * replay.h — what the files of replay share (src/measure/replay_run.c,
 * replay_sim.c): how the replayed policy decides one logged slot, so the
 * planted-truth simulation replays exactly as `xsell replay` does.
 */
#ifndef XS_REPLAY_H
#define XS_REPLAY_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>

/* 1 when the replayed policy cfg keeps a logged candidate: min_health
 * removes growth offers to customers below it (health NaN: unknown, kept). */
int xs__measure_replay_keeps(const xs_offer_config *cfg, int growth, double health);

/* The replayed policy's probabilities for slot `slot` over the m kept
 * candidates pc (in logged order), written to p_new[at[j]] (the caller
 * zeroes p_new); nothing when m is 0 or slot > max_offers (no offer). */
void xs__measure_replay_new_probs(const xs_offer_config *cfg, int slot,
                                  xs_policy_cand *pc, const size_t *at, size_t m,
                                  uint64_t seed, double *p_new);

/* One logged candidate as replay reads it (replay_cands.c); NaN for a
 * number the log lacks. */
typedef struct xs__measure_replay_cand {
    char kind[16]; /* "upsell", "cross_sell", "downsell" */
    double p_accept, value, ev, strength, health, prob;
    int growth;
} xs__measure_replay_cand;

/* Reads the candidates JSON of a logged decision (a flat array of flat
 * objects, as xs_decision_fill writes it) into c (cap), *n their number.
 * Unknown keys are skipped. Returns XS_OK or XS_EPARSE (not such an array,
 * or more than cap). */
int xs__measure_replay_cands_read(const char *s, xs__measure_replay_cand *c, size_t cap,
                                  size_t *n);

#endif
