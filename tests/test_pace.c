/*
 * test_pace.c: the window's pace and its stop at the tolerance.
 *
 * The pace arithmetic (pace.h: steps per second from a kernel's expected
 * steps), the + and - ladder, the speed in words, the step keys, --speed on the command line, the
 * loss chart's axes, names matched without case with "did you mean", and
 * the worker stopping at the tolerance and training on after Space. The
 * worker tests are bounded by steps (step requests, the tolerance itself),
 * not by the clock: a wait only gives up on a worker that hangs.
 */
#include "test_data_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "chart.h"
#include "cli.h"
#include "input.h"
#include "learnfilter/kernel.h"
#include "learnfilter/names.h"
#include "learnfilter/rng.h"
#include "worker.h"

/* ============================================================ the pace */

static void test_pace_arithmetic(void **state)
{
    (void)state;
    /* expected / 30 s, to two significant figures, at least 60. */
    assert_true(pace_for_steps(30695) == 1000);  /* 1023.2 */
    assert_true(pace_for_steps(30450) == 1000);  /* 1015 */
    assert_true(pace_for_steps(46582) == 1600);  /* 1552.7 */
    assert_true(pace_for_steps(389109) == 13000); /* 12970.3 */
    assert_true(pace_for_steps(18597) == 620);   /* 619.9 */
    assert_true(pace_for_steps(96069) == 3200);  /* 3202.3 */
    assert_true(pace_for_steps(3000) == 100);
    assert_true(pace_for_steps(1000) == 60);     /* 33.3: one step per frame at least */
    assert_true(pace_for_steps(1) == 60);
    assert_true(pace_for_steps(0) == 0);         /* not learned in minutes: no limit */
    assert_true(pace_for_steps(pace_expected_steps(lf_kernel_catalog_find("gaussian-50"))) == 0);
    /* The catalog is the one owner of the steps; a file kernel gets the
     * stand-in figure. */
    assert_int_equal(pace_expected_steps(lf_kernel_catalog_find("sobel-x")), 30695);
    assert_int_equal(pace_expected_steps(lf_kernel_catalog_find("smiley")), 389109);
    assert_int_equal(pace_expected_steps(-1), LF_KERNEL_EXPECTED_STEPS_UNKNOWN);
    assert_int_equal(lf_kernel_expected_steps("laplacian"), 46582);
    assert_int_equal(lf_kernel_expected_steps("my-kernel.npy"), LF_KERNEL_EXPECTED_STEPS_UNKNOWN);
    assert_true(pace_for_steps(pace_expected_steps(-1)) == 1700); /* 1666.7 */
    /* Every built-in kernel, at its pace, is learned in 20 to 40 seconds. */
    for (int i = 0; i < lf_kernel_catalog_count(); i++) {
        long steps = lf_kernel_catalog_get(i)->expected_steps;
        if (steps == 0)
            continue; /* gaussian-50: as fast as possible */
        double seconds = steps / pace_for_steps(steps);
        if (seconds < 20 || seconds > 40)
            fail_msg("%s: %.1f s at its pace", lf_kernel_catalog_get(i)->name, seconds);
    }
}

static void test_speed_ladder(void **state)
{
    (void)state;
    assert_true(pace_next(1000, +1) == 3000);
    assert_true(pace_next(1000, -1) == 300);
    assert_true(pace_next(1600, +1) == 3000); /* a pace between two levels */
    assert_true(pace_next(1600, -1) == 1000);
    assert_true(pace_next(30000, +1) == 0);   /* then no limit */
    assert_true(pace_next(50000, +1) == 0);
    assert_true(pace_next(0, +1) == 0);
    assert_true(pace_next(0, -1) == 30000);
    assert_true(pace_next(60, -1) == 60);
    assert_true(pace_next(10, -1) == 60);     /* --speed 10, then - */
    assert_true(pace_next(10, +1) == 60);
}

