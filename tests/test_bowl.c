/*
 * test_bowl.c: the loss over two parameters against the loss computed the
 * long way, and its bottom against a brute-force search.
 *
 * The grid's values are checked at corners, centre and bottom against
 * convolving every patch with the changed kernel (conv2d_forward_reference)
 * and averaging the squared residual; the present loss against the trainer's
 * own evaluation, on the direct engine, so it is the loss the program shows.
 */
#include "test_util.h"

#include "learnfilter/bowl.h"
#include "learnfilter/conv.h"
#include "learnfilter/dataset.h"
#include "learnfilter/gram.h"
#include "learnfilter/gramspec.h"
#include "learnfilter/image.h"
#include "learnfilter/kernel.h"
#include "learnfilter/trainer.h"

enum { S = 20, COUNT = 3, KH = 3, KW = 3, P = KH * KW + 1 };

/* Photo-like patches: smooth waves and some noise. */
static void make_patches(float patches[COUNT][S * S])
{
    lf_rng rng;
    lf_rng_seed(&rng, 21);
    for (int i = 0; i < COUNT; i++)
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++)
                patches[i][y * S + x] =
                    (float)(0.5 + 0.3 * sin(0.3 * y + i) * cos(0.2 * x) + 0.2 * lf_rng_uniform(&rng));
}

/* The definition: mean over patches and pixels of (conv(w, b) - conv(truth, 0))^2. */
static double direct_loss(float patches[COUNT][S * S], const float *params, const float *truth,
                          const lf_conv_shape *shape)
{
    static float out[S * S], target[S * S];
    const int area = shape->out_height * shape->out_width;
    double total = 0;
    for (int i = 0; i < COUNT; i++) {
        conv2d_forward_reference(out, patches[i], params, params[KH * KW], shape);
        conv2d_forward_reference(target, patches[i], truth, 0.0f, shape);
        double sum = 0;
        for (int k = 0; k < area; k++)
            sum += ((double)out[k] - target[k]) * ((double)out[k] - target[k]);
        total += sum / area;
    }
    return total / COUNT;
}

