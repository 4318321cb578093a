/*
 * test_race.c: a race's second run. Its options are the first run's with
 * the race's on top, and only training options may differ; it starts from
 * the same initial weights and visits the patches in the same order, so a
 * race that changes nothing trains bit for bit as the first run does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "race.h"

static cli_options parse(const char *const *args)
{
    int argc = 0;
    while (args[argc])
        argc++;
    cli_options o;
    lf_error err;
    if (!cli_parse(argc, (char **)args, &o, &err))
        fail_msg("%s", err.message);
    return o;
}

/* The first run of the tests below: the bundled photographs cut small. */
static cli_options first_options(void)
{
    static const char *args[] = {"learnfilter", "--headless", "--images", LF_SOURCE_DATA_DIR,
                                 "--size", "48", "--threads", "1", "--tol", "0.01", NULL};
    return parse(args);
}

static void test_options_on_top_of_first(void **state)
{
    (void)state;
    cli_options first = first_options(), second;
    first.lr = 0.02f;
    first.batch = 2;
    lf_error err;
    assert_int_equal(race_options(&first, "--lr 0.05", &second, &err), LF_OK);
    assert_true(second.lr == 0.05f);
    assert_int_equal(second.batch, 2); /* kept from the first run */
    assert_true(second.tol == 0.01);
    assert_null(second.race);
    /* Another optimizer takes its own usual settings, unless given too. */
    assert_int_equal(race_options(&first, "--optimizer adam", &second, &err), LF_OK);
    assert_int_equal(second.optimizer, LF_OPTIMIZER_ADAM);
    assert_true(second.lr == 0);
    assert_int_equal(race_options(&first, "--optimizer=adam  --lr 0.01 --batch 1", &second, &err),
                     LF_OK);
    assert_true(second.lr == 0.01f);
    assert_int_equal(second.batch, 1);
    assert_int_equal(race_options(&first, "--no-nesterov --momentum 0.5 --engine direct",
                                  &second, &err),
                     LF_OK);
    assert_int_equal(second.nesterov, 0);
    assert_true(second.momentum == 0.5f);
    assert_int_equal(second.engine, LF_ENGINE_DIRECT);
}

static void test_refusals(void **state)
{
    (void)state;
    cli_options first = first_options(), second;
    lf_error err;
    const char *refused[] = {"--kernel smiley", "--images /tmp", "--size 32",  "--seed 2",
                             "--headless",      "--race --lr",   "--gif a.gif", "--tol 0.1",
                             "--noise 0.1",     "--steps 10",    "--weights-out w.npy",
                             "--lr 0.1 --padding valid"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(race_options(&first, refused[i], &second, &err), LF_ERR_ARGUMENT);
        /* The message names the option and lists what a race may change. */
        char name[32];
        sscanf(strstr(refused[i], "--padding") ? "--padding" : refused[i], "%31s", name);
        assert_non_null(strstr(err.message, name));
        assert_non_null(strstr(err.message, RACE_MAY_CHANGE));
    }
    /* The parser's own messages for values it refuses. */
    assert_int_equal(race_options(&first, "--lr fast", &second, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "--race: --lr: 'fast'"));
    assert_int_equal(race_options(&first, "--optimiser adam", &second, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "did you mean --optimizer"));
    assert_int_equal(race_options(&first, "   ", &second, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "no options"));
    /* Outputs of a headless race's first run. */
    first.gif = "a.gif";
    assert_string_equal(race_refused_output(&first), "--gif");
    first.gif = NULL;
    assert_null(race_refused_output(&first));
}

/* Trains both for steps steps; true when each step's weights were equal. */
static bool train_together(app_setup *a, app_setup *b, int steps)
{
    lf_error err;
    int n = lf_trainer_weight_count(a->trainer) + 1;
    bool same = true;
    for (int i = 0; i < steps; i++) {
        assert_int_equal(lf_trainer_step(a->trainer, &err), LF_OK);
        assert_int_equal(lf_trainer_step(b->trainer, &err), LF_OK);
        same = same && !memcmp(lf_trainer_weights(a->trainer), lf_trainer_weights(b->trainer),
                               sizeof(float) * (size_t)n);
    }
    return same;
}

