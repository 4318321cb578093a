/*
 * ops.c: sliding-window operations. See include/learnfilter/ops.h for the
 * definitions both versions follow.
 *
 * The reference here computes each output from the values under its
 * window, the way the slides do it by hand; the fast path is in
 * ops_fast.c. Both take their scratch from one block laid out by
 * scratch_layout (the driver, below), which lf_op_work_bytes sizes and
 * lf_op_apply_work receives from its caller; lf_op_apply and the reference
 * allocate the block for the call. The names, the parser and the checks
 * are in ops_parse.c.
 */
#include "learnfilter/ops.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"

/* ============================================================ the op */

void lf_op_window(const lf_op *op, int *height, int *width)
{
    if (lf_op_uses_kernel(op)) {
        *height = op->kernel_h;
        *width = op->kernel_w;
    } else if (op->window == LF_WINDOW_PLUS) {
        *height = *width = 3;
    } else {
        *height = *width = op->size > 0 ? op->size : 3;
    }
}

static int stride_of(const lf_op *op)
{
    return op->stride > 0 ? op->stride : 1;
}

/* Outputs along one side of n pixels for a window side f, one application. */
static int side_out(int n, int f, lf_padding padding, int stride)
{
    int full = padding == LF_PADDING_SAME ? n : n - f + 1; /* stride 1 */
    return full > 0 ? (full + stride - 1) / stride : 0;
}

void lf_op_output_size(const lf_op *op, int in_h, int in_w, int *out_h, int *out_w)
{
    int fh, fw;
    lf_op_window(op, &fh, &fw);
    int repeat = op->repeat > 0 ? op->repeat : 1;
    int h = in_h, w = in_w;
    for (int r = 0; r < repeat && h > 0 && w > 0; r++) {
        h = side_out(h, fh, op->padding, stride_of(op));
        w = side_out(w, fw, op->padding, stride_of(op));
    }
    if (h <= 0 || w <= 0)
        h = w = 0;
    *out_h = h;
    *out_w = w;
}

/* ====================================================== one application */

static pass pass_make(const lf_op *op, int in_h, int in_w)
{
    pass p = {.in_h = in_h, .in_w = in_w, .stride = stride_of(op)};
    int fh, fw;
    lf_op_window(op, &fh, &fw);
    p.up = (fh - 1) / 2;
    p.down = fh / 2;
    p.left = (fw - 1) / 2;
    p.right = fw / 2;
    p.out_h = side_out(in_h, fh, op->padding, p.stride);
    p.out_w = side_out(in_w, fw, op->padding, p.stride);
    if (p.out_h <= 0 || p.out_w <= 0)
        p.out_h = p.out_w = 0;
    bool valid = op->padding == LF_PADDING_VALID;
    p.first_y = valid ? p.up : 0;
    p.first_x = valid ? p.left : 0;
    return p;
}

/* The lens: the centre and its four neighbours. */
static const int plus_offsets[5][2] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};

/* Collects the values under the window centred at (cy, cx) that lie inside
 * the image, in row-major order; returns how many (at most capacity). */
int ops_gather(const lf_op *op, const pass *p, const float *in, int cy, int cx, float *values,
                  int capacity)
{
    int n = 0;
    if (op->window == LF_WINDOW_PLUS) {
        for (int k = 0; k < 5 && n < capacity; k++) {
            int y = cy + plus_offsets[k][0], x = cx + plus_offsets[k][1];
            if (y >= 0 && y < p->in_h && x >= 0 && x < p->in_w)
                values[n++] = in[(size_t)y * (size_t)p->in_w + (size_t)x];
        }
        return n;
    }
    for (int y = cy - p->up; y <= cy + p->down; y++)
        for (int x = cx - p->left; x <= cx + p->right; x++)
            if (y >= 0 && y < p->in_h && x >= 0 && x < p->in_w && n < capacity)
                values[n++] = in[(size_t)y * (size_t)p->in_w + (size_t)x];
    return n;
}

/* Reduces count (>= 1) values as op says. Sorts values for the median. */
float ops_reduce_reference(lf_op_kind kind, float *values, int count)
{
    double acc = 0;
    float best = values[0];
    switch (kind) {
    case LF_OP_SUM:
    case LF_OP_MEAN:
        for (int i = 0; i < count; i++)
            acc += values[i];
        return (float)(kind == LF_OP_MEAN ? acc / count : acc);
    case LF_OP_MAX:
        for (int i = 1; i < count; i++)
            if (values[i] > best)
                best = values[i];
        return best;
    case LF_OP_MIN:
        for (int i = 1; i < count; i++)
            if (values[i] < best)
                best = values[i];
        return best;
    case LF_OP_MEDIAN:
        /* Insertion sort: plain, and what a person does with the cards. */
        for (int i = 1; i < count; i++) {
            float v = values[i];
            int j = i - 1;
            while (j >= 0 && values[j] > v) {
                values[j + 1] = values[j];
                j--;
            }
            values[j + 1] = v;
        }
        return values[(count - 1) / 2]; /* the lower middle of an even count */
    default:
        return 0;
    }
}

