/*
 * test_conv_fused.c: the fused forward-residual-gradient pass (conv.h,
 * conv2d_fused_rows) against its plain reference twin, its gradient against
 * central finite differences, and its target made on the way.
 *
 * Tolerances, from the float error of each stage (u = 2^-24, g(n) = n u /
 * (1 - n u)). At an output pixel with M = |bias| + sum |w| |in| (and T, the
 * same sum for the true filter when the target is made on the way), the
 * float output is within g(K + 1) M of the exact one and the residual r
 * within dr = g(K + 2) (M + |target|) + g(K + 1) T. Each tap's gradient is a
 * float sum along a row of n = ceil(width / 16) + 1 products per lane, then
 * a double sum: within sum dr |in| + g(n + 1) sum |r| |in|. The loss:
 * within sum (2 |r| dr + dr^2) + g(n + 1) sum r^2. The test allows twice
 * that. A wrong tap, offset, padding or row changes a sum by a whole term,
 * orders of magnitude past it.
 */
#include "test_util.h"

#include <float.h>

#include "learnfilter/conv.h"

static double gamma_n(int n)
{
    const double u = ldexp(1.0, -24);
    return n * u / (1 - n * u);
}

/* The input under tap (i, j) of output (y, x), zero in the padding. */
static double tap_input(const float *in, const lf_conv_shape *s, int y, int x, int i, int j)
{
    int iy = y + i - s->pad_top, ix = x + j - s->pad_left;
    if (iy < 0 || iy >= s->in_height || ix < 0 || ix >= s->in_width)
        return 0;
    return in[iy * s->in_width + ix];
}

/* The bounds above for rows [y0, y1): bound[t] per tap, then the bias's,
 * then the loss's. */
static void error_bounds(double *bound, const float *in, const float *target, const float *tw,
                         const float *w, float bias, const lf_conv_shape *s, int y0, int y1)
{
    const int taps = s->k_height * s->k_width;
    const int n = (s->out_width + 15) / 16 + 1;
    memset(bound, 0, sizeof(double) * (size_t)(taps + 2));
    double sum_r2 = 0;
    double *sum_rin = calloc((size_t)taps + 1, sizeof(double));
    assert_non_null(sum_rin);
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < s->out_width; x++) {
            double m = fabs(bias), truth_m = 0, out = bias, truth = 0;
            for (int i = 0; i < s->k_height; i++)
                for (int j = 0; j < s->k_width; j++) {
                    double v = tap_input(in, s, y, x, i, j);
                    m += fabs(w[i * s->k_width + j] * v);
                    out += w[i * s->k_width + j] * v;
                    if (tw) {
                        truth_m += fabs(tw[i * s->k_width + j] * v);
                        truth += tw[i * s->k_width + j] * v;
                    }
                }
            if (!tw)
                truth = target[y * s->out_width + x];
            double r = out - truth;
            double dr = gamma_n(taps + 2) * (m + fabs(truth)) + gamma_n(taps + 1) * truth_m;
            for (int i = 0; i < s->k_height; i++)
                for (int j = 0; j < s->k_width; j++) {
                    double v = fabs(tap_input(in, s, y, x, i, j));
                    bound[i * s->k_width + j] += dr * v;
                    sum_rin[i * s->k_width + j] += fabs(r) * v;
                }
            bound[taps] += dr;
            sum_rin[taps] += fabs(r);
            bound[taps + 1] += 2 * fabs(r) * dr + dr * dr;
            sum_r2 += r * r;
        }
    for (int t = 0; t <= taps; t++)
        bound[t] = 2 * (bound[t] + gamma_n(n + 1) * sum_rin[t]) + 1e-12;
    bound[taps + 1] = 2 * (bound[taps + 1] + gamma_n(n + 1) * sum_r2) + 1e-12;
    free(sum_rin);
}

/* One shape: the fast pass over a band and over the whole patch against the
 * reference, with a stored target and with one made on the way. */
