/*
 * gram.c: per-patch Gram matrices, built lag by lag. See
 * include/learnfilter/gram.h for the mathematics and the packed layout;
 * gram_apply.c has the product G d a step spends its time in.
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
