/*
 * layer.h: a convolution layer with channels, filters, stride, padding,
 * bias, activation and max pooling, its gradients and its loss.
 *
 * It generalises conv.h (one channel in, one filter out, stride 1): with
 * C = 1, F = 1, stride 1, no activation and no pooling it computes exactly
 * conv2d_forward, and tests/test_layer.c holds the two together.
 *
 * The definition, for an input of C channels and F filters of kh x kw:
 *
 *   z[f][y][x]   = b[f] + sum_{c,i,j} w[f][c][i][j] * in[c][S*y + i - pad_top][S*x + j - pad_left]
 *   a[f][y][x]   = act(z[f][y][x])                 act: none, ReLU, sigmoid, tanh
 *   out[f][y][x] = max_{u,v < N} a[f][N*y + u][N*x + v]   (pooling N >= 2; else out = a)
 *
 * with in[] read as zero outside the image. As in every deep learning
 * library the "convolution" is a correlation (the kernel is not flipped).
 *
 * Padding, on each axis of length n with kernel side K and stride S, follows
 * TensorFlow's rule:
 *   'valid': no zeros; the output has floor((n - K) / S) + 1 positions
 *            (none when K > n).
 *   'same':  the output has ceil(n / S) positions; the zeros needed,
 *            P = max((ceil(n / S) - 1) * S + K - n, 0), are split with
 *            floor(P / 2) before and the rest after. For stride 1 that is
 *            (K-1)/2 before and K/2 after, as TensorFlow and PyTorch pad, and
 *            as conv.h does. (PyTorch has no 'same' for stride > 1; padding
 *            by hand as above and then convolving 'valid' reproduces it.)
 * Pooling takes N x N windows with stride N and drops the rows and columns
 * that do not fill a window (floor), as torch.nn.MaxPool2d(N) does. Its
 * gradient goes to the first maximum of each window in row-major order, as
 * PyTorch's does; the ReLU's derivative at 0 is 0, as PyTorch's is.
 *
 * Layout. Tensors are row-major: an image (C, H, W), a layer's output
 * (F, H, W); a batch is B of them one after another. All parameters live in
 * one block of shape.param_count floats, the weights (F, C, kh, kw) and then
 * the F biases, so zeroing the gradients is one memset and copying the model
 * one memcpy. Gradients use the same layout.
 *
 * Conventions, as in conv.h and the rest of the core: outputs come first in
 * the argument lists, the tensor shapes are in a comment above each
 * function, backward routines accumulate (+=) into their outputs and zeroing
 * the gradients is the caller's explicit step. Every array's size is stated
 * by the lf_layer_shape passed with it; lf_layer_shape_make is the only
 * routine that checks arguments, and the others trust a shape it made.
 * Nothing here allocates, prints or exits: the fast routines use a workspace
 * the caller allocates once (shape.work_count floats).
 *
 * Each routine comes as a pair: *_reference, plain loops that state the
 * definition, and the fast one (register-blocked loops over filters x output
 * pixels, built for AVX-512, AVX2 and the baseline) that a trainer calls.
 * The routines work on one image and keep no state, so threads may run them
 * at once on different images as long as each has its own workspace, act,
 * out and gradient block (the trainer then adds the gradient blocks).
 * A single layer has nothing to pass its input gradient to: pass din NULL
 * and backward skips it (it costs about half as much again).
 *
 * Usage, one training step of SGD over a batch of B images:
 *
 *   lf_layer_shape s;
 *   if (lf_layer_shape_make(&s, &desc, &err) != LF_OK) ...
 *   float *params = calloc(s.param_count, 4), *grads = calloc(s.param_count, 4);
 *   float *work = malloc(s.work_count * 4), *act = malloc(B * s.act_count * 4);
 *   ... out, dout: B * s.out_count; targets from lf_layer_targets ...
 *   for (b) lf_layer_forward(out + b*s.out_count, act + b*s.act_count, in + b*s.in_count,
 *                            params, &s, work);
 *   double loss = lf_layer_mse_loss(out, targets, B * s.out_count);
 *   memset(dout, 0, ...); memset(grads, 0, s.param_count * 4);
 *   lf_layer_mse_backward(dout, out, targets, B * s.out_count);
 *   for (b) lf_layer_backward(grads, NULL, dout + b*s.out_count, act + b*s.act_count,
 *                             in + b*s.in_count, params, &s, work);
 *   for (p) params[p] -= lr * grads[p];
 */
#ifndef LEARNFILTER_LAYER_H
#define LEARNFILTER_LAYER_H

#include <stddef.h>

#include "learnfilter/conv.h"
#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits lf_layer_shape_make enforces; each may be lowered. */
#define LF_LAYER_MAX_CHANNELS 16   /* 1 gray, 3 colour; more for stacked maps */
#define LF_LAYER_MAX_FILTERS 64
#define LF_LAYER_MAX_KERNEL 64     /* kernel side, as conv.h's largest */
#define LF_LAYER_MAX_STRIDE 8
#define LF_LAYER_MAX_POOL 8
#define LF_LAYER_MAX_SIDE 8192     /* input height or width */
#define LF_LAYER_MAX_VALUES (1L << 28) /* floats in any one tensor or the workspace */

typedef enum lf_activation {
    LF_ACTIVATION_NONE = 0, /* a = z */
    LF_ACTIVATION_RELU,     /* a = max(z, 0) */
    LF_ACTIVATION_SIGMOID,  /* a = 1 / (1 + exp(-z)) */
    LF_ACTIVATION_TANH      /* a = tanh(z) */
} lf_activation;

