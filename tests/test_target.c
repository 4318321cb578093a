/*
 * test_target.c: learning an operation, and the best a linear layer can do.
 *
 * The operations built on a kernel (abs:K, gradient:K) are held against
 * SciPy (tests/reference/target_reference.txt, written by
 * make_target_reference.py), fast path and reference loops both. The
 * trainer, given a median as its target, must converge to the least-squares
 * filter that an explicit solve finds (test_lstsq.h, which shares nothing
 * with bestfit.c), report that filter's loss as the floor, never train
 * below it, and measure its relative error against that filter.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learnfilter/rng.h"
#include "learnfilter/target.h"
#include "learnfilter/trainer.h"
#include "test_lstsq.h"
#include "test_data_util.h"
#include "test_reference.h"

/* ============================================================ parsing */

static void test_parse(void **state)
{
    (void)state;
    lf_target t;
    lf_error err;
    assert_int_equal(lf_target_parse(&t, "Gradient:Sobel", 1, &err), LF_OK);
    assert_int_equal(t.op.kind, LF_OP_GRADIENT);
    assert_string_equal(t.kernel.name, "sobel-x");
    assert_string_equal(t.name, "gradient:Sobel");
    int h, w;
    lf_target_window(&t, &h, &w);
    assert_int_equal(h, 3);
    assert_int_equal(w, 3);
    assert_false(lf_target_is_linear(&t));
    lf_op op = lf_target_op(&t);
    assert_ptr_equal(op.kernel, t.kernel.weights);

    assert_int_equal(lf_target_parse(&t, "abs:sobel-x", 1, &err), LF_OK);
    assert_int_equal(t.op.kind, LF_OP_ABS);
    assert_int_equal(lf_target_parse(&t, "median:5", 1, &err), LF_OK);
    assert_int_equal(t.op.kind, LF_OP_MEDIAN);
    lf_target_window(&t, &h, &w);
    assert_int_equal(h, 5);
    assert_true(lf_target_is_set(&t));
    assert_int_equal(lf_target_parse(&t, "SOBEL-X", 1, &err), LF_OK);
    assert_int_equal(t.op.kind, LF_OP_KERNEL);
    assert_string_equal(t.name, "sobel-x");
    assert_true(lf_target_is_linear(&t));

    /* A gradient needs a square kernel; unknown kinds and kernels say so,
     * and leave the target unset. */
    assert_int_equal(lf_target_parse(&t, "gradient:hann", 1, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "square kernel"));
    assert_false(lf_target_is_set(&t));
    assert_int_equal(lf_target_parse(&t, "mode:3", 1, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "abs:K or gradient:K"));
    assert_int_not_equal(lf_target_parse(&t, "abs:no-such-kernel", 1, &err), LF_OK);
    assert_non_null(strstr(err.message, "no-such-kernel"));
    assert_int_equal(lf_target_parse(&t, "", 1, &err), LF_ERR_ARGUMENT);
    assert_false(lf_target_is_set(&t));
}

/* ============================================ abs and gradient vs SciPy */

