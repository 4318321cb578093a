/*
 * gram.c: per-patch Gram matrices and the gradient they give.
 * See include/learnfilter/gram.h for the mathematics.
 */
#include "learnfilter/gram.h"

#include <stdbool.h>
#include <string.h>

#include "simd.h"

/* Input value at (y, x), zero outside the image: the layer's padding. */
static inline double input_at(const float *in, const lf_conv_shape *s, int y, int x)
{
    return y >= 0 && y < s->in_height && x >= 0 && x < s->in_width ? in[y * s->in_width + x] : 0.0;
}

void lf_gram_compute_reference(float *gram, const float *in, const lf_conv_shape *s)
{
    const int taps = s->k_height * s->k_width, p = taps + 1;
    for (int a = 0; a < p; a++)
        for (int b = 0; b < p; b++) {
            double acc = 0;
            for (int y = 0; y < s->out_height; y++)
                for (int x = 0; x < s->out_width; x++) {
                    double va = a == taps ? 1.0
                                          : input_at(in, s, y + a / s->k_width - s->pad_top,
                                                     x + a % s->k_width - s->pad_left);
                    double vb = b == taps ? 1.0
                                          : input_at(in, s, y + b / s->k_width - s->pad_top,
                                                     x + b % s->k_width - s->pad_left);
                    acc += va * vb;
                }
            gram[a * p + b] = (float)acc;
        }
}

/* The dot product of two rows over [x0, x1), in float with vector
 * instructions (a row is at most a few thousand values), returned as double
 * for the sums over rows. */
static inline double row_dot(const float *restrict a, const float *restrict b, int x0, int x1)
{
    float acc = 0;
#pragma omp simd reduction(+ : acc)
    for (int x = x0; x < x1; x++)
        acc += a[x] * b[x];
    return acc;
}

size_t lf_gram_work_bytes(int in_height, int in_width, int k_width)
{
    return sizeof(double) * (size_t)(in_height + 1) * (size_t)(2 * k_width + 1) +
           sizeof(float) * (size_t)in_width;
}

/* Running sums down the image for one lag: T[y] sums q over rows < y and
 * every column; L[y][j] sums q over rows < y in column j, and R[y][j] in
 * column w - 1 - j, for the kw columns at each edge. q(u) = r0(u) r1(u) on
 * the columns [vx0, vx1) where both factors exist, zero elsewhere. */
typedef struct lag_tables {
    double *T, *L, *R;
    int kw;
} lag_tables;

LF_VECTOR_CLONES
static void lag_sums(lag_tables *t, const float *in, const float *ones, int h, int w, int dy,
                     int dx)
{
    const int kw = t->kw;
    const int vx0 = dx < 0 ? -dx : 0, vx1 = dx > 0 ? w - dx : w;
    /* Edge columns where q exists: j in [l_lo, l_hi) on the left (x = j),
     * [r_lo, r_hi) on the right (x = w - 1 - j). */
    const int l_lo = vx0 < kw ? vx0 : kw, l_hi = vx1 < kw ? vx1 : kw;
    int r_lo = w - vx1, r_hi = w - vx0;
    if (r_lo < 0) r_lo = 0;
    if (r_hi > kw) r_hi = kw;
    t->T[0] = 0;
    memset(t->L, 0, sizeof(double) * (size_t)kw);
    memset(t->R, 0, sizeof(double) * (size_t)kw);
    for (int y = 0; y < h; y++) {
        double *l0 = t->L + (size_t)y * kw, *l1 = l0 + kw;
        double *q0 = t->R + (size_t)y * kw, *q1 = q0 + kw;
        const int yy = y + dy;
        if (yy < 0 || yy >= h || vx1 <= vx0) {
            t->T[y + 1] = t->T[y];
            memcpy(l1, l0, sizeof(double) * (size_t)kw);
            memcpy(q1, q0, sizeof(double) * (size_t)kw);
            continue;
        }
        const float *r0 = in + (size_t)y * w;
        /* ones stands in for the partner row when the lag is the bias's. */
        const float *r1 = ones ? ones - dx : in + (size_t)yy * w;
        const float *r1s = r1 + dx;
        t->T[y + 1] = t->T[y] + row_dot(r0, r1s, vx0, vx1);
        memcpy(l1, l0, sizeof(double) * (size_t)kw);
        memcpy(q1, q0, sizeof(double) * (size_t)kw);
        for (int j = l_lo; j < l_hi; j++)
            l1[j] += (double)r0[j] * r1s[j];
        for (int j = r_lo; j < r_hi; j++)
            q1[j] += (double)r0[w - 1 - j] * r1s[w - 1 - j];
    }
}

