/*
 * test_threads.c: the worker pool, and training that does not depend on the
 * number of threads.
 *
 * The pool must run every thread's share of a job exactly once per job, job
 * after job, and finish each before the next starts. The trainer splits its
 * work the same way whatever the thread count and combines partial results
 * in a fixed order, so 1, 2 and 3 threads must give bit-identical weights,
 * bias and losses, on both engines and through every split: the Gram
 * matrices built several at a time, G d by row blocks for a large kernel,
 * the direct engine's batch in units and a single patch in bands of rows.
 * Run under ThreadSanitizer by scripts/test (its name contains "thread").
 */
#include "test_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <stdatomic.h>
#include <time.h>

#include "learnfilter/trainer.h"
#include "pool.h"

/* ================================================================ pool */

typedef struct count_job {
    atomic_int runs[8];   /* per thread index */
    int threads_seen;
    int round;
    int *cells;           /* one per thread: written only by that thread */
} count_job;

static void count_run(void *context, int thread, int threads)
{
    count_job *job = context;
    atomic_fetch_add(&job->runs[thread], 1);
    if (thread == 0)
        job->threads_seen = threads;
    job->cells[thread] = job->round; /* plain write: TSan checks the hand-over */
}

static void test_pool_runs_every_share_once(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 4; threads++) {
        lf_pool *pool = lf_pool_create(threads);
        assert_non_null(pool);
        assert_int_equal(lf_pool_threads(pool), threads);
        int cells[8] = {0};
        count_job job = {.cells = cells};
        for (int i = 0; i < 8; i++)
            atomic_init(&job.runs[i], 0);
        const int rounds = 2000;
        for (int r = 1; r <= rounds; r++) {
            job.round = r;
            lf_pool_run(pool, count_run, &job);
            /* Every share finished before lf_pool_run returned. */
            for (int i = 0; i < threads; i++)
                assert_int_equal(cells[i], r);
        }
        assert_int_equal(job.threads_seen, threads);
        for (int i = 0; i < 8; i++)
            assert_int_equal(atomic_load(&job.runs[i]), i < threads ? rounds : 0);
        lf_pool_destroy(pool);
    }
    lf_pool_destroy(NULL);
    /* Out-of-range sizes are clamped. */
    lf_pool *one = lf_pool_create(0);
    assert_int_equal(lf_pool_threads(one), 1);
    lf_pool_destroy(one);
}

/* Workers that went to sleep between jobs wake for the next one. */
static void test_pool_wakes_after_idle(void **state)
{
    (void)state;
    lf_pool *pool = lf_pool_create(2);
    int cells[8] = {0};
    count_job job = {.cells = cells};
    for (int i = 0; i < 8; i++)
        atomic_init(&job.runs[i], 0);
    for (int r = 1; r <= 3; r++) {
        struct timespec pause = {0, 20 * 1000 * 1000}; /* far past the spinning */
        nanosleep(&pause, NULL);
        job.round = r;
        lf_pool_run(pool, count_run, &job);
        assert_int_equal(cells[1], r);
    }
    lf_pool_destroy(pool);
}

/* ============================================================= trainer */

static void make_dataset(lf_dataset *ds, int patch, int count, uint64_t seed)
{
    lf_image img;
    assert_int_equal(lf_image_init(&img, patch * count, patch, NULL), LF_OK);
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    /* Smooth gradients plus grain: every tap has something to learn from. */
    for (int y = 0; y < patch; y++)
        for (int x = 0; x < patch * count; x++)
            img.pixels[y * patch * count + x] =
                (float)(0.3 + 0.2 * sin(0.3 * x) * cos(0.2 * y) + 0.3 * lf_rng_uniform(&rng));
    lf_dataset_options o = {.patch_size = patch, .seed = seed};
    lf_error err;
    if (lf_dataset_from_images(ds, &img, 1, &o, &err) != LF_OK)
        fail_msg("%s", err.message);
    lf_image_deinit(&img);
}

