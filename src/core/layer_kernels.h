/*
 * layer_kernels.h: the layer's three hot loops, written once and built for
 * each vector width. layer_fast.c includes this file once per instruction
 * set after defining:
 *
 *   KV       the vector type (GCC vector extension), KL its lanes
 *   KNV      vectors of output pixels per block in the forward pass
 *   KFB      most filters per block in the forward pass (8, 4, 2 or 1)
 *   KWF      most filters per block in the weight gradient (4, 2 or 1)
 *   KWT      most taps per block in the weight gradient (1 to 5)
 *   KNAME(n) the name of this set's version of n
 *   KTARGET  the function attribute that selects the instruction set
 *
 * Why the blocking: an FMA unit is fed only when most operands come from
 * registers. The forward pass keeps KFB x KNV vectors of outputs (filters x
 * pixels) in registers while it runs over every channel and tap, so each
 * input vector it loads serves KFB filters and each weight it broadcasts
 * serves KNV vectors. The weight gradient keeps KWF x KWT sums (filters x
 * taps of one kernel row) in registers while it runs over the pixels of a
 * few rows, so each loaded vector of dz serves KWT taps and each loaded
 * input vector serves KWF filters. The register count bounds the blocks:
 * 32 vector registers with AVX-512, 16 with AVX2 and SSE.
 *
 * The input gradient keeps up to KFB filters' weights for one tap in
 * registers while a row of dz goes by, adding into the padded input row.
 *
 * The loops over filters, taps and vectors inside a block have constant
 * bounds once the block function is inlined with a constant size, so the
 * compiler unrolls them and keeps the arrays of sums in registers.
 */

#define KINLINE static inline __attribute__((always_inline)) KTARGET

static inline __attribute__((always_inline)) KTARGET KV KNAME(load)(const float *p)
{
    KV v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) KTARGET void KNAME(store)(float *p, KV v)
{
    memcpy(p, &v, sizeof v);
}

/* *p in every lane. Subtracting +0 changes no value (-0 - 0 is -0), so
 * compilers drop it and broadcast *p straight from memory, into the FMA
 * itself on AVX-512; `zero + *p` (today's bias splat) is an addition they
 * must keep, since 0 + -0 is +0, and then a broadcast from a register on
 * the ports the FMAs use. */
static inline __attribute__((always_inline)) KTARGET KV KNAME(splat)(const float *p)
{
    const KV zero = {0};
    return *p - zero;
}

/* max(v, 0) lane by lane, as ReLU's z > 0 ? z : 0 (NaN and -0 give +0): the
 * comparison's mask kept by a bitwise and. */
typedef int KNAME(vi) __attribute__((vector_size(sizeof(KV))));
static inline __attribute__((always_inline)) KTARGET KV KNAME(relu)(KV v)
{
    const KV zero = {0};
    return (KV)((KNAME(vi))v & (KNAME(vi))(v > zero));
}

/* ============================================================ forward */

/* z for filters [f0, f0 + fb) at output row y, columns [x0, x0 + KNV*KL)
 * (clipped to the row). */
