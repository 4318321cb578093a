/*
 * test_window_promises.c: what the README promises a user of the window,
 * each checked as the user would see it.
 *
 *   - a .npy kernel and a grayscale PNG kernel dropped on the window become
 *     the kernel shown and trained: the file's matrix (the PNG's scaled to
 *     unit L2 norm), with a message naming the file and its size;
 *   - keys faster than training takes them (more than the 64 the queue
 *     holds) say "busy: that key was ignored, try again", and every key
 *     that was taken is carried out;
 *   - F11 makes the window fullscreen, and the layout follows the real
 *     window's size; F11 again brings the window back;
 *   - N while running pauses and takes one step; then N is one step,
 *     Shift+N ten, and nothing moves in between;
 *   - the mouse over a kernel cell shows the read-out for that weight.
 *
 * Every run is in lockstep with the worker on a simulated clock
 * (test_window_util.h): what a frame shows follows from the frames and the
 * events alone, on any machine.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "layout.h"
#include "learnfilter/png.h"
#include "test_util.h"
#include "test_window_util.h"
#include "test_window_layout.h"

/* A float32 .npy of h x w values, written byte by byte as NumPy does. */
static void write_npy(const char *path, const float *values, int h, int w)
{
    char header[128];
    int n = snprintf(header, sizeof header,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", h, w);
    memset(header + n, ' ', sizeof header - (size_t)n);
    header[117] = '\n'; /* 10 bytes of preamble + 118 = 128, a multiple of 64 */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("\x93NUMPY\x01\x00\x76\x00", 1, 10, f);
    fwrite(header, 1, 118, f);
    fwrite(values, sizeof(float), (size_t)h * w, f);
    assert_int_equal(fclose(f), 0);
}

static long first_frame_saying(const tw_script *r, long from, const char *words)
{
    for (long f = from; f < r->frames; f++)
        if (r->seen[f].drawn && strstr(r->seen[f].shown, words))
            return f;
    return -1;
}

static void test_dropped_kernel_files_are_learned(void **state)
{
    (void)state;
    char dir[64], npy[128], png[128];
    tu_make_temp_dir(dir, sizeof dir);
    /* A 2x3 kernel as it would come out of NumPy: not in the catalog, not
     * square, not normalised: it must be used as written. */
    const float matrix[6] = {0.5f, -1.25f, 2.0f, 3.0f, 0.0f, -0.75f};
    snprintf(npy, sizeof npy, "%s/mine.npy", dir);
    write_npy(npy, matrix, 2, 3);
    /* A 3x5 grayscale PNG kernel: gray levels g, learned as g / ||g||. */
    const int gray[15] = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 150, 200, 250, 255};
    uint8_t rgba[15 * 4];
    double norm = 0;
    for (int i = 0; i < 15; i++) {
        rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = (uint8_t)gray[i];
        rgba[4 * i + 3] = 255;
        norm += (double)gray[i] * gray[i];
    }
    norm = sqrt(norm);
    snprintf(png, sizeof png, "%s/blur.png", dir);
    assert_int_equal(lf_png_write_rgba(png, rgba, 5, 3, 5 * 4, NULL), LF_OK);

    tw_script r = {0};
    r.actions[0] = (tw_action){.frame = 10, .drop = npy};
    r.actions[1] = (tw_action){.frame = 50, .drop = png};
    const char *args[] = {"--size", "64"};
    tw_script_run(&r, 90, args, 2);

    /* Before: Sobel x, 3x3. */
    const tw_seen *before = tw_shown(&r, 9);
    assert_int_equal(before->target_h, 3);
    assert_int_equal(before->target_w, 3);
    assert_true(before->target[0] == -1.0f && before->target[2] == 1.0f);

    long at = first_frame_saying(&r, 10, "learning the kernel in mine.npy (2x3)");
    if (at < 0)
        fail_msg("no message for the .npy kernel: '%s'", tw_shown(&r, 49)->shown);
    const tw_seen *npy_seen = tw_shown(&r, 49);
    assert_false(npy_seen->message_is_error);
    assert_int_equal(npy_seen->target_h, 2);
    assert_int_equal(npy_seen->target_w, 3);
    for (int i = 0; i < 6; i++)
        assert_true(npy_seen->target[i] == matrix[i]);
    /* A new run on it: the learned kernel has its shape and trains. */
    assert_true(npy_seen->generation > before->generation);
    assert_true(npy_seen->step > tw_shown(&r, at)->step);

    at = first_frame_saying(&r, 50, "learning the kernel in blur.png (3x5)");
    if (at < 0)
        fail_msg("no message for the PNG kernel: '%s'", tw_shown(&r, 89)->shown);
    const tw_seen *png_seen = tw_shown(&r, 89);
    assert_int_equal(png_seen->target_h, 3);
    assert_int_equal(png_seen->target_w, 5);
    for (int i = 0; i < 15; i++)
        assert_float_equal(png_seen->target[i], gray[i] / norm, 1e-6);
    assert_true(png_seen->generation > npy_seen->generation);
    assert_true(png_seen->step > tw_shown(&r, at)->step);
    free(r.seen);
    tu_remove_tree(dir);
}