/* Sum of q over rows [y0, y1) and the columns tap column aj reads, for
 * every aj; out[aj] for the aj with a partner tap (others untouched). */
static void window_sums(const lag_tables *t, const lf_conv_shape *s, int y0, int y1, int dx,
                        double *lcum, double *rcum, double *out)
{
    const int kw = t->kw, w = s->in_width;
    const double total = t->T[y1] - t->T[y0];
    const double *l0 = t->L + (size_t)y0 * kw, *l1 = t->L + (size_t)y1 * kw;
    const double *q0 = t->R + (size_t)y0 * kw, *q1 = t->R + (size_t)y1 * kw;
    lcum[0] = rcum[0] = 0;
    for (int j = 0; j < kw; j++) {
        lcum[j + 1] = lcum[j] + (l1[j] - l0[j]);
        rcum[j + 1] = rcum[j] + (q1[j] - q0[j]);
    }
    for (int aj = 0; aj < kw; aj++) {
        int bj = aj + dx;
        if (bj < 0 || bj >= kw)
            continue;
        /* Tap column aj reads image columns [x0, x0 + out_width), clipped:
         * the window is the whole row less cut_left columns on the left and
         * cut_right on the right, each fewer than a kernel side. */
        int x0 = aj - s->pad_left, x1 = x0 + s->out_width;
        if (y1 <= y0 || x0 >= w || x1 <= 0 || x1 <= x0) {
            out[aj] = 0; /* the tap reads only padding */
            continue;
        }
        int cut_left = x0 > 0 ? x0 : 0, cut_right = x1 < w ? w - x1 : 0;
        /* lcum and rcum hold kw + 1 sums; a cut is at most a kernel side. */
        cut_left = cut_left > kw ? kw : cut_left;
        cut_right = cut_right > kw ? kw : cut_right;
        out[aj] = total - lcum[cut_left] - rcum[cut_right];
    }
}

/* The image rows [*y0, *y1) that tap row ai reads, clipped to the image.
 * A tap far below the patch (a kernel more than twice the patch's height)
 * reads none: both ends then sit at h, inside the tables, never past them. */
static void tap_rows(const lf_conv_shape *s, int ai, int *y0, int *y1)
{
    const int h = s->in_height;
    int a = ai - s->pad_top, b = a + s->out_height;
    a = a < 0 ? 0 : a > h ? h : a;
    b = b < a ? a : b > h ? h : b;
    *y0 = a;
    *y1 = b;
}

/* True when tap (ai, aj) reads only padding at every output pixel. */
static bool tap_sees_only_padding(const lf_conv_shape *s, int ai, int aj)
{
    int y0, y1;
    tap_rows(s, ai, &y0, &y1);
    const int x0 = aj - s->pad_left, x1 = x0 + s->out_width;
    return y1 <= y0 || x0 >= s->in_width || x1 <= 0 || s->out_width <= 0;
}

/* A tap that sees only padding has an all-zero column in X, so its row and
 * column of G are zero. The differences of running sums give that only up
 * to rounding, and Adam turns a gradient of 1e-9 into a full step; writing
 * the zeros makes the gradient of such a tap exactly zero, so it never moves. */
static void zero_padding_taps(float *gram, const lf_conv_shape *s)
{
    const int kw = s->k_width, taps = s->k_height * kw, p = taps + 1;
    for (int a = 0; a < taps; a++) {
        if (!tap_sees_only_padding(s, a / kw, a % kw))
            continue;
        for (int c = 0; c < p; c++)
            gram[c < a ? lf_gram_packed_index(p, c, a) : lf_gram_packed_index(p, a, c)] = 0.0f;
    }
}

/*
 * For one lag delta = (dy, dx) between taps a and b = a + delta, G[a][b] is
 * the sum of q(u) = x(u) x(u + delta) over the rows and columns tap a reads.
 * Those windows are the whole image less strips narrower than the kernel at
 * its edges. So one vectorised pass per lag builds running sums down the
 * image of each row's total and of the kw columns at each edge; every entry
 * then follows from a handful of differences. The bias row is the same with
 * x(u + delta) replaced by 1.
 */
