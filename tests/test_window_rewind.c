/*
 * test_window_rewind.c: scrubbing back through a run in the window, and
 * branching off from a past point.
 *
 * The window runs paused in lockstep with the worker on a simulated clock,
 * so every frame shows what the keys so far asked for, on any machine. It
 * steps to step 20 and the frame is read back; it steps on to 50 and J
 * goes back to 20: every kernel and image panel (their rectangles from
 * the layout, checked against --layout-out) is the same pixel for pixel as the first time, while the
 * chart keeps the whole run's curves and the timeline marks the point. A click on the timeline goes to the
 * stored state under it, End to the latest point, Shift+J eight states
 * back and L one forward. Then a step from the past point is a branch: the
 * later states and history are gone and the notice says how many.
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

#include "test_window_layout.h"
#include "test_window_util.h"

#include "layout.h"

#define FRAMES 30
#define CAPTURE_A 4  /* at step 20, just stepped there */
#define CAPTURE_B 11 /* at step 20 again, after J from 50 */

typedef struct rewind_seen {
    bool drawn;
    rewind_view view;
    long history_last;      /* the last step of the loss curve shown */
} rewind_seen;

typedef struct run {
    tw_script script;
    rewind_seen seen[FRAMES];
    unsigned char *pixels[2]; /* RGBA frames at CAPTURE_A and CAPTURE_B */
    int w, h;
    int click_x, click_y;     /* where frame 12 clicks: step 40 on the timeline */
} run;

static void push_click(int x, int y)
{
    SDL_Event e = {.type = SDL_MOUSEBUTTONDOWN};
    e.button.button = SDL_BUTTON_LEFT;
    e.button.state = SDL_PRESSED;
    e.button.x = x;
    e.button.y = y;
    SDL_PushEvent(&e);
    e.type = SDL_MOUSEBUTTONUP;
    e.button.state = SDL_RELEASED;
    SDL_PushEvent(&e);
}

static void before_frame(void *user, long frame, SDL_Window *window)
{
    run *r = user;
    tw_script_before_frame(&r->script, frame, window);
    if (frame == 12)
        push_click(r->click_x, r->click_y);
}

static void before_present(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                           const char *shown)
{
    run *r = user;
    tw_script_before_present(&r->script, frame, renderer, wf, shown);
    const worker_frame *f = wf;
    if (frame < 0 || frame >= FRAMES)
        return;
    rewind_seen *s = &r->seen[frame];
    s->drawn = true;
    s->view = f->rewind;
    s->history_last = f->snap.steps.count ? f->snap.steps.points[f->snap.steps.count - 1].step : 0;
    int slot = frame == CAPTURE_A ? 0 : frame == CAPTURE_B ? 1 : -1;
    if (slot < 0)
        return;
    SDL_GetRendererOutputSize(renderer, &r->w, &r->h);
    r->pixels[slot] = malloc((size_t)r->w * r->h * 4);
    assert_non_null(r->pixels[slot]);
    assert_int_equal(SDL_RenderReadPixels(renderer, NULL, SDL_PIXELFORMAT_RGBA32, r->pixels[slot],
                                          r->w * 4),
                     0);
}

static const rewind_seen *seen_at(const run *r, long f)
{
    while (f > 0 && !r->seen[f].drawn)
        f--;
    return &r->seen[f];
}

static const twl_panel *panel(const twl_layout *L, const char *name)
{
    for (int i = 0; i < L->panel_count; i++)
        if (!strcmp(L->panels[i].name, name))
            return &L->panels[i];
    fail_msg("no panel %s in the layout", name);
    return NULL;
}