static void test_speed_words(void **state)
{
    (void)state;
    char w[128];
    pace_words(w, sizeof w, 1000, 30695, 0);
    assert_string_equal(w, "speed: 1,000 steps/s (about 31 s to learn)");
    pace_words(w, sizeof w, 1000, 30695, 995); /* measured at the limit */
    assert_string_equal(w, "speed: 1,000 steps/s (about 31 s to learn)");
    pace_words(w, sizeof w, 13000, 389109, 6500); /* the machine is slower */
    assert_string_equal(w, "speed: 13,000 steps/s (about 60 s to learn)");
    pace_words(w, sizeof w, 60, 30695, 0);
    assert_string_equal(w, "speed: 60 steps/s (about 8.5 min to learn)");
    pace_words(w, sizeof w, 1234567, 30695, 0);
    assert_string_equal(w, "speed: 1,234,567 steps/s (under a second to learn)");
    pace_words(w, sizeof w, 0, 30695, 0);
    assert_string_equal(w, "speed: as fast as possible");
    pace_words(w, sizeof w, 0, 30695, 1.5e6);
    assert_string_equal(w, "speed: as fast as possible (under a second to learn)");
    pace_words(w, sizeof w, 1, 30695, 0);
    assert_string_equal(w, "speed: 1 steps/s (about 8.5 h to learn)");
    char tiny[12];
    pace_words(tiny, sizeof tiny, 1000, 30695, 0); /* cut, still a string */
    assert_string_equal(tiny, "speed: 1,00");
}

/* ========================================================== --speed */

static lf_error parse_err;

static bool parse(cli_options *o, const char *a, const char *b, const char *c)
{
    const char *args[] = {"learnfilter", a, b, c, NULL};
    int argc = 1;
    while (args[argc])
        argc++;
    return cli_parse(argc, (char **)args, o, &parse_err);
}

static void expect_error(const char *a, const char *b, const char *c, const char *text)
{
    cli_options o;
    if (parse(&o, a, b, c))
        fail_msg("%s %s was accepted", a, b ? b : "");
    assert_string_equal(parse_err.message, text);
}

static void test_speed_option(void **state)
{
    (void)state;
    cli_options o;
    assert_true(parse(&o, NULL, NULL, NULL));
    assert_true(o.speed == 0); /* the kernel's pace */
    assert_true(parse(&o, "--speed", "1500", NULL));
    assert_true(o.speed == 1500);
    assert_true(parse(&o, "--speed=2.5e3", NULL, NULL));
    assert_true(o.speed == 2500);
    assert_true(parse(&o, "--speed", "max", NULL));
    assert_true(o.speed == CLI_SPEED_MAX);
    assert_true(parse(&o, "--SPEED", "Max", "--paused"));
    assert_true(o.speed == CLI_SPEED_MAX);
    assert_true(o.start_paused);
    assert_true(parse(&o, "--speed", "1", NULL));
    assert_true(o.speed == 1);
    expect_error("--speed", "fast", NULL,
                 "--speed: 'fast' is not a number of steps per second, or max");
    expect_error("--speed", "0", NULL, "--speed: '0' is below 1 step per second (max for no limit)");
    expect_error("--speed", "-5", NULL,
                 "--speed: '-5' is below 1 step per second (max for no limit)");
    expect_error("--speed", "nan", NULL,
                 "--speed: 'nan' is not a number of steps per second, or max");
    expect_error("--speed", "2e7", NULL,
                 "--speed: '2e7' is above 10000000 steps per second (max for no limit)");
    expect_error("--speed", NULL, NULL, "--speed: missing value");
    expect_error("--headless", "--speed", "100",
                 "--speed: only for the window (a headless run trains as fast as it can)");
}

/* ============================================================ names */

