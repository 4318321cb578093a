/*
 * test_gram_variant.c: one Gram matrix for a patch and its mirrors and
 * turns, against each variant's own matrix.
 *
 * The shared product (the place's core matrix, permuted, plus the edge
 * windows) must equal the variant patch's own Gram matrix built by the
 * definition (lf_gram_compute_reference, X^T X pixel by pixel) times d, for
 * every variant, odd and even, square and non-square kernels and both
 * paddings; the vectorised edge product must equal its one-window-at-a-time
 * twin; and the kernel's tap map must be the dataset's pixel map on the
 * kernel. The trainer with shared matrices against the trainer with one per
 * patch is in test_gram_shared.c.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learnfilter/dataset.h"
#include "learnfilter/gram.h"
#include "learnfilter/gram_variant.h"
#include "learnfilter/rng.h"

static void fill_random(float *v, int n, uint64_t seed)
{
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    for (int i = 0; i < n; i++)
        v[i] = (float)lf_rng_uniform(&rng) - 0.3f;
}

/* Variant v of a side x side patch, by the dataset's rule. */
static void turn(float *out, const float *base, int side, int v)
{
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
            out[y * side + x] = base[lf_dataset_variant_index(v, x, y, side)];
}

/* The tap map is the pixel map on the kernel, the bias its own. */
static void test_taps_are_the_pixel_map(void **state)
{
    (void)state;
    int map[26];
    for (int k = 1; k <= 5; k++)
        for (int v = 0; v < 8; v++) {
            assert_true(lf_gram_variant_taps(map, k * k + 1, v, k, k));
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++)
                    assert_int_equal(map[a * k + b], (int)lf_dataset_variant_index(v, b, a, k));
            assert_int_equal(map[k * k], k * k);
        }
    /* A transpose of a 2x3 kernel is not a 2x3 kernel; too small an array. */
    assert_false(lf_gram_variant_taps(map, 26, 4, 2, 3));
    assert_true(lf_gram_variant_taps(map, 7, 3, 2, 3));
    assert_false(lf_gram_variant_taps(map, 6, 3, 2, 3));
}

/* Unturning a variant gives the patch back. */
static void test_unturn(void **state)
{
    (void)state;
    const int side = 7;
    float base[49], turned[49], back[49];
    fill_random(base, 49, 5);
    for (int v = 0; v < 8; v++) {
        turn(turned, base, side, v);
        lf_gram_variant_unturn(back, turned, side, v);
        assert_memory_equal(back, base, sizeof base);
    }
}

/* y = G d with the full reference matrix, in double. */
static double full_apply(double *y, const float *full, const float *d, int p)
{
    double quad = 0;
    for (int r = 0; r < p; r++) {
        double acc = 0;
        for (int c = 0; c < p; c++)
            acc += (double)full[(size_t)r * p + c] * d[c];
        y[r] = acc;
        quad += acc * d[r];
    }
    return quad;
}

static void check_shape(int side, int kh, int kw, lf_padding padding, int variants)
{
    const lf_conv_shape s = lf_conv_shape_make(side, side, kh, kw, padding);
    assert_true(lf_gram_variant_shareable(&s, variants));
    const lf_conv_shape core_shape = lf_gram_variant_core_shape(&s);
    const int p = lf_gram_size(&s);
    const size_t n = (size_t)side * side;
    float *base = malloc(sizeof(float) * n), *patch = malloc(sizeof(float) * n);
    float *core = malloc(sizeof(float) * lf_gram_packed_count(p));
    float *full = malloc(sizeof(float) * (size_t)p * p);
    void *gwork = malloc(lf_gram_work_bytes(side, side, kw));
    /* Exactly the documented sizes, so ASan sees any access past them. */
    const size_t work_floats = lf_gram_variant_apply_floats(&s);
    float *work = malloc(sizeof(float) * work_floats);
    float *d = malloc(sizeof(float) * (size_t)p), *grad = malloc(sizeof(float) * (size_t)p);
    double *want = malloc(sizeof(double) * (size_t)p);
    int *map = malloc(sizeof(int) * (size_t)p);
    fill_random(base, (int)n, (uint64_t)(side * 100 + kh * 10 + kw));
    fill_random(d, p, 77);
    assert_int_equal(lf_gram_compute(core, lf_gram_packed_count(p), gwork,
                                     lf_gram_work_bytes(side, side, kw), base, &core_shape),
                     LF_OK);
    for (int v = 0; v < variants; v++) {
        turn(patch, base, side, v);
        lf_gram_compute_reference(full, patch, &s);
        double quad = full_apply(want, full, d, p);
        assert_true(lf_gram_variant_taps(map, p, v, kh, kw));
        for (int i = 0; i < p; i++)
            grad[i] = 0.5f;
        double got = lf_gram_variant_apply(grad, work, work_floats, core, map, patch, &s, d, 2.0f);
        double scale = 0;
        for (int i = 0; i < p; i++)
            scale = fmax(scale, fabs(want[i]));
        for (int i = 0; i < p; i++)
            if (!(fabs(grad[i] - (0.5 + 2.0 * want[i])) <= 1e-5 * scale))
                fail_msg("%dx%d kernel, %s, variant %d: G d[%d] = %g, want %g", kh, kw,
                         padding == LF_PADDING_SAME ? "same" : "valid", v, i,
                         (grad[i] - 0.5) / 2, want[i]);
        assert_true(fabs(got - quad) <= 1e-5 * fabs(quad));
    }
    /* Too little scratch: nothing added. */
    for (int i = 0; i < p; i++)
        grad[i] = 0;
    assert_true(isnan(
        lf_gram_variant_apply(grad, work, work_floats - 1, core, map, patch, &s, d, 1.0f)));
    for (int i = 0; i < p; i++)
        assert_true(grad[i] == 0);
    free(base);
    free(patch);
    free(core);
    free(full);
    free(gwork);
    free(work);
    free(d);
    free(grad);
    free(want);
    free(map);
}

