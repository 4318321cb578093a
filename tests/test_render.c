/*
 * test_render.c: drawing into a surface through a software renderer, and
 * checking that the pixels say what the data says: a kernel cell has the
 * colour of its value, the colorbar runs from the top of the scale to the
 * bottom, image panels show their images on the documented scales.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "layout.h"
#include "learnfilter/colormap.h"
#include "render.h"
#include "render_internal.h"
#include "setup.h"
#include "test_offscreen.h"

typedef struct fixture {
    to_view v;
    worker_images images;
} fixture;

static const float learned_3x3[9] = {-1.5f, 0.25f, 1.0f, -2.0f, 0.0f, 2.0f, -0.5f, 0.1f, 1.9f};

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    to_open(&f->v, 1280, 720, 1.0f, "sobel-x", WORKER_PAUSED);
    memcpy(f->v.frame.snap.learned.weights, learned_3x3, sizeof learned_3x3);
    /* Input 0.25 everywhere; a target from -1 to 1 left to right; the
     * output equal to the target, so the residual is zero. */
    lf_snapshot *s = &f->images.snap;
    assert_int_equal(lf_snapshot_init(s, 64, NULL), LF_OK);
    s->has_images = true;
    s->in_height = s->in_width = s->out_height = s->out_width = 64;
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++) {
            s->input[y * 64 + x] = 0.25f;
            s->expected[y * 64 + x] = -1.0f + 2.0f * x / 63.0f;
            s->output[y * 64 + x] = s->expected[y * 64 + x];
        }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lf_snapshot_deinit(&f->images.snap);
    to_close(&f->v);
    free(f);
    return 0;
}

static SDL_Color pixel(const fixture *f, int x, int y) { return to_pixel(&f->v, x, y); }

static void assert_color(SDL_Color got, SDL_Color want, int tolerance)
{
    if (abs(got.r - want.r) > tolerance || abs(got.g - want.g) > tolerance ||
        abs(got.b - want.b) > tolerance)
        fail_msg("pixel (%d, %d, %d), expected (%d, %d, %d)", got.r, got.g, got.b, want.r, want.g,
                 want.b);
}

static void draw(fixture *f, bool help)
{
    render_update_frame(f->v.view, &f->v.frame);
    render_update_images(f->v.view, &f->images);
    render_view v = {.frame = &f->v.frame, .images = &f->images, .fps = 60, .show_help = help};
    render_draw(f->v.view, &f->v.L, &v);
    SDL_RenderFlush(f->v.renderer);
}

static void test_kernel_cells_have_the_colour_of_their_value(void **state)
{
    fixture *f = *state;
    draw(f, false);
    render_scale sc = render_panel_scale(f->v.view, LAYOUT_LEARNED);
    assert_int_equal(sc.map, RENDER_DIVERGING);
    assert_float_equal(sc.hi, 2.0, 1e-6); /* nice(max(|true|, |learned|)) = nice(2) */
    assert_float_equal(sc.lo, -2.0, 1e-6);
    for (int p = LAYOUT_LEARNED; p <= LAYOUT_DIFF; p++) {
        layout_rect grid = layout_grid_fit(f->v.L.panels[p].plot, 3, 3);
        int cell = grid.w / 3;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++) {
                int i = r * 3 + c;
                float value = p == LAYOUT_LEARNED ? learned_3x3[i]
                              : p == LAYOUT_TRUE  ? f->v.frame.snap.target.weights[i]
                                                  : learned_3x3[i] - f->v.frame.snap.target.weights[i];
                /* A few pixels in from the corner: clear of the grid line
                 * and of the printed value in the middle. */
                SDL_Color got = pixel(f, grid.x + c * cell + 3, grid.y + r * cell + 3);
                assert_color(got, render_color_of(sc, value), 0);
            }
    }
    /* The scale reads as documented: -2 is the deepest blue, +2 the deepest
     * red, 0 white. */
    layout_rect grid = layout_grid_fit(f->v.L.panels[LAYOUT_TRUE].plot, 3, 3);
    int cell = grid.w / 3;
    lf_rgb blue = lf_colormap_diverging(-1), red = lf_colormap_diverging(1);
    assert_color(pixel(f, grid.x + 3, grid.y + cell + 3), (SDL_Color){blue.r, blue.g, blue.b, 255},
                 0);
    assert_color(pixel(f, grid.x + 2 * cell + 3, grid.y + cell + 3),
                 (SDL_Color){red.r, red.g, red.b, 255}, 0);
    assert_color(pixel(f, grid.x + cell + 3, grid.y + 3), (SDL_Color){248, 248, 248, 255}, 0);
}