static void compare_one(int h, int w, int kh, int kw, lf_padding padding, lf_rng *rng)
{
    lf_conv_shape s = lf_conv_shape_make(h, w, kh, kw, padding);
    const int taps = kh * kw;
    const size_t in_n = (size_t)h * w, out_n = (size_t)s.out_height * s.out_width;
    float *in = malloc(sizeof(float) * in_n), *target = malloc(sizeof(float) * (out_n + 1));
    float weights[LF_CONV_FUSED_MAX_TAPS], truth_w[LF_CONV_FUSED_MAX_TAPS];
    size_t work_n = conv2d_fused_work_floats(&s);
    float *work = malloc(sizeof(float) * work_n);
    double *fast = calloc((size_t)taps + 1, sizeof(double));
    double *ref = calloc((size_t)taps + 1, sizeof(double));
    double *bound = malloc(sizeof(double) * ((size_t)taps + 2));
    assert_true(in && target && work && fast && ref && bound);
    tu_fill_uniform(in, in_n, rng, -1, 1);
    tu_fill_uniform(target, out_n + 1, rng, -2, 2);
    tu_fill_uniform(weights, (size_t)taps, rng, -1, 1);
    tu_fill_uniform(truth_w, (size_t)taps, rng, -1, 1);
    const float bias = 0.25f;
    const int bands[][2] = {{0, s.out_height}, {s.out_height / 3, s.out_height - 1}};
    for (int b = 0; b < 2; b++)
        for (int on_demand = 0; on_demand < 2; on_demand++) {
            int y0 = bands[b][0], y1 = bands[b][1];
            const float *tw = on_demand ? truth_w : NULL;
            memset(fast, 0, sizeof(double) * ((size_t)taps + 1));
            memset(ref, 0, sizeof(double) * ((size_t)taps + 1));
            double loss = conv2d_fused_rows(fast, in, target, tw, weights, bias, &s, y0, y1,
                                            work, work_n);
            double ref_loss =
                conv2d_fused_rows_reference(ref, in, target, tw, weights, bias, &s, y0, y1);
            error_bounds(bound, in, target, tw, weights, bias, &s, y0, y1);
            for (int t = 0; t <= taps; t++)
                tu_assert_near(fast[t], ref[t], bound[t]);
            tu_assert_near(loss, ref_loss, bound[taps + 1]);
            /* the loss alone is the same sum */
            double alone = conv2d_fused_rows(NULL, in, target, tw, weights, bias, &s, y0, y1,
                                             work, work_n);
            assert_true(alone == loss);
        }
    free(in);
    free(target);
    free(work);
    free(fast);
    free(ref);
    free(bound);
}

static void test_fast_matches_reference(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 7);
    /* 3x3 and 5x5 take their own unrolled loops, the rest the general
     * one; widths below, at and off a multiple of the 16 lanes */
    const int sizes[][4] = {{40, 64, 3, 3}, {33, 37, 3, 3}, {9, 15, 3, 3}, {20, 16, 5, 5},
                            {31, 50, 5, 5}, {17, 33, 1, 1}, {12, 29, 2, 5}, {25, 40, 4, 4},
                            {19, 23, 7, 7}, {21, 48, 8, 8}, {6, 70, 1, 20}, {5, 5, 3, 3}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int p = 0; p < 2; p++)
            compare_one(sizes[i][0], sizes[i][1], sizes[i][2], sizes[i][3],
                        p ? LF_PADDING_VALID : LF_PADDING_SAME, &rng);
}

/* The target made on the way comes from the same arithmetic as the output:
 * at the true weights and a zero bias every residual is exactly zero, so
 * the loss and the gradient are exactly zero, whatever the row's length;
 * with a stored target (conv2d_forward's) they are zero up to rounding. */
static void test_on_demand_target_is_exact(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 11);
    const int sizes[][4] = {{64, 64, 3, 3}, {30, 45, 5, 5}, {27, 35, 4, 3}, {18, 21, 3, 3}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (int p = 0; p < 2; p++) {
            lf_conv_shape s = lf_conv_shape_make(sizes[k][0], sizes[k][1], sizes[k][2],
                                                 sizes[k][3], p ? LF_PADDING_VALID
                                                                : LF_PADDING_SAME);
            const int taps = s.k_height * s.k_width;
            float *in = malloc(sizeof(float) * (size_t)s.in_height * s.in_width);
            float *target = malloc(sizeof(float) * (size_t)s.out_height * s.out_width);
            size_t work_n = conv2d_fused_work_floats(&s) + 5;
            float *work = malloc(sizeof(float) * work_n);
            assert_true(in && target && work);
            float tw[LF_CONV_FUSED_MAX_TAPS];
            tu_fill_uniform(in, (size_t)s.in_height * s.in_width, &rng, -1, 1);
            tu_fill_uniform(tw, (size_t)taps, &rng, -1, 1);
            double made[LF_CONV_FUSED_MAX_TAPS + 1] = {0}, zero[LF_CONV_FUSED_MAX_TAPS + 1] = {0};
            /* an odd offset: the pass aligns its rows itself */
            double loss = conv2d_fused_rows(made, in, NULL, tw, tw, 0.0f, &s, 0, s.out_height,
                                            work + 5, work_n - 5);
            assert_true(loss == 0);
            assert_memory_equal(made, zero, sizeof(double) * (size_t)(taps + 1));
            conv2d_forward(target, in, tw, 0.0f, &s);
            double stored = conv2d_fused_rows(NULL, in, target, NULL, tw, 0.0f, &s, 0,
                                              s.out_height, work, work_n);
            assert_true(stored < 1e-10 * s.out_height * s.out_width);
            free(in);
            free(target);
            free(work);
        }
}

