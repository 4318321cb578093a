/*
 * test_target_demand.c: targets made in the step equal the ones the trainer
 * used to keep per patch, bit for bit.
 *
 * The trainer once built every patch's target once (the true kernel applied
 * to the clean patch by conv2d_forward; for a layer, lf_layer_targets; for
 * an operation, lf_op_apply) and read it back each step; now it keeps them
 * only while they fit LF_TARGET_CACHE_MAX_BYTES, and past it each step
 * makes its batch's. Each case here runs three trainers side by side from
 * the same options: one without the cache (as a set past the bound), one
 * as created, and one whose cache is filled up front with the targets made
 * here the old way and marked made, so its steps only read them. Every
 * step's weights, bias, step loss and validation loss must agree exactly.
 * The cases cover each engine path that compares with a target: the fused
 * pass with input noise (batches, and one patch cut into row bands on two
 * threads), the plain loops (a kernel too large for the fused pass, clean
 * and noisy), the layer's direct engine (ReLU, pooling, two filters), and
 * an operation (--target) on the fused pass, the bands, the plain loops and
 * the FFT, whose targets are made with per-thread scratch in the step.
 *
 * The FFT path with a kernel is the exception, said in engine_direct.c:
 * with clean inputs it convolves the distance to the true kernel, and with
 * noise and no cache it makes the target through the transforms, so its
 * last bits differ; here it is held to the direct engine's run (without
 * the FFT, on the stored targets) within float rounding.
 */
#include "test_data_util.h"
#include "test_trainer_util.h"

#include <math.h>

#include "learnfilter/conv.h"
#include "learnfilter/dataset.h"
#include "learnfilter/layer.h"
#include "learnfilter/ops.h"
#include "learnfilter/target.h"
#include "trainer_internal.h"

/* Smooth waves plus grain: detail for every kernel below. */
static void make_dataset(lf_dataset *ds, int patch, float noise)
{
    lf_image img;
    lf_rng rng;
    lf_rng_seed(&rng, 11);
    const td_wave wave = {.base = 0.5, .amplitude = 0.25, .sin_x = 0.3, .cos_y = 0.2,
                          .grain = 0.4, .grain_centre = 0.5};
    td_wave_image(&img, patch * 4, patch * 3, &rng, &wave);
    td_dataset(ds, &img, 1,
               &(lf_dataset_options){.patch_size = patch, .noise_sigma = noise, .seed = 5});
}

/* What the trainer kept per patch before: the true layer, or the
 * operation, on the clean patch, written here with the public routines. */
static float *stored_targets(const lf_trainer *t)
{
    const lf_dataset *ds = t->dataset;
    float *targets = malloc(sizeof(float) * t->target_floats * (size_t)ds->patch_count);
    assert_non_null(targets);
    const lf_layer_shape *l = &t->layer;
    float *act = t->plain ? NULL : malloc(sizeof(float) * (l->act_count + 1));
    float *work = t->plain ? NULL : malloc(sizeof(float) * (l->work_count + 1));
    const lf_target *operation = &t->options.operation;
    for (int p = 0; p < ds->patch_count; p++) {
        float *slot = targets + (size_t)p * t->target_floats;
        int h, w;
        lf_op op = lf_target_op(operation);
        lf_error err;
        if (lf_target_is_set(operation))
            assert_int_equal(lf_op_apply(&op, lf_dataset_clean(ds, p), ds->patch_size,
                                         ds->patch_size, slot, t->target_floats, &h, &w, &err),
                             LF_OK);
        else if (t->plain)
            conv2d_forward(slot, lf_dataset_clean(ds, p), t->options.target.weights, 0.0f,
                           &t->shape);
        else
            lf_layer_targets(slot, act, lf_dataset_clean(ds, p), t->options.target.weights, l,
                             work);
    }
    free(act);
    free(work);
    return targets;
}

/* One trainer's weights and losses against the reference's after a step:
 * exact unless a tolerance is given (then relative). */
static void compare(lf_trainer *t, lf_trainer *reference, double tolerance)
{
    const int params = lf_trainer_weight_count(t) + lf_trainer_filters(t);
    const lf_figures *a = lf_trainer_figures(t), *b = lf_trainer_figures(reference);
    if (tolerance == 0) {
        assert_memory_equal(lf_trainer_weights(t), lf_trainer_weights(reference),
                            sizeof(float) * (size_t)params);
        assert_memory_equal(&a->step_loss, &b->step_loss, sizeof a->step_loss);
        assert_true(isnan(a->val_loss) ? isnan(b->val_loss) : a->val_loss == b->val_loss);
        return;
    }
    for (int i = 0; i < params; i++)
        tu_assert_near(lf_trainer_weights(t)[i], lf_trainer_weights(reference)[i],
                       tolerance * (1 + fabs(lf_trainer_weights(reference)[i])));
    tu_assert_near(a->step_loss, b->step_loss, tolerance * b->step_loss);
}

/* Fills t's target cache with the stored targets and marks them made: its
 * steps then read them and make none. */
