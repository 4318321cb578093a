/*
 * test_trainer_layer.c: the trainer learning a layer of several filters,
 * channels, stride, activation and pooling.
 *
 *   - one step of the layer engine (fast routines, two threads) equals one
 *     step of plain SGD computed here from the reference loops of layer.h
 *     (lf_layer_forward_reference, lf_layer_backward_reference): the loss
 *     and every parameter;
 *   - the statistics (Gram) engine and the layer engine agree on a linear
 *     bank of gray filters over the same steps;
 *   - the loss is against the layer with the true weights and zero biases
 *     (activation and pooling included); the figures measure the bank;
 *   - refusals: engine gram for a layer it cannot serve, channels other
 *     than the data's, a bank too large, set_kernel on a layer.
 *
 * The data is a generated texture, its colour planes different mixtures of
 * it, built by hand as a dataset of (C, size, size) patches.
 */
#include "test_util.h"
#include "test_trainer_util.h"

#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/layer.h"
#include "learnfilter/trainer.h"

#define SIDE 16
#define PATCHES 6

/* PATCHES patches of `channels` planes, all for training. */
static void make_dataset(lf_dataset *ds, int channels, uint64_t seed)
{
    tt_layer_dataset(ds, SIDE, PATCHES, PATCHES, channels, seed);
}

static void free_dataset(lf_dataset *ds) { free(ds->inputs); }

static lf_train_settings plain_sgd(float lr, int batch)
{
    lf_train_settings s = lf_settings_for_optimizer(LF_OPTIMIZER_SGD);
    s.learning_rate = lr;
    s.momentum = 0;
    s.nesterov = false;
    s.batch_size = batch;
    return s;
}

/* One step of the trainer against the same step from the reference loops:
 * the batch is every patch, so the epoch's order does not matter. */
static void check_one_step(const lf_layer_options *layer, lf_padding padding, int k)
{
    lf_dataset ds;
    make_dataset(&ds, layer->channels, 3);
    lf_kernel bank = tt_layer_bank(layer->filters, layer->channels, k, 5);
    const float lr = 0.05f;
    lf_trainer_options o = {.target = bank, .layer = *layer, .padding = padding,
                            .settings = plain_sgd(lr, PATCHES), .seed = 7, .threads = 2,
                            .engine = LF_ENGINE_DIRECT};
    lf_trainer *t = tt_trainer_create(&o, &ds);
    assert_int_equal(lf_trainer_engine(t), LF_ENGINE_DIRECT);

    lf_layer_desc d = {.in_height = SIDE, .in_width = SIDE, .k_height = k, .k_width = k,
                       .channels = layer->channels, .filters = layer->filters,
                       .stride = layer->stride, .padding = padding,
                       .activation = layer->activation, .pool = layer->pool};
    lf_layer_shape s;
    assert_int_equal(lf_layer_shape_make(&s, &d, NULL), LF_OK);
    assert_int_equal(lf_trainer_weight_count(t), (int)s.weight_count);
    assert_int_equal(lf_trainer_filters(t), layer->filters);

    float *params = malloc(sizeof(float) * s.param_count);
    double *grads = calloc(s.param_count, sizeof(double));
    float *g = malloc(sizeof(float) * s.param_count);
    float *truth = calloc(s.param_count, sizeof(float));
    float *out = malloc(sizeof(float) * s.out_count), *target = malloc(sizeof(float) * s.out_count);
    float *act = malloc(sizeof(float) * s.act_count), *dout = malloc(sizeof(float) * s.out_count);
    memcpy(params, lf_trainer_weights(t), sizeof(float) * s.param_count);
    memcpy(truth, bank.weights, sizeof(float) * s.weight_count); /* zero biases */
    /* The loss is the mean over every output value of the batch. */
    const size_t total = (size_t)PATCHES * s.out_count;
    double loss = 0;
    for (int p = 0; p < PATCHES; p++) {
        const float *in = lf_dataset_input(&ds, p);
        lf_layer_forward_reference(target, act, in, truth, &s);
        lf_layer_forward_reference(out, act, in, params, &s);
        for (size_t i = 0; i < s.out_count; i++) {
            double r = (double)out[i] - target[i];
            loss += r * r / (double)total;
            dout[i] = (float)(2.0 * r / (double)total);
        }
        memset(g, 0, sizeof(float) * s.param_count);
        lf_layer_backward_reference(g, NULL, dout, act, in, params, &s);
        for (size_t i = 0; i < s.param_count; i++)
            grads[i] += g[i];
    }
    lf_error err;
    assert_int_equal(lf_trainer_step(t, &err), LF_OK);
    const lf_figures *f = lf_trainer_figures(t);
    assert_true(fabs(f->step_loss - loss) <= 1e-5 * loss);
    double scale = 0;
    for (size_t i = 0; i < s.param_count; i++)
        scale = fmax(scale, fabs(lr * grads[i]));
    assert_true(scale > 0);
    const float *now = lf_trainer_weights(t);
    for (size_t i = 0; i < s.param_count; i++) {
        double expected = params[i] - lr * grads[i];
        if (fabs(now[i] - expected) > 1e-6 + 1e-4 * scale)
            fail_msg("parameter %zu: %.9g, the reference step gives %.9g (step size %.3g)", i,
                     (double)now[i], expected, scale);
    }
    free(params);
    free(grads);
    free(g);
    free(truth);
    free(out);
    free(target);
    free(act);
    free(dout);
    lf_trainer_destroy(t);
    free_dataset(&ds);
}

