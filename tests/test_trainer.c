/*
 * test_trainer.c: the training loop as a front end drives it.
 *
 * Determinism, reset, convergence on Sobel x, divergence and recovery,
 * switching kernels and optimizers, 'valid' padding, evaluation, the epoch
 * bookkeeping (Keras' smaller last batch), the bounded loss histories and
 * the snapshots. The data is generated: a texture of smooth blobs plus fine
 * grain, so every test is fast and independent of the photographs; small
 * patches keep the convergence test within a second even under sanitizers.
 */
#include "test_data_util.h"
#include "test_trainer_util.h"

#include "learnfilter/conv.h"
#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/trainer.h"

/* patches_x * patches_y patches of side patch of a "natural-ish" texture
 * (td_texture_image: smooth blobs, as in photographs, plus grain). */
static void make_dataset(lf_dataset *ds, int patch, int patches_x, int patches_y,
                         float validation, float noise, uint64_t seed)
{
    lf_image img;
    td_texture_image(&img, patch * patches_x, patch * patches_y, seed);
    lf_dataset_options o = {.patch_size = patch, .validation_fraction = validation,
                            .noise_sigma = noise, .seed = seed};
    td_dataset(ds, &img, 1, &o);
}

static void assert_same_params(const lf_trainer *a, const lf_trainer *b, int taps)
{
    assert_memory_equal(lf_trainer_weights(a), lf_trainer_weights(b), sizeof(float) * (size_t)taps);
    assert_true(lf_trainer_bias(a) == lf_trainer_bias(b));
}

/* ========================================================== settings */

static void test_settings_for_kernels(void **state)
{
    (void)state;
    lf_kernel k = tt_kernel_named("sobel-x");
    lf_train_settings s = lf_settings_for_kernel(&k);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_SGD);
    tu_assert_near(s.learning_rate, 1e-2, 1e-9);
    tu_assert_near(s.momentum, 0.9, 1e-7);
    assert_true(s.nesterov);
    assert_int_equal(s.batch_size, 4);
    k = tt_kernel_named("sobel-y");
    s = lf_settings_for_kernel(&k);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_SGD);
    tu_assert_near(s.learning_rate, 1e-2, 1e-9);
    assert_true(s.nesterov);
    assert_int_equal(s.batch_size, 1);
    k = tt_kernel_named("smiley");
    s = lf_settings_for_kernel(&k);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_ADAM);
    tu_assert_near(s.learning_rate, 1e-3, 1e-10);
    tu_assert_near(s.beta1, 0.9, 1e-7);
    tu_assert_near(s.beta2, 0.999, 1e-7);
    tu_assert_near(s.epsilon, 1e-8, 1e-12);
    assert_int_equal(s.batch_size, 1);
    k = tt_kernel_named("box7");
    assert_int_equal(lf_settings_for_kernel(&k).optimizer, LF_OPTIMIZER_SGD);
    k = tt_kernel_named("gaussian-50");
    assert_int_equal(lf_settings_for_kernel(&k).optimizer, LF_OPTIMIZER_ADAM);
}

/* ===================================================== reproducibility */

static void test_deterministic(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 4, 4, 0, 0, 1);
    lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 7};
    lf_trainer *a = tt_trainer_create(&o, &ds), *b = tt_trainer_create(&o, &ds);
    o.seed = 8;
    lf_trainer *c = tt_trainer_create(&o, &ds);
    tt_trainer_steps(a, 25);
    tt_trainer_steps(b, 25);
    tt_trainer_steps(c, 25);
    assert_same_params(a, b, 9);
    assert_true(lf_trainer_figures(a)->step_loss == lf_trainer_figures(b)->step_loss);
    int differ = 0;
    for (int i = 0; i < 9; i++)
        differ += lf_trainer_weights(a)[i] != lf_trainer_weights(c)[i];
    assert_true(differ >= 8);
    lf_trainer_destroy(a);
    lf_trainer_destroy(b);
    lf_trainer_destroy(c);
    lf_dataset_deinit(&ds);
}