static void keep_targets(lf_trainer *t)
{
    assert_non_null(t->target_cache);
    float *stored = stored_targets(t);
    const size_t patches = (size_t)t->dataset->patch_count;
    memcpy(t->target_cache, stored, sizeof(float) * t->target_floats * patches);
    memset(t->target_ready, 1, patches);
    free(stored);
}

/* Three trainers: `made` without the target cache (each step makes its
 * targets, as for a set past LF_TARGET_CACHE_MAX_BYTES), `cached` as
 * created (a small set: targets kept once made), both from o, and `kept`
 * from kept_o (NULL: o) with every target made the old way up front. Each
 * step, the first two must match the third. */
static void run_pair(const lf_trainer_options *o, const lf_dataset *ds, int steps,
                     double tolerance, const lf_trainer_options *kept_o)
{
    lf_trainer *made = tt_trainer_create(o, ds);
    lf_trainer *cached = tt_trainer_create(o, ds);
    lf_trainer *kept = tt_trainer_create(kept_o ? kept_o : o, ds);
    assert_non_null(cached->target_cache);
    trainer_target_cache_free(made);
    trainer_forget_caches(made); /* the engine prepares again without a cache */
    lf_trainer_reset(made);
    assert_null(made->target_cache);
    keep_targets(kept);
    /* A target made on demand is the stored one itself. */
    float *stored = stored_targets(kept);
    for (int p = 0; p < ds->patch_count; p++) {
        const float *m = trainer_target(made, p, made->threads - 1);
        const float *c = trainer_target(cached, p, 0);
        const float *k = stored + (size_t)p * kept->target_floats;
        assert_memory_equal(m, k, sizeof(float) * (size_t)trainer_out_area(made));
        assert_memory_equal(c, k, sizeof(float) * (size_t)trainer_out_area(made));
    }
    free(stored);
    if (lf_target_is_set(&o->operation)) {
        /* the reference the run is measured against is the same filter */
        assert_memory_equal(lf_trainer_get_options(made)->target.weights,
                            lf_trainer_get_options(kept)->target.weights,
                            sizeof(float) * (size_t)lf_trainer_weight_count(made));
        assert_non_null(made->op_work);
    }
    for (int s = 0; s < steps; s++) {
        tt_trainer_steps(made, 1);
        tt_trainer_steps(cached, 1);
        tt_trainer_steps(kept, 1);
        compare(made, kept, tolerance);
        compare(cached, kept, tolerance);
    }
    /* An epoch ended, so the validation loss was compared too. */
    assert_true(lf_trainer_figures(made)->epoch >= 1);
    lf_trainer_destroy(made);
    lf_trainer_destroy(cached);
    lf_trainer_destroy(kept);
}

static lf_trainer_options options_for(const char *kernel, lf_engine engine, int batch,
                                      int threads)
{
    lf_trainer_options o = {.target = tt_kernel_named(kernel), .seed = 7, .engine = engine,
                            .threads = threads};
    o.settings = lf_settings_for_kernel(&o.target);
    if (batch)
        o.settings.batch_size = batch;
    return o;
}

/* Input noise: the fused pass reads the target rows made for its unit. */
static void test_fused_with_noise(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 24, 0.05f);
    lf_trainer_options o = options_for("sobel-x", LF_ENGINE_DIRECT, 4, 1);
    run_pair(&o, &ds, 30, 0, NULL);
    /* One patch a step, cut into row bands on two threads. */
    o = options_for("laplacian", LF_ENGINE_DIRECT, 1, 2);
    run_pair(&o, &ds, 30, 0, NULL);
    lf_dataset_deinit(&ds);
}

/* A 9x8 kernel (72 taps) is past the fused pass and short of the FFT:
 * the plain loops, with clean inputs and with noise. */
static void test_plain_loops(void **state)
{
    (void)state;
    for (int noisy = 0; noisy < 2; noisy++) {
        lf_dataset ds;
        make_dataset(&ds, 24, noisy ? 0.05f : 0.0f);
        lf_trainer_options o = options_for("sobel-x", LF_ENGINE_DIRECT, 2, 2);
        o.target.height = 9;
        o.target.width = 8;
        lf_rng rng;
        lf_rng_seed(&rng, 3);
        for (int i = 0; i < 72; i++)
            o.target.weights[i] = (float)(lf_rng_uniform(&rng) - 0.5);
        o.settings.learning_rate = 1e-3f;
        lf_trainer *probe = tt_trainer_create(&o, &ds);
        assert_false(lf_trainer_uses_fft(probe));
        assert_int_equal(lf_trainer_engine(probe), LF_ENGINE_DIRECT);
        lf_trainer_destroy(probe);
        run_pair(&o, &ds, 12, 0, NULL);
        lf_dataset_deinit(&ds);
    }
}