/* More keys in one frame than the queue holds: kernel switches (Sobel x
 * and y), which each take the worker far longer than the window takes to
 * queue one (new statistics over the dataset), so it cannot keep up. Each
 * of the four bursts is twice what the queue holds; a burst of half the
 * queue, sent after the worker has caught up, is never refused. */
static void test_keys_faster_than_training_say_busy(void **state)
{
    (void)state;
    const char *busy = "busy: that key was ignored, try again";
    tw_script r = {0};
    r.actions[0] = (tw_action){.frame = 5, .key = SDLK_2, .times = WORKER_QUEUE_SIZE / 2};
    for (int i = 0; i < 4; i++)
        r.actions[1 + i] = (tw_action){.frame = 20 + 10 * i, .key = i % 2 ? SDLK_1 : SDLK_2,
                                       .times = 2 * WORKER_QUEUE_SIZE};
    const char *args[] = {"--size", "32", "--images", LF_SOURCE_DATA_DIR "/camera.jpg"};
    tw_script_run(&r, 70, args, 4);
    /* Half the queue: taken, no message. */
    for (long f = 5; f < 20; f++)
        assert_null(strstr(tw_shown(&r, f)->shown, "busy"));
    long at = first_frame_saying(&r, 20, busy);
    if (at < 0)
        fail_msg("%lu keys refused, and the screen never said so", r.report.requests_refused);
    /* On the frame of a burst, and said as an error of its own, for the
     * user to try again. */
    assert_int_equal((at - 20) % 10, 0);
    assert_string_equal(tw_shown(&r, at)->shown, busy);
    assert_true(r.report.requests_refused > 0);
    /* Every key taken was carried out, once, in order. */
    assert_int_equal(r.report.requests_taken, r.report.requests_queued);
    assert_int_equal(r.report.requests_misordered, 0);
    assert_int_equal(r.report.requests_queued + r.report.requests_refused,
                     (unsigned long)(WORKER_QUEUE_SIZE / 2 + 4 * 2 * WORKER_QUEUE_SIZE));
    free(r.seen);
}

/* N pauses a running window and steps: the frame of N is paused, nothing
 * moves while paused, and then N is exactly one step, Shift+N ten and
 * '.' one. */