static void test_reset_and_reseed(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 4, 4, 0, 0, 2);
    lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 3};
    lf_trainer *t = tt_trainer_create(&o, &ds), *fresh = tt_trainer_create(&o, &ds);
    float start[9];
    memcpy(start, lf_trainer_weights(t), sizeof start);
    /* Glorot uniform: |w| <= sqrt(6 / (9 + 9)); bias 0. */
    for (int i = 0; i < 9; i++)
        assert_true(fabsf(start[i]) <= sqrtf(6.0f / 18.0f));
    assert_true(lf_trainer_bias(t) == 0.0f);
    tt_trainer_steps(t, 17);
    assert_int_equal(lf_trainer_figures(t)->step, 17);
    lf_trainer_reset(t);
    assert_memory_equal(lf_trainer_weights(t), start, sizeof start);
    assert_true(lf_trainer_bias(t) == 0.0f);
    const lf_figures *f = lf_trainer_figures(t);
    assert_int_equal(f->step, 0);
    assert_int_equal(f->epoch, 0);
    assert_int_equal(f->step_in_epoch, 0);
    assert_true(isnan(f->step_loss));
    assert_false(f->converged);
    /* After a reset the run repeats exactly: moments and epoch order too. */
    tt_trainer_steps(t, 17);
    tt_trainer_steps(fresh, 17);
    assert_same_params(t, fresh, 9);

    lf_trainer_reseed(t, 4);
    assert_int_equal(lf_trainer_get_options(t)->seed, 4);
    assert_true(memcmp(lf_trainer_weights(t), start, sizeof start) != 0);
    lf_trainer_reseed(t, 3);
    assert_memory_equal(lf_trainer_weights(t), start, sizeof start);
    lf_trainer_destroy(t);
    lf_trainer_destroy(fresh);
    lf_dataset_deinit(&ds);
}

/* ======================================================== convergence */

static void test_sobel_x_converges(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 8, 8, 0.2f, 0, 5); /* 64 patches: 51 train, 13 validation */
    lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 1}; /* SGD 1e-2 Nesterov, batch 4 */
    lf_trainer *t = tt_trainer_create(&o, &ds);
    const lf_figures *f = lf_trainer_figures(t);
    const double first_error = f->rel_err;
    assert_true(first_error > 0.5); /* random weights are far from Sobel */
    const int limit = 3000;
    lf_error err;
    int n = 0;
    while (!f->converged && n < limit) {
        assert_int_equal(lf_trainer_step(t, &err), LF_OK);
        n++;
    }
    if (!f->converged)
        fail_msg("not below 1%% after %d steps: relative error %g", limit, f->rel_err);
    assert_true(f->rel_err <= 0.01);
    assert_int_equal(f->converged_step, n);
    assert_true(f->best_rel_err <= f->rel_err);
    assert_false(f->diverged);
    /* The learned kernel is Sobel x, the bias near zero. */
    lf_kernel k = tt_kernel_named("sobel-x");
    const float *w = lf_trainer_weights(t);
    for (int i = 0; i < 9; i++)
        tu_assert_near(w[i], k.weights[i], 0.05);
    tu_assert_near(lf_trainer_bias(t), 0.0, 0.05);
    /* Validation loss fell from the first epoch's. */
    lf_snapshot snap;
    assert_int_equal(lf_snapshot_init(&snap, 16, NULL), LF_OK);
    lf_trainer_snapshot(t, &snap, false);
    assert_true(snap.epochs.count >= 2);
    assert_true(snap.epochs.points[snap.epochs.count - 1].val_loss <
                0.01f * snap.epochs.points[0].val_loss);
    lf_snapshot_deinit(&snap);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* ========================================================= divergence */