lf_status lf_gram_compute(float *gram, size_t gram_count, void *work, size_t work_bytes,
                          const float *in, const lf_conv_shape *s)
{
    const int kh = s->k_height, kw = s->k_width, taps = kh * kw, p = taps + 1;
    const int h = s->in_height, w = s->in_width, oh = s->out_height;
    /* The row buffers below hold LF_GRAM_MAX_SIDE columns; the tables need
     * lf_gram_work_bytes. A caller that got either wrong gets nothing written
     * past its arrays: what fits of G is zeroed and the call says so. */
    if (!gram || kh < 1 || kw < 1 || kh > LF_GRAM_MAX_SIDE || kw > LF_GRAM_MAX_SIDE ||
        gram_count < lf_gram_packed_count(p) || !work ||
        work_bytes < lf_gram_work_bytes(h, w, kw)) {
        if (gram)
            memset(gram, 0, sizeof(float) * gram_count);
        return LF_ERR_ARGUMENT;
    }
    lag_tables t = {.kw = kw};
    t.T = work;
    t.L = t.T + (h + 1);
    t.R = t.L + (size_t)(h + 1) * kw;
    float *ones = (float *)(t.R + (size_t)(h + 1) * kw);
    for (int x = 0; x < w; x++)
        ones[x] = 1.0f;
    double lcum[LF_GRAM_MAX_SIDE + 1], rcum[LF_GRAM_MAX_SIDE + 1], row[LF_GRAM_MAX_SIDE];

    /* Only lags that lead from a tap to one at or after it in row-major
     * order: the others fill the lower triangle, which is not stored. */
    for (int dy = 0; dy <= kh - 1; dy++)
        for (int dx = dy == 0 ? 0 : -(kw - 1); dx <= kw - 1; dx++) {
            lag_sums(&t, in, NULL, h, w, dy, dx);
            for (int ai = 0; ai < kh; ai++) {
                int bi = ai + dy;
                if (bi < 0 || bi >= kh)
                    continue;
                int y0, y1;
                tap_rows(s, ai, &y0, &y1);
                window_sums(&t, s, y0, y1, dx, lcum, rcum, row);
                for (int aj = 0; aj < kw; aj++) {
                    int bj = aj + dx, a = ai * kw + aj, b = bi * kw + bj;
                    if (bj >= 0 && bj < kw && a <= b)
                        gram[lf_gram_packed_index(p, a, b)] = (float)row[aj];
                }
            }
        }
    lag_sums(&t, in, ones, h, w, 0, 0);
    for (int ai = 0; ai < kh; ai++) {
        int y0, y1;
        tap_rows(s, ai, &y0, &y1);
        window_sums(&t, s, y0, y1, 0, lcum, rcum, row);
        for (int aj = 0; aj < kw; aj++)
            gram[lf_gram_packed_index(p, ai * kw + aj, taps)] = (float)row[aj];
    }
    gram[lf_gram_packed_index(p, taps, taps)] = (float)((double)oh * s->out_width);
    zero_padding_taps(gram, s);
    return LF_OK;
}

double lf_gram_apply_reference(float *grad, const float *packed, const float *d, int p, float scale)
{
    double quad = 0;
    for (int r = 0; r < p; r++) {
        double acc = 0;
        for (int c = 0; c < p; c++) {
            size_t i = r <= c ? lf_gram_packed_index(p, r, c) : lf_gram_packed_index(p, c, r);
            acc += (double)packed[i] * d[c];
        }
        grad[r] += (float)(scale * acc);
        quad += d[r] * acc;
    }
    return quad;
}

/*
 * From this many parameters on (a packed G of 512 KB and more, half of a
 * core's second-level cache), each four-row block first asks for the next
 * block's rows (prefetch_rows). G is read once per step and a batch's
 * matrices seldom stay in the cache, so the product waits on memory; the
 * processor's own prefetchers follow the four rows of a block but start
 * each new block cold. Measured on a 2-vCPU AMD EPYC (Zen 5) guest, one
 * thread, P = 1,025 over 64 distinct matrices (134 MB), in processor time:
 * 12-14 GB/s without, 15-16 GB/s with, against 22-26 GB/s for a plain read
 * of memory; with one matrix in the cache it costs about a tenth, so small
 * matrices (which stay in the cache) go without. The arithmetic is the same.
 */
#define GRAM_PREFETCH_MIN_PARAMS 512

/* Asks for rows [r, r + 4) of the packed triangle (clamped to p), one
 * cache line at a time, to be kept in the second-level cache. */
static inline void prefetch_rows(const float *packed, int p, int r)
{
    if (r >= p)
        return;
    int end = r + 4 < p ? r + 4 : p;
    const char *first = (const char *)(packed + lf_gram_packed_index(p, r, r));
    const char *last = (const char *)(packed + lf_gram_packed_index(p, end - 1, p - 1));
    for (const char *q = first; q <= last; q += 64)
        __builtin_prefetch(q, 0, 2);
}

