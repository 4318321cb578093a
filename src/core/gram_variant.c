/*
 * gram_variant.c: one Gram matrix for a patch and its mirrors and turns.
 * See include/learnfilter/gram_variant.h for the mathematics.
 */
#include "learnfilter/gram_variant.h"

#include <math.h>
#include <string.h>

#include "learnfilter/dataset.h"
#include "learnfilter/gram.h"
#include "simd.h"

/* Zeros the layer adds after the image less those before it, on an axis of
 * `in` pixels, `k` taps and `out` outputs with `before` zeros in front: how
 * far a mirrored window grid moves (gram_variant.h). */
static int axis_shift(int in, int k, int out, int before)
{
    return (out - in + k - 1 - before) - before;
}

static int shift_y(const lf_conv_shape *s)
{
    return axis_shift(s->in_height, s->k_height, s->out_height, s->pad_top);
}

static int shift_x(const lf_conv_shape *s)
{
    return axis_shift(s->in_width, s->k_width, s->out_width, s->pad_left);
}

bool lf_gram_variant_shareable(const lf_conv_shape *s, int variants)
{
    const int ey = shift_y(s), ex = shift_x(s);
    /* The layer pads at most one more zero after than before (conv.c), and
     * the core must keep a window. */
    if (s->in_height != s->in_width || ey < 0 || ey > 1 || ex < 0 || ex > 1 ||
        s->out_height <= ey || s->out_width <= ex)
        return false;
    if (variants > 4)
        return s->k_height == s->k_width && s->pad_top == s->pad_left &&
               s->out_height == s->out_width;
    return true;
}

lf_conv_shape lf_gram_variant_core_shape(const lf_conv_shape *s)
{
    lf_conv_shape core = *s;
    core.out_height -= shift_y(s);
    core.out_width -= shift_x(s);
    return core;
}

bool lf_gram_variant_taps(int *map, int capacity, int v, int kh, int kw)
{
    const int taps = kh * kw;
    if (!map || capacity < taps + 1 || ((v & 4) && kh != kw))
        return false;
    /* The pixels' rule (lf_dataset_variant_index) on the kernel: a window
     * of the variant reads with tap (a, b) what variant 0's mirrored or
     * turned window reads with tap map[(a, b)]. */
    for (int a = 0; a < kh; a++)
        for (int b = 0; b < kw; b++) {
            const int x = v & 1 ? kw - 1 - b : b, y = v & 2 ? kh - 1 - a : a;
            map[a * kw + b] = v & 4 ? x * kw + y : y * kw + x;
        }
    map[taps] = taps;
    return true;
}

void lf_gram_variant_unturn(float *restrict base, const float *restrict patch, int side, int v)
{
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
            base[lf_dataset_variant_index(v, x, y, side)] = patch[(size_t)y * side + x];
}

void lf_gram_variant_gather(float *restrict dt, const float *restrict d, const int *map, int p)
{
    for (int i = 0; i < p; i++)
        dt[map[i]] = d[i];
}

void lf_gram_variant_scatter(float *restrict y, const float *restrict yt, const int *map, int p)
{
    for (int i = 0; i < p; i++)
        y[i] = yt[map[i]];
}

/* ============================================================ reference */

static double pixel_at(const float *in, const lf_conv_shape *s, int y, int x)
{
    return y >= 0 && y < s->in_height && x >= 0 && x < s->in_width
               ? in[(size_t)y * s->in_width + x]
               : 0.0;
}

/* y += x x^T d for the window at output (oy, ox). */
static void window_reference(float *y, const float *in, const lf_conv_shape *s, const float *d,
                             int oy, int ox)
{
    const int kh = s->k_height, kw = s->k_width, taps = kh * kw;
    double dot = d[taps];
    for (int a = 0; a < kh; a++)
        for (int b = 0; b < kw; b++)
            dot += d[a * kw + b] * pixel_at(in, s, oy + a - s->pad_top, ox + b - s->pad_left);
    for (int a = 0; a < kh; a++)
        for (int b = 0; b < kw; b++)
            y[a * kw + b] +=
                (float)(dot * pixel_at(in, s, oy + a - s->pad_top, ox + b - s->pad_left));
    y[taps] += (float)dot;
}