static void test_names_without_case_and_near_misses(void **state)
{
    (void)state;
    assert_int_equal(lf_name_distance("Sobel-X", "sobel-x"), 0);
    assert_int_equal(lf_name_distance("sobelx", "sobel-x"), 1);
    assert_int_equal(lf_name_distance("laplacain", "laplacian"), 2);
    assert_int_equal(lf_name_distance("", "box3"), 4);
    assert_int_equal(lf_kernel_catalog_find("SMILEY"), lf_kernel_catalog_find("smiley"));
    assert_true(lf_kernel_catalog_find("smiley") >= 0);
    assert_string_equal(lf_kernel_catalog_closest("sobelx"), "sobel-x");
    assert_string_equal(lf_kernel_catalog_closest("Laplacain"), "laplacian");
    assert_string_equal(lf_kernel_catalog_closest("compass-nw"), "compass-ne");
    assert_null(lf_kernel_catalog_closest("sobel-x"));   /* not a miss */
    assert_null(lf_kernel_catalog_closest("mona-lisa")); /* nothing near */
    assert_null(lf_kernel_catalog_closest("ab"));        /* too short to guess */

    lf_kernel k;
    lf_error err;
    assert_int_equal(lf_kernel_from_name(&k, "Sobel-Y", 1, &err), LF_OK);
    assert_string_equal(k.name, "sobel-y"); /* the catalog's spelling */
    assert_true(k.weights[0] == -1 && k.weights[1] == -2);
    assert_int_equal(lf_kernel_resolve(&k, "LAPLACIAN", 1, &err), LF_OK);
    assert_string_equal(k.name, "laplacian");
    assert_int_equal(lf_kernel_resolve(&k, "sobelx", 1, &err), LF_ERR_INPUT);
    assert_string_equal(err.message, "sobelx: not a built-in kernel (see --list-kernels) and "
                                     "no such file; did you mean sobel-x?");
    assert_int_equal(lf_kernel_resolve(&k, "mona-lisa", 1, &err), LF_ERR_INPUT);
    assert_string_equal(err.message,
                        "mona-lisa: not a built-in kernel (see --list-kernels) and no such file");

    cli_options o;
    assert_true(parse(&o, "--Kernel", "smiley", "--HEADLESS"));
    assert_string_equal(o.kernel, "smiley");
    assert_true(o.headless);
    assert_true(parse(&o, "--optimizer", "ADAM", NULL));
    assert_int_equal(o.optimizer, LF_OPTIMIZER_ADAM);
    assert_true(parse(&o, "--padding", "Valid", NULL));
    assert_int_equal(o.padding, LF_PADDING_VALID);
    expect_error("--kernal", "smiley", NULL, "--kernal: unknown option; did you mean --kernel?");
    expect_error("--headles", NULL, NULL, "--headles: unknown option; did you mean --headless?");
    expect_error("--speeed", "100", NULL, "--speeed: unknown option; did you mean --speed?");
    expect_error("--bogus", NULL, NULL, "--bogus: unknown option (see --help)");
}

/* ============================================================= keys */

static worker_req key_request(SDL_Keycode key, Uint16 mod)
{
    ui_state ui = {0};
    SDL_Event e = {.type = SDL_KEYDOWN};
    e.key.keysym.sym = key;
    e.key.keysym.mod = mod;
    worker_req r;
    assert_true(input_handle_event(&ui, &e, 1.0f, &r));
    return r;
}

static void test_step_keys(void **state)
{
    (void)state;
    worker_req r = key_request(SDLK_n, 0);
    assert_int_equal(r.kind, WORKER_REQ_STEP);
    assert_int_equal(r.value, 1);
    r = key_request(SDLK_n, KMOD_LSHIFT);
    assert_int_equal(r.kind, WORKER_REQ_STEP);
    assert_int_equal(r.value, 10);
    r = key_request(SDLK_PERIOD, 0);
    assert_int_equal(r.value, 1);
    r = key_request(SDLK_e, 0);
    assert_int_equal(r.kind, WORKER_REQ_STEP);
    assert_int_equal(r.value, WORKER_STEP_EPOCH);
    r = key_request(SDLK_MINUS, 0);
    assert_int_equal(r.kind, WORKER_REQ_SPEED);
    assert_int_equal(r.value, -1);
}

/* ============================================================ chart */

