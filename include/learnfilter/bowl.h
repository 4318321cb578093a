/*
 * bowl.h: the loss as a landscape over two chosen parameters.
 *
 * Hold every parameter but w_i and w_j at its present value and the loss is
 * an exact quadratic in those two (see gramspec.h: loss = d^T A d with A the
 * mean Gram matrix over the patches divided by the output pixels, which is
 * the loss the trainer reports: the mean over patches and pixels of the
 * squared residual). With a = w_i - w_i(now), b = w_j - w_j(now) and
 * g = A d(now):
 *
 *   loss(a, b) = loss(now) + 2 a g_i + 2 b g_j + a^2 A_ii + 2 a b A_ij + b^2 A_jj
 *
 * so the view can show the bowl exactly, where the training stands in it and
 * where its bottom is (the best pair of values with the others as they are,
 * which is the true kernel's pair only once the others are right too). A long
 * thin bowl is a pair the photos barely tell apart: descent crosses the
 * narrow way quickly and crawls along the long one.
 *
 * Parameters are numbered as in the trainer: the taps in row-major kernel
 * order, then the bias (index p - 1). Any kernel the statistics engine takes
 * works; the view is meant for kernels up to 7x7, where one tap is a pixel
 * one can point at.
 *
 * The caller owns every array; nothing is kept between calls. A function
 * that finds a capacity too small fails with LF_ERR_ARGUMENT and writes
 * nothing.
 */
#ifndef LEARNFILTER_BOWL_H
#define LEARNFILTER_BOWL_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest grid side; 512 x 512 doubles are 2 MiB. */
#define LF_BOWL_MAX_SIDE 512
/* Most contour levels lf_bowl_levels gives. */
#define LF_BOWL_MAX_LEVELS 32

/* Zero fields take the defaults:
 *   columns, rows    41 x 41 grid points
 *   margin           0.25: the half-width of the range is (0.5 + margin)
 *                    times the larger distance between the present point and
 *                    the bottom, so both sit inside with room around them
 *   min_half_width   1e-3: the least half-width, for when the two points
 *                    (nearly) coincide */
typedef struct lf_bowl_options {
    int columns, rows;
    double margin;
    double min_half_width;
} lf_bowl_options;

typedef struct lf_bowl {
    int i, j;              /* the two parameters: w_i along columns, w_j along rows */
    int columns, rows;     /* loss[r * columns + c] */
    double x0, x1;         /* w_i at column 0 and at column columns-1, evenly spaced */
    double y0, y1;         /* w_j at row 0 and at row rows-1 */
    double current_x, current_y, current_loss; /* where training stands */
    double min_x, min_y, min_loss;             /* the bottom over this pair */
    bool min_found;        /* false when A's 2x2 block is singular (no single
                              bottom); min_* then repeat the present point */
    double grid_min, grid_max; /* smallest and largest loss on the grid */
} lf_bowl;

/* d^T A d for the full p x p matrix a (row-major) and p values d. */
double lf_bowl_quadratic(const double *a, int p, const double *d);

/* Fills bowl and loss (columns * rows values) for parameters i != j of
 * params (p values: taps, then the bias), with theta* = (truth, 0) (truth:
 * p - 1 taps) and a = the mean Gram matrix over the output pixels
 * (lf_gram_mean). The range is the same on both axes, centred half-way
 * between the present point and the bottom, so the bowl is drawn without
 * stretching. options may be NULL for the defaults.
 * Fails with LF_ERR_ARGUMENT (p below 2, i or j outside [0, p) or equal, a
 * grid side outside 2..LF_BOWL_MAX_SIDE, a negative margin or half-width, a
 * capacity below columns*rows, a non-finite parameter). */
lf_status lf_bowl_compute(lf_bowl *bowl, double *loss, size_t capacity, const double *a, int p,
                          const float *params, const float *truth, int i, int j,
                          const lf_bowl_options *options, lf_error *err);

/* count contour levels, increasing, geometric from the bottom:
 *   levels[k] = bottom + (grid_max - bottom) * 2^-(count - k)
 * with bottom = min_loss (grid_min when there is none). Halving the height
 * above the bottom shrinks a quadratic's contour by sqrt(2), so the rings
 * come evenly spaced in log-distance from the bottom, and a steep side does
 * not take them all. Fails with LF_ERR_ARGUMENT (count outside
 * 1..LF_BOWL_MAX_LEVELS, a capacity below count). */
lf_status lf_bowl_levels(double *levels, size_t capacity, int count, const lf_bowl *bowl,
                         lf_error *err);

#ifdef __cplusplus
}
#endif
#endif
