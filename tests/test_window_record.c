/*
 * test_window_record.c: recording and screenshots in the running window.
 *
 * The whole program's window runs under SDL's dummy video driver with
 * --frames; a hook pushes key presses, a close or a resize as a user would,
 * and looks at each finished frame. The files written are read back: GIFs
 * with giflib's decoder, PNGs with stb_image.
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

/* What the hook does on which frame. */
typedef struct script {
    long g_at[4];            /* frames on which G is pressed (0: none) */
    long p_at;               /* frame on which P is pressed (0: none) */
    long quit_at;            /* frame on which the window is closed (0: never) */
    long resize_at;          /* frame on which the window is made 1000x600 (0: never) */
    /* seen */
    int marker_red_frames;   /* frames presented with the red dot showing */
    uint8_t dot_on_screen[4];
    char messages[8][320];   /* the distinct messages shown, in order */
    int message_count;
} script;

static void before_frame(void *user, long frame, SDL_Window *window)
{
    script *s = user;
    for (int i = 0; i < 4; i++)
        if (s->g_at[i] && frame == s->g_at[i])
            tw_push_key(SDLK_g);
    if (s->p_at && frame == s->p_at)
        tw_push_key(SDLK_p);
    if (s->quit_at && frame == s->quit_at)
        tw_push_quit();
    if (s->resize_at && frame == s->resize_at)
        SDL_SetWindowSize(window, 1000, 600);
}

static void before_present(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                           const char *shown)
{
    (void)frame;
    (void)wf;
    script *s = user;
    if (shown && s->message_count < 8 &&
        (s->message_count == 0 || strcmp(s->messages[s->message_count - 1], shown)))
        snprintf(s->messages[s->message_count++], sizeof s->messages[0], "%s", shown);
    int w, h;
    SDL_GetRendererOutputSize(renderer, &w, &h);
    layout L; /* a recording is made in the presentation layout */
    layout_compute_present(&L, w, h, layout_auto_scale(w, h), 3);
    int x, y, r;
    capture_marker_dot(&L, &x, &y, &r);
    SDL_Rect one = {x, y, 1, 1};
    uint8_t px[4];
    if (SDL_RenderReadPixels(renderer, &one, SDL_PIXELFORMAT_RGBA32, px, 4) == 0 && px[0] > 200 &&
        px[1] < 80 && px[2] < 80) {
        s->marker_red_frames++;
        memcpy(s->dot_on_screen, px, 4);
    }
}

/* Simulated time, 1/60 s a frame, and a recorder that waits rather than
 * drops: how many movie frames a run makes follows from its frames alone,
 * on any machine. */
static int run(script *s, window_report *report, const char *const *args, int n)
{
    window_hooks hooks = {.before_frame = before_frame, .before_present = before_present,
                          .user = s, .capture_wait_when_full = true};
    return tw_run(&hooks, report, args, n);
}

static void test_g_records_without_the_marker(void **state)
{
    (void)state;
    char dir[64], path[512];
    tu_make_temp_dir(dir, sizeof dir);
    script s = {.g_at = {3, 45}};
    window_report rep;
    const char *args[] = {"--frames", "60", "--record-dir", dir};
    assert_int_equal(run(&s, &rep, args, 4), EXIT_OK);
    assert_int_equal(rep.capture.movies_started, 1);
    assert_int_equal(rep.capture.movies_written, 1);
    /* The marker was on screen while recording... */
    /* Recording from frame 3 to frame 44 (G again at 45): 42 frames, all
     * with the marker. */
    assert_int_equal(s.marker_red_frames, 42);
    tw_only_file(dir, ".gif", path, sizeof path);
    assert_true(path[0]);
    assert_non_null(strstr(path, "/learnfilter-sobel-x-"));
    assert_string_equal(rep.capture.last_movie, path);

    gif_read_result g = gif_read(path, 0);
    assert_true(g.ok);
    assert_int_equal(g.width, 1280);
    assert_int_equal(g.height, 720);
    /* 42 window frames at 60 a second are 0.7 s: movie frames at 15 a
     * second are due on every fourth window frame, from the first: 11. */
    assert_int_equal(g.frames, 11);
    assert_int_equal(rep.capture.frames_taken, 11);
    assert_int_equal(rep.capture.frames_dropped, 0);
    free(g.rgba);
    /* ... and in no frame of the movie (in the presentation layout). */
    layout L;
    layout_compute_present(&L, 1280, 720, layout_auto_scale(1280, 720), 3);
    int x, y, r;
    capture_marker_dot(&L, &x, &y, &r);
    for (int f = 0; f < g.frames; f++) {
        gif_read_result one = gif_read(path, f);
        const uint8_t *p = one.rgba + 4 * (y * 1280 + x);
        assert_false(p[0] > 200 && p[1] < 80 && p[2] < 80);
        free(one.rgba);
    }
    tu_remove_tree(dir);
}

