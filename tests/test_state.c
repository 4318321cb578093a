/*
 * test_state.c: saving and restoring a trainer's whole training state.
 *
 * A run of 2N steps and a run of N steps saved to a file, read back into a
 * fresh trainer and trained N more end in byte-identical states, for plain
 * SGD, Nesterov momentum and Adam on every engine (direct, its FFT path and
 * the statistics), with N ending mid-epoch and the resumed trainer on
 * another thread count.
 * Rewinding in memory replays the same steps. Files from another format
 * version, truncated, corrupt (a flipped byte; or a bad field under a
 * correct checksum), and states taken on other data are refused with a
 * message that says which, leaving the trainer as it was.
 */
#include "test_data_util.h"
#include "test_state_util.h"

#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/state.h"
#include "learnfilter/trainer.h"

static void make_dataset(lf_dataset *ds, int patch, int nx, int ny, uint64_t seed)
{
    lf_image img;
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    td_noise_image(&img, patch * nx, patch * ny, &rng);
    td_dataset(ds, &img, 1, &(lf_dataset_options){.patch_size = patch, .seed = seed});
}

typedef struct resume_case {
    const char *what;
    lf_optimizer_kind optimizer;
    float momentum;
    bool nesterov;
    lf_engine engine;
    int fft;            /* the direct engine through the FFT: 1 always, -1 never */
} resume_case;

static const resume_case resume_cases[] = {
    {"sgd direct", LF_OPTIMIZER_SGD, 0.0f, false, LF_ENGINE_DIRECT, -1},
    {"sgd fft", LF_OPTIMIZER_SGD, 0.0f, false, LF_ENGINE_DIRECT, 1},
    {"sgd gram", LF_OPTIMIZER_SGD, 0.0f, false, LF_ENGINE_GRAM, 0},
    {"momentum direct", LF_OPTIMIZER_SGD, 0.9f, false, LF_ENGINE_DIRECT, -1},
    {"momentum fft", LF_OPTIMIZER_SGD, 0.9f, false, LF_ENGINE_DIRECT, 1},
    {"momentum gram", LF_OPTIMIZER_SGD, 0.9f, false, LF_ENGINE_GRAM, 0},
    {"nesterov direct", LF_OPTIMIZER_SGD, 0.9f, true, LF_ENGINE_DIRECT, -1},
    {"nesterov fft", LF_OPTIMIZER_SGD, 0.9f, true, LF_ENGINE_DIRECT, 1},
    {"nesterov gram", LF_OPTIMIZER_SGD, 0.9f, true, LF_ENGINE_GRAM, 0},
    {"adam direct", LF_OPTIMIZER_ADAM, 0.0f, false, LF_ENGINE_DIRECT, -1},
    {"adam fft", LF_OPTIMIZER_ADAM, 0.0f, false, LF_ENGINE_DIRECT, 1},
    {"adam gram", LF_OPTIMIZER_ADAM, 0.0f, false, LF_ENGINE_GRAM, 0},
};

/* 20 patches: 16 for training, batch 3, so an epoch is 6 steps (the last
 * of one patch) and N = 29 stops mid-epoch. */
enum { N = 29 };