KINLINE void KNAME(conv_block)(float *restrict act, const lf_layer_work *work,
                               const float *restrict bias, const lf_layer_shape *s, int f0,
                               const int fb, int y, int x0, const size_t *restrict tap_offset)
{
    const int S = s->stride, kh = s->k_height, kw = s->k_width, F = s->filters;
    const size_t pw = (size_t)s->phase_width, ph = (size_t)s->padded_height;
    KV acc[KFB][KNV];
    const KV zero = {0};
#pragma GCC unroll 8
    for (int f = 0; f < fb; f++) {
        const KV b = zero + (bias ? bias[f0 + f] : 0.0f);
#pragma GCC unroll 8
        for (int v = 0; v < KNV; v++)
            acc[f][v] = b;
    }
    for (int c = 0; c < s->channels; c++)
        for (int i = 0; i < kh; i++) {
            const float *restrict row =
                work->padded + ((size_t)c * ph + (size_t)y * S + i) * S * pw + x0;
            const float *restrict wrow = work->wt + ((size_t)c * kh + i) * kw * F + f0;
            for (int j = 0; j < kw; j++) {
                const float *restrict src = row + tap_offset[j];
                const float *restrict wv = wrow + (size_t)j * F;
                KV in[KNV];
#pragma GCC unroll 8
                for (int v = 0; v < KNV; v++)
                    in[v] = KNAME(load)(src + v * KL);
#pragma GCC unroll 8
                for (int f = 0; f < fb; f++) {
                    const KV w = KNAME(splat)(wv + f);
#pragma GCC unroll 8
                    for (int v = 0; v < KNV; v++)
                        acc[f][v] += w * in[v];
                }
            }
        }
    const int cw = s->conv_width, n = cw - x0 < KNV * KL ? cw - x0 : KNV * KL;
    const size_t plane = (size_t)s->conv_height * cw;
    float *restrict dst = act + (size_t)f0 * plane + (size_t)y * cw + x0;
    /* ReLU in registers, before the store: a pass over the stored block
     * would load and store every value again. */
    if (s->activation == LF_ACTIVATION_RELU)
#pragma GCC unroll 8
        for (int f = 0; f < fb; f++)
#pragma GCC unroll 8
            for (int v = 0; v < KNV; v++)
                acc[f][v] = KNAME(relu)(acc[f][v]);
    if (n == KNV * KL) {
#pragma GCC unroll 8
        for (int f = 0; f < fb; f++)
#pragma GCC unroll 8
            for (int v = 0; v < KNV; v++)
                KNAME(store)(dst + f * plane + v * KL, acc[f][v]);
    } else {
        float tmp[KNV * KL];
#pragma GCC unroll 8
        for (int f = 0; f < fb; f++) {
#pragma GCC unroll 8
            for (int v = 0; v < KNV; v++)
                KNAME(store)(tmp + v * KL, acc[f][v]);
            memcpy(dst + f * plane, tmp, sizeof(float) * (size_t)n);
        }
    }
    /* The other activations while the block is still in the first-level
     * cache. */
    if (s->activation != LF_ACTIVATION_NONE && s->activation != LF_ACTIVATION_RELU) {
        for (int f = 0; f < fb; f++)
            for (int x = 0; x < n; x++)
                dst[f * plane + x] = lf_layer_activate(s->activation, dst[f * plane + x]);
    }
}

KTARGET __attribute__((noinline)) static void KNAME(conv)(float *restrict act,
                                                          const lf_layer_work *work,
                                                          const float *restrict bias,
                                                          const lf_layer_shape *s)
{
    const int F = s->filters;
    /* Where tap column j starts in a padded row: phase j % S, j / S along;
     * a table, so the hot loop has no division. */
    size_t tap_offset[LF_LAYER_MAX_KERNEL];
    for (int j = 0; j < s->k_width; j++)
        tap_offset[j] = (size_t)(j % s->stride) * s->phase_width + (size_t)(j / s->stride);
    for (int y = 0; y < s->conv_height; y++)
        for (int x0 = 0; x0 < s->conv_width; x0 += KNV * KL)
            for (int f0 = 0; f0 < F;) {
                int left = F - f0;
#if KFB >= 8
                if (left >= 8) {
                    KNAME(conv_block)(act, work, bias, s, f0, 8, y, x0, tap_offset);
                    f0 += 8;
                    continue;
                }
#endif
#if KFB >= 4
                if (left >= 4) {
                    KNAME(conv_block)(act, work, bias, s, f0, 4, y, x0, tap_offset);
                    f0 += 4;
                    continue;
                }
#endif
                if (left >= 2) {
                    KNAME(conv_block)(act, work, bias, s, f0, 2, y, x0, tap_offset);
                    f0 += 2;
                    continue;
                }
                KNAME(conv_block)(act, work, bias, s, f0, 1, y, x0, tap_offset);
                f0 += 1;
            }
}

/* ==================================================== weight gradient */