/* Half the sum of squared residuals, in double, by the reference. */
static double half_loss(const float *in, const float *target, const float *w, float bias,
                        const lf_conv_shape *s)
{
    return 0.5 * conv2d_fused_rows_reference(NULL, in, target, NULL, w, bias, s, 0,
                                             s->out_height);
}

/* The fast pass's sums are the gradient of half the sum of squares:
 * against central differences. The weights are multiples of 2^-10 and the
 * step 2^-8, so w +- h is exact in float, and the loss is quadratic in each
 * weight, so the difference quotient is exact but for double rounding. */
static void test_gradient_against_finite_differences(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 3);
    const int sizes[][4] = {{24, 40, 3, 3}, {20, 35, 5, 5}, {18, 30, 2, 3}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        lf_conv_shape s = lf_conv_shape_make(sizes[k][0], sizes[k][1], sizes[k][2], sizes[k][3],
                                             LF_PADDING_SAME);
        const int taps = s.k_height * s.k_width;
        const size_t n = (size_t)s.in_height * s.in_width;
        float *in = malloc(sizeof(float) * n), *target = malloc(sizeof(float) * n);
        size_t work_n = conv2d_fused_work_floats(&s);
        float *work = malloc(sizeof(float) * work_n);
        assert_true(in && target && work);
        tu_fill_uniform(in, n, &rng, -1, 1);
        tu_fill_uniform(target, n, &rng, -1, 1);
        float w[LF_CONV_FUSED_MAX_TAPS + 1]; /* the taps, then the bias */
        for (int t = 0; t <= taps; t++)
            w[t] = (float)(floor(lf_rng_uniform(&rng) * 2048) - 1024) / 1024.0f;
        double grad[LF_CONV_FUSED_MAX_TAPS + 1] = {0};
        conv2d_fused_rows(grad, in, target, NULL, w, w[taps], &s, 0, s.out_height, work, work_n);
        const float h = 1.0f / 256;
        for (int t = 0; t <= taps; t++) {
            float saved = w[t];
            w[t] = saved + h;
            double up = half_loss(in, target, w, w[taps], &s);
            w[t] = saved - h;
            double down = half_loss(in, target, w, w[taps], &s);
            w[t] = saved;
            double fd = (up - down) / (2.0 * h);
            /* the fast sums' float error (the bound above, at most about
             * 1e-6 of the magnitudes here) dominates */
            tu_assert_near(grad[t], fd, 1e-5 * (fabs(fd) + (double)n));
        }
        free(in);
        free(target);
        free(work);
    }
}

/* A work area too small, or a kernel past the fused limit, still gives the
 * reference's sums, and nothing is written past the work area. */
static void test_small_work_falls_back(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 5);
    lf_conv_shape s = lf_conv_shape_make(20, 24, 3, 3, LF_PADDING_SAME);
    float in[20 * 24], target[20 * 24], w[9], work[8];
    tu_fill_uniform(in, 20 * 24, &rng, -1, 1);
    tu_fill_uniform(target, 20 * 24, &rng, -1, 1);
    tu_fill_uniform(w, 9, &rng, -1, 1);
    for (int i = 0; i < 8; i++)
        work[i] = 42;
    double a[10] = {0}, b[10] = {0};
    double la = conv2d_fused_rows(a, in, target, NULL, w, 0, &s, 2, 17, work, 7);
    double lb = conv2d_fused_rows_reference(b, in, target, NULL, w, 0, &s, 2, 17);
    assert_true(la == lb);
    assert_memory_equal(a, b, sizeof a);
    for (int i = 0; i < 8; i++)
        assert_true(work[i] == 42);
    /* rows outside the output are clamped: nothing, not a wild read */
    assert_true(conv2d_fused_rows(a, in, target, NULL, w, 0, &s, 20, 40, work, 8) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_matches_reference),
        cmocka_unit_test(test_on_demand_target_is_exact),
        cmocka_unit_test(test_gradient_against_finite_differences),
        cmocka_unit_test(test_small_work_falls_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
