/*
 * test_rng.c: the seeded generator every random choice comes from, and the
 * error helpers. Statistical checks use bounds several standard errors wide
 * on fixed seeds, so they are deterministic, yet a biased or broken
 * generator misses them by far.
 */
#include "test_util.h"

#include "learnfilter/error.h"

static void test_reproducible(void **state)
{
    (void)state;
    lf_rng a, b, c;
    lf_rng_seed(&a, 2024);
    lf_rng_seed(&b, 2024);
    lf_rng_seed(&c, 2025);
    int same = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = lf_rng_next(&a);
        assert_true(x == lf_rng_next(&b));
        same += x == lf_rng_next(&c);
    }
    assert_int_equal(same, 0);
    /* Seed 0 is a good seed: not the all-zero state. */
    lf_rng_seed(&a, 0);
    assert_false(a.state[0] == 0 && a.state[1] == 0 && a.state[2] == 0 && a.state[3] == 0);
    assert_true(lf_rng_next(&a) != lf_rng_next(&a));
}

static void test_uniform_and_below(void **state)
{
    (void)state;
    lf_rng r;
    lf_rng_seed(&r, 1);
    const int n = 100000;
    double sum = 0;
    int counts[7] = {0};
    for (int i = 0; i < n; i++) {
        double u = lf_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
        uint64_t k = lf_rng_below(&r, 7);
        assert_true(k < 7);
        counts[k]++;
    }
    tu_assert_near(sum / n, 0.5, 0.005); /* standard error 0.0009 */
    for (int k = 0; k < 7; k++)
        tu_assert_near(counts[k], n / 7.0, 600); /* standard error ~111 */
    assert_true(lf_rng_below(&r, 1) == 0);
}

static void test_normal(void **state)
{
    (void)state;
    lf_rng r;
    lf_rng_seed(&r, 3);
    const int n = 100000;
    double sum = 0, sum2 = 0;
    int beyond2 = 0;
    for (int i = 0; i < n; i++) {
        double x = lf_rng_normal(&r);
        assert_true(isfinite(x));
        sum += x;
        sum2 += x * x;
        beyond2 += fabs(x) > 2;
    }
    tu_assert_near(sum / n, 0.0, 0.015);
    tu_assert_near(sqrt(sum2 / n), 1.0, 0.015);
    tu_assert_near((double)beyond2 / n, 0.0455, 0.004); /* P(|x| > 2) */
}

static void test_shuffle(void **state)
{
    (void)state;
    lf_rng r;
    lf_rng_seed(&r, 9);
    int v[50], seen[50] = {0}, moved = 0;
    for (int i = 0; i < 50; i++)
        v[i] = i;
    lf_rng_shuffle(&r, v, 50);
    for (int i = 0; i < 50; i++) {
        assert_true(v[i] >= 0 && v[i] < 50);
        seen[v[i]]++;
        moved += v[i] != i;
    }
    for (int i = 0; i < 50; i++)
        assert_int_equal(seen[i], 1);
    assert_true(moved > 40);
    /* Every position is equally likely for the first element. */
    int first[4] = {0};
    for (int t = 0; t < 40000; t++) {
        int w[4] = {0, 1, 2, 3};
        lf_rng_shuffle(&r, w, 4);
        first[w[0]]++;
    }
    for (int k = 0; k < 4; k++)
        tu_assert_near(first[k], 10000, 400); /* standard error ~87 */
    lf_rng_shuffle(&r, v, 0);
    lf_rng_shuffle(&r, v, 1);
}

static void test_errors(void **state)
{
    (void)state;
    lf_error err;
    assert_int_equal(lf_fail(&err, LF_ERR_INPUT, "%s: line %d", "k.txt", 3), LF_ERR_INPUT);
    assert_int_equal(err.status, LF_ERR_INPUT);
    assert_string_equal(err.message, "k.txt: line 3");
    assert_int_equal(lf_fail(NULL, LF_ERR_IO, "ignored"), LF_ERR_IO);
    lf_error_clear(&err);
    assert_int_equal(err.status, LF_OK);
    assert_string_equal(err.message, "");
    lf_error_clear(NULL);
    /* A long message is cut, not overrun. */
    char long_text[2 * LF_ERROR_MESSAGE_MAX];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = 0;
    lf_fail(&err, LF_ERR_ARGUMENT, "%s", long_text);
    assert_int_equal(strlen(err.message), LF_ERROR_MESSAGE_MAX - 1);
    const lf_status all[] = {LF_OK, LF_ERR_ARGUMENT, LF_ERR_INPUT, LF_ERR_IO, LF_ERR_NOMEM,
                             LF_ERR_DIVERGED};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        assert_true(strlen(lf_status_name(all[i])) > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(lf_status_name(all[i]), lf_status_name(all[j]));
    }
    assert_string_equal(lf_status_name(LF_ERR_DIVERGED), "diverged");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_uniform_and_below),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_shuffle),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