void lf_gram_variant_edges_reference(float *y, const float *patch, const lf_conv_shape *s,
                                     const float *d)
{
    const int ey = shift_y(s), ex = shift_x(s);
    for (int oy = 0; oy < s->out_height; oy++)
        for (int ox = 0; ox < s->out_width; ox++)
            if (oy >= s->out_height - ey || ox >= s->out_width - ex)
                window_reference(y, patch, s, d, oy, ox);
}

/* ============================================================ fast */

/*
 * A strip of `count` windows in a line: lines[q * stride + w + r] is what
 * tap (q, r) of window w reads (q across the strip, r along it), zero
 * where the window is off the image, so every product is a plain sum over
 * w. The tap's parameter is d[q * q_step + r * r_step]. y = X d is a
 * correlation of each line with its row of the kernel, and X^T y its
 * transpose: each vectorised along the strip.
 */
typedef struct strip {
    const float *lines;
    int stride, count;
    int q_count, r_count, q_step, r_step;
} strip;

/* Windows whose sums X d stay in registers while every tap passes: two
 * AVX-512 vectors, four AVX2 ones. */
#define STRIP_BLOCK 32

LF_VECTOR_CLONES
static void strip_apply(float *restrict y, float *restrict xd, const strip *st,
                        const float *restrict d, int bias)
{
    const int n = st->count, rc = st->r_count;
    /* X d a block of windows at a time: its sums stay in registers across
     * all the taps, so a multiply-add loads one value, where a pass per tap
     * over the whole strip would load and store the sum as well. Even and
     * odd taps go to two sets of sums, so each multiply-add waits on the
     * one before the last rather than the last. The last block reads past
     * the strip into the lines' zeroed tail (line_floats); those windows'
     * sums are dropped. */
    for (int w0 = 0; w0 < n; w0 += STRIP_BLOCK) {
        float even[STRIP_BLOCK] = {0}, odd[STRIP_BLOCK] = {0};
        for (int q = 0; q < st->q_count; q++) {
            const float *restrict line = st->lines + (size_t)q * st->stride + w0;
            const float *restrict dq = d + q * st->q_step;
            int r = 0;
            for (; r + 2 <= rc; r += 2) {
                const float c0 = dq[r * st->r_step], c1 = dq[(r + 1) * st->r_step];
#pragma omp simd
                for (int j = 0; j < STRIP_BLOCK; j++) {
                    even[j] += c0 * line[r + j];
                    odd[j] += c1 * line[r + 1 + j];
                }
            }
            if (r < rc) {
                const float c0 = dq[r * st->r_step];
#pragma omp simd
                for (int j = 0; j < STRIP_BLOCK; j++)
                    even[j] += c0 * line[r + j];
            }
        }
        const int m = n - w0 < STRIP_BLOCK ? n - w0 : STRIP_BLOCK;
        for (int j = 0; j < m; j++)
            xd[w0 + j] = d[bias] + (even[j] + odd[j]);
    }
    float total = 0;
#pragma omp simd reduction(+ : total)
    for (int w = 0; w < n; w++)
        total += xd[w];
    y[bias] += total;
    /* X^T (X d): a block of neighbouring taps of a line at a time, their
     * sums in registers (two sets, even and odd windows, as above), each
     * window's value of X d multiplying a vector of the line: no
     * horizontal sums. Reads past the line's end fall in its zeroed tail
     * and feed only taps past the kernel, which are dropped. */
    for (int q = 0; q < st->q_count; q++)
        for (int r0 = 0; r0 < rc; r0 += STRIP_BLOCK) {
            const float *restrict line = st->lines + (size_t)q * st->stride + r0;
            float even[STRIP_BLOCK] = {0}, odd[STRIP_BLOCK] = {0};
            int w = 0;
            for (; w + 2 <= n; w += 2) {
                const float x0 = xd[w], x1 = xd[w + 1];
#pragma omp simd
                for (int j = 0; j < STRIP_BLOCK; j++) {
                    even[j] += x0 * line[w + j];
                    odd[j] += x1 * line[w + 1 + j];
                }
            }
            if (w < n) {
                const float x0 = xd[w];
#pragma omp simd
                for (int j = 0; j < STRIP_BLOCK; j++)
                    even[j] += x0 * line[w + j];
            }
            const int m = rc - r0 < STRIP_BLOCK ? rc - r0 : STRIP_BLOCK;
            for (int j = 0; j < m; j++)
                y[q * st->q_step + (r0 + j) * st->r_step] += even[j] + odd[j];
        }
}

