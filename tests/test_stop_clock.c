/*
 * test_stop_clock.c: the --max-seconds clock, driven by a fake clock so the
 * verdicts count steps and fake seconds, never the machine's speed. The
 * limit must hold within a second for fast steps, slow steps and a run
 * that slows down, while fast steps read the clock rarely.
 */
#include "test_util.h"

#include "stop_clock.h"

/* Runs steps of step_seconds(i) each against a limit; returns the fake
 * time at which the loop stopped, and the number of clock reads. */
static double run(double limit, double (*step_seconds)(long), long *reads, long *steps)
{
    stop_clock c;
    double now = 0;
    stop_clock_start(&c, limit, now);
    *reads = 0;
    for (long i = 0; i < 100000000L; i++) {
        now += step_seconds(i);
        if (stop_clock_due(&c)) {
            ++*reads;
            if (stop_clock_read(&c, now)) {
                *steps = i + 1;
                return now;
            }
        }
    }
    fail_msg("the limit was never seen");
    return -1;
}

static double fast(long i) { (void)i; return 200e-9; }
static double slow(long i) { (void)i; return 0.3; }
/* 1 us steps for the first two million, then 50 ms steps. */
static double slowing(long i) { return i < 2000000 ? 1e-6 : 0.05; }

static void test_fast_steps(void **state)
{
    (void)state;
    long reads = 0, steps = 0;
    double stopped = run(2.0, fast, &reads, &steps);
    assert_true(stopped >= 2.0);
    /* At most one interval past the limit: 16 steps of 200 ns. */
    assert_true(stopped <= 2.0 + STOP_CLOCK_MAX_INTERVAL * 200e-9 + 1e-12);
    /* The clock is read at most once per 16 steps, plus the first few
     * while the interval grows. */
    assert_true(reads <= steps / STOP_CLOCK_MAX_INTERVAL + 8);
}

static void test_slow_steps(void **state)
{
    (void)state;
    long reads = 0, steps = 0;
    double stopped = run(2.0, slow, &reads, &steps);
    /* Every step is read: the loop stops at the first step past 2 s. */
    assert_int_equal(steps, 7);
    tu_assert_near(stopped, 2.1, 1e-9);
    assert_int_equal(reads, steps);
}

static void test_run_that_slows_down(void **state)
{
    (void)state;
    long reads = 0, steps = 0;
    double stopped = run(5.0, slowing, &reads, &steps);
    assert_true(stopped >= 5.0);
    assert_true(stopped < 6.0); /* within a second */
}

static void test_no_limit(void **state)
{
    (void)state;
    stop_clock c;
    stop_clock_start(&c, 0, 0);
    double now = 0;
    for (int i = 0; i < 1000; i++) {
        now += 1000;
        if (stop_clock_due(&c))
            assert_false(stop_clock_read(&c, now));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_steps),
        cmocka_unit_test(test_slow_steps),
        cmocka_unit_test(test_run_that_slows_down),
        cmocka_unit_test(test_no_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
