/*
 * test_bestfit.c: the best linear filter in closed form.
 *
 * The fit from the statistics (gram.c, conv.c, Cholesky) is held against an
 * independent computation (test_lstsq.h): the explicit matrix X of input
 * values under the kernel at every pixel, built pixel by pixel in double,
 * and its normal equations solved by Gaussian elimination with partial
 * pivoting.
 * A linear target must come back exactly with a zero floor; a median has a
 * floor above zero and below the target's own power; input noise moves the
 * best filter away from the true kernel, and the trainer reports that
 * distance for whichever kernel it learns.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learnfilter/bestfit.h"
#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/rng.h"
#include "learnfilter/trainer.h"
#include "test_lstsq.h"
#include "test_util.h"

/* Smooth random images (a random field blurred once), cut into patches. */
static void make_dataset(lf_dataset *ds, int images, int side, int patch, float noise)
{
    lf_image img[4];
    lf_rng rng;
    lf_rng_seed(&rng, 5);
    for (int i = 0; i < images; i++) {
        assert_int_equal(lf_image_init(&img[i], side, side, NULL), LF_OK);
        float *raw = malloc(sizeof(float) * (size_t)side * (size_t)side);
        tu_fill_uniform(raw, (size_t)side * (size_t)side, &rng, 0, 1);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) {
                double s = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        if (y + dy >= 0 && y + dy < side && x + dx >= 0 && x + dx < side) {
                            s += raw[(y + dy) * side + x + dx] * (dy == 0 && dx == 0 ? 4 : 1);
                            n += dy == 0 && dx == 0 ? 4 : 1;
                        }
                img[i].pixels[y * side + x] = (float)(s / n);
            }
        free(raw);
    }
    lf_dataset_options o = {.patch_size = patch, .seed = 3, .noise_sigma = noise,
                            .validation_fraction = -1};
    assert_int_equal(lf_dataset_from_images(ds, img, images, &o, NULL), LF_OK);
    for (int i = 0; i < images; i++)
        lf_image_deinit(&img[i]);
}

static void test_linear_target_is_recovered(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 2, 64, 32, 0);
    lf_kernel sobel;
    lf_error err;
    assert_int_equal(lf_kernel_from_name(&sobel, "sobel-x", 1, &err), LF_OK);
    lf_op target = {.kind = LF_OP_KERNEL, .kernel = sobel.weights, .kernel_h = 3, .kernel_w = 3};
    lf_best_fit fit;
    float w[9];
    assert_int_equal(lf_best_fit_compute(&fit, &ds, 0, ds.patch_count, &target, 3, 3,
                                         LF_PADDING_SAME, w, 9, &err),
                     LF_OK);
    for (int i = 0; i < 9; i++)
        tu_assert_near(w[i], sobel.weights[i], 2e-3);
    tu_assert_near(fit.bias, 0, 1e-3);
    assert_true(fit.loss <= 1e-6 * fit.target_mean_square);
    assert_int_equal(fit.values, (long)ds.patch_count * 32 * 32);
    assert_false(fit.regularised);
    lf_dataset_deinit(&ds);
}

static void check_against_explicit(const lf_dataset *ds, const lf_op *target, int kh, int kw,
                                   lf_best_fit *fit, float *w)
{
    lf_error err;
    assert_int_equal(lf_best_fit_compute(fit, ds, 0, ds->patch_count, target, kh, kw,
                                         LF_PADDING_SAME, w, (size_t)(kh * kw), &err),
                     LF_OK);
    double theta[26], loss;
    lstsq_fit(ds, 0, ds->patch_count, target, kh, kw, theta, &loss);
    for (int i = 0; i < kh * kw; i++)
        tu_assert_near(w[i], theta[i], 2e-3 * (1 + fabs(theta[i])));
    tu_assert_near(fit->bias, theta[kh * kw], 2e-3);
    tu_assert_near(fit->loss, loss, 1e-3 * loss + 1e-12);
}

