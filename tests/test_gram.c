/*
 * test_gram.c: the statistics engine against its definition and against the
 * plain path.
 *
 * The Gram matrix is checked entry by entry against X^T X summed pixel by
 * pixel, for odd, even and non-square kernels with both paddings; the
 * packed layout; the fast matrix-vector product against its
 * double-precision twin, whole and in row ranges; and a whole
 * training run on the Gram engine against the same run on the direct engine
 * (same seed, same batches), whose weights must stay together step by step.
 */
#include "test_data_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learnfilter/gram.h"
#include "learnfilter/rng.h"
#include "learnfilter/trainer.h"

static void fill_random(float *v, int n, uint64_t seed)
{
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    for (int i = 0; i < n; i++)
        v[i] = (float)lf_rng_uniform(&rng);
}

/* True when row/column a of the full reference matrix is all zeros: the
 * diagonal G[a][a] = sum of x_a^2 is zero only then. */
static bool column_is_zero(const float *full, int p, int a)
{
    return full[(size_t)a * p + a] == 0.0f;
}

static void check_gram_shape(int h, int w, int kh, int kw, lf_padding padding)
{
    lf_conv_shape s = lf_conv_shape_make(h, w, kh, kw, padding);
    int p = lf_gram_size(&s);
    float *in = malloc(sizeof(float) * (size_t)h * w);
    float *fast = malloc(sizeof(float) * lf_gram_packed_count(p));
    float *slow = malloc(sizeof(float) * (size_t)p * p);
    /* Exactly the documented sizes, so ASan sees any access past them. */
    void *work = malloc(lf_gram_work_bytes(h, w, kw));
    fill_random(in, h * w, (uint64_t)(h * 131 + kw));
    memset(fast, 0xff, sizeof(float) * lf_gram_packed_count(p)); /* NaN: all must be written */
    assert_int_equal(lf_gram_compute(fast, lf_gram_packed_count(p), work,
                                     lf_gram_work_bytes(h, w, kw), in, &s),
                     LF_OK);
    lf_gram_compute_reference(slow, in, &s);
    for (int r = 0; r < p; r++)
        for (int c = 0; c < p; c++) {
            /* The definition is symmetric; the packed form keeps r <= c. */
            assert_true(slow[r * p + c] == slow[c * p + r]);
            if (c < r)
                continue;
            double expected = slow[r * p + c], got = fast[lf_gram_packed_index(p, r, c)];
            /* A tap that reads only padding has a zero column in X: the
             * definition sums exact zeros, and so must the fast version. */
            bool padding_only = column_is_zero(slow, p, r) || column_is_zero(slow, p, c);
            if (padding_only && got != 0.0)
                fail_msg("%dx%d image, %dx%d kernel: entry (%d,%d) of a tap that sees only "
                         "padding is %g, not exactly 0",
                         h, w, kh, kw, r, c, got);
            if (!(fabs(got - expected) <= 1e-5 * (fabs(expected) + 1.0)))
                fail_msg("%dx%d image, %dx%d kernel, %s: entry (%d,%d) is %g, expected %g", h, w,
                         kh, kw, padding == LF_PADDING_SAME ? "same" : "valid", r, c, got,
                         expected);
        }
    free(in);
    free(fast);
    free(slow);
    free(work);
}

static void test_gram_matches_definition(void **state)
{
    (void)state;
    check_gram_shape(9, 11, 3, 3, LF_PADDING_SAME);
    check_gram_shape(9, 11, 3, 3, LF_PADDING_VALID);
    check_gram_shape(10, 8, 2, 2, LF_PADDING_SAME);
    check_gram_shape(10, 8, 4, 5, LF_PADDING_SAME);
    check_gram_shape(10, 8, 4, 5, LF_PADDING_VALID);
    check_gram_shape(12, 12, 1, 7, LF_PADDING_SAME);
    check_gram_shape(6, 6, 7, 7, LF_PADDING_SAME); /* kernel larger than the image */
}