static void test_colorbar_runs_top_to_bottom(void **state)
{
    fixture *f = *state;
    draw(f, false);
    layout_rect bar = f->v.L.panels[LAYOUT_LEARNED].colorbar;
    lf_rgb top = lf_colormap_diverging(1), bottom = lf_colormap_diverging(-1);
    assert_color(pixel(f, bar.x + bar.w / 2, bar.y + 1), (SDL_Color){top.r, top.g, top.b, 255}, 3);
    assert_color(pixel(f, bar.x + bar.w / 2, bar.y + bar.h - 2),
                 (SDL_Color){bottom.r, bottom.g, bottom.b, 255}, 3);
    assert_color(pixel(f, bar.x + bar.w / 2, bar.y + bar.h / 2), (SDL_Color){248, 248, 248, 255},
                 12);
    /* The input's bar is gray: white on top, black at the bottom. */
    bar = f->v.L.panels[LAYOUT_INPUT].colorbar;
    assert_color(pixel(f, bar.x + bar.w / 2, bar.y + 1), (SDL_Color){255, 255, 255, 255}, 3);
    assert_color(pixel(f, bar.x + bar.w / 2, bar.y + bar.h - 2), (SDL_Color){0, 0, 0, 255}, 3);
}

static void test_image_panels(void **state)
{
    fixture *f = *state;
    draw(f, false);
    layout_rect in = f->v.L.panels[LAYOUT_INPUT].plot;
    assert_color(pixel(f, in.x + in.w / 2, in.y + in.h / 2), (SDL_Color){64, 64, 64, 255}, 1);
    /* Output and target share one scale: same pixels. The target crosses
     * zero, so the scale is diverging: blue on the left, red on the right. */
    render_scale so = render_panel_scale(f->v.view, LAYOUT_OUTPUT);
    render_scale st = render_panel_scale(f->v.view, LAYOUT_TARGET);
    assert_int_equal(so.map, RENDER_DIVERGING);
    assert_memory_equal(&so, &st, sizeof so);
    layout_rect out = f->v.L.panels[LAYOUT_OUTPUT].plot, target = f->v.L.panels[LAYOUT_TARGET].plot;
    for (int x = 2; x < out.w - 2; x += 17) {
        SDL_Color a = pixel(f, out.x + x, out.y + out.h / 2);
        SDL_Color b = pixel(f, target.x + x, target.y + target.h / 2);
        assert_color(a, b, 0);
    }
    SDL_Color left = pixel(f, out.x + 2, out.y + out.h / 2);
    SDL_Color right = pixel(f, out.x + out.w - 3, out.y + out.h / 2);
    assert_true(left.b > left.r + 50);
    assert_true(right.r > right.b + 50);
    /* Output == target: the residual is white everywhere. */
    layout_rect res = f->v.L.panels[LAYOUT_RESIDUAL].plot;
    for (int y = 2; y < res.h - 2; y += 23)
        for (int x = 2; x < res.w - 2; x += 23)
            assert_color(pixel(f, res.x + x, res.y + y), (SDL_Color){248, 248, 248, 255}, 1);
}

/* Draws the fixture's frame and images into a second renderer that has
 * drawn nothing before, and says whether every pixel matches the first. */