static void test_divergence_and_recovery(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 4, 4, 0, 0, 6);
    lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 2};
    o.settings = lf_settings_for_kernel(&o.target);
    o.settings.learning_rate = 1e3f;
    lf_trainer *t = tt_trainer_create(&o, &ds);
    lf_error err;
    lf_status st = LF_OK;
    int n = 0;
    while (st == LF_OK && n < 200) {
        st = lf_trainer_step(t, &err);
        n++;
    }
    assert_int_equal(st, LF_ERR_DIVERGED);
    assert_int_equal(err.status, LF_ERR_DIVERGED);
    assert_non_null(strstr(err.message, "diverged"));
    const lf_figures *f = lf_trainer_figures(t);
    assert_true(f->diverged);
    assert_int_equal(f->step, n - 1); /* the failed step is not counted */
    for (int i = 0; i < 9; i++)
        assert_true(isfinite(lf_trainer_weights(t)[i]));
    assert_true(isfinite(lf_trainer_bias(t)));
    /* Stuck until told otherwise. */
    assert_int_equal(lf_trainer_step(t, &err), LF_ERR_DIVERGED);

    assert_int_equal(lf_trainer_set_learning_rate(t, 0, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_trainer_set_learning_rate(t, -1e-3f, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_trainer_set_learning_rate(t, NAN, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_trainer_set_learning_rate(t, INFINITY, &err), LF_ERR_ARGUMENT);
    assert_true(f->diverged);

    assert_int_equal(lf_trainer_set_learning_rate(t, 1e-2f, &err), LF_OK);
    assert_false(f->diverged);
    assert_int_equal(f->step, 0);
    tu_assert_near(lf_trainer_get_options(t)->settings.learning_rate, 1e-2, 1e-9);
    /* Real recovery, not only a finite number: from the restart's error
     * (about 1.04) the kernel error halves within 200 steps, as a run from
     * these weights at this rate does. */
    double restart_err = f->rel_err;
    tt_trainer_steps(t, 200);
    assert_true(f->rel_err < 0.5 * restart_err);
    /* A new learning rate mid-run keeps the weights. */
    float before[9];
    memcpy(before, lf_trainer_weights(t), sizeof before);
    assert_int_equal(lf_trainer_set_learning_rate(t, 5e-3f, &err), LF_OK);
    assert_memory_equal(lf_trainer_weights(t), before, sizeof before);
    assert_int_equal(f->step, 200);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* ===================================================== switching things */

static void test_set_kernel_changes_shape(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 32, 2, 2, -1, 0, 7);
    lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 1};
    lf_trainer *t = tt_trainer_create(&o, &ds);
    tt_trainer_steps(t, 3);
    lf_error err;
    lf_kernel smiley = tt_kernel_named("smiley");
    assert_int_equal(lf_trainer_set_kernel(t, &smiley, NULL, &err), LF_OK);
    const lf_trainer_options *now = lf_trainer_get_options(t);
    assert_int_equal(now->target.height, 32);
    assert_int_equal(now->target.width, 32);
    assert_int_equal(now->settings.optimizer, LF_OPTIMIZER_ADAM);
    assert_int_equal(now->settings.batch_size, 1);
    assert_int_equal(lf_trainer_figures(t)->step, 0);
    const float limit = sqrtf(6.0f / 2048.0f);
    int nonzero = 0;
    for (int i = 0; i < 1024; i++) {
        assert_true(fabsf(lf_trainer_weights(t)[i]) <= limit);
        nonzero += lf_trainer_weights(t)[i] != 0.0f;
    }
    assert_true(nonzero > 1000);
    tt_trainer_steps(t, 3);
    lf_snapshot snap;
    assert_int_equal(lf_snapshot_init(&snap, 32, NULL), LF_OK);
    lf_trainer_snapshot(t, &snap, true);
    assert_int_equal(snap.learned.height, 32);
    assert_int_equal(snap.target.width, 32);
    assert_int_equal(snap.out_height, 32); /* 'same' */
    assert_memory_equal(snap.learned.weights, lf_trainer_weights(t), sizeof(float) * 1024);
    lf_snapshot_deinit(&snap);

    /* Explicit settings win over the kernel's; a bad kernel changes nothing. */
    lf_kernel sx = tt_kernel_named("sobel-x");
    lf_train_settings s = lf_settings_for_kernel(&sx);
    s.batch_size = 2;
    assert_int_equal(lf_trainer_set_kernel(t, &sx, &s, &err), LF_OK);
    assert_int_equal(lf_trainer_get_options(t)->settings.batch_size, 2);
    lf_kernel bad = sx;
    bad.height = 0;
    assert_int_equal(lf_trainer_set_kernel(t, &bad, NULL, &err), LF_ERR_ARGUMENT);
    bad = sx;
    bad.weights[4] = NAN;
    assert_int_equal(lf_trainer_set_kernel(t, &bad, NULL, &err), LF_ERR_INPUT);
    assert_int_equal(lf_trainer_get_options(t)->target.height, 3);
    assert_true(lf_trainer_get_options(t)->target.weights[4] == 0.0f);

    /* Switching optimizer keeps the weights and the batch size. */
    float before[9];
    memcpy(before, lf_trainer_weights(t), sizeof before);
    lf_trainer_set_optimizer(t, LF_OPTIMIZER_ADAM);
    assert_int_equal(lf_trainer_get_options(t)->settings.optimizer, LF_OPTIMIZER_ADAM);
    tu_assert_near(lf_trainer_get_options(t)->settings.learning_rate, 1e-3, 1e-10);
    assert_int_equal(lf_trainer_get_options(t)->settings.batch_size, 2);
    assert_memory_equal(lf_trainer_weights(t), before, sizeof before);
    lf_trainer_set_optimizer(t, LF_OPTIMIZER_SGD);
    assert_int_equal(lf_trainer_get_options(t)->settings.optimizer, LF_OPTIMIZER_SGD);
    assert_true(lf_trainer_get_options(t)->settings.nesterov);
    tt_trainer_steps(t, 2);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

static void test_set_dataset(void **state)
{
    (void)state;
    lf_dataset a, b;
    make_dataset(&a, 16, 3, 3, 0, 0, 8);
    make_dataset(&b, 24, 2, 1, -1, 0, 9);
    lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 1};
    lf_trainer *t = tt_trainer_create(&o, &a);
    tt_trainer_steps(t, 4);
    lf_error err;
    assert_int_equal(lf_trainer_set_dataset(t, &b, &err), LF_OK);
    assert_ptr_equal(lf_trainer_dataset(t), &b);
    assert_int_equal(lf_trainer_figures(t)->step, 0);
    /* Batch 4 would not fit 2 training patches: it shrinks. */
    assert_int_equal(lf_trainer_get_options(t)->settings.batch_size, 2);
    assert_int_equal(lf_trainer_figures(t)->steps_per_epoch, 1);
    tt_trainer_steps(t, 3);
    assert_int_equal(lf_trainer_figures(t)->epoch, 3);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&a);
    lf_dataset_deinit(&b);
}

