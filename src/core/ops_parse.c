/*
 * ops_parse.c: an operation's name, its parsing from "KIND:N" and the
 * checks of its fields. See include/learnfilter/ops.h; the operations
 * themselves are in ops.c.
 */
#include "learnfilter/ops.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[] = {"kernel", "sum",    "mean", "max",
                                         "min",    "median", "abs",  "gradient"};

bool lf_op_uses_kernel(const lf_op *op)
{
    return op->kind == LF_OP_KERNEL || op->kind == LF_OP_ABS || op->kind == LF_OP_GRADIENT;
}

const char *lf_op_kind_name(lf_op_kind kind)
{
    if ((int)kind < 0 || (size_t)kind >= sizeof kind_names / sizeof kind_names[0])
        return "?";
    return kind_names[kind];
}

lf_status lf_op_parse(lf_op *op, const char *spec, lf_error *err)
{
    memset(op, 0, sizeof *op);
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (!colon)
        return lf_fail(err, LF_ERR_ARGUMENT, "'%s' is not an operation (KIND:N or KIND:plus)",
                       spec ? spec : "");
    size_t kind_length = (size_t)(colon - spec);
    int kind = -1;
    for (int k = LF_OP_SUM; k <= LF_OP_MEDIAN; k++)
        if (strlen(kind_names[k]) == kind_length && !strncasecmp(spec, kind_names[k], kind_length))
            kind = k;
    if (kind < 0)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "'%s': the operation is one of sum, mean, max, min, median", spec);
    op->kind = (lf_op_kind)kind;
    const char *arg = colon + 1;
    if (!strcasecmp(arg, "plus")) {
        op->window = LF_WINDOW_PLUS;
        op->size = 3;
        return LF_OK;
    }
    char *end = NULL;
    long n = isdigit((unsigned char)*arg) ? strtol(arg, &end, 10) : -1;
    if (n < 1 || !end || *end || n > LF_OP_MAX_WINDOW)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "'%s': the window is a side from 1 to %d (e.g. %s:3) or 'plus'", spec,
                       LF_OP_MAX_WINDOW, kind_names[kind]);
    op->window = LF_WINDOW_SQUARE;
    op->size = (int)n;
    return LF_OK;
}

lf_status lf_op_validate(const lf_op *op, lf_error *err)
{
    if ((int)op->kind < LF_OP_KERNEL || op->kind > LF_OP_GRADIENT)
        return lf_fail(err, LF_ERR_ARGUMENT, "unknown operation %d", (int)op->kind);
    if (lf_op_uses_kernel(op)) {
        if (!op->kernel || op->kernel_h < 1 || op->kernel_w < 1)
            return lf_fail(err, LF_ERR_ARGUMENT, "the %s operation has no kernel",
                           lf_op_kind_name(op->kind));
        /* The transpose must cover the same window for both halves of
         * the magnitude to line up. */
        if (op->kind == LF_OP_GRADIENT && op->kernel_h != op->kernel_w)
            return lf_fail(err, LF_ERR_ARGUMENT,
                           "a gradient needs a square kernel (its transpose is the other "
                           "direction), not %dx%d",
                           op->kernel_h, op->kernel_w);
    } else if (op->window == LF_WINDOW_SQUARE) {
        if (op->size < 0 || op->size > LF_OP_MAX_WINDOW)
            return lf_fail(err, LF_ERR_ARGUMENT, "window side %d is outside 1..%d", op->size,
                           LF_OP_MAX_WINDOW);
    } else if (op->window != LF_WINDOW_PLUS) {
        return lf_fail(err, LF_ERR_ARGUMENT, "unknown window shape %d", (int)op->window);
    }
    if (op->repeat < 0 || op->repeat > LF_OP_MAX_REPEAT)
        return lf_fail(err, LF_ERR_ARGUMENT, "repeat %d is outside 1..%d", op->repeat,
                       LF_OP_MAX_REPEAT);
    if (op->stride < 0 || op->stride > LF_OP_MAX_STRIDE)
        return lf_fail(err, LF_ERR_ARGUMENT, "stride %d is outside 1..%d", op->stride,
                       LF_OP_MAX_STRIDE);
    if (op->padding != LF_PADDING_SAME && op->padding != LF_PADDING_VALID)
        return lf_fail(err, LF_ERR_ARGUMENT, "unknown padding %d", (int)op->padding);
    return LF_OK;
}
