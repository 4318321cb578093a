/*
 * test_layer_grad.c: the layer's fast routines against their references
 * over many random shapes, and every gradient against central finite
 * differences of an independent double-precision forward pass.
 *
 * Fast against reference. The shapes cover channels 1 and 3, filters 1 to
 * 8, kernel sides 1 to 7 (even and non-square), strides 1 to 3, both
 * paddings, every activation, pooling 0, 2 and 3 and odd image sizes, some
 * wider than the fast kernels' pixel blocks so the tails run too. The fast
 * routines sum in float, the references in double, so they differ by
 * rounding only: we allow 1e-5 of the sum of the terms' magnitudes (bounded
 * from above), far below one term, which is what a wrong tap, pad, phase or
 * window would change. Backward is given the same activations for both, so
 * the pooling windows' choices and the activation slopes are the same.
 *
 * Finite differences. The loss's derivative in each parameter and input
 * value, (L(p + h) - L(p - h)) / 2h with h = 1e-6 in double, is within
 * about 1e-12 relative of the true one; the layer's float gradients are
 * within about 1e-6. With random values a ReLU's kink or a pooling tie
 * falls within h of a value with probability about 1e-6, so the seeds used
 * never meet one.
 *
 * Pooling ties and NaNs: every way a 2x2 window can hold equal maxima, and
 * NaNs among the values, against the reference bit for bit. The loss's
 * residual against its in-order reference.
 */
#include <stdbool.h>

#include "test_util.h"

#include "learnfilter/layer.h"

/* ====================================================== fast vs reference */

static void check_fast(const lf_layer_desc *d, lf_rng *rng)
{
    lf_layer_shape s;
    lf_error err;
    if (lf_layer_shape_make(&s, d, &err) != LF_OK)
        fail_msg("%s", err.message);
    float *in = malloc(sizeof(float) * s.in_count);
    float *params = malloc(sizeof(float) * s.param_count);
    float *act_ref = malloc(sizeof(float) * s.act_count);
    float *act = malloc(sizeof(float) * s.act_count);
    float *out_ref = malloc(sizeof(float) * s.out_count);
    float *out = malloc(sizeof(float) * s.out_count);
    float *dout = malloc(sizeof(float) * s.out_count);
    float *g_ref = malloc(sizeof(float) * s.param_count);
    float *g = malloc(sizeof(float) * s.param_count);
    float *din_ref = malloc(sizeof(float) * s.in_count);
    float *din = malloc(sizeof(float) * s.in_count);
    float *work = malloc(sizeof(float) * s.work_count);
    /* Garbage in the workspace: the fast routines must not rely on zeros. */
    for (size_t i = 0; i < s.work_count; i++)
        work[i] = 1e30f;
    tu_fill_uniform(in, s.in_count, rng, -1, 1);
    tu_fill_uniform(params, s.param_count, rng, -1, 1);
    tu_fill_uniform(dout, s.out_count, rng, -1, 1);
    /* Backward accumulates: start both from the same nonzero values. */
    tu_fill_uniform(g_ref, s.param_count, rng, -1, 1);
    memcpy(g, g_ref, sizeof(float) * s.param_count);
    tu_fill_uniform(din_ref, s.in_count, rng, -1, 1);
    memcpy(din, din_ref, sizeof(float) * s.in_count);

    char label[160];
    snprintf(label, sizeof label, "C%d F%d %dx%d k%dx%d S%d %s %s pool%d", s.channels, s.filters,
             s.in_height, s.in_width, s.k_height, s.k_width, s.stride,
             s.padding == LF_PADDING_SAME ? "same" : "valid", lf_activation_name(s.activation),
             s.pool);
    /* Every output is a sum of C kh kw + 1 terms of size at most 1. */
    const double taps = (double)s.channels * s.k_height * s.k_width;
    lf_layer_forward_reference(out_ref, act_ref, in, params, &s);
    lf_layer_forward(out, act, in, params, &s, work);
    double tol = 1e-5 * (taps + 1);
    for (size_t i = 0; i < s.act_count; i++)
        if (!(fabs((double)act[i] - act_ref[i]) <= tol))
            fail_msg("%s: act[%zu] fast %.9g reference %.9g", label, i, (double)act[i],
                     (double)act_ref[i]);
    for (size_t i = 0; i < s.out_count; i++)
        if (!(fabs((double)out[i] - out_ref[i]) <= tol))
            fail_msg("%s: out[%zu] fast %.9g reference %.9g", label, i, (double)out[i],
                     (double)out_ref[i]);

    lf_layer_backward_reference(g_ref, din_ref, dout, act_ref, in, params, &s);
    lf_layer_backward(g, din, dout, act_ref, in, params, &s, work);
    /* A weight's gradient sums |dz| |in| <= |dout| over the outputs; an
     * input's sums |w| |dz| over filters and taps. */
    double dout_sum = 0, w_sum = 0;
    for (size_t i = 0; i < s.out_count; i++)
        dout_sum += fabs(dout[i]);
    for (size_t i = 0; i < s.weight_count; i++)
        w_sum += fabs(params[i]);
    tol = 1e-5 * (dout_sum + 1);
    for (size_t i = 0; i < s.param_count; i++)
        if (!(fabs((double)g[i] - g_ref[i]) <= tol))
            fail_msg("%s: grad[%zu] of %zu fast %.9g reference %.9g", label, i, s.param_count,
                     (double)g[i], (double)g_ref[i]);
    tol = 1e-5 * (w_sum + 1);
    for (size_t i = 0; i < s.in_count; i++)
        if (!(fabs((double)din[i] - din_ref[i]) <= tol))
            fail_msg("%s: din[%zu] fast %.9g reference %.9g", label, i, (double)din[i],
                     (double)din_ref[i]);

    /* The targets are the forward pass with zero biases. */
    for (int f = 0; f < s.filters; f++)
        params[s.weight_count + f] = 0;
    lf_layer_forward_reference(out_ref, act_ref, in, params, &s);
    lf_layer_targets(out, act, in, params, &s, work);
    tol = 1e-5 * (taps + 1);
    for (size_t i = 0; i < s.out_count; i++)
        if (!(fabs((double)out[i] - out_ref[i]) <= tol))
            fail_msg("%s: target[%zu] fast %.9g reference %.9g", label, i, (double)out[i],
                     (double)out_ref[i]);

    free(in), free(params), free(act_ref), free(act), free(out_ref), free(out), free(dout);
    free(g_ref), free(g), free(din_ref), free(din), free(work);
}