static void check_pair(lf_padding padding, int i, int j)
{
    static float patches[COUNT][S * S];
    make_patches(patches);
    lf_conv_shape shape = lf_conv_shape_make(S, S, KH, KW, padding);
    const float *list[COUNT] = {patches[0], patches[1], patches[2]};
    double a[P * P];
    assert_int_equal(lf_gram_mean_of_patches(a, P * P, list, COUNT, &shape, NULL), LF_OK);
    float truth[KH * KW] = {0.1f, -0.2f, 0.3f, 0.05f, 0.6f, -0.1f, 0.2f, 0.0f, -0.3f};
    float params[P];
    for (int k = 0; k < KH * KW; k++)
        params[k] = truth[k] + 0.1f * (float)((k * 7) % 5 - 2);
    params[KH * KW] = 0.05f;

    enum { C = 21, R = 17 };
    static double loss[C * R];
    lf_bowl bowl;
    lf_bowl_options o = {.columns = C, .rows = R};
    assert_int_equal(lf_bowl_compute(&bowl, loss, C * R, a, P, params, truth, i, j, &o, NULL),
                     LF_OK);
    assert_true(bowl.min_found);
    tu_assert_near(bowl.current_loss, direct_loss(patches, params, truth, &shape),
                   1e-5 * bowl.current_loss);
    /* Both points inside the range, with room. */
    assert_true(bowl.x0 < bowl.current_x && bowl.current_x < bowl.x1);
    assert_true(bowl.x0 < bowl.min_x && bowl.min_x < bowl.x1);
    assert_true(bowl.y0 < bowl.current_y && bowl.current_y < bowl.y1);
    assert_true(bowl.y0 < bowl.min_y && bowl.min_y < bowl.y1);
    tu_assert_near(bowl.x1 - bowl.x0, bowl.y1 - bowl.y0, 1e-12);

    /* Grid points against the definition. */
    const int points[][2] = {{0, 0}, {C - 1, 0}, {0, R - 1}, {C - 1, R - 1}, {C / 2, R / 2}, {3, 11}};
    for (size_t n = 0; n < sizeof points / sizeof points[0]; n++) {
        int c = points[n][0], r = points[n][1];
        float changed[P];
        memcpy(changed, params, sizeof changed);
        changed[i] = (float)(bowl.x0 + (bowl.x1 - bowl.x0) * c / (C - 1));
        changed[j] = (float)(bowl.y0 + (bowl.y1 - bowl.y0) * r / (R - 1));
        /* The grid's own coordinates are doubles; the check convolves with
         * their float rounding, so it compares the loss of the float kernel
         * through the quadratic too. */
        double d[P];
        assert_int_equal(lf_gramspec_delta(d, P, changed, truth, KH * KW, NULL), LF_OK);
        double want = direct_loss(patches, changed, truth, &shape);
        tu_assert_near(lf_bowl_quadratic(a, P, d), want, 2e-5 * want);
        tu_assert_near(loss[r * C + c], want, 1e-4 * want);
    }

    /* The bottom against a brute-force search of d^T A d over the range:
     * the search's best point is within one step of it, and no grid point
     * is lower than the bottom. */
    enum { FINE = 401 };
    double best = INFINITY, best_x = 0, best_y = 0;
    const double step = (bowl.x1 - bowl.x0) / (FINE - 1);
    double d[P];
    assert_int_equal(lf_gramspec_delta(d, P, params, truth, KH * KW, NULL), LF_OK);
    for (int r = 0; r < FINE; r++)
        for (int c = 0; c < FINE; c++) {
            double x = bowl.x0 + step * c, y = bowl.y0 + step * r;
            d[i] = x - (i < KH * KW ? truth[i] : 0);
            d[j] = y - (j < KH * KW ? truth[j] : 0);
            double v = lf_bowl_quadratic(a, P, d);
            if (v < best) {
                best = v;
                best_x = x;
                best_y = y;
            }
        }
    tu_assert_near(bowl.min_x, best_x, step);
    tu_assert_near(bowl.min_y, best_y, step);
    assert_true(bowl.min_loss <= best + 1e-12);
    assert_true(bowl.min_loss >= best - 1e-3 * (bowl.current_loss - best));
    assert_true(bowl.grid_min >= bowl.min_loss - 1e-12);

    double levels[5];
    assert_int_equal(lf_bowl_levels(levels, 5, 5, &bowl, NULL), LF_OK);
    tu_assert_near(levels[4], bowl.min_loss + (bowl.grid_max - bowl.min_loss) / 2, 1e-12);
    tu_assert_near(levels[0], bowl.min_loss + (bowl.grid_max - bowl.min_loss) / 32, 1e-12);
    for (int k = 1; k < 5; k++)
        assert_true(levels[k] > levels[k - 1]);
}

static void test_grid_and_bottom(void **state)
{
    (void)state;
    check_pair(LF_PADDING_SAME, 1, 5);
    check_pair(LF_PADDING_VALID, 4, 0);
    check_pair(LF_PADDING_SAME, 8, P - 1); /* a tap against the bias */
}

/* The present point's loss is the loss the trainer reports for its
 * training patches (lf_trainer_evaluate, on the direct engine, which
 * convolves). */
