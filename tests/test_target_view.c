/*
 * test_target_view.c: the window's hooks for an operation as the target.
 *
 * A snapshot learning an operation, with its best filter (best.values > 0),
 * retitles the reference panels and gives the chart its floor; with input
 * noise and a kernel, the kernel's best filter gives the floor but the
 * titles stay; one without draws as before. The
 * floor is drawn on a software renderer and found in the pixels at the
 * height the loss axis puts it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "layout.h"
#include "setup.h"
#include "target_view.h"

static void test_titles_and_floor(void **state)
{
    (void)state;
    static lf_snapshot s; /* two kernels: not on the stack */
    memset(&s, 0, sizeof s);
    assert_false(target_view_active(&s));
    assert_string_equal(target_view_title(&s, LAYOUT_TRUE, "True kernel"), "True kernel");
    assert_true(isnan(target_view_floor(&s)));
    s.best.values = 1000;
    s.best.loss = 2.5e-4;
    /* A kernel with noisy inputs: a floor, the kernel's titles. */
    assert_false(target_view_active(&s));
    assert_string_equal(target_view_title(&s, LAYOUT_TRUE, "True kernel"), "True kernel");
    assert_true(target_view_floor(&s) == 2.5e-4);
    s.learning_operation = true;
    assert_true(target_view_active(&s));
    assert_string_equal(target_view_title(&s, LAYOUT_TRUE, "True kernel"), "Best linear filter");
    assert_string_equal(target_view_title(&s, LAYOUT_DIFF, "x"), "Learned \xe2\x88\x92 best");
    assert_string_equal(target_view_title(&s, LAYOUT_LEARNED, "Learned weights"),
                        "Learned weights");
    assert_true(target_view_floor(&s) == 2.5e-4);
}

static void test_floor_is_drawn_where_the_axis_puts_it(void **state)
{
    (void)state;
    SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormat(0, 200, 120, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(surface);
    SDL_Renderer *R = SDL_CreateSoftwareRenderer(surface);
    assert_non_null(R);
    text_ctx *text = text_create(R, app_assets_dir(), 1.0f, NULL);
    assert_non_null(text);
    static lf_snapshot s;
    memset(&s, 0, sizeof s);
    s.best.values = 1;
    s.best.loss = 1e-2; /* on an axis 1e-4 .. 1e0: exactly half way */
    chart_style st = {.scale = 1, .text = {255, 255, 255, 255}};
    SDL_SetRenderDrawColor(R, 0, 0, 0, 255);
    SDL_RenderClear(R);
    SDL_Rect plot = {0, 0, 200, 101};
    target_view_draw_floor(R, text, &st, plot, -4, 0, &s);
    SDL_RenderPresent(R);
    const uint32_t *px = surface->pixels;
    int pitch = surface->pitch / 4;
    int lit = 0;
    for (int x = 0; x < 120; x++) /* left of the label */
        lit += (px[50 * pitch + x] & 0xff) > 100;
    assert_true(lit > 40 && lit < 100); /* dashed: more than half, not all */
    for (int x = 0; x < 120; x++)
        assert_true((px[70 * pitch + x] & 0xff) == 0);
    /* Without a floor, nothing. */
    SDL_SetRenderDrawColor(R, 0, 0, 0, 255);
    SDL_RenderClear(R);
    s.best.values = 0;
    target_view_draw_floor(R, text, &st, plot, -4, 0, &s);
    SDL_RenderPresent(R);
    for (int x = 0; x < 200; x++)
        assert_true((px[50 * pitch + x] & 0xff) == 0);
    text_destroy(text);
    SDL_DestroyRenderer(R);
    SDL_FreeSurface(surface);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_titles_and_floor),
        cmocka_unit_test(test_floor_is_drawn_where_the_axis_puts_it),
    };
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return 1;
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return failed;
}
