/*
 * gramspec.h: how fast training moves in each direction of parameter space.
 *
 * With theta = (weights, bias) and d = theta - theta* the distance to the
 * answer, the trainer's loss (the mean over patches and output pixels of the
 * squared residual) is exactly
 *
 *   loss = d^T A d,    A = mean over patches of G_p / N
 *
 * with G_p = X_p^T X_p the patch's Gram matrix and N the output pixels of a
 * patch (see gram.h). Its gradient is 2 A d. Write A = V diag(l) V^T: along
 * eigenvector v_k the error c_k = v_k . d is a separate one-dimensional
 * problem of curvature h_k = 2 l_k. Plain gradient descent at learning rate
 * lr multiplies c_k by (1 - lr h_k) every step, so a direction whose l_k the
 * photos barely excite (little power at the frequencies it holds) keeps its
 * error for a very long time, while the loss, which weighs c_k^2 by l_k,
 * already looks small. This module gives:
 *
 *   - the eigen-decomposition of a symmetric matrix, in double, up to
 *     LF_EIGEN_MAX_SIZE rows (src/core/eigen.c);
 *   - A from the trainer's packed per-patch Gram matrices, or from patches;
 *   - the share of ||d||^2 and of the loss in directions the photos excite
 *     (l_k at least a threshold times the largest) and in the rest;
 *   - an estimate of the steps still needed (lf_descent_estimate_steps).
 *
 * The step estimate is a model, not a promise: it treats the mean gradient
 * over the patches as the gradient of every step (full batch: the sampling
 * noise of small batches is ignored) and lets each eigen-direction decay
 * geometrically at its own asymptotic rate from its present error, ignoring
 * the momentum's start-up transient and the present velocity. For plain
 * gradient descent (momentum 0) on the mean loss it is exact.
 *
 * Matrices are n x n, row-major, in double. Every array comes with its
 * capacity in elements; too small a capacity fails with LF_ERR_ARGUMENT and
 * writes nothing. The caller owns all memory; nothing is kept between calls.
 * The solvers and lf_gram_mean_of_patches allocate scratch and take up to
 * seconds: a worker's job when a view opens, not the frame loop's.
 */
#ifndef LEARNFILTER_GRAMSPEC_H
#define LEARNFILTER_GRAMSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/conv.h"
#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest matrix lf_eigen_symmetric takes: the 32x32 smiley's 1,025
 * parameters. It costs about 9 n^3 multiply-adds, a few seconds at 1,025
 * (16 MiB of scratch); a 64x64 kernel's 4,097 would take minutes. */
#define LF_EIGEN_MAX_SIZE 1025
/* Largest matrix the Jacobi twin takes: about a second at 400 (a 19x19
 * kernel and its bias), but a minute at 1,025. */
#define LF_EIGEN_REFERENCE_MAX_SIZE 400

/* Eigenvalues and eigenvectors of the symmetric n x n matrix a (only its
 * upper triangle is read). values: n, in decreasing order; vectors: n x n,
 * row k the unit eigenvector of values[k], so a = sum_k values[k] v_k v_k^T.
 * Accurate to about n * 1e-16 of the largest |eigenvalue|.
 * lf_eigen_symmetric reduces a to tridiagonal form (Householder) and runs
 * implicit QR steps with Wilkinson's shift; lf_eigen_symmetric_reference is
 * cyclic Jacobi, the plain twin the tests hold it to.
 * Fail with LF_ERR_ARGUMENT (n below 1 or above the limit, a capacity too
 * small, a non-finite entry, no convergence, which finite input does not
 * reach), LF_ERR_NOMEM. */
lf_status lf_eigen_symmetric(double *values, size_t values_capacity, double *vectors,
                             size_t vectors_capacity, const double *a, int n, lf_error *err);
lf_status lf_eigen_symmetric_reference(double *values, size_t values_capacity, double *vectors,
                                       size_t vectors_capacity, const double *a, int n,
                                       lf_error *err);

/* a = (1 / (count * area)) * sum over the count packed Gram matrices (as
 * lf_gram_compute writes them, p parameters each) as a full p x p matrix.
 * With area the output pixels of a patch, loss = d^T a d is the trainer's
 * loss over those patches. Fails with LF_ERR_ARGUMENT (count or p below 1,
 * a NULL matrix, area not positive, capacity below p*p). */