static void test_chart_axes(void **state)
{
    (void)state;
    assert_true(chart_step_axis_end(0) == 10);
    assert_true(chart_step_axis_end(10) == 10);
    assert_true(chart_step_axis_end(11) == 20);
    assert_true(chart_step_axis_end(30695) == 50000);
    assert_true(chart_step_axis_end(50001) == 100000);
    assert_true(chart_step_axis_end(3000000) == 5000000);
    /* log(step) / log(end): every decade the same width */
    assert_true(chart_step_position(1, 1000) == 0);
    assert_true(chart_step_position(0, 1000) == 0);
    assert_true(fabs(chart_step_position(10, 1000) - 1.0 / 3) < 1e-12);
    assert_true(fabs(chart_step_position(100, 1000) - 2.0 / 3) < 1e-12);
    assert_true(chart_step_position(1000, 1000) == 1);
    assert_true(chart_step_position(1e6, 1000) == 1);
    /* The learning phase of Sobel x (its first thousand steps) takes most
     * of the width even after a million steps: with a linear axis it
     * would be 0.1% of it. */
    assert_true(chart_step_position(1000, chart_step_axis_end(1000000)) >= 0.5);

    double ticks[8];
    assert_int_equal(chart_step_ticks(50000, ticks, 8), 5);
    assert_true(ticks[0] == 1 && ticks[1] == 10 && ticks[4] == 10000);
    assert_int_equal(chart_step_ticks(1e30, ticks, 8), 8); /* clamped to the capacity */
    assert_int_equal(chart_step_ticks(1e30, ticks, 0), 0);
    char label[16];
    chart_step_label(label, sizeof label, 1);
    assert_string_equal(label, "1");
    chart_step_label(label, sizeof label, 100);
    assert_string_equal(label, "100");
    chart_step_label(label, sizeof label, 1000);
    assert_string_equal(label, "1k");
    chart_step_label(label, sizeof label, 50000);
    assert_string_equal(label, "50k");
    chart_step_label(label, sizeof label, 1e7);
    assert_string_equal(label, "10M");

    int lo, hi;
    /* Adam's loss at the float floor: 8 decades below the first loss. */
    chart_loss_decades(0.08, 1e-38, 0.1, &lo, &hi);
    assert_int_equal(hi, -1);
    assert_int_equal(lo, -9);
    chart_loss_decades(0.08, 2e-5, 0.08, &lo, &hi); /* within 8 decades: all of it */
    assert_int_equal(hi, -1);
    assert_int_equal(lo, -5);
    chart_loss_decades(NAN, 3e-4, 3e-4, &lo, &hi); /* one value: one decade */
    assert_int_equal(hi, -3);
    assert_int_equal(lo, -4);
}

/* Histories no run should make, and some a long one does: every point the
 * chart draws stays inside the plot, whatever the numbers. */
static void test_chart_points_stay_in_the_plot(void **state)
{
    (void)state;
    static lf_history h; /* large: not on the stack */
    memset(&h, 0, sizeof h);
    const float losses[] = {1e-38f, 1.4e-45f, 3.4e38f, INFINITY, NAN, -1.0f, 0.0f, 0.08f,
                            1e-20f, 2.0f};
    const long steps[] = {1, 0, -5, 1000000000L, LONG_MAX, 7, 2, 1L << 40, 3, 9};
    int n = (int)(sizeof losses / sizeof losses[0]);
    for (int i = 0; i < n; i++) {
        h.points[i].step = steps[i];
        h.points[i].train_loss = losses[i];
        h.points[i].val_loss = losses[n - 1 - i];
    }
    h.count = n;
    layout_rect plot = {100, 50, 400, 200};
    SDL_FPoint points[LF_HISTORY_MAX + 1];
    /* The axes a 1e-38 loss and a huge one give, and axes that do not
     * even hold the values. */
    const int axes[][2] = {{-9, -1}, {-38, 39}, {0, 1}, {5, 5}, {3, -3}};
    const double ends[] = {10, 1e12, 1e30};
    for (int a = 0; a < 5; a++)
        for (int e = 0; e < 3; e++)
            for (int v = 0; v < 2; v++) {
                int got = chart_curve_points(&h, v == 1, plot, ends[e], axes[a][0], axes[a][1],
                                             points, LF_HISTORY_MAX + 1);
                /* The positive finite losses, no more: 1e-38, the denormal,
                 * 3.4e38, 0.08, 1e-20 and 2. */
                assert_int_equal(got, 6);
                for (int i = 0; i < got; i++) {
                    assert_true(points[i].x >= 100 && points[i].x <= 499);
                    assert_true(points[i].y >= 50 && points[i].y <= 249);
                }
            }
    /* The capacity bounds what is written. */
    assert_int_equal(chart_curve_points(&h, false, plot, 10, -9, -1, points, 2), 2);
    /* On the axis of a 1e-38 run, 8 decades under 0.08, the floor losses
     * sit on the bottom edge and 0.08 near the top. */
    int got = chart_curve_points(&h, false, plot, 10, -9, -1, points, LF_HISTORY_MAX + 1);
    assert_int_equal(got, 6);
    assert_true(points[0].y == 249); /* 1e-38 */
    assert_true(points[0].x == 100); /* step 1 */
    assert_true(points[2].y == 50);  /* 3.4e38, above the axis: on its top */
    /* A very long run: a step past the axis end sits at its right edge. */
    assert_true(points[3].x == 499 || points[4].x == 499);
}