static lf_kernel random_kernel(int side, uint64_t seed)
{
    lf_kernel k = {.height = side, .width = side};
    snprintf(k.name, sizeof k.name, "random-%d", side);
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    for (int i = 0; i < side * side; i++)
        k.weights[i] = (float)(lf_rng_uniform(&rng) - 0.5) / (float)side;
    return k;
}

/* Trains the same setting on 1, 2 and 3 threads; the weights, bias and
 * every step's loss must match bit for bit. */
static void check_thread_counts(lf_engine engine, int patch, int patches, int side, int batch,
                                int steps)
{
    lf_dataset ds;
    make_dataset(&ds, patch, patches, 7);
    lf_kernel k = random_kernel(side, (uint64_t)side);
    lf_trainer_options o = {.target = k, .seed = 5, .engine = engine};
    o.settings = lf_settings_for_kernel(&k);
    o.settings.batch_size = batch;
    lf_trainer *t[3];
    for (int i = 0; i < 3; i++) {
        o.threads = i + 1;
        lf_error err;
        t[i] = lf_trainer_create(&o, &ds, &err);
        if (!t[i])
            fail_msg("%s", err.message);
        assert_int_equal(lf_trainer_engine(t[i]), engine);
    }
    const size_t bytes = sizeof(float) * (size_t)(side * side);
    float *start = malloc(bytes);
    memcpy(start, lf_trainer_weights(t[0]), bytes);
    for (int s = 0; s < steps; s++) {
        double loss[3];
        for (int i = 0; i < 3; i++) {
            assert_int_equal(lf_trainer_step(t[i], NULL), LF_OK);
            loss[i] = lf_trainer_figures(t[i])->step_loss;
        }
        for (int i = 1; i < 3; i++) {
            if (memcmp(lf_trainer_weights(t[0]), lf_trainer_weights(t[i]), bytes) != 0 ||
                lf_trainer_bias(t[0]) != lf_trainer_bias(t[i]) || loss[0] != loss[i])
                fail_msg("%s engine, %dx%d kernel, batch %d: %d threads differ from 1 at step %d",
                         lf_engine_name(engine), side, side, batch, i + 1, s + 1);
        }
    }
    /* The runs did move: a test of identical frozen weights proves nothing. */
    assert_true(memcmp(start, lf_trainer_weights(t[0]), bytes) != 0);
    free(start);
    for (int i = 1; i < 3; i++)
        assert_true(lf_trainer_figures(t[0])->val_loss == lf_trainer_figures(t[i])->val_loss);
    for (int i = 0; i < 3; i++)
        lf_trainer_destroy(t[i]);
    lf_dataset_deinit(&ds);
}

static void test_gram_small_kernel(void **state)
{
    (void)state;
    /* Several G built at once, ahead of the batch. */
    check_thread_counts(LF_ENGINE_GRAM, 24, 10, 3, 4, 40);
    check_thread_counts(LF_ENGINE_GRAM, 24, 10, 3, 1, 40);
}

static void test_gram_large_kernel(void **state)
{
    (void)state;
    /* 16x16: P = 257, G d in row blocks. */
    check_thread_counts(LF_ENGINE_GRAM, 24, 6, 16, 1, 25);
    check_thread_counts(LF_ENGINE_GRAM, 24, 6, 16, 3, 10);
}

static void test_direct(void **state)
{
    (void)state;
    check_thread_counts(LF_ENGINE_DIRECT, 24, 10, 3, 4, 20);  /* units over the batch */
    check_thread_counts(LF_ENGINE_DIRECT, 24, 10, 5, 1, 20);  /* one patch in bands */
    check_thread_counts(LF_ENGINE_DIRECT, 20, 14, 3, 10, 6);  /* more patches than units */
    check_thread_counts(LF_ENGINE_DIRECT, 24, 6, 16, 1, 5);   /* a large kernel in bands */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_runs_every_share_once),
        cmocka_unit_test(test_pool_wakes_after_idle),
        cmocka_unit_test(test_gram_small_kernel),
        cmocka_unit_test(test_gram_large_kernel),
        cmocka_unit_test(test_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
