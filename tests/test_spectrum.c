/*
 * test_spectrum.c: kernel and photo spectra against NumPy's FFT, and the
 * properties any spectrum must have.
 *
 * tests/reference/spectrum_reference.txt holds a 3x5 kernel, a learned
 * version of it, two 6x8 patches and what numpy.fft made of them
 * (tests/reference/make_spectrum_reference.py). Beside those: Parseval's
 * identity for kernels and photos, a delta kernel's flat spectrum wherever
 * the delta sits, where the centre lies on odd and even sides, the facts of
 * the view on inputs whose answer is known by construction, and the
 * refusals. Two threads at once: test_spectrum_threads.c.
 */
#include "test_util.h"

#include "learnfilter/spectrum.h"
#include "test_reference.h"

#define REF "spectrum_reference.txt"

/* Every value within rel * (|expected| + scale). */
static void assert_all_near(const float *got, const double *want, int n, double rel, double scale,
                            const char *what)
{
    for (int i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= rel * (fabs(want[i]) + scale)))
            fail_msg("%s[%d] = %.9g, NumPy gives %.9g", what, i, (double)got[i], want[i]);
}

static void test_kernel_against_numpy(void **state)
{
    (void)state;
    float *k = tr_section_float(REF, "kernel", 3, 5);
    float *learned = tr_section_float(REF, "learned", 3, 5);
    float mag[64];
    for (int size = 7; size <= 8; size++) {
        double *want = tr_section(REF, size == 8 ? "kernel_magnitude_8" : "kernel_magnitude_7",
                                  size, size);
        assert_int_equal(lf_spectrum_kernel(mag, 64, k, 3, 5, size, NULL), LF_OK);
        assert_all_near(mag, want, size * size, 1e-5, 1e-2, "kernel magnitude");
        free(want);
    }
    double *want = tr_section(REF, "difference_magnitude_8", 8, 8);
    assert_int_equal(lf_spectrum_kernel_difference(mag, 64, learned, k, 3, 5, 8, NULL), LF_OK);
    /* learned - truth is formed in double on both sides, from the same floats. */
    assert_all_near(mag, want, 64, 1e-5, 1e-3, "difference magnitude");
    free(want);
    free(k);
    free(learned);
}

static void test_photos_against_numpy(void **state)
{
    (void)state;
    float *p0 = tr_section_float(REF, "patch0", 6, 8);
    float *p1 = tr_section_float(REF, "patch1", 6, 8);
    const float *patches[2] = {p0, p1};
    float power[48], radial[3];
    assert_int_equal(lf_spectrum_photos(power, 48, patches, 2, 6, 8, NULL), LF_OK);
    double *want = tr_section(REF, "photo_power", 6, 8);
    assert_all_near(power, want, 48, 1e-5, 1e-4, "photo power");
    free(want);
    assert_int_equal(lf_spectrum_radial(radial, 3, 3, power, 6, 8, NULL), LF_OK);
    want = tr_section(REF, "photo_radial_3", 1, 3);
    assert_all_near(radial, want, 3, 1e-5, 1e-4, "radial power");
    free(want);
    free(p0);
    free(p1);
}

/* sum |K|^2 over the size^2 bins = size^2 * sum w^2, and the photos' power
 * sums to their mean squared pixel value. */
static void test_parseval(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 11);
    float w[20];
    tu_fill_uniform(w, 20, &rng, -1, 1);
    static float mag[32 * 32];
    assert_int_equal(lf_spectrum_kernel(mag, 32 * 32, w, 5, 4, 0, NULL), LF_OK);
    double energy = 0, taps = 0;
    for (int i = 0; i < 32 * 32; i++)
        energy += (double)mag[i] * mag[i];
    for (int i = 0; i < 20; i++)
        taps += (double)w[i] * w[i];
    tu_assert_near(energy / (32.0 * 32.0), taps, 1e-5 * taps);

    enum { H = 24, W = 20, COUNT = 3 };
    static float photos[COUNT][H * W], power[H * W];
    const float *list[COUNT];
    double mean_sq = 0;
    for (int p = 0; p < COUNT; p++) {
        tu_fill_uniform(photos[p], H * W, &rng, 0, 1);
        list[p] = photos[p];
        for (int i = 0; i < H * W; i++)
            mean_sq += (double)photos[p][i] * photos[p][i] / (H * W * COUNT);
    }
    assert_int_equal(lf_spectrum_photos(power, H * W, list, COUNT, H, W, NULL), LF_OK);
    double sum = 0, dc_expected = 0;
    for (int i = 0; i < H * W; i++)
        sum += power[i];
    tu_assert_near(sum, mean_sq, 1e-5 * mean_sq);
    /* The centre holds the mean pixel value squared, averaged over photos. */
    for (int p = 0; p < COUNT; p++) {
        double m = 0;
        for (int i = 0; i < H * W; i++)
            m += photos[p][i] / (double)(H * W);
        dc_expected += m * m / COUNT;
    }
    tu_assert_near(power[(H / 2) * W + W / 2], dc_expected, 1e-5 * dc_expected);
}

/* A single tap of 1 passes every frequency unchanged, wherever it sits. */
static void test_delta_is_flat(void **state)
{
    (void)state;
    float w[15];
    static float mag[16 * 16];
    for (int at = 0; at < 15; at += 7) {
        memset(w, 0, sizeof w);
        w[at] = 1;
        assert_int_equal(lf_spectrum_kernel(mag, 16 * 16, w, 3, 5, 16, NULL), LF_OK);
        for (int i = 0; i < 16 * 16; i++)
            tu_assert_near(mag[i], 1.0, 1e-6);
    }
}

/* A box of ones: the zero frequency (the sum of the taps) is at the centre,
 * size/2 on both even and odd sides, and is the largest value. */
