/*
 * ops_fast.c: the fast path of the sliding-window operations (ops.c holds
 * the definitions, the reference loops and the driver). It computes the
 * operation at every centre of the image at once and then keeps the
 * outputs that the padding and stride ask for: sums and means from running
 * (prefix) sums along rows and then down the columns a row at a time, so a
 * 50 x 50 mean costs what a 3 x 3 does; max and min along rows and then
 * columns, a row of centres at a time for small windows and with a queue
 * of candidates for large ones, so each value enters and leaves it once;
 * medians by selection (quickselect) rather than a full sort, and the 3x3
 * median by sorted columns with no selection inside the image; kernels
 * through the convolution of conv.c (twice for a gradient, the second time
 * with the transposed kernel). All scratch comes laid out by the driver.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ops_internal.h"
#include "simd.h"

/* Window sums along a line of n values step apart: out[i] is the sum over
 * [i - before, i + after] clipped to the line. */
static void line_sums(const double *in, ptrdiff_t in_step, int n, int before, int after,
                      double *prefix, double *out, ptrdiff_t out_step)
{
    prefix[0] = 0;
    for (int i = 0; i < n; i++)
        prefix[i + 1] = prefix[i] + in[i * in_step];
    for (int i = 0; i < n; i++) {
        int lo = i - before < 0 ? 0 : i - before;
        int hi = i + after > n - 1 ? n - 1 : i + after;
        out[i * out_step] = prefix[hi + 1] - prefix[lo];
    }
}

/* Window max (or min) along a line, clipped at its ends. The queue holds
 * indices of values that may still be the extreme of some later window, in
 * order of index with values falling (rising for min), so its front is the
 * extreme of the current window. */
static void line_extreme(const float *in, ptrdiff_t in_step, int n, int before, int after,
                         bool is_max, int *queue, float *out, ptrdiff_t out_step)
{
    int head = 0, tail = 0, next = 0;
    for (int i = 0; i < n; i++) {
        int hi = i + after > n - 1 ? n - 1 : i + after;
        for (; next <= hi; next++) {
            float v = in[next * in_step];
            while (tail > head && (is_max ? in[queue[tail - 1] * in_step] <= v
                                          : in[queue[tail - 1] * in_step] >= v))
                tail--;
            queue[tail++] = next;
        }
        while (queue[head] < i - before)
            head++;
        out[i * out_step] = in[queue[head] * in_step];
    }
}

/* Sums (or means) over square windows at every centre. */
static void map_sums(const lf_op *op, const pass *p, const float *in, scratch *s)
{
    int h = p->in_h, w = p->in_w;
    /* Each row's window sums, then added down the columns in place, a row
     * at a time (walking down a column would jump a row's length each
     * value): row y then holds the running sum P[y] of rows 0 .. y, the
     * same additions in the same order as a prefix sum per column. */
    for (int y = 0; y < h; y++) {
        const float *row = in + (size_t)y * (size_t)w;
        double *sums = s->row_sums + (size_t)y * (size_t)w;
        /* the row as doubles in place, then its window sums */
        for (int x = 0; x < w; x++)
            sums[x] = row[x];
        line_sums(sums, 1, w, p->left, p->right, s->prefix, sums, 1);
        const double *above = sums - w;
        for (int x = 0; x < w; x++)
            sums[x] = (y > 0 ? above[x] : 0.0) + sums[x];
    }
    /* A window's sum is P[hi] - P[lo - 1], with P[-1] = 0. */
    for (int y = 0; y < h; y++) {
        int lo = y - p->up < 0 ? 0 : y - p->up;
        int hi = y + p->down > h - 1 ? h - 1 : y + p->down;
        const double *top = s->row_sums + (size_t)hi * (size_t)w;
        const double *base = lo > 0 ? s->row_sums + (size_t)(lo - 1) * (size_t)w : NULL;
        float *out = s->map + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++) {
            double sum = top[x] - (base ? base[x] : 0.0);
            if (op->kind == LF_OP_MEAN) {
                int x0 = x - p->left < 0 ? 0 : x - p->left;
                int x1 = x + p->right > w - 1 ? w - 1 : x + p->right;
                sum /= (double)(hi - lo + 1) * (double)(x1 - x0 + 1);
            }
            out[x] = (float)sum;
        }
    }
}