/* Kernels more than twice the patch's side: most taps then read only
 * padding, and the running-sum tables must not be read past their last
 * row (the window of such a tap starts below the image). */
static void test_gram_kernel_much_larger_than_patch(void **state)
{
    (void)state;
    check_gram_shape(8, 8, 32, 32, LF_PADDING_SAME);  /* the smiley on an 8x8 patch */
    check_gram_shape(8, 8, 50, 1, LF_PADDING_SAME);   /* a tall column */
    check_gram_shape(8, 8, 1, 50, LF_PADDING_SAME);   /* a wide row */
    check_gram_shape(9, 5, 40, 3, LF_PADDING_SAME);
    check_gram_shape(5, 9, 3, 40, LF_PADDING_SAME);
    check_gram_shape(8, 8, 20, 21, LF_PADDING_SAME);
}

/* Arrays too small for the shape, or a kernel side past the row buffers:
 * the call refuses, zeroes what fits of G and writes nothing past it. */
static void test_gram_compute_respects_capacity(void **state)
{
    (void)state;
    lf_conv_shape s = lf_conv_shape_make(8, 8, 3, 3, LF_PADDING_SAME);
    int p = lf_gram_size(&s);
    size_t need = lf_gram_packed_count(p), work_need = lf_gram_work_bytes(8, 8, 3);
    float in[64];
    fill_random(in, 64, 5);
    float *gram = malloc(sizeof(float) * (need + 8));
    unsigned char *work = malloc(work_need + 64);
    for (size_t i = 0; i < need + 8; i++)
        gram[i] = 7.0f;
    assert_int_equal(lf_gram_compute(gram, need - 1, work, work_need, in, &s), LF_ERR_ARGUMENT);
    for (size_t i = 0; i < need - 1; i++)
        assert_true(gram[i] == 0.0f);
    for (size_t i = need - 1; i < need + 8; i++)
        assert_true(gram[i] == 7.0f);
    memset(work + work_need - 1, 0xab, 65);
    assert_int_equal(lf_gram_compute(gram, need, work, work_need - 1, in, &s), LF_ERR_ARGUMENT);
    for (size_t i = 0; i < 65; i++)
        assert_int_equal(work[work_need - 1 + i], 0xab);
    assert_int_equal(lf_gram_compute(gram, need, work, work_need, in, &s), LF_OK);
    lf_conv_shape wide = lf_conv_shape_make(8, 8, 1, LF_GRAM_MAX_SIDE + 1, LF_PADDING_SAME);
    assert_int_equal(lf_gram_compute(gram, need, work, work_need, in, &wide), LF_ERR_ARGUMENT);
    free(gram);
    free(work);
}

/* Values in [-1, 1), so that sums cancel as a gradient's do. */
static void fill_signed(float *v, size_t n, uint64_t seed)
{
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)(2 * lf_rng_uniform(&rng) - 1);
}

/* Every entry of the triangle has a place of its own in the packed array
 * and the places fill it: the layout loses nothing and overlaps nothing.
 * Each four-row panel starts where that row starts in the row-by-row
 * triangle, whose counts lf_gram_split's equal shares are made from. */
static void test_gram_packed_layout(void **state)
{
    (void)state;
    static const int sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 19, 20, 21, 22, 23, 24, 36, 37, 1025};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        const int p = sizes[k];
        const size_t count = lf_gram_packed_count(p);
        assert_int_equal(count, (size_t)p * (size_t)(p + 1) / 2);
        unsigned char *used = calloc(count, 1);
        assert_non_null(used);
        for (int r = 0; r < p; r++)
            for (int c = r; c < p; c++) {
                const size_t i = lf_gram_packed_index(p, r, c);
                if (i >= count || used[i])
                    fail_msg("p = %d: G[%d][%d] at %zu, past %zu or taken", p, r, c, i, count);
                used[i] = 1;
            }
        for (int r = 0; r < p; r += 4)
            assert_int_equal(lf_gram_packed_index(p, r, r),
                             (size_t)r * p - (size_t)r * (size_t)(r - 1) / 2);
        free(used);
    }
}

