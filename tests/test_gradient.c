/*
 * test_gradient.c: every gradient the trainer uses against central finite
 * differences in double precision.
 *
 * The loss is the trainer's: the mean over a batch of patches and over the
 * output pixels of (conv(patch; w, b) - conv(clean patch; k, 0))^2. The test
 * evaluates it in double with its own loops, differentiates it numerically,
 * and compares with the analytic gradient that conv2d_backward_weights (and
 * its reference twin) compute in float from dLoss/dout = 2 (out - target) /
 * (batch * area). The loss is quadratic in the parameters, so the central
 * difference has no truncation error: what remains is rounding, about
 * 1e-13 here. The analytic gradient is float, so the tolerance is 1e-4 of
 * the gradient's largest component per component and 1e-4 relative in norm;
 * a gradient off by a factor 2, or taken with a transposed or flipped
 * kernel, misses by the size of the gradient itself.
 */
#include "test_data_util.h"

#include "learnfilter/conv.h"
#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/trainer.h"

enum { PATCH = 8, BATCH = 3 };

typedef struct problem {
    lf_conv_shape shape;
    const float *inputs[BATCH]; /* PATCH x PATCH each */
    int batch;
    const float *target_kernel; /* what the targets are filtered with */
} problem;

/* The trainer's loss, in double, by the definition in conv.h. */
static double loss_double(const problem *pr, const double *w, double bias)
{
    const lf_conv_shape *s = &pr->shape;
    const int area = s->out_height * s->out_width;
    double total = 0;
    for (int b = 0; b < pr->batch; b++)
        for (int y = 0; y < s->out_height; y++)
            for (int x = 0; x < s->out_width; x++) {
                double out = bias, target = 0;
                for (int i = 0; i < s->k_height; i++)
                    for (int j = 0; j < s->k_width; j++) {
                        int iy = y + i - s->pad_top, ix = x + j - s->pad_left;
                        if (iy < 0 || iy >= s->in_height || ix < 0 || ix >= s->in_width)
                            continue;
                        double v = pr->inputs[b][iy * s->in_width + ix];
                        out += w[i * s->k_width + j] * v;
                        target += (double)pr->target_kernel[i * s->k_width + j] * v;
                    }
                double r = out - target;
                total += r * r;
            }
    return total / ((double)pr->batch * area);
}

/* Central differences for each weight and the bias (the last entry). */
static void numerical_gradient(double *g, const problem *pr, const float *wf, float bias)
{
    const int taps = pr->shape.k_height * pr->shape.k_width;
    double w[64 * 64];
    for (int i = 0; i < taps; i++)
        w[i] = wf[i];
    const double h = 1e-3;
    for (int i = 0; i < taps; i++) {
        double keep = w[i];
        w[i] = keep + h;
        double up = loss_double(pr, w, bias);
        w[i] = keep - h;
        double down = loss_double(pr, w, bias);
        w[i] = keep;
        g[i] = (up - down) / (2 * h);
    }
    g[taps] = (loss_double(pr, w, bias + h) - loss_double(pr, w, bias - h)) / (2 * h);
}

/* The analytic gradient, as the trainer forms it. */
static void analytic_gradient(float *g, const problem *pr, const float *w, float bias,
                              bool reference)
{
    const lf_conv_shape *s = &pr->shape;
    const int taps = s->k_height * s->k_width, area = s->out_height * s->out_width;
    float out[PATCH * PATCH], target[PATCH * PATCH], dout[PATCH * PATCH];
    memset(g, 0, sizeof(float) * (size_t)(taps + 1));
    for (int b = 0; b < pr->batch; b++) {
        conv2d_forward_reference(target, pr->inputs[b], pr->target_kernel, 0.0f, s);
        conv2d_forward(out, pr->inputs[b], w, bias, s);
        for (int p = 0; p < area; p++)
            dout[p] = 2.0f * (out[p] - target[p]) / (float)(pr->batch * area);
        if (reference)
            conv2d_backward_weights_reference(g, &g[taps], dout, pr->inputs[b], s);
        else
            conv2d_backward_weights(g, &g[taps], dout, pr->inputs[b], s);
    }
}

