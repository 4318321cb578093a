/*
 * test_layer.c: the convolution layer (include/learnfilter/layer.h) against
 * numbers computed independently with PyTorch
 * (tests/reference/make_layer_reference.py): forward, targets, loss,
 * every gradient and three SGD steps; its shapes against TensorFlow's
 * padding rule worked by hand; and, for one channel, one filter and stride
 * 1, against the one-channel convolution of conv.h.
 *
 * Tolerances. PyTorch computed in double from the float32 values the test
 * reads; the layer computes in float. Every value involved here is a sum of
 * at most a few hundred terms of size about 1, so float rounding stays
 * below 1e-5 of the values' scale; a wrong tap, pad or window moves a value
 * by a whole term, orders of magnitude more.
 */
#include <stdbool.h>

#include "test_util.h"

#include "learnfilter/conv.h"
#include "learnfilter/layer.h"
#include "learnfilter/optimizer.h"

#ifndef LF_TEST_REFERENCE_DIR
#define LF_TEST_REFERENCE_DIR LF_TEST_DATA_DIR "/../reference"
#endif

/* ============================================================ shapes */

static lf_layer_shape make_shape(int h, int w, int kh, int kw, int stride, lf_padding padding,
                                 int pool)
{
    lf_layer_desc d = {.in_height = h, .in_width = w, .k_height = kh, .k_width = kw,
                       .stride = stride, .padding = padding, .pool = pool};
    lf_layer_shape s;
    lf_error err;
    if (lf_layer_shape_make(&s, &d, &err) != LF_OK)
        fail_msg("%s", err.message);
    return s;
}

static void test_shape_same_follows_tensorflow(void **state)
{
    (void)state;
    /* Stride 1: (K-1)/2 before, K/2 after, as conv.h. */
    lf_layer_shape s = make_shape(9, 11, 4, 2, 1, LF_PADDING_SAME, 0);
    lf_conv_shape c = lf_conv_shape_make(9, 11, 4, 2, LF_PADDING_SAME);
    assert_int_equal(s.conv_height, 9);
    assert_int_equal(s.conv_width, 11);
    assert_int_equal(s.pad_top, c.pad_top);
    assert_int_equal(s.pad_left, c.pad_left);
    assert_int_equal(s.pad_bottom, 2);
    assert_int_equal(s.pad_right, 1);
    /* Stride 2 on 9 rows, K = 3: ceil(9/2) = 5 outputs, P = 4*2 + 3 - 9 = 2,
     * 1 before, 1 after. On 11 columns, K = 4: 6 outputs, P = 10 + 4 - 11 = 3,
     * 1 before, 2 after. */
    s = make_shape(9, 11, 3, 4, 2, LF_PADDING_SAME, 0);
    assert_int_equal(s.conv_height, 5);
    assert_int_equal(s.conv_width, 6);
    assert_int_equal(s.pad_top, 1);
    assert_int_equal(s.pad_bottom, 1);
    assert_int_equal(s.pad_left, 1);
    assert_int_equal(s.pad_right, 2);
    /* Stride 3 on 10, K = 1: 4 outputs, P = 9 + 1 - 10 = 0: no zeros. */
    s = make_shape(10, 10, 1, 1, 3, LF_PADDING_SAME, 0);
    assert_int_equal(s.conv_height, 4);
    assert_int_equal(s.pad_top + s.pad_bottom, 0);
    /* Stride 2 on 8, K = 2: 4 outputs, P = 6 + 2 - 8 = 0. */
    s = make_shape(8, 8, 2, 2, 2, LF_PADDING_SAME, 0);
    assert_int_equal(s.conv_width, 4);
    assert_int_equal(s.pad_left + s.pad_right, 0);
}