/* Window sides up to this take each max (min) over the window's values
 * directly, a whole row of centres at once, rather than through a queue:
 * for a 3x3 max that is a few vectorised passes instead of a queue walked
 * down every column. Exact either way: a max is a max in any order. */
#define SMALL_EXTREME_SIDE 8

/* acc[i] = max(acc[i], v[i]) (min when !is_max) for i < n. */
LF_VECTOR_CLONES static void extreme_into(float *restrict acc, const float *restrict v, int n,
                                          bool is_max)
{
    if (is_max) {
#pragma omp simd
        for (int i = 0; i < n; i++)
            acc[i] = acc[i] > v[i] ? acc[i] : v[i];
    } else {
#pragma omp simd
        for (int i = 0; i < n; i++)
            acc[i] = acc[i] < v[i] ? acc[i] : v[i];
    }
}

/* The small windows: along each row the values d to the right and to the
 * left, clipped at its ends by the ranges, then the rows above and below. */
static void map_extremes_small(const pass *p, const float *in, bool is_max, scratch *s)
{
    const int h = p->in_h, w = p->in_w;
    for (int y = 0; y < h; y++) {
        const float *row = in + (size_t)y * (size_t)w;
        float *ext = s->row_ext + (size_t)y * (size_t)w;
        memcpy(ext, row, sizeof(float) * (size_t)w);
        for (int d = 1; d <= p->right && d < w; d++)
            extreme_into(ext, row + d, w - d, is_max);
        for (int d = 1; d <= p->left && d < w; d++)
            extreme_into(ext + d, row, w - d, is_max);
    }
    for (int y = 0; y < h; y++) {
        float *out = s->map + (size_t)y * (size_t)w;
        memcpy(out, s->row_ext + (size_t)y * (size_t)w, sizeof(float) * (size_t)w);
        for (int d = 1; d <= p->down && y + d < h; d++)
            extreme_into(out, s->row_ext + (size_t)(y + d) * (size_t)w, w, is_max);
        for (int d = 1; d <= p->up && y - d >= 0; d++)
            extreme_into(out, s->row_ext + (size_t)(y - d) * (size_t)w, w, is_max);
    }
}

/* Max or min over square windows at every centre: rows, then columns. */
static void map_extremes(const pass *p, const float *in, bool is_max, scratch *s)
{
    int h = p->in_h, w = p->in_w;
    if (p->left + p->right < SMALL_EXTREME_SIDE && p->up + p->down < SMALL_EXTREME_SIDE) {
        map_extremes_small(p, in, is_max, s);
        return;
    }
    for (int y = 0; y < h; y++)
        line_extreme(in + (size_t)y * (size_t)w, 1, w, p->left, p->right, is_max, s->queue,
                     s->row_ext + (size_t)y * (size_t)w, 1);
    for (int x = 0; x < w; x++)
        line_extreme(s->row_ext + x, w, h, p->up, p->down, is_max, s->queue, s->map + x, w);
}

/* The k-th smallest (0-based) of count values, reordering them: Wirth's
 * selection, which partitions around the value at k until k is in place. */
