/*
 * test_worker.c: the training thread and its hand-over.
 *
 * Each test builds a small dataset in memory (two 64x64 pictures cut into
 * 32x32 patches), starts a worker on it and talks to it only the way the
 * window does: requests in, published frames out.
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

#include "learnfilter/png.h"
#include "learnfilter/rng.h"
#include "worker.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Two smooth pictures with some texture: patches with edges in them. */
static void make_setup(app_setup *s, const char *kernel)
{
    memset(s, 0, sizeof *s);
    lf_image images[2];
    lf_rng rng;
    lf_rng_seed(&rng, 7);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(lf_image_init(&images[k], 64, 64, NULL), LF_OK);
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                images[k].pixels[y * 64 + x] =
                    (float)(0.5 + 0.3 * sin(0.3 * x + k) * cos(0.2 * y) +
                            0.1 * lf_rng_uniform(&rng));
    }
    lf_dataset_options d = {.patch_size = 32, .validation_fraction = 0.25f, .seed = 1};
    assert_int_equal(lf_dataset_from_images(&s->dataset, images, 2, &d, NULL), LF_OK);
    lf_image_deinit(&images[0]);
    lf_image_deinit(&images[1]);
    assert_int_equal(lf_kernel_from_name(&s->kernel, kernel, 1, NULL), LF_OK);
    lf_trainer_options t = {.target = s->kernel, .seed = 1};
    s->trainer = lf_trainer_create(&t, &s->dataset, NULL);
    assert_non_null(s->trainer);
}