static int rand_int(lf_rng *rng, int lo, int hi)
{
    return lo + (int)(lf_rng_uniform(rng) * (hi - lo + 1));
}

/* A random image size the layer accepts: odd sides, 3 to 17, at least one
 * pooling window after a 'valid' kernel. */
static void random_size(lf_layer_desc *d, lf_rng *rng)
{
    for (;;) {
        d->in_height = 2 * rand_int(rng, 1, 8) + 1;
        d->in_width = 2 * rand_int(rng, 1, 8) + 1;
        lf_layer_shape s;
        if (lf_layer_shape_make(&s, d, NULL) == LF_OK)
            return;
        /* a 'valid' kernel or a pooling window too large for this size */
    }
}

static void test_fast_matches_reference_random_shapes(void **state)
{
    (void)state;
    static const int pools[] = {0, 2, 3};
    lf_rng rng;
    lf_rng_seed(&rng, 2024);
    /* Every stride, padding, activation and pooling, each with a random
     * channel count, filter count and kernel. */
    for (int stride = 1; stride <= 3; stride++)
        for (int p = 0; p < 2; p++)
            for (int a = 0; a <= LF_ACTIVATION_TANH; a++)
                for (int q = 0; q < 3; q++) {
                    lf_layer_desc d = {.channels = rand_int(&rng, 0, 1) ? 3 : 1,
                                       .filters = rand_int(&rng, 1, 8),
                                       .k_height = rand_int(&rng, 1, 7),
                                       .k_width = rand_int(&rng, 1, 7),
                                       .stride = stride,
                                       .padding = p ? LF_PADDING_VALID : LF_PADDING_SAME,
                                       .activation = (lf_activation)a,
                                       .pool = pools[q]};
                    if (d.padding == LF_PADDING_VALID) {
                        /* leave room for a pooling window after the kernel */
                        d.k_height = rand_int(&rng, 1, 5);
                        d.k_width = rand_int(&rng, 1, 5);
                    }
                    random_size(&d, &rng);
                    check_fast(&d, &rng);
                }
    /* Every filter count and kernel side once, and rows wider than one
     * pixel block of the widest kernels (64), with a tail. */
    for (int f = 1; f <= 8; f++)
        for (int k = 1; k <= 7; k++) {
            lf_layer_desc d = {.channels = f % 2 ? 3 : 1, .filters = f, .k_height = k,
                               .k_width = 8 - k, .stride = 1 + (f + k) % 3,
                               .padding = (lf_padding)(k % 2),
                               .activation = (lf_activation)(f % 4), .pool = (k % 3) ? 0 : 2,
                               .in_height = 9, .in_width = k == 7 ? 151 : 2 * k + 7};
            check_fast(&d, &rng);
        }
    /* The bench's layer (8 filters, 3 channels, 5x5, ReLU) on rows of many
     * vectors with a tail, an odd row count and a column no pooling window
     * covers: the forward's ReLU in registers, the 2x2 windows' vector
     * lanes and the others' loop. */
    static const int wide_pools[] = {0, 2, 3};
    for (int q = 0; q < 3; q++)
        for (int stride = 1; stride <= 2; stride++) {
            lf_layer_desc d = {.channels = 3, .filters = 8, .k_height = 5, .k_width = 5,
                               .stride = stride, .activation = LF_ACTIVATION_RELU,
                               .pool = wide_pools[q], .in_height = 11, .in_width = 2 * 83 + 1};
            check_fast(&d, &rng);
        }
}

