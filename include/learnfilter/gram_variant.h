/*
 * gram_variant.h: one Gram matrix for a patch and its mirrors and turns.
 *
 * With --variants, the patches of one place are that place's patch mirrored
 * and turned (lf_patch_origin), and a statistics engine that kept a matrix
 * per patch would keep the same numbers eight times over: 5.9 GB for the
 * 32x32 smiley on the 2,784 patches of the bundled photos. This keeps one
 * per place and derives the others.
 *
 * Let T be a mirror or turn of the square patch x (pixel (x, y) of T x is
 * pixel lf_dataset_variant_index(v, x, y, side) of x). A window of T x at
 * output pixel u, tap a, reads the pixel of x that a window of x reads at
 * some output pixel u' and tap pi(a), where pi is the same mirror or turn of
 * the kernel's taps (lf_gram_variant_taps; the bias stays the bias). Along
 * a mirrored axis of n outputs, u' = n - 1 - u - e, with e = (zeros after)
 * - (zeros before) the layer pads that axis with: 0 for 'valid' and for odd
 * kernels under 'same', 1 for even ones under 'same' (TensorFlow pads 15
 * before and 16 after for 32 taps). So when e is 0 the windows of T x are
 * those of x, reordered, and G(T x) = Pi G(x) Pi^T exactly: G(T x) d =
 * Pi (G(x) (Pi^T d)). When e is 1, the mirrored windows are those of x's
 * grid shifted by one: one row (or column) of windows enters and one leaves.
 *
 * The windows common to all of them are the "core": outputs [0, n - e) on
 * each axis, in every variant's own frame (the last e rows and columns are
 * the ones that move). So what is kept is G_core, the Gram matrix of the
 * place's variant-0 patch over its core windows, and for variant v
 *
 *   G_v d = Pi_v (G_core (Pi_v^T d)) + X_E^T (X_E d)
 *
 * where X_E holds the windows of the variant patch outside its core: its
 * last e output rows and last e output columns, an L of about 2n windows.
 * Their product is a 1-D correlation of kernel-high strips of pixels with
 * the kernel: 2 n P multiply-adds on data in the cache, against P^2 / 2
 * floats of G_core read from memory. Exact up to rounding: the sums are the
 * same products grouped differently.
 *
 * Transposes exchange a kernel's height and width, so they are shared only
 * for square kernels; mirrors alone serve any shape.
 */
#ifndef LEARNFILTER_GRAM_VARIANT_H
#define LEARNFILTER_GRAM_VARIANT_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* True when the variants 0..variants-1 of a patch of this shape can share
 * one core matrix: a square patch, and a square kernel when a variant
 * transposes (variants > 4). */
bool lf_gram_variant_shareable(const lf_conv_shape *s, int variants);

/* The shape whose Gram matrix (lf_gram_compute) is the core's: s with its
 * last e output rows and columns left out. */
lf_conv_shape lf_gram_variant_core_shape(const lf_conv_shape *s);

/* map[i] = the parameter of variant 0 that parameter i of variant v stands
 * for (kh * kw taps in row-major order, then the bias, which maps to
 * itself). map holds capacity ints and needs kh * kw + 1; false, and
 * nothing written, when it is too small or v transposes a kernel that is
 * not square. */
bool lf_gram_variant_taps(int *map, int capacity, int v, int kh, int kw);

/* Variant 0 of a side x side patch from its variant v: base and patch hold
 * side * side floats each, distinct. */
void lf_gram_variant_unturn(float *base, const float *patch, int side, int v);

/* dt[map[i]] = d[i] for i < p: d in variant 0's parameter order. */
void lf_gram_variant_gather(float *dt, const float *d, const int *map, int p);
/* y[i] = yt[map[i]]: back in the variant's order. */
void lf_gram_variant_scatter(float *y, const float *yt, const int *map, int p);

/* Floats of scratch lf_gram_variant_edges needs. */
size_t lf_gram_variant_edge_floats(const lf_conv_shape *s);
/* y (P floats) += X_E^T (X_E d): the windows of `patch` (in_height x
 * in_width, shape s) outside its core (above). work holds work_floats and
 * needs lf_gram_variant_edge_floats(s); when it is smaller nothing is
 * added. Runs in float with vector instructions. */
void lf_gram_variant_edges(float *y, float *work, size_t work_floats, const float *patch,
                           const lf_conv_shape *s, const float *d);
/* The same, one window at a time in double: the definition, for tests. */
void lf_gram_variant_edges_reference(float *y, const float *patch, const lf_conv_shape *s,
                                     const float *d);

/* Floats of scratch lf_gram_variant_apply needs. */
size_t lf_gram_variant_apply_floats(const lf_conv_shape *s);
/* lf_gram_apply for a variant: adds scale * G_v d to grad (P floats) and
 * returns d^T G_v d, from the place's core matrix (packed, from
 * lf_gram_compute with lf_gram_variant_core_shape(s)), the variant's map
 * and its own pixels. work holds work_floats and needs
 * lf_gram_variant_apply_floats(s); when it is smaller, nothing is added and
 * NaN is returned. */
double lf_gram_variant_apply(float *grad, float *work, size_t work_floats, const float *core,
                             const int *map, const float *patch, const lf_conv_shape *s,
                             const float *d, float scale);

#ifdef __cplusplus
}
#endif
#endif