static void test_against_scipy(void **state)
{
    (void)state;
    FILE *f = fopen(LF_TEST_REFERENCE_DIR "/target_reference.txt", "r");
    assert_non_null(f);
    int ih, iw, rh, rw;
    float *in = tr_read_matrix(f, &ih, &iw);
    char label[32];
    assert_int_equal(fscanf(f, "%31s", label), 1);
    assert_string_equal(label, "random5");
    float *random5 = tr_read_matrix(f, &rh, &rw);
    assert_non_null(in);
    assert_non_null(random5);
    char kind[16], kernel[16], padding[16];
    int stride, cases = 0;
    while (fscanf(f, "%15s %15s %d %15s", kind, kernel, &stride, padding) == 4) {
        int eh, ew;
        float *expected = tr_read_matrix(f, &eh, &ew);
        assert_non_null(expected);
        lf_target t;
        lf_error err;
        lf_op op;
        if (!strcmp(kernel, "sobel-x")) {
            char spec[40];
            /* the preset's name for the gradient, the kernel's for abs */
            snprintf(spec, sizeof spec, "%s:%s", kind,
                     !strcmp(kind, "gradient") ? "sobel" : "sobel-x");
            assert_int_equal(lf_target_parse(&t, spec, 1, &err), LF_OK);
            op = lf_target_op(&t);
        } else {
            op = (lf_op){.kind = !strcmp(kind, "abs") ? LF_OP_ABS : LF_OP_GRADIENT,
                         .kernel = random5, .kernel_h = rh, .kernel_w = rw};
        }
        op.stride = stride;
        op.padding = !strcmp(padding, "valid") ? LF_PADDING_VALID : LF_PADDING_SAME;
        float out[256];
        for (int version = 0; version < 2; version++) {
            int h, w;
            lf_status st = version ? lf_op_apply_reference(&op, in, ih, iw, out, 256, &h, &w, &err)
                                   : lf_op_apply(&op, in, ih, iw, out, 256, &h, &w, &err);
            assert_int_equal(st, LF_OK);
            if (h != eh || w != ew)
                fail_msg("%s %s stride %d %s: %dx%d, SciPy %dx%d", kind, kernel, stride, padding,
                         h, w, eh, ew);
            for (int i = 0; i < h * w; i++)
                if (fabs(out[i] - expected[i]) > 1e-5 * (1 + fabs(expected[i])))
                    fail_msg("%s %s stride %d %s (%s): value %d is %.7g, SciPy %.7g", kind,
                             kernel, stride, padding, version ? "reference" : "fast", i, out[i],
                             expected[i]);
        }
        free(expected);
        cases++;
    }
    fclose(f);
    free(in);
    free(random5);
    assert_int_equal(cases, 16);
}

/* The fast path against the reference loops on random shapes and kernels. */
static void test_fast_matches_reference(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 17);
    float in[20 * 20], fast[400], ref[400], kernel[49];
    for (int trial = 0; trial < 300; trial++) {
        int h = 1 + (int)(lf_rng_uniform(&rng) * 20), w = 1 + (int)(lf_rng_uniform(&rng) * 20);
        tu_fill_uniform(in, (size_t)(h * w), &rng, -1, 1);
        lf_op op = {.kind = lf_rng_uniform(&rng) < 0.5 ? LF_OP_ABS : LF_OP_GRADIENT};
        op.kernel_h = 1 + (int)(lf_rng_uniform(&rng) * 7);
        op.kernel_w = op.kind == LF_OP_GRADIENT ? op.kernel_h
                                                : 1 + (int)(lf_rng_uniform(&rng) * 7);
        tu_fill_uniform(kernel, (size_t)(op.kernel_h * op.kernel_w), &rng, -1, 1);
        op.kernel = kernel;
        op.stride = 1 + (int)(lf_rng_uniform(&rng) * 3);
        op.repeat = 1 + (int)(lf_rng_uniform(&rng) * 2);
        op.padding = lf_rng_uniform(&rng) < 0.5 ? LF_PADDING_SAME : LF_PADDING_VALID;
        int fh, fw, rh, rw;
        lf_error err;
        lf_status a = lf_op_apply(&op, in, h, w, fast, 400, &fh, &fw, &err);
        lf_status b = lf_op_apply_reference(&op, in, h, w, ref, 400, &rh, &rw, &err);
        assert_int_equal(a, b);
        if (a != LF_OK)
            continue;
        assert_int_equal(fh * fw, rh * rw);
        for (int i = 0; i < fh * fw; i++) {
            tu_assert_near(fast[i], ref[i], 1e-4 * (1 + fabs(ref[i])));
            assert_true(ref[i] >= 0); /* both are magnitudes */
        }
    }
}

/* ======================================================== training */

/* Smooth random images (a random field blurred once), cut into patches:
 * natural enough that a median is close to, but not, a linear filter. */
static void make_dataset(lf_dataset *ds, int images, int side, int patch, float validation)
{
    lf_image img[4];
    lf_rng rng;
    lf_rng_seed(&rng, 9);
    td_smooth_noise_images(img, images, side, &rng, 2);
    td_dataset(ds, img, images,
               &(lf_dataset_options){.patch_size = patch, .seed = 3,
                                     .validation_fraction = validation});
}

