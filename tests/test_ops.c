/*
 * test_ops.c: the sliding-window operations.
 *
 * Three kinds of check: the lecture slides' grids worked by hand (the plus
 * lens, border rules, the lower middle of an even median, the step image's
 * 8x6 edge result); the fast path held to the reference over many random
 * shapes, windows, paddings, strides and repeats; and both against
 * tests/reference/ops_*.txt, written by NumPy/SciPy (make_ops_reference.py),
 * an implementation that shares nothing with ours. The scratch-taking
 * form, lf_op_apply_work, is held to lf_op_apply bit for bit.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learnfilter/ops.h"
#include "learnfilter/rng.h"
#include "test_reference.h"
#include "test_util.h"

/* The slides' grids A (sum, max), B (weighted sum, median), C (binary). */
static const float grid_a[49] = {2, 5, 1, 3, 4, 8, 9, 6, 8, 9, 2, 3, 7, 9, 5, 9, 5, 9, 0, 8, 9,
                                 7, 1, 3, 4, 6, 9, 5, 3, 9, 2, 3, 7, 1, 3, 8, 6, 0, 1, 3, 9, 2,
                                 7, 3, 4, 2, 4, 8, 6};
static const float grid_b[49] = {2, 2, 1, 0, 2, 1, 1, 3, 2, 1, 2, 3, 2, 0, 1, 0, 2, 1, 0, 2, 1,
                                 1, 0, 2, 1, 0, 2, 1, 2, 1, 1, 0, 2, 2, 1, 1, 2, 2, 0, 2, 3, 2,
                                 2, 1, 0, 2, 2, 0, 2};
static const float grid_c[49] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0,
                                 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
                                 0, 0, 0, 0, 0, 0, 0};

static void apply7(lf_op op, const float *grid, float out[49])
{
    int h, w;
    lf_error err;
    assert_int_equal(lf_op_apply(&op, grid, 7, 7, out, 49, &h, &w, &err), LF_OK);
    assert_int_equal(h, 7);
    assert_int_equal(w, 7);
    float ref[49];
    assert_int_equal(lf_op_apply_reference(&op, grid, 7, 7, ref, 49, &h, &w, &err), LF_OK);
    for (int i = 0; i < 49; i++)
        tu_assert_near(out[i], ref[i], 1e-6);
}

#define AT(g, y, x) ((g)[(y) * 7 + (x)])

static void test_slides_lens(void **state)
{
    (void)state;
    float out[49];
    /* Sum and max over the plus lens on grid A, worked by hand. */
    apply7((lf_op){.kind = LF_OP_SUM, .window = LF_WINDOW_PLUS}, grid_a, out);
    assert_int_equal((int)AT(out, 0, 0), 2 + 6 + 5);          /* corner: 3 cells inside */
    assert_int_equal((int)AT(out, 1, 1), 8 + 5 + 9 + 6 + 9);  /* inside: 5 cells */
    assert_int_equal((int)AT(out, 6, 3), 2 + 1 + 4 + 4);      /* bottom edge: 4 cells */
    apply7((lf_op){.kind = LF_OP_MAX, .window = LF_WINDOW_PLUS}, grid_a, out);
    assert_int_equal((int)AT(out, 0, 0), 6);
    assert_int_equal((int)AT(out, 3, 3), 9);                  /* 4, up 9, down 3, 3, 6 */
    /* Median on grid B: 3 cells at a corner, 4 on an edge (the lower of
     * the two middle values), 5 inside. */
    apply7((lf_op){.kind = LF_OP_MEDIAN, .window = LF_WINDOW_PLUS}, grid_b, out);
    assert_int_equal((int)AT(out, 0, 0), 2);                  /* 2 3 2 */
    assert_int_equal((int)AT(out, 0, 3), 1);                  /* 0 1 2 2: lower middle 1 */
    assert_int_equal((int)AT(out, 2, 2), 1);                  /* 2, up 1, down 2, left 0, right 1 */
    /* Mean on grid C divides by the cells inside; dilation is the max. */
    apply7((lf_op){.kind = LF_OP_MEAN, .window = LF_WINDOW_PLUS}, grid_c, out);
    tu_assert_near(AT(out, 0, 2), 1.0 / 4, 1e-7);
    tu_assert_near(AT(out, 1, 2), 2.0 / 5, 1e-7);
    tu_assert_near(AT(out, 0, 0), 0, 0);
    apply7((lf_op){.kind = LF_OP_MAX, .window = LF_WINDOW_PLUS}, grid_c, out);
    assert_int_equal((int)AT(out, 1, 1), 1);
    assert_int_equal((int)AT(out, 0, 0), 0);
    apply7((lf_op){.kind = LF_OP_MIN, .window = LF_WINDOW_PLUS}, grid_c, out); /* erosion */
    assert_int_equal((int)AT(out, 2, 2), 1);                  /* the only cell whose lens is all 1 */
    int ones = 0;
    for (int i = 0; i < 49; i++)
        ones += out[i] == 1;
    assert_int_equal(ones, 1);
}