/* Sums over output rows [y0, y1) for filters [f0, f0 + fb), channel c,
 * kernel row i and taps [j0, j0 + tj) of that row, added to accv. */
KINLINE void KNAME(wgrad_block)(const lf_layer_work *work, const lf_layer_shape *s, int c, int i,
                                int f0, const int fb, int j0, const int tj, int y0, int y1)
{
    const int S = s->stride, kh = s->k_height, kw = s->k_width, C = s->channels;
    const size_t pw = (size_t)s->phase_width, ph = (size_t)s->padded_height;
    const size_t dzw = work->dz_width, plane = (size_t)work->band * dzw;
    KV acc[KWF][KWT];
    const KV zero = {0};
#pragma GCC unroll 8
    for (int f = 0; f < fb; f++)
#pragma GCC unroll 8
        for (int t = 0; t < tj; t++)
            acc[f][t] = zero;
    const float *restrict src[KWT];
    for (int y = y0; y < y1; y++) {
        const float *restrict row = work->padded + ((size_t)c * ph + (size_t)y * S + i) * S * pw;
#pragma GCC unroll 8
        for (int t = 0; t < tj; t++)
            src[t] = row + (size_t)((j0 + t) % S) * pw + (j0 + t) / S;
        const float *restrict g = work->dz + (size_t)f0 * plane + (size_t)(y - y0) * dzw;
        for (size_t x = 0; x < dzw; x += KL) {
            KV d[KWF];
#pragma GCC unroll 8
            for (int f = 0; f < fb; f++)
                d[f] = KNAME(load)(g + f * plane + x);
#pragma GCC unroll 8
            for (int t = 0; t < tj; t++) {
                const KV in = KNAME(load)(src[t] + x);
#pragma GCC unroll 8
                for (int f = 0; f < fb; f++)
                    acc[f][t] += d[f] * in;
            }
        }
    }
#pragma GCC unroll 8
    for (int f = 0; f < fb; f++)
#pragma GCC unroll 8
        for (int t = 0; t < tj; t++) {
            float *a = work->accv +
                       ((((size_t)(f0 + f) * C + c) * kh + i) * kw + j0 + t) * LF_LAYER_LANES;
            KNAME(store)(a, KNAME(load)(a) + acc[f][t]);
        }
}

/* All taps of kernel row i for filters [f0, f0 + fb). */
KINLINE void KNAME(wgrad_row)(const lf_layer_work *work, const lf_layer_shape *s, int c, int i,
                              int f0, const int fb, int y0, int y1)
{
    /* The row's taps in as few blocks as KWT allows, of sizes as even as
     * possible: 7 taps as 4 + 3 rather than 5 + 2, whose 2 would leave the
     * FMA units waiting on loads. */
    const int kw = s->k_width, blocks = (kw + KWT - 1) / KWT;
    for (int b = 0, j0 = 0; b < blocks; b++) {
        int size = (kw - j0) / (blocks - b) + ((kw - j0) % (blocks - b) ? 1 : 0);
        switch (size) {
#if KWT >= 5
        case 5: KNAME(wgrad_block)(work, s, c, i, f0, fb, j0, 5, y0, y1); j0 += 5; break;
#endif
#if KWT >= 4
        case 4: KNAME(wgrad_block)(work, s, c, i, f0, fb, j0, 4, y0, y1); j0 += 4; break;
#endif
        case 3: KNAME(wgrad_block)(work, s, c, i, f0, fb, j0, 3, y0, y1); j0 += 3; break;
        case 2: KNAME(wgrad_block)(work, s, c, i, f0, fb, j0, 2, y0, y1); j0 += 2; break;
        default: KNAME(wgrad_block)(work, s, c, i, f0, fb, j0, 1, y0, y1); j0 += 1; break;
        }
    }
}

/* The sums over output rows [y0, y1), whose dz the band in the workspace
 * holds (layer_internal.h); every channel, kernel row and filter block
 * passes over the band while it is in cache. */
