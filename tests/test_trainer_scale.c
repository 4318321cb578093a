/*
 * test_trainer_scale.c: kernels of any scale, as users load them from files.
 *
 * A kernel of 1e-5 or of 1e5 trains at a small learning rate and runs away
 * at a huge one on the first step, whatever its size next to the Glorot
 * starting weights; an all-zero kernel trains as written, its relative
 * error being the absolute one. The data is a generated texture of smooth
 * blobs and grain, as in test_trainer.c.
 */
#include "test_data_util.h"
#include "test_trainer_util.h"

#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/trainer.h"

/* Smooth blobs plus uniform grain on [0, 1]: the detail an edge filter needs. */
static void make_dataset(lf_dataset *ds, int patch, int patches_x, int patches_y, uint64_t seed)
{
    lf_image img;
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    const td_wave wave = {.base = 0.5, .amplitude = 0.25, .sin_x = 0.3, .cos_y = 0.2,
                          .grain = 0.4, .grain_centre = 0.5};
    td_wave_image(&img, patch * patches_x, patch * patches_y, &rng, &wave);
    td_dataset(ds, &img, 1,
               &(lf_dataset_options){.patch_size = patch, .validation_fraction = 0, .seed = seed});
}

/* A kernel of any scale trains at a small rate, and runs away at a huge
 * one at the first step. The Glorot starting weights are about 1e5 times a
 * kernel of 1e-5 and 1e-5 times a kernel of 1e5, so a test measured against
 * the kernel's norm alone calls the first one diverged before it moves. */
static void test_divergence_any_kernel_scale(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 4, 4, 6);
    const double scales[] = {1e-5, 1e5};
    for (int s = 0; s < 2; s++) {
        lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 2};
        for (int i = 0; i < 9; i++)
            o.target.weights[i] = (float)scales[s];
        o.settings = lf_settings_for_kernel(&o.target);
        o.settings.learning_rate = 1e-9f;
        lf_trainer *t = tt_trainer_create(&o, &ds);
        tt_trainer_steps(t, 100); /* fails on the first step that reports divergence */
        assert_false(lf_trainer_figures(t)->diverged);
        assert_int_equal(lf_trainer_figures(t)->step, 100);

        lf_error err;
        assert_int_equal(lf_trainer_set_learning_rate(t, 1e6f, &err), LF_OK);
        lf_trainer_reset(t);
        assert_int_equal(lf_trainer_step(t, &err), LF_ERR_DIVERGED);
        assert_string_equal(err.message, "training diverged at step 1 (learning rate 1e+06): "
                                         "lower the learning rate or reset");
        assert_int_equal(lf_trainer_figures(t)->step, 0);
        lf_trainer_destroy(t);
    }
    lf_dataset_deinit(&ds);
}

/* An all-zero kernel is trained as written; with nothing to divide by, the
 * relative error the front ends show is the absolute one, ||w||. */
static void test_zero_kernel_absolute_error(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 4, 4, 6);
    lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 3};
    memset(o.target.weights, 0, sizeof o.target.weights);
    o.settings = lf_settings_for_kernel(&o.target);
    lf_trainer *t = tt_trainer_create(&o, &ds);
    double first = 0;
    for (int round = 0; round < 3; round++) {
        double norm = 0;
        for (int i = 0; i < 9; i++)
            norm += (double)lf_trainer_weights(t)[i] * lf_trainer_weights(t)[i];
        norm = sqrt(norm);
        tu_assert_near(lf_trainer_figures(t)->rel_err, norm, 1e-6 * norm);
        if (round == 0)
            first = norm;
        tt_trainer_steps(t, 40);
    }
    assert_true(lf_trainer_figures(t)->rel_err < first);
    assert_false(lf_trainer_figures(t)->diverged);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_divergence_any_kernel_scale),
        cmocka_unit_test(test_zero_kernel_absolute_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