static void test_slides_step_edge(void **state)
{
    (void)state;
    float step[64], out[64];
    for (int i = 0; i < 64; i++)
        step[i] = (i % 8) < 4 ? 1 : 5;
    const float edge[3] = {-1, 0, 1};
    lf_op op = {.kind = LF_OP_KERNEL, .kernel = edge, .kernel_h = 1, .kernel_w = 3,
                .padding = LF_PADDING_VALID};
    int h, w;
    lf_error err;
    assert_int_equal(lf_op_apply(&op, step, 8, 8, out, 64, &h, &w, &err), LF_OK);
    assert_int_equal(h, 8);
    assert_int_equal(w, 6);
    const float row[6] = {0, 0, 4, 4, 0, 0};
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 6; x++)
            tu_assert_near(out[y * 6 + x], row[x], 1e-6);
}

/* floor((n - f + 2p) / s) + 1, with p = (f-1)/2 for 'same' (odd f). */
static void test_output_size(void **state)
{
    (void)state;
    int h, w;
    lf_op op = {.kind = LF_OP_MEAN, .size = 5, .stride = 2, .padding = LF_PADDING_VALID};
    lf_op_output_size(&op, 256, 255, &h, &w);
    assert_int_equal(h, (256 - 5) / 2 + 1);
    assert_int_equal(w, (255 - 5) / 2 + 1);
    op.padding = LF_PADDING_SAME;
    lf_op_output_size(&op, 256, 255, &h, &w);
    assert_int_equal(h, (256 - 5 + 4) / 2 + 1);
    assert_int_equal(w, (255 - 5 + 4) / 2 + 1);
    op = (lf_op){.kind = LF_OP_MAX, .size = 3, .repeat = 3, .padding = LF_PADDING_VALID};
    lf_op_output_size(&op, 10, 7, &h, &w);
    assert_int_equal(h, 4);
    assert_int_equal(w, 1);
    op.repeat = 4; /* 7 -> 5 -> 3 -> 1 -> nothing */
    lf_op_output_size(&op, 10, 7, &h, &w);
    assert_int_equal(h, 0);
    assert_int_equal(w, 0);
    float in[70] = {0}, out[70];
    lf_error err;
    assert_int_equal(lf_op_apply(&op, in, 10, 7, out, 70, &h, &w, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "does not fit"));
    /* An output buffer too small is refused, never overrun. */
    op.repeat = 1;
    assert_int_equal(lf_op_apply(&op, in, 10, 7, out, 39, &h, &w, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_op_apply(&op, in, 10, 7, out, 40, &h, &w, &err), LF_OK);
}

static void test_parse(void **state)
{
    (void)state;
    lf_op op;
    lf_error err;
    assert_int_equal(lf_op_parse(&op, "median:5", &err), LF_OK);
    assert_int_equal(op.kind, LF_OP_MEDIAN);
    assert_int_equal(op.window, LF_WINDOW_SQUARE);
    assert_int_equal(op.size, 5);
    assert_int_equal(lf_op_parse(&op, "MAX:plus", &err), LF_OK);
    assert_int_equal(op.kind, LF_OP_MAX);
    assert_int_equal(op.window, LF_WINDOW_PLUS);
    assert_int_equal(lf_op_parse(&op, "sobel-x", &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "not an operation"));
    assert_int_equal(lf_op_parse(&op, "mode:3", &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "one of sum, mean, max, min, median"));
    const char *bad[] = {"mean:0", "mean:", "mean:x", "mean:3x", "mean:-3", "mean:256"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(lf_op_parse(&op, bad[i], &err), LF_ERR_ARGUMENT);
        assert_non_null(strstr(err.message, "window is a side from 1 to 255"));
    }
    op = (lf_op){.kind = LF_OP_MEAN, .repeat = 101};
    assert_int_equal(lf_op_validate(&op, &err), LF_ERR_ARGUMENT);
    op = (lf_op){.kind = LF_OP_MEAN, .stride = 65};
    assert_int_equal(lf_op_validate(&op, &err), LF_ERR_ARGUMENT);
    op = (lf_op){.kind = LF_OP_KERNEL};
    assert_int_equal(lf_op_validate(&op, &err), LF_ERR_ARGUMENT);
}

/* The fast path against the reference over random inputs and settings. */
static void test_fast_matches_reference(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 7);
    enum { MAXS = 24 };
    float in[MAXS * MAXS], fast[MAXS * MAXS], ref[MAXS * MAXS], kernel[49];
    int cases = 0;
    for (int trial = 0; trial < 1000; trial++) {
        int h = 1 + (int)(lf_rng_uniform(&rng) * MAXS), w = 1 + (int)(lf_rng_uniform(&rng) * MAXS);
        /* Small integers make ties, which max, min and median must handle. */
        bool integers = lf_rng_uniform(&rng) < 0.5;
        for (int i = 0; i < h * w; i++)
            in[i] = integers ? (float)(int)(lf_rng_uniform(&rng) * 4)
                             : (float)lf_rng_uniform(&rng) * 2 - 1;
        lf_op op = {0};
        op.kind = (lf_op_kind)(int)(lf_rng_uniform(&rng) * 6);
        op.window = lf_rng_uniform(&rng) < 0.25 ? LF_WINDOW_PLUS : LF_WINDOW_SQUARE;
        op.size = 1 + (int)(lf_rng_uniform(&rng) * 7);
        op.stride = 1 + (int)(lf_rng_uniform(&rng) * 3);
        op.repeat = 1 + (int)(lf_rng_uniform(&rng) * 3);
        op.padding = lf_rng_uniform(&rng) < 0.5 ? LF_PADDING_SAME : LF_PADDING_VALID;
        if (op.kind == LF_OP_KERNEL) {
            op.kernel_h = 1 + (int)(lf_rng_uniform(&rng) * 7);
            op.kernel_w = 1 + (int)(lf_rng_uniform(&rng) * 7);
            tu_fill_uniform(kernel, (size_t)(op.kernel_h * op.kernel_w), &rng, -1, 1);
            op.kernel = kernel;
        }
        int eh, ew, fh, fw, rh, rw;
        lf_op_output_size(&op, h, w, &eh, &ew);
        lf_error err;
        lf_status a = lf_op_apply(&op, in, h, w, fast, sizeof fast / sizeof fast[0], &fh, &fw, &err);
        lf_status b = lf_op_apply_reference(&op, in, h, w, ref, sizeof ref / sizeof ref[0], &rh,
                                            &rw, &err);
        assert_int_equal(a, b);
        if (eh == 0) {
            assert_int_equal(a, LF_ERR_ARGUMENT);
            continue;
        }
        assert_int_equal(a, LF_OK);
        assert_int_equal(fh, eh);
        assert_int_equal(fw, ew);
        assert_int_equal(rh, eh);
        assert_int_equal(rw, ew);
        for (int i = 0; i < eh * ew; i++) {
            double tol = op.kind == LF_OP_MAX || op.kind == LF_OP_MIN || op.kind == LF_OP_MEDIAN
                             ? 0
                             : 1e-5 * (1 + fabs(ref[i]));
            if (!(fabs(fast[i] - ref[i]) <= tol))
                fail_msg("%s %s %d stride %d repeat %d %s on %dx%d: output %d is %.9g, "
                         "reference %.9g",
                         lf_op_kind_name(op.kind), op.window == LF_WINDOW_PLUS ? "plus" : "square",
                         op.size, op.stride, op.repeat,
                         op.padding == LF_PADDING_SAME ? "same" : "valid", h, w, i, fast[i],
                         ref[i]);
        }
        cases++;
    }
    assert_true(cases > 700);
}

