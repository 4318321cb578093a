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
 * G is built once per patch, lag by lag: for each offset delta between two
 * taps, one vectorised pass over the image sums x(u) x(u + delta) by rows
 * and along the edges, and each entry is a difference of those running
 * sums: O((2Kh-1)(2Kw-1) N) multiply-adds per patch, about what one plain
 * training step costs. It only applies when the network's input is the very
 * image the target was made from: with input noise the trainer uses the
 * plain path.
 */
#ifndef LEARNFILTER_GRAM_H
#define LEARNFILTER_GRAM_H

#include <stddef.h>

#include "learnfilter/conv.h"
#include "learnfilter/error.h"
#include "learnfilter/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parameters of a layer with this shape: taps + 1. */
static inline int lf_gram_size(const lf_conv_shape *s) { return s->k_height * s->k_width + 1; }

/* G is symmetric, so only its upper triangle is stored: halving the bytes
 * halves the time of a step, which is spent reading G. Taps are in
 * row-major kernel order, then the bias. The triangle is cut into panels of
 * four rows (rows 4k..4k+3, the rows lf_gram_apply_rows takes together),
 * each stored as:
 *
 *   its 4x4 block on the diagonal, the upper half row by row (10 values),
 *   then its columns 4k+4..P-1 in strips of LF_GRAM_PANEL_WIDTH columns,
 *   each strip the four rows' values one row after the other (the last
 *   strip as wide as what is left).
 *
 * So a panel is one run of memory read front to back, and so is G: the
 * product streams it as one sequence instead of four rows at once, which the
 * memory keeps up with better. When P is not a multiple of four, the last
 * one to three rows are stored row by row. A panel takes as many values as
 * its rows of the triangle, so the count and where each panel starts are
 * those of the plain row-by-row triangle. lf_gram_packed_index is the one
 * place that says where G[r][c] lives: build and read G only through it. */
#define LF_GRAM_PANEL_WIDTH 16
static inline size_t lf_gram_packed_count(int p) { return (size_t)p * (size_t)(p + 1) / 2; }
/* Index of G[r][c], 0 <= r <= c < P, in the packed triangle. */
static inline size_t lf_gram_packed_index(int p, int r, int c)
{
    const int r4 = r & ~3, i = r - r4; /* the panel's first row; r's place in it */
    /* The rows above hold r4 P - r4 (r4 - 1) / 2 values. */
    const size_t start = (size_t)r4 * (size_t)p - (size_t)r4 * (size_t)(r4 - 1) / 2;
    if (r4 + 4 > p) /* the last rows, fewer than four: row by row */
        return start + (size_t)(i * (p - r4) - i * (i - 1) / 2 + (c - r));
    if (c < r4 + 4) /* the block on the diagonal: rows start at 0, 4, 7, 9 */
        return start + (size_t)(i * 4 - i * (i - 1) / 2 + (c - r));
    const int w = LF_GRAM_PANEL_WIDTH, j = c - (r4 + 4), strip = j / w;
    const int left = p - (r4 + 4) - strip * w, width = left < w ? left : w;
    return start + 10 + (size_t)strip * 4 * w + (size_t)(i * width + j % w);
}

/* Largest kernel side the statistics engine takes (the kernel limit). */
#define LF_GRAM_MAX_SIDE 64

/* Scratch lf_gram_compute needs for an image and kernel width. */
size_t lf_gram_work_bytes(int in_height, int in_width, int k_width);
/* packed holds packed_count floats and needs lf_gram_packed_count(P); work
 * holds work_bytes and needs lf_gram_work_bytes, aligned for double (as
 * malloc returns). Any kernel shape up to LF_GRAM_MAX_SIDE a side works, also
 * one much larger than the image: a tap that reads only padding gets a row
 * and column of exact zeros, so its gradient is exactly zero. When an array
 * is too small, or a side is above LF_GRAM_MAX_SIDE, nothing is written past
 * the arrays (packed is zeroed as far as it goes) and LF_ERR_ARGUMENT is
 * returned. */
lf_status lf_gram_compute(float *packed, size_t packed_count, void *work, size_t work_bytes,
                          const float *in, const lf_conv_shape *shape);
/* The definition, G = X^T X summed pixel by pixel, as a full P x P matrix;
 * for tests. */
void lf_gram_compute_reference(float *full, const float *in, const lf_conv_shape *shape);

/* Adds scale * G d to grad (P values) and returns d^T G d. work holds P
 * floats of scratch. The fast version runs in float with vector
 * instructions; each row's sums are short enough (P <= 4097) for that. */
double lf_gram_apply(float *grad, float *work, const float *packed, const float *d, int p,
                     float scale);
double lf_gram_apply_reference(float *grad, const float *packed, const float *d, int p,
                               float scale);

/* ------------------------------------------- a layer's input windows */

/* Most parameters per filter the layer's Gram matrix is built for: its
 * packed accumulator in double is then at most 4 MB per thread. */
#define LF_GRAM_LAYER_MAX_PARAMS 1025

/* Parameters of one filter of a layer: C * kh * kw + 1 (the bias). */
int lf_gram_layer_size(const lf_layer_shape *shape);
/* Scratch lf_gram_layer_compute needs, in doubles. */
size_t lf_gram_layer_work_doubles(const lf_layer_shape *shape);
/* G = sum over the convolution's output positions of x x^T, x the window
 * under the position (the kernel's taps channel by channel, row-major, zero
 * outside the image, at the layer's stride and padding) and a 1 for the
 * bias; packed as above into packed (packed_count floats, needs
 * lf_gram_packed_count(P)). The activation and pooling are not part of it:
 * it stands for a linear layer without pooling. in: (C, in_height,
 * in_width). When an array is too small or P is above
 * LF_GRAM_LAYER_MAX_PARAMS, packed is zeroed as far as it goes and
 * LF_ERR_ARGUMENT returned. */
lf_status lf_gram_layer_compute(float *packed, size_t packed_count, double *work,
                                size_t work_count, const float *in, const lf_layer_shape *shape);

/* lf_gram_apply in pieces, for splitting a large G between threads:
 * lf_gram_apply_rows adds to y (P floats, zeroed by the caller) the share of
 * the triangle's rows [r0, r1) in G d; adding the shares of rows that cover
 * [0, P) gives G d. lf_gram_apply_finish then adds scale * y to grad and
 * returns d^T y. lf_gram_split cuts [0, P) into `blocks` row ranges of about
 * equal work, bounds[0..blocks], each boundary a multiple of four. bounds
 * holds capacity ints; fewer blocks are made when blocks + 1 would not fit.
 * Returns the number of blocks made (0 when capacity < 2). Any [r0, r1)
 * gives its share; ranges on multiples of four, as lf_gram_split makes,
 * take whole panels, the fast way. */
void lf_gram_apply_rows(float *y, const float *packed, const float *d, int p, int r0, int r1);
double lf_gram_apply_finish(float *grad, const float *y, const float *d, int p, float scale);
int lf_gram_split(int p, int blocks, int *bounds, int capacity);

#ifdef __cplusplus
}
#endif
#endif
