/*
 * test_worker.c: the training thread and its hand-over.
 *
 * Each test builds a small dataset in memory (two 64x64 pictures cut into
 * 32x32 patches), starts a worker on it and talks to it only the way the
 * window does: requests in, published frames out. The worker runs on a
 * simulated clock (clock.h), so "one second at 60 steps a second" is
 * exactly 60 steps on any machine.
 */
#define _DEFAULT_SOURCE /* mkstemps, with POSIX */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_data_util.h"
#include "learnfilter/png.h"
#include "learnfilter/rng.h"
#include "worker.h"

/* Every worker here runs on simulated time: a verdict never depends on how
 * fast the machine is, only on the work asked for. One worker at a time. */
static app_fake_clock fake;

static void sleep_real_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
    nanosleep(&ts, NULL);
}

/* Two smooth pictures with some texture: patches with edges in them. */
static void make_setup(app_setup *s, const char *kernel)
{
    memset(s, 0, sizeof *s);
    lf_image images[2];
    lf_rng rng;
    lf_rng_seed(&rng, 7);
    for (int k = 0; k < 2; k++) {
        const td_wave wave = {.base = 0.5, .amplitude = 0.3, .sin_x = 0.3, .phase = k,
                              .cos_y = 0.2, .grain = 0.1};
        td_wave_image(&images[k], 64, 64, &rng, &wave);
    }
    lf_dataset_options d = {.patch_size = 32, .validation_fraction = 0.25f, .seed = 1};
    td_dataset(&s->dataset, images, 2, &d);
    assert_int_equal(lf_kernel_from_name(&s->kernel, kernel, 1, NULL), LF_OK);
    lf_trainer_options t = {.target = s->kernel, .seed = 1};
    s->trainer = lf_trainer_create(&t, &s->dataset, NULL);
    assert_non_null(s->trainer);
}

/* speed: steps per second, 0 for the kernel's pace (sobel-x: 1,000). */
static worker *start_at(bool paused, double speed)
{
    app_setup s;
    make_setup(&s, "sobel-x");
    app_fake_clock_init(&fake, 10 * APP_NS_PER_S);
    worker_options o = {.start_paused = paused, .speed = speed, .clock = app_fake_clock_get(&fake)};
    lf_error err;
    worker *w = worker_create(&s, &o, &err);
    assert_non_null(w);
    assert_null(s.trainer); /* the worker took it */
    app_setup_destroy(&s);
    return w;
}

static worker *start(bool paused) { return start_at(paused, 0); }

static void stop(worker *w)
{
    worker_destroy(w);
    app_fake_clock_deinit(&fake);
}

/* Waits until the worker has carried out every request queued and done all
 * the work due by the simulated time now, and is waiting again. Bounded by
 * work: a worker that never gets there is stopped by the test's time-out. */
static void settle(worker *w)
{
    unsigned long queued, taken, misordered;
    worker_request_counts(w, &queued, &taken, &misordered);
    while (worker_acquire_frame(w, NULL)->requests_taken < queued)
        sleep_real_us(100);
    app_fake_clock_settle(&fake, 1);
}

/* Lets simulated time pass in moves of at most 1 ms, the worker catching
 * up after each, as a real clock would pass for a worker that keeps up. */
static void run_for(worker *w, double seconds)
{
    int64_t left = llround(seconds * 1e9);
    while (left > 0) {
        int64_t move = left < APP_NS_PER_S / 1000 ? left : APP_NS_PER_S / 1000;
        app_fake_clock_advance(&fake, move);
        left -= move;
        settle(w);
    }
}

static bool send(worker *w, worker_req_kind kind, int value, double factor)
{
    worker_req r = {.kind = kind, .value = value, .factor = factor};
    return worker_request(w, &r);
}

/* Copies of what a test looks at, since a frame pointer lives only until
 * the next acquire. */
typedef struct seen {
    worker_state state;
    long step;
    unsigned generation, serial, message_serial;
    bool message_is_error;
    char message[WORKER_MESSAGE_MAX];
    lf_kernel learned, target;
    lf_train_settings settings;
    uint64_t seed;
    int file_count;
} seen;

static seen look(worker *w)
{
    const worker_frame *f = worker_acquire_frame(w, NULL);
    seen s = {f->state,          f->snap.figures.step, f->generation,
              f->serial,         f->message_serial,    f->message_is_error,
              "",                f->snap.learned,      f->snap.target,
              f->snap.settings,  f->snap.seed,         f->file_count};
    memcpy(s.message, f->message, sizeof s.message);
    return s;
}