static void test_create_rejects(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 2, 2, 0.5f, 0, 10); /* 2 train, 2 validation */
    lf_error err;
    lf_trainer_options o = {.target = tt_kernel_named("sobel-x")};
    o.settings = lf_settings_for_kernel(&o.target);
    o.settings.batch_size = 3;
    assert_null(lf_trainer_create(&o, &ds, &err));
    assert_int_equal(err.status, LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "batch size 3"));
    o.settings.batch_size = 1;
    o.settings.momentum = 1.0f;
    assert_null(lf_trainer_create(&o, &ds, &err));
    assert_int_equal(err.status, LF_ERR_ARGUMENT);
    o.settings.momentum = 0.9f;
    o.tolerance = -1;
    assert_null(lf_trainer_create(&o, &ds, &err));
    assert_int_equal(err.status, LF_ERR_ARGUMENT);
    o.tolerance = 0;
    o.target.weights[0] = INFINITY;
    assert_null(lf_trainer_create(&o, &ds, &err));
    assert_int_equal(err.status, LF_ERR_INPUT);
    /* 'valid' with a kernel larger than the patch. */
    lf_trainer_options v = {.target = tt_kernel_named("smiley"), .padding = LF_PADDING_VALID};
    assert_null(lf_trainer_create(&v, &ds, &err));
    assert_int_equal(err.status, LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "does not fit"));
    lf_dataset empty = {0};
    assert_null(lf_trainer_create(&v, &empty, &err));
    assert_int_equal(err.status, LF_ERR_ARGUMENT);
    lf_trainer_destroy(NULL);
    lf_dataset_deinit(&ds);
}

/* ======================================================== evaluation */

/* lf_trainer_evaluate by its definition, in double: the network on the
 * (noisy) inputs against the true kernel on the clean patches. */
static double evaluate_by_hand(const lf_trainer *t, int first, int count)
{
    const lf_dataset *ds = lf_trainer_dataset(t);
    const lf_trainer_options *o = lf_trainer_get_options(t);
    lf_conv_shape s = lf_conv_shape_make(ds->patch_size, ds->patch_size, o->target.height,
                                         o->target.width, o->padding);
    int area = s.out_height * s.out_width;
    float *out = malloc(sizeof(float) * (size_t)area), *target = malloc(sizeof(float) * (size_t)area);
    double total = 0;
    for (int p = first; p < first + count; p++) {
        conv2d_forward_reference(out, lf_dataset_input(ds, p), lf_trainer_weights(t),
                                 lf_trainer_bias(t), &s);
        conv2d_forward_reference(target, lf_dataset_clean(ds, p), o->target.weights, 0, &s);
        double sum = 0;
        for (int i = 0; i < area; i++)
            sum += ((double)out[i] - target[i]) * ((double)out[i] - target[i]);
        total += sum / area;
    }
    free(out);
    free(target);
    return total / count;
}