static lf_trainer *median_trainer(const lf_dataset *ds, double tolerance)
{
    lf_trainer_options o = {.seed = 4, .tolerance = tolerance};
    lf_error err;
    assert_int_equal(lf_target_parse(&o.operation, "median:3", 1, &err), LF_OK);
    lf_target_window(&o.operation, &o.target.height, &o.target.width);
    o.settings = lf_settings_for_kernel(&o.target);
    /* Full batch: no sampling noise at the end, so a step as long as the
     * curvature allows. */
    o.settings.batch_size = ds->train_count;
    o.settings.learning_rate = 0.1f;
    lf_trainer *t = lf_trainer_create(&o, ds, &err);
    if (!t)
        fail_msg("%s", err.message);
    return t;
}

static void test_median_converges_to_least_squares(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 4, 40, 20, 0.25f);
    assert_int_equal(ds.train_count, 12);
    lf_trainer *t = median_trainer(&ds, 1e-4);
    assert_int_equal(lf_trainer_engine(t), LF_ENGINE_DIRECT);

    /* The independent answer over the training patches. */
    lf_op median = {.kind = LF_OP_MEDIAN, .size = 3};
    double theta[10], lstsq_loss;
    lstsq_fit(&ds, 0, ds.train_count, &median, 3, 3, theta, &lstsq_loss);
    float best[9];
    for (int i = 0; i < 9; i++)
        best[i] = (float)theta[i];

    /* The floor and the reference are that answer. */
    const lf_best_fit *fit = lf_trainer_best_fit(t);
    tu_assert_near(fit->loss, lstsq_loss, 1e-4 * lstsq_loss);
    tu_assert_near(fit->bias, theta[9], 1e-4);
    assert_true(fit->loss > 1e-3 * fit->target_mean_square); /* a median is not linear */
    const lf_kernel *reference = &lf_trainer_get_options(t)->target;
    assert_string_equal(reference->name, "median:3");
    assert_true(lf_relative_error(reference->weights, best, 9) < 1e-4);

    const lf_figures *f = lf_trainer_figures(t);
    lf_error err;
    long limit = 20000;
    while (!f->converged && f->step < limit) {
        assert_int_equal(lf_trainer_step(t, &err), LF_OK);
        /* Never below the floor (up to float rounding of the losses). */
        assert_true(f->step_loss >= fit->loss * (1 - 1e-4));
    }
    if (!f->converged)
        fail_msg("not within 0.01%% of the least-squares filter after %ld steps (%.3g%%)", limit,
                 100 * f->rel_err);
    /* rel_err is the distance to the least-squares filter. */
    const float *w = lf_trainer_weights(t);
    tu_assert_near(f->rel_err, lf_relative_error(w, best, 9), 2e-5);
    for (int i = 0; i < 9; i++)
        tu_assert_near(w[i], theta[i], 1e-3 * (1 + fabs(theta[i])));
    tu_assert_near(lf_trainer_bias(t), theta[9], 1e-3);
    /* At the answer, the training loss is the floor. */
    double train = lf_trainer_evaluate(t, 0, ds.train_count);
    tu_assert_near(train, lstsq_loss, 1e-3 * lstsq_loss);

    /* The snapshot carries the floor for the chart; the targets are the
     * median's. */
    lf_snapshot snap;
    assert_int_equal(lf_snapshot_init(&snap, ds.patch_size, &err), LF_OK);
    lf_trainer_snapshot(t, &snap, true);
    tu_assert_near(snap.best.loss, fit->loss, 0);
    float expected[400];
    int h, wd;
    assert_int_equal(lf_op_apply_reference(&median, lf_dataset_clean(&ds, snap.sample_patch), 20,
                                           20, expected, 400, &h, &wd, &err),
                     LF_OK);
    for (int i = 0; i < 400; i++)
        tu_assert_near(snap.expected[i], expected[i], 0);

    /* A new kernel ends the operation: no floor, the kernel is the target. */
    lf_kernel sobel;
    assert_int_equal(lf_kernel_from_name(&sobel, "sobel-x", 1, &err), LF_OK);
    assert_int_equal(lf_trainer_set_kernel(t, &sobel, NULL, &err), LF_OK);
    assert_int_equal(lf_trainer_best_fit(t)->values, 0);
    assert_false(lf_target_is_set(&lf_trainer_get_options(t)->operation));
    lf_trainer_snapshot(t, &snap, true);
    assert_int_equal(snap.best.values, 0);
    float sobel_out[400];
    lf_op sobel_op = {.kind = LF_OP_KERNEL, .kernel = sobel.weights, .kernel_h = 3,
                      .kernel_w = 3};
    assert_int_equal(lf_op_apply_reference(&sobel_op, lf_dataset_clean(&ds, snap.sample_patch),
                                           20, 20, sobel_out, 400, &h, &wd, &err),
                     LF_OK);
    for (int i = 0; i < 400; i++)
        tu_assert_near(snap.expected[i], sobel_out[i], 1e-5);
    lf_snapshot_deinit(&snap);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* lf_target_fit, which never holds more than one target, solves the same
 * best filter as lf_target_prepare from every target kept, bit for bit:
 * the same targets enter the same sums in the same order. Operations of
 * every family, a layer larger than the window, and a repeat. */
