/*
 * test_window_bad_input.c: bad drops and a runaway learning rate in the
 * running window.
 *
 * The window runs under SDL's dummy video driver; a hook drops files and
 * presses keys on given frames, another records what each presented frame
 * showed (step, target kernel, state, message). Then:
 *
 *   - a corrupt image, a folder without images, a bad kernel file and a
 *     missing path each give an error message, and training goes on
 *     untouched: the same target, the same run (generation), the step
 *     count still rising;
 *   - Up pressed many times makes training diverge: the state and message
 *     say so, no non-finite number is ever on screen, and Down (a lower
 *     rate) or R (reset, which also restores the starting rate) recovers.
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
#include <sys/stat.h>
#include <cmocka.h>

#include "cli.h"
#include "test_util.h"
#include "window.h"
#include "worker.h"

#define MAX_FRAMES 700
#define MAX_ACTIONS 8

typedef struct seen_frame {
    bool drawn;            /* frames with nothing new are not drawn again */
    long step;
    unsigned generation, message_serial;
    worker_state state;
    bool message_is_error;
    bool finite;
    float target[LF_KERNEL_MAX_SIDE * 4]; /* the first weights are enough to tell */
    int target_h, target_w;
    char message[WORKER_MESSAGE_MAX];
    char shown[WORKER_MESSAGE_MAX]; /* the message on screen, "" when none */
} seen_frame;

typedef struct action {
    long frame;
    const char *drop;      /* a path to drop, or */
    SDL_Keycode key;       /* a key to press */
    int times;             /* that many times */
} action;

typedef struct run_state {
    action actions[MAX_ACTIONS];
    seen_frame *seen;      /* MAX_FRAMES */
    long frames;
} run_state;

static void before_frame(void *user, long frame, SDL_Window *window)
{
    (void)window;
    run_state *r = user;
    for (int i = 0; i < MAX_ACTIONS; i++) {
        const action *a = &r->actions[i];
        if (a->frame != frame || (!a->drop && !a->key))
            continue;
        if (a->drop) {
            SDL_Event e = {.type = SDL_DROPFILE};
            e.drop.file = SDL_strdup(a->drop);
            SDL_PushEvent(&e);
        }
        for (int k = 0; a->key && k < (a->times ? a->times : 1); k++) {
            SDL_Event e = {.type = SDL_KEYDOWN};
            e.key.keysym.sym = a->key;
            e.key.state = SDL_PRESSED;
            SDL_PushEvent(&e);
        }
    }
}

static void before_present(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                           const char *shown)
{
    (void)renderer;
    run_state *r = user;
    const worker_frame *f = wf;
    if (frame < 0 || frame >= MAX_FRAMES)
        return;
    seen_frame *s = &r->seen[frame];
    s->drawn = true;
    s->step = f->snap.figures.step;
    s->generation = f->generation;
    s->message_serial = f->message_serial;
    s->message_is_error = f->message_is_error;
    s->state = f->state;
    s->target_h = f->snap.target.height;
    s->target_w = f->snap.target.width;
    int n = s->target_h * s->target_w;
    memcpy(s->target, f->snap.target.weights,
           sizeof(float) * (size_t)(n < LF_KERNEL_MAX_SIDE * 4 ? n : LF_KERNEL_MAX_SIDE * 4));
    /* The numbers drawn as numbers: the weights in the kernel cells and the
     * bias. (A loss that is not known yet is NaN by design, drawn as a
     * dash.) */
    s->finite = isfinite(f->snap.bias) != 0;
    for (int i = 0; i < f->snap.learned.height * f->snap.learned.width; i++)
        s->finite &= isfinite(f->snap.learned.weights[i]) != 0;
    snprintf(s->message, sizeof s->message, "%s", f->message);
    snprintf(s->shown, sizeof s->shown, "%s", shown ? shown : "");
    if (frame + 1 > r->frames)
        r->frames = frame + 1;
}

