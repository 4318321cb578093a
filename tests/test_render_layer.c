/*
 * test_render_layer.c: a convolution layer's table drawn into a surface
 * (the window's renderer on a software renderer), pixel by pixel against
 * what the data says, worked out here:
 *
 * - a feature map and its target show each value's colour on the target's
 *   scale (gray over the target's range), values beyond it the scale's
 *   ends, and NaN the colormap's NaN colour, not the low end: a diverged
 *   layer is flagged, not drawn as a dark map;
 * - every pixel of a fitted image shows its nearest source pixel
 *   (row (y - top) * h / height, column (x - left) * w / width), the rest
 *   of its square panel-coloured; the sample patch shows R, G, B on [0, 1];
 * - a frame given to the renderer is drawn even when its serial repeats
 *   one drawn before and the random-filters view was up in between.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "layer_layout.h"
#include "layout.h"
#include "learnfilter/colormap.h"
#include "render.h"
#include "render_internal.h"
#include "test_offscreen.h"

#define W 1280
#define H 720
#define FILTERS 2
#define CHANNELS 3
#define IN_SIDE 20
#define OUT_H 12 /* not square: the maps are fitted with bands of panel above and below */
#define OUT_W 16

typedef struct fixture {
    to_view v;
    worker_images images;
    float input[CHANNELS * IN_SIDE * IN_SIDE];
    float maps[FILTERS * OUT_H * OUT_W];
    float targets[FILTERS * OUT_H * OUT_W];
    layer_layout LL; /* where the window puts the table at this size */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    to_open(&f->v, W, H, 1.0f, "sobel-x", WORKER_PAUSED);
    worker_frame *fr = &f->v.frame;
    fr->layer = (worker_layer){.active = true, .filters = FILTERS, .channels = CHANNELS,
                               .k_height = 3, .k_width = 3, .stride = 1, .pool = 1};
    for (int i = 0; i < FILTERS * CHANNELS * 9; i++) {
        fr->snap.target.weights[i] = (float)((i % 7) - 3) / 3.0f;
        fr->layer.learned[i] = -0.9f;
    }
    fr->serial = 1;
    /* The sample: three different ramps on [0, 1], a little beyond at the ends. */
    for (int c = 0; c < CHANNELS; c++)
        for (int y = 0; y < IN_SIDE; y++)
            for (int x = 0; x < IN_SIDE; x++)
                f->input[(c * IN_SIDE + y) * IN_SIDE + x] =
                    c == 0 ? x / 18.0f - 0.05f : c == 1 ? y / 19.0f : (x + y) / 38.0f;
    /* Filter 1's target runs over [0, 1] (a gray scale from 0 to 1); its map
     * runs from -0.5 to 1.5 (both ends clamped), with NaN in a block. */
    for (int y = 0; y < OUT_H; y++)
        for (int x = 0; x < OUT_W; x++) {
            int i = y * OUT_W + x;
            f->targets[i] = (float)i / (OUT_H * OUT_W - 1);
            f->maps[i] = -0.5f + 2.0f * (float)((x * 7 + y * 5) % 23) / 22.0f;
            if (y >= 4 && y < 7 && x >= 3 && x < 9)
                f->maps[i] = NAN;
            f->targets[OUT_H * OUT_W + i] = sinf(0.5f * (float)i);
            f->maps[OUT_H * OUT_W + i] = cosf(0.3f * (float)i);
        }
    f->images.serial = 1;
    f->images.layer = (worker_layer_images){.has = true, .channels = CHANNELS,
                                            .in_height = IN_SIDE, .in_width = IN_SIDE,
                                            .filters = FILTERS, .out_height = OUT_H,
                                            .out_width = OUT_W,
                                            .in_capacity = CHANNELS * IN_SIDE * IN_SIDE,
                                            .out_capacity = OUT_H * OUT_W,
                                            .input = f->input, .maps = f->maps,
                                            .targets = f->targets};
    layer_layout_compute(&f->LL, layer_layout_content(&f->v.L), FILTERS, CHANNELS, 1.0f);
    assert_true(f->LL.side > 0 && f->LL.input.w > 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    to_close(&f->v);
    free(f);
    return 0;
}

static void draw(fixture *f, bool random_filters)
{
    render_view v = {.frame = &f->v.frame, .images = &f->images, .fps = 60,
                     .layer_x = random_filters};
    render_draw(f->v.view, &f->v.L, &v);
    SDL_RenderFlush(f->v.renderer);
}

static SDL_Color pixel(const fixture *f, int x, int y) { return to_pixel(&f->v, x, y); }

static bool near(SDL_Color got, lf_rgb want, int tolerance)
{
    return abs(got.r - want.r) <= tolerance && abs(got.g - want.g) <= tolerance &&
           abs(got.b - want.b) <= tolerance;
}

/* Every pixel of square `rect` against the h x w image `src` on the gray
 * scale [0, 1]; returns how many pixels were NaN's colour. */
static int check_map(const fixture *f, layout_rect rect, const float *src, int h, int w)
{
    layout_rect shown = render_image_rect(rect, h, w);
    assert_true(shown.w >= w && shown.h >= h && shown.h < rect.h);
    SDL_Color panel = render_color_panel;
    lf_rgb nan_colour = lf_colormap_nan();
    int nans = 0, wrong = 0;
    for (int y = rect.y; y < rect.y + rect.h; y++)
        for (int x = rect.x; x < rect.x + rect.w; x++) {
            SDL_Color got = pixel(f, x, y);
            lf_rgb want = {panel.r, panel.g, panel.b};
            int tolerance = 0;
            if (y == shown.y - 1 || y == shown.y + shown.h)
                continue; /* the outline around the image */
            if (y >= shown.y && y < shown.y + shown.h) {
                float v = src[(y - shown.y) * h / shown.h * w + (x - shown.x) * w / shown.w];
                if (isnan(v)) {
                    want = nan_colour;
                    nans++;
                } else {
                    want = lf_colormap_gray(v < 0 ? 0 : v > 1 ? 1 : v);
                    tolerance = 1; /* the renderer's lookup table has 4096 levels */
                }
            }
            if (!near(got, want, tolerance) && wrong++ < 5)
                print_message("pixel %d,%d: drawn %d %d %d, want %d %d %d\n", x, y, got.r, got.g,
                              got.b, want.r, want.g, want.b);
        }
    assert_int_equal(wrong, 0);
    return nans;
}

static void test_maps_show_their_values_and_nan(void **state)
{
    fixture *f = *state;
    draw(f, false);
    /* 3 x 6 NaN source pixels, each some whole screen pixels. */
    int nans = check_map(f, f->LL.map[0], f->maps, OUT_H, OUT_W);
    layout_rect shown = render_image_rect(f->LL.map[0], OUT_H, OUT_W);
    assert_true(nans >= 18 * (shown.w / OUT_W) * (shown.h / OUT_H));
    assert_int_equal(check_map(f, f->LL.target[0], f->targets, OUT_H, OUT_W), 0);
}

static void test_sample_patch_in_its_colours(void **state)
{
    fixture *f = *state;
    draw(f, false);
    layout_rect rect = f->LL.input;
    layout_rect shown = render_image_rect(rect, IN_SIDE, IN_SIDE);
    const int area = IN_SIDE * IN_SIDE;
    int wrong = 0;
    /* Inside its outline, which is drawn on the square's edge. */
    for (int y = shown.y + 1; y < shown.y + shown.h - 1; y++)
        for (int x = shown.x + 1; x < shown.x + shown.w - 1; x++) {
            int i = (y - shown.y) * IN_SIDE / shown.h * IN_SIDE + (x - shown.x) * IN_SIDE / shown.w;
            int want[3];
            for (int c = 0; c < 3; c++) {
                float v = f->input[c * area + i];
                want[c] = (int)lroundf((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
            }
            SDL_Color got = pixel(f, x, y);
            if ((got.r != want[0] || got.g != want[1] || got.b != want[2]) && wrong++ < 5)
                print_message("pixel %d,%d: drawn %d %d %d, want %d %d %d\n", x, y, got.r, got.g,
                              got.b, want[0], want[1], want[2]);
        }
    assert_int_equal(wrong, 0);
}

/* The centre of the first learned square's first cell. */
static SDL_Color first_cell(const fixture *f)
{
    layout_rect g = layout_grid_fit(f->LL.learned[0][0], 3, 3);
    return pixel(f, g.x + g.w / 6, g.y + g.h / 6);
}

static void test_a_frame_given_is_drawn_whatever_its_serial(void **state)
{
    fixture *f = *state;
    draw(f, false);
    SDL_Color before = first_cell(f);
    assert_true(before.b > before.r + 50); /* -0.9: blue */
    /* A new frame with the serial of the last, while the random filters
     * are up; then back to the table. */
    for (int i = 0; i < FILTERS * CHANNELS * 9; i++)
        f->v.frame.layer.learned[i] = 0.9f;
    render_update_frame(f->v.view, &f->v.frame);
    draw(f, true);
    draw(f, false);
    SDL_Color after = first_cell(f);
    assert_true(after.r > after.b + 50); /* +0.9: red */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_maps_show_their_values_and_nan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sample_patch_in_its_colours, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_frame_given_is_drawn_whatever_its_serial, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