static void test_matches_trainer(void **state)
{
    (void)state;
    enum { N = 6, SIDE = 24 };
    lf_image images[N];
    lf_rng rng;
    lf_rng_seed(&rng, 8);
    for (int i = 0; i < N; i++) {
        assert_int_equal(lf_image_init(&images[i], SIDE, SIDE, NULL), LF_OK);
        for (int k = 0; k < SIDE * SIDE; k++)
            images[i].pixels[k] = (float)(0.5 + 0.3 * sin(0.2 * k + i) + 0.2 * lf_rng_uniform(&rng));
    }
    lf_dataset ds;
    lf_dataset_options dopt = {.patch_size = SIDE, .seed = 3};
    assert_int_equal(lf_dataset_from_images(&ds, images, N, &dopt, NULL), LF_OK);
    for (int i = 0; i < N; i++)
        lf_image_deinit(&images[i]);
    lf_trainer_options o = {.padding = LF_PADDING_SAME, .seed = 7, .engine = LF_ENGINE_DIRECT};
    assert_int_equal(lf_kernel_from_name(&o.target, "sobel-x", 1, NULL), LF_OK);
    lf_error err;
    lf_trainer *t = lf_trainer_create(&o, &ds, &err);
    if (!t)
        fail_msg("trainer: %s", err.message);
    for (int s = 0; s < 5; s++)
        assert_int_equal(lf_trainer_step(t, NULL), LF_OK);
    const int taps = o.target.height * o.target.width, p = taps + 1;
    lf_conv_shape shape = lf_conv_shape_make(SIDE, SIDE, o.target.height, o.target.width,
                                             LF_PADDING_SAME);
    const float *list[N];
    for (int k = 0; k < ds.train_count; k++)
        list[k] = lf_dataset_input(&ds, k);
    static double a[P * P], loss[9];
    assert_int_equal(lf_gram_mean_of_patches(a, P * P, list, ds.train_count, &shape, NULL), LF_OK);
    lf_bowl bowl;
    lf_bowl_options bo = {.columns = 3, .rows = 3};
    assert_int_equal(lf_bowl_compute(&bowl, loss, 9, a, p, lf_trainer_weights(t),
                                     o.target.weights, 0, 4, &bo, NULL),
                     LF_OK);
    double reported = lf_trainer_evaluate(t, 0, ds.train_count);
    tu_assert_near(bowl.current_loss, reported, 1e-5 * reported);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

static void test_refusals(void **state)
{
    (void)state;
    double a[4] = {1, 0, 0, 1}, loss[16];
    float params[2] = {0, 0}, truth[1] = {0};
    lf_bowl bowl;
    lf_error err;
    assert_int_equal(lf_bowl_compute(&bowl, loss, 16, a, 2, params, truth, 0, 0, NULL, &err),
                     LF_ERR_ARGUMENT);
    assert_int_equal(lf_bowl_compute(&bowl, loss, 16, a, 2, params, truth, 0, 2, NULL, &err),
                     LF_ERR_ARGUMENT);
    /* The default 41 x 41 grid does not fit in 16. */
    assert_int_equal(lf_bowl_compute(&bowl, loss, 16, a, 2, params, truth, 0, 1, NULL, &err),
                     LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "41x41"));
    lf_bowl_options o = {.columns = 4, .rows = 4, .margin = -1};
    assert_int_equal(lf_bowl_compute(&bowl, loss, 16, a, 2, params, truth, 0, 1, &o, &err),
                     LF_ERR_ARGUMENT);
    o.margin = 0;
    assert_int_equal(lf_bowl_compute(&bowl, loss, 16, a, 2, params, truth, 0, 1, &o, &err), LF_OK);
    /* Already at the bottom: the least half-width keeps the range open. */
    tu_assert_near(bowl.x1 - bowl.x0, 2e-3, 1e-15);
    double levels[LF_BOWL_MAX_LEVELS + 1];
    assert_int_equal(lf_bowl_levels(levels, LF_BOWL_MAX_LEVELS + 1, LF_BOWL_MAX_LEVELS + 1, &bowl,
                                    &err),
                     LF_ERR_ARGUMENT);
    assert_int_equal(lf_bowl_levels(levels, 2, 3, &bowl, &err), LF_ERR_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_and_bottom),
        cmocka_unit_test(test_matches_trainer),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