/* Steps taken so far, counted as they are taken (a published frame may be
 * up to 1/WORKER_FRAME_HZ behind). */
static long steps_done(worker *w)
{
    long steps;
    double seconds;
    worker_totals(w, &steps, &seconds);
    return steps;
}

/* What the worker published once it has done everything asked of it. */
static seen settled(worker *w)
{
    settle(w);
    return look(w);
}

static void test_trains_and_pause_stops_the_weights(void **state)
{
    (void)state;
    worker *w = start(false);
    settle(w);
    long start = steps_done(w);
    /* At sobel-x's pace, 1,000 steps a second: the first was taken at
     * start, the next are due at 1, 2, 3, ... ms, so 100.5 simulated ms
     * hold exactly 100 more. */
    run_for(w, 0.1005);
    assert_int_equal(steps_done(w) - start, 100);
    send(w, WORKER_REQ_PAUSE, 1, 0);
    seen a = settled(w);
    assert_int_equal(a.state, WORKER_PAUSED);
    run_for(w, 0.5);
    seen b = look(w);
    assert_int_equal(b.state, WORKER_PAUSED);
    assert_int_equal(b.step, a.step);
    assert_memory_equal(b.learned.weights, a.learned.weights, sizeof(float) * 9);
    /* And resuming trains again. */
    send(w, WORKER_REQ_PAUSE_TOGGLE, 0, 0);
    settle(w);
    long resumed = steps_done(w); /* the resume took a step at once */
    run_for(w, 0.0505);
    assert_int_equal(steps_done(w) - resumed, 50);
    stop(w);
}

static void test_step_while_paused_advances_exactly_one(void **state)
{
    (void)state;
    worker *w = start(true);
    seen a = look(w);
    assert_int_equal(a.state, WORKER_PAUSED);
    assert_int_equal(a.step, 0);
    send(w, WORKER_REQ_STEP, 0, 0);
    seen b = settled(w);
    assert_int_equal(b.step, 1);
    assert_memory_not_equal(b.learned.weights, a.learned.weights, sizeof(float) * 9);
    run_for(w, 0.2); /* time alone takes no step while paused */
    assert_int_equal(look(w).step, 1);
    for (int i = 0; i < 5; i++)
        send(w, WORKER_REQ_STEP, 0, 0);
    run_for(w, 0.2);
    seen c = look(w);
    assert_int_equal(c.step, 6);
    assert_int_equal(c.state, WORKER_PAUSED);
    stop(w);
}

static void test_reset_and_reseed(void **state)
{
    (void)state;
    worker *w = start(true);
    seen initial = look(w);
    for (int i = 0; i < 3; i++)
        send(w, WORKER_REQ_STEP, 0, 0);
    assert_int_equal(settled(w).step, 3);
    send(w, WORKER_REQ_RESET, 0, 0);
    seen reset = settled(w);
    assert_true(reset.generation > initial.generation);
    assert_int_equal(reset.step, 0);
    assert_int_equal(reset.seed, initial.seed);
    assert_memory_equal(reset.learned.weights, initial.learned.weights, sizeof(float) * 9);
    send(w, WORKER_REQ_RESEED, 0, 0);
    seen reseeded = settled(w);
    assert_true(reseeded.generation > reset.generation);
    assert_int_equal(reseeded.step, 0);
    assert_int_equal(reseeded.seed, initial.seed + 1);
    assert_memory_not_equal(reseeded.learned.weights, initial.learned.weights, sizeof(float) * 9);
    stop(w);
}

static void test_kernel_rate_optimizer(void **state)
{
    (void)state;
    worker *w = start(true);
    seen a = look(w);
    send(w, WORKER_REQ_KERNEL, 1, 0);
    seen b = settled(w);
    assert_true(b.generation > a.generation);
    assert_string_equal(b.target.name, "sobel-y");
    assert_int_equal(b.settings.batch_size, 1); /* sobel-y's own settings */
    send(w, WORKER_REQ_KERNEL_NEXT, -1, 0);
    seen c = settled(w);
    assert_string_equal(c.target.name, "sobel-x");
    send(w, WORKER_REQ_KERNEL_NEXT, -1, 0); /* wraps to the end of the catalog */
    seen d = settled(w);
    assert_string_equal(d.target.name,
                        lf_kernel_catalog_get(lf_kernel_catalog_count() - 1)->name);
    send(w, WORKER_REQ_KERNEL, 0, 0);
    seen e = settled(w);
    float lr = e.settings.learning_rate;
    send(w, WORKER_REQ_LR_SCALE, 0, 10.0);
    seen f = settled(w);
    assert_float_equal(f.settings.learning_rate, lr * 10, lr * 1e-3);
    send(w, WORKER_REQ_OPTIMIZER, 0, 0);
    seen g = settled(w);
    assert_int_equal(g.settings.optimizer, LF_OPTIMIZER_ADAM);
    stop(w);
}