static void test_same_options_bit_identical(void **state)
{
    (void)state;
    cli_options o = first_options(), o2;
    app_setup a, b;
    lf_error err;
    assert_int_equal(app_setup_create(&a, &o, NULL, NULL, NULL, &err), LF_OK);
    /* A race that names the first run's own settings changes nothing. */
    const lf_train_settings *s = &lf_trainer_get_options(a.trainer)->settings;
    char text[128];
    snprintf(text, sizeof text, "--optimizer %s --lr %.9g --batch %d",
             lf_optimizer_name(s->optimizer), (double)s->learning_rate, s->batch_size);
    assert_int_equal(race_options(&o, text, &o2, &err), LF_OK);
    assert_int_equal(race_setup_create(&b, &a, &o2, &err), LF_OK);
    /* Its own copy of the patches, equal to the first's. */
    assert_ptr_not_equal(a.dataset.inputs, b.dataset.inputs);
    assert_int_equal(a.dataset.patch_count, b.dataset.patch_count);
    assert_memory_equal(a.dataset.inputs, b.dataset.inputs,
                        sizeof(float) * (size_t)a.dataset.patch_count *
                            (size_t)lf_dataset_patch_floats(&a.dataset));
    assert_true(train_together(&a, &b, 3 * lf_trainer_figures(a.trainer)->steps_per_epoch + 5));
    const lf_figures *fa = lf_trainer_figures(a.trainer), *fb = lf_trainer_figures(b.trainer);
    assert_int_equal(fa->step, fb->step);
    assert_true(fa->rel_err == fb->rel_err);
    assert_true(fa->val_loss == fb->val_loss);
    char what[128];
    race_describe(s, lf_trainer_engine(a.trainer), &lf_trainer_get_options(b.trainer)->settings,
                  lf_trainer_engine(b.trainer), what, sizeof what);
    assert_string_equal(what, "nothing");
    app_setup_destroy(&b);
    app_setup_destroy(&a);
}

/* Another learning rate, or another batch: the same starting weights and
 * the same order of patches, epoch after epoch; different weights after. */
static void check_same_batches(const char *race_text, const char *described)
{
    cli_options o = first_options(), o2;
    app_setup a, b;
    lf_error err;
    assert_int_equal(app_setup_create(&a, &o, NULL, NULL, NULL, &err), LF_OK);
    assert_int_equal(race_options(&o, race_text, &o2, &err), LF_OK);
    assert_int_equal(race_setup_create(&b, &a, &o2, &err), LF_OK);
    int n = lf_trainer_weight_count(a.trainer) + 1;
    assert_memory_equal(lf_trainer_weights(a.trainer), lf_trainer_weights(b.trainer),
                        sizeof(float) * (size_t)n);
    enum { EPOCHS = 5 };
    int train = a.dataset.train_count;
    size_t count = (size_t)EPOCHS * (size_t)train;
    int *oa = malloc(sizeof(int) * count), *ob = malloc(sizeof(int) * count);
    assert_int_equal(lf_trainer_epoch_orders(a.trainer, EPOCHS, oa, count), EPOCHS);
    assert_int_equal(lf_trainer_epoch_orders(b.trainer, EPOCHS, ob, count), EPOCHS);
    assert_memory_equal(oa, ob, sizeof(int) * count);
    /* Not a constant order: the shuffle is there to be shared. */
    assert_memory_not_equal(oa, oa + train, sizeof(int) * (size_t)train);
    free(oa);
    free(ob);
    assert_false(train_together(&a, &b, 4));
    char what[128];
    race_describe(&lf_trainer_get_options(a.trainer)->settings, lf_trainer_engine(a.trainer),
                  &lf_trainer_get_options(b.trainer)->settings, lf_trainer_engine(b.trainer),
                  what, sizeof what);
    assert_string_equal(what, described);
    app_setup_destroy(&b);
    app_setup_destroy(&a);
}

static void test_other_rate_same_batches(void **state)
{
    (void)state;
    check_same_batches("--lr 0.003", "lr 0.003");
    check_same_batches("--batch 1", "batch 1");
    check_same_batches("--optimizer adam", "Adam lr 0.001");
}

static void test_winner(void **state)
{
    (void)state;
    assert_int_equal(race_by_steps(100, 100, 200, 200), RACE_FIRST);
    assert_int_equal(race_by_steps(300, 300, 200, 300), RACE_SECOND);
    assert_int_equal(race_by_steps(200, 200, 200, 200), RACE_TIE);
    /* The first is there at 100; the second, at 50 steps, might still tie. */
    assert_int_equal(race_by_steps(100, 120, -1, 50), RACE_NEITHER);
    assert_int_equal(race_by_steps(100, 120, -1, 120), RACE_FIRST);
    assert_int_equal(race_by_steps(-1, 90, 80, 90), RACE_SECOND);
    assert_int_equal(race_by_steps(-1, 90, -1, 90), RACE_NEITHER);
    assert_string_equal(race_winner_name(RACE_SECOND), "race");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_on_top_of_first),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_same_options_bit_identical),
        cmocka_unit_test(test_other_rate_same_batches),
        cmocka_unit_test(test_winner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