/* y += the share of rows [r0, r1) of the upper triangle in G d: row r
 * contributes G[r][c] d[c] to y[r] (a dot product) and G[r][c] d[r] to y[c]
 * for c > r (the lower triangle's share, an axpy). Rows go four at a time,
 * so one pass over the columns serves four rows and four independent sums
 * keep the vector unit busy. Built for AVX-512, AVX2 and the baseline,
 * chosen at run time. */
LF_VECTOR_CLONES
void lf_gram_apply_rows(float *restrict y, const float *restrict packed, const float *restrict d,
                        int p, int r0, int r1)
{
    const bool prefetch = p >= GRAM_PREFETCH_MIN_PARAMS;
    int r = r0;
    for (; r + 4 <= r1; r += 4) {
        if (prefetch)
            prefetch_rows(packed, p, r + 4);
        /* base_i[c] is G[r+i][c] for c >= r+i. */
        const float *restrict b0 = packed + lf_gram_packed_index(p, r, r) - r;
        const float *restrict b1 = packed + lf_gram_packed_index(p, r + 1, r + 1) - (r + 1);
        const float *restrict b2 = packed + lf_gram_packed_index(p, r + 2, r + 2) - (r + 2);
        const float *restrict b3 = packed + lf_gram_packed_index(p, r + 3, r + 3) - (r + 3);
        const float d0 = d[r], d1 = d[r + 1], d2 = d[r + 2], d3 = d[r + 3];
        /* The 4x4 block on the diagonal, from its upper half. */
        float a0 = b0[r] * d0 + b0[r + 1] * d1 + b0[r + 2] * d2 + b0[r + 3] * d3;
        float a1 = b0[r + 1] * d0 + b1[r + 1] * d1 + b1[r + 2] * d2 + b1[r + 3] * d3;
        float a2 = b0[r + 2] * d0 + b1[r + 2] * d1 + b2[r + 2] * d2 + b2[r + 3] * d3;
        float a3 = b0[r + 3] * d0 + b1[r + 3] * d1 + b2[r + 3] * d2 + b3[r + 3] * d3;
#pragma omp simd reduction(+ : a0, a1, a2, a3)
        for (int c = r + 4; c < p; c++) {
            const float g0 = b0[c], g1 = b1[c], g2 = b2[c], g3 = b3[c];
            a0 += g0 * d[c];
            a1 += g1 * d[c];
            a2 += g2 * d[c];
            a3 += g3 * d[c];
            y[c] += g0 * d0 + g1 * d1 + g2 * d2 + g3 * d3;
        }
        y[r] += a0;
        y[r + 1] += a1;
        y[r + 2] += a2;
        y[r + 3] += a3;
    }
    for (; r < r1; r++) {
        const float *restrict base = packed + lf_gram_packed_index(p, r, r) - r;
        const float dr = d[r];
        float acc = base[r] * dr;
#pragma omp simd reduction(+ : acc)
        for (int c = r + 1; c < p; c++) {
            acc += base[c] * d[c];
            y[c] += base[c] * dr;
        }
        y[r] += acc;
    }
}

double lf_gram_apply_finish(float *restrict grad, const float *restrict y, const float *restrict d,
                            int p, float scale)
{
    double quad = 0;
    for (int i = 0; i < p; i++) {
        grad[i] += scale * y[i];
        quad += (double)d[i] * y[i];
    }
    return quad;
}

double lf_gram_apply(float *restrict grad, float *restrict y, const float *restrict packed,
                     const float *restrict d, int p, float scale)
{
    memset(y, 0, sizeof(float) * (size_t)p);
    lf_gram_apply_rows(y, packed, d, p, 0, p);
    return lf_gram_apply_finish(grad, y, d, p, scale);
}

int lf_gram_split(int p, int blocks, int *bounds, int capacity)
{
    /* blocks ranges need blocks + 1 boundaries. */
    if (blocks > capacity - 1)
        blocks = capacity - 1;
    if (!bounds || blocks < 1)
        return 0;
    /* Row r of the triangle holds p - r entries; the rows before r hold
     * r p - r (r - 1) / 2. Each boundary is the first multiple of four past
     * its share, so the four-row blocks stay as they are. */
    const double total = lf_gram_packed_count(p);
    bounds[0] = 0;
    int r = 0;
    for (int b = 1; b < blocks; b++) {
        const double share = total * b / blocks;
        while (r < p && (double)r * p - (double)r * (r - 1) / 2 < share)
            r += 4;
        bounds[b] = r < p ? r : p;
    }
    bounds[blocks] = p;
    return blocks;
}