/* =========================================================== pooling ties */

/* Max pooling with a 1x1 kernel of weight 1 and no activation, so the
 * activations are the input: windows of n x n over values chosen from
 * {0, 0.5, 1} (every one of the 81 patterns of 2x2; random ones of 3x3)
 * and, when nan is set, NaNs in a fifth of the places. The fast pass
 * must give the reference's output and send each window's gradient to the
 * same place, bit for bit: both are copies, not sums, here. */
static void check_pool_ties(int n, bool nan, lf_rng *rng)
{
    const int windows = 81;
    lf_layer_desc d = {.in_height = 2 * n + 1, .in_width = windows * n + 1, .k_height = 1,
                       .k_width = 1, .pool = n};
    lf_layer_shape s;
    assert_int_equal(lf_layer_shape_make(&s, &d, NULL), LF_OK);
    assert_int_equal(s.out_width, windows);
    float *in = malloc(sizeof(float) * s.in_count);
    float *act = malloc(sizeof(float) * s.act_count), *act_ref = malloc(sizeof(float) * s.act_count);
    float *out = malloc(sizeof(float) * s.out_count), *out_ref = malloc(sizeof(float) * s.out_count);
    float *dout = malloc(sizeof(float) * s.out_count);
    float *din = calloc(s.in_count, sizeof(float)), *din_ref = calloc(s.in_count, sizeof(float));
    float *work = malloc(sizeof(float) * s.work_count);
    const float params[2] = {1, 0};
    float grads[2] = {0, 0}, grads_ref[2] = {0, 0};
    static const float levels[3] = {0, 0.5f, 1};
    for (int y = 0; y < s.in_height; y++)
        for (int x = 0; x < s.in_width; x++) {
            int wx = x / n, place = (y % n) * n + x % n, level;
            if (n == 2 && y < 2 * n && wx < windows) /* digit `place` of wx in base 3 */
                level = (wx / (place == 0 ? 1 : place == 1 ? 3 : place == 2 ? 9 : 27)) % 3;
            else
                level = (int)(lf_rng_uniform(rng) * 3) % 3;
            float v = levels[level];
            if (nan && lf_rng_uniform(rng) < 0.2)
                v = NAN;
            in[(size_t)y * s.in_width + x] = v;
        }
    for (size_t i = 0; i < s.out_count; i++)
        dout[i] = (float)(i + 1); /* each window's gradient tells where it went */
    lf_layer_forward_reference(out_ref, act_ref, in, params, &s);
    lf_layer_forward(out, act, in, params, &s, work);
    for (size_t i = 0; i < s.out_count; i++)
        if (memcmp(&out[i], &out_ref[i], sizeof(float)))
            fail_msg("pool %d%s: out[%zu] fast %g reference %g", n, nan ? " with NaNs" : "", i,
                     (double)out[i], (double)out_ref[i]);
    lf_layer_backward_reference(grads_ref, din_ref, dout, act_ref, in, params, &s);
    lf_layer_backward(grads, din, dout, act_ref, in, params, &s, work);
    for (size_t i = 0; i < s.in_count; i++)
        if (din[i] != din_ref[i])
            fail_msg("pool %d%s: din[%zu] fast %g reference %g", n, nan ? " with NaNs" : "", i,
                     (double)din[i], (double)din_ref[i]);
    /* every window sent its gradient somewhere: the bias's is their sum */
    double all = (double)s.out_count * (s.out_count + 1) / 2;
    tu_assert_near(grads[1], all, 1e-6 * all);
    tu_assert_near(grads_ref[1], all, 1e-6 * all);
    free(in), free(act), free(act_ref), free(out), free(out_ref), free(dout), free(din);
    free(din_ref), free(work);
}

