/*
 * test_fftconv.c: the convolution through the FFT against its definition,
 * and training through it against the plain direct engine.
 *
 * The transforms run in float, so the tolerance is relative to the size of
 * the sums (the sum of absolute products), as in test_conv.c, but looser:
 * 1e-5 of it instead of 1e-6, which float FFTs of a few hundred points per
 * axis keep with a wide margin.
 */
#include "test_data_util.h"

#include "learnfilter/conv.h"
#include "learnfilter/fftconv.h"
#include "learnfilter/trainer.h"

#define FFT_REL_TOL 1e-5

static void check_shape(int h, int w, int kh, int kw, lf_padding padding, lf_rng *rng)
{
    lf_conv_shape s = lf_conv_shape_make(h, w, kh, kw, padding);
    const size_t in_n = (size_t)h * w, k_n = (size_t)kh * kw;
    const size_t out_n = (size_t)s.out_height * s.out_width;
    float *in = malloc(sizeof(float) * in_n), *k = malloc(sizeof(float) * k_n);
    float *dout = malloc(sizeof(float) * (out_n + 1));
    float *fast = malloc(sizeof(float) * (out_n + 1)), *ref = malloc(sizeof(float) * (out_n + 1));
    float *dw_ref = calloc(k_n, sizeof(float));
    double *acc = calloc(k_n + 1, sizeof(double));
    tu_fill_uniform(in, in_n, rng, 0, 1);
    tu_fill_uniform(k, k_n, rng, -1, 1);
    tu_fill_uniform(dout, out_n, rng, -1, 1);
    float *abs_in = malloc(sizeof(float) * in_n), *abs_k = malloc(sizeof(float) * k_n);
    float *abs_dout = malloc(sizeof(float) * (out_n + 1));
    for (size_t i = 0; i < in_n; i++)
        abs_in[i] = fabsf(in[i]);
    for (size_t i = 0; i < k_n; i++)
        abs_k[i] = fabsf(k[i]);
    for (size_t i = 0; i < out_n; i++)
        abs_dout[i] = fabsf(dout[i]);

    lf_fft_conv *fft = lf_fft_conv_create(&s);
    assert_non_null(fft);
    float *in_spec = lf_fft_alloc(lf_fft_spectrum_floats(fft));
    float *k_spec = lf_fft_alloc(lf_fft_spectrum_floats(fft));
    float *work = lf_fft_alloc(lf_fft_work_floats(fft));
    lf_fft_input_spectrum(fft, in_spec, in, work);
    lf_fft_kernel_spectrum(fft, k_spec, k, work);

    /* Forward: the reference on |in| and |k| gives each output's scale. */
    lf_fft_forward(fft, fast, in_spec, k_spec, 0.25f, work);
    conv2d_forward_reference(ref, in, k, 0.25f, &s);
    float *mag = malloc(sizeof(float) * (out_n + 1));
    conv2d_forward_reference(mag, abs_in, abs_k, 0.0f, &s);
    for (size_t i = 0; i < out_n; i++)
        if (!(fabs((double)fast[i] - ref[i]) <= FFT_REL_TOL * (mag[i] + 1.0)))
            fail_msg("forward %dx%d image, %dx%d kernel, %s: output %zu fft %.9g reference %.9g",
                     h, w, kh, kw, padding == LF_PADDING_SAME ? "same" : "valid", i,
                     (double)fast[i], (double)ref[i]);

    /* Weight gradient, accumulating onto what acc held. */
    acc[0] = 0.5;
    lf_fft_backward_weights(fft, acc, dout, in_spec, work);
    float bias_ref = 0, bias_mag = 0;
    conv2d_backward_weights_reference(dw_ref, &bias_ref, dout, in, &s);
    float *dw_mag = calloc(k_n, sizeof(float));
    conv2d_backward_weights_reference(dw_mag, &bias_mag, abs_dout, abs_in, &s);
    for (size_t t = 0; t < k_n; t++) {
        double expected = dw_ref[t] + (t == 0 ? 0.5 : 0.0);
        if (!(fabs(acc[t] - expected) <= FFT_REL_TOL * (dw_mag[t] + 1.0)))
            fail_msg("dw %dx%d image, %dx%d kernel, %s: tap %zu fft %.9g reference %.9g", h, w,
                     kh, kw, padding == LF_PADDING_SAME ? "same" : "valid", t, acc[t], expected);
        /* A tap that only ever meets padding (|dout| . |in| sums nothing)
         * has a gradient of exactly zero, not a rounding error that Adam
         * would scale up to a full step. */
        if (dw_mag[t] == 0 && acc[t] != expected)
            fail_msg("dw %dx%d image, %dx%d kernel: tap %zu sees only padding, fft %.9g "
                     "expected exactly %.9g",
                     h, w, kh, kw, t, acc[t], expected);
    }
    tu_assert_near(acc[k_n], bias_ref, 1e-6 * (bias_mag + 1.0));

    lf_fft_free(in_spec);
    lf_fft_free(k_spec);
    lf_fft_free(work);
    lf_fft_conv_destroy(fft);
    free(in);
    free(k);
    free(dout);
    free(fast);
    free(ref);
    free(dw_ref);
    free(dw_mag);
    free(acc);
    free(abs_in);
    free(abs_k);
    free(abs_dout);
    free(mag);
}

