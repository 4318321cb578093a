/*
 * layer.c: the convolution layer's shape, its reference forward and
 * backward passes, and the mean squared error loss.
 * See include/learnfilter/layer.h for the definitions; the fast passes are
 * in layer_fast.c.
 *
 * The reference routines are the definition written as loops, one output
 * value at a time, with every sum in double: they are what the tests trust,
 * not what a trainer should call.
 */
#include "learnfilter/layer.h"

#include <math.h>
#include <string.h>

#include "layer_internal.h"

/* ============================================================== names */

static const char *const activation_names[] = {"none", "relu", "sigmoid", "tanh"};

const char *lf_activation_name(lf_activation activation)
{
    if ((int)activation < 0 || (int)activation > LF_ACTIVATION_TANH)
        return "unknown";
    return activation_names[activation];
}

int lf_activation_parse(const char *name)
{
    for (int a = 0; name && a <= LF_ACTIVATION_TANH; a++)
        if (!strcmp(name, activation_names[a]))
            return a;
    return -1;
}

/* ============================================================== shape */

/* Output positions and the zeros before and after, on one axis of length n,
 * by TensorFlow's rule (see layer.h). */
static void axis_make(int n, int k, int stride, lf_padding padding, int *out, int *before,
                      int *after)
{
    if (padding == LF_PADDING_SAME) {
        *out = (n + stride - 1) / stride;
        int total = (*out - 1) * stride + k - n;
        if (total < 0)
            total = 0;
        *before = total / 2;
        *after = total - *before;
    } else {
        *out = n >= k ? (n - k) / stride + 1 : 0;
        *before = 0;
        *after = 0;
    }
}

static lf_status check_range(lf_error *err, const char *field, int value, int lo, int hi)
{
    if (value < lo || value > hi)
        return lf_fail(err, LF_ERR_ARGUMENT, "layer: %s is %d, must be %d to %d", field, value, lo,
                       hi);
    return LF_OK;
}

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

lf_status lf_layer_shape_make(lf_layer_shape *shape, const lf_layer_desc *d, lf_error *err)
{
    lf_layer_shape s;
    memset(&s, 0, sizeof s);
    s.channels = d->channels ? d->channels : 1;
    s.filters = d->filters ? d->filters : 1;
    s.stride = d->stride ? d->stride : 1;
    s.pool = d->pool > 1 ? d->pool : 1;
    s.in_height = d->in_height, s.in_width = d->in_width;
    s.k_height = d->k_height, s.k_width = d->k_width;
    s.padding = d->padding;
    s.activation = d->activation;
    lf_status st;
    if ((st = check_range(err, "channels", s.channels, 1, LF_LAYER_MAX_CHANNELS)) ||
        (st = check_range(err, "filters", s.filters, 1, LF_LAYER_MAX_FILTERS)) ||
        (st = check_range(err, "input height", s.in_height, 1, LF_LAYER_MAX_SIDE)) ||
        (st = check_range(err, "input width", s.in_width, 1, LF_LAYER_MAX_SIDE)) ||
        (st = check_range(err, "kernel height", s.k_height, 1, LF_LAYER_MAX_KERNEL)) ||
        (st = check_range(err, "kernel width", s.k_width, 1, LF_LAYER_MAX_KERNEL)) ||
        (st = check_range(err, "stride", s.stride, 1, LF_LAYER_MAX_STRIDE)) ||
        (st = check_range(err, "pool", d->pool, 0, LF_LAYER_MAX_POOL)) ||
        (st = check_range(err, "padding", (int)s.padding, 0, LF_PADDING_VALID)) ||
        (st = check_range(err, "activation", (int)s.activation, 0, LF_ACTIVATION_TANH)))
        return st;

    axis_make(s.in_height, s.k_height, s.stride, s.padding, &s.conv_height, &s.pad_top,
              &s.pad_bottom);
    axis_make(s.in_width, s.k_width, s.stride, s.padding, &s.conv_width, &s.pad_left,
              &s.pad_right);
    if (s.conv_height == 0 || s.conv_width == 0)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "layer: a %dx%d kernel does not fit a %dx%d image without padding",
                       s.k_height, s.k_width, s.in_height, s.in_width);
    s.out_height = s.conv_height / s.pool;
    s.out_width = s.conv_width / s.pool;
    if (s.out_height == 0 || s.out_width == 0)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "layer: %dx%d pooling is larger than the %dx%d convolution output",
                       s.pool, s.pool, s.conv_height, s.conv_width);

    const size_t C = (size_t)s.channels, F = (size_t)s.filters;
    s.in_count = C * (size_t)s.in_height * (size_t)s.in_width;
    s.act_count = F * (size_t)s.conv_height * (size_t)s.conv_width;
    s.out_count = F * (size_t)s.out_height * (size_t)s.out_width;
    s.weight_count = F * C * (size_t)s.k_height * (size_t)s.k_width;
    s.param_count = s.weight_count + F;

    /* The fast routines' workspace (layer_internal.h): the padded input and
     * its gradient, split into column phases, the weights with the filters
     * innermost, the gradient before the activation with rows padded to a
     * whole pixel block, and a vector of partial sums per weight. Rows are
     * long enough for the last pixel block of the widest kernels to read
     * past the output without leaving the buffer. */
    s.padded_height = (s.conv_height - 1) * s.stride + s.k_height;
    size_t blocked = round_up((size_t)s.conv_width, LF_LAYER_LANES);
    s.phase_width = (int)round_up((size_t)s.conv_width + LF_LAYER_BLOCK +
                                      (size_t)(s.k_width - 1) / (size_t)s.stride,
                                  LF_LAYER_LANES);
    size_t padded = C * (size_t)s.padded_height * (size_t)s.stride * (size_t)s.phase_width;
    size_t dz = F * (size_t)LF_LAYER_BAND_MAX * blocked;
    s.work_count = 2 * padded + round_up(s.weight_count, 16) + dz +
                   s.weight_count * LF_LAYER_LANES + 64;
    if (s.work_count > (size_t)LF_LAYER_MAX_VALUES || s.act_count > (size_t)LF_LAYER_MAX_VALUES ||
        s.in_count > (size_t)LF_LAYER_MAX_VALUES)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "layer: %d filters over %dx%dx%d need %zu floats of workspace, limit %ld",
                       s.filters, s.channels, s.in_height, s.in_width, s.work_count,
                       (long)LF_LAYER_MAX_VALUES);
    *shape = s;
    return LF_OK;
}