static void test_p_writes_what_is_on_screen(void **state)
{
    (void)state;
    char dir[64], shot[512], path[4096];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(shot, sizeof shot, "%s/last.png", dir);
    script s = {.p_at = 5};
    window_report rep;
    const char *args[] = {"--frames", "20", "--paused", "--record-dir", dir, "--screenshot", shot};
    assert_int_equal(run(&s, &rep, args, 7), EXIT_OK);
    assert_int_equal(rep.capture.screenshots_written, 1);
    snprintf(path, sizeof path, "%s", rep.capture.last_screenshot);
    assert_non_null(strstr(path, "/learnfilter-sobel-x-"));

    int w1, h1, w2, h2;
    unsigned char *p = tw_load_png(path, &w1, &h1);
    unsigned char *q = tw_load_png(shot, &w2, &h2);
    assert_int_equal(w1, 1280);
    assert_int_equal(h1, 720);
    assert_int_equal(w2, w1);
    assert_int_equal(h2, h1);
    /* Paused, so the panels are the same in both; the status line (fps)
     * and the message at the bottom differ. */
    layout L;
    layout_compute(&L, 1280, 720, layout_auto_scale(1280, 720));
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++) {
        layout_rect r = L.panels[i].frame;
        for (int y = r.y; y < r.y + r.h / 2; y++)
            assert_memory_equal(p + 4 * (y * w1 + r.x), q + 4 * (y * w1 + r.x), 4 * (size_t)r.w);
    }
    stbi_image_free(p);
    stbi_image_free(q);
    tu_remove_tree(dir);
}

static void test_unwritable_folder_is_a_message(void **state)
{
    (void)state;
    script s = {.g_at = {3}, .p_at = 6};
    window_report rep;
    const char *args[] = {"--frames", "20", "--record-dir", "/nonexistent-learnfilter-dir"};
    assert_int_equal(run(&s, &rep, args, 4), EXIT_OK);
    assert_int_equal(rep.capture.movies_written, 0);
    assert_int_equal(rep.capture.movies_failed, 1);
    assert_int_equal(rep.capture.screenshots_written, 0);
    assert_int_equal(rep.capture.screenshots_failed, 1);
    assert_int_equal(s.marker_red_frames, 0);
    assert_true(rep.steps > 0); /* training went on */
    /* The user is told, in words: G then P, each naming the folder and why. */
    int record_said = -1, shot_said = -1;
    for (int i = 0; i < s.message_count; i++) {
        if (!strncmp(s.messages[i], "cannot record: /nonexistent-learnfilter-dir/learnfilter-"
                                    "sobel-x-", 57) &&
            strstr(s.messages[i], ".gif: cannot write: No such file or directory"))
            record_said = i;
        if (!strncmp(s.messages[i], "screenshot not written: /nonexistent-learnfilter-dir/", 53) &&
            strstr(s.messages[i], ".png: cannot write: No such file or directory"))
            shot_said = i;
    }
    assert_true(record_said >= 0);
    assert_true(shot_said > record_said);
}

static void test_closing_while_recording_keeps_the_movie(void **state)
{
    (void)state;
    char dir[64], path[512];
    tu_make_temp_dir(dir, sizeof dir);
    script s = {.g_at = {2}, .quit_at = 30};
    window_report rep;
    const char *args[] = {"--frames", "100000", "--record-dir", dir};
    assert_int_equal(run(&s, &rep, args, 4), EXIT_OK);
    assert_int_equal(rep.frames, 31);
    assert_int_equal(rep.capture.movies_written, 1);
    tw_only_file(dir, ".gif", path, sizeof path);
    assert_true(path[0]);
    gif_read_result g = gif_read(path, -1);
    assert_true(g.ok);
    /* G at frame 2, closed on frame 30: frames 2, 6, ..., 30. */
    assert_int_equal(g.frames, 8);
    tu_remove_tree(dir);
}

static void test_resize_finishes_the_movie(void **state)
{
    (void)state;
    char dir[64], path[512];
    tu_make_temp_dir(dir, sizeof dir);
    script s = {.g_at = {2}, .resize_at = 25};
    window_report rep;
    const char *args[] = {"--frames", "60", "--record-dir", dir};
    assert_int_equal(run(&s, &rep, args, 4), EXIT_OK);
    assert_int_equal(rep.capture.movies_written, 1);
    tw_only_file(dir, ".gif", path, sizeof path);
    assert_true(path[0]);
    gif_read_result g = gif_read(path, -1);
    assert_true(g.ok);
    assert_int_equal(g.width, 1280);
    assert_int_equal(g.height, 720);
    /* Frames 2 to 24 were recorded: movie frames 2, 6, ..., 22. */
    assert_int_equal(g.frames, 6);
    /* The marker went away with the resize: on frames 2 to 24 only. */
    assert_int_equal(s.marker_red_frames, 23);
    tu_remove_tree(dir);
}

/* Centiseconds from the first frame to the last. */
static int delay_sum(const gif_read_result *g)
{
    int sum = 0;
    for (int i = 0; i + 1 < g->frames; i++)
        sum += g->delays[i];
    return sum;
}

