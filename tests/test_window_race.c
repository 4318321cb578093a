/*
 * test_window_race.c: a race in the window (key C). The whole window runs
 * on a simulated clock in lockstep with its workers, so what it shows
 * follows from the frames and keys alone: after C both runs restart from
 * the same weights, pause and steps act on both, the layout has the race's
 * panels, and the second run's figures are those of a trainer made
 * directly with the race's settings, stepped as often.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_util.h"
#include "test_window_util.h"

#include "race.h"
#include "setup.h"

/* Keys pushed on given frames. */
typedef struct keys_at {
    int count;
    long frame[32];
    SDL_Keycode key[32];
} keys_at;

static void push_keys(void *user, long frame, SDL_Window *window)
{
    (void)window;
    const keys_at *k = user;
    for (int i = 0; i < k->count; i++)
        if (k->frame[i] == frame)
            tw_push_key(k->key[i]);
}

/* The relative error after steps steps of a trainer made from the window's
 * options, with extra options on top (NULL: none; "other": the other
 * optimizer with its usual settings). */
static double expected_rel_err(const char *const *args, int n, const char *race_text, int steps)
{
    char *argv[TW_MAX_ARGS + 2] = {"learnfilter"};
    for (int i = 0; i < n; i++)
        argv[1 + i] = (char *)args[i];
    cli_options o, r;
    lf_error err;
    assert_true(cli_parse(n + 1, argv, &o, &err));
    r = o;
    if (race_text)
        assert_int_equal(race_options(&o, race_text, &r, &err), LF_OK);
    app_setup s;
    assert_int_equal(app_setup_create(&s, &r, NULL, NULL, NULL, &err), LF_OK);
    for (int i = 0; i < steps; i++)
        assert_int_equal(lf_trainer_step(s.trainer, &err), LF_OK);
    double e = lf_trainer_figures(s.trainer)->rel_err;
    app_setup_destroy(&s);
    return e;
}

static bool layout_has(const char *path, const char *name)
{
    size_t size;
    char *json = tu_read_file(path, &size);
    assert_non_null(json);
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"name\": \"%s\"", name);
    /* Only in the panels' list: buttons have names too ("step"). */
    char *panels = strstr(json, "\"panels\": [");
    assert_non_null(panels);
    char *end = strchr(panels, ']');
    assert_non_null(end);
    *end = 0;
    bool found = strstr(panels, quoted) != NULL;
    free(json);
    return found;
}

/* Paused: C, then ten steps. Both runs are at step 10; the first is the
 * window's own run from its start, the second Adam (the other optimizer)
 * from the same start. */
static void test_race_steps_both(void **state)
{
    (void)state;
    char layout_path[] = "/tmp/lf_race_layoutXXXXXX";
    int fd = mkstemp(layout_path);
    assert_true(fd >= 0);
    close(fd);
    keys_at keys = {.count = 0};
    keys.frame[keys.count] = 2, keys.key[keys.count++] = SDLK_n; /* a step before: undone by C */
    keys.frame[keys.count] = 4, keys.key[keys.count++] = SDLK_c;
    for (int i = 0; i < 10; i++)
        keys.frame[keys.count] = 6 + i, keys.key[keys.count++] = SDLK_n;
    window_hooks hooks = {.before_frame = push_keys, .user = &keys, .lockstep = true};
    window_report rep;
    memset(&rep, 0, sizeof rep);
    const char *args[] = {"--paused", "--frames", "24", "--images", LF_SOURCE_DATA_DIR,
                          "--size", "64", "--layout-out", layout_path};
    assert_int_equal(tw_run(&hooks, &rep, args, 9), EXIT_OK);
    assert_int_equal(rep.races_started, 1);
    assert_int_equal(rep.race_first_step, 10);
    assert_int_equal(rep.race_step, 10);
    const char *const data[] = {"--images", LF_SOURCE_DATA_DIR, "--size", "64"};
    assert_true(rep.race_first_rel_err == expected_rel_err(data, 4, NULL, 10));
    assert_true(rep.race_rel_err == expected_rel_err(data, 4, "--optimizer adam", 10));
    assert_true(rep.race_rel_err != rep.race_first_rel_err);
    /* The legend names both runs, with the chart. */
    size_t size;
    char *json = tu_read_file(layout_path, &size);
    assert_non_null(strstr(json, "\"text\": \"Adam lr 0.001\""));
    assert_non_null(strstr(json, "\"text\": \"SGD lr 0.01\""));
    free(json);
    for (const char *const *p = (const char *const[]){"race_learned", "race_lead",
                                                      "learned", "true", "chart", NULL};
         *p; p++)
        if (!layout_has(layout_path, *p))
            fail_msg("the layout has no panel %s", *p);
    /* learned − true gives its place to the second run's kernel, and the
     * step just taken is not explained over it: a race compares two runs. */
    assert_false(layout_has(layout_path, "diff"));
    assert_false(layout_has(layout_path, "step"));
    unlink(layout_path);
}