/* Steps taken in one simulated second at the speed the worker is at, from
 * a resume. */
static long steps_in_one_second(worker *w)
{
    send(w, WORKER_REQ_PAUSE, 1, 0);
    settle(w);
    long before = steps_done(w);
    send(w, WORKER_REQ_PAUSE, 0, 0);
    settle(w);
    /* Steps are due at 0, 1/speed, 2/speed, ... from the resume: stop half
     * a millisecond short of the second so none sits on the boundary. */
    run_for(w, 0.9995);
    return steps_done(w) - before;
}

static void test_speed_levels_on_simulated_time(void **state)
{
    (void)state;
    worker *w = start_at(true, 0);
    /* The slowest speed is one step per frame: exactly 60 in a second. */
    for (int i = 0; i < WORKER_SPEED_LEVELS + 2; i++)
        send(w, WORKER_REQ_SPEED, -1, 0);
    assert_int_equal(steps_in_one_second(w), 60);
    /* One level up: 120 a second. */
    send(w, WORKER_REQ_SPEED, 1, 0);
    assert_int_equal(steps_in_one_second(w), 120);
    /* The frame says the speed it trains at. */
    const worker_frame *f = worker_acquire_frame(w, NULL);
    assert_float_equal(f->speed, 120, 0);
    stop(w);
    /* A speed set at launch: 250 a second. */
    w = start_at(true, 250);
    assert_int_equal(steps_in_one_second(w), 250);
    stop(w);
}

/* Paused or between slow steps the thread sleeps: it wakes for a move of
 * the clock, a request or its periodic look, never in a loop of its own. */
static void test_paused_and_slow_workers_sleep(void **state)
{
    (void)state;
    worker *w = start(true);
    settle(w);
    unsigned long wakes = worker_wakes(w);
    for (int i = 0; i < 100; i++) {
        app_fake_clock_advance(&fake, APP_NS_PER_S / 10);
        settle(w);
    }
    /* Ten simulated seconds in 100 moves: at most one wake for each. */
    assert_true(worker_wakes(w) - wakes <= 100);
    assert_int_equal(look(w).step, 0);
    /* At 60 steps a second, a second in 1 ms moves: a wake per move at
     * most (the moves are the only thing that can wake it). */
    for (int i = 0; i < WORKER_SPEED_LEVELS + 2; i++)
        send(w, WORKER_REQ_SPEED, -1, 0);
    send(w, WORKER_REQ_PAUSE, 0, 0);
    settle(w);
    wakes = worker_wakes(w);
    run_for(w, 1.0);
    assert_true(worker_wakes(w) - wakes <= 1000);
    stop(w);
}

static void test_loads_keep_training_on_failure(void **state)
{
    (void)state;
    worker *w = start(false);
    seen a = settled(w);
    worker_req r = {.kind = WORKER_REQ_LOAD};
    snprintf(r.path, sizeof r.path, "/nonexistent/kernel.txt");
    assert_true(worker_request(w, &r));
    seen b = settled(w);
    assert_true(b.message_serial > a.message_serial);
    assert_true(b.message_is_error);
    assert_non_null(strstr(b.message, "/nonexistent/kernel.txt"));
    assert_string_equal(b.target.name, "sobel-x");
    assert_int_equal(b.generation, a.generation);
    run_for(w, 0.01);
    assert_true(look(w).step > b.step); /* still training */

    /* A kernel file becomes the target. */
    char kernel_path[] = "/tmp/lf_test_kernel_XXXXXX";
    int fd = mkstemp(kernel_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "1 2\n3 4\n", 8), 8);
    close(fd);
    snprintf(r.path, sizeof r.path, "%s", kernel_path);
    worker_request(w, &r);
    seen c = settled(w);
    assert_true(c.message_serial > b.message_serial);
    assert_false(c.message_is_error);
    assert_int_equal(c.target.height, 2);
    assert_int_equal(c.target.width, 2);
    assert_float_equal(c.target.weights[3], 4.0f, 0);
    assert_int_equal(c.learned.height, 2);
    unlink(kernel_path);

    /* A picture becomes the training set. */
    static unsigned char pixels[96 * 96 * 4];
    for (int i = 0; i < 96 * 96; i++) {
        pixels[4 * i] = (unsigned char)(i * 7);
        pixels[4 * i + 1] = (unsigned char)(i / 96);
        pixels[4 * i + 2] = 40;
        pixels[4 * i + 3] = 255;
    }
    char image_path[] = "/tmp/lf_test_photo_XXXXXX.png";
    fd = mkstemps(image_path, 4);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(lf_png_write_rgba(image_path, pixels, 96, 96, 96 * 4, NULL), LF_OK);
    snprintf(r.path, sizeof r.path, "%s", image_path);
    worker_request(w, &r);
    seen d = settled(w);
    assert_true(d.message_serial > c.message_serial);
    assert_false(d.message_is_error);
    assert_int_equal(d.file_count, 1);
    assert_true(d.generation > c.generation);
    unlink(image_path);
    run_for(w, 0.01);
    assert_true(look(w).step > d.step);
    stop(w);
}