/* y (p values) against the reference's G d for the rows [0, p), within
 * tol of the sum of the magnitudes of each row's terms, |G| |d|. */
static void check_vector(const float *got, const double *want, const double *magnitude, int p,
                         double tol, const char *what, int p_case)
{
    for (int i = 0; i < p; i++)
        if (!(fabs(got[i] - want[i]) <= tol * magnitude[i] + 1e-30))
            fail_msg("p = %d, %s: value %d is %.9g, expected %.9g (magnitude %g)", p_case, what, i,
                     (double)got[i], want[i], magnitude[i]);
}

/*
 * The product for one P against its double-precision twin, whole and in
 * row ranges: those lf_gram_split makes (whole panels) and ranges that
 * start and stop inside panels. The float sums round; the tolerance is
 * 4e-5 of the magnitudes of each value's terms, a few hundred times one
 * float's rounding (a value here is a sum of up to 1,025 products, added
 * in chains of up to 256), while one entry of G misplaced or misread moves
 * a value by about 1 / sqrt(P) of that magnitude or more.
 */
static void check_apply(int p)
{
    const size_t count = lf_gram_packed_count(p);
    const double tol = 4e-5;
    float *packed = malloc(sizeof(float) * count);
    float *d = malloc(sizeof(float) * (size_t)p), *work = malloc(sizeof(float) * (size_t)p);
    float *g1 = malloc(sizeof(float) * (size_t)p), *g2 = malloc(sizeof(float) * (size_t)p);
    float *y = malloc(sizeof(float) * (size_t)p), *part = malloc(sizeof(float) * (size_t)p);
    double *want = malloc(sizeof(double) * (size_t)p);
    double *magnitude = malloc(sizeof(double) * (size_t)p);
    assert_true(packed && d && work && g1 && g2 && y && part && want && magnitude);
    fill_signed(packed, count, (uint64_t)p);
    fill_signed(d, (size_t)p, (uint64_t)p + 100);

    /* G d and |G| |d| by the definition, for the expected values. */
    double quad_magnitude = 0;
    for (int r = 0; r < p; r++) {
        double sum = 0, mag = 0;
        for (int c = 0; c < p; c++) {
            const float g = packed[r <= c ? lf_gram_packed_index(p, r, c)
                                          : lf_gram_packed_index(p, c, r)];
            sum += (double)g * d[c];
            mag += fabs((double)g * d[c]);
        }
        want[r] = sum;
        magnitude[r] = mag;
        quad_magnitude += fabs((double)d[r]) * mag;
    }

    /* Whole: both add 0.5 G d to what the gradient holds. */
    for (int i = 0; i < p; i++)
        g1[i] = g2[i] = 0.25f;
    const double q1 = lf_gram_apply(g1, work, packed, d, p, 0.5f);
    const double q2 = lf_gram_apply_reference(g2, packed, d, p, 0.5f);
    assert_true(fabs(q2 - q1) <= tol * quad_magnitude);
    /* Adding to 0.25 rounds by up to 2^-25 besides. */
    for (int i = 0; i < p; i++) {
        const double expected = 0.25 + 0.5 * want[i], slack = 0x1p-24;
        if (!(fabs(g1[i] - expected) <= 0.5 * tol * magnitude[i] + slack))
            fail_msg("p = %d: gradient %d is %.9g, expected %.9g", p, i, (double)g1[i], expected);
        if (!(fabs(g2[i] - expected) <= 1e-6 * magnitude[i] + slack))
            fail_msg("p = %d: the reference's gradient %d is %.9g", p, i, (double)g2[i]);
    }

    /* In row ranges, as threads split a large G: lf_gram_split's, on
     * multiples of four, and ranges cut inside panels. */
    for (int blocks = 1; blocks <= 10; blocks++) {
        int bounds[10];
        int made;
        if (blocks <= 8) {
            made = lf_gram_split(p, blocks, bounds, 9);
            assert_int_equal(made, blocks);
            for (int b = 1; b < made; b++)
                assert_true(bounds[b] % 4 == 0 || bounds[b] == p);
        } else {
            /* Cuts at 1, 6, 2p/3 + 1 (clipped): rows before, inside and
             * after whole panels, and the last rows when p % 4 != 0. */
            const int cuts[3] = {1, 6, 2 * p / 3 + 1};
            made = 0;
            bounds[0] = 0;
            for (int k = (blocks == 10 ? 1 : 0); k < 3; k++)
                if (cuts[k] > bounds[made] && cuts[k] < p)
                    bounds[++made] = cuts[k];
            bounds[++made] = p;
        }
        assert_int_equal(bounds[0], 0);
        assert_int_equal(bounds[made], p);
        memset(y, 0, sizeof(float) * (size_t)p);
        for (int b = 0; b < made; b++) {
            assert_true(bounds[b] <= bounds[b + 1]);
            memset(part, 0, sizeof(float) * (size_t)p);
            lf_gram_apply_rows(part, packed, d, p, bounds[b], bounds[b + 1]);
            for (int i = 0; i < p; i++)
                y[i] += part[i];
        }
        check_vector(y, want, magnitude, p, tol, blocks <= 8 ? "split" : "cut inside panels", p);
        for (int i = 0; i < p; i++)
            g1[i] = 0.25f;
        const double q3 = lf_gram_apply_finish(g1, y, d, p, 0.5f);
        assert_true(fabs(q3 - q2) <= tol * quad_magnitude);
    }
    free(packed);
    free(d);
    free(work);
    free(g1);
    free(g2);
    free(y);
    free(part);
    free(want);
    free(magnitude);
}