static void test_scrub_shows_the_stored_state_and_branches(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/layout.json", dir);
    run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    /* The timeline of a 1280x720 window at its automatic scale, as the
     * window lays it out; x of step 40 on a timeline from 0 to 50. */
    layout L;
    layout_compute(&L, 1280, 720, layout_auto_scale(1280, 720));
    assert_true(L.timeline.w > 100 && L.timeline.h > 10);
    r->click_x = rewind_timeline_x(L.timeline.x, L.timeline.w, 50, 40);
    r->click_y = L.timeline.y + L.timeline.h - 3;

    tw_action *a = r->script.actions;
    a[0] = (tw_action){.frame = 1, .key = SDLK_n, .mod = KMOD_LSHIFT};  /* 10 */
    a[1] = (tw_action){.frame = 2, .key = SDLK_n, .mod = KMOD_LSHIFT};  /* 20 */
    a[2] = (tw_action){.frame = 5, .key = SDLK_n, .mod = KMOD_LSHIFT, .times = 3}; /* 50 */
    a[3] = (tw_action){.frame = 9, .key = SDLK_j, .times = 30};         /* back to 20 */
    a[4] = (tw_action){.frame = 15, .key = SDLK_END};                   /* 50 */
    a[5] = (tw_action){.frame = 18, .key = SDLK_j, .mod = KMOD_LSHIFT}; /* 42 */
    a[6] = (tw_action){.frame = 19, .key = SDLK_l};                     /* 43 */
    a[7] = (tw_action){.frame = 22, .key = SDLK_n};                     /* a branch: 44 */
    const char *args[] = {"--paused", "--width", "1280", "--height", "720", "--layout-out", path};
    r->script.max_frames = FRAMES;
    r->script.seen = calloc(FRAMES, sizeof(tw_seen));
    assert_non_null(r->script.seen);
    char count[16];
    snprintf(count, sizeof count, "%d", FRAMES);
    const char *all[] = {"--frames", count, args[0], args[1], args[2], args[3], args[4], args[5],
                         args[6]};
    window_hooks hooks = {.before_frame = before_frame, .before_present = before_present,
                          .user = r, .lockstep = true};
    assert_int_equal(tw_run(&hooks, &r->script.report, all, 9), EXIT_OK);

    /* Stepped to 20, on to 50, then J thirty times: 50 is stored and is
     * the latest point, so the first J goes to 49, the thirtieth to 20. */
    assert_int_equal(tw_shown(&r->script, CAPTURE_A)->step, 20);
    assert_false(seen_at(r, CAPTURE_A)->view.scrubbing);
    assert_int_equal(tw_shown(&r->script, 8)->step, 50);
    const rewind_seen *b = seen_at(r, CAPTURE_B);
    assert_int_equal(tw_shown(&r->script, CAPTURE_B)->step, 20);
    assert_true(b->view.scrubbing);
    assert_int_equal(b->view.view_step, 20);
    assert_int_equal(b->view.latest_step, 50);
    assert_int_equal(b->view.count, 51); /* every step from 0 to 50 */
    assert_int_equal(b->view.view, 20);
    assert_int_equal(tw_shown(&r->script, CAPTURE_B)->state, WORKER_PAUSED);
    /* The chart still shows the whole run's curve. */
    assert_int_equal(b->history_last, seen_at(r, 8)->history_last);
    assert_true(b->history_last >= 40);

    /* Every kernel and image panel, pixel for pixel, at the places the
     * layout gives them (the step explained takes the place of the
     * learned - true panel and the chart, in both frames alike). */
    twl_layout *got = malloc(sizeof *got);
    assert_non_null(got);
    twl_read(path, got);
    assert_int_equal(got->width, r->w);
    assert_int_equal(got->height, r->h);
    const twl_panel *t = panel(got, "timeline");
    assert_int_equal(t->x, L.timeline.x);
    assert_int_equal(t->y, L.timeline.y);
    assert_int_equal(t->w, L.timeline.w);
    assert_int_equal(t->h, L.timeline.h);
    assert_int_equal(panel(got, "learned")->x, L.panels[LAYOUT_LEARNED].frame.x);
    assert_int_equal(panel(got, "input")->y, L.panels[LAYOUT_INPUT].frame.y);
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++) {
        layout_rect p = L.panels[i].frame;
        assert_true(p.w > 20 && p.h > 20);
        for (int y = p.y; y < p.y + p.h; y++) {
            size_t at = ((size_t)y * r->w + p.x) * 4;
            if (memcmp(r->pixels[0] + at, r->pixels[1] + at, (size_t)p.w * 4) != 0)
                fail_msg("panel %d differs on row %d after scrubbing back", i, y);
        }
    }
    /* ... and the timeline does not: its marker is at step 20 of 50. */
    bool timeline_differs = false;
    for (int y = t->y; y < t->y + t->h && !timeline_differs; y++) {
        size_t at = ((size_t)y * r->w + t->x) * 4;
        timeline_differs = memcmp(r->pixels[0] + at, r->pixels[1] + at, (size_t)t->w * 4) != 0;
    }
    assert_true(timeline_differs);

    /* The click on the timeline at step 40, End, Shift+J, L. */
    assert_int_equal(seen_at(r, 14)->view.view_step, 40);
    assert_true(seen_at(r, 14)->view.scrubbing);
    assert_int_equal(seen_at(r, 17)->view.view_step, 50);
    assert_false(seen_at(r, 17)->view.scrubbing);
    assert_int_equal(seen_at(r, 18)->view.view_step, 42);
    assert_int_equal(seen_at(r, 21)->view.view_step, 43);
    assert_true(seen_at(r, 21)->view.scrubbing);

    /* N from 43: a branch. States 44..50 and the steps after 43 are gone. */
    const rewind_seen *after = seen_at(r, FRAMES - 1);
    assert_false(after->view.scrubbing);
    assert_int_equal(tw_shown(&r->script, FRAMES - 1)->step, 44);
    assert_int_equal(after->view.latest_step, 44);
    assert_int_equal(after->view.count, 45);
    assert_int_equal(after->view.steps[44], 44);
    assert_int_equal(after->view.branch_step, 43);
    assert_int_equal(after->view.branch_dropped_steps, 7);
    assert_int_equal(after->view.branch_dropped_states, 7);
    assert_int_not_equal(after->view.branch_serial, seen_at(r, 21)->view.branch_serial);
    assert_true(after->history_last <= 44);
    bool said = false;
    for (int i = 0; i < got->text_count; i++)
        said |= strstr(got->texts[i].text, "Branched at step 43: the 7 later steps (7 saved "
                                           "states)") != NULL;
    if (!said)
        fail_msg("the last frame does not say that the branch dropped 7 steps");

    free(got);
    free(r->pixels[0]);
    free(r->pixels[1]);
    free(r->script.seen);
    free(r);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scrub_shows_the_stored_state_and_branches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
