/*
 * layer_fast.c: the convolution layer's fast forward and backward passes,
 * and the loss's residual a trainer computes between them. See
 * include/learnfilter/layer.h for the definitions they follow and
 * layer_internal.h for the workspace.
 *
 * Each pass first copies what it reads into the workspace in the layout its
 * hot loop wants (the input padded with zeros and split into column phases
 * by the stride, the weights with the filters innermost, d loss / d z with
 * rows padded to whole vectors), so the hot loops in layer_kernels.h run
 * without a test at the image's edge. The copies cost a few percent of the
 * arithmetic for kernels of 3x3 and up.
 *
 * The hot loops are built three times, for AVX-512, AVX2 with FMA and the
 * baseline vectors, and the widest one the CPU runs is picked at each call
 * (a check of a flag the C runtime filled at start-up, not a load-time
 * resolver, so ThreadSanitizer builds may use it too).
 */
#include <math.h>
#include <string.h>

#include "layer_internal.h"
#include "learnfilter/layer.h"
#include "simd.h"

/* ============================================= the kernels, per width */

typedef float lf_v16f __attribute__((vector_size(64)));
typedef float lf_v8f __attribute__((vector_size(32)));
typedef float lf_v4f __attribute__((vector_size(16)));

#define KNAME(n) n##_base
#define KV lf_v4f
#define KL 4
#define KNV 2
#define KFB 4
#define KWF 2
#define KWT 4
#define KTARGET
#include "layer_kernels.h"
#undef KNAME
#undef KV
#undef KL
#undef KNV
#undef KFB
#undef KWF
#undef KWT
#undef KTARGET

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define LF_LAYER_X86 1

#define KNAME(n) n##_avx2
#define KV lf_v8f
#define KL 8
#define KNV 2
#define KFB 4
#define KWF 2
#define KWT 4
#define KTARGET __attribute__((target("avx2,fma")))
#include "layer_kernels.h"
#undef KNAME
#undef KV
#undef KL
#undef KNV
#undef KFB
#undef KWF
#undef KWT
#undef KTARGET

#define KNAME(n) n##_avx512
#define KV lf_v16f
#define KL 16
#define KNV 2
#define KFB 8
#define KWF 4
#define KWT 5
#define KTARGET __attribute__((target("avx512f")))
#include "layer_kernels.h"
#undef KNAME
#undef KV
#undef KL
#undef KNV
#undef KFB
#undef KWF
#undef KWT
#undef KTARGET
#endif

typedef struct layer_kernels {
    lf_layer_conv_fn conv;
    lf_layer_wgrad_fn wgrad;
    lf_layer_dgrad_fn dgrad;
} layer_kernels;

static layer_kernels choose_kernels(void)
{
#ifdef LF_LAYER_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return (layer_kernels){conv_avx512, wgrad_avx512, dgrad_avx512};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return (layer_kernels){conv_avx2, wgrad_avx2, dgrad_avx2};
#endif
    return (layer_kernels){conv_base, wgrad_base, dgrad_base};
}

/* ========================================================== packing */

/* padded (C, padded_height, S, phase_width) = in (C, in_height, in_width)
 * with its zeros, split into column phases. */
static void pack_input(float *restrict padded, const float *restrict in, const lf_layer_shape *s)
{
    const int S = s->stride, pw = s->phase_width;
    const size_t row_floats = (size_t)S * pw;
    for (int c = 0; c < s->channels; c++)
        for (int r = 0; r < s->padded_height; r++) {
            float *restrict dst = padded + ((size_t)c * s->padded_height + r) * row_floats;
            const int iy = r - s->pad_top;
            if (iy < 0 || iy >= s->in_height) {
                memset(dst, 0, sizeof(float) * row_floats);
                continue;
            }
            const float *restrict src = in + ((size_t)c * s->in_height + iy) * s->in_width;
            if (S == 1) {
                /* zeros only around the copy (the row is longer than the
                 * padded input row: see phase_width in layer.c) */
                const size_t end = (size_t)s->pad_left + (size_t)s->in_width;
                memset(dst, 0, sizeof(float) * (size_t)s->pad_left);
                memcpy(dst + s->pad_left, src, sizeof(float) * (size_t)s->in_width);
                memset(dst + end, 0, sizeof(float) * (row_floats - end));
                continue;
            }
            memset(dst, 0, sizeof(float) * row_floats);
            /* Input column ix sits at padded column ix + pad_left, which is
             * phase (ix + pad_left) % S, position (ix + pad_left) / S. */
            for (int ix = 0; ix < s->in_width; ix++) {
                int p = ix + s->pad_left;
                if (p / S < pw)
                    dst[(size_t)(p % S) * pw + p / S] = src[ix];
            }
        }
}