static bool same_as_a_fresh_draw(fixture *f)
{
    to_view fresh;
    to_open(&fresh, f->v.surface->w, f->v.surface->h, 1.0f, "sobel-x", WORKER_PAUSED);
    fresh.frame = f->v.frame;
    render_update_frame(fresh.view, &fresh.frame);
    render_update_images(fresh.view, &f->images);
    render_view v = {.frame = &fresh.frame, .images = &f->images, .fps = 60};
    render_draw(fresh.view, &fresh.L, &v);
    SDL_RenderFlush(fresh.renderer);
    bool same = true;
    for (int y = 0; y < f->v.surface->h && same; y++)
        same = memcmp((const Uint8 *)f->v.surface->pixels + y * f->v.surface->pitch,
                      (const Uint8 *)fresh.surface->pixels + y * fresh.surface->pitch,
                      (size_t)f->v.surface->w * 4) == 0;
    to_close(&fresh);
    return same;
}

/* A heatmap's texture is filled once per change of what it shows: a new
 * publication whose input, target and true kernel are as before fills
 * only the output, the residual, the learned kernel and the difference;
 * a frame with nothing new fills none. What is on screen stays exactly
 * what a renderer drawing everything afresh shows. */
static void test_textures_filled_once_per_change(void **state)
{
    fixture *f = *state;
    render_ctx *view = f->v.view;
    draw(f, false);
    long fills[LAYOUT_PANEL_COUNT];
    for (int p = 0; p < LAYOUT_PANEL_COUNT; p++) {
        fills[p] = render_texture_fills(view, (layout_panel_id)p);
        assert_int_equal(fills[p], 1);
    }
    /* The same frame and images drawn again (a redraw for the mouse, a
     * toast): no texture filled. */
    render_view v = {.frame = &f->v.frame, .images = &f->images, .fps = 60};
    render_draw(view, &f->v.L, &v);
    for (int p = 0; p < LAYOUT_PANEL_COUNT; p++)
        assert_int_equal(render_texture_fills(view, (layout_panel_id)p), fills[p]);
    /* The same again, published anew (as the worker does 120 times a second). */
    draw(f, false);
    for (int p = 0; p < LAYOUT_PANEL_COUNT; p++)
        assert_int_equal(render_texture_fills(view, (layout_panel_id)p), fills[p]);
    assert_true(same_as_a_fresh_draw(f));
    /* A training step: new weights, a new output. */
    f->v.frame.snap.learned.weights[4] = 0.5f;
    f->v.frame.serial++;
    for (int i = 0; i < 64 * 64; i++)
        f->images.snap.output[i] = 0.5f * f->images.snap.expected[i];
    f->images.serial++;
    draw(f, false);
    long want[LAYOUT_PANEL_COUNT];
    for (int p = 0; p < LAYOUT_PANEL_COUNT; p++)
        want[p] = fills[p] + (p == LAYOUT_LEARNED || p == LAYOUT_DIFF || p == LAYOUT_OUTPUT ||
                              p == LAYOUT_RESIDUAL);
    for (int p = 0; p < LAYOUT_PANEL_COUNT; p++)
        assert_int_equal(render_texture_fills(view, (layout_panel_id)p), want[p]);
    assert_true(same_as_a_fresh_draw(f));
    /* Another sample: a new input and target fill theirs again. */
    for (int i = 0; i < 64 * 64; i++) {
        f->images.snap.input[i] = 0.75f;
        f->images.snap.expected[i] = 2.0f * f->images.snap.expected[i];
    }
    f->images.serial++;
    draw(f, false);
    assert_int_equal(render_texture_fills(view, LAYOUT_INPUT), want[LAYOUT_INPUT] + 1);
    assert_int_equal(render_texture_fills(view, LAYOUT_TARGET), want[LAYOUT_TARGET] + 1);
    assert_int_equal(render_texture_fills(view, LAYOUT_TRUE), want[LAYOUT_TRUE]);
    assert_true(same_as_a_fresh_draw(f));
}

/* Pixels of the window in the rectangle whose three channels are all at
 * least level: light text on the dark overlay. */
static long bright_pixels(const fixture *f, int x0, int y0, int x1, int y1, int level)
{
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            SDL_Color c = pixel(f, x, y);
            n += c.r >= level && c.g >= level && c.b >= level;
        }
    return n;
}

/* The help darkens the whole window, not a corner, and writes its text on
 * it: light pixels in each part of the middle, where the darkened panels
 * alone have none. */