static void test_images_are_published(void **state)
{
    (void)state;
    worker *w = start(true);
    const worker_images *im = worker_acquire_images(w, NULL);
    assert_true(im->snap.has_images);
    assert_int_equal(im->snap.in_height, 32);
    assert_int_equal(im->snap.out_width, 32);
    int sample = im->snap.sample_patch;
    unsigned serial = im->serial;
    send(w, WORKER_REQ_SAMPLE_NEXT, 1, 0);
    settle(w);
    im = worker_acquire_images(w, NULL);
    assert_true(im->serial != serial);
    assert_int_equal(im->snap.sample_patch, sample + 1);
    stop(w);
}

typedef struct hammer_arg {
    worker *w;
    uint64_t seed;
} hammer_arg;

static void *hammer(void *p)
{
    hammer_arg *a = p;
    lf_rng rng;
    lf_rng_seed(&rng, a->seed);
    for (int i = 0; i < 3000; i++) {
        worker_req r = {.kind = (worker_req_kind)lf_rng_below(&rng, WORKER_REQ_QUIT),
                        .value = (int)lf_rng_below(&rng, 5) - 2,
                        .factor = 0.5 + lf_rng_uniform(&rng)};
        if (r.kind == WORKER_REQ_KERNEL)
            r.value = (int)lf_rng_below(&rng, 4) == 0 ? 2 : 0; /* now and then the smiley */
        if (r.kind == WORKER_REQ_LOAD)
            snprintf(r.path, sizeof r.path, "/nonexistent/%d.png", i);
        worker_request(a->w, &r); /* a full queue refuses; that is fine */
    }
    return NULL;
}

static void test_hammering_requests_then_quit_joins(void **state)
{
    (void)state;
    worker *w = start(false);
    pthread_t threads[2];
    hammer_arg args[2] = {{w, 1}, {w, 2}};
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, hammer, &args[i]);
    /* Meanwhile every frame read is whole: the learned kernel always has
     * the target's shape. */
    for (int i = 0; i < 2000; i++) {
        const worker_frame *f = worker_acquire_frame(w, NULL);
        assert_int_equal(f->snap.learned.height, f->snap.target.height);
        assert_int_equal(f->snap.learned.width, f->snap.target.width);
        const worker_images *im = worker_acquire_images(w, NULL);
        if (im->snap.has_images)
            assert_int_equal(im->snap.in_height, 32);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    /* The queue is not full for ever: the worker takes what was accepted,
     * in order, and quits. */
    send(w, WORKER_REQ_QUIT, 0, 0);
    while (!worker_finished(w))
        sleep_real_us(1000); /* bounded by the test's time-out */
    unsigned long queued, taken, misordered;
    worker_request_counts(w, &queued, &taken, &misordered);
    assert_int_equal(misordered, 0);
    stop(w);
}

static void test_quit_joins_a_running_worker(void **state)
{
    (void)state;
    worker *w = start(false);
    run_for(w, 0.01);
    assert_true(look(w).step >= 5);
    assert_false(worker_finished(w));
    /* Quitting needs no time to pass: the join returns (the test's time-out
     * is the guard). */
    send(w, WORKER_REQ_QUIT, 0, 0);
    while (!worker_finished(w))
        sleep_real_us(1000);
    stop(w);
    /* A paused worker quits too (it sleeps on the queue, which quit wakes). */
    w = start(true);
    settle(w);
    stop(w);
    worker_destroy(NULL);
}

/* Two workers on one simulated clock, as the window's race has them: the
 * second is destroyed while the first goes on. The clock must forget the
 * second's condition variable and mutex, or its next move wakes freed
 * memory (ASan reports it) and settling waits for a waiter that is gone. */