/* din (C, in_height, in_width) += the image part of dpadded. */
LF_VECTOR_CLONES
static void unpack_input_grad(float *restrict din, const float *restrict dpadded,
                              const lf_layer_shape *s)
{
    const int S = s->stride, pw = s->phase_width;
    const size_t row_floats = (size_t)S * pw;
    for (int c = 0; c < s->channels; c++)
        for (int iy = 0; iy < s->in_height; iy++) {
            const int r = iy + s->pad_top;
            if (r >= s->padded_height)
                continue; /* 'valid' rows no output reads */
            const float *restrict src = dpadded + ((size_t)c * s->padded_height + r) * row_floats;
            float *restrict dst = din + ((size_t)c * s->in_height + iy) * s->in_width;
            if (S == 1) {
                const int n = s->in_width < pw - s->pad_left ? s->in_width : pw - s->pad_left;
#pragma omp simd
                for (int ix = 0; ix < n; ix++)
                    dst[ix] += src[s->pad_left + ix];
                continue;
            }
            for (int ix = 0; ix < s->in_width; ix++) {
                int p = ix + s->pad_left;
                if (p / S < pw)
                    dst[ix] += src[(size_t)(p % S) * pw + p / S];
            }
        }
}

/* wt (C, kh, kw, F) = w (F, C, kh, kw). */
static void pack_weights(float *restrict wt, const float *restrict w, const lf_layer_shape *s)
{
    const size_t taps = (size_t)s->channels * s->k_height * s->k_width;
    for (int f = 0; f < s->filters; f++)
        for (size_t t = 0; t < taps; t++)
            wt[t * s->filters + f] = w[f * taps + t];
}

/* ========================================================== forward */

/* One row of windows: o[x] = the largest value of window x, whose rows
 * start at a + u cw. Inlined with n a constant, the window's loops unroll
 * and the loop over windows runs in vector lanes. The scan keeps the
 * first value unless a later one is strictly larger, as the reference's. */
static inline __attribute__((always_inline)) void pool_row(float *restrict o,
                                                           const float *restrict a, size_t cw,
                                                           int ow, const int n)
{
#pragma omp simd
    for (int x = 0; x < ow; x++) {
        const float *restrict w = a + (size_t)x * n;
        float m = w[0];
        for (int u = 0; u < n; u++)
            for (int v = 0; v < n; v++) {
                const float e = w[(size_t)u * cw + v];
                m = e > m ? e : m;
            }
        o[x] = m;
    }
}

/* out = pool(act), a row of windows at a time. */
LF_VECTOR_CLONES
static void pool_fast(float *restrict out, const float *restrict act, const lf_layer_shape *s)
{
    const int n = s->pool, cw = s->conv_width, ow = s->out_width;
    if (n == 1) {
        memcpy(out, act, sizeof(float) * s->act_count);
        return;
    }
    for (int f = 0; f < s->filters; f++)
        for (int y = 0; y < s->out_height; y++) {
            float *restrict o = out + ((size_t)f * s->out_height + y) * ow;
            const float *restrict a = act + ((size_t)f * s->conv_height + (size_t)y * n) * cw;
            if (n == 2) {
                pool_row(o, a, (size_t)cw, ow, 2);
                continue;
            }
            if (n == 3) {
                pool_row(o, a, (size_t)cw, ow, 3);
                continue;
            }
            for (int x = 0; x < ow; x++) { /* larger windows: no vector lanes */
                float m = a[(size_t)x * n];
                for (int u = 0; u < n; u++)
                    for (int v = 0; v < n; v++) {
                        const float e = a[(size_t)u * cw + (size_t)x * n + v];
                        m = e > m ? e : m;
                    }
                o[x] = m;
            }
        }
}

static void forward_weights(float *out, float *act, const float *in, const float *w,
                            const float *bias, const lf_layer_shape *s, float *work_floats)
{
    lf_layer_work work = lf_layer_work_split(work_floats, s);
    pack_input(work.padded, in, s);
    pack_weights(work.wt, w, s);
    choose_kernels().conv(act, &work, bias, s);
    if (out != act)
        pool_fast(out, act, s);
}

