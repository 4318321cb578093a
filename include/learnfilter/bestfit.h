/*
 * bestfit.h: the best linear filter for any target, in closed form.
 *
 * A one-layer linear network (a kernel and a bias) can learn a linear
 * filter exactly, but not a median or a max. How close can it get? The
 * layer's output is X theta, with X the matrix of input values under the
 * kernel at each output pixel (and a 1 for the bias), so the mean squared
 * error over the patches is a quadratic in theta with its minimum where
 *
 *   G theta = b,   G = sum over patches of X^T X,   b = sum of X^T t
 *
 * t being the target. This module builds G (from gram.h's statistics) and b
 * (a cross-correlation of input and target), solves for theta by Cholesky
 * in double precision and reports the loss there: the floor that gradient
 * descent approaches and cannot pass. For a linear target made by a kernel
 * of the layer's shape the floor is zero and theta is that kernel. With
 * input noise (dataset.h keeps the clean patch beside the noisy one) the
 * best filter is no longer the true kernel: the same solve says by how much.
 *
 *   lf_best_fit fit;
 *   float w[9];
 *   lf_best_fit_compute(&fit, ds, 0, ds->train_count, &target, 3, 3,
 *                       LF_PADDING_SAME, w, 9, &err);
 *   // w: the best 3x3 kernel; fit.bias; fit.loss: the lowest mean squared error
 */
#ifndef LEARNFILTER_BESTFIT_H
#define LEARNFILTER_BESTFIT_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/conv.h"
#include "learnfilter/dataset.h"
#include "learnfilter/error.h"
#include "learnfilter/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lf_best_fit {
    int kernel_h, kernel_w;
    float bias;
    double loss;         /* mean of (X theta - t)^2 over every output value of the patches */
    double target_mean_square; /* mean of t^2 over the same values: the loss of theta = 0 */
    long values;         /* output values the means are over */
    bool regularised;    /* G was singular (taps that only see padding): a tiny ridge
                            kept those weights at zero */
} lf_best_fit;

/* Solves for the best kernel_h x kernel_w kernel and bias that map the
 * dataset's inputs of patches [first, first + count) to target applied to
 * their clean versions, with the layer's padding. weights holds
 * weight_capacity floats and needs kernel_h * kernel_w (row-major). The
 * target must give an output of the layer's size (a stride-1 operation
 * with 'same' padding does for either padding of the layer only when the
 * layer's is 'same'). LF_ERR_ARGUMENT for a bad shape, range or capacity
 * (the message says which), LF_ERR_NOMEM. */
lf_status lf_best_fit_compute(lf_best_fit *fit, const lf_dataset *ds, int first, int count,
                              const lf_op *target, int kernel_h, int kernel_w,
                              lf_padding padding, float *weights, size_t weight_capacity,
                              lf_error *err);

/* The same with the targets already made (the trainer keeps them): patch
 * i's target, of the layer's output size, starts at targets + i * stride,
 * and targets holds capacity floats; nothing past them is read. */
lf_status lf_best_fit_from_targets(lf_best_fit *fit, const lf_dataset *ds, int first, int count,
                                   const float *targets, size_t stride, size_t capacity,
                                   int kernel_h, int kernel_w, lf_padding padding,
                                   float *weights, size_t weight_capacity, lf_error *err);

/* Solves the symmetric positive (semi)definite system A x = b of order n
 * (A full, row-major, n x n) by Cholesky in place; A is overwritten. When a
 * pivot is not clearly positive, ridge * mean(diag A) is added to the
 * diagonal and the solve starts over, once. Returns false when even that
 * fails. *regularised says whether the ridge was needed. */
bool lf_solve_spd(double *a, double *x, const double *b, int n, double ridge, bool *regularised);

#ifdef __cplusplus
}
#endif
#endif
