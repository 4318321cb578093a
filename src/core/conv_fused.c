/*
 * conv_fused.c: a linear filter's forward pass, residual and weight
 * gradient in one pass over the rows (conv.h, conv2d_fused_rows).
 *
 * Why fused: the direct engine's step on 3x3 kernels does little
 * arithmetic per pixel (9 multiply-adds forward, 9 backward), so separate
 * passes (forward into an output image, residual into a gradient image, then
 * a correlation per tap and row) spend their time moving 256 KB images
 * through the caches and adding one double at a time. Here every input row
 * is copied once, with its padding's zeros, into a ring of k_height rows that
 * stays in L1, and each block of 16 output pixels is made, compared with its
 * target and correlated with the same 16 x taps input values while they
 * are in registers. Nothing is written but the ring.
 *
 * The loops are written with GCC's vector extension (16 floats, one AVX-512
 * register; two AVX2 or four SSE registers in the other clones) rather than
 * intrinsics, so one source serves every instruction set simd.h builds for.
 * 3x3 and 5x5 kernels get their own copies with the sizes fixed, so the
 * compiler unrolls the taps and keeps the gradient sums in registers.
 *
 * Order of the sums, fixed by the shape alone: the forward pass adds the
 * taps to the bias in row-major order, as conv2d_forward does, so the
 * output is the same bits; each tap's gradient and the loss add along an
 * output row in 16 float lanes, the row's lanes go into double lanes, and at
 * the end the 16 double lanes are added in lane order.
 */
#include "learnfilter/conv.h"

#include <limits.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "simd.h"

#define LANES 16

/* ============================================================ reference */

double conv2d_fused_rows_reference(double *acc, const float *in, const float *target,
                                   const float *target_w, const float *w, float bias,
                                   const lf_conv_shape *s, int y0, int y1)
{
    const int taps = s->k_height * s->k_width;
    double loss = 0;
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < s->out_width; x++) {
            double out = bias, truth = 0;
            for (int i = 0; i < s->k_height; i++)
                for (int j = 0; j < s->k_width; j++) {
                    int iy = y + i - s->pad_top, ix = x + j - s->pad_left;
                    if (iy >= 0 && iy < s->in_height && ix >= 0 && ix < s->in_width) {
                        out += (double)w[i * s->k_width + j] * in[iy * s->in_width + ix];
                        if (target_w)
                            truth += (double)target_w[i * s->k_width + j] *
                                     in[iy * s->in_width + ix];
                    }
                }
            if (!target_w)
                truth = target[y * s->out_width + x];
            double r = out - truth;
            loss += r * r;
            if (!acc)
                continue;
            for (int i = 0; i < s->k_height; i++)
                for (int j = 0; j < s->k_width; j++) {
                    int iy = y + i - s->pad_top, ix = x + j - s->pad_left;
                    if (iy >= 0 && iy < s->in_height && ix >= 0 && ix < s->in_width)
                        acc[i * s->k_width + j] += r * in[iy * s->in_width + ix];
                }
            acc[taps] += r;
        }
    return loss;
}

/* ================================================================= fast */

/* A padded row: output column x and tap column j read position x + j. */
/* A padded row: output column x and tap column j read position x + j;
 * one vector more than that, for the upper half of the last pair. */
static int padded_width(const lf_conv_shape *s)
{
    int w = s->out_width + s->k_width - 1;
    return (w + LANES - 1) / LANES * LANES + LANES;
}

/* The rows, and up to 15 floats to start them on a 64-byte boundary. */
size_t conv2d_fused_work_floats(const lf_conv_shape *s)
{
    return (size_t)s->k_height * (size_t)padded_width(s) + LANES - 1;
}

#if defined(__GNUC__)

typedef float v16 __attribute__((vector_size(LANES * sizeof(float))));

/* 16 floats from any float address (the type says how it may be aligned
 * and that it may alias the floats). A macro rather than a function: a
 * function returning a 64-byte vector would change the calling convention
 * between the instruction sets the clones are built for. */
typedef float v16u __attribute__((vector_size(LANES * sizeof(float)), aligned(4), may_alias));
#define load16(p) (*(const v16u *)(const void *)(p))

/* Input row iy into a ring slot, with zeros where the kernel reads the
 * padding (the whole row when iy is outside the image). */
static void fill_row(float *restrict slot, int width, const float *restrict in, int iy,
                     const lf_conv_shape *s)
{
    memset(slot, 0, sizeof(float) * (size_t)width);
    if (iy < 0 || iy >= s->in_height)
        return;
    int first = s->pad_left, count = s->in_width;
    if (first + count > width)
        count = width - first;
    memcpy(slot + first, in + (long)iy * s->in_width, sizeof(float) * (size_t)count);
}