static void test_pool_ties_and_nans_match_reference(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 5);
    for (int n = 2; n <= 3; n++)
        for (int nan = 0; nan < 2; nan++)
            check_pool_ties(n, nan, &rng);
}

/* ================================================================ loss */

/* The fast residual gives the same gradient, bit for bit (each value is
 * one subtraction and one product), and the sum of squares within
 * rounding of the reference's in-order sum; counts with and without a
 * vector tail, and none. */
static void test_residual_matches_reference(void **state)
{
    (void)state;
    static const size_t counts[] = {0, 1, 15, 16, 17, 1000, 4099};
    lf_rng rng;
    lf_rng_seed(&rng, 9);
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        const size_t n = counts[c];
        float *out = malloc(sizeof(float) * (n + 1)), *target = malloc(sizeof(float) * (n + 1));
        float *dout = malloc(sizeof(float) * (n + 1)), *dout_ref = malloc(sizeof(float) * (n + 1));
        tu_fill_uniform(out, n + 1, &rng, -1, 1);
        tu_fill_uniform(target, n + 1, &rng, -1, 1);
        dout[n] = dout_ref[n] = 42; /* past the count: must stay */
        const float scale = 0.37f;
        double ref = lf_layer_residual_reference(dout_ref, out, target, n, scale);
        double fast = lf_layer_residual(dout, out, target, n, scale);
        double by_hand = 0;
        for (size_t i = 0; i < n; i++) {
            double r = (double)(out[i] - target[i]);
            by_hand += r * r;
        }
        tu_assert_near(ref, by_hand, 1e-12 * (by_hand + 1));
        tu_assert_near(fast, by_hand, 1e-12 * (by_hand + 1));
        assert_true(lf_layer_residual(NULL, out, target, n, scale) == fast);
        for (size_t i = 0; i < n; i++) {
            assert_true(dout[i] == dout_ref[i]);
            assert_true(dout[i] == scale * (out[i] - target[i]));
        }
        assert_true(dout[n] == 42 && dout_ref[n] == 42);
        free(out), free(target), free(dout), free(dout_ref);
    }
}

/* ===================================================== finite differences */

/* The layer in double, written apart from the library: the loss, mean
 * squared error against target over a batch of B images. */
static double loss_double(const double *in, const double *params, const float *target, int B,
                          const lf_layer_shape *s)
{
    const int C = s->channels, kh = s->k_height, kw = s->k_width, S = s->stride, n = s->pool;
    const int ch = s->conv_height, cw = s->conv_width;
    double *a = malloc(sizeof(double) * s->act_count);
    double loss = 0;
    for (int b = 0; b < B; b++) {
        const double *x = in + b * s->in_count;
        for (int f = 0; f < s->filters; f++)
            for (int y = 0; y < ch; y++)
                for (int xo = 0; xo < cw; xo++) {
                    double z = params[s->weight_count + f];
                    for (int c = 0; c < C; c++)
                        for (int i = 0; i < kh; i++)
                            for (int j = 0; j < kw; j++) {
                                int iy = S * y + i - s->pad_top, ix = S * xo + j - s->pad_left;
                                if (iy < 0 || ix < 0 || iy >= s->in_height || ix >= s->in_width)
                                    continue;
                                z += params[((f * C + c) * kh + i) * kw + j] *
                                     x[(c * s->in_height + iy) * s->in_width + ix];
                            }
                    double v = s->activation == LF_ACTIVATION_RELU      ? (z > 0 ? z : 0)
                               : s->activation == LF_ACTIVATION_SIGMOID ? 1 / (1 + exp(-z))
                               : s->activation == LF_ACTIVATION_TANH    ? tanh(z)
                                                                        : z;
                    a[(f * ch + y) * cw + xo] = v;
                }
        for (int f = 0; f < s->filters; f++)
            for (int y = 0; y < s->out_height; y++)
                for (int xo = 0; xo < s->out_width; xo++) {
                    double m = -INFINITY;
                    for (int u = 0; u < n; u++)
                        for (int v = 0; v < n; v++)
                            m = fmax(m, a[(f * ch + y * n + u) * cw + xo * n + v]);
                    double d = m - target[b * s->out_count +
                                          (f * s->out_height + y) * s->out_width + xo];
                    loss += d * d;
                }
    }
    free(a);
    return loss / ((double)B * s->out_count);
}

