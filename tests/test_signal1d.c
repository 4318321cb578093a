/*
 * test_signal1d.c: the notebook's 1-D lesson (signal1d.h) against the
 * files SciPy and NumPy wrote (tests/reference/make_signal1d_reference.py):
 * every window, size and width, the step signal, and 'same' convolutions
 * where the kernel is longer than the signal or not symmetric.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learnfilter/signal1d.h"
#include "test_reference.h"

#define REF "signal1d_reference.txt"

static void assert_close(const float *got, const float *want, int n, double tol)
{
    for (int i = 0; i < n; i++)
        if (fabs((double)got[i] - want[i]) > tol * (1.0 + fabs(want[i])))
            fail_msg("sample %d: %.9g, expected %.9g", i, got[i], want[i]);
}

static void test_step_signal(void **state)
{
    (void)state;
    float step[300];
    lf_signal_step(step, 300, 300);
    float *want = tr_section_float(REF, "step", 1, 300);
    assert_memory_equal(step, want, sizeof step);
    free(want);
    /* A short capacity is never overrun. */
    float small[4] = {9, 9, 9, 9};
    lf_signal_step(small, 3, 300);
    assert_true(small[0] == 0.0f && small[3] == 9.0f);
}

static const struct {
    lf_window1d kind;
    int taps;
    double param;
    const char *name;
} cases[] = {
    {LF_WINDOW1D_HANN, 10, 0, "hann_10_0"},
    {LF_WINDOW1D_HANN, 50, 0, "hann_50_0"},
    {LF_WINDOW1D_HANN, 100, 0, "hann_100_0"},
    {LF_WINDOW1D_HANN, 1, 0, "hann_1_0"},
    {LF_WINDOW1D_EXPONENTIAL, 50, 0, "exponential_50_0"},
    {LF_WINDOW1D_EXPONENTIAL, 50, 8, "exponential_50_8"},
    {LF_WINDOW1D_FLATTOP, 50, 0, "flattop_50_0"},
    {LF_WINDOW1D_BOX, 7, 0, "box_7_0"},
    {LF_WINDOW1D_GAUSSIAN, 50, 10, "gaussian_50_10"},
    {LF_WINDOW1D_GAUSSIAN, 51, 0, "gaussian_51_0"},
};

static void test_windows_and_convolutions_match_scipy(void **state)
{
    (void)state;
    float signal[300];
    lf_signal_step(signal, 300, 300);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char name[64];
        float taps[LF_WINDOW1D_MAX_TAPS], out[300];
        lf_error err;
        assert_int_equal(lf_window1d_make(cases[c].kind, cases[c].taps, cases[c].param, taps,
                                          LF_WINDOW1D_MAX_TAPS, &err),
                         LF_OK);
        snprintf(name, sizeof name, "window_%s", cases[c].name);
        float *want = tr_section_float(REF, name, 1, cases[c].taps);
        assert_close(taps, want, cases[c].taps, 1e-6);
        free(want);
        assert_int_equal(lf_convolve1d_normalised(signal, 300, taps, cases[c].taps, out, 300, &err),
                         LF_OK);
        snprintf(name, sizeof name, "same_%s", cases[c].name);
        want = tr_section_float(REF, name, 1, 300);
        assert_close(out, want, 300, 1e-5);
        free(want);
    }
}

/* Flipping and centring show only when the kernel is not symmetric, and
 * a kernel longer than the signal makes the result the kernel's length. */
static void test_uneven_and_long_kernels(void **state)
{
    (void)state;
    float *shorter = tr_section_float(REF, "short", 1, 7);
    float *ramp = tr_section_float(REF, "ramp", 1, 4);
    float out[16];
    lf_error err;
    assert_int_equal(lf_convolve1d_normalised(shorter, 7, ramp, 4, out, 16, &err), LF_OK);
    float *want = tr_section_float(REF, "same_short_ramp", 1, 7);
    assert_close(out, want, 7, 1e-6);
    free(want);
    float hann[11];
    assert_int_equal(lf_window1d_make(LF_WINDOW1D_HANN, 11, 0, hann, 11, &err), LF_OK);
    assert_int_equal(lf_convolve1d_normalised(shorter, 7, hann, 11, out, 16, &err), LF_OK);
    want = tr_section_float(REF, "same_short_hann11", 1, 11);
    assert_close(out, want, 11, 1e-6);
    free(want);
    free(shorter);
    free(ramp);
}

static void test_refusals(void **state)
{
    (void)state;
    float taps[8], out[8], signal[8] = {0};
    lf_error err;
    assert_int_equal(lf_window1d_make(LF_WINDOW1D_HANN, 9, 0, taps, 8, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_window1d_make(LF_WINDOW1D_HANN, 0, 0, taps, 8, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_window1d_make(LF_WINDOW1D_GAUSSIAN, 5, -1, taps, 8, &err),
                     LF_ERR_ARGUMENT);
    /* A kernel summing to zero has nothing to divide by. */
    static const float edge[3] = {-1, 0, 1};
    assert_int_equal(lf_convolve1d_normalised(signal, 8, edge, 3, out, 8, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "sum to zero"));
    assert_int_equal(lf_convolve1d_normalised(signal, 8, taps, 3, out, 7, &err), LF_ERR_ARGUMENT);
    lf_window1d kind;
    assert_int_equal(lf_window1d_parse("Flat-Top", &kind, &err), LF_OK);
    assert_int_equal(kind, LF_WINDOW1D_FLATTOP);
    assert_int_equal(lf_window1d_parse("hanning", &kind, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "hann, exponential"));
    assert_string_equal(lf_window1d_name(LF_WINDOW1D_GAUSSIAN), "gaussian");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_signal),
        cmocka_unit_test(test_windows_and_convolutions_match_scipy),
        cmocka_unit_test(test_uneven_and_long_kernels),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