/* The longest line and strip an edge of this shape needs, and a block's
 * reads past its end (strip_apply). */
static size_t line_floats(const lf_conv_shape *s)
{
    const int a = s->out_width + s->k_width, b = s->out_height + s->k_height;
    return (size_t)(a > b ? a : b) + STRIP_BLOCK;
}

size_t lf_gram_variant_edge_floats(const lf_conv_shape *s)
{
    const int k = s->k_height > s->k_width ? s->k_height : s->k_width;
    return line_floats(s) * (size_t)(k + 1);
}

void lf_gram_variant_edges(float *y, float *work, size_t work_floats, const float *patch,
                           const lf_conv_shape *s, const float *d)
{
    const int ey = shift_y(s), ex = shift_x(s), kh = s->k_height, kw = s->k_width;
    const int h = s->in_height, w = s->in_width, bias = kh * kw;
    if (!work || work_floats < lf_gram_variant_edge_floats(s))
        return;
    const int stride = (int)line_floats(s);
    const int k = kh > kw ? kh : kw;
    float *lines = work, *xd = work + (size_t)stride * k;
    /* The last ey output rows, every column: line a is image row
     * oy + a - pad_top, padded with pad_left zeros in front. */
    for (int oy = s->out_height - ey; oy < s->out_height; oy++) {
        const int len = s->out_width + kw - 1;
        for (int a = 0; a < kh; a++) {
            float *line = lines + (size_t)a * stride;
            memset(line, 0, sizeof(float) * (size_t)stride); /* the tail too */
            const int iy = oy + a - s->pad_top;
            if (iy < 0 || iy >= h)
                continue;
            for (int m = 0; m < len; m++) {
                const int ix = m - s->pad_left;
                if (ix >= 0 && ix < w)
                    line[m] = patch[(size_t)iy * w + ix];
            }
        }
        strip st = {lines, stride, s->out_width, kh, kw, kw, 1};
        strip_apply(y, xd, &st, d, bias);
    }
    /* The last ex output columns, over the rows above those: line b is
     * image column ox + b - pad_left, padded with pad_top zeros on top. */
    const int rows = s->out_height - ey;
    for (int ox = s->out_width - ex; ox < s->out_width; ox++) {
        const int len = rows + kh - 1;
        for (int b = 0; b < kw; b++) {
            float *line = lines + (size_t)b * stride;
            memset(line, 0, sizeof(float) * (size_t)stride); /* the tail too */
            const int ix = ox + b - s->pad_left;
            if (ix < 0 || ix >= w)
                continue;
            for (int m = 0; m < len; m++) {
                const int iy = m - s->pad_top;
                if (iy >= 0 && iy < h)
                    line[m] = patch[(size_t)iy * w + ix];
            }
        }
        strip st = {lines, stride, rows, kw, kh, 1, kw};
        strip_apply(y, xd, &st, d, bias);
    }
}

/* ============================================================ apply */

size_t lf_gram_variant_apply_floats(const lf_conv_shape *s)
{
    return 3 * (size_t)lf_gram_size(s) + lf_gram_variant_edge_floats(s);
}

double lf_gram_variant_apply(float *grad, float *work, size_t work_floats, const float *core,
                             const int *map, const float *patch, const lf_conv_shape *s,
                             const float *d, float scale)
{
    const int p = lf_gram_size(s);
    if (!work || work_floats < lf_gram_variant_apply_floats(s))
        return NAN;
    float *dt = work, *yt = dt + p, *y = yt + p, *rest = y + p;
    const size_t rest_floats = work_floats - 3 * (size_t)p;
    lf_gram_variant_gather(dt, d, map, p);
    /* G_core dt into yt: added to zeros at scale 1, which is exact. The
     * product's own scratch is the edges' (used only after it). */
    memset(yt, 0, sizeof(float) * (size_t)p);
    lf_gram_apply(yt, rest, core, dt, p, 1.0f);
    lf_gram_variant_scatter(y, yt, map, p);
    lf_gram_variant_edges(y, rest, rest_floats, patch, s, d);
    return lf_gram_apply_finish(grad, y, d, p, scale);
}
