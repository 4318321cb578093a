/*
 * test_layout.c: the window geometry for many sizes and scales.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "layout.h"

#define INPUT_SCALE_STEP_FOR_TEST 1.25f /* Ctrl + (input.h), without SDL here */

static bool inside(layout_rect inner, layout_rect outer)
{
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
           inner.y + inner.h <= outer.y + outer.h;
}

static bool overlap(layout_rect a, layout_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static void check_layout(int width, int height, float scale)
{
    layout L;
    layout_compute(&L, width, height, scale);
    layout_rect screen = {0, 0, width, height};
    layout_rect blocks[LAYOUT_PANEL_COUNT + 3];
    int n = 0;
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++) {
        const layout_panel *p = &L.panels[i];
        assert_true(p->plot.w >= 0 && p->plot.h >= 0);
        assert_int_equal(p->plot.w, p->plot.h); /* square */
        assert_true(inside(p->plot, p->frame));
        assert_true(inside(p->colorbar, p->frame));
        assert_true(inside(p->caption, p->frame) || p->caption.w == 0);
        assert_true(p->colorbar.x >= p->plot.x + p->plot.w); /* bar right of the plot */
        assert_true(inside(p->frame, screen));
        blocks[n++] = p->frame;
    }
    blocks[n++] = L.status;
    blocks[n++] = L.chart;
    blocks[n++] = L.footer;
    for (int i = 0; i < n; i++) {
        assert_true(inside(blocks[i], screen));
        for (int j = i + 1; j < n; j++)
            if (blocks[i].w > 0 && blocks[j].w > 0 && blocks[i].h > 0 && blocks[j].h > 0)
                assert_false(overlap(blocks[i], blocks[j]));
    }
}

static void test_no_overlaps_at_common_sizes(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1280, 720}, {1920, 1080}, {3840, 2160}, {1024, 768},
                                   {800, 1000}, {480, 320},   {640, 480},   {2560, 1080}};
    static const float scales[] = {0.75f, 1.0f, 1.5f, 2.0f, 3.0f};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++)
            check_layout(sizes[s][0], sizes[s][1], scales[k]);
    check_layout(0, 0, 1.0f);
    check_layout(10, 5000, 1.0f);
}

static void test_usable_sizes_at_1280x720(void **state)
{
    (void)state;
    layout L;
    layout_compute(&L, 1280, 720, 1.0f);
    assert_false(L.three_rows);
    /* Kernels and images big enough to read, the chart wide enough. */
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++)
        assert_true(L.panels[i].plot.w >= 200);
    assert_true(L.chart.w >= 250);
    /* Kernels in the top row, images below. */
    assert_true(L.panels[LAYOUT_LEARNED].plot.y < L.panels[LAYOUT_INPUT].plot.y);
    assert_int_equal(L.panels[LAYOUT_LEARNED].plot.y, L.panels[LAYOUT_DIFF].plot.y);
    /* All seven panels at scale 1; a bigger UI scale gives up panels
     * (learned − true first) rather than kernel size: the kernel's cells
     * still hold a value at value_px. */
    assert_int_equal(L.arrangement, LAYOUT_ALL);
    assert_int_equal(L.value_px, LAYOUT_VALUE_PX);
    for (float scale = 1.0f; scale <= 3.0f; scale *= INPUT_SCALE_STEP_FOR_TEST) {
        layout big;
        layout_compute(&big, 1280, 720, scale);
        assert_int_equal(big.value_px, L.value_px); /* never from the scale */
        int cell = big.panels[LAYOUT_LEARNED].plot.w / 3;
        /* "−0.50" is 62 px wide at 20 px (DejaVu Sans). */
        assert_true(cell - LAYOUT_CELL_MARGIN >= 62);
        assert_true(big.panels[LAYOUT_TRUE].plot.w == big.panels[LAYOUT_LEARNED].plot.w);
        if (scale > 1.5f) /* the lesson scale and above */
            assert_true(big.arrangement > LAYOUT_ALL);
        if (big.arrangement >= LAYOUT_NO_DIFF)
            assert_int_equal(big.panels[LAYOUT_DIFF].frame.w, 0);
    }
    /* A 7x7 kernel gets larger kernel panels than a 3x3 at the same size. */
    layout seven;
    layout_compute_for(&seven, 1280, 720, 1.0f, 7);
    assert_true(seven.panels[LAYOUT_LEARNED].plot.w > L.panels[LAYOUT_LEARNED].plot.w);
    assert_true(seven.panels[LAYOUT_LEARNED].plot.w / 7 - LAYOUT_CELL_MARGIN >= 34); /* "−0.2" at 14 px */
    /* Tall windows stack three rows with the chart last. */
    layout tall;
    layout_compute(&tall, 800, 1200, 1.0f);
    assert_true(tall.three_rows);
    assert_true(tall.chart.y > tall.panels[LAYOUT_RESIDUAL].plot.y);
}