static void test_step_colour_relu_pool_stride(void **state)
{
    (void)state;
    lf_layer_options l = {.channels = 3, .filters = 2, .stride = 2, .pool = 2,
                          .activation = LF_ACTIVATION_RELU};
    check_one_step(&l, LF_PADDING_SAME, 3);
}

static void test_step_gray_bank_sigmoid_valid(void **state)
{
    (void)state;
    lf_layer_options l = {.channels = 1, .filters = 3, .stride = 1, .pool = 1,
                          .activation = LF_ACTIVATION_SIGMOID};
    check_one_step(&l, LF_PADDING_VALID, 5);
}

static void test_step_tanh_stride3(void **state)
{
    (void)state;
    lf_layer_options l = {.channels = 3, .filters = 1, .stride = 3, .pool = 1,
                          .activation = LF_ACTIVATION_TANH};
    check_one_step(&l, LF_PADDING_SAME, 4);
}

/* The statistics engine and the layer engine trained side by side from
 * options o (the same seed, order and settings) for `steps` steps: every
 * step's loss, then the weights and biases, each filter's error and the
 * loss over the set agree up to float rounding (1e-4 relative), and they
 * learned (the error fell by a tenth). */
static void assert_engines_agree(lf_trainer_options o, const lf_dataset *ds, int steps)
{
    o.engine = LF_ENGINE_GRAM;
    lf_trainer *gram = tt_trainer_create(&o, ds);
    o.engine = LF_ENGINE_DIRECT;
    lf_trainer *layer = tt_trainer_create(&o, ds);
    assert_int_equal(lf_trainer_engine(gram), LF_ENGINE_GRAM);
    assert_int_equal(lf_trainer_engine(layer), LF_ENGINE_DIRECT);
    const double start = lf_trainer_figures(layer)->rel_err;
    lf_error err;
    for (int step = 0; step < steps; step++) {
        assert_int_equal(lf_trainer_step(gram, &err), LF_OK);
        assert_int_equal(lf_trainer_step(layer, &err), LF_OK);
        const lf_figures *a = lf_trainer_figures(gram), *b = lf_trainer_figures(layer);
        assert_true(fabs(a->step_loss - b->step_loss) <= 1e-4 * b->step_loss);
    }
    const int filters = lf_trainer_filters(layer);
    const int params = lf_trainer_weight_count(layer) + filters;
    assert_int_equal(params, lf_trainer_weight_count(gram) + lf_trainer_filters(gram));
    assert_true(lf_relative_error(lf_trainer_weights(gram), lf_trainer_weights(layer), params) <
                1e-4);
    assert_true(lf_trainer_figures(layer)->rel_err < 0.9 * start);
    for (int f = 0; f < filters; f++)
        assert_true(fabs(lf_trainer_filter_rel_err(gram, f) - lf_trainer_filter_rel_err(layer, f)) <
                    1e-4);
    const double loss = lf_trainer_evaluate(layer, 0, ds->patch_count);
    assert_true(fabs(lf_trainer_evaluate(gram, 0, ds->patch_count) - loss) < 1e-4 * loss);
    lf_trainer_destroy(gram);
    lf_trainer_destroy(layer);
}

/* On one linear bank of gray filters: 40 steps. */
static void test_gram_and_layer_engines_agree(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 1, 11);
    lf_kernel bank = tt_layer_bank(3, 1, 3, 13);
    lf_trainer_options o = {.target = bank, .layer = {.filters = 3}, .seed = 2,
                            .settings = lf_settings_for_optimizer(LF_OPTIMIZER_SGD)};
    o.settings.batch_size = 2;
    assert_engines_agree(o, &ds, 40);
    free_dataset(&ds);
}

/* The same on a colour bank at stride 2 with 'valid' padding, where the
 * statistics are over the layer's windows (gram_layer.c): 30 steps. */
static void test_engines_agree_colour_stride(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 3, 37);
    lf_kernel bank = tt_layer_bank(2, 3, 3, 41);
    lf_trainer_options o = {.target = bank, .layer = {.channels = 3, .filters = 2, .stride = 2},
                            .padding = LF_PADDING_VALID, .seed = 3,
                            .settings = plain_sgd(0.2f, 3), .threads = 2};
    assert_engines_agree(o, &ds, 30);
    free_dataset(&ds);
}

