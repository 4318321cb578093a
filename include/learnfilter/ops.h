/*
 * ops.h: sliding-window operations on a grid of numbers.
 *
 * An operation slides a window over an image and combines the values under
 * it into one output value. It is either a kernel (a weighted sum: the
 * correlation of conv.h, zeros outside the image) or a reduction over the
 * window: sum, mean, max, min or median. The window of a reduction is an
 * N x N square or the plus-shaped "lens" of the lecture slides (the centre
 * and its four neighbours). Two more are built on a kernel, as targets a
 * linear layer cannot reach exactly: its absolute value |k * I| (the
 * notebook shows edges that way) and the gradient magnitude
 * sqrt((k * I)^2 + (k^T * I)^2) of a square kernel and its transpose (for
 * Sobel x, whose transpose is Sobel y, the usual edge strength).
 *
 *   lf_op op = {.kind = LF_OP_MEDIAN, .window = LF_WINDOW_SQUARE, .size = 5};
 *   int h, w;
 *   lf_op_output_size(&op, in_h, in_w, &h, &w);          // 0 x 0: does not fit
 *   lf_op_apply(&op, in, in_h, in_w, out, capacity, &h, &w, &err);
 *
 * Conventions, the ones the slides use:
 * - Only pixels inside the image take part in a reduction: at the border a
 *   mean divides by the number of pixels inside, a max or min looks only at
 *   those, and a median of an even count takes the lower middle value. A
 *   sum is the same as a sum over zero padding, and so is a kernel.
 * - An N x N window with N even reaches (N-1)/2 before the centre and N/2
 *   after it, as an even kernel does in conv.h.
 * - padding 'same' gives an output for every pixel; 'valid' only where the
 *   whole window (for the lens, its 3 x 3 bounding square) lies inside.
 * - stride S keeps every S-th output of the stride-1 result, from the first,
 *   so an n-pixel side gives floor((n - f + 2p) / S) + 1 outputs, with f the
 *   window's side and p the padding ((f-1)/2 for 'same', 0 for 'valid').
 * - repeat R applies the whole operation (window, padding and stride) R
 *   times, each to the result of the one before: "the mean, ten times".
 * - Dilation and erosion are max and min on a binary (0/1) image.
 *
 * Every operation comes as a pair: lf_op_apply_reference, plain loops that
 * state the definition above and that the tests trust, and lf_op_apply, the
 * fast path (running sums, running max/min, selection instead of sorting).
 * tests/test_ops.c holds the two together.
 *
 * The fast path needs scratch (a median's window, a gradient's second map,
 * the buffers between repeats). lf_op_apply allocates it for the call;
 * lf_op_apply_work takes it from the caller, so a loop that may not
 * allocate (a training step making its batch's targets) sizes it once:
 *
 *   size_t bytes = lf_op_work_bytes(&op, in_h, in_w);   // once
 *   void *work = malloc(bytes);
 *   lf_op_apply_work(&op, in, in_h, in_w, out, capacity, &h, &w, work, bytes, &err);
 */
#ifndef LEARNFILTER_OPS_H
#define LEARNFILTER_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/conv.h"
#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LF_OP_MAX_WINDOW 255 /* largest square window side a reduction takes */
#define LF_OP_MAX_REPEAT 100 /* most repetitions of one operation */
#define LF_OP_MAX_STRIDE 64  /* largest stride */

typedef enum lf_op_kind {
    LF_OP_KERNEL = 0, /* weighted sum with op.kernel (a correlation) */
    LF_OP_SUM,
    LF_OP_MEAN,
    LF_OP_MAX,
    LF_OP_MIN,
    LF_OP_MEDIAN,
    LF_OP_ABS,     /* |correlation with op.kernel| */
    LF_OP_GRADIENT /* sqrt(k^2 + (k transposed)^2) of the correlations; square kernel */
} lf_op_kind;