/* Large windows: the running sums and queues must clip at both ends. */
static void test_large_windows(void **state)
{
    (void)state;
    enum { H = 40, W = 33 };
    float in[H * W], fast[H * W], ref[H * W];
    lf_rng rng;
    lf_rng_seed(&rng, 3);
    tu_fill_uniform(in, H * W, &rng, 0, 1);
    const lf_op_kind kinds[] = {LF_OP_SUM, LF_OP_MEAN, LF_OP_MAX, LF_OP_MIN, LF_OP_MEDIAN};
    const int sizes[] = {31, 50, 80};
    for (size_t k = 0; k < 5; k++)
        for (size_t s = 0; s < 3; s++) {
            lf_op op = {.kind = kinds[k], .size = sizes[s]};
            int h, w;
            lf_error err;
            assert_int_equal(lf_op_apply(&op, in, H, W, fast, H * W, &h, &w, &err), LF_OK);
            assert_int_equal(lf_op_apply_reference(&op, in, H, W, ref, H * W, &h, &w, &err),
                             LF_OK);
            for (int i = 0; i < H * W; i++)
                tu_assert_near(fast[i], ref[i], 1e-5 * (1 + fabs(ref[i])));
        }
    /* An 80x80 max covers the whole 40x33 image from every centre. */
    float top = in[0];
    for (int i = 1; i < H * W; i++)
        top = in[i] > top ? in[i] : top;
    lf_op op = {.kind = LF_OP_MAX, .size = 80};
    int h, w;
    lf_error err;
    assert_int_equal(lf_op_apply(&op, in, H, W, fast, H * W, &h, &w, &err), LF_OK);
    for (int i = 0; i < H * W; i++)
        assert_true(fast[i] == top);
}

