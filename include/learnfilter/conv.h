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

#ifdef __cplusplus
}
#endif
#endif