/* ========================================================= activation */

float lf_layer_activate(lf_activation activation, float z)
{
    switch (activation) {
    case LF_ACTIVATION_RELU:
        return z > 0 ? z : 0;
    case LF_ACTIVATION_SIGMOID:
        return 1.0f / (1.0f + expf(-z));
    case LF_ACTIVATION_TANH:
        return tanhf(z);
    default:
        return z;
    }
}

/* ========================================================== reference */

/* The convolution at one position, before the activation, in double. */
static double conv_at(const float *in, const float *w, const float *bias,
                      const lf_layer_shape *s, int f, int y, int x)
{
    double acc = bias ? bias[f] : 0.0;
    for (int c = 0; c < s->channels; c++)
        for (int i = 0; i < s->k_height; i++)
            for (int j = 0; j < s->k_width; j++) {
                int iy = s->stride * y + i - s->pad_top, ix = s->stride * x + j - s->pad_left;
                if (iy >= 0 && iy < s->in_height && ix >= 0 && ix < s->in_width)
                    acc += (double)w[(((size_t)f * s->channels + c) * s->k_height + i) *
                                         s->k_width + j] *
                           in[((size_t)c * s->in_height + iy) * s->in_width + ix];
            }
    return acc;
}

/* out = pool(act), as defined in layer.h; with no pooling a copy. */
void lf_layer_pool_reference(float *out, const float *act, const lf_layer_shape *s)
{
    const int n = s->pool, ch = s->conv_height, cw = s->conv_width;
    for (int f = 0; f < s->filters; f++)
        for (int y = 0; y < s->out_height; y++)
            for (int x = 0; x < s->out_width; x++) {
                const float *a = act + ((size_t)f * ch + (size_t)y * n) * cw + (size_t)x * n;
                float m = a[0];
                for (int u = 0; u < n; u++)
                    for (int v = 0; v < n; v++)
                        if (a[(size_t)u * cw + v] > m)
                            m = a[(size_t)u * cw + v];
                out[((size_t)f * s->out_height + y) * s->out_width + x] = m;
            }
}

void lf_layer_forward_bias_reference(float *out, float *act, const float *in, const float *w,
                                     const float *bias, const lf_layer_shape *s)
{
    for (int f = 0; f < s->filters; f++)
        for (int y = 0; y < s->conv_height; y++)
            for (int x = 0; x < s->conv_width; x++)
                act[((size_t)f * s->conv_height + y) * s->conv_width + x] =
                    lf_layer_activate(s->activation, (float)conv_at(in, w, bias, s, f, y, x));
    if (out != act)
        lf_layer_pool_reference(out, act, s);
}

void lf_layer_forward_reference(float *out, float *act, const float *in, const float *params,
                                const lf_layer_shape *s)
{
    lf_layer_forward_bias_reference(out, act, in, params, params + s->weight_count, s);
}

/* d act / d z from the activation's value a. */
static double activation_slope(lf_activation activation, double a)
{
    switch (activation) {
    case LF_ACTIVATION_RELU:
        return a > 0 ? 1.0 : 0.0;
    case LF_ACTIVATION_SIGMOID:
        return a * (1.0 - a);
    case LF_ACTIVATION_TANH:
        return 1.0 - a * a;
    default:
        return 1.0;
    }
}

