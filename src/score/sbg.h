/*
 * sbg.h — internals of the shifted-beta-geometric retention model: the
 * log-likelihood gradient (for tests).
 */
#ifndef XS_SBG_H
#define XS_SBG_H

#include "xsell.h"

/* Log-likelihood of a survivor curve n[0..k] at p and its gradient with
 * respect to (alpha, beta). */
double xs__score_sbg_loglik_grad(const xs_sbg_params *p, const double *survivors,
                                 size_t n, double grad[2]);

#endif