static void test_fit_without_targets(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 2, 40, 20, 0.25f);
    const char *specs[] = {"median:3", "max:plus", "gradient:sobel", "abs:laplacian", "mean:5"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        for (int side = 3; side <= 5; side += 2) {
            lf_target target;
            lf_error err;
            assert_int_equal(lf_target_parse(&target, specs[i], 1, &err), LF_OK);
            if (i == 4)
                target.op.repeat = 2; /* the mean, twice */
            lf_kernel kept = {.height = side, .width = side}, fitted = kept;
            lf_best_fit kept_fit, fit;
            const size_t capacity = (size_t)ds.patch_count * 400;
            float *targets = malloc(sizeof(float) * capacity);
            assert_non_null(targets);
            assert_int_equal(lf_target_prepare(&target, &ds, LF_PADDING_SAME, targets, capacity,
                                               &kept, &kept_fit, &err),
                             LF_OK);
            assert_int_equal(lf_target_fit(&target, &ds, LF_PADDING_SAME, &fitted, &fit, &err),
                             LF_OK);
            assert_memory_equal(fitted.weights, kept.weights, sizeof(float) * side * side);
            assert_string_equal(fitted.name, specs[i]);
            assert_memory_equal(&fit.bias, &kept_fit.bias, sizeof fit.bias);
            assert_memory_equal(&fit.loss, &kept_fit.loss, sizeof fit.loss);
            assert_memory_equal(&fit.target_mean_square, &kept_fit.target_mean_square,
                                sizeof fit.target_mean_square);
            assert_int_equal(fit.values, kept_fit.values);
            assert_int_equal(fit.values, (long)ds.train_count * 400);
            assert_true(fit.loss > 0 && fit.loss < fit.target_mean_square);
            free(targets);
        }
    /* its refusals are lf_target_prepare's: a 'valid' layer is smaller than
     * the operation's output */
    lf_target median;
    lf_error err;
    assert_int_equal(lf_target_parse(&median, "median:3", 1, &err), LF_OK);
    lf_kernel k = {.height = 3, .width = 3};
    lf_best_fit fit;
    assert_int_equal(lf_target_fit(&median, &ds, LF_PADDING_VALID, &k, &fit, &err),
                     LF_ERR_ARGUMENT);
    k.height = k.width = LF_TARGET_MAX_SIDE + 1;
    assert_int_equal(lf_target_fit(&median, &ds, LF_PADDING_SAME, &k, &fit, &err),
                     LF_ERR_ARGUMENT);
    lf_dataset_deinit(&ds);
}

/* A larger layer than the window: the best 5x5 filter for a 3x3 median,
 * and a new dataset brings a new best filter. */
static void test_kernel_size_and_dataset_change(void **state)
{
    (void)state;
    lf_dataset a, b;
    make_dataset(&a, 2, 40, 20, 0.25f);
    make_dataset(&b, 4, 40, 20, 0.25f);
    lf_trainer_options o = {.seed = 1};
    lf_error err;
    assert_int_equal(lf_target_parse(&o.operation, "max:3", 1, &err), LF_OK);
    o.target.height = o.target.width = 5;
    lf_trainer *t = lf_trainer_create(&o, &a, &err);
    assert_non_null(t);
    lf_op max3 = {.kind = LF_OP_MAX, .size = 3};
    double theta[26], loss;
    lstsq_fit(&a, 0, a.train_count, &max3, 5, 5, theta, &loss);
    tu_assert_near(lf_trainer_best_fit(t)->loss, loss, 1e-4 * loss);
    assert_int_equal(lf_trainer_get_options(t)->target.height, 5);
    assert_int_equal(lf_trainer_set_dataset(t, &b, &err), LF_OK);
    lstsq_fit(&b, 0, b.train_count, &max3, 5, 5, theta, &loss);
    tu_assert_near(lf_trainer_best_fit(t)->loss, loss, 1e-4 * loss);
    for (int i = 0; i < 25; i++)
        tu_assert_near(lf_trainer_get_options(t)->target.weights[i], theta[i],
                       1e-3 * (1 + fabs(theta[i])));
    lf_trainer_destroy(t);
    lf_dataset_deinit(&a);
    lf_dataset_deinit(&b);
}

