/*
 * target.h: an operation as what the layer learns, and the best it can do.
 *
 * The layer is linear, so it learns a kernel exactly; a median, a max or an
 * edge strength it can only approximate. Training against an operation
 * makes that visible: the targets are the operation applied to each clean
 * patch (ops.h), and the reference the network is measured against is the
 * best linear filter with bias over the training patches, solved in closed
 * form (bestfit.h). Its mean squared error is the floor the loss approaches
 * and never passes, and the relative error ||w - w_best|| / ||w_best||
 * says how close the learned weights are to that filter.
 *
 *   lf_target target;
 *   lf_target_parse(&target, "median:3", seed, &err);  // or "gradient:sobel", "sobel-x", ...
 *   lf_trainer_options o = {.operation = target};      // the trainer prepares it itself
 *   o.target.height = o.target.width = 3;              // the layer's kernel
 *
 * An lf_target holds its kernel (for a kernel, abs or gradient operation)
 * by value, so it can be copied and moved freely; lf_target_op makes the
 * lf_op that points into it, to be used while the lf_target stays put.
 */
#ifndef LEARNFILTER_TARGET_H
#define LEARNFILTER_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "learnfilter/bestfit.h"
#include "learnfilter/conv.h"
#include "learnfilter/dataset.h"
#include "learnfilter/error.h"
#include "learnfilter/kernel.h"
#include "learnfilter/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest layer kernel side trained against an operation: its best filter
 * is a Cholesky solve of order side^2 + 1, about a second at 32x32 (1,025
 * unknowns, the smiley's size) and growing with the cube. */
#define LF_TARGET_MAX_SIDE 32

typedef struct lf_target {
    lf_op op;                      /* kind and window; op.kernel stays NULL here:
                                      lf_target_op points it at kernel */
    lf_kernel kernel;              /* a kernel, abs or gradient operation's weights */
    char name[LF_KERNEL_NAME_MAX]; /* as parsed: "median:3", "gradient:sobel", "sobel-x";
                                      empty: no operation (the trainer learns its kernel) */
} lf_target;

/* Reads what --apply and --target take: a kernel (a catalog name or a
 * file), KIND:N or KIND:plus (ops.h's lf_op_parse), abs:K (|K * I|) or
 * gradient:K (sqrt((K * I)^2 + (K^T * I)^2)), K a kernel name or file;
 * "gradient:sobel" is Sobel x with its transpose, Sobel y. seed is for the
 * "random" kernel. On failure *target is left unset and err says why:
 * LF_ERR_ARGUMENT for a bad spec, the kernel loader's status for a file. */
lf_status lf_target_parse(lf_target *target, const char *spec, uint64_t seed, lf_error *err);

/* Whether target holds an operation. */
bool lf_target_is_set(const lf_target *target);

/* The operation, its kernel pointing into target. */
lf_op lf_target_op(const lf_target *target);

/* Side of the operation's window on each axis: the layer's kernel unless
 * the user chooses another. */
void lf_target_window(const lf_target *target, int *height, int *width);

/* Whether the operation is linear (a kernel applied once): then its best
 * filter of the same shape is the kernel itself, unless the inputs are
 * noisy. */
bool lf_target_is_linear(const lf_target *target);

/* Makes every patch's target and solves for the best filter, in one pass:
 *   targets      patch_count * patch_size^2 floats (target_capacity of them);
 *                patch i's target starts at i * patch_size^2, the layer's
 *                output size (out_h x out_w of the shape below);
 *   reference    in: height and width, the layer's kernel; out: the best
 *                filter's weights over the training patches, and the
 *                operation's name;
 *   fit          the best filter's bias and loss (bestfit.h).
 * The layer's shape is the patch, reference's size and padding. Fails with
 * LF_ERR_ARGUMENT when the operation's output is not the layer's size (a
 * 'valid' layer, a stride), when the kernel is over LF_TARGET_MAX_SIDE or
 * when the buffers are too small, and LF_ERR_NOMEM. */
lf_status lf_target_prepare(const lf_target *target, const lf_dataset *ds, lf_padding padding,
                            float *targets, size_t target_capacity, lf_kernel *reference,
                            lf_best_fit *fit, lf_error *err);

/* lf_target_prepare's best filter, without keeping the targets: each
 * patch's target is made, added to the normal equations and dropped, so
 * the memory does not grow with the set (the trainer makes the targets
 * themselves when it needs them). reference and fit as there, and the
 * same values bit for bit: the same targets summed in the same order. Fails
 * as lf_target_prepare does, less the buffer's check. */
lf_status lf_target_fit(const lf_target *target, const lf_dataset *ds, lf_padding padding,
                        lf_kernel *reference, lf_best_fit *fit, lf_error *err);

#ifdef __cplusplus
}
#endif
#endif