typedef enum lf_window_shape {
    LF_WINDOW_SQUARE = 0, /* N x N */
    LF_WINDOW_PLUS        /* the centre and its 4 neighbours */
} lf_window_shape;

/* Zero means default, given in brackets. */
typedef struct lf_op {
    lf_op_kind kind;
    /* LF_OP_KERNEL, _ABS, _GRADIENT: the weights, kernel_h x kernel_w,
     * row-major [required] */
    const float *kernel;
    int kernel_h, kernel_w;
    /* the reductions: */
    lf_window_shape window;
    int size;           /* side of a square window [3]; the lens is always 3 */
    int repeat;         /* applications [1] */
    int stride;         /* [1] */
    lf_padding padding; /* [same] */
} lf_op;

/* "sum", "mean", "max", "min", "median", "kernel", "abs" or "gradient". */
const char *lf_op_kind_name(lf_op_kind kind);

/* Parses "KIND:N" (an N x N square, e.g. "median:5") or "KIND:plus", KIND
 * one of sum, mean, max, min, median (any case). LF_ERR_ARGUMENT with a
 * message for anything else; a spec without a colon is not an operation
 * (the caller may then try a kernel name). Leaves repeat, stride and
 * padding at their defaults. abs and gradient need a kernel, which this
 * module does not look up: target.h's lf_target_parse reads those. */
lf_status lf_op_parse(lf_op *op, const char *spec, lf_error *err);

/* Checks op's fields (sizes, repeat, stride within the limits above).
 * LF_ERR_ARGUMENT with a message naming the field. */
lf_status lf_op_validate(const lf_op *op, lf_error *err);

/* Whether op weighs its window with op.kernel (kernel, abs, gradient). */
bool lf_op_uses_kernel(const lf_op *op);

/* Side of the window's bounding square on each axis (the kernel's shape
 * for a kernel). */
void lf_op_window(const lf_op *op, int *height, int *width);

/* Output size of the whole operation (every repeat) on an in_h x in_w
 * input; 0 x 0 when the window stops fitting on some repeat. op must be
 * valid. */
void lf_op_output_size(const lf_op *op, int in_h, int in_w, int *out_h, int *out_w);

/* Applies op to in (in_h x in_w, row-major) and writes the result to out,
 * which holds out_capacity floats, and its size to *out_h x *out_w.
 * LF_ERR_ARGUMENT for an invalid op, an empty result (the window does not
 * fit) or an out too small for the result; LF_ERR_NOMEM. Nothing is written
 * past out_capacity. */
lf_status lf_op_apply(const lf_op *op, const float *in, int in_h, int in_w, float *out,
                      size_t out_capacity, int *out_h, int *out_w, lf_error *err);
/* Bytes of scratch lf_op_apply_work needs for op on an in_h x in_w input,
 * every repeat included and with room to align any pointer; 0 when op is
 * not valid or the input is empty. */
size_t lf_op_work_bytes(const lf_op *op, int in_h, int in_w);

/* lf_op_apply with the caller's scratch: work holds work_bytes bytes, any
 * alignment, at least lf_op_work_bytes(op, in_h, in_w). Allocates nothing
 * and writes nothing past work_bytes; the result is lf_op_apply's bit for
 * bit (lf_op_apply is this with scratch of its own). LF_ERR_ARGUMENT as
 * lf_op_apply, and when work is NULL or too small. */
lf_status lf_op_apply_work(const lf_op *op, const float *in, int in_h, int in_w, float *out,
                           size_t out_capacity, int *out_h, int *out_w, void *work,
                           size_t work_bytes, lf_error *err);

/* The same result by the definition's plain loops (what the tests trust). */
lf_status lf_op_apply_reference(const lf_op *op, const float *in, int in_h, int in_w, float *out,
                                size_t out_capacity, int *out_h, int *out_w, lf_error *err);

#ifdef __cplusplus
}
#endif
#endif