static void test_resume_is_bit_identical(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 5, 4, 21);
    char dir[256], path[512];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/run.lfstate", dir);
    for (size_t c = 0; c < sizeof resume_cases / sizeof resume_cases[0]; c++) {
        const resume_case *rc = &resume_cases[c];
        lf_kernel k;
        assert_int_equal(lf_kernel_from_name(&k, "laplacian", 0, NULL), LF_OK);
        lf_train_settings s = lf_settings_for_optimizer(rc->optimizer);
        s.learning_rate = rc->optimizer == LF_OPTIMIZER_ADAM ? 1e-2f : 2e-3f;
        s.momentum = rc->momentum;
        s.nesterov = rc->nesterov;
        s.batch_size = 3;
        lf_trainer_options o = {.target = k, .settings = s, .seed = 5, .engine = rc->engine,
                                .fft = rc->fft, .threads = 1};

        lf_trainer *whole = tt_trainer_create(&o, &ds);
        assert_int_equal(lf_trainer_engine(whole), rc->engine);
        assert_int_equal(lf_trainer_uses_fft(whole), rc->fft > 0);
        tt_trainer_steps(whole, 2 * N);
        lf_state *expected = ts_save(whole);

        lf_trainer *first = tt_trainer_create(&o, &ds);
        tt_trainer_steps(first, N);
        lf_state *half = ts_save(first);
        lf_error err;
        assert_int_equal(lf_state_write(half, path, &err), LF_OK);
        lf_trainer_destroy(first);

        /* A fresh trainer made with other options: the state brings its own. */
        lf_kernel other;
        assert_int_equal(lf_kernel_from_name(&other, "sobel-x", 0, NULL), LF_OK);
        lf_trainer_options fresh = {.target = other, .seed = 99, .engine = rc->engine,
                                    .fft = rc->fft, .threads = 2};
        lf_trainer *second = tt_trainer_create(&fresh, &ds);
        lf_state *read = ts_read_restore(second, path, N, N / 6, rc->what);
        assert_string_equal(lf_trainer_get_options(second)->target.name, "laplacian");
        assert_int_equal(lf_trainer_engine(second), rc->engine);
        assert_int_equal(lf_trainer_uses_fft(second), rc->fft > 0);
        tt_trainer_steps(second, N);
        lf_state *resumed = ts_save(second);
        ts_assert_same(resumed, expected);
        assert_int_equal(lf_trainer_figures(second)->step, 2 * N);
        assert_memory_equal(lf_trainer_weights(second), lf_trainer_weights(whole),
                            sizeof(float) * 9);

        lf_state_destroy(expected);
        lf_state_destroy(half);
        lf_state_destroy(read);
        lf_state_destroy(resumed);
        lf_trainer_destroy(whole);
        lf_trainer_destroy(second);
    }
    tu_remove_tree(dir);
    lf_dataset_deinit(&ds);
}

/* Back to a saved moment in memory, twice: each replay ends where the
 * first pass did, and a state saved again right after the restore is the
 * state restored. */
static void test_rewind_in_memory(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 5, 4, 22);
    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, "sobel-y", 0, NULL), LF_OK);
    lf_trainer_options o = {.target = k, .seed = 3};
    lf_trainer *t = tt_trainer_create(&o, &ds);
    ts_assert_replays(t, 11, 40);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

static void expect_refused(const unsigned char *bytes, size_t size, const char *words)
{
    lf_state *s = lf_state_create();
    lf_error err = {0};
    td_check_error(lf_state_set_bytes(s, bytes, size, "x.lfstate", &err), LF_ERR_INPUT, &err,
                   "x.lfstate: ", words);
    if (strncmp(err.message, "x.lfstate: ", 11) != 0)
        fail_msg("message '%s' does not start with the file's name", err.message);
    size_t held;
    lf_state_bytes(s, &held);
    assert_int_equal(held, 0);
    lf_state_destroy(s);
}