lf_status lf_gram_mean(double *a, size_t capacity, const float *const *grams, int count, int p,
                       double area, lf_error *err);

/* The same from the count patches themselves (each shape->in_height x
 * in_width), building each Gram matrix with lf_gram_compute; area is the
 * shape's output pixels. Fails as lf_gram_mean, for a shape whose kernel
 * does not fit or is over LF_GRAM_MAX_SIDE, and with LF_ERR_NOMEM. */
lf_status lf_gram_mean_of_patches(double *a, size_t capacity, const float *const *patches,
                                  int count, const lf_conv_shape *shape, lf_error *err);

/* d = theta - theta* in double: d[i] = params[i] - truth[i] for the taps
 * weights, d[taps] = params[taps] (the bias, whose true value is 0). d holds
 * taps + 1 values. Fails with LF_ERR_ARGUMENT (taps below 1, capacity). */
lf_status lf_gramspec_delta(double *d, size_t capacity, const float *params, const float *truth,
                            int taps, lf_error *err);

/* Where the remaining error lies. */
typedef struct lf_direction_split {
    double threshold;        /* relative eigenvalue cut, as given */
    double value_max;        /* largest eigenvalue */
    int excited;             /* directions with l_k >= threshold * value_max */
    int weak;                /* the others */
    double error_sq;         /* ||d||^2 = sum c_k^2 */
    double error_sq_excited; /* its share in excited directions */
    double error_sq_weak;
    double loss;             /* d^T A d = sum l_k c_k^2 */
    double loss_excited;
    double loss_weak;
} lf_direction_split;

/* Projects d (n values) onto the eigenvectors (as lf_eigen_symmetric returns
 * them): coefficients[k] = v_k . d, and the split above for a threshold in
 * [0, 1]. coefficients may be NULL (capacity 0) when only the split is
 * wanted. Fails with LF_ERR_ARGUMENT (n below 1, a threshold outside [0, 1],
 * a capacity below n). */
lf_status lf_gramspec_split(lf_direction_split *split, double *coefficients, size_t capacity,
                            const double *values, const double *vectors, int n, const double *d,
                            double threshold, lf_error *err);

/* SGD as the trainer runs it (PyTorch's rule, see optimizer.h). */
typedef struct lf_descent_model {
    double learning_rate;
    double momentum;       /* 0 for plain gradient descent; [0, 1) */
    bool nesterov;
    double tolerance;      /* relative error to reach, > 0 */
    double reference_norm; /* ||theta*||, what the relative error divides by; > 0 */
    long max_steps;        /* give up beyond this many; 0 means 1e12 */
} lf_descent_model;

typedef struct lf_descent_estimate {
    long steps;             /* modelled steps until ||d|| <= tolerance * reference_norm;
                               0 when already there, -1 when not within max_steps */
    bool diverges;          /* a direction holding error grows (the rate is too high) */
    bool stalls;            /* directions that never decay (l_k = 0) hold more than the tolerance */
    double rel_error;       /* ||d|| / reference_norm now */
    int slowest;            /* the direction holding error with the largest rate, -1 if none */
    double slowest_rate;    /* its factor per step */
} lf_descent_estimate;

/* The factor per step by which SGD with these settings shrinks the error of
 * a direction of curvature h (the loss's second derivative, 2 l_k): the
 * largest eigenvalue modulus of the 2x2 map on (error, velocity);
 * |1 - lr h| without momentum. */
double lf_descent_rate(double curvature, const lf_descent_model *model);

/* Steps until sum_k c_k^2 rate_k^(2t) <= (tolerance * reference_norm)^2,
 * with rate_k = lf_descent_rate(2 values[k]) and c_k the coefficients from
 * lf_gramspec_split. A negative eigenvalue, which a Gram matrix has only
 * from rounding, counts as 0 (a direction that neither grows nor decays). Relative error counts the bias with the weights, unlike
 * the trainer's figure, which counts only weights (the bias's share is
 * usually small). Fails with LF_ERR_ARGUMENT (n below 1, a learning rate or
 * tolerance or reference not positive, a momentum outside [0, 1)). */
lf_status lf_descent_estimate_steps(lf_descent_estimate *estimate, const double *values,
                                    const double *coefficients, int n,
                                    const lf_descent_model *model, lf_error *err);

#ifdef __cplusplus
}
#endif
#endif