KTARGET __attribute__((noinline)) static void KNAME(wgrad)(const lf_layer_work *work,
                                                           const lf_layer_shape *s, int y0,
                                                           int y1)
{
    const int F = s->filters;
    for (int c = 0; c < s->channels; c++)
        for (int i = 0; i < s->k_height; i++)
            for (int f0 = 0; f0 < F;) {
                int left = F - f0;
#if KWF >= 4
                if (left >= 4) {
                    KNAME(wgrad_row)(work, s, c, i, f0, 4, y0, y1);
                    f0 += 4;
                    continue;
                }
#endif
                if (left >= 2) {
                    KNAME(wgrad_row)(work, s, c, i, f0, 2, y0, y1);
                    f0 += 2;
                    continue;
                }
                KNAME(wgrad_row)(work, s, c, i, f0, 1, y0, y1);
                f0 += 1;
            }
}

/* ===================================================== input gradient */

/* dpadded += w * dz for output row y and filters [f0, f0 + fb): for each
 * channel and tap, the fb weights stay in registers while the whole row
 * goes by. The row is the inner loop, not the taps, because two taps of a
 * row write overlapping runs of dpadded: a vector stored for one tap and
 * loaded back, shifted, for the next would wait for the store each time. */
KINLINE void KNAME(dgrad_block)(const lf_layer_work *work, const lf_layer_shape *s, int y,
                                int y0, int f0, const int fb, const size_t *restrict tap_offset)
{
    const int S = s->stride, kh = s->k_height, kw = s->k_width, F = s->filters;
    const size_t pw = (size_t)s->phase_width, ph = (size_t)s->padded_height;
    const size_t dzw = work->dz_width, plane = (size_t)work->band * dzw;
    const float *restrict g = work->dz + (size_t)f0 * plane + (size_t)(y - y0) * dzw;
    const KV zero = {0};
    for (int c = 0; c < s->channels; c++)
        for (int i = 0; i < kh; i++) {
            float *restrict row = work->dpadded + ((size_t)c * ph + (size_t)y * S + i) * S * pw;
            const float *restrict wrow = work->wt + ((size_t)c * kh + i) * kw * F + f0;
            for (int j = 0; j < kw; j++) {
                float *restrict dst = row + tap_offset[j];
                KV w[KFB];
#pragma GCC unroll 8
                for (int f = 0; f < fb; f++)
                    w[f] = zero + wrow[(size_t)j * F + f];
                for (size_t x = 0; x < dzw; x += KL) {
                    KV acc = KNAME(load)(dst + x);
#pragma GCC unroll 8
                    for (int f = 0; f < fb; f++)
                        acc += w[f] * KNAME(load)(g + f * plane + x);
                    KNAME(store)(dst + x, acc);
                }
            }
        }
}

/* dpadded += the input gradient from the band of dz, rows [y0, y1). The
 * dz rows' zero padding lands in dpadded's padding, which nothing reads. */
KTARGET __attribute__((noinline)) static void KNAME(dgrad)(const lf_layer_work *work,
                                                           const lf_layer_shape *s, int y0,
                                                           int y1)
{
    const int F = s->filters;
    size_t tap_offset[LF_LAYER_MAX_KERNEL];
    for (int j = 0; j < s->k_width; j++)
        tap_offset[j] = (size_t)(j % s->stride) * s->phase_width + (size_t)(j / s->stride);
    for (int y = y0; y < y1; y++)
        for (int f0 = 0; f0 < F;) {
            int left = F - f0;
#if KFB >= 8
            if (left >= 8) {
                KNAME(dgrad_block)(work, s, y, y0, f0, 8, tap_offset);
                f0 += 8;
                continue;
            }
#endif
#if KFB >= 4
            if (left >= 4) {
                KNAME(dgrad_block)(work, s, y, y0, f0, 4, tap_offset);
                f0 += 4;
                continue;
            }
#endif
            if (left >= 2) {
                KNAME(dgrad_block)(work, s, y, y0, f0, 2, tap_offset);
                f0 += 2;
                continue;
            }
            KNAME(dgrad_block)(work, s, y, y0, f0, 1, tap_offset);
            f0 += 1;
        }
}

#undef KINLINE
