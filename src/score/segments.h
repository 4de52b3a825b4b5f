/*
 * segments.h — customer segments from health, tenure and activity
 * (src/score/segments.c). The rules are declared with the scores' column
 * layout in score/health.h (xs__score_segment_of); this header exists so that
 * callers of the segment rules alone need not know the rest.
 */
#ifndef XS_SCORE_SEGMENTS_H
#define XS_SCORE_SEGMENTS_H

#include "score/health.h"

/* Assigns the segment of every customer of cs from its health, tenure and
 * flags (all computed before). */
void xs__score_segments_assign(xs_customer_scores *cs);

#endif
