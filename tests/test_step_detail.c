/*
 * test_step_detail.c: the last step a snapshot describes is the step the
 * trainer took.
 *
 * For SGD with Nesterov momentum, plain SGD and Adam, on both engines:
 * the gradient matches central finite differences of the batch's loss,
 * computed here in double from the definition (the batch replayed from the
 * seed with lf_trainer_epoch_orders); the update the window prints (after
 * minus before) is the optimizer's rule applied to that gradient and the
 * moments; after is the weights the trainer holds now. A restart, a new
 * rate or optimizer, and a kernel above 7x7 describe no step.
 */
#include "test_util.h"

#include "learnfilter/conv.h"
#include "learnfilter/dataset.h"
#include "learnfilter/image.h"
#include "learnfilter/trainer.h"

#define PATCH 24

static void make_dataset(lf_dataset *ds)
{
    lf_image img;
    assert_int_equal(lf_image_init(&img, PATCH * 4, PATCH * 3, NULL), LF_OK);
    lf_rng rng;
    lf_rng_seed(&rng, 11);
    tu_fill_uniform(img.pixels, (size_t)img.width * img.height, &rng, 0.0f, 1.0f);
    lf_dataset_options o = {.patch_size = PATCH, .validation_fraction = 0.25f, .seed = 5};
    lf_error err;
    if (lf_dataset_from_images(ds, &img, 1, &o, &err) != LF_OK)
        fail_msg("%s", err.message);
    lf_image_deinit(&img);
}

/* Mean over the batch and pixels of (input * w + b - truth)^2, in double,
 * straight from conv.h's definition; params: taps, then the bias. */
static double batch_loss(const lf_dataset *ds, const int *patches, int batch, const lf_kernel *k,
                         const double *params, lf_padding padding)
{
    lf_conv_shape sh = lf_conv_shape_make(PATCH, PATCH, k->height, k->width, padding);
    double sum = 0;
    for (int b = 0; b < batch; b++) {
        const float *in = lf_dataset_input(ds, patches[b]);
        const float *clean = lf_dataset_clean(ds, patches[b]);
        for (int y = 0; y < sh.out_height; y++)
            for (int x = 0; x < sh.out_width; x++) {
                double out = params[k->height * k->width], truth = 0;
                for (int i = 0; i < k->height; i++)
                    for (int j = 0; j < k->width; j++) {
                        int iy = y + i - sh.pad_top, ix = x + j - sh.pad_left;
                        if (iy < 0 || ix < 0 || iy >= PATCH || ix >= PATCH)
                            continue;
                        out += params[i * k->width + j] * in[iy * PATCH + ix];
                        truth += (double)k->weights[i * k->width + j] * clean[iy * PATCH + ix];
                    }
                double r = out - (double)(float)truth;
                sum += r * r;
            }
    }
    return sum / ((double)batch * sh.out_height * sh.out_width);
}