static void test_n_while_running_pauses_and_steps(void **state)
{
    (void)state;
    tw_script r = {0};
    r.actions[0] = (tw_action){.frame = 20, .key = SDLK_n};
    r.actions[1] = (tw_action){.frame = 40, .key = SDLK_n};
    r.actions[2] = (tw_action){.frame = 50, .key = SDLK_n, .mod = KMOD_LSHIFT};
    r.actions[3] = (tw_action){.frame = 60, .key = SDLK_PERIOD};
    const char *args[] = {"--size", "64"};
    tw_script_run(&r, 70, args, 2);
    assert_int_equal(tw_shown(&r, 19)->state, WORKER_RUNNING);
    assert_true(tw_shown(&r, 19)->step > tw_shown(&r, 10)->step);
    const tw_seen *n = tw_shown(&r, 20);
    assert_int_equal(n->state, WORKER_PAUSED);
    assert_true(n->step > tw_shown(&r, 19)->step);
    long s = n->step;
    for (long f = 21; f < 40; f++) {
        assert_int_equal(tw_shown(&r, f)->step, s);
        assert_int_equal(tw_shown(&r, f)->state, WORKER_PAUSED);
    }
    assert_int_equal(tw_shown(&r, 40)->step, s + 1);
    assert_int_equal(tw_shown(&r, 49)->step, s + 1);
    assert_int_equal(tw_shown(&r, 50)->step, s + 11);
    assert_int_equal(tw_shown(&r, 59)->step, s + 11);
    assert_int_equal(tw_shown(&r, 60)->step, s + 12);
    assert_int_equal(tw_shown(&r, 69)->step, s + 12);
    assert_int_equal(tw_shown(&r, 69)->state, WORKER_PAUSED);
    free(r.seen);
}

/* F11: the window becomes the size of the screen (under the dummy driver,
 * its one display mode), and every panel is laid out for that size: the
 * last frame's layout, from --layout-out, is the screen's. F11 again
 * leaves fullscreen, and the layout follows the window's size then too
 * (the dummy driver keeps the screen's size; a desktop restores the
 * window's). */
static void fullscreen_run(int presses, char *layout_path, tw_script *r)
{
    for (int i = 0; i < presses; i++)
        r->actions[i] = (tw_action){.frame = 10 + 15 * i, .key = SDLK_F11};
    const char *args[] = {"--size", "64", "--paused", "--layout-out", layout_path};
    tw_script_run(r, 40, args, 5);
}

static void test_f11_fullscreen_and_back(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/layout.json", dir);
    SDL_DisplayMode mode;
    assert_int_equal(SDL_InitSubSystem(SDL_INIT_VIDEO), 0);
    assert_int_equal(SDL_GetDesktopDisplayMode(0, &mode), 0);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    assert_false(mode.w == 1280 && mode.h == 720); /* else the test could not tell */

    tw_script r = {0};
    fullscreen_run(1, path, &r);
    assert_false(r.seen[10].fullscreen);
    assert_true(r.seen[11].fullscreen);
    assert_int_equal(tw_shown(&r, 9)->out_w, 1280);
    assert_int_equal(tw_shown(&r, 9)->out_h, 720);
    assert_int_equal(tw_shown(&r, 39)->out_w, mode.w);
    assert_int_equal(tw_shown(&r, 39)->out_h, mode.h);
    twl_layout L;
    twl_read(path, &L);
    assert_int_equal(L.width, mode.w);
    assert_int_equal(L.height, mode.h);
    /* The panels fill the screen: the status line spans it, and the
     * right-most panel ends near its right edge, not at 1280. */
    int right = 0, bottom = 0;
    for (int i = 0; i < L.panel_count; i++) {
        assert_true(L.panels[i].x >= 0 && L.panels[i].x + L.panels[i].w <= mode.w);
        assert_true(L.panels[i].y >= 0 && L.panels[i].y + L.panels[i].h <= mode.h);
        if (L.panels[i].x + L.panels[i].w > right)
            right = L.panels[i].x + L.panels[i].w;
        if (L.panels[i].y + L.panels[i].h > bottom)
            bottom = L.panels[i].y + L.panels[i].h;
    }
    assert_true(right > mode.w * 9 / 10);
    assert_true(bottom > mode.h * 9 / 10);
    free(r.seen);

    tw_script back = {0};
    fullscreen_run(2, path, &back);
    assert_false(back.seen[10].fullscreen);
    assert_true(back.seen[11].fullscreen);
    assert_true(back.seen[25].fullscreen);
    assert_false(back.seen[26].fullscreen);
    assert_false(back.seen[39].fullscreen);
    twl_read(path, &L);
    assert_int_equal(L.width, tw_shown(&back, 39)->out_w);
    assert_int_equal(L.height, tw_shown(&back, 39)->out_h);
    free(back.seen);
    tu_remove_tree(dir);
}