static void test_matches_reference(void **state)
{
    (void)state;
    static const int kernels[][2] = {{1, 1}, {3, 3}, {2, 2}, {4, 5}, {9, 9}, {16, 16}, {1, 7}};
    static const int images[][2] = {{5, 4}, {13, 17}, {31, 29}, {48, 48}};
    lf_rng rng;
    lf_rng_seed(&rng, 4321);
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++)
        for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) {
            check_shape(images[i][0], images[i][1], kernels[k][0], kernels[k][1], LF_PADDING_SAME,
                        &rng);
            if (kernels[k][0] <= images[i][0] && kernels[k][1] <= images[i][1])
                check_shape(images[i][0], images[i][1], kernels[k][0], kernels[k][1],
                            LF_PADDING_VALID, &rng);
        }
    check_shape(6, 6, 9, 9, LF_PADDING_SAME, &rng); /* kernel larger than the image */
    check_shape(8, 8, 32, 32, LF_PADDING_SAME, &rng); /* `--kernel smiley --size 8` */
    lf_fft_conv_destroy(NULL);
}

/* Training through the FFT follows the plain direct engine: same seed,
 * same batches, weights together step after step, for an odd and an even
 * kernel and batches of one and several patches. */
static void check_training(int side, int batch)
{
    lf_image img;
    lf_rng rng;
    lf_rng_seed(&rng, 11);
    const td_wave wave = {.base = 0.5, .amplitude = 0.3, .sin_x = 0.2, .cos_y = 0.15, .grain = 0.2};
    td_wave_image(&img, 32 * 4, 32 * 2, &rng, &wave);
    lf_dataset ds;
    td_dataset(&ds, &img, 1, &(lf_dataset_options){.patch_size = 32, .seed = 2});
    lf_kernel k = {.height = side, .width = side};
    snprintf(k.name, sizeof k.name, "random");
    for (int i = 0; i < side * side; i++)
        k.weights[i] = (float)(lf_rng_uniform(&rng) - 0.5) / (float)side;
    lf_trainer_options o = {.target = k, .seed = 3, .engine = LF_ENGINE_DIRECT, .fft = -1,
                            .threads = 2};
    o.settings = lf_settings_for_kernel(&k);
    o.settings.batch_size = batch;
    lf_trainer *plain = lf_trainer_create(&o, &ds, NULL);
    o.fft = 1;
    lf_trainer *fft = lf_trainer_create(&o, &ds, NULL);
    assert_non_null(plain);
    assert_non_null(fft);
    assert_false(lf_trainer_uses_fft(plain));
    assert_true(lf_trainer_uses_fft(fft));
    const int taps = side * side;
    double k_norm = lf_kernel_norm(&k);
    const double start = lf_trainer_figures(fft)->rel_err;
    for (int s = 0; s < 60; s++) {
        assert_int_equal(lf_trainer_step(plain, NULL), LF_OK);
        assert_int_equal(lf_trainer_step(fft, NULL), LF_OK);
        double diff = 0;
        for (int i = 0; i < taps; i++) {
            double d = (double)lf_trainer_weights(plain)[i] - lf_trainer_weights(fft)[i];
            diff += d * d;
        }
        if (!(sqrt(diff) <= 1e-4 * k_norm))
            fail_msg("%dx%d kernel, batch %d: step %d weights %g apart (kernel norm %g)", side,
                     side, batch, s + 1, sqrt(diff), k_norm);
    }
    /* It trained, and validation went through the transforms too. */
    assert_true(lf_trainer_figures(fft)->rel_err < start);
    tu_assert_near(lf_trainer_figures(fft)->val_loss, lf_trainer_figures(plain)->val_loss,
                   1e-3 * lf_trainer_figures(plain)->val_loss);
    lf_trainer_destroy(plain);
    lf_trainer_destroy(fft);
    lf_dataset_deinit(&ds);
}

static void test_training_follows_direct(void **state)
{
    (void)state;
    check_training(5, 4);
    check_training(8, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_reference),
        cmocka_unit_test(test_training_follows_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
