/*
 * target.c: an operation as the layer's target. See
 * include/learnfilter/target.h.
 *
 * lf_target_prepare makes every patch's target into the caller's buffer
 * and solves the best filter from them; lf_target_fit solves the same
 * filter making each target only while it is added to the normal
 * equations, so a set of any size needs one target's memory. Both make
 * each target with lf_op_apply's routine, as the trainer does when it makes
 * them on demand (trainer_cache.c), so the floor and the curve measure
 * exactly the same numbers.
 */
#include "learnfilter/target.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The kernel names a gradient takes besides any kernel: the usual
 * operators by their own names, each as its x derivative. */
static const char *gradient_alias(const char *name)
{
    if (!strcasecmp(name, "sobel"))
        return "sobel-x";
    if (!strcasecmp(name, "prewitt"))
        return "edge-x";
    return name;
}

lf_status lf_target_parse(lf_target *t, const char *spec, uint64_t seed, lf_error *err)
{
    memset(t, 0, sizeof *t);
    if (!spec || !*spec)
        return lf_fail(err, LF_ERR_ARGUMENT, "the operation is empty");
    const char *colon = strchr(spec, ':');
    size_t head = colon ? (size_t)(colon - spec) : 0;
    bool is_abs = colon && head == 3 && !strncasecmp(spec, "abs", 3);
    bool is_gradient = colon && head == 8 && !strncasecmp(spec, "gradient", 8);
    lf_status st;
    if (is_abs || is_gradient) {
        const char *arg = colon + 1;
        st = lf_kernel_resolve(&t->kernel, is_gradient ? gradient_alias(arg) : arg, seed, err);
        if (st != LF_OK) {
            memset(t, 0, sizeof *t);
            return st;
        }
        t->op = (lf_op){.kind = is_abs ? LF_OP_ABS : LF_OP_GRADIENT};
    } else if (colon) {
        lf_error e;
        st = lf_op_parse(&t->op, spec, &e);
        if (st != LF_OK && strstr(e.message, "the operation is one of"))
            /* this module also knows the two that take a kernel */
            st = lf_fail(err, st, "%s, or abs:K or gradient:K with a kernel K", e.message);
        else if (st != LF_OK)
            st = lf_fail(err, st, "%s", e.message);
        if (st != LF_OK) {
            memset(t, 0, sizeof *t);
            return st;
        }
    } else {
        st = lf_kernel_resolve(&t->kernel, spec, seed, err);
        if (st != LF_OK) {
            memset(t, 0, sizeof *t);
            return st;
        }
        t->op = (lf_op){.kind = LF_OP_KERNEL};
    }
    lf_op op = lf_target_op(t);
    st = lf_op_validate(&op, err);
    if (st != LF_OK) {
        memset(t, 0, sizeof *t);
        return st;
    }
    /* A kernel goes by its catalog spelling (or file name); the rest as
     * typed, in lower case where it names a kind. */
    if (t->op.kind == LF_OP_KERNEL) {
        snprintf(t->name, sizeof t->name, "%s", t->kernel.name);
    } else {
        snprintf(t->name, sizeof t->name, "%s", spec);
        for (size_t i = 0; i < head && i < sizeof t->name; i++)
            if (t->name[i] >= 'A' && t->name[i] <= 'Z')
                t->name[i] = (char)(t->name[i] - 'A' + 'a');
    }
    return LF_OK;
}

bool lf_target_is_set(const lf_target *t) { return t && t->name[0] != 0; }

lf_op lf_target_op(const lf_target *t)
{
    lf_op op = t->op;
    if (lf_op_uses_kernel(&op)) {
        op.kernel = t->kernel.weights;
        op.kernel_h = t->kernel.height;
        op.kernel_w = t->kernel.width;
    } else {
        op.kernel = NULL;
    }
    return op;
}