static float select_kth(float *v, int count, int k)
{
    int lo = 0, hi = count - 1;
    while (lo < hi) {
        float pivot = v[k];
        int i = lo, j = hi;
        do {
            while (v[i] < pivot)
                i++;
            while (pivot < v[j])
                j--;
            if (i <= j) {
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k)
            lo = i;
        if (k < i)
            hi = j;
    }
    return v[k];
}

/* The 3x3 square median, the common case, without selection: each
 * column of three is sorted (low, middle, high), and the median of the
 * nine values is the median of (the largest low, the median of the
 * middles, the smallest high) of three neighbouring columns, which holds
 * exactly, ties included. Min and max over whole rows vectorise; a step
 * that makes its batch's targets does this per patch. An edge's six values
 * go through a sorting network, and the four corners by selection as the
 * other medians do. */
/* Written as the processors' min and max instructions compare. */
static inline float min2(float a, float b) { return a < b ? a : b; }
static inline float max2(float a, float b) { return a > b ? a : b; }
static inline float median3(float a, float b, float c)
{
    return max2(min2(a, b), min2(max2(a, b), c));
}

/* Each column of three rows sorted: lo <= mid <= hi. */
LF_VECTOR_CLONES static void sort_columns(float *restrict lo, float *restrict mid, float *restrict hi,
                         const float *restrict a, const float *restrict b,
                         const float *restrict c, int w)
{
#pragma omp simd
    for (int x = 0; x < w; x++) {
        float l = min2(a[x], b[x]), u = max2(a[x], b[x]);
        lo[x] = min2(l, c[x]);
        float m = max2(l, c[x]);
        mid[x] = min2(u, m);
        hi[x] = max2(u, m);
    }
}

/* Outputs 1 .. w-2 of a row from its sorted columns. */
LF_VECTOR_CLONES static void median_of_columns(float *restrict out, const float *restrict lo,
                              const float *restrict mid, const float *restrict hi, int w)
{
#pragma omp simd
    for (int x = 1; x < w - 1; x++)
        out[x] = median3(max2(max2(lo[x - 1], lo[x]), lo[x + 1]),
                         median3(mid[x - 1], mid[x], mid[x + 1]),
                         min2(min2(hi[x - 1], hi[x]), hi[x + 1]));
}

/* The lower median (the third smallest) of six values: a sorting network
 * of 12 compare-exchanges (optimal for six; each is a min and a max). */
static inline float lower_median6(float v0, float v1, float v2, float v3, float v4, float v5)
{
#define LF_CX(a, b)                                                                             \
    do {                                                                                       \
        float lo_ = min2(a, b), hi_ = max2(a, b);                                              \
        a = lo_;                                                                               \
        b = hi_;                                                                               \
    } while (0)
    LF_CX(v0, v5);
    LF_CX(v1, v3);
    LF_CX(v2, v4);
    LF_CX(v1, v2);
    LF_CX(v3, v4);
    LF_CX(v0, v3);
    LF_CX(v2, v5);
    LF_CX(v0, v1);
    LF_CX(v2, v3);
    LF_CX(v4, v5);
    LF_CX(v1, v2);
    LF_CX(v3, v4);
#undef LF_CX
    return v2;
}

/* The top or bottom row's outputs 1 .. w-2: six values each, from rows a
 * and b. */
LF_VECTOR_CLONES static void median_edge_row(float *restrict out, const float *restrict a,
                                             const float *restrict b, int w)
{
#pragma omp simd
    for (int x = 1; x < w - 1; x++)
        out[x] = lower_median6(a[x - 1], a[x], a[x + 1], b[x - 1], b[x], b[x + 1]);
}

/* The first or last column's outputs 1 .. h-2: six values each, from
 * columns c and its neighbour d (each w apart down the rows). */
static void median_edge_column(float *out, const float *c, const float *d, int h, int w)
{
    for (int y = 1; y < h - 1; y++) {
        size_t up = (size_t)(y - 1) * (size_t)w, at = up + (size_t)w, down = at + (size_t)w;
        out[at] = lower_median6(c[up], c[at], c[down], d[up], d[at], d[down]);
    }
}

static void map_median3(const lf_op *op, const pass *p, const float *in, scratch *s)
{
    const int h = p->in_h, w = p->in_w;
    float *lo = s->columns, *mid = lo + w, *hi = mid + w;
    for (int y = 1; y + 1 < h && w >= 3; y++) {
        const float *a = in + (size_t)(y - 1) * (size_t)w;
        sort_columns(lo, mid, hi, a, a + w, a + 2 * (size_t)w, w);
        median_of_columns(s->map + (size_t)y * (size_t)w, lo, mid, hi, w);
    }
    if (h >= 3 && w >= 3) {
        /* the edges, six values each, and the four corners below */
        const float *last = in + (size_t)(h - 1) * (size_t)w;
        median_edge_row(s->map, in, in + w, w);
        median_edge_row(s->map + (size_t)(h - 1) * (size_t)w, last - w, last, w);
        median_edge_column(s->map, in, in + 1, h, w);
        median_edge_column(s->map + (w - 1), in + (w - 1), in + (w - 2), h, w);
    }
    for (int y = 0; y < h; y++) {
        bool edge_row = y == 0 || y == h - 1 || w < 3 || h < 3;
        for (int x = 0; x < w; x += edge_row || x == w - 1 ? 1 : w - 1) {
            bool corner = (y == 0 || y == h - 1) && (x == 0 || x == w - 1);
            if (h >= 3 && w >= 3 && !corner)
                continue; /* done above */
            int count = ops_gather(op, p, in, y, x, s->values, s->value_capacity);
            s->map[(size_t)y * (size_t)w + (size_t)x] =
                select_kth(s->values, count, (count - 1) / 2);
        }
    }
}

/* Whether map_median3 does op's median. */
bool ops_is_median3(const lf_op *op)
{
    int fh, fw;
    lf_op_window(op, &fh, &fw);
    return op->kind == LF_OP_MEDIAN && op->window == LF_WINDOW_SQUARE && fh == 3;
}

/* A gradient's magnitude sqrt(x^2 + y^2) into x, n values. The build
 * compiles this file without errno for the maths functions (CMakeLists.txt)
 * so that this loop vectorises: sqrt's one domain error is a negative
 * argument, which a sum of squares never is, and the results are the same
 * (sqrt is correctly rounded either way; products of floats are exact in
 * double). */
LF_VECTOR_CLONES static void magnitude(float *restrict x, const float *restrict y, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        x[i] = (float)sqrt((double)x[i] * x[i] + (double)y[i] * y[i]);
}

/* One application, fast: the map at every centre needed, then the
 * outputs the padding and stride keep. */
static lf_status pass_fast_into(const lf_op *op, const pass *p, const float *in, float *out,
                           scratch *s, lf_error *err)
{
    int h = p->in_h, w = p->in_w;
    if (lf_op_uses_kernel(op)) {
        lf_conv_shape shape = lf_conv_shape_make(h, w, op->kernel_h, op->kernel_w,
                                                 LF_PADDING_SAME);
        conv2d_forward(s->map, in, op->kernel, 0.0f, &shape);
        size_t area = (size_t)h * (size_t)w;
        if (op->kind == LF_OP_ABS)
            for (size_t i = 0; i < area; i++)
                s->map[i] = fabsf(s->map[i]);
        if (op->kind == LF_OP_GRADIENT) {
            conv2d_forward(s->across, in, s->transposed, 0.0f, &shape);
            magnitude(s->map, s->across, area);
        }
    } else if (ops_is_median3(op)) {
        map_median3(op, p, in, s);
    } else if (op->window == LF_WINDOW_PLUS || op->kind == LF_OP_MEDIAN) {
        /* Small or order-based windows: each output from its own values,
         * only at the centres kept. */
        for (int oy = 0; oy < p->out_h; oy++)
            for (int ox = 0; ox < p->out_w; ox++) {
                int cy = p->first_y + oy * p->stride, cx = p->first_x + ox * p->stride;
                int count = ops_gather(op, p, in, cy, cx, s->values, s->value_capacity);
                float result;
                if (op->kind == LF_OP_MEDIAN)
                    result = select_kth(s->values, count, (count - 1) / 2);
                else
                    result = ops_reduce_reference(op->kind, s->values, count);
                out[(size_t)oy * (size_t)p->out_w + (size_t)ox] = result;
            }
        return LF_OK;
    } else if (op->kind == LF_OP_SUM || op->kind == LF_OP_MEAN) {
        map_sums(op, p, in, s);
    } else if (op->kind == LF_OP_MAX || op->kind == LF_OP_MIN) {
        map_extremes(p, in, op->kind == LF_OP_MAX, s);
    } else {
        return lf_fail(err, LF_ERR_ARGUMENT, "unknown operation %d", (int)op->kind);
    }
    if (s->map == out)
        return LF_OK; /* written in place: see pass_fast */
    for (int oy = 0; oy < p->out_h; oy++) {
        const float *src = s->map + (size_t)(p->first_y + oy * p->stride) * (size_t)w;
        float *dst = out + (size_t)oy * (size_t)p->out_w;
        if (p->stride == 1) {
            memcpy(dst, src + p->first_x, sizeof(float) * (size_t)p->out_w);
            continue;
        }
        for (int ox = 0; ox < p->out_w; ox++)
            dst[ox] = src[p->first_x + ox * p->stride];
    }
    return LF_OK;
}

/* When every centre is an output (stride 1, 'same' padding) the map is
 * written straight into out, which saves copying it; otherwise into the
 * scratch's map, and the outputs kept are copied out. */
lf_status ops_pass_fast(const lf_op *op, const pass *p, const float *in, float *out,
                           scratch *s, lf_error *err)
{
    const bool whole = p->stride == 1 && p->out_h == p->in_h && p->out_w == p->in_w && out != in;
    if (!whole)
        return pass_fast_into(op, p, in, out, s, err);
    float *map = s->map;
    s->map = out;
    lf_status st = pass_fast_into(op, p, in, out, s, err);
    s->map = map;
    return st;
}
