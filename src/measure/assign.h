/*
 * assign.h — internals of deterministic holdout assignment (assign.c),
 * shared with its tests: the arm of a position in [0, 1).
 */
#ifndef XS_ASSIGN_H
#define XS_ASSIGN_H

#include "xsell.h"

/* Arm of position u in [0, 1): the first arm i with
 * u < (w_0 + ... + w_i) / sum(w); the last arm when rounding leaves none. */
size_t xs__measure_exp_arm_of(const xs_exp_split *s, double u);

#endif
