/*
 * test_window_matrix.c: the real window drawn at every size and UI scale it
 * has to survive, with a loss chart full of points and the help overlay.
 *
 * A wide window at a small scale once asked the chart for more axis ticks
 * than its array held and overflowed the stack; a layout bug of that kind
 * only shows at some sizes and scales, so this test walks them: window
 * sizes from 640x360 to 7680x2160 (the wide 2560x720 and 7680x2160
 * included) and the scales 0.5, 1, 1.5, 2, 3 and 4. Each scale is one run of
 * the program's own window loop (window_run_with, the dummy video driver),
 * which resizes the window through the sizes, draws FRAMES_PER_CASE frames
 * at each and toggles the help overlay on some. The verdict is the
 * sanitizers' (the ASan build aborts on any report) plus what each
 * presented frame proves: that it was drawn at the size asked, with a
 * populated chart.
 *
 * Bounded by work: the matrix starts once training has put points on the
 * chart, the window waiting for the worker at every frame until then (so
 * a slow machine takes as many frames as a fast one), and then draws a
 * fixed number of frames per case. The largest sizes cost the most, so they are
 * drawn at half of the scales each (the smallest scale, the likeliest to
 * overflow, always among them).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "test_window_util.h"

#define FRAMES_PER_CASE 3
/* A safety net, not a verdict: training puts points on the chart within a
 * few frames on any machine that can run the tests at all. */
#define MAX_WARMUP_FRAMES 6000

typedef struct window_size {
    int w, h;
} window_size;

static const window_size sizes[] = {
    {640, 360}, {800, 450}, {1280, 720}, {1920, 1080}, {2560, 720}, {3840, 2160}, {7680, 2160},
};
enum { SIZE_COUNT = sizeof sizes / sizeof sizes[0] };
static const char *const scales[] = {"0.5", "1", "1.5", "2", "3", "4"};
enum { SCALE_COUNT = sizeof scales / sizeof scales[0] };

/* Whether size s is drawn at scale index k: every size at every scale,
 * except the two 2160-line sizes, which share the scales between them
 * (each scale gets at least one; 0.5, the likeliest to overflow, both). */
static bool case_drawn(int s, int k)
{
    if (sizes[s].h < 2160)
        return true;
    if (sizes[s].w == 3840)
        return k == 0 || k == 1 || k == 2 || k == 4;
    return k == 0 || k == 3 || k == 5;
}

typedef struct matrix_run {
    int scale_index;
    window_size cases[SIZE_COUNT];
    bool help[SIZE_COUNT];      /* the help overlay shown in this case */
    int case_count;
    long start;                 /* first frame of the matrix; -1 until the chart has points */
    bool help_shown;            /* what the H presses so far have made it */
    int chart_points;           /* step points in the last presented frame */
    /* per case, what the presented frames showed */
    int frames_drawn[SIZE_COUNT];
    int frames_at_size[SIZE_COUNT];
    int frames_with_points[SIZE_COUNT];
    bool quit_sent;
    long frames_presented;
    window_hooks *hooks;        /* the run's hooks: lockstep while warming up */
} matrix_run;

/* The case that frame belongs to, or -1 before and after the matrix. */
static int case_of(const matrix_run *m, long frame)
{
    if (m->start < 0 || frame < m->start)
        return -1;
    long c = (frame - m->start) / FRAMES_PER_CASE;
    return c < m->case_count ? (int)c : -1;
}

static void before_frame(void *user, long frame, SDL_Window *window)
{
    matrix_run *m = user;
    if (m->start < 0) {
        if (m->chart_points >= 2)
            m->start = frame;
        else if (frame >= MAX_WARMUP_FRAMES && !m->quit_sent) {
            tw_push_quit();
            m->quit_sent = true;
        }
        /* Until the chart has points each frame waits for the worker's due
         * work, so the warm-up takes the same frames on a busy machine; the
         * matrix itself draws without waiting, as a user's window does. */
        m->hooks->lockstep = m->start < 0;
        if (m->start < 0)
            return;
    }
    int c = case_of(m, frame);
    if (c < 0) {
        if (!m->quit_sent) {
            tw_push_quit();
            m->quit_sent = true;
        }
        return;
    }
    if ((frame - m->start) % FRAMES_PER_CASE == 0) {
        SDL_SetWindowSize(window, m->cases[c].w, m->cases[c].h);
        if (m->help[c] != m->help_shown) {
            tw_push_key(SDLK_h);
            m->help_shown = m->help[c];
        }
    }
}