static worker *start(bool paused)
{
    app_setup s;
    make_setup(&s, "sobel-x");
    worker_options o = {.start_paused = paused};
    lf_error err;
    worker *w = worker_create(&s, &o, &err);
    assert_non_null(w);
    assert_null(s.trainer); /* the worker took it */
    app_setup_destroy(&s);
    return w;
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

typedef bool (*seen_test)(const seen *s, const void *arg);

/* Polls published frames until test holds; fails after five seconds. */
static seen wait_until(worker *w, seen_test test, const void *arg)
{
    double give_up = now_seconds() + 5;
    for (;;) {
        seen s = look(w);
        if (test(&s, arg))
            return s;
        if (now_seconds() > give_up)
            fail_msg("worker did not reach the expected state (state %d, step %ld)", s.state,
                     s.step);
        sleep_ms(2);
    }
}

static bool is_state(const seen *s, const void *arg) { return s->state == *(const worker_state *)arg; }
static bool step_beyond(const seen *s, const void *arg) { return s->step > *(const long *)arg; }
static bool step_is(const seen *s, const void *arg) { return s->step == *(const long *)arg; }
static bool generation_beyond(const seen *s, const void *arg)
{
    return s->generation > *(const unsigned *)arg;
}
static bool message_beyond(const seen *s, const void *arg)
{
    return s->message_serial > *(const unsigned *)arg;
}

static void test_trains_and_pause_stops_the_weights(void **state)
{
    (void)state;
    worker *w = start(false);
    long ten = 10;
    wait_until(w, step_beyond, &ten);
    send(w, WORKER_REQ_PAUSE, 1, 0);
    worker_state paused = WORKER_PAUSED;
    seen a = wait_until(w, is_state, &paused);
    sleep_ms(150);
    seen b = look(w);
    assert_int_equal(b.state, WORKER_PAUSED);
    assert_int_equal(b.step, a.step);
    assert_memory_equal(b.learned.weights, a.learned.weights, sizeof(float) * 9);
    /* And resuming trains again. */
    send(w, WORKER_REQ_PAUSE_TOGGLE, 0, 0);
    wait_until(w, step_beyond, &b.step);
    worker_destroy(w);
}

static void test_step_while_paused_advances_exactly_one(void **state)
{
    (void)state;
    worker *w = start(true);
    seen a = look(w);
    assert_int_equal(a.state, WORKER_PAUSED);
    assert_int_equal(a.step, 0);
    send(w, WORKER_REQ_STEP, 0, 0);
    long one = 1;
    seen b = wait_until(w, step_is, &one);
    assert_memory_not_equal(b.learned.weights, a.learned.weights, sizeof(float) * 9);
    sleep_ms(100);
    assert_int_equal(look(w).step, 1);
    for (int i = 0; i < 5; i++)
        send(w, WORKER_REQ_STEP, 0, 0);
    long six = 6;
    wait_until(w, step_is, &six);
    sleep_ms(100);
    seen c = look(w);
    assert_int_equal(c.step, 6);
    assert_int_equal(c.state, WORKER_PAUSED);
    worker_destroy(w);
}

static void test_reset_and_reseed(void **state)
{
    (void)state;
    worker *w = start(true);
    seen initial = look(w);
    for (int i = 0; i < 3; i++)
        send(w, WORKER_REQ_STEP, 0, 0);
    long three = 3;
    wait_until(w, step_is, &three);
    send(w, WORKER_REQ_RESET, 0, 0);
    seen reset = wait_until(w, generation_beyond, &initial.generation);
    assert_int_equal(reset.step, 0);
    assert_int_equal(reset.seed, initial.seed);
    assert_memory_equal(reset.learned.weights, initial.learned.weights, sizeof(float) * 9);
    send(w, WORKER_REQ_RESEED, 0, 0);
    seen reseeded = wait_until(w, generation_beyond, &reset.generation);
    assert_int_equal(reseeded.step, 0);
    assert_int_equal(reseeded.seed, initial.seed + 1);
    assert_memory_not_equal(reseeded.learned.weights, initial.learned.weights, sizeof(float) * 9);
    worker_destroy(w);
}

static void test_kernel_rate_optimizer_speed(void **state)
{
    (void)state;
    worker *w = start(true);
    seen a = look(w);
    send(w, WORKER_REQ_KERNEL, 1, 0);
    seen b = wait_until(w, generation_beyond, &a.generation);
    assert_string_equal(b.target.name, "sobel-y");
    assert_int_equal(b.settings.batch_size, 1); /* sobel-y's own settings */
    send(w, WORKER_REQ_KERNEL_NEXT, -1, 0);
    seen c = wait_until(w, generation_beyond, &b.generation);
    assert_string_equal(c.target.name, "sobel-x");
    send(w, WORKER_REQ_KERNEL_NEXT, -1, 0); /* wraps to the end of the catalog */
    seen d = wait_until(w, generation_beyond, &c.generation);
    assert_string_equal(d.target.name,
                        lf_kernel_catalog_get(lf_kernel_catalog_count() - 1)->name);
    send(w, WORKER_REQ_KERNEL, 0, 0);
    seen e = wait_until(w, generation_beyond, &d.generation);
    float lr = e.settings.learning_rate;
    send(w, WORKER_REQ_LR_SCALE, 0, 10.0);
    send(w, WORKER_REQ_STEP, 0, 0); /* a marker: the rate change is taken before it */
    long one = 1;
    seen f = wait_until(w, step_is, &one);
    assert_float_equal(f.settings.learning_rate, lr * 10, lr * 1e-3);
    send(w, WORKER_REQ_OPTIMIZER, 0, 0);
    send(w, WORKER_REQ_STEP, 0, 0);
    long two = 2;
    seen g = wait_until(w, step_is, &two);
    assert_int_equal(g.settings.optimizer, LF_OPTIMIZER_ADAM);
    /* The slowest speed is one step per frame: about 60 a second. */
    for (int i = 0; i < WORKER_SPEED_LEVELS + 2; i++)
        send(w, WORKER_REQ_SPEED, -1, 0);
    send(w, WORKER_REQ_PAUSE, 0, 0);
    worker_state running = WORKER_RUNNING;
    seen h = wait_until(w, is_state, &running);
    sleep_ms(1000);
    long taken = look(w).step - h.step;
    assert_in_range(taken, 30, 90);
    worker_destroy(w);
}

static void test_loads_keep_training_on_failure(void **state)
{
    (void)state;
    worker *w = start(false);
    seen a = look(w);
    worker_req r = {.kind = WORKER_REQ_LOAD};
    snprintf(r.path, sizeof r.path, "/nonexistent/kernel.txt");
    assert_true(worker_request(w, &r));
    seen b = wait_until(w, message_beyond, &a.message_serial);
    assert_true(b.message_is_error);
    assert_non_null(strstr(b.message, "/nonexistent/kernel.txt"));
    assert_string_equal(b.target.name, "sobel-x");
    assert_int_equal(b.generation, a.generation);
    wait_until(w, step_beyond, &b.step); /* still training */

    /* A kernel file becomes the target. */
    char kernel_path[] = "/tmp/lf_test_kernel_XXXXXX";
    int fd = mkstemp(kernel_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "1 2\n3 4\n", 8), 8);
    close(fd);
    snprintf(r.path, sizeof r.path, "%s", kernel_path);
    worker_request(w, &r);
    seen c = wait_until(w, message_beyond, &b.message_serial);
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
    seen d = wait_until(w, message_beyond, &c.message_serial);
    assert_false(d.message_is_error);
    assert_int_equal(d.file_count, 1);
    assert_true(d.generation > c.generation);
    unlink(image_path);
    wait_until(w, step_beyond, &d.step);
    worker_destroy(w);
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
    double give_up = now_seconds() + 5;
    while ((im = worker_acquire_images(w, NULL))->serial == serial && now_seconds() < give_up)
        sleep_ms(2);
    assert_int_equal(im->snap.sample_patch, sample + 1);
    worker_destroy(w);
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
    send(w, WORKER_REQ_QUIT, 0, 0);
    double give_up = now_seconds() + 10;
    while (!worker_finished(w) && now_seconds() < give_up)
        sleep_ms(5);
    assert_true(worker_finished(w));
    worker_destroy(w);
}

static void test_quit_joins_a_running_worker(void **state)
{
    (void)state;
    worker *w = start(false);
    long five = 5;
    wait_until(w, step_beyond, &five);
    assert_false(worker_finished(w));
    double t = now_seconds();
    send(w, WORKER_REQ_QUIT, 0, 0);
    while (!worker_finished(w) && now_seconds() < t + 2)
        sleep_ms(1);
    assert_true(worker_finished(w));
    worker_destroy(w);
    /* A paused worker quits just as promptly (it sleeps on the queue). */
    w = start(true);
    t = now_seconds();
    worker_destroy(w);
    assert_true(now_seconds() - t < 1.0);
    worker_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trains_and_pause_stops_the_weights),
        cmocka_unit_test(test_step_while_paused_advances_exactly_one),
        cmocka_unit_test(test_reset_and_reseed),
        cmocka_unit_test(test_kernel_rate_optimizer_speed),
        cmocka_unit_test(test_loads_keep_training_on_failure),
        cmocka_unit_test(test_images_are_published),
        cmocka_unit_test(test_hammering_requests_then_quit_joins),
        cmocka_unit_test(test_quit_joins_a_running_worker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