/* d loss / d z at conv position (f, y, x): the gradient that reaches it
 * through the pooling (all of its window's gradient if it is the window's
 * first maximum, none otherwise or outside every window) times the
 * activation's slope. */
static double dz_at(const float *dout, const float *act, const lf_layer_shape *s, int f, int y,
                    int x)
{
    const int n = s->pool, ch = s->conv_height, cw = s->conv_width;
    const float *a = act + (size_t)f * ch * cw;
    double g;
    if (n == 1) {
        g = dout[((size_t)f * ch + y) * cw + x];
    } else {
        int py = y / n, px = x / n;
        if (py >= s->out_height || px >= s->out_width)
            return 0.0;
        int by = py * n, bx = px * n, my = by, mx = bx;
        for (int u = 0; u < n; u++)
            for (int v = 0; v < n; v++)
                if (a[(size_t)(by + u) * cw + bx + v] > a[(size_t)my * cw + mx])
                    my = by + u, mx = bx + v;
        if (my != y || mx != x)
            return 0.0;
        g = dout[((size_t)f * s->out_height + py) * s->out_width + px];
    }
    return g * activation_slope(s->activation, a[(size_t)y * cw + x]);
}

void lf_layer_backward_reference(float *grads, float *din, const float *dout, const float *act,
                                 const float *in, const float *params, const lf_layer_shape *s)
{
    const int C = s->channels, F = s->filters, kh = s->k_height, kw = s->k_width, S = s->stride;
    /* dW[f][c][i][j] = sum_{y,x} dz[f][y][x] * in[c][S y + i - pad_top][S x + j - pad_left] */
    for (int f = 0; f < F; f++)
        for (int c = 0; c < C; c++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++) {
                    double acc = 0;
                    for (int y = 0; y < s->conv_height; y++)
                        for (int x = 0; x < s->conv_width; x++) {
                            int iy = S * y + i - s->pad_top, ix = S * x + j - s->pad_left;
                            if (iy >= 0 && iy < s->in_height && ix >= 0 && ix < s->in_width)
                                acc += dz_at(dout, act, s, f, y, x) *
                                       in[((size_t)c * s->in_height + iy) * s->in_width + ix];
                        }
                    grads[(((size_t)f * C + c) * kh + i) * kw + j] += (float)acc;
                }
    /* db[f] = sum_{y,x} dz[f][y][x] */
    for (int f = 0; f < F; f++) {
        double acc = 0;
        for (int y = 0; y < s->conv_height; y++)
            for (int x = 0; x < s->conv_width; x++)
                acc += dz_at(dout, act, s, f, y, x);
        grads[s->weight_count + (size_t)f] += (float)acc;
    }
    if (!din)
        return;
    /* din[c][iy][ix] = sum over f, i, j and the (y, x) with S y + i - pad_top = iy and
     * S x + j - pad_left = ix of w[f][c][i][j] * dz[f][y][x] */
    for (int c = 0; c < C; c++)
        for (int iy = 0; iy < s->in_height; iy++)
            for (int ix = 0; ix < s->in_width; ix++) {
                double acc = 0;
                for (int f = 0; f < F; f++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++) {
                            int ty = iy + s->pad_top - i, tx = ix + s->pad_left - j;
                            if (ty < 0 || tx < 0 || ty % S || tx % S)
                                continue;
                            int y = ty / S, x = tx / S;
                            if (y >= s->conv_height || x >= s->conv_width)
                                continue;
                            acc += (double)params[(((size_t)f * C + c) * kh + i) * kw + j] *
                                   dz_at(dout, act, s, f, y, x);
                        }
                din[((size_t)c * s->in_height + iy) * s->in_width + ix] += (float)acc;
            }
}

/* =============================================================== loss */

double lf_layer_mse_loss(const float *out, const float *target, size_t count)
{
    if (count == 0)
        return 0.0;
    double acc = 0;
    for (size_t p = 0; p < count; p++) {
        double d = (double)out[p] - target[p];
        acc += d * d;
    }
    return acc / (double)count;
}

void lf_layer_mse_backward(float *dout, const float *out, const float *target, size_t count)
{
    if (count == 0)
        return;
    const float scale = (float)(2.0 / (double)count);
#pragma omp simd
    for (size_t p = 0; p < count; p++)
        dout[p] += scale * (out[p] - target[p]);
}

double lf_layer_residual_reference(float *dout, const float *out, const float *target,
                                   size_t count, float scale)
{
    double sum = 0;
    for (size_t p = 0; p < count; p++) {
        float r = out[p] - target[p];
        sum += (double)r * r;
        if (dout)
            dout[p] = scale * r;
    }
    return sum;
}