/* A trainer learning a kernel switches to an operation (the window's "learn
 * this"): the best filter is the independent least-squares one, the engine
 * is the direct one, and training moves towards it; an operation whose
 * window does not fit the patch is refused and the kernel stays. */
static void test_switch_to_an_operation(void **state)
{
    (void)state;
    lf_dataset a;
    make_dataset(&a, 2, 40, 20, 0.25f);
    lf_trainer_options o = {.seed = 1};
    lf_error err;
    assert_int_equal(lf_kernel_from_name(&o.target, "sobel-x", 1, &err), LF_OK);
    lf_trainer *t = lf_trainer_create(&o, &a, &err);
    assert_non_null(t);
    assert_int_equal(lf_trainer_engine(t), LF_ENGINE_GRAM);
    lf_target *big = malloc(sizeof *big), *median = malloc(sizeof *median);
    assert_int_equal(lf_target_parse(big, "mean:33", 1, &err), LF_OK);
    assert_int_equal(lf_trainer_set_target(t, big, &err), LF_ERR_ARGUMENT);
    assert_string_equal(lf_trainer_get_options(t)->target.name, "sobel-x");
    assert_false(lf_target_is_set(&lf_trainer_get_options(t)->operation));
    assert_int_equal(lf_target_parse(median, "median:3", 1, &err), LF_OK);
    assert_int_equal(lf_trainer_set_target(t, median, &err), LF_OK);
    assert_int_equal(lf_trainer_engine(t), LF_ENGINE_DIRECT);
    assert_int_equal(lf_trainer_figures(t)->step, 0);
    lf_op med3 = {.kind = LF_OP_MEDIAN, .size = 3};
    double theta[10], loss;
    lstsq_fit(&a, 0, a.train_count, &med3, 3, 3, theta, &loss);
    tu_assert_near(lf_trainer_best_fit(t)->loss, loss, 1e-4 * loss);
    for (int i = 0; i < 9; i++)
        tu_assert_near(lf_trainer_get_options(t)->target.weights[i], theta[i],
                       1e-3 * (1 + fabs(theta[i])));
    double start = lf_trainer_figures(t)->rel_err;
    for (int i = 0; i < 3000; i++)
        assert_int_equal(lf_trainer_step(t, &err), LF_OK);
    assert_true(lf_trainer_figures(t)->rel_err < 0.5 * start);
    free(big);
    free(median);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&a);
}

/* A 'valid' layer is smaller than the operation's output: refused, saying
 * both sizes; and a kernel past the solvable size is refused. */
static void test_refusals(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 2, 40, 20, 0.25f);
    lf_trainer_options o = {.padding = LF_PADDING_VALID};
    lf_error err;
    assert_int_equal(lf_target_parse(&o.operation, "median:3", 1, &err), LF_OK);
    o.target.height = o.target.width = 3;
    assert_null(lf_trainer_create(&o, &ds, &err));
    if (!strstr(err.message, "median:3 makes 20x20") || !strstr(err.message, "makes 18x18"))
        fail_msg("%s", err.message);
    o.padding = LF_PADDING_SAME;
    o.target.height = o.target.width = LF_TARGET_MAX_SIDE + 1;
    assert_null(lf_trainer_create(&o, &ds, &err));
    assert_non_null(strstr(err.message, "up to 32x32"));
    lf_dataset_deinit(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_against_scipy),
        cmocka_unit_test(test_fast_matches_reference),
        cmocka_unit_test(test_median_converges_to_least_squares),
        cmocka_unit_test(test_kernel_size_and_dataset_change),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_switch_to_an_operation),
        cmocka_unit_test(test_fit_without_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