static void test_help_overlay_darkens(void **state)
{
    fixture *f = *state;
    draw(f, false);
    static SDL_Color before[9][9];
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++)
            before[i][j] = pixel(f, 1 + i * 1278 / 8, 1 + j * 718 / 8);
    draw(f, true);
    /* Every point that was lit (a panel, a picture) is darker now, but
     * for the few that fall on the help's own text; points of the dark
     * background may fall on the help's box, which is lighter than it. */
    int lit = 0, darker = 0;
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++) {
            int was = before[i][j].r + before[i][j].g + before[i][j].b;
            if (was < 3 * 100)
                continue;
            SDL_Color after = pixel(f, 1 + i * 1278 / 8, 1 + j * 718 / 8);
            lit++;
            darker += after.r + after.g + after.b < was;
        }
    assert_true(lit >= 12);
    assert_true(darker >= lit * 3 / 4);
    /* Text in the left and right halves of the middle of the window. */
    assert_true(bright_pixels(f, 160, 100, 640, 620, 200) > 300);
    assert_true(bright_pixels(f, 640, 100, 1120, 620, 200) > 300);
}

/* A missing font folder fails in the program's one error style: a status
 * and one line naming the font file. */
static void test_missing_fonts_named(void **state)
{
    (void)state;
    SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *renderer = SDL_CreateSoftwareRenderer(surface);
    lf_error err;
    render_ctx *view = render_create(renderer, "/nonexistent/fonts", 1.0f, 64, &err);
    assert_null(view);
    assert_int_equal(err.status, LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "/nonexistent/fonts/"));
    assert_null(strchr(err.message, '\n'));
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
}

static void test_value_formatting(void **state)
{
    (void)state;
    char s[32];
    render_format_value(s, sizeof s, -0.25, 2);
    assert_string_equal(s, "\xe2\x88\x92" "0.25");
    render_format_value(s, sizeof s, 1, 2);
    assert_string_equal(s, "1.00");
    render_format_value(s, sizeof s, 0.0589, 0.1); /* three digits of the range */
    assert_string_equal(s, "0.059");
    render_format_value(s, sizeof s, 0.0589, 0.06);
    assert_string_equal(s, "0.0589");
    render_format_value(s, sizeof s, -0.001, 2);
    assert_string_equal(s, "0.00"); /* no negative zero */
    render_format_value(s, sizeof s, NAN, 2);
    assert_string_equal(s, "NaN");
}

/* The status line's plain numbers: three significant digits in decimals,
 * e-notation only for the very small or large, counts with separators. */
static void test_plain_numbers(void **state)
{
    (void)state;
    char s[32];
    render_format_plain(s, sizeof s, 0.01);
    assert_string_equal(s, "0.01");
    render_format_plain(s, sizeof s, 0.018213);
    assert_string_equal(s, "0.0182");
    render_format_plain(s, sizeof s, 101.44);
    assert_string_equal(s, "101");
    render_format_plain(s, sizeof s, 55.54);
    assert_string_equal(s, "55.5");
    render_format_plain(s, sizeof s, 0.000266);
    assert_string_equal(s, "0.000266");
    render_format_plain(s, sizeof s, -0.25);
    assert_string_equal(s, "\xe2\x88\x92" "0.25");
    render_format_plain(s, sizeof s, 4.7e-5);
    assert_string_equal(s, "4.7e\xe2\x88\x92" "5");
    render_format_plain(s, sizeof s, NAN);
    assert_string_equal(s, "\xe2\x80\x94");
    count_format(s, sizeof s, 30695);
    assert_string_equal(s, "30,695");
    count_format(s, sizeof s, 999);
    assert_string_equal(s, "999");
    count_format(s, sizeof s, 1234567);
    assert_string_equal(s, "1,234,567");
}

int main(void)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kernel_cells_have_the_colour_of_their_value, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_colorbar_runs_top_to_bottom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_panels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_overlay_darkens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_textures_filled_once_per_change, setup, teardown),
        cmocka_unit_test(test_value_formatting),
        cmocka_unit_test(test_plain_numbers),
        cmocka_unit_test(test_missing_fonts_named),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return failed;
}
