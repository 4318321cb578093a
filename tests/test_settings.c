/*
 * test_settings.c: the training defaults, resolved in one place.
 *
 * The kernel's defaults when nothing is asked; another optimizer's usual
 * settings with the kernel's batch kept; each override on its own; the
 * batch fitted to a small training set; the checks; and the trainer's
 * option defaults (settings from the kernel, tolerance 1%), against the
 * numbers the README and --help state.
 */
#include "test_util.h"
#include "test_trainer_util.h"

#include "learnfilter/kernel.h"
#include "learnfilter/settings.h"
#include "learnfilter/trainer.h"

/* Field by field: the struct has padding after the bool. */
static void assert_same_settings(const lf_train_settings *a, const lf_train_settings *b)
{
    assert_int_equal(a->optimizer, b->optimizer);
    assert_true(a->learning_rate == b->learning_rate && a->momentum == b->momentum);
    assert_true(a->nesterov == b->nesterov);
    assert_true(a->beta1 == b->beta1 && a->beta2 == b->beta2 && a->epsilon == b->epsilon);
    assert_int_equal(a->batch_size, b->batch_size);
}

static void test_unset_request_is_the_kernel_default(void **state)
{
    (void)state;
    const char *names[] = {"sobel-x", "sobel-y", "smiley", "box7", "gaussian-50"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lf_kernel k = tt_kernel_named(names[i]);
        lf_settings_request r = LF_SETTINGS_REQUEST_UNSET;
        lf_train_settings a = lf_settings_resolve(&k, &r), b = lf_settings_for_kernel(&k);
        assert_same_settings(&a, &b);
    }
}

static void test_other_optimizer_keeps_the_batch(void **state)
{
    (void)state;
    lf_kernel k = tt_kernel_named("sobel-x"); /* SGD, batch 4 */
    lf_settings_request r = LF_SETTINGS_REQUEST_UNSET;
    r.optimizer = LF_OPTIMIZER_ADAM;
    lf_train_settings s = lf_settings_resolve(&k, &r);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_ADAM);
    assert_true(s.learning_rate == 1e-3f);
    assert_true(s.beta1 == 0.9f && s.beta2 == 0.999f && s.epsilon == 1e-8f);
    assert_int_equal(s.batch_size, 4);
    k = tt_kernel_named("smiley"); /* Adam, batch 1 */
    r.optimizer = LF_OPTIMIZER_SGD;
    s = lf_settings_resolve(&k, &r);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_SGD);
    assert_true(s.learning_rate == 1e-2f && s.momentum == 0.9f && s.nesterov);
    assert_int_equal(s.batch_size, 1);
}

static void test_each_override(void **state)
{
    (void)state;
    lf_kernel k = tt_kernel_named("sobel-x");
    lf_settings_request r = {.optimizer = -1, .learning_rate = 0.05f, .momentum = 0.0f,
                             .nesterov = 0, .batch_size = 7};
    lf_train_settings s = lf_settings_resolve(&k, &r);
    assert_true(s.learning_rate == 0.05f && s.momentum == 0.0f && !s.nesterov);
    assert_int_equal(s.batch_size, 7);
    lf_settings_fit_batch(&s, 5);
    assert_int_equal(s.batch_size, 5);
    lf_settings_fit_batch(&s, 50);
    assert_int_equal(s.batch_size, 5);
}

static void test_checks(void **state)
{
    (void)state;
    lf_train_settings s = lf_settings_for_optimizer(LF_OPTIMIZER_SGD);
    lf_error err;
    assert_int_equal(lf_settings_check(&s, 4, &err), LF_OK);
    assert_int_equal(lf_settings_check(&s, 3, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "batch size 4 is larger than the 3 training patches"));
    s.learning_rate = -1;
    assert_int_equal(lf_settings_check(&s, 4, &err), LF_ERR_ARGUMENT);
    s = lf_settings_for_optimizer(LF_OPTIMIZER_SGD);
    s.momentum = 1.0f;
    assert_int_equal(lf_settings_check(&s, 4, &err), LF_ERR_ARGUMENT);
    s = lf_settings_for_optimizer(LF_OPTIMIZER_ADAM);
    s.epsilon = 0;
    assert_int_equal(lf_settings_check(&s, 4, &err), LF_ERR_ARGUMENT);
}

static void test_trainer_option_defaults(void **state)
{
    (void)state;
    lf_trainer_options o = {.target = tt_kernel_named("sobel-y")};
    lf_trainer_options_defaults(&o);
    assert_true(o.tolerance == 0.01);
    lf_train_settings expected = lf_settings_for_kernel(&o.target);
    assert_same_settings(&o.settings, &expected);
    /* Given values stay. */
    o.tolerance = 0.5;
    o.settings.learning_rate = 0.25f;
    o.settings.batch_size = 9;
    lf_trainer_options_defaults(&o);
    assert_true(o.tolerance == 0.5 && o.settings.learning_rate == 0.25f);
    assert_int_equal(o.settings.batch_size, 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unset_request_is_the_kernel_default),
        cmocka_unit_test(test_other_optimizer_keeps_the_batch),
        cmocka_unit_test(test_each_override),
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_trainer_option_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