void lf_layer_forward(float *out, float *act, const float *in, const float *params,
                      const lf_layer_shape *s, float *work)
{
    forward_weights(out, act, in, params, params + s->weight_count, s, work);
}

void lf_layer_targets(float *target, float *act, const float *in, const float *true_weights,
                      const lf_layer_shape *s, float *work)
{
    /* act is scratch here: without pooling the target is the activations,
     * made in place rather than copied. */
    forward_weights(target, s->pool > 1 ? act : target, in, true_weights, NULL, s, work);
}

/* ========================================================= backward */

/* For 2x2 windows over rows a0 and a1, d0 and d1 (the same rows of dz)
 * = each window's gradient g[x] at its first maximum in row-major order,
 * zeros at its three other places. The scan moves only to a strictly
 * larger value, in the reference's order, so ties and NaNs send the
 * gradient where the reference sends it. Written out as selects, one
 * window per vector lane, so compilers vectorise it (the loop with a
 * window index in it they would not); every place of d written once. */
static inline __attribute__((always_inline)) void unpool_row2(float *restrict d0,
                                                              float *restrict d1,
                                                              const float *restrict a0,
                                                              const float *restrict a1,
                                                              const float *restrict g, int ow)
{
#pragma omp simd
    for (int x = 0; x < ow; x++) {
        const float e1 = a0[2 * x + 1], e2 = a1[2 * x], e3 = a1[2 * x + 1], gv = g[x];
        float m = a0[2 * x], r0 = gv, r1, r2, r3;
        const int c1 = e1 > m;
        r0 = c1 ? 0.0f : r0, r1 = c1 ? gv : 0.0f, m = c1 ? e1 : m;
        const int c2 = e2 > m;
        r0 = c2 ? 0.0f : r0, r1 = c2 ? 0.0f : r1, r2 = c2 ? gv : 0.0f, m = c2 ? e2 : m;
        const int c3 = e3 > m;
        r0 = c3 ? 0.0f : r0, r1 = c3 ? 0.0f : r1, r2 = c3 ? 0.0f : r2, r3 = c3 ? gv : 0.0f;
        d0[2 * x] = r0, d0[2 * x + 1] = r1, d1[2 * x] = r2, d1[2 * x + 1] = r3;
    }
}

/* The same for n x n windows of any size, a window at a time, over rows
 * [0, n) of d that hold zeros. */
static void unpool_row(float *restrict d, size_t dzw, const float *restrict a, size_t cw,
                       const float *restrict g, int ow, int n)
{
    for (int x = 0; x < ow; x++) {
        int my = 0, mx = x * n;
        for (int u = 0; u < n; u++)
            for (int v = 0; v < n; v++)
                if (a[(size_t)u * cw + (size_t)x * n + v] > a[(size_t)my * cw + mx])
                    my = u, mx = x * n + v;
        d[(size_t)my * dzw + mx] = g[x];
    }
}

/* The band of dz (F, rows [y0, y1), dz_width) = the gradient through the
 * pooling times the activation's slope, zeros in the padding columns; and
 * dbias (F) += the band's sums of dz, in float along a row and in double
 * across rows. y0 and y1 are multiples of the pooling size, or y1 the last
 * row. */
