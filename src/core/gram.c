/*
 * gram.c: per-patch Gram matrices and the gradient they give.
 * See include/learnfilter/gram.h for the mathematics.
 */
#include "learnfilter/gram.h"

#include <string.h>

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

/* Sum of the table's source over rows [y0, y1) and columns [x0, x1),
 * clipped to the image; table is the (h+1) x (w+1) prefix sum. */
static double rect_sum(const double *table, int h, int w, int y0, int y1, int x0, int x1)
{
    if (y0 < 0) y0 = 0;
    if (x0 < 0) x0 = 0;
    if (y1 > h) y1 = h;
    if (x1 > w) x1 = w;
    if (y0 >= y1 || x0 >= x1)
        return 0.0;
    const int stride = w + 1;
    return table[y1 * stride + x1] - table[y0 * stride + x1] - table[y1 * stride + x0] +
           table[y0 * stride + x0];
}

/* Builds the prefix table of q(u) = x(u) * x(u + (dy, dx)), zero where
 * u + delta leaves the image. */
static void prefix_products(double *table, const float *in, int h, int w, int dy, int dx)
{
    const int stride = w + 1;
    memset(table, 0, sizeof(double) * (size_t)stride);
    for (int y = 0; y < h; y++) {
        double *row = table + (size_t)(y + 1) * stride;
        const double *above = row - stride;
        row[0] = 0;
        double run = 0;
        const int yy = y + dy;
        if (yy < 0 || yy >= h) {
            for (int x = 0; x < w; x++)
                row[x + 1] = above[x + 1];
            continue;
        }
        const float *r0 = in + (size_t)y * w, *r1 = in + (size_t)yy * w;
        for (int x = 0; x < w; x++) {
            const int xx = x + dx;
            if (xx >= 0 && xx < w)
                run += (double)r0[x] * r1[xx];
            row[x + 1] = above[x + 1] + run;
        }
    }
}

void lf_gram_compute(float *gram, double *table, const float *in, const lf_conv_shape *s)
{
    const int kh = s->k_height, kw = s->k_width, taps = kh * kw, p = taps + 1;
    const int h = s->in_height, w = s->in_width;
    /* Tap a = (ai, aj) reads input rows [ai - pad_top, ai - pad_top + out_h)
     * and the matching columns; G[a][b] sums x(u) x(u + b - a) over them. */
    for (int dy = -(kh - 1); dy <= kh - 1; dy++)
        for (int dx = -(kw - 1); dx <= kw - 1; dx++) {
            prefix_products(table, in, h, w, dy, dx);
            for (int ai = 0; ai < kh; ai++) {
                int bi = ai + dy;
                if (bi < 0 || bi >= kh)
                    continue;
                for (int aj = 0; aj < kw; aj++) {
                    int bj = aj + dx;
                    if (bj < 0 || bj >= kw)
                        continue;
                    int y0 = ai - s->pad_top, x0 = aj - s->pad_left;
                    double v = rect_sum(table, h, w, y0, y0 + s->out_height, x0,
                                        x0 + s->out_width);
                    gram[(ai * kw + aj) * p + bi * kw + bj] = (float)v;
                }
            }
        }
    /* The bias column: plain sums of the input under each tap. */
    {
        const int stride = w + 1;
        memset(table, 0, sizeof(double) * (size_t)stride);
        for (int y = 0; y < h; y++) {
            double run = 0;
            for (int x = 0; x < w; x++) {
                run += in[(size_t)y * w + x];
                table[(size_t)(y + 1) * stride + x + 1] = table[(size_t)y * stride + x + 1] + run;
            }
        }
    }
    for (int a = 0; a < taps; a++) {
        int y0 = a / kw - s->pad_top, x0 = a % kw - s->pad_left;
        float v = (float)rect_sum(table, h, w, y0, y0 + s->out_height, x0, x0 + s->out_width);
        gram[a * p + taps] = v;
        gram[taps * p + a] = v;
    }
    gram[taps * p + taps] = (float)((double)s->out_height * s->out_width);
}

double lf_gram_apply_reference(float *grad, const float *gram, const float *d, int p, float scale)
{
    double quad = 0;
    for (int r = 0; r < p; r++) {
        double acc = 0;
        for (int c = 0; c < p; c++)
            acc += (double)gram[r * p + c] * d[c];
        grad[r] += (float)(scale * acc);
        quad += d[r] * acc;
    }
    return quad;
}

double lf_gram_apply(float *restrict grad, const float *restrict gram, const float *restrict d,
                     int p, float scale)
{
    double quad = 0;
    for (int r = 0; r < p; r++) {
        const float *restrict row = gram + (size_t)r * p;
        float acc = 0;
#pragma omp simd reduction(+ : acc)
        for (int c = 0; c < p; c++)
            acc += row[c] * d[c];
        grad[r] += scale * acc;
        quad += (double)d[r] * acc;
    }
    return quad;
}