static void test_zero_frequency_in_centre(void **state)
{
    (void)state;
    float box[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    static float mag[33 * 33];
    for (int size = 32; size <= 33; size++) {
        assert_int_equal(lf_spectrum_kernel(mag, 33 * 33, box, 3, 3, size, NULL), LF_OK);
        int centre = (size / 2) * size + size / 2;
        tu_assert_near(mag[centre], 9.0, 1e-5);
        for (int i = 0; i < size * size; i++)
            assert_true(mag[i] <= mag[centre] + 1e-5f);
    }
}

static void test_default_size(void **state)
{
    (void)state;
    assert_int_equal(lf_spectrum_default_size(3, 3), 32);
    assert_int_equal(lf_spectrum_default_size(16, 2), 32);
    assert_int_equal(lf_spectrum_default_size(17, 17), 64);
    assert_int_equal(lf_spectrum_default_size(32, 32), 64);
    assert_int_equal(lf_spectrum_default_size(33, 5), 128);
    assert_int_equal(lf_spectrum_default_size(64, 64), 128);
    assert_int_equal(lf_spectrum_default_size(0, 3), 0);
}

/* A cosine across the columns at 1/4 cycle per pixel puts all the photos'
 * power away from the centre at radius 0.25 exactly; a delta kernel's energy
 * above a cut-off is the share of bins beyond it, counted here directly. */
static void test_facts(void **state)
{
    (void)state;
    enum { S = 32 };
    static float photo[S * S], power[S * S], mag[S * S], err_mag[S * S];
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
            photo[y * S + x] = 0.5f + 0.25f * cosf(2.0f * 3.14159265f * 0.25f * x);
    const float *list[1] = {photo};
    assert_int_equal(lf_spectrum_photos(power, S * S, list, 1, S, S, NULL), LF_OK);
    float delta[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0};
    assert_int_equal(lf_spectrum_kernel(mag, S * S, delta, 3, 3, S, NULL), LF_OK);
    int beyond = 0;
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            double fy = (y - S / 2) / (double)S, fx = (x - S / 2) / (double)S;
            beyond += sqrt(fx * fx + fy * fy) > 0.2;
        }
    /* The error: the same delta, so the same share. */
    memcpy(err_mag, mag, sizeof mag);
    lf_spectrum_facts f;
    assert_int_equal(lf_spectrum_facts_compute(&f, mag, err_mag, S, power, S, S, 0.2, NULL), LF_OK);
    tu_assert_near(f.kernel_energy_above, beyond / (double)(S * S), 1e-6);
    tu_assert_near(f.error_energy_above, f.kernel_energy_above, 1e-12);
    tu_assert_near(f.photo_power_above, 1.0, 1e-6);
    assert_true(f.photo_high_to_low > 1e6); /* low bins hold only rounding */
    assert_int_equal(lf_spectrum_facts_compute(&f, mag, NULL, S, power, S, S, 0.3, NULL), LF_OK);
    assert_true(isnan(f.error_energy_above));
    tu_assert_near(f.photo_power_above, 0.0, 1e-6);
    assert_true(f.photo_high_to_low < 1e-6);
}

static void test_log10(void **state)
{
    (void)state;
    float v[4] = {100, 1, 0, 1e-9f}, out[4];
    lf_spectrum_log10(out, v, 4, 1e-6f);
    tu_assert_near(out[0], 2.0, 1e-6);
    tu_assert_near(out[1], 0.0, 1e-6);
    tu_assert_near(out[2], -6.0, 1e-5);
    tu_assert_near(out[3], -6.0, 1e-5);
    lf_spectrum_log10(v, v, 4, 0); /* in place, floor 0 clamps to 1e-30 */
    tu_assert_near(v[2], -30.0, 1e-4);
}

static void test_refusals(void **state)
{
    (void)state;
    float w[9] = {0}, out[64], radial[8];
    const float *list[1] = {out};
    lf_error err;
    for (int i = 0; i < 64; i++)
        out[i] = 7;
    assert_int_equal(lf_spectrum_kernel(out, 63, w, 3, 3, 8, &err), LF_ERR_ARGUMENT);
    assert_int_equal(err.status, LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "63"));
    assert_true(out[0] == 7 && out[63] == 7); /* nothing written */
    assert_int_equal(lf_spectrum_kernel(out, 64, w, 3, 3, 2, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_spectrum_kernel(out, 64, w, 0, 3, 8, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_spectrum_kernel(out, 64, w, 3, 3, LF_SPECTRUM_MAX_SIZE + 1, &err),
                     LF_ERR_ARGUMENT);
    w[4] = NAN;
    assert_int_equal(lf_spectrum_kernel(out, 64, w, 3, 3, 8, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_spectrum_photos(out, 64, list, 0, 8, 8, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_spectrum_photos(out, 63, list, 1, 8, 8, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_spectrum_radial(radial, 8, 5, out, 8, 8, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_spectrum_radial(radial, 3, 4, out, 8, 8, &err), LF_ERR_ARGUMENT);
    lf_spectrum_facts f;
    assert_int_equal(lf_spectrum_facts_compute(&f, out, NULL, 8, out, 8, 8, 0.5, &err),
                     LF_ERR_ARGUMENT);
    assert_int_equal(lf_spectrum_facts_compute(&f, out, NULL, 8, out, 8, 8, 0, &err),
                     LF_ERR_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_against_numpy),
        cmocka_unit_test(test_photos_against_numpy),
        cmocka_unit_test(test_parseval),
        cmocka_unit_test(test_delta_is_flat),
        cmocka_unit_test(test_zero_frequency_in_centre),
        cmocka_unit_test(test_default_size),
        cmocka_unit_test(test_facts),
        cmocka_unit_test(test_log10),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
