/*
 * layer_internal.h: what layer.c, layer_fast.c and the vector kernels in
 * layer_kernels.h share, and the fast routines' workspace layout.
 *
 * The workspace (lf_layer_shape.work_count floats) holds, in this order:
 *
 *   padded   C x padded_height x stride x phase_width: the input with its
 *            zero padding, each row split into `stride` column phases, phase
 *            p holding columns p, p + S, p + 2S, ... With that, the input a
 *            tap (i, j) reads for a row of outputs is one contiguous run,
 *            whatever the stride: row S y + i, phase j % S, from j / S.
 *   dpadded  the same shape: the input gradient before it is unpadded
 *   wt       C x kh x kw x F: the weights with the filters innermost, so the
 *            F weights of a tap are adjacent
 *   dz       F x band x dz_width: d loss / d z for one band of rows (a
 *            multiple of the pooling size, so no window straddles two
 *            bands), rows padded with zeros to a whole number of vectors.
 *            The backward pass makes it a band at a time and uses it while
 *            it is in cache: for a 256x256 patch and 8 filters the whole of
 *            it would be 2 MB, more than the second-level cache.
 *   accv     weight_count x LF_LAYER_LANES: per-lane partial sums of the
 *            weight gradient, reduced in double at the end
 *
 * Every row has room for a full pixel block (LF_LAYER_BLOCK) past the last
 * output, so the kernels never test for the edge while they accumulate.
 */
#ifndef LEARNFILTER_LAYER_INTERNAL_H
#define LEARNFILTER_LAYER_INTERNAL_H

#include <stddef.h>

#include "learnfilter/layer.h"

#define LF_LAYER_LANES 16  /* the widest vector, floats (AVX-512) */
#define LF_LAYER_BLOCK 64  /* the widest pixel block a kernel computes at once */
#define LF_LAYER_BAND 8    /* output rows per band of dz, before rounding to the pooling */
#define LF_LAYER_BAND_MAX (LF_LAYER_BAND + LF_LAYER_MAX_POOL - 1)

typedef struct lf_layer_work {
    float *padded, *dpadded, *wt, *dz, *accv;
    size_t dz_width; /* floats per dz row, a multiple of LF_LAYER_LANES */
    int band;        /* dz rows per band: a multiple of the pooling size */
} lf_layer_work;

static inline lf_layer_work lf_layer_work_split(float *work, const lf_layer_shape *s)
{
    const size_t padded =
        (size_t)s->channels * s->padded_height * s->stride * (size_t)s->phase_width;
    lf_layer_work w;
    w.dz_width = (s->conv_width + LF_LAYER_LANES - 1) / LF_LAYER_LANES * LF_LAYER_LANES;
    w.band = (LF_LAYER_BAND + s->pool - 1) / s->pool * s->pool;
    w.padded = work;
    w.dpadded = w.padded + padded;
    w.wt = w.dpadded + padded;
    w.dz = w.wt + (s->weight_count + 15) / 16 * 16;
    w.accv = w.dz + (size_t)s->filters * w.band * w.dz_width;
    return w;
}

/* act(z) for one value, as both versions apply it. */
float lf_layer_activate(lf_activation activation, float z);

/* out (F, out_height, out_width) = pool(act (F, conv_height, conv_width)). */
void lf_layer_pool_reference(float *out, const float *act, const lf_layer_shape *shape);

/* The reference forward pass with the weights and biases apart; bias NULL
 * means zero biases. */
void lf_layer_forward_bias_reference(float *out, float *act, const float *in, const float *w,
                                     const float *bias, const lf_layer_shape *shape);

/* The vector kernels, one set per instruction set (layer_kernels.h):
 *   conv:  act (F, conv_height, conv_width) = z, before the activation,
 *          from the padded input and wt; bias NULL means zero
 *   wgrad: accv += the weight gradient's per-lane partial sums over output
 *          rows [y0, y1), from the band of dz and the padded input */
typedef void (*lf_layer_conv_fn)(float *act, const lf_layer_work *work, const float *bias,
                                 const lf_layer_shape *shape);
typedef void (*lf_layer_wgrad_fn)(const lf_layer_work *work, const lf_layer_shape *shape,
                                  int y0, int y1);
/* dgrad: dpadded += the input gradient from the band of dz, rows [y0, y1),
 *        with the weights in wt */
typedef lf_layer_wgrad_fn lf_layer_dgrad_fn;

#endif