static void test_evaluate_and_valid_padding(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 3, 3, 0.2f, 0.05f, 11); /* noisy inputs, clean targets */
    for (int pad = 0; pad < 2; pad++) {
        lf_trainer_options o = {.target = tt_kernel_named("laplacian"), .seed = 4,
                                .padding = pad ? LF_PADDING_VALID : LF_PADDING_SAME};
        lf_trainer *t = tt_trainer_create(&o, &ds);
        tt_trainer_steps(t, 5);
        double got = lf_trainer_evaluate(t, 0, ds.patch_count);
        double want = evaluate_by_hand(t, 0, ds.patch_count);
        tu_assert_near(got, want, 1e-5 * want);
        got = lf_trainer_evaluate(t, 2, 3);
        tu_assert_near(got, evaluate_by_hand(t, 2, 3), 1e-5 * got);
        assert_true(isnan(lf_trainer_evaluate(t, 0, 0)));

        lf_snapshot snap;
        assert_int_equal(lf_snapshot_init(&snap, 16, NULL), LF_OK);
        lf_trainer_snapshot(t, &snap, true);
        assert_int_equal(snap.padding, o.padding);
        assert_int_equal(snap.out_height, pad ? 14 : 16);
        assert_int_equal(snap.out_width, pad ? 14 : 16);
        lf_snapshot_deinit(&snap);
        lf_trainer_destroy(t);
    }
    lf_dataset_deinit(&ds);
}

/* ============================================================= epochs */

static void test_epoch_bookkeeping(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 8, 5, 2, 0.2f, 0, 12); /* 10 patches: 8 train, 2 validation */
    assert_int_equal(ds.train_count, 8);
    lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 1};
    o.settings = lf_settings_for_kernel(&o.target);
    o.settings.batch_size = 3;
    lf_trainer *t = tt_trainer_create(&o, &ds);
    const lf_figures *f = lf_trainer_figures(t);
    /* Keras: batches of 3, 3 and a last, smaller one of 2. */
    assert_int_equal(f->steps_per_epoch, 3);
    assert_true(isnan(f->val_loss));
    double losses[3];
    for (int i = 0; i < 3; i++) {
        tt_trainer_steps(t, 1);
        losses[i] = f->step_loss;
        if (i < 2) {
            assert_int_equal(f->epoch, 0);
            assert_int_equal(f->step_in_epoch, i + 1);
            assert_true(isnan(f->val_loss));
        }
    }
    assert_int_equal(f->epoch, 1);
    assert_int_equal(f->step_in_epoch, 0);
    assert_int_equal(f->step, 3);
    tu_assert_near(f->train_loss, (losses[0] + losses[1] + losses[2]) / 3, 1e-12);
    tu_assert_near(f->val_loss, evaluate_by_hand(t, 8, 2), 1e-5 * f->val_loss);
    tt_trainer_steps(t, 6);
    assert_int_equal(f->epoch, 3);
    lf_snapshot snap;
    assert_int_equal(lf_snapshot_init(&snap, 8, NULL), LF_OK);
    lf_trainer_snapshot(t, &snap, false);
    assert_int_equal(snap.epochs.count, 3);
    for (int e = 0; e < 3; e++) {
        assert_int_equal(snap.epochs.points[e].step, 3 * (e + 1));
        tu_assert_near(snap.epochs.points[e].epoch, e + 1, 0);
        assert_true(isfinite(snap.epochs.points[e].val_loss));
    }
    assert_int_equal(snap.steps.count, 9);
    tu_assert_near(snap.steps.points[1].epoch, 2.0 / 3.0, 1e-6);
    assert_true(isnan(snap.steps.points[0].val_loss));
    assert_int_equal(snap.train_count, 8);
    assert_int_equal(snap.validation_count, 2);
    lf_snapshot_deinit(&snap);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* Each epoch visits every training patch exactly once, in batches of 3, 3
 * and 2. With a learning rate so small the weights cannot move, each step's
 * loss is the mean of its patches' losses, so 3 s1 + 3 s2 + 2 s3 must be the
 * sum of the 8 training patches' losses, epoch after epoch, whatever order
 * the reshuffle chose. A batch that wrapped around or repeated a patch
 * would break the sum. */