/* Sizes around the four-row panels and the 16-column strips (every
 * remainder of p mod 4, strips whole and cut), the prefetching from 512
 * parameters on, and the smiley's 1,025. */
static void test_gram_apply_matches_reference(void **state)
{
    (void)state;
    static const int sizes[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,  11,  12,  13,  19,  20, 21,
                                22, 23, 24, 36, 37, 42, 63, 64, 65, 100, 512, 513, 514, 515, 1025};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        check_apply(sizes[k]);

    /* A large G splits into blocks of about equal work. */
    int bounds[5];
    assert_int_equal(lf_gram_split(1025, 4, bounds, 5), 4);
    for (int b = 0; b < 4; b++) {
        double rows = 0;
        for (int r = bounds[b]; r < bounds[b + 1]; r++)
            rows += 1025 - r;
        assert_true(fabs(rows - lf_gram_packed_count(1025) / 4.0) < 0.01 * lf_gram_packed_count(1025));
    }
}

/* A small dataset of smooth random images, so gradients have the strongly
 * correlated structure of photographs. */
static void make_dataset(lf_dataset *ds, int count, int size)
{
    lf_image *images = calloc((size_t)count, sizeof *images);
    lf_rng rng;
    lf_rng_seed(&rng, 99);
    for (int i = 0; i < count; i++) {
        td_wave wave = {.base = 0.5, .amplitude = 0.25, .phase = 3 * i, .grain = 0.2};
        wave.sin_y = 0.05 + 0.3 * lf_rng_uniform(&rng);
        wave.cos_x = 0.05 + 0.3 * lf_rng_uniform(&rng);
        td_wave_image(&images[i], size, size, &rng, &wave);
    }
    td_dataset(ds, images, count, &(lf_dataset_options){.patch_size = size, .seed = 3});
    free(images);
}