static void test_destroyed_worker_leaves_the_clock(void **state)
{
    (void)state;
    worker *first = start(false);
    app_setup s;
    make_setup(&s, "sobel-x");
    worker_options o = {.clock = app_fake_clock_get(&fake)};
    worker *second = worker_create(&s, &o, NULL);
    assert_non_null(second);
    app_setup_destroy(&s);
    app_fake_clock_advance(&fake, APP_NS_PER_S / 100);
    app_fake_clock_settle(&fake, 2);
    long before = worker_acquire_frame(first, NULL)->snap.figures.step;
    worker_destroy(second);
    run_for(first, 0.1); /* 100 moves of the clock, each settled with one waiter */
    settle(first);
    assert_true(worker_acquire_frame(first, NULL)->snap.figures.step > before);
    stop(first);
}

/* The worker's rewind ring keeps a layer's states (two gray filters, ReLU,
 * pooling) and scrubs back to them: J shows the stored state before the
 * latest point, and End comes back to the latest, exactly as it was. */
static void test_rewind_keeps_a_layer(void **state)
{
    (void)state;
    app_setup s;
    make_setup(&s, "sobel-x");
    lf_trainer_destroy(s.trainer);
    lf_kernel bank = {.height = 3, .width = 3};
    snprintf(bank.name, sizeof bank.name, "two");
    for (int y = 0; y < 3; y++) /* Sobel x and its transpose, Sobel y */
        for (int x = 0; x < 3; x++) {
            bank.weights[y * 3 + x] = s.kernel.weights[y * 3 + x];
            bank.weights[9 + y * 3 + x] = s.kernel.weights[x * 3 + y];
        }
    lf_trainer_options t = {.target = bank, .seed = 1,
                            .layer = {.filters = 2, .pool = 2,
                                      .activation = LF_ACTIVATION_RELU}};
    lf_error err;
    s.trainer = lf_trainer_create(&t, &s.dataset, &err);
    if (!s.trainer)
        fail_msg("%s", err.message);
    app_fake_clock_init(&fake, 10 * APP_NS_PER_S);
    worker_options o = {.start_paused = true, .clock = app_fake_clock_get(&fake)};
    worker *w = worker_create(&s, &o, &err);
    assert_non_null(w);
    app_setup_destroy(&s);
    for (int i = 0; i < 5; i++)
        send(w, WORKER_REQ_STEP, 0, 0);
    settle(w);
    const worker_frame *f = worker_acquire_frame(w, NULL);
    assert_int_equal(f->snap.figures.step, 5);
    assert_true(f->rewind.count >= 5); /* steps 0 to 5 at stride 1 */
    assert_int_equal(f->rewind.steps[0], 0);
    assert_false(f->rewind.scrubbing);
    double latest_err = f->snap.figures.rel_err;
    lf_kernel latest = f->snap.learned;

    send(w, WORKER_REQ_REWIND_MOVE, -1, 0);
    settle(w);
    f = worker_acquire_frame(w, NULL);
    assert_true(f->rewind.scrubbing);
    assert_int_equal(f->rewind.latest_step, 5);
    assert_int_equal(f->snap.figures.step, 4);
    assert_int_equal(f->rewind.view_step, 4);
    assert_true(f->snap.figures.rel_err != latest_err);

    send(w, WORKER_REQ_REWIND, 0, 1e9); /* End: past the latest point */
    settle(w);
    f = worker_acquire_frame(w, NULL);
    assert_false(f->rewind.scrubbing);
    assert_int_equal(f->snap.figures.step, 5);
    assert_true(f->snap.figures.rel_err == latest_err);
    assert_memory_equal(f->snap.learned.weights, latest.weights, sizeof(float) * 9);
    stop(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trains_and_pause_stops_the_weights),
        cmocka_unit_test(test_step_while_paused_advances_exactly_one),
        cmocka_unit_test(test_reset_and_reseed),
        cmocka_unit_test(test_kernel_rate_optimizer),
        cmocka_unit_test(test_speed_levels_on_simulated_time),
        cmocka_unit_test(test_paused_and_slow_workers_sleep),
        cmocka_unit_test(test_loads_keep_training_on_failure),
        cmocka_unit_test(test_images_are_published),
        cmocka_unit_test(test_hammering_requests_then_quit_joins),
        cmocka_unit_test(test_quit_joins_a_running_worker),
        cmocka_unit_test(test_destroyed_worker_leaves_the_clock),
        cmocka_unit_test(test_rewind_keeps_a_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
