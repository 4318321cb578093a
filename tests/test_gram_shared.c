/*
 * test_gram_shared.c: the statistics engine with one matrix per place for
 * the place's mirrors and turns, against one matrix per patch and against
 * convolving every patch every step.
 *
 * The set is cut with a stride that does not divide the images' sides less
 * the patch's, in all 8 variants. Three trainers run side by side with the
 * same seed and batches: the Gram engine sharing matrices (the snapshot
 * says it keeps one per place), the Gram engine on the same patches without
 * the dataset's record of where they were cut (one matrix each), and the
 * direct engine. Their weights, step losses and validation losses must stay
 * together step by step, for odd and even square kernels under both
 * paddings (an even kernel under 'same' is the case with edge windows), with
 * SGD and Adam, on one thread and on two, and with a kernel large enough
 * for one matrix's product to be split between threads, and for a layer of
 * several filters. A run taken back
 * to a saved state repeats itself bit for bit.
 */
#include "test_data_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learnfilter/rng.h"
#include "learnfilter/state.h"
#include "learnfilter/trainer.h"

#define SIDE 37  /* (37 - 20) is not a multiple of the stride 5 */
#define PATCH 20
#define STRIDE 5

/* Smooth random images cut in all 8 variants; without `origin` the
 * dataset forgets which patches are variants of which. */
static void make_dataset(lf_dataset *ds, bool origin)
{
    enum { COUNT = 1 };
    lf_image images[COUNT];
    lf_rng rng;
    lf_rng_seed(&rng, 41);
    for (int i = 0; i < COUNT; i++) {
        td_wave wave = {.base = 0.5, .amplitude = 0.25, .phase = 2 * i, .grain = 0.2};
        wave.sin_y = 0.05 + 0.3 * lf_rng_uniform(&rng);
        wave.cos_x = 0.05 + 0.3 * lf_rng_uniform(&rng);
        wave.sin_x = 0.1 * lf_rng_uniform(&rng);
        td_wave_image(&images[i], SIDE, SIDE, &rng, &wave);
    }
    td_dataset(ds, images, COUNT,
               &(lf_dataset_options){.patch_size = PATCH, .patch_stride = STRIDE, .variants = 8,
                                     .seed = 3});
    assert_int_equal(ds->patch_count, COUNT * 4 * 4 * 8);
    assert_non_null(ds->patch_origin);
    if (!origin) {
        free(ds->patch_origin);
        ds->patch_origin = NULL;
    }
}

/* The matrices the trainer keeps (built or not), as the window shows them. */
static int matrices(lf_trainer *t)
{
    lf_snapshot snap;
    memset(&snap, 0, sizeof snap);
    lf_trainer_snapshot(t, &snap, false);
    return snap.stats_total;
}

static double relative_distance(const float *a, const float *b, int n)
{
    double diff = 0, norm = 0;
    for (int i = 0; i < n; i++) {
        diff += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        norm += (double)a[i] * a[i];
    }
    return sqrt(diff / norm);
}

/* Within tol, or both NaN (no validation loss before the first epoch ends). */
static bool close_to(double a, double b, double tol)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= tol * fabs(a) + 1e-12;
}

static void run_layer(const lf_kernel *k, int filters, lf_padding padding,
                      lf_optimizer_kind optimizer, int threads, int steps, double tol)
{
    lf_dataset with, without;
    make_dataset(&with, true);
    make_dataset(&without, false);
    lf_trainer_options o = {.target = *k, .padding = padding, .seed = 7, .threads = threads,
                            .layer = {.filters = filters}};
    o.settings = lf_settings_for_kernel(k);
    if (optimizer == LF_OPTIMIZER_ADAM) {
        o.settings.optimizer = LF_OPTIMIZER_ADAM;
        o.settings.learning_rate = 0.01f;
        o.settings.beta1 = 0.9f;
        o.settings.beta2 = 0.999f;
        o.settings.epsilon = 1e-8f;
    } else {
        o.settings.optimizer = LF_OPTIMIZER_SGD;
        o.settings.learning_rate = 0.05f;
        o.settings.momentum = 0.9f;
    }
    o.settings.batch_size = 2;
    o.engine = LF_ENGINE_GRAM;
    lf_trainer *shared = lf_trainer_create(&o, &with, NULL);
    lf_trainer *own = lf_trainer_create(&o, &without, NULL);
    o.engine = LF_ENGINE_DIRECT;
    lf_trainer *direct = lf_trainer_create(&o, &with, NULL);
    assert_non_null(shared);
    assert_non_null(own);
    assert_non_null(direct);
    assert_int_equal(lf_trainer_engine(shared), LF_ENGINE_GRAM);
    assert_int_equal(lf_trainer_engine(own), LF_ENGINE_GRAM);
    assert_int_equal(lf_trainer_engine(direct), LF_ENGINE_DIRECT);
    assert_int_equal(matrices(shared), with.place_count);
    assert_int_equal(matrices(own), without.patch_count);
    const int n = filters * (k->height * k->width + 1); /* weights, then biases */
    const double start = lf_trainer_figures(shared)->rel_err;
    lf_trainer *others[2] = {own, direct};
    for (int s = 0; s < steps; s++) {
        assert_int_equal(lf_trainer_step(shared, NULL), LF_OK);
        for (int i = 0; i < 2; i++) {
            assert_int_equal(lf_trainer_step(others[i], NULL), LF_OK);
            const lf_figures *a = lf_trainer_figures(others[i]), *b = lf_trainer_figures(shared);
            double d = relative_distance(lf_trainer_weights(others[i]), lf_trainer_weights(shared),
                                         n);
            if (!(d <= tol) || !close_to(a->step_loss, b->step_loss, 10 * tol) ||
                !close_to(a->val_loss, b->val_loss, 10 * tol))
                fail_msg("%dx%d, %s, step %d: shared against %s: weights %g apart, step loss %g "
                         "against %g, validation %g against %g",
                         k->height, k->width, padding == LF_PADDING_SAME ? "same" : "valid", s,
                         i ? "direct" : "one per patch", d, b->step_loss, a->step_loss,
                         b->val_loss, a->val_loss);
        }
    }
    /* Whole epochs with their validation passes, and something learned
     * (a kernel larger than the patch mostly reads padding, which it
     * learns slowly: there the agreement is the point). */
    assert_true(lf_trainer_figures(shared)->epoch >= 2);
    if (k->height < PATCH)
        assert_true(lf_trainer_figures(shared)->rel_err < 0.9 * start);
    lf_trainer_destroy(shared);
    lf_trainer_destroy(own);
    lf_trainer_destroy(direct);
    lf_dataset_deinit(&with);
    lf_dataset_deinit(&without);
}