static void run_pair(const char *kernel_name, lf_padding padding, int steps, double tol)
{
    lf_dataset ds;
    make_dataset(&ds, 6, 32);
    lf_trainer_options o = {.padding = padding, .seed = 7, .engine = LF_ENGINE_DIRECT};
    assert_int_equal(lf_kernel_from_name(&o.target, kernel_name, 1, NULL), LF_OK);
    lf_trainer *direct = lf_trainer_create(&o, &ds, NULL);
    o.engine = LF_ENGINE_GRAM;
    lf_trainer *gram = lf_trainer_create(&o, &ds, NULL);
    assert_non_null(direct);
    assert_non_null(gram);
    assert_int_equal(lf_trainer_engine(direct), LF_ENGINE_DIRECT);
    assert_int_equal(lf_trainer_engine(gram), LF_ENGINE_GRAM);
    int taps = o.target.height * o.target.width;
    double start_err = lf_trainer_figures(direct)->rel_err;
    for (int s = 0; s < steps; s++) {
        assert_int_equal(lf_trainer_step(direct, NULL), LF_OK);
        assert_int_equal(lf_trainer_step(gram, NULL), LF_OK);
        const lf_figures *fd = lf_trainer_figures(direct), *fg = lf_trainer_figures(gram);
        assert_true(fabs(fd->step_loss - fg->step_loss) <= 1e-3 * fd->step_loss + 1e-12);
        double diff = 0, norm = 0;
        for (int i = 0; i <= taps; i++) {
            double a = lf_trainer_weights(direct)[i], b = lf_trainer_weights(gram)[i];
            diff += (a - b) * (a - b);
            norm += a * a;
        }
        if (!(sqrt(diff / norm) <= tol))
            fail_msg("%s: step %d, the engines' weights differ by %g (relative)", kernel_name, s,
                     sqrt(diff / norm));
    }
    /* They must also have learned something, or the comparison is empty. */
    assert_true(lf_trainer_figures(gram)->rel_err < 0.9 * start_err);
    assert_int_equal(lf_trainer_figures(direct)->epoch, lf_trainer_figures(gram)->epoch);
    assert_true(fabs(lf_trainer_figures(direct)->val_loss - lf_trainer_figures(gram)->val_loss) <=
                1e-3 * lf_trainer_figures(direct)->val_loss);
    lf_trainer_destroy(direct);
    lf_trainer_destroy(gram);
    lf_dataset_deinit(&ds);
}

static void test_trajectories_agree_sgd(void **state)
{
    (void)state;
    run_pair("sobel-x", LF_PADDING_SAME, 300, 1e-4);
    run_pair("line", LF_PADDING_VALID, 300, 1e-4);
}

static void test_trajectories_agree_adam(void **state)
{
    (void)state;
    /* Adam divides by sqrt(v): tiny gradients amplify rounding, so its
     * tolerance is looser. */
    run_pair("gaussian", LF_PADDING_SAME, 200, 1e-3);
}

/* lf_gram_split never writes more boundaries than its array holds. */
static void test_gram_split_respects_capacity(void **state)
{
    (void)state;
    int bounds[8];
    for (int i = 0; i < 8; i++)
        bounds[i] = -1;
    assert_int_equal(lf_gram_split(1025, 8, bounds, 4), 3);
    assert_int_equal(bounds[0], 0);
    assert_int_equal(bounds[3], 1025);
    for (int i = 4; i < 8; i++)
        assert_int_equal(bounds[i], -1);
    assert_int_equal(lf_gram_split(1025, 8, bounds, 1), 0);
    assert_int_equal(lf_gram_split(1025, 8, NULL, 0), 0);
}

/* A kernel wider than the patch, so some taps read only padding at every
 * output pixel: their gradient is exactly zero and Adam, which divides by
 * the gradient's own size, must leave them exactly where they started. The
 * other taps must move, or the check is empty. Both engines. */