static void test_shape_valid_pool_and_counts(void **state)
{
    (void)state;
    /* valid: floor((n - K) / S) + 1; pool 2 floors 4x3 to 2x1. */
    lf_layer_desc d = {.in_height = 9, .in_width = 11, .k_height = 3, .k_width = 4,
                       .channels = 3, .filters = 5, .stride = 2,
                       .padding = LF_PADDING_VALID, .pool = 2};
    lf_layer_shape s;
    assert_int_equal(lf_layer_shape_make(&s, &d, NULL), LF_OK);
    assert_int_equal(s.conv_height, 4);
    assert_int_equal(s.conv_width, 4);
    assert_int_equal(s.out_height, 2);
    assert_int_equal(s.out_width, 2);
    assert_int_equal(s.pad_top + s.pad_left + s.pad_bottom + s.pad_right, 0);
    assert_int_equal(s.in_count, 3 * 9 * 11);
    assert_int_equal(s.act_count, 5 * 4 * 4);
    assert_int_equal(s.out_count, 5 * 2 * 2);
    assert_int_equal(s.weight_count, 5 * 3 * 3 * 4);
    assert_int_equal(s.param_count, 5 * 3 * 3 * 4 + 5);
    /* Defaults: zero fields mean one channel, one filter, stride 1, no pool. */
    lf_layer_desc z = {.in_height = 4, .in_width = 4, .k_height = 1, .k_width = 1};
    assert_int_equal(lf_layer_shape_make(&s, &z, NULL), LF_OK);
    assert_int_equal(s.channels * s.filters * s.stride * s.pool, 1);
}

static void test_shape_rejects_bad_values(void **state)
{
    (void)state;
    lf_layer_shape s;
    lf_error err;
    lf_layer_desc d = {.in_height = 5, .in_width = 5, .k_height = 7, .k_width = 3,
                       .padding = LF_PADDING_VALID};
    assert_int_equal(lf_layer_shape_make(&s, &d, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "does not fit"));
    d.padding = LF_PADDING_SAME, d.pool = 6;
    assert_int_equal(lf_layer_shape_make(&s, &d, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "pooling"));
    d.pool = 0, d.stride = -1;
    assert_int_equal(lf_layer_shape_make(&s, &d, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "stride"));
    d.stride = 1, d.channels = LF_LAYER_MAX_CHANNELS + 1;
    assert_int_equal(lf_layer_shape_make(&s, &d, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "channels"));
    d.channels = 3, d.activation = (lf_activation)7;
    assert_int_equal(lf_layer_shape_make(&s, &d, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "activation"));
    assert_int_equal(lf_activation_parse("tanh"), LF_ACTIVATION_TANH);
    assert_int_equal(lf_activation_parse("swish"), -1);
    assert_string_equal(lf_activation_name(LF_ACTIVATION_SIGMOID), "sigmoid");
}

/* ==================================================== against conv.h */

/* One channel, one filter, stride 1, no activation, no pooling: the layer
 * is conv2d_forward, and its weight and bias gradients are
 * conv2d_backward_weights'. */
static void test_agrees_with_conv_for_one_channel(void **state)
{
    (void)state;
    static const int kernels[][2] = {{1, 1}, {3, 3}, {4, 4}, {2, 5}, {7, 6}};
    lf_rng rng;
    lf_rng_seed(&rng, 11);
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++)
        for (int p = 0; p < 2; p++) {
            const int h = 13, w = 70; /* wider than one pixel block, with a tail */
            lf_padding padding = p ? LF_PADDING_VALID : LF_PADDING_SAME;
            lf_layer_shape s = make_shape(h, w, kernels[k][0], kernels[k][1], 1, padding, 0);
            lf_conv_shape cs = lf_conv_shape_make(h, w, kernels[k][0], kernels[k][1], padding);
            assert_int_equal(s.out_height, cs.out_height);
            assert_int_equal(s.out_width, cs.out_width);
            float *in = malloc(sizeof(float) * s.in_count);
            float *params = malloc(sizeof(float) * s.param_count);
            float *out = malloc(sizeof(float) * s.out_count);
            float *expect = malloc(sizeof(float) * s.out_count);
            float *grads = calloc(s.param_count, sizeof(float));
            float *cgrads = calloc(s.param_count, sizeof(float));
            float *work = malloc(sizeof(float) * s.work_count);
            tu_fill_uniform(in, s.in_count, &rng, -1, 1);
            tu_fill_uniform(params, s.param_count, &rng, -1, 1);
            lf_layer_forward(out, out, in, params, &s, work);
            conv2d_forward(expect, in, params, params[s.weight_count], &cs);
            for (size_t i = 0; i < s.out_count; i++)
                tu_assert_near(out[i], expect[i], 1e-5 * (s.weight_count + 1));
            /* dout = out itself, any values will do */
            lf_layer_backward(grads, NULL, out, out, in, params, &s, work);
            conv2d_backward_weights(cgrads, cgrads + s.weight_count, out, in, &cs);
            double scale = 0;
            for (size_t i = 0; i < s.out_count; i++)
                scale += fabs(out[i]);
            for (size_t i = 0; i < s.param_count; i++)
                tu_assert_near(grads[i], cgrads[i], 1e-5 * scale);
            free(in), free(params), free(out), free(expect), free(grads), free(cgrads);
            free(work);
        }
}