/* Every operation, border and stride against NumPy/SciPy. The file holds
 * the input, then cases: "KIND WINDOW STRIDE PADDING REPEAT" and the result. */
static void test_against_scipy(void **state)
{
    (void)state;
    FILE *f = fopen(LF_TEST_REFERENCE_DIR "/ops_reference.txt", "r");
    assert_non_null(f);
    int ih, iw;
    float *in = tr_read_matrix(f, &ih, &iw);
    assert_non_null(in);
    char kind[16], window[16], padding[16];
    int stride, repeat, cases = 0;
    static const float line_detector[9] = {-1, 2, -1, -1, 2, -1, -1, 2, -1};
    while (fscanf(f, "%15s %15s %d %15s %d", kind, window, &stride, padding, &repeat) == 5) {
        int eh, ew;
        float *expected = tr_read_matrix(f, &eh, &ew);
        assert_non_null(expected);
        lf_op op;
        lf_error err;
        if (!strcmp(kind, "kernel")) {
            op = (lf_op){.kind = LF_OP_KERNEL, .kernel = line_detector, .kernel_h = 3,
                         .kernel_w = 3};
        } else {
            char spec[40];
            snprintf(spec, sizeof spec, "%s:%s", kind, window);
            assert_int_equal(lf_op_parse(&op, spec, &err), LF_OK);
        }
        op.stride = stride;
        op.repeat = repeat;
        op.padding = !strcmp(padding, "valid") ? LF_PADDING_VALID : LF_PADDING_SAME;
        float out[4096];
        int h, w;
        for (int version = 0; version < 2; version++) {
            lf_status st = version ? lf_op_apply_reference(&op, in, ih, iw, out, 4096, &h, &w, &err)
                                   : lf_op_apply(&op, in, ih, iw, out, 4096, &h, &w, &err);
            assert_int_equal(st, LF_OK);
            if (h != eh || w != ew)
                fail_msg("%s:%s stride %d %s repeat %d: %dx%d, SciPy %dx%d", kind, window, stride,
                         padding, repeat, h, w, eh, ew);
            for (int i = 0; i < h * w; i++)
                if (fabs(out[i] - expected[i]) > 1e-4 * (1 + fabs(expected[i])))
                    fail_msg("%s:%s stride %d %s repeat %d (%s): value %d is %.7g, SciPy %.7g",
                             kind, window, stride, padding, repeat, version ? "reference" : "fast",
                             i, out[i], expected[i]);
        }
        free(expected);
        cases++;
    }
    fclose(f);
    free(in);
    assert_true(cases >= 60);
}