static void test_epoch_visits_each_patch_once(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 8, 5, 2, 0.2f, 0, 15);
    lf_kernel k = tt_kernel_named("laplacian");
    lf_trainer_options o = {.target = k, .seed = 2};
    o.settings = lf_settings_for_kernel(&k);
    o.settings.learning_rate = 1e-30f;
    o.settings.momentum = 0;
    o.settings.nesterov = false;
    o.settings.batch_size = 3;
    lf_trainer *t = tt_trainer_create(&o, &ds);
    double total = 0;
    for (int p = 0; p < 8; p++)
        total += lf_trainer_evaluate(t, p, 1);
    const lf_figures *f = lf_trainer_figures(t);
    for (int epoch = 0; epoch < 3; epoch++) {
        double weighted = 0;
        const int sizes[3] = {3, 3, 2};
        for (int i = 0; i < 3; i++) {
            tt_trainer_steps(t, 1);
            weighted += sizes[i] * f->step_loss;
        }
        assert_int_equal(f->epoch, epoch + 1);
        tu_assert_near(weighted, total, 1e-6 * total);
    }
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* lf_trainer_epoch_orders replays the order the steps really take. With
 * batch 1 and weights that cannot move, the loss of step s is the loss of
 * the patch it used, and the patches' losses all differ, so each step's
 * loss names its patch. */
static void test_epoch_orders_match_steps(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 8, 5, 2, 0.2f, 0, 16);
    lf_kernel k = tt_kernel_named("laplacian");
    lf_trainer_options o = {.target = k, .seed = 3};
    o.settings = lf_settings_for_kernel(&k);
    o.settings.learning_rate = 1e-30f;
    o.settings.momentum = 0;
    o.settings.batch_size = 1;
    lf_trainer *t = tt_trainer_create(&o, &ds);
    enum { EPOCHS = 3 };
    const int n = ds.train_count;
    int order[EPOCHS * 8];
    assert_int_equal(n, 8);
    assert_int_equal(lf_trainer_epoch_orders(t, EPOCHS, order, sizeof order / sizeof order[0]),
                     EPOCHS);
    /* Asked for more epochs than fit: only whole epochs that fit, nothing
     * past the array, and the same orders. */
    int part[2 * 8 + 5];
    for (int i = 0; i < 2 * 8 + 5; i++)
        part[i] = -7;
    assert_int_equal(lf_trainer_epoch_orders(t, 50, part, 2 * 8 + 3), 2);
    for (int i = 0; i < 2 * 8; i++)
        assert_int_equal(part[i], order[i]);
    for (int i = 2 * 8; i < 2 * 8 + 5; i++)
        assert_int_equal(part[i], -7);
    double loss[8];
    for (int p = 0; p < n; p++) {
        loss[p] = lf_trainer_evaluate(t, p, 1);
        for (int q = 0; q < p; q++)
            assert_true(loss[p] != loss[q]);
    }
    for (int s = 0; s < EPOCHS * n; s++) {
        tt_trainer_steps(t, 1);
        tu_assert_near(lf_trainer_figures(t)->step_loss, loss[order[s]], 1e-9 * loss[order[s]]);
    }
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* The loss histories stay within LF_HISTORY_MAX points however long the run,
 * keep covering all of it, and a merged point averages its two halves. */
static void test_history_decimation(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 8, 2, 1, -1, 0, 13); /* 2 training patches */
    lf_kernel k = tt_kernel_named("identity");
    lf_trainer_options o = {.target = k, .seed = 1};
    o.settings = lf_settings_for_kernel(&k);
    o.settings.batch_size = 2; /* one step per epoch */
    lf_trainer *t = tt_trainer_create(&o, &ds);
    const int n = 3 * LF_HISTORY_MAX + 77;
    lf_snapshot snap;
    assert_int_equal(lf_snapshot_init(&snap, 8, NULL), LF_OK);
    for (int i = 1; i <= n; i++) {
        tt_trainer_steps(t, 1);
        if (i == LF_HISTORY_MAX) {
            lf_trainer_snapshot(t, &snap, false);
            assert_int_equal(snap.steps.count, LF_HISTORY_MAX);
            assert_int_equal(snap.steps.stride, 1);
        }
    }
    lf_trainer_snapshot(t, &snap, false);
    const lf_history *histories[2] = {&snap.steps, &snap.epochs};
    for (int h = 0; h < 2; h++) {
        const lf_history *hist = histories[h];
        assert_true(hist->count <= LF_HISTORY_MAX);
        assert_true(hist->count >= LF_HISTORY_MAX / 2);
        /* 1789 events: the stride doubled twice, to 4. */
        assert_int_equal(hist->stride, 4);
        for (int i = 0; i < hist->count; i++)
            assert_int_equal(hist->points[i].step, (long)(i + 1) * hist->stride);
        assert_int_equal(hist->points[hist->count - 1].step + hist->pending, n);
        assert_true(hist->pending < hist->stride);
    }
    assert_int_equal(snap.epochs.count, n / 4);
    lf_snapshot_deinit(&snap);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* ========================================================== snapshots */