/* One application by the definition: out holds p->out_h * p->out_w. */
static void pass_reference(const lf_op *op, const pass *p, const float *in, float *out,
                           float *values, int capacity)
{
    for (int oy = 0; oy < p->out_h; oy++)
        for (int ox = 0; ox < p->out_w; ox++) {
            int cy = p->first_y + oy * p->stride, cx = p->first_x + ox * p->stride;
            float result;
            if (lf_op_uses_kernel(op)) {
                double acc = 0, across = 0; /* with the kernel, and with its transpose */
                for (int i = 0; i < op->kernel_h; i++)
                    for (int j = 0; j < op->kernel_w; j++) {
                        int y = cy - p->up + i, x = cx - p->left + j;
                        if (y >= 0 && y < p->in_h && x >= 0 && x < p->in_w) {
                            float v = in[(size_t)y * (size_t)p->in_w + (size_t)x];
                            acc += (double)op->kernel[i * op->kernel_w + j] * v;
                            if (op->kind == LF_OP_GRADIENT)
                                across += (double)op->kernel[j * op->kernel_w + i] * v;
                        }
                    }
                result = (float)(op->kind == LF_OP_ABS        ? fabs(acc)
                                 : op->kind == LF_OP_GRADIENT ? sqrt(acc * acc + across * across)
                                                              : acc);
            } else {
                int count = ops_gather(op, p, in, cy, cx, values, capacity);
                result = ops_reduce_reference(op->kind, values, count);
            }
            out[(size_t)oy * (size_t)p->out_w + (size_t)ox] = result;
        }
}

/* ============================================================ the driver */

/* Each piece of the scratch starts on this boundary, so doubles and the
 * convolution's vector loads are aligned whatever the caller's pointer. */
#define SCRATCH_ALIGN 64

/* Takes `bytes` from the block at *offset (rounded up to SCRATCH_ALIGN);
 * with base NULL only counts. */
static void *carve(unsigned char *base, size_t *offset, size_t bytes)
{
    size_t at = (*offset + SCRATCH_ALIGN - 1) / SCRATCH_ALIGN * SCRATCH_ALIGN;
    *offset = at + bytes;
    return base ? base + at : NULL;
}

/* Lays s out from base (aligned to SCRATCH_ALIGN), or with base NULL only
 * counts, and returns the bytes it spans: the one place that says what
 * each path needs, so lf_op_work_bytes and the apply cannot disagree. */
static size_t scratch_layout(scratch *s, const lf_op *op, int h, int w, bool fast,
                             unsigned char *base)
{
    memset(s, 0, sizeof *s);
    int fh, fw;
    lf_op_window(op, &fh, &fw);
    const bool kernel = lf_op_uses_kernel(op);
    const bool sums = op->kind == LF_OP_SUM || op->kind == LF_OP_MEAN;
    const bool extremes = op->kind == LF_OP_MAX || op->kind == LF_OP_MIN;
    /* the plus-shaped window and the median go output by output */
    const bool gathers = !kernel && !ops_is_median3(op) &&
                         (op->window == LF_WINDOW_PLUS || op->kind == LF_OP_MEDIAN);
    const size_t area = (size_t)h * (size_t)w, line = (size_t)(h > w ? h : w);
    size_t offset = 0;
    s->value_capacity = op->window == LF_WINDOW_PLUS && !kernel ? 5 : fh * fw;
    s->values = carve(base, &offset, sizeof(float) * (size_t)s->value_capacity);
    if (op->repeat > 1)
        for (int i = 0; i < 2; i++)
            s->buffers[i] = carve(base, &offset, sizeof(float) * area);
    if (fast && !gathers) {
        s->map = carve(base, &offset, sizeof(float) * area);
        if (sums) {
            s->prefix = carve(base, &offset, sizeof(double) * (line + 1));
            s->row_sums = carve(base, &offset, sizeof(double) * area);
        }
        if (extremes) {
            s->queue = carve(base, &offset, sizeof(int) * line);
            s->row_ext = carve(base, &offset, sizeof(float) * area);
        }
        if (ops_is_median3(op))
            s->columns = carve(base, &offset, sizeof(float) * 3 * (size_t)w);
        if (op->kind == LF_OP_GRADIENT) {
            s->across = carve(base, &offset, sizeof(float) * area);
            s->transposed = carve(base, &offset, sizeof(float) * (size_t)fh * (size_t)fw);
        }
    }
    if (base && s->transposed)
        for (int i = 0; i < fh; i++)
            for (int j = 0; j < fw; j++)
                s->transposed[i * fw + j] = op->kernel[j * fw + i];
    return offset;
}

