/*
 * test_movie.c: kernel frames, and the headless run that films them.
 *
 * A frame must paint every cell of both heatmaps in the colour of its
 * weight on the fixed scale, the colorbar from +limit (red) at the top to
 * -limit (blue) at the bottom, and a title; the scale must be the rounded
 * one documented. A headless run with --gif must give one frame at the
 * start and one per epoch (or per --gif-every steps, plus where it
 * stopped), at 10 frames a second with the last held, looping unless told
 * not to; an unwritable --gif fails with exit code 3 before training.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "headless.h"
#include "layout.h"
#include "learnfilter/colormap.h"
#include "learnfilter/gif.h"
#include "movie.h"
#include "test_util.h"
#include "test_gif_read.h"

static void test_scale(void **state)
{
    (void)state;
    assert_float_equal(movie_scale_for(2.0f), 2.5f, 1e-6);   /* Sobel: 2.5 */
    assert_float_equal(movie_scale_for(0.0589f), 0.1f, 1e-6); /* smiley: 0.0736 -> 0.1 */
    assert_float_equal(movie_scale_for(0.7f), 1.0f, 1e-6);    /* 0.875 -> 1 */
    assert_float_equal(movie_scale_for(3.0f), 5.0f, 1e-6);    /* 3.75 -> 5 */
    assert_float_equal(movie_scale_for(0.0f), 1.0f, 1e-6);    /* all zeros still get a scale */
}

static void expect_color(const uint8_t *pixels, int stride, int x, int y, float value, float limit)
{
    /* The window's colormap, exactly: the movie draws with the same one. */
    lf_rgb c = lf_colormap_diverging(value / limit);
    uint8_t want[3] = {c.r, c.g, c.b};
    const uint8_t *p = pixels + (size_t)y * (size_t)stride + 4 * (size_t)x;
    /* A colorbar row stands for a value a hair inside its cell's: allow one
     * step of rounding per channel, far below any colour a wrong value gives. */
    if (abs(p[0] - want[0]) > 2 || abs(p[1] - want[1]) > 2 || abs(p[2] - want[2]) > 2)
        fail_msg("pixel (%d,%d) is %d,%d,%d; weight %g should be %d,%d,%d", x, y, p[0], p[1],
                 p[2], (double)value, want[0], want[1], want[2]);
}

static void test_frame_colors(void **state)
{
    (void)state;
    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, "sobel-x", 1, NULL), LF_OK);
    lf_error err;
    movie_options mo = {.target = &k, .footer = "footer"};
    movie *m = movie_create(&mo, &err);
    if (!m)
        fail_msg("%s", err.message);
    assert_int_equal(movie_width(m), 960);
    assert_int_equal(movie_height(m), 540);
    float limit = movie_limit(m);
    assert_float_equal(limit, 2.5f, 1e-6);
    /* Learned: a ramp across the scale, with one value beyond it. */
    float learned[9] = {-2.5f, -1.2f, -0.3f, 0.0f, 0.4f, 1.1f, 2.0f, 2.5f, 9.0f};
    int stride = 0;
    const uint8_t *px = movie_draw(m, learned, 9, "Epoch 7", "step 77", &stride);
    assert_non_null(px);
    assert_true(stride >= 4 * 960);
    movie_boxes b = movie_layout(m);
    const movie_box lr = b.learned, tr = b.target, bar = b.colorbar;
    assert_int_equal(lr.w, tr.w); /* the two heatmaps are the same size */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            /* Near each cell's corner, clear of the printed value and grid. */
            int lx = lr.x + lr.w * j / 3 + 4, ly = lr.y + lr.h * i / 3 + 4;
            expect_color(px, stride, lx, ly, fminf(learned[i * 3 + j], limit), limit);
            int tx = tr.x + tr.w * j / 3 + 4, ty = tr.y + tr.h * i / 3 + 4;
            expect_color(px, stride, tx, ty, k.weights[i * 3 + j], limit);
        }
    /* The colorbar: +limit at the top, -limit at the bottom, zero between. */
    int bx = bar.x + bar.w / 2;
    expect_color(px, stride, bx, bar.y, limit, limit);
    expect_color(px, stride, bx, bar.y + bar.h - 1, -limit, limit);
    expect_color(px, stride, bx, bar.y + bar.h / 2, 0.0f, limit);
    /* Ink in the title band, white margins at the corners. */
    int dark = 0;
    for (int y = 10; y < 50; y++)
        for (int x = 380; x < 580; x++)
            dark += px[(size_t)y * (size_t)stride + 4 * (size_t)x] < 100;
    assert_true(dark > 200);
    assert_int_equal(px[0], 255);
    assert_int_equal(px[3], 255);
    /* Fewer weights than cells: the cells past them show "no value" (the
     * NaN colour) and nothing is read past the four given. */
    float four[4] = {-2.5f, -1.2f, -0.3f, 0.0f};
    px = movie_draw(m, four, 4, "Epoch 8", NULL, &stride);
    expect_color(px, stride, lr.x + 4, lr.y + 4, four[0], limit);
    expect_color(px, stride, lr.x + lr.w * 2 / 3 + 4, lr.y + lr.h / 3 + 4, NAN, limit);
    movie_destroy(m);
}