static void test_median_floor_matches_explicit_solve(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 2, 48, 24, 0);
    lf_op median = {.kind = LF_OP_MEDIAN, .size = 3};
    lf_best_fit fit;
    float w[9];
    check_against_explicit(&ds, &median, 3, 3, &fit, w);
    /* A median is not linear: a floor above zero, below doing nothing. */
    assert_true(fit.loss > 1e-4 * fit.target_mean_square);
    assert_true(fit.loss < 0.1 * fit.target_mean_square);
    lf_op max5 = {.kind = LF_OP_MAX, .size = 5};
    float w5[25];
    check_against_explicit(&ds, &max5, 5, 5, &fit, w5);
    lf_dataset_deinit(&ds);
}

/* The inverse crime undone: with noisy inputs the best filter is not the
 * kernel that made the (clean) targets. */
static void test_noise_moves_the_best_filter(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 2, 48, 24, 0.05f);
    lf_kernel sobel;
    lf_error err;
    assert_int_equal(lf_kernel_from_name(&sobel, "sobel-x", 1, &err), LF_OK);
    lf_op target = {.kind = LF_OP_KERNEL, .kernel = sobel.weights, .kernel_h = 3, .kernel_w = 3};
    lf_best_fit fit;
    float w[9];
    check_against_explicit(&ds, &target, 3, 3, &fit, w);
    assert_true(lf_relative_error(w, sobel.weights, 9) > 0.01);
    assert_true(fit.loss > 0);
    lf_dataset_deinit(&ds);
}

/* The trainer solves the same fit for its kernel when the inputs are
 * noisy, says how far the best filter is from the kernel, solves again
 * when the kernel changes, and has no such figure without noise. The
 * expected distance comes from the explicit solve. */
static double explicit_distance(const lf_dataset *ds, const char *name, lf_best_fit *fit)
{
    lf_kernel k;
    lf_error err;
    assert_int_equal(lf_kernel_from_name(&k, name, 1, &err), LF_OK);
    lf_op target = {.kind = LF_OP_KERNEL, .kernel = k.weights, .kernel_h = k.height,
                    .kernel_w = k.width};
    float w[25];
    check_against_explicit(ds, &target, k.height, k.width, fit, w);
    return lf_relative_error(w, k.weights, (size_t)(k.height * k.width));
}

static void test_trainer_reports_the_noisy_best_filter(void **state)
{
    (void)state;
    lf_dataset noisy, clean;
    make_dataset(&noisy, 2, 48, 24, 0.05f);
    make_dataset(&clean, 2, 48, 24, 0);
    lf_error err;
    lf_trainer_options o = {0};
    assert_int_equal(lf_kernel_from_name(&o.target, "sobel-x", 1, &err), LF_OK);
    lf_trainer *t = lf_trainer_create(&o, &noisy, &err);
    assert_non_null(t);
    lf_best_fit fit;
    double expected = explicit_distance(&noisy, "sobel-x", &fit);
    assert_true(expected > 0.01);
    tu_assert_near(lf_trainer_best_rel_err_to_kernel(t), expected, 1e-3 * expected);
    tu_assert_near(lf_trainer_best_fit(t)->loss, fit.loss, 1e-3 * fit.loss);
    lf_snapshot snap;
    assert_int_equal(lf_snapshot_init(&snap, 24, &err), LF_OK);
    lf_trainer_snapshot(t, &snap, false);
    assert_false(snap.learning_operation);
    tu_assert_near(snap.best_rel_err_to_kernel, expected, 1e-3 * expected);
    tu_assert_near(snap.best.loss, fit.loss, 1e-3 * fit.loss);

    lf_kernel laplacian;
    assert_int_equal(lf_kernel_from_name(&laplacian, "laplacian", 1, &err), LF_OK);
    assert_int_equal(lf_trainer_set_kernel(t, &laplacian, NULL, &err), LF_OK);
    double expected2 = explicit_distance(&noisy, "laplacian", &fit);
    assert_true(fabs(expected2 - expected) > 1e-3);
    tu_assert_near(lf_trainer_best_rel_err_to_kernel(t), expected2, 1e-3 * expected2);
    lf_trainer_destroy(t);

    t = lf_trainer_create(&o, &clean, &err);
    assert_non_null(t);
    assert_true(isnan(lf_trainer_best_rel_err_to_kernel(t)));
    assert_int_equal(lf_trainer_best_fit(t)->values, 0);
    lf_trainer_snapshot(t, &snap, false);
    assert_true(isnan(snap.best_rel_err_to_kernel));
    lf_trainer_destroy(t);
    lf_snapshot_deinit(&snap);
    lf_dataset_deinit(&noisy);
    lf_dataset_deinit(&clean);
}