/* ============================================ against PyTorch's numbers */

typedef struct ref_case {
    lf_layer_desc desc;
    int batch, steps;
    float lr;
    char *text;   /* the file, tokenised in place */
} ref_case;

/* Reads section `name` of the case into a new array; *count gets its size. */
static float *ref_section(const ref_case *rc, const char *name, size_t *count)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s ", name);
    const char *p = strstr(rc->text, key);
    if (!p)
        fail_msg("reference section %s missing", name);
    p += strlen(key);
    char *end;
    long rows = strtol(p, &end, 10), cols = strtol(end, &end, 10);
    size_t n = (size_t)(rows * cols);
    float *v = malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        v[i] = (float)strtod(end, &end);
    *count = n;
    return v;
}

static ref_case ref_load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/layer_%s.txt", LF_TEST_REFERENCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    ref_case rc = {.text = malloc((size_t)size + 1)};
    assert_int_equal(fread(rc.text, 1, (size_t)size, f), (size_t)size);
    rc.text[size] = 0;
    fclose(f);
    char padding[16], activation[16];
    lf_layer_desc *d = &rc.desc;
    int n = sscanf(rc.text, "layer %d %d %d %d %d %d %d %15s %15s %d %d %f %d", &d->channels,
                   &d->filters, &d->in_height, &d->in_width, &d->k_height, &d->k_width,
                   &d->stride, padding, activation, &d->pool, &rc.batch, &rc.lr, &rc.steps);
    assert_int_equal(n, 13);
    d->padding = strcmp(padding, "same") ? LF_PADDING_VALID : LF_PADDING_SAME;
    assert_true(lf_activation_parse(activation) >= 0);
    d->activation = (lf_activation)lf_activation_parse(activation);
    return rc;
}

static void assert_close(const char *what, const float *got, const float *want, size_t n,
                         double tol)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs((double)got[i] - want[i]) <= tol * (1 + fabs(want[i]))))
            fail_msg("%s[%zu] = %.9g, PyTorch %.9g", what, i, (double)got[i], (double)want[i]);
}

/* The whole training step, both versions: forward over the batch, loss,
 * its gradient, backward, and SGD steps through lf_optimizer_step. */
