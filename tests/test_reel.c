/*
 * test_reel.c: the reel (reel.h): which steps it keeps, which it shows,
 * what each frame says, and how long it plays.
 *
 * A trainer runs a few thousand steps as the headless --reel run does,
 * keeping the reel's points; beside it the test writes down the kernel
 * error after every step on its own. Each frame's caption, read from the
 * texts the frame drew, must name a step the run took and the error the
 * run had at that step, printed as the test prints it. The GIF written is
 * decoded: as many frames as the reel chose, 10 s in all, the last 2 s.
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

#include "cli.h"
#include "reel.h"
#include "setup.h"
#include "test_gif_read.h"
#include "test_util.h"

#define RUN_STEPS 3000

static double errors[RUN_STEPS + 1]; /* the run's kernel error after each step */

/* A small run's setup: one photo, 64x64 patches, Sobel x. */
static void make_setup(app_setup *setup)
{
    char *argv[] = {"learnfilter", "--headless", "--images", LF_SOURCE_DATA_DIR "/astronaut.jpg",
                    "--size", "64", "--threads", "1"};
    cli_options o;
    lf_error err;
    assert_true(cli_parse(8, argv, &o, &err));
    assert_int_equal(app_setup_create(setup, &o, NULL, NULL, NULL, &err), LF_OK);
}

/* "Step 1,234 · error 12.34%", written here without the program's code. */
static void expected_caption(char *out, size_t size, long step, double rel_err)
{
    char digits[32], grouped[48];
    snprintf(digits, sizeof digits, "%ld", step);
    int n = (int)strlen(digits), g = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    grouped[g] = 0;
    snprintf(out, size, "Step %s \xc2\xb7 error %.2f%%", grouped, 100.0 * rel_err);
}

typedef struct seen {
    int frames;
    long steps[REEL_FRAMES];
    char mismatch[512];
} seen;

static void on_frame(void *user, int index, const reel_point *p, const char *caption)
{
    seen *s = user;
    if (index != s->frames || index >= REEL_FRAMES)
        snprintf(s->mismatch, sizeof s->mismatch, "frame %d came as %d", s->frames, index);
    if (index < REEL_FRAMES)
        s->steps[index] = p->step;
    s->frames++;
    char want[128];
    if (p->step < 0 || p->step > RUN_STEPS) {
        snprintf(s->mismatch, sizeof s->mismatch, "frame %d at step %ld: not a step of the run",
                 index, p->step);
        return;
    }
    expected_caption(want, sizeof want, p->step, errors[p->step]);
    if (strcmp(want, caption) != 0 && !s->mismatch[0])
        snprintf(s->mismatch, sizeof s->mismatch, "frame %d: drew '%s', the run had '%s'", index,
                 caption, want);
}

static void test_frames_follow_the_run(void **state)
{
    (void)state;
    app_setup setup;
    make_setup(&setup);
    lf_trainer *t = setup.trainer;
    reel_history h;
    lf_error err;
    assert_int_equal(reel_history_init(&h, 3, 3, &err), LF_OK);
    reel_history_observe_trainer(&h, t, true);
    errors[0] = lf_trainer_figures(t)->rel_err;
    for (int i = 1; i <= RUN_STEPS; i++) {
        assert_int_equal(lf_trainer_step(t, &err), LF_OK);
        errors[i] = lf_trainer_figures(t)->rel_err;
        assert_int_equal(lf_trainer_figures(t)->step, i);
        if (reel_history_due(&h, i))
            reel_history_observe_trainer(&h, t, false);
    }
    reel_history_observe_trainer(&h, t, true);
    /* Log-spaced, 20 to a factor of ten: every step to 9, then 11, 13, ...,
     * 3000 itself last. */
    assert_int_equal(h.points[0].step, 0);
    for (int i = 1; i < 10; i++)
        assert_int_equal(h.points[i].step, i);
    assert_int_equal(h.points[h.count - 1].step, RUN_STEPS);
    for (int i = 10; i + 1 < h.count; i++) {
        double ratio = (double)h.points[i + 1].step / h.points[i].step;
        assert_true(ratio > 1.0 && ratio < 1.25); /* 10^(1/20) = 1.122, with rounding */
    }
    assert_in_range(h.count, 50, 65); /* the first ten, and 20 log10(3000 / 10) */

    char dir[64], path[512];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/reel.gif", dir);
    seen s = {0};
    reel_options ro = {.width = 640, .height = 360, .on_frame = on_frame, .user = &s};
    int frames = 0;
    assert_int_equal(reel_write_trainer(path, &h, t, &ro, &frames, &err), LF_OK);
    if (s.mismatch[0])
        fail_msg("%s", s.mismatch);
    assert_int_equal(frames, h.count); /* fewer than REEL_FRAMES: every point */
    assert_int_equal(s.frames, h.count);
    for (int i = 0; i < frames; i++)
        assert_int_equal(s.steps[i], h.points[i].step);
    /* The schedule the window's reel follows is this run's, from its ends. */
    long schedule[REEL_FRAMES];
    assert_int_equal(reel_schedule_steps(0, RUN_STEPS, schedule, REEL_FRAMES), frames);
    for (int i = 0; i < frames; i++)
        assert_int_equal(schedule[i], s.steps[i]);

    gif_read_result g = gif_read(path, -1);
    assert_true(g.ok);
    assert_int_equal(g.width, 640);
    assert_int_equal(g.height, 360);
    assert_int_equal(g.frames, frames);
    int total = 0;
    for (int i = 0; i < g.frames; i++)
        total += g.delays[i];
    assert_int_equal(total, 1000);               /* REEL_SECONDS */
    assert_int_equal(g.delays[g.frames - 1], 200); /* the last frame holds */
    for (int i = 0; i + 1 < g.frames; i++)       /* 8 s shared evenly */
        assert_in_range(g.delays[i], 800 / (g.frames - 1), 800 / (g.frames - 1) + 1);
    tu_remove_tree(dir);
    reel_history_deinit(&h);
    app_setup_destroy(&setup);
}