static void compare_gradients(const float *analytic, const double *numeric, int n,
                              const char *what)
{
    double max_abs = 0, diff2 = 0, norm2 = 0;
    for (int i = 0; i < n; i++)
        max_abs = fmax(max_abs, fabs(numeric[i]));
    assert_true(max_abs > 1e-3); /* a zero gradient would prove nothing */
    for (int i = 0; i < n; i++) {
        double d = analytic[i] - numeric[i];
        if (!(fabs(d) <= 1e-4 * max_abs))
            fail_msg("%s: parameter %d: analytic %.9g, finite difference %.9g", what, i,
                     (double)analytic[i], numeric[i]);
        diff2 += d * d;
        norm2 += numeric[i] * numeric[i];
    }
    assert_true(sqrt(diff2 / norm2) <= 1e-4);
}

static void check_case(int kh, int kw, lf_padding padding, uint64_t seed)
{
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    float inputs[BATCH][PATCH * PATCH];
    float target_kernel[64], w[64];
    problem pr = {.shape = lf_conv_shape_make(PATCH, PATCH, kh, kw, padding), .batch = BATCH,
                  .target_kernel = target_kernel};
    for (int b = 0; b < BATCH; b++) {
        tu_fill_uniform(inputs[b], PATCH * PATCH, &rng, 0, 1);
        pr.inputs[b] = inputs[b];
    }
    tu_fill_uniform(target_kernel, (size_t)(kh * kw), &rng, -1, 1);
    tu_fill_uniform(w, (size_t)(kh * kw), &rng, -1, 1);
    float bias = 0.3f;
    const int n = kh * kw + 1;
    double numeric[65];
    float analytic[65];
    numerical_gradient(numeric, &pr, w, bias);
    char what[64];
    snprintf(what, sizeof what, "%dx%d %s fast", kh, kw,
             padding == LF_PADDING_SAME ? "same" : "valid");
    analytic_gradient(analytic, &pr, w, bias, false);
    compare_gradients(analytic, numeric, n, what);
    snprintf(what, sizeof what, "%dx%d %s reference", kh, kw,
             padding == LF_PADDING_SAME ? "same" : "valid");
    analytic_gradient(analytic, &pr, w, bias, true);
    compare_gradients(analytic, numeric, n, what);
}

static void test_gradient_3x3_same(void **state) { (void)state; check_case(3, 3, LF_PADDING_SAME, 1); }
static void test_gradient_3x3_valid(void **state) { (void)state; check_case(3, 3, LF_PADDING_VALID, 2); }
static void test_gradient_4x4_same(void **state) { (void)state; check_case(4, 4, LF_PADDING_SAME, 3); }
static void test_gradient_2x3_same(void **state) { (void)state; check_case(2, 3, LF_PADDING_SAME, 4); }
static void test_gradient_3x2_valid(void **state) { (void)state; check_case(3, 2, LF_PADDING_VALID, 5); }
static void test_gradient_1x1_same(void **state) { (void)state; check_case(1, 1, LF_PADDING_SAME, 6); }

/* The comparison itself must notice a wrong gradient: twice the true one,
 * and the true one of the transposed problem. */
static void test_wrong_gradients_are_caught(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 7);
    float inputs[BATCH][PATCH * PATCH], target_kernel[9], w[9];
    problem pr = {.shape = lf_conv_shape_make(PATCH, PATCH, 3, 3, LF_PADDING_SAME),
                  .batch = BATCH, .target_kernel = target_kernel};
    for (int b = 0; b < BATCH; b++) {
        tu_fill_uniform(inputs[b], PATCH * PATCH, &rng, 0, 1);
        pr.inputs[b] = inputs[b];
    }
    tu_fill_uniform(target_kernel, 9, &rng, -1, 1);
    tu_fill_uniform(w, 9, &rng, -1, 1);
    double numeric[10];
    float analytic[10];
    numerical_gradient(numeric, &pr, w, 0.0f);
    analytic_gradient(analytic, &pr, w, 0.0f, false);
    double max_abs = 0, worst_doubled = 0, worst_transposed = 0;
    for (int i = 0; i < 10; i++)
        max_abs = fmax(max_abs, fabs(numeric[i]));
    for (int i = 0; i < 10; i++) {
        worst_doubled = fmax(worst_doubled, fabs(2 * analytic[i] - numeric[i]));
        int t = i < 9 ? (i % 3) * 3 + i / 3 : 9;
        worst_transposed = fmax(worst_transposed, fabs(analytic[t] - numeric[i]));
    }
    assert_true(worst_doubled > 1e-2 * max_abs);
    assert_true(worst_transposed > 1e-2 * max_abs);
}