static void check_case(const char *name, bool fast)
{
    ref_case rc = ref_load(name);
    lf_layer_shape s;
    lf_error err;
    if (lf_layer_shape_make(&s, &rc.desc, &err) != LF_OK)
        fail_msg("%s: %s", name, err.message);
    const int B = rc.batch;
    size_t n_in, n_w, n_b, n_tw, n_t, n_o, n_l, n_dw, n_db, n_di, n_sl, n_sw, n_sb;
    float *in = ref_section(&rc, "input", &n_in);
    float *w = ref_section(&rc, "weight", &n_w);
    float *b = ref_section(&rc, "bias", &n_b);
    float *tw = ref_section(&rc, "true_weight", &n_tw);
    float *target_ref = ref_section(&rc, "target", &n_t);
    float *out_ref = ref_section(&rc, "output", &n_o);
    float *loss_ref = ref_section(&rc, "loss", &n_l);
    float *dw_ref = ref_section(&rc, "dweight", &n_dw);
    float *db_ref = ref_section(&rc, "dbias", &n_db);
    float *din_ref = ref_section(&rc, "dinput", &n_di);
    float *sgd_loss = ref_section(&rc, "sgd_loss", &n_sl);
    float *sgd_w = ref_section(&rc, "sgd_weight", &n_sw);
    float *sgd_b = ref_section(&rc, "sgd_bias", &n_sb);
    assert_int_equal(n_in, B * s.in_count);
    assert_int_equal(n_w, s.weight_count);
    assert_int_equal(n_b, (size_t)s.filters);
    assert_int_equal(n_t, B * s.out_count);
    assert_int_equal(n_o, B * s.out_count);
    assert_int_equal(n_di, B * s.in_count);
    assert_int_equal(n_sl, (size_t)rc.steps);

    float *params = malloc(sizeof(float) * s.param_count);
    float *grads = malloc(sizeof(float) * s.param_count);
    float *act = malloc(sizeof(float) * B * s.act_count);
    float *out = malloc(sizeof(float) * B * s.out_count);
    float *target = malloc(sizeof(float) * B * s.out_count);
    float *dout = malloc(sizeof(float) * B * s.out_count);
    float *din = malloc(sizeof(float) * B * s.in_count);
    float *work = malloc(sizeof(float) * s.work_count);
    memcpy(params, w, sizeof(float) * s.weight_count);
    memcpy(params + s.weight_count, b, sizeof(float) * s.filters);

    /* Targets: the fast path has its own routine; the reference is the
     * forward pass with the true weights and zero biases. */
    float *tparams = calloc(s.param_count, sizeof(float));
    memcpy(tparams, tw, sizeof(float) * s.weight_count);
    for (int i = 0; i < B; i++) {
        if (fast)
            lf_layer_targets(target + i * s.out_count, act, in + i * s.in_count, tw, &s, work);
        else
            lf_layer_forward_reference(target + i * s.out_count, act, in + i * s.in_count,
                                       tparams, &s);
    }
    assert_close("target", target, target_ref, n_t, 1e-5);

    lf_train_settings sgd = {.optimizer = LF_OPTIMIZER_SGD, .learning_rate = rc.lr};
    lf_optimizer_state opt;
    assert_int_equal(lf_optimizer_state_init(&opt, (int)s.param_count), 0);
    for (int step = 0; step <= rc.steps; step++) {
        for (int i = 0; i < B; i++) {
            float *o = out + i * s.out_count, *a = act + i * s.act_count;
            if (fast)
                lf_layer_forward(o, a, in + i * s.in_count, params, &s, work);
            else
                lf_layer_forward_reference(o, a, in + i * s.in_count, params, &s);
        }
        double loss = lf_layer_mse_loss(out, target, B * s.out_count);
        if (step == 0) {
            assert_close("output", out, out_ref, n_o, 1e-5);
            tu_assert_near(loss, loss_ref[0], 1e-5 * (1 + loss_ref[0]));
        }
        if (step == rc.steps)
            break;
        tu_assert_near(loss, sgd_loss[step], 1e-5 * (1 + sgd_loss[step]));
        memset(grads, 0, sizeof(float) * s.param_count);
        memset(dout, 0, sizeof(float) * B * s.out_count);
        memset(din, 0, sizeof(float) * B * s.in_count);
        lf_layer_mse_backward(dout, out, target, B * s.out_count);
        for (int i = 0; i < B; i++) {
            float *g = dout + i * s.out_count, *a = act + i * s.act_count;
            float *di = din + i * s.in_count;
            const float *x = in + i * s.in_count;
            if (fast)
                lf_layer_backward(grads, di, g, a, x, params, &s, work);
            else
                lf_layer_backward_reference(grads, di, g, a, x, params, &s);
        }
        if (step == 0) {
            assert_close("dweight", grads, dw_ref, n_dw, 1e-5);
            assert_close("dbias", grads + s.weight_count, db_ref, n_db, 1e-5);
            assert_close("dinput", din, din_ref, n_di, 1e-5);
        }
        lf_optimizer_step(params, grads, &opt, &sgd);
    }
    assert_close("sgd weight", params, sgd_w, n_sw, 1e-5);
    assert_close("sgd bias", params + s.weight_count, sgd_b, n_sb, 1e-5);

    lf_optimizer_state_deinit(&opt);
    free(in), free(w), free(b), free(tw), free(target_ref), free(out_ref), free(loss_ref);
    free(dw_ref), free(db_ref), free(din_ref), free(sgd_loss), free(sgd_w), free(sgd_b);
    free(params), free(grads), free(act), free(out), free(target), free(dout), free(din);
    free(work), free(tparams), free(rc.text);
}