/* The layer's engine: a ReLU with 2x2 pooling, and two filters. */
static void test_layer_engine(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 0.0f);
    lf_trainer_options o = options_for("sobel-x", LF_ENGINE_AUTO, 2, 2);
    o.layer = (lf_layer_options){.activation = LF_ACTIVATION_RELU, .pool = 2};
    run_pair(&o, &ds, 12, 0, NULL);
    lf_kernel y = tt_kernel_named("sobel-y");
    memcpy(o.target.weights + 9, y.weights, sizeof(float) * 9);
    o.layer = (lf_layer_options){.filters = 2, .activation = LF_ACTIVATION_TANH};
    run_pair(&o, &ds, 12, 0, NULL);
    lf_dataset_deinit(&ds);
}

/* The FFT: within rounding of the direct engine on the stored targets,
 * clean and noisy. */
static void test_fft_within_rounding(void **state)
{
    (void)state;
    for (int noisy = 0; noisy < 2; noisy++) {
        lf_dataset ds;
        make_dataset(&ds, 24, noisy ? 0.05f : 0.0f);
        lf_trainer_options o = options_for("box7", LF_ENGINE_DIRECT, 1, 1);
        o.fft = 1;
        o.settings.learning_rate = 1e-3f;
        lf_trainer_options direct = o;
        direct.fft = -1;
        run_pair(&o, &ds, 12, 1e-4, &direct);
        lf_dataset_deinit(&ds);
    }
}

/* Options to learn the operation `spec` with a kernel_h x kernel_w layer
 * (0: the operation's window). */
static lf_trainer_options operation_options(const char *spec, int kernel_h, int kernel_w,
                                            int batch, int threads)
{
    lf_trainer_options o = {.seed = 7, .threads = threads};
    lf_error err;
    assert_int_equal(lf_target_parse(&o.operation, spec, 1, &err), LF_OK);
    lf_target_window(&o.operation, &o.target.height, &o.target.width);
    if (kernel_h) {
        o.target.height = kernel_h;
        o.target.width = kernel_w;
    }
    o.settings = lf_settings_for_kernel(&o.target);
    o.settings.batch_size = batch;
    return o;
}

/* An operation's targets, made in the step with each thread's scratch,
 * kept once made, or stored: the same trajectory bit for bit, on every
 * path of the direct engine. */
static void test_operation_targets(void **state)
{
    (void)state;
    for (int noisy = 0; noisy < 2; noisy++) {
        lf_dataset ds;
        make_dataset(&ds, 24, noisy ? 0.05f : 0.0f);
        /* the fused pass, batches of 4 */
        lf_trainer_options o = operation_options("median:3", 0, 0, 4, 1);
        run_pair(&o, &ds, 30, 0, NULL);
        /* one patch a step in row bands on two threads: each thread makes
         * the patch's target once for its bands */
        o = operation_options("gradient:sobel", 0, 0, 1, 2);
        run_pair(&o, &ds, 30, 0, NULL);
        /* a 9x8 layer against a max over the lens: the plain loops */
        o = operation_options("max:plus", 9, 8, 2, 2);
        o.settings.learning_rate = 1e-3f;
        run_pair(&o, &ds, 12, 0, NULL);
        /* a 9x9 layer through the FFT against the mean, twice: the FFT
         * reads the operation's targets however they were made */
        o = operation_options("mean:3", 9, 9, 2, 2);
        o.operation.op.repeat = 2;
        o.fft = 1;
        o.settings.learning_rate = 1e-3f;
        lf_trainer *probe = tt_trainer_create(&o, &ds);
        assert_true(lf_trainer_uses_fft(probe));
        lf_trainer_destroy(probe);
        run_pair(&o, &ds, 12, 0, NULL);
        lf_dataset_deinit(&ds);
    }
}

/* A new operation on a trainer without the cache: the targets its threads
 * made for the old one are not read again. */
static void test_new_operation_forgets_made_targets(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 24, 0.0f);
    lf_trainer_options o = operation_options("max:3", 0, 0, 1, 2);
    lf_trainer *t = tt_trainer_create(&o, &ds);
    trainer_target_cache_free(t);
    trainer_forget_caches(t);
    lf_trainer_reset(t);
    tt_trainer_steps(t, 3);
    for (int thread = 0; thread < t->threads; thread++)
        trainer_target(t, 0, thread); /* each thread now holds patch 0's max */
    lf_target min;
    lf_error err;
    assert_int_equal(lf_target_parse(&min, "min:3", 1, &err), LF_OK);
    assert_int_equal(lf_trainer_set_target(t, &min, &err), LF_OK);
    assert_null(t->target_cache);
    float expected[24 * 24];
    int h, w;
    lf_op op = lf_target_op(&min);
    for (int thread = 0; thread < t->threads; thread++)
        for (int p = 0; p < ds.patch_count; p++) {
            assert_int_equal(lf_op_apply_reference(&op, lf_dataset_clean(&ds, p), 24, 24,
                                                   expected, 24 * 24, &h, &w, &err),
                             LF_OK);
            assert_memory_equal(trainer_target(t, p, thread), expected, sizeof expected);
        }
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fused_with_noise),
        cmocka_unit_test(test_plain_loops),
        cmocka_unit_test(test_layer_engine),
        cmocka_unit_test(test_fft_within_rounding),
        cmocka_unit_test(test_operation_targets),
        cmocka_unit_test(test_new_operation_forgets_made_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
