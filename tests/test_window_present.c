/*
 * test_window_present.c: the presentation layout in the running window,
 * and the movies made in it.
 *
 * The program's window runs under SDL's dummy video driver on a simulated
 * clock (1/60 s a frame) with a recorder that waits rather than drops, so
 * a movie's frames and their delays follow from the frames drawn alone:
 *
 *   - a recording plays at the speed it was recorded: each GIF delay is
 *     the simulated time between two captured frames in hundredths, the
 *     rounding carried so that the total is the time recorded;
 *   - a recording is made in the presentation layout: the window shows it
 *     while recording (its caption's state bar on screen) and not after,
 *     and the movie's last frame is the screenshot of the last frame,
 *     which --layout-out says was the presentation layout;
 *   - M writes a reel of the run so far: 10 s, the last frame 2 s.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "layout.h"
#include "test_gif_read.h"
#include "test_util.h"
#include "test_window_util.h"

typedef struct script {
    long g_at[2];     /* frames on which G is pressed (0: none) */
    long m_at;        /* frame on which M is pressed (0: none) */
    long v_at;        /* frame on which V is pressed (0: none) */
    int bar_frames;   /* frames presented with the caption's running-green bar */
    long first_bar, last_bar;
} script;

static void before_frame(void *user, long frame, SDL_Window *window)
{
    (void)window;
    script *s = user;
    for (int i = 0; i < 2; i++)
        if (s->g_at[i] && frame == s->g_at[i])
            tw_push_key(SDLK_g);
    if (s->m_at && frame == s->m_at)
        tw_push_key(SDLK_m);
    if (s->v_at && frame == s->v_at)
        tw_push_key(SDLK_v);
}

/* The presentation layout's caption begins with a bar in the state's
 * colour (green: running) where the full layout has the status line's
 * text: a pixel there tells the layouts apart. */
static void bar_point(int w, int h, int *x, int *y)
{
    layout L;
    layout_compute_present(&L, w, h, layout_auto_scale(w, h), 3);
    *x = L.status.x + 2;
    *y = L.status.y + L.status.h / 4;
}

static void before_present(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                           const char *shown)
{
    (void)wf;
    (void)shown;
    script *s = user;
    int w, h, x, y;
    SDL_GetRendererOutputSize(renderer, &w, &h);
    bar_point(w, h, &x, &y);
    SDL_Rect one = {x, y, 1, 1};
    uint8_t px[4];
    if (SDL_RenderReadPixels(renderer, &one, SDL_PIXELFORMAT_RGBA32, px, 4) == 0 && px[0] == 70 &&
        px[1] == 190 && px[2] == 110) {
        if (!s->bar_frames)
            s->first_bar = frame;
        s->last_bar = frame;
        s->bar_frames++;
    }
}

static int run(script *s, window_report *report, const char *const *args, int n)
{
    window_hooks hooks = {.before_frame = before_frame, .before_present = before_present,
                          .user = s, .capture_wait_when_full = true, .lockstep = true};
    return tw_run(&hooks, report, args, n);
}