LF_VECTOR_CLONES
static void make_dz(const lf_layer_work *work, double *restrict dbias, const float *restrict dout,
                    const float *restrict act, const lf_layer_shape *s, int y0, int y1)
{
    const int n = s->pool, ch = s->conv_height, cw = s->conv_width, ow = s->out_width;
    const size_t dzw = work->dz_width, plane = (size_t)work->band * dzw;
    for (int f = 0; f < s->filters; f++) {
        const float *restrict a = act + (size_t)f * ch * cw;
        float *restrict d = work->dz + (size_t)f * plane; /* row y at d + (y - y0) dzw */
        if (n > 1) {
            const int py1 = y1 / n < s->out_height ? y1 / n : s->out_height;
            for (int py = y0 / n; py < py1; py++) {
                float *restrict dr = d + (size_t)(py * n - y0) * dzw;
                const float *restrict ar = a + (size_t)py * n * cw;
                const float *restrict g = dout + ((size_t)f * s->out_height + py) * ow;
                if (n == 2) {
                    unpool_row2(dr, dr + dzw, ar, ar + cw, g, ow);
                    /* the columns no window covers */
                    for (int u = 0; u < n; u++)
                        memset(dr + (size_t)u * dzw + (size_t)ow * n, 0,
                               sizeof(float) * (dzw - (size_t)ow * n));
                } else {
                    memset(dr, 0, sizeof(float) * (size_t)n * dzw);
                    unpool_row(dr, dzw, ar, (size_t)cw, g, ow, n);
                }
            }
            /* the rows no window covers (the last band only) */
            const int covered = py1 * n > y0 ? py1 * n : y0;
            if (covered < y1)
                memset(d + (size_t)(covered - y0) * dzw, 0,
                       sizeof(float) * (size_t)(y1 - covered) * dzw);
        }
        double sum = 0;
        for (int y = y0; y < y1; y++) {
            float *restrict dr = d + (size_t)(y - y0) * dzw;
            const float *restrict ar = a + (size_t)y * cw;
            /* without pooling, the gradient comes straight from dout */
            const float *restrict g = n > 1 ? dr : dout + ((size_t)f * ch + y) * cw;
            float row = 0;
            switch (s->activation) {
            case LF_ACTIVATION_RELU:
#pragma omp simd reduction(+ : row)
                for (int x = 0; x < cw; x++) {
                    /* read g unconditionally so the loop vectorises */
                    const float gv = g[x];
                    dr[x] = ar[x] > 0 ? gv : 0.0f;
                    row += dr[x];
                }
                break;
            case LF_ACTIVATION_SIGMOID:
#pragma omp simd reduction(+ : row)
                for (int x = 0; x < cw; x++) {
                    dr[x] = g[x] * (ar[x] * (1 - ar[x]));
                    row += dr[x];
                }
                break;
            case LF_ACTIVATION_TANH:
#pragma omp simd reduction(+ : row)
                for (int x = 0; x < cw; x++) {
                    dr[x] = g[x] * (1 - ar[x] * ar[x]);
                    row += dr[x];
                }
                break;
            default:
#pragma omp simd reduction(+ : row)
                for (int x = 0; x < cw; x++) {
                    dr[x] = g[x];
                    row += dr[x];
                }
                break;
            }
            for (size_t x = (size_t)cw; x < dzw; x++)
                dr[x] = 0;
            sum += row;
        }
        dbias[f] += sum;
    }
}

void lf_layer_backward(float *grads, float *din, const float *dout, const float *act,
                       const float *in, const float *params, const lf_layer_shape *s,
                       float *work_floats)
{
    lf_layer_work work = lf_layer_work_split(work_floats, s);
    pack_input(work.padded, in, s);
    memset(work.accv, 0, sizeof(float) * s->weight_count * LF_LAYER_LANES);
    if (din)
        memset(work.dpadded, 0,
               sizeof(float) * (size_t)s->channels * s->padded_height * s->stride *
                   (size_t)s->phase_width);
    const layer_kernels k = choose_kernels();
    if (din)
        pack_weights(work.wt, params, s);
    double dbias[LF_LAYER_MAX_FILTERS] = {0};
    for (int y0 = 0; y0 < s->conv_height; y0 += work.band) {
        int y1 = y0 + work.band < s->conv_height ? y0 + work.band : s->conv_height;
        make_dz(&work, dbias, dout, act, s, y0, y1);
        k.wgrad(&work, s, y0, y1);
        if (din)
            k.dgrad(&work, s, y0, y1);
    }
    for (size_t t = 0; t < s->weight_count; t++) {
        const float *a = work.accv + t * LF_LAYER_LANES;
        double sum = 0;
        for (int l = 0; l < LF_LAYER_LANES; l++)
            sum += a[l];
        grads[t] += (float)sum;
    }
    for (int f = 0; f < s->filters; f++)
        grads[s->weight_count + (size_t)f] += (float)dbias[f];
    if (din)
        unpack_input_grad(din, work.dpadded, s);
}

/* ============================================================= loss */

/* A chain of dependent additions in double, one per value, costs about as
 * much as the whole backward pass of a 5x5 layer (half a million values
 * per 256x256 patch and 8 filters); in vector lanes it runs at the speed
 * of reading out and target. */
LF_VECTOR_CLONES
double lf_layer_residual(float *dout, const float *out, const float *target, size_t count,
                         float scale)
{
    double sum = 0;
    if (dout) {
#pragma omp simd reduction(+ : sum)
        for (size_t p = 0; p < count; p++) {
            const float r = out[p] - target[p];
            sum += (double)r * r;
            dout[p] = scale * r;
        }
    } else {
#pragma omp simd reduction(+ : sum)
        for (size_t p = 0; p < count; p++) {
            const float r = out[p] - target[p];
            sum += (double)r * r;
        }
    }
    return sum;
}
