/*
 * test_threads.c: the worker pool, and training that does not depend on the
 * number of threads.
 *
 * The pool must run every item of a job exactly once, job after job, and
 * finish each job before lf_pool_for returns. The trainer splits its
 * work the same way whatever the thread count and combines partial results
 * in a fixed order, so 1, 2 and 3 threads must give bit-identical weights,
 * bias and losses, on both engines and through every split: the Gram
 * matrices built several at a time, G d by row blocks for a large kernel,
 * the direct engine's batch in units and a single patch in bands of rows,
 * and its transforms for large kernels.
 * Run under ThreadSanitizer by scripts/test (its name contains "thread").
 */
#include "test_data_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <stdatomic.h>
#include <time.h>

#include "learnfilter/trainer.h"
#include "pool.h"

/* ================================================================ pool */

enum { MAX_ITEMS = 300 };

typedef struct count_job {
    atomic_int runs[MAX_ITEMS]; /* per item */
    atomic_int by_thread[8];    /* items each thread ran */
    int round;
    int cells[MAX_ITEMS];       /* one per item: written only by its runner */
} count_job;

static void count_item(void *context, int item, int thread)
{
    count_job *job = context;
    atomic_fetch_add(&job->runs[item], 1);
    atomic_fetch_add(&job->by_thread[thread], 1);
    job->cells[item] = job->round; /* plain write: TSan checks the hand-over */
}

static void reset_job(count_job *job)
{
    memset(job->cells, 0, sizeof job->cells);
    for (int i = 0; i < MAX_ITEMS; i++)
        atomic_init(&job->runs[i], 0);
    for (int i = 0; i < 8; i++)
        atomic_init(&job->by_thread[i], 0);
}

/* Every item runs exactly once per job, on a valid thread, and is finished
 * when lf_pool_for returns; jobs of every size from 1 item up. */
static void test_pool_runs_every_item_once(void **state)
{
    (void)state;
    static count_job job;
    for (int threads = 1; threads <= 4; threads++) {
        lf_pool *pool = lf_pool_create(threads);
        assert_non_null(pool);
        assert_int_equal(lf_pool_threads(pool), threads);
        reset_job(&job);
        long expected_total = 0;
        for (int r = 1; r <= 1500; r++) {
            int items = 1 + r % 37;
            job.round = r;
            lf_pool_for(pool, items, count_item, &job);
            expected_total += items;
            for (int i = 0; i < items; i++)
                assert_int_equal(job.cells[i], r);
        }
        long total = 0;
        for (int i = 0; i < 8; i++) {
            total += atomic_load(&job.by_thread[i]);
            if (i >= threads)
                assert_int_equal(atomic_load(&job.by_thread[i]), 0);
        }
        assert_int_equal(total, expected_total);
        /* One large job. */
        reset_job(&job);
        job.round = 7;
        lf_pool_for(pool, MAX_ITEMS, count_item, &job);
        for (int i = 0; i < MAX_ITEMS; i++) {
            assert_int_equal(atomic_load(&job.runs[i]), 1);
            assert_int_equal(job.cells[i], 7);
        }
        lf_pool_for(pool, 0, count_item, &job); /* nothing to do */
        lf_pool_destroy(pool);
    }
    lf_pool_destroy(NULL);
    lf_pool *one = lf_pool_create(0);
    assert_int_equal(lf_pool_threads(one), 1);
    lf_pool_destroy(one);
    /* A NULL pool runs the items on the caller. */
    reset_job(&job);
    lf_pool_for(NULL, 5, count_item, &job);
    assert_int_equal(atomic_load(&job.by_thread[0]), 5);
}

/* Workers that went to sleep between jobs wake for the next one, and a
 * long job is shared: with items that take a while, both threads run some
 * (or the caller ran all of them, if the worker was never scheduled, which
 * is allowed: so only the total is asserted strictly). */
static void slow_item(void *context, int item, int thread)
{
    count_item(context, item, thread);
    struct timespec pause = {0, 2 * 1000 * 1000};
    nanosleep(&pause, NULL);
}

static void test_pool_wakes_after_idle(void **state)
{
    (void)state;
    static count_job job;
    lf_pool *pool = lf_pool_create(2);
    reset_job(&job);
    for (int r = 1; r <= 3; r++) {
        struct timespec pause = {0, 20 * 1000 * 1000}; /* far past the spinning */
        nanosleep(&pause, NULL);
        job.round = r;
        lf_pool_for(pool, 6, slow_item, &job);
        for (int i = 0; i < 6; i++)
            assert_int_equal(job.cells[i], r);
    }
    assert_int_equal(atomic_load(&job.by_thread[0]) + atomic_load(&job.by_thread[1]), 18);
    lf_pool_destroy(pool);
}

/* ============================================================= trainer */

/* Smooth waves plus grain: every tap has something to learn from. */
static void make_dataset(lf_dataset *ds, int patch, int count, uint64_t seed)
{
    lf_image img;
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    const td_wave wave = {.base = 0.3, .amplitude = 0.2, .sin_x = 0.3, .cos_y = 0.2,
                          .grain = 0.3};
    td_wave_image(&img, patch * count, patch, &rng, &wave);
    td_dataset(ds, &img, 1, &(lf_dataset_options){.patch_size = patch, .seed = seed});
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
    /* Kernels of LF_FFT_MIN_TAPS taps or more go through the FFT; smaller
     * ones do not, so the 16x16 cases use the loops on purpose. */
    lf_trainer_options o = {.target = k, .seed = 5, .engine = engine,
                            .fft = side == 16 ? -1 : 0};
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
    /* 45x45: P = 2026, past GRAM_SPLIT_MIN_PARAMS: G d in row blocks. */
    check_thread_counts(LF_ENGINE_GRAM, 48, 5, 45, 1, 12);
    check_thread_counts(LF_ENGINE_GRAM, 48, 5, 45, 3, 4);
}

static void test_direct(void **state)
{
    (void)state;
    check_thread_counts(LF_ENGINE_DIRECT, 24, 10, 3, 4, 20);  /* units over the batch */
    check_thread_counts(LF_ENGINE_DIRECT, 24, 10, 5, 1, 20);  /* one patch in bands */
    check_thread_counts(LF_ENGINE_DIRECT, 20, 14, 3, 10, 6);  /* more patches than units */
    check_thread_counts(LF_ENGINE_DIRECT, 24, 6, 16, 1, 5);   /* a large kernel in bands */
    check_thread_counts(LF_ENGINE_DIRECT, 24, 10, 9, 4, 10);  /* through the FFT, by patch */
    check_thread_counts(LF_ENGINE_DIRECT, 24, 6, 12, 1, 5);   /* through the FFT, one patch */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_runs_every_item_once),
        cmocka_unit_test(test_pool_wakes_after_idle),
        cmocka_unit_test(test_gram_small_kernel),
        cmocka_unit_test(test_gram_large_kernel),
        cmocka_unit_test(test_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
