/*
 * gram.h: training from per-patch statistics instead of whole images.
 *
 * The layer is linear and the loss is the mean squared error, so the loss of
 * one patch is an exact quadratic in the parameters theta = (weights, bias):
 *
 *   X      the N x P matrix whose row y holds the N = out_h*out_w input
 *          values under the kernel at output pixel y, and a 1 for the bias
 *   G      = X^T X, the P x P Gram matrix of the patch (P = taps + 1)
 *   loss   = |X theta - t|^2 / N
 *
 * When the target is the true kernel k applied to the same input, t = X
 * theta* with theta* = (k, 0), so
 *
 *   loss      = d^T G d / N           with d = theta - theta*
 *   gradient  = 2 G d / N
 *
 * exactly, at a cost of P^2 per patch instead of N * P: for the 32x32 smiley
 * on 256x256 patches, 1 million multiply-adds instead of 134 million, and for
 * a 3x3 kernel a hundred instead of half a million. Because the gradient is
 * G times the distance to theta*, rounding in G changes the path a little but
 * never the answer the training converges to.
 *
 * G is built once per patch from 2-D prefix sums of the products
 * x(u) x(u + delta), one table per lag delta between two taps, so each entry
 * is a rectangle sum: O((2Kh-1)(2Kw-1) N) per patch, about what two plain
 * training steps cost. It only applies when the network's input is the very
 * image the target was made from: with input noise the trainer uses the
 * plain path.
 */
#ifndef LEARNFILTER_GRAM_H
#define LEARNFILTER_GRAM_H

#include "learnfilter/conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parameters of a layer with this shape: taps + 1. */
static inline int lf_gram_size(const lf_conv_shape *s) { return s->k_height * s->k_width + 1; }

/* gram: P x P, row-major, taps in row-major kernel order then the bias.
 * work: (in_height + 1) * (in_width + 1) doubles of scratch. */
void lf_gram_compute(float *gram, double *work, const float *in, const lf_conv_shape *shape);
/* The definition, G = X^T X summed pixel by pixel; for tests. */
void lf_gram_compute_reference(float *gram, const float *in, const lf_conv_shape *shape);

/* Adds scale * G d to grad (P values) and returns d^T G d.
 * The matrix-vector product runs in float with vector instructions; each
 * row's dot product is short enough (P <= 4097) for that. */
double lf_gram_apply(float *grad, const float *gram, const float *d, int p, float scale);
double lf_gram_apply_reference(float *grad, const float *gram, const float *d, int p, float scale);

#ifdef __cplusplus
}
#endif
#endif