void lf_target_window(const lf_target *t, int *height, int *width)
{
    lf_op op = lf_target_op(t);
    lf_op_window(&op, height, width);
}

bool lf_target_is_linear(const lf_target *t)
{
    return t->op.kind == LF_OP_KERNEL && t->op.repeat <= 1 && t->op.stride <= 1;
}

/* The layer's kernel size and the operation's output against the layer's:
 * what both the fit and the kept targets need. */
static lf_status check_layer(const lf_target *t, const lf_dataset *ds, lf_padding padding,
                             const lf_kernel *reference, lf_error *err)
{
    const int kh = reference->height, kw = reference->width, side = ds->patch_size;
    if (!lf_target_is_set(t))
        return lf_fail(err, LF_ERR_ARGUMENT, "no operation to learn");
    if (kh < 1 || kw < 1 || kh > LF_TARGET_MAX_SIDE || kw > LF_TARGET_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "a %dx%d kernel against %s: the best filter is solved for kernels up "
                       "to %dx%d",
                       kh, kw, t->name, LF_TARGET_MAX_SIDE, LF_TARGET_MAX_SIDE);
    lf_conv_shape shape = lf_conv_shape_make(side, side, kh, kw, padding);
    lf_op op = lf_target_op(t);
    int th, tw;
    lf_op_output_size(&op, side, side, &th, &tw);
    if (th != shape.out_height || tw != shape.out_width)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "%s makes %dx%d per %d-pixel patch but the %dx%d layer with '%s' padding "
                       "makes %dx%d",
                       t->name, th, tw, side, kh, kw,
                       padding == LF_PADDING_SAME ? "same" : "valid", shape.out_height,
                       shape.out_width);
    return LF_OK;
}

lf_status lf_target_prepare(const lf_target *t, const lf_dataset *ds, lf_padding padding,
                            float *targets, size_t target_capacity, lf_kernel *reference,
                            lf_best_fit *fit, lf_error *err)
{
    memset(fit, 0, sizeof *fit);
    lf_status st = check_layer(t, ds, padding, reference, err);
    if (st != LF_OK)
        return st;
    const int side = ds->patch_size;
    const size_t stride = (size_t)side * (size_t)side;
    if (target_capacity / stride < (size_t)ds->patch_count)
        return lf_fail(err, LF_ERR_ARGUMENT, "%zu values do not hold the targets of %d patches",
                       target_capacity, ds->patch_count);
    lf_op op = lf_target_op(t);
    for (int p = 0; p < ds->patch_count; p++) {
        int h, w;
        st = lf_op_apply(&op, lf_dataset_clean(ds, p), side, side, targets + (size_t)p * stride,
                         stride, &h, &w, err);
        if (st != LF_OK)
            return st;
    }
    st = lf_best_fit_from_targets(fit, ds, 0, ds->train_count, targets, stride, target_capacity,
                                  reference->height, reference->width, padding,
                                  reference->weights,
                                  sizeof reference->weights / sizeof reference->weights[0], err);
    if (st != LF_OK)
        return st;
    snprintf(reference->name, sizeof reference->name, "%s", t->name);
    return LF_OK;
}

lf_status lf_target_fit(const lf_target *t, const lf_dataset *ds, lf_padding padding,
                        lf_kernel *reference, lf_best_fit *fit, lf_error *err)
{
    memset(fit, 0, sizeof *fit);
    lf_status st = check_layer(t, ds, padding, reference, err);
    if (st != LF_OK)
        return st;
    /* bestfit.c makes each patch's target, adds it to the sums and drops it */
    lf_op op = lf_target_op(t);
    st = lf_best_fit_compute(fit, ds, 0, ds->train_count, &op, reference->height,
                             reference->width, padding, reference->weights,
                             sizeof reference->weights / sizeof reference->weights[0], err);
    if (st != LF_OK)
        return st;
    snprintf(reference->name, sizeof reference->name, "%s", t->name);
    return LF_OK;
}