static void before_present(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                           const char *shown)
{
    (void)shown;
    matrix_run *m = user;
    const worker_frame *f = wf;
    m->frames_presented++;
    m->chart_points = f->snap.steps.count;
    int c = case_of(m, frame);
    if (c < 0)
        return;
    m->frames_drawn[c]++;
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer, &w, &h);
    if (w == m->cases[c].w && h == m->cases[c].h)
        m->frames_at_size[c]++;
    if (f->snap.steps.count >= 2)
        m->frames_with_points[c]++;
}

static void run_scale(int k)
{
    matrix_run m = {.scale_index = k, .start = -1};
    for (int s = 0; s < SIZE_COUNT; s++)
        if (case_drawn(s, k)) {
            m.cases[m.case_count] = sizes[s];
            /* The overlay on every other case, alternating between scales,
             * so each size is seen with and without it. */
            m.help[m.case_count] = (s + k) % 2 == 0;
            m.case_count++;
        }
    /* One photograph: the matrix is about drawing, not loading. */
    const char *args[] = {"--frames", "1000000", "--size", "64",
                          "--images", LF_SOURCE_DATA_DIR "/camera.jpg", "--scale", scales[k],
                          "--width", "1024", "--height", "576"};
    window_hooks hooks = {.before_frame = before_frame, .before_present = before_present,
                          .user = &m, .lockstep = true};
    m.hooks = &hooks;
    window_report rep;
    assert_int_equal(tw_run(&hooks, &rep, args, 12), EXIT_OK);
    if (m.start < 0)
        fail_msg("scale %s: the chart had no points after %d frames", scales[k],
                 MAX_WARMUP_FRAMES);
    for (int c = 0; c < m.case_count; c++) {
        /* The window starts at a size outside the list, so every case
         * begins with a resize, and a resized frame is always drawn (later
         * ones only when training published something new). Every frame
         * drawn in a case is at its size and shows the chart's points. */
        if (m.frames_drawn[c] < 1)
            fail_msg("scale %s, %dx%d: no frame drawn", scales[k], m.cases[c].w, m.cases[c].h);
        if (m.frames_at_size[c] != m.frames_drawn[c])
            fail_msg("scale %s, %dx%d: %d of %d frames drawn at that size", scales[k],
                     m.cases[c].w, m.cases[c].h, m.frames_at_size[c], m.frames_drawn[c]);
        if (m.frames_with_points[c] != m.frames_drawn[c])
            fail_msg("scale %s, %dx%d: %d of %d frames with a populated chart", scales[k],
                     m.cases[c].w, m.cases[c].h, m.frames_with_points[c], m.frames_drawn[c]);
    }
    printf("scale %s: %d sizes, %ld frames presented\n", scales[k], m.case_count,
           m.frames_presented);
}

static void test_scale_0_5(void **state) { (void)state; run_scale(0); }
static void test_scale_1(void **state) { (void)state; run_scale(1); }
static void test_scale_1_5(void **state) { (void)state; run_scale(2); }
static void test_scale_2(void **state) { (void)state; run_scale(3); }
static void test_scale_3(void **state) { (void)state; run_scale(4); }
static void test_scale_4(void **state) { (void)state; run_scale(5); }

/* Every size and every scale appears in the matrix. */
static void test_matrix_covers_every_size_and_scale(void **state)
{
    (void)state;
    for (int s = 0; s < SIZE_COUNT; s++) {
        int n = 0;
        for (int k = 0; k < SCALE_COUNT; k++)
            n += case_drawn(s, k);
        assert_true(n >= 3);
        assert_true(case_drawn(s, 0)); /* the smallest scale: most ticks */
    }
    for (int k = 0; k < SCALE_COUNT; k++) {
        int n = 0, tall = 0;
        for (int s = 0; s < SIZE_COUNT; s++) {
            n += case_drawn(s, k);
            tall += case_drawn(s, k) && sizes[s].h == 2160;
        }
        assert_true(n >= SIZE_COUNT - 1);
        assert_true(tall >= 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_covers_every_size_and_scale),
        cmocka_unit_test(test_scale_0_5),
        cmocka_unit_test(test_scale_1),
        cmocka_unit_test(test_scale_1_5),
        cmocka_unit_test(test_scale_2),
        cmocka_unit_test(test_scale_3),
        cmocka_unit_test(test_scale_4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