/* ====================================================== trainer's step */

/* A dataset of 4 random 8x8 patches, all for training. */
static void make_dataset(lf_dataset *ds, uint64_t seed)
{
    lf_image img;
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    td_noise_image(&img, 2 * PATCH, 2 * PATCH, &rng);
    td_dataset(ds, &img, 1,
               &(lf_dataset_options){.patch_size = PATCH, .validation_fraction = -1, .seed = seed});
    assert_int_equal(ds->train_count, 4);
}

/* One SGD step without momentum over the whole training set moves the
 * weights by exactly -lr * g, and lowers the loss by lr * |g|^2 to first
 * order (the second-order term is lr^2 g'Hg / 2, under 1% of it here). */
static void test_sgd_step_follows_gradient(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 11);
    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, "sobel-x", 0, NULL), LF_OK);
    const float lr = 1e-3f;
    lf_trainer_options o = {
        .target = k,
        .settings = {.optimizer = LF_OPTIMIZER_SGD, .learning_rate = lr, .momentum = 0,
                     .nesterov = false, .batch_size = 4},
        .seed = 3};
    lf_error err;
    lf_trainer *t = lf_trainer_create(&o, &ds, &err);
    assert_non_null(t);

    problem pr = {.shape = lf_conv_shape_make(PATCH, PATCH, 3, 3, LF_PADDING_SAME), .batch = 3,
                  .target_kernel = k.weights};
    /* BATCH is 3; the trainer's batch is 4: evaluate in two parts. */
    const float *all[4];
    for (int p = 0; p < 4; p++)
        all[p] = lf_dataset_input(&ds, p);
    float w0[9];
    memcpy(w0, lf_trainer_weights(t), sizeof w0);
    float b0 = lf_trainer_bias(t);
    assert_true(b0 == 0.0f);

    double g[10] = {0}, part[10];
    double w0d[9], loss0 = 0;
    for (int i = 0; i < 9; i++)
        w0d[i] = w0[i];
    for (int first = 0; first < 4; first += 2) {
        pr.batch = 2;
        pr.inputs[0] = all[first];
        pr.inputs[1] = all[first + 1];
        numerical_gradient(part, &pr, w0, b0);
        for (int i = 0; i < 10; i++)
            g[i] += part[i] / 2; /* the mean of two halves' means */
        loss0 += loss_double(&pr, w0d, b0) / 2;
    }
    tu_assert_near(lf_trainer_evaluate(t, 0, 4), loss0, 1e-6 * loss0);

    assert_int_equal(lf_trainer_step(t, &err), LF_OK);
    const lf_figures *f = lf_trainer_figures(t);
    tu_assert_near(f->step_loss, loss0, 1e-6 * loss0);
    const float *w1 = lf_trainer_weights(t);
    double g2 = 0;
    for (int i = 0; i < 9; i++) {
        tu_assert_near(w1[i], w0[i] - lr * g[i], 1e-6 * fabs(w0[i]) + 1e-4 * lr * fabs(g[i]) + 1e-9);
        g2 += g[i] * g[i];
    }
    tu_assert_near(lf_trainer_bias(t), b0 - lr * g[9], 1e-4 * lr * fabs(g[9]) + 1e-9);
    g2 += g[9] * g[9];

    double w1d[9], loss1 = 0;
    for (int i = 0; i < 9; i++)
        w1d[i] = w1[i];
    for (int first = 0; first < 4; first += 2) {
        pr.inputs[0] = all[first];
        pr.inputs[1] = all[first + 1];
        loss1 += loss_double(&pr, w1d, lf_trainer_bias(t)) / 2;
    }
    double decrease = loss0 - loss1, predicted = lr * g2;
    assert_true(decrease > 0);
    tu_assert_near(decrease, predicted, 0.02 * predicted);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradient_3x3_same),
        cmocka_unit_test(test_gradient_3x3_valid),
        cmocka_unit_test(test_gradient_4x4_same),
        cmocka_unit_test(test_gradient_2x3_same),
        cmocka_unit_test(test_gradient_3x2_valid),
        cmocka_unit_test(test_gradient_1x1_same),
        cmocka_unit_test(test_wrong_gradients_are_caught),
        cmocka_unit_test(test_sgd_step_follows_gradient),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
