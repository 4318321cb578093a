/*
 * conv.h: the single convolution layer (1 channel in, 1 out, with bias).
 *
 * As in every deep learning library, "convolution" here is a correlation:
 *
 *   out[y][x] = bias + sum_{i,j} w[i][j] * in[y + i - pad_top][x + j - pad_left]
 *
 * with in[] read as zero outside the image. 'same' padding keeps the output
 * the size of the input and, for an even kernel side K, pads (K-1)/2 before
 * and K/2 after, as TensorFlow and PyTorch do; 'valid' pads nothing, so the
 * output is (H-Kh+1) x (W-Kw+1).
 *
 * Each routine comes as a pair: *_reference, the plain loop that states the
 * definition and that the tests trust, and the fast one the trainer calls.
 * tests/test_conv.c holds the two together. Backward routines accumulate
 * (+=) into their outputs; zeroing gradients is the caller's explicit step.
 */
#ifndef LEARNFILTER_CONV_H
#define LEARNFILTER_CONV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lf_padding {
    LF_PADDING_SAME = 0, /* output the size of the input; zeros outside */
    LF_PADDING_VALID     /* only positions where the kernel fits inside */
} lf_padding;

typedef struct lf_conv_shape {
    int in_height, in_width;   /* input image */
    int k_height, k_width;     /* kernel */
    lf_padding padding;
    /* derived by lf_conv_shape_make: */
    int out_height, out_width; /* output image; 0 when the kernel does not fit */
    int pad_top, pad_left;     /* zeros before the image on each axis */
} lf_conv_shape;

/* Fills the derived fields of a shape. */
lf_conv_shape lf_conv_shape_make(int in_height, int in_width, int k_height, int k_width,
                                 lf_padding padding);

/* out: (out_height, out_width); in: (in_height, in_width); w: (k_height, k_width). */
void conv2d_forward_reference(float *out, const float *in, const float *w, float bias,
                              const lf_conv_shape *shape);
void conv2d_forward(float *out, const float *in, const float *w, float bias,
                    const lf_conv_shape *shape);

/* Weight and bias gradients from the gradient of the output:
 *   dw[i][j] += sum_{y,x} dout[y][x] * in[y + i - pad_top][x + j - pad_left]
 *   dbias    += sum_{y,x} dout[y][x]
 * dw: (k_height, k_width); dout: (out_height, out_width). Sums run in double
 * so a 1024x1024 patch loses nothing to rounding. */
void conv2d_backward_weights_reference(float *dw, float *dbias, const float *dout, const float *in,
                                       const lf_conv_shape *shape);
void conv2d_backward_weights(float *dw, float *dbias, const float *dout, const float *in,
                             const lf_conv_shape *shape);

/* The fast versions over the output rows [y0, y1) only, so a patch can be
 * split between threads: conv2d_forward_rows writes those rows of out, and
 * conv2d_backward_weights_rows adds those rows' sums to acc (double:
 * k_height*k_width taps, then the bias). Over [0, out_height) they are the
 * routines above. */
void conv2d_forward_rows(float *out, const float *in, const float *w, float bias,
                         const lf_conv_shape *shape, int y0, int y1);
void conv2d_backward_weights_rows(double *acc, const float *dout, const float *in,
                                  const lf_conv_shape *shape, int y0, int y1);

/* Forward, residual and weight gradient in one pass, for a trainer's step
 * on one linear filter: with out as conv2d_forward makes it (bit for bit)
 * and r = out - target over the output rows [y0, y1),
 *   acc[i * k_width + j] += sum_{y,x} r[y][x] * in[y + i - pad_top][x + j - pad_left]
 *   acc[k_height * k_width] += sum_{y,x} r[y][x]
 * and the return value is sum_{y,x} r^2. With acc NULL only the sum of
 * squares is made (evaluation). target: (out_height, out_width); or, with
 * target_w not NULL, target is not read and the target, the filter target_w
 * with bias 0, is made on the way by the same arithmetic as the output (so
 * at the true weights every residual is exactly zero), and a trainer need
 * not store one per patch.
 *
 * The fast version reads each input row and target row once per pass and
 * writes no output image: the rows it works on are copied, with the
 * padding's zeros, into `work` (conv2d_fused_work_floats(shape) floats),
 * small enough to stay in the first-level cache. Its sums run in float
 * vector lanes along one output row, then in double across rows, and the
 * lanes are added in a fixed order, so a result depends only on its
 * arguments. Kernels of more than LF_CONV_FUSED_MAX_TAPS taps, or a work
 * area too small, take the reference's loops (slow but the same sums).
 * tests/test_conv_fused.c holds the two together and checks the gradient
 * against finite differences. */
#define LF_CONV_FUSED_MAX_TAPS 64
size_t conv2d_fused_work_floats(const lf_conv_shape *shape);
double conv2d_fused_rows_reference(double *acc, const float *in, const float *target,
                                   const float *target_w, const float *w, float bias,
                                   const lf_conv_shape *shape, int y0, int y1);
double conv2d_fused_rows(double *acc, const float *in, const float *target,
                         const float *target_w, const float *w, float bias,
                         const lf_conv_shape *shape, int y0, int y1, float *work,
                         size_t work_floats);

#ifdef __cplusplus
}
#endif
#endif
