/*
 * test_spectrum_threads.c: spectra computed from two threads at once.
 *
 * Its own program so that the ThreadSanitizer stage of scripts/test, which
 * runs the tests named for threads, runs it.
 */
#include "test_util.h"

#include <pthread.h>

#include "learnfilter/spectrum.h"

/* Spectra from two threads at once: FFTW's planner is not thread-safe, so
 * this is where a missing lock shows (under ThreadSanitizer as a race, and
 * without it as a crash or a wrong plan). Each thread alternates two sizes so
 * that every call plans afresh. */
typedef struct spectrum_job {
    const float *w;
    float mag[2][40 * 40];
    int failures;
} spectrum_job;

static void *spectrum_worker(void *arg)
{
    spectrum_job *job = arg;
    static const int sizes[2] = {32, 40};
    float *expect[2] = {job->mag[0], job->mag[1]};
    float out[40 * 40];
    for (int round = 0; round < 40; round++) {
        int which = round % 2, size = sizes[which];
        if (lf_spectrum_kernel(out, 40 * 40, job->w, 5, 5, size, NULL) != LF_OK) {
            job->failures++;
            continue;
        }
        for (int i = 0; i < size * size; i++)
            job->failures += !(fabsf(out[i] - expect[which][i]) <= 1e-6f * (1 + expect[which][i]));
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    float w[25];
    lf_rng rng;
    lf_rng_seed(&rng, 3);
    tu_fill_uniform(w, 25, &rng, -1, 1);
    static spectrum_job jobs[2];
    for (int t = 0; t < 2; t++) {
        jobs[t].w = w;
        jobs[t].failures = 0;
        assert_int_equal(lf_spectrum_kernel(jobs[t].mag[0], 40 * 40, w, 5, 5, 32, NULL), LF_OK);
        assert_int_equal(lf_spectrum_kernel(jobs[t].mag[1], 40 * 40, w, 5, 5, 40, NULL), LF_OK);
    }
    pthread_t threads[2];
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, spectrum_worker, &jobs[t]), 0);
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    assert_int_equal(jobs[0].failures + jobs[1].failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