/* Taps that only ever read padding are not determined: a tiny ridge keeps
 * them at zero instead of failing. */
static void test_kernel_wider_than_patch(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 1, 16, 8, 0);
    lf_op mean = {.kind = LF_OP_MEAN, .size = 3};
    lf_best_fit fit;
    float w[21 * 21];
    lf_error err;
    assert_int_equal(lf_best_fit_compute(&fit, &ds, 0, ds.patch_count, &mean, 21, 21,
                                         LF_PADDING_SAME, w, 21 * 21, &err),
                     LF_OK);
    assert_true(fit.regularised);
    assert_true(w[0] == 0 || fabs(w[0]) < 1e-6); /* the corner tap reaches 10 pixels out */
    for (int i = 0; i < 21 * 21; i++)
        assert_true(isfinite(w[i]));
    assert_true(fit.loss < 0.01 * fit.target_mean_square);
    lf_dataset_deinit(&ds);
}

static void test_bad_requests(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 1, 16, 8, 0);
    lf_op mean = {.kind = LF_OP_MEAN, .size = 3};
    lf_best_fit fit;
    float w[9];
    lf_error err;
    assert_int_equal(lf_best_fit_compute(&fit, &ds, 0, ds.patch_count, &mean, 3, 3,
                                         LF_PADDING_SAME, w, 8, &err),
                     LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "do not hold"));
    assert_int_equal(lf_best_fit_compute(&fit, &ds, 0, ds.patch_count + 1, &mean, 3, 3,
                                         LF_PADDING_SAME, w, 9, &err),
                     LF_ERR_ARGUMENT);
    /* A 'valid' layer is smaller than the 'same' target. */
    assert_int_equal(lf_best_fit_compute(&fit, &ds, 0, ds.patch_count, &mean, 3, 3,
                                         LF_PADDING_VALID, w, 9, &err),
                     LF_ERR_ARGUMENT);
    if (!strstr(err.message, "the layer's output is 6x6"))
        fail_msg("%s", err.message);
    lf_dataset_deinit(&ds);
}

static void test_solver(void **state)
{
    (void)state;
    double a[9] = {4, 2, 0, 2, 5, 1, 0, 1, 3}, b[3] = {2, 3, 4}, x[3];
    bool regularised;
    assert_true(lf_solve_spd(a, x, b, 3, 1e-9, &regularised));
    assert_false(regularised);
    /* Worked by hand: x = (9, 4, 28) / 22. */
    tu_assert_near(x[0], 9.0 / 22, 1e-12);
    tu_assert_near(x[1], 4.0 / 22, 1e-12);
    tu_assert_near(x[2], 28.0 / 22, 1e-12);
    double singular[4] = {1, 1, 1, 1}, rhs[2] = {1, 1}, y[2];
    assert_true(lf_solve_spd(singular, y, rhs, 2, 1e-9, &regularised));
    assert_true(regularised);
    tu_assert_near(y[0] + y[1], 1, 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solver),
        cmocka_unit_test(test_linear_target_is_recovered),
        cmocka_unit_test(test_median_floor_matches_explicit_solve),
        cmocka_unit_test(test_noise_moves_the_best_filter),
        cmocka_unit_test(test_trainer_reports_the_noisy_best_filter),
        cmocka_unit_test(test_kernel_wider_than_patch),
        cmocka_unit_test(test_bad_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