static void check_padding_taps_never_move(lf_engine engine)
{
    enum { SIZE = 8, KH = 3, KW = 24 };
    lf_dataset ds;
    make_dataset(&ds, 6, SIZE);
    lf_trainer_options o = {.seed = 5, .engine = engine};
    o.target.height = KH;
    o.target.width = KW;
    lf_rng rng;
    lf_rng_seed(&rng, 17);
    for (int i = 0; i < KH * KW; i++)
        o.target.weights[i] = (float)(lf_rng_uniform(&rng) - 0.5);
    o.settings = lf_settings_for_kernel(&o.target);
    o.settings.optimizer = LF_OPTIMIZER_ADAM;
    o.settings.learning_rate = 1e-2f;
    o.settings.batch_size = 1;
    lf_trainer *t = lf_trainer_create(&o, &ds, NULL);
    assert_non_null(t);
    assert_int_equal(lf_trainer_engine(t), engine);
    float start[KH * KW];
    memcpy(start, lf_trainer_weights(t), sizeof start);
    for (int s = 0; s < 60; s++)
        assert_int_equal(lf_trainer_step(t, NULL), LF_OK);
    /* 'same' padding puts (KW - 1) / 2 zeros on the left: tap column j reads
     * image columns j - pad .. j - pad + SIZE - 1. */
    const int pad = (KW - 1) / 2;
    int still = 0, moved = 0;
    for (int i = 0; i < KH; i++)
        for (int j = 0; j < KW; j++) {
            bool outside = j - pad >= SIZE || j - pad + SIZE <= 0;
            float now = lf_trainer_weights(t)[i * KW + j];
            if (outside) {
                if (now != start[i * KW + j])
                    fail_msg("%s engine: tap (%d,%d) sees only padding but moved from %.9g to "
                             "%.9g",
                             lf_engine_name(engine), i, j, (double)start[i * KW + j],
                             (double)now);
                still++;
            } else if (now != start[i * KW + j]) {
                moved++;
            }
        }
    assert_true(still > 0);
    assert_int_equal(moved, KH * KW - still);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

static void test_padding_taps_never_move(void **state)
{
    (void)state;
    check_padding_taps_never_move(LF_ENGINE_GRAM);
    check_padding_taps_never_move(LF_ENGINE_DIRECT);
}

static void test_noise_uses_direct_path(void **state)
{
    (void)state;
    lf_image img;
    assert_int_equal(lf_image_init(&img, 32, 32, NULL), LF_OK);
    for (int i = 0; i < 32 * 32; i++)
        img.pixels[i] = (float)(i % 7) / 7.0f;
    lf_dataset ds;
    lf_dataset_options d = {.patch_size = 16, .noise_sigma = 0.1f, .seed = 1};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &d, NULL), LF_OK);
    lf_trainer_options o = {.engine = LF_ENGINE_GRAM};
    assert_int_equal(lf_kernel_from_name(&o.target, "sobel-x", 1, NULL), LF_OK);
    o.settings = lf_settings_for_kernel(&o.target);
    o.settings.batch_size = 1;
    lf_trainer *t = lf_trainer_create(&o, &ds, NULL);
    assert_non_null(t);
    /* The input is not the image the target came from, so G d is not the
     * gradient: the trainer must not use it. */
    assert_int_equal(lf_trainer_engine(t), LF_ENGINE_DIRECT);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
    lf_image_deinit(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gram_matches_definition),
        cmocka_unit_test(test_gram_kernel_much_larger_than_patch),
        cmocka_unit_test(test_gram_compute_respects_capacity),
        cmocka_unit_test(test_gram_packed_layout),
        cmocka_unit_test(test_gram_apply_matches_reference),
        cmocka_unit_test(test_gram_split_respects_capacity),
        cmocka_unit_test(test_padding_taps_never_move),
        cmocka_unit_test(test_trajectories_agree_sgd),
        cmocka_unit_test(test_trajectories_agree_adam),
        cmocka_unit_test(test_noise_uses_direct_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