/* Lanes j..j+15 of the pair (lo, hi): the input under tap column j when lo
 * holds columns x..x+15 of row and hi the next 16. On AVX-512 one valignd,
 * where an unaligned load at x + j would cross a cache line 15 times in 16.
 * A macro, as load16 is. Clang has no __builtin_shuffle with a mask in a
 * variable (the fuzz targets build with it): there the shifted row is
 * loaded again, the same values, so every sum is the same. */
#if defined(__clang__)
#define shifted16(lo, hi, row, j) ((void)(hi), (v16)load16((row) + (j)))
#else
typedef int v16i __attribute__((vector_size(LANES * sizeof(int))));
static const v16i shift_mask[5] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
    {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
    {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18},
    {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19},
};
#define shifted16(lo, hi, row, j) (__builtin_shuffle((lo), (hi), shift_mask[j]))
#endif
#define FIXED_MAX_TAPS 25 /* the sizes fixed at compile time: 3x3, 5x5 */

/*
 * One output row: rows[i] is the padded input row under kernel row i. Adds
 * the row's sums to the double lanes dacc: tap t's gradient at dacc[t * 16],
 * the bias's at dacc[taps * 16], the loss at dacc[(taps + 1) * 16]. The
 * target is trow's, or with ONDEMAND the filter tw applied here by the
 * same operations as the output (bias 0). FIXED: KH and KW are constants (3x3, 5x5), so the taps unroll,
 * the sums stay in registers and the shifted inputs come from shuffles.
 */
static inline __attribute__((always_inline)) void fused_row(
    const bool FIXED, const int KH, const int KW, const bool GRAD, const bool ONDEMAND,
    const float *const *rows, const float *restrict trow, const float *restrict tw,
    const float *restrict w, float bias, int ow, double *restrict dacc)
{
    const int taps = KH * KW;
    v16 g[LF_CONV_FUSED_MAX_TAPS];
    v16 loss = {0}, bsum = {0};
    if (GRAD)
        for (int t = 0; t < taps; t++)
            g[t] = (v16){0};
    const int vectors = ow / LANES;
    for (int v = 0; v < vectors; v++) {
        const int x = v * LANES;
        v16 in[FIXED_MAX_TAPS];
        if (FIXED)
            for (int i = 0; i < KH; i++) {
                v16 lo = load16(rows[i] + x), hi = load16(rows[i] + x + LANES);
                for (int j = 0; j < KW; j++)
                    in[i * KW + j] = j == 0 ? lo : shifted16(lo, hi, rows[i] + x, j);
            }
#define INPUT(i, j) (FIXED ? in[(i) * KW + (j)] : (v16)load16(rows[i] + x + (j)))
        v16 o = (v16){0} + bias, target = {0};
        for (int i = 0; i < KH; i++)
            for (int j = 0; j < KW; j++)
                o += w[i * KW + j] * INPUT(i, j);
        if (ONDEMAND)
            for (int i = 0; i < KH; i++)
                for (int j = 0; j < KW; j++)
                    target += tw[i * KW + j] * INPUT(i, j);
        else
            target = load16(trow + x);
        v16 r = o - target;
        loss += r * r;
        if (GRAD) {
            bsum += r;
            for (int i = 0; i < KH; i++)
                for (int j = 0; j < KW; j++)
                    g[i * KW + j] += r * INPUT(i, j);
        }
#undef INPUT
    }
    for (int l = 0; l < LANES; l++)
        dacc[(taps + 1) * LANES + l] += loss[l];
    if (GRAD) {
        for (int t = 0; t < taps; t++)
            for (int l = 0; l < LANES; l++)
                dacc[t * LANES + l] += g[t][l];
        for (int l = 0; l < LANES; l++)
            dacc[taps * LANES + l] += bsum[l];
    }
    /* Columns past the last whole vector, one at a time into lane 0. */
    for (int x = vectors * LANES; x < ow; x++) {
        float o = bias, target = 0;
        for (int i = 0; i < KH; i++)
            for (int j = 0; j < KW; j++)
                o += w[i * KW + j] * rows[i][x + j];
        if (ONDEMAND)
            for (int i = 0; i < KH; i++)
                for (int j = 0; j < KW; j++)
                    target += tw[i * KW + j] * rows[i][x + j];
        else
            target = trow[x];
        float r = o - target;
        dacc[(taps + 1) * LANES] += (double)r * r;
        if (GRAD) {
            dacc[taps * LANES] += r;
            for (int i = 0; i < KH; i++)
                for (int j = 0; j < KW; j++)
                    dacc[(i * KW + j) * LANES] += (double)r * rows[i][x + j];
        }
    }
}