/* A long history is thinned rather than cut: at most REEL_MAX_POINTS, the
 * first and the newest kept, still increasing; a reel shows REEL_FRAMES,
 * first and last among them. */
static void test_long_history_is_thinned(void **state)
{
    (void)state;
    reel_history h;
    lf_error err;
    assert_int_equal(reel_history_init(&h, 1, 2, &err), LF_OK);
    float w[2] = {0.5f, -0.5f};
    long added = 0;
    for (long step = 0; step <= 1000000000000000L; step++) { /* 10 + 20 x 14 > 256 */
        if (!reel_history_due(&h, step)) {
            step = h.next_step - 1; /* skip to the next due step */
            continue;
        }
        reel_point p = {.step = step, .rel_err = 1.0f / (float)(step + 1)};
        reel_history_add(&h, &p, w, 2);
        added++;
    }
    assert_true(added > REEL_MAX_POINTS);
    assert_true(h.count <= REEL_MAX_POINTS);
    assert_true(h.per_decade < REEL_PER_DECADE);
    assert_int_equal(h.points[0].step, 0);
    for (int i = 0; i + 1 < h.count; i++)
        assert_true(h.points[i + 1].step > h.points[i].step);
    int idx[REEL_FRAMES];
    int n = reel_frame_points(&h, idx, REEL_FRAMES);
    assert_int_equal(n, REEL_FRAMES);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[n - 1], h.count - 1);
    for (int i = 0; i + 1 < n; i++)
        assert_true(idx[i + 1] > idx[i]);
    /* The schedule from the run's ends alone is the same, thinning and all. */
    long schedule[REEL_FRAMES];
    assert_int_equal(reel_schedule_steps(0, h.points[h.count - 1].step, schedule, REEL_FRAMES),
                     n);
    for (int i = 0; i < n; i++)
        assert_int_equal(schedule[i], h.points[idx[i]].step);
    /* Fewer weights than the shape are padded with zeros. */
    reel_point p = {.step = 2000000000000000L};
    reel_history_add(&h, &p, w, 1);
    const float *kept = h.weights + (size_t)(h.count - 1) * 2;
    assert_true(kept[0] == 0.5f && kept[1] == 0.0f);
    reel_history_deinit(&h);
}

/* Nothing to show, or the wrong kernel: refused, no file. */
static void test_refusals(void **state)
{
    (void)state;
    char dir[64], path[512];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/empty.gif", dir);
    reel_history h;
    lf_error err;
    assert_int_equal(reel_history_init(&h, 3, 3, &err), LF_OK);
    lf_snapshot s = {0};
    assert_int_equal(reel_write(path, &h, &s, NULL, NULL, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "no steps"));
    assert_false(tu_file_exists(path));
    reel_history_deinit(&h);
    assert_int_equal(reel_history_init(&h, 0, 3, &err), LF_ERR_ARGUMENT);
    tu_remove_tree(dir);
}

/* The stored state nearest to each wanted step, each once: against a
 * search of every state for every step. */
static void test_nearest_held_states(void **state)
{
    (void)state;
    long held[12];
    int count = 0;
    for (long step = 0; step <= 640; step += 64)
        held[count++] = step;
    held[count++] = 700; /* the latest point, off the stride */
    long wanted[REEL_FRAMES];
    int nw = reel_schedule_steps(0, 700, wanted, REEL_FRAMES);
    assert_true(nw > count);
    int chosen[REEL_FRAMES], want[REEL_FRAMES], nwant = 0;
    for (int i = 0; i < nw; i++) {
        int best = 0;
        for (int k = 1; k < count; k++)
            if (labs(held[k] - wanted[i]) < labs(held[best] - wanted[i]))
                best = k; /* strictly nearer: a tie keeps the earlier */
        if (nwant == 0 || want[nwant - 1] != best)
            want[nwant++] = best;
    }
    int n = reel_choose_held(held, count, wanted, nw, chosen, REEL_FRAMES);
    assert_int_equal(n, nwant);
    for (int i = 0; i < n; i++)
        assert_int_equal(chosen[i], want[i]);
    /* The first and the latest are always in; steps 1..9 all go to 0. */
    assert_int_equal(chosen[0], 0);
    assert_int_equal(chosen[n - 1], count - 1);
    /* A tie (32 between 0 and 64) takes the earlier. */
    long one[1] = {32};
    assert_int_equal(reel_choose_held(held, count, one, 1, chosen, REEL_FRAMES), 1);
    assert_int_equal(chosen[0], 0);
    /* The capacity holds. */
    assert_int_equal(reel_choose_held(held, count, wanted, nw, chosen, 3), 3);
    assert_int_equal(reel_choose_held(held, 0, wanted, nw, chosen, REEL_FRAMES), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_follow_the_run),
        cmocka_unit_test(test_long_history_is_thinned),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_nearest_held_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