/* The mouse over the learned kernel's cell (row 1, column 2): the read-out
 * names that weight, the true value of Sobel x there (2) and the
 * difference, as the last frame drew them. Over the input photo: the
 * pixel's value. */
static void test_hover_reads_the_weight_under_the_mouse(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/layout.json", dir);
    layout L;
    layout_compute(&L, 1280, 720, layout_auto_scale(1280, 720));
    layout_rect grid = layout_grid_fit(L.panels[LAYOUT_LEARNED].plot, 3, 3);
    int cell = grid.w / 3;
    int x = grid.x + 2 * cell + cell / 2, y = grid.y + cell + cell / 2;
    tw_script r = {0};
    r.actions[0] = (tw_action){.frame = 5, .mouse = true, .x = x, .y = y};
    const char *args[] = {"--size", "64", "--paused", "--layout-out", path};
    tw_script_run(&r, 12, args, 5);
    twl_layout got;
    twl_read(path, &got);
    const twl_text *tip = twl_find_panel(&got, "tooltip", 0);
    if (!tip)
        fail_msg("no hover read-out drawn for the mouse at (%d, %d)", x, y);
    /* The learned weight at step 0 (paused: the starting weights) and the
     * difference from Sobel x's 2, read closer than the cells print them:
     * the kernels' scale is +-2, so to a thousandth. */
    double w = tw_shown(&r, 11)->learned[1 * 3 + 2];
    char learned[32], diff[32], expect[160];
    snprintf(learned, sizeof learned, "%.3f", w);
    snprintf(diff, sizeof diff, "%.3f", w - 2.0);
    twl_minus(learned, sizeof learned);
    twl_minus(diff, sizeof diff);
    snprintf(expect, sizeof expect, "w[1][2]: learned %s \xc2\xb7 true 2.000 \xc2\xb7 diff %s",
             learned, diff);
    assert_string_equal(tip->text, expect);
    /* Beside the mouse, below and to its right. */
    assert_true(tip->x > x && tip->y > y);
    free(r.seen);

    /* Over the input photo: the arithmetic at that pixel, headed by the
     * pixel's coordinates (test_hover holds its numbers). */
    layout_rect in = L.panels[LAYOUT_INPUT].plot;
    tw_script r2 = {0};
    r2.actions[0] = (tw_action){.frame = 5, .mouse = true, .x = in.x + in.w / 2,
                                .y = in.y + in.h / 2};
    tw_script_run(&r2, 12, args, 5);
    twl_read(path, &got);
    tip = twl_find_panel(&got, "hover", 0);
    assert_non_null(tip);
    int px = -1, py = -1;
    assert_int_equal(sscanf(tip->text, "Pixel (%d, %d)", &px, &py), 2);
    assert_non_null(strstr(tip->text, "output = \xce\xa3 input \xc3\x97 weight + bias"));
    /* The middle of a 64x64 patch. */
    assert_in_range(px, 28, 36);
    assert_in_range(py, 28, 36);
    free(r2.seen);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dropped_kernel_files_are_learned),
        cmocka_unit_test(test_keys_faster_than_training_say_busy),
        cmocka_unit_test(test_n_while_running_pauses_and_steps),
        cmocka_unit_test(test_f11_fullscreen_and_back),
        cmocka_unit_test(test_hover_reads_the_weight_under_the_mouse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