static void run(run_state *r, long frames)
{
    char count[16];
    snprintf(count, sizeof count, "%ld", frames);
    char *argv[] = {"learnfilter", "--frames", count, "--size", "64", NULL};
    cli_options o;
    assert_true(cli_parse(5, argv, &o, NULL));
    /* Simulated time and lockstep with the worker: a drop on frame f is
     * carried out and shown on frame f, and each frame is 1/60 s of
     * training, on any machine. */
    app_fake_clock clock;
    app_fake_clock_init(&clock, 0);
    window_hooks hooks = {.before_frame = before_frame, .before_present = before_present,
                          .user = r, .clock = app_fake_clock_get(&clock), .lockstep = true};
    window_report rep;
    assert_int_equal(window_run_with(&o, &hooks, &rep), EXIT_OK);
    app_fake_clock_deinit(&clock);
    assert_int_equal(r->frames, frames);
}

/* What the screen showed on frame f: the last frame drawn up to f. */
static const seen_frame *shown(const run_state *r, long f)
{
    while (f > 0 && !r->seen[f].drawn)
        f--;
    return &r->seen[f];
}

static bool same_target(const seen_frame *a, const seen_frame *b)
{
    return a->target_h == b->target_h && a->target_w == b->target_w &&
           !memcmp(a->target, b->target, sizeof a->target);
}