static void test_bad_files_refused(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 16, 5, 4, 23);
    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, "sobel-x", 0, NULL), LF_OK);
    lf_trainer_options o = {.target = k, .seed = 4};
    lf_trainer *t = tt_trainer_create(&o, &ds);
    tt_trainer_steps(t, 7);
    lf_state *good = ts_save(t);
    size_t size;
    const unsigned char *orig = lf_state_bytes(good, &size);
    unsigned char *b = malloc(size + 8);
    assert_non_null(b);

    /* The good bytes are accepted, as a copy. */
    lf_state *copy = lf_state_create();
    lf_error err;
    assert_int_equal(lf_state_set_bytes(copy, orig, size, "x", &err), LF_OK);
    ts_assert_same(copy, good);
    lf_state_destroy(copy);

    expect_refused((const unsigned char *)"PNG\r\n", 5, "not a learnfilter training state");
    for (size_t cut = 0; cut < size; cut += cut < 64 ? 1 : 97) {
        if (cut < 8)
            expect_refused(orig, cut, "not a learnfilter training state");
        else
            expect_refused(orig, cut, "truncated");
    }
    /* One gray filter's state is written as format version 1. */
    assert_int_equal(orig[8], 1);
    assert_memory_equal(orig + 9, "\0\0\0", 3);
    memcpy(b, orig, size);
    b[8] = 3; /* a version after this program's */
    expect_refused(b, size, "format version 3; this learnfilter reads versions 1 and 2");
    memcpy(b, orig, size);
    b[8] = 0;
    expect_refused(b, size, "format version 0; this learnfilter reads versions 1 and 2");
    /* The same body read as version 2 would have a layer section where
     * the weights are: its checksum is right, its fields are not. */
    memcpy(b, orig, size);
    b[8] = 2;
    expect_refused(b, size, "corrupt");
    memcpy(b, orig, size);
    b[size] = 0;
    expect_refused(b, size + 1, "corrupt");
    /* A flipped bit anywhere in the body breaks the checksum. */
    for (size_t at = 32; at < size; at += 13) {
        memcpy(b, orig, size);
        b[at] ^= 0x10;
        expect_refused(b, size, "checksum");
    }
    /* Fields out of range under a correct checksum: a kernel height of
     * zero (body offset 24), a duplicate in the epoch order (its last two
     * entries made equal). */
    memcpy(b, orig, size);
    memset(b + 32 + 24, 0, 4);
    ts_reseal(b, size);
    expect_refused(b, size, "kernel size");
    /* The order's offset in the body, by the layout in state.c: data 24,
     * kernel size 8, 3x3 weights 36, name 4 + 7, settings 49, parameter
     * count 4, 10 parameters 40, step 8, moments 80, generator 32,
     * cursor 4, epoch sum 8. */
    const size_t order = 32 + 24 + 8 + 36 + 4 + 7 + 49 + 4 + 40 + 8 + 80 + 32 + 4 + 8;
    memcpy(b, orig, size);
    ts_reseal(b, size);
    lf_state *ok = lf_state_create();
    assert_int_equal(lf_state_set_bytes(ok, b, size, "x", &err), LF_OK);
    lf_state_destroy(ok);
    memcpy(b + order + 4, b + order, 4);
    ts_reseal(b, size);
    expect_refused(b, size, "epoch order");

    free(b);
    lf_state_destroy(good);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* A state taken on other data is refused and the trainer is left as it was. */
static void test_other_data_refused(void **state)
{
    (void)state;
    lf_dataset a, b, c;
    make_dataset(&a, 16, 5, 4, 24);
    make_dataset(&b, 16, 5, 4, 25); /* same sizes, other pixels */
    make_dataset(&c, 16, 4, 4, 24); /* fewer patches */
    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, "sobel-x", 0, NULL), LF_OK);
    lf_trainer_options o = {.target = k, .seed = 4};
    lf_trainer *ta = tt_trainer_create(&o, &a), *tb = tt_trainer_create(&o, &b), *tc = tt_trainer_create(&o, &c);
    tt_trainer_steps(ta, 5);
    tt_trainer_steps(tb, 3);
    lf_state *sa = ts_save(ta), *before = ts_save(tb);
    lf_error err;
    assert_int_equal(lf_trainer_restore_state(tb, sa, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "other images"));
    lf_state *after = ts_save(tb);
    ts_assert_same(after, before);
    assert_int_equal(lf_trainer_restore_state(tc, sa, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "--size"));
    lf_state *empty = lf_state_create();
    assert_int_equal(lf_trainer_restore_state(tb, empty, &err), LF_ERR_ARGUMENT);
    lf_state_destroy(empty);
    lf_state_destroy(sa);
    lf_state_destroy(before);
    lf_state_destroy(after);
    lf_state_destroy(NULL);
    lf_trainer_destroy(ta);
    lf_trainer_destroy(tb);
    lf_trainer_destroy(tc);
    lf_dataset_deinit(&a);
    lf_dataset_deinit(&b);
    lf_dataset_deinit(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_is_bit_identical),
        cmocka_unit_test(test_rewind_in_memory),
        cmocka_unit_test(test_bad_files_refused),
        cmocka_unit_test(test_other_data_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