static void check_gradients(const lf_layer_desc *d, bool fast, lf_rng *rng)
{
    enum { B = 2 };
    lf_layer_shape s;
    assert_int_equal(lf_layer_shape_make(&s, d, NULL), LF_OK);
    const size_t ni = B * s.in_count, np = s.param_count, no = B * s.out_count;
    float *in = malloc(sizeof(float) * ni), *params = malloc(sizeof(float) * np);
    float *target = malloc(sizeof(float) * no), *out = malloc(sizeof(float) * no);
    float *dout = calloc(no, sizeof(float)), *act = malloc(sizeof(float) * B * s.act_count);
    float *grads = calloc(np, sizeof(float)), *din = calloc(ni, sizeof(float));
    float *work = malloc(sizeof(float) * s.work_count);
    double *xin = malloc(sizeof(double) * ni), *xp = malloc(sizeof(double) * np);
    tu_fill_uniform(in, ni, rng, 0, 1);
    tu_fill_uniform(params, np, rng, -0.5f, 0.5f);
    tu_fill_uniform(target, no, rng, 0, 1);
    for (int b = 0; b < B; b++) {
        float *o = out + b * s.out_count, *a = act + b * s.act_count;
        if (fast)
            lf_layer_forward(o, a, in + b * s.in_count, params, &s, work);
        else
            lf_layer_forward_reference(o, a, in + b * s.in_count, params, &s);
    }
    lf_layer_mse_backward(dout, out, target, no);
    for (int b = 0; b < B; b++) {
        float *g = dout + b * s.out_count, *a = act + b * s.act_count;
        if (fast)
            lf_layer_backward(grads, din + b * s.in_count, g, a, in + b * s.in_count, params, &s,
                              work);
        else
            lf_layer_backward_reference(grads, din + b * s.in_count, g, a, in + b * s.in_count,
                                        params, &s);
    }
    for (size_t i = 0; i < ni; i++)
        xin[i] = in[i];
    for (size_t i = 0; i < np; i++)
        xp[i] = params[i];
    const double h = 1e-6;
    double gmax = 0;
    for (size_t i = 0; i < np; i++)
        gmax = fmax(gmax, fabs(grads[i]));
    for (size_t i = 0; i < np; i++) {
        double keep = xp[i];
        xp[i] = keep + h;
        double up = loss_double(xin, xp, target, B, &s);
        xp[i] = keep - h;
        double down = loss_double(xin, xp, target, B, &s);
        xp[i] = keep;
        double fd = (up - down) / (2 * h);
        if (!(fabs(grads[i] - fd) <= 1e-4 * fabs(fd) + 1e-5 * gmax + 1e-7))
            fail_msg("%s %s param %zu of %zu: analytic %.9g finite difference %.9g",
                     fast ? "fast" : "reference", lf_activation_name(s.activation), i, np,
                     (double)grads[i], fd);
    }
    gmax = 0;
    for (size_t i = 0; i < ni; i++)
        gmax = fmax(gmax, fabs(din[i]));
    for (size_t i = 0; i < ni; i++) {
        double keep = xin[i];
        xin[i] = keep + h;
        double up = loss_double(xin, xp, target, B, &s);
        xin[i] = keep - h;
        double down = loss_double(xin, xp, target, B, &s);
        xin[i] = keep;
        double fd = (up - down) / (2 * h);
        if (!(fabs(din[i] - fd) <= 1e-4 * fabs(fd) + 1e-5 * gmax + 1e-7))
            fail_msg("%s %s input %zu of %zu: analytic %.9g finite difference %.9g",
                     fast ? "fast" : "reference", lf_activation_name(s.activation), i, ni,
                     (double)din[i], fd);
    }
    free(in), free(params), free(target), free(out), free(dout), free(act), free(grads);
    free(din), free(work), free(xin), free(xp);
}

static void test_gradients_match_finite_differences(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 7);
    for (int fast = 0; fast < 2; fast++)
        for (int a = 0; a <= LF_ACTIVATION_TANH; a++)
            for (int v = 0; v < 2; v++) {
                /* colour, 3x2 kernel, stride 2 and pooling 2; and gray,
                 * 2x3 'valid', stride 1 */
                lf_layer_desc d = v ? (lf_layer_desc){.channels = 1, .filters = 3,
                                                      .in_height = 7, .in_width = 9,
                                                      .k_height = 2, .k_width = 3,
                                                      .padding = LF_PADDING_VALID}
                                    : (lf_layer_desc){.channels = 3, .filters = 2,
                                                      .in_height = 9, .in_width = 7,
                                                      .k_height = 3, .k_width = 2,
                                                      .stride = 2, .pool = 2};
                d.activation = (lf_activation)a;
                check_gradients(&d, fast, &rng);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_matches_reference_random_shapes),
        cmocka_unit_test(test_gradients_match_finite_differences),
        cmocka_unit_test(test_pool_ties_and_nans_match_reference),
        cmocka_unit_test(test_residual_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