/* Output rows [y0, y1), the ring refilled one input row at a time. */
static inline __attribute__((always_inline)) void fused_band(
    const bool FIXED, const int KH, const int KW, const bool GRAD, const bool ONDEMAND,
    double *restrict dacc, const float *restrict in, const float *restrict target,
    const float *restrict tw, const float *restrict w, float bias, const lf_conv_shape *s,
    int y0, int y1, float *restrict work)
{
    const int width = padded_width(s), ow = s->out_width;
    int loaded[LF_CONV_FUSED_MAX_TAPS]; /* which input row each slot holds */
    for (int i = 0; i < KH; i++)
        loaded[i] = INT_MIN;
    for (int y = y0; y < y1; y++) {
        const float *rows[LF_CONV_FUSED_MAX_TAPS];
        for (int i = 0; i < KH; i++) {
            int iy = y + i - s->pad_top, slot = (y + i) % KH;
            float *row = work + (size_t)slot * (size_t)width;
            if (loaded[slot] != iy) {
                fill_row(row, width, in, iy, s);
                loaded[slot] = iy;
            }
            rows[i] = row;
        }
        fused_row(FIXED, KH, KW, GRAD, ONDEMAND, rows, ONDEMAND ? NULL : target + (long)y * ow,
                  tw, w, bias, ow, dacc);
    }
}

/* The sizes fixed at compile time, with and without the gradient and the
 * target made here: each combination is its own unrolled loop. */
#define FUSED_CASES(FIXED, KH, KW)                                                          \
    do {                                                                                    \
        if (grad && tw)                                                                     \
            fused_band(FIXED, KH, KW, true, true, dacc, in, target, tw, w, bias, s, y0, y1, \
                       work);                                                               \
        else if (grad)                                                                      \
            fused_band(FIXED, KH, KW, true, false, dacc, in, target, tw, w, bias, s, y0, y1, \
                       work);                                                               \
        else if (tw)                                                                        \
            fused_band(FIXED, KH, KW, false, true, dacc, in, target, tw, w, bias, s, y0, y1, \
                       work);                                                               \
        else                                                                                \
            fused_band(FIXED, KH, KW, false, false, dacc, in, target, tw, w, bias, s, y0,   \
                       y1, work);                                                           \
    } while (0)

LF_VECTOR_CLONES
static void fused_dispatch(double *restrict dacc, bool grad, const float *restrict in,
                           const float *restrict target, const float *restrict tw,
                           const float *restrict w, float bias, const lf_conv_shape *s, int y0,
                           int y1, float *restrict work)
{
    const int kh = s->k_height, kw = s->k_width;
    if (kh == 3 && kw == 3)
        FUSED_CASES(true, 3, 3);
    else if (kh == 5 && kw == 5)
        FUSED_CASES(true, 5, 5);
    else
        FUSED_CASES(false, kh, kw);
}

double conv2d_fused_rows(double *acc, const float *in, const float *target,
                         const float *target_w, const float *w, float bias,
                         const lf_conv_shape *s, int y0, int y1, float *work, size_t work_floats)
{
    const int taps = s->k_height * s->k_width;
    if (y0 < 0)
        y0 = 0;
    if (y1 > s->out_height)
        y1 = s->out_height;
    if (y0 >= y1)
        return 0;
    /* the rows start on a 64-byte boundary, so the aligned half of each
     * pair of loads never splits a cache line */
    size_t skew = work ? (size_t)(-(uintptr_t)work / sizeof(float)) % LANES : 0;
    if (taps > LF_CONV_FUSED_MAX_TAPS || !work || work_floats < conv2d_fused_work_floats(s))
        return conv2d_fused_rows_reference(acc, in, target, target_w, w, bias, s, y0, y1);
    double dacc[(LF_CONV_FUSED_MAX_TAPS + 2) * LANES];
    memset(dacc, 0, sizeof(double) * (size_t)(taps + 2) * LANES);
    fused_dispatch(dacc, acc != NULL, in, target, target_w, w, bias, s, y0, y1, work + skew);
    double loss = 0;
    for (int l = 0; l < LANES; l++)
        loss += dacc[(taps + 1) * LANES + l];
    if (acc)
        for (int t = 0; t <= taps; t++) {
            double sum = 0;
            for (int l = 0; l < LANES; l++)
                sum += dacc[t * LANES + l];
            acc[t] += sum;
        }
    return loss;
}

#else /* no vector extension: the reference's loops */

double conv2d_fused_rows(double *acc, const float *in, const float *target,
                         const float *target_w, const float *w, float bias,
                         const lf_conv_shape *s, int y0, int y1, float *work, size_t work_floats)
{
    (void)work;
    (void)work_floats;
    if (y0 < 0)
        y0 = 0;
    if (y1 > s->out_height)
        y1 = s->out_height;
    return y0 < y1 ? conv2d_fused_rows_reference(acc, in, target, target_w, w, bias, s, y0, y1)
                   : 0;
}

#endif