static void test_large_kernel_frame(void **state)
{
    (void)state;
    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, "smiley", 1, NULL), LF_OK);
    movie_options mo = {.target = &k, .width = 640, .height = 360};
    movie *m = movie_create(&mo, NULL);
    assert_non_null(m);
    assert_float_equal(movie_limit(m), 0.1f, 1e-6);
    int stride;
    const uint8_t *px = movie_draw(m, k.weights, k.height * k.width, "Step 5", NULL, &stride);
    movie_boxes b = movie_layout(m);
    const movie_box lr = b.learned, tr = b.target;
    /* Learned = true: the two panels are pixel for pixel the same. */
    for (int y = 0; y < lr.h; y++)
        assert_memory_equal(px + (size_t)(lr.y + y) * (size_t)stride + 4 * (size_t)lr.x,
                            px + (size_t)(tr.y + y) * (size_t)stride + 4 * (size_t)tr.x,
                            4 * (size_t)lr.w);
    movie_destroy(m);
}

/* Runs the headless trainer on one small photograph with extra options. */
static int run_headless(const char *const *extra, int extra_count)
{
    const char *argv[32] = {"learnfilter", "--headless", "--size", "64", "--images",
                            LF_SOURCE_DATA_DIR "/camera.jpg"};
    int argc = 6;
    for (int i = 0; i < extra_count; i++)
        argv[argc++] = extra[i];
    cli_options o;
    char message[512];
    if (!cli_parse(argc, (char **)argv, &o, message, sizeof message))
        fail_msg("%s", message);
    return headless_run(&o);
}

static void test_headless_gif_per_epoch(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/sobel.gif", dir);
    const char *extra[] = {"--epochs", "3", "--gif", path};
    assert_int_equal(run_headless(extra, 4), EXIT_OK);
    gif_read_result r = gif_read(path, -1);
    assert_true(r.ok);
    assert_int_equal(r.frames, 4); /* epoch 0 (the start), 1, 2, 3 */
    assert_int_equal(r.width, 960);
    assert_int_equal(r.height, 540);
    assert_int_equal(r.delays[0], 10);
    assert_int_equal(r.delays[2], 10);
    assert_int_equal(r.delays[3], 200); /* the last frame holds */
    assert_int_equal(r.loop, 0);
    assert_int_equal(tu_count_entries(dir), 1);
    tu_remove_tree(dir);
}

static void test_headless_gif_every_steps(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/steps.gif", dir);
    const char *extra[] = {"--steps", "12", "--gif", path, "--gif-every", "5",
                           "--gif-fps", "25", "--no-loop"};
    assert_int_equal(run_headless(extra, 9), EXIT_OK);
    gif_read_result r = gif_read(path, -1);
    assert_true(r.ok);
    assert_int_equal(r.frames, 4); /* steps 0, 5, 10 and 12 where it stopped */
    assert_int_equal(r.delays[0], 4);
    assert_int_equal(r.loop, -1);
    tu_remove_tree(dir);
}

/* Log-spaced frames: every step at first, then 20 to each factor of ten.
 * The expected steps were worked out by hand from that rule (ceil of
 * step x 10^(1/20)), not by calling the code under test. */
static void test_log_schedule(void **state)
{
    (void)state;
    static const long expected[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  11,  13,  15,
                                    17, 20, 23, 26, 30, 34, 39, 44, 50, 57,  64,  72,
                                    81, 91, 103, 116, 131, 147, 165, 186, 209, 235, 264, 297,
                                    334, 375, 421, 473, 531, 596, 669, 751, 843, 946};
    long step = 0;
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        step = movie_next_log_step(step, MOVIE_LOG_FRAMES_PER_DECADE);
        assert_int_equal(step, expected[i]);
    }
    /* Far along, still about 20 frames a decade, never stuck. */
    int frames = 0;
    for (step = 100000; step < 1000000; step = movie_next_log_step(step, 20))
        frames++;
    assert_in_range(frames, 19, 21);
    assert_int_equal(movie_next_log_step(LONG_MAX / 2, 20), LONG_MAX);
    assert_int_equal(movie_next_log_step(-5, 20), 0);
}

/* A run to a tolerance films log-spaced steps: the start, the 46 steps of
 * the schedule up to 1000, and the step where it stopped. */
static void test_headless_gif_log_spaced(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/log.gif", dir);
    const char *extra[] = {"--steps", "1000", "--tol", "1e-9", "--gif", path};
    assert_int_equal(run_headless(extra, 6), EXIT_NOT_CONVERGED);
    gif_read_result r = gif_read(path, -1);
    assert_true(r.ok);
    assert_int_equal(r.frames, 48);
    assert_int_equal(r.delays[0], 10);
    assert_int_equal(r.delays[46], 10);
    assert_int_equal(r.delays[47], 200);
    tu_remove_tree(dir);
}