static void test_bad_drops_leave_training_alone(void **state)
{
    (void)state;
    char dir[64], corrupt[128], empty[128], kernel[256], missing[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(corrupt, sizeof corrupt, "%s/photo.jpg", dir);
    tu_write_file(corrupt, "\xff\xd8\xff\xe0 cut short", 14);
    snprintf(empty, sizeof empty, "%s/no-images", dir);
    mkdir(empty, 0755);
    snprintf(kernel, sizeof kernel, "%s/notes.txt", empty); /* a file, but no image */
    tu_write_file(kernel, "no photos here\n", 15);
    snprintf(kernel, sizeof kernel, "%s/kernel.txt", dir);
    tu_write_file(kernel, "1 2 three\n4 5 6\n", 16);
    snprintf(missing, sizeof missing, "%s/gone/photo.png", dir);
    const char *drops[] = {corrupt, empty, kernel, missing};

    run_state r = {.seen = calloc(MAX_FRAMES, sizeof(seen_frame))};
    for (int i = 0; i < 4; i++)
        r.actions[i] = (action){.frame = 20 + 40 * i, .drop = drops[i]};
    run(&r, 200);
    for (int i = 0; i < 4; i++) {
        long at = 20 + 40 * i;
        const seen_frame *before = shown(&r, at - 1);
        /* The message is on the frame of the drop, as an error naming the
         * file (or folder). */
        const seen_frame *after = shown(&r, at);
        assert_true(after->message_serial != before->message_serial);
        assert_true(after->message_is_error);
        assert_non_null(strstr(after->message, drops[i]));
        /* Training untouched: same target, same run, still stepping. */
        const seen_frame *later = shown(&r, at + 35);
        assert_true(same_target(before, after));
        assert_true(same_target(before, later));
        assert_int_equal(after->generation, before->generation);
        assert_int_equal(later->generation, before->generation);
        assert_true(later->step > after->step);
        assert_true(after->step >= before->step);
    }
    free(r.seen);
    tu_remove_tree(dir);
}

/* A kernel file at a path of about 1.5 KB loads (it used to be cut at
 * 1023 bytes and then not found); a path longer than the system opens is
 * refused with its length on screen, and training goes on. */
static void test_long_drop_paths(void **state)
{
    (void)state;
    char dir[64];
    tu_make_temp_dir(dir, sizeof dir);
    static char deep[2048], too_long[6000];
    snprintf(deep, sizeof deep, "%s", dir);
    for (int level = 0; level < 7; level++) {
        size_t n = strlen(deep);
        deep[n] = '/';
        memset(deep + n + 1, 'd' + level, 200);
        deep[n + 201] = 0;
        assert_int_equal(mkdir(deep, 0755), 0);
    }
    strcat(deep, "/kernel.txt");
    assert_true(strlen(deep) > 1400);
    tu_write_file(deep, "1 -1\n-1 1\n", 10);
    memset(too_long, 'x', sizeof too_long - 1);
    memcpy(too_long, dir, strlen(dir));
    too_long[strlen(dir)] = '/';

    run_state r = {.seen = calloc(MAX_FRAMES, sizeof(seen_frame))};
    r.actions[0] = (action){.frame = 20, .drop = deep};
    r.actions[1] = (action){.frame = 80, .drop = too_long};
    run(&r, 120);
    long m = 20;
    while (m < 70 && !strstr(shown(&r, m)->message, "learning the kernel in kernel.txt"))
        m++;
    if (m == 70)
        fail_msg("the kernel at a %zu-byte path was not loaded: '%s'", strlen(deep),
                 shown(&r, 69)->message);
    assert_false(shown(&r, m)->message_is_error);
    assert_int_equal(shown(&r, 79)->target_h, 2);
    assert_true(shown(&r, 79)->target[0] == 1.0f); /* a text kernel is used as written */
    char expect[64];
    snprintf(expect, sizeof expect, "it is %zu bytes long", strlen(too_long));
    assert_non_null(strstr(shown(&r, 81)->shown, "dropped path not loaded"));
    assert_non_null(strstr(shown(&r, 81)->shown, expect));
    assert_true(same_target(shown(&r, 79), shown(&r, 119)));
    assert_true(shown(&r, 119)->step > shown(&r, 81)->step);
    free(r.seen);
    tu_remove_tree(dir);
}

/* The first frame from..to showing state, or -1. */
static long first_in_state(const run_state *r, long from, long to, worker_state state)
{
    for (long f = from; f < to && f < r->frames; f++)
        if (r->seen[f].drawn && r->seen[f].state == state)
            return f;
    return -1;
}

static void test_divergence_shown_and_recovered(void **state)
{
    (void)state;
    run_state r = {.seen = calloc(MAX_FRAMES, sizeof(seen_frame))};
    /* sobel-x trains with SGD at 0.01: x 3.16^10 is 1e3. */
    r.actions[0] = (action){.frame = 10, .key = SDLK_UP, .times = 10};
    /* Down after 6 s at 60 frames a second: longer than a message usually
     * shows. */
    r.actions[1] = (action){.frame = 370, .key = SDLK_DOWN, .times = 10};
    r.actions[2] = (action){.frame = 430, .key = SDLK_UP, .times = 10};
    r.actions[3] = (action){.frame = 490, .key = SDLK_r};
    run(&r, 560);
    for (long f = 0; f < r.frames; f++)
        assert_true(!r.seen[f].drawn || r.seen[f].finite);

    long d1 = first_in_state(&r, 10, 70, WORKER_DIVERGED);
    assert_true(d1 > 0);
    assert_non_null(strstr(shown(&r, d1 + 5)->message, "diverged: lower the learning rate"));
    assert_true(shown(&r, d1 + 5)->message_is_error);
    /* Stopped while diverged, and the remedy still on screen. */
    assert_int_equal(shown(&r, 369)->step, shown(&r, d1 + 5)->step);
    assert_int_equal(shown(&r, 369)->state, WORKER_DIVERGED);
    assert_non_null(strstr(shown(&r, 369)->shown, "diverged: lower the learning rate"));
    /* Down: training again. */
    worker_state st = shown(&r, 425)->state;
    assert_true(st == WORKER_RUNNING || st == WORKER_CONVERGED);
    assert_true(shown(&r, 425)->step > shown(&r, 380)->step);

    long d2 = first_in_state(&r, 430, 490, WORKER_DIVERGED);
    assert_true(d2 > 0);
    /* R: reset, at the starting rate, and training again. */
    st = shown(&r, 555)->state;
    assert_true(st == WORKER_RUNNING || st == WORKER_CONVERGED);
    assert_true(shown(&r, 555)->step > shown(&r, 500)->step);
    assert_true(shown(&r, 555)->generation > shown(&r, d2)->generation);
    free(r.seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_drops_leave_training_alone),
        cmocka_unit_test(test_long_drop_paths),
        cmocka_unit_test(test_divergence_shown_and_recovered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