static void test_gif_at_launch(void **state)
{
    (void)state;
    char dir[64], path[512];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/lesson.gif", dir);
    script s = {0};
    window_report rep;
    const char *args[] = {"--frames", "40", "--width", "800", "--height", "500", "--gif", path};
    assert_int_equal(run(&s, &rep, args, 8), EXIT_OK);
    gif_read_result g = gif_read(path, -1);
    assert_true(g.ok);
    assert_int_equal(g.width, 800);
    assert_int_equal(g.height, 500);
    /* 40 window frames are 0.65 s from the first to the last: movie
     * frames at 0, 1/15, ..., 9/15 s, each shown for 1/15 s (6 or 7
     * hundredths: the GIF's delays are whole hundredths). */
    assert_int_equal(g.frames, 10);
    assert_in_range(delay_sum(&g), 9 * 6, 9 * 7);

    /* --gif-fps sets the capture rate. */
    const char *fast[] = {"--frames", "40", "--width", "800", "--height", "500", "--gif", path,
                          "--gif-fps", "30"};
    assert_int_equal(run(&s, &rep, fast, 10), EXIT_OK);
    g = gif_read(path, -1);
    assert_true(g.ok);
    assert_int_equal(g.frames, 20); /* 0, 1/30, ..., 19/30 s */
    assert_in_range(delay_sum(&g), 19 * 3, 19 * 4);
    tu_remove_tree(dir);
}

/* A record folder whose path leaves no room for the file name: G refuses
 * with a message rather than write to a shortened name (another file). */
static void test_overlong_record_path_refused(void **state)
{
    (void)state;
    static char dir[5000];
    memset(dir, 'r', sizeof dir - 1);
    dir[0] = '/';
    dir[sizeof dir - 1] = 0;
    capture *c = capture_create(&(capture_options){.dir = dir});
    assert_non_null(c);
    assert_false(capture_start(c, NULL, "sobel-x", 64, 48));
    assert_false(capture_is_recording(c));
    unsigned serial = 0;
    bool is_error = false, brief = false;
    const char *m = capture_message(c, &serial, &is_error, &brief);
    assert_non_null(m);
    assert_true(is_error);
    assert_non_null(strstr(m, "cannot record: the file's path would be longer than 4095 bytes"));
    capture_destroy(c);
}

/* The capture rate itself, without a window: frames offered every 2 ms of
 * simulated time for one second are taken at the rate asked for. */
static void capture_for(const char *path, int fps)
{
    SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormat(0, 64, 48, 32, SDL_PIXELFORMAT_RGBA32);
    SDL_Renderer *renderer = SDL_CreateSoftwareRenderer(surface);
    assert_non_null(renderer);
    app_fake_clock clock;
    app_fake_clock_init(&clock, 0);
    capture *c = capture_create(&(capture_options){
        .fps = fps, .clock = app_fake_clock_get(&clock), .wait_when_full = true});
    assert_true(capture_start(c, path, "test", 64, 48));
    for (int i = 0; i < 500; i++) {
        SDL_SetRenderDrawColor(renderer, (Uint8)(i * 7), 40, 200, 255);
        SDL_RenderClear(renderer);
        capture_frame(c, renderer, 64, 48);
        app_fake_clock_advance(&clock, 2 * APP_NS_PER_S / 1000);
    }
    capture_destroy(c);
    app_fake_clock_deinit(&clock);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
}

static void test_capture_rate(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/rate.gif", dir);
    int rates[] = {CAPTURE_FPS, 30};
    for (int k = 0; k < 2; k++) {
        capture_for(path, rates[k]);
        gif_read_result g = gif_read(path, -1);
        assert_true(g.ok);
        /* Due at 0, 1/rate, ..., (rate-1)/rate s: rate frames in the
         * second. */
        assert_int_equal(g.frames, rates[k]);
        free(g.rgba);
    }
    tu_remove_tree(dir);
}

static void test_bad_movie_path_refused_at_launch(void **state)
{
    (void)state;
    script s = {0};
    window_report rep;
    const char *args[] = {"--frames", "5", "--gif", "/nonexistent-learnfilter-dir/a.gif"};
    assert_int_equal(run(&s, &rep, args, 4), EXIT_INPUT);
    assert_false(tu_file_exists("/nonexistent-learnfilter-dir/a.gif"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_g_records_without_the_marker),
        cmocka_unit_test(test_p_writes_what_is_on_screen),
        cmocka_unit_test(test_unwritable_folder_is_a_message),
        cmocka_unit_test(test_closing_while_recording_keeps_the_movie),
        cmocka_unit_test(test_resize_finishes_the_movie),
        cmocka_unit_test(test_gif_at_launch),
        cmocka_unit_test(test_bad_movie_path_refused_at_launch),
        cmocka_unit_test(test_capture_rate),
        cmocka_unit_test(test_overlong_record_path_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