/* A run that ends on the epoch limit short of learned says how far it got
 * and what trains it to the end. */
static void test_headless_epoch_limit_hint(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2);
    FILE *capture = fopen(path, "w");
    assert_non_null(capture);
    dup2(fileno(capture), 2);
    const char *extra[] = {"--epochs", "2"};
    int code = run_headless(extra, 2);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(capture);
    assert_int_equal(code, EXIT_OK);
    char *text = tu_read_file(path, NULL);
    assert_non_null(text);
    if (!strstr(text, "2 epochs done with the kernel at ") ||
        !strstr(text, "% error; --tol 0.01 trains until it is learned"))
        fail_msg("stderr was: %s", text);
    free(text);
    tu_remove_tree(dir);
}

static void test_headless_unwritable_gif(void **state)
{
    (void)state;
    const char *extra[] = {"--epochs", "1", "--gif", "/nonexistent-learnfilter-folder/a.gif"};
    assert_int_equal(run_headless(extra, 4), EXIT_INPUT);
    assert_false(tu_file_exists("/nonexistent-learnfilter-folder/a.gif"));
}

/* The window's layout, drawn without a display, one frame per epoch. */
static void test_headless_gif_full_layout(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/full.gif", dir);
    const char *extra[] = {"--epochs", "3", "--gif", path, "--gif-layout", "full",
                           "--width", "800", "--height", "450"};
    assert_int_equal(run_headless(extra, 10), EXIT_OK);
    gif_read_result first = gif_read(path, 0), last = gif_read(path, 3);
    assert_true(first.ok);
    assert_int_equal(first.frames, 4); /* epoch 0 (the start), 1, 2, 3 */
    assert_int_equal(first.width, 800);
    assert_int_equal(first.height, 450);
    /* Where the window puts the true kernel, sobel-x's -2 (middle row,
     * left column) is a strong blue in every frame. */
    layout L;
    layout_compute(&L, 800, 450, layout_auto_scale(800, 450));
    layout_rect plot = L.panels[LAYOUT_TRUE].plot;
    int side = plot.w < plot.h ? plot.w : plot.h;
    int x = plot.x + plot.w / 2 - side / 3, y = plot.y + plot.h / 2;
    for (int i = 0; i < 2; i++) {
        const uint8_t *p = (i ? last.rgba : first.rgba) + 4 * (y * 800 + x);
        assert_true(p[2] > p[0] + 60);
    }
    /* The learned panel changed as training went on. */
    layout_rect learned = L.panels[LAYOUT_LEARNED].plot;
    int differing = 0;
    for (int yy = learned.y; yy < learned.y + learned.h; yy++)
        differing += memcmp(first.rgba + 4 * (yy * 800 + learned.x),
                            last.rgba + 4 * (yy * 800 + learned.x), 4 * (size_t)learned.w) != 0;
    assert_true(differing > learned.h / 2);
    free(first.rgba);
    free(last.rgba);
    tu_remove_tree(dir);
}

static void test_cli_movie_options(void **state)
{
    (void)state;
    cli_options o;
    char message[512];
    const char *bad[][4] = {
        {"learnfilter", "--headless", "--gif", "movie.png"},
        {"learnfilter", "--headless", "--video", "movie.gif"},
        {"learnfilter", "--headless", "--gif-layout", "wide"},
        {"learnfilter", "--headless", "--gif-fps", "60"},
        {"learnfilter", "--headless", "--gif-every", "0"},
        {"learnfilter", "--headless", "--record-dir", "/tmp"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (cli_parse(4, (char **)bad[i], &o, message, sizeof message))
            fail_msg("%s %s was accepted", bad[i][2], bad[i][3]);
        assert_non_null(strstr(message, bad[i][2]));
    }
    const char *good[] = {"learnfilter", "--headless", "--gif", "a.GIF", "--gif-loop", "3",
                          "--video", "b.mp4", "--gif-layout", "kernel"};
    assert_true(cli_parse(10, (char **)good, &o, message, sizeof message));
    assert_string_equal(o.gif, "a.GIF");
    assert_string_equal(o.video, "b.mp4");
    assert_int_equal(o.gif_loop, 2); /* plays 3 times: repeats twice */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_frame_colors),
        cmocka_unit_test(test_large_kernel_frame),
        cmocka_unit_test(test_headless_gif_per_epoch),
        cmocka_unit_test(test_headless_gif_every_steps),
        cmocka_unit_test(test_log_schedule),
        cmocka_unit_test(test_headless_gif_log_spaced),
        cmocka_unit_test(test_headless_epoch_limit_hint),
        cmocka_unit_test(test_headless_unwritable_gif),
        cmocka_unit_test(test_headless_gif_full_layout),
        cmocka_unit_test(test_cli_movie_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