/* The validation loss (lf_trainer_evaluate) is the mean squared error
 * against the same layer with the true weights and zero biases, activation
 * and pooling included, as computed here by the reference loops; the
 * figures measure the whole bank and each filter. */
static void test_target_and_figures(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 3, 17);
    lf_kernel bank = tt_layer_bank(2, 3, 3, 19);
    lf_trainer_options o = {.target = bank,
                            .layer = {.channels = 3, .filters = 2, .pool = 2,
                                      .activation = LF_ACTIVATION_TANH},
                            .settings = plain_sgd(0.1f, 2)};
    lf_trainer *t = tt_trainer_create(&o, &ds);
    const lf_layer_shape *s = lf_trainer_layer_shape(t);
    assert_int_equal(s->out_count, (size_t)2 * 8 * 8);
    const float *w = lf_trainer_weights(t);
    float truth[2 * 27 + 2] = {0};
    memcpy(truth, bank.weights, sizeof(float) * 54);
    float out[128], target[128], act[2 * 16 * 16];
    double expected = 0;
    for (int p = 0; p < PATCHES; p++) {
        lf_layer_forward_reference(target, act, lf_dataset_input(&ds, p), truth, s);
        lf_layer_forward_reference(out, act, lf_dataset_input(&ds, p), w, s);
        double sum = 0;
        for (int i = 0; i < 128; i++)
            sum += ((double)out[i] - target[i]) * ((double)out[i] - target[i]);
        expected += sum / 128 / PATCHES;
    }
    double loss = lf_trainer_evaluate(t, 0, PATCHES);
    assert_true(expected > 0);
    assert_true(fabs(loss - expected) <= 1e-5 * expected);
    double e0 = lf_relative_error(w, bank.weights, 27);
    double e1 = lf_relative_error(w + 27, bank.weights + 27, 27);
    assert_true(fabs(lf_trainer_filter_rel_err(t, 0) - e0) < 1e-12);
    assert_true(fabs(lf_trainer_filter_rel_err(t, 1) - e1) < 1e-12);
    assert_true(isnan(lf_trainer_filter_rel_err(t, 2)));
    assert_true(fabs(lf_trainer_figures(t)->rel_err - lf_relative_error(w, bank.weights, 54)) <
                1e-12);
    lf_trainer_destroy(t);
    free_dataset(&ds);
}

static void test_refusals(void **state)
{
    (void)state;
    lf_dataset gray, colour;
    make_dataset(&gray, 1, 23);
    make_dataset(&colour, 3, 23);
    lf_kernel bank = tt_layer_bank(2, 3, 3, 29);
    lf_error err;
    /* gram cannot serve pooling or an activation */
    lf_trainer_options o = {.target = bank,
                            .layer = {.channels = 3, .filters = 2, .pool = 2},
                            .engine = LF_ENGINE_GRAM};
    assert_null(lf_trainer_create(&o, &colour, &err));
    assert_int_equal(err.status, LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "gram"));
    o.layer = (lf_layer_options){.filters = 2, .activation = LF_ACTIVATION_RELU};
    assert_null(lf_trainer_create(&o, &gray, &err));
    assert_non_null(strstr(err.message, "relu"));
    /* auto picks the layer engine for those, and gram for a linear layer
     * of any channels and stride */
    o.engine = LF_ENGINE_AUTO;
    lf_trainer *t = tt_trainer_create(&o, &gray);
    assert_int_equal(lf_trainer_engine(t), LF_ENGINE_DIRECT);
    lf_trainer_destroy(t);
    o.layer = (lf_layer_options){.channels = 3, .filters = 2, .stride = 2};
    t = tt_trainer_create(&o, &colour);
    assert_int_equal(lf_trainer_engine(t), LF_ENGINE_GRAM);
    /* a kernel of its own is refused by a layer */
    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, "sobel-x", 0, NULL), LF_OK);
    assert_int_equal(lf_trainer_set_kernel(t, &k, NULL, &err), LF_ERR_ARGUMENT);
    lf_trainer_destroy(t);
    /* channels other than the data's */
    o.layer = (lf_layer_options){.channels = 3, .filters = 2};
    assert_null(lf_trainer_create(&o, &gray, &err));
    assert_non_null(strstr(err.message, "channel"));
    /* more parameters than the trainer holds: 64 filters of 3 x 5x5 */
    lf_kernel big = tt_layer_bank(1, 1, 5, 31);
    o.target = big;
    o.layer = (lf_layer_options){.channels = 3, .filters = 64};
    assert_null(lf_trainer_create(&o, &colour, &err));
    assert_non_null(strstr(err.message, "parameters"));
    free_dataset(&gray);
    free_dataset(&colour);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_colour_relu_pool_stride),
        cmocka_unit_test(test_step_gray_bank_sigmoid_valid),
        cmocka_unit_test(test_step_tanh_stride3),
        cmocka_unit_test(test_gram_and_layer_engines_agree),
        cmocka_unit_test(test_engines_agree_colour_stride),
        cmocka_unit_test(test_target_and_figures),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