/* lf_op_apply_work with exactly lf_op_work_bytes of scratch, at any
 * alignment, gives lf_op_apply's result bit for bit, for every kind of
 * operation with random windows, strides, repeats and paddings, and writes
 * nothing past the scratch or the result; one byte less is refused before
 * anything is written. */
static void test_work_matches_apply(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 19);
    enum { MAXS = 24, GUARD = 64 };
    float in[MAXS * MAXS], expected[MAXS * MAXS], out[MAXS * MAXS + GUARD], kernel[49];
    int checked[LF_OP_GRADIENT + 1] = {0};
    for (int kind = LF_OP_KERNEL; kind <= LF_OP_GRADIENT; kind++)
        for (int trial = 0; trial < 60; trial++) {
            int h = 1 + (int)(lf_rng_uniform(&rng) * MAXS);
            int w = 1 + (int)(lf_rng_uniform(&rng) * MAXS);
            tu_fill_uniform(in, (size_t)(h * w), &rng, -1, 1);
            lf_op op = {.kind = (lf_op_kind)kind};
            op.window = lf_rng_uniform(&rng) < 0.25 ? LF_WINDOW_PLUS : LF_WINDOW_SQUARE;
            op.size = 1 + (int)(lf_rng_uniform(&rng) * 7);
            op.stride = 1 + (int)(lf_rng_uniform(&rng) * 3);
            op.repeat = 1 + (int)(lf_rng_uniform(&rng) * 3);
            op.padding = lf_rng_uniform(&rng) < 0.5 ? LF_PADDING_SAME : LF_PADDING_VALID;
            if (lf_op_uses_kernel(&op)) {
                op.kernel_h = 1 + (int)(lf_rng_uniform(&rng) * 7);
                op.kernel_w = kind == LF_OP_GRADIENT ? op.kernel_h
                                                     : 1 + (int)(lf_rng_uniform(&rng) * 7);
                tu_fill_uniform(kernel, (size_t)(op.kernel_h * op.kernel_w), &rng, -1, 1);
                op.kernel = kernel;
            }
            int eh, ew, h2, w2;
            lf_op_output_size(&op, h, w, &eh, &ew);
            if (eh == 0)
                continue;
            lf_error err;
            assert_int_equal(lf_op_apply(&op, in, h, w, expected, MAXS * MAXS, &eh, &ew, &err),
                             LF_OK);
            const size_t bytes = lf_op_work_bytes(&op, h, w);
            assert_true(bytes > 0);
            /* the scratch at an odd offset, with a guard band after it */
            size_t offset = 1 + (size_t)(lf_rng_uniform(&rng) * 63);
            unsigned char *block = malloc(offset + bytes + GUARD);
            assert_non_null(block);
            memset(block, 0xA5, offset + bytes + GUARD);
            memset(out, 0x5A, sizeof out);
            /* one byte short: refused, the result untouched */
            assert_int_equal(lf_op_apply_work(&op, in, h, w, out, MAXS * MAXS, &h2, &w2,
                                              block + offset, bytes - 1, &err),
                             LF_ERR_ARGUMENT);
            assert_true(((unsigned char *)out)[0] == 0x5A);
            for (size_t i = 0; i < offset + bytes + GUARD; i++)
                assert_true(block[i] == 0xA5);
            /* the result fits exactly: the capacity is the result's size */
            assert_int_equal(lf_op_apply_work(&op, in, h, w, out, (size_t)(eh * ew), &h2, &w2,
                                              block + offset, bytes, &err),
                             LF_OK);
            assert_int_equal(h2, eh);
            assert_int_equal(w2, ew);
            assert_memory_equal(out, expected, sizeof(float) * (size_t)(eh * ew));
            for (size_t i = (size_t)(eh * ew) * sizeof(float); i < sizeof out; i++)
                assert_true(((unsigned char *)out)[i] == 0x5A);
            for (size_t i = 0; i < offset; i++)
                assert_true(block[i] == 0xA5);
            for (size_t i = offset + bytes; i < offset + bytes + GUARD; i++)
                assert_true(block[i] == 0xA5);
            /* the same scratch again (as a step reuses it): the same result */
            assert_int_equal(lf_op_apply_work(&op, in, h, w, out, (size_t)(eh * ew), &h2, &w2,
                                              block + offset, bytes, &err),
                             LF_OK);
            assert_memory_equal(out, expected, sizeof(float) * (size_t)(eh * ew));
            free(block);
            checked[kind]++;
        }
    for (int kind = LF_OP_KERNEL; kind <= LF_OP_GRADIENT; kind++)
        assert_true(checked[kind] >= 30);
    /* an invalid operation or an empty input needs no scratch */
    lf_op bad = {.kind = LF_OP_KERNEL};
    assert_int_equal(lf_op_work_bytes(&bad, 8, 8), 0);
    lf_op mean = {.kind = LF_OP_MEAN};
    assert_int_equal(lf_op_work_bytes(&mean, 0, 8), 0);
    lf_error err;
    int h, w;
    assert_int_equal(lf_op_apply_work(&mean, in, 8, 8, out, 64, &h, &w, NULL, 0, &err),
                     LF_ERR_ARGUMENT);
}

