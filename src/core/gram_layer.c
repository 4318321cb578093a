/*
 * gram_layer.c: the Gram matrix of a layer's input windows, for any
 * channels, stride and padding (see gram.h for why a linear layer trains
 * from it). One matrix serves every filter of the layer: each filter's loss
 * is d_f^T G d_f with its own d_f.
 *
 * It is built the plain way, a rank-one update per output position with
 * the window's values (channel by channel, row by row, then a 1 for the
 * bias), summed in double: positions x P^2 / 2 multiply-adds per patch,
 * once per patch for a whole run. lf_gram_compute's lag-by-lag method is
 * faster for one gray channel at stride 1, which the trainer keeps using
 * there; tests/test_gram_layer.c holds the two together on that case.
 */
#include "learnfilter/gram.h"

#include <string.h>

int lf_gram_layer_size(const lf_layer_shape *s)
{
    return s->channels * s->k_height * s->k_width + 1;
}

size_t lf_gram_layer_work_doubles(const lf_layer_shape *s)
{
    int p = lf_gram_layer_size(s);
    return (size_t)p + lf_gram_packed_count(p);
}

lf_status lf_gram_layer_compute(float *packed, size_t packed_count, double *work,
                                size_t work_count, const float *in, const lf_layer_shape *s)
{
    const int p = lf_gram_layer_size(s);
    const size_t n = lf_gram_packed_count(p);
    if (packed_count < n || work_count < lf_gram_layer_work_doubles(s) ||
        p > LF_GRAM_LAYER_MAX_PARAMS) {
        memset(packed, 0, sizeof(float) * packed_count);
        return lf_fail(NULL, LF_ERR_ARGUMENT, "Gram matrix arrays too small");
    }
    double *x = work, *acc = work + p;
    memset(acc, 0, sizeof(double) * n);
    const int kh = s->k_height, kw = s->k_width, h = s->in_height, w = s->in_width;
    for (int y = 0; y < s->conv_height; y++)
        for (int xo = 0; xo < s->conv_width; xo++) {
            /* The window under output (y, xo), zero outside the image. */
            int k = 0;
            for (int c = 0; c < s->channels; c++)
                for (int i = 0; i < kh; i++) {
                    int row = s->stride * y + i - s->pad_top;
                    for (int j = 0; j < kw; j++, k++) {
                        int col = s->stride * xo + j - s->pad_left;
                        x[k] = row >= 0 && row < h && col >= 0 && col < w
                                   ? in[((size_t)c * h + row) * w + col]
                                   : 0.0;
                    }
                }
            x[k] = 1.0;
            double *g = acc;
            for (int r = 0; r < p; r++) {
                const double xr = x[r];
                for (int cc = r; cc < p; cc++)
                    g[cc - r] += xr * x[cc];
                g += p - r;
            }
        }
    /* acc holds the triangle row by row; packed is laid out as gram.h says. */
    const double *row = acc;
    for (int r = 0; r < p; row += p - r, r++)
        for (int c = r; c < p; c++)
            packed[lf_gram_packed_index(p, r, c)] = (float)row[c - r];
    return LF_OK;
}