/* Odd kernels move no window; even ones under 'same' move a row and a
 * column (15 zeros before, 16 after for 32 taps); 'valid' moves none. */
static void test_variants_match_their_own_matrices(void **state)
{
    (void)state;
    const lf_padding paddings[2] = {LF_PADDING_SAME, LF_PADDING_VALID};
    for (int i = 0; i < 2; i++) {
        check_shape(11, 3, 3, paddings[i], 8);
        check_shape(11, 4, 4, paddings[i], 8);
        check_shape(12, 5, 5, paddings[i], 8);
        check_shape(12, 6, 6, paddings[i], 8);
        check_shape(10, 1, 1, paddings[i], 8);
        check_shape(10, 2, 3, paddings[i], 4); /* mirrors alone: any shape */
        check_shape(10, 4, 1, paddings[i], 4);
    }
    /* A kernel larger than the patch: taps that read only padding. */
    check_shape(6, 8, 8, LF_PADDING_SAME, 8);
}

static void test_shareable(void **state)
{
    (void)state;
    lf_conv_shape s = lf_conv_shape_make(16, 16, 2, 3, LF_PADDING_SAME);
    assert_true(lf_gram_variant_shareable(&s, 4));
    assert_false(lf_gram_variant_shareable(&s, 8)); /* transposes a 2x3 kernel */
    s = lf_conv_shape_make(16, 12, 3, 3, LF_PADDING_SAME);
    assert_false(lf_gram_variant_shareable(&s, 2)); /* not a square patch */
    s = lf_conv_shape_make(16, 16, 32, 32, LF_PADDING_SAME);
    lf_conv_shape core = lf_gram_variant_core_shape(&s);
    assert_int_equal(core.out_height, 15);
    assert_int_equal(core.out_width, 15);
    s = lf_conv_shape_make(16, 16, 31, 31, LF_PADDING_SAME);
    core = lf_gram_variant_core_shape(&s);
    assert_int_equal(core.out_height, 16);
}

/* The vectorised edges against the window-by-window definition. */
static void test_edges_match_reference(void **state)
{
    (void)state;
    const int shapes[][3] = {{20, 4, 4}, {20, 2, 6}, {20, 32, 32}, {40, 32, 32}, {33, 8, 3}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        const int side = shapes[k][0], kh = shapes[k][1], kw = shapes[k][2];
        const lf_conv_shape s = lf_conv_shape_make(side, side, kh, kw, LF_PADDING_SAME);
        const int p = lf_gram_size(&s);
        float *in = malloc(sizeof(float) * (size_t)side * side);
        float *d = malloc(sizeof(float) * (size_t)p);
        float *fast = calloc((size_t)p, sizeof(float)), *slow = calloc((size_t)p, sizeof(float));
        const size_t floats = lf_gram_variant_edge_floats(&s);
        float *work = malloc(sizeof(float) * floats);
        fill_random(in, side * side, 3 + k);
        fill_random(d, p, 4 + k);
        lf_gram_variant_edges(fast, work, floats, in, &s, d);
        lf_gram_variant_edges_reference(slow, in, &s, d);
        double scale = 0;
        for (int i = 0; i < p; i++)
            scale = fmax(scale, fabs(slow[i]));
        assert_true(scale > 0);
        for (int i = 0; i < p; i++)
            assert_true(fabs(fast[i] - slow[i]) <= 1e-5 * scale);
        /* Too little scratch: nothing added. */
        memcpy(slow, fast, sizeof(float) * (size_t)p);
        lf_gram_variant_edges(fast, work, floats - 1, in, &s, d);
        assert_memory_equal(fast, slow, sizeof(float) * (size_t)p);
        free(in);
        free(d);
        free(fast);
        free(slow);
        free(work);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taps_are_the_pixel_map),
        cmocka_unit_test(test_unturn),
        cmocka_unit_test(test_shareable),
        cmocka_unit_test(test_edges_match_reference),
        cmocka_unit_test(test_variants_match_their_own_matrices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
