/*
 * test_optimizer.c: SGD (plain, momentum, Nesterov) and Adam against values
 * worked out by hand from PyTorch's documented update rules (see
 * include/learnfilter/optimizer.h). The arithmetic is written beside each
 * expected number. Parameters are float, so the tolerance is a few float
 * roundings of values near 1: 1e-6. The moments are checked more loosely
 * where float constants enter: 1 - 0.999f is 0.00099998713, 1.3e-5 off.
 */
#include "test_util.h"

#include "learnfilter/optimizer.h"

#define TOL 1e-6

static lf_train_settings sgd(float lr, float momentum, bool nesterov)
{
    return (lf_train_settings){.optimizer = LF_OPTIMIZER_SGD,
                               .learning_rate = lr,
                               .momentum = momentum,
                               .nesterov = nesterov,
                               .batch_size = 1};
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(lf_optimizer_name(LF_OPTIMIZER_SGD), "sgd");
    assert_string_equal(lf_optimizer_name(LF_OPTIMIZER_ADAM), "adam");
    assert_int_equal(lf_optimizer_parse("sgd"), LF_OPTIMIZER_SGD);
    assert_int_equal(lf_optimizer_parse("adam"), LF_OPTIMIZER_ADAM);
    assert_int_equal(lf_optimizer_parse("Adam"), LF_OPTIMIZER_ADAM); /* any case */
    assert_int_equal(lf_optimizer_parse("SGD"), LF_OPTIMIZER_SGD);
    assert_int_equal(lf_optimizer_parse("adamw"), -1);
    assert_int_equal(lf_optimizer_parse(""), -1);
}

static void test_sgd_plain(void **state)
{
    (void)state;
    lf_optimizer_state st;
    assert_int_equal(lf_optimizer_state_init(&st, 2), 0);
    lf_train_settings s = sgd(0.1f, 0.0f, false);
    float p[2] = {1.0f, -2.0f};
    const float g1[2] = {0.5f, -1.0f}, g2[2] = {0.25f, 2.0f};
    lf_optimizer_step(p, g1, &st, &s);
    tu_assert_near(p[0], 0.95, TOL);  /* 1 - 0.1 * 0.5 */
    tu_assert_near(p[1], -1.9, TOL);  /* -2 - 0.1 * -1 */
    lf_optimizer_step(p, g2, &st, &s);
    tu_assert_near(p[0], 0.925, TOL); /* 0.95 - 0.1 * 0.25 */
    tu_assert_near(p[1], -2.1, TOL);  /* -1.9 - 0.1 * 2 */
    assert_int_equal(st.step, 2);
    lf_optimizer_state_deinit(&st);
}

static void test_sgd_momentum(void **state)
{
    (void)state;
    lf_optimizer_state st;
    assert_int_equal(lf_optimizer_state_init(&st, 1), 0);
    lf_train_settings s = sgd(0.1f, 0.9f, false);
    float p = 1.0f;
    float g = 1.0f;
    lf_optimizer_step(&p, &g, &st, &s);
    tu_assert_near(st.first[0], 1.0, TOL); /* v = 0.9 * 0 + 1 */
    tu_assert_near(p, 0.9, TOL);           /* 1 - 0.1 * 1 */
    g = 0.5f;
    lf_optimizer_step(&p, &g, &st, &s);
    tu_assert_near(st.first[0], 1.4, TOL); /* v = 0.9 * 1 + 0.5 */
    tu_assert_near(p, 0.76, TOL);          /* 0.9 - 0.1 * 1.4 */
    g = -1.0f;
    lf_optimizer_step(&p, &g, &st, &s);
    tu_assert_near(st.first[0], 0.26, TOL); /* v = 0.9 * 1.4 - 1 */
    tu_assert_near(p, 0.734, TOL);          /* 0.76 - 0.1 * 0.26 */
    lf_optimizer_state_deinit(&st);
}

static void test_sgd_nesterov(void **state)
{
    (void)state;
    lf_optimizer_state st;
    assert_int_equal(lf_optimizer_state_init(&st, 1), 0);
    lf_train_settings s = sgd(0.1f, 0.9f, true);
    float p = 1.0f;
    float g = 1.0f;
    lf_optimizer_step(&p, &g, &st, &s);
    /* v = 1; update = g + 0.9 v = 1.9; p = 1 - 0.19 */
    tu_assert_near(p, 0.81, TOL);
    g = 0.5f;
    lf_optimizer_step(&p, &g, &st, &s);
    /* v = 0.9 + 0.5 = 1.4; update = 0.5 + 0.9 * 1.4 = 1.76; p = 0.81 - 0.176 */
    tu_assert_near(p, 0.634, TOL);
    g = -1.0f;
    lf_optimizer_step(&p, &g, &st, &s);
    /* v = 1.26 - 1 = 0.26; update = -1 + 0.234 = -0.766; p = 0.634 + 0.0766 */
    tu_assert_near(p, 0.7106, TOL);
    lf_optimizer_state_deinit(&st);
}