static const char *const reference_cases[] = {
    "relu_s2_pool2",      "tanh_2x4_s2",        "sigmoid_valid_pool2",
    "relu_2x4_gray_b2",   "none_gray_s3_valid", "tanh_s2_valid_pool3",
};

static void test_reference_matches_pytorch(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof reference_cases / sizeof reference_cases[0]; i++)
        check_case(reference_cases[i], false);
}

static void test_fast_matches_pytorch(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof reference_cases / sizeof reference_cases[0]; i++)
        check_case(reference_cases[i], true);
}

/* A window with equal maxima sends its gradient to the first of them in
 * row-major order, as PyTorch's max_pool2d does: no activation and a 1x1
 * kernel of weight 1, so the activations are the input itself. */
static void test_pool_ties_go_to_first_maximum(void **state)
{
    (void)state;
    lf_layer_desc d = {.in_height = 2, .in_width = 6, .k_height = 1, .k_width = 1, .pool = 2};
    lf_layer_shape s;
    assert_int_equal(lf_layer_shape_make(&s, &d, NULL), LF_OK);
    const float in[12] = {0.5f, 0.5f, 0.1f, 0.7f, 0.3f, 0.3f,
                          0.5f, 0.5f, 0.7f, 0.2f, 0.9f, 0.3f};
    const float params[2] = {1, 0};
    const float dout[3] = {1, 2, 3};
    /* window 0: all equal, the first is (0,0); window 1: 0.7 at (0,3) and
     * (1,2), the first is (0,3); window 2: 0.9 at (1,4) alone */
    const float din_expect[12] = {1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0};
    float *work = malloc(sizeof(float) * s.work_count);
    for (int fast = 0; fast < 2; fast++) {
        float act[12], out[3], grads[2] = {0, 0}, din[12] = {0};
        if (fast) {
            lf_layer_forward(out, act, in, params, &s, work);
            lf_layer_backward(grads, din, dout, act, in, params, &s, work);
        } else {
            lf_layer_forward_reference(out, act, in, params, &s);
            lf_layer_backward_reference(grads, din, dout, act, in, params, &s);
        }
        tu_assert_near(out[0], 0.5, 1e-7);
        tu_assert_near(out[1], 0.7, 1e-7);
        tu_assert_near(out[2], 0.9, 1e-7);
        for (int i = 0; i < 12; i++)
            tu_assert_near(din[i], din_expect[i], 1e-7);
        tu_assert_near(grads[0], 1 * 0.5 + 2 * 0.7 + 3 * 0.9, 1e-6); /* sum of dz * in */
        tu_assert_near(grads[1], 6, 1e-6);
    }
    free(work);
}

/* The loss is the mean over every value: (1/4)(1 + 4 + 0 + 9) = 3.5, and
 * its gradient 2 (out - target) / 4 is added to what dout held. */
static void test_mse_loss_by_hand(void **state)
{
    (void)state;
    const float out[4] = {1, 2, 3, 4}, target[4] = {0, 0, 3, 7};
    float dout[4] = {10, 10, 10, 10};
    tu_assert_near(lf_layer_mse_loss(out, target, 4), 3.5, 1e-12);
    lf_layer_mse_backward(dout, out, target, 4);
    tu_assert_near(dout[0], 10.5, 1e-6);
    tu_assert_near(dout[1], 11.0, 1e-6);
    tu_assert_near(dout[2], 10.0, 1e-6);
    tu_assert_near(dout[3], 8.5, 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_same_follows_tensorflow),
        cmocka_unit_test(test_shape_valid_pool_and_counts),
        cmocka_unit_test(test_shape_rejects_bad_values),
        cmocka_unit_test(test_agrees_with_conv_for_one_channel),
        cmocka_unit_test(test_reference_matches_pytorch),
        cmocka_unit_test(test_fast_matches_pytorch),
        cmocka_unit_test(test_pool_ties_go_to_first_maximum),
        cmocka_unit_test(test_mse_loss_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