/* =========================================================== worker */

static void sleep_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Two smooth pictures with some texture, cut into 32x32 patches: a
 * dataset Sobel x converges on in a few thousand steps. */
static worker *start_worker(bool paused, double speed)
{
    app_setup s;
    memset(&s, 0, sizeof s);
    lf_image images[2];
    lf_rng rng;
    lf_rng_seed(&rng, 7);
    for (int k = 0; k < 2; k++) {
        const td_wave wave = {.base = 0.5, .amplitude = 0.3, .sin_x = 0.3, .phase = k,
                              .cos_y = 0.2, .grain = 0.1};
        td_wave_image(&images[k], 64, 64, &rng, &wave);
    }
    lf_dataset_options d = {.patch_size = 32, .validation_fraction = 0.25f, .seed = 1};
    td_dataset(&s.dataset, images, 2, &d);
    assert_int_equal(lf_kernel_from_name(&s.kernel, "sobel-x", 1, NULL), LF_OK);
    lf_trainer_options t = {.target = s.kernel, .seed = 1};
    s.trainer = lf_trainer_create(&t, &s.dataset, NULL);
    assert_non_null(s.trainer);
    worker_options o = {.start_paused = paused, .speed = speed};
    lf_error err;
    worker *w = worker_create(&s, &o, &err);
    assert_non_null(w);
    app_setup_destroy(&s);
    return w;
}

typedef struct seen {
    worker_state state;
    long step, converged_step;
    int epoch, step_in_epoch;
    double rel_err, speed;
    bool past;
    unsigned generation;
    unsigned long taken;
} seen;

static seen look(worker *w)
{
    const worker_frame *f = worker_acquire_frame(w, NULL);
    return (seen){f->state,
                  f->snap.figures.step,
                  f->snap.figures.converged_step,
                  f->snap.figures.epoch,
                  f->snap.figures.step_in_epoch,
                  f->snap.figures.rel_err,
                  f->speed,
                  f->trains_past_tolerance,
                  f->generation,
                  f->requests_taken};
}

static unsigned long sent;

static void send(worker *w, worker_req_kind kind, int value)
{
    worker_req r = {.kind = kind, .value = value};
    assert_true(worker_request(w, &r));
    sent++;
}

/* Waits until the worker has carried out every request sent and published
 * the result. Only a hung worker makes it give up. */
static seen settle(worker *w)
{
    for (int i = 0; i < 60000; i++) {
        seen s = look(w);
        if (s.taken >= sent)
            return s;
        sleep_ms(1);
    }
    fail_msg("the worker did not take its requests");
    return look(w);
}

