/*
 * rfm.h — RFM quintiles (src/score/rfm.c). The functions are declared with
 * the scores' column layout in score/health.h (xs__score_rfm_quintiles,
 * xs__score_rfm_assign); this header is what rfm's users include.
 */
#ifndef XS_SCORE_RFM_H
#define XS_SCORE_RFM_H

#include "score/health.h"

#endif