/* "none", "relu", "sigmoid", "tanh"; lf_activation_parse returns -1 for
 * anything else. */
const char *lf_activation_name(lf_activation activation);
int lf_activation_parse(const char *name);

/* What the layer is. Zero means the default for every field but the sizes:
 * channels 1, filters 1, stride 1, padding 'same', no activation, no
 * pooling (pool 0 or 1). */
typedef struct lf_layer_desc {
    int in_height, in_width;  /* input image, required */
    int k_height, k_width;    /* kernel, required */
    int channels;             /* C: 1 gray, 3 for R, G, B */
    int filters;              /* F */
    int stride;               /* S, on both axes */
    lf_padding padding;
    lf_activation activation;
    int pool;                 /* N: N x N max pooling with stride N after the activation */
} lf_layer_desc;

/* A layer's description with every derived size, made by lf_layer_shape_make. */
typedef struct lf_layer_shape {
    /* the description, defaults filled in */
    int channels, filters;
    int in_height, in_width;
    int k_height, k_width;
    int stride;
    lf_padding padding;
    lf_activation activation;
    int pool;                  /* 1 when there is no pooling */
    /* derived */
    int conv_height, conv_width;   /* the convolution's (and activation's) output */
    int pad_top, pad_left;         /* zeros before the image on each axis */
    int pad_bottom, pad_right;     /* zeros after it that the last positions read */
    int out_height, out_width;     /* after pooling; the conv sizes without it */
    size_t in_count;           /* floats in one input image: C * in_height * in_width */
    size_t act_count;          /* one activation map: F * conv_height * conv_width */
    size_t out_count;          /* one output: F * out_height * out_width */
    size_t weight_count;       /* F * C * k_height * k_width */
    size_t param_count;        /* weight_count + F (the biases follow the weights) */
    size_t work_count;         /* floats of workspace the fast routines need */
    /* the fast routines' padded input: C planes of padded_height rows, each
     * row split into stride column phases of phase_width floats */
    int padded_height, phase_width;
} lf_layer_shape;

/* Checks desc against the limits above and fills *shape. Fails with
 * LF_ERR_ARGUMENT, naming the field, when a value is out of range or the
 * output would be empty (a 'valid' kernel larger than the image, or a
 * pooling window larger than the convolution's output). */
lf_status lf_layer_shape_make(lf_layer_shape *shape, const lf_layer_desc *desc, lf_error *err);

/* ============================================================ forward */

/* out: (F, out_height, out_width); act: (F, conv_height, conv_width), the
 * activations, which backward reads; in: (C, in_height, in_width);
 * params: param_count (weights, then biases). When there is no pooling,
 * act may be the same array as out. */
void lf_layer_forward_reference(float *out, float *act, const float *in, const float *params,
                                const lf_layer_shape *shape);
/* As above; work: work_count floats of scratch, overwritten. */
void lf_layer_forward(float *out, float *act, const float *in, const float *params,
                      const lf_layer_shape *shape, float *work);

/* The learning target: the same layer (activation and pooling included)
 * with the true weights and zero bias.
 * target: (F, out_height, out_width); act: (F, conv_height, conv_width),
 * scratch; in: (C, in_height, in_width); true_weights: weight_count floats
 * (F, C, kh, kw), no biases; work: work_count floats. */
void lf_layer_targets(float *target, float *act, const float *in, const float *true_weights,
                      const lf_layer_shape *shape, float *work);

/* =========================================================== backward */

/* From the gradient of the loss with respect to out, adds
 *   grads (param_count):  d loss / d weights, then d loss / d biases
 *   din (C, in_height, in_width): d loss / d in, unless din is NULL
 * dout: (F, out_height, out_width); act: (F, conv_height, conv_width), the
 * activations forward wrote for this input; in: (C, in_height, in_width);
 * params: param_count. Sums over pixels run in double in the reference. */
void lf_layer_backward_reference(float *grads, float *din, const float *dout, const float *act,
                                 const float *in, const float *params,
                                 const lf_layer_shape *shape);
/* As above; work: work_count floats of scratch, overwritten. */
void lf_layer_backward(float *grads, float *din, const float *dout, const float *act,
                       const float *in, const float *params, const lf_layer_shape *shape,
                       float *work);

/* =============================================================== loss */

/* Mean squared error over count values, as PyTorch's mse_loss with its
 * default mean reduction: (1/count) sum (out - target)^2, summed in double.
 * For a batch, count is B * out_count. */
double lf_layer_mse_loss(const float *out, const float *target, size_t count);
/* dout (count) += 2 (out - target) / count: the loss's gradient. */
void lf_layer_mse_backward(float *dout, const float *out, const float *target, size_t count);

/* The loss and its gradient in one pass over the values, as a trainer
 * wants them: with r = out - target in float, dout (count) = scale r
 * (skipped when dout is NULL) and the return value is sum r^2, summed in
 * double. The reference sums in order; the fast version in vector lanes,
 * so the two sums differ by rounding only (dout is the same). */
double lf_layer_residual_reference(float *dout, const float *out, const float *target,
                                   size_t count, float scale);
double lf_layer_residual(float *dout, const float *out, const float *target, size_t count,
                         float scale);

#ifdef __cplusplus
}
#endif
#endif