static lf_train_settings adam(float lr)
{
    return (lf_train_settings){.optimizer = LF_OPTIMIZER_ADAM,
                               .learning_rate = lr,
                               .beta1 = 0.9f,
                               .beta2 = 0.999f,
                               .epsilon = 1e-8f,
                               .batch_size = 1};
}

static void test_adam_three_steps(void **state)
{
    (void)state;
    lf_optimizer_state st;
    assert_int_equal(lf_optimizer_state_init(&st, 1), 0);
    lf_train_settings s = adam(0.01f);
    float p = 1.0f, g = 0.5f;
    lf_optimizer_step(&p, &g, &st, &s);
    /* t=1: m = 0.1 * 0.5 = 0.05; v = 0.001 * 0.25 = 0.00025;
     * m^ = 0.05 / 0.1 = 0.5; v^ = 0.00025 / 0.001 = 0.25; sqrt = 0.5;
     * p = 1 - 0.01 * 0.5 / (0.5 + 1e-8) = 0.9900000002 */
    tu_assert_near(st.first[0], 0.05, 1e-7);
    tu_assert_near(st.second[0], 0.00025, 1e-8);
    tu_assert_near(p, 0.99, TOL);
    g = -1.0f;
    lf_optimizer_step(&p, &g, &st, &s);
    /* t=2: m = 0.045 - 0.1 = -0.055; v = 0.999 * 0.00025 + 0.001 = 0.00124975;
     * m^ = -0.055 / (1 - 0.81) = -0.28947368; v^ = 0.00124975 / 0.001999 = 0.62518759;
     * sqrt(v^) = 0.79068805; p = 0.99 + 0.01 * 0.28947368 / 0.79068805
     *                          = 0.99 + 0.00366104 = 0.99366104 */
    tu_assert_near(st.first[0], -0.055, 1e-7);
    tu_assert_near(st.second[0], 0.00124975, 5e-8);
    tu_assert_near(p, 0.99366104, TOL);
    g = 2.0f;
    lf_optimizer_step(&p, &g, &st, &s);
    /* t=3: m = -0.0495 + 0.2 = 0.1505; v = 0.999 * 0.00124975 + 0.004 = 0.0052485;
     * m^ = 0.1505 / 0.271 = 0.55535055; v^ = 0.0052485 / 0.002997001 = 1.75125075;
     * sqrt(v^) = 1.32334831; p = 0.99366104 - 0.01 * 0.55535055 / 1.32334831
     *                          = 0.99366104 - 0.00419656 = 0.98946448 */
    tu_assert_near(p, 0.98946448, TOL);
    assert_int_equal(st.step, 3);
    lf_optimizer_state_deinit(&st);
}

/* Adam's first step moves each weight by lr in the direction against its
 * gradient, whatever the gradient's size; a zero gradient moves nothing. */
static void test_adam_first_step_is_lr(void **state)
{
    (void)state;
    lf_optimizer_state st;
    assert_int_equal(lf_optimizer_state_init(&st, 3), 0);
    lf_train_settings s = adam(0.001f);
    float p[3] = {0.0f, 0.0f, 0.0f};
    const float g[3] = {1000.0f, -0.001f, 0.0f};
    lf_optimizer_step(p, g, &st, &s);
    tu_assert_near(p[0], -0.001, 1e-8);
    tu_assert_near(p[1], 0.001, 1e-8); /* 0.001 * 0.001 / (0.001 + 1e-8) */
    assert_true(p[2] == 0.0f);
    lf_optimizer_state_deinit(&st);
}

/* After lf_optimizer_state_zero the optimizer behaves as new: the same
 * gradients give the same updates as the first time. */
static void test_state_zero_restarts(void **state)
{
    (void)state;
    lf_optimizer_state st;
    assert_int_equal(lf_optimizer_state_init(&st, 1), 0);
    lf_train_settings s = adam(0.01f);
    float p = 1.0f, g = 0.5f;
    lf_optimizer_step(&p, &g, &st, &s);
    g = -1.0f;
    lf_optimizer_step(&p, &g, &st, &s);
    lf_optimizer_state_zero(&st);
    assert_int_equal(st.step, 0);
    assert_true(st.first[0] == 0.0f && st.second[0] == 0.0f);
    p = 1.0f;
    g = 0.5f;
    lf_optimizer_step(&p, &g, &st, &s);
    tu_assert_near(p, 0.99, TOL);

    s = sgd(0.1f, 0.9f, false);
    lf_optimizer_state_zero(&st);
    p = 1.0f;
    g = 1.0f;
    lf_optimizer_step(&p, &g, &st, &s);
    tu_assert_near(p, 0.9, TOL); /* no velocity left over from before */
    lf_optimizer_state_deinit(&st);
    lf_optimizer_state_deinit(NULL); /* accepts NULL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_sgd_plain),
        cmocka_unit_test(test_sgd_momentum),
        cmocka_unit_test(test_sgd_nesterov),
        cmocka_unit_test(test_adam_three_steps),
        cmocka_unit_test(test_adam_first_step_is_lr),
        cmocka_unit_test(test_state_zero_restarts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