/* Scratch bytes for one path, with room to align any pointer; 0 for an
 * invalid op or an empty input. */
static size_t work_bytes_for(const lf_op *op, int in_h, int in_w, bool fast)
{
    if (lf_op_validate(op, NULL) != LF_OK || in_h < 1 || in_w < 1)
        return 0;
    scratch s;
    return scratch_layout(&s, op, in_h, in_w, fast, NULL) + SCRATCH_ALIGN - 1;
}

size_t lf_op_work_bytes(const lf_op *op, int in_h, int in_w)
{
    return work_bytes_for(op, in_h, in_w, true);
}

/* Every repeat, alternating between two buffers, the last into out; all
 * scratch from work (work_bytes bytes). Allocates nothing. */
static lf_status apply(const lf_op *op, const float *in, int in_h, int in_w, float *out,
                       size_t out_capacity, int *out_h, int *out_w, bool fast, void *work,
                       size_t work_bytes, lf_error *err)
{
    *out_h = *out_w = 0;
    lf_status st = lf_op_validate(op, err);
    if (st != LF_OK)
        return st;
    if (in_h < 1 || in_w < 1 || !in || !out)
        return lf_fail(err, LF_ERR_ARGUMENT, "the input is empty");
    int h, w;
    lf_op_output_size(op, in_h, in_w, &h, &w);
    if (h == 0) {
        int fh, fw;
        lf_op_window(op, &fh, &fw);
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "a %dx%d window does not fit in the %dx%d input with 'valid' padding", fh,
                       fw, in_h, in_w);
    }
    if ((size_t)h * (size_t)w > out_capacity)
        return lf_fail(err, LF_ERR_ARGUMENT, "the %dx%d result does not fit in %zu values", h, w,
                       out_capacity);
    const size_t needed = work_bytes_for(op, in_h, in_w, fast);
    if (!work || work_bytes < needed)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "%zu bytes of scratch do not hold the %zu a %s on %dx%d needs", work_bytes,
                       needed, lf_op_kind_name(op->kind), in_h, in_w);
    uintptr_t address = (uintptr_t)work;
    unsigned char *base =
        (unsigned char *)work + (SCRATCH_ALIGN - address % SCRATCH_ALIGN) % SCRATCH_ALIGN;
    scratch s;
    scratch_layout(&s, op, in_h, in_w, fast, base);
    int repeat = op->repeat > 0 ? op->repeat : 1;
    const float *src = in;
    int sh = in_h, sw = in_w;
    for (int r = 0; r < repeat && st == LF_OK; r++) {
        pass p = pass_make(op, sh, sw);
        float *dst = r == repeat - 1 ? out : s.buffers[r & 1];
        if (fast)
            st = ops_pass_fast(op, &p, src, dst, &s, err);
        else
            pass_reference(op, &p, src, dst, s.values, s.value_capacity);
        src = dst;
        sh = p.out_h;
        sw = p.out_w;
    }
    if (st == LF_OK) {
        *out_h = h;
        *out_w = w;
    }
    return st;
}

/* The apply with scratch of its own, freed before it returns. */
static lf_status apply_allocating(const lf_op *op, const float *in, int in_h, int in_w,
                                  float *out, size_t out_capacity, int *out_h, int *out_w,
                                  bool fast, lf_error *err)
{
    *out_h = *out_w = 0;
    size_t bytes = work_bytes_for(op, in_h, in_w, fast);
    void *work = bytes ? malloc(bytes) : NULL;
    if (bytes && !work)
        return lf_fail(err, LF_ERR_NOMEM, "no memory for a %dx%d %s", in_h, in_w,
                       lf_op_kind_name(op->kind));
    /* with no bytes (an invalid op or input) the checks say which */
    lf_status st =
        apply(op, in, in_h, in_w, out, out_capacity, out_h, out_w, fast, work, bytes, err);
    free(work);
    return st;
}

lf_status lf_op_apply_work(const lf_op *op, const float *in, int in_h, int in_w, float *out,
                           size_t out_capacity, int *out_h, int *out_w, void *work,
                           size_t work_bytes, lf_error *err)
{
    return apply(op, in, in_h, in_w, out, out_capacity, out_h, out_w, true, work, work_bytes,
                 err);
}

lf_status lf_op_apply(const lf_op *op, const float *in, int in_h, int in_w, float *out,
                      size_t out_capacity, int *out_h, int *out_w, lf_error *err)
{
    return apply_allocating(op, in, in_h, in_w, out, out_capacity, out_h, out_w, true, err);
}

lf_status lf_op_apply_reference(const lf_op *op, const float *in, int in_h, int in_w, float *out,
                                size_t out_capacity, int *out_h, int *out_w, lf_error *err)
{
    return apply_allocating(op, in, in_h, in_w, out, out_capacity, out_h, out_w, false, err);
}
