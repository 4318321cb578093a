/*
 * test_lens.c: the lens (lens.h) against the operations' reference
 * (ops.h) at every position of every kind of window, padding and stride,
 * and against the slides' own worked numbers, worked out by hand here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learnfilter/lens.h"
#include "learnfilter/ops.h"
#include "learnfilter/rng.h"

enum { H = 9, W = 11 };

/* Integers 0..9 (so windows hold ties) and one half, so means are not all
 * whole or thirds. */
static void make_input(float *in)
{
    lf_rng rng;
    lf_rng_seed(&rng, 5);
    for (int i = 0; i < H * W; i++)
        in[i] = (float)lf_rng_below(&rng, 10);
    in[4 * W + 5] = 0.5f;
}

static uint32_t bits(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* Every position of one operation: the lens's number is the reference's
 * to the bit, the cells taking part are the ones a person would count, and
 * a max, min or median points at a cell holding the result. */
static void check_every_position(const lf_op *op, const float *in)
{
    float ref[H * W];
    int rh, rw, lh, lw;
    lf_error err;
    assert_int_equal(lf_op_apply_reference(op, in, H, W, ref, H * W, &rh, &rw, &err), LF_OK);
    lf_lens_output_size(op, H, W, &lh, &lw);
    assert_int_equal(lh, rh);
    assert_int_equal(lw, rw);
    for (int oy = 0; oy < rh; oy++)
        for (int ox = 0; ox < rw; ox++) {
            lf_lens_cell cells[LF_LENS_MAX_CELLS];
            lf_lens_step s;
            assert_int_equal(lf_lens_explain(op, in, H, W, oy, ox, cells, LF_LENS_MAX_CELLS, &s,
                                             &err),
                             LF_OK);
            assert_int_equal(bits(s.result), bits(ref[oy * rw + ox]));
            int inside = 0, picked = 0;
            for (int i = 0; i < s.cell_count; i++) {
                const lf_lens_cell *c = &cells[i];
                bool in_image = c->y >= 0 && c->y < H && c->x >= 0 && c->x < W;
                assert_int_equal(c->inside, c->in_lens && in_image);
                if (in_image)
                    assert_true(c->value == in[c->y * W + c->x]);
                inside += c->inside;
                if (c->picked) {
                    picked++;
                    assert_true(c->inside);
                    assert_true(c->value == s.result);
                }
            }
            assert_int_equal(inside, s.taking_part);
            bool picks = op->kind == LF_OP_MAX || op->kind == LF_OP_MIN ||
                         op->kind == LF_OP_MEDIAN;
            assert_int_equal(picked, picks ? 1 : 0);
            if (op->kind == LF_OP_MEDIAN) {
                /* The ranks are 0..n-1 once each, in value order. */
                int seen[LF_LENS_MAX_CELLS] = {0};
                for (int i = 0; i < s.cell_count; i++)
                    if (cells[i].inside) {
                        assert_in_range(cells[i].rank, 0, inside - 1);
                        seen[cells[i].rank]++;
                        for (int j = 0; j < s.cell_count; j++)
                            if (cells[j].inside && cells[j].rank > cells[i].rank)
                                assert_true(cells[j].value >= cells[i].value);
                    }
                for (int r = 0; r < inside; r++)
                    assert_int_equal(seen[r], 1);
            }
        }
}

static void test_every_operation_matches_the_reference(void **state)
{
    (void)state;
    float in[H * W];
    make_input(in);
    static const float line[9] = {-1, 2, -1, -1, 2, -1, -1, 2, -1};
    static const float odd[6] = {1, -2, 0.5f, 3, 0.25f, -1}; /* 2x3: uneven reach */
    for (int kind = LF_OP_KERNEL; kind <= LF_OP_MEDIAN; kind++)
        for (int shape = 0; shape < 7; shape++)
            for (int padding = 0; padding < 2; padding++)
                for (int stride = 1; stride <= 3; stride++) {
                    lf_op op = {.kind = (lf_op_kind)kind,
                                .stride = stride,
                                .padding = padding ? LF_PADDING_VALID : LF_PADDING_SAME};
                    if (kind == LF_OP_KERNEL) {
                        if (shape > 1)
                            continue;
                        op.kernel = shape ? odd : line;
                        op.kernel_h = shape ? 2 : 3;
                        op.kernel_w = 3;
                    } else if (shape == 6) {
                        op.window = LF_WINDOW_PLUS;
                    } else {
                        op.size = shape + 1; /* 1..6: odd and even sides */
                    }
                    check_every_position(&op, in);
                }
}

/* Explains the slides' grid at one position and returns the text. */
static lf_lens_step explain(const char *grid_name, const lf_op *op, int y, int x, char *text,
                            size_t capacity)
{
    const lf_grid *g = lf_grid_find(grid_name);
    assert_non_null(g);
    lf_lens_cell cells[LF_LENS_MAX_CELLS];
    lf_lens_step s;
    lf_error err;
    assert_int_equal(lf_lens_explain(op, g->values, g->height, g->width, y, x, cells,
                                     LF_LENS_MAX_CELLS, &s, &err),
                     LF_OK);
    lf_lens_arithmetic(op, cells, LF_LENS_MAX_CELLS, &s, text, capacity);
    return s;
}

/* The slides' plus-shaped lens on grid A at (1, 1): centre 8, up 5,
 * down 9, left 6, right 9. */
static void test_slides_grid_a(void **state)
{
    (void)state;
    char text[256];
    lf_op sum = {.kind = LF_OP_SUM, .window = LF_WINDOW_PLUS};
    lf_lens_step s = explain("grid-a", &sum, 1, 1, text, sizeof text);
    assert_true(s.result == 37.0f);
    assert_string_equal(text, "5 + 6 + 8 + 9 + 9 = 37");
    lf_op max = {.kind = LF_OP_MAX, .window = LF_WINDOW_PLUS};
    explain("grid-a", &max, 1, 1, text, sizeof text);
    assert_string_equal(text, "max(5, 6, 8, 9, 9) = 9");
    /* At the corner only three cells are inside: 2, 5 and 6. */
    s = explain("grid-a", &sum, 0, 0, text, sizeof text);
    assert_int_equal(s.taking_part, 3);
    assert_string_equal(text, "2 + 5 + 6 = 13");
    /* On the top edge four: 5, 2, 1 and 8; the lower middle of an even
     * count is 2, where a mean of the two middles would say 3.5. */
    lf_op median = {.kind = LF_OP_MEDIAN, .window = LF_WINDOW_PLUS};
    s = explain("grid-a", &median, 0, 1, text, sizeof text);
    assert_true(s.result == 2.0f);
    assert_string_equal(text, "sorted 1 2 5 8: lower middle = 2");
}

static void test_slides_grid_b_and_c(void **state)
{
    (void)state;
    char text[256];
    lf_op median = {.kind = LF_OP_MEDIAN, .window = LF_WINDOW_PLUS};
    /* Grid B at (1, 1): up 2, left 3, centre 2, right 1, down 0. */
    lf_lens_step s = explain("grid-b", &median, 1, 1, text, sizeof text);
    assert_string_equal(text, "sorted 0 1 2 2 3: middle = 2");
    assert_true(s.result == 2.0f);
    /* Grid C's mean at its corner divides by the three cells inside. */
    lf_op mean = {.kind = LF_OP_MEAN, .window = LF_WINDOW_PLUS};
    explain("grid-c", &mean, 1, 1, text, sizeof text);
    assert_string_equal(text, "(0 + 0 + 0 + 1 + 1) / 5 = 0.4");
    explain("grid-c", &mean, 0, 0, text, sizeof text);
    assert_string_equal(text, "(0 + 0 + 0) / 3 = 0");
    /* Dilation: max over the lens grows the shape by one cell. */
    lf_op max = {.kind = LF_OP_MAX, .window = LF_WINDOW_PLUS};
    s = explain("grid-c", &max, 0, 2, text, sizeof text);
    assert_true(s.result == 1.0f);
    s = explain("grid-c", &max, 0, 0, text, sizeof text);
    assert_true(s.result == 0.0f);
}

/* The 8x8 step and the edge kernel [-1 0 1] without padding: an 8x6
 * result, 4 where the window straddles the step, 0 elsewhere. */
static void test_slides_step_edge(void **state)
{
    (void)state;
    static const float edge[3] = {-1, 0, 1};
    lf_op op = {.kind = LF_OP_KERNEL, .kernel = edge, .kernel_h = 1, .kernel_w = 3,
                .padding = LF_PADDING_VALID};
    const lf_grid *g = lf_grid_find("STEP-8");
    assert_non_null(g);
    int oh, ow;
    lf_lens_output_size(&op, g->height, g->width, &oh, &ow);
    assert_int_equal(oh, 8);
    assert_int_equal(ow, 6);
    static const float expected[6] = {0, 0, 4, 4, 0, 0};
    char text[256];
    for (int x = 0; x < 6; x++) {
        lf_lens_step s = explain("step-8", &op, 5, x, text, sizeof text);
        assert_true(s.result == expected[x]);
        assert_int_equal(s.centre_x, x + 1);
    }
    explain("step-8", &op, 0, 2, text, sizeof text);
    assert_string_equal(text, "1\xC3\x97(\xE2\x88\x92"
                              "1) + 1\xC3\x97"
                              "0 + 5\xC3\x97"
                              "1 = 4");
}

static void test_grids_are_the_slides(void **state)
{
    (void)state;
    int count;
    const lf_grid *all = lf_grids(&count);
    assert_int_equal(count, 4);
    assert_string_equal(all[0].name, "grid-a");
    assert_null(lf_grid_find("grid-z"));
    assert_null(lf_grid_find(NULL));
    /* Grid C is binary with eight white cells. */
    const lf_grid *c = lf_grid_find("grid-c");
    int ones = 0;
    for (int i = 0; i < c->height * c->width; i++) {
        assert_true(c->values[i] == 0.0f || c->values[i] == 1.0f);
        ones += c->values[i] == 1.0f;
    }
    assert_int_equal(ones, 8);
    /* Grid A's first and last rows as the slides print them. */
    const lf_grid *a = lf_grid_find("grid-a");
    static const float first[7] = {2, 5, 1, 3, 4, 8, 9}, last[7] = {7, 3, 4, 2, 4, 8, 6};
    assert_memory_equal(a->values, first, sizeof first);
    assert_memory_equal(a->values + 42, last, sizeof last);
}

static void test_refuses_what_it_cannot_show(void **state)
{
    (void)state;
    float in[H * W];
    make_input(in);
    lf_lens_cell cells[LF_LENS_MAX_CELLS];
    lf_lens_step s;
    lf_error err;
    lf_op big = {.kind = LF_OP_MEAN, .size = 11};
    assert_int_equal(lf_lens_explain(&big, in, H, W, 0, 0, cells, LF_LENS_MAX_CELLS, &s, &err),
                     LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "up to 9x9"));
    lf_op mean = {.kind = LF_OP_MEAN, .size = 3, .stride = 2};
    assert_int_equal(lf_lens_explain(&mean, in, H, W, 5, 0, cells, LF_LENS_MAX_CELLS, &s, &err),
                     LF_ERR_ARGUMENT); /* the output has 5 rows: 0..4 */
    assert_non_null(strstr(err.message, "outside the 5x6 output"));
    assert_int_equal(lf_lens_explain(&mean, in, H, W, 0, 0, cells, 8, &s, &err),
                     LF_ERR_ARGUMENT);
    /* A 9x9 kernel's text does not fit 40 bytes: cut with an ellipsis at
     * a character boundary, terminated, within capacity. */
    float ones[81];
    for (int i = 0; i < 81; i++)
        ones[i] = -1.5f;
    lf_op kernel = {.kind = LF_OP_KERNEL, .kernel = ones, .kernel_h = 9, .kernel_w = 9};
    assert_int_equal(lf_lens_explain(&kernel, in, H, W, 4, 5, cells, LF_LENS_MAX_CELLS, &s, &err),
                     LF_OK);
    char text[40];
    memset(text, 'x', sizeof text);
    size_t n = lf_lens_arithmetic(&kernel, cells, LF_LENS_MAX_CELLS, &s, text, sizeof text);
    assert_true(n < sizeof text);
    assert_int_equal(strlen(text), n);
    assert_string_equal(text + n - 3, "\xE2\x80\xA6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_operation_matches_the_reference),
        cmocka_unit_test(test_slides_grid_a),
        cmocka_unit_test(test_slides_grid_b_and_c),
        cmocka_unit_test(test_slides_step_edge),
        cmocka_unit_test(test_grids_are_the_slides),
        cmocka_unit_test(test_refuses_what_it_cannot_show),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
