/*
 * test_colormap.c: the diverging and gray maps and the nice-scale helpers.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "learnfilter/colormap.h"

static int lightness(lf_rgb c) { return 299 * c.r + 587 * c.g + 114 * c.b; }

static void test_diverging_ends_and_centre(void **state)
{
    (void)state;
    lf_rgb zero = lf_colormap_diverging(0.0f);
    assert_int_equal(zero.r, 248);
    assert_int_equal(zero.g, 248);
    assert_int_equal(zero.b, 248);
    lf_rgb lo = lf_colormap_diverging(-1.0f), hi = lf_colormap_diverging(1.0f);
    assert_true(lo.b > lo.r && lo.b > lo.g); /* negative is blue */
    assert_true(hi.r > hi.g && hi.r > hi.b); /* positive is red */
    assert_int_equal(lo.r, 40);
    assert_int_equal(hi.r, 150);
    /* Clamped beyond the range. */
    lf_rgb below = lf_colormap_diverging(-7.5f), above = lf_colormap_diverging(3.0f);
    assert_memory_equal(&below, &lo, sizeof lo);
    assert_memory_equal(&above, &hi, sizeof hi);
    /* Halfway between stops is the mean of the stops. */
    lf_rgb q = lf_colormap_diverging(-0.25f);
    assert_int_equal(q.r, (105 + 248 + 1) / 2);
}

static void test_diverging_is_monotone_in_lightness(void **state)
{
    (void)state;
    /* Lightness falls steadily away from zero on both sides, so a bigger
     * |value| always looks stronger. */
    int previous_neg = lightness(lf_colormap_diverging(0)), previous_pos = previous_neg;
    for (int i = 1; i <= 100; i++) {
        float t = i / 100.0f;
        int neg = lightness(lf_colormap_diverging(-t)), pos = lightness(lf_colormap_diverging(t));
        assert_true(neg <= previous_neg);
        assert_true(pos <= previous_pos);
        previous_neg = neg;
        previous_pos = pos;
    }
    assert_true(previous_neg < lightness(lf_colormap_diverging(0)) / 2);
}

static void test_gray_and_nan(void **state)
{
    (void)state;
    lf_rgb black = lf_colormap_gray(0), white = lf_colormap_gray(1), mid = lf_colormap_gray(0.5f);
    assert_int_equal(black.r, 0);
    assert_int_equal(white.g, 255);
    assert_int_equal(mid.b, 128);
    assert_int_equal(lf_colormap_gray(-1).r, 0);
    assert_int_equal(lf_colormap_gray(2).r, 255);
    lf_rgb nan_colour = lf_colormap_nan();
    lf_rgb a = lf_colormap_diverging(NAN), b = lf_colormap_gray(NAN);
    assert_memory_equal(&a, &nan_colour, sizeof a);
    assert_memory_equal(&b, &nan_colour, sizeof b);
    /* NaN's colour is not one the diverging map gives any value. */
    for (int i = -100; i <= 100; i++) {
        lf_rgb c = lf_colormap_diverging(i / 100.0f);
        assert_false(c.r == nan_colour.r && c.g == nan_colour.g && c.b == nan_colour.b);
    }
}

static void test_nice_limit(void **state)
{
    (void)state;
    assert_float_equal(lf_scale_nice_limit(2.0), 2.0, 1e-12);
    assert_float_equal(lf_scale_nice_limit(2.0000001), 2.0, 1e-12);
    assert_float_equal(lf_scale_nice_limit(2.1), 2.5, 1e-12);
    assert_float_equal(lf_scale_nice_limit(0.059), 0.1, 1e-12);
    assert_float_equal(lf_scale_nice_limit(0.0589), 0.1, 1e-12);
    assert_float_equal(lf_scale_nice_limit(0.03), 0.05, 1e-12);
    assert_float_equal(lf_scale_nice_limit(7), 10, 1e-12);
    assert_float_equal(lf_scale_nice_limit(0), 1, 1e-12);
    assert_float_equal(lf_scale_nice_limit(NAN), 1, 1e-12);
    assert_float_equal(lf_scale_nice_limit(-3), 1, 1e-12);
}

static void test_ticks(void **state)
{
    (void)state;
    double t[16];
    int n = lf_scale_ticks(-2, 2, 5, t, 16);
    assert_int_equal(n, 5);
    for (int i = 0; i < 5; i++)
        assert_float_equal(t[i], -2 + i, 1e-12);
    n = lf_scale_ticks(-0.1, 0.1, 5, t, 16);
    assert_int_equal(n, 5);
    assert_float_equal(t[1], -0.05, 1e-12);
    assert_true(t[2] == 0.0 && !signbit(t[2])); /* zero, not -0 */
    n = lf_scale_ticks(0, 1, 3, t, 16);
    assert_int_equal(n, 3);
    assert_float_equal(t[1], 0.5, 1e-12);
    /* Never more than asked, always inside the range. */
    for (int max = 2; max <= 12; max++) {
        n = lf_scale_ticks(-0.37, 1.83, max, t, 16);
        assert_true(n >= 1 && n <= max);
        for (int i = 0; i < n; i++)
            assert_true(t[i] >= -0.37 - 1e-9 && t[i] <= 1.83 + 1e-9);
    }
    assert_int_equal(lf_scale_ticks(1, 1, 5, t, 16), 1);
    assert_int_equal(lf_scale_ticks(0, NAN, 5, t, 16), 0);
}

/* A chart 2560 pixels wide at half scale asks for 80 ticks; the array holds
 * 12. The answer must fit the array (a coarser spacing), and the slots
 * after it must be untouched. */
static void test_ticks_respect_capacity(void **state)
{
    (void)state;
    double t[20];
    for (int i = 0; i < 20; i++)
        t[i] = -12345.0;
    int n = lf_scale_ticks(0, 40000, 80, t, 12);
    assert_true(n >= 2 && n <= 12);
    for (int i = 0; i < n; i++)
        assert_true(t[i] >= 0 && t[i] <= 40000);
    for (int i = 12; i < 20; i++)
        assert_true(t[i] == -12345.0);
    /* Every count from 1 to 200 asked of every capacity from 0 to 13. */
    for (int capacity = 0; capacity <= 13; capacity++)
        for (int want = 1; want <= 200; want++) {
            for (int i = 0; i < 20; i++)
                t[i] = -12345.0;
            n = lf_scale_ticks(-3.7, 1e5, want, t, capacity);
            assert_true(n >= 0 && n <= capacity && n <= want);
            for (int i = capacity; i < 20; i++)
                assert_true(t[i] == -12345.0);
        }
    assert_int_equal(lf_scale_ticks(0, 1, 5, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diverging_ends_and_centre),
        cmocka_unit_test(test_diverging_is_monotone_in_lightness),
        cmocka_unit_test(test_gray_and_nan),
        cmocka_unit_test(test_nice_limit),
        cmocka_unit_test(test_ticks),
        cmocka_unit_test(test_ticks_respect_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