static bool file_says(const char *path, const char *needle)
{
    size_t size = 0;
    char *text = tu_read_file(path, &size);
    bool found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

static void test_recording_plays_at_real_speed_in_the_presentation_layout(void **state)
{
    (void)state;
    char dir[64], gif[512], png[512], json[512];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(gif, sizeof gif, "%s/lesson.gif", dir);
    snprintf(png, sizeof png, "%s/last.png", dir);
    snprintf(json, sizeof json, "%s/layout.json", dir);
    script s = {0};
    window_report rep;
    const char *args[] = {"--frames", "121", "--speed", "300", "--gif", gif,
                          "--screenshot", png, "--layout-out", json};
    assert_int_equal(run(&s, &rep, args, 10), EXIT_OK);
    /* 121 window frames are 2 s from the first to the last; frames are
     * captured every 1/15 s: 31 of them, 2 s apart from first to last. */
    gif_read_result g = gif_read(gif, -1);
    assert_true(g.ok);
    assert_int_equal(g.frames, 31);
    int sum = 0;
    for (int i = 0; i + 1 < g.frames; i++) {
        /* 1/15 s is 6.67 hundredths; a frame is taken on the first window
         * frame at or after it is due, so one window frame (1.67) either
         * way, the rounding carried to the next. */
        assert_in_range(g.delays[i], 5, 9);
        sum += g.delays[i];
    }
    assert_in_range(sum, 199, 201);
    /* Every frame drawn was the presentation layout... */
    assert_int_equal(s.bar_frames, 121);
    assert_true(file_says(json, "\"present\": true"));
    assert_false(file_says(json, "\"name\": \"footer\""));
    /* ... and the movie's last frame is what the screen showed last. */
    gif_read_result last = gif_read(gif, g.frames - 1);
    int w, h;
    unsigned char *shot = tw_load_png(png, &w, &h);
    assert_int_equal(w, last.width);
    assert_int_equal(h, last.height);
    double diff = 0;
    for (long i = 0; i < (long)w * h * 4; i++)
        if (i % 4 != 3)
            diff += abs((int)shot[i] - (int)last.rgba[i]);
    diff /= (double)w * h * 3;
    assert_true(diff < 4.0); /* the palette and its dithering only */
    free(last.rgba);
    stbi_image_free(shot);
    tu_remove_tree(dir);
}

/* G switches the window to the presentation layout for the recording and
 * back after it; V toggles it by hand. */
static void test_g_records_in_the_presentation_layout(void **state)
{
    (void)state;
    char dir[64];
    tu_make_temp_dir(dir, sizeof dir);
    script s = {.g_at = {3, 30}};
    window_report rep;
    const char *args[] = {"--frames", "50", "--speed", "300", "--record-dir", dir};
    assert_int_equal(run(&s, &rep, args, 6), EXIT_OK);
    assert_int_equal(rep.capture.movies_written, 1);
    /* The frame G is pressed on is the first recorded and the first in
     * the presentation layout; the one G stops it on is back to the full. */
    assert_int_equal(s.first_bar, 3);
    assert_int_equal(s.last_bar, 29);
    assert_int_equal(s.bar_frames, 27);

    script v = {.v_at = 10};
    const char *plain[] = {"--frames", "20", "--speed", "300"};
    assert_int_equal(run(&v, &rep, plain, 4), EXIT_OK);
    assert_int_equal(v.first_bar, 10);
    assert_int_equal(v.bar_frames, 10);
    tu_remove_tree(dir);
}

/* M: a reel of the run so far in the recording folder, 10 s long. */
static void test_m_writes_a_reel(void **state)
{
    (void)state;
    char dir[64], path[512];
    tu_make_temp_dir(dir, sizeof dir);
    script s = {.m_at = 90};
    window_report rep;
    const char *args[] = {"--frames", "100", "--speed", "3000", "--record-dir", dir,
                          "--images", LF_SOURCE_DATA_DIR "/astronaut.jpg", "--size", "64"};
    assert_int_equal(run(&s, &rep, args, 10), EXIT_OK);
    tw_only_file(dir, ".gif", path, sizeof path);
    assert_non_null(strstr(path, "/learnfilter-reel-sobel-x-"));
    gif_read_result g = gif_read(path, -1);
    assert_true(g.ok);
    assert_int_equal(g.width, 1280);
    assert_int_equal(g.height, 720);
    /* 90 frames at 3,000 steps/s are 4,500 steps: the stored states
     * nearest to the log-spaced steps, more than 20 and fewer than
     * REEL_FRAMES (test_window_reel.c says which). */
    assert_in_range(g.frames, 20, 99);
    int total = 0;
    for (int i = 0; i < g.frames; i++)
        total += g.delays[i];
    assert_int_equal(total, 1000);
    assert_int_equal(g.delays[g.frames - 1], 200);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recording_plays_at_real_speed_in_the_presentation_layout),
        cmocka_unit_test(test_g_records_in_the_presentation_layout),
        cmocka_unit_test(test_m_writes_a_reel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