/* The 3x3 median has a path of its own (sorted columns inside the image,
 * selection at the border): exactly the reference's values on every size
 * from 1x1, with ties and without, stride and repeat, and with the side
 * left at its default. */
static void test_median3_exact(void **state)
{
    (void)state;
    lf_rng rng;
    lf_rng_seed(&rng, 23);
    enum { MAXS = 12 };
    float in[MAXS * MAXS], fast[MAXS * MAXS], ref[MAXS * MAXS];
    for (int h = 1; h <= MAXS; h++)
        for (int w = 1; w <= MAXS; w++)
            for (int variant = 0; variant < 4; variant++) {
                bool ties = variant & 1;
                for (int i = 0; i < h * w; i++)
                    in[i] = ties ? (float)(int)(lf_rng_uniform(&rng) * 3)
                                 : (float)lf_rng_uniform(&rng) * 2 - 1;
                lf_op op = {.kind = LF_OP_MEDIAN, .size = variant < 2 ? 3 : 0,
                            .stride = variant == 3 ? 2 : 1, .repeat = variant == 2 ? 2 : 1};
                int fh, fw, rh, rw;
                lf_error err;
                assert_int_equal(lf_op_apply(&op, in, h, w, fast, MAXS * MAXS, &fh, &fw, &err),
                                 LF_OK);
                assert_int_equal(
                    lf_op_apply_reference(&op, in, h, w, ref, MAXS * MAXS, &rh, &rw, &err), LF_OK);
                assert_int_equal(fh, rh);
                assert_int_equal(fw, rw);
                for (int i = 0; i < fh * fw; i++)
                    if (fast[i] != ref[i])
                        fail_msg("3x3 median on %dx%d (variant %d): output %d is %g, reference %g",
                                 h, w, variant, i, fast[i], ref[i]);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slides_lens),
        cmocka_unit_test(test_slides_step_edge),
        cmocka_unit_test(test_output_size),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_fast_matches_reference),
        cmocka_unit_test(test_large_windows),
        cmocka_unit_test(test_against_scipy),
        cmocka_unit_test(test_work_matches_apply),
        cmocka_unit_test(test_median3_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