static void test_snapshot_images(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 3, 2, 0.2f, 0.02f, 14);
    lf_trainer_options o = {.target = tt_kernel_named("sobel-y"), .seed = 5, .sample_patch = 4};
    lf_trainer *t = tt_trainer_create(&o, &ds);
    tt_trainer_steps(t, 7);
    lf_snapshot snap, copy, small;
    assert_int_equal(lf_snapshot_init(&snap, 16, NULL), LF_OK);
    assert_int_equal(lf_snapshot_init(&copy, 16, NULL), LF_OK);
    assert_int_equal(lf_snapshot_init(&small, 8, NULL), LF_OK);
    lf_trainer_snapshot(t, &snap, true);
    assert_true(snap.has_images);
    assert_int_equal(snap.sample_patch, 4);
    assert_int_equal(snap.in_height, 16);
    assert_memory_equal(snap.input, lf_dataset_input(&ds, 4), sizeof(float) * 256);
    assert_memory_equal(snap.learned.weights, lf_trainer_weights(t), sizeof(float) * 9);
    assert_true(snap.bias == lf_trainer_bias(t));
    assert_int_equal(snap.figures.step, 7);
    assert_int_equal(snap.seed, 5);
    assert_string_equal(snap.target.name, "sobel-y");
    /* output = the network on the input; expected = Sobel y on the clean patch. */
    lf_conv_shape s = lf_conv_shape_make(16, 16, 3, 3, LF_PADDING_SAME);
    float want[256];
    conv2d_forward_reference(want, snap.input, snap.learned.weights, snap.bias, &s);
    for (int i = 0; i < 256; i++)
        tu_assert_near(snap.output[i], want[i], 1e-5);
    conv2d_forward_reference(want, lf_dataset_clean(&ds, 4), snap.target.weights, 0, &s);
    for (int i = 0; i < 256; i++)
        tu_assert_near(snap.expected[i], want[i], 1e-5);

    assert_true(lf_snapshot_copy(&copy, &snap));
    assert_true(copy.has_images);
    assert_true(copy.input != snap.input);
    assert_memory_equal(copy.output, snap.output, sizeof(float) * 256);
    assert_memory_equal(copy.learned.weights, snap.learned.weights, sizeof(float) * 9);
    /* Too small for the images: the figures still copy, the images do not. */
    assert_false(lf_snapshot_copy(&small, &snap));
    assert_false(small.has_images);
    assert_int_equal(small.figures.step, 7);
    assert_int_equal(small.capacity, 64);
    lf_trainer_snapshot(t, &small, true);
    assert_false(small.has_images);

    lf_trainer_snapshot(t, &snap, false);
    assert_false(snap.has_images);
    lf_trainer_set_sample_patch(t, -1);
    assert_int_equal(lf_trainer_get_options(t)->sample_patch, ds.patch_count - 1);
    lf_trainer_set_sample_patch(t, ds.patch_count + 2);
    assert_int_equal(lf_trainer_get_options(t)->sample_patch, 2);
    lf_snapshot_deinit(&snap);
    lf_snapshot_deinit(&copy);
    lf_snapshot_deinit(&small);
    lf_snapshot_deinit(NULL);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_for_kernels),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_reset_and_reseed),
        cmocka_unit_test(test_sobel_x_converges),
        cmocka_unit_test(test_divergence_and_recovery),
        cmocka_unit_test(test_set_kernel_changes_shape),
        cmocka_unit_test(test_set_dataset),
        cmocka_unit_test(test_create_rejects),
        cmocka_unit_test(test_evaluate_and_valid_padding),
        cmocka_unit_test(test_epoch_bookkeeping),
        cmocka_unit_test(test_epoch_visits_each_patch_once),
        cmocka_unit_test(test_epoch_orders_match_steps),
        cmocka_unit_test(test_history_decimation),
        cmocka_unit_test(test_snapshot_images),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