static void test_step_requests_and_the_stop(void **state)
{
    (void)state;
    sent = 0;
    worker *w = start_worker(true, 0);
    seen a = look(w);
    assert_int_equal(a.state, WORKER_PAUSED);
    assert_true(a.speed == 1000); /* sobel-x's pace, also when paused */
    send(w, WORKER_REQ_STEP, 1);
    assert_int_equal(settle(w).step, 1);
    send(w, WORKER_REQ_STEP, 10); /* Shift+N */
    seen b = settle(w);
    assert_int_equal(b.step, 11);
    send(w, WORKER_REQ_STEP, WORKER_STEP_EPOCH); /* E: to the end of the epoch */
    seen c = settle(w);
    assert_int_equal(c.step_in_epoch, 0);
    assert_int_equal(c.epoch, b.epoch + 1);
    assert_int_equal(c.state, WORKER_PAUSED);
    /* A long run of steps stops exactly where the tolerance is reached. */
    send(w, WORKER_REQ_STEP, WORKER_STEP_MAX);
    seen d = settle(w);
    assert_int_equal(d.state, WORKER_CONVERGED);
    assert_true(d.converged_step > c.step);
    assert_int_equal(d.step, d.converged_step);
    assert_true(d.rel_err <= 0.01);
    assert_false(d.past);
    worker_destroy(w);
}

static void test_running_worker_stops_at_the_tolerance(void **state)
{
    (void)state;
    sent = 0;
    worker *w = start_worker(false, -1); /* as fast as possible */
    /* Wait for the stop: a worker that never stops hangs here until the
     * bound, and fails. */
    seen a = look(w);
    for (int i = 0; i < 60000 && a.state != WORKER_CONVERGED; i++) {
        sleep_ms(1);
        a = look(w);
    }
    assert_int_equal(a.state, WORKER_CONVERGED);
    assert_true(a.speed == 0);
    /* Stopped: the count no longer grows, whatever else the worker does. */
    for (int i = 0; i < 5; i++) {
        send(w, WORKER_REQ_SAMPLE_NEXT, +1);
        seen b = settle(w);
        assert_int_equal(b.state, WORKER_CONVERGED);
        assert_int_equal(b.step, a.converged_step);
        assert_false(b.past);
    }
    /* Space trains on past the tolerance, without stopping again. */
    send(w, WORKER_REQ_PAUSE_TOGGLE, 0);
    seen c = settle(w);
    assert_true(c.past);
    for (int i = 0; i < 60000 && c.step < a.step + 5000; i++) {
        sleep_ms(1);
        c = look(w);
    }
    assert_true(c.step >= a.step + 5000);
    assert_int_equal(c.state, WORKER_CONVERGED); /* running, within the tolerance */
    assert_int_equal(c.converged_step, a.converged_step);
    /* A reset forgets it: the next run stops at the tolerance again. */
    send(w, WORKER_REQ_RESET, 0);
    seen d = settle(w);
    assert_false(d.past);
    for (int i = 0; i < 60000 && d.state != WORKER_CONVERGED; i++) {
        sleep_ms(1);
        d = look(w);
    }
    assert_int_equal(d.state, WORKER_CONVERGED);
    send(w, WORKER_REQ_SAMPLE_NEXT, +1);
    seen e = settle(w);
    assert_int_equal(e.step, e.converged_step);
    assert_int_equal(e.step, a.converged_step); /* the same run again */
    worker_destroy(w);
}

static void test_kernel_switch_takes_its_pace(void **state)
{
    (void)state;
    sent = 0;
    worker *w = start_worker(true, 250); /* --speed 250 */
    assert_true(settle(w).speed == 250);
    send(w, WORKER_REQ_SPEED, +1);
    assert_true(settle(w).speed == 300);
    send(w, WORKER_REQ_SPEED, -1);
    send(w, WORKER_REQ_SPEED, -1);
    assert_true(settle(w).speed == 60);
    send(w, WORKER_REQ_KERNEL, lf_kernel_catalog_find("laplacian"));
    assert_true(settle(w).speed == 1600);
    worker_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pace_arithmetic),
        cmocka_unit_test(test_speed_ladder),
        cmocka_unit_test(test_speed_words),
        cmocka_unit_test(test_speed_option),
        cmocka_unit_test(test_names_without_case_and_near_misses),
        cmocka_unit_test(test_step_keys),
        cmocka_unit_test(test_chart_axes),
        cmocka_unit_test(test_chart_points_stay_in_the_plot),
        cmocka_unit_test(test_step_requests_and_the_stop),
        cmocka_unit_test(test_running_worker_stops_at_the_tolerance),
        cmocka_unit_test(test_kernel_switch_takes_its_pace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
