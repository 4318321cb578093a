/*
 * conv.c: the convolution layer's forward pass and weight gradient.
 * See include/learnfilter/conv.h for the definitions both versions follow.
 *
 * The fast versions loop over kernel taps outside and image columns inside,
 * so the innermost loop walks two contiguous rows and the compiler turns it
 * into vector instructions. Rows and columns where the tap would read the
 * zero padding are skipped by computing each tap's valid column range once,
 * instead of testing every pixel.
 */
#include "learnfilter/conv.h"

#include <string.h>

#include "simd.h"

lf_conv_shape lf_conv_shape_make(int in_height, int in_width, int k_height, int k_width,
                                 lf_padding padding)
{
    lf_conv_shape s = {in_height, in_width, k_height, k_width, padding, 0, 0, 0, 0};
    if (padding == LF_PADDING_SAME) {
        s.out_height = in_height;
        s.out_width = in_width;
        s.pad_top = (k_height - 1) / 2;
        s.pad_left = (k_width - 1) / 2;
    } else {
        s.out_height = in_height >= k_height ? in_height - k_height + 1 : 0;
        s.out_width = in_width >= k_width ? in_width - k_width + 1 : 0;
    }
    return s;
}

/* ============================================================ reference */

void conv2d_forward_reference(float *out, const float *in, const float *w, float bias,
                              const lf_conv_shape *s)
{
    for (int y = 0; y < s->out_height; y++)
        for (int x = 0; x < s->out_width; x++) {
            double acc = bias;
            for (int i = 0; i < s->k_height; i++)
                for (int j = 0; j < s->k_width; j++) {
                    int iy = y + i - s->pad_top, ix = x + j - s->pad_left;
                    if (iy >= 0 && iy < s->in_height && ix >= 0 && ix < s->in_width)
                        acc += (double)w[i * s->k_width + j] * in[iy * s->in_width + ix];
                }
            out[y * s->out_width + x] = (float)acc;
        }
}

void conv2d_backward_weights_reference(float *dw, float *dbias, const float *dout, const float *in,
                                       const lf_conv_shape *s)
{
    for (int i = 0; i < s->k_height; i++)
        for (int j = 0; j < s->k_width; j++) {
            double acc = 0;
            for (int y = 0; y < s->out_height; y++)
                for (int x = 0; x < s->out_width; x++) {
                    int iy = y + i - s->pad_top, ix = x + j - s->pad_left;
                    if (iy >= 0 && iy < s->in_height && ix >= 0 && ix < s->in_width)
                        acc += (double)dout[y * s->out_width + x] * in[iy * s->in_width + ix];
                }
            dw[i * s->k_width + j] += (float)acc;
        }
    double acc = 0;
    for (int p = 0; p < s->out_height * s->out_width; p++)
        acc += dout[p];
    *dbias += (float)acc;
}

/* ================================================================= fast */

/* The output columns [*first, *last) for which tap column j reads inside the
 * input row. */
static inline void tap_columns(const lf_conv_shape *s, int j, int *first, int *last)
{
    int dx = j - s->pad_left;
    int lo = dx < 0 ? -dx : 0;
    int hi = s->in_width - dx;
    if (hi > s->out_width)
        hi = s->out_width;
    *first = lo;
    *last = hi > lo ? hi : lo;
}

void conv2d_forward(float *restrict out, const float *restrict in, const float *restrict w,
                    float bias, const lf_conv_shape *s)
{
    conv2d_forward_rows(out, in, w, bias, s, 0, s->out_height);
}

LF_VECTOR_CLONES
void conv2d_forward_rows(float *restrict out, const float *restrict in, const float *restrict w,
                         float bias, const lf_conv_shape *s, int y0, int y1)
{
    const int ow = s->out_width, iw = s->in_width;
    for (int y = y0; y < y1; y++) {
        float *restrict orow = out + (long)y * ow;
        for (int x = 0; x < ow; x++)
            orow[x] = bias;
        for (int i = 0; i < s->k_height; i++) {
            int iy = y + i - s->pad_top;
            if (iy < 0 || iy >= s->in_height)
                continue;
            const float *restrict irow = in + (long)iy * iw;
            for (int j = 0; j < s->k_width; j++) {
                const float wv = w[i * s->k_width + j];
                const int dx = j - s->pad_left;
                int x0, x1;
                tap_columns(s, j, &x0, &x1);
                const float *restrict src = irow + dx;
#pragma omp simd
                for (int x = x0; x < x1; x++)
                    orow[x] += wv * src[x];
            }
        }
    }
}

void conv2d_backward_weights(float *restrict dw, float *restrict dbias,
                             const float *restrict dout, const float *restrict in,
                             const lf_conv_shape *s)
{
    enum { MAX_TAPS = 64 * 64 };
    double acc[MAX_TAPS + 1];
    const int taps = s->k_height * s->k_width;
    memset(acc, 0, sizeof(double) * (size_t)(taps + 1));
    conv2d_backward_weights_rows(acc, dout, in, s, 0, s->out_height);
    for (int t = 0; t < taps; t++)
        dw[t] += (float)acc[t];
    *dbias += (float)acc[taps];
}

LF_VECTOR_CLONES
void conv2d_backward_weights_rows(double *restrict acc, const float *restrict dout,
                                  const float *restrict in, const lf_conv_shape *s, int y0,
                                  int y1)
{
    /* Sums over one output row are short enough for float; the sum over
     * rows is kept in double. */
    const int kh = s->k_height, kw = s->k_width, ow = s->out_width, iw = s->in_width;
    double bias_acc = 0;
    for (int y = y0; y < y1; y++) {
        const float *restrict grow = dout + (long)y * ow;
        float row_sum = 0;
#pragma omp simd reduction(+ : row_sum)
        for (int x = 0; x < ow; x++)
            row_sum += grow[x];
        bias_acc += row_sum;
        for (int i = 0; i < kh; i++) {
            int iy = y + i - s->pad_top;
            if (iy < 0 || iy >= s->in_height)
                continue;
            const float *restrict irow = in + (long)iy * iw;
            for (int j = 0; j < kw; j++) {
                const int dx = j - s->pad_left;
                int x0, x1;
                tap_columns(s, j, &x0, &x1);
                const float *restrict src = irow + dx;
                float dot = 0;
#pragma omp simd reduction(+ : dot)
                for (int x = x0; x < x1; x++)
                    dot += grow[x] * src[x];
                acc[i * kw + j] += dot;
            }
        }
    }
    acc[kh * kw] += bias_acc;
}