static void test_auto_scale(void **state)
{
    (void)state;
    assert_float_equal(layout_auto_scale(1280, 720), 1.0f, 1e-6);
    assert_float_equal(layout_auto_scale(2560, 1440), 2.0f, 1e-6);
    assert_float_equal(layout_auto_scale(3840, 1080), 1.5f, 1e-6); /* the short side rules */
    assert_true(layout_auto_scale(640, 360) < 1.0f);
    assert_true(layout_auto_scale(640, 360) >= LAYOUT_MIN_SCALE);
    assert_true(layout_auto_scale(100000, 100000) <= LAYOUT_MAX_SCALE);
    /* The cell values' size follows the window, not the scale. */
    assert_int_equal(layout_value_px(1280, 720), 20);
    assert_int_equal(layout_value_px(1920, 1080), 30);
    assert_int_equal(layout_value_px(3840, 1080), 30); /* the short side rules */
    assert_int_equal(layout_value_px(640, 360), LAYOUT_VALUE_MIN_PX);
    assert_int_equal(layout_value_px(7680, 4320), LAYOUT_VALUE_MAX_PX);
}

static void test_grid_fit_and_cells(void **state)
{
    (void)state;
    layout_rect area = {10, 20, 100, 90};
    layout_rect g = layout_grid_fit(area, 3, 3);
    assert_int_equal(g.w, 90); /* 30 px cells */
    assert_int_equal(g.h, 90);
    assert_int_equal(g.x, 15); /* centred */
    assert_int_equal(g.y, 20);
    int row, col;
    assert_true(layout_grid_cell(g, 3, 3, 15, 20, &row, &col));
    assert_int_equal(row, 0);
    assert_int_equal(col, 0);
    assert_true(layout_grid_cell(g, 3, 3, 15 + 59, 20 + 30, &row, &col));
    assert_int_equal(row, 1);
    assert_int_equal(col, 1);
    assert_true(layout_grid_cell(g, 3, 3, 15 + 89, 20 + 89, &row, &col));
    assert_int_equal(row, 2);
    assert_int_equal(col, 2);
    assert_false(layout_grid_cell(g, 3, 3, 14, 20, &row, &col));
    assert_false(layout_grid_cell(g, 3, 3, 15 + 90, 20, &row, &col));
    /* 32x32 in 231 px: 7 px cells, every cell the same size. */
    g = layout_grid_fit((layout_rect){0, 0, 231, 231}, 32, 32);
    assert_int_equal(g.w, 224);
    assert_int_equal(g.w % 32, 0);
    /* A 1x50 kernel: square cells in one row. */
    g = layout_grid_fit((layout_rect){0, 0, 231, 231}, 1, 50);
    assert_int_equal(g.w, 200);
    assert_int_equal(g.h, 4);
    /* Too small for a pixel per cell: clipped, never negative. */
    g = layout_grid_fit((layout_rect){0, 0, 20, 20}, 64, 64);
    assert_int_equal(g.w, 20);
    assert_int_equal(g.h, 20);
    g = layout_grid_fit((layout_rect){0, 0, 0, 0}, 3, 3);
    assert_int_equal(g.w, 0);
}

static void test_panel_at(void **state)
{
    (void)state;
    layout L;
    layout_compute(&L, 1280, 720, 1.0f);
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++) {
        layout_rect p = L.panels[i].plot;
        assert_int_equal(layout_panel_at(&L, p.x + p.w / 2, p.y + p.h / 2), i);
    }
    assert_int_equal(layout_panel_at(&L, 0, 0), -1);
    assert_int_equal(layout_panel_at(&L, L.chart.x + 5, L.chart.y + 5), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_overlaps_at_common_sizes),
        cmocka_unit_test(test_usable_sizes_at_1280x720),
        cmocka_unit_test(test_auto_scale),
        cmocka_unit_test(test_grid_fit_and_cells),
        cmocka_unit_test(test_panel_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