static void check_steps(const char *kernel, lf_optimizer_kind optimizer, bool nesterov,
                        lf_engine engine, lf_padding padding)
{
    lf_dataset ds;
    make_dataset(&ds);
    lf_trainer_options o = {.seed = 3, .engine = engine, .padding = padding};
    assert_int_equal(lf_kernel_from_name(&o.target, kernel, 1, NULL), LF_OK);
    o.settings = lf_settings_for_optimizer(optimizer);
    o.settings.nesterov = nesterov;
    o.settings.batch_size = 2;
    lf_error err;
    lf_trainer *t = lf_trainer_create(&o, &ds, &err);
    if (!t)
        fail_msg("%s", err.message);
    const int taps = o.target.height * o.target.width;
    static lf_snapshot snap; /* holds kernels of 64x64: not on the stack */
    lf_trainer_snapshot(t, &snap, false);
    assert_int_equal(snap.last_step.step, 0); /* no step yet */

    int order[64];
    const int train = ds.train_count;
    assert_true(lf_trainer_epoch_orders(t, 1, order, sizeof order / sizeof order[0]) == 1);
    const lf_train_settings *st = &lf_trainer_get_options(t)->settings;
    float prev_first[LF_STEP_DETAIL_MAX_TAPS + 1] = {0};
    float prev_second[LF_STEP_DETAIL_MAX_TAPS + 1] = {0};
    for (int step = 1; step <= 3; step++) {
        assert_int_equal(lf_trainer_step(t, &err), LF_OK);
        lf_trainer_snapshot(t, &snap, false);
        const lf_step_detail *d = &snap.last_step;
        assert_int_equal(d->step, step);
        assert_int_equal(d->taps, taps);
        assert_int_equal(d->batch, 2);
        assert_int_equal(d->optimizer_step, step);
        /* After is what the trainer holds now. */
        for (int i = 0; i < taps; i++)
            assert_true(d->after[i] == lf_trainer_weights(t)[i]);
        assert_true(d->after[taps] == lf_trainer_bias(t));
        /* The gradient: finite differences of this batch's loss at the
         * weights before the step. */
        const int *batch = order + (step - 1) * 2;
        assert_true((step - 1) * 2 + 2 <= train);
        double p[LF_STEP_DETAIL_MAX_TAPS + 1];
        for (int i = 0; i <= taps; i++)
            p[i] = d->before[i];
        tu_assert_near(d->loss, batch_loss(&ds, batch, 2, &o.target, p, padding),
                       1e-5 * (d->loss + 1e-6));
        double gmax = 0;
        for (int i = 0; i <= taps; i++)
            gmax = fmax(gmax, fabs(d->grad[i]));
        for (int i = 0; i <= taps; i++) {
            const double h = 1e-3;
            double saved = p[i];
            p[i] = saved + h;
            double up = batch_loss(&ds, batch, 2, &o.target, p, padding);
            p[i] = saved - h;
            double down = batch_loss(&ds, batch, 2, &o.target, p, padding);
            p[i] = saved;
            tu_assert_near(d->grad[i], (up - down) / (2 * h), 1e-3 * gmax + 1e-6);
        }
        /* The update is the optimizer's rule, from the moments before and
         * after. */
        for (int i = 0; i <= taps; i++) {
            double g = d->grad[i], want;
            if (optimizer == LF_OPTIMIZER_SGD) {
                double v = st->momentum * prev_first[i] + g;
                tu_assert_near(d->first[i], v, 1e-6 * (fabs(v) + 1));
                want = -st->learning_rate * (st->nesterov ? g + st->momentum * v : v);
            } else {
                double m = st->beta1 * prev_first[i] + (1 - st->beta1) * g;
                double v = st->beta2 * prev_second[i] + (1 - st->beta2) * g * g;
                tu_assert_near(d->first[i], m, 1e-6 * (fabs(m) + 1e-3));
                tu_assert_near(d->second[i], v, 1e-6 * (fabs(v) + 1e-6));
                double mh = m / (1 - pow(st->beta1, step)), vh = v / (1 - pow(st->beta2, step));
                want = -st->learning_rate * mh / (sqrt(vh) + st->epsilon);
            }
            /* Up to the rounding of the float parameters themselves. */
            tu_assert_near((double)d->after[i] - d->before[i], want,
                           1e-5 * fabs(want) + 2.5e-7 * fabs(d->before[i]) + 1e-12);
            prev_first[i] = d->first[i];
            prev_second[i] = d->second[i];
        }
    }
    /* A new rate, a new optimizer, a restart: no step to describe. */
    assert_int_equal(lf_trainer_set_learning_rate(t, st->learning_rate * 2, &err), LF_OK);
    lf_trainer_snapshot(t, &snap, false);
    assert_int_equal(snap.last_step.step, 0);
    assert_int_equal(lf_trainer_step(t, &err), LF_OK);
    lf_trainer_snapshot(t, &snap, false);
    assert_int_equal(snap.last_step.step, 4);
    lf_trainer_set_optimizer(t, optimizer == LF_OPTIMIZER_SGD ? LF_OPTIMIZER_ADAM
                                                              : LF_OPTIMIZER_SGD);
    lf_trainer_snapshot(t, &snap, false);
    assert_int_equal(snap.last_step.step, 0);
    assert_int_equal(lf_trainer_step(t, &err), LF_OK);
    lf_trainer_reset(t);
    lf_trainer_snapshot(t, &snap, false);
    assert_int_equal(snap.last_step.step, 0);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

static void test_sgd_nesterov(void **state)
{
    (void)state;
    check_steps("sobel-x", LF_OPTIMIZER_SGD, true, LF_ENGINE_DIRECT, LF_PADDING_SAME);
    check_steps("sobel-x", LF_OPTIMIZER_SGD, true, LF_ENGINE_GRAM, LF_PADDING_SAME);
}

static void test_sgd_momentum(void **state)
{
    (void)state;
    check_steps("laplacian", LF_OPTIMIZER_SGD, false, LF_ENGINE_AUTO, LF_PADDING_VALID);
}

static void test_adam_7x7(void **state)
{
    (void)state;
    check_steps("box7", LF_OPTIMIZER_ADAM, false, LF_ENGINE_DIRECT, LF_PADDING_SAME);
    check_steps("sobel-y", LF_OPTIMIZER_ADAM, false, LF_ENGINE_GRAM, LF_PADDING_SAME);
}

/* Above 7x7 the step is named but not described weight by weight. */
static void test_large_kernel_has_no_taps(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds);
    lf_trainer_options o = {.seed = 3};
    assert_int_equal(lf_kernel_from_name(&o.target, "gaussian", 1, NULL), LF_OK);
    lf_error err;
    lf_trainer *t = lf_trainer_create(&o, &ds, &err);
    assert_non_null(t);
    assert_int_equal(lf_trainer_step(t, &err), LF_OK);
    static lf_snapshot snap;
    lf_trainer_snapshot(t, &snap, false);
    assert_int_equal(snap.last_step.step, 1);
    assert_int_equal(snap.last_step.taps, 0);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* The statistics the gram engine builds in its first epoch are counted
 * as they are built; the direct engine needs none. */
static void test_statistics_progress(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds);
    static lf_snapshot snap;
    for (int e = 0; e < 2; e++) {
        lf_trainer_options o = {.seed = 3, .engine = e ? LF_ENGINE_DIRECT : LF_ENGINE_GRAM, .fft = -1};
        assert_int_equal(lf_kernel_from_name(&o.target, "sobel-x", 1, NULL), LF_OK);
        o.settings = lf_settings_for_kernel(&o.target);
        o.settings.batch_size = 1;
        lf_error err;
        lf_trainer *t = lf_trainer_create(&o, &ds, &err);
        assert_non_null(t);
        lf_trainer_snapshot(t, &snap, false);
        if (e) {
            assert_int_equal(snap.stats_total, 0);
            assert_int_equal(snap.stats_built, 0);
        } else {
            assert_int_equal(snap.stats_total, ds.patch_count);
            assert_int_equal(snap.stats_built, 0);
            int last = 0;
            for (int i = 0; i < ds.train_count; i++) {
                assert_int_equal(lf_trainer_step(t, &err), LF_OK);
                lf_trainer_snapshot(t, &snap, false);
                assert_true(snap.stats_built >= last);
                assert_true(snap.stats_built >= i + 1); /* each step's patch at least */
                last = snap.stats_built;
            }
            /* After the first epoch (validation included) all are built. */
            assert_int_equal(snap.stats_built, ds.patch_count);
        }
        lf_trainer_destroy(t);
    }
    lf_dataset_deinit(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgd_nesterov),
        cmocka_unit_test(test_sgd_momentum),
        cmocka_unit_test(test_adam_7x7),
        cmocka_unit_test(test_large_kernel_has_no_taps),
        cmocka_unit_test(test_statistics_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
