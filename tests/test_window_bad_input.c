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

#include "test_util.h"
#include "test_window_util.h"
#include "worker.h"

/* Every run here: small patches, so loading and kernel switches are quick. */
static void run(tw_script *r, long frames)
{
    const char *args[] = {"--size", "64"};
    tw_script_run(r, frames, args, 2);
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

    tw_script r = {0};
    for (int i = 0; i < 4; i++)
        r.actions[i] = (tw_action){.frame = 20 + 40 * i, .drop = drops[i]};
    run(&r, 200);
    for (int i = 0; i < 4; i++) {
        long at = 20 + 40 * i;
        const tw_seen *before = tw_shown(&r, at - 1);
        /* The message is on the frame of the drop, as an error naming the
         * file (or folder). */
        const tw_seen *after = tw_shown(&r, at);
        assert_true(after->message_serial != before->message_serial);
        assert_true(after->message_is_error);
        assert_non_null(strstr(after->message, drops[i]));
        /* Training untouched: same target, same run, still stepping. */
        const tw_seen *later = tw_shown(&r, at + 35);
        assert_true(tw_same_target(before, after));
        assert_true(tw_same_target(before, later));
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

    tw_script r = {0};
    r.actions[0] = (tw_action){.frame = 20, .drop = deep};
    r.actions[1] = (tw_action){.frame = 80, .drop = too_long};
    run(&r, 120);
    long m = 20;
    while (m < 70 && !strstr(tw_shown(&r, m)->message, "learning the kernel in kernel.txt"))
        m++;
    if (m == 70)
        fail_msg("the kernel at a %zu-byte path was not loaded: '%s'", strlen(deep),
                 tw_shown(&r, 69)->message);
    assert_false(tw_shown(&r, m)->message_is_error);
    assert_int_equal(tw_shown(&r, 79)->target_h, 2);
    assert_true(tw_shown(&r, 79)->target[0] == 1.0f); /* a text kernel is used as written */
    char expect[64];
    snprintf(expect, sizeof expect, "it is %zu bytes long", strlen(too_long));
    assert_non_null(strstr(tw_shown(&r, 81)->shown, "dropped path not loaded"));
    assert_non_null(strstr(tw_shown(&r, 81)->shown, expect));
    assert_true(tw_same_target(tw_shown(&r, 79), tw_shown(&r, 119)));
    assert_true(tw_shown(&r, 119)->step > tw_shown(&r, 81)->step);
    free(r.seen);
    tu_remove_tree(dir);
}

/* The first frame from..to showing state, or -1. */
static long first_in_state(const tw_script *r, long from, long to, worker_state state)
{
    for (long f = from; f < to && f < r->frames; f++)
        if (r->seen[f].drawn && r->seen[f].state == state)
            return f;
    return -1;
}

static void test_divergence_shown_and_recovered(void **state)
{
    (void)state;
    tw_script r = {0};
    /* sobel-x trains with SGD at 0.01: x 3.16^10 is 1e3. */
    r.actions[0] = (tw_action){.frame = 10, .key = SDLK_UP, .times = 10};
    /* Down after 6 s at 60 frames a second: longer than a message usually
     * shows. */
    r.actions[1] = (tw_action){.frame = 370, .key = SDLK_DOWN, .times = 10};
    r.actions[2] = (tw_action){.frame = 430, .key = SDLK_UP, .times = 10};
    r.actions[3] = (tw_action){.frame = 490, .key = SDLK_r};
    run(&r, 560);
    for (long f = 0; f < r.frames; f++)
        assert_true(!r.seen[f].drawn || r.seen[f].finite);

    long d1 = first_in_state(&r, 10, 70, WORKER_DIVERGED);
    assert_true(d1 > 0);
    assert_non_null(strstr(tw_shown(&r, d1 + 5)->message, "diverged: lower the learning rate"));
    assert_true(tw_shown(&r, d1 + 5)->message_is_error);
    /* Stopped while diverged, and the remedy still on screen. */
    assert_int_equal(tw_shown(&r, 369)->step, tw_shown(&r, d1 + 5)->step);
    assert_int_equal(tw_shown(&r, 369)->state, WORKER_DIVERGED);
    assert_non_null(strstr(tw_shown(&r, 369)->shown, "diverged: lower the learning rate"));
    /* Down: training again. */
    worker_state st = tw_shown(&r, 425)->state;
    assert_true(st == WORKER_RUNNING || st == WORKER_CONVERGED);
    assert_true(tw_shown(&r, 425)->step > tw_shown(&r, 380)->step);

    long d2 = first_in_state(&r, 430, 490, WORKER_DIVERGED);
    assert_true(d2 > 0);
    /* R: reset, at the starting rate, and training again. */
    st = tw_shown(&r, 555)->state;
    assert_true(st == WORKER_RUNNING || st == WORKER_CONVERGED);
    assert_true(tw_shown(&r, 555)->step > tw_shown(&r, 500)->step);
    assert_true(tw_shown(&r, 555)->generation > tw_shown(&r, d2)->generation);
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