static void run_three(const lf_kernel *k, lf_padding padding, lf_optimizer_kind optimizer,
                      int threads, int steps, double tol)
{
    run_layer(k, 1, padding, optimizer, threads, steps, tol);
}

/* A bank of `filters` random side x side kernels (one when filters is 1). */
static lf_kernel random_bank(int side, int filters, uint64_t seed)
{
    lf_kernel k;
    memset(&k, 0, sizeof k);
    k.height = k.width = side;
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    for (int i = 0; i < filters * side * side; i++)
        k.weights[i] = (float)(lf_rng_uniform(&rng) - 0.5) / side;
    strcpy(k.name, "random");
    return k;
}

static lf_kernel random_kernel(int side, uint64_t seed)
{
    return random_bank(side, 1, seed);
}

static void test_odd_kernel(void **state)
{
    (void)state;
    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, "sobel-x", 1, NULL), LF_OK);
    run_three(&k, LF_PADDING_SAME, LF_OPTIMIZER_SGD, 1, 300, 1e-4);
    run_three(&k, LF_PADDING_VALID, LF_OPTIMIZER_SGD, 2, 300, 1e-4);
    k = random_kernel(5, 11);
    run_three(&k, LF_PADDING_SAME, LF_OPTIMIZER_ADAM, 1, 200, 1e-3);
}

/* An even kernel under 'same' pads one more zero after than before: the
 * variants' edge windows differ from the place's. */
static void test_even_kernel(void **state)
{
    (void)state;
    lf_kernel k = random_kernel(4, 12);
    run_three(&k, LF_PADDING_SAME, LF_OPTIMIZER_SGD, 1, 300, 1e-4);
    run_three(&k, LF_PADDING_SAME, LF_OPTIMIZER_ADAM, 2, 300, 1e-3);
    run_three(&k, LF_PADDING_VALID, LF_OPTIMIZER_SGD, 1, 300, 1e-4);
    k = random_kernel(6, 13);
    run_three(&k, LF_PADDING_SAME, LF_OPTIMIZER_ADAM, 1, 200, 1e-3);
}

/* From 2,000 parameters on, one matrix's product is split by rows between
 * the threads (lf_gram_split): the shared path gathers, splits, scatters.
 * A 46x46 kernel on 20x20 patches: most taps see only padding, whose
 * gradient must stay exactly zero in every variant too. */
static void test_large_kernel_split_between_threads(void **state)
{
    (void)state;
    lf_kernel k = random_kernel(46, 15);
    run_three(&k, LF_PADDING_SAME, LF_OPTIMIZER_ADAM, 2, 110, 1e-3);
}

/* Several filters over the same input share each matrix too, applied once
 * per filter, in training and validation. */
static void test_several_filters(void **state)
{
    (void)state;
    lf_kernel k = random_bank(4, 3, 16);
    run_layer(&k, 3, LF_PADDING_SAME, LF_OPTIMIZER_ADAM, 1, 200, 1e-3);
}

/* Back to a saved state, the shared engine repeats its steps exactly. */
static void test_state_repeats(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, true);
    lf_kernel k = random_kernel(4, 14);
    lf_trainer_options o = {.target = k, .seed = 5, .engine = LF_ENGINE_GRAM};
    o.settings = lf_settings_for_kernel(&k);
    lf_trainer *t = lf_trainer_create(&o, &ds, NULL);
    assert_non_null(t);
    assert_int_equal(matrices(t), ds.place_count);
    for (int s = 0; s < 150; s++)
        assert_int_equal(lf_trainer_step(t, NULL), LF_OK);
    lf_state *saved = lf_state_create();
    assert_int_equal(lf_trainer_save_state(t, saved, NULL), LF_OK);
    float first[17];
    for (int s = 0; s < 100; s++)
        assert_int_equal(lf_trainer_step(t, NULL), LF_OK);
    memcpy(first, lf_trainer_weights(t), sizeof first);
    const double val = lf_trainer_figures(t)->val_loss;
    assert_int_equal(lf_trainer_restore_state(t, saved, NULL), LF_OK);
    for (int s = 0; s < 100; s++)
        assert_int_equal(lf_trainer_step(t, NULL), LF_OK);
    assert_memory_equal(first, lf_trainer_weights(t), sizeof first);
    assert_true(lf_trainer_figures(t)->val_loss == val);
    lf_state_destroy(saved);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_odd_kernel),
        cmocka_unit_test(test_even_kernel),
        cmocka_unit_test(test_large_kernel_split_between_threads),
        cmocka_unit_test(test_several_filters),
        cmocka_unit_test(test_state_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