/* --race says what differs: the same steps with another learning rate. */
static void test_race_options(void **state)
{
    (void)state;
    keys_at keys = {.count = 0};
    keys.frame[keys.count] = 2, keys.key[keys.count++] = SDLK_c;
    for (int i = 0; i < 6; i++)
        keys.frame[keys.count] = 4 + i, keys.key[keys.count++] = SDLK_n;
    keys.frame[keys.count] = 12, keys.key[keys.count++] = SDLK_r; /* reset: both at 0 */
    for (int i = 0; i < 3; i++)
        keys.frame[keys.count] = 14 + i, keys.key[keys.count++] = SDLK_n;
    window_hooks hooks = {.before_frame = push_keys, .user = &keys, .lockstep = true};
    window_report rep;
    memset(&rep, 0, sizeof rep);
    const char *args[] = {"--paused", "--frames", "22", "--images", LF_SOURCE_DATA_DIR,
                          "--size", "64", "--race", "--lr 0.03 --batch 2"};
    assert_int_equal(tw_run(&hooks, &rep, args, 9), EXIT_OK);
    assert_int_equal(rep.race_step, 3);
    assert_int_equal(rep.race_first_step, 3);
    const char *const data[] = {"--images", LF_SOURCE_DATA_DIR, "--size", "64"};
    assert_true(rep.race_rel_err == expected_rel_err(data, 4, "--lr 0.03 --batch 2", 3));
    assert_true(rep.race_first_rel_err == expected_rel_err(data, 4, NULL, 3));
}

/* Running at a fixed pace: both advance, at the same pace. */
static void test_race_running(void **state)
{
    (void)state;
    keys_at keys = {.count = 1, .frame = {3}, .key = {SDLK_c}};
    window_hooks hooks = {.before_frame = push_keys, .user = &keys, .lockstep = true};
    window_report rep;
    memset(&rep, 0, sizeof rep);
    const char *args[] = {"--frames", "90", "--speed", "600", "--images", LF_SOURCE_DATA_DIR,
                          "--size", "64"};
    assert_int_equal(tw_run(&hooks, &rep, args, 8), EXIT_OK);
    assert_int_equal(rep.races_started, 1);
    /* 86 frames of 1/60 s at 600 steps/s: about 860 steps each. */
    assert_in_range(rep.race_step, 600, 1000);
    assert_in_range(rep.race_first_step, 600, 1000);
    long gap = rep.race_step - rep.race_first_step;
    assert_in_range(gap < 0 ? -gap : gap, 0, 20); /* two frames' steps at most */
}

/* Another change to the first run (a learning rate) ends the race. */
static void test_change_ends_race(void **state)
{
    (void)state;
    keys_at keys = {.count = 2, .frame = {2, 5}, .key = {SDLK_c, SDLK_UP}};
    window_hooks hooks = {.before_frame = push_keys, .user = &keys, .lockstep = true};
    window_report rep;
    memset(&rep, 0, sizeof rep);
    const char *args[] = {"--paused", "--frames", "10", "--images", LF_SOURCE_DATA_DIR,
                          "--size", "64"};
    assert_int_equal(tw_run(&hooks, &rep, args, 7), EXIT_OK);
    assert_int_equal(rep.races_started, 1);
    assert_int_equal(rep.race_step, 0); /* no race at the end */
    assert_int_equal(rep.race_first_step, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_race_steps_both),
        cmocka_unit_test(test_race_options),
        cmocka_unit_test(test_race_running),
        cmocka_unit_test(test_change_ends_race),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
