/*
 * test_window_screenshot.c: the whole program's window, run for a few
 * frames with --screenshot, and the PNG it writes checked pixel by pixel.
 *
 * ctest runs it with SDL_VIDEODRIVER=dummy (no display at all) and, where
 * xvfb-run exists, again on a real X server under Xvfb.
 */
#define _DEFAULT_SOURCE /* mkstemps */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "layout.h"
#include "learnfilter/colormap.h"
#include "test_window_layout.h"
#include "test_window_util.h"

typedef struct shot {
    int w, h;
    unsigned char *rgba;
} shot;

/* Runs the window as the command line would and loads its screenshot;
 * with a layout_path, also writes its --layout-out there. */
static shot run_window_laid_out(const char *extra, const char *layout_path)
{
    char path[] = "/tmp/lf_test_window_XXXXXX.png";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    const char *args[8] = {"--frames", "20", "--screenshot", path, "--paused"};
    int n = 5;
    if (extra)
        args[n++] = extra;
    if (layout_path) {
        args[n++] = "--layout-out";
        args[n++] = layout_path;
    }
    assert_int_equal(tw_run(NULL, NULL, args, n), EXIT_OK);
    shot s;
    s.rgba = tw_load_png(path, &s.w, &s.h);
    unlink(path);
    return s;
}

static shot run_window(const char *extra) { return run_window_laid_out(extra, NULL); }

static void assert_pixel(const shot *s, int x, int y, int r, int g, int b, int tolerance)
{
    const unsigned char *p = s->rgba + ((size_t)y * s->w + x) * 4;
    if (abs(p[0] - r) > tolerance || abs(p[1] - g) > tolerance || abs(p[2] - b) > tolerance)
        fail_msg("pixel (%d, %d) is (%d, %d, %d), expected (%d, %d, %d)", x, y, p[0], p[1], p[2],
                 r, g, b);
}

static void test_screenshot_shows_the_true_kernel(void **state)
{
    (void)state;
    shot s = run_window(NULL);
    assert_int_equal(s.w, 1280);
    assert_int_equal(s.h, 720);
    assert_pixel(&s, 1, 1, 24, 26, 31, 2); /* the background */
    /* Paused at step 0 the weights are Glorot's (|w| < 0.58), so the shared
     * scale is +-2 and Sobel x's -2 is the deepest blue. */
    layout L;
    layout_compute(&L, s.w, s.h, layout_auto_scale(s.w, s.h));
    layout_rect grid = layout_grid_fit(L.panels[LAYOUT_TRUE].plot, 3, 3);
    int cell = grid.w / 3;
    lf_rgb blue = lf_colormap_diverging(-1), red = lf_colormap_diverging(1);
    assert_pixel(&s, grid.x + 3, grid.y + cell + 3, blue.r, blue.g, blue.b, 2);
    assert_pixel(&s, grid.x + 2 * cell + 3, grid.y + cell + 3, red.r, red.g, red.b, 2);
    /* The state badge, right-aligned in the status line, says paused. */
    assert_pixel(&s, L.status.x + L.status.w - 4, L.status.y + L.status.h / 2, 230, 180, 60, 2);
    /* The input panel shows a photograph: not one flat colour. */
    layout_rect in = L.panels[LAYOUT_INPUT].plot;
    const unsigned char *a = s.rgba + ((size_t)(in.y + in.h / 3) * s.w + in.x + in.w / 3) * 4;
    int differs = 0;
    for (int k = 0; k < in.w / 2; k++)
        differs += a[4 * k] != a[0];
    assert_true(differs > 0);
    stbi_image_free(s.rgba);
}

/* Whether every pixel of the rectangle in `help` is the same pixel of
 * `plain` under the overlay's black at 170/255: a third as bright. */
static bool darkened(const shot *plain, const shot *help, int x0, int y0, int x1, int y1)
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            for (int c = 0; c < 3; c++) {
                size_t i = ((size_t)y * plain->w + x) * 4 + c;
                if (abs(help->rgba[i] - (plain->rgba[i] * 85 + 127) / 255) > 3)
                    return false;
            }
    return true;
}

static void test_screenshot_with_help(void **state)
{
    (void)state;
    char layout_path[] = "/tmp/lf_test_help_XXXXXX.json";
    int fd = mkstemps(layout_path, 5);
    assert_true(fd >= 0);
    close(fd);
    shot plain = run_window(NULL);
    shot help = run_window_laid_out("--show-help", layout_path);
    assert_int_equal(help.w, plain.w);
    assert_int_equal(help.h, plain.h);
    static twl_layout L; /* large: not on the stack */
    twl_read(layout_path, &L);
    unlink(layout_path);
    const twl_panel *box = NULL;
    for (int i = 0; i < L.panel_count; i++)
        if (!strcmp(L.panels[i].name, "help"))
            box = &L.panels[i];
    if (!box)
        fail_msg("no help box in the layout");
    /* The overlay darkens the whole window around its centred box: every
     * strip along the four edges outside the box (status line and badge
     * above, the panels' edges beside, the buttons and footer below) is the
     * same picture at a third of its brightness. The box leaves the window
     * a margin on each side, and more than a sixth of the window lies
     * outside it (the key table has over thirty rows). */
    int w = plain.w, h = plain.h;
    int bx0 = box->x, by0 = box->y, bx1 = box->x + box->w, by1 = box->y + box->h;
    assert_true(bx0 > 0 && by0 > 0 && bx1 < w && by1 < h);
    assert_true((long)box->w * box->h < (long)w * h * 5 / 6);
    if (!darkened(&plain, &help, 0, 0, w, by0))
        fail_msg("the top of the window is not darkened by the help");
    if (!darkened(&plain, &help, 0, by1, w, h))
        fail_msg("the bottom of the window is not darkened by the help");
    if (!darkened(&plain, &help, 0, 0, bx0, h))
        fail_msg("the left of the window is not darkened by the help");
    if (!darkened(&plain, &help, bx1, 0, w, h))
        fail_msg("the right of the window is not darkened by the help");
    /* And the box itself is not the darkened picture: the help is on it. */
    assert_false(darkened(&plain, &help, w / 2 - 100, h / 2 - 100, w / 2 + 100, h / 2 + 100));
    stbi_image_free(plain.rgba);
    stbi_image_free(help.rgba);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screenshot_shows_the_true_kernel),
        cmocka_unit_test(test_screenshot_with_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
